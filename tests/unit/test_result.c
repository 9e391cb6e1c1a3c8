/*
 * test_result: building, writing and reading perfagent.result/1 — a round
 * trip keeps every field; reading names the file and field of every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/result.h"
#include "core/version.h"

static struct pa_result *sample(void)
{
	struct pa_result *r = result_new("load");
	json_object_set_new(r->target, "url", json_string("http://127.0.0.1:5000/profiles"));
	json_object_set_new(r->metrics, "p95_ms", json_real(812.5));
	r->duration_s = 12.25;
	struct pa_finding *f = result_add_finding(r, "n-plus-one", PA_SEV_HIGH, "N+1 query in profile list");
	f->location.file = result_str(r, "routes/profiles.py");
	f->location.line = 45;
	f->location.column = 9;
	f->location.function = result_str(r, "list_profiles");
	f->location.endpoint = result_str(r, "GET /profiles");
	f->location.url = result_str(r, "http://127.0.0.1:5000/profiles");
	f->location.table = result_str(r, "profiles");
	f->location.index = result_str(r, "idx_group");
	f->location.query_id = result_str(r, "0xABCDEF0123456789");
	f->location.pid = 4242;
	f->evidence = json_pack("{s:i, s:f}", "queries_per_request", 101, "p95_ms", 812.0);
	f->problem = result_str(r, "profiles = Profile.query.all()\nfor p in profiles:\n    p.group.name");
	f->solution = result_str(r, "Profile.query.options(joinedload(Profile.group)).all()");
	f->impact = result_str(r, "5x slower than optimal");
	f->expected_improvement = result_str(r, "80% faster");
	f->recommendation = result_str(r, "Eager-load");
	f->impact_score = 5;
	f->has_impact_score = 1;
	struct pa_finding *g = result_add_finding(r, "missing-cache", PA_SEV_CRITICAL, "t\xff\xfeitle");
	g->escalate_to = result_str(r, "/ops");
	result_add_artifact(r, "screenshot", "out/page.png");
	return r;
}

static void test_new_result(void **state)
{
	(void)state;
	struct pa_result *r = result_new("scan");
	int64_t t;
	assert_string_equal(r->schema, PA_SCHEMA);
	assert_string_equal(r->version, PA_VERSION);
	assert_string_equal(r->command, "scan");
	assert_int_equal(clock_parse_rfc3339(r->started_at, &t), 0);
	assert_true(json_is_object(r->target) && json_is_object(r->metrics));
	int any;
	result_max_severity(r, &any);
	assert_false(any);
	result_free(r);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct pa_result *r = sample();
	char *text = result_dumps(r);
	assert_int_equal(text[strlen(text) - 1], '\n');
	struct pa_result *b;
	struct perr e;
	if (result_from_string(text, strlen(text), "mem.json", &b, &e))
		fail_msg("%s\n%s", e.msg, text);
	assert_string_equal(b->command, "load");
	assert_string_equal(b->started_at, r->started_at);
	assert_true(b->duration_s == 12.25);
	assert_string_equal(json_string_value(json_object_get(b->target, "url")), "http://127.0.0.1:5000/profiles");
	assert_true(json_real_value(json_object_get(b->metrics, "p95_ms")) == 812.5);
	assert_int_equal(b->nfindings, 2);
	const struct pa_finding *f = b->findings[0];
	assert_string_equal(f->rule, "n-plus-one");
	assert_int_equal(f->severity, PA_SEV_HIGH);
	assert_string_equal(f->location.file, "routes/profiles.py");
	assert_int_equal(f->location.line, 45);
	assert_int_equal(f->location.column, 9);
	assert_string_equal(f->location.function, "list_profiles");
	assert_string_equal(f->location.endpoint, "GET /profiles");
	assert_string_equal(f->location.url, "http://127.0.0.1:5000/profiles");
	assert_string_equal(f->location.table, "profiles");
	assert_string_equal(f->location.index, "idx_group");
	assert_string_equal(f->location.query_id, "0xABCDEF0123456789");
	assert_int_equal(f->location.pid, 4242);
	assert_int_equal(json_integer_value(json_object_get(f->evidence, "queries_per_request")), 101);
	assert_string_equal(f->problem, r->findings[0]->problem);
	assert_string_equal(f->solution, r->findings[0]->solution);
	assert_string_equal(f->impact, "5x slower than optimal");
	assert_string_equal(f->expected_improvement, "80% faster");
	assert_string_equal(f->recommendation, "Eager-load");
	assert_string_equal(f->escalate_to, "/dev"); /* the default, written out */
	assert_true(f->has_impact_score && f->impact_score == 5);
	/* Invalid UTF-8 went out repaired, not dropped. */
	assert_string_equal(b->findings[1]->title, "t\xef\xbf\xbd\xef\xbf\xbditle");
	assert_string_equal(b->findings[1]->escalate_to, "/ops");
	assert_int_equal(b->nartifacts, 1);
	assert_string_equal(b->artifacts[0].path, "out/page.png");
	int any;
	assert_int_equal(result_max_severity(b, &any), PA_SEV_CRITICAL);
	assert_true(any);
	/* Written again, the text is the same: nothing was lost or added. */
	char *again = result_dumps(b);
	assert_string_equal(again, text);
	free(again);
	free(text);
	result_free(b);
	result_free(r);
}

static void test_unknown_fields_ignored(void **state)
{
	(void)state;
	const char *t = "{\"schema\":\"perfagent.result/1\",\"command\":\"web\",\"version\":\"9.9\","
			"\"started_at\":\"2026-11-24T13:00:00Z\",\"duration_s\":1,\"target\":{},"
			"\"metrics\":{\"future\":[1,2]},\"findings\":[{\"rule\":\"r\",\"severity\":\"low\","
			"\"title\":\"t\",\"new_field\":true,\"location\":{\"column\":null}}],\"extra\":1}";
	struct pa_result *r;
	struct perr e;
	if (result_from_string(t, strlen(t), "f.json", &r, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(r->nfindings, 1);
	assert_int_equal(r->findings[0]->location.column, 0);
	assert_int_equal(r->nartifacts, 0); /* artifacts may be absent */
	result_free(r);
}

static void test_empty_optional_is_absent(void **state)
{
	(void)state;
	const char *t = "{\"schema\":\"perfagent.result/1\",\"command\":\"scan\",\"version\":\"1\","
			"\"started_at\":\"2026-11-24T13:00:00Z\",\"duration_s\":1,\"target\":{},\"metrics\":{},"
			"\"findings\":[{\"rule\":\"r\",\"severity\":\"critical\",\"title\":\"t\",\"problem\":\"\","
			"\"escalate_to\":\"\",\"expected_improvement\":\"\",\"location\":{\"file\":\"\"}}]}";
	struct pa_result *r;
	struct perr e;
	if (result_from_string(t, strlen(t), "f.json", &r, &e))
		fail_msg("%s", e.msg);
	assert_null(r->findings[0]->problem);
	assert_null(r->findings[0]->expected_improvement);
	assert_null(r->findings[0]->location.file);
	assert_string_equal(finding_escalation(r->findings[0]), "/dev + /tl"); /* the default stands */
	result_free(r);
}

static void test_errors(void **state)
{
	(void)state;
	const char *head = "{\"schema\":\"perfagent.result/1\",\"command\":\"load\",\"version\":\"0.1.0\","
			   "\"started_at\":\"2026-11-24T13:00:00Z\",\"duration_s\":1,\"target\":{},";
	struct {
		const char *tail, *msg;
	} cases[] = {
		{"\"metrics\":{},\"findings\":[]}", NULL},
		{"\"metrics\":{}}", "x.json: field 'findings' is missing"},
		{"\"metrics\":[],\"findings\":[]}", "field 'metrics' must be an object, not an array"},
		{"\"metrics\":{},\"findings\":[{\"severity\":\"low\",\"title\":\"t\"}]}",
		 "field 'findings[0].rule' is missing"},
		{"\"metrics\":{},\"findings\":[{\"rule\":1,\"severity\":\"low\",\"title\":\"t\"}]}",
		 "field 'findings[0].rule' must be a string, not an integer"},
		{"\"metrics\":{},\"findings\":[{\"rule\":\"r\",\"severity\":\"low\",\"title\":\"t\",\"location\":{\"pid\":-3}}]}",
		 "field 'findings[0].location.pid' must be a positive integer, not -3"},
		{"\"metrics\":{},\"findings\":[{\"rule\":\"r\",\"severity\":\"low\",\"title\":\"t\",\"impact_score\":\"big\"}]}",
		 "field 'findings[0].impact_score' must be a number, not a string"},
		{"\"metrics\":{\"throughput_rps\":-5},\"findings\":[]}", "field 'metrics.throughput_rps' is -5"},
		{"\"metrics\":{\"stages\":[{},7]},\"findings\":[]}", "field 'metrics.stages[1]' must be an object"},
		{"\"metrics\":{\"bottleneck\":true},\"findings\":[]}", "field 'metrics.bottleneck' must be a string, not a boolean"},
		{"\"metrics\":{},\"findings\":[],\"artifacts\":[{\"kind\":\"x\"}]}", "field 'artifacts[0].path' is missing"},
		{"\"metrics\":{},\"findings\":[]", "x.json:1:"},
		{"\"metrics\":{\"p95_ms\":1e300},\"findings\":[]}", "field 'metrics.p95_ms' is 1e+300"},
		{"\"metrics\":{\"stages\":[{\"concurrency\":0}]},\"findings\":[]}",
		 "field 'metrics.stages[0].concurrency' must be at least 1"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[2048];
		snprintf(text, sizeof(text), "%s%s", head, cases[i].tail);
		struct pa_result *r = NULL;
		struct perr e = {{0}};
		int rc = result_from_string(text, strlen(text), "x.json", &r, &e);
		if (!cases[i].msg) {
			assert_int_equal(rc, 0);
			result_free(r);
			continue;
		}
		assert_int_equal(rc, -1);
		assert_null(r);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg, cases[i].msg);
	}
	struct pa_result *r;
	struct perr e;
	assert_int_equal(result_load("/nonexistent/x.json", &r, &e), -1);
	assert_non_null(strstr(e.msg, "cannot read result file '/nonexistent/x.json'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_result),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unknown_fields_ignored),
		cmocka_unit_test(test_empty_optional_is_absent),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
