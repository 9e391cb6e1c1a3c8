/*
 * pg: the PostgreSQL driver, over libpq.
 *
 * The DSN's URI goes to libpq as it is (expand_dbname), so every keyword
 * libpq knows works, and PGPASSWORD, ~/.pgpass and the other PG*
 * variables apply as usual. What we add comes after the URI in the
 * keyword list and so wins over it: a connect timeout, and startup
 * options that make every transaction read-only (unless the caller asked
 * to write) and limit each statement's run time on the server; options
 * the URI (or PGOPTIONS) already carries are kept in front of ours.
 *
 * Statements go through the extended protocol (PQexecParams without
 * parameters), which runs exactly one statement: "SELECT 1; DROP ..." is
 * refused by the server instead of running both, as it would with PQexec.
 *
 * libpq's messages can quote the connection string; before one reaches a
 * message the URI is replaced by the masked DSN and any occurrence of the
 * password is masked.
 */
#include "db/db.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

struct pg_conn {
	struct db_conn base;
	PGconn *pg;
	int lost;              /* the connection broke: every later query says so at once */
	char password[256];    /* the DSN's, only to mask it in messages; wiped on close */
	char uri[2048];        /* the DSN's URI, replaced by safe_dsn in messages */
};

/* Replace every occurrence of from (n bytes, n > 0) in b with to: the URI by its safe form. */
static void replace_all(struct buf *b, const char *from, size_t n, const char *to)
{
	if (n == 0 || !b->data)
		return;
	struct buf out = BUF_INIT;
	const char *s = b->data, *end = b->data + b->len, *p;
	while ((p = memmem(s, (size_t)(end - s), from, n)) != NULL) {
		buf_put(&out, s, (size_t)(p - s));
		buf_puts(&out, to);
		s = p + n;
	}
	buf_put(&out, s, (size_t)(end - s));
	buf_free(b);
	*b = out;
}

/*
 * One line of libpq text for a message, into out (cap bytes): the first
 * line, trimmed; a leading "ERROR:  "/"FATAL:  " severity dropped; a
 * leading capital lowered unless the word is an acronym; the URI replaced
 * by safe and the passwords (the DSN's and PGPASSWORD) masked.
 */
static void pg_message(const char *text, const char *uri, const char *safe, const char *pw, char *out,
		       size_t cap)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, text ? text : "");
	if (uri && *uri)
		replace_all(&b, uri, strlen(uri), safe);
	if (b.data) {
		db_scrub(b.data, pw);
		db_scrub(b.data, getenv("PGPASSWORD"));
		b.len = strlen(b.data);
	}
	const char *s = buf_str(&b);
	s += strspn(s, " \t\r\n");
	static const char *const sev[] = {"ERROR:", "FATAL:", "PANIC:"};
	for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++)
		if (strncmp(s, sev[i], 6) == 0)
			s += 6 + strspn(s + 6, " ");
	size_t n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "unknown error");
	if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
		out[0] = (char)(out[0] - 'A' + 'a');
	buf_free(&b);
}

/* libpq must not print notices (library code never prints): drop them. */
static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void pg_close(struct db_conn *c)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	if (!pc)
		return;
	if (pc->pg)
		PQfinish(pc->pg);
	explicit_bzero(pc->password, sizeof(pc->password));
	explicit_bzero(pc->uri, sizeof(pc->uri));
	free(pc);
}

static int connect_fail(struct pg_conn *pc, const struct db_dsn *d, const char *libpq_text, struct perr *e)
{
	char msg[600];
	pg_message(libpq_text, d->uri, d->safe, pc->password, msg, sizeof(msg));
	perr_set(e, "connecting to '%s': %s", d->safe, msg);
	pg_close(&pc->base);
	return -1;
}

/*
 * The startup options: the URI's own "options" (or PGOPTIONS when the URI
 * has none) first, then ours, which win for the same setting. Into b.
 * -1 with errtext (for PQfreemem) when libpq cannot parse the URI.
 */
static int startup_options(const char *uri, unsigned read_timeout, int writable, struct buf *b, char **errtext)
{
	PQconninfoOption *opts = PQconninfoParse(uri, errtext);
	if (!opts)
		return -1;
	const char *theirs = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val && *o->val)
			theirs = o->val;
	if (!theirs)
		theirs = getenv("PGOPTIONS");
	if (theirs && *theirs)
		buf_printf(b, "%s ", theirs);
	PQconninfoFree(opts);
	if (!writable)
		buf_puts(b, "-c default_transaction_read_only=on ");
	buf_printf(b, "-c statement_timeout=%llu", (unsigned long long)read_timeout * 1000ull);
	return 0;
}

/*
 * Connect with d (kind DB_PG) and o. The connect timeout is o's, else the
 * DSN's, else 10 s (libpq counts it per host address and rounds 1 up to
 * 2); statements are stopped on the server after o's read timeout, else
 * 60 s. On success *out is a connection for db_close().
 */
static int pg_connect(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out,
		      struct perr *e)
{
	*out = NULL;
	if (d->kind != DB_PG)
		return perr_set(e, "'%s' is not a PostgreSQL DSN", d->safe);
	unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : d->connect_timeout ? d->connect_timeout : 10;
	unsigned rt = o->read_timeout_s ? o->read_timeout_s : 60;

	struct pg_conn *pc = xcalloc(1, sizeof(*pc));
	pc->base.drv = &db_pg_driver;
	pc->base.kind = DB_PG;
	pc->base.writable = o->writable != 0;
	snprintf(pc->base.safe_dsn, sizeof(pc->base.safe_dsn), "%s", d->safe);
	if (d->has_password)
		snprintf(pc->password, sizeof(pc->password), "%s", d->password);
	snprintf(pc->uri, sizeof(pc->uri), "%s", d->uri);

	struct buf options = BUF_INIT;
	char *errtext = NULL;
	if (startup_options(d->uri, rt, pc->base.writable, &options, &errtext) < 0) {
		int rc = connect_fail(pc, d, errtext ? errtext : "invalid URI", e);
		PQfreemem(errtext);
		buf_free(&options);
		return rc;
	}
	char ct_s[16];
	snprintf(ct_s, sizeof(ct_s), "%u", ct);
	/* before dbname: the URI may override; after it: ours win */
	const char *const kw[] = {"application_name", "client_encoding", "dbname", "connect_timeout", "options",
				  NULL};
	const char *const val[] = {"perfagent", "UTF8", d->uri, ct_s, buf_str(&options), NULL};
	pc->pg = PQconnectdbParams(kw, val, 1);
	buf_free(&options);
	if (!pc->pg)
		return connect_fail(pc, d, "out of memory", e);
	if (PQstatus(pc->pg) != CONNECTION_OK)
		return connect_fail(pc, d, PQerrorMessage(pc->pg), e);
	PQsetNoticeProcessor(pc->pg, quiet_notices, NULL);

	pc->base.version_num = PQserverVersion(pc->pg);
	PGresult *res = PQexec(pc->pg, "SELECT current_database(), current_setting('server_version'), "
				       "current_setting('default_transaction_read_only')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 3) {
		const char *why = res ? PQresultErrorMessage(res) : PQerrorMessage(pc->pg);
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", why && *why ? why : "unexpected answer to the first query");
		PQclear(res);
		return connect_fail(pc, d, copy, e);
	}
	snprintf(pc->base.dbname, sizeof(pc->base.dbname), "%s", PQgetvalue(res, 0, 0));
	snprintf(pc->base.server_version, sizeof(pc->base.server_version), "%s", PQgetvalue(res, 0, 1));
	int ro = strcmp(PQgetvalue(res, 0, 2), "on") == 0;
	PQclear(res);
	if (!pc->base.writable && !ro)
		return connect_fail(pc, d,
				    "the server ignored default_transaction_read_only (a pooler dropping "
				    "startup options?); refusing a session that could write",
				    e);
	*out = &pc->base;
	return 0;
}

/* Finish a COPY the statement started: perfagent neither sends nor wants its data. */
static void end_copy(PGconn *pg, ExecStatusType st)
{
	if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
		char *data;
		while (PQgetCopyData(pg, &data, 0) > 0)
			PQfreemem(data);
	}
	if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH)
		PQputCopyEnd(pg, "perfagent does not send COPY data");
	PGresult *r;
	while ((r = PQgetResult(pg)) != NULL)
		PQclear(r);
}

/* The error of a failed statement into e; a broken connection says "connection lost". */
static int query_error(struct pg_conn *pc, const PGresult *res, struct perr *e)
{
	const char *text = NULL;
	if (res)
		text = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!text || !*text)
		text = res ? PQresultErrorMessage(res) : NULL;
	if (!text || !*text)
		text = PQerrorMessage(pc->pg);
	char msg[600];
	pg_message(text, pc->uri, pc->base.safe_dsn, pc->password, msg, sizeof(msg));
	if (PQstatus(pc->pg) == CONNECTION_BAD) {
		pc->lost = 1;
		return perr_set(e, "connection lost: %s", msg);
	}
	return perr_set(e, "%s", msg);
}

/* Copy a result's names and text cells into rows' arena. */
static void fill_rows(const PGresult *res, struct db_rows *rows)
{
	size_t nc = (size_t)PQnfields(res), nr = (size_t)PQntuples(res);
	rows->ncols = nc;
	rows->nrows = nr;
	rows->names = arena_calloc(&rows->arena, nc, sizeof(char *));
	for (size_t i = 0; i < nc; i++)
		rows->names[i] = arena_strdup(&rows->arena, PQfname(res, (int)i));
	rows->cells = arena_calloc(&rows->arena, nr * nc, sizeof(char *));
	for (size_t r = 0; r < nr; r++)
		for (size_t i = 0; i < nc; i++)
			if (!PQgetisnull(res, (int)r, (int)i))
				rows->cells[r * nc + i] = arena_strndup(&rows->arena, PQgetvalue(res, (int)r, (int)i),
									 (size_t)PQgetlength(res, (int)r, (int)i));
}

/*
 * Run sql, one statement. Rows for a statement that returns them; 0 rows
 * and 0 columns for one that does not. COPY is refused (and finished so
 * the connection stays usable).
 */
static int pg_query(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e)
{
	struct pg_conn *pc = (struct pg_conn *)c;
	if (rows) /* db_query() does this too; a direct caller may not */
		memset(rows, 0, sizeof(*rows));
	if (pc->lost || PQstatus(pc->pg) == CONNECTION_BAD) {
		pc->lost = 1;
		return perr_set(e, "connection lost: reconnect to '%s'", c->safe_dsn);
	}
	PGresult *res = PQexecParams(pc->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = 0;
	switch (st) {
	case PGRES_TUPLES_OK:
		if (rows)
			fill_rows(res, rows);
		break;
	case PGRES_COMMAND_OK:
		break;
	case PGRES_EMPTY_QUERY:
		rc = perr_set(e, "the statement is empty");
		break;
	case PGRES_COPY_OUT:
	case PGRES_COPY_IN:
	case PGRES_COPY_BOTH:
		end_copy(pc->pg, st);
		rc = perr_set(e, "COPY is not supported here; run a SELECT");
		break;
	default:
		rc = query_error(pc, res, e);
		break;
	}
	PQclear(res);
	return rc;
}

const struct db_driver db_pg_driver = {
	.kind = DB_PG,
	.connect = pg_connect,
	.query = pg_query,
	.close = pg_close,
};
