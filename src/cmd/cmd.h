/*
 * cmd: what every command shares — the flags parsed in one place, the
 * budgets in force, error printing, and writing a result out in the format
 * the user asked for. A command file is thin: its option table, then
 * flags in, library call, result out.
 *
 * Exit codes (DESIGN.md): 0 done; 1 a finding reached --fail-on; 2 usage
 * error; 3 could not run (target unreachable, bad input file, missing
 * dependency).
 */
#ifndef PA_CMD_H
#define PA_CMD_H

#include <signal.h>
#include <stdio.h>

#include "../core/cli.h"
#include "../core/config.h"
#include "../core/progress.h"
#include "../core/result.h"

enum {
	EXIT_DONE = 0,
	EXIT_FINDINGS = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT_RUN = 3,
};

struct cmd_ctx {
	const struct cli_spec *spec;
	struct cli_args args;
	int json;             /* --json */
	const char *output;   /* -o FILE, or NULL */
	const char *out_fmt;  /* "json", "md" or "html" from -o's extension; NULL: the command's --format says */
	int fail_on_set;
	enum pa_severity fail_on;
	int quiet;            /* -q */
	struct progress progress;
	struct config config; /* budgets in force */
	const char *project_dir; /* --dir when the command has it, else NULL */
};

/* The flags every command takes, in help order. */
extern const struct cli_opt cmd_common_opts[];

/* A command's entry point: the parsed context in, an exit code out. */
typedef int (*cmd_fn)(struct cmd_ctx *ctx);

/*
 * Parse argv for spec and apply the shared flags: --fail-on, --budget,
 * --config (or the default perfagent.ini), -o's format, progress. Returns
 * -1 after printing the error, with *code set to the exit code (2 for
 * usage, 3 for an unreadable config); 0 when the command should run.
 * `-h` is not handled here: check cli_count(&ctx->args, "help").
 */
int cmd_setup(struct cmd_ctx *ctx, const struct cli_spec *spec, int argc, char **argv, int *code);
void cmd_teardown(struct cmd_ctx *ctx);

/*
 * Parse a whole decimal integer in [min, max]; 0 on success, -1 for
 * anything else (junk, overflow, out of range).
 */
int cmd_parse_long(const char *s, long min, long max, long *out);

/*
 * Catch Ctrl-C and SIGTERM for a measuring command: the first sets the
 * returned flag (the engine stops and the command reports what it has);
 * a second one kills as usual. Also ignores SIGPIPE, so a peer that closes
 * a socket is an error to count, not a death.
 */
volatile sig_atomic_t *cmd_catch_interrupt(void);

/* "perfagent NAME: message" on stderr. */
void cmd_error(const struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, unless -q. */
void cmd_note(const struct cmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* EXIT_FINDINGS when a finding of these results reaches --fail-on, else EXIT_DONE. */
int cmd_fail_on(const struct cmd_ctx *ctx, struct pa_result *const *rs, size_t n);

/*
 * Write text to path atomically (0, or EXIT_CANNOT_RUN after printing why),
 * or to stdout when path is NULL (a failed write there is caught and
 * reported once by main() when the command returns).
 */
int cmd_write(const struct cmd_ctx *ctx, const char *path, const char *text, size_t len);

/*
 * Emit one command's result the way the user asked: --json prints JSON on
 * stdout, otherwise `human` prints the command's own view; -o FILE also
 * writes the result as .json, or as a .md/.html report of this one result.
 * Returns the exit code: EXIT_CANNOT_RUN on a write failure, else the
 * --fail-on verdict.
 */
typedef void (*cmd_human_fn)(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out);
int cmd_emit(struct cmd_ctx *ctx, struct pa_result *r, cmd_human_fn human);

#endif
