/*
 * fuzz_sql: arbitrary bytes as a statement. Tokenizing (every dialect),
 * fingerprinting (twice: the fingerprint of a fingerprint must be as safe),
 * the query ID, the classifier and the column finder must never crash,
 * hang or leak, and must keep their promises: tokens are non-empty spans of
 * the input that move forward, a fingerprint is at most 2 * len + 32 bytes
 * and NUL-terminated, the classifier answers 0 or 1, and every name the
 * column finder returns lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sql/sqlclass.h"
#include "sql/sqlcols.h"
#include "sql/sqlfp.h"
#include "sql/sqltok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(const char *base, size_t size, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (s < base || s + len > base + size)
		abort();
}

static void check_tokens(const char *sql, size_t size, unsigned dialect)
{
	struct sqltok_iter it;
	struct sqltok t;
	const char *last = sql;
	sqltok_init(&it, sql, size, dialect);
	while (sqltok_next(&it, &t)) {
		if (t.len == 0 || t.s < last)
			abort();
		check_span(sql, size, t.s, t.len);
		last = t.s + t.len;
	}
	size_t n = 0;
	sqltok_init(&it, sql, size, dialect);
	while (sqltok_next_code(&it, &t)) {
		check_span(sql, size, t.s, t.len);
		if (++n > size + 1)
			abort(); /* more tokens than bytes: not moving forward */
		const char *s;
		size_t l;
		sqltok_name(&t, &s, &l);
		check_span(sql, size, s, l);
	}
}

static void check_fingerprint(const char *sql, size_t size, unsigned flags, struct buf *out)
{
	sqlfp_fingerprint_flags(sql, size, flags, out);
	if (out->len > 2 * size + 32 || (out->data && out->data[out->len] != '\0'))
		abort();
	char id[SQLFP_ID_LEN], full[SQLFP_ID_FULL_LEN];
	sqlfp_query_id(buf_str(out), out->len, id);
	sqlfp_query_id_full(buf_str(out), out->len, full);
	if (strlen(id) != 18 || strlen(full) != 34 || memcmp(id + 2, full + 18, 16) != 0)
		abort();
	/* again, on its own output */
	struct buf again = BUF_INIT;
	sqlfp_fingerprint_flags(buf_str(out), out->len, flags, &again);
	if (again.len > 2 * out->len + 32)
		abort();
	buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sql = (const char *)data;
	static const unsigned dialects[] = {
		SQLTOK_ANY, SQLTOK_MYSQL_DEFAULT, SQLTOK_MYSQL,
		SQLTOK_PG, SQLTOK_PG | SQLTOK_BACKSLASH,
	};
	for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++)
		check_tokens(sql, size, dialects[i]);

	struct buf out = BUF_INIT;
	check_fingerprint(sql, size, 0, &out);
	check_fingerprint(sql, size, SQLFP_PRESERVE_EMBEDDED_NUMBERS, &out);
	buf_free(&out);

	int w = sqlclass_is_write(sql, size);
	if (w != 0 && w != 1)
		abort();

	struct sqlcols *c = malloc(sizeof(*c));
	if (!c)
		return 0;
	sqlcols_extract(sql, size, SQLTOK_ANY, c);
	if (c->ntables > SQLCOLS_MAX_TABLES || c->nrefs > SQLCOLS_MAX_REFS)
		abort();
	for (size_t i = 0; i < c->ntables; i++) {
		check_span(sql, size, c->tables[i].schema.s, c->tables[i].schema.len);
		check_span(sql, size, c->tables[i].name.s, c->tables[i].name.len);
		check_span(sql, size, c->tables[i].alias.s, c->tables[i].alias.len);
	}
	for (size_t i = 0; i < c->nrefs; i++) {
		check_span(sql, size, c->refs[i].schema.s, c->refs[i].schema.len);
		check_span(sql, size, c->refs[i].table.s, c->refs[i].table.len);
		check_span(sql, size, c->refs[i].column.s, c->refs[i].column.len);
		if (c->refs[i].column.len == 0 || c->refs[i].role > SQLCOLS_GROUP)
			abort();
	}
	free(c);
	return 0;
}
