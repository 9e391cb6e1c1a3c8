#!/usr/bin/env bash
# postgres.sh: a throwaway PostgreSQL 15 server on loopback for tests and
# benchmarks.
#
#   scripts/postgres.sh start DIR     create a cluster in DIR/data (the first
#                                     time), start it on a free 127.0.0.1 port
#                                     and print the port (also written to
#                                     DIR/port)
#   scripts/postgres.sh stop DIR      stop it (fast mode); does nothing when it
#                                     is not running (and removes nothing)
#   scripts/postgres.sh sql DIR [DB]  run the SQL on stdin with psql as the
#                                     superuser through the socket, stopping
#                                     at the first error
#
# Every connection, socket or TCP, authenticates with scram-sha-256: the
# superuser is postgres/secret, and the role perfagent/secret (LOGIN, member
# of pg_read_all_stats and pg_monitor) is what the audit connects as. The
# unix socket lives in DIR itself, the log in DIR/postgres.log.
# pg_stat_statements is preloaded and tracks every statement (the extension
# itself is created per database by whoever loads data).
#
# PostgreSQL refuses to run as root, so when this script runs as root the
# server runs as the user "postgres" (PG_USER to choose another) and DIR is
# handed over to that user; a parent directory that does not let that user
# through (mktemp -d makes mode 0700) gets o+x added, said on stderr.
# The settings keep it small and quick (16MB shared_buffers, fsync off): it
# is for tests, not data.
set -euo pipefail
usage="usage: postgres.sh start|stop DIR | sql DIR [DB]"
cmd=${1:?$usage}
dir=${2:?$usage}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
pguser=${PG_USER:-postgres}
# psql takes a host starting with "/" for a socket directory: keep DIR absolute.
[ -d "$dir" ] && dir=$(cd "$dir" && pwd)

# Run a server-side command as the user the server runs as.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pguser" -- "$@"
	else
		"$@"
	fi
}

# A TCP port on 127.0.0.1 nothing listens on (a race with other starters is
# possible but unlikely: the range is wide).
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "postgres.sh: no free port found in 20000-60000" >&2
	return 1
}

running() {
	[ -f "$dir/data/postmaster.pid" ] &&
		as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

fail() {
	echo "postgres.sh: $1; last lines of $dir/postgres.log:" >&2
	tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
	exit 1
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		chown "$pguser:" "$dir"
		p=$(dirname "$dir")
		while [ "$p" != / ]; do
			if ! as_owner test -x "$p"; then
				echo "postgres.sh: chmod o+x $p so that $pguser can reach $dir" >&2
				chmod o+x "$p"
			fi
			p=$(dirname "$p")
		done
		as_owner test -w "$dir" ||
			{
				echo "postgres.sh: user $pguser cannot write to $dir" >&2
				exit 1
			}
	fi
	if running; then
		echo "postgres.sh: already running in $dir" >&2
		cat "$dir/port"
		exit 0
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		rm -rf "$dir/data"
		# shellcheck disable=SC2016 # $1 is the inner shell's
		as_owner sh -c 'umask 077 && printf "secret\n" >"$1"' sh "$dir/pwfile"
		as_owner "$bin/initdb" -D "$dir/data" -U postgres -A scram-sha-256 \
			--pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 --no-sync \
			>"$dir/initdb.log" 2>&1 ||
			{
				rm -f "$dir/pwfile"
				echo "postgres.sh: initdb failed; last lines of $dir/initdb.log:" >&2
				tail -n 20 "$dir/initdb.log" >&2
				exit 1
			}
		rm -f "$dir/pwfile"
		# shellcheck disable=SC2016 # $1 is the inner shell's
		as_owner sh -c 'cat >>"$1"' sh "$dir/data/postgresql.conf" <<-CONF

			# postgres.sh
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$dir'
			shared_preload_libraries = 'pg_stat_statements'
			pg_stat_statements.track = all
			shared_buffers = 16MB
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			max_connections = 50
			max_wal_size = 256MB
			logging_collector = off
		CONF
	fi
	# A port taken between free_port and the bind (another starter) means
	# another try.
	started=0
	for _ in 1 2 3; do
		port=$(free_port)
		logstart=1
		[ -f "$dir/postgres.log" ] && logstart=$(($(wc -l <"$dir/postgres.log") + 1))
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
			-o "-p $port" start >/dev/null 2>&1; then
			started=1
			break
		fi
		if running; then
			as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
			fail "the server did not become ready within 30 s"
		fi
		tail -n +"$logstart" "$dir/postgres.log" 2>/dev/null | grep -q 'could not bind' ||
			fail "pg_ctl start failed"
	done
	[ "$started" -eq 1 ] || fail "no free port in 3 tries"
	echo "$port" >"$dir/port"
	# Kept out of pg_stat_statements, like the fixture loads.
	PGOPTIONS="-c pg_stat_statements.track=none" PGPASSWORD=secret "$bin/psql" -X -q \
		-v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >/dev/null \
		<<-'SQL' || fail "could not create the role perfagent"
		DO $$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'perfagent') THEN
				CREATE ROLE perfagent PASSWORD 'secret' LOGIN IN ROLE pg_read_all_stats, pg_monitor;
			END IF;
		END
		$$;
	SQL
	echo "$port"
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	running || exit 0
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
	;;
sql)
	db=${3:-postgres}
	port=$(cat "$dir/port")
	PGPASSWORD=secret "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
		-U postgres -d "$db"
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac
