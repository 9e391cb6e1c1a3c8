/*
 * suggest: "did you mean" — the closest of a set of names to a mistyped one.
 */
#ifndef PA_SUGGEST_H
#define PA_SUGGEST_H

#include <stddef.h>

/*
 * Optimal-string-alignment distance (Levenshtein plus adjacent
 * transposition), case-insensitive. Strings longer than 64 bytes compare as
 * far apart: names are short, and this keeps the table on the stack.
 */
size_t suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to `word`, or NULL when none is close enough to be a
 * plausible typo: within 2 edits, or a third of the word's length for longer
 * words, and not a tie between two different candidates; a name that
 * differs only in case ("Report") is suggested too. `names` holds n
 * strings; NULL entries are skipped.
 */
const char *suggest_closest(const char *word, const char *const *names, size_t n);

#endif
