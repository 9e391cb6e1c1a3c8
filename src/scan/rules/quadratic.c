/*
 * quadratic: work per loop iteration that grows with the data, so the
 * loop as a whole is O(n·m) where a set or dict makes it O(n + m).
 *
 * Three shapes are reported, all judged within one function (or class
 * body, or module) and without types, from how names are bound there:
 *
 *   1. A loop nested in another that compares an element of one with an
 *      element of the other by equality: `for a in xs: for b in ys: if
 *      a.id == b.id` (also written as comprehension clauses, `any(... for
 *      b in ys)`, or by index: `xs[i] == xs[j]`). Reported at the inner
 *      loop. Not: ordering comparisons (<, >) and bare indices (`i == j`,
 *      matrix loops), the two index forms over different sequences
 *      (`a[i] == b[j]`: dynamic programming), slices (`name[-n:] == suff`:
 *      a suffix test), asserts (a check, not a search), an inner loop over
 *      a literal, or over something reached from the outer element (`for c
 *      in a.children`, or `kids = find(a)` in the outer body then `for c in
 *      kids`: a traversal, not a product).
 *   2. `x in NAME` / `x not in NAME` inside a loop, where NAME is a list
 *      built in the same scope before that loop (and never inside it): a
 *      list comprehension, list(...) or sorted(...), or a list literal that
 *      the scope grows with the data (append / insert / += in a loop, or
 *      extend / += of something not written out). A literal never grown
 *      that way is a fixed handful of values and is left alone, as are
 *      sets, dicts, strings, tuples, ranges, `d.keys()`, attributes and
 *      names bound any other way anywhere in the scope (a for target, a
 *      tuple unpacking, a call we cannot see into) or not at all before the
 *      loop (a parameter: its type is unknown).
 *   3. NAME.index(..) / NAME.count(..) / NAME.remove(..) / NAME.pop(0) /
 *      NAME.insert(0, ..) inside such a loop on such a list: each is a scan
 *      or a shift of the whole list.
 *
 * In shapes 2 and 3, a for loop over a literal (`for k in ("a", "b"):`)
 * turns a fixed number of times and does not count as the loop; the loop
 * around it, if any, does.
 *
 * One pre-order walk (py_walk_file, nodes dispatched by symbol through a
 * table built once per file) keeps a stack of the enclosing scopes and
 * loops, popped by byte position as the walk passes their end, so no node
 * asks for its parent. Shapes 2 and 3 need every binding of the name in
 * the scope, so they are recorded as candidates and judged when the scope
 * ends; shape 1 needs only the loops around the comparison and is judged
 * on the spot. Names are (pointer, length) slices of the source: nothing
 * is copied per node; the per-file arena holds the scope tables and texts.
 */
#include "scan/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

#define RULE "quadratic"
#define MAX_TARGETS 8  /* names bound by one loop header that we track */
#define MAX_LEVELS 32  /* loop levels around one comparison that we track */
#define MAX_SUBWALK 96 /* nodes looked at in one operand or iterable */

/* A slice of the source. */
/* One name a loop binds; is_index: a range() target or enumerate()'s count. */
struct target {
	struct py_span name;
	int is_index;
};

/* One loop level: a for statement or one for clause of a comprehension. */
struct level {
	TSNode node;                   /* for_statement or for_in_clause: where findings go */
	TSNode left, right;            /* the target pattern and the iterable */
	uint32_t right_s, right_e;     /* the iterable's bytes (a clause is not yet active there) */
	uint32_t body_s;               /* where its per-iteration part starts */
	struct target t[MAX_TARGETS];
	int nt;
	int reported;
};

/* A binding of a name: the statement's start byte (and line, for list-making ones). */
struct def {
	uint32_t at;
	unsigned line;
	struct def *next;
};

enum {
	N_LIST = 1,     /* bound to a comprehension, list(...), sorted(...) */
	N_LITERAL = 2,  /* bound to a list literal */
	N_GROWN = 4,    /* append / extend / insert / += seen */
	N_OTHER = 8,    /* bound to anything else somewhere in the scope */
};

struct name {
	union { /* the key of the scope's name table (rules.h) */
		struct scan_name key;
		struct {
			struct py_span s;
			struct name *next;
		};
	};
	unsigned flags;
	struct def *defs;  /* the list-making bindings */
	struct def *binds; /* every binding */
};

enum cand_kind { C_IN, C_INDEX, C_COUNT, C_REMOVE, C_POP0, C_INSERT0 };

/* A use of a maybe-list in a loop, judged when its scope ends. */
struct cand {
	enum cand_kind kind;
	TSNode at;              /* the comparison or the call */
	struct py_span name;
	uint32_t loop_s, loop_e; /* the innermost loop's per-iteration bytes */
	unsigned loop_line;
	struct cand *next;
};

struct scope {
	struct scan_names names;
	struct cand *cands, **tail;
};

enum fkind { F_SCOPE, F_FOR, F_WHILE, F_COMP };

/*
 * An open scope or loop. A loop's per-iteration bytes are [on_s, on_e)
 * minus [off_s, off_e): a for statement's body; a while statement's
 * condition and body; a comprehension but its first iterable.
 */
struct frame {
	enum fkind kind;
	uint32_t end;
	uint32_t on_s, on_e, off_s, off_e;
	unsigned line;
	struct scope *sc;   /* F_SCOPE */
	struct level *lv;   /* F_FOR: one; F_COMP: one per for clause */
	int nlv;
};

/* What visit does with a node, by its symbol. */
enum act { A_NONE, A_ASSERT, A_AS, A_ASSIGN, A_AUG, A_CALL, A_CMP, A_SCOPE, A_FOR, A_WHILE, A_COMP, A_NAMED };

struct walk {
	const struct py_file *f;
	struct scan_out *out;
	struct arena a;
	unsigned char *act; /* enum act per node symbol, built once per file */
	uint32_t nsym;
	uint32_t assert_end; /* inside an assert statement until this byte */
	struct frame *fr;
	size_t nfr, cap;
};

/* ---- small helpers ---- */

/* 1 when node n (of file f) is the identifier lit. */
static int ident_is(const struct py_file *f, TSNode n, const char *lit)
{
	return py_is(n, "identifier") && py_span_is(py_span_of(f, n), lit);
}

/* ---- the name table of a scope ---- */

static struct scope *scope_new(struct walk *w)
{
	struct scope *sc = arena_calloc(&w->a, 1, sizeof(*sc));
	sc->tail = &sc->cands;
	return sc;
}

/* The entry for name r in sc, made when missing. */
static struct name *name_get(struct walk *w, struct scope *sc, struct py_span r)
{
	return (struct name *)scan_names_get(&sc->names, &w->a, r, sizeof(struct name), NULL);
}

static struct name *name_find(struct scope *sc, struct py_span r)
{
	return (struct name *)scan_names_find(&sc->names, r);
}

/* ---- the frame stack ---- */

static struct frame *push(struct walk *w, enum fkind kind, TSNode n)
{
	if (w->nfr == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->fr = xrealloc(w->fr, w->cap * sizeof(*w->fr));
	}
	struct frame *fr = &w->fr[w->nfr++];
	memset(fr, 0, sizeof(*fr));
	fr->kind = kind;
	fr->end = ts_node_end_byte(n);
	fr->on_s = ts_node_start_byte(n);
	fr->on_e = fr->end;
	fr->line = py_line(n);
	return fr;
}

/* The scope frame n is in (the innermost), never NULL: the module is frame 0. */
static struct frame *scope_frame(struct walk *w)
{
	for (size_t i = w->nfr; i-- > 0;)
		if (w->fr[i].kind == F_SCOPE)
			return &w->fr[i];
	return &w->fr[0];
}

static int runs_per_iteration(const struct frame *fr, uint32_t pos)
{
	return pos >= fr->on_s && pos < fr->on_e && !(pos >= fr->off_s && pos < fr->off_e);
}

static int literal_iterable(TSNode r);

/* A loop over a literal (for k in ("a", "b"), [x for x in "abc"]): a fixed number of turns. */
static int bounded(const struct frame *fr)
{
	if (fr->kind == F_WHILE || fr->nlv != 1)
		return 0;
	return literal_iterable(fr->lv[0].right);
}

/*
 * The innermost loop of the current scope that runs pos once per
 * iteration and turns as often as the data says (not over a literal), or
 * NULL.
 */
static struct frame *loop_at(struct walk *w, uint32_t pos)
{
	for (size_t i = w->nfr; i-- > 0;) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_SCOPE)
			return NULL;
		if (runs_per_iteration(fr, pos) && !bounded(fr))
			return fr;
	}
	return NULL;
}

static void judge_scope(struct walk *w, struct scope *sc);

static void pop(struct walk *w)
{
	struct frame *fr = &w->fr[--w->nfr];
	if (fr->kind == F_SCOPE)
		judge_scope(w, fr->sc);
}

/* ---- bindings ---- */

/* Note a binding of e at byte at. */
static void add_bind(struct walk *w, struct name *e, uint32_t at)
{
	struct def *d = arena_alloc(&w->a, sizeof(*d));
	d->at = at;
	d->line = 0;
	d->next = e->binds;
	e->binds = d;
}

/* Record every plain name a target pattern binds as N_OTHER (a for target, a tuple unpacking). */
static void bind_other(struct walk *w, struct scope *sc, TSNode pat, int depth)
{
	if (depth > 8 || ts_node_is_null(pat))
		return;
	if (py_is(pat, "identifier")) {
		struct name *e = name_get(w, sc, py_span_of(w->f, pat));
		e->flags |= N_OTHER;
		add_bind(w, e, ts_node_start_byte(pat));
		return;
	}
	const char *t = ts_node_type(pat);
	if (strcmp(t, "pattern_list") && strcmp(t, "tuple_pattern") && strcmp(t, "list_pattern") &&
	    strcmp(t, "tuple") && strcmp(t, "list") && strcmp(t, "list_splat_pattern") &&
	    strcmp(t, "parenthesized_expression"))
		return; /* attributes and subscripts bind no name */
	uint32_t nc = ts_node_named_child_count(pat);
	for (uint32_t i = 0; i < nc && i < 64; i++)
		bind_other(w, sc, ts_node_named_child(pat, i), depth + 1);
}

/* How an assigned value makes its name a list: N_LIST, N_LITERAL, or N_OTHER. */
static unsigned list_kind(struct walk *w, TSNode v)
{
	while (py_is(v, "parenthesized_expression") && ts_node_named_child_count(v) == 1)
		v = ts_node_named_child(v, 0);
	if (py_is(v, "list"))
		return N_LITERAL;
	if (py_is(v, "list_comprehension"))
		return N_LIST;
	if (py_is(v, "call")) {
		TSNode fn = py_field(v, "function");
		if (ident_is(w->f, fn, "list") || ident_is(w->f, fn, "sorted"))
			return N_LIST;
	}
	return N_OTHER;
}

/* name = value (value NULL when the value is unknown: `a = b = ...` chains pass theirs). */
static void bind_assign(struct walk *w, TSNode stmt, TSNode left, TSNode value)
{
	struct scope *sc = scope_frame(w)->sc;
	if (!py_is(left, "identifier")) {
		bind_other(w, sc, left, 0);
		return;
	}
	struct name *e = name_get(w, sc, py_span_of(w->f, left));
	unsigned k = ts_node_is_null(value) ? N_OTHER : list_kind(w, value);
	e->flags |= k;
	add_bind(w, e, ts_node_start_byte(stmt));
	if (k != N_OTHER) {
		struct def *d = arena_alloc(&w->a, sizeof(*d));
		d->at = ts_node_start_byte(stmt);
		d->line = py_line(stmt);
		d->next = e->defs;
		e->defs = d;
	}
}

static void on_assignment(struct walk *w, TSNode n)
{
	TSNode left = py_field(n, "left"), right = py_field(n, "right");
	if (ts_node_is_null(right))
		return; /* a bare annotation `x: int` binds nothing */
	/* a = b = []: every target gets the innermost value */
	TSNode v = right;
	int depth = 0;
	while (py_is(v, "assignment") && depth++ < 16)
		v = py_field(v, "right");
	if (py_is(v, "augmented_assignment") || py_is(v, "yield") || py_is(v, "expression_list"))
		v = (TSNode){0};
	bind_assign(w, n, left, v);
	/* the chained targets are assignments of their own and are visited by the walk */
}

/* ---- loops ---- */

/* The names a for target binds, marking range() and enumerate() counters as indices. */
static void loop_targets(struct walk *w, struct level *lv)
{
	TSNode left = lv->left, right = lv->right;
	int range = 0, enumerate = 0;
	if (py_is(right, "call")) {
		TSNode fn = py_field(right, "function");
		range = ident_is(w->f, fn, "range");
		enumerate = ident_is(w->f, fn, "enumerate");
	}
	TSNode stack[MAX_TARGETS * 2];
	int ns = 0, first = 1;
	stack[ns++] = left;
	while (ns > 0 && lv->nt < MAX_TARGETS) {
		TSNode p = stack[--ns];
		if (py_is(p, "identifier")) {
			lv->t[lv->nt].name = py_span_of(w->f, p);
			lv->t[lv->nt].is_index = range || (enumerate && first && !ts_node_eq(p, left));
			lv->nt++;
			first = 0;
			continue;
		}
		if (py_is(p, "pattern_list") || py_is(p, "tuple_pattern") || py_is(p, "list_pattern") ||
		    py_is(p, "parenthesized_expression")) {
			uint32_t nc = ts_node_named_child_count(p);
			/* pushed in reverse so the first element comes out first */
			for (uint32_t i = nc; i-- > 0;)
				if (ns < (int)(sizeof(stack) / sizeof(stack[0])))
					stack[ns++] = ts_node_named_child(p, i);
		}
	}
}

static void on_for(struct walk *w, TSNode n)
{
	TSNode body = py_field(n, "body");
	struct level *lv = arena_calloc(&w->a, 1, sizeof(*lv));
	lv->node = n;
	lv->left = py_field(n, "left");
	lv->right = py_field(n, "right");
	lv->right_s = ts_node_start_byte(lv->right);
	lv->right_e = ts_node_end_byte(lv->right);
	loop_targets(w, lv);
	bind_other(w, scope_frame(w)->sc, lv->left, 0);
	struct frame *fr = push(w, F_FOR, n);
	fr->lv = lv;
	fr->nlv = 1;
	if (!ts_node_is_null(body)) {
		fr->on_s = ts_node_start_byte(body);
		fr->on_e = ts_node_end_byte(body);
	}
	lv->body_s = fr->on_s;
}

static void on_while(struct walk *w, TSNode n)
{
	TSNode cond = py_field(n, "condition"), body = py_field(n, "body");
	struct frame *fr = push(w, F_WHILE, n);
	if (!ts_node_is_null(cond))
		fr->on_s = ts_node_start_byte(cond);
	if (!ts_node_is_null(body))
		fr->on_e = ts_node_end_byte(body);
}

static void on_comprehension(struct walk *w, TSNode n)
{
	uint32_t nc = ts_node_named_child_count(n), nclause = 0;
	for (uint32_t i = 0; i < nc; i++)
		if (py_is(ts_node_named_child(n, i), "for_in_clause"))
			nclause++;
	struct frame *fr = push(w, F_COMP, n);
	if (!nclause)
		return;
	fr->lv = arena_calloc(&w->a, nclause, sizeof(*fr->lv));
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(n, i);
		if (!py_is(c, "for_in_clause"))
			continue;
		struct level *lv = &fr->lv[fr->nlv++];
		lv->node = c;
		lv->left = py_field(c, "left");
		lv->right = py_field(c, "right");
		lv->right_s = ts_node_start_byte(lv->right);
		lv->right_e = ts_node_end_byte(lv->right);
		loop_targets(w, lv);
		lv->body_s = ts_node_start_byte(n);
		if (fr->nlv == 1) {
			fr->off_s = lv->right_s;
			fr->off_e = lv->right_e;
		}
	}
}

/* ---- shape 1: element comparisons across nested loops ---- */

/* An active loop level around a comparison, outermost first. */
struct alevel {
	struct level *lv;
};

/* What an operand of == refers to among the active levels. */
struct opnd {
	uint32_t elem;      /* levels whose element targets it names */
	uint32_t idx;       /* levels whose index targets it names inside a subscript */
	struct py_span base;   /* that subscript's value ("xs" of xs[i]) */
	TSNode sub;         /* and the subscript itself */
	int nodes;          /* visited, to bound the work */
};

static void scan_operand(struct walk *w, TSTreeCursor *c, const struct alevel *al, int nal, struct opnd *o,
			 TSNode sub, int in_sub, int depth)
{
	TSNode n = ts_tree_cursor_current_node(c);
	if (++o->nodes > MAX_SUBWALK || depth > 24)
		return;
	const char *t = ts_node_type(n);
	if (strcmp(t, "identifier") == 0) {
		struct py_span r = py_span_of(w->f, n);
		for (int i = 0; i < nal; i++)
			for (int k = 0; k < al[i].lv->nt; k++) {
				if (!py_span_eq(al[i].lv->t[k].name, r))
					continue;
				if (!al[i].lv->t[k].is_index)
					o->elem |= 1u << i;
				else if (in_sub) {
					o->idx |= 1u << i;
					if (!o->base.s) {
						o->base = py_span_of(w->f, py_field(sub, "value"));
						o->sub = sub;
					}
				}
			}
		return;
	}
	/* a lambda or nested comprehension binds its own names: leave it alone */
	if (strcmp(t, "lambda") == 0 || strcmp(t, "list_comprehension") == 0 ||
	    strcmp(t, "generator_expression") == 0 || strcmp(t, "set_comprehension") == 0 ||
	    strcmp(t, "dictionary_comprehension") == 0)
		return;
	int is_attr = strcmp(t, "attribute") == 0, is_sub = strcmp(t, "subscript") == 0,
	    is_kw = strcmp(t, "keyword_argument") == 0;
	TSNode here = is_sub && !in_sub ? n : sub;
	if (!ts_tree_cursor_goto_first_child(c))
		return;
	do {
		const char *field = ts_tree_cursor_current_field_name(c);
		if (is_attr && field && strcmp(field, "attribute") == 0)
			continue; /* a.id: "id" is no variable */
		if (is_kw && field && strcmp(field, "name") == 0)
			continue;
		int sub = in_sub || (is_sub && field && strcmp(field, "subscript") == 0);
		scan_operand(w, c, al, nal, o, here, sub, depth + 1);
	} while (ts_tree_cursor_goto_next_sibling(c));
	ts_tree_cursor_goto_parent(c);
}

static void operand_refs(struct walk *w, TSNode n, const struct alevel *al, int nal, struct opnd *o)
{
	memset(o, 0, sizeof(*o));
	TSTreeCursor c = ts_tree_cursor_new(n);
	TSNode none = {0};
	scan_operand(w, &c, al, nal, o, none, 0, 0);
	ts_tree_cursor_delete(&c);
	if (o->nodes > MAX_SUBWALK)
		o->elem = o->idx = 0; /* too big to judge: say nothing */
}

static int one_bit(uint32_t m)
{
	return m && !(m & (m - 1));
}

static int bit_index(uint32_t m)
{
	int i = 0;
	while (!(m & 1u)) {
		m >>= 1;
		i++;
	}
	return i;
}

/* The iterable is a literal collection or string: its size does not grow with the data. */
static int literal_iterable(TSNode r)
{
	return py_is(r, "list") || py_is(r, "tuple") || py_is(r, "set") || py_is(r, "dictionary") ||
	       py_is(r, "string") || py_is(r, "concatenated_string");
}

/* The loop levels active at pos in the current scope, outermost first; returns their count. */
static int active_levels(struct walk *w, uint32_t pos, struct alevel *al)
{
	size_t from = 0;
	for (size_t i = w->nfr; i-- > 0;)
		if (w->fr[i].kind == F_SCOPE) {
			from = i + 1;
			break;
		}
	int nal = 0;
	for (size_t i = from; i < w->nfr && nal < MAX_LEVELS; i++) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_FOR && runs_per_iteration(fr, pos)) {
			al[nal++].lv = fr->lv;
		} else if (fr->kind == F_COMP) {
			/* clause k is active past its iterable; the element (first in the text) is inside all */
			for (int k = 0; k < fr->nlv && nal < MAX_LEVELS; k++) {
				struct level *lv = &fr->lv[k];
				uint32_t cs = ts_node_start_byte(lv->node);
				if (pos < ts_node_start_byte(fr->lv[0].node) || (pos >= lv->right_e && pos >= cs))
					al[nal++].lv = lv;
			}
		}
	}
	return nal;
}

/* x[a:b]: a prefix / suffix test, not an element compared. */
static int is_slice(TSNode n)
{
	if (!py_is(n, "subscript"))
		return 0;
	TSNode s = py_field(n, "subscript");
	return py_is(s, "slice");
}

static void on_equality(struct walk *w, TSNode cmp, TSNode l, TSNode r)
{
	uint32_t at = ts_node_start_byte(cmp);
	if (at < w->assert_end || is_slice(l) || is_slice(r))
		return; /* an assert checks, it does not search */
	struct alevel al[MAX_LEVELS];
	int nal = active_levels(w, at, al);
	if (nal < 2)
		return;
	struct opnd a, b;
	operand_refs(w, l, al, nal, &a);
	if (!(a.elem | a.idx))
		return;
	operand_refs(w, r, al, nal, &b);
	uint32_t ma = a.elem | a.idx, mb = b.elem | b.idx;
	if (!one_bit(ma) || !one_bit(mb) || ma == mb)
		return;
	/* a[i] == b[j] over two different sequences: alignment / dynamic programming, not a lookup */
	if (!a.elem && !b.elem && !py_span_eq(a.base, b.base))
		return;
	int ia = bit_index(ma), ib = bit_index(mb);
	int inner = ia > ib ? ia : ib, outer = ia > ib ? ib : ia;
	struct level *in = al[inner].lv, *out = al[outer].lv;
	if (in->reported || literal_iterable(in->right))
		return;
	/* for c in a.children: the inner loop walks what the outer element holds */
	struct alevel just_outer = {out};
	struct opnd it;
	operand_refs(w, in->right, &just_outer, 1, &it);
	if (it.elem || it.nodes > MAX_SUBWALK)
		return;
	/* modules = find(package) in the outer body, then for m in modules: also per outer element */
	if (py_is(in->right, "identifier")) {
		struct name *e = name_find(scope_frame(w)->sc, py_span_of(w->f, in->right));
		for (const struct def *d = e ? e->binds : NULL; d; d = d->next)
			if (d->at >= out->body_s && d->at < ts_node_start_byte(in->node))
				return;
	}
	in->reported = 1;

	TSNode in_op = ia > ib ? l : r, out_op = ia > ib ? r : l;
	const struct opnd *ino = ia > ib ? &a : &b;
	const char *it_s = py_text_oneline(w->f, in->right, 40, &w->a), *tgt = py_text_oneline(w->f, in->left, 30, &w->a);
	const char *in_s = py_text_oneline(w->f, in_op, 40, &w->a), *out_s = py_text_oneline(w->f, out_op, 40, &w->a);
	const char *msg = arena_printf(&w->a,
		"for %s in %s runs once per iteration of the loop at line %u to find %s == %s: "
		"O(n*m) comparisons", tgt, it_s, py_line(out->node), out_s, in_s);
	const char *fix;
	if (!ino->elem) {
		/* xs[i].name == xs[j].name: one pass keeping a dict of the compared value */
		const struct py_span whole = py_span_of(w->f, in_op), sub = py_span_of(w->f, ino->sub);
		int pre = (int)(sub.s - whole.s), post = (int)(whole.n - (uint32_t)pre - sub.n);
		const char *key = arena_printf(&w->a, "%.*sv%.*s", pre, whole.s, post, sub.s + sub.n);
		if (strlen(key) > 60 || strchr(key, '\n'))
			key = "key(v)";
		fix = arena_printf(&w->a,
			"one pass with a dict of the compared value: seen = {} before the loop, then "
			"for k, v in enumerate(%.*s): if %s in seen: (a repeat of index seen[%s]) else "
			"seen[%s] = k; collections.Counter to count repeats",
			(int)ino->base.n, ino->base.s, key, key, key);
	} else if (py_is(in_op, "identifier")) {
		const char *v = py_text_oneline(w->f, in_op, 30, &w->a);
		fix = arena_printf(&w->a,
			"make a set once before the outer loop: %s_set = {%s for %s in %s}, then test %s in %s_set",
			v, v, tgt, it_s, out_s, v);
	} else {
		int tuple = py_is(in->left, "pattern_list");
		fix = arena_printf(&w->a,
			"index it once before the outer loop: by_key = {%s: %s%s%s for %s in %s} "
			"(collections.defaultdict(list) when keys repeat), then by_key.get(%s)",
			in_s, tuple ? "(" : "", tgt, tuple ? ")" : "", tgt, it_s, out_s);
	}
	scan_emit(w->out, w->f, RULE, in->node, msg, fix, 0);
}

static void on_comparison(struct walk *w, TSNode n)
{
	/* operands are the named children; the operators are the anonymous ones between them */
	uint32_t cc = ts_node_child_count(n);
	if (cc > 16)
		return;
	TSNode prev = {0};
	const char *op = NULL;
	for (uint32_t i = 0; i < cc; i++) {
		TSNode c = ts_node_child(n, i);
		if (!ts_node_is_named(c)) {
			op = ts_node_type(c);
			continue;
		}
		if (op && !ts_node_is_null(prev)) {
			if (strcmp(op, "==") == 0) {
				on_equality(w, n, prev, c);
			} else if ((strcmp(op, "in") == 0 || strcmp(op, "not in") == 0) && py_is(c, "identifier")) {
				struct frame *lp = loop_at(w, ts_node_start_byte(n));
				if (lp) {
					struct scope *sc = scope_frame(w)->sc;
					struct cand *k = arena_calloc(&w->a, 1, sizeof(*k));
					k->kind = C_IN;
					k->at = n;
					k->name = py_span_of(w->f, c);
					k->loop_s = lp->on_s;
					k->loop_e = lp->on_e;
					k->loop_line = lp->line;
					*sc->tail = k;
					sc->tail = &k->next;
				}
			}
		}
		prev = c;
		op = NULL;
	}
}

/* ---- shape 3 and growth: NAME.method(...) ---- */

static int first_arg_is_zero(const struct py_file *f, TSNode args)
{
	if (!py_is(args, "argument_list") || ts_node_named_child_count(args) == 0)
		return 0;
	TSNode a0 = ts_node_named_child(args, 0);
	return py_is(a0, "integer") && py_span_is(py_span_of(f, a0), "0");
}

static void on_call(struct walk *w, TSNode n)
{
	TSNode fn = py_field(n, "function");
	if (!py_is(fn, "attribute"))
		return;
	TSNode obj = py_field(fn, "object"), attr = py_field(fn, "attribute");
	if (!py_is(obj, "identifier") || ts_node_is_null(attr))
		return;
	struct py_span m = py_span_of(w->f, attr);
	TSNode args = py_field(n, "arguments");
	int kind = -1;
	if (py_span_is(m, "append") || py_span_is(m, "extend") || py_span_is(m, "insert")) {
		/* grown with the data: in a loop, or extended by something not written out */
		TSNode a0 = py_is(args, "argument_list") && ts_node_named_child_count(args) ?
				    ts_node_named_child(args, 0) : (TSNode){0};
		if (loop_at(w, ts_node_start_byte(n)) ||
		    (py_span_is(m, "extend") && !py_is(a0, "list") && !py_is(a0, "tuple")))
			name_get(w, scope_frame(w)->sc, py_span_of(w->f, obj))->flags |= N_GROWN;
		if (py_span_is(m, "insert") && first_arg_is_zero(w->f, args))
			kind = C_INSERT0;
	} else if (py_span_is(m, "index")) {
		kind = C_INDEX;
	} else if (py_span_is(m, "count")) {
		kind = C_COUNT;
	} else if (py_span_is(m, "remove")) {
		kind = C_REMOVE;
	} else if (py_span_is(m, "pop") && first_arg_is_zero(w->f, args)) {
		kind = C_POP0;
	}
	if (kind < 0)
		return;
	struct frame *lp = loop_at(w, ts_node_start_byte(n));
	if (!lp)
		return;
	struct scope *sc = scope_frame(w)->sc;
	struct cand *k = arena_calloc(&w->a, 1, sizeof(*k));
	k->kind = (enum cand_kind)kind;
	k->at = n;
	k->name = py_span_of(w->f, obj);
	k->loop_s = lp->on_s;
	k->loop_e = lp->on_e;
	k->loop_line = lp->line;
	*sc->tail = k;
	sc->tail = &k->next;
}

/* ---- judging shapes 2 and 3 at the end of a scope ---- */

static void judge_scope(struct walk *w, struct scope *sc)
{
	for (struct cand *k = sc->cands; k; k = k->next) {
		struct name *e = name_find(sc, k->name);
		if (!e || (e->flags & N_OTHER) || !e->defs)
			continue;
		/* a literal is a fixed handful unless the scope grows it */
		if (!(e->flags & N_LIST) && !(e->flags & N_GROWN))
			continue;
		/*
		 * every list binding outside the loop (one inside rebuilds it per iteration: the scan
		 * costs no more than the build), and one before it (else it is a parameter there)
		 */
		const struct def *d;
		unsigned def_line = 0;
		for (d = e->defs; d; d = d->next) {
			if (d->at >= k->loop_s && d->at < k->loop_e)
				break;
			if (d->at < k->loop_s)
				def_line = d->line;
		}
		if (d || !def_line)
			continue;
		const char *nm = arena_strndup(&w->a, k->name.s, k->name.n);
		const char *what = py_text_oneline(w->f, k->at, 60, &w->a);
		const char *msg, *fix;
		switch (k->kind) {
		case C_IN:
			msg = arena_printf(&w->a,
				"%s scans the list %s (made at line %u) on every iteration of the loop at line %u: "
				"O(n) per test", what, nm, def_line, k->loop_line);
			if (e->flags & N_GROWN)
				fix = arena_printf(&w->a,
					"keep a set beside it: %s_set = set() next to %s = [...], %s_set.add(x) wherever "
					"%s.append(x), and test against %s_set (or make %s itself a set when order does "
					"not matter)", nm, nm, nm, nm, nm, nm);
			else
				fix = arena_printf(&w->a, "%s_set = set(%s) once before the loop, then test against %s_set",
						   nm, nm, nm);
			break;
		case C_INDEX:
			msg = arena_printf(&w->a,
				"%s scans the list %s (made at line %u) on every iteration of the loop at line %u: "
				"O(n) per call", what, nm, def_line, k->loop_line);
			fix = arena_printf(&w->a,
				"pos = {v: i for i, v in reversed(list(enumerate(%s)))} once before the loop, then pos[x] "
				"(or pos.get(x))", nm);
			break;
		case C_COUNT:
			msg = arena_printf(&w->a,
				"%s counts through the list %s (made at line %u) on every iteration of the loop at "
				"line %u: O(n) per call", what, nm, def_line, k->loop_line);
			fix = arena_printf(&w->a, "counts = collections.Counter(%s) once before the loop, then counts[x]",
					   nm);
			break;
		case C_REMOVE:
			msg = arena_printf(&w->a,
				"%s searches and shifts the list %s on every iteration of the loop at line %u: "
				"O(n) per call", what, nm, k->loop_line);
			fix = arena_printf(&w->a,
				"collect what goes in a set and filter once after the loop: %s = [v for v in %s if v "
				"not in drop] (or keep %s as a set or dict)", nm, nm, nm);
			break;
		case C_POP0:
		case C_INSERT0:
		default:
			msg = arena_printf(&w->a,
				"%s shifts every element of the list %s on each iteration of the loop at line %u: "
				"O(n) per call", what, nm, k->loop_line);
			fix = arena_printf(&w->a,
				"make it a collections.deque: %s = deque(...), then %s.%s", nm, nm,
				k->kind == C_POP0 ? "popleft()" : "appendleft(x)");
			break;
		}
		scan_emit(w->out, w->f, RULE, k->at, msg, fix, 0);
	}
}

/* ---- the walk ---- */

/* x += ...: a list grows (in a loop, or by something not written out); other operators rebind. */
static void on_augmented(struct walk *w, TSNode n, uint32_t at)
{
	TSNode left = py_field(n, "left");
	if (!py_is(left, "identifier"))
		return;
	struct name *e = name_get(w, scope_frame(w)->sc, py_span_of(w->f, left));
	TSNode right = py_field(n, "right");
	if (ts_node_child_count(n) > 1 && strcmp(ts_node_type(ts_node_child(n, 1)), "+=") == 0) {
		if (loop_at(w, at) || (!py_is(right, "list") && !py_is(right, "tuple")))
			e->flags |= N_GROWN;
	} else {
		e->flags |= N_OTHER;
	}
	add_bind(w, e, at);
}

static int visit(TSNode n, void *arg)
{
	struct walk *w = arg;
	uint32_t at = ts_node_start_byte(n);
	while (w->nfr > 1 && at >= w->fr[w->nfr - 1].end)
		pop(w);
	TSSymbol sy = ts_node_symbol(n);
	switch (sy < w->nsym ? (enum act)w->act[sy] : A_NONE) {
	case A_NONE:
		break;
	case A_ASSERT:
		w->assert_end = ts_node_end_byte(n);
		break;
	case A_AS: {
		/* with ... as NAME, except ... as NAME */
		TSNode alias = py_field(n, "alias");
		if (!ts_node_is_null(alias))
			bind_other(w, scope_frame(w)->sc,
				   ts_node_named_child_count(alias) ? ts_node_named_child(alias, 0) : alias, 0);
		break;
	}
	case A_ASSIGN:
		on_assignment(w, n);
		break;
	case A_AUG:
		on_augmented(w, n, at);
		break;
	case A_CALL:
		on_call(w, n);
		break;
	case A_CMP:
		on_comparison(w, n);
		break;
	case A_SCOPE:
		push(w, F_SCOPE, n)->sc = scope_new(w);
		break;
	case A_FOR:
		on_for(w, n);
		break;
	case A_WHILE:
		on_while(w, n);
		break;
	case A_COMP:
		on_comprehension(w, n);
		break;
	case A_NAMED:
		/* (x := value) rebinds x */
		bind_other(w, scope_frame(w)->sc, py_field(n, "name"), 0);
		break;
	}
	return 0;
}

/* The action table: node symbols of f's language to what visit does (integers, not type names). */
static void acts_init(struct walk *w)
{
	static const struct scan_act map[] = {
		{"assert_statement", A_ASSERT}, {"as_pattern", A_AS}, {"assignment", A_ASSIGN},
		{"augmented_assignment", A_AUG}, {"call", A_CALL}, {"comparison_operator", A_CMP},
		{"class_definition", A_SCOPE}, {"function_definition", A_SCOPE}, {"lambda", A_SCOPE},
		{"for_statement", A_FOR}, {"while_statement", A_WHILE}, {"list_comprehension", A_COMP},
		{"set_comprehension", A_COMP}, {"dictionary_comprehension", A_COMP},
		{"generator_expression", A_COMP}, {"named_expression", A_NAMED},
	};
	w->act = scan_action_table(w->f, &w->a, map, sizeof(map) / sizeof(map[0]), &w->nsym);
}

/* The rule's check: one walk of f, findings through scan_emit. */
static void check(const struct py_file *f, struct scan_out *out)
{
	struct walk w = {.f = f, .out = out};
	acts_init(&w);
	push(&w, F_SCOPE, f->root)->sc = scope_new(&w);
	py_walk_file(f, f->root, visit, &w);
	while (w.nfr > 0)
		pop(&w);
	free(w.fr);
	arena_free(&w.a);
}

const struct scan_rule scan_rule_quadratic = {
	.name = RULE,
	.severity = PA_SEV_MEDIUM,
	.summary = "a list scanned, or a nested loop compared, once per iteration: use a set or dict",
	.check = check,
};
