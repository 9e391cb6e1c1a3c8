/*
 * pyframes: CPython 3.11/3.12 stacks read from another process's memory.
 *
 * The walk, per sample (field names as in CPython's headers):
 *
 *   _PyRuntime.interpreters.head -> PyInterpreterState (next, threads.head)
 *   -> PyThreadState (next, native_thread_id, cframe)
 *   -> _PyCFrame.current_frame -> _PyInterpreterFrame (f_code, previous,
 *      prev_instr, owner) -> ... previous ... -> NULL
 *
 * and for each frame its PyCodeObject (co_qualname, co_filename,
 * co_firstlineno, co_linetable, co_code_adaptive, ob_size). The offsets are
 * x86_64's, taken from the 3.11.2 and 3.12.1 headers (Include/internal/
 * pycore_runtime.h, pycore_interp.h, pycore_frame.h, cpython/pystate.h,
 * cpython/code.h, cpython/unicodeobject.h) and checked with offsetof
 * against the installed headers of both; CPython keeps these layouts
 * within a minor version.
 *
 * Trust: the target runs while we read it, so anything may change between
 * two reads. Every read goes through read_mem, which refuses null,
 * misaligned or non-user addresses and sizes over a fixed bound and
 * succeeds only when every byte arrived. Objects are checked against their
 * type objects (PyCode_Type, PyBytes_Type, PyUnicode_Type, located from the
 * same symbol table as _PyRuntime) before their fields are believed;
 * lengths are bounded (strings 1 KB, line tables 256 KB, stacks 256 frames,
 * threads and interpreters by count) so a cycle or a torn pointer ends a
 * walk early instead of looping or allocating without bound.
 */
#include "pyframes.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../core/buf.h"
#include "sym.h"

#define PY_MAX_DEPTH 256            /* frames kept per stack */
#define PY_MAX_WALK (4 * PY_MAX_DEPTH) /* frames visited per stack, shims included */
#define PY_MAX_STR 1024             /* code points read of a string */
#define PY_MAX_LINETABLE (256 * 1024) /* bytes of co_linetable read */
#define PY_MAX_THREADS 4096         /* thread states per interpreter */
#define PY_MAX_INTERPS 64
#define PY_CACHE_CAP 4096           /* code cache slots (a power of two), cleared at half full */
#define PY_USER_TOP UINT64_C(0x800000000000) /* x86_64 user space ends here */

/* ---- offsets ---- */

/*
 * Byte offsets of the fields we read, for one minor version on x86_64.
 * owner_cstack is the owner value of the C-stack shim frames 3.12 pushes
 * at each entry to the eval loop (3.11 has none: -1).
 */
struct py_offsets {
	int minor;
	size_t rt_interp_head;     /* _PyRuntimeState.interpreters.head */
	size_t is_next;            /* PyInterpreterState.next */
	size_t is_threads_head;    /* PyInterpreterState.threads.head */
	size_t ts_next;            /* PyThreadState.next */
	size_t ts_cframe;          /* PyThreadState.cframe */
	size_t ts_native_tid;      /* PyThreadState.native_thread_id */
	size_t cf_current_frame;   /* _PyCFrame.current_frame */
	size_t fr_code;            /* _PyInterpreterFrame.f_code */
	size_t fr_previous;        /* _PyInterpreterFrame.previous */
	size_t fr_prev_instr;      /* _PyInterpreterFrame.prev_instr */
	size_t fr_owner;           /* _PyInterpreterFrame.owner (char) */
	size_t fr_size;            /* offsetof(_PyInterpreterFrame, localsplus) */
	int owner_cstack;
	size_t co_size;            /* PyCodeObject.ob_base.ob_size: code units */
	size_t co_firstlineno;     /* int */
	size_t co_filename;
	size_t co_qualname;
	size_t co_linetable;
	size_t co_code;            /* co_code_adaptive: the first code unit */
	size_t str_ascii_size;     /* sizeof(PyASCIIObject): compact ASCII data follows */
	size_t str_compact_size;   /* sizeof(PyCompactUnicodeObject): other compact data follows */
};

static const struct py_offsets offsets_311 = {
	.minor = 11,
	.rt_interp_head = 40,
	.is_next = 0,
	.is_threads_head = 16,
	.ts_next = 8,
	.ts_cframe = 56,
	.ts_native_tid = 160,
	.cf_current_frame = 8,
	.fr_code = 32,
	.fr_previous = 48,
	.fr_prev_instr = 56,
	.fr_owner = 69,
	.fr_size = 72,
	.owner_cstack = -1,
	.co_size = 16,
	.co_firstlineno = 72,
	.co_filename = 112,
	.co_qualname = 128,
	.co_linetable = 136,
	.co_code = 184,
	.str_ascii_size = 48,
	.str_compact_size = 72,
};

static const struct py_offsets offsets_312 = {
	.minor = 12,
	.rt_interp_head = 40,
	.is_next = 0,
	.is_threads_head = 72,
	.ts_next = 8,
	.ts_cframe = 56,
	.ts_native_tid = 144,
	.cf_current_frame = 0,
	.fr_code = 0,
	.fr_previous = 8,
	.fr_prev_instr = 56,
	.fr_owner = 70,
	.fr_size = 72,
	.owner_cstack = 3,
	.co_size = 16,
	.co_firstlineno = 68,
	.co_filename = 112,
	.co_qualname = 128,
	.co_linetable = 136,
	.co_code = 192,
	.str_ascii_size = 40,
	.str_compact_size = 56,
};

/* The same in every version: PyObject.ob_type, PyVarObject.ob_size, PyBytesObject.ob_sval, PyASCIIObject. */
#define OB_TYPE 8
#define OB_SIZE 16
#define BYTES_SVAL 32
#define STR_LENGTH 16
#define STR_STATE 32

/* ---- the process ---- */

struct py_code {
	uint64_t addr; /* 0: free slot */
	char *qualname, *filename;
	int firstlineno;
	int64_t ncode; /* code units */
	uint8_t *linetable;
	size_t ltlen;
};

struct py_proc {
	pid_t pid;
	char version[32];
	const struct py_offsets *off;
	uint64_t runtime;                            /* &_PyRuntime in the target */
	uint64_t type_code, type_bytes, type_unicode; /* &PyCode_Type etc., 0 when unknown */
	struct py_code *cache;                       /* PY_CACHE_CAP slots, open addressing */
	size_t ncache;
};

/*
 * Read len bytes at addr of the target into buf. 0 only when all of them
 * arrived; -1 for an implausible address (null, misaligned for align,
 * outside user space) or size, or a failed or short read. errno is kept
 * from process_vm_readv for the caller that wants to explain a failure.
 */
static int read_mem(const struct py_proc *p, uint64_t addr, void *buf, size_t len, size_t align)
{
	if (addr == 0 || len == 0 || len > PY_MAX_LINETABLE + 64 || (align && addr % align) ||
	    addr >= PY_USER_TOP || len > PY_USER_TOP - addr) {
		errno = EFAULT;
		return -1;
	}
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t got = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);
	if (got < 0)
		return -1;
	if ((size_t)got != len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

static uint64_t get_u64(const unsigned char *b, size_t off)
{
	uint64_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static int64_t get_i64(const unsigned char *b, size_t off)
{
	int64_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t get_u32(const unsigned char *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static int read_ptr(const struct py_proc *p, uint64_t addr, uint64_t *out)
{
	unsigned char b[8];
	if (read_mem(p, addr, b, sizeof(b), 8) < 0)
		return -1;
	*out = get_u64(b, 0);
	return 0;
}

/* ---- strings ---- */

static void put_utf8(struct buf *b, uint32_t c)
{
	if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) {
		buf_putc(b, '?'); /* a NUL would cut the C string; a lone surrogate is not UTF-8 */
	} else if (c < 0x80) {
		buf_putc(b, (char)c);
	} else if (c < 0x800) {
		buf_putc(b, (char)(0xc0 | (c >> 6)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_putc(b, (char)(0xe0 | (c >> 12)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (c >> 18)));
		buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/*
 * The str object at addr as a new UTF-8 string (caller frees), or NULL
 * when it is not a readable compact str. Compact strings keep their
 * characters right after the header: after PyASCIIObject for pure ASCII,
 * after PyCompactUnicodeObject for latin-1 (kind 1), UCS-2 (2) and UCS-4
 * (4). The legacy, non-compact form never holds a code object's names,
 * so it is refused rather than followed. At most PY_MAX_STR code points
 * are read; a longer string is cut there.
 */
static char *read_str(const struct py_proc *p, uint64_t addr)
{
	const struct py_offsets *o = p->off;
	unsigned char h[64];
	if (o->str_ascii_size > sizeof(h) || read_mem(p, addr, h, o->str_ascii_size, 8) < 0)
		return NULL;
	if (p->type_unicode && get_u64(h, OB_TYPE) != p->type_unicode)
		return NULL;
	int64_t length = get_i64(h, STR_LENGTH);
	uint32_t state = get_u32(h, STR_STATE);
	unsigned kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
	if (length < 0 || !compact || (kind != 1 && kind != 2 && kind != 4) || (ascii && kind != 1))
		return NULL;
	size_t n = length > PY_MAX_STR ? PY_MAX_STR : (size_t)length;
	uint64_t data = addr + (ascii ? o->str_ascii_size : o->str_compact_size);
	unsigned char raw[PY_MAX_STR * 4];
	if (n && read_mem(p, data, raw, n * kind, 0) < 0)
		return NULL;
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		uint32_t c;
		if (kind == 1) {
			c = raw[i];
			if (ascii && c >= 0x80)
				c = '?';
		} else if (kind == 2) {
			uint16_t u;
			memcpy(&u, raw + 2 * i, 2);
			c = u;
		} else {
			memcpy(&c, raw + 4 * i, 4);
		}
		put_utf8(&b, c);
	}
	buf_putc(&b, '\0');
	return buf_detach(&b);
}

/* ---- the line table ---- */

/*
 * CPython's varints in the location table: 6 bits a byte, low bits first,
 * bit 6 set when another byte follows. Reads within [*i, len) only; gives
 * up (returning what it has) at the end of the table or past 30 bits.
 */
static uint32_t lt_varint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t val = 0;
	unsigned shift = 0;
	while (*i < len) {
		uint8_t c = t[(*i)++];
		val |= (uint32_t)(c & 63) << shift;
		shift += 6;
		if (!(c & 64) || shift > 24)
			break;
	}
	return val;
}

static int32_t lt_svarint(const uint8_t *t, size_t len, size_t *i)
{
	uint32_t u = lt_varint(t, len, i);
	return (u & 1) ? -(int32_t)(u >> 1) : (int32_t)(u >> 1);
}

/*
 * The location table (Objects/locations.md, _PyCode_CheckLineNumber and
 * PyCode_Addr2Line in Objects/codeobject.c): entries, each starting with a
 * byte whose bit 7 is set, bits 3-6 a code and bits 0-2 the number of code
 * units covered minus one. Code 15: no location; 14: long form (signed
 * varint line delta, then end line, column, end column varints); 13: no
 * column (signed varint line delta); 10-12: one line, delta code - 10, two
 * column bytes; 0-9: short form, same line, one column byte. Lines start
 * at co_firstlineno; like CPython, the next entry begins at the next byte
 * with bit 7 set, so the bytes of an entry we do not need are skipped.
 */
int py_linetable_line(const uint8_t *t, size_t len, int firstlineno, long lasti)
{
	if (lasti < 0)
		return firstlineno;
	int64_t line = firstlineno;
	long addr = 0;
	size_t i = 0;
	while (i < len) {
		uint8_t first = t[i];
		if (!(first & 0x80))
			return -1; /* not at an entry: a damaged table */
		int code = (first >> 3) & 15;
		long units = (first & 7) + 1;
		size_t j = i + 1;
		if (code == 14 || code == 13)
			line += lt_svarint(t, len, &j);
		else if (code >= 10 && code <= 12)
			line += code - 10;
		if (line < INT_MIN || line > INT_MAX)
			return -1;
		if (lasti < addr + units)
			return code == 15 ? -1 : (int)line;
		addr += units;
		for (i = j; i < len && !(t[i] & 0x80); i++)
			;
	}
	return -1;
}

/* ---- code objects ---- */

static void code_clear(struct py_code *c)
{
	free(c->qualname);
	free(c->filename);
	free(c->linetable);
	memset(c, 0, sizeof(*c));
}

static void cache_clear(struct py_proc *p)
{
	for (size_t i = 0; i < PY_CACHE_CAP; i++)
		if (p->cache[i].addr)
			code_clear(&p->cache[i]);
	p->ncache = 0;
}

static size_t cache_slot(uint64_t addr)
{
	uint64_t h = (addr >> 4) * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h >> 52) & (PY_CACHE_CAP - 1);
}

/*
 * Read the code object at addr into c: its type checked, its names read,
 * its line table copied (empty when longer than PY_MAX_LINETABLE). -1 and c
 * untouched when anything is not what a code object holds.
 */
static int code_read(const struct py_proc *p, uint64_t addr, struct py_code *c)
{
	const struct py_offsets *o = p->off;
	unsigned char h[256];
	if (o->co_code > sizeof(h) || read_mem(p, addr, h, o->co_code, 8) < 0)
		return -1;
	if (p->type_code && get_u64(h, OB_TYPE) != p->type_code)
		return -1;
	int64_t ncode = get_i64(h, o->co_size);
	int32_t first;
	memcpy(&first, h + o->co_firstlineno, sizeof(first));
	uint64_t lt = get_u64(h, o->co_linetable);
	if (ncode < 0 || ncode > INT32_MAX || first < 0)
		return -1;

	unsigned char bh[BYTES_SVAL];
	if (read_mem(p, lt, bh, sizeof(bh), 8) < 0 || (p->type_bytes && get_u64(bh, OB_TYPE) != p->type_bytes))
		return -1;
	int64_t ltlen = get_i64(bh, OB_SIZE);
	if (ltlen < 0)
		return -1;
	uint8_t *table = NULL;
	size_t tlen = 0;
	if (ltlen > 0 && ltlen <= PY_MAX_LINETABLE) {
		table = xmalloc((size_t)ltlen);
		if (read_mem(p, lt + BYTES_SVAL, table, (size_t)ltlen, 0) < 0) {
			free(table);
			return -1;
		}
		tlen = (size_t)ltlen;
	}
	char *qual = read_str(p, get_u64(h, o->co_qualname));
	char *file = qual ? read_str(p, get_u64(h, o->co_filename)) : NULL;
	if (!qual || !file) {
		free(qual);
		free(file);
		free(table);
		return -1;
	}
	c->addr = addr;
	c->qualname = qual;
	c->filename = file;
	c->firstlineno = first;
	c->ncode = ncode;
	c->linetable = table;
	c->ltlen = tlen;
	return 0;
}

/*
 * The cached code object at addr, read on a miss. The cache is keyed by
 * address alone, as py-spy's is: a code object freed and another allocated
 * at the same address would keep the old name until the cache is cleared
 * (at half full), a trade for a sample costing one read per frame.
 */
static const struct py_code *code_get(struct py_proc *p, uint64_t addr)
{
	size_t i = cache_slot(addr);
	while (p->cache[i].addr) {
		if (p->cache[i].addr == addr)
			return &p->cache[i];
		i = (i + 1) & (PY_CACHE_CAP - 1);
	}
	struct py_code c;
	if (code_read(p, addr, &c) < 0)
		return NULL;
	if (p->ncache >= PY_CACHE_CAP / 2) {
		cache_clear(p);
		i = cache_slot(addr);
	}
	p->cache[i] = c;
	p->ncache++;
	return &p->cache[i];
}

/* ---- sampling ---- */

/*
 * The instruction of a frame of code c whose prev_instr is pi, in code
 * units, as CPython's _PyInterpreterFrame_LASTI: -1 for a frame that has
 * not started (one unit before the code). 0 and *lasti, or -1 when pi is
 * not inside the code at all: the frame was read while it was being
 * popped or pushed again for another code object (a torn read).
 */
static int frame_lasti(const struct py_proc *p, const struct py_code *c, uint64_t code_addr, uint64_t pi, long *lasti)
{
	uint64_t start = code_addr + p->off->co_code;
	if (pi + 2 == start) {
		*lasti = -1;
		return 0;
	}
	if (pi < start || (pi - start) % 2 != 0 || (pi - start) / 2 >= (uint64_t)c->ncode)
		return -1;
	*lasti = (long)((pi - start) / 2);
	return 0;
}

/*
 * The frames of one thread, leaf first in frames[0..return), from the
 * frame at addr down the previous links; 3.12's shim frames owned by the
 * C stack are passed over. Stops at the end of the chain (*torn 0), at
 * PY_MAX_DEPTH frames (*torn 0: a deeper stack keeps its leaf-most
 * frames), or at a frame that does not read as one — not readable, not a
 * code object, an owner CPython never writes, an instruction outside its
 * code — with *torn 1: the chain changed under us, and what was read so
 * far cannot be trusted to be one stack.
 */
static size_t walk_frames(struct py_proc *p, uint64_t addr, struct py_frame *frames, int *torn)
{
	const struct py_offsets *o = p->off;
	size_t n = 0;
	unsigned char fr[128];
	*torn = 0;
	for (int visited = 0; addr && n < PY_MAX_DEPTH; visited++) {
		if (visited == PY_MAX_WALK || o->fr_size > sizeof(fr) || read_mem(p, addr, fr, o->fr_size, 8) < 0) {
			*torn = 1;
			break;
		}
		uint64_t code = get_u64(fr, o->fr_code);
		uint64_t pi = get_u64(fr, o->fr_prev_instr);
		int owner = (signed char)fr[o->fr_owner];
		addr = get_u64(fr, o->fr_previous);
		if (o->owner_cstack >= 0 && owner == o->owner_cstack)
			continue;
		const struct py_code *c = owner >= 0 && owner <= 3 ? code_get(p, code) : NULL;
		long lasti;
		if (!c || frame_lasti(p, c, code, pi, &lasti) < 0) {
			*torn = 1;
			break;
		}
		int line = py_linetable_line(c->linetable, c->ltlen, c->firstlineno, lasti);
		frames[n].qualname = xstrdup(c->qualname);
		frames[n].filename = xstrdup(c->filename);
		frames[n].line = line > 0 ? line : 0;
		n++;
	}
	return n;
}

static void free_frames(struct py_frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].qualname);
		free(f[i].filename);
	}
}

/* The thread's current frame (_PyCFrame.current_frame through PyThreadState.cframe), or 0. */
static uint64_t current_frame(const struct py_proc *p, uint64_t cframe)
{
	uint64_t frame = 0;
	if (!cframe || read_ptr(p, cframe + p->off->cf_current_frame, &frame) < 0)
		return 0;
	return frame;
}

/*
 * One thread state at ts: its tid and stack into *st, and the next thread
 * state into *next. -1 when the thread state itself cannot be read (the
 * caller ends that interpreter's list there).
 *
 * The stack is walked while the thread runs, so a walk is accepted only
 * when no frame in it was torn and the thread's current frame is the same
 * after the walk as before it; otherwise it is walked again, up to three
 * times in all, and then given up (nframes 0) rather than reported wrong.
 * (A frame popped and another pushed at the same address between the two
 * looks passes that check; the per-frame checks still hold for it.)
 */
static int sample_thread(struct py_proc *p, uint64_t ts, struct py_thread_stack *st, uint64_t *next)
{
	const struct py_offsets *o = p->off;
	unsigned char b[256];
	size_t need = o->ts_native_tid + 8;
	if (need > sizeof(b) || read_mem(p, ts, b, need, 8) < 0)
		return -1;
	*next = get_u64(b, o->ts_next);
	memset(st, 0, sizeof(*st));
	st->tid = (unsigned long)get_u64(b, o->ts_native_tid);
	uint64_t cframe = get_u64(b, o->ts_cframe);
	struct py_frame tmp[PY_MAX_DEPTH];
	for (int attempt = 0; attempt < 3; attempt++) {
		uint64_t frame = current_frame(p, cframe);
		if (!frame)
			return 0;
		int torn;
		size_t n = walk_frames(p, frame, tmp, &torn);
		if (torn || current_frame(p, cframe) != frame) {
			free_frames(tmp, n);
			continue;
		}
		if (n == 0)
			return 0;
		st->frames = xcalloc(n, sizeof(*st->frames));
		for (size_t i = 0; i < n; i++)
			st->frames[i] = tmp[n - 1 - i]; /* root first */
		st->nframes = n;
		return 0;
	}
	return 0;
}

int py_sample(struct py_proc *p, struct py_thread_stack **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const struct py_offsets *o = p->off;
	uint64_t interp;
	if (read_ptr(p, p->runtime + o->rt_interp_head, &interp) < 0)
		return -1;
	struct py_thread_stack *v = NULL;
	size_t cnt = 0, cap = 0;
	for (int ni = 0; interp && ni < PY_MAX_INTERPS; ni++) {
		unsigned char ib[128];
		size_t need = (o->is_threads_head > o->is_next ? o->is_threads_head : o->is_next) + 8;
		if (need > sizeof(ib) || read_mem(p, interp, ib, need, 8) < 0)
			break;
		uint64_t ts = get_u64(ib, o->is_threads_head);
		for (int nt = 0; ts && nt < PY_MAX_THREADS; nt++) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof(*v));
			}
			uint64_t next = 0;
			if (sample_thread(p, ts, &v[cnt], &next) < 0)
				break;
			cnt++;
			ts = next;
		}
		interp = get_u64(ib, o->is_next);
	}
	*out = v;
	*n = cnt;
	return 0;
}

void py_stacks_free(struct py_thread_stack *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free_frames(v[i].frames, v[i].nframes);
		free(v[i].frames);
	}
	free(v);
}

/* ---- attaching ---- */

struct py_map {
	uint64_t start, end, pgoff;
	char *path;
};

static void maps_free(struct py_map *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].path);
	free(m);
}

/* Why the memory (or the maps) of pid cannot be read, and what to do: -1 with e. */
static int read_error(pid_t pid, int err, struct perr *e)
{
	if (err == EPERM || err == EACCES)
		return perr_set(e,
				"cannot read the memory of process %d: permission denied; run perfagent as root, "
				"start the program under perfagent (as its child), or set kernel.yama.ptrace_scope to 0",
				(int)pid);
	if (err == ESRCH)
		return perr_set(e, "process %d has exited", (int)pid);
	return perr_set(e, "cannot read the memory of process %d: %s", (int)pid, strerror(err));
}

/* The file mappings of pid from /proc/PID/maps. -1 with e when it cannot be read. */
static int read_maps(pid_t pid, struct py_map **out, size_t *n, struct perr *e)
{
	*out = NULL;
	*n = 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return perr_set(e, "process %d does not exist; check the pid", (int)pid);
		return read_error(pid, errno, e);
	}
	struct py_map *v = NULL;
	size_t cnt = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) > 0) {
		uint64_t s, en, off;
		int pos = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &s, &en, &off, &pos) < 3 ||
		    pos <= 0)
			continue;
		char *p = line + pos;
		p[strcspn(p, "\n")] = '\0';
		if (p[0] != '/')
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[cnt++] = (struct py_map){s, en, off, xstrdup(p)};
	}
	free(line);
	fclose(f);
	*out = v;
	*n = cnt;
	return 0;
}

/* What one ELF file tells us: the symbols we need and its load segments. */
struct py_elf {
	uint64_t runtime, version, type_code, type_bytes, type_unicode; /* st_value, 0 when absent */
	GElf_Phdr loads[16];
	size_t nloads;
};

static void object_one(void *ud, const struct sym_elf_sym *sym)
{
	struct py_elf *x = ud;
	if (sym->type != STT_OBJECT || !sym->value || (sym->name[0] != '_' && sym->name[0] != 'P'))
		return;
	if (!strcmp(sym->name, "_PyRuntime"))
		x->runtime = sym->value;
	else if (!strcmp(sym->name, "Py_Version"))
		x->version = sym->value;
	else if (!strcmp(sym->name, "PyCode_Type"))
		x->type_code = sym->value;
	else if (!strcmp(sym->name, "PyBytes_Type"))
		x->type_bytes = sym->value;
	else if (!strcmp(sym->name, "PyUnicode_Type"))
		x->type_unicode = sym->value;
}

/* Defined OBJECT symbols named in the section of type want (.dynsym or .symtab) into x. */
static void elf_objects(Elf *elf, GElf_Word want, struct py_elf *x)
{
	sym_elf_each_symbol(elf, want, object_one, x);
}

/*
 * Read the ELF file at path (through /proc/PID/root when that works, so a
 * process in another mount namespace is read from its own files): its
 * symbols of interest and PT_LOAD headers. -1 when it is not a readable
 * x86_64 ELF file.
 */
static int elf_read(pid_t pid, const char *path, struct py_elf *x)
{
	memset(x, 0, sizeof(*x));
	char rooted[PATH_MAX + 64];
	snprintf(rooted, sizeof(rooted), "/proc/%d/root%s", (int)pid, path);
	int fd = open(rooted, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int rc = -1;
	GElf_Ehdr eh;
	size_t nph = 0;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64 ||
	    elf_getphdrnum(elf, &nph) != 0)
		goto out;
	for (size_t i = 0; i < nph && x->nloads < 16; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			x->loads[x->nloads++] = ph;
	}
	elf_objects(elf, SHT_DYNSYM, x);
	if (!x->runtime)
		elf_objects(elf, SHT_SYMTAB, x);
	rc = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

/*
 * The load bias of path in the target: for its mapping with the lowest file
 * offset, the segment that holds that offset says which address it was
 * linked at; the bias is where it is minus that (0 for a fixed-address
 * executable, the mapping's start for a usual PIE or shared library).
 * -1 when path is not mapped or no segment fits.
 */
static int load_bias(const struct py_map *m, size_t nm, const char *path, const struct py_elf *x,
		     uint64_t *bias)
{
	const struct py_map *low = NULL;
	for (size_t i = 0; i < nm; i++)
		if (!strcmp(m[i].path, path) && (!low || m[i].pgoff < low->pgoff))
			low = &m[i];
	if (!low)
		return -1;
	for (size_t i = 0; i < x->nloads; i++) {
		const GElf_Phdr *ph = &x->loads[i];
		uint64_t align = ph->p_align > 1 ? ph->p_align : 1;
		if (align > 0x200000)
			align = 0x1000;
		uint64_t off0 = ph->p_offset & ~(align - 1);
		if (low->pgoff < off0 || low->pgoff >= ph->p_offset + ph->p_filesz)
			continue;
		uint64_t linked = (ph->p_vaddr - (ph->p_offset - low->pgoff));
		*bias = low->start - linked;
		return 0;
	}
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A mapped file that may hold the interpreter: "libpython3.*.so*". */
static int is_libpython(const char *path)
{
	const char *b = base_name(path);
	return !strncmp(b, "libpython3.", 11) && strstr(b, ".so");
}

/* Py_Version (PY_VERSION_HEX: 0xMMmmppLS) as "3.11.2", "3.12.0rc1". */
static void version_str(uint64_t hex, char *out, size_t len)
{
	unsigned major = (hex >> 24) & 0xff, minor = (hex >> 16) & 0xff, micro = (hex >> 8) & 0xff;
	unsigned level = (hex >> 4) & 0xf, serial = hex & 0xf;
	const char *lv = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";
	if (*lv)
		snprintf(out, len, "%u.%u.%u%s%u", major, minor, micro, lv, serial);
	else
		snprintf(out, len, "%u.%u.%u", major, minor, micro);
}

int py_attach(pid_t pid, struct py_proc **out, struct perr *e)
{
	*out = NULL;
	struct py_map *m = NULL;
	size_t nm = 0;
	if (read_maps(pid, &m, &nm, e) < 0)
		return -1;

	/* The candidates: the executable first (its symbols win), then any libpython. */
	char exe[PATH_MAX] = "";
	char link[64];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ssize_t el = readlink(link, exe, sizeof(exe) - 1);
	exe[el > 0 ? el : 0] = '\0';
	const char *cand[8];
	size_t nc = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < nm && nc < 8; i++) {
			if (pass == 0 ? !(exe[0] && !strcmp(m[i].path, exe)) : !is_libpython(m[i].path))
				continue;
			int seen = 0;
			for (size_t k = 0; k < nc; k++)
				seen |= !strcmp(cand[k], m[i].path);
			if (!seen)
				cand[nc++] = m[i].path;
		}
	}

	struct py_proc *p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	struct py_elf x;
	const char *found = NULL;
	uint64_t bias = 0;
	for (size_t k = 0; k < nc && !found; k++) {
		if (elf_read(pid, cand[k], &x) == 0 && x.runtime && load_bias(m, nm, cand[k], &x, &bias) == 0)
			found = cand[k];
	}
	if (!found) {
		if (exe[0] || nc)
			perr_set(e, "process %d is not CPython 3.11/3.12 (found %s, with no _PyRuntime symbol)", (int)pid,
				 exe[0] ? exe : cand[0]);
		else
			perr_set(e, "process %d is not CPython 3.11/3.12 (found no readable executable or libpython3)",
				 (int)pid);
		goto fail;
	}
	if (!x.version) {
		perr_set(e, "process %d is not CPython 3.11/3.12 (found %s, older than 3.11: it has no Py_Version)",
			 (int)pid, base_name(found));
		goto fail;
	}
	uint64_t hex;
	if (read_ptr(p, bias + x.version, &hex) < 0) {
		read_error(pid, errno, e);
		goto fail;
	}
	version_str(hex, p->version, sizeof(p->version));
	if (((hex >> 24) & 0xff) == 3 && ((hex >> 16) & 0xff) == 11)
		p->off = &offsets_311;
	else if (((hex >> 24) & 0xff) == 3 && ((hex >> 16) & 0xff) == 12)
		p->off = &offsets_312;
	else {
		perr_set(e, "process %d is not CPython 3.11/3.12 (found %s %s); profile it with --python off", (int)pid,
			 base_name(found), p->version);
		goto fail;
	}
	p->runtime = bias + x.runtime;
	p->type_code = x.type_code ? bias + x.type_code : 0;
	p->type_bytes = x.type_bytes ? bias + x.type_bytes : 0;
	p->type_unicode = x.type_unicode ? bias + x.type_unicode : 0;
	uint64_t head;
	if (read_ptr(p, p->runtime + p->off->rt_interp_head, &head) < 0) {
		read_error(pid, errno, e);
		goto fail;
	}
	p->cache = xcalloc(PY_CACHE_CAP, sizeof(*p->cache));
	maps_free(m, nm);
	*out = p;
	return 0;
fail:
	free(p);
	maps_free(m, nm);
	return -1;
}

const char *py_version(const struct py_proc *p)
{
	return p->version;
}

void py_detach(struct py_proc *p)
{
	if (!p)
		return;
	if (p->cache) {
		cache_clear(p);
		free(p->cache);
	}
	free(p);
}
