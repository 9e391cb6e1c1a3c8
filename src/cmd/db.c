/*
 * db: `perfagent db DSN` — a live, read-only audit of a MySQL/MariaDB,
 * PostgreSQL or SQLite database: table sizes, indexes (missing, duplicate,
 * redundant, unused), foreign keys without an index, the server's
 * statement statistics and the settings worth a look, each finding with
 * the SQL that fixes it. The work is src/db/ (catalog*.c, audit*.c).
 */
#include "cmd.h"
#include "commands.h"
#include "../core/clock.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../db/audit.h"
#include "../db/catalog.h"
#include "../db/db.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_opt db_opts[] = {
	{"exact", 0, CLI_FLAG, NULL, "count rows exactly (COUNT(*), batched) instead of using estimates"},
	{"connect-timeout", 0, CLI_VALUE, "SECONDS", "give up connecting after SECONDS (default: 10)"},
	{"large-table", 0, CLI_VALUE, "ROWS", "call out tables with at least ROWS rows (default: 100000)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_db_spec = {
	.name = "db",
	.summary = "Live schema, index and statement audit of MySQL/MariaDB, PostgreSQL or SQLite.",
	.args = "DSN",
	.min_args = 1,
	.max_args = 1,
	.opts = db_opts,
	.description =
		"Table sizes, indexes (missing, duplicate, redundant, unused), foreign keys without an\n"
		"index, the server's statement statistics (performance_schema, pg_stat_statements)\n"
		"and settings, each finding with the SQL that fixes it. Read-only: a read-only\n"
		"session that issues only SELECT, SHOW and catalog reads.\n"
		"DSN: mysql://user[:password]@host[:port]/db, postgres://user@host/db (a libpq\n"
		"URI), sqlite:path.db. Passwords may come from MYSQL_PWD or PGPASSWORD instead.",
};

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	dba_print_human(r, out);
}

/* Parse --connect-timeout; 0 and an error printed on a bad value. */
int db_cmd_timeout(struct cmd_ctx *ctx, unsigned *out)
{
	const char *v = cli_str(&ctx->args, "connect-timeout");
	double s = 10;
	if (v && (unit_parse_seconds(v, &s) || s <= 0 || s > 3600)) {
		cmd_error(ctx, "--connect-timeout '%s': expected seconds between 1 and 3600", v);
		return -1;
	}
	*out = s < 1 ? 1 : (unsigned)(s + 0.5);
	return 0;
}

int cmd_db(struct cmd_ctx *ctx)
{
	struct db_connect_opts co = {0};
	if (db_cmd_timeout(ctx, &co.connect_timeout_s))
		return EXIT_USAGE;
	struct dba_opts ao;
	dba_opts_default(&ao, &ctx->config.budgets);
	const char *v = cli_str(&ctx->args, "large-table");
	long lr;
	if (v) {
		if (cmd_parse_long(v, 1, 1000000000000L, &lr)) {
			cmd_error(ctx, "--large-table '%s': expected a number of rows", v);
			return EXIT_USAGE;
		}
		ao.large_rows = (double)lr;
	}
	struct db_dsn dsn;
	struct perr e;
	if (db_dsn_parse(ctx->args.pos[0], &dsn, &e)) {
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	int64_t t0 = clock_mono_ns();
	progress_update(&ctx->progress, "connecting to %s", dsn.safe);
	struct db_conn *c;
	if (db_connect(&dsn, &co, &c, &e)) {
		progress_clear(&ctx->progress);
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	progress_update(&ctx->progress, "reading the catalog of %s", dsn.safe);
	struct dbc_opts o = {.exact = cli_count(&ctx->args, "exact") > 0};
	struct dbc_catalog cat;
	int failed = dbc_read(c, &o, &cat, &e);
	db_close(c);
	progress_clear(&ctx->progress);
	/* A statement the server kept may hold a password in the clear: never print it. */
	dbc_scrub(&cat, dsn.password);
	dbc_scrub(&cat, getenv("MYSQL_PWD"));
	dbc_scrub(&cat, getenv("PGPASSWORD"));
	if (failed)
		cmd_error(ctx, "%s; reporting what was read before", e.msg);
	struct pa_result *r = result_new("db");
	json_object_set_new(r->target, "dsn", jsonx_string(dsn.safe));
	json_object_set_new(r->target, "kind", json_string(db_kind_name(dsn.kind)));
	json_object_set_new(r->target, "database", jsonx_string(cat.dbname ? cat.dbname : ""));
	json_object_set_new(r->target, "server_version", jsonx_string(cat.server_version ? cat.server_version : ""));
	dba_audit(&cat, &ao, r);
	dba_metrics(&cat, r);
	if (failed)
		json_object_set_new(r->metrics, "error", jsonx_string(e.msg));
	dbc_free(&cat);
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	int rc = cmd_emit(ctx, r, human);
	result_free(r);
	return failed && rc != EXIT_CANNOT_RUN ? EXIT_CANNOT_RUN : rc;
}
