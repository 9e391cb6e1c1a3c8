/*
 * buf: a growable byte buffer that is always NUL-terminated.
 *
 * Used by every renderer and message builder. A zeroed struct buf is a valid
 * empty buffer. On allocation failure the process aborts with a message:
 * perfagent has no sensible way to go on without memory for text.
 */
#ifndef PA_BUF_H
#define PA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* NUL-terminated; NULL while empty and never grown */
	size_t len;  /* bytes in use, not counting the NUL */
	size_t cap;  /* bytes allocated */
};

#define BUF_INIT {NULL, 0, 0}

void buf_grow(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The contents as a C string; "" for a buffer never written to. */
const char *buf_str(const struct buf *b);
void buf_reset(struct buf *b);
/* Hand the heap string to the caller (free() it) and leave b empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/* Abort with "perfagent: out of memory"; shared by every allocator wrapper. */
void die_oom(void) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
