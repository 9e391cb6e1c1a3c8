/*
 * audit: `perfagent audit`'s table entry and option table.
 * Status: not built yet. Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt audit_opts[] = {
	{"dir", 0, CLI_VALUE, "DIR", "the project source tree"},
	{"url", 0, CLI_VALUE, "URL", "the running application"},
	{"db", 0, CLI_VALUE, "DSN", "the database: mysql://, postgres:// or sqlite:"},
	{"baseline", 0, CLI_MULTI, "BEFORE.json", "results from before the change"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_audit_spec = {
	.name = "audit",
	.summary = "The whole workflow - measure, analyze, recommend, verify - in one report.",
	.args = NULL,
	.min_args = 0,
	.max_args = 0,
	.opts = audit_opts,
	.description = "Runs context and scan on --dir, db on --db, endpoints and load on --url, and\n"
		"renders the findings as one audit report.",
	.status = "not built yet",
};
