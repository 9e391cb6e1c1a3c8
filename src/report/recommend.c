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
	{"no-index", "Add database indexes on frequently queried columns"},
	{"full-scan-query", "Add database indexes on frequently queried columns"},
	{"full-table-scans", "Add database indexes on frequently queried columns"},
	{"full-scan", "Add database indexes on frequently queried columns"},
	{"rows-examined", "Add database indexes on frequently queried columns"},
	{"duplicate-index", "Drop duplicate, redundant and unused indexes: every write pays for them"},
	{"redundant-index", "Drop duplicate, redundant and unused indexes: every write pays for them"},
	{"unused-index", "Drop duplicate, redundant and unused indexes: every write pays for them"},
	{"no-primary-key", "Give every table a primary key"},
	{"buffer-pool-small", "Size the buffer pool (shared_buffers) to the working set"},
	{"slow-log-off", "Turn on the slow query log so slow statements can be digested"},
	{"filesort", "Let an index deliver ORDER BY / GROUP BY order instead of sorting"},
	{"temporary-table", "Let an index deliver ORDER BY / GROUP BY order instead of sorting"},
	{"sort-spill", "Keep sorts in memory: index the sort, or raise work_mem for that query"},
	{"bad-estimate", "Refresh planner statistics (ANALYZE) where estimates are far off"},
	{"nested-loop", "Index the inner side of nested-loop joins"},
	{"heavy-dependency", "Import heavy libraries lazily, where they are used, not at start-up"},
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
	{"hot-function", "Optimize the functions that dominate the CPU profile, hottest line first"},
	{"crashed", "Fix the crash before measuring further: a run that dies measures nothing whole"},
	{"regression", "Investigate the slowdown the comparison measured before it ships"},
	{"memory-over-budget", "Reduce memory use: stream large results, drop unused caches"},
	{"leading-wildcard-like", "Replace leading-wildcard LIKE with full-text or trigram search"},
	{"select-star", "Select only the columns the code uses"},
	{"saturation", "Find the resource that saturates first before raising concurrency"},
	{"error-rate", "Fix the errors under load before tuning latency"},
	/* perfagent web */
	{"page-load-failed", "Make every audited page load: fix the failing navigations first"},
	{"slow-page-load", "Bring page load under the page-render budget, slowest requests first"},
	{"slow-lcp", "Paint the largest element early: preload and resize the hero image, defer blocking scripts"},
	{"slow-request", "Speed up requests over 500ms: fix the backend behind long server waits, shrink long downloads"},
	{"large-payload", "Shrink large responses: paginate data, split script bundles, resize images"},
	{"large-image", "Serve images at their displayed size, in WebP or AVIF"},
	{"too-many-requests", "Cut the requests per page: bundle scripts and styles, lazy-load images below the fold"},
	{"uncompressed-text", "Compress text responses (HTML, CSS, JavaScript, JSON, SVG) with gzip or brotli"},
	{"no-cache-headers", "Give static assets a long cache lifetime with fingerprinted file names"},
	{"render-blocking", "Defer scripts and inline critical CSS so nothing in <head> blocks the first paint"},
	{"failed-request", "Fix or remove references to resources that fail to load"},
	{"console-error", "Fix the JavaScript errors the page logs to the console"},
	{"console-warning", "Clear console warnings (deprecations, interventions) before they turn into breakage"},
};

const char *recommend_for_rule(const char *rule)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].rule, rule) == 0)
			return catalogue[i].text;
	return NULL;
}
