#!/usr/bin/env bash
# load_vs_wrk.sh: perfagent load and wrk, side by side, against the same
# nginx on loopback (started and stopped here), with the same threads,
# connections and duration, in alternation (wrk, perfagent, wrk, ...).
#
# For each tool: requests/s, CPU seconds of the generator per million
# requests (user + system, from wait4 of the child), and peak RSS; then the
# ratios perfagent/wrk. Medians over the rounds. Both tools' answers are
# checked: every request must have succeeded, or the round fails.
#
# Usage: bench/load_vs_wrk.sh [-t THREADS] [-c CONNECTIONS] [-d SECONDS] [-r ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
T=1 C=50 D=5 R=3
while getopts t:c:d:r: o; do
	case $o in
	t) T=$OPTARG ;; c) C=$OPTARG ;; d) D=$OPTARG ;; r) R=$OPTARG ;;
	*) exit 2 ;;
	esac
done
PA=./perfagent
MAXRSS=build/default/tests/helpers/maxrss
[ -x "$PA" ] && [ -x "$MAXRSS" ] || { echo "load_vs_wrk: run 'make unit-bins' first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "load_vs_wrk: wrk is not installed (scripts/deps.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'scripts/nginx.sh stop "$tmp/nginx"; rm -rf "$tmp"' EXIT
ports=$(scripts/nginx.sh start "$tmp/nginx")
port=${ports#http=}
port=${port%% *}
URL="http://127.0.0.1:$port/"

field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "nginx 1 worker on 127.0.0.1:$port; $T thread(s), $C connections, ${D}s, $R rounds; $(nproc) cores"
printf '%-10s %6s %12s %14s %10s\n' tool round "requests/s" "CPU s/M req" "RSS MB"
for round in $(seq 1 "$R"); do
	"$MAXRSS" wrk -t"$T" -c"$C" -d"${D}s" "$URL" >"$tmp/wrk.out" 2>"$tmp/wrk.rss"
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
	reqs=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
	if grep -q 'Non-2xx\|Socket errors' "$tmp/wrk.out"; then echo "wrk saw errors:"; cat "$tmp/wrk.out"; exit 1; fi
	cpu=$(awk -v u="$(field user_s "$tmp/wrk.rss")" -v s="$(field sys_s "$tmp/wrk.rss")" -v n="$reqs" 'BEGIN {printf "%.3f", (u + s) / n * 1e6}')
	rss=$(awk -v k="$(field maxrss_kb "$tmp/wrk.rss")" 'BEGIN {printf "%.1f", k / 1024}')
	printf '%-10s %6s %12.0f %14s %10s\n' wrk "$round" "$rps" "$cpu" "$rss"
	echo "$rps $cpu $rss" >>"$tmp/wrk.all"

	"$MAXRSS" "$PA" load "$URL" -t "$T" -c "$C" --duration "$D" --no-progress -q --json >"$tmp/pa.json" 2>"$tmp/pa.rss"
	rps=$(jq -r '.metrics.stages[0].throughput_rps' "$tmp/pa.json")
	reqs=$(jq -r '.metrics.stages[0].requests' "$tmp/pa.json")
	errs=$(jq -r '.metrics.stages[0].error_rate' "$tmp/pa.json")
	if [ "$errs" != 0 ]; then echo "perfagent saw errors: $errs"; exit 1; fi
	cpu=$(awk -v u="$(field user_s "$tmp/pa.rss")" -v s="$(field sys_s "$tmp/pa.rss")" -v n="$reqs" 'BEGIN {printf "%.3f", (u + s) / n * 1e6}')
	rss=$(awk -v k="$(field maxrss_kb "$tmp/pa.rss")" 'BEGIN {printf "%.1f", k / 1024}')
	printf '%-10s %6s %12.0f %14s %10s\n' perfagent "$round" "$rps" "$cpu" "$rss"
	echo "$rps $cpu $rss" >>"$tmp/pa.all"
done
for f in wrk pa; do
	for col in 1 2 3; do
		awk -v c=$col '{print $c}' "$tmp/$f.all" | median >"$tmp/$f.m$col"
	done
done
echo
printf 'medians    %12s %14s %10s\n' "requests/s" "CPU s/M req" "RSS MB"
printf 'wrk        %12.0f %14s %10s\n' "$(cat "$tmp/wrk.m1")" "$(cat "$tmp/wrk.m2")" "$(cat "$tmp/wrk.m3")"
printf 'perfagent  %12.0f %14s %10s\n' "$(cat "$tmp/pa.m1")" "$(cat "$tmp/pa.m2")" "$(cat "$tmp/pa.m3")"
awk -v a="$(cat "$tmp/pa.m1")" -v b="$(cat "$tmp/wrk.m1")" -v c="$(cat "$tmp/pa.m2")" -v d="$(cat "$tmp/wrk.m2")" \
	-v e="$(cat "$tmp/pa.m3")" -v f="$(cat "$tmp/wrk.m3")" 'BEGIN {
	printf "ratio perfagent/wrk: requests/s %.2fx (goal >= 1), CPU per request %.2fx (goal <= 0.7), RSS %.2fx (goal <= 1)\n", a / b, c / d, e / f
}'
