#!/usr/bin/env bash
# bench.sh: `perfagent bench` black-box — a sleep's median is its length;
# --vs says which of two sleeps is faster and by about how much, with an
# interval that excludes 1, and the slower B is a `regression` finding for
# --fail-on; the same command against itself is within noise; failing,
# killed, timed-out and missing commands stop with exit 3 and say which run
# and how; usage errors exit 2; the --json keys; quoting, --, --show-output;
# a timeout kills the whole process group. About 5 s in all.
. "$(dirname "$0")/../lib.sh"
cd "$TMP" || exit 1
j() { jq -r "$2" "$1" 2>/dev/null; }
# in_range NAME VALUE LOW HIGH
in_range() {
	if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; then ok "$1 ($2)"; else
		not_ok "$1" "value '$2' not in $3..$4"
	fi
}

# ---- one command ----
run "$PERFAGENT" bench --runs 5 -o "$TMP/one.json" -- sleep 0.05
expect_rc "bench -- sleep 0.05 runs" 0
expect_out "human: the command" "sleep 0.05"
expect_out "human: the runs" "runs      5 (after 1 warm-up)"
expect_out "human: wall min/median/max/stddev" "wall      min "
expect_out "human: cpu median" "(user+sys)"
expect_out "human: peak RSS" "peak RSS  "
in_range "the median of sleep 0.05 is its length" "$(j one.json .metrics.a.wall_s.median)" 0.04 0.2
in_range "min <= median" "$(j one.json '.metrics.a.wall_s | .median - .min')" 0 1
in_range "median <= max" "$(j one.json '.metrics.a.wall_s | .max - .median')" 0 1
if [ "$(j one.json '.schema + " " + .command + " " + .target.command')" = "perfagent.result/1 bench sleep 0.05" ]; then
	ok "json: schema, command bench, target.command"
else not_ok "json: schema, command, target" "$(head -c 400 one.json)"; fi
keys=$(j one.json '[.metrics.runs, .metrics.warmup, (.metrics.a.wall_s | keys | join(",")),
	(.metrics.a.wall_s.values | length), (.metrics.a.cpu_s | keys | join(",")),
	(.metrics.a.max_rss_mb > 0), .metrics.a.command, (.metrics | has("b")), (.metrics | has("ratio")),
	(.findings | length)] | map(tostring) | join(" ")')
if [ "$keys" = "5 1 max,mean,median,min,stddev,values 5 max,mean,median,min,stddev,values true sleep 0.05 false false 0" ]; then
	ok "json: metrics keys (runs, warmup, a.wall_s, a.cpu_s, a.max_rss_mb; no b, no ratio, no finding)"
else not_ok "json: metrics keys" "got: $keys"; fi

# ---- A against B ----
run "$PERFAGENT" bench --runs 5 --vs 'sleep 0.1' --fail-on medium -o "$TMP/ab.json" -- sleep 0.05
expect_rc "--vs: B slower beyond noise is a finding --fail-on medium catches (exit 1)" 1
expect_out "--vs: A and B labelled" "B: sleep 0.1"
if grep -qE '^A is (1\.[6-9][0-9]|2\.[0-4][0-9])x faster than B \(95% CI [0-9.]+x–[0-9.]+x\)$' "$TMP/out"; then
	ok "--vs: says A is about 2x faster, with the interval"
else not_ok "--vs: A is about 2x faster" "$(tail -2 "$TMP/out")"; fi
in_range "ratio median(A)/median(B) is about 1/2" "$(j ab.json .metrics.ratio.median_ratio)" 0.4 0.6
in_range "the interval excludes 1" "$(j ab.json .metrics.ratio.ci_high)" 0.3 0.95
if [ "$(j ab.json '[.metrics.ratio.faster, .metrics.ratio.within_noise, .target.vs, .metrics.b.command,
	(.metrics.b.wall_s.values | length)] | map(tostring) | join("|")')" = "a|false|sleep 0.1|sleep 0.1|5" ]; then
	ok "json: ratio.faster a, within_noise false, target.vs, b"
else not_ok "json: ratio and b" "$(j ab.json '.metrics.ratio, .target' | head -20)"; fi
if [ "$(j ab.json '.findings[0] | [.rule, .severity] | join(" ")')" = "regression medium" ] &&
	j ab.json '.findings[0].title' | grep -q '^B is .*x slower than A'; then
	ok "finding: regression, medium, 'B is Nx slower than A'"
else not_ok "finding: regression" "$(j ab.json .findings)"; fi
run "$PERFAGENT" report "$TMP/ab.json"
expect_rc "report renders a bench result" 0

run "$PERFAGENT" bench --runs 5 --vs 'sleep 0.02' --fail-on medium --json -- sleep 0.04
expect_rc "--vs: B faster is no finding" 0
if [ "$(j "$TMP/out" '[.metrics.ratio.faster, (.findings | length)] | map(tostring) | join(" ")')" = "b 0" ]; then
	ok "json: B faster, no finding"
else not_ok "json: B faster" "$(j "$TMP/out" .metrics.ratio)"; fi

# The same command twice: within noise. By design a 95% interval misses
# about one time in 20, so up to three tries (a flake then has odds of 1 in 8,000).
noise=0
for try in 1 2 3; do
	run "$PERFAGENT" bench --runs 10 --vs true -- true
	if [ "$rc" -eq 0 ] && grep -qE '^no difference beyond noise: median A/B [0-9.]+x \(95% CI [0-9.]+x–[0-9.]+x\) includes 1$' "$TMP/out"; then
		noise=1
		break
	fi
done
if [ "$noise" = 1 ]; then ok "true --vs true: no difference beyond noise"; else
	not_ok "true --vs true: within noise" "$(tail -1 "$TMP/out")"; fi

# ---- runs that fail ----
# Succeeds for the warm-up and the first measured run, then fails.
cat >"$TMP/flaky.sh" <<'EOF'
n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$1"; [ "$n" -lt 3 ]
EOF
run "$PERFAGENT" bench --runs 5 -- sh "$TMP/flaky.sh" "$TMP/count"
expect_err "a run that fails: exit 3, names the run and its status" 3 "run 2/5 ('sh $TMP/flaky.sh $TMP/count') exited with status 1; bench measures commands that succeed"
run "$PERFAGENT" bench --runs 3 --warmup 0 -- sh -c 'kill -KILL $$'
expect_err "a run killed by a signal names it" 3 "run 1/3 (\"sh -c 'kill -KILL \$\$'\") was killed by signal 9 (Killed)"
run "$PERFAGENT" bench --runs 5 --vs 'exit 4' -- true
expect_err "B failing in its warm-up names B" 3 "warm-up run 1/1 of B ('exit 4') exited with status 4"
start=$(date +%s%N)
run "$PERFAGENT" bench --runs 3 --timeout 0.3 -- sh -c 'sleep 30 & echo $! >"$1/bg.pid"; echo $$ >"$1/fg.pid"; exec sleep 30' sh "$TMP"
ms=$((($(date +%s%N) - start) / 1000000))
expect_err "--timeout: the run is killed, exit 3" 3 "did not finish within 0.3s and was killed"
if [ "$ms" -lt 3000 ]; then ok "--timeout stops it promptly (${ms} ms)"; else not_ok "--timeout took ${ms} ms"; fi
sleep 0.1
alive=""
for f in fg bg; do
	pid=$(cat "$TMP/$f.pid" 2>/dev/null) || continue
	# Killed but not yet reaped by init is a zombie (Z): dead.
	state=$(ps -o stat= -p "$pid" 2>/dev/null)
	if [ -n "$state" ] && [ "${state#Z}" = "$state" ]; then
		alive="$alive $f:$pid"
		kill "$pid"
	fi
done
if [ -f "$TMP/bg.pid" ] && [ -z "$alive" ]; then ok "--timeout kills the whole process group"; else
	not_ok "--timeout kills the whole process group" "still running:$alive"; fi

run "$PERFAGENT" bench -- nosuch-program-7f3a --flag
expect_err "a missing program: exit 3, cannot run" 3 "cannot run 'nosuch-program-7f3a': No such file or directory"
run "$PERFAGENT" bench --vs true -- nosuch-program-7f3a
expect_err "a missing program with --vs: the same message" 3 "cannot run 'nosuch-program-7f3a': No such file or directory"
run "$PERFAGENT" bench --runs 5 --vs 'nosuch-program-7f3a' -- true
expect_err "a missing program in --vs: the shell's 127 explained" 3 "exited with status 127: the shell could not find the command"
run "$PERFAGENT" bench -- /etc
expect_err "a directory is not a program" 3 "cannot run '/etc': Permission denied"

# ---- usage ----
run "$PERFAGENT" bench
expect_err "no command: exit 2" 2 "no command to run: put it after --"
run "$PERFAGENT" bench --runs 3 --
expect_err "nothing after --: exit 2" 2 "no command to run"
run "$PERFAGENT" bench --runs 0 -- true
expect_err "--runs 0" 2 "--runs '0': expected 1 to 1000"
run "$PERFAGENT" bench --runs 1001 -- true
expect_err "--runs 1001" 2 "--runs '1001': expected 1 to 1000"
run "$PERFAGENT" bench --runs many -- true
expect_err "--runs many" 2 "--runs 'many'"
run "$PERFAGENT" bench --warmup -1 -- true
expect_err "--warmup -1" 2 "--warmup '-1': expected 0 to 100"
run "$PERFAGENT" bench --timeout 0 -- true
expect_err "--timeout 0" 2 "--timeout '0': expected seconds"
run "$PERFAGENT" bench --runs 2 --vs true -- true
expect_err "--vs with 2 runs" 2 "--runs 2 is too few to compare two commands"
run "$PERFAGENT" bench --vs '' -- true
expect_err "--vs empty" 2 "--vs is empty"

# ---- the command line ----
# After --, everything is the command's, options included.
run "$PERFAGENT" bench --runs 2 --warmup 0 --json -- sh -c 'exit 0' --runs 9
expect_rc "options after -- belong to the command" 0
if [ "$(j "$TMP/out" '[.metrics.runs, .metrics.warmup, .target.command] | map(tostring) | join("|")')" = "2|0|sh -c 'exit 0' --runs 9" ]; then
	ok "json: --runs before -- counts; target.command is shell-quoted"
else not_ok "json: runs and quoting" "$(j "$TMP/out" '.metrics.runs, .target')"; fi
run "$PERFAGENT" bench --runs 2 --warmup 1 -- echo hello-from-cmd
if ! grep -qx hello-from-cmd "$TMP/out"; then ok "the command's output goes to /dev/null"; else
	not_ok "the command's output goes to /dev/null"; fi
run "$PERFAGENT" bench --runs 2 --warmup 1 --show-output -- echo hello-from-cmd
if [ "$(grep -c '^hello-from-cmd$' "$TMP/out")" = 3 ]; then ok "--show-output shows it (warm-up and runs)"; else
	not_ok "--show-output" "$(cat "$TMP/out")"; fi
run "$PERFAGENT" bench --runs 1 --warmup 0 --json -- sh -c 'read x; test -z "$x"'
expect_rc "stdin is /dev/null" 0
done_testing
