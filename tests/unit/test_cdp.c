/*
 * test_cdp: the DevTools pipe transport (src/web/cdp.c) and the page model
 * built from its events (src/web/page.c), without a browser: messages
 * written into a pipe by the test stand for Chromium. The event shapes
 * follow what Chromium 156 sends (a transcript of a real run is the fuzz
 * corpus tests/fuzz/corpus/cdp/two_pages.cdp).
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
#include <unistd.h>

#include "core/clock.h"
#include "web/cdp.h"
#include "web/web.h"

/* ---- the reader ---- */

static void test_reader_split(void **state)
{
	(void)state;
	struct cdp_reader r;
	cdp_reader_init(&r, 1000);
	const char *msg;
	size_t len;
	assert_int_equal(cdp_reader_feed(&r, "{\"a\":1}\0{\"b\"", 12), 0);
	assert_int_equal(cdp_reader_next(&r, &msg, &len), 1);
	assert_string_equal(msg, "{\"a\":1}");
	assert_int_equal(len, 7);
	assert_int_equal(cdp_reader_next(&r, &msg, &len), 0); /* the second is not complete */
	assert_int_equal(cdp_reader_feed(&r, ":2}\0\0", 5), 0);
	assert_int_equal(cdp_reader_next(&r, &msg, &len), 1);
	assert_string_equal(msg, "{\"b\":2}");
	assert_int_equal(cdp_reader_next(&r, &msg, &len), 0); /* an empty message is skipped */
	/* byte by byte */
	const char *s = "{\"c\":3}";
	for (size_t i = 0; i <= strlen(s); i++)
		assert_int_equal(cdp_reader_feed(&r, s + i, 1), 0);
	assert_int_equal(cdp_reader_next(&r, &msg, &len), 1);
	assert_string_equal(msg, s);
	/* a message over the limit is an error, not a crash or a huge buffer */
	char big[600];
	memset(big, 'x', sizeof(big));
	assert_int_equal(cdp_reader_feed(&r, big, sizeof(big)), 0);
	assert_int_equal(cdp_reader_feed(&r, big, sizeof(big)), -1);
	cdp_reader_free(&r);
}

/* ---- calls over a pipe ---- */

struct seen {
	int n;
	char method[64];
	char session[64];
};

static void record(void *ud, const char *session, const char *method, json_t *params)
{
	struct seen *s = ud;
	(void)params;
	s->n++;
	snprintf(s->method, sizeof(s->method), "%s", method);
	snprintf(s->session, sizeof(s->session), "%s", session);
}

static void put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s) + 1), (ssize_t)strlen(s) + 1);
}

static void test_call(void **state)
{
	(void)state;
	int cmd[2], resp[2];
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(resp), 0);
	struct cdp c;
	cdp_init(&c, cmd[1], resp[0], NULL);
	struct seen s = {0};
	cdp_set_handler(&c, record, &s);
	/* the reply to call 1 comes after an event and a reply to someone else */
	put(resp[1], "{\"method\":\"Page.loadEventFired\",\"sessionId\":\"S1\",\"params\":{}}");
	put(resp[1], "{\"id\":99,\"result\":{}}");
	put(resp[1], "garbage");
	put(resp[1], "{\"id\":1,\"result\":{\"product\":\"Chrome/1\"}}");
	json_t *res = NULL;
	struct perr e;
	assert_int_equal(cdp_call(&c, "S1", "Browser.getVersion", NULL, 2, &res, &e), 0);
	assert_string_equal(json_string_value(json_object_get(res, "product")), "Chrome/1");
	json_decref(res);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.method, "Page.loadEventFired");
	assert_string_equal(s.session, "S1");
	assert_int_equal(c.bad_messages, 1);
	/* what was sent: one NUL-terminated JSON command with the session */
	char sent[512];
	ssize_t n = read(cmd[0], sent, sizeof(sent) - 1);
	assert_true(n > 0 && sent[n - 1] == '\0');
	json_t *m = json_loads(sent, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(m, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "method")), "Browser.getVersion");
	assert_string_equal(json_string_value(json_object_get(m, "sessionId")), "S1");
	json_decref(m);

	/* an error response */
	put(resp[1], "{\"id\":2,\"error\":{\"code\":-32000,\"message\":\"No target with given id\"}}");
	assert_int_equal(cdp_call(&c, NULL, "Target.attachToTarget", NULL, 2, NULL, &e), -1);
	assert_string_equal(e.msg, "Target.attachToTarget: No target with given id");

	/* no answer: a timeout, promptly */
	int64_t t0 = clock_mono_ns();
	assert_int_equal(cdp_call(&c, NULL, "Page.enable", NULL, 0.3, NULL, &e), -1);
	assert_true(c.timed_out);
	assert_non_null(strstr(e.msg, "did not answer Page.enable"));
	assert_true(clock_mono_ns() - t0 < 2000000000LL);

	/* the browser goes away: the pipe closes */
	close(resp[1]);
	assert_int_equal(cdp_call(&c, NULL, "Page.enable", NULL, 5, NULL, &e), -1);
	assert_true(c.closed);
	assert_non_null(strstr(e.msg, "closed its DevTools pipe"));
	cdp_close(&c);
	close(cmd[0]);
}

static void test_interrupt(void **state)
{
	(void)state;
	int cmd[2], resp[2];
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(resp), 0);
	volatile sig_atomic_t stop = 1;
	struct cdp c;
	cdp_init(&c, cmd[1], resp[0], &stop);
	struct perr e;
	assert_int_equal(cdp_wait(&c, 5, NULL, NULL, &e), -1);
	assert_true(c.interrupted);
	assert_int_equal(cdp_call(&c, NULL, "Page.enable", NULL, 5, NULL, &e), -1);
	assert_string_equal(e.msg, "interrupted");
	cdp_close(&c);
	close(cmd[0]);
	close(resp[1]);
}

/* ---- the page model ---- */

static void ev(struct web_page *p, const char *method, const char *params)
{
	json_error_t err;
	json_t *j = json_loads(params, 0, &err);
	if (!j)
		fail_msg("bad test JSON for %s: %s", method, err.text);
	page_event(p, method, j);
	json_decref(j);
}

static void test_page_requests(void **state)
{
	(void)state;
	struct web_page p;
	page_init(&p, "http://h/", 800, 600);
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"D\",\"loaderId\":\"D\",\"type\":\"Document\",\"frameId\":\"F\",\"timestamp\":100.0,"
	   "\"wallTime\":1700000000.5,\"initiator\":{\"type\":\"other\"},"
	   "\"request\":{\"url\":\"http://h/\",\"method\":\"GET\",\"headers\":{\"Accept\":\"*/*\"}}}");
	/* a redirect of the document: the first hop keeps its own entry */
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"D\",\"loaderId\":\"D\",\"type\":\"Document\",\"frameId\":\"F\",\"timestamp\":100.010,"
	   "\"redirectResponse\":{\"status\":301,\"statusText\":\"Moved\",\"headers\":{\"Location\":\"/home\"},"
	   "\"protocol\":\"http/1.1\"},"
	   "\"request\":{\"url\":\"http://h/home\",\"method\":\"GET\"}}");
	assert_int_equal(p.nreq, 2);
	assert_string_equal(p.req[0]->id, "D#redirect1");
	assert_int_equal(p.req[0]->status, 301);
	assert_string_equal(p.req[0]->redirect_url, "http://h/home");
	assert_true(p.req[0]->finished);
	assert_true(fabs(p.req[0]->duration_ms - 10) < 1e-6);
	ev(&p, "Network.responseReceived",
	   "{\"requestId\":\"D\",\"type\":\"Document\",\"timestamp\":100.050,\"response\":{\"url\":\"http://h/home\","
	   "\"status\":200,\"statusText\":\"OK\",\"protocol\":\"http/1.1\",\"mimeType\":\"text/html\","
	   "\"headers\":{\"Content-Type\":\"text/html\",\"Set-Cookie\":\"a=1\\nb=2\"},"
	   "\"timing\":{\"requestTime\":100.011,\"dnsStart\":1,\"dnsEnd\":3,\"connectStart\":3,\"connectEnd\":8,"
	   "\"sslStart\":-1,\"sslEnd\":-1,\"sendStart\":8,\"sendEnd\":9,\"receiveHeadersEnd\":39}}}");
	ev(&p, "Network.dataReceived", "{\"requestId\":\"D\",\"dataLength\":1000,\"encodedDataLength\":0}");
	ev(&p, "Network.dataReceived", "{\"requestId\":\"D\",\"dataLength\":616,\"encodedDataLength\":0}");
	ev(&p, "Network.loadingFinished", "{\"requestId\":\"D\",\"timestamp\":100.060,\"encodedDataLength\":1714}");
	const struct web_request *d = p.req[1];
	assert_int_equal(p.status, 200);
	assert_string_equal(p.final_url, "http://h/home");
	assert_int_equal(d->decoded, 1616);
	assert_int_equal(d->transferred, 1714);
	/* phases: queued 1 ms + dns start 1 = blocked 2; dns 2; connect 5; send 1; wait 30; receive 10 */
	assert_true(fabs(d->t.blocked - 2) < 1e-6);
	assert_true(fabs(d->t.dns - 2) < 1e-9 && fabs(d->t.connect - 5) < 1e-9 && d->t.ssl == -1);
	assert_true(fabs(d->t.send - 1) < 1e-9 && fabs(d->t.wait - 30) < 1e-9);
	assert_true(fabs(d->t.receive - 10) < 1e-6);
	assert_true(fabs(d->duration_ms - 50) < 1e-6);
	/* the HTTP/1.1 head rebuilt: status line, three header lines (Set-Cookie twice), blank line */
	assert_int_equal(d->headers_size, (int64_t)strlen("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
							  "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n"));

	/* a script from the memory cache, a failed image, one still in flight */
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"S\",\"loaderId\":\"D\",\"type\":\"Script\",\"timestamp\":100.07,"
	   "\"initiator\":{\"type\":\"parser\",\"url\":\"http://h/home\",\"lineNumber\":4},"
	   "\"request\":{\"url\":\"http://h/app.js\",\"method\":\"GET\"}}");
	ev(&p, "Network.requestServedFromCache", "{\"requestId\":\"S\"}");
	ev(&p, "Network.loadingFinished", "{\"requestId\":\"S\",\"timestamp\":100.071}");
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"I\",\"loaderId\":\"D\",\"type\":\"Image\",\"timestamp\":100.08,"
	   "\"request\":{\"url\":\"http://h/x.png\",\"method\":\"GET\"}}");
	ev(&p, "Network.loadingFailed",
	   "{\"requestId\":\"I\",\"timestamp\":100.09,\"errorText\":\"net::ERR_CONNECTION_RESET\"}");
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"L\",\"loaderId\":\"D\",\"type\":\"XHR\",\"timestamp\":100.1,"
	   "\"request\":{\"url\":\"http://h/poll\",\"method\":\"POST\",\"postData\":\"q=1\"}}");
	/* inline data is not a request */
	ev(&p, "Network.requestWillBeSent",
	   "{\"requestId\":\"X\",\"loaderId\":\"D\",\"type\":\"Image\",\"timestamp\":100.1,"
	   "\"request\":{\"url\":\"data:image/png;base64,AAAA\",\"method\":\"GET\"}}");
	assert_int_equal(p.nreq, 5);
	assert_true(p.req[2]->from_cache);
	assert_int_equal(p.req[2]->transferred, 0);
	assert_string_equal(p.req[2]->initiator, "parser http://h/home:5");
	assert_true(p.req[3]->failed);
	assert_string_equal(p.req[3]->error, "net::ERR_CONNECTION_RESET");
	assert_int_equal(page_inflight(&p), 1);
	assert_string_equal(p.req[4]->post_data, "q=1");
	/* ill-typed and unknown events change nothing */
	ev(&p, "Network.loadingFinished", "{\"requestId\":5}");
	ev(&p, "Network.responseReceived", "{\"requestId\":\"L\",\"response\":\"no\"}");
	ev(&p, "Something.else", "{}");
	assert_int_equal(p.nreq, 5);
	assert_int_equal(page_inflight(&p), 1);
	assert_int_equal(page_transferred(&p), 1714);

	/* the metrics script's answer */
	json_t *m = json_loads("{\"ttfb\":40.5,\"dcl\":120,\"load\":130,\"fcp\":150,\"lcp\":180,\"cls\":0.08,"
			       "\"title\":\"Home\",\"blocking\":[\"http://h/app.js\"]}",
			       0, NULL);
	page_apply_metrics(&p, m);
	json_decref(m);
	assert_true(p.v.ttfb == 40.5 && p.v.load == 130 && p.v.lcp == 180 && p.v.cls == 0.08);
	assert_string_equal(p.title, "Home");
	assert_true(p.req[2]->render_blocking);
	assert_false(p.req[1]->render_blocking);
	m = json_loads("{\"metrics\":[{\"name\":\"JSHeapUsedSize\",\"value\":813908},{\"name\":\"Nodes\",\"value\":29},"
		       "{\"name\":\"ScriptDuration\",\"value\":0.002}]}",
		       0, NULL);
	page_apply_perf_metrics(&p, m);
	json_decref(m);
	assert_int_equal(p.v.js_heap_used, 813908);
	assert_int_equal(p.v.dom_nodes, 29);
	assert_true(fabs(p.v.script_ms - 2) < 1e-9);
	assert_true(p.v.js_heap_total == -1);
	page_free(&p);
}

static void test_page_console(void **state)
{
	(void)state;
	struct web_page p;
	page_init(&p, "http://h/", 800, 600);
	ev(&p, "Runtime.consoleAPICalled",
	   "{\"type\":\"warning\",\"timestamp\":1700000000000,\"args\":[{\"type\":\"string\",\"value\":\"slow\"},"
	   "{\"type\":\"number\",\"value\":42},{\"type\":\"object\",\"description\":\"Object\"},{\"type\":\"undefined\"}],"
	   "\"stackTrace\":{\"callFrames\":[{\"url\":\"http://h/app.js\",\"lineNumber\":9,\"columnNumber\":2}]}}");
	ev(&p, "Runtime.consoleAPICalled", "{\"type\":\"log\",\"args\":[{\"type\":\"string\",\"value\":\"hi\"}]}");
	ev(&p, "Runtime.consoleAPICalled", "{\"type\":\"debug\",\"args\":[]}");
	ev(&p, "Runtime.consoleAPICalled", "{\"type\":\"assert\",\"args\":[{\"type\":\"string\",\"value\":\"no\"}]}");
	ev(&p, "Runtime.exceptionThrown",
	   "{\"timestamp\":1,\"exceptionDetails\":{\"text\":\"Uncaught\",\"url\":\"http://h/\",\"lineNumber\":28,"
	   "\"columnNumber\":40,\"exception\":{\"description\":\"Error: boom\\n    at http://h/:29:41\"}}}");
	ev(&p, "Log.entryAdded",
	   "{\"entry\":{\"source\":\"network\",\"level\":\"error\",\"text\":\"Failed to load resource\","
	   "\"url\":\"http://h/x.png\"}}");
	ev(&p, "Log.entryAdded",
	   "{\"entry\":{\"source\":\"violation\",\"level\":\"verbose\",\"text\":\"'setTimeout' handler took 300ms\"}}");
	ev(&p, "Log.entryAdded", "{\"entry\":{\"source\":\"console-api\",\"level\":\"info\",\"text\":\"dup\"}}");
	assert_int_equal(p.ncon, 7);
	assert_int_equal(p.con[0].level, WEB_WARNING);
	assert_string_equal(p.con[0].text, "slow 42 Object undefined");
	assert_string_equal(p.con[0].url, "http://h/app.js");
	assert_int_equal(p.con[0].line, 10);
	assert_int_equal(p.con[0].column, 3);
	assert_int_equal(p.con[1].level, WEB_INFO);
	assert_int_equal(p.con[2].level, WEB_DEBUG);
	assert_int_equal(p.con[3].level, WEB_ERROR);
	assert_int_equal(p.con[4].level, WEB_ERROR);
	assert_string_equal(p.con[4].source, "exception");
	assert_string_equal(p.con[4].text, "Uncaught Error: boom");
	assert_int_equal(p.con[4].line, 29);
	assert_string_equal(p.con[5].source, "network");
	assert_int_equal(p.con[6].level, WEB_WARNING); /* a [Violation] is a performance warning */
	/* bounded */
	for (int i = 0; i < PAGE_MAX_CONSOLE + 10; i++)
		ev(&p, "Runtime.consoleAPICalled", "{\"type\":\"log\",\"args\":[]}");
	assert_int_equal(p.ncon, PAGE_MAX_CONSOLE);
	assert_int_equal(p.dropped_console, 17);
	page_free(&p);
}

static void test_levels_throttle_paths(void **state)
{
	(void)state;
	enum web_level l;
	assert_int_equal(web_level_parse("warn", &l), 0);
	assert_int_equal(l, WEB_WARNING);
	assert_int_equal(web_level_parse("ERROR", &l), 0);
	assert_int_equal(l, WEB_ERROR);
	assert_int_equal(web_level_parse("loud", &l), -1);
	struct web_throttle t;
	struct perr e;
	assert_int_equal(web_throttle_parse("slow-4g", &t, &e), 0);
	assert_true(t.latency_ms == 150 && t.down_kbps == 1638.4 && t.cpu_rate == 4);
	assert_int_equal(web_throttle_parse("100:2000:500", &t, &e), 0);
	assert_true(t.latency_ms == 100 && t.down_kbps == 2000 && t.up_kbps == 500 && t.cpu_rate == 1);
	assert_string_equal(t.name, "custom");
	assert_int_equal(web_throttle_parse("100:2000:500:2.5", &t, &e), 0);
	assert_true(t.cpu_rate == 2.5);
	assert_int_equal(web_throttle_parse("100:2000", &t, &e), -1);
	assert_non_null(strstr(e.msg, "slow-3g"));
	assert_int_equal(web_throttle_parse("100:2000:500:0.5", &t, &e), -1);
	assert_int_equal(web_throttle_parse("3g", &t, &e), -1);
	char *s = web_numbered_path("out/page.png", 0);
	assert_string_equal(s, "out/page.png");
	free(s);
	s = web_numbered_path("out/page.png", 1);
	assert_string_equal(s, "out/page-2.png");
	free(s);
	s = web_numbered_path("out.d/shot", 2);
	assert_string_equal(s, "out.d/shot-3");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_split),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_page_requests),
		cmocka_unit_test(test_page_console),
		cmocka_unit_test(test_levels_throttle_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
