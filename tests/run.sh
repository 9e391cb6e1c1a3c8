#!/usr/bin/env bash
# run.sh: every test perfagent has, counted together. Called by `make test`
# (and `make asan`) with PERFAGENT, BUILD and FUZZ set.
#
#   unit tests       $BUILD/tests/test_*      cmocka, TAP output
#   command line     tests/cli/*.sh           black-box, TAP
#   integration      tests/integration/*.sh   real servers, TAP (when present)
#   fuzz smoke       $FUZZ/fuzz_*             corpus replayed, then a short run
#
# Each TAP "ok" is a pass and each "not ok" a failure; a program that exits
# non-zero without reporting a failure, or reports nothing, counts as one
# failure. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
: "${PERFAGENT:?set PERFAGENT (run through make test)}" "${BUILD:?}" "${FUZZ:?}"
export PERFAGENT
FUZZ_SECONDS=${FUZZ_SECONDS:-5}

pass=0
fail=0
log=$(mktemp -d "${TMPDIR:-/tmp}/perfagent-run.XXXXXX")
trap 'rm -rf "$log"' EXIT

# tally NAME OUTPUT_FILE EXIT_CODE
tally() {
	local name=$1 out=$2 rc=$3 p f sk
	p=$(grep -cE '^ok [0-9]+' "$out")
	# cmocka reports a skipped test as "not ok N # SKIP": not run, so neither passed nor failed
	f=$(grep -E '^not ok [0-9]+' "$out" | grep -cv '# SKIP')
	sk=$(grep -E '^not ok [0-9]+' "$out" | grep -c '# SKIP')
	if [ "$f" -eq 0 ] && { [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; }; then
		f=1
		echo "FAIL $name: exit code $rc, $p passed before it stopped"
		tail -n 15 "$out" | sed 's/^/    /'
	fi
	if [ "$f" -gt 0 ] && grep -qE '^not ok' "$out"; then
		echo "FAIL $name:"
		awk '/^not ok/ && !/# SKIP/{p=1; print "    " $0; next} /^(ok|not ok|1\.\.)/{p=0} p && /^#/{print "    " $0}' "$out"
	fi
	if [ "$sk" -gt 0 ]; then
		printf '%-34s %4d passed, %d failed (%d skipped)\n' "$name" "$p" "$f" "$sk"
	else
		printf '%-34s %4d passed, %d failed\n' "$name" "$p" "$f"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log/out" 2>&1
	tally "unit/$(basename "$t")" "$log/out" $?
done

for t in tests/cli/*.sh tests/integration/*.sh; do
	[ -f "$t" ] || continue
	timeout 900 bash "$t" >"$log/out" 2>&1
	tally "${t#tests/}" "$log/out" $?
done

n=0
for t in "$FUZZ"/fuzz_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	name=$(basename "$t")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	{
		n=0
		# Replay: every corpus file is a regression test.
		if "$t" "$corpus"/* >"$log/fz" 2>&1; then
			echo "ok 1 - $name replays its corpus ($(ls "$corpus" | wc -l) inputs)"
		else
			echo "not ok 1 - $name replays its corpus"
			tail -n 20 "$log/fz" | sed 's/^/# /'
		fi
		mkdir -p "$log/$name"
		if timeout $((FUZZ_SECONDS + 60)) "$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
			-rss_limit_mb=2048 "$log/$name" "$corpus" >"$log/fz" 2>&1; then
			echo "ok 2 - $name fuzzes ${FUZZ_SECONDS}s without a crash ($(grep -oE 'Done [0-9]+ runs' "$log/fz"))"
		else
			echo "not ok 2 - $name fuzzing found a problem"
			grep -E 'ERROR|SUMMARY|Test unit written' "$log/fz" | head -5 | sed 's/^/# /'
		fi
	} >"$log/out"
	tally "fuzz/$name" "$log/out" 0
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
