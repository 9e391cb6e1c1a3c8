/*
 * context_int: what the parts of the context library share; not for other
 * modules. The library reads a project in passes — walk (context_walk.c),
 * Markdown (context_md.c), dependency files (context_deps.c), one pass per
 * Python file that keeps facts (context_py.c), then the routes put
 * together across files (context_routes.c) — and the facts between the
 * passes are these structs. Everything lives in the project_context's
 * arena, and the fact arrays grow by doubling into it (a little waste,
 * one free).
 */
#ifndef PA_SCAN_CONTEXT_INT_H
#define PA_SCAN_CONTEXT_INT_H

#include <stddef.h>

#include "context.h"
#include "pyfile.h"

/* HTTP methods as a bit set; 0 means "not said" (the framework's default applies). */
enum {
	CX_GET = 1 << 0,
	CX_POST = 1 << 1,
	CX_PUT = 1 << 2,
	CX_PATCH = 1 << 3,
	CX_DELETE = 1 << 4,
	CX_HEAD = 1 << 5,
	CX_OPTIONS = 1 << 6,
};
#define CX_NMETHODS 7
/* "GET" for bit 0 ... "OPTIONS" for bit 6. */
const char *cx_method_name(int bit);
/* The bit of a method name (any case), or 0 when it is not one of the seven. */
int cx_method_bit(const char *name);

struct cx_file {
	const char *path;   /* relative to the project: "app/users.py" */
	const char *module; /* its dotted module name: "app.users" ("app" for app/__init__.py) */
	int is_pkg;         /* an __init__.py */
};

/* A name used in one file: as written, and resolved through that file's imports to an absolute dotted name. */
struct cx_ref {
	const char *written;  /* "users.bp", "bp", NULL for none */
	const char *resolved; /* "app.users.bp"; equal to written when no import binds it */
	int imported;         /* its first component is bound by an import */
};

enum cx_obj_kind { CX_FLASK, CX_BLUEPRINT, CX_FASTAPI, CX_ROUTER };

/* An application or router object: `bp = Blueprint("users", __name__, url_prefix="/u")`. */
struct cx_obj {
	size_t file;
	const char *var;
	enum cx_obj_kind kind;
	const char *prefix; /* the constructor's url_prefix / prefix, or NULL */
	unsigned line;
	/* filled by the route pass */
	const char **mounts;
	size_t nmounts;
	int mounting; /* cycle guard */
	int mounted;
};

enum cx_decl_style {
	CX_DECL_ROUTE,     /* Flask @x.route / x.add_url_rule: methods=, default GET */
	CX_DECL_SHORTCUT,  /* @x.get / post / put / patch / delete (Flask 2 and FastAPI) */
	CX_DECL_API_ROUTE, /* FastAPI @x.api_route / x.add_api_route: methods=, default GET */
};

/* A route declared on an object: a decorator or an add_url_rule / add_api_route call. */
struct cx_decl {
	size_t file;
	struct cx_ref obj;
	const char *path; /* NULL: not a string this reader can work out */
	int methods;      /* 0: not said */
	enum cx_decl_style style;
	const char *handler;
	struct cx_ref view; /* add_url_rule(view_func=X.as_view(...)): X, for its methods */
	unsigned line;
};

/* `parent.register_blueprint(child, url_prefix=...)` or `parent.include_router(child, prefix=...)`. */
struct cx_reg {
	size_t file;
	struct cx_ref parent, child;
	const char *prefix; /* NULL when the call gives none */
	int fastapi;
	unsigned line;
};

/* One entry of a Django urlpatterns list (inline include() lists already flattened into it). */
struct cx_url {
	size_t file;
	const char *route; /* the pattern(s) as written, prefixes of inline includes joined */
	int regex;         /* from re_path() / url(): a regular expression */
	unsigned line;
	const char *view_text;     /* "views.index", "admin.site.urls" */
	struct cx_ref view;        /* the view, ".as_view()" taken off, for its methods */
	const char *include;       /* include("blog.urls") / include(blog_urls): the module, absolute */
	unsigned include_line;
	struct cx_ref drf_router;  /* include(router.urls) / urlpatterns += router.urls: the router */
};

/* A Django REST framework router: `router = DefaultRouter(trailing_slash=False)`. */
struct cx_router {
	size_t file;
	const char *var;
	int trailing_slash;
	int api_root; /* DefaultRouter: also a GET at its own prefix */
	unsigned line;
};

/* `router.register("users", UserViewSet)`. */
struct cx_rreg {
	size_t file;
	struct cx_ref router;
	const char *prefix;
	struct cx_ref viewset;
	const char *viewset_text;
	unsigned line;
};

/* What a DRF viewset answers: its standard actions as bits, and its @action methods. */
enum {
	CX_ACT_LIST = 1 << 0,     /* GET on the list route */
	CX_ACT_CREATE = 1 << 1,   /* POST on the list route */
	CX_ACT_RETRIEVE = 1 << 2, /* GET on the detail route */
	CX_ACT_UPDATE = 1 << 3,   /* PUT on the detail route */
	CX_ACT_PARTIAL = 1 << 4,  /* PATCH on the detail route */
	CX_ACT_DESTROY = 1 << 5,  /* DELETE on the detail route */
};

struct cx_action {
	size_t def;       /* the viewset, in s->defs */
	const char *name; /* the method's name */
	const char *path; /* url_path=, else the method's name */
	int detail;
	int methods; /* 0: GET */
	unsigned line;
};

/* A module-level def or class, for the methods a view answers. */
struct cx_def {
	size_t file;
	const char *name;
	int is_class;
	int methods;  /* decorators (require_POST, require_http_methods, api_view) or a class's get/post/... defs */
	int base_methods; /* a class: what its known generic base answers (TemplateView: GET), 0 unknown */
	int actions;        /* a class: the DRF viewset actions it has (CX_ACT_*), from its defs and bases */
	int viewset;        /* a class: a DRF viewset (a *ViewSet base) */
	const char *lookup; /* a class: lookup_field = "..." */
	struct cx_ref *bases; /* a class: its base classes, to inherit what project classes answer */
	size_t nbases;
};

/* A module-level or lazy import of a top-level package, for the heavy dependencies. */
struct cx_import {
	size_t file;
	const char *top; /* "pandas" for "import pandas.io" or "from pandas import x" */
	unsigned line;
	int module_level;
};

struct cx_state {
	struct project_context *c;
	const struct ctx_opts *opts;
	struct cx_file *files;
	size_t nfiles, capfiles;
	struct cx_obj *objs;
	size_t nobjs, capobjs;
	struct cx_decl *decls;
	size_t ndecls, capdecls;
	struct cx_reg *regs;
	size_t nregs, capregs;
	struct cx_url *urls;
	size_t nurls, capurls;
	struct cx_def *defs;
	size_t ndefs, capdefs;
	struct cx_import *imports;
	size_t nimports, capimports;
	struct cx_router *routers;
	size_t nrouters, caprouters;
	struct cx_rreg *rregs;
	size_t nrregs, caprregs;
	struct cx_action *actions;
	size_t nactions, capactions;
	const char **root_urlconfs; /* ROOT_URLCONF = "mysite.urls" values */
	size_t nroot, caproot;
	size_t *urls_files; /* files that define urlpatterns */
	size_t nurls_files, capurls_files;
	size_t capdeps, capservices, caproutes, capnotes;
};

/*
 * Make room for one more element in an array of `size`-byte elements that
 * lives in arena a: returns the (possibly moved) array with at least n + 1
 * slots, updating *cap.
 */
void *cx_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size);

/* Add a note (printf-style) to the context. */
void cx_note(struct cx_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Read dir/rel into memory, at most max bytes. Returns a malloc'd,
 * NUL-terminated copy (free() it) and its length, or NULL (missing,
 * unreadable, a directory, or over max: *too_big says which).
 */
char *cx_read_file(const char *dir, const char *rel, size_t max, size_t *len, int *too_big);

/* 1 when dir/rel is a regular file. */
int cx_is_file(const char *dir, const char *rel);

/*
 * Walk the project (with `perfagent scan`'s walker, walk.h): every .py file
 * to s->files (sorted by path, with its module name), without what scan
 * leaves out (.git, virtualenvs, node_modules, build output, what the
 * .gitignore files name), Django migrations, and tests unless asked for.
 * Returns 0, or -1 with e set when dir is not a readable directory.
 */
int cx_walk(struct cx_state *s, const char *dir, struct perr *e);

/* CLAUDE.md and the architecture file into s->c. */
void cx_read_rules(struct cx_state *s);
void cx_read_architecture(struct cx_state *s);

/* requirements*.txt, pyproject.toml and Pipfile into s->c->deps, heavy ones marked. */
void cx_read_deps(struct cx_state *s);
/* 1 when top (a top-level package: "pandas", "cv2") is what a heavy dependency installs. */
int cx_heavy_module(const char *top);
/* After the Python pass: where project code imports each heavy dependency. */
void cx_deps_imports(struct cx_state *s);

/* The facts of one parsed Python file (s->files[file]); services go straight to s->c. */
void cx_read_python(struct cx_state *s, size_t file, const struct py_file *f);

/* Put the routes together from the facts, into s->c->routes, sorted. */
void cx_build_routes(struct cx_state *s);

/* The string value of a string literal node (prefix letters and quotes off), or NULL (f-string, not a string). */
const char *cx_string_value(const struct py_file *f, TSNode n, struct arena *a);

#endif
