/*
 * result: the one model every command's output shares (schema
 * perfagent.result/1, documented field by field in docs/result-schema.md).
 *
 * A result is built by a command, serialized to JSON, read back by `report`
 * and `audit`, and rendered. Reading validates: a missing or mistyped field
 * is an error naming the file and the field's path ("findings[2].severity");
 * a JSON syntax error names the line and column.
 *
 * Memory: every string of a result lives in the result's arena and is freed
 * with it; `target`, `metrics` and each finding's `evidence` are jansson
 * references owned by the result.
 */
#ifndef PA_RESULT_H
#define PA_RESULT_H

#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "err.h"
#include "severity.h"

/* Where a finding is; any subset of the fields applies. */
struct pa_location {
	const char *file;
	long line;   /* 1-based; 0 = none */
	long column; /* 1-based; 0 = none */
	const char *function;
	const char *endpoint; /* "GET /profiles" */
	const char *url;
	const char *table;
	const char *index;
	const char *query_id; /* "0x8E3F..." as pt-query-digest prints it */
	long pid;             /* 0 = none */
};

struct pa_finding {
	const char *id; /* "PERF-001" once a report has numbered it; else NULL */
	const char *rule;
	enum pa_severity severity;
	const char *title;
	struct pa_location location;
	json_t *evidence; /* an object, or NULL */
	const char *problem;
	const char *solution;
	const char *impact;
	const char *expected_improvement;
	const char *escalate_to;    /* NULL: the severity's default */
	const char *recommendation; /* one sentence for the report's list; NULL: the rule's */
	const char *found_by;       /* the command that made it, kept when results are merged */
	double impact_score;        /* larger is worse; orders findings of equal severity */
	int has_impact_score;
};

struct pa_artifact {
	const char *kind; /* "screenshot", "har", "flamegraph", ... */
	const char *path;
};

struct pa_result {
	struct arena arena;
	const char *schema;
	const char *command;
	const char *version;
	const char *started_at; /* RFC 3339 */
	double duration_s;
	json_t *target;  /* object */
	json_t *metrics; /* object */
	struct pa_finding **findings;
	size_t nfindings, capfindings;
	struct pa_artifact *artifacts;
	size_t nartifacts, capartifacts;
	const char *source; /* the file it was read from; NULL for one built here */
};

/* A new result for `command`, started now, with empty target and metrics. */
struct pa_result *result_new(const char *command);
void result_free(struct pa_result *r);

/* A copy of s that lives as long as r (NULL stays NULL). */
const char *result_str(struct pa_result *r, const char *s);

/*
 * Add a finding; the strings are copied. The returned pointer stays valid as
 * long as r; fill its other fields with result_str() copies.
 */
struct pa_finding *result_add_finding(struct pa_result *r, const char *rule,
				      enum pa_severity severity, const char *title);
void result_add_artifact(struct pa_result *r, const char *kind, const char *path);

/* The escalation target in force: the finding's own, else its severity's. */
const char *finding_escalation(const struct pa_finding *f);

/* The most severe finding's severity; 0 and *any = 0 when there is none. */
enum pa_severity result_max_severity(const struct pa_result *r, int *any);

/* JSON of one finding and of a whole result (new references). */
json_t *finding_to_json(const struct pa_finding *f);
json_t *result_to_json(const struct pa_result *r);

/* Indented JSON text with a final newline; free() it. */
char *result_dumps(const struct pa_result *r);
/* Dump flags shared by every JSON perfagent writes. */
#define PA_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(15))

/*
 * Validate a parsed document and build a result from it. `name` is the file
 * named in errors. The document is not kept: unknown fields are ignored.
 */
int result_from_json(json_t *root, const char *name, struct pa_result **out, struct perr *e);

/* The same from text in memory. */
int result_from_string(const char *text, size_t len, const char *name, struct pa_result **out,
		       struct perr *e);

/*
 * Read and validate a result file; "-" reads standard input. Input over
 * 64 MiB (files, pipes and stdin alike) is refused rather than read.
 */
int result_load(const char *path, struct pa_result **out, struct perr *e);

#endif
