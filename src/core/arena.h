/*
 * arena: bump allocation for memory that lives exactly as long as one parsed
 * result, one report or one request. Everything is freed at once by
 * arena_free(); nothing allocated here is freed on its own.
 *
 * A zeroed struct arena is ready to use.
 */
#ifndef PA_ARENA_H
#define PA_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
};

/* size bytes aligned for any type; aborts on out-of-memory. */
void *arena_alloc(struct arena *a, size_t size);
/* A zero-filled array of n elements of size each. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copies of strings; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
