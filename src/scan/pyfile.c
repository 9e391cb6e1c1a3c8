/*
 * pyfile: parse a Python file with tree-sitter and read its imports; the
 * node helpers the rules share. See pyfile.h.
 */
#include "pyfile.h"

#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"

#define PY_MAX_BYTES (64u << 20) /* a "Python file" over 64 MB is not source code */

unsigned py_line(TSNode n)
{
	return ts_node_start_point(n).row + 1;
}

unsigned py_col(TSNode n)
{
	return ts_node_start_point(n).column + 1;
}

int py_is(TSNode n, const char *type)
{
	return !ts_node_is_null(n) && strcmp(ts_node_type(n), type) == 0;
}

const char *py_text(const struct py_file *f, TSNode n, struct arena *a)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > f->len || s > e)
		return "";
	return arena_strndup(a, f->src + s, e - s);
}

struct py_span py_span_of(const struct py_file *f, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	struct py_span r = {f->src + s, e > s ? e - s : 0};
	return r;
}

int py_span_eq(struct py_span a, struct py_span b)
{
	return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

int py_span_is(struct py_span a, const char *lit)
{
	size_t n = strlen(lit);
	return a.n == n && memcmp(a.s, lit, n) == 0;
}

int py_span_in(struct py_span a, const char *const *words)
{
	for (; *words; words++)
		if (py_span_is(a, *words))
			return 1;
	return 0;
}

uint64_t py_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

const char *py_oneline(const char *s, size_t n, size_t max, struct arena *a)
{
	char *o = arena_alloc(a, max + 4);
	size_t k = 0;
	int sp = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		/* white space, and a backslash that continues the line */
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    (c == '\\' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r'))) {
			sp = 1;
			continue;
		}
		if (sp && k > 0) {
			if (k >= max)
				break;
			o[k++] = ' ';
		}
		sp = 0;
		if (k >= max) {
			memcpy(o + k, "...", 4);
			return o;
		}
		o[k++] = c;
	}
	o[k] = '\0';
	return o;
}

const char *py_text_oneline(const struct py_file *f, TSNode n, size_t max, struct arena *a)
{
	struct py_span r = py_span_of(f, n);
	return py_oneline(r.s, r.n, max, a);
}

TSNode py_field(TSNode n, const char *field)
{
	return ts_node_child_by_field_name(n, field, (uint32_t)strlen(field));
}

/* Append the dotted form of expr to b; 0 on success, -1 when it is not a name chain. */
static int dotted(const struct py_file *f, TSNode n, struct buf *b, int depth)
{
	if (ts_node_is_null(n) || depth > 64)
		return -1;
	const char *t = ts_node_type(n);
	if (strcmp(t, "identifier") == 0) {
		uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
		buf_put(b, f->src + s, e - s);
		return 0;
	}
	if (strcmp(t, "attribute") == 0) {
		if (dotted(f, py_field(n, "object"), b, depth + 1))
			return -1;
		TSNode at = py_field(n, "attribute");
		if (ts_node_is_null(at))
			return -1;
		buf_putc(b, '.');
		uint32_t s = ts_node_start_byte(at), e = ts_node_end_byte(at);
		buf_put(b, f->src + s, e - s);
		return 0;
	}
	if (strcmp(t, "call") == 0) {
		if (dotted(f, py_field(n, "function"), b, depth + 1))
			return -1;
		buf_puts(b, "()");
		return 0;
	}
	if (strcmp(t, "parenthesized_expression") == 0 && ts_node_named_child_count(n) == 1)
		return dotted(f, ts_node_named_child(n, 0), b, depth + 1);
	return -1;
}

const char *py_dotted(const struct py_file *f, TSNode expr, struct arena *a)
{
	struct buf b = {0};
	const char *out = NULL;
	if (dotted(f, expr, &b, 0) == 0)
		out = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return out;
}

const char *py_resolve(const struct py_file *f, const char *name, struct arena *a)
{
	if (!name)
		return NULL;
	size_t best = 0;
	const struct py_import *hit = NULL;
	for (size_t i = 0; i < f->nimports; i++) {
		const char *l = f->imports[i].local;
		size_t n = strlen(l);
		if (n > best && strncmp(name, l, n) == 0 && (name[n] == '\0' || name[n] == '.' || name[n] == '(')) {
			best = n;
			hit = &f->imports[i];
		}
	}
	if (!hit)
		return name;
	return arena_printf(a, "%s%s", hit->target, name + best);
}

const char *py_call_name(const struct py_file *f, TSNode call, struct arena *a)
{
	if (!py_is(call, "call"))
		return NULL;
	return py_resolve(f, py_dotted(f, py_field(call, "function"), a), a);
}

const char *py_last(const char *d)
{
	if (!d)
		return NULL;
	const char *p = strrchr(d, '.');
	return p ? p + 1 : d;
}

static int is_scope(const char *t)
{
	return strcmp(t, "function_definition") == 0 || strcmp(t, "class_definition") == 0 ||
	       strcmp(t, "lambda") == 0;
}

TSNode py_ancestor(TSNode n, const char *const *types)
{
	TSNode p = ts_node_parent(n);
	while (!ts_node_is_null(p)) {
		const char *t = ts_node_type(p);
		for (const char *const *ty = types; *ty; ty++)
			if (strcmp(t, *ty) == 0)
				return p;
		if (is_scope(t))
			break;
		p = ts_node_parent(p);
	}
	TSNode none = {0};
	return none;
}

TSNode py_function_of(TSNode n)
{
	TSNode p = ts_node_parent(n);
	while (!ts_node_is_null(p)) {
		if (strcmp(ts_node_type(p), "function_definition") == 0)
			return p;
		p = ts_node_parent(p);
	}
	return p;
}

int py_is_async(const struct py_file *f, TSNode fn)
{
	(void)f;
	if (!py_is(fn, "function_definition") || ts_node_child_count(fn) == 0)
		return 0;
	return strcmp(ts_node_type(ts_node_child(fn, 0)), "async") == 0;
}

static int is_comprehension(const char *t)
{
	return strcmp(t, "list_comprehension") == 0 || strcmp(t, "set_comprehension") == 0 ||
	       strcmp(t, "dictionary_comprehension") == 0 || strcmp(t, "generator_expression") == 0;
}

TSNode py_loop_of(TSNode n)
{
	TSNode grand = n, child = n, p = ts_node_parent(n);
	while (!ts_node_is_null(p)) {
		const char *t = ts_node_type(p);
		if (is_scope(t))
			break;
		if (strcmp(t, "for_statement") == 0 || strcmp(t, "while_statement") == 0) {
			TSNode body = py_field(p, "body");
			if (!ts_node_is_null(body) && ts_node_eq(body, child))
				return p;
		} else if (is_comprehension(t)) {
			/*
			 * Per item: the element, the if clauses, and every for clause
			 * but the first one's iterable (which is evaluated once).
			 */
			const char *ct = ts_node_type(child);
			if (strcmp(ct, "if_clause") == 0)
				return p;
			if (strcmp(ct, "for_in_clause") == 0) {
				TSNode first = {0};
				uint32_t nc = ts_node_named_child_count(p);
				for (uint32_t i = 0; i < nc; i++)
					if (py_is(ts_node_named_child(p, i), "for_in_clause")) {
						first = ts_node_named_child(p, i);
						break;
					}
				TSNode right = py_field(child, "right");
				if (!ts_node_eq(first, child) || ts_node_is_null(right) || !ts_node_eq(right, grand))
					return p;
			} else {
				return p; /* the element (body) */
			}
		}
		grand = child;
		child = p;
		p = ts_node_parent(p);
	}
	TSNode none = {0};
	return none;
}

void py_walk(TSNode root, int (*fn)(TSNode n, void *arg), void *arg)
{
	if (ts_node_is_null(root))
		return;
	TSTreeCursor c = ts_tree_cursor_new(root);
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		int skip = fn(n, arg);
		if (!skip && ts_tree_cursor_goto_first_child(&c))
			continue;
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return;
			}
		}
	}
}

/*
 * Flatten f's tree in pre-order into nodes_/end_ with one cursor walk. On
 * out-of-memory the arrays stay empty and py_walk_file falls back.
 */
static void flatten(struct py_file *f)
{
	size_t cap = 1024, n = 0, depth = 0, dcap = 64;
	TSNode *nodes = malloc(cap * sizeof(*nodes));
	uint32_t *end = malloc(cap * sizeof(*end));
	uint32_t *open = malloc(dcap * sizeof(*open)); /* indices of the ancestors on the way down */
	if (!nodes || !end || !open)
		goto fail;
	TSTreeCursor c = ts_tree_cursor_new(f->root);
	for (;;) {
		if (n == cap || n >= UINT32_MAX - 1) {
			if (n >= UINT32_MAX - 1)
				break;
			cap *= 2;
			TSNode *nn = realloc(nodes, cap * sizeof(*nodes));
			uint32_t *ne = realloc(end, cap * sizeof(*end));
			if (nn)
				nodes = nn;
			if (ne)
				end = ne;
			if (!nn || !ne) {
				ts_tree_cursor_delete(&c);
				goto fail;
			}
		}
		nodes[n] = ts_tree_cursor_current_node(&c);
		if (depth == dcap) {
			dcap *= 2;
			uint32_t *no = realloc(open, dcap * sizeof(*open));
			if (!no) {
				ts_tree_cursor_delete(&c);
				goto fail;
			}
			open = no;
		}
		open[depth++] = (uint32_t)n;
		n++;
		if (ts_tree_cursor_goto_first_child(&c))
			continue;
		/* close this node and every ancestor that has no next sibling */
		for (;;) {
			end[open[--depth]] = (uint32_t)n;
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				f->nodes_ = nodes;
				f->end_ = end;
				f->nnodes_ = n;
				free(open);
				return;
			}
		}
	}
	ts_tree_cursor_delete(&c);
fail:
	free(nodes);
	free(end);
	free(open);
}

void py_walk_file(const struct py_file *f, TSNode root, int (*fn)(TSNode n, void *arg), void *arg)
{
	if (ts_node_is_null(root))
		return;
	if (!f->nnodes_) {
		py_walk(root, fn, arg);
		return;
	}
	/* pre-order start bytes never decrease: find the first node starting where root does */
	uint32_t start = ts_node_start_byte(root);
	size_t lo = 0, hi = f->nnodes_;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ts_node_start_byte(f->nodes_[mid]) < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo;
	while (i < f->nnodes_ && ts_node_start_byte(f->nodes_[i]) == start && !ts_node_eq(f->nodes_[i], root))
		i++;
	if (i >= f->nnodes_ || !ts_node_eq(f->nodes_[i], root)) {
		py_walk(root, fn, arg);
		return;
	}
	size_t stop = f->end_[i];
	while (i < stop) {
		if (fn(f->nodes_[i], arg))
			i = f->end_[i];
		else
			i++;
	}
}

/* ---- imports ---- */

struct imp_list {
	struct py_file *f;
	size_t cap;
};

static void add_import(struct imp_list *l, const char *local, const char *target, unsigned line)
{
	struct py_file *f = l->f;
	if (f->nimports == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		struct py_import *n = arena_alloc(&f->arena, l->cap * sizeof(*n));
		if (f->nimports)
			memcpy(n, f->imports, f->nimports * sizeof(*n));
		f->imports = n;
	}
	f->imports[f->nimports].local = local;
	f->imports[f->nimports].target = target;
	f->imports[f->nimports].line = line;
	f->nimports++;
}

/* "m.name"; a relative module written only as dots ("from . import x") joins without another dot. */
static const char *join_module(struct py_file *f, const char *m, const char *name)
{
	size_t n = strlen(m);
	return arena_printf(&f->arena, "%s%s%s", m, n && m[n - 1] == '.' ? "" : ".", name);
}

static int visit_import(TSNode n, void *arg)
{
	struct imp_list *l = arg;
	struct py_file *f = l->f;
	const char *t = ts_node_type(n);
	if (strcmp(t, "import_statement") == 0) {
		uint32_t nc = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(n, i);
			if (py_is(c, "dotted_name")) {
				/* import os.path: binds "os"; os.path.join resolves through itself */
				const char *full = py_text(f, c, &f->arena);
				add_import(l, full, full, py_line(c));
			} else if (py_is(c, "aliased_import")) {
				TSNode name = py_field(c, "name"), alias = py_field(c, "alias");
				if (!ts_node_is_null(name) && !ts_node_is_null(alias))
					add_import(l, py_text(f, alias, &f->arena), py_text(f, name, &f->arena), py_line(c));
			}
		}
		return 1;
	}
	if (strcmp(t, "import_from_statement") == 0) {
		TSNode mod = py_field(n, "module_name");
		if (ts_node_is_null(mod))
			return 1;
		const char *m = py_text(f, mod, &f->arena);
		uint32_t nc = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(n, i);
			if (ts_node_eq(c, mod))
				continue;
			if (py_is(c, "dotted_name")) {
				const char *nm = py_text(f, c, &f->arena);
				add_import(l, nm, join_module(f, m, nm), py_line(c));
			} else if (py_is(c, "aliased_import")) {
				TSNode name = py_field(c, "name"), alias = py_field(c, "alias");
				if (!ts_node_is_null(name) && !ts_node_is_null(alias))
					add_import(l, py_text(f, alias, &f->arena),
						   join_module(f, m, py_text(f, name, &f->arena)), py_line(c));
			}
		}
		return 1;
	}
	/* imports inside functions count too (a local `import requests` in a handler) */
	return 0;
}

static int find_error(TSNode n, void *arg)
{
	struct py_file *f = arg;
	if (f->has_error)
		return 1;
	if (ts_node_is_missing(n) || strcmp(ts_node_type(n), "ERROR") == 0) {
		f->has_error = 1;
		f->error_line = py_line(n);
		f->error_col = py_col(n);
		return 1;
	}
	return ts_node_has_error(n) ? 0 : 1;
}

int py_parse(const char *path, const char *src, size_t len, struct py_file *f, struct perr *e)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->src = src;
	f->len = len;
	if (len > PY_MAX_BYTES)
		return perr_set(e, "'%s': %zu bytes is too large for a Python source file", path, len);
	TSParser *p = ts_parser_new();
	if (!p || !ts_parser_set_language(p, tree_sitter_python())) {
		if (p)
			ts_parser_delete(p);
		return perr_set(e, "'%s': the Python grammar does not load into this tree-sitter runtime", path);
	}
	f->tree = ts_parser_parse_string(p, NULL, src, (uint32_t)len);
	ts_parser_delete(p);
	if (!f->tree)
		return perr_set(e, "'%s': the parser gave up", path);
	f->root = ts_tree_root_node(f->tree);
	flatten(f);
	struct imp_list l = {.f = f};
	py_walk_file(f, f->root, visit_import, &l);
	if (ts_node_has_error(f->root))
		py_walk_file(f, f->root, find_error, f);
	return 0;
}

void py_free(struct py_file *f)
{
	free(f->nodes_);
	free(f->end_);
	if (f->tree)
		ts_tree_delete(f->tree);
	arena_free(&f->arena);
	memset(f, 0, sizeof(*f));
}
