/*
 * rules: the interface between `perfagent scan`'s driver (scan.c) and its
 * rules (src/scan/rules/NAME.c, one file each, documented in docs/scan.md).
 *
 * A rule looks at one parsed file at a time (check), and may also gather
 * facts per file (collect) to judge the whole project at the end (finish)
 * — missing-index needs the models of one file and the queries of
 * another. check and collect run on several threads at once, each on its
 * own file: they must touch nothing but the file and their output.
 *
 * A rule reports through scan_emit(); the driver adds the rule's severity,
 * drops what `# perfagent: ignore[rule]` or --select/--ignore suppress, and
 * sorts and prints.
 */
#ifndef PA_SCAN_RULES_H
#define PA_SCAN_RULES_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/severity.h"
#include "pyfile.h"

struct scan_out; /* the driver's collector */

/*
 * Report a finding of rule at node `at` of f. message is one line saying
 * what is wrong ("requests.get blocks the event loop inside async def
 * fetch"); fix says what to write instead, as code where possible. Both
 * are copied. sev_override: 0 for the rule's severity, else a pa_severity + 1.
 */
void scan_emit(struct scan_out *o, const struct py_file *f, const char *rule, TSNode at, const char *message,
	       const char *fix, int sev_override);

/* The same at a position (for finish, when the tree is gone). line, col 1-based. */
void scan_emit_at(struct scan_out *o, const char *path, unsigned line, unsigned col, const char *rule,
		  const char *message, const char *fix, int sev_override);

struct scan_rule {
	const char *name;           /* "n-plus-one" */
	enum pa_severity severity;  /* the seed's: high, medium, low */
	const char *summary;        /* one line for --help and docs */
	void (*check)(const struct py_file *f, struct scan_out *out);
	/* Optional project-wide pass: facts of one file (malloc'd, freed by finish), then a verdict. */
	void *(*collect)(const struct py_file *f);
	void (*finish)(void **facts, size_t n, struct scan_out *out);
};

/* The rules, in the order docs/scan.md lists them. */
extern const struct scan_rule scan_rule_n_plus_one, scan_rule_query_in_loop, scan_rule_quadratic,
	scan_rule_string_concat_in_loop, scan_rule_blocking_io_in_async, scan_rule_missing_cache,
	scan_rule_missing_index, scan_rule_unbounded_query, scan_rule_sql_smells;

extern const struct scan_rule *const scan_rules[];
extern const size_t scan_nrules;

/*
 * Shared knowledge the rules use (rules/common.c):
 * 1 when a resolved call name is an ORM / DB-API query that returns rows
 * or runs SQL: Model.query.all/first/get/filter...(), session.query(...),
 * session.execute / scalars / get, cursor.execute / fetch*, Django
 * Model.objects.*, sqlalchemy text()/select() executed.
 */
int scan_is_db_call(const char *resolved);
/* 1 for an HTTP client call: requests.*, httpx.* (sync), urllib.request.urlopen, aiohttp excluded. */
int scan_is_http_call(const char *resolved);

/*
 * A scope's table of names, keyed by their source text: a rule's entry
 * type starts with the key, as
 *     struct name { union { struct scan_name key; struct { struct py_span s; struct name *next; }; }; ... };
 * so the rule reads e->s while the table links through e->key. Entries and
 * buckets live in the walk's arena; a zeroed table is empty.
 */
struct scan_name {
	struct py_span s;
	struct scan_name *next;
};
struct scan_names {
	struct scan_name **tab;
	size_t cap, n;
};
struct scan_name *scan_names_find(const struct scan_names *t, struct py_span r);
/* The entry for r: found, or made (size zeroed bytes from a, the key set) with *made = 1. */
struct scan_name *scan_names_get(struct scan_names *t, struct arena *a, struct py_span r, size_t size, int *made);

/*
 * A rule's dispatch table: the node symbols of f's language mapped to the
 * rule's small action codes (0 for every other symbol), so a walk compares
 * integers instead of type names. Built per file from the tree's own
 * language, in arena a; *nsym is its length.
 */
struct scan_act {
	const char *type;  /* a node type: "call", "for_statement", ... */
	unsigned char act; /* the rule's code for it, not 0 */
};
unsigned char *scan_action_table(const struct py_file *f, struct arena *a, const struct scan_act *map, size_t n,
				 uint32_t *nsym);

#endif
