/*
 * endpoints: `perfagent endpoints BASE_URL --routes FILE` — every route
 * measured alone and under a short burst, classified against the API
 * budget, large payloads flagged. The measuring is src/http/sweep.c.
 * With --dir instead of --routes, the routes are the project's own, read
 * by `perfagent context`'s library (src/scan/context.h): its GET routes
 * are swept; the others are listed as skipped, since a sweep sends each
 * route dozens of requests and a POST or DELETE may change data.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../http/sweep.h"
#include "../scan/context.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt endpoints_opts[] = {
	{"routes", 0, CLI_VALUE, "FILE", "routes, one 'METHOD /path' (or '/path') per line; - reads stdin"},
	{"dir", 0, CLI_VALUE, "DIR", "read the routes from the project's code (as perfagent context does); GET routes are swept"},
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
		"are listed as skipped. --dir reads the routes from the project's Flask, FastAPI\n"
		"or Django code instead of a file and sweeps its GET routes. Send requests only\n"
		"to servers you run.",
};

/*
 * The routes of the project under dir, read as `perfagent context` reads
 * them: its GET routes into *out (malloc'd; one per path), and an entry
 * {endpoint, reason} in *skipped (a new JSON array) for each route of
 * another method. Returns 0, or -1 after printing why there is nothing to
 * sweep (dir unreadable, no route, no GET route).
 */
static int project_routes(const struct cmd_ctx *ctx, const char *dir, struct route **out, size_t *n, json_t **skipped)
{
	struct project_context c;
	struct perr e;
	struct ctx_opts o = {0};
	*out = NULL;
	*n = 0;
	*skipped = NULL;
	if (context_load(dir, &o, &c, &e)) {
		cmd_error(ctx, "%s", e.msg);
		context_free(&c);
		return -1;
	}
	json_t *sk = json_array();
	size_t cap = 0;
	for (size_t i = 0; i < c.nroutes; i++) {
		const struct ctx_route *rt = &c.routes[i];
		struct buf ep = BUF_INIT;
		buf_printf(&ep, "%s %s", rt->method, rt->path);
		int get = strcmp(rt->method, "GET") == 0;
		int dup = 0;
		if (get) {
			for (size_t k = 0; k < *n && !dup; k++)
				dup = strcmp((*out)[k].path, rt->path) == 0;
		} else {
			size_t k;
			json_t *s;
			json_array_foreach(sk, k, s) {
				if (strcmp(json_string_value(json_object_get(s, "endpoint")), buf_str(&ep)) == 0)
					dup = 1;
			}
		}
		if (!dup && (!get || strlen(rt->path) >= sizeof((*out)[0].path))) {
			json_t *s = json_object();
			json_object_set_new(s, "endpoint", jsonx_string(buf_str(&ep)));
			json_object_set_new(s, "reason",
					    jsonx_string(get ? "the path is too long"
							     : "--dir sweeps GET routes only (this one may change data): "
							       "list it in a --routes FILE to measure it"));
			json_array_append_new(sk, s);
		} else if (!dup) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xrealloc(*out, cap * sizeof(**out));
			}
			struct route *r = &(*out)[(*n)++];
			memset(r, 0, sizeof(*r));
			strcpy(r->method, "GET");
			memcpy(r->path, rt->path, strlen(rt->path) + 1);
			r->line = (int)rt->line;
		}
		buf_free(&ep);
	}
	size_t total = c.nroutes;
	context_free(&c);
	if (*n == 0) {
		if (total == 0)
			cmd_error(ctx, "found no Flask, FastAPI or Django route in '%s'; list the routes in a file and pass --routes FILE",
				  dir);
		else
			cmd_error(ctx, "'%s' has %zu route%s and none is GET; list the ones to measure in a file and pass --routes FILE",
				  dir, total, total == 1 ? "" : "s");
		json_decref(sk);
		free(*out);
		*out = NULL;
		return -1;
	}
	*skipped = sk;
	return 0;
}

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
	/* --routes FILE wins over --dir, which then only says where perfagent.ini is */
	const char *routes_file = cli_str(&ctx->args, "routes");
	if (!routes_file && !ctx->project_dir) {
		cmd_error(ctx, "no routes: pass --routes FILE (one 'METHOD /path' per line) or --dir DIR (the project)");
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
	json_t *not_swept = NULL; /* --dir: the project's routes that are not GET */
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
	if (!routes_file) {
		if (project_routes(ctx, ctx->project_dir, &routes, &nroutes, &not_swept)) {
			rc = EXIT_CANNOT_RUN;
			goto out;
		}
	} else {
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
	if (not_swept) {
		json_object_set_new(r->target, "dir", jsonx_string(ctx->project_dir));
		json_array_extend(json_object_get(r->metrics, "skipped"), not_swept);
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
	json_decref(not_swept);
	result_free(r);
	free(routes);
	free(text);
	for (size_t k = 0; k < pv->n; k++)
		free(copies[k]);
	free(copies);
	free(params);
	return rc;
}
