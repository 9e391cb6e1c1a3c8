/*
 * fuzz_http_response: arbitrary bytes as a server's answer, cut into
 * pieces at arbitrary points. The first byte picks HEAD or not and the piece
 * size; the parser must never crash, never consume more than it was given,
 * and must reach the same end whether fed whole or in pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum hresp_state run(const char *s, size_t n, int head, size_t piece, int64_t *body, int *status)
{
	struct hresp r = {0};
	hresp_init(&r, head);
	size_t used = 0;
	while (used < n && r.state != HR_DONE && r.state != HR_ERROR) {
		size_t k = n - used < piece ? n - used : piece;
		size_t got = hresp_feed(&r, s + used, k);
		if (got > k)
			abort();
		used += got;
		if (got == 0 && r.state != HR_DONE && r.state != HR_ERROR)
			abort(); /* no progress without an end */
	}
	if (r.state != HR_DONE && r.state != HR_ERROR)
		hresp_eof(&r);
	*body = r.body_bytes;
	*status = r.status;
	enum hresp_state st = r.state;
	hresp_free(&r);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int head = data[0] & 1;
	size_t piece = (size_t)(data[0] >> 1) + 1;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	int64_t b1, b2;
	int s1, s2;
	enum hresp_state a = run(s, n, head, n ? n : 1, &b1, &s1);
	enum hresp_state b = run(s, n, head, piece, &b2, &s2);
	if (a != b || (a == HR_DONE && (b1 != b2 || s1 != s2)))
		abort();
	return 0;
}
