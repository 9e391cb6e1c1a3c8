/*
 * context: the inventory's driver and its two outputs — the result
 * (perfagent.result/1, documented field by field in docs/context.md) and
 * the human view built from that result, so `-o` files, `--json` and the
 * terminal say the same. The reading itself is in the other context_*.c
 * files; see context.h and context_int.h for the passes.
 */
#include "context_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/buf.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"

#define PY_FILE_MAX (8u << 20) /* a "source file" over 8 MB is generated or data */
#define HUMAN_NOTES 20         /* notes the human view shows; the result keeps all */

/* ---- shared helpers (context_int.h) ---- */

void *cx_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	size_t nc = *cap ? *cap * 2 : 8;
	void *na = arena_alloc(a, nc * size);
	if (n)
		memcpy(na, arr, n * size);
	*cap = nc;
	return na;
}

void cx_note(struct cx_state *s, const char *fmt, ...)
{
	struct project_context *c = s->c;
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->notes = cx_grow(&c->arena, c->notes, c->nnotes, &s->capnotes, sizeof(*c->notes));
	c->notes[c->nnotes++] = arena_strdup(&c->arena, buf_str(&b));
	buf_free(&b);
}

char *cx_read_file(const char *dir, const char *rel, size_t max, size_t *len, int *too_big)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", dir, rel);
	*too_big = 0;
	*len = 0;
	char *out = NULL;
	struct stat st;
	if (stat(buf_str(&p), &st) == 0 && S_ISREG(st.st_mode)) {
		if ((size_t)st.st_size > max) {
			*too_big = 1;
		} else {
			FILE *f = fopen(buf_str(&p), "rb");
			if (f) {
				out = fs_read_stream(f, max, len, too_big);
				fclose(f);
				/* a UTF-8 byte order mark is not text (lines stay where they were) */
				if (out && *len >= 3 && memcmp(out, "\xef\xbb\xbf", 3) == 0) {
					memmove(out, out + 3, *len - 3 + 1);
					*len -= 3;
				}
			}
		}
	}
	buf_free(&p);
	return out;
}

int cx_is_file(const char *dir, const char *rel)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", dir, rel);
	struct stat st;
	int ok = stat(buf_str(&p), &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&p);
	return ok;
}

/* ---- loading ---- */

static int service_cmp(const void *x, const void *y)
{
	const struct ctx_service *a = x, *b = y;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* The part of a note after its "file:line: " place, or the whole note when it names none. */
static const char *note_key(const char *note)
{
	const char *sep = strstr(note, ": ");
	if (!sep)
		return note;
	for (const char *p = note; p < sep; p++)
		if (*p == ' ')
			return note;
	const char *colon = memchr(note, ':', (size_t)(sep - note));
	return colon && colon[1] >= '0' && colon[1] <= '9' ? sep + 2 : note;
}

/*
 * One note per kind: "a.py:3: include(x()) is not ..." said in forty
 * places becomes the first of them with "(and 39 more places)".
 */
static void fold_notes(struct project_context *c)
{
	size_t n = c->nnotes, kept = 0;
	size_t *more = xcalloc(n ? n : 1, sizeof(*more));
	for (size_t i = 0; i < n; i++) {
		const char *k = note_key(c->notes[i]);
		size_t j;
		for (j = 0; j < kept; j++)
			if (k != c->notes[i] && strcmp(note_key(c->notes[j]), k) == 0)
				break;
		if (j < kept) {
			more[j]++;
			continue;
		}
		more[kept] = 0;
		c->notes[kept++] = c->notes[i];
	}
	for (size_t j = 0; j < kept; j++)
		if (more[j])
			c->notes[j] = arena_printf(&c->arena, "%s (and %zu more place%s)", c->notes[j], more[j],
						   more[j] == 1 ? "" : "s");
	c->nnotes = kept;
	free(more);
}

int context_load(const char *dir, const struct ctx_opts *o, struct project_context *out, struct perr *e)
{
	memset(out, 0, sizeof(*out));
	static const struct ctx_opts defaults = {0};
	if (!o)
		o = &defaults;
	/* "proj/" and "proj" name the same project; paths inside are relative to it */
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	out->dir = arena_strndup(&out->arena, dir, dl);
	struct cx_state s = {.c = out, .opts = o};
	if (cx_walk(&s, out->dir, e))
		return -1;
	cx_read_rules(&s);
	cx_read_architecture(&s);
	cx_read_deps(&s);
	struct buf broken = BUF_INIT;
	for (size_t i = 0; i < s.nfiles; i++) {
		size_t len;
		int big;
		char *src = cx_read_file(out->dir, s.files[i].path, PY_FILE_MAX, &len, &big);
		if (!src) {
			cx_note(&s, "'%s': %s; not read", s.files[i].path, big ? "over 8 MB" : "cannot be read");
			continue;
		}
		struct py_file f;
		struct perr pe;
		if (py_parse(s.files[i].path, src, len, &f, &pe)) {
			cx_note(&s, "%s", pe.msg);
		} else {
			out->python_files++;
			if (f.has_error) {
				if (out->python_errors++ < 5)
					buf_printf(&broken, "%s%s:%u", broken.len ? ", " : "", f.path, f.error_line);
			}
			cx_read_python(&s, i, &f);
		}
		py_free(&f);
		free(src);
	}
	if (out->python_errors)
		cx_note(&s, "%zu Python file%s with syntax errors, read as far as they parse: %s%s", out->python_errors,
			out->python_errors == 1 ? "" : "s", buf_str(&broken), out->python_errors > 5 ? ", ..." : "");
	buf_free(&broken);
	cx_build_routes(&s);
	cx_deps_imports(&s);
	if (out->nservices)
		qsort(out->services, out->nservices, sizeof(*out->services), service_cmp);
	fold_notes(out);
	return 0;
}

void context_free(struct project_context *c)
{
	arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

/* ---- the result ---- */

static json_t *str_or_null(const char *s)
{
	return s ? jsonx_string(s) : json_null();
}

static json_t *str_array(const char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jsonx_string(v[i]));
	return a;
}

/* PEP 503 name, for telling "scikit_learn" and "scikit-learn" are one package. */
static void norm_name(const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = name; *p && o + 1 < outlen; p++)
		out[o++] = (*p == '_' || *p == '.') ? '-' : (char)tolower((unsigned char)*p);
	out[o] = '\0';
}

static void heavy_finding(struct pa_result *r, const struct ctx_dep *d)
{
	int startup = d->imported_at && d->imported_at_module;
	struct pa_finding *f = result_add_finding(
		r, "heavy-dependency", startup ? PA_SEV_LOW : PA_SEV_INFO,
		arena_printf(&r->arena, "Heavy dependency %s (~%d ms to import, ~%d MB)", d->name, d->import_ms, d->rss_mb));
	f->location.file = result_str(r, d->file);
	f->location.line = d->line;
	const char *where;
	if (startup)
		where = arena_printf(&r->arena, "%s imports it at module level, so every process pays this at start-up "
						"(each worker, each CLI run, each test session).", d->imported_at);
	else if (d->imported_at)
		where = arena_printf(&r->arena, "%s imports it inside a function: paid on the first call that needs it, "
						"in the request that makes it.", d->imported_at);
	else
		where = "No code read imports it: a dependency of a dependency, code outside the tree read, or unused.";
	f->problem = arena_printf(&r->arena, "%s %s is declared in %s:%u; %s. %s", d->name, *d->spec ? d->spec : "(any version)",
				  d->file, d->line, d->why, where);
	if (startup)
		f->solution = arena_printf(&r->arena,
					   "Import it inside the functions that need it (or move that work to a "
					   "background job), so web workers that never use it do not load it; check the "
					   "cost with `python -X importtime -c 'import %s'`.",
					   d->module);
	else if (d->imported_at)
		f->solution = "Keep the import lazy, and keep the work off the request path (a background job, a cache) "
			      "if a request is what triggers it.";
	else
		f->solution = arena_printf(&r->arena, "If nothing needs %s, remove it from %s; if something does, "
						      "import it lazily.", d->name, d->file);
	f->impact = arena_printf(&r->arena, "~%d ms of start-up and ~%d MB of memory per process that imports it "
					    "(approximate figures).", d->import_ms, d->rss_mb);
	f->evidence = json_object();
	json_object_set_new(f->evidence, "package", jsonx_string(d->name));
	json_object_set_new(f->evidence, "spec", jsonx_string(d->spec));
	json_object_set_new(f->evidence, "import_ms_approx", json_integer(d->import_ms));
	json_object_set_new(f->evidence, "rss_mb_approx", json_integer(d->rss_mb));
	if (d->imported_at) {
		json_object_set_new(f->evidence, "imported_at", jsonx_string(d->imported_at));
		json_object_set_new(f->evidence, "imported_at_module_level", json_boolean(startup));
	}
	f->recommendation = "Import heavy packages where they are used, not at start-up, or keep them out of the web process";
}

void context_to_result(const struct project_context *c, struct pa_result *r)
{
	json_object_set_new(r->target, "dir", jsonx_string(c->dir));
	json_t *m = r->metrics;
	json_object_set_new(m, "python_files", json_integer((json_int_t)c->python_files));
	json_object_set_new(m, "rules_file", str_or_null(c->rules_file));
	json_t *rules = json_array();
	for (size_t i = 0; i < c->nrules; i++) {
		const struct ctx_rule_section *sec = &c->rules[i];
		json_t *items = json_array();
		for (size_t k = 0; k < sec->nitems; k++)
			json_array_append_new(items, json_pack("{s:o, s:i}", "text", jsonx_string(sec->items[k].text),
							       "line", (int)sec->items[k].line));
		json_array_append_new(rules, json_pack("{s:o, s:i, s:i, s:o}", "heading", str_or_null(sec->heading),
						       "level", sec->level, "line", (int)sec->line, "items", items));
	}
	json_object_set_new(m, "rules", rules);
	json_object_set_new(m, "architecture_file", str_or_null(c->architecture_file));
	json_t *comps = json_array();
	for (size_t i = 0; i < c->ncomponents; i++) {
		const struct ctx_component *k = &c->components[i];
		json_array_append_new(comps, json_pack("{s:o, s:s, s:o, s:o, s:i}", "name", jsonx_string(k->name), "kind",
						       k->kind, "section", str_or_null(k->section), "detail",
						       str_or_null(k->detail), "line", (int)k->line));
	}
	json_object_set_new(m, "components", comps);
	json_t *deps = json_array();
	char seen_norm[256][64];
	size_t nseen = 0;
	for (size_t i = 0; i < c->ndeps; i++) {
		const struct ctx_dep *d = &c->deps[i];
		json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:o}", "name", jsonx_string(d->name), "spec",
				      jsonx_string(d->spec), "extras", str_or_null(d->extras), "marker",
				      str_or_null(d->marker), "group", str_or_null(d->group), "file", jsonx_string(d->file),
				      "line", (int)d->line, "heavy", d->heavy, "why", str_or_null(d->why));
		if (d->heavy) {
			json_object_set_new(o, "module", jsonx_string(d->module));
			json_object_set_new(o, "import_ms_approx", json_integer(d->import_ms));
			json_object_set_new(o, "rss_mb_approx", json_integer(d->rss_mb));
			json_object_set_new(o, "imported_at", str_or_null(d->imported_at));
			json_object_set_new(o, "imported_at_module_level", json_boolean(d->imported_at && d->imported_at_module));
			/* one finding per package, however many files declare it */
			char n[64];
			norm_name(d->name, n, sizeof(n));
			size_t k;
			for (k = 0; k < nseen; k++)
				if (strcmp(seen_norm[k], n) == 0)
					break;
			if (k == nseen) {
				if (nseen < 256)
					memcpy(seen_norm[nseen++], n, sizeof(n));
				heavy_finding(r, d);
			}
		}
		json_array_append_new(deps, o);
	}
	json_object_set_new(m, "dependencies", deps);
	json_t *routes = json_array();
	for (size_t i = 0; i < c->nroutes; i++) {
		const struct ctx_route *rt = &c->routes[i];
		json_array_append_new(routes, json_pack("{s:s, s:o, s:o, s:i, s:o, s:s}", "method", rt->method, "path",
							jsonx_string(rt->path), "file", jsonx_string(rt->file), "line",
							(int)rt->line, "handler", jsonx_string(rt->handler), "framework",
							rt->framework));
	}
	json_object_set_new(m, "routes", routes);
	json_t *svcs = json_array();
	for (size_t i = 0; i < c->nservices; i++) {
		const struct ctx_service *sv = &c->services[i];
		json_array_append_new(svcs, json_pack("{s:o, s:i, s:o, s:b, s:o, s:o}", "file", jsonx_string(sv->file), "line",
						      (int)sv->line, "function", jsonx_string(sv->function), "async",
						      sv->is_async, "db", str_array(sv->db, sv->ndb), "http",
						      str_array(sv->http, sv->nhttp)));
	}
	json_object_set_new(m, "services", svcs);
	json_object_set_new(m, "notes", str_array(c->notes, c->nnotes));
}

/* ---- the human view ---- */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_list(FILE *out, const json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) fprintf(out, "%s%s", i ? ", " : "", json_string_value(v));
}

void context_print_human(const struct pa_result *r, FILE *out)
{
	const json_t *m = r->metrics;
	size_t i;
	json_t *v;
	fprintf(out, "Project context: %s (%lld Python file%s read)\n", jstr(r->target, "dir"), jint(m, "python_files"),
		jint(m, "python_files") == 1 ? "" : "s");

	const char *rf = json_string_value(json_object_get(m, "rules_file"));
	fprintf(out, "\nRules (%s)\n", rf ? rf : "no CLAUDE.md");
	json_array_foreach(json_object_get(m, "rules"), i, v) {
		const char *h = json_string_value(json_object_get(v, "heading"));
		if (h)
			fprintf(out, "  %.*s %s\n", (int)jint(v, "level"), "######", h);
		size_t k;
		json_t *it;
		json_array_foreach(json_object_get(v, "items"), k, it) fprintf(out, "    - %s\n", jstr(it, "text"));
	}

	const char *af = json_string_value(json_object_get(m, "architecture_file"));
	fprintf(out, "\nArchitecture (%s)\n", af ? af : "no specs/architecture.md");
	json_array_foreach(json_object_get(m, "components"), i, v) {
		const char *detail = json_string_value(json_object_get(v, "detail"));
		int heading = strcmp(jstr(v, "kind"), "heading") == 0;
		int nested = json_is_string(json_object_get(v, "section"));
		fprintf(out, "  %s%s%s%s\n", heading ? "" : nested ? "  - " : "- ", jstr(v, "name"), detail ? ": " : "",
			detail ? detail : "");
	}

	const json_t *deps = json_object_get(m, "dependencies");
	size_t nheavy = 0;
	json_array_foreach(deps, i, v) nheavy += json_is_true(json_object_get(v, "heavy"));
	fprintf(out, "\nDependencies (%zu, %zu heavy)\n", json_array_size(deps), nheavy);
	json_array_foreach(deps, i, v) {
		struct buf b = BUF_INIT;
		buf_puts(&b, jstr(v, "name"));
		if (json_is_string(json_object_get(v, "extras")))
			buf_printf(&b, "[%s]", jstr(v, "extras"));
		if (*jstr(v, "spec"))
			buf_printf(&b, " %s", jstr(v, "spec"));
		fprintf(out, "  %-32s %s:%lld", buf_str(&b), jstr(v, "file"), jint(v, "line"));
		if (json_is_string(json_object_get(v, "group")))
			fprintf(out, " (%s)", jstr(v, "group"));
		if (json_is_string(json_object_get(v, "marker")))
			fprintf(out, " ; %s", jstr(v, "marker"));
		if (json_is_true(json_object_get(v, "heavy"))) {
			fprintf(out, "  HEAVY\n      %s", jstr(v, "why"));
			if (json_is_string(json_object_get(v, "imported_at")))
				fprintf(out, "; imported %s %s", json_is_true(json_object_get(v, "imported_at_module_level"))
								       ? "at module level in" : "lazily in",
					jstr(v, "imported_at"));
		}
		fputc('\n', out);
		buf_free(&b);
	}

	const json_t *routes = json_object_get(m, "routes");
	fprintf(out, "\nRoutes (%zu)\n", json_array_size(routes));
	json_array_foreach(routes, i, v) fprintf(out, "  %s %s -> %s:%lld %s\n", jstr(v, "method"), jstr(v, "path"),
						 jstr(v, "file"), jint(v, "line"), jstr(v, "handler"));

	const json_t *svcs = json_object_get(m, "services");
	fprintf(out, "\nServices (%zu)\n", json_array_size(svcs));
	json_array_foreach(svcs, i, v) {
		const json_t *db = json_object_get(v, "db"), *http = json_object_get(v, "http");
		fprintf(out, "  %s:%lld %s%s ->", jstr(v, "file"), jint(v, "line"),
			json_is_true(json_object_get(v, "async")) ? "async " : "", jstr(v, "function"));
		if (json_array_size(db)) {
			fputs(" db: ", out);
			print_list(out, db);
		}
		if (json_array_size(http)) {
			fprintf(out, "%s http: ", json_array_size(db) ? ";" : "");
			print_list(out, http);
		}
		fputc('\n', out);
	}

	const json_t *notes = json_object_get(m, "notes");
	if (json_array_size(notes)) {
		fprintf(out, "\nNotes\n");
		json_array_foreach(notes, i, v) {
			if (i == HUMAN_NOTES && json_array_size(notes) > HUMAN_NOTES + 1) {
				fprintf(out, "  ... and %zu more (--json lists them all)\n", json_array_size(notes) - i);
				break;
			}
			fprintf(out, "  - %s\n", json_string_value(v));
		}
	}
	if (r->nfindings) {
		fprintf(out, "\nFindings\n");
		for (size_t k = 0; k < r->nfindings; k++)
			fprintf(out, "  [%s] %s (%s)\n", severity_name(r->findings[k]->severity), r->findings[k]->title,
				r->findings[k]->rule);
	}
}

void context_print_routes(const struct pa_result *r, FILE *out)
{
	const json_t *routes = json_object_get(r->metrics, "routes");
	size_t i;
	json_t *v;
	json_array_foreach(routes, i, v) {
		/* the same route from two places is one line of a routes file */
		size_t k;
		json_t *w;
		int dup = 0;
		json_array_foreach(routes, k, w) {
			if (k >= i)
				break;
			if (strcmp(jstr(v, "method"), jstr(w, "method")) == 0 && strcmp(jstr(v, "path"), jstr(w, "path")) == 0) {
				dup = 1;
				break;
			}
		}
		if (!dup)
			fprintf(out, "%s %s\n", jstr(v, "method"), jstr(v, "path"));
	}
}
