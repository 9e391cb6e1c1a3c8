/*
 * sweep: per-route latency against the API budget, on the load engine.
 *
 * Each route gets two small stages on the same engine `load` uses: one
 * connection sending `sequential` requests back to back, then `burst`
 * connections sending `burst_requests` each. Both are bounded by a request
 * count and a time cap, so a dead route costs at most its timeouts.
 */
#include "sweep.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../report/doc.h"
#include "engine.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sweep_parse_routes(const char *text, const char *name, struct route **out, size_t *n, struct perr *e)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char line[2100];
		if (len >= sizeof(line)) {
			free(*out);
			*out = NULL;
			return perr_set(e, "%s:%d: line too long", name, lineno);
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL);
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		char *end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*s || *s == '#')
			continue;
		struct route r = {.line = lineno};
		char *sp = strpbrk(s, " \t");
		const char *path = s;
		if (*s != '/') {
			if (!sp || (size_t)(sp - s) >= sizeof(r.method)) {
				free(*out);
				*out = NULL;
				return perr_set(e, "%s:%d: expected 'METHOD /path' or '/path', got '%s'", name, lineno, s);
			}
			memcpy(r.method, s, (size_t)(sp - s));
			for (char *m = r.method; *m; m++) {
				if (!isalpha((unsigned char)*m)) {
					free(*out);
					*out = NULL;
					return perr_set(e, "%s:%d: '%s' is not an HTTP method", name, lineno, r.method);
				}
				*m = (char)toupper((unsigned char)*m);
			}
			path = sp;
			while (isspace((unsigned char)*path))
				path++;
		} else {
			strcpy(r.method, "GET");
		}
		if (*path != '/' || strpbrk(path, " \t")) {
			free(*out);
			*out = NULL;
			return perr_set(e, "%s:%d: the path must start with '/' and have no spaces: '%s'", name, lineno, path);
		}
		size_t plen = strlen(path);
		if (plen >= sizeof(r.path)) {
			free(*out);
			*out = NULL;
			return perr_set(e, "%s:%d: the path is over %zu bytes", name, lineno, sizeof(r.path) - 1);
		}
		memcpy(r.path, path, plen + 1);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = r;
	}
	return 0;
}

int sweep_fill_path(const char *path, const struct sweep_param *params, size_t nparams, char *out,
		    size_t outlen, char missing[64])
{
	size_t o = 0;
	for (const char *p = path; *p;) {
		char close = *p == '<' ? '>' : *p == '{' ? '}' : 0;
		const char *end = close ? strchr(p, close) : NULL;
		if (!end) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *p++;
			continue;
		}
		/* "<int:id>" / "<id>" / "{id}" / "{id:int}": the name is the part after ':' in <>, before it in {}. */
		const char *ns = p + 1, *ne = end;
		const char *colon = memchr(ns, ':', (size_t)(ne - ns));
		if (colon) {
			if (close == '>')
				ns = colon + 1;
			else
				ne = colon;
		}
		char pname[64];
		snprintf(pname, sizeof(pname), "%.*s", (int)(ne - ns), ns);
		const char *val = NULL;
		for (size_t i = 0; i < nparams; i++)
			if (strcmp(params[i].name, pname) == 0)
				val = params[i].value;
		if (!val) {
			snprintf(missing, 64, "%s", pname);
			return -1;
		}
		size_t vl = strlen(val);
		if (o + vl + 1 >= outlen)
			return -1;
		memcpy(out + o, val, vl);
		o += vl;
		p = end + 1;
	}
	out[o] = '\0';
	return 0;
}

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

static void set_num(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, json_real(isfinite(v) ? round(v * 1000) / 1000 : 0));
}

struct measured {
	struct eng_stats seq, burst;
	int have_burst;
};

static int64_t errors_of(const struct eng_stats *s)
{
	return eng_transport_errors(s) + eng_http_errors(s);
}

/* The most frequent status of a stage, or 0. */
static int main_status(const struct eng_stats *s)
{
	int best = 0;
	for (int i = 1; i < ENG_STATUS_MAX; i++)
		if (s->status[i] > s->status[best])
			best = i;
	return s->status[best] ? best : 0;
}

static void findings_for(struct pa_result *r, const char *endpoint, const struct measured *m, const struct sweep_opts *o)
{
	const struct budget *api = &o->budgets->b[BUDGET_API_ENDPOINT];
	const struct hdr *h = &m->seq.latency;
	char a[32], b[32];
	struct buf t = BUF_INIT;
	if (hdr_count(h)) {
		double p95 = ms(hdr_value_at_percentile(h, 95));
		enum pa_severity sev;
		if (budget_severity(api, p95, &sev)) {
			fmt_ms(p95, a, sizeof(a));
			fmt_ms(api->target, b, sizeof(b));
			buf_printf(&t, "%s: p95 %s (API budget %s)", endpoint, a, b);
			struct pa_finding *f = result_add_finding(r, "slow-endpoint", sev, buf_str(&t));
			f->location.endpoint = result_str(r, endpoint);
			f->evidence = json_pack("{s:f, s:f, s:f, s:I}", "p50_ms", round(ms(hdr_value_at_percentile(h, 50)) * 10) / 10,
						"p95_ms", round(p95 * 10) / 10, "max_ms", round(ms(hdr_max(h)) * 10) / 10,
						"requests", (json_int_t)m->seq.requests);
			buf_reset(&t);
			buf_printf(&t, "%.1fx the API budget's target", p95 / api->target);
			f->impact = result_str(r, buf_str(&t));
			f->impact_score = p95;
			f->has_impact_score = 1;
			buf_reset(&t);
		}
	}
	int64_t err = errors_of(&m->seq);
	int64_t attempts = m->seq.requests + eng_transport_errors(&m->seq);
	if (err > 0 && attempts > 0) {
		int st = main_status(&m->seq);
		int server = st >= 500 || eng_transport_errors(&m->seq) > 0;
		if (m->seq.requests == 0)
			buf_printf(&t, "%s fails: %s", endpoint, m->seq.first_error[0] ? m->seq.first_error : "no response");
		else
			buf_printf(&t, "%s answers HTTP %d in %lld of %lld requests", endpoint, st, (long long)err, (long long)attempts);
		struct pa_finding *f = result_add_finding(r, "endpoint-error", server ? PA_SEV_HIGH : PA_SEV_MEDIUM, buf_str(&t));
		f->location.endpoint = result_str(r, endpoint);
		f->evidence = json_pack("{s:I, s:I, s:i}", "errors", (json_int_t)err, "requests", (json_int_t)attempts, "status", st);
		f->recommendation = result_str(r, server ? "Fix the endpoints that fail before measuring their speed"
							 : "Check the routes that answer 4xx: a parameter or header may be missing");
		buf_reset(&t);
	}
	if (m->seq.requests > 0) {
		double mb = (double)m->seq.body_bytes / (double)m->seq.requests / (1024.0 * 1024.0);
		if (mb > o->max_payload_mb) {
			fmt_mb(mb, a, sizeof(a));
			fmt_mb(o->max_payload_mb, b, sizeof(b));
			buf_printf(&t, "%s returns %s per response (limit %s)", endpoint, a, b);
			struct pa_finding *f = result_add_finding(r, "large-payload", PA_SEV_MEDIUM, buf_str(&t));
			f->location.endpoint = result_str(r, endpoint);
			f->evidence = json_pack("{s:f}", "response_mb", round(mb * 100) / 100);
			f->recommendation = result_str(r, "Add pagination to list endpoints");
			f->solution = result_str(r, "page = request.args.get('page', 1, type=int)\n"
						    "items = Model.query.paginate(page=page, per_page=50)");
			f->impact_score = mb;
			f->has_impact_score = 1;
			buf_reset(&t);
		}
	}
	if (m->have_burst && hdr_count(&m->burst.latency) && hdr_count(h)) {
		double seq95 = ms(hdr_value_at_percentile(h, 95));
		double b95 = ms(hdr_value_at_percentile(&m->burst.latency, 95));
		if (b95 > 3 * seq95 && b95 >= api->target) {
			fmt_ms(seq95, a, sizeof(a));
			fmt_ms(b95, b, sizeof(b));
			buf_printf(&t, "%s slows from p95 %s alone to %s with %d concurrent requests", endpoint, a, b,
				   m->burst.connections);
			struct pa_finding *f = result_add_finding(r, "contention", b95 > api->critical ? PA_SEV_HIGH : PA_SEV_MEDIUM,
								  buf_str(&t));
			f->location.endpoint = result_str(r, endpoint);
			f->evidence = json_pack("{s:f, s:f, s:i}", "p95_alone_ms", round(seq95 * 10) / 10, "p95_burst_ms",
						round(b95 * 10) / 10, "concurrency", m->burst.connections);
			f->problem = result_str(r, "Latency grows with concurrency far more than the request itself costs: "
						   "requests wait on a shared resource (workers, a lock, the database pool)");
			f->recommendation = result_str(r, "Find the shared resource requests queue on (perfagent load and profile)");
			f->impact_score = b95;
			f->has_impact_score = 1;
			buf_reset(&t);
		}
	}
	buf_free(&t);
}

static json_t *stage_obj(const struct eng_stats *s)
{
	json_t *o = json_object();
	const struct hdr *h = &s->latency;
	json_object_set_new(o, "requests", json_integer(s->requests));
	set_num(o, "avg_ms", hdr_count(h) ? hdr_mean(h) / 1000 : 0);
	set_num(o, "p50_ms", ms(hdr_value_at_percentile(h, 50)));
	set_num(o, "p95_ms", ms(hdr_value_at_percentile(h, 95)));
	set_num(o, "max_ms", ms(hdr_max(h)));
	set_num(o, "throughput_rps", s->elapsed_s > 0 ? (double)s->requests / s->elapsed_s : 0);
	json_object_set_new(o, "errors", json_integer(errors_of(s)));
	json_t *st = json_object();
	for (int i = 0; i < ENG_STATUS_MAX; i++) {
		if (s->status[i]) {
			char k[16];
			snprintf(k, sizeof(k), "%d", i);
			json_object_set_new(st, k, json_integer(s->status[i]));
		}
	}
	json_object_set_new(o, "status", st);
	if (s->first_error[0])
		json_object_set_new(o, "first_error", jsonx_string(s->first_error));
	return o;
}

static int run_stage(const struct eng_target *t, int conns, int threads, int64_t requests, double cap_s,
		     const struct sweep_opts *o, struct eng_stats *st, struct perr *e)
{
	struct eng_stage_cfg cfg = {
		.connections = conns,
		.threads = threads < conns ? threads : conns,
		.duration_s = cap_s,
		.requests = requests,
		.timeout_s = o->timeout_s,
		.stop = o->stop,
	};
	return eng_run_stage(t, &cfg, st, e);
}

int sweep_run(const struct sweep_opts *o, struct pa_result **out, struct perr *e)
{
	int64_t t0 = clock_mono_ns();
	struct pa_result *r = result_new("endpoints");
	struct buf base = BUF_INIT;
	buf_printf(&base, "%s://%s", o->base->tls ? "https" : "http", o->base->hostport);
	json_object_set_new(r->target, "url", jsonx_string(buf_str(&base)));
	json_t *eps = json_array(), *skipped = json_array();
	struct hdr pooled;
	if (hdr_init(&pooled, 1, 3600LL * 1000 * 1000, 3)) {
		result_free(r);
		buf_free(&base);
		return perr_set(e, "out of memory");
	}
	double slowest = -1;
	for (size_t i = 0; i < o->nroutes; i++) {
		if (o->stop && *o->stop)
			break;
		const struct route *rt = &o->routes[i];
		char endpoint[2100], path[2048], missing[64] = "";
		snprintf(endpoint, sizeof(endpoint), "%s %s", rt->method, rt->path);
		progress_update(o->progress, "endpoint %zu/%zu  %s", i + 1, o->nroutes, endpoint);
		if (sweep_fill_path(rt->path, o->params, o->nparams, path, sizeof(path), missing)) {
			json_t *s = json_object();
			json_object_set_new(s, "endpoint", jsonx_string(endpoint));
			struct buf why = BUF_INIT;
			if (missing[0])
				buf_printf(&why, "needs a value for '%s': --param %s=...", missing, missing);
			else
				buf_puts(&why, "the path is too long once filled in");
			json_object_set_new(s, "reason", jsonx_string(buf_str(&why)));
			json_array_append_new(skipped, s);
			buf_free(&why);
			missing[0] = '\0';
			continue;
		}
		struct url u;
		struct eng_target t;
		struct perr pe;
		if (url_with_target(o->base, path, &u, &pe) ||
		    eng_target_init(&t, &u, rt->method, o->headers, o->nheaders, NULL, 0, o->insecure, &pe)) {
			json_t *s = json_object();
			json_object_set_new(s, "endpoint", jsonx_string(endpoint));
			json_object_set_new(s, "reason", jsonx_string(pe.msg));
			json_array_append_new(skipped, s);
			continue;
		}
		struct measured m = {0};
		double seq_cap = o->sequential * o->timeout_s;
		if (seq_cap > 60)
			seq_cap = 60;
		if (run_stage(&t, 1, 1, o->sequential, seq_cap, o, &m.seq, &pe)) {
			eng_target_free(&t);
			hdr_free(&pooled);
			result_free(r);
			buf_free(&base);
			return perr_set(e, "%s", pe.msg);
		}
		/* A route that fails outright is not hammered with a burst. */
		if (o->burst > 0 && m.seq.requests > 0 && !(o->stop && *o->stop)) {
			if (run_stage(&t, o->burst, o->threads, (int64_t)o->burst * o->burst_requests, 10, o, &m.burst, &pe) == 0)
				m.have_burst = 1;
		}
		eng_target_free(&t);
		hdr_merge(&pooled, &m.seq.latency);

		json_t *ep = json_object();
		json_object_set_new(ep, "endpoint", jsonx_string(endpoint));
		json_object_set_new(ep, "method", json_string(rt->method));
		json_object_set_new(ep, "path", jsonx_string(path));
		json_object_set_new(ep, "status", json_integer(main_status(&m.seq)));
		set_num(ep, "response_bytes", m.seq.requests ? (double)m.seq.body_bytes / (double)m.seq.requests : 0);
		json_object_set_new(ep, "sequential", stage_obj(&m.seq));
		if (m.have_burst) {
			json_t *bo = stage_obj(&m.burst);
			json_object_set_new(bo, "concurrency", json_integer(m.burst.connections));
			json_object_set_new(ep, "burst", bo);
		}
		double p95 = hdr_count(&m.seq.latency) ? ms(hdr_value_at_percentile(&m.seq.latency, 95)) : 0;
		/* The budget class, unless the route mostly fails: then it is "error". */
		int failing = errors_of(&m.seq) * 2 > m.seq.requests + eng_transport_errors(&m.seq);
		json_object_set_new(ep, "class", json_string(failing || !hdr_count(&m.seq.latency) ? "error"
			: budget_class_name(budget_classify(&o->budgets->b[BUDGET_API_ENDPOINT], p95))));
		json_array_append_new(eps, ep);
		if (p95 > slowest)
			slowest = p95;
		findings_for(r, endpoint, &m, o);
		eng_stats_free(&m.seq);
		if (m.have_burst)
			eng_stats_free(&m.burst);
	}
	progress_clear(o->progress);
	json_object_set_new(r->metrics, "endpoints", eps);
	json_object_set_new(r->metrics, "skipped", skipped);
	json_object_set_new(r->metrics, "sequential_requests", json_integer(o->sequential));
	json_object_set_new(r->metrics, "burst_concurrency", json_integer(o->burst));
	if (hdr_count(&pooled)) {
		set_num(r->metrics, "avg_response_ms", hdr_mean(&pooled) / 1000);
		set_num(r->metrics, "p95_ms", ms(hdr_value_at_percentile(&pooled, 95)));
		set_num(r->metrics, "slowest_p95_ms", slowest);
	}
	json_object_set_new(r->metrics, "interrupted", json_boolean(o->stop && *o->stop));
	hdr_free(&pooled);
	buf_free(&base);
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	*out = r;
	return 0;
}

/* ---- the human view ---- */

static double num(const json_t *o, const char *k)
{
	return jsonx_number(o, k, NULL);
}

static int by_p95_desc(const void *a, const void *b)
{
	double x = num(json_object_get(*(json_t *const *)a, "sequential"), "p95_ms");
	double y = num(json_object_get(*(json_t *const *)b, "sequential"), "p95_ms");
	return x < y ? 1 : x > y ? -1 : 0;
}

void sweep_print_human(const struct pa_result *r, FILE *out)
{
	json_t *eps = json_object_get(r->metrics, "endpoints");
	json_t *skipped = json_object_get(r->metrics, "skipped");
	size_t n = json_array_size(eps);
	json_t **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(eps, i);
	qsort(sorted, n, sizeof(*sorted), by_p95_desc);
	struct doc *d = doc_new("endpoints");
	struct doc_inline *p = doc_para(d);
	doc_spanf(d, p, SPAN_BOLD, "%s", json_string_value(json_object_get(r->target, "url")));
	doc_spanf(d, p, SPAN_TEXT, " — %zu endpoint%s, %lld sequential requests each, then %lld concurrent", n,
		  n == 1 ? "" : "s", (long long)json_integer_value(json_object_get(r->metrics, "sequential_requests")),
		  (long long)json_integer_value(json_object_get(r->metrics, "burst_concurrency")));
	static const char *const h[] = {"Endpoint", "Status", "p50", "p95", "Max", "Size", "Burst p95", "Budget"};
	struct doc_table *t = doc_table(d, 8, h);
	for (size_t c = 2; c < 7; c++)
		doc_table_right(t, c);
	for (size_t i = 0; i < n; i++) {
		json_t *ep = sorted[i], *seq = json_object_get(ep, "sequential"), *b = json_object_get(ep, "burst");
		struct doc_inline *row = doc_table_row(d, t);
		char v[32];
		doc_span(d, &row[0], SPAN_CODE, json_string_value(json_object_get(ep, "endpoint")));
		long long st = (long long)json_integer_value(json_object_get(ep, "status"));
		if (st)
			doc_spanf(d, &row[1], SPAN_TEXT, "%lld", st);
		else
			doc_span(d, &row[1], SPAN_TEXT, "none");
		fmt_ms(num(seq, "p50_ms"), v, sizeof(v));
		doc_span(d, &row[2], SPAN_TEXT, v);
		fmt_ms(num(seq, "p95_ms"), v, sizeof(v));
		doc_span(d, &row[3], SPAN_TEXT, v);
		fmt_ms(num(seq, "max_ms"), v, sizeof(v));
		doc_span(d, &row[4], SPAN_TEXT, v);
		double bytes = num(ep, "response_bytes");
		if (bytes < 1024)
			doc_spanf(d, &row[5], SPAN_TEXT, "%.0f B", bytes);
		else if (bytes < 1024 * 1024)
			doc_spanf(d, &row[5], SPAN_TEXT, "%.1f KB", bytes / 1024);
		else
			doc_spanf(d, &row[5], SPAN_TEXT, "%.1f MB", bytes / 1024 / 1024);
		if (b) {
			fmt_ms(num(b, "p95_ms"), v, sizeof(v));
			doc_span(d, &row[6], SPAN_TEXT, v);
		} else {
			doc_span(d, &row[6], SPAN_TEXT, "n/a");
		}
		doc_span(d, &row[7], SPAN_TEXT, json_string_value(json_object_get(ep, "class")));
	}
	if (json_array_size(skipped)) {
		doc_span(d, doc_para(d), SPAN_BOLD, "Skipped:");
		struct doc_list *l = doc_list(d, 0);
		size_t i;
		json_t *s;
		json_array_foreach(skipped, i, s) {
			struct doc_inline *it = doc_list_item(d, l);
			doc_span(d, it, SPAN_CODE, json_string_value(json_object_get(s, "endpoint")));
			doc_spanf(d, it, SPAN_TEXT, " %s", json_string_value(json_object_get(s, "reason")));
		}
	}
	if (r->nfindings) {
		doc_span(d, doc_para(d), SPAN_BOLD, "Findings:");
		struct doc_list *l = doc_list(d, 0);
		for (size_t k = 0; k < r->nfindings; k++) {
			struct doc_inline *it = doc_list_item(d, l);
			doc_spanf(d, it, SPAN_BOLD, "%s", severity_title(r->findings[k]->severity));
			doc_spanf(d, it, SPAN_TEXT, " %s (%s)", r->findings[k]->title, r->findings[k]->rule);
		}
	}
	struct buf b = BUF_INIT;
	doc_render_md(d, &b);
	fputs(buf_str(&b), out);
	buf_free(&b);
	doc_free(d);
	free(sorted);
}
