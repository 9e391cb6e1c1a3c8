#!/usr/bin/env bash
# db_audit.sh: how long `perfagent db` takes to audit the fixture database
# (tests/fixtures/db) on each server, and, on MariaDB, side by side with
# pt-duplicate-key-checker (Debian's percona-toolkit), which answers one of
# the audit's questions (duplicate and left-prefix indexes) on its own.
#
# Checks first that perfagent proposes dropping every index
# pt-duplicate-key-checker would drop (a fast wrong answer fails). Then reports the median wall time of RUNS runs of each,
# the ratio, and perfagent's catalog statement count (which must not grow
# with the number of tables). Goal (issue 5): an audit under one second on
# each server.
#
# Starts a throwaway MariaDB and PostgreSQL on loopback (scripts/) and stops
# them at the end.
#
# Usage: bench/db_audit.sh [RUNS]   (default 11)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-11}
PA=${PERFAGENT:-./perfagent}
MAXRSS=${MAXRSS:-build/default/tests/helpers/maxrss}
command -v pt-duplicate-key-checker >/dev/null || { echo "db_audit: pt-duplicate-key-checker is not installed (scripts/deps.sh)" >&2; exit 2; }
[ -x "$PA" ] && [ -x "$MAXRSS" ] || { echo "db_audit: run 'make unit-bins' first" >&2; exit 2; }
tmp=$(mktemp -d)
cleanup() {
	scripts/mariadb.sh stop "$tmp/my" >/dev/null 2>&1 || true
	scripts/postgres.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
myport=$(scripts/mariadb.sh start "$tmp/my")
pgport=$(scripts/postgres.sh start "$tmp/pg" 2>/dev/null)
for k in mysql pg; do
	d=$tmp/my
	[ $k = pg ] && d=$tmp/pg
	tests/fixtures/db/load.sh $k "$d"
	tests/fixtures/db/workload.sh $k "$d"
done
tests/fixtures/db/load.sh sqlite "$tmp/sq"
echo "fixture: 5 tables, 200000 + 20000 + 3 x 5000 rows; $(nproc) cores; $RUNS runs each, medians"

# median_wall CMD...: the median wall time in seconds of RUNS runs.
median_wall() {
	local i
	: >"$tmp/times"
	for i in $(seq 1 "$RUNS"); do
		"$MAXRSS" "$@" >"$tmp/last.out" 2>"$tmp/rss"
		grep -o 'wall_s=[0-9.]*' "$tmp/rss" | cut -d= -f2 >>"$tmp/times"
	done
	sort -n "$tmp/times" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

my="mysql://perfagent:secret@127.0.0.1:$myport/shop"
pg="postgres://perfagent:secret@127.0.0.1:$pgport/shop"
sq="sqlite:$tmp/sq/shop.db"

# Agreement with pt-duplicate-key-checker: every index it would drop,
# perfagent proposes dropping too — as a duplicate or left prefix, or, when
# the server's counters show the wider index unused as well, as unused.
pt-duplicate-key-checker --host 127.0.0.1 --port "$myport" --user perfagent --password secret \
	--databases shop 2>/dev/null | grep -o 'DROP INDEX `[^`]*`' | tr -d '`' | sed 's/DROP INDEX //' | sort >"$tmp/pt.drop"
"$PA" db --json -q "$my" >"$tmp/pa.json"
jq -r '.findings[] | select(.solution // "" | test("DROP INDEX")) | "\(.location.index) (\(.rule))"' \
	"$tmp/pa.json" | sort >"$tmp/pa.drop"
missing=$(cut -d' ' -f1 "$tmp/pa.drop" | comm -23 "$tmp/pt.drop" -)
if [ -z "$missing" ] && [ -s "$tmp/pt.drop" ]; then
	echo "pt-duplicate-key-checker drops: $(tr '\n' ' ' <"$tmp/pt.drop")— perfagent proposes each: $(paste -sd, "$tmp/pa.drop")"
else
	echo "disagreement: pt-duplicate-key-checker drops $(tr '\n' ' ' <"$tmp/pt.drop"); perfagent misses: $missing"
	exit 1
fi

pt_s=$(median_wall pt-duplicate-key-checker --host 127.0.0.1 --port "$myport" --user perfagent --password secret --databases shop)
my_s=$(median_wall "$PA" db --json -q "$my")
my_q=$(jq '.metrics.catalog_queries' "$tmp/last.out")
my_f=$(jq '.findings | length' "$tmp/last.out")
pg_s=$(median_wall "$PA" db --json -q "$pg")
pg_q=$(jq '.metrics.catalog_queries' "$tmp/last.out")
pg_f=$(jq '.findings | length' "$tmp/last.out")
sq_s=$(median_wall "$PA" db --json -q "$sq")
sq_q=$(jq '.metrics.catalog_queries' "$tmp/last.out")
sq_f=$(jq '.findings | length' "$tmp/last.out")
# Many tables: the number of catalog statements stays the same (no N+1 in the audit itself).
{
	echo "BEGIN;"
	for i in $(seq 1 500); do
		echo "CREATE TABLE t$i (id INTEGER PRIMARY KEY, p INT REFERENCES t1(id), v TEXT);"
		echo "CREATE INDEX i${i}_v ON t$i (v);"
	done
	echo "COMMIT;"
} | sqlite3 "$tmp/many.db"
many_s=$(median_wall "$PA" db --json -q "sqlite:$tmp/many.db")
many_q=$(jq '.metrics.catalog_queries' "$tmp/last.out")
echo "SQLite with 500 tables: $(awk -v s="$many_s" 'BEGIN {printf "%.0f", s * 1000}') ms, $many_q catalog statements (exact counts: one UNION ALL per 50 tables)"
awk -v pt="$pt_s" -v my="$my_s" -v pg="$pg_s" -v sq="$sq_s" -v mq="$my_q" -v pq="$pg_q" -v sqq="$sq_q" \
	-v mf="$my_f" -v pf="$pg_f" -v sf="$sq_f" 'BEGIN {
	printf "pt-duplicate-key-checker (duplicates only)  MariaDB     %6.0f ms\n", pt * 1000
	printf "perfagent db (whole audit)                  MariaDB     %6.0f ms  %2d catalog statements, %2d findings\n", my * 1000, mq, mf
	printf "perfagent db (whole audit)                  PostgreSQL  %6.0f ms  %2d catalog statements, %2d findings\n", pg * 1000, pq, pf
	printf "perfagent db (whole audit)                  SQLite      %6.0f ms  %2d catalog statements, %2d findings\n", sq * 1000, sqq, sf
	printf "ratio pt-duplicate-key-checker / perfagent on MariaDB: %.1fx\n", pt / my
	ok = my < 1 && pg < 1 && sq < 1
	printf "goal (each audit under 1 s): %s\n", ok ? "met" : "NOT met"
}'
