/*
 * digest_report: a digest -> the result (ranked profile, classes, N+1
 * patterns, cacheable statements, endpoints, findings against the budgets)
 * and the pt-query-digest-shaped report printed from that result.
 */
#include "digest.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../sql/sqlcols.h"
#include "../sql/sqltok.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- the result ---- */

static double p_ms(const struct loghist *h, double pct)
{
	return loghist_percentile(h, pct) / 1000.0;
}

static void set_num(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, json_real(isfinite(v) ? round(v * 1e6) / 1e6 : 0));
}

static const struct digest *sort_d;
static enum dg_order sort_order;

static double order_key(const struct dg_class *c)
{
	switch (sort_order) {
	case DG_BY_COUNT:
		return (double)c->count;
	case DG_BY_AVG:
		return c->t_sum / (double)c->count;
	case DG_BY_P95:
		return loghist_percentile(&c->t_hist, 95);
	case DG_BY_ROWS_EXAMINED:
		return (double)c->rows_exam;
	case DG_BY_TOTAL:
	default:
		return c->t_sum;
	}
}

static int class_cmp(const void *a, const void *b)
{
	const struct dg_class *x = sort_d->classes[*(const size_t *)a], *y = sort_d->classes[*(const size_t *)b];
	double kx = order_key(x), ky = order_key(y);
	if (kx != ky)
		return kx > ky ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int ci_has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * What the example touches, from src/sql's reading of it: the tables (as
 * pt-query-digest's "Item" and "Tables" show them) and whether a LIKE or
 * regular expression has no fixed prefix an index could use.
 */
struct shape {
	char item[160];  /* "SELECT profiles groups" */
	json_t *tables;  /* array of names */
	int leading_wildcard;
};

static void shape_of(const struct dg_class *c, struct shape *sh)
{
	struct sqlcols *cols = xcalloc(1, sizeof(*cols));
	const char *sql = c->example ? c->example : c->fingerprint;
	sqlcols_extract(sql, strlen(sql), SQLTOK_ANY, cols);
	sh->tables = json_array();
	sh->leading_wildcard = 0;
	size_t verb = strcspn(c->fingerprint, " ");
	int n = snprintf(sh->item, sizeof(sh->item), "%.*s", (int)(verb < 20 ? verb : 20), c->fingerprint);
	for (char *p = sh->item; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (size_t i = 0; i < cols->ntables; i++) {
		const struct sqlcols_name *t = &cols->tables[i].name;
		if (!t->len)
			continue;
		json_array_append_new(sh->tables, jsonx_stringn(t->s, t->len));
		if (n > 0 && (size_t)n < sizeof(sh->item))
			n += snprintf(sh->item + n, sizeof(sh->item) - (size_t)n, " %.*s", (int)t->len, t->s);
	}
	for (size_t i = 0; i < cols->nrefs; i++)
		if (cols->refs[i].flags & SQLCOLS_LEADING_WILDCARD)
			sh->leading_wildcard = 1;
	free(cols);
}

static json_t *class_json(const struct dg_class *c, size_t rank, double total, const struct shape *sh)
{
	json_t *o = json_object();
	json_object_set_new(o, "rank", json_integer((json_int_t)rank));
	json_object_set_new(o, "query_id", json_string(c->id));
	json_object_set_new(o, "fingerprint", jsonx_stringn(c->fingerprint, c->fplen));
	json_object_set_new(o, "item", jsonx_string(sh->item));
	json_object_set(o, "tables", sh->tables);
	json_object_set_new(o, "count", json_integer(c->count));
	set_num(o, "time_total_s", c->t_sum);
	set_num(o, "time_pct", total > 0 ? c->t_sum / total * 100 : 0);
	double avg = c->t_sum / (double)c->count;
	double var = c->t_sumsq / (double)c->count - avg * avg;
	set_num(o, "avg_ms", avg * 1000);
	set_num(o, "min_ms", c->t_min * 1000);
	set_num(o, "max_ms", c->t_max * 1000);
	set_num(o, "p95_ms", p_ms(&c->t_hist, 95));
	set_num(o, "median_ms", p_ms(&c->t_hist, 50));
	set_num(o, "stddev_ms", var > 0 ? sqrt(var) * 1000 : 0);
	set_num(o, "v_m", avg > 0 && var > 0 ? var / avg : 0);
	set_num(o, "lock_total_s", c->lock_sum);
	set_num(o, "lock_max_s", c->lock_max);
	if (c->have_rows) {
		json_object_set_new(o, "rows_sent", json_integer(c->rows_sent));
		json_object_set_new(o, "rows_sent_max", json_integer(c->rows_sent_max));
		json_object_set_new(o, "rows_examined", json_integer(c->rows_exam));
		json_object_set_new(o, "rows_examined_max", json_integer(c->rows_exam_max));
	}
	if (c->bytes)
		json_object_set_new(o, "bytes_sent", json_integer(c->bytes));
	set_num(o, "query_size_avg", (double)c->size_sum / (double)c->count);
	json_object_set_new(o, "query_size_max", json_integer(c->size_max));
	char ts[32];
	if (c->first_ts >= 0) {
		clock_format_rfc3339((time_t)(c->first_ts / 1000000), ts);
		json_object_set_new(o, "first_seen", json_string(ts));
		clock_format_rfc3339((time_t)(c->last_ts / 1000000), ts);
		json_object_set_new(o, "last_seen", json_string(ts));
	}
	json_object_set_new(o, "write", json_boolean(c->is_write));
	if (c->db)
		json_object_set_new(o, "db", jsonx_string(c->db));
	json_object_set_new(o, "example", jsonx_string(c->example ? c->example : ""));
	return o;
}

static void class_findings(struct pa_result *r, const struct dg_class *c, const struct budget *db,
			   const struct shape *sh)
{
	double p95 = p_ms(&c->t_hist, 95);
	double avg_ms = c->t_sum / (double)c->count * 1000;
	enum pa_severity sev;
	struct buf t = BUF_INIT;
	char a[32], b[32];
	if (budget_severity(db, p95, &sev)) {
		fmt_ms(p95, a, sizeof(a));
		fmt_ms(db->target, b, sizeof(b));
		buf_printf(&t, "Query %s: p95 %s over %lld runs (database budget %s)", c->id, a, (long long)c->count, b);
		struct pa_finding *f = result_add_finding(r, "slow-query", sev, buf_str(&t));
		f->location.query_id = result_str(r, c->id);
		f->evidence = json_pack("{s:I, s:f, s:f, s:f, s:f}", "count", (json_int_t)c->count, "total_s",
					round(c->t_sum * 1000) / 1000, "avg_ms", round(avg_ms * 10) / 10, "p95_ms",
					round(p95 * 10) / 10, "max_ms", round(c->t_max * 10000) / 10);
		f->problem = result_str(r, c->example);
		buf_reset(&t);
		buf_printf(&t, "EXPLAIN ANALYZE %s;", c->example ? c->example : c->fingerprint);
		f->solution = result_str(r, buf_str(&t));
		buf_reset(&t);
		fmt_ms(c->t_sum * 1000, a, sizeof(a));
		buf_printf(&t, "%s of database time in total", a);
		f->impact = result_str(r, buf_str(&t));
		f->impact_score = c->t_sum;
		f->has_impact_score = 1;
		buf_reset(&t);
	}
	if (c->have_rows && c->rows_exam / c->count > 1000 && c->rows_exam >= 100 * (c->rows_sent > 0 ? c->rows_sent : 1)) {
		buf_printf(&t, "Query %s examines %lld rows to send %lld: an index is probably missing", c->id,
			   (long long)(c->rows_exam / c->count), (long long)(c->rows_sent / c->count));
		struct pa_finding *f = result_add_finding(r, "missing-index", PA_SEV_MEDIUM, buf_str(&t));
		f->location.query_id = result_str(r, c->id);
		f->evidence = json_pack("{s:I, s:I, s:I}", "rows_examined_avg", (json_int_t)(c->rows_exam / c->count),
					"rows_sent_avg", (json_int_t)(c->rows_sent / c->count), "count", (json_int_t)c->count);
		f->problem = result_str(r, c->example);
		f->solution = result_str(r, "-- index the columns the WHERE clause filters on, equality first:\n"
					    "-- perfagent explain DSN 'the query' proposes the CREATE INDEX");
		f->impact_score = (double)c->rows_exam;
		f->has_impact_score = 1;
		buf_reset(&t);
	}
	if (sh->leading_wildcard) {
		buf_printf(&t, "Query %s searches with a leading-wildcard LIKE", c->id);
		struct pa_finding *f = result_add_finding(r, "leading-wildcard-like", PA_SEV_MEDIUM, buf_str(&t));
		f->location.query_id = result_str(r, c->id);
		f->problem = result_str(r, c->example);
		f->solution = result_str(r, "-- No B-tree index helps LIKE '%x%'. Use full-text search (MySQL FULLTEXT,\n"
					    "-- PostgreSQL tsvector), a trigram index (pg_trgm), or a reversed column\n"
					    "-- for suffix searches.");
		f->impact_score = c->t_sum;
		f->has_impact_score = 1;
		buf_reset(&t);
	}
	if (!c->is_write && ci_has(c->fingerprint, "select *")) {
		buf_printf(&t, "Query %s selects every column (SELECT *)", c->id);
		struct pa_finding *f = result_add_finding(r, "select-star", PA_SEV_LOW, buf_str(&t));
		f->location.query_id = result_str(r, c->id);
		f->problem = result_str(r, c->example);
		f->solution = result_str(r, "-- name the columns the code reads, e.g. SELECT id, name FROM ...");
		f->impact_score = c->t_sum;
		f->has_impact_score = 1;
	}
	buf_free(&t);
}

void dg_build_result(struct digest *d, enum dg_order order, size_t limit, struct pa_result *r)
{
	const struct budget *dbb = &d->o->budgets->b[BUDGET_DATABASE_QUERY];
	const struct budget *api = &d->o->budgets->b[BUDGET_API_ENDPOINT];
	size_t *idx = xcalloc(d->nclasses + 1, sizeof(*idx));
	for (size_t i = 0; i < d->nclasses; i++)
		idx[i] = i;
	sort_d = d;
	sort_order = order;
	qsort(idx, d->nclasses, sizeof(*idx), class_cmp);
	json_t *m = r->metrics;
	json_t *overall = json_object();
	json_object_set_new(overall, "queries", json_integer(d->queries));
	json_object_set_new(overall, "unique", json_integer((json_int_t)d->nclasses));
	json_object_set_new(overall, "requests", json_integer(d->hits));
	set_num(overall, "time_total_s", d->time_total);
	char ts[32];
	if (d->first_ts >= 0) {
		clock_format_rfc3339((time_t)(d->first_ts / 1000000), ts);
		json_object_set_new(overall, "first_seen", json_string(ts));
		clock_format_rfc3339((time_t)(d->last_ts / 1000000), ts);
		json_object_set_new(overall, "last_seen", json_string(ts));
		double span = (double)(d->last_ts - d->first_ts) / 1e6;
		if (span > 0 && d->queries)
			set_num(overall, "qps", (double)d->queries / span);
	}
	json_object_set_new(m, "overall", overall);
	json_t *prof = json_array();
	size_t shown = limit && limit < d->nclasses ? limit : d->nclasses;
	for (size_t k = 0; k < shown; k++) {
		const struct dg_class *c = d->classes[idx[k]];
		struct shape sh;
		shape_of(c, &sh);
		json_array_append_new(prof, class_json(c, k + 1, d->time_total, &sh));
		class_findings(r, c, dbb, &sh);
		json_decref(sh.tables);
	}
	json_object_set_new(m, "queries", prof);

	/* N+1 patterns, most time first. */
	json_t *np = json_array();
	for (size_t i = 0; i < d->npairs; i++) {
		const struct dg_pair *p = &d->pairs[i];
		const struct dg_class *pc = d->classes[p->parent], *cc = d->classes[p->child];
		json_t *o = json_object();
		json_object_set_new(o, "parent_query_id", json_string(pc->id));
		json_object_set_new(o, "child_query_id", json_string(cc->id));
		json_object_set_new(o, "parent", jsonx_string(pc->fingerprint));
		json_object_set_new(o, "child", jsonx_string(cc->fingerprint));
		json_object_set_new(o, "occurrences", json_integer(p->occurrences));
		set_num(o, "queries_per_occurrence", (double)p->queries / (double)p->occurrences);
		json_object_set_new(o, "max_run", json_integer(p->max_run));
		set_num(o, "time_s", p->time);
		json_array_append_new(np, o);
		struct buf t = BUF_INIT;
		buf_printf(&t, "N+1: query %s runs %.0f times per %s", cc->id, (double)p->queries / (double)p->occurrences,
			   pc->id);
		struct pa_finding *f = result_add_finding(r, "n-plus-one", PA_SEV_HIGH, buf_str(&t));
		buf_reset(&t);
		f->location.query_id = result_str(r, cc->id);
		f->evidence = json_pack("{s:I, s:f, s:I, s:f}", "occurrences", (json_int_t)p->occurrences,
					"queries_per_occurrence", round((double)p->queries / (double)p->occurrences * 10) / 10,
					"max_run", (json_int_t)p->max_run, "time_s", round(p->time * 1000) / 1000);
		buf_printf(&t, "%s\n-- then, once per row:\n%s", pc->example ? pc->example : pc->fingerprint,
			   cc->example ? cc->example : cc->fingerprint);
		f->problem = result_str(r, buf_str(&t));
		f->solution = result_str(r, "-- one query for all rows instead of one per row:\n"
					    "-- a JOIN, or WHERE id IN (...) with every id at once;\n"
					    "-- SQLAlchemy: .options(selectinload(Parent.children)) / joinedload;\n"
					    "-- Django: select_related / prefetch_related");
		buf_reset(&t);
		buf_printf(&t, "%lld queries where 1 would do", (long long)(p->queries - p->occurrences));
		f->impact = result_str(r, buf_str(&t));
		f->impact_score = p->time;
		f->has_impact_score = 1;
		buf_free(&t);
	}
	json_object_set_new(m, "n_plus_one", np);

	/* Cacheable: the same text often enough, per class. */
	json_t *cache = json_array();
	double window = d->o->cache_window_s > 0 ? d->o->cache_window_s : 60;
	int64_t *rep = xcalloc(d->nclasses + 1, sizeof(*rep));
	int64_t *texts = xcalloc(d->nclasses + 1, sizeof(*texts));
	double *gap = xcalloc(d->nclasses + 1, sizeof(*gap));
	for (size_t i = 0; i < d->textscap; i++) {
		const struct dg_text *t = &d->texts[i];
		if ((int64_t)t->count < d->o->cache_min)
			continue;
		double span = t->first_s ? (double)(t->last_s - t->first_s) : 0;
		if (span > 0 && (double)t->count / span < (double)d->o->cache_min / window)
			continue; /* repeated, but too seldom to be worth a cache */
		rep[t->cls] += (int64_t)t->count - 1;
		texts[t->cls]++;
		double g = t->count > 1 ? span / (double)(t->count - 1) : 0;
		if (g < 1 && span > 0)
			g = 1; /* whole seconds: no finer interval is known */
		if (gap[t->cls] == 0 || g < gap[t->cls])
			gap[t->cls] = g;
	}
	for (size_t k = 0; k < d->nclasses; k++) {
		size_t i = idx[k];
		if (!rep[i])
			continue;
		const struct dg_class *c = d->classes[i];
		/* A TTL about ten repeats long keeps ~90% of these reads off the database. */
		double ttl = gap[i] * 10;
		ttl = ttl < 1 ? 1 : ttl > 300 ? 300 : ttl;
		json_t *o = json_object();
		json_object_set_new(o, "query_id", json_string(c->id));
		json_object_set_new(o, "fingerprint", jsonx_string(c->fingerprint));
		json_object_set_new(o, "repeats", json_integer(rep[i]));
		json_object_set_new(o, "distinct_texts", json_integer(texts[i]));
		set_num(o, "suggested_ttl_s", round(ttl));
		json_array_append_new(cache, o);
		struct buf t = BUF_INIT;
		buf_printf(&t, "Query %s repeats with the same values %lld times: cacheable", c->id, (long long)rep[i]);
		struct pa_finding *f = result_add_finding(r, "cacheable", PA_SEV_LOW, buf_str(&t));
		buf_reset(&t);
		f->location.query_id = result_str(r, c->id);
		f->evidence = json_pack("{s:I, s:I, s:f}", "repeats", (json_int_t)rep[i], "distinct_texts",
					(json_int_t)texts[i], "suggested_ttl_s", round(ttl));
		f->problem = result_str(r, c->example);
		buf_printf(&t, "from cachetools import TTLCache\n"
			       "cache = TTLCache(maxsize=1000, ttl=%.0f)  # invalidate on writes to the tables it reads\n",
			   ttl);
		f->solution = result_str(r, buf_str(&t));
		buf_reset(&t);
		char saved[32];
		fmt_ms(c->t_sum / (double)c->count * (double)rep[i] * 1000, saved, sizeof(saved));
		buf_printf(&t, "up to %s of database time saved", saved);
		f->impact = result_str(r, buf_str(&t));
		f->impact_score = c->t_sum / (double)c->count * (double)rep[i];
		f->has_impact_score = 1;
		buf_free(&t);
	}
	json_object_set_new(m, "cacheable", cache);
	json_object_set_new(m, "repeated_texts_capped", json_boolean(d->texts_full));
	free(rep);
	free(texts);
	free(gap);

	/* Endpoints from access logs. */
	json_t *eps = json_array();
	struct loghist all = {0};
	double hit_time = 0;
	for (size_t i = 0; i < d->neps; i++) {
		const struct dg_endpoint *e = d->eps[i];
		loghist_merge(&all, &e->t_hist);
		hit_time += e->t_sum;
		json_t *o = json_object();
		json_object_set_new(o, "endpoint", jsonx_string(e->key));
		json_object_set_new(o, "count", json_integer(e->count));
		set_num(o, "avg_ms", e->t_sum / (double)e->count * 1000);
		set_num(o, "p50_ms", p_ms(&e->t_hist, 50));
		set_num(o, "p95_ms", p_ms(&e->t_hist, 95));
		set_num(o, "p99_ms", p_ms(&e->t_hist, 99));
		set_num(o, "max_ms", e->t_max * 1000);
		set_num(o, "error_rate", (double)e->err5xx / (double)e->count);
		json_object_set_new(o, "http_5xx", json_integer(e->err5xx));
		json_object_set_new(o, "http_4xx", json_integer(e->err4xx));
		double p95 = p_ms(&e->t_hist, 95);
		json_object_set_new(o, "class", json_string(budget_class_name(budget_classify(api, p95))));
		json_array_append_new(eps, o);
		enum pa_severity sev;
		struct buf t = BUF_INIT;
		char a[32];
		if (budget_severity(api, p95, &sev)) {
			fmt_ms(p95, a, sizeof(a));
			buf_printf(&t, "%s: p95 %s over %lld requests", e->key, a, (long long)e->count);
			struct pa_finding *f = result_add_finding(r, "slow-endpoint", sev, buf_str(&t));
			f->location.endpoint = result_str(r, e->key);
			f->evidence = json_pack("{s:I, s:f, s:f, s:f}", "requests", (json_int_t)e->count, "p50_ms",
						round(p_ms(&e->t_hist, 50) * 10) / 10, "p95_ms", round(p95 * 10) / 10,
						"p99_ms", round(p_ms(&e->t_hist, 99) * 10) / 10);
			f->impact_score = p95;
			f->has_impact_score = 1;
			buf_reset(&t);
		}
		if (e->err5xx * 100 > e->count) {
			buf_printf(&t, "%s fails with HTTP 5xx in %.1f%% of %lld requests", e->key,
				   100.0 * (double)e->err5xx / (double)e->count, (long long)e->count);
			struct pa_finding *f = result_add_finding(r, "error-rate", PA_SEV_HIGH, buf_str(&t));
			f->location.endpoint = result_str(r, e->key);
			f->evidence = json_pack("{s:I, s:I}", "http_5xx", (json_int_t)e->err5xx, "requests", (json_int_t)e->count);
		}
		buf_free(&t);
	}
	json_object_set_new(m, "endpoints", eps);
	if (d->hits) {
		set_num(m, "avg_response_ms", hit_time / (double)d->hits * 1000);
		set_num(m, "p95_ms", p_ms(&all, 95));
		if (d->last_ts > d->first_ts)
			set_num(m, "throughput_rps", (double)d->hits / ((double)(d->last_ts - d->first_ts) / 1e6));
	}
	loghist_free(&all);
	free(idx);
}

/* ---- the human report ---- */

static double jnum(const json_t *o, const char *k)
{
	return jsonx_number(o, k, NULL);
}

static void pt_time(double ms, char *out, size_t n)
{
	/* pt-query-digest's style: 3 significant digits with s/ms/us units. */
	if (ms >= 1000)
		snprintf(out, n, "%.0fs", ms / 1000);
	else if (ms >= 1)
		snprintf(out, n, "%.0fms", ms);
	else
		snprintf(out, n, "%.0fus", ms * 1000);
}

void dg_print_human(const struct pa_result *r, FILE *out)
{
	json_t *m = r->metrics;
	json_t *ov = json_object_get(m, "overall");
	json_t *qs = json_object_get(m, "queries");
	double total = jnum(ov, "time_total_s");
	long long nq = (long long)json_integer_value(json_object_get(ov, "queries"));
	long long nreq = (long long)json_integer_value(json_object_get(ov, "requests"));
	fprintf(out, "# Overall: %lld queries, %lld unique", nq,
		(long long)json_integer_value(json_object_get(ov, "unique")));
	if (jnum(ov, "qps") > 0)
		fprintf(out, ", %.2f QPS", jnum(ov, "qps"));
	if (nreq)
		fprintf(out, "; %lld requests", nreq);
	fputc('\n', out);
	const char *first = json_string_value(json_object_get(ov, "first_seen"));
	const char *last = json_string_value(json_object_get(ov, "last_seen"));
	if (first)
		fprintf(out, "# Time range: %s to %s\n", first, last);
	json_t *garbled = json_object_get(m, "garbled_events");
	if (json_integer_value(garbled))
		fprintf(out, "# Garbled or truncated events skipped: %lld\n", (long long)json_integer_value(garbled));
	if (json_array_size(qs)) {
		fprintf(out, "\n# Profile\n");
		fprintf(out, "# Rank Query ID            Response time     Calls   R/Call   V/M Item\n");
		fprintf(out, "# ==== =================== ================= ======= ======== ===== ====================\n");
		size_t i;
		json_t *q;
		json_array_foreach(qs, i, q) {
			const char *fp = json_string_value(json_object_get(q, "fingerprint"));
			const char *item = json_string_value(json_object_get(q, "item"));
			fprintf(out, "# %4lld %-19s %9.4f %5.1f%% %7lld %8.4f %5.2f %.40s\n",
				(long long)json_integer_value(json_object_get(q, "rank")),
				json_string_value(json_object_get(q, "query_id")), jnum(q, "time_total_s"), jnum(q, "time_pct"),
				(long long)json_integer_value(json_object_get(q, "count")), jnum(q, "avg_ms") / 1000,
				jnum(q, "v_m"), item ? item : fp);
		}
		json_array_foreach(qs, i, q) {
			char a[5][24];
			fprintf(out, "\n# Query %lld: ID %s\n", (long long)json_integer_value(json_object_get(q, "rank")),
				json_string_value(json_object_get(q, "query_id")));
			fprintf(out, "# Attribute    pct   total     min     max     avg     95%%  stddev  median\n");
			fprintf(out, "# ============ === ======= ======= ======= ======= ======= ======= =======\n");
			fprintf(out, "# Count        %3.0f %7lld\n",
				nq ? 100.0 * (double)json_integer_value(json_object_get(q, "count")) / (double)nq : 0,
				(long long)json_integer_value(json_object_get(q, "count")));
			pt_time(jnum(q, "time_total_s") * 1000, a[0], sizeof(a[0]));
			pt_time(jnum(q, "min_ms"), a[1], sizeof(a[1]));
			pt_time(jnum(q, "max_ms"), a[2], sizeof(a[2]));
			pt_time(jnum(q, "avg_ms"), a[3], sizeof(a[3]));
			pt_time(jnum(q, "p95_ms"), a[4], sizeof(a[4]));
			char sd[24], med[24];
			pt_time(jnum(q, "stddev_ms"), sd, sizeof(sd));
			pt_time(jnum(q, "median_ms"), med, sizeof(med));
			fprintf(out, "# Exec time    %3.0f %7s %7s %7s %7s %7s %7s %7s\n", jnum(q, "time_pct"), a[0], a[1], a[2],
				a[3], a[4], sd, med);
			if (jnum(q, "lock_total_s") > 0) {
				pt_time(jnum(q, "lock_total_s") * 1000, a[0], sizeof(a[0]));
				pt_time(jnum(q, "lock_max_s") * 1000, a[1], sizeof(a[1]));
				fprintf(out, "# Lock time        %7s         %7s\n", a[0], a[1]);
			}
			json_t *rs = json_object_get(q, "rows_sent");
			if (rs) {
				long long cnt = (long long)json_integer_value(json_object_get(q, "count"));
				fprintf(out, "# Rows sent        %7lld         %7lld %7lld\n", (long long)json_integer_value(rs),
					(long long)json_integer_value(json_object_get(q, "rows_sent_max")),
					cnt ? (long long)json_integer_value(rs) / cnt : 0);
				fprintf(out, "# Rows examine     %7lld         %7lld %7lld\n",
					(long long)json_integer_value(json_object_get(q, "rows_examined")),
					(long long)json_integer_value(json_object_get(q, "rows_examined_max")),
					cnt ? (long long)json_integer_value(json_object_get(q, "rows_examined")) / cnt : 0);
			}
			fprintf(out, "# Query size       %7.0f avg     %7lld max\n", jnum(q, "query_size_avg"),
				(long long)json_integer_value(json_object_get(q, "query_size_max")));
			const char *db = json_string_value(json_object_get(q, "db"));
			if (db)
				fprintf(out, "# Databases    %s\n", db);
			json_t *tabs = json_object_get(q, "tables");
			if (json_array_size(tabs)) {
				fprintf(out, "# Tables      ");
				size_t ti;
				json_t *tv;
				json_array_foreach(tabs, ti, tv)
					fprintf(out, " %s", json_string_value(tv));
				fputc('\n', out);
			}
			if (json_string_value(json_object_get(q, "first_seen")))
				fprintf(out, "# Seen         %s to %s\n", json_string_value(json_object_get(q, "first_seen")),
					json_string_value(json_object_get(q, "last_seen")));
			fprintf(out, "%s\\G\n", json_string_value(json_object_get(q, "example")));
		}
	}
	json_t *np = json_object_get(m, "n_plus_one");
	if (json_array_size(np)) {
		fprintf(out, "\n# N+1 patterns (one query per row after a parent query, on one connection)\n");
		size_t i;
		json_t *p;
		json_array_foreach(np, i, p)
			fprintf(out, "#   %s -> %s: %lld times, %.1f queries each, %.3fs\n",
				json_string_value(json_object_get(p, "parent_query_id")),
				json_string_value(json_object_get(p, "child_query_id")),
				(long long)json_integer_value(json_object_get(p, "occurrences")),
				jnum(p, "queries_per_occurrence"), jnum(p, "time_s"));
	}
	json_t *cache = json_object_get(m, "cacheable");
	if (json_array_size(cache)) {
		fprintf(out, "\n# Cacheable (the same statement, same values, repeated)\n");
		size_t i;
		json_t *c;
		json_array_foreach(cache, i, c)
			fprintf(out, "#   %s: %lld repeats, suggested TTL %.0fs\n",
				json_string_value(json_object_get(c, "query_id")),
				(long long)json_integer_value(json_object_get(c, "repeats")), jnum(c, "suggested_ttl_s"));
	}
	json_t *eps = json_object_get(m, "endpoints");
	if (json_array_size(eps)) {
		fprintf(out, "\n# Endpoints\n# %-40s %8s %8s %8s %8s %6s %s\n", "Endpoint", "Count", "p50", "p95", "p99",
			"5xx", "Budget");
		size_t i;
		json_t *e;
		json_array_foreach(eps, i, e) {
			char a[24], b[24], c[24];
			fmt_ms(jnum(e, "p50_ms"), a, sizeof(a));
			fmt_ms(jnum(e, "p95_ms"), b, sizeof(b));
			fmt_ms(jnum(e, "p99_ms"), c, sizeof(c));
			fprintf(out, "# %-40.40s %8lld %8s %8s %8s %6lld %s\n", json_string_value(json_object_get(e, "endpoint")),
				(long long)json_integer_value(json_object_get(e, "count")), a, b, c,
				(long long)json_integer_value(json_object_get(e, "http_5xx")),
				json_string_value(json_object_get(e, "class")));
		}
	}
	if (r->nfindings) {
		fprintf(out, "\n# Findings\n");
		for (size_t k = 0; k < r->nfindings; k++)
			fprintf(out, "#   %-8s %s (%s)\n", severity_title(r->findings[k]->severity), r->findings[k]->title,
				r->findings[k]->rule);
	}
	(void)total;
}
