/*
 * accesslog: a reader for web access logs and for the "SLOW:" lines of the
 * seed application's timing middleware, turning each request into a
 * struct dg_hit.
 *
 * DG_ACCESS reads the NCSA family, one request a line:
 *
 *   host ident user [24/Nov/2026:10:00:00 +0000] "GET /p?q=1 HTTP/1.1" 200 512 ...
 *
 * — the common format, combined ("referer" "user agent" after the size),
 * gunicorn's default (the same fields), the Werkzeug development server's
 * ("[24/Nov/2026 10:00:00]", no zone) — with the request time, when it is
 * logged, as the last field: a number with a decimal point is seconds
 * (nginx $request_time, gunicorn %(L)s), an integer is microseconds (Apache
 * %D, gunicorn %(D)s), "-" or nothing is unknown. Apache's %T and
 * gunicorn's %(T)s/%(M)s (whole seconds / milliseconds) would be misread as
 * microseconds: log %D or %(D)s/%(L)s instead. Every line that is not such a
 * request is counted in garbled.
 *
 * DG_SLOW_LINES reads application output and keeps the lines
 *
 *   [prefix] SLOW: /path took 0.62s
 *
 * (the seed prints them with print(); a logging prefix may come first, and
 * a time at its start is used); all other output is skipped uncounted.
 *
 * Like the other readers it works in place on the caller's buffer, one
 * memchr per line, with no allocation; the pointers in a dg_hit point into
 * the buffer.
 */
#ifndef PA_DIGEST_ACCESSLOG_H
#define PA_DIGEST_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct accesslog {
	const char *buf;
	size_t len;
	size_t pos;          /* where the next line starts */
	int64_t garbled;     /* lines that should have been requests and were not */
	size_t last_start;   /* offset of the line last returned */
	enum dg_format fmt;  /* DG_ACCESS or DG_SLOW_LINES */
};

/* Read buf[0, len) as fmt: DG_ACCESS, or DG_SLOW_LINES. Nothing to free. */
void accesslog_init(struct accesslog *r, const char *buf, size_t len, enum dg_format fmt);

/*
 * Fill *ev with the next request and return 1, or return 0 at the end. A
 * last line without its newline may have been cut short while the server
 * wrote it: it is counted in garbled, not returned.
 */
int accesslog_next(struct accesslog *r, struct dg_hit *ev);

/* The offset of the first line that starts at or after `from`, or len. */
size_t accesslog_sync(const char *buf, size_t len, size_t from);

/*
 * One access-log line s[0, n) (no newline) into *ev. Returns 1, or 0 if it
 * is not one. A request field that is not "METHOD target [protocol]" (a
 * client speaking TLS or nonsense to a plain-text port: nginx logs it with
 * status 400) still counts: ev->method is then NULL and ev->path the raw
 * field.
 */
int accesslog_parse(const char *s, size_t n, struct dg_hit *ev);

/*
 * One line s[0, n) of application output: 1 for a "SLOW: PATH took Ns"
 * line (the unit may also be ms), with ev->method NULL and ev->status 0;
 * -1 for a line with "SLOW: " that does not parse; 0 for any other line.
 */
int accesslog_parse_slow(const char *s, size_t n, struct dg_hit *ev);

#endif
