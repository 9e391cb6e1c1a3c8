/*
 * page: a page load, assembled from DevTools events (see page.h).
 *
 * Every field read here comes from the browser, which is trusted to be
 * Chromium but not trusted to be well-formed: each value is type-checked
 * where it is read, and a missing one leaves the default (-1, NULL, 0).
 */
#include "page.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/buf.h"

#define TEXT_MAX 2000 /* console text kept per message */

static const char *const level_names[] = {"debug", "info", "warning", "error"};

const char *web_level_name(enum web_level l)
{
	return (unsigned)l < 4 ? level_names[l] : "info";
}

int web_level_parse(const char *s, enum web_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum web_level)i;
			return 0;
		}
	if (strcasecmp(s, "warn") == 0) {
		*out = WEB_WARNING;
		return 0;
	}
	return -1;
}

static void vitals_unknown(struct web_vitals *v)
{
	v->ttfb = v->dom_content_loaded = v->load = v->fcp = v->lcp = v->cls = -1;
	v->js_heap_used = v->js_heap_total = -1;
	v->dom_nodes = -1;
	v->script_ms = v->layout_ms = v->task_ms = -1;
}

void page_init(struct web_page *p, const char *url, int width, int height)
{
	memset(p, 0, sizeof(*p));
	p->url = xstrdup(url);
	p->width = width;
	p->height = height;
	vitals_unknown(&p->v);
}

static void request_free(struct web_request *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->url);
	free(r->method);
	free(r->type);
	free(r->mime);
	free(r->protocol);
	free(r->status_text);
	free(r->error);
	free(r->initiator);
	free(r->redirect_url);
	free(r->remote_ip);
	free(r->post_data);
	json_decref(r->request_headers);
	json_decref(r->response_headers);
	free(r);
}

void page_free(struct web_page *p)
{
	for (size_t i = 0; i < p->nreq; i++)
		request_free(p->req[i]);
	free(p->req);
	for (size_t i = 0; i < p->ncon; i++) {
		free(p->con[i].source);
		free(p->con[i].text);
		free(p->con[i].url);
	}
	free(p->con);
	free(p->url);
	free(p->final_url);
	free(p->title);
	free(p->error);
	free(p->frame_id);
	free(p->loader_id);
	memset(p, 0, sizeof(*p));
}

/* ---- reading params ---- */

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A number field, or dflt when absent or not a number. */
static double num(json_t *o, const char *k, double dflt)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_number(v))
		return dflt;
	double d = json_number_value(v);
	return isfinite(d) ? d : dflt;
}

static void set_str(char **dst, const char *s)
{
	if (!s)
		return;
	free(*dst);
	*dst = xstrdup(s);
}

/* A copy of a headers object keeping only string values. */
static json_t *headers_copy(json_t *h)
{
	if (!json_is_object(h))
		return NULL;
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(h, k, v) {
		if (json_is_string(v))
			json_object_set(out, k, v);
	}
	return out;
}

static struct web_request *find_req(struct web_page *p, const char *id)
{
	if (!id)
		return NULL;
	/* Newest first: events mostly concern recent requests. */
	for (size_t i = p->nreq; i-- > 0;)
		if (strcmp(p->req[i]->id, id) == 0)
			return p->req[i];
	return NULL;
}

static struct web_request *add_req(struct web_page *p, const char *id)
{
	if (p->nreq >= PAGE_MAX_REQUESTS) {
		p->dropped_requests++;
		return NULL;
	}
	if (p->nreq == p->capreq) {
		p->capreq = p->capreq ? p->capreq * 2 : 64;
		p->req = xrealloc(p->req, p->capreq * sizeof(*p->req));
	}
	struct web_request *r = xcalloc(1, sizeof(*r));
	r->id = xstrdup(id);
	r->duration_ms = -1;
	r->transferred = r->decoded = -1;
	r->headers_size = r->request_headers_size = -1;
	r->t = (struct web_timings){-1, -1, -1, -1, -1, -1, -1};
	p->req[p->nreq++] = r;
	return r;
}

/* "parser http://h/x.html:12", "script http://h/app.js:3", "other". */
static char *initiator_text(json_t *in)
{
	const char *type = str(in, "type");
	if (!type)
		return NULL;
	const char *url = str(in, "url");
	double line = num(in, "lineNumber", -1);
	json_t *frames = json_object_get(json_object_get(in, "stack"), "callFrames");
	json_t *f0 = json_array_get(frames, 0);
	if (!url && json_is_object(f0)) {
		url = str(f0, "url");
		line = num(f0, "lineNumber", -1);
	}
	struct buf b = BUF_INIT;
	buf_puts(&b, type);
	if (url && *url) {
		buf_printf(&b, " %s", url);
		if (line >= 0 && line < 1e9)
			buf_printf(&b, ":%ld", (long)line + 1);
	}
	return buf_detach(&b);
}

static int is_main_document(struct web_page *p, json_t *params)
{
	const char *type = str(params, "type");
	const char *id = str(params, "requestId"), *loader = str(params, "loaderId");
	const char *frame = str(params, "frameId");
	if (!type || strcmp(type, "Document") != 0 || !id || !loader || strcmp(id, loader) != 0)
		return 0;
	return !p->frame_id || !frame || strcmp(p->frame_id, frame) == 0;
}

/* Fill a response's fields from a CDP Response object. */
static void apply_response(struct web_page *p, struct web_request *r, json_t *resp)
{
	(void)p;
	double status = num(resp, "status", 0);
	r->status = status >= 0 && status < 1000 ? (int)status : 0;
	set_str(&r->status_text, str(resp, "statusText"));
	set_str(&r->mime, str(resp, "mimeType"));
	set_str(&r->protocol, str(resp, "protocol"));
	set_str(&r->remote_ip, str(resp, "remoteIPAddress"));
	double port = num(resp, "remotePort", 0);
	r->remote_port = port > 0 && port < 65536 ? (int)port : 0;
	json_t *h = headers_copy(json_object_get(resp, "headers"));
	if (h) {
		json_decref(r->response_headers);
		r->response_headers = h;
	}
	json_t *rh = headers_copy(json_object_get(resp, "requestHeaders"));
	if (rh) {
		json_decref(r->request_headers);
		r->request_headers = rh;
	}
	if (json_is_true(json_object_get(resp, "fromDiskCache")) ||
	    json_is_true(json_object_get(resp, "fromServiceWorker")) ||
	    json_is_true(json_object_get(resp, "fromPrefetchCache")))
		r->from_cache = 1;
	const char *ht = str(resp, "headersText");
	if (ht)
		r->headers_size = (int64_t)strlen(ht);
	json_t *t = json_object_get(resp, "timing");
	if (json_is_object(t)) {
		double rt = num(t, "requestTime", -1);
		double dns_s = num(t, "dnsStart", -1), dns_e = num(t, "dnsEnd", -1);
		double con_s = num(t, "connectStart", -1), con_e = num(t, "connectEnd", -1);
		double ssl_s = num(t, "sslStart", -1), ssl_e = num(t, "sslEnd", -1);
		double send_s = num(t, "sendStart", -1), send_e = num(t, "sendEnd", -1);
		double hdr_s = num(t, "receiveHeadersStart", -1), hdr_e = num(t, "receiveHeadersEnd", -1);
		double first_byte = hdr_s > 0 ? hdr_s : hdr_e;
		double queued = rt > 0 && r->start_ts > 0 && rt >= r->start_ts ? (rt - r->start_ts) * 1000 : 0;
		double first = dns_s >= 0 ? dns_s : con_s >= 0 ? con_s : send_s >= 0 ? send_s : 0;
		r->t.blocked = queued + first;
		r->t.dns = dns_s >= 0 && dns_e >= dns_s ? dns_e - dns_s : -1;
		r->t.connect = con_s >= 0 && con_e >= con_s ? con_e - con_s : -1;
		r->t.ssl = ssl_s >= 0 && ssl_e >= ssl_s ? ssl_e - ssl_s : -1;
		r->t.send = send_s >= 0 && send_e >= send_s ? send_e - send_s : 0;
		r->t.wait = send_e >= 0 && first_byte >= send_e ? first_byte - send_e : 0;
		/* receive is known at loadingFinished: from the first byte to the end */
		r->t.receive = -1;
		if (rt > 0 && first_byte >= 0)
			r->response_ts = rt + first_byte / 1000;
	}
}

/* The size of an HTTP/1.x response head rebuilt from its status and headers. */
static int64_t h1_head_size(const struct web_request *r)
{
	if (!r->protocol || strncasecmp(r->protocol, "http/1", 6) != 0 || !r->response_headers)
		return -1;
	int64_t n = (int64_t)strlen("HTTP/1.1 000 \r\n") + (r->status_text ? (int64_t)strlen(r->status_text) : 0);
	const char *k;
	json_t *v;
	json_object_foreach(r->response_headers, k, v) {
		/* CDP joins repeated headers with '\n': each line is one header on the wire */
		const char *s = json_string_value(v);
		int64_t lines = 1;
		for (const char *c = s; *c; c++)
			lines += *c == '\n';
		n += lines * ((int64_t)strlen(k) + 4) + (int64_t)strlen(s) - (lines - 1);
	}
	return n + 2;
}

static void finish(struct web_page *p, struct web_request *r, double ts)
{
	r->finished = 1;
	if (ts > 0)
		r->end_ts = ts;
	if (r->end_ts > 0 && r->start_ts > 0 && r->end_ts >= r->start_ts)
		r->duration_ms = (r->end_ts - r->start_ts) * 1000;
	if (r->response_ts > 0 && r->end_ts >= r->response_ts)
		r->t.receive = (r->end_ts - r->response_ts) * 1000;
	else if (!r->failed)
		r->t.receive = 0;
	if (r->end_ts > p->last_net_ts)
		p->last_net_ts = r->end_ts;
}

static void on_request(struct web_page *p, json_t *params)
{
	const char *id = str(params, "requestId");
	json_t *req = json_object_get(params, "request");
	const char *url = str(req, "url");
	if (!id || !url)
		return;
	/* inline data is not a request; an error page's furniture is not the page's */
	const char *doc = str(params, "documentURL");
	if (strncmp(url, "data:", 5) == 0 || (doc && strncmp(doc, "chrome-error:", 13) == 0))
		return;
	double ts = num(params, "timestamp", 0), wall = num(params, "wallTime", 0);
	struct web_request *old = find_req(p, id);
	json_t *redir = json_object_get(params, "redirectResponse");
	if (old && json_is_object(redir)) {
		/* A redirect hop ends here; it keeps its own entry under a new id. */
		apply_response(p, old, redir);
		set_str(&old->redirect_url, url);
		if (old->transferred < 0)
			old->transferred = (int64_t)num(redir, "encodedDataLength", -1);
		old->decoded = 0;
		finish(p, old, ts);
		struct buf nid = BUF_INIT;
		for (int n = 1;; n++) {
			buf_reset(&nid);
			buf_printf(&nid, "%s#redirect%d", id, n);
			if (!find_req(p, buf_str(&nid)))
				break;
		}
		free(old->id);
		old->id = buf_detach(&nid);
	} else if (old) {
		return; /* the same request announced twice */
	}
	int main_doc = is_main_document(p, params);
	struct web_request *r = add_req(p, id);
	if (!r)
		return;
	r->url = xstrdup(url);
	r->method = xstrdup(str(req, "method") ? str(req, "method") : "GET");
	set_str(&r->type, str(params, "type"));
	if (!r->type)
		r->type = xstrdup("Other");
	r->start_ts = ts;
	r->wall_time = wall;
	r->request_headers = headers_copy(json_object_get(req, "headers"));
	set_str(&r->post_data, str(req, "postData"));
	r->initiator = initiator_text(json_object_get(params, "initiator"));
	if (ts > p->last_net_ts)
		p->last_net_ts = ts;
	if (main_doc) {
		set_str(&p->loader_id, str(params, "loaderId"));
		if (!p->nav_ts) {
			p->nav_ts = ts;
			p->nav_wall = wall;
		}
		set_str(&p->final_url, url);
	}
}

static void on_response(struct web_page *p, json_t *params)
{
	struct web_request *r = find_req(p, str(params, "requestId"));
	json_t *resp = json_object_get(params, "response");
	if (!r || !json_is_object(resp))
		return;
	apply_response(p, r, resp);
	const char *type = str(params, "type");
	if (type)
		set_str(&r->type, type);
	if (p->loader_id && strcmp(r->id, p->loader_id) == 0) {
		p->status = r->status;
		set_str(&p->final_url, str(resp, "url"));
	}
}

static void on_finished(struct web_page *p, json_t *params)
{
	struct web_request *r = find_req(p, str(params, "requestId"));
	if (!r || r->finished)
		return;
	double enc = num(params, "encodedDataLength", -1);
	if (enc >= 0)
		r->transferred = (int64_t)enc;
	if (r->decoded < 0)
		r->decoded = 0;
	if (r->headers_size < 0)
		r->headers_size = h1_head_size(r);
	if (r->from_cache && r->transferred < 0)
		r->transferred = 0;
	finish(p, r, num(params, "timestamp", 0));
}

static void on_failed(struct web_page *p, json_t *params)
{
	struct web_request *r = find_req(p, str(params, "requestId"));
	if (!r || r->finished)
		return;
	r->failed = 1;
	set_str(&r->error, str(params, "errorText"));
	if (!r->error)
		r->error = xstrdup("failed");
	r->canceled = json_is_true(json_object_get(params, "canceled"));
	if (r->transferred < 0)
		r->transferred = 0;
	if (r->decoded < 0 || r->status == 0)
		r->decoded = 0; /* without a response, what came was Chromium's error page */
	finish(p, r, num(params, "timestamp", 0));
}

/* ---- console ---- */

static struct web_console *add_console(struct web_page *p)
{
	if (p->ncon >= PAGE_MAX_CONSOLE) {
		p->dropped_console++;
		return NULL;
	}
	if (p->ncon == p->capcon) {
		p->capcon = p->capcon ? p->capcon * 2 : 32;
		p->con = xrealloc(p->con, p->capcon * sizeof(*p->con));
	}
	struct web_console *c = &p->con[p->ncon++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* text, cut at TEXT_MAX bytes (on a UTF-8 boundary) */
static char *clip(const char *s, size_t n)
{
	if (n > TEXT_MAX) {
		n = TEXT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* A console argument (a RemoteObject) as console.log would print it. */
static void arg_text(struct buf *b, json_t *a)
{
	json_t *v = json_object_get(a, "value");
	const char *s;
	if (json_is_string(v)) {
		buf_puts(b, json_string_value(v));
	} else if (v && !json_is_null(v) && !json_is_object(v) && !json_is_array(v)) {
		char *t = json_dumps(v, JSON_ENCODE_ANY);
		if (t)
			buf_puts(b, t);
		free(t);
	} else if ((s = str(a, "unserializableValue")) || (s = str(a, "description"))) {
		buf_puts(b, s);
	} else if ((s = str(a, "type"))) {
		buf_puts(b, strcmp(s, "undefined") == 0 ? "undefined" : json_is_null(v) ? "null" : s);
	}
}

static void frame_location(struct web_console *c, json_t *frames)
{
	json_t *f0 = json_array_get(frames, 0);
	const char *url = str(f0, "url");
	if (url && *url) {
		c->url = xstrdup(url);
		double l = num(f0, "lineNumber", -1), col = num(f0, "columnNumber", -1);
		c->line = l >= 0 && l < 1e9 ? (long)l + 1 : 0;
		c->column = col >= 0 && col < 1e9 ? (long)col + 1 : 0;
	}
}

static void on_console_api(struct web_page *p, json_t *params)
{
	const char *type = str(params, "type");
	if (!type)
		return;
	enum web_level lv = WEB_INFO;
	if (strcmp(type, "error") == 0 || strcmp(type, "assert") == 0)
		lv = WEB_ERROR;
	else if (strcmp(type, "warning") == 0)
		lv = WEB_WARNING;
	else if (strcmp(type, "debug") == 0)
		lv = WEB_DEBUG;
	struct buf b = BUF_INIT;
	json_t *args = json_object_get(params, "args");
	size_t i;
	json_t *a;
	json_array_foreach(args, i, a) {
		if (i)
			buf_putc(&b, ' ');
		arg_text(&b, a);
		if (b.len > TEXT_MAX)
			break;
	}
	struct web_console *c = add_console(p);
	if (c) {
		c->level = lv;
		c->source = xstrdup("console");
		c->text = clip(buf_str(&b), b.len);
		c->ts = num(params, "timestamp", 0) / 1000;
		frame_location(c, json_object_get(json_object_get(params, "stackTrace"), "callFrames"));
	}
	buf_free(&b);
}

static void on_exception(struct web_page *p, json_t *params)
{
	json_t *d = json_object_get(params, "exceptionDetails");
	if (!json_is_object(d))
		return;
	const char *text = str(d, "text");
	const char *desc = str(json_object_get(d, "exception"), "description");
	struct buf b = BUF_INIT;
	buf_puts(&b, text ? text : "Uncaught");
	if (desc) {
		size_t n = strcspn(desc, "\n");
		buf_putc(&b, ' ');
		buf_put(&b, desc, n);
	}
	struct web_console *c = add_console(p);
	if (c) {
		c->level = WEB_ERROR;
		c->source = xstrdup("exception");
		c->text = clip(buf_str(&b), b.len);
		c->ts = num(params, "timestamp", 0) / 1000;
		const char *url = str(d, "url");
		if (url && *url) {
			c->url = xstrdup(url);
			double l = num(d, "lineNumber", -1), col = num(d, "columnNumber", -1);
			c->line = l >= 0 && l < 1e9 ? (long)l + 1 : 0;
			c->column = col >= 0 && col < 1e9 ? (long)col + 1 : 0;
		} else {
			frame_location(c, json_object_get(json_object_get(d, "stackTrace"), "callFrames"));
		}
	}
	buf_free(&b);
}

static void on_log_entry(struct web_page *p, json_t *params)
{
	json_t *en = json_object_get(params, "entry");
	const char *source = str(en, "source"), *level = str(en, "level"), *text = str(en, "text");
	if (!source || !level || !text)
		return;
	/* console calls and exceptions come from Runtime, with their arguments */
	if (strcmp(source, "console-api") == 0 || strcmp(source, "javascript") == 0)
		return;
	enum web_level lv;
	if (strcmp(source, "violation") == 0)
		lv = WEB_WARNING; /* long tasks, slow handlers: the performance warnings, whatever level Chromium gives */
	else if (strcmp(level, "verbose") == 0)
		lv = WEB_DEBUG;
	else if (web_level_parse(level, &lv))
		lv = WEB_INFO;
	struct web_console *c = add_console(p);
	if (!c)
		return;
	c->level = lv;
	c->source = xstrdup(source);
	c->text = clip(text, strlen(text));
	c->ts = num(en, "timestamp", 0) / 1000;
	const char *url = str(en, "url");
	if (url && *url) {
		c->url = xstrdup(url);
		double l = num(en, "lineNumber", -1);
		c->line = l >= 0 && l < 1e9 ? (long)l + 1 : 0;
	}
}

void page_event(struct web_page *p, const char *method, json_t *params)
{
	if (!method || !json_is_object(params))
		return;
	if (strncmp(method, "Network.", 8) == 0) {
		const char *m = method + 8;
		if (strcmp(m, "requestWillBeSent") == 0) {
			on_request(p, params);
		} else if (strcmp(m, "requestWillBeSentExtraInfo") == 0) {
			struct web_request *r = find_req(p, str(params, "requestId"));
			json_t *h = headers_copy(json_object_get(params, "headers"));
			if (r && h) {
				json_decref(r->request_headers);
				r->request_headers = h;
			} else {
				json_decref(h);
			}
		} else if (strcmp(m, "responseReceived") == 0) {
			on_response(p, params);
		} else if (strcmp(m, "responseReceivedExtraInfo") == 0) {
			struct web_request *r = find_req(p, str(params, "requestId"));
			const char *ht = str(params, "headersText");
			if (r && ht)
				r->headers_size = (int64_t)strlen(ht);
		} else if (strcmp(m, "dataReceived") == 0) {
			struct web_request *r = find_req(p, str(params, "requestId"));
			double n = num(params, "dataLength", -1);
			if (r && !r->finished && n >= 0 && n < 1e15)
				r->decoded = (r->decoded < 0 ? 0 : r->decoded) + (int64_t)n;
		} else if (strcmp(m, "loadingFinished") == 0) {
			on_finished(p, params);
		} else if (strcmp(m, "loadingFailed") == 0) {
			on_failed(p, params);
		} else if (strcmp(m, "requestServedFromCache") == 0) {
			struct web_request *r = find_req(p, str(params, "requestId"));
			if (r)
				r->from_cache = r->from_memory_cache = 1;
		}
	} else if (strcmp(method, "Runtime.consoleAPICalled") == 0) {
		on_console_api(p, params);
	} else if (strcmp(method, "Runtime.exceptionThrown") == 0) {
		on_exception(p, params);
	} else if (strcmp(method, "Log.entryAdded") == 0) {
		on_log_entry(p, params);
	} else if (strcmp(method, "Page.loadEventFired") == 0) {
		if (p->nav_ts > 0)
			p->load_fired = 1;
	} else if (strcmp(method, "Page.domContentEventFired") == 0) {
		if (p->nav_ts > 0)
			p->dcl_fired = 1;
	} else if (strcmp(method, "Page.frameNavigated") == 0) {
		json_t *f = json_object_get(params, "frame");
		const char *url = str(f, "url");
		if (json_is_object(f) && !json_object_get(f, "parentId") && url && strncmp(url, "chrome-error:", 13) != 0) {
			set_str(&p->frame_id, str(f, "id"));
			set_str(&p->final_url, url);
		}
	}
}

size_t page_inflight(const struct web_page *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nreq; i++)
		n += !p->req[i]->finished;
	return n;
}

int64_t page_transferred(const struct web_page *p)
{
	int64_t n = 0;
	for (size_t i = 0; i < p->nreq; i++)
		if (p->req[i]->transferred > 0)
			n += p->req[i]->transferred;
	return n;
}

/* A non-negative millisecond value from the metrics object, or -1. */
static double ms(json_t *m, const char *k)
{
	double v = num(m, k, -1);
	return v >= 0 && v < 1e9 ? v : -1;
}

void page_apply_metrics(struct web_page *p, json_t *m)
{
	if (!json_is_object(m))
		return;
	p->v.ttfb = ms(m, "ttfb");
	p->v.dom_content_loaded = ms(m, "dcl");
	p->v.load = ms(m, "load");
	p->v.fcp = ms(m, "fcp");
	p->v.lcp = ms(m, "lcp");
	/* 0 is a real value for all of these but TTFB and load; treat 0 as not reached for those */
	if (p->v.load == 0)
		p->v.load = -1;
	if (p->v.dom_content_loaded == 0)
		p->v.dom_content_loaded = -1;
	double cls = num(m, "cls", -1);
	p->v.cls = cls >= 0 && cls < 1e6 ? cls : -1;
	const char *title = str(m, "title");
	if (title && *title)
		set_str(&p->title, title);
	json_t *blocking = json_object_get(m, "blocking");
	size_t i;
	json_t *u;
	json_array_foreach(blocking, i, u) {
		const char *url = json_string_value(u);
		if (!url)
			continue;
		for (size_t k = 0; k < p->nreq; k++)
			if (p->req[k]->url && strcmp(p->req[k]->url, url) == 0)
				p->req[k]->render_blocking = 1;
	}
}

void page_apply_perf_metrics(struct web_page *p, json_t *result)
{
	json_t *list = json_object_get(result, "metrics");
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		const char *name = str(m, "name");
		double v = num(m, "value", -1);
		if (!name || v < 0 || v > 1e15)
			continue;
		if (strcmp(name, "JSHeapUsedSize") == 0)
			p->v.js_heap_used = (int64_t)v;
		else if (strcmp(name, "JSHeapTotalSize") == 0)
			p->v.js_heap_total = (int64_t)v;
		else if (strcmp(name, "Nodes") == 0)
			p->v.dom_nodes = (long)v;
		else if (strcmp(name, "ScriptDuration") == 0)
			p->v.script_ms = v * 1000;
		else if (strcmp(name, "LayoutDuration") == 0)
			p->v.layout_ms = v * 1000;
		else if (strcmp(name, "TaskDuration") == 0)
			p->v.task_ms = v * 1000;
	}
}

/*
 * Runs in the page after it settled. Navigation Timing gives TTFB
 * (responseStart), DOMContentLoaded and load (the end of their handlers);
 * the paint timeline gives FCP; buffered PerformanceObservers replay the
 * LCP candidates (the last one is LCP) and the layout shifts, which are
 * grouped into session windows (a gap over 1 s or a window over 5 s
 * starts a new one; shifts right after input do not count) — CLS is the
 * largest window. The observers deliver their buffered entries in a task
 * of their own, hence the short timeout before answering.
 */
const char page_metrics_js[] =
	"new Promise(function (done) {\n"
	"  var o = {ttfb: null, dcl: null, load: null, fcp: null, lcp: null, cls: null, blocking: []};\n"
	"  var shifts = [], clsOk = false;\n"
	"  try {\n"
	"    new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { o.lcp = e.startTime; }); })\n"
	"      .observe({type: 'largest-contentful-paint', buffered: true});\n"
	"  } catch (x) {}\n"
	"  try {\n"
	"    new PerformanceObserver(function (l) { shifts = shifts.concat(l.getEntries()); })\n"
	"      .observe({type: 'layout-shift', buffered: true});\n"
	"    clsOk = true;\n"
	"  } catch (x) {}\n"
	"  setTimeout(function () {\n"
	"    var nav = performance.getEntriesByType('navigation')[0];\n"
	"    if (nav) {\n"
	"      o.ttfb = nav.responseStart;\n"
	"      o.dcl = nav.domContentLoadedEventEnd;\n"
	"      o.load = nav.loadEventEnd || nav.loadEventStart;\n"
	"    }\n"
	"    performance.getEntriesByType('paint').forEach(function (e) {\n"
	"      if (e.name === 'first-contentful-paint') o.fcp = e.startTime;\n"
	"    });\n"
	"    if (clsOk) {\n"
	"      var best = 0, cur = 0, first = 0, last = 0;\n"
	"      shifts.sort(function (a, b) { return a.startTime - b.startTime; }).forEach(function (e) {\n"
	"        if (e.hadRecentInput) return;\n"
	"        if (cur > 0 && (e.startTime - last > 1000 || e.startTime - first > 5000)) cur = 0;\n"
	"        if (cur === 0) first = e.startTime;\n"
	"        cur += e.value; last = e.startTime;\n"
	"        if (cur > best) best = cur;\n"
	"      });\n"
	"      o.cls = best;\n"
	"    }\n"
	"    o.title = document.title;\n"
	"    performance.getEntriesByType('resource').forEach(function (r) {\n"
	"      if (r.renderBlockingStatus === 'blocking') o.blocking.push(r.name);\n"
	"    });\n"
	"    done(JSON.stringify(o));\n"
	"  }, 50);\n"
	"})";
