/*
 * sqlclass: is a statement certainly read-only?
 *
 * `perfagent digest` marks classes that write, and the MCP server's
 * read-only mode refuses to run anything that might. Both need the same
 * cautious answer: "read-only" only when every statement in the text is a
 * SELECT (without INTO or a locking clause), SHOW, EXPLAIN or DESCRIBE of
 * something it does not run, WITH ... SELECT, VALUES or TABLE; anything
 * else, anything unknown and anything that reads differently in MySQL and
 * PostgreSQL is a write. docs/fingerprints.md lists the rules.
 */
#ifndef PA_SQL_SQLCLASS_H
#define PA_SQL_SQLCLASS_H

#include <stddef.h>

/*
 * 0 only when the statement(s) in sql[0..len) are certainly read-only under
 * MySQL's and PostgreSQL's lexical rules alike (backslash escapes on or off),
 * 1 otherwise. Empty text (or only comments) is 0.
 */
int sqlclass_is_write(const char *sql, size_t len);

/* The same under one set of SQLTOK_* dialect flags only. */
int sqlclass_is_write_dialect(const char *sql, size_t len, unsigned dialect);

#endif
