/*
 * fuzz_readers: arbitrary bytes as every kind of log the digest reads —
 * slow log, general log, PostgreSQL stderr and csvlog, access log, SLOW
 * lines — and through format detection. Every reader must end, hand out
 * only pointers inside the buffer (or inside pglog's own scratch buffer),
 * return no more events than there are lines, and, for the readers whose
 * event boundaries are decided line by line, agree with itself when the
 * buffer is split where *_sync says: the two halves yield as many events as
 * the whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest/accesslog.h"
#include "digest/detect.h"
#include "digest/genlog.h"
#include "digest/pglog.h"
#include "digest/slowlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void within(const char *buf, size_t len, const char *p, size_t n)
{
	if (p && (p < buf || n > len || (size_t)(p - buf) > len - n))
		abort();
}

/* Within the buffer, or within the reader's scratch space. */
static void within_pg(const struct pglog *r, const char *p, size_t n)
{
	if (p && r->scratch && p >= r->scratch && p < r->scratch + r->scratch_cap) {
		within(r->scratch, r->scratch_cap, p, n);
		return;
	}
	within(r->buf, r->len, p, n);
}

static void check_query(const char *buf, size_t len, const struct dg_query *q)
{
	if (q->sql_len == 0)
		abort();
	within(buf, len, q->sql, q->sql_len);
	within(buf, len, q->db, q->db_len);
	within(buf, len, q->user, q->user_len);
	within(buf, len, q->host, q->host_len);
}

static size_t run_slow(const char *buf, size_t len)
{
	struct slowlog r;
	struct dg_query q;
	size_t n = 0, last = 0;
	slowlog_init(&r, buf, len);
	while (slowlog_next(&r, &q)) {
		check_query(buf, len, &q);
		if (r.last_start >= len || r.last_start < last)
			abort();
		last = r.last_start;
		n++;
	}
	return n;
}

static size_t run_gen(const char *buf, size_t len)
{
	struct genlog *r = malloc(sizeof(*r)); /* its connection table is 14 KiB */
	struct dg_query q;
	size_t n = 0;
	if (!r)
		abort();
	genlog_init(r, buf, len);
	while (genlog_next(r, &q)) {
		check_query(buf, len, &q);
		if (r->last_start >= len)
			abort();
		n++;
	}
	free(r);
	return n;
}

static size_t run_pg(const char *buf, size_t len, enum dg_format fmt)
{
	struct pglog r;
	struct dg_query q;
	size_t n = 0;
	pglog_init(&r, buf, len, fmt);
	while (pglog_next(&r, &q)) {
		if (q.sql_len == 0 || r.last_start >= len)
			abort();
		within_pg(&r, q.sql, q.sql_len);
		within_pg(&r, q.db, q.db_len);
		within_pg(&r, q.user, q.user_len);
		within_pg(&r, q.host, q.host_len);
		n++;
	}
	pglog_free(&r);
	return n;
}

static size_t run_access(const char *buf, size_t len, enum dg_format fmt)
{
	struct accesslog r;
	struct dg_hit h;
	size_t n = 0;
	accesslog_init(&r, buf, len, fmt);
	while (accesslog_next(&r, &h)) {
		within(buf, len, h.method, h.method_len);
		within(buf, len, h.path, h.path_len);
		if (r.last_start >= len)
			abort();
		n++;
	}
	return n;
}

/* The offset sync gave must be a line start at or after `at`. */
static void check_sync(const char *buf, size_t len, size_t at, size_t s)
{
	if (s < at || s > len || (s > 0 && s < len && buf[s - 1] != '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';

	enum dg_format f = detect_format(buf, size);
	if (!detect_name(f))
		abort();

	size_t slow = run_slow(buf, size);
	size_t gen = run_gen(buf, size);
	size_t pg = run_pg(buf, size, DG_PG_STDERR);
	size_t csv = run_pg(buf, size, DG_PG_CSV);
	size_t acc = run_access(buf, size, DG_ACCESS);
	size_t sl = run_access(buf, size, DG_SLOW_LINES);
	if (slow > lines || gen > lines || pg > lines || csv > lines || acc > lines || sl > lines)
		abort();

	/* split where the input says, as two threads would */
	size_t at = size ? ((size_t)data[0] * 257 + data[size - 1]) % (size + 1) : 0;
	size_t s = slowlog_sync(buf, size, at);
	check_sync(buf, size, at, s);
	if (run_slow(buf, s) + run_slow(buf + s, size - s) != slow)
		abort();
	s = genlog_sync(buf, size, at);
	check_sync(buf, size, at, s);
	if (run_gen(buf, s) + run_gen(buf + s, size - s) != gen)
		abort();
	s = pglog_sync(buf, size, at, DG_PG_STDERR);
	check_sync(buf, size, at, s);
	if (run_pg(buf, s, DG_PG_STDERR) + run_pg(buf + s, size - s, DG_PG_STDERR) != pg)
		abort();
	s = pglog_sync(buf, size, at, DG_PG_CSV);
	check_sync(buf, size, at, s);
	run_pg(buf + s, size - s, DG_PG_CSV); /* quotes can span lines: no count to compare */
	s = accesslog_sync(buf, size, at);
	check_sync(buf, size, at, s);
	if (run_access(buf, s, DG_ACCESS) + run_access(buf + s, size - s, DG_ACCESS) != acc ||
	    run_access(buf, s, DG_SLOW_LINES) + run_access(buf + s, size - s, DG_SLOW_LINES) != sl)
		abort();
	return 0;
}
