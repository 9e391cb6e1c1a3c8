/*
 * genlog: a reader for the MySQL / MariaDB general query log
 * (general_log=1, log_output=FILE).
 *
 * Every command a server receives is one entry (\t is a tab):
 *
 *   2026-11-24T10:00:00.123456Z\t   12 Query\tSELECT 1           MySQL 5.7+
 *   261124 10:00:00\t   12 Connect\tapp@localhost on shop using TCP/IP
 *   \t\t   12 Query\tselect 2                 5.6, MariaDB: same second
 *
 * and a statement continues on the following lines until the next entry.
 * Only Query and Execute entries become events (query_time_s = -1: this
 * log has no timings). A server-side prepared statement run with SQL shows
 * twice — "Query execute s using @a" and "Execute <the statement>" — as
 * the server received two commands; Prepare, Close stmt and the rest are
 * not events. Connect, Change user, Init DB and Quit keep a small
 * per-reader table of what each connection's user, host and database are,
 * so that events carry them; a server banner (a restart: the ids start
 * again) empties it. Like slowlog, it reads a buffer the caller owns, in
 * place, without allocating.
 */
#ifndef PA_DIGEST_GENLOG_H
#define PA_DIGEST_GENLOG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Connections remembered at once; a newer one takes an older one's slot. */
#define GENLOG_CONNS 256

struct genlog_conn {
	uint64_t key;        /* connection id + 1; 0 = a free slot */
	const char *db, *user, *host;
	uint32_t db_len, user_len, host_len;
};

struct genlog {
	const char *buf;
	size_t len;
	size_t pos;          /* where the next line starts */
	int64_t garbled;     /* statements cut short, empty, and runs of stray lines */
	size_t last_start;   /* offset of the entry line of the event last returned */
	int64_t last_ts_us;  /* the last entry time seen; -1 none yet */
	int stray;           /* inside a run of stray lines already counted */
	struct genlog_conn conns[GENLOG_CONNS]; /* direct-mapped by id */
};

/* Read buf[0, len) from the start. Nothing is allocated; nothing to free. */
void genlog_init(struct genlog *r, const char *buf, size_t len);

/*
 * Fill *ev with the next Query or Execute entry and return 1, or return 0
 * at the end. ev->sql points into buf: the argument and its continuation
 * lines, without trailing blanks or a final ';'. ev->ts_us is the entry's
 * time, or the time of the last entry that had one (entries within the same
 * second show none in the old format); ev->conn_id is the thread id; db,
 * user and host come from the connection's Connect / Init DB entries (or a
 * "use db" statement) when the log holds them. A statement at the very end
 * with no newline after it may have been cut short: it is counted, not
 * returned.
 */
int genlog_next(struct genlog *r, struct dg_query *ev);

/*
 * The offset of the first entry line at or after `from` (len if none), for
 * splitting a file between threads. A reader started there does not know
 * the connections' databases or the time until the log shows them again.
 */
size_t genlog_sync(const char *buf, size_t len, size_t from);

/* Is s[0, n) (one line, no newline) the first line of an entry? */
int genlog_is_entry(const char *s, size_t n);

#endif
