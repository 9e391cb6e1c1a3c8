/*
 * engine: threads, epoll loops and connection state machines.
 *
 * Each connection is registered with its thread's epoll once, edge-
 * triggered for input and output, and never modified: a request costs one
 * write() and, usually, one read() — no epoll_ctl per request. A read that
 * returns less than the buffer has emptied the socket, so no extra read is
 * spent to see EAGAIN. Timeouts and reconnect back-offs are checked by a
 * scan every 10 ms; the open model's send schedule is a binary heap per
 * thread, waited on with epoll_pwait2's nanosecond timeout.
 */
#include "engine.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "response.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define RBUF_SIZE (64 * 1024)
#define SCAN_NS (10 * 1000 * 1000LL)
#define BACKOFF_NS (50 * 1000 * 1000LL)
#define HDR_LOW 1
#define HDR_HIGH (3600LL * 1000 * 1000) /* one hour in µs */

/* ---- the target ---- */

static int valid_header(const char *h)
{
	const char *colon = strchr(h, ':');
	if (!colon || colon == h)
		return 0;
	for (const char *p = h; p < colon; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	for (const char *p = h; *p; p++)
		if (*p == '\r' || *p == '\n')
			return 0;
	return 1;
}

static int header_given(const char *const *headers, size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (strncasecmp(headers[i], name, len) == 0 && headers[i][len] == ':')
			return 1;
	return 0;
}

int eng_target_init(struct eng_target *t, const struct url *u, const char *method,
		    const char *const *headers, size_t nheaders, const char *body, size_t body_len,
		    int insecure, struct perr *e)
{
	memset(t, 0, sizeof(*t));
	t->url = *u;
	for (const char *p = method; *p; p++)
		if (*p < 'A' || *p > 'Z')
			return perr_set(e, "method '%s' is not an HTTP method (upper-case letters)", method);
	if (!*method)
		return perr_set(e, "empty method");
	for (size_t i = 0; i < nheaders; i++)
		if (!valid_header(headers[i]))
			return perr_set(e, "header '%s' is not 'Name: value'", headers[i]);

	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc != 0)
		return perr_set(e, "cannot resolve '%s': %s", u->host, gai_strerror(rc));
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	char ip[INET6_ADDRSTRLEN] = "?";
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, ip, sizeof(ip));
	snprintf(t->addr_text, sizeof(t->addr_text), res->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", ip,
		 u->port);
	freeaddrinfo(res);

	t->head = strcmp(method, "HEAD") == 0;
	t->idempotent = t->head || strcmp(method, "GET") == 0 || strcmp(method, "OPTIONS") == 0;
	struct buf r = BUF_INIT;
	buf_printf(&r, "%s %s HTTP/1.1\r\n", method, u->target);
	if (!header_given(headers, nheaders, "Host"))
		buf_printf(&r, "Host: %s\r\n", u->hostport);
	if (!header_given(headers, nheaders, "User-Agent"))
		buf_puts(&r, "User-Agent: perfagent\r\n");
	if (!header_given(headers, nheaders, "Accept"))
		buf_puts(&r, "Accept: */*\r\n");
	for (size_t i = 0; i < nheaders; i++)
		buf_printf(&r, "%s\r\n", headers[i]);
	if (body && !header_given(headers, nheaders, "Content-Length"))
		buf_printf(&r, "Content-Length: %zu\r\n", body_len);
	buf_puts(&r, "\r\n");
	if (body)
		buf_put(&r, body, body_len);
	t->request_len = r.len;
	t->request = buf_detach(&r);

	if (u->tls) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
		if (!ctx) {
			eng_target_free(t);
			return perr_set(e, "cannot create a TLS context");
		}
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
		if (insecure) {
			SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		} else {
			SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
			SSL_CTX_set_default_verify_paths(ctx);
		}
		t->ssl_ctx = ctx;
	}
	return 0;
}

void eng_target_free(struct eng_target *t)
{
	free(t->request);
	t->request = NULL;
	if (t->ssl_ctx)
		SSL_CTX_free(t->ssl_ctx);
	t->ssl_ctx = NULL;
}

/* ---- connections ---- */

enum conn_state {
	C_CLOSED,     /* no socket; open at retry_ns */
	C_CONNECTING,
	C_HANDSHAKE,  /* TLS */
	C_WRITING,
	C_READING,
	C_IDLE,       /* connected, waiting for its next send time (open model) */
	C_SPENT,      /* connected, the request limit is used up */
};

struct conn {
	int fd;
	enum conn_state state;
	SSL *ssl;
	SSL_SESSION *session; /* for a quick TLS resumption on reconnect */
	int served;           /* responses on this connection since it opened */
	size_t written;
	struct hresp resp;
	int64_t sent_ns;      /* actual start of the request */
	int64_t intended_ns;  /* open model: when it was meant to start */
	int64_t deadline_ns;  /* timeout of the current connect or request */
	int64_t retry_ns;     /* C_CLOSED: when to reconnect */
	size_t heap_pos;      /* open model: index in the schedule heap, or SIZE_MAX */
	int watch_out;        /* EPOLLOUT is in the interest set */
};

struct worker {
	const struct eng_target *t;
	const struct eng_stage_cfg *cfg;
	struct conn *conns;
	int nconns;
	int first_conn;   /* global index of conns[0], to stagger the schedule */
	int total_conns;
	int ep;
	char *rbuf;
	struct eng_stats st;
	int64_t start_ns, measure_ns, end_ns;
	int64_t interval_ns; /* open model: per connection */
	struct conn **heap;
	size_t nheap;
	int live;            /* connections open now that carried a response */
	atomic_int_fast64_t *tickets; /* requests left when limited; shared */
	atomic_int_fast64_t done;     /* completed responses, for progress */
	atomic_int_fast64_t errors;
	atomic_int live_pub;
	atomic_int finished;
	pthread_t tid;
	struct perr err;
	int failed;
};

static void note_error(struct worker *w, const char *what, const char *why)
{
	if (!w->st.first_error[0])
		snprintf(w->st.first_error, sizeof(w->st.first_error), "%s: %s", what, why);
	atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
}

/* ---- the open model's schedule: a min-heap on intended_ns ---- */

static void heap_swap(struct worker *w, size_t a, size_t b)
{
	struct conn *t = w->heap[a];
	w->heap[a] = w->heap[b];
	w->heap[b] = t;
	w->heap[a]->heap_pos = a;
	w->heap[b]->heap_pos = b;
}

static void sift_up(struct worker *w, size_t i)
{
	while (i > 0 && w->heap[(i - 1) / 2]->intended_ns > w->heap[i]->intended_ns) {
		heap_swap(w, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct worker *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < w->nheap && w->heap[l]->intended_ns < w->heap[m]->intended_ns)
			m = l;
		if (r < w->nheap && w->heap[r]->intended_ns < w->heap[m]->intended_ns)
			m = r;
		if (m == i)
			return;
		heap_swap(w, i, m);
		i = m;
	}
}

static void heap_push(struct worker *w, struct conn *c)
{
	size_t i = w->nheap++;
	w->heap[i] = c;
	c->heap_pos = i;
	sift_up(w, i);
}

/* Take c out of the schedule wherever it is in the heap. */
static void heap_remove(struct worker *w, struct conn *c)
{
	size_t i = c->heap_pos;
	if (i == SIZE_MAX)
		return;
	w->nheap--;
	if (i != w->nheap) {
		heap_swap(w, i, w->nheap);
		/* The entry moved into the hole may belong above or below it. */
		struct conn *moved = w->heap[i];
		sift_up(w, i);
		sift_down(w, moved->heap_pos);
	}
	c->heap_pos = SIZE_MAX;
}

static struct conn *heap_pop(struct worker *w)
{
	struct conn *top = w->heap[0];
	heap_remove(w, top);
	return top;
}

/* ---- connection life cycle ---- */

/*
 * Output readiness is watched only while it is needed: during connect and
 * when a write would block. Otherwise every ACK that frees send space would
 * wake the epoll set for nothing.
 */
static void want_output(struct worker *w, struct conn *c, int on)
{
	if (c->watch_out == on)
		return;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->watch_out = on;
}

static void conn_close(struct worker *w, struct conn *c, int64_t retry_ns)
{
	if (c->ssl) {
		SSL_SESSION *s = SSL_get1_session(c->ssl);
		if (s) {
			if (c->session)
				SSL_SESSION_free(c->session);
			c->session = s;
		}
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd); /* also removes it from the epoll set */
	c->fd = -1;
	if (c->served > 0)
		w->live--;
	c->served = 0;
	c->state = C_CLOSED;
	c->retry_ns = retry_ns;
}

static void conn_open(struct worker *w, struct conn *c, int64_t now)
{
	const struct eng_target *t = w->t;
	c->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		w->st.err_connect += now >= w->measure_ns;
		note_error(w, "socket", strerror(errno));
		c->state = C_CLOSED;
		c->retry_ns = now + BACKOFF_NS;
		return;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&t->addr, t->addrlen) != 0 && errno != EINPROGRESS) {
		w->st.err_connect += now >= w->measure_ns;
		note_error(w, "connect", strerror(errno));
		close(c->fd);
		c->fd = -1;
		c->state = C_CLOSED;
		c->retry_ns = now + BACKOFF_NS;
		return;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
	epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->watch_out = 1;
	c->state = C_CONNECTING;
	c->deadline_ns = now + (int64_t)(w->cfg->timeout_s * 1e9);
}

static void conn_send(struct worker *w, struct conn *c, int64_t now);
static void conn_write(struct worker *w, struct conn *c, int64_t now);

/* Connected (and through TLS): send now, or wait for the schedule. */
static void conn_ready(struct worker *w, struct conn *c, int64_t now)
{
	if (w->interval_ns && c->intended_ns > now) {
		c->state = C_IDLE;
		heap_push(w, c);
		return;
	}
	conn_send(w, c, now);
}

static int take_ticket(struct worker *w)
{
	if (!w->tickets)
		return 1;
	return atomic_fetch_sub_explicit(w->tickets, 1, memory_order_relaxed) > 0;
}

static void conn_send(struct worker *w, struct conn *c, int64_t now)
{
	if (now >= w->end_ns || !take_ticket(w)) {
		c->state = C_SPENT;
		c->retry_ns = INT64_MAX;
		return;
	}
	if (w->interval_ns) {
		double lag = (double)(now - c->intended_ns) / 1e6;
		if (c->intended_ns >= w->measure_ns && lag > w->st.max_lag_ms)
			w->st.max_lag_ms = lag;
	} else {
		c->intended_ns = now;
	}
	c->sent_ns = now;
	if (now >= w->measure_ns)
		w->st.sent++;
	c->written = 0;
	hresp_init(&c->resp, w->t->head);
	c->deadline_ns = now + (int64_t)(w->cfg->timeout_s * 1e9);
	c->state = C_WRITING;
	conn_write(w, c, now);
}

/*
 * A transport failure: count it and reconnect — at once on a connection
 * the server had answered on, after a back-off on one it never did (a
 * server refusing or dropping every connection must not become a busy loop).
 */
static void conn_fail(struct worker *w, struct conn *c, int64_t *counter, const char *what,
		      const char *why, int64_t now)
{
	if (w->interval_ns && (c->state == C_WRITING || c->state == C_READING))
		c->intended_ns += w->interval_ns; /* that slot is spent */
	if (now >= w->measure_ns)
		(*counter)++;
	note_error(w, what, why);
	int answered = c->served || c->resp.head_bytes > 0;
	conn_close(w, c, answered ? now : now + BACKOFF_NS);
}

static const char *ssl_reason(void)
{
	unsigned long err = ERR_get_error();
	const char *r = err ? ERR_reason_error_string(err) : NULL;
	ERR_clear_error();
	return r ? r : "TLS error";
}

static void conn_write(struct worker *w, struct conn *c, int64_t now)
{
	const struct eng_target *t = w->t;
	while (c->written < t->request_len) {
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int k = SSL_write(c->ssl, t->request + c->written, (int)(t->request_len - c->written));
			if (k <= 0) {
				int se = SSL_get_error(c->ssl, k);
				if (se == SSL_ERROR_WANT_WRITE)
					want_output(w, c, 1);
				if (se == SSL_ERROR_WANT_WRITE || se == SSL_ERROR_WANT_READ)
					return;
				conn_fail(w, c, &w->st.err_write, "write", ssl_reason(), now);
				return;
			}
			n = k;
		} else {
			n = write(c->fd, t->request + c->written, t->request_len - c->written);
			if (n < 0) {
				if (errno == EAGAIN)
					want_output(w, c, 1);
				if (errno == EAGAIN || errno == EINTR)
					return;
				conn_fail(w, c, &w->st.err_write, "write", strerror(errno), now);
				return;
			}
		}
		c->written += (size_t)n;
	}
	want_output(w, c, 0);
	c->state = C_READING;
}

/* One response complete: record it, then the next request or a reconnect. */
static void conn_done(struct worker *w, struct conn *c, int64_t now)
{
	struct eng_stats *st = &w->st;
	/* A connection counts as live once it has carried a response: a server
	 * that accepts and drops connections must not look like one that serves. */
	if (++c->served == 1 && ++w->live > w->st.max_live)
		w->st.max_live = w->live;
	atomic_fetch_add_explicit(&w->done, 1, memory_order_relaxed);
	if (now >= w->measure_ns && now < w->end_ns) {
		st->requests++;
		st->bytes += c->resp.head_bytes + c->resp.body_bytes;
		st->body_bytes += c->resp.body_bytes;
		int s = c->resp.status;
		st->status[s >= 0 && s < ENG_STATUS_MAX ? s : 0]++;
		int64_t us = (now - c->intended_ns) / 1000;
		hdr_record(&st->latency, us > 0 ? us : 1);
		us = (now - c->sent_ns) / 1000;
		hdr_record(&st->latency_uncorrected, us > 0 ? us : 1);
		if (s >= 400)
			atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
	}
	if (w->interval_ns)
		c->intended_ns += w->interval_ns;
	if (!c->resp.keep_alive) {
		conn_close(w, c, now);
		st->reconnects++;
		conn_open(w, c, now);
		return;
	}
	conn_ready(w, c, now);
}

/*
 * Read and parse what has arrived. `hup`: the event said the peer closed
 * (EPOLLRDHUP/EPOLLHUP) — then the end of the stream must be read too,
 * because edge-triggered epoll will not report a close that came in the
 * same edge as the data.
 */
static void conn_read(struct worker *w, struct conn *c, int64_t now, int hup)
{
	for (;;) {
		ssize_t n;
		if (c->ssl) {
			ERR_clear_error();
			int k = SSL_read(c->ssl, w->rbuf, RBUF_SIZE);
			if (k <= 0) {
				int se = SSL_get_error(c->ssl, k);
				if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
					return;
				n = se == SSL_ERROR_ZERO_RETURN || se == SSL_ERROR_SYSCALL ? 0 : -1;
				if (n < 0) {
					conn_fail(w, c, &w->st.err_read, "read", ssl_reason(), now);
					return;
				}
			} else {
				n = k;
			}
		} else {
			n = read(c->fd, w->rbuf, RBUF_SIZE);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return;
				conn_fail(w, c, &w->st.err_read, "read", strerror(errno), now);
				return;
			}
		}
		if (n == 0) {
			/* The peer closed. A keep-alive connection closed before any
			 * byte of the answer is a stale one: re-send, not an error. */
			if (c->resp.state == HR_STATUS && c->resp.head_bytes == 0 && c->served > 0 &&
			    w->t->idempotent) {
				conn_close(w, c, now);
				w->st.reconnects++;
				if (now >= w->measure_ns && w->st.sent > 0)
					w->st.sent--;
				if (w->tickets)
					atomic_fetch_add_explicit(w->tickets, 1, memory_order_relaxed);
				conn_open(w, c, now);
				return;
			}
			if (hresp_eof(&c->resp) == 0) {
				c->resp.keep_alive = 0;
				conn_done(w, c, now);
				return;
			}
			conn_fail(w, c, &w->st.err_read, "read", c->resp.error, now);
			return;
		}
		size_t used = hresp_feed(&c->resp, w->rbuf, (size_t)n);
		if (c->resp.state == HR_ERROR) {
			conn_fail(w, c, &w->st.err_parse, "response", c->resp.error, now);
			return;
		}
		if (c->resp.state == HR_DONE) {
			if (used < (size_t)n) {
				conn_fail(w, c, &w->st.err_parse, "response", "data after the end of the response",
					  now);
				return;
			}
			conn_done(w, c, now);
			return;
		}
		/* A short plain read emptied the socket: the next edge will come.
		 * TLS reads go on until WANT_READ: OpenSSL reads a record at a
		 * time, so more may wait in the socket after a short read. */
		if (!c->ssl && !hup && (size_t)n < RBUF_SIZE)
			return;
	}
}

static void conn_handshake(struct worker *w, struct conn *c, int64_t now)
{
	ERR_clear_error();
	int k = SSL_connect(c->ssl);
	if (k == 1) {
		want_output(w, c, 0);
		conn_ready(w, c, now);
		return;
	}
	int se = SSL_get_error(c->ssl, k);
	if (se == SSL_ERROR_WANT_WRITE)
		want_output(w, c, 1);
	if (se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
		return;
	const char *why = ssl_reason();
	long v = SSL_get_verify_result(c->ssl);
	if (v != X509_V_OK)
		why = X509_verify_cert_error_string(v);
	conn_fail(w, c, &w->st.err_tls, "TLS handshake", why, now);
}

static void conn_connected(struct worker *w, struct conn *c, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		conn_fail(w, c, &w->st.err_connect, "connect", strerror(err), now);
		return;
	}
	want_output(w, c, 0);
	if (w->t->ssl_ctx) {
		c->ssl = SSL_new(w->t->ssl_ctx);
		if (!c->ssl) {
			conn_fail(w, c, &w->st.err_tls, "TLS", "cannot create a session", now);
			return;
		}
		SSL_set_fd(c->ssl, c->fd);
		SSL_set_tlsext_host_name(c->ssl, w->t->url.host);
		SSL_set1_host(c->ssl, w->t->url.host);
		if (c->session)
			SSL_set_session(c->ssl, c->session);
		c->state = C_HANDSHAKE;
		conn_handshake(w, c, now);
		return;
	}
	conn_ready(w, c, now);
}

static void conn_event(struct worker *w, struct conn *c, uint32_t events, int64_t now)
{
	switch (c->state) {
	case C_CONNECTING:
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_connected(w, c, now);
		break;
	case C_HANDSHAKE:
		conn_handshake(w, c, now);
		break;
	case C_WRITING:
		conn_write(w, c, now);
		if (c->state == C_READING && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
			conn_read(w, c, now, (events & (EPOLLRDHUP | EPOLLHUP)) != 0);
		break;
	case C_READING:
		if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			conn_read(w, c, now, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
		break;
	case C_IDLE:
	case C_SPENT:
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLIN)) {
			/* The server closed an idle keep-alive connection: open a new
			 * one now; it takes its place in the schedule when connected. */
			int spent = c->state == C_SPENT;
			heap_remove(w, c);
			conn_close(w, c, spent ? INT64_MAX : now);
			if (!spent) {
				w->st.reconnects++;
				conn_open(w, c, now);
			}
		}
		break;
	case C_CLOSED:
		break;
	}
}

/* Every 10 ms: timeouts, and reconnects whose back-off is over. */
static void scan(struct worker *w, int64_t now)
{
	for (int i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];
		switch (c->state) {
		case C_CONNECTING:
		case C_HANDSHAKE:
			if (now > c->deadline_ns)
				conn_fail(w, c, &w->st.err_connect, "connect", "timed out", now);
			break;
		case C_WRITING:
		case C_READING:
			if (now > c->deadline_ns) {
				if (now >= w->measure_ns)
					w->st.err_timeout++;
				if (w->interval_ns)
					c->intended_ns += w->interval_ns;
				note_error(w, "request", "timed out");
				conn_close(w, c, now);
			}
			break;
		case C_CLOSED:
			if (now >= c->retry_ns && now < w->end_ns &&
			    (!w->tickets || atomic_load_explicit(w->tickets, memory_order_relaxed) > 0))
				conn_open(w, c, now);
			break;
		default:
			break;
		}
	}
}

static int all_spent(const struct worker *w)
{
	for (int i = 0; i < w->nconns; i++)
		if (w->conns[i].state != C_SPENT && w->conns[i].state != C_CLOSED)
			return 0;
	return 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rusage ru0, ru1;
	getrusage(RUSAGE_THREAD, &ru0);
	struct epoll_event events[256];
	int64_t now = clock_mono_ns();
	int64_t next_scan = now + SCAN_NS;
	for (int i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];
		c->fd = -1;
		c->heap_pos = SIZE_MAX;
		if (w->interval_ns)
			c->intended_ns = w->start_ns + w->interval_ns * (w->first_conn + i) / w->total_conns;
		conn_open(w, c, now);
	}
	for (;;) {
		now = clock_mono_ns();
		if (now >= w->end_ns || (w->cfg->stop && *w->cfg->stop))
			break;
		if (w->tickets && atomic_load_explicit(w->tickets, memory_order_relaxed) <= 0 && all_spent(w))
			break;
		/* Start whatever the schedule says is due. */
		while (w->nheap && w->heap[0]->intended_ns <= now) {
			struct conn *c = heap_pop(w);
			if (c->state == C_IDLE)
				conn_send(w, c, now);
		}
		int64_t wait = next_scan - now;
		if (w->nheap && w->heap[0]->intended_ns - now < wait)
			wait = w->heap[0]->intended_ns - now;
		if (w->end_ns - now < wait)
			wait = w->end_ns - now;
		if (wait < 0)
			wait = 0;
		struct timespec ts = {wait / 1000000000, wait % 1000000000};
		int n = epoll_pwait2(w->ep, events, 256, &ts, NULL);
		if (n < 0 && errno == ENOSYS)
			n = epoll_wait(w->ep, events, 256, (int)((wait + 999999) / 1000000));
		now = clock_mono_ns();
		for (int i = 0; i < n; i++)
			conn_event(w, events[i].data.ptr, events[i].events, now);
		if (now >= next_scan) {
			scan(w, now);
			next_scan = now + SCAN_NS;
			atomic_store_explicit(&w->live_pub, w->live, memory_order_relaxed);
		}
	}
	for (int i = 0; i < w->nconns; i++) {
		conn_close(w, &w->conns[i], 0);
		if (w->conns[i].session)
			SSL_SESSION_free(w->conns[i].session);
		hresp_free(&w->conns[i].resp);
	}
	getrusage(RUSAGE_THREAD, &ru1);
	w->st.cpu_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		      (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
		      (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		      (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	atomic_store(&w->finished, 1);
	return NULL;
}

/* ---- stages ---- */

static int stats_init(struct eng_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (hdr_init(&s->latency, HDR_LOW, HDR_HIGH, 3) || hdr_init(&s->latency_uncorrected, HDR_LOW, HDR_HIGH, 3)) {
		eng_stats_free(s);
		return -1;
	}
	return 0;
}

void eng_stats_free(struct eng_stats *s)
{
	hdr_free(&s->latency);
	hdr_free(&s->latency_uncorrected);
}

static void stats_merge(struct eng_stats *d, const struct eng_stats *s)
{
	d->requests += s->requests;
	d->sent += s->sent;
	d->bytes += s->bytes;
	d->body_bytes += s->body_bytes;
	for (int i = 0; i < ENG_STATUS_MAX; i++)
		d->status[i] += s->status[i];
	d->err_connect += s->err_connect;
	d->err_read += s->err_read;
	d->err_write += s->err_write;
	d->err_timeout += s->err_timeout;
	d->err_parse += s->err_parse;
	d->err_tls += s->err_tls;
	d->reconnects += s->reconnects;
	d->max_live += s->max_live;
	d->cpu_s += s->cpu_s;
	if (s->max_lag_ms > d->max_lag_ms)
		d->max_lag_ms = s->max_lag_ms;
	if (!d->first_error[0] && s->first_error[0])
		memcpy(d->first_error, s->first_error, sizeof(d->first_error));
	hdr_merge(&d->latency, &s->latency);
	hdr_merge(&d->latency_uncorrected, &s->latency_uncorrected);
}

int64_t eng_transport_errors(const struct eng_stats *s)
{
	return s->err_connect + s->err_read + s->err_write + s->err_timeout + s->err_parse + s->err_tls;
}

int64_t eng_http_errors(const struct eng_stats *s)
{
	int64_t n = 0;
	for (int i = 400; i < ENG_STATUS_MAX; i++)
		n += s->status[i];
	return n;
}

int eng_run_stage(const struct eng_target *t, const struct eng_stage_cfg *cfg, struct eng_stats *out,
		  struct perr *e)
{
	int nthreads = cfg->threads < 1 ? 1 : cfg->threads;
	if (nthreads > cfg->connections)
		nthreads = cfg->connections;
	if (cfg->connections < 1)
		return perr_set(e, "a stage needs at least one connection");
	if (stats_init(out))
		return perr_set(e, "out of memory");
	out->connections = cfg->connections;
	out->threads = nthreads;
	out->offered_rps = cfg->rate;

	struct worker *ws = calloc((size_t)nthreads, sizeof(*ws));
	struct conn *conns = calloc((size_t)cfg->connections, sizeof(*conns));
	atomic_int_fast64_t tickets = cfg->requests;
	if (!ws || !conns) {
		free(ws);
		free(conns);
		eng_stats_free(out);
		return perr_set(e, "out of memory");
	}
	int64_t start = clock_mono_ns();
	int64_t end = cfg->duration_s > 0 ? start + (int64_t)(cfg->duration_s * 1e9) : INT64_MAX;
	int64_t measure = start + (int64_t)(cfg->warmup_s * 1e9);
	int64_t interval = cfg->rate > 0 ? (int64_t)(1e9 * cfg->connections / cfg->rate) : 0;
	if (cfg->rate > 0 && interval < 1)
		interval = 1;
	int started = 0, offset = 0, rc = 0;
	for (int i = 0; i < nthreads; i++) {
		struct worker *w = &ws[i];
		int n = cfg->connections / nthreads + (i < cfg->connections % nthreads);
		w->t = t;
		w->cfg = cfg;
		w->conns = conns + offset;
		w->nconns = n;
		w->first_conn = offset;
		w->total_conns = cfg->connections;
		offset += n;
		w->start_ns = start;
		w->measure_ns = measure;
		w->end_ns = end;
		w->interval_ns = interval;
		w->tickets = cfg->requests > 0 ? &tickets : NULL;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->rbuf = malloc(RBUF_SIZE);
		w->heap = calloc((size_t)n + 1, sizeof(*w->heap));
		if (w->ep < 0 || !w->rbuf || !w->heap || stats_init(&w->st)) {
			rc = perr_set(e, "cannot set up a load thread: %s", strerror(errno ? errno : ENOMEM));
			break;
		}
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
			rc = perr_set(e, "cannot start a load thread");
			break;
		}
		started++;
	}
	/* Wait for the workers, reporting progress about every 100 ms. */
	for (;;) {
		int done = 0;
		struct eng_live live = {0};
		for (int i = 0; i < started; i++) {
			done += atomic_load(&ws[i].finished);
			live.requests += atomic_load_explicit(&ws[i].done, memory_order_relaxed);
			live.errors += atomic_load_explicit(&ws[i].errors, memory_order_relaxed);
			live.connections += atomic_load_explicit(&ws[i].live_pub, memory_order_relaxed);
		}
		if (done == started)
			break;
		live.elapsed_s = clock_elapsed_s(start, clock_mono_ns());
		if (cfg->progress)
			cfg->progress(cfg->progress_arg, &live);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int64_t stop = clock_mono_ns();
	for (int i = 0; i < started; i++) {
		pthread_join(ws[i].tid, NULL);
		stats_merge(out, &ws[i].st);
	}
	int64_t window_end = stop < end ? stop : end;
	out->elapsed_s = window_end > measure ? clock_elapsed_s(measure, window_end) : 0;
	out->interrupted = cfg->stop && *cfg->stop;
	for (int i = 0; i < nthreads; i++) {
		if (ws[i].ep > 0)
			close(ws[i].ep);
		free(ws[i].rbuf);
		free(ws[i].heap);
		eng_stats_free(&ws[i].st);
	}
	free(ws);
	free(conns);
	if (rc)
		eng_stats_free(out);
	return rc;
}
