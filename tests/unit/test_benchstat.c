/*
 * test_benchstat: the statistics of `perfagent bench` — the PRNG is
 * deterministic and in range, summaries of known samples, selection
 * medians against sorting, and the bootstrap interval of the ratio of
 * medians: it holds the true ratio of synthetic data, excludes 1 when the
 * difference is real, holds 1 when both samples come from the same
 * distribution, and is the same for the same seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prof/benchstat.h"

static void test_rng(void **state)
{
	(void)state;
	struct bstat_rng a, b, c;
	bstat_rng_seed(&a, 42);
	bstat_rng_seed(&b, 42);
	bstat_rng_seed(&c, 43);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = bstat_rng_next(&a);
		assert_true(x == bstat_rng_next(&b));
		differ += x != bstat_rng_next(&c);
	}
	assert_true(differ > 990);
	/* Seed 0 is a seed like any other, not a stuck generator. */
	bstat_rng_seed(&a, 0);
	assert_true(bstat_rng_next(&a) != 0 || bstat_rng_next(&a) != 0);

	/* below(n) stays in range and covers it about evenly; double() is in [0, 1). */
	size_t counts[7] = {0};
	for (int i = 0; i < 70000; i++) {
		uint64_t v = bstat_rng_below(&b, 7);
		assert_true(v < 7);
		counts[v]++;
		double d = bstat_rng_double(&b);
		assert_true(d >= 0 && d < 1);
	}
	for (int i = 0; i < 7; i++)
		assert_true(counts[i] > 9500 && counts[i] < 10500);
	for (int i = 0; i < 100; i++)
		assert_true(bstat_rng_below(&b, 1) == 0);
}

static void test_summary_known(void **state)
{
	(void)state;
	struct bstat_summary s;
	const double four[] = {4, 1, 3, 2};
	bstat_summarize(four, 4, &s);
	assert_int_equal(s.n, 4);
	assert_true(s.min == 1 && s.max == 4);
	assert_true(s.median == 2.5 && s.mean == 2.5);
	assert_true(fabs(s.stddev - sqrt(5.0 / 3.0)) < 1e-12); /* sample sd: sum of squares 5, n-1 = 3 */
	assert_true(four[0] == 4 && four[3] == 2);             /* input untouched */

	const double three[] = {5, 1, 3};
	bstat_summarize(three, 3, &s);
	assert_true(s.median == 3 && s.mean == 3 && s.stddev == 2);

	const double one[] = {0.25};
	bstat_summarize(one, 1, &s);
	assert_true(s.min == 0.25 && s.median == 0.25 && s.max == 0.25 && s.stddev == 0);

	bstat_summarize(NULL, 0, &s);
	assert_true(s.n == 0 && s.median == 0 && s.stddev == 0);

	/* Large equal values: the two-pass deviation does not cancel to garbage. */
	const double big[] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
	bstat_summarize(big, 3, &s);
	assert_true(fabs(s.stddev - 1) < 1e-6);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void test_median_selection(void **state)
{
	(void)state;
	struct bstat_rng r;
	bstat_rng_seed(&r, 7);
	double x[257], y[257];
	for (size_t n = 1; n <= 257; n += 8) {
		for (int dup = 0; dup < 2; dup++) {
			for (size_t i = 0; i < n; i++)
				/* dup: only 3 distinct values, as in a bootstrap resample of few runs */
				x[i] = dup ? (double)bstat_rng_below(&r, 3) : bstat_rng_double(&r);
			memcpy(y, x, n * sizeof(double));
			qsort(y, n, sizeof(double), cmp);
			double want = n % 2 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2;
			assert_true(bstat_median_inplace(x, n) == want);
		}
	}
	double sorted[] = {1, 2, 3, 4, 5, 6};
	assert_true(bstat_median_inplace(sorted, 6) == 3.5);
	double rev[] = {9, 7, 5, 3, 1};
	assert_true(bstat_median_inplace(rev, 5) == 5);
	double same[] = {2, 2, 2, 2};
	assert_true(bstat_median_inplace(same, 4) == 2);
}

/* A standard normal draw (Box–Muller). */
static double normal(struct bstat_rng *r)
{
	double u1 = bstat_rng_double(r), u2 = bstat_rng_double(r);
	return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

/* n run times around `center` seconds: log-normal noise of sigma (5%: a quiet machine). */
static void sample(struct bstat_rng *r, double center, double sigma, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = center * exp(sigma * normal(r));
}

static void test_ratio_true_difference(void **state)
{
	(void)state;
	struct bstat_rng r;
	bstat_rng_seed(&r, 2024);
	double a[20], b[20];
	sample(&r, 0.100, 0.05, a, 20); /* A: 100 ms */
	sample(&r, 0.050, 0.05, b, 20); /* B: 50 ms, so median(A)/median(B) is 2 */
	struct bstat_ratio q, q2, q3;
	struct perr e;
	assert_int_equal(bstat_ratio_ci(a, 20, b, 20, BSTAT_RESAMPLES, 0.95, BSTAT_SEED, &q, &e), 0);
	assert_true(q.ci_low <= 2 && 2 <= q.ci_high);
	assert_true(q.ci_low > 1.8 && q.ci_high < 2.2);
	assert_true(q.ci_low <= q.ratio && q.ratio <= q.ci_high);
	assert_false(q.within_noise);
	assert_int_equal(q.faster, BSTAT_B);

	/* The same seed gives the same interval, to the bit; another seed a nearby one. */
	assert_int_equal(bstat_ratio_ci(a, 20, b, 20, BSTAT_RESAMPLES, 0.95, BSTAT_SEED, &q2, &e), 0);
	assert_true(memcmp(&q, &q2, sizeof(q)) == 0);
	assert_int_equal(bstat_ratio_ci(a, 20, b, 20, BSTAT_RESAMPLES, 0.95, 99, &q3, &e), 0);
	assert_true(q3.ratio == q.ratio);
	assert_true(q3.ci_low != q.ci_low || q3.ci_high != q.ci_high);
	assert_true(fabs(q3.ci_low - q.ci_low) < 0.05 && fabs(q3.ci_high - q.ci_high) < 0.05);
	assert_true(q3.ci_low <= 2 && 2 <= q3.ci_high);

	/* Swapped, A is the faster one: the ratio is 1/2 and the interval below 1. */
	assert_int_equal(bstat_ratio_ci(b, 20, a, 20, BSTAT_RESAMPLES, 0.95, BSTAT_SEED, &q, &e), 0);
	assert_true(q.ci_low <= 0.5 && 0.5 <= q.ci_high && q.ci_high < 1);
	assert_int_equal(q.faster, BSTAT_A);

	/* Unequal sample sizes work too. */
	assert_int_equal(bstat_ratio_ci(a, 20, b, 7, BSTAT_RESAMPLES, 0.95, BSTAT_SEED, &q, &e), 0);
	assert_int_equal(q.faster, BSTAT_B);
}

/*
 * Coverage: over many synthetic experiments with a known true ratio, the
 * 95% interval holds it most of the time; a same-distribution pair is
 * called "within noise" as often. (Its coverage is not exactly the
 * nominal 95% — the median of 15 runs takes few distinct values — so 90%
 * is the floor; the seeds make the count the same on every run.)
 */
static void test_ratio_coverage(void **state)
{
	(void)state;
	struct bstat_rng r;
	bstat_rng_seed(&r, 1);
	enum { TRIALS = 200, N = 15 };
	int holds_true = 0, same_noise = 0;
	double a[N], b[N];
	struct bstat_ratio q;
	struct perr e;
	for (int t = 0; t < TRIALS; t++) {
		sample(&r, 0.030, 0.1, a, N);
		sample(&r, 0.020, 0.1, b, N);
		assert_int_equal(bstat_ratio_ci(a, N, b, N, 2000, 0.95, (uint64_t)t, &q, &e), 0);
		holds_true += q.ci_low <= 1.5 && 1.5 <= q.ci_high;
		sample(&r, 0.030, 0.1, a, N);
		sample(&r, 0.030, 0.1, b, N);
		assert_int_equal(bstat_ratio_ci(a, N, b, N, 2000, 0.95, (uint64_t)t, &q, &e), 0);
		same_noise += q.within_noise;
		assert_int_equal(q.within_noise, q.faster == BSTAT_NEITHER);
	}
	print_message("true ratio held in %d/%d; same distribution within noise in %d/%d\n", holds_true, TRIALS,
		      same_noise, TRIALS);
	assert_true(holds_true >= TRIALS * 90 / 100);
	assert_true(same_noise >= TRIALS * 90 / 100);
}

/* Identical timings: the ratio is exactly 1 and so is the interval; within noise. */
static void test_ratio_identical(void **state)
{
	(void)state;
	const double a[] = {0.01, 0.01, 0.01, 0.01};
	struct bstat_ratio q;
	struct perr e;
	assert_int_equal(bstat_ratio_ci(a, 4, a, 4, 1000, 0.95, BSTAT_SEED, &q, &e), 0);
	assert_true(q.ratio == 1 && q.ci_low == 1 && q.ci_high == 1);
	assert_true(q.within_noise);
	assert_int_equal(q.faster, BSTAT_NEITHER);
}

static void test_ratio_errors(void **state)
{
	(void)state;
	const double ok[] = {1, 2, 3};
	const double zero[] = {1, 0, 3};
	const double nan_[] = {1, NAN, 3};
	struct bstat_ratio q;
	struct perr e;
	assert_int_equal(bstat_ratio_ci(ok, 0, ok, 3, 1000, 0.95, 1, &q, &e), -1);
	assert_non_null(strstr(e.msg, "sample A is empty"));
	assert_int_equal(bstat_ratio_ci(ok, 3, zero, 3, 1000, 0.95, 1, &q, &e), -1);
	assert_non_null(strstr(e.msg, "sample B: value 2 is 0"));
	assert_int_equal(bstat_ratio_ci(nan_, 3, ok, 3, 1000, 0.95, 1, &q, &e), -1);
	assert_int_equal(bstat_ratio_ci(ok, 3, ok, 3, 10, 0.95, 1, &q, &e), -1);
	assert_non_null(strstr(e.msg, "resamples"));
	assert_int_equal(bstat_ratio_ci(ok, 3, ok, 3, 1000, 1.5, 1, &q, &e), -1);
	assert_non_null(strstr(e.msg, "confidence level"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_summary_known),
		cmocka_unit_test(test_median_selection),
		cmocka_unit_test(test_ratio_true_difference),
		cmocka_unit_test(test_ratio_coverage),
		cmocka_unit_test(test_ratio_identical),
		cmocka_unit_test(test_ratio_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
