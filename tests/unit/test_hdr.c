/*
 * test_hdr: the latency histogram — its layout and memory, the precision
 * promise across the range, percentiles against exact order statistics,
 * extremes, mean and stddev, clamping, merging, coordinated-omission
 * correction, reset, and the .hgrm spectrum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hdr.h"

#define HOUR_US INT64_C(3600000000)

/* A small deterministic generator, so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int64_t pow10i(int n)
{
	int64_t p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

static void test_bad_init(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(NULL, 1, 1000, 3), -1);
	assert_int_equal(hdr_init(&h, 0, 1000, 3), -1);
	assert_int_equal(hdr_init(&h, -5, 1000, 3), -1);
	assert_int_equal(hdr_init(&h, 10, 19, 3), -1); /* highest < 2 * lowest */
	assert_int_equal(hdr_init(&h, 1, 1000, 0), -1);
	assert_int_equal(hdr_init(&h, 1, 1000, 6), -1);
	assert_int_equal(hdr_init(&h, 1, 1000, -1), -1);
	assert_null(h.counts);
	hdr_free(&h); /* harmless after a failed init */
	hdr_free(&h);
	assert_int_equal(hdr_init(&h, 10, 20, 3), 0);
	hdr_free(&h);
	assert_int_equal(hdr_init(&h, 1, INT64_MAX, 5), 0);
	hdr_free(&h);
	assert_int_equal(hdr_init(&h, INT64_MAX / 2, INT64_MAX, 1), 0);
	assert_int_equal(hdr_record(&h, INT64_MAX), 0);
	assert_int_equal(hdr_max(&h), INT64_MAX);
	hdr_free(&h);
}

/* 1 µs .. 1 h at 3 digits: HdrHistogram's layout, tens of thousands of counts. */
static void test_layout_memory(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_int_equal(h.sub_bucket_count, 2048);
	assert_int_equal(h.bucket_count, 22);
	assert_int_equal(h.counts_len, 23552);
	assert_true(hdr_memory_size(&h) < 200 * 1024);
	hdr_free(&h);
	assert_null(h.counts);
}

/* Both equivalents of p lie within p / tol_div of it, if p is in range. */
static void check_equivalents(const struct hdr *h, int64_t p, int64_t tol_div)
{
	if (p < h->lowest || p > h->highest)
		return;
	int64_t hi = hdr_highest_equivalent(h, p);
	int64_t lo = hdr_lowest_equivalent(h, p);
	assert_true(hi >= p && hi - p <= p / tol_div);
	assert_true(lo <= p && p - lo <= p / tol_div);
}

/*
 * The precision promise on one layout: for v in [lowest, highest], both
 * equivalents are within v / 10^sigfigs of v; and, recorded into a histogram,
 * v is reported back by hdr_value_at_percentile from above within the same
 * bound.
 */
static void check_precision(int64_t lowest, int64_t highest, int sigfigs)
{
	struct hdr h;
	assert_int_equal(hdr_init(&h, lowest, highest, sigfigs), 0);
	int64_t tol_div = pow10i(sigfigs);
	for (double d = (double)lowest; d < (double)highest; d = d * 1.003 + 1) {
		int64_t v = (int64_t)d;
		for (int64_t p = v - 1; p <= v + 1; p++)
			check_equivalents(&h, p, tol_div);
	}
	/* Powers of two and their neighbours, where buckets change. */
	for (int b = 0; b < 63; b++) {
		int64_t p2 = (int64_t)((uint64_t)1 << b);
		for (int64_t p = p2 - 1; p <= p2 + 1; p++)
			check_equivalents(&h, p, tol_div);
	}
	/*
	 * Through the histogram: values far enough apart to land in distinct
	 * sub-buckets, all recorded, then the j-th of K read back at rank j,
	 * i.e. at percentile 100 * j / K.
	 */
	int64_t vals[128];
	int k = 0;
	for (double d = (double)lowest; d < (double)highest && k < 127; d *= 1.5)
		vals[k++] = (int64_t)d;
	vals[k++] = highest;
	for (int j = 0; j < k; j++)
		assert_int_equal(hdr_record(&h, vals[j]), 0);
	for (int j = 0; j < k; j++) {
		int64_t v = vals[j];
		int64_t r = hdr_value_at_percentile(&h, 100.0 * (j + 1) / k);
		assert_true(r >= v && r - v <= v / tol_div);
	}
	/* And alone in a histogram, v comes back exactly (capped at the max). */
	hdr_reset(&h);
	hdr_record(&h, vals[k / 2]);
	assert_int_equal(hdr_value_at_percentile(&h, 50), vals[k / 2]);
	hdr_free(&h);
}

static void test_precision_across_range(void **state)
{
	(void)state;
	struct hdr h;
	/* Every value up to 2048 is its own bucket at 3 digits from 1. */
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	for (int64_t v = 0; v < 2048; v++) {
		assert_int_equal(hdr_highest_equivalent(&h, v), v);
		assert_int_equal(hdr_lowest_equivalent(&h, v), v);
	}
	assert_int_equal(hdr_lowest_equivalent(&h, -3), 0);
	hdr_free(&h);

	check_precision(1, HOUR_US, 3);
	check_precision(1000, HOUR_US, 3);
	check_precision(1, INT64_C(1) << 40, 1);
	check_precision(7, 100000, 2);
	check_precision(1, HOUR_US, 4);
	check_precision(123456, INT64_C(1000000000), 5);
	check_precision(1, INT64_MAX, 3);
}

static void test_uniform_percentiles(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	for (int64_t v = 1; v <= 100000; v++)
		assert_int_equal(hdr_record(&h, v), 0);
	assert_int_equal(hdr_count(&h), 100000);
	/* The exact order statistic at rank ceil(p/100 * n) of 1..n is that rank. */
	const struct {
		double pct;
		int64_t exact;
	} want[] = {
		{50, 50000},    {90, 90000},   {99, 99000}, {99.9, 99900}, {99.99, 99990},
		{100, 100000},  {25, 25000},   {0.001, 1},  {0, 1},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t r = hdr_value_at_percentile(&h, want[i].pct);
		assert_true(r >= want[i].exact);
		assert_true(r - want[i].exact <= want[i].exact / 1000);
	}
	assert_int_equal(hdr_value_at_percentile(&h, 100), 100000);
	assert_int_equal(hdr_value_at_percentile(&h, 250), 100000);
	assert_int_equal(hdr_value_at_percentile(&h, -1), 1);
	assert_int_equal(hdr_value_at_percentile(&h, NAN), 1);
	/* Percentiles never decrease. */
	int64_t prev = 0;
	for (double p = 0; p <= 100; p += 0.05) {
		int64_t r = hdr_value_at_percentile(&h, p);
		assert_true(r >= prev);
		prev = r;
	}
	hdr_free(&h);
}

static void test_min_max_exact(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_min(&h), 0);
	assert_int_equal(hdr_max(&h), 0);
	assert_int_equal(hdr_record(&h, 12345678), 0);
	assert_int_equal(hdr_record(&h, 987654), 0);
	assert_int_equal(hdr_record(&h, 3000001), 0);
	/* Neither is a bucket boundary, yet both come back exactly. */
	assert_true(hdr_highest_equivalent(&h, 12345678) != 12345678);
	assert_true(hdr_lowest_equivalent(&h, 987654) != 987654);
	assert_int_equal(hdr_min(&h), 987654);
	assert_int_equal(hdr_max(&h), 12345678);
	assert_int_equal(hdr_value_at_percentile(&h, 100), 12345678);
	hdr_free(&h);
}

static void test_mean_stddev(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_true(hdr_mean(&h) == 0);
	assert_true(hdr_stddev(&h) == 0);
	const double n = 100000;
	for (int64_t v = 1; v <= 100000; v++)
		hdr_record(&h, v);
	double mean = (n + 1) / 2, sd = sqrt((n * n - 1) / 12); /* population */
	assert_true(fabs(hdr_mean(&h) - mean) <= mean * 1e-4);
	assert_true(fabs(hdr_stddev(&h) - sd) <= sd * 1e-3);
	/* Small values are exact. */
	hdr_reset(&h);
	hdr_record(&h, 10);
	hdr_record(&h, 20);
	assert_true(hdr_mean(&h) == 15);
	assert_true(hdr_stddev(&h) == 5);
	hdr_free(&h);
}

static void test_clamp_and_overflow(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, 1000000, 3), 0);
	assert_int_equal(hdr_record(&h, 500), 0);
	assert_int_equal(hdr_record(&h, 5000000), 0);
	assert_int_equal(hdr_record(&h, INT64_MAX), 0);
	assert_int_equal(hdr_record(&h, 1000000), 0); /* highest itself is no overflow */
	assert_int_equal(hdr_count(&h), 4);
	assert_int_equal(hdr_overflow(&h), 2);
	assert_int_equal(hdr_max(&h), 1000000);
	assert_int_equal(hdr_value_at_percentile(&h, 100), 1000000);
	assert_int_equal(hdr_value_at_percentile(&h, 50), 1000000);
	assert_int_equal(hdr_value_at_percentile(&h, 25), 500);
	assert_int_equal(hdr_record_n(&h, 2000000, 10), 0);
	assert_int_equal(hdr_overflow(&h), 12);
	assert_int_equal(hdr_count(&h), 14);
	hdr_free(&h);
}

static void test_negative_rejected(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_record(&h, -1), -1);
	assert_int_equal(hdr_record(&h, INT64_MIN), -1);
	assert_int_equal(hdr_record_n(&h, -5, 3), -1);
	assert_int_equal(hdr_record_n(&h, 5, -1), -1);
	assert_int_equal(hdr_record_corrected(&h, -1, 10), -1);
	assert_int_equal(hdr_count(&h), 0);
	assert_int_equal(hdr_record(&h, 0), 0); /* zero is a value */
	assert_int_equal(hdr_count(&h), 1);
	assert_int_equal(hdr_min(&h), 0);
	hdr_free(&h);
}

static void test_record_n(void **state)
{
	(void)state;
	struct hdr a, b;
	assert_int_equal(hdr_init(&a, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_init(&b, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_record_n(&a, 777777, 0), 0);
	assert_int_equal(hdr_count(&a), 0);
	assert_int_equal(hdr_record_n(&a, 777777, 1000), 0);
	assert_int_equal(hdr_record_n(&a, 42, 3), 0);
	for (int i = 0; i < 1000; i++)
		hdr_record(&b, 777777);
	for (int i = 0; i < 3; i++)
		hdr_record(&b, 42);
	assert_int_equal(hdr_count(&a), 1003);
	assert_memory_equal(a.counts, b.counts, a.counts_len * sizeof(*a.counts));
	assert_int_equal(hdr_min(&a), 42);
	assert_int_equal(hdr_max(&a), 777777);
	assert_true(hdr_mean(&a) == hdr_mean(&b));
	hdr_free(&a);
	hdr_free(&b);
}

/* The same recorded data: every count, every total, and so every statistic. */
static void assert_same_counts(const struct hdr *x, const struct hdr *y)
{
	assert_int_equal(hdr_count(x), hdr_count(y));
	assert_int_equal(hdr_overflow(x), hdr_overflow(y));
	assert_int_equal(hdr_min(x), hdr_min(y));
	assert_int_equal(hdr_max(x), hdr_max(y));
	assert_int_equal(x->counts_len, y->counts_len);
	assert_memory_equal(x->counts, y->counts, x->counts_len * sizeof(*x->counts));
}

/* The same, checked through the reporting functions too: percentiles 0..100 by 0.1. */
static void assert_same(const struct hdr *x, const struct hdr *y)
{
	assert_int_equal(hdr_count(x), hdr_count(y));
	assert_int_equal(hdr_overflow(x), hdr_overflow(y));
	assert_int_equal(hdr_min(x), hdr_min(y));
	assert_int_equal(hdr_max(x), hdr_max(y));
	assert_int_equal(x->counts_len, y->counts_len);
	assert_memory_equal(x->counts, y->counts, x->counts_len * sizeof(*x->counts));
	for (int p = 0; p <= 1000; p++)
		assert_int_equal(hdr_value_at_percentile(x, p / 10.0),
				 hdr_value_at_percentile(y, p / 10.0));
	const double tail[] = {99.95, 99.99, 99.995, 99.999, 99.9999};
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		assert_int_equal(hdr_value_at_percentile(x, tail[i]),
				 hdr_value_at_percentile(y, tail[i]));
	assert_int_equal(hdr_value_at_percentile(x, 100), hdr_value_at_percentile(y, 100));
	assert_true(hdr_mean(x) == hdr_mean(y));
	assert_true(hdr_stddev(x) == hdr_stddev(y));
}

static void test_merge_exact(void **state)
{
	(void)state;
	struct hdr a, b, all, empty;
	int64_t highest = 100000000;
	assert_int_equal(hdr_init(&a, 1, highest, 3), 0);
	assert_int_equal(hdr_init(&b, 1, highest, 3), 0);
	assert_int_equal(hdr_init(&all, 1, highest, 3), 0);
	assert_int_equal(hdr_init(&empty, 1, highest, 3), 0);
	uint64_t s = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < 50000; i++) {
		/* Log-uniform-ish latencies, a few over highest. */
		uint64_t r = rng_next(&s);
		int64_t v = (int64_t)(r >> (rng_next(&s) % 63 + 1)) % (2 * highest);
		struct hdr *t = i % 3 ? &a : &b;
		hdr_record(t, v);
		hdr_record(&all, v);
	}
	hdr_record_corrected(&a, 3000000, 20000);
	hdr_record_corrected(&all, 3000000, 20000);
	assert_true(hdr_overflow(&all) > 0);

	assert_int_equal(hdr_merge(&a, &b), 0);
	assert_same(&a, &all);
	/* Merging in an empty histogram changes nothing; into one copies. */
	assert_int_equal(hdr_merge(&a, &empty), 0);
	assert_same(&a, &all);
	assert_int_equal(hdr_merge(&empty, &all), 0);
	assert_same(&empty, &all);
	hdr_free(&a);
	hdr_free(&b);
	hdr_free(&all);
	hdr_free(&empty);
}

static void test_merge_layouts_differ(void **state)
{
	(void)state;
	struct hdr a, b, c, d;
	assert_int_equal(hdr_init(&a, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_init(&b, 1, HOUR_US, 2), 0);
	assert_int_equal(hdr_init(&c, 1, HOUR_US / 2, 3), 0);
	assert_int_equal(hdr_init(&d, 100000, HOUR_US, 3), 0);
	hdr_record(&a, 5);
	hdr_record(&b, 6);
	hdr_record(&c, 7);
	hdr_record(&d, 8);
	assert_int_equal(hdr_merge(&a, &b), -1);
	assert_int_equal(hdr_merge(&a, &c), -1);
	assert_int_equal(hdr_merge(&a, &d), -1);
	assert_int_equal(hdr_merge(&c, &a), -1);
	assert_int_equal(hdr_count(&a), 1);
	assert_int_equal(hdr_max(&a), 5);
	hdr_free(&a);
	hdr_free(&b);
	hdr_free(&c);
	hdr_free(&d);
}

/* The one-at-a-time back-fill, to check the sub-bucket walk against. */
static void naive_corrected(struct hdr *h, int64_t value, int64_t interval)
{
	hdr_record(h, value);
	if (interval <= 0 || value <= interval)
		return;
	for (int64_t m = value - interval; m >= interval; m -= interval)
		hdr_record(h, m);
}

static void test_corrected(void **state)
{
	(void)state;
	struct hdr h, n;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_init(&n, 1, HOUR_US, 3), 0);

	assert_int_equal(hdr_record(&h, 1000000), 0);
	assert_int_equal(hdr_count(&h), 1);
	hdr_reset(&h);
	assert_int_equal(hdr_record_corrected(&h, 1000000, 10000), 0);
	assert_int_equal(hdr_count(&h), 100); /* 1,000,000, 990,000, ..., 10,000 */
	int64_t p50 = hdr_value_at_percentile(&h, 50);
	assert_true(p50 >= 500000 && p50 - 500000 <= 500);
	assert_int_equal(hdr_min(&h), 10000);
	assert_int_equal(hdr_max(&h), 1000000);
	naive_corrected(&n, 1000000, 10000);
	assert_same(&h, &n);

	/* No back-fill at or under the interval, or without an interval. */
	hdr_reset(&h);
	hdr_record_corrected(&h, 10000, 10000);
	hdr_record_corrected(&h, 5000, 10000);
	hdr_record_corrected(&h, 1000000, 0);
	hdr_record_corrected(&h, 1000000, -3);
	assert_int_equal(hdr_count(&h), 4);
	hdr_record_corrected(&h, 19999, 10000); /* 19999 only: 9999 < interval */
	assert_int_equal(hdr_count(&h), 5);
	hdr_record_corrected(&h, 20000, 10000); /* 20000 and 10000 */
	assert_int_equal(hdr_count(&h), 7);

	/* Walk vs one at a time, on awkward intervals and across many buckets. */
	const int64_t cases[][2] = {
		{123456789, 1000}, {98765432, 997}, {5000000, 1},
		{3, 1},            {2049, 1024},    {HOUR_US, 1777777},
	};
	hdr_reset(&h);
	hdr_reset(&n);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(hdr_record_corrected(&h, cases[i][0], cases[i][1]), 0);
		naive_corrected(&n, cases[i][0], cases[i][1]);
		assert_same_counts(&h, &n);
	}
	hdr_free(&h);
	hdr_free(&n);

	/* Back-filled values above highest are clamped and counted as overflow. */
	assert_int_equal(hdr_init(&h, 1, 1000000, 3), 0);
	assert_int_equal(hdr_init(&n, 1, 1000000, 3), 0);
	assert_int_equal(hdr_record_corrected(&h, 3000000, 10000), 0);
	naive_corrected(&n, 3000000, 10000);
	assert_int_equal(hdr_count(&h), 300);
	assert_int_equal(hdr_overflow(&h), 200); /* 1,010,000 .. 3,000,000 */
	assert_same(&h, &n);
	hdr_free(&h);
	hdr_free(&n);

	/* A huge value over a tiny interval costs sub-buckets, not terms. */
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	assert_int_equal(hdr_record_corrected(&h, INT64_MAX, 1), 0);
	assert_int_equal(hdr_count(&h), INT64_MAX); /* 1 + (INT64_MAX - 1) */
	assert_int_equal(hdr_overflow(&h), INT64_MAX - HOUR_US);
	assert_int_equal(hdr_min(&h), 1);
	assert_int_equal(hdr_max(&h), HOUR_US);
	hdr_free(&h);
}

static void test_reset(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, 1000, 3), 0);
	hdr_record(&h, 5);
	hdr_record(&h, 5000);
	hdr_reset(&h);
	assert_int_equal(hdr_count(&h), 0);
	assert_int_equal(hdr_overflow(&h), 0);
	assert_int_equal(hdr_min(&h), 0);
	assert_int_equal(hdr_max(&h), 0);
	assert_int_equal(hdr_value_at_percentile(&h, 50), 0);
	assert_true(hdr_mean(&h) == 0);
	for (size_t i = 0; i < h.counts_len; i++)
		assert_int_equal(h.counts[i], 0);
	hdr_record(&h, 7);
	assert_int_equal(hdr_min(&h), 7);
	assert_int_equal(hdr_max(&h), 7);
	assert_int_equal(hdr_value_at_percentile(&h, 99), 7);
	hdr_free(&h);
}

/* Read everything written to f back as one string; free() it. */
static char *slurp(FILE *f)
{
	long len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	char *s = calloc((size_t)len + 1, 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	return s;
}

static void test_write_percentiles(void **state)
{
	(void)state;
	struct hdr h;
	assert_int_equal(hdr_init(&h, 1, HOUR_US, 3), 0);
	uint64_t s = 42;
	for (int i = 0; i < 20000; i++)
		hdr_record(&h, 100 + (int64_t)(rng_next(&s) % 250000));
	hdr_record(&h, 2500000);

	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(hdr_write_percentiles(&h, f, 0, 1000.0), -1);
	assert_int_equal(hdr_write_percentiles(&h, f, 5, 0), -1);
	assert_int_equal(hdr_write_percentiles(&h, f, 5, NAN), -1);
	assert_int_equal(hdr_write_percentiles(&h, f, 5, 1000.0), 0);
	char *text = slurp(f);
	fclose(f);
	assert_non_null(
		strstr(text, "\n#[Max     =     2500.000, Total count    =        20001]\n"));

	char *save = NULL;
	char *line = strtok_r(text, "\n", &save); /* the blank line is skipped */
	assert_non_null(line);
	assert_string_equal(line, "       Value     Percentile TotalCount 1/(1-Percentile)");
	double prev_v = -1, prev_p = -1, last_v = 0, last_p = 0;
	long long prev_c = 0, last_c = 0;
	int rows = 0, footer = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (line[0] == '#') {
			const char *want[] = {"#[Mean    = ", "#[Max     = ", "#[Buckets = "};
			assert_true(footer < 3);
			assert_memory_equal(line, want[footer], strlen(want[footer]));
			footer++;
			continue;
		}
		assert_int_equal(footer, 0); /* no rows after the footer */
		double v, p, inv;
		long long c;
		int got = sscanf(line, "%lf %lf %lld %lf", &v, &p, &c, &inv);
		assert_true(got == 4 || got == 3);
		assert_true(v >= prev_v && p >= prev_p && c >= prev_c);
		assert_true(p >= 0 && p <= 1);
		if (got == 4)
			assert_true(p < 1 && fabs(inv - 1 / (1 - p)) <= 0.01);
		prev_v = last_v = v;
		prev_p = last_p = p;
		prev_c = last_c = c;
		rows++;
	}
	assert_int_equal(footer, 3);
	assert_true(rows > 50);
	assert_true(last_p == 1.0);
	assert_int_equal(last_c, 20001);
	assert_true(last_v == 2500.0); /* the max, in ms */
	free(text);

	/* Empty: header and footer only. */
	hdr_reset(&h);
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(hdr_write_percentiles(&h, f, 5, 1.0), 0);
	text = slurp(f);
	fclose(f);
	assert_string_equal(text, "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
				  "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
				  "#[Max     =        0.000, Total count    =            0]\n"
				  "#[Buckets =           22, SubBuckets     =         2048]\n");
	free(text);
	hdr_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_init),
		cmocka_unit_test(test_layout_memory),
		cmocka_unit_test(test_precision_across_range),
		cmocka_unit_test(test_uniform_percentiles),
		cmocka_unit_test(test_min_max_exact),
		cmocka_unit_test(test_mean_stddev),
		cmocka_unit_test(test_clamp_and_overflow),
		cmocka_unit_test(test_negative_rejected),
		cmocka_unit_test(test_record_n),
		cmocka_unit_test(test_merge_exact),
		cmocka_unit_test(test_merge_layouts_differ),
		cmocka_unit_test(test_corrected),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_write_percentiles),
	};
	return cmocka_run_group_tests_name("hdr", tests, NULL, NULL);
}
