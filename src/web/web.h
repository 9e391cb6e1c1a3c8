/*
 * web: `perfagent web` as a library — load pages in a headless Chromium
 * driven over the DevTools pipe, then turn what was seen into a result
 * (metrics, findings), a HAR file and a human summary.
 *
 *   web_run()           browser, navigations, screenshots  (run.c)
 *   web_result_build()  pages -> perfagent.result/1         (result.c)
 *   web_print_human()   the result -> the terminal view     (result.c)
 *   har_write()         pages -> HAR 1.2                    (har.c)
 */
#ifndef PA_WEB_H
#define PA_WEB_H

#include <signal.h>
#include <stddef.h>

#include "../core/budget.h"
#include "../core/err.h"
#include "../core/progress.h"
#include "../core/result.h"
#include "page.h"

/* --throttle: network conditions and a CPU slowdown; all zero = none. */
struct web_throttle {
	const char *name;     /* the preset's name, or "custom" */
	double latency_ms;    /* added round-trip time */
	double down_kbps;     /* kilobits per second; 0 = unlimited */
	double up_kbps;
	double cpu_rate;      /* 1 = no slowdown, 4 = four times slower */
};
/*
 * Parse --throttle: a preset (none, slow-3g, fast-3g, slow-4g, 4g) or
 * "RTT_MS:DOWN_KBPS:UP_KBPS[:CPU]". -1 with a message naming the presets.
 */
int web_throttle_parse(const char *s, struct web_throttle *t, struct perr *e);

struct web_opts {
	const char *chromium;   /* the browser; NULL: /usr/bin/chromium */
	const char *const *urls;
	size_t nurls;
	int cold;               /* a fresh browser context (empty cache, no cookies) per load */
	int repeat;             /* loads per URL; the median load is reported */
	const char *screenshot; /* PNG path, or NULL; with several URLs, page N>1 gets "-N" before the extension */
	int full_page;
	int width, height;      /* viewport, CSS pixels */
	double timeout_s;       /* per load: the load event must fire within it */
	struct web_throttle throttle;
	volatile sig_atomic_t *stop; /* Ctrl-C: stop after the current step, keep what was measured */
	struct progress *progress;   /* may be NULL */
};

/* What web_run() hands back: one page per URL (the median of its loads). */
struct web_run {
	struct web_page *pages;
	size_t npages;
	char *browser;        /* "Chrome/156.0.8078.79" */
	char *user_agent;
	char **screenshots;   /* per page: the PNG written, or NULL */
	double *load_runs;    /* per page, `repeat` load times in ms (-1 for a failed load), page-major */
	int repeat;
	int interrupted;      /* Ctrl-C cut the run short; pages holds what finished */
	char *screenshot_error; /* why a screenshot could not be taken or written, or NULL */
};

/*
 * Launch the browser, load every URL (opts->repeat times each), and fill
 * *out. Returns 0 when the browser ran — a page that failed to load is a
 * page with its error set, not a failure here — and -1 with e set when
 * the browser could not start, died, or stopped answering; then *out
 * still holds the pages finished before that. The browser is killed and
 * its profile directory removed before this returns, whatever happened.
 */
int web_run(const struct web_opts *opts, struct web_run *out, struct perr *e);
void web_run_free(struct web_run *r);

/*
 * The page's file name for page i (0-based) of n: path itself for the
 * first, "base-2.png" for the second... malloc'd.
 */
char *web_numbered_path(const char *path, size_t i);

/*
 * Build the result of a run: target {urls}, metrics (see docs/web.md),
 * findings against the budgets, artifacts (screenshots; the HAR when
 * har_path is set). console_min filters the console messages reported.
 */
struct pa_result *web_result_build(const struct web_opts *opts, const struct web_run *run,
				   const struct budgets *b, enum web_level console_min,
				   const char *har_path);

/* The terminal view of a web result: per page its vitals, the request table by duration, the console, the findings. */
void web_print_human(const struct pa_result *r, FILE *out);

/*
 * Write pages as one HAR 1.2 log (a page entry per page, its requests as
 * entries) to path, atomically. creator is perfagent and its version;
 * browser is the browser's product string. -1 with e naming the path.
 */
int har_write(const char *path, const struct web_page *pages, size_t n, const char *browser, struct perr *e);
/* The same HAR as a JSON value (a new reference), for tests and the MCP server. */
json_t *har_build(const struct web_page *pages, size_t n, const char *browser);

#endif
