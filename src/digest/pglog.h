/*
 * pglog: a reader for PostgreSQL server logs with statement durations
 * (log_min_duration_statement), in either of the two text formats:
 *
 *   stderr (DG_PG_STDERR): log_line_prefix, then "LOG:  duration: 0.412 ms
 *   statement: SELECT ..." (or "execute <name>: ..."); further lines of the
 *   message start with a tab. Any prefix is understood: the timestamp is
 *   read from its start ("%m", "%t", also after "time="), the pid from
 *   "[12345]" or "pid=12345", and "user=", "db=", "client="/"host=" or a
 *   "%u@%d" word when they are there.
 *
 *   csvlog (DG_PG_CSV): one record per message, the documented columns
 *   (log_time, user_name, database_name, process_id, connection_from, ...,
 *   error_severity, sql_state_code, message, ...), quoted fields with ""
 *   for a quote and newlines kept as they are.
 *
 * Events are the "statement:" and "execute <name>:" messages, with or
 * without a duration (log_statement writes them without one: query_time_s
 * is then -1). "parse <name>:" and "bind <name>:" durations are not events —
 * the extended protocol logs parse, bind and execute of one statement, and
 * counting all three would triple it; a "duration:" alone (log_duration)
 * names no statement and is skipped, as are DETAIL lines and every other
 * message.
 *
 * Pointers in an event point into the caller's buffer, except where the
 * log had to be rewritten to give the statement back as it was sent: a
 * multi-line statement in a stderr log (whose continuation lines carry an
 * added tab) and a csv field with "" in it are copied, without the tabs,
 * each "" made " again, into a scratch buffer the reader owns and reuses.
 * It grows to the longest such statement, and pglog_free releases it.
 */
#ifndef PA_DIGEST_PGLOG_H
#define PA_DIGEST_PGLOG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct pglog {
	const char *buf;
	size_t len;
	size_t pos;          /* where the next line (stderr) or record (csv) starts */
	int64_t garbled;     /* bad durations, broken records, cut-off last events */
	size_t last_start;   /* offset of the line or record of the event last returned */
	enum dg_format fmt;  /* DG_PG_STDERR or DG_PG_CSV */
	int stray;           /* csv: inside a run of non-record lines already counted */
	char *scratch;       /* rewritten statements; valid until the next call */
	size_t scratch_cap;
};

/*
 * Read buf[0, len) as fmt (DG_PG_STDERR, or DG_PG_CSV for csvlog). The
 * scratch buffer starts empty: call pglog_free when done with r, and before
 * initialising it again.
 */
void pglog_init(struct pglog *r, const char *buf, size_t len, enum dg_format fmt);

/*
 * Fill *ev with the next statement and return 1, or return 0 at the end.
 * ev->sql is the statement without trailing blanks or a final ';';
 * ev->ts_us the message's time (the end of the statement), -1 if the
 * prefix has none; ev->conn_id the backend pid; user, db and host when the
 * log has them. A named time zone other than UTC/GMT cannot be resolved
 * here and is taken as UTC; numeric offsets (+03, -05:30) are applied. A
 * message at the end of the buffer without its newline may have been cut
 * short: it is counted in garbled, not returned.
 */
int pglog_next(struct pglog *r, struct dg_query *ev);

/* Release the scratch buffer (and make r safe to free again). */
void pglog_free(struct pglog *r);

/*
 * The offset of the first message (stderr: a line with a log_line_prefix
 * and a severity, not a tab-indented continuation; csv: a line that starts
 * with a log_time and a comma) at or after `from`, or len. In a csv log a
 * quoted field could hold a line that looks like a record; the log would
 * have to contain a statement that quotes such a log line for that to
 * matter.
 */
size_t pglog_sync(const char *buf, size_t len, size_t from, enum dg_format fmt);

/* Is s[0, n) the first line of a stderr message ("... LOG:  ...")? */
int pglog_is_entry(const char *s, size_t n);

/* Is s[0, n) the start of a csvlog record ("2026-11-24 10:00:00.123 UTC,...")? */
int pglog_is_csv_start(const char *s, size_t n);

#endif
