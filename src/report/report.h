/*
 * report: results -> the seed's "Performance Audit Report".
 *
 * report_build() merges any number of results (and optional baseline
 * results) into one model: the Summary metrics with Before / After /
 * Improvement, every finding ordered by severity then impact and numbered
 * PERF-001..., the deduplicated Recommendations, the Load Test Results, and
 * the list of inputs. report_doc() lays that model out section by section
 * for the Markdown and HTML renderers; report_json() gives it back as one
 * perfagent.result/1 document with command "report".
 *
 * The report never invents a number: a metric no input carries is left out.
 */
#ifndef PA_REPORT_H
#define PA_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/result.h"
#include "doc.h"

struct report_opts {
	const char *title; /* NULL: "Performance Audit Report" */
	const char *scope; /* NULL: the inputs' targets, else "Full application" */
	const char *date;  /* NULL: the date of the newest input */
};

/* One row of the Summary table. */
struct report_metric {
	const char *key;   /* "p95_ms": the metrics key read from results */
	const char *label; /* "P95 Latency" */
	int higher_is_better;
	int has_before, has_after;
	double before, after;
	const struct pa_result *before_from, *after_from;
};

/* A finding placed in the report. */
struct report_item {
	const struct pa_finding *f;
	const struct pa_result *from;
	char id[32];   /* "PERF-001" */
	double impact; /* ordering key within a severity */
	size_t order;  /* input order, the last tie-breaker */
	int is_new;    /* with a baseline: not present before */
	const struct pa_finding *was; /* with a baseline: the same finding before */
};

#define REPORT_METRICS 4

/* One Load Test Results table: a load result's stages, or a merged report's. */
struct report_load {
	const char *label;  /* the target, shown when there are several */
	json_t *stages;     /* borrowed from the input */
	const char *bottleneck, *recommendation;
};

struct report {
	struct arena arena;
	const char *title, *scope, *date;
	struct pa_result *const *after;
	size_t nafter;
	struct pa_result *const *before;
	size_t nbefore;
	struct report_metric summary[REPORT_METRICS];
	struct report_item *items; /* ordered, numbered */
	size_t nitems;
	const struct pa_finding **resolved; /* in the baseline, gone now */
	size_t nresolved;
	size_t nnew;  /* findings not in the baseline */
	size_t nless; /* in the baseline at a higher severity */
	size_t nmore; /* in the baseline at a lower severity */
	const char **recs;
	size_t nrecs;
	struct report_load *loads;
	size_t nloads;
};

/* Build the model. The results must outlive the report; nothing is copied. */
void report_build(struct report *rep, struct pa_result *const *after, size_t nafter,
		  struct pa_result *const *before, size_t nbefore, const struct report_opts *o);
void report_free(struct report *rep);

/* The document; free with doc_free(). */
struct doc *report_doc(const struct report *rep);

/* The merged result (command "report"); a new reference. */
json_t *report_json(const struct report *rep);

/* "Improvement" text for a summary row: "80%", "-25% (regression)", "n/a". */
void report_improvement(const struct report_metric *m, char *out, size_t n);

/*
 * The ordering key for a finding within its severity: its impact_score
 * when present, else the factor in its impact text ("5x slower" -> 5,
 * "40% slower" -> 1.4), else 0.
 */
double report_impact_rank(const struct pa_finding *f);

/* "routes/profiles.py:45 (list_profiles)", "GET /profiles", "table profiles", ... */
void report_location(const struct pa_location *l, struct buf *out);

#endif
