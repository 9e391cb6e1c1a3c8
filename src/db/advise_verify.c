/*
 * advise_verify: ask the planner whether a proposed index would help,
 * without creating it where the data lives.
 *
 * advise() reasons from the statement's text; the planner knows the data.
 * Where a database can show us its plan with an index that does not exist,
 * we ask it:
 *   PostgreSQL  hypopg's hypothetical indexes live in the backend's memory
 *               only, so they work in our read-only session: EXPLAIN's
 *               total cost before and after hypopg_create_index(), and
 *               whether the plan names the hypothetical index.
 *   SQLite      the schema (and the sqlite_stat1 statistics the planner
 *               reads) is copied into a private in-memory database, where
 *               the index can really be created: EXPLAIN QUERY PLAN before
 *               and after. The data is not copied — SQLite's planner works
 *               from the schema and sqlite_stat1, not from the rows.
 *   MySQL       has no hypothetical indexes; we say so.
 * SQLite is driven through its own API here (the db.h connection to the
 * audited file is read-only, and the copy is ours alone); the source's
 * schema and statistics are read through db.h like any other query.
 */
#include "db/advise.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define PLAN_NOTE_MAX 300 /* bytes of plan text kept in a verify note, per side */

/* The statement without trailing whitespace and semicolons, in the arena. */
static const char *trim_sql(struct arena *a, const char *sql)
{
	size_t n = strlen(sql);
	while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\t' || sql[n - 1] == '\n' ||
			 sql[n - 1] == '\r'))
		n--;
	return arena_strndup(a, sql, n);
}

/* s cut to max bytes with "..." when longer. */
static const char *clip(struct arena *a, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return s;
	return arena_printf(a, "%.*s...", (int)max, s);
}

/* ---- PostgreSQL ------------------------------------------------------------- */

/* Does any node of plan (a PostgreSQL JSON plan node) use index name? */
static int pg_plan_uses(const json_t *node, const char *name)
{
	if (!json_is_object(node))
		return 0;
	const char *in = json_string_value(json_object_get(node, "Index Name"));
	if (in && strcmp(in, name) == 0)
		return 1;
	const json_t *kids = json_object_get(node, "Plans");
	size_t i;
	const json_t *k;
	json_array_foreach(kids, i, k)
		if (pg_plan_uses(k, name))
			return 1;
	return 0;
}

/*
 * EXPLAIN (FORMAT JSON [, GENERIC_PLAN]) sql: the total cost, and the
 * parsed plan in *plan (json_decref it) when plan is not NULL.
 */
static int pg_explain(struct db_conn *c, const char *sql, int generic, struct arena *a, double *cost,
		      json_t **plan, struct perr *e)
{
	struct db_rows r;
	const char *q = arena_printf(a, "EXPLAIN (FORMAT JSON%s) %s", generic ? ", GENERIC_PLAN" : "", sql);
	if (db_query(c, q, &r, e) != 0) {
		db_rows_free(&r);
		return -1;
	}
	const char *text = db_cell(&r, 0, 0);
	json_error_t je;
	json_t *j = text ? json_loads(text, 0, &je) : NULL;
	db_rows_free(&r);
	const json_t *top = json_object_get(json_array_get(j, 0), "Plan");
	const json_t *tc = json_object_get(top, "Total Cost");
	if (!json_is_number(tc)) {
		json_decref(j);
		return perr_set(e, "EXPLAIN gave no total cost");
	}
	*cost = json_number_value(tc);
	if (plan)
		*plan = json_incref(json_object_get(json_array_get(j, 0), "Plan"));
	json_decref(j);
	return 0;
}

static void pg_verify(struct db_conn *c, const char *sql, struct advice *adv, size_t n, struct arena *a)
{
	struct db_rows r;
	struct perr e;
	int have = 0;
	if (db_query(c, "SELECT 1 FROM pg_extension WHERE extname = 'hypopg'", &r, &e) == 0)
		have = r.nrows > 0;
	db_rows_free(&r);
	if (!have) {
		long major = c->version_num >= 100000 ? c->version_num / 10000 : 15;
		const char *why = arena_printf(a, "not verified: install hypopg (apt-get install postgresql-%ld-hypopg; "
						  "CREATE EXTENSION hypopg)", major);
		for (size_t i = 0; i < n; i++)
			if (adv[i].kind == ADVICE_CREATE_INDEX)
				adv[i].verify_note = why;
		return;
	}
	double before;
	int generic = 0;
	if (pg_explain(c, sql, 0, a, &before, NULL, &e) != 0) {
		struct perr e2;
		if (c->version_num >= 160000 && pg_explain(c, sql, 1, a, &before, NULL, &e2) == 0) {
			generic = 1; /* $1 parameters: PostgreSQL 16 plans them generically */
		} else {
			const char *why = arena_printf(a, "not verified: EXPLAIN failed: %s", e.msg);
			for (size_t i = 0; i < n; i++)
				if (adv[i].kind == ADVICE_CREATE_INDEX)
					adv[i].verify_note = why;
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct advice *ad = &adv[i];
		if (ad->kind != ADVICE_CREATE_INDEX || !ad->sql)
			continue;
		const char *q = arena_printf(a, "SELECT indexname FROM hypopg_create_index(%s)",
					     db_quote(a, DB_PG, trim_sql(a, ad->sql)));
		int qrc = db_query(c, q, &r, &e);
		if (qrc != 0 || !db_cell(&r, 0, 0)) {
			ad->verify_note = arena_printf(a, "not verified: hypopg_create_index failed: %s",
						       qrc != 0 ? e.msg : "no index name returned");
			db_rows_free(&r);
			continue;
		}
		const char *hypo = arena_strdup(a, db_cell(&r, 0, 0));
		db_rows_free(&r);
		double after;
		json_t *plan = NULL;
		int rc = pg_explain(c, sql, generic, a, &after, &plan, &e);
		struct perr e3;
		db_query(c, "SELECT hypopg_reset()", NULL, &e3);
		if (rc != 0) {
			ad->verify_note = arena_printf(a, "not verified: EXPLAIN with the hypothetical index failed: %s", e.msg);
			continue;
		}
		int used = pg_plan_uses(plan, hypo);
		json_decref(plan);
		ad->cost_before = before;
		ad->cost_after = after;
		ad->verified = used && after < before ? 1 : 0;
		if (ad->verified)
			ad->verify_note = arena_printf(a, "hypopg: the plan uses the index; estimated cost %.2f -> %.2f (%.0f%% less)",
						       before, after, before > 0 ? 100.0 * (before - after) / before : 0.0);
		else if (used)
			ad->verify_note = arena_printf(a, "hypopg: the plan would use the index but the estimated cost does "
							  "not drop (%.2f -> %.2f)", before, after);
		else
			ad->verify_note = arena_printf(a, "hypopg: the planner would not use the index (estimated cost %.2f; "
							  "it prefers its current plan, perhaps the filter is not selective)",
						       before);
	}
}

/* ---- SQLite ----------------------------------------------------------------- */

/* EXPLAIN QUERY PLAN sql on db as "detail; detail; ...", or NULL with *err. */
static const char *lite_eqp(sqlite3 *db, const char *sql, struct arena *a, const char **err)
{
	sqlite3_stmt *st = NULL;
	const char *q = arena_printf(a, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		*err = arena_strdup(a, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	struct buf b = BUF_INIT;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(st, 3);
		if (b.len)
			buf_puts(&b, "; ");
		buf_puts(&b, d ? (const char *)d : "?");
	}
	if (rc != SQLITE_DONE) {
		*err = arena_strdup(a, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		buf_free(&b);
		return NULL;
	}
	sqlite3_finalize(st);
	const char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

/* What a plan text says, counted. */
struct lite_plan {
	int full_scans;  /* "SCAN t" without an index */
	int temp_btrees; /* "USE TEMP B-TREE FOR ORDER BY / GROUP BY / DISTINCT" */
	int constraints; /* "?" in the index constraints: columns the indexes are searched by */
};

static struct lite_plan lite_count(const char *p)
{
	struct lite_plan r = {0, 0, 0};
	for (const char *s = p; s && *s;) {
		const char *end = strstr(s, "; ");
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (n >= 5 && strncmp(s, "SCAN ", 5) == 0 && !memmem(s, n, " USING ", 7))
			r.full_scans++;
		if (memmem(s, n, "USE TEMP B-TREE", 15))
			r.temp_btrees++;
		const char *u = memmem(s, n, " USING ", 7);
		if (u)
			for (const char *k = u; k < s + n; k++)
				r.constraints += *k == '?';
		s = end ? end + 2 : s + n;
	}
	return r;
}

/* Does the plan text name index name ("INDEX name" as a whole word)? */
static int lite_uses(const char *p, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = p; (s = strstr(s, "INDEX ")) != NULL; s += 6) {
		const char *w = s + 6;
		if (strncmp(w, name, n) == 0 && (w[n] == '\0' || w[n] == ' ' || w[n] == ';'))
			return 1;
	}
	return 0;
}

static int lite_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * Copy the source's schema (tables, indexes, views) and sqlite_stat1 into
 * the empty database db. Returns a note on what could not be copied
 * (NULL when all was), or -1 with e set when the schema cannot be read.
 */
static int lite_copy(struct db_conn *c, sqlite3 *db, struct arena *a, const char **partial, struct perr *e)
{
	struct db_rows r;
	*partial = NULL;
	if (db_query(c,
		     "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN "
		     "('table', 'index', 'view') ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid",
		     &r, e) != 0) {
		db_rows_free(&r);
		return -1;
	}
	size_t failed = 0;
	const char *first_err = NULL;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *s = db_cell(&r, i, 0);
		if (s && lite_exec(db, s) != 0) {
			/* shadow tables of a virtual table exist already; a missing module is not ours to fix */
			if (!strstr(sqlite3_errmsg(db), "already exists")) {
				failed++;
				if (!first_err)
					first_err = arena_strdup(a, sqlite3_errmsg(db));
			}
		}
	}
	db_rows_free(&r);
	if (failed)
		*partial = arena_printf(a, "%zu schema statement%s could not be copied (%s)", failed, failed == 1 ? "" : "s",
					first_err);
	struct perr e2;
	if (db_query(c, "SELECT tbl, idx, stat FROM sqlite_stat1", &r, &e2) != 0 || r.nrows == 0) {
		db_rows_free(&r);
		return 0; /* no statistics: the planner of the source has none either */
	}
	sqlite3_stmt *ins = NULL;
	if (lite_exec(db, "ANALYZE") != 0 || lite_exec(db, "DELETE FROM sqlite_stat1") != 0 ||
	    sqlite3_prepare_v2(db, "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		*partial = arena_printf(a, "%s%sthe statistics could not be copied (%s)", *partial ? *partial : "",
					*partial ? "; " : "", sqlite3_errmsg(db));
		sqlite3_finalize(ins);
		db_rows_free(&r);
		return 0;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		for (int k = 0; k < 3; k++) {
			const char *v = db_cell(&r, i, (size_t)k);
			if (v)
				sqlite3_bind_text(ins, k + 1, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(ins, k + 1);
		}
		sqlite3_step(ins);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	db_rows_free(&r);
	lite_exec(db, "ANALYZE sqlite_master"); /* reloads the statistics into the planner */
	return 0;
}

static void lite_verify(struct db_conn *c, const char *sql, struct advice *adv, size_t n, struct arena *a)
{
	sqlite3 *db = NULL;
	const char *why = NULL, *partial = NULL, *err = NULL;
	struct perr e;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		why = arena_printf(a, "not verified: cannot open an in-memory database: %s", db ? sqlite3_errmsg(db) : "out of memory");
	else if (lite_copy(c, db, a, &partial, &e) != 0)
		why = arena_printf(a, "not verified: reading the schema failed: %s", e.msg);
	const char *before = why ? NULL : lite_eqp(db, sql, a, &err);
	if (!why && !before)
		why = arena_printf(a, "not verified: EXPLAIN QUERY PLAN failed on the schema copy: %s", err);
	struct lite_plan pb = lite_count(before);
	for (size_t i = 0; i < n; i++) {
		struct advice *ad = &adv[i];
		if (ad->kind != ADVICE_CREATE_INDEX || !ad->sql)
			continue;
		if (why) {
			ad->verify_note = why;
			continue;
		}
		if (lite_exec(db, ad->sql) != 0) {
			ad->verify_note = arena_printf(a, "not verified: creating the index on the schema copy failed: %s",
						       sqlite3_errmsg(db));
			continue;
		}
		const char *after = lite_eqp(db, sql, a, &err);
		if (ad->name)
			lite_exec(db, arena_printf(a, "DROP INDEX %s", db_ident(a, DB_SQLITE, ad->name)));
		if (!after) {
			ad->verify_note = arena_printf(a, "not verified: EXPLAIN QUERY PLAN failed: %s", err);
			continue;
		}
		struct lite_plan pa = lite_count(after);
		int used = ad->name && lite_uses(after, ad->name);
		int gain = used && (pa.full_scans < pb.full_scans || pa.temp_btrees < pb.temp_btrees ||
				    pa.constraints > pb.constraints);
		ad->verified = gain ? 1 : 0;
		ad->verify_note = arena_printf(a, "%s; before: %s; after: %s%s%s",
					       gain ? "the plan improves" : used ? "the plan uses the index but gains nothing visible"
										 : "the planner would not use the index",
					       clip(a, before, PLAN_NOTE_MAX), clip(a, after, PLAN_NOTE_MAX),
					       partial ? "; note: " : "", partial ? partial : "");
	}
	sqlite3_close(db);
}

/* ---- entry ------------------------------------------------------------------ */

int advise_verify(struct db_conn *c, const char *sql, struct advice *adv, size_t n, struct arena *a, struct perr *e)
{
	if (!c)
		return perr_set(e, "verifying index advice: not connected to a database");
	if (!sql || (n && !adv))
		return perr_set(e, "verifying index advice: no statement given");
	const char *q = trim_sql(a, sql);
	switch (c->kind) {
	case DB_PG:
		pg_verify(c, q, adv, n, a);
		break;
	case DB_SQLITE:
		lite_verify(c, q, adv, n, a);
		break;
	case DB_MYSQL:
		for (size_t i = 0; i < n; i++)
			if (adv[i].kind == ADVICE_CREATE_INDEX)
				adv[i].verify_note = "not verified: MySQL has no hypothetical indexes; test on a copy";
		break;
	}
	return 0;
}
