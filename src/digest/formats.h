/*
 * formats: the readers behind one interface, so the driver (run.c) treats
 * every log format alike. Each entry wraps one reader module.
 */
#ifndef PA_DIGEST_FORMATS_H
#define PA_DIGEST_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct fmt_ops {
	enum dg_format fmt;
	size_t state_size;
	void (*init)(void *st, const char *buf, size_t len);
	void (*fini)(void *st);                          /* or NULL */
	int (*next_query)(void *st, struct dg_query *q); /* query logs; else NULL */
	int (*next_hit)(void *st, struct dg_hit *h);     /* access logs; else NULL */
	int64_t (*garbled)(const void *st);
	/* An event boundary at or after `from`, for splitting a file; NULL: not splittable. */
	size_t (*sync)(const char *buf, size_t len, size_t from);
};

/* The reader of a format, or NULL for DG_UNKNOWN. */
const struct fmt_ops *fmt_ops_for(enum dg_format f);

#endif
