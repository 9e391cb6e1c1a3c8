/*
 * result: what `perfagent web` saw, as a perfagent.result/1 document and
 * as the terminal view.
 *
 * web_result_build() turns the pages of a run into metrics (every request,
 * the console, the page's own timing; docs/web.md lists the keys) and into
 * findings a web developer can act on: the load and LCP against the page
 * budget, slow and failed requests, heavy responses, missing compression
 * and cache lifetimes, console errors, render-blocking resources.
 *
 * web_print_human() reads everything back from the result's JSON, never
 * from the run, so a result loaded from a file prints the same view.
 *
 * Unknown values (-1 in struct web_page) are written as JSON null, never
 * as -1 or 0: a reader must not mistake "not measured" for "instant".
 */
#include "web.h"
#include "../core/buf.h"
#include "../core/jsonx.h"
#include "../core/units.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The rules' thresholds; docs/web.md's findings table says the same. */
#define SLOW_REQUEST_MS 500.0     /* the seed's "requests over 500 ms" */
#define ESCALATE_MS 2000.0        /* the seed's ">2 s response: critical, /dev + /tl" */
#define LARGE_PAYLOAD_BYTES (1024 * 1024)
#define LARGE_IMAGE_BYTES (200 * 1024)
#define MANY_REQUESTS 50
#define COMPRESS_MIN_BYTES 1400   /* below one packet compression gains nothing */
#define MAX_FAILED_FINDINGS 20    /* failed-request findings per page */
#define LIST_MAX 10               /* URLs listed in one finding's evidence */
#define CONSOLE_EVIDENCE 5        /* messages quoted in a console finding */

/* The human view's bounds. */
#define TABLE_ROWS 30
#define CONSOLE_ROWS 20
#define URL_WIDTH 72
#define TEXT_WIDTH 110

/* ---- small JSON helpers ---- */

/* v rounded to 1/scale, or null when unknown (negative or not finite). */
static json_t *jnum_scaled(double v, double scale)
{
	if (!isfinite(v) || v < 0)
		return json_null();
	return json_real(round(v * scale) / scale);
}

static json_t *jms(double v)
{
	return jnum_scaled(v, 1000);
}

static json_t *jbytes(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *jstr(const char *s)
{
	return s ? jsonx_string(s) : json_null();
}

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v);
}

/* ---- reading a request ---- */

/* A header's value, the name matched case-insensitively (HTTP/2 sends
 * lower case, HTTP/1.1 servers any case). NULL when absent. */
static const char *header(const json_t *headers, const char *name)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)headers, k, v) {
		if (strcasecmp(k, name) == 0 && json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

static int is_type(const struct web_request *q, const char *type)
{
	return q->type && strcmp(q->type, type) == 0;
}

static int is_http(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

/* Failed as the failed-request rule counts it: a transport error that was
 * not the page canceling the request itself, or an HTTP error status. */
static int req_failed(const struct web_request *q)
{
	return (q->failed && !q->canceled) || q->status >= 400;
}

/* The larger of the decoded and transferred sizes; -1 when neither is known. */
static int64_t req_size(const struct web_request *q)
{
	return q->decoded > q->transferred ? q->decoded : q->transferred;
}

/*
 * The body's bytes on the wire: transferred minus the response headers
 * when Chromium said how large they were. A response from the cache moved
 * nothing (or only a revalidation), so then, and when the transfer is not
 * known, the decoded size stands in: what a first visit downloads.
 */
static int64_t wire_body(const struct web_request *q)
{
	if (q->from_cache || q->transferred <= 0)
		return q->decoded;
	if (q->headers_size >= 0 && q->transferred >= q->headers_size)
		return q->transferred - q->headers_size;
	return q->transferred;
}

/* Text worth compressing: text/ types, JavaScript, JSON, XML, SVG and the +json / +xml families. */
static int mime_is_text(const char *mime)
{
	if (!mime)
		return 0;
	char m[128];
	size_t n = 0;
	while (mime[n] && mime[n] != ';' && n < sizeof(m) - 1) {
		m[n] = (char)tolower((unsigned char)mime[n]);
		n++;
	}
	while (n > 0 && isspace((unsigned char)m[n - 1]))
		n--;
	m[n] = '\0';
	static const char *const exact[] = {
		"application/javascript", "application/x-javascript", "application/ecmascript",
		"application/json",       "application/xml",          "image/svg+xml",
	};
	if (strncmp(m, "text/", 5) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(m, exact[i]) == 0)
			return 1;
	return (n > 5 && strcmp(m + n - 5, "+json") == 0) || (n > 4 && strcmp(m + n - 4, "+xml") == 0);
}

/* Sent with a Content-Encoding other than identity (gzip, br, zstd, deflate). */
static int is_compressed(const struct web_request *q)
{
	const char *ce = header(q->response_headers, "content-encoding");
	if (!ce)
		return 0;
	while (isspace((unsigned char)*ce))
		ce++;
	return *ce && strncasecmp(ce, "identity", 8) != 0;
}

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as epoch seconds; -1 when it is not one. */
static double http_date(const char *s)
{
	if (!s)
		return -1;
	struct tm tm = {0};
	while (isspace((unsigned char)*s))
		s++;
	const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end && strncasecmp(end, "GMT", 3) != 0 && strncasecmp(end, "UTC", 3) != 0)
		return -1;
	return (double)timegm(&tm);
}

/*
 * Whether the response may be reused from the cache without asking the
 * server: Cache-Control max-age or s-maxage above 0, or immutable; without
 * either, an Expires later than the response's Date (or than when it was
 * sent). no-store and no-cache mean no, whatever else is there; a
 * max-age, even 0, overrides Expires (RFC 9111 5.3); an Expires that is
 * not a date counts as already expired. Chromium joins a repeated header
 * with newlines, so directives are split on commas and newlines.
 */
static int cache_fresh(const struct web_request *q)
{
	const char *cc = header(q->response_headers, "cache-control");
	int have_age = 0, fresh = 0;
	for (const char *p = cc; p && *p;) {
		while (*p == ',' || *p == '\n' || isspace((unsigned char)*p))
			p++;
		const char *tok = p;
		while (*p && *p != ',' && *p != '\n')
			p++;
		size_t len = (size_t)(p - tok);
		if ((len >= 8 && strncasecmp(tok, "no-store", 8) == 0) || (len >= 8 && strncasecmp(tok, "no-cache", 8) == 0))
			return 0;
		if (len >= 9 && strncasecmp(tok, "immutable", 9) == 0) {
			fresh = 1;
			continue;
		}
		const char *v = NULL;
		if (len > 8 && strncasecmp(tok, "max-age", 7) == 0)
			v = tok + 7;
		else if (len > 9 && strncasecmp(tok, "s-maxage", 8) == 0)
			v = tok + 8;
		if (!v)
			continue;
		while (isspace((unsigned char)*v))
			v++;
		if (*v != '=')
			continue;
		v++;
		while (isspace((unsigned char)*v) || *v == '"')
			v++;
		have_age = 1;
		if (isdigit((unsigned char)*v) && strtol(v, NULL, 10) > 0)
			fresh = 1;
	}
	if (fresh)
		return 1;
	if (have_age)
		return 0;
	double exp = http_date(header(q->response_headers, "expires"));
	if (exp < 0)
		return 0;
	double now = http_date(header(q->response_headers, "date"));
	if (now < 0)
		now = q->wall_time;
	return now <= 0 || exp > now;
}

static int is_static_type(const struct web_request *q)
{
	static const char *const types[] = {"Script", "Stylesheet", "Image", "Font", "Media"};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (is_type(q, types[i]))
			return 1;
	return 0;
}

/* ---- formatting ---- */

/* Bytes as "812 B", "12.3 KB", "1.5 MB" (1024-based, as the budgets count). */
static void fmt_bytes(double b, char *out, size_t n)
{
	char v[20];
	if (b < 0 || !isfinite(b)) {
		snprintf(out, n, "n/a");
	} else if (b < 1024) {
		snprintf(out, n, "%.0f B", b);
	} else if (b < 1024.0 * 1024) {
		fmt_num(b / 1024, v, sizeof(v));
		snprintf(out, n, "%s KB", v);
	} else {
		fmt_num(b / 1024 / 1024, v, sizeof(v));
		snprintf(out, n, "%s MB", v);
	}
}

/*
 * The longest prefix of s at most max bytes that does not split a UTF-8
 * sequence, and stops at the first line break.
 */
static size_t cut_len(const char *s, size_t max)
{
	size_t n = strcspn(s, "\r\n");
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* One line of at most max bytes: cut with "..." when longer. */
static void put_cut(struct buf *b, const char *s, size_t max)
{
	size_t n = cut_len(s, max);
	buf_put(b, s, n);
	if (s[n])
		buf_puts(b, "...");
}

/* ---- the metrics ---- */

static json_t *timings_json(const struct web_timings *t)
{
	json_t *o = json_object();
	set(o, "blocked", jms(t->blocked));
	set(o, "dns", jms(t->dns));
	set(o, "connect", jms(t->connect));
	set(o, "ssl", jms(t->ssl));
	set(o, "send", jms(t->send));
	set(o, "wait", jms(t->wait));
	set(o, "receive", jms(t->receive));
	return o;
}

static json_t *request_json(const struct web_page *p, const struct web_request *q)
{
	json_t *o = json_object();
	set(o, "url", jstr(q->url));
	set(o, "method", jstr(q->method));
	set(o, "type", jstr(q->type));
	set(o, "status", q->status > 0 ? json_integer(q->status) : json_null());
	set(o, "status_text", jstr(q->status_text));
	set(o, "protocol", jstr(q->protocol));
	set(o, "mime", jstr(q->mime));
	set(o, "transferred_bytes", jbytes(q->transferred));
	set(o, "decoded_bytes", jbytes(q->decoded));
	set(o, "from_cache", json_boolean(q->from_cache));
	set(o, "start_ms", p->nav_ts > 0 && q->start_ts > 0 ? jms((q->start_ts - p->nav_ts) * 1000) : json_null());
	set(o, "duration_ms", jms(q->duration_ms));
	set(o, "timings", timings_json(&q->t));
	set(o, "initiator", jstr(q->initiator));
	set(o, "render_blocking", json_boolean(q->render_blocking));
	if (q->redirect_url)
		set(o, "redirect_url", jsonx_string(q->redirect_url));
	if (q->failed && q->error)
		set(o, "error", jsonx_string(q->error));
	if (q->canceled)
		set(o, "canceled", json_true());
	return o;
}

struct ranked {
	const struct web_request *q;
	size_t i;
};

/* Longest first; in-flight and unknown durations last; ties in the order sent. */
static int by_duration_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	double dx = x->q->duration_ms, dy = y->q->duration_ms;
	int kx = isfinite(dx) && dx >= 0, ky = isfinite(dy) && dy >= 0;
	if (kx != ky)
		return ky - kx;
	if (kx && dx != dy)
		return dx < dy ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static json_t *console_json(const struct web_console *c)
{
	json_t *o = json_object();
	set(o, "level", json_string(web_level_name(c->level)));
	set(o, "source", jstr(c->source));
	set(o, "text", jstr(c->text));
	set(o, "url", jstr(c->url));
	set(o, "line", c->line > 0 ? json_integer(c->line) : json_null());
	set(o, "column", c->column > 0 ? json_integer(c->column) : json_null());
	return o;
}

static int level_ok(int l)
{
	return l >= WEB_DEBUG && l <= WEB_ERROR;
}

static json_t *page_json(const struct web_page *p, const double *runs, int repeat, enum web_level console_min)
{
	const struct web_vitals *v = &p->v;
	json_t *o = json_object();
	set(o, "url", jstr(p->url));
	set(o, "final_url", jstr(p->final_url));
	set(o, "title", jstr(p->title));
	set(o, "status", p->status > 0 ? json_integer(p->status) : json_null());
	if (p->error)
		set(o, "error", jsonx_string(p->error));
	set(o, "ttfb_ms", jms(v->ttfb));
	set(o, "dom_content_loaded_ms", jms(v->dom_content_loaded));
	set(o, "load_ms", jms(v->load));
	set(o, "fcp_ms", jms(v->fcp));
	set(o, "lcp_ms", jms(v->lcp));
	set(o, "cls", jnum_scaled(v->cls, 10000));

	size_t failed = 0;
	int64_t decoded = 0;
	json_t *by_type = json_object();
	for (size_t i = 0; i < p->nreq; i++) {
		const struct web_request *q = p->req[i];
		failed += req_failed(q);
		if (q->decoded > 0)
			decoded += q->decoded;
		const char *t = q->type ? q->type : "Other";
		json_t *bt = json_object_get(by_type, t);
		if (!bt) {
			bt = json_object();
			set(bt, "requests", json_integer(0));
			set(bt, "transferred_bytes", json_integer(0));
			json_object_set_new(by_type, t, bt);
		}
		set(bt, "requests", json_integer(json_integer_value(json_object_get(bt, "requests")) + 1));
		if (q->transferred > 0)
			set(bt, "transferred_bytes", json_integer(json_integer_value(json_object_get(bt, "transferred_bytes")) +
									  (json_int_t)q->transferred));
	}
	set(o, "request_count", json_integer((json_int_t)p->nreq));
	set(o, "failed_requests", json_integer((json_int_t)failed));
	set(o, "transferred_bytes", json_integer((json_int_t)page_transferred(p)));
	set(o, "decoded_bytes", json_integer((json_int_t)decoded));
	set(o, "by_type", by_type);
	set(o, "js_heap_used_bytes", jbytes(v->js_heap_used));
	set(o, "js_heap_total_bytes", jbytes(v->js_heap_total));
	set(o, "dom_nodes", v->dom_nodes >= 0 ? json_integer(v->dom_nodes) : json_null());
	set(o, "script_ms", jms(v->script_ms));
	set(o, "layout_ms", jms(v->layout_ms));
	set(o, "task_ms", jms(v->task_ms));
	set(o, "viewport", json_pack("{s:i, s:i}", "width", p->width, "height", p->height));
	if (repeat > 1 && runs) {
		json_t *a = json_array();
		for (int k = 0; k < repeat; k++)
			json_array_append_new(a, jms(runs[k]));
		set(o, "load_runs_ms", a);
	}

	struct ranked *rk = xcalloc(p->nreq ? p->nreq : 1, sizeof(*rk));
	for (size_t i = 0; i < p->nreq; i++)
		rk[i] = (struct ranked){p->req[i], i};
	qsort(rk, p->nreq, sizeof(*rk), by_duration_desc);
	json_t *reqs = json_array();
	for (size_t i = 0; i < p->nreq; i++)
		json_array_append_new(reqs, request_json(p, rk[i].q));
	free(rk);
	set(o, "requests", reqs);

	json_t *con = json_array();
	json_int_t counts[WEB_ERROR + 1] = {0};
	for (size_t i = 0; i < p->ncon; i++) {
		const struct web_console *c = &p->con[i];
		if (!level_ok((int)c->level))
			continue;
		counts[c->level]++;
		if (c->level >= console_min)
			json_array_append_new(con, console_json(c));
	}
	set(o, "console", con);
	json_t *cc = json_object();
	for (int l = WEB_ERROR; l >= WEB_DEBUG; l--)
		set(cc, web_level_name((enum web_level)l), json_integer(counts[l]));
	set(o, "console_counts", cc);
	if (p->dropped_requests)
		set(o, "dropped_requests", json_integer((json_int_t)p->dropped_requests));
	if (p->dropped_console)
		set(o, "dropped_console", json_integer((json_int_t)p->dropped_console));
	return o;
}

static int throttled(const struct web_throttle *t)
{
	return t->latency_ms > 0 || t->down_kbps > 0 || t->up_kbps > 0 || t->cpu_rate > 1;
}

static json_t *throttle_json(const struct web_throttle *t)
{
	if (!throttled(t))
		return json_null();
	json_t *o = json_object();
	set(o, "name", json_string(t->name ? t->name : "custom"));
	set(o, "latency_ms", json_real(t->latency_ms));
	set(o, "down_kbps", json_real(t->down_kbps));
	set(o, "up_kbps", json_real(t->up_kbps));
	set(o, "cpu_rate", json_real(t->cpu_rate > 0 ? t->cpu_rate : 1));
	return o;
}

/* ---- the findings ---- */

static struct pa_finding *add(struct pa_result *r, const char *rule, enum pa_severity sev, const char *url,
			      const struct buf *title, json_t *evidence, double score)
{
	struct pa_finding *f = result_add_finding(r, rule, sev, buf_str(title));
	f->location.url = result_str(r, url);
	f->evidence = evidence;
	f->impact_score = score;
	f->has_impact_score = 1;
	if (sev == PA_SEV_CRITICAL)
		f->escalate_to = result_str(r, "/dev + /tl");
	return f;
}

/*
 * A time against the page budget: its severity (warning medium, critical
 * high), critical over the seed's 2 s whatever the budget says. 0 when on
 * target or unknown.
 */
static int page_severity(const struct budget *b, double ms, enum pa_severity *sev)
{
	if (!isfinite(ms) || ms < 0 || !budget_severity(b, ms, sev))
		return 0;
	if (ms > ESCALATE_MS)
		*sev = PA_SEV_CRITICAL;
	return 1;
}

static void impact_vs_target(struct pa_result *r, struct pa_finding *f, double v, double target, const char *what)
{
	if (target <= 0)
		return;
	char s[96];
	snprintf(s, sizeof(s), "%.1fx the %s", v / target, what);
	f->impact = result_str(r, s);
}

static const struct web_request *slowest(const struct web_page *p)
{
	const struct web_request *best = NULL;
	for (size_t i = 0; i < p->nreq; i++)
		if (p->req[i]->duration_ms >= 0 && (!best || p->req[i]->duration_ms > best->duration_ms))
			best = p->req[i];
	return best;
}

static void find_slow_load(struct pa_result *r, const struct web_page *p, const struct budget *b)
{
	enum pa_severity sev;
	if (!page_severity(b, p->v.load, &sev))
		return;
	const struct web_vitals *v = &p->v;
	char a[32], t[32], x[32];
	struct buf s = BUF_INIT;
	fmt_ms(v->load, a, sizeof(a));
	fmt_ms(b->target, t, sizeof(t));
	buf_printf(&s, "Page load takes %s on %s (page budget %s)", a, p->url, t);
	json_t *ev = json_object();
	set(ev, "load_ms", jms(v->load));
	set(ev, "ttfb_ms", jms(v->ttfb));
	set(ev, "dom_content_loaded_ms", jms(v->dom_content_loaded));
	set(ev, "fcp_ms", jms(v->fcp));
	set(ev, "budget_target_ms", json_real(b->target));
	set(ev, "budget_critical_ms", json_real(b->critical));
	set(ev, "request_count", json_integer((json_int_t)p->nreq));
	set(ev, "transferred_bytes", json_integer((json_int_t)page_transferred(p)));
	struct pa_finding *f = add(r, "slow-page-load", sev, p->url, &s, ev, v->load);
	buf_reset(&s);
	int server = v->ttfb >= 0 && v->ttfb * 2 >= v->load;
	const struct web_request *sl = slowest(p);
	if (server) {
		fmt_ms(v->ttfb, x, sizeof(x));
		buf_printf(&s, "The server takes %s to send the first byte of the document, most of the %s load: "
			       "the page waits on the backend.", x, a);
	} else {
		fmt_bytes((double)page_transferred(p), x, sizeof(x));
		buf_printf(&s, "The load event fires %s after navigation. It waits for every image, script, "
			       "stylesheet and iframe of the page: here %zu requests, %s transferred.", a, p->nreq, x);
	}
	if (sl && sl->url) {
		fmt_ms(sl->duration_ms, x, sizeof(x));
		buf_printf(&s, " The slowest request, %s, took %s.", sl->url, x);
	}
	f->problem = result_str(r, buf_str(&s));
	if (server)
		f->solution = result_str(r,
			"Speed up the document's handler: measure it with perfagent endpoints or perfagent load, find "
			"where the time goes with perfagent profile, check its queries with perfagent db and "
			"perfagent explain, and cache the rendered page or its expensive parts.");
	else
		f->solution = result_str(r,
			"Work down the request table (slowest first): fix slow backend calls, lazy-load images below the "
			"fold (loading=\"lazy\"), defer scripts not needed for the first paint, compress text "
			"responses, and serve images at the size they are shown.");
	impact_vs_target(r, f, v->load, b->target, "page budget's target");
	buf_free(&s);
}

static void find_slow_lcp(struct pa_result *r, const struct web_page *p, const struct budget *b)
{
	enum pa_severity sev;
	const struct web_vitals *v = &p->v;
	if (!page_severity(b, v->lcp, &sev))
		return;
	char a[32], t[32], c[32], d[32];
	struct buf s = BUF_INIT;
	fmt_ms(v->lcp, a, sizeof(a));
	fmt_ms(b->target, t, sizeof(t));
	buf_printf(&s, "Largest Contentful Paint at %s on %s (page budget %s)", a, p->url, t);
	json_t *ev = json_object();
	set(ev, "lcp_ms", jms(v->lcp));
	set(ev, "fcp_ms", jms(v->fcp));
	set(ev, "ttfb_ms", jms(v->ttfb));
	set(ev, "budget_target_ms", json_real(b->target));
	set(ev, "budget_critical_ms", json_real(b->critical));
	struct pa_finding *f = add(r, "slow-lcp", sev, p->url, &s, ev, v->lcp);
	buf_reset(&s);
	fmt_ms(v->fcp, c, sizeof(c));
	fmt_ms(v->ttfb, d, sizeof(d));
	buf_printf(&s, "The largest image or text block in the viewport is painted %s after navigation "
		       "(first paint at %s, first byte of the document at %s).",
		   a, v->fcp >= 0 ? c : "n/a", v->ttfb >= 0 ? d : "n/a");
	f->problem = result_str(r, buf_str(&s));
	f->solution = result_str(r,
		"Make the LCP element arrive early: serve the hero image at the displayed size and in WebP or AVIF, "
		"preload it (<link rel=\"preload\" as=\"image\" href=\"...\" fetchpriority=\"high\">) and never "
		"lazy-load it; remove render-blocking scripts and styles ahead of it; if the first byte is most of "
		"the time, speed up the server (perfagent endpoints, perfagent profile).");
	impact_vs_target(r, f, v->lcp, b->target, "page budget's target");
	buf_free(&s);
}

static double phase(double v)
{
	return isfinite(v) && v > 0 ? v : 0;
}

static void find_slow_request(struct pa_result *r, const struct web_page *p, const struct web_request *q)
{
	double d = q->duration_ms;
	if (!(d > SLOW_REQUEST_MS) || q->canceled || !q->url)
		return;
	enum pa_severity sev = d > ESCALATE_MS ? PA_SEV_CRITICAL : PA_SEV_MEDIUM;
	char a[32], w[32], x[32], sz[32];
	struct buf s = BUF_INIT;
	fmt_ms(d, a, sizeof(a));
	const char *type = q->type ? q->type : "Other";
	if (q->status > 0)
		buf_printf(&s, "Slow request: %s %s takes %s (%s, %d)", q->method ? q->method : "GET", q->url, a, type,
			   q->status);
	else
		buf_printf(&s, "Slow request: %s %s takes %s (%s)", q->method ? q->method : "GET", q->url, a, type);
	double wait = phase(q->t.wait), recv = phase(q->t.receive);
	double setup = phase(q->t.blocked) + phase(q->t.dns) + phase(q->t.connect) + phase(q->t.send);
	json_t *ev = json_object();
	set(ev, "duration_ms", jms(d));
	set(ev, "wait_ms", jms(q->t.wait));
	set(ev, "receive_ms", jms(q->t.receive));
	set(ev, "setup_ms", jms(setup));
	set(ev, "type", json_string(type));
	set(ev, "status", q->status > 0 ? json_integer(q->status) : json_null());
	set(ev, "transferred_bytes", jbytes(q->transferred));
	set(ev, "page", jstr(p->url));
	struct pa_finding *f = add(r, "slow-request", sev, q->url, &s, ev, d);
	buf_reset(&s);
	fmt_ms(wait, w, sizeof(w));
	fmt_ms(recv, x, sizeof(x));
	fmt_bytes((double)(q->transferred >= 0 ? q->transferred : q->decoded), sz, sizeof(sz));
	if (wait > 0 && wait * 2 >= d) {
		buf_printf(&s, "The server took %s before the first byte of the response (the download took %s): "
			       "the time is spent on the server.", w, x);
		f->problem = result_str(r, buf_str(&s));
		buf_reset(&s);
		buf_printf(&s, "Measure this URL on its own — perfagent load %s or perfagent endpoints with a routes "
			       "file — then find where the server spends the time with perfagent profile, and check "
			       "its queries with perfagent db and perfagent explain. Cache the response if it does "
			       "not change per request.", q->url);
		f->solution = result_str(r, buf_str(&s));
	} else if (recv > 0 && recv * 2 >= d) {
		buf_printf(&s, "Downloading the body took %s of the %s for %s: the response is large for the "
			       "connection.", x, a, sz);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r,
			"Send fewer bytes: compress it (gzip or brotli), paginate data, resize and re-encode images, "
			"split large bundles, and give it a cache lifetime so repeat visits skip it.");
	} else if (setup > 0 && setup * 2 >= d) {
		fmt_ms(setup, w, sizeof(w));
		buf_printf(&s, "The request spent %s before it was sent: queued behind other requests, DNS, TCP "
			       "and TLS setup.", w);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r,
			"Reuse connections (keep-alive; HTTP/2 runs all requests of an origin on one connection), "
			"<link rel=\"preconnect\"> to third-party origins, and make fewer requests early in the load.");
	} else {
		buf_printf(&s, "The request took %s (server wait %s, download %s).", a, w, x);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r,
			"Look at its timing phases in the HAR (--har FILE): server wait points at the backend "
			"(perfagent endpoints, perfagent profile), download time at the response's size.");
	}
	buf_reset(&s);
	buf_printf(&s, "%.1fx the 500ms request threshold", d / SLOW_REQUEST_MS);
	f->impact = result_str(r, buf_str(&s));
	buf_free(&s);
}

static const char *payload_solution(const struct web_request *q)
{
	if (is_type(q, "Script"))
		return "Split the bundle: load route-specific code with dynamic import(), drop unused dependencies "
		       "(tree-shaking; a bundle analyzer shows what is inside), minify, and serve it compressed "
		       "(brotli or gzip).";
	if (is_type(q, "Stylesheet"))
		return "Remove unused CSS (the Coverage tab of DevTools, PurgeCSS), split it per page, minify and "
		       "compress it.";
	if (is_type(q, "Image"))
		return "Resize the image to the size it is displayed at (srcset/sizes for several widths) and "
		       "re-encode it as WebP or AVIF at quality 75-85.";
	if (is_type(q, "Font"))
		return "Subset the font to the characters used (pyftsubset, glyphhanger) and serve WOFF2.";
	if (is_type(q, "Media"))
		return "Serve media with range requests and preload=\"none\", at a bitrate that fits the "
		       "viewport.";
	return "Paginate: return one page of items (?page=N&per_page=50) instead of the whole collection, "
	       "select only the fields the client uses, and compress the response.";
}

static void find_large(struct pa_result *r, const struct web_page *p, const struct web_request *q)
{
	if (!q->url)
		return;
	char a[32], b[32];
	struct buf s = BUF_INIT;
	int64_t size = req_size(q);
	if (size > LARGE_PAYLOAD_BYTES) {
		fmt_bytes((double)size, a, sizeof(a));
		buf_printf(&s, "Large response: %s for %s (%s)", a, q->url, q->type ? q->type : "Other");
		json_t *ev = json_object();
		set(ev, "decoded_bytes", jbytes(q->decoded));
		set(ev, "transferred_bytes", jbytes(q->transferred));
		set(ev, "type", jstr(q->type));
		set(ev, "mime", jstr(q->mime));
		set(ev, "content_encoding", jstr(header(q->response_headers, "content-encoding")));
		set(ev, "page", jstr(p->url));
		struct pa_finding *f = add(r, "large-payload", PA_SEV_MEDIUM, q->url, &s, ev, (double)size);
		buf_reset(&s);
		fmt_bytes((double)q->decoded, a, sizeof(a));
		fmt_bytes((double)q->transferred, b, sizeof(b));
		buf_printf(&s, "The response is %s decoded (%s on the wire). The browser downloads and decodes all of "
			       "it%s before it helps the page.", a, b,
			   is_type(q, "Script") ? ", then parses and runs it," : "");
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r, payload_solution(q));
		f->impact = result_str(r, "over 1 MB in one response");
		buf_free(&s);
		return; /* large-payload wins over large-image for the same response */
	}
	int64_t body = wire_body(q);
	if (is_type(q, "Image") && body > LARGE_IMAGE_BYTES) {
		fmt_bytes((double)body, a, sizeof(a));
		buf_printf(&s, "Large image: %s for %s", a, q->url);
		json_t *ev = json_object();
		set(ev, "body_bytes", json_integer((json_int_t)body));
		set(ev, "transferred_bytes", jbytes(q->transferred));
		set(ev, "decoded_bytes", jbytes(q->decoded));
		set(ev, "mime", jstr(q->mime));
		set(ev, "page", jstr(p->url));
		struct pa_finding *f = add(r, "large-image", PA_SEV_LOW, q->url, &s, ev, (double)body);
		buf_reset(&s);
		buf_printf(&s, "The image is %s; images over 200 KB are usually sent larger, or at a higher quality, "
			       "than they are displayed.", a);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r,
			"Resize it to its displayed size (srcset/sizes for several widths), re-encode it as WebP or "
			"AVIF at quality 75-85, and lazy-load it (loading=\"lazy\") when it is below the fold.");
		buf_free(&s);
	}
}

static void find_many_requests(struct pa_result *r, const struct web_page *p)
{
	size_t n = p->nreq + p->dropped_requests;
	if (n <= MANY_REQUESTS)
		return;
	struct buf s = BUF_INIT;
	buf_printf(&s, "Page makes %zu requests: %s (more than %d)", n, p->url, MANY_REQUESTS);
	json_t *ev = json_object(), *bt = json_object();
	for (size_t i = 0; i < p->nreq; i++) {
		const char *t = p->req[i]->type ? p->req[i]->type : "Other";
		set(bt, t, json_integer(json_integer_value(json_object_get(bt, t)) + 1));
	}
	set(ev, "request_count", json_integer((json_int_t)n));
	set(ev, "by_type", bt);
	set(ev, "transferred_bytes", json_integer((json_int_t)page_transferred(p)));
	struct pa_finding *f = add(r, "too-many-requests", PA_SEV_MEDIUM, p->url, &s, ev, (double)n);
	buf_reset(&s);
	buf_printf(&s, "The page loads %zu resources. Each costs at least a round trip, and over HTTP/1.1 a "
		       "browser runs only 6 at a time per host.", n);
	f->problem = result_str(r, buf_str(&s));
	f->solution = result_str(r,
		"Bundle scripts and stylesheets, put small icons in an SVG sprite, lazy-load images below the fold "
		"(loading=\"lazy\"), drop unused third-party tags, and serve the site over HTTP/2.");
	buf_free(&s);
}

/* A list finding's evidence: count, bytes and the first LIST_MAX URLs. */
struct url_list {
	size_t n;
	int64_t bytes;
	json_t *urls;
};

static void list_add(struct url_list *l, const struct web_request *q, int64_t bytes)
{
	if (!l->urls)
		l->urls = json_array();
	l->n++;
	if (bytes > 0)
		l->bytes += bytes;
	if (json_array_size(l->urls) < LIST_MAX)
		json_array_append_new(l->urls, jstr(q->url));
}

static json_t *list_evidence(struct url_list *l, const char *page)
{
	json_t *ev = json_object();
	set(ev, "count", json_integer((json_int_t)l->n));
	set(ev, "bytes", json_integer((json_int_t)l->bytes));
	set(ev, "urls", l->urls);
	set(ev, "page", jstr(page));
	l->urls = NULL;
	return ev;
}

static void find_headers(struct pa_result *r, const struct web_page *p)
{
	struct url_list text = {0}, nocache = {0};
	for (size_t i = 0; i < p->nreq; i++) {
		const struct web_request *q = p->req[i];
		if (q->status != 200 || q->from_cache || !is_http(q->url))
			continue;
		if (mime_is_text(q->mime) && q->decoded >= COMPRESS_MIN_BYTES && !is_compressed(q))
			list_add(&text, q, q->decoded);
		if (is_static_type(q) && !cache_fresh(q))
			list_add(&nocache, q, req_size(q));
	}
	char a[32];
	struct buf s = BUF_INIT;
	if (text.n) {
		fmt_bytes((double)text.bytes, a, sizeof(a));
		buf_printf(&s, "%zu text response%s sent uncompressed (%s) on %s", text.n, text.n == 1 ? "" : "s", a, p->url);
		struct pa_finding *f = add(r, "uncompressed-text", PA_SEV_LOW, p->url, &s, list_evidence(&text, p->url),
					   (double)text.bytes);
		f->problem = result_str(r, "These text responses (HTML, CSS, JavaScript, JSON, SVG) have no "
					   "Content-Encoding: they travel at full size.");
		f->solution = result_str(r,
			"Compress text where responses leave the server (brotli where available, else gzip):\n"
			"  nginx:   gzip on; gzip_types text/css application/javascript application/json image/svg+xml;\n"
			"  Flask:   Compress(app)  # flask-compress\n"
			"  Django:  'django.middleware.gzip.GZipMiddleware' first in MIDDLEWARE\n"
			"  Express: app.use(compression())");
		f->expected_improvement = result_str(r, "text usually shrinks by 60-80% with gzip or brotli");
		buf_reset(&s);
	}
	if (nocache.n) {
		buf_printf(&s, "%zu static asset%s without a cache lifetime on %s", nocache.n, nocache.n == 1 ? "" : "s",
			   p->url);
		struct pa_finding *f = add(r, "no-cache-headers", PA_SEV_LOW, p->url, &s,
					   list_evidence(&nocache, p->url), (double)nocache.bytes);
		f->problem = result_str(r,
			"These scripts, stylesheets, images, fonts or media have no Cache-Control: max-age (or "
			"immutable) and no future Expires, or say no-store/no-cache: every visit downloads or "
			"revalidates them again.");
		f->solution = result_str(r,
			"Give static files a long lifetime, and a new URL when their content changes (fingerprinted "
			"names such as app.3f9a1c.js):\n"
			"  Cache-Control: public, max-age=31536000, immutable\n"
			"  nginx:  location /static/ { expires 1y; add_header Cache-Control \"public, immutable\"; }\n"
			"  Flask:  app.config['SEND_FILE_MAX_AGE_DEFAULT'] = 31536000\n"
			"  Django: ManifestStaticFilesStorage for static files, served by WhiteNoise");
		buf_reset(&s);
	}
	buf_free(&s);
	json_decref(text.urls);
	json_decref(nocache.urls);
}

/* "text (url:line)" for a console finding's evidence. */
static json_t *console_quote(const struct web_console *c)
{
	json_t *o = json_object();
	set(o, "source", jstr(c->source));
	set(o, "text", jstr(c->text));
	if (c->url) {
		struct buf b = BUF_INIT;
		buf_puts(&b, c->url);
		if (c->line > 0)
			buf_printf(&b, ":%ld", c->line);
		set(o, "location", jsonx_string(buf_str(&b)));
		buf_free(&b);
	}
	return o;
}

static void find_console(struct pa_result *r, const struct web_page *p, enum web_level console_min)
{
	for (int pass = 0; pass < 2; pass++) {
		enum web_level want = pass == 0 ? WEB_ERROR : WEB_WARNING;
		if (want < console_min)
			continue;
		size_t n = 0, exc = 0;
		json_t *msgs = json_array();
		const struct web_console *first = NULL;
		for (size_t i = 0; i < p->ncon; i++) {
			const struct web_console *c = &p->con[i];
			if (c->level != want)
				continue;
			int exception = c->source && strcmp(c->source, "exception") == 0;
			/* Errors: the page's own (console.error, uncaught exceptions); a
			 * failed load is failed-request's. Warnings: any but network's. */
			if (want == WEB_ERROR ? !(exception || (c->source && strcmp(c->source, "console") == 0))
					      : (c->source && strcmp(c->source, "network") == 0))
				continue;
			n++;
			exc += exception;
			if (!first)
				first = c;
			if (json_array_size(msgs) < CONSOLE_EVIDENCE)
				json_array_append_new(msgs, console_quote(c));
		}
		if (!n) {
			json_decref(msgs);
			continue;
		}
		const char *what = want == WEB_ERROR ? "error" : "warning";
		struct buf s = BUF_INIT;
		buf_printf(&s, "%zu console %s%s on %s", n, what, n == 1 ? "" : "s", p->url);
		json_t *ev = json_object();
		set(ev, "count", json_integer((json_int_t)n));
		if (want == WEB_ERROR)
			set(ev, "exceptions", json_integer((json_int_t)exc));
		set(ev, "messages", msgs);
		struct pa_finding *f = add(r, want == WEB_ERROR ? "console-error" : "console-warning",
					   want == WEB_ERROR ? PA_SEV_MEDIUM : PA_SEV_LOW, p->url, &s, ev, (double)n);
		buf_reset(&s);
		buf_printf(&s, "The page logs %s: \"", n == 1 ? "this" : "these; the first");
		put_cut(&s, first->text ? first->text : "", 200);
		buf_puts(&s, "\"");
		if (first->url) {
			buf_printf(&s, " at %s", first->url);
			if (first->line > 0)
				buf_printf(&s, ":%ld", first->line);
		}
		buf_puts(&s, ".");
		if (exc)
			buf_printf(&s, " %zu %s uncaught exception%s: the script that threw stopped there, so what it "
				       "was to do next never ran.", exc, exc == 1 ? "is an" : "are", exc == 1 ? "" : "s");
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r, want == WEB_ERROR
			? "Fix each error at the location listed (--console-level error lists them all); open the page "
			  "with DevTools to see the stack, and catch rejected promises and fetch failures where they happen."
			: "Read each warning at the location listed: deprecations break in a later browser release, and "
			  "interventions mean the browser already overrode the page.");
		buf_free(&s);
	}
}

static void find_failed(struct pa_result *r, const struct web_page *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nreq && n < MAX_FAILED_FINDINGS; i++) {
		const struct web_request *q = p->req[i];
		if (!req_failed(q) || !q->url)
			continue;
		/* The navigation's own failure is page-load-failed's. */
		if (p->error && q->error && q->status < 400 && strcmp(p->error, q->error) == 0)
			continue;
		n++;
		int core = is_type(q, "Document") || is_type(q, "Script") || is_type(q, "Stylesheet");
		struct buf s = BUF_INIT;
		const char *type = q->type ? q->type : "Other";
		if (q->status >= 400)
			buf_printf(&s, "Failed request: HTTP %d for %s (%s)", q->status, q->url, type);
		else
			buf_printf(&s, "Failed request: %s for %s (%s)", q->error ? q->error : "no response", q->url, type);
		json_t *ev = json_object();
		set(ev, "status", q->status > 0 ? json_integer(q->status) : json_null());
		set(ev, "error", jstr(q->failed ? q->error : NULL));
		set(ev, "type", json_string(type));
		set(ev, "method", jstr(q->method));
		set(ev, "initiator", jstr(q->initiator));
		set(ev, "page", jstr(p->url));
		struct pa_finding *f = add(r, "failed-request", core ? PA_SEV_MEDIUM : PA_SEV_LOW, q->url, &s, ev,
					   q->status >= 500 || q->status == 0 ? 2 : 1);
		buf_reset(&s);
		buf_printf(&s, "The page asks for %s", q->url);
		if (q->initiator)
			buf_printf(&s, " (from %s)", q->initiator);
		if (q->status >= 400)
			buf_printf(&s, " and gets HTTP %d%s%s.", q->status, q->status_text && *q->status_text ? " " : "",
				   q->status_text ? q->status_text : "");
		else
			buf_printf(&s, " and the request fails: %s.", q->error ? q->error : "no response");
		buf_puts(&s, core ? " A missing document, script or stylesheet breaks part of the page."
				  : " The round trip is wasted and whatever needed it is missing.");
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r, q->status >= 500
			? "The server fails on this URL: read its log for the error, then fix the handler."
			: "Fix the reference where the initiator makes it: correct the URL, deploy the missing file, or "
			  "stop requesting it if it is no longer needed.");
		buf_free(&s);
	}
}

static void find_render_blocking(struct pa_result *r, const struct web_page *p, const struct budget *b)
{
	struct url_list l = {0};
	double total = 0;
	for (size_t i = 0; i < p->nreq; i++) {
		const struct web_request *q = p->req[i];
		if (!q->render_blocking)
			continue;
		list_add(&l, q, req_size(q));
		total += phase(q->duration_ms);
	}
	if (!l.n)
		return;
	int late = p->v.fcp >= 0 && p->v.fcp > b->target;
	char a[32];
	struct buf s = BUF_INIT;
	buf_printf(&s, "%zu render-blocking request%s in <head> on %s", l.n, l.n == 1 ? "" : "s", p->url);
	json_t *ev = list_evidence(&l, p->url);
	set(ev, "fcp_ms", jms(p->v.fcp));
	set(ev, "budget_target_ms", json_real(b->target));
	struct pa_finding *f = add(r, "render-blocking", late ? PA_SEV_MEDIUM : PA_SEV_LOW, p->url, &s, ev, total);
	buf_reset(&s);
	buf_puts(&s, "These scripts and stylesheets sit in <head> without defer, async or a non-matching "
		     "media: the browser paints nothing until each is downloaded (and each script run).");
	if (p->v.fcp >= 0) {
		fmt_ms(p->v.fcp, a, sizeof(a));
		buf_printf(&s, " First paint came at %s.", a);
	}
	f->problem = result_str(r, buf_str(&s));
	f->solution = result_str(r,
		"Add defer to scripts (or async for independent ones; type=\"module\" defers by itself), inline "
		"the CSS the first screen needs and load the rest with <link rel=\"preload\" as=\"style\" "
		"onload=\"this.rel='stylesheet'\"> or a media attribute, and move third-party tags out of <head>.");
	buf_free(&s);
}

/*
 * A page with its error set. Most often the navigation failed or the load
 * event never fired (high); when the page did load — its load time is
 * known — a later step failed (the screenshot, the renderer), so the
 * numbers stand and the finding is medium.
 */
static void find_load_failed(struct pa_result *r, const struct web_page *p)
{
	if (!p->error)
		return;
	int loaded = p->v.load >= 0 && !p->load_timed_out;
	struct buf s = BUF_INIT;
	buf_printf(&s, "%s: %s (%s)", loaded ? "Page audit incomplete" : "Page failed to load", p->url, p->error);
	json_t *ev = json_object();
	set(ev, "error", jsonx_string(p->error));
	set(ev, "status", p->status > 0 ? json_integer(p->status) : json_null());
	set(ev, "load_fired", json_boolean(p->load_fired));
	set(ev, "load_timed_out", json_boolean(p->load_timed_out));
	set(ev, "in_flight", json_integer((json_int_t)page_inflight(p)));
	struct pa_finding *f = add(r, "page-load-failed", loaded ? PA_SEV_MEDIUM : PA_SEV_HIGH, p->url, &s, ev, 1);
	buf_reset(&s);
	if (loaded) {
		buf_printf(&s, "The page loaded, then a later step of the audit failed: %s. The timings were "
			       "measured; what that step makes (the screenshot, the heap numbers) may be missing.",
			   p->error);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r, "Run it again; a renderer crash on a page that loaded points at the page's "
					    "memory use (see js_heap_used_bytes and dom_nodes).");
	} else if (p->load_timed_out) {
		f->problem = result_str(r, "The load event did not fire in time: the document never answered, a "
					   "request never finished, or the page keeps loading.");
		f->solution = result_str(r,
			"Find the requests still in flight at the end of the request table (no duration): a hung "
			"backend call or a third-party script. Fix it, or raise --timeout if the page is just slow.");
	} else {
		buf_printf(&s, "The navigation failed before the page loaded: %s.", p->error);
		f->problem = result_str(r, buf_str(&s));
		f->solution = result_str(r, "Check that the URL answers from this machine (curl -I URL): the server "
					    "running, its port, DNS and TLS.");
	}
	buf_free(&s);
}

static void page_findings(struct pa_result *r, const struct web_page *p, const struct budgets *bs,
			  enum web_level console_min)
{
	const struct budget *b = &bs->b[BUDGET_PAGE_RENDER];
	find_load_failed(r, p);
	find_slow_load(r, p, b);
	find_slow_lcp(r, p, b);
	for (size_t i = 0; i < p->nreq; i++) {
		find_slow_request(r, p, p->req[i]);
		find_large(r, p, p->req[i]);
	}
	find_many_requests(r, p);
	find_headers(r, p);
	find_render_blocking(r, p, b);
	find_failed(r, p);
	find_console(r, p, console_min);
}

struct pa_result *web_result_build(const struct web_opts *opts, const struct web_run *run,
				   const struct budgets *b, enum web_level console_min,
				   const char *har_path)
{
	struct pa_result *r = result_new("web");
	struct budgets defaults;
	if (!b) {
		budgets_defaults(&defaults);
		b = &defaults;
	}
	json_t *urls = json_array();
	for (size_t i = 0; i < opts->nurls; i++)
		json_array_append_new(urls, jstr(opts->urls[i]));
	set(r->target, "urls", urls);

	json_t *m = r->metrics;
	int repeat = run->repeat > 0 ? run->repeat : opts->repeat > 0 ? opts->repeat : 1;
	set(m, "browser", jstr(run->browser));
	set(m, "user_agent", jstr(run->user_agent));
	set(m, "viewport", json_pack("{s:i, s:i}", "width", opts->width, "height", opts->height));
	set(m, "cold", json_boolean(opts->cold));
	set(m, "repeat", json_integer(repeat));
	set(m, "throttle", throttle_json(&opts->throttle));
	set(m, "console_level", json_string(web_level_name(console_min)));
	if (run->interrupted)
		set(m, "interrupted", json_true());
	json_t *pages = json_array();
	for (size_t i = 0; i < run->npages; i++) {
		const double *runs = run->load_runs ? run->load_runs + i * (size_t)repeat : NULL;
		json_array_append_new(pages, page_json(&run->pages[i], runs, repeat, console_min));
		page_findings(r, &run->pages[i], b, console_min);
	}
	set(m, "pages", pages);

	for (size_t i = 0; run->screenshots && i < run->npages; i++)
		if (run->screenshots[i])
			result_add_artifact(r, "screenshot", run->screenshots[i]);
	if (har_path)
		result_add_artifact(r, "har", har_path);
	return r;
}

/* ---- the human view ---- */

static double jget(const json_t *o, const char *k)
{
	int ok = 0;
	double v = jsonx_number(o, k, &ok);
	return ok ? v : -1;
}

static const char *jtext(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The part of url after scheme://host of origin when it shares it, else url. */
static const char *relative_to(const char *url, const char *page)
{
	const char *h = strstr(page, "://");
	if (!h)
		return url;
	const char *end = strchr(h + 3, '/');
	size_t n = end ? (size_t)(end - page) : strlen(page);
	if (strncmp(url, page, n) == 0 && url[n] == '/')
		return url + n;
	return url;
}

/* A URL in at most w bytes: its head and its tail around "...", the tail
 * (the file name) kept whole where it fits. */
static void put_url(struct buf *b, const char *url, size_t w)
{
	size_t n = strlen(url);
	if (n <= w) {
		buf_puts(b, url);
		return;
	}
	size_t tail = (w - 3) * 2 / 3, head = w - 3 - tail;
	size_t t = n - tail;
	while (t < n && ((unsigned char)url[t] & 0xC0) == 0x80)
		t++;
	buf_put(b, url, cut_len(url, head));
	buf_puts(b, "...");
	buf_puts(b, url + t);
}

static void cell_ms(char *out, size_t n, double v)
{
	if (v < 0)
		snprintf(out, n, "-");
	else
		fmt_ms(v, out, n);
}

static double req_duration(const json_t *q)
{
	return jget(q, "duration_ms");
}

static int json_by_duration(const void *a, const void *b)
{
	double x = req_duration(*(json_t *const *)a), y = req_duration(*(json_t *const *)b);
	if ((x >= 0) != (y >= 0))
		return y >= 0 ? 1 : -1;
	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_vitals(struct buf *b, const json_t *pg)
{
	char v[32];
	static const struct {
		const char *label, *key;
	} times[] = {{"TTFB", "ttfb_ms"}, {"DCL", "dom_content_loaded_ms"}, {"load", "load_ms"},
		     {"FCP", "fcp_ms"},   {"LCP", "lcp_ms"}};
	buf_puts(b, "  ");
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		double x = jget(pg, times[i].key);
		if (x >= 0)
			fmt_ms(x, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "n/a");
		buf_printf(b, "%s %s  ", times[i].label, v);
	}
	double cls = jget(pg, "cls");
	if (cls >= 0)
		buf_printf(b, "CLS %.3f  ", cls);
	else
		buf_puts(b, "CLS n/a  ");
	double n = jget(pg, "request_count");
	fmt_bytes(jget(pg, "transferred_bytes"), v, sizeof(v));
	buf_printf(b, "%.0f request%s  %s transferred", n < 0 ? 0 : n, n == 1 ? "" : "s", v);
	double heap = jget(pg, "js_heap_used_bytes");
	if (heap >= 0) {
		fmt_bytes(heap, v, sizeof(v));
		buf_printf(b, "  JS heap %s", v);
	}
	buf_putc(b, '\n');
	json_t *runs = json_object_get(pg, "load_runs_ms");
	if (json_array_size(runs) > 1) {
		buf_printf(b, "  load over %zu runs:", json_array_size(runs));
		size_t i;
		json_t *x;
		json_array_foreach(runs, i, x) {
			if (json_is_number(x))
				fmt_ms(json_number_value(x), v, sizeof(v));
			else
				snprintf(v, sizeof(v), "failed");
			buf_printf(b, " %s", v);
		}
		buf_puts(b, " (the median run is reported)\n");
	}
}

static void print_requests(struct buf *b, const json_t *pg)
{
	json_t *reqs = json_object_get(pg, "requests");
	size_t n = json_array_size(reqs);
	if (!n)
		return;
	json_t **sorted = xcalloc(n, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(reqs, i);
	/* Already in this order when built here; a result from a file may not be. */
	qsort(sorted, n, sizeof(*sorted), json_by_duration);
	const char *page = jtext(pg, "url");
	int flags_used = 0;
	buf_printf(b, "\n  %9s %6s  %-10s %9s     %s\n", "duration", "status", "type", "size", "url");
	for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
		const json_t *q = sorted[i];
		char d[32], st[16], sz[32], fl[4] = "   ";
		cell_ms(d, sizeof(d), req_duration(q));
		double status = jget(q, "status");
		int failed = json_object_get(q, "error") != NULL || status >= 400;
		if (status > 0)
			snprintf(st, sizeof(st), "%.0f", status);
		else
			snprintf(st, sizeof(st), "%s", failed ? "ERR" : "-");
		double bytes = jget(q, "transferred_bytes");
		if (bytes < 0)
			snprintf(sz, sizeof(sz), "-");
		else
			fmt_bytes(bytes, sz, sizeof(sz));
		if (failed)
			fl[0] = '!';
		if (json_is_true(json_object_get(q, "from_cache")))
			fl[1] = 'c';
		if (json_is_true(json_object_get(q, "render_blocking")))
			fl[2] = 'b';
		flags_used |= strcmp(fl, "   ") != 0;
		buf_printf(b, "  %9s %6s  %-10.10s %9s %s ", d, st, jtext(q, "type"), sz, fl);
		put_url(b, relative_to(jtext(q, "url"), page), URL_WIDTH);
		buf_putc(b, '\n');
	}
	if (n > TABLE_ROWS)
		buf_printf(b, "  ... %zu more (see --json or --har)\n", n - TABLE_ROWS);
	if (flags_used)
		buf_puts(b, "  ! failed   c from cache   b render-blocking\n");
	free(sorted);
}

static void print_console(struct buf *b, const json_t *pg)
{
	json_t *con = json_object_get(pg, "console"), *counts = json_object_get(pg, "console_counts");
	size_t n = json_array_size(con);
	double errs = jget(counts, "error"), warns = jget(counts, "warning");
	if (!n && errs <= 0 && warns <= 0)
		return;
	buf_printf(b, "\n  Console: %.0f error%s, %.0f warning%s, %.0f info, %.0f debug\n", errs < 0 ? 0 : errs,
		   errs == 1 ? "" : "s", warns < 0 ? 0 : warns, warns == 1 ? "" : "s",
		   jget(counts, "info") < 0 ? 0 : jget(counts, "info"), jget(counts, "debug") < 0 ? 0 : jget(counts, "debug"));
	const char *page = jtext(pg, "url");
	for (size_t i = 0; i < n && i < CONSOLE_ROWS; i++) {
		const json_t *c = json_array_get(con, i);
		buf_printf(b, "  %-7s %-10.10s ", jtext(c, "level"), jtext(c, "source"));
		const char *url = jtext(c, "url");
		if (*url) {
			put_url(b, relative_to(url, page), 40);
			if (jget(c, "line") > 0)
				buf_printf(b, ":%.0f", jget(c, "line"));
			buf_puts(b, "  ");
		}
		put_cut(b, jtext(c, "text"), TEXT_WIDTH);
		buf_putc(b, '\n');
	}
	if (n > CONSOLE_ROWS)
		buf_printf(b, "  ... %zu more (see --json)\n", n - CONSOLE_ROWS);
	double dropped = jget(pg, "dropped_console");
	if (dropped > 0)
		buf_printf(b, "  (%.0f more messages were not kept)\n", dropped);
}

static int by_severity(const void *a, const void *b)
{
	const struct pa_finding *x = *(const struct pa_finding *const *)a, *y = *(const struct pa_finding *const *)b;
	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	double sx = x->has_impact_score ? x->impact_score : 0, sy = y->has_impact_score ? y->impact_score : 0;
	return sx < sy ? 1 : sx > sy ? -1 : 0;
}

void web_print_human(const struct pa_result *r, FILE *out)
{
	struct buf b = BUF_INIT;
	const json_t *m = r->metrics;
	json_t *pages = json_object_get(m, "pages");
	const char *browser = jtext(m, "browser");
	json_t *th = json_object_get(m, "throttle");
	if (*browser || json_is_object(th)) {
		buf_printf(&b, "%s", *browser ? browser : "browser");
		json_t *vp = json_object_get(m, "viewport");
		if (vp)
			buf_printf(&b, ", %.0fx%.0f", jget(vp, "width"), jget(vp, "height"));
		if (json_is_object(th))
			buf_printf(&b, ", throttled: %s", jtext(th, "name"));
		if (json_is_true(json_object_get(m, "cold")))
			buf_puts(&b, ", cold");
		buf_putc(&b, '\n');
	}
	size_t i;
	json_t *pg;
	json_array_foreach(pages, i, pg) {
		buf_putc(&b, '\n');
		buf_puts(&b, jtext(pg, "url"));
		double st = jget(pg, "status");
		if (st > 0)
			buf_printf(&b, "  %.0f", st);
		const char *title = jtext(pg, "title");
		if (*title) {
			buf_puts(&b, "  \"");
			put_cut(&b, title, 80);
			buf_puts(&b, "\"");
		}
		buf_putc(&b, '\n');
		const char *fin = jtext(pg, "final_url");
		if (*fin && strcmp(fin, jtext(pg, "url")) != 0)
			buf_printf(&b, "  -> %s\n", fin);
		if (*jtext(pg, "error"))
			buf_printf(&b, "  error: %s\n", jtext(pg, "error"));
		print_vitals(&b, pg);
		print_requests(&b, pg);
		double dropped = jget(pg, "dropped_requests");
		if (dropped > 0)
			buf_printf(&b, "  (%.0f more requests were not kept)\n", dropped);
		print_console(&b, pg);
	}
	buf_printf(&b, "\nFindings (%zu)\n", r->nfindings);
	const struct pa_finding **fs = xcalloc(r->nfindings ? r->nfindings : 1, sizeof(*fs));
	for (size_t k = 0; k < r->nfindings; k++)
		fs[k] = r->findings[k];
	qsort(fs, r->nfindings, sizeof(*fs), by_severity);
	for (size_t k = 0; k < r->nfindings; k++)
		buf_printf(&b, "  %-8s %-18s %s\n", severity_name(fs[k]->severity), fs[k]->rule, fs[k]->title);
	if (!r->nfindings)
		buf_puts(&b, "  none\n");
	free(fs);
	for (size_t k = 0; k < r->nartifacts; k++)
		buf_printf(&b, "%s%s: %s\n", k ? "" : "\n",
			   strcmp(r->artifacts[k].kind, "har") == 0 ? "HAR" : r->artifacts[k].kind, r->artifacts[k].path);
	if (json_is_true(json_object_get(m, "interrupted")))
		buf_puts(&b, "\nInterrupted: the pages above are those measured before Ctrl-C.\n");
	fputs(buf_str(&b), out);
	buf_free(&b);
}
