/*
 * string-concat-in-loop: `s += piece` (or `s = s + piece`, `s = piece + s`)
 * inside a loop, where s is a str or bytes. Strings are immutable: each
 * step copies everything built so far, so n steps copy O(n²) bytes.
 * CPython sometimes resizes a local str in place when nothing else refers
 * to it, but not for attributes (self.html += ...), not for bytes, not
 * while another reference exists, and not on other interpreters; the list
 * and "".join() (or a bytearray for bytes) are linear everywhere.
 *
 * Without types, s counts as a string when the scope (function, class
 * body or module) binds it to a string somewhere — a literal, an f-string,
 * str(...), "sep".join(...), "..." % args, x.decode() — or the piece added
 * is such a string, and the scope never binds it to a number, a container
 * or a bytearray (`total = 0`, `rows = []`, `buf = bytearray()`: those +=
 * are sums, list extensions and amortised appends). bytes (b"" literals,
 * bytes(...), x.encode()) are reported too: bytes has no in-place shortcut
 * at all, and the `data += sock.recv(4096)` loop is the common case.
 *
 * A loop only accumulates when s survives from one iteration to the next:
 * when s is the loop's own target, or a block around the += (inside the
 * loop) rebinds s before it (s = "", a, s = pair, [x, s] = item), s starts
 * again each time the += runs and nothing is reported. A rebinding in a
 * branch beside the += (if ch == "\n": cur = "" else: cur += ch) does not
 * count: the += still carries s over. A local s that the scope never
 * binds before the loop is set afresh inside it (the first += would fail
 * otherwise), so it is left alone too; attributes persist between calls and
 * need no such binding, except x.attr += ... where x is the loop's target
 * (`for attr in attrs: attr.slug += "-2"`: a fresh object each time). A for
 * loop over a literal (`for part in ("slot", "port"):`) runs a fixed number
 * of times: it is no loop here, the loop around it (if any) decides.
 *
 * One pre-order walk (py_walk_file, nodes dispatched by symbol through a
 * table built once per file) keeps a stack of scopes, loops and blocks
 * popped by byte position; candidates wait for the end of their scope,
 * where every binding of the name has been seen.
 */
#include "scan/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

#define RULE "string-concat-in-loop"
#define MAX_RESETS 32 /* rebindings per block that we remember */
#define MAX_TARGETS 8 /* names a loop header binds that we remember */

/* A slice of the source. */
/* What an expression is known to be. */
enum kind { K_UNKNOWN = 0, K_STR = 1, K_BYTES = 2, K_OTHER = 4 };

struct name {
	union { /* the key of the scope's name table (rules.h) */
		struct scan_name key;
		struct {
			struct py_span s;
			struct name *next;
		};
	};
	unsigned seen;     /* the kinds it is bound to in the scope */
	uint32_t first_at; /* its first binding in the scope (UINT32_MAX: none) */
};

/* An accumulation in a loop, judged when its scope ends. */
struct cand {
	TSNode at;           /* the statement */
	struct py_span target;  /* "s", "self.html" */
	struct py_span piece;   /* the text of what is added */
	unsigned piece_kind;
	int prepend;         /* s = piece + s */
	uint32_t loop_at;    /* where the loop starts */
	unsigned loop_line;
	const char *loop_word; /* "for" or "while" */
	struct cand *next;
};

struct scope {
	struct scan_names names;
	struct cand *cands, **tail;
};

enum fkind { F_SCOPE, F_LOOP, F_BLOCK };

/* A rebinding of a name (not from itself) in a block. */
struct reset {
	struct py_span name;
	uint32_t at;
};

/*
 * An open scope, loop or block. A loop runs [on_s, on_e) once per
 * iteration: a for statement's body, a while statement's condition and
 * body. A block remembers the names its statements rebind.
 */
struct frame {
	enum fkind kind;
	uint32_t start, end, on_s, on_e;
	unsigned line;
	const char *word;
	struct scope *sc;      /* F_SCOPE */
	struct reset *resets;  /* F_BLOCK */
	int nresets;
	struct py_span targets[MAX_TARGETS]; /* F_LOOP: a for loop's own names */
	int ntargets;
	int bounded;           /* F_LOOP: for over a literal: a fixed number of turns */
};

/* What visit does with a node, by its symbol. */
enum act { A_NONE, A_ASSIGN, A_AUG, A_BLOCK, A_SCOPE, A_FOR, A_WHILE, A_NAMED };

struct walk {
	const struct py_file *f;
	struct scan_out *out;
	struct arena a;
	unsigned char *act; /* enum act per node symbol, built once per file */
	uint32_t nsym;
	struct frame *fr;
	size_t nfr, cap;
};

/* ---- small helpers ---- */

/* A name or an attribute chain (s, self.html): the targets we track. */
static int trackable(TSNode n)
{
	if (py_is(n, "identifier"))
		return 1;
	for (int d = 0; py_is(n, "attribute") && d < 8; d++) {
		n = py_field(n, "object");
		if (py_is(n, "identifier"))
			return 1;
	}
	return 0;
}

static TSNode unparen(TSNode v)
{
	for (int d = 0; py_is(v, "parenthesized_expression") && ts_node_named_child_count(v) == 1 && d < 16; d++)
		v = ts_node_named_child(v, 0);
	return v;
}

/* ---- what an expression is ---- */

/* A string literal's kind from its prefix: b"", rb"" are bytes. */
static unsigned literal_kind(const struct py_file *f, TSNode str)
{
	if (ts_node_named_child_count(str) == 0)
		return K_STR;
	TSNode start = ts_node_named_child(str, 0);
	struct py_span p = py_span_of(f, start);
	for (uint32_t i = 0; i < p.n; i++)
		if (p.s[i] == 'b' || p.s[i] == 'B')
			return K_BYTES;
	return K_STR;
}

/* K_STR / K_BYTES when v is surely a str / bytes, K_OTHER when surely neither, else K_UNKNOWN. */
static unsigned kind_of(const struct py_file *f, TSNode v, int depth)
{
	static const char *const str_fns[] = {"str", "repr", "chr", "format", "ascii", "hex", "oct", "bin", NULL};
	static const char *const other_fns[] = {"int", "float", "len", "sum", "list", "dict", "set", "tuple",
						 "bytearray", "Decimal", "Fraction", "complex", "Counter",
						 "defaultdict", "deque", "OrderedDict", "StringIO", "BytesIO", "array",
						 "frozenset", "sorted", "min", "max", "abs", "round", "ord", NULL};
	/* methods that hand back the receiver's kind (str and bytes alike) */
	static const char *const same_methods[] = {"join", "replace", "strip", "lstrip", "rstrip", "upper", "lower",
						   "title", "capitalize", "center", "ljust", "rjust", "zfill",
						   "expandtabs", "swapcase", "removeprefix", "removesuffix", NULL};
	static const char *const str_methods[] = {"format", "format_map", "decode", "strftime", "isoformat",
						  "casefold", NULL};
	if (depth > 16 || ts_node_is_null(v))
		return K_UNKNOWN;
	v = unparen(v);
	const char *t = ts_node_type(v);
	if (strcmp(t, "string") == 0)
		return literal_kind(f, v);
	if (strcmp(t, "concatenated_string") == 0)
		return ts_node_named_child_count(v) ? literal_kind(f, ts_node_named_child(v, 0)) : K_STR;
	if (strcmp(t, "integer") == 0 || strcmp(t, "float") == 0 || strcmp(t, "list") == 0 ||
	    strcmp(t, "dictionary") == 0 || strcmp(t, "set") == 0 || strcmp(t, "tuple") == 0 ||
	    strcmp(t, "list_comprehension") == 0 || strcmp(t, "set_comprehension") == 0 ||
	    strcmp(t, "dictionary_comprehension") == 0 || strcmp(t, "true") == 0 || strcmp(t, "false") == 0 ||
	    strcmp(t, "unary_operator") == 0)
		return K_OTHER;
	if (strcmp(t, "binary_operator") == 0) {
		TSNode op = ts_node_child_count(v) > 1 ? ts_node_child(v, 1) : (TSNode){0};
		const char *o = ts_node_is_null(op) ? "" : ts_node_type(op);
		unsigned l = kind_of(f, py_field(v, "left"), depth + 1);
		if (strcmp(o, "%") == 0)
			return l == K_STR || l == K_BYTES ? l : K_UNKNOWN; /* "..." % args */
		if (strcmp(o, "+") == 0 || strcmp(o, "*") == 0) {
			unsigned r = kind_of(f, py_field(v, "right"), depth + 1);
			if (l == K_STR || l == K_BYTES)
				return l;
			if (r == K_STR || r == K_BYTES)
				return r;
			if (strcmp(o, "+") == 0 && (l == K_OTHER || r == K_OTHER))
				return K_OTHER;
		}
		return K_UNKNOWN;
	}
	if (strcmp(t, "conditional_expression") == 0) {
		/* a if c else b: the first two named children are the branches */
		unsigned k = K_UNKNOWN;
		uint32_t nc = ts_node_named_child_count(v);
		for (uint32_t i = 0; i < nc && i < 3; i++) {
			if (i == 1)
				continue; /* the condition */
			unsigned b = kind_of(f, ts_node_named_child(v, i), depth + 1);
			if (b == K_STR || b == K_BYTES)
				return b;
			k |= b;
		}
		return k == K_OTHER ? K_OTHER : K_UNKNOWN;
	}
	if (strcmp(t, "call") == 0) {
		TSNode fn = py_field(v, "function");
		if (py_is(fn, "identifier")) {
			struct py_span name = py_span_of(f, fn);
			if (py_span_in(name, str_fns))
				return K_STR;
			static const char *const bytes_fn[] = {"bytes", NULL};
			if (py_span_in(name, bytes_fn))
				return K_BYTES;
			if (py_span_in(name, other_fns))
				return K_OTHER;
			return K_UNKNOWN;
		}
		if (py_is(fn, "attribute")) {
			struct py_span m = py_span_of(f, py_field(fn, "attribute"));
			if (py_span_in(m, str_methods))
				return K_STR;
			static const char *const encode[] = {"encode", NULL};
			if (py_span_in(m, encode))
				return K_BYTES;
			if (py_span_in(m, same_methods)) {
				unsigned r = kind_of(f, py_field(fn, "object"), depth + 1);
				return r == K_STR || r == K_BYTES ? r : K_UNKNOWN;
			}
			/* io.StringIO(), collections.Counter(), array.array() */
			if (py_span_in(m, other_fns))
				return K_OTHER;
		}
	}
	return K_UNKNOWN;
}

/* ---- the name table of a scope ---- */

static struct name *name_find(struct scope *sc, struct py_span r)
{
	return (struct name *)scan_names_find(&sc->names, r);
}

/* The entry for r in sc, made when missing. */
static struct name *name_get(struct walk *w, struct scope *sc, struct py_span r)
{
	int made;
	struct name *e = (struct name *)scan_names_get(&sc->names, &w->a, r, sizeof(struct name), &made);
	if (made)
		e->first_at = UINT32_MAX;
	return e;
}

/* ---- frames ---- */

static struct frame *push(struct walk *w, enum fkind kind, TSNode n)
{
	if (w->nfr == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->fr = xrealloc(w->fr, w->cap * sizeof(*w->fr));
	}
	struct frame *fr = &w->fr[w->nfr++];
	memset(fr, 0, sizeof(*fr));
	fr->kind = kind;
	fr->start = ts_node_start_byte(n);
	fr->end = ts_node_end_byte(n);
	fr->on_s = ts_node_start_byte(n);
	fr->on_e = fr->end;
	fr->line = py_line(n);
	if (kind == F_SCOPE) {
		fr->sc = arena_calloc(&w->a, 1, sizeof(*fr->sc));
		fr->sc->tail = &fr->sc->cands;
	}
	return fr;
}

static struct scope *scope_of(struct walk *w)
{
	for (size_t i = w->nfr; i-- > 0;)
		if (w->fr[i].kind == F_SCOPE)
			return w->fr[i].sc;
	return w->fr[0].sc;
}

/* The innermost loop of the current scope running pos once per iteration, or NULL. */
static struct frame *loop_at(struct walk *w, uint32_t pos)
{
	for (size_t i = w->nfr; i-- > 0;) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_SCOPE)
			return NULL;
		if (fr->kind == F_LOOP && !fr->bounded && pos >= fr->on_s && pos < fr->on_e)
			return fr;
	}
	return NULL;
}

/* ---- accumulations ---- */

/*
 * 1 when expr is a + chain with target as one of its top-level terms;
 * *first: it is the leftmost; *rest: the text of the other terms (s + a + b
 * gives "a + b", x + s gives "x", a + s + b the whole of expr).
 */
static int adds_to_itself(const struct py_file *f, TSNode expr, struct py_span target, int *first, struct py_span *rest)
{
	TSNode terms[32];
	int nt = 0;
	TSNode v = unparen(expr);
	/* a + b + c parses as ((a + b) + c): walk down the left spine */
	while (py_is(v, "binary_operator") && nt < 31) {
		TSNode op = ts_node_child_count(v) > 1 ? ts_node_child(v, 1) : (TSNode){0};
		if (ts_node_is_null(op) || strcmp(ts_node_type(op), "+") != 0)
			break;
		terms[nt++] = py_field(v, "right");
		v = unparen(py_field(v, "left"));
	}
	if (nt == 0)
		return 0;
	terms[nt++] = v; /* the leftmost term */
	for (int i = 0; i < nt; i++)
		if (py_span_eq(py_span_of(f, unparen(terms[i])), target)) {
			*first = i == nt - 1;
			struct py_span whole = py_span_of(f, expr);
			*rest = whole;
			if (i == nt - 1) { /* s + a + b: from a to the end */
				uint32_t s = ts_node_start_byte(terms[nt - 2]);
				rest->s = f->src + s;
				rest->n = (uint32_t)(whole.s + whole.n - rest->s);
			} else if (i == 0) { /* a + b + s: up to the end of b */
				uint32_t e = ts_node_end_byte(terms[1]);
				rest->n = (uint32_t)(f->src + e - whole.s);
			}
			return 1;
		}
	return 0;
}

/* A binding of name at byte at in the current scope (for "was it set before the loop"). */
static void note_bind(struct walk *w, struct py_span name, uint32_t at)
{
	struct name *e = name_get(w, scope_of(w), name);
	if (at < e->first_at)
		e->first_at = at;
}

/* Remember that the innermost block rebinds name at byte at. */
static void note_reset(struct walk *w, struct py_span name, uint32_t at)
{
	struct frame *fr = &w->fr[w->nfr - 1];
	if (fr->kind != F_BLOCK)
		return; /* module level: no loop body to restart */
	if (!fr->resets)
		fr->resets = arena_alloc(&w->a, MAX_RESETS * sizeof(*fr->resets));
	if (fr->nresets < MAX_RESETS) {
		fr->resets[fr->nresets].name = name;
		fr->resets[fr->nresets].at = at;
		fr->nresets++;
	}
}

/* The names an unpacking target binds (a, s = pair; [x, s] = item), as rebindings. */
static void note_pattern(struct walk *w, TSNode pat, uint32_t at, int depth)
{
	if (ts_node_is_null(pat) || depth > 8)
		return;
	if (trackable(pat)) {
		note_reset(w, py_span_of(w->f, pat), at);
		note_bind(w, py_span_of(w->f, pat), at);
		return;
	}
	const char *t = ts_node_type(pat);
	if (strcmp(t, "pattern_list") && strcmp(t, "tuple_pattern") && strcmp(t, "list_pattern") &&
	    strcmp(t, "tuple") && strcmp(t, "list") && strcmp(t, "parenthesized_expression") &&
	    strcmp(t, "list_splat_pattern"))
		return;
	uint32_t nc = ts_node_named_child_count(pat);
	for (uint32_t i = 0; i < nc && i < 64; i++)
		note_pattern(w, ts_node_named_child(pat, i), at, depth + 1);
}

static void add_cand(struct walk *w, TSNode stmt, TSNode target, struct py_span piece, unsigned piece_kind,
		     int prepend)
{
	struct frame *lp = loop_at(w, ts_node_start_byte(stmt));
	if (!lp)
		return;
	struct py_span t = py_span_of(w->f, target);
	/* t, or the object it is an attribute of (x of x.slug) */
	TSNode r = target;
	for (int d = 0; py_is(r, "attribute") && d < 8; d++)
		r = py_field(r, "object");
	struct py_span root = py_span_of(w->f, r);
	/* a loop's own target, or rebound earlier in a block around us: it starts afresh each time */
	for (struct frame *fr = &w->fr[w->nfr - 1]; fr >= lp; fr--) {
		for (int i = 0; fr->kind == F_LOOP && i < fr->ntargets; i++)
			if (py_span_eq(fr->targets[i], t) || py_span_eq(fr->targets[i], root))
				return;
		for (int i = 0; fr->kind == F_BLOCK && fr != lp && i < fr->nresets; i++)
			if (py_span_eq(fr->resets[i].name, t) && fr->resets[i].at < ts_node_start_byte(stmt))
				return;
	}
	struct scope *sc = scope_of(w);
	struct cand *k = arena_calloc(&w->a, 1, sizeof(*k));
	k->at = stmt;
	k->target = t;
	k->piece = piece;
	k->piece_kind = piece_kind;
	k->prepend = prepend;
	k->loop_line = lp->line;
	k->loop_at = lp->start;
	k->loop_word = lp->word;
	*sc->tail = k;
	sc->tail = &k->next;
}

static void on_augmented(struct walk *w, TSNode n)
{
	TSNode left = py_field(n, "left"), right = py_field(n, "right");
	if (!trackable(left) || ts_node_child_count(n) < 2)
		return;
	struct name *e = name_get(w, scope_of(w), py_span_of(w->f, left));
	note_bind(w, e->s, ts_node_start_byte(n));
	const char *op = ts_node_type(ts_node_child(n, 1));
	if (strcmp(op, "+=") != 0) {
		e->seen |= K_OTHER; /* -=, *=, |= ...: numbers, sets */
		return;
	}
	unsigned k = kind_of(w->f, right, 0);
	e->seen |= k;
	if (k != K_OTHER)
		add_cand(w, n, left, py_span_of(w->f, right), k, 0);
}

static void on_assignment(struct walk *w, TSNode n)
{
	TSNode left = py_field(n, "left"), right = py_field(n, "right");
	if (ts_node_is_null(right))
		return;
	if (!trackable(left)) {
		note_pattern(w, left, ts_node_start_byte(n), 0);
		return;
	}
	TSNode v = right;
	for (int d = 0; py_is(v, "assignment") && d < 16; d++)
		v = py_field(v, "right");
	struct py_span t = py_span_of(w->f, left);
	struct name *e = name_get(w, scope_of(w), t);
	note_bind(w, t, ts_node_start_byte(n));
	unsigned k = kind_of(w->f, v, 0);
	e->seen |= k;
	int first = 0;
	struct py_span rest;
	if (adds_to_itself(w->f, v, t, &first, &rest)) {
		if (k != K_OTHER)
			add_cand(w, n, left, rest, k, !first);
	} else {
		note_reset(w, t, ts_node_start_byte(n));
	}
}

static void on_loop(struct walk *w, TSNode n, int is_for)
{
	TSNode body = py_field(n, "body");
	struct frame *fr = push(w, F_LOOP, n);
	fr->word = is_for ? "for" : "while";
	if (is_for) {
		TSNode it = py_field(n, "right");
		fr->bounded = py_is(it, "tuple") || py_is(it, "list") || py_is(it, "set") || py_is(it, "string") ||
			      py_is(it, "concatenated_string") || py_is(it, "dictionary");
		/* for line in lines: line += "\n" rebinds line every iteration */
		TSNode st[MAX_TARGETS * 2];
		int ns = 0;
		st[ns++] = py_field(n, "left");
		while (ns > 0 && fr->ntargets < MAX_TARGETS) {
			TSNode p = st[--ns];
			if (trackable(p)) {
				fr->targets[fr->ntargets++] = py_span_of(w->f, p);
				note_bind(w, py_span_of(w->f, p), fr->start);
				continue;
			}
			uint32_t nc = ts_node_named_child_count(p);
			for (uint32_t i = 0; i < nc && ns < MAX_TARGETS * 2; i++)
				st[ns++] = ts_node_named_child(p, i);
		}
	}
	if (ts_node_is_null(body))
		return;
	if (is_for)
		fr->on_s = ts_node_start_byte(body);
	else if (!ts_node_is_null(py_field(n, "condition")))
		fr->on_s = ts_node_start_byte(py_field(n, "condition"));
	fr->on_e = ts_node_end_byte(body);
}

/* ---- judging at the end of a scope ---- */

static void judge_scope(struct walk *w, struct scope *sc)
{
	for (struct cand *k = sc->cands; k; k = k->next) {
		struct name *e = name_find(sc, k->target);
		/* a local accumulator is set before its loop; one only ever set inside it restarts there */
		if (memchr(k->target.s, '.', k->target.n) == NULL && (!e || e->first_at >= k->loop_at))
			continue;
		unsigned seen = (e ? e->seen : 0) | k->piece_kind;
		if (seen & K_OTHER)
			continue; /* a number, a list, a bytearray somewhere in the scope */
		unsigned kind = seen & K_STR ? K_STR : seen & K_BYTES ? K_BYTES : 0;
		if (!kind)
			continue; /* nothing says it is text */
		const char *t = arena_strndup(&w->a, k->target.s, k->target.n);
		const char *piece = py_oneline(k->piece.s, k->piece.n, 50, &w->a);
		const char *what = kind == K_STR ? "string" : "bytes object";
		const char *msg = arena_printf(&w->a,
			"%s %s in the %s loop at line %u copies the whole %s %s on every iteration: "
			"O(n^2) in its final length", t, k->prepend ? "= ... + itself" : "+= ...", k->loop_word,
			k->loop_line, what, t);
		const char *list = kind == K_STR ? "parts" : "chunks";
		const char *joined = arena_printf(&w->a, "%s\"\".join(%s%s%s)", kind == K_STR ? "" : "b",
						  k->prepend ? "reversed(" : "", list, k->prepend ? ")" : "");
		/* the list starts with what t holds before the loop, so nothing is lost */
		const char *fix = arena_printf(&w->a, "%s = [%s] before the loop, %s.append(%s) here, and %s = %s after it",
					       list, t, list, piece, t, joined);
		if (kind == K_BYTES && !k->prepend)
			fix = arena_printf(&w->a, "%s (or %s = bytearray() before the loop: += on a bytearray does not copy)",
					   fix, t);
		scan_emit(w->out, w->f, RULE, k->at, msg, fix, 0);
	}
}

static void pop(struct walk *w)
{
	struct frame *fr = &w->fr[--w->nfr];
	if (fr->kind == F_SCOPE)
		judge_scope(w, fr->sc);
}

/* ---- the walk ---- */

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
	case A_ASSIGN:
		on_assignment(w, n);
		break;
	case A_AUG:
		on_augmented(w, n);
		break;
	case A_BLOCK:
		push(w, F_BLOCK, n);
		break;
	case A_SCOPE:
		push(w, F_SCOPE, n);
		break;
	case A_FOR:
		on_loop(w, n, 1);
		break;
	case A_WHILE:
		on_loop(w, n, 0);
		break;
	case A_NAMED:
		note_reset(w, py_span_of(w->f, py_field(n, "name")), at);
		note_bind(w, py_span_of(w->f, py_field(n, "name")), at);
		break;
	}
	return 0;
}

/* The action table: node symbols of f's language to what visit does (integers, not type names). */
static void acts_init(struct walk *w)
{
	static const struct scan_act map[] = {
		{"assignment", A_ASSIGN}, {"augmented_assignment", A_AUG}, {"block", A_BLOCK},
		{"class_definition", A_SCOPE}, {"function_definition", A_SCOPE}, {"lambda", A_SCOPE},
		{"for_statement", A_FOR}, {"while_statement", A_WHILE}, {"named_expression", A_NAMED},
	};
	w->act = scan_action_table(w->f, &w->a, map, sizeof(map) / sizeof(map[0]), &w->nsym);
}

/* The rule's check: one walk of f, findings through scan_emit. */
static void check(const struct py_file *f, struct scan_out *out)
{
	struct walk w = {.f = f, .out = out};
	acts_init(&w);
	push(&w, F_SCOPE, f->root);
	py_walk_file(f, f->root, visit, &w);
	while (w.nfr > 0)
		pop(&w);
	free(w.fr);
	arena_free(&w.a);
}

const struct scan_rule scan_rule_string_concat_in_loop = {
	.name = RULE,
	.severity = PA_SEV_MEDIUM,
	.summary = "a str or bytes grown with += in a loop: collect the pieces and join them once",
	.check = check,
};
