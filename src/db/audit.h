/*
 * audit: the rules `perfagent db` applies to a database's catalog, each
 * finding with its severity, location {table|index|query_id}, evidence and
 * the exact SQL that fixes it, in the dialect of the database read:
 *
 *   large-table          rows or bytes over the --large-table threshold (info)
 *   no-index             a table without any index
 *   no-primary-key       a table without a primary key
 *   duplicate-index      two indexes on the same columns: DROP one
 *   redundant-index      an index that is a left prefix of another: DROP it
 *   unused-index         never used since the statistics began, while its table is read
 *   fk-without-index     a foreign key whose referencing columns lead no index
 *   full-table-scans     PostgreSQL: a large table read mostly by sequential scans
 *   slow-query           a statement class over the database budget on average
 *   full-scan-query      MySQL: a statement class that used no index
 *   rows-examined        a statement class that reads far more rows than it returns
 *   n-plus-one           a single-row lookup run hundreds of times: batch it
 *   connections-exhausted  connections in use (or the high-water mark) near the limit
 *   buffer-pool-small    the buffer pool / shared_buffers far smaller than the data
 *   slow-log-off         the slow query log is off (info: digest needs it)
 *
 * Thresholds live in struct dba_opts; docs/db.md lists them.
 */
#ifndef PA_DB_AUDIT_H
#define PA_DB_AUDIT_H

#include <stdio.h>

#include "../core/budget.h"
#include "../core/result.h"
#include "catalog.h"

struct dba_opts {
	const struct budgets *budgets;
	double large_rows;      /* a table at or over this many rows is large; default 100000 */
	long long large_bytes;  /* or this many bytes (data + indexes); default 1 GiB */
	long long nplus1_calls; /* a lookup run at least this often looks like an N+1; default 100 */
};

void dba_opts_default(struct dba_opts *o, const struct budgets *b);

/* Add the findings of every rule to r. */
void dba_audit(const struct dbc_catalog *cat, const struct dba_opts *o, struct pa_result *r);

/* The catalog as the result's metrics: tables, indexes, foreign keys, statements, server, notes. */
void dba_metrics(const struct dbc_catalog *cat, struct pa_result *r);

/* The human view of a db result (from its metrics and findings). */
void dba_print_human(const struct pa_result *r, FILE *out);

/* Bytes in the unit that suits them: "0 B", "4.0 KB", "176 KB", "12 MB". */
void dba_fmt_bytes(double bytes, char *out, size_t n);

/*
 * An index name for table and columns: idx_<table>_<col>..., characters
 * outside [a-z0-9_] made '_', at most 63 bytes (PostgreSQL's limit).
 */
char *dba_index_name(struct arena *a, const char *table, const char *const *cols, size_t ncols);

/* "CREATE INDEX name ON table (cols);" in kind's dialect. */
char *dba_create_index_sql(struct arena *a, enum db_kind kind, const char *table, const char *const *cols,
			   size_t ncols);

#endif
