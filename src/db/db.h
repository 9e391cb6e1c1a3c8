/*
 * db: one interface over the three databases our users run — MySQL and
 * MariaDB (MariaDB Connector/C, mysql.c), PostgreSQL (libpq, pg.c) and
 * SQLite (sqlite.c) — enough for an audit: connect read-only, run a
 * statement, read every row as text.
 *
 * DSNs (DESIGN.md):
 *   mysql://user[:password]@host[:port][/db][?param=value&...]
 *   mariadb://...                                   (the same)
 *   postgres://... or postgresql://...              (a libpq URI, passed through)
 *   sqlite:path.db, sqlite:///abs/path.db, sqlite::memory:
 * mysql params: ssl-mode=disabled|preferred|required|verify-ca|verify-identity,
 * ssl-ca, ssl-cert, ssl-key, socket, connect-timeout. The password comes from
 * the DSN or MYSQL_PWD (libpq reads PGPASSWORD and ~/.pgpass itself) and is
 * never printed: error messages and the result's target use db_dsn.safe, the
 * DSN with the password replaced by "***".
 *
 * Read-only by construction: db_connect() opens a read-only session (MySQL
 * SET SESSION TRANSACTION READ ONLY, PostgreSQL default_transaction_read_only,
 * SQLite SQLITE_OPEN_READONLY) unless the caller asks for a writable one,
 * which only `explain --analyze --allow-write` does.
 *
 * Rows are text, as the servers send them: a cell is a NUL-terminated string
 * or NULL for SQL NULL. A result set lives in its own arena.
 */
#ifndef PA_DB_H
#define PA_DB_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/err.h"

enum db_kind {
	DB_MYSQL,
	DB_PG,
	DB_SQLITE,
};

/* "mysql", "postgres", "sqlite". */
const char *db_kind_name(enum db_kind k);

struct db_dsn {
	enum db_kind kind;
	char safe[1024]; /* the DSN as given, password replaced by "***": for messages and results */
	/* mysql */
	char user[128];
	char password[256]; /* empty: none given (MYSQL_PWD is looked up at connect) */
	int has_password;
	char host[256];   /* "127.0.0.1" when empty */
	unsigned port;    /* 0: the default (3306) */
	char dbname[128]; /* empty: none */
	char socket[512];
	char ssl_mode[32];
	char ssl_ca[512], ssl_cert[512], ssl_key[512];
	/* postgres: the URI as given, handed to libpq */
	char uri[2048];
	/* sqlite */
	char path[4096];
	/* any kind: a connect-timeout given in the DSN, seconds; 0: none */
	unsigned connect_timeout;
};

/*
 * Parse a DSN. Errors name the DSN (with its password hidden) and what is
 * wrong, with a "did you mean" for a misspelt scheme or parameter.
 */
int db_dsn_parse(const char *dsn, struct db_dsn *out, struct perr *e);

struct db_connect_opts {
	unsigned connect_timeout_s; /* 0: 10 seconds */
	unsigned read_timeout_s;    /* per statement; 0: 60 seconds */
	int writable;               /* 1: a session that may write (explain --allow-write) */
};

struct db_conn;

/* One result set: ncols names, nrows * ncols cells, row-major. */
struct db_rows {
	size_t ncols, nrows;
	char **names;
	char **cells;  /* NULL cell: SQL NULL */
	struct arena arena;
};

struct db_driver {
	enum db_kind kind;
	int (*connect)(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out,
		       struct perr *e);
	/* Run sql; rows may be NULL for a statement whose rows are not wanted. */
	int (*query)(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e);
	void (*close)(struct db_conn *c);
};

/*
 * What every driver's connection starts with; the driver's own state
 * follows in its own struct that embeds this one first.
 */
struct db_conn {
	const struct db_driver *drv;
	enum db_kind kind;
	char server_version[128]; /* "10.11.19-MariaDB-0+deb12u1", "15.18 (Debian ...)", "3.40.1" */
	long version_num;         /* 101119, 150018, 3040001 */
	int is_mariadb;
	char dbname[128];         /* the current database / schema owner; the file for SQLite */
	char safe_dsn[1024];      /* for messages */
	int writable;
};

extern const struct db_driver db_mysql_driver, db_pg_driver, db_sqlite_driver;

/*
 * Connect with the driver the DSN names. On failure e says what failed in
 * one line — "connecting to 'mysql://app:***@127.0.0.1:3306/shop': access
 * denied for user 'app'" — never with the password.
 */
int db_connect(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out, struct perr *e);

/*
 * Run one statement. rows (may be NULL) is filled and must be freed with
 * db_rows_free() also on failure (it is left empty then). Errors carry the
 * server's message; a lost connection says so ("connection lost").
 */
int db_query(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e);

void db_close(struct db_conn *c);
void db_rows_free(struct db_rows *r);

/* Cell (row, col), NULL for SQL NULL or out of range. */
const char *db_cell(const struct db_rows *r, size_t row, size_t col);
/* The index of the column named name (case-insensitive), or -1. */
int db_col(const struct db_rows *r, const char *name);
/* Cell by column name; NULL when the column is missing or the cell is NULL. */
const char *db_get(const struct db_rows *r, size_t row, const char *name);
/* Numeric cells: the value, or dflt for NULL, missing or not a number. */
double db_getd(const struct db_rows *r, size_t row, const char *name, double dflt);
long long db_getll(const struct db_rows *r, size_t row, const char *name, long long dflt);

/*
 * For the drivers: replace every occurrence of pw (3 bytes or more, not
 * "***" itself) in the NUL-terminated s with "***", in place — the last
 * line of defence that keeps a password out of a server's message.
 */
void db_scrub(char *s, const char *pw);

/*
 * Quote s as a string literal for kind into a (single quotes doubled;
 * backslashes doubled for MySQL too).
 */
char *db_quote(struct arena *a, enum db_kind kind, const char *s);
/* Quote an identifier: `x` for MySQL, "x" for PostgreSQL and SQLite, when it needs it. */
char *db_ident(struct arena *a, enum db_kind kind, const char *s);

#endif
