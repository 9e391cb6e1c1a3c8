/*
 * progress: one live status line on stderr for anything that runs longer
 * than a moment ("stage 2/4  c=50  12.0s  8,412 req/s  0 errors").
 *
 * Off when stderr is not a terminal, with --no-progress and with -q: then
 * every call is a no-op. Redraws are throttled to 10 per second so a hot
 * loop can call progress_update() freely.
 */
#ifndef PA_PROGRESS_H
#define PA_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;
	int enabled;
	int drawn;           /* a line is on screen and must be cleared */
	int64_t last_ns;     /* monotonic time of the last redraw */
	int64_t interval_ns; /* minimum time between redraws */
};

/* enabled: the caller's decision (see progress_wanted). */
void progress_init(struct progress *p, FILE *out, int enabled);

/* Whether progress should be shown: not quiet, not --no-progress, and fd a terminal. */
int progress_wanted(int quiet, int no_progress, int fd);

/* Replace the status line, at most every interval; text is cut at 120 columns. */
void progress_update(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Erase the status line (before printing results, or on exit). */
void progress_clear(struct progress *p);

#endif
