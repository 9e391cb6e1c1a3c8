/*
 * strset: open-addressing string set.
 */
#include "strset.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t slot_of(const struct strset *set, const char *s)
{
	size_t i = (size_t)hash(s) & (set->cap - 1);
	while (set->slots[i] && strcmp(set->slots[i], s) != 0)
		i = (i + 1) & (set->cap - 1);
	return i;
}

int strset_has(const struct strset *set, const char *s)
{
	return set->cap && set->slots[slot_of(set, s)] != NULL;
}

int strset_add(struct strset *set, const char *s)
{
	if (2 * (set->n + 1) > set->cap) {
		struct strset bigger = {xcalloc(set->cap ? set->cap * 2 : 16, sizeof(char *)),
					set->cap ? set->cap * 2 : 16, 0};
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i]) {
				bigger.slots[slot_of(&bigger, set->slots[i])] = set->slots[i];
				bigger.n++;
			}
		free(set->slots);
		*set = bigger;
	}
	size_t i = slot_of(set, s);
	if (set->slots[i])
		return 0;
	set->slots[i] = s;
	set->n++;
	return 1;
}

void strset_free(struct strset *set)
{
	free(set->slots);
	set->slots = NULL;
	set->cap = set->n = 0;
}
