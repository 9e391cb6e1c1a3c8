/*
 * test_memtl: the memory verdict on synthetic timelines sampled every
 * 50 ms — flat, a leak fast and slow, a plateau, a GC sawtooth, spikes,
 * too short — and the /proc readers on this very process: its own
 * reading (under a command name full of ')' and spaces), a pid that
 * cannot exist, its threads, and a child and grandchild.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prof/memtl.h"

#define DT 0.05

/* A timeline of n points at DT; the test fills rss. */
struct series {
	double *t, *rss;
	size_t n;
	uint64_t rng;
};

static struct series series_new(double seconds)
{
	struct series s;
	s.n = (size_t)(seconds / DT + 0.5);
	s.t = calloc(s.n, sizeof(double));
	s.rss = calloc(s.n, sizeof(double));
	assert_non_null(s.t);
	assert_non_null(s.rss);
	for (size_t i = 0; i < s.n; i++)
		s.t[i] = (double)i * DT;
	s.rng = 0x9e3779b97f4a7c15ull;
	return s;
}

static void series_free(struct series *s)
{
	free(s->t);
	free(s->rss);
}

/* Uniform noise in [-a, a], from a fixed-seed xorshift so every run is the same. */
static double noise(struct series *s, double a)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return a * (2.0 * (double)(s->rng >> 11) / 9007199254740992.0 - 1.0);
}

static void judge(const struct series *s, double warmup, struct mem_verdict *v)
{
	mem_judge(s->t, s->rss, s->n, warmup, v);
}

/* The verdict must be g; when it is not, say what the verdict saw. */
static void expect(const struct mem_verdict *v, enum mem_growth g)
{
	if (v->growth != g)
		print_message("want %s, got %s: slope %.2f MB/min, R² %.3f, baseline %.1f, final %.1f, growth %.1f%%, plateau %d\n  %s\n",
			      mem_growth_name(g), mem_growth_name(v->growth), v->slope_mb_min, v->r2, v->baseline_mb,
			      v->final_mb, v->growth_pct, v->plateau, v->reason);
	assert_int_equal(v->growth, g);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mem_growth_name(MEM_GROWTH_UNKNOWN), "unknown");
	assert_string_equal(mem_growth_name(MEM_GROWTH_NONE), "none");
	assert_string_equal(mem_growth_name(MEM_GROWTH_SLOW), "slow");
	assert_string_equal(mem_growth_name(MEM_GROWTH_RAPID), "rapid");
}

static void test_flat_with_noise_is_none(void **state)
{
	(void)state;
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 50 + noise(&s, 0.5);
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_int_equal(v.plateau, 0);
	assert_true(fabs(v.slope_mb_min) < 0.5);
	assert_true(fabs(v.idle_mb - 50) < 0.5);
	assert_int_equal(v.points, s.n - 20);
	assert_non_null(strstr(v.reason, "no growth"));
	series_free(&s);
}

static void test_linear_growth_is_rapid(void **state)
{
	(void)state;
	/* 1 MB/s from 20 MB: 60 MB/min. */
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 20 + s.t[i] + noise(&s, 0.3);
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_RAPID);
	assert_true(fabs(v.slope_mb_min - 60) < 3);
	assert_true(v.r2 > 0.95);
	assert_int_equal(v.plateau, 0);
	assert_true(v.growth_pct > 20);
	assert_true(v.peak_mb > 38.5 && v.peak_mb < 40.5);
	/* The reason states the numbers. */
	assert_non_null(strstr(v.reason, "grew 6"));
	assert_non_null(strstr(v.reason, "MB/min"));
	assert_non_null(strstr(v.reason, "(R² "));
	assert_non_null(strstr(v.reason, "still rising in the last third"));
	series_free(&s);
}

static void test_slow_growth_is_slow(void **state)
{
	(void)state;
	/* 2 MB/min for a minute from 10 MB, with noise bigger than a second's growth. */
	struct series s = series_new(60);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 10 + s.t[i] * 2.0 / 60 + noise(&s, 0.2);
	struct mem_verdict v;
	judge(&s, 2, &v);
	expect(&v, MEM_GROWTH_SLOW);
	assert_true(fabs(v.slope_mb_min - 2) < 0.2);
	assert_int_equal(v.plateau, 0);
	series_free(&s);
}

static void test_limits_follow_the_budget(void **state)
{
	(void)state;
	/* 60 MB/min is rapid by default, slow under a 100 MB/min critical line. */
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 20 + s.t[i];
	struct mem_verdict v;
	mem_judge_limits(s.t, s.rss, s.n, 1, 0.5, 100, &v);
	expect(&v, MEM_GROWTH_SLOW);
	/* And 2 MB/min is none when the target is 5 MB/min. */
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 10 + s.t[i] * 2.0 / 60;
	mem_judge_limits(s.t, s.rss, s.n, 1, 5, 100, &v);
	expect(&v, MEM_GROWTH_NONE);
	series_free(&s);
}

static void test_step_then_flat_is_a_plateau(void **state)
{
	(void)state;
	/* 30 MB, a jump to 90 MB at 4 s, then flat to 20 s: grew, then held. */
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = (s.t[i] < 4 ? 30 : 90) + noise(&s, 0.3);
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_int_equal(v.plateau, 1);
	assert_true(v.growth_pct > 100);
	assert_non_null(strstr(v.reason, "plateau"));

	/* A ramp over the first third then flat (plateau.c's shape) too. */
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = (s.t[i] < 7 ? 10 + 60 * s.t[i] / 7 : 70) + noise(&s, 0.3);
	judge(&s, 0, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_int_equal(v.plateau, 1);
	series_free(&s);
}

static void test_sawtooth_is_none(void **state)
{
	(void)state;
	/* A collector's sawtooth: 50 MB up to 70 MB over 2.5 s, then back, for 30 s. */
	struct series s = series_new(30);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 50 + 20 * fmod(s.t[i], 2.5) / 2.5 + noise(&s, 0.2);
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_true(v.r2 < 0.1);
	assert_int_equal(v.plateau, 0);
	/* Ending anywhere in a tooth changes nothing: never a plateau, never a leak. */
	for (size_t cut = 0; cut < 50; cut += 5) {
		mem_judge(s.t, s.rss, s.n - cut, 1, &v);
		expect(&v, MEM_GROWTH_NONE);
		assert_int_equal(v.plateau, 0);
	}
	series_free(&s);
}

static void test_short_series_is_unknown(void **state)
{
	(void)state;
	/* 2 s of a fast leak: too short to judge. */
	struct series s = series_new(2);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 20 + 10 * s.t[i];
	struct mem_verdict v;
	judge(&s, 0, &v);
	expect(&v, MEM_GROWTH_UNKNOWN);
	assert_non_null(strstr(v.reason, "3 s"));
	/* 4 s with a 2 s warm-up: 2 s left. */
	series_free(&s);
	s = series_new(4);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 20 + 10 * s.t[i];
	judge(&s, 2, &v);
	expect(&v, MEM_GROWTH_UNKNOWN);
	/* 8 points over 7 s (a slow sampler): too few. */
	double t[8], r[8];
	for (int i = 0; i < 8; i++) {
		t[i] = i;
		r[i] = 20 + i;
	}
	mem_judge(t, r, 8, 0, &v);
	expect(&v, MEM_GROWTH_UNKNOWN);
	assert_true(v.peak_mb == 27);
	/* None at all. */
	mem_judge(NULL, NULL, 0, 0, &v);
	expect(&v, MEM_GROWTH_UNKNOWN);
	assert_int_equal(v.points, 0);
	assert_true(v.reason[0] != '\0');
	series_free(&s);
}

static void test_spikes_do_not_make_a_trend(void **state)
{
	(void)state;
	/* Flat at 40 MB with five 500 MB spikes, two of them late. */
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = 40 + noise(&s, 0.2);
	size_t at[] = {60, 150, 250, 330, 370};
	for (size_t i = 0; i < 5; i++)
		s.rss[at[i]] += 500;
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_true(fabs(v.slope_mb_min) < 0.5);
	assert_true(v.peak_mb > 500);
	series_free(&s);
}

static void test_unreadable_points_are_skipped(void **state)
{
	(void)state;
	/* A failed read is -1: it is not a drop to zero. */
	struct series s = series_new(20);
	for (size_t i = 0; i < s.n; i++)
		s.rss[i] = i % 7 == 3 ? -1 : i % 11 == 5 ? NAN : 50 + noise(&s, 0.2);
	struct mem_verdict v;
	judge(&s, 1, &v);
	expect(&v, MEM_GROWTH_NONE);
	assert_true(v.points < s.n - 20);
	assert_true(fabs(v.idle_mb - 50) < 0.3);
	series_free(&s);
}

/* ---------------------------------------------------------------- /proc */

static void test_read_self(void **state)
{
	(void)state;
	/* Touch 8 MB so the resident set is certainly above it. */
	size_t big = 8u << 20;
	char *p = malloc(big);
	assert_non_null(p);
	memset(p, 1, big);
	struct proc_reading r;
	assert_int_equal(proc_read(getpid(), &r), 0);
	assert_true(r.rss >= (int64_t)big);
	assert_true(r.hwm >= r.rss);
	assert_true(r.threads >= 1);
	assert_true(r.utime >= 0);
	assert_true(r.stime >= 0);
	assert_true(r.minflt > 0);
	assert_true(r.majflt >= 0);
	assert_true(r.vol_ctx >= 0);
	assert_true(r.invol_ctx >= 0);
	/* io may be denied in a sandbox; when read it is a count. */
	assert_true(r.rchar >= -1 && r.wchar >= -1 && r.read_bytes >= -1 && r.write_bytes >= -1);
	free(p);
}

static void test_read_with_a_hostile_name(void **state)
{
	(void)state;
	/* stat's comm field is "(NAME)", and NAME may hold ") " and numbers. */
	char old[17] = {0};
	assert_int_equal(prctl(PR_GET_NAME, old), 0);
	assert_int_equal(prctl(PR_SET_NAME, "a) 1 2 (b) R 9"), 0);
	struct proc_reading r;
	int rc = proc_read(getpid(), &r);
	prctl(PR_SET_NAME, old);
	assert_int_equal(rc, 0);
	assert_true(r.threads >= 1 && r.threads < 10000);
	assert_true(r.minflt > 0);
	assert_true(r.utime >= 0 && r.utime < 1e6);
}

static void test_read_gone(void **state)
{
	(void)state;
	/* pid_max itself is never a pid: pids stop one below it. */
	pid_t none = 4194304;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		int v;
		if (fscanf(f, "%d", &v) == 1)
			none = v;
		fclose(f);
	}
	struct proc_reading r;
	assert_int_equal(proc_read(none, &r), -1);
	assert_true(r.rss == -1);
	assert_int_equal(proc_read(0, &r), -1);
	pid_t *tids = (pid_t *)1;
	size_t n = 9;
	assert_int_equal(proc_threads(none, &tids, &n), -1);
	assert_null(tids);
	assert_int_equal(n, 0);
	pid_t *kids = (pid_t *)1;
	assert_int_equal(proc_descendants(none, &kids, &n), -1);
	assert_null(kids);
}

/* Threads that wait until the test lets them go. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int open;
};

static void *wait_at_gate(void *arg)
{
	struct gate *g = arg;
	pthread_mutex_lock(&g->mu);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, wait_at_gate, &g), 0);
	pid_t *tids = NULL;
	size_t n = 0;
	int rc = proc_threads(getpid(), &tids, &n);
	struct proc_reading r;
	int rrc = proc_read(getpid(), &r);
	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(rc, 0);
	assert_true(n >= 3);
	int has_main = 0;
	for (size_t i = 0; i < n; i++) {
		if (tids[i] == getpid())
			has_main = 1;
		if (i)
			assert_true(tids[i - 1] < tids[i]);
	}
	assert_true(has_main);
	free(tids);
	assert_int_equal(rrc, 0);
	assert_true(r.threads >= 3);
}

static void test_descendants(void **state)
{
	(void)state;
	/* A child and its child, both paused; we adopt the grandchild to reap it. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			for (;;)
				pause();
		}
		if (write(fd[1], &gc, sizeof(gc)) != (ssize_t)sizeof(gc))
			_exit(1);
		for (;;)
			pause();
	}
	close(fd[1]);
	pid_t grandchild = 0;
	assert_int_equal(read(fd[0], &grandchild, sizeof(grandchild)), (ssize_t)sizeof(grandchild));
	close(fd[0]);
	pid_t *kids = NULL;
	size_t n = 0;
	int rc = proc_descendants(getpid(), &kids, &n);
	int saw_child = 0, saw_grandchild = 0, child_first = 0;
	for (size_t i = 0; i < n; i++) {
		if (kids[i] == child)
			saw_child = 1;
		if (kids[i] == grandchild) {
			saw_grandchild = 1;
			child_first = saw_child;
		}
	}
	free(kids);
	pid_t *only = NULL;
	size_t n_only = 9;
	int rc_only = proc_descendants(grandchild, &only, &n_only);
	free(only);
	kill(grandchild, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	waitpid(grandchild, NULL, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_int_equal(rc, 0);
	assert_true(saw_child);
	assert_true(saw_grandchild);
	assert_true(child_first);
	assert_int_equal(rc_only, 0);
	assert_int_equal(n_only, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_flat_with_noise_is_none),
		cmocka_unit_test(test_linear_growth_is_rapid),
		cmocka_unit_test(test_slow_growth_is_slow),
		cmocka_unit_test(test_limits_follow_the_budget),
		cmocka_unit_test(test_step_then_flat_is_a_plateau),
		cmocka_unit_test(test_sawtooth_is_none),
		cmocka_unit_test(test_short_series_is_unknown),
		cmocka_unit_test(test_spikes_do_not_make_a_trend),
		cmocka_unit_test(test_unreadable_points_are_skipped),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_with_a_hostile_name),
		cmocka_unit_test(test_read_gone),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_descendants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
