/*
 * common: the shared flags, set-up and output of every command.
 */
#include "cmd.h"
#include "../core/fsutil.h"
#include "../report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cli_opt cmd_common_opts[] = {
	{"json", 0, CLI_FLAG, NULL, "print the result as JSON on stdout"},
	{"output", 'o', CLI_VALUE, "FILE", "write the result to FILE: .json, .md or .html"},
	{"fail-on", 0, CLI_VALUE, "SEVERITY",
	 "exit 1 when a finding is at or above SEVERITY (critical, high, medium, low, info)"},
	{"budget", 0, CLI_REPEAT, "NAME=TARGET:CRITICAL",
	 "override a budget, e.g. api_endpoint=200ms:1s (see 'perfagent help budgets')"},
	{"config", 0, CLI_VALUE, "FILE", "settings file (default: perfagent.ini in the project dir or the cwd)"},
	{"quiet", 'q', CLI_FLAG, NULL, "print only results and errors"},
	{"no-progress", 0, CLI_FLAG, NULL, "no progress on stderr (also off when stderr is not a terminal)"},
	{"help", 'h', CLI_FLAG, NULL, "show this help"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

__attribute__((format(printf, 2, 0))) static void say(const struct cmd_ctx *ctx, const char *fmt, va_list ap)
{
	fprintf(stderr, "perfagent %s: ", ctx->spec->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_error(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(ctx, fmt, ap);
	va_end(ap);
}

void cmd_note(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	if (ctx->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	say(ctx, fmt, ap);
	va_end(ap);
}

int cmd_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The one global a signal handler needs: set on Ctrl-C, read by engines. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

volatile sig_atomic_t *cmd_catch_interrupt(void)
{
	struct sigaction sa = {.sa_handler = on_interrupt, .sa_flags = SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return &interrupted;
}

static int has_option(const struct cli_spec *spec, const char *name)
{
	for (size_t i = 0; spec->opts && spec->opts[i].name; i++)
		if (strcmp(spec->opts[i].name, name) == 0)
			return 1;
	return 0;
}

int cmd_setup(struct cmd_ctx *ctx, const struct cli_spec *spec, int argc, char **argv, int *code)
{
	struct perr e;
	memset(ctx, 0, sizeof(*ctx));
	ctx->spec = spec;
	config_init(&ctx->config);
	*code = EXIT_USAGE;
	if (cli_parse(spec, cmd_common_opts, argc, argv, &ctx->args, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return -1;
	}
	if (cli_count(&ctx->args, "help"))
		return 0;

	ctx->json = cli_count(&ctx->args, "json") > 0;
	ctx->quiet = cli_count(&ctx->args, "quiet") > 0;
	ctx->output = cli_str(&ctx->args, "output");
	if (ctx->output) {
		const char *ext = fs_extension(ctx->output);
		if (strcmp(ext, "json") == 0 || strcmp(ext, "md") == 0 || strcmp(ext, "html") == 0) {
			ctx->out_fmt = ext;
		} else if (!has_option(spec, "format")) {
			/* A command with --format decides for itself (report -o out.txt --format md). */
			cmd_error(ctx, "cannot tell the format of '%s' from its extension; use .json, .md or .html",
				  ctx->output);
			return -1;
		}
	}
	const char *fail = cli_str(&ctx->args, "fail-on");
	if (fail) {
		if (severity_parse(fail, &ctx->fail_on)) {
			cmd_error(ctx, "--fail-on '%s': expected critical, high, medium, low or info", fail);
			return -1;
		}
		ctx->fail_on_set = 1;
	}
	if (has_option(spec, "dir"))
		ctx->project_dir = cli_str(&ctx->args, "dir");

	/* Config first, then --budget on top of it: the command line wins. */
	const char *cfg = cli_str(&ctx->args, "config");
	int rc = cfg ? config_load_file(&ctx->config, cfg, &e)
		     : config_load_default(&ctx->config, ctx->project_dir, &e);
	if (rc) {
		cmd_error(ctx, "%s", e.msg);
		*code = EXIT_CANNOT_RUN;
		return -1;
	}
	const struct cli_val *budgets = cli_get(&ctx->args, "budget");
	for (size_t i = 0; budgets && i < budgets->n; i++) {
		if (budgets_override(&ctx->config.budgets, budgets->v[i], &e)) {
			cmd_error(ctx, "%s", e.msg);
			return -1;
		}
	}
	progress_init(&ctx->progress, stderr,
		      progress_wanted(ctx->quiet, cli_count(&ctx->args, "no-progress") > 0, STDERR_FILENO));
	*code = EXIT_DONE;
	return 0;
}

void cmd_teardown(struct cmd_ctx *ctx)
{
	progress_clear(&ctx->progress);
	cli_args_free(&ctx->args);
}

int cmd_fail_on(const struct cmd_ctx *ctx, struct pa_result *const *rs, size_t n)
{
	if (!ctx->fail_on_set)
		return EXIT_DONE;
	for (size_t i = 0; i < n; i++) {
		int any;
		enum pa_severity max = result_max_severity(rs[i], &any);
		if (any && max >= ctx->fail_on)
			return EXIT_FINDINGS;
	}
	return EXIT_DONE;
}

int cmd_write(const struct cmd_ctx *ctx, const char *path, const char *text, size_t len)
{
	struct perr e;
	if (!path) {
		/* A failed write shows in ferror(stdout); main() reports it once. */
		fwrite(text, 1, len, stdout);
		return EXIT_DONE;
	}
	if (fs_write_atomic(path, text, len, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	return EXIT_DONE;
}

int cmd_emit(struct cmd_ctx *ctx, struct pa_result *r, cmd_human_fn human)
{
	progress_clear(&ctx->progress);
	if (ctx->json) {
		char *s = result_dumps(r);
		int rc = cmd_write(ctx, NULL, s, strlen(s));
		free(s);
		if (rc)
			return rc;
	} else if (human) {
		human(ctx, r, stdout);
	}
	if (ctx->output) {
		struct buf out = BUF_INIT;
		const char *fmt = ctx->out_fmt ? ctx->out_fmt : "json";
		if (strcmp(fmt, "json") == 0) {
			char *s = result_dumps(r);
			buf_puts(&out, s);
			free(s);
		} else {
			struct report rep;
			report_build(&rep, &r, 1, NULL, 0, NULL);
			struct doc *d = report_doc(&rep);
			if (strcmp(fmt, "html") == 0)
				doc_render_html(d, &out);
			else
				doc_render_md(d, &out);
			doc_free(d);
			report_free(&rep);
		}
		int rc = cmd_write(ctx, ctx->output, buf_str(&out), out.len);
		buf_free(&out);
		if (rc)
			return rc;
		cmd_note(ctx, "wrote %s", ctx->output);
	}
	return cmd_fail_on(ctx, &r, 1);
}
