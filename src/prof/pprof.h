/*
 * pprof: a CPU profile as every output wants it — interned frames and
 * the distinct stacks with their sample counts — and what is read off it:
 * top functions by self and total samples, the hottest lines. The sampler
 * (native stacks, Python frames merged in) fills one; the flame graph,
 * speedscope and folded writers (flame.h) and the command's report read it.
 *
 * A frame is interned by (name, module, file, line, kind): the same
 * function at two lines is two frames, so the hottest lines can be told
 * apart; top functions add them up by (name, module). Stacks are stored
 * root first and aggregated: adding a stack that is already there adds to
 * its count. Memory: everything belongs to the pprof, freed by
 * pprof_free(). Lookups are hashed, so adding is O(depth) per sample.
 */
#ifndef PA_PROF_PPROF_H
#define PA_PROF_PPROF_H

#include <stddef.h>
#include <stdint.h>

enum pframe_kind {
	PFRAME_NATIVE,  /* machine code with an ELF symbol (or an address) */
	PFRAME_PYTHON,  /* a CPython frame: name is the code object's qualname */
	PFRAME_JIT,     /* from /tmp/perf-PID.map */
	PFRAME_KERNEL,  /* not sampled today; kept for completeness */
};

struct pframe {
	char *name;   /* "list_profiles", "malloc", or "0x7f12..." when unknown */
	char *module; /* "views.py"'s package or "libc.so.6"; NULL when unknown */
	char *file;   /* source file, or NULL */
	int line;     /* 1-based, 0 when unknown */
	enum pframe_kind kind;
};

struct pstack {
	uint32_t *ids;  /* frame ids, root first */
	uint32_t depth;
	uint64_t count; /* samples */
};

struct pprof {
	struct pframe *frames;
	size_t nframes, capframes;
	struct pstack *stacks;
	size_t nstacks, capstacks;
	uint64_t total; /* all samples added */
	void *index;    /* private: hash tables */
};

void pprof_init(struct pprof *p);
void pprof_free(struct pprof *p);
/* The id of this frame, added if new. Strings are copied; NULL allowed but for name. */
uint32_t pprof_frame(struct pprof *p, const char *name, const char *module, const char *file, int line,
		     enum pframe_kind kind);
/* Add count samples of the stack ids[0..depth) (root first). depth 0 is ignored. */
void pprof_add(struct pprof *p, const uint32_t *ids, size_t depth, uint64_t count);

/* A function's (name, module) share, for the top lists. */
struct pfunc {
	const char *name, *module, *file; /* borrowed from the pprof */
	int kind;
	uint64_t self;  /* samples where it is the leaf */
	uint64_t total; /* samples where it is anywhere on the stack (counted once per stack) */
};
/*
 * Every function, sorted by self samples (by_total: by total samples),
 * ties by name. *out is malloc'd (free it; the strings are the pprof's).
 */
void pprof_functions(const struct pprof *p, int by_total, struct pfunc **out, size_t *n);

/* A source line's self samples. */
struct pline {
	const char *file, *name; /* borrowed */
	int line;
	uint64_t self;
};
/* Every (file, line) known, by self samples; lines that are 0 are left out. */
void pprof_lines(const struct pprof *p, struct pline **out, size_t *n);

#endif
