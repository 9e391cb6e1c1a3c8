/*
 * fuzz_dsn: arbitrary bytes as a DSN. db_dsn_parse() must never crash,
 * hang or leak, must always leave `safe` NUL-terminated within its array
 * (also on error), must write a NUL-terminated error message on failure,
 * and — the promise that matters — when it parses a password of three
 * bytes or more, `safe` must not contain it. The one exception is a
 * password that is the mask itself ("***"), which cannot be hidden by it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dsn = malloc(size + 1);
	if (!dsn)
		return 0;
	memcpy(dsn, data, size);
	dsn[size] = '\0';

	struct db_dsn *d = malloc(sizeof(*d));
	struct perr e;
	if (!d) {
		free(dsn);
		return 0;
	}
	memset(&e, 0x55, sizeof(e));
	int rc = db_dsn_parse(dsn, d, &e);
	if (rc != 0 && rc != -1)
		abort();
	if (!memchr(d->safe, '\0', sizeof(d->safe)))
		abort();
	if (rc != 0 && !memchr(e.msg, '\0', sizeof(e.msg)))
		abort();
	if (rc == 0) {
		size_t pl = strnlen(d->password, sizeof(d->password));
		if (pl == sizeof(d->password))
			abort(); /* not NUL-terminated */
		if (d->has_password && pl >= 3 && strcmp(d->password, "***") != 0 && strstr(d->safe, d->password))
			abort();
		/* every text field NUL-terminated */
		if (!memchr(d->user, '\0', sizeof(d->user)) || !memchr(d->host, '\0', sizeof(d->host)) ||
		    !memchr(d->dbname, '\0', sizeof(d->dbname)) || !memchr(d->uri, '\0', sizeof(d->uri)) ||
		    !memchr(d->path, '\0', sizeof(d->path)) || !memchr(d->socket, '\0', sizeof(d->socket)))
			abort();
		if (d->kind == DB_MYSQL && d->port > 65535)
			abort();
	}
	free(d);
	free(dsn);
	return 0;
}
