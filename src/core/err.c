/*
 * err: formatting of the one-line errors functions hand back.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int perr_set(struct perr *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}
