/*
 * url: the parts of an http:// or https:// URL a client needs — scheme,
 * host (IPv6 literals in brackets), port and the request target — checked
 * strictly, so a typo is an error at start-up and not a failed run.
 */
#ifndef PA_URL_H
#define PA_URL_H

#include "err.h"

struct url {
	int tls;         /* https */
	char host[256];  /* without brackets: "127.0.0.1", "::1", "example.test" */
	char port[8];    /* "80", "443" or as given */
	char target[4096]; /* path and query: "/profiles?page=2"; "/" when empty */
	char hostport[300]; /* for the Host header: "host:port", "[::1]:8080"; port left out when default */
};

/*
 * Parse u. Accepts http and https (case-insensitive), a host name, an IPv4
 * literal or a bracketed IPv6 literal, an optional port 1..65535, and an
 * optional target; a fragment is dropped. Refuses user:password@ (send an
 * Authorization header instead), spaces and control characters, and
 * targets over 4 KB. On error e names the URL and what is wrong.
 */
int url_parse(const char *u, struct url *out, struct perr *e);

/* out = base with its target replaced by path (which must start with '/'). */
int url_with_target(const struct url *base, const char *path, struct url *out, struct perr *e);

#endif
