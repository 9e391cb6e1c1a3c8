/*
 * context_deps: the project's declared dependencies, from the files Python
 * projects declare them in —
 *
 *   requirements*.txt at the top and requirements/ *.txt, following
 *     -r / --requirement includes (relative to the including file, each
 *     file read once); -c constraints, index and hash options skipped;
 *     -e editables and URL requirements named by #egg= or "name @ url";
 *   pyproject.toml: [project] dependencies and optional-dependencies,
 *     [dependency-groups], [tool.poetry.dependencies], dev-dependencies
 *     and [tool.poetry.group.NAME.dependencies];
 *   Pipfile: [packages] and [dev-packages]
 *
 * — each with its version specifier, extras, environment marker, group,
 * file and line. TOML is read by a small parser of our own for the subset
 * these files use (tables, dotted and quoted keys, strings of all four
 * kinds, arrays and inline tables over several lines); a file it cannot
 * read becomes a note, not an error.
 *
 * Heavy packages (a large import time or resident memory, paid by every
 * process that imports them at start-up) are marked from a table of
 * approximate figures: CPython 3.11 on x86-64, warm file cache, the
 * package's usual import (pandas, sklearn, matplotlib.pyplot, scipy.stats).
 * numpy, pandas, scipy, matplotlib, scikit-learn, sympy, boto3 and nltk
 * were measured (Debian 12's packages: wall time and VmRSS growth of the
 * import, rounded); the others are estimates of the same kind for their
 * usual versions. They vary with versions and machines by a factor of two
 * either way: they say "hundreds of milliseconds", not "412 ms". Measure
 * with `python -X importtime -c 'import NAME'`.
 */
#include "context_int.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/buf.h"

#define DEPFILE_MAX (4u << 20)
#define INCLUDE_DEPTH 10

/* ---- the heavy table ---- */

struct heavy {
	const char *name;   /* normalized distribution name (PEP 503) */
	const char *module; /* what code imports */
	int ms, mb;         /* approximate import time and resident memory it adds */
	const char *what;   /* why it weighs that much */
};

static const struct heavy heavy_table[] = {
	{"pandas", "pandas", 250, 55, "imports numpy, pytz/dateutil and its compiled extensions"},
	{"numpy", "numpy", 80, 20, "loads its compiled core and a BLAS library"},
	{"scipy", "scipy", 250, 60, "its submodules (scipy.stats, scipy.optimize) load large compiled libraries"},
	{"torch", "torch", 1500, 350, "loads libtorch and its CPU/CUDA kernels"},
	{"torchvision", "torchvision", 1700, 380, "imports torch"},
	{"torchaudio", "torchaudio", 1700, 380, "imports torch"},
	{"tensorflow", "tensorflow", 3000, 500, "loads the TensorFlow runtime and registers every op"},
	{"tensorflow-cpu", "tensorflow", 3000, 500, "loads the TensorFlow runtime and registers every op"},
	{"tensorflow-gpu", "tensorflow", 3000, 500, "loads the TensorFlow runtime and registers every op"},
	{"keras", "keras", 2500, 400, "imports its backend (TensorFlow, JAX or torch)"},
	{"jax", "jax", 700, 150, "loads jaxlib's XLA runtime"},
	{"jaxlib", "jaxlib", 600, 150, "the XLA runtime"},
	{"transformers", "transformers", 1000, 150, "imports torch or TensorFlow when a model class is used; models add hundreds of MB"},
	{"sentence-transformers", "sentence_transformers", 2500, 450, "imports torch and transformers"},
	{"spacy", "spacy", 1000, 100, "imports thinc and its compiled pipeline; a loaded model adds 50 MB to 500 MB"},
	{"nltk", "nltk", 600, 110, "imports most of its submodules, and numpy/scipy when installed"},
	{"matplotlib", "matplotlib", 300, 50, "pyplot loads a backend, fonts and numpy"},
	{"seaborn", "seaborn", 800, 150, "imports matplotlib, pandas and scipy"},
	{"opencv-python", "cv2", 150, 60, "loads the OpenCV shared libraries"},
	{"opencv-python-headless", "cv2", 150, 60, "loads the OpenCV shared libraries"},
	{"opencv-contrib-python", "cv2", 170, 70, "loads the OpenCV shared libraries"},
	{"scikit-learn", "sklearn", 450, 80, "imports scipy and numpy and its compiled estimators"},
	{"sklearn", "sklearn", 450, 80, "imports scipy and numpy and its compiled estimators"},
	{"scikit-image", "skimage", 400, 60, "imports scipy and numpy"},
	{"sympy", "sympy", 220, 40, "imports its whole algebra system at once"},
	{"boto3", "boto3", 200, 40, "botocore loads its service models; each client created adds ~90 ms more"},
	{"botocore", "botocore", 150, 30, "loads its service models; each client created adds ~90 ms more"},
	{"pyarrow", "pyarrow", 250, 60, "loads the Arrow C++ libraries"},
	{"polars", "polars", 150, 60, "loads one large compiled library"},
	{"dask", "dask", 300, 60, "imports numpy/pandas for its collections"},
	{"xgboost", "xgboost", 350, 60, "imports numpy and scipy and loads libxgboost"},
	{"lightgbm", "lightgbm", 350, 60, "imports numpy and scipy and loads its library"},
	{"catboost", "catboost", 600, 120, "loads one very large compiled library"},
	{"statsmodels", "statsmodels", 900, 120, "imports scipy, pandas and patsy"},
	{"numba", "numba", 500, 70, "loads LLVM (llvmlite); each jit-compiled function costs more at first call"},
	{"pyspark", "pyspark", 300, 40, "a SparkSession starts a JVM: seconds and hundreds of MB"},
	{"langchain", "langchain", 1000, 120, "imports pydantic models for many integrations"},
	{"gensim", "gensim", 700, 100, "imports scipy and numpy"},
	{"onnxruntime", "onnxruntime", 200, 60, "loads the ONNX runtime library"},
	{"librosa", "librosa", 1200, 150, "imports scipy, numba and scikit-learn pieces"},
};

/* PEP 503: lower case, runs of "-", "_" and "." become one "-". */
static void normalize(const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	int sep = 0;
	for (const char *p = name; *p && o + 1 < outlen; p++) {
		if (*p == '-' || *p == '_' || *p == '.') {
			sep = 1;
			continue;
		}
		if (sep && o > 0 && o + 2 < outlen)
			out[o++] = '-';
		sep = 0;
		out[o++] = (char)tolower((unsigned char)*p);
	}
	out[o] = '\0';
}

int cx_heavy_module(const char *top)
{
	for (size_t i = 0; i < sizeof(heavy_table) / sizeof(heavy_table[0]); i++)
		if (strcmp(heavy_table[i].module, top) == 0)
			return 1;
	return 0;
}

static const struct heavy *heavy_of(const char *name)
{
	char n[128];
	normalize(name, n, sizeof(n));
	for (size_t i = 0; i < sizeof(heavy_table) / sizeof(heavy_table[0]); i++)
		if (strcmp(heavy_table[i].name, n) == 0)
			return &heavy_table[i];
	return NULL;
}

/* ---- adding a dependency ---- */

static void add_dep(struct cx_state *s, const char *name, const char *spec, const char *extras, const char *marker,
		    const char *group, const char *file, unsigned line)
{
	struct project_context *c = s->c;
	struct arena *a = &c->arena;
	c->deps = cx_grow(a, c->deps, c->ndeps, &s->capdeps, sizeof(*c->deps));
	struct ctx_dep *d = &c->deps[c->ndeps++];
	memset(d, 0, sizeof(*d));
	d->name = arena_strdup(a, name);
	d->spec = arena_strdup(a, spec ? spec : "");
	d->extras = extras && *extras ? arena_strdup(a, extras) : NULL;
	d->marker = marker && *marker ? arena_strdup(a, marker) : NULL;
	d->group = group ? arena_strdup(a, group) : NULL;
	d->file = file;
	d->line = line;
	const struct heavy *h = heavy_of(name);
	if (h) {
		d->heavy = 1;
		d->module = h->module;
		d->import_ms = h->ms;
		d->rss_mb = h->mb;
		d->why = arena_printf(a, "import %s takes ~%d ms and adds ~%d MB of resident memory (approximate): %s",
				      h->module, h->ms, h->mb, h->what);
	}
}

/* Trim spaces at both ends of s[0..*n); returns the new start. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)*s))
		s++, (*n)--;
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* The parts of one requirement, each cut to its buffer. */
struct req_parts {
	char name[128];
	char extras[256];
	char spec[512];
	char marker[512];
};

/*
 * Parse a PEP 508 requirement "name[extras] spec ; marker" or "name @ url"
 * into r. Returns 0, or -1 when s does not start with a name followed by
 * a version specifier, "@", ";" or nothing.
 */
static int parse_req(const char *s, struct req_parts *r)
{
	memset(r, 0, sizeof(*r));
	while (isspace((unsigned char)*s))
		s++;
	if (!isalnum((unsigned char)*s))
		return -1;
	size_t n = 0;
	while (name_char(s[n]))
		n++;
	if (n >= sizeof(r->name))
		return -1;
	memcpy(r->name, s, n);
	s += n;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -1;
		size_t o = 0;
		for (const char *p = s + 1; p < close && o + 1 < sizeof(r->extras); p++)
			if (!isspace((unsigned char)*p))
				r->extras[o++] = *p;
		s = close + 1;
	}
	const char *semi = strchr(s, ';');
	size_t sl = semi ? (size_t)(semi - s) : strlen(s);
	const char *sp = trim(s, &sl);
	if (sl && sp[0] == '@') {
		/* a URL requirement: keep "@ url" as the spec */
		sp++, sl--;
		sp = trim(sp, &sl);
		snprintf(r->spec, sizeof(r->spec), "@ %.*s", (int)sl, sp);
		/* a URL may hold ';' only in theory; a marker needs "; " */
	} else {
		size_t o = 0;
		for (size_t k = 0; k < sl && o + 1 < sizeof(r->spec); k++)
			if (!isspace((unsigned char)sp[k]) && sp[k] != '(' && sp[k] != ')')
				r->spec[o++] = sp[k];
		/* what follows the name must look like a version specifier */
		if (o && !strchr("<>=!~", r->spec[0]))
			return -1;
	}
	if (semi) {
		size_t ml = strlen(semi + 1);
		const char *m = trim(semi + 1, &ml);
		snprintf(r->marker, sizeof(r->marker), "%.*s", (int)ml, m);
	}
	return 0;
}

/* ---- requirements files ---- */

struct req_reader {
	struct cx_state *s;
	const char **seen;
	size_t nseen, capseen;
};

/* "a/b/../c/./d.txt" -> "a/c/d.txt"; NULL when it leaves the project ("../x"). */
static const char *clean_path(struct arena *a, const char *base_dir, const char *rel)
{
	struct buf b = BUF_INIT;
	if (rel[0] == '/')
		buf_puts(&b, rel); /* absolute: outside the project */
	else if (*base_dir)
		buf_printf(&b, "%s/%s", base_dir, rel);
	else
		buf_puts(&b, rel);
	if (b.data[0] == '/') {
		buf_free(&b);
		return NULL;
	}
	/* split and fold */
	char *parts[256];
	size_t np = 0;
	char *save = NULL;
	int outside = 0;
	for (char *t = strtok_r(b.data, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			if (np == 0)
				outside = 1;
			else
				np--;
			continue;
		}
		if (np < 256)
			parts[np++] = t;
	}
	const char *out = NULL;
	if (!outside && np) {
		struct buf o = BUF_INIT;
		for (size_t i = 0; i < np; i++)
			buf_printf(&o, "%s%s", i ? "/" : "", parts[i]);
		out = arena_strdup(a, buf_str(&o));
		buf_free(&o);
	}
	buf_free(&b);
	return out;
}

static void read_requirements(struct req_reader *rr, const char *rel, int depth);

/* The value of a "-r FILE" / "-rFILE" / "--requirement FILE" / "--requirement=FILE" option, or NULL. */
static const char *option_value(char *line, const char *shortopt, const char *longopt)
{
	size_t sl = strlen(shortopt), ll = strlen(longopt);
	char *v = NULL;
	if (strncmp(line, longopt, ll) == 0 && (line[ll] == '=' || isspace((unsigned char)line[ll])))
		v = line + ll + 1;
	else if (strncmp(line, shortopt, sl) == 0)
		v = line + sl;
	else
		return NULL;
	while (isspace((unsigned char)*v) || *v == '=')
		v++;
	char *end = v;
	while (*end && !isspace((unsigned char)*end))
		end++;
	*end = '\0';
	return *v ? v : NULL;
}

/* "git+https://host/x/repo.git@v1#egg=Name" -> "Name"; "./pkgs/foo-1.0-py3-none-any.whl" -> "foo". */
static int name_from_location(const char *loc, char *out, size_t outlen)
{
	const char *egg = strstr(loc, "#egg=");
	if (egg) {
		egg += 5;
		size_t n = 0;
		while (name_char(egg[n]))
			n++;
		if (n && n < outlen) {
			memcpy(out, egg, n);
			out[n] = '\0';
			return 0;
		}
	}
	const char *base = strrchr(loc, '/');
	base = base ? base + 1 : loc;
	size_t bl = strlen(base);
	if (bl > 4 && (strcmp(base + bl - 4, ".whl") == 0 || strstr(base, ".tar.gz") || strstr(base, ".zip"))) {
		size_t n = 0;
		while (base[n] && base[n] != '-' && n + 1 < outlen) {
			out[n] = base[n];
			n++;
		}
		out[n] = '\0';
		return n ? 0 : -1;
	}
	return -1;
}

static void requirement_line(struct req_reader *rr, const char *rel, const char *dir, char *line, unsigned lineno,
			     int depth)
{
	struct cx_state *s = rr->s;
	/* a comment starts at '#' at the start or after whitespace */
	for (char *p = line; *p; p++)
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	size_t n = strlen(line);
	char *t = (char *)trim(line, &n);
	t[n] = '\0';
	if (!*t)
		return;
	if (t[0] == '-') {
		const char *v;
		if ((v = option_value(t, "-r", "--requirement"))) {
			const char *inc = clean_path(&s->c->arena, dir, v);
			if (!inc)
				cx_note(s, "%s:%u: '-r %s' is outside the project; not read", rel, lineno, v);
			else if (!cx_is_file(s->c->dir, inc))
				cx_note(s, "%s:%u: '-r %s': no such file", rel, lineno, v);
			else
				read_requirements(rr, inc, depth + 1);
			return;
		}
		if ((v = option_value(t, "-e", "--editable"))) {
			char name[128];
			if (name_from_location(v, name, sizeof(name)) == 0)
				add_dep(s, name, arena_printf(&s->c->arena, "-e %s", v), NULL, NULL, NULL, rel, lineno);
			else
				cx_note(s, "%s:%u: editable '%s' has no #egg= name; not listed", rel, lineno, v);
			return;
		}
		return; /* -c constraints, -i/--index-url, --hash, --pre, -f ...: not dependencies */
	}
	/* per-requirement options ("--hash=...", "--config-settings ...") follow the requirement */
	for (char *p = t; *p; p++)
		if (isspace((unsigned char)*p) && p[1] == '-' && p[2] == '-') {
			*p = '\0';
			break;
		}
	struct req_parts r;
	if (!strstr(t, "://") && parse_req(t, &r) == 0) {
		add_dep(s, r.name, r.spec, r.extras, r.marker, NULL, rel, lineno);
		return;
	}
	if (strstr(t, "://") && parse_req(t, &r) == 0 && strncmp(r.spec, "@ ", 2) == 0) {
		add_dep(s, r.name, r.spec, r.extras, r.marker, NULL, rel, lineno);
		return;
	}
	char name[128];
	if (name_from_location(t, name, sizeof(name)) == 0) {
		add_dep(s, name, t, NULL, NULL, NULL, rel, lineno);
		return;
	}
	cx_note(s, "%s:%u: '%s' is not a requirement this reader understands; not listed", rel, lineno, t);
}

static void read_requirements(struct req_reader *rr, const char *rel, int depth)
{
	struct cx_state *s = rr->s;
	for (size_t i = 0; i < rr->nseen; i++)
		if (strcmp(rr->seen[i], rel) == 0)
			return; /* already read (or an include loop) */
	if (depth > INCLUDE_DEPTH) {
		cx_note(s, "'%s': -r includes nested over %d deep; not read", rel, INCLUDE_DEPTH);
		return;
	}
	rr->seen = cx_grow(&s->c->arena, rr->seen, rr->nseen, &rr->capseen, sizeof(*rr->seen));
	rr->seen[rr->nseen++] = rel;
	size_t len;
	int big;
	char *text = cx_read_file(s->c->dir, rel, DEPFILE_MAX, &len, &big);
	if (!text) {
		cx_note(s, "'%s': %s; not read", rel, big ? "over 4 MB" : "cannot be read");
		return;
	}
	const char *slash = strrchr(rel, '/');
	const char *dir = slash ? arena_strndup(&s->c->arena, rel, (size_t)(slash - rel)) : "";
	struct buf logical = BUF_INIT;
	unsigned lineno = 0, start = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (!logical.len)
			start = lineno;
		while (n && p[n - 1] == '\r')
			n--;
		/* a backslash at the end joins the next line */
		int cont = n && p[n - 1] == '\\';
		buf_put(&logical, p, cont ? n - 1 : n);
		p = nl ? nl + 1 : p + strlen(p);
		if (cont && *p) {
			buf_putc(&logical, ' ');
			continue;
		}
		char *line = buf_detach(&logical);
		if (line) {
			requirement_line(rr, rel, dir, line, start, depth);
			free(line);
		}
	}
	buf_free(&logical);
	free(text);
}

/* ---- a TOML subset ---- */

enum tv_kind { TV_STR, TV_ARR, TV_TAB, TV_OTHER };

struct tv {
	enum tv_kind kind;
	const char *s; /* TV_STR */
	unsigned line;
	struct tv **items; /* TV_ARR; TV_TAB values */
	const char **keys; /* TV_TAB */
	size_t n, cap;
};

struct toml {
	const char *p, *end;
	unsigned line;
	struct arena a;
	int failed;
	unsigned fail_line;
	/* the key/values read, each with the table it is in */
	struct tv *root; /* TV_TAB: keys "table\x1fkey" */
};

static void tv_add(struct toml *t, struct tv *v, const char *key, struct tv *item)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 8;
		struct tv **ni = arena_alloc(&t->a, nc * sizeof(*ni));
		const char **nk = arena_alloc(&t->a, nc * sizeof(*nk));
		if (v->n) {
			memcpy(ni, v->items, v->n * sizeof(*ni));
			memcpy(nk, v->keys, v->n * sizeof(*nk));
		}
		v->items = ni;
		v->keys = nk;
		v->cap = nc;
	}
	v->keys[v->n] = key;
	v->items[v->n++] = item;
}

static int toml_fail(struct toml *t)
{
	if (!t->failed) {
		t->failed = 1;
		t->fail_line = t->line;
	}
	return -1;
}

/* Skip spaces (and newlines and comments when nl is set). */
static void toml_ws(struct toml *t, int nl)
{
	while (t->p < t->end) {
		char c = *t->p;
		if (c == ' ' || c == '\t' || c == '\r') {
			t->p++;
		} else if (c == '#') {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		} else if (c == '\n' && nl) {
			t->line++;
			t->p++;
		} else {
			break;
		}
	}
}

/* A string of any of the four kinds at t->p; the value in the arena. */
static const char *toml_string(struct toml *t)
{
	char q = *t->p;
	int multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	t->p += multi ? 3 : 1;
	struct buf b = BUF_INIT;
	for (;;) {
		if (t->p >= t->end) {
			buf_free(&b);
			toml_fail(t);
			return NULL;
		}
		char c = *t->p;
		if (multi && c == q && t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q) {
			t->p += 3;
			break;
		}
		if (!multi && c == q) {
			t->p++;
			break;
		}
		if (c == '\n') {
			if (!multi) {
				buf_free(&b);
				toml_fail(t);
				return NULL;
			}
			t->line++;
		}
		if (c == '\\' && q == '"' && t->p + 1 < t->end) {
			char e = t->p[1];
			t->p += 2;
			switch (e) {
			case 'n': buf_putc(&b, '\n'); break;
			case 't': buf_putc(&b, '\t'); break;
			case '"': buf_putc(&b, '"'); break;
			case '\\': buf_putc(&b, '\\'); break;
			case '\n': /* line-ending backslash in a multi-line string */
				t->line++;
				while (t->p < t->end && isspace((unsigned char)*t->p)) {
					if (*t->p == '\n')
						t->line++;
					t->p++;
				}
				break;
			default: buf_putc(&b, '\\'); buf_putc(&b, e); break;
			}
			continue;
		}
		buf_putc(&b, c);
		t->p++;
	}
	const char *out = arena_strdup(&t->a, buf_str(&b));
	buf_free(&b);
	return out;
}

/* A key (bare or quoted, dotted parts joined with '.'), or NULL. */
static const char *toml_key(struct toml *t)
{
	struct buf b = BUF_INIT;
	for (;;) {
		toml_ws(t, 0);
		if (t->p >= t->end)
			break;
		if (*t->p == '"' || *t->p == '\'') {
			const char *s = toml_string(t);
			if (!s)
				break;
			buf_puts(&b, s);
		} else {
			const char *st = t->p;
			while (t->p < t->end && (isalnum((unsigned char)*t->p) || *t->p == '_' || *t->p == '-'))
				t->p++;
			if (t->p == st)
				break;
			buf_put(&b, st, (size_t)(t->p - st));
		}
		toml_ws(t, 0);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			buf_putc(&b, '.');
			continue;
		}
		const char *out = arena_strdup(&t->a, buf_str(&b));
		buf_free(&b);
		return out;
	}
	buf_free(&b);
	toml_fail(t);
	return NULL;
}

static struct tv *toml_value(struct toml *t, int depth)
{
	if (depth > 32) {
		toml_fail(t);
		return NULL;
	}
	toml_ws(t, 0);
	if (t->p >= t->end) {
		toml_fail(t);
		return NULL;
	}
	struct tv *v = arena_calloc(&t->a, 1, sizeof(*v));
	v->line = t->line;
	char c = *t->p;
	if (c == '"' || c == '\'') {
		v->kind = TV_STR;
		v->s = toml_string(t);
		return v->s ? v : NULL;
	}
	if (c == '[') {
		v->kind = TV_ARR;
		t->p++;
		for (;;) {
			toml_ws(t, 1);
			if (t->p >= t->end) {
				toml_fail(t);
				return NULL;
			}
			if (*t->p == ']') {
				t->p++;
				return v;
			}
			struct tv *item = toml_value(t, depth + 1);
			if (!item)
				return NULL;
			tv_add(t, v, NULL, item);
			toml_ws(t, 1);
			if (t->p < t->end && *t->p == ',')
				t->p++;
			else if (t->p < t->end && *t->p != ']') {
				toml_fail(t); /* two values without a comma */
				return NULL;
			}
		}
	}
	if (c == '{') {
		v->kind = TV_TAB;
		t->p++;
		for (;;) {
			toml_ws(t, 1); /* strictly one line; newlines tolerated */
			if (t->p >= t->end) {
				toml_fail(t);
				return NULL;
			}
			if (*t->p == '}') {
				t->p++;
				return v;
			}
			const char *k = toml_key(t);
			if (!k)
				return NULL;
			toml_ws(t, 0);
			if (t->p >= t->end || *t->p != '=') {
				toml_fail(t);
				return NULL;
			}
			t->p++;
			struct tv *item = toml_value(t, depth + 1);
			if (!item)
				return NULL;
			tv_add(t, v, k, item);
			toml_ws(t, 1);
			if (t->p < t->end && *t->p == ',')
				t->p++;
			else if (t->p < t->end && *t->p != '}') {
				toml_fail(t);
				return NULL;
			}
		}
	}
	/* numbers, booleans, dates: read to the end of the value */
	v->kind = TV_OTHER;
	const char *start = t->p;
	while (t->p < t->end && *t->p != ',' && *t->p != ']' && *t->p != '}' && *t->p != '\n' && *t->p != '#')
		t->p++;
	if (t->p == start) {
		toml_fail(t); /* "[,]", "{a = }": no value where one must be */
		return NULL;
	}
	return v;
}

/*
 * Read the document into t->root: one entry per key/value, its key
 * "TABLE\x1fKEY" (TABLE "" at the top). Arrays of tables ([[x]]) are read
 * and dropped. -1 with t->fail_line on the first thing it cannot read.
 */
static int toml_parse(struct toml *t, const char *text, size_t len)
{
	t->p = text;
	t->end = text + len;
	t->line = 1;
	t->root = arena_calloc(&t->a, 1, sizeof(*t->root));
	t->root->kind = TV_TAB;
	const char *table = "";
	int drop = 0;
	for (;;) {
		toml_ws(t, 1);
		if (t->p >= t->end)
			return 0;
		if (*t->p == '[') {
			int aot = t->end - t->p >= 2 && t->p[1] == '[';
			t->p += aot ? 2 : 1;
			const char *k = toml_key(t);
			if (!k)
				return -1;
			toml_ws(t, 0);
			if (t->p >= t->end || *t->p != ']')
				return toml_fail(t);
			t->p += aot ? 2 : 1;
			table = k;
			drop = aot;
		} else {
			const char *k = toml_key(t);
			if (!k)
				return -1;
			toml_ws(t, 0);
			if (t->p >= t->end || *t->p != '=')
				return toml_fail(t);
			t->p++;
			struct tv *v = toml_value(t, 0);
			if (!v)
				return -1;
			if (!drop)
				tv_add(t, t->root, arena_printf(&t->a, "%s\x1f%s", table, k), v);
		}
		toml_ws(t, 0);
		if (t->p < t->end && *t->p != '\n')
			return toml_fail(t);
	}
}

/* Split "TABLE\x1fKEY". */
static const char *key_of(const char *tk, char *table, size_t tl)
{
	const char *us = strchr(tk, '\x1f');
	snprintf(table, tl, "%.*s", (int)(us - tk), tk);
	return us + 1;
}

static const struct tv *tab_get(const struct tv *v, const char *key)
{
	if (!v || v->kind != TV_TAB)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

/* A PEP 508 string from an array: [project] dependencies and its relatives. */
static void pep508_array(struct cx_state *s, const struct tv *arr, const char *group, const char *file)
{
	if (!arr || arr->kind != TV_ARR)
		return;
	for (size_t i = 0; i < arr->n; i++) {
		const struct tv *it = arr->items[i];
		if (it->kind != TV_STR)
			continue; /* {include-group = "x"} */
		struct req_parts r;
		if (parse_req(it->s, &r) == 0)
			add_dep(s, r.name, r.spec, r.extras, r.marker, group, file, it->line);
		else
			cx_note(s, "%s:%u: '%s' is not a requirement this reader understands; not listed", file, it->line,
				it->s);
	}
}

/* Join the strings of an array with sep. */
static const char *join_strings(struct arena *a, const struct tv *arr, const char *sep)
{
	if (!arr || arr->kind != TV_ARR)
		return NULL;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < arr->n; i++)
		if (arr->items[i]->kind == TV_STR)
			buf_printf(&b, "%s%s", b.len ? sep : "", arr->items[i]->s);
	const char *out = b.len ? arena_strdup(a, buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

/* A Poetry / Pipfile dependency: "^2.0", "*", {version = ..., extras = [...], markers = ...}, [{...}, {...}]. */
static void table_dep(struct cx_state *s, const char *name, const struct tv *v, const char *group, const char *file,
		      unsigned line)
{
	struct arena *a = &s->c->arena;
	if (v->kind == TV_STR) {
		add_dep(s, name, strcmp(v->s, "*") == 0 ? "*" : v->s, NULL, NULL, group, file, line);
		return;
	}
	if (v->kind == TV_ARR) {
		/* multiple constraints: one per Python version */
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < v->n; i++) {
			const struct tv *ver = tab_get(v->items[i], "version");
			if (ver && ver->kind == TV_STR)
				buf_printf(&b, "%s%s", b.len ? " | " : "", ver->s);
		}
		add_dep(s, name, buf_str(&b), NULL, NULL, group, file, line);
		buf_free(&b);
		return;
	}
	if (v->kind != TV_TAB)
		return;
	const char *spec = "";
	const struct tv *x;
	if ((x = tab_get(v, "version")) && x->kind == TV_STR)
		spec = x->s;
	else if ((x = tab_get(v, "path")) && x->kind == TV_STR)
		spec = arena_printf(a, "path %s", x->s);
	else if ((x = tab_get(v, "git")) && x->kind == TV_STR)
		spec = arena_printf(a, "git %s", x->s);
	else if ((x = tab_get(v, "url")) && x->kind == TV_STR)
		spec = arena_printf(a, "url %s", x->s);
	else if ((x = tab_get(v, "file")) && x->kind == TV_STR)
		spec = arena_printf(a, "file %s", x->s);
	const char *marker = NULL;
	if ((x = tab_get(v, "markers")) && x->kind == TV_STR)
		marker = x->s;
	else if ((x = tab_get(v, "python")) && x->kind == TV_STR)
		marker = arena_printf(a, "python %s", x->s);
	const char *extras = join_strings(a, tab_get(v, "extras"), ",");
	if (strcmp(spec, "*") == 0)
		spec = "*";
	add_dep(s, name, spec, extras, marker, group, file, line);
}

static int read_toml(struct cx_state *s, const char *rel, struct toml *t, char **text)
{
	size_t len;
	int big;
	*text = cx_read_file(s->c->dir, rel, DEPFILE_MAX, &len, &big);
	if (!*text) {
		cx_note(s, "'%s': %s; not read", rel, big ? "over 4 MB" : "cannot be read");
		return -1;
	}
	if (toml_parse(t, *text, len)) {
		cx_note(s, "%s:%u: TOML this reader does not understand; the dependencies after this line are not read",
			rel, t->fail_line);
	}
	return 0;
}

static void read_pyproject(struct cx_state *s, const char *rel)
{
	struct toml t = {0};
	char *text;
	if (read_toml(s, rel, &t, &text) == 0) {
		char table[256];
		for (size_t i = 0; i < t.root->n; i++) {
			const char *key = key_of(t.root->keys[i], table, sizeof(table));
			const struct tv *v = t.root->items[i];
			if (strcmp(table, "project") == 0 && strcmp(key, "dependencies") == 0) {
				pep508_array(s, v, NULL, rel);
			} else if (strcmp(table, "project") == 0 && strcmp(key, "optional-dependencies") == 0 &&
				   v->kind == TV_TAB) {
				for (size_t k = 0; k < v->n; k++)
					pep508_array(s, v->items[k], arena_strdup(&s->c->arena, v->keys[k]), rel);
			} else if (strcmp(table, "project.optional-dependencies") == 0 ||
				   strcmp(table, "dependency-groups") == 0) {
				pep508_array(s, v, arena_strdup(&s->c->arena, key), rel);
			} else if (strcmp(table, "tool.poetry.dependencies") == 0 ||
				   strcmp(table, "tool.poetry.dev-dependencies") == 0 ||
				   (strncmp(table, "tool.poetry.group.", 18) == 0 && strlen(table) > 31 &&
				    strcmp(table + strlen(table) - 13, ".dependencies") == 0)) {
				if (strcmp(key, "python") == 0)
					continue; /* the interpreter, not a package */
				const char *group = NULL;
				if (strcmp(table, "tool.poetry.dev-dependencies") == 0)
					group = "dev";
				else if (strncmp(table, "tool.poetry.group.", 18) == 0)
					group = arena_strndup(&s->c->arena, table + 18, strlen(table) - 18 - 13);
				table_dep(s, key, v, group, rel, v->line);
			}
		}
	}
	free(text);
	arena_free(&t.a);
}

static void read_pipfile(struct cx_state *s, const char *rel)
{
	struct toml t = {0};
	char *text;
	if (read_toml(s, rel, &t, &text) == 0) {
		char table[256];
		for (size_t i = 0; i < t.root->n; i++) {
			const char *key = key_of(t.root->keys[i], table, sizeof(table));
			int dev = strcmp(table, "dev-packages") == 0;
			if (strcmp(table, "packages") == 0 || dev)
				table_dep(s, key, t.root->items[i], dev ? "dev" : NULL, rel, t.root->items[i]->line);
		}
	}
	free(text);
	arena_free(&t.a);
}

/* ---- which files ---- */

static int by_req_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	/* requirements.txt first: it is the one the others usually include */
	int xr = strcmp(x, "requirements.txt") == 0, yr = strcmp(y, "requirements.txt") == 0;
	if (xr != yr)
		return yr - xr;
	return strcmp(x, y);
}

/* Names in dir/sub that start with prefix and end with ".txt", as "sub/name" (sub "" for the top). */
static void list_txt(struct cx_state *s, const char *sub, const char *prefix, const char ***out, size_t *n,
		     size_t *cap)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s%s%s", s->c->dir, *sub ? "/" : "", sub);
	DIR *d = opendir(buf_str(&path));
	buf_free(&path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		const char *rel = *sub ? arena_printf(&s->c->arena, "%s/%s", sub, de->d_name)
				       : arena_strdup(&s->c->arena, de->d_name);
		if (!cx_is_file(s->c->dir, rel))
			continue;
		*out = cx_grow(&s->c->arena, *out, *n, cap, sizeof(**out));
		(*out)[(*n)++] = rel;
	}
	closedir(d);
}

/* The dependency files of one directory ("" for the top); 1 when it has any. */
static int read_dep_dir(struct cx_state *s, struct req_reader *rr, const char *sub)
{
	const char **files = NULL;
	size_t n = 0, cap = 0;
	list_txt(s, sub, "requirements", &files, &n, &cap);
	size_t top = n;
	const char *reqdir = *sub ? arena_printf(&s->c->arena, "%s/requirements", sub) : "requirements";
	list_txt(s, reqdir, "", &files, &n, &cap);
	if (top > 1)
		qsort(files, top, sizeof(*files), by_req_name);
	if (n - top > 1)
		qsort(files + top, n - top, sizeof(*files), by_req_name);
	for (size_t i = 0; i < n; i++)
		read_requirements(rr, files[i], 0);
	int any = n > 0;
	const char *pp = *sub ? arena_printf(&s->c->arena, "%s/pyproject.toml", sub) : "pyproject.toml";
	if (cx_is_file(s->c->dir, pp)) {
		read_pyproject(s, pp);
		any = 1;
	}
	const char *pf = *sub ? arena_printf(&s->c->arena, "%s/Pipfile", sub) : "Pipfile";
	if (cx_is_file(s->c->dir, pf)) {
		read_pipfile(s, pf);
		any = 1;
	}
	return any;
}

/* A directory at the top that may hold a part of the project (backend/, api/), not tooling or a virtualenv. */
static int project_subdir(const struct cx_state *s, const char *name)
{
	static const char *const skip[] = {"node_modules", "venv", "virtualenv", "env", "build", "dist",
					   "site-packages", "__pycache__", NULL};
	if (name[0] == '.')
		return 0;
	for (const char *const *k = skip; *k; k++)
		if (strcmp(name, *k) == 0)
			return 0;
	if (!s->opts->include_tests && (strcmp(name, "tests") == 0 || strcmp(name, "test") == 0))
		return 0;
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", s->c->dir, name);
	struct stat st;
	int dir = stat(buf_str(&p), &st) == 0 && S_ISDIR(st.st_mode);
	buf_printf(&p, "/pyvenv.cfg");
	int venv = dir && stat(buf_str(&p), &st) == 0;
	buf_free(&p);
	return dir && !venv;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void cx_read_deps(struct cx_state *s)
{
	struct req_reader rr = {.s = s};
	int any = read_dep_dir(s, &rr, "");
	/* a project in parts (backend/pyproject.toml, api/requirements.txt): one level down too */
	DIR *d = opendir(s->c->dir);
	if (d) {
		const char **subs = NULL;
		size_t n = 0, cap = 0;
		struct dirent *de;
		while ((de = readdir(d)))
			if (project_subdir(s, de->d_name) && strcmp(de->d_name, "requirements") != 0) {
				subs = cx_grow(&s->c->arena, subs, n, &cap, sizeof(*subs));
				subs[n++] = arena_strdup(&s->c->arena, de->d_name);
			}
		closedir(d);
		if (n > 1)
			qsort(subs, n, sizeof(*subs), by_str);
		for (size_t i = 0; i < n; i++)
			any |= read_dep_dir(s, &rr, subs[i]);
	}
	if (!any)
		cx_note(s, "no requirements*.txt, pyproject.toml or Pipfile (at the top or one directory down): "
			   "no dependencies declared");
}

void cx_deps_imports(struct cx_state *s)
{
	struct project_context *c = s->c;
	for (size_t i = 0; i < c->ndeps; i++) {
		struct ctx_dep *d = &c->deps[i];
		if (!d->heavy)
			continue;
		const struct heavy *h = heavy_of(d->name);
		const struct cx_import *best = NULL;
		for (size_t k = 0; k < s->nimports; k++) {
			const struct cx_import *im = &s->imports[k];
			if (strcmp(im->top, h->module) != 0)
				continue;
			if (!best || (im->module_level && !best->module_level))
				best = im;
			if (best->module_level)
				break;
		}
		if (best) {
			d->imported_at = arena_printf(&c->arena, "%s:%u", s->files[best->file].path, best->line);
			d->imported_at_module = best->module_level;
		}
	}
}
