/*
 * formats: one adapter per reader module, and the table of them.
 */
#include "formats.h"
#include "accesslog.h"
#include "genlog.h"
#include "pglog.h"
#include "slowlog.h"

static void slow_init(void *st, const char *buf, size_t len)
{
	slowlog_init(st, buf, len);
}

static int slow_next(void *st, struct dg_query *q)
{
	return slowlog_next(st, q);
}

static int64_t slow_garbled(const void *st)
{
	return ((const struct slowlog *)st)->garbled;
}

static void gen_init(void *st, const char *buf, size_t len)
{
	genlog_init(st, buf, len);
}

static int gen_next(void *st, struct dg_query *q)
{
	return genlog_next(st, q);
}

static int64_t gen_garbled(const void *st)
{
	return ((const struct genlog *)st)->garbled;
}

static void pg_init(void *st, const char *buf, size_t len)
{
	pglog_init(st, buf, len, DG_PG_STDERR);
}

static void pgcsv_init(void *st, const char *buf, size_t len)
{
	pglog_init(st, buf, len, DG_PG_CSV);
}

static void pg_fini(void *st)
{
	pglog_free(st);
}

static int pg_next(void *st, struct dg_query *q)
{
	return pglog_next(st, q);
}

static int64_t pg_garbled(const void *st)
{
	return ((const struct pglog *)st)->garbled;
}

static size_t pg_sync(const char *buf, size_t len, size_t from)
{
	return pglog_sync(buf, len, from, DG_PG_STDERR);
}

static size_t pgcsv_sync(const char *buf, size_t len, size_t from)
{
	return pglog_sync(buf, len, from, DG_PG_CSV);
}

static void acc_init(void *st, const char *buf, size_t len)
{
	accesslog_init(st, buf, len, DG_ACCESS);
}

static void slowlines_init(void *st, const char *buf, size_t len)
{
	accesslog_init(st, buf, len, DG_SLOW_LINES);
}

static int acc_next(void *st, struct dg_hit *h)
{
	return accesslog_next(st, h);
}

static int64_t acc_garbled(const void *st)
{
	return ((const struct accesslog *)st)->garbled;
}

static const struct fmt_ops table[] = {
	{DG_MYSQL_SLOW, sizeof(struct slowlog), slow_init, NULL, slow_next, NULL, slow_garbled, slowlog_sync},
	{DG_MYSQL_GENERAL, sizeof(struct genlog), gen_init, NULL, gen_next, NULL, gen_garbled, genlog_sync},
	{DG_PG_STDERR, sizeof(struct pglog), pg_init, pg_fini, pg_next, NULL, pg_garbled, pg_sync},
	{DG_PG_CSV, sizeof(struct pglog), pgcsv_init, pg_fini, pg_next, NULL, pg_garbled, pgcsv_sync},
	{DG_ACCESS, sizeof(struct accesslog), acc_init, NULL, NULL, acc_next, acc_garbled, accesslog_sync},
	{DG_SLOW_LINES, sizeof(struct accesslog), slowlines_init, NULL, NULL, acc_next, acc_garbled, accesslog_sync},
};

const struct fmt_ops *fmt_ops_for(enum dg_format f)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].fmt == f)
			return &table[i];
	return NULL;
}
