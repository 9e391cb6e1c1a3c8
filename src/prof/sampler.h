/*
 * sampler: CPU samples of a process and every thread it has or starts,
 * from the kernel's perf events — the software cpu-clock at a fixed
 * frequency, user-space only, each sample with its thread and its
 * user-space call chain (frame pointers, walked by the kernel) — read
 * from per-CPU ring buffers while the target runs, never stopping it.
 *
 * The target is either a child about to exec (the events are opened on
 * it beforehand with enable_on_exec, so sampling starts at its first
 * instruction and follows its threads and children through inherit) or a
 * running process (one event per thread and CPU; threads it starts later
 * are inherited). Alongside the samples the kernel reports every mmap, so
 * addresses can be resolved after a short-lived process has exited.
 */
#ifndef PA_PROF_SAMPLER_H
#define PA_PROF_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"

#define SAMP_MAX_DEPTH 127 /* frames kept per sample (the kernel's default limit) */

/* One sample: ips[0] is the leaf. */
struct samp_sample {
	uint32_t pid, tid;
	uint64_t time_ns; /* perf clock (CLOCK_MONOTONIC) */
	uint32_t depth;
	uint64_t *ips;    /* into the sampler's arena */
};

/* One executable mapping the kernel reported (PERF_RECORD_MMAP2). */
struct samp_map {
	uint32_t pid;
	uint64_t start, len, pgoff;
	char *path;
};

struct sampler {
	int *fds;
	void **rings;
	size_t nfds;
	size_t ring_pages;  /* data pages per ring (a power of two) */
	int hz;
	struct samp_sample *samples;
	size_t nsamples, capsamples;
	struct samp_map *maps;
	size_t nmaps, capmaps;
	uint64_t lost;      /* samples the kernel dropped (PERF_RECORD_LOST) */
	uint64_t *ipbuf;    /* frames of all samples, in blocks */
	size_t ipused, ipcap;
	void *blocks;       /* private: the list of ip blocks */
	size_t max_samples; /* beyond it samples are counted in dropped, not kept */
	uint64_t dropped;
};

/*
 * Open the events on pid: a child that has not exec'd yet (on_exec: they
 * start at its exec) or a running process (all its threads, now). -1 with
 * e set; e says when perf events are not permitted here
 * (perf_event_paranoid, a container's seccomp) so the caller can say so.
 */
int samp_open(struct sampler *s, pid_t pid, int on_exec, int hz, struct perr *e);
/* Read what the rings hold (call every few tens of ms, and once at the end). */
void samp_drain(struct sampler *s);
void samp_close(struct sampler *s);

/*
 * Turn raw ring-buffer bytes (a sequence of perf records, as read from a
 * ring) into samples and maps: the parser the fuzz target drives. Records
 * that do not parse end the chunk; nothing is read out of bounds.
 */
void samp_parse(struct sampler *s, const unsigned char *data, size_t len);

#endif
