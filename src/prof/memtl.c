/*
 * memtl: a process's resources from /proc, and the verdict on its memory
 * timeline — none, slow growth, or a rapid leak.
 *
 * Reading. /proc/PID/stat gives the CPU times, page faults and threads; its
 * second field is the command name in parentheses, which may itself hold
 * spaces and ')' ("(a) b)"), so the fields are counted from the LAST ')'.
 * /proc/PID/status gives VmRSS, VmHWM and the context switches (a zombie
 * has no Vm lines: those stay -1). /proc/PID/io needs ptrace-read access
 * and may be denied: its counters stay -1 then. Each file is read whole in
 * one open/read/close, so a reading costs three small syscall rounds — cheap
 * enough for a sample every 50 ms.
 *
 * Descendants come from /proc/PID/task/TID/children where the kernel has it
 * (CONFIG_PROC_CHILDREN); where it does not, from one pass over every
 * /proc/N/stat, matching parent pids.
 *
 * The verdict. The timeline of a web app sampled every 50 ms for seconds to
 * minutes: start-up allocation, a heap that settles, a garbage collector's
 * sawtooth, and maybe a leak. The thresholds, all in one place:
 *
 *   warm-up      points before warmup_s are left out; the warm-up is cut to
 *                half the run, so a short run keeps its second half
 *   unknown      fewer than 10 points, or under 3 s, after the warm-up
 *   slope        Theil–Sen: the median of the slopes between every pair of
 *                points, on at most 400 points taken evenly (80,000 pairs,
 *                a few ms) — a few spikes or a GC drop do not move it,
 *                where least squares would follow them; in MB/min
 *   R²           of the least-squares line on all the judged points: how
 *                much of the variation a straight line explains
 *   baseline     median of the first 20% of the judged points
 *   final        median of the last 5 readings (a quarter second): a
 *                process freeing its heap as it exits — CPython does —
 *                must not end the timeline at the bottom
 *   growth_pct   (final - baseline) / baseline
 *   peak, idle   the highest reading of the whole run; the median after
 *                the warm-up
 *   plateau      the run grew (growth >= 5%), the middle third's median
 *                rose above the baseline, and the last third's median is
 *                not above the middle third's by more than max(1 MB, 2% of
 *                it) — nor by more than half the baseline-to-middle rise.
 *                The second bound is what lets a slow leak through: at
 *                2 MB/min over a minute the thirds are only 0.7 MB apart,
 *                under 1 MB, but the rise goes on as steeply late as early,
 *                where a plateau's late rise is near zero. And the last
 *                third must be steady: its interquartile range under half
 *                that rise — else a GC sawtooth that happens to end high
 *                would pass for one. The plateau is tested first, as the
 *                slope cannot see it: a step up early in the run leaves
 *                most pairs of points on the same level, so their median
 *                slope is ~0.
 *   none         a plateau; or a slope under 0.5 MB/min; or growth under
 *                5%; or R² under 0.3 ("no steady trend": a sawtooth or
 *                noise, not a line)
 *   rapid        a slope above 10 MB/min with R² >= 0.5 and growth >= 20%
 *   slow         the rest
 *
 * 0.5 and 10 MB/min are the memory_growth budget's target and critical
 * values (src/core/budget.h, docs/budgets.md: below the target is on
 * target, above the critical value is critical), so the verdict agrees
 * with the budget table; mem_judge_limits() takes other values, for a
 * budget overridden in perfagent.ini or by --budget. Why the other numbers:
 * 5% of a 50 MB process is 2.5 MB, more than a settling heap moves in a
 * short run; a rapid leak must also be large (20%) and clearly linear
 * (R² 0.5), since calling something a rapid leak is a high-severity
 * finding; 0.3 keeps slow growth under GC noise, which a line explains
 * only in part, while a sawtooth with no drift explains ~0.
 */
#include "memtl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/units.h"

/* The verdict's thresholds; see the top of the file. */
#define MEM_MIN_POINTS 10
#define MEM_MIN_SPAN_S 3.0
#define MEM_TS_MAX_POINTS 400
#define MEM_BASELINE_FRAC 0.2
#define MEM_FINAL_POINTS 5
#define MEM_SLOW_MB_MIN 0.5
#define MEM_RAPID_MB_MIN 10.0
#define MEM_GROWTH_MIN_PCT 5.0
#define MEM_RAPID_GROWTH_PCT 20.0
#define MEM_R2_SLOW 0.3
#define MEM_R2_RAPID 0.5
#define MEM_PLATEAU_ABS_MB 1.0
#define MEM_PLATEAU_REL 0.02

/* The largest /proc file we read whole (status with a huge Groups line). */
#define PROC_FILE_MAX (1u << 20)

/* ---------------------------------------------------------------- /proc */

/*
 * Read a /proc file whole into b (reset first). 0, or -1 with errno from
 * open/read: ENOENT or ESRCH when the process is gone, EACCES when denied.
 * /proc files report size 0, so this reads until EOF, growing the buffer.
 */
static int read_proc(const char *path, struct buf *b)
{
	buf_reset(b);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		buf_grow(b, 4096);
		ssize_t r = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		b->data[b->len] = '\0';
		if (b->len >= PROC_FILE_MAX)
			break;
	}
	close(fd);
	if (!b->data)
		buf_grow(b, 1);
	b->data[b->len] = '\0';
	return 0;
}

/*
 * The fields of /proc/PID/stat after the command name: fields[0] is field
 * 3 (state), fields[1] field 4 (ppid), and so on, as man 5 proc numbers
 * them. Points into s, which it cuts with NULs. Returns how many fields were
 * found, 0 when the line has no ')'.
 */
static size_t stat_fields(char *s, char **fields, size_t max)
{
	char *p = strrchr(s, ')');
	if (!p)
		return 0;
	p++;
	size_t n = 0;
	while (n < max) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* The number after "key:" at the start of a line of a status or io file, or -1. */
static int64_t proc_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			char *end;
			errno = 0;
			long long v = strtoll(p + klen + 1, &end, 10);
			if (end == p + klen + 1 || errno)
				return -1;
			return (int64_t)v;
		}
	}
	return -1;
}

/* stat's field (numbered as in man 5 proc, 3 and up) as a number, or -1. */
static int64_t stat_num(char **f, size_t nf, size_t field)
{
	if (field < 3 || field - 3 >= nf)
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(f[field - 3], &end, 10);
	if (end == f[field - 3] || errno || v > INT64_MAX)
		return -1;
	return (int64_t)v;
}

int proc_read(pid_t pid, struct proc_reading *r)
{
	*r = (struct proc_reading){
		.rss = -1, .hwm = -1, .threads = -1, .utime = -1, .stime = -1,
		.minflt = -1, .majflt = -1, .vol_ctx = -1, .invol_ctx = -1,
		.read_bytes = -1, .write_bytes = -1, .rchar = -1, .wchar = -1,
	};
	if (pid <= 0)
		return -1;
	char path[64];
	struct buf b = BUF_INIT;

	/* stat: the process is gone when it cannot be read. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_proc(path, &b)) {
		buf_free(&b);
		return -1;
	}
	char *f[24];
	size_t nf = stat_fields(b.data, f, 24);
	if (nf == 0) {
		buf_free(&b);
		return -1;
	}
	long tck = sysconf(_SC_CLK_TCK);
	if (tck <= 0)
		tck = 100;
	int64_t v;
	r->minflt = stat_num(f, nf, 10);
	r->majflt = stat_num(f, nf, 12);
	if ((v = stat_num(f, nf, 14)) >= 0)
		r->utime = (double)v / (double)tck;
	if ((v = stat_num(f, nf, 15)) >= 0)
		r->stime = (double)v / (double)tck;
	/* num_threads is a signed field, but never negative for a live process */
	if ((v = stat_num(f, nf, 20)) >= 0 && v <= INT32_MAX)
		r->threads = (int)v;

	/* status: the memory and the context switches. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_proc(path, &b) == 0) {
		if ((v = proc_field(b.data, "VmRSS")) >= 0)
			r->rss = v * 1024;
		if ((v = proc_field(b.data, "VmHWM")) >= 0)
			r->hwm = v * 1024;
		r->vol_ctx = proc_field(b.data, "voluntary_ctxt_switches");
		r->invol_ctx = proc_field(b.data, "nonvoluntary_ctxt_switches");
	}

	/* io: needs ptrace-read access; -1 when denied. */
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if (read_proc(path, &b) == 0) {
		r->rchar = proc_field(b.data, "rchar");
		r->wchar = proc_field(b.data, "wchar");
		r->read_bytes = proc_field(b.data, "read_bytes");
		r->write_bytes = proc_field(b.data, "write_bytes");
	}
	buf_free(&b);
	return 0;
}

/* A growable array of pids. */
struct pidv {
	pid_t *v;
	size_t n, cap;
};

static void pidv_push(struct pidv *a, pid_t p)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = p;
}

static int pidv_has(const struct pidv *a, pid_t p)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == p)
			return 1;
	return 0;
}

/* A /proc directory entry's name as a pid, or 0 when it is not one. */
static pid_t name_pid(const char *s)
{
	if (!*s)
		return 0;
	long v = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return 0;
	}
	return (pid_t)v;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/*
 * Thread ids of pid, ascending. -1 (and *out NULL) when /proc/PID/task
 * cannot be opened: the process is gone.
 */
int proc_threads(pid_t pid, pid_t **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (pid <= 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct pidv a = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (name_pid(de->d_name))
			pidv_push(&a, name_pid(de->d_name));
	closedir(d);
	if (a.n)
		qsort(a.v, a.n, sizeof(*a.v), cmp_pid);
	*out = a.v;
	*n = a.n;
	return 0;
}

/*
 * Add the children of p listed in /proc/p/task/TID/children to found.
 * 0; 1 when the kernel has no children files (the caller falls back to
 * scanning /proc); -1 when p is gone.
 */
static int children_of(pid_t p, struct pidv *found, struct buf *b)
{
	pid_t *tids;
	size_t nt;
	if (proc_threads(p, &tids, &nt))
		return -1;
	int rc = 0;
	for (size_t i = 0; i < nt; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)tids[i]);
		if (read_proc(path, b)) {
			/* No children file for a task that is there: the kernel lacks them. */
			if (errno == ENOENT && i == 0 && access(path, F_OK) != 0) {
				char task[64];
				snprintf(task, sizeof(task), "/proc/%d/task/%d", (int)p, (int)tids[i]);
				if (access(task, F_OK) == 0) {
					rc = 1;
					break;
				}
			}
			continue; /* the thread ended meanwhile */
		}
		char *s = b->data, *end;
		for (;;) {
			errno = 0;
			long c = strtol(s, &end, 10);
			if (end == s)
				break;
			if (c > 0 && c <= INT32_MAX && !pidv_has(found, (pid_t)c))
				pidv_push(found, (pid_t)c);
			s = end;
		}
	}
	free(tids);
	return rc;
}

/* The fallback: every process's parent from /proc/N/stat, then the tree under pid. */
static void descendants_by_scan(pid_t pid, struct pidv *found, struct buf *b)
{
	struct pidv pids = {0}, parents = {0};
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t p = name_pid(de->d_name);
		if (!p)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
		if (read_proc(path, b))
			continue;
		char *f[4];
		size_t nf = stat_fields(b->data, f, 4);
		int64_t pp = stat_num(f, nf, 4);
		if (pp <= 0)
			continue;
		pidv_push(&pids, p);
		pidv_push(&parents, (pid_t)pp);
	}
	closedir(d);
	/* Breadth first: found grows while we walk it. */
	for (size_t q = 0; q <= found->n; q++) {
		pid_t parent = q == 0 ? pid : found->v[q - 1];
		for (size_t i = 0; i < pids.n; i++)
			if (parents.v[i] == parent && pids.v[i] != pid && !pidv_has(found, pids.v[i]))
				pidv_push(found, pids.v[i]);
	}
	free(pids.v);
	free(parents.v);
}

/*
 * pid's descendants, breadth first (children, then theirs). 0 with *out
 * malloc'd (NULL when there are none); -1 with *out NULL when pid is gone.
 * A descendant that exits during the walk is simply missing; a pid seen
 * twice (reuse during the walk) is listed once.
 */
int proc_descendants(pid_t pid, pid_t **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (pid <= 0)
		return -1;
	struct pidv found = {0};
	struct buf b = BUF_INIT;
	int rc = children_of(pid, &found, &b);
	if (rc < 0) {
		buf_free(&b);
		return -1;
	}
	if (rc == 0) {
		for (size_t q = 0; q < found.n; q++)
			if (children_of(found.v[q], &found, &b) > 0)
				break; /* cannot happen once the first worked */
	} else {
		descendants_by_scan(pid, &found, &b);
	}
	buf_free(&b);
	*out = found.v;
	*n = found.n;
	return 0;
}

/* ------------------------------------------------------------- verdict */

const char *mem_growth_name(enum mem_growth g)
{
	switch (g) {
	case MEM_GROWTH_NONE:
		return "none";
	case MEM_GROWTH_SLOW:
		return "slow";
	case MEM_GROWTH_RAPID:
		return "rapid";
	case MEM_GROWTH_UNKNOWN:
		break;
	}
	return "unknown";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of v[0..n) (n > 0); sorts a copy. */
static double median_of(const double *v, size_t n)
{
	double *c = xmalloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

/* The interquartile range of v[0..n) (n > 0), nearest-rank; sorts a copy. */
static double iqr_of(const double *v, size_t n)
{
	double *c = xmalloc(n * sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	double r = c[(3 * (n - 1)) / 4] - c[(n - 1) / 4];
	free(c);
	return r;
}

/*
 * Theil–Sen slope (per second) of y over x, n >= 2: the median of the
 * pairwise slopes, on at most MEM_TS_MAX_POINTS points taken evenly, so the
 * cost is bounded (O(k²) pairs, k <= 400) however long the run.
 */
static double theil_sen(const double *x, const double *y, size_t n)
{
	size_t k = n < MEM_TS_MAX_POINTS ? n : MEM_TS_MAX_POINTS;
	size_t *idx = xmalloc(k * sizeof(*idx));
	for (size_t i = 0; i < k; i++)
		idx[i] = k == 1 ? 0 : (size_t)((double)i * (double)(n - 1) / (double)(k - 1) + 0.5);
	double *s = xmalloc((k * (k - 1) / 2 + 1) * sizeof(*s));
	size_t m = 0;
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++) {
			double dx = x[idx[j]] - x[idx[i]];
			if (dx > 0)
				s[m++] = (y[idx[j]] - y[idx[i]]) / dx;
		}
	double slope = m ? median_of(s, m) : 0;
	free(s);
	free(idx);
	return slope;
}

/* R² of the least-squares line of y over x; 0 when y does not vary (no trend to explain). */
static double r_squared(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxx += dx * dx;
		sxy += dx * dy;
		syy += dy * dy;
	}
	if (sxx <= 0 || syy <= 1e-12 * (my * my + 1))
		return 0;
	double r2 = sxy * sxy / (sxx * syy);
	return r2 > 1 ? 1 : r2;
}

/* The verdict's one-sentence reason (cut at 255 bytes, which the sentences below stay well under). */
__attribute__((format(printf, 2, 3))) static void set_reason(struct mem_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

void mem_judge(const double *t, const double *rss_mb, size_t n, double warmup_s, struct mem_verdict *v)
{
	mem_judge_limits(t, rss_mb, n, warmup_s, MEM_SLOW_MB_MIN, MEM_RAPID_MB_MIN, v);
}

/*
 * The verdict, step by step (thresholds at the top of the file): drop the
 * unreadable points and the warm-up; say unknown when too little is left;
 * measure slope, R², baseline, growth and the thirds; then the first rule
 * that fits decides — plateau, no slope, little growth, no steady trend,
 * rapid, slow. The reason states the numbers the rule looked at.
 */
void mem_judge_limits(const double *t, const double *rss_mb, size_t n, double warmup_s,
		      double slow_mb_min, double rapid_mb_min, struct mem_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->growth = MEM_GROWTH_UNKNOWN;
	v->slope_mb_min = v->r2 = v->baseline_mb = v->growth_pct = NAN;
	v->peak_mb = v->final_mb = v->idle_mb = NAN;

	/* The readable points (a failed read is -1 or NaN), and the run's peak. */
	double *x = xmalloc((n ? n : 1) * sizeof(*x));
	double *y = xmalloc((n ? n : 1) * sizeof(*y));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(t[i]) || !isfinite(rss_mb[i]) || rss_mb[i] < 0)
			continue;
		if (m && t[i] < x[m - 1])
			continue; /* out of order: not a timeline */
		x[m] = t[i];
		y[m] = rss_mb[i];
		if (!(v->peak_mb >= y[m]))
			v->peak_mb = y[m];
		m++;
	}
	if (m == 0) {
		set_reason(v, "no memory readings: the process could not be read");
		goto out;
	}
	v->final_mb = median_of(y + (m > MEM_FINAL_POINTS ? m - MEM_FINAL_POINTS : 0), m > MEM_FINAL_POINTS ? MEM_FINAL_POINTS : m);

	/* The warm-up, at most half the run. */
	double span = x[m - 1] - x[0];
	double warm = warmup_s > 0 ? warmup_s : 0;
	if (warm > span / 2)
		warm = span / 2;
	size_t s0 = 0;
	while (s0 < m && x[s0] < x[0] + warm)
		s0++;
	const double *jx = x + s0, *jy = y + s0;
	size_t k = m - s0;
	v->points = k;
	double jspan = k ? jx[k - 1] - jx[0] : 0;
	char num[64], num2[64], num3[128], num4[64];
	if (k)
		v->idle_mb = median_of(jy, k);
	if (k < MEM_MIN_POINTS || jspan < MEM_MIN_SPAN_S - 0.01) { /* 10 ms: sampling jitter */
		fmt_num(jspan, num, sizeof(num));
		fmt_num(warm, num2, sizeof(num2));
		snprintf(num3, sizeof(num3), " after the %s s warm-up", num2);
		set_reason(v, "only %zu samples over %s s%s; a verdict needs at least %d samples over %g s",
			   k, num, warm > 0 ? num3 : "", MEM_MIN_POINTS, MEM_MIN_SPAN_S);
		goto out;
	}

	v->slope_mb_min = theil_sen(jx, jy, k) * 60;
	v->r2 = r_squared(jx, jy, k);
	size_t nb = (size_t)((double)k * MEM_BASELINE_FRAC);
	if (nb < 1)
		nb = 1;
	v->baseline_mb = median_of(jy, nb);
	double denom = v->baseline_mb > 0 ? v->baseline_mb : 1;
	double grown = v->final_mb - v->baseline_mb;
	v->growth_pct = grown / denom * 100;

	/* The thirds: did the rise go on to the end? */
	size_t a = k / 3, b = 2 * k / 3;
	double med_mid = median_of(jy + a, b - a), med_last = median_of(jy + b, k - b);
	double rise_early = med_mid - v->baseline_mb, rise_late = med_last - med_mid;
	double tol = med_mid * MEM_PLATEAU_REL;
	if (tol < MEM_PLATEAU_ABS_MB)
		tol = MEM_PLATEAU_ABS_MB;
	if (tol > rise_early / 2)
		tol = rise_early / 2;
	v->plateau = v->growth_pct >= MEM_GROWTH_MIN_PCT && rise_early > 0 && rise_late <= tol &&
		     iqr_of(jy + b, k - b) <= rise_early / 2;

	char slope[64], dur[64], r2[32], base[64], fin[64], grew[64];
	fmt_num(v->slope_mb_min, slope, sizeof(slope));
	fmt_num(jspan, dur, sizeof(dur));
	snprintf(r2, sizeof(r2), "%.2f", v->r2);
	fmt_mb(v->baseline_mb, base, sizeof(base));
	fmt_mb(v->final_mb, fin, sizeof(fin));
	fmt_mb(grown, grew, sizeof(grew));

	if (v->plateau) {
		v->growth = MEM_GROWTH_NONE;
		fmt_mb(med_last, num, sizeof(num));
		fmt_mb(rise_late, num2, sizeof(num2));
		set_reason(v, "grew from a %s baseline, then held at %s through the last third "
			   "(%s%s against the middle third): a plateau, not a leak",
			   base, num, rise_late >= 0 ? "+" : "", num2);
	} else if (v->slope_mb_min < slow_mb_min) {
		v->growth = MEM_GROWTH_NONE;
		fmt_num(slow_mb_min, num, sizeof(num));
		set_reason(v, "no growth: %s MB/min over %s s (under %s MB/min), %s at the end against a %s baseline",
			   slope, dur, num, fin, base);
	} else if (v->growth_pct < MEM_GROWTH_MIN_PCT) {
		v->growth = MEM_GROWTH_NONE;
		fmt_num(v->growth_pct, num, sizeof(num));
		set_reason(v, "little growth: %s MB/min over %s s, but only %s (%s%%) over a %s baseline, under %g%%",
			   slope, dur, grew, num, base, MEM_GROWTH_MIN_PCT);
	} else if (v->r2 < MEM_R2_SLOW) {
		v->growth = MEM_GROWTH_NONE;
		set_reason(v, "no steady trend: %s MB/min over %s s, but a line explains little of it "
			   "(R² %s, under %g); %s at the end against a %s baseline",
			   slope, dur, r2, MEM_R2_SLOW, fin, base);
	} else {
		int rapid = v->slope_mb_min > rapid_mb_min && v->r2 >= MEM_R2_RAPID && v->growth_pct >= MEM_RAPID_GROWTH_PCT;
		v->growth = rapid ? MEM_GROWTH_RAPID : MEM_GROWTH_SLOW;
		fmt_num(v->growth_pct, num4, sizeof(num4));
		num3[0] = '\0';
		if (rise_late > 0) {
			fmt_mb(rise_late, num, sizeof(num));
			snprintf(num3, sizeof(num3), ", still rising in the last third (+%s)", num);
		}
		set_reason(v, "grew %s MB/min for %s s (R² %s), %s (%s%%) over a %s baseline%s",
			   slope, dur, r2, grew, num4, base, num3);
	}
out:
	free(x);
	free(y);
}
