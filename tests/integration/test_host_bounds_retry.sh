# A refused child_result is retried (issue 11, item 5): while the parent's
# host refuses the child's connections (its address is over
# --max-connections-per-address), the child keeps its answer and sends it
# again; once a slot is free the parent gets it and the run completes.
# One host on 127.0.0.2: its child posts from 127.0.0.1, which is neither
# its address nor a member's, so the limit applies; this test's own
# requests come from 127.0.0.4.
. "$(dirname "$0")/lib.sh"

mkdir -p "$PG_TMP/tmp"
TMPDIR="$PG_TMP/tmp" pg_start_host solo --mesh-version t --no-mesh --host 127.0.0.2 \
  --max-connections-per-address 1 --header-timeout 60
url=$PG_URL
port=${url##*:}

# req METHOD PATH [BODY]: a request from 127.0.0.4; prints the body.
req() {
  curl -fsS -m 40 --interface 127.0.0.4 -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$url$2"
}
refused() { req GET /health | jq -r .connections.refused_per_address; }

# Take 127.0.0.1's one slot with a connection that sends nothing.
python3 - "$port" "$PG_TMP/hold.ready" <<'PY' &
import socket, sys, threading
s = socket.create_connection(("127.0.0.2", int(sys.argv[1])), source_address=("127.0.0.1", 0))
open(sys.argv[2], "w").close()
threading.Event().wait()
PY
hold=$!
PG_PIDS+=("$hold")
pg_guard "$hold"
pg_wait_for 10 test -f "$PG_TMP/hold.ready" || pg_fail "could not hold a connection"

parent=$(req POST /agents '{"agent_class_name":"PerformanceBenchmarkAgent","state":{}}' |
  pg_jq_check -r .agent_id) || pg_fail "cannot create the parent"
request='{"include_cpu":true,"include_memory":false,"include_disk":false,"duration_seconds":0.1,"workers":1}'
req POST "/agents/$parent/messages" \
  "{\"message\":{\"kind\":\"collect\",\"args\":{\"request\":$request,\"timeout\":60}}}" >/dev/null ||
  pg_fail "collect failed"
# The child's answer is refused at least twice: it has been sent again.
refused_twice() { [ "$(refused)" -ge 2 ]; }
pg_wait_for 30 refused_twice || pg_fail "the child's answer was refused $(refused) times, expected 2 or more"
kill "$hold"
done_with_result() {
  req POST "/agents/$parent/messages" '{"message":{"kind":"drain","args":{"wait_timeout":5}}}' \
    >"$PG_TMP/drain.json" || return 1
  pg_jq_check '.result.done' <"$PG_TMP/drain.json" >/dev/null
}
pg_wait_for 30 done_with_result || pg_fail "run not done: $(cat "$PG_TMP/drain.json")"
pg_jq_check '.result.summary.results.solo.result.host_name == "solo"' <"$PG_TMP/drain.json" >/dev/null ||
  pg_fail "no result from the refused child: $(cat "$PG_TMP/drain.json")"
pg_log "child answer refused $(refused) times, then delivered"
pg_pass
