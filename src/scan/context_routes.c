/*
 * context_routes: the routes of the project, put together from the facts
 * every file left (context_py.c).
 *
 * Flask: a blueprint's routes are mounted where it is registered:
 * app.register_blueprint(bp, url_prefix="/y") mounts it at /y (the
 * registration's prefix wins over Blueprint(url_prefix=...), as in Flask),
 * without one at the blueprint's own url_prefix; blueprints registered on
 * blueprints nest; a blueprint registered twice has its routes twice; one
 * never registered is listed at its own prefix, with a note. Joins are
 * Flask's: "/y" + "/" -> "/y/", "/y" + "" -> "/y".
 *
 * FastAPI: prefixes add up, as FastAPI does it: include_router(r,
 * prefix="/y") on a router made with APIRouter(prefix="/x") puts its
 * "/list" at /y/x/list, through any number of nested routers.
 *
 * Django: from ROOT_URLCONF (or, without one, every urls module nobody
 * includes), path() / re_path() / url() entries with their include()
 * prefixes joined, each include followed once per route to it.
 *
 * An object is found from a name by the file it is used in: a name defined
 * in that file, else the name its imports resolve to ("from .users import
 * bp" -> app.users.bp, matched against module names by suffix, so src/
 * layouts work), else the one object of that name in the project if there
 * is exactly one. Routes on an object that cannot be found are listed at
 * their own path.
 */
#include "context_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/buf.h"

#define MOUNT_DEPTH 8
#define INCLUDE_MAX_DEPTH 16

static const char *const method_names[CX_NMETHODS] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};

const char *cx_method_name(int bit)
{
	for (int i = 0; i < CX_NMETHODS; i++)
		if (bit == 1 << i)
			return method_names[i];
	return "GET";
}

int cx_method_bit(const char *name)
{
	for (int i = 0; i < CX_NMETHODS; i++)
		if (strcasecmp(name, method_names[i]) == 0)
			return 1 << i;
	return 0;
}

/* m is q, or ends with ".q": "src.app.users" matches "app.users". */
static int module_matches(const char *m, const char *q)
{
	size_t ml = strlen(m), ql = strlen(q);
	if (ml < ql)
		return 0;
	if (ml == ql)
		return strcmp(m, q) == 0;
	return m[ml - ql - 1] == '.' && strcmp(m + ml - ql, q) == 0;
}

/*
 * Split a resolved dotted name into its module part and last name:
 * "app.users.bp" -> "app.users", "bp". mod is a buffer of the caller's.
 */
static const char *split_last(const char *dotted, char *mod, size_t modlen)
{
	const char *dot = strrchr(dotted, '.');
	if (!dot) {
		mod[0] = '\0';
		return dotted;
	}
	snprintf(mod, modlen, "%.*s", (int)(dot - dotted), dotted);
	return dot + 1;
}

/*
 * The thing a reference names, as an index into an array of n items each
 * with a file and a name (get_file/get_name read item i): see the file's
 * comment for the order of the tries. -1 when nothing fits.
 */
typedef size_t (*item_file_fn)(const struct cx_state *s, size_t i);
typedef const char *(*item_name_fn)(const struct cx_state *s, size_t i);

static long find_named(const struct cx_state *s, size_t file, const struct cx_ref *r, size_t n, item_file_fn get_file,
		       item_name_fn get_name)
{
	if (!r->written)
		return -1;
	if (!r->imported && !strchr(r->written, '.'))
		for (size_t i = 0; i < n; i++)
			if (get_file(s, i) == file && strcmp(get_name(s, i), r->written) == 0)
				return (long)i;
	char mod[1024];
	const char *last = split_last(r->resolved, mod, sizeof(mod));
	if (mod[0]) {
		long best = -1;
		size_t best_len = 0;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(get_name(s, i), last) != 0)
				continue;
			const char *m = s->files[get_file(s, i)].module;
			if (!module_matches(m, mod))
				continue;
			if (best < 0 || strlen(m) < best_len) {
				best = (long)i;
				best_len = strlen(m);
			}
		}
		if (best >= 0)
			return best;
	}
	/* the one of that name in the project */
	long only = -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(get_name(s, i), last) == 0) {
			if (only >= 0)
				return -1;
			only = (long)i;
		}
	return only;
}

static size_t obj_file(const struct cx_state *s, size_t i)
{
	return s->objs[i].file;
}
static const char *obj_name(const struct cx_state *s, size_t i)
{
	return s->objs[i].var;
}
static size_t def_file(const struct cx_state *s, size_t i)
{
	return s->defs[i].file;
}
static const char *def_name(const struct cx_state *s, size_t i)
{
	return s->defs[i].name;
}

static struct cx_obj *find_obj(struct cx_state *s, size_t file, const struct cx_ref *r)
{
	long i = find_named(s, file, r, s->nobjs, obj_file, obj_name);
	return i < 0 ? NULL : &s->objs[i];
}

/*
 * What a def answers, with what a class inherits from the project's own
 * classes (up to 5 levels): its HTTP methods (CX_GET ...), or with actions
 * set its DRF viewset actions (CX_ACT_*).
 */
static int inherited(const struct cx_state *s, size_t di, int actions, int depth)
{
	const struct cx_def *d = &s->defs[di];
	int bits = actions ? d->actions : d->methods | d->base_methods;
	if (!d->is_class || depth > 5)
		return bits;
	for (size_t i = 0; i < d->nbases; i++) {
		long b = find_named(s, d->file, &d->bases[i], s->ndefs, def_file, def_name);
		if (b >= 0 && (size_t)b != di && s->defs[b].is_class)
			bits |= inherited(s, (size_t)b, actions, depth + 1);
	}
	return bits;
}

/* The methods a view answers, from its def (and a class's project bases); 0 when not known. */
static int view_methods(struct cx_state *s, size_t file, const struct cx_ref *r)
{
	long i = find_named(s, file, r, s->ndefs, def_file, def_name);
	return i < 0 ? 0 : inherited(s, (size_t)i, 0, 0);
}

/* Flask's join: "/y" + "/x" -> "/y/x", "/y/" + "" -> "/y/", "" + "/x" -> "/x". */
static const char *flask_join(struct arena *a, const char *prefix, const char *rule)
{
	if (!prefix || !*prefix)
		return rule;
	if (!*rule)
		return prefix;
	size_t pl = strlen(prefix);
	while (pl && prefix[pl - 1] == '/')
		pl--;
	while (*rule == '/')
		rule++;
	return arena_printf(a, "%.*s/%s", (int)pl, prefix, rule);
}

static void add_mount(struct arena *a, struct cx_obj *o, const char *m, size_t *cap)
{
	for (size_t i = 0; i < o->nmounts; i++)
		if (strcmp(o->mounts[i], m) == 0)
			return;
	o->mounts = cx_grow(a, o->mounts, o->nmounts, cap, sizeof(*o->mounts));
	o->mounts[o->nmounts++] = m;
}

/* Where o's routes hang: the prefixes of every registration path from an application down to it. */
struct links {
	struct cx_obj **parent_of, **child_of; /* per registration: the objects its names stand for */
};

static void mount(struct cx_state *s, struct cx_obj *o, const struct links *l, int depth)
{
	if (o->mounted)
		return;
	struct arena *a = &s->c->arena;
	if (o->mounting || depth > MOUNT_DEPTH) {
		cx_note(s, "%s:%u: '%s' is registered inside itself (or over %d levels deep); not followed further",
			s->files[o->file].path, o->line, o->var, MOUNT_DEPTH);
		return;
	}
	o->mounting = 1;
	size_t cap = 0;
	int registered = 0;
	for (size_t i = 0; i < s->nregs; i++) {
		const struct cx_reg *r = &s->regs[i];
		if (l->child_of[i] != o)
			continue;
		registered = 1;
		struct cx_obj *p = l->parent_of[i];
		const char *const root[] = {""};
		const char *const *pm = root;
		size_t npm = 1;
		if (p) {
			mount(s, p, l, depth + 1);
			if (p->nmounts) {
				pm = p->mounts;
				npm = p->nmounts;
			}
		}
		for (size_t k = 0; k < npm; k++) {
			const char *m;
			if (r->fastapi)
				m = arena_printf(a, "%s%s%s", pm[k], r->prefix ? r->prefix : "", o->prefix ? o->prefix : "");
			else
				m = flask_join(a, pm[k], r->prefix ? r->prefix : (o->prefix ? o->prefix : ""));
			add_mount(a, o, m, &cap);
		}
	}
	if (!registered) {
		add_mount(a, o, o->prefix ? o->prefix : "", &cap);
		if (o->kind == CX_BLUEPRINT || o->kind == CX_ROUTER)
			cx_note(s, "%s:%u: %s '%s' is never %s in the code read; its routes are listed at %s",
				s->files[o->file].path, o->line, o->kind == CX_BLUEPRINT ? "blueprint" : "router", o->var,
				o->kind == CX_BLUEPRINT ? "registered" : "included",
				o->prefix && *o->prefix ? "its own prefix" : "their own paths");
	}
	o->mounting = 0;
	o->mounted = 1;
}

/* ---- adding routes ---- */

static void add_route(struct cx_state *s, const char *method, const char *path, size_t file, unsigned line,
		      const char *handler, const char *framework)
{
	struct project_context *c = s->c;
	struct arena *a = &c->arena;
	/* a leading "/", no "//" */
	struct buf b = BUF_INIT;
	if (path[0] != '/')
		buf_putc(&b, '/');
	for (const char *p = path; *p; p++)
		if (!(*p == '/' && b.len && b.data[b.len - 1] == '/'))
			buf_putc(&b, *p);
	c->routes = cx_grow(a, c->routes, c->nroutes, &s->caproutes, sizeof(*c->routes));
	struct ctx_route *r = &c->routes[c->nroutes++];
	r->method = method;
	r->path = arena_strdup(a, buf_str(&b));
	r->file = s->files[file].path;
	r->line = line;
	r->handler = handler ? handler : "?";
	r->framework = framework;
	buf_free(&b);
}

static void add_methods(struct cx_state *s, int methods, const char *path, size_t file, unsigned line,
			const char *handler, const char *framework)
{
	if (!methods)
		methods = CX_GET;
	for (int i = 0; i < CX_NMETHODS; i++)
		if (methods & (1 << i))
			add_route(s, cx_method_name(1 << i), path, file, line, handler, framework);
}

static void flask_fastapi_routes(struct cx_state *s)
{
	struct arena *a = &s->c->arena;
	int any_fastapi = 0, any_flask = 0;
	for (size_t i = 0; i < s->nobjs; i++) {
		if (s->objs[i].kind == CX_FASTAPI || s->objs[i].kind == CX_ROUTER)
			any_fastapi = 1;
		else
			any_flask = 1;
	}
	struct links l;
	l.parent_of = xcalloc(s->nregs ? s->nregs : 1, sizeof(*l.parent_of));
	l.child_of = xcalloc(s->nregs ? s->nregs : 1, sizeof(*l.child_of));
	for (size_t i = 0; i < s->nregs; i++) {
		const struct cx_reg *r = &s->regs[i];
		l.parent_of[i] = find_obj(s, r->file, &r->parent);
		l.child_of[i] = find_obj(s, r->file, &r->child);
		if (!l.child_of[i])
			cx_note(s, "%s:%u: %s(%s): no %s of that name found; the registration is not followed",
				s->files[r->file].path, r->line, r->fastapi ? "include_router" : "register_blueprint",
				r->child.written, r->fastapi ? "APIRouter" : "Blueprint");
	}
	for (size_t i = 0; i < s->nobjs; i++)
		mount(s, &s->objs[i], &l, 0);
	free(l.parent_of);
	free(l.child_of);
	for (size_t i = 0; i < s->ndecls; i++) {
		const struct cx_decl *d = &s->decls[i];
		struct cx_obj *o = find_obj(s, d->file, &d->obj);
		const char *framework;
		int fastapi_join;
		if (!d->path) {
			/* @mock.patch(TARGET) is no route; @bp.get(PATHS[0]) on a blueprint is one we cannot read */
			if (o)
				cx_note(s, "%s:%u: the route's path is not a string this reader can work out; not listed",
					s->files[d->file].path, d->line);
			continue;
		}
		if (o) {
			fastapi_join = o->kind == CX_FASTAPI || o->kind == CX_ROUTER;
			framework = fastapi_join ? "fastapi" : "flask";
		} else {
			/* an object built where this reader cannot see (a factory, another package) */
			if (d->path[0] != '/')
				continue; /* @cache.get("key"), @mock.patch("mod.f"): not a route */
			fastapi_join = d->style == CX_DECL_API_ROUTE ||
				       (d->style == CX_DECL_SHORTCUT && any_fastapi && !any_flask);
			framework = fastapi_join ? "fastapi" : "flask";
		}
		int methods = d->methods;
		if (!methods && d->view.written)
			methods = view_methods(s, d->file, &d->view);
		const char *const root[] = {""};
		const char *const *mounts = o && o->nmounts ? o->mounts : root;
		size_t nm = o && o->nmounts ? o->nmounts : 1;
		for (size_t k = 0; k < nm; k++) {
			const char *p = fastapi_join ? arena_printf(a, "%s%s", mounts[k], d->path)
						     : flask_join(a, mounts[k], d->path);
			add_methods(s, methods, p, d->file, d->line, d->handler, framework);
		}
	}
}

/* ---- Django ---- */

/* The urls module (a file that defines urlpatterns) a dotted module name stands for, or -1. */
static long urls_file(const struct cx_state *s, const char *module)
{
	long best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < s->nurls_files; i++) {
		const char *m = s->files[s->urls_files[i]].module;
		if (module_matches(m, module) && (best < 0 || strlen(m) < best_len)) {
			best = (long)s->urls_files[i];
			best_len = strlen(m);
		}
	}
	return best;
}

struct dj_walk {
	struct cx_state *s;
	size_t stack[INCLUDE_MAX_DEPTH + 1];
	size_t depth;
	char *reached; /* per file */
};

static size_t router_file(const struct cx_state *s, size_t i)
{
	return s->routers[i].file;
}
static const char *router_name(const struct cx_state *s, size_t i)
{
	return s->routers[i].var;
}

/* Add a route per action bit in acts that is one of bits, with its method. */
static void drf_add(struct cx_state *s, int acts, const char *path, size_t file, unsigned line, const char *viewset,
		    int list)
{
	static const struct {
		int act;
		int method;
		const char *name;
		int list;
	} map[] = {{CX_ACT_LIST, CX_GET, "list", 1},          {CX_ACT_CREATE, CX_POST, "create", 1},
		   {CX_ACT_RETRIEVE, CX_GET, "retrieve", 0},  {CX_ACT_UPDATE, CX_PUT, "update", 0},
		   {CX_ACT_PARTIAL, CX_PATCH, "partial_update", 0}, {CX_ACT_DESTROY, CX_DELETE, "destroy", 0}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((acts & map[i].act) && map[i].list == list)
			add_route(s, cx_method_name(map[i].method), path, file, line,
				  arena_printf(&s->c->arena, "%s.%s", viewset, map[i].name), "django");
}

/*
 * The routes of a DRF router included at prefix: per registered viewset its
 * list route (prefix/users/) and detail route (prefix/users/<pk>/) with the
 * methods its actions answer, and its @action routes; a DefaultRouter's API
 * root at the prefix itself.
 */
static void drf_routes(struct cx_state *s, const struct cx_url *u, const char *prefix)
{
	struct arena *a = &s->c->arena;
	long ri = find_named(s, u->file, &u->drf_router, s->nrouters, router_file, router_name);
	/*
	 * A router of a class of the project's own (NetBoxRouter(DefaultRouter)) is
	 * not known by its constructor: an object of this file that has
	 * register("prefix", ViewSet) calls and whose .urls are included is one.
	 */
	struct cx_router implicit = {.file = u->file, .var = u->drf_router.written, .trailing_slash = 1, .line = u->line};
	int any = ri >= 0;
	for (size_t i = 0; ri < 0 && !any && i < s->nrregs; i++)
		any = s->rregs[i].file == u->file && strcmp(s->rregs[i].router.written, u->drf_router.written) == 0;
	if (!any) {
		cx_note(s, "%s:%u: include(%s.urls): no REST framework router of that name found; its routes are not listed",
			s->files[u->file].path, u->line, u->drf_router.written);
		return;
	}
	const struct cx_router *r = ri >= 0 ? &s->routers[ri] : &implicit;
	const char *slash = r->trailing_slash ? "/" : "";
	if (r->api_root)
		add_route(s, "GET", prefix, r->file, r->line, "api-root", "django");
	for (size_t i = 0; i < s->nrregs; i++) {
		const struct cx_rreg *g = &s->rregs[i];
		if (ri >= 0 ? find_named(s, g->file, &g->router, s->nrouters, router_file, router_name) != ri
			    : g->file != u->file || strcmp(g->router.written, u->drf_router.written) != 0)
			continue;
		long di = find_named(s, g->file, &g->viewset, s->ndefs, def_file, def_name);
		const struct cx_def *d = di >= 0 && s->defs[di].is_class ? &s->defs[di] : NULL;
		int acts = d ? inherited(s, (size_t)di, 1, 0) : 0;
		if (!acts) {
			/* a viewset this reader cannot see into: its reads, the methods every viewset has */
			acts = CX_ACT_LIST | CX_ACT_RETRIEVE;
			if (!d)
				cx_note(s, "%s:%u: viewset '%s' not found in the project; its list and detail routes are listed as GET",
					s->files[g->file].path, g->line, g->viewset_text);
		}
		const char *list = arena_printf(a, "%s%s", prefix, g->prefix);
		const char *detail = arena_printf(a, "%s/<%s>", list, d && d->lookup ? d->lookup : "pk");
		drf_add(s, acts, arena_printf(a, "%s%s", list, slash), g->file, g->line, g->viewset_text, 1);
		drf_add(s, acts, arena_printf(a, "%s%s", detail, slash), g->file, g->line, g->viewset_text, 0);
		for (size_t k = 0; di >= 0 && k < s->nactions; k++) {
			const struct cx_action *ac = &s->actions[k];
			if (ac->def != (size_t)di)
				continue;
			const char *p = arena_printf(a, "%s/%s%s", ac->detail ? detail : list, ac->path, slash);
			add_methods(s, ac->methods, p, s->defs[di].file, ac->line,
				    arena_printf(a, "%s.%s", g->viewset_text, ac->name), "django");
		}
	}
}

static void django_module(struct dj_walk *w, size_t file, const char *prefix)
{
	struct cx_state *s = w->s;
	struct arena *a = &s->c->arena;
	for (size_t i = 0; i < w->depth; i++)
		if (w->stack[i] == file) {
			cx_note(s, "%s: includes itself (through include()); not followed again", s->files[file].path);
			return;
		}
	if (w->depth >= INCLUDE_MAX_DEPTH) {
		cx_note(s, "%s: include() nested over %d deep; not followed", s->files[file].path, INCLUDE_MAX_DEPTH);
		return;
	}
	w->stack[w->depth++] = file;
	w->reached[file] = 1;
	for (size_t i = 0; i < s->nurls; i++) {
		const struct cx_url *u = &s->urls[i];
		if (u->file != file)
			continue;
		const char *full = arena_printf(a, "%s%s", prefix, u->route);
		if (u->drf_router.written) {
			drf_routes(s, u, full);
			continue;
		}
		if (u->include) {
			long target = urls_file(s, u->include);
			if (target < 0)
				cx_note(s, "%s:%u: include('%s'): no urls module of that name in the project; not followed",
					s->files[file].path, u->include_line, u->include);
			else
				django_module(w, (size_t)target, full);
			continue;
		}
		int methods = u->view.written ? view_methods(s, file, &u->view) : 0;
		add_methods(s, methods, full, file, u->line, u->view_text, "django");
	}
	w->depth--;
}

static void django_routes(struct cx_state *s)
{
	if (!s->nurls_files)
		return;
	struct dj_walk w = {.s = s};
	w.reached = xcalloc(s->nfiles ? s->nfiles : 1, 1);
	int rooted = 0;
	for (size_t i = 0; i < s->nroot; i++) {
		long f = urls_file(s, s->root_urlconfs[i]);
		if (f < 0) {
			cx_note(s, "ROOT_URLCONF '%s': no urls module of that name in the project", s->root_urlconfs[i]);
			continue;
		}
		if (!w.reached[f])
			django_module(&w, (size_t)f, "");
		rooted = 1;
	}
	if (rooted) {
		for (size_t i = 0; i < s->nurls_files; i++)
			if (!w.reached[s->urls_files[i]])
				cx_note(s, "%s: its urlpatterns are not included from ROOT_URLCONF; not listed",
					s->files[s->urls_files[i]].path);
	} else {
		/* no ROOT_URLCONF: every urls module that no other includes is a root */
		char *included = xcalloc(s->nfiles ? s->nfiles : 1, 1);
		for (size_t i = 0; i < s->nurls; i++) {
			if (!s->urls[i].include)
				continue;
			long t = urls_file(s, s->urls[i].include);
			if (t >= 0 && (size_t)t != s->urls[i].file)
				included[t] = 1;
		}
		for (size_t i = 0; i < s->nurls_files; i++)
			if (!included[s->urls_files[i]] && !w.reached[s->urls_files[i]])
				django_module(&w, s->urls_files[i], "");
		for (size_t i = 0; i < s->nurls_files; i++)
			if (!w.reached[s->urls_files[i]])
				django_module(&w, s->urls_files[i], ""); /* only in an include cycle */
		free(included);
	}
	free(w.reached);
}

/* ---- order ---- */

static int method_rank(const char *m)
{
	int b = cx_method_bit(m);
	for (int i = 0; i < CX_NMETHODS; i++)
		if (b == 1 << i)
			return i;
	return CX_NMETHODS;
}

static int route_cmp(const void *x, const void *y)
{
	const struct ctx_route *a = x, *b = y;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = strcmp(a->path, b->path)))
		return c;
	return method_rank(a->method) - method_rank(b->method);
}

void cx_build_routes(struct cx_state *s)
{
	flask_fastapi_routes(s);
	django_routes(s);
	struct project_context *c = s->c;
	if (!c->nroutes)
		return;
	qsort(c->routes, c->nroutes, sizeof(*c->routes), route_cmp);
	size_t o = 1;
	for (size_t i = 1; i < c->nroutes; i++)
		if (route_cmp(&c->routes[i], &c->routes[o - 1]) != 0)
			c->routes[o++] = c->routes[i];
	c->nroutes = o;
}
