/*
 * sqlite: the SQLite driver.
 *
 * Opens an existing database file and nothing else: never with
 * SQLITE_OPEN_CREATE (a mistyped path must not leave an empty database
 * behind), never as a URI (a path starting with "file:" is opened as
 * "./file:..." so no build option can turn it into one), read-only
 * (SQLITE_OPEN_READONLY plus PRAGMA query_only, which also covers TEMP
 * tables) unless the caller asked to write.
 *
 * There is no server to stop a slow statement, so a progress handler
 * checks a monotonic deadline while the statement runs and interrupts it
 * when the read timeout has passed. A string holding several statements
 * is refused before anything runs, so each call runs exactly one.
 */
#include "db/db.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/clock.h"

/* Virtual-machine steps between two looks at the clock. */
#define SQ_PROGRESS_STEPS 1000

struct sq_conn {
	struct db_conn base;
	sqlite3 *db;
	unsigned read_timeout; /* seconds */
	int64_t deadline_ns;   /* CLOCK_MONOTONIC; 0: no statement running */
	int timed_out;
};

/* Interrupt the running statement once its deadline has passed. */
static int on_progress(void *arg)
{
	struct sq_conn *sc = arg;
	if (sc->deadline_ns && clock_mono_ns() > sc->deadline_ns) {
		sc->timed_out = 1;
		return 1;
	}
	return 0;
}

static void sq_close(struct db_conn *c)
{
	struct sq_conn *sc = (struct sq_conn *)c;
	if (!sc)
		return;
	if (sc->db)
		sqlite3_close_v2(sc->db);
	free(sc);
}

static int connect_fail(struct sq_conn *sc, const struct db_dsn *d, const char *what, struct perr *e)
{
	perr_set(e, "connecting to '%s': %s", d->safe, what);
	sq_close(&sc->base);
	return -1;
}

/*
 * Open d->path (kind DB_SQLITE). ":memory:" is an empty in-memory
 * database (useful for tests). The busy timeout is the connect timeout
 * (o's, else the DSN's, else 10 s); statements are interrupted after o's
 * read timeout, else 60 s.
 */
static int sq_connect(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out,
		      struct perr *e)
{
	*out = NULL;
	if (d->kind != DB_SQLITE)
		return perr_set(e, "'%s' is not an SQLite DSN", d->safe);
	unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : d->connect_timeout ? d->connect_timeout : 10;
	unsigned rt = o->read_timeout_s ? o->read_timeout_s : 60;
	int memory = strcmp(d->path, ":memory:") == 0;
	if (!memory) {
		struct stat st;
		if (stat(d->path, &st) != 0) {
			if (errno == ENOENT)
				return perr_set(e, "'%s': no such file (perfagent opens existing databases only)", d->safe);
			return perr_set(e, "'%s': %s", d->safe, strerror(errno));
		}
		if (S_ISDIR(st.st_mode))
			return perr_set(e, "'%s': is a directory, not a database file", d->safe);
	}

	struct sq_conn *sc = xcalloc(1, sizeof(*sc));
	sc->base.drv = &db_sqlite_driver;
	sc->base.kind = DB_SQLITE;
	sc->base.writable = o->writable != 0;
	snprintf(sc->base.safe_dsn, sizeof(sc->base.safe_dsn), "%s", d->safe);
	/* the file; a path too long for dbname keeps its end, which names the file */
	size_t pl = strlen(d->path), dl = sizeof(sc->base.dbname);
	if (pl < dl)
		memcpy(sc->base.dbname, d->path, pl + 1);
	else
		snprintf(sc->base.dbname, dl, "...%s", d->path + pl - (dl - 4));
	snprintf(sc->base.server_version, sizeof(sc->base.server_version), "%s", sqlite3_libversion());
	sc->base.version_num = sqlite3_libversion_number();
	sc->read_timeout = rt;

	struct buf path = BUF_INIT;
	if (strncasecmp(d->path, "file:", 5) == 0)
		buf_puts(&path, "./"); /* never a URI */
	buf_puts(&path, d->path);
	/* ":memory:" cannot be opened read-only; query_only keeps it so */
	int flags = sc->base.writable || memory ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
	int rc = sqlite3_open_v2(buf_str(&path), &sc->db, flags, NULL);
	buf_free(&path);
	if (rc != SQLITE_OK)
		return connect_fail(sc, d, sc->db ? sqlite3_errmsg(sc->db) : sqlite3_errstr(rc), e);
	sqlite3_busy_timeout(sc->db, (int)(ct > 86400 ? 86400 : ct) * 1000);
	sqlite3_progress_handler(sc->db, SQ_PROGRESS_STEPS, on_progress, sc);
	if (!sc->base.writable && sqlite3_exec(sc->db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK)
		return connect_fail(sc, d, sqlite3_errmsg(sc->db), e);
	/* A file that is not a database opens fine and fails on first use:
	 * find out now, where the message can name the DSN. */
	if (sqlite3_exec(sc->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
		return connect_fail(sc, d, sqlite3_errmsg(sc->db), e);
	*out = &sc->base;
	return 0;
}

/* Past whitespace, empty statements (';') and comments: what else is in s. */
static const char *skip_filler(const char *s)
{
	for (;;) {
		s += strspn(s, " \t\r\n\f\v;");
		if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");
			s = end ? end + 2 : s + strlen(s); /* SQLite ends an open comment at the end */
		} else {
			return s;
		}
	}
}

/*
 * Run sql, one statement: trailing text other than whitespace, ';' and
 * comments is refused before anything runs. Every column is read as text;
 * SQL NULL is a NULL cell. A statement that runs past the read timeout is
 * interrupted.
 */
static int sq_query(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e)
{
	struct sq_conn *sc = (struct sq_conn *)c;
	if (rows) /* db_query() does this too; a direct caller may not */
		memset(rows, 0, sizeof(*rows));
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(sc->db, sql, -1, &st, &tail) != SQLITE_OK)
		return perr_set(e, "%s", sqlite3_errmsg(sc->db));
	if (!st)
		return perr_set(e, "the statement is empty");
	const char *rest = skip_filler(tail ? tail : "");
	if (*rest) {
		sqlite3_finalize(st);
		return perr_set(e, "one statement at a time: remove what follows the first one ('%.40s%s')", rest,
				strlen(rest) > 40 ? "..." : "");
	}

	size_t nc = (size_t)sqlite3_column_count(st);
	struct arena *ar = rows ? &rows->arena : NULL;
	if (rows) {
		rows->ncols = nc;
		rows->names = arena_calloc(ar, nc, sizeof(char *));
		for (size_t i = 0; i < nc; i++) {
			const char *name = sqlite3_column_name(st, (int)i);
			rows->names[i] = arena_strdup(ar, name ? name : "");
		}
	}
	char **cells = NULL;
	size_t ncells = 0, cap = 0, nr = 0;
	sc->timed_out = 0;
	sc->deadline_ns = clock_mono_ns() + (int64_t)sc->read_timeout * 1000000000;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nr++;
		if (!rows)
			continue;
		if (ncells + nc > cap) {
			cap = cap ? cap * 2 : 64;
			while (cap < ncells + nc)
				cap *= 2;
			cells = xrealloc(cells, cap * sizeof(char *));
		}
		for (size_t i = 0; i < nc; i++) {
			const unsigned char *v = NULL;
			if (sqlite3_column_type(st, (int)i) != SQLITE_NULL)
				v = sqlite3_column_text(st, (int)i);
			cells[ncells++] = v ? arena_strndup(ar, (const char *)v, (size_t)sqlite3_column_bytes(st, (int)i))
					    : NULL;
		}
	}
	sc->deadline_ns = 0;
	if (rc != SQLITE_DONE) {
		if (sc->timed_out)
			perr_set(e, "the statement ran past the %u s read timeout and was stopped", sc->read_timeout);
		else
			perr_set(e, "%s", sqlite3_errmsg(sc->db));
		sqlite3_finalize(st);
		free(cells);
		if (rows)
			db_rows_free(rows);
		return -1;
	}
	sqlite3_finalize(st);
	if (rows) {
		rows->nrows = nr;
		rows->cells = arena_calloc(ar, ncells, sizeof(char *));
		if (ncells)
			memcpy(rows->cells, cells, ncells * sizeof(char *));
	}
	free(cells);
	return 0;
}

const struct db_driver db_sqlite_driver = {
	.kind = DB_SQLITE,
	.connect = sq_connect,
	.query = sq_query,
	.close = sq_close,
};
