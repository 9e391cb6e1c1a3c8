/*
 * sqlfp: statement fingerprints and query IDs, the same as pt-query-digest's.
 *
 * `perfagent digest` groups a query log into classes by fingerprint. Its
 * users put our report next to pt-query-digest's, so a class must hold the
 * same statements and carry the same ID there and here. The fingerprint is
 * therefore not a normalisation of our own but a re-implementation of
 * Percona Toolkit 3.2.1's QueryRewriter::fingerprint: the same rules, in the
 * same order, with the same odd corners (docs/fingerprints.md lists them).
 * Each of its regular expressions is done as a linear scan, so a statement
 * costs a few passes over its bytes and, once the caller's buffer has grown,
 * no allocation. Any bytes are accepted; the output is never longer than
 * 2 * len + 32 bytes.
 */
#ifndef PA_SQL_SQLFP_H
#define PA_SQL_SQLFP_H

#include <stddef.h>

#include "core/buf.h"

/*
 * Keep digits that are part of a word ("table_2", "md5sum"): pt-query-digest
 * --preserve-embedded-numbers, pt-fingerprint --match-embedded-numbers.
 * Without it, as in pt's default, every digit run becomes "?" ("table_?").
 */
#define SQLFP_PRESERVE_EMBEDDED_NUMBERS 0x1

/* Query IDs: "0x" + hex digits, upper case, NUL-terminated. */
#define SQLFP_ID_LEN 19       /* the last 16 hex digits of the MD5 */
#define SQLFP_ID_FULL_LEN 35  /* all 32 hex digits */

/* Append the fingerprint of sql[0..len) to out (reset first). */
void sqlfp_fingerprint(const char *sql, size_t len, struct buf *out);

/* The same with SQLFP_* flags. */
void sqlfp_fingerprint_flags(const char *sql, size_t len, unsigned flags, struct buf *out);

/*
 * pt-query-digest's query ID of a fingerprint: "0x" + the last 16 hex digits
 * of its MD5, upper case; out must hold 19 bytes. This is the ID of
 * pt-query-digest 2.x and early 3.0 releases, and the tail of the full one.
 */
void sqlfp_query_id(const char *fp, size_t len, char out[SQLFP_ID_LEN]);

/*
 * The ID as pt-query-digest 3.2.1 prints it ("ID 0x...", the Profile's
 * "Query ID", the JSON "checksum"): "0x" + all 32 hex digits of the MD5,
 * upper case; out must hold 35 bytes.
 */
void sqlfp_query_id_full(const char *fp, size_t len, char out[SQLFP_ID_FULL_LEN]);

#endif
