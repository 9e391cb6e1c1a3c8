/*
 * query-in-loop (high): a call that sends a database query inside a for /
 * while loop or a comprehension — one round trip per iteration where one
 * batched query (WHERE id IN (...), executemany, bulk_create) would do.
 *
 * The calls: every call that runs a query by its resolved name
 * (rules_db_runs in common.c: Model.query.get(x), .filter(...).first(),
 * .filter_by(...).one(), session.execute / scalars, cursor.execute,
 * conn.execute, Django Model.objects.get(...) / create(...) ...), plus
 * session.get(Model, key) — a bare "session.get" is as often requests'
 * Session, so it counts only with a class-like (CamelCase, not a CONSTANT)
 * first argument and a key. A chain is reported once, at its outermost
 * query call; one finding per line.
 * "Inside a loop" is per iteration, within the same function: a for or
 * while body, a comprehension's element and conditions — not the loop's
 * header (the iterable is evaluated once), and not a def or lambda inside
 * the loop (it may be called once; calls through helper functions are not
 * followed).
 *
 * Not reported:
 *   - what n-plus-one reports: a query using the loop variable of a loop
 *     over ORM results (for p in Post.query.all(): Comment.query.filter_by(
 *     post_id=p.id)) — n-plus-one owns relationship reads and per-item
 *     queries of loops over ORM results, query-in-loop every other query
 *     call in a loop;
 *   - a lazy chain (ending in filter / all / order_by ...) handed to another
 *     function — DynamicModelChoiceField(queryset=Device.objects.all()),
 *     Subquery(...) — or holding OuterRef(...): it does not run here;
 *   - reading pages: a chain with limit / offset / paginate / slice /
 *     yield_per, or SQL text with LIMIT, FETCH FIRST or OFFSET (a loop
 *     walking pages of a big result is the cure, not the disease);
 *   - a retry loop: the call inside a try whose body returns or breaks;
 *   - a different connection, model or statement per iteration: a call
 *     whose receiver (for conn in conns: conn.execute(...), for M in
 *     models: M.objects.count()) or SQL argument (for stmt in ddl:
 *     cur.execute(stmt)) is the loop's target — or, for a model named in
 *     lower case, set in the loop (model = ct.model_class());
 *   - cursor.fetchone / fetchmany (rows of one query) and the batched
 *     executemany / bulk_create themselves.
 *
 * One rules_walk per file, skipping every subtree without one of the words
 * a query call's name needs (query, objects, execute, session, fetch ...);
 * the loop test reads the walk's path, and only calls inside loops whose
 * method name could be a query's are resolved.
 */
#include "scan/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* From rules/common.c (not in rules.h yet). */
int rules_db_runs(const char *resolved);
int rules_db_kind(const char *resolved);
int rules_chain_has(const char *name, const char *method);
int rules_orm_loop(const struct py_file *f, TSNode loop, struct arena *a, TSNode *var, TSNode *srcs, size_t max,
		   size_t *n, const char **chain);
int rules_uses_name(const struct py_file *f, TSNode tree, TSNode name);
const char *rules_short_text(const struct py_file *f, TSNode n, struct arena *a, size_t max);
size_t rules_find_words(const struct py_file *f, const char *const *words, uint32_t **offs);
int rules_range_has(const uint32_t *offs, size_t n, uint32_t start, uint32_t end);
int rules_walk(TSNode root, int (*fn)(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg),
	       void *arg);

struct st {
	const struct py_file *f;
	struct scan_out *out;
	struct arena a;
	unsigned last_line;
	uint32_t *trig; /* where the words a query call needs are (rules_find_words) */
	size_t ntrig;
};

/* The words one of the calls this rule reports must contain (in its callee's name). */
static const char *const triggers[] = {"query", "objects", "_set.", "execute", "scalar", "session", "fetch",
				       "_or_404", "read_sql", "exec", "callproc", "_manager.", NULL};

static int is_t(TSNode n, const char *t)
{
	return strcmp(ts_node_type(n), t) == 0;
}

static int is_comprehension(TSNode n)
{
	return is_t(n, "list_comprehension") || is_t(n, "set_comprehension") || is_t(n, "dictionary_comprehension") ||
	       is_t(n, "generator_expression");
}

static int field_is(const char *const *fields, unsigned k, const char *name)
{
	return fields[k] && strcmp(fields[k], name) == 0;
}

/*
 * The depth on the path of the innermost loop nodes[depth] runs in per
 * iteration (see the file comment), or -1; *from starts the search below
 * that depth (for the enclosing loops).
 */
static int loop_on_path(const TSNode *nodes, const char *const *fields, unsigned depth, unsigned from)
{
	for (unsigned k = from; k-- > 0;) {
		TSNode p = nodes[k];
		const char *t = ts_node_type(p);
		if (strcmp(t, "function_definition") == 0 || strcmp(t, "lambda") == 0 ||
		    strcmp(t, "class_definition") == 0)
			return -1;
		if (strcmp(t, "for_statement") == 0 || strcmp(t, "while_statement") == 0) {
			if (field_is(fields, k + 1, "body"))
				return (int)k;
			continue;
		}
		if (is_comprehension(p)) {
			TSNode child = nodes[k + 1];
			if (!is_t(child, "for_in_clause"))
				return (int)k; /* the element or an if clause */
			/* the first for clause's iterable is evaluated once; the later ones per item */
			TSNode first = {0};
			uint32_t nc = ts_node_named_child_count(p);
			for (uint32_t i = 0; i < nc; i++)
				if (is_t(ts_node_named_child(p, i), "for_in_clause")) {
					first = ts_node_named_child(p, i);
					break;
				}
			if (!ts_node_eq(first, child) && k + 2 <= depth && field_is(fields, k + 2, "right"))
				return (int)k;
		}
	}
	return -1;
}

/* The callee's last name without allocating, into *s / *n; 0 when the callee is not a name chain. */
static int callee_last(const struct py_file *f, TSNode call, const char **s, size_t *n)
{
	TSNode fn = py_field(call, "function");
	if (py_is(fn, "attribute"))
		fn = py_field(fn, "attribute");
	if (!py_is(fn, "identifier"))
		return 0;
	*s = f->src + ts_node_start_byte(fn);
	*n = ts_node_end_byte(fn) - ts_node_start_byte(fn);
	return 1;
}

/* Method names a query call can end in (a cheap filter before resolving the name). */
static int maybe_query_method(const char *s, size_t n)
{
	static const char *const words[] = {
		"all", "first", "one", "one_or_none", "scalar", "scalars", "scalar_one", "scalar_one_or_none", "get",
		"get_or_404", "first_or_404", "one_or_404", "count", "exists", "execute", "exec", "fetch", "fetchrow",
		"fetchval", "callproc", "filter", "filter_by", "order_by", "query", "create", "get_or_create",
		"update_or_create", "update", "delete", "last", "latest", "earliest", "aggregate", "values",
		"values_list", "exclude", "in_bulk", "iterator", "raw", "annotate", "select_related",
		"prefetch_related", "only", "defer", "distinct", "options", "join", "where", "group_by", "having",
		"with_entities", "read_sql", "read_sql_query", "read_sql_table", "unique", "mappings", "fetchall",
		"fetchone", "fetchmany",
		"aget", "afirst", "alast", "acount", "aexists", "acreate", "aget_or_create", "aupdate_or_create",
		"aupdate", "adelete", "aaggregate", "ain_bulk", "get_one", NULL,
	};
	for (const char *const *w = words; *w; w++)
		if (strlen(*w) == n && memcmp(s, *w, n) == 0)
			return 1;
	return 0;
}

/* session.get(Model, key): a session receiver, a capitalised first argument, and a second one. */
static int session_get(const struct py_file *f, TSNode call, const char *name)
{
	if (!name || strcmp(py_last(name), "get") != 0)
		return 0;
	if (strncmp(name, "requests.", 9) == 0 || strncmp(name, "httpx.", 6) == 0 || strncmp(name, "aiohttp.", 8) == 0)
		return 0;
	size_t nl = strlen(name);
	const char *recv_end = name + nl - 4; /* ".get" */
	const char *recv = recv_end;
	while (recv > name && recv[-1] != '.')
		recv--;
	int sess = 0;
	for (const char *p = recv; p + 7 <= recv_end && !sess; p++)
		sess = strncasecmp(p, "session", 7) == 0;
	if (!sess)
		return 0;
	TSNode args = py_field(call, "arguments");
	if (!py_is(args, "argument_list") || ts_node_named_child_count(args) < 2)
		return 0;
	TSNode m = ts_node_named_child(args, 0);
	if (py_is(m, "attribute"))
		m = py_field(m, "attribute");
	if (!py_is(m, "identifier") || !isupper((unsigned char)f->src[ts_node_start_byte(m)]))
		return 0;
	/* a class (User), not a constant (settings.CATALOG_URL) */
	for (uint32_t i = ts_node_start_byte(m); i < ts_node_end_byte(m); i++)
		if (islower((unsigned char)f->src[i]))
			return 1;
	return 0;
}

/* The chain pages through a result (limit / offset / paginate / slice, or SQL with LIMIT / OFFSET). */
static int pages(const struct py_file *f, TSNode call, const char *name)
{
	static const char *const words[] = {"limit", "offset", "paginate", "slice", "yield_per", "fetchmany", NULL};
	for (const char *const *w = words; *w; w++)
		if (rules_chain_has(name, *w))
			return 1;
	/* SQL text in the call (its first argument, or a select(...).limit() built in it) */
	uint32_t s = ts_node_start_byte(call), e = ts_node_end_byte(call);
	static const char *const sql[] = {"LIMIT ", "limit ", "OFFSET ", "offset ", "FETCH FIRST", "fetch first",
					  ".limit(", ".offset(", NULL};
	for (const char *const *w = sql; *w; w++)
		if (memmem(f->src + s, e - s, *w, strlen(*w)))
			return 1;
	return 0;
}

/* The call sits in a try (below the loop at depth k) whose body returns or breaks: a retry loop. */
static int in_retry(const TSNode *nodes, const char *const *fields, unsigned depth, unsigned k)
{
	for (unsigned d = depth; d-- > k + 1;) {
		if (!is_t(nodes[d], "try_statement") || !field_is(fields, d + 1, "body"))
			continue;
		TSNode body = nodes[d + 1];
		uint32_t nc = ts_node_named_child_count(body);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode st = ts_node_named_child(body, i);
			if (is_t(st, "return_statement") || is_t(st, "break_statement"))
				return 1;
		}
	}
	return 0;
}

/* The SQL literal of the first argument ("..." or "..." % x or "...".format(x)) on one line, else NULL. */
static const char *sql_text(const struct py_file *f, TSNode call, struct arena *a)
{
	TSNode args = py_field(call, "arguments");
	if (!py_is(args, "argument_list") || ts_node_named_child_count(args) == 0)
		return NULL;
	TSNode s = ts_node_named_child(args, 0);
	/* "... %s" % table, "...{0}".format(x): the literal part */
	if (py_is(s, "binary_operator"))
		s = py_field(s, "left");
	else if (py_is(s, "call") && py_is(py_field(s, "function"), "attribute"))
		s = py_field(py_field(s, "function"), "object");
	if (!py_is(s, "string"))
		return NULL;
	uint32_t nc = ts_node_named_child_count(s);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(s, i);
		if (py_is(c, "string_content"))
			return rules_short_text(f, c, a, 200);
	}
	return NULL;
}

/* The loop variable and iterable of a for loop or comprehension, for "ids = [k for v in it]". */
static void loop_parts(const struct py_file *f, TSNode loop, struct arena *a, const char **var, const char **iter)
{
	*var = *iter = NULL;
	TSNode left = {0}, right = {0};
	if (is_t(loop, "for_statement")) {
		left = py_field(loop, "left");
		right = py_field(loop, "right");
	} else if (is_comprehension(loop)) {
		uint32_t nc = ts_node_named_child_count(loop);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(loop, i);
			if (is_t(c, "for_in_clause")) {
				left = py_field(c, "left");
				right = py_field(c, "right");
				break;
			}
		}
	}
	if (py_is(left, "identifier") && !ts_node_is_null(right)) {
		*var = py_text(f, left, a);
		*iter = rules_short_text(f, right, a, 60);
	}
}

/* The target of a for loop or of a comprehension's first for clause (a null node for while). */
static TSNode loop_target(TSNode loop)
{
	if (is_t(loop, "for_statement"))
		return py_field(loop, "left");
	uint32_t nc = is_comprehension(loop) ? ts_node_named_child_count(loop) : 0;
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(loop, i);
		if (is_t(c, "for_in_clause"))
			return py_field(c, "left");
	}
	return (TSNode){0};
}

/* "ids = <expr>" for key: the iterable itself when the key is the loop variable. */
static const char *ids_expr(const char *key, const char *var, const char *iter, struct arena *a)
{
	if (!var || !key)
		return "ids = [...every key the loop looks up...]";
	if (strcmp(key, var) == 0)
		return arena_printf(a, "ids = list(%s)", iter);
	return arena_printf(a, "ids = [%s for %s in %s]", key, var, iter);
}

/* The model a call's chain starts from: X of X.query / X.objects / session.get(X, ...) / select(X). */
static const char *model_of(const struct py_file *f, TSNode call, struct arena *a)
{
	TSNode e = call;
	for (int i = 0; i < 64 && !ts_node_is_null(e); i++) {
		if (py_is(e, "call")) {
			TSNode fn = py_field(e, "function"), args = py_field(e, "arguments");
			if (py_is(fn, "attribute")) {
				TSNode at = py_field(fn, "attribute");
				uint32_t s = ts_node_start_byte(at), t = ts_node_end_byte(at);
				if (((t - s == 3 && memcmp(f->src + s, "get", 3) == 0) ||
				     (t - s == 5 && memcmp(f->src + s, "query", 5) == 0)) &&
				    py_is(args, "argument_list") && ts_node_named_child_count(args) > 0 &&
				    strstr(py_text(f, py_field(fn, "object"), a), "ession")) {
					return py_text(f, ts_node_named_child(args, 0), a);
				}
				if (((t - s == 7 && (memcmp(f->src + s, "execute", 7) == 0 ||
						      memcmp(f->src + s, "scalars", 7) == 0)) ||
				     (t - s == 4 && memcmp(f->src + s, "exec", 4) == 0)) &&
				    py_is(args, "argument_list") && ts_node_named_child_count(args) > 0) {
					e = ts_node_named_child(args, 0); /* select(X).where(...) */
					continue;
				}
				e = py_field(fn, "object");
				continue;
			}
			if (py_is(fn, "identifier") && py_is(args, "argument_list") && ts_node_named_child_count(args) > 0) {
				const char *cn = py_last(py_call_name(f, e, a));
				if (cn && strcmp(cn, "select") == 0) {
					TSNode m = ts_node_named_child(args, 0);
					while (py_is(m, "attribute")) /* select(Product.qty): Product */
						m = py_field(m, "object");
					return py_is(m, "identifier") ? py_text(f, m, a) : NULL;
				}
			}
			break;
		}
		if (py_is(e, "attribute")) {
			TSNode at = py_field(e, "attribute");
			uint32_t s = ts_node_start_byte(at), t = ts_node_end_byte(at);
			if ((t - s == 5 && memcmp(f->src + s, "query", 5) == 0) ||
			    (t - s == 7 && memcmp(f->src + s, "objects", 7) == 0))
				return py_text(f, py_field(e, "object"), a);
			e = py_field(e, "object");
			continue;
		}
		break;
	}
	return NULL;
}

struct key_acc {
	const struct py_file *f;
	struct arena *a;
	const char *field, *key;
};

static int key_visit(TSNode x, void *arg)
{
	struct key_acc *k = arg;
	if (k->key)
		return 1;
	if (py_is(x, "keyword_argument")) {
		TSNode v = py_field(x, "value");
		if (!ts_node_is_null(v)) {
			k->field = py_text(k->f, py_field(x, "name"), k->a);
			k->key = rules_short_text(k->f, v, k->a, 60);
		}
		return 1;
	}
	if (py_is(x, "comparison_operator") && ts_node_named_child_count(x) == 2 && ts_node_child_count(x) == 3 &&
	    strcmp(ts_node_type(ts_node_child(x, 1)), "==") == 0) {
		TSNode l = ts_node_named_child(x, 0), r = ts_node_named_child(x, 1);
		if (py_is(l, "attribute")) {
			k->field = py_text(k->f, py_field(l, "attribute"), k->a);
			k->key = rules_short_text(k->f, r, k->a, 60);
		}
		return 1;
	}
	return 0;
}

/*
 * The key a lookup call is made by: the field and value text of the first
 * keyword argument (filter_by(username=name), get(pk=i)) or `X.f == v`
 * comparison (filter(U.email == e), where(...)) inside the call.
 */
static int lookup_key(const struct py_file *f, TSNode call, struct arena *a, const char **field, const char **key)
{
	struct key_acc k = {f, a, NULL, NULL};
	py_walk(call, key_visit, &k);
	*field = k.field;
	*key = k.key;
	return k.key != NULL;
}

struct dep_acc {
	const struct py_file *f;
	TSNode call;
	int found;
	long budget; /* nodes left to visit: a huge loop body is not walked whole per call */
};

/* Any identifier in the binding target t that the call reads. */
static int target_visit(TSNode n, void *arg)
{
	struct dep_acc *x = arg;
	if (x->found)
		return 1;
	if (py_is(n, "attribute") || py_is(n, "subscript"))
		return 1; /* p.x = ..., d[k] = ...: not a name bound */
	if (py_is(n, "identifier") && rules_uses_name(x->f, x->call, n))
		x->found = 1;
	return 0;
}

static int binding_visit(TSNode n, void *arg)
{
	struct dep_acc *x = arg;
	if (x->found || x->budget-- <= 0)
		return 1;
	TSNode t = {0};
	if (py_is(n, "assignment") || py_is(n, "augmented_assignment") || py_is(n, "for_statement") ||
	    py_is(n, "for_in_clause"))
		t = py_field(n, "left");
	else if (py_is(n, "named_expression"))
		t = py_field(n, "name");
	else if (py_is(n, "as_pattern_target"))
		t = n;
	if (!ts_node_is_null(t))
		py_walk(t, target_visit, x);
	return 0;
}

/*
 * 1 when the call reads a name the loop binds: its target, or anything
 * assigned in it (rtuple = (rel[0], ...) then execute(sql, rtuple)) — so
 * the query may differ per iteration; 0 when it is the same query each
 * time; -1 when the loop is too big to tell (more than 20000 nodes looked
 * at: the cost stays linear in the loop per reported call).
 */
static int depends_on_loop(const struct py_file *f, TSNode call, TSNode loop)
{
	struct dep_acc x = {f, call, 0, 20000};
	py_walk(loop, binding_visit, &x);
	return x.found ? 1 : x.budget < 0 ? -1 : 0;
}

/* The identifier id is bound by the target of one of the loops enclosing nodes[depth]. */
static int loop_bound(const struct py_file *f, const TSNode *nodes, const char *const *fields, unsigned depth,
		      TSNode id)
{
	unsigned from = depth;
	for (int guard = 0; guard < 64; guard++) {
		int k = loop_on_path(nodes, fields, depth, from);
		if (k < 0)
			return 0;
		TSNode loop = nodes[k];
		if (is_t(loop, "for_statement")) {
			if (rules_uses_name(f, py_field(loop, "left"), id))
				return 1;
		} else if (is_comprehension(loop)) {
			uint32_t nc = ts_node_named_child_count(loop);
			for (uint32_t i = 0; i < nc; i++) {
				TSNode c = ts_node_named_child(loop, i);
				if (is_t(c, "for_in_clause") && rules_uses_name(f, py_field(c, "left"), id))
					return 1;
			}
		}
		from = (unsigned)k;
	}
	return 0;
}

/*
 * A different connection or statement each iteration — for conn in
 * connections: conn.execute(...), for stmt in ddl: cur.execute(stmt) —
 * for MC in models: MC.objects.all() — is not one query repeated: the
 * receiver's root (a cursor or session, or a capitalised model class) or
 * the SQL argument is bound by an enclosing loop. Django's
 * a.book_set.all() over a list of authors is a query per item: reported.
 */
static int varies_per_item(const struct py_file *f, const TSNode *nodes, const char *const *fields, unsigned depth,
			   int kind)
{
	TSNode call = nodes[depth];
	TSNode e = call, prev = {0};
	TSNode ex = (TSNode){0};
	for (int i = 0; i < 64; i++) {
		if (py_is(e, "call")) {
			TSNode fn = py_field(e, "function");
			if (py_is(fn, "attribute")) {
				TSNode at = py_field(fn, "attribute");
				uint32_t as = ts_node_start_byte(at), ae = ts_node_end_byte(at);
				if (ae - as >= 4 && memcmp(f->src + as, "exec", 4) == 0)
					ex = e;
			}
			e = fn;
		} else if (py_is(e, "attribute")) {
			prev = e;
			e = py_field(e, "object");
		} else {
			break;
		}
	}
	if (!py_is(e, "identifier"))
		return 0;
	if (kind == 'q' || kind == 'd') {
		/*
		 * the model itself changes: for M in models: M.objects.count(), or
		 * model = ct.model_class() in the loop, then model.objects.filter(...)
		 */
		if (ts_node_is_null(prev))
			return 0;
		TSNode at = py_field(prev, "attribute");
		uint32_t as = ts_node_start_byte(at), ae = ts_node_end_byte(at);
		const char *an = f->src + as;
		size_t al = ae - as;
		if (!((al == 7 && memcmp(an, "objects", 7) == 0) || (al == 5 && memcmp(an, "query", 5) == 0) ||
		      (al == 16 && memcmp(an, "_default_manager", 16) == 0) ||
		      (al == 13 && memcmp(an, "_base_manager", 13) == 0)))
			return 0;
		/* a class name (Profile) is only rebound as a loop target; model / x_model may be assigned in it */
		if (isupper((unsigned char)f->src[ts_node_start_byte(e)]))
			return loop_bound(f, nodes, fields, depth, e);
		int k = loop_on_path(nodes, fields, depth, depth);
		return k >= 0 && depends_on_loop(f, e, nodes[k]) == 1;
	}
	if (kind != 'c' && kind != 's')
		return 0;
	if (loop_bound(f, nodes, fields, depth, e))
		return 1;
	if (!ts_node_is_null(ex)) {
		TSNode args = py_field(ex, "arguments");
		if (py_is(args, "argument_list") && ts_node_named_child_count(args) > 0) {
			TSNode a0 = ts_node_named_child(args, 0);
			if (py_is(a0, "identifier") && loop_bound(f, nodes, fields, depth, a0))
				return 1;
		}
	}
	return 0;
}

/* A chain with OuterRef(...) is a correlated subquery, run inside another query. */
static int in_text_outerref(const struct py_file *f, TSNode n)
{
	uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
	return b > a && memmem(f->src + a, b - a, "OuterRef(", 9) != NULL;
}

/* A query-building method: the chain has not run when it ends in one. */
static int lazy_last(const char *name)
{
	static const char *const words[] = {
		"all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate", "only",
		"defer", "distinct", "using", "reverse", "values", "values_list", "alias", "extra", "filter_by",
		"options", "join", "outerjoin", "where", "group_by", "having", "with_entities", "select_from",
		"add_columns", "query", NULL,
	};
	const char *l = py_last(name);
	for (const char *const *w = words; *w; w++)
		if (strcmp(l, *w) == 0)
			return 1;
	return 0;
}

/*
 * The value at nodes[depth] is handed to another function (directly, or in
 * a dict / list / tuple literal) that is not one that consumes it here
 * (list, len, sorted ...): DynamicModelChoiceField(queryset=Device.objects.all()),
 * Subquery(qs) — a lazy chain there is not run by this line.
 */
static int passed_along(const struct py_file *f, const TSNode *nodes, unsigned depth)
{
	for (unsigned k = depth; k-- > 0;) {
		TSNode p = nodes[k];
		const char *t = ts_node_type(p);
		if (strcmp(t, "keyword_argument") == 0 || strcmp(t, "pair") == 0 || strcmp(t, "dictionary") == 0 ||
		    strcmp(t, "list") == 0 || strcmp(t, "tuple") == 0 || strcmp(t, "parenthesized_expression") == 0)
			continue;
		if (strcmp(t, "argument_list") == 0 && k >= 1 && is_t(nodes[k - 1], "call")) {
			const char *ln;
			size_t n;
			static const char *const sinks[] = {"list", "tuple", "set", "sorted", "len", "sum", "any", "all",
							    "next", "bool", "dict", "max", "min", "enumerate", "zip", NULL};
			if (!callee_last(f, nodes[k - 1], &ln, &n))
				return 1;
			for (const char *const *w = sinks; *w; w++)
				if (strlen(*w) == n && memcmp(ln, *w, n) == 0)
					return 0;
			return 1;
		}
		return 0;
	}
	return 0;
}

/* n-plus-one's: a loop over ORM rows on the path whose variable the call uses. */
static int owned_by_n_plus_one(struct st *s, const TSNode *nodes, const char *const *fields, unsigned depth)
{
	TSNode call = nodes[depth];
	unsigned from = depth;
	for (int guard = 0; guard < 64; guard++) {
		int k = loop_on_path(nodes, fields, depth, from);
		if (k < 0)
			return 0;
		TSNode target = loop_target(nodes[k]);
		struct dep_acc x = {s->f, call, 0, 1000};
		if (!ts_node_is_null(target))
			py_walk(target, target_visit, &x);
		/* classify the loop only when the call reads its target (the cheap test first) */
		if (x.found) {
			TSNode var, srcs[4];
			size_t n;
			const char *chain;
			if (rules_orm_loop(s->f, nodes[k], &s->a, &var, srcs, 4, &n, &chain) &&
					   rules_uses_name(s->f, call, var))
				return 1;
		}
		from = (unsigned)k;
	}
	return 0;
}

/* The fix: the batched form of the call, as code where the call is simple enough to rewrite. */
static const char *make_fix(struct st *s, TSNode call, const char *name, TSNode loop)
{
	const struct py_file *f = s->f;
	struct arena *a = &s->a;
	const char *var, *iter;
	loop_parts(f, loop, a, &var, &iter);
	int kind = rules_db_kind(name);
	const char *last = py_last(name);
	/* the same query every iteration: hoist it */
	if (depends_on_loop(f, call, loop) == 0)
		return arena_printf(a,
				    "it reads no name the loop sets: if its rows do not change inside the loop, run it "
				    "once before the loop (x = %s) and use x inside",
				    rules_short_text(f, call, a, 80));
	const char *model = model_of(f, call, a);
	TSNode args = py_field(call, "arguments");
	TSNode a0 = {0}, a1 = {0};
	if (py_is(args, "argument_list")) {
		uint32_t na = ts_node_named_child_count(args);
		if (na > 0)
			a0 = ts_node_named_child(args, 0);
		if (na > 1)
			a1 = ts_node_named_child(args, 1);
	}
	/* Model.query.get(k) / get_or_404(k) / session.get(Model, k) */
	if (model && (strcmp(last, "get") == 0 || strcmp(last, "get_or_404") == 0) && kind != 'd') {
		TSNode k = kind == 'q' ? a0 : a1;
		const char *key = ts_node_is_null(k) ? NULL : rules_short_text(f, k, a, 60);
		const char *ids = ids_expr(key, var, iter, a);
		if (kind == 'q')
			return arena_printf(a, "%s; rows = {r.id: r for r in %s.query.filter(%s.id.in_(ids))} before the loop, "
					       "then rows.get(%s)",
					    ids, model, model, key ? key : "key");
		return arena_printf(a,
				    "%s; rows = {r.id: r for r in session.scalars(select(%s).where(%s.id.in_(ids)))} "
				    "before the loop, then rows.get(%s)",
				    ids, model, model, key ? key : "key");
	}
	/* Django */
	if (kind == 'd' && model) {
		if (strcmp(last, "create") == 0 || strcmp(last, "acreate") == 0)
			return arena_printf(a, "%s.objects.bulk_create([%s(...) for ...]) after the loop, with the rows "
					       "collected in a list",
					    model, model);
		const char *fld, *key;
		if (lookup_key(f, call, a, &fld, &key)) {
			const char *ids = ids_expr(key, var, iter, a);
			if (strcmp(last, "count") == 0)
				return arena_printf(a,
						    "%s; counts = dict(%s.objects.filter(%s__in=ids).values_list(\"%s\")"
						    ".annotate(Count(\"pk\"))) before the loop, then counts.get(%s, 0)",
						    ids, model, fld, fld, key);
			if (strstr(fld, "__"))
				return arena_printf(a,
						    "%s; rows = %s.objects.filter(%s__in=ids) before the loop, grouped by %s "
						    "in a dict, then a dict lookup per %s",
						    ids, model, fld, fld, key);
			if (strcmp(fld, "pk") == 0 || strcmp(fld, "id") == 0)
				return arena_printf(a, "%s; rows = %s.objects.in_bulk(ids) before the loop, then rows.get(%s)",
						    ids, model, key);
			return arena_printf(a,
					    "%s; rows = {r.%s: r for r in %s.objects.filter(%s__in=ids)} before the loop, "
					    "then rows.get(%s)",
					    ids, fld, model, fld, key);
		}
		return arena_printf(a, "one %s.objects.filter(<field>__in=ids) query before the loop, then a dict lookup",
				    model);
	}
	/* Model.query.filter_by(f=k).first() / .filter(Model.f == k).one(); session.query / select() forms */
	if ((kind == 'q' || kind == 's') && model) {
		const char *fld, *key;
		if (lookup_key(f, call, a, &fld, &key)) {
			const char *ids = ids_expr(key, var, iter, a);
			if (strcmp(last, "count") == 0)
				return arena_printf(a,
						    "%s; counts = dict(db.session.query(%s.%s, func.count()).filter(%s.%s.in_(ids))"
						    ".group_by(%s.%s).all()) before the loop, then counts.get(%s, 0)",
						    ids, model, fld, model, fld, model, fld, key);
			if (kind == 'q')
				return arena_printf(a,
						    "%s; rows = {r.%s: r for r in %s.query.filter(%s.%s.in_(ids))} before "
						    "the loop, then rows.get(%s)",
						    ids, fld, model, model, fld, key);
			return arena_printf(a,
					    "%s; rows = {r.%s: r for r in session.scalars(select(%s).where(%s.%s.in_(ids)))} "
					    "before the loop, then rows.get(%s)",
					    ids, fld, model, model, fld, key);
		}
		if (kind == 'q')
			return arena_printf(a,
					    "one %s.query.filter(%s.<key>.in_(ids)).all() before the loop, then a dict lookup",
					    model, model);
	}
	/* DB-API and session.execute with SQL text: the execute call of the chain (cur.execute(...).fetchall()) */
	TSNode ex = call;
	for (int i = 0; i < 32 && py_is(ex, "call"); i++) {
		TSNode fn = py_field(ex, "function");
		if (!py_is(fn, "attribute"))
			break;
		const char *m = py_text(f, py_field(fn, "attribute"), a);
		if (!strcmp(m, "execute") || !strcmp(m, "fetch") || !strcmp(m, "fetchrow") || !strcmp(m, "fetchval") ||
		    !strcmp(m, "exec"))
			break;
		ex = py_field(fn, "object");
	}
	if (!py_is(ex, "call") || !py_is(py_field(ex, "function"), "attribute"))
		ex = call;
	/* SQL rewriting is for cursors and sessions (pandas.read_sql and others get the general advice) */
	const char *sql = kind == 'c' || kind == 's' ? sql_text(f, ex, a) : NULL;
	const char *recv = "cursor";
	if (py_is(py_field(ex, "function"), "attribute"))
		recv = rules_short_text(f, py_field(py_field(ex, "function"), "object"), a, 40);
	a1 = (TSNode){0};
	TSNode eargs = py_field(ex, "arguments");
	if (py_is(eargs, "argument_list") && ts_node_named_child_count(eargs) > 1)
		a1 = ts_node_named_child(eargs, 1);
	/* the SQL argument as written ("..." % table included), and whether it is a plain literal */
	const char *sqlarg = NULL;
	int plain = 0;
	if (py_is(eargs, "argument_list") && ts_node_named_child_count(eargs) > 0) {
		TSNode s0 = ts_node_named_child(eargs, 0);
		sqlarg = rules_short_text(f, s0, a, 200);
		plain = py_is(s0, "string");
	}
	if (sql) {
		const char *p = sql;
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '(')
			p++;
		if ((!strncasecmp(p, "insert", 6) || !strncasecmp(p, "update", 6) || !strncasecmp(p, "delete", 6) ||
		     !strncasecmp(p, "replace", 7)) &&
		    !ts_node_is_null(a1)) {
			const char *params = rules_short_text(f, a1, a, 60);
			if (var && strcmp(params, var) == 0 && is_t(loop, "for_statement"))
				return arena_printf(a, "%s.executemany(%s, %s) instead of the loop", recv, sqlarg, iter);
			if (var && rules_uses_name(f, a1, loop_target(loop)))
				return arena_printf(a, "%s.executemany(%s, [%s for %s in %s]) instead of the loop", recv,
						    sqlarg, params, var, iter);
			return arena_printf(a, "rows.append(%s) in the loop, then %s.executemany(%s, rows) once after it",
					    params, recv, sqlarg);
		}
		/* SELECT ... WHERE col = %s / ? / $1 -> one query over the whole list */
		static const char *const phs[] = {"= %s", "=%s", "= ?", "=?", "= $1", "=$1", NULL};
		const char *ph = NULL, *which = NULL;
		for (const char *const *x = phs; *x && !ph; x++)
			if ((ph = strstr(sql, *x)) != NULL)
				which = *x;
		if (ph && plain) {
			int pre = (int)(ph - sql);
			const char *after = ph + strlen(which);
			const char *key = ts_node_is_null(a1) ? NULL : rules_short_text(f, a1, a, 60);
			/* (uid,) / [uid] -> uid */
			if (key && (key[0] == '(' || key[0] == '[')) {
				size_t kl = strlen(key);
				const char *k2 = arena_strndup(a, key + 1, kl >= 2 ? kl - 2 : 0);
				size_t l2 = strlen(k2);
				if (l2 && k2[l2 - 1] == ',')
					k2 = arena_strndup(a, k2, l2 - 1);
				if (!strchr(k2, ','))
					key = k2;
			}
			const char *ids = ids_expr(key, var, iter, a);
			const char *cur = recv;
			if (strchr(which, '?'))
				return arena_printf(a,
						    "%s; %s.execute(\"%.*sIN (%%s)%s\" %% \",\".join(\"?\" * len(ids)), ids) "
						    "before the loop, then a dict of the rows by key",
						    ids, cur, pre, sql, after);
			if (strchr(which, '$'))
				return arena_printf(a,
						    "%s; await %s.fetch(\"%.*s= ANY($1)%s\", ids) before the loop, then a "
						    "dict of the rows by key",
						    ids, recv, pre, sql, after);
			return arena_printf(a,
					    "%s; %s.execute(\"%.*s= ANY(%%s)%s\", (ids,)) before the loop (MySQL drivers: "
					    "IN %%s with tuple(ids)), then a dict of the rows by key",
					    ids, cur, pre, sql, after);
		}
	}
	if (kind == 's')
		return "one statement for every item before the loop — select(...).where(<key>.in_(ids)) — then a dict "
		       "lookup; for writes, session.execute(insert(...), [rows]) with a list of parameter rows";
	return "one query for every item before the loop (WHERE <key> IN (...) of the keys the loop needs), then a "
	       "dict lookup; for writes, executemany()";
}

/* What the loop is called in messages. */
static const char *loop_word(TSNode loop)
{
	if (is_t(loop, "for_statement"))
		return "for loop";
	if (is_t(loop, "while_statement"))
		return "while loop";
	if (is_t(loop, "generator_expression"))
		return "generator expression";
	return "comprehension";
}

static int visit(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg)
{
	struct st *s = arg;
	TSNode n = nodes[depth];
	/* nothing below holds a query call's name: skip the subtree */
	if (!rules_range_has(s->trig, s->ntrig, ts_node_start_byte(n), ts_node_end_byte(n)))
		return 1;
	if (!ts_node_is_named(n) || !is_t(n, "call"))
		return 0;
	const struct py_file *f = s->f;
	const char *ln;
	size_t ll;
	if (!callee_last(f, n, &ln, &ll) || !maybe_query_method(ln, ll))
		return 0;
	int k = loop_on_path(nodes, fields, depth, depth);
	if (k < 0)
		return 0;
	const char *name = py_call_name(f, n, &s->a);
	if (!name)
		return 0;
	int runs = rules_db_runs(name) || session_get(f, n, name);
	if (!runs)
		return 0;
	/* the outer call of a chain that goes on as a query was judged before this one */
	if (depth >= 2 && field_is(fields, depth, "object") && is_t(nodes[depth - 1], "attribute") &&
	    field_is(fields, depth - 1, "function") && is_t(nodes[depth - 2], "call")) {
		const char *outer = py_call_name(f, nodes[depth - 2], &s->a);
		if (outer && scan_is_db_call(outer))
			return 0;
	}
	if (lazy_last(name) && (passed_along(f, nodes, depth) || in_text_outerref(f, n)))
		return 0;
	if (pages(f, n, name) || in_retry(nodes, fields, depth, (unsigned)k) ||
	    varies_per_item(f, nodes, fields, depth, rules_db_kind(name)) || owned_by_n_plus_one(s, nodes, fields, depth))
		return 0;
	unsigned line = py_line(n);
	if (line == s->last_line)
		return 0;
	s->last_line = line;
	TSNode loop = nodes[k];
	const char *fix = make_fix(s, n, name, loop);
	scan_emit(s->out, f, "query-in-loop", n,
		  arena_printf(&s->a, "%s runs one query per iteration of the %s at line %u",
			       rules_short_text(f, n, &s->a, 80), loop_word(loop), py_line(loop)),
		  fix, 0);
	return 0;
}

static void check(const struct py_file *f, struct scan_out *out)
{
	struct st s;
	memset(&s, 0, sizeof(s));
	s.f = f;
	s.out = out;
	s.ntrig = rules_find_words(f, triggers, &s.trig);
	if (s.ntrig)
		rules_walk(f->root, visit, &s);
	free(s.trig);
	arena_free(&s.a);
}

const struct scan_rule scan_rule_query_in_loop = {
	.name = "query-in-loop",
	.severity = PA_SEV_HIGH,
	.summary = "a database query runs on every iteration of a loop instead of once for all items",
	.check = check,
	.collect = NULL,
	.finish = NULL,
};
