/*
 * mcp: `perfagent mcp`'s table entry and option table.
 * Status: not built yet. Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt mcp_opts[] = {
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_mcp_spec = {
	.name = "mcp",
	.summary = "MCP server on stdio exposing perfagent's tools to AI agents.",
	.args = NULL,
	.min_args = 0,
	.max_args = 0,
	.opts = mcp_opts,
	.description = "Speaks JSON-RPC 2.0 over standard input and output.",
	.status = "not built yet",
};
