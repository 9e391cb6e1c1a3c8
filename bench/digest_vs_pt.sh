#!/usr/bin/env bash
# digest_vs_pt.sh: perfagent digest and pt-query-digest (Debian's
# percona-toolkit) on the same generated MySQL slow log, in one run.
#
# Checks that both rank the same top-10 query classes with the same query
# IDs and counts (a fast wrong answer fails), then prints each tool's
# throughput (MB/s of log), the ratio, and both peak RSS; and perfagent's
# peak RSS on a log twice the size, to show it does not grow with the file.
#
# Usage: bench/digest_vs_pt.sh [EVENTS]   (default 450000: about 110 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-450000}
PA=${PERFAGENT:-./perfagent}
MAXRSS=build/default/tests/helpers/maxrss
command -v pt-query-digest >/dev/null || { echo "digest_vs_pt: pt-query-digest is not installed (scripts/deps.sh)" >&2; exit 2; }
[ -x "$PA" ] && [ -x "$MAXRSS" ] || { echo "digest_vs_pt: run 'make unit-bins' first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v events="$EVENTS" -f bench/gen_slowlog.awk >"$tmp/slow.log"
cat "$tmp/slow.log" "$tmp/slow.log" >"$tmp/slow2.log"
mb=$(awk -v b="$(stat -c %s "$tmp/slow.log")" 'BEGIN {printf "%.1f", b / 1e6}')
echo "slow log: $EVENTS events, $mb MB; $(nproc) cores"
field() { grep -o "$1=[0-9.]*" "$2" | cut -d= -f2; }

"$MAXRSS" pt-query-digest --output json --limit 10 "$tmp/slow.log" >"$tmp/pt.json" 2>"$tmp/pt.rss"
pt_s=$(field wall_s "$tmp/pt.rss")
pt_kb=$(field maxrss_kb "$tmp/pt.rss")
jq -r '.classes[:10][] | "0x\(.checksum) \(.query_count)"' "$tmp/pt.json" >"$tmp/pt.top"

for i in 1 2 3; do
	"$MAXRSS" "$PA" digest --json --limit 10 -q "$tmp/slow.log" >"$tmp/pa.json" 2>"$tmp/pa$i.rss"
	field wall_s "$tmp/pa$i.rss" >>"$tmp/pa.times"
done
pa_s=$(sort -n "$tmp/pa.times" | sed -n 2p)
pa_kb=$(field maxrss_kb "$tmp/pa2.rss")
jq -r '.metrics.queries[:10][] | "\(.query_id) \(.count)"' "$tmp/pa.json" >"$tmp/pa.top"
"$MAXRSS" "$PA" digest --json --limit 10 -q "$tmp/slow2.log" >/dev/null 2>"$tmp/pa2x.rss"
pa2_kb=$(field maxrss_kb "$tmp/pa2x.rss")

if diff "$tmp/pt.top" "$tmp/pa.top" >"$tmp/diff"; then
	echo "top-10 query IDs and counts: identical"
else
	echo "top-10 differ (pt-query-digest < > perfagent):"
	cat "$tmp/diff"
	exit 1
fi
awk -v mb="$mb" -v a="$pt_s" -v b="$pa_s" -v ra="$pt_kb" -v rb="$pa_kb" -v r2="$pa2_kb" 'BEGIN {
	printf "pt-query-digest: %6.2f s  %8.1f MB/s  peak RSS %6.1f MB\n", a, mb / a, ra / 1024
	printf "perfagent:       %6.2f s  %8.1f MB/s  peak RSS %6.1f MB (median of 3)\n", b, mb / b, rb / 1024
	printf "throughput ratio perfagent/pt-query-digest: %.0fx (goal >= 100x)\n", a / b
	printf "perfagent peak RSS on a log twice the size: %.1f MB (%.2fx)\n", r2 / 1024, r2 / rb
}'
