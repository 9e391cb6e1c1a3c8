/*
 * audit: catalog in, findings out (the rule list is in audit.h). Every
 * rule works on the shared catalog model, so MySQL, PostgreSQL and SQLite
 * get the same judgement; only the SQL of a fix is written per dialect.
 *
 * Rules are cautious where the evidence is weak: an index is called unused
 * only when the server counts index use and its table has been read since
 * (a fresh server, or a table nobody queries, proves nothing), and a
 * unique index is never called redundant (it enforces something).
 */
#include "audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/buf.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../sql/sqlcols.h"
#include "../sql/sqltok.h"

void dba_opts_default(struct dba_opts *o, const struct budgets *b)
{
	memset(o, 0, sizeof *o);
	o->budgets = b;
	o->large_rows = 100000;
	o->large_bytes = 1LL << 30;
	o->nplus1_calls = 100;
}

/* Column names: case-insensitive in MySQL and SQLite, exact in PostgreSQL (as the catalog spells them). */
static int col_eq(enum db_kind k, const char *a, const char *b)
{
	return k == DB_PG ? strcmp(a, b) == 0 : strcasecmp(a, b) == 0;
}

/* Table names: as the server compares them (MySQL on Linux: case-sensitive). */
static int tbl_eq(const struct dbc_catalog *cat, const char *a, const char *b)
{
	return cat->names_ci ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* Two variants (NULL: plain) are the same. */
static int same_variant(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The bare table name (after a schema prefix), for index names. */
static const char *bare(const char *table)
{
	const char *dot = strrchr(table, '.');
	return dot ? dot + 1 : table;
}

char *dba_index_name(struct arena *a, const char *table, const char *const *cols, size_t ncols)
{
	struct buf b = {0};
	buf_puts(&b, "idx_");
	buf_puts(&b, bare(table));
	for (size_t i = 0; i < ncols; i++) {
		buf_putc(&b, '_');
		buf_puts(&b, cols[i]);
	}
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	for (char *p = s; *p; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
			ch = '_';
		*p = ch;
	}
	if (strlen(s) > 63)
		s[63] = '\0';
	return s;
}

/* A table name as it goes into SQL: PostgreSQL's regclass text is already quoted as needed. */
static const char *tbl_sql(struct arena *a, enum db_kind kind, const char *table)
{
	return kind == DB_PG ? table : db_ident(a, kind, table);
}

char *dba_create_index_sql(struct arena *a, enum db_kind kind, const char *table, const char *const *cols,
			   size_t ncols)
{
	struct buf b = {0};
	buf_printf(&b, "CREATE INDEX %s ON %s (", db_ident(a, kind, dba_index_name(a, table, cols, ncols)),
		   tbl_sql(a, kind, table));
	for (size_t i = 0; i < ncols; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", db_ident(a, kind, cols[i]));
	buf_puts(&b, ");");
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

static char *drop_index_sql(struct arena *a, enum db_kind kind, const struct dbc_index *x)
{
	if (kind == DB_MYSQL)
		return arena_printf(a, "ALTER TABLE %s DROP INDEX %s;", db_ident(a, kind, x->table),
				    db_ident(a, kind, x->name));
	/* PostgreSQL: the catalog gives the name schema-qualified and quoted as SQL needs it. */
	return arena_printf(a, "DROP INDEX %s;", x->sql_name ? x->sql_name : db_ident(a, kind, x->name));
}

static char *cols_list(struct arena *a, const char *const *cols, size_t n)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", cols[i]);
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

static json_t *cols_json(const char *const *cols, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jsonx_string(cols[i]));
	return a;
}

static int is_btree(const struct dbc_index *x)
{
	return !x->method || strcmp(x->method, "btree") == 0;
}

/* 1 when the first n columns of x are exactly the set cols (in any order). */
static int leads_with_set(enum db_kind k, const struct dbc_index *x, const char *const *cols, size_t n)
{
	if (x->ncols < n || x->partial || !is_btree(x))
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < n; j++)
			if (col_eq(k, x->cols[j], cols[i]))
				break;
		if (j == n)
			return 0;
	}
	return 1;
}

static const struct dbc_table *table_of(const struct dbc_catalog *cat, const char *name)
{
	return dbc_table_find(cat, name);
}

static double rows_of(const struct dbc_catalog *cat, const char *table)
{
	const struct dbc_table *t = table_of(cat, table);
	return t ? t->rows : -1;
}

static void set_score(struct pa_finding *f, double v)
{
	f->impact_score = v;
	f->has_impact_score = 1;
}

static void fmt_bytes(long long bytes, char *out, size_t n)
{
	dba_fmt_bytes(bytes < 0 ? 0 : (double)bytes, out, n);
}

static void rule_tables(const struct dbc_catalog *cat, const struct dba_opts *o, struct pa_result *r,
			struct arena *a)
{
	for (size_t i = 0; i < cat->ntables; i++) {
		const struct dbc_table *t = &cat->tables[i];
		long long bytes = (t->data_bytes > 0 ? t->data_bytes : 0) + (t->index_bytes > 0 ? t->index_bytes : 0);
		char rows[32], size[32];
		fmt_num(t->rows < 0 ? 0 : t->rows, rows, sizeof rows);
		fmt_bytes(bytes, size, sizeof size);
		if ((t->rows >= o->large_rows) || bytes >= o->large_bytes) {
			struct pa_finding *f = result_add_finding(
				r, "large-table", PA_SEV_INFO,
				arena_printf(a, "Large table %s: %s rows%s, %s", t->name, rows, t->rows_exact ? "" : " (estimated)", size));
			f->location.table = result_str(r, t->name);
			f->evidence = json_pack("{s:f, s:b, s:I, s:I}", "rows", t->rows, "rows_exact", t->rows_exact,
						"data_bytes", (json_int_t)t->data_bytes, "index_bytes", (json_int_t)t->index_bytes);
			f->problem = result_str(r, "Full scans and unindexed joins on this table cost the most; "
						   "its queries need indexes that match their filters.");
			f->solution = result_str(r, arena_printf(a, "-- check the plans of the queries that read %s:\n"
								    "-- perfagent explain DSN 'SELECT ... FROM %s WHERE ...'",
								 t->name, t->name));
			set_score(f, t->rows);
		}
		int has_index = 0;
		for (size_t k = 0; k < cat->nindexes && !has_index; k++)
			has_index = tbl_eq(cat, cat->indexes[k].table, t->name);
		/* A SQLite rowid table with INTEGER PRIMARY KEY is indexed by its rowid. */
		if (!has_index && !t->has_pk) {
			enum pa_severity sev = t->rows >= 1000 ? PA_SEV_MEDIUM : PA_SEV_LOW;
			struct pa_finding *f = result_add_finding(
				r, "no-index", sev, arena_printf(a, "Table %s has no index at all (%s rows)", t->name, rows));
			f->location.table = result_str(r, t->name);
			f->evidence = json_pack("{s:f, s:i}", "rows", t->rows, "indexes", 0);
			f->problem = result_str(r, arena_printf(a, "Every query on %s reads the whole table; a lookup "
								   "costs as much as a scan of %s rows.",
								t->name, rows));
			f->solution = result_str(
				r, arena_printf(a, "-- index the columns its queries filter on, for example:\n"
						   "-- CREATE INDEX %s ON %s (created_at);\n"
						   "-- perfagent explain DSN 'SELECT ... FROM %s WHERE ...' proposes the exact one",
						db_ident(a, cat->kind, arena_printf(a, "idx_%s_created_at", bare(t->name))),
						tbl_sql(a, cat->kind, t->name), t->name));
			f->impact = result_str(r, "full scan on every read");
			set_score(f, t->rows);
		}
		if (!t->has_pk) {
			struct pa_finding *f = result_add_finding(r, "no-primary-key", PA_SEV_MEDIUM,
								  arena_printf(a, "Table %s has no primary key", t->name));
			f->location.table = result_str(r, t->name);
			f->evidence = json_pack("{s:f}", "rows", t->rows);
			const char *ts = tbl_sql(a, cat->kind, t->name);
			/*
			 * The fix must run: make an existing auto-increment / identity
			 * column the key, else an existing id column (when it is unique
			 * and NOT NULL), else add one under a name that is not taken.
			 */
			const char *key = t->auto_col ? t->auto_col : t->id_col;
			const char *newcol = t->id_col ? arena_printf(a, "%s_id", bare(t->name)) : "id";
			const char *part = t->partitioned ? "\n-- a partitioned table's key must include the partition key columns" : "";
			const char *fix;
			if (cat->kind == DB_SQLITE)
				fix = NULL;
			else if (key)
				fix = arena_printf(a, "ALTER TABLE %s ADD PRIMARY KEY (%s);%s%s", ts, db_ident(a, cat->kind, key),
						   t->auto_col ? "" : "\n-- if it is unique and NOT NULL; else add a key column", part);
			else if (cat->kind == DB_MYSQL)
				fix = arena_printf(a, "ALTER TABLE %s ADD COLUMN %s BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;\n"
						      "-- or, when a column is already unique and NOT NULL: ALTER TABLE %s ADD PRIMARY KEY (col);",
						   ts, db_ident(a, cat->kind, newcol), ts);
			else
				fix = arena_printf(a, "ALTER TABLE %s ADD COLUMN %s bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;\n"
						      "-- or, when a column is already unique and NOT NULL: ALTER TABLE %s ADD PRIMARY KEY (col);%s",
						   ts, db_ident(a, cat->kind, newcol), ts, part);
			if (cat->kind == DB_MYSQL) {
				f->problem = result_str(r, "InnoDB clusters rows by a hidden 6-byte key it shares across "
							   "tables; row-based replication must scan to find each row; "
							   "rows cannot be addressed for updates.");
			} else if (cat->kind == DB_PG) {
				f->problem = result_str(r, "Rows cannot be addressed reliably for updates and deletes, "
							   "logical replication cannot replicate them, and duplicates creep in.");
			} else {
				f->problem = result_str(r, "Rows are addressed only by an unstable rowid (VACUUM may "
							   "renumber it) and duplicates creep in.");
				const char *nw = db_ident(a, cat->kind, arena_printf(a, "%s_new", bare(t->name)));
				fix = arena_printf(a, "-- SQLite cannot add a primary key in place; rebuild the table:\n"
						      "CREATE TABLE %s (%s INTEGER PRIMARY KEY, ...the columns of %s...);\n"
						      "INSERT INTO %s SELECT NULL, * FROM %s;\n"
						      "DROP TABLE %s;\nALTER TABLE %s RENAME TO %s;",
						   nw, db_ident(a, cat->kind, newcol), ts, nw, ts, ts, nw, ts);
			}
			f->solution = result_str(r, fix);
			set_score(f, t->rows);
		}
	}
}

/*
 * Two indexes on the same key, method and variant; keep the one that
 * enforces something, else the used one, else the first by name.
 */
static void rule_duplicates(const struct dbc_catalog *cat, struct pa_result *r, struct arena *a, char *dropped,
			    char *kept)
{
	for (size_t i = 0; i < cat->nindexes; i++) {
		const struct dbc_index *x = &cat->indexes[i];
		for (size_t j = 0; j < cat->nindexes; j++) {
			const struct dbc_index *y = &cat->indexes[j];
			if (i == j || dropped[i] || dropped[j] || !tbl_eq(cat, x->table, y->table))
				continue;
			if (x->ncols != y->ncols || x->partial || y->partial || !same_variant(x->variant, y->variant))
				continue;
			if ((x->method == NULL) != (y->method == NULL) || (x->method && strcmp(x->method, y->method)))
				continue;
			size_t k;
			for (k = 0; k < x->ncols && col_eq(cat->kind, x->cols[k], y->cols[k]); k++)
				;
			if (k < x->ncols)
				continue;
			/* y is dropped when x is at least as strong: primary > unique/constraint > plain; then by name. */
			int sx = x->primary * 4 + (x->unique || x->backs_constraint) * 2;
			int sy = y->primary * 4 + (y->unique || y->backs_constraint) * 2;
			/* Equal strength: keep the one the server uses (when it counts), then the first by name. */
			if (sy == sx && x->usage_known && y->usage_known && x->scans != y->scans)
				sy += y->scans > x->scans;
			else if (sy == sx && strcmp(y->name, x->name) < 0)
				continue;
			if (sy > sx)
				continue;
			if (y->primary || (sy == sx && y->backs_constraint))
				continue; /* both enforce something: dropping needs a constraint change, left to a human */
			dropped[j] = 1;
			kept[i] = 1; /* the one left does the work of both: never also "unused" */
			struct pa_finding *f = result_add_finding(
				r, "duplicate-index", PA_SEV_MEDIUM,
				arena_printf(a, "Index %s on %s duplicates %s (%s)", y->name, y->table, x->name,
					     cols_list(a, y->cols, y->ncols)));
			f->location.table = result_str(r, y->table);
			f->location.index = result_str(r, y->name);
			f->evidence = json_pack("{s:o, s:s, s:I}", "columns", cols_json(y->cols, y->ncols), "same_as", x->name,
						"bytes", (json_int_t)y->bytes);
			f->problem = result_str(r, "Every insert, update and delete maintains both indexes; the "
						   "planner can only ever use one of them.");
			f->solution = result_str(r, drop_index_sql(a, cat->kind, y));
			f->impact = result_str(r, "write cost and disk for nothing");
			set_score(f, (double)(y->bytes > 0 ? y->bytes : 1));
		}
	}
}

/*
 * Does the server's counting say x is unused, with evidence: use is
 * counted, x was never used, it enforces nothing, and its table was read
 * at least 10 times (an index build's own scans, or a table nobody
 * queries, prove nothing) and holds rows. *reads gets the table's reads.
 */
static int unused_evidence(const struct dbc_catalog *cat, const struct dbc_index *x, long long *reads)
{
	*reads = 0;
	if (!x->usage_known || x->scans > 0 || x->unique || x->primary || x->backs_constraint)
		return 0;
	const struct dbc_table *t = table_of(cat, x->table);
	if (!t || t->rows == 0)
		return 0;
	*reads = (t->seq_scan > 0 ? t->seq_scan : 0) + (t->idx_scan > 0 ? t->idx_scan : 0);
	return *reads >= 10;
}

/*
 * A plain B-tree index whose columns are a left prefix of another plain
 * one's. The wider index is then marked kept: it takes over the narrow
 * one's lookups, so it must not be proposed for dropping as unused. When
 * both are unused the unused rule reports both instead (dropping the
 * narrow one for a wider one that goes too would be wrong advice).
 */
static void rule_redundant(const struct dbc_catalog *cat, struct pa_result *r, struct arena *a, char *dropped,
			   char *kept)
{
	for (size_t i = 0; i < cat->nindexes; i++) {
		const struct dbc_index *x = &cat->indexes[i];
		if (dropped[i] || x->unique || x->primary || x->backs_constraint || x->partial || x->variant ||
		    !is_btree(x))
			continue;
		for (size_t j = 0; j < cat->nindexes; j++) {
			const struct dbc_index *y = &cat->indexes[j];
			if (i == j || dropped[j] || !tbl_eq(cat, x->table, y->table) || y->ncols <= x->ncols ||
			    y->partial || y->variant || !is_btree(y))
				continue;
			size_t k;
			for (k = 0; k < x->ncols && col_eq(cat->kind, x->cols[k], y->cols[k]); k++)
				;
			if (k < x->ncols)
				continue;
			long long rx, ry;
			if (!kept[j] && unused_evidence(cat, x, &rx) && unused_evidence(cat, y, &ry))
				break; /* both unused: the unused rule speaks for both */
			dropped[i] = 1;
			kept[j] = 1;
			struct pa_finding *f = result_add_finding(
				r, "redundant-index", PA_SEV_LOW,
				arena_printf(a, "Index %s on %s (%s) is a left prefix of %s (%s)", x->name, x->table,
					     cols_list(a, x->cols, x->ncols), y->name, cols_list(a, y->cols, y->ncols)));
			f->location.table = result_str(r, x->table);
			f->location.index = result_str(r, x->name);
			f->evidence = json_pack("{s:o, s:s, s:o, s:I}", "columns", cols_json(x->cols, x->ncols), "covered_by",
						y->name, "covered_by_columns", cols_json(y->cols, y->ncols), "bytes",
						(json_int_t)x->bytes);
			f->problem = result_str(r, arena_printf(a, "Any lookup %s serves, %s serves as well; the "
								   "narrower index only adds write cost. Keep %s.",
								x->name, y->name, y->name));
			f->solution = result_str(r, drop_index_sql(a, cat->kind, x));
			f->impact = result_str(r, "write cost and disk for nothing");
			set_score(f, (double)(x->bytes > 0 ? x->bytes : 1));
			break;
		}
	}
}

static void rule_unused(const struct dbc_catalog *cat, struct pa_result *r, struct arena *a, const char *dropped,
			const char *kept)
{
	for (size_t i = 0; i < cat->nindexes; i++) {
		const struct dbc_index *x = &cat->indexes[i];
		long long reads;
		if (dropped[i] || kept[i] || !unused_evidence(cat, x, &reads))
			continue;
		/*
		 * The only index that leads with a foreign key's columns is needed by
		 * the key (MySQL requires it; elsewhere deletes in the parent scan
		 * without it), used or not.
		 */
		int backs_fk = 0;
		for (size_t k = 0; k < cat->nfks; k++)
			if (tbl_eq(cat, cat->fks[k].table, x->table) &&
			    leads_with_set(cat->kind, x, cat->fks[k].cols, cat->fks[k].ncols)) {
				int other = 0;
				for (size_t m = 0; m < cat->nindexes; m++)
					if (m != i && !dropped[m] && tbl_eq(cat, cat->indexes[m].table, x->table) &&
					    leads_with_set(cat->kind, &cat->indexes[m], cat->fks[k].cols, cat->fks[k].ncols))
						other = 1;
				backs_fk |= !other;
			}
		if (backs_fk)
			continue;
		char age[32] = "an unknown time";
		if (cat->server.uptime_s >= 0)
			fmt_ms(cat->server.uptime_s * 1000, age, sizeof age);
		const char *unit = cat->kind == DB_MYSQL ? "rows read" : "scans";
		struct pa_finding *f = result_add_finding(
			r, "unused-index", PA_SEV_LOW,
			arena_printf(a, "Index %s on %s has not been used in %s, while its table had %lld %s", x->name,
				     x->table, age, reads, unit));
		f->location.table = result_str(r, x->table);
		f->location.index = result_str(r, x->name);
		f->evidence = json_pack("{s:I, s:I, s:s, s:f, s:I}", "index_uses", (json_int_t)x->scans, "table_reads",
					(json_int_t)reads, "counted_as", unit, "stats_age_s", cat->server.uptime_s, "bytes",
					(json_int_t)x->bytes);
		f->problem = result_str(r, arena_printf(a, "Use is counted since the server started or its statistics "
							   "were reset (%s ago). An index used only by a monthly job "
							   "looks unused too: check before dropping.",
							age));
		f->solution = result_str(r, drop_index_sql(a, cat->kind, x));
		set_score(f, (double)(x->bytes > 0 ? x->bytes : 1));
	}
}

static void rule_fks(const struct dbc_catalog *cat, struct pa_result *r, struct arena *a)
{
	for (size_t i = 0; i < cat->nfks; i++) {
		const struct dbc_fk *fk = &cat->fks[i];
		int covered = 0;
		for (size_t k = 0; k < cat->nindexes && !covered; k++)
			covered = tbl_eq(cat, cat->indexes[k].table, fk->table) &&
				  leads_with_set(cat->kind, &cat->indexes[k], fk->cols, fk->ncols);
		/* SQLite: a single-column INTEGER PRIMARY KEY has no index entry but is the rowid. */
		if (covered)
			continue;
		double rows = rows_of(cat, fk->table);
		enum pa_severity sev = rows >= 100000 ? PA_SEV_HIGH : PA_SEV_MEDIUM;
		const char *cl = cols_list(a, fk->cols, fk->ncols);
		struct pa_finding *f = result_add_finding(
			r, "fk-without-index", sev,
			arena_printf(a, "Foreign key %s.%s -> %s has no index", fk->table, cl, fk->ref_table));
		f->location.table = result_str(r, fk->table);
		f->evidence = json_pack("{s:s, s:o, s:s, s:f}", "constraint", fk->name, "columns", cols_json(fk->cols, fk->ncols),
					"references", fk->ref_table ? fk->ref_table : "", "rows", rows);
		char rs[32];
		fmt_num(rows < 0 ? 0 : rows, rs, sizeof rs);
		f->problem = result_str(r, arena_printf(a, "Joins from %s to %s and lookups by %s scan all %s rows of %s, "
							   "and every delete or key update in %s scans %s to check the key.",
							fk->ref_table, fk->table, cl, rs, fk->table, fk->ref_table, fk->table));
		f->solution = result_str(r, dba_create_index_sql(a, cat->kind, fk->table, fk->cols, fk->ncols));
		f->impact = result_str(r, arena_printf(a, "a scan of %s rows per lookup", rs));
		set_score(f, rows);
	}
}

static void rule_seq_scans(const struct dbc_catalog *cat, const struct dba_opts *o, struct pa_result *r,
			   struct arena *a)
{
	if (cat->kind != DB_PG)
		return;
	for (size_t i = 0; i < cat->ntables; i++) {
		const struct dbc_table *t = &cat->tables[i];
		if (t->seq_scan < 5 || t->rows < o->large_rows / 10 || t->seq_tup_read < 0)
			continue;
		double per = (double)t->seq_tup_read / (double)t->seq_scan;
		long long idx = t->idx_scan > 0 ? t->idx_scan : 0;
		if (per < 10000 || t->seq_scan < idx)
			continue;
		enum pa_severity sev = t->rows >= o->large_rows ? PA_SEV_HIGH : PA_SEV_MEDIUM;
		char ps[32];
		fmt_num(per, ps, sizeof ps);
		struct pa_finding *f = result_add_finding(
			r, "full-table-scans", sev,
			arena_printf(a, "Table %s is read by %lld sequential scans of %s rows each (%lld index scans)", t->name,
				     t->seq_scan, ps, idx));
		f->location.table = result_str(r, t->name);
		f->evidence = json_pack("{s:I, s:I, s:I, s:f}", "seq_scan", (json_int_t)t->seq_scan, "seq_tup_read",
					(json_int_t)t->seq_tup_read, "idx_scan", (json_int_t)idx, "rows", t->rows);
		f->problem = result_str(r, "Queries on this table filter on columns no index leads with.");
		f->solution = result_str(
			r, arena_printf(a, "-- find the statements that scan %s (pg_stat_statements, or perfagent digest "
					   "of the log) and index their filters:\n"
					   "-- perfagent explain DSN 'SELECT ... FROM %s WHERE ...' proposes the CREATE INDEX",
					t->name, t->name));
		set_score(f, (double)t->seq_tup_read);
	}
}

/* The statement text with "col = ?" turned into "col IN (...)": the batched form of a lookup. */
static char *batched(struct arena *a, const char *text)
{
	struct buf b = {0};
	const char *p = text;
	int done = 0;
	while (*p) {
		if (!done && (strncmp(p, "= ?", 3) == 0 || strncmp(p, "= $1", 4) == 0)) {
			buf_puts(&b, "IN (?, ?, ...)");
			p += p[2] == '?' ? 3 : 4;
			done = 1;
			continue;
		}
		buf_putc(&b, *p++);
	}
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return done ? s : NULL;
}

static void rule_statements(const struct dbc_catalog *cat, const struct dba_opts *o, struct pa_result *r,
			    struct arena *a)
{
	const struct budget *dbb = &o->budgets->b[BUDGET_DATABASE_QUERY];
	unsigned dialect = cat->kind == DB_MYSQL ? SQLTOK_MYSQL : SQLTOK_PG;
	for (size_t i = 0; i < cat->nstmts; i++) {
		const struct dbc_stmt *s = &cat->stmts[i];
		const char *text = s->text ? s->text : "";
		const char *id = arena_printf(a, "%s", s->query_id);
		char mean[32], total[32];
		fmt_ms(s->mean_ms < 0 ? 0 : s->mean_ms, mean, sizeof mean);
		fmt_ms(s->total_ms < 0 ? 0 : s->total_ms, total, sizeof total);
		enum pa_severity sev;
		if (s->mean_ms >= 0 && budget_severity(dbb, s->mean_ms, &sev)) {
			struct pa_finding *f = result_add_finding(
				r, "slow-query", sev,
				arena_printf(a, "Statement %s takes %s on average over %lld calls", id, mean, s->calls));
			f->location.query_id = result_str(r, id);
			f->evidence = json_pack("{s:I, s:f, s:f, s:f}", "calls", (json_int_t)s->calls, "mean_ms",
						round(s->mean_ms * 100) / 100, "total_ms", round(s->total_ms * 100) / 100,
						"max_ms", round(s->max_ms * 100) / 100);
			f->problem = result_str(r, text);
			f->solution = result_str(r, arena_printf(a, "-- read its plan and the index advice, with real values in place of the placeholders:\n"
								    "-- perfagent explain --analyze DSN '%s'",
								 text));
			f->impact = result_str(r, arena_printf(a, "%s of database time in total", total));
			set_score(f, s->total_ms);
		}
		double per_call = s->rows_examined >= 0 && s->calls ? s->rows_examined / (double)s->calls : -1;
		/* A scan of a few hundred rows (a small table, a LIMIT) is cheap: not worth a finding. */
		if (s->no_index_used > 0 && (per_call < 0 || per_call >= 1000)) {
			double rows = per_call;
			enum pa_severity fsev = rows >= 100000 ? PA_SEV_HIGH : rows >= 1000 ? PA_SEV_MEDIUM : PA_SEV_LOW;
			char rs[32];
			fmt_num(rows < 0 ? 0 : rows, rs, sizeof rs);
			struct pa_finding *f = result_add_finding(
				r, "full-scan-query", fsev,
				arena_printf(a, "Statement %s used no index in %lld of %lld calls, reading %s rows per call",
					     id, s->no_index_used, s->calls, rs));
			f->location.query_id = result_str(r, id);
			f->evidence = json_pack("{s:I, s:I, s:f, s:f}", "calls", (json_int_t)s->calls, "no_index_used",
						(json_int_t)s->no_index_used, "rows_examined_per_call", rows, "mean_ms",
						round(s->mean_ms * 100) / 100);
			f->problem = result_str(r, text);
			struct sqlcols cols;
			sqlcols_extract(text, strlen(text), dialect, &cols);
			int wildcard = strcasestr(text, "LIKE") != NULL;
			f->solution = result_str(
				r, arena_printf(a, "-- index the columns it filters on%s; with real values in place of the placeholders:\n"
						   "-- perfagent explain DSN '%s'",
						wildcard ? " (a LIKE with a leading % cannot use a B-tree index; "
							   "use FULLTEXT or a reversed column)"
							 : "",
						text));
			set_score(f, s->rows_examined);
		}
		if (s->rows_examined >= 0 && s->rows_sent >= 0 && s->calls > 0) {
			double ex = s->rows_examined / (double)s->calls, sent = s->rows_sent / (double)s->calls;
			if (ex >= 10000 && ex >= 100 * (sent > 1 ? sent : 1) && s->no_index_used <= 0) {
				char es[32], ss[32];
				fmt_num(ex, es, sizeof es);
				fmt_num(sent, ss, sizeof ss);
				struct pa_finding *f = result_add_finding(
					r, "rows-examined", PA_SEV_MEDIUM,
					arena_printf(a, "Statement %s examines %s rows to return %s", id, es, ss));
				f->location.query_id = result_str(r, id);
				f->evidence = json_pack("{s:f, s:f, s:I}", "rows_examined_per_call", ex, "rows_sent_per_call",
							sent, "calls", (json_int_t)s->calls);
				f->problem = result_str(r, text);
				f->solution = result_str(r, arena_printf(a, "-- an index that matches the filter; with real values in place of the "
									    "placeholders:\n-- perfagent explain DSN '%s'",
									 text));
				set_score(f, s->rows_examined);
			}
		}
		/* N+1: one row (or none) by key, run many times. */
		if (s->calls >= o->nplus1_calls && s->rows_sent >= 0 && s->rows_sent <= 2.0 * (double)s->calls &&
		    strncasecmp(text, "SELECT", 6) == 0) {
			struct sqlcols cols;
			sqlcols_extract(text, strlen(text), dialect, &cols);
			size_t eq = 0;
			const struct sqlcols_ref *ref = NULL;
			for (size_t k = 0; k < cols.nrefs; k++)
				if (cols.refs[k].role == SQLCOLS_WHERE_EQ) {
					eq++;
					ref = &cols.refs[k];
				}
			char *fix = batched(a, text);
			if (eq == 1 && ref && fix) {
				struct pa_finding *f = result_add_finding(
					r, "n-plus-one", PA_SEV_MEDIUM,
					arena_printf(a, "Statement %s looks up rows by %.*s one key at a time, %lld times "
							"(%.1f rows per call): an N+1 pattern",
						     id, (int)ref->column.len, ref->column.s, s->calls,
						     s->rows_sent / (double)s->calls));
				f->location.query_id = result_str(r, id);
				f->evidence = json_pack("{s:I, s:f, s:f}", "calls", (json_int_t)s->calls, "rows_per_call",
							s->rows_sent / (double)s->calls, "total_ms",
							round(s->total_ms * 100) / 100);
				f->problem = result_str(r, text);
				f->solution = result_str(r, arena_printf(a, "-- fetch the rows for all parents in one statement:\n%s\n"
									    "-- (SQLAlchemy: selectinload; Django: prefetch_related)",
									 fix));
				f->impact = result_str(r, arena_printf(a, "%lld round trips where one would do", s->calls));
				set_score(f, (double)s->calls);
			}
		}
	}
}

static void rule_settings(const struct dbc_catalog *cat, struct pa_result *r, struct arena *a)
{
	const struct dbc_server *s = &cat->server;
	if (cat->kind == DB_SQLITE)
		return;
	if (s->max_connections > 0 && s->connections_now >= 0) {
		double now = (double)s->connections_now / (double)s->max_connections;
		double peak = s->max_used_connections >= 0 ? (double)s->max_used_connections / (double)s->max_connections : 0;
		if (now >= 0.8 || peak >= 0.9) {
			enum pa_severity sev = now >= 0.8 ? PA_SEV_HIGH : PA_SEV_MEDIUM;
			struct pa_finding *f = result_add_finding(
				r, "connections-exhausted", sev,
				now >= 0.8 ? arena_printf(a, "%lld of %lld connections in use", s->connections_now, s->max_connections)
					   : arena_printf(a, "Connections reached %lld of %lld since start-up",
							  s->max_used_connections, s->max_connections));
			f->evidence = json_pack("{s:I, s:I, s:I}", "max_connections", (json_int_t)s->max_connections,
						"connections_now", (json_int_t)s->connections_now, "max_used_connections",
						(json_int_t)s->max_used_connections);
			f->problem = result_str(r, "New connections will be refused (\"Too many connections\"); the "
						   "application stalls waiting for one.");
			f->solution = result_str(
				r, cat->kind == DB_MYSQL
					   ? arena_printf(a, "-- pool connections in the application (SQLAlchemy pool_size + "
							     "max_overflow well under the limit), then if needed:\n"
							     "SET GLOBAL max_connections = %lld;",
							  s->max_connections * 2)
					   : arena_printf(a, "-- pool connections (pgbouncer, or SQLAlchemy pool_size + max_overflow "
							     "under the limit), then if needed:\n"
							     "ALTER SYSTEM SET max_connections = %lld; -- restart",
							  s->max_connections * 2));
			set_score(f, now);
		}
	}
	long long data = 0;
	for (size_t i = 0; i < cat->ntables; i++)
		data += (cat->tables[i].data_bytes > 0 ? cat->tables[i].data_bytes : 0) +
			(cat->tables[i].index_bytes > 0 ? cat->tables[i].index_bytes : 0);
	/* Only this database's size is known; the buffer serves the whole server. Flag a clear shortfall. */
	if (s->buffer_bytes > 0 && data > 2 * s->buffer_bytes && data >= 256LL << 20) {
		char have[32], need[32];
		fmt_bytes(s->buffer_bytes, have, sizeof have);
		fmt_bytes(data, need, sizeof need);
		long long want_mb = (data + (1 << 20) - 1) >> 20;
		struct pa_finding *f = result_add_finding(
			r, "buffer-pool-small", PA_SEV_LOW,
			arena_printf(a, "%s is %s; this database alone holds %s", s->buffer_name, have, need));
		f->evidence = json_pack("{s:I, s:I}", "buffer_bytes", (json_int_t)s->buffer_bytes, "data_bytes", (json_int_t)data);
		f->problem = result_str(r, "Reads that miss the cache go to disk. The hot part of the data may be "
					   "smaller than all of it: compare with the hit ratio before buying memory.");
		f->solution = result_str(
			r, cat->kind == DB_MYSQL ? arena_printf(a, "SET GLOBAL innodb_buffer_pool_size = %lld * 1024 * 1024; "
								   "-- and in my.cnf; up to ~70%% of a dedicated server's RAM",
								want_mb)
						 : arena_printf(a, "ALTER SYSTEM SET shared_buffers = '%lldMB'; -- restart; "
								   "about 25%% of a dedicated server's RAM",
								want_mb));
		set_score(f, (double)data);
	}
	if (s->slow_log == 0) {
		struct pa_finding *f = result_add_finding(r, "slow-log-off", PA_SEV_INFO,
							  arena_printf(a, "The slow query log is off (%s)", s->slow_log_setting));
		f->problem = result_str(r, "Without it, slow statements in production go unseen and "
					   "`perfagent digest` has nothing to rank.");
		f->solution = result_str(
			r, cat->kind == DB_MYSQL
				   ? "SET GLOBAL slow_query_log = ON;\nSET GLOBAL long_query_time = 0.05; -- the database budget's 50 ms"
				   : "ALTER SYSTEM SET log_min_duration_statement = 50; -- ms, the database budget\n"
				     "SELECT pg_reload_conf();");
	}
}

void dba_audit(const struct dbc_catalog *cat, const struct dba_opts *o, struct pa_result *r)
{
	struct arena a = {0};
	char *dropped = xcalloc(cat->nindexes + 1, 1), *kept = xcalloc(cat->nindexes + 1, 1);
	rule_tables(cat, o, r, &a);
	rule_duplicates(cat, r, &a, dropped, kept);
	rule_redundant(cat, r, &a, dropped, kept);
	rule_unused(cat, r, &a, dropped, kept);
	rule_fks(cat, r, &a);
	rule_seq_scans(cat, o, r, &a);
	rule_statements(cat, o, r, &a);
	rule_settings(cat, r, &a);
	free(dropped);
	free(kept);
	arena_free(&a);
}
