/*
 * config: perfagent.ini through inih, with errors that name file and line.
 */
#include "config.h"
#include "suggest.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const sections[] = {"budgets"};

/*
 * inih does not tell the handler which line it is on, and with a syntax
 * error it still goes on and calls the handler for later lines. So the
 * input goes through our own reader, which counts lines; the handler notes
 * the line of its first error, and finish() uses that message only when it
 * is for the line inih reports as the first bad one.
 */
struct ini_ctx {
	struct config *c;
	struct perr err; /* the handler's first error; msg[0] == 0 while none */
	int err_line;     /* the line it was on */
	int line;         /* the line the reader is on */
	int mid_line;     /* the last chunk read did not end a line */
	FILE *fp;         /* source: a file ... */
	const char *text; /* ... or a string */
};

static char *reader(char *str, int num, void *stream)
{
	struct ini_ctx *x = stream;
	if (num < 2)
		return NULL;
	if (x->fp) {
		if (!fgets(str, num, x->fp))
			return NULL;
	} else {
		if (!*x->text)
			return NULL;
		const char *nl = strchr(x->text, '\n');
		size_t len = nl ? (size_t)(nl - x->text) + 1 : strlen(x->text);
		if (len > (size_t)num - 1)
			len = (size_t)num - 1;
		memcpy(str, x->text, len);
		str[len] = '\0';
		x->text += len;
	}
	if (!x->mid_line)
		x->line++;
	size_t n = strlen(str);
	x->mid_line = n == 0 || str[n - 1] != '\n';
	return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	struct perr e;
	if (x->err.msg[0])
		return 0;
	x->err_line = x->line;
	if (strcasecmp(section, "budgets") == 0) {
		if (budgets_set(&x->c->budgets, name, value, &e) == 0)
			return 1;
		snprintf(x->err.msg, sizeof(x->err.msg), "%s", e.msg);
		return 0;
	}
	const char *hint = suggest_closest(section, sections, sizeof(sections) / sizeof(sections[0]));
	if (!section[0])
		snprintf(x->err.msg, sizeof(x->err.msg),
			 "'%s' is outside any section; put it under [budgets]", name);
	else if (hint)
		snprintf(x->err.msg, sizeof(x->err.msg), "unknown section [%s] (did you mean [%s]?)",
			 section, hint);
	else
		snprintf(x->err.msg, sizeof(x->err.msg), "unknown section [%s]; known: [budgets]", section);
	return 0;
}

static int finish(struct ini_ctx *x, int rc, const char *name, struct perr *e)
{
	if (rc == 0)
		return 0;
	if (rc == -1)
		return perr_set(e, "cannot read config file '%s': %s", name, strerror(errno));
	if (rc == -2)
		return perr_set(e, "config file '%s': out of memory", name);
	if (x->err.msg[0] && x->err_line == rc)
		return perr_set(e, "%s:%d: %s", name, rc, x->err.msg);
	return perr_set(e, "%s:%d: syntax error: expected [section], NAME = VALUE or a ; comment", name, rc);
}

void config_init(struct config *c)
{
	budgets_defaults(&c->budgets);
	c->path[0] = '\0';
}

int config_load_file(struct config *c, const char *path, struct perr *e)
{
	struct ini_ctx x = {.c = c};
	errno = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return perr_set(e, "cannot read config file '%s': %s", path, strerror(errno));
	x.fp = f;
	int rc = ini_parse_stream(reader, &x, on_entry, &x);
	fclose(f);
	if (finish(&x, rc, path, e))
		return -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 0;
}

int config_load_string(struct config *c, const char *text, const char *name, struct perr *e)
{
	struct ini_ctx x = {.c = c, .text = text};
	return finish(&x, ini_parse_stream(reader, &x, on_entry, &x), name, e);
}

int config_load_default(struct config *c, const char *dir, struct perr *e)
{
	char path[4096];
	if (dir) {
		int n = snprintf(path, sizeof(path), "%s/perfagent.ini", dir);
		if (n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0)
			return config_load_file(c, path, e);
	}
	if (access("perfagent.ini", F_OK) == 0)
		return config_load_file(c, "perfagent.ini", e);
	return 0;
}
