/*
 * sym: addresses of a process turned into function, module, file and line
 * (the contract is in sym.h).
 *
 * A space holds three tables, each sorted so that a lookup is a binary
 * search: the mappings (disjoint, by start address; a new mapping cuts away
 * whatever older ones it overlaps, as mmap does), per mapped file its
 * function symbols (by ELF virtual address), and the perf map's JIT ranges.
 * An address becomes a file offset through its mapping and a virtual address
 * through the file's PT_LOAD segment holding that offset, which is the same
 * arithmetic for PIE executables, shared libraries and fixed-address
 * (ET_EXEC) binaries.
 *
 * Files are read lazily, on the first lookup that lands in them: a process
 * maps far more files than a profile ever hits. Symbols come from the file's
 * own .symtab; a stripped file borrows the .symtab of its separate debug file
 * under /usr/lib/debug/.build-id when one is installed, and otherwise falls
 * back to .dynsym. Line numbers come from libdwfl, which finds the DWARF in
 * the file or in that same debug file; a libdwfl session is only opened for
 * files where DWARF is known to be on disk, so the standard debuginfo search
 * never reaches out to a debuginfod server in the middle of a profile.
 *
 * Memory is bounded: at most SYM_MAX_FILES distinct files are remembered,
 * SYM_MAX_LOADED of them read, none larger than SYM_MAX_FILE_BYTES; the
 * mapping table and the perf map read are capped too.
 */
#include "sym.h"

#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/buf.h"

#define SYM_MAX_FILES 1024                       /* distinct files remembered (path only) */
#define SYM_MAX_LOADED 256                       /* files whose symbols are read */
#define SYM_MAX_FILE_BYTES (UINT64_C(1) << 30)   /* larger files are not read */
#define SYM_MAX_MAPS 65536                       /* mappings kept */
#define SYM_MAX_PERFMAP_BYTES (128u << 20)       /* of /tmp/perf-PID.map read */
#define SYM_MAX_JIT_NAME 4096                    /* longer perf-map names are cut */
#define SYM_SCAN_BACK 64                         /* nested-range search steps */
#define DEBUG_ROOT "/usr/lib/debug/.build-id/"

enum file_state { FILE_NEW, FILE_LOADED, FILE_FAILED };

struct load {
	uint64_t offset, filesz, vaddr; /* one PT_LOAD: file range -> addresses */
};

struct sym_file {
	char *path;           /* as mapped, " (deleted)" removed: the cache key */
	const char *module;   /* base name of path */
	char *alt;            /* another place to read it from, or NULL */
	int alt_first;        /* try alt before path (a deleted file) */
	uint64_t ino;         /* for a deleted file, the inode it must have; else 0 */
	int is_image;         /* from sym_space_map_image: never shared */
	unsigned char *image; /* that image until it is loaded */
	size_t image_len;
	enum file_state state;

	struct load *loads;
	size_t nloads;
	struct sym_elf_fn *fns; /* sorted by addr */
	uint64_t *maxend;       /* maxend[i]: the largest end among fns[0..i] */
	size_t nfns;

	int want_dwarf;         /* DWARF is on disk for it: 1, 2 once libdwfl confirmed it */
	int local_debug;        /* a separate debug file is installed for it */
	Dwfl *dwfl;             /* opened on the first line lookup */
	Dwfl_Module *dwmod;
	GElf_Addr dwbias;
};

struct sym_map {
	uint64_t start, end, pgoff;
	struct sym_file *file;
};

struct sym_space {
	struct sym_map *maps; /* disjoint, sorted by start */
	size_t nmaps, capmaps;
	struct sym_file **files;
	size_t nfiles, capfiles, nloaded;
	struct sym_elf_fn *jit; /* the perf map, sorted by addr */
	uint64_t *jitmax;
	size_t njit;
};

/*
 * libdwfl asks for a separate debug file only when the file's own DWARF is
 * missing. The standard search looks in /usr/lib/debug (by build ID and
 * .gnu_debuglink) and, when that fails and DEBUGINFOD_URLS is set, asks a
 * debuginfod server — a download in the middle of a profile. So it is only
 * let loose on files whose debug file we have already seen on disk, where
 * it stops at the local hit.
 */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, GElf_Addr base,
			  const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			  char **debuginfo_file_name)
{
	const struct sym_file *f = *userdata;
	if (!f || !f->local_debug)
		return -1;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file, debuglink_crc,
					    debuginfo_file_name);
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf, /* unused: every module is reported with its descriptor */
	.find_debuginfo = find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = NULL, /* the default, ":.debug:/usr/lib/debug" */
};

static uint64_t end_of(uint64_t start, uint64_t size)
{
	uint64_t e = start + size;
	return e < start ? UINT64_MAX : e;
}

/* ---- function symbols of one ELF image ---- */

struct raw_fn {
	uint64_t addr, size, secend; /* secend: end of the symbol's section, 0 when unknown */
	const char *name;            /* in the ELF string table: valid while the Elf lives */
	int rank;                    /* global 3, weak 2, local 1 */
};

static int bind_rank(int bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 3;
	case STB_WEAK:
		return 2;
	case STB_LOCAL:
		return 1;
	default:
		return 0;
	}
}

static size_t leading_underscores(const char *s)
{
	size_t n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

/*
 * Order by address, and within one address best name first: global before
 * weak before local, sized before unsized, then the plainer name (fewer
 * leading underscores, shorter), then by bytes so the choice is stable.
 */
static int raw_cmp(const void *pa, const void *pb)
{
	const struct raw_fn *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->rank != b->rank)
		return b->rank - a->rank;
	if ((a->size != 0) != (b->size != 0))
		return a->size ? -1 : 1;
	size_t ua = leading_underscores(a->name), ub = leading_underscores(b->name);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	size_t la = strlen(a->name), lb = strlen(b->name);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The end address of section shndx, or 0 when it has none we can trust. */
static uint64_t section_end(Elf *elf, size_t shndx)
{
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return 0;
	Elf_Scn *scn = elf_getscn(elf, shndx);
	GElf_Shdr sh;
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
		return 0;
	return end_of(sh.sh_addr, sh.sh_size);
}

void sym_elf_each_symbol(Elf *elf, uint32_t want, void (*fn)(void *ud, const struct sym_elf_sym *sym), void *ud)
{
	size_t symsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (symsize == 0)
		return;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != want)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		size_t count = d->d_size / symsize;
		if (count > INT_MAX)
			count = INT_MAX;
		for (size_t i = 1; i < count; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym))
				break;
			if (sym.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			struct sym_elf_sym v = {sym.st_value, sym.st_size, GELF_ST_TYPE(sym.st_info),
						GELF_ST_BIND(sym.st_info), sym.st_shndx, name};
			fn(ud, &v);
		}
	}
}

/* Where collect() appends. */
struct collect_ctx {
	Elf *elf;
	int arm;
	struct raw_fn **raw;
	size_t *n, *cap;
};

static void collect_one(void *ud, const struct sym_elf_sym *sym)
{
	struct collect_ctx *c = ud;
	if (sym->type != STT_FUNC && sym->type != STT_GNU_IFUNC)
		return;
	if (*c->n == *c->cap) {
		*c->cap = *c->cap ? *c->cap * 2 : 256;
		*c->raw = xrealloc(*c->raw, *c->cap * sizeof(**c->raw));
	}
	struct raw_fn *r = &(*c->raw)[(*c->n)++];
	r->addr = c->arm ? (sym->value & ~UINT64_C(1)) : sym->value;
	r->size = sym->size;
	r->secend = sym->size ? 0 : section_end(c->elf, sym->shndx);
	r->name = sym->name;
	r->rank = bind_rank((int)sym->bind);
}

/* Append the defined function symbols (STT_FUNC, STT_GNU_IFUNC) of every section of type want to *raw. */
static void collect(Elf *elf, GElf_Word want, struct raw_fn **raw, size_t *n, size_t *cap)
{
	GElf_Ehdr eh;
	struct collect_ctx c = {elf, gelf_getehdr(elf, &eh) && eh.e_machine == EM_ARM, raw, n, cap};
	sym_elf_each_symbol(elf, want, collect_one, &c);
}

/*
 * Turn raw symbols into the sorted, alias-free list: one entry per address
 * (the best name, see raw_cmp, with the largest size any alias gives), and
 * every symbol still without a size stretched to the next symbol or the end
 * of its section, whichever comes first. Names are copied, so the result
 * outlives the Elf.
 */
static size_t finish(struct raw_fn *raw, size_t n, struct sym_elf_fn **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	qsort(raw, n, sizeof(*raw), raw_cmp);
	struct sym_elf_fn *v = xcalloc(n, sizeof(*v));
	uint64_t *secend = xcalloc(n, sizeof(*secend));
	size_t m = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t size = 0, se = 0;
		for (; j < n && raw[j].addr == raw[i].addr; j++) {
			if (raw[j].size > size)
				size = raw[j].size;
			if (raw[j].secend > se)
				se = raw[j].secend;
		}
		v[m].addr = raw[i].addr;
		v[m].size = raw[i].size ? raw[i].size : size;
		v[m].name = xstrdup(raw[i].name);
		secend[m] = se;
		m++;
		i = j;
	}
	for (size_t i = 0; i < m; i++) {
		if (v[i].size)
			continue;
		uint64_t lim = i + 1 < m ? v[i + 1].addr : UINT64_MAX;
		if (secend[i] > v[i].addr && secend[i] < lim)
			lim = secend[i];
		if (lim != UINT64_MAX)
			v[i].size = lim - v[i].addr;
	}
	free(secend);
	*out = v;
	return m;
}

/* The functions of elf from its .symtab, or when it has none (and !symtab_only) its .dynsym. */
static size_t elf_fns(Elf *elf, int symtab_only, struct sym_elf_fn **out)
{
	struct raw_fn *raw = NULL;
	size_t n = 0, cap = 0;
	collect(elf, SHT_SYMTAB, &raw, &n, &cap);
	if (n == 0 && !symtab_only)
		collect(elf, SHT_DYNSYM, &raw, &n, &cap);
	size_t m = finish(raw, n, out);
	free(raw);
	return m;
}

static void init_libelf(void)
{
	elf_version(EV_CURRENT); /* idempotent; libelf refuses every call without it */
}

int sym_elf_functions(const void *image, size_t len, struct sym_elf_fn **out, size_t *n, struct perr *e)
{
	*out = NULL;
	*n = 0;
	init_libelf();
	/* elf_memory wants a mutable pointer; nothing here writes through it. */
	Elf *elf = elf_memory((char *)(uintptr_t)image, len);
	if (!elf)
		return perr_set(e, "the ELF image (%zu bytes) cannot be read: %s; pass an executable or shared library",
				len, elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return perr_set(e, "the image (%zu bytes) is not an ELF file; pass an executable or shared library", len);
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(elf, &eh)) {
		int rc = perr_set(e, "the ELF image (%zu bytes) has no readable header: %s; the file may be truncated",
				  len, elf_errmsg(-1));
		elf_end(elf);
		return rc;
	}
	*n = elf_fns(elf, 0, out);
	elf_end(elf);
	return 0;
}

void sym_elf_functions_free(struct sym_elf_fn *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * The index of the range holding x in v (sorted by addr, maxend as in struct
 * sym_file), or -1. The nearest start at or below x wins; a range nested in
 * a larger one is found by walking back while some earlier range could
 * still reach x, a walk bounded so that hostile overlaps cannot make a
 * lookup slow.
 */
static long find_range(const struct sym_elf_fn *v, const uint64_t *maxend, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].addr <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, steps = 0; i > 0 && steps < SYM_SCAN_BACK; i--, steps++) {
		if (x - v[i - 1].addr < v[i - 1].size)
			return (long)(i - 1);
		if (maxend[i - 1] <= x)
			break;
	}
	return -1;
}

static uint64_t *make_maxend(const struct sym_elf_fn *v, size_t n)
{
	if (n == 0)
		return NULL;
	uint64_t *m = xmalloc(n * sizeof(*m));
	uint64_t best = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = end_of(v[i].addr, v[i].size);
		if (e > best)
			best = e;
		m[i] = best;
	}
	return m;
}

/* ---- perf maps ---- */

/* A hex number, "0x" optional, at most 16 digits, at *p below end. 0 when there is none. */
static int parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	int digits = 0;
	for (; s < end; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (++digits > 16)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	if (digits == 0)
		return 0;
	*p = s;
	*out = v;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One line without its newline into *en; 0 for a line to skip. */
static int parse_perfmap_line(const char *s, const char *end, struct sym_perfmap_entry *en)
{
	while (end > s && (end[-1] == '\r' || is_blank(end[-1])))
		end--;
	while (s < end && is_blank(*s))
		s++;
	uint64_t start, size;
	if (!parse_hex(&s, end, &start) || s == end || !is_blank(*s))
		return 0;
	while (s < end && is_blank(*s))
		s++;
	if (!parse_hex(&s, end, &size) || s == end || !is_blank(*s))
		return 0;
	while (s < end && is_blank(*s))
		s++;
	size_t len = (size_t)(end - s);
	if (len == 0 || size == 0 || start + size < start || memchr(s, '\0', len))
		return 0;
	if (len > SYM_MAX_JIT_NAME)
		len = SYM_MAX_JIT_NAME;
	en->start = start;
	en->size = size;
	en->name = xmalloc(len + 1);
	memcpy(en->name, s, len);
	en->name[len] = '\0';
	return 1;
}

size_t sym_perfmap_parse(const char *text, size_t len, struct sym_perfmap_entry **out)
{
	struct sym_perfmap_entry *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct sym_perfmap_entry en;
		if (parse_perfmap_line(p, le, &en)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = en;
		}
		p = nl ? nl + 1 : end;
	}
	*out = v;
	return n;
}

void sym_perfmap_free(struct sym_perfmap_entry *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

struct jit_sort {
	struct sym_perfmap_entry en;
	size_t seq;
};

static int jit_cmp(const void *pa, const void *pb)
{
	const struct jit_sort *a = pa, *b = pb;
	if (a->en.start != b->en.start)
		return a->en.start < b->en.start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void jit_clear(struct sym_space *s)
{
	sym_elf_functions_free(s->jit, s->njit);
	free(s->jitmax);
	s->jit = NULL;
	s->jitmax = NULL;
	s->njit = 0;
}

/*
 * Replace the space's JIT table with the entries of a perf map. Code moves
 * as a JIT collects garbage and the map only ever grows, so for one start
 * address the line written last wins.
 */
static void jit_set(struct sym_space *s, struct sym_perfmap_entry *v, size_t n)
{
	jit_clear(s);
	if (n == 0) {
		free(v);
		return;
	}
	struct jit_sort *t = xmalloc(n * sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t[i].en = v[i];
		t[i].seq = i;
	}
	free(v);
	qsort(t, n, sizeof(*t), jit_cmp);
	s->jit = xmalloc(n * sizeof(*s->jit));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && t[i + 1].en.start == t[i].en.start) {
			free(t[i].en.name);
			continue;
		}
		s->jit[m].addr = t[i].en.start;
		s->jit[m].size = t[i].en.size;
		s->jit[m].name = t[i].en.name;
		m++;
	}
	free(t);
	s->njit = m;
	s->jitmax = make_maxend(s->jit, m);
}

/* ---- the space ---- */

struct sym_space *sym_space_new(void)
{
	init_libelf();
	return xcalloc(1, sizeof(struct sym_space));
}

static void file_free(struct sym_file *f)
{
	if (f->dwfl)
		dwfl_end(f->dwfl);
	sym_elf_functions_free(f->fns, f->nfns);
	free(f->maxend);
	free(f->loads);
	free(f->image);
	free(f->alt);
	free(f->path);
	free(f);
}

void sym_space_free(struct sym_space *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfiles; i++)
		file_free(s->files[i]);
	free(s->files);
	free(s->maps);
	jit_clear(s);
	free(s);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static struct sym_file *file_new(struct sym_space *s, const char *path)
{
	if (s->nfiles >= SYM_MAX_FILES)
		return NULL;
	if (s->nfiles == s->capfiles) {
		s->capfiles = s->capfiles ? s->capfiles * 2 : 32;
		s->files = xrealloc(s->files, s->capfiles * sizeof(*s->files));
	}
	struct sym_file *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->module = base_name(f->path);
	s->files[s->nfiles++] = f;
	return f;
}

/* The file entry for path (and, for a deleted file, its inode), made on first sight. */
static struct sym_file *file_get(struct sym_space *s, const char *path, uint64_t ino)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		struct sym_file *f = s->files[i];
		if (!f->is_image && f->ino == ino && strcmp(f->path, path) == 0)
			return f;
	}
	struct sym_file *f = file_new(s, path);
	if (f)
		f->ino = ino;
	return f;
}

/*
 * Insert [start, end) -> file at pgoff, cutting away the parts of older
 * mappings it covers (a later mmap replaces an earlier one there). The
 * table stays disjoint and sorted, so lookups need no tie-breaking.
 */
static void map_insert(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, struct sym_file *file)
{
	if (end <= start)
		return;
	size_t lo = 0, hi = s->nmaps;
	while (lo < hi) { /* first mapping ending after start */
		size_t mid = lo + (hi - lo) / 2;
		if (s->maps[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t i = lo, k = lo;
	while (k < s->nmaps && s->maps[k].start < end)
		k++;
	struct sym_map repl[3];
	size_t nr = 0;
	if (i < k && s->maps[i].start < start) {
		repl[nr] = s->maps[i];
		repl[nr].end = start;
		nr++;
	}
	repl[nr++] = (struct sym_map){start, end, pgoff, file};
	if (i < k && s->maps[k - 1].end > end) {
		repl[nr] = s->maps[k - 1];
		repl[nr].pgoff += end - repl[nr].start;
		repl[nr].start = end;
		nr++;
	}
	size_t newn = s->nmaps - (k - i) + nr;
	if (newn > SYM_MAX_MAPS)
		return;
	if (newn > s->capmaps) {
		s->capmaps = s->capmaps ? s->capmaps * 2 : 64;
		if (s->capmaps < newn)
			s->capmaps = newn;
		s->maps = xrealloc(s->maps, s->capmaps * sizeof(*s->maps));
	}
	memmove(&s->maps[i + nr], &s->maps[k], (s->nmaps - k) * sizeof(*s->maps));
	memcpy(&s->maps[i], repl, nr * sizeof(*repl));
	s->nmaps = newn;
}

/*
 * Record a mapping of path. Only absolute paths name files ("//anon",
 * "[vdso]" and friends do not). A " (deleted)" suffix, as the kernel writes
 * for unlinked files, is removed; such a file is then read first through
 * alt (/proc/PID/map_files, when pid is known) and only accepted at its old
 * path if the inode there is still ino.
 */
static void map_add(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, const char *path, pid_t pid,
		    uint64_t ino)
{
	if (!path || path[0] != '/' || path[1] == '/')
		return;
	static const char deleted[] = " (deleted)";
	size_t len = strlen(path), dl = sizeof(deleted) - 1;
	int is_deleted = len > dl && strcmp(path + len - dl, deleted) == 0;
	struct sym_file *f;
	if (is_deleted) {
		char *p = xmalloc(len - dl + 1);
		memcpy(p, path, len - dl);
		p[len - dl] = '\0';
		f = file_get(s, p, ino ? ino : UINT64_MAX);
		free(p);
		if (f && f->state == FILE_NEW && !f->alt && pid > 0) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
			f->alt = buf_detach(&b);
			f->alt_first = 1;
		}
	} else {
		f = file_get(s, path, 0);
		if (f && f->state == FILE_NEW && !f->alt && pid > 0) {
			/* the target may live in another mount namespace (a container) */
			struct buf b = BUF_INIT;
			buf_printf(&b, "/proc/%d/root%s", (int)pid, path);
			f->alt = buf_detach(&b);
		}
	}
	if (f)
		map_insert(s, start, end, pgoff, f);
}

void sym_space_map(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, const char *path)
{
	map_add(s, start, end, pgoff, path, 0, 0);
}

void sym_space_map_image(struct sym_space *s, uint64_t start, uint64_t end, uint64_t pgoff, const char *name,
			 const void *image, size_t len)
{
	struct sym_file *f = file_new(s, name && *name ? name : "[image]");
	if (!f)
		return;
	f->is_image = 1;
	f->image = xmalloc(len ? len : 1);
	if (len)
		memcpy(f->image, image, len);
	f->image_len = len;
	map_insert(s, start, end, pgoff, f);
}

int sym_space_load_maps(struct sym_space *s, pid_t pid, struct perr *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *fp = fopen(path, "re");
	if (!fp)
		return perr_set(e, "cannot read '%s': %s; check that process %d is running and that you may trace it",
				path, strerror(errno), (int)pid);
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, fp)) > 0) {
		if (line[got - 1] == '\n')
			line[--got] = '\0';
		unsigned long long start, end, off, ino;
		unsigned maj, min;
		char perms[8];
		int at = -1;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj, &min, &ino, &at) <
			    7 ||
		    at < 0 || strchr(perms, 'x') == NULL)
			continue;
		map_add(s, start, end, off, line + at, pid, ino);
	}
	free(line);
	fclose(fp);
	return 0;
}

/*
 * Who may have written a perf map we trust: we, root, or the owner of the
 * process it describes (perf itself asks the same, minus the last).
 */
static int perfmap_owner_ok(const struct stat *st, pid_t pid)
{
	if (st->st_uid == 0 || st->st_uid == geteuid())
		return 1;
	char proc[32];
	struct stat ps;
	snprintf(proc, sizeof(proc), "/proc/%d", (int)pid);
	return stat(proc, &ps) == 0 && ps.st_uid == st->st_uid;
}

int sym_space_load_perfmap(struct sym_space *s, pid_t pid, struct perr *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return perr_set(e, "cannot read '%s': %s; check its permissions or remove it", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !perfmap_owner_ok(&st, pid)) {
		close(fd);
		return perr_set(e, "'%s' is not a regular file owned by you, root or process %d; remove it", path,
				(int)pid);
	}
	size_t want = st.st_size > (off_t)SYM_MAX_PERFMAP_BYTES ? SYM_MAX_PERFMAP_BYTES : (size_t)st.st_size;
	char *text = xmalloc(want + 1);
	size_t len = 0;
	while (len < want) {
		ssize_t r = read(fd, text + len, want - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(text);
			close(fd);
			return perr_set(e, "cannot read '%s': %s", path, strerror(err));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	/* a writer may be mid-line: keep whole lines only */
	while (len > 0 && text[len - 1] != '\n')
		len--;
	struct sym_perfmap_entry *v = NULL;
	size_t n = sym_perfmap_parse(text, len, &v);
	free(text);
	jit_set(s, v, n);
	return 0;
}

/* ---- reading one file ---- */

/* The program headers of elf that map file bytes. */
static void read_loads(Elf *elf, struct sym_file *f)
{
	size_t phnum;
	if (elf_getphdrnum(elf, &phnum) != 0 || phnum == 0)
		return;
	if (phnum > 4096)
		phnum = 4096;
	f->loads = xcalloc(phnum, sizeof(*f->loads));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_filesz == 0)
			continue;
		f->loads[f->nloads++] = (struct load){ph.p_offset, ph.p_filesz, ph.p_vaddr};
	}
}

static int has_section(Elf *elf, const char *name)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

/* The installed separate debug file of elf by its build ID, or NULL (free() it). */
static char *debug_file(Elf *elf)
{
	const void *id;
	ssize_t len = dwelf_elf_gnu_build_id(elf, &id);
	if (len < 2 || len > 64)
		return NULL;
	const unsigned char *b = id;
	struct buf p = BUF_INIT;
	buf_printf(&p, DEBUG_ROOT "%02x/", b[0]);
	for (ssize_t i = 1; i < len; i++)
		buf_printf(&p, "%02x", b[i]);
	buf_puts(&p, ".debug");
	if (access(buf_str(&p), R_OK) != 0) {
		buf_free(&p);
		return NULL;
	}
	return buf_detach(&p);
}

/* The .symtab functions of the debug file at path, for a stripped file. */
static size_t debug_fns(const char *path, struct sym_elf_fn **out)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	size_t n = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SYM_MAX_FILE_BYTES) {
		Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
		if (elf && elf_kind(elf) == ELF_K_ELF)
			n = elf_fns(elf, 1, out);
		elf_end(elf);
	}
	close(fd);
	return n;
}

/* Open the file behind f: a regular file of sane size (and the right inode when one is asked for). -1 if none. */
static int open_file(const struct sym_file *f)
{
	const char *cand[2];
	size_t nc = 0;
	if (f->alt && f->alt_first)
		cand[nc++] = f->alt;
	cand[nc++] = f->path;
	if (f->alt && !f->alt_first)
		cand[nc++] = f->alt;
	for (size_t i = 0; i < nc; i++) {
		int fd = open(cand[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		struct stat st;
		int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SYM_MAX_FILE_BYTES;
		/* at the old path of a deleted file there may now be another file */
		if (ok && cand[i] == f->path && f->ino && (f->ino == UINT64_MAX || f->ino != (uint64_t)st.st_ino))
			ok = 0;
		if (ok)
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * Open a libdwfl session on the file in fd (consumed) and keep it when the
 * module is reported. Addresses in it are the file's virtual addresses plus
 * the bias libdwfl chose, which is remembered.
 */
static void dwarf_open(struct sym_file *f, int fd)
{
	Dwfl *dwfl = dwfl_begin(&dwfl_callbacks);
	if (!dwfl) {
		close(fd);
		return;
	}
	dwfl_report_begin(dwfl);
	Dwfl_Module *mod = dwfl_report_elf(dwfl, f->module, f->path, fd, 0, true);
	dwfl_report_end(dwfl, NULL, NULL);
	if (!mod) {
		close(fd); /* only consumed on success */
		dwfl_end(dwfl);
		return;
	}
	GElf_Addr bias = 0;
	if (!dwfl_module_getelf(mod, &bias)) {
		dwfl_end(dwfl);
		return;
	}
	void **userdata;
	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	*userdata = f; /* for find_debuginfo */
	f->dwfl = dwfl;
	f->dwmod = mod;
	f->dwbias = bias;
}

/*
 * Read f once: its PT_LOAD segments, its functions, and whether DWARF is on
 * disk for it (then a libdwfl session is opened on a copy of its
 * descriptor). Failure only means the file has no names; its module name
 * still answers lookups.
 */
static void file_load(struct sym_space *s, struct sym_file *f)
{
	f->state = FILE_FAILED;
	if (s->nloaded >= SYM_MAX_LOADED)
		return;
	int fd = -1;
	Elf *elf;
	if (f->is_image) {
		elf = elf_memory((char *)f->image, f->image_len);
	} else {
		fd = open_file(f);
		if (fd < 0)
			return;
		elf = elf_begin(fd, ELF_C_READ, NULL);
	}
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		goto cleanup;
	}
	read_loads(elf, f);
	f->nfns = elf_fns(elf, 1, &f->fns);
	char *dbg = debug_file(elf);
	if (f->nfns == 0 && dbg)
		f->nfns = debug_fns(dbg, &f->fns);
	if (f->nfns == 0)
		f->nfns = elf_fns(elf, 0, &f->fns);
	f->maxend = make_maxend(f->fns, f->nfns);
	f->local_debug = dbg != NULL;
	f->want_dwarf = dbg || has_section(elf, ".debug_info") || has_section(elf, ".zdebug_info");
	free(dbg);
	elf_end(elf);
	f->state = FILE_LOADED;
	s->nloaded++;
	if (f->want_dwarf) {
		int dfd = -1;
		if (f->is_image) {
			/* libdwfl reads files: give it the image as an anonymous one */
			dfd = memfd_create("sym-image", MFD_CLOEXEC);
			if (dfd >= 0) {
				size_t off = 0;
				while (off < f->image_len) {
					ssize_t w = write(dfd, f->image + off, f->image_len - off);
					if (w <= 0)
						break;
					off += (size_t)w;
				}
				if (off < f->image_len) {
					close(dfd);
					dfd = -1;
				}
			}
		} else {
			dfd = dup(fd);
		}
		if (dfd >= 0)
			dwarf_open(f, dfd);
	}
cleanup:
	if (fd >= 0)
		close(fd);
	free(f->image);
	f->image = NULL;
}

/* The file's virtual address for file offset off, through the PT_LOAD holding it. 0 when none does. */
static int file_vaddr(const struct sym_file *f, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nloads; i++) {
		const struct load *l = &f->loads[i];
		if (off >= l->offset && off - l->offset < l->filesz) {
			*vaddr = l->vaddr + (off - l->offset);
			return 1;
		}
	}
	return 0;
}

/*
 * Source file and line of vaddr from DWARF. The first query learns whether
 * libdwfl found DWARF at all; when it did not, the session is closed so a
 * file without it costs nothing more.
 */
static void file_line(struct sym_file *f, uint64_t vaddr, struct sym_result *r)
{
	if (!f->dwfl)
		return;
	if (f->want_dwarf == 1) {
		Dwarf_Addr b;
		if (!dwfl_module_getdwarf(f->dwmod, &b)) {
			dwfl_end(f->dwfl);
			f->dwfl = NULL;
			f->dwmod = NULL;
			return;
		}
		f->want_dwarf = 2;
	}
	Dwfl_Line *l = dwfl_module_getsrc(f->dwmod, vaddr + f->dwbias);
	if (!l)
		return;
	int line = 0;
	const char *src = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	if (src && line > 0) {
		r->file = src;
		r->line = line;
	}
}

static const struct sym_map *find_map(const struct sym_space *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= s->maps[lo - 1].end)
		return NULL;
	return &s->maps[lo - 1];
}

int sym_lookup(struct sym_space *s, uint64_t addr, struct sym_result *r)
{
	memset(r, 0, sizeof(*r));
	const struct sym_map *m = find_map(s, addr);
	if (m) {
		struct sym_file *f = m->file;
		if (f->state == FILE_NEW)
			file_load(s, f);
		if (f->state == FILE_LOADED) {
			r->module = f->module;
			uint64_t vaddr;
			if (!file_vaddr(f, addr - m->start + m->pgoff, &vaddr))
				return 0;
			long i = find_range(f->fns, f->maxend, f->nfns, vaddr);
			if (i >= 0) {
				r->name = f->fns[i].name;
				r->offset = vaddr - f->fns[i].addr;
			}
			file_line(f, vaddr, r);
			return r->name != NULL;
		}
		/* not an ELF file we can read (a memfd, a JIT's code file): the perf map may know it */
		r->module = f->module;
	}
	long j = find_range(s->jit, s->jitmax, s->njit, addr);
	if (j < 0)
		return 0;
	r->name = s->jit[j].name;
	r->module = "[perf-map]";
	r->offset = addr - s->jit[j].addr;
	r->jit = 1;
	return 1;
}
