/*
 * fuzz_perfrec: arbitrary bytes as a perf ring buffer's records (what the
 * kernel writes for samples, mmaps and losses). The sampler's parser must
 * read only inside each record, keep its promises — every sample has a
 * depth of 1 to SAMP_MAX_DEPTH frames, every map a path — and bound what
 * it keeps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prof/sampler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sampler s;
	memset(&s, 0, sizeof(s));
	s.max_samples = 1000;
	samp_parse(&s, data, size);
	/* the same bytes again: state carries over between chunks */
	samp_parse(&s, data, size);
	for (size_t i = 0; i < s.nsamples; i++)
		if (s.samples[i].depth < 1 || s.samples[i].depth > SAMP_MAX_DEPTH || !s.samples[i].ips)
			abort();
	for (size_t i = 0; i < s.nmaps; i++)
		if (!s.maps[i].path || !s.maps[i].path[0])
			abort();
	if (s.nsamples > s.max_samples)
		abort();
	samp_close(&s);
	return 0;
}
