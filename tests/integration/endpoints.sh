#!/usr/bin/env bash
# endpoints.sh: `perfagent endpoints` against the knob-driven test server:
# routes from a file and stdin, parameters filled or skipped, the budget
# classes, error, payload and contention findings, bad input.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
"$BUILD/tests/helpers/testsrv" --port-file "$TMP/port" --max-seconds 120 >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.05; done
U="http://127.0.0.1:$(cat "$TMP/port")"
j() { jq -r "$2" "$1" 2>/dev/null; }

cat >"$TMP/routes.txt" <<'R'
# the test app
GET /
/slow?delay_ms=150
get /users/<int:id>?delay_ms=3
POST /fail?status=500
/big?body=1500000
/orders/{order_id}
GET /contended?delay_ms=25&serial=1
R
run "$PERFAGENT" endpoints "$U" --routes "$TMP/routes.txt" --param id=7 --requests 8 --burst 6 --no-progress -o "$TMP/e.json"
expect_rc "endpoints runs" 0
expect_out "the table lists the routes" "| Endpoint | Status | p50 | p95 | Max | Size | Burst p95 | Budget |"
first=$(grep -m1 '^| `' "$TMP/out")
case "$first" in *"/contended"*|*"/slow"*) ok "slowest first" ;; *) not_ok "slowest first: $first" ;; esac
[ "$(j "$TMP/e.json" '.metrics.endpoints | length')" = 6 ] && ok "six routes measured" || not_ok "six routes measured"
[ "$(j "$TMP/e.json" '.metrics.skipped[0].reason')" = "needs a value for 'order_id': --param order_id=..." ] &&
	ok "a route without its --param is skipped, saying which" || not_ok "skipped reason: $(j "$TMP/e.json" '.metrics.skipped')"
[ "$(j "$TMP/e.json" '.metrics.endpoints[] | select(.path=="/users/7?delay_ms=3") | .sequential.requests')" = 8 ] &&
	ok "<int:id> filled from --param id=7" || not_ok "<int:id> filled"
cls() { j "$TMP/e.json" ".metrics.endpoints[] | select(.endpoint==\"$1\") | .class"; }
[ "$(cls 'GET /slow?delay_ms=150')" = warning ] && ok "150 ms is a warning" || not_ok "150 ms class $(cls 'GET /slow?delay_ms=150')"
[ "$(cls 'GET /')" = target ] && ok "a fast route is on target" || not_ok "fast route class"
[ "$(cls 'POST /fail?status=500')" = error ] && ok "a failing route is 'error'" || not_ok "failing route class"
rules=$(j "$TMP/e.json" '[.findings[].rule] | sort | join(",")')
for r in slow-endpoint endpoint-error large-payload contention; do
	case ",$rules," in *",$r,"*) ok "finding $r" ;; *) not_ok "finding $r missing: $rules" ;; esac
done
[ "$(j "$TMP/e.json" '.findings[] | select(.rule=="endpoint-error") | .severity')" = high ] && ok "5xx is high" || not_ok "5xx severity"
size=$(j "$TMP/e.json" '.metrics.endpoints[] | select(.endpoint=="GET /big?body=1500000") | .response_bytes')
[ "${size%.*}" = 1500000 ] && ok "response size measured exactly" || not_ok "response size $size"

printf 'GET /\n' | "$PERFAGENT" endpoints "$U" --routes - --requests 3 --burst 0 --json >"$TMP/out" 2>"$TMP/err"
[ "$(jq -r '.metrics.endpoints[0].sequential.requests' "$TMP/out")" = 3 ] && ok "routes from stdin" || not_ok "routes from stdin"

printf 'GET /\nFETCH-IT /x\n' >"$TMP/bad.txt"
run "$PERFAGENT" endpoints "$U" --routes "$TMP/bad.txt"
expect_err "a malformed route names file and line" 3 "$TMP/bad.txt:2: 'FETCH-IT' is not an HTTP method"
printf 'GET relative\n' >"$TMP/bad2.txt"
run "$PERFAGENT" endpoints "$U" --routes "$TMP/bad2.txt"
expect_err "a path without /" 3 "$TMP/bad2.txt:1: the path must start with '/'"
run "$PERFAGENT" endpoints "$U" --routes "$TMP/none.txt"
expect_err "a missing routes file" 3 "cannot read routes file"
run "$PERFAGENT" endpoints "$U"
expect_err "no --routes" 2 "no routes: pass --routes FILE"
run "$PERFAGENT" endpoints "$U" --routes "$TMP/routes.txt" --param id
expect_err "a --param without =" 2 "--param 'id': expected NAME=VALUE"
printf 'GET /\n' >"$TMP/one.txt"
run "$PERFAGENT" endpoints "http://127.0.0.1:1" --routes "$TMP/one.txt" --requests 2 --no-progress
expect_err "nothing answers: exit 3" 3 "no endpoint of http://127.0.0.1:1 answered: connect: Connection refused"
done_testing
