/*
 * web: `perfagent web`'s table entry and option table.
 * Status: not built yet (issue 7). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt web_opts[] = {
	{"chromium", 0, CLI_VALUE, "PATH", "the browser (default: /usr/bin/chromium)"},
	{"cold", 0, CLI_FLAG, NULL, "a fresh browser context per URL"},
	{"repeat", 0, CLI_VALUE, "N", "report the median of N loads"},
	{"screenshot", 0, CLI_VALUE, "FILE", "save a PNG screenshot"},
	{"full-page", 0, CLI_FLAG, NULL, "screenshot the whole page"},
	{"har", 0, CLI_VALUE, "FILE", "save a HAR 1.2 file"},
	{"throttle", 0, CLI_VALUE, "PROFILE", "network and CPU throttling"},
	{"console-level", 0, CLI_VALUE, "LEVEL", "lowest console level to report"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_web_spec = {
	.name = "web",
	.summary = "Page audit in headless Chromium: requests, console, vitals, screenshot.",
	.args = "URL...",
	.min_args = 1,
	.max_args = -1,
	.opts = web_opts,
	.description = "Drives Debian's Chromium over the DevTools protocol, without Node.",
	.status = "not built yet (issue 7)",
};
