#!/usr/bin/env bash
# deps.sh: install the Debian packages perfagent's build and tests need.
#
# Idempotent: asks dpkg which packages are missing and installs only those,
# with a single `apt-get update` first. Works as root; otherwise uses sudo.
# Later issues add their packages to the list below.
set -euo pipefail

packages=(
  # build
  make gcc pkg-config libc6-dev
  libjansson-dev            # JSON: the result model
  libinih-dev               # perfagent.ini
  libssl-dev                # TLS for load and endpoints; MD5 for query IDs
  zlib1g-dev                # gzip logs for digest
  libmariadb-dev            # db/explain: MySQL and MariaDB (Connector/C)
  libpq-dev                 # db/explain: PostgreSQL
  libsqlite3-dev            # db/explain: SQLite
  libtree-sitter-dev        # scan/context: the tree-sitter runtime (0.20.7, ABI 14)
  libdw-dev libelf-dev      # profile: ELF symbols and DWARF line info (elfutils)
  curl ca-certificates      # the build fetches the tree-sitter-python grammar from the npm registry
  # tests
  libcmocka-dev             # unit tests
  clang libclang-rt-14-dev  # libFuzzer targets (make fuzz, fuzz smoke in make test)
  diffutils
  jq                        # reading results in shell tests
  nginx-light openssl       # a TLS server for the load tests; benchmarks
  wrk                       # bench/load_vs_wrk.sh
  percona-toolkit           # bench: pt-query-digest, pt-duplicate-key-checker to compare with
  mariadb-server mariadb-client     # db/explain tests: a throwaway MariaDB (scripts/mariadb.sh)
  postgresql-15 postgresql-15-hypopg postgresql-client-15  # and PostgreSQL with hypopg (scripts/postgres.sh)
  sqlite3                   # the SQLite fixture (tests/fixtures/db/load.sh)
  pylint                    # bench/scan_speed.sh: the Python linter to compare with
  chromium                  # web: the headless browser it drives (and its tests load pages in)
  python3                   # web tests: tests/fixtures/web/make_pngs.py draws the test images
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing+=("$p") ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "deps.sh: not root and no sudo; install these as root: ${missing[*]}" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps.sh: done"
