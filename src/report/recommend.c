/*
 * recommend: rule id -> recommendation sentence.
 */
#include "recommend.h"

#include <string.h>

static const struct {
	const char *rule;
	const char *text;
} catalogue[] = {
	{"n-plus-one", "Eager-load relationships that are read in loops (joinedload/selectinload, "
		       "select_related/prefetch_related)"},
	{"query-in-loop", "Batch per-item queries into one query with IN (...)"},
	{"missing-index", "Add database indexes on frequently queried columns"},
	{"fk-without-index", "Add database indexes on frequently queried columns"},
	{"missing-cache", "Cache results of repeated expensive calls, with a stated invalidation rule"},
	{"cacheable", "Cache results of repeated expensive calls, with a stated invalidation rule"},
	{"connections-exhausted", "Use connection pooling"},
	{"pool-exhausted", "Use connection pooling"},
	{"unbounded-query", "Add pagination to list endpoints"},
	{"quadratic", "Replace nested-loop lookups with sets or dicts"},
	{"string-concat-in-loop", "Build strings with \"\".join instead of += in loops"},
	{"blocking-io-in-async", "Use async clients (aiohttp, asyncpg, aiofiles) inside async code"},
	{"slow-query", "Tune or index the slowest queries first (EXPLAIN ANALYZE each)"},
	{"slow-endpoint", "Bring slow endpoints under the API budget, slowest first"},
	{"memory-leak", "Fix the memory leak before adding capacity"},
	{"memory-over-budget", "Reduce memory use: stream large results, drop unused caches"},
	{"leading-wildcard-like", "Replace leading-wildcard LIKE with full-text or trigram search"},
	{"select-star", "Select only the columns the code uses"},
	{"saturation", "Find the resource that saturates first before raising concurrency"},
	{"error-rate", "Fix the errors under load before tuning latency"},
};

const char *recommend_for_rule(const char *rule)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].rule, rule) == 0)
			return catalogue[i].text;
	return NULL;
}
