/*
 * prof: `perfagent profile` as a library — run a command (or watch a
 * pid) while sampling its CPU with perf events and its memory from /proc,
 * then resolve the samples into a profile and judge the memory timeline.
 *
 *   prof_run()           the run: child or pid, sampling, timeline  (prun.c)
 *   prof_result_build()  -> perfagent.result/1 with findings        (presult.c)
 *   prof_print_human()   the terminal view                          (presult.c)
 */
#ifndef PA_PROF_PROF_H
#define PA_PROF_PROF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../core/budget.h"
#include "../core/err.h"
#include "../core/progress.h"
#include "../core/result.h"
#include "memtl.h"
#include "pprof.h"

enum { PROF_PY_AUTO, PROF_PY_ON, PROF_PY_OFF };

struct prof_opts {
	char *const *argv;    /* the command, or NULL with pid */
	pid_t pid;            /* attach to this process when argv is NULL */
	double duration_s;    /* 0: until it exits (or Ctrl-C) */
	int hz;               /* CPU samples per second */
	double mem_interval_s;
	int follow_children;  /* memory of descendants added in */
	double growth_slow_mb_min, growth_rapid_mb_min; /* the memory_growth budget; 0: its defaults */
	int python;           /* PROF_PY_AUTO, PROF_PY_ON or PROF_PY_OFF */
	volatile sig_atomic_t *stop;
	struct progress *progress;
};

/* A point of the memory timeline. */
struct prof_point {
	double t;        /* seconds since start */
	double rss_mb;   /* the process (with --follow-children: and its descendants) */
	int threads;
};

struct prof_run {
	pid_t pid;
	char *command;         /* for the report: the argv joined, or "pid N (comm)" */
	double wall_s;
	double user_s, sys_s;  /* CPU, children included for a command (wait4) */
	double max_rss_mb;     /* peak RSS: ru_maxrss for a command, VmHWM for a pid */
	int64_t minflt, majflt, vol_ctx, invol_ctx;
	int64_t read_bytes, write_bytes; /* -1 unknown */
	int max_threads;
	int exited;            /* the command ended by itself */
	int exit_code;         /* when exited normally */
	int signal;            /* when killed by a signal (0: not) */
	int stopped_by;        /* 0 exit, 1 --duration, 2 Ctrl-C */
	struct prof_point *tl;
	size_t ntl;
	struct mem_verdict mem;
	struct pprof cpu;      /* resolved samples */
	uint64_t samples, lost;
	char *sampler;         /* "perf_event cpu-clock 99 Hz, user call chains" or why none */
	int cpu_ok;            /* samples were taken */
	char *python;          /* "CPython 3.11.2" when its frames were read, else NULL */
	char *python_error;    /* why Python frames were not read (with --python on, or a Python target), or NULL */
	uint64_t py_samples;   /* Python stack samples taken */
};

/*
 * Run or attach, sample until the command exits, duration passes or *stop
 * is set, and fill *out. -1 with e when the command could not be started
 * or the pid is not there; everything measured is in *out otherwise.
 */
int prof_run(const struct prof_opts *o, struct prof_run *out, struct perr *e);
void prof_run_free(struct prof_run *r);

struct pa_result *prof_result_build(const struct prof_opts *o, const struct prof_run *r, const struct budgets *b);
void prof_print_human(const struct pa_result *r, FILE *out);

#endif
