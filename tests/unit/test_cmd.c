/*
 * test_cmd: the shared command layer every command goes through — flags
 * parsed once, budgets and config applied, and a result emitted as the user
 * asked (-o by extension, --fail-on).
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

#include "cmd/cmd.h"

static const struct cli_opt opts[] = {
	{"dir", 0, CLI_VALUE, "DIR", "project"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};
static const struct cli_spec spec = {
	.name = "demo", .summary = "s", .args = "[X]", .min_args = 0, .max_args = 1, .opts = opts,
};

static int setup(struct cmd_ctx *ctx, int argc, const char **argv, int *code)
{
	return cmd_setup(ctx, &spec, argc, (char **)argv, code);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct pa_result *demo_result(void)
{
	struct pa_result *r = result_new("demo");
	result_add_finding(r, "slow-endpoint", PA_SEV_HIGH, "slow")->location.endpoint = "GET /";
	json_object_set_new(r->metrics, "p95_ms", json_real(640));
	return r;
}

static int human_calls;
static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	(void)r;
	(void)out;
	human_calls++;
}

static void test_setup_flags(void **state)
{
	(void)state;
	struct cmd_ctx ctx;
	int code;
	const char *argv[] = {"--fail-on", "medium", "--budget", "api=200:900", "-q", "--no-progress", "-o", "x.html"};
	assert_int_equal(setup(&ctx, 8, argv, &code), 0);
	assert_true(ctx.fail_on_set && ctx.fail_on == PA_SEV_MEDIUM);
	assert_true(ctx.config.budgets.b[BUDGET_API_ENDPOINT].critical == 900);
	assert_true(ctx.quiet);
	assert_false(ctx.progress.enabled);
	assert_string_equal(ctx.out_fmt, "html");
	cmd_teardown(&ctx);

	struct {
		int argc;
		const char *argv[2];
		int code;
	} bad[] = {
		{2, {"--fail-on", "urgent"}, EXIT_USAGE},
		{2, {"--budget", "api=1"}, EXIT_USAGE},
		{2, {"-o", "x.pdf"}, EXIT_USAGE},
		{2, {"--config", "/nonexistent/p.ini"}, EXIT_CANNOT_RUN},
		{1, {"--nope"}, EXIT_USAGE},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(setup(&ctx, bad[i].argc, bad[i].argv, &code), -1);
		assert_int_equal(code, bad[i].code);
		cmd_teardown(&ctx);
	}
}

static void test_project_config(void **state)
{
	(void)state;
	char dir[] = "/tmp/pa-cmd-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof(path), "%s/perfagent.ini", dir);
	FILE *f = fopen(path, "w");
	fputs("[budgets]\ndb = 10:40\n", f);
	fclose(f);
	struct cmd_ctx ctx;
	int code;
	/* --dir names the project; its perfagent.ini applies, then --budget on top. */
	const char *argv[] = {"--dir", dir, "--budget", "page=1s:2s"};
	assert_int_equal(setup(&ctx, 4, argv, &code), 0);
	assert_string_equal(ctx.config.path, path);
	assert_true(ctx.config.budgets.b[BUDGET_DATABASE_QUERY].critical == 40);
	assert_true(ctx.config.budgets.b[BUDGET_PAGE_RENDER].critical == 2000);
	cmd_teardown(&ctx);
	unlink(path);
	rmdir(dir);
}

static void test_emit(void **state)
{
	(void)state;
	char dir[] = "/tmp/pa-emit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char md[300], js[300];
	snprintf(md, sizeof(md), "%s/r.md", dir);
	snprintf(js, sizeof(js), "%s/r.json", dir);
	struct cmd_ctx ctx;
	int code;

	const char *a1[] = {"-q", "-o", md, "--fail-on", "high"};
	assert_int_equal(setup(&ctx, 5, a1, &code), 0);
	struct pa_result *r = demo_result();
	human_calls = 0;
	assert_int_equal(cmd_emit(&ctx, r, human), EXIT_FINDINGS);
	assert_int_equal(human_calls, 1); /* the human view still prints */
	char *text = slurp(md);
	assert_non_null(text);
	assert_non_null(strstr(text, "# Performance Audit Report"));
	assert_non_null(strstr(text, "### PERF-001: slow"));
	assert_non_null(strstr(text, "| P95 Latency | 640ms |"));
	cmd_teardown(&ctx);

	const char *a2[] = {"-q", "-o", js, "--fail-on", "critical"};
	assert_int_equal(setup(&ctx, 5, a2, &code), 0);
	assert_int_equal(cmd_emit(&ctx, r, human), EXIT_DONE);
	struct pa_result *back;
	struct perr e;
	assert_int_equal(result_load(js, &back, &e), 0);
	assert_string_equal(back->command, "demo");
	assert_int_equal(back->nfindings, 1);
	result_free(back);
	cmd_teardown(&ctx);

	/* A write that fails is exit 3, not success. */
	char bad[400];
	snprintf(bad, sizeof(bad), "%s/missing/r.md", dir);
	const char *a3[] = {"-q", "-o", bad};
	assert_int_equal(setup(&ctx, 3, a3, &code), 0);
	assert_int_equal(cmd_emit(&ctx, r, NULL), EXIT_CANNOT_RUN);
	cmd_teardown(&ctx);

	result_free(r);
	unlink(md);
	unlink(js);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_flags),
		cmocka_unit_test(test_project_config),
		cmocka_unit_test(test_emit),
	};
	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
