/*
 * cli: option parsing and help generation from option tables.
 */
#include "cli.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;
	while (o && o[n].name)
		n++;
	return n;
}

static void push(struct cli_val *v, const char *s)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(*v->v));
	v->v[v->n++] = s;
}

/* Find an option by long name (len bytes) or short letter in both tables. */
static struct cli_val *find(struct cli_args *a, const char *name, size_t len, char shortc,
			    const struct cli_opt **opt)
{
	const struct cli_opt *tables[2] = {a->spec->opts, a->common};
	struct cli_val *vals[2] = {a->cmd, a->shared};
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; tables[t] && tables[t][i].name; i++) {
			const struct cli_opt *o = &tables[t][i];
			if ((name && strlen(o->name) == len && strncmp(o->name, name, len) == 0) ||
			    (!name && shortc && o->shortc == shortc)) {
				*opt = o;
				return &vals[t][i];
			}
		}
	}
	return NULL;
}

static int unknown(struct cli_args *a, const char *arg, size_t len, struct perr *e)
{
	const char *names[128];
	char spelled[128][40];
	size_t n = 0;
	const struct cli_opt *tables[2] = {a->spec->opts, a->common};
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; tables[t] && tables[t][i].name && n < 128; i++) {
			snprintf(spelled[n], sizeof(spelled[n]), "--%s", tables[t][i].name);
			names[n] = spelled[n];
			n++;
		}
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(len < 60 ? len : 60), arg);
	const char *hint = suggest_closest(word, names, n);
	if (hint)
		return perr_set(e, "unknown option '%s' (did you mean '%s'?)", word, hint);
	return perr_set(e, "unknown option '%s'; see 'perfagent %s -h'", word, a->spec->name);
}

static int is_option(const char *s)
{
	return s[0] == '-' && s[1] != '\0';
}

/* Is s "--name" or "--name=..." for an option of either table? Then it was
 * meant as an option, not as the previous option's value. */
static int names_option(struct cli_args *a, const char *s)
{
	const struct cli_opt *o;
	if (strncmp(s, "--", 2) != 0 || !s[2])
		return 0;
	const char *eq = strchr(s + 2, '=');
	return find(a, s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2), 0, &o) != NULL;
}

int cli_parse(const struct cli_spec *spec, const struct cli_opt *common, int argc, char **argv,
	      struct cli_args *a, struct perr *e)
{
	memset(a, 0, sizeof(*a));
	a->spec = spec;
	a->common = common;
	a->cmd = xcalloc(count_opts(spec->opts) + 1, sizeof(*a->cmd));
	a->shared = xcalloc(count_opts(common) + 1, sizeof(*a->shared));
	a->pos = xcalloc((size_t)argc + 1, sizeof(*a->pos));

	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (only_pos || !is_option(arg)) {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		const struct cli_opt *o;
		struct cli_val *v;
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			v = find(a, name, len, 0, &o);
			if (!v)
				return unknown(a, arg, (size_t)(eq ? eq - arg : (long)strlen(arg)), e);
			if (o->kind == CLI_FLAG) {
				if (eq)
					return perr_set(e, "option '--%s' takes no value", o->name);
				push(v, "");
				continue;
			}
			if (eq) {
				push(v, eq + 1); /* --opt=value: exactly one value, MULTI too */
				continue;
			}
			if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0 ||
			    (o->kind == CLI_MULTI && is_option(argv[i + 1])))
				return perr_set(e, "option '--%s' needs a value (%s)", o->name, o->metavar);
			if (names_option(a, argv[i + 1]))
				return perr_set(e, "option '--%s' needs a value (%s), not the option '%s'", o->name,
						o->metavar, argv[i + 1]);
			push(v, argv[++i]);
			if (o->kind == CLI_MULTI)
				while (i + 1 < argc && !is_option(argv[i + 1]))
					push(v, argv[++i]);
			continue;
		}
		/* Short options, possibly bundled: -qh, -o FILE, -oFILE. */
		for (const char *p = arg + 1; *p; p++) {
			v = find(a, NULL, 0, *p, &o);
			if (!v) {
				if (p == arg + 1)
					return unknown(a, arg, strlen(arg), e);
				return perr_set(e, "unknown option '-%c' in '%s'", *p, arg);
			}
			if (o->kind == CLI_FLAG) {
				push(v, "");
				continue;
			}
			if (p[1]) {
				push(v, p + 1);
			} else if (i + 1 < argc) {
				push(v, argv[++i]);
			} else {
				return perr_set(e, "option '-%c' needs a value (%s)", *p, o->metavar);
			}
			break;
		}
	}
	if (cli_count(a, "help"))
		return 0;
	if ((int)a->npos < spec->min_args) {
		struct buf u = BUF_INIT;
		cli_usage(spec, &u);
		/* First line of the synopsis is enough to say what is missing. */
		const char *s = buf_str(&u);
		const char *nl = strchr(s, '\n');
		perr_set(e, "missing %s; %.*s", spec->args ? spec->args : "arguments",
			 (int)(nl ? nl - s : (long)strlen(s)), s);
		buf_free(&u);
		return -1;
	}
	if (spec->max_args >= 0 && (int)a->npos > spec->max_args)
		return perr_set(e, "unexpected argument '%s'; see 'perfagent %s -h'",
				a->pos[spec->max_args], spec->name);
	return 0;
}

void cli_args_free(struct cli_args *a)
{
	for (size_t i = 0; a->cmd && i < count_opts(a->spec->opts); i++)
		free(a->cmd[i].v);
	for (size_t i = 0; a->shared && i < count_opts(a->common); i++)
		free(a->shared[i].v);
	free(a->cmd);
	free(a->shared);
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

const struct cli_val *cli_get(const struct cli_args *a, const char *name)
{
	const struct cli_opt *o;
	return find((struct cli_args *)a, name, strlen(name), 0, &o);
}

const char *cli_str(const struct cli_args *a, const char *name)
{
	const struct cli_val *v = cli_get(a, name);
	return v && v->n ? v->v[v->n - 1] : NULL;
}

size_t cli_count(const struct cli_args *a, const char *name)
{
	const struct cli_val *v = cli_get(a, name);
	return v ? v->n : 0;
}

static void opt_synopsis(const struct cli_opt *o, struct buf *out)
{
	switch (o->kind) {
	case CLI_FLAG:
		buf_printf(out, "[--%s]", o->name);
		break;
	case CLI_VALUE:
		buf_printf(out, "[--%s %s]", o->name, o->metavar);
		break;
	case CLI_REPEAT:
		buf_printf(out, "[--%s %s]...", o->name, o->metavar);
		break;
	case CLI_MULTI:
		buf_printf(out, "[--%s %s...]", o->name, o->metavar);
		break;
	}
}

/*
 * Words are appended with wrapping at 79 columns; continuation lines are
 * indented under the first argument so the synopsis reads as one command.
 */
static void wrap_word(struct buf *out, const char *word, size_t indent, size_t *col)
{
	size_t len = strlen(word);
	if (*col + 1 + len > 79 && *col > indent) {
		buf_putc(out, '\n');
		for (size_t i = 0; i < indent; i++)
			buf_putc(out, ' ');
		*col = indent;
	} else {
		buf_putc(out, ' ');
		(*col)++;
	}
	buf_puts(out, word);
	*col += len;
}

void cli_usage(const struct cli_spec *spec, struct buf *out)
{
	size_t start = out->len;
	buf_printf(out, "usage: perfagent %s", spec->name);
	size_t col = out->len - start;
	size_t indent = col + 1;
	if (spec->args)
		wrap_word(out, spec->args, indent, &col);
	for (size_t i = 0; spec->opts && spec->opts[i].name; i++) {
		struct buf w = BUF_INIT;
		opt_synopsis(&spec->opts[i], &w);
		wrap_word(out, buf_str(&w), indent, &col);
		buf_free(&w);
	}
	wrap_word(out, "[common options]", indent, &col);
	buf_putc(out, '\n');
}

/* Help text wrapped at 79 columns, continuation lines under the first. */
static void wrap_help(struct buf *out, const char *text, size_t indent)
{
	size_t col = indent;
	const char *p = text;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (col > indent && col + 1 + len > 79) {
			buf_putc(out, '\n');
			for (size_t i = 0; i < indent; i++)
				buf_putc(out, ' ');
			col = indent;
		} else if (col > indent) {
			buf_putc(out, ' ');
			col++;
		}
		buf_put(out, p, len);
		col += len;
		p += len;
		while (*p == ' ')
			p++;
	}
	buf_putc(out, '\n');
}

static void opt_help_lines(const struct cli_opt *opts, struct buf *out)
{
	enum { LEFT = 26 };
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct cli_opt *o = &opts[i];
		struct buf left = BUF_INIT;
		if (o->shortc)
			buf_printf(&left, "-%c, ", o->shortc);
		buf_printf(&left, "--%s", o->name);
		if (o->metavar)
			buf_printf(&left, " %s%s", o->metavar, o->kind == CLI_MULTI ? "..." : "");
		if (left.len < LEFT)
			buf_printf(out, "  %-*s ", LEFT, buf_str(&left));
		else
			buf_printf(out, "  %s\n  %-*s ", buf_str(&left), LEFT, "");
		wrap_help(out, o->help, LEFT + 3);
		buf_free(&left);
	}
}

void cli_help(const struct cli_spec *spec, const struct cli_opt *common, struct buf *out)
{
	cli_usage(spec, out);
	buf_printf(out, "\n%s\n", spec->summary);
	if (spec->status)
		buf_printf(out, "\nStatus: %s.\n", spec->status);
	if (spec->description)
		buf_printf(out, "\n%s\n", spec->description);
	if (spec->opts && spec->opts[0].name) {
		buf_puts(out, "\nOptions:\n");
		opt_help_lines(spec->opts, out);
	}
	buf_puts(out, "\nCommon options:\n");
	opt_help_lines(common, out);
	buf_printf(out, "\nMore: docs/%s.md\n", spec->name);
}
