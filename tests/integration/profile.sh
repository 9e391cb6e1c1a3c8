#!/usr/bin/env bash
# profile.sh: `perfagent profile` on the programs of tests/fixtures/prof,
# compiled here with frame pointers and line info: the hot function found
# (>= 90% of the samples) with its call path and line, a leak called a
# leak, a plateau not, every thread of a threaded program sampled, a
# program under 50 ms still reported, a crash reported with its signal
# (exit 3), --duration, --pid, Ctrl-C, the flame graph, folded stacks and
# speedscope files, and bad input.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
F=tests/fixtures/prof
for p in hot leak plateau threads short crash; do
	cc -O1 -g -fno-omit-frame-pointer -pthread -o "$TMP/$p" "$F/$p.c" || not_ok "cannot compile $p.c"
done
trap 'pkill -9 -f "$TMP/" 2>/dev/null; rm -rf "$TMP"' EXIT
j() { jq -r "$2" "$1" 2>/dev/null; }
pct() { j "$1" "[.metrics.cpu.top_self[] | select(.name == \"$2\") | .self_pct] | first // 0"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# ---- the hot function ----
run "$PERFAGENT" profile --no-progress -o "$TMP/hot.json" --flamegraph "$TMP/hot.svg" --folded "$TMP/hot.folded" \
	--speedscope "$TMP/hot.speedscope.json" -- "$TMP/hot" 2
expect_rc "profile runs hot" 0
H="$TMP/hot.json"
p=$(pct "$H" hot_loop)
ge "$p" 90 && ok "hot_loop has $p% of the samples" || not_ok "hot_loop share $p: $(j "$H" '.metrics.cpu.top_self')"
ge "$(j "$H" '.metrics.cpu.samples')" 150 && ok "about 99 samples a second ($(j "$H" '.metrics.cpu.samples') in 2 s)" ||
	not_ok "samples $(j "$H" '.metrics.cpu.samples')"
grep -q "main;work;hot_loop" "$TMP/hot.folded" && ok "the call path main -> work -> hot_loop" ||
	not_ok "folded: $(head -3 "$TMP/hot.folded")"
first=$(grep -n 'hot_loop(double seconds)$' "$F/hot.c" | tail -1 | cut -d: -f1)
line=$(j "$H" '.metrics.cpu.hottest_lines[0].line')
[ "$(j "$H" '.metrics.cpu.hottest_lines[0].function')" = hot_loop ] && [ "$line" -gt "$first" ] && [ "$line" -lt $((first + 15)) ] &&
	ok "the hottest line is inside hot_loop (hot.c:$line)" || not_ok "hottest line: $(j "$H" '.metrics.cpu.hottest_lines[0]')"
[ "$(j "$H" '[.findings[] | select(.rule == "hot-function") | .location.function] | join(",")')" = hot_loop ] &&
	ok "finding hot-function names hot_loop" || not_ok "hot-function: $(j "$H" '[.findings[].title]')"
[ "$(j "$H" '.metrics.exit_code')" = 0 ] && ok "exit code 0 recorded" || not_ok "exit code"
ge "$(j "$H" '.metrics.cpu_user_s')" 1.5 && ok "user CPU measured" || not_ok "cpu_user_s $(j "$H" '.metrics.cpu_user_s')"
grep -q "<svg" "$TMP/hot.svg" && grep -q "hot_loop" "$TMP/hot.svg" && grep -q "<script" "$TMP/hot.svg" &&
	ok "a flame graph SVG with its script" || not_ok "flame graph"
[ "$(jq -r '."$schema"' "$TMP/hot.speedscope.json")" = "https://www.speedscope.app/file-format-schema.json" ] &&
	ok "speedscope JSON" || not_ok "speedscope"
[ "$(j "$H" '[.artifacts[].kind] | join(",")')" = "folded,flamegraph,speedscope" ] && ok "the files are artifacts" ||
	not_ok "artifacts $(j "$H" '.artifacts')"

# ---- memory: a leak, a plateau ----
run "$PERFAGENT" profile --no-progress --json -- "$TMP/leak" 5
[ "$(jq -r '.metrics.memory.growth' "$TMP/out")" = rapid ] && ok "leak.c: a rapid leak ($(jq -r '.metrics.memory.slope_mb_per_min' "$TMP/out") MB/min)" ||
	not_ok "leak: $(jq -c '.metrics.memory | del(.timeline)' "$TMP/out")"
[ "$(jq -r '.findings[] | select(.rule == "memory-leak") | .severity' "$TMP/out")" = high ] && ok "memory-leak is high" ||
	not_ok "memory-leak finding"
run "$PERFAGENT" profile --no-progress --json -- "$TMP/plateau" 5
[ "$(jq -r '.metrics.memory.growth' "$TMP/out")" = none ] && ok "plateau.c: no leak" ||
	not_ok "plateau: $(jq -c '.metrics.memory | del(.timeline)' "$TMP/out")"
[ -z "$(jq -r '.findings[] | select(.rule == "memory-leak") | .rule' "$TMP/out")" ] && ok "no memory-leak finding for a plateau" ||
	not_ok "plateau has a memory-leak finding"
ge "$(jq -r '.metrics.memory.timeline | length' "$TMP/out")" 80 && ok "a timeline every 50 ms" || not_ok "timeline length"

# ---- threads, short, crash ----
run "$PERFAGENT" profile --no-progress --json -- "$TMP/threads" 1
for f in thread_a thread_b thread_c thread_d; do
	ge "$(pct "$TMP/out" $f)" 10 && ok "$f sampled ($(pct "$TMP/out" $f)%)" || not_ok "$f: $(jq -c '.metrics.cpu.top_self' "$TMP/out")"
done
run "$PERFAGENT" profile --no-progress --json -- "$TMP/short"
expect_rc "a program under 50 ms" 0
awk -v w="$(jq -r '.metrics.wall_s' "$TMP/out")" -v r="$(jq -r '.metrics.peak_rss_mb' "$TMP/out")" 'BEGIN { exit !(w < 1 && r > 0) }' &&
	ok "short.c: its wall time and peak RSS are reported" || not_ok "short: $(jq -c '.metrics | del(.memory, .cpu)' "$TMP/out")"
run "$PERFAGENT" profile --no-progress --json -- "$TMP/crash"
expect_err "a crash: exit 3, the signal named" 3 "was killed by signal 11 (SIGSEGV)"
[ "$(j "$TMP/out" '.metrics.signal')" = SEGV ] && [ "$(j "$TMP/out" '.findings[] | select(.rule == "crashed") | .severity')" = high ] &&
	ok "a crash: the result says so" || not_ok "crash result"

# ---- --duration, --pid, Ctrl-C ----
run "$PERFAGENT" profile --no-progress --json --duration 1 -- "$TMP/hot" 30
awk -v w="$(jq -r '.metrics.wall_s' "$TMP/out")" 'BEGIN { exit !(w >= 0.9 && w < 3) }' &&
	[ "$(jq -r '.metrics.stopped_by' "$TMP/out")" = duration ] && ok "--duration 1 stops after a second" ||
	not_ok "duration: $(jq -c '.metrics | {wall_s, stopped_by}' "$TMP/out")"
pgrep -f "$TMP/hot 30" >/dev/null && not_ok "--duration left the command running" || ok "--duration ends the command"
"$TMP/hot" 4 &
HP=$!
sleep 0.3
run "$PERFAGENT" profile --no-progress --json --pid "$HP" --duration 1.5
ge "$(pct "$TMP/out" hot_loop)" 90 && ok "--pid: hot_loop found in a running process" || not_ok "--pid: $(jq -c '.metrics.cpu.top_self' "$TMP/out")"
kill -0 "$HP" 2>/dev/null && ok "--pid leaves the process running" || not_ok "--pid killed the process"
kill "$HP" 2>/dev/null
wait "$HP" 2>/dev/null
"$PERFAGENT" profile --no-progress --json -- "$TMP/hot" 20 >"$TMP/int.json" 2>"$TMP/int.err" &
PA=$!
sleep 1.5
kill -INT "$PA"
wait "$PA"
[ "$(jq -r '.metrics.stopped_by' "$TMP/int.json")" = interrupted ] && ge "$(pct "$TMP/int.json" hot_loop)" 90 &&
	ok "Ctrl-C: what was seen is reported" || not_ok "Ctrl-C: $(head -c 300 "$TMP/int.json") $(cat "$TMP/int.err")"
pgrep -f "$TMP/hot 20" >/dev/null && not_ok "Ctrl-C left the command running" || ok "Ctrl-C ends the command"

# ---- Python: the interpreter's frames, merged ----
if /usr/bin/python3 -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)'; then
	run "$PERFAGENT" profile --no-progress --json --folded "$TMP/py.folded" -- /usr/bin/python3 "$F/hot.py" 2
	expect_rc "profile a Python program" 0
	ge "$(pct "$TMP/out" hot_function)" 90 && ok "hot.py: hot_function has $(pct "$TMP/out" hot_function)% of the samples" ||
		not_ok "hot.py: $(jq -c '.metrics.cpu.top_self[:4]' "$TMP/out")"
	[ "$(jq -r '.metrics.cpu.top_self[0].kind' "$TMP/out")" = python ] && ok "it is a Python frame" || not_ok "kind"
	grep -q '^<module> (.*hot.py:[0-9]*);main (.*hot.py:[0-9]*);hot_function (.*hot.py:[0-9]*) ' "$TMP/py.folded" &&
		ok "the Python call path <module> -> main -> hot_function, with lines" || not_ok "py folded: $(head -3 "$TMP/py.folded")"
	def=$(grep -n '^def hot_function' "$F/hot.py" | cut -d: -f1)
	hl=$(jq -r '.metrics.cpu.hottest_lines[0].line' "$TMP/out")
	[ "$hl" -gt "$def" ] && [ "$hl" -lt $((def + 15)) ] && ok "the hottest line is in hot_function (hot.py:$hl)" ||
		not_ok "hottest python line $hl"
	[ "$(jq -r '.metrics.cpu.python' "$TMP/out")" != null ] && ok "the interpreter is named ($(jq -r '.metrics.cpu.python' "$TMP/out"))" ||
		not_ok "cpu.python"
	# without perf events: the Python stacks of running threads, from /proc and process_vm_readv
	PERFAGENT_PERF_OFF=1 "$PERFAGENT" profile --no-progress --json -- /usr/bin/python3 "$F/hot.py" 2 >"$TMP/out" 2>"$TMP/err"
	ge "$(pct "$TMP/out" hot_function)" 90 && jq -r '.metrics.cpu.sampler' "$TMP/out" | grep -q "perf events are unavailable" &&
		ok "no perf events: the fallback finds hot_function and says it was used" ||
		not_ok "fallback: $(jq -c '.metrics.cpu | {sampler, top: .top_self[:2]}' "$TMP/out")"
	# the memory verdict on Python programs: a list that keeps growing, and one that stops
	run "$PERFAGENT" profile --no-progress --json -- /usr/bin/python3 "$F/leak.py" 5
	[ "$(jq -r '.metrics.memory.growth' "$TMP/out")" = rapid ] && ok "leak.py: a rapid leak" ||
		not_ok "leak.py: $(jq -c '.metrics.memory | del(.timeline)' "$TMP/out")"
	run "$PERFAGENT" profile --no-progress --json -- /usr/bin/python3 "$F/plateau.py" 5
	[ "$(jq -r '.metrics.memory.growth' "$TMP/out")" = none ] && ok "plateau.py: no leak" ||
		not_ok "plateau.py: $(jq -c '.metrics.memory | del(.timeline)' "$TMP/out")"
	run "$PERFAGENT" profile --no-progress --json --python off -- /usr/bin/python3 "$F/hot.py" 1
	[ "$(jq -r '[.metrics.cpu.top_self[] | select(.kind == "python")] | length' "$TMP/out")" = 0 ] &&
		ok "--python off: native frames only" || not_ok "--python off"
	run "$PERFAGENT" profile --no-progress --python on -- "$TMP/short"
	expect_err "--python on, not Python" 3 "--python on: process"
else
	ok "# skip: /usr/bin/python3 is not CPython 3.11 or 3.12"
fi

# ---- what a review found: children at --duration, a pid that exits, Ctrl-C from a terminal ----
run "$PERFAGENT" profile --no-progress --json --duration 0.5 -- sh -c "$TMP/hot 6; true"
sleep 0.2
pgrep -f "$TMP/hot 6" >/dev/null && not_ok "--duration left the command's child running" || ok "--duration ends the command's children too"
"$TMP/hot" 1.5 &
HP=$!
sleep 0.2
run "$PERFAGENT" profile --no-progress --json --pid "$HP"
wait "$HP" 2>/dev/null
ge "$(pct "$TMP/out" hot_loop)" 90 && ok "--pid on a process that exits during the run: still symbolized" ||
	not_ok "--pid exited: $(jq -c '.metrics.cpu.top_self[:2]' "$TMP/out")"
# a terminal's Ctrl-C reaches the whole foreground group, the command too: an interrupt, not a crash
setsid bash -c "\"$PERFAGENT\" profile --no-progress --json -- \"$TMP/hot\" 8 >\"$TMP/grp.json\" 2>\"$TMP/grp.err\" & sleep 1.5; kill -INT -\$\$; wait" 2>/dev/null
for _ in $(seq 1 50); do [ -s "$TMP/grp.json" ] && break; sleep 0.1; done
[ "$(j "$TMP/grp.json" '.metrics.stopped_by')" = interrupted ] && [ "$(j "$TMP/grp.json" '[.findings[] | select(.rule == "crashed")] | length')" = 0 ] &&
	ok "Ctrl-C to the whole group: interrupted, not crashed" || not_ok "group Ctrl-C: $(head -c 300 "$TMP/grp.json") $(cat "$TMP/grp.err")"
if /usr/bin/python3 -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)'; then
	run "$PERFAGENT" profile --no-progress --json -- sh -c "/usr/bin/python3 $F/hot.py 2"
	ge "$(pct "$TMP/out" hot_function)" 90 && ok "Python under a launcher shell: its frames are found" ||
		not_ok "launcher: $(jq -c '.metrics.cpu | {python, python_error, top: .top_self[:2]}' "$TMP/out")"
fi

# ---- bad input ----
run "$PERFAGENT" profile
expect_err "nothing to profile" 2 "nothing to profile: give a command after --"
run "$PERFAGENT" profile -- "$TMP/no-such-program"
expect_err "a missing program" 3 "cannot run '$TMP/no-such-program': No such file or directory"
run "$PERFAGENT" profile --pid 999999999
expect_err "a pid that is not there" 3 "no process 999999999"
run "$PERFAGENT" profile --hz 0 -- true
expect_err "--hz 0" 2 "--hz '0': expected 1 to 10000"
run "$PERFAGENT" profile --python maybe -- true
expect_err "--python maybe" 2 "--python 'maybe': expected auto, on or off"
run "$PERFAGENT" profile --pid 1 -- true
expect_err "--pid and a command" 2 "give either --pid or a command after --, not both"
done_testing
