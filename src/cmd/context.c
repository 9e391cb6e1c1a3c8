/*
 * context: `perfagent context [DIR]` — the project inventory the seed's
 * Auto-Context Loading asks for before any measuring: CLAUDE.md's rules,
 * the architecture's components, the dependencies (heavy ones marked),
 * the routes and the functions that reach the database or HTTP APIs. The
 * reading is src/scan/context.c; this file is flags in, result out.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/clock.h"
#include "../scan/context.h"

#include <stdlib.h>

static const struct cli_opt context_opts[] = {
	{"include-tests", 0, CLI_FLAG, NULL, "also read tests: tests/ and test/ directories, test_*.py, *_test.py, conftest.py, tests.py"},
	{"routes", 0, CLI_FLAG, NULL, "print only the routes, one 'METHOD /path' per line (the file endpoints --routes reads)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_context_spec = {
	.name = "context",
	.summary = "Project inventory: rules files, architecture, heavy dependencies, routes, services.",
	.args = "[DIR]",
	.min_args = 0,
	.max_args = 1,
	.opts = context_opts,
	.description =
		"Reads the project the way the seed's Auto-Context Loading does, on any layout:\n"
		"CLAUDE.md's headings and rule lines; the components specs/architecture.md names;\n"
		"the dependencies of requirements*.txt (with -r includes), pyproject.toml and\n"
		"Pipfile, heavy ones marked with their approximate import time and memory; the\n"
		"Flask, FastAPI and Django routes with their full paths (blueprint and router\n"
		"prefixes, include()s joined); and the functions that query the database or call\n"
		"HTTP APIs. DIR defaults to the current directory. Virtualenvs, build output,\n"
		"node_modules, migrations and what .gitignore names are skipped.",
};

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	context_print_human(r, out);
}

static void routes_only(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	context_print_routes(r, out);
}

int cmd_context(struct cmd_ctx *ctx)
{
	const char *dir = ctx->args.npos ? ctx->args.pos[0] : ".";
	int only_routes = cli_count(&ctx->args, "routes") > 0;
	if (only_routes && ctx->json) {
		cmd_error(ctx, "--routes prints a routes file and --json a result: give one of them");
		return EXIT_USAGE;
	}
	struct ctx_opts o = {.include_tests = cli_count(&ctx->args, "include-tests") > 0};
	int64_t t0 = clock_mono_ns();
	struct project_context c;
	struct perr e;
	if (context_load(dir, &o, &c, &e)) {
		cmd_error(ctx, "%s", e.msg);
		context_free(&c);
		return EXIT_CANNOT_RUN;
	}
	struct pa_result *r = result_new("context");
	context_to_result(&c, r);
	context_free(&c);
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	int rc = cmd_emit(ctx, r, only_routes ? routes_only : human);
	result_free(r);
	return rc;
}
