/*
 * explain: `perfagent explain DSN "SQL"` — the plan of one statement in the
 * dialect's richest form (MySQL/MariaDB FORMAT=JSON and ANALYZE, MySQL 8's
 * EXPLAIN ANALYZE tree, PostgreSQL ANALYZE/BUFFERS/JSON, SQLite EXPLAIN
 * QUERY PLAN), drawn as a tree and interpreted (src/db/plan*.c), with index
 * advice from the statement's columns checked against the existing indexes
 * and, where the database allows, against its planner (src/db/advise*.c).
 *
 * Safety: EXPLAIN alone never runs the statement. --analyze does, so it
 * is refused for anything that may write unless --allow-write, and then
 * the statement runs inside a transaction that is rolled back.
 */
#include "cmd.h"
#include "commands.h"
#include "../core/buf.h"
#include "../core/clock.h"
#include "../core/fsutil.h"
#include "../core/jsonx.h"
#include "../core/units.h"
#include "../db/advise.h"
#include "../db/audit.h"
#include "../db/catalog.h"
#include "../db/db.h"
#include "../db/plan.h"
#include "../sql/sqlclass.h"
#include "../sql/sqlcols.h"
#include "../sql/sqlfp.h"
#include "../sql/sqltok.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cli_opt explain_opts[] = {
	{"file", 0, CLI_VALUE, "FILE", "read the SQL from FILE ('-': standard input)"},
	{"analyze", 0, CLI_FLAG, NULL, "run EXPLAIN ANALYZE: executes the statement and measures it"},
	{"allow-write", 0, CLI_FLAG, NULL, "let --analyze run a statement that writes, inside a transaction rolled back"},
	{"no-verify", 0, CLI_FLAG, NULL, "do not check the index advice against the planner"},
	{"connect-timeout", 0, CLI_VALUE, "SECONDS", "give up connecting after SECONDS (default: 10)"},
	{NULL, 0, CLI_FLAG, NULL, NULL},
};

const struct cli_spec cmd_explain_spec = {
	.name = "explain",
	.summary = "The plan of one query, interpreted, with index advice.",
	.args = "DSN [SQL]",
	.min_args = 1,
	.max_args = 2,
	.opts = explain_opts,
	.description =
		"Runs the dialect's richest EXPLAIN (MySQL/MariaDB FORMAT=JSON, PostgreSQL FORMAT\n"
		"JSON with ANALYZE and BUFFERS, SQLite EXPLAIN QUERY PLAN), draws the plan as a\n"
		"tree and says what is slow in it: full scans, sorts and temporary tables, rows\n"
		"examined against returned, estimates far from actuals, sorts spilling to disk,\n"
		"nested loops over large inputs. Then proposes the index that would help, equality\n"
		"columns first, then range, then sort; skips one an existing index covers; and\n"
		"verifies it with hypopg (PostgreSQL) or on an in-memory copy of the schema\n"
		"(SQLite). The SQL comes as an argument or from --file.",
};

struct explain_run {
	struct cmd_ctx *ctx;
	struct db_conn *c;
	const char *sql;
	int analyze, in_tx;
	struct plan plan;
	int have_plan;
	double sqlite_exec_ms;
	long long sqlite_rows;
};

/* The SQL without surrounding space and trailing semicolons. */
static char *trim_sql(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	char *t = xstrdup(s);
	size_t n = strlen(t);
	while (n && (t[n - 1] == ';' || t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
		t[--n] = '\0';
	return t;
}

/* More than one statement in the text (a ';' outside quotes and comments)? */
static int several_statements(const char *sql)
{
	struct sqltok_iter it;
	struct sqltok t;
	sqltok_init(&it, sql, strlen(sql), SQLTOK_ANY);
	while (sqltok_next_code(&it, &t))
		if (t.len == 1 && t.s[0] == ';')
			return 1;
	return 0;
}

static int run_sql(struct explain_run *x, const char *sql, struct db_rows *rows, struct perr *e)
{
	struct perr qe;
	if (db_query(x->c, sql, rows, &qe) == 0)
		return 0;
	return perr_set(e, "%s", qe.msg);
}

/* Get the plan; on failure e holds the server's message (a syntax error, a missing table). */
static int get_plan(struct explain_run *x, struct perr *e)
{
	struct db_rows rows = {0};
	struct buf q = {0};
	int rc = -1;
	enum db_kind k = x->c->kind;
	if (k == DB_SQLITE) {
		buf_printf(&q, "EXPLAIN QUERY PLAN %s", x->sql);
		if (run_sql(x, buf_str(&q), &rows, e))
			goto out;
		/* A statement that reads no table (DELETE without WHERE is a truncate) has no plan rows. */
		if (rows.nrows == 0 ? plan_from_sqlite_eqp(NULL, NULL, NULL, 0, &x->plan, e)
				    : plan_from_sqlite_rows(&rows, &x->plan, e))
			goto out;
		if (x->analyze) { /* SQLite has no EXPLAIN ANALYZE: run it, step every row, time it */
			db_rows_free(&rows);
			int64_t t0 = clock_mono_ns();
			if (run_sql(x, x->sql, &rows, e)) {
				plan_free(&x->plan);
				goto out;
			}
			x->sqlite_exec_ms = clock_elapsed_s(t0, clock_mono_ns()) * 1000;
			x->sqlite_rows = (long long)rows.nrows;
			x->plan.execution_ms = x->sqlite_exec_ms;
		}
		rc = 0;
		goto out;
	}
	const char *text = NULL;
	if (k == DB_PG) {
		buf_printf(&q, "EXPLAIN (%sFORMAT JSON) %s", x->analyze ? "ANALYZE, BUFFERS, " : "", x->sql);
	} else if (!x->analyze) {
		buf_printf(&q, "EXPLAIN FORMAT=JSON %s", x->sql);
	} else if (x->c->is_mariadb) {
		buf_printf(&q, "ANALYZE FORMAT=JSON %s", x->sql);
	} else if (x->c->version_num >= 80018) {
		buf_printf(&q, "EXPLAIN ANALYZE %s", x->sql);
	} else {
		buf_printf(&q, "EXPLAIN FORMAT=JSON %s", x->sql);
		cmd_note(x->ctx, "MySQL %s has no EXPLAIN ANALYZE (8.0.18+); showing the estimated plan",
			 x->c->server_version);
		x->analyze = 0;
	}
	if (run_sql(x, buf_str(&q), &rows, e))
		goto out;
	/* The plan is one text cell; MySQL's tree may come as several rows of one column. */
	struct buf all = {0};
	for (size_t r = 0; r < rows.nrows; r++) {
		const char *cell = db_cell(&rows, r, 0);
		if (cell) {
			buf_puts(&all, cell);
			buf_putc(&all, '\n');
		}
	}
	text = buf_str(&all);
	rc = plan_parse(k, text, strlen(text), x->analyze, &x->plan, e);
	buf_free(&all);
out:
	x->have_plan = rc == 0;
	buf_free(&q);
	db_rows_free(&rows);
	return rc;
}

/*
 * A catalog table name as a plan names the relation: after the last '.'
 * outside double quotes, the quotes taken off and doubled ones undone
 * ("My Schema"."T" -> T, sales.orders -> orders).
 */
static const char *bare_name(struct arena *a, const char *name)
{
	const char *start = name;
	int inq = 0;
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			inq = !inq;
		else if (*p == '.' && !inq)
			start = p + 1;
	}
	size_t n = strlen(start);
	if (n < 2 || start[0] != '"' || start[n - 1] != '"')
		return start;
	char *out = arena_alloc(a, n), *o = out;
	for (size_t i = 1; i + 1 < n; i++) {
		*o++ = start[i];
		if (start[i] == '"' && start[i + 1] == '"')
			i++;
	}
	*o = '\0';
	return out;
}

static enum pa_severity advice_severity(const struct dbc_catalog *cat, const struct advice *a)
{
	const struct dbc_table *t = a->table ? dbc_table_find(cat, a->table) : NULL;
	double rows = t ? t->rows : -1;
	if (a->verified == 0)
		return PA_SEV_LOW;
	return rows >= 100000 ? PA_SEV_HIGH : rows >= 10000 ? PA_SEV_MEDIUM : PA_SEV_LOW;
}

static const struct advice *advice_for(const struct advice *adv, size_t n, const char *table, enum db_kind k)
{
	for (size_t i = 0; table && i < n; i++)
		if (adv[i].table && (adv[i].kind == ADVICE_CREATE_INDEX || adv[i].kind == ADVICE_NO_BTREE) &&
		    (k == DB_PG ? strcmp(adv[i].table, table) == 0 : strcasecmp(adv[i].table, table) == 0))
			return &adv[i];
	return NULL;
}

static const char *advice_solution(struct arena *a, const struct advice *adv)
{
	if (!adv->sql)
		return NULL;
	struct buf b = {0};
	buf_puts(&b, adv->sql);
	if (adv->kind == ADVICE_CREATE_INDEX && adv->verify_note)
		buf_printf(&b, "\n-- %s", adv->verify_note);
	else if (adv->kind == ADVICE_CREATE_INDEX && adv->verified < 0)
		buf_puts(&b, "\n-- not verified");
	if (adv->note)
		buf_printf(&b, "\n-- %s", adv->note);
	char *s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

static json_t *advice_json(const struct advice *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(advice_kind_name(a->kind)));
	if (a->table)
		json_object_set_new(o, "table", jsonx_string(a->table));
	json_t *cols = json_array();
	for (size_t i = 0; i < a->ncols; i++)
		json_array_append_new(cols, jsonx_string(a->cols[i]));
	json_object_set_new(o, "columns", cols);
	if (a->name)
		json_object_set_new(o, "name", jsonx_string(a->name));
	if (a->sql)
		json_object_set_new(o, "sql", jsonx_string(a->sql));
	if (a->reason)
		json_object_set_new(o, "reason", jsonx_string(a->reason));
	if (a->note)
		json_object_set_new(o, "note", jsonx_string(a->note));
	if (a->existing_index)
		json_object_set_new(o, "existing_index", jsonx_string(a->existing_index));
	if (a->kind == ADVICE_CREATE_INDEX) {
		json_object_set_new(o, "verified", a->verified < 0 ? json_null() : json_boolean(a->verified));
		if (a->cost_before >= 0)
			json_object_set_new(o, "cost_before", json_real(a->cost_before));
		if (a->cost_after >= 0)
			json_object_set_new(o, "cost_after", json_real(a->cost_after));
		if (a->verify_note)
			json_object_set_new(o, "verify_note", jsonx_string(a->verify_note));
	}
	return o;
}

static void human(const struct cmd_ctx *ctx, const struct pa_result *r, FILE *out)
{
	(void)ctx;
	const json_t *m = r->metrics, *tg = r->target;
	fprintf(out, "%s  (%s %s)\n", json_string_value(json_object_get(tg, "dsn")),
		json_string_value(json_object_get(tg, "kind")), json_string_value(json_object_get(tg, "server_version")));
	fprintf(out, "%s\n\n", json_string_value(json_object_get(tg, "sql")));
	const char *tree = json_string_value(json_object_get(m, "plan_text"));
	if (tree)
		fprintf(out, "Plan%s\n%s\n", json_is_true(json_object_get(m, "analyzed")) ? " (measured)" : " (estimated)",
			tree);
	fprintf(out, "Findings (%zu)\n", r->nfindings);
	for (int sev = PA_SEV_CRITICAL; sev >= PA_SEV_INFO; sev--)
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct pa_finding *f = r->findings[i];
			if ((int)f->severity != sev)
				continue;
			fprintf(out, "  %-8s %-22s %s\n", severity_name(f->severity), f->rule, f->title);
			for (const char *p = f->solution; p && *p;) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);
				fprintf(out, "  %8s %-22s %.*s\n", "", "", (int)len, p);
				p += len + (nl != NULL);
			}
		}
	if (!r->nfindings)
		fprintf(out, "  none\n");
	const json_t *adv = json_object_get(m, "advice");
	if (json_array_size(adv)) {
		fprintf(out, "\nIndex advice\n");
		for (size_t i = 0; i < json_array_size(adv); i++) {
			const json_t *a = json_array_get(adv, i);
			const char *kind = json_string_value(json_object_get(a, "kind"));
			const char *sql = json_string_value(json_object_get(a, "sql"));
			const char *reason = json_string_value(json_object_get(a, "reason"));
			const char *vn = json_string_value(json_object_get(a, "verify_note"));
			fprintf(out, "  - %s%s%s: %s\n", kind, json_object_get(a, "table") ? " on " : "",
				json_object_get(a, "table") ? json_string_value(json_object_get(a, "table")) : "",
				reason ? reason : "");
			if (sql)
				fprintf(out, "      %s\n", sql);
			if (vn)
				fprintf(out, "      %s\n", vn);
		}
	}
}

static int read_sql(struct cmd_ctx *ctx, char **out)
{
	const char *file = cli_str(&ctx->args, "file");
	if (file && ctx->args.npos > 1) {
		cmd_error(ctx, "give the SQL either as an argument or with --file, not both");
		return EXIT_USAGE;
	}
	if (!file && ctx->args.npos < 2) {
		cmd_error(ctx, "no SQL to explain: give it as the second argument or with --file FILE");
		return EXIT_USAGE;
	}
	if (!file) {
		*out = trim_sql(ctx->args.pos[1]);
		return 0;
	}
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!f) {
		cmd_error(ctx, "cannot read '%s': %s", file, strerror(errno));
		return EXIT_CANNOT_RUN;
	}
	size_t len;
	int too_big = 0;
	char *data = fs_read_stream(f, 16 << 20, &len, &too_big);
	if (f != stdin)
		fclose(f);
	if (!data) {
		cmd_error(ctx, "'%s': %s", file, too_big ? "over 16 MB; not one statement" : "read error");
		return EXIT_CANNOT_RUN;
	}
	if (memchr(data, '\0', len)) {
		free(data);
		cmd_error(ctx, "'%s': not a text file", file);
		return EXIT_CANNOT_RUN;
	}
	*out = trim_sql(data);
	free(data);
	return 0;
}

int cmd_explain(struct cmd_ctx *ctx)
{
	struct db_connect_opts co = {0};
	if (db_cmd_timeout(ctx, &co.connect_timeout_s))
		return EXIT_USAGE;
	char *sql = NULL;
	int rc = read_sql(ctx, &sql);
	if (rc)
		return rc;
	if (!*sql) {
		free(sql);
		cmd_error(ctx, "the SQL to explain is empty");
		return EXIT_USAGE;
	}
	if (several_statements(sql)) {
		free(sql);
		cmd_error(ctx, "one statement at a time: the SQL holds several (separated by ';')");
		return EXIT_USAGE;
	}
	int analyze = cli_count(&ctx->args, "analyze") > 0, allow = cli_count(&ctx->args, "allow-write") > 0;
	int is_write = sqlclass_is_write(sql, strlen(sql));
	if (analyze && is_write && !allow) {
		free(sql);
		cmd_error(ctx, "--analyze runs the statement and this one may write; add --allow-write to run it "
			       "inside a transaction that is rolled back, or drop --analyze");
		return EXIT_USAGE;
	}
	struct db_dsn dsn;
	struct perr e;
	if (db_dsn_parse(ctx->args.pos[0], &dsn, &e)) {
		free(sql);
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	co.writable = analyze && is_write && allow;
	int64_t t0 = clock_mono_ns();
	struct explain_run x = {.ctx = ctx, .sql = sql, .analyze = analyze};
	progress_update(&ctx->progress, "connecting to %s", dsn.safe);
	if (db_connect(&dsn, &co, &x.c, &e)) {
		progress_clear(&ctx->progress);
		free(sql);
		cmd_error(ctx, "%s", e.msg);
		return EXIT_CANNOT_RUN;
	}
	struct pa_result *r = result_new("explain");
	struct arena a = {0};
	json_object_set_new(r->target, "dsn", jsonx_string(dsn.safe));
	json_object_set_new(r->target, "kind", json_string(db_kind_name(dsn.kind)));
	json_object_set_new(r->target, "database", jsonx_string(x.c->dbname));
	json_object_set_new(r->target, "server_version", jsonx_string(x.c->server_version));
	json_object_set_new(r->target, "sql", jsonx_string(sql));
	struct buf fp = {0};
	sqlfp_fingerprint(sql, strlen(sql), &fp);
	char qid[SQLFP_ID_FULL_LEN];
	sqlfp_query_id_full(buf_str(&fp), fp.len, qid);
	buf_free(&fp);
	json_object_set_new(r->target, "query_id", json_string(qid));

	int failed = 0;
	progress_update(&ctx->progress, "reading the indexes of %s", dsn.safe);
	struct dbc_catalog cat;
	struct dbc_opts dopt = {.max_stmts = 1};
	if (dbc_read(x.c, &dopt, &cat, &e)) {
		cmd_error(ctx, "%s; index advice may be incomplete", e.msg);
		failed = 1;
	}
	/* --analyze of a write: inside a transaction rolled back afterwards. */
	if (co.writable) {
		struct perr te;
		const char *begin = x.c->kind == DB_MYSQL ? "START TRANSACTION" : "BEGIN";
		if (db_query(x.c, begin, NULL, &te)) {
			cmd_error(ctx, "starting the transaction to roll back: %s", te.msg);
			failed = 1;
			goto emit;
		}
		x.in_tx = 1;
		if (x.c->kind == DB_MYSQL)
			cmd_note(ctx, "the statement runs inside a transaction that is rolled back; "
				      "changes to non-transactional (MyISAM) tables cannot be undone");
	}
	progress_update(&ctx->progress, "%s", analyze ? "running EXPLAIN ANALYZE" : "running EXPLAIN");
	if (!failed && get_plan(&x, &e)) {
		cmd_error(ctx, "explaining the statement on '%s': %s", dsn.safe, e.msg);
		failed = 1;
	}
	if (x.in_tx) {
		struct perr te;
		if (db_query(x.c, "ROLLBACK", NULL, &te)) {
			cmd_error(ctx, "rolling back: %s", te.msg);
			failed = 1;
		}
	}
	if (x.have_plan) {
		unsigned dialect = dsn.kind == DB_MYSQL ? SQLTOK_MYSQL : dsn.kind == DB_PG ? SQLTOK_PG : SQLTOK_ANY;
		struct sqlcols cols;
		sqlcols_extract(sql, strlen(sql), dialect, &cols);
		for (size_t i = 0; i < cols.ntables; i++)
			if (cols.tables[i].alias.len && cols.tables[i].name.len) {
				char *al = arena_strndup(&a, cols.tables[i].alias.s, cols.tables[i].alias.len);
				char *tb = arena_strndup(&a, cols.tables[i].name.s, cols.tables[i].name.len);
				plan_set_alias(&x.plan, al, tb);
			}
		for (size_t i = 0; i < cat.ntables; i++)
			if (cat.tables[i].rows >= 0) {
				plan_set_table_rows(&x.plan, cat.tables[i].name, cat.tables[i].rows);
				/* Plans name a PostgreSQL table without its schema or quotes. */
				const char *b = bare_name(&a, cat.tables[i].name);
				if (strcmp(b, cat.tables[i].name) != 0)
					plan_set_table_rows(&x.plan, b, cat.tables[i].rows);
			}
	}
	/* Index advice, verified against the planner when it can be. */
	struct advice *adv = NULL;
	size_t nadv = 0;
	if (!failed || x.have_plan) {
		struct perr ae;
		if (advise(sql, dsn.kind, &cat, &a, &adv, &nadv, &ae))
			nadv = 0;
		else if (nadv && !cli_count(&ctx->args, "no-verify") && x.have_plan) {
			progress_update(&ctx->progress, "verifying the index advice");
			if (advise_verify(x.c, sql, adv, nadv, &a, &ae))
				cmd_note(ctx, "index advice not verified: %s", ae.msg);
		}
	}
	if (x.have_plan) {
		struct buf t = {0};
		plan_render(&x.plan, &t);
		json_object_set_new(r->metrics, "plan_text", jsonx_string(buf_str(&t)));
		buf_free(&t);
		json_object_set_new(r->metrics, "plan", plan_to_json(&x.plan));
		json_object_set_new(r->metrics, "analyzed", json_boolean(x.plan.analyzed || (analyze && dsn.kind == DB_SQLITE)));
		if (x.plan.execution_ms >= 0)
			json_object_set_new(r->metrics, "execution_ms", json_real(round(x.plan.execution_ms * 1000) / 1000));
		if (x.plan.planning_ms >= 0)
			json_object_set_new(r->metrics, "planning_ms", json_real(round(x.plan.planning_ms * 1000) / 1000));
		if (dsn.kind == DB_SQLITE && analyze)
			json_object_set_new(r->metrics, "rows_returned", json_integer(x.sqlite_rows));
		size_t total = plan_issues(&x.plan, NULL, 0);
		struct plan_issue *is = xcalloc(total + 1, sizeof *is);
		plan_issues(&x.plan, is, total);
		json_t *ij = json_array();
		for (size_t i = 0; i < total; i++) {
			json_array_append_new(ij, plan_issue_to_json(&is[i]));
			const char *rel = is[i].node ? is[i].node->relation : NULL;
			struct pa_finding *f = result_add_finding(r, is[i].rule, is[i].severity, is[i].message);
			f->location.query_id = result_str(r, qid);
			if (rel)
				f->location.table = result_str(r, rel);
			f->problem = result_str(r, sql);
			f->evidence = json_pack("{s:i}", "plan_node", is[i].node ? is[i].node->id : 0);
			if (is[i].node) {
				const struct plan_node *nd = is[i].node;
				if (nd->est_rows >= 0)
					json_object_set_new(f->evidence, "est_rows", json_real(nd->est_rows));
				if (nd->act_rows >= 0)
					json_object_set_new(f->evidence, "act_rows", json_real(nd->act_rows));
				if (nd->table_rows >= 0)
					json_object_set_new(f->evidence, "table_rows", json_real(nd->table_rows));
				if (nd->time_ms >= 0)
					json_object_set_new(f->evidence, "time_ms", json_real(round(nd->time_ms * 1000) / 1000));
			}
			const char *rule = is[i].rule;
			if (strcmp(rule, "bad-estimate") == 0 && rel) {
				/* Estimates far off: the fix is fresh statistics, not an index. */
				f->solution = result_str(
					r, dsn.kind == DB_MYSQL ? arena_printf(&a, "ANALYZE TABLE %s;", db_ident(&a, dsn.kind, rel))
					   : dsn.kind == DB_PG  ? arena_printf(&a, "ANALYZE %s;", rel)
								: "ANALYZE;");
			} else if (strcmp(rule, "sort-spill") == 0 && dsn.kind == DB_PG) {
				f->solution = result_str(r, "-- an index in the ORDER BY's order avoids the sort; or give this "
							    "query more sort memory:\nSET work_mem = '64MB'; -- per sort, per "
							    "connection: raise it for the query, not globally");
			} else {
				const struct advice *ad = advice_for(adv, nadv, rel, dsn.kind);
				if (ad)
					f->solution = result_str(r, advice_solution(&a, ad));
			}
			f->impact_score = is[i].node && is[i].node->table_rows > 0 ? is[i].node->table_rows : 0;
			f->has_impact_score = 1;
		}
		free(is);
		json_object_set_new(r->metrics, "issues", ij);
		/* The statement's measured time against the database budget. */
		enum pa_severity sev;
		if (x.plan.execution_ms >= 0 &&
		    budget_severity(&ctx->config.budgets.b[BUDGET_DATABASE_QUERY], x.plan.execution_ms, &sev)) {
			char ms[32];
			fmt_ms(x.plan.execution_ms, ms, sizeof ms);
			struct pa_finding *f = result_add_finding(r, "slow-query", sev,
								  arena_printf(&a, "The statement took %s to run", ms));
			f->location.query_id = result_str(r, qid);
			f->problem = result_str(r, sql);
			f->evidence = json_pack("{s:f}", "execution_ms", round(x.plan.execution_ms * 1000) / 1000);
			f->solution = result_str(r, "-- the issues and index advice above say where the time goes");
			f->impact_score = x.plan.execution_ms;
			f->has_impact_score = 1;
		}
	}
	/* Advice not attached to a plan issue becomes a finding of its own. */
	json_t *aj = json_array();
	for (size_t i = 0; i < nadv; i++) {
		const struct advice *ad = &adv[i];
		json_array_append_new(aj, advice_json(ad));
		if (ad->kind != ADVICE_CREATE_INDEX && ad->kind != ADVICE_NO_BTREE)
			continue;
		int attached = 0;
		for (size_t k = 0; k < r->nfindings; k++)
			if (r->findings[k]->location.table && ad->table &&
			    (dsn.kind == DB_PG ? strcmp(r->findings[k]->location.table, ad->table) == 0
					       : strcasecmp(r->findings[k]->location.table, ad->table) == 0) &&
			    advice_for(adv, nadv, ad->table, dsn.kind) == ad)
				attached = 1;
		if (ad->kind == ADVICE_NO_BTREE) {
			struct pa_finding *f = result_add_finding(
				r, "leading-wildcard-like", PA_SEV_MEDIUM,
				arena_printf(&a, "No B-tree index can serve the leading-wildcard search on %s.%s",
					     ad->table ? ad->table : "?", ad->ncols ? ad->cols[0] : "?"));
			f->location.query_id = result_str(r, qid);
			if (ad->table)
				f->location.table = result_str(r, ad->table);
			f->problem = result_str(r, ad->reason);
			f->solution = result_str(r, advice_solution(&a, ad));
			continue;
		}
		if (attached)
			continue;
		struct pa_finding *f = result_add_finding(
			r, "missing-index", advice_severity(&cat, ad),
			arena_printf(&a, "An index on %s (%s) would serve this statement", ad->table, ad->name ? ad->name : ""));
		f->location.query_id = result_str(r, qid);
		f->location.table = result_str(r, ad->table);
		f->problem = result_str(r, ad->reason);
		f->solution = result_str(r, advice_solution(&a, ad));
	}
	json_object_set_new(r->metrics, "advice", aj);
	json_object_set_new(r->metrics, "may_write", json_boolean(is_write));
	if (failed)
		json_object_set_new(r->metrics, "error", jsonx_string(e.msg));
emit:
	progress_clear(&ctx->progress);
	if (x.have_plan)
		plan_free(&x.plan);
	dbc_free(&cat);
	db_close(x.c);
	r->duration_s = clock_elapsed_s(t0, clock_mono_ns());
	rc = cmd_emit(ctx, r, human);
	result_free(r);
	arena_free(&a);
	free(sql);
	return failed && rc != EXIT_CANNOT_RUN ? EXIT_CANNOT_RUN : rc;
}
