#!/usr/bin/env bash
# fetch-grammar.sh: the tree-sitter-python grammar's C sources for the build.
#
#   scripts/fetch-grammar.sh DIR
#
# Downloads tree-sitter-python 0.23.6 (ABI 14, which Debian 12's
# libtree-sitter 0.20.7 loads; 0.25 is ABI 15 and would not) from the npm
# registry, checks the tarball against the integrity the registry
# publishes (sha512), and unpacks parser.c, scanner.c and the grammar's own
# tree_sitter/ headers into DIR. Nothing of it is committed. Does nothing
# when DIR already holds a checked copy.
set -euo pipefail
VERSION=0.23.6
SHA512=yIM9z0oxKIxT7bAtPOhgoVl6gTXlmlIhue7liFT4oBPF/lha7Ha4dQBS82Av6hMMRZoVnFJI8M6mL+SwWoLD3A==
URL=https://registry.npmjs.org/tree-sitter-python/-/tree-sitter-python-$VERSION.tgz
dir=${1:?usage: fetch-grammar.sh DIR}

if [ -f "$dir/.ok-$VERSION" ] && [ -f "$dir/parser.c" ] && [ -f "$dir/scanner.c" ]; then
	exit 0
fi
command -v curl >/dev/null || { echo "fetch-grammar.sh: curl is needed (scripts/deps.sh installs it)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "  FETCH   tree-sitter-python $VERSION (npm registry)"
if ! curl -sSfL --retry 3 --max-time 120 -o "$tmp/g.tgz" "$URL"; then
	echo "fetch-grammar.sh: cannot download $URL" >&2
	exit 1
fi
got=$(openssl dgst -sha512 -binary "$tmp/g.tgz" | base64 -w0)
if [ "$got" != "$SHA512" ]; then
	echo "fetch-grammar.sh: $URL does not match its published integrity (sha512-$SHA512; got sha512-$got)" >&2
	exit 1
fi
tar -xzf "$tmp/g.tgz" -C "$tmp" package/src/parser.c package/src/scanner.c package/src/tree_sitter package/LICENSE
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$tmp/package/src/." "$dir/"
cp "$tmp/package/LICENSE" "$dir/LICENSE"
touch "$dir/.ok-$VERSION"
