/*
 * test_har: pages -> HAR 1.2. Every field HAR 1.2 requires is there with
 * its JSON type (log, page, entry, request, response, content, timings),
 * entries add up (time = the sum of the phases), headers, cookies and the
 * query string are split as HAR wants, and har_write() round-trips
 * through a file and names the path when it cannot write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/version.h"
#include "web/web.h"

/* A request as page.c leaves a new one: everything unknown. */
static struct web_request *add_req(struct web_page *p, const char *url, const char *type)
{
	if (p->nreq == p->capreq) {
		p->capreq = p->capreq ? p->capreq * 2 : 4;
		p->req = xrealloc(p->req, p->capreq * sizeof(*p->req));
	}
	struct web_request *r = xcalloc(1, sizeof(*r));
	r->id = xstrdup("1000.1");
	r->url = xstrdup(url);
	r->method = xstrdup("GET");
	r->type = xstrdup(type);
	r->duration_ms = -1;
	r->t = (struct web_timings){-1, -1, -1, -1, -1, -1, -1};
	r->transferred = r->decoded = r->headers_size = r->request_headers_size = -1;
	r->request_headers = json_object();
	r->response_headers = json_object();
	p->req[p->nreq++] = r;
	return r;
}

/* Fixed epoch: 2023-11-14T22:13:20Z. */
#define T0 1700000000.0

/*
 * A page with a redirect hop, the document it led to, a script from the
 * cache and an image that failed to load.
 */
static void sample_page(struct web_page *p)
{
	page_init(p, "http://h.test/old", 1280, 800);
	p->title = xstrdup("Shop");
	p->nav_wall = T0 + 0.1;
	p->nav_ts = 500.0;
	p->v.dom_content_loaded = 120.5;
	p->v.load = 310.25;

	/* Listed out of order on purpose: the redirect hop came first. */
	struct web_request *doc = add_req(p, "http://h.test/index.html?a=1&b=two%20x&flag&=v#frag", "Document");
	doc->id = (free(doc->id), xstrdup("1000.1"));
	doc->mime = xstrdup("text/html");
	doc->protocol = xstrdup("http/1.1");
	doc->status = 200;
	doc->status_text = xstrdup("OK");
	doc->initiator = xstrdup("other");
	doc->remote_ip = xstrdup("[::1]");
	doc->remote_port = 8080;
	doc->finished = 1;
	doc->wall_time = T0 + 0.123;
	doc->start_ts = 500.023;
	doc->duration_ms = 52;
	doc->t = (struct web_timings){.blocked = 1.5, .dns = 2, .connect = 10, .ssl = 4, .send = 0.5, .wait = 30, .receive = 6};
	doc->transferred = 1300;
	doc->headers_size = 300;
	doc->decoded = 4000;
	doc->request_headers_size = 210;
	json_object_set_new(doc->request_headers, "Host", json_string("h.test"));
	json_object_set_new(doc->request_headers, "Cookie", json_string("sid=abc; theme=dark;; flag"));
	json_object_set_new(doc->response_headers, "Content-Type", json_string("text/html"));
	json_object_set_new(doc->response_headers, "Set-Cookie",
			    json_string("a=1; Path=/; HttpOnly\nb=2; Secure; Domain=h.test; Expires=Wed, 21 Oct 2026 07:28:00 GMT"));

	struct web_request *hop = add_req(p, "http://h.test/old", "Document");
	hop->id = (free(hop->id), xstrdup("1000.1#redirect1"));
	hop->protocol = xstrdup("http/1.1");
	hop->status = 301;
	hop->status_text = xstrdup("Moved Permanently");
	hop->redirect_url = xstrdup("http://h.test/index.html?a=1&b=two%20x&flag&=v#frag");
	hop->finished = 1;
	hop->wall_time = T0 + 0.1;
	hop->duration_ms = 20;
	hop->t = (struct web_timings){.blocked = 0.25, .dns = 1, .connect = 3, .ssl = -1, .send = 0.25, .wait = 15, .receive = 0.5};
	hop->transferred = 120;
	hop->headers_size = 120;
	hop->decoded = 0;
	json_object_set_new(hop->response_headers, "Location", json_string("/index.html"));

	struct web_request *js = add_req(p, "http://h.test/app.js", "Script");
	js->mime = xstrdup("application/javascript");
	js->protocol = xstrdup("h2");
	js->status = 200;
	js->from_cache = 1;
	js->finished = 1;
	js->wall_time = T0 + 0.2;
	js->duration_ms = 3.25;
	js->transferred = 0;
	js->decoded = 5000;
	js->initiator = xstrdup("parser http://h.test/index.html:12");

	struct web_request *img = add_req(p, "http://h.test/logo.png", "Image");
	img->error = xstrdup("net::ERR_CONNECTION_REFUSED");
	img->failed = img->finished = 1;
	img->wall_time = T0 + 0.25;
	img->transferred = 0;
}

static void expect_type(const json_t *o, const char *key, json_type type)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		fail_msg("missing field \"%s\"", key);
	if (type == JSON_REAL) { /* any number */
		if (!json_is_number(v))
			fail_msg("field \"%s\" is not a number", key);
	} else if (type == JSON_TRUE) { /* any boolean */
		if (!json_is_boolean(v))
			fail_msg("field \"%s\" is not a boolean", key);
	} else if (json_typeof(v) != type) {
		fail_msg("field \"%s\" has JSON type %d, not %d", key, (int)json_typeof(v), (int)type);
	}
}

#define NUM JSON_REAL
#define BOOL JSON_TRUE

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
static int iso_ms_ok(const char *s)
{
	const char *pat = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (!s || strlen(s) != strlen(pat))
		return 0;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	}
	return 1;
}

static void check_name_values(const json_t *arr)
{
	assert_true(json_is_array(arr));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		expect_type(v, "name", JSON_STRING);
		expect_type(v, "value", JSON_STRING);
	}
}

/* Every field HAR 1.2 requires, with its type, in the whole log. */
static void check_har(const json_t *har)
{
	assert_true(json_is_object(har));
	json_t *log = json_object_get(har, "log");
	assert_true(json_is_object(log));
	expect_type(log, "version", JSON_STRING);
	assert_string_equal(json_string_value(json_object_get(log, "version")), "1.2");
	expect_type(log, "creator", JSON_OBJECT);
	json_t *creator = json_object_get(log, "creator");
	expect_type(creator, "name", JSON_STRING);
	expect_type(creator, "version", JSON_STRING);
	json_t *browser = json_object_get(log, "browser");
	if (browser) {
		expect_type(browser, "name", JSON_STRING);
		expect_type(browser, "version", JSON_STRING);
	}
	expect_type(log, "pages", JSON_ARRAY);
	expect_type(log, "entries", JSON_ARRAY);

	size_t i;
	json_t *pg;
	json_array_foreach(json_object_get(log, "pages"), i, pg) {
		expect_type(pg, "startedDateTime", JSON_STRING);
		assert_true(iso_ms_ok(json_string_value(json_object_get(pg, "startedDateTime"))));
		expect_type(pg, "id", JSON_STRING);
		expect_type(pg, "title", JSON_STRING);
		expect_type(pg, "pageTimings", JSON_OBJECT);
		json_t *pt = json_object_get(pg, "pageTimings");
		expect_type(pt, "onContentLoad", NUM);
		expect_type(pt, "onLoad", NUM);
	}

	json_t *en;
	json_array_foreach(json_object_get(log, "entries"), i, en) {
		expect_type(en, "pageref", JSON_STRING);
		expect_type(en, "startedDateTime", JSON_STRING);
		assert_true(iso_ms_ok(json_string_value(json_object_get(en, "startedDateTime"))));
		expect_type(en, "time", NUM);
		expect_type(en, "request", JSON_OBJECT);
		expect_type(en, "response", JSON_OBJECT);
		expect_type(en, "cache", JSON_OBJECT);
		expect_type(en, "timings", JSON_OBJECT);

		json_t *rq = json_object_get(en, "request");
		expect_type(rq, "method", JSON_STRING);
		expect_type(rq, "url", JSON_STRING);
		expect_type(rq, "httpVersion", JSON_STRING);
		expect_type(rq, "cookies", JSON_ARRAY);
		expect_type(rq, "headers", JSON_ARRAY);
		expect_type(rq, "queryString", JSON_ARRAY);
		expect_type(rq, "headersSize", JSON_INTEGER);
		expect_type(rq, "bodySize", JSON_INTEGER);
		check_name_values(json_object_get(rq, "cookies"));
		check_name_values(json_object_get(rq, "headers"));
		check_name_values(json_object_get(rq, "queryString"));
		json_t *pd = json_object_get(rq, "postData");
		if (pd) {
			expect_type(pd, "mimeType", JSON_STRING);
			expect_type(pd, "text", JSON_STRING);
		}

		json_t *rs = json_object_get(en, "response");
		expect_type(rs, "status", JSON_INTEGER);
		expect_type(rs, "statusText", JSON_STRING);
		expect_type(rs, "httpVersion", JSON_STRING);
		expect_type(rs, "cookies", JSON_ARRAY);
		expect_type(rs, "headers", JSON_ARRAY);
		expect_type(rs, "content", JSON_OBJECT);
		expect_type(rs, "redirectURL", JSON_STRING);
		expect_type(rs, "headersSize", JSON_INTEGER);
		expect_type(rs, "bodySize", JSON_INTEGER);
		check_name_values(json_object_get(rs, "cookies"));
		check_name_values(json_object_get(rs, "headers"));
		json_t *c = json_object_get(rs, "content");
		expect_type(c, "size", JSON_INTEGER);
		expect_type(c, "mimeType", JSON_STRING);
		assert_true(json_integer_value(json_object_get(c, "size")) >= 0);
		if (json_object_get(c, "compression"))
			expect_type(c, "compression", JSON_INTEGER);

		json_t *t = json_object_get(en, "timings");
		const char *opt[] = {"blocked", "dns", "connect", "ssl"};
		const char *req[] = {"send", "wait", "receive"};
		double sum = 0;
		for (size_t k = 0; k < 4; k++) {
			if (json_object_get(t, opt[k])) {
				expect_type(t, opt[k], NUM);
				double v = json_number_value(json_object_get(t, opt[k]));
				assert_true(v == -1 || v >= 0);
				if (v >= 0 && k != 3)
					sum += v;
			}
		}
		for (size_t k = 0; k < 3; k++) {
			expect_type(t, req[k], NUM);
			double v = json_number_value(json_object_get(t, req[k]));
			assert_true(v >= 0);
			sum += v;
		}
		double time = json_number_value(json_object_get(en, "time"));
		assert_true(time >= 0);
		if (fabs(time - sum) > 1e-6)
			fail_msg("entry %zu: time %g is not the sum of its timings %g", i, time, sum);
	}
}

static json_t *entry_by_url(const json_t *har, const char *url)
{
	size_t i;
	json_t *en;
	json_array_foreach(json_object_get(json_object_get(har, "log"), "entries"), i, en) {
		const char *u = json_string_value(json_object_get(json_object_get(en, "request"), "url"));
		if (u && !strcmp(u, url))
			return en;
	}
	fail_msg("no entry for %s", url);
	return NULL;
}

static const char *sget(const json_t *o, const char *path)
{
	/* "a.b.c" */
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s", path);
	const json_t *v = o;
	for (char *save, *k = strtok_r(tmp, ".", &save); k; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return json_string_value(v);
}

static double nget(const json_t *o, const char *path)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s", path);
	const json_t *v = o;
	for (char *save, *k = strtok_r(tmp, ".", &save); k; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	return json_number_value(v);
}

#define DOC_URL "http://h.test/index.html?a=1&b=two%20x&flag&=v#frag"

static void test_fields_and_types(void **state)
{
	(void)state;
	struct web_page p;
	sample_page(&p);
	json_t *har = har_build(&p, 1, "Chrome/156.0.8078.79");
	check_har(har);
	json_t *log = json_object_get(har, "log");
	assert_string_equal(sget(log, "creator.name"), "perfagent");
	assert_string_equal(sget(log, "creator.version"), PA_VERSION);
	assert_string_equal(sget(log, "browser.name"), "Chrome");
	assert_string_equal(sget(log, "browser.version"), "156.0.8078.79");

	json_t *pages = json_object_get(log, "pages");
	assert_int_equal(json_array_size(pages), 1);
	json_t *pg = json_array_get(pages, 0);
	assert_string_equal(sget(pg, "id"), "page_1");
	assert_string_equal(sget(pg, "title"), "Shop");
	assert_string_equal(sget(pg, "startedDateTime"), "2023-11-14T22:13:20.100Z");
	assert_true(nget(pg, "pageTimings.onContentLoad") == 120.5);
	assert_true(nget(pg, "pageTimings.onLoad") == 310.25);

	/* Every request is an entry, failed ones too, sorted by when they were sent. */
	json_t *entries = json_object_get(log, "entries");
	assert_int_equal(json_array_size(entries), 4);
	const char *order[] = {"http://h.test/old", DOC_URL, "http://h.test/app.js", "http://h.test/logo.png"};
	for (size_t i = 0; i < 4; i++) {
		json_t *en = json_array_get(entries, i);
		assert_string_equal(sget(en, "request.url"), order[i]);
		assert_string_equal(sget(en, "pageref"), "page_1");
	}

	json_t *doc = entry_by_url(har, DOC_URL);
	assert_string_equal(sget(doc, "startedDateTime"), "2023-11-14T22:13:20.123Z");
	assert_true(fabs(nget(doc, "time") - 50.0) < 1e-9); /* 1.5+2+10+0.5+30+6, ssl inside connect */
	assert_true(nget(doc, "timings.ssl") == 4);
	assert_string_equal(sget(doc, "request.httpVersion"), "HTTP/1.1");
	assert_string_equal(sget(doc, "response.httpVersion"), "HTTP/1.1");
	assert_true(nget(doc, "request.headersSize") == 210);
	assert_true(nget(doc, "request.bodySize") == 0);
	assert_null(json_object_get(json_object_get(doc, "request"), "postData"));
	assert_true(nget(doc, "response.status") == 200);
	assert_string_equal(sget(doc, "response.statusText"), "OK");
	assert_true(nget(doc, "response.headersSize") == 300);
	assert_true(nget(doc, "response.bodySize") == 1000);
	assert_true(nget(doc, "response.content.size") == 4000);
	assert_true(nget(doc, "response.content.compression") == 3000);
	assert_string_equal(sget(doc, "response.content.mimeType"), "text/html");
	assert_string_equal(sget(doc, "response.redirectURL"), "");
	assert_string_equal(sget(doc, "serverIPAddress"), "::1");
	assert_string_equal(sget(doc, "_resourceType"), "document");
	assert_true(nget(doc, "_transferSize") == 1300);
	assert_string_equal(sget(doc, "_initiator"), "other");
	assert_null(json_object_get(doc, "_fromCache"));
	assert_null(json_object_get(doc, "_error"));

	/* The redirect hop: its own entry, pointing where it went. */
	json_t *hop = entry_by_url(har, "http://h.test/old");
	assert_true(nget(hop, "response.status") == 301);
	assert_string_equal(sget(hop, "response.redirectURL"), DOC_URL);
	assert_true(fabs(nget(hop, "time") - 20.0) < 1e-9);
	assert_true(nget(hop, "timings.ssl") == -1);
	assert_true(nget(hop, "response.bodySize") == 0);
	assert_null(json_object_get(json_object_get(json_object_get(hop, "response"), "content"), "compression"));
	assert_string_equal(sget(hop, "response.content.mimeType"), "x-unknown");

	/* From the cache: no phases, so its duration is the receive time. */
	json_t *js = entry_by_url(har, "http://h.test/app.js");
	assert_string_equal(sget(js, "_fromCache"), "disk");
	assert_string_equal(sget(js, "response.httpVersion"), "HTTP/2");
	assert_true(nget(js, "response.bodySize") == 0);
	assert_true(nget(js, "response.content.size") == 5000);
	assert_null(json_object_get(json_object_get(json_object_get(js, "response"), "content"), "compression"));
	assert_true(fabs(nget(js, "time") - 3.25) < 1e-9);
	assert_true(nget(js, "timings.blocked") == -1);
	assert_true(nget(js, "timings.dns") == -1);
	assert_true(nget(js, "timings.connect") == -1);
	assert_true(nget(js, "timings.receive") == 3.25);
	assert_string_equal(sget(js, "_resourceType"), "script");
	assert_string_equal(sget(js, "_initiator"), "parser http://h.test/index.html:12");

	/* Failed: status 0, the error, nothing negative where HAR forbids it. */
	json_t *img = entry_by_url(har, "http://h.test/logo.png");
	assert_true(nget(img, "response.status") == 0);
	assert_string_equal(sget(img, "response.statusText"), "");
	assert_string_equal(sget(img, "response.httpVersion"), "");
	assert_string_equal(sget(img, "request.httpVersion"), "");
	assert_string_equal(sget(img, "_error"), "net::ERR_CONNECTION_REFUSED");
	assert_true(nget(img, "time") == 0);
	assert_true(nget(img, "timings.send") == 0 && nget(img, "timings.wait") == 0 && nget(img, "timings.receive") == 0);
	assert_true(nget(img, "response.content.size") == 0);
	assert_true(nget(img, "response.headersSize") == -1);
	assert_true(nget(img, "response.bodySize") == -1);
	assert_true(nget(img, "request.headersSize") == -1);
	assert_null(json_object_get(img, "serverIPAddress"));

	json_decref(har);
	page_free(&p);
}

static const char *header_at(const json_t *arr, size_t i, const char **value)
{
	json_t *h = json_array_get(arr, i);
	*value = json_string_value(json_object_get(h, "value"));
	return json_string_value(json_object_get(h, "name"));
}

static void test_headers_cookies_query(void **state)
{
	(void)state;
	struct web_page p;
	sample_page(&p);
	json_t *har = har_build(&p, 1, NULL);
	assert_null(json_object_get(json_object_get(har, "log"), "browser"));
	json_t *doc = entry_by_url(har, DOC_URL);
	json_t *rq = json_object_get(doc, "request"), *rs = json_object_get(doc, "response");
	const char *v;

	/* Set-Cookie holds two lines: two header entries, in order. */
	json_t *hs = json_object_get(rs, "headers");
	assert_int_equal(json_array_size(hs), 3);
	assert_string_equal(header_at(hs, 0, &v), "Content-Type");
	assert_string_equal(v, "text/html");
	assert_string_equal(header_at(hs, 1, &v), "Set-Cookie");
	assert_string_equal(v, "a=1; Path=/; HttpOnly");
	assert_string_equal(header_at(hs, 2, &v), "Set-Cookie");
	assert_string_equal(v, "b=2; Secure; Domain=h.test; Expires=Wed, 21 Oct 2026 07:28:00 GMT");

	json_t *rqh = json_object_get(rq, "headers");
	assert_int_equal(json_array_size(rqh), 2);
	assert_string_equal(header_at(rqh, 0, &v), "Host");
	assert_string_equal(v, "h.test");

	/* Request cookies from the Cookie header; an empty piece is skipped. */
	json_t *rc = json_object_get(rq, "cookies");
	assert_int_equal(json_array_size(rc), 3);
	assert_string_equal(header_at(rc, 0, &v), "sid");
	assert_string_equal(v, "abc");
	assert_string_equal(header_at(rc, 1, &v), "theme");
	assert_string_equal(v, "dark");
	assert_string_equal(header_at(rc, 2, &v), "flag");
	assert_string_equal(v, "");

	/* Response cookies, one per Set-Cookie line, with their attributes. */
	json_t *sc = json_object_get(rs, "cookies");
	assert_int_equal(json_array_size(sc), 2);
	json_t *a = json_array_get(sc, 0), *b = json_array_get(sc, 1);
	assert_string_equal(sget(a, "name"), "a");
	assert_string_equal(sget(a, "value"), "1");
	assert_string_equal(sget(a, "path"), "/");
	assert_true(json_is_true(json_object_get(a, "httpOnly")));
	assert_null(json_object_get(a, "secure"));
	assert_string_equal(sget(b, "name"), "b");
	assert_string_equal(sget(b, "value"), "2");
	assert_string_equal(sget(b, "domain"), "h.test");
	assert_string_equal(sget(b, "expires"), "2026-10-21T07:28:00.000Z");
	assert_true(json_is_true(json_object_get(b, "secure")));

	/* Query string: raw values, a bare name, an empty name; no fragment. */
	json_t *qs = json_object_get(rq, "queryString");
	assert_int_equal(json_array_size(qs), 4);
	const char *want[][2] = {{"a", "1"}, {"b", "two%20x"}, {"flag", ""}, {"", "v"}};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(header_at(qs, i, &v), want[i][0]);
		assert_string_equal(v, want[i][1]);
	}
	assert_int_equal(json_array_size(json_object_get(json_object_get(entry_by_url(har, "http://h.test/app.js"),
									  "request"), "queryString")), 0);
	json_decref(har);
	page_free(&p);
}

/* A POST: postData with the request's Content-Type; a POST whose body Chromium withheld has bodySize -1. */
static void test_post_data(void **state)
{
	(void)state;
	struct web_page p;
	page_init(&p, "http://h.test/", 800, 600);
	struct web_request *r = add_req(&p, "http://h.test/api", "Fetch");
	free(r->method);
	r->method = xstrdup("POST");
	r->post_data = xstrdup("{\"q\":1}");
	json_object_set_new(r->request_headers, "content-type", json_string("application/json"));
	struct web_request *r2 = add_req(&p, "http://h.test/upload", "XHR");
	free(r2->method);
	r2->method = xstrdup("POST");
	json_t *har = har_build(&p, 1, "HeadlessChrome/1.0");
	check_har(har);
	json_t *en = entry_by_url(har, "http://h.test/api");
	assert_string_equal(sget(en, "request.postData.mimeType"), "application/json");
	assert_string_equal(sget(en, "request.postData.text"), "{\"q\":1}");
	assert_true(nget(en, "request.bodySize") == 7);
	assert_string_equal(sget(en, "request.method"), "POST");
	assert_string_equal(sget(en, "_resourceType"), "fetch");
	json_t *en2 = entry_by_url(har, "http://h.test/upload");
	assert_null(json_object_get(json_object_get(en2, "request"), "postData"));
	assert_true(nget(en2, "request.bodySize") == -1);
	/* No title: the URL is the title; no load seen: -1. */
	json_t *pg = json_array_get(json_object_get(json_object_get(har, "log"), "pages"), 0);
	assert_string_equal(sget(pg, "title"), "http://h.test/");
	assert_true(nget(pg, "pageTimings.onLoad") == -1);
	assert_true(nget(pg, "pageTimings.onContentLoad") == -1);
	/* No wall time anywhere: a valid date all the same. */
	assert_string_equal(sget(pg, "startedDateTime"), "1970-01-01T00:00:00.000Z");
	json_decref(har);
	page_free(&p);
}

/* Several pages: ids in order, entries point at theirs; nav_wall 0 takes the earliest request. */
static void test_pages_and_start_time(void **state)
{
	(void)state;
	struct web_page p[2];
	sample_page(&p[0]);
	page_init(&p[1], "http://h.test/two", 800, 600);
	struct web_request *late = add_req(&p[1], "http://h.test/two/late.css", "Stylesheet");
	late->wall_time = T0 + 5.9996; /* rounds up into the next second */
	struct web_request *first = add_req(&p[1], "http://h.test/two", "Document");
	first->wall_time = T0 + 5.5;
	json_t *har = har_build(p, 2, "Chrome/1");
	check_har(har);
	json_t *log = json_object_get(har, "log");
	json_t *pg2 = json_array_get(json_object_get(log, "pages"), 1);
	assert_string_equal(sget(pg2, "id"), "page_2");
	assert_string_equal(sget(pg2, "startedDateTime"), "2023-11-14T22:13:25.500Z");
	json_t *entries = json_object_get(log, "entries");
	assert_int_equal(json_array_size(entries), 6);
	assert_string_equal(sget(json_array_get(entries, 4), "pageref"), "page_2");
	assert_string_equal(sget(json_array_get(entries, 4), "request.url"), "http://h.test/two");
	assert_string_equal(sget(json_array_get(entries, 5), "startedDateTime"), "2023-11-14T22:13:26.000Z");
	json_decref(har);
	page_free(&p[0]);
	page_free(&p[1]);
}

static void test_empty_log(void **state)
{
	(void)state;
	json_t *har = har_build(NULL, 0, NULL);
	check_har(har);
	json_t *log = json_object_get(har, "log");
	assert_int_equal(json_array_size(json_object_get(log, "pages")), 0);
	assert_int_equal(json_array_size(json_object_get(log, "entries")), 0);
	json_decref(har);
}

static void test_write_and_reload(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_har.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/out.har", dir);
	struct web_page p;
	sample_page(&p);
	struct perr e;
	if (har_write(buf_str(&path), &p, 1, "Chrome/156.0.8078.79", &e))
		fail_msg("%s", e.msg);
	json_error_t je;
	json_t *back = json_load_file(buf_str(&path), 0, &je);
	if (!back)
		fail_msg("%s: %s", buf_str(&path), je.text);
	check_har(back);
	json_t *built = har_build(&p, 1, "Chrome/156.0.8078.79");
	assert_true(json_equal(back, built));
	json_decref(back);
	json_decref(built);

	/* Indented with two spaces, ending in a newline. */
	FILE *f = fopen(buf_str(&path), "r");
	assert_non_null(f);
	char line[64];
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "{\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "  \"log\": {\n");
	fclose(f);

	/* An empty log is a valid file too. */
	if (har_write(buf_str(&path), NULL, 0, NULL, &e))
		fail_msg("%s", e.msg);
	back = json_load_file(buf_str(&path), 0, &je);
	assert_non_null(back);
	check_har(back);
	json_decref(back);

	unlink(buf_str(&path));
	rmdir(dir);
	buf_free(&path);
	page_free(&p);
}

static void test_write_fails_naming_path(void **state)
{
	(void)state;
	struct web_page p;
	sample_page(&p);
	struct perr e;
	e.msg[0] = '\0';
	const char *bad = "/nonexistent-perfagent-dir/sub/out.har";
	assert_int_equal(har_write(bad, &p, 1, NULL, &e), -1);
	if (!strstr(e.msg, bad))
		fail_msg("error does not name the path: %s", e.msg);
	assert_int_equal(access(bad, F_OK), -1);
	/* A directory is not a file to write over. */
	assert_int_equal(har_write("/tmp", &p, 1, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "'/tmp'"));
	page_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_types),
		cmocka_unit_test(test_headers_cookies_query),
		cmocka_unit_test(test_post_data),
		cmocka_unit_test(test_pages_and_start_time),
		cmocka_unit_test(test_empty_log),
		cmocka_unit_test(test_write_and_reload),
		cmocka_unit_test(test_write_fails_naming_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
