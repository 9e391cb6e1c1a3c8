#!/usr/bin/env bash
# help.sh: the command table, walked. Every command answers -h; its
# synopsis is the one in docs/NAME.md; every option it lists is documented
# there; `perfagent help NAME` says the same; commands not built yet say so in
# one line and exit 2; typos get a "did you mean".
. "$(dirname "$0")/../lib.sh"

# The usage lines of a help text: from the top to the first blank line.
usage_of() { sed '/^$/q' | sed '/^$/d' | tr -s ' \n' ' ' | sed 's/ $//'; }
# The first fenced block under "## Synopsis" in a doc page.
synopsis_of() {
	awk '/^## Synopsis/{s=1; next} s && /^```/{if (f) exit; f=1; next} f' "$1" | tr -s ' \n' ' ' | sed 's/ $//'
}

run "$PERFAGENT" --list-commands
expect_rc "--list-commands works" 0
cp "$TMP/out" "$TMP/commands"
n=$(wc -l <"$TMP/commands")
if [ "$n" -ge 12 ]; then ok "the table has every command of DESIGN.md ($n)"; else not_ok "table has $n commands"; fi
for c in audit context scan db explain digest load endpoints web profile report mcp; do
	if grep -qx "$c" "$TMP/commands"; then ok "table has '$c'"; else not_ok "table lacks '$c'"; fi
done

while read -r cmd; do
	run "$PERFAGENT" "$cmd" -h
	expect_rc "$cmd -h exits 0" 0
	cp "$TMP/out" "$TMP/help-$cmd"
	doc="$TOP/docs/$cmd.md"
	if [ ! -f "$doc" ]; then
		not_ok "docs/$cmd.md exists"
		continue
	fi
	ok "docs/$cmd.md exists"
	want=$(usage_of <"$TMP/help-$cmd")
	have=$(synopsis_of "$doc")
	if [ -n "$want" ] && [ "$want" = "$have" ]; then
		ok "$cmd: -h synopsis matches docs/$cmd.md"
	else
		not_ok "$cmd: -h synopsis matches docs/$cmd.md" "help: $want" "docs: $have"
	fi
	missing=""
	for opt in $(sed -n '/^Options:/,/^$/p' "$TMP/help-$cmd" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -qF -- "$opt" "$doc" || missing="$missing $opt"
	done
	if [ -z "$missing" ]; then ok "$cmd: every option is in docs/$cmd.md"; else
		not_ok "$cmd: options missing from docs/$cmd.md:$missing"; fi
	run "$PERFAGENT" help "$cmd"
	if [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$TMP/help-$cmd"; then ok "help $cmd = $cmd -h"; else
		not_ok "help $cmd = $cmd -h"; fi
	if grep -q '^Status: not built yet' "$TMP/help-$cmd"; then
		run "$PERFAGENT" "$cmd" x
		expect_err "$cmd (not built) says so in one line, exit 2" 2 "not built yet"
		if "$PERFAGENT" help | grep -qE "^  $cmd +.*\(not built yet\)$"; then ok "help marks $cmd as not built"; else
			not_ok "help marks $cmd as not built"; fi
		run "$PERFAGENT" "$cmd" -qh
		expect_rc "$cmd (not built) answers a bundled -qh with help" 0
	fi
done <"$TMP/commands"

run "$PERFAGENT" --help
expect_rc "--help exits 0" 0
expect_out "--help lists commands" "report "
run "$PERFAGENT"
expect_rc "no command: usage, exit 2" 2
run "$PERFAGENT" --version
expect_rc "--version exits 0" 0
expect_out "--version prints the version" "perfagent 0."
run "$PERFAGENT" reprot x.json
expect_err "unknown command suggests" 2 "'reprot' is not a perfagent command (did you mean 'report'?)"
run "$PERFAGENT" frobnicate
expect_err "unknown command without a close match" 2 "'frobnicate' is not a perfagent command"
run "$PERFAGENT" report --titel T x.json
expect_err "unknown option suggests" 2 "unknown option '--titel' (did you mean '--title'?)"
run "$PERFAGENT" report --xyzzy x.json
expect_err "unknown option without a close match" 2 "unknown option '--xyzzy'"
run "$PERFAGENT" report -Z x.json
expect_err "unknown short option" 2 "unknown option '-Z'"
run "$PERFAGENT" report x.json --title
expect_err "option without its value" 2 "option '--title' needs a value"
run "$PERFAGENT" report --json=yes x.json
expect_err "flag given a value" 2 "option '--json' takes no value"
run "$PERFAGENT" report
expect_err "missing positional" 2 "missing RESULT.json..."
run "$PERFAGENT" help nosuch
expect_err "help for an unknown topic" 2 "no command or topic 'nosuch'"
run "$PERFAGENT" help budgets
expect_rc "help budgets" 0
expect_out "help budgets shows the seed's API budget" "api_endpoint         <100ms      100ms-500ms          >500ms"
run "$PERFAGENT" --frob
expect_err "unknown top-level option" 2 "unknown option '--frob'"
run "$PERFAGENT" --verison
expect_err "a top-level typo gets a suggestion" 2 "unknown option '--verison' (did you mean '--version'?)"
run "$PERFAGENT" Report x.json
expect_err "a case slip gets a suggestion" 2 "'Report' is not a perfagent command (did you mean 'report'?)"
run "$PERFAGENT" help report extra
expect_err "help with extra arguments" 2 "perfagent help: unexpected argument 'extra'"

# A failed write to stdout is an error, not success.
if [ -w /dev/full ]; then
	"$PERFAGENT" help >/dev/full 2>"$TMP/err"
	rc=$?
	expect_err "write error on stdout exits 3" 3 "cannot write to standard output"
	"$PERFAGENT" report "$TOP/tests/fixtures/report/after/load.json" >/dev/full 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q "cannot write" "$TMP/err"; then ok "report to a full stdout exits 3"; else
		not_ok "report to a full stdout exits 3" "rc=$rc $(cat "$TMP/err")"; fi
fi
done_testing
