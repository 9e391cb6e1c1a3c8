/*
 * test_pyframes: Python stacks read from live CPython processes, our
 * children — tests/fixtures/prof/hot.py (hot_function called from main
 * called from <module>, its line inside the function, in at least 90% of
 * 50 samples), a script with two busy threads (both seen, with distinct
 * native tids), a process that is not Python (refused, with the message),
 * a script whose stacks churn sampled back to back (never a wrong frame),
 * and the line table reader checked against the interpreter's own
 * co_positions() for every code object of a stdlib module.
 *
 * The interpreter is /usr/bin/python3; the tests skip, saying why, when it
 * is not 3.11 or 3.12. PYFRAMES_PYTHONS (a colon-separated list of more
 * interpreters, e.g. a libpython-linked 3.12) runs the hot, churn and line
 * table tests on each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prof/pyframes.h"

#define PYTHON "/usr/bin/python3"
#define HOT_PY "tests/fixtures/prof/hot.py"
#define NSAMPLES 50

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0)
		;
}

/* Start argv as a child that dies with us; its stdout goes to /dev/null. */
static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* "3.11" from `python -c ...`, or "" when it does not run. */
static void python_minor(const char *python, char *out, size_t len)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s -c 'import sys; print(\"%%d.%%d\" %% sys.version_info[:2])' 2>/dev/null",
		 python);
	out[0] = '\0';
	FILE *f = popen(cmd, "r");
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	pclose(f);
}

static int usable_python(const char *python)
{
	char v[32];
	python_minor(python, v, sizeof(v));
	if (strcmp(v, "3.11") && strcmp(v, "3.12")) {
		fprintf(stderr, "# skip: %s is %s, not CPython 3.11/3.12\n", python, v[0] ? v : "not runnable");
		return 0;
	}
	return 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* The frame index of qualname in st, or -1. */
static long find_frame(const struct py_thread_stack *st, const char *qualname)
{
	for (size_t i = 0; i < st->nframes; i++)
		if (!strcmp(st->frames[i].qualname, qualname))
			return (long)i;
	return -1;
}

/* hot_function's lines in hot.py: [its def line, the next def line). */
static void hot_range(int *lo, int *hi)
{
	FILE *f = fopen(HOT_PY, "r");
	assert_non_null(f);
	char line[512];
	int no = 0;
	*lo = *hi = 0;
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (!strncmp(line, "def hot_function", 16))
			*lo = no;
		else if (*lo && !*hi && !strncmp(line, "def ", 4))
			*hi = no;
	}
	fclose(f);
	assert_true(*lo > 0 && *hi > *lo);
}

/*
 * Sample python running hot.py: every good sample has a thread whose stack
 * is <module> -> main -> hot_function, in hot.py, at a line of the function.
 */
static void hot_with(const char *python)
{
	if (!usable_python(python)) {
		skip();
		return;
	}
	int lo, hi;
	hot_range(&lo, &hi);
	char *argv[] = {(char *)python, (char *)HOT_PY, (char *)"3", NULL};
	pid_t pid = spawn(argv);
	assert_true(pid > 0);
	sleep_ms(500);

	struct py_proc *p = NULL;
	struct perr e = {{0}};
	int rc = py_attach(pid, &p, &e);
	if (rc < 0)
		fprintf(stderr, "# py_attach: %s\n", e.msg);
	assert_int_equal(rc, 0);
	fprintf(stderr, "# %s is CPython %s\n", python, py_version(p));
	assert_true(!strncmp(py_version(p), "3.11", 4) || !strncmp(py_version(p), "3.12", 4));

	int good = 0;
	for (int s = 0; s < NSAMPLES; s++) {
		struct py_thread_stack *v;
		size_t n;
		assert_int_equal(py_sample(p, &v, &n), 0);
		int ok = 0;
		for (size_t t = 0; t < n && !ok; t++) {
			const struct py_thread_stack *st = &v[t];
			long h = find_frame(st, "hot_function");
			if (h < 2 || (size_t)h != st->nframes - 1)
				continue;
			const struct py_frame *f = &st->frames[h];
			ok = ends_with(f->filename, "hot.py") && f->line >= lo && f->line < hi &&
			     !strcmp(st->frames[0].qualname, "<module>") && !strcmp(st->frames[h - 1].qualname, "main") &&
			     st->tid == (unsigned long)pid;
			if (!ok)
				fprintf(stderr, "# sample %d: hot_function at %s:%d, root %s\n", s, f->filename, f->line,
					st->frames[0].qualname);
		}
		good += ok;
		py_stacks_free(v, n);
		sleep_ms(10);
	}
	fprintf(stderr, "# %d of %d samples in <module> -> main -> hot_function (lines %d-%d)\n", good, NSAMPLES,
		lo, hi - 1);
	assert_true(good * 10 >= NSAMPLES * 9);
	reap(pid);
	struct py_thread_stack *v;
	size_t n;
	assert_int_equal(py_sample(p, &v, &n), -1); /* gone */
	assert_null(v);
	assert_int_equal(n, 0);
	py_detach(p);
}

static void test_hot(void **state)
{
	(void)state;
	if (access(HOT_PY, R_OK) != 0) {
		fprintf(stderr, "# skip: %s not found; run from the repository root\n", HOT_PY);
		skip();
		return;
	}
	hot_with(PYTHON);
}

static const char threads_py[] = "import threading, time\n"
				 "def spin_a(end):\n"
				 "    x = 0\n"
				 "    while time.monotonic() < end:\n"
				 "        x += 1\n"
				 "def spin_b(end):\n"
				 "    y = 0.0\n"
				 "    while time.monotonic() < end:\n"
				 "        y += 0.5\n"
				 "end = time.monotonic() + 3\n"
				 "ts = [threading.Thread(target=spin_a, args=(end,)),\n"
				 "      threading.Thread(target=spin_b, args=(end,))]\n"
				 "for t in ts: t.start()\n"
				 "for t in ts: t.join()\n";

/* Two busy threads, each in its own function: both seen, on distinct tids of the process. */
static void test_threads(void **state)
{
	(void)state;
	if (!usable_python(PYTHON)) {
		skip();
		return;
	}
	char path[] = "/tmp/test_pyframes_XXXXXX.py";
	int fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, threads_py, sizeof(threads_py) - 1), (ssize_t)(sizeof(threads_py) - 1));
	close(fd);
	char *argv[] = {(char *)PYTHON, path, NULL};
	pid_t pid = spawn(argv);
	assert_true(pid > 0);
	sleep_ms(500);

	struct py_proc *p = NULL;
	struct perr e = {{0}};
	int rc = py_attach(pid, &p, &e);
	if (rc < 0)
		fprintf(stderr, "# py_attach: %s\n", e.msg);
	assert_int_equal(rc, 0);
	unsigned long tid_a = 0, tid_b = 0;
	int seen_a = 0, seen_b = 0;
	for (int s = 0; s < NSAMPLES; s++) {
		struct py_thread_stack *v;
		size_t n;
		assert_int_equal(py_sample(p, &v, &n), 0);
		for (size_t t = 0; t < n; t++) {
			const struct py_thread_stack *st = &v[t];
			if (!st->nframes)
				continue;
			const char *leaf = st->frames[st->nframes - 1].qualname;
			if (!strcmp(leaf, "spin_a")) {
				tid_a = st->tid;
				seen_a++;
			} else if (!strcmp(leaf, "spin_b")) {
				tid_b = st->tid;
				seen_b++;
			}
		}
		py_stacks_free(v, n);
		sleep_ms(10);
	}
	fprintf(stderr, "# spin_a on tid %lu in %d samples, spin_b on tid %lu in %d\n", tid_a, seen_a, tid_b,
		seen_b);
	assert_true(seen_a > 0 && seen_b > 0);
	assert_true(tid_a != tid_b);
	assert_true(tid_a != (unsigned long)pid && tid_b != (unsigned long)pid);
	char task[64];
	snprintf(task, sizeof(task), "/proc/%d/task/%lu", (int)pid, tid_a);
	assert_int_equal(access(task, F_OK), 0);
	snprintf(task, sizeof(task), "/proc/%d/task/%lu", (int)pid, tid_b);
	assert_int_equal(access(task, F_OK), 0);
	py_detach(p);
	reap(pid);
	unlink(path);
}

static const char churn_py[] = "import threading, time, random\n"
			       "def leaf_a(n): return sum(range(n))\n"
			       "def leaf_b(n): return [i*i for i in range(n)]\n"
			       "def rec(d, f):\n"
			       "    if d == 0: return f(200)\n"
			       "    return rec(d - 1, f)\n"
			       "def worker(end):\n"
			       "    while time.monotonic() < end:\n"
			       "        rec(random.randint(0, 40), random.choice((leaf_a, leaf_b)))\n"
			       "def spawner(end):\n"
			       "    while time.monotonic() < end:\n"
			       "        t = threading.Thread(target=worker, args=(time.monotonic() + 0.01,))\n"
			       "        t.start(); t.join()\n"
			       "end = time.monotonic() + 3\n"
			       "threading.Thread(target=spawner, args=(end,)).start()\n"
			       "worker(end)\n";

/*
 * Stacks that change all the time (random recursion depth, threads coming
 * and going), sampled back to back for 0.6 s: every frame of the script
 * has one of its function names and one of its lines — torn reads make
 * stacks shorter, never wrong. (Frames of the stdlib are not checked.)
 */
static void churn_with(const char *python)
{
	char path[] = "/tmp/test_pyframes_churn_XXXXXX.py";
	int fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, churn_py, sizeof(churn_py) - 1), (ssize_t)(sizeof(churn_py) - 1));
	close(fd);
	char *argv[] = {(char *)python, path, NULL};
	pid_t pid = spawn(argv);
	assert_true(pid > 0);
	sleep_ms(300);
	struct py_proc *p = NULL;
	struct perr e = {{0}};
	assert_int_equal(py_attach(pid, &p, &e), 0);
	const char *names[] = {"<module>", "worker", "spawner", "rec", "leaf_a", "leaf_b", "leaf_b.<locals>.<listcomp>",
			       "<listcomp>"};
	long samples = 0, frames = 0, ours = 0, deep = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct py_thread_stack *v;
		size_t n;
		assert_int_equal(py_sample(p, &v, &n), 0);
		samples++;
		for (size_t t = 0; t < n; t++) {
			if (v[t].nframes > 30)
				deep++;
			if (v[t].nframes) { /* whole stacks: from the module or a thread's start */
				const char *root = v[t].frames[0].qualname;
				if (strcmp(root, "<module>") && strcmp(root, "Thread._bootstrap"))
					fprintf(stderr, "# stack rooted at %s\n", root);
				assert_true(!strcmp(root, "<module>") || !strcmp(root, "Thread._bootstrap"));
			}
			for (size_t k = 0; k < v[t].nframes; k++) {
				const struct py_frame *f = &v[t].frames[k];
				frames++;
				assert_true(f->line >= 0);
				if (strcmp(f->filename, path))
					continue;
				ours++;
				int known = 0;
				for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
					known |= !strcmp(f->qualname, names[j]);
				if (!known || f->line < 1 || f->line > 16)
					fprintf(stderr, "# wrong frame: %s at line %d\n", f->qualname, f->line);
				assert_true(known);
				assert_true(f->line >= 1 && f->line <= 16);
			}
		}
		py_stacks_free(v, n);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 600);
	fprintf(stderr, "# %ld samples in 0.6 s, %ld frames (%ld of the script), %ld stacks over 30 deep\n", samples,
		frames, ours, deep);
	assert_true(samples > 100 && ours > 1000 && deep > 0);
	py_detach(p);
	reap(pid);
	unlink(path);
}

static void test_churn(void **state)
{
	(void)state;
	if (!usable_python(PYTHON)) {
		skip();
		return;
	}
	churn_with(PYTHON);
}

static void test_not_python(void **state)
{
	(void)state;
	char *argv[] = {(char *)"/bin/sleep", (char *)"5", NULL};
	pid_t pid = spawn(argv);
	assert_true(pid > 0);
	sleep_ms(100);
	struct py_proc *p = NULL;
	struct perr e = {{0}};
	assert_int_equal(py_attach(pid, &p, &e), -1);
	assert_null(p);
	fprintf(stderr, "# %s\n", e.msg);
	assert_non_null(strstr(e.msg, "is not CPython 3.11/3.12 (found"));
	assert_non_null(strstr(e.msg, "sleep"));
	reap(pid);

	/* and a process that is gone */
	assert_int_equal(py_attach(pid, &p, &e), -1);
	assert_non_null(strstr(e.msg, "does not exist"));
}

/* ---- the line table reader ---- */

static void test_linetable_small(void **state)
{
	(void)state;
	/* made by hand: short form (2 units, line 10), one-line +1 (1 unit), none (1 unit), long form -3 (2 units) */
	const uint8_t t[] = {0x80 | (0 << 3) | 1, 0x05,       0x80 | (11 << 3) | 0, 1, 2, 0x80 | (15 << 3) | 0,
			     0x80 | (14 << 3) | 1, 7 /* -3 */, 0, 1, 2};
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, -1), 10);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 0), 10);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 1), 10);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 2), 11);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 3), -1);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 4), 8);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 5), 8);
	assert_int_equal(py_linetable_line(t, sizeof(t), 10, 6), -1); /* past the end */
	assert_int_equal(py_linetable_line(NULL, 0, 10, 0), -1);
	/* truncated anywhere: no read past len (ASan would say), an answer either way */
	for (size_t n = 0; n <= sizeof(t); n++)
		for (long i = -1; i < 8; i++)
			(void)py_linetable_line(t, n, 10, i);
	const uint8_t junk[] = {0x01, 0x80 | (14 << 3), 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f};
	assert_int_equal(py_linetable_line(junk, sizeof(junk), 1, 0), -1);
	(void)py_linetable_line(junk + 1, sizeof(junk) - 1, 1, 0);
}

static const char positions_py[] =
	"import dis, sys\n"
	"def walk(co):\n"
	"    yield co\n"
	"    for c in co.co_consts:\n"
	"        if hasattr(c, 'co_code'):\n"
	"            yield from walk(c)\n"
	"src = open(dis.__file__).read()\n"
	"for co in walk(compile(src, dis.__file__, 'exec')):\n"
	"    lines = [-1 if p[0] is None else p[0] for p in co.co_positions()]\n"
	"    print(co.co_firstlineno, co.co_linetable.hex() or '-', ' '.join(map(str, lines)) or '-')\n";

static int hexval(int c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* Every code object of the dis module: our line for each code unit equals co_positions()'s. */
static void linetable_with(const char *python)
{
	char path[] = "/tmp/test_pyframes_pos_XXXXXX.py";
	int fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, positions_py, sizeof(positions_py) - 1), (ssize_t)(sizeof(positions_py) - 1));
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "%s %s", python, path);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	int codes = 0;
	long units = 0, mismatches = 0;
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL;
		char *first = strtok_r(line, " \n", &save), *hex = strtok_r(NULL, " \n", &save);
		assert_non_null(first);
		assert_non_null(hex);
		int firstlineno = atoi(first);
		size_t hl = strcmp(hex, "-") ? strlen(hex) / 2 : 0;
		uint8_t *t = malloc(hl + 1);
		for (size_t i = 0; i < hl; i++)
			t[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
		long i = 0;
		for (char *tok = strtok_r(NULL, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), i++) {
			if (!strcmp(tok, "-"))
				break;
			int want = atoi(tok), got = py_linetable_line(t, hl, firstlineno, i);
			if (got != want && mismatches++ < 5)
				fprintf(stderr, "# code at line %d, unit %ld: line %d, CPython says %d\n", firstlineno, i,
					got, want);
			units++;
		}
		free(t);
		codes++;
	}
	free(line);
	assert_int_equal(pclose(f), 0);
	unlink(path);
	fprintf(stderr, "# %d code objects, %ld code units compared, %ld mismatches\n", codes, units, mismatches);
	assert_true(codes > 10 && units > 1000);
	assert_int_equal(mismatches, 0);
}

static void test_linetable_vs_cpython(void **state)
{
	(void)state;
	if (!usable_python(PYTHON)) {
		skip();
		return;
	}
	linetable_with(PYTHON);
}

static void test_hot_more_pythons(void **state)
{
	(void)state;
	const char *list = getenv("PYFRAMES_PYTHONS");
	if (!list || !*list || access(HOT_PY, R_OK) != 0) {
		skip();
		return;
	}
	char *copy = strdup(list), *save = NULL;
	for (char *py = strtok_r(copy, ":", &save); py; py = strtok_r(NULL, ":", &save))
		if (usable_python(py)) {
			hot_with(py);
			churn_with(py);
			linetable_with(py);
		}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linetable_small), cmocka_unit_test(test_linetable_vs_cpython),
		cmocka_unit_test(test_not_python),      cmocka_unit_test(test_hot),
		cmocka_unit_test(test_threads),         cmocka_unit_test(test_churn),
		cmocka_unit_test(test_hot_more_pythons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
