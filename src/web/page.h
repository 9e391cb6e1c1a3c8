/*
 * page: what one page load was, built from the DevTools events Chromium
 * sends while it loads — every request with its sizes and timing phases,
 * the console, the page's own timing metrics.
 *
 * page_event() is the one place CDP event parameters are read, so it is
 * what the fuzz target drives: it must accept any JSON without crashing,
 * skip what it does not understand, and bound what it keeps (at most
 * PAGE_MAX_REQUESTS requests and PAGE_MAX_CONSOLE console messages; the
 * rest are counted as dropped). All strings are malloc'd and owned by the
 * page; page_free() releases them.
 *
 * Times: CDP's network timestamps are seconds on the browser's monotonic
 * clock; wall_time is seconds since the epoch. Durations here are in
 * milliseconds, -1 when not known. Sizes are bytes, -1 when not known.
 */
#ifndef PA_WEB_PAGE_H
#define PA_WEB_PAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_MAX_REQUESTS 5000
#define PAGE_MAX_CONSOLE 1000

/* HAR's timing phases, in ms; -1 when the phase did not happen. */
struct web_timings {
	double blocked, dns, connect, ssl, send, wait, receive;
};

struct web_request {
	char *id;       /* CDP requestId; a redirect hop gets "ID#redirectN" */
	char *url;
	char *method;
	char *type;     /* CDP resource type: Document, Stylesheet, Image, Script, Font, XHR, Fetch, ... */
	char *mime;     /* response MIME type, or NULL */
	char *protocol; /* "http/1.1", "h2", ...; NULL until a response */
	char *status_text;
	char *error;    /* loadingFailed's errorText ("net::ERR_CONNECTION_REFUSED"), or NULL */
	char *initiator; /* "parser http://h/index.html:12", "script ...", "other" */
	char *redirect_url; /* the Location a redirect hop went to, or NULL */
	char *remote_ip;
	int remote_port;
	int status;      /* 0 until a response arrives */
	int from_cache;  /* served from the memory or disk cache (or a service worker) */
	int from_memory_cache; /* ... and that was the memory cache (requestServedFromCache) */
	int finished;    /* loadingFinished or loadingFailed arrived */
	int failed;      /* loadingFailed arrived (error set) */
	int canceled;    /* loadingFailed with canceled: true */
	int render_blocking; /* the page's ResourceTiming said renderBlockingStatus "blocking":
			      * a script or stylesheet in <head> that holds back the first paint */
	double wall_time;  /* epoch seconds when it was sent */
	double start_ts;   /* monotonic seconds: requestWillBeSent */
	double response_ts; /* monotonic seconds: responseReceived; 0 when none */
	double end_ts;     /* monotonic seconds: loadingFinished/Failed; 0 while in flight */
	double duration_ms; /* end - start; -1 while in flight */
	struct web_timings t;
	int64_t transferred;  /* bytes on the wire, headers included (encodedDataLength) */
	int64_t decoded;      /* body bytes after decoding (sum of dataReceived) */
	int64_t headers_size; /* response header bytes when Chromium said, else -1 */
	int64_t request_headers_size; /* -1 when not known */
	json_t *request_headers;  /* object name -> string; owned */
	json_t *response_headers; /* object name -> string; owned */
	char *post_data;         /* request body as Chromium gave it, or NULL */
};

/* Console levels, lowest first, as --console-level names them. */
enum web_level { WEB_DEBUG, WEB_INFO, WEB_WARNING, WEB_ERROR };
const char *web_level_name(enum web_level l);
/* "debug", "info", "warning"/"warn", "error"; -1 for anything else. */
int web_level_parse(const char *s, enum web_level *out);

struct web_console {
	enum web_level level;
	char *source; /* "console", "exception", "network", "violation", "deprecation", "intervention", ... */
	char *text;
	char *url;    /* NULL when not known */
	long line;    /* 1-based; 0 when not known */
	long column;  /* 1-based; 0 when not known */
	double ts;    /* epoch seconds, 0 when not known */
};

/* The page's own timing, from its Performance API (ms since navigation start; -1 unknown). */
struct web_vitals {
	double ttfb, dom_content_loaded, load, fcp, lcp;
	double cls; /* the largest session window of layout shifts; -1 unknown */
	int64_t js_heap_used, js_heap_total; /* bytes; -1 unknown */
	long dom_nodes;                        /* -1 unknown */
	double script_ms, layout_ms, task_ms;  /* main-thread time, from Performance.getMetrics; -1 unknown */
};

struct web_page {
	char *url;       /* what was asked for */
	char *final_url; /* where the main document ended up (after redirects), or NULL */
	char *title;
	char *error;     /* the navigation's error ("net::ERR_CONNECTION_REFUSED", "load did not fire within 30 s"), or NULL */
	char *frame_id;  /* the main frame, once Page.navigate answered */
	char *loader_id; /* the main document's loader, once known */
	int status;      /* the main document's HTTP status; 0 when none */
	int load_fired, dcl_fired;
	int load_timed_out;
	double nav_wall;  /* epoch seconds of the main document request */
	double nav_ts;    /* monotonic seconds of the same */
	double last_net_ts; /* monotonic seconds of the last network event (for settling) */
	struct web_vitals v;
	int width, height; /* the viewport */
	struct web_request **req;
	size_t nreq, capreq;
	size_t dropped_requests;
	struct web_console *con;
	size_t ncon, capcon;
	size_t dropped_console;
};

/* A page about to load url; width x height is its viewport. */
void page_init(struct web_page *p, const char *url, int width, int height);
void page_free(struct web_page *p);

/*
 * Apply one CDP event (its method and params object) to the page. Events
 * of other domains, of other frames' documents, or with missing or
 * ill-typed fields are ignored; nothing here fails.
 */
void page_event(struct web_page *p, const char *method, json_t *params);

/* Requests not yet finished (a page has settled when this is 0 for a while). */
size_t page_inflight(const struct web_page *p);

/*
 * Read the object the in-page metrics script returns (see page_metrics_js)
 * into p->v and the requests' render_blocking flags. Unknown or missing
 * fields leave the values at -1.
 */
void page_apply_metrics(struct web_page *p, json_t *m);
/* Read Performance.getMetrics' result ({"metrics": [{name, value}]}) into p->v. */
void page_apply_perf_metrics(struct web_page *p, json_t *result);

/*
 * The expression Runtime.evaluate runs (awaitPromise, returnByValue) after
 * a load: a promise of a JSON string with the navigation timing, paint
 * entries, LCP and CLS from buffered PerformanceObservers, the title and
 * each resource's renderBlockingStatus.
 */
extern const char page_metrics_js[];

/* Finished requests, and whole pages: bytes transferred (headers included). */
int64_t page_transferred(const struct web_page *p);

#endif
