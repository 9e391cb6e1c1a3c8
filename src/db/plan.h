/*
 * plan: one model for the query plans of MySQL/MariaDB, PostgreSQL and
 * SQLite, read from what each server's EXPLAIN prints, drawn as a tree for
 * a terminal, written as JSON and interpreted into issues with numbers —
 * what `perfagent explain` shows and judges.
 *
 * Readers (one per output format; each fills a struct plan from scratch):
 *   plan_parse_mysql_json   MySQL 5.7/8.0 EXPLAIN FORMAT=JSON, MariaDB
 *                           EXPLAIN FORMAT=JSON and ANALYZE FORMAT=JSON
 *   plan_parse_mysql_tree   MySQL 8.0.18+ EXPLAIN ANALYZE / EXPLAIN FORMAT=TREE
 *   plan_parse_pg_json      PostgreSQL EXPLAIN (FORMAT JSON), with or
 *                           without ANALYZE and BUFFERS
 *   plan_from_sqlite_eqp    SQLite EXPLAIN QUERY PLAN rows
 *
 * The model is deliberately small: a node is an operation with the few
 * numbers every dialect has some of (row estimates and counts, loops, cost,
 * time) and flags for what the interpretation looks for (a full scan, a
 * sort, a temporary table, a spill). What a dialect does not report is -1
 * (numbers) or NULL (strings), never a guess — with two exceptions, both
 * flagged: estimated loops (PLAN_EST_LOOPS) and table sizes the caller
 * supplies (plan_set_table_rows), because the rules need them.
 *
 * Row figures, per loop, compared like for like inside one dialect:
 *   est_rows / act_rows  the dialect's own row column. PostgreSQL and the
 *                        MySQL tree: rows the node returns. MySQL/MariaDB
 *                        JSON: rows the access method reads ("rows",
 *                        "rows_examined_per_scan", "r_rows"), before the
 *                        table's attached condition. SQLite: none.
 *   rows_examined        rows read before the node's own filter, when that
 *                        differs from what it returns and is known: MySQL
 *                        JSON (= act_rows when analyzed, else est_rows),
 *                        PostgreSQL ANALYZE (Actual Rows + Rows Removed by
 *                        Filter / Join Filter / Index Recheck), the MySQL
 *                        tree's Filter over its input.
 *   filtered_pct         the share of rows_examined that passes (0..100).
 *
 * Memory: every node and string lives in the plan's arena; plan_free()
 * releases all of it. A reader that fails leaves the plan empty (and safe
 * to plan_free()).
 */
#ifndef PA_DB_PLAN_H
#define PA_DB_PLAN_H

#include <jansson.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../core/err.h"
#include "../core/severity.h"
#include "db.h"

/* Node flags. */
#define PLAN_FULL_SCAN      0x0001u /* reads every row of a base table */
#define PLAN_INDEX_SCAN     0x0002u /* reads a whole index (MySQL "index", SQLite SCAN ... USING INDEX) */
#define PLAN_INDEX_ONLY     0x0004u /* covering: the index answers, table rows are not read */
#define PLAN_FILESORT       0x0008u /* sorts rows: filesort, Sort, USE TEMP B-TREE FOR ORDER BY */
#define PLAN_TEMPORARY      0x0010u /* builds a temporary table: GROUP BY, DISTINCT, UNION, ... */
#define PLAN_SORT_DISK      0x0020u /* the sort spilled to disk (external merge, merge passes) */
#define PLAN_HASH_DISK      0x0040u /* a hash join or hash aggregate ran in batches on disk */
#define PLAN_JOIN_LOOP      0x0080u /* a nested-loop join: kids[0] is outer, kids[1..] run per outer row */
#define PLAN_JOIN_BUFFER    0x0100u /* joined through a join buffer (BNL, hash join): not once per row */
#define PLAN_EST_LOOPS      0x0200u /* loops is the planner's estimate, not a measurement */
#define PLAN_NEVER_EXECUTED 0x0400u /* ANALYZE: the node never ran */
#define PLAN_SUBQUERY       0x0800u /* a subquery / subplan / materialized derived table */
#define PLAN_PARALLEL       0x1000u /* PostgreSQL parallel-aware: rows are per process, loops = processes */

enum plan_format {
	PLAN_FMT_NONE,
	PLAN_FMT_MYSQL_JSON, /* MySQL 5.7/8.0 and MariaDB FORMAT=JSON */
	PLAN_FMT_MYSQL_TREE, /* MySQL 8.0 EXPLAIN ANALYZE / FORMAT=TREE */
	PLAN_FMT_PG_JSON,    /* PostgreSQL FORMAT JSON */
	PLAN_FMT_SQLITE_EQP, /* SQLite EXPLAIN QUERY PLAN */
};

struct plan_node {
	/*
	 * op: the operation as the dialect names it. PostgreSQL: "Node Type"
	 * ("Seq Scan", "Hash Join", "Aggregate"); MySQL JSON: the access type
	 * of a table ("ALL", "ref", "range", ...) or "select", "nested loop",
	 * "filesort", "temporary table", "order by", "group by", "distinct",
	 * "union"; MySQL tree: the iterator ("Table scan", "Filter",
	 * "Nested loop inner join", "Sort"); SQLite: "SCAN", "SEARCH",
	 * "USE TEMP B-TREE", "MULTI-INDEX OR", "CO-ROUTINE", "MATERIALIZE", ...
	 * label: the one-line title the renderer prints ("Seq Scan on profiles
	 * p", "Full table scan on profiles (ALL)", "SEARCH o USING INDEX i
	 * (profile_id=?)"). Neither is ever NULL.
	 */
	const char *op;
	const char *label;
	const char *relation; /* table as the plan names it (MySQL, SQLite: often the alias) */
	const char *alias;    /* when it differs from relation */
	const char *index;
	const char *cond;   /* how rows are found or joined: Index/Hash/Merge Cond, MySQL ref, SQLite (a=?) */
	const char *filter; /* applied to each row read: Filter, Join Filter, attached_condition */
	const char *detail; /* one more line: sort key, group key, SQLite/MySQL text that fits nowhere else */
	double est_rows, act_rows; /* per loop; see the file comment; -1 unknown */
	double loops;              /* times the node ran; -1 unknown (PLAN_EST_LOOPS: estimated) */
	double cost;               /* the planner's total cost of the node; -1 unknown */
	double time_ms;            /* ANALYZE: wall time over all loops, children included; -1 unknown */
	double rows_examined;      /* per loop; -1 unknown */
	double filtered_pct;       /* -1 unknown */
	double table_rows;         /* rows in relation, from plan_set_table_rows or the plan; -1 unknown */
	unsigned flags;            /* PLAN_* */
	const char *sort_method;   /* "quicksort", "external merge", "top-N heapsort", MariaDB r_sort_mode */
	long long sort_space_kb;   /* sort space, or a hash aggregate's disk usage; -1 unknown */
	long long batches;         /* hash batches, MariaDB filesort merge passes; -1 unknown */
	int id;                    /* preorder number from 0: how JSON and issues refer to the node */
	struct plan_node *parent;  /* NULL for the root */
	struct plan_node **kids;
	size_t nkids;
	size_t kcap_; /* internal: allocated room in kids */
};

struct plan {
	struct arena arena;
	enum db_kind kind;
	enum plan_format format;
	struct plan_node *root;
	size_t nnodes;
	int analyzed;       /* the numbers include measurements (ANALYZE) */
	double planning_ms; /* -1 unknown */
	double execution_ms;
	double total_cost;  /* the root's cost; -1 unknown */
};

/*
 * Readers. Each returns 0 with *p filled, or -1 with e set (one line
 * saying what is wrong with the input and what to pass instead) and *p
 * left empty. *p need not be initialized; it is overwritten, so free a
 * previous plan first. text need not be NUL-terminated.
 */

/*
 * MySQL 5.7/8.0 EXPLAIN FORMAT=JSON, MariaDB EXPLAIN/ANALYZE FORMAT=JSON.
 * analyzed: the text comes from MariaDB ANALYZE (measured r_* figures);
 * it is also recognized by itself. A leading "EXPLAIN:" / "ANALYZE:"
 * label (the mysql client's \G output) is skipped.
 */
int plan_parse_mysql_json(const char *text, size_t len, int analyzed, struct plan *p, struct perr *e);

/*
 * MySQL 8.0.18+ EXPLAIN ANALYZE (or EXPLAIN FORMAT=TREE) text: one
 * iterator per "-> " line, nested by the column of the arrow, each with
 * "(cost=A..B rows=N)" and, when analyzed, "(actual time=A..B rows=N
 * loops=L)" or "(never executed)". Anything before the first arrow on a
 * line (a "EXPLAIN: " label, a table border) is ignored.
 */
int plan_parse_mysql_tree(const char *text, size_t len, struct plan *p, struct perr *e);

/* PostgreSQL EXPLAIN (FORMAT JSON) or EXPLAIN (ANALYZE[, BUFFERS], FORMAT JSON). */
int plan_parse_pg_json(const char *text, size_t len, struct plan *p, struct perr *e);

/*
 * SQLite EXPLAIN QUERY PLAN: n rows of (id, parent, detail) — the
 * statement's columns id, parent and detail (notused is not needed). The
 * root is a synthetic "QUERY PLAN" node; a row whose parent id is 0 or was
 * not seen on an earlier row hangs from the root. detail[i] may be NULL
 * (read as ""). n may be 0 (a statement that reads no table, such as a
 * DELETE without WHERE, has no plan rows): the plan is then the root alone
 * and id, parent and detail may be NULL.
 */
int plan_from_sqlite_eqp(const int *id, const int *parent, const char *const *detail, size_t n,
			 struct plan *p, struct perr *e);

/*
 * The same from a result set as db_query() returns it: columns named id,
 * parent and detail (any order, case-insensitive).
 */
int plan_from_sqlite_rows(const struct db_rows *rows, struct plan *p, struct perr *e);

/*
 * Pick the reader for kind: MySQL text starting with '{' (after white
 * space and an optional "EXPLAIN:" label) is JSON, else a tree; PostgreSQL
 * is JSON; SQLite is refused (its plan comes as rows). analyzed as for
 * plan_parse_mysql_json.
 */
int plan_parse(enum db_kind kind, const char *text, size_t len, int analyzed, struct plan *p,
	       struct perr *e);

void plan_free(struct plan *p);

/*
 * Tell the plan how many rows table has (from the catalog): every node
 * whose relation is table (case-insensitive for MySQL and SQLite) gets
 * table_rows = rows, and a SQLite full scan without an estimate gets
 * est_rows = rows too. SQLite gives no estimates and PostgreSQL's estimate
 * of a filtered scan counts the rows kept, so without this a full scan's
 * size may be unknown to the rules. Returns the number of nodes changed.
 */
size_t plan_set_table_rows(struct plan *p, const char *table, double rows);

/*
 * Say that alias stands for table (from the statement's FROM clause):
 * nodes whose relation is alias and have no alias get relation = table
 * and alias = alias. MySQL JSON and SQLite name tables by their alias.
 * Call it before plan_set_table_rows. Returns the number of nodes changed.
 */
size_t plan_set_alias(struct plan *p, const char *alias, const char *table);

/*
 * The plan as a tree for a terminal, appended to out: one node per line,
 * drawn with ├─ └─ │, its label, estimated → actual rows, loops, time (or
 * cost when not analyzed) and flags in brackets; under it, indented, its
 * condition, filter and detail lines (cut at 160 characters). Ends with a
 * planning/execution time line when known. UTF-8.
 */
void plan_render(const struct plan *p, struct buf *out);

/*
 * The plan as JSON (a new reference):
 *   {"dialect": "mysql"|"postgres"|"sqlite", "format": "mysql-json"|...,
 *    "analyzed": bool, "planning_ms", "execution_ms", "total_cost",
 *    "nodes": N, "root": NODE}
 * NODE: {"id", "op", "label", "relation", "alias", "index", "cond",
 *   "filter", "detail", "est_rows", "act_rows", "loops", "loops_estimated",
 *   "cost", "time_ms", "rows_examined", "filtered_pct", "table_rows",
 *   "flags": ["full-scan", "index-scan", "index-only", "filesort",
 *   "temporary", "sort-disk", "hash-disk", "join-loop", "join-buffer",
 *   "never-executed", "subquery", "parallel"], "sort_method", "sort_space_kb",
 *   "batches", "children": [NODE...]}
 * Unknown numbers (-1) and NULL strings are left out, as are empty flags
 * and children.
 */
json_t *plan_to_json(const struct plan *p);

/*
 * Interpretation. Rules (thresholds in plan.c's comment):
 *   full-scan        a full table scan of ≥ 1000 rows (or of unknown size)
 *   filesort         a sort of the rows (filesort, Sort, temp B-tree for ORDER BY)
 *   temporary-table  a temporary table (GROUP BY / DISTINCT / UNION)
 *   rows-examined    rows read ≫ rows kept (≥ 10x, ≥ 1000 read), not on full scans
 *   bad-estimate     ANALYZE only: estimate off by ≥ 10x, ≥ 100 rows on the larger side
 *   sort-spill       a sort that went to disk
 *   hash-spill       a hash join / aggregate that ran in batches on disk
 *   nested-loop      a full scan repeated ≥ 1000 times, or a nested loop
 *                    reading ≥ 100k inner rows in all
 */
struct plan_issue {
	const char *rule;
	enum pa_severity severity;
	const struct plan_node *node;
	const char *message; /* one line with the numbers; in the plan's arena */
};

/*
 * Find the plan's issues: the first min(total, cap) of them, most severe
 * first (tree order among equals), go to out (which may be NULL when cap is
 * 0). Returns the total found. Messages are allocated in p's arena, so
 * calling it again allocates again.
 */
size_t plan_issues(struct plan *p, struct plan_issue *out, size_t cap);

/* {"rule", "severity", "node" (id), "relation" (when any), "message"}: a new reference. */
json_t *plan_issue_to_json(const struct plan_issue *is);

/* "full-scan", "filesort", ... for a PLAN_* flag; NULL for an unknown one. */
const char *plan_flag_name(unsigned flag);

/*
 * For the readers in plan_*.c only — not for callers.
 */
struct plan_node *plan_node_new_(struct plan *p, const char *op);
int plan_node_add_(struct plan *p, struct plan_node *parent, struct plan_node *kid, struct perr *e);
void plan_reset_(struct plan *p, enum db_kind kind, enum plan_format format);
/* Number the nodes, set parents, fill total_cost; -1 with e set when deeper than PLAN_MAX_DEPTH. */
int plan_finish_(struct plan *p, struct perr *e);
/* Estimate loops of nested-loop inner sides from the outer sides' estimates (PLAN_EST_LOOPS). */
void plan_estimate_loops_(struct plan *p);
/* A JSON number, or a string holding one (MySQL writes "100.00"); dflt when neither. */
double plan_jnum_(const json_t *obj, const char *key, double dflt);
/* A JSON string value copied into the arena, NULL when absent or not a string. */
const char *plan_jstr_(struct plan *p, const json_t *obj, const char *key);
/* Skip leading white space and one "EXPLAIN:" / "ANALYZE:" label. */
const char *plan_skip_label_(const char *s, const char *end);
/*
 * Parse text (after plan_skip_label_) as JSON, numbers as reals. NULL with
 * e set ("reading the <what>: ...; pass <hint>") for empty or invalid input.
 */
json_t *plan_json_load_(const char *text, size_t len, const char *what, const char *hint, struct perr *e);

#define PLAN_MAX_DEPTH 200
#define PLAN_MAX_NODES 100000

#endif
