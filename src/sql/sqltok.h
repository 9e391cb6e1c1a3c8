/*
 * sqltok: a tokenizer for MySQL and PostgreSQL statements.
 *
 * The classifier (sqlclass) and the column finder (sqlcols) read statements
 * as tokens; neither needs a parse tree, but both must know where a string,
 * an identifier or a comment begins and ends, or a keyword inside a string
 * or a statement hidden after a quote would fool them. The two dialects
 * disagree on exactly that (backslashes, "#", "--x", "$$", nested comments,
 * "/\*!...*\/"), so the rules are chosen by flags, and the classifier asks
 * every variant. Tokens are spans of the caller's text: nothing is copied or
 * allocated. Any bytes are accepted; an unterminated string or comment runs
 * to the end of the text and is flagged.
 */
#ifndef PA_SQL_SQLTOK_H
#define PA_SQL_SQLTOK_H

#include <stddef.h>

enum sqltok_kind {
	SQLTOK_EOF = 0,
	SQLTOK_WORD,     /* keyword or bare identifier: SELECT, users, _utf8mb4, a$b, 1e_x */
	SQLTOK_QIDENT,   /* `back-quoted identifier` */
	SQLTOK_DQUOTED,  /* "...": a string to MySQL, a name to PostgreSQL (and ANSI_QUOTES) */
	SQLTOK_STRING,   /* '...', N'...', E'...', U&'...' */
	SQLTOK_DOLLAR,   /* $$...$$, $tag$...$tag$ (PostgreSQL) */
	SQLTOK_NUMBER,   /* 42, 1.5, .5e-3, 0x1F, 0b101, X'1F', B'0101' */
	SQLTOK_PARAM,    /* ?, $1 */
	SQLTOK_VARIABLE, /* @v, @'v', @@global.v (MySQL) */
	SQLTOK_COMMENT,  /* -- ..., # ..., / * ... * / */
	SQLTOK_VCOMMENT, /* / *! ... * /, / *M! ... * /: code to MySQL and MariaDB */
	SQLTOK_OP,       /* = <> != <=> <= >= || && :: := -> ->> + - * / % and other operators */
	SQLTOK_PUNCT,    /* ( ) , ; . [ ] { } */
};

/* Dialect flags for sqltok_init. With neither MYSQL nor PG: lenient, both at once. */
#define SQLTOK_MYSQL 0x1     /* "#" comments, "--" only before a space, / *! * / is code, no $$ */
#define SQLTOK_PG 0x2        /* "#" an operator, nested / * * /, $$ and $tag$ quoting */
#define SQLTOK_BACKSLASH 0x4 /* a backslash escapes in '...' (and in MySQL's "...") */

/* The usual server settings. */
#define SQLTOK_MYSQL_DEFAULT (SQLTOK_MYSQL | SQLTOK_BACKSLASH)
#define SQLTOK_PG_DEFAULT SQLTOK_PG
#define SQLTOK_ANY SQLTOK_BACKSLASH

/* Token flags. */
#define SQLTOK_UNTERMINATED 0x1 /* a string, identifier or comment the text ended inside */

struct sqltok {
	enum sqltok_kind kind;
	unsigned flags;
	const char *s; /* the token's bytes, quotes and comment markers included */
	size_t len;
};

struct sqltok_iter {
	const char *s;
	size_t end, pos;
	unsigned dialect;
	/* sqltok_next_code inside an executable comment */
	int nested;
	size_t outer_end, resume;
};

void sqltok_init(struct sqltok_iter *it, const char *sql, size_t len, unsigned dialect);

/* The next token (whitespace skipped, comments returned) into *t; 0 at the end. */
int sqltok_next(struct sqltok_iter *it, struct sqltok *t);

/*
 * The next token the server would execute: comments are skipped and the
 * inside of an executable comment (/ *!50100 ... * /) is returned as tokens,
 * as MySQL reads it (unless the dialect is PG, where it is a comment). An
 * executable comment inside another comes back whole, as SQLTOK_VCOMMENT.
 * 0 at the end.
 */
int sqltok_next_code(struct sqltok_iter *it, struct sqltok *t);

/* t is a SQLTOK_WORD equal to kw (lower case, ASCII) ignoring case. */
int sqltok_is(const struct sqltok *t, const char *kw);

/*
 * The name inside a WORD, QIDENT or DQUOTED token: the quotes taken off
 * (doubled quotes inside are left doubled). Other kinds: the token itself.
 */
void sqltok_name(const struct sqltok *t, const char **s, size_t *len);

/* A short lower-case name of a kind, for messages and tests. */
const char *sqltok_kind_name(enum sqltok_kind k);

#endif
