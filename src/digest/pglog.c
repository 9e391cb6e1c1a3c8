/*
 * pglog: PostgreSQL stderr and csvlog logs, read in place.
 *
 * stderr: a message is a line with a log_line_prefix and a severity
 * ("LOG:  ", "ERROR:  ", "DETAIL:  " ...: upper-case word, colon, two
 * spaces) plus the lines after it up to the next such line; PostgreSQL
 * starts each further line of a message with a tab, and lines with neither
 * (another program's output on the same stderr) are taken as part of the
 * message above, as pgBadger does. The prefix is whatever precedes the
 * severity: it is not parsed against log_line_prefix (which the log does not
 * record) but searched for the few things worth having.
 *
 * csvlog: records are read with a real CSV scanner — quotes, "" escapes,
 * newlines inside fields — and only the columns the digest needs are kept.
 * The column list has grown over the versions (23 in 9.x, 26 in 15), so a
 * record is taken with any count from the 14 that reach the message.
 */
#include "pglog.h"
#include "lex.h"
#include "../core/clock.h"

#include <stdlib.h>
#include <string.h>

#define LIT(s) (s), (sizeof(s) - 1)

static int starts(const char *s, size_t n, const char *p, size_t n2)
{
	return n >= n2 && memcmp(s, p, n2) == 0;
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_word(char c)
{
	return is_alpha(c) || lex_is_digit(c) || c == '_';
}

/*
 * A PostgreSQL log time at s: "2026-11-24 10:00:00[.123][ ZONE]" (%m, %t,
 * csvlog). ZONE is an abbreviation or a numeric offset ("+03", "-05:30");
 * offsets are applied, abbreviations taken as UTC (the zone database is not
 * at hand, and UTC is what servers are usually set to). Returns the bytes
 * used, or 0 if s does not start with a time.
 */
static size_t parse_pg_time(const char *s, size_t n, int64_t *out)
{
	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':')
		return 0;
	int y = lex_digits(s, n, 0, 4), mo = lex_digits(s, n, 5, 2), d = lex_digits(s, n, 8, 2);
	int h = lex_digits(s, n, 11, 2), mi = lex_digits(s, n, 14, 2), sec = lex_digits(s, n, 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return 0;
	int64_t us = ((clock_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * INT64_C(60000000) +
		     (int64_t)sec * 1000000;
	size_t i = 19;
	if (i < n && s[i] == '.') {
		int64_t scale = 100000;
		i++;
		while (i < n && lex_is_digit(s[i])) {
			us += (s[i] - '0') * scale;
			scale /= 10;
			i++;
		}
	}
	if (i + 1 < n && s[i] == ' ' && (s[i + 1] == '+' || s[i + 1] == '-')) {
		size_t j = i + 2;
		int oh = lex_digits(s, n, j, 2), om = 0;
		if (oh >= 0) {
			j += 2;
			if (j < n && s[j] == ':' && lex_digits(s, n, j + 1, 2) >= 0) {
				om = lex_digits(s, n, j + 1, 2);
				j += 3;
			} else if (lex_digits(s, n, j, 2) >= 0) {
				om = lex_digits(s, n, j, 2);
				j += 2;
			}
			int64_t off = ((int64_t)oh * 60 + om) * INT64_C(60000000);
			us += s[i + 1] == '+' ? -off : off;
			i = j;
		}
	} else if (i + 1 < n && s[i] == ' ' && is_alpha(s[i + 1])) {
		size_t j = i + 1;
		while (j < n && is_alpha(s[j]) && j - i <= 6)
			j++;
		if (j == n || !is_alpha(s[j]))
			i = j;
	}
	*out = us;
	return i;
}

/* The severity words a stderr message can carry. */
static int is_severity(const char *w, size_t n)
{
	switch (n) {
	case 3:
		return memcmp(w, "LOG", 3) == 0;
	case 4:
		return memcmp(w, "HINT", 4) == 0 || memcmp(w, "INFO", 4) == 0;
	case 5:
		return memcmp(w, "ERROR", 5) == 0 || memcmp(w, "FATAL", 5) == 0 ||
		       memcmp(w, "PANIC", 5) == 0 || memcmp(w, "DEBUG", 5) == 0 ||
		       memcmp(w, "QUERY", 5) == 0;
	case 6:
		return memcmp(w, "DETAIL", 6) == 0 || memcmp(w, "NOTICE", 6) == 0 ||
		       (memcmp(w, "DEBUG", 5) == 0 && w[5] >= '1' && w[5] <= '5');
	case 7:
		return memcmp(w, "WARNING", 7) == 0 || memcmp(w, "CONTEXT", 7) == 0;
	case 8:
		return memcmp(w, "LOCATION", 8) == 0;
	case 9:
		return memcmp(w, "STATEMENT", 9) == 0;
	}
	return 0;
}

struct sev {
	size_t word, wlen;   /* the severity word */
	size_t msg;          /* the message, after ":  " */
};

/*
 * Find the severity of a stderr line: the first "WORD:  " (a known word,
 * at the start or after a blank) within the first KiB, which is as long as
 * any sensible prefix gets. Returns 1 and its place, or 0.
 */
static int find_severity(const char *s, size_t n, struct sev *sv)
{
	size_t lim = n < 1024 ? n : 1024;
	size_t i = 0;
	while (i < lim) {
		const char *c = memchr(s + i, ':', lim - i);
		if (!c)
			return 0;
		size_t k = (size_t)(c - s);
		if (k + 2 < n && s[k + 1] == ' ' && s[k + 2] == ' ') {
			size_t w = k;
			while (w > 0 && (is_upper(s[w - 1]) || lex_is_digit(s[w - 1])))
				w--;
			int alone = w == 0 || s[w - 1] == ' ' || s[w - 1] == '\t';
			if (alone && is_severity(s + w, k - w)) {
				sv->word = w;
				sv->wlen = k - w;
				sv->msg = k + 3;
				return 1;
			}
		}
		i = k + 1;
	}
	return 0;
}

int pglog_is_entry(const char *s, size_t n)
{
	struct sev sv;
	return n > 0 && s[0] != '\t' && find_severity(s, n, &sv);
}

int pglog_is_csv_start(const char *s, size_t n)
{
	int64_t us;
	size_t k = parse_pg_time(s, n, &us);
	return k > 0 && k < n && s[k] == ',';
}

enum { MSG_OTHER, MSG_EVENT, MSG_BAD };

/*
 * The message of a LOG line: "duration: 0.412 ms  statement: SQL",
 * "duration: X ms  execute NAME: SQL", or either without the duration.
 * Returns MSG_EVENT with *dur (seconds, -1 if none) and *sql (offset of the
 * statement in m), MSG_BAD for a duration that does not parse, MSG_OTHER
 * for anything else (parse/bind, a bare duration, a plan, a checkpoint).
 */
static int parse_message(const char *m, size_t n, double *dur, size_t *sql)
{
	size_t i = 0;
	*dur = -1;
	if (starts(m, n, LIT("duration: "))) {
		i = 10;
		size_t v = i;
		while (i < n && !lex_is_space(m[i]))
			i++;
		if (lex_parse_dec(m + v, i - v, 3, dur, NULL) < 0 || !starts(m + i, n - i, LIT(" ms")))
			return MSG_BAD;
		i += 3;
		if (lex_rtrim(m + i, n - i) == 0)
			return MSG_OTHER; /* log_duration: no statement named */
		if (!starts(m + i, n - i, LIT("  ")))
			return MSG_BAD;
		i += 2;
	}
	if (starts(m + i, n - i, LIT("statement: "))) {
		*sql = i + 11;
		return MSG_EVENT;
	}
	if (starts(m + i, n - i, LIT("execute "))) {
		const char *c = memmem(m + i + 8, n - i - 8, LIT(": "));
		if (!c)
			return MSG_BAD;
		*sql = (size_t)(c - m) + 2;
		return MSG_EVENT;
	}
	return MSG_OTHER;
}

/* Is the value "[unknown]" or empty — nothing known? */
static int unknown(const char *v, size_t n)
{
	return n == 0 || (n == 9 && memcmp(v, "[unknown]", 9) == 0);
}

/*
 * The value of "key=" in a prefix: the key at the start or after a
 * non-word character, the value up to ',', ' ', ']', ')' or '('.
 */
static int prefix_value(const char *s, size_t n, const char *key, size_t kn,
			const char **v, size_t *vn)
{
	for (size_t i = 0; i + kn < n; i++) {
		if (s[i] != key[0] || (i > 0 && is_word(s[i - 1])) || memcmp(s + i, key, kn) != 0)
			continue;
		size_t b = i + kn, e = b;
		while (e < n && !memchr(", ]()", s[e], 5))
			e++;
		if (unknown(s + b, e - b))
			return 0;
		*v = s + b;
		*vn = e - b;
		return 1;
	}
	return 0;
}

/*
 * What a stderr prefix s[0, n) tells: the time at its start (or after a
 * leading "word="), the pid ("[12345]", else "pid=12345", else the first
 * number of "[12345-1]"), user=, db=, client= or host=, or a "user@db"
 * word just before the severity (Debian's '%m [%p] %q%u@%d ').
 */
static void parse_prefix(const char *s, size_t n, struct dg_query *q)
{
	size_t i = 0;
	if (n > 0 && s[0] == '[')
		i = 1;
	while (i < n && i < 16 && is_alpha(s[i]))
		i++;
	if (i >= n || s[i] != '=')
		i = n > 0 && s[0] == '[' ? 1 : 0;
	else
		i++;
	int64_t us;
	if (parse_pg_time(s + i, n - i, &us))
		q->ts_us = us;

	uint64_t pid = 0;
	int have = 0;
	for (int pass = 0; pass < 2 && !have; pass++) {
		for (size_t k = 0; k < n && !have; k++) {
			if (s[k] != '[')
				continue;
			size_t d = k + 1, e = d;
			uint64_t v = 0;
			while (e < n && lex_is_digit(s[e]) && e - d < 18)
				v = v * 10 + (uint64_t)(s[e++] - '0');
			if (e > d && e < n && (s[e] == ']' || (pass == 1 && s[e] == '-'))) {
				pid = v;
				have = 1;
			}
		}
		if (pass == 0 && !have) {
			const char *v;
			size_t vn;
			if (prefix_value(s, n, LIT("pid="), &v, &vn)) {
				for (size_t k = 0; k < vn && k < 18 && lex_is_digit(v[k]); k++) {
					pid = pid * 10 + (uint64_t)(v[k] - '0');
					have = 1;
				}
			}
		}
	}
	q->conn_id = pid;

	const char *v;
	size_t vn;
	if (prefix_value(s, n, LIT("user="), &v, &vn)) {
		q->user = v;
		q->user_len = vn;
	}
	if (prefix_value(s, n, LIT("db="), &v, &vn)) {
		q->db = v;
		q->db_len = vn;
	}
	if (prefix_value(s, n, LIT("client="), &v, &vn) ||
	    prefix_value(s, n, LIT("host="), &v, &vn)) {
		q->host = v;
		q->host_len = vn;
	}
	if (!q->user && !q->db) {
		size_t e = lex_rtrim(s, n), b = e;
		while (b > 0 && !lex_is_space(s[b - 1]))
			b--;
		const char *at = memchr(s + b, '@', e - b);
		if (at && s[b] != '[' && !memchr(s + b, '=', e - b)) {
			size_t a = (size_t)(at - s);
			if (!unknown(s + b, a - b)) {
				q->user = s + b;
				q->user_len = a - b;
			}
			if (!unknown(s + a + 1, e - a - 1)) {
				q->db = s + a + 1;
				q->db_len = e - a - 1;
			}
		}
	}
}

/* Room for n bytes in the scratch buffer; 0, or -1 when out of memory. */
static int reserve(struct pglog *r, size_t n)
{
	if (n <= r->scratch_cap)
		return 0;
	size_t cap = r->scratch_cap ? r->scratch_cap : 4096;
	while (cap < n) {
		if (cap > ((size_t)-1) / 2)
			return -1;
		cap *= 2;
	}
	char *p = realloc(r->scratch, cap);
	if (!p)
		return -1;
	r->scratch = p;
	r->scratch_cap = cap;
	return 0;
}

static void empty_query(struct dg_query *q)
{
	memset(q, 0, sizeof(*q));
	q->ts_us = -1;
	q->query_time_s = -1;
	q->lock_time_s = -1;
	q->rows_sent = -1;
	q->rows_examined = -1;
	q->bytes_sent = -1;
}

/* Statement text: no trailing blanks, no final ';'. */
static size_t trim_sql(const char *s, size_t n)
{
	n = lex_rtrim(s, n);
	if (n > 0 && s[n - 1] == ';')
		n = lex_rtrim(s, n - 1);
	return n;
}

/* The stderr message being read. */
struct pending {
	int open, multi, nl;
	size_t start, sql_off, sql_end;
	struct dg_query q;
};

/*
 * Hand out a stderr statement. One that spans lines is copied without the
 * tab PostgreSQL put after each of its newlines.
 */
static int finish_stderr(struct pglog *r, struct pending *p, struct dg_query *ev)
{
	p->open = 0;
	if (!p->nl) {
		r->garbled++;
		return 0;
	}
	const char *s = r->buf + p->sql_off;
	size_t n = p->sql_end > p->sql_off ? p->sql_end - p->sql_off : 0;
	if (p->multi && n > 0) {
		if (reserve(r, n) < 0) {
			r->garbled++;
			return 0;
		}
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			r->scratch[o++] = s[i];
			if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\t')
				i++;
		}
		s = r->scratch;
		n = o;
	}
	n = trim_sql(s, n);
	if (n == 0) {
		r->garbled++;
		return 0;
	}
	*ev = p->q;
	ev->sql = s;
	ev->sql_len = n;
	r->last_start = p->start;
	return 1;
}

static int next_stderr(struct pglog *r, struct dg_query *ev)
{
	struct pending p;
	p.open = 0;
	while (r->pos < r->len) {
		size_t off = r->pos;
		const char *s = r->buf + off;
		const char *nl = memchr(s, '\n', r->len - off);
		size_t n = nl ? (size_t)(nl - s) : r->len - off;
		size_t next = nl ? off + n + 1 : r->len;
		struct sev sv;
		int entry = n > 0 && s[0] != '\t' && find_severity(s, n, &sv);

		if (entry && p.open) {
			if (finish_stderr(r, &p, ev))
				return 1;
			continue;
		}
		r->pos = next;
		if (!entry) {
			if (p.open) {
				size_t t = lex_rtrim(s, n);
				if (t > 0)
					p.sql_end = off + t;
				p.multi = 1;
				p.nl = nl != NULL;
			}
			continue;
		}
		if (sv.wlen != 3 || memcmp(s + sv.word, "LOG", 3) != 0)
			continue;
		double dur;
		size_t at;
		const char *m = s + sv.msg;
		size_t mn = n - sv.msg;
		int k = parse_message(m, mn, &dur, &at);
		if (k == MSG_BAD) {
			r->garbled++;
			continue;
		}
		if (k != MSG_EVENT)
			continue;
		memset(&p, 0, sizeof(p));
		empty_query(&p.q);
		p.open = 1;
		p.nl = nl != NULL;
		p.start = off;
		p.sql_off = off + sv.msg + at;
		p.sql_end = p.sql_off + lex_rtrim(m + at, mn - at);
		p.q.query_time_s = dur;
		parse_prefix(s, sv.word, &p.q);
	}
	if (p.open)
		return finish_stderr(r, &p, ev);
	return 0;
}

/* A csv field as it stands in the buffer. */
struct field {
	size_t off, len;
	int esc;             /* quoted, with "" inside */
};

#define CSV_KEEP 14          /* log_time .. message */

enum { CSV_OK, CSV_BROKEN, CSV_EOF_QUOTE };

/*
 * Scan the csv record at pos: its first CSV_KEEP fields into f, their
 * count (all of them) into *nf, the offset after its newline into *end and
 * whether it had one into *nl.
 */
static int csv_record(const char *buf, size_t len, size_t pos, struct field *f, size_t *nf,
		      size_t *end, int *nl)
{
	size_t i = pos, k = 0;
	*nl = 0;
	for (;;) {
		struct field fl = {i, 0, 0};
		if (i < len && buf[i] == '"') {
			size_t q = i + 1;
			for (;;) {
				const char *c = memchr(buf + q, '"', len - q);
				if (!c)
					return CSV_EOF_QUOTE;
				size_t j = (size_t)(c - buf);
				if (j + 1 < len && buf[j + 1] == '"') {
					fl.esc = 1;
					q = j + 2;
					continue;
				}
				fl.off = i + 1;
				fl.len = j - i - 1;
				i = j + 1;
				break;
			}
		} else {
			while (i < len && buf[i] != ',' && buf[i] != '\n' &&
			       !(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
				i++;
			fl.len = i - fl.off;
		}
		if (k < CSV_KEEP)
			f[k] = fl;
		k++;
		if (i >= len) {
			*end = len;
			break;
		}
		if (buf[i] == ',') {
			i++;
			continue;
		}
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		if (buf[i] != '\n') {
			*end = i;
			return CSV_BROKEN;
		}
		*end = i + 1;
		*nl = 1;
		break;
	}
	*nf = k;
	return CSV_OK;
}

/* Copy a "" -escaped field into dst without the doubling; returns its length. */
static size_t unescape(const char *s, size_t n, char *dst)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		dst[o++] = s[i];
		if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
			i++;
	}
	return o;
}

/*
 * The text of the fields kept from a record: pointers into the buffer, or
 * into the scratch buffer for fields with "" in them. Returns -1 if the
 * scratch buffer cannot grow.
 */
static int csv_texts(struct pglog *r, const struct field *f, const int *which, int count,
		     const char **txt, size_t *tn)
{
	size_t need = 0;
	for (int i = 0; i < count; i++)
		if (f[which[i]].esc)
			need += f[which[i]].len;
	if (need && reserve(r, need) < 0)
		return -1;
	size_t o = 0;
	for (int i = 0; i < count; i++) {
		const struct field *x = &f[which[i]];
		if (x->esc) {
			txt[i] = r->scratch + o;
			tn[i] = unescape(r->buf + x->off, x->len, r->scratch + o);
			o += tn[i];
		} else {
			txt[i] = r->buf + x->off;
			tn[i] = x->len;
		}
	}
	return 0;
}

/* The record at r->pos, when it is a statement: 1 and *ev filled, else 0. */
static int csv_event(struct pglog *r, const struct field *f, struct dg_query *ev)
{
	const struct field *sev = &f[11];
	if (sev->len != 3 || memcmp(r->buf + sev->off, "LOG", 3) != 0)
		return 0;
	static const int which[] = {1, 2, 4, 13}; /* user, database, client, message */
	const char *t[4];
	size_t tn[4];
	double dur;
	size_t at;
	if (csv_texts(r, f, which, 4, t, tn) < 0) {
		r->garbled++;
		return 0;
	}
	int k = parse_message(t[3], tn[3], &dur, &at);
	if (k == MSG_BAD)
		r->garbled++;
	if (k != MSG_EVENT)
		return 0;
	size_t n = trim_sql(t[3] + at, tn[3] - at);
	if (n == 0) {
		r->garbled++;
		return 0;
	}
	empty_query(ev);
	ev->sql = t[3] + at;
	ev->sql_len = n;
	ev->query_time_s = dur;
	if (tn[0]) {
		ev->user = t[0];
		ev->user_len = tn[0];
	}
	if (tn[1]) {
		ev->db = t[1];
		ev->db_len = tn[1];
	}
	size_t hn = tn[2];
	if (hn) {
		/* "10.0.0.5:47746" -> "10.0.0.5"; "[local]" stays */
		size_t c = hn;
		while (c > 0 && lex_is_digit(t[2][c - 1]))
			c--;
		if (c > 0 && c < hn && t[2][c - 1] == ':')
			hn = c - 1;
		ev->host = t[2];
		ev->host_len = hn;
	}
	int64_t us;
	if (parse_pg_time(r->buf + f[0].off, f[0].len, &us))
		ev->ts_us = us;
	uint64_t pid = 0;
	for (size_t i = 0; i < f[3].len && i < 18 && lex_is_digit(r->buf[f[3].off + i]); i++)
		pid = pid * 10 + (uint64_t)(r->buf[f[3].off + i] - '0');
	ev->conn_id = pid;
	return 1;
}

/*
 * Record by record. Lines that do not start a record are skipped (and
 * counted once per run); a record that breaks — a stray quote, the end of
 * the buffer inside quotes or before its newline — is counted, and reading
 * goes on at the next line that starts a record.
 */
static int next_csv(struct pglog *r, struct dg_query *ev)
{
	while (r->pos < r->len) {
		size_t off = r->pos;
		const char *s = r->buf + off;
		const char *nl = memchr(s, '\n', r->len - off);
		size_t n = nl ? (size_t)(nl - s) : r->len - off;
		size_t next = nl ? off + n + 1 : r->len;
		if (!pglog_is_csv_start(s, n)) {
			if (lex_rtrim(s, n) > 0 && !r->stray) {
				r->garbled++;
				r->stray = 1;
			}
			r->pos = next;
			continue;
		}
		r->stray = 0;
		struct field f[CSV_KEEP];
		size_t nf = 0, end = next;
		int has_nl = 0;
		int k = csv_record(r->buf, r->len, off, f, &nf, &end, &has_nl);
		if (k != CSV_OK || !has_nl || nf < CSV_KEEP) {
			r->garbled++;
			if (k == CSV_OK && has_nl) {
				r->pos = end;
			} else {
				r->pos = next;
				r->stray = 1; /* the rest of the broken record */
			}
			continue;
		}
		r->pos = end;
		if (csv_event(r, f, ev)) {
			r->last_start = off;
			return 1;
		}
	}
	return 0;
}

void pglog_init(struct pglog *r, const char *buf, size_t len, enum dg_format fmt)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->fmt = fmt;
}

void pglog_free(struct pglog *r)
{
	free(r->scratch);
	r->scratch = NULL;
	r->scratch_cap = 0;
}

int pglog_next(struct pglog *r, struct dg_query *ev)
{
	if (r->fmt == DG_PG_CSV)
		return next_csv(r, ev);
	return next_stderr(r, ev);
}

static int entry_line(const char *s, size_t n, void *arg)
{
	return *(const enum dg_format *)arg == DG_PG_CSV ? pglog_is_csv_start(s, n) : pglog_is_entry(s, n);
}

size_t pglog_sync(const char *buf, size_t len, size_t from, enum dg_format fmt)
{
	return lex_sync_lines(buf, len, from, entry_line, &fmt);
}
