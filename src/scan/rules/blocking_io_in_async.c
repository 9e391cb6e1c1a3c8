/*
 * blocking-io-in-async (high): a synchronous network, disk, process or
 * database call made directly inside `async def`. An event loop runs one
 * callback at a time; a coroutine that calls requests.get or time.sleep
 * does not yield, so every other task on the loop — every other request a
 * server is handling — waits until the call returns.
 *
 * What counts is decided by the callee's resolved name (py_call_name, so
 * `import requests as r` and `from time import sleep as zz` are seen
 * through) and, for objects the code keeps in a variable, by what made the
 * object: `s = requests.Session()`, `conn = sqlite3.connect(...)`,
 * `cur = conn.cursor()`, `with open(p) as fh`, `db: Session = Depends(...)`,
 * `self.client = httpx.Client()`. Those bindings live in a small stack of
 * scopes (module, class, def, lambda) kept during the one walk over the
 * file: a scope ends when the walk reaches a node that starts at or after
 * its end byte, and its bindings go with it. A name assigned anything else
 * (an aiohttp session, an awaited result, a loop variable) shadows the
 * outer binding, so an async client named like a sync one is not reported;
 * an async def's parameters are its own names, so a parameter called
 * `requests` or `sleep` is not the module or function of that name.
 *
 * Only the code that runs on the loop is judged: the body of an async def
 * and class bodies inside it, not a nested plain def or lambda (those run
 * wherever they are called — usually asyncio.to_thread or an executor),
 * and not a call that is awaited (an awaited call is a coroutine). A
 * callee passed rather than called (asyncio.to_thread(requests.get, u),
 * loop.run_in_executor(None, time.sleep, 1)) is no call at all here.
 *
 * One finding per cause: `with open(p) as fh: fh.read()` is reported at
 * open() only, and `conn = sqlite3.connect(...)` covers the executes on
 * conn in the same function; a handle made elsewhere (a module-level
 * connection, a requests.Session kept on self) is reported at each use.
 */
#include "scan/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"

#define RULE "blocking-io-in-async"

/* What a kept object is, as far as blocking goes. */
enum handle {
	H_NONE,         /* shadows an outer binding of the same name */
	H_LOCAL,        /* a parameter of an async def: not the module of that name */
	H_REQ_SESSION,  /* requests.Session() */
	H_HTTPX_CLIENT, /* httpx.Client() */
	H_FILE,         /* open(...) */
	H_PATH,         /* pathlib.Path(...) */
	H_POPEN,        /* subprocess.Popen(...) */
	H_DBCONN,       /* a DB-API connection (sqlite3.connect ...) or engine.connect() */
	H_DBCURSOR,     /* conn.cursor() */
	H_ENGINE,       /* sqlalchemy.create_engine(...) */
	H_SESSIONMAKER, /* sqlalchemy.orm.sessionmaker(...) */
	H_SA_SESSION,   /* a sync sqlalchemy.orm.Session */
};

/* Why a call blocks: picks the message's reason and the fix. */
enum cause {
	C_NONE,
	C_HTTP,
	C_SLEEP,
	C_SUBPROC, /* subprocess.run & co, Popen.communicate */
	C_SHELL,   /* os.system, os.popen */
	C_FILE,    /* open(), file.read() */
	C_PATHIO,  /* Path.read_text() */
	C_DB,      /* DB-API connect / execute */
	C_SA,      /* sync SQLAlchemy Session / engine */
	C_SOCKET,
};

/*
 * Calls known by their resolved name. kind: the handle the call returns
 * (kept when it is assigned); cause: C_NONE when making it does not block
 * by itself (a requests.Session, a Path), else why it does.
 */
struct known {
	const char *name;
	enum cause cause;
	enum handle kind;
	const char *driver; /* the DB driver, for the fix */
};

static const struct known known_calls[] = {
	{"time.sleep", C_SLEEP, H_NONE, NULL},
	{"subprocess.run", C_SUBPROC, H_NONE, NULL},
	{"subprocess.call", C_SUBPROC, H_NONE, NULL},
	{"subprocess.check_call", C_SUBPROC, H_NONE, NULL},
	{"subprocess.check_output", C_SUBPROC, H_NONE, NULL},
	{"subprocess.getoutput", C_SHELL, H_NONE, NULL},
	{"subprocess.getstatusoutput", C_SHELL, H_NONE, NULL},
	{"subprocess.Popen", C_NONE, H_POPEN, NULL},
	{"os.system", C_SHELL, H_NONE, NULL},
	{"os.popen", C_SHELL, H_FILE, NULL},
	{"open", C_FILE, H_FILE, NULL},
	{"io.open", C_FILE, H_FILE, NULL},
	{"builtins.open", C_FILE, H_FILE, NULL},
	{"codecs.open", C_FILE, H_FILE, NULL},
	{"gzip.open", C_FILE, H_FILE, NULL},
	{"bz2.open", C_FILE, H_FILE, NULL},
	{"lzma.open", C_FILE, H_FILE, NULL},
	{"pathlib.Path", C_NONE, H_PATH, NULL},
	{"requests.Session", C_NONE, H_REQ_SESSION, NULL},
	{"requests.session", C_NONE, H_REQ_SESSION, NULL},
	{"httpx.Client", C_NONE, H_HTTPX_CLIENT, NULL},
	{"urllib.request.urlretrieve", C_HTTP, H_NONE, NULL},
	{"sqlite3.connect", C_DB, H_DBCONN, "sqlite3"},
	{"psycopg2.connect", C_DB, H_DBCONN, "psycopg2"},
	{"psycopg.connect", C_DB, H_DBCONN, "psycopg"},
	{"psycopg.Connection.connect", C_DB, H_DBCONN, "psycopg"},
	{"pymysql.connect", C_DB, H_DBCONN, "pymysql"},
	{"MySQLdb.connect", C_DB, H_DBCONN, "MySQLdb"},
	{"mysql.connector.connect", C_DB, H_DBCONN, "mysql.connector"},
	{"pymssql.connect", C_DB, H_DBCONN, "pymssql"},
	{"cx_Oracle.connect", C_DB, H_DBCONN, "cx_Oracle"},
	{"oracledb.connect", C_DB, H_DBCONN, "oracledb"},
	{"sqlalchemy.create_engine", C_NONE, H_ENGINE, NULL},
	{"sqlalchemy.orm.sessionmaker", C_NONE, H_SESSIONMAKER, NULL},
	{"sqlalchemy.orm.Session", C_NONE, H_SA_SESSION, NULL},
	{"sqlalchemy.orm.session.Session", C_NONE, H_SA_SESSION, NULL},
	{"socket.create_connection", C_SOCKET, H_NONE, NULL},
	{"socket.getaddrinfo", C_SOCKET, H_NONE, NULL},
	{"socket.gethostbyname", C_SOCKET, H_NONE, NULL},
	{"socket.gethostbyname_ex", C_SOCKET, H_NONE, NULL},
	{"socket.gethostbyaddr", C_SOCKET, H_NONE, NULL},
};

/* A method of a kept handle: whether calling it blocks, and what it returns. */
struct method {
	enum handle on;
	const char *name;
	enum cause cause; /* C_NONE: does not block */
	enum handle gives;
};

static const struct method methods[] = {
	{H_REQ_SESSION, "get", C_HTTP, H_NONE},
	{H_REQ_SESSION, "post", C_HTTP, H_NONE},
	{H_REQ_SESSION, "put", C_HTTP, H_NONE},
	{H_REQ_SESSION, "patch", C_HTTP, H_NONE},
	{H_REQ_SESSION, "delete", C_HTTP, H_NONE},
	{H_REQ_SESSION, "head", C_HTTP, H_NONE},
	{H_REQ_SESSION, "options", C_HTTP, H_NONE},
	{H_REQ_SESSION, "request", C_HTTP, H_NONE},
	{H_REQ_SESSION, "send", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "get", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "post", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "put", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "patch", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "delete", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "head", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "options", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "request", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "send", C_HTTP, H_NONE},
	{H_HTTPX_CLIENT, "stream", C_HTTP, H_NONE},
	{H_FILE, "read", C_FILE, H_NONE},
	{H_FILE, "readline", C_FILE, H_NONE},
	{H_FILE, "readlines", C_FILE, H_NONE},
	{H_FILE, "write", C_FILE, H_NONE},
	{H_FILE, "writelines", C_FILE, H_NONE},
	{H_PATH, "read_text", C_PATHIO, H_NONE},
	{H_PATH, "read_bytes", C_PATHIO, H_NONE},
	{H_PATH, "write_text", C_PATHIO, H_NONE},
	{H_PATH, "write_bytes", C_PATHIO, H_NONE},
	{H_PATH, "open", C_FILE, H_FILE},
	{H_POPEN, "communicate", C_SUBPROC, H_NONE},
	{H_POPEN, "wait", C_SUBPROC, H_NONE},
	{H_DBCONN, "execute", C_DB, H_DBCURSOR},
	{H_DBCONN, "executemany", C_DB, H_DBCURSOR},
	{H_DBCONN, "executescript", C_DB, H_DBCURSOR},
	{H_DBCONN, "commit", C_DB, H_NONE},
	{H_DBCONN, "rollback", C_DB, H_NONE},
	{H_DBCONN, "cursor", C_NONE, H_DBCURSOR},
	{H_DBCURSOR, "execute", C_DB, H_DBCURSOR},
	{H_DBCURSOR, "executemany", C_DB, H_DBCURSOR},
	{H_DBCURSOR, "fetchone", C_DB, H_NONE},
	{H_DBCURSOR, "fetchall", C_DB, H_NONE},
	{H_DBCURSOR, "fetchmany", C_DB, H_NONE},
	{H_DBCURSOR, "callproc", C_DB, H_NONE},
	{H_ENGINE, "connect", C_SA, H_DBCONN},
	{H_ENGINE, "begin", C_SA, H_DBCONN},
	{H_ENGINE, "execute", C_SA, H_NONE},
	{H_ENGINE, "raw_connection", C_SA, H_DBCONN},
	{H_SA_SESSION, "execute", C_SA, H_NONE},
	{H_SA_SESSION, "query", C_SA, H_NONE},
	{H_SA_SESSION, "scalars", C_SA, H_NONE},
	{H_SA_SESSION, "scalar", C_SA, H_NONE},
	{H_SA_SESSION, "get", C_SA, H_NONE},
	{H_SA_SESSION, "commit", C_SA, H_NONE},
	{H_SA_SESSION, "flush", C_SA, H_NONE},
	{H_SA_SESSION, "refresh", C_SA, H_NONE},
};

/* A name bound to a handle: its text in the file (an identifier or self.x). */
struct binding {
	const char *name;
	uint32_t len;
	enum handle kind;
	int covered;        /* made by a call already reported in this same async def */
	const char *driver; /* DB driver when known */
};

enum scope_kind { S_MODULE, S_CLASS, S_FUNC, S_LAMBDA };

struct scope {
	uint32_t end; /* end byte: the scope is over at the first node starting here or later */
	enum scope_kind kind;
	int async;         /* code here runs on the event loop (async def body, class inside one) */
	const char *fname; /* the async def's name, for messages */
	size_t nbind;      /* bindings below this index belong to outer scopes */
};

struct syms {
	TSSymbol call, fdef, lambda, cdef, assign, with_stmt, await, attribute, identifier, as_pattern,
		paren, decorated, expr_stmt, params_typed, params_typed_default, params_default, for_stmt, for_in;
};

struct ctx {
	const struct py_file *f;
	struct scan_out *out;
	struct arena a;
	struct syms s;
	struct scope *sc;
	size_t nsc, capsc;
	struct binding *b;
	size_t nb, capb;
	const void *awaited; /* id of the call an await was just seen around */
	int open_shadowed;   /* the module defines its own open() */
	struct buf msg, fix;
};

static TSSymbol sym(const TSLanguage *l, const char *name)
{
	return ts_language_symbol_for_name(l, name, (uint32_t)strlen(name), true);
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

/* n without the parentheses around it: ((x)) -> x. */
static TSNode unparen(const struct ctx *c, TSNode n)
{
	while (is_sym(n, c->s.paren) && nkids(n) == 1)
		n = ts_node_named_child(n, 0);
	return n;
}

/* The known_calls entry of a resolved callee name, or NULL. */
static const struct known *known_call(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(known_calls) / sizeof(known_calls[0]); i++)
		if (strcmp(known_calls[i].name, name) == 0)
			return &known_calls[i];
	return NULL;
}

/* The methods entry for method name[0..len) of a handle of kind on, or NULL. */
static const struct method *find_method(enum handle on, const char *name, uint32_t len)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].on == on && strlen(methods[i].name) == len && memcmp(methods[i].name, name, len) == 0)
			return &methods[i];
	return NULL;
}

/* The innermost binding of the text of n (an identifier or self.x), or NULL. */
static struct binding *lookup(struct ctx *c, TSNode n)
{
	if (c->nb == 0 || !(is_sym(n, c->s.identifier) || is_sym(n, c->s.attribute)))
		return NULL;
	uint32_t len;
	const char *t = src_of(c, n, &len);
	for (size_t i = c->nb; i-- > 0;)
		if (c->b[i].len == len && memcmp(c->b[i].name, t, len) == 0)
			return &c->b[i];
	return NULL;
}

/*
 * Bind the text of target (an identifier, or self.x kept on the class) to
 * kind. H_NONE only shadows, so it is recorded only when the name is bound
 * further out.
 */
static void bind(struct ctx *c, TSNode target, enum handle kind, int covered, const char *driver)
{
	if (!(is_sym(target, c->s.identifier) || is_sym(target, c->s.attribute)))
		return;
	if (kind == H_NONE && !lookup(c, target))
		return;
	uint32_t len;
	const char *t = src_of(c, target, &len);
	size_t at = c->nb;
	if (is_sym(target, c->s.attribute)) {
		/* self.x = ...: kept for the other methods of the class */
		if (len < 5 || memcmp(t, "self.", 5) != 0)
			return;
		size_t k = c->nsc;
		while (k > 0 && c->sc[k - 1].kind != S_CLASS)
			k--;
		if (k == 0)
			return;
		covered = 0;
		if (k < c->nsc) {
			/* insert at the class scope's end, moving inner scopes' bindings up */
			at = c->sc[k].nbind;
			for (size_t j = k; j < c->nsc; j++)
				c->sc[j].nbind++;
		}
	}
	if (c->nb == c->capb) {
		c->capb = c->capb ? c->capb * 2 : 32;
		c->b = xrealloc(c->b, c->capb * sizeof(*c->b));
	}
	memmove(&c->b[at + 1], &c->b[at], (c->nb - at) * sizeof(*c->b));
	c->b[at] = (struct binding){t, len, kind, covered, driver};
	c->nb++;
}

static const struct scope *top(const struct ctx *c)
{
	return &c->sc[c->nsc - 1];
}

/* Open a scope that lasts until byte end; the bindings made from now on are its own. */
static void push(struct ctx *c, uint32_t end, enum scope_kind kind, int async, const char *fname)
{
	if (c->nsc == c->capsc) {
		c->capsc = c->capsc ? c->capsc * 2 : 16;
		c->sc = xrealloc(c->sc, c->capsc * sizeof(*c->sc));
	}
	c->sc[c->nsc++] = (struct scope){end, kind, async, fname, c->nb};
}

/*
 * What the expression e (the right side of an assignment, the value of a
 * with item) makes: a handle kind, whether it is covered by a finding in
 * this function already (*covered: making it blocks and is reported, or it
 * comes from a handle that is covered — cur = conn.cursor()), and the DB
 * driver. H_NONE for anything not known.
 */
static enum handle handle_of(struct ctx *c, TSNode e, int *covered, const char **driver)
{
	int *blocks = covered;
	*blocks = 0;
	*driver = NULL;
	e = unparen(c, e);
	if (!is_sym(e, c->s.call))
		return H_NONE;
	TSNode fn = py_field(e, "function");
	if (is_sym(fn, c->s.attribute)) {
		struct binding *b = lookup(c, py_field(fn, "object"));
		if (b) {
			uint32_t len;
			const char *m = src_of(c, py_field(fn, "attribute"), &len);
			const struct method *me = find_method(b->kind, m, len);
			if (!me)
				return H_NONE;
			*blocks = b->covered || me->cause != C_NONE;
			*driver = b->driver;
			return me->gives;
		}
	} else if (is_sym(fn, c->s.identifier)) {
		struct binding *b = lookup(c, fn);
		if (b && b->kind == H_SESSIONMAKER)
			return H_SA_SESSION; /* SessionLocal() */
		if (b)
			return H_NONE;
	}
	const char *name = py_call_name(c->f, e, &c->a);
	if (c->open_shadowed && name && strcmp(name, "open") == 0)
		return H_NONE;
	const struct known *k = known_call(name);
	if (!k)
		return H_NONE;
	*blocks = k->cause != C_NONE;
	*driver = k->driver;
	return k->kind;
}

/* Record what an assignment target now holds. */
static void assign(struct ctx *c, TSNode target, TSNode value)
{
	int covered;
	const char *driver;
	enum handle k = handle_of(c, value, &covered, &driver);
	bind(c, target, k, covered && top(c)->async, driver);
}

/* with A as x, B as y: bind what each item makes (an async with makes nothing sync). */
static void with_items(struct ctx *c, TSNode w)
{
	int is_async = ts_node_child_count(w) > 0 && strcmp(ts_node_type(ts_node_child(w, 0)), "async") == 0;
	uint32_t n = nkids(w);
	for (uint32_t i = 0; i < n; i++) {
		TSNode clause = ts_node_named_child(w, i);
		if (strcmp(ts_node_type(clause), "with_clause") != 0)
			continue;
		uint32_t m = nkids(clause);
		for (uint32_t j = 0; j < m; j++) {
			TSNode v = py_field(ts_node_named_child(clause, j), "value");
			if (!is_sym(v, c->s.as_pattern))
				continue;
			TSNode alias = py_field(v, "alias");
			if (ts_node_is_null(alias) || nkids(alias) == 0)
				continue;
			TSNode target = ts_node_named_child(alias, 0);
			if (is_async)
				bind(c, target, H_NONE, 0, NULL);
			else
				assign(c, target, ts_node_named_child(v, 0));
		}
	}
}

/*
 * An async def's parameters are its own names, whatever outer bindings or
 * modules share them; `db: Session` binds a sync session.
 */
static void parameters(struct ctx *c, TSNode fn)
{
	TSNode ps = py_field(fn, "parameters");
	uint32_t n = nkids(ps);
	for (uint32_t i = 0; i < n; i++) {
		TSNode p = ts_node_named_child(ps, i), name = {0}, type = {0};
		TSSymbol s = ts_node_symbol(p);
		if (s == c->s.identifier) {
			name = p;
		} else if (s == c->s.params_default) {
			name = py_field(p, "name");
		} else if (s == c->s.params_typed_default) {
			name = py_field(p, "name");
			type = py_field(p, "type");
		} else if (s == c->s.params_typed) {
			name = ts_node_named_child(p, 0);
			type = py_field(p, "type");
		}
		if (ts_node_is_null(name))
			continue;
		enum handle k = H_NONE;
		if (!ts_node_is_null(type) && nkids(type) == 1) {
			const char *t = py_resolve(c->f, py_dotted(c->f, ts_node_named_child(type, 0), &c->a), &c->a);
			const struct known *kn = known_call(t);
			if (kn && kn->kind == H_SA_SESSION)
				k = H_SA_SESSION;
		}
		bind(c, name, k == H_NONE ? H_LOCAL : k, 0, NULL);
	}
}

/* The call's arguments as written, on one line, shortened: "url, timeout=5". */
static const char *args_of(struct ctx *c, TSNode call)
{
	TSNode args = py_field(call, "arguments");
	uint32_t len;
	const char *t = src_of(c, args, &len);
	if (len >= 2 && t[0] == '(' && t[len - 1] == ')') {
		t++;
		len -= 2;
	}
	struct buf b = {0};
	int space = 0;
	for (uint32_t i = 0; i < len && b.len < 72; i++) {
		char ch = t[i];
		if (ch == '\\' && i + 1 < len && (t[i + 1] == '\n' || t[i + 1] == '\r'))
			continue; /* a line continuation */
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			space = b.len > 0;
			continue;
		}
		if (space && ch != ')' && ch != ']')
			buf_putc(&b, ' ');
		space = 0;
		buf_putc(&b, ch);
	}
	if (b.len >= 72)
		buf_puts(&b, "...");
	if (b.len > 0 && b.data[b.len - 1] == ',')
		b.data[--b.len] = '\0';
	const char *out = arena_strdup(&c->a, buf_str(&b));
	buf_free(&b);
	return out;
}

/* The first positional argument as written, or def_ when there is none. */
static const char *first_arg(struct ctx *c, TSNode call, const char *def_)
{
	TSNode args = py_field(call, "arguments");
	uint32_t n = nkids(args);
	for (uint32_t i = 0; i < n; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (strcmp(ts_node_type(a), "keyword_argument") == 0 || strcmp(ts_node_type(a), "comment") == 0)
			continue;
		uint32_t len;
		const char *t = src_of(c, a, &len);
		if (len > 60 || memchr(t, '\n', len))
			return def_;
		return arena_strndup(&c->a, t, len);
	}
	return def_;
}

/* The async driver to name in a fix for a sync DB driver (NULL: unknown). */
static const char *async_driver(const char *driver)
{
	if (!driver)
		return "an async driver (asyncpg, aiomysql, aiosqlite)";
	if (strcmp(driver, "sqlite3") == 0)
		return "aiosqlite";
	if (strcmp(driver, "psycopg2") == 0)
		return "asyncpg (or psycopg 3's AsyncConnection)";
	if (strcmp(driver, "psycopg") == 0)
		return "psycopg.AsyncConnection";
	if (strcmp(driver, "pymysql") == 0 || strcmp(driver, "MySQLdb") == 0 || strcmp(driver, "mysql.connector") == 0)
		return "aiomysql (or asyncmy)";
	return "an async driver";
}

/*
 * Report call (written as `shown`, resolved `name`) for cause. obj: the
 * text of the object a method is called on ("" for a plain call); method:
 * its name.
 */
static void report(struct ctx *c, TSNode call, enum cause cause, const char *shown, const char *name,
		   const char *obj, const char *method, const char *driver)
{
	const char *fname = top(c)->fname ? top(c)->fname : "?";
	const char *args = args_of(c, call);
	const char *why = "";
	buf_reset(&c->msg);
	buf_reset(&c->fix);
	buf_printf(&c->msg, "%s()", shown);
	if (name && strcmp(name, shown) != 0)
		buf_printf(&c->msg, " (%s)", name);
	switch (cause) {
	case C_HTTP:
		why = "makes a synchronous HTTP request; every other task waits for the response";
		if (strcmp(method, "urlopen") == 0 || strcmp(method, "urlretrieve") == 0)
			buf_printf(&c->fix, "async with httpx.AsyncClient() as client: resp = await client.get(%s)",
				   first_arg(c, call, "url"));
		else if (*obj)
			buf_printf(&c->fix,
				   "make %s an httpx.AsyncClient (or aiohttp.ClientSession) and write: resp = await %s.%s(%s)",
				   obj, obj, method, args);
		else
			buf_printf(&c->fix,
				   "async with httpx.AsyncClient() as client: resp = await client.%s(%s)  (or aiohttp.ClientSession)",
				   method, args);
		break;
	case C_SLEEP:
		why = "puts the whole event loop to sleep, not just this task";
		buf_printf(&c->fix, "await asyncio.sleep(%s)", args);
		break;
	case C_SUBPROC:
		why = "waits for a child process; every other task waits with it";
		if (*obj)
			buf_printf(&c->fix,
				   "start the process with proc = await asyncio.create_subprocess_exec(...) and write: out, err = await proc.communicate()");
		else
			buf_printf(&c->fix,
				   "proc = await asyncio.create_subprocess_exec(*%s, stdout=asyncio.subprocess.PIPE); out, err = await proc.communicate()",
				   first_arg(c, call, "argv"));
		break;
	case C_SHELL:
		why = "runs a shell command and waits for it; every other task waits with it";
		buf_printf(&c->fix,
			   "proc = await asyncio.create_subprocess_shell(%s, stdout=asyncio.subprocess.PIPE); out, err = await proc.communicate()",
			   first_arg(c, call, "cmd"));
		break;
	case C_FILE:
		why = "does synchronous file I/O; every other task waits on the disk";
		if (*obj)
			buf_printf(&c->fix, "await asyncio.to_thread(%s.%s%s%s)  (or open the file with aiofiles)", obj,
				   method, *args ? ", " : "", args);
		else
			buf_printf(&c->fix,
				   "async with aiofiles.open(%s) as f: data = await f.read()  (or: await asyncio.to_thread(read_file, %s))",
				   args, first_arg(c, call, "path"));
		break;
	case C_PATHIO:
		why = "does synchronous file I/O; every other task waits on the disk";
		buf_printf(&c->fix, "await asyncio.to_thread(%s.%s%s%s)", *obj ? obj : "path", method,
			   *args ? ", " : "", args);
		break;
	case C_DB:
		why = "talks to the database synchronously; every other task waits for the round trip";
		if (*obj)
			buf_printf(&c->fix, "use %s and write: await %s.%s(%s)  (or: await asyncio.to_thread(%s.%s%s%s))",
				   async_driver(driver), obj, method, args, obj, method, *args ? ", " : "", args);
		else
			buf_printf(&c->fix, "use %s: conn = await %s.connect(%s)", async_driver(driver),
				   driver && strcmp(driver, "sqlite3") == 0   ? "aiosqlite"
				   : driver && strcmp(driver, "psycopg") == 0 ? "psycopg.AsyncConnection"
				   : driver && strcmp(driver, "psycopg2") == 0 ? "asyncpg"
									       : "aiomysql",
				   args);
		break;
	case C_SA:
		why = "runs a synchronous SQLAlchemy query; every other task waits for the database";
		if (strcmp(method, "query") == 0)
			buf_printf(&c->fix,
				   "use an AsyncSession (sqlalchemy.ext.asyncio) and write: result = await %s.execute(select(%s))",
				   obj, args);
		else if (strcmp(method, "connect") == 0 || strcmp(method, "begin") == 0 ||
			 strcmp(method, "raw_connection") == 0)
			buf_printf(&c->fix,
				   "make the engine with create_async_engine(...) and write: async with %s.%s() as conn: await conn.execute(...)",
				   obj, method);
		else
			buf_printf(&c->fix, "use an AsyncSession (sqlalchemy.ext.asyncio) and write: await %s.%s(%s)", obj,
				   method, args);
		break;
	case C_SOCKET:
		why = "resolves or connects synchronously; every other task waits for the network";
		if (strcmp(method, "create_connection") == 0)
			buf_printf(&c->fix, "reader, writer = await asyncio.open_connection(*%s)", first_arg(c, call, "address"));
		else
			buf_printf(&c->fix, "await asyncio.get_running_loop().getaddrinfo(%s)", args);
		break;
	case C_NONE:
		return;
	}
	buf_printf(&c->msg, " inside async def %s %s", fname, why);
	scan_emit(c->out, c->f, RULE, call, buf_str(&c->msg), buf_str(&c->fix), 0);
}

/* A call made in code that runs on the event loop. */
static void check_call(struct ctx *c, TSNode call)
{
	if (call.id == c->awaited)
		return; /* await x(): a coroutine */
	TSNode fn = unparen(c, py_field(call, "function"));
	const char *shown = py_dotted(c->f, fn, &c->a);
	const char *name = py_resolve(c->f, shown, &c->a);
	uint32_t mlen = 0;
	const char *m = NULL;
	TSNode obj = {0};
	if (is_sym(fn, c->s.attribute)) {
		obj = py_field(fn, "object");
		m = src_of(c, py_field(fn, "attribute"), &mlen);
	}
	const char *method = name ? py_last(name) : "";

	/* a parameter called like a module or function: async def f(requests, sleep) */
	if (is_sym(fn, c->s.identifier) && lookup(c, fn))
		return;
	/* a method of a handle the code keeps: s.get(), conn.execute(), self.client.post() */
	if (m) {
		struct binding *b = lookup(c, obj);
		if (b) {
			const struct method *me = find_method(b->kind, m, mlen);
			if (me && me->cause != C_NONE && !b->covered) {
				uint32_t olen;
				const char *o = src_of(c, obj, &olen);
				report(c, call, me->cause, shown ? shown : arena_strndup(&c->a, m, mlen), NULL,
				       arena_strndup(&c->a, o, olen), arena_strndup(&c->a, m, mlen), b->driver);
			}
			return;
		}
	}
	if (!name)
		return;
	if (scan_is_http_call(name)) {
		report(c, call, C_HTTP, shown, name, "", method, NULL);
		return;
	}
	if (c->open_shadowed && strcmp(name, "open") == 0)
		return;
	const struct known *k = known_call(name);
	if (k) {
		if (k->cause != C_NONE)
			report(c, call, k->cause, shown, name, "", method, k->driver);
		return;
	}
	/* a method called on what a known call returned: Path(p).read_text(), Popen(...).communicate() */
	if (m && is_sym(unparen(c, obj), c->s.call)) {
		TSNode inner = unparen(c, obj);
		const struct known *ik = known_call(py_call_name(c->f, inner, &c->a));
		if (ik && ik->cause == C_NONE) {
			const struct method *me = find_method(ik->kind, m, mlen);
			if (me && me->cause != C_NONE) {
				uint32_t olen;
				const char *o = src_of(c, inner, &olen);
				report(c, call, me->cause, shown, name, olen <= 60 ? arena_strndup(&c->a, o, olen) : "obj",
				       method, ik->driver);
			}
		}
	}
}

/*
 * The walk's visitor: close the scopes n is past, then open a scope (def,
 * lambda, class), record a binding (assignment, with, for, parameters) or
 * judge a call in code that runs on the event loop. Never skips children.
 */
static int visit(TSNode n, void *arg)
{
	struct ctx *c = arg;
	uint32_t start = ts_node_start_byte(n);
	while (c->nsc > 1 && start >= top(c)->end) {
		c->nb = top(c)->nbind;
		c->nsc--;
	}
	TSSymbol s = ts_node_symbol(n);
	if (s == c->s.call) {
		if (top(c)->async)
			check_call(c, n);
	} else if (s == c->s.await) {
		if (nkids(n) > 0) {
			TSNode inner = unparen(c, ts_node_named_child(n, 0));
			c->awaited = inner.id;
		}
	} else if (s == c->s.assign) {
		TSNode left = py_field(n, "left"), right = py_field(n, "right");
		if (!ts_node_is_null(right) && c->nsc > 1)
			assign(c, left, right);
	} else if (s == c->s.with_stmt) {
		with_items(c, n);
	} else if (s == c->s.for_stmt || s == c->s.for_in) {
		/* for x in ...: / [... for x in ...]: x holds something else now */
		if (c->nb > 0)
			bind(c, py_field(n, "left"), H_NONE, 0, NULL);
	} else if (s == c->s.fdef) {
		int async = py_is_async(c->f, n);
		TSNode name = py_field(n, "name");
		push(c, ts_node_end_byte(n), S_FUNC, async, async ? py_text(c->f, name, &c->a) : NULL);
		if (async)
			parameters(c, n);
	} else if (s == c->s.lambda) {
		push(c, ts_node_end_byte(n), S_LAMBDA, 0, NULL);
		/* its parameters shadow too, but lambdas are not judged: nothing to shadow for */
	} else if (s == c->s.cdef) {
		push(c, ts_node_end_byte(n), S_CLASS, top(c)->async, top(c)->fname);
	}
	return 0;
}

/*
 * Module-level names, bound before the walk so that a function defined
 * above `session = requests.Session()` still sees it; and whether the
 * module defines its own open().
 */
static void module_bindings(struct ctx *c)
{
	uint32_t n = nkids(c->f->root);
	for (uint32_t i = 0; i < n; i++) {
		TSNode st = ts_node_named_child(c->f->root, i);
		TSSymbol s = ts_node_symbol(st);
		if (s == c->s.decorated)
			st = py_field(st, "definition"), s = ts_node_symbol(st);
		if (s == c->s.fdef || s == c->s.cdef) {
			TSNode name = py_field(st, "name");
			uint32_t len;
			const char *t = src_of(c, name, &len);
			if (len == 4 && memcmp(t, "open", 4) == 0)
				c->open_shadowed = 1;
		} else if (s == c->s.expr_stmt && nkids(st) == 1) {
			TSNode a = ts_node_named_child(st, 0);
			if (!is_sym(a, c->s.assign))
				continue;
			TSNode left = py_field(a, "left"), right = py_field(a, "right");
			if (ts_node_is_null(right))
				continue;
			uint32_t len;
			const char *t = src_of(c, left, &len);
			if (is_sym(left, c->s.identifier) && len == 4 && memcmp(t, "open", 4) == 0)
				c->open_shadowed = 1;
			int blocks;
			const char *driver;
			enum handle k = handle_of(c, right, &blocks, &driver);
			if (k != H_NONE && is_sym(left, c->s.identifier))
				bind(c, left, k, 0, driver);
		}
	}
}

/* The rule's check: one walk over the file; everything it allocates is freed before it returns. */
static void check(const struct py_file *f, struct scan_out *out)
{
	struct ctx c = {.f = f, .out = out};
	const TSLanguage *l = ts_tree_language(f->tree);
	c.s = (struct syms){
		.call = sym(l, "call"),
		.fdef = sym(l, "function_definition"),
		.lambda = sym(l, "lambda"),
		.cdef = sym(l, "class_definition"),
		.assign = sym(l, "assignment"),
		.with_stmt = sym(l, "with_statement"),
		.await = sym(l, "await"),
		.attribute = sym(l, "attribute"),
		.identifier = sym(l, "identifier"),
		.as_pattern = sym(l, "as_pattern"),
		.paren = sym(l, "parenthesized_expression"),
		.decorated = sym(l, "decorated_definition"),
		.expr_stmt = sym(l, "expression_statement"),
		.params_typed = sym(l, "typed_parameter"),
		.params_typed_default = sym(l, "typed_default_parameter"),
		.params_default = sym(l, "default_parameter"),
		.for_stmt = sym(l, "for_statement"),
		.for_in = sym(l, "for_in_clause"),
	};
	push(&c, UINT32_MAX, S_MODULE, 0, NULL);
	module_bindings(&c);
	py_walk_file(f, f->root, visit, &c);
	free(c.sc);
	free(c.b);
	buf_free(&c.msg);
	buf_free(&c.fix);
	arena_free(&c.a);
}

const struct scan_rule scan_rule_blocking_io_in_async = {
	.name = RULE,
	.severity = PA_SEV_HIGH,
	.summary = "a synchronous HTTP, file, subprocess, sleep or database call inside async def blocks the event loop",
	.check = check,
	.collect = NULL,
	.finish = NULL,
};
