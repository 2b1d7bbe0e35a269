# The CLI parses a reply under a memory budget (issue 11, item 10): a
# fake entry host answers GET /hosts with 15 MB of "{}" rows, which parse
# to over a gigabyte of JSON values (the CLI reached 1.2 GB RSS before).
# `paglets hosts` must refuse the reply with a one-line error and stay
# within 256 MiB RSS; its peak comes from getrusage(RUSAGE_CHILDREN) of a
# python parent that runs it and nothing else.
. "$(dirname "$0")/lib.sh"

pg_skip_if_sanitized RSS
limit_kib=$((256 * 1024))

pg_start_python fake <<'PY'
import http.server, json
rows = b"{\"hosts\":[" + b",".join([b"{}"] * 5000000) + b"]}"
class Fake(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = json.dumps({"name": "fake", "address": "http://127.0.0.1:%d" % port,
                               "api_version": 1, "code_version": "t",
                               "active_count": 0, "inactive_count": 0,
                               "capabilities": [], "tags": [], "properties": {}}).encode()
        else:
            body = rows
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
port = server.server_address[1]
announce(port)
server.serve_forever()
PY
fake=$PG_PY_URL

# Exit status, peak RSS in KiB and stderr of `paglets hosts --entry FAKE`.
python3 - "$PAGLETS_BIN" "$fake" "$PG_TMP/hosts.err" >"$PG_TMP/hosts.rss" <<'PY'
import resource, subprocess, sys
with open(sys.argv[3], "wb") as err:
    rc = subprocess.run([sys.argv[1], "hosts", "--entry", sys.argv[2]],
                        stdout=subprocess.DEVNULL, stderr=err, timeout=120).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
read -r rc peak <"$PG_TMP/hosts.rss"
pg_log "paglets hosts on a 15 MB reply of {} rows: exit $rc, peak RSS $peak KiB (limit $limit_kib): $(cat "$PG_TMP/hosts.err")"
[ "$rc" != 0 ] || pg_fail "the CLI accepted the reply"
pg_expect_eq "one error line" 1 "$(wc -l <"$PG_TMP/hosts.err")"
pg_expect_match "error names the memory budget" "MiB of memory" "$(cat "$PG_TMP/hosts.err")"
[ "$peak" -le "$limit_kib" ] || pg_fail "peak RSS $peak KiB over $limit_kib KiB"
pg_pass
