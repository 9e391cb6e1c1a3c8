/*
 * engine: the HTTP/1.1 load-generation engine behind `perfagent load` and
 * `perfagent endpoints`.
 *
 * One stage = N connections for a duration (and/or a number of requests).
 * Threads each own their connections, an epoll loop and their counters;
 * nothing is shared on the hot path but one atomic request-ticket counter
 * when a request limit is set. After the threads join, their counters and
 * latency histograms are merged exactly. Time comes from the monotonic clock
 * only.
 *
 * Closed model (rate == 0): each connection sends its next request as soon
 * as the previous response is complete. Open model (rate > 0): each
 * connection follows a fixed send schedule (the total rate spread over the
 * connections); latency is measured from the time a request was *meant* to
 * be sent, so a stalled server cannot hide its stall by holding back the
 * generator (coordinated omission, corrected as wrk2 does), and from the
 * actual send as well.
 */
#ifndef PA_HTTP_ENGINE_H
#define PA_HTTP_ENGINE_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../core/err.h"
#include "../core/hdr.h"
#include "../core/url.h"

/* What to send and where: built once, read by every thread. */
struct eng_target {
	struct url url;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char addr_text[80];  /* "127.0.0.1:8080" for messages */
	char *request;       /* the complete request, sent as is every time */
	size_t request_len;
	int head;            /* HEAD: responses have no body */
	int idempotent;      /* GET/HEAD/OPTIONS: may be re-sent on a stale keep-alive connection */
	void *ssl_ctx;       /* SSL_CTX for https, else NULL */
};

/*
 * Resolve the URL's host (once), build the request bytes — method, target,
 * Host, User-Agent, Accept, the extra headers ("Name: value"), and a body
 * with its Content-Length — and, for https, a TLS context that checks the
 * certificate and host name unless insecure. Errors name the URL or header.
 */
int eng_target_init(struct eng_target *t, const struct url *u, const char *method,
		    const char *const *headers, size_t nheaders, const char *body, size_t body_len,
		    int insecure, struct perr *e);
void eng_target_free(struct eng_target *t);

/* What the progress callback sees, about every 100 ms. */
struct eng_live {
	double elapsed_s;
	int64_t requests; /* completed so far (warm-up included) */
	int64_t errors;
	int connections;  /* established now */
};

struct eng_stage_cfg {
	int connections;
	int threads;
	double rate;       /* open model: requests/s over all connections; 0 = closed model */
	double duration_s; /* 0: until `requests` are done */
	double warmup_s;   /* completions before this are not counted */
	int64_t requests;  /* 0: no limit */
	double timeout_s;  /* per request (and per connect) */
	volatile sig_atomic_t *stop; /* set asynchronously (Ctrl-C): finish now */
	void (*progress)(void *arg, const struct eng_live *live);
	void *progress_arg;
};

#define ENG_STATUS_MAX 1000

/* One stage's numbers, merged over threads. */
struct eng_stats {
	int64_t requests;   /* responses completed in the measured window */
	int64_t sent;       /* requests sent in the window */
	int64_t bytes;      /* response bytes read (head and body) */
	int64_t body_bytes; /* of which body */
	int64_t status[ENG_STATUS_MAX]; /* responses by status code */
	int64_t err_connect, err_read, err_write, err_timeout, err_parse, err_tls;
	int64_t reconnects; /* connections re-opened after a close (not errors) */
	int64_t max_live;   /* most connections open at once that had carried a response */
	int connections;    /* asked for */
	struct hdr latency;             /* µs; open model: from the intended send time */
	struct hdr latency_uncorrected; /* µs; from the actual send */
	double elapsed_s;   /* the measured window */
	double cpu_s;       /* user + system CPU of the generator threads */
	int threads;
	double offered_rps; /* open model */
	double max_lag_ms;  /* open model: the latest a send left after its schedule */
	int interrupted;    /* stopped by cfg->stop */
	char first_error[160]; /* the first transport error's reason, for the report */
};

/*
 * Run one stage. Returns 0 with out filled (free with eng_stats_free) —
 * also when every request failed: failures are results. -1 only when the
 * stage could not run at all (threads, memory), with e set.
 */
int eng_run_stage(const struct eng_target *t, const struct eng_stage_cfg *cfg, struct eng_stats *out,
		  struct perr *e);
void eng_stats_free(struct eng_stats *s);

/* Transport errors of a stage (all categories). */
int64_t eng_transport_errors(const struct eng_stats *s);
/* Responses with status >= 400. */
int64_t eng_http_errors(const struct eng_stats *s);

#endif
