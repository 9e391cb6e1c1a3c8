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

/*
 * An exact decimal "digits[.digits]" filling all of s[0, n), divided by
 * 10^shift (3 reads milliseconds as seconds): the digits are gathered as an
 * integer and divided once by a power of ten, so "0.000123" is the double
 * nearest 123e-6, not a sum of rounding errors. Digits past the 18th
 * significant one are dropped; a longer integer part is an error. *had_dot
 * (when not NULL) says whether there was a point. 0, or -1 when s is not
 * such a number.
 */
int lex_parse_dec(const char *s, size_t n, int shift, double *out, int *had_dot);

/* The start of the first line at or after `from`: from itself when a line starts there; len if none. */
size_t lex_line_at_or_after(const char *buf, size_t len, size_t from);

/*
 * The first line at or after `from` for which starts(line, its length, arg)
 * is true — the sync point of a reader whose events begin on a line of
 * their own. len when there is none.
 */
size_t lex_sync_lines(const char *buf, size_t len, size_t from,
		      int (*starts)(const char *s, size_t n, void *arg), void *arg);

#endif
