#!/usr/bin/env bash
# web.sh: `perfagent web` in Debian's headless Chromium against the pages of
# tests/fixtures/web, served on loopback by testsrv --root: the requests
# with their sizes (checked against the files served), the slow API call,
# the console with its levels, the vitals, a PNG of the asked size, a HAR
# with every field HAR 1.2 requires, the findings; then a dead server, bad
# flags, a missing browser, a browser killed mid-run and Ctrl-C — with no
# browser process and no profile directory left behind.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
: "${BUILD:?run through make test}"
if [ ! -x /usr/bin/chromium ]; then
	not_ok "chromium is not installed: run scripts/deps.sh"
	done_testing
	exit 0
fi
SITE="$TMP/site"
mkdir -p "$SITE" "$TMP/tmpdir"
cp tests/fixtures/web/*.html tests/fixtures/web/*.css tests/fixtures/web/*.js "$SITE/"
python3 tests/fixtures/web/make_pngs.py "$SITE" >/dev/null || not_ok "make_pngs.py failed"
"$BUILD/tests/helpers/testsrv" --root "$SITE" --port-file "$TMP/port" --max-seconds 300 >/dev/null 2>&1 &
SRV=$!
# Every browser this test starts keeps its profile under $TMP/tmpdir, so
# "nothing left behind" is checkable: no process naming it, nothing in it.
export TMPDIR="$TMP/tmpdir"
cleanup() {
	kill "$SRV" 2>/dev/null
	pkill -9 -f "$TMP/tmpdir/perfagent-web-" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.05; done
U="http://127.0.0.1:$(cat "$TMP/port")"
j() { jq -r "$2" "$1" 2>/dev/null; }
left_behind() {
	if pgrep -f "$TMP/tmpdir/perfagent-web-" >/dev/null; then
		not_ok "$1: a browser process is left behind"
	elif [ -n "$(ls -A "$TMP/tmpdir")" ]; then
		not_ok "$1: the profile directory is left behind: $(ls "$TMP/tmpdir")"
	else
		ok "$1: no browser process, no profile directory left"
	fi
}
size() { stat -c %s "$SITE/$1"; }

# ---- the test page and a second page, one browser ----
run "$PERFAGENT" web "$U/index.html" "$U/page2.html" --viewport 800x600 --no-progress \
	--screenshot "$TMP/shot.png" --har "$TMP/p.har" -o "$TMP/w.json"
expect_rc "web loads two pages" 0
R="$TMP/w.json"
P0='.metrics.pages[0]'
[ "$(j "$R" '.metrics.pages | length')" = 2 ] && ok "two pages reported" || not_ok "pages: $(j "$R" '.metrics.pages | length')"
[ "$(j "$R" "$P0.status")" = 200 ] && ok "the document's status" || not_ok "status $(j "$R" "$P0.status")"
[ "$(j "$R" "$P0.title")" = "perfagent test page" ] && ok "the title" || not_ok "title $(j "$R" "$P0.title")"
# document, style.css, app.js, small1, small2, big, missing (404), the slow fetch; the favicon is data:
[ "$(j "$R" "$P0.request_count")" = 8 ] && ok "eight requests on the test page" ||
	not_ok "request count $(j "$R" "$P0.request_count"): $(j "$R" "[$P0.requests[].url] | join(\" \")")"
req() { j "$R" "$P0.requests[] | select(.url == \"$U/$1\") | .$2"; }
for f in index.html style.css app.js small1.png small2.png big.png; do
	d=$(req "$f" decoded_bytes) t=$(req "$f" transferred_bytes) want=$(size "$f")
	if [ "$d" = "$want" ] && [ "$t" -gt "$want" ] && [ "$t" -lt $((want + 400)) ]; then
		ok "$f: $d bytes decoded as served, $t on the wire"
	else
		not_ok "$f: decoded $d transferred $t, served $want"
	fi
done
[ "$(req missing.png status)" = 404 ] && ok "the missing image is a 404" || not_ok "missing.png status $(req missing.png status)"
[ "$(req style.css render_blocking)" = true ] && [ "$(req app.js render_blocking)" = true ] &&
	[ "$(req small1.png render_blocking)" = false ] && ok "the stylesheet and script in <head> block rendering" ||
	not_ok "render_blocking: css $(req style.css render_blocking) js $(req app.js render_blocking)"
slow="$U/api/slow?delay_ms=700&type=application/json"
sd=$(req "api/slow?delay_ms=700&type=application/json" duration_ms)
sw=$(req "api/slow?delay_ms=700&type=application/json" timings.wait)
awk -v d="$sd" -v w="$sw" 'BEGIN { exit !(d >= 700 && d < 3000 && w >= 690) }' &&
	ok "the slow call: ${sd%.*} ms, ${sw%.*} ms of it waiting for the server" || not_ok "slow call duration $sd wait $sw"
[ "$(j "$R" "$P0.requests[0].url")" = "$slow" ] && ok "the request list is sorted by duration, slowest first" ||
	not_ok "first request $(j "$R" "$P0.requests[0].url")"
[ "$(j "$R" "[.findings[] | select(.rule == \"slow-request\") | .location.url] | index(\"$slow\") != null")" = true ] &&
	ok "finding slow-request names the slow call" || not_ok "slow-request finding: $(j "$R" '[.findings[].rule]')"
for v in ttfb_ms dom_content_loaded_ms load_ms fcp_ms lcp_ms js_heap_used_bytes; do
	x=$(j "$R" "$P0.$v")
	awk -v x="$x" 'BEGIN { exit !(x + 0 > 0) }' && ok "$v measured ($x)" || not_ok "$v: $x"
done
awk -v c="$(j "$R" "$P0.cls")" 'BEGIN { exit !(c > 0.01 && c < 1) }' && ok "the layout shift is in CLS ($(j "$R" "$P0.cls"))" ||
	not_ok "cls $(j "$R" "$P0.cls")"
awk -v f="$(j "$R" "$P0.fcp_ms")" -v t="$(j "$R" "$P0.ttfb_ms")" -v l="$(j "$R" "$P0.load_ms")" \
	'BEGIN { exit !(t < f && t < l) }' && ok "TTFB comes before FCP and load" || not_ok "ttfb/fcp/load order"
[ "$(j "$R" "$P0.by_type.Image.requests")" = 4 ] && ok "bytes by type: four images" ||
	not_ok "by_type: $(j "$R" "$P0.by_type")"

# the console: four levels, the uncaught error, the 404 as the browser logs it; debug filtered out by default
con() { j "$R" "[$P0.console[] | select(.text == \"$1\") | .level] | join(\",\")"; }
[ "$(con "perfagent-test warning")" = warning ] && ok "console.warn is a warning" || not_ok "warn: $(con "perfagent-test warning")"
[ "$(con "perfagent-test error")" = error ] && ok "console.error is an error" || not_ok "error: $(con "perfagent-test error")"
[ "$(con "perfagent-test info")" = info ] && ok "console.info is info" || not_ok "info: $(con "perfagent-test info")"
[ -z "$(con "perfagent-test debug")" ] && ok "debug is below the default --console-level" || not_ok "debug reported"
[ "$(j "$R" "[$P0.console[] | select(.source == \"exception\") | .text] | join(\",\")")" = "Uncaught Error: perfagent-test uncaught" ] &&
	ok "the uncaught error, as an exception" || not_ok "exception: $(j "$R" "$P0.console")"
warn_line=$(grep -n 'console.warn' tests/fixtures/web/index.html | cut -d: -f1)
[ "$(j "$R" "$P0.console[] | select(.text == \"perfagent-test warning\") | \"\(.url):\(.line)\"")" = "$U/index.html:$warn_line" ] &&
	ok "a console message's source URL:line" || not_ok "source: $(j "$R" "$P0.console[0]")"
[ "$(j "$R" "$P0.console_counts.debug")" = 1 ] && ok "console_counts counts the filtered debug message" ||
	not_ok "console_counts $(j "$R" "$P0.console_counts")"

rules=$(j "$R" '[.findings[].rule] | unique | join(",")')
for r in slow-request large-image failed-request console-error console-warning render-blocking uncompressed-text no-cache-headers; do
	case ",$rules," in *",$r,"*) ok "finding $r" ;; *) not_ok "finding $r missing: $rules" ;; esac
done
[ "$(j "$R" '[.findings[] | select(.rule == "large-image") | .location.url] | join(",")')" = "$U/big.png" ] &&
	ok "large-image is big.png alone" || not_ok "large-image: $(j "$R" '[.findings[] | select(.rule == "large-image")]')"

# the screenshot: a PNG of the viewport asked for
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" and d[12:16]==b"IHDR" else "not a PNG")' "$1"; }
[ "$(png_size "$TMP/shot.png")" = 800x600 ] && ok "screenshot: a PNG of 800x600" || not_ok "screenshot $(png_size "$TMP/shot.png")"
[ "$(png_size "$TMP/shot-2.png")" = 800x600 ] && ok "the second page's screenshot is shot-2.png" || not_ok "second screenshot"
[ "$(j "$R" '[.artifacts[] | .kind] | join(",")')" = "screenshot,screenshot,har" ] && ok "screenshots and HAR are artifacts" ||
	not_ok "artifacts $(j "$R" '.artifacts')"

# the HAR: every field HAR 1.2 requires, with its type
H="$TMP/p.har"
har_ok=$(jq -r '
  def num: type == "number"; def str: type == "string"; def arr: type == "array"; def obj: type == "object";
  def nv: all(.[]; (.name | str) and (.value | str));
  (.log.version == "1.2") and (.log.creator.name | str) and (.log.creator.version | str) and (.log.pages | length == 2)
  and all(.log.pages[]; (.startedDateTime | str) and (.id | str) and (.title | str) and (.pageTimings | obj))
  and (.log.entries | length >= 10)
  and all(.log.entries[];
    (.startedDateTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and (.time | num) and (.pageref | str)
    and (.request | (.method | str) and (.url | str) and (.httpVersion | str) and (.cookies | arr) and (.headers | arr) and (.headers | nv)
         and (.queryString | arr) and (.headersSize | num) and (.bodySize | num))
    and (.response | (.status | num) and (.statusText | str) and (.httpVersion | str) and (.cookies | arr) and (.headers | arr)
         and (.content | (.size | num) and (.mimeType | str)) and (.redirectURL | str) and (.headersSize | num) and (.bodySize | num))
    and (.cache | obj)
    and (.timings | (.send | num) and (.wait | num) and (.receive | num) and .send >= 0 and .wait >= 0 and .receive >= 0))
' "$H" 2>&1)
[ "$har_ok" = true ] && ok "the HAR has every field HAR 1.2 requires" || not_ok "HAR fields: $har_ok"
[ "$(jq -r --arg u "$U/big.png" '.log.entries[] | select(.request.url == $u) | .response.content.size' "$H")" = "$(size big.png)" ] &&
	ok "HAR content.size is the bytes served" || not_ok "HAR big.png size"
[ "$(jq -r '[.log.entries[] | select(.request.url | contains("api/slow")) | .request.queryString[].name] | join(",")' "$H")" = "delay_ms,type" ] &&
	ok "HAR queryString" || not_ok "HAR queryString"

# the human view: vitals, then the request table slowest first
run "$PERFAGENT" web "$U/index.html" --no-progress
expect_rc "human output" 0
grep -q "api/slow" "$TMP/out" && grep -qi "LCP" "$TMP/out" && ok "the summary shows the vitals and the slow call" ||
	not_ok "human output: $(head -20 "$TMP/out")"

# ---- options ----
run "$PERFAGENT" web "$U/index.html" --console-level debug --json --no-progress
[ "$(jq -r '[.metrics.pages[0].console[] | select(.text == "perfagent-test debug") | .level] | join(",")' "$TMP/out")" = debug ] &&
	ok "--console-level debug shows debug messages" || not_ok "--console-level debug"
run "$PERFAGENT" web "$U/index.html" --console-level error --json --no-progress
[ "$(jq -r '[.metrics.pages[0].console[].level] | unique | join(",")' "$TMP/out")" = error ] &&
	ok "--console-level error keeps only errors" || not_ok "--console-level error: $(jq -c '.metrics.pages[0].console' "$TMP/out")"
# the clean page, compressed and cached as the fixture's README says: nothing to find
run "$PERFAGENT" web "$U/clean.html?gzip=1&cache=31536000" --repeat 3 --cold --json --no-progress
expect_rc "--repeat 3 --cold" 0
[ "$(jq -r '.metrics.pages[0].load_runs_ms | length' "$TMP/out")" = 3 ] && ok "--repeat 3: three load times" ||
	not_ok "load_runs_ms: $(jq -c '.metrics.pages[0].load_runs_ms' "$TMP/out")"
[ "$(jq -r '[.findings[].rule] | join(",")' "$TMP/out")" = "" ] && ok "the clean page has no finding" ||
	not_ok "clean page findings: $(jq -r '[.findings[].rule] | join(",")' "$TMP/out")"
[ "$(jq -r '.metrics.pages[0].requests[] | select(.type == "Document") | .decoded_bytes' "$TMP/out")" = "$(size clean.html)" ] &&
	ok "a gzip document: decoded size is the page's" || not_ok "gzip decoded size"
run "$PERFAGENT" web "$U/clean.html" --throttle 300:0:0 --json --no-progress
# Chromium adds the emulated round trip as the body arrives: the document takes it, TTFB barely does
dd=$(jq -r '.metrics.pages[0].requests[] | select(.type == "Document") | .duration_ms' "$TMP/out")
awk -v d="$dd" -v l="$(jq -r '.metrics.pages[0].load_ms' "$TMP/out")" 'BEGIN { exit !(d >= 300 && l >= 300) }' &&
	ok "--throttle adds its round-trip time to the document (${dd%.*} ms)" || not_ok "throttled document $dd"
[ "$(jq -r '.metrics.throttle.latency_ms' "$TMP/out")" = 300 ] && ok "the throttle is in the result" || not_ok "throttle in result"
run "$PERFAGENT" web "$U/index.html" --viewport 400x200 --screenshot "$TMP/full.png" --full-page --no-progress
full=$(png_size "$TMP/full.png")
[ "${full%x*}" -ge 400 ] && [ "${full#*x}" -gt 400 ] && ok "--full-page is the whole page, taller than the viewport ($full)" ||
	not_ok "full page $full"
# a page that never yields: its error; the next page still loads, in a fresh tab
run "$PERFAGENT" web "$U/busy.html" "$U/clean.html" --timeout 2 --json --no-progress
expect_rc "a hung page does not end the run" 0
[ "$(jq -r '.metrics.pages[0].error' "$TMP/out")" = "the page did not answer within 5 s (a script that never yields?)" ] &&
	[ "$(jq -r '.metrics.pages[1].error' "$TMP/out")" = null ] && [ "$(jq -r '.metrics.pages[1].status' "$TMP/out")" = 200 ] &&
	ok "the hung page has its error, the next one loads" || not_ok "hung page: $(jq -c '[.metrics.pages[] | [.url, .error]]' "$TMP/out")"
# a cross-site iframe runs in its own process: its requests count, and nothing waits for them in vain
run "$PERFAGENT" web "$U/frame.html" --json --no-progress
fr=$(jq -r --arg h "http://localhost:$(cat "$TMP/port")" '[.metrics.pages[0].requests[] | select(.url | startswith($h)) | select(.duration_ms != null) | .url] | length' "$TMP/out")
[ "$fr" = 4 ] && ok "the out-of-process iframe's four requests are counted" ||
	not_ok "iframe requests: $(jq -c '[.metrics.pages[0].requests[] | [.url, .duration_ms]]' "$TMP/out")"
left_behind "after the runs"

# ---- bad input ----
run "$PERFAGENT" web "ftp://127.0.0.1/"
expect_err "not a page URL" 2 "'ftp://127.0.0.1/' is not a page URL"
run "$PERFAGENT" web "$U/" --viewport 12
expect_err "a bad --viewport" 2 "--viewport '12': expected WIDTHxHEIGHT"
run "$PERFAGENT" web "$U/" --full-page
expect_err "--full-page alone" 2 "--full-page needs --screenshot FILE"
run "$PERFAGENT" web "$U/" --throttle fast
expect_err "a bad --throttle" 2 "--throttle 'fast': expected none, slow-3g"
run "$PERFAGENT" web "$U/" --chromium "$TMP/no-such-browser"
expect_err "no browser" 3 "apt-get install chromium"
run "$PERFAGENT" web "$U/clean.html" --screenshot "$TMP/no-such-dir/x.png" --json --no-progress
expect_err "an unwritable screenshot" 3 "cannot write '$TMP/no-such-dir/x.png'"
[ "$(jq -r '.metrics.pages[0].status' "$TMP/out")" = 200 ] && ok "an unwritable screenshot: the page is still reported" ||
	not_ok "unwritable screenshot result"
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run "$PERFAGENT" web "http://127.0.0.1:$dead/" --no-progress
expect_err "a dead server" 3 "no page loaded: 'http://127.0.0.1:$dead/': net::ERR_CONNECTION_REFUSED"
run "$PERFAGENT" web "$U/index.html" "http://127.0.0.1:$dead/" --json --no-progress
expect_rc "one dead URL of two" 0
[ "$(jq -r '[.findings[] | select(.rule == "page-load-failed") | .location.url] | join(",")' "$TMP/out")" = "http://127.0.0.1:$dead/" ] &&
	ok "the dead URL is a page-load-failed finding, the other page is reported" || not_ok "page-load-failed"
left_behind "after the errors"

# ---- the browser killed mid-run: what finished is reported, nothing is left ----
"$PERFAGENT" web "$U/index.html" "$U/page2.html?delay_ms=8000" --json --no-progress >"$TMP/k.json" 2>"$TMP/k.err" &
PA=$!
main=""
for _ in $(seq 1 100); do
	main=$(pgrep -f -- "--user-data-dir=$TMP/tmpdir/perfagent-web-.*--remote-debugging-pipe" | head -1)
	[ -n "$main" ] && break
	sleep 0.1
done
# the first page takes two seconds or so; the second waits 8 s for its server
sleep 4
kill -9 "$main" 2>/dev/null
wait "$PA"
rc=$?
[ "$rc" = 3 ] && ok "a killed browser: exit 3" || not_ok "killed browser rc $rc"
grep -q "was killed by signal 9 (KILL) while loading '$U/page2.html?delay_ms=8000'" "$TMP/k.err" &&
	ok "a killed browser: the error says so and names the page" || not_ok "killed browser error: $(cat "$TMP/k.err")"
[ "$(jq -r '.metrics.pages[0].url' "$TMP/k.json")" = "$U/index.html" ] && ok "a killed browser: the page before is reported" ||
	not_ok "killed browser: $(head -c 300 "$TMP/k.json")"
left_behind "after the browser was killed"

# ---- Ctrl-C ----
"$PERFAGENT" web "$U/index.html" "$U/page2.html?delay_ms=8000" --json --no-progress >"$TMP/i.json" 2>"$TMP/i.err" &
PA=$!
sleep 4
kill -INT "$PA"
wait "$PA"
rc=$?
[ "$rc" = 0 ] && grep -q "interrupted: reported the 1 page that finished" "$TMP/i.err" &&
	ok "Ctrl-C: the finished page is reported" || not_ok "Ctrl-C rc $rc: $(cat "$TMP/i.err")"
[ "$(jq -r '.metrics.pages | length' "$TMP/i.json")" = 1 ] && ok "Ctrl-C: one page in the result" || not_ok "Ctrl-C result"
left_behind "after Ctrl-C"
done_testing
