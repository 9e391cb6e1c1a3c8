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
#include <stdlib.h>
#include <sys/stat.h>
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
	int long_line;    /* the first line too long for inih, or 0 */
	FILE *fp;         /* source: a file ... */
	const char *text; /* ... or a string */
	char *lbuf;       /* the current line of a file */
	size_t lcap;
};

/*
 * Hand inih one whole line at a time, counting lines. A line longer than
 * inih's buffer (about 200 bytes, fixed when Debian built it) would be cut
 * and its tail parsed as a line of its own; instead it is noted, an empty
 * line goes to inih, and finish() reports it by number.
 */
static char *reader(char *str, int num, void *stream)
{
	struct ini_ctx *x = stream;
	const char *line;
	size_t len;
	if (num < 2)
		return NULL;
	if (x->fp) {
		ssize_t n = getline(&x->lbuf, &x->lcap, x->fp);
		if (n <= 0)
			return NULL;
		line = x->lbuf;
		len = (size_t)n;
	} else {
		if (!*x->text)
			return NULL;
		const char *nl = strchr(x->text, '\n');
		len = nl ? (size_t)(nl - x->text) + 1 : strlen(x->text);
		line = x->text;
		x->text += len;
	}
	x->line++;
	if (len > (size_t)num - 1) {
		if (!x->long_line)
			x->long_line = x->line;
		strcpy(str, "\n");
		return str;
	}
	memcpy(str, line, len);
	str[len] = '\0';
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
	if (x->long_line && (rc <= 0 || x->long_line < rc))
		return perr_set(e, "%s:%d: line longer than %d characters", name, x->long_line, ini_max_line - 2);
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

/* Parse into a copy; the settings change only when the whole file is good. */
static int load(struct config *c, FILE *fp, const char *text, const char *name, struct perr *e)
{
	struct config tmp = *c;
	struct ini_ctx x = {.c = &tmp, .fp = fp, .text = text};
	int rc = ini_parse_stream(reader, &x, on_entry, &x);
	int bad_read = fp && ferror(fp);
	free(x.lbuf);
	if (finish(&x, rc, name, e))
		return -1;
	if (bad_read)
		return perr_set(e, "cannot read config file '%s'", name);
	c->budgets = tmp.budgets;
	return 0;
}

int config_load_file(struct config *c, const char *path, struct perr *e)
{
	errno = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return perr_set(e, "cannot read config file '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
		fclose(f);
		return perr_set(e, "config file '%s' is a directory", path);
	}
	int rc = load(c, f, NULL, path, e);
	fclose(f);
	if (rc == 0)
		snprintf(c->path, sizeof(c->path), "%s", path);
	return rc;
}

int config_load_string(struct config *c, const char *text, const char *name, struct perr *e)
{
	return load(c, NULL, text, name, e);
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
