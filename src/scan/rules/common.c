/*
 * common: what the scan rules agree a database query and an HTTP request
 * look like, judged from a call's resolved dotted name alone (py_call_name:
 * "User.query.filter().first", "db.session.query().all",
 * "sqlite3.connect().execute", "requests.get").
 *
 * A name is all we have — no types — so both predicates are lists of the
 * shapes real Flask-SQLAlchemy, SQLAlchemy, Django and DB-API code takes,
 * tuned so that ordinary code with the same method names (a dict's .get, a
 * list called objects, request.query in aiohttp, an HTTP session's .get)
 * does not match. The name is split into components without allocating;
 * each predicate is a handful of string compares, cheap enough to ask of
 * every call in a file.
 *
 * scan_is_db_call(name) is 1 when the call (name is its callee, as
 * py_call_name gives it) builds or runs an ORM / DB-API
 * query. The name has an anchor and, after it, only query-chain methods
 * (all, first, one, scalar(s), filter, filter_by, order_by, limit, get,
 * count, paginate, options, fetchall, values_list, select_related ... —
 * the union of SQLAlchemy Query / Result and Django QuerySet methods, and
 * Django's async a* variants). The anchors:
 *   - X.query.M            Flask-SQLAlchemy, X a model: its name starts
 *                          upper-case, or it is cls / model / *_model
 *                          (so request.query.get and url.query.split do not)
 *   - X.objects.M          Django managers (same condition on X),
 *     X._default_manager.M
 *   - x.y_set.M            Django reverse relations: y_set without a leading
 *                          underscore and M a manager method a set or dict
 *                          lacks (all, filter, count, exists ... — not get,
 *                          update, add), so seen_set.update(x) and
 *                          self._id_set.get(k) do not match
 *   - S.query / S.execute / S.scalars / S.scalar / S.exec / S.get_one
 *                          S a session: a component containing "session"
 *                          (db.session, self.session, Session()), or db
 *                          for query/execute/scalar(s)/exec
 *   (session.get(...) is not a DB call here: the name is the same for
 *   requests.Session().get kept in a variable; rules that want
 *   session.get(Model, id) check for a class-like first argument themselves)
 *   - C.execute / executemany / executescript / fetchone / fetchall /
 *     fetchmany / callproc, and asyncpg's fetch / fetchrow / fetchval
 *                          C a cursor or connection: its last component,
 *                          lower-cased, contains cursor, conn, session,
 *                          engine, database; or is c, cu, cur, cx, con,
 *                          db, tx, txn, pool; or is a call to cursor() /
 *                          connect() ("sqlite3.connect().execute")
 *   - db.get_or_404 / first_or_404 / one_or_404 / paginate  (Flask-SQLAlchemy 3)
 *   - pandas.read_sql / read_sql_query / read_sql_table
 * A builder counts as much as the call that runs it: both
 * "User.query.filter" and "User.query.filter().first" are DB calls, so a
 * rule that reports calls should report the outermost call of a chain and
 * skip the calls inside it. Awaited calls (AsyncSession.execute, Django's
 * aget) count too; a rule about blocking must look at the await itself.
 * Not DB calls: sqlalchemy select() / text() on their own (they only build
 * a statement), session.add / commit / flush / rollback (no rows come back),
 * peewee, MongoDB, Redis and other stores.
 *
 * scan_is_http_call(name) is 1 for a synchronous HTTP request:
 * requests.M / httpx.M and requests.Session().M / httpx.Client().M with M
 * one of get post put patch delete head options request send stream;
 * urllib.request.urlopen (and urllib2.urlopen); urllib3.request and
 * urllib3.PoolManager().request; http.client.HTTP(S)Connection().request /
 * getresponse. aiohttp and httpx.AsyncClient are excluded (they do not
 * block). A client kept in a variable (s = requests.Session(); s.get(u))
 * is not recognised: the name "s.get" says nothing.
 *
 * Below them, helpers the ORM rules (n-plus-one, query-in-loop,
 * unbounded-query) share, named rules_*: the query kind of a name, the
 * query a loop iterates followed back through its variables
 * (rules_query_chain, rules_orm_loop), a walk that hands over the path
 * from the root (rules_walk), and a word index to skip what cannot match
 * (rules_find_words). They are declared where they are used; see the
 * comment above them.
 */
#include "scan/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define MAXC 32 /* components looked at; longer names are judged on their first 32 */

/* One component of a dotted name: "filter" of "X.filter().all", called = 1. */
struct comp {
	const char *s;
	size_t n;
	int called;
};

/* Split name at dots into c[]; returns the count (0 for NULL or empty). */
static size_t split(const char *name, struct comp *c)
{
	size_t k = 0;
	if (!name || !*name)
		return 0;
	const char *p = name;
	while (*p && k < MAXC) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		c[k].s = p;
		c[k].called = 0;
		/* "query()" -> "query", called; "f()()" also strips every "()" */
		while (n >= 2 && p[n - 2] == '(' && p[n - 1] == ')') {
			n -= 2;
			c[k].called = 1;
		}
		c[k].n = n;
		k++;
		if (!dot)
			break;
		p = dot + 1;
	}
	return k;
}

static int is(const struct comp *c, const char *w)
{
	return strlen(w) == c->n && memcmp(c->s, w, c->n) == 0;
}

static int in(const struct comp *c, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (is(c, *w))
			return 1;
	return 0;
}

/* Case-insensitive substring test of a component. */
static int has(const struct comp *c, const char *w)
{
	size_t wn = strlen(w);
	for (size_t i = 0; i + wn <= c->n; i++)
		if (strncasecmp(c->s + i, w, wn) == 0)
			return 1;
	return 0;
}

static int ends(const struct comp *c, const char *w)
{
	size_t wn = strlen(w);
	return c->n >= wn && memcmp(c->s + c->n - wn, w, wn) == 0;
}

/* The methods a query chain is made of (SQLAlchemy Query, Result, Django QuerySet). */
static const char *const chain_words[] = {
	/* SQLAlchemy Query / Flask-SQLAlchemy */
	"all", "first", "one", "one_or_none", "scalar", "get", "get_or_404", "first_or_404", "one_or_404",
	"filter", "filter_by", "order_by", "limit", "offset", "count", "paginate", "join", "outerjoin",
	"options", "group_by", "having", "distinct", "with_entities", "delete", "update", "exists",
	"yield_per", "select_from", "where", "execution_options", "populate_existing", "with_for_update",
	"slice", "from_statement", "params", "union", "union_all", "add_columns", "add_entity", "with_parent",
	"values", "value", "enable_eagerloads", "correlate", "subquery", "cte", "scalar_subquery",
	/* Result */
	"scalars", "scalar_one", "scalar_one_or_none", "fetchall", "fetchone", "fetchmany", "mappings",
	"unique", "partitions", "columns", "tuples", "keys",
	/* Django QuerySet */
	"exclude", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "last",
	"aggregate", "annotate", "values_list", "select_related", "prefetch_related", "only", "defer",
	"in_bulk", "iterator", "latest", "earliest", "raw", "using", "none", "reverse", "extra", "dates",
	"datetimes", "alias", "select_for_update", "contains", "explain", "intersection", "difference",
	"aget", "afirst", "alast", "acount", "aexists", "acreate", "aget_or_create", "aupdate_or_create",
	"aupdate", "adelete", "aiterator", "aaggregate", "ain_bulk", "abulk_create", "abulk_update",
	"alatest", "aearliest", "acontains", "aexplain",
	NULL,
};

/* The first method read off a Django reverse accessor (x.book_set.M). */
static const char *const reverse_words[] = {
	"all", "filter", "exclude", "count", "exists", "first", "last", "order_by", "select_related",
	"prefetch_related", "values", "values_list", "annotate", "aggregate", "create", "get_or_create",
	"update_or_create", "iterator", "in_bulk", "only", "defer", "distinct", "latest", "earliest", "acount",
	"aexists", "afirst", "alast", "acreate", NULL,
};

/* Every component from i on is a query-chain method (and there is at least one). */
static int chain_from(const struct comp *c, size_t n, size_t i)
{
	if (i >= n)
		return 0;
	for (; i < n; i++)
		if (!in(&c[i], chain_words))
			return 0;
	return 1;
}

/* A model class by its name: User, cls, model, self.model, user_model, UserModel. */
static int model_like(const struct comp *c)
{
	if (c->n == 0 || c->called)
		return 0;
	return isupper((unsigned char)c->s[0]) || is(c, "cls") || is(c, "model") || ends(c, "_model") ||
	       ends(c, "Model");
}

/* A SQLAlchemy / DB session by its name. */
static int session_like(const struct comp *c)
{
	return has(c, "session");
}

/* A DB-API cursor or connection (or a session / engine) by its name. */
static int cursor_like(const struct comp *c)
{
	static const char *const exact[] = {"c", "cu", "cur", "cx", "con", "db", "tx", "txn", "pool", NULL};
	static const char *const sub[] = {"cursor", "conn", "session", "engine", "database", NULL};
	if (c->called && (is(c, "cursor") || is(c, "connect")))
		return 1;
	if (in(c, exact))
		return 1;
	for (const char *const *w = sub; *w; w++)
		if (has(c, *w))
			return 1;
	return 0;
}

/* The first component names an HTTP client library (their sessions are not DB sessions). */
static int http_module(const struct comp *c)
{
	return is(c, "requests") || is(c, "httpx") || is(c, "aiohttp") || is(c, "urllib3");
}

/*
 * The kind of query a resolved callee name is, and where its chain starts:
 * 'q' Flask-SQLAlchemy Model.query, 's' a session (or db) method, 'd' a
 * Django manager or reverse relation, 'c' a DB-API cursor / connection,
 * 'o' another (pandas.read_sql, db.get_or_404); 0 for none. *anchor (when
 * not NULL) gets the index of the anchor's method component: "query" of
 * "session.query", the first method after "objects" in "X.objects.filter".
 */
static int db_kind(const struct comp *c, size_t n, size_t *anchor)
{
	size_t dummy;
	if (!anchor)
		anchor = &dummy;
	if (n < 2 || http_module(&c[0]))
		return 0;

	/* pandas.read_sql* (resolved through `import pandas as pd`) */
	if (n == 2 && is(&c[0], "pandas") &&
	    (is(&c[1], "read_sql") || is(&c[1], "read_sql_query") || is(&c[1], "read_sql_table"))) {
		*anchor = 1;
		return 'o';
	}

	static const char *const session_words[] = {"query", "execute", "scalars", "scalar", "exec", "get_one", NULL};
	static const char *const dbapi_words[] = {"execute", "executemany", "executescript", "fetchone", "fetchall",
						  "fetchmany", "callproc", "fetch", "fetchrow", "fetchval", NULL};
	static const char *const fsa3_words[] = {"get_or_404", "first_or_404", "one_or_404", "paginate", NULL};

	for (size_t i = 0; i + 1 < n; i++) {
		const struct comp *a = &c[i], *m = &c[i + 1];
		/* X.query.M — Flask-SQLAlchemy's Model.query */
		if (is(m, "query") && !m->called && model_like(a)) {
			*anchor = i + 2;
			return chain_from(c, n, i + 2) ? 'q' : 0;
		}
		/* X.objects.M — Django managers; x.y_set.M reverse relations */
		if (!m->called && ((is(m, "objects") && model_like(a)) || is(m, "_default_manager") ||
				   is(m, "_base_manager"))) {
			*anchor = i + 2;
			return chain_from(c, n, i + 2) ? 'd' : 0;
		}
		/*
		 * x.y_set.M: a Django reverse accessor is "<model>_set", no leading
		 * underscore, and is read through manager methods a Python set or
		 * dict does not have (not get / update / add / remove / clear)
		 */
		if (!m->called && m->n > 4 && ends(m, "_set") && m->s[0] != '_' && i + 2 < n &&
		    in(&c[i + 2], reverse_words)) {
			*anchor = i + 2;
			return chain_from(c, n, i + 2) ? 'd' : 0;
		}
		/* the method is called: "()" in the chain, or the callee's last component */
		int called = m->called || i + 2 == n;
		/* session.query(...) / session.execute(...) ... */
		if (called && in(m, session_words) && (session_like(a) || (is(a, "db") && !is(m, "get_one")))) {
			*anchor = i + 1;
			return i + 2 == n || chain_from(c, n, i + 2) ? 's' : 0;
		}
		/* cursor.execute(...), conn.execute(...), asyncpg conn.fetch(...) */
		if (called && in(m, dbapi_words) && cursor_like(a)) {
			*anchor = i + 1;
			return i + 2 == n || chain_from(c, n, i + 2) ? 'c' : 0;
		}
		/* Flask-SQLAlchemy 3: db.get_or_404(User, id), db.paginate(select(User)) */
		if (i + 2 == n && is(a, "db") && in(m, fsa3_words)) {
			*anchor = i + 1;
			return 'o';
		}
	}
	return 0;
}

int scan_is_db_call(const char *resolved)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(resolved, c);
	return db_kind(c, n, NULL) != 0;
}

/* ---- shared by n_plus_one.c, query_in_loop.c and unbounded_query.c ----
 * Not declared in rules.h (which this helper may not edit): each of those
 * files repeats these prototypes. The integrator may move them into
 * rules.h; the definitions need not change.
 */
int rules_db_kind(const char *resolved);
int rules_chain_has(const char *name, const char *method);
int rules_orm_rows(const char *chain);
const char *rules_query_chain(const struct py_file *f, TSNode expr, struct arena *a, TSNode *srcs, size_t max,
			      size_t *n);
int rules_orm_loop(const struct py_file *f, TSNode loop, struct arena *a, TSNode *var, TSNode *srcs, size_t max,
		   size_t *n, const char **chain);
int rules_uses_name(const struct py_file *f, TSNode tree, TSNode name);
int rules_db_runs(const char *resolved);
const char *rules_short_text(const struct py_file *f, TSNode n, struct arena *a, size_t max);
size_t rules_find_words(const struct py_file *f, const char *const *words, uint32_t **offs);
int rules_range_has(const uint32_t *offs, size_t n, uint32_t start, uint32_t end);
int rules_walk(TSNode root, int (*fn)(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg),
	       void *arg);

/* The kind letter of db_kind() for a resolved name: 'q', 's', 'd', 'c', 'o' or 0. */
int rules_db_kind(const char *resolved)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(resolved, c);
	return db_kind(c, n, NULL);
}

/* 1 when one component of the dotted name is exactly method ("filter" in "X.query.filter().all"). */
int rules_chain_has(const char *name, const char *method)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(name, c);
	for (size_t i = 0; i < n; i++)
		if (is(&c[i], method))
			return 1;
	return 0;
}

/* Query methods that return one row, a number, or nothing to iterate over model instances. */
static const char *const not_rows_words[] = {
	"first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none", "get", "get_or_404",
	"first_or_404", "one_or_404", "count", "exists", "last", "latest", "earliest", "aggregate", "update",
	"delete", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "values",
	"values_list", "mappings", "in_bulk", "explain", "contains", "subquery", "cte", "scalar_subquery",
	"tuples", "columns", "keys", "fetchone", "fetchall", "fetchmany", "aget", "afirst", "alast", "acount",
	"aexists", "acreate", "aget_or_create", "aupdate_or_create", "aupdate", "adelete", "aaggregate",
	"ain_bulk", "abulk_create", "abulk_update", "alatest", "aearliest", "acontains", "aexplain", NULL,
};

/*
 * 1 when a combined chain name (rules_query_chain) is an ORM query whose
 * rows are model instances: a Flask-SQLAlchemy Model.query chain, a
 * Django manager / reverse-relation chain, session.query(...),
 * session.scalars(...), session.exec(...) (SQLModel) or
 * session.execute(...).scalars(), ending in a method that yields rows (all,
 * filter, order_by, paginate ...; "X.query.paginate().items" counts) — not
 * in first / get / count / values / values_list, which give one object,
 * a number, or dicts and tuples that have no relationships to load.
 */
int rules_orm_rows(const char *chain)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(chain, c), anchor = 0;
	if (n >= 2 && is(&c[n - 1], "items") && is(&c[n - 2], "paginate"))
		n--;
	int k = db_kind(c, n, &anchor);
	if (k != 'q' && k != 'd' && k != 's')
		return 0;
	if (k == 's') {
		int ok = is(&c[anchor], "query") || is(&c[anchor], "scalars") || is(&c[anchor], "exec");
		for (size_t i = anchor + 1; !ok && i < n; i++)
			ok = is(&c[i], "scalars");
		if (!ok)
			return 0;
	}
	if (anchor < n && in(&c[n - 1], not_rows_words))
		return 0;
	return 1;
}

/* The node with the same text as name (identifier compare without allocating). */
static int same_text(const struct py_file *f, TSNode x, const char *s, size_t n)
{
	uint32_t a = ts_node_start_byte(x), b = ts_node_end_byte(x);
	return b - a == n && b <= f->len && memcmp(f->src + a, s, n) == 0;
}

/*
 * The value last assigned to the identifier name (name[0..nlen)) before node
 * at, in the statements that precede at's statement in each enclosing block
 * of the same function (or of the module) — `users = User.query.all()`
 * above `for u in users:`. Assignments inside nested if / with / try
 * blocks before at are not looked at (only at's own enclosing blocks), nor
 * tuple targets; a null node when there is none. Costs the number of
 * statements before at in its blocks.
 */
static TSNode find_assign(const struct py_file *f, TSNode at, const char *name, size_t nlen)
{
	TSNode none = {0};
	TSNode child = at, p = ts_node_parent(at);
	while (!ts_node_is_null(p)) {
		const char *t = ts_node_type(p);
		if (strcmp(t, "block") == 0 || strcmp(t, "module") == 0) {
			/* forward over the statements before child: a sibling step back is not O(1) in tree-sitter */
			TSNode found = none;
			uint32_t stop = ts_node_start_byte(child);
			TSTreeCursor c = ts_tree_cursor_new(p);
			for (int ok = ts_tree_cursor_goto_first_child(&c); ok; ok = ts_tree_cursor_goto_next_sibling(&c)) {
				TSNode s = ts_tree_cursor_current_node(&c);
				if (ts_node_start_byte(s) >= stop)
					break;
				if (!py_is(s, "expression_statement") || ts_node_named_child_count(s) != 1)
					continue;
				TSNode as = ts_node_named_child(s, 0);
				if (!py_is(as, "assignment"))
					continue;
				TSNode left = py_field(as, "left"), right = py_field(as, "right");
				if (!py_is(left, "identifier") || !same_text(f, left, name, nlen) || ts_node_is_null(right))
					continue;
				while (py_is(right, "assignment")) /* a = b = expr */
					right = py_field(right, "right");
				found = right; /* the last one before child wins */
			}
			ts_tree_cursor_delete(&c);
			if (!ts_node_is_null(found))
				return found;
			if (strcmp(t, "module") == 0)
				break;
		}
		if (strcmp(t, "function_definition") == 0 || strcmp(t, "class_definition") == 0 ||
		    strcmp(t, "lambda") == 0)
			break;
		child = p;
		p = ts_node_parent(p);
	}
	return none;
}

/* Strip wrappers that keep the rows: (x), await x, list(x), tuple(x), sorted(x), reversed(x). */
static TSNode unwrap(const struct py_file *f, TSNode e)
{
	for (int i = 0; i < 8 && !ts_node_is_null(e); i++) {
		if ((py_is(e, "parenthesized_expression") || py_is(e, "await")) && ts_node_named_child_count(e) == 1) {
			e = ts_node_named_child(e, 0);
			continue;
		}
		if (py_is(e, "call")) {
			TSNode fn = py_field(e, "function"), args = py_field(e, "arguments");
			if (py_is(fn, "identifier") && py_is(args, "argument_list") &&
			    ts_node_named_child_count(args) >= 1 &&
			    (same_text(f, fn, "list", 4) || same_text(f, fn, "tuple", 5) ||
			     same_text(f, fn, "sorted", 6) || same_text(f, fn, "reversed", 8))) {
				TSNode a0 = ts_node_named_child(args, 0);
				if (!py_is(a0, "keyword_argument")) {
					e = a0;
					continue;
				}
			}
		}
		break;
	}
	return e;
}

/* The leftmost identifier of a name chain (the "qs" of qs.filter().all()), or a null node. */
static TSNode chain_root(TSNode e)
{
	for (int i = 0; i < 64; i++) {
		if (py_is(e, "identifier"))
			return e;
		if (py_is(e, "call"))
			e = py_field(e, "function");
		else if (py_is(e, "attribute"))
			e = py_field(e, "object");
		else
			break;
	}
	TSNode none = {0};
	return none;
}

/*
 * The resolved dotted name of the query expression expr, following its
 * root variable back to where it was assigned: with
 *     qs = Profile.objects.filter(active=True)
 *     qs = qs.select_related("group")
 * rules_query_chain(qs.all()) is "Profile.objects.filter().select_related().all()".
 * A root is followed (through find_assign, at most max - 1 times) only when
 * everything after it is a query-chain method, so `db.execute(...)` stays
 * itself whatever db was assigned. srcs[0..*n) get the expressions read,
 * expr (unwrapped of list() / sorted() / await) first, the origin last —
 * and after it, when the origin is session.scalars(stmt) /
 * session.execute(stmt) with stmt a variable, the value stmt was assigned
 * (select(User).options(...)), where eager loads and fixes go; strings
 * live in a. NULL when expr is not a name chain (*n is then 0 or
 * the expressions read so far).
 */
const char *rules_query_chain(const struct py_file *f, TSNode expr, struct arena *a, TSNode *srcs, size_t max,
			      size_t *n)
{
	const char *suffix = "";
	*n = 0;
	TSNode cur = expr;
	while (*n < max) {
		cur = unwrap(f, cur);
		srcs[(*n)++] = cur;
		const char *d = py_dotted(f, cur, a);
		if (!d)
			return NULL;
		TSNode root = chain_root(cur);
		size_t rl = ts_node_is_null(root) ? 0 : ts_node_end_byte(root) - ts_node_start_byte(root);
		const char *rest = d + rl;
		if (rl && *n < max && rest[0] != '(') {
			/* follow the root only when the rest is query-chain methods ("" or ".filter().all()") */
			struct comp c[MAXC] = {{0}};
			size_t k = split(rest[0] == '.' ? rest + 1 : rest, c);
			if (rest[0] == '\0' || chain_from(c, k, 0)) {
				TSNode rhs = find_assign(f, cur, d, rl);
				if (!ts_node_is_null(rhs)) {
					suffix = arena_printf(a, "%s%s", rest, suffix);
					cur = rhs;
					continue;
				}
			}
		}
		/* session.scalars(stmt): the statement the query was built in, for eager loads and fixes */
		TSNode fn = py_field(cur, "function"), args = py_field(cur, "arguments");
		TSNode inner = cur;
		while (py_is(inner, "call") && py_is(fn, "attribute")) {
			TSNode at = py_field(fn, "attribute");
			uint32_t as = ts_node_start_byte(at), ae = ts_node_end_byte(at);
			if (ae - as == 7 && (memcmp(f->src + as, "scalars", 7) == 0 || memcmp(f->src + as, "execute", 7) == 0))
				break;
			inner = py_field(fn, "object");
			fn = py_field(inner, "function");
			args = py_field(inner, "arguments");
		}
		if (*n < max && py_is(inner, "call") && py_is(args, "argument_list") &&
		    ts_node_named_child_count(args) > 0 && py_is(ts_node_named_child(args, 0), "identifier")) {
			TSNode id = ts_node_named_child(args, 0);
			TSNode rhs = find_assign(f, cur, f->src + ts_node_start_byte(id),
						 ts_node_end_byte(id) - ts_node_start_byte(id));
			if (!ts_node_is_null(rhs))
				srcs[(*n)++] = rhs;
		}
		const char *r = py_resolve(f, d, a);
		return suffix[0] ? arena_printf(a, "%s%s", r, suffix) : r;
	}
	return NULL;
}

/*
 * 1 when loop (a for_statement or a comprehension / generator expression)
 * iterates the model instances of an ORM query (rules_orm_rows of its
 * iterable's rules_query_chain): `for p in Profile.query.all()`,
 * `for i, p in enumerate(profiles)` with profiles assigned from one,
 * `[p.name for p in qs]`. *var gets the loop variable (an identifier;
 * loops binding a tuple are not counted, but for enumerate's second), and
 * srcs / *n / *chain what rules_query_chain read.
 */
int rules_orm_loop(const struct py_file *f, TSNode loop, struct arena *a, TSNode *var, TSNode *srcs, size_t max,
		   size_t *n, const char **chain)
{
	TSNode left = {0}, right = {0};
	*n = 0;
	*chain = NULL;
	if (py_is(loop, "for_statement")) {
		left = py_field(loop, "left");
		right = py_field(loop, "right");
	} else {
		uint32_t nc = ts_node_named_child_count(loop);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(loop, i);
			if (py_is(c, "for_in_clause")) {
				left = py_field(c, "left");
				right = py_field(c, "right");
				break;
			}
		}
	}
	if (ts_node_is_null(left) || ts_node_is_null(right))
		return 0;
	if (py_is(right, "call")) {
		TSNode fn = py_field(right, "function"), args = py_field(right, "arguments");
		if (py_is(fn, "identifier") && same_text(f, fn, "enumerate", 9) && py_is(args, "argument_list") &&
		    ts_node_named_child_count(args) >= 1) {
			if (!(py_is(left, "pattern_list") || py_is(left, "tuple_pattern")) ||
			    ts_node_named_child_count(left) != 2)
				return 0;
			left = ts_node_named_child(left, 1);
			right = ts_node_named_child(args, 0);
		}
	}
	if (!py_is(left, "identifier"))
		return 0;
	*var = left;
	*chain = rules_query_chain(f, right, a, srcs, max, n);
	return *chain && rules_orm_rows(*chain);
}

/*
 * 1 when the subtree tree reads the variable named like the identifier
 * name: an identifier with its text, not an attribute name (x.p) nor a
 * keyword argument's name (f(p=1)).
 */
int rules_uses_name(const struct py_file *f, TSNode tree, TSNode name)
{
	uint32_t s = ts_node_start_byte(name), e = ts_node_end_byte(name);
	const char *nm = f->src + s;
	size_t nl = e - s;
	TSTreeCursor c = ts_tree_cursor_new(tree);
	int found = 0;
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		const char *field = ts_tree_cursor_current_field_name(&c);
		int skip = 0;
		if (strcmp(ts_node_type(n), "identifier") == 0) {
			if (!(field && (strcmp(field, "attribute") == 0 || strcmp(field, "name") == 0)) &&
			    same_text(f, n, nm, nl)) {
				found = 1;
				break;
			}
			skip = 1;
		}
		if (!skip && ts_tree_cursor_goto_first_child(&c))
			continue;
		int up = 0;
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (!ts_tree_cursor_goto_parent(&c)) {
				up = 1;
				break;
			}
		}
		if (up)
			break;
	}
	ts_tree_cursor_delete(&c);
	return found;
}

/*
 * 1 when a call with this resolved callee name sends a query of its own
 * each time it runs: a DB call (scan_is_db_call) but not a cursor's
 * fetchone / fetchall / fetchmany (rows of a query already sent), nor
 * executemany / executescript / bulk_create / bulk_update (the batched
 * forms a loop should be replaced with). Query builders count: a chain
 * built per item of a loop is, in practice, run per item.
 */
int rules_db_runs(const char *resolved)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(resolved, c), anchor = 0;
	int k = db_kind(c, n, &anchor);
	if (!k)
		return 0;
	static const char *const batched[] = {"fetchone", "fetchall", "fetchmany", "executemany", "executescript",
					      "bulk_create", "bulk_update", "abulk_create", "abulk_update", NULL};
	if (anchor < n && in(&c[anchor], batched))
		return 0;
	if (in(&c[n - 1], batched) && (k == 'd' || is(&c[n - 1], "executemany")))
		return 0;
	return 1;
}

/*
 * The source text of n on one line — every run of white space (newlines
 * and indentation of a chain split over lines, of a triple-quoted SQL
 * text) made one space, comments dropped — cut at max bytes with "..." added;
 * in a.
 */
const char *rules_short_text(const struct py_file *f, TSNode n, struct arena *a, size_t max)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > f->len || s > e)
		return "";
	char *out = arena_alloc(a, (max < e - s ? max : e - s) + 4);
	size_t k = 0;
	int sp = 0;
	uint32_t i = s;
	char quote = 0;
	for (; i < e && k < max; i++) {
		char ch = f->src[i];
		if (quote) {
			if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
				/* a triple-quoted SQL text over lines: one line, too */
				if (k > 0 && out[k - 1] != ' ')
					out[k++] = ' ';
				continue;
			}
			if (ch == '\\' && i + 1 < e) {
				out[k++] = ch;
				ch = f->src[++i];
			} else if (ch == quote) {
				quote = 0;
			}
			if (k < max)
				out[k++] = ch;
			continue;
		}
		if (ch == '#') { /* a comment inside a chain split over lines */
			while (i + 1 < e && f->src[i + 1] != '\n')
				i++;
			sp = 1;
			continue;
		}
		if (ch == '\'' || ch == '"')
			quote = ch;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    (ch == '\\' && i + 1 < e && (f->src[i + 1] == '\n' || f->src[i + 1] == '\r'))) {
			sp = 1;
			continue;
		}
		if (sp && k > 0 && !strchr("([{.", out[k - 1]) && !strchr(")]}.,", ch))
			out[k++] = ' ';
		sp = 0;
		if (k < max)
			out[k++] = ch;
	}
	if (i < e) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The byte offsets of every occurrence of any of words (NULL-terminated)
 * in the file, sorted, in *offs (malloc'd, the caller frees; NULL when
 * none). Returns their number. A rule uses them to skip the subtrees (or
 * functions) that cannot hold what it looks for (rules_range_has): a walk
 * costs about as much as all the rest of a rule.
 */
size_t rules_find_words(const struct py_file *f, const char *const *words, uint32_t **offs)
{
	size_t n = 0, cap = 0;
	*offs = NULL;
	for (const char *const *w = words; *w; w++) {
		size_t wl = strlen(*w);
		const char *p = f->src, *end = f->src + f->len;
		while (p < end && (p = memmem(p, (size_t)(end - p), *w, wl)) != NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				*offs = xrealloc(*offs, cap * sizeof(**offs));
			}
			(*offs)[n++] = (uint32_t)(p - f->src);
			p += wl;
		}
	}
	if (n > 1)
		qsort(*offs, n, sizeof(**offs), cmp_u32);
	return n;
}

/* 1 when one of the sorted offsets lies in [start, end). */
int rules_range_has(const uint32_t *offs, size_t n, uint32_t start, uint32_t end)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (offs[mid] < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && offs[lo] < end;
}

#define WALK_MAX 512 /* deeper nodes are not visited (no real source nests this deep) */

/*
 * A pre-order walk of root that hands the callback the whole path:
 * nodes[0..depth] from root to the current node (nodes[depth]), and
 * fields[k] the field name nodes[k] has in nodes[k - 1] (NULL for none, and
 * for the root). fn returns 0 to go on, 1 to skip the node's children, -1
 * to stop. Parents are thus free, unlike ts_node_parent (which walks down
 * from the tree's root each time). Returns 0, or -1 when fn stopped it.
 */
int rules_walk(TSNode root, int (*fn)(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg),
	       void *arg)
{
	if (ts_node_is_null(root))
		return 0;
	TSNode *nodes = xmalloc(WALK_MAX * sizeof(*nodes));
	const char **fields = xmalloc(WALK_MAX * sizeof(*fields));
	TSTreeCursor c = ts_tree_cursor_new(root);
	unsigned depth = 0;
	int rc = 0;
	nodes[0] = root;
	fields[0] = NULL;
	for (;;) {
		int r = fn(nodes, (const char *const *)fields, depth, arg);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0 && depth + 1 < WALK_MAX && ts_tree_cursor_goto_first_child(&c)) {
			depth++;
			nodes[depth] = ts_tree_cursor_current_node(&c);
			fields[depth] = ts_tree_cursor_current_field_name(&c);
			continue;
		}
		int done = 0;
		for (;;) {
			if (depth == 0) {
				done = 1;
				break;
			}
			if (ts_tree_cursor_goto_next_sibling(&c)) {
				nodes[depth] = ts_tree_cursor_current_node(&c);
				fields[depth] = ts_tree_cursor_current_field_name(&c);
				break;
			}
			ts_tree_cursor_goto_parent(&c);
			depth--;
		}
		if (done)
			break;
	}
	ts_tree_cursor_delete(&c);
	free(nodes);
	free(fields);
	return rc;
}

int scan_is_http_call(const char *resolved)
{
	struct comp c[MAXC] = {{0}};
	size_t n = split(resolved, c);
	if (n < 2)
		return 0;
	static const char *const verbs[] = {"get", "post", "put", "patch", "delete", "head", "options",
					    "request", "send", "stream", NULL};
	const struct comp *last = &c[n - 1];
	if (is(&c[0], "requests") || is(&c[0], "httpx")) {
		for (size_t i = 1; i < n; i++)
			if (is(&c[i], "AsyncClient"))
				return 0;
		if (n == 2)
			return in(last, verbs);
		/* requests.Session().get, requests.session().get, httpx.Client().get */
		if (n == 3 && c[1].called && (is(&c[1], "Session") || is(&c[1], "session") || is(&c[1], "Client")))
			return in(last, verbs);
		/* requests.api.get */
		if (n == 3 && is(&c[1], "api"))
			return in(last, verbs);
		return 0;
	}
	if (n == 3 && is(&c[0], "urllib") && is(&c[1], "request") && is(last, "urlopen"))
		return 1;
	if (n == 2 && (is(&c[0], "urllib2") || is(&c[0], "urllib")) && is(last, "urlopen"))
		return 1;
	if (is(&c[0], "urllib3")) {
		if (n == 2)
			return is(last, "request") || is(last, "urlopen");
		if (n == 3 && c[1].called && is(&c[1], "PoolManager"))
			return is(last, "request") || is(last, "urlopen");
		return 0;
	}
	if (n == 4 && is(&c[0], "http") && is(&c[1], "client") && c[2].called &&
	    (is(&c[2], "HTTPConnection") || is(&c[2], "HTTPSConnection")))
		return is(last, "request") || is(last, "getresponse");
	return 0;
}

struct scan_name *scan_names_find(const struct scan_names *t, struct py_span r)
{
	if (!t->cap)
		return NULL;
	for (struct scan_name *e = t->tab[py_hash(r.s, r.n) & (t->cap - 1)]; e; e = e->next)
		if (py_span_eq(e->s, r))
			return e;
	return NULL;
}

struct scan_name *scan_names_get(struct scan_names *t, struct arena *a, struct py_span r, size_t size, int *made)
{
	struct scan_name *e = scan_names_find(t, r);
	if (made)
		*made = e == NULL;
	if (e)
		return e;
	if (2 * (t->n + 1) > t->cap) {
		/* double the buckets (a power of two) and rechain every entry */
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct scan_name **tab = arena_calloc(a, cap, sizeof(*tab));
		for (size_t i = 0; i < t->cap; i++)
			for (struct scan_name *x = t->tab[i], *nx; x; x = nx) {
				nx = x->next;
				size_t h = py_hash(x->s.s, x->s.n) & (cap - 1);
				x->next = tab[h];
				tab[h] = x;
			}
		t->tab = tab;
		t->cap = cap;
	}
	e = arena_calloc(a, 1, size);
	e->s = r;
	size_t h = py_hash(r.s, r.n) & (t->cap - 1);
	e->next = t->tab[h];
	t->tab[h] = e;
	t->n++;
	return e;
}

unsigned char *scan_action_table(const struct py_file *f, struct arena *a, const struct scan_act *map, size_t n,
				 uint32_t *nsym)
{
	const TSLanguage *lang = ts_tree_language(f->tree);
	*nsym = ts_language_symbol_count(lang);
	unsigned char *act = arena_calloc(a, *nsym ? *nsym : 1, 1);
	for (size_t i = 0; i < n; i++) {
		TSSymbol sy = ts_language_symbol_for_name(lang, map[i].type, (uint32_t)strlen(map[i].type), true);
		if (sy && sy < *nsym)
			act[sy] = map[i].act;
	}
	return act;
}
