/*
 * cutproxy: a one-connection TCP proxy that drops the connection part-way,
 * for the tests of a database connection lost in the middle of an audit.
 *
 *   cutproxy UPSTREAM_PORT CUT_AFTER_BYTES
 *
 * Listens on 127.0.0.1 on an ephemeral port and prints that port on stdout
 * (one line, flushed), accepts one client, connects to
 * 127.0.0.1:UPSTREAM_PORT and forwards both ways. Once CUT_AFTER_BYTES
 * bytes have gone from the server to the client (exactly that many: reads
 * from the server never ask for more than what is left), it closes both
 * sockets and exits 0. The test aims the client at the printed port and picks
 * the byte count: the server's greeting and login exchange are a few hundred
 * bytes, so a cut beyond them lands in the queries.
 *
 * Exit status: 0 cut done; 1 the 60 s lifetime ran out (the proxy never
 * outlives a failed test); 2 usage or setup error; 3 a side closed before
 * the cut (what was sent until then was forwarded).
 *
 * One thread, non-blocking sockets and poll(): each direction has a buffer
 * that is filled when empty and the source is readable and drained when the
 * destination is writable, so neither side can stall the other. Only libc;
 * every function but main is static so the binary links against the
 * project's library without clashes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_MS 60000
#define PIPE_BUF_SIZE (64 * 1024)

enum {
	EXIT_CUT = 0,
	EXIT_TIMEOUT = 1,
	EXIT_SETUP = 2,
	EXIT_CLOSED = 3,
};

/* One direction of the proxy: bytes read from src wait in buf for dst. */
struct pipe_dir {
	int src, dst;
	char buf[PIPE_BUF_SIZE];
	size_t len, off; /* buf[off..len) is still to be written */
	int eof;         /* src reached end of file (or failed) */
};

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Parse a decimal number in [min, max] into *out; 0 on success, -1 when s is
 * not such a number.
 */
static int parse_num(const char *s, unsigned long long min, unsigned long long max,
		     unsigned long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * Listen on 127.0.0.1 on a port the kernel picks; the socket goes to *fd and
 * the port to *port. 0 on success, -1 with errno set.
 */
static int listen_loopback(int *fd, unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0) {
		int err = errno;
		close(s);
		errno = err;
		return -1;
	}
	*fd = s;
	*port = ntohs(a.sin_port);
	return 0;
}

/*
 * Wait until fd is ready for events or the deadline passes: 1 ready, 0 the
 * deadline passed, -1 poll failed.
 */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -1 : n > 0;
	}
}

/*
 * Connect to 127.0.0.1:port before the deadline; the connected, non-blocking
 * socket goes to *fd. 0 on success, 1 on timeout, -1 with errno set.
 */
static int connect_loopback(unsigned port, long long deadline, int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (set_nonblock(s) < 0)
		goto fail;
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		int r = wait_fd(s, POLLOUT, deadline);
		if (r <= 0) {
			close(s);
			return r == 0 ? 1 : -1;
		}
		int err = 0;
		socklen_t elen = sizeof err;
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			goto fail;
		if (err) {
			errno = err;
			goto fail;
		}
	}
	*fd = s;
	return 0;
fail:;
	int err = errno;
	close(s);
	errno = err;
	return -1;
}

/*
 * Read from d->src into d->buf (which must be empty), at most limit bytes
 * (limit > 0). Nothing to read yet leaves d as it was; end of file or a hard
 * error sets d->eof.
 */
static void dir_fill(struct pipe_dir *d, size_t limit)
{
	size_t want = limit < sizeof d->buf ? limit : sizeof d->buf;
	ssize_t n = recv(d->src, d->buf, want, 0);
	if (n > 0) {
		d->len = (size_t)n;
		d->off = 0;
	} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		d->eof = 1;
	}
}

/*
 * Write what d->buf holds to d->dst as far as it takes it. Returns the bytes
 * written, or -1 when dst failed (the peer is gone).
 */
static ssize_t dir_drain(struct pipe_dir *d)
{
	ssize_t n = send(d->dst, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
	d->off += (size_t)n;
	if (d->off == d->len)
		d->len = d->off = 0;
	return n;
}

/*
 * Forward between client and server until cut bytes went from server to
 * client (EXIT_CUT), a side closed and its data was passed on (EXIT_CLOSED)
 * or the deadline passed (EXIT_TIMEOUT). The sockets stay open for the
 * caller to close.
 */
static int forward(int client, int server, unsigned long long cut, long long deadline)
{
	/* up: client -> server; down: server -> client (128 KiB of stack in all) */
	struct pipe_dir up = { .src = client, .dst = server };
	struct pipe_dir down = { .src = server, .dst = client };
	unsigned long long sent = 0; /* server -> client bytes delivered */

	for (;;) {
		if (sent >= cut)
			return EXIT_CUT;
		/* A side that closed ends the run once its last bytes are delivered. */
		if ((up.eof && up.len == 0) || (down.eof && down.len == 0))
			return EXIT_CLOSED;
		long long left = deadline - now_ms();
		if (left <= 0)
			return EXIT_TIMEOUT;

		struct pollfd p[2] = { { .fd = client }, { .fd = server } };
		if (up.len == 0 && !up.eof)
			p[0].events |= POLLIN;
		if (down.len > 0)
			p[0].events |= POLLOUT;
		if (down.len == 0 && !down.eof)
			p[1].events |= POLLIN;
		if (up.len > 0)
			p[1].events |= POLLOUT;
		int n = poll(p, 2, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return EXIT_CLOSED;
		}
		if (n == 0)
			continue;

		if (p[0].revents & (POLLIN | POLLHUP | POLLERR) && up.len == 0 && !up.eof)
			dir_fill(&up, sizeof up.buf);
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && down.len == 0 && !down.eof)
			dir_fill(&down, (size_t)(cut - sent < sizeof down.buf ? cut - sent : sizeof down.buf));
		if (up.len > 0 && p[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
			if (dir_drain(&up) < 0)
				return EXIT_CLOSED;
		}
		if (down.len > 0 && p[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
			ssize_t w = dir_drain(&down);
			if (w < 0)
				return EXIT_CLOSED;
			sent += (unsigned long long)w;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long long port, cut;
	if (argc != 3 || parse_num(argv[1], 1, 65535, &port) < 0 ||
	    parse_num(argv[2], 0, (unsigned long long)1 << 62, &cut) < 0) {
		fprintf(stderr, "usage: cutproxy UPSTREAM_PORT CUT_AFTER_BYTES\n"
				"  forward one client on 127.0.0.1:<printed port> to 127.0.0.1:UPSTREAM_PORT\n"
				"  and close both once CUT_AFTER_BYTES went from server to client\n");
		return EXIT_SETUP;
	}
	long long deadline = now_ms() + LIFETIME_MS;
	signal(SIGPIPE, SIG_IGN);

	int lfd;
	unsigned lport;
	if (listen_loopback(&lfd, &lport) < 0) {
		fprintf(stderr, "cutproxy: listening on 127.0.0.1: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	printf("%u\n", lport);
	fflush(stdout);

	int r = wait_fd(lfd, POLLIN, deadline);
	if (r <= 0) {
		fprintf(stderr, "cutproxy: %s\n", r == 0 ? "no client within 60 s" : strerror(errno));
		close(lfd);
		return r == 0 ? EXIT_TIMEOUT : EXIT_SETUP;
	}
	int client = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (client < 0 || set_nonblock(client) < 0) {
		fprintf(stderr, "cutproxy: accepting the client: %s\n", strerror(errno));
		if (client >= 0)
			close(client);
		return EXIT_SETUP;
	}

	int server;
	r = connect_loopback((unsigned)port, deadline, &server);
	if (r != 0) {
		fprintf(stderr, "cutproxy: connecting to 127.0.0.1:%llu: %s\n", port,
			r > 0 ? "timed out" : strerror(errno));
		close(client);
		return r > 0 ? EXIT_TIMEOUT : EXIT_SETUP;
	}

	int code = forward(client, server, cut, deadline);
	close(client);
	close(server);
	if (code == EXIT_TIMEOUT)
		fprintf(stderr, "cutproxy: 60 s lifetime over before the cut\n");
	return code;
}
