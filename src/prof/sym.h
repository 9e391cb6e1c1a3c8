/*
 * sym: addresses of a process turned into function, module, file and line.
 *
 * A symbol space is built from the process's mappings — read from
 * /proc/PID/maps while it lives, or fed one by one from the sampler's
 * PERF_RECORD_MMAP2 records, which still exist after a short-lived
 * process has exited. Each mapped ELF file is opened once (cached by
 * path) and read with libelf for its .symtab/.dynsym function symbols and
 * with libdw (libdwfl) for DWARF line information when it has any. JIT
 * code is named from /tmp/perf-PID.map (Node --perf-basic-prof, Java
 * agents, CPython 3.12 -X perf) when that file exists.
 *
 * Nothing here trusts its input: a truncated or hostile ELF file or perf
 * map is read as far as it is sound, never crashes, and bounds memory.
 */
#ifndef PA_PROF_SYM_H
#define PA_PROF_SYM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"

struct sym_space;

struct sym_result {
	const char *name;   /* the function, as the symbol table names it, or NULL */
	const char *module; /* the file's base name ("libc.so.6", "python3.11", "[perf-map]"), or NULL */
	const char *file;   /* source file from DWARF, or NULL */
	int line;           /* 0 when unknown */
	uint64_t offset;    /* addr - the symbol's start, when name is set */
	int jit;            /* named from the perf map */
};

struct sym_space *sym_space_new(void);
void sym_space_free(struct sym_space *s);

/* One mapping: [start, end) maps path from file offset pgoff; executable mappings matter. */
void sym_space_map(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, const char *path);
/*
 * For tests and fuzz targets: like sym_space_map, but the file is the ELF
 * image in memory (copied), and name its module name.
 */
void sym_space_map_image(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, const char *name,
			 const void *image, size_t len);
/* All executable file mappings of pid from /proc/PID/maps. -1 with e naming the pid. */
int sym_space_load_maps(struct sym_space *s, pid_t pid, struct perr *e);
/* /tmp/perf-PID.map, when it exists (0 either way; -1 only for an unreadable file, e set). */
int sym_space_load_perfmap(struct sym_space *s, pid_t pid, struct perr *e);

/*
 * Resolve addr. 1 when a function was found; 0 when not (r->module may
 * still say whose address it is). The strings live as long as the space.
 */
int sym_lookup(struct sym_space *s, uint64_t addr, struct sym_result *r);

/* ---- the readers, on their own (for the fuzz targets and tests) ---- */

/* A perf map's text: "START SIZE name" per line, hex numbers. Returns entries read; bad lines skipped. */
struct sym_perfmap_entry {
	uint64_t start, size;
	char *name;
};
size_t sym_perfmap_parse(const char *text, size_t len, struct sym_perfmap_entry **out);
void sym_perfmap_free(struct sym_perfmap_entry *v, size_t n);

/*
 * An ELF image in memory: its function symbols (st_value, st_size, name),
 * sorted by address. -1 with e when it is not a readable ELF file.
 */
struct sym_elf_fn {
	uint64_t addr, size;
	char *name;
};
int sym_elf_functions(const void *image, size_t len, struct sym_elf_fn **out, size_t *n, struct perr *e);
void sym_elf_functions_free(struct sym_elf_fn *v, size_t n);

/*
 * Call fn for every defined symbol (st_shndx not SHN_UNDEF, a non-empty
 * name) of the sections of type want (SHT_SYMTAB, SHT_DYNSYM) of elf.
 * Counts come from libelf's checked views (data sizes, string table
 * bounds), never from header fields alone, so a lying header yields fewer
 * symbols, not a read out of bounds. The name lives as long as elf.
 */
typedef struct Elf Elf;
struct sym_elf_sym {
	uint64_t value, size;
	unsigned type, bind;  /* GELF_ST_TYPE, GELF_ST_BIND */
	unsigned shndx;
	const char *name;
};
void sym_elf_each_symbol(Elf *elf, uint32_t want, void (*fn)(void *ud, const struct sym_elf_sym *sym), void *ud);

#endif
