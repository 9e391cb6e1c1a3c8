/*
 * hdr: the log-bucketed latency histogram (layout and promises in hdr.h).
 *
 * The whole design turns on one mapping, value -> slot, that has to be cheap
 * enough for the load generator's hot path: it is a count-leading-zeros, two
 * shifts and an add, with no loop, no table and no branch. Everything else
 * (percentiles, mean, the .hgrm spectrum) walks the counts array once and is
 * only run when reporting.
 */
#include "hdr.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The bucket of v >= 0. Or-ing in sub_mask makes every value below
 * sub_bucket_count << unit_magnitude look as large as bucket 0's top, so the
 * position of the highest set bit, less the bits one bucket spans, is the
 * bucket number: 0 up to sub_bucket_count << unit_magnitude, then one more
 * per doubling.
 */
static inline int bucket_of(const struct hdr *h, int64_t v)
{
	uint64_t x = (uint64_t)v | h->sub_mask;
	return 63 - __builtin_clzll(x) - h->sub_half_magnitude - h->unit_magnitude;
}

/*
 * The counts slot of v, 0 <= v <= highest. Within bucket b the sub-bucket is
 * v >> (b + unit_magnitude): 0 .. sub_bucket_count - 1 in bucket 0, and only
 * the upper half, sub_bucket_count / 2 .. sub_bucket_count - 1, in later
 * buckets. Adding b * sub_bucket_count / 2 packs those halves one after the
 * other behind bucket 0 without gaps.
 */
static inline size_t slot_of(const struct hdr *h, int64_t v)
{
	int b = bucket_of(h, v);
	return ((size_t)b << h->sub_half_magnitude) +
	       (size_t)((uint64_t)v >> (b + h->unit_magnitude));
}

/* The bucket a slot belongs to: the inverse of slot_of's packing. */
static int slot_bucket(const struct hdr *h, size_t i)
{
	size_t hi = i >> h->sub_half_magnitude;
	return hi ? (int)hi - 1 : 0;
}

/* The smallest value that maps to slot i. */
static int64_t slot_low(const struct hdr *h, size_t i)
{
	int b = slot_bucket(h, i);
	uint64_t sub = (uint64_t)(i - ((size_t)b << h->sub_half_magnitude));
	return (int64_t)(sub << (b + h->unit_magnitude));
}

/* The width of slot i: how many values share it. */
static int64_t slot_width(const struct hdr *h, size_t i)
{
	return (int64_t)((uint64_t)1 << (slot_bucket(h, i) + h->unit_magnitude));
}

/* The largest value that maps to slot i, capped at the largest recorded. */
static int64_t slot_high_capped(const struct hdr *h, size_t i)
{
	int64_t v = slot_low(h, i) + (slot_width(h, i) - 1);
	return v < h->max ? v : h->max;
}

/*
 * Set up the layout (see hdr.h for the geometry). unit_magnitude is the
 * largest u with 2^u - 1 <= lowest / 10^sigfigs, which keeps bucket 0's
 * absolute error within the relative promise from `lowest` up; later buckets
 * keep it because a sub-bucket there is at most 1/(sub_bucket_count/2) of its
 * values and sub_bucket_count/2 >= 10^sigfigs.
 */
int hdr_init(struct hdr *h, int64_t lowest, int64_t highest, int sigfigs)
{
	if (!h)
		return -1;
	memset(h, 0, sizeof(*h));
	if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || highest / 2 < lowest)
		return -1;

	int64_t digits = 1;
	for (int i = 0; i < sigfigs; i++)
		digits *= 10;
	int sub_magnitude = 1; /* log2(sub_bucket_count) */
	while (((int64_t)1 << sub_magnitude) < 2 * digits)
		sub_magnitude++;
	uint64_t units = (uint64_t)(lowest / digits) + 1;
	int unit_magnitude = 63 - __builtin_clzll(units);
	/* Bucket 0's top must fit in 63 bits; true for every valid lowest. */
	if (sub_magnitude + unit_magnitude > 63)
		return -1;

	/* One bucket per doubling until the buckets' top passes `highest`. */
	int bucket_count = 1;
	int top = sub_magnitude + unit_magnitude; /* log2 of the first value past the buckets */
	while (top < 63 && ((uint64_t)1 << top) <= (uint64_t)highest) {
		top++;
		bucket_count++;
	}

	size_t len = (size_t)(bucket_count + 1) << (sub_magnitude - 1);
	int64_t *counts = calloc(len, sizeof(*counts));
	if (!counts)
		return -1;

	h->lowest = lowest;
	h->highest = highest;
	h->sigfigs = sigfigs;
	h->unit_magnitude = unit_magnitude;
	h->sub_half_magnitude = sub_magnitude - 1;
	h->sub_bucket_count = 1 << sub_magnitude;
	h->bucket_count = bucket_count;
	h->counts_len = len;
	h->sub_mask = (((uint64_t)1 << sub_magnitude) - 1) << unit_magnitude;
	h->counts = counts;
	h->min = INT64_MAX;
	return 0;
}

void hdr_free(struct hdr *h)
{
	if (!h)
		return;
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

void hdr_reset(struct hdr *h)
{
	if (h->counts)
		memset(h->counts, 0, h->counts_len * sizeof(*h->counts));
	h->total = 0;
	h->overflow = 0;
	h->min = INT64_MAX;
	h->max = 0;
}

size_t hdr_memory_size(const struct hdr *h)
{
	return sizeof(*h) + h->counts_len * sizeof(*h->counts);
}

/*
 * The hot path: add n >= 1 occurrences of v >= 0. The clamp and the extremes
 * are written as selects so that compilers emit conditional moves.
 */
static inline void put(struct hdr *h, int64_t v, int64_t n)
{
	int64_t over = v > h->highest;
	v = over ? h->highest : v;
	h->counts[slot_of(h, v)] += n;
	h->total += n;
	h->overflow += over * n;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

int hdr_record(struct hdr *h, int64_t value)
{
	if (value < 0)
		return -1;
	put(h, value, 1);
	return 0;
}

int hdr_record_n(struct hdr *h, int64_t value, int64_t count)
{
	if (value < 0 || count < 0)
		return -1;
	if (count > 0)
		put(h, value, count);
	return 0;
}

/*
 * The back-filled values form an arithmetic progression t, t + I, ...,
 * value - I. Rather than record them one at a time (value / I can be
 * billions), walk it a sub-bucket at a time: from t, the values up to the
 * sub-bucket's top are (top - t) / I + 1 terms, all into one slot.
 */
int hdr_record_corrected(struct hdr *h, int64_t value, int64_t expected_interval)
{
	if (value < 0)
		return -1;
	put(h, value, 1);
	if (expected_interval <= 0 || value <= expected_interval)
		return 0;

	int64_t step = expected_interval;
	int64_t left = value / step - 1; /* terms value - k*step >= step, k >= 1 */
	if (left == 0)
		return 0;
	int64_t t = value - left * step; /* the smallest term: step <= t < 2 * step */
	h->total += left;
	h->min = t < h->min ? t : h->min;
	/* h->max needs nothing: every term is below value, which put() saw. */
	while (left > 0 && t <= h->highest) {
		size_t i = slot_of(h, t);
		int64_t top = slot_low(h, i) + (slot_width(h, i) - 1);
		if (top > h->highest)
			top = h->highest;
		int64_t n = (top - t) / step + 1;
		if (n > left)
			n = left;
		h->counts[i] += n;
		left -= n;
		if (left > 0)
			t += n * step; /* the next term, still <= value - step */
	}
	if (left > 0) { /* the terms above highest, clamped */
		h->counts[slot_of(h, h->highest)] += left;
		h->overflow += left;
	}
	return 0;
}

int hdr_merge(struct hdr *dst, const struct hdr *src)
{
	if (dst->unit_magnitude != src->unit_magnitude ||
	    dst->sub_half_magnitude != src->sub_half_magnitude ||
	    dst->bucket_count != src->bucket_count || dst->highest != src->highest ||
	    dst->counts_len != src->counts_len || !dst->counts || !src->counts)
		return -1;
	for (size_t i = 0; i < dst->counts_len; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->overflow += src->overflow;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	return 0;
}

int64_t hdr_count(const struct hdr *h)
{
	return h->total;
}

int64_t hdr_overflow(const struct hdr *h)
{
	return h->overflow;
}

int64_t hdr_min(const struct hdr *h)
{
	return h->total ? h->min : 0;
}

int64_t hdr_max(const struct hdr *h)
{
	return h->total ? h->max : 0;
}

/* The value a slot stands for in mean and stddev: the middle of its range. */
static double slot_mid(const struct hdr *h, size_t i)
{
	return (double)slot_low(h, i) + (double)(slot_width(h, i) / 2);
}

double hdr_mean(const struct hdr *h)
{
	if (!h->total)
		return 0;
	double sum = 0;
	for (size_t i = 0; i < h->counts_len; i++)
		if (h->counts[i])
			sum += slot_mid(h, i) * (double)h->counts[i];
	return sum / (double)h->total;
}

double hdr_stddev(const struct hdr *h)
{
	if (!h->total)
		return 0;
	double mean = hdr_mean(h), sum = 0;
	for (size_t i = 0; i < h->counts_len; i++) {
		if (h->counts[i]) {
			double d = slot_mid(h, i) - mean;
			sum += d * d * (double)h->counts[i];
		}
	}
	return sqrt(sum / (double)h->total);
}

/*
 * ceil(pct / 100 * total) computed in double carries a few ulps of error, so
 * 99.9% of 100000 can come out as 99900.00000000001; shaving 4 ulps before the
 * ceil keeps exact products exact.
 */
int64_t hdr_value_at_percentile(const struct hdr *h, double pct)
{
	if (!h->total)
		return 0;
	if (!(pct > 0)) /* also NaN */
		pct = 0;
	if (pct >= 100)
		return h->max;
	double x = pct / 100.0 * (double)h->total;
	x -= x * 4 * DBL_EPSILON;
	int64_t rank = (int64_t)ceil(x);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;
	int64_t cum = 0;
	for (size_t i = 0; i < h->counts_len; i++) {
		cum += h->counts[i];
		if (cum >= rank)
			return slot_high_capped(h, i);
	}
	return h->max;
}

int64_t hdr_lowest_equivalent(const struct hdr *h, int64_t v)
{
	if (v < 0)
		v = 0;
	int shift = bucket_of(h, v) + h->unit_magnitude;
	return (int64_t)(((uint64_t)v >> shift) << shift);
}

int64_t hdr_highest_equivalent(const struct hdr *h, int64_t v)
{
	if (v < 0)
		v = 0;
	int shift = bucket_of(h, v) + h->unit_magnitude;
	return (int64_t)((((uint64_t)v >> shift) << shift) + (((uint64_t)1 << shift) - 1));
}

/*
 * The next reporting level after `level` (a percentage): HdrHistogram's
 * scheme of `ticks` steps per halving of the distance to 100. Returns 100
 * once floating point can no longer make progress, which ends the walk.
 */
static double next_level(double level, int ticks)
{
	double halvings = floor(log2(100.0 / (100.0 - level)));
	double per_100 = (double)ticks * pow(2.0, halvings + 1);
	double next = level + 100.0 / per_100;
	return next > level && next < 100.0 ? next : 100.0;
}

static void write_row(FILE *out, int decimals, double value, double level, int64_t cum)
{
	double frac = level / 100.0;
	fprintf(out, "%12.*f %14.12f %10" PRId64 " %14.2f\n", decimals, value, frac, cum,
		1.0 / (1.0 - frac));
}

/*
 * Walk the slots in value order keeping the cumulative count; while it has
 * reached the current level, print a row (several levels can fall in one
 * slot) and move the level on. As in HdrHistogram, the slot that completes
 * the count gives one row at the current level, and the spectrum closes
 * with the 100% row.
 */
int hdr_write_percentiles(const struct hdr *h, FILE *out, int ticks_per_half, double unit_scale)
{
	if (!out || ticks_per_half < 1 || !(unit_scale > 0) || isinf(unit_scale))
		return -1;
	int dec = h->sigfigs;
	fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
		"1/(1-Percentile)");
	if (h->total > 0) {
		double level = 0;
		int64_t cum = 0;
		for (size_t i = 0; i < h->counts_len && cum < h->total; i++) {
			if (!h->counts[i])
				continue;
			cum += h->counts[i];
			double v = (double)slot_high_capped(h, i) / unit_scale;
			if (cum >= h->total) {
				if (level < 100.0)
					write_row(out, dec, v, level, cum);
				break;
			}
			double reached = 100.0 * (double)cum / (double)h->total;
			while (level < 100.0 && reached >= level) {
				write_row(out, dec, v, level, cum);
				level = next_level(level, ticks_per_half);
			}
		}
		double max = (double)h->max / unit_scale;
		fprintf(out, "%12.*f %14.12f %10" PRId64 "\n", dec, max, 1.0, h->total);
	}
	fprintf(out, "#[Mean    = %12.*f, StdDeviation   = %12.*f]\n", dec,
		hdr_mean(h) / unit_scale, dec, hdr_stddev(h) / unit_scale);
	fprintf(out, "#[Max     = %12.*f, Total count    = %12" PRId64 "]\n", dec,
		(double)hdr_max(h) / unit_scale, h->total);
	fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count,
		h->sub_bucket_count);
	return ferror(out) ? -1 : 0;
}
