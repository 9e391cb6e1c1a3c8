/*
 * endpoints: `perfagent endpoints BASE_URL --routes FILE` — every route
 * measured alone and under a short burst, classified against the API
 * budget, large payloads flagged. The measuring is src/http/sweep.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/fsutil.h"
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

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	sweep_print_human(r, out);
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
	if ((v = cli_str(&ctx->args, "requests")) && cmd_parse_long(v, 1, 100000, &sequential)) {
		cmd_error(ctx, "--requests '%s': expected 1 to 100000", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "burst")) && cmd_parse_long(v, 0, 10000, &burst)) {
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
	size_t text_len;
	int too_big;
	text = fs_read_stream(f, 16 * 1024 * 1024, &text_len, &too_big);
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
	volatile sig_atomic_t *interrupted = cmd_catch_interrupt();
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
		.stop = interrupted,
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
	if (answered == 0 && json_array_size(eps) > 0 && !*interrupted) {
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
