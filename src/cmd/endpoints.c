/*
 * endpoints: `perfagent endpoints`'s table entry and option table.
 * Status: not built yet (issue 3). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt endpoints_opts[] = {
	{"routes", 0, CLI_VALUE, "FILE", "routes, one METHOD /path per line (- for stdin)"},
	{"dir", 0, CLI_VALUE, "DIR", "read the routes from the project (perfagent context)"},
	{"param", 0, CLI_REPEAT, "NAME=VALUE", "a value for a path parameter"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_endpoints_spec = {
	.name = "endpoints",
	.summary = "Per-endpoint latency sweep against the API budget.",
	.args = "BASE_URL",
	.min_args = 1,
	.max_args = 1,
	.opts = endpoints_opts,
	.description = "For each route: sequential requests, then a short concurrent burst; p50, p95, max,\n"
		"status and size, classified against the API budget.",
	.status = "not built yet (issue 3)",
};
