# examples/hello_agent: a program that embeds a host with its own agent type
# moves a HelloAgent to a second host (another process on loopback) and calls
# it there; with an API key on both sides, and refused with a wrong one.
. "$(dirname "$0")/lib.sh"

hello="$(dirname "$PAGLETS_BIN")/examples/hello_agent"
[ -x "$hello" ] || pg_fail "$hello was not built"

export PAGLETS_API_KEY=hello-test-key
"$hello" serve alpha >"$PG_TMP/alpha.out" 2>"$PG_TMP/alpha.log" &
pid=$!
PG_PIDS+=("$pid")
pg_guard "$pid"
pg_wait_for 10 grep -q "listening on" "$PG_TMP/alpha.out" || pg_fail "hello_agent serve did not start"
url=$(sed -n "s/.*listening on \(http[^ ]*\).*/\1/p" "$PG_TMP/alpha.out")

out=$(timeout 30 "$hello" visit beta "$url" 2>"$PG_TMP/beta.log") ||
  pg_fail "visit failed: $(cat "$PG_TMP/beta.log")"
pg_expect_match "visit starts its own host first" "^hello_agent: host 'beta' listening on http" "$out"
pg_expect_eq "the clone greets from alpha" 'Hello, world, from alpha (greets: 1)' "$(tail -n 1 <<<"$out")"

# The clone was disposed: alpha holds no agent any more.
agents=$(pg_get "$url/agents")
pg_expect_eq "no agent left on alpha" 0 "$(jq '[.. | objects | select(has("agent_id"))] | length' <<<"$agents")"

set +e
PAGLETS_API_KEY=wrong timeout 30 "$hello" visit gamma "$url" >/dev/null 2>"$PG_TMP/gamma.log"
rc=$?
set -e
pg_expect_eq "a wrong key fails the visit" 1 "$rc"

kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
pg_expect_eq "serve exits 0 on SIGTERM" 0 "$rc"
pg_pass
