/*
 * jsonx: small additions to jansson that every JSON writer here needs.
 */
#ifndef PA_JSONX_H
#define PA_JSONX_H

#include <jansson.h>
#include <stddef.h>

/*
 * A JSON string of s even when s is not valid UTF-8 (a log line in
 * Latin-1, a binary response): invalid bytes become U+FFFD instead of the
 * NULL json_string() returns. Never NULL.
 */
json_t *jsonx_string(const char *s);
json_t *jsonx_stringn(const char *s, size_t n);
/*
 * The length (1 to 4) of the valid UTF-8 sequence at p, with left bytes
 * available; 0 when it is invalid (overlong, a surrogate, past U+10FFFF,
 * cut short) or a NUL byte.
 */
size_t jsonx_utf8_seq(const unsigned char *p, size_t left);

/* Number lookups that tolerate absence: 0 and *ok = 0 when key is missing or not a number. */
double jsonx_number(const json_t *obj, const char *key, int *ok);

#endif
