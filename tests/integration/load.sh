#!/usr/bin/env bash
# load.sh: `perfagent load` against real servers on loopback — the knob-
# driven test server (tests/helpers/testsrv.c) and nginx for TLS. Every run
# is bounded by --duration or --requests, and every server is stopped at the
# end. Numbers are read from the --json result with jq.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
SRV=$BUILD/tests/helpers/testsrv
MAXRSS=$BUILD/tests/helpers/maxrss

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${NGINX_DIR:-}" ] && scripts/nginx.sh stop "$NGINX_DIR"
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_srv [ARGS]: a fresh testsrv; sets $U and $SRV_PID.
start_srv() {
	rm -f "$TMP/port"
	"$SRV" --port-file "$TMP/port" --max-seconds 200 "$@" >"$TMP/srv.out" 2>&1 &
	SRV_PID=$!
	disown "$SRV_PID" # no "Killed" notice when the kill test ends it
	pids+=("$SRV_PID")
	for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	U="http://127.0.0.1:$(cat "$TMP/port")"
}

# j FILE PATH: a value from a JSON file; PATH is jq's, e.g. .metrics.stages[0].p50_ms
j() { jq -r "$2" "$1" 2>/dev/null; }

within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN{exit !(v >= lo && v <= hi)}'; }

start_srv

# A fixed 20 ms delay is reported as a p50 within +-1 ms.
run "$PERFAGENT" load "$U/?delay_ms=20" -c 10 --duration 3 --no-progress -o "$TMP/d.json"
p50=$(j "$TMP/d.json" '.metrics.stages[0].p50_ms')
if [ "$rc" -eq 0 ] && within "$p50" 19 21; then ok "20 ms delay: p50 $p50 ms"; else not_ok "20 ms delay: p50 '$p50' ms (rc=$rc)" "$(cat "$TMP/err")"; fi
expect_out "the seed's table is printed" "| Concurrent Users | Avg Response | Error Rate | P95 | P99 | Throughput |"

# Error categories are counted exactly (a request limit makes counts exact).
check_count() { # NAME QUERY PATH WANT [ARGS]
	local name=$1 q=$2 path=$3 want=$4
	shift 4
	run "$PERFAGENT" load "$U/?$q" -c 2 --duration 20 --no-progress --json "$@"
	cp "$TMP/out" "$TMP/c.json"
	local got
	got=$(j "$TMP/c.json" "$path")
	if [ "$got" = "$want" ]; then ok "$name: $path = $want"; else not_ok "$name: $path = '$got', want $want" "$(cat "$TMP/err")"; fi
}
check_count "HTTP 500" "status=500" '.metrics.stages[0].errors.http_5xx' 100 --requests 100
check_count "HTTP 500 by status" "status=500" '.metrics.stages[0].status."500"' 100 --requests 100
check_count "HTTP 404" "status=404" '.metrics.stages[0].errors.http_4xx' 40 --requests 40
check_count "closed mid-response" "close_mid=1&body=1000" '.metrics.stages[0].errors.read' 50 --requests 50
check_count "malformed status line" "bad_status=1" '.metrics.stages[0].errors.bad_response' 30 --requests 30
check_count "timeouts" "no_response=1" '.metrics.stages[0].errors.timeout' 4 --requests 4 --timeout 0.3
check_count "headers over 64 KiB" "huge_headers=70000" '.metrics.stages[0].errors.bad_response' 5 --requests 5
check_count "redirects counted, not followed" "redirect=1" '.metrics.stages[0].redirects' 20 --requests 20
check_count "Connection: close reconnects" "close=1" '.metrics.stages[0].requests' 30 --requests 30
check_count "HTTP/1.0 body until close" "http10=1&body=500" '.metrics.stages[0].requests' 25 --requests 25
check_count "chunked bodies" "chunked=1&body=100000&chunk=777" '.metrics.stages[0].requests' 40 --requests 40
check_count "HEAD has no body" "body=5000" '.metrics.stages[0].requests' 40 --requests 40 -m HEAD
check_count "204 No Content" "status=204" '.metrics.stages[0].status."204"' 40 --requests 40
bytes=$(j "$TMP/c.json" '.metrics.stages[0].bytes')
if [ "$bytes" -lt 40000 ]; then ok "204 responses carry no body ($bytes bytes for 40)"; else not_ok "204 bytes $bytes"; fi
run "$PERFAGENT" load "$U/?status=5xx_ratio:0.2" -c 4 --requests 2000 --duration 20 --no-progress --json
cp "$TMP/out" "$TMP/r.json"
rate=$(j "$TMP/r.json" '.metrics.stages[0].error_rate')
if within "$rate" 0.15 0.25; then ok "a 20% 5xx ratio is measured ($rate)"; else not_ok "5xx ratio measured $rate"; fi
if grep -q '"rule": "error-rate"' "$TMP/r.json" && grep -q '"severity": "critical"' "$TMP/r.json"; then
	ok "error rate over 10% is a critical finding"; else not_ok "error-rate finding"; fi

# POST with a body from a file.
printf '{"name":"x"}' >"$TMP/body.json"
run "$PERFAGENT" load "$U/" -c 1 --requests 5 --no-progress --json -d @"$TMP/body.json" -H "Content-Type: application/json"
cp "$TMP/out" "$TMP/p.json"
if [ "$(j "$TMP/p.json" '.metrics.stages[0].requests')" = 5 ] && [ "$(j "$TMP/p.json" '.target.method')" = POST ]; then
	ok "-d @FILE sends a POST"; else not_ok "-d @FILE sends a POST"; fi

# Open model: a 1 s stall shows in the corrected p99, not in the uncorrected one.
start_srv
run "$PERFAGENT" load "$U/?stall_at=2000&stall_ms=1000" --rate 500 -c 10 --duration 6 --no-progress -o "$TMP/o.json"
c99=$(j "$TMP/o.json" '.metrics.stages[0].p99_ms')
u99=$(j "$TMP/o.json" '.metrics.stages[0].uncorrected.p99_ms')
if within "$c99" 500 1100 && within "$u99" 0 100; then
	ok "1 s stall: corrected p99 $c99 ms, uncorrected p99 $u99 ms"
else
	not_ok "1 s stall: corrected p99 $c99 ms, uncorrected p99 $u99 ms"
fi
expect_out "the open model prints its offered rate" "| Offered Rate |"

# Stages, the knee, and the Bottleneck line; and --hdr-out.
start_srv
run "$PERFAGENT" load "$U/?delay_ms=2" -c 1,4 --duration 1 --no-progress --hdr-out "$TMP/spectrum.hgrm" -o "$TMP/s.json"
if [ "$rc" -eq 0 ] && [ "$(j "$TMP/s.json" '.metrics.stages[1].concurrency')" = 4 ] && grep -q '^\*\*Bottleneck:\*\*' "$TMP/out"; then
	ok "two stages, Bottleneck and Recommendation lines"; else not_ok "two stages" "rc=$rc"; fi
if grep -q "Percentile" "$TMP/spectrum.hgrm" && grep -q "# stage 2: 4 concurrent users" "$TMP/spectrum.hgrm"; then
	ok "--hdr-out writes each stage's spectrum"; else not_ok "--hdr-out"; fi
run "$PERFAGENT" report "$TMP/s.json"
if [ "$rc" -eq 0 ] && grep -q '^## Load Test Results' "$TMP/out"; then ok "report renders a load result"; else not_ok "report renders a load result"; fi

# Progress: on a terminal, on stderr; not with -q, --no-progress or a pipe.
if command -v script >/dev/null 2>&1; then
	script -q -c "$PERFAGENT load '$U/?delay_ms=1' -c 2 --duration 1 >/dev/null" "$TMP/tty.log" >/dev/null 2>&1
	if grep -q 'stage 1/1  c=2' "$TMP/tty.log"; then ok "progress on a terminal"; else not_ok "progress on a terminal"; fi
	script -q -c "$PERFAGENT load '$U/?delay_ms=1' -c 2 --duration 1 --no-progress >/dev/null" "$TMP/tty2.log" >/dev/null 2>&1
	if ! grep -q 'stage 1/1' "$TMP/tty2.log"; then ok "--no-progress"; else not_ok "--no-progress"; fi
fi
run "$PERFAGENT" load "$U/?delay_ms=1" -c 2 --duration 1
if ! grep -q 'stage 1/1' "$TMP/err"; then ok "no progress when stderr is not a terminal"; else not_ok "progress into a pipe"; fi

# IPv6 loopback.
start_srv --host ::1
port=$(cat "$TMP/port")
run "$PERFAGENT" load "http://[::1]:$port/" -c 2 --requests 20 --no-progress --json
cp "$TMP/out" "$TMP/6.json"
if [ "$(j "$TMP/6.json" '.metrics.stages[0].requests')" = 20 ]; then ok "IPv6 [::1]"; else not_ok "IPv6 [::1]" "$(cat "$TMP/err")"; fi

# A server killed mid-run: the run ends by its deadline, errors counted, no crash.
start_srv
( sleep 1.5; kill -9 "$SRV_PID" ) &
start=$(date +%s%N)
run "$PERFAGENT" load "$U/?delay_ms=5" -c 8 --duration 4 --no-progress --json
took=$((($(date +%s%N) - start) / 1000000))
cp "$TMP/out" "$TMP/k.json"
errs=$(j "$TMP/k.json" '.metrics.stages[0].errors | .connect + .read')
if [ "$took" -lt 6500 ] && [ "${errs:-0}" -gt 0 ] && [ "$rc" -le 1 ]; then
	ok "server killed mid-run: ended in ${took} ms, $errs errors counted"
else
	not_ok "server killed mid-run: took ${took} ms, errors '$errs', rc=$rc" "$(cat "$TMP/err")"
fi

# A server that takes only 5 connections: fewer live than asked is reported.
start_srv --threads-max 5
run "$PERFAGENT" load "$U/?delay_ms=5" -c 20 --duration 1.5 --no-progress --json
cp "$TMP/out" "$TMP/m.json"
live=$(j "$TMP/m.json" '.metrics.stages[0].max_live_connections')
if [ "${live:-99}" -le 5 ] && grep -q '"rule": "connections-refused"' "$TMP/m.json" &&
	j "$TMP/m.json" '.metrics.bottleneck' | grep -q "only $live of 20 connections"; then
	ok "refused connections reported: $live of 20 live"
else
	not_ok "refused connections: live '$live'" "$(j "$TMP/m.json" '.metrics.bottleneck')"
fi

# Ctrl-C stops the run and reports what was measured.
start_srv
"$PERFAGENT" load "$U/?delay_ms=1" -c 4 --duration 20 --no-progress --json >"$TMP/int.json" 2>"$TMP/int.err" &
lp=$!
sleep 1.5
kill -INT "$lp"
start=$(date +%s%N)
wait "$lp"
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
if [ "$took" -lt 1500 ] && [ "$(j "$TMP/int.json" '.metrics.interrupted')" = true ] &&
	[ "$(j "$TMP/int.json" '.metrics.stages[0].requests')" -gt 100 ]; then
	ok "Ctrl-C: stopped in ${took} ms, measured requests reported"
else
	not_ok "Ctrl-C: took ${took} ms, rc=$rc" "$(head -c 300 "$TMP/int.json")" "$(cat "$TMP/int.err")"
fi

# Nothing listening: one clear line, exit 3, quickly.
run timeout 20 "$PERFAGENT" load "http://127.0.0.1:1/" -c 2 --duration 1 --no-progress
expect_err "connection refused: exit 3 naming the address" 3 "no response from 127.0.0.1:1: connect: Connection refused"
run "$PERFAGENT" load "http://no-such-host.invalid/" --duration 1
expect_err "an unresolvable host: exit 3" 3 "cannot resolve 'no-such-host.invalid'"

# Usage errors.
run "$PERFAGENT" load "ftp://x/"
expect_err "a bad URL" 2 "must start with http:// or https://"
run "$PERFAGENT" load "$U/" -c 0
expect_err "-c 0" 2 "--concurrency '0'"
run "$PERFAGENT" load "$U/" -c 10,x
expect_err "-c with junk" 2 "--concurrency '10,x'"
run "$PERFAGENT" load "$U/" --rate fast
expect_err "--rate junk" 2 "--rate 'fast'"
run "$PERFAGENT" load "$U/" --rate 100 -c 10,20
expect_err "--rate with a list of -c" 2 "with --rate, -c is one number"
run "$PERFAGENT" load "$U/" --duration -3
expect_err "--duration negative" 2 "--duration '-3'"
run "$PERFAGENT" load "$U/" --duration 2 --warmup 5
expect_err "--warmup longer than the stage" 2 "--warmup '5'"
run "$PERFAGENT" load "$U/" -H "no colon"
expect_err "a bad header" 2 "header 'no colon' is not 'Name: value'"
run "$PERFAGENT" load "$U/" -m "get"
expect_err "a bad method" 2 "method 'get'"
run "$PERFAGENT" load "$U/" -d @"$TMP/missing.json"
expect_err "a missing body file" 3 "cannot read body file"

# TLS against nginx with a throwaway certificate.
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
	NGINX_DIR=$TMP/nginx
	ports=$(scripts/nginx.sh start "$NGINX_DIR")
	https=${ports#*https=}
	run "$PERFAGENT" load "https://localhost:$https/" -c 4 --duration 1 --insecure --no-progress --json
	cp "$TMP/out" "$TMP/t.json"
	n=$(j "$TMP/t.json" '.metrics.stages[0].requests')
	e=$(j "$TMP/t.json" '.metrics.stages[0].error_rate')
	if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 100 ] && within "$e" 0 0; then ok "TLS (SNI, --insecure): $n requests"; else not_ok "TLS: $n requests, error rate $e, rc=$rc" "$(cat "$TMP/err")"; fi
	run "$PERFAGENT" load "https://localhost:$https/" -c 2 --duration 1 --no-progress
	expect_err "an untrusted certificate fails clearly" 3 "self-signed certificate"
else
	not_ok "nginx is installed (scripts/deps.sh)"
fi

# No RSS growth between a 5 s and a 30 s run.
start_srv
"$MAXRSS" "$PERFAGENT" load "$U/" -c 50 --duration 5 --no-progress -q >/dev/null 2>"$TMP/rss5"
"$MAXRSS" "$PERFAGENT" load "$U/" -c 50 --duration 30 --no-progress -q >/dev/null 2>"$TMP/rss30"
r5=$(grep -o 'maxrss_kb=[0-9]*' "$TMP/rss5" | cut -d= -f2)
r30=$(grep -o 'maxrss_kb=[0-9]*' "$TMP/rss30" | cut -d= -f2)
if [ -n "$r5" ] && [ -n "$r30" ] && [ "$r30" -le $((r5 + 1024)) ]; then
	ok "no RSS growth: ${r5} KB after 5 s, ${r30} KB after 30 s"
else
	not_ok "RSS grew: ${r5} KB after 5 s, ${r30} KB after 30 s"
fi
done_testing
