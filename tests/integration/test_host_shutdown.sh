# SIGTERM and SIGINT: requests blocked on agents are released, the host
# disposes its agents and exits 0 promptly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# Not in $(...): the pid variable must reach this shell.
pg_start_host alpha --mesh-version t >"$PG_TMP/alpha.url"
alpha=$(cat "$PG_TMP/alpha.url")
pg_start_host beta --mesh-version t --no-mesh >"$PG_TMP/beta.url"
beta=$(cat "$PG_TMP/beta.url")

# stop_host PID URL SIGNAL: a blocked request is running; signal the host
# and expect exit 0 within 3 s and the blocked request answered.
stop_host() {
  local pid=$1 url=$2 sig=$3 a start elapsed rc
  a=$(pg_create "$url")
  pg_req POST "$url/agents/$a/messages" \
    '{"message":{"kind":"sleep","args":{"seconds":25}}}' >"$PG_TMP/sleeper" &
  local sleeper=$!
  pg_wait_for 3 bash -c "ss -tn state established '( dport = :${url##*:} )' | grep -q ." ||
    pg_fail "sleeping request did not connect"
  sleep 0.2
  start=$(date +%s%N)
  kill -"$sig" "$pid"
  set +e
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  wait "$pid"
  rc=$?
  set -e
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  pg_expect_eq "exit status after SIG$sig" 0 "$rc"
  [ "$elapsed" -lt 3000 ] || pg_fail "SIG$sig took ${elapsed} ms"
  pg_log "SIG$sig: exited in ${elapsed} ms"
  wait "$sleeper" || true
  pg_expect_eq "blocked request released by SIG$sig" true \
    "$(jq -r .result.interrupted "$PG_TMP/sleeper" 2>/dev/null)"
}

stop_host "$PG_PID_alpha" "$alpha" TERM
stop_host "$PG_PID_beta" "$beta" INT
grep -q "host 'alpha' stopped" "$PG_TMP/alpha.log" || pg_fail "no stop line for alpha"
grep -q "received SIGINT" "$PG_TMP/beta.log" || pg_fail "no SIGINT line for beta"

pg_pass
