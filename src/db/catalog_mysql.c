/*
 * catalog_mysql: the catalog of a MySQL or MariaDB database, read from
 * information_schema, performance_schema and the server's variables and
 * status — one statement per kind of fact for the whole database:
 *
 *   tables       information_schema.TABLES
 *   indexes      information_schema.STATISTICS (one row per key column)
 *   index sizes  mysql.innodb_index_stats (optional)
 *   foreign keys information_schema.KEY_COLUMN_USAGE
 *   index use    performance_schema.table_io_waits_summary_by_index_usage
 *   statements   performance_schema.events_statements_summary_by_digest
 *   settings     SHOW GLOBAL VARIABLES / SHOW GLOBAL STATUS
 *
 * What the server does not keep (performance_schema off, a privilege
 * missing) becomes a note saying how to turn it on, not an error.
 */
#include "catalog.h"
#include "catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int read_tables(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "tables",
		      "SELECT TABLE_NAME, ENGINE, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH, "
		      "@@lower_case_table_names AS lctn "
		      "FROM information_schema.TABLES t WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
		      "ORDER BY DATA_LENGTH + INDEX_LENGTH DESC, TABLE_NAME",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->tables = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->tables);
	for (size_t i = 0; i < r.nrows; i++) {
		struct dbc_table *t = &cat->tables[cat->ntables++];
		dbc_table_init(t);
		t->name = dbc_str(cat, db_cell(&r, i, 0));
		t->engine = dbc_str(cat, db_cell(&r, i, 1));
		t->rows = db_getd(&r, i, "TABLE_ROWS", -1);
		t->data_bytes = db_getll(&r, i, "DATA_LENGTH", -1);
		t->index_bytes = db_getll(&r, i, "INDEX_LENGTH", -1);
		/* Table names are case-sensitive where the server stores them as given (Linux, lctn 0). */
		cat->names_ci = db_getll(&r, i, "lctn", 0) > 0;
		if (!t->name)
			cat->ntables--;
	}
	db_rows_free(&r);
	return 0;
}

static int read_indexes(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "indexes",
		      "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, CARDINALITY, SUB_PART, INDEX_TYPE, "
		      "COLLATION "
		      "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
		      "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->indexes = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->indexes);
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
		x->primary = strcmp(name, "PRIMARY") == 0;
		x->unique = db_getll(&r, i, "NON_UNIQUE", 1) == 0;
		const char *type = db_get(&r, i, "INDEX_TYPE");
		if (type && strcasecmp(type, "BTREE") != 0) {
			char *m = arena_strdup(&cat->arena, type);
			for (char *p = m; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			x->method = m;
		}
		x->cols = arena_calloc(&cat->arena, j - i, sizeof *x->cols);
		for (size_t k = i; k < j; k++) {
			const char *col = db_get(&r, k, "COLUMN_NAME"), *sub = db_get(&r, k, "SUB_PART");
			const char *coll = db_get(&r, k, "COLLATION");
			if (coll && strcmp(coll, "D") == 0) /* MySQL 8 descending key part */
				x->variant = "descending key parts";
			if (!col) /* a functional key part: never equal to another index's */
				x->cols[x->ncols++] = arena_printf(&cat->arena, "(expression %zu of %s)", k - i + 1, name);
			else if (sub)
				x->cols[x->ncols++] = arena_printf(&cat->arena, "%s(%s)", col, sub);
			else
				x->cols[x->ncols++] = dbc_str(cat, col);
		}
		x->cardinality = db_getd(&r, j - 1, "CARDINALITY", -1);
		if (x->primary) {
			struct dbc_table *t = dbc_table_at(cat, tbl);
			if (t)
				t->has_pk = 1;
		}
		i = j;
	}
	db_rows_free(&r);
	return 0;
}

/*
 * For the primary-key fix of tables that lack one: an id column and an
 * AUTO_INCREMENT column. One pass over information_schema.COLUMNS, and
 * only when some table has no primary key (a correlated subquery per
 * table would make the server open every table's definition once per
 * question).
 */
static int read_key_columns(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	size_t nopk = 0;
	for (size_t i = 0; i < cat->ntables; i++)
		nopk += !cat->tables[i].has_pk;
	if (!nopk)
		return 0;
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "key columns",
				    "SELECT TABLE_NAME, COLUMN_NAME, EXTRA LIKE '%auto_increment%' AS auto "
				    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
				    "AND (COLUMN_NAME = 'id' OR EXTRA LIKE '%auto_increment%')",
				    &r, e);
	for (size_t i = 0; rc == 0 && i < r.nrows; i++) {
		const char *t = db_cell(&r, i, 0), *col = db_cell(&r, i, 1);
		struct dbc_table *tb = t && col ? dbc_table_at(cat, t) : NULL;
		if (!tb || tb->has_pk)
			continue;
		if (db_getll(&r, i, "auto", 0))
			tb->auto_col = dbc_str(cat, col);
		if (strcasecmp(col, "id") == 0)
			tb->id_col = dbc_str(cat, col);
	}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

static int read_index_sizes(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "index sizes",
				    "SELECT table_name, index_name, stat_value * @@innodb_page_size AS bytes "
				    "FROM mysql.innodb_index_stats WHERE database_name = DATABASE() AND stat_name = 'size'",
				    &r, e);
	if (rc == 0)
		for (size_t i = 0; i < r.nrows; i++) {
			const char *t = db_cell(&r, i, 0), *n = db_cell(&r, i, 1);
			struct dbc_index *x = t && n ? dbc_index_at(cat, t, n) : NULL;
			if (x)
				x->bytes = db_getll(&r, i, "bytes", -1);
		}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

static int read_fks(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "foreign keys",
		      "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
		      "FROM information_schema.KEY_COLUMN_USAGE "
		      "WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL "
		      "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->fks = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->fks);
	for (size_t i = 0; i < r.nrows;) {
		const char *tbl = db_cell(&r, i, 0), *name = db_cell(&r, i, 1);
		size_t j = dbc_run_end(&r, i);
		if (j == i) { /* a row without a table or key name: skip it */
			i++;
			continue;
		}
		struct dbc_fk *f = &cat->fks[cat->nfks++];
		f->table = dbc_str(cat, tbl);
		f->name = dbc_str(cat, name);
		f->ref_table = dbc_str(cat, db_cell(&r, i, 3));
		f->cols = arena_calloc(&cat->arena, j - i, sizeof *f->cols);
		f->ref_cols = arena_calloc(&cat->arena, j - i, sizeof *f->ref_cols);
		for (size_t k = i; k < j; k++) {
			f->cols[f->ncols] = dbc_str(cat, db_cell(&r, k, 2) ? db_cell(&r, k, 2) : "?");
			f->ref_cols[f->ncols++] = dbc_str(cat, db_cell(&r, k, 4) ? db_cell(&r, k, 4) : "?");
		}
		i = j;
	}
	db_rows_free(&r);
	return 0;
}

static double var_num(const struct db_rows *r, const char *name, double dflt)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const char *n = db_cell(r, i, 0), *v = db_cell(r, i, 1);
		if (n && v && strcasecmp(n, name) == 0) {
			if (strcasecmp(v, "ON") == 0)
				return 1;
			if (strcasecmp(v, "OFF") == 0)
				return 0;
			char *end;
			double d = strtod(v, &end);
			return end != v ? d : dflt;
		}
	}
	return dflt;
}

static int read_settings(struct db_conn *c, struct dbc_catalog *cat, int *pfs, struct perr *e)
{
	struct db_rows r = {0};
	struct dbc_server *s = &cat->server;
	if (dbc_query(c, cat, "server variables",
		      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'innodb_buffer_pool_size', "
		      "'slow_query_log', 'long_query_time', 'performance_schema')",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	s->max_connections = (long long)var_num(&r, "max_connections", -1);
	s->buffer_bytes = (long long)var_num(&r, "innodb_buffer_pool_size", -1);
	s->buffer_name = "innodb_buffer_pool_size";
	s->slow_log = (int)var_num(&r, "slow_query_log", -1);
	double lqt = var_num(&r, "long_query_time", -1);
	s->slow_log_threshold_ms = lqt >= 0 ? lqt * 1000 : -1;
	s->slow_log_setting = "slow_query_log";
	*pfs = (int)var_num(&r, "performance_schema", 0);
	db_rows_free(&r);
	if (dbc_query(c, cat, "server status",
		      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_connected', 'Max_used_connections', 'Uptime')",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	s->connections_now = (long long)var_num(&r, "Threads_connected", -1);
	s->max_used_connections = (long long)var_num(&r, "Max_used_connections", -1);
	s->uptime_s = var_num(&r, "Uptime", -1);
	db_rows_free(&r);
	return 0;
}

static int read_index_usage(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "index use",
				    "SELECT OBJECT_NAME, INDEX_NAME, COUNT_FETCH "
				    "FROM performance_schema.table_io_waits_summary_by_index_usage "
				    "WHERE OBJECT_SCHEMA = DATABASE()",
				    &r, e);
	if (rc == 0) {
		cat->server.usage_source = 1;
		for (size_t i = 0; i < cat->nindexes; i++) {
			cat->indexes[i].usage_known = 1;
			cat->indexes[i].scans = 0;
		}
		for (size_t i = 0; i < r.nrows; i++) {
			const char *t = db_cell(&r, i, 0), *n = db_cell(&r, i, 1);
			long long cnt = db_getll(&r, i, "COUNT_FETCH", 0); /* rows read, not inserts or updates */
			if (!t)
				continue;
			struct dbc_table *tb = dbc_table_at(cat, t);
			if (!n) { /* rows read without an index: table scans */
				if (tb)
					tb->seq_scan = (tb->seq_scan < 0 ? 0 : tb->seq_scan) + cnt;
				continue;
			}
			struct dbc_index *x = dbc_index_at(cat, t, n);
			if (x)
				x->scans += cnt;
			if (tb)
				tb->idx_scan = (tb->idx_scan < 0 ? 0 : tb->idx_scan) + cnt;
		}
	}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

static int read_statements(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	char sql[1024];
	size_t want = o->max_stmts ? o->max_stmts : 50;
	/* Fetch more than kept: our own catalog reads are counted too and are dropped here. */
	snprintf(sql, sizeof sql,
		 "SELECT DIGEST, DIGEST_TEXT, COUNT_STAR, SUM_TIMER_WAIT / 1000000000 AS total_ms, "
		 "AVG_TIMER_WAIT / 1000000000 AS mean_ms, MAX_TIMER_WAIT / 1000000000 AS max_ms, "
		 "SUM_ROWS_SENT, SUM_ROWS_EXAMINED, SUM_NO_INDEX_USED + SUM_NO_GOOD_INDEX_USED AS no_index, "
		 "SUM_CREATED_TMP_DISK_TABLES, SUM_SORT_MERGE_PASSES "
		 "FROM performance_schema.events_statements_summary_by_digest "
		 "WHERE SCHEMA_NAME = DATABASE() ORDER BY SUM_TIMER_WAIT DESC LIMIT %zu",
		 want + 100);
	struct db_rows r = {0};
	int rc = dbc_query_optional(c, cat, "statement statistics", sql, &r, e);
	if (rc == 0) {
		cat->server.stmt_source = 1;
		cat->stmts = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->stmts);
		for (size_t i = 0; i < r.nrows && cat->nstmts < want; i++) {
			const char *text = db_cell(&r, i, 1);
			if (dbc_stmt_is_ours(text))
				continue;
			struct dbc_stmt *s = &cat->stmts[cat->nstmts++];
			dbc_stmt_init(s);
			const char *d = db_cell(&r, i, 0);
			s->query_id = d ? dbc_str(cat, d) : "";
			s->text = dbc_stmt_text(cat, text);
			s->calls = db_getll(&r, i, "COUNT_STAR", 0);
			s->total_ms = db_getd(&r, i, "total_ms", -1);
			s->mean_ms = db_getd(&r, i, "mean_ms", -1);
			s->max_ms = db_getd(&r, i, "max_ms", -1);
			s->rows_sent = db_getd(&r, i, "SUM_ROWS_SENT", -1);
			s->rows_examined = db_getd(&r, i, "SUM_ROWS_EXAMINED", -1);
			s->no_index_used = db_getll(&r, i, "no_index", -1);
			s->tmp_disk_tables = db_getll(&r, i, "SUM_CREATED_TMP_DISK_TABLES", -1);
			s->sort_merge_passes = db_getll(&r, i, "SUM_SORT_MERGE_PASSES", -1);
		}
	}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

int dbc_read_mysql(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	int pfs = 0;
	if (read_tables(c, cat, e) || read_indexes(c, cat, e) || read_fks(c, cat, e) || read_key_columns(c, cat, e))
		return -1;
	if (o->exact && dbc_count_exact(c, cat, e))
		return -1;
	if (read_index_sizes(c, cat, e) || read_settings(c, cat, &pfs, e))
		return -1;
	if (!pfs) {
		dbc_note(cat, "statement statistics and index use: performance_schema is off; "
			      "add performance_schema=ON under [mysqld] in the server's configuration and restart");
		return 0;
	}
	if (read_index_usage(c, cat, e) || read_statements(c, o, cat, e))
		return -1;
	return 0;
}
