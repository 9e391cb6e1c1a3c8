/*
 * loghist: a small log-bucketed histogram for per-query-class statistics.
 *
 * A digest keeps one per distinct fingerprint — thousands of them — so the
 * 184 KB, 0.1%-precise HDR histogram of the load engine is too big here.
 * This one has 35 buckets per octave (each 2% wide, so a value read back
 * from its bucket's middle is within 1%) from 1 µs to about an hour: 1,120
 * 32-bit counts, 4.4 KB, allocated on the second value only (a class seen
 * once needs none: its min is its value).
 */
#ifndef PA_DIGEST_LOGHIST_H
#define PA_DIGEST_LOGHIST_H

#include <stdint.h>

#define LOGHIST_PER_OCTAVE 35
#define LOGHIST_OCTAVES 32
#define LOGHIST_BUCKETS (LOGHIST_PER_OCTAVE * LOGHIST_OCTAVES)

struct loghist {
	uint32_t *counts; /* LOGHIST_BUCKETS, or NULL while fewer than two values */
	uint64_t n;
	double first;     /* the first value, kept until counts exist */
};

/* Record v (microseconds; values under 1 count as 1, over the range as the top). -1 on no memory. */
int loghist_add(struct loghist *h, double v);
/* Add every count of src to dst. -1 on no memory. */
int loghist_merge(struct loghist *dst, const struct loghist *src);
/* The value at percentile pct (0..100), within 1%; 0 when empty. */
double loghist_percentile(const struct loghist *h, double pct);
void loghist_free(struct loghist *h);

#endif
