/*
 * prun: one profiling run (see prof.h). The child is forked first and
 * held on a pipe until the perf events are open on it (enable_on_exec),
 * so sampling begins at its exec and no early sample is missed; a
 * program that cannot be executed says so through a close-on-exec pipe.
 * Memory is read from /proc every --mem-interval; the rings are drained
 * at the same tick. When the run ends the samples are resolved against
 * the mappings the kernel reported (so a process that has exited can
 * still be symbolized) and the memory timeline is judged.
 */
#include "prof.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/clock.h"
#include "pyframes.h"
#include "sampler.h"
#include "sym.h"

#define TL_MAX 200000    /* timeline points kept (about 2.7 h at 50 ms) */
#define WARMUP_S 1.0     /* start-up allocation is not a leak */

void prof_run_free(struct prof_run *r)
{
	free(r->command);
	free(r->tl);
	free(r->sampler);
	free(r->python);
	free(r->python_error);
	pprof_free(&r->cpu);
	memset(r, 0, sizeof(*r));
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	nanosleep(&ts, NULL); /* a signal ends it early; the loop looks at the stop flag */
}

/*
 * Sleep up to s seconds, or until the process behind pidfd exits (a
 * pidfd turns readable then): a program that ends is noticed at once,
 * not at the next tick. Without a pidfd (kernels before 5.3), a plain
 * sleep.
 */
static void wait_s(int pidfd, double s)
{
	if (s <= 0)
		return;
	if (pidfd < 0) {
		sleep_s(s);
		return;
	}
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	poll(&p, 1, (int)(s * 1000 + 0.999));
}

static char *join_argv(char *const *argv)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			buf_putc(&b, ' ');
		int quote = strpbrk(argv[i], " \t'\"") != NULL || !argv[i][0];
		if (quote)
			buf_printf(&b, "'%s'", argv[i]);
		else
			buf_puts(&b, argv[i]);
	}
	return buf_detach(&b);
}

/* ---- Python stacks ---- */

/* One thread's Python stack at one moment, its frames interned in the profile. */
struct pysamp {
	uint64_t t_ns; /* CLOCK_MONOTONIC, as perf's samples */
	unsigned long tid;
	uint32_t *ids; /* root first */
	uint32_t n;
};

struct pylog {
	struct pysamp *v;
	size_t n, cap;
};

static void pylog_free(struct pylog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].ids);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Attach to the CPython interpreter of pid or, when pid is a launcher
 * (a shell, a supervisor), of its first descendant that is one. *py_pid is
 * the process attached to. -1 with e from pid's own attempt.
 */
static int py_attach_tree(pid_t pid, struct py_proc **py, pid_t *py_pid, struct perr *e)
{
	if (py_attach(pid, py, e) == 0) {
		*py_pid = pid;
		return 0;
	}
	pid_t *kids = NULL;
	size_t n = 0;
	int rc = -1;
	if (proc_descendants(pid, &kids, &n) == 0)
		for (size_t i = 0; i < n && rc; i++) {
			struct perr ke;
			if (py_attach(kids[i], py, &ke) == 0) {
				*py_pid = kids[i];
				rc = 0;
			}
		}
	free(kids);
	return rc;
}

/* Whether thread tid of pid is running or runnable (state R in /proc/PID/task/TID/stat). */
static int thread_running(pid_t pid, unsigned long tid)
{
	char path[96], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%lu/stat", (int)pid, tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *close = strrchr(buf, ')');
	return close && close[1] == ' ' && close[2] == 'R';
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/*
 * Read every thread's Python stack now and log it. Without perf samples
 * to say which thread was on a CPU, only threads the kernel shows running
 * are kept (the no-privilege fallback). -1 when the interpreter can no
 * longer be read (the process ended).
 */
static int py_take(struct py_proc *py, pid_t pid, int running_only, struct pprof *p, struct pylog *log)
{
	struct py_thread_stack *st = NULL;
	size_t n = 0;
	if (py_sample(py, &st, &n) < 0)
		return -1;
	uint64_t now = (uint64_t)clock_mono_ns();
	for (size_t i = 0; i < n; i++) {
		if (st[i].nframes == 0 || (running_only && !thread_running(pid, st[i].tid)))
			continue;
		if (log->n == log->cap) {
			log->cap = log->cap ? log->cap * 2 : 1024;
			log->v = xrealloc(log->v, log->cap * sizeof(*log->v));
		}
		struct pysamp *ps = &log->v[log->n++];
		ps->t_ns = now;
		ps->tid = st[i].tid;
		ps->n = (uint32_t)st[i].nframes;
		ps->ids = xmalloc(st[i].nframes * sizeof(*ps->ids));
		for (size_t k = 0; k < st[i].nframes; k++) {
			const struct py_frame *f = &st[i].frames[k];
			const char *file = f->filename ? f->filename : "?";
			ps->ids[k] = pprof_frame(p, f->qualname ? f->qualname : "?", base_name(file), file, f->line,
						 PFRAME_PYTHON);
		}
	}
	py_stacks_free(st, n);
	return 0;
}

static int by_tid_time(const void *a, const void *b)
{
	const struct pysamp *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->t_ns > y->t_ns) - (x->t_ns < y->t_ns);
}

/* The logged Python stack of tid nearest to t_ns, within window_ns; NULL when none. */
static const struct pysamp *py_near(const struct pylog *l, unsigned long tid, uint64_t t_ns, uint64_t window_ns)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pysamp *m = &l->v[mid];
		if (m->tid < tid || (m->tid == tid && m->t_ns < t_ns))
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct pysamp *best = NULL;
	uint64_t bestd = window_ns + 1;
	for (size_t k = lo > 0 ? lo - 1 : 0; k <= lo && k < l->n; k++) {
		const struct pysamp *c = &l->v[k];
		if (c->tid != tid)
			continue;
		uint64_t d = c->t_ns > t_ns ? c->t_ns - t_ns : t_ns - c->t_ns;
		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	return best;
}

/* The interpreter's own code: its frames give way to the Python frames they run. */
static int interpreter_module(const char *m)
{
	return m && (strncmp(m, "python", 6) == 0 || strncmp(m, "libpython", 9) == 0);
}

/* ---- resolving samples ---- */

struct space_of {
	uint32_t pid;
	struct sym_space *space;
};

/* The symbol space for pid: built from its mmap records; a forked child without any uses its parent's (the root's). */
static struct sym_space *space_for(struct space_of *v, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return v[i].space;
	return n ? v[0].space : NULL;
}

struct addr_cache {
	uint64_t *keys;
	uint32_t *vals;
	struct sym_space **spaces;
	size_t cap, n;
};

static size_t cache_slot(const struct addr_cache *c, const struct sym_space *sp, uint64_t addr)
{
	uint64_t h = (addr ^ (uint64_t)(uintptr_t)sp) * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 20) & (c->cap - 1);
	while (c->keys[i] && !(c->keys[i] == addr && c->spaces[i] == sp))
		i = (i + 1) & (c->cap - 1);
	return i;
}

static void cache_grow(struct addr_cache *c)
{
	struct addr_cache old = *c;
	c->cap = old.cap ? old.cap * 2 : 4096;
	c->keys = xcalloc(c->cap, sizeof(*c->keys));
	c->vals = xcalloc(c->cap, sizeof(*c->vals));
	c->spaces = xcalloc(c->cap, sizeof(*c->spaces));
	c->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i]) {
			size_t s = cache_slot(c, old.spaces[i], old.keys[i]);
			c->keys[s] = old.keys[i];
			c->vals[s] = old.vals[i];
			c->spaces[s] = old.spaces[i];
			c->n++;
		}
	free(old.keys);
	free(old.vals);
	free(old.spaces);
}

/* The frame id for addr in space sp (a caller's return address is looked up one byte back, inside the call). */
static uint32_t frame_of(struct pprof *p, struct addr_cache *c, struct sym_space *sp, uint64_t addr)
{
	if (addr == 0)
		addr = 1;
	if ((c->n + 1) * 2 > c->cap)
		cache_grow(c);
	size_t s = cache_slot(c, sp, addr);
	if (c->keys[s])
		return c->vals[s];
	struct sym_result r;
	memset(&r, 0, sizeof(r));
	int found = sp ? sym_lookup(sp, addr, &r) : 0;
	char unknown[64];
	const char *name = r.name;
	if (!found || !name) {
		if (r.module)
			snprintf(unknown, sizeof(unknown), "[%s]", r.module);
		else
			snprintf(unknown, sizeof(unknown), "[unknown]");
		name = unknown;
	}
	uint32_t id = pprof_frame(p, name, r.module, r.file, r.line, r.jit ? PFRAME_JIT : PFRAME_NATIVE);
	c->keys[s] = addr;
	c->vals[s] = id;
	c->spaces[s] = sp;
	c->n++;
	return id;
}

/*
 * Resolve the perf samples into p. A sample of a thread whose Python
 * stack was read within a period of it becomes that Python stack, plus
 * the native leaf when the CPU was outside the interpreter (in libc, a C
 * extension): so a handler shows as views.py:42 list_profiles, not as
 * _PyEval_EvalFrameDefault. Debian's CPython has no frame pointers, so
 * the native frames between are not trustworthy and are left out.
 */
/*
 * Our own vDSO: the kernel maps the same image into every process, so
 * the target's [vdso] addresses are named from this copy. 0 when there
 * is none to find.
 */
static size_t own_vdso(const void **image)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	FILE *f = fopen("/proc/self/maps", "r");
	size_t len = 0;
	char line[512];
	while (base && f && fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &a, &b) == 2 && a == base) {
			len = b - a;
			break;
		}
	}
	if (f)
		fclose(f);
	*image = (const void *)base;
	return len;
}

static void resolve(struct sampler *s, pid_t root, struct sym_space *root_space, struct pprof *p, struct pylog *py,
		    uint64_t window_ns)
{
	/* one space per pid that has mappings, the root first */
	struct space_of *spaces = NULL;
	size_t nsp = 0;
	struct perr ignore;
	spaces = xcalloc(1, sizeof(*spaces));
	spaces[0].pid = (uint32_t)root;
	spaces[0].space = root_space; /* for --pid, the mappings read when the run began */
	nsp = 1;
	for (size_t i = 0; i < s->nmaps; i++) {
		struct samp_map *m = &s->maps[i];
		struct sym_space *sp = NULL;
		for (size_t k = 0; k < nsp; k++)
			if (spaces[k].pid == m->pid)
				sp = spaces[k].space;
		if (!sp) {
			spaces = xrealloc(spaces, (nsp + 1) * sizeof(*spaces));
			spaces[nsp].pid = m->pid;
			spaces[nsp].space = sp = sym_space_new();
			nsp++;
		}
		if (strcmp(m->path, "[vdso]") == 0) {
			const void *img;
			size_t len = own_vdso(&img);
			if (len)
				sym_space_map_image(sp, m->start, m->start + m->len, 0, "[vdso]", img, len);
			continue;
		}
		sym_space_map(sp, m->start, m->start + m->len, m->pgoff, m->path);
	}
	for (size_t k = 0; k < nsp; k++)
		sym_space_load_perfmap(spaces[k].space, (pid_t)spaces[k].pid, &ignore);
	struct addr_cache cache = {0};
	uint32_t ids[SAMP_MAX_DEPTH];
	uint32_t *merged = NULL;
	size_t mcap = 0;
	if (py->n)
		qsort(py->v, py->n, sizeof(*py->v), by_tid_time);
	for (size_t i = 0; i < s->nsamples; i++) {
		struct samp_sample *sm = &s->samples[i];
		struct sym_space *sp = space_for(spaces, nsp, sm->pid);
		uint32_t d = sm->depth;
		const struct pysamp *ps = py->n ? py_near(py, sm->tid, sm->time_ns, window_ns) : NULL;
		if (ps) {
			uint32_t leaf = frame_of(p, &cache, sp, sm->ips[0]);
			/* an address nothing names (the vDSO) adds nothing to the Python frame it ran for */
			int native_leaf = p->frames[leaf].module && !interpreter_module(p->frames[leaf].module);
			size_t n = ps->n + (size_t)native_leaf;
			if (n > mcap) {
				mcap = n * 2;
				merged = xrealloc(merged, mcap * sizeof(*merged));
			}
			memcpy(merged, ps->ids, ps->n * sizeof(*merged));
			if (native_leaf)
				merged[ps->n] = leaf;
			pprof_add(p, merged, n, 1);
			continue;
		}
		/* root first: the outermost caller is the last ip */
		for (uint32_t k = 0; k < d; k++) {
			uint64_t ip = sm->ips[d - 1 - k];
			ids[k] = frame_of(p, &cache, sp, (d - 1 - k) > 0 ? ip - 1 : ip);
		}
		pprof_add(p, ids, d, 1);
	}
	free(merged);
	free(cache.keys);
	free(cache.vals);
	free(cache.spaces);
	for (size_t k = 0; k < nsp; k++)
		sym_space_free(spaces[k].space);
	free(spaces);
}

/* ---- the run ---- */

/*
 * Start argv as a child held before exec; *go is the pipe end that lets
 * it exec, *errp the pipe it reports an exec failure on. -1 with e set.
 */
static pid_t spawn_held(char *const *argv, int *go, int *errp, struct perr *e)
{
	int g[2], x[2];
	if (pipe2(g, O_CLOEXEC))
		return perr_set(e, "cannot create a pipe: %s", strerror(errno));
	if (pipe2(x, O_CLOEXEC)) {
		close(g[0]);
		close(g[1]);
		return perr_set(e, "cannot create a pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(g[0]);
		close(g[1]);
		close(x[0]);
		close(x[1]);
		return perr_set(e, "cannot start '%s': %s", argv[0], strerror(err));
	}
	if (pid == 0) {
		char c;
		close(g[1]);
		close(x[0]);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (read(g[0], &c, 1) != 1)
			_exit(126); /* perfagent went away before letting it run */
		execvp(argv[0], argv);
		int err = errno;
		if (write(x[1], &err, sizeof(err)) != (ssize_t)sizeof(err))
			_exit(126);
		_exit(127);
	}
	close(g[0]);
	close(x[1]);
	*go = g[1];
	*errp = x[0];
	return pid;
}

/* The process and, when asked, its descendants: RSS in MB and threads. -1 when the process is gone. */
static int read_point(pid_t pid, int children, struct prof_point *pt, struct proc_reading *self)
{
	if (proc_read(pid, self) || self->rss < 0)
		return -1;
	double rss = (double)self->rss;
	int threads = self->threads;
	if (children) {
		pid_t *kids = NULL;
		size_t n = 0;
		if (proc_descendants(pid, &kids, &n) == 0)
			for (size_t i = 0; i < n; i++) {
				struct proc_reading r;
				if (proc_read(kids[i], &r) == 0 && r.rss > 0) {
					rss += (double)r.rss;
					threads += r.threads > 0 ? r.threads : 0;
				}
			}
		free(kids);
	}
	pt->rss_mb = rss / (1024.0 * 1024.0);
	pt->threads = threads;
	return 0;
}

int prof_run(const struct prof_opts *o, struct prof_run *out, struct perr *e)
{
	memset(out, 0, sizeof(*out));
	pprof_init(&out->cpu);
	out->read_bytes = out->write_bytes = -1;
	struct sampler s;
	memset(&s, 0, sizeof(s));
	struct perr se;
	int attach = o->argv == NULL;
	int go = -1, errp = -1;
	pid_t pid;
	struct proc_reading first = {0}, last = {0};
	if (attach) {
		pid = o->pid;
		if (proc_read(pid, &first))
			return perr_set(e, "no process %d (or it is not readable: it must be yours, or run as root)",
					(int)pid);
		char comm[64] = "";
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		FILE *f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		struct buf b = BUF_INIT;
		buf_printf(&b, "pid %d%s%s%s", (int)pid, comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
		out->command = buf_detach(&b);
	} else {
		pid = spawn_held(o->argv, &go, &errp, e);
		if (pid < 0)
			return -1;
		out->command = join_argv(o->argv);
	}
	out->pid = pid;
	/* PERFAGENT_PERF_OFF=1 takes the no-privilege path on purpose (for its tests) */
	const char *off = getenv("PERFAGENT_PERF_OFF");
	if (off && *off && strcmp(off, "0") != 0)
		perr_set(&se, "perf events turned off by PERFAGENT_PERF_OFF");
	else
		out->cpu_ok = samp_open(&s, pid, !attach, o->hz, &se) == 0;
	struct buf why = BUF_INIT;
	if (out->cpu_ok)
		buf_printf(&why, "perf_event cpu-clock at %d Hz, user-space call chains, all threads", o->hz);
	else
		buf_printf(&why, "none: %s", se.msg);
	out->sampler = buf_detach(&why);
	int64_t t0 = clock_mono_ns();
	if (!attach) {
		/* let it exec, and learn whether it could */
		if (write(go, "x", 1) != 1) {
			/* it is gone already: reaped below */
		}
		close(go);
		int err = 0;
		ssize_t got;
		while ((got = read(errp, &err, sizeof(err))) < 0 && errno == EINTR)
			;
		close(errp);
		if (got == (ssize_t)sizeof(err)) {
			waitpid(pid, NULL, 0);
			if (out->cpu_ok)
				samp_close(&s);
			return perr_set(e, "cannot run '%s': %s", o->argv[0], strerror(err));
		}
	}
	double interval = o->mem_interval_s > 0 ? o->mem_interval_s : 0.05;
	double py_period = 1.0 / (o->hz > 0 ? o->hz : 99);
	size_t cap = 0;
	int gone = 0, first_read = 1, py_tries = 0;
	struct py_proc *py = NULL;
	struct pylog pylog = {0};
	double next_mem = 0, next_py = 0, next_try = 0, next_drain = 0;
	double drain_period = interval < 0.05 ? interval : 0.05; /* rings are emptied at least this often */
	pid_t py_pid = pid;
	struct sym_space *root_space = sym_space_new();
	if (attach) {
		struct perr ignore;
		sym_space_load_maps(root_space, pid, &ignore); /* the kernel reports only mappings made from now on */
	}
#ifdef SYS_pidfd_open
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	int pidfd = -1;
#endif
	for (;;) {
		double t = clock_elapsed_s(t0, clock_mono_ns());
		if (t >= next_mem) {
			struct prof_point pt = {t, 0, 0};
			struct proc_reading r;
			if (read_point(pid, o->follow_children, &pt, &r) == 0) {
				last = r;
				if (first_read && !attach)
					first = r;
				first_read = 0;
				if (out->ntl < TL_MAX) {
					if (out->ntl == cap) {
						cap = cap ? cap * 2 : 256;
						out->tl = xrealloc(out->tl, cap * sizeof(*out->tl));
					}
					out->tl[out->ntl++] = pt;
				}
				if (pt.threads > out->max_threads)
					out->max_threads = pt.threads;
			}
			next_mem += interval;
			if (next_mem < t)
				next_mem = t + interval;
			if (o->progress)
				progress_update(o->progress, "profiling %s  %.1fs  %.0f MB  %zu samples", out->command, t,
						pt.rss_mb, s.nsamples + pylog.n);
		}
		if (out->cpu_ok && t >= next_drain) {
			samp_drain(&s);
			next_drain = t + drain_period;
		}
		/*
		 * Python: attach as soon as the interpreter is there (a launcher
		 * may start it a little later), then read its stacks every
		 * sampling period.
		 */
		if (o->python != PROF_PY_OFF && !py && py_tries < 40 && t >= next_try) {
			struct perr pe;
			py_tries++;
			next_try = t + (py_tries < 20 ? 0.05 : 0.5);
			if (py_attach_tree(pid, &py, &py_pid, &pe) == 0) {
				struct buf b = BUF_INIT;
				buf_printf(&b, "CPython %s", py_version(py));
				out->python = buf_detach(&b);
				free(out->python_error);
				out->python_error = NULL;
			} else {
				free(out->python_error);
				out->python_error = xstrdup(pe.msg);
				py = NULL;
			}
		}
		if (py && t >= next_py) {
			if (py_take(py, py_pid, !out->cpu_ok, &out->cpu, &pylog) == 0) {
				out->py_samples++;
			} else {
				py_detach(py);
				py = NULL;
				py_tries = 40; /* it ended: do not look again */
			}
			next_py += py_period;
			if (next_py < t)
				next_py = t + py_period;
		}
		if (!attach) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
				gone = 1;
				break;
			}
		} else if (kill(pid, 0) && errno == ESRCH) {
			gone = 1;
			break;
		}
		if (o->stop && *o->stop) {
			out->stopped_by = 2;
			break;
		}
		if (o->duration_s > 0 && t >= o->duration_s) {
			out->stopped_by = 1;
			break;
		}
		double wake = next_mem;
		if (py && next_py < wake)
			wake = next_py;
		if (out->cpu_ok && next_drain < wake)
			wake = next_drain;
		if (!py && o->python != PROF_PY_OFF && py_tries < 40 && next_try < wake)
			wake = next_try;
		if (o->duration_s > 0 && o->duration_s < wake)
			wake = o->duration_s;
		wait_s(pidfd, wake - clock_elapsed_s(t0, clock_mono_ns()));
	}
	if (pidfd >= 0)
		close(pidfd);
	if (py)
		py_detach(py);
	out->wall_s = clock_elapsed_s(t0, clock_mono_ns());
	if (o->progress)
		progress_clear(o->progress);
	out->exited = gone;
	if (!attach) {
		pid_t *kids = NULL;
		size_t nkids = 0;
		if (!gone) {
			/* --duration or Ctrl-C: the command is ours, so it ends with the run, its children too */
			if (proc_descendants(pid, &kids, &nkids))
				nkids = 0;
			for (size_t k = 0; k < nkids; k++)
				kill(kids[k], SIGTERM);
			kill(pid, SIGTERM);
			for (int i = 0; i < 200; i++) {
				siginfo_t si;
				memset(&si, 0, sizeof(si));
				if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
					break;
				sleep_s(0.01);
			}
			kill(pid, SIGKILL);
			for (size_t k = 0; k < nkids; k++)
				kill(kids[k], SIGKILL);
		}
		free(kids);
		int st = 0;
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st))
			out->exit_code = WEXITSTATUS(st);
		else if (WIFSIGNALED(st) && gone && o->stop && *o->stop &&
			 (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGTERM))
			out->stopped_by = 2; /* the terminal's Ctrl-C reached it too: an interrupt, not a crash */
		else if (WIFSIGNALED(st) && gone)
			out->signal = WTERMSIG(st);
		out->user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
		out->sys_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		out->max_rss_mb = (double)ru.ru_maxrss / 1024.0;
		out->minflt = ru.ru_minflt;
		out->majflt = ru.ru_majflt;
		out->vol_ctx = ru.ru_nvcsw;
		out->invol_ctx = ru.ru_nivcsw;
	} else {
		out->user_s = last.utime - first.utime;
		out->sys_s = last.stime - first.stime;
		out->max_rss_mb = (double)(last.hwm > 0 ? last.hwm : last.rss) / (1024.0 * 1024.0);
		out->minflt = last.minflt - first.minflt;
		out->majflt = last.majflt - first.majflt;
		out->vol_ctx = last.vol_ctx - first.vol_ctx;
		out->invol_ctx = last.invol_ctx - first.invol_ctx;
	}
	if (last.read_bytes >= 0 && first.read_bytes >= 0) {
		out->read_bytes = last.read_bytes - (attach ? first.read_bytes : 0);
		out->write_bytes = last.write_bytes - (attach ? first.write_bytes : 0);
	}
	for (size_t i = 0; i < out->ntl; i++)
		if (out->tl[i].rss_mb > out->max_rss_mb)
			out->max_rss_mb = out->tl[i].rss_mb; /* with --follow-children the sum can be higher */
	uint64_t window = (uint64_t)(py_period * 1.5e9);
	if (window < 25000000)
		window = 25000000;
	if (out->cpu_ok) {
		samp_drain(&s);
		out->samples = s.nsamples;
		out->lost = s.lost;
		resolve(&s, pid, root_space, &out->cpu, &pylog, window);
		root_space = NULL; /* resolve freed it with the others */
		samp_close(&s);
		if (out->python) {
			free(out->sampler);
			struct buf b = BUF_INIT;
			buf_printf(&b, "perf_event cpu-clock at %d Hz, user-space call chains, all threads; %s frames read "
				       "every %.0f ms and merged",
				   o->hz, out->python, py_period * 1000);
			out->sampler = buf_detach(&b);
		}
	} else if (pylog.n) {
		/* no perf events: the Python stacks of running threads are the CPU profile */
		for (size_t i = 0; i < pylog.n; i++)
			pprof_add(&out->cpu, pylog.v[i].ids, pylog.v[i].n, 1);
		out->samples = pylog.n;
		out->cpu_ok = 1;
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s frames of running threads every %.0f ms (/proc task states, process_vm_readv), "
			       "as perf events are unavailable: %s",
			   out->python, py_period * 1000, out->sampler + strlen("none: "));
		free(out->sampler);
		out->sampler = buf_detach(&b);
	}
	pylog_free(&pylog);
	if (root_space)
		sym_space_free(root_space);
	double *t = xcalloc(out->ntl + 1, sizeof(double)), *m = xcalloc(out->ntl + 1, sizeof(double));
	for (size_t i = 0; i < out->ntl; i++) {
		t[i] = out->tl[i].t;
		m[i] = out->tl[i].rss_mb;
	}
	if (o->growth_slow_mb_min > 0 && o->growth_rapid_mb_min > 0)
		mem_judge_limits(t, m, out->ntl, WARMUP_S, o->growth_slow_mb_min, o->growth_rapid_mb_min, &out->mem);
	else
		mem_judge(t, m, out->ntl, WARMUP_S, &out->mem);
	free(t);
	free(m);
	return 0;
}
