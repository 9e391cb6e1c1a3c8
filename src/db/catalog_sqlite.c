/*
 * catalog_sqlite: the catalog of a SQLite file, through the pragma
 * table-valued functions joined against sqlite_master, so each kind of
 * fact is one statement however many tables there are:
 *
 *   tables       sqlite_master + pragma_table_info (primary key)
 *   indexes      pragma_index_list x pragma_index_info
 *   foreign keys pragma_foreign_key_list
 *   sizes        the dbstat virtual table (when compiled in)
 *   rows         sqlite_stat1 (after ANALYZE), else counted exactly
 *
 * SQLite keeps no statement or index-use statistics and has no server
 * settings; the notes say so once.
 */
#include "catalog.h"
#include "catalog_int.h"

#include "../core/buf.h"

#include <stdlib.h>
#include <string.h>

/*
 * Ordinary tables: not SQLite's own, not virtual tables (FTS5, R*Tree, a
 * module that may not even be loaded here) nor their shadow tables, which
 * have no indexes or keys to judge and no fix that would not break them.
 */
#define USER_TABLES                                                                                         \
	"m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL%' "             \
	"AND m.name NOT IN (SELECT tl.name FROM pragma_table_list AS tl WHERE tl.schema = 'main' "         \
	"AND tl.type IN ('shadow', 'virtual'))"

static int read_tables(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	/* A rowid table's INTEGER PRIMARY KEY has no index of its own; pk > 0 in table_info tells. */
	if (dbc_query(c, cat, "tables",
		      "SELECT m.name, (SELECT max(ti.pk) FROM pragma_table_info(m.name) AS ti) AS pk, "
		      "(SELECT ti.name FROM pragma_table_info(m.name) AS ti WHERE ti.pk = 1 AND upper(ti.type) = 'INTEGER' "
		      " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) AS t2 WHERE t2.pk > 1)) AS rowid_col, "
		      "m.sql LIKE '%WITHOUT ROWID%' AS without_rowid, "
		      "(SELECT ti.name FROM pragma_table_info(m.name) AS ti WHERE ti.name = 'id') AS id_col "
		      "FROM sqlite_master AS m WHERE " USER_TABLES " ORDER BY m.name",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->tables = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->tables);
	const char **rowid_cols = xcalloc(r.nrows + 1, sizeof *rowid_cols);
	for (size_t i = 0; i < r.nrows; i++) {
		if (!db_cell(&r, i, 0))
			continue;
		struct dbc_table *t = &cat->tables[cat->ntables++];
		dbc_table_init(t);
		t->name = dbc_str(cat, db_cell(&r, i, 0));
		t->has_pk = db_getll(&r, i, "pk", 0) > 0;
		t->id_col = dbc_str(cat, db_get(&r, i, "id_col"));
		const char *rc = db_get(&r, i, "rowid_col");
		if (rc && db_getll(&r, i, "without_rowid", 0) == 0)
			rowid_cols[i] = dbc_str(cat, rc);
	}
	/*
	 * An INTEGER PRIMARY KEY is the rowid: the table is ordered by it and
	 * has no index of its own for it. It is listed as a primary index named
	 * "(rowid)" so lookups by it count as covered and an extra index on it
	 * shows up as the duplicate it is.
	 */
	size_t nrowid = 0;
	for (size_t i = 0; i < r.nrows; i++)
		nrowid += rowid_cols[i] != NULL;
	if (nrowid) {
		cat->indexes = arena_calloc(&cat->arena, nrowid, sizeof *cat->indexes);
		for (size_t i = 0; i < r.nrows; i++)
			if (rowid_cols[i]) {
				struct dbc_index *x = &cat->indexes[cat->nindexes++];
				dbc_index_init(x);
				x->table = dbc_str(cat, db_cell(&r, i, 0));
				x->name = "(rowid)";
				x->primary = x->unique = x->backs_constraint = 1;
				x->cols = arena_calloc(&cat->arena, 1, sizeof *x->cols);
				x->cols[0] = rowid_cols[i];
				x->ncols = 1;
			}
	}
	free(rowid_cols);
	db_rows_free(&r);
	return 0;
}

static int read_indexes(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "indexes",
		      "SELECT m.name AS tbl, il.name AS idx, il.\"unique\" AS uniq, il.origin, il.partial, ii.name AS col, "
		      "ii.coll, ii.\"desc\" AS descending "
		      "FROM sqlite_master AS m, pragma_index_list(m.name) AS il, pragma_index_xinfo(il.name) AS ii "
		      "WHERE " USER_TABLES " AND ii.key = 1 ORDER BY m.name, il.name, ii.seqno",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	/* After the rowid pseudo-indexes read with the tables. */
	struct dbc_index *all = arena_calloc(&cat->arena, cat->nindexes + r.nrows + 1, sizeof *all);
	if (cat->nindexes)
		memcpy(all, cat->indexes, cat->nindexes * sizeof *all);
	cat->indexes = all;
	for (size_t i = 0; i < r.nrows;) {
		const char *tbl = db_cell(&r, i, 0), *name = db_cell(&r, i, 1);
		size_t j = dbc_run_end(&r, i);
		if (j == i) { /* a row without a table or key name: skip it */
			i++;
			continue;
		}
		struct dbc_index *x = &cat->indexes[cat->nindexes++];
		dbc_index_init(x);
		x->table = dbc_str(cat, tbl);
		x->name = dbc_str(cat, name);
		x->unique = db_getll(&r, i, "uniq", 0) == 1;
		const char *origin = db_get(&r, i, "origin");
		x->primary = origin && strcmp(origin, "pk") == 0;
		x->backs_constraint = origin && strcmp(origin, "c") != 0; /* pk or UNIQUE constraint */
		x->partial = db_getll(&r, i, "partial", 0) == 1;
		x->cols = arena_calloc(&cat->arena, j - i, sizeof *x->cols);
		for (size_t k = i; k < j; k++) {
			const char *col = db_get(&r, k, "col"), *coll = db_get(&r, k, "coll");
			/* an expression part is never equal to another index's */
			x->cols[x->ncols++] = col ? dbc_str(cat, col)
						  : arena_printf(&cat->arena, "(expression %zu of %s)", k - i + 1, name);
			if (db_getll(&r, k, "descending", 0) || (coll && strcmp(coll, "BINARY") != 0))
				x->variant = arena_printf(&cat->arena, "%s%s%s %s%s", x->variant ? x->variant : "",
							  x->variant ? ", " : "", col ? col : "(expression)",
							  coll ? coll : "", db_getll(&r, k, "descending", 0) ? " DESC" : "");
		}
		i = j;
	}
	db_rows_free(&r);
	return 0;
}

static int read_fks(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "foreign keys",
		      "SELECT m.name AS tbl, fk.id, fk.\"table\" AS ref, fk.\"from\" AS col, fk.\"to\" AS refcol "
		      "FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS fk "
		      "WHERE " USER_TABLES " ORDER BY m.name, fk.id, fk.seq",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->fks = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->fks);
	for (size_t i = 0; i < r.nrows;) {
		const char *tbl = db_cell(&r, i, 0), *id = db_cell(&r, i, 1);
		size_t j = dbc_run_end(&r, i);
		if (j == i) { /* a row without a table or key name: skip it */
			i++;
			continue;
		}
		struct dbc_fk *f = &cat->fks[cat->nfks++];
		f->table = dbc_str(cat, tbl);
		f->name = arena_printf(&cat->arena, "%s_fk%s", tbl, id);
		f->ref_table = dbc_str(cat, db_get(&r, i, "ref"));
		f->cols = arena_calloc(&cat->arena, j - i, sizeof *f->cols);
		f->ref_cols = arena_calloc(&cat->arena, j - i, sizeof *f->ref_cols);
		for (size_t k = i; k < j; k++) {
			const char *col = db_get(&r, k, "col"), *rc = db_get(&r, k, "refcol");
			f->cols[f->ncols] = dbc_str(cat, col ? col : "?");
			/* "to" is NULL when the key references the parent's primary key implicitly. */
			f->ref_cols[f->ncols++] = dbc_str(cat, rc ? rc : "(primary key)");
		}
		i = j;
	}
	db_rows_free(&r);
	return 0;
}

static int read_sizes(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "sizes", "SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name", &r, e);
	if (rc == 0) {
		for (size_t i = 0; i < cat->ntables; i++)
			cat->tables[i].index_bytes = 0;
		for (size_t i = 0; i < r.nrows; i++) {
			const char *n = db_cell(&r, i, 0);
			long long b = db_getll(&r, i, "bytes", -1);
			if (!n)
				continue;
			struct dbc_table *t = dbc_table_at(cat, n);
			if (t) {
				t->data_bytes = b;
				continue;
			}
			for (size_t k = 0; k < cat->nindexes; k++)
				if (strcmp(cat->indexes[k].name, n) == 0) {
					cat->indexes[k].bytes = b;
					struct dbc_table *it = dbc_table_at(cat, cat->indexes[k].table);
					if (it && b > 0)
						it->index_bytes += b;
				}
		}
	}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

static int read_rows(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	if (o->exact)
		return dbc_count_exact(c, cat, e);
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "row estimates",
				    "SELECT tbl, idx, stat FROM sqlite_stat1", &r, e);
	int missing = 0;
	if (rc == 0) {
		for (size_t i = 0; i < r.nrows; i++) {
			const char *t = db_cell(&r, i, 0), *stat = db_cell(&r, i, 2), *idx = db_cell(&r, i, 1);
			struct dbc_table *tb = t ? dbc_table_at(cat, t) : NULL;
			if (!tb || !stat)
				continue;
			tb->rows = strtod(stat, NULL); /* the first number is the row count */
			for (size_t k = 0; idx && k < cat->nindexes; k++)
				if (strcmp(cat->indexes[k].name, idx) == 0) {
					/* "N a b ...": rows per distinct key prefix; the last is the full key's */
					const char *p = stat, *last = NULL;
					while ((p = strchr(p, ' ')))
						last = ++p;
					double per = last ? strtod(last, NULL) : 0;
					if (per > 0)
						cat->indexes[k].cardinality = tb->rows / per;
				}
		}
	}
	db_rows_free(&r);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < cat->ntables; i++)
		missing += cat->tables[i].rows < 0;
	if (!missing)
		return 0;
	/* No statistics (ANALYZE never ran): count; SQLite counts from the smallest index. */
	dbc_note(cat, "row counts: no sqlite_stat1 statistics for %d table%s, counted exactly; "
		      "run ANALYZE so the query planner has statistics too", missing, missing == 1 ? "" : "s");
	return dbc_count_exact(c, cat, e);
}

int dbc_read_sqlite(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	cat->names_ci = 1; /* SQLite compares identifiers without regard to ASCII case */
	if (read_tables(c, cat, e) || read_indexes(c, cat, e) || read_fks(c, cat, e))
		return -1;
	for (size_t i = 0; i < cat->nindexes; i++)
		if (cat->indexes[i].primary) {
			struct dbc_table *t = dbc_table_at(cat, cat->indexes[i].table);
			if (t)
				t->has_pk = 1;
		}
	if (read_sizes(c, cat, e) || read_rows(c, o, cat, e))
		return -1;
	dbc_note(cat, "statement statistics and index use: SQLite keeps none; digest the application's "
		      "query log (perfagent digest) or explain single statements (perfagent explain)");
	return 0;
}
