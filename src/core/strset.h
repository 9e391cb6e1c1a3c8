/*
 * strset: a set of strings for de-duplication — open addressing with
 * FNV-1a hashes, growing at half full. The set does not own the strings:
 * they must outlive it.
 */
#ifndef PA_STRSET_H
#define PA_STRSET_H

#include <stddef.h>

struct strset {
	const char **slots;
	size_t cap, n;
};

/* Add s; returns 1 when it was new, 0 when it was already there. */
int strset_add(struct strset *set, const char *s);
int strset_has(const struct strset *set, const char *s);
void strset_free(struct strset *set);

#endif
