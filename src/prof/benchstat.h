/*
 * benchstat: the statistics behind `perfagent bench` — the summary of a
 * sample of run times (min, median, max, mean, standard deviation) and
 * the comparison of two commands: the ratio of their medians with a
 * bootstrap 95% confidence interval, so "B is faster" comes with honest
 * error bars and a verdict of "within noise" when the interval holds 1.
 *
 * Medians, not means: a benchmark's run times are skewed (a run that
 * caught a page-cache miss or a busy neighbour is slow, none is
 * correspondingly fast), and the median shrugs such runs off. The
 * interval is the percentile bootstrap: resample each command's runs with
 * replacement, take the ratio of the resamples' medians, many times, and
 * read the 2.5th and 97.5th percentiles of those ratios. It assumes
 * nothing about the distribution of run times, which is the point.
 *
 * The bootstrap draws from a PRNG of its own (xoshiro256**, seeded through
 * splitmix64), never rand(): the same samples and seed give the same
 * interval on every machine, so a result is reproducible and a test can
 * pin it.
 */
#ifndef PA_PROF_BENCHSTAT_H
#define PA_PROF_BENCHSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* xoshiro256** state; seed it with bstat_rng_seed() (an all-zero state is stuck at 0). */
struct bstat_rng {
	uint64_t s[4];
};

/* Seed the generator from one 64-bit value (expanded with splitmix64). */
void bstat_rng_seed(struct bstat_rng *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t bstat_rng_next(struct bstat_rng *r);
/* A uniform double in [0, 1), 53 bits of it. */
double bstat_rng_double(struct bstat_rng *r);
/* A uniform integer in [0, n), without modulo bias; n must be > 0. */
uint64_t bstat_rng_below(struct bstat_rng *r, uint64_t n);

struct bstat_summary {
	size_t n;
	double min, median, max, mean;
	double stddev; /* sample standard deviation (n - 1); 0 for fewer than 2 values */
};

/*
 * Summarize x[0..n) (not modified). The median of an even count is the
 * mean of the two middle values. n == 0 gives all zeros.
 */
void bstat_summarize(const double *x, size_t n, struct bstat_summary *out);

/*
 * The median of x[0..n), n > 0, found in place by selection in O(n): x is
 * reordered. 0 for n == 0.
 */
double bstat_median_inplace(double *x, size_t n);

/* Defaults for bstat_ratio_ci(): what `perfagent bench` uses. */
#define BSTAT_RESAMPLES 10000
#define BSTAT_SEED UINT64_C(0x70657266626e6368) /* "perfbnch" */

enum bstat_faster {
	BSTAT_NEITHER, /* the interval holds 1: no difference beyond noise */
	BSTAT_A,       /* A's median is lower, beyond noise */
	BSTAT_B,       /* B's median is lower, beyond noise */
};

struct bstat_ratio {
	double ratio;   /* median(a) / median(b): above 1 means B takes less time */
	double ci_low;  /* the bootstrap interval of the ratio at the level asked for */
	double ci_high;
	int within_noise; /* ci_low <= 1 <= ci_high */
	enum bstat_faster faster;
};

/*
 * Compare two samples of durations: the ratio of medians, median(a) /
 * median(b), and its percentile-bootstrap interval at `level` (0.95 for
 * 95%) from `resamples` resamplings (at least 100) drawn from a generator
 * seeded with `seed`. Every value must be a finite number above 0 (a
 * duration); na and nb at least 1. Cost: O(resamples * (na + nb)) time,
 * O(max(na, nb)) memory. Returns 0, or -1 with a message in e for an
 * empty sample, a value that is not a positive duration or bad settings.
 */
int bstat_ratio_ci(const double *a, size_t na, const double *b, size_t nb, size_t resamples, double level,
		   uint64_t seed, struct bstat_ratio *out, struct perr *e);

#endif
