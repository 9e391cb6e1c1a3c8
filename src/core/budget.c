/*
 * budget: the default table, classification, and parsing of overrides.
 */
#include "budget.h"
#include "suggest.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct budget defaults[BUDGET_COUNT] = {
	[BUDGET_API_ENDPOINT] = {"api_endpoint", "API endpoint", UNIT_MS, 100, 500, 2000},
	[BUDGET_DATABASE_QUERY] = {"database_query", "Database query", UNIT_MS, 50, 200, 0},
	[BUDGET_PAGE_RENDER] = {"page_render", "Page render", UNIT_MS, 200, 1000, 0},
	[BUDGET_BACKGROUND_TASK] = {"background_task", "Background task", UNIT_MS, 5000, 30000, 0},
	[BUDGET_IDLE_MEMORY] = {"idle_memory", "Idle memory", UNIT_MB, 100, 500, 0},
	[BUDGET_PER_REQUEST_MEMORY] = {"per_request_memory", "Per-request memory", UNIT_MB, 10, 50, 0},
	[BUDGET_MEMORY_GROWTH] = {"memory_growth", "Memory growth", UNIT_MB_PER_MIN, 0.5, 10, 0},
};

static const struct {
	const char *alias;
	enum budget_id id;
} aliases[] = {
	{"api", BUDGET_API_ENDPOINT},       {"endpoint", BUDGET_API_ENDPOINT},
	{"db", BUDGET_DATABASE_QUERY},      {"query", BUDGET_DATABASE_QUERY},
	{"page", BUDGET_PAGE_RENDER},       {"task", BUDGET_BACKGROUND_TASK},
};

void budgets_defaults(struct budgets *bs)
{
	memcpy(bs->b, defaults, sizeof(defaults));
}

const char *budget_class_name(enum budget_class c)
{
	switch (c) {
	case BUDGET_TARGET:
		return "target";
	case BUDGET_WARNING:
		return "warning";
	case BUDGET_CRITICAL:
		return "critical";
	}
	return "target";
}

enum budget_class budget_classify(const struct budget *b, double value)
{
	if (value != value)
		return BUDGET_TARGET; /* NaN: no measurement, no verdict */
	if (value < b->target)
		return BUDGET_TARGET;
	if (value <= b->critical)
		return BUDGET_WARNING;
	return BUDGET_CRITICAL;
}

int budget_severity(const struct budget *b, double value, enum pa_severity *sev)
{
	enum budget_class c = budget_classify(b, value);
	if (c == BUDGET_TARGET)
		return 0;
	/* Over the escalation line (the seed's ">2s response time") is critical
	 * even when an override moved the budget's own critical line above it. */
	if (b->escalate > 0 && value > b->escalate)
		*sev = PA_SEV_CRITICAL;
	else
		*sev = c == BUDGET_CRITICAL ? PA_SEV_HIGH : PA_SEV_MEDIUM;
	return 1;
}

int budget_lookup(const char *name, enum budget_id *id, struct perr *e)
{
	const char *names[BUDGET_COUNT + sizeof(aliases) / sizeof(aliases[0])];
	size_t n = 0;
	for (int i = 0; i < BUDGET_COUNT; i++) {
		if (strcasecmp(name, defaults[i].name) == 0) {
			*id = (enum budget_id)i;
			return 0;
		}
		names[n++] = defaults[i].name;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcasecmp(name, aliases[i].alias) == 0) {
			*id = aliases[i].id;
			return 0;
		}
	}
	const char *hint = suggest_closest(name, names, n);
	if (hint)
		return perr_set(e, "unknown budget '%s' (did you mean '%s'?)", name, hint);
	return perr_set(e, "unknown budget '%s'; budgets are api_endpoint, database_query, "
			   "page_render, background_task, idle_memory, per_request_memory, memory_growth",
			name);
}

int budgets_set(struct budgets *bs, const char *name, const char *value, struct perr *e)
{
	enum budget_id id;
	if (budget_lookup(name, &id, e))
		return -1;
	struct budget *b = &bs->b[id];
	const char *colon = strchr(value, ':');
	char example[64];
	snprintf(example, sizeof(example), "%s=%s:%s", b->name,
		 b->unit == UNIT_MS ? "200ms" : b->unit == UNIT_MB ? "256MB" : "1MB/min",
		 b->unit == UNIT_MS ? "1s" : b->unit == UNIT_MB ? "1GB" : "20MB/min");
	if (!colon || strchr(colon + 1, ':'))
		return perr_set(e, "budget '%s': '%s' is not TARGET:CRITICAL (for example %s)", b->name,
				value, example);
	char first[128];
	size_t flen = (size_t)(colon - value);
	if (flen >= sizeof(first))
		return perr_set(e, "budget '%s': target value too long", b->name);
	memcpy(first, value, flen);
	first[flen] = '\0';
	double t, c;
	if (unit_parse(b->unit, first, &t))
		return perr_set(e, "budget '%s': '%s' is not a %s value (for example %s)", b->name, first,
				unit_symbol(b->unit), example);
	if (unit_parse(b->unit, colon + 1, &c))
		return perr_set(e, "budget '%s': '%s' is not a %s value (for example %s)", b->name,
				colon + 1, unit_symbol(b->unit), example);
	if (!(t < c))
		return perr_set(e, "budget '%s': the target (%s) must be below the critical value (%s)",
				b->name, first, colon + 1);
	b->target = t;
	b->critical = c;
	return 0;
}

int budgets_override(struct budgets *bs, const char *spec, struct perr *e)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return perr_set(e, "--budget '%s': expected NAME=TARGET:CRITICAL, e.g. api_endpoint=200ms:1s",
				spec);
	char name[64];
	size_t n = (size_t)(eq - spec);
	if (n >= sizeof(name))
		return perr_set(e, "--budget '%s': budget name too long", spec);
	memcpy(name, spec, n);
	name[n] = '\0';
	return budgets_set(bs, name, eq + 1, e);
}
