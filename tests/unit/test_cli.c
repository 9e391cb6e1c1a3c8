/*
 * test_cli: the option parser and the synopsis generated from a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/cli.h"

static const struct cli_opt opts[] = {
	{"baseline", 0, CLI_MULTI, "FILE", "baseline files"},
	{"title", 0, CLI_VALUE, "TEXT", "title"},
	{"header", 'H', CLI_REPEAT, "H", "a header"},
	{"concurrency", 'c', CLI_VALUE, "LIST", "stages"},
	{"exact", 0, CLI_FLAG, NULL, "exact"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

static const struct cli_opt common[] = {
	{"json", 0, CLI_FLAG, NULL, "json"},
	{"output", 'o', CLI_VALUE, "FILE", "output"},
	{"quiet", 'q', CLI_FLAG, NULL, "quiet"},
	{"help", 'h', CLI_FLAG, NULL, "help"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

static const struct cli_spec spec = {
	.name = "report", .summary = "s", .args = "RESULT...", .min_args = 1, .max_args = 3, .opts = opts,
};

/* String literals are const under -Wwrite-strings; the parser never writes. */
static int parse(int argc, const char **argv, struct cli_args *a, struct perr *e)
{
	memset(e, 0, sizeof(*e));
	return cli_parse(&spec, common, argc, (char **)argv, a, e);
}

static void test_forms(void **state)
{
	(void)state;
	const char *argv[] = {"a.json", "--title", "T1", "--title=T2", "-o", "out.md", "-qH", "X: 1",
			"-HY: 2", "--header", "Z: 3", "-c10,50", "--json", "b.json", "--exact"};
	struct cli_args a;
	struct perr e;
	assert_int_equal(parse(15, argv, &a, &e), 0);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "a.json");
	assert_string_equal(a.pos[1], "b.json");
	assert_string_equal(cli_str(&a, "title"), "T2"); /* last wins */
	assert_string_equal(cli_str(&a, "output"), "out.md");
	assert_int_equal(cli_count(&a, "quiet"), 1);
	assert_int_equal(cli_count(&a, "json"), 1);
	assert_int_equal(cli_count(&a, "exact"), 1);
	const struct cli_val *h = cli_get(&a, "header");
	assert_int_equal(h->n, 3);
	assert_string_equal(h->v[0], "X: 1");
	assert_string_equal(h->v[1], "Y: 2");
	assert_string_equal(h->v[2], "Z: 3");
	assert_string_equal(cli_str(&a, "concurrency"), "10,50");
	assert_null(cli_get(&a, "nosuch"));
	assert_null(cli_str(&a, "baseline"));
	cli_args_free(&a);
}

static void test_multi_and_dashdash(void **state)
{
	(void)state;
	const char *argv[] = {"a.json", "--baseline", "b1.json", "b2.json", "--json", "--", "--weird.json", "-"};
	struct cli_args a;
	struct perr e;
	assert_int_equal(parse(8, argv, &a, &e), 0);
	const struct cli_val *b = cli_get(&a, "baseline");
	assert_int_equal(b->n, 2); /* stops at the next option */
	assert_string_equal(b->v[1], "b2.json");
	assert_int_equal(cli_count(&a, "json"), 1);
	assert_int_equal(a.npos, 3);
	assert_string_equal(a.pos[1], "--weird.json"); /* after --, not an option */
	assert_string_equal(a.pos[2], "-");             /* "-" alone is stdin */
	cli_args_free(&a);
	/* --baseline=FILE takes exactly that file. */
	const char *argv2[] = {"--baseline=b.json", "a.json"};
	assert_int_equal(parse(2, argv2, &a, &e), 0);
	assert_int_equal(cli_get(&a, "baseline")->n, 1);
	assert_int_equal(a.npos, 1);
	cli_args_free(&a);
}

static void test_errors(void **state)
{
	(void)state;
	struct {
		int argc;
		const char *argv[4];
		const char *msg;
	} cases[] = {
		{2, {"a", "--titel"}, "unknown option '--titel' (did you mean '--title'?)"},
		{2, {"a", "--titel=x"}, "unknown option '--titel' (did you mean '--title'?)"},
		{2, {"a", "--zzzzzz"}, "unknown option '--zzzzzz'; see 'perfagent report -h'"},
		{2, {"a", "-Z"}, "unknown option '-Z'"},
		{2, {"a", "-qZ"}, "unknown option '-Z' in '-qZ'"},
		{2, {"a", "--title"}, "option '--title' needs a value (TEXT)"},
		{2, {"a", "-o"}, "option '-o' needs a value (FILE)"},
		{3, {"a", "--baseline", "--json"}, "option '--baseline' needs a value (FILE)"},
		{2, {"a", "--json=1"}, "option '--json' takes no value"},
		{3, {"a", "--title", "--exact"}, "option '--title' needs a value (TEXT), not the option '--exact'"},
		{0, {NULL}, "missing RESULT...; usage: perfagent report RESULT..."},
		{4, {"a", "b", "c", "d"}, "unexpected argument 'd'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cli_args a;
		struct perr e;
		assert_int_equal(parse(cases[i].argc, cases[i].argv, &a, &e), -1);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg, cases[i].msg);
		cli_args_free(&a);
	}
}

static void test_help_skips_counts(void **state)
{
	(void)state;
	const char *argv[] = {"-h"};
	struct cli_args a;
	struct perr e;
	assert_int_equal(parse(1, argv, &a, &e), 0);
	assert_int_equal(cli_count(&a, "help"), 1);
	cli_args_free(&a);
}

static void test_usage(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	cli_usage(&spec, &b);
	const char *want = "usage: perfagent report RESULT... [--baseline FILE...] [--title TEXT]\n"
			   "                        [--header H]... [--concurrency LIST] [--exact]\n"
			   "                        [common options]\n";
	assert_string_equal(buf_str(&b), want);
	buf_reset(&b);
	cli_help(&spec, common, &b);
	assert_non_null(strstr(buf_str(&b), "  -H, --header H"));
	assert_non_null(strstr(buf_str(&b), "  -o, --output FILE"));
	assert_non_null(strstr(buf_str(&b), "  --baseline FILE..."));
	/* Every line fits in 80 columns. */
	for (const char *p = buf_str(&b); *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 80)
			fail_msg("line too long: %.*s", (int)len, p);
		p += len + (nl != NULL);
	}
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_multi_and_dashdash),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_skips_counts),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
