/*
 * missing-index (medium): a SQLAlchemy model column the project filters,
 * joins or sorts on, declared without an index. Without one, every such
 * query reads the whole table; it is fast on a developer's hundred rows
 * and slow on production's million.
 *
 * The models and the queries are usually in different files, so this is a
 * project-wide rule. collect() reads one file into plain facts — its model
 * classes (name, bases, table, columns with their index / unique / primary
 * key / foreign key flags, the columns __table_args__ indexes), the
 * module-level Index(...) calls, and every (Model, column) the file's
 * queries use — copied into one string pool per file, because the tree is
 * freed before finish(). finish() joins them: a column is judged through
 * the class the query names and that class's bases (mixins), and reported
 * once, at its declaration, with where it is queried first and how often.
 *
 * What counts as a use: Model.query.filter_by(col=...),
 * session.query(Model).filter_by / select(Model).filter_by, and any
 * Model.col inside filter / where / order_by / join / outerjoin / having.
 * A filter_by whose model cannot be seen (a query object passed in, a join
 * before it) is left alone, and so is a model the project does not define.
 * Django models have no Column()s and so never match. Indexed means
 * index=True, unique=True, primary_key=True, index=False (said on purpose),
 * the first column of an Index / UniqueConstraint / PrimaryKeyConstraint in
 * __table_args__, Index('ix', Model.col) anywhere, or an Alembic
 * migration's op.create_index('ix', 'table', ['col', ...]): a composite
 * index serves only lookups on its first column.
 */
#include "scan/rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/strset.h"

#define RULE "missing-index"
#define MAX_DEPTH 200 /* argument subtrees deeper than this are not searched further */
#define MAX_BASES 8   /* base classes kept per class */

/* Column flags. */
#define COL_INDEXED 0x1 /* index=True, unique=True, primary_key=True, or index=False on purpose */
#define COL_FK 0x2      /* has a ForeignKey(...) */
#define COL_ANNOT 0x4   /* declared by an annotation alone: name: Mapped[str] */

/* Strings are offsets into the file's pool (it grows while collecting). */
typedef uint32_t str_t;

struct col {
	str_t attr, dbname; /* dbname: Column("db_name", ...) or the attr */
	str_t decl;         /* the declaration as written, "" when it spans lines */
	str_t callee;       /* "db.Column", "mapped_column": what the fix names */
	int32_t ins;        /* where ", index=True" goes in decl (before the call's ")"), -1: nowhere */
	int ins_comma;      /* the call has arguments: insert ", index=True", else "index=True" */
	unsigned line, col, flags;
	/* filled in by finish */
	size_t nuses;
	const char *first_path, *first_how, *first_model;
	unsigned first_line;
};

struct cls {
	str_t name, table; /* table: __tablename__, or 0 (the empty string) */
	str_t bases[MAX_BASES];
	size_t nbases;
	int model_base, django;
	size_t col0, ncols; /* its columns in facts->cols */
	size_t idx0, nidx;  /* names indexed by __table_args__ in facts->idx */
	int state;          /* finish: 0 unknown, 1 visiting, 2 a model, 3 not */
	unsigned seen;      /* finish: the find_col search that last visited it (struct proj.search) */
};

struct use {
	str_t model, column;
	const char *how; /* static: "filter_by", "filter", ... */
	unsigned line;
};

struct facts {
	char *path;
	struct buf pool;
	struct cls *cls;
	size_t ncls, capcls;
	struct col *cols;
	size_t ncols, capcols;
	str_t *idx; /* __table_args__ first columns, per class */
	size_t nidx, capidx;
	str_t *gidx; /* Index('ix', Model.col): "Model.col"; op.create_index: "table:<table>.<col>" */
	size_t ngidx, capgidx;
	struct use *uses;
	size_t nuses, capuses;
};

struct ctx {
	const struct py_file *f;
	struct facts *fa;
	struct arena a;
	TSSymbol call, cdef, attribute, identifier, keyword, string, assign, expr_stmt, lambda, paren;
};

#define GROW(arr, n, cap)                                                                      \
	do {                                                                                   \
		if ((n) == (cap)) {                                                            \
			(cap) = (cap) ? (cap) * 2 : 16;                                        \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                       \
		}                                                                              \
	} while (0)

/* Copy s[0..n) into the file's pool, NUL-terminated; its offset there. */
static str_t put(struct facts *fa, const char *s, size_t n)
{
	str_t off = (str_t)fa->pool.len;
	buf_put(&fa->pool, s, n);
	buf_putc(&fa->pool, '\0');
	return off;
}

/* A pool string (valid until the pool grows: read it in finish, or right away). */
static const char *S(const struct facts *fa, str_t s)
{
	return fa->pool.data + s;
}

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

/* The last name of a callee: "filter" of x.filter, "Column" of db.Column; NULL node otherwise. */
static TSNode callee_last(const struct ctx *c, TSNode call)
{
	TSNode fn = py_field(call, "function");
	if (is_sym(fn, c->attribute))
		return py_field(fn, "attribute");
	if (is_sym(fn, c->identifier))
		return fn;
	return (TSNode){0};
}

/* The text inside a plain string literal (no interpolation), or NULL. */
static const char *string_value(struct ctx *c, TSNode n, uint32_t *len)
{
	if (!is_sym(n, c->string))
		return NULL;
	uint32_t nc = nkids(n);
	const char *out = "";
	*len = 0;
	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_named_child(n, i);
		const char *t = ts_node_type(ch);
		if (strcmp(t, "string_content") == 0)
			out = src_of(c, ch, len);
		else if (strcmp(t, "interpolation") == 0)
			return NULL;
	}
	return out;
}

/* A class name as the file refers to it, through its imports: "Account" -> "User". */
static const char *class_name(struct ctx *c, TSNode n)
{
	const char *d = py_dotted(c->f, n, &c->a);
	if (!d)
		return NULL;
	const char *r = py_last(py_resolve(c->f, d, &c->a));
	return r && isupper((unsigned char)r[0]) ? r : NULL;
}

/* Record that a query in this file uses model.col (col[0..collen)) at node at; how: a static string. */
static void add_use(struct ctx *c, const char *model, const char *col, size_t collen, const char *how, TSNode at)
{
	struct facts *fa = c->fa;
	GROW(fa->uses, fa->nuses, fa->capuses);
	struct use *u = &fa->uses[fa->nuses++];
	u->model = put(fa, model, strlen(model));
	u->column = put(fa, col, collen);
	u->how = how;
	u->line = py_line(at);
}

/* The query methods whose arguments name columns a query filters, joins or sorts on. */
static const char *filter_how(const struct ctx *c, TSNode last)
{
	static const char *const words[] = {"filter", "where", "order_by", "join", "outerjoin", "having", NULL};
	uint32_t len;
	const char *t = src_of(c, last, &len);
	for (const char *const *w = words; *w; w++)
		if (strlen(*w) == len && memcmp(*w, t, len) == 0)
			return *w;
	return NULL;
}

/*
 * Record every Model.col in the subtree n (the arguments of a filter-like
 * call). Calls that are themselves filter-like are left to the walk (it
 * visits them too); lambdas are not the query's.
 */
static void scan_refs(struct ctx *c, TSNode n, const char *how, int depth)
{
	if (depth > MAX_DEPTH)
		return;
	TSSymbol s = ts_node_symbol(n);
	if (s == c->lambda)
		return;
	if (s == c->call && depth > 0) {
		TSNode last = callee_last(c, n);
		if (!ts_node_is_null(last) && (filter_how(c, last) || text_is(c, last, "filter_by")))
			return;
	}
	if (s == c->attribute) {
		TSNode obj = py_field(n, "object"), attr = py_field(n, "attribute");
		if (is_sym(obj, c->identifier) || is_sym(obj, c->attribute)) {
			const char *model = class_name(c, obj);
			if (model) {
				uint32_t len;
				const char *t = src_of(c, attr, &len);
				add_use(c, model, t, len, how, n);
			}
		}
	}
	uint32_t nc = nkids(n);
	for (uint32_t i = 0; i < nc; i++)
		scan_refs(c, ts_node_named_child(n, i), how, depth + 1);
}

/* The first positional argument of a call, or a null node. */
static TSNode first_positional(const struct ctx *c, TSNode call)
{
	TSNode args = py_field(call, "arguments");
	uint32_t n = nkids(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (!is_sym(a, c->keyword) && strcmp(ts_node_type(a), "comment") != 0)
			return a;
	}
	return (TSNode){0};
}

/*
 * The model a filter_by applies to, from the chain it is called on:
 * Model.query..., session.query(Model)..., select(Model)...; NULL when it
 * cannot be told (a query object from elsewhere, or a join before it,
 * which moves filter_by to the joined entity).
 */
static const char *chain_model(struct ctx *c, TSNode n)
{
	for (int guard = 0; guard < 64 && !ts_node_is_null(n); guard++) {
		TSSymbol s = ts_node_symbol(n);
		if (s == c->paren && nkids(n) == 1) {
			n = ts_node_named_child(n, 0);
		} else if (s == c->call) {
			TSNode last = callee_last(c, n);
			if (ts_node_is_null(last))
				return NULL;
			if (text_is(c, last, "query") || text_is(c, last, "select")) {
				TSNode m = first_positional(c, n);
				return is_sym(m, c->identifier) || is_sym(m, c->attribute) ? class_name(c, m) : NULL;
			}
			if (text_is(c, last, "join") || text_is(c, last, "outerjoin"))
				return NULL;
			n = py_field(n, "function");
		} else if (s == c->attribute) {
			TSNode obj = py_field(n, "object");
			if (text_is(c, py_field(n, "attribute"), "query") &&
			    (is_sym(obj, c->identifier) || is_sym(obj, c->attribute)))
				return class_name(c, obj);
			n = obj;
		} else {
			return NULL;
		}
	}
	return NULL;
}

/* Model.query.filter_by(a=..., b=...): each keyword names a column of the model. */
static void filter_by(struct ctx *c, TSNode call)
{
	TSNode fn = py_field(call, "function");
	const char *model = chain_model(c, py_field(fn, "object"));
	if (!model)
		return;
	TSNode args = py_field(call, "arguments");
	uint32_t n = nkids(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (!is_sym(a, c->keyword))
			continue;
		uint32_t len;
		const char *t = src_of(c, py_field(a, "name"), &len);
		add_use(c, model, t, len, "filter_by", a);
	}
}

/*
 * The column an index leads with, from an Index / UniqueConstraint /
 * PrimaryKeyConstraint call: its first column argument (after the name for
 * Index) as a string, a bare name or X.col. Writes the name; 0 when none.
 */
static int index_first_col(struct ctx *c, TSNode call, const char **name, uint32_t *len, TSNode *ref)
{
	TSNode last = callee_last(c, call);
	if (ts_node_is_null(last))
		return 0;
	int skip;
	if (text_is(c, last, "Index"))
		skip = 1;
	else if (text_is(c, last, "UniqueConstraint") || text_is(c, last, "PrimaryKeyConstraint"))
		skip = 0;
	else
		return 0;
	TSNode args = py_field(call, "arguments");
	uint32_t n = nkids(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (is_sym(a, c->keyword) || strcmp(ts_node_type(a), "comment") == 0)
			continue;
		if (skip) {
			skip = 0;
			continue;
		}
		*ref = (TSNode){0};
		if ((*name = string_value(c, a, len)) != NULL)
			return 1;
		if (is_sym(a, c->identifier)) {
			*name = src_of(c, a, len);
			return 1;
		}
		if (is_sym(a, c->attribute)) {
			*ref = a;
			*name = src_of(c, py_field(a, "attribute"), len);
			return 1;
		}
		return 0;
	}
	return 0;
}

/* Module-level (or any non-class) Index("ix", Model.col): remember "Model.col". */
static void global_index(struct ctx *c, TSNode call)
{
	const char *name;
	uint32_t len;
	TSNode ref;
	if (!index_first_col(c, call, &name, &len, &ref) || ts_node_is_null(ref))
		return;
	/* Model.col, Model.__table__.c.col */
	TSNode obj = py_field(ref, "object");
	while (is_sym(obj, c->attribute) &&
	       (text_is(c, py_field(obj, "attribute"), "c") || text_is(c, py_field(obj, "attribute"), "__table__") ||
		text_is(c, py_field(obj, "attribute"), "columns")))
		obj = py_field(obj, "object");
	const char *model = class_name(c, obj);
	if (!model)
		return;
	struct facts *fa = c->fa;
	GROW(fa->gidx, fa->ngidx, fa->capgidx);
	str_t k = put(fa, model, strlen(model));
	fa->pool.len--; /* join "Model" "." "col" into one string */
	buf_putc(&fa->pool, '.');
	buf_put(&fa->pool, name, len);
	buf_putc(&fa->pool, '\0');
	fa->gidx[fa->ngidx++] = k;
}

/*
 * An Alembic migration's op.create_index(name, "table", ["col", ...]) (or
 * create_unique_constraint): remember "table:<table>.<first col>".
 */
static void migration_index(struct ctx *c, TSNode call)
{
	TSNode args = py_field(call, "arguments"), table = {0}, cols = {0};
	uint32_t n = nkids(args);
	int pos = 0;
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (is_sym(a, c->keyword)) {
			TSNode k = py_field(a, "name");
			if (text_is(c, k, "table_name"))
				table = py_field(a, "value");
			else if (text_is(c, k, "columns"))
				cols = py_field(a, "value");
			continue;
		}
		if (strcmp(ts_node_type(a), "comment") == 0)
			continue;
		if (pos == 1)
			table = a;
		else if (pos == 2)
			cols = a;
		pos++;
	}
	uint32_t tl, cl;
	const char *t = string_value(c, table, &tl);
	if (!t || nkids(cols) == 0 || strcmp(ts_node_type(cols), "list") != 0)
		return;
	const char *col = string_value(c, ts_node_named_child(cols, 0), &cl);
	if (!col)
		return;
	struct facts *fa = c->fa;
	GROW(fa->gidx, fa->ngidx, fa->capgidx);
	str_t k = put(fa, "table:", 6);
	fa->pool.len--;
	buf_put(&fa->pool, t, tl);
	buf_putc(&fa->pool, '.');
	buf_put(&fa->pool, col, cl);
	buf_putc(&fa->pool, '\0');
	fa->gidx[fa->ngidx++] = k;
}

/* A column declaration: name = Column(...) / mapped_column(...), or name: Mapped[...] alone. */
static void column(struct ctx *c, struct cls *k, TSNode assign, TSNode left, TSNode right)
{
	struct facts *fa = c->fa;
	unsigned flags = 0;
	const char *dbname = NULL;
	uint32_t dblen = 0;
	TSNode callnode = {0};
	str_t callee = 0;
	if (ts_node_is_null(right)) {
		TSNode type = py_field(assign, "type");
		uint32_t len;
		const char *t = src_of(c, type, &len);
		if (len < 7 || memcmp(t, "Mapped[", 7) != 0)
			return;
		flags |= COL_ANNOT;
	} else {
		if (!is_sym(right, c->call))
			return;
		TSNode last = callee_last(c, right);
		if (ts_node_is_null(last) || !(text_is(c, last, "Column") || text_is(c, last, "mapped_column")))
			return;
		callnode = right;
		uint32_t cl;
		const char *ct = src_of(c, py_field(right, "function"), &cl);
		callee = put(fa, ct, cl);
		TSNode args = py_field(right, "arguments");
		uint32_t n = nkids(args);
		int positional = 0;
		for (uint32_t i = 0; i < n; i++) {
			TSNode a = ts_node_named_child(args, i);
			if (is_sym(a, c->keyword)) {
				TSNode kn = py_field(a, "name"), kv = py_field(a, "value");
				if ((text_is(c, kn, "index") || text_is(c, kn, "unique") || text_is(c, kn, "primary_key")) &&
				    strcmp(ts_node_type(kv), "true") == 0)
					flags |= COL_INDEXED;
				if (text_is(c, kn, "index") && strcmp(ts_node_type(kv), "false") == 0)
					flags |= COL_INDEXED; /* a decision, not an oversight */
				continue;
			}
			if (is_sym(a, c->call)) {
				TSNode l = callee_last(c, a);
				if (!ts_node_is_null(l) && text_is(c, l, "ForeignKey"))
					flags |= COL_FK;
			}
			if (positional++ == 0 && is_sym(a, c->string))
				dbname = string_value(c, a, &dblen);
		}
	}
	GROW(fa->cols, fa->ncols, fa->capcols);
	struct col *col = &fa->cols[fa->ncols++];
	memset(col, 0, sizeof(*col));
	uint32_t len;
	const char *t = src_of(c, left, &len);
	col->attr = put(fa, t, len);
	col->dbname = dbname ? put(fa, dbname, dblen) : col->attr;
	col->line = py_line(left);
	col->col = py_col(left);
	col->flags = flags;
	col->callee = callee;
	col->ins = -1;
	/* the declaration as written, when it is one line, for the fix */
	uint32_t dlen;
	const char *d = src_of(c, assign, &dlen);
	if (dlen <= 200 && !memchr(d, '\n', dlen)) {
		col->decl = put(fa, d, dlen);
		if (!ts_node_is_null(callnode)) {
			TSNode args = py_field(callnode, "arguments");
			uint32_t end = ts_node_end_byte(args);
			if (end > ts_node_start_byte(assign) && end - 1 - ts_node_start_byte(assign) < dlen) {
				col->ins = (int32_t)(end - 1 - ts_node_start_byte(assign));
				col->ins_comma = nkids(args) > 0;
			}
		}
	} else {
		col->decl = put(fa, "", 0);
	}
	k->ncols++;
}

/* __table_args__ = (Index(...), UniqueConstraint(...), {...}): the columns they lead with. */
static void table_args(struct ctx *c, struct cls *k, TSNode right)
{
	struct facts *fa = c->fa;
	uint32_t n = nkids(right);
	for (uint32_t i = 0; i < n; i++) {
		TSNode e = ts_node_named_child(right, i);
		if (!is_sym(e, c->call))
			continue;
		const char *name;
		uint32_t len;
		TSNode ref;
		if (!index_first_col(c, e, &name, &len, &ref))
			continue;
		GROW(fa->idx, fa->nidx, fa->capidx);
		fa->idx[fa->nidx++] = put(fa, name, len);
		k->nidx++;
	}
}

/* Base classes that make a SQLAlchemy model: db.Model, Base, DeclarativeBase. */
static int model_base(const char *last)
{
	return strcmp(last, "Model") == 0 || strcmp(last, "Base") == 0 || strcmp(last, "DeclarativeBase") == 0 ||
	       strcmp(last, "DeclarativeBaseNoMeta") == 0;
}

/* A class: its name, bases, table and the column declarations of its body. */
static void class_def(struct ctx *c, TSNode n)
{
	struct facts *fa = c->fa;
	GROW(fa->cls, fa->ncls, fa->capcls);
	struct cls *k = &fa->cls[fa->ncls++];
	memset(k, 0, sizeof(*k));
	uint32_t len;
	const char *t = src_of(c, py_field(n, "name"), &len);
	k->name = put(fa, t, len);
	k->table = put(fa, "", 0);
	k->col0 = fa->ncols;
	k->idx0 = fa->nidx;
	TSNode sup = py_field(n, "superclasses");
	uint32_t ns = nkids(sup);
	for (uint32_t i = 0; i < ns; i++) {
		TSNode b = ts_node_named_child(sup, i);
		if (!(is_sym(b, c->identifier) || is_sym(b, c->attribute)))
			continue;
		const char *r = py_resolve(c->f, py_dotted(c->f, b, &c->a), &c->a);
		if (!r)
			continue;
		if (strncmp(r, "django.", 7) == 0)
			k->django = 1;
		const char *last = py_last(r);
		if (model_base(last))
			k->model_base = 1;
		if (k->nbases < MAX_BASES)
			k->bases[k->nbases++] = put(fa, last, strlen(last));
	}
	TSNode body = py_field(n, "body");
	uint32_t nb = nkids(body);
	for (uint32_t i = 0; i < nb; i++) {
		TSNode st = ts_node_named_child(body, i);
		if (!is_sym(st, c->expr_stmt) || nkids(st) != 1)
			continue;
		TSNode as = ts_node_named_child(st, 0);
		if (!is_sym(as, c->assign))
			continue;
		TSNode left = py_field(as, "left"), right = py_field(as, "right");
		if (!is_sym(left, c->identifier))
			continue;
		if (text_is(c, left, "__tablename__")) {
			uint32_t sl;
			const char *sv = string_value(c, right, &sl);
			if (sv)
				k->table = put(fa, sv, sl);
		} else if (text_is(c, left, "__table_args__")) {
			if (!ts_node_is_null(right))
				table_args(c, k, right);
		} else {
			column(c, k, as, left, right);
		}
	}
}

/*
 * The walk's visitor: a class (its body read at once; the walk still goes
 * into its methods for queries), a filter-like call, a filter_by, an
 * Index / UniqueConstraint or a migration's create_index.
 */
static int visit(TSNode n, void *arg)
{
	struct ctx *c = arg;
	TSSymbol s = ts_node_symbol(n);
	if (s == c->cdef) {
		class_def(c, n);
	} else if (s == c->call) {
		TSNode last = callee_last(c, n);
		if (ts_node_is_null(last))
			return 0;
		const char *how = filter_how(c, last);
		if (how)
			scan_refs(c, py_field(n, "arguments"), how, 0);
		else if (text_is(c, last, "filter_by") && is_sym(py_field(n, "function"), c->attribute))
			filter_by(c, n);
		else if (text_is(c, last, "Index") || text_is(c, last, "UniqueConstraint"))
			global_index(c, n);
		else if (text_is(c, last, "create_index") || text_is(c, last, "create_unique_constraint"))
			migration_index(c, n);
	}
	return 0;
}

/* Free one file's facts (NULL is fine). */
static void free_facts(struct facts *fa)
{
	if (!fa)
		return;
	free(fa->path);
	buf_free(&fa->pool);
	free(fa->cls);
	free(fa->cols);
	free(fa->idx);
	free(fa->gidx);
	free(fa->uses);
	free(fa);
}

/*
 * The rule's collect: one walk over the file into a struct facts the
 * caller hands to finish (which frees it); NULL when the file has no
 * class, query or index at all.
 */
static void *collect(const struct py_file *f)
{
	struct facts *fa = xcalloc(1, sizeof(*fa));
	fa->path = xstrdup(f->path ? f->path : "");
	put(fa, "", 0); /* offset 0 is the empty string */
	struct ctx c = {.f = f, .fa = fa};
	const TSLanguage *l = ts_tree_language(f->tree);
#define SYM(field, name) c.field = ts_language_symbol_for_name(l, name, (uint32_t)strlen(name), true)
	SYM(call, "call");
	SYM(cdef, "class_definition");
	SYM(attribute, "attribute");
	SYM(identifier, "identifier");
	SYM(keyword, "keyword_argument");
	SYM(string, "string");
	SYM(assign, "assignment");
	SYM(expr_stmt, "expression_statement");
	SYM(lambda, "lambda");
	SYM(paren, "parenthesized_expression");
#undef SYM
	py_walk_file(f, f->root, visit, &c);
	arena_free(&c.a);
	if (fa->ncls == 0 && fa->nuses == 0 && fa->ngidx == 0) {
		free_facts(fa);
		return NULL; /* nothing to say about this file */
	}
	return fa;
}

/* ---- finish ---- */

struct ref {
	struct facts *fa;
	struct cls *k;
};

struct proj {
	struct ref *classes; /* sorted by name */
	size_t n;
	unsigned search; /* find_col's search number: each class is visited once per search */
	struct strset gidx;
	struct arena a;
};

/* qsort order of classes: by name, then in the order collected. */
static int ref_cmp(const void *x, const void *y)
{
	const struct ref *a = x, *b = y;
	int r = strcmp(S(a->fa, a->k->name), S(b->fa, b->k->name));
	if (r)
		return r;
	/* same name: in the order collected, for a stable report */
	return a < b ? -1 : a > b;
}

/* The classes named name: *first and how many follow it in p->classes. */
static size_t find_classes(const struct proj *p, const char *name, size_t *first)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(S(p->classes[mid].fa, p->classes[mid].k->name), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < p->n && strcmp(S(p->classes[k].fa, p->classes[k].k->name), name) == 0)
		k++;
	*first = lo;
	return k - lo;
}

/* Is the class a SQLAlchemy model: a table of its own, a model base, or a model's subclass. */
static int is_model(struct proj *p, struct ref r, int depth)
{
	struct cls *k = r.k;
	if (k->state >= 2)
		return k->state == 2;
	if (k->state == 1 || depth > 16)
		return 0;
	if (k->django) {
		k->state = 3;
		return 0;
	}
	if (*S(r.fa, k->table) || k->model_base) {
		k->state = 2;
		return 1;
	}
	k->state = 1;
	int yes = 0;
	for (size_t i = 0; i < k->nbases && !yes; i++) {
		size_t first, n = find_classes(p, S(r.fa, k->bases[i]), &first);
		for (size_t j = 0; j < n && !yes; j++)
			yes = is_model(p, p->classes[first + j], depth + 1);
	}
	k->state = yes ? 2 : 3;
	return yes;
}

/* Is name one of the class's __table_args__ leading columns? */
static int table_indexed(const struct ref r, const char *attr, const char *dbname)
{
	for (size_t i = 0; i < r.k->nidx; i++) {
		const char *x = S(r.fa, r.fa->idx[r.k->idx0 + i]);
		if (strcmp(x, attr) == 0 || strcmp(x, dbname) == 0)
			return 1;
	}
	return 0;
}

/*
 * Find column attr in class r or its bases (depth-first, in base order).
 * Sets *owner to the declaring class and *indexed when any class on the
 * way indexes it in __table_args__. NULL when it is not a column.
 */
static struct col *find_col(struct proj *p, struct ref r, const char *attr, struct ref *owner, int *indexed,
			    int depth)
{
	/*
	 * Once per class per search: many classes share a base's name across a
	 * project (Base, Model, Object), and following every same-named base
	 * at every level would take exponential time.
	 */
	if (depth > 16 || r.k->seen == p->search)
		return NULL;
	r.k->seen = p->search;
	for (size_t i = 0; i < r.k->ncols; i++) {
		struct col *col = &r.fa->cols[r.k->col0 + i];
		if (strcmp(S(r.fa, col->attr), attr) == 0) {
			*owner = r;
			if (table_indexed(r, attr, S(r.fa, col->dbname)))
				*indexed = 1;
			return col;
		}
	}
	for (size_t i = 0; i < r.k->nbases; i++) {
		size_t first, n = find_classes(p, S(r.fa, r.k->bases[i]), &first);
		for (size_t j = 0; j < n; j++) {
			struct col *col = find_col(p, p->classes[first + j], attr, owner, indexed, depth + 1);
			if (col) {
				if (table_indexed(r, attr, S(owner->fa, col->dbname)))
					*indexed = 1;
				return col;
			}
		}
	}
	return NULL;
}

/* The table of a model: __tablename__, a base model's, or the class name in snake_case. */
static const char *table_of(struct proj *p, struct ref r, int depth)
{
	if (*S(r.fa, r.k->table))
		return S(r.fa, r.k->table);
	if (depth < 16)
		for (size_t i = 0; i < r.k->nbases; i++) {
			size_t first, n = find_classes(p, S(r.fa, r.k->bases[i]), &first);
			for (size_t j = 0; j < n; j++)
				if (*S(p->classes[first + j].fa, p->classes[first + j].k->table))
					return table_of(p, p->classes[first + j], depth + 1);
		}
	const char *name = S(r.fa, r.k->name);
	struct buf b = {0};
	for (size_t i = 0; name[i]; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (isupper(ch) && i > 0 &&
		    (islower((unsigned char)name[i - 1]) || isdigit((unsigned char)name[i - 1]) ||
		     (name[i + 1] && islower((unsigned char)name[i + 1]))))
			buf_putc(&b, '_');
		buf_putc(&b, (char)tolower(ch));
	}
	const char *out = arena_strdup(&p->a, buf_str(&b));
	buf_free(&b);
	return out;
}

/* A table or column name for SQL: double-quoted when it is a reserved word ("order", "user"). */
static const char *sql_name(struct proj *p, const char *name)
{
	static const char *const reserved[] = {"all", "and", "as", "asc", "by", "case", "check", "column",
		"constraint", "create", "default", "desc", "distinct", "else", "end", "from", "grant", "group",
		"having", "in", "index", "key", "limit", "not", "null", "offset", "on", "or", "order", "primary",
		"references", "select", "table", "to", "union", "unique", "user", "using", "when", "where", "with",
		NULL};
	for (const char *const *r = reserved; *r; r++)
		if (strcasecmp(*r, name) == 0)
			return arena_printf(&p->a, "\"%s\"", name);
	return name;
}

/* A use's path as the finding's reader wants it: its base name when in the model's directory. */
static const char *where(const char *use_path, const char *decl_path)
{
	const char *us = strrchr(use_path, '/'), *ds = strrchr(decl_path, '/');
	size_t ud = us ? (size_t)(us - use_path) : 0, dd = ds ? (size_t)(ds - decl_path) : 0;
	if (ud == dd && strncmp(use_path, decl_path, ud) == 0)
		return us ? us + 1 : use_path;
	return use_path;
}

/*
 * Emit the finding for column col of class k (file fa), declared without
 * an index and used col->nuses times: at the declaration, with the first
 * use, the declaration rewritten with index=True, and the CREATE INDEX.
 */
static void report(struct proj *p, struct facts *fa, struct cls *k, struct col *col, struct scan_out *out)
{
	const char *attr = S(fa, col->attr), *dbname = S(fa, col->dbname);
	struct ref self = {fa, k};
	/* the table the first query reads: the model it named (a mixin has none of its own) */
	const char *table = NULL;
	size_t first, n = find_classes(p, col->first_model, &first);
	if (n > 0)
		table = table_of(p, p->classes[first], 0);
	if (!table)
		table = table_of(p, self, 0);
	struct buf msg = {0}, fix = {0};
	buf_printf(&msg, "%s.%s is %s on (%s in %s:%u", col->first_model, attr,
		   strcmp(col->first_how, "order_by") == 0 ? "sorted"
		   : strcmp(col->first_how, "join") == 0 || strcmp(col->first_how, "outerjoin") == 0 ? "joined"
												      : "filtered",
		   col->first_how, where(col->first_path, fa->path), col->first_line);
	if (col->nuses > 1)
		buf_printf(&msg, ", %zu uses in all", col->nuses);
	buf_printf(&msg, ") but has no index%s: each such query scans the whole %s table",
		   col->flags & COL_FK ? " (it is a foreign key, and SQLAlchemy does not index those; nor do "
					 "PostgreSQL and SQLite)"
				       : "",
		   table);
	const char *decl = S(fa, col->decl);
	if (col->flags & COL_ANNOT) {
		if (*decl)
			buf_printf(&fix, "%s = mapped_column(index=True)", decl);
		else
			buf_printf(&fix, "declare %s with mapped_column(index=True)", attr);
	} else if (*decl && col->ins >= 0) {
		buf_put(&fix, decl, (size_t)col->ins);
		buf_puts(&fix, col->ins_comma ? ", index=True" : "index=True");
		buf_puts(&fix, decl + col->ins);
	} else {
		buf_printf(&fix, "add index=True to the %s(...) of %s", S(fa, col->callee), attr);
	}
	buf_printf(&fix, "  (in a migration: CREATE INDEX ix_%s_%s ON %s (%s);)", table, dbname, sql_name(p, table),
		   sql_name(p, dbname));
	scan_emit_at(out, fa->path, col->line, col->col, RULE, buf_str(&msg), buf_str(&fix), 0);
	buf_free(&msg);
	buf_free(&fix);
}

/* Is a use (path, line) earlier than the column's first one so far? */
static int earlier(const char *path, unsigned line, const struct col *col)
{
	if (!col->first_path)
		return 1;
	int r = strcmp(path, col->first_path);
	return r < 0 || (r == 0 && line < col->first_line);
}

/*
 * The rule's finish: index every class by name, resolve every use to the
 * column it names (through base classes), count the uses of unindexed
 * columns and report each such column once. Frees all the facts.
 */
static void finish(void **factsv, size_t nfacts, struct scan_out *out)
{
	struct facts **facts = (struct facts **)factsv;
	struct proj p = {0};
	size_t total = 0;
	for (size_t i = 0; i < nfacts; i++)
		if (facts[i])
			total += facts[i]->ncls;
	p.classes = xcalloc(total + 1, sizeof(*p.classes));
	for (size_t i = 0; i < nfacts; i++)
		for (size_t j = 0; facts[i] && j < facts[i]->ncls; j++)
			p.classes[p.n++] = (struct ref){facts[i], &facts[i]->cls[j]};
	qsort(p.classes, p.n, sizeof(*p.classes), ref_cmp);
	for (size_t i = 0; i < nfacts; i++)
		for (size_t j = 0; facts[i] && j < facts[i]->ngidx; j++)
			strset_add(&p.gidx, S(facts[i], facts[i]->gidx[j]));

	/* every use: the model's column, unless something indexes it */
	for (size_t i = 0; i < nfacts; i++) {
		struct facts *fa = facts[i];
		for (size_t j = 0; fa && j < fa->nuses; j++) {
			const struct use *u = &fa->uses[j];
			const char *model = S(fa, u->model), *attr = S(fa, u->column);
			size_t first, n = find_classes(&p, model, &first);
			struct col *hit[8];
			size_t nhit = 0;
			int indexed = 0;
			for (size_t k = 0; k < n && !indexed; k++) {
				struct ref r = p.classes[first + k], owner;
				if (!is_model(&p, r, 0))
					continue;
				int ti = 0;
				p.search++;
				struct col *col = find_col(&p, r, attr, &owner, &ti, 0);
				if (!col)
					continue;
				const char *key = arena_printf(&p.a, "%s.%s", model, attr);
				const char *okey = arena_printf(&p.a, "%s.%s", S(owner.fa, owner.k->name), attr);
				if (ti || (col->flags & COL_INDEXED) || strset_has(&p.gidx, key) ||
				    strset_has(&p.gidx, okey) ||
				    (p.gidx.n > 0 &&
				     strset_has(&p.gidx, arena_printf(&p.a, "table:%s.%s", table_of(&p, r, 0),
								      S(owner.fa, col->dbname)))))
					indexed = 1;
				else {
					size_t h = 0;
					while (h < nhit && hit[h] != col)
						h++; /* two subclasses of one mixin: the same column */
					if (h == nhit && nhit < 8)
						hit[nhit++] = col;
				}
			}
			if (indexed)
				continue; /* one candidate indexes it: do not guess which class is meant */
			for (size_t h = 0; h < nhit; h++) {
				struct col *col = hit[h];
				if (earlier(fa->path, u->line, col)) {
					col->first_path = fa->path;
					col->first_line = u->line;
					col->first_how = u->how;
					col->first_model = model;
				}
				col->nuses++;
			}
		}
	}
	for (size_t i = 0; i < nfacts; i++) {
		struct facts *fa = facts[i];
		for (size_t j = 0; fa && j < fa->ncls; j++) {
			struct cls *k = &fa->cls[j];
			for (size_t m = 0; m < k->ncols; m++)
				if (fa->cols[k->col0 + m].nuses > 0)
					report(&p, fa, k, &fa->cols[k->col0 + m], out);
		}
	}
	free(p.classes);
	strset_free(&p.gidx);
	arena_free(&p.a);
	for (size_t i = 0; i < nfacts; i++)
		free_facts(facts[i]);
}

const struct scan_rule scan_rule_missing_index = {
	.name = RULE,
	.severity = PA_SEV_MEDIUM,
	.summary = "a SQLAlchemy model column the project filters, joins or sorts on has no index",
	.check = NULL,
	.collect = collect,
	.finish = finish,
};
