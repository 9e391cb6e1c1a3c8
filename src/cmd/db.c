/*
 * db: `perfagent db`'s table entry and option table.
 * Status: not built yet (issue 5). Until it is, the command answers -h and
 * otherwise says so in one line and exits 2 (see src/main.c).
 */
#include "cmd.h"
#include "commands.h"

static const struct cli_opt db_opts[] = {
	{"exact", 0, CLI_FLAG, NULL, "count rows exactly instead of using estimates"},
	{"connect-timeout", 0, CLI_VALUE, "SECONDS", "give up connecting after SECONDS"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_db_spec = {
	.name = "db",
	.summary = "Live schema, index and statement audit of MySQL/MariaDB, PostgreSQL or SQLite.",
	.args = "DSN",
	.min_args = 1,
	.max_args = 1,
	.opts = db_opts,
	.description = "Table sizes, indexes (missing, duplicate, unused), foreign keys without an index,\n"
		"the server's statement statistics and settings, each with the SQL that fixes it.",
	.status = "not built yet (issue 5)",
};
