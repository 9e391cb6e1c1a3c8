#!/usr/bin/env bash
# db_sqlite.sh: `perfagent db` and `perfagent explain` on SQLite files made
# from the fixture (tests/fixtures/db): findings with their SQL fixes on
# shop.db, none on clean.db, index advice verified on an in-memory copy of
# the schema, and bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../db_lib.sh"
cd "$TOP" || exit 1

tests/fixtures/db/load.sh sqlite "$TMP/db" || { not_ok "load the sqlite fixture"; done_testing; exit 1; }
shop="sqlite:$TMP/db/shop.db"
clean="sqlite:$TMP/db/clean.db"

db_common sqlite "$shop" "$clean"
explain_common sqlite "$shop" "$shop"

# The index advice is verified on a copy of the schema: SCAN becomes SEARCH.
f="$TMP/sqlite-ex-email.json"
if [ "$(j "$f" '[.metrics.advice[] | select(.kind == "create_index" and .verified == true)] | length')" -ge 1 ]; then
	ok "sqlite: the CREATE INDEX is verified on an in-memory copy of the schema"
else not_ok "sqlite: the CREATE INDEX is verified" "$(j "$f" '.metrics.advice')"; fi

# SQLite keeps no statement statistics: said once, as a note.
if j "$TMP/sqlite-shop.json" '.metrics.notes[]' | grep -q 'SQLite keeps none'; then ok "sqlite: the missing statistics are a note"; else
	not_ok "sqlite: the missing statistics are a note" "$(j "$TMP/sqlite-shop.json" '.metrics.notes')"; fi

# --exact counts rows.
run "$PERFAGENT" db --json --no-progress --exact "$shop"
if [ "$(j "$TMP/out" '.metrics.tables[] | select(.name == "profiles") | .rows')" = 200000 ] &&
	[ "$(j "$TMP/out" '.metrics.tables[] | select(.name == "profiles") | .rows_exact')" = true ]; then
	ok "sqlite: --exact counts 200000 profiles"
else not_ok "sqlite: --exact counts 200000 profiles" "$(j "$TMP/out" '.metrics.tables[0]')"; fi

# The file is never written: read-only by construction, and the delete above was rolled back.
if [ "$(sqlite3 "$TMP/db/shop.db" 'SELECT count(*) FROM audit_log')" = 5000 ]; then
	ok "sqlite: --analyze --allow-write rolled the delete back"
else not_ok "sqlite: --analyze --allow-write rolled the delete back"; fi

# Expression, collated and virtual tables: never called duplicates, never rebuilt.
sqlite3 "$TMP/odd.db" <<'SQL'
CREATE TABLE ex (id INTEGER PRIMARY KEY, a INT, b INT, name TEXT);
CREATE INDEX ex1 ON ex (a + b);
CREATE INDEX ex2 ON ex (a - b);
CREATE INDEX ex_name ON ex (name);
CREATE INDEX ex_name_nocase ON ex (name COLLATE NOCASE);
CREATE TABLE "log entries" (msg TEXT);
CREATE VIRTUAL TABLE docs USING fts5(body);
SQL
run "$PERFAGENT" db --json --no-progress "sqlite:$TMP/odd.db"
expect_rc "sqlite: a file with expression indexes and an FTS5 table" 0
if [ "$(count_findings "$TMP/out" duplicate-index)" = 0 ]; then ok "sqlite: different expressions and collations are not duplicates"; else
	not_ok "sqlite: different expressions and collations are not duplicates" "$(jq -c '[.findings[] | .title]' "$TMP/out")"; fi
if ! jq -r '.metrics.tables[].name' "$TMP/out" | grep -q '^docs'; then ok "sqlite: virtual tables and their shadow tables are left out"; else
	not_ok "sqlite: virtual tables and their shadow tables are left out" "$(jq -c '[.metrics.tables[].name]' "$TMP/out")"; fi
expect_solution "sqlite: the rebuild quotes a name with a space" "$TMP/out" no-primary-key "log entries" 'CREATE TABLE "log entries_new"'

# Bad input.
run "$PERFAGENT" db --no-progress "sqlite:$TMP/none.db"
expect_err "sqlite: a missing file exits 3" 3 "none.db"
if [ ! -e "$TMP/none.db" ]; then ok "sqlite: a missing file is not created"; else not_ok "sqlite: a missing file is not created"; fi
printf 'this is not a database, just text that goes on for a while...............' >"$TMP/junk.db"
run "$PERFAGENT" db --no-progress "sqlite:$TMP/junk.db"
expect_err "sqlite: a file that is not a database exits 3" 3 "junk.db"
run "$PERFAGENT" db --no-progress "sqlit:$TMP/db/shop.db"
expect_err "sqlite: a misspelt scheme gets a did-you-mean" 3 "did you mean"
run "$PERFAGENT" db --no-progress --connect-timeout x "$shop"
expect_err "sqlite: a bad --connect-timeout is a usage error" 2 "--connect-timeout"

done_testing
