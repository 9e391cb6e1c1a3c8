/*
 * sql-smells (medium; SELECT * low): SQL written in the Python source that
 * a database cannot run well, whatever the indexes:
 *   - LIKE / ILIKE with a leading wildcard ('%x', '%x%', or a parameter
 *     the same function builds as f"%{q}%"): no B-tree index can be used,
 *     every row is read;
 *   - ORDER BY RAND() / RANDOM() / NEWID(): a random key for every row,
 *     then a sort of all of them, to return a few;
 *   - SELECT * (and t.*) from a table: every column read and sent, no
 *     covering index, and code that breaks when a column is added.
 *
 * Only SQL that is executed is judged: the first argument of an
 * execute-like call (cursor / connection / session .execute, executemany,
 * executescript, exec_driver_sql, db.engine.execute, Model.objects.raw,
 * pandas read_sql / read_sql_query) or of sqlalchemy text(). That argument
 * is followed through the shapes SQL takes in Python: a literal, adjacent
 * literals, an f-string (its literal parts; an interpolation reads as a
 * `?` parameter, so '%{q}%' still starts with a wildcard), `+` joins,
 * "..." % args, "...".format(...), text("..."), and a variable the same
 * function (or the module) assigned such a string to, with its `+=`
 * additions. Log messages, docstrings and help text never reach a sink.
 *
 * The pieces are joined into one buffer (Python escapes undone) and read
 * with the project's SQL tokenizer (sqltok), so a keyword inside a SQL
 * string or comment does not count; sqlcols names the table for the fix.
 * A finding is placed on the line where the string literal holding the
 * smell ends: the only line of a multi-line string that can carry a
 * `# perfagent: ignore[sql-smells]` comment. Each literal is judged once,
 * however many sinks it reaches.
 */
#include "scan/rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "sql/sqlcols.h"
#include "sql/sqltok.h"

#define RULE "sql-smells"
#define MAX_PIECES 64   /* string pieces joined into one statement */
#define MAX_TOKENS 4096 /* tokens of one statement looked at */
#define MAX_PARTS 16    /* values (an assignment and its += additions) kept per variable */
#define MAX_DEPTH 32    /* nesting followed when gathering a statement's pieces */
#define MAX_GATHER 512  /* expression nodes followed for one statement, variables included */

/* A run of the statement buffer and the literal (string node) it came from. */
struct piece {
	size_t off;  /* where it starts in the buffer */
	TSNode node; /* the string node; null for a `?` standing in for an expression */
};

/* A variable bound to SQL-ish text: its assignment's value and the += additions. */
struct binding {
	const char *name;
	uint32_t len;
	TSNode parts[MAX_PARTS];
	size_t nparts;
	int busy; /* being gathered: a reference to itself is not followed */
};

struct scope {
	uint32_t end;
	size_t nbind;
};

struct syms {
	TSSymbol call, fdef, lambda, cdef, assign, augassign, identifier, attribute, string, concat, binop, paren,
		keyword, expr_stmt, tuple, list, dict, pair, interpolation, string_content, string_start, arglist;
};

struct ctx {
	const struct py_file *f;
	struct scan_out *out;
	struct syms s;
	struct scope *sc;
	size_t nsc, capsc;
	struct binding *b;
	size_t nb, capb;
	/* findings already made (literal, offset in it, smell): a small open-addressing set */
	uint64_t *seen;
	size_t nseen, capseen;
	/* the statement being judged */
	struct buf sql;
	struct piece pieces[MAX_PIECES];
	size_t npieces;
	unsigned budget; /* expression nodes gather may still visit for this statement */
	struct sqltok *toks;
	size_t ntoks;
	struct buf msg, fix;
	struct arena a;
};

/* The number of named children; 0 for a null node (a field a broken tree lacks). */
static uint32_t nkids(TSNode n)
{
	return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n);
}

static int is_sym(TSNode n, TSSymbol s)
{
	return !ts_node_is_null(n) && ts_node_symbol(n) == s;
}

/* The node's bytes in the file (not NUL-terminated), *len long; empty for a node past the end. */
static const char *src_of(const struct ctx *c, TSNode n, uint32_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > c->f->len || s > e)
		s = e = 0;
	*len = e - s;
	return c->f->src + s;
}

/* The node's text is exactly w. */
static int text_is(const struct ctx *c, TSNode n, const char *w)
{
	uint32_t len;
	const char *t = src_of(c, n, &len);
	return len == strlen(w) && memcmp(t, w, len) == 0;
}

/* A key's home slot in a table of cap (a power of two) slots. */
static size_t slot(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

/* Add key to the set of findings made; 1 when it was new. */
static int first_time(struct ctx *c, uint64_t key)
{
	key++; /* 0 marks an empty slot */
	if (c->nseen * 2 >= c->capseen) {
		size_t cap = c->capseen ? c->capseen * 2 : 64;
		uint64_t *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < c->capseen; i++)
			if (c->seen[i]) {
				size_t h = slot(c->seen[i], cap);
				while (t[h])
					h = (h + 1) & (cap - 1);
				t[h] = c->seen[i];
			}
		free(c->seen);
		c->seen = t;
		c->capseen = cap;
	}
	size_t h = slot(key, c->capseen);
	while (c->seen[h]) {
		if (c->seen[h] == key)
			return 0;
		h = (h + 1) & (c->capseen - 1);
	}
	c->seen[h] = key;
	c->nseen++;
	return 1;
}

/* ---- variables ---- */

/* The innermost variable named like the identifier id, or NULL. */
static struct binding *lookup(struct ctx *c, TSNode id)
{
	if (c->nb == 0 || !is_sym(id, c->s.identifier))
		return NULL;
	uint32_t len;
	const char *t = src_of(c, id, &len);
	for (size_t i = c->nb; i-- > 0;)
		if (c->b[i].len == len && memcmp(c->b[i].name, t, len) == 0)
			return &c->b[i];
	return NULL;
}

/* Does a literal's text say SQL (or a LIKE pattern)? A cheap filter before keeping it. */
static int sqlish(const struct ctx *c, TSNode v, int depth)
{
	if (depth > MAX_DEPTH || ts_node_is_null(v))
		return 0;
	TSSymbol s = ts_node_symbol(v);
	if (s == c->s.string) {
		uint32_t len;
		const char *t = src_of(c, v, &len);
		const char *q = t;
		while (q < t + len && *q != '\'' && *q != '"')
			q++; /* past the prefix: f, r, b */
		while (q < t + len && (*q == '\'' || *q == '"'))
			q++;
		if (q < t + len && *q == '%')
			return 1; /* a LIKE pattern: "%" + q, f"%{q}%" */
		static const char *const words[] = {"select", "like", "order by", "where", NULL};
		for (const char *const *w = words; *w; w++) {
			size_t wl = strlen(*w);
			for (const char *p = t; p + wl <= t + len; p++)
				if (strncasecmp(p, *w, wl) == 0)
					return 1;
		}
		return 0;
	}
	if (s == c->s.concat || s == c->s.binop || s == c->s.paren || s == c->s.call || s == c->s.attribute ||
	    s == c->s.arglist) {
		/* "a" "b", "a" + x, "..." % x, "...".format(x), text("...") */
		uint32_t n = nkids(v);
		for (uint32_t i = 0; i < n; i++)
			if (sqlish(c, ts_node_named_child(v, i), depth + 1))
				return 1;
	}
	return 0;
}

/* Is b a variable of the innermost scope (not a module constant seen from a function)? */
static int mine(const struct ctx *c, const struct binding *b)
{
	return (size_t)(b - c->b) >= c->sc[c->nsc - 1].nbind;
}

/*
 * The assignment id = value: keep value when it looks like SQL (or a LIKE
 * pattern); otherwise shadow an outer variable of the same name.
 */
static void bind(struct ctx *c, TSNode id, TSNode value)
{
	struct binding *old = lookup(c, id);
	int keep = sqlish(c, value, 0);
	if (!keep && !old)
		return;
	if (c->nb == c->capb) {
		c->capb = c->capb ? c->capb * 2 : 32;
		c->b = xrealloc(c->b, c->capb * sizeof(*c->b));
	}
	/* sql = sql + "...": the same as sql += "..." (on this scope's own variable) */
	if (old && mine(c, old) && old->nparts > 0 && old->nparts < MAX_PARTS && is_sym(value, c->s.binop) &&
	    text_is(c, py_field(value, "operator"), "+") && is_sym(py_field(value, "left"), c->s.identifier)) {
		uint32_t a, b2;
		const char *x = src_of(c, py_field(value, "left"), &a), *y = src_of(c, id, &b2);
		if (a == b2 && memcmp(x, y, a) == 0) {
			old->parts[old->nparts++] = py_field(value, "right");
			return;
		}
	}
	struct binding *b = &c->b[c->nb++];
	uint32_t len;
	b->name = src_of(c, id, &len);
	b->len = len;
	b->nparts = 0;
	b->busy = 0;
	if (keep)
		b->parts[b->nparts++] = value; /* else: a shadow, the name holds something else now */
}

/* Open a scope that lasts until byte end; the variables bound from now on are its own. */
static void push(struct ctx *c, uint32_t end)
{
	if (c->nsc == c->capsc) {
		c->capsc = c->capsc ? c->capsc * 2 : 16;
		c->sc = xrealloc(c->sc, c->capsc * sizeof(*c->sc));
	}
	c->sc[c->nsc++] = (struct scope){end, c->nb};
}

/* ---- gathering a statement ---- */

/* Note that the buffer's text from here on comes from node (null: a stand-in). */
static void add_piece(struct ctx *c, TSNode node)
{
	if (c->npieces < MAX_PIECES)
		c->pieces[c->npieces++] = (struct piece){c->sql.len, node};
}

/* Append a literal's text with Python's escapes undone (a raw string's kept). */
static void put_string(struct ctx *c, TSNode str)
{
	add_piece(c, str);
	int raw = 0;
	uint32_t n = nkids(str);
	for (uint32_t i = 0; i < n; i++) {
		TSNode ch = ts_node_named_child(str, i);
		TSSymbol s = ts_node_symbol(ch);
		uint32_t len;
		const char *t = src_of(c, ch, &len);
		if (s == c->s.string_start) {
			for (uint32_t k = 0; k < len; k++)
				if (t[k] == 'r' || t[k] == 'R')
					raw = 1;
		} else if (s == c->s.interpolation) {
			buf_putc(&c->sql, '?');
		} else if (s == c->s.string_content) {
			for (uint32_t k = 0; k < len; k++) {
				char ch1 = t[k];
				if (ch1 != '\\' || raw || k + 1 >= len) {
					buf_putc(&c->sql, ch1);
					continue;
				}
				char e = t[++k];
				switch (e) {
				case 'n': case 't': case 'r': case 'f': case 'v':
					buf_putc(&c->sql, ' ');
					break;
				case '\n':
					break; /* a line continuation */
				case '\\': case '\'': case '"':
					buf_putc(&c->sql, e);
					break;
				default:
					buf_putc(&c->sql, '\\');
					buf_putc(&c->sql, e);
				}
			}
		}
	}
}

/*
 * A stand-in for an expression joined into the text: a parameter as far as
 * SQL goes. Nothing else is added between pieces: Python joins them as
 * they are, and so must the reader ('%' + q + '%' stays one quoted pattern).
 */
static void put_param(struct ctx *c)
{
	add_piece(c, (TSNode){0});
	buf_putc(&c->sql, '?');
}

/* The call is sqlalchemy's text(...), however imported. */
static int is_text_call(struct ctx *c, TSNode call)
{
	const char *name = py_call_name(c->f, call, &c->a);
	return name && (strcmp(name, "sqlalchemy.text") == 0 || strcmp(name, "sqlalchemy.sql.text") == 0 ||
			strcmp(name, "sqlalchemy.sql.expression.text") == 0);
}

/*
 * Append the SQL expression v stands for to the statement buffer: 1 when
 * some of it is literal text, 0 when none is (then nothing is judged).
 */
static int gather(struct ctx *c, TSNode v, int depth)
{
	if (depth > MAX_DEPTH || ts_node_is_null(v) || c->budget == 0)
		return 0;
	c->budget--;
	TSSymbol s = ts_node_symbol(v);
	if (s == c->s.string) {
		put_string(c, v);
		return 1;
	}
	if (s == c->s.concat) {
		uint32_t n = nkids(v);
		for (uint32_t i = 0; i < n; i++)
			if (is_sym(ts_node_named_child(v, i), c->s.string))
				put_string(c, ts_node_named_child(v, i));
		return 1;
	}
	if (s == c->s.paren && nkids(v) == 1)
		return gather(c, ts_node_named_child(v, 0), depth + 1);
	if (s == c->s.binop) {
		TSNode op = py_field(v, "operator");
		if (text_is(c, op, "+")) {
			int l = gather(c, py_field(v, "left"), depth + 1);
			if (!l)
				put_param(c);
			size_t mark = c->sql.len;
			int r = gather(c, py_field(v, "right"), depth + 1);
			if (!r && c->sql.len == mark)
				put_param(c);
			return l || r;
		}
		if (text_is(c, op, "%"))
			return gather(c, py_field(v, "left"), depth + 1); /* "... %s" % args */
		return 0;
	}
	if (s == c->s.call) {
		TSNode fn = py_field(v, "function");
		if (is_sym(fn, c->s.attribute) && text_is(c, py_field(fn, "attribute"), "format"))
			return gather(c, py_field(fn, "object"), depth + 1); /* "...{}".format(x) */
		if (is_text_call(c, v)) {
			TSNode args = py_field(v, "arguments");
			return nkids(args) > 0 && gather(c, ts_node_named_child(args, 0), depth + 1);
		}
		return 0;
	}
	if (s == c->s.identifier) {
		struct binding *b = lookup(c, v);
		if (!b || b->busy)
			return 0;
		int any = 0;
		b->busy = 1;
		for (size_t i = 0; i < b->nparts; i++)
			any |= gather(c, b->parts[i], depth + 1);
		b->busy = 0;
		return any;
	}
	return 0;
}

/* ---- reading the statement ---- */

/* Token i is the keyword w (lower case); punct: the punctuation ch; op: the operator o. */
static int kw(const struct ctx *c, size_t i, const char *w)
{
	return i < c->ntoks && sqltok_is(&c->toks[i], w);
}

static int punct(const struct ctx *c, size_t i, char ch)
{
	return i < c->ntoks && c->toks[i].kind == SQLTOK_PUNCT && c->toks[i].s[0] == ch;
}

static int op(const struct ctx *c, size_t i, const char *o)
{
	return i < c->ntoks && c->toks[i].kind == SQLTOK_OP && c->toks[i].len == strlen(o) &&
	       memcmp(c->toks[i].s, o, c->toks[i].len) == 0;
}

/*
 * The literal a token came from: the last piece starting at or before it
 * (the first literal when the token is in a stand-in); *rel: the token's
 * offset in that piece's text.
 */
static TSNode piece_of(const struct ctx *c, const struct sqltok *t, size_t *rel)
{
	size_t off = (size_t)(t->s - c->sql.data);
	const struct piece *best = NULL;
	for (size_t i = 0; i < c->npieces && c->pieces[i].off <= off; i++)
		if (!ts_node_is_null(c->pieces[i].node))
			best = &c->pieces[i];
	if (!best)
		for (size_t i = 0; i < c->npieces && !best; i++)
			if (!ts_node_is_null(c->pieces[i].node))
				best = &c->pieces[i];
	if (!best)
		return (TSNode){0};
	*rel = off >= best->off ? off - best->off : 0;
	return best->node;
}

/*
 * Report smell (1 LIKE, 2 RAND, 3 SELECT *) at token t, on the line where
 * its literal ends (the closing quote) — once, however many sinks the
 * literal reaches.
 */
static void emit(struct ctx *c, const struct sqltok *t, int smell, int sev_override)
{
	size_t rel = 0;
	TSNode str = piece_of(c, t, &rel);
	if (ts_node_is_null(str))
		return;
	uint64_t key = (uint64_t)ts_node_start_byte(str) | ((uint64_t)(rel & 0xffffff) << 32) | ((uint64_t)smell << 56);
	if (!first_time(c, key))
		return;
	TSNode at = str;
	uint32_t n = ts_node_child_count(str);
	if (n > 0 && ts_node_start_point(str).row != ts_node_end_point(str).row)
		at = ts_node_child(str, n - 1); /* string_end: the line of the closing quotes */
	scan_emit(c->out, c->f, RULE, at, buf_str(&c->msg), buf_str(&c->fix), sev_override);
}

/* A token as written, for messages: at most 40 bytes. */
static const char *tok_text(struct ctx *c, const struct sqltok *t)
{
	size_t n = t->len > 40 ? 40 : t->len;
	return arena_printf(&c->a, "%.*s%s", (int)n, t->s, t->len > 40 ? "..." : "");
}

/*
 * Does a LIKE pattern literal begin with a wildcard? ('%x', N'%x', E'_x').
 * alone: the literal is the whole pattern, so '%' by itself (everything
 * matches: no search) does not count; in CONCAT('%', ?) it does.
 */
static int wild_string(const struct sqltok *t, int alone)
{
	if (t->kind != SQLTOK_STRING)
		return 0;
	size_t k = 0;
	while (k < t->len && t->s[k] != '\'')
		k++;
	if (!(k + 1 < t->len && (t->s[k + 1] == '%' || t->s[k + 1] == '_')))
		return 0;
	/* '%' (or '%%', pyformat's escaped one) matches everything: no search, no smell */
	size_t j = k + 1;
	while (j < t->len && t->s[j] == '%')
		j++;
	return !alone || !(j + 1 == t->len && t->s[j] == '\'');
}

/* Is the token at i a bind parameter: ?, $1, %s, %(name)s, :name? Sets *next past it. */
static int placeholder(const struct ctx *c, size_t i, size_t *next)
{
	if (i >= c->ntoks)
		return 0;
	if (c->toks[i].kind == SQLTOK_PARAM) {
		*next = i + 1;
		return 1;
	}
	if (op(c, i, "%") && kw(c, i + 1, "s")) {
		*next = i + 2;
		return 1;
	}
	if (op(c, i, "%") && punct(c, i + 1, '(') && punct(c, i + 3, ')') && kw(c, i + 4, "s")) {
		*next = i + 5;
		return 1;
	}
	if (op(c, i, ":") && i + 1 < c->ntoks && c->toks[i + 1].kind == SQLTOK_WORD) {
		*next = i + 2;
		return 1;
	}
	return 0;
}

/*
 * Does the literal str start with a LIKE wildcard? fmt: it is the left of
 * a %-format ("%%%s%%" % q), where "%%" is a literal % and "%s" a
 * placeholder; alone: the literal is the whole value, so "%" by itself
 * (match anything) does not count.
 */
static int pct_literal(const struct ctx *c, TSNode str, int fmt, int alone)
{
	uint32_t len;
	const char *t = src_of(c, str, &len), *end = t + len;
	const char *q = t;
	while (q < end && *q != '\'' && *q != '"')
		q++; /* past the prefix: f, r, b */
	while (q < end && (*q == '\'' || *q == '"'))
		q++;
	if (q >= end || *q != '%')
		return 0;
	if (fmt) {
		if (q + 1 >= end || q[1] != '%')
			return 0; /* "%s..." % q: a placeholder first */
		q++;
	}
	return !alone || (q + 1 < end && q[1] != '\'' && q[1] != '"');
}

/*
 * Is the Python value v a LIKE pattern that starts with a wildcard:
 * f"%{q}%", "%" + q, "%%%s%%" % q, "%{}".format(q), or a variable holding one?
 */
static int wild_value(struct ctx *c, TSNode v, int depth)
{
	if (depth > 8 || ts_node_is_null(v))
		return 0;
	TSSymbol s = ts_node_symbol(v);
	if (s == c->s.string)
		return pct_literal(c, v, 0, 1);
	if (s == c->s.concat)
		return nkids(v) > 0 && pct_literal(c, ts_node_named_child(v, 0), 0, nkids(v) == 1);
	if (s == c->s.binop) {
		TSNode left = py_field(v, "left"), op = py_field(v, "operator");
		if (text_is(c, op, "%"))
			return is_sym(left, c->s.string) && pct_literal(c, left, 1, 1);
		if (!text_is(c, op, "+"))
			return 0;
		/* the leftmost operand of a + chain: something follows it */
		while (is_sym(left, c->s.binop) && text_is(c, py_field(left, "operator"), "+"))
			left = py_field(left, "left");
		if (is_sym(left, c->s.string))
			return pct_literal(c, left, 0, 0);
		return wild_value(c, left, depth + 1);
	}
	if (s == c->s.paren && nkids(v) == 1)
		return wild_value(c, ts_node_named_child(v, 0), depth + 1);
	if (s == c->s.call) {
		TSNode fn = py_field(v, "function");
		if (is_sym(fn, c->s.attribute) && text_is(c, py_field(fn, "attribute"), "format") &&
		    is_sym(py_field(fn, "object"), c->s.string))
			return pct_literal(c, py_field(fn, "object"), 0, 1);
		return 0;
	}
	if (s == c->s.identifier) {
		struct binding *b = lookup(c, v);
		return b && b->nparts > 0 && wild_value(c, b->parts[0], depth + 1);
	}
	return 0;
}

/* Does any value in the parameters argument (a tuple, list, dict or one value) start with %? */
static int wild_params(struct ctx *c, TSNode params)
{
	if (ts_node_is_null(params))
		return 0;
	TSSymbol s = ts_node_symbol(params);
	if (s == c->s.tuple || s == c->s.list || s == c->s.dict) {
		uint32_t n = nkids(params);
		for (uint32_t i = 0; i < n; i++) {
			TSNode e = ts_node_named_child(params, i);
			if (is_sym(e, c->s.pair))
				e = py_field(e, "value");
			if (wild_value(c, e, 0))
				return 1;
		}
		return 0;
	}
	if (s == c->s.identifier) {
		struct binding *b = lookup(c, params);
		if (b && b->nparts > 0 && !is_sym(b->parts[0], c->s.string))
			return wild_params(c, b->parts[0]);
	}
	return wild_value(c, params, 0);
}

/* The table sqlcols places the column of token i in, or the statement's only table; NULL if unknown. */
static const char *table_for(struct ctx *c, const struct sqlcols *cols, const struct sqltok *col)
{
	if (col) {
		const char *name;
		size_t nl;
		sqltok_name(col, &name, &nl);
		for (size_t i = 0; i < cols->nrefs; i++) {
			const struct sqlcols_ref *r = &cols->refs[i];
			if (r->table.len && r->column.len == nl && strncasecmp(r->column.s, name, nl) == 0)
				return arena_strndup(&c->a, r->table.s, r->table.len);
		}
	}
	if (cols->ntables == 1 && cols->tables[0].name.len)
		return arena_strndup(&c->a, cols->tables[0].name.s, cols->tables[0].name.len);
	return NULL;
}

/* The column a LIKE at i compares: the name just before it (t.col, "col", `col`), or NULL. */
static const struct sqltok *like_column(const struct ctx *c, size_t i)
{
	if (i > 0 && kw(c, i - 1, "not"))
		i--;
	if (i == 0)
		return NULL;
	const struct sqltok *t = &c->toks[i - 1];
	return t->kind == SQLTOK_WORD || t->kind == SQLTOK_QIDENT || t->kind == SQLTOK_DQUOTED ? t : NULL;
}

/* Report the LIKE at token i, its pattern written as `pattern`, in the SQL `sink` runs. */
static void like_smell(struct ctx *c, size_t i, const char *pattern, const char *sink, struct sqlcols **cols)
{
	const struct sqltok *col = like_column(c, i);
	if (!*cols) {
		*cols = xmalloc(sizeof(**cols));
		sqlcols_extract(c->sql.data, c->sql.len, SQLTOK_ANY, *cols);
	}
	const char *table = table_for(c, *cols, col);
	const char *cname = col ? tok_text(c, col) : "the column";
	buf_reset(&c->msg);
	buf_reset(&c->fix);
	buf_printf(&c->msg,
		   "%s %s %s starts with a wildcard (in the SQL passed to %s): no B-tree index on %s can be used, every row%s%s is read",
		   cname, tok_text(c, &c->toks[i]), pattern, sink, cname, table ? " of " : "", table ? table : "");
	const char *bare = cname;
	const char *dot = strrchr(cname, '.');
	if (dot)
		bare = dot + 1;
	if (table)
		buf_printf(&c->fix,
			   "for substring search add a trigram index (PostgreSQL: CREATE EXTENSION pg_trgm; CREATE INDEX ix_%s_%s_trgm ON %s USING gin (%s gin_trgm_ops);) or full-text search (MySQL: ALTER TABLE %s ADD FULLTEXT INDEX ft_%s_%s (%s); ... WHERE MATCH(%s) AGAINST (%%s)); if a prefix match is enough, LIKE 'term%%'",
			   table, bare, table, bare, table, table, bare, bare, bare);
	else
		buf_printf(&c->fix,
			   "for substring search use a trigram index (PostgreSQL pg_trgm: CREATE INDEX ... USING gin (%s gin_trgm_ops)) or full-text search (MySQL FULLTEXT + MATCH ... AGAINST); if a prefix match is enough, LIKE 'term%%'",
			   bare);
	emit(c, &c->toks[i], 1, 0);
}

/*
 * Judge the statement in c->sql (tokens in c->toks) that `sink` runs;
 * params: the call's parameters argument, if any.
 */
static void judge(struct ctx *c, const char *sink, TSNode params)
{
	struct sqlcols *cols = NULL;
	/* CTE names: SELECT * FROM a CTE reads the columns the CTE chose */
	const struct sqltok *cte[16];
	size_t ncte = 0;
	for (size_t i = 0; i < c->ntoks; i++) {
		const struct sqltok *t = &c->toks[i];
		if (t->kind == SQLTOK_WORD && kw(c, i + 1, "as") && punct(c, i + 2, '(') && ncte < 16 &&
		    (kw(c, i - 1, "with") || kw(c, i - 1, "recursive") || punct(c, i - 1, ',')) && i > 0)
			cte[ncte++] = t;

		/* LIKE '%x' / ILIKE / LIKE CONCAT('%', ...) / LIKE %s with a "%..." parameter */
		if (kw(c, i, "like") || kw(c, i, "ilike")) {
			size_t next;
			if (i + 1 < c->ntoks && wild_string(&c->toks[i + 1], !op(c, i + 2, "||"))) {
				const char *pat = tok_text(c, &c->toks[i + 1]);
				if (op(c, i + 2, "||"))
					pat = arena_printf(&c->a, "%s || ...", pat);
				like_smell(c, i, pat, sink, &cols);
			} else if ((kw(c, i + 1, "concat") && punct(c, i + 2, '(') && i + 3 < c->ntoks &&
				    wild_string(&c->toks[i + 3], 0))) {
				like_smell(c, i, arena_printf(&c->a, "CONCAT(%s, ...)", tok_text(c, &c->toks[i + 3])),
					   sink, &cols);
			} else if (placeholder(c, i + 1, &next) && wild_params(c, params)) {
				const struct sqltok *p = &c->toks[i + 1];
				like_smell(c, i,
					   arena_printf(&c->a, "%.*s (a parameter built as \"%%...\")",
							(int)(c->toks[next - 1].s + c->toks[next - 1].len - p->s), p->s),
					   sink, &cols);
			}
		}

		/* ORDER BY RAND() / RANDOM() / NEWID() */
		if (kw(c, i, "order") && kw(c, i + 1, "by")) {
			int d = 0;
			for (size_t j = i + 2; j < c->ntoks; j++) {
				if (punct(c, j, '('))
					d++;
				else if (punct(c, j, ')')) {
					if (d == 0)
						break;
					d--;
				} else if (d == 0 && (punct(c, j, ';') || kw(c, j, "limit") || kw(c, j, "offset") ||
						      kw(c, j, "fetch") || kw(c, j, "for") || kw(c, j, "union")))
					break;
				if ((kw(c, j, "rand") || kw(c, j, "random") || kw(c, j, "newid")) && punct(c, j + 1, '(')) {
					if (!cols) {
						cols = xmalloc(sizeof(*cols));
						sqlcols_extract(c->sql.data, c->sql.len, SQLTOK_ANY, cols);
					}
					const char *table = table_for(c, cols, NULL);
					buf_reset(&c->msg);
					buf_reset(&c->fix);
					buf_printf(&c->msg,
						   "ORDER BY %s() (in the SQL passed to %s) gives every row%s%s a random key and sorts them all to return a few",
						   tok_text(c, &c->toks[j]), sink, table ? " of " : "", table ? table : "");
					buf_printf(&c->fix,
						   "pick random ids in the application (SELECT MIN(id), MAX(id) once, then WHERE id >= <random id> ORDER BY id LIMIT 1), or sample: FROM %s TABLESAMPLE SYSTEM (1) (PostgreSQL)",
						   table ? table : "<table>");
					emit(c, &c->toks[j], 2, 0);
					break;
				}
			}
		}

		/* SELECT * / SELECT t.* from a table */
		if (kw(c, i, "select") && !(punct(c, i - 1, '(') && i >= 2 && kw(c, i - 2, "exists"))) {
			size_t j = i + 1;
			while (kw(c, j, "distinct") || kw(c, j, "all"))
				j++;
			const struct sqltok *star = NULL;
			int d = 0;
			for (; j < c->ntoks; j++) {
				if (punct(c, j, '('))
					d++;
				else if (punct(c, j, ')')) {
					if (d == 0)
						break;
					d--;
				} else if (d == 0 && (kw(c, j, "from") || punct(c, j, ';')))
					break;
				if (d == 0 && op(c, j, "*") && !star &&
				    (j == i + 1 || kw(c, j - 1, "distinct") || kw(c, j - 1, "all") || punct(c, j - 1, ',') ||
				     punct(c, j - 1, '.')) &&
				    (punct(c, j + 1, ',') || kw(c, j + 1, "from")))
					star = &c->toks[j];
			}
			if (!star || !kw(c, j, "from") || j + 1 >= c->ntoks || punct(c, j + 1, '('))
				continue;
			const struct sqltok *from = &c->toks[j + 1];
			int is_cte = 0;
			for (size_t k = 0; k < ncte; k++)
				if (cte[k]->len == from->len && strncasecmp(cte[k]->s, from->s, from->len) == 0)
					is_cte = 1;
			if (is_cte || from->kind == SQLTOK_PARAM)
				continue;
			const char *table = tok_text(c, from);
			/* t.*: name t's columns; *: the table's */
			const char *qual = star > c->toks && star[-1].kind == SQLTOK_PUNCT && star[-1].s[0] == '.'
						   ? tok_text(c, &star[-2])
						   : NULL;
			if (qual) {
				/* the table behind the alias: FROM orders o ... o.* */
				if (!cols) {
					cols = xmalloc(sizeof(*cols));
					sqlcols_extract(c->sql.data, c->sql.len, SQLTOK_ANY, cols);
				}
				const char *qn;
				size_t ql;
				sqltok_name(&star[-2], &qn, &ql);
				for (size_t k = 0; k < cols->ntables; k++) {
					const struct sqlcols_table *tb = &cols->tables[k];
					if (tb->name.len && ((tb->alias.len == ql && strncasecmp(tb->alias.s, qn, ql) == 0) ||
							     (!tb->alias.len && tb->name.len == ql &&
							      strncasecmp(tb->name.s, qn, ql) == 0))) {
						table = arena_strndup(&c->a, tb->name.s, tb->name.len);
						break;
					}
				}
			}
			buf_reset(&c->msg);
			buf_reset(&c->fix);
			buf_printf(&c->msg,
				   "SELECT %s%s* (in the SQL passed to %s) reads every column of %s: more I/O and transfer than needed, no covering index, and the code breaks when columns change",
				   qual ? qual : "", qual ? "." : "", sink, table);
			if (qual)
				buf_printf(&c->fix, "name the columns the code uses instead of %s.*: SELECT %s.id, %s.<col>, ...",
					   qual, qual, qual);
			else
				buf_printf(&c->fix, "name the columns the code uses: SELECT id, <col>, ... FROM %s", table);
			emit(c, star, 3, PA_SEV_LOW + 1);
		}
	}
	free(cols);
}

/* ---- sinks ---- */

/* Which call runs SQL from its first argument: a description of the sink, or NULL. */
static const char *sink_of(struct ctx *c, TSNode call)
{
	TSNode fn = py_field(call, "function");
	TSNode last = fn;
	if (is_sym(fn, c->s.attribute))
		last = py_field(fn, "attribute");
	else if (!is_sym(fn, c->s.identifier))
		return NULL;
	uint32_t len;
	const char *t = src_of(c, last, &len);
	static const char *const execs[] = {"execute", "executemany", "executescript", "exec_driver_sql",
					    "read_sql", "read_sql_query", NULL};
	int hit = 0;
	for (const char *const *w = execs; *w && !hit; w++)
		hit = strlen(*w) == len && memcmp(*w, t, len) == 0;
	if (hit) {
		if (is_sym(fn, c->s.identifier) && !(len >= 8 && memcmp(t, "read_sql", 8) == 0))
			return NULL; /* a bare execute(...) is somebody's own function */
	} else if (len == 4 && memcmp(t, "text", 4) == 0) {
		if (!is_text_call(c, call))
			return NULL;
	} else if (len == 3 && memcmp(t, "raw", 3) == 0) {
		TSNode obj = py_field(fn, "object");
		if (!is_sym(obj, c->s.attribute) || !text_is(c, py_field(obj, "attribute"), "objects"))
			return NULL; /* Model.objects.raw(...) */
	} else {
		return NULL;
	}
	const char *d = py_dotted(c->f, fn, &c->a);
	if (!d) {
		uint32_t n;
		const char *ft = src_of(c, fn, &n);
		d = arena_strndup(&c->a, ft, n > 40 ? 40 : n);
	}
	return arena_printf(&c->a, "%s()", d);
}

/* The SQL argument of a sink (first positional, or sql= / statement= / query=) and its parameters. */
static TSNode sql_arg(struct ctx *c, TSNode call, TSNode *params)
{
	TSNode args = py_field(call, "arguments"), sql = {0};
	*params = (TSNode){0};
	uint32_t n = nkids(args);
	int pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (is_sym(a, c->s.keyword)) {
			TSNode k = py_field(a, "name");
			if (text_is(c, k, "sql") || text_is(c, k, "statement") || text_is(c, k, "query") ||
			    text_is(c, k, "operation"))
				sql = py_field(a, "value");
			else if (text_is(c, k, "params") || text_is(c, k, "parameters") || text_is(c, k, "args"))
				*params = py_field(a, "value");
			continue;
		}
		if (strcmp(ts_node_type(a), "comment") == 0)
			continue;
		if (pos == 0)
			sql = a;
		else if (pos == 1 && ts_node_is_null(*params))
			*params = a;
		pos++;
	}
	return sql;
}

/* Gather, tokenize and judge the SQL a sink call runs. */
static void check_sink(struct ctx *c, TSNode call, const char *sink)
{
	TSNode params;
	TSNode sql = sql_arg(c, call, &params);
	if (ts_node_is_null(sql))
		return;
	buf_reset(&c->sql);
	c->npieces = 0;
	c->budget = MAX_GATHER;
	if (!gather(c, sql, 0) || c->npieces == 0)
		return;
	if (!c->toks)
		c->toks = xmalloc(MAX_TOKENS * sizeof(*c->toks));
	struct sqltok_iter it;
	struct sqltok t;
	sqltok_init(&it, c->sql.data, c->sql.len, SQLTOK_ANY);
	c->ntoks = 0;
	while (c->ntoks < MAX_TOKENS && sqltok_next_code(&it, &t))
		c->toks[c->ntoks++] = t;
	judge(c, sink, params);
}

/*
 * The walk's visitor: close the scopes n is past, open one for a def,
 * lambda or class, keep SQL-ish variables (=, +=), judge sink calls.
 */
static int visit(TSNode n, void *arg)
{
	struct ctx *c = arg;
	uint32_t start = ts_node_start_byte(n);
	while (c->nsc > 1 && start >= c->sc[c->nsc - 1].end) {
		c->nb = c->sc[c->nsc - 1].nbind;
		c->nsc--;
	}
	TSSymbol s = ts_node_symbol(n);
	if (s == c->s.call) {
		const char *sink = sink_of(c, n);
		if (sink)
			check_sink(c, n, sink);
	} else if (s == c->s.assign) {
		TSNode left = py_field(n, "left"), right = py_field(n, "right");
		if (is_sym(left, c->s.identifier) && !ts_node_is_null(right) && c->nsc > 1)
			bind(c, left, right);
	} else if (s == c->s.augassign) {
		TSNode left = py_field(n, "left"), right = py_field(n, "right");
		struct binding *b = lookup(c, left);
		if (b && mine(c, b) && text_is(c, py_field(n, "operator"), "+=") && b->nparts > 0 &&
		    b->nparts < MAX_PARTS)
			b->parts[b->nparts++] = right;
	} else if (s == c->s.fdef || s == c->s.lambda || s == c->s.cdef) {
		push(c, ts_node_end_byte(n));
	}
	return 0;
}

/* Module-level SQL constants, bound before the walk so functions above them see them. */
static void module_bindings(struct ctx *c)
{
	uint32_t n = nkids(c->f->root);
	for (uint32_t i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(c->f->root, i);
		if (!is_sym(st, c->s.expr_stmt) || nkids(st) != 1)
			continue;
		TSNode a = ts_node_named_child(st, 0);
		if (!is_sym(a, c->s.assign))
			continue;
		TSNode left = py_field(a, "left"), right = py_field(a, "right");
		if (is_sym(left, c->s.identifier) && !ts_node_is_null(right))
			bind(c, left, right);
	}
}

/* The rule's check: one walk over the file; everything it allocates is freed before it returns. */
static void check(const struct py_file *f, struct scan_out *out)
{
	struct ctx c = {.f = f, .out = out};
	const TSLanguage *l = ts_tree_language(f->tree);
#define SYM(field, name) c.s.field = ts_language_symbol_for_name(l, name, (uint32_t)strlen(name), true)
	SYM(call, "call");
	SYM(fdef, "function_definition");
	SYM(lambda, "lambda");
	SYM(cdef, "class_definition");
	SYM(assign, "assignment");
	SYM(augassign, "augmented_assignment");
	SYM(identifier, "identifier");
	SYM(attribute, "attribute");
	SYM(string, "string");
	SYM(concat, "concatenated_string");
	SYM(binop, "binary_operator");
	SYM(paren, "parenthesized_expression");
	SYM(keyword, "keyword_argument");
	SYM(expr_stmt, "expression_statement");
	SYM(tuple, "tuple");
	SYM(list, "list");
	SYM(dict, "dictionary");
	SYM(pair, "pair");
	SYM(interpolation, "interpolation");
	SYM(string_content, "string_content");
	SYM(string_start, "string_start");
	SYM(arglist, "argument_list");
#undef SYM
	push(&c, UINT32_MAX);
	module_bindings(&c);
	py_walk_file(f, f->root, visit, &c);
	free(c.toks);
	free(c.sc);
	free(c.b);
	free(c.seen);
	buf_free(&c.sql);
	buf_free(&c.msg);
	buf_free(&c.fix);
	arena_free(&c.a);
}

const struct scan_rule scan_rule_sql_smells = {
	.name = RULE,
	.severity = PA_SEV_MEDIUM,
	.summary = "executed SQL with a leading-wildcard LIKE, ORDER BY RAND(), or SELECT *",
	.check = check,
	.collect = NULL,
	.finish = NULL,
};
