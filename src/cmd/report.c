/*
 * report: `perfagent report RESULT.json...` — results rendered as the
 * seed's Performance Audit Report, with before/after when given a baseline.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/clock.h"
#include "../report/report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_opt report_opts[] = {
	{"baseline", 0, CLI_MULTI, "BEFORE.json",
	 "results from before the change: adds Before and Improvement"},
	{"title", 0, CLI_VALUE, "TEXT", "the report's title (default: Performance Audit Report)"},
	{"scope", 0, CLI_VALUE, "TEXT", "the Scope line (default: the inputs' targets)"},
	{"date", 0, CLI_VALUE, "YYYY-MM-DD", "the Date line (default: the day of the newest input)"},
	{"format", 0, CLI_VALUE, "md|json|html", "output format (default: from -o's extension, else md)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_report_spec = {
	.name = "report",
	.summary = "Render results as the seed's performance audit report, with before/after.",
	.args = "RESULT.json...",
	.min_args = 1,
	.max_args = -1,
	.opts = report_opts,
	.description =
		"Reads result files written by any perfagent command (--json or -o FILE.json; \"-\"\n"
		"reads standard input) and writes one report: Date and Scope, the Summary table,\n"
		"Findings PERF-001... most severe first, Recommendations, Load Test Results and an\n"
		"appendix of inputs. With --baseline, the Summary shows Before, After and\n"
		"Improvement, and which findings were resolved or are new. Put result files before\n"
		"--baseline, or end the baseline list with --.\n"
		"\n"
		"A bad input file is named with what is wrong and exits 3; the report is still\n"
		"written from the good ones.",
};

static int load_all(struct cmd_ctx *ctx, const struct cli_val *files, struct pa_result ***out,
		    size_t *n)
{
	int bad = 0;
	*out = xcalloc(files && files->n ? files->n : 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; files && i < files->n; i++) {
		struct perr e;
		struct pa_result *r;
		if (result_load(files->v[i], &r, &e)) {
			cmd_error(ctx, "%s", e.msg);
			bad = 1;
			continue;
		}
		(*out)[(*n)++] = r;
	}
	return bad;
}

static void free_all(struct pa_result **rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		result_free(rs[i]);
	free(rs);
}

static int valid_date(const char *s)
{
	int64_t t;
	char buf[40];
	if (strlen(s) != 10)
		return 0;
	snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
	return clock_parse_rfc3339(buf, &t) == 0;
}

static void render(const struct report *rep, const char *format, double elapsed, struct buf *out)
{
	if (strcmp(format, "json") == 0) {
		json_t *j = report_json(rep);
		json_object_set_new(j, "duration_s", json_real(elapsed));
		char *s = json_dumps(j, PA_JSON_FLAGS);
		if (!s)
			die_oom();
		buf_puts(out, s);
		buf_putc(out, '\n');
		free(s);
		json_decref(j);
		return;
	}
	struct doc *d = report_doc(rep);
	if (strcmp(format, "html") == 0)
		doc_render_html(d, out);
	else
		doc_render_md(d, out);
	doc_free(d);
}

int cmd_report(struct cmd_ctx *ctx)
{
	const char *format = cli_str(&ctx->args, "format");
	const char *date = cli_str(&ctx->args, "date");
	const char *title = cli_str(&ctx->args, "title"), *scope = cli_str(&ctx->args, "scope");
	if ((title && !*title) || (scope && !*scope)) {
		cmd_error(ctx, "--%s needs a non-empty text", title && !*title ? "title" : "scope");
		return EXIT_USAGE;
	}
	/* Standard input can be read once. */
	int stdins = 0;
	for (size_t i = 0; i < ctx->args.npos; i++)
		stdins += strcmp(ctx->args.pos[i], "-") == 0;
	const struct cli_val *bl = cli_get(&ctx->args, "baseline");
	for (size_t i = 0; bl && i < bl->n; i++)
		stdins += strcmp(bl->v[i], "-") == 0;
	if (stdins > 1) {
		cmd_error(ctx, "'-' (standard input) can be given only once");
		return EXIT_USAGE;
	}
	if (format && strcmp(format, "md") && strcmp(format, "json") && strcmp(format, "html")) {
		cmd_error(ctx, "--format '%s': expected md, json or html", format);
		return EXIT_USAGE;
	}
	if (date && !valid_date(date)) {
		cmd_error(ctx, "--date '%s': expected a date like 2026-11-24", date);
		return EXIT_USAGE;
	}
	/* The file gets --format (else -o's extension); stdout gets JSON with
	 * --json, else --format (else Markdown) when no file was asked for. */
	const char *file_fmt = ctx->output ? (format ? format : ctx->out_fmt) : NULL;
	const char *stdout_fmt = ctx->json ? "json" : ctx->output ? NULL : format ? format : "md";
	if (ctx->output && !file_fmt) {
		cmd_error(ctx, "cannot tell the format of '%s' from its extension; use .json, .md or .html, or --format",
			  ctx->output);
		return EXIT_USAGE;
	}
	if (ctx->json && format && !ctx->output && strcmp(format, "json") != 0) {
		cmd_error(ctx, "--json asks for JSON but --format is '%s'; give one of them", format);
		return EXIT_USAGE;
	}

	int64_t t0 = clock_mono_ns();
	struct cli_val pos = {ctx->args.pos, ctx->args.npos};
	struct pa_result **after, **before;
	size_t nafter, nbefore;
	int bad = load_all(ctx, &pos, &after, &nafter);
	bad |= load_all(ctx, cli_get(&ctx->args, "baseline"), &before, &nbefore);
	if (nafter == 0) {
		free_all(after, nafter);
		free_all(before, nbefore);
		return EXIT_CANNOT_RUN;
	}

	struct report_opts o = {
		.title = title,
		.scope = scope,
		.date = date,
	};
	struct report rep;
	report_build(&rep, after, nafter, before, nbefore, &o);
	double elapsed = clock_elapsed_s(t0, clock_mono_ns());
	int rc = EXIT_DONE;
	if (file_fmt) {
		struct buf out = BUF_INIT;
		render(&rep, file_fmt, elapsed, &out);
		rc = cmd_write(ctx, ctx->output, buf_str(&out), out.len);
		if (rc == EXIT_DONE)
			cmd_note(ctx, "wrote %s (%zu finding%s)", ctx->output, rep.nitems,
				 rep.nitems == 1 ? "" : "s");
		buf_free(&out);
	}
	if (rc == EXIT_DONE && stdout_fmt) {
		struct buf out = BUF_INIT;
		render(&rep, stdout_fmt, elapsed, &out);
		rc = cmd_write(ctx, NULL, buf_str(&out), out.len);
		buf_free(&out);
	}
	report_free(&rep);
	if (rc == EXIT_DONE)
		rc = bad ? EXIT_CANNOT_RUN : cmd_fail_on(ctx, after, nafter);
	free_all(after, nafter);
	free_all(before, nbefore);
	return rc;
}
