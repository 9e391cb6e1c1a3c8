/*
 * advise: index advice from the columns a statement filters, joins, sorts
 * and groups on.
 *
 * sqlcols finds the column references and the tables they belong to; this
 * file turns them into one candidate key per table occurrence (a table
 * read twice, as in a self-join or a subquery, is two occurrences with two
 * keys) and judges each against the catalog. The key is built the way a
 * B-tree is searched: the columns compared by equality first (they can be
 * in any order among themselves), then one range, then the ORDER BY or
 * GROUP BY columns when the index can hand the rows over in that order.
 *
 * Joins need a choice sqlcols cannot make: which table is read first (the
 * driver) and which is looked up once per row of it (the inner one, whose
 * join column then belongs in its key as an equality). The planner decides
 * that from statistics we do not have, so a rule of thumb stands in for it:
 * the outer query before a correlated subquery, never the nullable side of
 * a LEFT JOIN, else the table with the most selective-looking filters
 * (equalities count double), else the first one named. The rest of a join
 * graph is ordered breadth-first from the driver.
 *
 * A few facts sqlcols does not keep are read off the token stream again
 * here: whether an ORDER BY / GROUP BY list held something other than
 * plain columns (an expression, a position, a select-list alias), whether
 * a table follows LEFT JOIN, which names are CTEs, how deep in subqueries
 * a table sits, and the pattern of a LIKE. Like sqlcols this is a
 * best-effort reading, not a parse: when in doubt it leaves a column out
 * rather than advise on a guess.
 */
#include "db/advise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "sql/sqlcols.h"
#include "sql/sqltok.h"

#define MAX_KEY 5          /* columns in a proposed index */
#define MAX_CAND 24        /* columns gathered before the cut to MAX_KEY */
#define MAX_JCOLS 8        /* join columns kept per occurrence */
#define SMALL_ROWS 1000.0  /* below this a scan is cheap */
#define BIG_ROWS 100000.0  /* from here building an index deserves an operational note */
#define NAME_MAX_LEN 63    /* PostgreSQL's identifier limit (MySQL's is 64) */

/* What a reference resolved to, besides an occurrence index (>= 0). */
#define REF_UNRESOLVED (-1) /* a qualifier that names no table of the statement */
#define REF_DERIVED (-2)    /* a column of a derived table or table function */
#define REF_AMBIGUOUS (-3)  /* unqualified, several tables could hold it */

enum pat_shape { PAT_UNKNOWN, PAT_SUBSTRING, PAT_SUFFIX, PAT_REGEX };

/* Roles of a column inside a candidate key. */
enum key_role { K_JOIN, K_EQ, K_RANGE, K_ORDER, K_GROUP };

/* One table as the statement names it. */
struct occ {
	const char *name;            /* normalized: quotes off, PostgreSQL's unquoted names folded */
	const char *schema;          /* as written before the name, or NULL */
	const struct dbc_table *ct;  /* the catalog's entry, or NULL */
	const char *ct_schema;       /* the schema part of a schema-qualified catalog name */
	const char *ct_name;         /* the name part of the catalog's name */
	int derived;                 /* a derived table or table function: only an alias */
	int cte;                     /* names a CTE of the statement */
	size_t tok;                  /* token of its name (or alias), nt when not found */
	int depth;                   /* subqueries around it */
	int nullable;                /* the right side of a LEFT JOIN */
	int score;                   /* how selective its filters look */
	int visit;                   /* breadth-first order from the driver; -1 unvisited */
	int inner;                   /* looked up once per row of another table */
	const char *via;             /* inner: the table it is looked up from */
	const char *jcols[MAX_JCOLS];
	size_t njcols;
};

struct cand {
	const char *col[MAX_CAND];
	int desc[MAX_CAND];
	enum key_role role[MAX_CAND];
	size_t n, neq;
	const char *range;
	const char *order_skip; /* why the ORDER BY / GROUP BY is not in the key */
	int order_used, group_used;
	int range_listed; /* the range column is the first ORDER BY / GROUP BY column */
};

/* A catalog index's column: the name with a trailing ASC / DESC taken off. */
struct icol {
	const char *name;
	size_t len;
	int desc;
};

struct ax {
	const char *sql;
	size_t len;
	enum db_kind kind;
	const struct dbc_catalog *cat;
	struct arena *a;
	struct sqlcols *sc;
	struct sqltok *toks;
	size_t nt;
	int *tdepth; /* per token: subqueries around it */
	struct occ occ[SQLCOLS_MAX_TABLES];
	size_t nocc;
	int ref_occ[SQLCOLS_MAX_REFS];
	const char *ref_col[SQLCOLS_MAX_REFS];
	size_t order_items, group_items; /* items of the ORDER BY / GROUP BY lists read */
	int order_alias, group_alias;    /* an item is a select-list alias */
	const char **aliases;            /* names after AS that are not table aliases */
	size_t naliases;
	const char **ctes;
	size_t nctes;
	struct advice *out; /* heap while building; copied into the arena at the end */
	size_t n, cap;
};

const char *advice_kind_name(enum advice_kind k)
{
	switch (k) {
	case ADVICE_CREATE_INDEX: return "create_index";
	case ADVICE_COVERED: return "covered";
	case ADVICE_NO_BTREE: return "no_btree";
	case ADVICE_SMALL_TABLE: return "small_table";
	case ADVICE_UNKNOWN_TABLE: return "unknown_table";
	case ADVICE_NOTE: return "note";
	}
	return "?";
}

/* ---- names ---------------------------------------------------------------- */

static int ci_eqn(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Column and table names compare exactly for PostgreSQL (whose unquoted
 * names we fold), ignoring case for MySQL and SQLite. */
static int name_eqn(const struct ax *x, const char *a, size_t alen, const char *b, size_t blen)
{
	if (x->kind == DB_PG)
		return alen == blen && memcmp(a, b, alen) == 0;
	return ci_eqn(a, alen, b, blen);
}

static int name_eq(const struct ax *x, const char *a, const char *b)
{
	return a && b && name_eqn(x, a, strlen(a), b, strlen(b));
}

/* Was the span at s written in quotes? (s points just past the opening quote.) */
static int quoted_at(const struct ax *x, const char *s)
{
	return s > x->sql && (s[-1] == '"' || s[-1] == '`');
}

/*
 * A name span as the server sees it, copied into the arena: a doubled
 * quote inside collapsed, and for PostgreSQL an unquoted name folded to
 * lower case. NULL for an empty span.
 */
static const char *norm_name(struct ax *x, const char *s, size_t len)
{
	if (!s || len == 0)
		return NULL;
	int q = quoted_at(x, s);
	char *o = arena_alloc(x->a, len + 1);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (q && (c == '"' || c == '`') && i + 1 < len && s[i + 1] == c)
			i++;
		if (!q && x->kind == DB_PG && c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);
		o[k++] = c;
	}
	o[k] = '\0';
	return o;
}

/* s with everything but [a-z0-9] turned into one "_", for index names. */
static void put_sanitized(struct buf *b, const char *s)
{
	int under = b->len > 0 && b->data[b->len - 1] == '_';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			buf_putc(b, (char)c);
			under = 0;
		} else if (!under) {
			buf_putc(b, '_');
			under = 1;
		}
	}
}

/* ---- tokens ---------------------------------------------------------------- */

static int t_kw(const struct ax *x, size_t i, const char *w)
{
	return i < x->nt && sqltok_is(&x->toks[i], w);
}

static int t_punct(const struct ax *x, size_t i, char c)
{
	return i < x->nt && x->toks[i].kind == SQLTOK_PUNCT && x->toks[i].s[0] == c;
}

static int t_op(const struct ax *x, size_t i, const char *o)
{
	size_t n = strlen(o);
	return i < x->nt && x->toks[i].kind == SQLTOK_OP && x->toks[i].len == n &&
	       memcmp(x->toks[i].s, o, n) == 0;
}

/* The token whose bytes hold s (tokens are in text order), or nt. */
static size_t tok_at(const struct ax *x, const char *s)
{
	size_t lo = 0, hi = x->nt;
	if (!s)
		return x->nt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sqltok *t = &x->toks[mid];
		if (s < t->s)
			hi = mid;
		else if (s >= t->s + (t->len ? t->len : 1))
			lo = mid + 1;
		else
			return mid;
	}
	return x->nt;
}

static int starts_subquery(const struct ax *x, size_t i)
{
	return t_kw(x, i, "select") || t_kw(x, i, "with") || t_kw(x, i, "values") ||
	       t_kw(x, i, "insert") || t_kw(x, i, "update") || t_kw(x, i, "delete");
}

/* Words that end an ORDER BY / GROUP BY list. */
static const char *const list_enders[] = {
	"limit", "offset", "fetch", "for", "having", "window", "union", "except", "intersect",
	"order", "lock", "into", "returning", "procedure", "with", "select", "from", "where", NULL,
};

static int is_ender(const struct ax *x, size_t i)
{
	for (const char *const *w = list_enders; *w; w++)
		if (t_kw(x, i, *w))
			return 1;
	return 0;
}

/* Count the items of the list starting at token i; *alias set when one is a name in x->aliases. */
static size_t count_items(const struct ax *x, size_t i, int *alias)
{
	size_t items = 0, depth = 0;
	int at_start = 1;
	for (; i < x->nt; i++) {
		if (t_punct(x, i, ';'))
			break;
		if (t_punct(x, i, '(')) {
			depth++;
		} else if (t_punct(x, i, ')')) {
			if (depth == 0)
				break;
			depth--;
		} else if (depth == 0 && t_punct(x, i, ',')) {
			at_start = 1;
			continue;
		} else if (depth == 0 && is_ender(x, i)) {
			break;
		}
		if (at_start) {
			items++;
			at_start = 0;
			const struct sqltok *t = &x->toks[i];
			if ((t->kind == SQLTOK_WORD || t->kind == SQLTOK_QIDENT ||
			     t->kind == SQLTOK_DQUOTED) && !t_punct(x, i + 1, '.')) {
				const char *s;
				size_t n;
				sqltok_name(t, &s, &n);
				for (size_t k = 0; k < x->naliases; k++)
					if (ci_eqn(s, n, x->aliases[k], strlen(x->aliases[k])))
						*alias = 1;
			}
		}
	}
	return items;
}

static int is_table_alias(const struct ax *x, const char *s)
{
	for (size_t i = 0; i < x->sc->ntables; i++)
		if (x->sc->tables[i].alias.s == s)
			return 1;
	return 0;
}

/* The token before the name a CTE's "AS (" belongs to: NAME [ (cols) ] AS [NOT] [MATERIALIZED] ( */
static void note_cte(struct ax *x, size_t as)
{
	if (as == 0)
		return;
	size_t j = as - 1;
	if (t_punct(x, j, ')')) {
		size_t depth = 0;
		for (;; j--) {
			if (t_punct(x, j, ')'))
				depth++;
			else if (t_punct(x, j, '(') && --depth == 0)
				break;
			if (j == 0)
				return;
		}
		if (j == 0)
			return;
		j--;
	}
	const struct sqltok *t = &x->toks[j];
	if (t->kind != SQLTOK_WORD && t->kind != SQLTOK_QIDENT && t->kind != SQLTOK_DQUOTED)
		return;
	const char *s;
	size_t n;
	sqltok_name(t, &s, &n);
	x->ctes = xrealloc(x->ctes, (x->nctes + 1) * sizeof(*x->ctes));
	x->ctes[x->nctes++] = norm_name(x, s, n);
}

/*
 * Tokenize the statement and read what sqlcols does not keep: subquery
 * depth per token, CTE names, select-list aliases and the item counts of
 * the ORDER BY / GROUP BY lists that sqlcols reads (those of a query, not
 * of a window or an aggregate's arguments).
 */
static void scan_tokens(struct ax *x, unsigned dialect)
{
	struct sqltok_iter it;
	struct sqltok t;
	size_t cap = 0;
	sqltok_init(&it, x->sql, x->len, dialect);
	while (x->nt < SQLCOLS_MAX_TOKENS && sqltok_next_code(&it, &t)) {
		if (x->nt == cap) {
			cap = cap ? cap * 2 : 64;
			x->toks = xrealloc(x->toks, cap * sizeof(*x->toks));
		}
		x->toks[x->nt++] = t;
	}
	x->tdepth = xcalloc(x->nt ? x->nt : 1, sizeof(*x->tdepth));
	unsigned char *subq = xmalloc(x->nt + 1);
	size_t sp = 0;
	int depth = 0;

	/* aliases first: the list counts below look them up */
	for (size_t i = 0; i + 1 < x->nt; i++) {
		if (!t_kw(x, i, "as"))
			continue;
		size_t j = i + 1;
		if (t_kw(x, j, "not"))
			j++;
		if (t_kw(x, j, "materialized"))
			j++;
		if (t_punct(x, j, '(')) {
			if (starts_subquery(x, j + 1))
				note_cte(x, i);
			continue;
		}
		const struct sqltok *n = &x->toks[i + 1];
		if ((n->kind == SQLTOK_WORD || n->kind == SQLTOK_QIDENT || n->kind == SQLTOK_DQUOTED ||
		     n->kind == SQLTOK_STRING) && !t_punct(x, i + 2, '(')) {
			const char *s;
			size_t len;
			sqltok_name(n, &s, &len);
			if (n->kind == SQLTOK_STRING && len >= 2) {
				s++;
				len -= 2;
			}
			if (is_table_alias(x, s))
				continue;
			x->aliases = xrealloc(x->aliases, (x->naliases + 1) * sizeof(*x->aliases));
			x->aliases[x->naliases++] = arena_strndup(x->a, s, len);
		}
	}
	for (size_t i = 0; i < x->nt; i++) {
		x->tdepth[i] = depth;
		if (t_punct(x, i, '(')) {
			subq[sp] = (unsigned char)starts_subquery(x, i + 1);
			depth += subq[sp];
			sp++;
		} else if (t_punct(x, i, ')')) {
			if (sp) {
				sp--;
				depth -= subq[sp];
			}
		} else if (t_punct(x, i, ';')) {
			sp = 0;
			depth = 0;
		} else if ((t_kw(x, i, "order") || t_kw(x, i, "group")) && t_kw(x, i + 1, "by") &&
			   (sp == 0 || subq[sp - 1])) {
			if (t_kw(x, i, "order"))
				x->order_items += count_items(x, i + 2, &x->order_alias);
			else
				x->group_items += count_items(x, i + 2, &x->group_alias);
		}
	}
	free(subq);
}

/* Does the table named at token k follow LEFT [OUTER] JOIN? */
static int left_joined(const struct ax *x, size_t k)
{
	size_t j = k;
	while (j >= 2 && t_punct(x, j - 1, '.'))
		j -= 2;
	while (j >= 1 && (t_punct(x, j - 1, '(') || t_kw(x, j - 1, "lateral") || t_kw(x, j - 1, "only")))
		j--;
	if (j < 1 || !t_kw(x, j - 1, "join"))
		return 0;
	j--;
	if (j >= 1 && t_kw(x, j - 1, "outer"))
		j--;
	return j >= 1 && t_kw(x, j - 1, "left");
}

/* ---- catalog ---------------------------------------------------------------- */

/*
 * Split a catalog table name into schema and name. PostgreSQL's catalog
 * names are regclass text: schema-qualified when off the search path and
 * quoted where needed (shop."Order Items"); the others are the bare name.
 */
static void split_catalog_name(struct ax *x, const char *cn, const char **schema, const char **name)
{
	*schema = NULL;
	*name = cn;
	if (x->kind != DB_PG)
		return;
	const char *part[2] = {NULL, NULL};
	int np = 0;
	const char *p = cn;
	while (*p && np < 2) {
		struct buf b = BUF_INIT;
		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				buf_putc(&b, *p);
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != '.')
				buf_putc(&b, *p++);
		}
		part[np++] = arena_strdup(x->a, buf_str(&b));
		buf_free(&b);
		if (*p != '.')
			break;
		p++;
	}
	if (*p) /* not the shape we know: leave it whole */
		return;
	if (np == 2) {
		*schema = part[0];
		*name = part[1];
	} else if (np == 1) {
		*name = part[0];
	}
}

/*
 * The catalog table for an occurrence: the name as the catalog spells it
 * (exactly first, then by the name's case rules), with a schema when both
 * the statement and the catalog give one.
 */
static void find_catalog_table(struct ax *x, struct occ *o)
{
	const struct dbc_catalog *cat = x->cat;
	if (!cat)
		return;
	for (int pass = 0; pass < 2 && !o->ct; pass++)
		for (size_t i = 0; i < cat->ntables && !o->ct; i++) {
			if (!cat->tables[i].name)
				continue;
			const char *cs, *cn;
			split_catalog_name(x, cat->tables[i].name, &cs, &cn);
			if (pass == 0 ? strcmp(cn, o->name) != 0 : !name_eq(x, cn, o->name))
				continue;
			if (cs && o->schema && !name_eq(x, cs, o->schema))
				continue;
			o->ct = &cat->tables[i];
			o->ct_schema = cs;
			o->ct_name = cn;
		}
}

static int index_on(const struct ax *x, const struct dbc_index *ix, const struct occ *o)
{
	return o->ct && ix->table && (strcmp(ix->table, o->ct->name) == 0 || name_eq(x, ix->table, o->ct->name));
}

static int is_btree(const struct dbc_index *ix)
{
	return !ix->method || strcasecmp(ix->method, "btree") == 0;
}

/*
 * Split a catalog column "name [ASC|DESC]"; a PostgreSQL column quoted
 * because it needs it ("userId") loses its quotes.
 */
static struct icol icol_of(struct ax *x, const char *c)
{
	struct icol r = {c ? c : "", c ? strlen(c) : 0, 0};
	if (r.len > 5 && strcasecmp(r.name + r.len - 5, " desc") == 0) {
		r.len -= 5;
		r.desc = 1;
	} else if (r.len > 4 && strcasecmp(r.name + r.len - 4, " asc") == 0) {
		r.len -= 4;
	}
	if (r.len >= 2 && r.name[0] == '"' && r.name[r.len - 1] == '"') {
		char *o = arena_alloc(x->a, r.len);
		size_t k = 0;
		for (size_t i = 1; i + 1 < r.len; i++) {
			o[k++] = r.name[i];
			if (r.name[i] == '"' && r.name[i + 1] == '"')
				i++;
		}
		o[k] = '\0';
		r.name = o;
		r.len = k;
	}
	return r;
}

static int icol_is(const struct ax *x, struct icol c, const char *name)
{
	return name_eqn(x, c.name, c.len, name, strlen(name));
}

/*
 * How many leading columns of index ix match a left prefix of the
 * candidate, the equality columns taken in any order and the rest in
 * order (with the ORDER BY directions all alike or all inverted).
 */
static size_t match_len(struct ax *x, const struct cand *c, const struct dbc_index *ix)
{
	int used[MAX_CAND] = {0};
	int rel = -1;
	size_t j = 0;
	for (; j < ix->ncols && j < c->n; j++) {
		struct icol ic = icol_of(x, ix->cols[j]);
		if (j < c->neq) {
			size_t k = 0;
			while (k < c->neq && (used[k] || !icol_is(x, ic, c->col[k])))
				k++;
			if (k == c->neq)
				break;
			used[k] = 1;
			continue;
		}
		if (!icol_is(x, ic, c->col[j]))
			break;
		if (c->role[j] == K_ORDER || (c->role[j] == K_RANGE && c->order_used && c->range_listed)) {
			int r = c->desc[j] != ic.desc;
			if (rel >= 0 && r != rel)
				break;
			rel = r;
		}
	}
	return j;
}

/* Does unique index ix find at most one row from the candidate's equalities alone? */
static int unique_within(struct ax *x, const struct cand *c, const struct dbc_index *ix)
{
	if (!(ix->unique || ix->primary) || ix->ncols == 0 || ix->partial)
		return 0;
	for (size_t j = 0; j < ix->ncols; j++) {
		struct icol ic = icol_of(x, ix->cols[j]);
		size_t k = 0;
		while (k < c->neq && !icol_is(x, ic, c->col[k]))
			k++;
		if (k == c->neq)
			return 0;
	}
	return 1;
}

/* ---- advice list ------------------------------------------------------------- */

static struct advice *push(struct ax *x, enum advice_kind k, const char *table)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->out = xrealloc(x->out, x->cap * sizeof(*x->out));
	}
	struct advice *ad = &x->out[x->n++];
	memset(ad, 0, sizeof(*ad));
	ad->kind = k;
	ad->table = table;
	ad->verified = -1;
	ad->cost_before = ad->cost_after = -1;
	return ad;
}

static void set_cols(struct ax *x, struct advice *ad, const char *const *cols, const int *desc, size_t n)
{
	const char **c = arena_calloc(x->a, n ? n : 1, sizeof(*c));
	int *d = arena_calloc(x->a, n ? n : 1, sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		c[i] = cols[i];
		d[i] = desc ? desc[i] : 0;
	}
	ad->cols = c;
	ad->desc = d;
	ad->ncols = n;
}

/* Is there already an entry of kind k for table with these columns? */
static int have(const struct ax *x, enum advice_kind k, const char *table, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct advice *ad = &x->out[i];
		if (ad->kind != k || ad->ncols != n || !ad->table != !table ||
		    (table && strcmp(ad->table, table) != 0))
			continue;
		size_t j = 0;
		while (j < n && strcmp(ad->cols[j], cols[j]) == 0)
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

static int have_note(const struct ax *x, const char *reason)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->out[i].kind == ADVICE_NOTE && strcmp(x->out[i].reason, reason) == 0)
			return 1;
	return 0;
}

static void note(struct ax *x, const char *table, const char *reason)
{
	if (have_note(x, reason))
		return;
	push(x, ADVICE_NOTE, table)->reason = reason;
}

/* ---- references ------------------------------------------------------------- */

/* Which occurrence reference r belongs to (or a REF_* code). */
static int resolve(struct ax *x, const struct sqlcols_ref *r)
{
	const struct sqlcols *sc = x->sc;
	if (r->table.len == 0)
		return REF_AMBIGUOUS;
	for (size_t i = 0; i < sc->ntables; i++)
		if (sc->tables[i].name.len && sc->tables[i].name.s == r->table.s)
			return (int)i;
	/* db.tbl.col, or a qualifier sqlcols could not place */
	const char *tn = norm_name(x, r->table.s, r->table.len);
	const char *sn = norm_name(x, r->schema.s, r->schema.len);
	for (size_t i = 0; i < sc->ntables; i++)
		if (!sc->tables[i].name.len && sc->tables[i].alias.len &&
		    name_eq(x, norm_name(x, sc->tables[i].alias.s, sc->tables[i].alias.len), tn))
			return REF_DERIVED;
	for (size_t i = 0; i < x->nocc; i++)
		if (!x->occ[i].derived && name_eq(x, x->occ[i].name, tn) &&
		    (!sn || !x->occ[i].schema || name_eq(x, x->occ[i].schema, sn)))
			return (int)i;
	return REF_UNRESOLVED;
}

static int col_in(const struct ax *x, const struct cand *c, const char *col, size_t upto)
{
	for (size_t i = 0; i < upto && i < c->n; i++)
		if (name_eq(x, c->col[i], col))
			return 1;
	return 0;
}

static void cand_add(const struct ax *x, struct cand *c, const char *col, int desc, enum key_role role)
{
	if (!col || col_in(x, c, col, c->n) || c->n == MAX_CAND)
		return;
	c->col[c->n] = col;
	c->desc[c->n] = desc;
	c->role[c->n] = role;
	c->n++;
}

/*
 * The ORDER BY (role SQLCOLS_ORDER) or GROUP BY list, when every item is
 * a plain column of occurrence oi; its first item that is not one of the
 * equality columns goes into *first. Returns the number of items, 0 when
 * the list is absent or not usable (*why says why, or stays NULL when
 * there is nothing to say).
 */
static size_t list_for(struct ax *x, int oi, const struct cand *c, enum sqlcols_role role, size_t *idx,
		       size_t max, const char **first, const char **why)
{
	size_t items = role == SQLCOLS_ORDER ? x->order_items : x->group_items;
	int alias = role == SQLCOLS_ORDER ? x->order_alias : x->group_alias;
	const char *what = role == SQLCOLS_ORDER ? "ORDER BY" : "GROUP BY";
	size_t n = 0;
	int others = 0;
	*first = NULL;
	*why = NULL;
	for (size_t i = 0; i < x->sc->nrefs; i++) {
		if (x->sc->refs[i].role != role)
			continue;
		if (x->ref_occ[i] != oi)
			others = 1;
		else if (n < max)
			idx[n++] = i;
	}
	if (n == 0)
		return 0;
	if (others) {
		*why = arena_printf(x->a, "%s also names columns of other tables, so no one index can give that order", what);
		return 0;
	}
	if (n != items || alias) {
		*why = arena_printf(x->a, "%s holds an expression, a position or a select-list alias; only plain columns can come from an index", what);
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		if (!col_in(x, c, x->ref_col[idx[k]], c->neq)) {
			*first = x->ref_col[idx[k]];
			break;
		}
	return n;
}

/* Build the candidate key of occurrence oi. */
static void build_cand(struct ax *x, int oi, struct cand *c)
{
	const struct sqlcols *sc = x->sc;
	const struct occ *o = &x->occ[oi];
	memset(c, 0, sizeof(*c));
	for (size_t j = 0; j < o->njcols; j++)
		cand_add(x, c, o->jcols[j], 0, K_JOIN);
	for (size_t i = 0; i < sc->nrefs; i++) {
		const struct sqlcols_ref *r = &sc->refs[i];
		if (x->ref_occ[i] == oi && r->role == SQLCOLS_WHERE_EQ &&
		    !(r->flags & (SQLCOLS_NEGATED | SQLCOLS_HAVING)))
			cand_add(x, c, x->ref_col[i], 0, K_EQ);
	}
	c->neq = c->n;
	for (size_t i = 0; i < sc->nrefs && !c->range; i++) {
		const struct sqlcols_ref *r = &sc->refs[i];
		if (x->ref_occ[i] == oi && r->role == SQLCOLS_WHERE_RANGE &&
		    !(r->flags & (SQLCOLS_NEGATED | SQLCOLS_HAVING | SQLCOLS_LEADING_WILDCARD)) &&
		    !col_in(x, c, x->ref_col[i], c->n))
			c->range = x->ref_col[i];
	}
	size_t idx[SQLCOLS_MAX_REFS];
	const char *first, *why;
	enum sqlcols_role lists[2] = {SQLCOLS_ORDER, SQLCOLS_GROUP};
	for (int l = 0; l < 2 && !c->order_used && !c->group_used; l++) {
		size_t n = list_for(x, oi, c, lists[l], idx, SQLCOLS_MAX_REFS, &first, &why);
		const char *what = l == 0 ? "ORDER BY" : "GROUP BY";
		if (n == 0) {
			if (why && !c->order_skip)
				c->order_skip = why;
			continue;
		}
		if (c->range && first && !name_eq(x, first, c->range)) {
			if (!c->order_skip)
				c->order_skip = arena_printf(x->a, "%s %s is left out: after the range on %s an index cannot also give that order",
							     what, first, c->range);
			continue;
		}
		if (c->range && first) {
			int d = 0;
			c->range_listed = 1;
			for (size_t k = 0; k < n; k++)
				if (name_eq(x, x->ref_col[idx[k]], c->range))
					d = l == 0 && (sc->refs[idx[k]].flags & SQLCOLS_DESC);
			cand_add(x, c, c->range, d, K_RANGE);
		}
		for (size_t k = 0; k < n; k++)
			cand_add(x, c, x->ref_col[idx[k]], l == 0 && (sc->refs[idx[k]].flags & SQLCOLS_DESC),
				 l == 0 ? K_ORDER : K_GROUP);
		if (l == 0)
			c->order_used = 1;
		else
			c->group_used = 1;
		c->order_skip = NULL;
	}
	if (c->range)
		cand_add(x, c, c->range, 0, K_RANGE);
	if (c->n > MAX_KEY)
		c->n = MAX_KEY;
	if (c->neq > c->n)
		c->neq = c->n;
}

/* ---- joins ----------------------------------------------------------------- */

static int better_driver(const struct occ *a, const struct occ *b)
{
	if (a->depth != b->depth)
		return a->depth < b->depth;
	if (a->nullable != b->nullable)
		return a->nullable < b->nullable;
	return a->score > b->score;
}

/*
 * Pair up the join references (sqlcols emits both sides of a.x = b.y one
 * after the other), pick each join graph's driver and mark, per pair, the
 * side visited later from it as the inner one: its column becomes an
 * equality of its key.
 */
static void plan_joins(struct ax *x)
{
	const struct sqlcols *sc = x->sc;
	size_t pa[SQLCOLS_MAX_REFS], pb[SQLCOLS_MAX_REFS], np = 0;
	for (size_t i = 0; i + 1 < sc->nrefs; i++) {
		if (sc->refs[i].role != SQLCOLS_JOIN || sc->refs[i + 1].role != SQLCOLS_JOIN)
			continue;
		int a = x->ref_occ[i], b = x->ref_occ[i + 1];
		if (a >= 0 && b >= 0 && a != b && !(sc->refs[i].flags & SQLCOLS_HAVING)) {
			pa[np] = i;
			pb[np] = i + 1;
			np++;
		}
		i++;
	}
	for (size_t i = 0; i < sc->nrefs; i++) {
		int o = x->ref_occ[i];
		if (o < 0 || (sc->refs[i].flags & (SQLCOLS_NEGATED | SQLCOLS_HAVING)))
			continue;
		if (sc->refs[i].role == SQLCOLS_WHERE_EQ)
			x->occ[o].score += 2;
		else if (sc->refs[i].role == SQLCOLS_WHERE_RANGE &&
			 !(sc->refs[i].flags & SQLCOLS_LEADING_WILDCARD))
			x->occ[o].score += 1;
	}
	int queue[SQLCOLS_MAX_TABLES];
	int order = 0;
	for (;;) {
		int best = -1;
		for (size_t i = 0; i < x->nocc; i++)
			if (x->occ[i].visit < 0 && !x->occ[i].derived &&
			    (best < 0 || better_driver(&x->occ[i], &x->occ[best])))
				best = (int)i;
		if (best < 0)
			break;
		size_t qh = 0, qt = 0;
		queue[qt++] = best;
		x->occ[best].visit = order++;
		while (qh < qt) {
			int cur = queue[qh++];
			for (size_t p = 0; p < np; p++) {
				int a = x->ref_occ[pa[p]], b = x->ref_occ[pb[p]];
				int other = a == cur ? b : b == cur ? a : -1;
				if (other >= 0 && x->occ[other].visit < 0) {
					x->occ[other].visit = order++;
					queue[qt++] = other;
				}
			}
		}
	}
	for (size_t p = 0; p < np; p++) {
		int a = x->ref_occ[pa[p]], b = x->ref_occ[pb[p]];
		size_t ri = x->occ[a].visit > x->occ[b].visit ? pa[p] : pb[p];
		int in = x->ref_occ[ri], out = in == a ? b : a;
		struct occ *o = &x->occ[in];
		o->inner = 1;
		if (!o->via) {
			const struct occ *w = &x->occ[out];
			const struct sqlcols_name al = sc->tables[out].alias;
			o->via = w->ct_name ? w->ct_name : w->name;
			if (al.len && w->name && o->name && strcmp(w->name, o->name) == 0) /* a self-join */
				o->via = arena_printf(x->a, "%s (%.*s)", o->via, (int)al.len, al.s);
		}
		size_t k = 0;
		while (k < o->njcols && !name_eq(x, o->jcols[k], x->ref_col[ri]))
			k++;
		if (k == o->njcols && o->njcols < MAX_JCOLS)
			o->jcols[o->njcols++] = x->ref_col[ri];
	}
}

/* ---- statements ------------------------------------------------------------ */

static void put_ident(struct ax *x, struct buf *b, const char *s)
{
	buf_puts(b, db_ident(x->a, x->kind, s));
}

/* The table as a statement should name it: schema-qualified when it was written so. */
static void put_table(struct ax *x, struct buf *b, const struct occ *o)
{
	const char *schema = o->ct_schema ? o->ct_schema : o->schema;
	if (schema) {
		put_ident(x, b, schema);
		buf_putc(b, '.');
	}
	put_ident(x, b, o->ct_name ? o->ct_name : o->name);
}

static int name_taken(const struct ax *x, const char *name)
{
	if (x->cat)
		for (size_t i = 0; i < x->cat->nindexes; i++)
			if (x->cat->indexes[i].name && strcasecmp(x->cat->indexes[i].name, name) == 0)
				return 1;
	for (size_t i = 0; i < x->n; i++)
		if (x->out[i].name && strcasecmp(x->out[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * prefix_<table>_<col>..._suffix in [a-z0-9_], at most NAME_MAX_LEN bytes,
 * made unique against the catalog and the advice so far with _2.._99.
 */
static const char *index_name(struct ax *x, const char *prefix, const struct occ *o, const char *const *cols,
			      size_t n, const char *suffix)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, prefix);
	put_sanitized(&b, o->ct_name ? o->ct_name : o->name);
	for (size_t i = 0; i < n; i++) {
		buf_putc(&b, '_');
		put_sanitized(&b, cols[i]);
	}
	if (suffix)
		buf_puts(&b, suffix);
	size_t len = b.len > NAME_MAX_LEN ? NAME_MAX_LEN : b.len;
	while (len > 1 && b.data[len - 1] == '_')
		len--;
	char *name = arena_strndup(x->a, b.data, len);
	for (int k = 2; k < 100 && name_taken(x, name); k++) {
		size_t keep = len > NAME_MAX_LEN - 3 ? NAME_MAX_LEN - 3 : len;
		name = arena_printf(x->a, "%.*s_%d", (int)keep, b.data, k);
	}
	buf_free(&b);
	return name;
}

static const char *join_cols(struct ax *x, const char *const *cols, const int *desc, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, cols[i]);
		if (desc && desc[i])
			buf_puts(&b, " DESC");
	}
	const char *s = arena_strdup(x->a, buf_str(&b));
	buf_free(&b);
	return s;
}

static const char *icols_text(struct ax *x, const struct dbc_index *ix)
{
	return join_cols(x, ix->cols, NULL, ix->ncols);
}

/* The operational note for building an index on a big table (or one of unknown size). */
static const char *build_note(const struct ax *x, const struct occ *o)
{
	double rows = o->ct ? o->ct->rows : -1;
	if (rows >= 0 && rows < BIG_ROWS)
		return NULL;
	switch (x->kind) {
	case DB_PG:
		return "on a busy table use CREATE INDEX CONCURRENTLY: it does not block writes while it builds "
		       "(it cannot run inside a transaction block, and a failed build leaves an INVALID index to drop)";
	case DB_MYSQL:
		return "InnoDB adds a secondary index online (ALGORITHM=INPLACE, LOCK=NONE): writes go on, "
		       "but the build reads the whole table; run it off-peak";
	case DB_SQLITE:
		return "the build holds the database's write lock until it is done";
	}
	return NULL;
}

/* Why the candidate's columns are in that order, in words. */
static const char *key_reason(struct ax *x, const struct occ *o, const struct cand *c)
{
	struct buf b = BUF_INIT;
	const char *t = o->ct_name ? o->ct_name : o->name;
	size_t njoin = 0;
	for (size_t i = 0; i < c->neq; i++)
		njoin += c->role[i] == K_JOIN;
	if (njoin) {
		buf_printf(&b, "%s is looked up once per row of %s through ", t, o->via ? o->via : "the other table");
		for (size_t i = 0, k = 0; i < c->neq; i++)
			if (c->role[i] == K_JOIN)
				buf_printf(&b, "%s%s", k++ ? ", " : "", c->col[i]);
		buf_puts(&b, njoin > 1 ? " (the join columns)" : " (the join column)");
		if (njoin < c->neq) {
			buf_puts(&b, ", with equality on ");
			for (size_t i = 0, k = 0; i < c->neq; i++)
				if (c->role[i] != K_JOIN)
					buf_printf(&b, "%s%s", k++ ? ", " : "", c->col[i]);
		}
	} else if (c->neq) {
		buf_printf(&b, "%s is filtered by equality on ", t);
		for (size_t i = 0; i < c->neq; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", c->col[i]);
	}
	for (size_t i = c->neq; i < c->n; i++)
		if (c->role[i] == K_RANGE)
			buf_printf(&b, "%s the range on %s", b.len ? "; then" : "rows are found by", c->col[i]);
	if (c->order_used || c->group_used) {
		const char *what = c->order_used ? "ORDER BY" : "GROUP BY";
		struct buf l = BUF_INIT;
		for (size_t i = c->neq; i < c->n; i++)
			if (c->role[i] == K_ORDER || c->role[i] == K_GROUP || (c->range_listed && c->role[i] == K_RANGE))
				buf_printf(&l, "%s%s%s", l.len ? ", " : "", c->col[i], c->desc[i] ? " DESC" : "");
		if (l.len == 0)
			buf_printf(&b, "%sthe %s columns are fixed by the equalities, so no sort is needed",
				   b.len ? "; " : "", what);
		else
			buf_printf(&b, "%s%s %s: %s", b.len ? "; then " : "", what, buf_str(&l),
				   c->order_used ? "the index hands the rows over in that order, so no sort is needed"
						 : "rows arrive grouped, so no temporary table or sort is needed");
		buf_free(&l);
	}
	if (c->order_skip)
		buf_printf(&b, "%s%s", b.len ? ". " : "", c->order_skip);
	if (b.len)
		buf_putc(&b, '.');
	if (b.len && b.data[0] >= 'a' && b.data[0] <= 'z' && strncmp(b.data, t, strlen(t)) != 0)
		b.data[0] = (char)(b.data[0] - 32);
	const char *s = arena_strdup(x->a, buf_str(&b));
	buf_free(&b);
	return s;
}

/* Reorder the equality columns so the (matched) columns of ix lead, in its order. */
static void lead_with(struct ax *x, struct cand *c, const struct dbc_index *ix, size_t m)
{
	for (size_t j = 0; j < m && j < c->neq; j++) {
		struct icol ic = icol_of(x, ix->cols[j]);
		for (size_t k = j; k < c->neq; k++)
			if (icol_is(x, ic, c->col[k])) {
				const char *tc = c->col[j];
				enum key_role tr = c->role[j];
				c->col[j] = c->col[k];
				c->role[j] = c->role[k];
				c->col[k] = tc;
				c->role[k] = tr;
				break;
			}
	}
}

static const char *sql_create(struct ax *x, const struct occ *o, const char *name, const struct cand *c)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "CREATE INDEX ");
	put_ident(x, &b, name);
	buf_puts(&b, " ON ");
	put_table(x, &b, o);
	buf_puts(&b, " (");
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			buf_puts(&b, ", ");
		put_ident(x, &b, c->col[i]);
		if (c->desc[i])
			buf_puts(&b, " DESC");
	}
	buf_puts(&b, ");");
	const char *s = arena_strdup(x->a, buf_str(&b));
	buf_free(&b);
	return s;
}

/* Judge occurrence oi's candidate against the catalog and add its advice. */
static void advise_key(struct ax *x, int oi, struct cand *c)
{
	const struct occ *o = &x->occ[oi];
	const char *table = o->ct_name ? o->ct_name : o->name;
	const struct dbc_catalog *cat = x->cat;
	const struct dbc_index *best = NULL;
	size_t best_m = 0;

	if (x->kind == DB_SQLITE) { /* a rowid table is a B-tree on its rowid: no index lists it */
		int rid = 0;
		for (size_t i = 0; i < c->n && (i < c->neq || i == 0); i++)
			rid |= strcasecmp(c->col[i], "rowid") == 0 || strcasecmp(c->col[i], "oid") == 0 ||
			       strcasecmp(c->col[i], "_rowid_") == 0;
		if (rid) {
			if (have(x, ADVICE_COVERED, table, c->col, c->n))
				return;
			struct advice *ad = push(x, ADVICE_COVERED, table);
			set_cols(x, ad, c->col, c->desc, c->n);
			ad->existing_index = "rowid";
			ad->reason = arena_printf(x->a, "%s is stored as a B-tree on its rowid, which already serves (%s).",
						  table, join_cols(x, c->col, c->desc, c->n));
			return;
		}
	}
	if (cat && o->ct) {
		for (size_t i = 0; i < cat->nindexes; i++) {
			const struct dbc_index *ix = &cat->indexes[i];
			if (!index_on(x, ix, o) || !is_btree(ix) || ix->partial)
				continue;
			if (match_len(x, c, ix) >= c->n || unique_within(x, c, ix)) {
				if (have(x, ADVICE_COVERED, table, c->col, c->n))
					return;
				struct advice *ad = push(x, ADVICE_COVERED, table);
				set_cols(x, ad, c->col, c->desc, c->n);
				ad->existing_index = ix->name;
				const char *why = match_len(x, c, ix) >= c->n
					? "it leads with these columns"
					: "it is unique and the equalities pin all its columns, so at most one row matches";
				ad->reason = arena_printf(x->a, "The existing index %s (%s) already serves (%s): %s.",
							  ix->name ? ix->name : "?", icols_text(x, ix),
							  join_cols(x, c->col, c->desc, c->n), why);
				return;
			}
			size_t m = match_len(x, c, ix);
			if (m > best_m || (m == best_m && m > 0 && best && m == ix->ncols && m != best->ncols)) {
				best = ix;
				best_m = m;
			}
		}
	}
	if (o->ct && o->ct->rows >= 0 && o->ct->rows < SMALL_ROWS && !o->inner) {
		if (have(x, ADVICE_SMALL_TABLE, table, c->col, c->n))
			return;
		struct advice *ad = push(x, ADVICE_SMALL_TABLE, table);
		set_cols(x, ad, c->col, c->desc, c->n);
		ad->reason = arena_printf(x->a, "Table is small; a scan is cheap: %s holds about %.0f rows, "
					  "so an index on (%s) would cost more to keep than it saves.",
					  table, o->ct->rows, join_cols(x, c->col, c->desc, c->n));
		return;
	}
	if (best && best_m > 0)
		lead_with(x, c, best, best_m);
	if (have(x, ADVICE_CREATE_INDEX, table, c->col, c->n))
		return;
	struct advice *ad = push(x, ADVICE_CREATE_INDEX, table);
	set_cols(x, ad, c->col, c->desc, c->n);
	ad->name = index_name(x, "idx_", o, c->col, c->n, NULL);
	ad->sql = sql_create(x, o, ad->name, c);
	ad->note = build_note(x, o);
	const char *why = key_reason(x, o, c);
	if (best && best_m > 0) {
		ad->existing_index = best->name;
		const char *bn = best->name ? best->name : "?";
		if (best_m == best->ncols) {
			int keep = best->primary || best->unique || best->backs_constraint;
			ad->reason = arena_printf(
				x->a, "%s The existing index %s (%s) covers only part of it; the new index extends it%s.", why,
				bn, icols_text(x, best),
				keep ? " (keep the old one: it enforces a constraint)"
				     : ", and the old index may become redundant once the new one is in place "
				       "(check that nothing else relies on it before dropping it)");
		} else {
			ad->reason = arena_printf(x->a, "%s The existing index %s (%s) serves only %s of it.",
						  why, bn, icols_text(x, best),
						  best_m == 1 ? "the first column" : arena_printf(x->a, "the first %zu columns", best_m));
		}
	} else {
		ad->reason = why;
	}
}

/* ---- no B-tree ------------------------------------------------------------- */

/*
 * The shape of the pattern the wildcard reference at column token k is
 * matched against, and the pattern's literal text (without its leading
 * wildcards) in *word, or NULL when it is not a literal.
 */
static enum pat_shape pattern_of(struct ax *x, size_t k, const char **word)
{
	*word = NULL;
	if (k >= x->nt)
		return PAT_UNKNOWN;
	size_t j = k + 1;
	for (;;) {
		if (t_op(x, j, "::") || t_kw(x, j, "collate"))
			j += 2;
		else if (t_kw(x, j, "not"))
			j++;
		else
			break;
	}
	if (!(t_kw(x, j, "like") || t_kw(x, j, "ilike")))
		return PAT_REGEX;
	j++;
	if (j >= x->nt || x->toks[j].kind != SQLTOK_STRING)
		return PAT_UNKNOWN;
	const char *s = x->toks[j].s, *e = s + x->toks[j].len;
	while (s < e && *s != '\'')
		s++; /* N'..', E'..' */
	if (s < e)
		s++;
	if (e > s && e[-1] == '\'')
		e--;
	struct buf b = BUF_INIT;
	for (const char *p = s; p < e; p++) {
		if (*p == '\'' && p + 1 < e && p[1] == '\'')
			p++;
		buf_putc(&b, *p);
	}
	const char *pat = buf_str(&b);
	size_t lead = strspn(pat, "%_");
	const char *rest = pat + lead;
	enum pat_shape shape = PAT_SUBSTRING;
	if (lead && *rest && !strpbrk(rest, "%_"))
		shape = PAT_SUFFIX;
	size_t wl = strcspn(rest, "%_");
	*word = arena_strndup(x->a, rest, wl);
	buf_free(&b);
	return shape;
}

/* A non-B-tree index of occurrence o that has col as its first column (fulltext, gin...). */
static const struct dbc_index *text_index(struct ax *x, const struct occ *o, const char *col)
{
	if (!x->cat)
		return NULL;
	for (size_t i = 0; i < x->cat->nindexes; i++) {
		const struct dbc_index *ix = &x->cat->indexes[i];
		if (index_on(x, ix, o) && !is_btree(ix) && ix->ncols > 0) {
			for (size_t j = 0; j < ix->ncols; j++)
				if (icol_is(x, icol_of(x, ix->cols[j]), col))
					return ix;
		}
	}
	return NULL;
}

/* The honest answer to a LIKE '%x' / regex on column col of occurrence oi. */
static void advise_no_btree(struct ax *x, int oi, size_t ref)
{
	const struct occ *o = &x->occ[oi];
	const char *col = x->ref_col[ref];
	const char *table = o->ct_name ? o->ct_name : o->name;
	if (have(x, ADVICE_NO_BTREE, table, &col, 1))
		return;
	const char *word;
	enum pat_shape shape = pattern_of(x, tok_at(x, x->sc->refs[ref].column.s), &word);
	struct advice *ad = push(x, ADVICE_NO_BTREE, table);
	set_cols(x, ad, &col, NULL, 1);
	struct buf s = BUF_INIT, r = BUF_INIT;
	const char *what = shape == PAT_REGEX ? "a regular expression" : "a LIKE pattern that starts with a wildcard";
	buf_printf(&r, "%s.%s is matched against %s: it has no fixed prefix, so no B-tree index can find the rows "
		       "(an index on %s would not be used). ", table, col, what, col);
	const char *eg = word && *word ? word : "text";
	switch (x->kind) {
	case DB_PG: {
		const char *nm = index_name(x, "idx_", o, &col, 1, "_trgm");
		ad->name = nm;
		buf_puts(&s, "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX ");
		put_ident(x, &s, nm);
		buf_puts(&s, " ON ");
		put_table(x, &s, o);
		buf_puts(&s, " USING gin (");
		put_ident(x, &s, col);
		buf_puts(&s, " gin_trgm_ops);");
		buf_puts(&r, "A trigram index (pg_trgm, GIN) serves LIKE and ILIKE with wildcards on both sides and "
			     "regular expressions, for patterns with at least 3 characters besides the wildcards.");
		if (shape == PAT_SUFFIX) {
			buf_puts(&r, " For a suffix search a B-tree on the reversed value also works: CREATE INDEX ON ");
			put_table(x, &r, o);
			buf_puts(&r, " (reverse(");
			put_ident(x, &r, col);
			buf_puts(&r, ") text_pattern_ops), queried with WHERE reverse(");
			put_ident(x, &r, col);
			buf_printf(&r, ") LIKE reverse(%s) || '%%'.", db_quote(x->a, x->kind, eg));
		}
		ad->note = build_note(x, o);
		break;
	}
	case DB_MYSQL:
		if (shape == PAT_SUFFIX) {
			const char *rc = arena_printf(x->a, "%s_rev", col);
			const char *nm = index_name(x, "idx_", o, &rc, 1, NULL);
			ad->name = nm;
			buf_puts(&s, "ALTER TABLE ");
			put_table(x, &s, o);
			buf_puts(&s, " ADD COLUMN ");
			put_ident(x, &s, rc);
			buf_puts(&s, " VARCHAR(255) AS (REVERSE(");
			put_ident(x, &s, col);
			buf_puts(&s, ")) VIRTUAL, ADD INDEX ");
			put_ident(x, &s, nm);
			buf_puts(&s, " (");
			put_ident(x, &s, rc);
			buf_puts(&s, ");");
			buf_puts(&r, "For a suffix search index the reversed value (a generated column; give it the type of ");
			buf_puts(&r, col);
			buf_puts(&r, ") and search its prefix: WHERE ");
			put_ident(x, &r, rc);
			buf_printf(&r, " LIKE CONCAT(REVERSE(%s), '%%'). For words anywhere in the text a FULLTEXT index "
				       "with MATCH ... AGAINST helps instead; for arbitrary substrings, an external search engine.",
				   db_quote(x->a, x->kind, eg));
		} else {
			const char *nm = index_name(x, "ft_", o, &col, 1, NULL);
			ad->name = nm;
			buf_puts(&s, "ALTER TABLE ");
			put_table(x, &s, o);
			buf_puts(&s, " ADD FULLTEXT INDEX ");
			put_ident(x, &s, nm);
			buf_puts(&s, " (");
			put_ident(x, &s, col);
			buf_puts(&s, ");");
			buf_puts(&r, "A FULLTEXT index searched with MATCH (");
			put_ident(x, &r, col);
			buf_printf(&r, ") AGAINST (%s IN BOOLEAN MODE) finds whole words (and word prefixes with *), not "
				       "arbitrary substrings: it fits when the search is for words. For true substring or "
				       "regular-expression search use an external search engine (Elasticsearch, OpenSearch, "
				       "Meilisearch, Manticore); for a suffix, index a REVERSE(col) generated column.",
				   db_quote(x->a, x->kind, eg));
		}
		ad->note = build_note(x, o);
		break;
	case DB_SQLITE: {
		const char *ft = arena_printf(x->a, "%s_fts", o->ct_name ? o->ct_name : o->name);
		buf_puts(&s, "CREATE VIRTUAL TABLE ");
		put_ident(x, &s, ft);
		buf_puts(&s, " USING fts5(");
		put_ident(x, &s, col);
		buf_puts(&s, ", content=");
		buf_puts(&s, db_quote(x->a, x->kind, o->ct_name ? o->ct_name : o->name));
		buf_puts(&s, ", content_rowid='rowid', tokenize='trigram');\nINSERT INTO ");
		put_ident(x, &s, ft);
		buf_puts(&s, "(");
		put_ident(x, &s, ft);
		buf_puts(&s, ") VALUES ('rebuild');");
		ad->name = ft;
		buf_puts(&r, "An FTS5 table with the trigram tokenizer (SQLite 3.34+) serves LIKE '%...%' for patterns of "
			     "3 or more characters: WHERE rowid IN (SELECT rowid FROM ");
		put_ident(x, &r, ft);
		buf_puts(&r, " WHERE ");
		put_ident(x, &r, col);
		buf_printf(&r, " LIKE %s). An external-content FTS table needs triggers on ", db_quote(x->a, x->kind,
			   arena_printf(x->a, "%%%s%%", eg)));
		buf_puts(&r, table);
		buf_puts(&r, " to stay in sync.");
		if (shape == PAT_REGEX)
			buf_puts(&r, " No index serves REGEXP itself: rewrite the search as LIKE or an FTS5 MATCH.");
		break;
	}
	}
	const struct dbc_index *ti = text_index(x, o, col);
	if (ti) {
		ad->existing_index = ti->name;
		buf_printf(&r, " The existing %s index %s on %s may already serve such a search once the query uses it.",
			   ti->method, ti->name ? ti->name : "?", col);
	}
	ad->sql = arena_strdup(x->a, buf_str(&s));
	ad->reason = arena_strdup(x->a, buf_str(&r));
	buf_free(&s);
	buf_free(&r);
}

/* ---- the whole statement ---------------------------------------------------- */

static unsigned dialect_of(enum db_kind k)
{
	switch (k) {
	case DB_MYSQL: return SQLTOK_MYSQL_DEFAULT;
	case DB_PG: return SQLTOK_PG_DEFAULT;
	case DB_SQLITE: return SQLTOK_PG; /* "..." names, no backslash escapes, no "#" comments */
	}
	return SQLTOK_ANY;
}

static int is_cte(const struct ax *x, const char *name)
{
	for (size_t i = 0; i < x->nctes; i++)
		if (name_eq(x, x->ctes[i], name))
			return 1;
	return 0;
}

/* The occurrences, with their catalog entries and their place in the statement. */
static void read_tables(struct ax *x)
{
	const struct sqlcols *sc = x->sc;
	x->nocc = sc->ntables;
	for (size_t i = 0; i < sc->ntables; i++) {
		const struct sqlcols_table *t = &sc->tables[i];
		struct occ *o = &x->occ[i];
		memset(o, 0, sizeof(*o));
		o->visit = -1;
		o->derived = t->name.len == 0;
		o->name = o->derived ? norm_name(x, t->alias.s, t->alias.len) : norm_name(x, t->name.s, t->name.len);
		if (!o->name)
			o->name = "?";
		o->schema = norm_name(x, t->schema.s, t->schema.len);
		o->tok = tok_at(x, o->derived ? t->alias.s : t->name.s);
		o->depth = o->tok < x->nt ? x->tdepth[o->tok] : 0;
		o->nullable = o->tok < x->nt && !o->derived && left_joined(x, o->tok);
		o->cte = !o->derived && !o->schema && is_cte(x, o->name);
		if (!o->derived && !o->cte)
			find_catalog_table(x, o);
	}
}

/* Notes for the references left out: ambiguous or unplaceable columns. */
static void note_refs(struct ax *x)
{
	const struct sqlcols *sc = x->sc;
	for (size_t i = 0; i < sc->nrefs; i++) {
		const char *col = x->ref_col[i];
		if (x->ref_occ[i] == REF_AMBIGUOUS) {
			struct buf b = BUF_INIT;
			size_t k = 0;
			for (size_t j = 0; j < x->nocc; j++)
				if (!x->occ[j].derived)
					buf_printf(&b, "%s%s", k++ ? ", " : "", x->occ[j].name);
			note(x, NULL, arena_printf(x->a, "Column %s is not qualified and the statement reads several tables "
						     "(%s): it is left out of the advice; write it as table.%s to include it.",
						     col, buf_str(&b), col));
			buf_free(&b);
		} else if (x->ref_occ[i] == REF_UNRESOLVED) {
			note(x, NULL, arena_printf(x->a, "Column %.*s.%s: '%.*s' names no table of the statement; it is left out.",
						     (int)sc->refs[i].table.len, sc->refs[i].table.s, col,
						     (int)sc->refs[i].table.len, sc->refs[i].table.s));
		}
	}
}

/* Advice for one occurrence. */
static void advise_occ(struct ax *x, int oi)
{
	const struct sqlcols *sc = x->sc;
	struct occ *o = &x->occ[oi];
	int used = 0, negated = 0;
	for (size_t i = 0; i < sc->nrefs; i++)
		if (x->ref_occ[i] == oi) {
			used = 1;
			if (sc->refs[i].flags & SQLCOLS_NEGATED)
				negated = 1;
		}
	if (o->derived)
		return;
	if (o->cte) {
		if (used)
			note(x, o->name, arena_printf(x->a, "%s is a CTE of the statement: index the tables inside it; "
							   "the CTE's own rows have no index.", o->name));
		return;
	}
	if (x->cat && !o->ct) {
		if (!used)
			return; /* INSERT INTO t SELECT ...: nothing to advise on t anyway */
		for (size_t i = 0; i < x->n; i++)
			if (x->out[i].kind == ADVICE_UNKNOWN_TABLE && strcmp(x->out[i].table, o->name) == 0)
				return;
		struct advice *ad = push(x, ADVICE_UNKNOWN_TABLE, o->name);
		ad->reason = arena_printf(x->a, "Table %s is not in the catalog%s%s (a view, a temporary table, or one "
						 "in another schema?): no index advice for it.", o->name,
					  x->cat->dbname ? " of " : "", x->cat->dbname ? x->cat->dbname : "");
		return;
	}
	struct cand c;
	build_cand(x, oi, &c);
	int small = o->ct && o->ct->rows >= 0 && o->ct->rows < SMALL_ROWS && !o->inner;
	if (c.n)
		advise_key(x, oi, &c);
	if (!small)
		for (size_t i = 0; i < sc->nrefs; i++)
			if (x->ref_occ[i] == oi && (sc->refs[i].flags & SQLCOLS_LEADING_WILDCARD) &&
			    !(sc->refs[i].flags & SQLCOLS_NEGATED) && sc->refs[i].role == SQLCOLS_WHERE_RANGE)
				advise_no_btree(x, oi, i);
	if (small && c.n == 0) {
		for (size_t i = 0; i < sc->nrefs; i++)
			if (x->ref_occ[i] == oi && (sc->refs[i].flags & SQLCOLS_LEADING_WILDCARD) &&
			    !(sc->refs[i].flags & SQLCOLS_NEGATED)) {
				const char *col = x->ref_col[i];
				const char *table = o->ct_name;
				if (have(x, ADVICE_SMALL_TABLE, table, &col, 1))
					break;
				struct advice *ad = push(x, ADVICE_SMALL_TABLE, table);
				set_cols(x, ad, &col, NULL, 1);
				ad->reason = arena_printf(x->a, "Table is small; a scan is cheap: %s holds about %.0f rows, "
							  "so searching %s without an index is fine.", table, o->ct->rows, col);
				break;
			}
	}
	if (c.n == 0 && negated) {
		struct buf b = BUF_INIT;
		size_t k = 0;
		for (size_t i = 0; i < sc->nrefs; i++)
			if (x->ref_occ[i] == oi && (sc->refs[i].flags & SQLCOLS_NEGATED) &&
			    !strstr(buf_str(&b), x->ref_col[i]))
				buf_printf(&b, "%s%s", k++ ? ", " : "", x->ref_col[i]);
		note(x, o->ct_name ? o->ct_name : o->name,
		     arena_printf(x->a, "%s is filtered only by negated conditions (!=, NOT IN, NOT LIKE, IS NOT NULL) on %s: "
					"they match most rows, so no index leads with them.",
				  o->ct_name ? o->ct_name : o->name, buf_str(&b)));
		buf_free(&b);
	}
}

int advise(const char *sql, enum db_kind kind, const struct dbc_catalog *cat, struct arena *a,
	   struct advice **out, size_t *n, struct perr *e)
{
	*out = NULL;
	*n = 0;
	if (!sql || sql[strspn(sql, " \t\r\n;")] == '\0')
		return perr_set(e, "no SQL statement to advise on: give the query as an argument or with --file");
	struct ax x;
	memset(&x, 0, sizeof(x));
	x.sql = sql;
	x.len = strlen(sql);
	x.kind = kind;
	x.cat = cat;
	x.a = a;
	x.sc = xmalloc(sizeof(*x.sc));
	unsigned dialect = dialect_of(kind);
	sqlcols_extract(sql, x.len, dialect, x.sc);
	scan_tokens(&x, dialect);
	read_tables(&x);
	for (size_t i = 0; i < x.sc->nrefs; i++) {
		const struct sqlcols_ref *r = &x.sc->refs[i];
		x.ref_col[i] = norm_name(&x, r->column.s, r->column.len);
		if (!x.ref_col[i])
			x.ref_col[i] = "?";
		x.ref_occ[i] = resolve(&x, r);
	}
	plan_joins(&x);
	for (size_t i = 0; i < x.nocc; i++)
		advise_occ(&x, (int)i);
	note_refs(&x);
	if (x.sc->truncated)
		note(&x, NULL, "The statement is long: only its first part was read, so some columns may be missing "
			       "from the advice.");
	if (x.n) {
		*out = arena_calloc(a, x.n, sizeof(**out));
		memcpy(*out, x.out, x.n * sizeof(**out));
	}
	*n = x.n;
	free(x.out);
	free(x.toks);
	free(x.tdepth);
	free(x.aliases);
	free(x.ctes);
	free(x.sc);
	return 0;
}
