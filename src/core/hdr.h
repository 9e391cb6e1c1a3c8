/*
 * hdr: a log-bucketed latency histogram in the manner of HdrHistogram, for
 * the load generator's per-thread latency recording.
 *
 * Why this shape: a load generator records millions of latencies a second on
 * several threads, and then has to report p50 ... p99.999 without having kept
 * the samples. A histogram whose buckets widen with the value keeps a fixed
 * relative precision ("3 significant digits") over a huge range (1 µs to
 * 1 hour) in a small fixed array, recording is an index computation and an
 * increment (O(1), no allocation, no locks: one histogram per thread), and
 * two histograms of the same layout merge exactly by adding counts.
 *
 * Layout. Values are grouped into buckets; bucket b holds the values below
 * sub_bucket_count * 2^(b + unit_magnitude), in sub-buckets of width
 * 2^(b + unit_magnitude). Bucket 0 has all sub_bucket_count sub-buckets; every
 * later bucket only needs its upper half (its lower half is the whole previous
 * bucket at a coarser width), so the counts array has
 * (bucket_count + 1) * sub_bucket_count / 2 slots. sub_bucket_count is the
 * smallest power of two >= 2 * 10^sigfigs, so past bucket 0 a sub-bucket is
 * never wider than 1/10^sigfigs of the values it holds. unit_magnitude is chosen from `lowest`
 * so that the promise below also holds in bucket 0.
 *
 * Precision promise: for lowest <= v <= highest, every value in v's sub-bucket
 * lies within v / 10^sigfigs of v; so hdr_highest_equivalent(v) - v and
 * v - hdr_lowest_equivalent(v) are both <= v / 10^sigfigs. Values from 0 to
 * lowest - 1 are recorded too, to within the width of the finest sub-bucket.
 * With lowest = 1, highest = 3,600,000,000 (1 h in µs) and sigfigs = 3 the
 * layout is 22 buckets of 2048 sub-buckets: 23,552 counts, 184 KiB.
 *
 * Memory: struct hdr is the caller's (stack, array, inside another struct);
 * hdr_init allocates only the counts array, hdr_free releases it. Nothing is
 * global; a histogram may be used by one thread at a time.
 */
#ifndef PA_HDR_H
#define PA_HDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hdr {
	/* The layout: fixed by hdr_init, compared by hdr_merge. */
	int64_t lowest;         /* as given: the smallest value the precision is promised for */
	int64_t highest;        /* as given: larger values are clamped to it */
	int sigfigs;            /* as given: 1..5 */
	int unit_magnitude;     /* log2 of the width of bucket 0's sub-buckets */
	int sub_half_magnitude; /* log2(sub_bucket_count / 2) */
	int sub_bucket_count;   /* sub-buckets per bucket: a power of two >= 2 * 10^sigfigs */
	int bucket_count;       /* buckets needed to reach `highest` */
	size_t counts_len;      /* (bucket_count + 1) * sub_bucket_count / 2 */
	uint64_t sub_mask;      /* (sub_bucket_count - 1) << unit_magnitude */

	/* The data. */
	int64_t *counts;  /* counts_len slots; owned, freed by hdr_free */
	int64_t total;    /* values recorded, clamped ones included */
	int64_t overflow; /* values recorded above `highest` (and clamped to it) */
	int64_t min;      /* smallest value recorded, exact; INT64_MAX while empty */
	int64_t max;      /* largest value recorded after clamping, exact; 0 while empty */
};

/*
 * Set up an empty histogram for values up to `highest` with `sigfigs`
 * significant decimal digits from `lowest` up. Requires lowest >= 1,
 * highest >= 2 * lowest, 1 <= sigfigs <= 5. Returns 0, or -1 on bad
 * arguments or no memory; on -1 *h is zeroed, and hdr_free(h) is harmless.
 */
int hdr_init(struct hdr *h, int64_t lowest, int64_t highest, int sigfigs);

/* Release the counts array and zero *h; safe on a zeroed or freed struct. */
void hdr_free(struct hdr *h);

/* Forget every recorded value; the layout and its memory are kept. */
void hdr_reset(struct hdr *h);

/* Bytes held by the histogram: the struct plus its counts array. */
size_t hdr_memory_size(const struct hdr *h);

/*
 * Record one value: O(1), no allocation. A value above `highest` is recorded
 * as `highest` and also counted in hdr_overflow(). Returns 0, or -1 (and
 * records nothing) for a negative value.
 */
int hdr_record(struct hdr *h, int64_t value);

/*
 * Record `count` occurrences of `value`, with hdr_record's clamping. Returns 0
 * (count 0 records nothing), or -1 for a negative value or count.
 */
int hdr_record_n(struct hdr *h, int64_t value, int64_t count);

/*
 * Record `value` corrected for coordinated omission, as HdrHistogram's
 * recordValueWithExpectedInterval (and wrk2) do: when expected_interval > 0
 * and value > expected_interval, the samples a stalled sender failed to take
 * are back-filled as value - expected_interval, value - 2 * expected_interval,
 * ..., down to the last one that is still >= expected_interval. So 1,000,000
 * with an interval of 10,000 records 100 values: 1,000,000, 990,000, ...,
 * 10,000. Cost is O(number of sub-buckets the back-fill spans), not O(number
 * of back-filled values). Each value above `highest`, original or back-filled,
 * is clamped and counted in hdr_overflow(). Returns 0, or -1 for a negative
 * value.
 */
int hdr_record_corrected(struct hdr *h, int64_t value, int64_t expected_interval);

/*
 * Add src's recorded values to dst. Exact: the two must have the same layout
 * (unit_magnitude, sub_bucket_count, bucket_count, highest), and then counts,
 * totals, overflow, min and max combine as if every value had been recorded
 * into dst. Returns 0, or -1 (dst untouched) when the layouts differ.
 */
int hdr_merge(struct hdr *dst, const struct hdr *src);

/* Values recorded (clamped ones included). */
int64_t hdr_count(const struct hdr *h);
/* Values recorded above `highest`. */
int64_t hdr_overflow(const struct hdr *h);
/* The smallest and largest values recorded, exact (max after clamping); 0 when empty. */
int64_t hdr_min(const struct hdr *h);
int64_t hdr_max(const struct hdr *h);

/*
 * Mean and population standard deviation, taking every value as the midpoint
 * of its sub-bucket (so within the precision promise); 0 when empty.
 */
double hdr_mean(const struct hdr *h);
double hdr_stddev(const struct hdr *h);

/*
 * The value at percentile `pct` (0..100, clamped into that range): the
 * highest value equivalent to the sub-bucket where the cumulative count first
 * reaches ceil(pct / 100 * count) (at least 1), capped at hdr_max() so that
 * no percentile exceeds the largest value recorded. 100 gives hdr_max();
 * an empty histogram gives 0.
 */
int64_t hdr_value_at_percentile(const struct hdr *h, double pct);

/*
 * The smallest and the largest value that share v's sub-bucket (v < 0 is taken
 * as 0). Pure arithmetic on the layout: also defined above `highest`.
 */
int64_t hdr_lowest_equivalent(const struct hdr *h, int64_t v);
int64_t hdr_highest_equivalent(const struct hdr *h, int64_t v);

/*
 * Write the percentile spectrum in HdrHistogram's .hgrm text form: the header
 * "       Value     Percentile TotalCount 1/(1-Percentile)" and a blank line;
 * one row per reporting level, the levels halving the distance to 100% with
 * `ticks_per_half` rows per halving (5 is usual), each row giving the value
 * (capped at max) divided by `unit_scale` (1000.0 prints ms for µs values),
 * the percentile as a fraction, the cumulative count and 1/(1 - fraction); a
 * last row at 1.000000000000 with the max; then the footer lines
 * "#[Mean = ..., StdDeviation = ...]", "#[Max = ..., Total count = ...]" and
 * "#[Buckets = ..., SubBuckets = ...]". An empty histogram gets the header
 * and footer only. Returns 0, or -1 for ticks_per_half < 1, unit_scale not
 * > 0, or a write error.
 */
int hdr_write_percentiles(const struct hdr *h, FILE *out, int ticks_per_half, double unit_scale);

#endif
