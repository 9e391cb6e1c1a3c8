#!/usr/bin/env bash
# scan.sh: `perfagent scan`'s driver, black-box — which files the walk
# reads and which it skips (virtualenvs, node_modules, build output,
# .gitignore files at the top and nested, negation, anchors, **, symlink
# loops), suppression comments, --select/--ignore and their errors, a file
# with a syntax error, files that cannot be read, the human output, JSON,
# SARIF checked key by key, and the same output on every run. The rules
# themselves are tested by tests/cli/scan_rules.sh on their own fixtures.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
j() { jq -r "$2" "$1" 2>/dev/null; }

# The fixture is copied out of the repository so that no enclosing .gitignore
# (this repository's ignores node_modules/) takes part.
FIX=tests/fixtures/scan/project
P=$TMP/p
cp -a "$FIX" "$P"
missing=""
for f in .gitignore venv/pyvenv.cfg myenv/pyvenv.cfg node_modules/pkg/gyp.py build/lib/app.py generated/out.py \
	local_settings.py app/sub/.gitignore app/sub/legacy.py app/sub/other.gen.py app/sub/keep.gen.py \
	app/sub/scratch_1.py app/sub/.venv/x.py __pycache__/stale.py; do
	[ -e "$P/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "the fixture project is complete"; else
	not_ok "the fixture project lacks:$missing" "files git ignores must be added with 'git add -f $FIX'"; fi
cd "$P" || exit 1
S="$PERFAGENT scan"

# ---- the walk ----
WANT='app/__init__.py
app/local_settings.py
app/sub/__init__.py
app/sub/deep/__init__.py
app/sub/deep/tasks.py
app/sub/keep.gen.py
app/views.py
broken.py
scripts/manage'
run $S . --list-files
if [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$WANT" ]; then ok "--list-files: the project's own Python files, sorted"; else
	not_ok "--list-files" "rc=$rc" "got: $(cat "$TMP/out")" "want: $WANT"; fi
run $S . --list-files --json
cp "$TMP/out" "$TMP/walk.json"
reason() { j "$TMP/walk.json" ".skipped[] | select(.path==\"$1\") | .reason"; }
for pr in "venv:virtualenv" "myenv:virtualenv" "app/sub/.venv:virtualenv" "node_modules:dependencies" \
	"build:build output" "__pycache__:cache" "generated:.gitignore" "local_settings.py:.gitignore" \
	"app/sub/other.gen.py:.gitignore" "app/sub/scratch_1.py:.gitignore" "app/sub/legacy.py:.gitignore"; do
	p=${pr%%:*} want=${pr#*:}
	got=$(reason "$p")
	[ "$got" = "$want" ] && ok "skipped $p ($want)" || not_ok "skipped $p: reason '$got', want '$want'"
done
grep -qx 'app/sub/keep.gen.py' <<<"$WANT" && [ -z "$(reason app/sub/keep.gen.py)" ] &&
	ok ".gitignore negation: !keep.gen.py re-includes it" || not_ok "negation"
[ -z "$(reason app/local_settings.py)" ] && ok "an anchored /local_settings.py leaves app/local_settings.py alone" ||
	not_ok "anchored pattern matched below the top"

# Symbolic links: a loop is not followed, a link to a file already seen is not scanned twice.
ln -s .. app/loop
ln -s ../app/views.py scripts/views_link.py
run timeout 20 $S . --list-files --json
if [ "$rc" -eq 0 ] && [ "$(j "$TMP/out" '.files | join(" ")')" = "$(echo $WANT)" ] &&
	[ "$(j "$TMP/out" '.skipped[] | select(.path=="app/loop") | .reason')" = "symlink to a directory" ]; then
	ok "a symlink loop does not hang the walk; a linked file is scanned once"
else
	not_ok "symlinks: rc=$rc" "$(head -c 600 "$TMP/out")"
fi
rm app/loop scripts/views_link.py

run $S . app app/views.py --list-files
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 9 ] && ok "overlapping PATHs: every file once" || not_ok "overlapping PATHs: $(wc -l <"$TMP/out") lines"
run $S local_settings.py generated/out.py --list-files
[ "$rc" -eq 0 ] && [ "$(cat "$TMP/out" | tr '\n' ' ')" = "generated/out.py local_settings.py " ] &&
	ok "a file named on the command line is scanned even when ignored" || not_ok "explicit files: $(cat "$TMP/out")"
run $S . --list-files --no-ignore
for f in generated/out.py local_settings.py app/sub/legacy.py app/sub/other.gen.py app/sub/scratch_1.py; do
	grep -qx "$f" "$TMP/out" || missing_ni="${missing_ni:-} $f"
done
if [ -z "${missing_ni:-}" ] && ! grep -q '^venv/\|^node_modules/' "$TMP/out"; then
	ok "--no-ignore reads what .gitignore skips, still not venv/ or node_modules/"
else
	not_ok "--no-ignore: missing${missing_ni:-}" "$(cat "$TMP/out")"
fi
run $S . --list-files --exclude 'app/sub/' --exclude '*.gen.py' --exclude manage
[ "$(cat "$TMP/out" | tr '\n' ' ')" = "app/__init__.py app/local_settings.py app/views.py broken.py " ] &&
	ok "--exclude patterns (a directory, a glob, a name)" || not_ok "--exclude: $(cat "$TMP/out" | tr '\n' ' ')"
run $S . --exclude ''
expect_err "an empty --exclude is a usage error" 2 "--exclude '' is not a pattern"

# .gitignore files above the PATH count up to the git work tree's top.
mkdir -p "$TMP/repo/.git" "$TMP/repo/src/pkg"
printf 'skipme.py\n/src/pkg/anchored.py\n' >"$TMP/repo/.gitignore"
printf 'print(1)\n' | tee "$TMP/repo/src/pkg/skipme.py" "$TMP/repo/src/pkg/anchored.py" "$TMP/repo/src/pkg/ok.py" >/dev/null
run $S "$TMP/repo/src" --list-files
[ "$(cat "$TMP/out")" = "$TMP/repo/src/pkg/ok.py" ] && ok "the work tree's top .gitignore applies to a PATH below it (plain and anchored)" ||
	not_ok "top .gitignore: $(cat "$TMP/out")"
run $S "$TMP/missing-dir" --list-files
expect_err "a PATH that does not exist" 3 "cannot read '$TMP/missing-dir'"

# ---- a scan ----
run $S . --json --select quadratic,string-concat-in-loop,blocking-io-in-async
cp "$TMP/out" "$TMP/s.json"
cp "$TMP/err" "$TMP/s.err"
expect_rc "scan of the project exits 0" 0
got=$(j "$TMP/s.json" '[.findings[] | "\(.location.file):\(.location.line):\(.rule)"] | join(" ")')
want="app/sub/deep/tasks.py:8:blocking-io-in-async app/sub/deep/tasks.py:9:blocking-io-in-async app/views.py:8:quadratic app/views.py:17:string-concat-in-loop app/views.py:46:string-concat-in-loop app/views.py:53:string-concat-in-loop app/views.py:60:string-concat-in-loop broken.py:7:string-concat-in-loop"
[ "$got" = "$want" ] && ok "the findings, sorted by file and line" || not_ok "findings" "got:  $got" "want: $want"
[ "$(j "$TMP/s.json" '.schema + " " + .command + " " + (.target.paths | join(","))')" = "perfagent.result/1 scan ." ] &&
	ok "perfagent.result/1, command scan, target.paths" || not_ok "result header"
f0=$(j "$TMP/s.json" '.findings[0] | "\(.severity)|\(.location.column)|\(.location.function)|\(.problem)|\(.solution != null)|\(.title | length > 10)"')
[ "$f0" = "high|5|refresh|time.sleep(1)|true|true" ] && ok "a finding: severity, column, function, problem = the source line, solution, title" ||
	not_ok "finding fields: $f0"
m=$(j "$TMP/s.json" '.metrics | "\(.files) \(.lines) \(.suppressed) \(.rules | join(",")) \(.lines_per_s > 0) \(.duration_s >= 0)"')
[ "$m" = "9 91 3 quadratic,string-concat-in-loop,blocking-io-in-async true true" ] && ok "metrics: files, lines, suppressed, rules run, speed" ||
	not_ok "metrics: $m"

# Suppression: on the finding's line only, by rule or bare; not inside a string.
for l in 24 32 39; do
	[ "$(j "$TMP/s.json" "[.findings[] | select(.location.file==\"app/views.py\" and .location.line==$l)] | length")" = 0 ] &&
		ok "views.py:$l suppressed" || not_ok "views.py:$l not suppressed"
done
grep -q 'app/views.py:46:string-concat-in-loop' <<<"$got" && ok "ignore[quadratic] does not silence another rule" || not_ok "ignore[quadratic] silenced string-concat"
grep -q 'app/views.py:53:' <<<"$got" && ok "'# perfagent: ignore' inside a string literal is not a comment" || not_ok "string marker suppressed"
grep -qF "app/views.py:60: unknown rule 'string-concat-in-lop' in '# perfagent: ignore[...]' (did you mean 'string-concat-in-loop'?)" "$TMP/s.err" &&
	ok "an unknown rule in an ignore comment is noted, with a did-you-mean" || not_ok "unknown rule note" "$(cat "$TMP/s.err")"

# A syntax error: noted, listed, and the rest of the file still checked.
grep -qF "broken.py:11:12: syntax error; rules ran on what parsed" "$TMP/s.err" && ok "a syntax error is a note naming FILE:LINE:COL" ||
	not_ok "syntax error note" "$(cat "$TMP/s.err")"
[ "$(j "$TMP/s.json" '.metrics.parse_errors | map("\(.file):\(.line):\(.col)") | join(" ")')" = "broken.py:11:12" ] &&
	ok "metrics.parse_errors" || not_ok "parse_errors: $(j "$TMP/s.json" '.metrics.parse_errors')"
grep -q 'broken.py:7:string-concat-in-loop' <<<"$got" && ok "rules ran on what parsed of broken.py" || not_ok "no finding in broken.py"

# --select / --ignore.
run $S . --json --select quadratic
[ "$rc" -eq 0 ] && [ "$(j "$TMP/out" '[.findings[].rule] | unique | join(",")')" = quadratic ] &&
	[ "$(j "$TMP/out" '.metrics.rules | join(",")')" = quadratic ] && ok "--select quadratic" || not_ok "--select: rc=$rc"
run $S . --json --select quadratic --select ' string-concat-in-loop'
[ "$(j "$TMP/out" '.metrics.rules | join(",")')" = "quadratic,string-concat-in-loop" ] && ok "--select repeated, spaces allowed" ||
	not_ok "--select repeated: $(j "$TMP/out" '.metrics.rules')"
run $S . --json --ignore string-concat-in-loop,blocking-io-in-async
if [ "$rc" -eq 0 ] && [ "$(j "$TMP/out" '[.findings[] | select(.rule=="string-concat-in-loop" or .rule=="blocking-io-in-async")] | length')" = 0 ] &&
	! j "$TMP/out" '.metrics.rules[]' | grep -qx 'string-concat-in-loop'; then ok "--ignore"; else not_ok "--ignore"; fi
run $S . --select quadratc
expect_err "--select with a typo: usage error with a did-you-mean" 2 "--select: 'quadratc' is not a scan rule (did you mean 'quadratic'?)"
run $S . --ignore nplusone
expect_err "--ignore with an unknown rule" 2 "'nplusone' is not a scan rule"
run $S . --select ,
expect_err "--select naming nothing" 2 "names no rule"
run $S . --ignore "$($S --list-rules | awk '{print $1}' | paste -sd,)"
expect_err "--ignore of every rule" 2 "leaves no rule to run"
run $S --list-rules
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 9 ] && grep -q '^n-plus-one  *high ' "$TMP/out" && ok "--list-rules: nine rules, no PATH needed" ||
	not_ok "--list-rules: rc=$rc" "$(cat "$TMP/out")"
run $S --list-rules --json
[ "$(j "$TMP/out" 'map(.name) | join(",")')" = "n-plus-one,query-in-loop,quadratic,string-concat-in-loop,blocking-io-in-async,missing-cache,missing-index,unbounded-query,sql-smells" ] &&
	ok "--list-rules --json in the documented order" || not_ok "--list-rules --json: $(j "$TMP/out" 'map(.name)')"
run $S
expect_err "no PATH" 2 "missing PATH"
run $S . --format yaml
expect_err "a bad --format" 2 "--format 'yaml'"
run $S . --json --format sarif
expect_err "--json with --format sarif" 2 "contradict"
run $S . --jobs 0
expect_err "a bad --jobs" 2 "--jobs '0'"

# Files that cannot be read: named on stderr, exit 3, the others still reported.
truncate -s 65M huge.py
run $S . --json --select quadratic
if [ "$rc" -eq 3 ] && grep -q "huge.py" "$TMP/err" && grep -q "too large" "$TMP/err" &&
	[ "$(j "$TMP/out" '.findings | length')" = 1 ] && [ "$(j "$TMP/out" '.metrics.read_errors[0].file')" = huge.py ]; then
	ok "a file too large to read: error naming it, exit 3, the others reported"
else
	not_ok "unreadable (too large): rc=$rc" "$(cat "$TMP/err")"
fi
rm huge.py
run $S app/views.py no-such.py --json --select quadratic
if [ "$rc" -eq 3 ] && grep -qF "cannot read 'no-such.py'" "$TMP/err" && [ "$(j "$TMP/out" '.findings | length')" = 1 ]; then
	ok "a missing file among good ones: exit 3, the others reported"
else
	not_ok "missing file: rc=$rc" "$(cat "$TMP/err")"
fi
if [ "$(id -u)" != 0 ]; then
	printf 'x = 1\n' >secret.py
	chmod 000 secret.py
	run $S . --select quadratic
	[ "$rc" -eq 3 ] && grep -qF "cannot read 'secret.py'" "$TMP/err" && grep -q '^app/views.py:8:' "$TMP/out" &&
		ok "an unreadable file (permissions): exit 3, the others reported" || not_ok "permissions: rc=$rc" "$(cat "$TMP/err")"
	rm -f secret.py
fi

# Junk: binary bytes and invalid UTF-8 never crash, and JSON stays valid.
printf '\x00\xff\xfe\x80import os\n\tdef (((\x00\x00 \xc3\x28 for for in in :\n' >"$TMP/junk.py"
head -c 3000 /bin/sh >>"$TMP/junk.py"
run $S "$TMP/junk.py" --json
[ "$rc" -eq 0 ] && jq -e '.metrics.parse_errors | length == 1' "$TMP/out" >/dev/null && ok "binary junk: scanned, a syntax error, no crash" ||
	not_ok "junk: rc=$rc" "$(head -c 300 "$TMP/err")"
printf 'def report(rows):\n    body = ""\n    for r in rows:\n        caf\xc3\xa9 = 1; body += r.name\n        x = "\xe9"; body += r.y\n    return body\n' >"$TMP/u.py"
run $S "$TMP/u.py" --json --select string-concat-in-loop
cols=$(j "$TMP/out" '[.findings[] | "\(.location.line):\(.location.column)"] | join(" ")')
[ "$cols" = "4:19 5:18" ] && ok "columns count characters, not bytes; invalid UTF-8 stays valid JSON" || not_ok "columns: '$cols'"

# Standard input.
run $S - --json --select quadratic <app/views.py
[ "$(j "$TMP/out" '[.findings[] | "\(.location.file):\(.location.line)"] | join(" ")')" = "-:8" ] && ok "'-' scans standard input" ||
	not_ok "stdin: $(head -c 300 "$TMP/out")"

# ---- the human output ----
run $S . --select quadratic,string-concat-in-loop,blocking-io-in-async
cp "$TMP/out" "$TMP/h1.txt"
head -3 "$TMP/h1.txt" >"$TMP/h3"
if grep -qE '^app/sub/deep/tasks\.py:8:5: blocking-io-in-async \[high\] .+' <(sed -n 1p "$TMP/h3") &&
	[ "$(sed -n 2p "$TMP/h3")" = "    time.sleep(1)" ] && grep -qE '^  fix: .+' <(sed -n 3p "$TMP/h3") &&
	[ -z "$(sed -n 4p "$TMP/h1.txt")" ]; then
	ok "human: file:line:col: rule [severity] message, the line indented, fix:, a blank line"
else
	not_ok "human output shape" "$(head -5 "$TMP/h1.txt")"
fi
tail -1 "$TMP/h1.txt" | grep -qE '^8 findings in 3 files \(2 high, 6 medium\); 91 lines in 9 files scanned in [0-9.]+ m?s; 3 suppressed$' &&
	ok "human: the summary line" || not_ok "summary: $(tail -1 "$TMP/h1.txt")"
run $S app/__init__.py
[ "$(sed -E 's/in [0-9.]+ m?s$/in T/' "$TMP/out")" = "no findings; 1 line in 1 file scanned in T" ] && ok "human: no findings" ||
	not_ok "no findings: $(cat "$TMP/out")"

# --fail-on.
run $S . --fail-on high
expect_rc "--fail-on high with a high finding exits 1" 1
run $S . --select quadratic --fail-on high
expect_rc "--fail-on high with only medium findings exits 0" 0

# ---- SARIF ----
run $S . --format sarif --select quadratic,string-concat-in-loop,blocking-io-in-async
cp "$TMP/out" "$TMP/s.sarif"
expect_rc "--format sarif exits 0" 0
sj() { jq -e "$1" "$TMP/s.sarif" >/dev/null 2>&1; }
sj '.version == "2.1.0" and (."$schema" | test("sarif-2\\.1\\.0")) and (.runs | length == 1)' && ok "SARIF: version, \$schema, one run" || not_ok "SARIF header"
sj '.runs[0].tool.driver | .name == "perfagent" and (.version | length > 0) and (has("informationUri") | not)' &&
	ok "SARIF: tool.driver name, version; no invented home page" || not_ok "SARIF driver"
sj '.runs[0].tool.driver.rules | length == 3 and all(.[]; (.id | length > 0) and (.shortDescription.text | length > 0)
	and (.fullDescription.text | length > 0) and (.help.text | test("docs/scan\\.md#[a-z-]+$"))
	and (.defaultConfiguration.level | IN("error", "warning", "note")))' &&
	ok "SARIF: rules with id, descriptions, help naming the docs section, default level" || not_ok "SARIF rules" "$(jq -c '.runs[0].tool.driver.rules[0]' "$TMP/s.sarif")"
PERFAGENT_DOCS_URL=https://docs.example.test/perfagent/docs run $S . --format sarif --select quadratic
if jq -e '.runs[0].tool.driver | (.informationUri == "https://docs.example.test/perfagent/docs") and
	all(.rules[]; .helpUri | test("^https://docs\\.example\\.test/perfagent/docs/scan\\.md#[a-z-]+$"))' "$TMP/out" >/dev/null; then
	ok "SARIF: PERFAGENT_DOCS_URL gives informationUri and helpUri"
else not_ok "SARIF: PERFAGENT_DOCS_URL gives informationUri and helpUri" "$(jq -c '.runs[0].tool.driver | {informationUri, r: .rules[0].helpUri}' "$TMP/out")"; fi
sj '.runs[0] as $r | $r.results | length == 8 and all(.[]; . as $x | $r.tool.driver.rules[$x.ruleIndex].id == $x.ruleId)' &&
	ok "SARIF: 8 results, ruleIndex points at ruleId" || not_ok "SARIF ruleIndex"
sj '[.runs[0].results[] | select(.ruleId == "blocking-io-in-async") | .level] | unique == ["error"]' &&
	sj '[.runs[0].results[] | select(.ruleId != "blocking-io-in-async") | .level] | unique == ["warning"]' &&
	ok "SARIF: level error for high, warning for medium" || not_ok "SARIF levels"
sj 'all(.runs[0].results[]; (.message.text | length > 0) and (.locations[0].physicalLocation.artifactLocation.uri | test("^[^/:]+(/[^/:]+)*$"))
	and .locations[0].physicalLocation.region.startLine >= 1 and .locations[0].physicalLocation.region.startColumn >= 1)' &&
	ok "SARIF: message, relative uri, startLine, startColumn" || not_ok "SARIF results" "$(jq -c '.runs[0].results[0]' "$TMP/s.sarif")"
[ "$(jq -r '[.runs[0].results[] | "\(.locations[0].physicalLocation.artifactLocation.uri):\(.locations[0].physicalLocation.region.startLine):\(.ruleId)"] | join(" ")' "$TMP/s.sarif")" = "$want" ] &&
	ok "SARIF: the same findings as JSON" || not_ok "SARIF vs JSON"
sj '[.runs[0].results[].partialFingerprints."perfagentFingerprint/v1"] | length == (unique | length)' && ok "SARIF: fingerprints unique" || not_ok "fingerprints"
sj '.runs[0].invocations[0].toolExecutionNotifications | any(.message.text | test("syntax error"))' && ok "SARIF: the syntax error is a notification" ||
	not_ok "SARIF notifications"
run $S . --select quadratic,string-concat-in-loop,blocking-io-in-async -o "$TMP/o.sarif"
if [ "$rc" -eq 0 ] && cmp -s "$TMP/o.sarif" "$TMP/s.sarif" && grep -q '^app/views.py:8:' "$TMP/out"; then
	ok "-o FILE.sarif writes SARIF (and the human view still goes to stdout)"
else
	not_ok "-o .sarif: rc=$rc"
fi
run $S . --select quadratic -o "$TMP/o.txt"
expect_err "-o with an unknown extension and no --format" 2 "cannot tell the format"
run $S . --select quadratic -o "$TMP/o.txt" --format sarif
[ "$rc" -eq 0 ] && jq -e '.version == "2.1.0"' "$TMP/o.txt" >/dev/null && ok "-o FILE --format sarif" || not_ok "-o txt --format sarif rc=$rc"
run $S . --select quadratic -o "$TMP/o.md"
[ "$rc" -eq 0 ] && grep -q 'quadratic' "$TMP/o.md" && ok "-o FILE.md: the report" || not_ok "-o md rc=$rc"
if command -v python3 >/dev/null && python3 -c 'import jsonschema' 2>/dev/null && [ -f "${SARIF_SCHEMA:-/nonexistent}" ]; then
	python3 - "$SARIF_SCHEMA" "$TMP/s.sarif" <<'EOF' && ok "SARIF validates against the 2.1.0 schema" || not_ok "SARIF schema validation"
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
errs = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
for e in errs[:5]:
    print("# %s: %s" % (list(e.path), e.message))
sys.exit(1 if errs else 0)
EOF
fi

# ---- the same output every time ----
run $S . -j 1 --select quadratic,string-concat-in-loop,blocking-io-in-async
cp "$TMP/out" "$TMP/h2.txt"
run $S . -j 4 --json --select quadratic,string-concat-in-loop,blocking-io-in-async
jq -S .findings "$TMP/out" >"$TMP/f2.json"
jq -S .findings "$TMP/s.json" >"$TMP/f1.json"
run $S . -j 3 --format sarif --select quadratic,string-concat-in-loop,blocking-io-in-async
if cmp -s <(sed '$d' "$TMP/h1.txt") <(sed '$d' "$TMP/h2.txt") && cmp -s "$TMP/f1.json" "$TMP/f2.json" && cmp -s "$TMP/out" "$TMP/s.sarif"; then
	ok "deterministic: human, JSON findings and SARIF identical across runs and thread counts"
else
	not_ok "output differs between runs"
fi
# Many classes sharing base names across files (Base, Model, Object in a big
# project): following the bases must stay linear, not explode.
mkdir -p "$TMP/bases"
for i in $(seq 1 40); do
	printf 'class Base(Model):\n    pass\n\nclass Model(Base):\n    name = Column(String)\n\nclass Object(Base, Model):\n    pass\n\ndef f%s():\n    return Object.query.filter_by(name="x", other=1).all()\n' "$i" >"$TMP/bases/m$i.py"
done
start=$(date +%s)
run timeout 60 $S "$TMP/bases" --select missing-index --json
if [ "$rc" -ne 124 ] && [ $(($(date +%s) - start)) -le 10 ]; then ok "same-named bases across 40 files: done in seconds"; else
	not_ok "same-named bases across 40 files: done in seconds" "rc $rc after $(($(date +%s) - start)) s"; fi

# A scan result renders in a report, scoped to what was scanned.
$S "$TOP/tests/fixtures/scan/n-plus-one" --json -q >"$TMP/scan-nplus1.json"
run "$PERFAGENT" report "$TMP/scan-nplus1.json"
if grep -q '^\*\*Scope:\*\* .*tests/fixtures/scan/n-plus-one' "$TMP/out" && grep -q 'rule `n-plus-one`' "$TMP/out"; then
	ok "a scan result renders as a report scoped to the scanned path"
else not_ok "a scan result renders as a report scoped to the scanned path" "$(head -8 "$TMP/out")"; fi

done_testing
