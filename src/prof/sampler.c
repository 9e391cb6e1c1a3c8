/*
 * sampler: perf_event_open cpu-clock sampling with user call chains (see
 * sampler.h).
 *
 * Why per-CPU events: the kernel refuses to mmap a ring for an inherited
 * per-task event on "any CPU" (all the inherited children would write one
 * ring), so, as `perf record -- CMD` does, there is one event per CPU for
 * the target and the inherited threads write to the ring of the CPU they
 * run on.
 */
#include "sampler.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../core/buf.h"
#include "memtl.h"

#define RING_PAGES 64          /* 256 KB of data per ring */
#define IP_BLOCK (1u << 16)    /* frames per arena block */
#define MAX_SAMPLES 4000000
#define MAX_THREADS 512        /* threads attached to in --pid mode */

struct ipblock {
	struct ipblock *next;
	size_t used;
	uint64_t ips[IP_BLOCK];
};

static long perf_open(struct perf_event_attr *a, pid_t pid, int cpu)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static uint64_t *ip_alloc(struct sampler *s, size_t n)
{
	struct ipblock *b = s->blocks;
	if (!b || b->used + n > IP_BLOCK) {
		struct ipblock *nb = xmalloc(sizeof(*nb));
		nb->next = b;
		nb->used = 0;
		s->blocks = b = nb;
	}
	uint64_t *p = b->ips + b->used;
	b->used += n;
	return p;
}

static int add_event(struct sampler *s, const struct perf_event_attr *proto, pid_t pid, int cpu, struct perr *e)
{
	struct perf_event_attr a = *proto;
	long fd = perf_open(&a, pid, cpu);
	if (fd < 0) {
		int err = errno;
		if (err == EACCES || err == EPERM)
			return perr_set(e, "perf events are not permitted here (%s; kernel.perf_event_paranoid is "
					   "%s): run as root or lower it with 'sysctl kernel.perf_event_paranoid=1'",
					strerror(err), "set too high");
		if (err == ESRCH)
			return perr_set(e, "process %d is gone", (int)pid);
		return perr_set(e, "perf_event_open on process %d: %s", (int)pid, strerror(err));
	}
	size_t len = (size_t)(RING_PAGES + 1) * (size_t)sysconf(_SC_PAGESIZE);
	void *ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	if (ring == MAP_FAILED) {
		int err = errno;
		close((int)fd);
		return perr_set(e, "cannot map the perf ring buffer: %s", strerror(err));
	}
	s->fds = xrealloc(s->fds, (s->nfds + 1) * sizeof(*s->fds));
	s->rings = xrealloc(s->rings, (s->nfds + 1) * sizeof(*s->rings));
	s->fds[s->nfds] = (int)fd;
	s->rings[s->nfds] = ring;
	s->nfds++;
	return 0;
}

int samp_open(struct sampler *s, pid_t pid, int on_exec, int hz, struct perr *e)
{
	memset(s, 0, sizeof(*s));
	s->ring_pages = RING_PAGES;
	s->hz = hz;
	s->max_samples = MAX_SAMPLES;
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.freq = 1;
	a.sample_freq = (uint64_t)hz;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.exclude_callchain_kernel = 1;
	a.inherit = 1;
	a.mmap = 1;
	a.mmap2 = 1;
	a.comm = 1;
	a.task = 1;
	a.sample_id_all = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.sample_max_stack = SAMP_MAX_DEPTH;
	if (on_exec) {
		a.disabled = 1;
		a.enable_on_exec = 1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	if (ncpu < 1)
		ncpu = 1;
	pid_t *tids = NULL;
	size_t ntids = 0;
	if (on_exec) {
		tids = xmalloc(sizeof(*tids));
		tids[0] = pid;
		ntids = 1;
	} else if (proc_threads(pid, &tids, &ntids) || ntids == 0) {
		free(tids);
		return perr_set(e, "process %d is gone or not readable", (int)pid);
	}
	if (ntids > MAX_THREADS)
		ntids = MAX_THREADS;
	int rc = 0;
	for (size_t t = 0; t < ntids && rc == 0; t++)
		for (long c = 0; c < ncpu && rc == 0; c++) {
			rc = add_event(s, &a, tids[t], (int)c, e);
			/* a thread that ended between the listing and now is no error */
			if (rc && !on_exec && t > 0 && strstr(e->msg, "is gone"))
				rc = 0;
		}
	free(tids);
	if (rc) {
		samp_close(s);
		return -1;
	}
	return 0;
}

/* ---- records ---- */

struct rec_reader {
	const unsigned char *p, *end;
};

static int rd64(struct rec_reader *r, uint64_t *v)
{
	if ((size_t)(r->end - r->p) < 8)
		return -1;
	memcpy(v, r->p, 8);
	r->p += 8;
	return 0;
}

static int rd32pair(struct rec_reader *r, uint32_t *a, uint32_t *b)
{
	if ((size_t)(r->end - r->p) < 8)
		return -1;
	memcpy(a, r->p, 4);
	memcpy(b, r->p + 4, 4);
	r->p += 8;
	return 0;
}

static void on_sample(struct sampler *s, struct rec_reader *r)
{
	uint64_t ip, time, nr;
	uint32_t pid, tid;
	if (rd64(r, &ip) || rd32pair(r, &pid, &tid) || rd64(r, &time) || rd64(r, &nr))
		return;
	if (nr > (uint64_t)(r->end - r->p) / 8)
		return;
	if (s->nsamples >= s->max_samples) {
		s->dropped++;
		return;
	}
	uint64_t chain[SAMP_MAX_DEPTH + 1];
	uint32_t depth = 0;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t v = 0;
		rd64(r, &v);
		if (v >= (uint64_t)PERF_CONTEXT_MAX)
			continue; /* a context marker (PERF_CONTEXT_USER, ...) */
		if (depth < SAMP_MAX_DEPTH)
			chain[depth++] = v;
	}
	if (depth == 0)
		chain[depth++] = ip;
	if (s->nsamples == s->capsamples) {
		s->capsamples = s->capsamples ? s->capsamples * 2 : 4096;
		s->samples = xrealloc(s->samples, s->capsamples * sizeof(*s->samples));
	}
	struct samp_sample *sm = &s->samples[s->nsamples++];
	sm->pid = pid;
	sm->tid = tid;
	sm->time_ns = time;
	sm->depth = depth;
	sm->ips = ip_alloc(s, depth);
	memcpy(sm->ips, chain, depth * sizeof(*chain));
}

static void on_mmap2(struct sampler *s, struct rec_reader *r, uint16_t misc)
{
	uint32_t pid, tid, maj, min, prot, flags;
	uint64_t addr, len, pgoff, ino, gen;
	if (rd32pair(r, &pid, &tid) || rd64(r, &addr) || rd64(r, &len) || rd64(r, &pgoff) ||
	    rd32pair(r, &maj, &min) || rd64(r, &ino) || rd64(r, &gen) || rd32pair(r, &prot, &flags))
		return;
	(void)misc;
	if (!(prot & 4 /* PROT_EXEC */))
		return;
	size_t room = (size_t)(r->end - r->p);
	const unsigned char *nul = memchr(r->p, '\0', room);
	if (!nul || nul == r->p || (r->p[0] != '/' && strcmp((const char *)r->p, "[vdso]") != 0))
		return; /* anonymous memory: nothing to name it by ([vdso] at least names its module) */
	if (strncmp((const char *)r->p, "//anon", 6) == 0)
		return;
	if (s->nmaps == s->capmaps) {
		s->capmaps = s->capmaps ? s->capmaps * 2 : 64;
		s->maps = xrealloc(s->maps, s->capmaps * sizeof(*s->maps));
	}
	struct samp_map *m = &s->maps[s->nmaps++];
	m->pid = pid;
	m->start = addr;
	m->len = len;
	m->pgoff = pgoff;
	m->path = xstrdup((const char *)r->p);
}

void samp_parse(struct sampler *s, const unsigned char *data, size_t len)
{
	size_t off = 0;
	while (len - off >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;
		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off)
			return;
		struct rec_reader r = {data + off + sizeof(h), data + off + h.size};
		if (h.type == PERF_RECORD_SAMPLE) {
			on_sample(s, &r);
		} else if (h.type == PERF_RECORD_MMAP2) {
			on_mmap2(s, &r, h.misc);
		} else if (h.type == PERF_RECORD_LOST) {
			uint64_t id, lost;
			if (rd64(&r, &id) == 0 && rd64(&r, &lost) == 0)
				s->lost += lost;
		}
		off += h.size;
	}
}

/* Copy the ring's new records out (they may wrap), parse them, free the space. */
static void drain_one(struct sampler *s, void *ring)
{
	struct perf_event_mmap_page *meta = ring;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = s->ring_pages * page;
	const unsigned char *data = (const unsigned char *)ring + page;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	if (head == tail)
		return;
	size_t n = (size_t)(head - tail);
	if (n > size)
		n = size;
	unsigned char *copy = xmalloc(n);
	size_t at = (size_t)(tail % size);
	size_t first = size - at < n ? size - at : n;
	memcpy(copy, data + at, first);
	memcpy(copy + first, data, n - first);
	__atomic_store_n(&meta->data_tail, head, __ATOMIC_RELEASE);
	samp_parse(s, copy, n);
	free(copy);
}

void samp_drain(struct sampler *s)
{
	for (size_t i = 0; i < s->nfds; i++)
		drain_one(s, s->rings[i]);
}

void samp_close(struct sampler *s)
{
	size_t len = (s->ring_pages + 1) * (size_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < s->nfds; i++) {
		munmap(s->rings[i], len);
		close(s->fds[i]);
	}
	free(s->fds);
	free(s->rings);
	free(s->samples);
	for (size_t i = 0; i < s->nmaps; i++)
		free(s->maps[i].path);
	free(s->maps);
	struct ipblock *b = s->blocks;
	while (b) {
		struct ipblock *next = b->next;
		free(b);
		b = next;
	}
	memset(s, 0, sizeof(*s));
}
