#!/usr/bin/env bash
# db_mysql.sh: `perfagent db` and `perfagent explain` against a throwaway
# MariaDB (scripts/mariadb.sh) loaded with the fixture and its workload:
# findings with their SQL fixes, the statement statistics of
# performance_schema, none on the clean schema, and bad input — a wrong
# password, an unreachable port, a connection cut mid-audit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../db_lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
SRV="$TMP/mariadb"
cleanup() {
	scripts/mariadb.sh stop "$SRV" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

if ! port=$(scripts/mariadb.sh start "$SRV" 2>"$TMP/start.err"); then
	not_ok "start a throwaway MariaDB" "$(tail -5 "$TMP/start.err")"
	done_testing
	exit 1
fi
ok "start a throwaway MariaDB on 127.0.0.1:$port"
tests/fixtures/db/load.sh mysql "$SRV" && tests/fixtures/db/workload.sh mysql "$SRV" &&
	ok "load the fixture and run its workload" || not_ok "load the fixture and run its workload"
shop="mysql://perfagent:secret@127.0.0.1:$port/shop"
clean="mysql://perfagent:secret@127.0.0.1:$port/clean"

db_common mysql "$shop" "$clean"
f="$TMP/mysql-shop.json"
if [ "$(count_findings "$f" n-plus-one)" -ge 1 ] &&
	j "$f" '.findings[] | select(.rule == "n-plus-one") | .problem' | grep -q 'profile_id'; then
	ok "mysql: the per-profile orders lookup is an N+1"
else not_ok "mysql: the per-profile orders lookup is an N+1" "$(j "$f" '[.findings[] | select(.rule == "n-plus-one") | .problem]')"; fi
expect_solution "mysql: the N+1 fix batches with IN" "$f" n-plus-one "" "IN (?, ?, ...)"
if j "$f" '.findings[] | select(.rule == "full-scan-query") | .problem' | grep -qi 'LIKE'; then
	ok "mysql: the LIKE statement used no index (SUM_NO_INDEX_USED)"
else not_ok "mysql: the LIKE statement used no index" "$(j "$f" '[.findings[] | .rule]')"; fi
if [ "$(j "$f" '.metrics.server.statement_statistics')" = true ] && [ "$(j "$f" '.metrics.statements | length')" -ge 4 ]; then
	ok "mysql: statements from performance_schema"
else not_ok "mysql: statements from performance_schema" "$(j "$f" '.metrics.server')"; fi
if ! j "$f" '.metrics.statements[].text' | grep -qiE 'information_schema|performance_schema'; then
	ok "mysql: perfagent's own catalog reads are not among the statements"
else not_ok "mysql: perfagent's own catalog reads are not among the statements"; fi
if [ "$(j "$f" '.metrics.server.max_connections')" -gt 0 ] 2>/dev/null; then ok "mysql: connection limit read"; else
	not_ok "mysql: connection limit read" "$(j "$f" '.metrics.server')"; fi

scripts/mariadb.sh sql "$SRV" <<<"CREATE USER 'rw'@'127.0.0.1' IDENTIFIED BY 'rwpw'; GRANT ALL ON *.* TO 'rw'@'127.0.0.1';"
explain_common mysql "$shop" "mysql://rw:rwpw@127.0.0.1:$port/shop"
if [ "$(scripts/mariadb.sh sql "$SRV" shop <<<'SELECT COUNT(*) FROM audit_log' | tail -1)" = 5000 ]; then
	ok "mysql: --analyze --allow-write rolled the delete back"
else not_ok "mysql: --analyze --allow-write rolled the delete back"; fi
if [ "$(j "$TMP/mysql-ex-email.json" '.metrics.advice[] | select(.kind == "create_index") | .verified')" = null ]; then
	ok "mysql: advice is marked not verified (no hypothetical indexes)"
else not_ok "mysql: advice is marked not verified" "$(j "$TMP/mysql-ex-email.json" '.metrics.advice')"; fi

# The session is read-only even for an account that may write: a function that
# writes, called from a SELECT the classifier lets --analyze run, is refused by the server.
scripts/mariadb.sh sql "$SRV" shop <<'SQL'
DELIMITER //
CREATE FUNCTION log_it() RETURNS INT MODIFIES SQL DATA
BEGIN INSERT INTO audit_log VALUES ('sneaky', NOW()); RETURN 1; END //
DELIMITER ;
SQL
run "$PERFAGENT" explain --json --no-progress --analyze "mysql://rw:rwpw@127.0.0.1:$port/shop" "SELECT log_it()"
if [ "$rc" = 3 ] && grep -qi 'read only' "$TMP/err"; then ok "mysql: the session refuses a write hidden in a function"; else
	not_ok "mysql: the session refuses a write hidden in a function" "rc $rc: $(cat "$TMP/err")"; fi
if [ "$(scripts/mariadb.sh sql "$SRV" shop <<<'SELECT COUNT(*) FROM audit_log' | tail -1)" = 5000 ]; then
	ok "mysql: and nothing was written"
else not_ok "mysql: and nothing was written"; fi

# Bad input: each a clear line, exit 3, never the password.
run "$PERFAGENT" db --no-progress "mysql://perfagent:wrongpw@127.0.0.1:$port/shop"
expect_err "mysql: a wrong password exits 3" 3 "access denied for user"
if ! grep -q wrongpw "$TMP/err"; then ok "mysql: the wrong password is not printed"; else not_ok "mysql: the wrong password is not printed"; fi
start=$(date +%s)
run "$PERFAGENT" db --no-progress --connect-timeout 3 "mysql://perfagent:secret@127.0.0.1:1/shop"
expect_err "mysql: an unreachable port exits 3" 3 "127.0.0.1:1"
[ $(($(date +%s) - start)) -le 5 ] && ok "mysql: and fails within the connect timeout" || not_ok "mysql: and fails within the connect timeout"
run "$PERFAGENT" db --no-progress "mysql://perfagent:secret@127.0.0.1:$port/nosuchdb"
expect_err "mysql: an unknown database exits 3" 3 "nosuchdb"
run "$PERFAGENT" db --no-progress "mysql://perfagent:secret@127.0.0.1:$port/shop?sslmode=required"
expect_err "mysql: a misspelt DSN parameter gets a did-you-mean" 3 "did you mean"
run "$PERFAGENT" db --no-progress "mysql://perfagent:secret@127.0.0.1:99999/shop"
expect_err "mysql: a port out of range exits 3" 3 "99999"

# A connection cut mid-audit: what was read is still reported, exit 3.
cut=$("$BUILD/tests/helpers/cutproxy" "$port" 6000 >"$TMP/cut.port" 2>/dev/null &
	for _ in $(seq 1 50); do [ -s "$TMP/cut.port" ] && break; sleep 0.05; done
	cat "$TMP/cut.port")
run "$PERFAGENT" db --json --no-progress "mysql://perfagent:secret@127.0.0.1:$cut/shop"
expect_rc "mysql: a connection cut mid-audit exits 3" 3
if grep -q 'connection lost' "$TMP/err" && [ "$(j "$TMP/out" '.metrics.partial')" = true ] &&
	[ "$(j "$TMP/out" '.metrics.tables | length')" -ge 1 ]; then
	ok "mysql: and reports the tables read before the cut, marked partial"
else not_ok "mysql: and reports what was read before the cut" "stderr: $(cat "$TMP/err")" "$(j "$TMP/out" '.metrics | {partial, tables: (.tables | length)}')"; fi

done_testing
