#!/usr/bin/env bash
# mariadb.sh: a throwaway MariaDB server on loopback for tests and benchmarks.
#
#   scripts/mariadb.sh start DIR     create a data directory in DIR/data (the
#                                    first time), start mariadbd on a free
#                                    127.0.0.1 port and print the port (also
#                                    written to DIR/port)
#   scripts/mariadb.sh stop DIR      shut it down (SHUTDOWN through the socket,
#                                    then kill after 10 s); does nothing when it
#                                    is not running (and removes nothing: DIR is
#                                    the caller's)
#   scripts/mariadb.sh sql DIR [DB]  run the SQL on stdin as root through the
#                                    socket, in batch mode
#
# The server reads no option file (--no-defaults), so /etc/mysql cannot change
# it. Socket DIR/mysql.sock, pid DIR/mysqld.pid, error log DIR/error.log.
# performance_schema is on, so statement digests and index use are counted.
# root@localhost has no password and is reachable through the socket only
# in practice; 'perfagent'@'127.0.0.1' IDENTIFIED BY 'secret' has SELECT,
# SHOW VIEW, PROCESS on *.* for the audit over TCP.
#
# The settings keep it small and quick to start (a 32M buffer pool, small
# redo log, no doublewrite, no fsync per commit): it is for tests, not data.
set -euo pipefail
usage="usage: mariadb.sh start|stop DIR | sql DIR [DB]"
cmd=${1:?$usage}
dir=${2:?$usage}
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)

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
	echo "mariadb.sh: no free port found in 20000-60000" >&2
	return 1
}

# The server's pid when it is running, else nothing (and status 1).
server_pid() {
	local pid
	pid=$(cat "$dir/mysqld.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

client() {
	mariadb --no-defaults --protocol=socket -S "$dir/mysql.sock" -u root "$@"
}

fail() {
	echo "mariadb.sh: $1; last lines of $dir/error.log:" >&2
	tail -n 20 "$dir/error.log" >&2 2>/dev/null || true
	exit 1
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if pid=$(server_pid); then
		echo "mariadb.sh: already running in $dir (pid $pid)" >&2
		cat "$dir/port"
		exit 0
	fi
	userarg=()
	[ "$(id -u)" -eq 0 ] && userarg=(--user="$(id -un)")
	# Server options shared by the bootstrap and the server proper.
	common=(--innodb-buffer-pool-size=32M --innodb-log-file-size=16M
		--innodb-log-buffer-size=4M --skip-innodb-doublewrite
		--innodb-flush-log-at-trx-commit=0 --innodb-flush-method=nosync
		--innodb-buffer-pool-dump-at-shutdown=OFF --innodb-buffer-pool-load-at-startup=OFF)
	if [ ! -d "$dir/data/mysql" ]; then
		rm -rf "$dir/data"
		mariadb-install-db --no-defaults --datadir="$dir/data" \
			--auth-root-authentication-method=normal --skip-test-db \
			--skip-name-resolve "${userarg[@]}" "${common[@]}" \
			>"$dir/install.log" 2>&1 ||
			{
				echo "mariadb.sh: mariadb-install-db failed; last lines of $dir/install.log:" >&2
				tail -n 20 "$dir/install.log" >&2
				exit 1
			}
	fi
	# Ready when the socket answers a query; 30 s at most. A port taken
	# between free_port and the bind (another starter) means another try.
	up=0
	deadline=$((SECONDS + 30))
	for _ in 1 2 3; do
		port=$(free_port)
		rm -f "$dir/mysqld.pid"
		logstart=1
		[ -f "$dir/error.log" ] && logstart=$(($(wc -l <"$dir/error.log") + 1))
		"$mariadbd" --no-defaults "${userarg[@]}" --datadir="$dir/data" \
			--bind-address=127.0.0.1 --port="$port" --socket="$dir/mysql.sock" \
			--pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" --tmpdir="$dir" \
			--performance-schema=ON --skip-name-resolve --skip-log-bin \
			--max-connections=100 --skip-slow-query-log "${common[@]}" \
			</dev/null >>"$dir/error.log" 2>&1 &
		spid=$!
		while [ "$SECONDS" -lt "$deadline" ]; do
			if client --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; then
				up=1
				break
			fi
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.1
		done
		[ "$up" -eq 1 ] && break
		if kill -0 "$spid" 2>/dev/null; then
			kill "$spid" 2>/dev/null || true
			fail "mariadbd did not answer within 30 s"
		fi
		tail -n +"$logstart" "$dir/error.log" | grep -q 'Bind on TCP/IP port' ||
			fail "mariadbd exited during start"
	done
	[ "$up" -eq 1 ] || fail "mariadbd found no free port in 3 tries"
	# Kept out of performance_schema, like the fixture loads.
	client <<-'SQL' || fail "could not create the user perfagent"
		UPDATE performance_schema.threads SET INSTRUMENTED = 'NO'
		 WHERE PROCESSLIST_ID = CONNECTION_ID();
		CREATE USER IF NOT EXISTS 'perfagent'@'127.0.0.1' IDENTIFIED BY 'secret';
		GRANT SELECT, SHOW VIEW, PROCESS ON *.* TO 'perfagent'@'127.0.0.1';
	SQL
	echo "$port" >"$dir/port"
	echo "$port"
	;;
stop)
	[ -d "$dir" ] || exit 0
	pid=$(server_pid) || exit 0
	# The SHUTDOWN statement returns at once (mariadb-admin shutdown polls
	# the pid file once a second); the loop below waits for the exit.
	client --connect-timeout=5 -e SHUTDOWN >/dev/null 2>&1 || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || exit 0
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || exit 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	;;
sql)
	db=${3:-}
	client --batch ${db:+"$db"}
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac
