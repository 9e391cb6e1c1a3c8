/*
 * digest: query and request events -> classes, statistics and findings.
 *
 * Statements are grouped by their pt-query-digest fingerprint (src/sql), so
 * the classes and query IDs are the ones its users know; each class keeps
 * exact sums, extremes and a 1%-precise histogram of its execution time,
 * and its slowest instance as the example. On top of the classes, per
 * connection and in log order, it finds N+1 patterns (a run of one
 * fingerprint right after a "parent" query) and cacheable statements (the
 * same text, literals and all, repeated often). Requests from access logs
 * are grouped by endpoint with ids normalised (/users/123 -> /users/{id}).
 *
 * Memory grows with the number of distinct fingerprints and endpoints, not
 * with the size of the log: per-connection state and the repeated-text
 * table are capped.
 */
#ifndef PA_DIGEST_DIGEST_H
#define PA_DIGEST_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/budget.h"
#include "../core/buf.h"
#include "../core/result.h"
#include "event.h"
#include "loghist.h"

struct dg_opts {
	const struct budgets *budgets;
	int nplus1_min;       /* queries in a run to call it N+1 (default 5) */
	int cache_min;        /* repeats of one text to call it cacheable (default 10) */
	double cache_window_s;/* ... at least cache_min per this many seconds (default 60) */
};

struct dg_class {
	char *fingerprint;    /* may hold NUL bytes (pt keeps them): use fplen */
	size_t fplen;
	char id[40];       /* "0x" + the fingerprint's MD5 in upper-case hex, as pt-query-digest prints it */
	uint64_t hash;
	int is_write;
	int64_t count;
	double t_sum, t_min, t_max, t_sumsq; /* seconds */
	struct loghist t_hist;               /* microseconds */
	double lock_sum, lock_max;
	int64_t rows_sent, rows_sent_max, rows_exam, rows_exam_max, bytes;
	int64_t size_sum, size_min, size_max;
	int have_rows;
	int64_t first_ts, last_ts;
	char *example;        /* the slowest instance, literals and all (capped) */
	double example_t;
	char *db;             /* the schema of the example */
};

struct dg_endpoint {
	char *key;            /* "GET /users/{id}" */
	uint64_t hash;
	int64_t count, err5xx, err4xx;
	double t_sum, t_max;
	struct loghist t_hist;
	int64_t first_ts, last_ts;
};

struct dg_pair {              /* an N+1 pattern: parent class then a run of child */
	size_t parent, child;
	int64_t occurrences, queries, max_run;
	double time;
};

struct dg_conn {              /* per-connection state for N+1 */
	uint64_t id;
	int used;
	long last, parent;    /* class indexes, -1 none */
	int64_t run;
	double run_time;
	uint64_t run_text;    /* hash of the run's first text */
	int varies;           /* the run's texts differ (literals): not just a repeat */
};

struct dg_text {              /* a repeated exact text, for caching (24 bytes) */
	uint64_t hash;
	uint32_t cls;
	uint32_t count;       /* 0: an empty slot */
	uint32_t first_s, last_s; /* seconds since the epoch; 0 unknown */
};

struct digest {
	const struct dg_opts *o;
	struct dg_class **classes;
	size_t nclasses, capclasses;
	size_t *cindex;       /* open addressing: class index + 1, 0 empty */
	size_t cicap;
	struct dg_endpoint **eps;
	size_t neps, capeps;
	size_t *eindex;
	size_t eicap;
	struct dg_pair *pairs;
	size_t npairs, cappairs;
	struct dg_conn *conns;
	size_t connscap, nconns;
	struct dg_text *texts;
	size_t textscap, ntexts;
	int texts_full;
	int64_t sweeps;       /* times the once-seen texts were dropped to make room */
	int64_t queries, hits, admin;
	double time_total;
	int64_t first_ts, last_ts;
	struct buf fp;        /* scratch */
};

void dg_init(struct digest *d, const struct dg_opts *o);
void dg_free(struct digest *d);
/* Account one statement / one request. -1 only on out-of-memory. */
int dg_add_query(struct digest *d, const struct dg_query *q);
int dg_add_hit(struct digest *d, const struct dg_hit *h);
/* End every open N+1 run (at the end of an input, or of a part of one). */
void dg_flush_runs(struct digest *d);
/* Fold src into dst (threads digest parts of one file). src stays valid. */
int dg_merge(struct digest *dst, const struct digest *src);

/* Ranking of classes for the profile. */
enum dg_order { DG_BY_TOTAL, DG_BY_COUNT, DG_BY_AVG, DG_BY_P95, DG_BY_ROWS_EXAMINED };

/* Normalise a request target to an endpoint path: ids -> {id}, query string dropped. */
void dg_normalize_path(const char *path, size_t len, struct buf *out);

/*
 * Build the result: metrics (overall, the ranked profile, classes,
 * N+1 patterns, cacheable statements, endpoints) and findings against the
 * database and API budgets. `limit` classes are listed (0: all).
 */
void dg_build_result(struct digest *d, enum dg_order order, size_t limit, struct pa_result *r);

/* A report shaped like pt-query-digest's: overall, profile, per-query blocks; then the findings. */
void dg_print_human(const struct pa_result *r, FILE *out);

#endif
