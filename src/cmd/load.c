/*
 * load: `perfagent load URL` — an HTTP load test in stages (the seed's 10,
 * 50, 100 and 200 concurrent users by default, or an open-model rate), with
 * the seed's Load Test Results table, the saturation point and findings
 * against the API budget. The engine is src/http/engine.c; the analysis and
 * result, src/http/loadtest.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/units.h"
#include "../core/url.h"
#include "../http/loadtest.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cli_opt load_opts[] = {
	{"concurrency", 'c', CLI_VALUE, "LIST", "concurrent connections per stage (default: 10,50,100,200); with --rate, the number of connections"},
	{"rate", 0, CLI_VALUE, "LIST", "open model: requests per second per stage, e.g. 100,200,400"},
	{"duration", 0, CLI_VALUE, "SECONDS", "length of each stage (default: 10); units allowed: 500ms, 2min"},
	{"requests", 0, CLI_VALUE, "N", "end a stage after N requests (or at --duration, whichever is first)"},
	{"warmup", 0, CLI_VALUE, "SECONDS", "left out of the statistics at the start of each stage (default: 0)"},
	{"threads", 't', CLI_VALUE, "N", "generator threads (default: the number of cores)"},
	{"timeout", 0, CLI_VALUE, "SECONDS", "abort a request after SECONDS and count it (default: 10)"},
	{"method", 'm', CLI_VALUE, "METHOD", "HTTP method (default: GET)"},
	{"header", 'H', CLI_REPEAT, "'NAME: VALUE'", "add a request header"},
	{"data", 'd', CLI_VALUE, "BODY|@FILE", "request body, or @FILE to read it from a file"},
	{"insecure", 0, CLI_FLAG, NULL, "do not verify TLS certificates"},
	{"hdr-out", 0, CLI_VALUE, "FILE", "write the full latency percentile spectrum of each stage"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_load_spec = {
	.name = "load",
	.summary = "HTTP load test: stages, rate, saturation point, percentiles.",
	.args = "URL",
	.min_args = 1,
	.max_args = 1,
	.opts = load_opts,
	.description =
		"Closed model by default: each of -c connections sends its next request when the\n"
		"last one is answered, for --duration per stage (the seed's 10, 50, 100 and 200\n"
		"concurrent users). Open model with --rate: requests leave on a fixed schedule\n"
		"and latency is measured from the scheduled time, so a stalled server shows its\n"
		"stall (coordinated omission corrected, as wrk2 does); uncorrected numbers are\n"
		"reported too. The report names the saturation point, the highest stage within\n"
		"the API budget, the bottleneck and what to do about it. Ctrl-C stops and reports\n"
		"what was measured. Send load only to servers you run.",
};

/* "10,50,100" -> ints in 1..max; -1 on any bad item. */
static int parse_int_list(const char *s, long max, int **out, size_t *n)
{
	char *copy = strdup(s), *save = NULL;
	*out = NULL;
	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		if (cmd_parse_long(tok, 1, max, &v) || *n >= 64) {
			free(copy);
			free(*out);
			*out = NULL;
			return -1;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (int)v;
	}
	free(copy);
	return *n ? 0 : -1;
}

static int parse_rate_list(const char *s, double **out, size_t *n)
{
	char *copy = strdup(s), *save = NULL;
	*out = NULL;
	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		double v = strtod(tok, &end);
		if (end == tok || *end || !(v > 0) || v > 10e6 || *n >= 64) {
			free(copy);
			free(*out);
			*out = NULL;
			return -1;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = v;
	}
	free(copy);
	return *n ? 0 : -1;
}

/* -d BODY or -d @FILE. The file is read whole (at most 64 MB). */
static int read_body(struct cmd_ctx *ctx, const char *arg, char **body, size_t *len)
{
	if (arg[0] != '@') {
		*body = xstrdup(arg);
		*len = strlen(arg);
		return 0;
	}
	const char *path = arg + 1;
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f || fstat(fileno(f), &st) != 0) {
		cmd_error(ctx, "cannot read body file '%s': %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (st.st_size > 64 * 1024 * 1024) {
		cmd_error(ctx, "body file '%s' is over 64 MB", path);
		fclose(f);
		return -1;
	}
	*body = xmalloc((size_t)st.st_size + 1);
	*len = fread(*body, 1, (size_t)st.st_size, f);
	fclose(f);
	return 0;
}

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	lt_print_human(r, out);
}

int cmd_load(struct cmd_ctx *ctx)
{
	struct perr e;
	struct url u;
	const char *url_text = ctx->args.pos[0];
	if (url_parse(url_text, &u, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_USAGE;
	}
	int *conc = NULL;
	double *rates = NULL;
	size_t nconc = 0, nrates = 0;
	const char *rate_arg = cli_str(&ctx->args, "rate");
	const char *conc_arg = cli_str(&ctx->args, "concurrency");
	int rc = EXIT_USAGE;
	char *body = NULL;
	size_t body_len = 0;
	struct eng_target target = {0};
	struct pa_result *r = NULL;
	int open_conns = 0;

	if (rate_arg && parse_rate_list(rate_arg, &rates, &nrates)) {
		cmd_error(ctx, "--rate '%s': expected requests per second, e.g. 100 or 100,200,400", rate_arg);
		goto out;
	}
	if (parse_int_list(conc_arg ? conc_arg : "10,50,100,200", 100000, &conc, &nconc)) {
		cmd_error(ctx, "--concurrency '%s': expected connection counts from 1 to 100000, e.g. 10,50,100,200",
			  conc_arg);
		goto out;
	}
	if (rates) {
		if (conc_arg && nconc != 1) {
			cmd_error(ctx, "with --rate, -c is one number: the connections that carry the schedule");
			goto out;
		}
		open_conns = conc_arg ? conc[0] : 0;
	}
	double duration = 10, warmup = 0, timeout = 10;
	long requests = 0, threads = sysconf(_SC_NPROCESSORS_ONLN);
	const char *v;
	if ((v = cli_str(&ctx->args, "duration")) && (unit_parse_seconds(v, &duration) || duration <= 0 || duration > 86400)) {
		cmd_error(ctx, "--duration '%s': expected seconds, e.g. 10, 30s or 2min", v);
		goto out;
	}
	if ((v = cli_str(&ctx->args, "warmup")) && (unit_parse_seconds(v, &warmup) || warmup >= duration)) {
		cmd_error(ctx, "--warmup '%s': expected seconds shorter than --duration", v);
		goto out;
	}
	if ((v = cli_str(&ctx->args, "timeout")) && (unit_parse_seconds(v, &timeout) || timeout <= 0)) {
		cmd_error(ctx, "--timeout '%s': expected seconds, e.g. 10 or 500ms", v);
		goto out;
	}
	if ((v = cli_str(&ctx->args, "requests")) && cmd_parse_long(v, 1, 1000000000000L, &requests)) {
		cmd_error(ctx, "--requests '%s': expected a positive number", v);
		goto out;
	}
	if ((v = cli_str(&ctx->args, "threads")) && cmd_parse_long(v, 1, 1024, &threads)) {
		cmd_error(ctx, "--threads '%s': expected 1 to 1024", v);
		goto out;
	}
	if (threads < 1)
		threads = 1;
	const char *data = cli_str(&ctx->args, "data");
	if (data && read_body(ctx, data, &body, &body_len)) {
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	const char *method = cli_str(&ctx->args, "method");
	if (!method)
		method = body ? "POST" : "GET";
	const struct cli_val *hv = cli_get(&ctx->args, "header");
	if (eng_target_init(&target, &u, method, hv->v, hv->n, body, body_len,
			    cli_count(&ctx->args, "insecure") > 0, &e)) {
		cmd_error(ctx, "%s", e.msg);
		rc = strncmp(e.msg, "cannot resolve", 14) == 0 ? EXIT_CANNOT_RUN : EXIT_USAGE;
		goto out;
	}

	volatile sig_atomic_t *interrupted = cmd_catch_interrupt();
	struct lt_opts o = {
		.target = &target,
		.method = method,
		.conc = conc,
		.nconc = nconc,
		.rates = rates,
		.nrates = nrates,
		.open_conns = open_conns,
		.duration_s = duration,
		.warmup_s = warmup,
		.requests = requests,
		.timeout_s = timeout,
		.threads = (int)threads,
		.budgets = &ctx->config.budgets,
		.hdr_out = cli_str(&ctx->args, "hdr-out"),
		.stop = interrupted,
		.progress = &ctx->progress,
	};
	int lrc = lt_run(&o, &r, &e);
	if (lrc < 0) {
		cmd_error(ctx, "%s", e.msg);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	if (lrc > 0)
		cmd_error(ctx, "%s", e.msg);
	rc = cmd_emit(ctx, r, human);
	if (lrc > 0 && rc == EXIT_DONE)
		rc = EXIT_CANNOT_RUN;

	/* Nothing answered at all: the target is unreachable — say so plainly. */
	json_t *stages = json_object_get(r->metrics, "stages");
	int64_t answered = 0;
	size_t i;
	json_t *s;
	json_array_foreach(stages, i, s)
		answered += json_integer_value(json_object_get(s, "requests"));
	if (answered == 0 && !*interrupted) {
		const char *why = NULL;
		json_array_foreach(stages, i, s)
			if (!why)
				why = json_string_value(json_object_get(s, "first_error"));
		cmd_error(ctx, "no response from %s%s%s", target.addr_text, why ? ": " : "", why ? why : "");
		rc = EXIT_CANNOT_RUN;
	}
out:
	result_free(r);
	eng_target_free(&target);
	free(body);
	free(conc);
	free(rates);
	return rc;
}
