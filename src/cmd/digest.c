/*
 * digest: `perfagent digest LOG...` — query logs and access logs digested:
 * queries grouped by pt-query-digest's fingerprints and ranked, N+1
 * patterns, cacheable statements, slow endpoints; findings against the
 * database and API budgets. The work is src/digest/.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../digest/detect.h"
#include "../digest/run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt digest_opts[] = {
	{"type", 0, CLI_VALUE, "TYPE", "the log format when detection is not enough: slowlog, genlog, pglog, pgcsv, access, slow-lines"},
	{"order-by", 0, CLI_VALUE, "KEY", "rank queries by total (default), count, avg, p95 or rows_examined"},
	{"limit", 0, CLI_VALUE, "N", "show the top N query classes (default: 20; 0: all)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_digest_spec = {
	.name = "digest",
	.summary = "Digest query logs and access logs: ranking, N+1, cacheable queries.",
	.args = "LOG...",
	.min_args = 1,
	.max_args = -1,
	.opts = digest_opts,
	.description =
		"Reads MySQL/MariaDB slow and general logs, PostgreSQL logs (stderr with\n"
		"log_min_duration_statement, or csvlog) and web access logs (nginx/Apache with the\n"
		"request time, gunicorn, the seed's SLOW: lines); gzip files too, and '-' for\n"
		"stdin. The format is detected per file. Queries are grouped by the fingerprints\n"
		"pt-query-digest uses, with the same query IDs, and ranked; N+1 patterns (a run of\n"
		"one query per row after a parent query, per connection) and cacheable statements\n"
		"(the same text repeated) are found; requests are grouped by endpoint.",
};

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	dg_print_human(r, out);
}

int cmd_digest(struct cmd_ctx *ctx)
{
	enum dg_format forced = DG_UNKNOWN;
	const char *v;
	if ((v = cli_str(&ctx->args, "type")) && detect_parse_name(v, &forced)) {
		cmd_error(ctx, "--type '%s': expected slowlog, genlog, pglog, pgcsv, access or slow-lines", v);
		return EXIT_USAGE;
	}
	enum dg_order order = DG_BY_TOTAL;
	if ((v = cli_str(&ctx->args, "order-by"))) {
		static const struct {
			const char *name;
			enum dg_order o;
		} orders[] = {{"total", DG_BY_TOTAL}, {"count", DG_BY_COUNT}, {"avg", DG_BY_AVG},
			      {"p95", DG_BY_P95}, {"rows_examined", DG_BY_ROWS_EXAMINED}};
		size_t i;
		for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
			if (strcmp(v, orders[i].name) == 0)
				break;
		if (i == sizeof(orders) / sizeof(orders[0])) {
			cmd_error(ctx, "--order-by '%s': expected total, count, avg, p95 or rows_examined", v);
			return EXIT_USAGE;
		}
		order = orders[i].o;
	}
	long limit = 20;
	if ((v = cli_str(&ctx->args, "limit")) && cmd_parse_long(v, 0, 1000000, &limit)) {
		cmd_error(ctx, "--limit '%s': expected a number, 0 for all", v);
		return EXIT_USAGE;
	}
	int64_t t0 = clock_mono_ns();
	struct dg_opts o = {.budgets = &ctx->config.budgets, .nplus1_min = 5, .cache_min = 10, .cache_window_s = 60};
	struct digest d;
	dg_init(&d, &o);
	struct pa_result *r = result_new("digest");
	json_t *files = json_array(), *finfo = json_array();
	int bad = 0;
	int64_t garbled = 0;
	int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (size_t i = 0; i < ctx->args.npos; i++) {
		const char *path = ctx->args.pos[i];
		struct dgrun_file info;
		struct perr e;
		json_array_append_new(files, jsonx_string(path));
		if (dgrun_file(&d, path, forced, threads, &ctx->progress, &info, &e)) {
			cmd_error(ctx, "%s", e.msg);
			bad = 1;
			continue;
		}
		json_t *fi = json_object();
		json_object_set_new(fi, "path", jsonx_string(path));
		json_object_set_new(fi, "format", json_string(detect_name(info.format)));
		json_object_set_new(fi, "events", json_integer(info.events));
		json_object_set_new(fi, "garbled", json_integer(info.garbled));
		json_object_set_new(fi, "bytes", json_integer(info.bytes));
		json_array_append_new(finfo, fi);
		garbled += info.garbled;
		if (info.garbled)
			cmd_note(ctx, "'%s': %lld garbled or truncated event%s skipped", path, (long long)info.garbled,
				 info.garbled == 1 ? "" : "s");
	}
	progress_clear(&ctx->progress);
	json_object_set_new(r->target, "files", files);
	dg_build_result(&d, order, (size_t)limit, r);
	json_object_set_new(r->metrics, "files", finfo);
	json_object_set_new(r->metrics, "garbled_events", json_integer(garbled));
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	dg_free(&d);
	int rc = cmd_emit(ctx, r, human);
	result_free(r);
	if (bad && rc == EXIT_DONE)
		rc = EXIT_CANNOT_RUN;
	return rc;
}
