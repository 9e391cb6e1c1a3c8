/*
 * slowlog: the MySQL / MariaDB / Percona Server slow query log, read in
 * place.
 *
 * The shapes it knows (all seen in real logs):
 *
 *   # Time: 2026-11-24T10:00:00.123456Z            MySQL 5.7+, UTC or ±hh:mm
 *   # Time: 261124 10:00:00 / 261124  9:00:00      MySQL 5.1-5.6, MariaDB
 *   # User@Host: app[app] @ localhost [127.0.0.1]  Id:    12
 *   # Thread_id: 12  Schema: shop  QC_hit: No      MariaDB
 *   # Schema: shop  Last_errno: 0  Killed: 0       Percona
 *   # Query_time: 0.000123  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 1
 *   # Rows_affected: 0  Bytes_sent: 110            and any other "Key: value"
 *   use `shop`;                                    only when the db changed
 *   SET timestamp=1700000000;                      always
 *   SELECT ...                                     any number of lines, ends ";"
 *   # administrator command: Quit;                 instead of a statement
 *
 * and the banner a server writes when it (re)opens the log, which can turn
 * up anywhere in a file that outlived a restart:
 *
 *   /usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
 *   Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
 *   Time                 Id Command    Argument
 *
 * The reader is a small per-line state machine (between events, in the
 * header block, in the "use"/"SET" preamble, in the statement) driven by
 * memchr over the buffer. Only the header lines are looked at closely;
 * statement lines cost a memchr and a glance at their first and last bytes.
 * The server ends every statement with ";\n", which is how a statement that
 * was cut short is told from one that was not.
 */
#include "slowlog.h"
#include "lex.h"
#include "../core/clock.h"

#include <string.h>

#define LIT(s) (s), (sizeof(s) - 1)

/* Does s[0, n) start with the n2 bytes of p? */
static int starts(const char *s, size_t n, const char *p, size_t n2)
{
	return n >= n2 && memcmp(s, p, n2) == 0;
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || lex_is_digit(c) || c == '_';
}

static int is_blank(const char *s, size_t n)
{
	return lex_rtrim(s, n) == 0;
}

/*
 * Parse all of s[0, n) as an unsigned decimal integer. Returns 0, or -1
 * for an empty field, a stray character or a value over INT64_MAX.
 */
static int parse_int(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > 18)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!lex_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int64_t civil_us(int y, int mo, int d, int h, int mi, int sec)
{
	int64_t days = clock_days_from_civil(y, mo, d);
	return ((days * 24 + h) * 60 + mi) * INT64_C(60000000) + (int64_t)sec * 1000000;
}

int slowlog_parse_time(const char *s, size_t n, int64_t *out)
{
	n = lex_rtrim(s, n);
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	int y, mo, d, h, mi, sec;
	size_t i;
	if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ')) {
		y = lex_digits(s, n, 0, 4);
		mo = lex_digits(s, n, 5, 2);
		d = lex_digits(s, n, 8, 2);
		h = lex_digits(s, n, 11, 2);
		mi = lex_digits(s, n, 14, 2);
		sec = lex_digits(s, n, 17, 2);
		if (s[13] != ':' || s[16] != ':')
			return -1;
		i = 19;
	} else {
		int ymd = lex_digits(s, n, 0, 6);
		if (ymd < 0 || n < 13 || s[6] != ' ')
			return -1;
		i = 7;
		if (s[i] == ' ')
			i++;
		size_t hl = (i + 1 < n && s[i + 1] == ':') ? 1 : 2;
		h = lex_digits(s, n, i, hl);
		i += hl;
		if (i >= n || s[i] != ':')
			return -1;
		mi = lex_digits(s, n, i + 1, 2);
		if (i + 3 >= n || s[i + 3] != ':')
			return -1;
		sec = lex_digits(s, n, i + 4, 2);
		i += 6;
		y = ymd / 10000;
		y += y < 70 ? 2000 : 1900;
		mo = ymd / 100 % 100;
		d = ymd % 100;
	}
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return -1;
	int64_t us = civil_us(y, mo, d, h, mi, sec);
	if (i < n && s[i] == '.') {
		int64_t f = 0, scale = 100000;
		size_t j = i + 1;
		while (j < n && lex_is_digit(s[j])) {
			f += (s[j] - '0') * scale;
			scale /= 10;
			j++;
		}
		if (j == i + 1)
			return -1;
		us += f;
		i = j;
	}
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int oh = lex_digits(s, n, i + 1, 2), om;
		size_t j = i + 3;
		if (j < n && s[j] == ':')
			j++;
		om = lex_digits(s, n, j, 2);
		if (oh < 0 || om < 0)
			return -1;
		int64_t off = ((int64_t)oh * 60 + om) * INT64_C(60000000);
		us += s[i] == '+' ? -off : off;
		i = j + 2;
	}
	if (i != n)
		return -1;
	*out = us;
	return 0;
}

/* Cheap tests first: this runs on every statement line. */
int slowlog_is_banner(const char *s, size_t n)
{
	n = lex_rtrim(s, n);
	if (n < 8)
		return 0;
	if (s[0] == 'T' || s[0] == 't') {
		if (n >= 9 && (s[1] | 0x20) == 'c' && (s[2] | 0x20) == 'p' && s[3] == ' ' &&
		    (s[4] | 0x20) == 'p' && memcmp(s + 5, "ort:", 4) == 0)
			return 1;
		if (starts(s, n, LIT("Time")) && lex_is_space(s[4])) {
			size_t i = 4;
			while (i < n && lex_is_space(s[i]))
				i++;
			if (!starts(s + i, n - i, LIT("Id")))
				return 0;
			i += 2;
			if (i >= n || !lex_is_space(s[i]))
				return 0;
			while (i < n && lex_is_space(s[i]))
				i++;
			return starts(s + i, n - i, LIT("Command"));
		}
	}
	if ((n >= 13 && memcmp(s + n - 13, "started with:", 13) == 0) ||
	    (n >= 16 && memcmp(s + n - 16, "embedded library", 16) == 0))
		return memmem(s, n, LIT(", Version: ")) != NULL;
	return 0;
}

/* Where an event can start: see the comment in slowlog.h. */
static int is_time_line(const char *s, size_t n)
{
	return starts(s, n, LIT("# Time:"));
}

static int is_start(const char *s, size_t n, int prev_time)
{
	if (n < 7 || s[0] != '#')
		return 0;
	return is_time_line(s, n) || (!prev_time && starts(s, n, LIT("# User@Host:")));
}

/* The event being read, before it is known to be whole. */
struct pending {
	struct dg_query q;
	size_t start;
	int bad;              /* a header field would not parse */
	int have_time, have_set, have_schema;
	int64_t time_us, set_us;
	const char *schema;
	size_t schema_len;
	size_t sql_off, sql_end; /* the statement's lines so far */
	int semi;             /* its last non-blank line ends with ';' */
};

static void pending_start(struct pending *p, size_t off)
{
	memset(p, 0, sizeof(*p));
	p->start = off;
	p->q.ts_us = -1;
	p->q.query_time_s = -1;
	p->q.lock_time_s = -1;
	p->q.rows_sent = -1;
	p->q.rows_examined = -1;
	p->q.bytes_sent = -1;
}

/*
 * One "Key: value" pair of a header line. Only the fields the digest uses
 * are read; a number that does not parse marks the event bad. Everything
 * else (Rows_affected, QC_hit, Errno, Start, ...) is ignored.
 */
static void header_field(struct pending *p, const char *k, size_t kn, const char *v, size_t vn)
{
	int64_t iv;
	switch (kn) {
	case 2:
		if (memcmp(k, "Id", 2) == 0) {
			if (parse_int(v, vn, &iv) < 0)
				p->bad = 1;
			else
				p->q.conn_id = (uint64_t)iv;
		}
		break;
	case 6:
		if (memcmp(k, "Schema", 6) == 0) {
			p->have_schema = 1;
			p->schema = v;
			p->schema_len = vn;
		}
		break;
	case 9:
		if (memcmp(k, "Rows_sent", 9) == 0 && parse_int(v, vn, &p->q.rows_sent) < 0)
			p->bad = 1;
		else if (memcmp(k, "Lock_time", 9) == 0 && lex_parse_dec(v, vn, 0, &p->q.lock_time_s, NULL) < 0)
			p->bad = 1;
		else if (memcmp(k, "Thread_id", 9) == 0) {
			if (parse_int(v, vn, &iv) < 0)
				p->bad = 1;
			else
				p->q.conn_id = (uint64_t)iv;
		}
		break;
	case 10:
		if (memcmp(k, "Query_time", 10) == 0 && lex_parse_dec(v, vn, 0, &p->q.query_time_s, NULL) < 0)
			p->bad = 1;
		else if (memcmp(k, "Bytes_sent", 10) == 0 && parse_int(v, vn, &p->q.bytes_sent) < 0)
			p->bad = 1;
		break;
	case 13:
		if (memcmp(k, "Rows_examined", 13) == 0 &&
		    parse_int(v, vn, &p->q.rows_examined) < 0)
			p->bad = 1;
		break;
	}
}

/*
 * Walk a header line's "Key: value" pairs. A key is a word followed by ':'
 * and white space (or the end); its value is the next run of non-blanks,
 * unless that run is itself a key — MariaDB writes "Schema:   QC_hit: No"
 * for a connection with no database.
 */
static void header_fields(struct pending *p, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (!is_word(s[i])) {
			i++;
			continue;
		}
		size_t k = i;
		while (i < n && is_word(s[i]))
			i++;
		size_t kn = i - k;
		if (i >= n || s[i] != ':' || (i + 1 < n && !lex_is_space(s[i + 1]))) {
			while (i < n && !lex_is_space(s[i]))
				i++;
			continue;
		}
		i++;
		while (i < n && lex_is_space(s[i]))
			i++;
		size_t v = i;
		while (i < n && !lex_is_space(s[i]))
			i++;
		size_t vn = i - v;
		if (vn > 1 && s[i - 1] == ':' && is_word(s[v])) {
			int key = 1;
			for (size_t j = v; j < i - 1; j++)
				key &= is_word(s[j]);
			if (key) {
				i = v; /* an empty value; read the next key from here */
				vn = 0;
			}
		}
		header_field(p, s + k, kn, s + v, vn);
	}
}

/*
 * "# User@Host: user[priv] @ host [ip]  Id: N". The user is the part before
 * '[' (or inside the brackets when there is nothing before them, as for
 * "[SQL_SLAVE]"); the host is the name, or the address when the server
 * resolves no names. Whatever follows the address goes to header_fields.
 */
static void user_host(struct pending *p, const char *s, size_t n)
{
	size_t i = sizeof("# User@Host:") - 1;
	while (i < n && s[i] == ' ')
		i++;
	size_t u = i;
	const char *at = memmem(s + i, n - i, LIT(" @ "));
	size_t end = at ? (size_t)(at - s) : n;
	const char *br = memchr(s + u, '[', end - u);
	size_t ue = br ? (size_t)(br - s) : end;
	if (ue == u && br) {
		const char *cb = memchr(s + u, ']', end - u);
		u++;
		ue = cb ? (size_t)(cb - s) : end;
	}
	ue = u + lex_rtrim(s + u, ue - u);
	if (ue > u) {
		p->q.user = s + u;
		p->q.user_len = ue - u;
	}
	if (!at)
		return;
	i = end + 3;
	while (i < n && s[i] == ' ')
		i++;
	size_t h = i;
	while (i < n && !lex_is_space(s[i]) && s[i] != '[')
		i++;
	size_t he = i;
	while (i < n && s[i] == ' ')
		i++;
	size_t ip = 0, ipe = 0;
	if (i < n && s[i] == '[') {
		const char *cb = memchr(s + i, ']', n - i);
		if (cb) {
			ip = i + 1;
			ipe = (size_t)(cb - s);
			i = ipe + 1;
		}
	}
	if (he > h) {
		p->q.host = s + h;
		p->q.host_len = he - h;
	} else if (ipe > ip) {
		p->q.host = s + ip;
		p->q.host_len = ipe - ip;
	}
	header_fields(p, s + i, n - i);
}

/* A header line ('#' first) of the event being read. */
static void header_line(struct slowlog *r, struct pending *p, const char *s, size_t n)
{
	if (is_time_line(s, n)) {
		int64_t us;
		if (slowlog_parse_time(s + 7, n - 7, &us) < 0) {
			p->bad = 1;
			return;
		}
		p->have_time = 1;
		p->time_us = us;
		r->last_time_us = us;
	} else if (starts(s, n, LIT("# User@Host:"))) {
		user_host(p, s, n);
	} else {
		header_fields(p, s, n);
	}
}

/* "use db;" (the name may be in backquotes). Returns 1 if the line is one. */
static int use_line(struct slowlog *r, const char *s, size_t n)
{
	n = lex_rtrim(s, n);
	if (n < 6 || memcmp(s, "use ", 4) != 0 || s[n - 1] != ';')
		return 0;
	size_t i = 4, e = n - 1;
	while (i < e && s[i] == ' ')
		i++;
	e = i + lex_rtrim(s + i, e - i);
	if (e - i >= 2 && s[i] == '`' && s[e - 1] == '`') {
		i++;
		e--;
	}
	if (e <= i)
		return 0;
	r->db = s + i;
	r->db_len = e - i;
	return 1;
}

/*
 * "SET timestamp=N;" or "SET last_insert_id=N,insert_id=N,timestamp=N;" as
 * the server writes them ahead of a statement; any other SET is a statement.
 * Returns 2 if the line has a timestamp (the preamble is then over), 1 for
 * a preamble line without one, 0 if the line is not preamble.
 */
static int set_line(struct pending *p, const char *s, size_t n)
{
	n = lex_rtrim(s, n);
	if (n < 6 || memcmp(s, "SET ", 4) != 0 || s[n - 1] != ';')
		return 0;
	size_t i = 4, end = n - 1;
	int has_ts = 0;
	int64_t ts = 0;
	while (i < end) {
		size_t k = i;
		while (i < end && (is_word(s[i])))
			i++;
		size_t kn = i - k;
		if (i >= end || s[i] != '=')
			return 0;
		i++;
		size_t v = i;
		while (i < end && s[i] != ',')
			i++;
		size_t vn = i - v;
		if (i < end)
			i++;
		if (kn == 9 && memcmp(s + k, "timestamp", 9) == 0) {
			double d;
			if (lex_parse_dec(s + v, vn, 0, &d, NULL) < 0 || d > 32503680000.0) /* year 3000 */
				return 0;
			ts = (int64_t)(d * 1e6 + 0.5);
			has_ts = 1;
		} else if (!((kn == 9 && memcmp(s + k, "insert_id", 9) == 0) ||
			     (kn == 14 && memcmp(s + k, "last_insert_id", 14) == 0))) {
			return 0;
		}
	}
	if (has_ts) {
		p->have_set = 1;
		p->set_us = ts;
		return 2;
	}
	return 1;
}

enum { S_SEEK, S_HEAD, S_PRE, S_SQL };

/* Finish the event: 1 if it is whole and was stored in *ev, 0 if garbled. */
static int finish(struct slowlog *r, struct pending *p, struct dg_query *ev)
{
	if (p->bad || p->sql_end <= p->sql_off || !p->semi) {
		r->garbled++;
		return 0;
	}
	const char *s = r->buf + p->sql_off;
	size_t n = lex_rtrim(s, p->sql_end - p->sql_off);
	if (n > 0 && s[n - 1] == ';')
		n = lex_rtrim(s, n - 1);
	if (n == 0) {
		r->garbled++;
		return 0;
	}
	*ev = p->q;
	ev->sql = s;
	ev->sql_len = n;
	if (p->have_schema) {
		ev->db = p->schema_len ? p->schema : NULL;
		ev->db_len = p->schema_len;
	} else {
		ev->db = r->db;
		ev->db_len = r->db_len;
	}
	ev->ts_us = p->have_time ? p->time_us : p->have_set ? p->set_us : r->last_time_us;
	r->last_start = p->start;
	return 1;
}

void slowlog_init(struct slowlog *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->last_time_us = -1;
}

/*
 * The state machine. Each turn takes the line at r->pos; a line that ends
 * the current event and starts the next (a header, a banner) is left in
 * place for the next call, which then begins with it.
 */
int slowlog_next(struct slowlog *r, struct dg_query *ev)
{
	struct pending p;
	int st = S_SEEK;
	pending_start(&p, 0);
	while (r->pos < r->len) {
		size_t off = r->pos;
		const char *s = r->buf + off;
		const char *nl = memchr(s, '\n', r->len - off);
		size_t n = nl ? (size_t)(nl - s) : r->len - off;
		size_t next = nl ? off + n + 1 : r->len;
		int start = is_start(s, n, r->prev_time);

		if (st == S_SQL) {
			int end = start || (s[0] == '#' && p.semi) ||
				  (s[0] != '#' && slowlog_is_banner(s, n));
			if (end) {
				if (finish(r, &p, ev))
					return 1;
				st = S_SEEK;
				continue; /* look at this line again, between events */
			}
			size_t t = lex_rtrim(s, n);
			if (t > 0) {
				p.semi = s[t - 1] == ';';
				p.sql_end = off + t;
			}
			goto consumed;
		}
		if (start) {
			if (st != S_SEEK)
				r->garbled++; /* headers, and no statement under them */
			pending_start(&p, off);
			r->stray = 0;
			st = S_HEAD;
			header_line(r, &p, s, n);
			goto consumed;
		}
		if (st == S_SEEK) {
			if (!is_blank(s, n) && !slowlog_is_banner(s, n) && !r->stray) {
				r->garbled++;
				r->stray = 1;
			}
			goto consumed;
		}
		/* S_HEAD or S_PRE */
		if (s[0] == '#' && starts(s, n, LIT("# administrator command:"))) {
			size_t t = lex_rtrim(s, n);
			p.sql_off = off + 2;
			p.sql_end = off + t;
			p.semi = t > 0 && s[t - 1] == ';';
			p.q.admin = 1;
			r->pos = next;
			r->prev_time = 0;
			int ok = finish(r, &p, ev);
			st = S_SEEK;
			r->stray = 1; /* anything after it and before a header is its own */
			if (ok)
				return 1;
			continue;
		}
		if (slowlog_is_banner(s, n)) {
			r->garbled++;
			st = S_SEEK;
			goto consumed;
		}
		if (st == S_HEAD && s[0] == '#') {
			header_line(r, &p, s, n);
			goto consumed;
		}
		if (is_blank(s, n))
			goto consumed;
		if (st == S_HEAD && use_line(r, s, n)) {
			st = S_PRE;
			goto consumed;
		}
		if (!p.have_set) {
			int k = set_line(&p, s, n);
			if (k) {
				st = S_PRE;
				goto consumed;
			}
		}
		/* the statement's first line */
		{
			size_t t = lex_rtrim(s, n);
			st = S_SQL;
			p.sql_off = off;
			p.sql_end = off + t;
			p.semi = t > 0 && s[t - 1] == ';';
		}
consumed:
		r->prev_time = start && is_time_line(s, n);
		r->pos = next;
	}
	if (st == S_SQL)
		return finish(r, &p, ev);
	if (st != S_SEEK)
		r->garbled++;
	return 0;
}

size_t slowlog_sync(const char *buf, size_t len, size_t from)
{
	size_t pos = lex_line_at_or_after(buf, len, from);
	if (pos >= len)
		return len;
	/* Was the line before pos a "# Time:" line? */
	int prev_time = 0;
	if (pos > 0) {
		const char *nl = memrchr(buf, '\n', pos - 1);
		size_t b = nl ? (size_t)(nl - buf) + 1 : 0;
		prev_time = is_time_line(buf + b, pos - 1 - b);
	}
	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		if (is_start(s, n, prev_time))
			return pos;
		prev_time = 0;
		pos = nl ? pos + n + 1 : len;
	}
	return len;
}
