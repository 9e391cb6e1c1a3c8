/*
 * sqlcols: which columns a statement filters, joins, sorts and groups on.
 *
 * Index advice starts from these: the columns compared with a value in
 * WHERE / ON / HAVING (by equality or by range), those two tables are
 * joined on, and those of ORDER BY and GROUP BY, each with its table
 * (aliases resolved through FROM / JOIN / UPDATE / INTO). It is a
 * best-effort reading of the token stream, not a parser: what it cannot
 * place (a column inside a function, an expression, an unqualified column
 * when several tables are in play) it leaves out or leaves without a table
 * rather than guess. Names are spans of the caller's text; nothing is kept
 * after the call but the struct the caller owns.
 */
#ifndef PA_SQL_SQLCOLS_H
#define PA_SQL_SQLCOLS_H

#include <stddef.h>

enum sqlcols_role {
	SQLCOLS_WHERE_EQ,    /* col = v, col IN (...), col IS NULL, col <=> v */
	SQLCOLS_WHERE_RANGE, /* <, <=, >, >=, BETWEEN, LIKE, !=, NOT IN, IS NOT NULL, REGEXP */
	SQLCOLS_JOIN,        /* a.col = b.col (ON, WHERE), USING (col) */
	SQLCOLS_ORDER,       /* ORDER BY col */
	SQLCOLS_GROUP,       /* GROUP BY col */
};

/* Reference flags. */
#define SQLCOLS_LEADING_WILDCARD 0x1 /* LIKE '%x', REGEXP, ~: no fixed prefix for an index */
#define SQLCOLS_NEGATED 0x2          /* !=, <>, NOT IN, NOT LIKE, NOT BETWEEN, IS NOT NULL */
#define SQLCOLS_DESC 0x4             /* ORDER BY col DESC */
#define SQLCOLS_HAVING 0x8           /* the comparison is in HAVING */

/* A name as written, quotes taken off (a doubled quote inside stays doubled); len 0: none. */
struct sqlcols_name {
	const char *s;
	size_t len;
};

struct sqlcols_table {
	struct sqlcols_name schema; /* db in db.tbl */
	struct sqlcols_name name;   /* len 0 for a derived table: (SELECT ...) AS alias */
	struct sqlcols_name alias;
};

struct sqlcols_ref {
	struct sqlcols_name schema; /* as resolved: from db.tbl.col or the table's entry */
	struct sqlcols_name table;  /* len 0 when it cannot be told */
	struct sqlcols_name column;
	enum sqlcols_role role;
	unsigned flags;
};

#define SQLCOLS_MAX_TABLES 32
#define SQLCOLS_MAX_REFS 128
#define SQLCOLS_MAX_TOKENS 65536 /* longer statements are read up to here */

struct sqlcols {
	struct sqlcols_table tables[SQLCOLS_MAX_TABLES];
	size_t ntables;
	struct sqlcols_ref refs[SQLCOLS_MAX_REFS];
	size_t nrefs;
	int truncated; /* tables, references or tokens beyond the limits were dropped */
};

/*
 * Fill *out with the tables and column references of sql[0..len), read
 * with the SQLTOK_* dialect flags (SQLTOK_ANY when the origin is unknown).
 * References come in text order; the same column may appear more than once.
 */
void sqlcols_extract(const char *sql, size_t len, unsigned dialect, struct sqlcols *out);

/* "where_eq", "where_range", "join", "order", "group". */
const char *sqlcols_role_name(enum sqlcols_role role);

#endif
