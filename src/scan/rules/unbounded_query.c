/*
 * unbounded-query (medium): a request handler that loads every row a query
 * matches — fine with ten rows in development, a slow page and a memory
 * spike with a million in production. The fix is a page: .limit() /
 * .paginate() / a slice / Django's Paginator.
 *
 * A request handler is a function
 *   - decorated as a route: @app.route / @bp.route / @app.get / @router.post
 *     / @api.api_route ... (an attribute decorator whose last name is route,
 *     api_route, get, post, put, patch or delete), or @api_view /
 *     @require_GET / @require_POST / @require_http_methods / @require_safe;
 *   - a Django-style view: its first parameter (after self / cls) is
 *     named request;
 *   - a get / post / put / patch / delete / list / retrieve method of a
 *     class whose bases name a View, ViewSet, Resource or Handler
 *     (MethodView, APIView, flask-restful, tornado).
 * Not a handler: CLI commands, tasks, helpers, a get_queryset method (DRF
 * and Django's list views page what it returns), a function nested in a
 * handler.
 *
 * SQLAlchemy: a call ending in .all() whose chain (followed back through the
 * variables it was built in, rules_query_chain) is a Model.query or session
 * query — X.query.filter_by(id=x).all() included, since filter_by may
 * match many rows — and is not bounded: no limit / paginate / slice /
 * first / get / one / fetch in the chain or in the statement passed to
 * session.scalars / execute, no "LIMIT" in its SQL text, no X.id.in_(...)
 * (one row per key of a list the code already holds), and for a chain
 * through variables no .limit( / .paginate( / .slice( anywhere in the
 * handler before it (a conditional `if n: q = q.limit(n)` counts as bound).
 *
 * Django: a queryset chain ending lazily (all / filter / exclude / order_by
 * / select_related / values ... — not get / first / count / exists /
 * aggregate) that is consumed whole in the handler: passed to list() /
 * tuple() / sorted() / set() / len(), to JsonResponse / render /
 * TemplateResponse / a *Serializer / serialize(), iterated by a for or a
 * comprehension, or returned — either directly or through a variable
 * assigned from it (reported at the query, once). Not when it is sliced
 * (qs[:50]), filtered by pk__in= / id__in= (bounded by a list already in
 * hand) or passed to Paginator, nor, for a variable, when the handler
 * mentions Paginator / paginate at all, nor under a decorator whose name
 * contains "paginate" (django-ninja's @paginate).
 *
 * One rules_walk per file, skipping functions and classes without ".all()",
 * ".objects", "_set" or "_manager" (files without them are not walked).
 */
#include "scan/rules.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* From rules/common.c (not in rules.h yet). */
int rules_db_kind(const char *resolved);
int rules_chain_has(const char *name, const char *method);
const char *rules_query_chain(const struct py_file *f, TSNode expr, struct arena *a, TSNode *srcs, size_t max,
			      size_t *n);
const char *rules_short_text(const struct py_file *f, TSNode n, struct arena *a, size_t max);
size_t rules_find_words(const struct py_file *f, const char *const *words, uint32_t **offs);
int rules_range_has(const uint32_t *offs, size_t n, uint32_t start, uint32_t end);
int rules_walk(TSNode root, int (*fn)(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg),
	       void *arg);

#define NSRC 6

struct fn_frame {
	unsigned depth;
	TSNode fn;
	int handler;   /* 1 when fn is a request handler */
	int paginates; /* its decorators or body mention pagination */
};

struct st {
	const struct py_file *f;
	uint32_t *trig; /* where the trigger words are (rules_find_words) */
	size_t ntrig;
	struct scan_out *out;
	struct arena a;
	struct fn_frame fns[64];
	size_t nfns;
	uint32_t *reported; /* start bytes of the query origins reported (Django, through variables) */
	size_t nreported, capreported;
};

/* The words an unbounded query needs (.all() or a Django manager): functions and classes without one are skipped. */
static const char *const triggers[] = {"all()", ".objects.", "_set.", "_manager.", NULL};

static int is_t(TSNode n, const char *t)
{
	return strcmp(ts_node_type(n), t) == 0;
}

static int field_is(const char *const *fields, unsigned k, const char *name)
{
	return fields[k] && strcmp(fields[k], name) == 0;
}

static int text_is(const struct py_file *f, TSNode n, const char *w)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t wl = strlen(w);
	return e - s == wl && memcmp(f->src + s, w, wl) == 0;
}

static int in_text(const struct py_file *f, uint32_t s, uint32_t e, const char *w)
{
	return e > s && memmem(f->src + s, e - s, w, strlen(w)) != NULL;
}

static int word_in(const char *s, size_t n, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (strlen(*w) == n && memcmp(s, *w, n) == 0)
			return 1;
	return 0;
}

/* The last name of an expression (call -> its callee) without allocating; 0 when none. */
static int last_name(const struct py_file *f, TSNode e, const char **s, size_t *n)
{
	if (py_is(e, "call"))
		e = py_field(e, "function");
	if (py_is(e, "attribute"))
		e = py_field(e, "attribute");
	if (!py_is(e, "identifier"))
		return 0;
	*s = f->src + ts_node_start_byte(e);
	*n = ts_node_end_byte(e) - ts_node_start_byte(e);
	return 1;
}

/*
 * 1 when fn (a function_definition at nodes[depth]) is a request handler
 * (see the file comment); *paginates is set when a decorator's text
 * mentions paginate.
 */
static int handler_of(const struct py_file *f, const TSNode *nodes, unsigned depth, int *paginates)
{
	TSNode fn = nodes[depth];
	*paginates = 0;
	int route = 0;
	if (depth >= 1 && is_t(nodes[depth - 1], "decorated_definition")) {
		TSNode dd = nodes[depth - 1];
		uint32_t nc = ts_node_named_child_count(dd);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode d = ts_node_named_child(dd, i);
			if (!is_t(d, "decorator") || ts_node_named_child_count(d) == 0)
				continue;
			if (in_text(f, ts_node_start_byte(d), ts_node_end_byte(d), "paginate"))
				*paginates = 1;
			TSNode e = ts_node_named_child(d, 0);
			TSNode callee = py_is(e, "call") ? py_field(e, "function") : e;
			const char *s;
			size_t n;
			if (!last_name(f, callee, &s, &n))
				continue;
			static const char *const verbs[] = {"route", "api_route", "get", "post", "put", "patch", "delete",
							    NULL};
			static const char *const views[] = {"api_view", "require_GET", "require_POST",
							    "require_http_methods", "require_safe", NULL};
			if ((py_is(callee, "attribute") && word_in(s, n, verbs)) || word_in(s, n, views))
				route = 1;
		}
	}
	if (route)
		return 1;
	/* DRF / Django list views page what get_queryset returns */
	TSNode fname = py_field(fn, "name");
	if (text_is(f, fname, "get_queryset"))
		return 0;
	/* request as the first parameter (after self / cls) */
	TSNode params = py_field(fn, "parameters");
	uint32_t np = py_is(params, "parameters") ? ts_node_named_child_count(params) : 0;
	for (uint32_t i = 0; i < np && i < 2; i++) {
		TSNode p = ts_node_named_child(params, i);
		if (py_is(p, "typed_parameter") && ts_node_named_child_count(p) > 0)
			p = ts_node_named_child(p, 0);
		if (!py_is(p, "identifier"))
			break;
		if (text_is(f, p, "request"))
			return 1;
		if (!(i == 0 && (text_is(f, p, "self") || text_is(f, p, "cls"))))
			break;
	}
	/* get / post ... of a View / Resource / Handler class */
	TSNode name = py_field(fn, "name");
	static const char *const methods[] = {"get", "post", "put", "patch", "delete", "list", "retrieve", NULL};
	const char *ns;
	size_t nn;
	if (!last_name(f, name, &ns, &nn) || !word_in(ns, nn, methods))
		return 0;
	for (unsigned k = depth; k-- > 0 && depth - k <= 3;) {
		if (!is_t(nodes[k], "class_definition"))
			continue;
		TSNode sup = py_field(nodes[k], "superclasses");
		if (ts_node_is_null(sup))
			return 0;
		uint32_t s = ts_node_start_byte(sup), e = ts_node_end_byte(sup);
		return in_text(f, s, e, "View") || in_text(f, s, e, "Resource") || in_text(f, s, e, "Handler");
	}
	return 0;
}

/* Methods that bound a SQLAlchemy chain (or make it one row). */
static int sa_bounded(const struct py_file *f, const char *chain, const TSNode *srcs, size_t n)
{
	static const char *const words[] = {"limit", "paginate", "slice", "first", "get", "one", "one_or_none",
					    "scalar", "scalar_one", "fetch", "get_or_404", "first_or_404", NULL};
	for (const char *const *w = words; *w; w++)
		if (rules_chain_has(chain, *w))
			return 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t s = ts_node_start_byte(srcs[i]), e = ts_node_end_byte(srcs[i]);
		if (in_text(f, s, e, ".limit(") || in_text(f, s, e, ".slice(") || in_text(f, s, e, ".fetch(") ||
		    in_text(f, s, e, ".id.in_(") ||
		    in_text(f, s, e, ".paginate(") || in_text(f, s, e, "LIMIT ") || in_text(f, s, e, "limit "))
			return 1;
	}
	return 0;
}

/* Django querysets that are still lazy (a whole result set when consumed). */
static int dj_lazy(const char *chain)
{
	static const char *const lazy[] = {"all", "filter", "exclude", "order_by", "select_related",
					   "prefetch_related", "annotate", "only", "defer", "distinct", "using",
					   "reverse", "values", "values_list", "alias", "extra", "raw", "iterator",
					   "union", NULL};
	const char *last = py_last(chain);
	size_t n = strlen(last);
	while (n >= 2 && last[n - 2] == '(' && last[n - 1] == ')')
		n -= 2;
	return word_in(last, n, lazy);
}

static void emit_once(struct st *s, TSNode at, const char *msg, const char *fix)
{
	uint32_t b = ts_node_start_byte(at);
	for (size_t i = 0; i < s->nreported; i++)
		if (s->reported[i] == b)
			return;
	if (s->nreported == s->capreported) {
		s->capreported = s->capreported ? s->capreported * 2 : 16;
		s->reported = xrealloc(s->reported, s->capreported * sizeof(*s->reported));
	}
	s->reported[s->nreported++] = b;
	scan_emit(s->out, s->f, "unbounded-query", at, msg, fix, 0);
}

/* The function name of the handler, for messages. */
static const char *fn_name(struct st *s, TSNode fn)
{
	return py_text(s->f, py_field(fn, "name"), &s->a);
}

/* SQLAlchemy: the call at nodes[depth] ends in .all(). */
static void check_all(struct st *s, TSNode call, const struct fn_frame *h)
{
	const struct py_file *f = s->f;
	TSNode srcs[NSRC];
	size_t n = 0;
	const char *chain = rules_query_chain(f, call, &s->a, srcs, NSRC, &n);
	if (!chain)
		return;
	int k = rules_db_kind(chain);
	if (k != 'q' && k != 's')
		return;
	if (sa_bounded(f, chain, srcs, n))
		return;
	if (n > 1) {
		/* through variables: a .limit( / .paginate( anywhere before in the handler bounds it */
		uint32_t fs = ts_node_start_byte(h->fn), ce = ts_node_start_byte(call);
		if (in_text(f, fs, ce, ".limit(") || in_text(f, fs, ce, ".paginate(") || in_text(f, fs, ce, ".slice("))
			return;
	}
	TSNode fn = py_field(call, "function");
	TSNode obj = py_field(fn, "object");
	const char *before = rules_short_text(f, obj, &s->a, 160);
	const char *fix;
	if (k == 'q')
		fix = arena_printf(&s->a, "%s.paginate(page=page, per_page=50).items", before);
	else
		fix = arena_printf(&s->a, "%s.limit(50).offset(offset).all()", before);
	/* session.scalars(select(X)...).all(): the limit goes on the statement */
	TSNode e = obj;
	for (int i = 0; i < 8 && py_is(e, "call"); i++) {
		TSNode efn = py_field(e, "function"), args = py_field(e, "arguments");
		if (!py_is(efn, "attribute"))
			break;
		TSNode at = py_field(efn, "attribute");
		if ((text_is(f, at, "scalars") || text_is(f, at, "execute") || text_is(f, at, "exec")) &&
		    py_is(args, "argument_list") && ts_node_named_child_count(args) > 0) {
			TSNode stmt = ts_node_named_child(args, 0);
			const char *st = rules_short_text(f, stmt, &s->a, 160);
			if (py_is(stmt, "identifier"))
				fix = arena_printf(&s->a, "%s = %s.limit(50).offset(offset)", st, st);
			else
				fix = arena_printf(&s->a, "%s.limit(50).offset(offset)", st);
			break;
		}
		e = py_field(efn, "object");
	}
	const char *origin = n > 1 ? arena_printf(&s->a, " (built from %s at line %u)",
						  rules_short_text(f, srcs[n - 1], &s->a, 60), py_line(srcs[n - 1]))
				   : "";
	emit_once(s, call,
		  arena_printf(&s->a,
			       "%s%s in request handler %s loads every matching row: no .limit(), .paginate() or slice "
			       "bounds it",
			       rules_short_text(f, call, &s->a, 80), origin, fn_name(s, h->fn)),
		  fix);
}

/*
 * The consumer of the expression at nodes[depth], walking up to its
 * statement: 1 consumed whole (a sink, *how says which), 0 not (assigned,
 * chained on, passed elsewhere), -1 bounded (sliced, Paginator).
 */
static int consumer(struct st *s, const TSNode *nodes, const char *const *fields, unsigned depth, unsigned fdepth,
		    const char **how)
{
	const struct py_file *f = s->f;
	for (unsigned k = depth; k > fdepth + 1; k--) {
		TSNode p = nodes[k - 1];
		const char *fld = fields[k];
		const char *t = ts_node_type(p);
		if (strcmp(t, "subscript") == 0)
			return fld && strcmp(fld, "value") == 0 ? -1 : 0;
		if (strcmp(t, "attribute") == 0)
			return 0; /* qs.count(), qs.first(): judged as its own chain */
		if ((strcmp(t, "for_statement") == 0 || strcmp(t, "for_in_clause") == 0) && fld &&
		    strcmp(fld, "right") == 0) {
			*how = "iterated";
			return 1;
		}
		if (strcmp(t, "return_statement") == 0) {
			*how = "returned";
			return 1;
		}
		/* the first call the value is an argument of (through dicts and lists: render(..., {"x": qs})) */
		if (strcmp(t, "call") == 0 && fld && strcmp(fld, "arguments") == 0) {
			const char *ln;
			size_t n;
			if (!last_name(f, p, &ln, &n))
				return 0;
			static const char *const sinks[] = {"list", "tuple", "sorted", "set", "len", "JsonResponse",
							    "render", "render_to_response", "TemplateResponse",
							    "serialize", "Response", "dumps", "jsonify", NULL};
			if (n == 9 && memcmp(ln, "Paginator", 9) == 0)
				return -1;
			if (word_in(ln, n, sinks) || (n > 10 && memcmp(ln + n - 10, "Serializer", 10) == 0)) {
				*how = arena_printf(&s->a, "passed to %.*s()", (int)n, ln);
				return 1;
			}
			return 0; /* passed to another function: it may page it */
		}
		if (strcmp(t, "expression_statement") == 0 || strcmp(t, "assignment") == 0 || strcmp(t, "block") == 0 ||
		    strcmp(t, "lambda") == 0 || strcmp(t, "function_definition") == 0)
			return 0;
	}
	return 0;
}

/* Django: a queryset expression (a call, or a variable holding one) at nodes[depth]. */
static void check_django(struct st *s, const TSNode *nodes, const char *const *fields, unsigned depth,
			 const struct fn_frame *h)
{
	const struct py_file *f = s->f;
	TSNode n = nodes[depth];
	const char *how = NULL;
	if (consumer(s, nodes, fields, depth, h->depth, &how) != 1)
		return;
	TSNode srcs[NSRC];
	size_t ns = 0;
	const char *chain = rules_query_chain(f, n, &s->a, srcs, NSRC, &ns);
	if (!chain || rules_db_kind(chain) != 'd' || !dj_lazy(chain))
		return;
	for (size_t i = 0; i < ns; i++) {
		TSNode x = srcs[i];
		uint32_t a = ts_node_start_byte(x), b = ts_node_end_byte(x);
		/* sliced, or one row per key of a list the code already holds */
		if (py_is(x, "subscript") || in_text(f, a, b, "[:") || in_text(f, a, b, "pk__in=") ||
		    in_text(f, a, b, "(id__in="))
			return;
	}
	if (h->paginates)
		return; /* @paginate (django-ninja) pages what the view returns */
	if (ns > 1 || py_is(n, "identifier")) {
		uint32_t fs = ts_node_start_byte(h->fn), fe = ts_node_end_byte(h->fn);
		if (in_text(f, fs, fe, "Paginator") || in_text(f, fs, fe, "paginate"))
			return;
	}
	TSNode origin = srcs[ns - 1];
	const char *q = rules_short_text(f, origin, &s->a, 100);
	emit_once(s, origin,
		  arena_printf(&s->a,
			       "%s is %s in view %s with no slice or Paginator: every matching row is loaded", q, how,
			       fn_name(s, h->fn)),
		  arena_printf(&s->a, "Paginator(%s, 50).get_page(request.GET.get(\"page\"))", q));
}

static int visit(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg)
{
	struct st *s = arg;
	while (s->nfns && s->fns[s->nfns - 1].depth >= depth)
		s->nfns--;
	TSNode n = nodes[depth];
	if (!ts_node_is_named(n))
		return 1;
	const char *t = ts_node_type(n);
	if ((strcmp(t, "function_definition") == 0 || strcmp(t, "class_definition") == 0) &&
	    !rules_range_has(s->trig, s->ntrig, ts_node_start_byte(n), ts_node_end_byte(n)))
		return 1; /* neither .all() nor a Django manager in it */
	if (strcmp(t, "function_definition") == 0) {
		if (s->nfns < sizeof(s->fns) / sizeof(s->fns[0])) {
			struct fn_frame *fr = &s->fns[s->nfns++];
			fr->depth = depth;
			fr->fn = n;
			fr->handler = handler_of(s->f, nodes, depth, &fr->paginates);
		}
		return 0;
	}
	if (strcmp(t, "class_definition") == 0 && s->nfns < sizeof(s->fns) / sizeof(s->fns[0])) {
		/* a class in a handler is not the handler: its methods are judged on their own */
		struct fn_frame *fr = &s->fns[s->nfns++];
		memset(fr, 0, sizeof(*fr));
		fr->depth = depth;
		fr->fn = n;
		return 0;
	}
	if (!s->nfns || !s->fns[s->nfns - 1].handler) {
		/* outside a handler only the statements that can hold a def matter */
		static const char *const keep[] = {"module", "block", "decorated_definition", "if_statement",
						   "elif_clause", "else_clause", "try_statement", "except_clause",
						   "finally_clause", "with_statement", "for_statement", "while_statement",
						   "match_statement", "case_clause", NULL};
		for (const char *const *k = keep; *k; k++)
			if (strcmp(t, *k) == 0)
				return 0;
		return 1;
	}
	const struct fn_frame *h = &s->fns[s->nfns - 1];
	if (strcmp(t, "call") == 0) {
		const char *ln;
		size_t nl;
		if (!last_name(s->f, n, &ln, &nl))
			return 0;
		if (nl == 3 && memcmp(ln, "all", 3) == 0 && !field_is(fields, depth, "object"))
			check_all(s, n, h);
		/* Django chains: judged at their outermost call */
		if (!field_is(fields, depth, "object"))
			check_django(s, nodes, fields, depth, h);
		return 0;
	}
	if (strcmp(t, "identifier") == 0 && !field_is(fields, depth, "attribute") && !field_is(fields, depth, "name") &&
	    !field_is(fields, depth, "object") && !field_is(fields, depth, "function") &&
	    !field_is(fields, depth, "left"))
		check_django(s, nodes, fields, depth, h);
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
	free(s.reported);
	arena_free(&s.a);
}

const struct scan_rule scan_rule_unbounded_query = {
	.name = "unbounded-query",
	.severity = PA_SEV_MEDIUM,
	.summary = "a request handler loads every row a query matches, with no limit or pagination",
	.check = check,
	.collect = NULL,
	.finish = NULL,
};
