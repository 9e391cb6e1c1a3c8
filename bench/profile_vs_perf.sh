#!/usr/bin/env bash
# profile_vs_perf.sh: `perfagent profile` beside `perf record -g` (Debian's
# linux-perf) and, for Python, cProfile — the same programs, in one run.
#
# 1. Agreement. tests/fixtures/prof/hot.c and threads.c, compiled here as the
#    integration test does (cc -O1 -g -fno-omit-frame-pointer -pthread), each
#    run once under `perf record -e cpu-clock:u -F 99 -g`, once under
#    `perfagent profile --hz 99 --json`, and once under both (below). Per
#    tool the top-5 functions by self share; then, over the functions in
#    either top 5, the largest |perf - perfagent| in percentage points, a
#    function absent from one side's data counting 0 there. Goal: within
#    5 points.
#    - perf's side is tallied here from `perf script -G -F ip,sym`: one line
#      per sample, the sampled ip and its symbol — the leaf frame — counted
#      with awk. Chosen over parsing `perf report --stdio`, whose layout
#      (call graphs under each line, columns, headers) changes with perf's
#      version and options; the tally also gives exact counts and the sample
#      total it is a share of. perfagent's side is .metrics.cpu.top_self[]
#      (self_pct), functions with no self samples left out.
#    - Why `cpu-clock:u` and not perf's default event: perfagent samples the
#      software cpu-clock, user space only. Without a PMU perf's default is
#      cpu-clock too, and as a non-root user with perf_event_paranoid 2 it
#      adds `:u` by itself; as root (or with a PMU: cycles) it would sample
#      something else and the shares would not be of the same thing.
#    - "separate": as a user would, one run under each tool. The two tools
#      then see two different runs: hot.c is one function (100% on both,
#      any difference is a bug), but in threads.c four threads share two
#      cores, and how evenly the scheduler spreads them differs from run to
#      run by a point or two — more when the machine is busy — which is in
#      the difference too, though it is not the tools'. So each program also
#      runs once under both at the same time, "same-run":
#      `perf record ... -- perfagent profile ... -- PROG`, perf's samples
#      counted for PROG's threads only (`perf script --comms PROG`: perf
#      also samples perfagent itself). Both sample the same CPU time, so
#      what differs there is the tools. Both lines get a verdict.
#
# 2. Overhead. hot.c and threads.c run for a fixed *time*, so profiling
#    cannot make them slower. Overhead is measured on fixed *work* instead:
#    work.c, written here, N iterations of the same floating-point loop,
#    in 1 thread (C_ITERS, ~2 s here) and in 4 threads of C_ITERS/2 each
#    (~2 s on 2 idle cores). RUNS rounds (default 5); in each, the program
#    plain, under `perf record -e cpu-clock:u -F 99 -g -o FILE` and under
#    `perfagent profile --hz 99 --no-progress --json >FILE`, in an order
#    that rotates each round (none always goes first). Overhead = median(profiled wall) / median(plain wall)
#    - 1; goal for perfagent: within 5%. perf's is printed beside it, no
#    goal. Wall is the whole command as a user waits for it ($EPOCHREALTIME
#    around it): start-up and the work after the program exits (symbols,
#    writing files) included. The program also writes its own elapsed time
#    (clock_gettime from main to its end), printed as "in-program": the
#    slowdown of the program itself, without the tool's fixed costs.
#    perfagent's JSON goes to a file instead of /dev/null so each run can be
#    checked to have samples (it is a few kB: no difference in time).
#    perf record 6.1 has a fixed cost of ~1 s per run here: at exit it joins
#    its BPF side-band thread, which polls with a 1000 ms timeout (strace
#    shows the wait); `--no-bpf-event` removes it. It is not passed — that
#    is what `perf record` costs a user — but PERF_OPTS=--no-bpf-event
#    shows perf without it.
#
# 3. Python. If PYTHON (/usr/bin/python3) is 3.11 or 3.12:
#    tests/fixtures/prof/hot.py under `python3 -m cProfile -s tottime hot.py
#    2` and under perfagent: cProfile's first function by tottime, and the
#    first top_self entry of kind "python". Goal: the same function. A
#    perfagent that reads no Python frames (an older build, or one that
#    could not attach) has no python entry: then this says so and skips the
#    agreement. Overhead as above on
#    work.py, written here: a loop of PY_ITERS calls to a small function
#    (~1.8 s plain here) — plain, `python3 -m cProfile -o FILE`, perfagent.
#    Goals: perfagent within 5%, and below cProfile's overhead.
#
# Every run is checked: exit status 0, the program's own elapsed time
# written, and samples — at least MIN_SAMPLES (50) in an agreement run, at
# least one in an overhead run (perf's "(N samples)", perfagent's
# .metrics.cpu.samples). A run that fails or measured nothing stops the
# benchmark with exit 1. The goals are reported PASS/FAIL; they do not set
# the exit code (a timing on a shared machine is not a pass/fail fact).
# The load average is printed at the start and the end: on the shared
# 2-core machines a busy neighbour shows as spread between rounds.
#
# Usage: bench/profile_vs_perf.sh      (after `make`)
#   RUNS=N          overhead rounds (default 5); the whole run takes ~2.5 min
#   PERFAGENT=PATH  default ./perfagent
#   PERF=PATH       default perf
#   PERF_OPTS=...   extra `perf record` options (e.g. --no-bpf-event), all perf runs
#   PYTHON=PATH     default /usr/bin/python3
#   AGREE_S=S       how long hot and threads run for the agreement (default 3)
#   C_ITERS=N       work.c iterations, 1 thread (default 400000000)
#   PY_ITERS=N      work.py iterations (default 30000000)
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
RUNS=${RUNS:-5}
PA=${PERFAGENT:-./perfagent}
PERF=${PERF:-perf}
PERF_OPTS=${PERF_OPTS:-}
PY=${PYTHON:-/usr/bin/python3}
AGREE_S=${AGREE_S:-3}
C_ITERS=${C_ITERS:-400000000}
PY_ITERS=${PY_ITERS:-30000000}
MIN_SAMPLES=50
SHARE_GOAL=5    # percentage points
OVH_GOAL=5      # percent of unprofiled wall time
F=tests/fixtures/prof
die() { echo "profile_vs_perf: $*" >&2; exit 2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS wants a positive integer, not '$RUNS'"
[[ $C_ITERS =~ ^[1-9][0-9]*$ && $PY_ITERS =~ ^[1-9][0-9]*$ ]] || die "C_ITERS and PY_ITERS want positive integers"
[[ $AGREE_S =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "AGREE_S wants seconds, not '$AGREE_S'"
[ -x "$PA" ] || die "no $PA: run 'make' first (or set PERFAGENT)"
command -v "$PERF" >/dev/null || die "no '$PERF': apt-get install linux-perf (or set PERF)"
command -v jq >/dev/null || die "jq is not installed"
command -v cc >/dev/null || die "no C compiler (cc)"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 is needed (\$EPOCHREALTIME)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/profile_vs_perf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $1" >&2
	shift
	for f in "$@"; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
	exit 1
}

# ---- the programs ----
CFLAGS="-O1 -g -fno-omit-frame-pointer -pthread"
for p in hot threads; do
	# shellcheck disable=SC2086
	cc $CFLAGS -o "$tmp/$p" "$F/$p.c" || die "cannot compile $F/$p.c"
done
cat >"$tmp/work.c" <<'EOF'
/* work ITERS THREADS OUT: ITERS iterations of a floating-point loop in each
 * of THREADS threads (main is one of them); a fixed amount of work, so a
 * profiler's overhead shows as time. Writes elapsed_s=S (main's start to
 * its end, CLOCK_MONOTONIC) to OUT. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iters;
static volatile double sink[64];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static double spin(long n, double k)
{
	double a = 1.0, b = k;
	for (long i = 0; i < n; i++) {
		a = a * 0.9999999 + k;
		b += a / (b + 1.0);
	}
	return a + b;
}

static void *worker(void *arg)
{
	long i = (long)arg;
	sink[i] = spin(iters, (double)(i + 1));
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	iters = atol(argv[1]);
	int nt = atoi(argv[2]);
	if (iters <= 0 || nt < 1 || nt > 64)
		return 2;
	double t0 = now();
	pthread_t t[64];
	for (long i = 1; i < nt; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 1;
	worker((void *)0);
	for (int i = 1; i < nt; i++)
		pthread_join(t[i], NULL);
	FILE *f = fopen(argv[3], "w");
	if (!f)
		return 1;
	fprintf(f, "elapsed_s=%.6f\n", now() - t0);
	return fclose(f) ? 1 : 0;
}
EOF
# shellcheck disable=SC2086
cc $CFLAGS -Wall -Wextra -o "$tmp/work" "$tmp/work.c" || die "cannot compile work.c"
cat >"$tmp/work.py" <<'EOF'
# work.py ITERS OUT: ITERS calls of a small function, a fixed amount of
# work (what cProfile pays for is the calls); writes elapsed_s=S to OUT.
import sys
import time


def step(x):
    return x * 0.5 + 1.0


def main():
    n = int(sys.argv[1])
    t0 = time.monotonic()
    s = 0.0
    for i in range(n):
        s += step(i)
    with open(sys.argv[2], "w") as f:
        f.write("elapsed_s=%.6f\n" % (time.monotonic() - t0))


main()
EOF

py_ok=""
if [ -x "$PY" ]; then
	pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	case $pyver in 3.11 | 3.12) py_ok=1 ;; esac
fi

echo "profile_vs_perf: $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "perf: $("$PERF" --version)   perfagent: $("$PA" --version 2>/dev/null | head -n 1)   cc: $(cc --version | head -n 1)"
if [ -n "$py_ok" ]; then echo "python: $pyver ($PY)"; else echo "python: ${pyver:-none} ($PY) — not 3.11 or 3.12: the Python part is skipped"; fi
echo "perf record options: -e cpu-clock:u -F 99 -g $PERF_OPTS"

# ---- helpers ----
# since T0: seconds from $EPOCHREALTIME T0 to now.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f", b - a}'; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
# perf_samples ERRFILE: N from perf record's "(N samples)" line, or "".
perf_samples() { { grep -o '([0-9]* samples)' "$1" || true; } | tail -n 1 | tr -dc 0-9; }
# pa_check JSON WHAT MIN: perfagent's result is JSON with exit code 0 and at least MIN samples.
pa_check() {
	jq -e . "$1" >/dev/null 2>&1 || fail "$2: perfagent printed no JSON" "$1.err" "$1"
	[ "$(jq -r '.metrics.exit_code' "$1")" = 0 ] || fail "$2: the profiled program did not exit 0 ($(jq -c '.metrics | {exit_code, signal}' "$1"))"
	local n
	n=$(jq -r '.metrics.cpu.samples // 0' "$1")
	[ "$n" -ge "$3" ] || fail "$2: perfagent took $n CPU samples (want >= $3): $(jq -r '.metrics.cpu.sampler' "$1")" "$1.err"
}

# ---- 1. agreement ----
# perf_tally DATA OUT [COMM]: "pct name" per leaf symbol (all of them, by
# share) from perf's samples — of the threads named COMM only, if given; the
# sample count in $nperf.
# pa_tally JSON OUT: the same from perfagent's top_self (functions with self samples).
perf_tally() {
	"$PERF" script -i "$1" ${3:+--comms "$3"} -G -F ip,sym 2>"$2.err" >"$2.raw" || fail "perf script -i $1 failed" "$2.err"
	awk '{ $1 = ""; sub(/^ +/, ""); if ($0 == "") $0 = "[unknown]"; n[$0]++; t++ }
	     END { for (s in n) printf "%.1f %s\n", 100 * n[s] / t, s }' "$2.raw" | sort -k1,1gr -k2 >"$2"
	nperf=$(wc -l <"$2.raw")
}
pa_tally() {
	jq -r '.metrics.cpu.top_self[] | select(.self > 0) | "\(.self_pct) \(.name)"' "$1" | sort -k1,1gr -k2 >"$2"
}
# compare NAME HOW PERF_TALLY PA_TALLY: the largest |perf - perfagent| over the
# functions in either top 5 (absent on one side: 0 there); printed, and kept
# as "NAME HOW points function" in $tmp/agree.
: >"$tmp/agree"
compare() {
	awk -v name="$1" -v how="$2" -v out="$tmp/agree" '
		FNR == 1 { side++ }
		{ p = $1; $1 = ""; sub(/^ /, ""); pct[side, $0] = p; if (FNR <= 5) top[$0] = 1 }
		END {
			worst = -1
			for (f in top) {
				d = pct[1, f] - pct[2, f]; if (d < 0) d = -d
				if (d > worst) { worst = d; wf = f }
			}
			printf "   %-13s max |perf - perfagent| = %4.1f points (%s: %.1f%% / %.1f%%)\n", how, worst, wf, pct[1, wf], pct[2, wf]
			printf "%s %s %.1f %s\n", name, how, worst, wf >> out
		}' "$3" "$4"
}
# agree NAME CMD...: CMD under perf record, under perfagent, then under both at once.
agree() {
	local name=$1 rc=0 np
	shift
	# shellcheck disable=SC2086
	"$PERF" record $PERF_OPTS -e cpu-clock:u -F 99 -g -o "$tmp/$name.data" -- "$@" >/dev/null 2>"$tmp/$name.perf.err" || rc=$?
	[ "$rc" = 0 ] || fail "perf record of $name exited $rc" "$tmp/$name.perf.err"
	perf_tally "$tmp/$name.data" "$tmp/$name.perf"
	[ "$nperf" -ge "$MIN_SAMPLES" ] || fail "perf record of $name: $nperf samples (want >= $MIN_SAMPLES)" "$tmp/$name.perf.err"
	rc=0
	"$PA" profile --hz 99 --json --no-progress -- "$@" >"$tmp/$name.json" 2>"$tmp/$name.json.err" || rc=$?
	[ "$rc" = 0 ] || fail "perfagent profile of $name exited $rc" "$tmp/$name.json.err"
	pa_check "$tmp/$name.json" "perfagent profile of $name" "$MIN_SAMPLES"
	pa_tally "$tmp/$name.json" "$tmp/$name.pa"
	np=$(jq -r '.metrics.cpu.samples' "$tmp/$name.json")
	echo
	echo "$name ($*): top 5 by self share — perf record $nperf samples, perfagent $np samples"
	printf '   %-30s   %-30s\n' "perf record" "perfagent"
	paste -d'|' <(head -n 5 "$tmp/$name.perf") <(head -n 5 "$tmp/$name.pa") |
		awk -F'|' '{ split($1, a, " "); split($2, b, " ")
			l = $1 == "" ? "" : sprintf("%5.1f%%  %s", a[1], substr($1, length(a[1]) + 2))
			r = $2 == "" ? "" : sprintf("%5.1f%%  %s", b[1], substr($2, length(b[1]) + 2))
			printf "   %-30s   %-30s\n", l, r }'
	compare "$name" separate "$tmp/$name.perf" "$tmp/$name.pa"
	# The same run seen by both: perf record runs perfagent, which runs the
	# program; perf's samples of perfagent itself are left out by comm.
	rc=0
	# shellcheck disable=SC2086
	"$PERF" record $PERF_OPTS -e cpu-clock:u -F 99 -g -o "$tmp/$name.both.data" -- \
		"$PA" profile --hz 99 --json --no-progress -- "$@" >"$tmp/$name.both.json" 2>"$tmp/$name.both.err" || rc=$?
	[ "$rc" = 0 ] || fail "perf record of perfagent profile of $name exited $rc" "$tmp/$name.both.err"
	pa_check "$tmp/$name.both.json" "perfagent profile of $name under perf record" "$MIN_SAMPLES"
	pa_tally "$tmp/$name.both.json" "$tmp/$name.both.pa"
	perf_tally "$tmp/$name.both.data" "$tmp/$name.both.perf" "$(basename "$1" | cut -c1-15)"
	[ "$nperf" -ge "$MIN_SAMPLES" ] ||
		fail "perf record of perfagent profile of $name: $nperf samples of $name (want >= $MIN_SAMPLES)" "$tmp/$name.both.err"
	compare "$name" same-run "$tmp/$name.both.perf" "$tmp/$name.both.pa"
	echo "   (same-run: perf record -- perfagent profile -- $name, $nperf / $(jq -r '.metrics.cpu.samples' "$tmp/$name.both.json") samples)"
}
echo
echo "== agreement: perf record -g vs perfagent profile, 99 Hz, ${AGREE_S} s each"
agree hot "$tmp/hot" "$AGREE_S"
agree threads "$tmp/threads" "$AGREE_S"

py_top_cp="" py_top_pa=""
if [ -n "$py_ok" ]; then
	echo
	echo "== Python: $F/hot.py 2 under cProfile and perfagent"
	rc=0
	"$PY" -m cProfile -s tottime "$F/hot.py" 2 >"$tmp/cprof.txt" 2>"$tmp/cprof.err" || rc=$?
	[ "$rc" = 0 ] || fail "cProfile of hot.py exited $rc" "$tmp/cprof.err"
	# The first line after the "ncalls tottime ..." header: "... file:line(function)".
	cp_line=$(awk '/^ *ncalls +tottime/ { h = 1; next } h && NF >= 6 { print; exit }' "$tmp/cprof.txt")
	py_top_cp=$(echo "$cp_line" | awk '{ s = $6; for (i = 7; i <= NF; i++) s = s " " $i; print s }')
	[ -n "$py_top_cp" ] || fail "cProfile printed no function table" "$tmp/cprof.txt"
	rc=0
	"$PA" profile --hz 99 --json --no-progress -- "$PY" "$F/hot.py" 2 >"$tmp/hotpy.json" 2>"$tmp/hotpy.json.err" || rc=$?
	[ "$rc" = 0 ] || fail "perfagent profile of hot.py exited $rc" "$tmp/hotpy.json.err"
	pa_check "$tmp/hotpy.json" "perfagent profile of hot.py" "$MIN_SAMPLES"
	py_top_pa=$(jq -r '[.metrics.cpu.top_self[] | select(.kind == "python")] | first // empty |
		"\(.name) (\(.file // "?"), \(.self_pct)% self)"' "$tmp/hotpy.json")
	echo "   cProfile, first by tottime: $py_top_cp (tottime $(echo "$cp_line" | awk '{print $2}') s of $(grep -o 'in [0-9.]* seconds' "$tmp/cprof.txt" | head -n 1 | cut -d' ' -f2) s)"
	if [ -n "$py_top_pa" ]; then
		echo "   perfagent, first Python function by self: $py_top_pa"
	else
		echo "   perfagent: Python frames not available in this build (top native: $(jq -r '.metrics.cpu.top_self[0] | "\(.name) [\(.module)] \(.self_pct)%"' "$tmp/hotpy.json"))"
	fi
fi

# ---- 2. and 3. overhead ----
# run_one PROG MODE: one timed run; appends "wall in_program" to $tmp/ov.PROG.MODE.
run_one() {
	local prog=$1 mode=$2 cmd t0 wall el rc=0 n
	case $prog in
	c1) cmd=("$tmp/work" "$C_ITERS" 1 "$tmp/el") ;;
	c4) cmd=("$tmp/work" "$((C_ITERS / 2))" 4 "$tmp/el") ;;
	py) cmd=("$PY" "$tmp/work.py" "$PY_ITERS" "$tmp/el") ;;
	esac
	rm -f "$tmp/el" "$tmp/ov.data" "$tmp/ov.json"
	case $mode in
	plain)
		t0=$EPOCHREALTIME
		"${cmd[@]}" >/dev/null 2>"$tmp/ov.err" || rc=$?
		wall=$(since "$t0") ;;
	perf)
		t0=$EPOCHREALTIME
		# shellcheck disable=SC2086
		"$PERF" record $PERF_OPTS -e cpu-clock:u -F 99 -g -o "$tmp/ov.data" -- "${cmd[@]}" >/dev/null 2>"$tmp/ov.err" || rc=$?
		wall=$(since "$t0")
		n=$(perf_samples "$tmp/ov.err")
		[ "$rc" != 0 ] || [ "${n:-0}" -gt 0 ] || fail "perf record of $prog: no samples" "$tmp/ov.err" ;;
	cprofile)
		t0=$EPOCHREALTIME
		"$PY" -m cProfile -o "$tmp/ov.cprof" "${cmd[@]:1}" >/dev/null 2>"$tmp/ov.err" || rc=$?
		wall=$(since "$t0")
		[ "$rc" != 0 ] || [ -s "$tmp/ov.cprof" ] || fail "cProfile of $prog wrote no statistics" "$tmp/ov.err" ;;
	perfagent)
		t0=$EPOCHREALTIME
		"$PA" profile --hz 99 --no-progress --json -- "${cmd[@]}" >"$tmp/ov.json" 2>"$tmp/ov.err" || rc=$?
		wall=$(since "$t0")
		[ "$rc" != 0 ] || pa_check "$tmp/ov.json" "perfagent profile of $prog" 1 ;;
	esac
	[ "$rc" = 0 ] || fail "$mode run of $prog exited $rc" "$tmp/ov.err"
	el=$({ grep -o 'elapsed_s=[0-9.]*' "$tmp/el" 2>/dev/null || true; } | cut -d= -f2)
	isnum "$el" || fail "$mode run of $prog: the program did not write its elapsed time" "$tmp/ov.err"
	echo "$wall $el" >>"$tmp/ov.$prog.$mode"
	printf ' %s %.2f/%.2f' "$mode" "$wall" "$el"
}
# round PROG R MODES...: the modes once each, the order rotated by R.
round() {
	local prog=$1 r=$2 i k
	shift 2
	local modes=("$@")
	printf '   %-3s round %d:' "$prog" "$r"
	for ((i = 0; i < ${#modes[@]}; i++)); do
		k=$(((i + r - 1) % ${#modes[@]}))
		run_one "$prog" "${modes[$k]}"
	done
	echo
}
progs="c1 c4"
[ -z "$py_ok" ] || progs="$progs py"
echo
echo "== overhead: fixed work, $RUNS rounds (each run: wall/in-program seconds)"
echo "   c1 = work.c $C_ITERS iterations, 1 thread; c4 = 4 threads x $((C_ITERS / 2)); py = work.py $PY_ITERS calls"
for r in $(seq 1 "$RUNS"); do
	round c1 "$r" plain perf perfagent
	round c4 "$r" plain perf perfagent
	[ -z "$py_ok" ] || round py "$r" plain cprofile perfagent
done

# ---- summary ----
m() { awk -v c="$3" '{print $c}' "$tmp/ov.$1.$2" | median; }
spread() {
	local lo hi
	lo=$(awk -v c="$3" '{print $c}' "$tmp/ov.$1.$2" | sort -g | head -n 1)
	hi=$(awk -v c="$3" '{print $c}' "$tmp/ov.$1.$2" | sort -g | tail -n 1)
	printf '%.2f-%.2f' "$lo" "$hi"
}
ovh() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", 100 * (a / b - 1)}'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; }
verdict() { if le "$1" "$2"; then echo PASS; else echo FAIL; fi; }
echo
echo "== summary ($(date -u +%Y-%m-%d), $(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "agreement of self shares, top 5 of either tool (goal: max |diff| <= $SHARE_GOAL points)"
while read -r name how d f; do
	printf '   %-8s %-9s max |perf - perfagent| %4.1f points (%s)   %s\n' "$name" "$how" "$d" "$f" "$(verdict "$d" "$SHARE_GOAL")"
done <"$tmp/agree"
if [ -n "$py_ok" ]; then
	cp_fn=${py_top_cp##*(}
	cp_fn=${cp_fn%)}
	if [ -z "$py_top_pa" ]; then
		printf '   %-8s %-9s cProfile first: %s; perfagent: Python frames not available in this build   SKIP\n' hot.py "" "$py_top_cp"
	else
		pa_fn=${py_top_pa%% (*}
		pa_fn=${pa_fn##*[ .]}
		printf '   %-8s %-9s cProfile first: %s; perfagent first Python: %s   %s\n' hot.py "" "$py_top_cp" "$py_top_pa" \
			"$([ "$pa_fn" = "$cp_fn" ] && echo PASS || echo FAIL)"
	fi
fi
echo "overhead on fixed work: median wall of $RUNS runs [min-max]; in-program: the program's own elapsed time"
printf '   %-4s %-12s %-20s %9s %11s   %s\n' prog tool "  wall   [min-max]" overhead in-program goal
for prog in $progs; do
	if [ "$prog" = py ]; then other=cprofile; oname=cProfile; else other=perf; oname="perf record"; fi
	pw=$(m "$prog" plain 1) pe=$(m "$prog" plain 2)
	printf '   %-4s %-12s %6.2f s [%s]\n' "$prog" plain "$pw" "$(spread "$prog" plain 1)"
	for mode in "$other" perfagent; do
		w=$(m "$prog" "$mode" 1)
		o=$(ovh "$w" "$pw")
		if [ "$mode" = perfagent ]; then
			g="<= $OVH_GOAL%: $(verdict "$o" "$OVH_GOAL")"
			[ "$prog" != py ] || g="$g; below cProfile's: $(awk -v a="$o" -v c="$(ovh "$(m py cprofile 1)" "$pw")" 'BEGIN {print (a < c ? "PASS" : "FAIL")}')"
		else
			g="(reference)"
		fi
		printf '   %-4s %-12s %6.2f s [%s] %+8.1f%% %+10.1f%%   %s\n' "$prog" "$([ "$mode" = perfagent ] && echo perfagent || echo "$oname")" \
			"$w" "$(spread "$prog" "$mode" 1)" "$o" "$(ovh "$(m "$prog" "$mode" 2)" "$pe")" "$g"
	done
done
echo "(PASS/FAIL do not set the exit code; on a shared machine compare the spread [min-max] of plain runs"
echo " with an overhead before calling it real)"
