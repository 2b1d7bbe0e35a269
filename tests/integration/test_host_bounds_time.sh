# Bounded time (issue 11, item 4): numbers in operation arguments are
# range-checked before use; --max-call-timeout caps agents' calls; nested
# calls stop at 8 hops (Paglets-Hops); and SIGTERM ends a host within
# --shutdown-grace + 1 s although its seeds and the peer an agent is
# calling accept connections and never answer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# The silent peer: accepts every connection and never answers; it notes
# each request line it reads in $PG_TMP/silent.seen.
pg_start_python silent "$PG_TMP/silent.seen" <<'PY'
import socket, sys, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
announce(s.getsockname()[1])
def hold(c):
    line = c.makefile("rb").readline().decode(errors="replace").strip()
    with open(sys.argv[1], "a") as f:
        f.write(line + "\n")
    threading.Event().wait()
while True:
    threading.Thread(target=hold, args=(s.accept()[0],), daemon=True).start()
PY
silent=$PG_PY_URL
silent_port=${silent##*:}

# call_args URL [TIMEOUT]: an EchoAgent `call` of agent x's echo at URL.
call_args() {
  echo "{\"message\":{\"kind\":\"call\",\"args\":{\"host_url\":\"$1\",\"agent_id\":\"x\",\"op\":\"echo\"${2:+,\"timeout\":$2}}}}"
}

pg_start_host alpha --mesh-version t --test-agents --no-mesh --max-call-timeout 1
alpha=$PG_URL
a=$(pg_create "$alpha")
for t in 1e300 1e9 -1 3601; do
  out=$(pg_req POST "$alpha/agents/$a/messages" "$(call_args "$silent" "$t")")
  pg_expect_error "call timeout $t" 400 EINVAL "$out"
done
# Asked for an hour, the call ends at the host's cap of one second.
out=$(pg_req POST "$alpha/agents/$a/messages" "$(call_args "$silent" 3600)")
pg_expect_error "call capped by --max-call-timeout" 504 ETIMEDOUT "$out"

# nest N: a call that makes N nested calls back into alpha, the innermost
# an echo: N + 1 requests with Paglets-Hops 0..N.
nest() {
  local inner='{"deep":true}' op=echo _
  for _ in $(seq "$1"); do
    inner="{\"host_url\":\"$alpha\",\"agent_id\":\"$a\",\"op\":\"$op\",\"args\":$inner}"
    op=call
  done
  echo "{\"message\":{\"kind\":\"$op\",\"args\":$inner}}"
}
out=$(pg_req POST "$alpha/agents/$a/messages" "$(nest 7)")
pg_expect_status "7 nested calls" 200
pg_expect_eq "7 nested calls reply" true "$(jq .result.deep <<<"$out")"
out=$(pg_req POST "$alpha/agents/$a/messages" "$(nest 8)")
pg_expect_error "8 nested calls" 508 ELOOP "$out"
out=$(curl -sS -m 10 -H 'Paglets-Hops: 8' "$alpha/health")
pg_expect_eq "a request at the hop limit" ELOOP "$(jq -r .error.code <<<"$out")"
out=$(curl -sS -m 10 -H 'Paglets-Hops: x' "$alpha/health")
pg_expect_eq "a hop count that is not a number" EINVAL "$(jq -r .error.code <<<"$out")"

# SIGTERM with silent seeds (each gossip exchange would wait 2 s) and an
# agent's call to the silent peer in flight: out within grace + 1 s.
pg_start_host beta --mesh-version t --test-agents --gossip-interval 5 \
  --shutdown-grace 1 --peer "$silent" --peer "http://localhost:$silent_port" \
  --peer "http://[::ffff:127.0.0.1]:$silent_port"
beta=$PG_URL
pid=${PG_PID_beta:?}
b=$(pg_create "$beta")
calls() { grep -c "POST /agents/x/messages" "$PG_TMP/silent.seen" || true; }
before=$(calls)
curl -sS -m 30 -o /dev/null -H 'Content-Type: application/json' \
  --data-binary "$(call_args "$silent" 3600)" "$beta/agents/$b/messages" 2>/dev/null &
caller=$!
PG_PIDS+=("$caller")
one_more() { [ "$(calls)" -gt "$before" ]; }
pg_wait_for 10 one_more || pg_fail "beta's call never reached the silent peer"
start=$(date +%s%N)
kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
pg_wait_for 30 gone || pg_fail "host still running 30 s after SIGTERM"
ms=$((($(date +%s%N) - start) / 1000000))
pg_log "host exited $ms ms after SIGTERM (grace 1 s)"
[ "$ms" -le 2000 ] || pg_fail "host took $ms ms to exit after SIGTERM, limit 2000 (grace + 1 s)"
pg_expect_match "clean stop" "host 'beta' stopped" "$(cat "$PG_TMP/beta.log")"
pg_pass
