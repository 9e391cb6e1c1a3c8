/*
 * genlog: the MySQL / MariaDB general query log, read in place.
 *
 * An entry line is "<time>\t<id> <Command>\t<argument>", where <time> is a
 * MySQL log time (see slowlog_parse_time) or, in the old format, empty with
 * the line starting "\t\t" when the second has not changed; <id> is padded
 * with spaces. Anything else — not an entry, not a server banner — is a
 * further line of the entry above it (a multi-line statement). The test for
 * an entry needs the line alone, which is what makes genlog_sync possible.
 */
#include "genlog.h"
#include "lex.h"
#include "../core/clock.h"

#include <string.h>

#include "slowlog.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* One entry line, taken apart. */
struct entry {
	int has_ts;
	int64_t ts_us;
	uint64_t id;
	const char *cmd;
	size_t cmd_len;
	size_t arg;          /* offset of the argument in the line */
};

/*
 * Take s[0, n) apart as an entry line. Returns 1 if it is one. The command
 * is one or more words of letters ("Query", "Init DB", "Close stmt")
 * followed by a tab or the end of the line.
 */
static int parse_entry(const char *s, size_t n, struct entry *e)
{
	size_t i;
	e->has_ts = 0;
	if (n >= 2 && s[0] == '\t' && s[1] == '\t') {
		i = 2;
	} else {
		if (n < 14 || !lex_is_digit(s[0]))
			return 0;
		const char *tab = memchr(s, '\t', n < 40 ? n : 40);
		if (!tab || slowlog_parse_time(s, (size_t)(tab - s), &e->ts_us) < 0)
			return 0;
		e->has_ts = 1;
		i = (size_t)(tab - s) + 1;
	}
	while (i < n && s[i] == ' ')
		i++;
	size_t d = i;
	uint64_t id = 0;
	while (i < n && lex_is_digit(s[i]) && i - d < 19)
		id = id * 10 + (uint64_t)(s[i++] - '0');
	if (i == d || i >= n || s[i] != ' ')
		return 0;
	i++;
	size_t c = i;
	if (i >= n || s[i] < 'A' || s[i] > 'Z')
		return 0;
	while (i < n && s[i] != '\t' && s[i] != '\r') {
		char ch = s[i];
		int word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		if (!word && ch != ' ' && ch != '_')
			return 0;
		if (i - c > 24)
			return 0;
		i++;
	}
	e->id = id;
	e->cmd = s + c;
	e->cmd_len = lex_rtrim(s + c, i - c);
	e->arg = i < n ? i + 1 : n;
	return 1;
}

int genlog_is_entry(const char *s, size_t n)
{
	struct entry e;
	return parse_entry(s, n, &e);
}

static int cmd_is(const struct entry *e, const char *name, size_t len)
{
	return e->cmd_len == len && memcmp(e->cmd, name, len) == 0;
}

/* The table slot for connection id, claimed for it if claim is set. */
static struct genlog_conn *conn_slot(struct genlog *r, uint64_t id, int claim)
{
	struct genlog_conn *c = &r->conns[id % GENLOG_CONNS];
	if (c->key == id + 1)
		return c;
	if (!claim)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->key = id + 1;
	return c;
}

static uint32_t clamp32(size_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/*
 * "user@host on db using Socket" (Connect, Change user): remember who the
 * connection is. Older servers omit " using ..."; a failed login logs some
 * other text, which leaves the connection unknown.
 */
static void conn_connect(struct genlog *r, uint64_t id, const char *s, size_t n)
{
	struct genlog_conn *c = conn_slot(r, id, 1);
	c->db = c->user = c->host = NULL;
	c->db_len = c->user_len = c->host_len = 0;
	const char *at = memchr(s, '@', n);
	if (!at || at == s || memchr(s, ' ', (size_t)(at - s)))
		return;
	const char *h = at + 1;
	const char *on = memmem(h, n - (size_t)(h - s), LIT(" on "));
	if (!on)
		return;
	c->user = s;
	c->user_len = clamp32((size_t)(at - s));
	if (on > h) {
		c->host = h;
		c->host_len = clamp32((size_t)(on - h));
	}
	const char *d = on + 4;
	size_t rest = n - (size_t)(d - s);
	const char *using = memmem(d, rest, LIT(" using "));
	size_t dn = using ? (size_t)(using - d) : lex_rtrim(d, rest);
	while (dn > 0 && *d == ' ') {
		d++;
		dn--;
	}
	dn = lex_rtrim(d, dn);
	if (dn > 0) {
		c->db = d;
		c->db_len = clamp32(dn);
	}
}

/* Set the connection's database to s[0, n), backquotes and blanks dropped. */
static void conn_db(struct genlog *r, uint64_t id, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '`')) {
		s++;
		n--;
	}
	n = lex_rtrim(s, n);
	if (n > 0 && s[n - 1] == ';')
		n = lex_rtrim(s, n - 1);
	if (n > 0 && s[n - 1] == '`')
		n--;
	struct genlog_conn *c = conn_slot(r, id, 1);
	c->db = n ? s : NULL;
	c->db_len = clamp32(n);
}

/* A "use db" statement also changes the connection's database. */
static void maybe_use(struct genlog *r, uint64_t id, const char *s, size_t n)
{
	if (n > 4 && (s[0] | 0x20) == 'u' && (s[1] | 0x20) == 's' && (s[2] | 0x20) == 'e' &&
	    (s[3] == ' ' || s[3] == '`') && !memchr(s, '\n', n))
		conn_db(r, id, s + 3, n - 3);
}

void genlog_init(struct genlog *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->last_ts_us = -1;
}

/* The Query or Execute entry being read. */
struct pending {
	int open;
	int nl;              /* its last line ended with a newline */
	size_t start, sql_off, sql_end;
	struct dg_query q;
};

static int finish(struct genlog *r, struct pending *p, struct dg_query *ev)
{
	p->open = 0;
	const char *s = r->buf + p->sql_off;
	size_t n = lex_rtrim(s, p->sql_end - p->sql_off);
	if (n > 0 && s[n - 1] == ';')
		n = lex_rtrim(s, n - 1);
	if (n == 0 || !p->nl) {
		r->garbled++;
		return 0;
	}
	*ev = p->q;
	ev->sql = s;
	ev->sql_len = n;
	maybe_use(r, ev->conn_id, s, n);
	struct genlog_conn *c = conn_slot(r, ev->conn_id, 0);
	if (c) {
		ev->db = c->db;
		ev->db_len = c->db_len;
		ev->user = c->user;
		ev->user_len = c->user_len;
		ev->host = c->host;
		ev->host_len = c->host_len;
	}
	r->last_start = p->start;
	return 1;
}

/*
 * Line by line: an entry line ends the statement being read (left in place
 * for the next call when one is returned) and starts the next entry; other
 * lines extend the statement, or are skipped after entries that are not
 * statements.
 */
int genlog_next(struct genlog *r, struct dg_query *ev)
{
	struct pending p;
	p.open = 0;
	int other = 0; /* inside an entry that is not a statement */
	while (r->pos < r->len) {
		size_t off = r->pos;
		const char *s = r->buf + off;
		const char *nl = memchr(s, '\n', r->len - off);
		size_t n = nl ? (size_t)(nl - s) : r->len - off;
		size_t next = nl ? off + n + 1 : r->len;
		struct entry e;
		int is_entry = parse_entry(s, n, &e);
		int banner = !is_entry && slowlog_is_banner(s, n);

		if ((is_entry || banner) && p.open) {
			if (finish(r, &p, ev))
				return 1;
			continue;
		}
		r->pos = next;
		if (banner) {
			/* the server restarted: its connection ids start again */
			memset(r->conns, 0, sizeof(r->conns));
			other = 0;
			continue;
		}
		if (!is_entry) {
			if (p.open) {
				size_t t = lex_rtrim(s, n);
				if (t > 0)
					p.sql_end = off + t;
				p.nl = nl != NULL;
			} else if (!other && !r->stray && lex_rtrim(s, n) > 0) {
				r->garbled++;
				r->stray = 1;
			}
			continue;
		}
		r->stray = 0;
		other = 1;
		if (e.has_ts)
			r->last_ts_us = e.ts_us;
		const char *arg = s + e.arg;
		size_t an = n - e.arg;
		if (cmd_is(&e, LIT("Query")) || cmd_is(&e, LIT("Execute"))) {
			memset(&p, 0, sizeof(p));
			p.open = 1;
			p.nl = nl != NULL;
			p.start = off;
			p.sql_off = off + e.arg;
			p.sql_end = off + e.arg + lex_rtrim(arg, an);
			p.q.ts_us = r->last_ts_us;
			p.q.conn_id = e.id;
			p.q.query_time_s = -1;
			p.q.lock_time_s = -1;
			p.q.rows_sent = -1;
			p.q.rows_examined = -1;
			p.q.bytes_sent = -1;
			other = 0;
		} else if (cmd_is(&e, LIT("Connect")) || cmd_is(&e, LIT("Change user"))) {
			conn_connect(r, e.id, arg, lex_rtrim(arg, an));
		} else if (cmd_is(&e, LIT("Init DB"))) {
			conn_db(r, e.id, arg, an);
		} else if (cmd_is(&e, LIT("Quit"))) {
			struct genlog_conn *c = conn_slot(r, e.id, 0);
			if (c)
				c->key = 0;
		}
	}
	if (p.open)
		return finish(r, &p, ev);
	return 0;
}

static int entry_line(const char *s, size_t n, void *arg)
{
	(void)arg;
	return genlog_is_entry(s, n);
}

size_t genlog_sync(const char *buf, size_t len, size_t from)
{
	return lex_sync_lines(buf, len, from, entry_line, NULL);
}
