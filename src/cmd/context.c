/*
 * context: `perfagent context`'s table entry and option table.
 * Status: not built yet (issue 6). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt context_opts[] = {
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_context_spec = {
	.name = "context",
	.summary = "Project inventory: rules files, architecture, heavy dependencies, routes, services.",
	.args = "[DIR]",
	.min_args = 0,
	.max_args = 1,
	.opts = context_opts,
	.description = "Reads the project the way the seed's Auto-Context Loading does: CLAUDE.md,\n"
		"specs/architecture.md, requirements, routes and services.",
	.status = "not built yet (issue 6)",
};
