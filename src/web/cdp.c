/*
 * cdp: the DevTools protocol over Chromium's debugging pipe (see cdp.h).
 */
#include "cdp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/buf.h"
#include "../core/clock.h"

#define READ_CHUNK (256 * 1024)
#define TICK_MS 100 /* the longest a wait goes without looking at the stop flag */

void cdp_reader_init(struct cdp_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void cdp_reader_free(struct cdp_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int cdp_reader_feed(struct cdp_reader *r, const void *data, size_t n)
{
	/* Reclaim the space of messages already handed out before growing. */
	if (r->start > 0 && (r->start == r->len || r->start >= r->cap / 2)) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (r->len - r->start + n > r->max + 1)
		return -1;
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 64 * 1024;
		while (cap < r->len + n + 1)
			cap *= 2;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	return 0;
}

int cdp_reader_next(struct cdp_reader *r, const char **msg, size_t *len)
{
	for (;;) {
		size_t avail = r->len - r->start;
		if (r->scanned >= avail)
			return 0;
		char *from = r->buf + r->start + r->scanned;
		char *nul = memchr(from, '\0', avail - r->scanned);
		if (!nul) {
			r->scanned = avail;
			return 0;
		}
		size_t l = (size_t)(nul - (r->buf + r->start));
		const char *m = r->buf + r->start;
		r->start += l + 1;
		r->scanned = 0;
		if (l == 0)
			continue; /* an empty message: nothing to hand out */
		*msg = m;
		*len = l;
		return 1;
	}
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void cdp_init(struct cdp *c, int wfd, int rfd, volatile sig_atomic_t *stop)
{
	memset(c, 0, sizeof(*c));
	c->wfd = wfd;
	c->rfd = rfd;
	c->stop = stop;
	c->next_id = 1;
	cdp_reader_init(&c->rd, CDP_MESSAGE_MAX);
	const char *log = rfd >= 0 ? getenv("PERFAGENT_CDP_LOG") : NULL;
	c->log_fd = log && *log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	if (wfd >= 0)
		set_nonblock(wfd);
	if (rfd >= 0)
		set_nonblock(rfd);
}

void cdp_close(struct cdp *c)
{
	if (c->wfd >= 0)
		close(c->wfd);
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->wfd = c->rfd = c->log_fd = -1;
	json_decref(c->reply);
	c->reply = NULL;
	cdp_reader_free(&c->rd);
}

void cdp_set_handler(struct cdp *c, cdp_event_fn fn, void *ud)
{
	c->on_event = fn;
	c->ud = ud;
}

void cdp_dispatch(struct cdp *c, const char *msg, size_t len)
{
	json_error_t jerr;
	json_t *m = json_loadb(msg, len, 0, &jerr);
	if (!json_is_object(m)) {
		c->bad_messages++;
		json_decref(m);
		return;
	}
	json_t *id = json_object_get(m, "id");
	if (id) {
		/* A response: keep it only when it answers the call being waited for. */
		if (json_is_integer(id) && c->wait_id && json_integer_value(id) == c->wait_id && !c->reply)
			c->reply = json_incref(m);
	} else {
		const char *method = json_string_value(json_object_get(m, "method"));
		const char *session = json_string_value(json_object_get(m, "sessionId"));
		json_t *params = json_object_get(m, "params");
		if (method && c->on_event)
			c->on_event(c->ud, session ? session : "", method, json_is_object(params) ? params : NULL);
		else if (!method)
			c->bad_messages++;
	}
	json_decref(m);
}

/*
 * Read what the pipe has (without blocking) into the reader. 1 when bytes
 * came, 0 when none were ready, -1 at end of file or on a read error or an
 * oversized message (e set).
 */
static int read_some(struct cdp *c, struct perr *e)
{
	char chunk[READ_CHUNK];
	int got = 0;
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(c->rfd, chunk, sizeof(chunk));
		if (n > 0) {
			if (c->log_fd >= 0 && write(c->log_fd, chunk, (size_t)n) != n) {
				close(c->log_fd); /* a transcript is best effort */
				c->log_fd = -1;
			}
			if (cdp_reader_feed(&c->rd, chunk, (size_t)n))
				return perr_set(e, "the browser sent a DevTools message over %zu MB; giving up on it",
						CDP_MESSAGE_MAX >> 20);
			got = 1;
			continue;
		}
		if (n == 0) {
			c->closed = 1;
			return perr_set(e, "the browser closed its DevTools pipe");
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return got;
		c->closed = 1;
		return perr_set(e, "reading the browser's DevTools pipe: %s", strerror(errno));
	}
	return got;
}

static void dispatch_pending(struct cdp *c)
{
	const char *msg;
	size_t len;
	while (cdp_reader_next(&c->rd, &msg, &len))
		cdp_dispatch(c, msg, len);
}

static int stopped(struct cdp *c, struct perr *e)
{
	if (c->stop && *c->stop) {
		c->interrupted = 1;
		return perr_set(e, "interrupted");
	}
	return 0;
}

/* Milliseconds left until deadline (monotonic ns), at most TICK_MS, at least 0. */
static int tick(int64_t deadline)
{
	int64_t left = (deadline - clock_mono_ns()) / 1000000;
	if (left < 0)
		return 0;
	return left > TICK_MS ? TICK_MS : (int)left;
}

/*
 * Write all of data to the command pipe by the deadline. While the pipe is
 * full, incoming messages are read into the reader (not dispatched), so a
 * browser blocked on writing to us cannot deadlock with us.
 */
static int write_all(struct cdp *c, const char *data, size_t len, int64_t deadline, struct perr *e)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(c->wfd, data + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			c->closed = 1;
			return perr_set(e, "writing to the browser's DevTools pipe: %s", strerror(errno));
		}
		if (stopped(c, e))
			return -1;
		if (clock_mono_ns() >= deadline) {
			c->timed_out = 1;
			return perr_set(e, "the browser stopped reading DevTools commands");
		}
		struct pollfd p[2] = {{.fd = c->wfd, .events = POLLOUT}, {.fd = c->rfd, .events = POLLIN}};
		if (poll(p, 2, tick(deadline)) > 0 && (p[1].revents & (POLLIN | POLLHUP)) && read_some(c, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * Wait until the reader has something or the tick passes; then read it
 * and dispatch. -1 on end of file or error.
 */
static int pump_once(struct cdp *c, int64_t deadline, struct perr *e)
{
	struct pollfd p = {.fd = c->rfd, .events = POLLIN};
	int r = poll(&p, 1, tick(deadline));
	if (r < 0 && errno != EINTR)
		return perr_set(e, "waiting for the browser: %s", strerror(errno));
	if (r > 0 && read_some(c, e) < 0) {
		dispatch_pending(c); /* what came before the end still counts */
		return -1;
	}
	dispatch_pending(c);
	return 0;
}

int cdp_call(struct cdp *c, const char *session, const char *method, json_t *params, double timeout_s,
	     json_t **result, struct perr *e)
{
	if (result)
		*result = NULL;
	c->timed_out = 0;
	if (c->closed) {
		json_decref(params);
		return perr_set(e, "the browser closed its DevTools pipe");
	}
	long id = c->next_id++;
	json_t *m = json_object();
	json_object_set_new(m, "id", json_integer(id));
	json_object_set_new(m, "method", json_string(method));
	json_object_set_new(m, "params", params ? params : json_object());
	if (session && *session)
		json_object_set_new(m, "sessionId", json_string(session));
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!text)
		die_oom();
	int64_t deadline = clock_mono_ns() + (int64_t)(timeout_s * 1e9);
	json_decref(c->reply);
	c->reply = NULL;
	c->wait_id = id;
	int rc = write_all(c, text, strlen(text) + 1, deadline, e);
	free(text);
	while (rc == 0) {
		dispatch_pending(c);
		if (c->reply)
			break;
		if (stopped(c, e) || pump_once(c, deadline, e)) {
			rc = -1;
			break;
		}
		if (c->reply)
			break;
		if (clock_mono_ns() >= deadline) {
			c->timed_out = 1;
			rc = perr_set(e, "the browser did not answer %s within %.0f s", method, timeout_s);
		}
	}
	c->wait_id = 0;
	if (rc)
		return -1;
	json_t *err = json_object_get(c->reply, "error");
	if (err) {
		const char *msg = json_string_value(json_object_get(err, "message"));
		const char *data = json_string_value(json_object_get(err, "data"));
		rc = perr_set(e, "%s: %s%s%s", method, msg ? msg : "error", data ? ": " : "", data ? data : "");
	} else if (result) {
		json_t *res = json_object_get(c->reply, "result");
		*result = res ? json_incref(res) : json_object();
	}
	json_decref(c->reply);
	c->reply = NULL;
	return rc;
}

int cdp_wait(struct cdp *c, double timeout_s, int (*done)(void *arg), void *arg, struct perr *e)
{
	int64_t deadline = clock_mono_ns() + (int64_t)(timeout_s * 1e9);
	dispatch_pending(c);
	for (;;) {
		if (done && done(arg))
			return 1;
		if (stopped(c, e))
			return -1;
		if (c->closed)
			return perr_set(e, "the browser closed its DevTools pipe");
		if (clock_mono_ns() >= deadline)
			return 0;
		if (pump_once(c, deadline, e))
			return -1;
	}
}
