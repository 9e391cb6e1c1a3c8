/*
 * har: the pages of a run as one HAR 1.2 log
 * (http://www.softwareishard.com/blog/har-12-spec/), so that any HAR
 * viewer — Chrome's Network panel, WebPageTest, har-validator — can open
 * what perfagent saw.
 *
 * Every field HAR 1.2 requires is written, with the type it requires,
 * whatever the page holds: an unknown optional number is -1, an unknown
 * required timing (send, wait, receive) is 0, an unknown string is "".
 * What HAR has no field for goes into '_'-prefixed custom fields (the
 * error of a failed request, its resource type, bytes on the wire), named
 * as Chrome's own HAR export names them.
 *
 * Times in a HAR are milliseconds; `time` is the sum of the timing phases
 * that are not -1 (ssl is part of connect, so it is not added again), so
 * an entry always adds up.
 */
#include "web.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../core/buf.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"
#include "../core/version.h"

/* A string field that may be NULL: "" then. */
static json_t *str_or_empty(const char *s)
{
	return jsonx_string(s ? s : "");
}

/* A duration in ms rounded to the microsecond; -1 for anything not >= 0 (NaN too). */
static json_t *ms_or_unknown(double v)
{
	if (!(v >= 0))
		return json_integer(-1);
	return json_real(round(v * 1000.0) / 1000.0);
}

/* A phase HAR requires to be >= 0: unknown becomes 0. */
static double ms_required(double v)
{
	return v >= 0 ? v : 0;
}

/*
 * Epoch seconds as ISO 8601 with milliseconds in UTC,
 * "2026-11-24T13:00:00.123Z". Times before the epoch (or NaN) are the
 * epoch: HAR needs a date, and a load never happened in 1969.
 */
static void iso_ms(double epoch_s, char out[static 40])
{
	/* Up to the last millisecond of year 9999: the format has four digits for it. */
	if (!(epoch_s > 0))
		epoch_s = 0;
	if (epoch_s > 253402300799.999)
		epoch_s = 253402300799.999;
	double whole = floor(epoch_s);
	int msec = (int)lround((epoch_s - whole) * 1000.0);
	time_t t = (time_t)whole;
	if (msec >= 1000) {
		t += 1;
		msec = 0;
	}
	struct tm tm;
	char date[32];
	if (!gmtime_r(&t, &tm) || strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, 40, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, 40, "%.19s.%03dZ", date, msec % 1000);
}

/*
 * CDP's protocol name as HAR's httpVersion: "http/1.1" -> "HTTP/1.1",
 * "h2"/"h2c" -> "HTTP/2", "h3" (and drafts such as "h3-29") -> "HTTP/3",
 * anything else uppercased; unknown -> "". Written into out (64 bytes).
 */
static const char *http_version(const char *proto, char out[static 64])
{
	if (!proto || !*proto)
		return "";
	if (!strcasecmp(proto, "h2") || !strcasecmp(proto, "h2c"))
		return "HTTP/2";
	if (!strncasecmp(proto, "h3", 2) || !strcasecmp(proto, "quic"))
		return "HTTP/3";
	size_t i = 0;
	for (; proto[i] && i < 63; i++)
		out[i] = (char)toupper((unsigned char)proto[i]);
	out[i] = '\0';
	return out;
}

/* A header's value by case-insensitive name, or NULL (first match; CDP names are unique per message). */
static const char *header_get(const json_t *headers, const char *name)
{
	const char *k;
	json_t *v;
	if (!json_is_object(headers))
		return NULL;
	json_object_foreach((json_t *)headers, k, v) {
		if (!strcasecmp(k, name) && json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

/* {name, value} from two byte ranges. */
static json_t *nv(const char *name, size_t nlen, const char *value, size_t vlen)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", jsonx_stringn(name, nlen));
	json_object_set_new(o, "value", jsonx_stringn(value, vlen));
	return o;
}

/* Trim spaces and tabs from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/*
 * A headers object (name -> string) as HAR's [{name, value}]. CDP joins
 * the values of a repeated header (Set-Cookie above all) with '\n'; each
 * line becomes its own entry, as it was on the wire. Values that are not
 * strings are skipped: page.h promises strings, and HAR wants them.
 */
static json_t *har_headers(const json_t *headers)
{
	json_t *arr = json_array();
	const char *k;
	json_t *v;
	if (!json_is_object(headers))
		return arr;
	json_object_foreach((json_t *)headers, k, v) {
		if (!json_is_string(v))
			continue;
		const char *s = json_string_value(v);
		size_t klen = strlen(k);
		for (;;) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			if (n > 0 && s[n - 1] == '\r')
				n--;
			json_array_append_new(arr, nv(k, klen, s, n));
			if (!nl)
				break;
			s = nl + 1;
		}
	}
	return arr;
}

/*
 * The Cookie request header ("a=1; b=2") as [{name, value}]. A piece
 * without '=' is a name with an empty value; empty pieces are skipped.
 */
static json_t *request_cookies(const json_t *headers)
{
	json_t *arr = json_array();
	const char *s = header_get(headers, "cookie");
	if (!s)
		return arr;
	while (*s) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *piece = s;
		trim(&piece, &n);
		if (n > 0) {
			const char *eq = memchr(piece, '=', n);
			size_t nlen = eq ? (size_t)(eq - piece) : n;
			const char *val = eq ? eq + 1 : piece + n;
			size_t vlen = eq ? n - nlen - 1 : 0;
			const char *name = piece;
			trim(&name, &nlen);
			trim(&val, &vlen);
			json_array_append_new(arr, nv(name, nlen, val, vlen));
		}
		if (!end)
			break;
		s = end + 1;
	}
	return arr;
}

/*
 * Set-Cookie's Expires ("Wed, 21 Oct 2026 07:28:00 GMT") as HAR's ISO
 * 8601 into out; 0 on success, -1 when it does not parse (then the field
 * is left out rather than guessed).
 */
static int cookie_expires(const char *s, size_t n, char out[static 40])
{
	char tmp[64];
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(tmp, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(tmp, "%a, %d-%b-%Y %H:%M:%S", &tm);
	}
	if (!end)
		return -1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	iso_ms((double)t, out);
	return 0;
}

/*
 * One Set-Cookie line ("id=7; Path=/; HttpOnly") as a HAR cookie: name,
 * value and the attributes HAR has fields for (path, domain, expires,
 * httpOnly, secure). NULL for a line with no name=value pair.
 */
static json_t *set_cookie(const char *s, size_t n)
{
	const char *semi = memchr(s, ';', n);
	size_t first = semi ? (size_t)(semi - s) : n;
	const char *pair = s;
	trim(&pair, &first);
	const char *eq = memchr(pair, '=', first);
	if (!eq)
		return NULL;
	const char *name = pair, *val = eq + 1;
	size_t nlen = (size_t)(eq - pair), vlen = first - nlen - 1;
	trim(&name, &nlen);
	trim(&val, &vlen);
	if (nlen == 0)
		return NULL;
	json_t *c = nv(name, nlen, val, vlen);
	const char *p = semi ? semi + 1 : s + n;
	const char *end = s + n;
	while (p < end) {
		const char *q = memchr(p, ';', (size_t)(end - p));
		size_t alen = q ? (size_t)(q - p) : (size_t)(end - p);
		const char *a = p;
		trim(&a, &alen);
		const char *aeq = memchr(a, '=', alen);
		size_t klen = aeq ? (size_t)(aeq - a) : alen;
		const char *av = aeq ? aeq + 1 : a + alen;
		size_t avlen = aeq ? alen - klen - 1 : 0;
		const char *k = a;
		trim(&k, &klen);
		trim(&av, &avlen);
		char iso[40];
		if (klen == 4 && !strncasecmp(k, "path", 4))
			json_object_set_new(c, "path", jsonx_stringn(av, avlen));
		else if (klen == 6 && !strncasecmp(k, "domain", 6))
			json_object_set_new(c, "domain", jsonx_stringn(av, avlen));
		else if (klen == 7 && !strncasecmp(k, "expires", 7) && cookie_expires(av, avlen, iso) == 0)
			json_object_set_new(c, "expires", json_string(iso));
		else if (klen == 8 && !strncasecmp(k, "httponly", 8))
			json_object_set_new(c, "httpOnly", json_true());
		else if (klen == 6 && !strncasecmp(k, "secure", 6))
			json_object_set_new(c, "secure", json_true());
		if (!q)
			break;
		p = q + 1;
	}
	return c;
}

/* Every Set-Cookie line of the response headers as HAR cookies. */
static json_t *response_cookies(const json_t *headers)
{
	json_t *arr = json_array();
	const char *s = header_get(headers, "set-cookie");
	if (!s)
		return arr;
	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		json_t *c = set_cookie(s, n);
		if (c)
			json_array_append_new(arr, c);
		if (!nl)
			break;
		s = nl + 1;
	}
	return arr;
}

/*
 * The URL's query ("?a=1&b") as [{name, value}], values kept as written
 * (not percent-decoded); the fragment is not part of it.
 */
static json_t *query_string(const char *url)
{
	json_t *arr = json_array();
	const char *q = url ? strchr(url, '?') : NULL;
	if (!q)
		return arr;
	q++;
	const char *hash = strchr(q, '#');
	const char *end = hash ? hash : q + strlen(q);
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t n = amp ? (size_t)(amp - q) : (size_t)(end - q);
		if (n > 0) {
			const char *eq = memchr(q, '=', n);
			size_t nlen = eq ? (size_t)(eq - q) : n;
			json_array_append_new(arr, nv(q, nlen, eq ? eq + 1 : q + n, eq ? n - nlen - 1 : 0));
		}
		if (!amp)
			break;
		q = amp + 1;
	}
	return arr;
}

/*
 * The HAR timings object and the entry's `time`. Phases below 0 are
 * unknown: -1 for the optional ones (blocked, dns, connect, ssl), 0 for
 * the required send, wait and receive. When Chromium gave no phase at
 * all (a cache hit, a request that failed before it was sent) but the
 * request has a duration, the duration is counted as receive, so that
 * `time` is both the request's duration and the sum of its timings.
 */
static json_t *har_timings(const struct web_request *r, double *time_ms)
{
	const struct web_timings *t = &r->t;
	int any = t->blocked >= 0 || t->dns >= 0 || t->connect >= 0 || t->send >= 0 ||
		  t->wait >= 0 || t->receive >= 0;
	double send = ms_required(t->send), wait = ms_required(t->wait), receive = ms_required(t->receive);
	if (!any && r->duration_ms >= 0)
		receive = r->duration_ms;
	json_t *o = json_object();
	json_object_set_new(o, "blocked", ms_or_unknown(t->blocked));
	json_object_set_new(o, "dns", ms_or_unknown(t->dns));
	json_object_set_new(o, "connect", ms_or_unknown(t->connect));
	json_object_set_new(o, "ssl", ms_or_unknown(t->ssl));
	json_object_set_new(o, "send", ms_or_unknown(send));
	json_object_set_new(o, "wait", ms_or_unknown(wait));
	json_object_set_new(o, "receive", ms_or_unknown(receive));
	/* Sum what was written, so rounding cannot make them disagree. */
	double sum = 0;
	const char *phases[] = {"blocked", "dns", "connect", "send", "wait", "receive"};
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		double v = json_number_value(json_object_get(o, phases[i]));
		if (v >= 0)
			sum += v;
	}
	*time_ms = sum;
	return o;
}

static int method_has_body(const char *m)
{
	return m && (!strcasecmp(m, "POST") || !strcasecmp(m, "PUT") || !strcasecmp(m, "PATCH"));
}

static json_t *har_request(const struct web_request *r, const char *httpv)
{
	json_t *o = json_object();
	json_object_set_new(o, "method", str_or_empty(r->method ? r->method : "GET"));
	json_object_set_new(o, "url", str_or_empty(r->url));
	json_object_set_new(o, "httpVersion", json_string(httpv));
	json_object_set_new(o, "cookies", request_cookies(r->request_headers));
	json_object_set_new(o, "headers", har_headers(r->request_headers));
	json_object_set_new(o, "queryString", query_string(r->url));
	if (r->post_data) {
		const char *ct = header_get(r->request_headers, "content-type");
		json_t *pd = json_object();
		json_object_set_new(pd, "mimeType", str_or_empty(ct));
		json_object_set_new(pd, "text", jsonx_string(r->post_data));
		json_object_set_new(o, "postData", pd);
	}
	json_object_set_new(o, "headersSize",
			    json_integer(r->request_headers_size >= 0 ? r->request_headers_size : -1));
	/* No post_data on a POST means Chromium did not hand the body over: unknown, not empty. */
	json_int_t body = r->post_data ? (json_int_t)strlen(r->post_data) : method_has_body(r->method) ? -1 : 0;
	json_object_set_new(o, "bodySize", json_integer(body));
	return o;
}

/*
 * The response. Sizes follow HAR: bodySize is what came over the wire
 * for the body (transferred less the headers; 0 from a cache), content.size
 * the decoded body, compression the bytes saved by the content encoding.
 * A request with no response (failed, in flight) still gets one, status 0.
 */
static json_t *har_response(const struct web_request *r, const char *httpv)
{
	json_t *o = json_object();
	json_object_set_new(o, "status", json_integer(r->status > 0 ? r->status : 0));
	json_object_set_new(o, "statusText", str_or_empty(r->status_text));
	json_object_set_new(o, "httpVersion", json_string(httpv));
	json_object_set_new(o, "cookies", response_cookies(r->response_headers));
	json_object_set_new(o, "headers", har_headers(r->response_headers));

	int64_t body = -1;
	if (r->from_cache)
		body = 0;
	else if (r->transferred >= 0 && r->headers_size >= 0 && r->transferred >= r->headers_size)
		body = r->transferred - r->headers_size;
	json_t *content = json_object();
	json_object_set_new(content, "size", json_integer(r->decoded >= 0 ? r->decoded : 0));
	if (!r->from_cache && body >= 0 && r->decoded >= 0 && r->decoded - body > 0)
		json_object_set_new(content, "compression", json_integer(r->decoded - body));
	json_object_set_new(content, "mimeType", str_or_empty(r->mime && *r->mime ? r->mime : "x-unknown"));
	json_object_set_new(o, "content", content);

	json_object_set_new(o, "redirectURL", str_or_empty(r->redirect_url));
	json_object_set_new(o, "headersSize", json_integer(r->headers_size >= 0 ? r->headers_size : -1));
	json_object_set_new(o, "bodySize", json_integer(body));
	return o;
}

/* CDP's "Document", "XHR" as Chrome's HAR writes them: "document", "xhr". */
static json_t *resource_type(const char *type)
{
	if (!type || !*type)
		return json_string("other");
	struct buf b = BUF_INIT;
	for (const char *p = type; *p; p++)
		buf_putc(&b, (char)tolower((unsigned char)*p));
	json_t *s = jsonx_string(buf_str(&b));
	buf_free(&b);
	return s;
}

/*
 * When the page started, epoch seconds: the main document's request, or
 * failing that its earliest request; 0 when nothing is known.
 */
static double page_start(const struct web_page *p)
{
	if (p->nav_wall > 0)
		return p->nav_wall;
	double first = 0;
	for (size_t i = 0; i < p->nreq; i++) {
		const struct web_request *r = p->req[i];
		if (r && r->wall_time > 0 && (first == 0 || r->wall_time < first))
			first = r->wall_time;
	}
	return first;
}

/* When a request was sent, epoch seconds; from the monotonic clock relative to the page when the wall time is missing. */
static double request_start(const struct web_page *p, const struct web_request *r, double start)
{
	if (r->wall_time > 0)
		return r->wall_time;
	if (start > 0 && p->nav_ts > 0 && r->start_ts > 0)
		return start + (r->start_ts - p->nav_ts);
	return start;
}

static json_t *har_entry(const struct web_page *p, const struct web_request *r, const char *pageref,
			 double start)
{
	json_t *o = json_object();
	char iso[40], hv[64];
	const char *httpv = http_version(r->protocol, hv);
	double time_ms;
	json_t *timings = har_timings(r, &time_ms);

	json_object_set_new(o, "pageref", json_string(pageref));
	iso_ms(request_start(p, r, start), iso);
	json_object_set_new(o, "startedDateTime", json_string(iso));
	json_object_set_new(o, "time", json_real(round(time_ms * 1000.0) / 1000.0));
	json_object_set_new(o, "request", har_request(r, httpv));
	json_object_set_new(o, "response", har_response(r, httpv));
	json_object_set_new(o, "cache", json_object());
	json_object_set_new(o, "timings", timings);
	if (r->remote_ip && *r->remote_ip) {
		/* CDP writes IPv6 as "[::1]"; HAR wants the address alone. */
		const char *ip = r->remote_ip;
		size_t n = strlen(ip);
		if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']')
			json_object_set_new(o, "serverIPAddress", jsonx_stringn(ip + 1, n - 2));
		else
			json_object_set_new(o, "serverIPAddress", jsonx_string(ip));
	}
	json_object_set_new(o, "_resourceType", resource_type(r->type));
	json_object_set_new(o, "_transferSize", json_integer(r->transferred));
	/* Chrome's own HAR export says where a cached response came from. */
	if (r->from_cache)
		json_object_set_new(o, "_fromCache", json_string(r->from_memory_cache ? "memory" : "disk"));
	if (r->initiator && *r->initiator)
		json_object_set_new(o, "_initiator", jsonx_string(r->initiator));
	if (r->error)
		json_object_set_new(o, "_error", jsonx_string(r->error));
	return o;
}

static json_t *har_page(const struct web_page *p, const char *id, double start)
{
	json_t *o = json_object();
	char iso[40];
	iso_ms(start, iso);
	json_object_set_new(o, "startedDateTime", json_string(iso));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "title", str_or_empty(p->title && *p->title ? p->title : p->url));
	json_t *pt = json_object();
	json_object_set_new(pt, "onContentLoad", ms_or_unknown(p->v.dom_content_loaded));
	json_object_set_new(pt, "onLoad", ms_or_unknown(p->v.load));
	json_object_set_new(o, "pageTimings", pt);
	if (p->error)
		json_object_set_new(o, "_error", jsonx_string(p->error));
	if (p->dropped_requests > 0)
		json_object_set_new(o, "_droppedRequests", json_integer((json_int_t)p->dropped_requests));
	return o;
}

/* qsort's order for a page's requests: by start time, then as they were seen. */
struct order {
	double start;
	size_t index;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The HAR log as a new JSON value. Pages keep their order ("page_1" is
 * pages[0]); each page's requests become entries in the order they were
 * sent (HAR prefers startedDateTime order), none skipped: failed and
 * unfinished requests are there with status 0. pages may be NULL when n
 * is 0; browser may be NULL (no browser object then).
 */
json_t *har_build(const struct web_page *pages, size_t n, const char *browser)
{
	json_t *log = json_object();
	json_object_set_new(log, "version", json_string("1.2"));
	json_object_set_new(log, "creator", json_pack("{s:s, s:s}", "name", "perfagent", "version", PA_VERSION));
	if (browser) {
		const char *slash = strchr(browser, '/');
		json_t *b = json_object();
		json_object_set_new(b, "name", slash ? jsonx_stringn(browser, (size_t)(slash - browser)) : jsonx_string(browser));
		json_object_set_new(b, "version", jsonx_string(slash ? slash + 1 : ""));
		json_object_set_new(log, "browser", b);
	}
	json_t *jpages = json_array(), *entries = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct web_page *p = &pages[i];
		char id[32];
		snprintf(id, sizeof(id), "page_%zu", i + 1);
		double start = page_start(p);
		json_array_append_new(jpages, har_page(p, id, start));
		if (p->nreq == 0)
			continue;
		struct order *ord = xcalloc(p->nreq, sizeof(*ord));
		size_t m = 0;
		for (size_t j = 0; j < p->nreq; j++) {
			if (!p->req[j])
				continue;
			ord[m].start = request_start(p, p->req[j], start);
			ord[m].index = j;
			m++;
		}
		qsort(ord, m, sizeof(*ord), order_cmp);
		for (size_t j = 0; j < m; j++)
			json_array_append_new(entries, har_entry(p, p->req[ord[j].index], id, start));
		free(ord);
	}
	json_object_set_new(log, "pages", jpages);
	json_object_set_new(log, "entries", entries);
	json_t *root = json_object();
	json_object_set_new(root, "log", log);
	return root;
}

int har_write(const char *path, const struct web_page *pages, size_t n, const char *browser, struct perr *e)
{
	json_t *har = har_build(pages, n, browser);
	char *text = json_dumps(har, PA_JSON_FLAGS);
	json_decref(har);
	if (!text)
		return perr_set(e, "cannot write HAR '%s': out of memory encoding it", path);
	struct buf b = BUF_INIT;
	buf_puts(&b, text);
	buf_putc(&b, '\n');
	free(text);
	int rc = fs_write_atomic(path, b.data, b.len, e);
	buf_free(&b);
	return rc;
}
