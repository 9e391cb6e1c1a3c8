#!/usr/bin/env bash
# db_pg.sh: `perfagent db` and `perfagent explain` against a throwaway
# PostgreSQL 15 (scripts/postgres.sh, with pg_stat_statements and hypopg)
# loaded with the fixture and its workload: findings with their SQL fixes,
# pg_stat_statements and pg_stat_user_tables, index advice verified with
# hypopg, none on the clean schema, and bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../db_lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
SRV="$TMP/pg"
cleanup() {
	scripts/postgres.sh stop "$SRV" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

if ! port=$(scripts/postgres.sh start "$SRV" 2>"$TMP/start.err"); then
	not_ok "start a throwaway PostgreSQL" "$(tail -5 "$TMP/start.err")"
	done_testing
	exit 1
fi
ok "start a throwaway PostgreSQL on 127.0.0.1:$port"
tests/fixtures/db/load.sh pg "$SRV" && tests/fixtures/db/workload.sh pg "$SRV" &&
	ok "load the fixture and run its workload" || not_ok "load the fixture and run its workload"
shop="postgres://perfagent:secret@127.0.0.1:$port/shop"
clean="postgres://perfagent:secret@127.0.0.1:$port/clean"

db_common pg "$shop" "$clean"
f="$TMP/pg-shop.json"
if j "$f" '.findings[] | select(.rule == "n-plus-one") | .problem' | grep -q 'profile_id'; then
	ok "pg: the per-profile orders lookup is an N+1"
else not_ok "pg: the per-profile orders lookup is an N+1" "$(j "$f" '[.findings[] | select(.rule == "n-plus-one") | .problem]')"; fi
expect_solution "pg: the N+1 fix batches with IN" "$f" n-plus-one "" "IN (?, ?, ...)"
expect_finding "pg: profiles is read by sequential scans" "$f" full-table-scans profiles
expect_no_finding "pg: the 50-row groups table is not blamed for its scans" "$f" full-table-scans groups
if [ "$(j "$f" '.metrics.server.statement_statistics')" = true ] && [ "$(j "$f" '.metrics.statements | length')" -ge 4 ]; then
	ok "pg: statements from pg_stat_statements"
else not_ok "pg: statements from pg_stat_statements" "$(j "$f" '.metrics.server')"; fi
if ! j "$f" '.metrics.statements[].text' | grep -qiE 'pg_catalog|pg_stat|pg_class'; then
	ok "pg: perfagent's own catalog reads are not among the statements"
else not_ok "pg: perfagent's own catalog reads are not among the statements"; fi

explain_common pg "$shop" "postgres://postgres:secret@127.0.0.1:$port/shop"
f="$TMP/pg-ex-email.json"
if [ "$(j "$f" '[.metrics.advice[] | select(.kind == "create_index" and .verified == true and .cost_after < .cost_before)] | length')" -ge 1 ]; then
	ok "pg: hypopg verifies the CREATE INDEX: the planner's cost drops"
else not_ok "pg: hypopg verifies the CREATE INDEX" "$(j "$f" '.metrics.advice')"; fi
expect_solution "pg: LIKE '%x%' gets the trigram alternative" "$TMP/pg-ex-like.json" leading-wildcard-like profiles "gin_trgm_ops"
if [ "$(scripts/postgres.sh sql "$SRV" shop <<<'SELECT COUNT(*) FROM audit_log' | grep -E '^ *[0-9]+$' | tr -d ' ')" = 5000 ]; then
	ok "pg: --analyze --allow-write rolled the delete back"
else not_ok "pg: --analyze --allow-write rolled the delete back"; fi

run "$PERFAGENT" explain --no-progress --analyze "$shop" "SELECT * FROM profiles FOR UPDATE"
expect_err "pg: a locking read counts as a write for --analyze" 2 "--allow-write"

# Without --allow-write the session itself refuses writes, even for a superuser:
# a function that writes, called from a SELECT the classifier lets --analyze run.
scripts/postgres.sh sql "$SRV" shop >/dev/null <<'SQL'
CREATE FUNCTION log_it() RETURNS int LANGUAGE sql AS $$ INSERT INTO audit_log VALUES ('sneaky', now()) RETURNING 1 $$;
SQL
run "$PERFAGENT" explain --json --no-progress --analyze "postgres://postgres:secret@127.0.0.1:$port/shop" "SELECT log_it()"
if [ "$rc" = 3 ] && grep -q 'read-only transaction' "$TMP/err"; then ok "pg: the session refuses a write hidden in a function"; else
	not_ok "pg: the session refuses a write hidden in a function" "rc $rc: $(cat "$TMP/err")"; fi

# A password the server kept in a statement's text never reaches the output.
scripts/postgres.sh sql "$SRV" shop >/dev/null <<'SQL'
ALTER ROLE perfagent PASSWORD 'secret';
CREATE ROLE other_app LOGIN PASSWORD 'hunter22xyz';
SQL
run "$PERFAGENT" db --json --no-progress "$shop"
if jq -e '[.metrics.statements[].text | select(test("ROLE"))] | length >= 2' "$TMP/out" >/dev/null &&
	! grep -qE 'secret|hunter22xyz' "$TMP/out"; then
	ok "pg: passwords in kept statements are masked (the DSN's and a literal)"
else not_ok "pg: passwords in kept statements are masked" "$(grep -oE '.{40}(secret|hunter22xyz).{10}' "$TMP/out" | head -3)" \
	"$(jq -c '[.metrics.statements[].text]' "$TMP/out" | head -c 600)"; fi
run "$PERFAGENT" db --no-progress "$shop"
if ! grep -qE 'secret|hunter22xyz' "$TMP/out"; then ok "pg: and in the human output"; else not_ok "pg: and in the human output"; fi

# Odd names: a quoted mixed-case table and column, a schema of its own, an INCLUDE index,
# a pattern-ops index and a partitioned table. Nothing the audit proposes may fail or drop
# an index something needs.
scripts/postgres.sh sql "$SRV" shop >/dev/null <<'SQL'
CREATE SCHEMA sales;
CREATE TABLE sales."Order Items" (id int PRIMARY KEY, "ParentId" int REFERENCES groups(id), note text);
CREATE INDEX "IdxParent" ON sales."Order Items" ("ParentId");
CREATE INDEX oi_note ON sales."Order Items" (note);
CREATE INDEX oi_note_pat ON sales."Order Items" (note text_pattern_ops);
CREATE INDEX oi_cov ON sales."Order Items" ("ParentId") INCLUDE (note);
CREATE TABLE meas (ts date NOT NULL, v int) PARTITION BY RANGE (ts);
CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX meas_ts ON meas (ts);
GRANT USAGE ON SCHEMA sales TO perfagent;
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO perfagent;
SQL
run "$PERFAGENT" db --json --no-progress "$shop"
f="$TMP/pg-odd.json"
cp "$TMP/out" "$f"
if [ "$(jq '[.findings[] | select(.rule == "fk-without-index" and (.location.table | test("Order")))] | length' "$f")" = 0 ]; then
	ok "pg: a mixed-case foreign key column with its index is not reported unindexed"
else not_ok "pg: a mixed-case foreign key column with its index is not reported unindexed" "$(jq -c '[.findings[] | .title]' "$f")"; fi
if [ "$(jq '[.findings[] | select(.rule == "duplicate-index" and (.location.table | test("Order")))] | length' "$f")" = 0 ]; then
	ok "pg: INCLUDE and text_pattern_ops indexes are not duplicates of plain ones"
else not_ok "pg: INCLUDE and text_pattern_ops indexes are not duplicates" "$(jq -c '[.findings[] | select(.rule == "duplicate-index") | .title]' "$f")"; fi
if ! jq -r '.metrics.tables[].name' "$f" | grep -q 'meas_2024'; then ok "pg: partitions are audited through their parent"; else
	not_ok "pg: partitions are audited through their parent" "$(jq -c '[.metrics.tables[].name]' "$f")"; fi

# Bad input: each a clear line, exit 3, never the password.
run "$PERFAGENT" db --no-progress "postgres://perfagent:wrongpw@127.0.0.1:$port/shop"
expect_err "pg: a wrong password exits 3" 3 "password authentication failed"
if ! grep -q wrongpw "$TMP/err"; then ok "pg: the wrong password is not printed"; else not_ok "pg: the wrong password is not printed"; fi
start=$(date +%s)
run "$PERFAGENT" db --no-progress --connect-timeout 3 "postgres://perfagent:secret@127.0.0.1:1/shop"
expect_err "pg: an unreachable port exits 3" 3 "127.0.0.1"
[ $(($(date +%s) - start)) -le 5 ] && ok "pg: and fails within the connect timeout" || not_ok "pg: and fails within the connect timeout"
run "$PERFAGENT" db --no-progress "postgres://perfagent:secret@127.0.0.1:$port/nosuchdb"
expect_err "pg: an unknown database exits 3" 3 "nosuchdb"
run "$PERFAGENT" db --no-progress "postgress://perfagent:secret@127.0.0.1:$port/shop"
expect_err "pg: a misspelt scheme gets a did-you-mean" 3 "did you mean"

# A connection cut mid-audit: what was read is still reported, exit 3.
cut=$("$BUILD/tests/helpers/cutproxy" "$port" 9000 >"$TMP/cut.port" 2>/dev/null &
	for _ in $(seq 1 50); do [ -s "$TMP/cut.port" ] && break; sleep 0.05; done
	cat "$TMP/cut.port")
run "$PERFAGENT" db --json --no-progress "postgres://perfagent:secret@127.0.0.1:$cut/shop?sslmode=disable"
expect_rc "pg: a connection cut mid-audit exits 3" 3
if grep -q 'connection lost' "$TMP/err" && [ "$(j "$TMP/out" '.metrics.partial')" = true ] &&
	[ "$(j "$TMP/out" '.metrics.tables | length')" -ge 1 ]; then
	ok "pg: and reports the tables read before the cut, marked partial"
else not_ok "pg: and reports what was read before the cut" "stderr: $(cat "$TMP/err")" "$(j "$TMP/out" '.metrics | {partial, tables: (.tables | length)}')"; fi

done_testing
