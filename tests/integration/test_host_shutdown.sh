# SIGTERM and SIGINT: requests blocked on agents are released, the host
# disposes its agents and exits 0 promptly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# Not in $(...): the pid variable must reach this shell.
pg_start_host alpha --mesh-version t --test-agents
alpha=$PG_URL
pg_start_host beta --mesh-version t --test-agents --no-mesh
beta=$PG_URL

# op_blocked PID: a request of host PID waits inside its operation. The
# host serves each connection in its own thread ("MHD-connection"), which
# sleeps in poll while it reads a request and on a futex only once the
# operation waits on its agent (the EchoAgent's sleep).
op_blocked() {
  local task
  for task in /proc/"$1"/task/*; do
    [ "$(cat "$task/comm" 2>/dev/null)" = MHD-connection ] &&
      grep -q futex "$task/wchan" 2>/dev/null && return 0
  done
  return 1
}

# stop_host PID URL SIGNAL: a blocked request is running; signal the host
# and expect exit 0 within 3 s and the blocked request answered.
stop_host() {
  local pid=$1 url=$2 sig=$3 a start elapsed rc
  a=$(pg_create "$url")
  pg_req POST "$url/agents/$a/messages" \
    '{"message":{"kind":"sleep","args":{"seconds":25}}}' >"$PG_TMP/sleeper" &
  local sleeper=$!
  pg_wait_for 5 op_blocked "$pid" || pg_fail "the sleep request never blocked on its agent"
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

# signal_and_wait PID SIGNAL: exit status 0 within 3 s.
signal_and_wait() {
  local pid=$1 start rc
  start=$(date +%s%N)
  kill -"$2" "$pid"
  set +e
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  wait "$pid"
  rc=$?
  set -e
  pg_expect_eq "exit status after SIG$2" 0 "$rc"
  PG_ELAPSED_MS=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$PG_ELAPSED_MS" -lt 3000 ] || pg_fail "SIG$2 took $PG_ELAPSED_MS ms"
}

# has_run URL ID: the agent's run hook has started (it counts its runs
# first, then lingers).
has_run() {
  [ "$(curl -fsS -m 2 "$1/agents/$2" | jq '.state.runs')" = 1 ]
}

# A run hook that returns on disposal lets the host stop at once; one that
# ignores it gets --shutdown-grace, then the host exits anyway.
pg_start_host polite --mesh-version t --test-agents --no-mesh
a=$(pg_create "$PG_URL" '{"linger":20}')
pg_wait_for 5 has_run "$PG_URL" "$a" || pg_fail "polite agent's run hook never started"
signal_and_wait "$PG_PID_polite" TERM
grep -q "host 'polite' stopped" "$PG_TMP/polite.log" || pg_fail "polite host did not stop cleanly"
pg_start_host stubborn --mesh-version t --test-agents --no-mesh --shutdown-grace 0.5
a=$(pg_create "$PG_URL" '{"linger":20,"stubborn":true}')
pg_wait_for 5 has_run "$PG_URL" "$a" || pg_fail "stubborn agent's run hook never started"
signal_and_wait "$PG_PID_stubborn" TERM
[ "$PG_ELAPSED_MS" -ge 400 ] || pg_fail "stubborn agent got no grace ($PG_ELAPSED_MS ms)"
grep -q "still running after 0.5 s grace" "$PG_TMP/stubborn.log" ||
  pg_fail "no warning about the stubborn agent"

stop_host "$PG_PID_alpha" "$alpha" TERM
stop_host "$PG_PID_beta" "$beta" INT
grep -q "host 'alpha' stopped" "$PG_TMP/alpha.log" || pg_fail "no stop line for alpha"
grep -q "received SIGINT" "$PG_TMP/beta.log" || pg_fail "no SIGINT line for beta"

pg_pass
