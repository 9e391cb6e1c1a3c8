/*
 * slowlog: a reader for the MySQL, MariaDB and Percona Server slow query
 * log (log_output=FILE).
 *
 * It walks a buffer the caller owns (normally the mapped file) one line at
 * a time and hands out one struct dg_query per logged statement, its
 * pointers into that buffer: no copy, no allocation. Events that cannot be
 * trusted — a header with garbage in a number, headers with no statement, a
 * statement cut off by the end of the file or by a restart — are counted in
 * `garbled` and skipped, never returned half-read.
 *
 * An event starts at a "# Time:" line, or at a "# User@Host:" line whose
 * previous line is not "# Time:". That rule needs two lines only, so
 * slowlog_sync can find an event boundary from any offset and one file can
 * be read by several threads, each from slowlog_sync(its share's start).
 */
#ifndef PA_DIGEST_SLOWLOG_H
#define PA_DIGEST_SLOWLOG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct slowlog {
	const char *buf;
	size_t len;
	size_t pos;          /* where the next line starts */
	int64_t garbled;     /* events (and runs of stray lines) skipped */
	size_t last_start;   /* offset of the first line of the event last returned */
	/*
	 * What the log carries from one event to the next: the server writes
	 * "use db;" only when the database differs from the last one it wrote,
	 * and MySQL 5.x writes "# Time:" only when the second changes. A
	 * reader that starts mid-file (after slowlog_sync) does not know them
	 * until the log repeats them.
	 */
	const char *db;
	size_t db_len;
	int64_t last_time_us; /* the last "# Time:", -1 none yet */
	int prev_time;        /* the line before pos was "# Time:" */
	int stray;            /* inside a run of stray lines already counted */
};

/* Read buf[0, len) from the start. Nothing is allocated; nothing to free. */
void slowlog_init(struct slowlog *r, const char *buf, size_t len);

/*
 * Fill *ev with the next event and return 1, or return 0 at the end of the
 * buffer. The pointers in *ev point into buf. ev->sql is the statement
 * without the "use"/"SET timestamp" lines the server adds and without its
 * final ';' and trailing white space; for "# administrator command: Quit;"
 * it is "administrator command: Quit" and ev->admin is 1.
 *
 * ev->ts_us: the event's own "# Time:" if it has one, else its
 * "SET timestamp=", else the last "# Time:" seen, else -1. Old-style times
 * ("261124 10:00:00") carry no zone and are read as UTC. ev->db: the
 * event's "Schema:" field if it has one (MariaDB, Percona; empty means
 * none), else the last "use db;" seen.
 */
int slowlog_next(struct slowlog *r, struct dg_query *ev);

/*
 * The offset of the first event that starts at or after `from` (len if
 * none). Reading buf from there (slowlog_init(r, buf + off, len - off))
 * yields exactly the events a reader from 0 yields whose first line is at
 * or after off — apart from the carried db and time, see above.
 */
size_t slowlog_sync(const char *buf, size_t len, size_t from);

/*
 * A MySQL log time, as in "# Time:" and the general log: "2026-11-24T10:00:
 * 00[.ffffff][Z|±hh:mm]" (5.7+), or "YYMMDD hh:mm:ss" with the hour maybe
 * padded by a space (5.1-5.6, MariaDB), which has no zone and is taken as
 * UTC. Leading and trailing blanks are allowed, nothing else. Returns 0 and
 * µs since the epoch in *us, or -1.
 */
int slowlog_parse_time(const char *s, size_t n, int64_t *us);

/*
 * Is s[0, n) a line of the banner a MySQL server writes when it opens a log
 * (slow or general): "<path>, Version: ... started with:" (or "...
 * embedded library"), "Tcp port: N  Unix socket: PATH", or the column
 * heading "Time  Id Command  Argument"?
 */
int slowlog_is_banner(const char *s, size_t n);

#endif
