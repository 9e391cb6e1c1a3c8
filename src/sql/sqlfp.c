/*
 * sqlfp: pt-query-digest's fingerprint, rule for rule, as linear scans.
 *
 * Percona Toolkit fingerprints a statement with a chain of Perl regular
 * expression substitutions (QueryRewriter::fingerprint). A tokenizer would
 * give nicer classes but different ones, and then a class here would not be
 * a class there and the IDs would not match. So each substitution below is
 * one of pt's, in pt's order, applied to the whole text as pt applies it:
 * comments are removed before quotes are looked at, "true" is replaced before
 * numbers, the text is lower-cased before NULL and IN lists are looked for,
 * and so on. Perl's byte semantics are kept too: \s is [\t\n\v\f\r ], \w is
 * [A-Za-z0-9_], lc() folds ASCII only (pt reads logs as bytes).
 *
 * The text moves between two scratch regions carved out of the caller's
 * output buffer; a pass with nothing to do leaves it where it is. Only two
 * rules can lengthen the text (IN lists and UNION repeats), both by at most
 * half, so regions of 2 * len + 64 bytes are enough and nothing is allocated
 * once the caller's buffer has grown to that.
 */
#include "sql/sqlfp.h"

#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

/* Byte classes of the regular expressions being reproduced. */
enum {
	C_SP = 0x01,   /* Perl's \s on bytes: \t \n \v \f \r space */
	C_W = 0x02,    /* \w: [A-Za-z0-9_] */
	C_NS = 0x04,   /* a number may start here: [0-9+-] */
	C_NC = 0x08,   /* a number goes on with: [0-9a-f.xb+-] */
	C_XB = 0x10,   /* dropped before a "?": [xb.+-] */
	C_TR = 0x20,   /* squeezed into one space: [ \n\t\r\f] */
	C_OL = 0x40,   /* ends a one-line comment's body: ['"\r\n] */
	C_LIT = 0x80,  /* pass_literals must look closer: [tTfF0-9+?-] */
};

static const unsigned char cls[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x61, 0x01, 0x21, 0x61, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x21, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x9c, 0x00, 0x9c, 0x18, 0x00,
	0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x8e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
	0x00, 0x02, 0x02, 0x02, 0x02, 0x02, 0x82, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,
	0x02, 0x02, 0x02, 0x02, 0x82, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x0a, 0x1a, 0x0a, 0x0a, 0x0a, 0x8a, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,
	0x02, 0x02, 0x02, 0x02, 0x82, 0x02, 0x02, 0x02, 0x1a, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 0x80..0xff: no class; pt sees bytes, not UTF-8 characters */
};

#define IS(c, k) (cls[(unsigned char)(c)] & (k))
#define NOCHANGE ((size_t)-1)

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* A byte in lower case, the way Perl's lc() does it on a byte string. */
static const unsigned char lct[256] = {
#define R16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, \
	b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
	R16(0x00), R16(0x10), R16(0x20), R16(0x30),
	0x40, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	R16(0x60), R16(0x70), R16(0x80), R16(0x90), R16(0xa0), R16(0xb0),
	R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0),
#undef R16
};

/* s[0..n) equals the lower-case ASCII literal lit, ignoring ASCII case. */
static int ieq(const char *s, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

static int has_prefix(const char *s, size_t n, const char *lit, size_t ln)
{
	return n >= ln && memcmp(s, lit, ln) == 0;
}

/*
 * The first lit[0..ln) in s[from..n), or NULL. memchr on its first byte, then
 * memcmp: faster than memmem for the short, mostly absent needles here.
 */
static const char *find_lit(const char *s, size_t n, size_t from, const char *lit, size_t ln)
{
	while (from + ln <= n) {
		const char *p = memchr(s + from, lit[0], n - from - ln + 1);
		if (!p)
			return NULL;
		if (memcmp(p + 1, lit + 1, ln - 1) == 0)
			return p;
		from = (size_t)(p - s) + 1;
	}
	return NULL;
}

/* The next slash-star at or after from, or n. */
static size_t find_open(const char *s, size_t n, size_t from)
{
	while (from + 1 < n) {
		const char *p = memchr(s + from, '/', n - 1 - from);
		if (!p)
			break;
		from = (size_t)(p - s);
		if (s[from + 1] == '*')
			return from;
		from++;
	}
	return n;
}

/* The next star-slash at or after from, or n. */
static size_t find_close(const char *s, size_t n, size_t from)
{
	while (from + 1 < n) {
		const char *p = memchr(s + from, '*', n - 1 - from);
		if (!p)
			break;
		from = (size_t)(p - s);
		if (s[from + 1] == '/')
			return from;
		from++;
	}
	return n;
}

/* m#/\*\w+\.\w+:[0-9]/[0-9]\*\/#: the marker Percona tools put in their own queries. */
static int toolkit_marker(const char *s, size_t n)
{
	for (size_t p = find_open(s, n, 0); p < n; p = find_open(s, n, p + 1)) {
		size_t k = p + 2, j = k;
		while (k < n && IS(s[k], C_W))
			k++;
		if (k == j || k >= n || s[k] != '.')
			continue;
		j = ++k;
		while (k < n && IS(s[k], C_W))
			k++;
		if (k == j || n - k < 6)
			continue;
		if (s[k] == ':' && s[k + 1] >= '0' && s[k + 1] <= '9' && s[k + 2] == '/' &&
		    s[k + 3] >= '0' && s[k + 3] <= '9' && s[k + 4] == '*' && s[k + 5] == '/')
			return 1;
	}
	return 0;
}

/*
 * m/\A\s*(call\s+\S+)\(/i: where "call name" ends (its "("), or 0; *start
 * gets where it starts. \S+ is greedy: the name runs to the last "(" of its word.
 */
static size_t call_prefix(const char *s, size_t n, size_t *start)
{
	size_t i = 0;
	while (i < n && IS(s[i], C_SP))
		i++;
	if (n - i < 5 || !ieq(s + i, "call", 4) || !IS(s[i + 4], C_SP))
		return 0;
	size_t a = i + 4;
	while (a < n && IS(s[a], C_SP))
		a++;
	size_t e = a;
	while (e < n && !IS(s[e], C_SP))
		e++;
	*start = i;
	for (size_t k = e; k > a + 1; k--)
		if (s[k - 1] == '(')
			return k - 1;
	return 0;
}

/* After \s+INTO at j (case-insensitive), or 0. */
static size_t after_into(const char *s, size_t n, size_t j)
{
	if (j >= n || !IS(s[j], C_SP))
		return 0;
	while (j < n && IS(s[j], C_SP))
		j++;
	return (n - j >= 4 && ieq(s + j, "into", 4)) ? j + 4 : 0;
}

/*
 * pt shortens a multi-row INSERT/REPLACE to its first row before anything
 * else: m/\A((?:INSERT|REPLACE)(?: IGNORE)?\s+INTO.+?VALUES\s*\(.*?\))\s*,\s*\(/is.
 * Returns the length to keep: up to the first ")" that is followed by
 * ", (", or n when the statement is not one.
 */
static size_t insert_cut(const char *s, size_t n)
{
	size_t j;
	if (n >= 6 && ieq(s, "insert", 6))
		j = 6;
	else if (n >= 7 && ieq(s, "replace", 7))
		j = 7;
	else
		return n;
	size_t t = 0;
	if (n - j >= 7 && s[j] == ' ' && ieq(s + j + 1, "ignore", 6))
		t = after_into(s, n, j + 7);
	if (!t)
		t = after_into(s, n, j);
	if (!t)
		return n;
	/* .+? then VALUES: the first VALUES at least one byte after INTO */
	for (size_t v = t + 1; v + 6 <= n; v++) {
		if ((s[v] | 0x20) != 'v' || !ieq(s + v, "values", 6))
			continue;
		size_t k = v + 6;
		while (k < n && IS(s[k], C_SP))
			k++;
		if (k >= n || s[k] != '(')
			continue;
		/* .*?\) then \s*,\s*\( ; a later VALUES could only see fewer ")" */
		for (size_t r = k + 1; r < n; r++) {
			if (s[r] != ')')
				continue;
			size_t m = r + 1;
			while (m < n && IS(s[m], C_SP))
				m++;
			if (m >= n || s[m] != ',')
				continue;
			m++;
			while (m < n && IS(s[m], C_SP))
				m++;
			if (m < n && s[m] == '(')
				return r + 1;
		}
		return n;
	}
	return n;
}

/*
 * s#/\*[^!].*?\*\/##sg: block comments, except those starting "/\*!". The
 * [^!] takes a byte, so "/\**\/" does not close itself.
 */
static size_t pass_block_comments(const char *in, size_t n, char *o)
{
	size_t p = find_open(in, n, 0);
	if (p == n)
		return NOCHANGE;
	size_t w = 0, copied = 0;
	while (p < n) {
		if (p + 2 >= n)
			break;
		if (in[p + 2] == '!') {
			p = find_open(in, n, p + 1);
			continue;
		}
		size_t e = find_close(in, n, p + 3);
		if (e == n)
			break; /* no star-slash after this one, so none after a later one either */
		memcpy(o + w, in + copied, p - copied);
		w += p - copied;
		copied = e + 2;
		p = find_open(in, n, copied);
	}
	if (copied == 0)
		return NOCHANGE;
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/*
 * s/(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)//g: one-line comments, but only those
 * with no quote before the end of the line; "--" needs no space after it.
 */
static size_t pass_line_comments(const char *in, size_t n, char *o)
{
	if (!memchr(in, '#', n) && !find_lit(in, n, 0, "--", 2))
		return NOCHANGE;
	size_t w = 0, copied = 0, i = 0;
	int any = 0;
	while (i < n) {
		char c = in[i];
		size_t start;
		if (c == '#')
			start = i + 1;
		else if (c == '-' && i + 1 < n && in[i + 1] == '-')
			start = i + 2;
		else {
			i++;
			continue;
		}
		size_t j = start;
		while (j < n && !IS(in[j], C_OL))
			j++;
		if (j < n && in[j] != '\r' && in[j] != '\n') {
			i = j; /* a quote: every comment start before it fails the same way */
			continue;
		}
		memcpy(o + w, in + copied, i - copied);
		w += i - copied;
		copied = i = j;
		any = 1;
	}
	if (!any)
		return NOCHANGE;
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/*
 * s/\Ause \S+\Z/use ?/i: a USE statement. Returns the length written to o
 * ("use ?", plus the final newline \Z lets through), or NOCHANGE.
 */
static size_t use_statement(const char *in, size_t n, char *o)
{
	if (n < 5 || !ieq(in, "use", 3) || in[3] != ' ')
		return NOCHANGE;
	size_t k = 4;
	while (k < n && !IS(in[k], C_SP))
		k++;
	if (k == 4 || !(k == n || (k == n - 1 && in[k] == '\n')))
		return NOCHANGE;
	memcpy(o, "use ?\n", 6);
	return k == n ? 5 : 6;
}

/* s/\\["']//g: a backslash-escaped quote goes, backslash and all. */
static size_t pass_escaped_quotes(const char *in, size_t n, char *o)
{
	const char *p = memchr(in, '\\', n);
	if (!p)
		return NOCHANGE;
	size_t w = (size_t)(p - in), i = w;
	memcpy(o, in, w);
	while (i < n) {
		if (in[i] == '\\' && i + 1 < n && (in[i + 1] == '"' || in[i + 1] == '\''))
			i += 2;
		else
			o[w++] = in[i++];
	}
	return w;
}

/* s/q.*?q/?/sg for the quote q: pairs of quotes, left to right, become "?". */
static size_t pass_quotes(const char *in, size_t n, char *o, char q)
{
	const char *p = memchr(in, q, n);
	if (!p)
		return NOCHANGE;
	size_t w = 0, copied = 0, i = (size_t)(p - in);
	for (;;) {
		const char *e = i + 1 < n ? memchr(in + i + 1, q, n - i - 1) : NULL;
		if (!e)
			break;
		memcpy(o + w, in + copied, i - copied);
		w += i - copied;
		o[w++] = '?';
		copied = (size_t)(e - in) + 1;
		p = copied < n ? memchr(in + copied, q, n - copied) : NULL;
		if (!p)
			break;
		i = (size_t)(p - in);
	}
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/* \btrue\b or \bfalse\b (any case) at i, the byte before not being \w: its length or 0. */
static size_t boolean_at(const char *s, size_t i, size_t n)
{
	unsigned char c = lower((unsigned char)s[i]);
	size_t l;
	if (c == 't' && n - i >= 4 && ieq(s + i, "true", 4))
		l = 4;
	else if (c == 'f' && n - i >= 5 && ieq(s + i, "false", 5))
		l = 5;
	else
		return 0;
	return (i + l == n || !IS(s[i + l], C_W)) ? l : 0;
}

/* Append "?", dropping one [xb.+-] right before it: s/[xb.+-]\?/?/g. */
static inline size_t put_q(char *o, size_t w)
{
	if (w && IS(o[w - 1], C_XB))
		w--;
	o[w] = '?';
	return w + 1;
}

/*
 * Literals, in pt's order, in one pass: s/\bfalse\b|\btrue\b/?/ig, then
 * s/[0-9+-][0-9a-f.xb+-]*\/?/g (with a leading \b when embedded numbers are
 * kept), then s/[xb.+-]\?/?/g. A number may not run into a "false" the
 * first rule has already replaced ("1.false" is two literals).
 */
static size_t pass_literals(const char *in, size_t n, char *o, int embedded)
{
	size_t w = 0, i = 0;
	int pw = 0;  /* in[i-1] is \w: the boolean rule's \b */
	int pw1 = 0; /* the byte before i after the boolean rule is \w: the number rule's \b */
	while (i < n) {
		unsigned char c = (unsigned char)in[i];
		if (!IS(c, C_LIT)) {
			o[w++] = (char)c;
			pw = pw1 = IS(c, C_W) != 0;
			i++;
			continue;
		}
		size_t l;
		if (!pw && (l = boolean_at(in, i, n))) {
			w = put_q(o, w);
			i += l;
			pw = 1;
			pw1 = 0;
			continue;
		}
		if (IS(c, C_NS) && (!embedded || (IS(c, C_W) ? !pw1 : pw1))) {
			size_t j = i + 1;
			while (j < n && IS(in[j], C_NC)) {
				if (in[j] == 'f' && !IS(in[j - 1], C_W) && boolean_at(in, j, n))
					break;
				j++;
			}
			w = put_q(o, w);
			pw = pw1 = IS(in[j - 1], C_W) != 0;
			i = j;
			continue;
		}
		if (c == '?')
			w = put_q(o, w);
		else
			o[w++] = (char)c;
		pw = pw1 = IS(c, C_W) != 0;
		i++;
	}
	return w;
}

/*
 * What the passes after pass_space_case could find, seen while it writes:
 * each bit is set when the text has what that pass's expression needs at
 * its start, so a pass whose bit is clear has nothing to do.
 */
enum {
	H_LIST = 0x1,  /* "(" after \b(in|values?)[\s,]* */
	H_UNION = 0x2, /* \su */
	H_LIMIT = 0x4, /* \bl */
	H_ORDER = 0x8, /* \bo */
};

/* o[0..w) ends with \b(in|value|values) and then [\s,]*. */
static int ends_with_list_word(const char *o, size_t w)
{
	while (w && (IS(o[w - 1], C_SP) || o[w - 1] == ','))
		w--;
	size_t l;
	if (w >= 2 && o[w - 2] == 'i' && o[w - 1] == 'n')
		l = 2;
	else if (w >= 5 && memcmp(o + w - 5, "value", 5) == 0)
		l = 5;
	else if (w >= 6 && memcmp(o + w - 6, "values", 6) == 0)
		l = 6;
	else
		return 0;
	return w == l || !IS(o[w - l - 1], C_W);
}

/*
 * Whitespace, case and NULL in one pass: s/\A\s+//, chomp, tr/ \n\t\r\f/ /s
 * (note: not \v), lc, then s/\bnull\b/?/g on the result. *hints gets H_*.
 */
static size_t pass_space_case(const char *in, size_t n, char *o, unsigned *hints)
{
	size_t s = 0, e = n, w = 0;
	unsigned h = 0;
	while (s < e && IS(in[s], C_SP))
		s++;
	if (e > s && in[e - 1] == '\n')
		e--;
	size_t i = s;
	while (i < e) {
		unsigned char c = (unsigned char)in[i];
		if (IS(c, C_W)) {
			/*
			 * A word, and its start is a \b in the output too: lower-casing
			 * and squeezing keep what is \w and what is not.
			 */
			switch (lct[c]) {
			case 'n':
				if (e - i >= 4 && ieq(in + i, "null", 4) &&
				    (i + 4 == e || !IS(in[i + 4], C_W))) {
					o[w++] = '?';
					i += 4;
					continue;
				}
				break;
			case 'l':
				h |= H_LIMIT;
				break;
			case 'o':
				h |= H_ORDER;
				break;
			case 'u':
				if (w && IS(o[w - 1], C_SP))
					h |= H_UNION;
				break;
			default:
				break;
			}
			do
				o[w++] = (char)lct[(unsigned char)in[i++]];
			while (i < e && IS(in[i], C_W));
			continue;
		}
		if (IS(c, C_TR)) {
			o[w++] = ' ';
			while (++i < e && IS(in[i], C_TR))
				;
			continue;
		}
		if (c == '(' && !(h & H_LIST) && ends_with_list_word(o, w))
			h |= H_LIST;
		o[w++] = (char)c;
		i++;
	}
	*hints = h;
	return w;
}

/* (?:[\s,]*\([\s?,]*\))+ at k: where the run of such lists ends, or 0. */
static size_t list_run(const char *s, size_t n, size_t k)
{
	size_t end = 0;
	for (;;) {
		size_t t = k;
		while (t < n && (IS(s[t], C_SP) || s[t] == ','))
			t++;
		if (t >= n || s[t] != '(')
			return end;
		t++;
		while (t < n && (IS(s[t], C_SP) || s[t] == '?' || s[t] == ','))
			t++;
		if (t >= n || s[t] != ')')
			return end;
		k = end = t + 1;
	}
}

/* s/\b(in|values?)(?:[\s,]*\([\s?,]*\))+/$1(?+)/g; may lengthen by half. */
static size_t pass_lists(const char *in, size_t n, char *o)
{
	size_t w = 0, copied = 0;
	for (size_t i = 0; i + 2 < n; i++) {
		char c = in[i];
		if ((c != 'i' && c != 'v') || (i && IS(in[i - 1], C_W)))
			continue;
		size_t wl = 0;
		if (c == 'i' && in[i + 1] == 'n')
			wl = 2;
		else if (c == 'v' && n - i >= 5 && memcmp(in + i, "value", 5) == 0)
			wl = (i + 5 < n && in[i + 5] == 's') ? 6 : 5;
		size_t e = wl ? list_run(in, n, i + wl) : 0;
		if (!e)
			continue;
		memcpy(o + w, in + copied, i + wl - copied);
		w += i + wl - copied;
		memcpy(o + w, "(?+)", 4);
		w += 4;
		copied = e;
		i = e - 1;
	}
	if (copied == 0)
		return NOCHANGE;
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/* The next \bselect\s at or after from, or n. */
static size_t find_select(const char *s, size_t n, size_t from)
{
	while (from + 7 <= n) {
		const char *p = memmem(s + from, n - from, "select", 6);
		if (!p)
			break;
		size_t i = (size_t)(p - s);
		if (i + 7 <= n && IS(s[i + 6], C_SP) && (i == 0 || !IS(s[i - 1], C_W)))
			return i;
		from = i + 1;
	}
	return n;
}

/*
 * a[0..l) == b[0..l), eight bytes at a time; *work grows by the words looked
 * at, which is what a mismatch really costs (most fail in the first word).
 */
static int same_bytes(const char *a, const char *b, size_t l, size_t *work)
{
	size_t i = 0;
	while (l - i >= 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		++*work;
		if (x != y)
			return 0;
		i += 8;
	}
	++*work;
	return memcmp(a + i, b + i, l - i) == 0;
}

/*
 * One repetition \s union(\s all)? \s $1 at u, $1 being s[p..p+l): where it
 * ends, or 0; *cap_end gets the end of the "\sunion(\sall)?" capture.
 */
static size_t union_repeat(const char *s, size_t n, size_t u, size_t p, size_t l, size_t *cap_end,
			   size_t *work)
{
	if (n - u < 7 || !IS(s[u], C_SP) || memcmp(s + u + 1, "union", 5) != 0)
		return 0;
	size_t b = u + 6;
	/* (?:\sall)? is greedy; without "all" the $1 would have to start with "all" */
	if (n - b >= 4 && IS(s[b], C_SP) && memcmp(s + b + 1, "all", 3) == 0)
		b += 4;
	if (b >= n || !IS(s[b], C_SP) || n - b - 1 < l || !same_bytes(s + b + 1, s + p, l, work))
		return 0;
	*cap_end = b;
	return b + 1 + l;
}

/*
 * s/\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+/$1 \/\*repeat$2\*\//g: a
 * SELECT repeated through UNION [ALL] is written once. For each SELECT the
 * lazy .*? tries the UNIONs after it in order, so the positions of the
 * UNIONs are listed once (in ul, room for n / 6 + 1) rather than searched
 * for again per SELECT. Pathological text (thousands of SELECTs and UNIONs
 * that never repeat) could make this quadratic, as it is in Perl; past a
 * budget of work the rest is left as it is (docs/fingerprints.md).
 */
static size_t pass_unions(const char *in, size_t n, char *o, size_t *ul)
{
	size_t nu = 0;
	for (size_t from = 1; from + 5 <= n;) {
		const char *p = memmem(in + from, n - from, "union", 5);
		if (!p)
			break;
		size_t h = (size_t)(p - in);
		if (IS(in[h - 1], C_SP))
			ul[nu++] = h - 1;
		from = h + 5;
	}
	if (nu == 0)
		return NOCHANGE;
	size_t work = 0, budget = 32 * n + (1u << 20);
	size_t w = 0, copied = 0, ui = 0;
	for (size_t p = find_select(in, n, 0); p < n; p = find_select(in, n, p)) {
		while (ui < nu && ul[ui] < p + 7)
			ui++;
		size_t end = 0, l = 0, cap_s = 0, cap_e = 0;
		for (size_t k = ui; k < nu; k++) {
			size_t u = ul[k];
			l = u - p;
			if (n - u < 7 + l)
				break; /* later UNIONs leave even less room for the copy */
			if (work > budget)
				goto out;
			size_t ce;
			size_t e = union_repeat(in, n, u, p, l, &ce, &work);
			if (!e)
				continue;
			cap_s = u;
			cap_e = ce;
			end = e;
			while ((e = union_repeat(in, n, end, p, l, &ce, &work)) != 0) {
				cap_s = end;
				cap_e = ce;
				end = e;
			}
			break;
		}
		if (!end) {
			p++;
			continue;
		}
		memcpy(o + w, in + copied, p + l - copied);
		w += p + l - copied;
		memcpy(o + w, " /*repeat", 9);
		w += 9;
		memcpy(o + w, in + cap_s, cap_e - cap_s);
		w += cap_e - cap_s;
		o[w++] = '*';
		o[w++] = '/';
		copied = p = end;
	}
out:
	if (copied == 0)
		return NOCHANGE;
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/* s/\blimit \?(?:, ?\?| offset \?)?/limit ?/: the first LIMIT only. */
static size_t pass_limit(const char *in, size_t n, char *o)
{
	size_t i = 0;
	for (;;) {
		const char *p = find_lit(in, n, i, "limit ?", 7);
		if (!p)
			return NOCHANGE;
		i = (size_t)(p - in);
		if (i == 0 || !IS(in[i - 1], C_W))
			break;
		i++;
	}
	size_t k = i + 7;
	if (k < n && in[k] == ',') {
		if (k + 1 < n && in[k + 1] == '?')
			k += 2;
		else if (k + 2 < n && in[k + 1] == ' ' && in[k + 2] == '?')
			k += 3;
	} else if (has_prefix(in + k, n - k, " offset ?", 9)) {
		k += 9;
	}
	if (k == i + 7)
		return NOCHANGE;
	memcpy(o, in, i + 7);
	memcpy(o + i + 7, in + k, n - k);
	return i + 7 + n - k;
}

/*
 * After the first \bORDER BY : 1 while s/\G(.+?)\s+ASC/$1/gi && pos. The
 * s///g resets pos, so this is one global pass anchored at the end of
 * "order by ": each step drops the first \s+asc (with no \b after it, so
 * "ascii" loses its "asc" too) and the next step starts right after it.
 */
static size_t pass_order_asc(const char *in, size_t n, char *o)
{
	size_t i = 0;
	for (;;) {
		const char *p = find_lit(in, n, i, "order by ", 9);
		if (!p)
			return NOCHANGE;
		i = (size_t)(p - in);
		if (i == 0 || !IS(in[i - 1], C_W))
			break;
		i++;
	}
	size_t cur = i + 9;
	if (!find_lit(in, n, cur, "asc", 3))
		return NOCHANGE;
	size_t w = cur, copied = cur;
	memcpy(o, in, cur);
	for (;;) {
		size_t t = cur + 1, hit = 0, r = 0;
		while (t < n) {
			if (!IS(in[t], C_SP)) {
				t++;
				continue;
			}
			r = t;
			while (r < n && IS(in[r], C_SP))
				r++;
			if (n - r >= 3 && memcmp(in + r, "asc", 3) == 0) {
				hit = 1;
				break;
			}
			t = r;
		}
		if (!hit)
			break;
		memcpy(o + w, in + copied, t - copied);
		w += t - copied;
		copied = cur = r + 3;
	}
	if (copied == i + 9)
		return NOCHANGE;
	memcpy(o + w, in + copied, n - copied);
	return w + n - copied;
}

/* Where the text is between passes: the caller's input, or scratch region 0 or 1. */
struct fpw {
	struct buf *out;
	const char *in; /* the caller's text, while no pass has written */
	int at;         /* -1: in; 0 or 1: region at out->data + at * region */
	size_t n;       /* current length */
	size_t region;  /* bytes per scratch region */
};

static const char *fpw_cur(const struct fpw *f)
{
	return f->at < 0 ? f->in : f->out->data + (size_t)f->at * f->region;
}

static char *fpw_dst(const struct fpw *f)
{
	return f->out->data + (f->at == 0 ? f->region : 0);
}

/* Take a pass's result: a new length in the other region, or NOCHANGE. */
static void fpw_took(struct fpw *f, size_t n)
{
	if (n == NOCHANGE)
		return;
	f->at = f->at == 0 ? 1 : 0;
	f->n = n;
}

/* Leave the final text at the start of out. */
static void fpw_finish(struct fpw *f)
{
	struct buf *out = f->out;
	if (f->at < 0)
		memcpy(out->data, f->in, f->n);
	else if (f->at == 1)
		memmove(out->data, out->data + f->region, f->n);
	out->len = f->n;
	out->data[f->n] = '\0';
}

static void put_lower(struct buf *out, const char *s, size_t n)
{
	buf_grow(out, n);
	for (size_t i = 0; i < n; i++)
		out->data[i] = (char)lower((unsigned char)s[i]);
	out->len = n;
	out->data[n] = '\0';
}

#define MYSQLDUMP_PREFIX "SELECT /*!40001 SQL_NO_CACHE */ * FROM `"

/*
 * pt's fingerprint(): first the statements it names whole (mysqldump's,
 * Percona tools' own, administrator commands, CALL), then the multi-row
 * INSERT cut, comments, USE, quotes, literals, whitespace and case and
 * NULL, IN / VALUES lists, UNION repeats, LIMIT, ORDER BY ... ASC: the
 * order matters, each rule sees what the ones before it left.
 */
void sqlfp_fingerprint_flags(const char *sql, size_t len, unsigned flags, struct buf *out)
{
	buf_reset(out);
	if (!sql) {
		sql = "";
		len = 0;
	}
	if (has_prefix(sql, len, MYSQLDUMP_PREFIX, sizeof(MYSQLDUMP_PREFIX) - 1)) {
		buf_puts(out, "mysqldump");
		return;
	}
	if (toolkit_marker(sql, len)) {
		buf_puts(out, "percona-toolkit");
		return;
	}
	if (has_prefix(sql, len, "administrator command: ", 23)) {
		buf_put(out, sql, len);
		return;
	}
	size_t start = 0, k = call_prefix(sql, len, &start);
	if (k) {
		put_lower(out, sql + start, k - start);
		return;
	}

	struct fpw f = {out, sql, -1, insert_cut(sql, len), 0};
	if (f.n > (SIZE_MAX - 256) / 8) /* the regions and the UNION list fit in a size_t */
		die_oom();
	f.region = 2 * f.n + 64;
	buf_grow(out, 2 * f.region);

	fpw_took(&f, pass_block_comments(fpw_cur(&f), f.n, fpw_dst(&f)));
	fpw_took(&f, pass_line_comments(fpw_cur(&f), f.n, fpw_dst(&f)));
	size_t u = use_statement(fpw_cur(&f), f.n, fpw_dst(&f));
	if (u != NOCHANGE) {
		fpw_took(&f, u);
		fpw_finish(&f);
		return;
	}
	fpw_took(&f, pass_escaped_quotes(fpw_cur(&f), f.n, fpw_dst(&f)));
	fpw_took(&f, pass_quotes(fpw_cur(&f), f.n, fpw_dst(&f), '"'));
	fpw_took(&f, pass_quotes(fpw_cur(&f), f.n, fpw_dst(&f), '\''));
	int emb = (flags & SQLFP_PRESERVE_EMBEDDED_NUMBERS) != 0;
	fpw_took(&f, pass_literals(fpw_cur(&f), f.n, fpw_dst(&f), emb));
	unsigned h;
	fpw_took(&f, pass_space_case(fpw_cur(&f), f.n, fpw_dst(&f), &h));
	if (h & H_LIST)
		fpw_took(&f, pass_lists(fpw_cur(&f), f.n, fpw_dst(&f)));
	if ((h & H_UNION) && f.n >= 21) {
		/* room for the list of UNION positions after the two regions */
		size_t list = (f.n / 6 + 1) * sizeof(size_t);
		buf_grow(out, 2 * f.region + list + sizeof(size_t));
		uintptr_t a = (uintptr_t)(out->data + 2 * f.region);
		a = (a + sizeof(size_t) - 1) & ~(uintptr_t)(sizeof(size_t) - 1);
		size_t n = pass_unions(fpw_cur(&f), f.n, fpw_dst(&f), (size_t *)a);
		if (n != NOCHANGE)
			h |= H_LIMIT | H_ORDER; /* a repeat taken out can put a \b before them */
		fpw_took(&f, n);
	}
	if (h & H_LIMIT)
		fpw_took(&f, pass_limit(fpw_cur(&f), f.n, fpw_dst(&f)));
	if (h & H_ORDER)
		fpw_took(&f, pass_order_asc(fpw_cur(&f), f.n, fpw_dst(&f)));
	fpw_finish(&f);
}

void sqlfp_fingerprint(const char *sql, size_t len, struct buf *out)
{
	sqlfp_fingerprint_flags(sql, len, 0, out);
}

/* MD5 of fp as upper-case hex digits from byte `from` on, after "0x". */
static void md5_id(const char *fp, size_t len, size_t from, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(fp ? fp : "", fp ? len : 0, md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
		memset(md, 0, 16); /* libcrypto without MD5 (FIPS): a stable, visible non-ID */
	char *o = out;
	*o++ = '0';
	*o++ = 'x';
	for (size_t i = from; i < 16; i++) {
		*o++ = hex[md[i] >> 4];
		*o++ = hex[md[i] & 15];
	}
	*o = '\0';
}

void sqlfp_query_id(const char *fp, size_t len, char out[SQLFP_ID_LEN])
{
	md5_id(fp, len, 8, out);
}

void sqlfp_query_id_full(const char *fp, size_t len, char out[SQLFP_ID_FULL_LEN])
{
	md5_id(fp, len, 0, out);
}
