#!/usr/bin/env bash
# scan_rules.sh: every scan rule against its fixtures in
# tests/fixtures/scan/RULE/. A line that ends with `# expect: RULE` (or a
# list of rules) must be reported by that rule, and no other line may be:
# the exact set of (file, line) is compared, positives and near misses
# alike. Each rule must have at least 8 positive cases.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

rules=$("$PERFAGENT" scan --list-rules --json 2>/dev/null | jq -r '.[].name? // empty' 2>/dev/null)
[ -n "$rules" ] || rules="n-plus-one query-in-loop quadratic string-concat-in-loop blocking-io-in-async missing-cache missing-index unbounded-query sql-smells"
for rule in $rules; do
	dir=tests/fixtures/scan/$rule
	if [ ! -d "$dir" ]; then
		not_ok "$rule: has fixtures" "no $dir"
		continue
	fi
	# expected: file:line of every line whose expect comment names the rule
	grep -rnE "# expect: .*\b$rule\b" "$dir" --include='*.py' |
		awk -F: -v r="$rule" '{ split($0, a, "# expect:"); n = split(a[2], rs, /[ ,]+/);
			for (i = 1; i <= n; i++) if (rs[i] == r) { print $1 ":" $2; break } }' | sort -u >"$TMP/want"
	run "$PERFAGENT" scan --json -q --select "$rule" "$dir"
	jq -r '.findings[] | "\(.location.file):\(.location.line)"' "$TMP/out" 2>/dev/null | sort -u >"$TMP/got"
	npos=$(wc -l <"$TMP/want")
	if [ "$npos" -ge 8 ]; then ok "$rule: $npos positive cases in the fixtures"; else
		not_ok "$rule: at least 8 positive cases" "only $npos"; fi
	if diff "$TMP/want" "$TMP/got" >"$TMP/diff"; then
		ok "$rule: exactly the marked lines are reported ($npos)"
	else
		not_ok "$rule: exactly the marked lines are reported" "< expected, > reported:" "$(head -30 "$TMP/diff")"
	fi
	if [ "$(jq --arg r "$rule" '[.findings[] | select(.rule != $r)] | length' "$TMP/out")" = 0 ]; then
		ok "$rule: --select keeps the other rules out"
	else not_ok "$rule: --select keeps the other rules out"; fi
done
done_testing
