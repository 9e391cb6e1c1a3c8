/*
 * sweep: `perfagent endpoints` as a library call — every route of an
 * application measured the same way: N sequential requests (the latency a
 * lone user sees), then a short concurrent burst (what a little contention
 * does to it), each route classified against the API budget.
 */
#ifndef PA_HTTP_SWEEP_H
#define PA_HTTP_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "../core/budget.h"
#include "../core/err.h"
#include "../core/progress.h"
#include "../core/result.h"
#include "../core/url.h"

struct route {
	char method[16];
	char path[2048]; /* as written: "/users/<int:id>" */
	int line;        /* in the routes file, for messages */
};

/*
 * Parse a routes list: one route per line, "METHOD /path" or just "/path"
 * (GET); blank lines and lines starting with # are skipped. Errors name the
 * source and line. *out is malloc'd; free it.
 */
int sweep_parse_routes(const char *text, const char *name, struct route **out, size_t *n, struct perr *e);

/* A NAME=VALUE for path parameters. */
struct sweep_param {
	const char *name, *value;
};

/*
 * Fill the parameters of a route path — Flask/Django "<id>", "<int:id>",
 * "<path:p>" and FastAPI/OpenAPI "{id}" — from params. Returns 0 with the
 * concrete path in out, or -1 with the first parameter that has no value in
 * *missing (a static buffer of the caller's, 64 bytes).
 */
int sweep_fill_path(const char *path, const struct sweep_param *params, size_t nparams, char *out,
		    size_t outlen, char missing[64]);

struct sweep_opts {
	const struct url *base;
	const struct route *routes;
	size_t nroutes;
	const struct sweep_param *params;
	size_t nparams;
	const char *const *headers;
	size_t nheaders;
	int insecure;
	int sequential;      /* requests per route, one at a time */
	int burst;           /* connections of the burst; 0: no burst */
	int burst_requests;  /* per connection */
	double timeout_s;
	double max_payload_mb;
	int threads;
	const struct budgets *budgets;
	volatile sig_atomic_t *stop;
	struct progress *progress;
};

/* Measure every route. -1 only when nothing could run (bad base URL, no memory). */
int sweep_run(const struct sweep_opts *o, struct pa_result **out, struct perr *e);

/* The per-route table, slowest first, and the skipped routes. */
void sweep_print_human(const struct pa_result *r, FILE *out);

#endif
