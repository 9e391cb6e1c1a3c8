/*
 * scan: the driver behind `perfagent scan` (see scan.h): files shared out
 * to a pool of threads, each file read, parsed, checked by every selected
 * rule and freed; then the rules' project-wide finish; then suppression,
 * sorting and the report.
 *
 * Why it is built this way:
 *   - A thread takes the next file from an atomic counter, so a huge file
 *     holds up one thread, not a whole batch; the calling thread works too
 *     and is the only one that draws progress.
 *   - Each thread has its own collector (struct scan_out: an arena and a
 *     growing array), so scan_emit never takes a lock. Per-file facts and
 *     per-file state live in arrays indexed by file, each slot written by
 *     the one thread that scanned that file.
 *   - A thread reuses one read buffer for all its files: no allocation per
 *     file beyond what tree-sitter itself does.
 *   - Suppression comments are found with one memmem over the text and
 *     confirmed against the tree (a "# perfagent: ignore" inside a string
 *     is not a comment), so a file without them costs nothing.
 *   - Findings from finish have no tree and no text; their source line is
 *     read back from the file once per file at the end.
 */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"
#include "../core/suggest.h"

#define SCAN_MAX_BYTES (64u << 20) /* the same bound as py_parse: larger is not source code */
#define SOURCE_MAX 240             /* bytes of a finding's source line kept */
#define MAX_THREADS 256

/* A finding as a collector holds it, before the merge. */
struct raw {
	const char *rule;
	enum pa_severity sev;
	size_t file;      /* index into the job's files; SIZE_MAX when the path is not one of them */
	const char *path; /* the path as the rule gave it (for SIZE_MAX) */
	unsigned line, col, end_line;
	int col_chars; /* col already counted in characters */
	const char *message, *fix, *source, *function;
};

/* A `# perfagent: ignore[...]` comment: its line and rule list ("a,b"; NULL: every rule). */
struct marker {
	unsigned line;
	const char *rules;
};

/* What the scan learned about one file; written only by the thread that scanned it. */
struct file_state {
	unsigned lines;
	size_t bytes;
	const char *read_error;
	int parsed, has_error;
	unsigned err_line, err_col;
	struct marker *markers;
	size_t nmarkers;
	struct scan_note *notes;
	size_t nnotes;
};

struct job {
	const char *const *files;
	size_t nfiles;
	const char *mem_src; /* scan_buffer: the one file's text */
	size_t mem_len;
	char *stdin_text; /* "-" as read, kept for the source lines of finish's findings */
	size_t stdin_len;
	const struct scan_opts *o;
	unsigned char *enabled; /* per scan_rules[] index */
	struct file_state *st;
	void **facts;   /* facts[rule * nfiles + file] */
	size_t *byname; /* file indexes sorted by path, for scan_emit_at */
	atomic_size_t next, done;
	atomic_uint_fast64_t lines;
	atomic_int stopped;
};

struct scan_out {
	struct arena arena;
	struct raw *v;
	size_t n, cap;
	struct job *job;
	const struct py_file *f; /* the file being checked; NULL in finish */
	size_t file;
	const struct scan_rule *rule; /* the rule running */
	char *buf;                    /* this thread's read buffer */
	size_t bufcap;
	int main_thread;
};

/* ---- rules ---- */

const struct scan_rule *scan_rule_find(const char *name)
{
	for (size_t i = 0; i < scan_nrules; i++)
		if (strcmp(scan_rules[i]->name, name) == 0)
			return scan_rules[i];
	return NULL;
}

static size_t rule_index(const char *name)
{
	for (size_t i = 0; i < scan_nrules; i++)
		if (strcmp(scan_rules[i]->name, name) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * Mark the rules named in list (comma- or space-separated) in mark[].
 * Returns -1 with e set for an unknown name (opt names the option) or a
 * list that names nothing.
 */
static int mark_rules(const char *list, const char *opt, unsigned char *mark, struct perr *e)
{
	const char *names[64];
	size_t nn = 0;
	for (size_t i = 0; i < scan_nrules && nn < 64; i++)
		names[nn++] = scan_rules[i]->name;
	int any = 0;
	const char *p = list;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		char name[128];
		size_t len = (size_t)(p - s);
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, s, len);
		name[len] = '\0';
		size_t k = rule_index(name);
		if (k == SIZE_MAX) {
			const char *hint = suggest_closest(name, names, nn);
			if (hint)
				return perr_set(e, "%s: '%s' is not a scan rule (did you mean '%s'?); see 'perfagent scan --list-rules'",
						opt, name, hint);
			return perr_set(e, "%s: '%s' is not a scan rule; see 'perfagent scan --list-rules'", opt, name);
		}
		mark[k] = 1;
		any = 1;
	}
	if (!any)
		return perr_set(e, "%s '%s' names no rule; give rule names separated by commas, e.g. n-plus-one,quadratic",
				opt, list);
	return 0;
}

int scan_select(const char *select, const char *ignore, const struct scan_rule **out, size_t *n, struct perr *e)
{
	unsigned char sel[64] = {0}, ign[64] = {0};
	if (scan_nrules > 64)
		return perr_set(e, "too many scan rules for the selector");
	if (select && mark_rules(select, "--select", sel, e))
		return -1;
	if (ignore && mark_rules(ignore, "--ignore", ign, e))
		return -1;
	*n = 0;
	for (size_t i = 0; i < scan_nrules; i++)
		if ((!select || sel[i]) && !ign[i])
			out[(*n)++] = scan_rules[i];
	return 0;
}

/* ---- collecting findings ---- */

static struct raw *out_push(struct scan_out *o)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 32;
		o->v = xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	struct raw *r = &o->v[o->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Characters (code points) in s[0..n): every byte that is not a UTF-8 continuation byte. */
static unsigned count_chars(const char *s, size_t n)
{
	unsigned c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * The 1-based column in characters of byte column bytecol (0-based) of the
 * line starting at ls, stopping at the line's end.
 */
static unsigned char_col(const char *src, size_t len, size_t ls, size_t bytecol)
{
	size_t avail = len - ls, n = bytecol < avail ? bytecol : avail;
	const char *nl = memchr(src + ls, '\n', n);
	if (nl)
		n = (size_t)(nl - (src + ls));
	return count_chars(src + ls, n) + 1;
}

/*
 * The line of src that starts at byte ls: without indentation, trailing
 * blanks and CR, cut at SOURCE_MAX bytes on a character boundary (then
 * " ..." follows); copied into a.
 */
static const char *line_text(struct arena *a, const char *src, size_t len, size_t ls)
{
	if (ls > len)
		return NULL;
	const char *p = src + ls, *end = src + len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *le = nl ? nl : end;
	while (p < le && (*p == ' ' || *p == '\t' || *p == '\f'))
		p++;
	while (le > p && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
		le--;
	size_t n = (size_t)(le - p);
	if (n <= SOURCE_MAX)
		return arena_strndup(a, p, n);
	n = SOURCE_MAX;
	while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(a, "%.*s ...", (int)n, p);
}

/* Where line (1-based) starts in src, or SIZE_MAX past the end. */
static size_t line_start(const char *src, size_t len, unsigned line)
{
	size_t at = 0;
	for (unsigned l = 1; l < line; l++) {
		const char *nl = memchr(src + at, '\n', len - at);
		if (!nl)
			return SIZE_MAX;
		at = (size_t)(nl - src) + 1;
	}
	return at;
}

/* "Class.method" / "outer.inner" for the defs and classes around n; NULL at module level. */
static const char *enclosing(const struct py_file *f, TSNode n, struct arena *a)
{
	const char *parts[16];
	size_t np = 0;
	for (TSNode p = ts_node_parent(n); !ts_node_is_null(p) && np < 16; p = ts_node_parent(p)) {
		const char *t = ts_node_type(p);
		if (strcmp(t, "function_definition") != 0 && strcmp(t, "class_definition") != 0)
			continue;
		TSNode name = py_field(p, "name");
		if (!ts_node_is_null(name))
			parts[np++] = py_text(f, name, a);
	}
	if (np == 0)
		return NULL;
	struct buf b = BUF_INIT;
	for (size_t i = np; i-- > 0;) {
		buf_puts(&b, parts[i]);
		if (i)
			buf_putc(&b, '.');
	}
	const char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

/*
 * The rule name and severity for a finding emitted as `rule` by the rule
 * running in o; 0 to keep it, -1 to drop it (a rule that was not selected).
 */
static int attribute(struct scan_out *o, const char *rule, int sev_override, struct raw *r)
{
	size_t k = rule ? rule_index(rule) : SIZE_MAX;
	if (k != SIZE_MAX) {
		if (o->job && !o->job->enabled[k])
			return -1;
		r->rule = scan_rules[k]->name;
		r->sev = scan_rules[k]->severity;
	} else if (o->rule) {
		r->rule = rule ? arena_strdup(&o->arena, rule) : o->rule->name;
		r->sev = o->rule->severity;
	} else {
		r->rule = arena_strdup(&o->arena, rule ? rule : "scan");
		r->sev = PA_SEV_MEDIUM;
	}
	if (sev_override >= 1 && sev_override <= PA_SEV_COUNT)
		r->sev = (enum pa_severity)(sev_override - 1);
	return 0;
}

/* The index of path among the job's files, or SIZE_MAX. */
static size_t file_index(const struct job *j, const char *path)
{
	size_t lo = 0, hi = j->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(j->files[j->byname[mid]], path);
		if (c == 0)
			return j->byname[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

void scan_emit(struct scan_out *o, const struct py_file *f, const char *rule, TSNode at, const char *message,
	       const char *fix, int sev_override)
{
	if (!o || !f)
		return;
	if (ts_node_is_null(at))
		at = f->root;
	struct raw tmp = {0};
	if (attribute(o, rule, sev_override, &tmp))
		return;
	struct raw *r = out_push(o);
	*r = tmp;
	TSPoint sp = ts_node_start_point(at), ep = ts_node_end_point(at);
	uint32_t sb = ts_node_start_byte(at);
	r->line = sp.row + 1;
	r->end_line = ep.row + 1;
	r->col = sp.column + 1;
	if (f == o->f) {
		r->file = o->file;
	} else {
		r->file = o->job ? file_index(o->job, f->path) : SIZE_MAX;
		r->path = arena_strdup(&o->arena, f->path ? f->path : "");
	}
	if (sp.column <= sb && sb <= f->len) {
		size_t ls = sb - sp.column;
		r->col = char_col(f->src, f->len, ls, sp.column);
		r->col_chars = 1;
		r->source = line_text(&o->arena, f->src, f->len, ls);
	}
	r->message = arena_strdup(&o->arena, message ? message : "");
	r->fix = fix ? arena_strdup(&o->arena, fix) : NULL;
	r->function = enclosing(f, at, &o->arena);
}

void scan_emit_at(struct scan_out *o, const char *path, unsigned line, unsigned col, const char *rule,
		  const char *message, const char *fix, int sev_override)
{
	if (!o)
		return;
	struct raw tmp = {0};
	if (attribute(o, rule, sev_override, &tmp))
		return;
	struct raw *r = out_push(o);
	*r = tmp;
	r->line = line ? line : 1;
	r->end_line = r->line;
	r->col = col ? col : 1;
	if (o->f && path && o->f->path && strcmp(path, o->f->path) == 0) {
		r->file = o->file;
		size_t ls = line_start(o->f->src, o->f->len, r->line);
		if (ls != SIZE_MAX) {
			r->source = line_text(&o->arena, o->f->src, o->f->len, ls);
			r->col = char_col(o->f->src, o->f->len, ls, r->col - 1);
			r->col_chars = 1;
		}
	} else {
		r->file = o->job && path ? file_index(o->job, path) : SIZE_MAX;
	}
	r->path = arena_strdup(&o->arena, path ? path : "");
	r->message = arena_strdup(&o->arena, message ? message : "");
	r->fix = fix ? arena_strdup(&o->arena, fix) : NULL;
}

/* ---- suppression comments ---- */

static void add_note(struct scan_out *o, struct file_state *st, const char *file, unsigned line, const char *msg)
{
	struct scan_note *n = arena_alloc(&o->arena, (st->nnotes + 1) * sizeof(*n));
	if (st->nnotes)
		memcpy(n, st->notes, st->nnotes * sizeof(*n));
	n[st->nnotes].file = file;
	n[st->nnotes].line = line;
	n[st->nnotes].msg = arena_strdup(&o->arena, msg);
	st->notes = n;
	st->nnotes++;
}

/*
 * Read the rule list of an ignore comment from p (just after "ignore",
 * ending at end): "" -> NULL (every rule); "[a, b]" -> "a,b". Unknown
 * names become notes. Returns 0, or -1 when p does not continue an ignore
 * comment ("ignored", "ignore-this").
 */
static int marker_rules(struct scan_out *o, struct file_state *st, const char *file, unsigned line, const char *p,
			const char *end, const char **out)
{
	*out = NULL;
	if (p < end && *p != '[' && *p != ' ' && *p != '\t' && *p != '#' && *p != ',' && *p != ';' && *p != '\r')
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '[')
		return 0;
	const char *close = memchr(p, ']', (size_t)(end - p));
	if (!close)
		close = end;
	struct buf b = BUF_INIT;
	const char *names[64];
	size_t nn = 0;
	for (size_t i = 0; i < scan_nrules && nn < 64; i++)
		names[nn++] = scan_rules[i]->name;
	for (const char *q = p + 1; q < close;) {
		while (q < close && (*q == ',' || *q == ' ' || *q == '\t'))
			q++;
		const char *s = q;
		while (q < close && *q != ',' && *q != ' ' && *q != '\t')
			q++;
		if (q == s)
			continue;
		char name[128];
		size_t len = (size_t)(q - s) < sizeof(name) - 1 ? (size_t)(q - s) : sizeof(name) - 1;
		memcpy(name, s, len);
		name[len] = '\0';
		if (rule_index(name) == SIZE_MAX) {
			struct buf m = BUF_INIT;
			const char *hint = suggest_closest(name, names, nn);
			buf_printf(&m, "unknown rule '%s' in '# perfagent: ignore[...]'", name);
			if (hint)
				buf_printf(&m, " (did you mean '%s'?)", hint);
			add_note(o, st, file, line, buf_str(&m));
			buf_free(&m);
			continue;
		}
		if (b.len)
			buf_putc(&b, ',');
		buf_puts(&b, name);
	}
	/* "ignore[]" or only unknown names: suppresses nothing rather than everything */
	*out = arena_strdup(&o->arena, buf_str(&b));
	buf_free(&b);
	return 0;
}

/* Find the file's `# perfagent: ignore` comments (in line order) into st. */
static void find_markers(struct scan_out *o, const struct py_file *f, struct file_state *st)
{
	static const char key[] = "perfagent:";
	const size_t klen = sizeof(key) - 1;
	size_t cap = 0;
	const char *src = f->src, *end = f->src + f->len;
	for (const char *p = src; p < end;) {
		const char *hit = memmem(p, (size_t)(end - p), key, klen);
		if (!hit)
			break;
		p = hit + klen;
		/* '#' then blanks right before it */
		const char *b = hit;
		while (b > src && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == src || b[-1] != '#')
			continue;
		uint32_t off = (uint32_t)(hit - src);
		TSNode c = ts_node_descendant_for_byte_range(f->root, off, off + (uint32_t)klen);
		if (!py_is(c, "comment"))
			continue;
		const char *ce = src + ts_node_end_byte(c);
		if (ce > end)
			ce = end;
		const char *q = hit + klen;
		while (q < ce && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(ce - q) < 6 || memcmp(q, "ignore", 6) != 0)
			continue;
		unsigned line = ts_node_start_point(c).row + 1;
		const char *rules;
		if (marker_rules(o, st, f->path, line, q + 6, ce, &rules))
			continue;
		if (st->nmarkers == cap) {
			cap = cap ? cap * 2 : 8;
			struct marker *m = arena_alloc(&o->arena, cap * sizeof(*m));
			if (st->nmarkers)
				memcpy(m, st->markers, st->nmarkers * sizeof(*m));
			st->markers = m;
		}
		st->markers[st->nmarkers].line = line;
		st->markers[st->nmarkers].rules = rules;
		st->nmarkers++;
	}
}

/* 1 when rule is in the comma-separated list. */
static int in_list(const char *list, const char *rule)
{
	size_t n = strlen(rule);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && memcmp(p, rule, n) == 0)
			return 1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

static int suppressed(const struct file_state *st, const struct raw *r)
{
	/* markers are in line order: binary search for the first on r->line */
	size_t lo = 0, hi = st->nmarkers;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->markers[mid].line < r->line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < st->nmarkers && st->markers[i].line == r->line; i++)
		if (!st->markers[i].rules || in_list(st->markers[i].rules, r->rule))
			return 1;
	return 0;
}

/* ---- reading and scanning one file ---- */

/*
 * Read path into o's buffer (grown as needed), or standard input for "-".
 * Returns 0 with *src and *len set, or -1 with e set.
 */
static int read_source(struct scan_out *o, const char *path, const char **src, size_t *len, struct perr *e)
{
	if (strcmp(path, "-") == 0) {
		int too_big = 0;
		size_t n;
		char *t = fs_read_stream(stdin, SCAN_MAX_BYTES, &n, &too_big);
		if (!t)
			return perr_set(e, too_big ? "cannot read standard input: more than 64 MB is not a Python source file"
						   : "cannot read standard input: %s",
					strerror(errno ? errno : EIO));
		o->job->stdin_text = t;
		o->job->stdin_len = n;
		*src = t;
		*len = n;
		return 0;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return perr_set(e, "cannot read '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		return perr_set(e, "cannot read '%s': %s", path, strerror(err));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return perr_set(e, "cannot read '%s': it is a directory", path);
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SCAN_MAX_BYTES) {
		close(fd);
		return perr_set(e, "'%s': %llu bytes is too large for a Python source file", path,
				(unsigned long long)st.st_size);
	}
	size_t got = 0;
	for (;;) {
		if (o->bufcap - got < 65536) {
			size_t ncap = o->bufcap ? o->bufcap * 2 : 1u << 20;
			if (S_ISREG(st.st_mode) && (size_t)st.st_size + 65536 > ncap)
				ncap = (size_t)st.st_size + 65536;
			o->buf = xrealloc(o->buf, ncap);
			o->bufcap = ncap;
		}
		ssize_t r = read(fd, o->buf + got, o->bufcap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			close(fd);
			return perr_set(e, "cannot read '%s': %s", path, strerror(err));
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > SCAN_MAX_BYTES) {
			close(fd);
			return perr_set(e, "'%s': more than 64 MB is too large for a Python source file", path);
		}
	}
	close(fd);
	*src = o->buf;
	*len = got;
	return 0;
}

static unsigned count_lines(const char *s, size_t n)
{
	unsigned lines = 0;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		lines++;
		if (!nl)
			break;
		p = nl + 1;
	}
	return lines;
}

/* Read, parse, check and collect file i; everything it learns goes into its slots and o. */
static void scan_one(struct scan_out *o, size_t i)
{
	struct job *j = o->job;
	struct file_state *st = &j->st[i];
	const char *path = j->files[i];
	const char *src;
	size_t len;
	struct perr e;
	if (j->mem_src) {
		src = j->mem_src;
		len = j->mem_len;
	} else if (read_source(o, path, &src, &len, &e)) {
		st->read_error = arena_strdup(&o->arena, e.msg);
		return;
	}
	st->bytes = len;
	st->lines = count_lines(src, len);
	atomic_fetch_add(&j->lines, st->lines);
	struct py_file pf;
	if (py_parse(path, src, len, &pf, &e)) {
		st->read_error = arena_strdup(&o->arena, e.msg);
		py_free(&pf);
		return;
	}
	st->parsed = 1;
	if (pf.has_error) {
		st->has_error = 1;
		st->err_line = pf.error_line;
		st->err_col = pf.error_col;
	}
	find_markers(o, &pf, st);
	o->f = &pf;
	o->file = i;
	for (size_t r = 0; r < j->o->nrules; r++) {
		const struct scan_rule *rule = j->o->rules[r];
		o->rule = rule;
		if (rule->check)
			rule->check(&pf, o);
		if (rule->collect)
			j->facts[r * j->nfiles + i] = rule->collect(&pf);
	}
	o->f = NULL;
	o->rule = NULL;
	py_free(&pf);
}

static void *worker(void *arg)
{
	struct scan_out *o = arg;
	struct job *j = o->job;
	for (;;) {
		if (j->o->stop && *j->o->stop) {
			atomic_store(&j->stopped, 1);
			break;
		}
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->nfiles)
			break;
		scan_one(o, i);
		size_t done = atomic_fetch_add(&j->done, 1) + 1;
		if (o->main_thread && j->o->progress)
			progress_update(j->o->progress, "scan  %zu/%zu files  %llu lines", done, j->nfiles,
					(unsigned long long)atomic_load(&j->lines));
	}
	return NULL;
}

/* ---- the merge ---- */

static const char *raw_path(const struct job *j, const struct raw *r)
{
	return r->file != SIZE_MAX ? j->files[r->file] : r->path;
}

static int raw_cmp(const void *a, const void *b, void *arg)
{
	const struct job *j = arg;
	const struct raw *x = *(struct raw *const *)a, *y = *(struct raw *const *)b;
	int c = x->file == y->file && x->file != SIZE_MAX ? 0 : strcmp(raw_path(j, x), raw_path(j, y));
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((c = strcmp(x->rule, y->rule)))
		return c;
	if ((c = strcmp(x->message, y->message)))
		return c;
	if (x->end_line != y->end_line)
		return x->end_line < y->end_line ? -1 : 1;
	return strcmp(x->fix ? x->fix : "", y->fix ? y->fix : "");
}

static int by_file(const void *a, const void *b)
{
	const struct raw *x = *(struct raw *const *)a, *y = *(struct raw *const *)b;
	return x->file < y->file ? -1 : x->file > y->file;
}

/*
 * Give the findings without a source line (finish's) their line and a
 * column in characters, reading each of their files once. arena holds the
 * texts.
 */
static void fill_sources(struct job *j, struct raw **v, size_t n, struct scan_out *o)
{
	struct raw **need = xmalloc((n ? n : 1) * sizeof(*need));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i]->col_chars && v[i]->file != SIZE_MAX)
			need[k++] = v[i];
	qsort(need, k, sizeof(*need), by_file);
	for (size_t i = 0; i < k;) {
		size_t fi = need[i]->file, e = i;
		while (e < k && need[e]->file == fi)
			e++;
		const char *src = NULL;
		size_t len = 0;
		struct perr err;
		if (j->mem_src) {
			src = j->mem_src;
			len = j->mem_len;
		} else if (strcmp(j->files[fi], "-") == 0) {
			src = j->stdin_text;
			len = j->stdin_len;
		} else if (read_source(o, j->files[fi], &src, &len, &err)) {
			src = NULL;
		}
		for (; i < e; i++) {
			struct raw *r = need[i];
			size_t ls = src ? line_start(src, len, r->line) : SIZE_MAX;
			if (ls == SIZE_MAX)
				continue;
			r->source = line_text(&o->arena, src, len, ls);
			r->col = char_col(src, len, ls, r->col - 1);
			r->col_chars = 1;
		}
	}
	free(need);
}

static const char *copy(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* Suppress, sort, drop duplicates and copy everything the collectors hold into the report. */
static void merge(struct job *j, struct scan_out *outs, size_t nouts, struct scan_out *fin, struct scan_report *rep)
{
	size_t total = fin->n;
	for (size_t t = 0; t < nouts; t++)
		total += outs[t].n;
	struct raw **v = xmalloc((total ? total : 1) * sizeof(*v));
	size_t n = 0;
	for (size_t t = 0; t <= nouts; t++) {
		struct scan_out *o = t < nouts ? &outs[t] : fin;
		for (size_t i = 0; i < o->n; i++) {
			struct raw *r = &o->v[i];
			if (r->file != SIZE_MAX && suppressed(&j->st[r->file], r)) {
				rep->suppressed++;
				continue;
			}
			v[n++] = r;
		}
	}
	fill_sources(j, v, n, fin);
	qsort_r(v, n, sizeof(*v), raw_cmp, j);
	rep->findings = arena_calloc(&rep->arena, n ? n : 1, sizeof(*rep->findings));
	const char *last_path = NULL, *last_copy = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct raw *r = v[i];
		if (i && raw_cmp(&v[i - 1], &v[i], j) == 0)
			continue; /* the same finding twice */
		struct scan_finding *f = &rep->findings[rep->nfindings++];
		const char *p = raw_path(j, r);
		if (!last_path || strcmp(p, last_path) != 0) {
			last_path = p;
			last_copy = arena_strdup(&rep->arena, p);
		}
		f->rule = r->rule;
		if (rule_index(r->rule) == SIZE_MAX)
			f->rule = arena_strdup(&rep->arena, r->rule);
		f->severity = r->sev;
		f->file = last_copy;
		f->line = r->line;
		f->col = r->col;
		f->end_line = r->end_line < r->line ? r->line : r->end_line;
		f->message = copy(&rep->arena, r->message);
		f->fix = copy(&rep->arena, r->fix);
		f->source = copy(&rep->arena, r->source);
		f->function = copy(&rep->arena, r->function);
	}
	free(v);

	size_t np = 0, nr = 0, nn = 0;
	for (size_t i = 0; i < j->nfiles; i++) {
		np += j->st[i].has_error;
		nr += j->st[i].read_error != NULL;
		nn += j->st[i].nnotes;
		rep->files += j->st[i].parsed;
		rep->lines += j->st[i].lines;
		rep->bytes += j->st[i].bytes;
	}
	rep->parse_errors = arena_calloc(&rep->arena, np ? np : 1, sizeof(*rep->parse_errors));
	rep->read_errors = arena_calloc(&rep->arena, nr ? nr : 1, sizeof(*rep->read_errors));
	rep->notes = arena_calloc(&rep->arena, nn ? nn : 1, sizeof(*rep->notes));
	for (size_t i = 0; i < j->nfiles; i++) {
		const struct file_state *st = &j->st[i];
		if (st->has_error) {
			struct scan_parse_error *pe = &rep->parse_errors[rep->nparse_errors++];
			pe->file = arena_strdup(&rep->arena, j->files[i]);
			pe->line = st->err_line;
			pe->col = st->err_col;
		}
		if (st->read_error) {
			struct scan_read_error *re = &rep->read_errors[rep->nread_errors++];
			re->file = arena_strdup(&rep->arena, j->files[i]);
			re->msg = arena_strdup(&rep->arena, st->read_error);
		}
		for (size_t k = 0; k < st->nnotes; k++) {
			struct scan_note *note = &rep->notes[rep->nnotes++];
			note->file = arena_strdup(&rep->arena, j->files[i]);
			note->line = st->notes[k].line;
			note->msg = arena_strdup(&rep->arena, st->notes[k].msg);
		}
	}
}

/* ---- running ---- */

static int by_path(const void *a, const void *b, void *arg)
{
	const char *const *files = arg;
	return strcmp(files[*(const size_t *)a], files[*(const size_t *)b]);
}

static void out_free(struct scan_out *o)
{
	free(o->v);
	free(o->buf);
	arena_free(&o->arena);
}

static int run_job(struct job *j, unsigned threads, struct scan_report *out, struct perr *e)
{
	const struct scan_opts *o = j->o;
	int64_t t0 = clock_mono_ns();
	memset(out, 0, sizeof(*out));
	if (o->nrules && !o->rules)
		return perr_set(e, "scan: %zu rules asked for and none given", o->nrules);
	out->rules = arena_calloc(&out->arena, o->nrules ? o->nrules : 1, sizeof(*out->rules));
	for (size_t i = 0; i < o->nrules; i++)
		out->rules[i] = o->rules[i];
	out->nrules = o->nrules;

	j->enabled = xcalloc(scan_nrules ? scan_nrules : 1, 1);
	for (size_t i = 0; i < o->nrules; i++) {
		size_t k = rule_index(o->rules[i]->name);
		if (k != SIZE_MAX)
			j->enabled[k] = 1;
	}
	j->st = xcalloc(j->nfiles ? j->nfiles : 1, sizeof(*j->st));
	j->facts = xcalloc((j->nfiles ? j->nfiles : 1) * (o->nrules ? o->nrules : 1), sizeof(*j->facts));
	j->byname = xmalloc((j->nfiles ? j->nfiles : 1) * sizeof(*j->byname));
	for (size_t i = 0; i < j->nfiles; i++)
		j->byname[i] = i;
	qsort_r(j->byname, j->nfiles, sizeof(*j->byname), by_path, (void *)j->files);

	if (threads == 0) {
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		threads = nc > 0 ? (unsigned)nc : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if (threads > j->nfiles)
		threads = j->nfiles ? (unsigned)j->nfiles : 1;
	struct scan_out *outs = xcalloc(threads, sizeof(*outs));
	pthread_t *tids = xcalloc(threads, sizeof(*tids));
	unsigned started = 1;
	for (unsigned t = 0; t < threads; t++) {
		outs[t].job = j;
		outs[t].file = SIZE_MAX;
	}
	outs[0].main_thread = 1;
	for (unsigned t = 1; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, worker, &outs[t]) != 0)
			break; /* fewer threads: the ones running take the work */
		started++;
	}
	worker(&outs[0]);
	for (unsigned t = 1; t < started; t++)
		pthread_join(tids[t], NULL);
	if (o->progress)
		progress_clear(o->progress);

	/* finish: each rule over its facts, in file order */
	struct scan_out fin = {.job = j, .file = SIZE_MAX};
	void **facts = xmalloc((j->nfiles ? j->nfiles : 1) * sizeof(*facts));
	for (size_t r = 0; r < o->nrules; r++) {
		const struct scan_rule *rule = o->rules[r];
		if (!rule->collect)
			continue;
		size_t k = 0;
		for (size_t i = 0; i < j->nfiles; i++)
			if (j->facts[r * j->nfiles + i])
				facts[k++] = j->facts[r * j->nfiles + i];
		if (rule->finish) {
			fin.rule = rule;
			rule->finish(facts, k, &fin);
		} else {
			for (size_t i = 0; i < k; i++)
				free(facts[i]);
		}
	}
	fin.rule = NULL;
	free(facts);

	merge(j, outs, started, &fin, out);
	out->threads = started;
	out->interrupted = atomic_load(&j->stopped) && atomic_load(&j->done) < j->nfiles;
	for (unsigned t = 0; t < threads; t++)
		out_free(&outs[t]);
	out_free(&fin);
	free(outs);
	free(tids);
	free(j->enabled);
	free(j->st);
	free(j->facts);
	free(j->byname);
	free(j->stdin_text);
	out->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	return 0;
}

int scan_run(const char *const *files, size_t nfiles, const struct scan_opts *o, struct scan_report *out,
	     struct perr *e)
{
	struct job j = {.files = files, .nfiles = nfiles, .o = o};
	atomic_init(&j.next, 0);
	atomic_init(&j.done, 0);
	atomic_init(&j.lines, 0);
	atomic_init(&j.stopped, 0);
	return run_job(&j, o->threads, out, e);
}

int scan_buffer(const char *path, const char *src, size_t len, const struct scan_opts *o, struct scan_report *out,
		struct perr *e)
{
	const char *files[1] = {path ? path : "<buffer>"};
	struct job j = {.files = files, .nfiles = 1, .o = o, .mem_src = src ? src : "", .mem_len = src ? len : 0};
	atomic_init(&j.next, 0);
	atomic_init(&j.done, 0);
	atomic_init(&j.lines, 0);
	atomic_init(&j.stopped, 0);
	return run_job(&j, 1, out, e);
}

void scan_report_free(struct scan_report *r)
{
	arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}

/* ---- the result ---- */

void scan_to_result(const struct scan_report *r, struct pa_result *res)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct scan_finding *f = &r->findings[i];
		struct pa_finding *pf = result_add_finding(res, f->rule, f->severity, f->message);
		pf->location.file = result_str(res, f->file);
		pf->location.line = f->line;
		pf->location.column = f->col;
		pf->location.function = result_str(res, f->function);
		pf->problem = result_str(res, f->source);
		pf->solution = result_str(res, f->fix);
		if (f->end_line > f->line) {
			pf->evidence = json_object();
			json_object_set_new(pf->evidence, "end_line", json_integer(f->end_line));
		}
	}
	json_t *m = res->metrics;
	json_object_set_new(m, "files", json_integer((json_int_t)r->files));
	json_object_set_new(m, "lines", json_integer((json_int_t)r->lines));
	json_object_set_new(m, "bytes", json_integer((json_int_t)r->bytes));
	json_t *pe = json_array();
	for (size_t i = 0; i < r->nparse_errors; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "file", jsonx_string(r->parse_errors[i].file));
		json_object_set_new(o, "line", json_integer(r->parse_errors[i].line));
		json_object_set_new(o, "col", json_integer(r->parse_errors[i].col));
		json_array_append_new(pe, o);
	}
	json_object_set_new(m, "parse_errors", pe);
	json_t *re = json_array();
	for (size_t i = 0; i < r->nread_errors; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "file", jsonx_string(r->read_errors[i].file));
		json_object_set_new(o, "error", jsonx_string(r->read_errors[i].msg));
		json_array_append_new(re, o);
	}
	json_object_set_new(m, "read_errors", re);
	if (r->nnotes) {
		json_t *notes = json_array();
		for (size_t i = 0; i < r->nnotes; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "file", jsonx_string(r->notes[i].file));
			json_object_set_new(o, "line", json_integer(r->notes[i].line));
			json_object_set_new(o, "note", jsonx_string(r->notes[i].msg));
			json_array_append_new(notes, o);
		}
		json_object_set_new(m, "notes", notes);
	}
	json_object_set_new(m, "duration_s", json_real(r->duration_s));
	json_object_set_new(m, "lines_per_s",
			    json_integer(r->duration_s > 0 ? (json_int_t)((double)r->lines / r->duration_s) : 0));
	json_t *rules = json_array();
	for (size_t i = 0; i < r->nrules; i++)
		json_array_append_new(rules, json_string(r->rules[i]->name));
	json_object_set_new(m, "rules", rules);
	json_object_set_new(m, "suppressed", json_integer((json_int_t)r->suppressed));
	json_object_set_new(m, "threads", json_integer(r->threads));
	if (r->interrupted)
		json_object_set_new(m, "interrupted", json_true());
}
