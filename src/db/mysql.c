/*
 * mysql: the MySQL/MariaDB driver, over MariaDB Connector/C.
 *
 * A session is made safe before anything else runs on it: read-only
 * (SET SESSION TRANSACTION READ ONLY) unless the caller asked to write,
 * utf8mb4, no automatic reconnect (a reconnected session would silently
 * lose the read-only setting), no LOAD DATA LOCAL (a hostile server could
 * otherwise ask for any file we can read), and never multi-statements.
 *
 * Timeouts: connect and read/write timeouts on the socket, and also a
 * server-side statement limit (MariaDB max_statement_time, MySQL
 * max_execution_time) set a few seconds shorter than the socket's read
 * timeout, so a slow statement is stopped on the server with a clear
 * error instead of being abandoned there by a client that hung up.
 *
 * Messages carry the server's text. The password never appears in them:
 * the DSN is always shown as db_dsn.safe, and, as a last line of defence,
 * any occurrence of the password in a client message is masked.
 */
#include "db/db.h"

#include <errmsg.h>
#include <mysql.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

/* Seconds the socket read timeout outlasts the server-side statement limit. */
#define MY_READ_SLACK 5

struct my_conn {
	struct db_conn base;
	MYSQL *m;
	unsigned read_timeout; /* seconds, the per-statement limit asked for */
	int lost;              /* the connection broke: every later query says so at once */
	char password[256];    /* only to mask it in messages; wiped on close */
};

/*
 * The client's last error as one line for a message: the password
 * masked, a leading capital lowered when the word is not an acronym
 * ("Access denied" -> "access denied", "SSL ..." stays), trailing space
 * and newlines removed. Written into out (cap bytes).
 */
static void client_message(MYSQL *m, const char *pw, char *out, size_t cap)
{
	snprintf(out, cap, "%s", mysql_error(m));
	out[strcspn(out, "\r\n")] = '\0';
	size_t n = strlen(out);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n == 0)
		snprintf(out, cap, "error %u", mysql_errno(m));
	if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
		out[0] = (char)(out[0] - 'A' + 'a');
	db_scrub(out, pw);
}

static int is_lost(unsigned err)
{
	return err == CR_SERVER_LOST || err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST_EXTENDED;
}

/* Run a statement whose result, if any, is not wanted. */
static int exec_quiet(MYSQL *m, const char *sql)
{
	if (mysql_real_query(m, sql, strlen(sql)) != 0)
		return -1;
	MYSQL_RES *res = mysql_store_result(m);
	if (res)
		mysql_free_result(res);
	else if (mysql_field_count(m) != 0)
		return -1;
	return 0;
}

/*
 * The single cell of a one-row, one-column query into out (cap bytes);
 * "" for NULL. -1 when the query fails.
 */
static int query_one(MYSQL *m, const char *sql, char *out, size_t cap)
{
	out[0] = '\0';
	if (mysql_real_query(m, sql, strlen(sql)) != 0)
		return -1;
	MYSQL_RES *res = mysql_store_result(m);
	if (!res)
		return -1;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row && mysql_num_fields(res) > 0 && row[0])
		snprintf(out, cap, "%s", row[0]);
	mysql_free_result(res);
	return 0;
}

/*
 * TLS per ssl-mode. Connector/C 3.3 asks for TLS whenever any TLS option
 * is set, and falls back to plain text when the server has none unless
 * certificate verification was asked for; a CA file makes it verify the
 * chain, MYSQL_OPT_SSL_VERIFY_SERVER_CERT adds the host name. So:
 * preferred = ask; required and verify-ca = ask and then check that the
 * session is encrypted (tls_required); verify-identity = verify. No mode
 * and no files: the library's default.
 */
static void set_tls(MYSQL *m, const struct db_dsn *d, int *tls_required)
{
	const char *mode = d->ssl_mode;
	*tls_required = 0;
	if (strcmp(mode, "disabled") == 0) {
		my_bool off = 0;
		mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
		return;
	}
	if (!mode[0] && !d->ssl_ca[0] && !d->ssl_cert[0] && !d->ssl_key[0])
		return;
	my_bool on = 1;
	mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
	if (d->ssl_ca[0])
		mysql_optionsv(m, MYSQL_OPT_SSL_CA, d->ssl_ca);
	if (d->ssl_cert[0])
		mysql_optionsv(m, MYSQL_OPT_SSL_CERT, d->ssl_cert);
	if (d->ssl_key[0])
		mysql_optionsv(m, MYSQL_OPT_SSL_KEY, d->ssl_key);
	if (strcmp(mode, "verify-identity") == 0)
		mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	*tls_required = strcmp(mode, "required") == 0 || strcmp(mode, "verify-ca") == 0 ||
			strcmp(mode, "verify-identity") == 0;
}

static void my_close(struct db_conn *c)
{
	struct my_conn *mc = (struct my_conn *)c;
	if (!mc)
		return;
	if (mc->m)
		mysql_close(mc->m);
	explicit_bzero(mc->password, sizeof(mc->password));
	free(mc);
}

/* Fail a connect attempt: message, then everything opened so far closed. */
static int connect_fail(struct my_conn *mc, const struct db_dsn *d, const char *what, struct perr *e)
{
	perr_set(e, "connecting to '%s': %s", d->safe, what);
	my_close(&mc->base);
	return -1;
}

/*
 * Connect with d (kind DB_MYSQL) and o. Host: the DSN's, with its socket
 * when one is given; "localhost" without a port means the default Unix
 * socket, as for the mysql client, and an explicit port always means TCP.
 * Password: the DSN's, else MYSQL_PWD, else none. The connect timeout is
 * o's, else the DSN's, else 10 s; the statement limit o's, else 60 s.
 * On success *out is a connection for db_close().
 */
static int my_connect(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out,
		      struct perr *e)
{
	*out = NULL;
	if (d->kind != DB_MYSQL)
		return perr_set(e, "'%s' is not a MySQL DSN", d->safe);
	unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : d->connect_timeout ? d->connect_timeout : 10;
	unsigned rt = o->read_timeout_s ? o->read_timeout_s : 60;
	unsigned sock_rt = rt + MY_READ_SLACK;

	struct my_conn *mc = xcalloc(1, sizeof(*mc));
	mc->base.drv = &db_mysql_driver;
	mc->base.kind = DB_MYSQL;
	mc->base.writable = o->writable != 0;
	snprintf(mc->base.safe_dsn, sizeof(mc->base.safe_dsn), "%s", d->safe);
	mc->read_timeout = rt;
	const char *pw = d->has_password ? d->password : getenv("MYSQL_PWD");
	snprintf(mc->password, sizeof(mc->password), "%s", pw ? pw : "");

	mc->m = mysql_init(NULL);
	if (!mc->m)
		return connect_fail(mc, d, "the client library could not start (out of memory?)", e);
	MYSQL *m = mc->m;
	my_bool off = 0;
	unsigned no_infile = 0;
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &sock_rt);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &sock_rt);
	mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);
	mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_infile);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (d->port && !d->socket[0]) {
		enum mysql_protocol_type tcp = MYSQL_PROTOCOL_TCP;
		mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &tcp);
	}
	int tls_required;
	set_tls(m, d, &tls_required);

	const char *host = d->host[0] ? d->host : d->socket[0] ? "localhost" : "127.0.0.1";
	char msg[512];
	int64_t t0 = clock_mono_ns();
	/* client flags 0: in particular no CLIENT_MULTI_STATEMENTS */
	if (!mysql_real_connect(m, host, d->user[0] ? d->user : NULL, pw, d->dbname[0] ? d->dbname : NULL,
				d->port, d->socket[0] ? d->socket : NULL, 0)) {
		client_message(m, mc->password, msg, sizeof(msg));
		double took = clock_elapsed_s(t0, clock_mono_ns());
		if (took + 0.5 >= ct) {
			size_t n = strlen(msg);
			snprintf(msg + n, sizeof(msg) - n, " (no answer within the %u s connect timeout)", ct);
		}
		return connect_fail(mc, d, msg, e);
	}
	if (tls_required && !mysql_get_ssl_cipher(m)) {
		snprintf(msg, sizeof(msg), "the server does not offer TLS, which ssl-mode=%s requires", d->ssl_mode);
		return connect_fail(mc, d, msg, e);
	}
	if (!mc->base.writable && exec_quiet(m, "SET SESSION TRANSACTION READ ONLY") < 0) {
		client_message(m, mc->password, msg, sizeof(msg));
		char why[600];
		snprintf(why, sizeof(why), "could not make the session read-only: %s", msg);
		return connect_fail(mc, d, why, e);
	}
	if (exec_quiet(m, "SET NAMES utf8mb4") < 0) {
		client_message(m, mc->password, msg, sizeof(msg));
		return connect_fail(mc, d, msg, e);
	}

	snprintf(mc->base.server_version, sizeof(mc->base.server_version), "%s", mysql_get_server_info(m));
	mc->base.version_num = (long)mysql_get_server_version(m);
	mc->base.is_mariadb = strstr(mc->base.server_version, "MariaDB") != NULL;
	/* The server stops a statement that runs too long (best-effort: older
	 * servers have no such limit). */
	char sql[96];
	if (mc->base.is_mariadb)
		snprintf(sql, sizeof(sql), "SET SESSION max_statement_time = %u", rt);
	else
		snprintf(sql, sizeof(sql), "SET SESSION max_execution_time = %u", rt * 1000u);
	if (exec_quiet(m, sql) < 0 && is_lost(mysql_errno(m))) {
		client_message(m, mc->password, msg, sizeof(msg));
		return connect_fail(mc, d, msg, e);
	}
	if (query_one(m, "SELECT DATABASE()", mc->base.dbname, sizeof(mc->base.dbname)) < 0) {
		client_message(m, mc->password, msg, sizeof(msg));
		return connect_fail(mc, d, msg, e);
	}
	*out = &mc->base;
	return 0;
}

/* The error of a failed statement into e; a broken connection says "connection lost". */
static int query_error(struct my_conn *mc, int64_t t0, struct perr *e)
{
	char msg[512];
	unsigned err = mysql_errno(mc->m);
	client_message(mc->m, mc->password, msg, sizeof(msg));
	if (is_lost(err)) {
		mc->lost = 1;
		if (clock_elapsed_s(t0, clock_mono_ns()) + 0.5 >= mc->read_timeout + MY_READ_SLACK)
			return perr_set(e, "connection lost: no answer within %u s (%s)",
					mc->read_timeout + MY_READ_SLACK, msg);
		return perr_set(e, "connection lost: %s", msg);
	}
	return perr_set(e, "%s", msg);
}

/* Copy a stored result into rows' arena: names, then every cell as text. */
static void fill_rows(MYSQL_RES *res, struct db_rows *rows)
{
	size_t nc = mysql_num_fields(res);
	size_t nr = (size_t)mysql_num_rows(res);
	MYSQL_FIELD *f = mysql_fetch_fields(res);
	rows->ncols = nc;
	rows->names = arena_calloc(&rows->arena, nc, sizeof(char *));
	for (size_t i = 0; i < nc; i++)
		rows->names[i] = arena_strdup(&rows->arena, f[i].name ? f[i].name : "");
	rows->cells = arena_calloc(&rows->arena, nr * nc, sizeof(char *));
	size_t r = 0;
	MYSQL_ROW row;
	while (r < nr && (row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		for (size_t i = 0; i < nc; i++)
			rows->cells[r * nc + i] = row[i] ? arena_strndup(&rows->arena, row[i], len[i]) : NULL;
		r++;
	}
	rows->nrows = r;
}

/*
 * Run sql (one statement). A statement without a result set gives 0 rows
 * and 0 columns. Further result sets (a CALL) are read and dropped so the
 * connection stays usable.
 */
static int my_query(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e)
{
	struct my_conn *mc = (struct my_conn *)c;
	if (rows) /* db_query() does this too; a direct caller may not */
		memset(rows, 0, sizeof(*rows));
	if (mc->lost)
		return perr_set(e, "connection lost: reconnect to '%s'", c->safe_dsn);
	if (sql[strspn(sql, " \t\r\n")] == '\0')
		return perr_set(e, "the statement is empty");
	int64_t t0 = clock_mono_ns();
	if (mysql_real_query(mc->m, sql, strlen(sql)) != 0)
		return query_error(mc, t0, e);
	MYSQL_RES *res = mysql_store_result(mc->m);
	if (!res) {
		if (mysql_field_count(mc->m) != 0)
			return query_error(mc, t0, e);
	} else {
		if (rows)
			fill_rows(res, rows);
		mysql_free_result(res);
	}
	while (mysql_more_results(mc->m)) {
		int rc = mysql_next_result(mc->m);
		if (rc > 0) {
			if (rows)
				db_rows_free(rows);
			return query_error(mc, t0, e);
		}
		if (rc < 0)
			break;
		MYSQL_RES *more = mysql_store_result(mc->m);
		if (more)
			mysql_free_result(more);
	}
	return 0;
}

const struct db_driver db_mysql_driver = {
	.kind = DB_MYSQL,
	.connect = my_connect,
	.query = my_query,
	.close = my_close,
};
