/*
 * fuzz_redact: arbitrary bytes as a statement text a server kept. Masking
 * password literals (dbc_stmt_text) and a password (dbc_scrub) must never
 * crash, read or write out of bounds, or make the text longer, and the
 * masked password must not survive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/catalog.h"
#include "db/catalog_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct dbc_catalog cat = {0};
	const char *masked = dbc_stmt_text(&cat, text);
	if (strlen(masked) > strlen(text))
		abort();
	/* the first 3..8 bytes of the input (up to a NUL) play the password */
	char pw[9] = {0};
	size_t n = strlen(text) < 8 ? strlen(text) : 8;
	memcpy(pw, text, n);
	struct dbc_stmt s = {.text = masked};
	cat.stmts = &s;
	cat.nstmts = 1;
	dbc_scrub(&cat, pw);
	if (n >= 3 && strcmp(pw, "***") != 0 && strstr(s.text, pw))
		abort();
	arena_free(&cat.arena);
	free(text);
	return 0;
}
