/*
 * budget: the seed's performance budgets — what is on target, what is a
 * warning, what is critical — in one table, with the project's overrides.
 *
 *   budget              target    warning        critical
 *   api_endpoint        <100ms    100-500ms      >500ms   (>2s: escalate)
 *   database_query      <50ms     50-200ms       >200ms
 *   page_render         <200ms    200-1000ms     >1000ms
 *   background_task     <5s       5-30s          >30s
 *   idle_memory         <100MB    100-500MB      >500MB
 *   per_request_memory  <10MB     10-50MB        >50MB
 *   memory_growth       <0.5MB/min  (slow)       >10MB/min (rapid leak)
 *
 * The seed words memory growth as none / slow / rapid leak; the numbers for
 * those words are ours and are documented in docs/budgets.md.
 */
#ifndef PA_BUDGET_H
#define PA_BUDGET_H

#include "err.h"
#include "severity.h"
#include "units.h"

enum budget_id {
	BUDGET_API_ENDPOINT,
	BUDGET_DATABASE_QUERY,
	BUDGET_PAGE_RENDER,
	BUDGET_BACKGROUND_TASK,
	BUDGET_IDLE_MEMORY,
	BUDGET_PER_REQUEST_MEMORY,
	BUDGET_MEMORY_GROWTH,
	BUDGET_COUNT
};

struct budget {
	const char *name;  /* "api_endpoint": the key in perfagent.ini and --budget */
	const char *label; /* "API endpoint": the seed's row name */
	enum unit_kind unit;
	double target;   /* below this: on target */
	double critical; /* above this: critical; between: warning */
	double escalate; /* above this the finding is critical, not high; 0 = never */
};

/* The budgets in force for one run: the defaults, then perfagent.ini, then --budget. */
struct budgets {
	struct budget b[BUDGET_COUNT];
};

enum budget_class {
	BUDGET_TARGET,
	BUDGET_WARNING,
	BUDGET_CRITICAL,
};

void budgets_defaults(struct budgets *bs);

/* "target", "warning", "critical". */
const char *budget_class_name(enum budget_class c);

/*
 * classify(budget, value): below target is on target; from target up to and
 * including critical is a warning; above critical is critical — the seed's
 * "<100ms / 100-500ms / >500ms".
 */
enum budget_class budget_classify(const struct budget *b, double value);

/*
 * The severity of a finding for a value against its budget. Returns 0 when
 * the value is on target or NaN (no finding); otherwise 1 with *sev set: a
 * warning is medium, critical is high, and above the budget's escalation
 * threshold (the seed's ">2s response time") critical, whatever the
 * budget's own lines say.
 */
int budget_severity(const struct budget *b, double value, enum pa_severity *sev);

/*
 * Find a budget by name: the names above, or the aliases api, db, query,
 * page, task. -1 with a "did you mean" error for anything else.
 */
int budget_lookup(const char *name, enum budget_id *id, struct perr *e);

/*
 * Set a budget from "TARGET:CRITICAL", each a number with an optional unit of
 * the budget's kind ("200ms:1s", "256MB:1GB"). The target must be below the
 * critical value. On error nothing changes.
 */
int budgets_set(struct budgets *bs, const char *name, const char *value, struct perr *e);

/* Apply one "--budget NAME=TARGET:CRITICAL". */
int budgets_override(struct budgets *bs, const char *spec, struct perr *e);

#endif
