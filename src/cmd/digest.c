/*
 * digest: `perfagent digest`'s table entry and option table.
 * Status: not built yet (issue 4). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt digest_opts[] = {
	{"type", 0, CLI_VALUE, "TYPE", "the log format, when detection is not enough"},
	{"order-by", 0, CLI_VALUE, "KEY", "rank by total, count, avg, p95 or rows_examined"},
	{"limit", 0, CLI_VALUE, "N", "show the top N"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_digest_spec = {
	.name = "digest",
	.summary = "Digest query logs and access logs: ranking, N+1, cacheable queries.",
	.args = "LOG...",
	.min_args = 1,
	.max_args = -1,
	.opts = digest_opts,
	.description = "Reads MySQL/MariaDB slow and general logs, PostgreSQL logs and web access logs.",
	.status = "not built yet (issue 4)",
};
