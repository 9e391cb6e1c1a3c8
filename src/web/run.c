/*
 * run: `perfagent web`'s measuring — one browser, each URL loaded in turn
 * (or in a fresh context each with --cold), the page settled, its metrics
 * read, a screenshot taken. The sequence per load:
 *
 *   Page.navigate -> Page.loadEventFired (within --timeout)
 *   -> network quiet for 500 ms (at most 5 s more: late fetches count)
 *   -> the metrics script (Navigation Timing, paint, LCP, CLS)
 *   -> Performance.getMetrics (JS heap, DOM nodes, script time)
 *   -> Page.captureScreenshot (last load of a URL, when asked)
 *
 * A page that fails to load is recorded with its error and the run goes
 * on; a browser that dies or stops answering ends the run, with the pages
 * finished so far kept for the report.
 */
#include "web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/fsutil.h"
#include "browser.h"

#define START_TIMEOUT_S 30.0 /* for the browser to answer at all */
#define CALL_TIMEOUT_S 15.0  /* for an ordinary command */
#define QUIET_S 0.5          /* network quiet that ends a load */
#define SETTLE_MAX_S 5.0     /* the longest wait for it after the load event */
#define SHOT_MAX_PX 16384    /* Chromium's limit on a capture's side */
#define PAGE_CALL_TIMEOUT_S 5.0 /* for the page itself to answer (its renderer may be busy) */
#define KID_TIMEOUT_S 5.0    /* for a child target to be set up */

int web_throttle_parse(const char *s, struct web_throttle *t, struct perr *e)
{
	static const struct web_throttle presets[] = {
		{"none", 0, 0, 0, 1},
		{"slow-3g", 2000, 400, 400, 1},
		{"fast-3g", 562.5, 1440, 675, 1},
		{"slow-4g", 150, 1638.4, 675, 4},
		{"4g", 40, 9000, 9000, 1},
	};
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(s, presets[i].name) == 0) {
			*t = presets[i];
			return 0;
		}
	double v[4] = {0, 0, 0, 1};
	int n = 0;
	const char *p = s;
	while (n < 4) {
		char *end;
		errno = 0;
		v[n] = strtod(p, &end);
		if (end == p || errno || v[n] < 0 || v[n] > 1e7)
			break;
		n++;
		if (*end == '\0') {
			p = end;
			break;
		}
		if (*end != ':')
			break;
		p = end + 1;
	}
	if (*p != '\0' || n < 3 || (n == 4 && v[3] < 1))
		return perr_set(e, "--throttle '%s': expected none, slow-3g, fast-3g, slow-4g, 4g "
				   "or RTT_MS:DOWN_KBPS:UP_KBPS[:CPU] (CPU 1 or more)", s);
	*t = (struct web_throttle){"custom", v[0], v[1], v[2], n == 4 ? v[3] : 1};
	return 0;
}

char *web_numbered_path(const char *path, size_t i)
{
	if (i == 0)
		return xstrdup(path);
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	if (!dot || dot == (slash ? slash + 1 : path))
		dot = path + strlen(path);
	struct buf b = BUF_INIT;
	buf_put(&b, path, (size_t)(dot - path));
	buf_printf(&b, "-%zu%s", i + 1, dot);
	return buf_detach(&b);
}

void web_run_free(struct web_run *r)
{
	for (size_t i = 0; i < r->npages; i++)
		page_free(&r->pages[i]);
	free(r->pages);
	if (r->screenshots)
		for (size_t i = 0; i < r->npages; i++)
			free(r->screenshots[i]);
	free(r->screenshots);
	free(r->load_runs);
	free(r->browser);
	free(r->user_agent);
	free(r->screenshot_error);
	memset(r, 0, sizeof(*r));
}

/* One tab: its browser context (cold runs), target and session. */
#define KIDS_MAX 64 /* child targets (out-of-process iframes, workers) followed per tab */

/*
 * One tab: its browser context (cold runs), target and session, and the
 * sessions of its child targets. A cross-site iframe or a worker runs in
 * a process of its own, a target Chromium attaches to automatically
 * (Target.setAutoAttach) and holds paused until we have turned on its
 * network events; its events count for the page like the tab's own.
 */
struct tab {
	char *context;
	char *target;
	char *session;
	struct web_page *page; /* where its events go; NULL: dropped */
	int crashed;
	int hung;              /* the page stopped answering: use a fresh tab next */
	char *kids[KIDS_MAX];  /* attached child sessions */
	size_t nkids;
	size_t npending;       /* the last npending kids still wait to be set up */
};

static int is_kid(const struct tab *t, const char *session)
{
	for (size_t i = 0; i < t->nkids; i++)
		if (strcmp(t->kids[i], session) == 0)
			return 1;
	return 0;
}

static void on_event(void *ud, const char *session, const char *method, json_t *params)
{
	struct tab *t = ud;
	if (!t->session || (strcmp(session, t->session) != 0 && !is_kid(t, session)))
		return;
	if (strcmp(method, "Target.attachedToTarget") == 0) {
		const char *kid = json_string_value(json_object_get(params, "sessionId"));
		if (kid && t->nkids < KIDS_MAX && !is_kid(t, kid)) {
			t->kids[t->nkids++] = xstrdup(kid);
			t->npending++;
		}
		return;
	}
	if (strcmp(method, "Target.detachedFromTarget") == 0) {
		const char *kid = json_string_value(json_object_get(params, "sessionId"));
		for (size_t i = 0; kid && i < t->nkids; i++)
			if (strcmp(t->kids[i], kid) == 0 && i + t->npending < t->nkids) {
				/* a set-up kid goes; pending ones keep their place at the end */
				free(t->kids[i]);
				memmove(&t->kids[i], &t->kids[i + 1], (t->nkids - i - 1) * sizeof(t->kids[0]));
				t->nkids--;
				break;
			}
		return;
	}
	if (strcmp(method, "Inspector.targetCrashed") == 0 && strcmp(session, t->session) == 0) {
		t->crashed = 1;
		return;
	}
	if (t->page)
		page_event(t->page, method, params);
}

static char *res_str(json_t *res, const char *key)
{
	const char *s = json_string_value(json_object_get(res, key));
	return s ? xstrdup(s) : NULL;
}

static int call(struct browser *b, const char *session, const char *method, json_t *params, json_t **res,
		struct perr *e)
{
	return cdp_call(&b->cdp, session, method, params, CALL_TIMEOUT_S, res, e);
}

/* A failure that ends the run: the pipe closed, an interrupt, a browser that stopped answering. */
static int fatal(const struct browser *b)
{
	return b->cdp.closed || b->cdp.interrupted || b->cdp.timed_out;
}

static void tab_close(struct browser *b, struct tab *t)
{
	struct perr ignore;
	if (t->target && !fatal(b))
		call(b, NULL, "Target.closeTarget", json_pack("{s:s}", "targetId", t->target), NULL, &ignore);
	if (t->context && !fatal(b))
		call(b, NULL, "Target.disposeBrowserContext", json_pack("{s:s}", "browserContextId", t->context),
		     NULL, &ignore);
	free(t->context);
	free(t->target);
	free(t->session);
	for (size_t i = 0; i < t->nkids; i++)
		free(t->kids[i]);
	memset(t, 0, sizeof(*t));
	cdp_set_handler(&b->cdp, NULL, NULL);
}

/*
 * Open a tab (in a new browser context when cold), attach to it, turn on
 * the domains whose events make a page, and set its viewport and
 * throttling. -1 with e set.
 */
static int tab_open(struct browser *b, const struct web_opts *o, int cold, struct tab *t, struct perr *e)
{
	memset(t, 0, sizeof(*t));
	json_t *res = NULL;
	if (cold) {
		if (call(b, NULL, "Target.createBrowserContext", json_pack("{s:b}", "disposeOnDetach", 1), &res, e))
			return -1;
		t->context = res_str(res, "browserContextId");
		json_decref(res);
	}
	json_t *p = json_pack("{s:s}", "url", "about:blank");
	if (t->context)
		json_object_set_new(p, "browserContextId", json_string(t->context));
	if (call(b, NULL, "Target.createTarget", p, &res, e))
		goto fail;
	t->target = res_str(res, "targetId");
	json_decref(res);
	if (!t->target) {
		perr_set(e, "the browser created a tab without an id");
		goto fail;
	}
	if (call(b, NULL, "Target.attachToTarget", json_pack("{s:s, s:b}", "targetId", t->target, "flatten", 1), &res,
		 e))
		goto fail;
	t->session = res_str(res, "sessionId");
	json_decref(res);
	if (!t->session) {
		perr_set(e, "the browser attached to a tab without a session id");
		goto fail;
	}
	cdp_set_handler(&b->cdp, on_event, t);
	static const char *const domains[] = {"Page.enable", "Network.enable", "Runtime.enable", "Log.enable",
					      "Performance.enable"};
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		if (call(b, t->session, domains[i], NULL, NULL, e))
			goto fail;
	if (call(b, t->session, "Target.setAutoAttach",
		 json_pack("{s:b, s:b, s:b}", "autoAttach", 1, "waitForDebuggerOnStart", 1, "flatten", 1), NULL, e))
		goto fail;
	/* Chromium's [Violation] reports: the "slow script" warnings the seed asks to look for. */
	json_t *cfg = json_pack("{s:[{s:s,s:f},{s:s,s:f},{s:s,s:f}]}", "config", "name", "longTask", "threshold",
				200.0, "name", "handler", "threshold", 150.0, "name", "blockedParser", "threshold",
				0.0);
	if (call(b, t->session, "Log.startViolationsReport", cfg, NULL, e))
		goto fail;
	if (call(b, t->session, "Emulation.setDeviceMetricsOverride",
		 json_pack("{s:i, s:i, s:f, s:b}", "width", o->width, "height", o->height, "deviceScaleFactor", 1.0,
			   "mobile", 0),
		 NULL, e))
		goto fail;
	const struct web_throttle *th = &o->throttle;
	if (th->latency_ms > 0 || th->down_kbps > 0 || th->up_kbps > 0) {
		/* kbps -> bytes per second; 0 means no limit to us, -1 to Chromium */
		double down = th->down_kbps > 0 ? th->down_kbps * 1000 / 8 : -1;
		double up = th->up_kbps > 0 ? th->up_kbps * 1000 / 8 : -1;
		if (call(b, t->session, "Network.emulateNetworkConditions",
			 json_pack("{s:b, s:f, s:f, s:f}", "offline", 0, "latency", th->latency_ms,
				   "downloadThroughput", down, "uploadThroughput", up),
			 NULL, e))
			goto fail;
	}
	if (th->cpu_rate > 1 &&
	    call(b, t->session, "Emulation.setCPUThrottlingRate", json_pack("{s:f}", "rate", th->cpu_rate), NULL, e))
		goto fail;
	return 0;
fail:
	tab_close(b, t);
	return -1;
}

/*
 * Set up the child targets attached since the last call: their network,
 * console and log events on, their own children attached, then let them
 * run (they start paused, so none of their requests is missed). A child
 * that is gone, or lacks a domain (a worker has no Log), is let go or
 * skips that step; its trouble is not the page's. -1 only when the
 * browser itself failed.
 */
static int serve_kids(struct browser *b, struct tab *t, struct perr *e)
{
	static const char *const steps[] = {"Network.enable", "Runtime.enable", "Log.enable", "Target.setAutoAttach",
					    "Runtime.runIfWaitingForDebugger"};
	while (t->npending > 0) {
		char *kid = xstrdup(t->kids[t->nkids - t->npending]);
		t->npending--;
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			json_t *params = i == 3 ? json_pack("{s:b, s:b, s:b}", "autoAttach", 1, "waitForDebuggerOnStart", 1,
							    "flatten", 1)
						: NULL;
			if (cdp_call(&b->cdp, kid, steps[i], params, KID_TIMEOUT_S, NULL, e) == 0)
				continue;
			if (b->cdp.closed || b->cdp.interrupted) {
				free(kid);
				return -1;
			}
			if (b->cdp.timed_out) {
				b->cdp.timed_out = 0;
				break; /* gone quiet: let it go */
			}
		}
		free(kid);
	}
	return 0;
}

struct pred {
	struct tab *t;
	int (*done)(void *arg);
	void *arg;
};

static int done_or_kids(void *a)
{
	struct pred *p = a;
	return p->t->npending > 0 || (p->done && p->done(p->arg));
}

/*
 * cdp_wait() for a tab: wait up to timeout_s for done(arg), setting up
 * each child target as soon as it attaches. 1 when done, 0 on timeout, -1
 * when the browser failed.
 */
static int tab_wait(struct browser *b, struct tab *t, double timeout_s, int (*done)(void *), void *arg, struct perr *e)
{
	int64_t deadline = clock_mono_ns() + (int64_t)(timeout_s * 1e9);
	struct pred p = {t, done, arg};
	for (;;) {
		double left = (double)(deadline - clock_mono_ns()) / 1e9;
		int r = cdp_wait(&b->cdp, left > 0 ? left : 0, done_or_kids, &p, e);
		if (r < 0)
			return -1;
		if (t->npending > 0 && serve_kids(b, t, e))
			return -1;
		if (done && done(arg))
			return 1;
		if (clock_mono_ns() >= deadline)
			return 0;
	}
}

/*
 * A command the page's renderer answers (the metrics script, its metrics).
 * A page whose script never yields cannot answer: that is the page's
 * failure, not the browser's, once Browser.getVersion shows the browser
 * still answers. 0 answered; 1 the page hangs (t->hung set: the next load
 * gets a fresh tab); -1 the browser failed.
 */
static int page_call(struct browser *b, struct tab *t, const char *method, json_t *params, json_t **res,
		     struct perr *e)
{
	if (cdp_call(&b->cdp, t->session, method, params, PAGE_CALL_TIMEOUT_S, res, e) == 0)
		return 0;
	if (b->cdp.closed || b->cdp.interrupted)
		return -1;
	if (!b->cdp.timed_out)
		return 1; /* an error answer: the page is gone or refused */
	b->cdp.timed_out = 0;
	t->hung = 1;
	struct perr be;
	if (call(b, NULL, "Browser.getVersion", NULL, NULL, &be)) {
		*e = be;
		return -1;
	}
	return 1;
}

/* The settling predicate: no request in flight for QUIET_S. */
struct quiet {
	struct web_page *p;
	int64_t since; /* monotonic ns the network went quiet; 0 while busy */
};

static int is_quiet(void *arg)
{
	struct quiet *q = arg;
	int64_t now = clock_mono_ns();
	if (page_inflight(q->p) > 0) {
		q->since = 0;
		return 0;
	}
	if (!q->since)
		q->since = now;
	return now - q->since >= (int64_t)(QUIET_S * 1e9);
}

static int load_fired(void *arg)
{
	struct tab *t = arg;
	return t->crashed || (t->page && t->page->load_fired);
}

static void page_error(struct web_page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void page_error(struct web_page *p, const char *fmt, ...)
{
	if (p->error)
		return;
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p->error = buf_detach(&b);
}

/*
 * Load t's page (already page_init'ed, set as t->page) and read its
 * metrics. 0 when the browser is still usable — the page may have failed,
 * with p->error saying how — and -1 with e set when it is not.
 */
static int load_page(struct browser *b, struct tab *t, const struct web_opts *o, struct perr *e)
{
	struct web_page *p = t->page;
	int64_t t0 = clock_mono_ns();
	json_t *res = NULL;
	if (cdp_call(&b->cdp, t->session, "Page.navigate", json_pack("{s:s}", "url", p->url), o->timeout_s, &res, e)) {
		if (b->cdp.timed_out && !b->cdp.closed && !b->cdp.interrupted) {
			/* a server that never answers: the page failed, the browser is fine */
			b->cdp.timed_out = 0;
			p->load_timed_out = 1;
			page_error(p, "no response within %.0f s", o->timeout_s);
			struct perr ignore;
			call(b, t->session, "Page.stopLoading", NULL, NULL, &ignore);
			return fatal(b) ? -1 : 0;
		}
		if (fatal(b))
			return -1;
		page_error(p, "%s", e->msg);
		return 0;
	}
	const char *err = json_string_value(json_object_get(res, "errorText"));
	const char *frame = json_string_value(json_object_get(res, "frameId"));
	if (frame && !p->frame_id)
		p->frame_id = xstrdup(frame);
	if (err && *err) {
		page_error(p, "%s", err);
		json_decref(res);
		/* let the failed request's events arrive */
		if (tab_wait(b, t, 0.2, NULL, NULL, e) < 0)
			return -1;
		return 0;
	}
	json_decref(res);
	double left = o->timeout_s - clock_elapsed_s(t0, clock_mono_ns());
	int r = tab_wait(b, t, left > 0 ? left : 0, load_fired, t, e);
	if (r < 0)
		return -1;
	if (t->crashed) {
		page_error(p, "the page crashed the browser's renderer");
		return 0;
	}
	if (r == 0) {
		p->load_timed_out = 1;
		page_error(p, "the load event did not fire within %.0f s", o->timeout_s);
	} else {
		struct quiet q = {p, 0};
		if (tab_wait(b, t, SETTLE_MAX_S, is_quiet, &q, e) < 0)
			return -1;
	}
	res = NULL;
	json_t *args = json_pack("{s:s, s:b, s:b}", "expression", page_metrics_js, "awaitPromise", 1, "returnByValue", 1);
	int rc = page_call(b, t, "Runtime.evaluate", args, &res, e);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		const char *text = json_string_value(json_object_get(json_object_get(res, "result"), "value"));
		json_t *m = text ? json_loads(text, 0, NULL) : NULL;
		page_apply_metrics(p, m);
		json_decref(m);
	}
	json_decref(res);
	if (t->hung) {
		page_error(p, "the page did not answer within %.0f s (a script that never yields?)", PAGE_CALL_TIMEOUT_S);
		return 0;
	}
	res = NULL;
	rc = page_call(b, t, "Performance.getMetrics", NULL, &res, e);
	if (rc < 0)
		return -1;
	if (rc == 0)
		page_apply_perf_metrics(p, res);
	json_decref(res);
	if (t->hung)
		page_error(p, "the page did not answer within %.0f s (a script that never yields?)", PAGE_CALL_TIMEOUT_S);
	return 0;
}

/* base64 -> bytes; *len set. NULL on a character outside the alphabet. */
static unsigned char *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out = xmalloc(n / 4 * 3 + 3);
	size_t o = 0;
	unsigned v = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int d;
		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '+')
			d = 62;
		else if (c == '/')
			d = 63;
		else if (c == '=' || c == '\n' || c == '\r')
			continue;
		else {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	*len = o;
	return out;
}

/* Capture the tab's page as a PNG into path. -1 with e set. */
static int screenshot(struct browser *b, struct tab *t, const struct web_opts *o, const char *path, struct perr *e)
{
	json_t *p = json_pack("{s:s, s:b}", "format", "png", "fromSurface", 1);
	if (o->full_page) {
		json_t *lm = NULL;
		if (call(b, t->session, "Page.getLayoutMetrics", NULL, &lm, e))
			return -1;
		json_t *cs = json_object_get(lm, "cssContentSize");
		double w = json_number_value(json_object_get(cs, "width"));
		double h = json_number_value(json_object_get(cs, "height"));
		json_decref(lm);
		if (w < o->width)
			w = o->width;
		if (h < o->height)
			h = o->height;
		if (h > SHOT_MAX_PX)
			h = SHOT_MAX_PX;
		if (w > SHOT_MAX_PX)
			w = SHOT_MAX_PX;
		json_object_set_new(p, "captureBeyondViewport", json_true());
		json_object_set_new(p, "clip", json_pack("{s:f, s:f, s:f, s:f, s:f}", "x", 0.0, "y", 0.0, "width",
							   (double)(long)w, "height", (double)(long)h, "scale", 1.0));
	}
	json_t *res = NULL;
	if (cdp_call(&b->cdp, t->session, "Page.captureScreenshot", p, 60, &res, e))
		return -1;
	const char *data = json_string_value(json_object_get(res, "data"));
	size_t len = 0;
	unsigned char *png = data ? b64_decode(data, &len) : NULL;
	json_decref(res);
	if (!png || len < 8)
		return free(png), perr_set(e, "the browser sent a screenshot that is not base64 PNG data");
	int rc = fs_write_atomic(path, png, len, e);
	free(png);
	return rc;
}

static int by_load(const void *a, const void *b)
{
	const struct web_page *x = a, *y = b;
	/* failed loads last, then by load time (unknown after known) */
	int fx = x->error != NULL, fy = y->error != NULL;
	if (fx != fy)
		return fx - fy;
	double lx = x->v.load < 0 ? 1e18 : x->v.load, ly = y->v.load < 0 ? 1e18 : y->v.load;
	return (lx > ly) - (lx < ly);
}

/* Navigate the tab to about:blank so the next page starts from nothing. */
static int blank(struct browser *b, struct tab *t, struct perr *e)
{
	struct web_page scratch;
	page_init(&scratch, "about:blank", 0, 0);
	t->page = &scratch;
	json_t *res = NULL;
	int rc = call(b, t->session, "Page.navigate", json_pack("{s:s}", "url", "about:blank"), &res, e);
	json_decref(res);
	if (rc == 0) {
		/* about:blank loads at once; its load event is the end of the old page */
		scratch.nav_ts = 1;
		if (tab_wait(b, t, 5, load_fired, t, e) < 0)
			rc = -1;
	}
	t->page = NULL;
	page_free(&scratch);
	return rc;
}

/*
 * Before the first measured load: render one small page in a scratch tab
 * and wait for two frames. A browser that started a moment ago still has
 * its first-paint work ahead (fonts, the compositor, a renderer process
 * to spawn); left there, it lands in the first page's FCP and LCP, which
 * no visitor's long-running browser would pay. -1 when the browser failed.
 */
static int warm_up(struct browser *b, const struct web_opts *o, struct perr *e)
{
	struct tab t;
	if (tab_open(b, o, 0, &t, e))
		return -1;
	struct web_page scratch;
	page_init(&scratch, "data:", 0, 0);
	scratch.nav_ts = 1; /* count the load event from the start */
	t.page = &scratch;
	json_t *res = NULL;
	int rc = call(b, t.session, "Page.navigate",
		      json_pack("{s:s}", "url", "data:text/html,<!DOCTYPE html><title>warm-up</title>"
						"<p style='font:16px sans-serif'>perfagent <b>warm-up</b></p>"),
		      &res, e);
	json_decref(res);
	res = NULL;
	if (rc == 0 && tab_wait(b, &t, 5, load_fired, &t, e) < 0)
		rc = -1;
	if (rc == 0) {
		json_t *args = json_pack("{s:s, s:b}", "expression",
					 "new Promise(function (r) { requestAnimationFrame(function () {"
					 " requestAnimationFrame(function () { r(1); }); }); })",
					 "awaitPromise", 1);
		if (page_call(b, &t, "Runtime.evaluate", args, &res, e) < 0)
			rc = -1;
		json_decref(res);
	}
	t.page = NULL;
	page_free(&scratch);
	tab_close(b, &t);
	return fatal(b) ? -1 : 0;
}

int web_run(const struct web_opts *o, struct web_run *out, struct perr *e)
{
	memset(out, 0, sizeof(*out));
	int repeat = o->repeat > 0 ? o->repeat : 1;
	out->repeat = repeat;
	struct browser b;
	if (browser_launch(&b, o->chromium, o->stop, START_TIMEOUT_S, e)) {
		out->interrupted = b.cdp.interrupted;
		return -1;
	}
	if (warm_up(&b, o, e)) {
		out->interrupted = b.cdp.interrupted;
		if (!b.cdp.interrupted)
			browser_explain(&b, "while starting", e);
		browser_kill(&b);
		return -1;
	}
	out->browser = xstrdup(b.product);
	out->user_agent = b.user_agent ? xstrdup(b.user_agent) : NULL;
	out->pages = xcalloc(o->nurls ? o->nurls : 1, sizeof(*out->pages));
	out->screenshots = xcalloc(o->nurls ? o->nurls : 1, sizeof(*out->screenshots));
	out->load_runs = xcalloc(o->nurls * (size_t)repeat + 1, sizeof(*out->load_runs));
	struct web_page *loads = xcalloc((size_t)repeat, sizeof(*loads));
	struct tab tab = {0};
	int have_tab = 0, used = 0, rc = 0;
	const char *what = "while starting";
	char whatbuf[2300];
	for (size_t i = 0; i < o->nurls && rc == 0; i++) {
		size_t nloads = 0;
		snprintf(whatbuf, sizeof(whatbuf), "while loading '%s'", o->urls[i]);
		what = whatbuf;
		for (int k = 0; k < repeat; k++) {
			if (o->progress)
				progress_update(o->progress, "loading %s  (page %zu/%zu%s)", o->urls[i], i + 1, o->nurls,
						repeat > 1 ? ", several loads" : "");
			if (!have_tab || o->cold || tab.hung) {
				if (have_tab)
					tab_close(&b, &tab);
				have_tab = 0;
				if (tab_open(&b, o, o->cold, &tab, e)) {
					rc = -1;
					break;
				}
				have_tab = 1;
				used = 0;
			} else if (used && blank(&b, &tab, e)) {
				rc = -1;
				break;
			}
			struct web_page *p = &loads[nloads];
			page_init(p, o->urls[i], o->width, o->height);
			nloads++;
			tab.page = p;
			used = 1;
			if (load_page(&b, &tab, o, e)) {
				tab.page = NULL;
				rc = -1;
				break;
			}
			out->load_runs[i * (size_t)repeat + (size_t)k] = p->error ? -1 : p->v.load;
			if (k == repeat - 1 && o->screenshot && !p->error) {
				char *path = web_numbered_path(o->screenshot, i);
				if (screenshot(&b, &tab, o, path, e)) {
					free(path);
					if (fatal(&b)) {
						tab.page = NULL;
						rc = -1;
						break;
					}
					b.cdp.timed_out = 0;
					/* the page loaded; the screenshot is the run's failure, not the page's */
					if (!out->screenshot_error)
						out->screenshot_error = xstrdup(e->msg);
				} else {
					out->screenshots[i] = path;
				}
			}
			tab.page = NULL;
		}
		if (rc) {
			for (size_t k = 0; k < nloads; k++)
				page_free(&loads[k]);
			break;
		}
		/* The median load stands for the URL; the screenshot is of the last. */
		qsort(loads, nloads, sizeof(*loads), by_load);
		size_t ok = 0;
		while (ok < nloads && !loads[ok].error)
			ok++;
		size_t pick = ok ? (ok - 1) / 2 : 0;
		out->pages[out->npages++] = loads[pick];
		for (size_t k = 0; k < nloads; k++)
			if (k != pick)
				page_free(&loads[k]);
		memset(loads, 0, (size_t)repeat * sizeof(*loads));
	}
	if (rc) {
		out->interrupted = b.cdp.interrupted;
		if (!b.cdp.interrupted && !browser_explain(&b, what, e)) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e->msg);
			perr_set(e, "%s %s", msg, what);
		}
	}
	if (have_tab)
		tab_close(&b, &tab);
	if (o->progress)
		progress_clear(o->progress);
	free(loads);
	browser_kill(&b);
	return rc;
}
