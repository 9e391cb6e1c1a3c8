/*
 * verdict: what a series of load stages says — where the server saturates,
 * the highest load that still meets the API budget, whether the generator
 * itself was the limit, and the Bottleneck and Recommendation lines of the
 * seed's Load Test Results.
 *
 * Pure arithmetic on per-stage numbers: no sockets, no clocks, so every
 * rule is unit-tested on made-up stages.
 */
#ifndef PA_HTTP_VERDICT_H
#define PA_HTTP_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/budget.h"

/* The numbers of one stage that the verdict reads. */
struct stage_sum {
	int concurrency;        /* closed model: connections */
	double rate_rps;        /* open model: offered rate; 0 in the closed model */
	double elapsed_s;
	int64_t requests;       /* responses in the measured window */
	double throughput_rps;  /* requests / elapsed */
	double avg_ms, p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms;
	int64_t errors;         /* transport errors + responses >= 400 */
	double error_rate;      /* errors / (requests + transport errors) */
	int64_t err_connect, err_timeout, err_read, err_write, err_parse, err_tls, http_5xx, http_4xx;
	int64_t max_live;       /* connections established at once */
	int connections;        /* asked for */
	double gen_cpu;         /* generator CPU / (threads x elapsed), 0..1 */
	double littles_n;       /* throughput x avg latency: connections busy on average */
};

struct load_verdict {
	int knee;            /* index of the saturation stage, or -1 */
	int knee_by_errors;  /* the knee is the error rate passing 1% */
	int max_ok;          /* highest stage with p95 on the API target and errors <= 1%, or -1 */
	int summary;         /* the stage whose numbers the report's Summary shows */
	int generator_bound; /* index of the first stage whose generator CPU passed 90%, or -1 */
	int refused;         /* index of the first stage with fewer live connections than asked, or -1 */
	int littles_gap;     /* first closed-model stage where throughput x latency < 0.8 x live connections, or -1 */
	char bottleneck[400];
	char recommendation[400];
};

/* Closed model: the stage's label is its concurrency; open model: its rate. */
void verdict_analyze(const struct stage_sum *st, size_t n, const struct budget *api,
		     struct load_verdict *v);

/*
 * Fill the derived fields of a stage: throughput, error rate and the
 * Little's-law concurrency, from the raw counts and latencies.
 */
void stage_derive(struct stage_sum *s);

#endif
