#!/usr/bin/env bash
# report_scale.sh: how `perfagent report` scales with the number of findings.
#
# No tool renders perfagent results, so there is no competitor to run side
# by side; what this guards is linearity. It generates result files with N
# findings (half of them also in a baseline, at another severity, plus N/2
# baseline-only findings), renders the report with the baseline, checks the
# output's counts (a fast wrong answer fails), and prints the median time of
# 5 runs per size and the time per finding. At 16x the findings, the time
# per finding should stay flat; a ratio well above 1 means super-linear work.
#
# Every finding carries its own recommendation, so the de-duplication of the
# Recommendations list is measured at full size too.
#
# Usage: bench/report_scale.sh [PERFAGENT]   (default ./perfagent)
set -euo pipefail
cd "$(dirname "$0")/.."
PA=${1:-./perfagent}
[ -x "$PA" ] || { echo "report_scale: build first (make)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen FILE N OFFSET SEVERITY: a scan result with N findings on lines OFFSET+1..
gen() {
	awk -v n="$2" -v off="$3" -v sev="$4" 'BEGIN {
		printf "{\"schema\":\"perfagent.result/1\",\"command\":\"scan\",\"version\":\"0.1.0\",";
		printf "\"started_at\":\"2026-11-24T10:00:00Z\",\"duration_s\":1,\"target\":{\"dir\":\"app\"},";
		printf "\"metrics\":{\"p95_ms\":%d},\"findings\":[", 100 + off;
		for (i = 1; i <= n; i++) {
			if (i > 1) printf ",";
			printf "{\"rule\":\"quadratic\",\"severity\":\"%s\",\"title\":\"finding %d\",", sev, i + off;
			printf "\"location\":{\"file\":\"app/m%d.py\",\"line\":%d},", (i + off) % 97, i + off;
			printf "\"impact\":\"%dx slower\",\"problem\":\"for a in xs:\\n    for b in xs:\\n        pass\",", (i * 7) % 13 + 1;
			printf "\"recommendation\":\"Fix module %d\"}", i + off;
		}
		printf "]}\n";
	}' >"$1"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-10s %-12s %-14s %s\n' findings "median ms" "us/finding" check
prev=""
for n in 1000 4000 16000; do
	gen "$tmp/after.json" "$n" 0 medium
	# The baseline shares the first half at high severity and adds n/2 of its own.
	gen "$tmp/b1.json" $((n / 2)) 0 high
	gen "$tmp/b2.json" $((n / 2)) $((n * 10)) low
	times=()
	for run in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$PA" report "$tmp/after.json" --baseline "$tmp/b1.json" "$tmp/b2.json" -o "$tmp/r.md" -q
		e=$(date +%s%N)
		times+=($(((e - s) / 1000000)))
	done
	med=$(printf '%s\n' "${times[@]}" | median)
	want="$((n / 2)) resolved, $((n / 2)) new, $((n / 2)) less severe, 0 unchanged."
	if grep -qF "$want" "$tmp/r.md" && grep -q "^### PERF-$(printf '%03d' "$n"):" "$tmp/r.md"; then check=ok; else check=WRONG; fi
	per=$(awk -v m="$med" -v n="$n" 'BEGIN {printf "%.1f", m * 1000 / n}')
	printf '%-10s %-12s %-14s %s\n' "$n" "$med" "$per" "$check"
	[ "$check" = ok ] || exit 1
	[ -z "$prev" ] && first=$per
	prev=$per
done
awk -v a="$first" -v b="$prev" 'BEGIN {printf "time per finding, 16000 vs 1000: %.2fx (1.00 = linear)\n", b / a}'
