/*
 * event: what a log reader hands the digest — one statement from a query
 * log, or one request from an access log. Readers fill these from memory
 * they own (or the mapped file); the pointers stay valid until the reader's
 * next call, so the digest copies what it keeps.
 */
#ifndef PA_DIGEST_EVENT_H
#define PA_DIGEST_EVENT_H

#include <stddef.h>
#include <stdint.h>

/* One statement from a MySQL slow or general log or a PostgreSQL log. */
struct dg_query {
	const char *sql;     /* the statement text, without "use db;" / "SET timestamp" lines or a final ';' */
	size_t sql_len;
	const char *db;      /* the schema in effect, or NULL */
	size_t db_len;
	const char *user;    /* or NULL */
	size_t user_len;
	const char *host;    /* client host, or NULL */
	size_t host_len;
	int64_t ts_us;       /* when it ran (end time as logged), µs since the epoch UTC; -1 unknown */
	uint64_t conn_id;    /* thread / connection / backend pid; 0 unknown */
	double query_time_s; /* < 0 unknown (general log) */
	double lock_time_s;  /* < 0 unknown */
	int64_t rows_sent;   /* < 0 unknown */
	int64_t rows_examined;
	int64_t bytes_sent;
	int admin;           /* an administrator command (# administrator command: Quit) */
};

/* One request from a web access log or an application's SLOW line. */
struct dg_hit {
	const char *method;  /* "GET"; NULL for SLOW lines */
	size_t method_len;
	const char *path;    /* the request target as logged, query string included */
	size_t path_len;
	int status;          /* 0 unknown */
	double duration_s;   /* < 0 unknown */
	int64_t ts_us;       /* -1 unknown */
	int64_t bytes;       /* response bytes, < 0 unknown */
};

/* Log formats, as detected or given with --type. */
enum dg_format {
	DG_UNKNOWN,
	DG_MYSQL_SLOW,
	DG_MYSQL_GENERAL,
	DG_PG_STDERR,   /* log_line_prefix + "duration: X ms  statement: ..." */
	DG_PG_CSV,      /* csvlog */
	DG_ACCESS,      /* nginx/Apache combined + request time, gunicorn */
	DG_SLOW_LINES,  /* the seed's middleware: "SLOW: /path took 0.62s" */
};

#endif
