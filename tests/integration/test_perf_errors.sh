# Failures stay with their host: a host whose benchmark lock is held
# reports an error in its result, a host that died (still listed alive)
# fails its clone; the others are reported and the exit status is 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# gamma must stay listed online after it dies, for both runs below.
PERF_OFFLINE_AFTER=300

# beta's temp dir holds a benchmark lock this test keeps taken.
pg_perf_hold_lock "$PG_TMP/locked"
pg_perf_join alpha
PERF_TMPDIR="$PG_TMP/locked" pg_perf_join beta
pg_perf_join gamma
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 3 || pg_fail "mesh never formed"

# gamma dies without saying goodbye, and a stand-in on its port keeps
# acking the mesh's probes as gamma (so it stays listed alive: a silent
# host would be suspected within a probe or two and skipped) while it
# fails everything else, clones included.
kill -KILL "$PG_PID_gamma"
wait "$PG_PID_gamma" 2>/dev/null || true
python3 - "$PG_URL_gamma" "$PG_TMP/standin.up" <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
url = sys.argv[1]
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path in ("/hosts/ping", "/hosts/ping-req"):
            # An incarnation above the real gamma's (its start time in
            # microseconds): refutes a suspicion raised before it was up.
            code, body = 200, {"ack": ["gamma", url, (1 << 53) - 1]}
        else:
            code, body = 500, {"error": "gamma is gone"}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST
server = ThreadingHTTPServer(("127.0.0.1", int(url.rsplit(":", 1)[1])), Handler)
open(sys.argv[2], "w").write("up\n")
server.serve_forever()
PY
PG_PIDS+=($!)
pg_wait_for 5 test -s "$PG_TMP/standin.up" || pg_fail "gamma's stand-in did not start"
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 3 || pg_fail "alpha does not list the stand-in alive"

rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" --json \
  --no-cpu --no-disk --duration 0.02 --lock-timeout 0.2)
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 1 "$rc"
out="$PG_TMP/out"
pg_expect_eq "hosts with results" "alpha,beta" \
  "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "alpha is clean" 0 \
  "$(jq -r '.results.alpha.result | [.errors[], .memory.errors[]] | length' "$out")"
pg_expect_match "beta's lock error" '^benchmark (file )?lock busy after 0\.[0-9]{3}s$' \
  "$(jq -r '.results.beta.result.errors[0]' "$out")"
pg_expect_eq "beta ran no kernel" null "$(jq -r '.results.beta.result.memory' "$out")"
pg_expect_match "gamma's clone failed" '^clone failed: ' \
  "$(jq -r '.errors.gamma' "$out")"
pg_expect_eq "only gamma failed outright" gamma "$(jq -r '.errors | keys | join(",")' "$out")"

# The same run as text: err column and notes.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
  --no-cpu --no-disk --duration 0.02 --lock-timeout 0.2)
pg_expect_eq "text exit status" 1 "$rc"
pg_expect_match "alpha row has no errors" '^alpha .* 0$' "$(grep '^alpha ' "$PG_TMP/out")"
pg_expect_match "beta row counts one error" '^beta .* 1$' "$(grep '^beta ' "$PG_TMP/out")"
pg_expect_match "notes name gamma" '  - gamma: clone failed: ' "$(cat "$PG_TMP/out")"
pg_expect_match "notes name beta" '  - beta: benchmark (file )?lock busy after' "$(cat "$PG_TMP/out")"

pg_pass
