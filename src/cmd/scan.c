/*
 * scan: `perfagent scan`'s table entry and option table.
 * Status: not built yet (issue 6). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt scan_opts[] = {
	{"select", 0, CLI_VALUE, "RULES", "only these rules (comma-separated)"},
	{"ignore", 0, CLI_VALUE, "RULES", "skip these rules (comma-separated)"},
	{"format", 0, CLI_VALUE, "text|json|sarif", "output format"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_scan_spec = {
	.name = "scan",
	.summary = "Find the seed's performance anti-patterns in Python code.",
	.args = "PATH...",
	.min_args = 1,
	.max_args = -1,
	.opts = scan_opts,
	.description = "Static rules: n-plus-one, query-in-loop, quadratic, string-concat-in-loop,\n"
		"blocking-io-in-async, missing-cache, missing-index, unbounded-query, sql smells.",
	.status = "not built yet (issue 6)",
};
