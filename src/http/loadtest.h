/*
 * loadtest: `perfagent load` as a library call — run the stages, analyse
 * them, and build the result (stages, summary, findings, the Bottleneck and
 * Recommendation lines). The human view is printed from the result, so a
 * result read back from JSON prints the same.
 */
#ifndef PA_HTTP_LOADTEST_H
#define PA_HTTP_LOADTEST_H

#include <signal.h>
#include <stdio.h>

#include "../core/budget.h"
#include "../core/progress.h"
#include "../core/result.h"
#include "engine.h"

struct lt_opts {
	const struct eng_target *target;
	const char *method;
	const int *conc;        /* closed model stages; ignored when nrates > 0 */
	size_t nconc;
	const double *rates;    /* open model stages */
	size_t nrates;
	int open_conns;         /* open model connections; 0: from the rate */
	double duration_s;      /* per stage; 0: until `requests` */
	double warmup_s;
	int64_t requests;       /* per stage; 0: no limit */
	double timeout_s;
	int threads;
	const struct budgets *budgets;
	const char *hdr_out;    /* percentile spectrum file, or NULL */
	volatile sig_atomic_t *stop;
	struct progress *progress;
};

/* Run every stage and build the result. -1 only when nothing could run. */
int lt_run(const struct lt_opts *o, struct pa_result **out, struct perr *e);

/* The default number of open-model connections for a rate. */
int lt_open_connections(double rate);

/* The seed-shaped table, the details, Bottleneck and Recommendation. */
void lt_print_human(const struct pa_result *r, FILE *out);

#endif
