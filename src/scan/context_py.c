/*
 * context_py: what one Python file tells the inventory, read in one walk
 * of its tree (plus a look at its top-level statements):
 *
 *   objects        app = Flask(...), bp = Blueprint(..., url_prefix=...),
 *                  app = FastAPI(), router = APIRouter(prefix=...)
 *   declarations   @x.route / @x.get ... decorators, x.add_url_rule(),
 *                  x.add_api_route()
 *   registrations  x.register_blueprint(bp, url_prefix=...),
 *                  x.include_router(r, prefix=...)
 *   Django         urlpatterns = [path(...), re_path(...), url(...)], with
 *                  += / append / extend, include() of modules, of lists
 *                  in the file (flattened here) and of tuples;
 *                  ROOT_URLCONF = "..."
 *   views          module-level defs and classes with the methods they
 *                  answer (require_POST, require_http_methods([...]),
 *                  api_view([...]); a class's get/post defs; Django and
 *                  DRF generic bases)
 *   services       each function's database and HTTP calls
 *   imports        where heavy packages are imported, at module level or lazily
 *
 * Names are kept as written and resolved through the file's imports
 * (relative imports made absolute from the file's package), so that the
 * route pass can join files without the trees. Path and prefix arguments
 * must be string literals or module-level string constants of the same
 * file; anything else becomes a note.
 */
#include "context_int.h"

#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "rules.h"

struct pconst {
	const char *name;
	const char *value; /* a string constant, or NULL */
	TSNode rhs;        /* the assigned expression */
};

struct svc_slot {
	uint32_t fn_start; /* the function's start byte; UINT32_MAX for module level */
	size_t idx;        /* in c->services */
	size_t capdb, caphttp;
};

struct pyctx {
	struct cx_state *s;
	size_t file;
	const struct py_file *f;
	struct arena *a;   /* the context's: what is kept */
	struct arena tmp;  /* this file's scratch */
	struct pconst *consts;
	size_t nconsts, capconsts;
	struct svc_slot *svc;
	size_t nsvc, capsvc;
	int url_seen;
};

static const char *path_of(const struct pyctx *pc)
{
	return pc->s->files[pc->file].path;
}

/* ---- small node helpers ---- */

/* Named children of n; 0 for a null node (a field the parser left out). */
static uint32_t kids(TSNode n)
{
	return ts_node_is_null(n) ? 0 : ts_node_named_child_count(n);
}

/* The text of n's field child, "" when there is none. */
static const char *ftext(struct pyctx *pc, TSNode n, const char *field)
{
	TSNode c = py_field(n, field);
	return ts_node_is_null(c) ? "" : py_text(pc->f, c, &pc->tmp);
}

const char *cx_string_value(const struct py_file *f, TSNode n, struct arena *a)
{
	if (py_is(n, "concatenated_string")) {
		struct buf b = BUF_INIT;
		uint32_t nc = kids(n);
		for (uint32_t i = 0; i < nc; i++) {
			const char *part = cx_string_value(f, ts_node_named_child(n, i), a);
			if (!part) {
				buf_free(&b);
				return NULL;
			}
			buf_puts(&b, part);
		}
		const char *out = arena_strdup(a, buf_str(&b));
		buf_free(&b);
		return out;
	}
	if (!py_is(n, "string"))
		return NULL;
	uint32_t nc = ts_node_child_count(n);
	TSNode start = {0}, end = {0};
	for (uint32_t i = 0; i < nc; i++) {
		TSNode ch = ts_node_child(n, i);
		const char *t = ts_node_type(ch);
		if (strcmp(t, "interpolation") == 0)
			return NULL; /* an f-string with a value in it */
		if (strcmp(t, "string_start") == 0)
			start = ch;
		else if (strcmp(t, "string_end") == 0)
			end = ch;
	}
	if (ts_node_is_null(start) || ts_node_is_null(end))
		return NULL;
	uint32_t s = ts_node_end_byte(start), e = ts_node_start_byte(end);
	if (e < s || e > f->len)
		return NULL;
	return arena_strndup(a, f->src + s, e - s);
}

/* 1 when n is the identifier name. */
static int is_name(const struct pyctx *pc, TSNode n, const char *name)
{
	if (!py_is(n, "identifier"))
		return 0;
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t l = strlen(name);
	return e - s == l && memcmp(pc->f->src + s, name, l) == 0;
}

/* A string literal, a module-level string constant of this file, or a "+" of those. */
static const char *str_of(struct pyctx *pc, TSNode n)
{
	if (ts_node_is_null(n))
		return NULL;
	if (py_is(n, "binary_operator")) {
		TSNode op = py_field(n, "operator");
		if (ts_node_is_null(op) || strcmp(ts_node_type(op), "+") != 0)
			return NULL;
		const char *l = str_of(pc, py_field(n, "left"));
		const char *r = l ? str_of(pc, py_field(n, "right")) : NULL;
		return r ? arena_printf(pc->a, "%s%s", l, r) : NULL;
	}
	if (py_is(n, "parenthesized_expression") && kids(n) == 1)
		return str_of(pc, ts_node_named_child(n, 0));
	if (py_is(n, "identifier")) {
		const char *name = py_text(pc->f, n, &pc->tmp);
		for (size_t i = pc->nconsts; i-- > 0;)
			if (strcmp(pc->consts[i].name, name) == 0)
				return pc->consts[i].value ? arena_strdup(pc->a, pc->consts[i].value) : NULL;
		return NULL;
	}
	return cx_string_value(pc->f, n, pc->a);
}

/* The idx-th positional argument of a call, or a null node. */
static TSNode arg_pos(TSNode call, unsigned idx)
{
	TSNode args = py_field(call, "arguments"), none = {0};
	if (!py_is(args, "argument_list"))
		return none;
	uint32_t nc = kids(args);
	unsigned k = 0;
	for (uint32_t i = 0; i < nc; i++) {
		TSNode a = ts_node_named_child(args, i);
		const char *t = ts_node_type(a);
		if (strcmp(t, "keyword_argument") == 0 || strcmp(t, "comment") == 0 || strcmp(t, "list_splat") == 0 ||
		    strcmp(t, "dictionary_splat") == 0)
			continue;
		if (k++ == idx)
			return a;
	}
	return none;
}

/* The value of keyword argument name= of a call, or a null node. */
static TSNode arg_kw(const struct pyctx *pc, TSNode call, const char *name)
{
	TSNode args = py_field(call, "arguments"), none = {0};
	if (!py_is(args, "argument_list"))
		return none;
	uint32_t nc = kids(args);
	size_t nl = strlen(name);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode a = ts_node_named_child(args, i);
		if (!py_is(a, "keyword_argument"))
			continue;
		TSNode k = py_field(a, "name");
		uint32_t s = ts_node_start_byte(k), e = ts_node_end_byte(k);
		if (e - s == nl && memcmp(pc->f->src + s, name, nl) == 0)
			return py_field(a, "value");
	}
	return none;
}

/* The positional argument idx, else the keyword one. */
static TSNode arg(const struct pyctx *pc, TSNode call, unsigned idx, const char *name)
{
	TSNode n = arg_pos(call, idx);
	return ts_node_is_null(n) ? arg_kw(pc, call, name) : n;
}

/* "..pkg.mod" in this file's package -> absolute; other names unchanged. */
static const char *absolute(struct pyctx *pc, const char *name)
{
	if (!name || name[0] != '.')
		return name;
	const struct cx_file *cf = &pc->s->files[pc->file];
	size_t dots = 0;
	while (name[dots] == '.')
		dots++;
	/* the package the file is in: itself for __init__.py */
	char *base = arena_strdup(&pc->tmp, cf->module);
	if (!cf->is_pkg) {
		char *dot = strrchr(base, '.');
		if (dot)
			*dot = '\0';
		else
			base[0] = '\0';
	}
	for (size_t k = 1; k < dots; k++) {
		char *dot = strrchr(base, '.');
		if (dot)
			*dot = '\0';
		else
			base[0] = '\0';
	}
	const char *rest = name + dots;
	if (!*base)
		return arena_strdup(&pc->tmp, rest);
	if (!*rest)
		return base;
	return arena_printf(&pc->tmp, "%s.%s", base, rest);
}

/* A reference to the name expression n as written and resolved (strings kept in the context's arena). */
static struct cx_ref ref_of(struct pyctx *pc, TSNode n)
{
	struct cx_ref r = {0};
	const char *w = py_dotted(pc->f, n, &pc->tmp);
	if (!w)
		return r;
	const char *res = py_resolve(pc->f, w, &pc->tmp);
	r.imported = res != w;
	r.written = arena_strdup(pc->a, w);
	r.resolved = r.imported ? arena_strdup(pc->a, absolute(pc, res)) : r.written;
	return r;
}

static const char *last_of(const char *dotted)
{
	return dotted ? py_last(dotted) : NULL;
}

/* A display text for an expression: its dotted name, else its source cut to 80 bytes. */
static const char *display(struct pyctx *pc, TSNode n)
{
	/* cache_page(60)(views.sitemap): the view, not the decorator */
	if (py_is(n, "call") && py_is(py_field(n, "function"), "call") && !ts_node_is_null(arg_pos(n, 0)))
		return display(pc, arg_pos(n, 0));
	const char *d = py_dotted(pc->f, n, &pc->tmp);
	if (d)
		return arena_strdup(pc->a, d);
	const char *t = py_text(pc->f, n, &pc->tmp);
	size_t len = strlen(t);
	char *out = arena_strndup(pc->a, t, len > 80 ? 80 : len);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return out;
}

/* The methods of a literal list/tuple/set of strings ("GET", "post"); -1 when it is not one. */
static int methods_of(struct pyctx *pc, TSNode n)
{
	if (ts_node_is_null(n))
		return 0;
	const char *t = ts_node_type(n);
	if (strcmp(t, "list") && strcmp(t, "tuple") && strcmp(t, "set"))
		return -1;
	int bits = 0;
	uint32_t nc = kids(n);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode e = ts_node_named_child(n, i);
		if (py_is(e, "comment"))
			continue;
		const char *v = cx_string_value(pc->f, e, &pc->tmp);
		if (!v)
			return -1;
		int b = cx_method_bit(v);
		if (!b)
			cx_note(pc->s, "%s:%u: method '%s' is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS; left out",
				path_of(pc), py_line(e), v);
		bits |= b;
	}
	return bits;
}

/* ---- the file's top level: constants, views, imports ---- */

static void add_const(struct pyctx *pc, TSNode asg)
{
	TSNode left = py_field(asg, "left"), right = py_field(asg, "right");
	if (!py_is(left, "identifier") || ts_node_is_null(right))
		return;
	pc->consts = cx_grow(&pc->tmp, pc->consts, pc->nconsts, &pc->capconsts, sizeof(*pc->consts));
	struct pconst *k = &pc->consts[pc->nconsts++];
	k->name = py_text(pc->f, left, &pc->tmp);
	k->value = cx_string_value(pc->f, right, &pc->tmp);
	k->rhs = right;
}

static void add_import_fact(struct pyctx *pc, const char *target, unsigned line, int module_level)
{
	if (!target || target[0] == '.')
		return;
	const char *dot = strchr(target, '.');
	char top[128];
	snprintf(top, sizeof(top), "%.*s", dot ? (int)(dot - target) : (int)strlen(target), target);
	if (!cx_heavy_module(top))
		return;
	struct cx_state *s = pc->s;
	for (size_t i = s->nimports; i-- > 0 && s->imports[i].file == pc->file;)
		if (strcmp(s->imports[i].top, top) == 0 && (s->imports[i].module_level || !module_level))
			return;
	s->imports = cx_grow(&s->c->arena, s->imports, s->nimports, &s->capimports, sizeof(*s->imports));
	struct cx_import *im = &s->imports[s->nimports++];
	im->file = pc->file;
	im->top = arena_strdup(&s->c->arena, top);
	im->line = line;
	im->module_level = module_level;
}

/* The modules an import statement names: "import a.b, c" -> a.b, c; "from x.y import z" -> x.y. */
static void top_import(struct pyctx *pc, TSNode n)
{
	if (py_is(n, "import_from_statement")) {
		TSNode mod = py_field(n, "module_name");
		if (!ts_node_is_null(mod))
			add_import_fact(pc, py_text(pc->f, mod, &pc->tmp), py_line(n), 1);
		return;
	}
	uint32_t nc = kids(n);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode c = ts_node_named_child(n, i);
		if (py_is(c, "aliased_import"))
			c = py_field(c, "name");
		if (py_is(c, "dotted_name"))
			add_import_fact(pc, py_text(pc->f, c, &pc->tmp), py_line(n), 1);
	}
}

/* What a view's decorators say it answers: require_GET, require_POST, require_safe, require_http_methods([..]), api_view([..]). */
static int decorator_methods(struct pyctx *pc, TSNode decorated)
{
	int bits = 0;
	uint32_t nc = kids(decorated);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode d = ts_node_named_child(decorated, i);
		if (!py_is(d, "decorator") || kids(d) == 0)
			continue;
		TSNode e = ts_node_named_child(d, 0);
		const char *name = py_is(e, "call") ? py_call_name(pc->f, e, &pc->tmp)
						    : py_resolve(pc->f, py_dotted(pc->f, e, &pc->tmp), &pc->tmp);
		const char *last = last_of(name);
		if (!last)
			continue;
		if (strcmp(last, "require_GET") == 0 || strcmp(last, "require_safe") == 0)
			bits |= CX_GET;
		else if (strcmp(last, "require_POST") == 0)
			bits |= CX_POST;
		else if (py_is(e, "call") && (strcmp(last, "require_http_methods") == 0 || strcmp(last, "api_view") == 0)) {
			int m = methods_of(pc, arg_pos(e, 0));
			if (m > 0)
				bits |= m;
			else if (m == 0 && strcmp(last, "api_view") == 0)
				bits |= CX_GET; /* @api_view() answers GET */
		}
	}
	return bits;
}

/* What a known generic view base answers (Django, DRF, Flask). */
static int base_methods(const char *last)
{
	static const struct {
		const char *name;
		int bits;
	} bases[] = {
		{"TemplateView", CX_GET}, {"ListView", CX_GET}, {"DetailView", CX_GET}, {"RedirectView", CX_GET},
		{"ArchiveIndexView", CX_GET}, {"YearArchiveView", CX_GET}, {"MonthArchiveView", CX_GET},
		{"WeekArchiveView", CX_GET}, {"DayArchiveView", CX_GET}, {"TodayArchiveView", CX_GET},
		{"DateDetailView", CX_GET}, {"FormView", CX_GET | CX_POST}, {"CreateView", CX_GET | CX_POST},
		{"UpdateView", CX_GET | CX_POST}, {"DeleteView", CX_GET | CX_POST}, {"LoginView", CX_GET | CX_POST},
		{"ListAPIView", CX_GET}, {"RetrieveAPIView", CX_GET}, {"CreateAPIView", CX_POST},
		{"ListCreateAPIView", CX_GET | CX_POST}, {"UpdateAPIView", CX_PUT | CX_PATCH},
		{"DestroyAPIView", CX_DELETE}, {"RetrieveUpdateAPIView", CX_GET | CX_PUT | CX_PATCH},
		{"RetrieveDestroyAPIView", CX_GET | CX_DELETE},
		{"RetrieveUpdateDestroyAPIView", CX_GET | CX_PUT | CX_PATCH | CX_DELETE},
	};
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (strcmp(bases[i].name, last) == 0)
			return bases[i].bits;
	return 0;
}

/* The DRF actions a viewset base or mixin brings; *viewset set when the base makes a viewset. */
static int base_actions(const char *last, int *viewset)
{
	static const struct {
		const char *name;
		int bits;
	} bases[] = {
		{"ModelViewSet", CX_ACT_LIST | CX_ACT_CREATE | CX_ACT_RETRIEVE | CX_ACT_UPDATE | CX_ACT_PARTIAL | CX_ACT_DESTROY},
		{"ReadOnlyModelViewSet", CX_ACT_LIST | CX_ACT_RETRIEVE},
		{"ListModelMixin", CX_ACT_LIST}, {"CreateModelMixin", CX_ACT_CREATE},
		{"RetrieveModelMixin", CX_ACT_RETRIEVE}, {"UpdateModelMixin", CX_ACT_UPDATE | CX_ACT_PARTIAL},
		{"DestroyModelMixin", CX_ACT_DESTROY},
	};
	size_t n = strlen(last);
	if (n >= 7 && strcmp(last + n - 7, "ViewSet") == 0)
		*viewset = 1;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (strcmp(bases[i].name, last) == 0) {
			*viewset = 1;
			return bases[i].bits;
		}
	return 0;
}

/* A viewset's own list/create/retrieve/... defs and its lookup_field. */
static void viewset_body(struct pyctx *pc, TSNode body, struct cx_def *d)
{
	static const struct {
		const char *name;
		int bit;
	} acts[] = {{"list", CX_ACT_LIST}, {"create", CX_ACT_CREATE}, {"retrieve", CX_ACT_RETRIEVE},
		    {"update", CX_ACT_UPDATE}, {"partial_update", CX_ACT_PARTIAL}, {"destroy", CX_ACT_DESTROY}};
	uint32_t nc = kids(body);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode m = ts_node_named_child(body, i);
		if (py_is(m, "expression_statement") && py_is(ts_node_named_child(m, 0), "assignment")) {
			TSNode asg = ts_node_named_child(m, 0);
			if (is_name(pc, py_field(asg, "left"), "lookup_field")) {
				const char *v = cx_string_value(pc->f, py_field(asg, "right"), pc->a);
				if (v)
					d->lookup = v;
			}
			continue;
		}
		if (py_is(m, "decorated_definition"))
			m = py_field(m, "definition");
		if (!py_is(m, "function_definition"))
			continue;
		const char *mn = ftext(pc, m, "name");
		for (size_t k = 0; k < sizeof(acts) / sizeof(acts[0]); k++)
			if (strcmp(mn, acts[k].name) == 0)
				d->actions |= acts[k].bit;
	}
}

/* A viewset's @action(detail=..., methods=[...], url_path=...) methods, as extra routes. */
static void viewset_actions(struct pyctx *pc, TSNode body, size_t def)
{
	struct cx_state *s = pc->s;
	uint32_t nc = kids(body);
	for (uint32_t i = 0; i < nc; i++) {
		TSNode m = ts_node_named_child(body, i);
		if (!py_is(m, "decorated_definition"))
			continue;
		TSNode fn = py_field(m, "definition");
		uint32_t nd = kids(m);
		for (uint32_t k = 0; k < nd; k++) {
			TSNode dec = ts_node_named_child(m, k);
			if (!py_is(dec, "decorator") || !py_is(ts_node_named_child(dec, 0), "call"))
				continue;
			TSNode call = ts_node_named_child(dec, 0);
			const char *last = last_of(py_call_name(pc->f, call, &pc->tmp));
			if (!last || strcmp(last, "action") != 0)
				continue;
			struct cx_action a = {.def = def, .line = py_line(call)};
			a.name = arena_strdup(pc->a, ftext(pc, fn, "name"));
			a.detail = py_is(arg_kw(pc, call, "detail"), "true");
			int mb = methods_of(pc, arg_kw(pc, call, "methods"));
			a.methods = mb > 0 ? mb : 0;
			TSNode up = arg_kw(pc, call, "url_path");
			a.path = ts_node_is_null(up) ? NULL : str_of(pc, up);
			if (!a.path)
				a.path = a.name;
			s->actions = cx_grow(&s->c->arena, s->actions, s->nactions, &s->capactions, sizeof(*s->actions));
			s->actions[s->nactions++] = a;
		}
	}
}

static void add_def(struct pyctx *pc, TSNode def, TSNode decorated)
{
	TSNode name = py_field(def, "name");
	if (ts_node_is_null(name))
		return;
	struct cx_state *s = pc->s;
	struct cx_def d = {.file = pc->file, .name = py_text(pc->f, name, pc->a)};
	if (py_is(def, "class_definition")) {
		d.is_class = 1;
		TSNode body = py_field(def, "body");
		uint32_t nc = kids(body);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode m = ts_node_named_child(body, i);
			if (py_is(m, "decorated_definition"))
				m = py_field(m, "definition");
			if (!py_is(m, "function_definition"))
				continue;
			const char *mn = ftext(pc, m, "name");
			int b = cx_method_bit(mn);
			/* only lower-case handler names: get, post, ... */
			if (b && mn[0] >= 'a' && mn[0] <= 'z')
				d.methods |= b;
		}
		TSNode sup = py_field(def, "superclasses");
		uint32_t ns = kids(sup);
		if (ns)
			d.bases = arena_calloc(pc->a, ns, sizeof(*d.bases));
		for (uint32_t i = 0; i < ns; i++) {
			TSNode b = ts_node_named_child(sup, i);
			const char *bn = py_dotted(pc->f, b, &pc->tmp);
			if (bn) {
				d.base_methods |= base_methods(py_last(bn));
				d.actions |= base_actions(py_last(bn), &d.viewset);
				d.bases[d.nbases++] = ref_of(pc, b);
			}
		}
		viewset_body(pc, body, &d);
	} else if (!ts_node_is_null(decorated)) {
		d.methods = decorator_methods(pc, decorated);
	}
	s->defs = cx_grow(&s->c->arena, s->defs, s->ndefs, &s->capdefs, sizeof(*s->defs));
	s->defs[s->ndefs++] = d;
	if (d.is_class && d.viewset)
		viewset_actions(pc, py_field(def, "body"), s->ndefs - 1);
}

/* One top-level statement (or one inside a top-level if/try). */
static void top_statement(struct pyctx *pc, TSNode n, int depth)
{
	const char *t = ts_node_type(n);
	if (strcmp(t, "expression_statement") == 0) {
		TSNode e = ts_node_named_child(n, 0);
		if (py_is(e, "assignment"))
			add_const(pc, e);
	} else if (strcmp(t, "import_statement") == 0 || strcmp(t, "import_from_statement") == 0) {
		top_import(pc, n);
	} else if (strcmp(t, "function_definition") == 0 || strcmp(t, "class_definition") == 0) {
		TSNode none = {0};
		add_def(pc, n, none);
	} else if (strcmp(t, "decorated_definition") == 0) {
		add_def(pc, py_field(n, "definition"), n);
	} else if (depth == 0 && (strcmp(t, "if_statement") == 0 || strcmp(t, "try_statement") == 0)) {
		/* try: import ujson / except ImportError: ...; if TYPE_CHECKING: ... */
		uint32_t nc = kids(n);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode c = ts_node_named_child(n, i);
			TSNode blk = py_is(c, "block") ? c : py_field(c, "body");
			if (py_is(c, "else_clause") || py_is(c, "except_clause") || py_is(c, "finally_clause") ||
			    py_is(c, "elif_clause")) {
				uint32_t k = kids(c);
				for (uint32_t j = 0; j < k; j++)
					if (py_is(ts_node_named_child(c, j), "block"))
						blk = ts_node_named_child(c, j);
			}
			if (!py_is(blk, "block"))
				continue;
			uint32_t bn = kids(blk);
			for (uint32_t j = 0; j < bn; j++)
				top_statement(pc, ts_node_named_child(blk, j), depth + 1);
		}
	}
}

/* ---- objects, declarations, registrations ---- */

static int obj_kind(const char *callee, enum cx_obj_kind *k)
{
	const char *last = last_of(callee);
	if (!last)
		return -1;
	if (strcmp(last, "Flask") == 0 || strcmp(last, "Quart") == 0 || strcmp(last, "APIFlask") == 0)
		*k = CX_FLASK;
	else if (strcmp(last, "Blueprint") == 0 || strcmp(last, "APIBlueprint") == 0)
		*k = CX_BLUEPRINT;
	else if (strcmp(last, "FastAPI") == 0)
		*k = CX_FASTAPI;
	else if (strcmp(last, "APIRouter") == 0)
		*k = CX_ROUTER;
	else
		return -1;
	return 0;
}

/* A prefix keyword argument's string; NULL when absent or None, and a note when it is not a string. */
static const char *prefix_arg(struct pyctx *pc, TSNode call, const char *kw)
{
	TSNode v = arg_kw(pc, call, kw);
	if (ts_node_is_null(v) || py_is(v, "none"))
		return NULL;
	const char *s = str_of(pc, v);
	if (!s)
		cx_note(pc->s, "%s:%u: %s= is not a string this reader can work out; its routes are listed as if it "
			       "were not given", path_of(pc), py_line(v), kw);
	return s;
}

/* router = DefaultRouter() / routers.SimpleRouter(trailing_slash=False): 1 when it was one. */
static int drf_router(struct pyctx *pc, TSNode left, TSNode call, const char *callee)
{
	const char *last = last_of(callee);
	if (!last || (strcmp(last, "DefaultRouter") && strcmp(last, "SimpleRouter")))
		return 0;
	struct cx_state *s = pc->s;
	struct cx_router r = {.file = pc->file, .var = py_text(pc->f, left, pc->a), .trailing_slash = 1,
			      .api_root = strcmp(last, "DefaultRouter") == 0, .line = py_line(call)};
	TSNode ts = arg_kw(pc, call, "trailing_slash");
	if (py_is(ts, "false"))
		r.trailing_slash = 0;
	s->routers = cx_grow(&s->c->arena, s->routers, s->nrouters, &s->caprouters, sizeof(*s->routers));
	s->routers[s->nrouters++] = r;
	return 1;
}

static void object_assignment(struct pyctx *pc, TSNode left, TSNode call)
{
	enum cx_obj_kind kind;
	if (!py_is(left, "identifier"))
		return;
	const char *callee = py_call_name(pc->f, call, &pc->tmp);
	if (drf_router(pc, left, call, callee) || obj_kind(callee, &kind))
		return;
	struct cx_state *s = pc->s;
	struct cx_obj o = {.file = pc->file, .var = py_text(pc->f, left, pc->a), .kind = kind, .line = py_line(call)};
	if (kind == CX_BLUEPRINT)
		o.prefix = prefix_arg(pc, call, "url_prefix");
	else if (kind == CX_ROUTER)
		o.prefix = prefix_arg(pc, call, "prefix");
	/* FastAPI(root_path=...) is a proxy's prefix, not part of the routes */
	s->objs = cx_grow(&s->c->arena, s->objs, s->nobjs, &s->capobjs, sizeof(*s->objs));
	s->objs[s->nobjs++] = o;
}

static void add_decl(struct pyctx *pc, struct cx_decl *d)
{
	struct cx_state *s = pc->s;
	s->decls = cx_grow(&s->c->arena, s->decls, s->ndecls, &s->capdecls, sizeof(*s->decls));
	s->decls[s->ndecls++] = *d;
}

/* @x.route(...) / @x.get(...) / @x.api_route(...) on a def (or class). */
static void route_decorator(struct pyctx *pc, TSNode call, TSNode def)
{
	TSNode fn = py_field(call, "function");
	if (!py_is(fn, "attribute"))
		return;
	const char *m = ftext(pc, fn, "attribute");
	struct cx_decl d = {.file = pc->file, .line = py_line(call)};
	if (strcmp(m, "route") == 0)
		d.style = CX_DECL_ROUTE;
	else if (strcmp(m, "api_route") == 0)
		d.style = CX_DECL_API_ROUTE;
	else if (cx_method_bit(m) && m[0] >= 'a' && m[0] <= 'z') {
		d.style = CX_DECL_SHORTCUT;
		d.methods = cx_method_bit(m);
	} else
		return;
	TSNode pn = arg(pc, call, 0, d.style == CX_DECL_ROUTE ? "rule" : "path");
	if (ts_node_is_null(pn))
		return;
	/* a path that is no string is kept as NULL: the route pass notes it if x turns out to be an app */
	d.path = str_of(pc, pn);
	d.obj = ref_of(pc, py_field(fn, "object"));
	if (!d.obj.written)
		return;
	if (d.style != CX_DECL_SHORTCUT) {
		int mb = methods_of(pc, arg_kw(pc, call, "methods"));
		if (mb < 0) {
			cx_note(pc->s, "%s:%u: methods= is not a literal list; listed as GET", path_of(pc), py_line(call));
			mb = 0;
		}
		d.methods = mb;
	}
	TSNode name = py_field(def, "name");
	d.handler = ts_node_is_null(name) ? "?" : py_text(pc->f, name, pc->a);
	/* a method of a class: Class.method */
	TSNode cls = py_ancestor(def, (const char *const[]){"class_definition", NULL});
	if (!ts_node_is_null(cls)) {
		TSNode cn = py_field(cls, "name");
		if (!ts_node_is_null(cn))
			d.handler = arena_printf(pc->a, "%s.%s", py_text(pc->f, cn, &pc->tmp), d.handler);
	}
	add_decl(pc, &d);
}

/* x.add_url_rule(rule, endpoint, view_func, methods=...) / x.add_api_route(path, endpoint, methods=...). */
static void route_call(struct pyctx *pc, TSNode call, const char *m, TSNode obj)
{
	struct cx_decl d = {.file = pc->file, .line = py_line(call)};
	int flask = strcmp(m, "add_url_rule") == 0;
	d.style = flask ? CX_DECL_ROUTE : CX_DECL_API_ROUTE;
	TSNode pn = arg(pc, call, 0, flask ? "rule" : "path");
	if (ts_node_is_null(pn))
		return;
	d.obj = ref_of(pc, obj);
	if (!d.obj.written)
		return;
	d.path = str_of(pc, pn);
	if (!d.path) {
		cx_note(pc->s, "%s:%u: the route's path is not a string this reader can work out; not listed", path_of(pc), py_line(pn));
		return;
	}
	TSNode view = flask ? arg(pc, call, 2, "view_func") : arg(pc, call, 1, "endpoint");
	if (!ts_node_is_null(view)) {
		d.handler = display(pc, view);
		TSNode target = view;
		/* UserAPI.as_view("users"): the class */
		if (py_is(view, "call")) {
			TSNode f = py_field(view, "function");
			if (py_is(f, "attribute") && strcmp(ftext(pc, f, "attribute"), "as_view") == 0)
				target = py_field(f, "object");
		}
		d.view = ref_of(pc, target);
	} else if (flask) {
		TSNode ep = arg(pc, call, 1, "endpoint");
		d.handler = ts_node_is_null(ep) ? NULL : str_of(pc, ep);
	}
	if (!d.handler)
		d.handler = "?";
	int mb = methods_of(pc, arg_kw(pc, call, "methods"));
	if (mb < 0) {
		cx_note(pc->s, "%s:%u: methods= is not a literal list; listed as GET", path_of(pc), py_line(call));
		mb = 0;
	}
	d.methods = mb;
	add_decl(pc, &d);
}

static void registration(struct pyctx *pc, TSNode call, const char *m, TSNode obj)
{
	int fastapi = strcmp(m, "include_router") == 0;
	TSNode child = arg(pc, call, 0, fastapi ? "router" : "blueprint");
	if (ts_node_is_null(child))
		return;
	struct cx_reg r = {.file = pc->file, .fastapi = fastapi, .line = py_line(call)};
	r.parent = ref_of(pc, obj);
	r.child = ref_of(pc, child);
	if (!r.parent.written || !r.child.written) {
		cx_note(pc->s, "%s:%u: %s() of something that is not a name; its routes are listed without this prefix",
			path_of(pc), py_line(call), m);
		return;
	}
	r.prefix = prefix_arg(pc, call, fastapi ? "prefix" : "url_prefix");
	struct cx_state *s = pc->s;
	s->regs = cx_grow(&s->c->arena, s->regs, s->nregs, &s->capregs, sizeof(*s->regs));
	s->regs[s->nregs++] = r;
}

/* router.register("users", UserViewSet[, basename=...]): a DRF registration (routers are matched later). */
static void router_register(struct pyctx *pc, TSNode call, TSNode obj)
{
	TSNode pn = arg(pc, call, 0, "prefix"), vn = arg(pc, call, 1, "viewset");
	if (ts_node_is_null(pn) || ts_node_is_null(vn) || !(py_is(vn, "identifier") || py_is(vn, "attribute")))
		return;
	const char *prefix = str_of(pc, pn);
	if (!prefix)
		return; /* admin.site.register(Model, ...) and the like */
	struct cx_rreg r = {.file = pc->file, .prefix = prefix, .line = py_line(call)};
	r.router = ref_of(pc, obj);
	r.viewset = ref_of(pc, vn);
	r.viewset_text = display(pc, vn);
	if (!r.router.written || !r.viewset.written)
		return;
	struct cx_state *s = pc->s;
	s->rregs = cx_grow(&s->c->arena, s->rregs, s->nrregs, &s->caprregs, sizeof(*s->rregs));
	s->rregs[s->nrregs++] = r;
}

/* ---- Django urlpatterns ---- */

static void add_url(struct pyctx *pc, struct cx_url *u)
{
	struct cx_state *s = pc->s;
	s->urls = cx_grow(&s->c->arena, s->urls, s->nurls, &s->capurls, sizeof(*s->urls));
	s->urls[s->nurls++] = *u;
	if (!pc->url_seen) {
		pc->url_seen = 1;
		s->urls_files = cx_grow(&s->c->arena, s->urls_files, s->nurls_files, &s->capurls_files,
					sizeof(*s->urls_files));
		s->urls_files[s->nurls_files++] = pc->file;
	}
}

/*
 * A regular-expression route as a path: "^articles/(?P<year>[0-9]{4})/$" ->
 * "articles/<year>/": anchors off, named groups <name>, other groups
 * <argN>, non-capturing groups opened up, "\." and the like unescaped.
 */
static const char *re_to_path(struct arena *a, const char *re)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(re);
	size_t i = 0;
	int argn = 0;
	if (n && re[0] == '^')
		i = 1;
	if (n > i && re[n - 1] == '$' && (n < 2 || re[n - 2] != '\\'))
		n--;
	while (i < n) {
		char c = re[i];
		if (c == '\\' && i + 1 < n) {
			char e = re[i + 1];
			if (e == 'Z' || e == 'A') {
				i += 2;
				continue;
			}
			buf_putc(&b, e);
			i += 2;
			continue;
		}
		if (c == '(') {
			/* find the matching ')' */
			size_t j = i + 1;
			int depth = 1, cls = 0;
			while (j < n && depth) {
				if (re[j] == '\\')
					j++;
				else if (cls && re[j] == ']')
					cls = 0;
				else if (!cls && re[j] == '[')
					cls = 1;
				else if (!cls && re[j] == '(')
					depth++;
				else if (!cls && re[j] == ')')
					depth--;
				j++;
			}
			if (strncmp(re + i, "(?P<", 4) == 0) {
				const char *gt = memchr(re + i + 4, '>', j - i - 4);
				if (gt)
					buf_printf(&b, "<%.*s>", (int)(gt - re - i - 4), re + i + 4);
			} else if (strncmp(re + i, "(?:", 3) == 0) {
				char *inner = arena_strndup(a, re + i + 3, j > i + 4 ? j - i - 4 : 0);
				buf_puts(&b, re_to_path(a, inner));
			} else if (re[i + 1] != '?') {
				buf_printf(&b, "<arg%d>", ++argn);
			}
			i = j;
			if (i < n && (re[i] == '?' || re[i] == '*' || re[i] == '+'))
				i++; /* an optional group stays in, as its one form */
			continue;
		}
		buf_putc(&b, c);
		i++;
	}
	const char *out = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return out;
}

static void pattern_list(struct pyctx *pc, TSNode expr, const char *prefix, int depth);

/* NAME.urls (a DRF router's patterns) included at route: 1 when n is that. */
static int router_urls(struct pyctx *pc, TSNode n, const char *route, unsigned line)
{
	if (!py_is(n, "attribute") || strcmp(ftext(pc, n, "attribute"), "urls") != 0)
		return 0;
	TSNode obj = py_field(n, "object");
	if (!py_is(obj, "identifier"))
		return 0; /* admin.site.urls */
	struct cx_url u = {.file = pc->file, .route = route, .line = line, .include_line = line};
	u.drf_router = ref_of(pc, obj);
	add_url(pc, &u);
	return 1;
}

/* The module-level list a name stands for in this file, or a null node. */
static TSNode local_list(struct pyctx *pc, TSNode n)
{
	TSNode none = {0};
	if (!py_is(n, "identifier"))
		return none;
	const char *name = py_text(pc->f, n, &pc->tmp);
	for (size_t i = pc->nconsts; i-- > 0;)
		if (strcmp(pc->consts[i].name, name) == 0) {
			const char *t = ts_node_type(pc->consts[i].rhs);
			if (strcmp(t, "list") == 0 || strcmp(t, "tuple") == 0 || strcmp(t, "binary_operator") == 0)
				return pc->consts[i].rhs;
		}
	return none;
}

static int is_url_fn(const char *callee)
{
	const char *last = last_of(callee);
	if (!last || (strcmp(last, "path") && strcmp(last, "re_path") && strcmp(last, "url")))
		return 0;
	/* bare path(...), or django.urls.path / django.conf.urls.url */
	return strchr(callee, '.') == NULL || strncmp(callee, "django.", 7) == 0;
}

/* include(X) of a path() call: a module, an inline list, or a (patterns, app_name) tuple. */
static void include_target(struct pyctx *pc, TSNode target, const char *route, unsigned line, int depth)
{
	if (py_is(target, "tuple") || py_is(target, "parenthesized_expression")) {
		TSNode first = ts_node_named_child(target, 0);
		if (!ts_node_is_null(first))
			include_target(pc, first, route, line, depth);
		return;
	}
	if (py_is(target, "list") || py_is(target, "binary_operator")) {
		pattern_list(pc, target, route, depth + 1);
		return;
	}
	TSNode lst = local_list(pc, target);
	if (!ts_node_is_null(lst)) {
		pattern_list(pc, lst, route, depth + 1);
		return;
	}
	if (router_urls(pc, target, route, line))
		return;
	const char *mod = str_of(pc, target);
	if (!mod && (py_is(target, "identifier") || py_is(target, "attribute"))) {
		struct cx_ref r = ref_of(pc, target);
		if (r.imported && !strstr(r.resolved, "()"))
			mod = r.resolved;
	}
	if (!mod) {
		cx_note(pc->s, "%s:%u: include(%s) is not a module this reader can follow; its routes are not listed",
			path_of(pc), line, display(pc, target));
		return;
	}
	struct cx_url u = {.file = pc->file, .route = route, .line = line, .include = arena_strdup(pc->a, mod),
			   .include_line = line};
	add_url(pc, &u);
}

static void pattern_entry(struct pyctx *pc, TSNode call, const char *prefix, int depth)
{
	const char *callee = py_call_name(pc->f, call, &pc->tmp);
	if (!callee)
		return;
	const char *last = last_of(callee);
	if (!is_url_fn(callee)) {
		/* i18n_patterns(path(...), ...) and Django < 2's patterns("", url(...)) */
		if (strcmp(last, "i18n_patterns") == 0 || strcmp(last, "patterns") == 0)
			pattern_list(pc, py_field(call, "arguments"), prefix, depth + 1);
		return;
	}
	int regex = strcmp(last, "path") != 0;
	TSNode rn = arg(pc, call, 0, regex ? "regex" : "route");
	TSNode view = arg(pc, call, 1, "view");
	const char *route = str_of(pc, rn);
	if (!route || ts_node_is_null(view)) {
		cx_note(pc->s, "%s:%u: %s() without a literal route and a view; not listed", path_of(pc), py_line(call),
			last);
		return;
	}
	if (regex)
		route = re_to_path(pc->a, route);
	const char *full = arena_printf(pc->a, "%s%s", prefix, route);
	if (py_is(view, "call")) {
		const char *vc = py_call_name(pc->f, view, &pc->tmp);
		if (vc && strcmp(py_last(vc), "include") == 0) {
			TSNode target = arg(pc, view, 0, "arg");
			if (!ts_node_is_null(target))
				include_target(pc, target, full, py_line(call), depth);
			return;
		}
	}
	struct cx_url u = {.file = pc->file, .route = full, .regex = regex, .line = py_line(call)};
	u.view_text = display(pc, view);
	TSNode target = view;
	/* Class.as_view(): the class; decorator(args)(view): the view */
	for (int k = 0; k < 4 && py_is(target, "call"); k++) {
		TSNode f = py_field(target, "function");
		if (py_is(f, "attribute") && strcmp(ftext(pc, f, "attribute"), "as_view") == 0)
			target = py_field(f, "object");
		else if (py_is(f, "call") && !ts_node_is_null(arg_pos(target, 0)))
			target = arg_pos(target, 0);
		else
			break;
	}
	u.view = ref_of(pc, target);
	add_url(pc, &u);
}

/* The entries of a urlpatterns expression: lists, tuples, "+" of them, i18n_patterns(...), names of lists. */
static void pattern_list(struct pyctx *pc, TSNode expr, const char *prefix, int depth)
{
	if (ts_node_is_null(expr) || depth > 16)
		return;
	const char *t = ts_node_type(expr);
	if (strcmp(t, "list") == 0 || strcmp(t, "tuple") == 0 || strcmp(t, "argument_list") == 0) {
		uint32_t nc = kids(expr);
		for (uint32_t i = 0; i < nc; i++) {
			TSNode e = ts_node_named_child(expr, i);
			if (py_is(e, "call"))
				pattern_entry(pc, e, prefix, depth);
			else if (py_is(e, "list") || py_is(e, "tuple") || py_is(e, "list_splat"))
				pattern_list(pc, py_is(e, "list_splat") ? ts_node_named_child(e, 0) : e, prefix, depth + 1);
			else if (py_is(e, "identifier"))
				pattern_list(pc, local_list(pc, e), prefix, depth + 1);
			else if (py_is(e, "attribute"))
				router_urls(pc, e, prefix, py_line(e));
		}
	} else if (strcmp(t, "binary_operator") == 0) {
		pattern_list(pc, py_field(expr, "left"), prefix, depth + 1);
		pattern_list(pc, py_field(expr, "right"), prefix, depth + 1);
	} else if (strcmp(t, "parenthesized_expression") == 0) {
		pattern_list(pc, ts_node_named_child(expr, 0), prefix, depth + 1);
	} else if (strcmp(t, "call") == 0) {
		pattern_entry(pc, expr, prefix, depth);
	} else if (strcmp(t, "identifier") == 0) {
		pattern_list(pc, local_list(pc, expr), prefix, depth + 1);
	} else if (strcmp(t, "attribute") == 0) {
		router_urls(pc, expr, prefix, py_line(expr)); /* urlpatterns += router.urls */
	}
}

/* Not in a def or class: module code, or an if/try at the top. */
static int at_module_level(TSNode n)
{
	static const char *const scopes[] = {"function_definition", "class_definition", NULL};
	return ts_node_is_null(py_ancestor(n, scopes));
}

static void on_assignment(struct pyctx *pc, TSNode asg)
{
	TSNode left = py_field(asg, "left"), right = py_field(asg, "right");
	if (ts_node_is_null(right))
		return;
	if (py_is(right, "call"))
		object_assignment(pc, left, right);
	if (is_name(pc, left, "urlpatterns") && at_module_level(asg)) {
		pattern_list(pc, right, "", 0);
	} else if (is_name(pc, left, "ROOT_URLCONF") && at_module_level(asg)) {
		const char *v = cx_string_value(pc->f, right, pc->a);
		if (v) {
			struct cx_state *s = pc->s;
			s->root_urlconfs = cx_grow(&s->c->arena, s->root_urlconfs, s->nroot, &s->caproot,
						   sizeof(*s->root_urlconfs));
			s->root_urlconfs[s->nroot++] = v;
		}
	}
}

/* ---- services ---- */

static struct svc_slot *service_for(struct pyctx *pc, TSNode call)
{
	/* the def it is in, else the class body (queryset = Post.objects.all()), else the module */
	TSNode fn = py_function_of(call);
	for (TSNode p = ts_node_parent(call); ts_node_is_null(fn) && !ts_node_is_null(p); p = ts_node_parent(p))
		if (py_is(p, "class_definition"))
			fn = p;
	uint32_t key = ts_node_is_null(fn) ? UINT32_MAX : ts_node_start_byte(fn);
	for (size_t i = pc->nsvc; i-- > 0;)
		if (pc->svc[i].fn_start == key)
			return &pc->svc[i];
	struct cx_state *s = pc->s;
	struct project_context *c = s->c;
	c->services = cx_grow(&c->arena, c->services, c->nservices, &s->capservices, sizeof(*c->services));
	struct ctx_service *sv = &c->services[c->nservices];
	memset(sv, 0, sizeof(*sv));
	sv->file = path_of(pc);
	if (ts_node_is_null(fn)) {
		sv->function = "<module>";
		sv->line = py_line(call);
	} else {
		/* Outer.inner names: the defs and classes around it */
		struct buf b = BUF_INIT;
		const char *parts[32];
		size_t np = 0;
		for (TSNode p = fn; !ts_node_is_null(p) && np < 32; p = ts_node_parent(p)) {
			if (py_is(p, "function_definition") || py_is(p, "class_definition")) {
				TSNode nm = py_field(p, "name");
				if (!ts_node_is_null(nm))
					parts[np++] = py_text(pc->f, nm, &pc->tmp);
			}
		}
		while (np-- > 0)
			buf_printf(&b, "%s%s", b.len ? "." : "", parts[np]);
		sv->function = arena_strdup(&c->arena, buf_str(&b));
		buf_free(&b);
		sv->line = py_line(fn);
		sv->is_async = py_is(fn, "function_definition") && py_is_async(pc->f, fn);
	}
	pc->svc = cx_grow(&pc->tmp, pc->svc, pc->nsvc, &pc->capsvc, sizeof(*pc->svc));
	struct svc_slot *slot = &pc->svc[pc->nsvc++];
	slot->fn_start = key;
	slot->idx = c->nservices++;
	slot->capdb = slot->caphttp = 0;
	return slot;
}

static void add_call(struct pyctx *pc, TSNode call, const char *name, int http)
{
	struct svc_slot *slot = service_for(pc, call);
	struct ctx_service *sv = &pc->s->c->services[slot->idx];
	const char ***list = http ? &sv->http : &sv->db;
	size_t *n = http ? &sv->nhttp : &sv->ndb;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], name) == 0)
			return;
	*list = cx_grow(&pc->s->c->arena, *list, *n, http ? &slot->caphttp : &slot->capdb, sizeof(**list));
	(*list)[(*n)++] = arena_strdup(&pc->s->c->arena, name);
}

/* 1 when call is the callee's object of an outer call: the `x.filter()` of `x.filter().first()`. */
static int inner_of_chain(TSNode call)
{
	TSNode p = ts_node_parent(call);
	if (!py_is(p, "attribute") || !ts_node_eq(py_field(p, "object"), call))
		return 0;
	TSNode g = ts_node_parent(p);
	return py_is(g, "call") && ts_node_eq(py_field(g, "function"), p);
}

/*
 * A call chain ("User.query.filter_by(x=1).first()", "requests.get(u).json()")
 * is listed once: the innermost HTTP call of it (the library function,
 * resolved through the imports: "requests.get"), else the outermost
 * database call (as written, which says most: "User.query.filter_by().first").
 */
static void service_call(struct pyctx *pc, TSNode call)
{
	if (inner_of_chain(call))
		return;
	TSNode chain[16];
	const char *names[16];
	size_t n = 0;
	for (TSNode c = call; py_is(c, "call") && n < 16;) {
		chain[n] = c;
		names[n++] = py_call_name(pc->f, c, &pc->tmp);
		TSNode f = py_field(c, "function");
		if (!py_is(f, "attribute"))
			break;
		c = py_field(f, "object");
	}
	for (size_t i = n; i-- > 0;)
		if (names[i] && scan_is_http_call(names[i])) {
			add_call(pc, call, names[i], 1);
			return;
		}
	for (size_t i = 0; i < n; i++)
		if (names[i] && scan_is_db_call(names[i])) {
			add_call(pc, call, py_dotted(pc->f, py_field(chain[i], "function"), &pc->tmp), 0);
			return;
		}
}

/* ---- the walk ---- */

static int visit(TSNode n, void *arg)
{
	struct pyctx *pc = arg;
	const char *t = ts_node_type(n);
	switch (t[0]) {
	case 'a':
		if (strcmp(t, "assignment") == 0)
			on_assignment(pc, n);
		else if (strcmp(t, "augmented_assignment") == 0 && is_name(pc, py_field(n, "left"), "urlpatterns") &&
			 at_module_level(n))
			pattern_list(pc, py_field(n, "right"), "", 0);
		break;
	case 'c':
		if (strcmp(t, "call") == 0) {
			service_call(pc, n);
			TSNode fn = py_field(n, "function");
			if (py_is(fn, "attribute")) {
				TSNode obj = py_field(fn, "object");
				const char *m = ftext(pc, fn, "attribute");
				if (strcmp(m, "register_blueprint") == 0 || strcmp(m, "include_router") == 0)
					registration(pc, n, m, obj);
				else if (strcmp(m, "add_url_rule") == 0 || strcmp(m, "add_api_route") == 0)
					route_call(pc, n, m, obj);
				else if (strcmp(m, "register") == 0)
					router_register(pc, n, obj);
				else if ((strcmp(m, "append") == 0 || strcmp(m, "extend") == 0) &&
					 is_name(pc, obj, "urlpatterns") && at_module_level(n))
					pattern_list(pc, py_field(n, "arguments"), "", 0);
			}
		}
		break;
	case 'd':
		if (strcmp(t, "decorated_definition") == 0) {
			TSNode def = py_field(n, "definition");
			uint32_t nc = kids(n);
			for (uint32_t i = 0; i < nc; i++) {
				TSNode d = ts_node_named_child(n, i);
				if (py_is(d, "decorator") && kids(d) &&
				    py_is(ts_node_named_child(d, 0), "call"))
					route_decorator(pc, ts_node_named_child(d, 0), def);
			}
		}
		break;
	default:
		break;
	}
	return 0;
}

void cx_read_python(struct cx_state *s, size_t file, const struct py_file *f)
{
	struct pyctx pc = {.s = s, .file = file, .f = f, .a = &s->c->arena};
	uint32_t nc = kids(f->root);
	for (uint32_t i = 0; i < nc; i++)
		top_statement(&pc, ts_node_named_child(f->root, i), 0);
	/* imports inside functions: the lazy ones */
	for (size_t i = 0; i < f->nimports; i++)
		add_import_fact(&pc, f->imports[i].target, f->imports[i].line, 0);
	py_walk_file(f, f->root, visit, &pc);
	arena_free(&pc.tmp);
}
