/*
 * loadtest: stages -> perfagent.result/1 for `perfagent load`.
 *
 * Each stage's merged numbers become one entry of metrics.stages; the
 * verdict adds the saturation point, the highest load on budget and the
 * Bottleneck and Recommendation lines; findings follow the seed's budget
 * table (warning -> medium, critical -> high, over 2 s -> critical and
 * escalated to /dev + /tl).
 */
#include "loadtest.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../report/doc.h"
#include "verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lt_open_connections(double rate)
{
	double c = ceil(rate * 0.2);
	return c < 10 ? 10 : c > 1000 ? 1000 : (int)c;
}

struct progress_ctx {
	struct progress *p;
	size_t stage, nstages;
	char label[48];
	double duration_s;
	int64_t last_requests;
	double last_t;
	double rps;
};

static void on_progress(void *arg, const struct eng_live *l)
{
	struct progress_ctx *pc = arg;
	if (l->elapsed_s - pc->last_t >= 0.5) {
		pc->rps = (double)(l->requests - pc->last_requests) / (l->elapsed_s - pc->last_t);
		pc->last_requests = l->requests;
		pc->last_t = l->elapsed_s;
	}
	char dur[32] = "";
	if (pc->duration_s > 0)
		snprintf(dur, sizeof(dur), "/%gs", pc->duration_s);
	progress_update(pc->p, "stage %zu/%zu  %s  %.1fs%s  %.0f req/s  %lld errors  %d connections", pc->stage,
			pc->nstages, pc->label, l->elapsed_s, dur, pc->rps, (long long)l->errors, l->connections);
}

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

static void summarize(const struct eng_stats *s, int conc, double rate, struct stage_sum *o)
{
	memset(o, 0, sizeof(*o));
	o->concurrency = conc;
	o->rate_rps = rate;
	o->elapsed_s = s->elapsed_s;
	o->requests = s->requests;
	const struct hdr *h = &s->latency;
	if (hdr_count(h)) {
		o->avg_ms = hdr_mean(h) / 1000.0;
		o->p50_ms = ms(hdr_value_at_percentile(h, 50));
		o->p90_ms = ms(hdr_value_at_percentile(h, 90));
		o->p95_ms = ms(hdr_value_at_percentile(h, 95));
		o->p99_ms = ms(hdr_value_at_percentile(h, 99));
		o->p999_ms = ms(hdr_value_at_percentile(h, 99.9));
		o->max_ms = ms(hdr_max(h));
	}
	o->err_connect = s->err_connect;
	o->err_timeout = s->err_timeout;
	o->err_read = s->err_read;
	o->err_write = s->err_write;
	o->err_parse = s->err_parse;
	o->err_tls = s->err_tls;
	for (int i = 400; i < 500; i++)
		o->http_4xx += s->status[i];
	for (int i = 500; i < ENG_STATUS_MAX; i++)
		o->http_5xx += s->status[i];
	o->max_live = s->max_live;
	o->connections = s->connections;
	o->gen_cpu = s->elapsed_s > 0 && s->threads > 0 ? s->cpu_s / (s->threads * s->elapsed_s) : 0;
	stage_derive(o);
}

static void set_num(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, json_real(isfinite(v) ? round(v * 1000) / 1000 : 0));
}

static void set_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new(o, k, json_integer(v));
}

static json_t *latency_json(const struct hdr *h)
{
	json_t *o = json_object();
	set_num(o, "avg_ms", hdr_count(h) ? hdr_mean(h) / 1000 : 0);
	set_num(o, "p50_ms", ms(hdr_value_at_percentile(h, 50)));
	set_num(o, "p90_ms", ms(hdr_value_at_percentile(h, 90)));
	set_num(o, "p95_ms", ms(hdr_value_at_percentile(h, 95)));
	set_num(o, "p99_ms", ms(hdr_value_at_percentile(h, 99)));
	set_num(o, "p999_ms", ms(hdr_value_at_percentile(h, 99.9)));
	set_num(o, "max_ms", ms(hdr_max(h)));
	return o;
}

static json_t *stage_json(const struct eng_stats *s, const struct stage_sum *m, int open)
{
	json_t *o = json_object();
	if (open) {
		set_num(o, "rate_rps", m->rate_rps);
		set_int(o, "connections", s->connections);
	} else {
		set_int(o, "concurrency", m->concurrency);
	}
	set_num(o, "elapsed_s", s->elapsed_s);
	set_int(o, "requests", s->requests);
	set_num(o, "throughput_rps", m->throughput_rps);
	set_num(o, "avg_ms", m->avg_ms);
	set_num(o, "p50_ms", m->p50_ms);
	set_num(o, "p90_ms", m->p90_ms);
	set_num(o, "p95_ms", m->p95_ms);
	set_num(o, "p99_ms", m->p99_ms);
	set_num(o, "p999_ms", m->p999_ms);
	set_num(o, "max_ms", m->max_ms);
	set_num(o, "error_rate", m->error_rate);
	json_t *err = json_object();
	set_int(err, "connect", s->err_connect);
	set_int(err, "read", s->err_read);
	set_int(err, "write", s->err_write);
	set_int(err, "timeout", s->err_timeout);
	set_int(err, "bad_response", s->err_parse);
	set_int(err, "tls", s->err_tls);
	set_int(err, "http_4xx", m->http_4xx);
	set_int(err, "http_5xx", m->http_5xx);
	json_object_set_new(o, "errors", err);
	json_t *st = json_object();
	int64_t redirects = 0;
	for (int i = 0; i < ENG_STATUS_MAX; i++) {
		if (!s->status[i])
			continue;
		char k[16];
		snprintf(k, sizeof(k), "%d", i);
		set_int(st, k, s->status[i]);
		if (i >= 300 && i < 400)
			redirects += s->status[i];
	}
	json_object_set_new(o, "status", st);
	set_int(o, "redirects", redirects);
	set_int(o, "bytes", s->bytes);
	set_num(o, "bytes_per_s", s->elapsed_s > 0 ? (double)s->bytes / s->elapsed_s : 0);
	set_int(o, "max_live_connections", s->max_live);
	set_int(o, "reconnects", s->reconnects);
	set_num(o, "generator_cpu", m->gen_cpu);
	set_num(o, "littles_law_concurrency", m->littles_n);
	if (open) {
		set_int(o, "sent", s->sent);
		set_num(o, "sent_rps", s->elapsed_s > 0 ? (double)s->sent / s->elapsed_s : 0);
		set_num(o, "max_schedule_lag_ms", s->max_lag_ms);
		json_object_set_new(o, "uncorrected", latency_json(&s->latency_uncorrected));
	}
	if (s->first_error[0])
		json_object_set_new(o, "first_error", jsonx_string(s->first_error));
	return o;
}

static void stage_label(const struct stage_sum *m, char *out, size_t n)
{
	if (m->rate_rps > 0)
		snprintf(out, n, "%g req/s", m->rate_rps);
	else
		snprintf(out, n, "%d concurrent users", m->concurrency);
}

static void add_findings(struct pa_result *r, const struct stage_sum *st, size_t n, const struct load_verdict *v,
			 const struct budget *api, const char *endpoint, const struct eng_stats *stats)
{
	char label[64], a[32], b[32], c[32];
	for (size_t i = 0; i < n; i++) {
		const struct stage_sum *s = &st[i];
		enum pa_severity sev;
		if (!s->requests || !budget_severity(api, s->p95_ms, &sev))
			continue;
		stage_label(s, label, sizeof(label));
		fmt_ms(s->p95_ms, a, sizeof(a));
		fmt_ms(api->target, b, sizeof(b));
		fmt_ms(api->critical, c, sizeof(c));
		struct buf t = BUF_INIT;
		buf_printf(&t, "p95 %s at %s (API budget: %s, critical over %s)", a, label, b, c);
		struct pa_finding *f = result_add_finding(r, "slow-endpoint", sev, buf_str(&t));
		buf_reset(&t);
		f->location.endpoint = result_str(r, endpoint);
		f->evidence = json_pack("{s:f, s:f, s:f, s:f}", "avg_ms", round(s->avg_ms * 10) / 10, "p95_ms",
					round(s->p95_ms * 10) / 10, "p99_ms", round(s->p99_ms * 10) / 10,
					"throughput_rps", round(s->throughput_rps * 10) / 10);
		json_object_set_new(f->evidence, s->rate_rps > 0 ? "rate_rps" : "concurrency",
				    s->rate_rps > 0 ? json_real(s->rate_rps) : json_integer(s->concurrency));
		fmt_ms(s->avg_ms, a, sizeof(a));
		buf_printf(&t, "%s answers in %s on average, p95 %.0f ms, at %s", endpoint, a, s->p95_ms, label);
		f->problem = result_str(r, buf_str(&t));
		buf_reset(&t);
		buf_printf(&t, "%.1fx the API budget's target at p95", s->p95_ms / api->target);
		f->impact = result_str(r, buf_str(&t));
		f->impact_score = s->p95_ms;
		f->has_impact_score = 1;
		buf_free(&t);
	}
	for (size_t i = 0; i < n; i++) {
		const struct stage_sum *s = &st[i];
		if (s->error_rate <= 0.01)
			continue;
		stage_label(s, label, sizeof(label));
		struct buf t = BUF_INIT;
		buf_printf(&t, "%.1f%% of requests fail at %s", s->error_rate * 100, label);
		struct pa_finding *f = result_add_finding(r, "error-rate", s->error_rate > 0.1 ? PA_SEV_CRITICAL : PA_SEV_HIGH,
							  buf_str(&t));
		buf_reset(&t);
		f->location.endpoint = result_str(r, endpoint);
		f->evidence = json_pack("{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "error_rate",
					round(s->error_rate * 10000) / 10000, "http_5xx", (json_int_t)s->http_5xx,
					"http_4xx", (json_int_t)s->http_4xx, "connect", (json_int_t)s->err_connect,
					"timeout", (json_int_t)s->err_timeout, "read", (json_int_t)s->err_read,
					"bad_response", (json_int_t)s->err_parse, "tls", (json_int_t)s->err_tls);
		if (stats[i].first_error[0]) {
			buf_printf(&t, "first transport error: %s", stats[i].first_error);
			f->problem = result_str(r, buf_str(&t));
			buf_reset(&t);
		}
		buf_printf(&t, "%.0f in 1,000 requests fail", s->error_rate * 1000);
		f->impact = result_str(r, buf_str(&t));
		f->impact_score = s->error_rate * 100;
		f->has_impact_score = 1;
		buf_free(&t);
	}
	if (v->knee >= 0 && !v->knee_by_errors) {
		const struct stage_sum *s = &st[v->knee];
		stage_label(s, label, sizeof(label));
		struct buf t = BUF_INIT;
		buf_printf(&t, "Throughput saturates at %s (%.0f req/s)", label, s->throughput_rps);
		struct pa_finding *f = result_add_finding(r, "saturation", PA_SEV_MEDIUM, buf_str(&t));
		buf_free(&t);
		f->location.endpoint = result_str(r, endpoint);
		f->evidence = json_pack("{s:f, s:f, s:f, s:f}", "throughput_rps", round(s->throughput_rps),
					"previous_throughput_rps", round(st[v->knee - 1].throughput_rps), "p99_ms",
					round(s->p99_ms * 10) / 10, "first_stage_p99_ms", round(st[0].p99_ms * 10) / 10);
		f->problem = result_str(r, v->bottleneck);
		f->impact = result_str(r, "more load adds only queueing delay");
		f->recommendation = result_str(r, v->recommendation);
	}
	if (v->refused >= 0) {
		const struct stage_sum *s = &st[v->refused];
		struct buf t = BUF_INIT;
		buf_printf(&t, "Only %lld of %d connections could be opened", (long long)s->max_live, s->connections);
		struct pa_finding *f = result_add_finding(r, "connections-refused", PA_SEV_HIGH, buf_str(&t));
		buf_free(&t);
		f->location.endpoint = result_str(r, endpoint);
		f->evidence = json_pack("{s:i, s:I, s:I}", "asked", s->connections, "established", (json_int_t)s->max_live,
					"connect_errors", (json_int_t)s->err_connect);
		f->problem = result_str(r, v->bottleneck);
		f->recommendation = result_str(r, v->recommendation);
	}
	if (v->generator_bound >= 0) {
		const struct stage_sum *s = &st[v->generator_bound];
		stage_label(s, label, sizeof(label));
		struct buf t = BUF_INIT;
		buf_printf(&t, "The load generator was CPU-bound at %s", label);
		struct pa_finding *f = result_add_finding(r, "generator-bound", PA_SEV_INFO, buf_str(&t));
		buf_free(&t);
		f->evidence = json_pack("{s:f}", "generator_cpu", round(s->gen_cpu * 100) / 100);
		f->problem = result_str(r, "perfagent's threads used nearly all their CPU: higher stages measure the generator, not only the server");
		f->recommendation = result_str(r, "Run the load generator on another machine, or with more threads (-t)");
	}
}

static int write_hdr(const char *path, const struct eng_stats *stats, const struct stage_sum *st, size_t n,
		     struct perr *e)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	if (!f)
		return perr_set(e, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char label[64];
		stage_label(&st[i], label, sizeof(label));
		fprintf(f, "# stage %zu: %s, latency in ms%s\n", i + 1, label,
			st[i].rate_rps > 0 ? " (corrected for coordinated omission)" : "");
		hdr_write_percentiles(&stats[i].latency, f, 5, 1000.0);
		if (st[i].rate_rps > 0) {
			fprintf(f, "# stage %zu: %s, uncorrected latency in ms\n", i + 1, label);
			hdr_write_percentiles(&stats[i].latency_uncorrected, f, 5, 1000.0);
		}
		fputc('\n', f);
	}
	fclose(f);
	FILE *out = fopen(path, "w");
	int rc = 0;
	if (!out || fwrite(mem, 1, len, out) != len || fclose(out) != 0)
		rc = perr_set(e, "cannot write '%s'", path);
	free(mem);
	return rc;
}

int lt_run(const struct lt_opts *o, struct pa_result **out, struct perr *e)
{
	int open = o->nrates > 0;
	size_t n = open ? o->nrates : o->nconc;
	struct eng_stats *stats = calloc(n, sizeof(*stats));
	struct stage_sum *sums = calloc(n, sizeof(*sums));
	if (!stats || !sums) {
		free(stats);
		free(sums);
		return perr_set(e, "out of memory");
	}
	int64_t t0 = clock_mono_ns();
	struct pa_result *r = result_new("load");
	char endpoint[4200];
	snprintf(endpoint, sizeof(endpoint), "%s %s", o->method, o->target->url.target);
	size_t ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (o->stop && *o->stop)
			break;
		struct progress_ctx pc = {.p = o->progress, .stage = i + 1, .nstages = n, .duration_s = o->duration_s};
		struct eng_stage_cfg cfg = {
			.connections = open ? (o->open_conns ? o->open_conns : lt_open_connections(o->rates[i])) : o->conc[i],
			.threads = o->threads,
			.rate = open ? o->rates[i] : 0,
			.duration_s = o->duration_s,
			.warmup_s = o->warmup_s,
			.requests = o->requests,
			.timeout_s = o->timeout_s,
			.stop = o->stop,
			.progress = on_progress,
			.progress_arg = &pc,
		};
		if (open)
			snprintf(pc.label, sizeof(pc.label), "%g req/s", o->rates[i]);
		else
			snprintf(pc.label, sizeof(pc.label), "c=%d", o->conc[i]);
		if (eng_run_stage(o->target, &cfg, &stats[i], e)) {
			if (ran == 0) {
				result_free(r);
				free(stats);
				free(sums);
				return -1;
			}
			break;
		}
		summarize(&stats[i], cfg.connections, cfg.rate, &sums[i]);
		ran++;
		if (stats[i].interrupted)
			break;
	}
	progress_clear(o->progress);

	struct load_verdict v;
	verdict_analyze(sums, ran, &o->budgets->b[BUDGET_API_ENDPOINT], &v);

	{
		struct buf u = BUF_INIT;
		buf_printf(&u, "%s://%s%s", o->target->url.tls ? "https" : "http", o->target->url.hostport,
			   o->target->url.target);
		json_object_set_new(r->target, "url", jsonx_string(buf_str(&u)));
		buf_free(&u);
	}
	json_object_set_new(r->target, "method", jsonx_string(o->method));
	json_object_set_new(r->target, "address", jsonx_string(o->target->addr_text));

	json_t *m = r->metrics;
	json_object_set_new(m, "model", json_string(open ? "open" : "closed"));
	if (ran) {
		const struct stage_sum *s = &sums[v.summary];
		set_num(m, "avg_response_ms", s->avg_ms);
		set_num(m, "p95_ms", s->p95_ms);
		set_num(m, "throughput_rps", s->throughput_rps);
		set_int(m, "summary_stage", v.summary + 1);
	}
	set_num(m, "stage_duration_s", o->duration_s);
	set_num(m, "warmup_s", o->warmup_s);
	set_num(m, "timeout_s", o->timeout_s);
	if (o->requests)
		set_int(m, "stage_requests", o->requests);
	set_int(m, "threads", ran ? stats[0].threads : o->threads);
	json_t *arr = json_array();
	for (size_t i = 0; i < ran; i++)
		json_array_append_new(arr, stage_json(&stats[i], &sums[i], open));
	json_object_set_new(m, "stages", arr);
	if (v.knee >= 0)
		set_int(m, "saturation_stage", v.knee + 1);
	if (v.max_ok >= 0)
		set_int(m, "max_sustainable_stage", v.max_ok + 1);
	if (v.bottleneck[0])
		json_object_set_new(m, "bottleneck", jsonx_string(v.bottleneck));
	if (v.recommendation[0])
		json_object_set_new(m, "recommendation", jsonx_string(v.recommendation));
	json_object_set_new(m, "interrupted", json_boolean(o->stop && *o->stop));
	if (open) {
		/* Did the generator keep the offered schedule? */
		json_t *slips = json_array();
		for (size_t i = 0; i < ran; i++) {
			double sent = stats[i].elapsed_s > 0 ? (double)stats[i].sent / stats[i].elapsed_s : 0;
			if (sent < 0.95 * sums[i].rate_rps)
				json_array_append_new(slips, json_integer((json_int_t)i + 1));
		}
		json_object_set_new(m, "schedule_not_kept", slips);
	}

	add_findings(r, sums, ran, &v, &o->budgets->b[BUDGET_API_ENDPOINT], endpoint, stats);
	if (open) {
		for (size_t i = 0; i < ran; i++) {
			double sent = stats[i].elapsed_s > 0 ? (double)stats[i].sent / stats[i].elapsed_s : 0;
			if (sent >= 0.95 * sums[i].rate_rps)
				continue;
			struct buf t = BUF_INIT;
			buf_printf(&t, "The generator sent %.0f of %g req/s offered", sent, sums[i].rate_rps);
			struct pa_finding *f = result_add_finding(r, "schedule-not-kept", PA_SEV_INFO, buf_str(&t));
			buf_reset(&t);
			if (sums[i].gen_cpu >= 0.9)
				buf_printf(&t, "its threads were CPU-bound (%.0f%%)", sums[i].gen_cpu * 100);
			else
				buf_printf(&t, "%d connections, one request in flight each, cannot carry %g req/s at "
					       "%.0f ms per response; latencies above are measured from the schedule, so "
					       "they include the wait",
					   stats[i].connections, sums[i].rate_rps, sums[i].avg_ms);
			f->problem = result_str(r, buf_str(&t));
			f->recommendation = result_str(r, "Give the open model more connections (-c) or more threads (-t)");
			buf_free(&t);
		}
	}
	if (o->hdr_out && ran) {
		if (write_hdr(o->hdr_out, stats, sums, ran, e)) {
			/* The run's numbers stand; the file error is reported by the caller. */
			for (size_t i = 0; i < n; i++)
				eng_stats_free(&stats[i]);
			free(stats);
			free(sums);
			r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
			*out = r;
			return 1;
		}
		result_add_artifact(r, "hdr", o->hdr_out);
	}
	for (size_t i = 0; i < n; i++)
		if (i < ran)
			eng_stats_free(&stats[i]);
	free(stats);
	free(sums);
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	*out = r;
	return 0;
}

/* ---- the human view, from the result ---- */

static double num(const json_t *o, const char *k)
{
	return jsonx_number(o, k, NULL);
}

static void cell_ms(struct doc *d, struct doc_inline *c, double v)
{
	char s[32];
	fmt_ms(v, s, sizeof(s));
	doc_span(d, c, SPAN_TEXT, s);
}

void lt_print_human(const struct pa_result *r, FILE *out)
{
	json_t *m = r->metrics;
	json_t *stages = json_object_get(m, "stages");
	const char *model = json_string_value(json_object_get(m, "model"));
	int open = model && strcmp(model, "open") == 0;
	struct doc *d = doc_new("load");
	struct doc_inline *p = doc_para(d);
	doc_spanf(d, p, SPAN_BOLD, "%s %s", json_string_value(json_object_get(r->target, "method")),
		  json_string_value(json_object_get(r->target, "url")));
	doc_spanf(d, p, SPAN_TEXT, " — %s model, %g s per stage, %lld threads", open ? "open" : "closed",
		  num(m, "stage_duration_s"), (long long)json_integer_value(json_object_get(m, "threads")));
	static const char *const hc[] = {"Concurrent Users", "Avg Response", "Error Rate", "P95", "P99", "Throughput"};
	static const char *const ho[] = {"Offered Rate", "Avg Response", "Error Rate", "P95", "P99", "Throughput"};
	struct doc_table *t = doc_table(d, 6, open ? ho : hc);
	for (size_t c = 0; c < 6; c++)
		doc_table_right(t, c);
	size_t i;
	json_t *s;
	json_array_foreach(stages, i, s) {
		struct doc_inline *row = doc_table_row(d, t);
		char v[48];
		if (open) {
			fmt_num(num(s, "rate_rps"), v, sizeof(v));
			doc_spanf(d, &row[0], SPAN_TEXT, "%s rps", v);
		} else {
			doc_spanf(d, &row[0], SPAN_TEXT, "%lld", (long long)json_integer_value(json_object_get(s, "concurrency")));
		}
		cell_ms(d, &row[1], num(s, "avg_ms"));
		fmt_fraction_pct(num(s, "error_rate"), v, sizeof(v));
		doc_span(d, &row[2], SPAN_TEXT, v);
		cell_ms(d, &row[3], num(s, "p95_ms"));
		cell_ms(d, &row[4], num(s, "p99_ms"));
		fmt_num(num(s, "throughput_rps"), v, sizeof(v));
		doc_spanf(d, &row[5], SPAN_TEXT, "%s rps", v);
	}
	/* Details: the full spectrum and the error breakdown per stage. */
	static const char *const hd[] = {"Stage", "p50", "p90", "p99.9", "Max", "Requests", "Errors", "Connections"};
	struct doc_table *dt = doc_table(d, 8, hd);
	for (size_t c = 0; c < 8; c++)
		doc_table_right(dt, c);
	json_array_foreach(stages, i, s) {
		struct doc_inline *row = doc_table_row(d, dt);
		doc_spanf(d, &row[0], SPAN_TEXT, "%zu", i + 1);
		cell_ms(d, &row[1], num(s, "p50_ms"));
		cell_ms(d, &row[2], num(s, "p90_ms"));
		cell_ms(d, &row[3], num(s, "p999_ms"));
		cell_ms(d, &row[4], num(s, "max_ms"));
		doc_spanf(d, &row[5], SPAN_TEXT, "%lld", (long long)json_integer_value(json_object_get(s, "requests")));
		json_t *err = json_object_get(s, "errors");
		struct buf eb = BUF_INIT;
		const char *k;
		json_t *v;
		json_object_foreach(err, k, v) {
			if (json_integer_value(v))
				buf_printf(&eb, "%s%s %lld", eb.len ? ", " : "", k, (long long)json_integer_value(v));
		}
		doc_span(d, &row[6], SPAN_TEXT, eb.len ? buf_str(&eb) : "0");
		buf_free(&eb);
		long long live = (long long)json_integer_value(json_object_get(s, "max_live_connections"));
		long long asked = open ? (long long)json_integer_value(json_object_get(s, "connections"))
				       : (long long)json_integer_value(json_object_get(s, "concurrency"));
		doc_spanf(d, &row[7], SPAN_TEXT, "%lld/%lld", live, asked);
	}
	if (open) {
		static const char *const hu[] = {"Stage", "Sent", "Uncorrected P95", "Uncorrected P99", "Max schedule lag"};
		struct doc_table *ut = doc_table(d, 5, hu);
		for (size_t c = 0; c < 5; c++)
			doc_table_right(ut, c);
		json_array_foreach(stages, i, s) {
			struct doc_inline *row = doc_table_row(d, ut);
			json_t *u = json_object_get(s, "uncorrected");
			char v[48];
			doc_spanf(d, &row[0], SPAN_TEXT, "%zu", i + 1);
			fmt_num(num(s, "sent_rps"), v, sizeof(v));
			doc_spanf(d, &row[1], SPAN_TEXT, "%s rps", v);
			cell_ms(d, &row[2], num(u, "p95_ms"));
			cell_ms(d, &row[3], num(u, "p99_ms"));
			cell_ms(d, &row[4], num(s, "max_schedule_lag_ms"));
		}
	}
	const char *bn = json_string_value(json_object_get(m, "bottleneck"));
	const char *rc = json_string_value(json_object_get(m, "recommendation"));
	if (bn)
		doc_labeled(d, "Bottleneck", SPAN_TEXT, bn);
	if (rc)
		doc_labeled(d, "Recommendation", SPAN_TEXT, rc);
	if (r->nfindings) {
		doc_span(d, doc_para(d), SPAN_BOLD, "Findings:");
		struct doc_list *l = doc_list(d, 0);
		for (size_t k = 0; k < r->nfindings; k++) {
			const struct pa_finding *f = r->findings[k];
			struct doc_inline *it = doc_list_item(d, l);
			doc_spanf(d, it, SPAN_BOLD, "%s", severity_title(f->severity));
			doc_spanf(d, it, SPAN_TEXT, " %s (%s)", f->title, f->rule);
		}
	}
	if (json_is_true(json_object_get(m, "interrupted")))
		doc_span(d, doc_para(d), SPAN_TEXT, "Interrupted: the numbers cover what ran before Ctrl-C.");
	struct buf b = BUF_INIT;
	doc_render_md(d, &b);
	fputs(buf_str(&b), out);
	buf_free(&b);
	doc_free(d);
}
