/*
 * web: `perfagent web URL...` — the seed's Playwright step (navigate, the
 * network requests, the console, several pages, a screenshot) measured
 * straight over the DevTools protocol in Debian's headless Chromium. The
 * browser and the loads are src/web/run.c; the result and its findings
 * src/web/result.c; the HAR src/web/har.c.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/units.h"
#include "../web/web.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt web_opts[] = {
	{"chromium", 0, CLI_VALUE, "PATH", "the browser (default: /usr/bin/chromium)"},
	{"cold", 0, CLI_FLAG, NULL, "a fresh browser context (empty cache, no cookies) for every load"},
	{"repeat", 0, CLI_VALUE, "N", "load each URL N times and report the median load (default: 1)"},
	{"screenshot", 0, CLI_VALUE, "FILE", "save a PNG screenshot (page N of several: FILE-N.png)"},
	{"full-page", 0, CLI_FLAG, NULL, "screenshot the whole page, not just the viewport"},
	{"har", 0, CLI_VALUE, "FILE", "save every request as a HAR 1.2 file"},
	{"throttle", 0, CLI_VALUE, "PROFILE",
	 "none, slow-3g, fast-3g, slow-4g, 4g, or RTT_MS:DOWN_KBPS:UP_KBPS[:CPU]"},
	{"console-level", 0, CLI_VALUE, "LEVEL", "lowest console level reported: debug, info, warning, error (default: info)"},
	{"viewport", 0, CLI_VALUE, "WxH", "viewport in CSS pixels (default: 1350x940)"},
	{"timeout", 0, CLI_VALUE, "SECONDS", "the load event must fire within SECONDS (default: 30)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_web_spec = {
	.name = "web",
	.summary = "Page audit in headless Chromium: requests, console, vitals, screenshot.",
	.args = "URL...",
	.min_args = 1,
	.max_args = -1,
	.opts = web_opts,
	.description =
		"Loads each URL in turn in one headless Chromium (Debian's, driven over its\n"
		"DevTools pipe; no Node, no WebDriver) and reports every request with its size\n"
		"and timing phases, the console messages and uncaught errors, and the page's\n"
		"TTFB, DOMContentLoaded, load, FCP, LCP, CLS and JS heap. Findings: load and LCP\n"
		"against the page-render budget, requests over 500 ms, large payloads and images,\n"
		"too many requests, uncompressed text, static assets without cache headers,\n"
		"console errors, failed requests, render-blocking scripts and styles.",
};

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	web_print_human(r, out);
}

/* "1350x940" -> 1350, 940 (each 100..10000). */
static int parse_viewport(const char *s, int *w, int *h)
{
	char *end;
	long a = strtol(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return -1;
	const char *p = end + 1;
	long b = strtol(p, &end, 10);
	if (end == p || *end || a < 100 || a > 10000 || b < 100 || b > 10000)
		return -1;
	*w = (int)a;
	*h = (int)b;
	return 0;
}

/* Only http and https pages (and file: for local files) make sense to audit. */
static int url_ok(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0 || strncmp(u, "file://", 7) == 0;
}

int cmd_web(struct cmd_ctx *ctx)
{
	struct perr e;
	struct web_opts o = {
		.chromium = cli_str(&ctx->args, "chromium"),
		.urls = (const char *const *)ctx->args.pos,
		.nurls = ctx->args.npos,
		.cold = cli_count(&ctx->args, "cold") > 0,
		.repeat = 1,
		.screenshot = cli_str(&ctx->args, "screenshot"),
		.full_page = cli_count(&ctx->args, "full-page") > 0,
		.width = 1350,
		.height = 940,
		.timeout_s = 30,
		.throttle = {"none", 0, 0, 0, 1},
		.progress = &ctx->progress,
	};
	const char *har = cli_str(&ctx->args, "har");
	enum web_level level = WEB_INFO;
	const char *v;
	long n;
	for (size_t i = 0; i < o.nurls; i++)
		if (!url_ok(o.urls[i])) {
			cmd_error(ctx, "'%s' is not a page URL; give http://, https:// or file:// URLs", o.urls[i]);
			return EXIT_USAGE;
		}
	if ((v = cli_str(&ctx->args, "repeat"))) {
		if (cmd_parse_long(v, 1, 100, &n)) {
			cmd_error(ctx, "--repeat '%s': expected 1 to 100 loads", v);
			return EXIT_USAGE;
		}
		o.repeat = (int)n;
	}
	if ((v = cli_str(&ctx->args, "viewport")) && parse_viewport(v, &o.width, &o.height)) {
		cmd_error(ctx, "--viewport '%s': expected WIDTHxHEIGHT in CSS pixels, e.g. 1350x940 (100 to 10000 each)", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "timeout")) && (unit_parse_seconds(v, &o.timeout_s) || o.timeout_s <= 0 ||
						     o.timeout_s > 3600)) {
		cmd_error(ctx, "--timeout '%s': expected seconds, e.g. 30 or 500ms (at most an hour)", v);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "throttle")) && web_throttle_parse(v, &o.throttle, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_USAGE;
	}
	if ((v = cli_str(&ctx->args, "console-level")) && web_level_parse(v, &level)) {
		cmd_error(ctx, "--console-level '%s': expected debug, info, warning or error", v);
		return EXIT_USAGE;
	}
	if (o.full_page && !o.screenshot) {
		cmd_error(ctx, "--full-page needs --screenshot FILE");
		return EXIT_USAGE;
	}
	o.stop = cmd_catch_interrupt();

	struct web_run run;
	int failed = web_run(&o, &run, &e);
	if (failed && run.npages == 0) {
		if (run.interrupted)
			cmd_error(ctx, "interrupted before any page loaded");
		else
			cmd_error(ctx, "%s", e.msg);
		web_run_free(&run);
		return EXIT_CANNOT_RUN;
	}
	/* What finished is reported, also when the browser died after it. */
	struct web_opts shown = o;
	shown.nurls = run.npages;
	int rc = EXIT_DONE;
	const char *har_written = NULL;
	struct perr he;
	if (har) {
		if (har_write(har, run.pages, run.npages, run.browser, &he))
			rc = EXIT_CANNOT_RUN;
		else
			har_written = har;
	}
	struct pa_result *r = web_result_build(&shown, &run, &ctx->config.budgets, level, har_written);
	int emit = cmd_emit(ctx, r, human);
	if (rc == EXIT_CANNOT_RUN)
		cmd_error(ctx, "%s", he.msg);
	else
		rc = emit;
	if (run.screenshot_error) {
		cmd_error(ctx, "%s", run.screenshot_error);
		rc = EXIT_CANNOT_RUN;
	}
	if (failed) {
		if (run.interrupted)
			cmd_note(ctx, "interrupted: reported the %zu page%s that finished", run.npages,
				 run.npages == 1 ? "" : "s");
		else
			cmd_error(ctx, "%s (reported the %zu page%s that finished before)", e.msg, run.npages,
				  run.npages == 1 ? "" : "s");
		rc = run.interrupted ? rc : EXIT_CANNOT_RUN;
	} else {
		/* Not one page loaded: say why, as `load` does when nothing answers. */
		size_t loaded = 0;
		for (size_t i = 0; i < run.npages; i++)
			loaded += run.pages[i].error == NULL;
		if (loaded == 0 && run.npages > 0) {
			cmd_error(ctx, "no page loaded: '%s': %s", run.pages[0].url, run.pages[0].error);
			rc = EXIT_CANNOT_RUN;
		}
	}
	result_free(r);
	web_run_free(&run);
	return rc;
}
