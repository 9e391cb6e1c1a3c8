/*
 * walk: the files `perfagent scan` reads, found under its PATHs. See
 * walk.h for what is skipped and which .gitignore syntax is understood.
 *
 * Built for trees of tens of thousands of files: readdir's d_type and
 * d_ino answer "directory or file" and "seen before" without a stat per
 * entry; a directory's entries are read and closed before descending, so
 * the walk holds one directory open at a time whatever the depth; the
 * .gitignore rule sets in force are a stack pushed and popped with the
 * directories. Glob matching is a table over (pattern segment, path
 * segment) pairs with a linear wildcard match inside a segment, so no
 * pattern in a hostile .gitignore can make it exponential.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/buf.h"

#define WALK_MAX_DEPTH 200            /* deeper than any real source tree; a bound on recursion */
#define GITIGNORE_MAX (4u << 20)      /* a .gitignore over 4 MB is not read */
#define GLOB_MAX_PSEGS 64             /* pattern segments the matcher takes */
#define GLOB_MAX_SSEGS 256            /* path segments the matcher takes */

/* ---- glob matching ---- */

/*
 * Match one pattern element at p (pl bytes left) against the byte c: a
 * literal, '?', an escaped byte or a [class]. Returns how many pattern
 * bytes the element spans when it matches, 0 when it does not.
 */
static size_t elem_match(const char *p, size_t pl, unsigned char c)
{
	if (p[0] == '?')
		return 1;
	if (p[0] == '\\' && pl > 1)
		return (unsigned char)p[1] == c ? 2 : 0;
	if (p[0] == '[') {
		size_t i = 1;
		int neg = 0, hit = 0;
		if (i < pl && (p[i] == '!' || p[i] == '^')) {
			neg = 1;
			i++;
		}
		size_t first = i;
		while (i < pl && (p[i] != ']' || i == first)) {
			unsigned char lo = (unsigned char)p[i];
			if (lo == '\\' && i + 1 < pl)
				lo = (unsigned char)p[++i];
			unsigned char hi = lo;
			if (i + 2 < pl && p[i + 1] == '-' && p[i + 2] != ']') {
				i += 2;
				hi = (unsigned char)p[i];
				if (hi == '\\' && i + 1 < pl)
					hi = (unsigned char)p[++i];
			}
			if (c >= lo && c <= hi)
				hit = 1;
			i++;
		}
		if (i < pl) /* the closing ']' */
			return hit != neg ? i + 1 : 0;
		/* no closing bracket: a literal '[' */
	}
	return (unsigned char)p[0] == c ? 1 : 0;
}

/* One segment (no '/') against one path segment: '*' any run, the rest via elem_match. */
static int seg_match(const char *p, size_t pl, const char *s, size_t sl)
{
	size_t pi = 0, si = 0, star = SIZE_MAX, star_s = 0;
	while (si < sl) {
		if (pi < pl && p[pi] == '*') {
			while (pi < pl && p[pi] == '*')
				pi++;
			star = pi;
			star_s = si;
			continue;
		}
		size_t adv;
		if (pi < pl && (adv = elem_match(p + pi, pl - pi, (unsigned char)s[si])) != 0) {
			pi += adv;
			si++;
			continue;
		}
		if (star == SIZE_MAX)
			return 0;
		pi = star;
		si = ++star_s;
	}
	while (pi < pl && p[pi] == '*')
		pi++;
	return pi == pl;
}

struct seg {
	const char *s;
	size_t n;
};

/* Split s at '/' into at most max segments; the count, or SIZE_MAX when there are more. */
static size_t split(const char *s, struct seg *out, size_t max)
{
	size_t n = 0;
	for (;;) {
		const char *sl = strchr(s, '/');
		size_t len = sl ? (size_t)(sl - s) : strlen(s);
		if (n == max)
			return SIZE_MAX;
		out[n].s = s;
		out[n].n = len;
		n++;
		if (!sl)
			return n;
		s = sl + 1;
	}
}

static int is_globstar(const struct seg *g)
{
	return g->n == 2 && g->s[0] == '*' && g->s[1] == '*';
}

int scan_glob_match(const char *pat, const char *path)
{
	struct seg ps[GLOB_MAX_PSEGS], ss[GLOB_MAX_SSEGS];
	size_t np = split(pat, ps, GLOB_MAX_PSEGS), ns = split(path, ss, GLOB_MAX_SSEGS);
	if (np == SIZE_MAX || ns == SIZE_MAX)
		return 0;
	int star = 0;
	for (size_t i = 0; i < np; i++)
		star |= is_globstar(&ps[i]);
	if (!star) {
		if (np != ns)
			return 0;
		for (size_t i = 0; i < np; i++)
			if (!seg_match(ps[i].s, ps[i].n, ss[i].s, ss[i].n))
				return 0;
		return 1;
	}
	/* ok[i][j]: pattern segments i.. match path segments j.. */
	static const size_t W = GLOB_MAX_SSEGS + 1;
	unsigned char ok[(GLOB_MAX_PSEGS + 1) * (GLOB_MAX_SSEGS + 1)];
	for (size_t j = 0; j <= ns; j++)
		ok[np * W + j] = j == ns;
	for (size_t i = np; i-- > 0;) {
		for (size_t j = ns + 1; j-- > 0;) {
			unsigned char v;
			if (is_globstar(&ps[i])) {
				if (i == np - 1) /* trailing: one or more segments, everything inside */
					v = j < ns;
				else /* zero or more whole segments */
					v = ok[(i + 1) * W + j] || (j < ns && ok[i * W + j + 1]);
			} else {
				v = j < ns && ok[(i + 1) * W + j + 1] && seg_match(ps[i].s, ps[i].n, ss[j].s, ss[j].n);
			}
			ok[i * W + j] = v;
		}
	}
	return ok[0];
}

/* ---- .gitignore rules ---- */

struct ig_rule {
	const char *pat;
	unsigned char neg, dir_only, anchored;
};

/* The rules of one .gitignore, for paths under base ("" or "a/b/", relative to the top). */
struct ig_set {
	const char *base;
	size_t baselen;
	struct ig_rule *rules;
	size_t n;
};

/*
 * Parse gitignore text into a set (in a). Lines that say nothing (blank,
 * comments, "/" or "!" alone) are dropped. Returns the number of rules.
 */
static size_t parse_rules(struct arena *a, const char *text, size_t len, struct ig_set *set)
{
	size_t cap = 0, n = 0;
	struct ig_rule *rules = NULL;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *ls = p;
		p = nl ? nl + 1 : end;
		if (le > ls && le[-1] == '\r')
			le--;
		/* trailing spaces go unless escaped */
		while (le > ls && le[-1] == ' ' && !(le - 1 > ls && le[-2] == '\\'))
			le--;
		if (le == ls || *ls == '#')
			continue;
		struct ig_rule r = {0};
		if (*ls == '!') {
			r.neg = 1;
			ls++;
		} else if (*ls == '\\' && le - ls > 1 && (ls[1] == '#' || ls[1] == '!')) {
			ls++;
		}
		if (le > ls && le[-1] == '/') {
			r.dir_only = 1;
			le--;
		}
		if (le == ls)
			continue;
		const char *slash = memchr(ls, '/', (size_t)(le - ls));
		if (slash) {
			r.anchored = 1;
			while (ls < le && *ls == '/')
				ls++;
			if (le == ls)
				continue;
		}
		char *pat = arena_strndup(a, ls, (size_t)(le - ls));
		/* "a\ " keeps its space: drop the escapes of trailing spaces only */
		size_t pl = strlen(pat);
		if (pl >= 2 && pat[pl - 1] == ' ' && pat[pl - 2] == '\\') {
			pat[pl - 2] = ' ';
			pat[pl - 1] = '\0';
		}
		r.pat = pat;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct ig_rule *nr = arena_alloc(a, cap * sizeof(*nr));
			if (n)
				memcpy(nr, rules, n * sizeof(*nr));
			rules = nr;
		}
		rules[n++] = r;
	}
	set->rules = rules;
	set->n = n;
	return n;
}

/*
 * The verdict of one set on a path (relative to the top) whose last
 * segment is name: 1 ignored, -1 re-included by a negation, 0 no rule
 * matched. The last matching rule decides.
 */
static int set_verdict(const struct ig_set *s, const char *mpath, const char *name, int isdir)
{
	if (strncmp(mpath, s->base, s->baselen) != 0)
		return 0;
	const char *rel = mpath + s->baselen;
	for (size_t i = s->n; i-- > 0;) {
		const struct ig_rule *r = &s->rules[i];
		if (r->dir_only && !isdir)
			continue;
		if (scan_glob_match(r->pat, r->anchored ? rel : name))
			return r->neg ? -1 : 1;
	}
	return 0;
}

/* ---- the walk ---- */

struct dev_ino {
	dev_t dev;
	ino_t ino;
	int used;
};

struct walker {
	const struct scan_walk_opts *o;
	struct scan_files *out;
	struct arena rules_arena; /* the .gitignore texts and rules */
	struct ig_set *sets;      /* the stack: shallowest first */
	size_t nsets, capsets;
	struct ig_set excl;       /* --exclude, based at the current PATH */
	struct buf fs;            /* the path to open: the PATH as given, then /name... */
	struct buf m;             /* the path relative to the top, for matching */
	struct dev_ino *seen;
	size_t nseen, capseen;
};

/* 1 when (dev, ino) was not seen before (and now is). */
static int first_visit(struct walker *w, dev_t dev, ino_t ino)
{
	if (w->nseen * 2 >= w->capseen) {
		size_t ncap = w->capseen ? w->capseen * 2 : 1024;
		struct dev_ino *n = xcalloc(ncap, sizeof(*n));
		for (size_t i = 0; i < w->capseen; i++) {
			if (!w->seen[i].used)
				continue;
			uint64_t h = ((uint64_t)w->seen[i].dev * 0x9E3779B97F4A7C15u) ^ (uint64_t)w->seen[i].ino;
			size_t k = (size_t)(h * 0xBF58476D1CE4E5B9u >> 17) & (ncap - 1);
			while (n[k].used)
				k = (k + 1) & (ncap - 1);
			n[k] = w->seen[i];
		}
		free(w->seen);
		w->seen = n;
		w->capseen = ncap;
	}
	uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15u) ^ (uint64_t)ino;
	size_t k = (size_t)(h * 0xBF58476D1CE4E5B9u >> 17) & (w->capseen - 1);
	while (w->seen[k].used) {
		if (w->seen[k].dev == dev && w->seen[k].ino == ino)
			return 0;
		k = (k + 1) & (w->capseen - 1);
	}
	w->seen[k].dev = dev;
	w->seen[k].ino = ino;
	w->seen[k].used = 1;
	w->nseen++;
	return 1;
}

/* The path as shown to the user: the opened path without leading "./". */
static const char *display(const char *fs)
{
	while (fs[0] == '.' && fs[1] == '/') {
		fs += 2;
		while (*fs == '/')
			fs++;
	}
	return fs;
}

static void add_file(struct walker *w, const char *path)
{
	struct scan_files *f = w->out;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->paths = xrealloc(f->paths, f->cap * sizeof(*f->paths));
	}
	f->paths[f->n++] = arena_strdup(&f->arena, path);
}

static void add_skip(struct walker *w, const char *path, const char *reason)
{
	struct scan_files *f = w->out;
	if (f->nskipped == f->capskipped) {
		f->capskipped = f->capskipped ? f->capskipped * 2 : 64;
		f->skipped = xrealloc(f->skipped, f->capskipped * sizeof(*f->skipped));
	}
	f->skipped[f->nskipped].path = arena_strdup(&f->arena, display(path));
	f->skipped[f->nskipped].reason = reason;
	f->nskipped++;
}

__attribute__((format(printf, 3, 4))) static void add_error(struct walker *w, const char *path, const char *fmt, ...)
{
	struct scan_files *f = w->out;
	if (f->nerrors == f->caperrors) {
		f->caperrors = f->caperrors ? f->caperrors * 2 : 8;
		f->errors = xrealloc(f->errors, f->caperrors * sizeof(*f->errors));
	}
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->errors[f->nerrors].path = arena_strdup(&f->arena, path);
	f->errors[f->nerrors].msg = arena_strdup(&f->arena, buf_str(&b));
	f->nerrors++;
	buf_free(&b);
}

/* Read a whole small file into the rules arena; NULL when it cannot be read or is too large. */
static char *slurp(struct arena *a, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > GITIGNORE_MAX) {
		close(fd);
		return NULL;
	}
	size_t want = (size_t)st.st_size, got = 0;
	char *text = arena_alloc(a, want + 1);
	while (got < want) {
		ssize_t r = read(fd, text + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	*len = got;
	return text;
}

/* Load the ignore file at path as a set for paths under base; pushes it when it has rules. */
static int push_rules(struct walker *w, const char *path, const char *base)
{
	size_t len;
	char *text = slurp(&w->rules_arena, path, &len);
	if (!text)
		return 0;
	struct ig_set s = {.base = arena_strdup(&w->rules_arena, base)};
	s.baselen = strlen(s.base);
	if (parse_rules(&w->rules_arena, text, len, &s) == 0)
		return 0;
	if (w->nsets == w->capsets) {
		w->capsets = w->capsets ? w->capsets * 2 : 16;
		w->sets = xrealloc(w->sets, w->capsets * sizeof(*w->sets));
	}
	w->sets[w->nsets++] = s;
	return 1;
}

/* Why the entry at w->m (last segment name) is left out, or NULL. */
static const char *ignored_by_rules(const struct walker *w, const char *name, int isdir)
{
	const char *mp = buf_str(&w->m);
	int v = 0;
	for (size_t i = 0; i < w->nsets; i++) {
		int s = set_verdict(&w->sets[i], mp, name, isdir);
		if (s)
			v = s;
	}
	if (v > 0)
		return ".gitignore";
	if (w->excl.n && set_verdict(&w->excl, mp, name, isdir) > 0)
		return "--exclude";
	return NULL;
}

/* 1 when the directory at w->fs holds the file `name`. */
static int dir_has(struct walker *w, const char *name)
{
	size_t keep = w->fs.len;
	buf_putc(&w->fs, '/');
	buf_puts(&w->fs, name);
	int yes = access(buf_str(&w->fs), F_OK) == 0;
	w->fs.len = keep;
	w->fs.data[keep] = '\0';
	return yes;
}

static int name_is(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(name, *names) == 0)
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Why a directory named `name` (at w->fs) is not walked by default, or NULL. */
static const char *builtin_skip(struct walker *w, const char *name)
{
	static const char *const vcs[] = {".git", ".hg", ".svn", ".bzr", NULL};
	static const char *const caches[] = {"__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
					     ".ruff_cache", ".pytype", ".ipynb_checkpoints", NULL};
	static const char *const venvs[] = {"venv", ".venv", "virtualenv", ".virtualenv", NULL};
	static const char *const deps[] = {"node_modules", "site-packages", "__pypackages__", NULL};
	if (name_is(name, vcs))
		return "version control";
	if (name_is(name, caches))
		return "cache";
	if (name_is(name, venvs))
		return "virtualenv";
	if (name_is(name, deps))
		return "dependencies";
	if (strcmp(name, ".eggs") == 0 || ends_with(name, ".egg-info"))
		return "build output";
	if ((strcmp(name, "env") == 0 || strcmp(name, ".env") == 0) && !dir_has(w, "__init__.py"))
		return "virtualenv";
	if ((strcmp(name, "build") == 0 || strcmp(name, "dist") == 0) && !dir_has(w, "__init__.py"))
		return "build output";
	if (dir_has(w, "pyvenv.cfg"))
		return "virtualenv";
	return NULL;
}

/* 1 when the file at path starts with "#!" and a first line naming python. */
static int has_python_shebang(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	char b[128];
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n < 3 || b[0] != '#' || b[1] != '!')
		return 0;
	b[n] = '\0';
	char *nl = memchr(b, '\n', (size_t)n);
	if (nl)
		*nl = '\0';
	return strstr(b, "python") != NULL;
}

struct entry {
	size_t name; /* offset in the names buffer */
	unsigned char type;
	ino_t ino;
};

/* qsort_r order of entries by name; arg is the names buffer their offsets refer to. */
static int entry_cmp(const void *a, const void *b, void *arg)
{
	const struct entry *x = a, *y = b;
	const char *names = arg;
	return strcmp(names + x->name, names + y->name);
}

static void walk_dir(struct walker *w, int depth);

/* Visit one entry of the directory at w->fs (already appended to w->fs and w->m). */
static void visit(struct walker *w, const char *name, unsigned char type, dev_t dev, ino_t ino, int depth)
{
	const char *fs = buf_str(&w->fs);
	if (type == DT_LNK || type == DT_UNKNOWN) {
		struct stat st;
		if (type == DT_LNK) {
			if (stat(fs, &st) != 0)
				return; /* a dangling link */
			if (S_ISDIR(st.st_mode)) {
				add_skip(w, fs, "symlink to a directory");
				return;
			}
		} else if (lstat(fs, &st) != 0) {
			return;
		}
		if (S_ISDIR(st.st_mode) && type == DT_UNKNOWN)
			type = DT_DIR;
		else if (S_ISREG(st.st_mode))
			type = DT_REG;
		else
			return;
		dev = st.st_dev;
		ino = st.st_ino;
	}
	if (type == DT_DIR) {
		const char *why = builtin_skip(w, name);
		if (!why)
			why = ignored_by_rules(w, name, 1);
		if (!why && depth + 1 > WALK_MAX_DEPTH)
			why = "too deep";
		if (why) {
			add_skip(w, fs, why);
			return;
		}
		walk_dir(w, depth + 1);
		return;
	}
	if (type != DT_REG)
		return;
	int py = ends_with(name, ".py");
	if (!py && strchr(name, '.'))
		return;
	const char *why = ignored_by_rules(w, name, 0);
	if (!py && (why || !has_python_shebang(fs)))
		return;
	if (why) {
		add_skip(w, fs, why);
		return;
	}
	if (first_visit(w, dev, ino))
		add_file(w, display(fs));
}

/*
 * Walk the directory at w->fs (its path relative to the top in w->m):
 * read its entries, close it, then visit them in name order with its
 * .gitignore pushed.
 */
static void walk_dir(struct walker *w, int depth)
{
	DIR *d = opendir(buf_str(&w->fs));
	if (!d) {
		add_error(w, display(buf_str(&w->fs)), "cannot read directory '%s': %s", display(buf_str(&w->fs)),
			  strerror(errno));
		return;
	}
	struct stat dst;
	dev_t dev = fstat(dirfd(d), &dst) == 0 ? dst.st_dev : 0;
	struct buf names = BUF_INIT;
	struct entry *ents = NULL;
	size_t n = 0, cap = 0;
	int has_gitignore = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
			continue;
		if (strcmp(nm, ".gitignore") == 0)
			has_gitignore = 1;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ents = xrealloc(ents, cap * sizeof(*ents));
		}
		ents[n].name = names.len;
		ents[n].type = de->d_type;
		ents[n].ino = de->d_ino;
		n++;
		buf_put(&names, nm, strlen(nm) + 1);
	}
	closedir(d);
	if (n > 1)
		qsort_r(ents, n, sizeof(*ents), entry_cmp, names.data);
	size_t fs_keep = w->fs.len, m_keep = w->m.len;
	int pushed = 0;
	if (has_gitignore && !w->o->no_ignore) {
		buf_puts(&w->fs, "/.gitignore");
		struct buf base = BUF_INIT;
		buf_puts(&base, buf_str(&w->m));
		if (base.len)
			buf_putc(&base, '/');
		pushed = push_rules(w, buf_str(&w->fs), buf_str(&base));
		buf_free(&base);
		w->fs.len = fs_keep;
		w->fs.data[fs_keep] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		const char *nm = names.data + ents[i].name;
		if (w->fs.len && w->fs.data[w->fs.len - 1] != '/')
			buf_putc(&w->fs, '/');
		buf_puts(&w->fs, nm);
		if (w->m.len)
			buf_putc(&w->m, '/');
		buf_puts(&w->m, nm);
		visit(w, nm, ents[i].type, dev, ents[i].ino, depth);
		w->fs.len = fs_keep;
		w->fs.data[fs_keep] = '\0';
		w->m.len = m_keep;
		if (w->m.data)
			w->m.data[m_keep] = '\0';
	}
	if (pushed)
		w->nsets--;
	free(ents);
	buf_free(&names);
}

/*
 * Set up the ignore rules in force above a root directory: find the git
 * work tree's top (the nearest ancestor with .git), push its
 * .git/info/exclude and the .gitignore of every directory from the top
 * down to the root's parent, and put the root's path relative to the top
 * in w->m. Outside a work tree the root is the top.
 */
static void rules_above(struct walker *w, const char *root)
{
	buf_reset(&w->m);
	if (w->o->no_ignore)
		return;
	char *real = realpath(root, NULL);
	if (!real)
		return;
	size_t rl = strlen(real);
	size_t top = SIZE_MAX; /* length of the top's path in real */
	struct buf probe = BUF_INIT;
	for (size_t len = rl;;) {
		buf_reset(&probe);
		buf_put(&probe, real, len);
		buf_puts(&probe, len == 1 ? ".git" : "/.git");
		if (access(buf_str(&probe), F_OK) == 0) {
			top = len;
			break;
		}
		if (len <= 1)
			break;
		while (len > 1 && real[len - 1] != '/')
			len--;
		if (len > 1)
			len--; /* drop the slash too, except for "/" itself */
	}
	int git = top != SIZE_MAX;
	if (!git) {
		/* no work tree: the current directory is the top when the root is inside it */
		char *cwd = getcwd(NULL, 0);
		size_t cl = cwd ? strlen(cwd) : 0;
		if (cwd && cl <= rl && strncmp(real, cwd, cl) == 0 && (real[cl] == '/' || real[cl] == '\0' || cl == 1))
			top = cl;
		free(cwd);
	}
	if (top != SIZE_MAX && top < rl) {
		/* .git/info/exclude, then each directory's .gitignore from the top down */
		if (git) {
			buf_reset(&probe);
			buf_put(&probe, real, top);
			buf_puts(&probe, top == 1 ? ".git/info/exclude" : "/.git/info/exclude");
			push_rules(w, buf_str(&probe), "");
		}
		size_t at = top;
		const char *rel = real + top + (top == 1 ? 0 : 1);
		for (;;) {
			buf_reset(&probe);
			buf_put(&probe, real, at);
			buf_puts(&probe, at == 1 ? ".gitignore" : "/.gitignore");
			struct buf base = BUF_INIT;
			if (at > top)
				buf_put(&base, rel, at - (size_t)(rel - real));
			if (base.len)
				buf_putc(&base, '/');
			push_rules(w, buf_str(&probe), buf_str(&base));
			buf_free(&base);
			const char *next = strchr(real + at + 1, '/');
			if (!next)
				break;
			at = (size_t)(next - real);
		}
		buf_puts(&w->m, rel);
	} else if (git && top == rl) {
		buf_reset(&probe);
		buf_put(&probe, real, top);
		buf_puts(&probe, "/.git/info/exclude");
		push_rules(w, buf_str(&probe), "");
	}
	buf_free(&probe);
	free(real);
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int scan_find_files(const char *const *roots, size_t nroots, const struct scan_walk_opts *o, struct scan_files *out,
	      struct perr *e)
{
	memset(out, 0, sizeof(*out));
	struct walker w = {.o = o, .out = out};
	if (o->nexcludes) {
		struct buf all = BUF_INIT;
		for (size_t i = 0; i < o->nexcludes; i++) {
			const char *x = o->excludes[i];
			struct ig_set one = {0};
			if (strchr(x, '\n') || parse_rules(&w.rules_arena, x, strlen(x), &one) != 1) {
				buf_free(&all);
				arena_free(&w.rules_arena);
				return perr_set(e, "--exclude '%s' is not a pattern; write one gitignore pattern, such as 'migrations/' or '*_pb2.py'",
						x);
			}
			buf_puts(&all, x);
			buf_putc(&all, '\n');
		}
		parse_rules(&w.rules_arena, all.data, all.len, &w.excl);
		buf_free(&all);
	}
	for (size_t i = 0; i < nroots; i++) {
		const char *root = roots[i];
		if (strcmp(root, "-") == 0) {
			int dup = 0;
			for (size_t k = 0; k < out->n; k++)
				dup |= strcmp(out->paths[k], "-") == 0;
			if (!dup)
				add_file(&w, "-");
			continue;
		}
		struct stat st;
		if (stat(root, &st) != 0) {
			add_error(&w, root, "cannot read '%s': %s", root, strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* named on the command line: scanned whatever its name */
			if (first_visit(&w, st.st_dev, st.st_ino))
				add_file(&w, display(root));
			continue;
		}
		w.nsets = 0;
		rules_above(&w, root);
		buf_reset(&w.fs);
		buf_puts(&w.fs, root);
		while (w.fs.len > 1 && w.fs.data[w.fs.len - 1] == '/')
			w.fs.data[--w.fs.len] = '\0';
		w.excl.base = arena_printf(&w.rules_arena, "%s%s", buf_str(&w.m), w.m.len ? "/" : "");
		w.excl.baselen = strlen(w.excl.base);
		walk_dir(&w, 0);
	}
	if (out->n > 1) {
		qsort(out->paths, out->n, sizeof(*out->paths), path_cmp);
		/* the same name twice (a file system whose inode numbers do not tell) */
		size_t k = 1;
		for (size_t i = 1; i < out->n; i++)
			if (strcmp(out->paths[i], out->paths[k - 1]) != 0)
				out->paths[k++] = out->paths[i];
		out->n = k;
	}
	free(w.sets);
	free(w.seen);
	buf_free(&w.fs);
	buf_free(&w.m);
	arena_free(&w.rules_arena);
	return 0;
}

void scan_files_free(struct scan_files *f)
{
	free(f->paths);
	free(f->skipped);
	free(f->errors);
	arena_free(&f->arena);
	memset(f, 0, sizeof(*f));
}
