/*
 * sqlclass: read-only or write, by the first keyword and a scan for traps.
 *
 * The text is split into statements at ";" and each is judged by its
 * leading keyword (after comments, opening parentheses and, for MySQL, the
 * inside of executable comments). The few read-only kinds are then scanned
 * whole for what would make them write or lock: INTO, FOR UPDATE / FOR
 * SHARE, LOCK IN SHARE MODE, a data-modifying CTE, ":=" and built-in
 * functions with side effects (nextval, advisory locks, dblink ...).
 * Because a quote or a comment can hide a statement from one dialect and
 * not from the other, the whole judgement runs under each lexical variant
 * and any "write" wins.
 *
 * Known limit: a user-defined function called from a SELECT is assumed to
 * have no side effects; a read-only mode should also run its statements in
 * a read-only transaction or as a read-only user.
 */
#include "sql/sqlclass.h"

#include <string.h>

#include "sql/sqltok.h"

/* Tokens as the server runs them, with one token of look-ahead. */
struct rd {
	struct sqltok_iter it;
	struct sqltok ahead;
	int has_ahead;
};

static int rd_next(struct rd *r, struct sqltok *t)
{
	if (r->has_ahead) {
		*t = r->ahead;
		r->has_ahead = 0;
		return t->kind != SQLTOK_EOF;
	}
	return sqltok_next_code(&r->it, t);
}

static const struct sqltok *rd_peek(struct rd *r)
{
	if (!r->has_ahead) {
		sqltok_next_code(&r->it, &r->ahead);
		r->has_ahead = 1;
	}
	return &r->ahead;
}

static int is_punct(const struct sqltok *t, char c)
{
	return t->kind == SQLTOK_PUNCT && t->s[0] == c;
}

/* Consume the rest of the statement (through its ";"). */
static void skip_statement(struct rd *r)
{
	struct sqltok t;
	while (rd_next(r, &t) && !is_punct(&t, ';'))
		;
}

static int word_in(const struct sqltok *t, const char *const *list)
{
	for (; *list; list++)
		if (sqltok_is(t, *list))
			return 1;
	return 0;
}

static int word_has_prefix(const struct sqltok *t, const char *prefix)
{
	size_t n = strlen(prefix);
	if (t->kind != SQLTOK_WORD || t->len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->s[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != (unsigned char)prefix[i])
			return 0;
	}
	return 1;
}

/* Words that make a SELECT-like statement write or lock wherever they are. */
static const char *const write_words[] = {
	"into", "update", "delete", "merge", "truncate", "lock", "create", "alter", "drop",
	"rename", "grant", "revoke", NULL,
};

/* Built-in functions that change something, called as name(...). */
static const char *const write_functions[] = {
	"nextval", "setval", "get_lock", "release_lock", "release_all_locks", "sys_exec",
	"sys_eval", "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf",
	"pg_rotate_logfile", "pg_switch_wal", "pg_switch_xlog", "pg_create_restore_point",
	"pg_start_backup", "pg_stop_backup", "pg_backup_start", "pg_backup_stop", "pg_promote",
	"pg_drop_replication_slot", "pg_replication_slot_advance", "pg_logical_emit_message",
	"pg_logical_slot_get_changes", "pg_logical_slot_get_binary_changes", "pg_notify",
	"pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync",
	"pg_import_system_collations", "set_config", "lo_import", "lo_export", "lo_unlink",
	"lo_create", "lo_creat", "lo_put", "lo_from_bytea", "lo_truncate", "lowrite",
	"txid_current", "pg_current_xact_id", "query_to_xml", "query_to_xmlschema",
	"query_to_xml_and_xmlschema", NULL,
};

static const char *const write_function_prefixes[] = {
	"pg_advisory", "pg_try_advisory", "pg_create_", "pg_copy_", "pg_replication_origin_",
	"pg_stat_reset", "pg_stat_statements_reset", "pg_wal_replay_", "pg_xlog_replay_",
	"dblink", NULL,
};

/*
 * Is t, called as t(...), a built-in with side effects? A quoted name
 * ("nextval"(...), `get_lock`(...)) is the same function; a U&"..." name
 * could spell anything with its escapes, so it counts as one.
 */
static int is_write_function(const struct sqltok *t)
{
	if (t->kind == SQLTOK_DQUOTED && t->len > 1 && t->s[0] != '"')
		return 1; /* U&"..." */
	if (t->kind == SQLTOK_QIDENT || t->kind == SQLTOK_DQUOTED) {
		struct sqltok w = {SQLTOK_WORD, 0, NULL, 0};
		sqltok_name(t, &w.s, &w.len);
		return is_write_function(&w);
	}
	if (word_in(t, write_functions))
		return 1;
	for (const char *const *p = write_function_prefixes; *p; p++)
		if (word_has_prefix(t, *p))
			return 1;
	return 0;
}

/*
 * Scan the rest of a SELECT, WITH, VALUES or TABLE statement for anything
 * that writes or locks. Returns 1 at the first such token (the rest is
 * left unread: the answer is already "write"), 0 at the statement's end.
 */
static int scan_read_statement(struct rd *r)
{
	struct sqltok t;
	while (rd_next(r, &t)) {
		if (is_punct(&t, ';'))
			return 0;
		switch (t.kind) {
		case SQLTOK_WORD: {
			if (word_in(&t, write_words))
				return 1;
			const struct sqltok *n = rd_peek(r);
			int call = is_punct(n, '(');
			/* INSERT(str, ...) and REPLACE(str, ...) are MySQL string functions */
			if ((sqltok_is(&t, "insert") || sqltok_is(&t, "replace")) && !call)
				return 1;
			if (sqltok_is(&t, "for") && (sqltok_is(n, "share") || sqltok_is(n, "no") ||
						     sqltok_is(n, "key") || sqltok_is(n, "update")))
				return 1;
			if (call && is_write_function(&t))
				return 1;
			break;
		}
		case SQLTOK_QIDENT:
		case SQLTOK_DQUOTED:
			if (is_punct(rd_peek(r), '(') && is_write_function(&t))
				return 1;
			break;
		case SQLTOK_OP:
			if (t.len == 2 && t.s[0] == ':' && t.s[1] == '=')
				return 1; /* SELECT @v := ...: assigns, like SET */
			break;
		case SQLTOK_VCOMMENT:
			return 1; /* an executable comment nested in another: no telling */
		default:
			break;
		}
	}
	return 0;
}

static int classify(struct rd *r, struct sqltok *first);

/* Words that may stand between EXPLAIN and the statement it explains. */
static const char *const explain_words[] = {
	"analyze", "analyse", "verbose", "extended", "partitions", "format", "json", "tree",
	"traditional", "xml", "yaml", "text", "costs", "buffers", "timing", "summary", "settings",
	"wal", "generic_plan", "memory", "serialize", "true", "false", "on", "off", "none", "for",
	"connection", NULL,
};

/*
 * EXPLAIN / DESCRIBE / DESC: read-only, as they do not run the statement,
 * unless ANALYZE (or ANALYSE) asks them to: then the statement decides.
 */
static int explain(struct rd *r)
{
	struct sqltok t;
	int analyze = 0;
	while (rd_next(r, &t)) {
		if (is_punct(&t, ';'))
			return 0;
		if (sqltok_is(&t, "analyze") || sqltok_is(&t, "analyse")) {
			analyze = 1;
			continue;
		}
		if (t.kind == SQLTOK_WORD && !word_in(&t, explain_words)) {
			if (!analyze) {
				skip_statement(r);
				return 0;
			}
			return classify(r, &t);
		}
	}
	return 0;
}

/*
 * One statement, first its first token: 1 for write, 0 for read-only. The
 * statement's tokens are consumed through its ";" when the answer is 0.
 */
static int classify(struct rd *r, struct sqltok *first)
{
	struct sqltok t = *first;
	while (is_punct(&t, '(')) {
		if (!rd_next(r, &t))
			return 0;
	}
	if (is_punct(&t, ';') || t.kind == SQLTOK_EOF)
		return 0; /* an empty statement */
	if (sqltok_is(&t, "select") || sqltok_is(&t, "with") || sqltok_is(&t, "values") ||
	    sqltok_is(&t, "table"))
		return scan_read_statement(r);
	if (sqltok_is(&t, "show")) {
		skip_statement(r);
		return 0;
	}
	if (sqltok_is(&t, "explain") || sqltok_is(&t, "describe") || sqltok_is(&t, "desc"))
		return explain(r);
	return 1;
}

int sqlclass_is_write_dialect(const char *sql, size_t len, unsigned dialect)
{
	struct rd r;
	memset(&r, 0, sizeof(r));
	sqltok_init(&r.it, sql, len, dialect);
	struct sqltok t;
	while (rd_next(&r, &t)) {
		if (is_punct(&t, ';'))
			continue;
		if (classify(&r, &t))
			return 1;
	}
	return 0;
}

int sqlclass_is_write(const char *sql, size_t len)
{
	static const unsigned variants[] = {
		SQLTOK_MYSQL | SQLTOK_BACKSLASH, /* MySQL as installed */
		SQLTOK_MYSQL,                    /* MySQL with NO_BACKSLASH_ESCAPES */
		SQLTOK_PG,                       /* PostgreSQL, standard_conforming_strings on */
		SQLTOK_PG | SQLTOK_BACKSLASH,    /* ... and off */
	};
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (sqlclass_is_write_dialect(sql, len, variants[i]))
			return 1;
	return 0;
}
