#!/usr/bin/env bash
# digest.sh: `perfagent digest` on logs with known contents — a crafted slow
# log whose digest is known exactly, a generated one checked class by class
# against pt-query-digest (same IDs, counts and total times), gzip, several
# files, stdin, access logs, garbled input and bad arguments.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
K=tests/fixtures/digest/known.log
j() { jq -r "$2" "$1" 2>/dev/null; }

run "$PERFAGENT" digest "$K" --json --limit 0
cp "$TMP/out" "$TMP/k.json"
expect_rc "digest of the crafted log" 0
[ "$(j "$TMP/k.json" '.metrics.overall.queries')" = 24 ] && ok "24 statements" || not_ok "statement count $(j "$TMP/k.json" '.metrics.overall.queries')"
[ "$(j "$TMP/k.json" '.metrics.overall.unique')" = 6 ] && ok "6 classes" || not_ok "class count"
top=$(j "$TMP/k.json" '.metrics.queries[0] | "\(.query_id) \(.count) \(.time_total_s) \(.avg_ms) \(.max_ms)"')
[ "$top" = "0x274CADE7C5ED10FFBEE584D5838E154D 3 0.6 200 300" ] && ok "top class: pt's ID, count 3, 0.6 s, avg 200 ms, max 300 ms" || not_ok "top class: $top"
np=$(j "$TMP/k.json" '.metrics.n_plus_one[0] | "\(.parent_query_id) \(.child_query_id) \(.occurrences) \(.queries_per_occurrence)"')
[ "$np" = "0x86B286ED1C088DF398144678FD3291DE 0xDC06E73D18993FA0063BEB474D23DF60 1 6" ] && ok "the N+1: parent -> child, once, 6 queries" || not_ok "N+1: $np"
[ "$(j "$TMP/k.json" '.metrics.n_plus_one | length')" = 1 ] && ok "one N+1 pattern, no false ones" || not_ok "N+1 patterns: $(j "$TMP/k.json" '.metrics.n_plus_one | length')"
ca=$(j "$TMP/k.json" '.metrics.cacheable[0] | "\(.query_id) \(.repeats)"')
[ "$ca" = "0x3FB9018A7C0F3528F3C14443C87D6387 11" ] && ok "the repeated settings read is cacheable (11 repeats)" || not_ok "cacheable: $ca"
rules=$(j "$TMP/k.json" '[.findings[].rule] | unique | join(",")')
for r in slow-query n-plus-one cacheable missing-index leading-wildcard-like select-star; do
	case ",$rules," in *",$r,"*) ok "finding $r" ;; *) not_ok "finding $r missing: $rules" ;; esac
done
run "$PERFAGENT" digest "$K"
expect_out "pt-style profile" "# Rank Query ID"
expect_out "per-query blocks" "# Exec time"

# Against pt-query-digest on a generated log: every class's ID, count and total.
if command -v pt-query-digest >/dev/null 2>&1; then
	awk -v events=3000 -f bench/gen_slowlog.awk >"$TMP/gen.log"
	pt-query-digest --output json --limit 1000 "$TMP/gen.log" 2>/dev/null |
		jq -r '.classes[] | "0x\(.checksum) \(.query_count) \(.metrics.Query_time.sum | tonumber * 1000 | round)"' | sort >"$TMP/pt.txt"
	"$PERFAGENT" digest "$TMP/gen.log" --json --limit 0 |
		jq -r '.metrics.queries[] | "\(.query_id) \(.count) \(.time_total_s * 1000 | round)"' | sort >"$TMP/pa.txt"
	n=$(wc -l <"$TMP/pt.txt")
	if [ "$n" -gt 20 ] && diff "$TMP/pt.txt" "$TMP/pa.txt" >"$TMP/d.txt"; then
		ok "all $n classes agree with pt-query-digest: IDs, counts, total times"
	else
		not_ok "classes differ from pt-query-digest ($n)" "$(head -10 "$TMP/d.txt")"
	fi
else
	not_ok "pt-query-digest is installed (scripts/deps.sh)"
fi

# Fingerprints may hold NUL bytes (pt keeps them): classes must not merge on them.
run "$PERFAGENT" digest tests/fixtures/digest/nul.log --json
[ "$(j "$TMP/out" '[.metrics.overall.unique, [.metrics.queries[].count]] | tostring')" = '[2,[2,1]]' ] &&
	ok "statements with NUL bytes keep their own classes" || not_ok "NUL classes: $(j "$TMP/out" '.metrics.overall.unique')"

# gzip, several files, stdin.
gzip -c "$K" >"$TMP/known.log.gz"
run "$PERFAGENT" digest "$TMP/known.log.gz" --json
[ "$(j "$TMP/out" '.metrics.overall.queries')" = 24 ] && ok "a gzip log" || not_ok "gzip"
run "$PERFAGENT" digest "$K" "$TMP/known.log.gz" --json
cp "$TMP/out" "$TMP/two.json"
[ "$(j "$TMP/two.json" '.metrics.overall.queries')" = 48 ] && [ "$(j "$TMP/two.json" '.metrics.queries[0].count')" = 6 ] &&
	ok "two files merged into one digest" || not_ok "two files"
run "$PERFAGENT" digest - --json <"$K"
[ "$(j "$TMP/out" '.metrics.overall.queries')" = 24 ] && ok "stdin" || not_ok "stdin"
run "$PERFAGENT" digest "$K" --json --order-by count
[ "$(j "$TMP/out" '.metrics.queries[0].count')" = 12 ] && ok "--order-by count" || not_ok "--order-by count"

# A truncated log: garbled events counted, the good ones digested.
head -c 1500 "$K" >"$TMP/cut.log"
run "$PERFAGENT" digest "$TMP/cut.log" --json
g=$(j "$TMP/out" '.metrics.garbled_events')
q=$(j "$TMP/out" '.metrics.overall.queries')
if [ "$rc" -eq 0 ] && [ "${g:-0}" -ge 1 ] && [ "${q:-0}" -ge 3 ]; then ok "truncated: $q digested, $g garbled counted"; else
	not_ok "truncated: rc=$rc queries=$q garbled=$g" "$(cat "$TMP/err")"; fi

# Access logs: endpoints with ids normalised, budgets, 5xx.
for i in $(seq 1 40); do
	printf '127.0.0.1 - - [24/Nov/2026:10:00:%02d +0000] "GET /users/%d HTTP/1.1" 200 512 "-" "curl" 0.%03d\n' $((i % 60)) $((1000 + i)) $((200 + i))
	printf '127.0.0.1 - - [24/Nov/2026:10:00:%02d +0000] "POST /api/orders?x=1 HTTP/1.1" %d 64 "-" "curl" 0.010\n' $((i % 60)) $([ $((i % 5)) = 0 ] && echo 500 || echo 201)
done >"$TMP/access.log"
run "$PERFAGENT" digest "$TMP/access.log" --json
cp "$TMP/out" "$TMP/a.json"
[ "$(j "$TMP/a.json" '.metrics.files[0].format')" = access ] && ok "an access log is detected" || not_ok "access detection: $(j "$TMP/a.json" '.metrics.files[0].format')"
[ "$(j "$TMP/a.json" '.metrics.endpoints[] | select(.endpoint=="GET /users/{id}") | .count')" = 40 ] &&
	ok "/users/1001.. grouped as GET /users/{id}" || not_ok "endpoint grouping: $(j "$TMP/a.json" '[.metrics.endpoints[].endpoint]')"
j "$TMP/a.json" '.findings[] | select(.rule=="slow-endpoint") | .location.endpoint' | grep -q 'GET /users/{id}' &&
	ok "the 200+ ms endpoint is over the API budget" || not_ok "slow-endpoint finding"
j "$TMP/a.json" '.findings[] | select(.rule=="error-rate") | .location.endpoint' | grep -q 'POST /api/orders' &&
	ok "20% 5xx is an error-rate finding" || not_ok "error-rate finding"
[ "$(j "$TMP/a.json" '.metrics.p95_ms > 0')" = true ] && ok "access logs give the report its Summary numbers" || not_ok "summary numbers"

printf 'SLOW: /reports took 2.5s\nSLOW: /reports took 1.5s\n' >"$TMP/slow-lines.log"
run "$PERFAGENT" digest "$TMP/slow-lines.log" --json
[ "$(j "$TMP/out" '.metrics.endpoints[0].count')" = 2 ] && ok "the seed's SLOW: lines" || not_ok "SLOW lines: $(head -c 300 "$TMP/out")"

# Bad input.
printf 'just some text\nnothing like a log\n' >"$TMP/text.txt"
run "$PERFAGENT" digest "$TMP/text.txt"
expect_err "an unknown format" 3 "is not a log format perfagent reads"
run "$PERFAGENT" digest "$TMP/none.log"
expect_err "a missing file" 3 "cannot read '$TMP/none.log'"
run "$PERFAGENT" digest "$K" "$TMP/none.log" --json
if [ "$rc" -eq 3 ] && [ "$(j "$TMP/out" '.metrics.overall.queries')" = 24 ]; then ok "a bad file among good ones: reported, the rest digested"; else
	not_ok "a bad file among good ones: rc=$rc"; fi
run "$PERFAGENT" digest "$K" --type mysql
expect_err "a bad --type" 2 "--type 'mysql'"
run "$PERFAGENT" digest "$K" --order-by speed
expect_err "a bad --order-by" 2 "--order-by 'speed'"
: >"$TMP/empty.log"
run "$PERFAGENT" digest "$TMP/empty.log" --type slowlog --json
[ "$rc" -eq 0 ] && [ "$(j "$TMP/out" '.metrics.overall.queries')" = 0 ] && ok "an empty log is an empty digest" || not_ok "empty log rc=$rc"
done_testing
