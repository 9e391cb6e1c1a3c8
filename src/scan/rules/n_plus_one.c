/*
 * n-plus-one (high): a loop over the model instances of an ORM query that
 * loads something more for each of them — a lazy relationship read off the
 * loop variable, or a query of its own that uses the item. N rows, N + 1
 * queries; the fix is to load the related rows with the list
 * (selectinload / joinedload, select_related / prefetch_related) or with
 * one IN query before the loop.
 *
 * The loop: a for statement or comprehension whose iterable is, directly or
 * through a variable assigned in the same function, an ORM query yielding
 * model instances (rules_orm_loop in common.c: Model.query...,
 * session.query(...), session.scalars(select(...)),
 * session.execute(select(...)).scalars(), Model.objects.all() / filter() /
 * exclude() ...). Loops over values() / values_list(), .first(), plain lists
 * and cursor rows are not such loops.
 *
 * A relationship read: x.attr with x the loop variable, in the loop's body
 * (or a comprehension's element / conditions). A scan has no models'
 * columns, so "attr is a relationship, not a column" is a heuristic with
 * two signals:
 *   (a) how it is used — iterated (for t in p.tags), subscripted or passed
 *       to len() / list() / sorted() ... when its name is plural, or read
 *       further (p.group.name, p.tags.all(), p.comments.count()) other than
 *       through a str / date / number / dict method or attribute
 *       (p.name.lower(), p.created.isoformat(), p.uuid.hex); names that are
 *       nearly always columns (id, *_id, *_at, status, name, email, data ...)
 *       never count by (a);
 *   (b) its name is declared in the same file as a relationship:
 *       x = relationship(...) / db.relationship(...) (and their backref=
 *       names), Django ForeignKey / OneToOneField / ManyToManyField, or
 *       SQLAlchemy y_id = Column(ForeignKey(...)) declaring y. Then any read
 *       counts, print(p.group) included.
 * Not reported: a relationship the query already loads eagerly (its name in
 * the arguments of options(joinedload / selectinload / subqueryload ...),
 * select_related(...) / prefetch_related(...), or select_related() with no
 * arguments for a single-valued one, or options(...load('*'))), or one
 * declared with lazy="joined" / "selectin" / "subquery" / "immediate".
 * Models in another file than the loop are judged by (a) alone.
 *
 * A per-item query: a call that runs a query (rules_db_runs) inside such a
 * loop and uses the loop variable (Comment.query.filter_by(post_id=p.id)).
 * The split with query-in-loop: n-plus-one owns relationship reads and the
 * per-item queries of loops over ORM results; query-in-loop owns every
 * other query call in a loop (and skips these). One finding per line, and
 * one per relationship name per loop (its first read).
 *
 * One rules_walk per file; candidates are kept until the end of the file
 * because a relationship may be declared below the loop that reads it.
 * Functions and classes with none of the words an ORM loop or a
 * relationship declaration needs (.query, .objects, scalars, _set,
 * relationship, ForeignKey ...) are skipped, files without them are not
 * walked at all.
 */
#include "scan/rules.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* From rules/common.c (not in rules.h yet). */
int rules_db_runs(const char *resolved);
int rules_db_kind(const char *resolved);
int rules_orm_loop(const struct py_file *f, TSNode loop, struct arena *a, TSNode *var, TSNode *srcs, size_t max,
		   size_t *n, const char **chain);
int rules_uses_name(const struct py_file *f, TSNode tree, TSNode name);
const char *rules_short_text(const struct py_file *f, TSNode n, struct arena *a, size_t max);
size_t rules_find_words(const struct py_file *f, const char *const *words, uint32_t **offs);
int rules_range_has(const uint32_t *offs, size_t n, uint32_t start, uint32_t end);
int rules_walk(TSNode root, int (*fn)(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg),
	       void *arg);

#define NSRC 4 /* variables followed back from a loop's iterable */

/* An ORM loop, kept (in the arena) while its findings wait for the end of the file. */
struct orm_loop {
	TSNode loop, var;
	TSNode srcs[NSRC]; /* the iterable first, the query's origin last */
	size_t nsrc;
	const char *chain; /* rules_query_chain's combined name */
	int kind;          /* rules_db_kind of chain: 'q', 's' or 'd' */
	const char *eager; /* the eager-load arguments' text, once computed */
	int eager_all;     /* select_related() without arguments, or load('*') */
};

/* A loop enclosing the node being visited. */
struct open_loop {
	unsigned depth;
	TSNode left;        /* the binding target */
	TSNode first;       /* a comprehension's first for_in_clause (null for a for statement) */
	struct orm_loop *o; /* NULL when the loop is not over ORM rows */
};

/* A finding in waiting: judged at the end of the file, when every relationship declaration is known. */
struct cand {
	TSNode at;      /* the x.attr node, or the per-item query call */
	TSNode attr;    /* the attribute name (null for a query) */
	int structural; /* signal (a) held; 2 once reported (later reads of the name in the loop are not) */
	int collection; /* it looks like a collection: selectinload / prefetch_related in the fix */
	struct orm_loop *o;
};

/* A relationship name declared in this file (pointing into the source). */
struct span {
	const char *s;
	size_t n;
	int eager; /* declared with an eager lazy= */
};

struct st {
	const struct py_file *f;
	uint32_t *trig; /* where the trigger words are (rules_find_words) */
	size_t ntrig;
	struct arena a;
	struct open_loop open[64];
	size_t nopen, norm;
	struct cand *cands;
	size_t ncands, capcands;
	struct span *rels;
	size_t nrels, caprels;
};

/* The words an ORM loop or a relationship declaration needs: functions and classes without one are skipped. */
static const char *const triggers[] = {".query", "query(", ".objects.", "_set.", "scalars", ".exec(", "_manager.",
				       "relationship", "ForeignKey", "ManyToMany", "OneToOne", "GenericRelation",
				       "ParentalKey", "backref", NULL};

static int is_t(TSNode n, const char *t)
{
	return strcmp(ts_node_type(n), t) == 0;
}

static int text_is(const struct py_file *f, TSNode n, const char *w)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t wl = strlen(w);
	return e - s == wl && memcmp(f->src + s, w, wl) == 0;
}

static int word_in(const char *s, size_t n, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (strlen(*w) == n && memcmp(s, *w, n) == 0)
			return 1;
	return 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Plural-looking: tags, comments — not status, address, bonus, analysis. */
static int plural(const char *s, size_t n)
{
	return n > 2 && s[n - 1] == 's' && !ends_with(s, n, "ss") && !ends_with(s, n, "us") && !ends_with(s, n, "is");
}

/* Attribute names that are columns in nearly every model: never a relationship by usage alone. */
static int column_like(const char *s, size_t n)
{
	static const char *const names[] = {
		"id", "pk", "uuid", "status", "state", "kind", "type", "level", "priority", "date", "time",
		"timestamp", "created", "updated", "modified", "data", "meta", "metadata", "payload", "config",
		"settings", "extra", "attrs", "props", "properties", "json", "name", "title", "email", "slug",
		"price", "amount", "total", "value", "url", "path", "text", "body", "content", "description",
		"username", "first_name", "last_name", "phone", "address", "password", "token", "code", "key",
		"label", "notes", "tags_json", "options", "flags", "position", "order", "rank", "score", NULL,
	};
	static const char *const sufs[] = {"_at", "_on", "_date", "_time", "_id", "_ids", "_uuid", "_ts", "_json",
					   "_data", "_count", "_url", "_name", NULL};
	if (word_in(s, n, names))
		return 1;
	for (const char *const *x = sufs; *x; x++)
		if (ends_with(s, n, *x))
			return 1;
	return 0;
}

/* Methods and attributes of str / date / number / dict / uuid / enum values: reading these is not a query. */
static int value_member(const char *s, size_t n)
{
	static const char *const names[] = {
		"lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "join", "replace",
		"startswith", "endswith", "format", "encode", "decode", "title", "capitalize", "casefold", "center",
		"ljust", "rjust", "zfill", "find", "rfind", "isdigit", "isalpha", "isalnum", "isspace", "islower",
		"isupper", "partition", "rpartition", "translate", "removeprefix", "removesuffix", "isoformat",
		"strftime", "date", "time", "timestamp", "astimezone", "weekday", "isoweekday", "timetuple",
		"utcoffset", "tzname", "total_seconds", "quantize", "normalize", "is_integer", "as_integer_ratio",
		"bit_length", "to_integral_value", "get", "items", "keys", "values", "copy", "pop", "setdefault",
		"year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "days", "seconds",
		"hex", "int", "real", "imag", "numerator", "denominator", "bytes", "urn", "value", "url", "path",
		"size", "read", "open", "width", "height", NULL,
	};
	return word_in(s, n, names);
}

/* Methods that mark attr as a collection (a relationship manager or dynamic query). */
static int collection_member(const char *s, size_t n)
{
	static const char *const names[] = {"all", "count", "filter", "filter_by", "exclude", "order_by", "first",
					    "exists", "add", "remove", "append", "set", "clear", "annotate",
					    "aggregate", "select_related", "prefetch_related", "values_list", "limit",
					    "with_parent", NULL};
	return word_in(s, n, names);
}

/* Record a relationship name declared in this file. */
static void add_rel(struct st *s, const char *p, size_t n, int eager)
{
	if (s->nrels == s->caprels) {
		s->caprels = s->caprels ? s->caprels * 2 : 16;
		s->rels = xrealloc(s->rels, s->caprels * sizeof(*s->rels));
	}
	s->rels[s->nrels].s = p;
	s->rels[s->nrels].n = n;
	s->rels[s->nrels].eager = eager;
	s->nrels++;
}

/* 1 declared lazily, 2 declared eager, 0 not declared. */
static int rel_state(const struct st *s, const char *p, size_t n)
{
	int r = 0;
	for (size_t i = 0; i < s->nrels; i++)
		if (s->rels[i].n == n && memcmp(s->rels[i].s, p, n) == 0)
			r = s->rels[i].eager ? 2 : (r ? r : 1);
	return r;
}

/* The content of a plain string literal node ("group" -> group), via *p / *n; 0 when it is not one. */
static int string_content(const struct py_file *f, TSNode str, const char **p, size_t *n)
{
	if (!py_is(str, "string"))
		return 0;
	uint32_t nc = ts_node_named_child_count(str);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(str, i);
		if (py_is(c, "string_content")) {
			*p = f->src + ts_node_start_byte(c);
			*n = ts_node_end_byte(c) - ts_node_start_byte(c);
			return 1;
		}
	}
	return 0;
}

/* The last name of a callee without allocating: "relationship" of db.relationship. */
static TSNode callee_last(TSNode call)
{
	TSNode fn = py_field(call, "function");
	if (py_is(fn, "attribute"))
		return py_field(fn, "attribute");
	if (py_is(fn, "identifier"))
		return fn;
	TSNode none = {0};
	return none;
}

/*
 * An assignment `name = <call>` declaring a relationship: relationship() /
 * ForeignKey-family fields name it, backref= names the other side, and
 * Column(ForeignKey(...)) named y_id declares y.
 */
static void note_declaration(struct st *s, TSNode as)
{
	const struct py_file *f = s->f;
	TSNode left = py_field(as, "left"), right = py_field(as, "right");
	if (!py_is(left, "identifier") || !py_is(right, "call"))
		return;
	TSNode last = callee_last(right);
	if (ts_node_is_null(last))
		return;
	const char *lp = f->src + ts_node_start_byte(left);
	size_t ln = ts_node_end_byte(left) - ts_node_start_byte(left);
	TSNode args = py_field(right, "arguments");
	if (text_is(f, last, "relationship") || text_is(f, last, "relation")) {
		int eager = 0;
		uint32_t na = py_is(args, "argument_list") ? ts_node_named_child_count(args) : 0;
		for (uint32_t i = 0; i < na; i++) {
			TSNode kw = ts_node_named_child(args, i);
			if (!py_is(kw, "keyword_argument"))
				continue;
			TSNode k = py_field(kw, "name"), v = py_field(kw, "value");
			const char *sp;
			size_t sn;
			if (text_is(f, k, "lazy") && string_content(f, v, &sp, &sn))
				eager = (sn == 6 && memcmp(sp, "joined", 6) == 0) ||
					(sn == 8 && memcmp(sp, "selectin", 8) == 0) ||
					(sn == 8 && memcmp(sp, "subquery", 8) == 0) ||
					(sn == 9 && memcmp(sp, "immediate", 9) == 0);
			if (text_is(f, k, "backref")) {
				if (py_is(v, "call")) /* backref("posts", lazy=...) */
				{
					TSNode ba = py_field(v, "arguments");
					if (py_is(ba, "argument_list") && ts_node_named_child_count(ba) > 0)
						v = ts_node_named_child(ba, 0);
				}
				if (string_content(f, v, &sp, &sn))
					add_rel(s, sp, sn, 0);
			}
		}
		add_rel(s, lp, ln, eager);
		return;
	}
	static const char *const fields[] = {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject",
					     "GenericRelation", "GenericForeignKey", "ParentalKey",
					     "ParentalManyToManyField", "TreeForeignKey", NULL};
	uint32_t s0 = ts_node_start_byte(last), e0 = ts_node_end_byte(last);
	if (word_in(f->src + s0, e0 - s0, fields)) {
		add_rel(s, lp, ln, 0);
		return;
	}
	/* group_id = Column(Integer, ForeignKey("groups.id")) / mapped_column(ForeignKey(...)) */
	if ((text_is(f, last, "Column") || text_is(f, last, "mapped_column")) && ends_with(lp, ln, "_id") && ln > 3 &&
	    py_is(args, "argument_list")) {
		uint32_t na = ts_node_named_child_count(args);
		for (uint32_t i = 0; i < na; i++) {
			TSNode c = ts_node_named_child(args, i);
			TSNode cl = py_is(c, "call") ? callee_last(c) : c;
			if (!ts_node_is_null(cl) && text_is(f, cl, "ForeignKey")) {
				add_rel(s, lp, ln - 3, 0);
				return;
			}
		}
	}
}

static void add_cand(struct st *s, TSNode at, TSNode attr, int structural, int collection, struct orm_loop *o)
{
	if (s->ncands == s->capcands) {
		s->capcands = s->capcands ? s->capcands * 2 : 16;
		s->cands = xrealloc(s->cands, s->capcands * sizeof(*s->cands));
	}
	struct cand *c = &s->cands[s->ncands++];
	c->at = at;
	c->attr = attr;
	c->structural = structural;
	c->collection = collection;
	c->o = o;
}

/*
 * 1 when nodes[depth] is evaluated per item of the loop at nodes[k]: in a
 * for statement's body, or anywhere in a comprehension but its first
 * iterable and its targets.
 */
static int per_item(const struct open_loop *l, const TSNode *nodes, const char *const *fields, unsigned depth)
{
	unsigned k = l->depth;
	if (depth < k + 1)
		return 0;
	if (ts_node_is_null(l->first))
		return fields[k + 1] && strcmp(fields[k + 1], "body") == 0;
	if (ts_node_eq(nodes[k + 1], l->first))
		return 0; /* the first for clause: its target and its iterable */
	if (is_t(nodes[k + 1], "for_in_clause"))
		return depth >= k + 2 && !(fields[k + 2] && strcmp(fields[k + 2], "left") == 0);
	return 1;
}

/* The innermost open loop binding the identifier id, or NULL. */
static struct open_loop *binder(struct st *s, TSNode id)
{
	for (size_t i = s->nopen; i-- > 0;) {
		TSNode left = s->open[i].left;
		if (ts_node_is_null(left))
			continue;
		if (py_is(left, "identifier")) {
			uint32_t a = ts_node_start_byte(id), b = ts_node_end_byte(id);
			uint32_t c = ts_node_start_byte(left), d = ts_node_end_byte(left);
			if (b - a == d - c && memcmp(s->f->src + a, s->f->src + c, b - a) == 0)
				return &s->open[i];
		} else if (rules_uses_name(s->f, left, id)) {
			return &s->open[i];
		}
	}
	return NULL;
}

/* x.attr read off a loop variable: judge its use by signal (a) and keep it as a candidate. */
static void visit_attribute(struct st *s, const TSNode *nodes, const char *const *fields, unsigned depth)
{
	const struct py_file *f = s->f;
	TSNode n = nodes[depth];
	TSNode obj = py_field(n, "object"), attr = py_field(n, "attribute");
	if (!py_is(obj, "identifier") || ts_node_is_null(attr))
		return;
	struct open_loop *l = binder(s, obj);
	if (!l || !l->o || !per_item(l, nodes, fields, depth))
		return;
	const char *fld = fields[depth];
	TSNode parent = depth > 0 ? nodes[depth - 1] : n;
	/* a method call (p.save()), a store (p.group = g), del p.x: not a read of a relationship */
	if (fld && strcmp(fld, "function") == 0 && is_t(parent, "call"))
		return;
	if (fld && strcmp(fld, "left") == 0 && (is_t(parent, "assignment") || is_t(parent, "augmented_assignment")))
		return;
	const char *an = f->src + ts_node_start_byte(attr);
	size_t al = ts_node_end_byte(attr) - ts_node_start_byte(attr);
	int structural = 0, collection = 0;
	if (!column_like(an, al)) {
		if (is_t(parent, "attribute") && fld && strcmp(fld, "object") == 0) {
			TSNode next = py_field(parent, "attribute");
			const char *np = f->src + ts_node_start_byte(next);
			size_t nl = ts_node_end_byte(next) - ts_node_start_byte(next);
			int called = depth >= 2 && is_t(nodes[depth - 2], "call") && fields[depth - 1] &&
				     strcmp(fields[depth - 1], "function") == 0;
			int noargs = 0;
			if (called) {
				TSNode args = py_field(nodes[depth - 2], "arguments");
				noargs = py_is(args, "argument_list") && ts_node_named_child_count(args) == 0;
			}
			if (called && nl == 5 && memcmp(np, "count", 5) == 0)
				collection = structural = noargs; /* p.tags.count() vs p.name.count("x") */
			else if (collection_member(np, nl))
				collection = structural = 1;
			else if (!value_member(np, nl))
				structural = 1;
		} else if ((is_t(parent, "for_statement") || is_t(parent, "for_in_clause")) && fld &&
			   strcmp(fld, "right") == 0) {
			collection = structural = 1;
		} else if (plural(an, al)) {
			if (is_t(parent, "subscript") && fld && strcmp(fld, "value") == 0)
				collection = structural = 1;
			else if (is_t(parent, "argument_list") && depth >= 2 && is_t(nodes[depth - 2], "call")) {
				TSNode fn = py_field(nodes[depth - 2], "function");
				static const char *const takes[] = {"len", "list", "sorted", "set", "tuple", "sum",
								    "any", "all", "max", "min", "enumerate", NULL};
				if (py_is(fn, "identifier")) {
					uint32_t a = ts_node_start_byte(fn), b = ts_node_end_byte(fn);
					if (word_in(f->src + a, b - a, takes))
						collection = structural = 1;
				}
			}
		}
	}
	/* neither signal: it may still be a declared relationship, judged at the end */
	if (plural(an, al))
		collection = 1;
	add_cand(s, n, attr, structural, collection, l->o);
}

/* A call inside an ORM loop that runs a query using the loop variable. */
static void visit_call(struct st *s, const TSNode *nodes, const char *const *fields, unsigned depth)
{
	TSNode n = nodes[depth];
	/* an inner call of a chain starts where the outer one does: the outer one was judged already */
	if (fields[depth] && strcmp(fields[depth], "object") == 0)
		return;
	const char *name = py_call_name(s->f, n, &s->a);
	if (!name || !rules_db_runs(name))
		return;
	for (size_t i = s->nopen; i-- > 0;) {
		struct open_loop *l = &s->open[i];
		if (!l->o || !per_item(l, nodes, fields, depth))
			continue;
		if (rules_uses_name(s->f, n, l->o->var)) {
			add_cand(s, n, (TSNode){0}, 1, 0, l->o);
			return;
		}
	}
}

static int visit(const TSNode *nodes, const char *const *fields, unsigned depth, void *arg)
{
	struct st *s = arg;
	while (s->nopen && s->open[s->nopen - 1].depth >= depth) {
		if (s->open[s->nopen - 1].o)
			s->norm--;
		s->nopen--;
	}
	TSNode n = nodes[depth];
	const char *t = ts_node_type(n);
	if (!ts_node_is_named(n))
		return 1;
	if ((strcmp(t, "function_definition") == 0 || strcmp(t, "class_definition") == 0) &&
	    !rules_range_has(s->trig, s->ntrig, ts_node_start_byte(n), ts_node_end_byte(n)))
		return 1; /* no ORM query nor relationship in it */
	switch (t[0]) {
	case 'a':
		if (strcmp(t, "assignment") == 0)
			note_declaration(s, n);
		else if (strcmp(t, "attribute") == 0 && s->norm)
			visit_attribute(s, nodes, fields, depth);
		break;
	case 'c':
		if (strcmp(t, "call") == 0 && s->norm)
			visit_call(s, nodes, fields, depth);
		break;
	case 'f':
	case 'l':
	case 's':
	case 'd':
	case 'g':
		if (strcmp(t, "for_statement") == 0 || strcmp(t, "list_comprehension") == 0 ||
		    strcmp(t, "set_comprehension") == 0 || strcmp(t, "dictionary_comprehension") == 0 ||
		    strcmp(t, "generator_expression") == 0) {
			if (s->nopen == sizeof(s->open) / sizeof(s->open[0]))
				break; /* nested past 64 loops: the deeper ones are not looked at */
			struct open_loop *l = &s->open[s->nopen];
			memset(l, 0, sizeof(*l));
			l->depth = depth;
			struct orm_loop tmp = {0};
			tmp.loop = n;
			if (rules_orm_loop(s->f, n, &s->a, &tmp.var, tmp.srcs, NSRC, &tmp.nsrc, &tmp.chain)) {
				tmp.kind = rules_db_kind(tmp.chain);
				l->o = arena_alloc(&s->a, sizeof(*l->o));
				*l->o = tmp;
				s->norm++;
			}
			if (t[0] == 'f') {
				l->left = py_field(n, "left");
			} else {
				uint32_t nc = ts_node_named_child_count(n);
				for (uint32_t i = 0; i < nc; i++) {
					TSNode c = ts_node_named_child(n, i);
					if (py_is(c, "for_in_clause")) {
						l->first = c;
						l->left = py_field(c, "left");
						break;
					}
				}
			}
			if (l->o)
				l->left = l->o->var; /* enumerate(...): the item, not the pair */
			s->nopen++;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* ---- judging and reporting ---- */

/* Collect the text of eager-load calls' arguments found in the query's expressions. */
struct eager_acc {
	const struct py_file *f;
	struct arena *a;
	struct buf b;
	int all;
};

static int eager_visit(TSNode n, void *arg)
{
	struct eager_acc *e = arg;
	if (!py_is(n, "call"))
		return 0;
	/* resolved, so that `from sqlalchemy.orm import subqueryload as sqload` counts */
	const char *name = py_last(py_call_name(e->f, n, e->a));
	if (!name)
		return 0;
	static const char *const loaders[] = {"joinedload", "selectinload", "subqueryload", "immediateload",
					      "contains_eager", "defaultload", "lazyload", "select_related",
					      "prefetch_related", "Prefetch", "selectin_polymorphic", NULL};
	const struct py_file *f = e->f;
	if (!word_in(name, strlen(name), loaders))
		return 0;
	TSNode args = py_field(n, "arguments");
	uint32_t s = ts_node_start_byte(args), t = ts_node_end_byte(args);
	if (strcmp(name, "select_related") == 0 && py_is(args, "argument_list") &&
	    ts_node_named_child_count(args) == 0)
		e->all = 1;
	if (t > s) {
		if (memmem(f->src + s, t - s, "'*'", 3) || memmem(f->src + s, t - s, "\"*\"", 3))
			e->all = 2;
		buf_put(&e->b, f->src + s, t - s);
		buf_putc(&e->b, ' ');
	}
	return 0;
}

static void compute_eager(const struct py_file *f, struct orm_loop *o, struct arena *a)
{
	if (o->eager)
		return;
	struct eager_acc e = {.f = f, .a = a};
	for (size_t i = 0; i < o->nsrc; i++)
		py_walk(o->srcs[i], eager_visit, &e);
	o->eager = arena_strdup(a, buf_str(&e.b));
	o->eager_all = e.all;
	buf_free(&e.b);
}

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* name appears in the eager text as a word ("tags" in "'tags__owner'" and in "Post.tags)"). */
static int eager_has(const char *text, const char *name, size_t n)
{
	for (const char *p = text; (p = strstr(p, name)) != NULL; p++) {
		const char *e = p + n;
		int before = p == text || !ident_char(p[-1]);
		int after = !ident_char(*e) || (e[0] == '_' && e[1] == '_');
		/* strstr above compares up to NUL: make sure the match has the full name */
		if (before && after && strncmp(p, name, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Where to put the eager load in the origin expression of the query: the
 * end of "X.query" / "X.objects" / "x.y_set", of "session.query(X)", or of
 * the select(X) inside session.scalars(...) / session.execute(...). *model
 * gets X's text (or NULL). Returns the byte offset, or 0 when none.
 */
static uint32_t insertion_point(const struct py_file *f, TSNode e, struct arena *a, const char **model)
{
	*model = NULL;
	for (int i = 0; i < 64 && !ts_node_is_null(e); i++) {
		if (py_is(e, "call")) {
			TSNode fn = py_field(e, "function"), args = py_field(e, "arguments");
			TSNode a0 = {0};
			if (py_is(args, "argument_list") && ts_node_named_child_count(args) > 0)
				a0 = ts_node_named_child(args, 0);
			const char *cn = py_last(py_call_name(f, e, a));
			if (cn && strcmp(cn, "select") == 0) {
				if (!ts_node_is_null(a0))
					*model = py_text(f, a0, a);
				return ts_node_end_byte(e);
			}
			if (!py_is(fn, "attribute"))
				return 0;
			TSNode at = py_field(fn, "attribute");
			if (text_is(f, at, "query")) {
				if (!ts_node_is_null(a0))
					*model = py_text(f, a0, a);
				return ts_node_end_byte(e);
			}
			if ((text_is(f, at, "scalars") || text_is(f, at, "execute") || text_is(f, at, "exec")) &&
			    !ts_node_is_null(a0)) {
				e = a0; /* select(X).where(...): look for the select */
				continue;
			}
			e = py_field(fn, "object");
			continue;
		}
		if (py_is(e, "attribute")) {
			TSNode at = py_field(e, "attribute");
			uint32_t s = ts_node_start_byte(at), t = ts_node_end_byte(at);
			if (text_is(f, at, "query") || text_is(f, at, "objects") || text_is(f, at, "_default_manager") ||
			    text_is(f, at, "_base_manager") || ends_with(f->src + s, t - s, "_set")) {
				*model = ends_with(f->src + s, t - s, "_set") ? NULL : py_text(f, py_field(e, "object"), a);
				return ts_node_end_byte(e);
			}
			e = py_field(e, "object");
			continue;
		}
		break;
	}
	return 0;
}

/* The origin rewritten with the eager load of attr, on one line; or a sentence when it cannot be. */
static const char *eager_fix(const struct py_file *f, const struct orm_loop *o, const char *attr, int coll,
			     struct arena *a)
{
	TSNode origin = o->srcs[o->nsrc - 1];
	const char *model = NULL;
	uint32_t at = insertion_point(f, origin, a, &model);
	int django = o->kind == 'd';
	const char *ins;
	if (django)
		ins = arena_printf(a, ".%s(\"%s\")", coll ? "prefetch_related" : "select_related", attr);
	else
		ins = arena_printf(a, ".options(%s(%s.%s))", coll ? "selectinload" : "joinedload", model ? model : "Model",
				   attr);
	if (!at) {
		if (django)
			return arena_printf(a, "add %s to the queryset that is iterated", ins + 1);
		return arena_printf(a, "add %s to the query that is iterated", ins + 1);
	}
	uint32_t s = ts_node_start_byte(origin), e = ts_node_end_byte(origin);
	const char *whole = arena_printf(a, "%.*s%s%.*s", (int)(at - s), f->src + s, ins, (int)(e - at), f->src + at);
	/* one line, as rules_short_text would print it */
	struct buf b = {0};
	int sp = 0;
	for (const char *p = whole; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ' || (*p == '\\' && (p[1] == '\n' || p[1] == '\r'))) {
			sp = 1;
			continue;
		}
		if (sp && b.len && !strchr("([{.", b.data[b.len - 1]) && !strchr(")]}.,", *p))
			buf_putc(&b, ' ');
		sp = 0;
		buf_putc(&b, *p);
	}
	const char *line = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	if (o->nsrc > 1) {
		/* the variable assigned from the origin: the root of the expression before it */
		TSNode prev = o->srcs[o->nsrc - 2];
		while (py_is(prev, "call") || py_is(prev, "attribute"))
			prev = py_is(prev, "call") ? py_field(prev, "function") : py_field(prev, "object");
		if (py_is(prev, "identifier"))
			return arena_printf(a, "%s = %s", py_text(f, prev, a), line);
	}
	return line;
}

/* A short description of the iterated query: "Profile.query.all()" or "profiles (Profile.query.all(), line 3)". */
static const char *describe(const struct py_file *f, const struct orm_loop *o, struct arena *a)
{
	TSNode origin = o->srcs[o->nsrc - 1];
	const char *q = rules_short_text(f, origin, a, 70);
	if (o->nsrc == 1)
		return q;
	return arena_printf(a, "%s (%s, line %u)", rules_short_text(f, o->srcs[0], a, 30), q, py_line(origin));
}

/* The fix for a per-item query: one IN query before the loop, built from the call when it is simple. */
static const char *query_fix(const struct py_file *f, const struct orm_loop *o, TSNode call, struct arena *a)
{
	const char *name = py_call_name(f, call, a);
	int kind = name ? rules_db_kind(name) : 0;
	TSNode iter = o->srcs[0];
	const char *it = rules_short_text(f, iter, a, 120);
	const char *var = py_text(f, o->var, a);
	/* find the keyword argument (k=<expr using var>) of the chain's filter call */
	TSNode e = call;
	for (int i = 0; i < 32 && py_is(e, "call"); i++) {
		TSNode args = py_field(e, "arguments");
		uint32_t na = py_is(args, "argument_list") ? ts_node_named_child_count(args) : 0;
		for (uint32_t j = 0; j < na; j++) {
			TSNode kw = ts_node_named_child(args, j);
			if (!py_is(kw, "keyword_argument"))
				continue;
			TSNode k = py_field(kw, "name"), v = py_field(kw, "value");
			if (ts_node_is_null(v) || !rules_uses_name(f, v, o->var))
				continue;
			const char *ks = py_text(f, k, a), *vs = rules_short_text(f, v, a, 60);
			const char *model = NULL;
			insertion_point(f, call, a, &model); /* for the model's name */
			if (kind == 'd' && model)
				return arena_printf(a,
						    "%s.objects.filter(%s__in=[%s for %s in %s]) once before the loop, "
						    "then a dict keyed by %s",
						    model, ks, vs, var, it, ks);
			if (kind == 'q' && model)
				return arena_printf(a,
						    "%s.query.filter(%s.%s.in_([%s for %s in %s])).all() once before the "
						    "loop, then a dict keyed by %s",
						    model, model, ks, vs, var, it, ks);
		}
		TSNode fn = py_field(e, "function");
		e = py_is(fn, "attribute") ? py_field(fn, "object") : fn;
	}
	if (o->kind == 'd')
		return "prefetch_related(...) on the iterated queryset, or one filter(<field>__in=[...]) query before "
		       "the loop and a dict lookup";
	return "selectinload(...) in .options() of the iterated query, or one query with .in_([...]) of the items' "
	       "keys before the loop and a dict lookup";
}

static void report(struct st *s, struct scan_out *out)
{
	const struct py_file *f = s->f;
	unsigned last_line = 0;
	struct arena *a = &s->a;
	for (size_t i = 0; i < s->ncands; i++) {
		struct cand *c = &s->cands[i];
		unsigned line = py_line(c->at);
		int dup = 0;
		/* one finding per line; one per relationship name per loop */
		if (line == last_line)
			continue;
		/* candidates are in document order: only those inside this loop's span can share it */
		uint32_t loop_start = ts_node_start_byte(c->o->loop);
		for (size_t j = i; j-- > 0 && !ts_node_is_null(c->attr);) {
			struct cand *d = &s->cands[j];
			if (ts_node_start_byte(d->at) < loop_start)
				break;
			if (d->o != c->o || d->structural != 2 || ts_node_is_null(d->attr))
				continue;
			size_t dl = ts_node_end_byte(d->attr) - ts_node_start_byte(d->attr);
			if (dl == ts_node_end_byte(c->attr) - ts_node_start_byte(c->attr) &&
			    memcmp(f->src + ts_node_start_byte(d->attr), f->src + ts_node_start_byte(c->attr), dl) == 0) {
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		const char *loopdesc = describe(f, c->o, a);
		unsigned loopline = py_line(c->o->loop);
		if (ts_node_is_null(c->attr)) {
			const char *q = rules_short_text(f, c->at, a, 70);
			scan_emit(out, f, "n-plus-one", c->at,
				  arena_printf(a, "%s runs once per item of %s (loop at line %u): one query per row", q,
					       loopdesc, loopline),
				  query_fix(f, c->o, c->at, a), 0);
			last_line = line;
			continue;
		}
		const char *an = f->src + ts_node_start_byte(c->attr);
		size_t al = ts_node_end_byte(c->attr) - ts_node_start_byte(c->attr);
		int decl = rel_state(s, an, al);
		if (decl == 2)
			continue; /* declared lazy="joined" / "selectin": loaded with its parent */
		if (!c->structural && !decl)
			continue;
		compute_eager(f, c->o, a);
		if (c->o->eager_all == 2 || eager_has(c->o->eager, arena_strndup(a, an, al), al))
			continue;
		if (c->o->eager_all == 1 && !c->collection)
			continue; /* select_related() follows every foreign key */
		const char *attr = arena_strndup(a, an, al);
		const char *var = py_text(f, c->o->var, a);
		scan_emit(out, f, "n-plus-one", c->at,
			  arena_printf(a, "%s is iterated (loop at line %u) and %s.%s is read per item: one query per row",
				       loopdesc, loopline, var, attr),
			  eager_fix(f, c->o, attr, c->collection, a), 0);
		c->structural = 2; /* reported: later reads of the same name in this loop are not */
		last_line = line;
	}
}

static void check(const struct py_file *f, struct scan_out *out)
{
	struct st s;
	memset(&s, 0, sizeof(s));
	s.f = f;
	s.ntrig = rules_find_words(f, triggers, &s.trig);
	if (s.ntrig) {
		rules_walk(f->root, visit, &s);
		report(&s, out);
	}
	free(s.trig);
	free(s.cands);
	free(s.rels);
	arena_free(&s.a);
}

const struct scan_rule scan_rule_n_plus_one = {
	.name = "n-plus-one",
	.severity = PA_SEV_HIGH,
	.summary = "a loop over ORM query results reads a lazy relationship or runs a query per item",
	.check = check,
	.collect = NULL,
	.finish = NULL,
};
