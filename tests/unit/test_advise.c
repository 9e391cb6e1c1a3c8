/*
 * test_advise: the index advisor — which key it proposes for a statement
 * (equalities, then one range, then the ORDER BY / GROUP BY), how it
 * judges the proposal against a hand-built catalog (covered, extended,
 * small or unknown table), the honest "no B-tree helps" answer per
 * dialect, and, end to end on a SQLite file made here, the planner's
 * verdict on the proposal (advise_verify on an in-memory schema copy).
 *
 * Each table case renders the advice as one line per entry,
 * "kind table(col, col DESC)", and may also require a substring of the
 * first entry's SQL and of some entry's reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/advise.h"
#include "db/catalog.h"
#include "db/db.h"

/* ---- a hand-built catalog ---------------------------------------------------- */

static void add_table(struct dbc_catalog *cat, const char *name, double rows)
{
	struct dbc_table *t = &cat->tables[cat->ntables++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->rows = rows;
	t->data_bytes = t->index_bytes = -1;
	t->seq_scan = t->seq_tup_read = t->idx_scan = -1;
}

/* cols: comma-separated. */
static void add_index(struct dbc_catalog *cat, const char *table, const char *name, int unique, int primary,
		      const char *method, const char *cols)
{
	struct dbc_index *x = &cat->indexes[cat->nindexes++];
	memset(x, 0, sizeof(*x));
	x->table = table;
	x->name = name;
	x->unique = unique;
	x->primary = primary;
	x->backs_constraint = primary;
	x->method = method;
	x->cardinality = -1;
	x->bytes = -1;
	const char **c = arena_calloc(&cat->arena, 8, sizeof(*c));
	const char *p = cols;
	while (*p) {
		size_t n = strcspn(p, ",");
		c[x->ncols++] = arena_strndup(&cat->arena, p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	x->cols = c;
}

/* The same tables for every dialect; PostgreSQL spells a name that needs quotes quoted (regclass). */
static void build_catalog(struct dbc_catalog *cat, enum db_kind kind)
{
	memset(cat, 0, sizeof(*cat));
	cat->kind = kind;
	cat->dbname = "shop";
	cat->tables = arena_calloc(&cat->arena, 16, sizeof(*cat->tables));
	cat->indexes = arena_calloc(&cat->arena, 16, sizeof(*cat->indexes));
	add_table(cat, "profiles", 500000);
	add_table(cat, "groups", 200);
	add_table(cat, "orders", 1e6);
	add_table(cat, "customers", 50000);
	add_table(cat, "users", 100000);
	add_table(cat, "tiny", 10);
	add_table(cat, "posts", 1e6);
	add_table(cat, kind == DB_PG ? "\"order items\"" : "order items", 100000);
	add_table(cat, "events", -1);
	add_table(cat, "mid", 5000);
	const char *pk = kind == DB_MYSQL ? "PRIMARY" : "pk";
	add_index(cat, "profiles", pk, 1, 1, NULL, "id");
	add_index(cat, "groups", kind == DB_MYSQL ? "PRIMARY" : "groups_pkey", 1, 1, NULL, "id");
	add_index(cat, "customers", kind == DB_MYSQL ? "PRIMARY" : "customers_pkey", 1, 1, NULL, "id");
	add_index(cat, "orders", "idx_orders_status", 0, 0, NULL, "status");
	add_index(cat, "users", "uq_users_email", 1, 0, NULL, "email");
	add_index(cat, "posts", "idx_posts_user", 0, 0, NULL, "user_id,created_at");
	add_index(cat, "events", "ft_events_body", 0, 0, kind == DB_PG ? "gin" : "FULLTEXT", "body");
	add_index(cat, "users", "idx_profiles_status", 0, 0, NULL, "nickname"); /* a name the advisor would pick */
}

/* ---- rendering ----------------------------------------------------------------- */

static void render(const struct advice *adv, size_t n, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "%s %s(", advice_kind_name(adv[i].kind), adv[i].table ? adv[i].table : "-");
		for (size_t j = 0; j < adv[i].ncols; j++)
			buf_printf(out, "%s%s%s", j ? ", " : "", adv[i].cols[j], adv[i].desc[j] ? " DESC" : "");
		buf_puts(out, ")\n");
	}
}

struct advise_case {
	const char *what;
	enum db_kind kind;
	const char *sql;
	const char *want;       /* rendered advice */
	const char *sql_has;    /* in the first entry's sql; NULL: not checked */
	const char *reason_has; /* in some entry's reason; NULL: not checked */
};

static const struct advise_case cases[] = {
	{"equality, then the range, then the ORDER BY (the range is its first column), DESC kept",
	 DB_MYSQL, "SELECT * FROM profiles WHERE created_at > ? AND status = 1 ORDER BY created_at DESC LIMIT 20",
	 "create_index profiles(status, created_at DESC)\n",
	 "CREATE INDEX idx_profiles_status_created_at ON profiles (status, created_at DESC);", "then the range on created_at"},
	{"a range on another column keeps the ORDER BY out",
	 DB_MYSQL, "SELECT * FROM profiles WHERE status = 1 AND age > 30 ORDER BY created_at",
	 "create_index profiles(status, age)\n", NULL, "ORDER BY created_at is left out"},
	{"at most one range column", DB_MYSQL,
	 "SELECT * FROM profiles WHERE age > 30 AND score < 5 AND country = 'nz'",
	 "create_index profiles(country, age)\n", NULL, NULL},
	{"an existing index that leads with the candidate covers it", DB_MYSQL,
	 "SELECT * FROM orders WHERE status = 'open'", "covered orders(status)\n", NULL, "idx_orders_status (status)"},
	{"covered though the ORDER BY is DESC (read backwards)", DB_MYSQL,
	 "SELECT * FROM posts WHERE user_id = 3 ORDER BY created_at DESC LIMIT 10",
	 "covered posts(user_id, created_at DESC)\n", NULL, "idx_posts_user"},
	{"a unique index pinned by the equalities covers", DB_MYSQL,
	 "SELECT * FROM users WHERE email = 'a@b.c' AND name = 'x'", "covered users(email, name)\n", NULL,
	 "at most one row"},
	{"partial coverage: the new index extends the old one, which may become redundant", DB_MYSQL,
	 "SELECT * FROM orders WHERE status = 'open' AND customer_id = 5 ORDER BY created_at",
	 "create_index orders(status, customer_id, created_at)\n", NULL, "may become redundant"},
	{"partial coverage reorders the equalities so the old index is a prefix", DB_MYSQL,
	 "SELECT * FROM orders WHERE customer_id = 5 AND status = 'open'",
	 "create_index orders(status, customer_id)\n",
	 "CREATE INDEX idx_orders_status_customer_id ON orders (status, customer_id);", "extends it"},
	{"an overlapping index serves only the equality, not the ORDER BY", DB_MYSQL,
	 "SELECT * FROM posts WHERE user_id = 3 AND kind = 2 ORDER BY created_at DESC",
	 "create_index posts(user_id, kind, created_at DESC)\n", NULL, "serves only the first column"},
	{"join: the inner table gets the join column as an equality; the small driver is left alone",
	 DB_MYSQL,
	 "SELECT p.name FROM profiles p JOIN groups AS g ON p.group_id = g.id WHERE g.kind = 'team' "
	 "AND p.created_at > ? ORDER BY p.created_at DESC",
	 "create_index profiles(group_id, created_at DESC)\nsmall_table groups(kind)\n", NULL,
	 "looked up once per row of groups"},
	{"join: the inner table's join column is its primary key", DB_MYSQL,
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'x'",
	 "covered orders(status)\ncovered customers(id)\n", NULL, NULL},
	{"join: a small inner table still gets its lookup index", DB_MYSQL,
	 "SELECT * FROM orders o JOIN groups g ON g.code = o.group_code WHERE o.status = 'x'",
	 "covered orders(status)\ncreate_index groups(code)\n", NULL, NULL},
	{"LEFT JOIN: the nullable side is looked up, even with the filters", DB_MYSQL,
	 "SELECT * FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.kind = 2 AND o.total > 5",
	 "create_index orders(customer_id, kind, total)\n", NULL, NULL},
	{"correlated subquery: its table is the inner one", DB_PG,
	 "SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.author_id = u.id AND p.kind = 2) "
	 "AND u.country = 'nz'",
	 "create_index users(country)\ncreate_index posts(author_id, kind)\n", NULL, NULL},
	{"aliases resolve to their tables", DB_MYSQL,
	 "SELECT u.name FROM users AS u WHERE u.country = 'nz' AND u.age >= 18",
	 "create_index users(country, age)\n", "ON users (country, age)", NULL},
	{"MySQL: substring LIKE -> FULLTEXT", DB_MYSQL, "SELECT * FROM profiles WHERE bio LIKE '%climbing%'",
	 "no_btree profiles(bio)\n", "ALTER TABLE profiles ADD FULLTEXT INDEX ft_profiles_bio (bio);",
	 "AGAINST ('climbing' IN BOOLEAN MODE)"},
	{"MySQL: suffix LIKE -> reversed generated column", DB_MYSQL,
	 "SELECT * FROM profiles WHERE email LIKE '%@example.com'", "no_btree profiles(email)\n",
	 "ADD COLUMN email_rev VARCHAR(255) AS (REVERSE(email)) VIRTUAL, ADD INDEX idx_profiles_email_rev (email_rev);",
	 "LIKE CONCAT(REVERSE('@example.com'), '%')"},
	{"MySQL: REGEXP has no fixed prefix either", DB_MYSQL, "SELECT * FROM profiles WHERE bio REGEXP 'ab+c'",
	 "no_btree profiles(bio)\n", "FULLTEXT", "regular expression"},
	{"PostgreSQL: pg_trgm GIN index", DB_PG, "SELECT * FROM profiles WHERE email ILIKE '%smith%'",
	 "no_btree profiles(email)\n",
	 "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX idx_profiles_email_trgm ON profiles USING gin (email gin_trgm_ops);",
	 "trigram"},
	{"PostgreSQL: suffix also names the reverse() expression index", DB_PG,
	 "SELECT * FROM profiles WHERE email LIKE '%@example.com'", "no_btree profiles(email)\n", "gin_trgm_ops",
	 "reverse(email) text_pattern_ops"},
	{"SQLite: FTS5 with the trigram tokenizer", DB_SQLITE, "SELECT * FROM profiles WHERE bio LIKE '%ab%'",
	 "no_btree profiles(bio)\n",
	 "CREATE VIRTUAL TABLE profiles_fts USING fts5(bio, content='profiles', content_rowid='rowid', tokenize='trigram');",
	 "3.34"},
	{"a wildcard LIKE beside an equality: both answers", DB_MYSQL,
	 "SELECT * FROM profiles WHERE bio LIKE '%x%' AND status = 2",
	 "create_index profiles(status)\nno_btree profiles(bio)\n", NULL, NULL},
	{"an existing FULLTEXT index is named", DB_MYSQL, "SELECT * FROM events WHERE body LIKE '%error%'",
	 "no_btree events(body)\n", NULL, "ft_events_body"},
	{"small table: a scan is cheap", DB_MYSQL, "SELECT * FROM tiny WHERE a = 1",
	 "small_table tiny(a)\n", NULL, "Table is small; a scan is cheap"},
	{"unknown table", DB_MYSQL, "SELECT * FROM nosuch WHERE a = 1", "unknown_table nosuch()\n", NULL,
	 "not in the catalog of shop"},
	{"negated conditions alone: a note, no index", DB_MYSQL,
	 "SELECT * FROM orders WHERE status != 'x' AND id NOT IN (1, 2) AND note IS NOT NULL",
	 "note orders()\n", NULL, "negated conditions"},
	{"negated conditions never lead", DB_MYSQL, "SELECT * FROM profiles WHERE status <> 1 AND country = 'nz'",
	 "create_index profiles(country)\n", NULL, NULL},
	{"GROUP BY after the equalities", DB_MYSQL,
	 "SELECT country, city, COUNT(*) FROM profiles WHERE status = 1 GROUP BY country, city",
	 "create_index profiles(status, country, city)\n", NULL, "GROUP BY country, city"},
	{"GROUP BY when the ORDER BY is an aggregate", DB_MYSQL,
	 "SELECT country, COUNT(*) FROM profiles GROUP BY country ORDER BY COUNT(*) DESC",
	 "create_index profiles(country)\n", NULL, NULL},
	{"an ORDER BY of a select-list alias is left out", DB_MYSQL,
	 "SELECT created_at AS c FROM profiles WHERE status = 1 ORDER BY c",
	 "create_index profiles(status)\n", NULL, "select-list alias"},
	{"an ORDER BY over two tables is left out", DB_MYSQL,
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.region = 'eu' "
	 "ORDER BY o.created_at, c.name",
	 "create_index orders(customer_id)\ncreate_index customers(region)\n", NULL, "other tables"},
	{"at most five columns", DB_MYSQL,
	 "SELECT * FROM profiles WHERE a = 1 AND b = 2 AND c = 3 AND d = 4 AND e = 5 AND f = 6",
	 "create_index profiles(a, b, c, d, e)\n", NULL, NULL},
	{"ambiguous column left out, with a note", DB_MYSQL,
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE region = 'eu'",
	 "covered customers(id)\nnote -()\n", NULL, "Column region is not qualified"},
	{"a CTE is not a table", DB_PG, "WITH r AS (SELECT * FROM profiles WHERE x = 1) SELECT * FROM r WHERE r.y = 2",
	 "create_index profiles(x)\nnote r()\n", NULL, "is a CTE"},
	{"PostgreSQL: identifiers needing quotes are quoted", DB_PG,
	 "SELECT * FROM \"order items\" oi WHERE oi.\"Unit Price\" = $1 AND oi.qty > 2",
	 "create_index order items(Unit Price, qty)\n",
	 "CREATE INDEX idx_order_items_unit_price_qty ON \"order items\" (\"Unit Price\", qty);", NULL},
	{"MySQL: identifiers needing quotes get backquotes", DB_MYSQL,
	 "SELECT * FROM `order items` WHERE `select` = 1", "create_index order items(select)\n",
	 "CREATE INDEX idx_order_items_select ON `order items` (`select`);", NULL},
	{"PostgreSQL folds unquoted names", DB_PG, "SELECT * FROM Profiles WHERE Email = $1",
	 "create_index profiles(email)\n", "ON profiles (email);", NULL},
	{"self-join: each occurrence gets its own key", DB_PG,
	 "SELECT * FROM profiles t1 JOIN profiles t2 ON t2.parent_id = t1.id WHERE t1.email = 'x'",
	 "create_index profiles(email)\ncreate_index profiles(parent_id)\n", NULL, "per row of profiles (t1)"},
	{"a taken name gets a suffix", DB_MYSQL, "SELECT * FROM profiles WHERE status = 1",
	 "create_index profiles(status)\n", "CREATE INDEX idx_profiles_status_2 ON", NULL},
	{"SQLite: the rowid is the table's own key", DB_SQLITE, "SELECT * FROM profiles WHERE rowid = ? AND x = 1",
	 "covered profiles(rowid, x)\n", NULL, "B-tree on its rowid"},
	{"a table written to but not filtered: no advice, known or not", DB_MYSQL,
	 "INSERT INTO archive (a) SELECT a FROM orders WHERE orders.customer_id = 3",
	 "create_index orders(customer_id)\n", NULL, NULL},
	{"no filter, no advice", DB_MYSQL, "SELECT * FROM profiles", "", NULL, NULL},
};

static void check_case(const struct advise_case *k, const struct dbc_catalog *cat)
{
	struct arena a = {0};
	struct advice *adv = NULL;
	size_t n = 0;
	struct perr e;
	struct buf out = BUF_INIT;
	assert_int_equal(advise(k->sql, k->kind, cat, &a, &adv, &n, &e), 0);
	render(adv, n, &out);
	if (strcmp(buf_str(&out), k->want) != 0)
		print_error("%s\n sql: %s\n want:\n%s got:\n%s", k->what, k->sql, k->want, buf_str(&out));
	assert_string_equal(buf_str(&out), k->want);
	if (k->sql_has) {
		assert_true(n > 0);
		if (!adv[0].sql || !strstr(adv[0].sql, k->sql_has))
			print_error("%s\n want in sql: %s\n got: %s\n", k->what, k->sql_has, adv[0].sql ? adv[0].sql : "(none)");
		assert_non_null(adv[0].sql);
		assert_non_null(strstr(adv[0].sql, k->sql_has));
	}
	if (k->reason_has) {
		int found = 0;
		for (size_t i = 0; i < n; i++)
			found |= adv[i].reason && strstr(adv[i].reason, k->reason_has) != NULL;
		if (!found)
			for (size_t i = 0; i < n; i++)
				print_error("%s\n want in a reason: %s\n got: %s\n", k->what, k->reason_has, adv[i].reason);
		assert_true(found);
	}
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(adv[i].verified, -1);
		assert_non_null(adv[i].reason);
		if (adv[i].name)
			assert_true(strlen(adv[i].name) <= 63);
	}
	buf_free(&out);
	arena_free(&a);
}

static void test_cases(void **state)
{
	(void)state;
	struct dbc_catalog cat[3];
	enum db_kind kinds[3] = {DB_MYSQL, DB_PG, DB_SQLITE};
	for (int i = 0; i < 3; i++)
		build_catalog(&cat[i], kinds[i]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], &cat[cases[i].kind == DB_MYSQL ? 0 : cases[i].kind == DB_PG ? 1 : 2]);
	for (int i = 0; i < 3; i++)
		arena_free(&cat[i].arena);
}

/* Index names are cut to 63 bytes (PostgreSQL's limit). */
static void test_long_names(void **state)
{
	(void)state;
	struct arena a = {0};
	struct advice *adv;
	size_t n;
	struct perr e;
	const char *sql = "SELECT * FROM a_table_with_a_rather_long_name WHERE the_first_long_column_name = 1 "
			  "AND the_second_long_column_name = 2";
	assert_int_equal(advise(sql, DB_PG, NULL, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(adv[0].kind, ADVICE_CREATE_INDEX);
	assert_true(strlen(adv[0].name) <= 63 && strlen(adv[0].name) >= 60); /* a trailing "_" is dropped */
	assert_true(adv[0].name[strlen(adv[0].name) - 1] != '_');
	assert_true(strncmp(adv[0].name, "idx_a_table_with_a_rather_long_name_the_first", 45) == 0);
	assert_non_null(strstr(adv[0].sql, adv[0].name));
	arena_free(&a);
}

/* Without a catalog nothing is covered, small or unknown; big-table notes per dialect. */
static void test_no_catalog_and_notes(void **state)
{
	(void)state;
	struct arena a = {0};
	struct advice *adv;
	size_t n;
	struct perr e;
	assert_int_equal(advise("SELECT * FROM t WHERE a = 1", DB_PG, NULL, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(adv[0].kind, ADVICE_CREATE_INDEX);
	assert_string_equal(adv[0].sql, "CREATE INDEX idx_t_a ON t (a);");
	assert_non_null(adv[0].note);
	assert_non_null(strstr(adv[0].note, "CREATE INDEX CONCURRENTLY"));
	assert_null(strstr(adv[0].sql, "CONCURRENTLY"));
	assert_true(adv[0].cost_before < 0 && adv[0].cost_after < 0);

	struct dbc_catalog cat;
	build_catalog(&cat, DB_PG);
	assert_int_equal(advise("SELECT * FROM mid WHERE a = 1", DB_PG, &cat, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(adv[0].kind, ADVICE_CREATE_INDEX);
	assert_null(adv[0].note); /* 5000 rows: no need to build it concurrently */
	assert_int_equal(advise("SELECT * FROM profiles WHERE a = 1", DB_PG, &cat, &a, &adv, &n, &e), 0);
	assert_non_null(adv[0].note);
	arena_free(&cat.arena);

	assert_int_equal(advise("  ; ", DB_MYSQL, NULL, &a, &adv, &n, &e), -1);
	assert_non_null(strstr(e.msg, "no SQL statement"));
	assert_int_equal(advise(NULL, DB_MYSQL, NULL, &a, &adv, &n, &e), -1);
	assert_string_equal(advice_kind_name(ADVICE_NO_BTREE), "no_btree");
	arena_free(&a);
}

/* MySQL has no hypothetical indexes: said, nothing run (the connection is never used). */
static void test_verify_mysql(void **state)
{
	(void)state;
	struct arena a = {0};
	struct advice *adv;
	size_t n;
	struct perr e;
	struct db_conn fake;
	memset(&fake, 0, sizeof(fake));
	fake.kind = DB_MYSQL;
	assert_int_equal(advise("SELECT * FROM t WHERE a = 1 AND b LIKE '%x%'", DB_MYSQL, NULL, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(advise_verify(&fake, "SELECT * FROM t WHERE a = 1", adv, n, &a, &e), 0);
	assert_int_equal(adv[0].verified, -1);
	assert_string_equal(adv[0].verify_note, "not verified: MySQL has no hypothetical indexes; test on a copy");
	assert_null(adv[1].verify_note); /* only CREATE INDEX advice is verified */
	assert_int_equal(advise_verify(NULL, "x", adv, n, &a, &e), -1);
	arena_free(&a);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		print_error("%s: %s\n", sql, err ? err : "?");
	sqlite3_free(err);
	assert_int_equal(rc, SQLITE_OK);
}

/*
 * End to end on SQLite: a file with 5000 profiles and statistics, advice
 * verified through db_connect on an in-memory copy of its schema.
 */
static void test_verify_sqlite(void **state)
{
	(void)state;
	char dir[] = "/tmp/pa-advise-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300], dsn[320];
	snprintf(path, sizeof(path), "%s/shop.db", dir);
	snprintf(dsn, sizeof(dsn), "sqlite:%s", path);

	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT, status INTEGER, created INTEGER, bio TEXT);"
		    "CREATE INDEX p_status ON profiles (status);"
		    "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, what TEXT);"
		    "CREATE TRIGGER t_log AFTER INSERT ON profiles BEGIN INSERT INTO audit_log (what) VALUES ('x'); END;"
		    "BEGIN;"
		    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
		    "INSERT INTO profiles (email, status, created, bio) SELECT 'u' || i || '@x.org', i % 50, i, 'b' FROM n;"
		    "COMMIT; ANALYZE;");
	sqlite3_close(db);

	struct db_dsn d;
	struct db_conn *c = NULL;
	struct perr e;
	if (db_dsn_parse(dsn, &d, &e) != 0 || db_connect(&d, NULL, &c, &e) != 0)
		print_error("connect: %s\n", e.msg);
	assert_non_null(c);

	struct dbc_catalog cat;
	memset(&cat, 0, sizeof(cat));
	cat.kind = DB_SQLITE;
	cat.tables = arena_calloc(&cat.arena, 2, sizeof(*cat.tables));
	cat.indexes = arena_calloc(&cat.arena, 2, sizeof(*cat.indexes));
	add_table(&cat, "profiles", 5000);
	add_index(&cat, "profiles", "p_status", 0, 0, NULL, "status");

	struct arena a = {0};
	struct advice *adv;
	size_t n;

	/* a full scan becomes a search */
	const char *q1 = "SELECT * FROM profiles WHERE email = 'u7@x.org';";
	assert_int_equal(advise(q1, DB_SQLITE, &cat, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(adv[0].sql, "CREATE INDEX idx_profiles_email ON profiles (email);");
	assert_int_equal(advise_verify(c, q1, adv, n, &a, &e), 0);
	if (adv[0].verified != 1)
		print_error("verify: %s\n", adv[0].verify_note ? adv[0].verify_note : "(no note)");
	assert_int_equal(adv[0].verified, 1);
	assert_non_null(strstr(adv[0].verify_note, "before: SCAN profiles"));
	assert_non_null(strstr(adv[0].verify_note, "after: SEARCH profiles USING INDEX idx_profiles_email (email=?)"));

	/* the temp B-tree of the ORDER BY goes away; the old one-column index is extended */
	const char *q2 = "SELECT * FROM profiles WHERE status = ? ORDER BY created DESC LIMIT 10";
	assert_int_equal(advise(q2, DB_SQLITE, &cat, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(adv[0].existing_index, "p_status");
	assert_int_equal(advise_verify(c, q2, adv, n, &a, &e), 0);
	if (adv[0].verified != 1)
		print_error("verify: %s\n", adv[0].verify_note ? adv[0].verify_note : "(no note)");
	assert_int_equal(adv[0].verified, 1);
	assert_non_null(strstr(adv[0].verify_note, "USE TEMP B-TREE FOR ORDER BY"));

	/* a failure is noted in its entry, not fatal */
	const char *q3 = "SELECT * FROM missing WHERE a = 1";
	assert_int_equal(advise(q3, DB_SQLITE, NULL, &a, &adv, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(advise_verify(c, q3, adv, n, &a, &e), 0);
	assert_int_equal(adv[0].verified, -1);
	assert_non_null(strstr(adv[0].verify_note, "not verified"));

	/* the source file was not touched: no new index there */
	struct db_rows r;
	assert_int_equal(db_query(c, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'", &r, &e), 0);
	assert_string_equal(db_cell(&r, 0, 0), "0");
	db_rows_free(&r);

	db_close(c);
	arena_free(&a);
	arena_free(&cat.arena);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_no_catalog_and_notes),
		cmocka_unit_test(test_verify_mysql),
		cmocka_unit_test(test_verify_sqlite),
	};
	return cmocka_run_group_tests_name("advise", tests, NULL, NULL);
}
