/*
 * profile: `perfagent profile`'s table entry and option table.
 * Status: not built yet (issue 8). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt profile_opts[] = {
	{"pid", 0, CLI_VALUE, "PID", "attach to a running process"},
	{"duration", 0, CLI_VALUE, "SECONDS", "stop after SECONDS"},
	{"hz", 0, CLI_VALUE, "N", "samples per second (default: 99)"},
	{"mem-interval", 0, CLI_VALUE, "MS", "RSS sampling interval (default: 50)"},
	{"follow-children", 0, CLI_FLAG, NULL, "include child processes"},
	{"python", 0, CLI_VALUE, "auto|on|off", "read Python frames"},
	{"folded", 0, CLI_VALUE, "FILE", "write folded stacks"},
	{"flamegraph", 0, CLI_VALUE, "FILE", "write a flame graph SVG"},
	{"speedscope", 0, CLI_VALUE, "FILE", "write speedscope JSON"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_profile_spec = {
	.name = "profile",
	.summary = "CPU samples, memory timeline, leaks and a flame graph of a command or pid.",
	.args = "[CMD ARGS...]",
	.min_args = 0,
	.max_args = -1,
	.opts = profile_opts,
	.description = "Runs CMD (after --) or attaches to --pid; Python-aware stacks for CPython 3.11\n"
		"and 3.12.",
	.status = "not built yet (issue 8)",
};
