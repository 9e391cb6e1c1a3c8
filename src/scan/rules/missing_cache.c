/*
 * missing-cache: the same expensive read done again with the same
 * arguments, where one result (hoisted, or cached with an expiry) would do.
 *
 * Expensive reads are: ORM / DB-API queries (scan_is_db_call) that read —
 * not session.add / commit / delete, QuerySet.update / create, an execute
 * of INSERT / UPDATE / DELETE / DDL, nor a bare cursor.fetchone(), which
 * moves the cursor on; HTTP requests (scan_is_http_call) that are GET, HEAD
 * or OPTIONS — a POST is a write and not cacheable; a file parsed whole
 * (json / yaml / toml / pickle .load of open(...)), open(...).read(),
 * Path(...).read_text() / read_bytes(). Not a bare open(), os.listdir or
 * glob: code lists a directory or reopens a file again precisely because
 * something (often a call we cannot see into) changed it. Not re.compile:
 * the re module keeps its own cache of the last patterns, so a compile in
 * a loop is a dict lookup. Calls whose result is meant to differ each time
 * (time.time(), datetime.now(), uuid4(), random.*) are none of these and
 * never reported.
 *
 * Two shapes, within one function (or module, class body, lambda):
 *   1. loop-invariant: an expensive read inside a loop where no name the
 *      call mentions (receiver, arguments, including the loop target) is
 *      bound or mutated in that loop — every iteration gets the same
 *      answer. Loops that look like polling or retrying are left alone: a
 *      body that sleeps, `while True:`, `for _ in range(n)` with the
 *      counter unused, a `while` condition (it re-checks what the body
 *      changes); so are loops that write (commit, save, POST, a file
 *      write, json.dump, shutil.copy, os.remove), since the read may see
 *      the write; and the body of `if x == "literal":` in a loop, which
 *      runs for the one item picked. A DB read whose arguments DO change
 *      with the loop is an N+1 / query-in-loop finding (those rules), not
 *      this one: they own queries that differ per iteration, this rule the
 *      same read repeated.
 *   2. repeated: the same call, token for token (white space, line breaks
 *      and comments aside), a second time in the function with no
 *      rebinding of a name it mentions and no write in between, and not in
 *      the other branch of an if / try / match, nor after a branch that
 *      returned. Reported at the repeat.
 * Left alone: a function decorated with a cache (@lru_cache, @cache,
 * @cached, @ttl_cache, @memoize, @cached_property), test functions (test*)
 * and test modules (see test_module): tests read again on purpose.
 *
 * One pre-order walk (py_walk_file) keeps a stack of scopes and loops
 * popped by byte position; nodes are dispatched by symbol through a table
 * built once per file, and a call is named and resolved only when its last
 * name could be one the lists know (maybe_named). Loops collect the names
 * bound inside them and their candidate calls, judged when the loop ends (a
 * name may be rebound after the call); scopes collect every expensive call
 * for the repeat check at their end. Only candidate calls are looked into
 * again (bounded sub-walks).
 */
#include "scan/rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

#define RULE "missing-cache"
#define MAX_SUBWALK 256 /* nodes looked at inside one call; larger calls are not judged */
#define MAX_DEPTH 256   /* ancestors looked at when two repeats may be exclusive */
#define MAX_CALLEE 2048 /* bytes of callee text we name; longer chains are not judged */

/* A slice of the source. */
/* A binding of a name at a byte position (an assignment, a loop target, a mutation). */
struct pos {
	uint32_t at;
	struct pos *next;
};

struct nent {
	union { /* the key of its name table (rules.h) */
		struct scan_name key;
		struct {
			struct py_span s;
			struct nent *next;
		};
	};
	struct pos *pos;
};

/* Names, chained hash in the walk's arena. */
struct ntab {
	struct scan_names names;
};

enum what { W_DB, W_HTTP, W_FILE };

/* An expensive read. */
struct occ {
	TSNode call;
	uint32_t start, end;
	const char *norm; /* its tokens joined by one space (comments and line breaks gone), or NULL: too long */
	uint64_t hash;    /* of norm */
	enum what what;
	int deliberate; /* in a polling or retry loop: fetched again on purpose */
	int reported;
	struct occ *next;
};

/* A loop's candidate: one of its scope's occurrences. */
struct lcand {
	struct occ *o;
	struct lcand *next;
};

enum fkind { F_SCOPE, F_LOOP, F_ONCE }; /* F_ONCE: the body of `if x == "literal":` */

/*
 * An open scope or loop. A loop runs [on_s, on_e) per iteration minus
 * [off_s, off_e): a for body; a while body (its condition is a re-check);
 * a comprehension but its first iterable.
 */
struct frame {
	enum fkind kind;
	TSNode node;
	uint32_t end, on_s, on_e, off_s, off_e;
	unsigned line;
	const char *word;     /* "for", "while", "comprehension" */
	/* F_SCOPE */
	struct ntab binds;    /* every binding, with positions */
	struct occ *occs, **occ_tail;
	uint32_t *writes;     /* positions of write calls */
	size_t nwrites, capwrites;
	int cached;           /* decorated with a cache, or a test function: nothing to report */
	/* F_LOOP */
	struct ntab bound;    /* names bound or mutated in the loop */
	struct lcand *cands, **cand_tail;
	int polling;          /* sleeps, or while True */
	int writes_inside;
	struct py_span counter;  /* for X in range(..): X, to see whether the body uses it */
	int counter_used;
};

struct walk {
	const struct py_file *f;
	struct scan_out *out;
	struct arena a;
	struct frame *fr;
	size_t nfr, cap;
	uint32_t skip_until;  /* inside a recorded call: its inner calls are part of it */
	int next_cached;      /* the decorated definition being entered has a cache decorator */
	uint32_t next_cached_at;
	struct ntab imported; /* first components of the names the imports bind */
	unsigned char *act;   /* what visit does per node symbol (enum act), built once per file */
	uint32_t nsym;
	TSFieldId f_function, f_attribute, f_object;
};

/* What visit does with a node, by its symbol. */
enum act { A_NONE, A_ASSIGN, A_AS, A_CALL, A_CLASS, A_DECORATED, A_COMP, A_FOR, A_WHILE, A_FUNC, A_IDENT, A_IF,
	   A_LAMBDA, A_NAMED };

/* ---- small helpers ---- */

static int str_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* ---- name tables ---- */

static struct nent *nt_find(const struct ntab *t, struct py_span r)
{
	return (struct nent *)scan_names_find(&t->names, r);
}

static struct nent *nt_get(struct walk *w, struct ntab *t, struct py_span r)
{
	return (struct nent *)scan_names_get(&t->names, &w->a, r, sizeof(struct nent), NULL);
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
	fr->node = n;
	fr->end = ts_node_end_byte(n);
	fr->on_s = ts_node_start_byte(n);
	fr->on_e = fr->end;
	fr->line = py_line(n);
	fr->occ_tail = &fr->occs;
	fr->cand_tail = &fr->cands;
	return fr;
}

static struct frame *scope_frame(struct walk *w)
{
	for (size_t i = w->nfr; i-- > 0;)
		if (w->fr[i].kind == F_SCOPE)
			return &w->fr[i];
	return &w->fr[0];
}

static int per_iteration(const struct frame *fr, uint32_t pos)
{
	return pos >= fr->on_s && pos < fr->on_e && !(pos >= fr->off_s && pos < fr->off_e);
}

/* The innermost loop of the current scope that runs pos once per iteration, or NULL. */
static struct frame *loop_at(struct walk *w, uint32_t pos)
{
	for (size_t i = w->nfr; i-- > 0;) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_SCOPE)
			return NULL;
		if (fr->kind == F_ONCE) {
			if (pos >= fr->on_s && pos < fr->on_e)
				return NULL; /* runs for the item picked, not for every one */
			continue;
		}
		if (per_iteration(fr, pos))
			return fr;
	}
	return NULL;
}

/* A name bound (or mutated) at pos: in the scope's list and in every loop around it. */
static void bind_name(struct walk *w, struct py_span name, uint32_t at)
{
	for (size_t i = w->nfr; i-- > 0;) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_SCOPE) {
			struct nent *e = nt_get(w, &fr->binds, name);
			struct pos *p = arena_alloc(&w->a, sizeof(*p));
			p->at = at;
			p->next = e->pos;
			e->pos = p;
			return;
		}
		if (fr->kind == F_LOOP)
			nt_get(w, &fr->bound, name);
	}
}

/* The names a target binds; x.attr and x[k] = ... mutate x, so they bind x too. */
static void bind_target(struct walk *w, TSNode t, uint32_t at, int depth)
{
	if (ts_node_is_null(t) || depth > 12)
		return;
	const char *ty = ts_node_type(t);
	if (strcmp(ty, "identifier") == 0) {
		bind_name(w, py_span_of(w->f, t), at);
		return;
	}
	if (strcmp(ty, "attribute") == 0) {
		bind_target(w, py_field(t, "object"), at, depth + 1);
		return;
	}
	if (strcmp(ty, "subscript") == 0) {
		bind_target(w, py_field(t, "value"), at, depth + 1);
		return;
	}
	uint32_t nc = ts_node_named_child_count(t);
	for (uint32_t i = 0; i < nc && i < 64; i++)
		bind_target(w, ts_node_named_child(t, i), at, depth + 1);
}

static void note_write(struct walk *w, uint32_t at)
{
	for (size_t i = w->nfr; i-- > 0;) {
		struct frame *fr = &w->fr[i];
		if (fr->kind == F_SCOPE) {
			if (fr->nwrites == fr->capwrites) {
				size_t cap = fr->capwrites ? fr->capwrites * 2 : 16;
				uint32_t *nw = arena_alloc(&w->a, cap * sizeof(*nw));
				if (fr->nwrites)
					memcpy(nw, fr->writes, fr->nwrites * sizeof(*nw));
				fr->writes = nw;
				fr->capwrites = cap;
			}
			fr->writes[fr->nwrites++] = at;
			return;
		}
		fr->writes_inside = 1;
	}
}

static void note_sleep(struct walk *w)
{
	for (size_t i = w->nfr; i-- > 0 && w->fr[i].kind != F_SCOPE;)
		w->fr[i].polling = 1;
}

/* ---- what a call is ---- */

/* The last component of a resolved name, without its "()" ("x.first()" never ends so, but be safe). */
static const char *last_comp(const char *name, struct arena *a)
{
	const char *l = py_last(name);
	size_t n = strlen(l);
	while (n >= 2 && l[n - 2] == '(' && l[n - 1] == ')')
		n -= 2;
	return arena_strndup(a, l, n);
}

/* Any component of name (dots, "()" ignored) is one of words. */
static int any_comp(const char *name, const char *const *words)
{
	const char *p = name;
	while (*p) {
		const char *e = p;
		while (*e && *e != '.' && *e != '(')
			e++;
		for (const char *const *w = words; *w; w++)
			if (strlen(*w) == (size_t)(e - p) && memcmp(p, *w, (size_t)(e - p)) == 0)
				return 1;
		while (*e == '(' || *e == ')')
			e++;
		if (*e == '.')
			e++;
		p = e;
	}
	return 0;
}

/* The first string of a call's first argument, skipping a text(...) wrapper; NULL when none. */
static TSNode first_string_arg(TSNode call)
{
	TSNode none = {0}, args = py_field(call, "arguments");
	if (!py_is(args, "argument_list") || ts_node_named_child_count(args) == 0)
		return none;
	TSNode a = ts_node_named_child(args, 0);
	for (int d = 0; py_is(a, "call") && d < 2; d++) {
		TSNode in = py_field(a, "arguments");
		if (!py_is(in, "argument_list") || ts_node_named_child_count(in) == 0)
			return none;
		a = ts_node_named_child(in, 0);
	}
	if (py_is(a, "concatenated_string") && ts_node_named_child_count(a))
		a = ts_node_named_child(a, 0);
	return py_is(a, "string") ? a : none;
}

/* SQL text that changes data or schema (its first word). */
static int sql_writes(const struct py_file *f, TSNode str)
{
	static const char *const verbs[] = {"insert", "update", "delete", "replace", "merge", "create", "drop",
					    "alter", "truncate", "call", "set", "begin", "commit", "rollback",
					    "grant", "lock", "vacuum", "analyze", "copy", "upsert", NULL};
	struct py_span r = py_span_of(f, str);
	uint32_t i = 0;
	while (i < r.n && r.s[i] != '"' && r.s[i] != '\'')
		i++;
	while (i < r.n && (r.s[i] == '"' || r.s[i] == '\'' || isspace((unsigned char)r.s[i]) || r.s[i] == '('))
		i++;
	char word[16];
	size_t k = 0;
	while (i < r.n && k + 1 < sizeof(word) && isalpha((unsigned char)r.s[i]))
		word[k++] = (char)tolower((unsigned char)r.s[i++]);
	word[k] = '\0';
	return k && str_in(word, verbs);
}

/* The first argument builds a write statement: insert(T) / update(T) / delete(T). */
static int builder_writes(struct walk *w, TSNode call)
{
	TSNode args = py_field(call, "arguments");
	if (!py_is(args, "argument_list") || ts_node_named_child_count(args) == 0)
		return 0;
	TSNode a = ts_node_named_child(args, 0);
	if (!py_is(a, "call"))
		return 0;
	const char *n = py_call_name(w->f, a, &w->a);
	if (!n)
		return 0;
	static const char *const b[] = {"insert", "update", "delete", NULL};
	const char *l = py_last(n);
	/* sqlalchemy.insert(T) and insert(T).values(...) alike */
	return str_in(l, b) || (strncmp(n, "insert(", 7) == 0 || strncmp(n, "update(", 7) == 0 ||
				 strncmp(n, "delete(", 7) == 0 || strstr(n, ".insert(") || strstr(n, ".update(") ||
				 strstr(n, ".delete("));
}

/* Keyword argument named key present in the call. */
static int has_keyword(struct walk *w, TSNode call, const char *key)
{
	TSNode args = py_field(call, "arguments");
	uint32_t nc = ts_node_named_child_count(args);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (py_is(a, "keyword_argument")) {
			struct py_span k = py_span_of(w->f, py_field(a, "name"));
			if (k.n == strlen(key) && memcmp(k.s, key, k.n) == 0)
				return 1;
		}
	}
	return 0;
}

/* The positional argument i, or a null node. */
static TSNode pos_arg(TSNode call, uint32_t i)
{
	TSNode none = {0}, args = py_field(call, "arguments");
	if (!py_is(args, "argument_list"))
		return none;
	uint32_t nc = ts_node_named_child_count(args), k = 0;
	for (uint32_t j = 0; j < nc; j++) {
		TSNode a = ts_node_named_child(args, j);
		if (py_is(a, "keyword_argument") || py_is(a, "list_splat") || py_is(a, "dictionary_splat"))
			continue;
		if (k++ == i)
			return a;
	}
	return none;
}

/* open(path) / open(path, "r"): a read; any w, a, x or + in the mode is a write. */
static int open_reads(struct walk *w, TSNode call)
{
	TSNode mode = pos_arg(call, 1);
	if (ts_node_is_null(mode)) {
		TSNode args = py_field(call, "arguments");
		uint32_t nc = ts_node_named_child_count(args);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode a = ts_node_named_child(args, i);
			if (py_is(a, "keyword_argument")) {
				struct py_span k = py_span_of(w->f, py_field(a, "name"));
				if (k.n == 4 && memcmp(k.s, "mode", 4) == 0)
					mode = py_field(a, "value");
			}
		}
	}
	if (ts_node_is_null(mode))
		return 1;
	if (!py_is(mode, "string"))
		return 0; /* a mode we cannot read */
	struct py_span m = py_span_of(w->f, mode);
	for (uint32_t i = 0; i < m.n; i++)
		if (strchr("wax+", m.s[i]))
			return 0;
	return 1;
}

static int is_open_call(struct walk *w, TSNode n)
{
	if (!py_is(n, "call"))
		return 0;
	const char *name = py_call_name(w->f, n, &w->a);
	static const char *const opens[] = {"open", "io.open", "codecs.open", "builtins.open", NULL};
	return name && str_in(name, opens) && open_reads(w, n);
}

enum verdict { V_NONE, V_READ, V_WRITE, V_SLEEP };

/*
 * A DB call (scan_is_db_call) whose last method runs the query. Django
 * QuerySets (X.objects..., x.y_set..., managers) run on get / first /
 * count / exists ... — all(), filter(), order_by() build a lazy QuerySet
 * that is often handed on unevaluated (queryset=Region.objects.all()).
 * SQLAlchemy queries run on all / first / one / scalar / count / get and
 * session.execute / scalars; filter() and friends only build.
 */
static int runs_query(const char *name, const char *last)
{
	static const char *const django[] = {"get", "first", "last", "count", "exists", "aggregate", "latest",
					     "earliest", "in_bulk", "contains", "aget", "afirst", "alast", "acount",
					     "aexists", "aaggregate", "alatest", "aearliest", "ain_bulk",
					     "acontains", NULL};
	static const char *const sqla[] = {"all", "first", "one", "one_or_none", "scalar", "scalar_one",
					   "scalar_one_or_none", "scalars", "count", "get", "get_or_404",
					   "first_or_404", "one_or_404", "paginate", "execute", "fetchall", "fetchone",
					   "fetchmany", "fetch", "fetchrow", "fetchval", "get_one", "exec",
					   "read_sql", "read_sql_query", "read_sql_table", NULL};
	if (strstr(name, ".objects.") || strstr(name, "_set.") || strstr(name, "_default_manager.") ||
	    strstr(name, "_base_manager."))
		return str_in(last, django);
	return str_in(last, sqla);
}

/*
 * A call that writes files or directories: os / shutil functions by their
 * full name, and methods no str, list or dict has (write, dump, save ...);
 * not replace / remove / copy, which str.replace, list.remove and
 * dict.copy would match.
 */
static int fs_write(const char *name, const char *last)
{
	static const char *const full[] = {"os.remove", "os.unlink", "os.rename", "os.replace", "os.mkdir",
					   "os.makedirs", "os.rmdir", "os.truncate", "shutil.copy", "shutil.copy2",
					   "shutil.copyfile", "shutil.copytree", "shutil.copyfileobj", "shutil.move",
					   "shutil.rmtree", NULL};
	static const char *const methods[] = {"dump", "truncate", "unlink", "rename", "mkdir", "rmdir", "touch",
					      "symlink_to", "rmtree", NULL};
	static const char *const prefix[] = {"write", "save", NULL};
	if (str_in(name, full) || str_in(last, methods))
		return 1;
	for (const char *const *p = prefix; *p; p++)
		if (strncmp(last, *p, strlen(*p)) == 0)
			return 1;
	return 0;
}

/*
 * Classify a call: V_READ (an expensive read, *what says which), V_WRITE
 * (it changes state a read could see), V_SLEEP (a loop that sleeps polls),
 * or V_NONE.
 */
static enum verdict classify(struct walk *w, TSNode call, const char *name, enum what *what)
{
	static const char *const db_writes[] = {
		"add", "add_all", "commit", "flush", "delete", "merge", "save", "create", "get_or_create",
		"update_or_create", "bulk_create", "bulk_update", "update", "insert", "executemany",
		"executescript", "callproc", "begin", "rollback", "refresh", "expire", "expunge",
		"adelete", "aupdate", "acreate", "aget_or_create", "aupdate_or_create", "abulk_create",
		"abulk_update", "asave", "select_for_update", "with_for_update", NULL};
	static const char *const cursor_moves[] = {"fetchone", "fetchmany", "fetchall", "fetch", "fetchrow",
						   "fetchval", "iterator", "aiterator", "scroll", "partitions",
						   "yield_per", NULL};
	static const char *const http_reads[] = {"get", "head", "options", "urlopen", NULL};
	static const char *const http_writes[] = {"post", "put", "patch", "delete", "send", "stream", NULL};
	static const char *const loaders[] = {"json.load", "yaml.load", "yaml.safe_load", "yaml.full_load",
					      "yaml.unsafe_load", "tomllib.load", "toml.load", "pickle.load",
					      "marshal.load", "plistlib.load", NULL};
	static const char *const sleeps[] = {"time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep",
					     "eventlet.sleep", NULL};
	/* writes whatever the receiver: no dict or set has these */
	static const char *const writes_any[] = {"save", "delete", "commit", "flush", "rollback", "bulk_create",
						 "bulk_update", "add_all", "asave", "adelete", NULL};
	/* writes when the receiver is a session or a manager (a dict has update, a set add) */
	static const char *const writes_session[] = {"add", "create", "update", "merge", "get_or_create",
						     "update_or_create", NULL};
	if (!name)
		return V_NONE;
	const char *last = last_comp(name, &w->a);
	if (str_in(name, sleeps))
		return V_SLEEP;
	if (scan_is_http_call(name)) {
		if (str_in(last, http_writes))
			return V_WRITE;
		if (strcmp(last, "request") == 0) {
			/* request("GET", url) */
			TSNode m = pos_arg(call, 0);
			struct py_span r = py_is(m, "string") ? py_span_of(w->f, m) : (struct py_span){"", 0};
			if (r.n >= 5 && (memcmp(r.s + 1, "GET", 3) == 0 || memcmp(r.s + 1, "HEAD", 4) == 0))
				goto http_read;
			return V_WRITE;
		}
		if (!str_in(last, http_reads))
			return V_NONE;
		if (strcmp(last, "urlopen") == 0 && (has_keyword(w, call, "data") || !ts_node_is_null(pos_arg(call, 1))))
			return V_WRITE;
	http_read:
		*what = W_HTTP;
		return V_READ;
	}
	if (scan_is_db_call(name)) {
		if (any_comp(name, db_writes))
			return V_WRITE;
		/* cur.fetchone(): the cursor moves on; cur.execute(q).fetchall() is one read */
		if (str_in(last, cursor_moves)) {
			const char *dot = strrchr(name, '.');
			if (!dot || dot < name + 2 || dot[-1] != ')')
				return V_NONE;
		}
		/* builders and Django QuerySets are lazy: only the method that runs the query reads */
		if (!runs_query(name, last))
			return V_NONE;
		TSNode s = first_string_arg(call);
		if (!ts_node_is_null(s) && sql_writes(w->f, s))
			return V_WRITE;
		/* a write statement run through a chain: cur.execute("UPDATE ..").rowcount is not a call */
		if (builder_writes(w, call))
			return V_WRITE;
		*what = W_DB;
		return V_READ;
	}
	/* Model.save(), obj.delete(), session.commit() that common.c does not see as queries */
	if (strchr(name, '.') && (str_in(last, writes_any) ||
				  (str_in(last, writes_session) && (strstr(name, "session") || strstr(name, "objects") ||
								    strncmp(name, "db.", 3) == 0))))
		return V_WRITE;
	/* open(p, "w"): a file write */
	if (str_in(name, (const char *const[]){"open", "io.open", "codecs.open", NULL}) && !open_reads(w, call))
		return V_WRITE;
	if (str_in(name, loaders) && is_open_call(w, pos_arg(call, 0))) {
		*what = W_FILE;
		return V_READ;
	}
	/* files and directories changed under the reads: f.write, json.dump, shutil.copy, os.remove ... */
	if (fs_write(name, last))
		return V_WRITE;
	/* open(p).read(), pathlib.Path(p).read_text() */
	static const char *const reads[] = {"read", "readlines", "read_text", "read_bytes", NULL};
	if (str_in(last, reads)) {
		TSNode fn = py_field(call, "function");
		TSNode obj = py_is(fn, "attribute") ? py_field(fn, "object") : (TSNode){0};
		if (is_open_call(w, obj)) {
			*what = W_FILE;
			return V_READ;
		}
		const char *on = py_is(obj, "call") ? py_call_name(w->f, obj, &w->a) : NULL;
		if (on && (strcmp(on, "pathlib.Path") == 0 || strcmp(on, "Path") == 0) && strcmp(last, "read") &&
		    strcmp(last, "readlines")) {
			*what = W_FILE;
			return V_READ;
		}
	}
	return V_NONE;
}

/* ---- the names a call mentions ---- */

struct mention {
	struct py_span *ids;
	int n, cap, nodes;
};

static void mentions_of(struct walk *w, TSTreeCursor *c, struct mention *m, int depth)
{
	TSNode n = ts_tree_cursor_current_node(c);
	if (++m->nodes > MAX_SUBWALK || depth > 48)
		return;
	const char *t = ts_node_type(n);
	if (strcmp(t, "identifier") == 0) {
		if (m->n == m->cap) {
			int cap = m->cap ? m->cap * 2 : 16;
			struct py_span *ids = arena_alloc(&w->a, (size_t)cap * sizeof(*ids));
			if (m->n)
				memcpy(ids, m->ids, (size_t)m->n * sizeof(*ids));
			m->ids = ids;
			m->cap = cap;
		}
		m->ids[m->n++] = py_span_of(w->f, n);
		return;
	}
	int is_attr = strcmp(t, "attribute") == 0, is_kw = strcmp(t, "keyword_argument") == 0;
	if (!ts_tree_cursor_goto_first_child(c))
		return;
	do {
		const char *field = ts_tree_cursor_current_field_name(c);
		if (is_attr && field && strcmp(field, "attribute") == 0)
			continue;
		if (is_kw && field && strcmp(field, "name") == 0)
			continue;
		mentions_of(w, c, m, depth + 1);
	} while (ts_tree_cursor_goto_next_sibling(c));
	ts_tree_cursor_goto_parent(c);
}

/* The identifiers a call mentions (receiver and arguments); -1 when it is too large to judge. */
static int call_mentions(struct walk *w, TSNode call, struct mention *m)
{
	memset(m, 0, sizeof(*m));
	TSTreeCursor c = ts_tree_cursor_new(call);
	mentions_of(w, &c, m, 0);
	ts_tree_cursor_delete(&c);
	return m->nodes > MAX_SUBWALK ? -1 : 0;
}

/*
 * The call's tokens (leaves, comments left out) joined by single spaces, in
 * the walk's arena: the same call however it is wrapped or commented. NULL
 * for a call of more than MAX_SUBWALK nodes.
 */
static const char *normal_text(struct walk *w, TSNode call)
{
	struct buf b = BUF_INIT;
	TSTreeCursor c = ts_tree_cursor_new(call);
	int nodes = 0, ok = 1;
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		if (++nodes > MAX_SUBWALK) {
			ok = 0;
			break;
		}
		int leaf = ts_node_child_count(n) == 0 || py_is(n, "string_content");
		if (leaf && !py_is(n, "comment")) {
			struct py_span r = py_span_of(w->f, n);
			if (b.len)
				buf_putc(&b, ' ');
			buf_put(&b, r.s, r.n);
		}
		if (!leaf && ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c))
			if (!ts_tree_cursor_goto_parent(&c))
				goto done;
	}
done:
	ts_tree_cursor_delete(&c);
	const char *out = ok ? arena_strndup(&w->a, buf_str(&b), b.len) : NULL;
	buf_free(&b);
	return out;
}

/* ---- messages ---- */

/* What to say about keeping the result fresh, by kind. */
static const char *invalidation(struct walk *w, const struct occ *o)
{
	if (o->what == W_HTTP)
		return "cache it with an expiry, e.g. cachetools.TTLCache(maxsize=128, ttl=300) keyed by URL and "
		       "params, when it must stay fresh across calls";
	if (o->what == W_FILE)
		return "cache it keyed by the path and os.stat(path).st_mtime when it must stay fresh across calls";
	/* the model or table the query reads, when its name says so */
	const char *name = py_call_name(w->f, o->call, &w->a);
	if (name && isupper((unsigned char)name[0])) {
		size_t n = strcspn(name, ".(");
		return arena_printf(&w->a,
			"across requests, functools.lru_cache / cachetools.TTLCache(maxsize=128, ttl=60) on a helper, "
			"cleared (cache.clear()) when %.*s rows change", (int)n, name);
	}
	return "across requests, functools.lru_cache / cachetools.TTLCache(maxsize=128, ttl=60) on a helper, "
	       "cleared when the rows it reads change";
}

static const char *kind_word(enum what k)
{
	return k == W_DB ? "query" : k == W_HTTP ? "HTTP request" : "file-system read";
}

static void report_invariant(struct walk *w, struct occ *o, const struct frame *lp)
{
	const char *call = py_text_oneline(w->f, o->call, 70, &w->a);
	const char *msg = arena_printf(&w->a,
		"%s runs on every iteration of the %s loop at line %u with the same arguments: the same %s "
		"each time", call, lp->word, lp->line, kind_word(o->what));
	const char *fix = arena_printf(&w->a,
		"result = %s once before the loop at line %u, and use result inside it; %s",
		call, lp->line, invalidation(w, o));
	o->reported = 1;
	scan_emit(w->out, w->f, RULE, o->call, msg, fix, 0);
}

static void report_repeat(struct walk *w, struct occ *o, const struct occ *first)
{
	const char *call = py_text_oneline(w->f, o->call, 70, &w->a);
	const char *msg = arena_printf(&w->a,
		"%s runs again with the same arguments (first at line %u) and nothing in between changes them: "
		"a second %s for the same answer", call, py_line(first->call), kind_word(o->what));
	const char *fix = arena_printf(&w->a,
		"keep the first result (result = %s at line %u) and reuse it here; %s",
		call, py_line(first->call), invalidation(w, o));
	o->reported = 1;
	scan_emit(w->out, w->f, RULE, o->call, msg, fix, 0);
}

/* ---- judging ---- */

static int bound_in(const struct ntab *t, const struct mention *m)
{
	for (int i = 0; i < m->n; i++)
		if (nt_find(t, m->ids[i]))
			return 1;
	return 0;
}

static void judge_loop(struct walk *w, struct frame *lp)
{
	if (lp->polling || (lp->counter.n && !lp->counter_used)) {
		for (struct lcand *c = lp->cands; c; c = c->next)
			c->o->deliberate = 1;
		return;
	}
	if (lp->writes_inside)
		return;
	for (struct lcand *c = lp->cands; c; c = c->next) {
		struct mention m;
		if (call_mentions(w, c->o->call, &m) < 0 || bound_in(&lp->bound, &m))
			continue;
		/*
		 * A database query in a loop is query-in-loop's (high: a round trip
		 * per iteration, and its fix says to hoist an invariant one); this
		 * rule keeps the other loop-invariant reads (HTTP, files).
		 */
		if (c->o->what == W_DB)
			continue;
		report_invariant(w, c->o, lp);
	}
}

/* The block ends by leaving it: return, raise, continue, break. */
static int exits_block(TSNode block)
{
	uint32_t nc = ts_node_named_child_count(block);
	if (!nc)
		return 0;
	TSNode last = ts_node_named_child(block, nc - 1);
	return py_is(last, "return_statement") || py_is(last, "raise_statement") ||
	       py_is(last, "continue_statement") || py_is(last, "break_statement");
}

/*
 * Children ca (leading to the first call) and cb (to the second) of their
 * lowest common ancestor p: 1 when only one of them runs.
 */
static int other_branch(TSNode p, TSNode ca, TSNode cb)
{
	if (ts_node_eq(ca, cb))
		return 0;
	if (py_is(p, "if_statement")) /* consequence, elif, else; the condition always runs */
		return !ts_node_eq(ca, py_field(p, "condition")) && !ts_node_eq(cb, py_field(p, "condition"));
	if (py_is(p, "try_statement")) /* the except that retries; finally and else run anyway */
		return (py_is(ca, "except_clause") || py_is(cb, "except_clause")) && !py_is(cb, "finally_clause") &&
		       !(py_is(cb, "else_clause") && !py_is(ca, "except_clause"));
	if (py_is(p, "conditional_expression")) /* x if c else y */
		return ts_node_named_child_count(p) == 3 && ts_node_eq(ca, ts_node_named_child(p, 0)) &&
		       ts_node_eq(cb, ts_node_named_child(p, 2));
	/* match: the cases sit in the match's block */
	return py_is(ca, "case_clause") && py_is(cb, "case_clause");
}

/*
 * 1 when a and b (a first) cannot both run in one pass: they sit in
 * different branches of one if / try / match / conditional expression, or
 * a is in a block that ends by leaving (return, raise, continue, break)
 * and b is not in it. Walks parents: only asked of repeats, which are few.
 */
static int exclusive(TSNode a, TSNode b, TSNode scope)
{
	TSNode up[MAX_DEPTH];
	int na = 0;
	for (TSNode p = ts_node_parent(a); !ts_node_is_null(p) && na < MAX_DEPTH; p = ts_node_parent(p)) {
		up[na++] = p;
		if (ts_node_eq(p, scope))
			break;
	}
	TSNode below_b = b;
	for (TSNode p = ts_node_parent(b); !ts_node_is_null(p); p = ts_node_parent(p)) {
		for (int i = 0; i < na; i++) {
			if (!ts_node_eq(up[i], p))
				continue;
			/* p is the lowest common ancestor; up[i-1] leads to a, below_b to b */
			if (other_branch(p, i > 0 ? up[i - 1] : a, below_b))
				return 1;
			for (int k = 0; k < i; k++)
				if (py_is(up[k], "block") && exits_block(up[k]))
					return 1;
			return 0;
		}
		below_b = p;
		if (ts_node_eq(p, scope))
			break;
	}
	return 0;
}

static int bound_between(const struct frame *sc, const struct mention *m, uint32_t from, uint32_t to)
{
	for (int i = 0; i < m->n; i++) {
		struct nent *e = nt_find(&sc->binds, m->ids[i]);
		for (struct pos *p = e ? e->pos : NULL; p; p = p->next)
			if (p->at >= from && p->at < to)
				return 1;
	}
	return 0;
}

static int write_between(const struct frame *sc, uint32_t from, uint32_t to)
{
	for (size_t i = 0; i < sc->nwrites; i++)
		if (sc->writes[i] >= from && sc->writes[i] < to)
			return 1;
	return 0;
}

/* Repeats: each expensive call against the previous one with the same text. */
static void judge_scope(struct walk *w, struct frame *sc)
{
	if (sc->cached || !sc->occs)
		return;
	size_t n = 0;
	for (struct occ *o = sc->occs; o; o = o->next)
		n++;
	if (n < 2)
		return;
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	struct occ **last = arena_calloc(&w->a, cap, sizeof(*last)); /* by hash: the latest occurrence */
	for (struct occ *o = sc->occs; o; o = o->next) {
		if (o->deliberate)
			continue;
		size_t h = o->hash & (cap - 1);
		while (last[h] && last[h]->hash != o->hash)
			h = (h + 1) & (cap - 1);
		struct occ *prev = last[h];
		last[h] = o;
		if (!prev || o->reported || !o->norm || !prev->norm || strcmp(prev->norm, o->norm) != 0)
			continue;
		struct mention m;
		if (call_mentions(w, o->call, &m) < 0 || bound_between(sc, &m, prev->end, o->start) ||
		    write_between(sc, prev->end, o->start) || exclusive(prev->call, o->call, sc->node))
			continue;
		report_repeat(w, o, prev);
	}
}

static void pop(struct walk *w)
{
	struct frame *fr = &w->fr[--w->nfr];
	if (fr->kind == F_SCOPE)
		judge_scope(w, fr);
	else if (fr->kind == F_LOOP && !scope_frame(w)->cached)
		judge_loop(w, fr);
}

/* ---- visiting ---- */

/*
 * 1 when a callee whose last name is last may be one classify() knows (a
 * read, a write, a sleep): the union of the names in its lists, so the
 * other calls — most of them — are not named and resolved at all. Keep in
 * step with classify(), runs_query() and fs_write().
 */
static int maybe_named(struct py_span last)
{
	static const char *const words[] = { /* sorted, for the binary search */
		"aaggregate", "abulk_create", "abulk_update", "acontains", "acount", "acreate", "add", "add_all",
		"adelete", "aearliest", "aexists", "afirst", "aget", "aget_or_create", "aggregate", "ain_bulk",
		"alast", "alatest", "all", "asave", "aupdate", "aupdate_or_create", "begin", "bulk_create",
		"bulk_update", "callproc", "commit", "contains", "copy", "copy2", "copyfile", "copyfileobj",
		"copytree", "count", "create", "delete", "dump", "earliest", "exec", "execute", "executemany",
		"executescript", "exists", "expire", "expunge", "fetch", "fetchall", "fetchmany", "fetchone",
		"fetchrow", "fetchval", "first", "first_or_404", "flush", "full_load", "get", "get_one",
		"get_or_404", "get_or_create", "head", "in_bulk", "insert", "last", "latest", "load", "makedirs",
		"merge", "mkdir", "move", "one", "one_or_404", "one_or_none", "open", "options", "paginate",
		"patch", "post", "put", "read", "read_bytes", "read_sql", "read_sql_query", "read_sql_table",
		"read_text", "readlines", "refresh", "remove", "rename", "replace", "request", "rmdir", "rmtree",
		"rollback", "safe_load", "save", "scalar", "scalar_one", "scalar_one_or_none", "scalars",
		"select_for_update", "send", "sleep", "stream", "symlink_to", "touch", "truncate", "unlink",
		"unsafe_load", "update", "update_or_create", "urlopen", "with_for_update",
	};
	if ((last.n >= 5 && memcmp(last.s, "write", 5) == 0) || (last.n >= 4 && memcmp(last.s, "save", 4) == 0))
		return 1;
	size_t lo = 0, hi = sizeof(words) / sizeof(words[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, wn = strlen(words[mid]);
		int c = memcmp(last.s, words[mid], last.n < wn ? last.n : wn);
		if (c == 0)
			c = last.n < wn ? -1 : last.n > wn ? 1 : 0;
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/*
 * The resolved callee name (py_call_name), asking py_resolve only when the
 * first component is one an import binds: py_resolve scans every import,
 * and a generated file has thousands of calls and hundreds of imports.
 */
static const char *callee_name(struct walk *w, TSNode call)
{
	TSNode fn = py_field(call, "function");
	/* a callee of kilobytes is a generated builder chain, not a call worth naming (and naming
	   every link of it would be quadratic) */
	if (ts_node_end_byte(fn) - ts_node_start_byte(fn) > MAX_CALLEE)
		return NULL;
	const char *d = py_dotted(w->f, fn, &w->a);
	if (!d)
		return NULL;
	struct py_span first = {d, (uint32_t)strcspn(d, ".(")};
	return nt_find(&w->imported, first) ? py_resolve(w->f, d, &w->a) : d;
}

static void on_call(struct walk *w, TSNode n)
{
	uint32_t at = ts_node_start_byte(n);
	TSNode fn = ts_node_child_by_field_id(n, w->f_function), last;
	if (py_is(fn, "attribute")) {
		last = ts_node_child_by_field_id(fn, w->f_attribute);
		/* NAME.append(x), params.update(...): a mutation of NAME */
		static const char *const mut[] = {"append", "extend", "insert", "update", "add", "pop", "remove",
						  "clear", "setdefault", "discard", "sort", "reverse", "popitem",
						  "appendleft", "popleft", NULL};
		TSNode obj = ts_node_child_by_field_id(fn, w->f_object);
		if (py_is(obj, "identifier") && py_span_in(py_span_of(w->f, last), mut))
			bind_name(w, py_span_of(w->f, obj), at);
	} else if (py_is(fn, "identifier")) {
		last = fn;
	} else {
		return;
	}
	/* a plain name an import binds may stand for anything (jload is json.load): resolve it */
	struct py_span ls = py_span_of(w->f, last);
	if (!maybe_named(ls) && !(ts_node_eq(last, fn) && nt_find(&w->imported, ls)))
		return;
	const char *name = callee_name(w, n);
	enum what what = W_DB;
	enum verdict v = classify(w, n, name, &what);
	if (v == V_SLEEP) {
		note_sleep(w);
		return;
	}
	if (v == V_WRITE) {
		note_write(w, at);
		return;
	}
	if (v != V_READ || at < w->skip_until)
		return;
	/* the inner calls of a chain (User.query.filter(..) in User.query.filter(..).first()) are part of it */
	w->skip_until = ts_node_end_byte(n);
	struct frame *sc = scope_frame(w);
	struct occ *o = arena_calloc(&w->a, 1, sizeof(*o));
	o->call = n;
	o->start = at;
	o->end = ts_node_end_byte(n);
	o->norm = normal_text(w, n);
	o->hash = o->norm ? py_hash(o->norm, (uint32_t)strlen(o->norm)) : (uint64_t)at;
	o->what = what;
	*sc->occ_tail = o;
	sc->occ_tail = &o->next;
	struct frame *lp = loop_at(w, at);
	if (lp) {
		struct lcand *c = arena_alloc(&w->a, sizeof(*c));
		c->o = o;
		c->next = NULL;
		*lp->cand_tail = c;
		lp->cand_tail = &c->next;
	}
}

static void on_loop(struct walk *w, TSNode n, enum act kind)
{
	struct frame *fr = push(w, F_LOOP, n);
	if (kind == A_FOR) {
		fr->word = "for";
		TSNode body = py_field(n, "body"), left = py_field(n, "left"), right = py_field(n, "right");
		if (!ts_node_is_null(body)) {
			fr->on_s = ts_node_start_byte(body);
			fr->on_e = ts_node_end_byte(body);
		}
		bind_target(w, left, ts_node_start_byte(n), 0);
		/* for _ in range(3): a repeat or a retry, unless the body uses the counter */
		if (py_is(right, "call") && py_is(left, "identifier")) {
			const char *rn = py_call_name(w->f, right, &w->a);
			if (rn && (strcmp(rn, "range") == 0 || strcmp(rn, "itertools.repeat") == 0))
				fr->counter = py_span_of(w->f, left);
		}
	} else if (kind == A_WHILE) {
		fr->word = "while";
		TSNode cond = py_field(n, "condition"), body = py_field(n, "body");
		/* the condition is a re-check by nature (while Model.objects.filter(..).exists(): migrate a batch) */
		if (!ts_node_is_null(body)) {
			fr->on_s = ts_node_start_byte(body);
			fr->on_e = ts_node_end_byte(body);
		}
		/* while True / while 1: a polling or retry loop, or a reader until EOF */
		if (py_is(cond, "true") || (py_is(cond, "integer") && py_span_of(w->f, cond).n == 1 &&
					    py_span_of(w->f, cond).s[0] == '1'))
			fr->polling = 1;
	} else {
		fr->word = "comprehension";
		uint32_t nc = ts_node_named_child_count(n);
		int first = 1;
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(n, i);
			if (!py_is(c, "for_in_clause"))
				continue;
			bind_target(w, py_field(c, "left"), ts_node_start_byte(c), 0);
			if (first) {
				TSNode r = py_field(c, "right");
				fr->off_s = ts_node_start_byte(r);
				fr->off_e = ts_node_end_byte(r);
				first = 0;
			}
		}
	}
}

/* if x == "literal": / elif ...: the body runs for the items picked, not every one. */
static void on_if(struct walk *w, TSNode n)
{
	TSNode cond = py_field(n, "condition"), body = py_field(n, "consequence");
	if (!py_is(cond, "comparison_operator") || ts_node_is_null(body))
		return;
	int lit = 0;
	uint32_t cc = ts_node_child_count(cond);
	for (uint32_t i = 0; i < cc; i++) {
		TSNode c = ts_node_child(cond, i);
		const char *t = ts_node_type(c);
		if (!ts_node_is_named(c)) {
			if (strcmp(t, "==") && strcmp(t, "is"))
				return;
		} else if (!strcmp(t, "string") || !strcmp(t, "integer") || !strcmp(t, "float") || !strcmp(t, "true") ||
			   !strcmp(t, "false") || !strcmp(t, "none")) {
			lit = 1;
		}
	}
	if (!lit)
		return;
	struct frame *fr = push(w, F_ONCE, n);
	fr->on_s = ts_node_start_byte(body);
	fr->on_e = fr->end = ts_node_end_byte(body);
}

/* A decorator that caches: lru_cache, cache, cached, ttl_cache, memoize, cached_property ... */
static int caching_decorator(struct walk *w, TSNode dec)
{
	static const char *const words[] = {"lru_cache", "cache", "cached", "ttl_cache", "memoize", "memoized",
					    "cached_property", "cache_page", "cache_control", "memoize_method",
					    "alru_cache", "cachedmethod", "lfu_cache", "fifo_cache", "rr_cache", NULL};
	if (ts_node_named_child_count(dec) == 0)
		return 0;
	TSNode e = ts_node_named_child(dec, 0);
	if (py_is(e, "call"))
		e = py_field(e, "function");
	const char *d = py_dotted(w->f, e, &w->a);
	return d && str_in(py_last(d), words);
}

static void on_identifier(struct walk *w, TSNode n)
{
	/* the counter of a `for x in range(..)` loop used in its body */
	uint32_t at = ts_node_start_byte(n);
	for (size_t i = w->nfr; i-- > 0 && w->fr[i].kind != F_SCOPE;) {
		struct frame *fr = &w->fr[i];
		if (fr->counter.n && !fr->counter_used && at >= fr->on_s && py_span_eq(fr->counter, py_span_of(w->f, n)))
			fr->counter_used = 1;
	}
}

static int visit(TSNode n, void *arg)
{
	struct walk *w = arg;
	uint32_t at = ts_node_start_byte(n);
	while (w->nfr > 1 && at >= w->fr[w->nfr - 1].end)
		pop(w);
	TSSymbol sy = ts_node_symbol(n);
	enum act a = sy < w->nsym ? (enum act)w->act[sy] : A_NONE;
	switch (a) {
	case A_NONE:
		break;
	case A_IDENT:
		on_identifier(w, n);
		break;
	case A_CALL:
		on_call(w, n);
		break;
	case A_ASSIGN:
		bind_target(w, py_field(n, "left"), at, 0);
		break;
	case A_AS:
		bind_target(w, py_field(n, "alias"), at, 0);
		break;
	case A_NAMED:
		bind_target(w, py_field(n, "name"), at, 0);
		break;
	case A_CLASS:
	case A_LAMBDA:
		push(w, F_SCOPE, n);
		break;
	case A_DECORATED: {
		uint32_t nc = ts_node_named_child_count(n);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(n, i);
			if (py_is(c, "decorator") && caching_decorator(w, c)) {
				TSNode def = py_field(n, "definition");
				w->next_cached = 1;
				w->next_cached_at = ts_node_start_byte(def);
			}
		}
		break;
	}
	case A_FUNC: {
		struct frame *fr = push(w, F_SCOPE, n);
		struct py_span fname = py_span_of(w->f, py_field(n, "name"));
		if ((w->next_cached && w->next_cached_at == at) || (fname.n >= 4 && memcmp(fname.s, "test", 4) == 0))
			fr->cached = 1; /* cached already, or a test reading again on purpose */
		w->next_cached = 0;
		break;
	}
	case A_FOR:
	case A_WHILE:
	case A_COMP:
		on_loop(w, n, a);
		break;
	case A_IF:
		on_if(w, n);
		break;
	}
	return 0;
}

/*
 * The action table: node symbols of f's language to what visit does, so
 * the walk compares small integers instead of type names. Built per file
 * from the tree's own language (a few hundred symbols).
 */
static void acts_init(struct walk *w)
{
	static const struct scan_act map[] = {
		{"assignment", A_ASSIGN}, {"augmented_assignment", A_ASSIGN}, {"as_pattern", A_AS},
		{"call", A_CALL}, {"class_definition", A_CLASS}, {"decorated_definition", A_DECORATED},
		{"list_comprehension", A_COMP}, {"set_comprehension", A_COMP}, {"dictionary_comprehension", A_COMP},
		{"generator_expression", A_COMP}, {"for_statement", A_FOR}, {"while_statement", A_WHILE},
		{"function_definition", A_FUNC}, {"identifier", A_IDENT}, {"if_statement", A_IF},
		{"elif_clause", A_IF}, {"lambda", A_LAMBDA}, {"named_expression", A_NAMED},
	};
	w->act = scan_action_table(w->f, &w->a, map, sizeof(map) / sizeof(map[0]), &w->nsym);
	const TSLanguage *lang = ts_tree_language(w->f->tree);
	w->f_function = ts_language_field_id_for_name(lang, "function", 8);
	w->f_attribute = ts_language_field_id_for_name(lang, "attribute", 9);
	w->f_object = ts_language_field_id_for_name(lang, "object", 6);
}

/*
 * A test module: named test_*.py, *_test.py or conftest.py, or importing a
 * test framework (pytest, unittest, django.test, ...) or the project's own
 * tests package. Tests read the same rows again on purpose, to see what a
 * call in between (a view, a task) changed. Judged by content rather than
 * directory, so sample code kept under a tests/ tree is still checked.
 */
static int test_module(const struct py_file *f)
{
	static const char *const fw[] = {"pytest", "unittest", "nose", "nose2", "hypothesis", "flask_testing",
					 "tests", "testtools", NULL};
	const char *base = f->path ? strrchr(f->path, '/') : NULL;
	base = base ? base + 1 : f->path ? f->path : "";
	size_t n = strlen(base);
	if (strncmp(base, "test_", 5) == 0 || strcmp(base, "conftest.py") == 0 ||
	    (n > 8 && strcmp(base + n - 8, "_test.py") == 0))
		return 1;
	for (size_t i = 0; i < f->nimports; i++) {
		const char *t = f->imports[i].target;
		size_t k = strcspn(t, ".");
		for (const char *const *w = fw; *w; w++)
			if (strlen(*w) == k && strncmp(t, *w, k) == 0)
				return 1;
		if (strncmp(t, "django.test", 11) == 0 || strncmp(t, "rest_framework.test", 19) == 0)
			return 1;
	}
	return 0;
}

/* The rule's check: one walk of f, findings through scan_emit. */
static void check(const struct py_file *f, struct scan_out *out)
{
	if (test_module(f))
		return;
	struct walk w = {.f = f, .out = out};
	for (size_t i = 0; i < f->nimports; i++) {
		const char *l = f->imports[i].local;
		struct py_span first = {l, (uint32_t)strcspn(l, ".")};
		nt_get(&w, &w.imported, first);
	}
	acts_init(&w);
	push(&w, F_SCOPE, f->root);
	py_walk_file(f, f->root, visit, &w);
	while (w.nfr > 0)
		pop(&w);
	free(w.fr);
	arena_free(&w.a);
}

const struct scan_rule scan_rule_missing_cache = {
	.name = RULE,
	.severity = PA_SEV_LOW,
	.summary = "the same query, request or file read repeated with the same arguments: hoist or cache it",
	.check = check,
};
