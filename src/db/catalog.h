/*
 * catalog: what `perfagent db` knows about a database after reading its
 * catalog — tables with their sizes, indexes with their columns and use,
 * foreign keys, the server's statement statistics and the settings worth a
 * look — in one model for MySQL/MariaDB, PostgreSQL and SQLite, so the
 * audit rules (audit.c) and the index advisor (advise.c) are written once.
 *
 * Reading is batched: each kind of fact is one catalog query for the whole
 * database, never one query per table or per index (the audit must not
 * commit the N+1 it reports). A reader that fails part-way keeps what it
 * read; `partial` says so and `notes` says what is missing and why.
 *
 * Every string lives in the catalog's arena.
 */
#ifndef PA_DB_CATALOG_H
#define PA_DB_CATALOG_H

#include <stddef.h>

#include "db.h"

struct dbc_table {
	const char *name;
	double rows;            /* estimated (or exact when rows_exact); -1 unknown */
	int rows_exact;
	long long data_bytes;   /* -1 unknown */
	long long index_bytes;  /* -1 unknown */
	int has_pk;
	const char *engine;     /* MySQL: "InnoDB"...; NULL elsewhere */
	/*
	 * Reads: PostgreSQL pg_stat_user_tables (scans); MySQL performance_schema
	 * (rows fetched without an index / through one). -1 unknown.
	 */
	long long seq_scan, seq_tup_read, idx_scan;
	/* For the primary-key fix: a column named id, and an auto-increment / identity column; NULL: none. */
	const char *id_col;
	const char *auto_col;
	int partitioned; /* PostgreSQL partitioned table: a key must include the partition key */
};

struct dbc_index {
	const char *table;
	const char *name;
	const char **cols; /* in key order; an expression part is written "(expr)" */
	size_t ncols;
	int unique, primary;
	int partial;          /* PostgreSQL partial index (WHERE ...): not compared for redundancy */
	const char *method;   /* "btree", "hash", "gin", "fulltext", ...; NULL: btree */
	double cardinality;   /* distinct values of the full key, estimated; -1 unknown */
	long long bytes;      /* -1 unknown */
	int usage_known;      /* the server counts index use (performance_schema, pg_stat_user_indexes) */
	long long scans;      /* uses counted since the statistics were reset, when usage_known */
	int backs_constraint; /* PostgreSQL: the index enforces a constraint (PK, UNIQUE, EXCLUDE) */
	/*
	 * NULL for a plain index: default operator classes and collations,
	 * ascending, no INCLUDE columns, no predicate. Otherwise a text that
	 * tells two variants apart (PostgreSQL: its definition after USING);
	 * two indexes are duplicates only when their columns and variants are
	 * equal, and only plain ones are compared as left prefixes.
	 */
	const char *variant;
	const char *sql_name; /* the index name as SQL needs it (schema-qualified, quoted); NULL: name */
};

struct dbc_fk {
	const char *table;
	const char *name;
	const char **cols;
	size_t ncols;
	const char *ref_table;
	const char **ref_cols;
};

/* A statement class the server keeps statistics for. */
struct dbc_stmt {
	const char *query_id;  /* MySQL DIGEST, PostgreSQL queryid, as text */
	const char *text;      /* the normalized text the server keeps */
	long long calls;
	double total_ms, mean_ms, max_ms; /* -1 unknown */
	double rows_sent;      /* in all calls; -1 unknown */
	double rows_examined;  /* in all calls; -1 unknown (PostgreSQL: shared blocks read+hit) */
	long long no_index_used; /* MySQL SUM_NO_INDEX_USED + SUM_NO_GOOD_INDEX_USED; -1 unknown */
	long long tmp_disk_tables, sort_merge_passes; /* -1 unknown */
};

struct dbc_server {
	long long max_connections;      /* -1 unknown */
	long long connections_now;      /* Threads_connected / pg_stat_activity */
	long long max_used_connections; /* MySQL Max_used_connections; -1 elsewhere */
	long long buffer_bytes;         /* innodb_buffer_pool_size / shared_buffers; -1 unknown */
	const char *buffer_name;        /* "innodb_buffer_pool_size", "shared_buffers" */
	int slow_log;                   /* 1 on, 0 off, -1 unknown */
	double slow_log_threshold_ms;   /* long_query_time / log_min_duration_statement; -1 unknown/off */
	const char *slow_log_setting;   /* "slow_query_log", "log_min_duration_statement" */
	double uptime_s;                /* -1 unknown; counters of index use date from here */
	int stmt_source;                /* 1: statement statistics were read */
	int usage_source;               /* 1: index use is counted */
};

struct dbc_catalog {
	struct arena arena;
	enum db_kind kind;
	const char *dbname;
	const char *server_version;
	struct dbc_table *tables;
	size_t ntables;
	struct dbc_index *indexes;
	size_t nindexes;
	struct dbc_fk *fks;
	size_t nfks;
	struct dbc_stmt *stmts;
	size_t nstmts;
	struct dbc_server server;
	const char **notes; /* "statement statistics: performance_schema is off; start the server with ..." */
	size_t nnotes;
	int partial;        /* a read failed part-way; what was read is kept */
	int names_ci;       /* table names compare case-insensitively (MySQL lower_case_table_names > 0) */
	int queries;        /* catalog statements issued: stays small whatever the table count */
};

struct dbc_opts {
	int exact;            /* count rows with COUNT(*) (one UNION ALL statement per 50 tables) */
	size_t max_stmts;     /* statement classes kept, top by total time; 0: 50 */
};

/*
 * Read the catalog of the connection's database. Returns 0, or -1 with e
 * set when a read failed; what was read before is kept in cat (partial = 1)
 * and stays valid until dbc_free().
 */
int dbc_read(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e);
void dbc_free(struct dbc_catalog *cat);

/* The table named name (case-insensitive when names_ci), or NULL. */
const struct dbc_table *dbc_table_find(const struct dbc_catalog *cat, const char *name);
/*
 * Mask secret (a password: the DSN's, MYSQL_PWD, PGPASSWORD) wherever it
 * appears in the statement texts the server kept. Literals after PASSWORD
 * and IDENTIFIED BY are masked while reading already.
 */
void dbc_scrub(struct dbc_catalog *cat, const char *secret);

/* Append a note (copied). */
void dbc_note(struct dbc_catalog *cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The per-kind readers behind dbc_read(). */
int dbc_read_mysql(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e);
int dbc_read_pg(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e);
int dbc_read_sqlite(struct db_conn *c, const struct dbc_opts *o, struct dbc_catalog *cat, struct perr *e);

#endif
