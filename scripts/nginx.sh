#!/usr/bin/env bash
# nginx.sh: a throwaway nginx on loopback for tests and benchmarks.
#
#   scripts/nginx.sh start DIR   start nginx with its config, logs and a fresh
#                                self-signed certificate in DIR; prints
#                                "http=PORT https=PORT"
#   scripts/nginx.sh stop DIR    stop it (and remove nothing: DIR is the caller's)
#
# Serves "hello, world\n" at / over HTTP and HTTPS on 127.0.0.1, with one
# worker process, no access log. Ports are picked free at start.
set -euo pipefail
cmd=${1:?usage: nginx.sh start|stop DIR}
dir=${2:?usage: nginx.sh start|stop DIR}
nginx=$(command -v nginx || echo /usr/sbin/nginx)

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

case "$cmd" in
start)
	mkdir -p "$dir/tmp" "$dir/logs"
	http=$(free_port)
	https=$(free_port)
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
	cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$http;
        location / { return 200 "hello, world\n"; }
    }
    server {
        listen 127.0.0.1:$https ssl;
        ssl_certificate $dir/cert.pem;
        ssl_certificate_key $dir/key.pem;
        location / { return 200 "hello, world\n"; }
    }
}
CONF
	"$nginx" -p "$dir" -c "$dir/nginx.conf" -g "user $(id -un);" 2>"$dir/logs/start.log" ||
		"$nginx" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/logs/start.log"
	for _ in $(seq 1 50); do
		(exec 3<>/dev/tcp/127.0.0.1/"$http") 2>/dev/null && break
		sleep 0.1
	done
	echo "http=$http https=$https"
	;;
stop)
	if [ -f "$dir/nginx.pid" ]; then
		kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
		for _ in $(seq 1 30); do
			kill -0 "$(cat "$dir/nginx.pid" 2>/dev/null)" 2>/dev/null || break
			sleep 0.1
		done
	fi
	;;
*)
	echo "usage: nginx.sh start|stop DIR" >&2
	exit 2
	;;
esac
