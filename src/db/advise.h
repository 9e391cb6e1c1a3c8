/*
 * advise: the index advisor behind `perfagent explain` — given one SQL
 * statement, its dialect and the catalog of the indexes that exist, which
 * B-tree index would help each table it reads, and when none would, why
 * not and what would instead.
 *
 * It works from the columns sqlcols (src/sql/sqlcols.h) finds, not from a
 * plan, so it is a rule of thumb written down, the one a DBA applies by
 * hand: per table, the columns compared by equality first (including the
 * join column of a table looked up once per row of another), then at most
 * one range, then the ORDER BY (or GROUP BY) when an index can give that
 * order. What it proposes is checked against the existing indexes (an
 * index that already leads with those columns covers it) and, when a live
 * connection is at hand, against the planner itself (advise_verify:
 * hypothetical indexes with PostgreSQL's hypopg, a schema copy in memory
 * for SQLite). The two halves live in two files so the pure rules
 * (advise.c) can be tested without a server; advise_verify.c is the half
 * that talks to one.
 */
#ifndef PA_DB_ADVISE_H
#define PA_DB_ADVISE_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/err.h"
#include "catalog.h"
#include "db.h"

enum advice_kind {
	ADVICE_CREATE_INDEX,  /* sql is the CREATE INDEX that would help */
	ADVICE_COVERED,       /* existing_index already serves the candidate in cols */
	ADVICE_NO_BTREE,      /* a leading-wildcard LIKE or a regex: sql is the best alternative */
	ADVICE_SMALL_TABLE,   /* the table is small; a scan is cheap */
	ADVICE_UNKNOWN_TABLE, /* the catalog does not know the table (a view, a CTE, another schema) */
	ADVICE_NOTE,          /* something left out: an ambiguous column, only negated conditions */
};

/* "create_index", "covered", "no_btree", "small_table", "unknown_table", "note". */
const char *advice_kind_name(enum advice_kind k);

/*
 * One piece of advice. Every string and array lives in the arena advise()
 * was given.
 */
struct advice {
	enum advice_kind kind;
	const char *table;          /* as the catalog spells it (or as written when unknown); NULL for a statement-wide note */
	const char **cols;          /* the candidate key in order (no quotes); for NO_BTREE the searched column */
	const int *desc;            /* ncols flags: 1 when the column is DESC in the key */
	size_t ncols;
	const char *name;           /* CREATE_INDEX: the proposed index name, idx_<table>_<cols> */
	const char *sql;            /* CREATE_INDEX: the statement; NO_BTREE: the alternative's SQL; else NULL */
	const char *reason;         /* one or a few sentences: why this advice */
	const char *note;           /* operational note (CREATE INDEX CONCURRENTLY, online DDL); may be NULL */
	const char *existing_index; /* COVERED: the index that covers; CREATE_INDEX: one it extends or overlaps */
	int verified;               /* -1 not tried, 0 the planner sees no gain, 1 a gain */
	double cost_before, cost_after; /* PostgreSQL planner costs when verified >= 0; else -1 */
	const char *verify_note;    /* what verification found or why it was not done; NULL before advise_verify */
};

/*
 * Advise indexes for sql (one statement, in kind's dialect) against the
 * existing indexes and table sizes in cat (only cat->tables and
 * cat->indexes are read; cat may be NULL, then nothing counts as covered
 * and no table as unknown or small). On success *out holds *n entries,
 * allocated in a, in the order of the tables in the statement; *n may be
 * 0 for a statement that filters on nothing. Returns -1 with e set only
 * for an empty or missing statement.
 */
int advise(const char *sql, enum db_kind kind, const struct dbc_catalog *cat, struct arena *a,
	   struct advice **out, size_t *n, struct perr *e);

/*
 * Check each ADVICE_CREATE_INDEX entry of adv[0..n) against the planner of
 * the database c is connected to, without creating anything there:
 * PostgreSQL through hypopg's hypothetical indexes (EXPLAIN cost before and
 * after), SQLite on an in-memory copy of the schema and its sqlite_stat1
 * (EXPLAIN QUERY PLAN before and after), MySQL not at all (it has no
 * hypothetical indexes). Sets verified, cost_before/cost_after and
 * verify_note of those entries (strings in a); a verification that fails
 * is noted in its entry and the rest go on. Returns -1 with e set only
 * when c or its arguments are unusable.
 */
int advise_verify(struct db_conn *c, const char *sql, struct advice *adv, size_t n, struct arena *a,
		  struct perr *e);

#endif
