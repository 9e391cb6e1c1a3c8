/*
 * test_report: the report model (improvement arithmetic, ordering and
 * numbering, recommendations, baseline comparison) and the renderers'
 * escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report/doc.h"
#include "report/recommend.h"
#include "report/report.h"

static void test_improvement(void **state)
{
	(void)state;
	char s[64];
	struct report_metric m = {.has_before = 1, .has_after = 1, .before = 500, .after = 100};
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "80%");
	m.before = 100, m.after = 150;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "-50% (regression)");
	m.higher_is_better = 1, m.before = 100, m.after = 500;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "400%");
	m.before = 500, m.after = 400;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "-20% (regression)");
	m.before = 1000, m.after = 1042;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "4.2%");
	m.before = 100, m.after = 100;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "0%");
	m.before = 0;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "n/a");
	m.before = 5, m.has_before = 0;
	report_improvement(&m, s, sizeof(s));
	assert_string_equal(s, "n/a");
}

static void test_impact_rank(void **state)
{
	(void)state;
	struct pa_finding f = {0};
	assert_true(report_impact_rank(&f) == 0);
	f.impact = "5x slower than optimal";
	assert_true(report_impact_rank(&f) == 5);
	f.impact = "about 2.5 x the budget";
	assert_true(report_impact_rank(&f) == 2.5);
	f.impact = "40% of database time";
	assert_true(report_impact_rank(&f) > 1.39 && report_impact_rank(&f) < 1.41);
	f.impact = "rapid leak";
	assert_true(report_impact_rank(&f) == 0);
	f.impact = "PERF2x";
	assert_true(report_impact_rank(&f) == 0); /* digits inside a word are not a factor */
	f.impact = "1,000x slower";
	assert_true(report_impact_rank(&f) == 1000);
	f.impact = "12 ms then 3x";
	assert_true(report_impact_rank(&f) == 3);
	f.has_impact_score = 1;
	f.impact_score = 99;
	assert_true(report_impact_rank(&f) == 99);
}

static struct pa_result *res(const char *cmd)
{
	struct pa_result *r = result_new(cmd);
	r->source = result_str(r, cmd);
	return r;
}

static void test_order_and_numbers(void **state)
{
	(void)state;
	struct pa_result *a = res("scan"), *b = res("db");
	result_add_finding(a, "quadratic", PA_SEV_MEDIUM, "m-first")->impact = "2x";
	result_add_finding(a, "n-plus-one", PA_SEV_HIGH, "h-small")->impact = "2x slower";
	result_add_finding(a, "x", PA_SEV_INFO, "info");
	result_add_finding(b, "missing-index", PA_SEV_HIGH, "h-big")->impact = "5x slower";
	result_add_finding(b, "slow-endpoint", PA_SEV_CRITICAL, "crit");
	result_add_finding(b, "quadratic", PA_SEV_MEDIUM, "m-second")->impact = "2x";
	struct pa_result *rs[] = {a, b};
	struct report rep;
	report_build(&rep, rs, 2, NULL, 0, NULL);
	const char *want[] = {"crit", "h-big", "h-small", "m-first", "m-second", "info"};
	assert_int_equal(rep.nitems, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(rep.items[i].f->title, want[i]);
	assert_string_equal(rep.items[0].id, "PERF-001");
	assert_string_equal(rep.items[5].id, "PERF-006");
	/* Recommendations: in finding order, each once. */
	assert_int_equal(rep.nrecs, 4);
	assert_string_equal(rep.recs[0], recommend_for_rule("slow-endpoint"));
	assert_string_equal(rep.recs[1], "Add database indexes on frequently queried columns");
	assert_string_equal(rep.recs[3], recommend_for_rule("quadratic"));
	assert_string_equal(rep.title, "Performance Audit Report");
	report_free(&rep);
	result_free(a);
	result_free(b);
}

static void test_baseline_compare(void **state)
{
	(void)state;
	struct pa_result *before = res("scan"), *after = res("scan");
	struct pa_finding *f;
	f = result_add_finding(before, "n-plus-one", PA_SEV_HIGH, "N+1 (101 queries)");
	f->location.file = "a.py", f->location.line = 3;
	f = result_add_finding(before, "quadratic", PA_SEV_HIGH, "O(n^2)");
	f->location.file = "b.py", f->location.line = 9;
	f = result_add_finding(before, "missing-cache", PA_SEV_LOW, "cache");
	f->location.file = "c.py", f->location.line = 1;
	/* Same place, new wording: still the same finding. */
	f = result_add_finding(after, "n-plus-one", PA_SEV_HIGH, "N+1 (51 queries)");
	f->location.file = "a.py", f->location.line = 3;
	f = result_add_finding(after, "quadratic", PA_SEV_MEDIUM, "O(n^2)");
	f->location.file = "b.py", f->location.line = 9;
	f = result_add_finding(after, "blocking-io-in-async", PA_SEV_HIGH, "requests in async");
	f->location.file = "d.py", f->location.line = 2;
	json_object_set_new(before->metrics, "p95_ms", json_real(2000));
	json_object_set_new(after->metrics, "p95_ms", json_real(300));
	json_object_set_new(after->metrics, "throughput_rps", json_real(500));
	struct report rep;
	report_build(&rep, &after, 1, &before, 1, NULL);
	assert_int_equal(rep.nresolved, 1);
	assert_string_equal(rep.resolved[0]->title, "cache");
	assert_int_equal(rep.nnew, 1);
	assert_int_equal(rep.nless, 1);
	assert_int_equal(rep.nmore, 0);
	assert_true(rep.summary[1].has_before && rep.summary[1].has_after);
	assert_true(rep.summary[3].has_after && !rep.summary[3].has_before);
	assert_false(rep.summary[0].has_after || rep.summary[0].has_before);
	struct doc *d = report_doc(&rep);
	struct buf md = BUF_INIT;
	doc_render_md(d, &md);
	assert_non_null(strstr(buf_str(&md), "| P95 Latency | 2s | 300ms | 85% |"));
	assert_non_null(strstr(buf_str(&md), "| Throughput | n/a | 500 rps | n/a |"));
	assert_null(strstr(buf_str(&md), "Avg Response Time")); /* no data: no row */
	assert_non_null(strstr(buf_str(&md), "1 resolved, 1 new, 1 less severe, 1 unchanged."));
	assert_non_null(strstr(buf_str(&md), "(high in the baseline)"));
	buf_free(&md);
	doc_free(d);
	json_t *j = report_json(&rep);
	json_t *cmp = json_object_get(json_object_get(j, "metrics"), "compared_with_baseline");
	assert_int_equal(json_integer_value(json_object_get(cmp, "resolved")), 1);
	assert_int_equal(json_integer_value(json_object_get(cmp, "less_severe")), 1);
	assert_true(json_real_value(json_object_get(json_object_get(j, "metrics"), "p95_ms")) == 300);
	json_decref(j);
	report_free(&rep);
	result_free(before);
	result_free(after);
}

static void test_pairing_and_identity(void **state)
{
	(void)state;
	/* A page's p95 in the baseline is not the Before of a load test's p95. */
	struct pa_result *web_b = res("web"), *load_b = res("load"), *load_a = res("load");
	json_object_set_new(web_b->metrics, "p95_ms", json_real(40));
	json_object_set_new(load_b->metrics, "p95_ms", json_real(900));
	json_object_set_new(load_a->metrics, "p95_ms", json_real(300));
	json_object_set_new(load_a->target, "url", json_string("http://127.0.0.1:5000/"));
	json_object_set_new(load_b->target, "url", json_string("http://127.0.0.1:5000/"));
	struct pa_result *before[] = {web_b, load_b};
	struct report rep;
	report_build(&rep, &load_a, 1, before, 2, NULL);
	assert_true(rep.summary[1].has_before);
	assert_true(rep.summary[1].before == 900);
	assert_ptr_equal(rep.summary[1].before_from, load_b);
	report_free(&rep);
	/* Only a web baseline: no Before at all. */
	report_build(&rep, &load_a, 1, &web_b, 1, NULL);
	assert_false(rep.summary[1].has_before);
	report_free(&rep);

	/* The same leak in another process, and the same N+1 after an edit moved
	 * its line, are the same findings. */
	struct pa_result *pb = res("profile"), *pa = res("profile");
	struct pa_finding *f = result_add_finding(pb, "memory-leak", PA_SEV_HIGH, "grows 18 MB/min");
	f->location.pid = 41122;
	f->location.file = "cache.py", f->location.line = 12, f->location.function = "remember";
	f = result_add_finding(pa, "memory-leak", PA_SEV_HIGH, "grows 17 MB/min");
	f->location.pid = 52210;
	f->location.file = "cache.py", f->location.line = 19, f->location.function = "remember";
	f = result_add_finding(pb, "slow-request", PA_SEV_MEDIUM, "slow");
	f->location.url = "http://127.0.0.1:41000/api/x?y=1";
	f = result_add_finding(pa, "slow-request", PA_SEV_MEDIUM, "slow");
	f->location.url = "http://127.0.0.1:42000/api/x?y=1";
	report_build(&rep, &pa, 1, &pb, 1, NULL);
	assert_int_equal(rep.nresolved, 0);
	assert_int_equal(rep.nnew, 0);
	report_free(&rep);
	result_free(pb);
	result_free(pa);
	result_free(web_b);
	result_free(load_b);
	result_free(load_a);
}

static void test_location(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct pa_location l = {.file = "r.py", .line = 4, .column = 2, .function = "f"};
	report_location(&l, &b);
	assert_string_equal(buf_str(&b), "r.py:4:2 (f)");
	buf_reset(&b);
	struct pa_location m = {.table = "t", .index = "i", .query_id = "0xAB", .pid = 7, .endpoint = "GET /"};
	report_location(&m, &b);
	assert_string_equal(buf_str(&b), "GET /, index i on t, query 0xAB, pid 7");
	buf_free(&b);
}

static void test_evidence_cut(void **state)
{
	(void)state;
	/* Long evidence is cut at a character, never inside one. */
	struct pa_result *r = res("web");
	struct pa_finding *f = result_add_finding(r, "x", PA_SEV_LOW, "t");
	json_t *arr = json_array();
	struct buf big = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_puts(&big, "\xc3\xa9");
	json_array_append_new(arr, json_string(buf_str(&big)));
	f->evidence = json_pack("{s:o}", "q", arr);
	buf_free(&big);
	struct report rep;
	report_build(&rep, &r, 1, NULL, 0, NULL);
	struct doc *d = report_doc(&rep);
	struct buf md = BUF_INIT;
	doc_render_md(d, &md);
	json_t *check = json_stringn(md.data, md.len); /* NULL when not valid UTF-8 */
	assert_non_null(check);
	json_decref(check);
	assert_non_null(strstr(buf_str(&md), "..."));
	buf_free(&md);
	doc_free(d);
	report_free(&rep);
	result_free(r);
}

static void test_markdown_escaping(void **state)
{
	(void)state;
	struct doc *d = doc_new("t");
	doc_span(d, doc_para(d), SPAN_TEXT, "# not a heading, SELECT * FROM t_x _y_ [a](b) <b>");
	doc_span(d, doc_para(d), SPAN_TEXT, "1. not a list\n- nor this");
	struct doc_inline *p = doc_para(d);
	doc_span(d, p, SPAN_BOLD, "Impact:");
	doc_span(d, p, SPAN_TEXT, " 3.8x");
	doc_span(d, doc_para(d), SPAN_CODE, "a `tick` here");
	doc_code(d, "python", "x = 1\n```\ny = 2");
	struct doc_list *l = doc_list(d, 1);
	doc_span(d, doc_list_item(d, l), SPAN_TEXT, "# not a heading either");
	doc_span(d, doc_list_item(d, l), SPAN_TEXT, "cr\rin &copy; text");
	static const char *const h[] = {"a|b", "c"};
	struct doc_table *t = doc_table(d, 2, h);
	struct doc_inline *row = doc_table_row(d, t);
	doc_span(d, &row[0], SPAN_TEXT, "x | y\nz");
	doc_span(d, &row[1], SPAN_CODE, "p|q");
	struct buf md = BUF_INIT;
	doc_render_md(d, &md);
	const char *s = buf_str(&md);
	assert_non_null(strstr(s, "\\# not a heading, SELECT \\* FROM t_x \\_y\\_ \\[a\\](b) \\<b\\>\n"));
	assert_non_null(strstr(s, "1\\. not a list\n\\- nor this\n"));
	assert_non_null(strstr(s, "**Impact:** 3.8x\n")); /* mid-line: no escape */
	assert_non_null(strstr(s, "`` a `tick` here ``"));
	assert_non_null(strstr(s, "````python\nx = 1\n```\ny = 2\n````\n"));
	assert_non_null(strstr(s, "| a\\|b | c |"));
	assert_non_null(strstr(s, "1. \\# not a heading either\n"));
	assert_non_null(strstr(s, "2. cr in \\&copy; text\n"));
	assert_non_null(strstr(s, "| x \\| y z | `p\\|q` |"));
	buf_free(&md);
	doc_free(d);
}

static void test_html_escaping(void **state)
{
	(void)state;
	struct doc *d = doc_new("A & <B>");
	doc_heading(d, 1, "<script>alert('x')</script>");
	doc_code(d, "sql\"><x", "SELECT 1 < 2 & \"3\"");
	struct buf h = BUF_INIT;
	doc_render_html(d, &h);
	const char *s = buf_str(&h);
	assert_non_null(strstr(s, "<title>A &amp; &lt;B&gt;</title>"));
	assert_non_null(strstr(s, "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h1>"));
	assert_non_null(strstr(s, "class=\"language-sql&quot;&gt;&lt;x\""));
	assert_non_null(strstr(s, "SELECT 1 &lt; 2 &amp; &quot;3&quot;"));
	assert_null(strstr(s, "<script>"));
	buf_free(&h);
	doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_improvement),
		cmocka_unit_test(test_impact_rank),
		cmocka_unit_test(test_order_and_numbers),
		cmocka_unit_test(test_baseline_compare),
		cmocka_unit_test(test_pairing_and_identity),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_evidence_cut),
		cmocka_unit_test(test_markdown_escaping),
		cmocka_unit_test(test_html_escaping),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
