/*
 * catalog_pg: the catalog of a PostgreSQL database, from pg_catalog and
 * the statistics views — one statement per kind of fact:
 *
 *   tables       pg_class + pg_stat_user_tables (sizes, seq_scan, idx_scan)
 *   indexes      pg_index + pg_stat_user_indexes (columns via pg_get_indexdef)
 *   foreign keys pg_constraint
 *   extensions   pg_extension (pg_stat_statements, hypopg)
 *   statements   pg_stat_statements, when installed
 *   settings     pg_settings, pg_stat_activity, the statistics' age
 *
 * Tables and indexes outside pg_catalog, information_schema and the toast
 * schemas are read; a table's name is its regclass text, so one outside
 * the search path carries its schema.
 */
#include "catalog.h"
#include "catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_NS "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"

static int read_tables(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "tables",
		      "SELECT c.oid::regclass::text AS name, c.reltuples, s.n_live_tup, pg_table_size(c.oid) AS data_bytes, "
		      "pg_indexes_size(c.oid) AS index_bytes, "
		      "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') AS has_pk, "
		      "s.seq_scan, s.seq_tup_read, s.idx_scan, c.relkind = 'p' AS partitioned, "
		      "(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' "
		      " AND NOT a.attisdropped) AS id_col, "
		      "(SELECT a.attname FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid "
		      " AND d.adnum = a.attnum WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
		      " AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%') "
		      " ORDER BY a.attnum LIMIT 1) AS auto_col "
		      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		      "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
		      "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND " USER_NS " "
		      "ORDER BY pg_total_relation_size(c.oid) DESC, 1",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->tables = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->tables);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *name = db_get(&r, i, "name");
		if (!name)
			continue;
		struct dbc_table *t = &cat->tables[cat->ntables++];
		dbc_table_init(t);
		t->name = dbc_str(cat, name);
		double est = db_getd(&r, i, "reltuples", -1);
		if (est < 0) /* never analyzed (PostgreSQL 14+ says -1): the live tuple count instead */
			est = db_getd(&r, i, "n_live_tup", -1);
		t->rows = est;
		t->data_bytes = db_getll(&r, i, "data_bytes", -1);
		t->index_bytes = db_getll(&r, i, "index_bytes", -1);
		const char *pk = db_get(&r, i, "has_pk");
		t->has_pk = pk && pk[0] == 't';
		t->seq_scan = db_getll(&r, i, "seq_scan", -1);
		t->seq_tup_read = db_getll(&r, i, "seq_tup_read", -1);
		t->idx_scan = db_getll(&r, i, "idx_scan", -1);
		t->partitioned = (pk = db_get(&r, i, "partitioned")) && pk[0] == 't';
		t->id_col = dbc_str(cat, db_get(&r, i, "id_col"));
		t->auto_col = dbc_str(cat, db_get(&r, i, "auto_col"));
	}
	db_rows_free(&r);
	return 0;
}

static int read_indexes(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "indexes",
		      "SELECT t.oid::regclass::text AS tbl, i.relname AS idx, x.indisunique, x.indisprimary, "
		      "x.indpred IS NOT NULL AS partial, am.amname, pg_relation_size(i.oid) AS bytes, s.idx_scan, "
		      "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid AND k.contype IN ('p', 'u', 'x')) AS backs, "
		      /* key columns by name (an expression in parentheses), as the foreign keys name them */
		      "array_to_string(ARRAY(SELECT CASE WHEN u.attnum = 0 "
		      " THEN '(' || pg_get_indexdef(x.indexrelid, u.k::int, true) || ')' ELSE a.attname END "
		      " FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS u(attnum, k) "
		      " LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.attnum "
		      " WHERE u.k <= x.indnkeyatts ORDER BY u.k), chr(31)) AS cols, "
		      /* the definition after USING: operator classes, collations, DESC, INCLUDE, WHERE */
		      "substr(pg_get_indexdef(x.indexrelid), strpos(pg_get_indexdef(x.indexrelid), ' USING ') + 7) AS sig, "
		      "'btree (' || array_to_string(ARRAY(SELECT quote_ident(a.attname) "
		      " FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS u(attnum, k) "
		      " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.attnum ORDER BY u.k), ', ') || ')' "
		      " AS plain_sig, "
		      "CASE WHEN n.nspname = ANY (current_schemas(false)) THEN quote_ident(i.relname) "
		      " ELSE quote_ident(n.nspname) || '.' || quote_ident(i.relname) END AS sql_name "
		      "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
		      "JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam "
		      "LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid "
		      "WHERE t.relkind IN ('r', 'p') AND NOT t.relispartition AND " USER_NS " ORDER BY 1, 2",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->indexes = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->indexes);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *tbl = db_get(&r, i, "tbl"), *name = db_get(&r, i, "idx");
		if (!tbl || !name)
			continue;
		struct dbc_index *x = &cat->indexes[cat->nindexes++];
		dbc_index_init(x);
		x->table = dbc_str(cat, tbl);
		x->name = dbc_str(cat, name);
		const char *v;
		x->unique = (v = db_get(&r, i, "indisunique")) && v[0] == 't';
		x->primary = (v = db_get(&r, i, "indisprimary")) && v[0] == 't';
		x->partial = (v = db_get(&r, i, "partial")) && v[0] == 't';
		x->backs_constraint = (v = db_get(&r, i, "backs")) && v[0] == 't';
		v = db_get(&r, i, "amname");
		x->method = v && strcmp(v, "btree") != 0 ? dbc_str(cat, v) : NULL;
		x->bytes = db_getll(&r, i, "bytes", -1);
		x->cols = dbc_split(cat, db_get(&r, i, "cols"), &x->ncols);
		const char *sig = db_get(&r, i, "sig"), *plain = db_get(&r, i, "plain_sig");
		if (!sig || !plain || strcmp(sig, plain) != 0)
			x->variant = dbc_str(cat, sig ? sig : "?");
		x->sql_name = dbc_str(cat, db_get(&r, i, "sql_name"));
		if (db_get(&r, i, "idx_scan")) {
			x->usage_known = 1;
			x->scans = db_getll(&r, i, "idx_scan", 0);
			cat->server.usage_source = 1;
		}
	}
	db_rows_free(&r);
	return 0;
}

static int read_fks(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "foreign keys",
		      "SELECT k.conrelid::regclass::text AS tbl, k.conname, k.confrelid::regclass::text AS ref, "
		      "array_to_string(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY AS u(num, ord) "
		      "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.ord), chr(31)) AS cols, "
		      "array_to_string(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY AS u(num, ord) "
		      "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.ord), chr(31)) AS refcols "
		      "FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
		      "WHERE k.contype = 'f' AND " USER_NS " ORDER BY 1, 2",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	cat->fks = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->fks);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *tbl = db_get(&r, i, "tbl"), *name = db_get(&r, i, "conname");
		if (!tbl || !name)
			continue;
		struct dbc_fk *f = &cat->fks[cat->nfks++];
		f->table = dbc_str(cat, tbl);
		f->name = dbc_str(cat, name);
		f->ref_table = dbc_str(cat, db_get(&r, i, "ref"));
		size_t nref;
		f->cols = dbc_split(cat, db_get(&r, i, "cols"), &f->ncols);
		f->ref_cols = dbc_split(cat, db_get(&r, i, "refcols"), &nref);
		if (nref != f->ncols) /* never from a sane catalog; keep the lists aligned anyway */
			f->ref_cols = f->cols;
	}
	db_rows_free(&r);
	return 0;
}

static int read_settings(struct db_conn *c, struct dbc_catalog *cat, int *preloaded, struct perr *e)
{
	struct db_rows r = {0};
	struct dbc_server *s = &cat->server;
	if (dbc_query(c, cat, "server settings",
		      "SELECT (SELECT setting FROM pg_settings WHERE name = 'max_connections') AS max_connections, "
		      "(SELECT setting::bigint * pg_size_bytes(unit) "
		      " FROM pg_settings WHERE name = 'shared_buffers') AS shared_buffers, "
		      "(SELECT setting FROM pg_settings WHERE name = 'log_min_duration_statement') AS log_min, "
		      "(SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload, "
		      "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS conns, "
		      "EXTRACT(EPOCH FROM now() - COALESCE((SELECT stats_reset FROM pg_stat_database "
		      " WHERE datname = current_database()), pg_postmaster_start_time())) AS stats_age",
		      &r, e)) {
		db_rows_free(&r);
		return -1;
	}
	if (r.nrows) {
		s->max_connections = db_getll(&r, 0, "max_connections", -1);
		s->buffer_bytes = db_getll(&r, 0, "shared_buffers", -1);
		s->buffer_name = "shared_buffers";
		s->connections_now = db_getll(&r, 0, "conns", -1);
		double lm = db_getd(&r, 0, "log_min", -2);
		s->slow_log = lm == -2 ? -1 : lm >= 0;
		s->slow_log_threshold_ms = lm >= 0 ? lm : -1;
		s->slow_log_setting = "log_min_duration_statement";
		s->uptime_s = db_getd(&r, 0, "stats_age", -1);
		const char *pre = db_get(&r, 0, "preload");
		*preloaded = pre && strstr(pre, "pg_stat_statements") != NULL;
	}
	db_rows_free(&r);
	return 0;
}

static int read_statements(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, int preloaded,
			   struct perr *e)
{
	struct db_rows r = {0};
	if (dbc_query(c, cat, "extensions", "SELECT extname FROM pg_extension WHERE extname = 'pg_stat_statements'", &r,
		      e)) {
		db_rows_free(&r);
		return -1;
	}
	int installed = r.nrows > 0;
	db_rows_free(&r);
	if (!installed) {
		if (preloaded)
			dbc_note(cat, "statement statistics: pg_stat_statements is loaded but not created in this "
				      "database; run CREATE EXTENSION pg_stat_statements;");
		else
			dbc_note(cat, "statement statistics: pg_stat_statements is not installed; add "
				      "shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart, "
				      "then CREATE EXTENSION pg_stat_statements;");
		return 0;
	}
	int v13 = c->version_num >= 130000;
	size_t want = o->max_stmts ? o->max_stmts : 50;
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT s.queryid::text AS queryid, s.query, s.calls, s.%s AS total_ms, s.%s AS mean_ms, "
		 "s.%s AS max_ms, s.rows, s.shared_blks_hit + s.shared_blks_read AS blks, "
		 "s.temp_blks_written FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
		 "WHERE d.datname = current_database() ORDER BY 4 DESC LIMIT %zu",
		 v13 ? "total_exec_time" : "total_time", v13 ? "mean_exec_time" : "mean_time",
		 v13 ? "max_exec_time" : "max_time", want + 100);
	int rc = dbc_query_optional(c, cat, "statement statistics", sql, &r, e);
	if (rc == 0) {
		cat->server.stmt_source = 1;
		cat->stmts = arena_calloc(&cat->arena, r.nrows ? r.nrows : 1, sizeof *cat->stmts);
		for (size_t i = 0; i < r.nrows && cat->nstmts < want; i++) {
			const char *text = db_get(&r, i, "query");
			if (dbc_stmt_is_ours(text))
				continue;
			struct dbc_stmt *s = &cat->stmts[cat->nstmts++];
			dbc_stmt_init(s);
			const char *q = db_get(&r, i, "queryid");
			s->query_id = q ? dbc_str(cat, q) : "";
			s->text = dbc_stmt_text(cat, text);
			s->calls = db_getll(&r, i, "calls", 0);
			s->total_ms = db_getd(&r, i, "total_ms", -1);
			s->mean_ms = db_getd(&r, i, "mean_ms", -1);
			s->max_ms = db_getd(&r, i, "max_ms", -1);
			s->rows_sent = db_getd(&r, i, "rows", -1);
			s->tmp_disk_tables = db_getll(&r, i, "temp_blks_written", -1);
		}
	}
	db_rows_free(&r);
	return rc < 0 ? -1 : 0;
}

int dbc_read_pg(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	int preloaded = 0;
	if (read_tables(c, cat, e) || read_indexes(c, cat, e) || read_fks(c, cat, e))
		return -1;
	if (o->exact && dbc_count_exact(c, cat, e))
		return -1;
	if (read_settings(c, cat, &preloaded, e) || read_statements(c, o, cat, preloaded, e))
		return -1;
	return 0;
}
