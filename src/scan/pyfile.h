/*
 * pyfile: one Python file as the scan rules see it — its tree-sitter
 * syntax tree (tree-sitter-python 0.23.6) and the names its imports bind,
 * so a rule can ask "what does this call resolve to" through aliases:
 *
 *   import requests as r        r.get(...)        -> "requests.get"
 *   from time import sleep as zz  zz(1)          -> "time.sleep"
 *   from sqlalchemy import select  select(User)  -> "sqlalchemy.select"
 *
 * A file that parses with errors still has a tree (tree-sitter recovers);
 * has_error and the first error's position say so, and the rules run on
 * what parsed.
 *
 * Node helpers take and return TSNode by value (tree-sitter's own style);
 * strings they return live in the arena given (or the file's own).
 */
#ifndef PA_SCAN_PYFILE_H
#define PA_SCAN_PYFILE_H

#include <stddef.h>
#include <tree_sitter/api.h>

#include "../core/arena.h"
#include "../core/err.h"

struct py_import {
	const char *local;  /* the name bound in the module: "r", "zz", "os.path" (import os.path binds "os") */
	const char *target; /* what it stands for: "requests", "time.sleep", "os.path" */
	unsigned line;
};

struct py_file {
	const char *path;
	const char *src; /* the file's bytes (owned by the caller, alive as long as this) */
	size_t len;
	TSTree *tree;
	TSNode root;
	struct py_import *imports;
	size_t nimports;
	int has_error;
	unsigned error_line, error_col; /* the first ERROR or MISSING node, 1-based */
	struct arena arena;
	/*
	 * The tree flattened once in pre-order, for py_walk_file: nodes_[i] and
	 * the index just past its subtree, end_[i]. Walking this array costs a
	 * fraction of walking the tree with a cursor, and every rule walks.
	 */
	TSNode *nodes_;
	uint32_t *end_;
	size_t nnodes_;
};

/* The tree-sitter-python language (from the fetched grammar's parser.c). */
const TSLanguage *tree_sitter_python(void);

/*
 * Parse src[0..len) as Python. Returns 0 (also when the file has syntax
 * errors: see has_error), or -1 with e set when the text cannot be parsed
 * at all (too large, or the parser could not be made). py_free() in both cases.
 */
int py_parse(const char *path, const char *src, size_t len, struct py_file *f, struct perr *e);
void py_free(struct py_file *f);

/* 1-based line and column of a node's start. */
unsigned py_line(TSNode n);
unsigned py_col(TSNode n);

/* 1 when n is of the named type ("call", "for_statement", ...). */
int py_is(TSNode n, const char *type);

/* The node's source text, copied into a (NUL-terminated). */
const char *py_text(const struct py_file *f, TSNode n, struct arena *a);

/* A span of the source: a node's bytes without a copy. */
struct py_span {
	const char *s;
	uint32_t n;
};

/* The bytes of node n of f. */
struct py_span py_span_of(const struct py_file *f, TSNode n);
/* Equal bytes; a span equal to the string lit; a span equal to one of the NULL-terminated words. */
int py_span_eq(struct py_span a, struct py_span b);
int py_span_is(struct py_span a, const char *lit);
int py_span_in(struct py_span a, const char *const *words);
/* FNV-1a of s[0..n): for the rules' name tables. */
uint64_t py_hash(const char *s, size_t n);

/*
 * s[0..n) on one line for a message: runs of white space (and a backslash
 * continuing a line) squeezed to one space, at most max bytes, "..."
 * appended when cut; in a.
 */
const char *py_oneline(const char *s, size_t n, size_t max, struct arena *a);
/* The same of node n's text. */
const char *py_text_oneline(const struct py_file *f, TSNode n, size_t max, struct arena *a);

/* A field child ("function", "body", "left", ...), or a null node (ts_node_is_null). */
TSNode py_field(TSNode n, const char *field);

/*
 * The dotted name of an expression made of identifiers and attributes
 * ("self.session.query"), with a call in the chain written "name()"
 * ("session.query().filter().all"); NULL for anything else (a subscript, a
 * literal, a lambda).
 */
const char *py_dotted(const struct py_file *f, TSNode expr, struct arena *a);

/*
 * dotted with its first component replaced by what the imports bind it
 * to: "r.get" -> "requests.get", "zz" -> "time.sleep"; names no import
 * binds come back unchanged. Longer import names match first
 * ("import os.path" binds "os.path.join").
 */
const char *py_resolve(const struct py_file *f, const char *dotted, struct arena *a);

/* The resolved dotted name of a call's callee (py_resolve of py_dotted), or NULL. */
const char *py_call_name(const struct py_file *f, TSNode call, struct arena *a);

/* The last component of a dotted name: "session.query().all" -> "all". */
const char *py_last(const char *dotted);

/*
 * The nearest ancestor of n (not n itself) whose type is one of types
 * (NULL-terminated), stopping at a function or class boundary unless that
 * boundary is one of the types. A null node when there is none.
 */
TSNode py_ancestor(TSNode n, const char *const *types);

/* The function (def or async def) n is in, or a null node at module level. */
TSNode py_function_of(TSNode n);
/* 1 when fn (a function_definition) is "async def". */
int py_is_async(const struct py_file *f, TSNode fn);

/*
 * The innermost loop n is in within its own function — a for or while
 * statement (n inside its body, not its header) or a comprehension /
 * generator expression (n in its element, not in its first iterable) —
 * or a null node.
 */
TSNode py_loop_of(TSNode n);

/*
 * Visit every node of the tree in document order (pre-order), calling
 * fn(node, arg); fn returns 0 to go on, 1 to skip the node's children.
 */
void py_walk(TSNode root, int (*fn)(TSNode n, void *arg), void *arg);

/*
 * The same over root (any node of f's tree) using f's flattened tree:
 * several times faster than a cursor walk. Falls back to py_walk for a
 * node it cannot place.
 */
void py_walk_file(const struct py_file *f, TSNode root, int (*fn)(TSNode n, void *arg), void *arg);

#endif
