/*
 * test_webresult: a web run's pages, built by hand, turned into a result —
 * the metrics' keys with null for what was not measured, the request list
 * by duration, the console filter, the artifacts, each rule firing on its
 * input and not just under its threshold — and the terminal view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "web/web.h"

#define MiB (1024 * 1024)

/* One run of up to 3 pages with the options that made it. */
struct fx {
	struct web_run run;
	struct web_page pages[3];
	char *shots[3];
	double runs[9];
	const char *urls[3];
	struct web_opts opts;
	struct budgets b;
};

static void fx_init(struct fx *f, size_t npages)
{
	static const char *const urls[] = {"http://h.test/", "http://h.test/two", "http://h.test/three"};
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < npages; i++) {
		f->urls[i] = urls[i];
		page_init(&f->pages[i], urls[i], 1350, 940);
	}
	f->run.pages = f->pages;
	f->run.npages = npages;
	f->run.browser = xstrdup("Chrome/150.0.0.0");
	f->run.user_agent = xstrdup("Mozilla/5.0 HeadlessChrome");
	f->run.screenshots = f->shots;
	f->run.repeat = 1;
	f->opts.urls = f->urls;
	f->opts.nurls = npages;
	f->opts.repeat = 1;
	f->opts.width = 1350;
	f->opts.height = 940;
	f->opts.timeout_s = 30;
	budgets_defaults(&f->b);
}

static void fx_free(struct fx *f)
{
	for (size_t i = 0; i < f->run.npages; i++) {
		page_free(&f->pages[i]);
		free(f->shots[i]);
	}
	free(f->run.browser);
	free(f->run.user_agent);
}

/*
 * A finished request of the page, as page.c would have it: sizes and
 * timing known, a cache lifetime and no compression so that no header rule
 * fires unless a test sets its headers.
 */
static struct web_request *req(struct web_page *p, const char *url, const char *type, int status, double ms)
{
	if (p->nreq == p->capreq) {
		p->capreq = p->capreq ? p->capreq * 2 : 8;
		p->req = xrealloc(p->req, p->capreq * sizeof(*p->req));
	}
	struct web_request *q = xcalloc(1, sizeof(*q));
	char id[32];
	snprintf(id, sizeof(id), "%zu", p->nreq + 1);
	q->id = xstrdup(id);
	q->url = xstrdup(url);
	q->method = xstrdup("GET");
	q->type = xstrdup(type);
	q->protocol = xstrdup("http/1.1");
	q->status_text = xstrdup("OK");
	q->initiator = xstrdup("parser http://h.test/:3");
	q->status = status;
	q->finished = 1;
	q->start_ts = 100 + (double)p->nreq / 1000;
	q->duration_ms = ms;
	q->end_ts = ms >= 0 ? q->start_ts + ms / 1000 : 0;
	q->t = (struct web_timings){0, -1, -1, -1, 0.1, ms >= 0 ? ms * 0.8 : -1, ms >= 0 ? ms * 0.2 : -1};
	q->transferred = 1000;
	q->decoded = 800;
	q->headers_size = -1;
	q->request_headers_size = -1;
	q->request_headers = json_object();
	q->response_headers = json_pack("{s:s}", "Cache-Control", "public, max-age=86400");
	p->req[p->nreq++] = q;
	return q;
}

static void hdr(struct web_request *q, const char *name, const char *value)
{
	json_object_set_new(q->response_headers, name, json_string(value));
}

static struct web_request *no_headers(struct web_request *q)
{
	json_object_clear(q->response_headers);
	return q;
}

static void console(struct web_page *p, enum web_level l, const char *source, const char *text, const char *url,
		    long line)
{
	if (p->ncon == p->capcon) {
		p->capcon = p->capcon ? p->capcon * 2 : 8;
		p->con = xrealloc(p->con, p->capcon * sizeof(*p->con));
	}
	struct web_console *c = &p->con[p->ncon++];
	memset(c, 0, sizeof(*c));
	c->level = l;
	c->source = xstrdup(source);
	c->text = xstrdup(text);
	c->url = url ? xstrdup(url) : NULL;
	c->line = line;
}

static struct pa_result *build(struct fx *f, enum web_level min, const char *har)
{
	struct pa_result *r = web_result_build(&f->opts, &f->run, &f->b, min, har);
	assert_non_null(r);
	assert_string_equal(r->command, "web");
	return r;
}

static size_t count(const struct pa_result *r, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i]->rule, rule) == 0;
	return n;
}

/* The finding of rule at url (NULL for any), or NULL. */
static const struct pa_finding *get(const struct pa_result *r, const char *rule, const char *url)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct pa_finding *f = r->findings[i];
		if (strcmp(f->rule, rule) == 0 && (!url || (f->location.url && strcmp(f->location.url, url) == 0)))
			return f;
	}
	return NULL;
}

static json_t *page0(const struct pa_result *r)
{
	return json_array_get(json_object_get(r->metrics, "pages"), 0);
}

static void test_metrics_shape(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->status = 200;
	p->title = xstrdup("Home");
	p->v.ttfb = 12.5;
	p->v.load = 150;
	p->v.cls = 0;
	p->v.js_heap_used = 1234567;
	struct web_request *q = req(p, "http://h.test/", "Document", 200, 20);
	q->transferred = -1; /* unknown stays null */
	req(p, "http://h.test/a.png", "Image", 200, 10)->transferred = 5000;
	req(p, "http://h.test/b.png", "Image", 200, 10)->transferred = 7000;
	p->dropped_console = 3;
	struct pa_result *r = build(&f, WEB_INFO, NULL);

	json_t *urls = json_object_get(r->target, "urls");
	assert_int_equal(json_array_size(urls), 1);
	assert_string_equal(json_string_value(json_array_get(urls, 0)), "http://h.test/");
	json_t *m = r->metrics;
	assert_string_equal(json_string_value(json_object_get(m, "browser")), "Chrome/150.0.0.0");
	assert_string_equal(json_string_value(json_object_get(m, "user_agent")), "Mozilla/5.0 HeadlessChrome");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "viewport"), "width")), 1350);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "viewport"), "height")), 940);
	assert_true(json_is_false(json_object_get(m, "cold")));
	assert_int_equal(json_integer_value(json_object_get(m, "repeat")), 1);
	assert_true(json_is_null(json_object_get(m, "throttle")));
	assert_null(json_object_get(m, "interrupted"));

	json_t *pg = page0(r);
	assert_string_equal(json_string_value(json_object_get(pg, "url")), "http://h.test/");
	assert_string_equal(json_string_value(json_object_get(pg, "title")), "Home");
	assert_int_equal(json_integer_value(json_object_get(pg, "status")), 200);
	assert_null(json_object_get(pg, "error"));
	assert_true(json_is_null(json_object_get(pg, "final_url")));
	assert_true(json_number_value(json_object_get(pg, "ttfb_ms")) == 12.5);
	assert_true(json_number_value(json_object_get(pg, "load_ms")) == 150);
	assert_true(json_is_number(json_object_get(pg, "cls")) && json_number_value(json_object_get(pg, "cls")) == 0);
	static const char *const unknown[] = {"dom_content_loaded_ms", "fcp_ms", "lcp_ms", "js_heap_total_bytes",
					      "dom_nodes", "script_ms", "layout_ms"};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		json_t *v = json_object_get(pg, unknown[i]);
		if (!json_is_null(v))
			fail_msg("'%s' should be null (unknown), is %s", unknown[i], v ? "a value" : "absent");
	}
	assert_int_equal(json_integer_value(json_object_get(pg, "js_heap_used_bytes")), 1234567);
	assert_int_equal(json_integer_value(json_object_get(pg, "request_count")), 3);
	assert_int_equal(json_integer_value(json_object_get(pg, "failed_requests")), 0);
	assert_int_equal(json_integer_value(json_object_get(pg, "transferred_bytes")), 12000);
	assert_int_equal(json_integer_value(json_object_get(pg, "decoded_bytes")), 2400);
	json_t *img = json_object_get(json_object_get(pg, "by_type"), "Image");
	assert_int_equal(json_integer_value(json_object_get(img, "requests")), 2);
	assert_int_equal(json_integer_value(json_object_get(img, "transferred_bytes")), 12000);
	assert_null(json_object_get(pg, "load_runs_ms"));
	assert_null(json_object_get(pg, "dropped_requests"));
	assert_int_equal(json_integer_value(json_object_get(pg, "dropped_console")), 3);

	json_t *reqs = json_object_get(pg, "requests");
	assert_true(json_is_array(reqs));
	json_t *doc = json_array_get(reqs, 0);
	static const char *const keys[] = {"url",          "method",        "type",        "status",
					   "status_text",  "protocol",      "mime",        "transferred_bytes",
					   "decoded_bytes", "from_cache",   "duration_ms", "timings",
					   "initiator",    "render_blocking"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(doc, keys[i]))
			fail_msg("request key '%s' missing", keys[i]);
	assert_string_equal(json_string_value(json_object_get(doc, "type")), "Document");
	assert_true(json_is_null(json_object_get(doc, "transferred_bytes")));
	assert_true(json_is_null(json_object_get(doc, "mime")));
	assert_null(json_object_get(doc, "error"));
	json_t *t = json_object_get(doc, "timings");
	assert_true(json_is_null(json_object_get(t, "dns")));
	assert_true(json_number_value(json_object_get(t, "wait")) == 16);
	assert_true(json_number_value(json_object_get(t, "blocked")) == 0);

	json_t *cc = json_object_get(pg, "console_counts");
	assert_int_equal(json_integer_value(json_object_get(cc, "error")), 0);
	assert_int_equal(json_integer_value(json_object_get(cc, "debug")), 0);
	assert_int_equal(json_array_size(json_object_get(pg, "console")), 0);
	assert_int_equal(r->nartifacts, 0);
	result_free(r);

	/* repeat, cold, throttle, interruption */
	f.opts.cold = 1;
	f.opts.repeat = f.run.repeat = 3;
	f.opts.throttle = (struct web_throttle){"slow-4g", 150, 1638.4, 675, 4};
	f.run.load_runs = f.runs;
	f.runs[0] = 140;
	f.runs[1] = 150;
	f.runs[2] = -1;
	f.run.interrupted = 1;
	r = build(&f, WEB_INFO, NULL);
	m = r->metrics;
	assert_true(json_is_true(json_object_get(m, "cold")));
	assert_true(json_is_true(json_object_get(m, "interrupted")));
	assert_int_equal(json_integer_value(json_object_get(m, "repeat")), 3);
	json_t *th = json_object_get(m, "throttle");
	assert_string_equal(json_string_value(json_object_get(th, "name")), "slow-4g");
	assert_true(json_number_value(json_object_get(th, "latency_ms")) == 150);
	assert_true(json_number_value(json_object_get(th, "down_kbps")) == 1638.4);
	assert_true(json_number_value(json_object_get(th, "up_kbps")) == 675);
	assert_true(json_number_value(json_object_get(th, "cpu_rate")) == 4);
	json_t *runs = json_object_get(page0(r), "load_runs_ms");
	assert_int_equal(json_array_size(runs), 3);
	assert_true(json_number_value(json_array_get(runs, 1)) == 150);
	assert_true(json_is_null(json_array_get(runs, 2)));
	result_free(r);
	fx_free(&f);
}

static void test_requests_sorted(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	req(p, "http://h.test/a", "Script", 200, 100);
	req(p, "http://h.test/b", "Script", 200, 450);
	struct web_request *fl = req(p, "http://h.test/inflight", "XHR", 0, -1);
	fl->finished = 0;
	req(p, "http://h.test/c", "Script", 200, 300);
	req(p, "http://h.test/d", "Script", 200, 300);
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	json_t *reqs = json_object_get(page0(r), "requests");
	static const char *const want[] = {"http://h.test/b", "http://h.test/c", "http://h.test/d", "http://h.test/a",
					   "http://h.test/inflight"};
	assert_int_equal(json_array_size(reqs), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, i), "url")), want[i]);
	json_t *last = json_array_get(reqs, 4);
	assert_true(json_is_null(json_object_get(last, "duration_ms")));
	assert_true(json_is_null(json_object_get(last, "status")));
	result_free(r);
	fx_free(&f);
}

static void test_page_budget(void **state)
{
	(void)state;
	static const struct {
		double ms;
		int fires;
		enum pa_severity sev;
	} cases[] = {
		{-1, 0, 0},    {150, 0, 0},   {199.9, 0, 0},          {200, 1, PA_SEV_MEDIUM},
		{1000, 1, PA_SEV_MEDIUM}, {1000.5, 1, PA_SEV_HIGH}, {2000, 1, PA_SEV_HIGH}, {2001, 1, PA_SEV_CRITICAL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		fx_init(&f, 1);
		f.pages[0].v.load = cases[i].ms;
		f.pages[0].v.lcp = cases[i].ms;
		f.pages[0].v.fcp = 100;
		req(&f.pages[0], "http://h.test/", "Document", 200, 50);
		struct pa_result *r = build(&f, WEB_INFO, NULL);
		assert_int_equal(count(r, "slow-page-load"), cases[i].fires);
		assert_int_equal(count(r, "slow-lcp"), cases[i].fires);
		if (cases[i].fires) {
			const struct pa_finding *a = get(r, "slow-page-load", "http://h.test/");
			const struct pa_finding *b = get(r, "slow-lcp", "http://h.test/");
			assert_non_null(a);
			assert_non_null(b);
			assert_int_equal(a->severity, cases[i].sev);
			assert_int_equal(b->severity, cases[i].sev);
			assert_true(json_number_value(json_object_get(a->evidence, "load_ms")) == cases[i].ms);
			assert_true(json_number_value(json_object_get(b->evidence, "lcp_ms")) == cases[i].ms);
			assert_true(a->has_impact_score && a->impact_score == cases[i].ms);
			assert_non_null(a->problem);
			assert_non_null(a->solution);
			assert_string_equal(finding_escalation(a), cases[i].sev == PA_SEV_CRITICAL ? "/dev + /tl" : "/dev");
		}
		result_free(r);
		fx_free(&f);
	}
	/* an overridden budget moves the lines */
	struct fx f;
	fx_init(&f, 1);
	struct perr e;
	assert_int_equal(budgets_override(&f.b, "page_render=1s:3s", &e), 0);
	f.pages[0].v.load = 900;
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "slow-page-load"), 0);
	assert_int_equal(count(r, "slow-lcp"), 0); /* LCP unknown */
	result_free(r);
	fx_free(&f);
}

static void test_slow_request(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	req(p, "http://h.test/exact", "XHR", 200, 500);
	struct web_request *srv = req(p, "http://h.test/api/slow", "XHR", 200, 800);
	srv->t.wait = 780;
	srv->t.receive = 15;
	struct web_request *big = req(p, "http://h.test/big.js", "Script", 200, 900);
	big->t.wait = 50;
	big->t.receive = 840;
	struct web_request *crit = req(p, "http://h.test/api/crit", "Fetch", 200, 2500);
	crit->t.wait = 2400;
	struct web_request *cancel = req(p, "http://h.test/canceled", "XHR", 0, 900);
	cancel->failed = cancel->canceled = 1;
	cancel->error = xstrdup("net::ERR_ABORTED");
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "slow-request"), 3);
	assert_null(get(r, "slow-request", "http://h.test/exact"));
	assert_null(get(r, "slow-request", "http://h.test/canceled"));
	const struct pa_finding *a = get(r, "slow-request", "http://h.test/api/slow");
	assert_non_null(a);
	assert_int_equal(a->severity, PA_SEV_MEDIUM);
	assert_true(json_number_value(json_object_get(a->evidence, "duration_ms")) == 800);
	assert_true(json_number_value(json_object_get(a->evidence, "wait_ms")) == 780);
	assert_string_equal(json_string_value(json_object_get(a->evidence, "type")), "XHR");
	assert_int_equal(json_integer_value(json_object_get(a->evidence, "status")), 200);
	assert_non_null(strstr(a->problem, "on the server"));
	assert_non_null(strstr(a->solution, "perfagent load http://h.test/api/slow"));
	const struct pa_finding *b = get(r, "slow-request", "http://h.test/big.js");
	assert_non_null(b);
	assert_non_null(strstr(b->problem, "Downloading the body"));
	assert_non_null(strstr(b->solution, "compress"));
	const struct pa_finding *c = get(r, "slow-request", "http://h.test/api/crit");
	assert_non_null(c);
	assert_int_equal(c->severity, PA_SEV_CRITICAL);
	assert_string_equal(c->escalate_to, "/dev + /tl");
	assert_true(c->impact_score == 2500);
	result_free(r);
	fx_free(&f);
}

static void test_sizes(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	struct web_request *q;
	q = req(p, "http://h.test/1mb.json", "XHR", 200, 50);
	q->decoded = MiB;
	q->transferred = 100000;
	q = req(p, "http://h.test/big.json", "XHR", 200, 50);
	q->decoded = MiB + 1;
	q = req(p, "http://h.test/wire.bin", "Other", 200, 50);
	q->decoded = -1;
	q->transferred = 2 * MiB;
	q = req(p, "http://h.test/200k.jpg", "Image", 200, 50);
	q->transferred = 200 * 1024;
	q->decoded = 200 * 1024;
	q = req(p, "http://h.test/hdrs.jpg", "Image", 200, 50);
	q->transferred = 200 * 1024 + 300; /* 300 bytes of it are headers */
	q->headers_size = 300;
	q->decoded = 200 * 1024;
	q = req(p, "http://h.test/large.jpg", "Image", 200, 50);
	q->transferred = 200 * 1024 + 1;
	q->decoded = 200 * 1024 + 1;
	q = req(p, "http://h.test/cached.jpg", "Image", 200, 50);
	q->from_cache = 1;
	q->transferred = 0;
	q->decoded = 300 * 1024;
	q = req(p, "http://h.test/huge.jpg", "Image", 200, 50);
	q->transferred = 3 * MiB;
	q->decoded = 3 * MiB;
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "large-payload"), 3);
	assert_null(get(r, "large-payload", "http://h.test/1mb.json"));
	assert_non_null(get(r, "large-payload", "http://h.test/big.json"));
	assert_non_null(get(r, "large-payload", "http://h.test/wire.bin"));
	const struct pa_finding *h = get(r, "large-payload", "http://h.test/huge.jpg");
	assert_non_null(h);
	assert_int_equal(h->severity, PA_SEV_MEDIUM);
	assert_non_null(strstr(h->solution, "WebP"));
	assert_non_null(strstr(get(r, "large-payload", "http://h.test/big.json")->solution, "Paginate"));
	assert_int_equal(count(r, "large-image"), 2);
	assert_null(get(r, "large-image", "http://h.test/200k.jpg"));
	assert_null(get(r, "large-image", "http://h.test/hdrs.jpg"));
	assert_null(get(r, "large-image", "http://h.test/huge.jpg")); /* large-payload wins */
	const struct pa_finding *l = get(r, "large-image", "http://h.test/large.jpg");
	assert_non_null(l);
	assert_int_equal(l->severity, PA_SEV_LOW);
	assert_int_equal(json_integer_value(json_object_get(l->evidence, "body_bytes")), 200 * 1024 + 1);
	assert_non_null(get(r, "large-image", "http://h.test/cached.jpg"));
	result_free(r);
	fx_free(&f);
}

static void test_request_count(void **state)
{
	(void)state;
	for (int n = 50; n <= 51; n++) {
		struct fx f;
		fx_init(&f, 1);
		f.pages[0].v.load = 100;
		for (int i = 0; i < n; i++) {
			char u[64];
			snprintf(u, sizeof(u), "http://h.test/i%d.png", i);
			req(&f.pages[0], u, "Image", 200, 5);
		}
		struct pa_result *r = build(&f, WEB_INFO, NULL);
		assert_int_equal(count(r, "too-many-requests"), n > 50);
		if (n > 50) {
			const struct pa_finding *t = get(r, "too-many-requests", "http://h.test/");
			assert_int_equal(t->severity, PA_SEV_MEDIUM);
			assert_int_equal(json_integer_value(json_object_get(t->evidence, "request_count")), 51);
			assert_int_equal(json_integer_value(json_object_get(json_object_get(t->evidence, "by_type"), "Image")), 51);
		}
		result_free(r);
		fx_free(&f);
	}
}

static void test_compression(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	struct web_request *q;
	q = req(p, "http://h.test/app.css", "Stylesheet", 200, 10);
	q->mime = xstrdup("text/css");
	q->decoded = 5000;
	q = req(p, "http://h.test/data", "XHR", 200, 10);
	q->mime = xstrdup("application/ld+json; charset=utf-8");
	q->decoded = 1400;
	q = req(p, "http://h.test/icon.svg", "Image", 200, 10);
	q->mime = xstrdup("image/svg+xml");
	q->decoded = 3000;
	/* not flagged: */
	q = req(p, "http://h.test/gz.js", "Script", 200, 10);
	q->mime = xstrdup("application/javascript");
	q->decoded = 50000;
	hdr(q, "CoNtEnT-EnCoDiNg", "gzip");
	q = req(p, "http://h.test/br.html", "Document", 200, 10);
	q->mime = xstrdup("text/html");
	q->decoded = 50000;
	hdr(q, "content-encoding", "br");
	q = req(p, "http://h.test/small.css", "Stylesheet", 200, 10);
	q->mime = xstrdup("text/css");
	q->decoded = 1399;
	q = req(p, "http://h.test/cached.css", "Stylesheet", 200, 10);
	q->mime = xstrdup("text/css");
	q->decoded = 9000;
	q->from_cache = 1;
	q = req(p, "http://h.test/304.css", "Stylesheet", 304, 10);
	q->mime = xstrdup("text/css");
	q->decoded = 9000;
	q = req(p, "http://h.test/photo.png", "Image", 200, 10);
	q->mime = xstrdup("image/png");
	q->decoded = 90000;
	q = req(p, "data:text/css,body{}", "Stylesheet", 200, 0);
	q->mime = xstrdup("text/css");
	q->decoded = 9000;
	/* the second page is all compressed */
	q = req(&f.pages[1], "http://h.test/two", "Document", 200, 10);
	q->mime = xstrdup("text/html");
	q->decoded = 9000;
	hdr(q, "Content-Encoding", "zstd");
	f.pages[1].v.load = 100;
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "uncompressed-text"), 1);
	const struct pa_finding *u = get(r, "uncompressed-text", "http://h.test/");
	assert_non_null(u);
	assert_int_equal(u->severity, PA_SEV_LOW);
	assert_int_equal(json_integer_value(json_object_get(u->evidence, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(u->evidence, "bytes")), 9400);
	json_t *urls = json_object_get(u->evidence, "urls");
	assert_int_equal(json_array_size(urls), 3);
	assert_string_equal(json_string_value(json_array_get(urls, 0)), "http://h.test/app.css");
	assert_non_null(strstr(u->solution, "gzip"));
	result_free(r);
	fx_free(&f);

	/* many: the list stops at 10, the count does not */
	fx_init(&f, 1);
	for (int i = 0; i < 12; i++) {
		char url[64];
		snprintf(url, sizeof(url), "http://h.test/%d.css", i);
		q = req(&f.pages[0], url, "Stylesheet", 200, 10);
		q->mime = xstrdup("text/css");
		q->decoded = 2000;
	}
	r = build(&f, WEB_INFO, NULL);
	u = get(r, "uncompressed-text", NULL);
	assert_non_null(u);
	assert_int_equal(json_integer_value(json_object_get(u->evidence, "count")), 12);
	assert_int_equal(json_array_size(json_object_get(u->evidence, "urls")), 10);
	result_free(r);
	fx_free(&f);
}

static void test_cache_headers(void **state)
{
	(void)state;
	static const struct {
		const char *name, *value, *name2, *value2;
		int flagged;
	} cases[] = {
		{"Cache-Control", "max-age=0", NULL, NULL, 1},
		{"cache-control", "no-store", NULL, NULL, 1},
		{"Cache-Control", "max-age=3600, no-cache", NULL, NULL, 1},
		{"Cache-Control", "private", NULL, NULL, 1},
		{"CACHE-CONTROL", "max-age=3600", NULL, NULL, 0},
		{"cache-control", "public, s-maxage=600", NULL, NULL, 0},
		{"Cache-Control", "public,max-age=\"31536000\"", NULL, NULL, 0},
		{"Cache-Control", "immutable", NULL, NULL, 0},
		{"Expires", "Thu, 01 Dec 2044 16:00:00 GMT", "Date", "Mon, 01 Dec 2025 16:00:00 GMT", 0},
		{"expires", "Thu, 01 Dec 1994 16:00:00 GMT", "Date", "Mon, 01 Dec 2025 16:00:00 GMT", 1},
		{"Expires", "0", NULL, NULL, 1},
		{"Expires", "Thu, 01 Dec 2044 16:00:00 GMT", "Cache-Control", "max-age=0", 1},
		{NULL, NULL, NULL, NULL, 1}, /* no headers at all */
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	for (size_t i = 0; i < n; i++) {
		struct fx f;
		fx_init(&f, 1);
		f.pages[0].v.load = 100;
		struct web_request *q = req(&f.pages[0], "http://h.test/app.js", "Script", 200, 10);
		no_headers(q);
		if (cases[i].name)
			hdr(q, cases[i].name, cases[i].value);
		if (cases[i].name2)
			hdr(q, cases[i].name2, cases[i].value2);
		/* never flagged: a document, an XHR, a cached or a 304 asset */
		no_headers(req(&f.pages[0], "http://h.test/", "Document", 200, 10));
		no_headers(req(&f.pages[0], "http://h.test/api", "XHR", 200, 10));
		no_headers(req(&f.pages[0], "http://h.test/c.css", "Stylesheet", 200, 10))->from_cache = 1;
		no_headers(req(&f.pages[0], "http://h.test/n.woff2", "Font", 304, 10));
		struct pa_result *r = build(&f, WEB_INFO, NULL);
		if (count(r, "no-cache-headers") != (size_t)cases[i].flagged)
			fail_msg("case %zu (%s: %s): flagged %zu, want %d", i, cases[i].name ? cases[i].name : "-",
				 cases[i].value ? cases[i].value : "-", count(r, "no-cache-headers"), cases[i].flagged);
		if (cases[i].flagged) {
			const struct pa_finding *c = get(r, "no-cache-headers", "http://h.test/");
			assert_int_equal(c->severity, PA_SEV_LOW);
			assert_int_equal(json_integer_value(json_object_get(c->evidence, "count")), 1);
			assert_string_equal(json_string_value(json_array_get(json_object_get(c->evidence, "urls"), 0)),
					    "http://h.test/app.js");
		}
		result_free(r);
		fx_free(&f);
	}
}

static void test_console(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	console(p, WEB_DEBUG, "console", "dbg", NULL, 0);
	console(p, WEB_INFO, "console", "hello", "http://h.test/app.js", 3);
	console(p, WEB_WARNING, "console", "careful", "http://h.test/app.js", 7);
	console(p, WEB_ERROR, "exception", "Uncaught TypeError: x is undefined", "http://h.test/app.js", 12);
	console(p, WEB_ERROR, "network", "Failed to load resource: 404", "http://h.test/missing.png", 0);
	console(p, WEB_ERROR, "console", "boom", "http://h.test/app.js", 20);

	struct pa_result *r = build(&f, WEB_WARNING, NULL);
	json_t *pg = page0(r);
	json_t *con = json_object_get(pg, "console");
	assert_int_equal(json_array_size(con), 4);
	json_t *c0 = json_array_get(con, 0);
	assert_string_equal(json_string_value(json_object_get(c0, "level")), "warning");
	assert_string_equal(json_string_value(json_object_get(c0, "source")), "console");
	assert_string_equal(json_string_value(json_object_get(c0, "text")), "careful");
	assert_string_equal(json_string_value(json_object_get(c0, "url")), "http://h.test/app.js");
	assert_int_equal(json_integer_value(json_object_get(c0, "line")), 7);
	assert_true(json_is_null(json_object_get(c0, "column")));
	json_t *cc = json_object_get(pg, "console_counts");
	assert_int_equal(json_integer_value(json_object_get(cc, "debug")), 1);
	assert_int_equal(json_integer_value(json_object_get(cc, "info")), 1);
	assert_int_equal(json_integer_value(json_object_get(cc, "warning")), 1);
	assert_int_equal(json_integer_value(json_object_get(cc, "error")), 3);
	assert_string_equal(json_string_value(json_object_get(r->metrics, "console_level")), "warning");

	const struct pa_finding *e = get(r, "console-error", "http://h.test/");
	assert_non_null(e);
	assert_int_equal(e->severity, PA_SEV_MEDIUM);
	assert_int_equal(json_integer_value(json_object_get(e->evidence, "count")), 2); /* not the network one */
	assert_int_equal(json_integer_value(json_object_get(e->evidence, "exceptions")), 1);
	json_t *m0 = json_array_get(json_object_get(e->evidence, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(m0, "location")), "http://h.test/app.js:12");
	assert_non_null(strstr(e->problem, "Uncaught TypeError"));
	assert_non_null(strstr(e->problem, "app.js:12"));
	const struct pa_finding *w = get(r, "console-warning", "http://h.test/");
	assert_non_null(w);
	assert_int_equal(w->severity, PA_SEV_LOW);
	assert_int_equal(count(r, "console-error"), 1);
	result_free(r);

	r = build(&f, WEB_DEBUG, NULL);
	assert_int_equal(json_array_size(json_object_get(page0(r), "console")), 6);
	result_free(r);

	/* --console-level error: warnings are neither listed nor a finding */
	r = build(&f, WEB_ERROR, NULL);
	assert_int_equal(json_array_size(json_object_get(page0(r), "console")), 3);
	assert_int_equal(count(r, "console-warning"), 0);
	assert_int_equal(count(r, "console-error"), 1);
	result_free(r);
	fx_free(&f);

	/* a quiet page has neither */
	fx_init(&f, 1);
	console(&f.pages[0], WEB_INFO, "console", "hi", NULL, 0);
	r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "console-error") + count(r, "console-warning"), 0);
	result_free(r);
	fx_free(&f);
}

static void test_failed_requests(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->v.load = 100;
	req(p, "http://h.test/gone.js", "Script", 404, 10);
	struct web_request *q = req(p, "http://other.test/x.png", "Image", 0, 10);
	q->failed = 1;
	q->error = xstrdup("net::ERR_CONNECTION_REFUSED");
	q = req(p, "http://h.test/aborted", "XHR", 0, 10);
	q->failed = q->canceled = 1;
	q->error = xstrdup("net::ERR_ABORTED");
	req(p, "http://h.test/api", "XHR", 500, 10);
	req(p, "http://h.test/redir", "Document", 302, 10);
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "failed-request"), 3);
	const struct pa_finding *a = get(r, "failed-request", "http://h.test/gone.js");
	assert_int_equal(a->severity, PA_SEV_MEDIUM);
	assert_int_equal(json_integer_value(json_object_get(a->evidence, "status")), 404);
	assert_non_null(strstr(a->title, "404"));
	const struct pa_finding *b = get(r, "failed-request", "http://other.test/x.png");
	assert_int_equal(b->severity, PA_SEV_LOW);
	assert_string_equal(json_string_value(json_object_get(b->evidence, "error")), "net::ERR_CONNECTION_REFUSED");
	assert_non_null(get(r, "failed-request", "http://h.test/api"));
	assert_int_equal(json_integer_value(json_object_get(page0(r), "failed_requests")), 3);
	json_t *reqs = json_object_get(page0(r), "requests");
	size_t i;
	json_t *x;
	int saw_error = 0;
	json_array_foreach(reqs, i, x) {
		const char *u = json_string_value(json_object_get(x, "url"));
		if (strcmp(u, "http://other.test/x.png") == 0) {
			assert_string_equal(json_string_value(json_object_get(x, "error")), "net::ERR_CONNECTION_REFUSED");
			saw_error = 1;
		} else if (strcmp(u, "http://h.test/gone.js") == 0) {
			assert_null(json_object_get(x, "error"));
		}
	}
	assert_true(saw_error);
	result_free(r);
	fx_free(&f);

	/* at most 20 per page */
	fx_init(&f, 1);
	for (int k = 0; k < 25; k++) {
		char u[64];
		snprintf(u, sizeof(u), "http://h.test/missing%d.png", k);
		req(&f.pages[0], u, "Image", 404, 10);
	}
	r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "failed-request"), 20);
	result_free(r);
	fx_free(&f);
}

static void test_render_blocking(void **state)
{
	(void)state;
	for (int late = 0; late <= 1; late++) {
		struct fx f;
		fx_init(&f, 1);
		struct web_page *p = &f.pages[0];
		p->v.load = 100;
		p->v.fcp = late ? 300 : 150;
		req(p, "http://h.test/head.css", "Stylesheet", 200, 30)->render_blocking = 1;
		req(p, "http://h.test/head.js", "Script", 200, 40)->render_blocking = 1;
		req(p, "http://h.test/body.js", "Script", 200, 40);
		struct pa_result *r = build(&f, WEB_INFO, NULL);
		assert_int_equal(count(r, "render-blocking"), 1);
		const struct pa_finding *b = get(r, "render-blocking", "http://h.test/");
		assert_int_equal(b->severity, late ? PA_SEV_MEDIUM : PA_SEV_LOW);
		assert_int_equal(json_integer_value(json_object_get(b->evidence, "count")), 2);
		assert_int_equal(json_array_size(json_object_get(b->evidence, "urls")), 2);
		json_t *reqs = json_object_get(page0(r), "requests");
		int blocking = 0;
		for (size_t i = 0; i < json_array_size(reqs); i++)
			blocking += json_is_true(json_object_get(json_array_get(reqs, i), "render_blocking"));
		assert_int_equal(blocking, 2);
		result_free(r);
		fx_free(&f);
	}
	struct fx f;
	fx_init(&f, 1);
	req(&f.pages[0], "http://h.test/body.js", "Script", 200, 40);
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "render-blocking"), 0);
	result_free(r);
	fx_free(&f);
}

static void test_load_failed(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2);
	f.pages[0].error = xstrdup("net::ERR_CONNECTION_REFUSED");
	struct web_request *q = req(&f.pages[0], "http://h.test/", "Document", 0, 3);
	q->failed = 1;
	q->error = xstrdup("net::ERR_CONNECTION_REFUSED");
	f.pages[1].v.load = 100;
	f.pages[1].status = 200;
	struct pa_result *r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "page-load-failed"), 1);
	const struct pa_finding *a = get(r, "page-load-failed", "http://h.test/");
	assert_int_equal(a->severity, PA_SEV_HIGH);
	assert_non_null(strstr(a->title, "ERR_CONNECTION_REFUSED"));
	/* the navigation's own failure is not also a failed request */
	assert_int_equal(count(r, "failed-request"), 0);
	json_t *pg = page0(r);
	assert_string_equal(json_string_value(json_object_get(pg, "error")), "net::ERR_CONNECTION_REFUSED");
	assert_true(json_is_null(json_object_get(pg, "status")));
	assert_true(json_is_null(json_object_get(pg, "load_ms")));
	assert_int_equal(count(r, "slow-page-load"), 0);
	result_free(r);
	fx_free(&f);

	/* a load that timed out; a page that loaded and then lost its screenshot */
	fx_init(&f, 2);
	f.pages[0].error = xstrdup("the load event did not fire within 30 s");
	f.pages[0].load_timed_out = 1;
	f.pages[1].error = xstrdup("screenshot: the browser did not answer");
	f.pages[1].load_fired = 1;
	f.pages[1].v.load = 120;
	r = build(&f, WEB_INFO, NULL);
	assert_int_equal(count(r, "page-load-failed"), 2);
	a = get(r, "page-load-failed", "http://h.test/");
	assert_int_equal(a->severity, PA_SEV_HIGH);
	assert_non_null(strstr(a->solution, "--timeout"));
	a = get(r, "page-load-failed", "http://h.test/two");
	assert_int_equal(a->severity, PA_SEV_MEDIUM);
	assert_non_null(strstr(a->title, "Page audit incomplete"));
	result_free(r);
	fx_free(&f);
}

static void test_artifacts(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 3);
	f.shots[0] = xstrdup("out/page.png");
	f.shots[2] = xstrdup("out/page-3.png");
	struct pa_result *r = build(&f, WEB_INFO, "out/run.har");
	assert_int_equal(r->nartifacts, 3);
	assert_string_equal(r->artifacts[0].kind, "screenshot");
	assert_string_equal(r->artifacts[0].path, "out/page.png");
	assert_string_equal(r->artifacts[1].kind, "screenshot");
	assert_string_equal(r->artifacts[1].path, "out/page-3.png");
	assert_string_equal(r->artifacts[2].kind, "har");
	assert_string_equal(r->artifacts[2].path, "out/run.har");
	assert_int_equal(json_array_size(json_object_get(r->target, "urls")), 3);
	assert_int_equal(json_array_size(json_object_get(r->metrics, "pages")), 3);
	result_free(r);
	f.run.screenshots = NULL;
	r = build(&f, WEB_INFO, NULL);
	assert_int_equal(r->nartifacts, 0);
	result_free(r);
	fx_free(&f);
}

__attribute__((noinline)) static char *human(const struct pa_result *r)
{
	char *s = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&s, &n);
	assert_non_null(mem);
	web_print_human(r, mem);
	fclose(mem);
	return s;
}

static void test_human(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 1);
	struct web_page *p = &f.pages[0];
	p->status = 200;
	p->title = xstrdup("Shop");
	p->v.ttfb = 20;
	p->v.dom_content_loaded = 180;
	p->v.load = 1500;
	p->v.fcp = 190;
	p->v.lcp = 400;
	p->v.cls = 0.125;
	p->v.js_heap_used = 3 * MiB;
	req(p, "http://h.test/", "Document", 200, 30);
	for (int i = 0; i < 34; i++) {
		char u[64];
		snprintf(u, sizeof(u), "http://h.test/static/img%02d.png", i);
		req(p, u, "Image", 200, 10 + i);
	}
	req(p, "http://h.test/api/slow-endpoint", "XHR", 200, 1234);
	struct web_request *q = req(p, "http://cdn.test/missing.js", "Script", 404, 45);
	q->render_blocking = 1;
	console(p, WEB_ERROR, "exception", "Uncaught Error: boom\n    at app.js:1", "http://h.test/app.js", 12);
	struct pa_result *r = build(&f, WEB_INFO, "out.har");
	char *s = human(r);
	assert_non_null(strstr(s, "http://h.test/  200  \"Shop\""));
	assert_non_null(strstr(s, "TTFB 20ms"));
	assert_non_null(strstr(s, "LCP 400ms"));
	assert_non_null(strstr(s, "CLS 0.125"));
	assert_non_null(strstr(s, "37 requests"));
	assert_non_null(strstr(s, "JS heap 3 MB"));
	/* the slow URL is the first row of the table, before every image */
	const char *head = strstr(s, "duration");
	assert_non_null(head);
	const char *slow = strstr(head, "/api/slow-endpoint");
	const char *img = strstr(head, "/static/img");
	assert_non_null(slow);
	assert_non_null(img);
	assert_true(slow < img);
	assert_non_null(strstr(s, "1.23s"));
	assert_non_null(strstr(s, "... 7 more (see --json or --har)"));
	assert_non_null(strstr(s, "img33.png")); /* 43ms: in the top 30 */
	assert_null(strstr(s, "img00.png"));     /* 10ms: not */
	assert_non_null(strstr(s, "! b http://cdn.test/missing.js\n")); /* another origin keeps its host */
	assert_non_null(strstr(s, "! failed"));
	/* the console message on one line */
	assert_non_null(strstr(s, "exception  /app.js:12  Uncaught Error: boom...\n"));
	assert_null(strstr(s, "    at app.js:1"));
	assert_non_null(strstr(s, "Findings ("));
	assert_non_null(strstr(s, "slow-request"));
	assert_non_null(strstr(s, "HAR: out.har"));
	/* the same view from the result read back from its JSON */
	char *json = result_dumps(r);
	struct pa_result *back;
	struct perr e;
	assert_int_equal(result_from_string(json, strlen(json), "web.json", &back, &e), 0);
	char *s2 = human(back);
	assert_string_equal(s, s2);
	free(s2);
	result_free(back);
	free(json);
	free(s);
	result_free(r);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_shape),
		cmocka_unit_test(test_requests_sorted),
		cmocka_unit_test(test_page_budget),
		cmocka_unit_test(test_slow_request),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_request_count),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_cache_headers),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_failed_requests),
		cmocka_unit_test(test_render_blocking),
		cmocka_unit_test(test_load_failed),
		cmocka_unit_test(test_artifacts),
		cmocka_unit_test(test_human),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
