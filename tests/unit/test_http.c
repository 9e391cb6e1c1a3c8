/*
 * test_http: the response parser (every framing rule, fed whole and one
 * byte at a time), URL parsing, and the load verdict's rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/url.h"
#include "http/response.h"
#include "http/verdict.h"

struct pcase {
	const char *in;
	int head;
	enum hresp_state state;
	int status;
	int64_t body;
	int keep_alive;
	size_t used; /* 0: all of it */
};

static void check(const struct pcase *c, size_t i, int bytewise)
{
	struct hresp r = {0};
	hresp_init(&r, c->head);
	size_t n = strlen(c->in), used = 0;
	if (bytewise) {
		while (used < n && r.state != HR_DONE && r.state != HR_ERROR)
			used += hresp_feed(&r, c->in + used, 1);
	} else {
		used = hresp_feed(&r, c->in, n);
	}
	if (c->state == HR_DONE && r.state == HR_BODY_EOF)
		hresp_eof(&r);
	if (r.state != c->state)
		fail_msg("case %zu (%s): state %d, want %d (%s)", i, bytewise ? "bytewise" : "whole", r.state,
			 c->state, r.error ? r.error : "");
	if (c->state == HR_DONE) {
		assert_int_equal(r.status, c->status);
		assert_int_equal(r.body_bytes, c->body);
		assert_int_equal(r.keep_alive, c->keep_alive);
		assert_int_equal(used, c->used ? c->used : n);
	}
	hresp_free(&r);
}

static void test_response_cases(void **state)
{
	(void)state;
	static const struct pcase cases[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, HR_DONE, 200, 5, 1, 0},
		{"HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", 0, HR_DONE, 200, 5, 1, 0}, /* bare LF */
		{"HTTP/1.1 204 No Content\r\n\r\n", 0, HR_DONE, 204, 0, 1, 0},
		{"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", 0, HR_DONE, 304, 0, 1, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 1, HR_DONE, 200, 0, 1, 0}, /* HEAD */
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
		 0, HR_DONE, 200, 11, 1, 0},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", 0, HR_DONE,
		 200, 10, 1, 0},
		{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 0, HR_DONE, 200, 2, 0, 0},
		{"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, HR_DONE, 200, 2, 0, 0},
		{"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", 0, HR_DONE, 200, 2, 1, 0},
		{"HTTP/1.0 200 OK\r\n\r\nuntil the end", 0, HR_DONE, 200, 13, 0, 0}, /* body to EOF */
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 0, HR_DONE, 201, 1, 1, 0},
		{"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n", 0, HR_DONE, 302, 0, 1, 0},
		{"HTTP/1.1 500 Internal Server Error\r\ncontent-length:  3 \r\n\r\nbadEXTRA", 0, HR_DONE, 500, 3, 1, 62},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0, HR_DONE, 200, 1, 1, 0},
		{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0, HR_DONE, 200, 0, 1, 0}, /* no reason */
		{"HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n", 0, HR_DONE, 200, 0, 1, 0},
		/* errors */
		{"HTTP/1.1 abc Weird\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/2 200 OK\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"SSH-2.0-OpenSSH\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 099 Low\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 0, HR_ERROR, 0, 0, 0, 0},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", 0, HR_ERROR, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check(&cases[i], i, 0);
		check(&cases[i], i, 1);
	}
}

static void test_response_eof_and_limits(void **state)
{
	(void)state;
	struct hresp r = {0};
	hresp_init(&r, 0);
	const char *half = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello";
	hresp_feed(&r, half, strlen(half));
	assert_int_equal(r.state, HR_BODY_LENGTH);
	assert_int_equal(hresp_eof(&r), -1);
	assert_string_equal(r.error, "connection closed mid-response");
	hresp_init(&r, 0);
	assert_int_equal(hresp_eof(&r), -1);
	assert_string_equal(r.error, "connection closed before a response");
	/* Headers over 64 KiB are refused, in one piece or many. */
	hresp_init(&r, 0);
	const char *sl = "HTTP/1.1 200 OK\r\n";
	hresp_feed(&r, sl, strlen(sl));
	char line[1024];
	memset(line, 'a', sizeof(line));
	memcpy(line, "X-F: ", 5);
	line[sizeof(line) - 2] = '\r';
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < 70 && r.state == HR_HEADERS; i++)
		hresp_feed(&r, line, sizeof(line));
	assert_int_equal(r.state, HR_ERROR);
	assert_string_equal(r.error, "status line and headers over 64 KiB");
	/* The line buffer is reused across responses on one connection. */
	hresp_init(&r, 0);
	const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	for (size_t i = 0; i < strlen(ok); i++)
		hresp_feed(&r, ok + i, 1);
	assert_int_equal(r.state, HR_DONE);
	hresp_free(&r);
}

static void test_url(void **state)
{
	(void)state;
	struct url u;
	struct perr e;
	assert_int_equal(url_parse("http://127.0.0.1:5000/profiles?page=2#top", &u, &e), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "5000");
	assert_string_equal(u.target, "/profiles?page=2");
	assert_string_equal(u.hostport, "127.0.0.1:5000");
	assert_int_equal(u.tls, 0);
	assert_int_equal(url_parse("HTTPS://[::1]/", &u, &e), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "443");
	assert_string_equal(u.hostport, "[::1]");
	assert_int_equal(u.tls, 1);
	assert_int_equal(url_parse("http://localhost?x=1", &u, &e), 0);
	assert_string_equal(u.target, "/?x=1");
	assert_int_equal(url_parse("http://[::1]:8443", &u, &e), 0);
	assert_string_equal(u.hostport, "[::1]:8443");
	assert_string_equal(u.target, "/");
	const struct {
		const char *u, *msg;
	} bad[] = {
		{"ftp://x/", "must start with http:// or https://"},
		{"127.0.0.1:5000", "must start with http://"},
		{"http://", "has no host"},
		{"http://:80/", "has no host"},
		{"http://h:0/", "invalid port"},
		{"http://h:65536/", "invalid port"},
		{"http://h:80x/", "invalid port"},
		{"http://user:pw@h/", "user:password@"},
		{"http://[::1/", "unterminated IPv6"},
		{"http://[zz]/", "invalid IPv6"},
		{"http://h/a b", "space or control character"},
		{"http://ho$t/", "invalid character in its host"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(url_parse(bad[i].u, &u, &e), -1);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("%s: got '%s'", bad[i].u, e.msg);
	}
}

static struct stage_sum stage(int c, double rps, double avg, double p95, double p99, int64_t req, int64_t e5xx)
{
	struct stage_sum s = {0};
	s.concurrency = c;
	s.connections = c;
	s.max_live = c;
	s.elapsed_s = 10;
	s.requests = req;
	s.avg_ms = avg;
	s.p95_ms = p95;
	s.p99_ms = p99;
	s.http_5xx = e5xx;
	stage_derive(&s);
	(void)rps;
	return s;
}

static void test_verdict(void **state)
{
	(void)state;
	struct budgets bs;
	budgets_defaults(&bs);
	const struct budget *api = &bs.b[BUDGET_API_ENDPOINT];
	struct load_verdict v;
	/* Throughput grows, latency flat: no knee; the last stage is on budget. */
	struct stage_sum a[] = {stage(10, 0, 10, 20, 30, 10000, 0), stage(50, 0, 12, 25, 40, 40000, 0)};
	verdict_analyze(a, 2, api, &v);
	assert_int_equal(v.knee, -1);
	assert_int_equal(v.max_ok, 1);
	assert_int_equal(v.summary, 1);
	assert_non_null(strstr(v.bottleneck, "None found up to 50 concurrent users"));
	/* Throughput flat (+2%), p99 4x the first stage's: the knee. */
	struct stage_sum b[] = {stage(10, 0, 10, 20, 30, 10000, 0), stage(50, 0, 50, 90, 80, 10200, 0),
				stage(100, 0, 100, 300, 130, 10300, 0)};
	verdict_analyze(b, 3, api, &v);
	assert_int_equal(v.knee, 2);
	assert_false(v.knee_by_errors);
	assert_int_equal(v.max_ok, 1);
	assert_non_null(strstr(v.bottleneck, "Saturated at 100 concurrent users"));
	assert_non_null(strstr(v.recommendation, "add workers"));
	/* p99 grows 3x but throughput still grows 10%: not a knee. */
	struct stage_sum c[] = {stage(10, 0, 10, 20, 30, 10000, 0), stage(50, 0, 50, 90, 100, 11000, 0)};
	verdict_analyze(c, 2, api, &v);
	assert_int_equal(v.knee, -1);
	/* Errors over 1% make the knee, and the stage is not sustainable. */
	struct stage_sum d[] = {stage(10, 0, 10, 20, 30, 10000, 0), stage(50, 0, 12, 25, 40, 20000, 500)};
	verdict_analyze(d, 2, api, &v);
	assert_int_equal(v.knee, 1);
	assert_true(v.knee_by_errors);
	assert_int_equal(v.max_ok, 0);
	assert_true(d[1].error_rate > 0.0249 && d[1].error_rate < 0.0251);
	assert_non_null(strstr(v.bottleneck, "From 50 concurrent users the server answers with HTTP 5xx: 2.5% of requests fail (500 of 500)"));
	assert_non_null(strstr(v.recommendation, "pool_size"));
	d[1].http_5xx = 0;
	d[1].err_tls = 600;
	stage_derive(&d[1]);
	verdict_analyze(d, 2, api, &v);
	assert_non_null(strstr(v.bottleneck, "TLS handshakes fail"));
	assert_non_null(strstr(v.recommendation, "--insecure"));
	/* Nothing on budget: the summary falls back to the first stage. */
	struct stage_sum f[] = {stage(10, 0, 300, 600, 700, 1000, 0)};
	verdict_analyze(f, 1, api, &v);
	assert_int_equal(v.max_ok, -1);
	assert_int_equal(v.summary, 0);
	/* Fewer live connections than asked. */
	struct stage_sum g[] = {stage(200, 0, 10, 20, 30, 1000, 0)};
	g[0].max_live = 120;
	g[0].err_connect = 80;
	stage_derive(&g[0]);
	verdict_analyze(g, 1, api, &v);
	assert_int_equal(v.refused, 0);
	assert_non_null(strstr(v.bottleneck, "only 120 of 200 connections"));
	/* The generator's CPU is named when it is the limit. */
	struct stage_sum h[] = {stage(10, 0, 1, 2, 3, 100000, 0)};
	h[0].gen_cpu = 0.97;
	verdict_analyze(h, 1, api, &v);
	assert_int_equal(v.generator_bound, 0);
	assert_non_null(strstr(v.bottleneck, "the load generator itself was CPU-bound"));
	/* Little's law: 1,000 req/s at 5 ms keeps 5 of 20 connections busy. */
	struct stage_sum k[] = {stage(20, 0, 5, 8, 9, 10000, 0)};
	verdict_analyze(k, 1, api, &v);
	assert_int_equal(v.littles_gap, 0);
	assert_non_null(strstr(v.bottleneck, "only 5.0 of 20 connections were busy"));
	assert_int_equal(g[0].max_live, 120);
	verdict_analyze(a, 2, api, &v);
	assert_int_equal(v.littles_gap, -1); /* 10 of 10 busy, then 48 of 50: both fine */
	/* Little's law: 10,000 req in 10 s at 10 ms = 10 busy connections. */
	assert_true(a[0].littles_n > 9.99 && a[0].littles_n < 10.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response_cases),
		cmocka_unit_test(test_response_eof_and_limits),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_verdict),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
