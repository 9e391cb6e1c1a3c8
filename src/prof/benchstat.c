/*
 * benchstat: summaries and the bootstrap ratio of medians (the contract
 * and the reasons are in benchstat.h).
 *
 * The bootstrap's inner loop is a median per resample, so medians are
 * found by selection (O(n), three-way partitioning so the many repeated
 * values of a resample cannot make it quadratic) rather than by sorting.
 */
#include "benchstat.h"
#include "../core/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64 (Steele, Lea, Flood): turns any seed, 0 included, into well-mixed state words. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void bstat_rng_seed(struct bstat_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman and Vigna). */
uint64_t bstat_rng_next(struct bstat_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double bstat_rng_double(struct bstat_rng *r)
{
	return (double)(bstat_rng_next(r) >> 11) * 0x1.0p-53;
}

/*
 * Lemire's multiply-and-shift: the high word of x * n is uniform in
 * [0, n) once the few low words that would favour some values are
 * rejected.
 */
uint64_t bstat_rng_below(struct bstat_rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)bstat_rng_next(r) * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			m = (unsigned __int128)bstat_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

static void swap(double *x, size_t i, size_t j)
{
	double t = x[i];
	x[i] = x[j];
	x[j] = t;
}

static double median3(double a, double b, double c)
{
	if (a > b) {
		double t = a;
		a = b;
		b = t;
	}
	return c < a ? a : c > b ? b : c;
}

/*
 * Reorder x[0..n) so that x[k] is the value a sort would put there and
 * nothing before it is larger. Invariant of the loop: everything left of
 * lo is <= everything in [lo, hi), which is <= everything from hi on.
 */
static void select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		double p = median3(x[lo], x[lo + (hi - lo) / 2], x[hi - 1]);
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (x[i] < p)
				swap(x, lt++, i++);
			else if (x[i] > p)
				swap(x, i, --gt);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return;
	}
}

double bstat_median_inplace(double *x, size_t n)
{
	if (n == 0)
		return 0;
	size_t k = n / 2;
	select_kth(x, n, k);
	if (n % 2)
		return x[k];
	double below = x[0];
	for (size_t i = 1; i < k; i++)
		if (x[i] > below)
			below = x[i];
	return (below + x[k]) / 2;
}

void bstat_summarize(const double *x, size_t n, struct bstat_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0)
		return;
	double sum = 0;
	out->min = out->max = x[0];
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] < out->min)
			out->min = x[i];
		if (x[i] > out->max)
			out->max = x[i];
	}
	out->mean = sum / (double)n;
	if (n > 1) {
		/* Two passes: the sum of squared deviations, not E[x²] - E[x]², which cancels badly. */
		double ss = 0;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - out->mean) * (x[i] - out->mean);
		out->stddev = sqrt(ss / (double)(n - 1));
	}
	double *copy = xmalloc(n * sizeof(*copy));
	memcpy(copy, x, n * sizeof(*copy));
	out->median = bstat_median_inplace(copy, n);
	free(copy);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

/* The p-quantile (0..1) of sorted s[0..n), interpolated between neighbours. */
static double quantile_sorted(const double *s, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t i = (size_t)pos;
	if (i + 1 >= n)
		return s[n - 1];
	double frac = pos - (double)i;
	return s[i] + (s[i + 1] - s[i]) * frac;
}

static int check_sample(const double *x, size_t n, const char *name, struct perr *e)
{
	if (n == 0)
		return perr_set(e, "sample %s is empty: measure at least one run of each command", name);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || x[i] <= 0)
			return perr_set(e, "sample %s: value %zu is %g, not a duration above 0", name, i + 1, x[i]);
	return 0;
}

/* The median of a resample of x[0..n) drawn with replacement, built in scratch. */
static double resampled_median(struct bstat_rng *rng, const double *x, size_t n, double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = x[bstat_rng_below(rng, n)];
	return bstat_median_inplace(scratch, n);
}

int bstat_ratio_ci(const double *a, size_t na, const double *b, size_t nb, size_t resamples, double level,
		   uint64_t seed, struct bstat_ratio *out, struct perr *e)
{
	memset(out, 0, sizeof(*out));
	if (check_sample(a, na, "A", e) || check_sample(b, nb, "B", e))
		return -1;
	if (resamples < 100 || resamples > 10000000)
		return perr_set(e, "bootstrap resamples %zu: expected 100 to 10000000", resamples);
	if (!(level > 0 && level < 1))
		return perr_set(e, "confidence level %g: expected a fraction between 0 and 1, e.g. 0.95", level);

	size_t nmax = na > nb ? na : nb;
	double *scratch = xmalloc(nmax * sizeof(*scratch));
	double *ratios = xmalloc(resamples * sizeof(*ratios));
	memcpy(scratch, a, na * sizeof(*scratch));
	double ma = bstat_median_inplace(scratch, na);
	memcpy(scratch, b, nb * sizeof(*scratch));
	double mb = bstat_median_inplace(scratch, nb);
	out->ratio = ma / mb;

	struct bstat_rng rng;
	bstat_rng_seed(&rng, seed);
	for (size_t r = 0; r < resamples; r++) {
		double ra = resampled_median(&rng, a, na, scratch);
		double rb = resampled_median(&rng, b, nb, scratch);
		ratios[r] = ra / rb;
	}
	qsort(ratios, resamples, sizeof(*ratios), cmp_double);
	double tail = (1 - level) / 2;
	out->ci_low = quantile_sorted(ratios, resamples, tail);
	out->ci_high = quantile_sorted(ratios, resamples, 1 - tail);
	out->within_noise = out->ci_low <= 1 && 1 <= out->ci_high;
	/* The direction from the interval, which lies wholly on one side of 1 here. */
	out->faster = out->within_noise ? BSTAT_NEITHER : out->ci_low > 1 ? BSTAT_B : BSTAT_A;
	free(ratios);
	free(scratch);
	return 0;
}
