/*
 * load: `perfagent load`'s table entry and option table.
 * Status: not built yet (issue 3). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt load_opts[] = {
	{"concurrency", 'c', CLI_VALUE, "LIST", "concurrent connections per stage (default: 10,50,100,200)"},
	{"rate", 0, CLI_VALUE, "LIST", "open model: requests per second per stage"},
	{"duration", 0, CLI_VALUE, "SECONDS", "length of each stage (default: 10)"},
	{"requests", 0, CLI_VALUE, "N", "stop a stage after N requests"},
	{"warmup", 0, CLI_VALUE, "SECONDS", "left out of the statistics"},
	{"threads", 't', CLI_VALUE, "N", "generator threads (default: the number of cores)"},
	{"timeout", 0, CLI_VALUE, "SECONDS", "abort a request after SECONDS (default: 10)"},
	{"method", 'm', CLI_VALUE, "METHOD", "HTTP method (default: GET)"},
	{"header", 'H', CLI_REPEAT, "'NAME: VALUE'", "add a request header"},
	{"data", 'd', CLI_VALUE, "BODY|@FILE", "request body"},
	{"insecure", 0, CLI_FLAG, NULL, "do not verify TLS certificates"},
	{"hdr-out", 0, CLI_VALUE, "FILE", "write the full percentile spectrum"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_load_spec = {
	.name = "load",
	.summary = "HTTP load test: stages, rate, saturation point, percentiles.",
	.args = "URL",
	.min_args = 1,
	.max_args = 1,
	.opts = load_opts,
	.description = "Closed model by default (the seed's 10, 50, 100 and 200 concurrent users), open\n"
		"model with --rate, coordinated-omission corrected.",
	.status = "not built yet (issue 3)",
};
