/*
 * test_readers: the digest's log readers against logs of every shape they
 * claim — real ones taken from MariaDB 10.11, PostgreSQL 15 and nginx, and
 * crafted ones in the exact header shapes of MySQL 5.6, 5.7, 8.0 and Percona
 * Server — checking every field of chosen events, what is stripped from a
 * statement, what is counted as garbled, that events point into the buffer,
 * that a file split at any byte by *_sync reads back as the same events,
 * and format detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest/accesslog.h"
#include "digest/detect.h"
#include "digest/genlog.h"
#include "digest/pglog.h"
#include "digest/slowlog.h"

/* 2026-11-24T10:00:00Z */
#define T0 INT64_C(1795514400000000)
#define SEC INT64_C(1000000)

/* ---- fixtures ---- */

struct file {
	char *data;
	size_t len;
};

/*
 * Read tests/fixtures/logs/NAME: from the working directory (the tests run
 * from the top of the tree), else relative to this source file.
 */
static struct file load(const char *name)
{
	char path[4096];
	const char *dirs[] = {"tests/fixtures/logs", NULL};
	char here[4096];
	snprintf(here, sizeof(here), "%s", __FILE__);
	char *slash = strrchr(here, '/');
	if (slash) {
		*slash = '\0';
		strncat(here, "/../fixtures/logs", sizeof(here) - strlen(here) - 1);
		dirs[1] = here;
	}
	for (int i = 0; i < 2 && dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		struct file r = {NULL, 0};
		size_t cap = 0;
		for (;;) {
			if (r.len == cap) {
				cap = cap ? cap * 2 : 65536;
				r.data = realloc(r.data, cap);
				assert_non_null(r.data);
			}
			size_t n = fread(r.data + r.len, 1, cap - r.len, f);
			if (n == 0)
				break;
			r.len += n;
		}
		fclose(f);
		return r;
	}
	fail_msg("fixture %s not found", name);
	struct file none = {NULL, 0};
	return none;
}

/* ---- checks ---- */

#define assert_span(p, n, want)                                                      \
	do {                                                                         \
		const char *w_ = (want);                                             \
		if (!w_) {                                                           \
			assert_null(p);                                              \
			break;                                                       \
		}                                                                    \
		assert_non_null(p);                                                  \
		char *g_ = strndup((p), (n));                                        \
		assert_string_equal(g_, w_);                                         \
		free(g_);                                                            \
		assert_int_equal((n), strlen(w_));                                   \
	} while (0)

#define assert_double(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-12)

static int inside(const char *buf, size_t len, const char *p, size_t n)
{
	return !p || (p >= buf && n <= len && p - buf <= (ptrdiff_t)(len - n));
}

static void query_inside(const char *buf, size_t len, const struct dg_query *q)
{
	assert_true(inside(buf, len, q->sql, q->sql_len));
	assert_true(inside(buf, len, q->db, q->db_len));
	assert_true(inside(buf, len, q->user, q->user_len));
	assert_true(inside(buf, len, q->host, q->host_len));
}

/* Everything an event says except what it inherits from earlier events. */
struct rec {
	struct dg_query q;
	char *sql;           /* a copy: pglog's scratch text lives one call only */
	size_t start;
	int zero_copy;       /* q.sql pointed into the buffer */
};

enum kind { K_SLOW, K_GEN, K_PG, K_CSV };

static int64_t last_garbled;

/*
 * Read buf[0, len) with one reader; the events go to a new array (*out,
 * their count returned), each checked to point into the buffer unless the
 * reader had to rewrite it.
 */
static size_t read_queries(enum kind k, const char *buf, size_t len, struct rec **out)
{
	size_t n = 0, cap = 16;
	struct rec *v = calloc(cap, sizeof(*v));
	struct slowlog sr;
	struct genlog *gr = calloc(1, sizeof(*gr));
	struct pglog pr;
	struct dg_query q;
	assert_non_null(v);
	assert_non_null(gr);
	if (k == K_SLOW)
		slowlog_init(&sr, buf, len);
	else if (k == K_GEN)
		genlog_init(gr, buf, len);
	else
		pglog_init(&pr, buf, len, k == K_PG ? DG_PG_STDERR : DG_PG_CSV);
	for (;;) {
		int got;
		size_t start;
		if (k == K_SLOW) {
			got = slowlog_next(&sr, &q);
			start = sr.last_start;
		} else if (k == K_GEN) {
			got = genlog_next(gr, &q);
			start = gr->last_start;
		} else {
			got = pglog_next(&pr, &q);
			start = pr.last_start;
		}
		if (!got)
			break;
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			assert_non_null(v);
		}
		int zc = inside(buf, len, q.sql, q.sql_len);
		if (k == K_SLOW || k == K_GEN)
			assert_true(zc);
		assert_true(inside(buf, len, q.db, q.db_len) || k == K_CSV);
		assert_true(inside(buf, len, q.user, q.user_len) || k == K_CSV);
		assert_true(inside(buf, len, q.host, q.host_len) || k == K_CSV);
		assert_true(q.sql_len > 0);
		assert_true(start < len);
		v[n].q = q;
		v[n].sql = strndup(q.sql, q.sql_len);
		v[n].start = start;
		v[n].zero_copy = zc;
		n++;
	}
	if (k == K_SLOW)
		last_garbled = sr.garbled;
	else if (k == K_GEN)
		last_garbled = gr->garbled;
	else {
		last_garbled = pr.garbled;
		pglog_free(&pr);
	}
	free(gr);
	*out = v;
	return n;
}

static void free_recs(struct rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].sql);
	free(v);
}

/* Two readings of the same event agree (inherited db/time aside unless asked). */
static void same_event(const struct rec *a, const struct rec *b, int ts_too)
{
	assert_string_equal(a->sql, b->sql);
	assert_int_equal(a->q.sql_len, b->q.sql_len);
	if (a->zero_copy)
		assert_ptr_equal(a->q.sql, b->q.sql);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->q.conn_id, b->q.conn_id);
	assert_double(a->q.query_time_s, b->q.query_time_s);
	assert_double(a->q.lock_time_s, b->q.lock_time_s);
	assert_int_equal(a->q.rows_sent, b->q.rows_sent);
	assert_int_equal(a->q.rows_examined, b->q.rows_examined);
	assert_int_equal(a->q.bytes_sent, b->q.bytes_sent);
	assert_int_equal(a->q.admin, b->q.admin);
	if (ts_too)
		assert_int_equal(a->q.ts_us, b->q.ts_us);
}

typedef size_t (*sync_fn)(const char *buf, size_t len, size_t from, enum dg_format fmt);

static size_t sync_slow(const char *buf, size_t len, size_t from, enum dg_format fmt)
{
	(void)fmt;
	return slowlog_sync(buf, len, from);
}

static size_t sync_gen(const char *buf, size_t len, size_t from, enum dg_format fmt)
{
	(void)fmt;
	return genlog_sync(buf, len, from);
}

/*
 * Split the file at every byte offset k as two threads would: the first
 * reads [0, sync(k)), the second [sync(k), len). The second must read
 * exactly the events of a whole-file reading that start at or after sync(k)
 * (and no event may start in [k, sync(k))); the first exactly the others.
 */
static void check_sync_everywhere(enum kind k, const char *name, int ts_too)
{
	struct file f = load(name);
	struct rec *all;
	size_t n = read_queries(k, f.data, f.len, &all);
	assert_true(n > 0);
	sync_fn sync = k == K_SLOW ? sync_slow : k == K_GEN ? sync_gen : pglog_sync;
	enum dg_format fmt = k == K_CSV ? DG_PG_CSV : DG_PG_STDERR;
	for (size_t at = 0; at <= f.len; at++) {
		size_t s = sync(f.data, f.len, at, fmt);
		assert_true(s >= at && s <= f.len);
		assert_true(s == f.len || s == 0 || f.data[s - 1] == '\n');
		size_t first = 0;
		while (first < n && all[first].start < at)
			first++;
		if (first < n)
			assert_true(all[first].start >= s);

		struct rec *tail, *head;
		size_t nt = read_queries(k, f.data + s, f.len - s, &tail);
		size_t nh = read_queries(k, f.data, s, &head);
		assert_int_equal(nh + nt, n);
		for (size_t i = 0; i < nt; i++) {
			tail[i].start += s;
			same_event(&all[first + i], &tail[i], ts_too);
		}
		for (size_t i = 0; i < nh; i++)
			same_event(&all[i], &head[i], 1);
		free_recs(tail, nt);
		free_recs(head, nh);
	}
	free_recs(all, n);
	free(f.data);
}

/* ---- MySQL slow log ---- */

static void test_slow_mysql57(void **state)
{
	(void)state;
	struct file f = load("mysql57-slow.log");
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 4);
	assert_int_equal(last_garbled, 0);

	/* the banner is skipped; the event starts at its "# Time:" */
	assert_int_equal(e[0].start, (size_t)(strstr(f.data, "# Time:") - f.data));
	assert_span(e[0].sql, e[0].q.sql_len, "SELECT * FROM users WHERE id = 1");
	assert_span(e[0].q.db, e[0].q.db_len, "shop");
	assert_span(e[0].q.user, e[0].q.user_len, "app");
	assert_span(e[0].q.host, e[0].q.host_len, "localhost");
	assert_int_equal(e[0].q.ts_us, T0 + 123456);
	assert_int_equal(e[0].q.conn_id, 12);
	assert_double(e[0].q.query_time_s, 0.000123);
	assert_double(e[0].q.lock_time_s, 0.000010);
	assert_int_equal(e[0].q.rows_sent, 1);
	assert_int_equal(e[0].q.rows_examined, 1);
	assert_int_equal(e[0].q.bytes_sent, -1);
	assert_int_equal(e[0].q.admin, 0);
	assert_true(e[0].q.query_time_s == 0.000123); /* exactly the double strtod gives */

	/* multi-line: one span of the buffer; its own # Time beats SET timestamp */
	assert_span(e[1].sql, e[1].q.sql_len,
		    "SELECT p.id, p.name,\n       g.title\n  FROM profiles p\n"
		    "  JOIN groups g ON g.id = p.group_id\n WHERE p.name LIKE '%test%'\n"
		    " ORDER BY p.id");
	assert_int_equal(e[1].q.ts_us, T0 + 1500000);
	assert_span(e[1].q.db, e[1].q.db_len, "shop"); /* no "use": the last one holds */
	assert_double(e[1].q.query_time_s, 2.503117);
	assert_double(e[1].q.lock_time_s, 0.000211);
	assert_int_equal(e[1].q.rows_sent, 20);
	assert_int_equal(e[1].q.rows_examined, 48210);

	/* use `db`; a ';' inside the statement stays */
	assert_span(e[2].sql, e[2].q.sql_len, "INSERT INTO hits (path) VALUES ('/a;b')");
	assert_span(e[2].q.db, e[2].q.db_len, "analytics");
	assert_span(e[2].q.user, e[2].q.user_len, "report");
	assert_span(e[2].q.host, e[2].q.host_len, "web-1.internal");
	assert_int_equal(e[2].q.conn_id, 31);
	assert_int_equal(e[2].q.ts_us, T0 + 2 * SEC + 1);

	/* administrator command */
	assert_span(e[3].sql, e[3].q.sql_len, "administrator command: Quit");
	assert_int_equal(e[3].q.admin, 1);
	assert_int_equal(e[3].q.conn_id, 12);
	assert_double(e[3].q.query_time_s, 0.000005);
	assert_int_equal(e[3].q.ts_us, T0 + 3 * SEC);
	free_recs(e, n);
	free(f.data);
}

static void test_slow_mysql80(void **state)
{
	(void)state;
	struct file f = load("mysql80-slow.log");
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 3);
	assert_int_equal(last_garbled, 0);

	/* log_timestamps=SYSTEM: "+01:00"; log_slow_extra fields */
	assert_span(e[0].sql, e[0].q.sql_len, "select @@version_comment limit 1");
	assert_int_equal(e[0].q.ts_us, T0 + 250000);
	assert_int_equal(e[0].q.conn_id, 8);
	assert_int_equal(e[0].q.bytes_sent, 56);
	assert_double(e[0].q.query_time_s, 0.000213);
	assert_double(e[0].q.lock_time_s, 0.000003);
	assert_span(e[0].q.user, e[0].q.user_len, "root");
	assert_span(e[0].q.host, e[0].q.host_len, "localhost");

	assert_span(e[1].sql, e[1].q.sql_len,
		    "UPDATE orders\nSET status = 'shipped'\n"
		    "WHERE created_at < NOW() - INTERVAL 1 DAY");
	assert_int_equal(e[1].q.ts_us, T0 + 5 * SEC);
	assert_int_equal(e[1].q.rows_examined, 500000);
	assert_int_equal(e[1].q.bytes_sent, 11);
	assert_double(e[1].q.query_time_s, 4.000131);

	/* after a restart banner; no host name, only the address; "  ;  " trimmed */
	assert_span(e[2].sql, e[2].q.sql_len, "SELECT * FROM orders WHERE customer_id = 77");
	assert_span(e[2].q.host, e[2].q.host_len, "10.1.2.3");
	assert_span(e[2].q.user, e[2].q.user_len, "app");
	assert_int_equal(e[2].q.conn_id, 9);
	assert_int_equal(e[2].q.ts_us, T0 + 600 * SEC);
	assert_int_equal(e[2].q.rows_sent, 3);
	assert_int_equal(e[2].q.bytes_sent, 420);
	assert_span(e[2].q.db, e[2].q.db_len, "shop");
	free_recs(e, n);
	free(f.data);
}

static void test_slow_mysql56(void **state)
{
	(void)state;
	struct file f = load("mysql56-slow.log");
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 4);
	assert_int_equal(last_garbled, 0);
	/* "# Time: 261124  9:05:01": old form, hour padded with a space */
	assert_span(e[0].sql, e[0].q.sql_len, "SELECT SLEEP(1)");
	assert_int_equal(e[0].q.ts_us, T0 - 3299 * SEC);
	assert_double(e[0].q.query_time_s, 1.0);
	assert_int_equal(e[0].q.conn_id, 5);
	/* no # Time of its own: SET timestamp gives the time */
	assert_span(e[1].sql, e[1].q.sql_len, "SELECT name FROM products WHERE id IN (1, 2, 3)");
	assert_int_equal(e[1].q.ts_us, T0 - 3298 * SEC);
	assert_span(e[1].q.db, e[1].q.db_len, "shop");
	assert_int_equal(e[1].q.conn_id, 6);
	/* no Id; integer times; SET last_insert_id=..,insert_id=..,timestamp=.. */
	assert_span(e[2].sql, e[2].q.sql_len, "DELETE FROM sessions WHERE expires < 1795514400");
	assert_int_equal(e[2].q.conn_id, 0);
	assert_double(e[2].q.query_time_s, 3.0);
	assert_double(e[2].q.lock_time_s, 0.0);
	assert_int_equal(e[2].q.rows_examined, 100);
	assert_int_equal(e[2].q.ts_us, T0);
	assert_span(e[2].q.user, e[2].q.user_len, "batch");
	/* neither # Time nor SET timestamp: the last # Time */
	assert_span(e[3].sql, e[3].q.sql_len, "INSERT INTO audit VALUES (1)");
	assert_int_equal(e[3].q.ts_us, T0);
	assert_span(e[3].q.db, e[3].q.db_len, "shop");
	free_recs(e, n);
	free(f.data);
}

static void test_slow_mariadb(void **state)
{
	(void)state;
	struct file f = load("mariadb-slow.log"); /* a real MariaDB 10.11 log */
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 23);
	assert_int_equal(last_garbled, 0);
	int64_t t1 = T0 + (4 * 3600 + 50 * 60 + 57) * SEC; /* 261124 14:50:57 */

	/* "# Thread_id: 3  Schema:   QC_hit: No": no database */
	assert_span(e[0].sql, e[0].q.sql_len, "create database shop");
	assert_null(e[0].q.db);
	assert_int_equal(e[0].q.conn_id, 3);
	assert_span(e[0].q.user, e[0].q.user_len, "root");
	assert_span(e[0].q.host, e[0].q.host_len, "localhost");
	assert_double(e[0].q.query_time_s, 0.000449);
	assert_double(e[0].q.lock_time_s, 0.0);
	assert_int_equal(e[0].q.rows_sent, 0);
	assert_int_equal(e[0].q.rows_examined, 0);
	assert_int_equal(e[0].q.bytes_sent, 11);
	assert_int_equal(e[0].q.ts_us, t1);

	assert_span(e[3].sql, e[3].q.sql_len, "select * from t where id=1");
	assert_span(e[3].q.db, e[3].q.db_len, "shop");
	assert_int_equal(e[3].q.conn_id, 4);
	assert_int_equal(e[3].q.bytes_sent, 110);

	assert_span(e[4].sql, e[4].q.sql_len, "select\n  name\nfrom t\nwhere id = 2");
	assert_double(e[4].q.query_time_s, 0.000053);
	assert_double(e[4].q.lock_time_s, 0.000025);
	assert_int_equal(e[4].q.ts_us, t1);

	assert_span(e[8].sql, e[8].q.sql_len, "select 'it''s'");
	/* log_slow_verbosity=query_plan,explain: "# explain:" lines in the header */
	assert_span(e[10].sql, e[10].q.sql_len, "select count(*) from t");
	assert_int_equal(e[10].q.conn_id, 7);
	assert_int_equal(e[10].q.rows_examined, 2);
	assert_int_equal(e[10].q.bytes_sent, 65);
	/* TCP client: the address in [] */
	assert_span(e[20].sql, e[20].q.sql_len, "select 1");
	assert_span(e[20].q.host, e[20].q.host_len, "localhost");
	/* after the restart banner in mid-file */
	assert_span(e[21].sql, e[21].q.sql_len, "select name   \n from t");
	assert_int_equal(e[21].q.ts_us, t1 + 17 * SEC);
	assert_span(e[21].q.db, e[21].q.db_len, "shop");
	/* Schema: empty wins over the "use `shop`" printed before */
	assert_span(e[22].sql, e[22].q.sql_len, "select 2");
	assert_null(e[22].q.db);
	assert_int_equal(e[22].q.conn_id, 4);
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(e[i].sql, "SET timestamp"));
		assert_null(strstr(e[i].sql, "use `"));
		assert_true(e[i].sql[e[i].q.sql_len - 1] != ';');
	}
	free_recs(e, n);
	free(f.data);
}

static void test_slow_percona(void **state)
{
	(void)state;
	struct file f = load("percona-slow.log");
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 3);
	assert_int_equal(last_garbled, 0);
	assert_span(e[0].sql, e[0].q.sql_len, "SELECT * FROM cart WHERE user_id = 5");
	assert_span(e[0].q.db, e[0].q.db_len, "shop");
	assert_int_equal(e[0].q.bytes_sent, 1234);
	assert_int_equal(e[0].q.rows_sent, 10);
	assert_int_equal(e[0].q.rows_examined, 200);
	assert_int_equal(e[0].q.conn_id, 42);
	assert_int_equal(e[0].q.ts_us, T0 + 100);
	assert_span(e[1].sql, e[1].q.sql_len, "administrator command: Ping");
	assert_int_equal(e[1].q.admin, 1);
	assert_null(e[1].q.db); /* "# Schema:   Last_errno: 0" */
	assert_int_equal(e[1].q.ts_us, T0 + 200);
	/* "[SQL_SLAVE] @  []": the user in brackets, no host at all */
	assert_span(e[2].q.user, e[2].q.user_len, "SQL_SLAVE");
	assert_null(e[2].q.host);
	assert_int_equal(e[2].q.conn_id, 3);
	assert_span(e[2].sql, e[2].q.sql_len, "UPDATE cart SET qty = 2 WHERE id = 9");
	free_recs(e, n);
	free(f.data);
}

static void test_slow_garbled(void **state)
{
	(void)state;
	struct file f = load("slow-garbled.log");
	struct rec *e;
	size_t n = read_queries(K_SLOW, f.data, f.len, &e);
	/*
	 * Counted: the stray tail of a query at the top (a copytruncate'd
	 * log), a Query_time of "0.1x0000", headers with no statement, an
	 * hour of 25, Rows_sent "NaN", a statement cut off by the next
	 * header, and one cut off by the end of the file.
	 */
	assert_int_equal(last_garbled, 7);
	assert_int_equal(n, 3);
	assert_span(e[0].sql, e[0].q.sql_len, "SELECT 1");
	assert_span(e[1].sql, e[1].q.sql_len, "SELECT 2");
	assert_int_equal(e[1].q.conn_id, 2);
	assert_int_equal(e[1].q.ts_us, T0 + 3 * SEC);
	assert_span(e[2].sql, e[2].q.sql_len, "SELECT 4");
	assert_int_equal(e[2].q.conn_id, 5);
	assert_double(e[2].q.query_time_s, 0.6);
	free_recs(e, n);
	free(f.data);

	f = load("slow-truncated.log");
	n = read_queries(K_SLOW, f.data, f.len, &e);
	assert_int_equal(n, 1);
	assert_int_equal(last_garbled, 1);
	free_recs(e, n);
	free(f.data);
}

#define HEAD3 "# Time: 2026-11-24T10:00:00Z\n# User@Host: a[a] @ h [1.2.3.4]  Id: 1\n" \
	      "# Query_time: 0.5  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n"

static size_t slow_count(const char *s, int64_t *garbled, struct dg_query *last)
{
	struct slowlog r;
	struct dg_query q;
	size_t n = 0;
	slowlog_init(&r, s, strlen(s));
	while (slowlog_next(&r, &q)) {
		query_inside(s, strlen(s), &q);
		*last = q;
		n++;
	}
	*garbled = r.garbled;
	return n;
}

/* The end of the buffer: no newline is fine when the ';' is there. */
static void test_slow_end_of_buffer(void **state)
{
	(void)state;
	int64_t g;
	struct dg_query q;
	assert_int_equal(slow_count(HEAD3 "SET timestamp=1;\nSELECT 1;", &g, &q), 1);
	assert_int_equal(g, 0);
	assert_span(q.sql, q.sql_len, "SELECT 1");
	assert_int_equal(q.ts_us, T0);
	assert_int_equal(slow_count(HEAD3 "SELECT 1;  \t", &g, &q), 1);
	assert_int_equal(g, 0);
	assert_int_equal(slow_count(HEAD3 "SELECT 1", &g, &q), 0);
	assert_int_equal(g, 1);
	assert_int_equal(slow_count(HEAD3 "SET timestamp=1;", &g, &q), 0);
	assert_int_equal(g, 1);
	assert_int_equal(slow_count(HEAD3, &g, &q), 0);
	assert_int_equal(g, 1);
	assert_int_equal(slow_count("", &g, &q), 0);
	assert_int_equal(g, 0);
	assert_int_equal(slow_count("\n\n   \n", &g, &q), 0);
	assert_int_equal(g, 0);
	/* a statement ending in ';' on a line with its last words */
	assert_int_equal(slow_count(HEAD3 "SELECT a\nFROM t;\n\n", &g, &q), 1);
	assert_span(q.sql, q.sql_len, "SELECT a\nFROM t");
	/* a '#' line inside a statement is statement, after a ';' line it is not */
	assert_int_equal(slow_count(HEAD3 "SELECT a -- x\n# note\nFROM t;\n", &g, &q), 1);
	assert_span(q.sql, q.sql_len, "SELECT a -- x\n# note\nFROM t");
	/* Windows line ends */
	assert_int_equal(slow_count("# Time: 2026-11-24T10:00:00Z\r\n# User@Host: a[a] @ h []\r\n"
				    "# Query_time: 0.25  Lock_time: 0 "
				    "Rows_sent: 2  Rows_examined: 3\r\n"
				    "use db1;\r\nSET timestamp=1;\r\nSELECT 2;\r\n",
				    &g, &q),
			 1);
	assert_int_equal(g, 0);
	assert_span(q.sql, q.sql_len, "SELECT 2");
	assert_span(q.db, q.db_len, "db1");
	assert_int_equal(q.rows_examined, 3);
	/* a client's own "SET timestamp" / "use" after the server's preamble is the statement */
	assert_int_equal(slow_count(HEAD3 "SET timestamp=1;\nSET timestamp=5;\n", &g, &q), 1);
	assert_span(q.sql, q.sql_len, "SET timestamp=5");
	assert_int_equal(q.ts_us, T0);
	assert_int_equal(slow_count(HEAD3 "SET timestamp=1;\nuse other;\n", &g, &q), 1);
	assert_span(q.sql, q.sql_len, "use other");
	assert_null(q.db);
	/* "SET NAMES" is a statement, not preamble */
	assert_int_equal(slow_count(HEAD3 "SET NAMES utf8mb4;\n", &g, &q), 1);
	assert_span(q.sql, q.sql_len, "SET NAMES utf8mb4");
	/* a banner in the middle of a statement ends it, cut short */
	assert_int_equal(slow_count(HEAD3 "SELECT 1\nTcp port: 3306  Unix socket: /x\n", &g, &q), 0);
	assert_int_equal(g, 1);
	/* a bad # Time is garbled; the old form with fractions and a bad date too */
	assert_int_equal(slow_count("# Time: 2026-11-24X10:00:00Z\n# User@Host: a[a] @ h []\n"
				    "# Query_time: 1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n"
				    "SELECT 1;\n",
				    &g, &q),
			 0);
	assert_int_equal(g, 1);
	assert_int_equal(slow_count("# Time: 261324 10:00:00\n# User@Host: a[a] @ h []\n"
				    "# Query_time: 1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n"
				    "SELECT 1;\n",
				    &g, &q),
			 0);
	assert_int_equal(g, 1);
}

static void test_slow_parse_time(void **state)
{
	(void)state;
	int64_t us;
	assert_int_equal(slowlog_parse_time(" 2026-11-24T10:00:00.123456Z ", 29, &us), 0);
	assert_int_equal(us, T0 + 123456);
	assert_int_equal(slowlog_parse_time("2026-11-24T10:00:00Z", 20, &us), 0);
	assert_int_equal(us, T0);
	assert_int_equal(slowlog_parse_time("2026-11-24T12:30:00.5+02:30", 27, &us), 0);
	assert_int_equal(us, T0 + 500000);
	assert_int_equal(slowlog_parse_time("2026-11-24T05:00:00-0500", 24, &us), 0);
	assert_int_equal(us, T0);
	assert_int_equal(slowlog_parse_time("261124 10:00:00", 15, &us), 0);
	assert_int_equal(us, T0);
	assert_int_equal(slowlog_parse_time("261124  9:00:00", 15, &us), 0);
	assert_int_equal(us, T0 - 3600 * SEC);
	assert_int_equal(slowlog_parse_time("991231 23:59:59", 15, &us), 0);
	assert_int_equal(us, INT64_C(946684799) * SEC);
	assert_int_equal(slowlog_parse_time("2026-11-24", 10, &us), -1);
	assert_int_equal(slowlog_parse_time("2026-11-24T10:00:00Q", 20, &us), -1);
	assert_int_equal(slowlog_parse_time("2026-11-24T10:00:00.", 20, &us), -1);
	assert_int_equal(slowlog_parse_time("261124 1:00", 11, &us), -1);
	assert_int_equal(slowlog_parse_time("", 0, &us), -1);
}

static void test_slow_banner(void **state)
{
	(void)state;
	static const char *yes[] = {
		"/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
		"mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:",
		"C:\\Program Files\\MySQL\\bin\\mysqld.exe, Version: 8.0.36 (MySQL). started with:",
		"Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
		"TCP Port: 3306, Named Pipe: MySQL",
		"Time                 Id Command    Argument",
		"Time\t\t    Id Command\tArgument",
	};
	static const char *no[] = {"SELECT 1;", "Time is money", "# Time: 261124 10:00:00",
				   "started with:", "Tcp port", ""};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(slowlog_is_banner(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(slowlog_is_banner(no[i], strlen(no[i])));
}

static void test_slow_sync(void **state)
{
	(void)state;
	check_sync_everywhere(K_SLOW, "mysql57-slow.log", 1);
	check_sync_everywhere(K_SLOW, "mysql80-slow.log", 1);
	check_sync_everywhere(K_SLOW, "mysql56-slow.log", 0);
	check_sync_everywhere(K_SLOW, "mariadb-slow.log", 0);
	check_sync_everywhere(K_SLOW, "percona-slow.log", 1);
	check_sync_everywhere(K_SLOW, "slow-garbled.log", 1);

	/* "# User@Host:" under "# Time:" is not a start; on its own it is */
	const char *s = HEAD3 "SELECT 1;\n# User@Host: b[b] @ h []\n"
			      "# Query_time: 1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\n"
			      "SELECT 2;\n";
	size_t len = strlen(s);
	size_t uh1 = (size_t)(strstr(s, "# User@Host") - s);
	size_t uh2 = (size_t)(strstr(s, "# User@Host: b") - s);
	assert_int_equal(slowlog_sync(s, len, 0), 0);
	assert_int_equal(slowlog_sync(s, len, 1), uh2);
	assert_int_equal(slowlog_sync(s, len, uh1), uh2);
	assert_int_equal(slowlog_sync(s, len, uh2), uh2);
	assert_int_equal(slowlog_sync(s, len, uh2 + 1), len);
	assert_int_equal(slowlog_sync(s, len, len + 5), len);
}

/* ---- MySQL general log ---- */

static void test_gen_mysql80(void **state)
{
	(void)state;
	struct file f = load("mysql80-general.log");
	struct rec *e;
	size_t n = read_queries(K_GEN, f.data, f.len, &e);
	assert_int_equal(n, 7);
	/* an empty Query, and a last one with no newline (cut short?) */
	assert_int_equal(last_garbled, 2);
	for (size_t i = 0; i < n; i++) {
		assert_double(e[i].q.query_time_s, -1);
		assert_int_equal(e[i].q.rows_sent, -1);
		assert_int_equal(e[i].q.admin, 0);
	}
	/* Connect "app@localhost on shop using TCP/IP" */
	assert_span(e[0].sql, e[0].q.sql_len, "SET NAMES utf8mb4");
	const char *first = strstr(f.data, "2026-11-24T10:00:00.000200Z");
	assert_int_equal(e[0].start, (size_t)(first - f.data));
	assert_int_equal(e[0].q.ts_us, T0 + 200);
	assert_int_equal(e[0].q.conn_id, 8);
	assert_span(e[0].q.db, e[0].q.db_len, "shop");
	assert_span(e[0].q.user, e[0].q.user_len, "app");
	assert_span(e[0].q.host, e[0].q.host_len, "localhost");
	assert_span(e[1].sql, e[1].q.sql_len, "SELECT * FROM users WHERE id = 1");
	/* Connect with no db, then Init DB; a statement on three lines, ';' stripped */
	assert_span(e[2].sql, e[2].q.sql_len,
		    "SELECT COUNT(*)\nFROM hits\n\tWHERE day = CURDATE()");
	assert_int_equal(e[2].q.conn_id, 9);
	assert_span(e[2].q.db, e[2].q.db_len, "analytics");
	assert_span(e[2].q.user, e[2].q.user_len, "report");
	assert_span(e[2].q.host, e[2].q.host_len, "10.0.0.7");
	assert_int_equal(e[2].q.ts_us, T0 + 600);
	/* Prepare is not an event, Execute is */
	assert_span(e[3].sql, e[3].q.sql_len, "SELECT * FROM orders\nWHERE id = 42");
	assert_int_equal(e[3].q.ts_us, T0 + 800);
	/* after a restart banner: the table is empty, a "use" fills it in */
	assert_span(e[4].sql, e[4].q.sql_len, "use `shop`");
	assert_int_equal(e[4].q.ts_us, T0);
	assert_span(e[4].q.db, e[4].q.db_len, "shop");
	assert_null(e[4].q.user);
	assert_span(e[5].sql, e[5].q.sql_len, "SELECT 1 FROM carts");
	assert_span(e[5].q.db, e[5].q.db_len, "shop");
	assert_int_equal(e[5].q.ts_us, T0 + 100);
	/* after Quit the connection is forgotten */
	assert_span(e[6].sql, e[6].q.sql_len, "SELECT 'after quit'");
	assert_null(e[6].q.db);
	assert_null(e[6].q.user);
	assert_null(e[6].q.host);
	free_recs(e, n);
	free(f.data);
}

static void test_gen_mariadb(void **state)
{
	(void)state;
	struct file f = load("mariadb-general.log"); /* real, the old format */
	struct rec *e;
	size_t n = read_queries(K_GEN, f.data, f.len, &e);
	assert_int_equal(n, 24);
	assert_int_equal(last_garbled, 0);
	int64_t t1 = T0 + (4 * 3600 + 50 * 60 + 57) * SEC;
	assert_span(e[0].sql, e[0].q.sql_len, "create database shop");
	assert_int_equal(e[0].q.conn_id, 3);
	assert_int_equal(e[0].q.ts_us, t1);
	assert_null(e[0].q.db); /* "root@localhost on  using Socket" */
	assert_span(e[0].q.user, e[0].q.user_len, "root");
	assert_span(e[0].q.host, e[0].q.host_len, "localhost");
	/* "\t\t     4 Query\t..." lines share the time above */
	assert_span(e[4].sql, e[4].q.sql_len, "select\n  name\nfrom t\nwhere id = 2");
	assert_int_equal(e[4].q.ts_us, t1);
	assert_span(e[4].q.db, e[4].q.db_len, "shop");
	assert_span(e[6].sql, e[6].q.sql_len, "SELECT DATABASE()");
	assert_null(e[6].q.db);
	assert_span(e[7].sql, e[7].q.sql_len, "update t set name='x' where id=1");
	assert_span(e[7].q.db, e[7].q.db_len, "shop"); /* Init DB */
	assert_span(e[18].sql, e[18].q.sql_len, "execute s using @a");
	assert_span(e[19].sql, e[19].q.sql_len, "select * from t where id=1"); /* Execute */
	assert_int_equal(e[19].q.conn_id, 13);
	assert_int_equal(e[19].q.ts_us, t1 + 7 * SEC);
	assert_span(e[22].sql, e[22].q.sql_len, "select name   \n from t");
	assert_int_equal(e[22].q.ts_us, t1 + 17 * SEC);
	assert_span(e[22].q.db, e[22].q.db_len, "shop");
	assert_span(e[23].sql, e[23].q.sql_len, "select 2");
	assert_null(e[23].q.db);
	free_recs(e, n);
	free(f.data);
}

static void test_gen_entries(void **state)
{
	(void)state;
	static const char *yes[] = {
		"2026-11-24T10:00:00.123456Z\t   12 Query\tSELECT 1",
		"261124 10:00:00\t   12 Query\tselect 1",
		"261124  9:00:00\t1 Connect\troot@localhost on  using Socket",
		"\t\t   12 Init DB\tshop",
		"\t\t   12 Quit\t",
		"\t\t   12 Quit",
	};
	static const char *no[] = {"SELECT 1", "\t\tFROM t", "\t\t   12 query\tx",
				   "2026-11-24T10:00:00Z   12 Query\tSELECT 1", "261124 10:00:00\tx",
				   "\t\t12Query\tx", ""};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(genlog_is_entry(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(genlog_is_entry(no[i], strlen(no[i])));

	/* a stray run before the first entry counts once; the table is bounded */
	struct genlog *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	char *big = malloc(1 << 20);
	assert_non_null(big);
	size_t len = (size_t)snprintf(big, 1 << 20, "junk\nmore junk\n");
	for (int id = 1; id <= 2 * GENLOG_CONNS; id++)
		len += (size_t)snprintf(big + len, (1 << 20) - len,
					"\t\t%d Connect\tu%d@h on db%d using TCP/IP\n", id, id, id);
	for (int id = 1; id <= 2 * GENLOG_CONNS; id++)
		len += (size_t)snprintf(big + len, (1 << 20) - len, "\t\t%d Query\tSELECT %d\n",
					id, id);
	genlog_init(r, big, len);
	struct dg_query q;
	int k = 0;
	while (genlog_next(r, &q)) {
		k++;
		char want[32];
		snprintf(want, sizeof(want), "SELECT %d", k);
		assert_span(q.sql, q.sql_len, want);
		assert_int_equal(q.conn_id, (uint64_t)k);
		assert_int_equal(q.ts_us, -1);
		if (k > GENLOG_CONNS) { /* the later half is still known */
			snprintf(want, sizeof(want), "db%d", k);
			assert_span(q.db, q.db_len, want);
		} else {
			assert_null(q.db);
		}
	}
	assert_int_equal(k, 2 * GENLOG_CONNS);
	assert_int_equal(r->garbled, 1);

	/* Quit forgets the connection */
	const char *s = "\t\t5 Connect\ta@h on d using X\n\t\t5 Query\tSELECT 1\n"
			"\t\t5 Quit\t\n\t\t5 Query\tSELECT 2\n";
	genlog_init(r, s, strlen(s));
	assert_int_equal(genlog_next(r, &q), 1);
	assert_span(q.db, q.db_len, "d");
	assert_span(q.user, q.user_len, "a");
	assert_span(q.host, q.host_len, "h");
	assert_int_equal(genlog_next(r, &q), 1);
	assert_span(q.sql, q.sql_len, "SELECT 2");
	assert_null(q.db);
	assert_null(q.user);
	assert_int_equal(genlog_next(r, &q), 0);
	free(big);
	free(r);
}

static void test_gen_sync(void **state)
{
	(void)state;
	check_sync_everywhere(K_GEN, "mysql80-general.log", 1);
	check_sync_everywhere(K_GEN, "mariadb-general.log", 0);
}

/* ---- PostgreSQL ---- */

static void test_pg_stderr_default(void **state)
{
	(void)state;
	struct file f = load("pg-stderr.log"); /* real: '%m [%p] ', psql and pgbench */
	struct rec *e;
	size_t n = read_queries(K_PG, f.data, f.len, &e);
	/* 36 "statement:" + 14 "execute <unnamed>:"; parse/bind, DETAIL, ERROR skipped */
	assert_int_equal(n, 50);
	assert_int_equal(last_garbled, 0);
	int64_t t = T0 + (4 * 3600 + 51 * 60 + 25) * SEC;
	assert_span(e[0].sql, e[0].q.sql_len, "create table t(id int, name text)");
	assert_int_equal(e[0].q.ts_us, t + 494000);
	assert_int_equal(e[0].q.conn_id, 2109);
	assert_double(e[0].q.query_time_s, 0.00367);
	assert_true(e[0].q.query_time_s == 0.00367);
	assert_double(e[0].q.lock_time_s, -1);
	assert_int_equal(e[0].q.rows_sent, -1);
	assert_int_equal(e[0].q.rows_examined, -1);
	assert_int_equal(e[0].q.bytes_sent, -1);
	assert_null(e[0].q.user);
	assert_null(e[0].q.db);
	assert_null(e[0].q.host);
	assert_true(e[0].zero_copy);
	assert_span(e[1].sql, e[1].q.sql_len, "insert into t values (1,'a'),(2,'it''s')");
	/* three lines, the tabs PostgreSQL added removed */
	assert_span(e[2].sql, e[2].q.sql_len, "select *\nfrom t\nwhere id = 1");
	assert_false(e[2].zero_copy);
	assert_int_equal(e[2].q.conn_id, 2113);
	assert_span(e[3].sql, e[3].q.sql_len,
		    "prepare p(int) as select * from t where id=$1; execute p(2)");
	/* extended protocol: the execute, not the parse or bind */
	assert_span(e[36].sql, e[36].q.sql_len, "BEGIN");
	assert_double(e[36].q.query_time_s, 0.000012);
	assert_span(e[37].sql, e[37].q.sql_len,
		    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2");
	assert_double(e[37].q.query_time_s, 0.000270);
	assert_int_equal(e[37].q.conn_id, 2121);
	free_recs(e, n);
	free(f.data);
}

static void test_pg_stderr_prefixes(void **state)
{
	(void)state;
	/* real: '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' */
	struct file f = load("pg-stderr-prefix.log");
	struct rec *e;
	size_t n = read_queries(K_PG, f.data, f.len, &e);
	assert_int_equal(n, 14);
	assert_int_equal(last_garbled, 0);
	int64_t t = T0 + (4 * 3600 + 51 * 60 + 36) * SEC;
	assert_span(e[0].sql, e[0].q.sql_len, "select 1");
	assert_int_equal(e[0].q.ts_us, t);
	assert_int_equal(e[0].q.conn_id, 2240); /* [2240], not [1-1] */
	assert_span(e[0].q.user, e[0].q.user_len, "postgres");
	assert_span(e[0].q.db, e[0].q.db_len, "postgres");
	assert_span(e[0].q.host, e[0].q.host_len, "127.0.0.1");
	assert_double(e[0].q.query_time_s, 0.000611);
	/* the statement as psql sent it, tab before "2" included */
	assert_span(e[1].sql, e[1].q.sql_len, "select\n  'multi\nline literal',\n\t2");
	/* -M prepared: "execute P_1:" */
	assert_span(e[7].sql, e[7].q.sql_len, "BEGIN");
	assert_span(e[8].sql, e[8].q.sql_len,
		    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2");
	assert_double(e[8].q.query_time_s, 0.000275);
	assert_int_equal(e[8].q.conn_id, 2265);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(e[i].sql, "duration"));
	free_recs(e, n);
	free(f.data);

	/* real: 'time=%t pid=%p ' */
	f = load("pg-stderr-kv.log");
	n = read_queries(K_PG, f.data, f.len, &e);
	assert_int_equal(n, 2);
	assert_int_equal(last_garbled, 0);
	assert_span(e[0].sql, e[0].q.sql_len, "select 1");
	assert_int_equal(e[0].q.conn_id, 2510);
	assert_int_equal(e[0].q.ts_us, T0 + (4 * 3600 + 51 * 60 + 40) * SEC);
	assert_double(e[0].q.query_time_s, 0.000357);
	assert_span(e[1].sql, e[1].q.sql_len, "select 'a\nb'");
	assert_int_equal(e[1].q.conn_id, 2512);
	free_recs(e, n);
	free(f.data);

	/* Debian's '%m [%p] %q%u@%d ', a numeric zone, edge cases */
	f = load("pg-stderr-debian.log");
	n = read_queries(K_PG, f.data, f.len, &e);
	assert_int_equal(n, 4);
	/* "duration: x.5 ms", and the last message without its newline */
	assert_int_equal(last_garbled, 2);
	assert_span(e[0].sql, e[0].q.sql_len, "SELECT * FROM users WHERE id = 1");
	assert_int_equal(e[0].q.ts_us, T0 + 100000); /* 13:00 +03 */
	assert_int_equal(e[0].q.conn_id, 4242);
	assert_span(e[0].q.user, e[0].q.user_len, "app");
	assert_span(e[0].q.db, e[0].q.db_len, "shop");
	assert_null(e[0].q.host);
	assert_true(e[0].q.query_time_s == 0.0125);
	assert_span(e[1].sql, e[1].q.sql_len, "SELECT name\n  FROM products\n WHERE id = $1");
	assert_double(e[1].q.query_time_s, 0.001);
	/* log_statement: no duration */
	assert_span(e[2].sql, e[2].q.sql_len, "UPDATE carts SET qty = 1");
	assert_double(e[2].q.query_time_s, -1);
	assert_int_equal(e[2].q.ts_us, T0 + 600000);
	assert_span(e[3].sql, e[3].q.sql_len, "SELECT 2");
	assert_double(e[3].q.query_time_s, 0.000002);
	free_recs(e, n);
	free(f.data);
}

static void test_pg_stderr_lines(void **state)
{
	(void)state;
	static const char *yes[] = {
		"2026-11-24 10:00:00.123 UTC [12345] LOG:  duration: 0.412 ms  statement: SELECT 1",
		"LOG:  duration: 1 ms",
		"time=2026-11-24 10:00:00 UTC pid=7 ERROR:  x",
		"2026-11-24 10:00:00 UTC [7]: [3-1] user=a,db=b STATEMENT:  SELECT 1",
		"x DEBUG3:  y",
	};
	static const char *no[] = {"\t  FROM t", "SELECT 'LOG: x'", "xLOG:  y", "LOG: one space",
				   "Log:  lower", "", "DEBUG9:  x"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(pglog_is_entry(yes[i], strlen(yes[i])));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(pglog_is_entry(no[i], strlen(no[i])));

	/* no prefix at all (the default before PostgreSQL 10), and lines with none */
	const char *s = "LOG:  duration: 2.000 ms  statement: SELECT a\n"
			"FROM t\n"
			"\tWHERE b\n"
			"pg_ctl: another server might be running\n"
			"LOG:  duration: 0.5 ms  plan:\n"
			"\tQuery Text: SELECT 1\n"
			"[1234] db=x,user=y LOG:  execute fetch from S_1/C_2: SELECT c FROM d\n";
	struct pglog r;
	struct dg_query q;
	pglog_init(&r, s, strlen(s), DG_PG_STDERR);
	assert_int_equal(pglog_next(&r, &q), 1);
	assert_span(q.sql, q.sql_len,
		    "SELECT a\nFROM t\nWHERE b\npg_ctl: another server might be running");
	assert_int_equal(q.ts_us, -1);
	assert_int_equal(q.conn_id, 0);
	assert_int_equal(pglog_next(&r, &q), 1);
	assert_span(q.sql, q.sql_len, "SELECT c FROM d");
	assert_int_equal(q.conn_id, 1234);
	assert_span(q.user, q.user_len, "y");
	assert_span(q.db, q.db_len, "x");
	assert_double(q.query_time_s, -1);
	assert_int_equal(pglog_next(&r, &q), 0);
	assert_int_equal(r.garbled, 0);
	pglog_free(&r);
	pglog_free(&r); /* twice is harmless */
}

static void test_pg_csv(void **state)
{
	(void)state;
	struct file f = load("pg.csv"); /* real csvlog, PostgreSQL 15 */
	struct rec *e;
	size_t n = read_queries(K_CSV, f.data, f.len, &e);
	assert_int_equal(n, 14);
	assert_int_equal(last_garbled, 0);
	int64_t t = T0 + (4 * 3600 + 51 * 60 + 46) * SEC;
	assert_span(e[0].sql, e[0].q.sql_len, "select 1");
	assert_true(e[0].zero_copy);
	assert_int_equal(e[0].q.ts_us, t + 960000);
	assert_int_equal(e[0].q.conn_id, 2597);
	assert_span(e[0].q.user, e[0].q.user_len, "postgres");
	assert_span(e[0].q.db, e[0].q.db_len, "postgres");
	assert_span(e[0].q.host, e[0].q.host_len, "127.0.0.1"); /* port dropped */
	assert_true(inside(f.data, f.len, e[0].q.host, e[0].q.host_len));
	assert_true(e[0].q.query_time_s == 0.000221);
	/* "" unescaped, the newline kept */
	assert_span(e[1].sql, e[1].q.sql_len, "select 'say \"hi\"',\n 2");
	assert_false(e[1].zero_copy);
	assert_int_equal(e[1].q.conn_id, 2599);
	/* the ERROR record in between is not an event */
	assert_span(e[2].sql, e[2].q.sql_len, "select count(*) from pgbench_branches");
	assert_span(e[7].sql, e[7].q.sql_len, "BEGIN");
	assert_double(e[7].q.query_time_s, 0.000015);
	free_recs(e, n);
	free(f.data);

	f = load("pg-edge.csv");
	n = read_queries(K_CSV, f.data, f.len, &e);
	assert_int_equal(n, 4);
	/* "duration: abc", a character after a closing quote, a record of 13
	 * fields, and the end of the file inside a quoted field */
	assert_int_equal(last_garbled, 4);
	assert_span(e[0].sql, e[0].q.sql_len,
		    "SELECT \"Name\", 'a,b'\nFROM \"Users\"\nWHERE id = 1");
	assert_int_equal(e[0].q.ts_us, T0 + 1000);
	assert_int_equal(e[0].q.conn_id, 501);
	assert_span(e[0].q.host, e[0].q.host_len, "10.0.0.9");
	assert_span(e[0].q.user, e[0].q.user_len, "app");
	assert_span(e[0].q.db, e[0].q.db_len, "shop");
	assert_double(e[0].q.query_time_s, 0.0015);
	assert_span(e[1].sql, e[1].q.sql_len, "SELECT 1");
	assert_span(e[1].q.host, e[1].q.host_len, "[local]");
	assert_double(e[1].q.query_time_s, 0.00001);
	assert_span(e[2].sql, e[2].q.sql_len, "SELECT 1");
	/* 22 columns (an older server): still read; no duration */
	assert_span(e[3].sql, e[3].q.sql_len, "SELECT 4");
	assert_double(e[3].q.query_time_s, -1);
	assert_int_equal(e[3].q.conn_id, 503);
	free_recs(e, n);
	free(f.data);

	assert_true(pglog_is_csv_start("2026-11-24 10:00:00.001 UTC,x", 29));
	assert_true(pglog_is_csv_start("2026-11-24 10:00:00 +03,x", 25));
	assert_false(pglog_is_csv_start("2026-11-24 10:00:00.001 UTC [1] LOG:  x", 39));
	assert_false(pglog_is_csv_start("x,2026-11-24 10:00:00", 21));
}

static void test_pg_sync(void **state)
{
	(void)state;
	check_sync_everywhere(K_PG, "pg-stderr-prefix.log", 1);
	check_sync_everywhere(K_PG, "pg-stderr-debian.log", 1);
	check_sync_everywhere(K_CSV, "pg.csv", 1);
	check_sync_everywhere(K_CSV, "pg-edge.csv", 1);
}

/* ---- access logs ---- */

struct hits {
	struct dg_hit h[16];
	size_t start[16];
	size_t n;
	int64_t garbled;
};

static void read_hits(const struct file *f, enum dg_format fmt, struct hits *out)
{
	struct accesslog r;
	accesslog_init(&r, f->data, f->len, fmt);
	out->n = 0;
	struct dg_hit h;
	while (accesslog_next(&r, &h)) {
		assert_true(out->n < 16);
		assert_true(inside(f->data, f->len, h.method, h.method_len));
		assert_true(inside(f->data, f->len, h.path, h.path_len));
		out->start[out->n] = r.last_start;
		out->h[out->n++] = h;
	}
	out->garbled = r.garbled;
}

#define assert_hit(h, m, p, st, by, dur, ts)                                         \
	do {                                                                         \
		assert_span((h).method, (h).method_len, (m));                        \
		assert_span((h).path, (h).path_len, (p));                            \
		assert_int_equal((h).status, (st));                                  \
		assert_int_equal((h).bytes, (by));                                   \
		assert_double((h).duration_s, (dur));                                \
		assert_int_equal((h).ts_us, (ts));                                   \
	} while (0)

static void test_access_nginx(void **state)
{
	(void)state;
	struct hits v;
	struct file f = load("nginx-timed.log");
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 5);
	assert_int_equal(v.garbled, 2); /* a line of prose, a last line with no newline */
	assert_hit(v.h[0], "GET", "/profiles?page=2", 200, 5120, 0.123, T0);
	assert_hit(v.h[1], "POST", "/api/items", 201, 17, 1.5, T0 + SEC); /* 11:00:01 +0100 */
	assert_hit(v.h[2], "GET", "/missing", 404, 0, 0.0, T0 + 2 * SEC);
	assert_hit(v.h[3], NULL, "\\x16\\x03\\x01\\x00", 400, 157, 0.001, T0 + 3 * SEC);
	assert_hit(v.h[4], "HEAD", "/", 200, -1, -1, T0 + 4 * SEC);
	assert_true(v.h[0].duration_s == 0.123);
	free(f.data);

	f = load("nginx-real.log"); /* real nginx, combined + $request_time */
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 6);
	assert_int_equal(v.garbled, 0);
	int64_t t = T0 + (5 * 3600 + 60 + 11) * SEC;
	assert_hit(v.h[0], "GET", "/profiles?page=2&q=a%20b", 200, 6, 0.0, t);
	assert_hit(v.h[3], NULL, "GARBAGE", 400, 157, 0.0, t + 3 * SEC);
	assert_hit(v.h[5], "GET", "/with space", 400, 157, 0.0, t + 3 * SEC);
	free(f.data);
}

static void test_access_variants(void **state)
{
	(void)state;
	struct hits v;
	struct file f = load("apache-D.log"); /* combined + %D, escaped quotes */
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.garbled, 0);
	assert_hit(v.h[0], "GET", "/apache_pb.gif", 200, 2326, 0.123456, T0 + 7 * 3600 * SEC);
	assert_hit(v.h[1], "GET", "/search?q=\\\"x\\\"", 200, 99, 2.5, T0 + (7 * 3600 + 1) * SEC);
	assert_hit(v.h[2], "OPTIONS", "*", 200, -1, 0.0, T0 + (7 * 3600 + 2) * SEC);
	free(f.data);

	f = load("common-time.log");
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.garbled, 0);
	assert_hit(v.h[0], "GET", "/health", 200, 2, 0.004, T0);
	assert_hit(v.h[1], "DELETE", "/api/items/5", 204, -1, 0.031, T0 + SEC);
	assert_hit(v.h[2], "GET", "/health", 200, 2, -1, T0 + 2 * SEC); /* no time logged */
	free(f.data);

	f = load("gunicorn-D.log");
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.garbled, 0);
	assert_hit(v.h[0], "GET", "/profiles", 200, 5120, 0.812345, T0);
	assert_hit(v.h[1], "GET", "/profiles/7", 200, 310, 0.004567, T0 + SEC);
	free(f.data);

	f = load("gunicorn-L.log");
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 2);
	assert_hit(v.h[0], "GET", "/profiles", 200, 5120, 0.812345, T0);
	assert_hit(v.h[1], "POST", "/login", 302, 0, 0.004567, T0 + SEC);
	free(f.data);

	f = load("werkzeug.log");
	read_hits(&f, DG_ACCESS, &v);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.garbled, 2); /* the " * Serving Flask app" lines */
	assert_hit(v.h[0], "GET", "/profiles", 200, -1, -1, T0);
	assert_hit(v.h[1], "GET", "/static/app.css", 304, -1, -1, T0 + SEC);
	free(f.data);

	struct dg_hit h;
	static const char *bad[] = {
		"",
		"host",
		"h - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 20 1",
		"h - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1x",
		"h - - [24/Now/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
		"h - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1 200 1",
		"h - - [24/Nov/2026:10:00:00 +0000 \"GET / HTTP/1.1\" 200 1",
		"h - -[24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(accesslog_parse(bad[i], strlen(bad[i]), &h), 0);
	/* a named last field, and a quoted one that is not a time */
	const char *s = "h - - [24/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 1 rt=0.250";
	assert_int_equal(accesslog_parse(s, strlen(s), &h), 1);
	assert_double(h.duration_s, 0.25);
	s = "h - - [24/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 200 1 \"0.5\"";
	assert_int_equal(accesslog_parse(s, strlen(s), &h), 1);
	assert_double(h.duration_s, -1);
}

static void test_access_slow_lines(void **state)
{
	(void)state;
	struct hits v;
	struct file f = load("slow-lines.log");
	read_hits(&f, DG_SLOW_LINES, &v);
	assert_int_equal(v.n, 4);
	/* "took soon", and the last line cut short; other output is not counted */
	assert_int_equal(v.garbled, 2);
	assert_hit(v.h[0], NULL, "/profiles", 0, -1, 0.62, -1);
	assert_hit(v.h[1], NULL, "/api/search", 0, -1, 1.25, T0 + SEC + 250000);
	assert_hit(v.h[2], NULL, "/report", 0, -1, 12.0, T0 + 2 * SEC - 3600 * SEC);
	assert_hit(v.h[3], NULL, "/export", 0, -1, 0.85, -1);
	free(f.data);

	struct dg_hit h;
	assert_int_equal(accesslog_parse_slow("hello", 5, &h), 0);
	assert_int_equal(accesslog_parse_slow("SLOW: took 1s", 13, &h), -1);
	assert_int_equal(accesslog_parse_slow("SLOW: /x took 1.5", 17, &h), 1);
	assert_double(h.duration_s, 1.5);
	assert_int_equal(accesslog_parse_slow("SLOW: /x took 1.5h", 18, &h), -1);
	assert_int_equal(accesslog_parse_slow("SLOW: /x took 250us", 19, &h), 1);
	assert_double(h.duration_s, 0.00025);
}

static void test_access_sync(void **state)
{
	(void)state;
	struct file f = load("nginx-timed.log");
	struct hits all;
	read_hits(&f, DG_ACCESS, &all);
	for (size_t at = 0; at <= f.len; at++) {
		size_t s = accesslog_sync(f.data, f.len, at);
		assert_true(s >= at && s <= f.len);
		assert_true(s == f.len || s == 0 || f.data[s - 1] == '\n');
		struct file tail = {f.data + s, f.len - s}, head = {f.data, s};
		struct hits t, h;
		read_hits(&tail, DG_ACCESS, &t);
		read_hits(&head, DG_ACCESS, &h);
		assert_int_equal(h.n + t.n, all.n);
		for (size_t i = 0; i < t.n; i++) {
			assert_ptr_equal(t.h[i].path, all.h[h.n + i].path);
			assert_int_equal(t.start[i] + s, all.start[h.n + i]);
			assert_true(all.start[h.n + i] >= at);
		}
		for (size_t i = 0; i < h.n; i++)
			assert_ptr_equal(h.h[i].path, all.h[i].path);
	}
	free(f.data);
}

/* ---- detection ---- */

static void test_detect_files(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		enum dg_format f;
	} cases[] = {
		{"mysql57-slow.log", DG_MYSQL_SLOW},
		{"mysql80-slow.log", DG_MYSQL_SLOW},
		{"mysql56-slow.log", DG_MYSQL_SLOW},
		{"mariadb-slow.log", DG_MYSQL_SLOW},
		{"percona-slow.log", DG_MYSQL_SLOW},
		{"slow-garbled.log", DG_MYSQL_SLOW},
		{"slow-truncated.log", DG_MYSQL_SLOW},
		{"mysql80-general.log", DG_MYSQL_GENERAL},
		{"mariadb-general.log", DG_MYSQL_GENERAL},
		{"pg-stderr.log", DG_PG_STDERR},
		{"pg-stderr-prefix.log", DG_PG_STDERR},
		{"pg-stderr-kv.log", DG_PG_STDERR},
		{"pg-stderr-debian.log", DG_PG_STDERR},
		{"pg.csv", DG_PG_CSV},
		{"pg-edge.csv", DG_PG_CSV},
		{"nginx-timed.log", DG_ACCESS},
		{"nginx-real.log", DG_ACCESS},
		{"apache-D.log", DG_ACCESS},
		{"common-time.log", DG_ACCESS},
		{"gunicorn-D.log", DG_ACCESS},
		{"gunicorn-L.log", DG_ACCESS},
		{"werkzeug.log", DG_ACCESS},
		{"slow-lines.log", DG_SLOW_LINES},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct file f = load(cases[i].file);
		enum dg_format got = detect_format(f.data, f.len);
		if (got != cases[i].f)
			fail_msg("%s: detected %s, want %s", cases[i].file, detect_name(got),
				 detect_name(cases[i].f));
		free(f.data);
	}
}

static void test_detect_edges(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum dg_format f;
	} cases[] = {
		{"", DG_UNKNOWN},
		{"\n\n  \n", DG_UNKNOWN},
		{"hello world\nthis is prose\n", DG_UNKNOWN},
		/* a slow log with nothing but a banner yet: unknown; with events: slow */
		{"/usr/sbin/mysqld, Version: 8.0.36 (MySQL). started with:\n"
		 "Tcp port: 3306  Unix socket: /tmp/s\nTime                 Id Command    Argument\n",
		 DG_UNKNOWN},
		{"\n/usr/sbin/mysqld, Version: 8.0.36 (MySQL). started with:\n"
		 "Tcp port: 3306  Unix socket: /tmp/s\nTime                 Id Command    Argument\n"
		 "# Time: 2026-11-24T10:00:00Z\n",
		 DG_MYSQL_SLOW},
		{"# User@Host: a[a] @ h []\n", DG_MYSQL_SLOW},
		{"Time                 Id Command    Argument\n"
		 "\t\t   12 Query\tSELECT 1\n",
		 DG_MYSQL_GENERAL},
		{"LOG:  duration: 1.000 ms  statement: SELECT 1\n", DG_PG_STDERR},
		{"junk first\n"
		 "2026-11-24 10:00:00 UTC,\"a\",\"b\",1,,,1,,,,,LOG,00000,\"x\"\n",
		 DG_PG_CSV},
		{"1.2.3.4 - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n"
		 "SLOW: / took 1s\n",
		 DG_SLOW_LINES},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum dg_format got = detect_format(cases[i].text, strlen(cases[i].text));
		if (got != cases[i].f)
			fail_msg("case %zu: detected %s, want %s", i, detect_name(got),
				 detect_name(cases[i].f));
	}
	/* only the window is looked at */
	size_t big = DETECT_WINDOW + 100;
	char *s = malloc(big + 64);
	assert_non_null(s);
	memset(s, '\n', big);
	strcpy(s + big, "# Time: 2026-11-24T10:00:00Z\n");
	assert_int_equal(detect_format(s, strlen(s)), DG_UNKNOWN);
	free(s);
}

static void test_detect_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum dg_format f;
	} names[] = {
		{"slowlog", DG_MYSQL_SLOW}, {"genlog", DG_MYSQL_GENERAL},
		{"pglog", DG_PG_STDERR},    {"pgcsv", DG_PG_CSV},
		{"access", DG_ACCESS},      {"slow-lines", DG_SLOW_LINES},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum dg_format f = DG_UNKNOWN;
		assert_int_equal(detect_parse_name(names[i].name, &f), 0);
		assert_int_equal(f, names[i].f);
		assert_string_equal(detect_name(names[i].f), names[i].name);
	}
	enum dg_format f = DG_ACCESS;
	assert_int_equal(detect_parse_name("unknown", &f), -1);
	assert_int_equal(detect_parse_name("SLOWLOG", &f), -1);
	assert_int_equal(detect_parse_name("", &f), -1);
	assert_int_equal(detect_parse_name(NULL, &f), -1);
	assert_int_equal(f, DG_ACCESS);
	assert_string_equal(detect_name(DG_UNKNOWN), "unknown");
	assert_string_equal(detect_name((enum dg_format)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_mysql57),
		cmocka_unit_test(test_slow_mysql80),
		cmocka_unit_test(test_slow_mysql56),
		cmocka_unit_test(test_slow_mariadb),
		cmocka_unit_test(test_slow_percona),
		cmocka_unit_test(test_slow_garbled),
		cmocka_unit_test(test_slow_end_of_buffer),
		cmocka_unit_test(test_slow_parse_time),
		cmocka_unit_test(test_slow_banner),
		cmocka_unit_test(test_slow_sync),
		cmocka_unit_test(test_gen_mysql80),
		cmocka_unit_test(test_gen_mariadb),
		cmocka_unit_test(test_gen_entries),
		cmocka_unit_test(test_gen_sync),
		cmocka_unit_test(test_pg_stderr_default),
		cmocka_unit_test(test_pg_stderr_prefixes),
		cmocka_unit_test(test_pg_stderr_lines),
		cmocka_unit_test(test_pg_csv),
		cmocka_unit_test(test_pg_sync),
		cmocka_unit_test(test_access_nginx),
		cmocka_unit_test(test_access_variants),
		cmocka_unit_test(test_access_slow_lines),
		cmocka_unit_test(test_access_sync),
		cmocka_unit_test(test_detect_files),
		cmocka_unit_test(test_detect_edges),
		cmocka_unit_test(test_detect_names),
	};
	return cmocka_run_group_tests_name("readers", tests, NULL, NULL);
}
