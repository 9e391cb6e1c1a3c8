/*
 * db: the driver-independent half of the database layer — DSN parsing and
 * password masking, dispatch to the driver a DSN names, access to result
 * sets, and quoting of literals and identifiers.
 *
 * The masked DSN (`safe`) is computed first, from the raw text and by a
 * rule that errs on the side of hiding too much, so it is right whether or
 * not the DSN then parses: whatever might be a password never reaches a
 * message. Every parse error names the DSN through `safe` and never echoes
 * a host, port or user piece, which in a malformed DSN may be part of a
 * password.
 *
 * MySQL DSNs are parsed strictly, because we hand each part to the client
 * library. PostgreSQL URIs go to libpq verbatim (it parses them, with
 * every keyword it knows); here they are only read best-effort for the
 * parts messages need, and refused early in the two cases where libpq
 * would read a password differently from the way we mask it.
 */
#include "db/db.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/suggest.h"

#define NPOS ((size_t)-1)

const char *db_kind_name(enum db_kind k)
{
	switch (k) {
	case DB_MYSQL:
		return "mysql";
	case DB_PG:
		return "postgres";
	case DB_SQLITE:
		return "sqlite";
	}
	return "unknown";
}

/* ---- masking ---- */

/* The last occurrence of c in s[from, to), or NPOS. */
static size_t last_in(const char *s, size_t from, size_t to, char c)
{
	for (size_t i = to; i > from; i--)
		if (s[i - 1] == c)
			return i - 1;
	return NPOS;
}

/* The first occurrence of c in s[from, to), or NPOS. */
static size_t first_in(const char *s, size_t from, size_t to, char c)
{
	for (size_t i = from; i < to; i++)
		if (s[i] == c)
			return i;
	return NPOS;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * A query parameter name that may carry a secret ("password",
 * "sslpassword", "pwd"), judged case-insensitively and after
 * percent-decoding, as libpq decodes names ("p%61ssword" is "password").
 * A name too long to judge counts as one.
 */
static int secret_param(const char *name, size_t n)
{
	char low[128];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= sizeof(low))
			return 1;
		int c = (unsigned char)name[i];
		if (c == '%' && i + 2 < n && hexval(name[i + 1]) >= 0 && hexval(name[i + 2]) >= 0) {
			c = hexval(name[i + 1]) * 16 + hexval(name[i + 2]);
			i += 2;
		}
		low[o++] = (char)tolower(c);
	}
	low[o] = '\0';
	return strstr(low, "pass") != NULL || strstr(low, "pwd") != NULL;
}

/*
 * Where the authority of a DSN starts: after "scheme://", or after
 * "scheme:" for a DSN written without the slashes (then the whole
 * user-information part is masked, not only what follows a ':'). NPOS for
 * text without a scheme and for sqlite:PATH, which has no authority.
 */
static size_t authority_start(const char *s, int *whole)
{
	const char *colon = strchr(s, ':');
	*whole = 0;
	if (!colon)
		return NPOS;
	size_t c = (size_t)(colon - s);
	if (strncmp(colon, "://", 3) == 0)
		return c + 3;
	if (c == 6 && strncasecmp(s, "sqlite", 6) == 0)
		return NPOS;
	*whole = 1;
	return c + 1;
}

/*
 * Copy dsn into out (cap bytes) with every possible password replaced by
 * "***": the user-information password — up to the last '@' before the
 * query, or, when the query comes first (a '?' inside a password), up to
 * the last '@' of all — and the value of any query parameter whose name
 * suggests a secret. Too long a DSN is cut at a character boundary and
 * ends in "...". out is always NUL-terminated.
 */
static void mask_dsn(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s);
	int whole;
	size_t a = authority_start(s, &whole);
	size_t m0 = NPOS, m1 = NPOS, qs = NPOS;
	if (a != NPOS) {
		size_t q = a + strcspn(s + a, "?");
		size_t at = last_in(s, a, q, '@');
		if (at != NPOS) {
			size_t c = whole ? a - 1 : first_in(s, a, at, ':');
			if (c != NPOS) {
				m0 = c + 1;
				m1 = at;
			}
		} else if (q < n) {
			size_t at2 = last_in(s, q, n, '@');
			size_t aend = a + strcspn(s + a, "/?");
			size_t c = whole ? a - 1 : first_in(s, a, aend, ':');
			if (at2 != NPOS && c != NPOS) {
				m0 = c + 1;
				m1 = at2;
			}
		}
		qs = first_in(s, m1 != NPOS ? m1 : a, n, '?');
	}
	struct buf b = BUF_INIT;
	size_t i = 0;
	while (i < n) {
		if (i == m0) {
			buf_puts(&b, "***");
			i = m1;
			m0 = NPOS; /* an empty password: m1 == m0 */
			continue;
		}
		if (qs != NPOS && i > qs && (s[i - 1] == '?' || s[i - 1] == '&')) {
			/* a parameter starts here: copy its name, hide a secret value */
			size_t end = i + strcspn(s + i, "&");
			size_t eq = first_in(s, i, end, '=');
			if (eq != NPOS && secret_param(s + i, eq - i)) {
				buf_put(&b, s + i, eq + 1 - i);
				buf_puts(&b, "***");
				i = end;
				continue;
			}
		}
		buf_putc(&b, s[i]);
		i++;
	}
	const char *m = buf_str(&b);
	if (b.len < cap) {
		memcpy(out, m, b.len + 1);
	} else {
		size_t k = cap - 4;
		while (k > 0 && ((unsigned char)m[k] & 0xC0) == 0x80)
			k--; /* do not split a UTF-8 sequence */
		memcpy(out, m, k);
		memcpy(out + k, "...", 4);
	}
	buf_free(&b);
}

/*
 * The last line of defence: replace every occurrence of pw in s (a
 * NUL-terminated string) with "***". Only for pw of 3 bytes or more — a
 * shorter one would blank out ordinary text and is not a secret worth the
 * name — and never for "***" itself. A replacement never lengthens s, and
 * each round either shortens s or turns a byte into '*', so this ends.
 */
static void mask_word(char *s, const char *pw, size_t pwlen)
{
	if (pwlen < 3 || (pwlen == 3 && memcmp(pw, "***", 3) == 0))
		return;
	for (;;) {
		char *p = memmem(s, strlen(s), pw, pwlen);
		if (!p)
			return;
		memcpy(p, "***", 3);
		memmove(p + 3, p + pwlen, strlen(p + pwlen) + 1);
	}
}

/* ---- parsing ---- */

/*
 * Percent-decode s[0, n) into out (cap bytes, NUL-terminated). Returns 0;
 * -1 for a malformed escape or an encoded NUL; -2 when the result does
 * not fit. A '+' stays a '+': these are URIs, not form data.
 */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (o + 1 >= cap)
			return -2;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* Copy s[0, n) into out (cap bytes) verbatim; -2 when it does not fit. */
static int copy_part(const char *s, size_t n, char *out, size_t cap)
{
	if (n >= cap)
		return -2;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Turn a pct_decode/copy_part failure into a message about `what`. */
static int part_error(int rc, const struct db_dsn *d, const char *what, size_t cap, struct perr *e)
{
	if (rc == -2)
		return perr_set(e, "'%s': the %s is longer than %zu bytes", d->safe, what, cap - 1);
	return perr_set(e, "'%s': bad percent-encoding in the %s (write %%XX with two hex digits, not %%00)",
			d->safe, what);
}

/* A port 1..65535 from s[0, n); -1 when it is anything else. */
static long parse_port(const char *s, size_t n)
{
	if (n == 0 || n > 5)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

/* A host name or IPv4 literal: letters, digits, '.', '-', '_'. */
static int host_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return 0;
	}
	return 1;
}

/* An IPv6 literal as written inside brackets (hex, ':', '.', a "%zone"). */
static int ipv6_ok(const char *s, size_t n)
{
	if (n == 0 || !memchr(s, ':', n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isxdigit(c) && c != ':' && c != '.') {
			if (c == '%' && i > 0) /* zone id: fe80::1%eth0 */
				return host_ok(s + i + 1, n - i - 1) && i + 1 < n;
			return 0;
		}
	}
	return 1;
}

/*
 * host[:port] or [v6][:port] in s[0, n) into host (cap bytes) and *port
 * (0 when not given). Errors name the DSN only.
 */
static int parse_hostport(const char *s, size_t n, char *host, size_t cap, unsigned *port,
			  const struct db_dsn *d, struct perr *e)
{
	size_t hl, rest;
	const char *h;
	if (n > 0 && s[0] == '[') {
		size_t rb = first_in(s, 0, n, ']');
		if (rb == NPOS)
			return perr_set(e, "'%s': unterminated IPv6 address; write it as [::1]:port", d->safe);
		h = s + 1;
		hl = rb - 1;
		if (!ipv6_ok(h, hl))
			return perr_set(e, "'%s': the host in brackets is not an IPv6 address", d->safe);
		rest = rb + 1;
		if (rest < n && s[rest] != ':')
			return perr_set(e, "'%s': expected ':port' after the IPv6 address", d->safe);
	} else {
		size_t c = first_in(s, 0, n, ':');
		h = s;
		hl = c == NPOS ? n : c;
		rest = hl;
		if (c != NPOS && first_in(s, c + 1, n, ':') != NPOS)
			return perr_set(e, "'%s': an IPv6 address must be written in brackets: [::1]:port",
					d->safe);
		if (!host_ok(h, hl))
			return perr_set(e, "'%s': the host may hold only letters, digits, '.', '-' and '_' "
					   "(percent-encode special characters in the user and password)",
					d->safe);
	}
	if (copy_part(h, hl, host, cap) < 0)
		return perr_set(e, "'%s': the host is longer than %zu bytes", d->safe, cap - 1);
	*port = 0;
	if (rest < n) { /* s[rest] == ':' */
		long p = parse_port(s + rest + 1, n - rest - 1);
		if (p < 0)
			return perr_set(e, "'%s': the port must be a number from 1 to 65535", d->safe);
		*port = (unsigned)p;
	}
	return 0;
}

static const char *const mysql_params[] = {
	"ssl-mode", "ssl-ca", "ssl-cert", "ssl-key", "socket", "connect-timeout",
};
static const char *const ssl_modes[] = {
	"disabled", "preferred", "required", "verify-ca", "verify-identity",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A connect timeout in seconds, 1..86400, from a whole decimal number. */
static int parse_timeout(const char *v, unsigned *out)
{
	if (!*v || strlen(v) > 5)
		return -1;
	unsigned t = 0;
	for (const char *p = v; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		t = t * 10 + (unsigned)(*p - '0');
	}
	if (t < 1 || t > 86400)
		return -1;
	*out = t;
	return 0;
}

/* One mysql query parameter, name already normalized ('_' -> '-', lower case). */
static int mysql_param(struct db_dsn *d, const char *given, const char *name, const char *val,
		       struct perr *e)
{
	if (strcmp(name, "ssl-mode") == 0) {
		char low[32];
		size_t n = strlen(val);
		if (n >= sizeof(low))
			n = sizeof(low) - 1;
		for (size_t i = 0; i < n; i++)
			low[i] = (char)tolower((unsigned char)val[i]);
		low[n] = '\0';
		for (size_t i = 0; i < COUNT(ssl_modes); i++)
			if (strcmp(low, ssl_modes[i]) == 0 && strlen(val) == n) {
				snprintf(d->ssl_mode, sizeof(d->ssl_mode), "%s", ssl_modes[i]);
				return 0;
			}
		const char *s = suggest_closest(low, ssl_modes, COUNT(ssl_modes));
		if (s)
			return perr_set(e, "'%s': unknown ssl-mode '%.64s'; did you mean '%s'?", d->safe, val, s);
		return perr_set(e, "'%s': unknown ssl-mode '%.64s'; use disabled, preferred, required, "
				   "verify-ca or verify-identity",
				d->safe, val);
	}
	if (strcmp(name, "connect-timeout") == 0) {
		if (parse_timeout(val, &d->connect_timeout) < 0)
			return perr_set(e, "'%s': %s must be a whole number of seconds from 1 to 86400", d->safe,
					given);
		return 0;
	}
	char *dst = NULL;
	size_t cap = 0;
	if (strcmp(name, "ssl-ca") == 0) {
		dst = d->ssl_ca;
		cap = sizeof(d->ssl_ca);
	} else if (strcmp(name, "ssl-cert") == 0) {
		dst = d->ssl_cert;
		cap = sizeof(d->ssl_cert);
	} else if (strcmp(name, "ssl-key") == 0) {
		dst = d->ssl_key;
		cap = sizeof(d->ssl_key);
	} else if (strcmp(name, "socket") == 0) {
		dst = d->socket;
		cap = sizeof(d->socket);
	}
	if (!dst) {
		/* A name with other characters is more likely the tail of a
		 * password holding an unencoded '?': do not repeat it. */
		if (given[strspn(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")])
			return perr_set(e, "'%s': a parameter name holds special characters (percent-encode a '?' "
					   "in the password as %%3F)",
					d->safe);
		const char *s = suggest_closest(name, mysql_params, COUNT(mysql_params));
		if (s)
			return perr_set(e, "'%s': unknown parameter '%.64s'; did you mean '%s'?", d->safe, given, s);
		return perr_set(e, "'%s': unknown parameter '%.64s'; known: ssl-mode, ssl-ca, ssl-cert, ssl-key, "
				   "socket, connect-timeout",
				d->safe, given);
	}
	if (strlen(val) >= cap)
		return perr_set(e, "'%s': the value of %s is longer than %zu bytes", d->safe, given, cap - 1);
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

/* The mysql query string s[0, n) (after the '?'). */
static int mysql_query_params(struct db_dsn *d, const char *s, size_t n, struct perr *e)
{
	size_t i = 0;
	while (i < n) {
		size_t end = i + strcspn(s + i, "&");
		if (end > n)
			end = n;
		if (end == i) { /* "&&" or a trailing '&' */
			i++;
			continue;
		}
		char given[64], name[64], val[4096];
		size_t eq = first_in(s, i, end, '=');
		size_t nl = (eq == NPOS ? end : eq) - i;
		snprintf(given, sizeof(given), "%.*s", (int)(nl < 63 ? nl : 63), s + i);
		for (size_t k = 0; k <= strlen(given); k++)
			name[k] = given[k] == '_' ? '-' : (char)tolower((unsigned char)given[k]);
		if (eq == NPOS || eq + 1 == end) {
			int known = 0;
			for (size_t k = 0; k < COUNT(mysql_params); k++)
				known |= strcmp(name, mysql_params[k]) == 0;
			if (!known) /* an unknown name is the better message */
				return mysql_param(d, given, name, "", e);
			return perr_set(e, "'%s': parameter '%s' needs a value (%s=...)", d->safe, given, given);
		}
		int rc = pct_decode(s + eq + 1, end - eq - 1, val, sizeof(val));
		if (rc < 0)
			return part_error(rc, d, "parameter value", sizeof(val), e);
		if (mysql_param(d, given, name, val, e) < 0)
			return -1;
		i = end + 1;
	}
	return 0;
}

/*
 * mysql://[user[:password]@][host][:port][/db][?params] from the authority
 * start a. The user information ends at the last '@' before the query, so
 * a password may hold '/', '#', ':' and '@' unencoded (base64 passwords
 * do); '?' in a password must be written %3F.
 */
static int parse_mysql(const char *s, size_t a, struct db_dsn *d, struct perr *e)
{
	size_t n = strlen(s);
	size_t q = a + strcspn(s + a, "?");
	size_t at = last_in(s, a, q, '@');
	size_t h = a;
	int rc;
	if (at != NPOS) {
		size_t c = first_in(s, a, at, ':');
		size_t ue = c == NPOS ? at : c;
		if (first_in(s, a, ue, '/') != NPOS)
			return perr_set(e, "'%s': the user name holds a '/'; percent-encode '/' and '@' in names "
					   "(%%2F, %%40)",
					d->safe);
		if ((rc = pct_decode(s + a, ue - a, d->user, sizeof(d->user))) < 0)
			return part_error(rc, d, "user name", sizeof(d->user), e);
		if (c != NPOS) {
			d->has_password = 1;
			rc = pct_decode(s + c + 1, at - c - 1, d->password, sizeof(d->password));
			/* hide the raw and the decoded form wherever else they appear */
			char raw[sizeof(d->password)];
			if (copy_part(s + c + 1, at - c - 1, raw, sizeof(raw)) == 0)
				mask_word(d->safe, raw, strlen(raw));
			if (rc < 0) {
				d->password[0] = '\0';
				return part_error(rc, d, "password", sizeof(d->password), e);
			}
			mask_word(d->safe, d->password, strlen(d->password));
		}
		h = at + 1;
	}
	size_t he = h + strcspn(s + h, "/?");
	if (he > q)
		he = q;
	if (he > h && parse_hostport(s + h, he - h, d->host, sizeof(d->host), &d->port, d, e) < 0)
		return -1;
	if (he < q) { /* s[he] == '/' */
		size_t ds = he + 1;
		if (first_in(s, ds, q, '/') != NPOS)
			return perr_set(e, "'%s': the database name holds a '/'; the path is just /dbname", d->safe);
		if ((rc = pct_decode(s + ds, q - ds, d->dbname, sizeof(d->dbname))) < 0)
			return part_error(rc, d, "database name", sizeof(d->dbname), e);
	}
	if (q < n && mysql_query_params(d, s + q + 1, n - q - 1, e) < 0)
		return -1;
	if (strcmp(d->ssl_mode, "verify-ca") == 0 && !d->ssl_ca[0])
		return perr_set(e, "'%s': ssl-mode=verify-ca needs ssl-ca=FILE, the CA that signed the server's "
				   "certificate",
				d->safe);
	if (strcmp(d->ssl_mode, "disabled") == 0 && (d->ssl_ca[0] || d->ssl_cert[0] || d->ssl_key[0]))
		return perr_set(e, "'%s': ssl-mode=disabled contradicts ssl-ca/ssl-cert/ssl-key; drop one", d->safe);
	if (!d->host[0])
		snprintf(d->host, sizeof(d->host), "%s", d->socket[0] ? "localhost" : "127.0.0.1");
	return 0;
}

/* Best-effort: decode s[0, n) into out, or leave out as it was. */
static void try_decode(const char *s, size_t n, char *out, size_t cap)
{
	char tmp[4096];
	if (cap > sizeof(tmp))
		cap = sizeof(tmp);
	if (pct_decode(s, n, tmp, cap) == 0)
		memcpy(out, tmp, strlen(tmp) + 1);
}

/* One postgres query parameter (best-effort; libpq checks them all). */
static void pg_param(struct db_dsn *d, const char *s, size_t n, struct perr *e, int *err)
{
	size_t eq = first_in(s, 0, n, '=');
	if (eq == NPOS)
		return;
	char key[32] = "";
	try_decode(s, eq, key, sizeof(key)); /* libpq decodes names too */
	const char *v = s + eq + 1;
	size_t vl = n - eq - 1;
	if (strcmp(key, "user") == 0) {
		try_decode(v, vl, d->user, sizeof(d->user));
	} else if (strcmp(key, "password") == 0) {
		char raw[sizeof(d->password)];
		if (copy_part(v, vl, raw, sizeof(raw)) == 0) {
			memcpy(d->password, raw, strlen(raw) + 1);
			mask_word(d->safe, raw, strlen(raw));
		}
		try_decode(v, vl, d->password, sizeof(d->password));
		d->has_password = 1;
		mask_word(d->safe, d->password, strlen(d->password));
	} else if (strcmp(key, "host") == 0) {
		try_decode(v, vl, d->host, sizeof(d->host));
	} else if (strcmp(key, "dbname") == 0) {
		try_decode(v, vl, d->dbname, sizeof(d->dbname));
	} else if (strcmp(key, "port") == 0) {
		long p = parse_port(v, vl);
		if (p > 0)
			d->port = (unsigned)p;
	} else if (strcmp(key, "connect_timeout") == 0) {
		char t[16];
		if (copy_part(v, vl, t, sizeof(t)) == 0 && parse_timeout(t, &d->connect_timeout) < 0 && !*err) {
			*err = perr_set(e, "'%s': connect_timeout must be a whole number of seconds from 1 to 86400",
					d->safe);
		}
	}
}

/*
 * postgres[ql]://[user[:password]@][host[:port][,...]][/db][?params]: kept
 * verbatim in d->uri; the rest filled best-effort for messages. Refused
 * here: a user information part that libpq would end elsewhere than we
 * mask ('/' or '@' unencoded in it), and a port that is not a number
 * (libpq's message would quote it, and it might be a piece of a password).
 */
static int parse_pg(const char *s, size_t a, struct db_dsn *d, struct perr *e)
{
	size_t n = strlen(s);
	if (copy_part(s, n, d->uri, sizeof(d->uri)) < 0)
		return perr_set(e, "'%s': longer than %zu bytes", d->safe, sizeof(d->uri) - 1);
	size_t q = a + strcspn(s + a, "?");
	size_t at = last_in(s, a, q, '@');
	size_t lp = a + strcspn(s + a, "@/"); /* where libpq ends the user information */
	size_t lat = s[lp] == '@' ? lp : NPOS;
	size_t ui = at != NPOS ? at : lat;
	if (ui != NPOS) {
		size_t c = first_in(s, a, ui, ':');
		size_t ue = c == NPOS ? ui : c;
		try_decode(s + a, ue - a, d->user, sizeof(d->user));
		if (c != NPOS) {
			d->has_password = 1;
			char raw[sizeof(d->password)];
			if (copy_part(s + c + 1, ui - c - 1, raw, sizeof(raw)) == 0) {
				memcpy(d->password, raw, strlen(raw) + 1);
				mask_word(d->safe, raw, strlen(raw));
			}
			try_decode(s + c + 1, ui - c - 1, d->password, sizeof(d->password));
			mask_word(d->safe, d->password, strlen(d->password));
		}
	}
	if (at != NPOS && lat != at)
		return perr_set(e, "'%s': percent-encode '/' and '@' in the user name, password and database name "
				   "(%%2F, %%40)",
				d->safe);
	size_t h = ui != NPOS ? ui + 1 : a;
	size_t he = h + strcspn(s + h, "/?");
	/* hosts: h1[:p1],h2[:p2],...; the first one is what messages name */
	for (size_t i = h; i < he;) {
		size_t ce = first_in(s, i, he, ',');
		if (ce == NPOS)
			ce = he;
		size_t pc = NPOS;
		if (s[i] == '[') {
			size_t rb = first_in(s, i, ce, ']');
			if (rb != NPOS && rb + 1 < ce && s[rb + 1] == ':')
				pc = rb + 1;
			if (i == h && rb != NPOS)
				try_decode(s + i + 1, rb - i - 1, d->host, sizeof(d->host));
		} else {
			pc = last_in(s, i, ce, ':');
			if (i == h)
				try_decode(s + i, (pc == NPOS ? ce : pc) - i, d->host, sizeof(d->host));
		}
		if (pc != NPOS) {
			long p = parse_port(s + pc + 1, ce - pc - 1);
			if (p < 0 && ce > pc + 1)
				return perr_set(e, "'%s': the port must be a number from 1 to 65535", d->safe);
			if (i == h && p > 0)
				d->port = (unsigned)p;
		}
		i = ce + 1;
	}
	if (he < q && s[he] == '/')
		try_decode(s + he + 1, q - he - 1, d->dbname, sizeof(d->dbname));
	int err = 0;
	for (size_t i = q + 1; i < n;) {
		size_t end = i + strcspn(s + i, "&");
		pg_param(d, s + i, end - i, e, &err);
		i = end + 1;
	}
	return err;
}

/* sqlite:PATH, sqlite:///abs/path, sqlite::memory: (r: the text after "sqlite:"). */
static int parse_sqlite(const char *r, struct db_dsn *d, struct perr *e)
{
	const char *path = r;
	if (strncmp(r, "//", 2) == 0) {
		if (r[2] != '/')
			return perr_set(e, "'%s': write sqlite:relative/path.db or sqlite:///absolute/path.db",
					d->safe);
		path = r + 2;
	}
	if (!*path)
		return perr_set(e, "'%s': no file named; write sqlite:path.db", d->safe);
	if (copy_part(path, strlen(path), d->path, sizeof(d->path)) < 0)
		return perr_set(e, "'%s': the path is longer than %zu bytes", d->safe, sizeof(d->path) - 1);
	return 0;
}

/* A file name someone might have meant as an SQLite DSN. */
static int looks_like_db_file(const char *s)
{
	const char *dot = strrchr(s, '.');
	return dot && (strcasecmp(dot, ".db") == 0 || strcasecmp(dot, ".sqlite") == 0 ||
		       strcasecmp(dot, ".sqlite3") == 0 || strcasecmp(dot, ".db3") == 0);
}

int db_dsn_parse(const char *dsn, struct db_dsn *d, struct perr *e)
{
	memset(d, 0, sizeof(*d));
	if (!dsn || !*dsn)
		return perr_set(e, "no DSN given; write mysql://user@host/db, postgres://user@host/db or sqlite:path.db");
	mask_dsn(dsn, d->safe, sizeof(d->safe));
	for (const char *p = dsn; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return perr_set(e, "'%s': contains a control character", d->safe);
	static const char *const schemes[] = {"mysql", "mariadb", "postgres", "postgresql", "sqlite"};
	const char *colon = strchr(dsn, ':');
	size_t sl = colon ? (size_t)(colon - dsn) : 0;
	int scheme_ok = sl > 0 && sl <= 32 && isalpha((unsigned char)dsn[0]);
	for (size_t i = 1; scheme_ok && i < sl; i++)
		if (!isalnum((unsigned char)dsn[i]) && !strchr("+.-", dsn[i]))
			scheme_ok = 0;
	if (!scheme_ok) {
		if (!colon && looks_like_db_file(dsn) && strlen(dsn) < 900)
			return perr_set(e, "'%s' is not a DSN; did you mean 'sqlite:%s'?", d->safe, d->safe);
		return perr_set(e, "'%s' is not a DSN; write mysql://user@host/db, postgres://user@host/db or "
				   "sqlite:path.db",
				d->safe);
	}
	char scheme[33];
	for (size_t i = 0; i < sl; i++)
		scheme[i] = (char)tolower((unsigned char)dsn[i]);
	scheme[sl] = '\0';
	int slashes = strncmp(colon, "://", 3) == 0;
	size_t a = sl + 3;
	if (strcmp(scheme, "mysql") == 0 || strcmp(scheme, "mariadb") == 0) {
		d->kind = DB_MYSQL;
		if (!slashes)
			return perr_set(e, "'%s': write %s://user@host[:port]/db", d->safe, scheme);
		return parse_mysql(dsn, a, d, e);
	}
	if (strcmp(scheme, "postgres") == 0 || strcmp(scheme, "postgresql") == 0) {
		d->kind = DB_PG;
		if (!slashes)
			return perr_set(e, "'%s': write %s://user@host[:port]/db", d->safe, scheme);
		return parse_pg(dsn, a, d, e);
	}
	if (strcmp(scheme, "sqlite") == 0) {
		d->kind = DB_SQLITE;
		if (strcmp(colon + 1, ":memory:") == 0) {
			snprintf(d->path, sizeof(d->path), ":memory:");
			return 0;
		}
		return parse_sqlite(colon + 1, d, e);
	}
	const char *s = suggest_closest(scheme, schemes, COUNT(schemes));
	if (s)
		return perr_set(e, "'%s': unknown scheme '%s'; did you mean '%s'?", d->safe, scheme, s);
	return perr_set(e, "'%s': unknown scheme '%s'; use mysql://, mariadb://, postgres://, postgresql:// or "
			   "sqlite:",
			d->safe, scheme);
}

/* ---- connections ---- */

int db_connect(const struct db_dsn *d, const struct db_connect_opts *o, struct db_conn **out, struct perr *e)
{
	*out = NULL;
	static const struct db_connect_opts defaults = {0, 0, 0};
	if (!o)
		o = &defaults;
	const struct db_driver *drv;
	switch (d->kind) {
	case DB_MYSQL:
		drv = &db_mysql_driver;
		break;
	case DB_PG:
		drv = &db_pg_driver;
		break;
	case DB_SQLITE:
		drv = &db_sqlite_driver;
		break;
	default:
		return perr_set(e, "'%s': unknown kind of database", d->safe);
	}
	return drv->connect(d, o, out, e);
}

int db_query(struct db_conn *c, const char *sql, struct db_rows *rows, struct perr *e)
{
	if (rows)
		memset(rows, 0, sizeof(*rows));
	if (!c)
		return perr_set(e, "not connected");
	if (!sql)
		sql = "";
	return c->drv->query(c, sql, rows, e);
}

void db_close(struct db_conn *c)
{
	if (c)
		c->drv->close(c);
}

void db_rows_free(struct db_rows *r)
{
	if (!r)
		return;
	arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}

/* ---- result access ---- */

const char *db_cell(const struct db_rows *r, size_t row, size_t col)
{
	if (!r || !r->cells || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

int db_col(const struct db_rows *r, const char *name)
{
	if (!r || !r->names || !name)
		return -1;
	for (size_t i = 0; i < r->ncols && i < (size_t)0x7fffffff; i++)
		if (r->names[i] && strcasecmp(r->names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *db_get(const struct db_rows *r, size_t row, const char *name)
{
	int c = db_col(r, name);
	return c < 0 ? NULL : db_cell(r, row, (size_t)c);
}

/*
 * A finite number filling the whole cell (surrounding spaces allowed), as
 * servers print DECIMAL, FLOAT and integer columns; -1 otherwise.
 */
static int cell_double(const char *s, double *v)
{
	if (!s)
		return -1;
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(x))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*v = x;
	return 0;
}

double db_getd(const struct db_rows *r, size_t row, const char *name, double dflt)
{
	double v;
	return cell_double(db_get(r, row, name), &v) == 0 ? v : dflt;
}

/*
 * An integer cell; a decimal one ("1234.0000", what MySQL's SUM gives) is
 * truncated toward zero when it fits in a long long.
 */
long long db_getll(const struct db_rows *r, size_t row, const char *name, long long dflt)
{
	const char *s = db_get(r, row, name);
	if (!s)
		return dflt;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end != s && errno == 0) {
		while (isspace((unsigned char)*end))
			end++;
		if (!*end)
			return v;
	}
	double d;
	if (cell_double(s, &d) == 0 && d > -9.2e18 && d < 9.2e18)
		return (long long)d;
	return dflt;
}

/* ---- quoting ---- */

char *db_quote(struct arena *a, enum db_kind kind, const char *s)
{
	if (!s)
		return arena_strdup(a, "NULL");
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += (*p == '\'' || (*p == '\\' && kind == DB_MYSQL)) ? 2 : 1;
	char *out = arena_alloc(a, n + 1), *o = out;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'' || (*p == '\\' && kind == DB_MYSQL))
			*o++ = *p;
		*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* Words at least one of the three dialects reserves; sorted for bsearch. */
static const char *const reserved[] = {
	"accessible", "add", "all", "alter", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asensitive", "asymmetric", "authorization", "before", "between", "binary", "blob", "both", "by",
	"call", "cascade", "case", "cast", "change", "char", "character", "check", "collate", "collation",
	"column", "concurrently", "condition", "constraint", "continue", "convert", "create", "cross",
	"cube", "cume_dist", "current_catalog", "current_date", "current_role", "current_schema",
	"current_time", "current_timestamp", "current_user", "cursor", "database", "databases",
	"day_hour", "day_microsecond", "day_minute", "day_second", "dec", "decimal", "declare", "default",
	"deferrable", "delayed", "delete", "dense_rank", "desc", "describe", "deterministic", "distinct",
	"distinctrow", "div", "do", "double", "drop", "dual", "each", "else", "elseif", "empty",
	"enclosed", "end", "escaped", "except", "exists", "exit", "explain", "false", "fetch",
	"first_value", "float", "float4", "float8", "for", "force", "foreign", "freeze", "from", "full",
	"fulltext", "function", "generated", "get", "grant", "group", "grouping", "groups", "having",
	"high_priority", "hour_microsecond", "hour_minute", "hour_second", "if", "ignore", "ilike", "in",
	"index", "initially", "inner", "inout", "insensitive", "insert", "int", "int1", "int2", "int3",
	"int4", "int8", "integer", "intersect", "interval", "into", "is", "isnull", "iterate", "join",
	"json_table", "key", "keys", "kill", "lag", "last_value", "lateral", "lead", "leading", "leave",
	"left", "like", "limit", "linear", "lines", "load", "localtime", "localtimestamp", "lock", "long",
	"longblob", "longtext", "loop", "low_priority", "master_bind", "master_ssl_verify_server_cert",
	"match", "maxvalue", "mediumblob", "mediumint", "mediumtext", "member", "middleint",
	"minute_microsecond", "minute_second", "mod", "modifies", "natural", "no_write_to_binlog", "not",
	"notnull", "nth_value", "ntile", "null", "numeric", "of", "offset", "on", "only", "optimize",
	"optimizer_costs", "option", "optionally", "or", "order", "out", "outer", "outfile", "over",
	"partition", "percent_rank", "placing", "precision", "primary", "procedure", "purge", "range",
	"rank", "read", "reads", "real", "recursive", "references", "regexp", "release", "rename",
	"repeat", "replace", "require", "resignal", "restrict", "return", "returning", "revoke", "right",
	"rlike", "row", "row_number", "rows", "schema", "schemas", "second_microsecond", "select",
	"sensitive", "separator", "session_user", "set", "show", "signal", "similar", "smallint", "some",
	"spatial", "sql", "sql_big_result", "sql_calc_found_rows", "sql_small_result", "sqlexception",
	"sqlstate", "sqlwarning", "ssl", "starting", "stored", "straight_join", "symmetric", "system",
	"table", "tablesample", "terminated", "then", "tinyblob", "tinyint", "tinytext", "to", "trailing",
	"trigger", "true", "undo", "union", "unique", "unlock", "unsigned", "update", "usage", "use",
	"user", "using", "utc_date", "utc_time", "utc_timestamp", "values", "varbinary", "varchar",
	"varcharacter", "variadic", "varying", "verbose", "virtual", "when", "where", "while", "window",
	"with", "write", "xor", "year_month", "zerofill",
};

static int cmp_word(const void *k, const void *m)
{
	return strcmp((const char *)k, *(const char *const *)m);
}

/* Whether s can stand unquoted: [a-z_][a-z0-9_$]* and not reserved. */
static int plain_ident(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (const char *p = s + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
			return 0;
	return bsearch(s, reserved, COUNT(reserved), sizeof(reserved[0]), cmp_word) == NULL;
}

char *db_ident(struct arena *a, enum db_kind kind, const char *s)
{
	if (!s)
		s = "";
	if (plain_ident(s))
		return arena_strdup(a, s);
	char q = kind == DB_MYSQL ? '`' : '"';
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == q ? 2 : 1;
	char *out = arena_alloc(a, n + 1), *o = out;
	*o++ = q;
	for (const char *p = s; *p; p++) {
		if (*p == q)
			*o++ = q;
		*o++ = *p;
	}
	*o++ = q;
	*o = '\0';
	return out;
}

void db_scrub(char *s, const char *pw)
{
	if (s && pw)
		mask_word(s, pw, strlen(pw));
}
