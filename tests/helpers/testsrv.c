/*
 * testsrv: a small HTTP/1.1 server that the tests aim `perfagent load` at.
 *
 * Load-generator tests need a target whose behaviour they can dictate per
 * request, so knobs in the query string of each request target choose the
 * delay, stalls, status code, body size and framing, or a deliberately broken
 * response (see usage() for the list). Random choices come from a generator
 * per connection seeded from --seed, so a run is repeatable. The server
 * listens on loopback only, prints "listening HOST:PORT" once ready and exits
 * by itself after --max-seconds, so a failed test cannot leave it behind.
 *
 * With --root DIR it is also a static file server, for the browser tests
 * (`perfagent web`): a path naming a regular file under DIR is answered with
 * that file, typed by its extension, and the knobs that make sense for a
 * file still apply (delay, status, chunked, cache, gzip, close...). A path
 * naming no file is a 404 with a small HTML page, unless the query string
 * holds a knob: then the generated body answers as without --root, so one
 * server gives a page its assets and its slow API endpoint.
 *
 * One detached thread per connection keeps the code straight-line: a delay
 * is a sleep, a slow write is a loop. Only libc, pthreads and libm; every
 * function but main is static so the binary can link against the project's
 * library without clashes.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	(64 * 1024)	/* request line + headers; beyond: 431 */
#define RBUF_START	4096		/* first size of a connection's read buffer */
#define WB_FLUSH	(16 * 1024)	/* response bytes buffered before a send */
#define SLOW_PIECE	10		/* bytes per write under slow_write */
#define THREAD_STACK	(512 * 1024)
#define MS_MAX		3600000.0	/* longest delay, stall or pause: 1 h */
#define BODY_MAX	((uint64_t)1 << 40)
#define CHUNK_MAX	((uint64_t)16 << 20)
#define FILLER_MAX	((uint64_t)64 << 20)
#define CACHE_MAX	((uint64_t)1 << 31)	/* longest cache=SECONDS */
#define PATH_MAXLEN	1024		/* decoded request path under --root */
#define TYPE_MAXLEN	128		/* type=MIME, with its NUL */

/* The default body; larger bodies repeat it, so any body is predictable. */
#define PATTERN		"hello, world\n"
#define PATTERN_LEN	13

/* The body of a 404 under --root. */
#define NOT_FOUND_PAGE	"<!DOCTYPE html>\n<title>404 Not Found</title>\n<p>not found</p>\n"

/*
 * Command-line settings: the only global. parse_args() writes it before any
 * connection thread starts; afterwards it is read-only.
 */
static struct {
	const char *host;	/* "127.0.0.1" or "::1" */
	long port;		/* 0 picks an ephemeral port */
	long threads_max;	/* concurrent connections; extra ones are closed */
	double error_ratio;	/* chance of a 500 when a request names no status */
	uint64_t seed;		/* seeds the per-connection random generators */
	const char *port_file;	/* if set, the bound port is written here */
	double max_seconds;	/* lifetime; the server exits by itself after it */
	int root_fd;		/* --root: the directory served, opened once; -1: none */
} opt = { "127.0.0.1", 0, 2000, 0.0, 1, NULL, 300.0, -1 };

/* State shared by the connection threads; it lives in main()'s frame. */
struct server {
	_Atomic uint64_t requests;	/* requests parsed, /__stats excluded */
	_Atomic uint64_t connections;	/* sockets accepted, rejected included */
	_Atomic uint64_t rejected;	/* closed at once: --threads-max reached */
	_Atomic long active;		/* connections that have a thread */
	int64_t start_ns;		/* CLOCK_MONOTONIC when listening began */
	pthread_mutex_t serial;		/* held through the delay of serial=1 requests */
};

/* One accepted connection, owned by its thread. */
struct conn {
	struct server *srv;
	int fd;
	uint64_t id;		/* 1-based accept order */
	uint64_t rng;		/* splitmix64 state */
	char *rbuf;		/* received bytes not yet consumed */
	size_t rlen, rcap;
	char *wbuf;		/* response bytes not yet sent */
	size_t wlen, wcap;
	double slow_ms;		/* slow_write pause of the current response */
	bool slow_started;	/* its first piece has gone out */
	bool werr;		/* a send failed: the connection is finished */
};

/* What parse_head() learnt from a request head. */
struct req {
	const char *target;	/* points into rbuf, not NUL-terminated */
	size_t target_len;
	int minor;		/* 0 for HTTP/1.0, 1 for HTTP/1.1 */
	bool head;		/* HEAD: headers only */
	bool want_close;	/* Connection: close */
	bool want_keep;		/* Connection: keep-alive */
	bool has_te;		/* Transfer-Encoding present */
	bool has_cl;
	uint64_t content_length;
};

enum { DELAY_NONE, DELAY_UNIFORM, DELAY_EXP };

/* The knobs of one request, from its query string. */
struct knobs {
	bool stats;		/* the path is /__stats */
	double delay_ms;	/* fixed delay before answering */
	int delay_kind;		/* random extra delay: DELAY_* */
	double delay_a;		/* uniform lower bound, or exponential mean */
	double delay_b;		/* uniform upper bound */
	double stall_ms;	/* length of a stall */
	uint64_t stall_every;	/* stall every K-th request; 0: never */
	double stall_at;	/* uptime (ms) at which a freeze starts; <0: none */
	int status;		/* explicit status; 0: none */
	double err_ratio;	/* chance of a 500; <0: use --error-ratio */
	uint64_t body;		/* body length */
	bool chunked;
	uint64_t chunk;		/* chunk size when chunked */
	bool close, close_mid, bad_status, redirect, http10, no_response;
	uint64_t filler;	/* huge_headers: filler header bytes */
	double slow_ms;		/* slow_write: pause between pieces */
	bool serial;		/* serial=1: the delay is served one request at a time */
	int64_t cache;		/* cache=SECONDS: Cache-Control max-age; <0: none */
	char type[TYPE_MAXLEN];	/* type=MIME: the Content-Type; "": the default */
	bool gzip;		/* gzip=1: serve FILE.gz when it exists */
	bool any;		/* the query string held at least one known knob */
	char path[PATH_MAXLEN];	/* the %-decoded path; "" if it did not decode */
};

/* A file under --root chosen to answer a request. */
struct file {
	int fd;			/* open for reading; -1: no file (generated body) */
	uint64_t size;
	const char *ctype;	/* from the requested name's extension */
	bool gz;		/* fd is the FILE.gz sibling */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("testsrv: out of memory\n", stderr);
		abort();
	}
	return p;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until_ns(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_ms(double ms)
{
	if (ms > 0)
		sleep_until_ns(mono_ns() + (int64_t)(ms * 1e6));
}

/* splitmix64: tiny, and good enough to pick delays and errors. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Send the buffered response bytes. Under slow_write they leave in
 * SLOW_PIECE-byte pieces with a pause before every piece but the response's
 * first, so the client sees a server that trickles.
 */
static void wb_flush(struct conn *c)
{
	if (c->werr) {
		c->wlen = 0;
		return;
	}
	if (c->slow_ms <= 0) {
		if (c->wlen && send_all(c->fd, c->wbuf, c->wlen) < 0)
			c->werr = true;
	} else {
		for (size_t off = 0; off < c->wlen && !c->werr; off += SLOW_PIECE) {
			size_t n = c->wlen - off < SLOW_PIECE ? c->wlen - off : SLOW_PIECE;
			if (c->slow_started)
				sleep_ms(c->slow_ms);
			c->slow_started = true;
			if (send_all(c->fd, c->wbuf + off, n) < 0)
				c->werr = true;
		}
	}
	c->wlen = 0;
}

/* Make room for n more bytes in the write buffer and return where they go. */
static char *wb_reserve(struct conn *c, size_t n)
{
	if (c->wcap - c->wlen < n) {
		size_t cap = c->wcap ? c->wcap : 4096;
		while (cap - c->wlen < n)
			cap *= 2;
		c->wbuf = xrealloc(c->wbuf, cap);
		c->wcap = cap;
	}
	return c->wbuf + c->wlen;
}

static void wb_put(struct conn *c, const char *p, size_t n)
{
	if (!n)
		return;
	memcpy(wb_reserve(c, n), p, n);
	c->wlen += n;
	if (c->wlen >= WB_FLUSH)
		wb_flush(c);
}

static void wb_puts(struct conn *c, const char *s)
{
	wb_put(c, s, strlen(s));
}

/* Append formatted text; returns its length. */
__attribute__((format(printf, 2, 3)))
static size_t wb_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return 0;
	char *dst = wb_reserve(c, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	va_end(ap);
	c->wlen += (size_t)n;
	if (c->wlen >= WB_FLUSH)
		wb_flush(c);
	return (size_t)n;
}

/*
 * Fill dst with n bytes of the repeating PATTERN as seen from body offset
 * off: one period by hand, then doubling copies (each a multiple of the
 * period long, so the phase is kept).
 */
static void fill_pattern(char *dst, size_t n, uint64_t off)
{
	size_t have = n < PATTERN_LEN ? n : PATTERN_LEN;
	for (size_t i = 0; i < have; i++)
		dst[i] = PATTERN[(off + i) % PATTERN_LEN];
	while (have < n) {
		size_t m = n - have < have ? n - have : have;
		memcpy(dst + have, dst, m);
		have += m;
	}
}

/*
 * Append n body bytes starting at body offset off: the pattern if fd < 0,
 * else the file's bytes read with pread. A file that has shrunk since its
 * size was sent cannot keep the framing promised, so a short read ends the
 * connection (werr) rather than send a body of the wrong length.
 */
static void put_span(struct conn *c, int fd, uint64_t off, uint64_t n)
{
	while (n && !c->werr) {
		size_t room = WB_FLUSH - c->wlen;
		size_t m = n < room ? (size_t)n : room;
		char *dst = wb_reserve(c, m);
		if (fd < 0) {
			fill_pattern(dst, m, off);
		} else {
			ssize_t r = pread(fd, dst, m, (off_t)off);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				c->werr = true;
				c->wlen = 0;
				return;
			}
			m = (size_t)r;
		}
		c->wlen += m;
		off += m;
		n -= m;
		if (c->wlen >= WB_FLUSH)
			wb_flush(c);
	}
}

/*
 * Append the response body: len bytes of the pattern (of the file fd when
 * fd >= 0), as chunks of `chunk` bytes if chunked, and stop for good after
 * `limit` bytes when close_mid wants the response cut short (a chunked body
 * then never gets its terminator). Chunks 1, 5, 9... carry ";ext=1", chunks 3, 7... a quoted
 * extension, and odd chunks have upper-case hex sizes, so client parsers
 * meet the rarer forms too.
 */
static void put_body(struct conn *c, int fd, uint64_t len, uint64_t limit,
		     bool chunked, uint64_t chunk)
{
	if (!chunked) {
		put_span(c, fd, 0, limit);
		return;
	}
	uint64_t off = 0;
	for (uint64_t i = 0; off < len && !c->werr; i++) {
		uint64_t n = len - off < chunk ? len - off : chunk;
		const char *ext = i % 4 == 1 ? ";ext=1" :
				  i % 4 == 3 ? ";name=\"quoted; value\";flag" : "";
		if (i % 2)
			wb_printf(c, "%" PRIX64 "%s\r\n", n, ext);
		else
			wb_printf(c, "%" PRIx64 "%s\r\n", n, ext);
		if (off + n > limit) {
			put_span(c, fd, off, limit - off);
			return;
		}
		put_span(c, fd, off, n);
		off += n;
		wb_put(c, "\r\n", 2);
	}
	if (limit >= len)
		wb_puts(c, "0\r\n\r\n");
}

/* Filler response headers of about n bytes in all: "X-Filler-NNNNN: xxx". */
static void put_filler(struct conn *c, uint64_t n)
{
	char xs[100];
	memset(xs, 'x', sizeof xs);
	for (unsigned i = 0; n > 0 && !c->werr; i++) {
		/* "X-Filler-00000: " and "\r\n" take 18 of a line's 100 bytes. */
		int v = n >= 100 ? 82 : n > 19 ? (int)n - 18 : 1;
		size_t w = wb_printf(c, "X-Filler-%05u: %.*s\r\n", i, v, xs);
		n -= w < n ? w : n;
	}
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 418: return "I'm a teapot";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* A small complete response with a fixed body: errors and /__stats. */
static void send_simple(struct conn *c, int status, const char *ctype,
			const char *body, bool keep, bool head, int minor)
{
	size_t n = strlen(body);
	c->slow_ms = 0;
	wb_printf(c, "HTTP/1.1 %d %s\r\nServer: testsrv\r\nContent-Type: %s\r\n"
		  "Content-Length: %zu\r\n%s\r\n", status, reason(status), ctype, n,
		  !keep ? "Connection: close\r\n" :
		  minor == 0 ? "Connection: keep-alive\r\n" : "");
	if (!head)
		wb_put(c, body, n);
	wb_flush(c);
}

/* An error response that ends the connection. */
static void send_error(struct conn *c, int status, const char *why)
{
	char body[256];
	snprintf(body, sizeof body, "%s: %s\n", reason(status), why);
	send_simple(c, status, "text/plain", body, false, false, 1);
}

/*
 * Close after shutting down our side, first reading for a moment whatever
 * the client still sends: closing with unread bytes makes the kernel answer
 * with a reset, which can destroy the response before the client reads it.
 */
static void close_gracefully(int fd)
{
	char tmp[4096];
	size_t total = 0;
	int64_t deadline = mono_ns() + 1000000000;
	shutdown(fd, SHUT_WR);
	while (total < (1u << 20)) {
		int64_t left = deadline - mono_ns();
		if (left <= 0)
			break;
		struct pollfd pf = { fd, POLLIN, 0 };
		int r = poll(&pf, 1, (int)(left / 1000000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t n = recv(fd, tmp, sizeof tmp, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	close(fd);
}

/*
 * Where the request head in p[0..n) ends (just past the blank line), or 0 if
 * it is not all there yet. Lines may end in CRLF or a bare LF. The search
 * starts at `from` so that a head arriving in pieces is scanned once.
 */
static size_t head_end(const char *p, size_t n, size_t from)
{
	for (size_t i = from; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < n && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/*
 * Read until rbuf holds a whole request head (request line and headers
 * through the blank line). Returns its length; 0 if the client closed
 * cleanly between requests; -1 on a read error or EOF inside a request; -2
 * if the head outgrows HEAD_MAX. Empty lines before a request are skipped,
 * as RFC 9112 allows.
 */
static long read_head(struct conn *c)
{
	size_t scan = 0;
	for (;;) {
		size_t skip = 0;
		while (skip < c->rlen && (c->rbuf[skip] == '\r' || c->rbuf[skip] == '\n'))
			skip++;
		if (skip) {
			memmove(c->rbuf, c->rbuf + skip, c->rlen - skip);
			c->rlen -= skip;
			scan = 0;
		}
		size_t end = head_end(c->rbuf, c->rlen, scan);
		if (end)
			return end > HEAD_MAX ? -2 : (long)end;
		if (c->rlen >= HEAD_MAX)
			return -2;
		scan = c->rlen > 2 ? c->rlen - 2 : 0;
		if (c->rlen == c->rcap) {
			c->rcap = c->rcap * 2 < HEAD_MAX ? c->rcap * 2 : HEAD_MAX;
			c->rbuf = xrealloc(c->rbuf, c->rcap);
		}
		ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
		if (n == 0)
			return c->rlen ? -1 : 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->rlen += (size_t)n;
	}
}

/* Drop the first n bytes of rbuf, keeping any pipelined bytes after them. */
static void consume(struct conn *c, size_t n)
{
	memmove(c->rbuf, c->rbuf + n, c->rlen - n);
	c->rlen -= n;
}

/* Consume the head and a body of n bytes: from rbuf first, then the socket. */
static int discard_body(struct conn *c, size_t head, uint64_t n)
{
	size_t avail = c->rlen - head;
	size_t take = n < avail ? (size_t)n : avail;
	consume(c, head + take);
	n -= take;
	while (n) {
		size_t want = n < c->rcap ? (size_t)n : c->rcap;
		ssize_t r = recv(c->fd, c->rbuf, want, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n -= (uint64_t)r;
	}
	return 0;
}

/* Read and drop everything until the client closes (no_response). */
static void drain(struct conn *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->rbuf, c->rcap, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
	}
}

static bool is_tchar(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !strncasecmp(name, want, n);
}

/* Note "close" and "keep-alive" among the comma-separated Connection tokens. */
static void parse_connection(const char *s, const char *end, struct req *rq)
{
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;
		const char *a = s, *b = e;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (name_is(a, (size_t)(b - a), "close"))
			rq->want_close = true;
		else if (name_is(a, (size_t)(b - a), "keep-alive"))
			rq->want_keep = true;
		s = comma ? comma + 1 : end;
	}
}

/*
 * Parse the request head p[0..n): the request line, then "name: value"
 * header lines up to the blank line. Only Content-Length, Transfer-Encoding
 * and Connection mean anything here. Returns 0, or the status to refuse the
 * request with and the reason in *why.
 */
static int parse_head(const char *p, size_t n, struct req *rq, const char **why)
{
	const char *end = p + n;
	const char *eol = memchr(p, '\n', n);
	const char *le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
	const char *s = p;

	memset(rq, 0, sizeof *rq);
	while (s < le && is_tchar(*s))
		s++;
	if (s == p || s >= le || *s != ' ') {
		*why = "bad method in request line";
		return 400;
	}
	rq->head = s - p == 4 && !memcmp(p, "HEAD", 4);
	const char *t = ++s;
	while (s < le && (unsigned char)*s > 0x20 && *s != 0x7f)
		s++;
	if (s == t || s >= le || *s != ' ') {
		*why = "bad request target";
		return 400;
	}
	rq->target = t;
	rq->target_len = (size_t)(s - t);
	s++;
	if (le - s != 8 || memcmp(s, "HTTP/", 5) || !isdigit((unsigned char)s[5]) ||
	    s[6] != '.' || !isdigit((unsigned char)s[7])) {
		*why = "bad HTTP version in request line";
		return 400;
	}
	if (s[5] != '1') {
		*why = "only HTTP/1.x is spoken here";
		return 505;
	}
	rq->minor = s[7] == '0' ? 0 : 1;

	for (p = eol + 1; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == p)
			break;
		if (*p == ' ' || *p == '\t') {
			*why = "obsolete header line folding";
			return 400;
		}
		const char *name = p;
		for (s = p; s < le && is_tchar(*s); s++)
			;
		if (s == name || s >= le || *s != ':') {
			*why = "malformed header line";
			return 400;
		}
		size_t nlen = (size_t)(s - name);
		for (s++; s < le && (*s == ' ' || *s == '\t'); s++)
			;
		const char *ve = le;
		while (ve > s && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (const char *q = s; q < ve; q++) {
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f) {
				*why = "control character in header value";
				return 400;
			}
		}
		if (name_is(name, nlen, "Content-Length")) {
			uint64_t v = 0;
			if (s == ve || ve - s > 18) {
				*why = "bad Content-Length";
				return 400;
			}
			for (const char *q = s; q < ve; q++) {
				if (!isdigit((unsigned char)*q)) {
					*why = "bad Content-Length";
					return 400;
				}
				v = v * 10 + (uint64_t)(*q - '0');
			}
			if (rq->has_cl && v != rq->content_length) {
				*why = "conflicting Content-Length headers";
				return 400;
			}
			rq->has_cl = true;
			rq->content_length = v;
		} else if (name_is(name, nlen, "Transfer-Encoding")) {
			rq->has_te = true;
		} else if (name_is(name, nlen, "Connection")) {
			parse_connection(s, ve, rq);
		}
	}
	return 0;
}

/*
 * Decode %XX escapes of a query component into out (NUL-terminated).
 * Returns false if it does not fit or an escape is malformed.
 */
static bool url_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return false;
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			ch = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (ch == '\0' || o + 1 >= outsz)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

/* A whole string as a finite number in [lo, hi]. */
static bool parse_num(const char *s, double lo, double hi, double *out)
{
	char *e;
	if (!*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	double v = strtod(s, &e);
	if (*e || errno || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* A whole string of decimal digits as an integer in [lo, hi]. */
static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* A flag: "", "1", "true", "yes" or "on" sets it; "0", "false", "no", "off" clears it. */
static bool parse_flag(const char *s, bool *out)
{
	if (!*s || !strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes") ||
	    !strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") ||
		 !strcmp(s, "off"))
		*out = false;
	else
		return false;
	return true;
}

/* delay=uniform:A:B or delay=exp:MEAN (milliseconds). */
static bool parse_delay(const char *v, struct knobs *k)
{
	char a[64], b[64];
	const char *colon;
	if (!strncmp(v, "exp:", 4)) {
		k->delay_kind = DELAY_EXP;
		return parse_num(v + 4, 0, MS_MAX, &k->delay_a);
	}
	if (strncmp(v, "uniform:", 8))
		return false;
	v += 8;
	colon = strchr(v, ':');
	if (!colon || (size_t)(colon - v) >= sizeof a || strlen(colon + 1) >= sizeof b)
		return false;
	memcpy(a, v, (size_t)(colon - v));
	a[colon - v] = '\0';
	strcpy(b, colon + 1);
	k->delay_kind = DELAY_UNIFORM;
	return parse_num(a, 0, MS_MAX, &k->delay_a) &&
	       parse_num(b, k->delay_a, MS_MAX, &k->delay_b);
}

/*
 * A Content-Type value for type=MIME: printable ASCII (spaces allowed, for
 * "; charset=..."), so a query string cannot inject header lines.
 */
static bool parse_type(const char *v, char *out, size_t outsz)
{
	size_t n = strlen(v);
	if (!n || n >= outsz)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return false;
	memcpy(out, v, n + 1);
	return true;
}

/*
 * Apply one decoded key=value pair; false if the value is bad. *known says
 * whether key is a knob at all: under --root, a missing file is answered
 * with a generated body only when the request named a knob.
 */
static bool set_knob(struct knobs *k, const char *key, const char *v, bool *known)
{
	*known = true;
	if (!strcmp(key, "delay_ms"))
		return parse_num(v, 0, MS_MAX, &k->delay_ms);
	if (!strcmp(key, "delay"))
		return parse_delay(v, k);
	if (!strcmp(key, "serial")) {
		k->serial = !strcmp(v, "1");
		return k->serial || !strcmp(v, "0");
	}
	if (!strcmp(key, "stall_ms"))
		return parse_num(v, 0, MS_MAX, &k->stall_ms);
	if (!strcmp(key, "stall_every"))
		return parse_u64(v, 1, UINT64_MAX / 2, &k->stall_every);
	if (!strcmp(key, "stall_at"))
		return parse_num(v, 0, 1e12, &k->stall_at);
	if (!strcmp(key, "status")) {
		uint64_t st;
		if (!strncmp(v, "5xx_ratio:", 10))
			return parse_num(v + 10, 0, 1, &k->err_ratio);
		if (!parse_u64(v, 200, 599, &st))
			return false;
		k->status = (int)st;
		return true;
	}
	if (!strcmp(key, "body"))
		return parse_u64(v, 0, BODY_MAX, &k->body);
	if (!strcmp(key, "chunked"))
		return parse_flag(v, &k->chunked);
	if (!strcmp(key, "chunk"))
		return parse_u64(v, 1, CHUNK_MAX, &k->chunk);
	if (!strcmp(key, "close"))
		return parse_flag(v, &k->close);
	if (!strcmp(key, "close_mid"))
		return parse_flag(v, &k->close_mid);
	if (!strcmp(key, "bad_status"))
		return parse_flag(v, &k->bad_status);
	if (!strcmp(key, "huge_headers"))
		return parse_u64(v, 0, FILLER_MAX, &k->filler);
	if (!strcmp(key, "slow_write"))
		return parse_num(v, 0, MS_MAX, &k->slow_ms);
	if (!strcmp(key, "redirect"))
		return parse_flag(v, &k->redirect);
	if (!strcmp(key, "http10"))
		return parse_flag(v, &k->http10);
	if (!strcmp(key, "no_response"))
		return parse_flag(v, &k->no_response);
	if (!strcmp(key, "cache")) {
		uint64_t u;
		if (!parse_u64(v, 0, CACHE_MAX, &u))
			return false;
		k->cache = (int64_t)u;
		return true;
	}
	if (!strcmp(key, "type"))
		return parse_type(v, k->type, sizeof k->type);
	if (!strcmp(key, "gzip"))
		return parse_flag(v, &k->gzip);
	*known = false;
	return true;	/* unknown keys are ignored, e.g. cache busters */
}

/*
 * Read the knobs from the request target's query string: key=value pairs
 * separated by '&', %XX-decoded, later pairs overriding earlier ones.
 * Unknown keys are ignored. Returns false with a message in err if a known
 * knob has a bad value. The /__stats path takes no knobs. The %-decoded
 * path is kept in k->path (empty if it does not decode or fit), since the
 * target itself is overwritten before the request is answered.
 */
static bool parse_knobs(const char *t, size_t n, struct knobs *k, char *err,
			size_t errsz)
{
	memset(k, 0, sizeof *k);
	k->stall_at = -1;
	k->err_ratio = -1;
	k->body = PATTERN_LEN;
	k->chunk = 4096;
	k->cache = -1;

	const char *hash = memchr(t, '#', n);
	if (hash)
		n = (size_t)(hash - t);
	/* An absolute-form target: skip "scheme://authority". */
	const char *ss = n > 3 ? memchr(t, ':', n) : NULL;
	const char *qm = memchr(t, '?', n);
	if (ss && (!qm || ss < qm) && (size_t)(ss - t) + 3 <= n && !memcmp(ss, "://", 3)) {
		const char *auth = ss + 3;
		const char *slash = memchr(auth, '/', n - (size_t)(auth - t));
		const char *stop = slash ? slash : qm ? qm : t + n;
		n -= (size_t)(stop - t);
		t = stop;
		qm = memchr(t, '?', n);
	}
	size_t plen = qm ? (size_t)(qm - t) : n;
	if (plen == 8 && !memcmp(t, "/__stats", 8)) {
		k->stats = true;
		return true;
	}
	if (!url_decode(t, plen, k->path, sizeof k->path))
		k->path[0] = '\0';
	if (!qm)
		return true;

	const char *q = qm + 1, *end = t + n;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));
		const char *ke = eq ? eq : pe;
		char key[32], val[128];
		if (ke > q && url_decode(q, (size_t)(ke - q), key, sizeof key)) {
			const char *vs = eq ? eq + 1 : pe;
			bool known = false;
			if (!url_decode(vs, (size_t)(pe - vs), val, sizeof val) ||
			    !set_knob(k, key, val, &known)) {
				snprintf(err, errsz, "bad value for knob '%s'", key);
				return false;
			}
			k->any |= known;
		}
		q = amp ? amp + 1 : end;
	}
	return true;
}

/* The request's delay: fixed, random, a stall_every hit and a stall_at freeze. */
static void wait_as_asked(struct conn *c, const struct knobs *k, uint64_t seq,
			  int64_t arrival)
{
	double ms = k->delay_ms;
	if (k->delay_kind == DELAY_UNIFORM)
		ms += k->delay_a + (k->delay_b - k->delay_a) * rng_unit(&c->rng);
	else if (k->delay_kind == DELAY_EXP)
		ms += fmin(-k->delay_a * log1p(-rng_unit(&c->rng)), MS_MAX);
	if (k->stall_every && seq % k->stall_every == 0)
		ms += k->stall_ms;
	if (k->stall_at >= 0) {
		int64_t from = c->srv->start_ns + (int64_t)(k->stall_at * 1e6);
		int64_t to = from + (int64_t)(k->stall_ms * 1e6);
		if (arrival >= from && arrival < to)
			sleep_until_ns(to);
	}
	/* serial=1 models a single-worker application: requests queue. */
	if (k->serial)
		pthread_mutex_lock(&c->srv->serial);
	sleep_ms(ms);
	if (k->serial)
		pthread_mutex_unlock(&c->srv->serial);
}

/*
 * The Content-Type for a file name, from its extension (case ignored);
 * application/octet-stream for any other.
 */
static const char *mime_of(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ "html", "text/html; charset=utf-8" },
		{ "htm", "text/html; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "json", "application/json" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "svg", "image/svg+xml" },
		{ "ico", "image/x-icon" },
		{ "woff2", "font/woff2" },
		{ "txt", "text/plain; charset=utf-8" },
	};
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash : name, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/*
 * Open rel (relative to the --root directory) if it is a regular file;
 * returns the descriptor and its size in *size, or -1. O_NONBLOCK keeps a
 * FIFO in the tree from hanging the thread; it does not affect reads of a
 * regular file.
 */
static int open_regular(const char *rel, uint64_t *size)
{
	struct stat st;
	int fd = openat(opt.root_fd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/*
 * Find the file under --root that the request's path names: leading
 * slashes dropped, a path ending in '/' (so "/" too) meaning its
 * index.html. Under gzip=1 the FILE.gz sibling is preferred when it is a
 * regular file; the type still comes from FILE's name. Returns 1 with f
 * filled (the caller closes f->fd), 0 if no regular file is there, -1 if
 * the path has a ".." segment (refused, never looked up). Symbolic links
 * are followed: the tree is the test's own.
 */
static int find_file(const struct knobs *k, struct file *f)
{
	char rel[PATH_MAXLEN + 16];
	const char *p = k->path;

	f->fd = -1;
	if (*p != '/')
		return 0;
	for (const char *seg = p; seg; seg = strchr(seg + 1, '/'))
		if (!strncmp(seg + 1, "..", 2) && (seg[3] == '/' || seg[3] == '\0'))
			return -1;
	while (*p == '/')
		p++;
	size_t n = strlen(p);
	snprintf(rel, sizeof rel, "%s%s", p, !n || p[n - 1] == '/' ? "index.html" : "");
	f->ctype = mime_of(rel);
	f->gz = false;
	if (k->gzip) {
		size_t rn = strlen(rel);
		memcpy(rel + rn, ".gz", 4);
		f->fd = open_regular(rel, &f->size);
		rel[rn] = '\0';
		f->gz = f->fd >= 0;
	}
	if (f->fd < 0)
		f->fd = open_regular(rel, &f->size);
	return f->fd >= 0;
}

/*
 * Answer a request as its knobs say, with the generated body, or with the
 * file f when f is not NULL (its size, type and encoding). `keep` is whether
 * the client would keep the connection; returns whether it stays open for
 * another request.
 */
static bool respond(struct conn *c, const struct knobs *k, const struct file *f,
		    bool keep, bool head, int minor)
{
	c->slow_ms = k->slow_ms;
	c->slow_started = false;
	if (k->no_response) {
		drain(c);
		return false;
	}
	if (k->bad_status) {
		wb_puts(c, "HTTP/1.1 abc Weird\r\nServer: testsrv\r\n\r\n");
		wb_flush(c);
		return false;
	}

	int status = 200;
	if (k->redirect) {
		status = 302;
	} else if (k->status) {
		status = k->status;
	} else {
		double r = k->err_ratio >= 0 ? k->err_ratio : opt.error_ratio;
		if (r > 0 && rng_unit(&c->rng) < r)
			status = 500;
	}
	bool nobody = status == 204 || status == 304;
	bool chunked = k->chunked && !k->http10 && !nobody;
	uint64_t len = nobody || k->redirect ? 0 : f ? f->size : k->body;
	uint64_t limit = len;
	if (k->close_mid && !nobody) {
		if (len < 2)
			len = 2;
		limit = len / 2;
	}
	if (k->close)
		keep = false;

	wb_printf(c, "HTTP/1.%d %d %s\r\nServer: testsrv\r\n", k->http10 ? 0 : 1,
		  status, reason(status));
	if (!nobody)
		wb_printf(c, "Content-Type: %s\r\n", k->type[0] ? k->type :
			  f ? f->ctype : "text/plain");
	if (f && f->gz && !nobody)
		wb_puts(c, "Content-Encoding: gzip\r\n");
	if (k->cache >= 0)
		wb_printf(c, "Cache-Control: max-age=%" PRId64 "\r\n", k->cache);
	if (k->redirect)
		wb_puts(c, "Location: /\r\n");
	if (chunked)
		wb_puts(c, "Transfer-Encoding: chunked\r\n");
	else if (!nobody && !k->http10)
		wb_printf(c, "Content-Length: %" PRIu64 "\r\n", len);
	put_filler(c, k->filler);
	/* close_mid and http10 end the connection without announcing it. */
	if (!keep)
		wb_puts(c, "Connection: close\r\n");
	else if (minor == 0 && !k->http10 && !k->close_mid)
		wb_puts(c, "Connection: keep-alive\r\n");
	wb_puts(c, "\r\n");
	if (!head && !nobody)
		put_body(c, f ? f->fd : -1, len, limit, chunked, k->chunk);
	wb_flush(c);
	return keep && !k->close_mid && !k->http10 && !c->werr;
}

/* Serve one request. Returns whether to wait for another on this connection. */
static bool serve_one(struct conn *c)
{
	struct server *srv = c->srv;
	struct req rq;
	struct knobs k;
	const char *why;
	char kerr[128];

	long hl = read_head(c);
	if (hl == 0 || hl == -1)
		return false;
	if (hl == -2) {
		send_error(c, 431, "request head larger than 64 KiB");
		return false;
	}
	int64_t arrival = mono_ns();
	int st = parse_head(c->rbuf, (size_t)hl, &rq, &why);
	if (st) {
		send_error(c, st, why);
		return false;
	}
	if (rq.has_te) {
		send_error(c, 501, "request bodies must use Content-Length");
		return false;
	}
	bool ok = parse_knobs(rq.target, rq.target_len, &k, kerr, sizeof kerr);
	bool keep = !rq.want_close && (rq.minor == 1 || rq.want_keep);
	/* rq.target points into rbuf, which this overwrites. */
	if (discard_body(c, (size_t)hl, rq.content_length) < 0)
		return false;

	if (k.stats) {
		char json[256];
		snprintf(json, sizeof json,
			 "{\"requests\":%" PRIu64 ",\"connections\":%" PRIu64
			 ",\"active\":%ld,\"rejected\":%" PRIu64 "}\n",
			 atomic_load(&srv->requests), atomic_load(&srv->connections),
			 atomic_load(&srv->active), atomic_load(&srv->rejected));
		send_simple(c, 200, "application/json", json, keep, rq.head, rq.minor);
		return keep && !c->werr;
	}
	uint64_t seq = atomic_fetch_add(&srv->requests, 1) + 1;
	if (!ok) {
		char body[160];
		snprintf(body, sizeof body, "Bad Request: %s\n", kerr);
		send_simple(c, 400, "text/plain", body, keep, rq.head, rq.minor);
		return keep && !c->werr;
	}
	if (opt.root_fd < 0) {
		wait_as_asked(c, &k, seq, arrival);
		return respond(c, &k, NULL, keep, rq.head, rq.minor);
	}

	/* --root: the file if there is one, else knobs or a 404. */
	struct file f;
	int found = find_file(&k, &f);
	if (found < 0) {
		send_simple(c, 403, "text/plain", "Forbidden: '..' in the path\n", keep,
			    rq.head, rq.minor);
		return keep && !c->werr;
	}
	if (found || (k.any && k.status != 404)) {
		wait_as_asked(c, &k, seq, arrival);
		bool more = respond(c, &k, found ? &f : NULL, keep, rq.head, rq.minor);
		if (found)
			close(f.fd);
		return more;
	}
	if (k.any)
		wait_as_asked(c, &k, seq, arrival);
	send_simple(c, 404, "text/html; charset=utf-8", NOT_FOUND_PAGE, keep, rq.head,
		    rq.minor);
	return keep && !c->werr;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	while (serve_one(c))
		;
	close_gracefully(c->fd);
	atomic_fetch_sub(&c->srv->active, 1);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
	return NULL;
}

/*
 * Accept what is pending on the (non-blocking) listening socket, giving each
 * connection a detached thread; past --threads-max a connection is closed at
 * once. At most 64 per call so that signals are still noticed under a flood.
 */
static void accept_some(int lfd, struct server *srv, const pthread_attr_t *attr)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				sleep_ms(10);
			return;
		}
		uint64_t id = atomic_fetch_add(&srv->connections, 1) + 1;
		if (atomic_load(&srv->active) >= opt.threads_max) {
			atomic_fetch_add(&srv->rejected, 1);
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

		struct conn *c = calloc(1, sizeof *c);
		char *rbuf = malloc(RBUF_START);
		if (!c || !rbuf) {
			free(c);
			free(rbuf);
			close(fd);
			atomic_fetch_add(&srv->rejected, 1);
			continue;
		}
		uint64_t s = opt.seed ^ (id * 0xd1b54a32d192ed03u);
		c->srv = srv;
		c->fd = fd;
		c->id = id;
		c->rng = rng_next(&s);
		c->rbuf = rbuf;
		c->rcap = RBUF_START;
		atomic_fetch_add(&srv->active, 1);
		pthread_t tid;
		if (pthread_create(&tid, attr, conn_main, c) != 0) {
			atomic_fetch_sub(&srv->active, 1);
			atomic_fetch_add(&srv->rejected, 1);
			close(fd);
			free(c->rbuf);
			free(c);
		}
	}
}

/* Bind and listen on the loopback address opt.host; returns the socket. */
static int listen_loopback(int *port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	bool v6 = !strcmp(opt.host, "::1");

	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)opt.port);
		sl = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)opt.port);
		sl = sizeof *a;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
			   ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Write the port to opt.port_file via a rename, so readers never see half. */
static int write_port_file(int port)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp%ld", opt.port_file, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, opt.port_file) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: testsrv [--port N] [--host 127.0.0.1|::1|localhost] [--threads-max N]\n"
	      "               [--error-ratio F] [--seed N] [--port-file FILE] [--max-seconds S]\n"
	      "               [--root DIR]\n"
	      "\n"
	      "HTTP/1.1 test server for perfagent's load and web tests, loopback only. Prints\n"
	      "\"listening HOST:PORT\" once ready; exits after --max-seconds (default 300)\n"
	      "or on SIGTERM/SIGINT. Defaults: --port 0 (ephemeral), --threads-max 2000\n"
	      "(concurrent connections), --error-ratio 0, --seed 1.\n"
	      "\n"
	      "--root DIR also serves the files under DIR: a path (query string aside) naming\n"
	      "a regular file there is answered with its bytes, Content-Length and a type\n"
	      "from the extension (html css js json png jpg gif svg ico woff2 txt; else\n"
	      "application/octet-stream); a path ending in / means its index.html. The\n"
	      "knobs below still apply to the file (delay, status=NNN with the file as the\n"
	      "body, chunked, close...). A path naming no file gets a 404 with a small HTML\n"
	      "page, unless the query string holds a knob: then the generated body answers\n"
	      "as without --root (status=404 keeps the HTML page). A \"..\" segment: 403.\n"
	      "\n"
	      "Per-request knobs in the query string, e.g. /?delay_ms=5&body=1000&chunked=1:\n"
	      "  delay_ms=N              wait N ms (fractions allowed) before answering\n"
	      "  delay=uniform:A:B       plus a random wait, uniform in [A, B] ms\n"
	      "  delay=exp:MEAN          plus a random wait, exponential with mean MEAN ms\n"
	      "  stall_ms=N&stall_every=K  every K-th request server-wide waits N ms more\n"
	      "  stall_at=T&stall_ms=N   requests arriving at uptime [T, T+N) ms wait until T+N\n"
	      "  status=NNN              answer with status NNN (200-599; 204, 304 bodiless)\n"
	      "  status=5xx_ratio:F      500 with probability F, else 200 (as --error-ratio)\n"
	      "  body=N                  N-byte body repeating \"hello, world\\n\" (default 13)\n"
	      "  chunked=1, chunk=N      chunked body in N-byte chunks (default 4096)\n"
	      "  close=1                 send Connection: close and close\n"
	      "  close_mid=1             send the headers and half the body, then close\n"
	      "  bad_status=1            send \"HTTP/1.1 abc Weird\" and close\n"
	      "  huge_headers=N          add about N bytes of X-Filler-NNNNN headers\n"
	      "  slow_write=N            write in 10-byte pieces, N ms apart\n"
	      "  redirect=1              302 to / with an empty body\n"
	      "  http10=1                HTTP/1.0, no Content-Length, body ends at close\n"
	      "  no_response=1           read the request and never answer\n"
	      "  serial=1                serve the delay one request at a time (a single worker)\n"
	      "  cache=SECONDS           add Cache-Control: max-age=SECONDS\n"
	      "  type=MIME               Content-Type of the body (default text/plain, or the\n"
	      "                          file's type under --root)\n"
	      "  gzip=1                  under --root: serve FILE.gz, if it exists, with\n"
	      "                          Content-Encoding: gzip (and FILE's type)\n"
	      "GET /__stats returns {\"requests\":N,\"connections\":N,\"active\":N,\"rejected\":N}.\n",
	      f);
}

__attribute__((format(printf, 1, 2), noreturn))
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("testsrv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(run testsrv --help for usage)\n", stderr);
	exit(2);
}

/* Fill opt from "--name value" or "--name=value" arguments. */
static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (strncmp(a, "--", 2))
			die_usage("unexpected argument '%s'", a);
		char name[32];
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		if (nlen >= sizeof name)
			die_usage("unknown option '%s'", a);
		memcpy(name, a, nlen);
		name[nlen] = '\0';
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (i + 1 >= argc)
				die_usage("%s needs a value", name);
			v = argv[++i];
		}

		double d;
		uint64_t u;
		if (!strcmp(name, "--port")) {
			if (!parse_u64(v, 0, 65535, &u))
				die_usage("--port wants 0..65535, not '%s'", v);
			opt.port = (long)u;
		} else if (!strcmp(name, "--host")) {
			if (!strcmp(v, "127.0.0.1") || !strcmp(v, "localhost"))
				opt.host = "127.0.0.1";
			else if (!strcmp(v, "::1") || !strcmp(v, "[::1]"))
				opt.host = "::1";
			else
				die_usage("refusing to listen on '%s': loopback only "
					  "(127.0.0.1, ::1 or localhost)", v);
		} else if (!strcmp(name, "--threads-max")) {
			if (!parse_u64(v, 1, 1000000, &u))
				die_usage("--threads-max wants 1..1000000, not '%s'", v);
			opt.threads_max = (long)u;
		} else if (!strcmp(name, "--error-ratio")) {
			if (!parse_num(v, 0, 1, &d))
				die_usage("--error-ratio wants 0..1, not '%s'", v);
			opt.error_ratio = d;
		} else if (!strcmp(name, "--seed")) {
			if (!parse_u64(v, 0, UINT64_MAX, &u))
				die_usage("--seed wants a non-negative integer, not '%s'", v);
			opt.seed = u;
		} else if (!strcmp(name, "--port-file")) {
			if (!*v)
				die_usage("--port-file wants a file name");
			opt.port_file = v;
		} else if (!strcmp(name, "--root")) {
			if (opt.root_fd >= 0)
				close(opt.root_fd);
			opt.root_fd = open(v, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (opt.root_fd < 0)
				die_usage("--root '%s': %s (it wants a directory)", v,
					  strerror(errno));
		} else if (!strcmp(name, "--max-seconds")) {
			if (!parse_num(v, 0.001, 1e7, &d))
				die_usage("--max-seconds wants a positive number, not '%s'", v);
			opt.max_seconds = d;
		} else {
			die_usage("unknown option '%s'", name);
		}
	}
}

/*
 * Listen, announce, then accept until --max-seconds pass or SIGTERM/SIGINT
 * arrives. The signals are blocked in every thread and read from a
 * signalfd by the accept loop, so no handler and no flag are needed.
 */
int main(int argc, char **argv)
{
	struct server srv;
	sigset_t sigs;
	pthread_attr_t attr;
	int port;

	parse_args(argc, argv);
	memset(&srv, 0, sizeof srv);
	pthread_mutex_init(&srv.serial, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("testsrv: signalfd");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);

	int lfd = listen_loopback(&port);
	if (lfd < 0) {
		fprintf(stderr, "testsrv: cannot listen on %s port %ld: %s\n", opt.host,
			opt.port, strerror(errno));
		return 1;
	}
	if (opt.port_file && write_port_file(port) < 0) {
		fprintf(stderr, "testsrv: cannot write %s: %s\n", opt.port_file,
			strerror(errno));
		return 1;
	}
	srv.start_ns = mono_ns();
	if (!strcmp(opt.host, "::1"))
		printf("listening [::1]:%d\n", port);
	else
		printf("listening 127.0.0.1:%d\n", port);
	fflush(stdout);

	int64_t deadline = srv.start_ns + (int64_t)(opt.max_seconds * 1e9);
	for (;;) {
		int64_t left = deadline - mono_ns();
		if (left <= 0) {
			fprintf(stderr, "testsrv: --max-seconds %g reached, exiting\n",
				opt.max_seconds);
			break;
		}
		int64_t ms = left / 1000000 + 1;
		struct pollfd pf[2] = { { lfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		int r = poll(pf, 2, ms > INT_MAX ? INT_MAX : (int)ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("testsrv: poll");
			exit(1);
		}
		if (pf[1].revents)
			break;
		if (pf[0].revents)
			accept_some(lfd, &srv, &attr);
	}
	/*
	 * exit() rather than return: connection threads may still be running
	 * and using srv, which lives in this frame.
	 */
	close(lfd);
	exit(0);
}
