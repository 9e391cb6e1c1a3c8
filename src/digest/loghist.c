/*
 * loghist: 2%-wide logarithmic buckets, lazily allocated.
 */
#include "loghist.h"

#include <math.h>
#include <stdlib.h>

static int bucket(double v)
{
	if (!(v >= 1))
		return 0;
	int b = (int)(log2(v) * LOGHIST_PER_OCTAVE);
	return b >= LOGHIST_BUCKETS ? LOGHIST_BUCKETS - 1 : b;
}

/* The geometric middle of bucket b: at most 1% from any value in it. */
static double middle(int b)
{
	return exp2(((double)b + 0.5) / LOGHIST_PER_OCTAVE);
}

static int add_bucket(struct loghist *h, int b, uint64_t n)
{
	if (!h->counts) {
		h->counts = calloc(LOGHIST_BUCKETS, sizeof(*h->counts));
		if (!h->counts)
			return -1;
		if (h->n == 1)
			h->counts[bucket(h->first)] = 1;
	}
	uint64_t c = (uint64_t)h->counts[b] + n;
	h->counts[b] = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	return 0;
}

int loghist_add(struct loghist *h, double v)
{
	if (h->n == 0) {
		h->first = v;
		h->n = 1;
		return 0;
	}
	if (add_bucket(h, bucket(v), 1))
		return -1;
	h->n++;
	return 0;
}

int loghist_merge(struct loghist *dst, const struct loghist *src)
{
	if (src->n == 0)
		return 0;
	if (dst->n == 0 && !src->counts) {
		dst->first = src->first;
		dst->n = 1;
		return 0;
	}
	if (!src->counts) {
		if (add_bucket(dst, bucket(src->first), 1))
			return -1;
	} else {
		for (int b = 0; b < LOGHIST_BUCKETS; b++)
			if (src->counts[b] && add_bucket(dst, b, src->counts[b]))
				return -1;
	}
	dst->n += src->n;
	return 0;
}

double loghist_percentile(const struct loghist *h, double pct)
{
	if (h->n == 0)
		return 0;
	if (!h->counts)
		return h->first;
	uint64_t want = (uint64_t)ceil(pct / 100.0 * (double)h->n);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (int b = 0; b < LOGHIST_BUCKETS; b++) {
		seen += h->counts[b];
		if (seen >= want)
			return b == 0 ? 1 : middle(b);
	}
	return middle(LOGHIST_BUCKETS - 1);
}

void loghist_free(struct loghist *h)
{
	free(h->counts);
	h->counts = NULL;
	h->n = 0;
}
