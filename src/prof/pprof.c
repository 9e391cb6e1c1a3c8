/*
 * pprof: interned frames and aggregated stacks, and the top lists read off
 * them (see pprof.h for the model).
 *
 * Two open-addressing hash tables live behind p->index: one from a frame's
 * (name, module, file, line, kind) to its id, one from a stack's id
 * sequence to its index in p->stacks. Slots hold index + 1 (0 is empty);
 * each frame's and stack's hash is kept beside it, so growing (at half
 * full, power-of-two sizes) never re-hashes strings. Adding a sample is
 * therefore one hash of the stack and, when the stack is new, one copy of
 * its ids into an arena: O(depth).
 *
 * Decisions the header leaves open:
 *  - Depth cap: a stack deeper than PPROF_MAX_DEPTH (512) frames keeps its
 *    leaf-most 511 frames under one root frame named "[truncated]" (kind
 *    native, no module or file). The leaf end is where self time and the
 *    hot path are, and the marker makes the loss visible in every output
 *    instead of silently grafting the stack onto a wrong root.
 *  - pprof_add() ignores a depth of 0, a count of 0, and a stack naming a
 *    frame id that pprof_frame() never returned (a caller's bug: the sample
 *    is dropped rather than read out of bounds).
 *  - A frame name of NULL is stored as "?" (the header asks for a name).
 *  - pprof_lines() lists every frame position with a file and a line > 0,
 *    including those only ever seen as callers (self 0, at the end); a
 *    frame with a line but no file is not a source line and is left out.
 *    Its name is the function of the first frame seen at that line.
 *
 * A zeroed struct pprof is as good as one from pprof_init(): the index is
 * made on first use.
 */
#include "pprof.h"
#include "../core/arena.h"
#include "../core/buf.h"

#include <stdlib.h>
#include <string.h>

#define PPROF_MAX_DEPTH 512

struct pindex {
	uint32_t *fslots; /* frame id + 1, or 0 */
	size_t fcap;      /* power of two, or 0 before the first frame */
	uint32_t *fhash;  /* per frame, sized like p->frames (p->capframes) */
	uint32_t *sslots; /* stack index + 1, or 0 */
	size_t scap;
	uint32_t *shash; /* per stack, sized like p->stacks (p->capstacks) */
	struct arena ids; /* every stack's id array */
};

/* ---- hashing ---------------------------------------------------------- */

#define FNV_OFF 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv_bytes(uint32_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* A NULL string hashes apart from "" by its marker byte. */
static uint32_t fnv_str(uint32_t h, const char *s)
{
	unsigned char mark = s ? 1 : 0;
	h = fnv_bytes(h, &mark, 1);
	return s ? fnv_bytes(h, s, strlen(s) + 1) : h;
}

static uint32_t fnv_u32(uint32_t h, uint32_t v)
{
	return fnv_bytes(h, &v, sizeof(v));
}

/* Mix the bits so the low bits (the slot) depend on all of them. */
static uint32_t hash_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static int streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static uint32_t frame_hash(const char *name, const char *module, const char *file, int line,
			   enum pframe_kind kind)
{
	uint32_t h = FNV_OFF;
	h = fnv_str(h, name);
	h = fnv_str(h, module);
	h = fnv_str(h, file);
	h = fnv_u32(h, (uint32_t)line);
	h = fnv_u32(h, (uint32_t)kind);
	return hash_final(h);
}

static uint32_t stack_hash(const uint32_t *ids, size_t depth)
{
	return hash_final(fnv_bytes(FNV_OFF, ids, depth * sizeof(*ids)));
}

/*
 * Rebuild a slot table of twice the size (at least 64) from the n entries'
 * stored hashes. Entries are distinct, so no comparison is needed.
 */
static void slots_grow(uint32_t **slots, size_t *cap, const uint32_t *hashes, size_t n)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	uint32_t *ns = xcalloc(ncap, sizeof(*ns));
	for (size_t i = 0; i < n; i++) {
		size_t j = hashes[i] & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = ns;
	*cap = ncap;
}

static struct pindex *index_of(struct pprof *p)
{
	if (!p->index)
		p->index = xcalloc(1, sizeof(struct pindex));
	return p->index;
}

/* ---- building --------------------------------------------------------- */

void pprof_init(struct pprof *p)
{
	memset(p, 0, sizeof(*p));
	p->index = xcalloc(1, sizeof(struct pindex));
}

void pprof_free(struct pprof *p)
{
	for (size_t i = 0; i < p->nframes; i++) {
		free(p->frames[i].name);
		free(p->frames[i].module);
		free(p->frames[i].file);
	}
	free(p->frames);
	free(p->stacks);
	struct pindex *ix = p->index;
	if (ix) {
		free(ix->fslots);
		free(ix->fhash);
		free(ix->sslots);
		free(ix->shash);
		arena_free(&ix->ids);
		free(ix);
	}
	memset(p, 0, sizeof(*p));
}

/*
 * The id of the frame (name, module, file, line, kind), interned on first
 * sight with copies of the strings. NULL module and file are kept as NULL
 * (and differ from ""); a NULL name becomes "?". Ids are dense, from 0, in
 * order of first sight, and stay valid until pprof_free().
 */
uint32_t pprof_frame(struct pprof *p, const char *name, const char *module, const char *file, int line,
		     enum pframe_kind kind)
{
	struct pindex *ix = index_of(p);
	if (!name)
		name = "?";
	uint32_t h = frame_hash(name, module, file, line, kind);
	if (ix->fcap) {
		size_t j = h & (ix->fcap - 1);
		for (uint32_t s; (s = ix->fslots[j]) != 0; j = (j + 1) & (ix->fcap - 1)) {
			const struct pframe *f = &p->frames[s - 1];
			if (ix->fhash[s - 1] == h && f->line == line && f->kind == kind &&
			    strcmp(f->name, name) == 0 && streq_null(f->module, module) &&
			    streq_null(f->file, file))
				return s - 1;
		}
	}
	if (p->nframes >= UINT32_MAX - 1)
		die_oom(); /* ids are 32-bit; four billion frames is no profile */
	if (p->nframes == p->capframes) {
		p->capframes = p->capframes ? p->capframes * 2 : 64;
		p->frames = xrealloc(p->frames, p->capframes * sizeof(*p->frames));
		ix->fhash = xrealloc(ix->fhash, p->capframes * sizeof(*ix->fhash));
	}
	uint32_t id = (uint32_t)p->nframes++;
	p->frames[id] = (struct pframe){
		.name = xstrdup(name),
		.module = module ? xstrdup(module) : NULL,
		.file = file ? xstrdup(file) : NULL,
		.line = line,
		.kind = kind,
	};
	ix->fhash[id] = h;
	if (p->nframes * 2 > ix->fcap) {
		slots_grow(&ix->fslots, &ix->fcap, ix->fhash, p->nframes);
	} else {
		size_t j = h & (ix->fcap - 1);
		while (ix->fslots[j])
			j = (j + 1) & (ix->fcap - 1);
		ix->fslots[j] = id + 1;
	}
	return id;
}

/*
 * Add count samples of ids[0..depth) (root first): to the stack's count
 * when that exact sequence is known, else as a new stack. Deeper stacks are
 * cut to the leaf-most PPROF_MAX_DEPTH - 1 frames under "[truncated]"; see
 * the top of the file for what is ignored.
 */
void pprof_add(struct pprof *p, const uint32_t *ids, size_t depth, uint64_t count)
{
	if (depth == 0 || count == 0 || !ids)
		return;
	for (size_t i = 0; i < depth; i++)
		if (ids[i] >= p->nframes)
			return;
	uint32_t cut[PPROF_MAX_DEPTH];
	if (depth > PPROF_MAX_DEPTH) {
		cut[0] = pprof_frame(p, "[truncated]", NULL, NULL, 0, PFRAME_NATIVE);
		memcpy(cut + 1, ids + depth - (PPROF_MAX_DEPTH - 1),
		       (PPROF_MAX_DEPTH - 1) * sizeof(*ids));
		ids = cut;
		depth = PPROF_MAX_DEPTH;
	}
	struct pindex *ix = index_of(p);
	p->total += count;
	uint32_t h = stack_hash(ids, depth);
	if (ix->scap) {
		size_t j = h & (ix->scap - 1);
		for (uint32_t s; (s = ix->sslots[j]) != 0; j = (j + 1) & (ix->scap - 1)) {
			struct pstack *st = &p->stacks[s - 1];
			if (ix->shash[s - 1] == h && st->depth == depth &&
			    memcmp(st->ids, ids, depth * sizeof(*ids)) == 0) {
				st->count += count;
				return;
			}
		}
	}
	if (p->nstacks == p->capstacks) {
		p->capstacks = p->capstacks ? p->capstacks * 2 : 64;
		p->stacks = xrealloc(p->stacks, p->capstacks * sizeof(*p->stacks));
		ix->shash = xrealloc(ix->shash, p->capstacks * sizeof(*ix->shash));
	}
	size_t si = p->nstacks++;
	uint32_t *copy = arena_alloc(&ix->ids, depth * sizeof(*copy));
	memcpy(copy, ids, depth * sizeof(*copy));
	p->stacks[si] = (struct pstack){.ids = copy, .depth = (uint32_t)depth, .count = count};
	ix->shash[si] = h;
	if (p->nstacks * 2 > ix->scap) {
		slots_grow(&ix->sslots, &ix->scap, ix->shash, p->nstacks);
	} else {
		size_t j = h & (ix->scap - 1);
		while (ix->sslots[j])
			j = (j + 1) & (ix->scap - 1);
		ix->sslots[j] = (uint32_t)si + 1;
	}
}

/* ---- reading ---------------------------------------------------------- */

/*
 * A temporary table grouping frames by a key (functions by (name, module),
 * lines by (file, line)): group[frame id] is the group's index, and each
 * group remembers its first frame, which stands for the key.
 */
struct groups {
	uint32_t *group;  /* per frame: its group */
	uint32_t *first;  /* per group: its first frame */
	uint32_t *hashes; /* per group */
	size_t n;
	uint32_t *slots;
	size_t cap;
};

typedef int (*same_key_fn)(const struct pframe *a, const struct pframe *b);

static int same_func(const struct pframe *a, const struct pframe *b)
{
	return strcmp(a->name, b->name) == 0 && streq_null(a->module, b->module);
}

static int same_line(const struct pframe *a, const struct pframe *b)
{
	return a->line == b->line && streq_null(a->file, b->file);
}

/*
 * Group the frames for which want() is true (others get UINT32_MAX) by
 * same(); hash(f) must agree with same(). One pass, O(frames).
 */
static void groups_build(const struct pprof *p, struct groups *g, int (*want)(const struct pframe *),
			 uint32_t (*hash)(const struct pframe *), same_key_fn same)
{
	memset(g, 0, sizeof(*g));
	size_t nf = p->nframes;
	g->group = xmalloc((nf ? nf : 1) * sizeof(*g->group));
	g->first = xmalloc((nf ? nf : 1) * sizeof(*g->first));
	g->hashes = xmalloc((nf ? nf : 1) * sizeof(*g->hashes));
	for (size_t i = 0; i < nf; i++) {
		const struct pframe *f = &p->frames[i];
		g->group[i] = UINT32_MAX;
		if (want && !want(f))
			continue;
		uint32_t h = hash(f);
		uint32_t found = 0;
		if (g->cap) {
			size_t j = h & (g->cap - 1);
			for (uint32_t s; (s = g->slots[j]) != 0; j = (j + 1) & (g->cap - 1)) {
				if (g->hashes[s - 1] == h && same(&p->frames[g->first[s - 1]], f)) {
					found = s;
					break;
				}
			}
		}
		if (found) {
			g->group[i] = found - 1;
			continue;
		}
		size_t gi = g->n++;
		g->first[gi] = (uint32_t)i;
		g->hashes[gi] = h;
		g->group[i] = (uint32_t)gi;
		if (g->n * 2 > g->cap) {
			slots_grow(&g->slots, &g->cap, g->hashes, g->n);
		} else {
			size_t j = h & (g->cap - 1);
			while (g->slots[j])
				j = (j + 1) & (g->cap - 1);
			g->slots[j] = (uint32_t)gi + 1;
		}
	}
}

static void groups_free(struct groups *g)
{
	free(g->group);
	free(g->first);
	free(g->hashes);
	free(g->slots);
}

static uint32_t func_hash(const struct pframe *f)
{
	return hash_final(fnv_str(fnv_str(FNV_OFF, f->name), f->module));
}

static uint32_t line_hash(const struct pframe *f)
{
	return hash_final(fnv_u32(fnv_str(FNV_OFF, f->file), (uint32_t)f->line));
}

static int has_line(const struct pframe *f)
{
	return f->file && f->line > 0;
}

static int cmp_str_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

static int cmp_func_self(const void *va, const void *vb)
{
	const struct pfunc *a = va, *b = vb;
	int c = cmp_u64_desc(a->self, b->self);
	if (!c)
		c = cmp_u64_desc(a->total, b->total);
	if (!c)
		c = strcmp(a->name, b->name);
	return c ? c : cmp_str_null(a->module, b->module);
}

static int cmp_func_total(const void *va, const void *vb)
{
	const struct pfunc *a = va, *b = vb;
	int c = cmp_u64_desc(a->total, b->total);
	if (!c)
		c = cmp_u64_desc(a->self, b->self);
	if (!c)
		c = strcmp(a->name, b->name);
	return c ? c : cmp_str_null(a->module, b->module);
}

/*
 * Every function (name, module), its self samples (it is the leaf) and its
 * total samples (it is on the stack; a recursive function counts once per
 * stack). Its file and kind are those of its first-interned frame. Sorted
 * by self (by_total: total) descending, then the other count, then name
 * and module, so the order is deterministic. O(frames + sum of depths).
 */
void pprof_functions(const struct pprof *p, int by_total, struct pfunc **out, size_t *n)
{
	struct groups g;
	groups_build(p, &g, NULL, func_hash, same_func);
	struct pfunc *fs = xcalloc(g.n ? g.n : 1, sizeof(*fs));
	/* seen[f] = stack index + 1 when f was last counted, so a function
	 * recurring on one stack adds to its total once. */
	size_t *seen = xcalloc(g.n ? g.n : 1, sizeof(*seen));
	for (size_t i = 0; i < g.n; i++) {
		const struct pframe *f = &p->frames[g.first[i]];
		fs[i] = (struct pfunc){.name = f->name, .module = f->module, .file = f->file, .kind = f->kind};
	}
	for (size_t si = 0; si < p->nstacks; si++) {
		const struct pstack *st = &p->stacks[si];
		if (st->depth == 0)
			continue;
		for (uint32_t d = 0; d < st->depth; d++) {
			uint32_t fi = g.group[st->ids[d]];
			if (seen[fi] != si + 1) {
				seen[fi] = si + 1;
				fs[fi].total += st->count;
			}
		}
		fs[g.group[st->ids[st->depth - 1]]].self += st->count;
	}
	free(seen);
	qsort(fs, g.n, sizeof(*fs), by_total ? cmp_func_total : cmp_func_self);
	*out = fs;
	*n = g.n;
	groups_free(&g);
}

static int cmp_line(const void *va, const void *vb)
{
	const struct pline *a = va, *b = vb;
	int c = cmp_u64_desc(a->self, b->self);
	if (!c)
		c = strcmp(a->file, b->file);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

/*
 * Every (file, line) a frame has, with the samples whose leaf is there,
 * hottest first (ties by file, then line). See the top of the file for
 * which frames count as lines.
 */
void pprof_lines(const struct pprof *p, struct pline **out, size_t *n)
{
	struct groups g;
	groups_build(p, &g, has_line, line_hash, same_line);
	struct pline *ls = xcalloc(g.n ? g.n : 1, sizeof(*ls));
	for (size_t i = 0; i < g.n; i++) {
		const struct pframe *f = &p->frames[g.first[i]];
		ls[i] = (struct pline){.file = f->file, .name = f->name, .line = f->line};
	}
	for (size_t si = 0; si < p->nstacks; si++) {
		const struct pstack *st = &p->stacks[si];
		if (st->depth == 0)
			continue;
		uint32_t li = g.group[st->ids[st->depth - 1]];
		if (li != UINT32_MAX)
			ls[li].self += st->count;
	}
	qsort(ls, g.n, sizeof(*ls), cmp_line);
	*out = ls;
	*n = g.n;
	groups_free(&g);
}
