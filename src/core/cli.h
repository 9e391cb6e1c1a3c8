/*
 * cli: commands and their options described as data, and the one parser
 * that reads them.
 *
 * A command is a struct cli_spec: name, one-line summary, positional
 * arguments and an option table. The same table drives parsing, the
 * synopsis, `-h` and (later) the MCP tool schemas, so they cannot drift.
 * Parsing accepts GNU-style `--name value`, `--name=value`, `-o value`,
 * `-oVALUE`, bundled short flags (`-qh`), options anywhere among the
 * positionals, and `--` to end options. Errors are usage errors with a
 * "did you mean" for a misspelt option.
 */
#ifndef PA_CLI_H
#define PA_CLI_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum cli_kind {
	CLI_FLAG,   /* no value; counted */
	CLI_VALUE,  /* one value; the last one given wins */
	CLI_REPEAT, /* one value each time it is given; all kept */
	CLI_MULTI,  /* takes every following argument up to the next option */
};

struct cli_opt {
	const char *name; /* long name, without "--" */
	char shortc;      /* one-letter alias, or 0 */
	enum cli_kind kind;
	const char *metavar; /* "FILE"; NULL for flags */
	const char *help;
};

struct cli_spec {
	const char *name;    /* "report" */
	const char *summary; /* one line, shown in `perfagent help` */
	const char *args;    /* positional synopsis, "RESULT.json..."; NULL for none */
	int min_args;
	int max_args;               /* -1: unbounded */
	const struct cli_opt *opts; /* ends with {NULL}; may be NULL */
	const char *description;    /* shown in -h after the summary; may be NULL */
	const char *status;         /* NULL when built; else why not ("not built yet (issue 3)") */
};

/* The values given for one option: the flag count, or the values in order. */
struct cli_val {
	const char **v;
	size_t n;
};

struct cli_args {
	const struct cli_spec *spec;
	const struct cli_opt *common;
	struct cli_val *cmd;    /* one per spec->opts entry */
	struct cli_val *shared; /* one per common entry */
	const char **pos;
	size_t npos;
};

/*
 * Parse argv (argv[0] is the first argument after the command name) against
 * the command's options and the shared ones. Values point into argv. On a
 * usage error returns -1 with one line in e. When a flag named "help" is
 * given, parsing stops checking the positional count so `-h` always works.
 * Free with cli_args_free() in either case.
 */
int cli_parse(const struct cli_spec *spec, const struct cli_opt *common, int argc, char **argv,
	      struct cli_args *out, struct perr *e);
void cli_args_free(struct cli_args *a);

/* The values of the option called `name`, from the command's table or the
 * shared one; NULL when no such option exists. */
const struct cli_val *cli_get(const struct cli_args *a, const char *name);
/* The last value given for `name`, or NULL. */
const char *cli_str(const struct cli_args *a, const char *name);
/* How often the flag `name` was given. */
size_t cli_count(const struct cli_args *a, const char *name);

/* The synopsis: "usage: perfagent report RESULT.json... [--baseline FILE...] ...", wrapped. */
void cli_usage(const struct cli_spec *spec, struct buf *out);
/* The full help text for -h. */
void cli_help(const struct cli_spec *spec, const struct cli_opt *common, struct buf *out);

#endif
