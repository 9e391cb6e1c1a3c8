/*
 * cdp: the Chrome DevTools Protocol over a pair of pipes, as Chromium
 * speaks it with --remote-debugging-pipe — JSON messages separated by NUL
 * bytes, commands on one descriptor, responses and events on the other.
 * No WebSocket, no HTTP, no threads.
 *
 * One connection multiplexes every target through flattened sessions: a
 * command carries an optional sessionId, and so does each event. Commands
 * are synchronous here: cdp_call() sends one and reads until its response
 * arrives, handing every event that comes in the meantime to the event
 * callback, in order. Every wait has a deadline and watches a stop flag
 * (Ctrl-C), so nothing here can hang on a browser that stopped talking.
 */
#ifndef PA_WEB_CDP_H
#define PA_WEB_CDP_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "../core/err.h"

/* The longest message accepted: a full-page screenshot is the largest thing Chromium sends. */
#define CDP_MESSAGE_MAX ((size_t)256 << 20)

/*
 * Splits a byte stream into NUL-terminated messages. Bytes are appended
 * with cdp_reader_feed(); cdp_reader_next() hands back each complete
 * message in order. Scanning resumes where it stopped, so a large message
 * arriving in small reads costs linear time.
 */
struct cdp_reader {
	char *buf;
	size_t start;   /* first byte not yet handed out */
	size_t scanned; /* bytes from start known to hold no NUL */
	size_t len, cap;
	size_t max;     /* an unterminated message longer than this is an error */
};

void cdp_reader_init(struct cdp_reader *r, size_t max);
void cdp_reader_free(struct cdp_reader *r);
/* Append n bytes. -1 when the pending message would exceed r->max. */
int cdp_reader_feed(struct cdp_reader *r, const void *data, size_t n);
/*
 * The next complete message: 1 with *msg pointing at it (NUL-terminated,
 * valid until the next feed) and *len its length; 0 when none is complete.
 */
int cdp_reader_next(struct cdp_reader *r, const char **msg, size_t *len);

/* An event: its session ("" for the browser target), method and params. */
typedef void (*cdp_event_fn)(void *ud, const char *session, const char *method, json_t *params);

struct cdp {
	int wfd, rfd;         /* commands out, messages in; both non-blocking */
	struct cdp_reader rd;
	long next_id;
	cdp_event_fn on_event;
	void *ud;
	volatile sig_atomic_t *stop; /* may be NULL */
	long wait_id;         /* the id cdp_call() is waiting for, 0 when none */
	json_t *reply;        /* its response, once read */
	int closed;           /* the read side reached end of file */
	int interrupted;      /* a wait ended because *stop was set */
	int timed_out;        /* the last failure was a deadline */
	size_t bad_messages;  /* messages that were not JSON objects */
	int log_fd;           /* when >= 0, every byte read is copied here (a transcript) */
};

/*
 * Take over wfd and rfd (made non-blocking; closed by cdp_close). With
 * PERFAGENT_CDP_LOG set in the environment, every message read is also
 * appended to that file, NUL-separated as on the pipe: a transcript for
 * debugging and for the fuzz corpus.
 */
void cdp_init(struct cdp *c, int wfd, int rfd, volatile sig_atomic_t *stop);
void cdp_close(struct cdp *c);
void cdp_set_handler(struct cdp *c, cdp_event_fn fn, void *ud);

/*
 * Send method with params (an object, stolen; NULL for none) to session
 * (NULL for the browser) and wait up to timeout_s for its response.
 * 0 with *result set to a new reference to the response's "result" (when
 * result is not NULL); -1 with e set on an error response ("METHOD:
 * message"), a closed pipe, a timeout or an interrupt.
 */
int cdp_call(struct cdp *c, const char *session, const char *method, json_t *params, double timeout_s,
	     json_t **result, struct perr *e);

/*
 * Read and dispatch events until done(arg) returns nonzero (checked after
 * each batch of messages and at least every 100 ms) or timeout_s passes.
 * 1 when done, 0 on timeout, -1 with e set when the pipe closed or *stop
 * was set. done may be NULL: then this just pumps events for timeout_s.
 */
int cdp_wait(struct cdp *c, double timeout_s, int (*done)(void *arg), void *arg, struct perr *e);

/*
 * Handle one message as if it had just been read: a response to the call
 * being waited for is kept, other responses are dropped, an event goes to
 * the handler. Malformed messages are counted and skipped. Public so the
 * fuzz target can drive it without a browser.
 */
void cdp_dispatch(struct cdp *c, const char *msg, size_t len);

#endif
