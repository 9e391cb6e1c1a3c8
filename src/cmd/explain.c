/*
 * explain: `perfagent explain`'s table entry and option table.
 * Status: not built yet (issue 5). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt explain_opts[] = {
	{"file", 0, CLI_VALUE, "FILE", "read the SQL from FILE"},
	{"analyze", 0, CLI_FLAG, NULL, "run EXPLAIN ANALYZE (executes the query)"},
	{"allow-write", 0, CLI_FLAG, NULL, "allow EXPLAIN ANALYZE of a write (rolled back where possible)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_explain_spec = {
	.name = "explain",
	.summary = "The plan of one query, interpreted, with index advice.",
	.args = "DSN [SQL]",
	.min_args = 1,
	.max_args = 2,
	.opts = explain_opts,
	.description = "Runs the dialect's richest EXPLAIN and says what is slow in the plan and which\n"
		"index would help.",
	.status = "not built yet (issue 5)",
};
