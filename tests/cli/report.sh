#!/usr/bin/env bash
# report.sh: `perfagent report` as a user runs it — golden Markdown and HTML
# for the fixture results with and without a baseline, output files by
# extension, the merged JSON read back, --fail-on, and a clear error with
# exit 3 for every kind of bad result file.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
F=tests/fixtures/report
G=tests/golden

run "$PERFAGENT" report $F/after/*.json
expect_rc "report of the fixtures" 0
golden "report without a baseline (Markdown)" "$TMP/out" $G/report-after.md

run "$PERFAGENT" report $F/after/*.json --baseline $F/before/*.json
expect_rc "report with a baseline" 0
golden "report with a baseline (Markdown)" "$TMP/out" $G/report-baseline.md

run "$PERFAGENT" report $F/minimal.json
expect_rc "report of a result without metrics" 0
golden "report of findings only (Markdown)" "$TMP/out" $G/report-minimal.md

run "$PERFAGENT" report $F/open.json $F/after/load.json --title "Search API load" --scope "search and profiles" --date 2026-12-01
expect_rc "report of two load results" 0
golden "open-model and closed-model load tables, title/scope/date" "$TMP/out" $G/report-two-loads.md

run "$PERFAGENT" report $F/after/*.json --baseline $F/before/*.json --format html
expect_rc "report --format html" 0
golden "report with a baseline (HTML)" "$TMP/out" $G/report-baseline.html

# Sections a reader of the seed looks for, in order.
run "$PERFAGENT" report $F/after/*.json --baseline $F/before/*.json
order=$(grep -nE '^(# Performance Audit Report|\*\*Date:\*\*|\*\*Scope:\*\*|## Summary|## Findings|### PERF-001|## Recommendations|## Load Test Results|\*\*Bottleneck:\*\*|## Appendix)' "$TMP/out" | cut -d: -f2- | cut -c1-16 | tr '\n' '|')
want='# Performance Au|**Date:** 2026-1|**Scope:** postg|## Summary|## Findings|### PERF-001: Re|## Recommendatio|## Load Test Res|**Bottleneck:** |## Appendix: Inp|'
if [ "$order" = "$want" ]; then ok "sections in the seed's order"; else not_ok "sections in the seed's order" "$order"; fi
expect_out "summary has Before/After/Improvement" "| Metric | Before | After | Improvement |"
expect_out "lower-is-better improvement" "| Avg Response Time | 500ms | 100ms | 80% |"
expect_out "higher-is-better improvement" "| Throughput | 100 rps | 500 rps | 400% |"
expect_out "a regression is shown as one" "| Memory Usage | 500MB | 600MB | -20% (regression) |"
expect_out "critical escalates to /dev + /tl" "**Escalate to:** /dev + /tl"
expect_out "resolved findings listed" "Resolved: requests.get inside async def fetch_data"

run "$PERFAGENT" report $F/after/scan.json
if grep -q '^| Metric | After |$' "$TMP/out" || ! grep -q '^| Metric' "$TMP/out"; then
	ok "no baseline: no Before column"; else not_ok "no baseline: no Before column"; fi
if ! grep -qE 'Avg Response|P95 Latency|Throughput' "$TMP/out"; then ok "rows without data are left out"; else
	not_ok "rows without data are left out"; fi

# Output files by extension, written whole.
run "$PERFAGENT" report $F/after/*.json -o "$TMP/r.md"
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] && cmp -s "$TMP/r.md" $G/report-after.md; then
	ok "-o r.md writes the Markdown report"; else not_ok "-o r.md writes the Markdown report" "rc=$rc"; fi
run "$PERFAGENT" report $F/after/*.json -o "$TMP/r.html"
if [ "$rc" -eq 0 ] && head -1 "$TMP/r.html" | grep -q '<!DOCTYPE html>' && grep -q '<h2>Findings</h2>' "$TMP/r.html"; then
	ok "-o r.html writes HTML"; else not_ok "-o r.html writes HTML"; fi
run "$PERFAGENT" report $F/after/*.json --baseline $F/before/*.json -o "$TMP/merged.json"
expect_rc "-o merged.json" 0
run "$PERFAGENT" report "$TMP/merged.json"
expect_rc "the merged JSON is a valid result file" 0
expect_out "the merged JSON keeps the numbered findings" "### PERF-011: # Deprecation warning in console"
expect_out "the merged JSON keeps the summary numbers" "| Throughput | 500 rps |"
run "$PERFAGENT" report --json $F/after/load.json
if [ "$rc" -eq 0 ] && grep -q '"schema": "perfagent.result/1"' "$TMP/out" && grep -q '"id": "PERF-001"' "$TMP/out"; then
	ok "--json prints the merged result"; else not_ok "--json prints the merged result"; fi
run "$PERFAGENT" report --format json - <$F/after/load.json
if [ "$rc" -eq 0 ] && grep -q '"command": "report"' "$TMP/out" && grep -q '"<stdin>"' "$TMP/out"; then
	ok "'-' reads a result from stdin"; else not_ok "'-' reads a result from stdin"; fi
run "$PERFAGENT" report $F/after/load.json -o "$TMP/r.txt"
expect_err "unknown -o extension" 2 "cannot tell the format of"
run "$PERFAGENT" report $F/after/load.json -o "$TMP/no/such/dir/r.md"
expect_err "unwritable -o path exits 3" 3 "cannot write '$TMP/no/such/dir/r.md'"
echo "keep me" >"$TMP/keep.md"
chmod 0444 "$TMP/keep.md"
run "$PERFAGENT" report $F/after/load.json --format md -o "$TMP/keep.md"
if [ "$rc" -eq 0 ] && grep -q "^# Performance Audit Report" "$TMP/keep.md"; then
	ok "-o replaces an existing file"; else not_ok "-o replaces an existing file"; fi
if ! ls "$TMP" | grep -q 'tmp'; then ok "no temporary files left behind"; else not_ok "no temporary files left behind" "$(ls "$TMP")"; fi
run "$PERFAGENT" report $F/after/load.json --format pdf
expect_err "bad --format" 2 "--format 'pdf'"
run "$PERFAGENT" report $F/after/load.json --date 2026-13-01
expect_err "bad --date" 2 "--date '2026-13-01'"
run "$PERFAGENT" report $F/after/load.json --json --format md
expect_err "--json with --format md" 2 "--json asks for JSON"

# --baseline takes the files after it; -- ends the list.
run "$PERFAGENT" report --baseline $F/before/load.json -- $F/after/load.json
if [ "$rc" -eq 0 ] && grep -q '| Avg Response Time | 500ms | 100ms | 80% |' "$TMP/out"; then
	ok "--baseline A -- B"; else not_ok "--baseline A -- B" "rc=$rc $(cat "$TMP/err")"; fi
run "$PERFAGENT" report --baseline $F/before/load.json $F/after/load.json
expect_err "a baseline that swallowed the results" 2 "missing RESULT.json..."

# --fail-on: the CI gate.
run "$PERFAGENT" report $F/after/*.json --fail-on critical
expect_rc "--fail-on critical with a critical finding exits 1" 1
if [ -s "$TMP/out" ]; then ok "--fail-on still prints the report"; else not_ok "--fail-on still prints the report"; fi
run "$PERFAGENT" report $F/after/scan.json --fail-on critical
expect_rc "--fail-on critical without one exits 0" 0
run "$PERFAGENT" report $F/after/scan.json --fail-on LOW
expect_rc "--fail-on is case-insensitive and inclusive" 1
run "$PERFAGENT" report $F/after/scan.json --fail-on urgent
expect_err "bad --fail-on" 2 "--fail-on 'urgent'"

# Budgets and config are checked even where a command does not use them.
run "$PERFAGENT" report $F/after/scan.json --budget api_endpont=1:2
expect_err "--budget with a typo" 2 "unknown budget 'api_endpont' (did you mean 'api_endpoint'?)"
run "$PERFAGENT" report $F/after/scan.json --budget api=500:100
expect_err "--budget with target above critical" 2 "must be below the critical value"
printf '[budgets]\napi_endpoint = 200ms:1s\n[budget]\nx = 1\n' >"$TMP/bad.ini"
run "$PERFAGENT" report $F/after/scan.json --config "$TMP/bad.ini"
expect_err "a bad config file names file and line, exit 3" 3 "$TMP/bad.ini:4: unknown section [budget] (did you mean [budgets]?)"
run "$PERFAGENT" report $F/after/scan.json --config "$TMP/none.ini"
expect_err "a missing --config exits 3" 3 "cannot read config file '$TMP/none.ini'"
mkdir -p "$TMP/proj"
printf '[budgets]\ndb = 10:20:30\n' >"$TMP/proj/perfagent.ini"
(cd "$TMP/proj" && "$PERFAGENT" report "$TOP/$F/after/scan.json" >"$TMP/out" 2>"$TMP/err"); rc=$?
expect_err "perfagent.ini in the cwd is read by default" 3 "perfagent.ini:2: budget 'database_query': '10:20:30' is not TARGET:CRITICAL"

# Pipes and process substitution are read like files.
run "$PERFAGENT" report <(cat $F/after/load.json)
if [ "$rc" -eq 0 ] && grep -q '^## Load Test Results' "$TMP/out"; then ok "a result from a pipe"; else
	not_ok "a result from a pipe" "$(cat "$TMP/err")"; fi
run "$PERFAGENT" report - - <$F/after/load.json
expect_err "'-' twice" 2 "'-' (standard input) can be given only once"
# --format decides when -o's name has no known extension.
run "$PERFAGENT" report $F/after/load.json -o "$TMP/out.txt" --format md
if [ "$rc" -eq 0 ] && head -1 "$TMP/out.txt" | grep -q '^# Performance Audit Report'; then
	ok "-o out.txt --format md"; else not_ok "-o out.txt --format md" "$(cat "$TMP/err")"; fi
run "$PERFAGENT" report $F/after/load.json --title ""
expect_err "an empty --title" 2 "--title needs a non-empty text"
run "$PERFAGENT" report $F/after/load.json --title --scope x
expect_err "--title swallowing an option" 2 "option '--title' needs a value (TEXT), not the option '--scope'"
run "$PERFAGENT" report --baseline=$F/before/load.json $F/after/load.json
if [ "$rc" -eq 0 ] && grep -q '| Avg Response Time | 500ms | 100ms | 80% |' "$TMP/out"; then
	ok "--baseline=FILE takes one file"; else not_ok "--baseline=FILE takes one file" "$(cat "$TMP/err")"; fi

# Partial Summary: rows with data only; Before only from the same command.
run "$PERFAGENT" report $F/after/load.json $F/after/scan.json
if grep -q '^| Metric | After |$' "$TMP/out" && grep -q '^| P95 Latency | 300ms |$' "$TMP/out" &&
	! grep -q 'Memory Usage' "$TMP/out"; then ok "partial Summary: rows with data only"; else
	not_ok "partial Summary: rows with data only"; fi
jq '.command = "web" | .metrics = {"p95_ms": 40, "avg_response_ms": 20}' $F/before/load.json >"$TMP/web-before.json"
run "$PERFAGENT" report $F/after/load.json --baseline "$TMP/web-before.json"
if grep -q '^| P95 Latency | n/a | 300ms | n/a |$' "$TMP/out"; then ok "a web baseline is not a load test's Before"; else
	not_ok "a web baseline is not a load test's Before" "$(grep 'P95' "$TMP/out")"; fi

# A merged report read back keeps its sections.
run "$PERFAGENT" report $F/after/*.json --baseline $F/before/*.json --json
cp "$TMP/out" "$TMP/merged2.json"
run "$PERFAGENT" report "$TMP/merged2.json"
if grep -q '^\*\*Date:\*\* 2026-11-20$' "$TMP/out" && grep -q '^## Load Test Results' "$TMP/out" &&
	grep -q '^\*\*Found by:\*\* load, rule `slow-endpoint`' "$TMP/out" &&
	grep -q '^\*\*Scope:\*\* postgres://app@127.0.0.1:5432/app' "$TMP/out"; then
	ok "a merged report read back keeps date, scope, load tables and who found what"
else
	not_ok "a merged report read back" "$(grep -E 'Date|Scope|Found by' "$TMP/out" | head -4)"
fi

# The documented perfagent.ini example is valid.
awk '/^```ini/{f=1; next} /^```/{f=0} f' docs/budgets.md >"$TMP/doc.ini"
run "$PERFAGENT" report $F/after/scan.json --config "$TMP/doc.ini"
expect_rc "docs/budgets.md's perfagent.ini example loads" 0
run "$PERFAGENT" report $F/after/scan.json --config "$TOP/docs"
expect_err "a directory as --config" 3 "config file '$TOP/docs' is a directory"
mkdir -p "$TMP/badproj"
printf '[budgets]\napi = 200:800\nbogus = 1:2\n' >"$TMP/badproj/perfagent.ini"
(cd "$TMP/badproj" && "$PERFAGENT" help budgets >"$TMP/out" 2>"$TMP/err"); rc=$?
if grep -q 'showing the defaults' "$TMP/err" && grep -q 'api_endpoint         <100ms' "$TMP/out"; then
	ok "help budgets with a bad perfagent.ini shows the defaults, not half of the file"
else
	not_ok "help budgets with a bad perfagent.ini" "$(cat "$TMP/err")" "$(grep api_endpoint "$TMP/out")"
fi

# Bad result files: one clear line naming the file and the field, exit 3.
B=tests/fixtures/bad
check_bad() {
	run "$PERFAGENT" report "$B/$1"
	expect_err "bad input $1" 3 "$2"
}
check_bad array.json "$B/array.json: expected a JSON object at the top level, found an array"
check_bad empty.json "'$B/empty.json' is empty, not a result file"
check_bad syntax.json "$B/syntax.json:4:11: invalid JSON"
check_bad truncated.json "$B/truncated.json:24:21: invalid JSON"
check_bad binary.json "$B/binary.json:1:12: invalid JSON"
check_bad duplicate-key.json "duplicate object key"
check_bad wrong-schema.json "field 'schema' is 'perfagent.result/2'; this perfagent reads perfagent.result/1"
check_bad no-command.json "$B/no-command.json: field 'command' is missing"
check_bad no-metrics.json "field 'metrics' is missing"
check_bad duration-string.json "field 'duration_s' must be a number, not a string"
check_bad negative-duration.json "field 'duration_s' is negative"
check_bad bad-started.json "field 'started_at' is 'yesterday'"
check_bad findings-object.json "field 'findings' must be an array, not an object"
check_bad finding-no-severity.json "field 'findings[1].severity' is missing"
check_bad finding-bad-severity.json "field 'findings[1].severity' is 'urgent'"
check_bad finding-line-string.json "field 'findings[0].location.line' must be an integer, not a string"
check_bad finding-line-zero.json "field 'findings[0].location.line' must be a positive integer"
check_bad finding-not-object.json "field 'findings[2]' must be an object, not a string"
check_bad finding-empty-rule.json "field 'findings[0].rule' is empty"
check_bad evidence-array.json "field 'findings[0].evidence' must be an object, not an array"
check_bad p95-string.json "field 'metrics.p95_ms' must be a number, not a string"
check_bad stage-error-rate.json "field 'metrics.stages[2].error_rate' is 5"
check_bad stage-concurrency-real.json "field 'metrics.stages[1].concurrency' must be an integer"
check_bad stage-concurrency-zero.json "field 'metrics.stages[0].concurrency' must be at least 1"
check_bad metric-huge.json "field 'metrics.avg_response_ms' is 1e+300"
check_bad artifact-no-path.json "field 'artifacts[0].path' is missing"
run "$PERFAGENT" report "$TMP/nonexistent.json"
expect_err "a missing file" 3 "cannot read result file '$TMP/nonexistent.json': No such file or directory"
run "$PERFAGENT" report "$TMP"
expect_err "a directory" 3 "is a directory, not a result file"
truncate -s 300M "$TMP/huge.json"
run timeout 10 "$PERFAGENT" report "$TMP/huge.json"
expect_err "a huge file is refused quickly" 3 "result files over 64 MB are refused"
rm -f "$TMP/huge.json"

# Good and bad together: every bad file named, the report still made from the good.
run "$PERFAGENT" report $B/good.json $B/syntax.json $B/no-command.json
if [ "$rc" -eq 3 ] && [ "$(wc -l <"$TMP/err")" -eq 2 ] && grep -q '### PERF-001: 2% errors' "$TMP/out"; then
	ok "bad inputs named, good ones still reported"; else not_ok "bad inputs named, good ones still reported" "rc=$rc" "$(cat "$TMP/err")"; fi
run "$PERFAGENT" report $B/good.json --baseline $B/array.json
if [ "$rc" -eq 3 ] && grep -q "$B/array.json" "$TMP/err" && grep -q '^# Performance Audit Report' "$TMP/out"; then
	ok "a bad baseline is named too"; else not_ok "a bad baseline is named too"; fi
done_testing
