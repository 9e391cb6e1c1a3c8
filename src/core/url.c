/*
 * url: strict parsing of http(s) URLs.
 */
#include "url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void set_hostport(struct url *u)
{
	int deflt = strcmp(u->port, u->tls ? "443" : "80") == 0;
	int v6 = strchr(u->host, ':') != NULL;
	snprintf(u->hostport, sizeof(u->hostport), "%s%s%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "",
		 deflt ? "" : ":", deflt ? "" : u->port);
}

int url_parse(const char *s, struct url *u, struct perr *e)
{
	memset(u, 0, sizeof(*u));
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return perr_set(e, "URL '%s' contains a space or control character; encode it (%%20)", s);
	const char *p;
	if (strncasecmp(s, "http://", 7) == 0) {
		p = s + 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		p = s + 8;
		u->tls = 1;
	} else {
		return perr_set(e, "URL '%s' must start with http:// or https://", s);
	}
	size_t authlen = strcspn(p, "/?#");
	const char *at = memchr(p, '@', authlen);
	if (at)
		return perr_set(e, "URL '%s' has user:password@; pass credentials with -H 'Authorization: ...'", s);
	const char *hend;
	if (*p == '[') {
		const char *rb = memchr(p, ']', authlen);
		if (!rb || rb == p + 1)
			return perr_set(e, "URL '%s' has an unterminated IPv6 address", s);
		size_t hl = (size_t)(rb - p - 1);
		if (hl >= sizeof(u->host))
			return perr_set(e, "URL '%s': host too long", s);
		memcpy(u->host, p + 1, hl);
		for (size_t i = 0; i < hl; i++)
			if (!isxdigit((unsigned char)u->host[i]) && u->host[i] != ':' && u->host[i] != '.')
				return perr_set(e, "URL '%s' has an invalid IPv6 address", s);
		hend = rb + 1;
	} else {
		const char *colon = memchr(p, ':', authlen);
		hend = colon ? colon : p + authlen;
		size_t hl = (size_t)(hend - p);
		if (hl == 0)
			return perr_set(e, "URL '%s' has no host", s);
		if (hl >= sizeof(u->host))
			return perr_set(e, "URL '%s': host too long", s);
		for (size_t i = 0; i < hl; i++)
			if (!isalnum((unsigned char)p[i]) && !strchr("-._", p[i]))
				return perr_set(e, "URL '%s' has an invalid character in its host", s);
		memcpy(u->host, p, hl);
	}
	const char *rest = p + authlen;
	if (hend < rest) {
		if (*hend != ':')
			return perr_set(e, "URL '%s': unexpected text after the host", s);
		const char *ps = hend + 1;
		size_t pl = (size_t)(rest - ps);
		char *end;
		long port = pl ? strtol(ps, &end, 10) : 0;
		if (pl == 0 || pl > 5 || end != rest || port < 1 || port > 65535)
			return perr_set(e, "URL '%s' has an invalid port (1-65535)", s);
		snprintf(u->port, sizeof(u->port), "%ld", port);
	} else {
		snprintf(u->port, sizeof(u->port), "%s", u->tls ? "443" : "80");
	}
	size_t tl = strcspn(rest, "#");
	if (tl >= sizeof(u->target))
		return perr_set(e, "URL '%s': path and query over 4 KB", s);
	if (tl == 0 || rest[0] == '?') {
		u->target[0] = '/';
		memcpy(u->target + 1, rest, tl < sizeof(u->target) - 1 ? tl : sizeof(u->target) - 2);
	} else {
		memcpy(u->target, rest, tl);
	}
	set_hostport(u);
	return 0;
}

int url_with_target(const struct url *base, const char *path, struct url *out, struct perr *e)
{
	if (path[0] != '/')
		return perr_set(e, "path '%s' must start with '/'", path);
	if (strlen(path) >= sizeof(out->target))
		return perr_set(e, "path '%.40s...' is over 4 KB", path);
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return perr_set(e, "path '%s' contains a space or control character", path);
	*out = *base;
	snprintf(out->target, sizeof(out->target), "%s", path);
	return 0;
}
