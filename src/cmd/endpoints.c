/*
 * endpoints: `perfagent endpoints BASE_URL --routes FILE` — every route
 * measured alone and under a short burst, classified against the API
 * budget, large payloads flagged. The measuring is src/http/sweep.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/units.h"
#include "../http/sweep.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt endpoints_opts[] = {
	{"routes", 0, CLI_VALUE, "FILE", "routes, one 'METHOD /path' (or '/path') per line; - reads stdin"},
	{"dir", 0, CLI_VALUE, "DIR", "read the routes from the project (needs perfagent context)"},
	{"param", 0, CLI_REPEAT, "NAME=VALUE", "a value for a path parameter: /users/<int:id> with --param id=1"},
	{"requests", 0, CLI_VALUE, "N", "sequential requests per endpoint (default: 20)"},
	{"burst", 0, CLI_VALUE, "N", "concurrent connections of the burst after them (default: 10; 0: none)"},
	{"timeout", 0, CLI_VALUE, "SECONDS", "abort a request after SECONDS (default: 10)"},
	{"max-payload", 0, CLI_VALUE, "SIZE", "flag responses larger than SIZE (default: 1MB)"},
	{"header", 'H', CLI_REPEAT, "'NAME: VALUE'", "add a request header (a cookie, a token)"},
	{"insecure", 0, CLI_FLAG, NULL, "do not verify TLS certificates"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_endpoints_spec = {
	.name = "endpoints",
	.summary = "Per-endpoint latency sweep against the API budget.",
	.args = "BASE_URL",
	.min_args = 1,
	.max_args = 1,
	.opts = endpoints_opts,
	.description =
		"For each route: --requests sequential requests (what one user sees), then a burst\n"
		"of --burst concurrent connections sending 5 requests each (what a little\n"
		"contention does). Per route: p50, p95 and max, the status, the response size,\n"
		"and the budget class of its p95. Routes with parameters need --param values or\n"
		"are listed as skipped. Send requests only to servers you run.",
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	sweep_print_human(r, out);
}

static char *read_all(FILE *f, size_t max)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_put(&b, chunk, n);
		if (b.len > max) {
			buf_free(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int positive(const char *s, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_endpoints(struct cmd_ctx *ctx)
{
	struct perr e;
	struct url base;
	if (url_parse(ctx->args.pos[0], &base, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_USAGE;
	}
	const char *routes_file = cli_str(&ctx->args, "routes");
	if (ctx->project_dir && !routes_file) {
		cmd_error(ctx, "--dir reads routes with 'perfagent context', which is not built yet (issue 6); "
			       "list them in a file and pass --routes FILE");
		return EXIT_USAGE;
	}
	if (!routes_file) {
		cmd_error(ctx, "no routes: pass --routes FILE (one 'METHOD /path' per line)");
		return EXIT_USAGE;
	}
	long sequential = 20, burst = 10;
	double timeout = 10, max_mb = 1;
	const char *v;
	if ((v = cli_str(&ctx->args, "requests")) && (positive(v, 100000, &sequential) || sequential < 1)) {
		cmd_error(ctx, "--requests '%s': expected 1 to 100000", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "burst")) && positive(v, 10000, &burst)) {
		cmd_error(ctx, "--burst '%s': expected 0 to 10000 connections", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "timeout")) && (unit_parse_seconds(v, &timeout) || timeout <= 0)) {
		cmd_error(ctx, "--timeout '%s': expected seconds, e.g. 10 or 500ms", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "max-payload")) && (unit_parse(UNIT_MB, v, &max_mb) || max_mb <= 0)) {
		cmd_error(ctx, "--max-payload '%s': expected a size, e.g. 1MB or 500KB", v);
		return EXIT_USAGE;
	}
	const struct cli_val *pv = cli_get(&ctx->args, "param");
	struct sweep_param *params = xcalloc(pv->n ? pv->n : 1, sizeof(*params));
	char **copies = xcalloc(pv->n ? pv->n : 1, sizeof(*copies));
	int rc = EXIT_USAGE;
	struct route *routes = NULL;
	size_t nroutes = 0;
	char *text = NULL;
	struct pa_result *r = NULL;
	for (size_t i = 0; i < pv->n; i++) {
		copies[i] = xstrdup(pv->v[i]);
		char *eq = strchr(copies[i], '=');
		if (!eq || eq == copies[i]) {
			cmd_error(ctx, "--param '%s': expected NAME=VALUE", pv->v[i]);
			goto out;
		}
		*eq = '\0';
		params[i].name = copies[i];
		params[i].value = eq + 1;
	}
	FILE *f = strcmp(routes_file, "-") == 0 ? stdin : fopen(routes_file, "r");
	if (!f) {
		cmd_error(ctx, "cannot read routes file '%s': %s", routes_file, strerror(errno));
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	text = read_all(f, 16 * 1024 * 1024);
	if (f != stdin)
		fclose(f);
	const char *name = strcmp(routes_file, "-") == 0 ? "<stdin>" : routes_file;
	if (!text) {
		cmd_error(ctx, "cannot read routes file '%s' (unreadable or over 16 MB)", name);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	if (sweep_parse_routes(text, name, &routes, &nroutes, &e)) {
		cmd_error(ctx, "%s", e.msg);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	if (nroutes == 0) {
		cmd_error(ctx, "routes file '%s' lists no routes", name);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	struct sigaction sa = {.sa_handler = on_sigint, .sa_flags = SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	const struct cli_val *hv = cli_get(&ctx->args, "header");
	struct sweep_opts o = {
		.base = &base,
		.routes = routes,
		.nroutes = nroutes,
		.params = params,
		.nparams = pv->n,
		.headers = hv->v,
		.nheaders = hv->n,
		.insecure = cli_count(&ctx->args, "insecure") > 0,
		.sequential = (int)sequential,
		.burst = (int)burst,
		.burst_requests = 5,
		.timeout_s = timeout,
		.max_payload_mb = max_mb,
		.threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
		.budgets = &ctx->config.budgets,
		.stop = &interrupted,
		.progress = &ctx->progress,
	};
	if (sweep_run(&o, &r, &e)) {
		cmd_error(ctx, "%s", e.msg);
		rc = EXIT_CANNOT_RUN;
		goto out;
	}
	rc = cmd_emit(ctx, r, human);
	/* Not one route answered: say so, as `load` does. */
	json_t *eps = json_object_get(r->metrics, "endpoints");
	int64_t answered = 0;
	size_t i;
	json_t *ep;
	json_array_foreach(eps, i, ep)
		answered += json_integer_value(json_object_get(json_object_get(ep, "sequential"), "requests"));
	if (answered == 0 && json_array_size(eps) > 0 && !interrupted) {
		const char *why = json_string_value(
			json_object_get(json_object_get(json_array_get(eps, 0), "sequential"), "first_error"));
		cmd_error(ctx, "no endpoint of %s answered%s%s", ctx->args.pos[0], why ? ": " : "", why ? why : "");
		rc = EXIT_CANNOT_RUN;
	}
out:
	result_free(r);
	free(routes);
	free(text);
	for (size_t k = 0; k < pv->n; k++)
		free(copies[k]);
	free(copies);
	free(params);
	return rc;
}
