/*
 * response: an incremental HTTP/1.x response parser for the load generator.
 *
 * It is fed bytes as they arrive, in pieces of any size, and keeps only what
 * it must: a line split across reads is copied aside (at most 64 KiB of
 * status line and headers), the body is counted, never stored. It knows
 * the framing rules a client needs — Content-Length, chunked (with
 * extensions and trailers), a body ended by the peer closing, no body for
 * HEAD, 1xx, 204 and 304, interim 1xx responses skipped — and the
 * keep-alive rules of HTTP/1.0 and 1.1. Anything malformed is an error with
 * a short static reason, never a crash.
 */
#ifndef PA_HTTP_RESPONSE_H
#define PA_HTTP_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#define HRESP_MAX_HEAD (64 * 1024)

enum hresp_state {
	HR_STATUS,
	HR_HEADERS,
	HR_BODY_LENGTH,
	HR_CHUNK_SIZE,
	HR_CHUNK_DATA,
	HR_CHUNK_CRLF,
	HR_TRAILERS,
	HR_BODY_EOF,
	HR_DONE,
	HR_ERROR,
};

struct hresp {
	enum hresp_state state;
	int head;           /* the request was HEAD: no body whatever the headers say */
	int status;         /* 100..999 once the status line is read */
	int http_minor;     /* HTTP/1.0 or 1.1 */
	int keep_alive;     /* the connection may carry another request */
	int chunked;
	int64_t content_length; /* -1 when absent */
	int64_t body_left;      /* of the body or the current chunk */
	int64_t body_bytes;     /* body bytes seen (chunk framing not counted) */
	int64_t head_bytes;     /* status line and headers, interim responses included */
	const char *error;      /* why, when state == HR_ERROR */
	char *line;             /* a line split across feeds */
	size_t line_len, line_cap;
};

/* Start a response; head: the request was HEAD. Keeps the line buffer for reuse. */
void hresp_init(struct hresp *r, int head);
void hresp_free(struct hresp *r);

/*
 * Feed n bytes; returns how many were consumed. It stops at the end of a
 * complete response (state HR_DONE; the rest belongs to whatever follows)
 * or at an error (HR_ERROR, r->error set). Otherwise it consumes all n.
 */
size_t hresp_feed(struct hresp *r, const char *data, size_t n);

/*
 * The peer closed the connection. A body delimited by the close is then
 * complete (returns 0, state HR_DONE); any other unfinished response is an
 * error (returns -1, state HR_ERROR).
 */
int hresp_eof(struct hresp *r);

#endif
