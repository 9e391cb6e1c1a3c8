/*
 * accesslog: NCSA-style access logs and "SLOW:" lines, read in place.
 *
 * A line is taken apart left to right — client, the bracketed time, the
 * quoted request, status, size — and then the rest is split into fields
 * (quoted strings or bare words) only to find the last one, which is the
 * request time when the format logs it. Quoted fields may hold \" (Apache
 * escapes quotes that way; nginx writes \x22), so the closing quote is the
 * first one not after a backslash.
 */
#include "accesslog.h"
#include "lex.h"
#include "../core/clock.h"

#include <string.h>

#define LIT(s) (s), (sizeof(s) - 1)

static int64_t civil_us(int y, int mo, int d, int h, int mi, int sec)
{
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return -1;
	return ((clock_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * INT64_C(60000000) +
	       (int64_t)sec * 1000000;
}

/* A "+0100" / "-05:30" offset at s[i]: µs to subtract from local time, or 0. */
static int64_t zone_offset(const char *s, size_t n, size_t i)
{
	if (i >= n || (s[i] != '+' && s[i] != '-'))
		return 0;
	int oh = lex_digits(s, n, i + 1, 2);
	size_t j = i + 3;
	if (j < n && s[j] == ':')
		j++;
	int om = lex_digits(s, n, j, 2);
	if (oh < 0 || om < 0)
		return 0;
	int64_t off = ((int64_t)oh * 60 + om) * INT64_C(60000000);
	return s[i] == '+' ? off : -off;
}

/*
 * The time between the brackets: "24/Nov/2026:10:00:00 +0000" (NCSA) or
 * "24/Nov/2026 10:00:00" (Werkzeug, local time without a zone: read as
 * UTC). Returns µs since the epoch, or -1.
 */
static int64_t parse_clf_time(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n < 20 || s[2] != '/' || s[6] != '/' || (s[11] != ':' && s[11] != ' ') ||
	    s[14] != ':' || s[17] != ':')
		return -1;
	int mo = 0;
	for (int k = 0; k < 12; k++)
		if (memcmp(s + 3, months + 3 * k, 3) == 0)
			mo = k + 1;
	int64_t us = civil_us(lex_digits(s, n, 7, 4), mo, lex_digits(s, n, 0, 2), lex_digits(s, n, 12, 2),
			      lex_digits(s, n, 15, 2), lex_digits(s, n, 18, 2));
	if (us < 0)
		return -1;
	if (n > 21 && s[20] == ' ')
		us -= zone_offset(s, n, 21);
	return us;
}

/*
 * A timestamp at the start of a line of application output, maybe after a
 * '[': "2026-11-24 10:00:00,123" (Python logging), "2026-11-24T10:00:00.123",
 * "2026-11-24 10:00:00 +0000" (gunicorn), or "24/Nov/2026 10:00:00"
 * (Werkzeug). Returns µs since the epoch, or -1.
 */
static int64_t prefix_time(const char *s, size_t n)
{
	size_t i = (n > 0 && s[0] == '[') ? 1 : 0;
	s += i;
	n -= i;
	if (n >= 20 && s[2] == '/') {
		const char *e = memchr(s, ']', n);
		return parse_clf_time(s, e ? (size_t)(e - s) : n);
	}
	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	int64_t us = civil_us(lex_digits(s, n, 0, 4), lex_digits(s, n, 5, 2), lex_digits(s, n, 8, 2),
			      lex_digits(s, n, 11, 2), lex_digits(s, n, 14, 2), lex_digits(s, n, 17, 2));
	if (us < 0)
		return -1;
	size_t j = 19;
	if (j < n && (s[j] == ',' || s[j] == '.')) {
		int64_t scale = 100000;
		for (j++; j < n && lex_is_digit(s[j]); j++) {
			us += (s[j] - '0') * scale;
			scale /= 10;
		}
	}
	if (j < n && s[j] == 'Z')
		return us;
	if (j < n && (s[j] == '+' || s[j] == '-'))
		return us - zone_offset(s, n, j);
	if (j + 1 < n && s[j] == ' ')
		return us - zone_offset(s, n, j + 1);
	return us;
}

/*
 * The end of the quoted field whose opening quote is at s[i]: the index of
 * the closing quote, or n when there is none.
 */
static size_t close_quote(const char *s, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++) {
		if (s[j] == '\\')
			j++;
		else if (s[j] == '"')
			return j;
	}
	return n;
}

/* Split the request field into method and target, or leave it raw. */
static void request(const char *s, size_t n, struct dg_hit *ev)
{
	size_t m = 0;
	while (m < n && ((s[m] >= 'A' && s[m] <= 'Z') || s[m] == '-' || s[m] == '_'))
		m++;
	if (m > 0 && m < n && s[m] == ' ' && m + 1 < n && s[m + 1] != ' ') {
		size_t e = n;
		for (size_t k = n; k > m + 1; k--) {
			if (s[k - 1] == ' ') {
				if (n - k >= 5 && memcmp(s + k, "HTTP/", 5) == 0)
					e = k - 1;
				break;
			}
		}
		ev->method = s;
		ev->method_len = m;
		ev->path = s + m + 1;
		ev->path_len = e - m - 1;
		return;
	}
	ev->method = NULL;
	ev->method_len = 0;
	ev->path = s;
	ev->path_len = n;
}

/*
 * The last field of a line as a request time: "0.123" seconds, "123456"
 * microseconds, "name=value" as its value. Anything else is unknown (-1).
 */
static double request_time(const char *s, size_t n)
{
	const char *eq = memrchr(s, '=', n);
	if (eq) {
		n -= (size_t)(eq + 1 - s);
		s = eq + 1;
	}
	double v;
	int dot;
	if (lex_parse_dec(s, n, 0, &v, &dot) < 0)
		return -1;
	return dot ? v : v / 1e6;
}

int accesslog_parse(const char *s, size_t n, struct dg_hit *ev)
{
	n = lex_rtrim(s, n);
	/* client: a word; then ident and user up to the '[' */
	size_t i = 0;
	while (i < n && !lex_is_space(s[i]))
		i++;
	if (i == 0 || i >= n)
		return 0;
	const char *lb = memchr(s + i, '[', n - i);
	if (!lb || lb[-1] != ' ')
		return 0;
	i = (size_t)(lb - s) + 1;
	const char *rb = memchr(s + i, ']', n - i);
	if (!rb)
		return 0;
	int64_t ts = parse_clf_time(s + i, (size_t)(rb - s) - i);
	if (ts < 0)
		return 0;
	i = (size_t)(rb - s) + 1;
	/* "request" */
	if (i + 2 > n || s[i] != ' ' || s[i + 1] != '"')
		return 0;
	size_t q = i + 1, qe = close_quote(s, n, q);
	if (qe >= n)
		return 0;
	i = qe + 1;
	/* status and size */
	if (i + 4 > n || s[i] != ' ')
		return 0;
	int status = lex_digits(s, n, i + 1, 3);
	if (status < 100 || (i + 4 < n && s[i + 4] != ' '))
		return 0;
	i += 4;
	int64_t bytes = -1;
	if (i < n) {
		i++;
		size_t b = i;
		while (i < n && !lex_is_space(s[i]))
			i++;
		if (i - b == 1 && s[b] == '-') {
			bytes = -1;
		} else {
			if (i == b || i - b > 18)
				return 0;
			bytes = 0;
			for (size_t k = b; k < i; k++) {
				if (!lex_is_digit(s[k]))
					return 0;
				bytes = bytes * 10 + (s[k] - '0');
			}
		}
	}
	/* the rest: only its last field matters, and only when it is bare */
	double dur = -1;
	size_t lb2 = 0, le2 = 0;
	int bare = 0;
	while (i < n) {
		while (i < n && lex_is_space(s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] == '"') {
			size_t e = close_quote(s, n, i);
			bare = 0;
			i = e < n ? e + 1 : n;
		} else {
			lb2 = i;
			while (i < n && !lex_is_space(s[i]))
				i++;
			le2 = i;
			bare = 1;
		}
	}
	if (bare)
		dur = request_time(s + lb2, le2 - lb2);

	memset(ev, 0, sizeof(*ev));
	request(s + q + 1, qe - q - 1, ev);
	ev->status = status;
	ev->bytes = bytes;
	ev->ts_us = ts;
	ev->duration_s = dur;
	return 1;
}

int accesslog_parse_slow(const char *s, size_t n, struct dg_hit *ev)
{
	n = lex_rtrim(s, n);
	const char *k = memmem(s, n, LIT("SLOW: "));
	if (!k)
		return 0;
	size_t p = (size_t)(k - s) + 6;
	const char *t = memmem(s + p, n - p, LIT(" took "));
	if (!t || (size_t)(t - s) == p)
		return -1;
	size_t pe = (size_t)(t - s);
	size_t v = pe + 6, i = v;
	while (i < n && (lex_is_digit(s[i]) || s[i] == '.'))
		i++;
	double d;
	int dot;
	if (lex_parse_dec(s + v, i - v, 0, &d, &dot) < 0)
		return -1;
	size_t un = n - i;
	const char *u = s + i;
	if (un == 2 && memcmp(u, "ms", 2) == 0)
		d /= 1e3;
	else if ((un == 2 && memcmp(u, "us", 2) == 0) ||
		 (un == 3 && memcmp(u, "\xc2\xb5s", 3) == 0)) /* µs */
		d /= 1e6;
	else if (!(un == 0 || (un == 1 && *u == 's') || (un == 3 && memcmp(u, "sec", 3) == 0)))
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->path = s + p;
	ev->path_len = pe - p;
	ev->duration_s = d;
	ev->bytes = -1;
	ev->ts_us = prefix_time(s, (size_t)(k - s));
	return 1;
}

void accesslog_init(struct accesslog *r, const char *buf, size_t len, enum dg_format fmt)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->fmt = fmt;
}

int accesslog_next(struct accesslog *r, struct dg_hit *ev)
{
	int slow = r->fmt == DG_SLOW_LINES;
	while (r->pos < r->len) {
		size_t off = r->pos;
		const char *s = r->buf + off;
		const char *nl = memchr(s, '\n', r->len - off);
		size_t n = nl ? (size_t)(nl - s) : r->len - off;
		r->pos = nl ? off + n + 1 : r->len;
		if (lex_rtrim(s, n) == 0)
			continue;
		int k = slow ? accesslog_parse_slow(s, n, ev) : accesslog_parse(s, n, ev);
		if (k == 0 && slow)
			continue;
		if (k <= 0 || !nl) {
			r->garbled++;
			continue;
		}
		r->last_start = off;
		return 1;
	}
	return 0;
}

size_t accesslog_sync(const char *buf, size_t len, size_t from)
{
	return lex_line_at_or_after(buf, len, from);
}
