# Connections (issue 11, item 5): a connection that trickles its request
# headers is closed --header-timeout after it opened, however it trickles;
# one client address holds at most --max-connections-per-address (this
# host's own address exempt); and when idle or trickling connections fill
# --max-connections, a new client evicts the oldest of them instead of
# being refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# open_conns PORT SOURCE N FILE: open N connections from address SOURCE
# that send a request line and one header line every 0.2 s and never end
# their headers; when the host closes one, note how long it had been open
# in FILE (one line each). Returns once all are open; runs until killed.
open_conns() {
  python3 - "$@" <<'PY' &
import select, socket, sys, time
port, source, n, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
conns = {}
for _ in range(n):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    conns[s] = time.monotonic()
open(out + ".ready", "w").close()
while True:
    ready, _, _ = select.select(list(conns), [], [], 0.2)
    for s in list(conns):
        ended = False
        if s in ready:
            try:
                ended = s.recv(4096) == b""
            except OSError:
                ended = True
        if not ended:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                ended = True
        if ended:
            with open(out, "a") as f:
                f.write("%.2f\n" % (time.monotonic() - conns.pop(s)))
            s.close()
    if not conns:
        time.sleep(3600)
PY
  PG_PIDS+=("$!")
  pg_guard "$!"
  pg_wait_for 10 test -f "$4.ready" || pg_fail "could not open $3 connections from $2"
}

# stat URL FIELD: a counter of /health's "connections" object.
stat() { curl -fsS -m 5 "$1/health" | jq -r ".connections.$2"; }
# stat_is URL FIELD N: the counter reads N.
stat_is() { [ "$(stat "$1" "$2")" = "$3" ]; }
# lines FILE: how many lines FILE has (0 when missing).
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
lines_are() { [ "$(lines "$1")" = "$2" ]; }

# --header-timeout: two connections trickle forever; both are closed.
pg_start_host slow --mesh-version t --no-mesh --header-timeout 1
slow=$PG_URL
open_conns "${slow##*:}" 127.0.0.1 2 "$PG_TMP/slow.closed"
pg_wait_for 20 lines_are "$PG_TMP/slow.closed" 2 ||
  pg_fail "trickling connections still open: $(lines "$PG_TMP/slow.closed") of 2 closed"
pg_log "trickling connections closed after $(tr '\n' ' ' <"$PG_TMP/slow.closed")s"
pg_expect_eq "header timeouts counted" 2 "$(stat "$slow" header_timeouts)"
pg_req GET "$slow/health" >/dev/null
pg_expect_status "host still answers" 200

# --max-connections-per-address: 127.0.0.2 gets 3 of its 5, this host's
# own address (127.0.0.1) is exempt.
pg_start_host limited --mesh-version t --no-mesh --max-connections-per-address 3
limited=$PG_URL
open_conns "${limited##*:}" 127.0.0.2 5 "$PG_TMP/limited.closed"
pg_wait_for 20 stat_is "$limited" refused_per_address 2 ||
  pg_fail "refused per address: $(stat "$limited" refused_per_address), expected 2"
pg_wait_for 20 lines_are "$PG_TMP/limited.closed" 2 ||
  pg_fail "closed from 127.0.0.2: $(lines "$PG_TMP/limited.closed"), expected 2"
open_conns "${limited##*:}" 127.0.0.1 5 "$PG_TMP/own.closed"
pg_req GET "$limited/health" >/dev/null
pg_expect_status "health from the exempt address" 200
pg_expect_eq "own address refused" 2 "$(stat "$limited" refused_per_address)"
pg_expect_eq "own address closed" 0 "$(lines "$PG_TMP/own.closed")"

# --max-connections: 4 trickling connections fill the host; a new client
# evicts the oldest of them and is answered.
pg_start_host full --mesh-version t --no-mesh --max-connections 4
full=$PG_URL
open_conns "${full##*:}" 127.0.0.1 4 "$PG_TMP/full.closed"
pg_req GET "$full/health" >/dev/null
pg_expect_status "health at the connection limit" 200
pg_wait_for 20 lines_are "$PG_TMP/full.closed" 1 ||
  pg_fail "evicted: $(lines "$PG_TMP/full.closed") connections, expected 1"
pg_expect_eq "evictions counted" 1 "$(stat "$full" evicted)"
pg_pass
