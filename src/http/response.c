/*
 * response: the HTTP/1.x response state machine.
 *
 * Lines (status, headers, chunk sizes, trailers) are parsed straight from
 * the caller's buffer when they are whole in it, which is nearly always;
 * only a line cut by a read boundary is copied into r->line.
 */
#include "response.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void hresp_init(struct hresp *r, int head)
{
	char *line = r->line;
	size_t cap = r->line_cap;
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->line_cap = cap;
	r->head = head;
	r->content_length = -1;
	r->state = HR_STATUS;
}

void hresp_free(struct hresp *r)
{
	free(r->line);
	r->line = NULL;
	r->line_cap = r->line_len = 0;
}

static int fail(struct hresp *r, const char *why)
{
	r->state = HR_ERROR;
	r->error = why;
	return -1;
}

static int is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* "HTTP/1.1 200 OK" */
static int status_line(struct hresp *r, const char *s, size_t n)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return fail(r, "malformed status line");
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return fail(r, "malformed status code");
	if (n > 12 && s[12] != ' ')
		return fail(r, "malformed status line");
	r->http_minor = s[7] - '0';
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (r->status < 100)
		return fail(r, "malformed status code");
	r->keep_alive = r->http_minor == 1;
	r->chunked = 0;
	r->content_length = -1;
	r->state = HR_HEADERS;
	return 0;
}

/* Does the comma-separated header value contain token (case-insensitive)? */
static int has_token(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t start = i;
		while (i < n && v[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end - start == tl && strncasecmp(v + start, token, tl) == 0)
			return 1;
	}
	return 0;
}

/* The last coding of Transfer-Encoding is chunked. */
static int last_is_chunked(const char *v, size_t n)
{
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	size_t i = n;
	while (i && v[i - 1] != ',')
		i--;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return n - i == 7 && strncasecmp(v + i, "chunked", 7) == 0;
}

static int header_line(struct hresp *r, const char *s, size_t n)
{
	if (s[0] == ' ' || s[0] == '\t')
		return 0; /* obsolete line folding: a continuation, nothing we need */
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return fail(r, "malformed header line");
	size_t nl = (size_t)(colon - s);
	for (size_t i = 0; i < nl; i++)
		if (!is_token_char((unsigned char)s[i]))
			return fail(r, "malformed header name");
	const char *v = colon + 1;
	size_t vl = n - nl - 1;
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	switch (nl) {
	case 14:
		if (strncasecmp(s, "content-length", 14) == 0) {
			int64_t len = 0;
			size_t digits = 0;
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			for (size_t i = 0; i < vl; i++) {
				if (v[i] < '0' || v[i] > '9')
					return fail(r, "malformed Content-Length");
				if (len > (INT64_MAX - 9) / 10)
					return fail(r, "Content-Length too large");
				len = len * 10 + (v[i] - '0');
				digits++;
			}
			if (!digits)
				return fail(r, "malformed Content-Length");
			if (r->content_length >= 0 && r->content_length != len)
				return fail(r, "conflicting Content-Length headers");
			r->content_length = len;
		}
		break;
	case 17:
		if (strncasecmp(s, "transfer-encoding", 17) == 0)
			r->chunked = last_is_chunked(v, vl) ? 1 : -1; /* -1: not chunked: until close */
		break;
	case 10:
		if (strncasecmp(s, "connection", 10) == 0) {
			if (has_token(v, vl, "close"))
				r->keep_alive = 0;
			else if (has_token(v, vl, "keep-alive"))
				r->keep_alive = 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The blank line after the headers: decide how the body is framed. */
static int end_of_head(struct hresp *r)
{
	if (r->status >= 100 && r->status < 200 && r->status != 101) {
		r->state = HR_STATUS; /* interim (100 Continue, 103 Early Hints): the real one follows */
		return 0;
	}
	if (r->status == 101) {
		r->keep_alive = 0; /* switched protocols: this connection is no longer HTTP */
		r->state = HR_DONE;
		return 0;
	}
	if (r->head || r->status == 204 || r->status == 304) {
		r->state = HR_DONE;
		return 0;
	}
	if (r->chunked == 1) {
		r->state = HR_CHUNK_SIZE;
		return 0;
	}
	if (r->chunked == -1 || r->content_length < 0) {
		r->keep_alive = 0;
		r->state = HR_BODY_EOF;
		return 0;
	}
	r->body_left = r->content_length;
	r->state = r->body_left ? HR_BODY_LENGTH : HR_DONE;
	return 0;
}

static int chunk_size_line(struct hresp *r, const char *s, size_t n)
{
	int64_t size = 0;
	size_t i = 0;
	for (; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		if (size > (INT64_MAX >> 4))
			return fail(r, "chunk size too large");
		size = size * 16 + d;
	}
	if (i == 0)
		return fail(r, "malformed chunk size");
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return fail(r, "malformed chunk size");
	if (size == 0) {
		r->state = HR_TRAILERS;
	} else {
		r->body_left = size;
		r->state = HR_CHUNK_DATA;
	}
	return 0;
}

/* One complete line (without its CR LF) in the current state. */
static int line(struct hresp *r, const char *s, size_t n)
{
	switch (r->state) {
	case HR_STATUS:
		return status_line(r, s, n);
	case HR_HEADERS:
		return n == 0 ? end_of_head(r) : header_line(r, s, n);
	case HR_CHUNK_SIZE:
		return chunk_size_line(r, s, n);
	case HR_CHUNK_CRLF:
		if (n != 0)
			return fail(r, "missing CRLF after chunk data");
		r->state = HR_CHUNK_SIZE;
		return 0;
	case HR_TRAILERS:
		if (n == 0)
			r->state = HR_DONE;
		return 0;
	default:
		return fail(r, "internal parser state");
	}
}

static int in_head(const struct hresp *r)
{
	return r->state == HR_STATUS || r->state == HR_HEADERS;
}

/*
 * Consume one line-oriented piece of input. Returns bytes consumed. A line
 * whole in the input is parsed in place; one cut off by the end of the
 * input is collected in r->line and parsed when its end arrives.
 */
static size_t feed_line(struct hresp *r, const char *data, size_t n)
{
	const char *nl = memchr(data, '\n', n);
	size_t take = nl ? (size_t)(nl - data) + 1 : n;
	if (in_head(r)) {
		r->head_bytes += (int64_t)take;
		if (r->head_bytes > HRESP_MAX_HEAD) {
			fail(r, "status line and headers over 64 KiB");
			return take;
		}
	} else if (r->line_len + take > 4096) {
		fail(r, "chunk-size or trailer line too long");
		return take;
	}
	if (nl && r->line_len == 0) {
		size_t len = take - 1;
		if (len && data[len - 1] == '\r')
			len--;
		line(r, data, len);
		return take;
	}
	if (r->line_len + take > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 256;
		while (cap < r->line_len + take)
			cap *= 2;
		char *p = realloc(r->line, cap);
		if (!p) {
			fail(r, "out of memory");
			return take;
		}
		r->line = p;
		r->line_cap = cap;
	}
	memcpy(r->line + r->line_len, data, take);
	r->line_len += take;
	if (!nl)
		return take;
	size_t len = r->line_len - 1;
	if (len && r->line[len - 1] == '\r')
		len--;
	r->line_len = 0;
	line(r, r->line, len);
	return take;
}

size_t hresp_feed(struct hresp *r, const char *data, size_t n)
{
	size_t used = 0;
	while (used < n) {
		switch (r->state) {
		case HR_DONE:
		case HR_ERROR:
			return used;
		case HR_BODY_LENGTH:
		case HR_CHUNK_DATA: {
			size_t k = n - used;
			if ((int64_t)k > r->body_left)
				k = (size_t)r->body_left;
			r->body_left -= (int64_t)k;
			r->body_bytes += (int64_t)k;
			used += k;
			if (r->body_left == 0)
				r->state = r->state == HR_BODY_LENGTH ? HR_DONE : HR_CHUNK_CRLF;
			break;
		}
		case HR_BODY_EOF:
			r->body_bytes += (int64_t)(n - used);
			return n;
		default:
			used += feed_line(r, data + used, n - used);
			break;
		}
	}
	return used;
}

int hresp_eof(struct hresp *r)
{
	if (r->state == HR_BODY_EOF) {
		r->state = HR_DONE;
		return 0;
	}
	if (r->state == HR_DONE)
		return 0;
	if (r->state != HR_ERROR)
		fail(r, r->state == HR_STATUS && r->head_bytes == 0 ? "connection closed before a response"
								      : "connection closed mid-response");
	return -1;
}
