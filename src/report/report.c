/*
 * report: merging results into the audit report model and laying it out.
 *
 * Section order and wording follow the seed's "Performance Audit Report":
 * Date and Scope, Summary, Findings (PERF-001...), Recommendations, Load
 * Test Results with Bottleneck and Recommendation, then an appendix that
 * names every input so a reader can trace each number to its file.
 */
#include "report.h"
#include "../core/clock.h"
#include "../core/strset.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../core/version.h"
#include "recommend.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct {
	const char *key, *label;
	int higher_is_better;
} metric_defs[REPORT_METRICS] = {
	{"avg_response_ms", "Avg Response Time", 0},
	{"p95_ms", "P95 Latency", 0},
	{"memory_mb", "Memory Usage", 0},
	{"throughput_rps", "Throughput", 1},
};

/* ---- small formatting helpers ---- */

static void fmt_metric(const char *key, double v, char *out, size_t n)
{
	char num[32];
	if (strcmp(key, "memory_mb") == 0) {
		fmt_mb(v, out, n);
	} else if (strcmp(key, "throughput_rps") == 0) {
		fmt_num(v, num, sizeof(num));
		snprintf(out, n, "%s rps", num);
	} else {
		fmt_ms(v, out, n);
	}
}

void report_improvement(const struct report_metric *m, char *out, size_t n)
{
	if (!m->has_before || !m->has_after || m->before <= 0) {
		snprintf(out, n, "n/a");
		return;
	}
	double pct = m->higher_is_better ? (m->after - m->before) / m->before * 100
					 : (m->before - m->after) / m->before * 100;
	char num[64];
	if (!isfinite(pct)) {
		snprintf(out, n, "n/a");
		return;
	}
	if (fabs(pct) >= 9.95)
		snprintf(num, sizeof(num), "%.0f", fabs(pct));
	else
		fmt_num(round(fabs(pct) * 10) / 10, num, sizeof(num));
	if (strcmp(num, "0") == 0)
		snprintf(out, n, "0%%");
	else if (pct < 0)
		snprintf(out, n, "-%s%% (regression)", num);
	else
		snprintf(out, n, "%s%%", num);
}

double report_impact_rank(const struct pa_finding *f)
{
	if (f->has_impact_score)
		return f->impact_score;
	if (!f->impact)
		return 0;
	for (const char *p = f->impact; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > f->impact && (isalnum((unsigned char)p[-1]) || p[-1] == '.')))
			continue;
		/* Digits with thousands separators: "1,000x" is a thousand. */
		char num[64];
		size_t k = 0;
		const char *end = p;
		while (k < sizeof(num) - 1 && (isdigit((unsigned char)*end) || *end == '.' ||
					       (*end == ',' && isdigit((unsigned char)end[1]) && k > 0))) {
			if (*end != ',')
				num[k++] = *end;
			end++;
		}
		num[k] = '\0';
		double v = strtod(num, NULL);
		while (*end == ' ')
			end++;
		if (*end == 'x' || *end == 'X' || strncmp(end, "\xc3\x97", 2) == 0)
			return v;
		if (*end == '%')
			return 1 + v / 100;
		p = end - 1;
		if (p < f->impact)
			break;
	}
	return 0;
}

void report_location(const struct pa_location *l, struct buf *out)
{
	size_t start = out->len;
#define SEP() do { if (out->len > start) buf_puts(out, ", "); } while (0)
	if (l->file) {
		buf_puts(out, l->file);
		if (l->line)
			buf_printf(out, ":%ld", l->line);
		if (l->line && l->column)
			buf_printf(out, ":%ld", l->column);
		if (l->function)
			buf_printf(out, " (%s)", l->function);
	} else if (l->function) {
		buf_printf(out, "%s()", l->function);
	}
	if (l->endpoint) {
		SEP();
		buf_puts(out, l->endpoint);
	}
	if (l->url) {
		SEP();
		buf_puts(out, l->url);
	}
	if (l->index) {
		SEP();
		buf_printf(out, "index %s", l->index);
		if (l->table)
			buf_printf(out, " on %s", l->table);
	} else if (l->table) {
		SEP();
		buf_printf(out, "table %s", l->table);
	}
	if (l->query_id) {
		SEP();
		buf_printf(out, "query %s", l->query_id);
	}
	if (l->pid) {
		SEP();
		buf_printf(out, "pid %ld", l->pid);
	}
#undef SEP
}

/* What a target object names, in a few words: its URL, DSN, dir or files. */
static void target_text(const json_t *t, struct buf *out)
{
	static const char *const keys[] = {"url", "urls", "dsn", "dir", "files", "paths", "command", "pid"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(t, keys[i]);
		if (json_is_string(v) && json_string_length(v)) {
			buf_puts(out, json_string_value(v));
			return;
		}
		if (json_is_integer(v)) {
			buf_printf(out, "%s %lld", keys[i], (long long)json_integer_value(v));
			return;
		}
		if (json_is_array(v) && json_array_size(v) && json_is_string(json_array_get(v, 0))) {
			buf_puts(out, json_string_value(json_array_get(v, 0)));
			if (json_array_size(v) > 1)
				buf_printf(out, " (+%zu more)", json_array_size(v) - 1);
			return;
		}
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)t, k, v) {
		if (json_is_string(v) && json_string_length(v)) {
			buf_puts(out, json_string_value(v));
			return;
		}
	}
}

/*
 * The identity of a finding across runs: its rule and where it is, leaving
 * out what changes from run to run without the problem changing — the pid,
 * a URL's host and port (test servers take free ports), and the line when
 * the function is known (an edit above it moves the line, not the finding).
 */
static void finding_key(const struct pa_finding *f, struct buf *out)
{
	const struct pa_location *l = &f->location;
	buf_reset(out);
	buf_printf(out, "%s\x1f", f->rule);
	size_t before = out->len;
	if (l->file)
		buf_printf(out, "f=%s\x1f", l->file);
	if (l->function)
		buf_printf(out, "fn=%s\x1f", l->function);
	else if (l->line)
		buf_printf(out, "l=%ld\x1f", l->line);
	if (l->endpoint)
		buf_printf(out, "e=%s\x1f", l->endpoint);
	if (l->url) {
		const char *u = strstr(l->url, "://");
		const char *path = u ? strchr(u + 3, '/') : l->url;
		buf_printf(out, "u=%s\x1f", path ? path : "/");
	}
	if (l->table)
		buf_printf(out, "t=%s\x1f", l->table);
	if (l->index)
		buf_printf(out, "i=%s\x1f", l->index);
	if (l->query_id)
		buf_printf(out, "q=%s\x1f", l->query_id);
	if (out->len == before)
		buf_puts(out, f->title);
}

/* ---- building the model ---- */

static int item_cmp(const void *a, const void *b)
{
	const struct report_item *x = a, *y = b;
	if (x->f->severity != y->f->severity)
		return x->f->severity > y->f->severity ? -1 : 1;
	if (x->impact != y->impact)
		return x->impact > y->impact ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int key_in(const char *key, char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* A finding's identity key and its position in input order. */
struct keyed {
	char *key;
	size_t idx;
	enum pa_severity sev;
};

/* By key, then input order: equal keys keep their first occurrence first. */
static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int resolved_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first position in sorted k[0..n) whose key is not less than key. */
static size_t keyed_lower_bound(const struct keyed *k, size_t n, const char *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(k[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_rec(struct report *rep, struct strset *seen, const char *text, size_t *cap)
{
	if (!text || !*text || !strset_add(seen, text))
		return;
	if (rep->nrecs == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		rep->recs = xrealloc(rep->recs, *cap * sizeof(*rep->recs));
	}
	rep->recs[rep->nrecs++] = text;
}

static int is_load(const struct pa_result *r)
{
	return strcmp(r->command, "load") == 0 && json_is_array(json_object_get(r->metrics, "stages")) &&
	       json_array_size(json_object_get(r->metrics, "stages")) > 0;
}

static const char *metrics_str(const struct pa_result *r, const char *key)
{
	json_t *v = json_object_get(r->metrics, key);
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

/*
 * Before must measure the same thing as After: a baseline result of the
 * same command, preferably with the same target. A page's p95 is not
 * compared with a load test's.
 */
static void pair_before(struct report *rep, struct report_metric *m)
{
	struct buf want = BUF_INIT, have = BUF_INIT;
	target_text(m->after_from->target, &want);
	const struct pa_result *same_cmd = NULL;
	double same_cmd_v = 0;
	for (size_t j = 0; j < rep->nbefore; j++) {
		const struct pa_result *b = rep->before[j];
		int ok;
		double v = jsonx_number(b->metrics, m->key, &ok);
		if (!ok || strcmp(b->command, m->after_from->command) != 0)
			continue;
		buf_reset(&have);
		target_text(b->target, &have);
		if (strcmp(buf_str(&have), buf_str(&want)) == 0) {
			same_cmd = b;
			same_cmd_v = v;
			break;
		}
		if (!same_cmd) {
			same_cmd = b;
			same_cmd_v = v;
		}
	}
	if (same_cmd) {
		m->has_before = 1;
		m->before = same_cmd_v;
		m->before_from = same_cmd;
	}
	buf_free(&want);
	buf_free(&have);
}

static void build_summary(struct report *rep)
{
	for (int i = 0; i < REPORT_METRICS; i++) {
		struct report_metric *m = &rep->summary[i];
		m->key = metric_defs[i].key;
		m->label = metric_defs[i].label;
		m->higher_is_better = metric_defs[i].higher_is_better;
		for (size_t j = 0; j < rep->nafter && !m->has_after; j++) {
			int ok;
			double v = jsonx_number(rep->after[j]->metrics, m->key, &ok);
			if (ok) {
				m->has_after = 1;
				m->after = v;
				m->after_from = rep->after[j];
			}
		}
		if (m->has_after)
			pair_before(rep, m);
	}
}

static void build_findings(struct report *rep)
{
	size_t n = 0;
	for (size_t i = 0; i < rep->nafter; i++)
		n += rep->after[i]->nfindings;
	rep->items = xcalloc(n ? n : 1, sizeof(*rep->items));
	size_t k = 0;
	for (size_t i = 0; i < rep->nafter; i++) {
		for (size_t j = 0; j < rep->after[i]->nfindings; j++, k++) {
			struct report_item *it = &rep->items[k];
			it->f = rep->after[i]->findings[j];
			it->from = rep->after[i];
			it->impact = report_impact_rank(it->f);
			it->order = k;
		}
	}
	rep->nitems = n;
	qsort(rep->items, n, sizeof(*rep->items), item_cmp);
	for (size_t i = 0; i < n; i++)
		snprintf(rep->items[i].id, sizeof(rep->items[i].id), "PERF-%03zu", i + 1);

	if (!rep->nbefore)
		return;
	/*
	 * Compare with the baseline by (rule, location). Both sides' keys are
	 * sorted once and looked up by binary search, so a scan with thousands
	 * of findings on each side costs O(n log n), not O(n * m).
	 */
	struct buf kb = BUF_INIT;
	size_t nb = 0;
	for (size_t i = 0; i < rep->nbefore; i++)
		nb += rep->before[i]->nfindings;
	struct keyed *bk = xcalloc(nb ? nb : 1, sizeof(*bk));
	const struct pa_finding **bf = xcalloc(nb ? nb : 1, sizeof(*bf));
	size_t b = 0;
	for (size_t i = 0; i < rep->nbefore; i++)
		for (size_t j = 0; j < rep->before[i]->nfindings; j++, b++) {
			bf[b] = rep->before[i]->findings[j];
			finding_key(bf[b], &kb);
			bk[b].key = xstrdup(buf_str(&kb));
			bk[b].idx = b;
		}
	struct keyed *ak = xcalloc(n ? n : 1, sizeof(*ak));
	for (size_t i = 0; i < n; i++) {
		finding_key(rep->items[i].f, &kb);
		ak[i].key = xstrdup(buf_str(&kb));
		ak[i].idx = i;
	}
	qsort(bk, nb, sizeof(*bk), keyed_cmp);
	qsort(ak, n, sizeof(*ak), keyed_cmp);
	for (size_t i = 0; i < n; i++) {
		struct report_item *it = &rep->items[ak[i].idx];
		size_t at = keyed_lower_bound(bk, nb, ak[i].key);
		if (at == nb || strcmp(bk[at].key, ak[i].key) != 0) {
			it->is_new = 1;
			rep->nnew++;
			continue;
		}
		it->was = bf[bk[at].idx]; /* the first in input order with that key */
		rep->nless += it->was->severity > it->f->severity;
		rep->nmore += it->was->severity < it->f->severity;
	}
	/* Resolved: baseline keys (each once) that no current finding has. */
	struct keyed *res = xcalloc(nb ? nb : 1, sizeof(*res));
	size_t nres = 0;
	for (size_t i = 0; i < nb; i++) {
		if (i > 0 && strcmp(bk[i].key, bk[i - 1].key) == 0)
			continue;
		size_t at = keyed_lower_bound(ak, n, bk[i].key);
		if (at < n && strcmp(ak[at].key, bk[i].key) == 0)
			continue;
		res[nres++] = bk[i];
	}
	/* Most severe first, then in baseline order. */
	for (size_t i = 0; i < nres; i++)
		res[i].sev = bf[res[i].idx]->severity;
	qsort(res, nres, sizeof(*res), resolved_cmp);
	rep->resolved = xcalloc(nres ? nres : 1, sizeof(*rep->resolved));
	for (size_t i = 0; i < nres; i++)
		rep->resolved[rep->nresolved++] = bf[res[i].idx];
	for (size_t i = 0; i < nb; i++)
		free(bk[i].key);
	for (size_t i = 0; i < n; i++)
		free(ak[i].key);
	free(res);
	free(bk);
	free(ak);
	free(bf);
	buf_free(&kb);
}

static void build_recs(struct report *rep)
{
	size_t cap = 0;
	struct strset seen = {0};
	for (size_t i = 0; i < rep->nitems; i++) {
		const struct pa_finding *f = rep->items[i].f;
		add_rec(rep, &seen, f->recommendation ? f->recommendation : recommend_for_rule(f->rule), &cap);
	}
	for (size_t i = 0; i < rep->nloads; i++)
		add_rec(rep, &seen, rep->loads[i].recommendation, &cap);
	strset_free(&seen);
}

static const char *json_str(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

static void add_load(struct report *rep, size_t *cap, const char *label, json_t *stages, const char *bn,
		     const char *rc)
{
	if (!json_is_array(stages) || json_array_size(stages) == 0)
		return;
	if (rep->nloads == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		rep->loads = xrealloc(rep->loads, *cap * sizeof(*rep->loads));
	}
	struct report_load *l = &rep->loads[rep->nloads++];
	l->label = arena_strdup(&rep->arena, label);
	l->stages = stages;
	l->bottleneck = bn;
	l->recommendation = rc;
}

/*
 * The load tests to show: every `load` result, and the load sections a
 * merged report (command "report") carries, so a report read back renders
 * its Load Test Results again.
 */
static void build_loads(struct report *rep)
{
	size_t cap = 0;
	for (size_t i = 0; i < rep->nafter; i++) {
		const struct pa_result *r = rep->after[i];
		if (is_load(r)) {
			struct buf t = BUF_INIT;
			target_text(r->target, &t);
			add_load(rep, &cap, t.len ? buf_str(&t) : r->source ? r->source : "load",
				 json_object_get(r->metrics, "stages"), metrics_str(r, "bottleneck"),
				 metrics_str(r, "recommendation"));
			buf_free(&t);
		} else if (strcmp(r->command, "report") == 0) {
			size_t j;
			json_t *l;
			json_array_foreach(json_object_get(r->metrics, "load"), j, l) {
				const char *src = json_str(l, "source");
				add_load(rep, &cap, src ? src : "load", json_object_get(l, "stages"),
					 json_str(l, "bottleneck"), json_str(l, "recommendation"));
			}
		}
	}
}

static const char *derive_date(struct report *rep)
{
	int64_t newest = 0;
	int any = 0;
	for (size_t i = 0; i < rep->nafter; i++) {
		int64_t t;
		/* A merged report keeps the date of what it merged, not of the merge. */
		const char *d = strcmp(rep->after[i]->command, "report") == 0 ? json_str(rep->after[i]->metrics, "date")
									   : NULL;
		char stamp[40];
		if (d && strlen(d) == 10) {
			snprintf(stamp, sizeof(stamp), "%sT00:00:00Z", d);
			if (clock_parse_rfc3339(stamp, &t) == 0 && (!any || t > newest)) {
				newest = t;
				any = 1;
			}
			continue;
		}
		if (clock_parse_rfc3339(rep->after[i]->started_at, &t) == 0 && (!any || t > newest)) {
			newest = t;
			any = 1;
		}
	}
	time_t tt = any ? (time_t)newest : time(NULL);
	struct tm tm;
	char out[16];
	gmtime_r(&tt, &tm);
	strftime(out, sizeof(out), "%Y-%m-%d", &tm);
	return arena_strdup(&rep->arena, out);
}

static const char *derive_scope(struct report *rep)
{
	struct buf all = BUF_INIT, one = BUF_INIT;
	char **seen = xcalloc(rep->nafter + 1, sizeof(*seen));
	size_t nseen = 0;
	for (size_t i = 0; i < rep->nafter; i++) {
		buf_reset(&one);
		const char *merged = strcmp(rep->after[i]->command, "report") == 0 ? json_str(rep->after[i]->metrics, "scope")
										 : NULL;
		if (merged)
			buf_puts(&one, merged);
		else
			target_text(rep->after[i]->target, &one);
		if (!one.len || key_in(buf_str(&one), seen, nseen))
			continue;
		seen[nseen++] = xstrdup(buf_str(&one));
		if (all.len)
			buf_puts(&all, ", ");
		buf_puts(&all, buf_str(&one));
	}
	const char *s = arena_strdup(&rep->arena, all.len ? buf_str(&all) : "Full application");
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	buf_free(&all);
	buf_free(&one);
	return s;
}

void report_build(struct report *rep, struct pa_result *const *after, size_t nafter,
		  struct pa_result *const *before, size_t nbefore, const struct report_opts *o)
{
	memset(rep, 0, sizeof(*rep));
	rep->after = after;
	rep->nafter = nafter;
	rep->before = before;
	rep->nbefore = nbefore;
	rep->title = arena_strdup(&rep->arena, o && o->title ? o->title : "Performance Audit Report");
	rep->date = o && o->date ? arena_strdup(&rep->arena, o->date) : derive_date(rep);
	rep->scope = o && o->scope ? arena_strdup(&rep->arena, o->scope) : derive_scope(rep);
	build_summary(rep);
	build_findings(rep);
	build_loads(rep);
	build_recs(rep);
}

void report_free(struct report *rep)
{
	free(rep->items);
	free(rep->resolved);
	free(rep->recs);
	free(rep->loads);
	arena_free(&rep->arena);
	memset(rep, 0, sizeof(*rep));
}

/* ---- the document ---- */

/*
 * The language of a Problem or Solution code block: a finding in a source
 * file shows code in that file's language; SQL is recognised by its first
 * keyword; anything else is a block without a language.
 */
static const char *code_lang(const struct pa_finding *f, const char *text)
{
	static const struct {
		const char *ext, *lang;
	} exts[] = {{".py", "python"}, {".js", "javascript"}, {".mjs", "javascript"},
		    {".ts", "typescript"}, {".sql", "sql"}, {".html", "html"}, {".c", "c"}};
	static const char *const sql_starts[] = {"SELECT", "CREATE", "ALTER", "DROP", "UPDATE",
						 "INSERT", "DELETE", "EXPLAIN", "WITH", "SET"};
	const char *file = f->location.file;
	const char *ext = file ? strrchr(file, '.') : NULL;
	for (size_t i = 0; ext && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(ext, exts[i].ext) == 0)
			return exts[i].lang;
	while (isspace((unsigned char)*text))
		text++;
	for (size_t i = 0; i < sizeof(sql_starts) / sizeof(sql_starts[0]); i++) {
		size_t n = strlen(sql_starts[i]);
		if (strncasecmp(text, sql_starts[i], n) == 0 && (isspace((unsigned char)text[n]) || !text[n]))
			return "sql";
	}
	return "";
}

/* "**Problem:**" and its code block, as in the seed's report format. */
static void doc_problem(struct doc *d, const struct pa_finding *f, const char *label, const char *text)
{
	doc_spanf(d, doc_para(d), SPAN_BOLD, "%s:", label);
	doc_code(d, code_lang(f, text), text);
}

static void evidence_text(const json_t *ev, struct buf *out)
{
	const char *k;
	json_t *v;
	char num[64];
	json_object_foreach((json_t *)ev, k, v) {
		if (out->len)
			buf_puts(out, ", ");
		buf_printf(out, "%s: ", k);
		switch (json_typeof(v)) {
		case JSON_STRING:
			buf_puts(out, json_string_value(v));
			break;
		case JSON_INTEGER:
			buf_printf(out, "%lld", (long long)json_integer_value(v));
			break;
		case JSON_REAL:
			/* Evidence is quoted as measured, not rounded for display. */
			snprintf(num, sizeof(num), "%.10g", json_real_value(v));
			buf_puts(out, num);
			break;
		case JSON_TRUE:
			buf_puts(out, "yes");
			break;
		case JSON_FALSE:
			buf_puts(out, "no");
			break;
		default: {
			char *s = json_dumps(v, JSON_COMPACT);
			if (s) {
				size_t len = strlen(s), cut = len;
				if (len > 120) {
					cut = 117; /* back to a UTF-8 character boundary */
					while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
						cut--;
				}
				buf_put(out, s, cut);
				if (cut < len)
					buf_puts(out, "...");
				free(s);
			}
		}
		}
	}
}

static void doc_summary(const struct report *rep, struct doc *d)
{
	doc_heading(d, 2, "Summary");
	size_t rows = 0;
	for (int i = 0; i < REPORT_METRICS; i++)
		rows += rep->summary[i].has_after || rep->summary[i].has_before;
	if (rows) {
		int baseline = rep->nbefore > 0;
		static const char *const h4[] = {"Metric", "Before", "After", "Improvement"};
		static const char *const h2[] = {"Metric", "After"};
		struct doc_table *t = baseline ? doc_table(d, 4, h4) : doc_table(d, 2, h2);
		for (int i = 0; i < REPORT_METRICS; i++) {
			const struct report_metric *m = &rep->summary[i];
			char b[64] = "n/a", a[64] = "n/a", imp[64];
			if (!m->has_after && !m->has_before)
				continue;
			if (m->has_before)
				fmt_metric(m->key, m->before, b, sizeof(b));
			if (m->has_after)
				fmt_metric(m->key, m->after, a, sizeof(a));
			struct doc_inline *row = doc_table_row(d, t);
			doc_span(d, &row[0], SPAN_TEXT, m->label);
			if (baseline) {
				report_improvement(m, imp, sizeof(imp));
				doc_span(d, &row[1], SPAN_TEXT, b);
				doc_span(d, &row[2], SPAN_TEXT, a);
				doc_span(d, &row[3], SPAN_TEXT, imp);
			} else {
				doc_span(d, &row[1], SPAN_TEXT, a);
			}
		}
	} else {
		doc_span(d, doc_para(d), SPAN_TEXT,
			 "No input carries response time, latency, memory or throughput numbers.");
	}

	size_t by[PA_SEV_COUNT] = {0};
	for (size_t i = 0; i < rep->nitems; i++)
		by[rep->items[i].f->severity]++;
	struct doc_inline *p = doc_para(d);
	if (!rep->nitems) {
		doc_span(d, p, SPAN_TEXT, "No findings.");
	} else {
		struct buf s = BUF_INIT;
		buf_printf(&s, "%zu finding%s: ", rep->nitems, rep->nitems == 1 ? "" : "s");
		int first = 1;
		for (int sev = PA_SEV_CRITICAL; sev >= PA_SEV_INFO; sev--) {
			if (!by[sev])
				continue;
			buf_printf(&s, "%s%zu %s", first ? "" : ", ", by[sev], severity_name(sev));
			first = 0;
		}
		buf_putc(&s, '.');
		doc_span(d, p, SPAN_TEXT, buf_str(&s));
		buf_free(&s);
	}
	if (rep->nbefore) {
		p = doc_para(d);
		doc_span(d, p, SPAN_BOLD, "Compared with the baseline:");
		doc_spanf(d, p, SPAN_TEXT, " %zu resolved, %zu new", rep->nresolved, rep->nnew);
		if (rep->nless)
			doc_spanf(d, p, SPAN_TEXT, ", %zu less severe", rep->nless);
		if (rep->nmore)
			doc_spanf(d, p, SPAN_TEXT, ", %zu more severe", rep->nmore);
		doc_spanf(d, p, SPAN_TEXT, ", %zu unchanged.",
			  rep->nitems - rep->nnew - rep->nless - rep->nmore);
		if (rep->nresolved) {
			struct doc_list *l = doc_list(d, 0);
			struct buf loc = BUF_INIT;
			for (size_t i = 0; i < rep->nresolved; i++) {
				const struct pa_finding *f = rep->resolved[i];
				struct doc_inline *it = doc_list_item(d, l);
				doc_spanf(d, it, SPAN_TEXT, "Resolved: %s", f->title);
				buf_reset(&loc);
				report_location(&f->location, &loc);
				if (loc.len) {
					doc_span(d, it, SPAN_TEXT, " (");
					doc_span(d, it, SPAN_CODE, buf_str(&loc));
					doc_span(d, it, SPAN_TEXT, ")");
				}
			}
			buf_free(&loc);
		}
	}
}

static void doc_finding(const struct report *rep, const struct report_item *it, struct doc *d)
{
	const struct pa_finding *f = it->f;
	struct buf s = BUF_INIT;
	buf_printf(&s, "%s: %s", it->id, f->title);
	doc_heading(d, 3, buf_str(&s));
	doc_labeled(d, "Severity", SPAN_TEXT, severity_title(f->severity));
	if (f->impact)
		doc_labeled(d, "Impact", SPAN_TEXT, f->impact);
	buf_reset(&s);
	report_location(&f->location, &s);
	if (s.len)
		doc_labeled(d, "Location", SPAN_CODE, buf_str(&s));
	if (f->evidence && json_object_size(f->evidence)) {
		buf_reset(&s);
		evidence_text(f->evidence, &s);
		doc_labeled(d, "Evidence", SPAN_TEXT, buf_str(&s));
	}
	struct doc_inline *p = doc_para(d);
	doc_span(d, p, SPAN_BOLD, "Found by:");
	doc_spanf(d, p, SPAN_TEXT, " %s, rule ", f->found_by ? f->found_by : it->from->command);
	doc_span(d, p, SPAN_CODE, f->rule);
	if (rep->nbefore && it->is_new)
		doc_span(d, p, SPAN_TEXT, " (new since the baseline)");
	else if (it->was && it->was->severity != f->severity)
		doc_spanf(d, p, SPAN_TEXT, " (%s in the baseline)", severity_name(it->was->severity));
	if (f->problem)
		doc_problem(d, f, "Problem", f->problem);
	if (f->solution)
		doc_problem(d, f, "Solution", f->solution);
	if (f->expected_improvement)
		doc_labeled(d, "Expected Improvement", SPAN_TEXT, f->expected_improvement);
	const char *esc = finding_escalation(f);
	if (esc)
		doc_labeled(d, "Escalate to", SPAN_TEXT, esc);
	buf_free(&s);
}

static void stage_cell(struct doc *d, struct doc_inline *cell, const json_t *st, const char *key,
		       int kind)
{
	int ok;
	double v = jsonx_number(st, key, &ok);
	char out[64];
	if (!ok) {
		doc_span(d, cell, SPAN_TEXT, "n/a");
		return;
	}
	if (kind == 0)
		fmt_ms(v, out, sizeof(out));
	else if (kind == 1)
		fmt_fraction_pct(v, out, sizeof(out));
	else {
		char num[48];
		fmt_num(v, num, sizeof(num));
		snprintf(out, sizeof(out), "%s rps", num);
	}
	doc_span(d, cell, SPAN_TEXT, out);
}

static void doc_load(const struct report *rep, struct doc *d)
{
	if (!rep->nloads)
		return;
	doc_rule(d);
	doc_heading(d, 2, "Load Test Results");
	for (size_t i = 0; i < rep->nloads; i++) {
		const struct report_load *l = &rep->loads[i];
		if (rep->nloads > 1)
			doc_heading(d, 3, l->label);
		int open_model = 0;
		size_t j;
		json_t *st;
		json_array_foreach(l->stages, j, st)
			if (!json_object_get(st, "concurrency") && json_object_get(st, "rate_rps"))
				open_model = 1;
		const char *h[] = {open_model ? "Offered Rate" : "Concurrent Users", "Avg Response",
				   "Error Rate", "P95", "Throughput"};
		struct doc_table *t = doc_table(d, 5, h);
		for (size_t c = 0; c < 5; c++)
			doc_table_right(t, c);
		json_array_foreach(l->stages, j, st) {
			struct doc_inline *row = doc_table_row(d, t);
			json_t *c = json_object_get(st, "concurrency");
			char num[48];
			if (json_is_integer(c)) {
				doc_spanf(d, &row[0], SPAN_TEXT, "%lld", (long long)json_integer_value(c));
			} else if (json_is_number(json_object_get(st, "rate_rps"))) {
				fmt_num(json_number_value(json_object_get(st, "rate_rps")), num, sizeof(num));
				doc_spanf(d, &row[0], SPAN_TEXT, "%s rps", num);
			} else {
				doc_span(d, &row[0], SPAN_TEXT, "n/a");
			}
			stage_cell(d, &row[1], st, "avg_ms", 0);
			stage_cell(d, &row[2], st, "error_rate", 1);
			stage_cell(d, &row[3], st, "p95_ms", 0);
			stage_cell(d, &row[4], st, "throughput_rps", 2);
		}
		if (l->bottleneck)
			doc_labeled(d, "Bottleneck", SPAN_TEXT, l->bottleneck);
		if (l->recommendation)
			doc_labeled(d, "Recommendation", SPAN_TEXT, l->recommendation);
	}
}

static void appendix_row(struct doc *d, struct doc_table *t, const struct pa_result *r, int baseline)
{
	struct doc_inline *row = doc_table_row(d, t);
	struct buf s = BUF_INIT;
	char dur[64];
	doc_span(d, &row[0], SPAN_CODE, r->source ? r->source : "(built in this run)");
	if (baseline)
		doc_span(d, &row[0], SPAN_TEXT, " (baseline)");
	doc_span(d, &row[1], SPAN_TEXT, r->command);
	target_text(r->target, &s);
	doc_span(d, &row[2], SPAN_TEXT, s.len ? buf_str(&s) : "n/a");
	doc_span(d, &row[3], SPAN_TEXT, r->started_at);
	fmt_ms(r->duration_s * 1000, dur, sizeof(dur));
	doc_span(d, &row[4], SPAN_TEXT, dur);
	doc_spanf(d, &row[5], SPAN_TEXT, "%zu", r->nfindings);
	buf_free(&s);
}

static void doc_appendix(const struct report *rep, struct doc *d)
{
	doc_rule(d);
	doc_heading(d, 2, "Appendix: Inputs");
	static const char *const h[] = {"Input", "Command", "Target", "Started", "Duration", "Findings"};
	struct doc_table *t = doc_table(d, 6, h);
	doc_table_right(t, 4);
	doc_table_right(t, 5);
	for (size_t i = 0; i < rep->nafter; i++)
		appendix_row(d, t, rep->after[i], 0);
	for (size_t i = 0; i < rep->nbefore; i++)
		appendix_row(d, t, rep->before[i], 1);

	struct buf s = BUF_INIT;
	for (int i = 0; i < REPORT_METRICS; i++) {
		const struct report_metric *m = &rep->summary[i];
		if (!m->has_after && !m->has_before)
			continue;
		if (!s.len)
			buf_puts(&s, "Summary sources: ");
		else
			buf_puts(&s, "; ");
		buf_printf(&s, "%s from %s", m->label,
			   m->has_after ? (m->after_from->source ? m->after_from->source : m->after_from->command)
					: "n/a");
		if (m->has_before)
			buf_printf(&s, " (before: %s)",
				   m->before_from->source ? m->before_from->source : m->before_from->command);
	}
	if (s.len) {
		buf_putc(&s, '.');
		doc_span(d, doc_para(d), SPAN_TEXT, buf_str(&s));
	}
	buf_free(&s);

	size_t nart = 0;
	for (size_t i = 0; i < rep->nafter; i++)
		nart += rep->after[i]->nartifacts;
	if (nart) {
		doc_heading(d, 3, "Artifacts");
		static const char *const ah[] = {"Kind", "Path", "From"};
		struct doc_table *at = doc_table(d, 3, ah);
		for (size_t i = 0; i < rep->nafter; i++)
			for (size_t j = 0; j < rep->after[i]->nartifacts; j++) {
				struct doc_inline *row = doc_table_row(d, at);
				doc_span(d, &row[0], SPAN_TEXT, rep->after[i]->artifacts[j].kind);
				doc_span(d, &row[1], SPAN_CODE, rep->after[i]->artifacts[j].path);
				doc_span(d, &row[2], SPAN_TEXT, rep->after[i]->command);
			}
	}
}

struct doc *report_doc(const struct report *rep)
{
	struct doc *d = doc_new(rep->title);
	doc_heading(d, 1, rep->title);
	doc_labeled(d, "Date", SPAN_TEXT, rep->date);
	doc_labeled(d, "Scope", SPAN_TEXT, rep->scope);
	doc_rule(d);
	doc_summary(rep, d);
	doc_rule(d);
	doc_heading(d, 2, "Findings");
	if (!rep->nitems)
		doc_span(d, doc_para(d), SPAN_TEXT, "No findings.");
	for (size_t i = 0; i < rep->nitems; i++)
		doc_finding(rep, &rep->items[i], d);
	doc_rule(d);
	doc_heading(d, 2, "Recommendations");
	if (rep->nrecs) {
		struct doc_list *l = doc_list(d, 1);
		for (size_t i = 0; i < rep->nrecs; i++)
			doc_span(d, doc_list_item(d, l), SPAN_TEXT, rep->recs[i]);
	} else {
		doc_span(d, doc_para(d), SPAN_TEXT,
			 rep->nitems ? "No recommendation beyond the findings' own solutions."
				     : "None: nothing was found that calls for a change.");
	}
	doc_load(rep, d);
	doc_appendix(rep, d);
	return d;
}

/* ---- the merged result ---- */

static json_t *num_or_null(int has, double v)
{
	return has ? json_real(v) : json_null();
}

json_t *report_json(const struct report *rep)
{
	json_t *root = json_object();
	char now[32];
	clock_now_rfc3339(now);
	json_object_set_new(root, "schema", json_string(PA_SCHEMA));
	json_object_set_new(root, "command", json_string("report"));
	json_object_set_new(root, "version", json_string(PA_VERSION));
	json_object_set_new(root, "started_at", json_string(now));
	json_object_set_new(root, "duration_s", json_real(0));

	json_t *target = json_object(), *ins = json_array(), *base = json_array();
	for (size_t i = 0; i < rep->nafter; i++)
		json_array_append_new(ins, jsonx_string(rep->after[i]->source ? rep->after[i]->source : ""));
	for (size_t i = 0; i < rep->nbefore; i++)
		json_array_append_new(base, jsonx_string(rep->before[i]->source ? rep->before[i]->source : ""));
	json_object_set_new(target, "inputs", ins);
	json_object_set_new(target, "baseline", base);
	json_object_set_new(root, "target", target);

	json_t *m = json_object();
	json_object_set_new(m, "title", jsonx_string(rep->title));
	json_object_set_new(m, "scope", jsonx_string(rep->scope));
	json_object_set_new(m, "date", jsonx_string(rep->date));
	json_t *summary = json_array();
	for (int i = 0; i < REPORT_METRICS; i++) {
		const struct report_metric *sm = &rep->summary[i];
		if (!sm->has_after && !sm->has_before)
			continue;
		if (sm->has_after)
			json_object_set_new(m, sm->key, json_real(sm->after));
		json_t *row = json_object();
		json_object_set_new(row, "metric", json_string(sm->key));
		json_object_set_new(row, "label", json_string(sm->label));
		json_object_set_new(row, "before", num_or_null(sm->has_before, sm->before));
		json_object_set_new(row, "after", num_or_null(sm->has_after, sm->after));
		int has_imp = sm->has_before && sm->has_after && sm->before > 0;
		double imp = has_imp ? (sm->higher_is_better ? sm->after - sm->before : sm->before - sm->after) /
					       sm->before * 100
				     : 0;
		has_imp = has_imp && isfinite(imp);
		json_object_set_new(row, "improvement_pct", num_or_null(has_imp, imp));
		json_object_set_new(row, "higher_is_better", json_boolean(sm->higher_is_better));
		json_array_append_new(summary, row);
	}
	json_object_set_new(m, "summary", summary);
	json_t *by = json_object();
	size_t counts[PA_SEV_COUNT] = {0};
	for (size_t i = 0; i < rep->nitems; i++)
		counts[rep->items[i].f->severity]++;
	for (int s = PA_SEV_CRITICAL; s >= PA_SEV_INFO; s--)
		json_object_set_new(by, severity_name(s), json_integer((json_int_t)counts[s]));
	json_object_set_new(m, "findings_by_severity", by);
	if (rep->nbefore) {
		json_t *cmp = json_object();
		json_object_set_new(cmp, "resolved", json_integer((json_int_t)rep->nresolved));
		json_object_set_new(cmp, "new", json_integer((json_int_t)rep->nnew));
		json_object_set_new(cmp, "less_severe", json_integer((json_int_t)rep->nless));
		json_object_set_new(cmp, "more_severe", json_integer((json_int_t)rep->nmore));
		json_object_set_new(cmp, "unchanged",
				    json_integer((json_int_t)(rep->nitems - rep->nnew - rep->nless - rep->nmore)));
		json_object_set_new(m, "compared_with_baseline", cmp);
	}
	json_t *recs = json_array();
	for (size_t i = 0; i < rep->nrecs; i++)
		json_array_append_new(recs, jsonx_string(rep->recs[i]));
	json_object_set_new(m, "recommendations", recs);
	json_t *loads = json_array();
	for (size_t i = 0; i < rep->nloads; i++) {
		const struct report_load *ld = &rep->loads[i];
		json_t *l = json_object();
		json_object_set_new(l, "source", jsonx_string(ld->label));
		json_object_set(l, "stages", ld->stages);
		if (ld->bottleneck)
			json_object_set_new(l, "bottleneck", jsonx_string(ld->bottleneck));
		if (ld->recommendation)
			json_object_set_new(l, "recommendation", jsonx_string(ld->recommendation));
		json_array_append_new(loads, l);
	}
	json_object_set_new(m, "load", loads);
	json_object_set_new(root, "metrics", m);

	json_t *fs = json_array();
	for (size_t i = 0; i < rep->nitems; i++) {
		struct pa_finding numbered = *rep->items[i].f;
		numbered.id = rep->items[i].id;
		if (!numbered.found_by)
			numbered.found_by = rep->items[i].from->command;
		json_array_append_new(fs, finding_to_json(&numbered));
	}
	json_object_set_new(root, "findings", fs);
	json_t *as = json_array();
	for (size_t i = 0; i < rep->nafter; i++)
		for (size_t j = 0; j < rep->after[i]->nartifacts; j++) {
			json_t *a = json_object();
			json_object_set_new(a, "kind", jsonx_string(rep->after[i]->artifacts[j].kind));
			json_object_set_new(a, "path", jsonx_string(rep->after[i]->artifacts[j].path));
			json_array_append_new(as, a);
		}
	json_object_set_new(root, "artifacts", as);
	return root;
}
