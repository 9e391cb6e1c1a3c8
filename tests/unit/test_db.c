/*
 * test_db: the database layer without a server — DSN parsing (every
 * scheme, percent-decoding, IPv6, parameters, the errors and their "did
 * you mean"), password masking on good and malformed DSNs, quoting of
 * literals and identifiers, result-set access, and the SQLite driver for
 * real on a database file the test creates with the sqlite3 API.
 *
 * The MySQL and PostgreSQL drivers need servers; they are exercised
 * against throwaway ones outside the unit tests.
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
#include "db/db.h"

/* Parse dsn, which must succeed; the error printed when it does not. */
static void parse_ok(const char *dsn, struct db_dsn *d)
{
	struct perr e = {{0}};
	int rc = db_dsn_parse(dsn, d, &e);
	if (rc != 0)
		print_error("dsn %s: %s\n", dsn, e.msg);
	assert_int_equal(rc, 0);
}

/* Parse dsn, which must fail with exactly want. */
static void parse_err(const char *dsn, const char *want)
{
	struct db_dsn d;
	struct perr e = {{0}};
	int rc = db_dsn_parse(dsn, &d, &e);
	if (rc == 0)
		print_error("dsn %s parsed; wanted: %s\n", dsn, want);
	assert_int_equal(rc, -1);
	assert_string_equal(e.msg, want);
}

static void test_kind_name(void **state)
{
	(void)state;
	assert_string_equal(db_kind_name(DB_MYSQL), "mysql");
	assert_string_equal(db_kind_name(DB_PG), "postgres");
	assert_string_equal(db_kind_name(DB_SQLITE), "sqlite");
}

static void test_dsn_mysql(void **state)
{
	(void)state;
	struct db_dsn d;
	parse_ok("mysql://app:s3cr%2Ft%40pw@db.example.com:3307/shop", &d);
	assert_int_equal(d.kind, DB_MYSQL);
	assert_string_equal(d.user, "app");
	assert_string_equal(d.password, "s3cr/t@pw");
	assert_int_equal(d.has_password, 1);
	assert_string_equal(d.host, "db.example.com");
	assert_int_equal(d.port, 3307);
	assert_string_equal(d.dbname, "shop");
	assert_string_equal(d.safe, "mysql://app:***@db.example.com:3307/shop");

	/* mariadb:// is the same; no password, host, port or db */
	parse_ok("mariadb://root@", &d);
	assert_int_equal(d.kind, DB_MYSQL);
	assert_string_equal(d.user, "root");
	assert_int_equal(d.has_password, 0);
	assert_string_equal(d.password, "");
	assert_string_equal(d.host, "127.0.0.1");
	assert_int_equal(d.port, 0);
	assert_string_equal(d.dbname, "");
	assert_string_equal(d.safe, "mariadb://root@");

	/* an empty password is a given one: MYSQL_PWD is not consulted */
	parse_ok("mysql://u:@h", &d);
	assert_int_equal(d.has_password, 1);
	assert_string_equal(d.password, "");
	assert_string_equal(d.safe, "mysql://u:***@h");

	/* a base64-style password with '/', '+' and '=' needs no encoding */
	parse_ok("mysql://app:ab/cd+ef==@h/db", &d);
	assert_string_equal(d.password, "ab/cd+ef==");
	assert_string_equal(d.host, "h");
	assert_string_equal(d.dbname, "db");
	assert_string_equal(d.safe, "mysql://app:***@h/db");

	/* percent-decoding of user and database; scheme case does not matter */
	parse_ok("MySQL://us%65r@h/my%20db", &d);
	assert_string_equal(d.user, "user");
	assert_string_equal(d.dbname, "my db");

	/* IPv6 */
	parse_ok("mysql://app@[::1]:3306/x", &d);
	assert_string_equal(d.host, "::1");
	assert_int_equal(d.port, 3306);
	parse_ok("mysql://[fe80::1%25eth0]/x", &d);
	assert_string_equal(d.host, "fe80::1%25eth0");
	parse_ok("mysql://[2001:db8::7]", &d);
	assert_string_equal(d.host, "2001:db8::7");
	assert_int_equal(d.port, 0);

	/* ports at both ends of the range */
	parse_ok("mysql://h:1", &d);
	assert_int_equal(d.port, 1);
	parse_ok("mysql://h:65535/", &d);
	assert_int_equal(d.port, 65535);
	assert_string_equal(d.dbname, "");
}

static void test_dsn_mysql_params(void **state)
{
	(void)state;
	struct db_dsn d;
	parse_ok("mysql://app:pw@h/db?ssl-mode=VERIFY-IDENTITY&ssl-ca=/etc/ca%20x.pem&ssl-cert=/c.pem"
		 "&ssl-key=/k.pem&connect-timeout=7",
		 &d);
	assert_string_equal(d.ssl_mode, "verify-identity");
	assert_string_equal(d.ssl_ca, "/etc/ca x.pem");
	assert_string_equal(d.ssl_cert, "/c.pem");
	assert_string_equal(d.ssl_key, "/k.pem");
	assert_int_equal(d.connect_timeout, 7);
	assert_string_equal(d.dbname, "db");

	/* connect_timeout, ssl_mode spelt with underscores; stray '&' */
	parse_ok("mysql://h?connect_timeout=3&&ssl_mode=required&", &d);
	assert_int_equal(d.connect_timeout, 3);
	assert_string_equal(d.ssl_mode, "required");

	/* a socket and no host: host is "localhost" (the socket) */
	parse_ok("mysql://app@/shop?socket=/run/mysqld/mysqld.sock", &d);
	assert_string_equal(d.socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(d.host, "localhost");
	assert_string_equal(d.dbname, "shop");

	/* an '@' in a parameter value is not the end of a password */
	parse_ok("mysql://u:pw@h/db?ssl-ca=/x@y.pem", &d);
	assert_string_equal(d.password, "pw");
	assert_string_equal(d.host, "h");
	assert_string_equal(d.ssl_ca, "/x@y.pem");
	assert_string_equal(d.safe, "mysql://u:***@h/db?ssl-ca=/x@y.pem");

	parse_ok("mysql://h?ssl-mode=verify-ca&ssl-ca=/ca.pem", &d);
	assert_string_equal(d.ssl_mode, "verify-ca");
	parse_ok("mysql://h?ssl-mode=disabled", &d);
	assert_string_equal(d.ssl_mode, "disabled");
}

static void test_dsn_mysql_errors(void **state)
{
	(void)state;
	parse_err("mysql://h?ssl_mod=required",
		  "'mysql://h?ssl_mod=required': unknown parameter 'ssl_mod'; did you mean 'ssl-mode'?");
	parse_err("mysql://h?sokcet=/x", "'mysql://h?sokcet=/x': unknown parameter 'sokcet'; did you mean 'socket'?");
	parse_err("mysql://h?charset=utf8",
		  "'mysql://h?charset=utf8': unknown parameter 'charset'; known: ssl-mode, ssl-ca, ssl-cert, ssl-key, "
		  "socket, connect-timeout");
	parse_err("mysql://h?ssl-mode=requird",
		  "'mysql://h?ssl-mode=requird': unknown ssl-mode 'requird'; did you mean 'required'?");
	parse_err("mysql://h?ssl-mode=on",
		  "'mysql://h?ssl-mode=on': unknown ssl-mode 'on'; use disabled, preferred, required, verify-ca or "
		  "verify-identity");
	parse_err("mysql://h?ssl-mode", "'mysql://h?ssl-mode': parameter 'ssl-mode' needs a value (ssl-mode=...)");
	parse_err("mysql://h?connect-timeout=0",
		  "'mysql://h?connect-timeout=0': connect-timeout must be a whole number of seconds from 1 to 86400");
	parse_err("mysql://h?connect_timeout=1.5",
		  "'mysql://h?connect_timeout=1.5': connect_timeout must be a whole number of seconds from 1 to "
		  "86400");
	parse_err("mysql://h?ssl-mode=verify-ca",
		  "'mysql://h?ssl-mode=verify-ca': ssl-mode=verify-ca needs ssl-ca=FILE, the CA that signed the "
		  "server's certificate");
	parse_err("mysql://h?ssl-mode=disabled&ssl-ca=/a",
		  "'mysql://h?ssl-mode=disabled&ssl-ca=/a': ssl-mode=disabled contradicts ssl-ca/ssl-cert/ssl-key; "
		  "drop one");
	parse_err("mysql://h:0", "'mysql://h:0': the port must be a number from 1 to 65535");
	parse_err("mysql://h:65536", "'mysql://h:65536': the port must be a number from 1 to 65535");
	parse_err("mysql://h:33o6", "'mysql://h:33o6': the port must be a number from 1 to 65535");
	parse_err("mysql://h:/db", "'mysql://h:/db': the port must be a number from 1 to 65535");
	parse_err("mysql://::1/db", "'mysql://::1/db': an IPv6 address must be written in brackets: [::1]:port");
	parse_err("mysql://[::1/db", "'mysql://[::1/db': unterminated IPv6 address; write it as [::1]:port");
	parse_err("mysql://[::1]x/db", "'mysql://[::1]x/db': expected ':port' after the IPv6 address");
	parse_err("mysql://[db.local]/db", "'mysql://[db.local]/db': the host in brackets is not an IPv6 address");
	parse_err("mysql://u:p%zzw@h", "'mysql://u:***@h': bad percent-encoding in the password (write %XX with "
				       "two hex digits, not %00)");
	parse_err("mysql://u%0@h", "'mysql://u%0@h': bad percent-encoding in the user name (write %XX with two hex "
				   "digits, not %00)");
	parse_err("mysql://h/a%00b", "'mysql://h/a%00b': bad percent-encoding in the database name (write %XX with "
				     "two hex digits, not %00)");
	parse_err("mysql://h/a/b", "'mysql://h/a/b': the database name holds a '/'; the path is just /dbname");
	parse_err("mysql://h/db@x", "'mysql://h/db@x': the user name holds a '/'; percent-encode '/' and '@' in "
				    "names (%2F, %40)");
	parse_err("mysql:app@h", "'mysql:***@h': write mysql://user@host[:port]/db");
	parse_err("mysql://bad host/db",
		  "'mysql://bad host/db': the host may hold only letters, digits, '.', '-' and '_' (percent-encode "
		  "special characters in the user and password)");
}

static void test_dsn_schemes(void **state)
{
	(void)state;
	parse_err("mysq://app@h/db", "'mysq://app@h/db': unknown scheme 'mysq'; did you mean 'mysql'?");
	parse_err("postgress://h/db", "'postgress://h/db': unknown scheme 'postgress'; did you mean 'postgres'?");
	parse_err("sqlit:x.db", "'sqlit:x.db': unknown scheme 'sqlit'; did you mean 'sqlite'?");
	parse_err("redis://h", "'redis://h': unknown scheme 'redis'; use mysql://, mariadb://, postgres://, "
			       "postgresql:// or sqlite:");
	parse_err("shop.db", "'shop.db' is not a DSN; did you mean 'sqlite:shop.db'?");
	parse_err("localhost", "'localhost' is not a DSN; write mysql://user@host/db, postgres://user@host/db or "
			       "sqlite:path.db");
	parse_err("", "no DSN given; write mysql://user@host/db, postgres://user@host/db or sqlite:path.db");
	parse_err("mysql://h/\tdb", "'mysql://h/\tdb': contains a control character");
	struct db_dsn d;
	struct perr e;
	assert_int_equal(db_dsn_parse(NULL, &d, &e), -1);
}

static void test_dsn_postgres(void **state)
{
	(void)state;
	struct db_dsn d;
	const char *uri = "postgres://app:s3cr%2Ft@db.example.com:5433/shop?sslmode=require&connect_timeout=4";
	parse_ok(uri, &d);
	assert_int_equal(d.kind, DB_PG);
	assert_string_equal(d.uri, uri);
	assert_string_equal(d.safe, "postgres://app:***@db.example.com:5433/shop?sslmode=require&connect_timeout=4");
	assert_string_equal(d.user, "app");
	assert_string_equal(d.password, "s3cr/t");
	assert_string_equal(d.host, "db.example.com");
	assert_int_equal(d.port, 5433);
	assert_string_equal(d.dbname, "shop");
	assert_int_equal(d.connect_timeout, 4);

	/* password as a parameter, several hosts, IPv6 */
	parse_ok("postgresql://[::1]:5432,db2:6543/app%20db?user=rep&password=hunter22", &d);
	assert_string_equal(d.safe, "postgresql://[::1]:5432,db2:6543/app%20db?user=rep&password=***");
	assert_string_equal(d.host, "::1");
	assert_int_equal(d.port, 5432);
	assert_string_equal(d.dbname, "app db");
	assert_string_equal(d.user, "rep");
	assert_string_equal(d.password, "hunter22");

	/* libpq decodes parameter names too */
	parse_ok("postgres://h/db?p%61ssword=hunter22", &d);
	assert_string_equal(d.password, "hunter22");
	assert_string_equal(d.safe, "postgres://h/db?p%61ssword=***");

	/* libpq's defaults: nothing given */
	parse_ok("postgres://", &d);
	assert_string_equal(d.uri, "postgres://");
	assert_string_equal(d.host, "");

	/* unknown parameters are libpq's to judge */
	parse_ok("postgres://h/db?application_name=x&target_session_attrs=any", &d);

	parse_err("postgresql://u:a/b@h/db", "'postgresql://u:***@h/db': percent-encode '/' and '@' in the user "
					     "name, password and database name (%2F, %40)");
	parse_err("postgres://u:p@ss@h/db", "'postgres://u:***@h/db': percent-encode '/' and '@' in the user "
					    "name, password and database name (%2F, %40)");
	parse_err("postgres://h1,h2:x/db", "'postgres://h1,h2:x/db': the port must be a number from 1 to 65535");
	parse_err("postgres://h/db?connect_timeout=abc",
		  "'postgres://h/db?connect_timeout=abc': connect_timeout must be a whole number of seconds from 1 "
		  "to 86400");
	parse_err("postgres:h/db", "'postgres:h/db': write postgres://user@host[:port]/db");
}

static void test_dsn_sqlite(void **state)
{
	(void)state;
	struct db_dsn d;
	parse_ok("sqlite:app.db", &d);
	assert_int_equal(d.kind, DB_SQLITE);
	assert_string_equal(d.path, "app.db");
	assert_string_equal(d.safe, "sqlite:app.db");
	parse_ok("sqlite:///var/lib/app.db", &d);
	assert_string_equal(d.path, "/var/lib/app.db");
	parse_ok("sqlite:/var/lib/app.db", &d);
	assert_string_equal(d.path, "/var/lib/app.db");
	parse_ok("sqlite::memory:", &d);
	assert_string_equal(d.path, ":memory:");
	/* a path is a path: no decoding, '?', ':' and '@' kept, nothing masked */
	parse_ok("sqlite:dir/a:b@c%20d?x.db", &d);
	assert_string_equal(d.path, "dir/a:b@c%20d?x.db");
	assert_string_equal(d.safe, "sqlite:dir/a:b@c%20d?x.db");
	parse_err("sqlite:", "'sqlite:': no file named; write sqlite:path.db");
	parse_err("sqlite://host/x.db",
		  "'sqlite://host/x.db': write sqlite:relative/path.db or sqlite:///absolute/path.db");
}

/*
 * Masking: for DSNs good and bad, neither safe nor the error may contain
 * the password.
 */
static void test_dsn_masking(void **state)
{
	(void)state;
	static const char *const dsns[] = {
		"mysql://app:hunter2@h/db",
		"mysql://app:hunter2@h:99999/db",
		"mysql://app:hunter2@h/db?bogus=1",
		"mysql://app:hunter2@h/db?ssl-mode=x",
		"mysql://app:hunter2@[::1/db",
		"mysql://app:hunter2@::1/db",
		"mysql://app:hun?ter2@h/db",
		"mysql://app:12?hunter2@h/db",
		"mysql://app:hunter2%zz@h/db",
		"mysql://app:hunter2@h/hunter2",
		"mysql://app:hunter2@bad host/db",
		"mysql:app:hunter2@h/db",
		"mysq://app:hunter2@h/db",
		"app:hunter2@h/db",
		"postgres://app:hunter2@h/db",
		"postgres://app:hunt/er2@h/db",
		"postgres://app:hunter2@h:x/db",
		"postgres://app:hun?ter2@h/db",
		"postgres://h/db?password=hunter2",
		"postgres://h/db?sslpassword=hunter2&password=hunter2",
		"postgres://h/db?p%61ssword=hunter2",
		"postgres://h/db?pass%77ord=hunter%32",
		"postgresql://app:hunter2@h/db?connect_timeout=x",
		"postgres:app:hunter2@h/db",
		"mariadb://app:hunter2@h/db?ssl-mode=verify-ca",
	};
	for (size_t i = 0; i < sizeof(dsns) / sizeof(dsns[0]); i++) {
		struct db_dsn d;
		struct perr e = {{0}};
		int rc = db_dsn_parse(dsns[i], &d, &e);
		if (strstr(d.safe, "hunter2") || strstr(d.safe, "ter2") || (rc && strstr(e.msg, "ter2")))
			print_error("%s -> safe %s, error %s\n", dsns[i], d.safe, rc ? e.msg : "(none)");
		assert_null(strstr(d.safe, "ter2"));
		if (rc)
			assert_null(strstr(e.msg, "ter2"));
	}
	/* a password that is also elsewhere in the DSN is masked there too */
	struct db_dsn d;
	parse_ok("mysql://u:secret@h/secret", &d);
	assert_string_equal(d.safe, "mysql://u:***@h/***");
	/* the mask itself as a password; an over-long DSN is cut, still masked */
	parse_ok("mysql://u:***@h", &d);
	assert_string_equal(d.safe, "mysql://u:***@h");
	char longdsn[3000];
	snprintf(longdsn, sizeof(longdsn), "postgres://u:longpass@h/db?application_name=%02000d", 7);
	parse_ok(longdsn, &d);
	assert_int_equal(strlen(d.safe), sizeof(d.safe) - 1);
	assert_string_equal(d.safe + strlen(d.safe) - 3, "...");
	assert_null(strstr(d.safe, "longpass"));
	assert_non_null(strstr(d.safe, "u:***@h"));
}

static void test_quote(void **state)
{
	(void)state;
	struct arena a = {0};
	assert_string_equal(db_quote(&a, DB_MYSQL, "it's"), "'it''s'");
	assert_string_equal(db_quote(&a, DB_MYSQL, "a\\b"), "'a\\\\b'");
	assert_string_equal(db_quote(&a, DB_PG, "a\\b'"), "'a\\b'''");
	assert_string_equal(db_quote(&a, DB_SQLITE, ""), "''");
	assert_string_equal(db_quote(&a, DB_PG, NULL), "NULL");

	assert_string_equal(db_ident(&a, DB_MYSQL, "orders"), "orders");
	assert_string_equal(db_ident(&a, DB_PG, "created_at"), "created_at");
	assert_string_equal(db_ident(&a, DB_MYSQL, "_tmp$1"), "_tmp$1");
	assert_string_equal(db_ident(&a, DB_MYSQL, "order"), "`order`");
	assert_string_equal(db_ident(&a, DB_PG, "user"), "\"user\"");
	assert_string_equal(db_ident(&a, DB_SQLITE, "group"), "\"group\"");
	assert_string_equal(db_ident(&a, DB_PG, "select"), "\"select\"");
	assert_string_equal(db_ident(&a, DB_PG, "table"), "\"table\"");
	assert_string_equal(db_ident(&a, DB_MYSQL, "index"), "`index`");
	assert_string_equal(db_ident(&a, DB_MYSQL, "key"), "`key`");
	assert_string_equal(db_ident(&a, DB_PG, "from"), "\"from\"");
	assert_string_equal(db_ident(&a, DB_PG, "where"), "\"where\"");
	assert_string_equal(db_ident(&a, DB_PG, "userId"), "\"userId\"");
	assert_string_equal(db_ident(&a, DB_PG, "1st"), "\"1st\"");
	assert_string_equal(db_ident(&a, DB_PG, "my table"), "\"my table\"");
	assert_string_equal(db_ident(&a, DB_PG, "a\"b"), "\"a\"\"b\"");
	assert_string_equal(db_ident(&a, DB_MYSQL, "a`b"), "`a``b`");
	assert_string_equal(db_ident(&a, DB_MYSQL, "a\"b"), "`a\"b`");
	assert_string_equal(db_ident(&a, DB_SQLITE, ""), "\"\"");
	assert_string_equal(db_ident(&a, DB_PG, "users"), "users"); /* not reserved */
	arena_free(&a);
}

static void test_rows_access(void **state)
{
	(void)state;
	struct db_rows r = {0};
	static char n0[] = "name", n1[] = "Rows", n2[] = "avg";
	static char c00[] = "t1", c01[] = "42", c02[] = "1.5";
	static char c11[] = "1234.0000", c12[] = "abc";
	static char c21[] = " 7 ", c22[] = "1e3";
	char *names[] = {n0, n1, n2};
	char *cells[] = {c00, c01, c02, NULL, c11, c12, NULL, c21, c22};
	r.ncols = 3;
	r.nrows = 3;
	r.names = names;
	r.cells = cells;
	assert_int_equal(db_col(&r, "rows"), 1);
	assert_int_equal(db_col(&r, "NAME"), 0);
	assert_int_equal(db_col(&r, "nope"), -1);
	assert_string_equal(db_cell(&r, 0, 0), "t1");
	assert_null(db_cell(&r, 1, 0));
	assert_null(db_cell(&r, 3, 0));
	assert_null(db_cell(&r, 0, 3));
	assert_string_equal(db_get(&r, 0, "avg"), "1.5");
	assert_null(db_get(&r, 0, "missing"));
	assert_int_equal(db_getll(&r, 0, "rows", -1), 42);
	assert_int_equal(db_getll(&r, 1, "rows", -1), 1234);
	assert_int_equal(db_getll(&r, 2, "rows", -1), 7);
	assert_int_equal(db_getll(&r, 1, "avg", -1), -1);
	assert_int_equal(db_getll(&r, 1, "name", -9), -9);
	assert_true(db_getd(&r, 0, "avg", -1) == 1.5);
	assert_true(db_getd(&r, 2, "avg", -1) == 1000.0);
	assert_true(db_getd(&r, 1, "avg", -1) == -1);
	assert_true(db_getd(&r, 0, "missing", 2.5) == 2.5);
	assert_null(db_cell(NULL, 0, 0));
	assert_int_equal(db_col(NULL, "x"), -1);
}

/* A temporary directory with test.db holding t(id, name, score). */
struct sq_fixture {
	char dir[64];
	char path[128];
	char dsn[160];
};

static int sq_setup(void **state)
{
	struct sq_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_db.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/test.db", f->dir);
	snprintf(f->dsn, sizeof(f->dsn), "sqlite:%s", f->path);
	sqlite3 *db;
	if (sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_exec(db,
			      "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL);"
			      "INSERT INTO t VALUES (1, 'ann', 2.5), (2, NULL, NULL), (3, 'it''s', 10);",
			      NULL, NULL, NULL);
	sqlite3_close(db);
	*state = f;
	return rc == SQLITE_OK ? 0 : -1;
}

static int sq_teardown(void **state)
{
	struct sq_fixture *f = *state;
	char p[160];
	static const char *const files[] = {"test.db", "test.db-journal", "test.db-wal", "test.db-shm"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct db_conn *sq_open(const char *dsn, int writable)
{
	struct db_dsn d;
	struct perr e = {{0}};
	struct db_conn *c = NULL;
	struct db_connect_opts o = {0, 0, writable};
	if (db_dsn_parse(dsn, &d, &e) != 0 || db_connect(&d, &o, &c, &e) != 0)
		print_error("%s: %s\n", dsn, e.msg);
	assert_non_null(c);
	return c;
}

static void test_sqlite_read(void **state)
{
	struct sq_fixture *f = *state;
	struct db_conn *c = sq_open(f->dsn, 0);
	assert_int_equal(c->kind, DB_SQLITE);
	assert_string_equal(c->dbname, f->path);
	assert_string_equal(c->safe_dsn, f->dsn);
	assert_int_equal(c->version_num, sqlite3_libversion_number());
	assert_string_equal(c->server_version, sqlite3_libversion());
	assert_int_equal(c->writable, 0);

	struct db_rows r;
	struct perr e = {{0}};
	assert_int_equal(db_query(c, "SELECT id, name AS who, score FROM t ORDER BY id", &r, &e), 0);
	assert_int_equal(r.ncols, 3);
	assert_int_equal(r.nrows, 3);
	assert_string_equal(r.names[0], "id");
	assert_string_equal(r.names[1], "who");
	assert_string_equal(db_cell(&r, 0, 1), "ann");
	assert_string_equal(db_cell(&r, 0, 2), "2.5");
	assert_null(db_cell(&r, 1, 1)); /* SQL NULL */
	assert_null(db_cell(&r, 1, 2));
	assert_string_equal(db_get(&r, 2, "WHO"), "it's");
	assert_int_equal(db_getll(&r, 2, "score", -1), 10);
	db_rows_free(&r);

	/* an empty result still has its columns */
	assert_int_equal(db_query(c, "SELECT id FROM t WHERE id > 99", &r, &e), 0);
	assert_int_equal(r.nrows, 0);
	assert_int_equal(r.ncols, 1);
	assert_string_equal(r.names[0], "id");
	db_rows_free(&r);

	/* rows not wanted; trailing ';', comments and blanks are fine */
	assert_int_equal(db_query(c, "SELECT count(*) FROM t; -- done\n /* really */ ;\n", NULL, &e), 0);

	/* read-only: writes are refused, TEMP tables too */
	assert_int_equal(db_query(c, "INSERT INTO t (name) VALUES ('x')", &r, &e), -1);
	assert_string_equal(e.msg, "attempt to write a readonly database");
	assert_int_equal(r.nrows, 0);
	assert_null(r.cells);
	db_rows_free(&r);
	assert_int_equal(db_query(c, "CREATE TEMP TABLE z (a)", NULL, &e), -1);

	/* errors */
	assert_int_equal(db_query(c, "SELEC 1", &r, &e), -1);
	assert_string_equal(e.msg, "near \"SELEC\": syntax error");
	db_rows_free(&r);
	assert_int_equal(db_query(c, "SELECT * FROM nope", NULL, &e), -1);
	assert_string_equal(e.msg, "no such table: nope");
	assert_int_equal(db_query(c, "SELECT 1; DELETE FROM t", NULL, &e), -1);
	assert_string_equal(e.msg, "one statement at a time: remove what follows the first one ('DELETE FROM t')");
	assert_int_equal(db_query(c, "  -- nothing\n", NULL, &e), -1);
	assert_string_equal(e.msg, "the statement is empty");

	/* still usable after errors */
	assert_int_equal(db_query(c, "SELECT count(*) AS n FROM t", &r, &e), 0);
	assert_int_equal(db_getll(&r, 0, "n", -1), 3);
	db_rows_free(&r);
	db_close(c);
}

static void test_sqlite_write(void **state)
{
	struct sq_fixture *f = *state;
	struct db_conn *c = sq_open(f->dsn, 1);
	struct perr e = {{0}};
	struct db_rows r;
	assert_int_equal(c->writable, 1);
	assert_int_equal(db_query(c, "INSERT INTO t (name) VALUES ('new')", &r, &e), 0);
	assert_int_equal(r.ncols, 0);
	assert_int_equal(r.nrows, 0);
	db_rows_free(&r);
	assert_int_equal(db_query(c, "DELETE FROM t WHERE name = 'new'", NULL, &e), 0);
	db_close(c);

	c = sq_open("sqlite::memory:", 0);
	assert_int_equal(db_query(c, "CREATE TABLE m (a)", NULL, &e), -1);
	assert_int_equal(db_query(c, "SELECT 1 + 1 AS two", &r, &e), 0);
	assert_string_equal(db_get(&r, 0, "two"), "2");
	db_rows_free(&r);
	db_close(c);
}

static void test_sqlite_open_errors(void **state)
{
	struct sq_fixture *f = *state;
	struct db_dsn d;
	struct perr e = {{0}};
	struct db_conn *c = (struct db_conn *)&e; /* must be reset to NULL */
	char dsn[300], path[200];
	snprintf(dsn, sizeof(dsn), "sqlite:%s/missing.db", f->dir);
	assert_int_equal(db_dsn_parse(dsn, &d, &e), 0);
	assert_int_equal(db_connect(&d, NULL, &c, &e), -1);
	assert_null(c);
	char want[400];
	snprintf(want, sizeof(want), "'%s': no such file (perfagent opens existing databases only)", dsn);
	assert_string_equal(e.msg, want);
	/* and nothing was created */
	snprintf(path, sizeof(path), "%s/missing.db", f->dir);
	assert_int_equal(access(path, F_OK), -1);

	snprintf(dsn, sizeof(dsn), "sqlite:%s", f->dir);
	assert_int_equal(db_dsn_parse(dsn, &d, &e), 0);
	assert_int_equal(db_connect(&d, NULL, &c, &e), -1);
	snprintf(want, sizeof(want), "'%s': is a directory, not a database file", dsn);
	assert_string_equal(e.msg, want);

	/* a file that is not a database */
	snprintf(path, sizeof(path), "%s/test.db-journal", f->dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not a database, just some text long enough for a header\n", fp);
	fclose(fp);
	snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
	assert_int_equal(db_dsn_parse(dsn, &d, &e), 0);
	assert_int_equal(db_connect(&d, NULL, &c, &e), -1);
	snprintf(want, sizeof(want), "connecting to '%s': file is not a database", dsn);
	assert_string_equal(e.msg, want);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_name),
		cmocka_unit_test(test_dsn_mysql),
		cmocka_unit_test(test_dsn_mysql_params),
		cmocka_unit_test(test_dsn_mysql_errors),
		cmocka_unit_test(test_dsn_schemes),
		cmocka_unit_test(test_dsn_postgres),
		cmocka_unit_test(test_dsn_sqlite),
		cmocka_unit_test(test_dsn_masking),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_rows_access),
		cmocka_unit_test_setup_teardown(test_sqlite_read, sq_setup, sq_teardown),
		cmocka_unit_test_setup_teardown(test_sqlite_write, sq_setup, sq_teardown),
		cmocka_unit_test_setup_teardown(test_sqlite_open_errors, sq_setup, sq_teardown),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
