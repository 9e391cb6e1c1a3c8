# lib.sh: the few helpers the command-line tests share. Each test script
# prints TAP lines ("ok N - name" / "not ok N - name" with "# " details);
# tests/run.sh counts them.
#
# Scripts get: $PERFAGENT (the binary), $TOP (the repository), $TMP (a fresh
# directory removed afterwards).

set -u
: "${PERFAGENT:?run through make test}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/perfagent-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() {
	_n=$((_n + 1))
	echo "not ok $_n - $1"
	shift
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}

# run CMD...: run a command, keeping stdout in $TMP/out, stderr in $TMP/err
# and the exit code in $rc.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# expect_rc NAME CODE: the last run() exited with CODE.
expect_rc() {
	if [ "$rc" -eq "$2" ]; then ok "$1"; else
		not_ok "$1" "exit code $rc, expected $2" "stderr: $(head -c 600 "$TMP/err")"
	fi
}

# expect_err NAME CODE TEXT: exit CODE and stderr contains TEXT, on one line.
expect_err() {
	local lines
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -eq "$2" ] && grep -qF -- "$3" "$TMP/err" && [ "$lines" -eq 1 ]; then
		ok "$1"
	else
		not_ok "$1" "exit code $rc (expected $2), $lines stderr line(s)" "stderr: $(head -c 600 "$TMP/err")" "expected text: $3"
	fi
}

# expect_out NAME TEXT: stdout of the last run contains TEXT.
expect_out() {
	if grep -qF -- "$2" "$TMP/out"; then ok "$1"; else
		not_ok "$1" "stdout lacks: $2" "stdout: $(head -c 600 "$TMP/out")"
	fi
}

# golden NAME FILE GOLDEN: FILE equals GOLDEN; UPDATE_GOLDEN=1 rewrites it.
golden() {
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$2" "$3"
		ok "$1 (golden updated)"
	elif diff -u "$3" "$2" >"$TMP/diff"; then
		ok "$1"
	else
		not_ok "$1" "differs from $3:" "$(head -40 "$TMP/diff")"
	fi
}

done_testing() { echo "1..$_n"; }
