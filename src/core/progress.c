/*
 * progress: a throttled, self-erasing status line on a terminal.
 */
#include "progress.h"
#include "clock.h"

#include <stdarg.h>
#include <unistd.h>

void progress_init(struct progress *p, FILE *out, int enabled)
{
	p->out = out;
	p->enabled = enabled;
	p->drawn = 0;
	p->last_ns = 0;
	p->interval_ns = 100 * 1000 * 1000;
}

int progress_wanted(int quiet, int no_progress, int fd)
{
	return !quiet && !no_progress && isatty(fd);
}

void progress_update(struct progress *p, const char *fmt, ...)
{
	if (!p->enabled)
		return;
	int64_t now = clock_mono_ns();
	if (p->drawn && now - p->last_ns < p->interval_ns)
		return;
	char line[121];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* \r to column 0, the text, then erase whatever a longer line left. */
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
	p->drawn = 1;
	p->last_ns = now;
}

void progress_clear(struct progress *p)
{
	if (!p->enabled || !p->drawn)
		return;
	fputs("\r\033[K", p->out);
	fflush(p->out);
	p->drawn = 0;
}
