#!/usr/bin/env bash
# readme.sh: the README stays true. Its main-job command runs and renders
# the example audit; its test command is the one .ci/run runs; every doc
# page it links exists.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

# The two set-up commands: the first two ```sh blocks under "## Set-up".
blocks=$(awk '/^## Set-up/{s=1; next} /^## /{s=0} s && /^```sh/{b=1; next} s && /^```/{b=0; next} s && b' README.md)
main=$(printf '%s\n' "$blocks" | sed -n 1p)
testcmd=$(printf '%s\n' "$blocks" | sed -n 2p)
case "$main" in
scripts/deps.sh\ \&\&\ make\ \&\&\ *) ok "main job starts with deps and build" ;;
*) not_ok "main job starts with deps and build" "got: $main" ;;
esac
# Run what follows the set-up, with the binary under test.
job=${main#scripts/deps.sh && make && }
job=${job/.\/perfagent/$PERFAGENT}
run bash -c "$job"
if [ "$rc" -eq 0 ] && grep -q '^# Performance Audit Report' "$TMP/out" && grep -q '| Metric | Before | After | Improvement |' "$TMP/out" &&
	grep -q '^### PERF-001:' "$TMP/out" && grep -q '^## Load Test Results' "$TMP/out"; then
	ok "the README's main job renders the example audit"
else
	not_ok "the README's main job renders the example audit" "rc=$rc" "$(head -5 "$TMP/err")"
fi
if [ "$testcmd" = "make test" ]; then ok "the README's test command is make test"; else not_ok "README test command: $testcmd"; fi
if [ "$(grep -vE '^\s*(#|$|set |cd )' .ci/run | tail -1)" = "$testcmd" ] && grep -q '^scripts/deps.sh$' .ci/run; then
	ok ".ci/run runs deps.sh, then the README's test command"
else
	not_ok ".ci/run runs deps.sh, then the README's test command"
fi
missing=""
for link in $(grep -oE '\]\((docs/[^)#]+)' README.md | sed 's/^](//' | sort -u); do
	[ -f "$link" ] || missing="$missing $link"
done
if [ -z "$missing" ]; then ok "every docs/ link in the README exists"; else not_ok "README links missing:$missing"; fi
done_testing
