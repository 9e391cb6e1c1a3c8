/*
 * sqlcols: columns by role, read off the token stream in two sweeps.
 *
 * The first sweep finds the tables: each name after FROM, JOIN, UPDATE,
 * INTO and DELETE's USING, with its alias, and the aliases of derived
 * tables. The second walks the tokens keeping, per parenthesis level,
 * which clause it is in (WHERE, ON, HAVING, ORDER BY, GROUP BY or another)
 * and what the parenthesis is (an expression, a subquery, a function's
 * arguments, a USING list), and reads the simple shapes index advice is
 * made of: column op value, value op column, column op column, column
 * [NOT] IN / LIKE / BETWEEN / IS [NOT] NULL, and plain columns in ORDER BY
 * and GROUP BY lists. Anything else is passed over.
 */
#include "sql/sqlcols.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sql/sqltok.h"

#define MAX_DEPTH 64

/* Words that are never a table, alias or column name here. */
static const char *const keywords[] = {
	"select", "from", "where", "and", "or", "not", "null", "is", "in", "like", "ilike",
	"between", "exists", "case", "when", "then", "else", "end", "as", "on", "using", "join",
	"inner", "left", "right", "full", "outer", "cross", "natural", "straight_join", "group",
	"order", "by", "having", "limit", "offset", "union", "except", "intersect", "all", "any",
	"some", "distinct", "asc", "desc", "nulls", "into", "values", "set", "update", "delete",
	"insert", "replace", "with", "recursive", "window", "over", "partition", "for", "lock",
	"share", "returning", "true", "false", "unknown", "interval", "escape", "collate",
	"binary", "regexp", "rlike", "similar", "div", "mod", "xor", "use", "force", "ignore",
	"fetch", "only", "lateral", "tablesample", "duplicate", "default", "high_priority",
	"low_priority", "sql_calc_found_rows", "sql_no_cache", "sql_cache", "procedure",
	"outfile", "dumpfile", "of", "nowait", "skip", NULL,
};

/* Words that end a clause and start another one that is not read. */
static const char *const other_clauses[] = {
	"select", "from", "set", "limit", "offset", "union", "except", "intersect", "values",
	"returning", "window", "into", "join", "inner", "left", "right", "full", "cross",
	"natural", "straight_join", "for", "lock", "procedure", "fetch", NULL,
};

enum clause { CL_OTHER, CL_WHERE, CL_ON, CL_HAVING, CL_ORDER, CL_GROUP };
enum fkind { F_EXPR, F_SUB, F_FUNC, F_USING };

struct frame {
	enum clause clause;
	enum fkind kind;
	int item_start; /* ORDER BY / GROUP BY: the next token starts an item */
};

struct cx {
	const struct sqltok *t;
	const size_t *match; /* for each "(": its ")", or n */
	const size_t *scope; /* for each token: the "(" of its subquery, or n at the top */
	const size_t *inner; /* for each token: the innermost "(" around it, or n */
	size_t n;
	unsigned dialect;
	struct sqlcols *out;
	size_t table_at[SQLCOLS_MAX_TABLES]; /* where each table was named */
};

static size_t scope_of(const struct cx *c, size_t i)
{
	return i < c->n ? c->scope[i] : c->n;
}

/* A dotted name as read: up to three parts, and the token after it. */
struct pref {
	struct sqlcols_name part[3];
	int nparts;
	size_t end;
};

static int word_in(const struct sqltok *t, const char *const *list)
{
	if (t->kind != SQLTOK_WORD)
		return 0;
	for (; *list; list++)
		if (sqltok_is(t, *list))
			return 1;
	return 0;
}

static int kw(const struct cx *c, size_t i, const char *w)
{
	return i < c->n && sqltok_is(&c->t[i], w);
}

static int punct(const struct cx *c, size_t i, char ch)
{
	return i < c->n && c->t[i].kind == SQLTOK_PUNCT && c->t[i].s[0] == ch;
}

static int op(const struct cx *c, size_t i, const char *o)
{
	size_t n = strlen(o);
	return i < c->n && c->t[i].kind == SQLTOK_OP && c->t[i].len == n &&
	       memcmp(c->t[i].s, o, n) == 0;
}

static int name_eq(struct sqlcols_name a, struct sqlcols_name b)
{
	if (a.len != b.len || a.len == 0)
		return 0;
	for (size_t i = 0; i < a.len; i++) {
		unsigned char x = (unsigned char)a.s[i], y = (unsigned char)b.s[i];
		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return 0;
	}
	return 1;
}

static struct sqlcols_name tok_name(const struct sqltok *t)
{
	struct sqlcols_name nm;
	sqltok_name(t, &nm.s, &nm.len);
	return nm;
}

/*
 * Can token i be (part of) a name? A keyword can only follow a dot. A
 * "..." is a name in PostgreSQL, next to a dot, or left of an operator;
 * to the right of one in MySQL it is a string.
 */
static int name_tok(const struct cx *c, size_t i, int after_dot, int lhs)
{
	if (i >= c->n)
		return 0;
	const struct sqltok *t = &c->t[i];
	switch (t->kind) {
	case SQLTOK_WORD:
		return after_dot || !word_in(t, keywords);
	case SQLTOK_QIDENT:
		return t->len > 2; /* `` is no name */
	case SQLTOK_DQUOTED:
		return t->len > 2 &&
		       ((c->dialect & SQLTOK_PG) || after_dot || lhs || punct(c, i + 1, '.'));
	default:
		return 0;
	}
}

/* A column reference at i (not a function call, not t.*); 1 and *r, or 0. */
static int ref_at(const struct cx *c, size_t i, int lhs, struct pref *r)
{
	if (!name_tok(c, i, 0, lhs))
		return 0;
	size_t j = i;
	r->nparts = 0;
	for (;;) {
		r->part[r->nparts++] = tok_name(&c->t[j]);
		j++;
		if (r->nparts < 3 && punct(c, j, '.') && name_tok(c, j + 1, 1, lhs)) {
			j++;
			continue;
		}
		break;
	}
	if (punct(c, j, '.') || punct(c, j, '('))
		return 0;
	if (j < c->n && c->t[j].kind == SQLTOK_STRING && r->nparts == 1)
		return 0; /* DATE '2024-01-01' and other typed literals */
	r->end = j;
	return 1;
}

/* The index of the ")" matching the "(" at i, or n. */
static size_t close_paren(const struct cx *c, size_t i)
{
	return punct(c, i, '(') ? c->match[i] : c->n;
}

static void add_table(struct cx *c, size_t at, struct sqlcols_name schema, struct sqlcols_name name,
		      struct sqlcols_name alias)
{
	struct sqlcols *o = c->out;
	if (o->ntables == SQLCOLS_MAX_TABLES) {
		o->truncated = 1;
		return;
	}
	c->table_at[o->ntables] = at;
	o->tables[o->ntables].schema = schema;
	o->tables[o->ntables].name = name;
	o->tables[o->ntables].alias = alias;
	o->ntables++;
}

/* [AS] alias at k: the alias (len 0 if none); *k moves past it. */
static struct sqlcols_name alias_at(const struct cx *c, size_t *k)
{
	struct sqlcols_name none = {NULL, 0};
	size_t j = *k;
	int as = kw(c, j, "as");
	if (as)
		j++;
	if (j < c->n && (name_tok(c, j, 0, 1) || (as && c->t[j].kind == SQLTOK_STRING))) {
		*k = j + 1;
		return tok_name(&c->t[j]);
	}
	return none;
}

/*
 * One table factor at j: a name with its alias, or a derived table whose
 * alias follows its ")" (its inside is left to the sweep, which finds the
 * tables there too). Returns where the factor ends.
 */
static size_t table_factor(struct cx *c, size_t j, int into)
{
	struct sqlcols_name none = {NULL, 0};
	if (kw(c, j, "lateral") || kw(c, j, "only"))
		j++;
	size_t p = j;
	while (punct(c, p, '('))
		p++; /* ((t1 JOIN t2) ...) */
	if (p > j && (kw(c, p, "select") || kw(c, p, "with") || kw(c, p, "values"))) {
		size_t k = close_paren(c, p - 1);
		if (k >= c->n)
			return p;
		k++;
		struct sqlcols_name al = alias_at(c, &k);
		if (al.len)
			add_table(c, j, none, none, al);
		return k;
	}
	j = p;
	if (!name_tok(c, j, 0, 1))
		return j;
	struct pref r;
	size_t start = j;
	r.nparts = 0;
	for (;;) {
		r.part[r.nparts++] = tok_name(&c->t[j]);
		j++;
		if (r.nparts < 3 && punct(c, j, '.') && name_tok(c, j + 1, 1, 1)) {
			j++;
			continue;
		}
		break;
	}
	if (punct(c, j, '(') && !into) { /* a table function: generate_series(...) AS g */
		size_t k = close_paren(c, j) + 1;
		struct sqlcols_name al = alias_at(c, &k);
		if (al.len)
			add_table(c, start, none, none, al);
		return k;
	}
	if (kw(c, j, "partition") && punct(c, j + 1, '('))
		j = close_paren(c, j + 1) + 1;
	struct sqlcols_name al = alias_at(c, &j);
	add_table(c, start, r.nparts > 1 ? r.part[r.nparts - 2] : none, r.part[r.nparts - 1], al);
	return j;
}

/* First sweep: the tables. */
static void find_tables(struct cx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct sqltok *t = &c->t[i];
		if (t->kind != SQLTOK_WORD)
			continue;
		int list = 0, into = sqltok_is(t, "into");
		size_t j = i + 1;
		if (sqltok_is(t, "from")) {
			size_t p = c->inner[i];
			if (i > 0 && kw(c, i - 1, "distinct"))
				continue; /* IS [NOT] DISTINCT FROM */
			if (p < c->n && p > 0 && c->t[p - 1].kind == SQLTOK_WORD &&
			    !kw(c, p + 1, "select") && !kw(c, p + 1, "with"))
				continue; /* EXTRACT(YEAR FROM d), SUBSTRING(s FROM 2) */
			list = 1;
		}
		else if (sqltok_is(t, "update")) {
			if (kw(c, i - 1, "key") || kw(c, i - 1, "for") || kw(c, i - 1, "no"))
				continue; /* ON DUPLICATE KEY UPDATE, FOR [NO KEY] UPDATE */
			while (kw(c, j, "low_priority") || kw(c, j, "ignore") || kw(c, j, "only"))
				j++;
			list = 1;
		} else if (sqltok_is(t, "using")) {
			if (punct(c, j, '('))
				continue; /* JOIN ... USING (col) */
			list = 1;
		} else if (!into && !sqltok_is(t, "join") && !sqltok_is(t, "straight_join")) {
			continue;
		}
		for (;;) {
			size_t k = table_factor(c, j, into);
			if (!list || k == j || !punct(c, k, ','))
				break;
			j = k + 1;
		}
	}
}

static int same_table(const struct sqlcols_table *a, const struct sqlcols_table *b)
{
	if (!name_eq(a->name, b->name))
		return 0;
	return a->schema.len == 0 ? b->schema.len == 0 : name_eq(a->schema, b->schema);
}

/*
 * The table a qualifier q names, as seen from scope sc: an alias before a
 * table name, the reference's own subquery before the others. Or -1.
 */
static long find_qualifier(const struct cx *c, struct sqlcols_name q, size_t sc)
{
	const struct sqlcols *o = c->out;
	for (int pass = 0; pass < 4; pass++)
		for (size_t i = 0; i < o->ntables; i++) {
			const struct sqlcols_table *t = &o->tables[i];
			if ((pass & 1) == 0 && scope_of(c, c->table_at[i]) != sc)
				continue;
			if (name_eq(pass < 2 ? t->alias : t->name, q) && (pass < 2 || !t->alias.len))
				return (long)i;
		}
	return -1;
}

/*
 * Append column reference r, found at token at, with its table: through
 * its qualifier, or, unqualified, the one table of its own subquery.
 */
static void emit(struct cx *c, const struct pref *r, size_t at, enum sqlcols_role role, unsigned flags)
{
	struct sqlcols *o = c->out;
	if (o->nrefs == SQLCOLS_MAX_REFS) {
		o->truncated = 1;
		return;
	}
	struct sqlcols_ref *x = &o->refs[o->nrefs++];
	memset(x, 0, sizeof(*x));
	x->column = r->part[r->nparts - 1];
	x->role = role;
	x->flags = flags;
	if (r->nparts == 3) {
		x->schema = r->part[0];
		x->table = r->part[1];
		return;
	}
	size_t sc = scope_of(c, at);
	if (r->nparts == 2) {
		x->table = r->part[0];
		long k = find_qualifier(c, r->part[0], sc);
		if (k >= 0 && o->tables[k].name.len) {
			x->schema = o->tables[k].schema;
			x->table = o->tables[k].name;
		}
		return;
	}
	const struct sqlcols_table *only = NULL;
	for (size_t i = 0; i < o->ntables; i++) {
		const struct sqlcols_table *t = &o->tables[i];
		if (scope_of(c, c->table_at[i]) != sc)
			continue;
		if (!t->name.len)
			return; /* a derived table could hold it as well */
		if (only && !same_table(only, t))
			return;
		only = t;
	}
	if (only) {
		x->schema = only->schema;
		x->table = only->name;
	}
}

/* USING (col, ...): the column of the two tables either side of the JOIN. */
static void emit_using(struct cx *c, size_t i)
{
	struct sqlcols *o = c->out;
	size_t right = SQLCOLS_MAX_TABLES, left = SQLCOLS_MAX_TABLES;
	for (size_t k = 0; k < o->ntables; k++)
		if (c->table_at[k] < i && o->tables[k].name.len) {
			left = right;
			right = k;
		}
	for (int side = 0; side < 2; side++) {
		size_t k = side ? right : left;
		if (k == SQLCOLS_MAX_TABLES)
			continue;
		struct pref q;
		memset(&q, 0, sizeof(q));
		q.part[0] = o->tables[k].alias.len ? o->tables[k].alias : o->tables[k].name;
		q.part[1] = tok_name(&c->t[i]);
		q.nparts = 2;
		q.end = i + 1;
		emit(c, &q, i, SQLCOLS_JOIN, 0);
	}
}

static int is_value(const struct cx *c, size_t i)
{
	if (i >= c->n)
		return 0;
	switch (c->t[i].kind) {
	case SQLTOK_NUMBER:
	case SQLTOK_STRING:
	case SQLTOK_PARAM:
	case SQLTOK_VARIABLE:
	case SQLTOK_DOLLAR:
		return 1;
	case SQLTOK_DQUOTED:
		return !(c->dialect & SQLTOK_PG);
	case SQLTOK_WORD:
		return kw(c, i, "null") || kw(c, i, "true") || kw(c, i, "false");
	default:
		return 0;
	}
}

/* A comparison operator at i: its role and flags; 0 if not one. */
static int cmp_at(const struct cx *c, size_t i, enum sqlcols_role *role, unsigned *flags)
{
	*flags = 0;
	if (op(c, i, "=") || op(c, i, "<=>") || op(c, i, "==")) {
		*role = SQLCOLS_WHERE_EQ;
		return 1;
	}
	if (op(c, i, "<") || op(c, i, "<=") || op(c, i, ">") || op(c, i, ">=")) {
		*role = SQLCOLS_WHERE_RANGE;
		return 1;
	}
	if (op(c, i, "!=") || op(c, i, "<>")) {
		*role = SQLCOLS_WHERE_RANGE;
		*flags = SQLCOLS_NEGATED;
		return 1;
	}
	return 0;
}

/* Does the token at i (an operator) bind tighter than a comparison? */
static int arith_at(const struct cx *c, size_t i)
{
	if (i >= c->n || c->t[i].kind != SQLTOK_OP)
		return 0;
	enum sqlcols_role r;
	unsigned f;
	/* The regex match operators compare like LIKE does: a predicate, not arithmetic. */
	return !cmp_at(c, i, &r, &f) && !op(c, i, "::") && !op(c, i, "~") && !op(c, i, "~*") &&
	       !op(c, i, "!~") && !op(c, i, "!~*");
}

/* Is the LIKE pattern at i one with no fixed prefix ('%x', '_x')? */
static int leading_wildcard(const struct cx *c, size_t i)
{
	if (i >= c->n || c->t[i].kind != SQLTOK_STRING)
		return 0;
	const char *s = c->t[i].s;
	size_t n = c->t[i].len, k = 0;
	while (k < n && s[k] != '\'')
		k++; /* N'..', E'..' */
	return k + 1 < n && (s[k + 1] == '%' || s[k + 1] == '_');
}

/*
 * A predicate starting at i in a WHERE, ON or HAVING clause: record what it
 * says and return where to go on from, or 0 when there is none at i.
 */
static size_t predicate(struct cx *c, size_t i, enum clause cl)
{
	unsigned extra = cl == CL_HAVING ? SQLCOLS_HAVING : 0;
	enum sqlcols_role role;
	unsigned flags;
	struct pref l, r;

	if (i > 0 && arith_at(c, i - 1))
		return 0; /* ... + col: part of an expression */
	if (is_value(c, i) && cmp_at(c, i + 1, &role, &flags) && ref_at(c, i + 2, 1, &r) &&
	    !arith_at(c, r.end)) {
		emit(c, &r, i + 2, role, flags | extra); /* value op col */
		return r.end;
	}
	if (!ref_at(c, i, 1, &l))
		return 0;
	unsigned neg = (i > 0 && kw(c, i - 1, "not")) ? SQLCOLS_NEGATED : 0; /* NOT col = v */
	size_t k = l.end;
	while (op(c, k, "::") && k + 1 < c->n)
		k += 2; /* PostgreSQL casts: col::text */
	if (kw(c, k, "collate"))
		k += 2;
	if (arith_at(c, k))
		return l.end; /* col + 1 = ...: not an indexable shape */
	if (cmp_at(c, k, &role, &flags)) {
		size_t m = k + 1;
		if (ref_at(c, m, 0, &r)) {
			emit(c, &l, i, SQLCOLS_JOIN, extra);
			emit(c, &r, m, SQLCOLS_JOIN, extra);
			return r.end;
		}
		if (neg)
			role = SQLCOLS_WHERE_RANGE;
		emit(c, &l, i, role, flags | neg | extra);
		return m;
	}
	if (kw(c, k, "not")) {
		neg = SQLCOLS_NEGATED;
		k++;
	}
	if (kw(c, k, "in")) {
		emit(c, &l, i, neg ? SQLCOLS_WHERE_RANGE : SQLCOLS_WHERE_EQ, neg | extra);
		return k + 1;
	}
	if (kw(c, k, "like") || kw(c, k, "ilike")) {
		unsigned w = leading_wildcard(c, k + 1) ? SQLCOLS_LEADING_WILDCARD : 0;
		emit(c, &l, i, SQLCOLS_WHERE_RANGE, neg | w | extra);
		return k + 1;
	}
	if (kw(c, k, "regexp") || kw(c, k, "rlike") || kw(c, k, "similar") || op(c, k, "~") ||
	    op(c, k, "~*") || op(c, k, "!~") || op(c, k, "!~*")) {
		if (op(c, k, "!~") || op(c, k, "!~*"))
			neg = SQLCOLS_NEGATED;
		emit(c, &l, i, SQLCOLS_WHERE_RANGE, neg | SQLCOLS_LEADING_WILDCARD | extra);
		return k + 1;
	}
	if (kw(c, k, "between")) {
		emit(c, &l, i, SQLCOLS_WHERE_RANGE, neg | extra);
		size_t depth = 0; /* on past the AND that belongs to BETWEEN (near it) */
		for (size_t j = k + 1; j < c->n && j < k + 64; j++) {
			if (punct(c, j, '('))
				depth++;
			else if (punct(c, j, ')')) {
				if (depth == 0)
					return j;
				depth--;
			} else if (depth == 0 && kw(c, j, "and")) {
				return j + 2 <= c->n ? j + 2 : c->n;
			}
		}
		return k + 1;
	}
	if (kw(c, k, "is")) {
		size_t m = k + 1;
		if (kw(c, m, "not")) {
			neg = SQLCOLS_NEGATED;
			m++;
		}
		if (kw(c, m, "null") || kw(c, m, "true") || kw(c, m, "false") || kw(c, m, "unknown")) {
			emit(c, &l, i, neg ? SQLCOLS_WHERE_RANGE : SQLCOLS_WHERE_EQ, neg | extra);
			return m + 1;
		}
		if (kw(c, m, "distinct") && kw(c, m + 1, "from")) {
			/* IS NOT DISTINCT FROM: a NULL-safe "="; IS DISTINCT FROM: its negation */
			unsigned ng = neg ? 0 : SQLCOLS_NEGATED;
			if (ref_at(c, m + 2, 0, &r)) {
				emit(c, &l, i, SQLCOLS_JOIN, extra);
				emit(c, &r, m + 2, SQLCOLS_JOIN, extra);
				return r.end;
			}
			emit(c, &l, i, ng ? SQLCOLS_WHERE_RANGE : SQLCOLS_WHERE_EQ, ng | extra);
			return m + 2;
		}
	}
	return l.end;
}

/*
 * An ORDER BY / GROUP BY item at i: a plain column, then ASC / DESC /
 * NULLS FIRST|LAST, then the end of the item. Returns where it ends, or 0.
 */
static size_t list_item(struct cx *c, size_t i, enum clause cl)
{
	struct pref r;
	if (!ref_at(c, i, 1, &r))
		return 0;
	size_t k = r.end;
	unsigned flags = 0;
	if (kw(c, k, "asc"))
		k++;
	else if (kw(c, k, "desc")) {
		flags = SQLCOLS_DESC;
		k++;
	}
	if (kw(c, k, "nulls"))
		k += 2;
	if (!(k >= c->n || punct(c, k, ',') || punct(c, k, ')') || punct(c, k, ';') ||
	      word_in(&c->t[k], other_clauses) || kw(c, k, "having") || kw(c, k, "order") ||
	      kw(c, k, "with")))
		return 0;
	emit(c, &r, i, cl == CL_ORDER ? SQLCOLS_ORDER : SQLCOLS_GROUP, flags);
	return k;
}

/* What a "(" at i opens, seen from the tokens around it. */
static enum fkind paren_kind(const struct cx *c, size_t i)
{
	if (kw(c, i + 1, "select") || kw(c, i + 1, "with"))
		return F_SUB;
	if (i == 0)
		return F_EXPR;
	if (kw(c, i - 1, "using"))
		return F_USING;
	const struct sqltok *p = &c->t[i - 1];
	if ((p->kind == SQLTOK_WORD && !word_in(p, keywords)) || kw(c, i - 1, "over") ||
	    p->kind == SQLTOK_QIDENT)
		return F_FUNC;
	return F_EXPR;
}

/* Second sweep: the columns, clause by clause. */
static void find_columns(struct cx *c)
{
	struct frame st[MAX_DEPTH];
	size_t depth = 0, lost = 0; /* lost: levels deeper than st holds */
	st[0].clause = CL_OTHER;
	st[0].kind = F_EXPR;
	st[0].item_start = 0;
	for (size_t i = 0; i < c->n;) {
		struct frame *f = &st[depth];
		if (punct(c, i, '(')) {
			if (depth + 1 == MAX_DEPTH) {
				lost++;
			} else {
				enum fkind k = paren_kind(c, i);
				st[depth + 1].kind = k;
				st[depth + 1].clause = k == F_EXPR ? f->clause : CL_OTHER;
				st[depth + 1].item_start = 0;
				depth++;
			}
			i++;
			continue;
		}
		if (punct(c, i, ')')) {
			if (lost)
				lost--;
			else if (depth)
				depth--;
			i++;
			continue;
		}
		if (punct(c, i, ';')) {
			depth = lost = 0;
			st[0].clause = CL_OTHER;
			i++;
			continue;
		}
		if (lost || f->kind == F_FUNC) {
			i++;
			continue;
		}
		if (f->kind == F_USING) {
			if (name_tok(c, i, 0, 1))
				emit_using(c, i);
			i++;
			continue;
		}
		const struct sqltok *t = &c->t[i];
		if (t->kind == SQLTOK_WORD) {
			if (sqltok_is(t, "where")) {
				f->clause = CL_WHERE;
				i++;
				continue;
			}
			if (sqltok_is(t, "on")) {
				f->clause = kw(c, i + 1, "duplicate") ? CL_OTHER : CL_ON;
				i++;
				continue;
			}
			if (sqltok_is(t, "having")) {
				f->clause = CL_HAVING;
				i++;
				continue;
			}
			if ((sqltok_is(t, "order") || sqltok_is(t, "group")) && kw(c, i + 1, "by")) {
				f->clause = sqltok_is(t, "order") ? CL_ORDER : CL_GROUP;
				f->item_start = 1;
				i += 2;
				continue;
			}
			int distinct_from = sqltok_is(t, "from") && kw(c, i - 1, "distinct");
			if (word_in(t, other_clauses) && !distinct_from) {
				f->clause = CL_OTHER;
				i++;
				continue;
			}
		}
		size_t next = 0;
		switch (f->clause) {
		case CL_WHERE:
		case CL_ON:
		case CL_HAVING:
			next = predicate(c, i, f->clause);
			break;
		case CL_ORDER:
		case CL_GROUP:
			if (punct(c, i, ',')) {
				f->item_start = 1;
				i++;
				continue;
			}
			if (f->item_start) {
				f->item_start = 0;
				next = list_item(c, i, f->clause);
			}
			break;
		default:
			break;
		}
		i = next > i ? next : i + 1;
	}
}

void sqlcols_extract(const char *sql, size_t len, unsigned dialect, struct sqlcols *out)
{
	memset(out, 0, sizeof(*out));
	struct sqltok_iter it;
	struct sqltok tk;
	size_t n = 0, cap = 0;
	struct sqltok *toks = NULL;
	sqltok_init(&it, sql, len, dialect);
	while (sqltok_next_code(&it, &tk)) {
		if (n == SQLCOLS_MAX_TOKENS) {
			out->truncated = 1;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			toks = xrealloc(toks, cap * sizeof(*toks));
		}
		toks[n++] = tk;
	}
	/* match the parentheses once: for each "(", its ")" (or n) */
	size_t *match = xmalloc((n ? n : 1) * sizeof(*match));
	size_t *scope = xmalloc((n ? n : 1) * sizeof(*scope));
	size_t *inner = xmalloc((n ? n : 1) * sizeof(*inner));
	size_t *stack = xmalloc((n ? n : 1) * 2 * sizeof(*stack)); /* ( index, cur before it ) */
	size_t sp = 0, cur = n; /* cur: the innermost open subquery's "(" */
	for (size_t i = 0; i < n; i++) {
		match[i] = n;
		scope[i] = cur;
		inner[i] = sp ? stack[2 * (sp - 1)] : n;
		if (toks[i].kind != SQLTOK_PUNCT)
			continue;
		if (toks[i].s[0] == '(') {
			stack[2 * sp] = i;
			stack[2 * sp + 1] = cur;
			sp++;
			if (i + 1 < n && (sqltok_is(&toks[i + 1], "select") ||
					  sqltok_is(&toks[i + 1], "with")))
				cur = i;
		} else if (toks[i].s[0] == ')' && sp) {
			sp--;
			match[stack[2 * sp]] = i;
			cur = stack[2 * sp + 1];
		} else if (toks[i].s[0] == ';') {
			sp = 0;
			cur = n;
		}
	}
	free(stack);
	struct cx c;
	memset(&c, 0, sizeof(c));
	c.t = toks;
	c.match = match;
	c.scope = scope;
	c.inner = inner;
	c.n = n;
	c.dialect = dialect;
	c.out = out;
	find_tables(&c);
	find_columns(&c);
	free(inner);
	free(scope);
	free(match);
	free(toks);
}

const char *sqlcols_role_name(enum sqlcols_role role)
{
	switch (role) {
	case SQLCOLS_WHERE_EQ: return "where_eq";
	case SQLCOLS_WHERE_RANGE: return "where_range";
	case SQLCOLS_JOIN: return "join";
	case SQLCOLS_ORDER: return "order";
	case SQLCOLS_GROUP: return "group";
	}
	return "?";
}
