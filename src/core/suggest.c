/*
 * suggest: edit distance and closest-name lookup for "did you mean".
 */
#include "suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX 64

size_t suggest_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > SUGGEST_MAX || m > SUGGEST_MAX)
		return (size_t)-1;
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

const char *suggest_closest(const char *word, const char *const *names, size_t n)
{
	size_t len = strlen(word);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	int tie = 0;
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		size_t d = suggest_distance(word, names[i]);
		/* A prefix of a long name ("--base" for "--baseline") is a
		 * likely abbreviation even when many edits away. */
		if (len >= 3 && strncmp(names[i], word, len) == 0 && d > 1)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = names[i];
			tie = 0;
		} else if (d == best_d && best && strcmp(best, names[i]) != 0) {
			tie = 1;
		}
	}
	if (!best || best_d > limit || tie)
		return NULL;
	if (best_d == 0 && strcmp(best, word) == 0)
		return NULL; /* the word itself: nothing to suggest */
	return best;
}
