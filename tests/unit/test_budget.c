/*
 * test_budget: the seed's budget table, classify(), severities, overrides
 * from --budget and perfagent.ini, and their errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/budget.h"
#include "core/config.h"

static void test_defaults_are_the_seed(void **state)
{
	(void)state;
	struct budgets bs;
	budgets_defaults(&bs);
	struct {
		enum budget_id id;
		const char *name;
		double target, critical;
	} want[] = {
		{BUDGET_API_ENDPOINT, "api_endpoint", 100, 500},
		{BUDGET_DATABASE_QUERY, "database_query", 50, 200},
		{BUDGET_PAGE_RENDER, "page_render", 200, 1000},
		{BUDGET_BACKGROUND_TASK, "background_task", 5000, 30000},
		{BUDGET_IDLE_MEMORY, "idle_memory", 100, 500},
		{BUDGET_PER_REQUEST_MEMORY, "per_request_memory", 10, 50},
		{BUDGET_MEMORY_GROWTH, "memory_growth", 0.5, 10},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct budget *b = &bs.b[want[i].id];
		assert_string_equal(b->name, want[i].name);
		assert_true(b->target == want[i].target);
		assert_true(b->critical == want[i].critical);
	}
	assert_true(bs.b[BUDGET_API_ENDPOINT].escalate == 2000);
}

static void test_classify_boundaries(void **state)
{
	(void)state;
	struct budgets bs;
	budgets_defaults(&bs);
	const struct budget *api = &bs.b[BUDGET_API_ENDPOINT];
	/* Seed: <100ms target, 100-500ms warning, >500ms critical. */
	assert_int_equal(budget_classify(api, 0), BUDGET_TARGET);
	assert_int_equal(budget_classify(api, 99.9), BUDGET_TARGET);
	assert_int_equal(budget_classify(api, 100), BUDGET_WARNING);
	assert_int_equal(budget_classify(api, 500), BUDGET_WARNING);
	assert_int_equal(budget_classify(api, 500.1), BUDGET_CRITICAL);
	const struct budget *db = &bs.b[BUDGET_DATABASE_QUERY];
	assert_int_equal(budget_classify(db, 49), BUDGET_TARGET);
	assert_int_equal(budget_classify(db, 120), BUDGET_WARNING);
	assert_int_equal(budget_classify(db, 201), BUDGET_CRITICAL);
	assert_string_equal(budget_class_name(BUDGET_WARNING), "warning");
}

static void test_severity_and_escalation(void **state)
{
	(void)state;
	struct budgets bs;
	budgets_defaults(&bs);
	enum pa_severity s;
	const struct budget *api = &bs.b[BUDGET_API_ENDPOINT];
	assert_int_equal(budget_severity(api, 80, &s), 0);
	assert_int_equal(budget_severity(api, 300, &s), 1);
	assert_int_equal(s, PA_SEV_MEDIUM);
	assert_int_equal(budget_severity(api, 900, &s), 1);
	assert_int_equal(s, PA_SEV_HIGH);
	assert_int_equal(budget_severity(api, 2000, &s), 1);
	assert_int_equal(s, PA_SEV_HIGH); /* >2s, not >=2s */
	assert_int_equal(budget_severity(api, 2001, &s), 1);
	assert_int_equal(s, PA_SEV_CRITICAL);
	/* An override that moves the critical line above 2 s keeps the seed's
	 * escalation: a 5 s response is critical, not a warning. */
	struct budgets o = bs;
	struct perr e;
	assert_int_equal(budgets_override(&o, "api=1s:10s", &e), 0);
	assert_int_equal(budget_severity(&o.b[BUDGET_API_ENDPOINT], 5000, &s), 1);
	assert_int_equal(s, PA_SEV_CRITICAL);
	assert_int_equal(budget_severity(&o.b[BUDGET_API_ENDPOINT], 1500, &s), 1);
	assert_int_equal(s, PA_SEV_MEDIUM);
	/* No measurement, no verdict. */
	assert_int_equal(budget_severity(api, 0.0 / 0.0, &s), 0);
	/* Only the API budget escalates on its own. */
	assert_int_equal(budget_severity(&bs.b[BUDGET_PAGE_RENDER], 5000, &s), 1);
	assert_int_equal(s, PA_SEV_HIGH);
}

static void test_overrides(void **state)
{
	(void)state;
	struct budgets bs;
	struct perr e;
	budgets_defaults(&bs);
	assert_int_equal(budgets_override(&bs, "api_endpoint=200ms:1s", &e), 0);
	assert_true(bs.b[BUDGET_API_ENDPOINT].target == 200);
	assert_true(bs.b[BUDGET_API_ENDPOINT].critical == 1000);
	assert_int_equal(budgets_override(&bs, "db=20:80", &e), 0);
	assert_true(bs.b[BUDGET_DATABASE_QUERY].target == 20);
	assert_int_equal(budgets_override(&bs, "IDLE_MEMORY=256MB:1GB", &e), 0);
	assert_true(bs.b[BUDGET_IDLE_MEMORY].critical == 1024);
	assert_int_equal(budgets_override(&bs, "memory_growth=1MB/min:1GB/h", &e), 0);
	assert_true(bs.b[BUDGET_MEMORY_GROWTH].critical > 17 && bs.b[BUDGET_MEMORY_GROWTH].critical < 17.1);

	struct {
		const char *spec, *msg;
	} bad[] = {
		{"api_endpont=1:2", "unknown budget 'api_endpont' (did you mean 'api_endpoint'?)"},
		{"zzz=1:2", "unknown budget 'zzz'; budgets are api_endpoint"},
		{"api=100", "budget 'api_endpoint': '100' is not TARGET:CRITICAL (for example api_endpoint=200ms:1s)"},
		{"api=1:2:3", "is not TARGET:CRITICAL"},
		{"api=fast:1s", "budget 'api_endpoint': 'fast' is not a ms value"},
		{"api=1s:2MB", "'2MB' is not a ms value"},
		{"idle_memory=1s:2s", "'1s' is not a MB value (for example idle_memory=256MB:1GB)"},
		{"api=1s:100ms", "the target (1s) must be below the critical value (100ms)"},
		{"api=5:5", "must be below"},
		{"=1:2", "expected NAME=TARGET:CRITICAL"},
		{"api", "expected NAME=TARGET:CRITICAL"},
		{"api=-1:5", "'-1' is not a ms value"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct budgets before = bs;
		memset(&e, 0, sizeof(e));
		assert_int_equal(budgets_override(&bs, bad[i].spec, &e), -1);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, e.msg, bad[i].msg);
		assert_memory_equal(&before, &bs, sizeof(bs)); /* nothing changed */
	}
}

static void test_config_string(void **state)
{
	(void)state;
	struct config c;
	struct perr e;
	config_init(&c);
	assert_int_equal(config_load_string(&c,
		"; project budgets\n"
		"[budgets]\n"
		"api_endpoint = 200ms:1s   ; inline comment\n"
		"# another comment\n"
		"page = 1s:3s\n", "perfagent.ini", &e), 0);
	assert_true(c.budgets.b[BUDGET_API_ENDPOINT].target == 200);
	assert_true(c.budgets.b[BUDGET_PAGE_RENDER].critical == 3000);

	struct {
		const char *text, *msg;
	} bad[] = {
		{"[budgets]\napi_endpoint = 1:2\nbogus = 1:2\n", "p.ini:3: unknown budget 'bogus'"},
		{"[budget]\napi = 1:2\n", "p.ini:2: unknown section [budget] (did you mean [budgets]?)"},
		{"[server]\nport = 1\n", "p.ini:2: unknown section [server]; known: [budgets]"},
		{"api = 1:2\n", "p.ini:1: 'api' is outside any section"},
		{"[budgets]\njust words\n", "p.ini:2: syntax error"},
		{"[budgets\napi=1:2\n", "p.ini:1: syntax error"},
		{"[budgets]\napi = 9:1\n", "p.ini:2: budget 'api_endpoint': the target (9) must be below"},
		{"[budgets]\n; a comment well over two hundred characters long xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\napi = 1:2\n",
		 "p.ini:2: line longer than"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&c);
		memset(&e, 0, sizeof(e));
		assert_int_equal(config_load_string(&c, bad[i].text, "p.ini", &e), -1);
		/* Nothing of a bad file is applied. */
		assert_true(c.budgets.b[BUDGET_API_ENDPOINT].target == 100);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg, bad[i].msg);
	}
}

static void test_config_files(void **state)
{
	(void)state;
	struct config c;
	struct perr e;
	char dir[] = "/tmp/pa-cfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof(path), "%s/perfagent.ini", dir);
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, &e), -1);
	assert_non_null(strstr(e.msg, "cannot read config file"));
	FILE *f = fopen(path, "w");
	fputs("[budgets]\ntask = 2s:10s\n", f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load_default(&c, dir, &e), 0);
	assert_string_equal(c.path, path);
	assert_true(c.budgets.b[BUDGET_BACKGROUND_TASK].critical == 10000);
	/* No file in the dir and none in the cwd: defaults, no error. */
	unlink(path);
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	config_init(&c);
	assert_int_equal(config_load_default(&c, dir, &e), 0);
	assert_string_equal(c.path, "");
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_seed),
		cmocka_unit_test(test_classify_boundaries),
		cmocka_unit_test(test_severity_and_escalation),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_config_string),
		cmocka_unit_test(test_config_files),
	};
	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
