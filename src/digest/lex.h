/*
 * lex: the byte tests and tiny number readers every log reader needs —
 * inline, because they run on every byte of a log.
 */
#ifndef PA_DIGEST_LEX_H
#define PA_DIGEST_LEX_H

#include <stddef.h>

static inline int lex_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static inline int lex_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n without the trailing white space of s[0, n). */
static inline size_t lex_rtrim(const char *s, size_t n)
{
	while (n > 0 && lex_is_space(s[n - 1]))
		n--;
	return n;
}

/* k digits at s[i, i + k) as a number, or -1. */
static inline int lex_digits(const char *s, size_t n, size_t i, size_t k)
{
	if (i + k > n)
		return -1;
	int v = 0;
	for (size_t j = i; j < i + k; j++) {
		if (!lex_is_digit(s[j]))
			return -1;
		v = v * 10 + (s[j] - '0');
	}
	return v;
}

#endif
