/*
 * catalog_int: what the three catalog readers share; not for other modules.
 */
#ifndef PA_DB_CATALOG_INT_H
#define PA_DB_CATALOG_INT_H

#include "catalog.h"

/* Run a catalog statement that must succeed; counts it in cat->queries. */
int dbc_query(struct db_conn *c, struct dbc_catalog *cat, const char *what, const char *sql,
	      struct db_rows *rows, struct perr *e);
/*
 * Run one that may fail (a view the server lacks, a privilege not
 * granted): 0 when it ran; 1 after noting why it did not; -1 only when the
 * connection is gone, with e set.
 */
int dbc_query_optional(struct db_conn *c, struct dbc_catalog *cat, const char *what, const char *sql,
		       struct db_rows *rows, struct perr *e);

/*
 * Catalog rows come one per key column, sorted by table and key: the end
 * of the run of rows from i whose columns 0 and 1 (table, key name) equal
 * row i's. i itself when either is NULL.
 */
size_t dbc_run_end(const struct db_rows *r, size_t i);
const char *dbc_str(struct dbc_catalog *cat, const char *s);
const char **dbc_split(struct dbc_catalog *cat, const char *s, size_t *n);
/* COUNT(*) of every table, 50 tables per UNION ALL statement. */
int dbc_count_exact(struct db_conn *c, struct dbc_catalog *cat, struct perr *e);
struct dbc_index *dbc_index_at(struct dbc_catalog *cat, const char *table, const char *name);
struct dbc_table *dbc_table_at(struct dbc_catalog *cat, const char *name);
void dbc_table_init(struct dbc_table *t);
void dbc_index_init(struct dbc_index *x);
void dbc_stmt_init(struct dbc_stmt *s);
/* A statement text with password literals replaced by '***' (a copy in cat's arena). */
const char *dbc_stmt_text(struct dbc_catalog *cat, const char *text);
/* 1 when a statement the server counted is one of perfagent's own catalog reads. */
int dbc_stmt_is_ours(const char *text);

#endif
