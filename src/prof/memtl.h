/*
 * memtl: a process's resources read from /proc, and the memory timeline's
 * verdict — none, slow growth or a rapid leak — per the seed's memory
 * table (idle <100 MB, per-request <10 MB, growth none / slow / rapid).
 *
 * The verdict looks at the timeline after a warm-up (start-up allocation
 * is not a leak) and wants all of: a robust slope (Theil–Sen: the median
 * of pairwise slopes, so a few spikes do not make a trend), a fit that
 * explains the data (R² of the line), growth that matters against the
 * baseline, and the last third of the run above the middle third — a
 * process that grew and then held steady has plateaued, and a plateau is
 * not a leak. The slope is stated in MB/min.
 */
#ifndef PA_PROF_MEMTL_H
#define PA_PROF_MEMTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One reading of a process (and, summed, of its children when asked). -1 for what could not be read. */
struct proc_reading {
	int64_t rss;        /* bytes, VmRSS */
	int64_t hwm;        /* bytes, VmHWM: the peak RSS so far */
	int threads;
	double utime, stime; /* seconds */
	int64_t minflt, majflt;
	int64_t vol_ctx, invol_ctx;   /* context switches */
	int64_t read_bytes, write_bytes; /* storage I/O, /proc/PID/io (-1 when not permitted) */
	int64_t rchar, wchar;            /* all read()/write() bytes */
};

/* Read pid's /proc/PID/{stat,status,io}. -1 when the process is gone. */
int proc_read(pid_t pid, struct proc_reading *r);
/* pid's descendants (children, their children, ...), from each /proc/PID/task/TID/children. *out malloc'd. */
int proc_descendants(pid_t pid, pid_t **out, size_t *n);
/* Thread ids of pid from /proc/PID/task. *out malloc'd. */
int proc_threads(pid_t pid, pid_t **out, size_t *n);

enum mem_growth { MEM_GROWTH_UNKNOWN, MEM_GROWTH_NONE, MEM_GROWTH_SLOW, MEM_GROWTH_RAPID };
const char *mem_growth_name(enum mem_growth g); /* "unknown", "none", "slow", "rapid" */

struct mem_verdict {
	enum mem_growth growth;
	double slope_mb_min;   /* Theil–Sen, after warm-up */
	double r2;             /* of the least-squares line on the same points */
	double baseline_mb;    /* median RSS of the first part after warm-up */
	double peak_mb, final_mb, idle_mb; /* idle: median RSS over the run after warm-up */
	double growth_pct;     /* (final - baseline) / baseline, in % */
	int plateau;           /* grew, then the last third stayed at the middle third's level */
	size_t points;         /* samples judged */
	char reason[256];      /* one sentence: why this verdict */
};

/*
 * Judge a timeline: t[i] seconds from start, rss_mb[i] MB, n points in
 * time order. warmup_s: points before it are left out (at most the first
 * half of the run). Fewer than 10 points after warm-up, or under 3 s of
 * them, give MEM_GROWTH_UNKNOWN with a reason. Thresholds are in memtl.c's
 * header comment and docs/profile.md.
 */
void mem_judge(const double *t, const double *rss_mb, size_t n, double warmup_s, struct mem_verdict *v);
/*
 * The same with the slopes that divide none / slow / rapid given, in
 * MB/min: mem_judge uses the memory_growth budget's defaults, 0.5 and 10;
 * pass the budget in force when perfagent.ini or --budget changed it.
 */
void mem_judge_limits(const double *t, const double *rss_mb, size_t n, double warmup_s,
		      double slow_mb_min, double rapid_mb_min, struct mem_verdict *v);

#endif
