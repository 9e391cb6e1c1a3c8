#!/usr/bin/env bash
# scan_speed.sh: how fast `perfagent scan` reads a large real Python tree —
# the standard library of the machine's python3 — beside ruff's
# WebAssembly build (npm @astral-sh/ruff-wasm-nodejs, its PERF rules) and
# pylint (Debian) on comparable checks, in one run on the same files.
#
# Reports lines/s on one core (taskset -c 0) and on all cores, peak RSS,
# and the findings per rule; pylint only on a subset (it is ~100x slower).
# Checks perfagent's output first: the same findings on one core and on
# all cores (the thread pool must not change the answer).
#
# Usage: bench/scan_speed.sh [TREE]   (default: /usr/lib/python3.11, Debian's python3 stdlib)
# RUFF_WASM=path/to/@astral-sh/ruff-wasm-nodejs skips the npm install.
set -euo pipefail
cd "$(dirname "$0")/.."
PA=${PERFAGENT:-./perfagent}
MAXRSS=${MAXRSS:-build/default/tests/helpers/maxrss}
# Debian's python3 standard library when it is there (a clean Debian 12 has it), else python3's own.
if [ -n "${1:-}" ]; then TREE=$1
elif [ -d /usr/lib/python3.11 ]; then TREE=/usr/lib/python3.11
else TREE=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'); fi
[ -x "$PA" ] && [ -x "$MAXRSS" ] || { echo "scan_speed: run 'make unit-bins' first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$TREE" -name '*.py' -not -path '*/site-packages/*' | sort >"$tmp/files"
lines=$(xargs cat <"$tmp/files" | wc -l)
echo "tree: $TREE — $(wc -l <"$tmp/files") files, $lines lines; $(nproc) cores"

field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2; }
# median_run OUT CMD...: median wall (s) of 5 runs; the last run's stdout in OUT, its RSS in OUT.rss
median_run() {
	local out=$1 i
	shift
	: >"$tmp/times"
	for i in 1 2 3 4 5; do
		"$MAXRSS" "$@" >"$out" 2>"$out.rss" || true
		field wall_s "$out.rss" >>"$tmp/times"
	done
	sort -n "$tmp/times" | sed -n 3p
}

one=$(median_run "$tmp/one.json" taskset -c 0 "$PA" scan --json -q "$TREE")
all=$(median_run "$tmp/all.json" "$PA" scan --json -q "$TREE")
rss=$(field maxrss_kb "$tmp/all.json.rss")
jq -c '[.findings[] | [.location.file, .location.line, .rule]] | sort' "$tmp/one.json" >"$tmp/one.set"
jq -c '[.findings[] | [.location.file, .location.line, .rule]] | sort' "$tmp/all.json" >"$tmp/all.set"
if ! cmp -s "$tmp/one.set" "$tmp/all.set"; then
	echo "perfagent: one core and all cores found different things" >&2
	exit 1
fi
echo "perfagent scan findings by rule: $(jq -c '[.findings[].rule] | group_by(.) | map({(.[0]): length}) | add // {}' "$tmp/all.json")"

# ruff (WebAssembly, single-threaded), PERF rules; only the checking is timed.
if [ -z "${RUFF_WASM:-}" ]; then
	npm install --silent --no-audit --no-fund --prefix "$tmp/ruff" @astral-sh/ruff-wasm-nodejs@0.17.4 >/dev/null 2>&1 &&
		RUFF_WASM=$tmp/ruff/node_modules/@astral-sh/ruff-wasm-nodejs
fi
ruff_ms=""
if [ -n "${RUFF_WASM:-}" ]; then
	: >"$tmp/rtimes"
	for i in 1 2 3; do
		RUFF_WASM=$RUFF_WASM node bench/ruff_check.cjs PERF <"$tmp/files" >"$tmp/ruff.json"
		jq .ms "$tmp/ruff.json" >>"$tmp/rtimes"
	done
	ruff_ms=$(sort -n "$tmp/rtimes" | sed -n 2p)
	echo "ruff (wasm) PERF findings by rule: $(jq -c .by_rule "$tmp/ruff.json")"
fi

# pylint on a subset (asyncio, json, email), with checks close to ours.
sub="$TREE/asyncio $TREE/json $TREE/email"
# shellcheck disable=SC2086
sub_lines=$(find $sub -name '*.py' | xargs cat | wc -l)
# shellcheck disable=SC2086
pl=$(median_run "$tmp/pl.out" pylint --jobs=1 --disable=all \
	--enable=consider-using-in,consider-using-set-comprehension,consider-using-dict-items,use-a-generator,consider-using-generator,unnecessary-comprehension \
	--score=n $sub)
# shellcheck disable=SC2086
pa_sub=$(median_run "$tmp/pasub.json" taskset -c 0 "$PA" scan --json -q $sub)

awk -v l="$lines" -v one="$one" -v all="$all" -v rss="$rss" -v rms="$ruff_ms" -v sl="$sub_lines" -v pl="$pl" -v ps="$pa_sub" 'BEGIN {
	printf "perfagent, one core:   %8.0f lines/s  (%.2f s)\n", l / one, one
	printf "perfagent, all cores:  %8.0f lines/s  (%.2f s), peak RSS %.1f MB\n", l / all, all, rss / 1024
	if (rms != "") printf "ruff wasm (1 thread):  %8.0f lines/s  (%.2f s, checking only)\n", l / (rms / 1000), rms / 1000
	if (rms != "") printf "ratio perfagent one core / ruff wasm: %.2fx\n", (rms / 1000) / one
	printf "subset of %d lines: pylint %.2f s (%.0f lines/s), perfagent one core %.2f s: %.0fx\n", sl, pl, sl / pl, ps, pl / ps
	printf "goal (200k lines/s on one core): %s\n", l / one >= 200000 ? "met" : "NOT met"
}'
