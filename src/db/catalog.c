/*
 * catalog: the shared part of reading a database's catalog — dispatch to
 * the reader for the connection's kind, notes, lookups, and the helpers
 * the three readers share (index lists grouped from one row per column,
 * the --exact row counts batched into UNION ALL statements).
 */
#include "catalog.h"
#include "catalog_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/buf.h"

static long long table_bytes(const struct dbc_table *t)
{
	return (t->data_bytes > 0 ? t->data_bytes : 0) + (t->index_bytes > 0 ? t->index_bytes : 0);
}

/* Largest first: bytes, then rows, then name, so the order is stable across runs. */
static int by_size(const void *pa, const void *pb)
{
	const struct dbc_table *a = pa, *b = pb;
	long long x = table_bytes(a), y = table_bytes(b);
	if (x != y)
		return x > y ? -1 : 1;
	if (a->rows != b->rows)
		return a->rows > b->rows ? -1 : 1;
	return strcmp(a->name, b->name);
}

int dbc_read(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e)
{
	struct dbc_opts dflt = {0};
	if (!o)
		o = &dflt;
	memset(cat, 0, sizeof *cat);
	cat->kind = c->kind;
	cat->dbname = arena_strdup(&cat->arena, c->dbname);
	cat->server_version = arena_strdup(&cat->arena, c->server_version);
	struct dbc_server *s = &cat->server;
	s->max_connections = s->connections_now = s->max_used_connections = s->buffer_bytes = -1;
	s->slow_log = -1;
	s->slow_log_threshold_ms = -1;
	s->uptime_s = -1;
	int rc;
	switch (c->kind) {
	case DB_MYSQL:
		rc = dbc_read_mysql(c, o, cat, e);
		break;
	case DB_PG:
		rc = dbc_read_pg(c, o, cat, e);
		break;
	default:
		rc = dbc_read_sqlite(c, o, cat, e);
		break;
	}
	if (rc)
		cat->partial = 1;
	if (cat->ntables > 1)
		qsort(cat->tables, cat->ntables, sizeof *cat->tables, by_size);
	return rc;
}

void dbc_free(struct dbc_catalog *cat)
{
	arena_free(&cat->arena);
	memset(cat, 0, sizeof *cat);
}

const struct dbc_table *dbc_table_find(const struct dbc_catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->ntables; i++) {
		const char *t = cat->tables[i].name;
		if (cat->names_ci ? strcasecmp(t, name) == 0 : strcmp(t, name) == 0)
			return &cat->tables[i];
	}
	return NULL;
}

void dbc_note(struct dbc_catalog *cat, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	const char **n = arena_alloc(&cat->arena, (cat->nnotes + 1) * sizeof *n);
	if (cat->nnotes)
		memcpy(n, cat->notes, cat->nnotes * sizeof *n);
	n[cat->nnotes++] = arena_strdup(&cat->arena, line);
	cat->notes = n;
}

int dbc_query(struct db_conn *c, struct dbc_catalog *cat, const char *what, const char *sql,
	      struct db_rows *rows, struct perr *e)
{
	struct perr qe;
	cat->queries++;
	if (db_query(c, sql, rows, &qe) == 0)
		return 0;
	return perr_set(e, "reading %s from '%s': %s", what, c->safe_dsn, qe.msg);
}

int dbc_query_optional(struct db_conn *c, struct dbc_catalog *cat, const char *what, const char *sql,
		       struct db_rows *rows, struct perr *e)
{
	struct perr qe;
	cat->queries++;
	if (db_query(c, sql, rows, &qe) == 0)
		return 0;
	if (strstr(qe.msg, "connection lost"))
		return perr_set(e, "reading %s from '%s': %s", what, c->safe_dsn, qe.msg);
	dbc_note(cat, "%s: not read (%s)", what, qe.msg);
	return 1;
}

size_t dbc_run_end(const struct db_rows *r, size_t i)
{
	const char *tbl = db_cell(r, i, 0), *key = db_cell(r, i, 1);
	size_t j = i;
	while (j < r->nrows && tbl && key && db_cell(r, j, 0) && db_cell(r, j, 1) &&
	       strcmp(db_cell(r, j, 0), tbl) == 0 && strcmp(db_cell(r, j, 1), key) == 0)
		j++;
	return j;
}

const char *dbc_str(struct dbc_catalog *cat, const char *s)
{
	return s ? arena_strdup(&cat->arena, s) : NULL;
}

/*
 * Split s at the unit separator (0x1f) into an arena array. The index and
 * foreign key readers ask the server to join a key's columns with it, so
 * one row carries a whole key however many columns it has.
 */
const char **dbc_split(struct dbc_catalog *cat, const char *s, size_t *n)
{
	*n = 0;
	if (!s || !*s)
		return NULL;
	size_t cnt = 1;
	for (const char *p = s; *p; p++)
		cnt += *p == '\x1f';
	const char **out = arena_calloc(&cat->arena, cnt, sizeof *out);
	const char *p = s;
	for (;;) {
		const char *q = strchr(p, '\x1f');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		out[(*n)++] = arena_strndup(&cat->arena, p, len);
		if (!q)
			break;
		p = q + 1;
	}
	return out;
}

int dbc_count_exact(struct db_conn *c, struct dbc_catalog *cat, struct perr *e)
{
	const size_t per = 50;
	for (size_t start = 0; start < cat->ntables; start += per) {
		struct buf sql = {0};
		struct arena a = {0};
		size_t end = start + per < cat->ntables ? start + per : cat->ntables;
		for (size_t i = start; i < end; i++) {
			const char *name = cat->tables[i].name;
			if (i > start)
				buf_puts(&sql, " UNION ALL ");
			buf_printf(&sql, "SELECT %s AS perfagent_table, COUNT(*) FROM %s", db_quote(&a, c->kind, name),
				   cat->kind == DB_PG ? name : db_ident(&a, c->kind, name));
		}
		struct db_rows rows = {0};
		int rc = dbc_query(c, cat, "exact row counts", buf_str(&sql), &rows, e);
		buf_free(&sql);
		arena_free(&a);
		if (rc) {
			db_rows_free(&rows);
			return -1;
		}
		for (size_t r = 0; r < rows.nrows; r++) {
			const char *name = db_cell(&rows, r, 0), *cnt = db_cell(&rows, r, 1);
			for (size_t i = start; i < end && name && cnt; i++)
				if (strcmp(cat->tables[i].name, name) == 0) {
					cat->tables[i].rows = strtod(cnt, NULL);
					cat->tables[i].rows_exact = 1;
				}
		}
		db_rows_free(&rows);
	}
	return 0;
}

struct dbc_index *dbc_index_at(struct dbc_catalog *cat, const char *table, const char *name)
{
	for (size_t i = 0; i < cat->nindexes; i++)
		if ((cat->names_ci ? strcasecmp(cat->indexes[i].table, table) : strcmp(cat->indexes[i].table, table)) == 0 &&
		    strcmp(cat->indexes[i].name, name) == 0)
			return &cat->indexes[i];
	return NULL;
}

struct dbc_table *dbc_table_at(struct dbc_catalog *cat, const char *name)
{
	return (struct dbc_table *)dbc_table_find(cat, name);
}

void dbc_table_init(struct dbc_table *t)
{
	memset(t, 0, sizeof *t);
	t->rows = -1;
	t->data_bytes = t->index_bytes = -1;
	t->seq_scan = t->seq_tup_read = t->idx_scan = -1;
}

void dbc_index_init(struct dbc_index *x)
{
	memset(x, 0, sizeof *x);
	x->cardinality = -1;
	x->bytes = -1;
}

void dbc_stmt_init(struct dbc_stmt *s)
{
	memset(s, 0, sizeof *s);
	s->total_ms = s->mean_ms = s->max_ms = -1;
	s->rows_sent = s->rows_examined = -1;
	s->no_index_used = s->tmp_disk_tables = s->sort_merge_passes = -1;
}

/*
 * A statement text as the server keeps it, made safe to print:
 * PostgreSQL keeps utility statements with their literals, so ALTER ROLE
 * ... PASSWORD 'x' or CREATE USER ... IDENTIFIED BY 'x' would carry a
 * password into the report. The quoted literal after PASSWORD or
 * IDENTIFIED BY (and BY PASSWORD) becomes '***'.
 */
const char *dbc_stmt_text(struct dbc_catalog *cat, const char *text)
{
	if (!text)
		return NULL;
	char *t = arena_strdup(&cat->arena, text);
	static const char *const keys[] = {"password", "identified by", "identified with"};
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		char *p = t;
		while ((p = strcasestr(p, keys[k]))) {
			char *q = p + strlen(keys[k]);
			/* IDENTIFIED WITH plugin BY 'x' / AS 'x': skip up to the literal, within the clause */
			for (int hops = 0; hops < 4 && *q && *q != '\'' && *q != '"' && *q != ';'; hops++) {
				q += strspn(q, " \t\n=(");
				if (*q == '\'' || *q == '"' || *q == '$')
					break;
				q += strcspn(q, " \t\n=(';");
			}
			q += strspn(q, " \t\n=(");
			if (*q == '\'' || *q == '"') {
				char quote = *q;
				char *end = q + 1;
				while (*end && !(*end == quote && end[1] != quote)) {
					if (*end == quote)
						end++; /* a doubled quote inside */
					end++;
				}
				size_t len = (size_t)(end - q - 1);
				if (*end == quote && len >= 3) { /* the text only shrinks: no room is needed */
					memmove(q + 4, end, strlen(end) + 1);
					memcpy(q + 1, "***", 3);
				} else if (*end == quote) {
					memset(q + 1, '*', len);
				}
			}
			p = p + strlen(keys[k]);
		}
	}
	return t;
}

/* Our own catalog statements, which the servers count like any other. */
int dbc_stmt_is_ours(const char *text)
{
	static const char *const marks[] = {
		"information_schema", "performance_schema", "pg_catalog", "pg_stat", "pg_class", "pg_index",
		"pg_constraint", "pg_settings", "pg_extension", "pg_namespace", "pg_database", "hypopg",
		"sqlite_master", "sqlite_stat", "innodb_index_stats", "current_database", "pg_postmaster", "perfagent_",
	};
	if (!text)
		return 1;
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '(')
		text++;
	static const char *const verbs[] = {"SHOW", "SET", "EXPLAIN", "ANALYZE", "BEGIN", "ROLLBACK",
					    "COMMIT", "START", "SELECT DATABASE", "SELECT VERSION",
					    "SELECT @@", "SELECT `DATABASE`", "SELECT SCHEMA ( )"};
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		if (strncasecmp(text, verbs[i], strlen(verbs[i])) == 0)
			return 1;
	for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
		if (strcasestr(text, marks[i]))
			return 1;
	return 0;
}

void dbc_scrub(struct dbc_catalog *cat, const char *secret)
{
	for (size_t i = 0; i < cat->nstmts; i++)
		db_scrub((char *)cat->stmts[i].text, secret);
}
