/*
 * verdict: saturation, sustainable load and the bottleneck, from stages.
 *
 * The saturation point ("knee") is the rule: the first stage where
 * throughput gains less than 5% over the stage before while p99 has grown
 * to more than 3x the first stage's, or where the error rate passes 1%.
 */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

void stage_derive(struct stage_sum *s)
{
	s->throughput_rps = s->elapsed_s > 0 ? (double)s->requests / s->elapsed_s : 0;
	int64_t transport = s->err_connect + s->err_timeout + s->err_read + s->err_write + s->err_parse + s->err_tls;
	s->errors = transport + s->http_4xx + s->http_5xx;
	int64_t attempts = s->requests + transport;
	s->error_rate = attempts > 0 ? (double)s->errors / (double)attempts : 0;
	if (s->error_rate > 1)
		s->error_rate = 1;
	s->littles_n = s->throughput_rps * s->avg_ms / 1000.0;
}

static void label(const struct stage_sum *s, char *out, size_t n)
{
	if (s->rate_rps > 0)
		snprintf(out, n, "%.0f req/s offered", s->rate_rps);
	else
		snprintf(out, n, "%d concurrent users", s->concurrency);
}

/*
 * The Bottleneck and Recommendation for a stage whose errors passed 1%,
 * from the kind of error that dominates: each points somewhere else.
 */
static void error_lines(const struct stage_sum *s, struct load_verdict *v)
{
	static const struct {
		const char *what, *rec;
	} kinds[] = {
		{"requests time out",
		 "Find what the server waits on at this load — database, locks, upstream calls: profile it "
		 "(perfagent profile) and audit the database (perfagent db)"},
		{"connections fail",
		 "Raise the server's worker and connection limits (gunicorn -w/--worker-connections, listen "
		 "backlog)"},
		{"TLS handshakes fail",
		 "Fix the server's certificate, or pass --insecure when testing with a self-signed one"},
		{"connections drop mid-request",
		 "Look for workers that crash or restart and proxies that close connections (server and proxy "
		 "logs, worker timeouts)"},
		{"responses are malformed", "Check the server and any proxy in front of it for broken responses"},
		{"the server answers with HTTP 5xx",
		 "Read the server log for the failures; when it says the database connection pool is exhausted, "
		 "raise pool_size and max_overflow"},
		{"the server answers with HTTP 4xx",
		 "Check the URL, method, headers and body: a 4xx means the request is refused, not that the "
		 "server is overloaded"},
	};
	int64_t n[] = {s->err_timeout, s->err_connect, s->err_tls, s->err_read + s->err_write, s->err_parse,
		       s->http_5xx, s->http_4xx};
	size_t k = 0;
	for (size_t i = 1; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i] > n[k])
			k = i;
	char at[64];
	label(s, at, sizeof(at));
	snprintf(v->bottleneck, sizeof(v->bottleneck), "From %s %s: %.1f%% of requests fail (%lld of %lld)", at,
		 kinds[k].what, s->error_rate * 100, (long long)n[k], (long long)s->errors);
	snprintf(v->recommendation, sizeof(v->recommendation), "%s", kinds[k].rec);
}

void verdict_analyze(const struct stage_sum *st, size_t n, const struct budget *api,
		     struct load_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->knee = v->max_ok = v->generator_bound = v->refused = v->littles_gap = -1;
	for (size_t i = 0; i < n; i++) {
		const struct stage_sum *s = &st[i];
		if (v->knee < 0 && s->error_rate > 0.01) {
			v->knee = (int)i;
			v->knee_by_errors = 1;
		}
		if (v->knee < 0 && i > 0 && st[0].p99_ms > 0 && s->throughput_rps < st[i - 1].throughput_rps * 1.05 &&
		    s->p99_ms > 3 * st[0].p99_ms)
			v->knee = (int)i;
		if (s->requests > 0 && s->p95_ms < api->target && s->error_rate <= 0.01)
			v->max_ok = (int)i;
		if (v->generator_bound < 0 && s->gen_cpu >= 0.9)
			v->generator_bound = (int)i;
		if (v->refused < 0 && s->rate_rps <= 0 && s->max_live < s->connections)
			v->refused = (int)i;
	}
	v->summary = v->max_ok >= 0 ? v->max_ok : 0;

	char at[64];
	if (v->refused >= 0) {
		const struct stage_sum *s = &st[v->refused];
		label(s, at, sizeof(at));
		snprintf(v->bottleneck, sizeof(v->bottleneck),
			 "Connections refused at %s: only %lld of %d connections could be opened (%lld connect errors)",
			 at, (long long)s->max_live, s->connections, (long long)s->err_connect);
		snprintf(v->recommendation, sizeof(v->recommendation),
			 "Raise the server's worker and connection limits (gunicorn -w/--worker-connections, "
			 "listen backlog) or put a proxy in front that queues connections");
	} else if (v->knee >= 0 && v->knee_by_errors) {
		error_lines(&st[v->knee], v);
	} else if (v->knee >= 0) {
		const struct stage_sum *s = &st[v->knee];
		label(s, at, sizeof(at));
		snprintf(v->bottleneck, sizeof(v->bottleneck),
			 "Saturated at %s: throughput flat at %.0f req/s while p99 grew %.1fx; "
			 "extra load only queues (Little's law: %.0f requests in flight)",
			 at, s->throughput_rps, st[0].p99_ms > 0 ? s->p99_ms / st[0].p99_ms : 0, s->littles_n);
		snprintf(v->recommendation, sizeof(v->recommendation),
			 "Profile the endpoint under this load (perfagent profile) and add workers "
			 "(gunicorn -w 2 x cores + 1) before adding hardware");
	} else if (n > 0) {
		label(&st[n - 1], at, sizeof(at));
		snprintf(v->bottleneck, sizeof(v->bottleneck),
			 "None found up to %s: throughput kept growing and errors stayed under 1%%", at);
		snprintf(v->recommendation, sizeof(v->recommendation),
			 "Test higher load to find the limit");
	}
	/* Little's law cross-check (closed model): with N connections each
	 * always waiting on a response, throughput x latency should be about N.
	 * Much less means the connections were idle part of the time. */
	for (size_t i = 0; i < n && v->littles_gap < 0; i++) {
		const struct stage_sum *s = &st[i];
		if (s->rate_rps <= 0 && s->requests > 0 && s->max_live > 0 && s->littles_n < 0.8 * (double)s->max_live)
			v->littles_gap = (int)i;
	}
	if (v->littles_gap >= 0 && v->generator_bound < 0 && v->refused < 0) {
		const struct stage_sum *s = &st[v->littles_gap];
		label(s, at, sizeof(at));
		size_t len = strlen(v->bottleneck);
		snprintf(v->bottleneck + len, sizeof(v->bottleneck) - len,
			 "%sLittle's law: at %s only %.1f of %lld connections were busy on average, so the "
			 "offered load was lower than asked (reconnects or errors between requests)",
			 len ? "; " : "", at, s->littles_n, (long long)s->max_live);
	}
	if (v->generator_bound >= 0) {
		const struct stage_sum *s = &st[v->generator_bound];
		label(s, at, sizeof(at));
		size_t len = strlen(v->bottleneck);
		snprintf(v->bottleneck + len, sizeof(v->bottleneck) - len,
			 "%sthe load generator itself was CPU-bound from %s (%.0f%% of its threads), so "
			 "numbers from there on understate the server",
			 len ? "; " : "", at, s->gen_cpu * 100);
	}
}
