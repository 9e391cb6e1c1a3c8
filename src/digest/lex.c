/*
 * lex: the number reader the log readers share.
 */
#include "lex.h"

#include <stdint.h>
#include <string.h>

int lex_parse_dec(const char *s, size_t n, int shift, double *out, int *had_dot)
{
	static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10,
				     1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21};
	uint64_t m = 0;
	int ndig = 0, frac = 0, dot = 0, any = 0;
	if (shift < 0 || shift > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (!lex_is_digit(c))
			return -1;
		any = 1;
		if (dot) {
			if (frac >= 18 || ndig >= 18)
				continue; /* beyond what a double holds anyway */
			frac++;
		} else if (ndig >= 18) {
			return -1; /* an integer part this long is not a time */
		}
		m = m * 10 + (uint64_t)(c - '0');
		if (m)
			ndig++;
	}
	if (had_dot)
		*had_dot = dot;
	if (!any)
		return -1;
	*out = (double)m / p10[frac + shift];
	return 0;
}

size_t lex_line_at_or_after(const char *buf, size_t len, size_t from)
{
	if (from >= len)
		return len;
	if (from == 0 || buf[from - 1] == '\n')
		return from;
	const char *nl = memchr(buf + from, '\n', len - from);
	return nl ? (size_t)(nl - buf) + 1 : len;
}

size_t lex_sync_lines(const char *buf, size_t len, size_t from,
		      int (*starts)(const char *s, size_t n, void *arg), void *arg)
{
	size_t pos = lex_line_at_or_after(buf, len, from);
	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		if (starts(s, n, arg))
			return pos;
		pos = nl ? pos + n + 1 : len;
	}
	return len;
}
