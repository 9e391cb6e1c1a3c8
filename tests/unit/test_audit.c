/*
 * test_audit: the db audit's rules on hand-built catalogs — which index a
 * duplicate or left-prefix finding drops and which it keeps, that no two
 * findings together drop an index that is needed, variants (INCLUDE,
 * operator classes, DESC) and expressions never taken for duplicates,
 * case-sensitive MySQL table names, the primary-key fix that would run, and
 * password literals masked in the statement texts a server keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/result.h"
#include "db/audit.h"
#include "db/catalog.h"
#include "db/catalog_int.h"

#define MAXT 8
#define MAXI 16

struct fixture {
	struct dbc_catalog cat;
	struct dbc_table tables[MAXT];
	struct dbc_index indexes[MAXI];
	struct budgets budgets;
};

static void init(struct fixture *fx, enum db_kind kind)
{
	memset(fx, 0, sizeof(*fx));
	fx->cat.kind = kind;
	fx->cat.tables = fx->tables;
	fx->cat.indexes = fx->indexes;
	fx->cat.server.uptime_s = 3600;
	fx->cat.server.max_connections = -1;
	fx->cat.server.slow_log = -1;
	budgets_defaults(&fx->budgets);
}

static struct dbc_table *table(struct fixture *fx, const char *name, double rows, long long reads)
{
	struct dbc_table *t = &fx->tables[fx->cat.ntables++];
	dbc_table_init(t);
	t->name = name;
	t->rows = rows;
	t->has_pk = 1;
	t->idx_scan = reads;
	t->seq_scan = 0;
	return t;
}

/* An index on table over the comma-separated columns, used `scans` times (-1: not counted). */
static struct dbc_index *index_on(struct fixture *fx, const char *tbl, const char *name, const char *cols,
				  long long scans)
{
	struct dbc_index *x = &fx->indexes[fx->cat.nindexes++];
	dbc_index_init(x);
	x->table = tbl;
	x->name = name;
	x->cols = arena_calloc(&fx->cat.arena, 8, sizeof(*x->cols));
	char *c = arena_strdup(&fx->cat.arena, cols);
	for (char *tok = strtok(c, ","); tok; tok = strtok(NULL, ","))
		x->cols[x->ncols++] = tok;
	if (scans >= 0) {
		x->usage_known = 1;
		x->scans = scans;
	}
	return x;
}

/* "rule:index" of every finding, one per line, in order. */
static char *findings(struct fixture *fx)
{
	struct dba_opts o;
	dba_opts_default(&o, &fx->budgets);
	struct pa_result *r = result_new("db");
	dba_audit(&fx->cat, &o, r);
	static char out[4096];
	out[0] = '\0';
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct pa_finding *f = r->findings[i];
		if (strcmp(f->rule, "large-table") == 0)
			continue;
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s:%s %s\n", f->rule,
			 f->location.index ? f->location.index : (f->location.table ? f->location.table : "-"),
			 f->solution ? f->solution : "");
	}
	result_free(r);
	return out;
}

static void test_duplicates_keep_the_used_one(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_PG);
	table(&fx, "orders", 20000, 100);
	index_on(&fx, "orders", "a_idx", "profile_id", 0);
	index_on(&fx, "orders", "b_idx", "profile_id", 100);
	char *f = findings(&fx);
	assert_non_null(strstr(f, "duplicate-index:a_idx DROP INDEX a_idx;"));
	assert_null(strstr(f, "b_idx"));
	arena_free(&fx.cat.arena);
}

static void test_duplicate_kept_is_never_dropped(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_PG);
	table(&fx, "orders", 20000, 100);
	index_on(&fx, "orders", "a_idx", "status", 0);
	index_on(&fx, "orders", "b_idx", "status", 0);
	char *f = findings(&fx);
	/* one copy dropped as a duplicate, the other left alone although unused */
	assert_non_null(strstr(f, "duplicate-index:b_idx"));
	assert_null(strstr(f, "a_idx"));
	arena_free(&fx.cat.arena);
}

static void test_variants_and_expressions_are_not_duplicates(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_PG);
	table(&fx, "t", 20000, 100);
	index_on(&fx, "t", "plain", "note", 5);
	index_on(&fx, "t", "pattern", "note", 5)->variant = "btree (note text_pattern_ops)";
	index_on(&fx, "t", "cover", "note", 5)->variant = "btree (note) INCLUDE (x)";
	index_on(&fx, "t", "e1", "(expression 1 of e1)", 5);
	index_on(&fx, "t", "e2", "(expression 1 of e2)", 5);
	index_on(&fx, "t", "wide", "note,x", 5);
	char *f = findings(&fx);
	assert_null(strstr(f, "duplicate-index"));
	/* only the plain narrow index is a left prefix of the plain wide one */
	assert_non_null(strstr(f, "redundant-index:plain"));
	assert_null(strstr(f, "redundant-index:pattern"));
	assert_null(strstr(f, "redundant-index:cover"));
	arena_free(&fx.cat.arena);
}

static void test_redundant_and_unused_never_drop_both(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_MYSQL);
	fx.cat.names_ci = 0;
	table(&fx, "orders", 20000, 100);
	/* narrow used, wide unused: the narrow is redundant, the wide is kept */
	index_on(&fx, "orders", "s", "status", 50);
	index_on(&fx, "orders", "sc", "status,created_at", 0);
	char *f = findings(&fx);
	assert_non_null(strstr(f, "redundant-index:s ALTER TABLE orders DROP INDEX s;"));
	assert_null(strstr(f, "unused-index:sc"));
	arena_free(&fx.cat.arena);

	/* both unused: both reported unused, no redundant finding */
	init(&fx, DB_MYSQL);
	table(&fx, "orders", 20000, 100);
	index_on(&fx, "orders", "s", "status", 0);
	index_on(&fx, "orders", "sc", "status,created_at", 0);
	f = findings(&fx);
	assert_null(strstr(f, "redundant-index"));
	assert_non_null(strstr(f, "unused-index:s "));
	assert_non_null(strstr(f, "unused-index:sc "));
	arena_free(&fx.cat.arena);
}

static void test_unused_needs_evidence(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_PG);
	table(&fx, "idle", 20000, 2); /* read twice: an index build's own scans */
	table(&fx, "empty", 0, 500);
	table(&fx, "busy", 20000, 500);
	index_on(&fx, "idle", "i1", "a", 0);
	index_on(&fx, "empty", "i2", "a", 0);
	index_on(&fx, "busy", "i3", "a", 0);
	char *f = findings(&fx);
	assert_null(strstr(f, "i1"));
	assert_null(strstr(f, "i2"));
	assert_non_null(strstr(f, "unused-index:i3"));
	arena_free(&fx.cat.arena);
}

static void test_unused_fk_index_is_kept(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_PG);
	table(&fx, "orders", 20000, 100);
	index_on(&fx, "orders", "by_profile", "profile_id", 0);
	struct dbc_fk fk = {.table = "orders", .name = "fk", .ref_table = "profiles"};
	const char *cols[] = {"profile_id"};
	fk.cols = cols;
	fk.ref_cols = cols;
	fk.ncols = 1;
	fx.cat.fks = &fk;
	fx.cat.nfks = 1;
	char *f = findings(&fx);
	assert_null(strstr(f, "unused-index"));
	assert_null(strstr(f, "fk-without-index"));
	arena_free(&fx.cat.arena);
}

static void test_mysql_table_names_are_case_sensitive(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_MYSQL);
	fx.cat.names_ci = 0;
	table(&fx, "Users", 100, 0);
	table(&fx, "users", 100, 0);
	index_on(&fx, "Users", "idx_a", "email", -1);
	index_on(&fx, "users", "idx_b", "email", -1);
	assert_null(strstr(findings(&fx), "duplicate-index"));
	arena_free(&fx.cat.arena);
}

static void test_primary_key_fix_runs(void **state)
{
	(void)state;
	struct fixture fx;
	init(&fx, DB_MYSQL);
	struct dbc_table *t = table(&fx, "events", 100, 0);
	t->has_pk = 0;
	t->auto_col = "event_no";
	struct dbc_table *u = table(&fx, "logs", 100, 0);
	u->has_pk = 0;
	u->id_col = "id";
	struct dbc_table *v = table(&fx, "plain", 100, 0);
	v->has_pk = 0;
	char *f = findings(&fx);
	assert_non_null(strstr(f, "ALTER TABLE events ADD PRIMARY KEY (event_no);"));
	assert_non_null(strstr(f, "ALTER TABLE logs ADD PRIMARY KEY (id);"));
	assert_non_null(strstr(f, "ALTER TABLE plain ADD COLUMN id BIGINT"));
	arena_free(&fx.cat.arena);
}

static void test_statement_passwords_masked(void **state)
{
	(void)state;
	struct dbc_catalog cat = {0};
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"ALTER ROLE app PASSWORD 'secret'", "ALTER ROLE app PASSWORD '***'"},
		{"CREATE ROLE x LOGIN PASSWORD 'it''s long'", "CREATE ROLE x LOGIN PASSWORD '***'"},
		{"CREATE USER u IDENTIFIED BY \"pw12345\"", "CREATE USER u IDENTIFIED BY \"***\""},
		{"ALTER USER u IDENTIFIED WITH mysql_native_password BY 'abcdef'",
		 "ALTER USER u IDENTIFIED WITH mysql_native_password BY '***'"},
		{"SET PASSWORD = 'ab'", "SET PASSWORD = '**'"},
		{"SELECT password FROM users WHERE id = $1", "SELECT password FROM users WHERE id = $1"},
		{"ALTER ROLE app PASSWORD 'unterminated", "ALTER ROLE app PASSWORD 'unterminated"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(dbc_stmt_text(&cat, cases[i].in), cases[i].want);
	struct dbc_stmt s = {.text = dbc_stmt_text(&cat, "SELECT 'hunter22' AS x")};
	cat.stmts = &s;
	cat.nstmts = 1;
	dbc_scrub(&cat, "hunter22");
	assert_string_equal(s.text, "SELECT '***' AS x");
	arena_free(&cat.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duplicates_keep_the_used_one),
		cmocka_unit_test(test_duplicate_kept_is_never_dropped),
		cmocka_unit_test(test_variants_and_expressions_are_not_duplicates),
		cmocka_unit_test(test_redundant_and_unused_never_drop_both),
		cmocka_unit_test(test_unused_needs_evidence),
		cmocka_unit_test(test_unused_fk_index_is_kept),
		cmocka_unit_test(test_mysql_table_names_are_case_sensitive),
		cmocka_unit_test(test_primary_key_fix_runs),
		cmocka_unit_test(test_statement_passwords_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
