/*
 * sqltok: MySQL and PostgreSQL lexical rules, one token at a time.
 *
 * Written from the servers' documented lexical structure: where the two
 * disagree the dialect flags decide, and where a rule is a server's quirk
 * (MySQL's "--" needing a space after it, PostgreSQL's nested comments,
 * MySQL's executable comments ending at the first star-slash *between
 * tokens*) it is followed, because the classifier must see what the server
 * will see. The lenient mode (no dialect) takes the union of both, which is
 * what the column finder wants from a log line of unknown origin.
 */
#include "sql/sqltok.h"

#include <string.h>

static int is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Bytes of an unquoted identifier (UTF-8 bytes included). */
static int is_word(unsigned char c, unsigned dialect)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80 || (c == '$' && !(dialect & SQLTOK_PG));
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

void sqltok_init(struct sqltok_iter *it, const char *sql, size_t len, unsigned dialect)
{
	memset(it, 0, sizeof(*it));
	it->s = sql ? sql : "";
	it->end = sql ? len : 0;
	it->dialect = dialect;
}

/*
 * A quoted run starting at p (s[p] is the quote q): the doubled quote stands
 * for itself, and a backslash escapes the next byte when bs. Returns the end
 * (after the closing quote, or e when unterminated).
 */
static size_t quoted(const char *s, size_t p, size_t e, char q, int bs, unsigned *flags)
{
	size_t i = p + 1;
	while (i < e) {
		char c = s[i];
		if (c == '\\' && bs) {
			i += 2;
			continue;
		}
		if (c == q) {
			if (i + 1 < e && s[i + 1] == q) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	*flags |= SQLTOK_UNTERMINATED;
	return e;
}

/* A block comment at p ("/" "*"): PostgreSQL's nest. */
static size_t block_comment(const char *s, size_t p, size_t e, int nest, unsigned *flags)
{
	size_t i = p + 2, depth = 1;
	while (i + 1 < e) {
		if (s[i] == '*' && s[i + 1] == '/') {
			i += 2;
			if (--depth == 0)
				return i;
			continue;
		}
		if (nest && s[i] == '/' && s[i + 1] == '*') {
			depth++;
			i += 2;
			continue;
		}
		i++;
	}
	*flags |= SQLTOK_UNTERMINATED;
	return e;
}

/* A dollar-quote opener $tag$ at p: its length, or 0. */
static size_t dollar_tag(const char *s, size_t p, size_t e)
{
	size_t i = p + 1;
	if (i < e && is_digit((unsigned char)s[i]))
		return 0; /* $1 is a parameter */
	while (i < e && s[i] != '$') {
		unsigned char c = (unsigned char)s[i];
		if (!(is_word(c, SQLTOK_PG)))
			return 0;
		i++;
	}
	return i < e ? i + 1 - p : 0;
}

static size_t lex(const struct sqltok_iter *it, size_t p, struct sqltok *t);

/*
 * Where MySQL's executable comment opened at p ends: its content is read as
 * tokens, and the first star-slash found where a token would start closes
 * it (one inside a string does not). MySQL does not nest comments, so a
 * comment inside ends at the first star-slash. Returns the end, or e
 * (unterminated).
 */
static size_t exec_comment(const struct sqltok_iter *it, size_t p, unsigned *flags)
{
	const char *s = it->s;
	size_t e = it->end, i = p + (s[p + 2] == 'M' ? 4 : 3);
	while (i < e) {
		while (i < e && is_space((unsigned char)s[i]))
			i++;
		if (i + 1 < e && s[i] == '*' && s[i + 1] == '/')
			return i + 2;
		if (i >= e)
			break;
		if (i + 1 < e && s[i] == '/' && s[i + 1] == '*') {
			size_t k = i + 2;
			while (k + 1 < e && !(s[k] == '*' && s[k + 1] == '/'))
				k++;
			i = k + 1 < e ? k + 2 : e;
			continue;
		}
		struct sqltok sub;
		i = lex(it, i, &sub); /* not a comment opener, so no recursion */
	}
	*flags |= SQLTOK_UNTERMINATED;
	return e;
}

/* Operators longer than one byte, longest first. */
static const char *const ops3[] = {"<=>", "->>", "#>>", "!~*", NULL};
static const char *const ops2[] = {"<=", ">=", "<>", "!=", "||", "&&", "::", ":=", "->", "<<",
				   ">>", "~*", "!~", "@>", "<@", "#>", "?|", "?&", "#-", "=>",
				   "^@", "&<", "&>", "-|", "|-", "@@", "@?", NULL};

/*
 * The length of the operator at p. One ending in "*" stops before a "/"
 * after it: MySQL would end an executable comment there ("!~*" + "/").
 */
static size_t op_len(const char *s, size_t p, size_t e)
{
	size_t l = 1;
	for (int i = 0; l == 1 && ops3[i]; i++)
		if (e - p >= 3 && memcmp(s + p, ops3[i], 3) == 0)
			l = 3;
	for (int i = 0; l == 1 && ops2[i]; i++)
		if (e - p >= 2 && memcmp(s + p, ops2[i], 2) == 0)
			l = 2;
	if (l > 1 && s[p + l - 1] == '*' && p + l < e && s[p + l] == '/')
		l--;
	return l;
}

/*
 * A number at p: digits, fraction, exponent, 0x / 0b forms. If word bytes
 * follow (MySQL allows "1abc" as a name), the whole run is a WORD.
 */
static size_t number(const struct sqltok_iter *it, size_t p, struct sqltok *t)
{
	const char *s = it->s;
	size_t e = it->end, i = p;
	if (s[i] == '0' && i + 2 < e && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
	    is_hex((unsigned char)s[i + 2])) {
		i += 2;
		while (i < e && is_hex((unsigned char)s[i]))
			i++;
	} else if (s[i] == '0' && i + 2 < e && (s[i + 1] == 'b' || s[i + 1] == 'B') &&
		   (s[i + 2] == '0' || s[i + 2] == '1')) {
		i += 2;
		while (i < e && (s[i] == '0' || s[i] == '1'))
			i++;
	} else {
		while (i < e && is_digit((unsigned char)s[i]))
			i++;
		if (i < e && s[i] == '.') {
			i++;
			while (i < e && is_digit((unsigned char)s[i]))
				i++;
		}
		if (i < e && (s[i] | 0x20) == 'e') {
			size_t k = i + 1;
			if (k < e && (s[k] == '+' || s[k] == '-'))
				k++;
			if (k < e && is_digit((unsigned char)s[k])) {
				i = k;
				while (i < e && is_digit((unsigned char)s[i]))
					i++;
			}
		}
	}
	t->kind = SQLTOK_NUMBER;
	if (i < e && s[i] != '.' && is_word((unsigned char)s[i], it->dialect)) {
		while (i < e && is_word((unsigned char)s[i], it->dialect))
			i++;
		t->kind = SQLTOK_WORD;
	}
	return i;
}

/* The token starting at p (not whitespace) into *t; returns its end. */
static size_t lex(const struct sqltok_iter *it, size_t p, struct sqltok *t)
{
	const char *s = it->s;
	size_t e = it->end;
	unsigned d = it->dialect;
	int mysql = (d & SQLTOK_MYSQL) != 0, pg = (d & SQLTOK_PG) != 0;
	int bs = (d & SQLTOK_BACKSLASH) != 0;
	unsigned char c = (unsigned char)s[p];
	unsigned char c1 = p + 1 < e ? (unsigned char)s[p + 1] : 0;
	size_t i;

	t->flags = 0;
	t->s = s + p;
	switch (c) {
	case '-':
		if (c1 == '-' && (!mysql || p + 2 >= e || (unsigned char)s[p + 2] <= ' ' ||
				  s[p + 2] == 0x7f)) {
			t->kind = SQLTOK_COMMENT;
			const char *nl = memchr(s + p, '\n', e - p);
			return nl ? (size_t)(nl - s) : e;
		}
		break;
	case '#':
		if (!pg) {
			t->kind = SQLTOK_COMMENT;
			const char *nl = memchr(s + p, '\n', e - p);
			return nl ? (size_t)(nl - s) : e;
		}
		break;
	case '/':
		if (c1 != '*')
			break;
		if (!pg && p + 2 < e &&
		    (s[p + 2] == '!' || (s[p + 2] == 'M' && p + 3 < e && s[p + 3] == '!'))) {
			t->kind = SQLTOK_VCOMMENT;
			return exec_comment(it, p, &t->flags);
		}
		t->kind = SQLTOK_COMMENT;
		return block_comment(s, p, e, pg, &t->flags);
	case '\'':
		t->kind = SQLTOK_STRING;
		return quoted(s, p, e, '\'', bs, &t->flags);
	case '"':
		t->kind = SQLTOK_DQUOTED;
		return quoted(s, p, e, '"', bs && !pg, &t->flags);
	case '`':
		t->kind = SQLTOK_QIDENT;
		return quoted(s, p, e, '`', 0, &t->flags);
	case '$':
		if (mysql)
			break; /* a name byte in MySQL */
		if (is_digit(c1)) {
			for (i = p + 1; i < e && is_digit((unsigned char)s[i]);)
				i++;
			t->kind = SQLTOK_PARAM;
			return i;
		}
		if ((i = dollar_tag(s, p, e)) != 0) {
			t->kind = SQLTOK_DOLLAR;
			for (size_t k = p + i; k + i <= e; k++)
				if (s[k] == '$' && memcmp(s + k, s + p, i) == 0)
					return k + i;
			t->flags |= SQLTOK_UNTERMINATED;
			return e;
		}
		if (pg) {
			t->kind = SQLTOK_OP;
			return p + 1;
		}
		break;
	case '?':
		if (pg && (c1 == '|' || c1 == '&'))
			break;
		t->kind = SQLTOK_PARAM;
		return p + 1;
	case '@':
		if (pg)
			break;
		i = p + 1;
		if (c1 == '@')
			i++;
		if (i < e && (s[i] == '\'' || s[i] == '"' || s[i] == '`')) {
			t->kind = SQLTOK_VARIABLE;
			return quoted(s, i, e, s[i], bs && s[i] != '`', &t->flags);
		}
		while (i < e && (is_word((unsigned char)s[i], d) || s[i] == '.'))
			i++;
		t->kind = SQLTOK_VARIABLE;
		return i;
	case '(': case ')': case ',': case ';': case '[': case ']': case '{': case '}':
		t->kind = SQLTOK_PUNCT;
		return p + 1;
	case '.':
		/* .5 is a number, t.5 (a name part) is not */
		if (is_digit(c1) && !(p > 0 && (is_word((unsigned char)s[p - 1], d) ||
						s[p - 1] == '`' || s[p - 1] == '"' || s[p - 1] == ')')))
			return number(it, p, t);
		t->kind = SQLTOK_PUNCT;
		return p + 1;
	default:
		break;
	}

	/* X'..' B'..' (numbers), N'..' E'..' U&'..' (strings) */
	unsigned char lc = c | 0x20;
	if (c1 == '\'' && (lc == 'x' || lc == 'b')) {
		t->kind = SQLTOK_NUMBER;
		return quoted(s, p + 1, e, '\'', 0, &t->flags);
	}
	if (c1 == '\'' && (lc == 'n' || lc == 'e')) {
		t->kind = SQLTOK_STRING;
		return quoted(s, p + 1, e, '\'', bs || lc == 'e', &t->flags);
	}
	if (lc == 'u' && c1 == '&' && p + 2 < e && (s[p + 2] == '\'' || s[p + 2] == '"')) {
		t->kind = s[p + 2] == '\'' ? SQLTOK_STRING : SQLTOK_DQUOTED;
		return quoted(s, p + 2, e, s[p + 2], 0, &t->flags);
	}
	if (is_digit(c))
		return number(it, p, t);
	if (is_word(c, d) || c == '$') {
		for (i = p + 1; i < e && (is_word((unsigned char)s[i], d) || s[i] == '$');)
			i++;
		t->kind = SQLTOK_WORD;
		return i;
	}
	t->kind = SQLTOK_OP;
	return p + op_len(s, p, e);
}

int sqltok_next(struct sqltok_iter *it, struct sqltok *t)
{
	const char *s = it->s;
	size_t p = it->pos, e = it->end;
	while (p < e && is_space((unsigned char)s[p]))
		p++;
	if (p >= e) {
		it->pos = e;
		t->kind = SQLTOK_EOF;
		t->flags = 0;
		t->s = s + e;
		t->len = 0;
		return 0;
	}
	size_t q = lex(it, p, t);
	if (q <= p || q > e)
		q = p + 1; /* cannot happen; keeps the loop going forward whatever */
	t->len = q - p;
	it->pos = q;
	return 1;
}

int sqltok_next_code(struct sqltok_iter *it, struct sqltok *t)
{
	for (;;) {
		if (!sqltok_next(it, t)) {
			if (!it->nested)
				return 0;
			it->nested = 0;
			it->end = it->outer_end;
			it->pos = it->resume;
			continue;
		}
		if (t->kind == SQLTOK_COMMENT)
			continue;
		if (t->kind == SQLTOK_VCOMMENT && !it->nested) {
			size_t off = (size_t)(t->s - it->s);
			size_t start = off + (t->s[2] == 'M' ? 4 : 3), stop = off + t->len;
			if (!(t->flags & SQLTOK_UNTERMINATED))
				stop -= 2;
			while (start < stop && is_digit((unsigned char)it->s[start]))
				start++;
			if (start > stop)
				start = stop;
			it->outer_end = it->end;
			it->resume = it->pos;
			it->end = stop;
			it->pos = start;
			it->nested = 1;
			continue;
		}
		return 1;
	}
}

int sqltok_is(const struct sqltok *t, const char *kw)
{
	if (t->kind != SQLTOK_WORD)
		return 0;
	size_t i = 0;
	for (; i < t->len; i++) {
		unsigned char c = (unsigned char)t->s[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (kw[i] == '\0' || c != (unsigned char)kw[i])
			return 0;
	}
	return kw[i] == '\0';
}

void sqltok_name(const struct sqltok *t, const char **s, size_t *len)
{
	*s = t->s;
	*len = t->len;
	if ((t->kind == SQLTOK_QIDENT || t->kind == SQLTOK_DQUOTED) && t->len >= 1) {
		size_t n = t->len - 1;
		if (!(t->flags & SQLTOK_UNTERMINATED) && n >= 1)
			n--;
		*s = t->s + 1;
		*len = n;
	}
}

const char *sqltok_kind_name(enum sqltok_kind k)
{
	switch (k) {
	case SQLTOK_EOF: return "eof";
	case SQLTOK_WORD: return "word";
	case SQLTOK_QIDENT: return "qident";
	case SQLTOK_DQUOTED: return "dquoted";
	case SQLTOK_STRING: return "string";
	case SQLTOK_DOLLAR: return "dollar";
	case SQLTOK_NUMBER: return "number";
	case SQLTOK_PARAM: return "param";
	case SQLTOK_VARIABLE: return "variable";
	case SQLTOK_COMMENT: return "comment";
	case SQLTOK_VCOMMENT: return "vcomment";
	case SQLTOK_OP: return "op";
	case SQLTOK_PUNCT: return "punct";
	}
	return "?";
}
