# The benchmark parent believes only its own children: a child_result
# without the token the parent put in that child's clone state (or with
# one used already) is 403, counted in the summary and the host's log,
# never shown as a result; no endpoint shows a child's token (GET
# /agents/{id}, and cloning the child elsewhere fails); a request with
# more than 64 paths is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# beta's child waits on a lock this test holds: it has arrived, and will
# answer once the lock is released.
pg_perf_hold_lock "$PG_TMP/locked"
locker=${PG_PIDS[-1]}
pg_perf_join alpha
PERF_TMPDIR="$PG_TMP/locked" pg_perf_join beta
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 2 || pg_fail "mesh never formed"

timeout 90 "$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --disk-size 1M --path "$PG_TMP" --lock-timeout 60 \
  --timeout 60 >"$PG_TMP/out" 2>"$PG_TMP/err" &
perf=$!
pg_wait_for 20 beta_has_child || pg_fail "no benchmark child arrived on beta"

# agent_with_role URL ROLE: the id of the benchmark agent there in ROLE.
agent_with_role() {
  local id
  for id in $(curl -fsS -m 2 "$1/agents" | jq -r '.agents[].agent_id'); do
    if [ "$(curl -fsS -m 2 "$1/agents/$id" | jq -r '.state.role')" = "$2" ]; then
      echo "$id"
      return 0
    fi
  done
  return 1
}
parent=$(agent_with_role "$PG_URL_alpha" parent) || pg_fail "no parent on alpha"
child=$(agent_with_role "$PG_URL_beta" child) || pg_fail "no child on beta"

# forge TOKEN: post a made-up result for beta; prints the HTTP status.
forge() {
  curl -s -o "$PG_TMP/forged" -w '%{http_code}' -m 5 -X POST \
    -H 'Content-Type: application/json' "$PG_URL_alpha/agents/$parent/messages" \
    -d "$(jq -cn --arg t "$1" --arg u "$PG_URL_beta" '{message: {kind: "child_result",
          args: ({host_name: "beta", host_url: $u,
                  result: {host_name: "beta", errors: ["forged"]}}
                 + (if $t == "" then {} else {token: $t} end))}}')"
}
pg_expect_eq "a result without a token" 403 "$(forge "")"
pg_expect_eq "a result with a made-up token" 403 "$(forge "$(printf '%064d' 0)")"
pg_expect_match "the 403 says why" "refused" "$(cat "$PG_TMP/forged")"

# The child's state, as an endpoint shows it: no token.
pg_expect_eq "GET /agents/{child} shows no token" false \
  "$(curl -fsS -m 2 "$PG_URL_beta/agents/$child" | jq '.state | has("token")')"
status=$(curl -s -o "$PG_TMP/clone" -w '%{http_code}' -m 5 -X POST \
  -H 'Content-Type: application/json' "$PG_URL_beta/agents/$child/clone" \
  -d "{\"target\": \"$PG_URL_alpha\"}")
pg_expect_eq "a clone of the child carries no token: refused" 400 "$status"

# Now the real child answers, with its token.
kill "$locker"
rc=0
wait "$perf" || rc=$?
out=$PG_TMP/out
pg_expect_eq "exit status (refused results are errors; stderr: $(cat "$PG_TMP/err"))" 1 "$rc"
pg_expect_eq "both hosts reported" alpha,beta "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "beta's result is its own" '[]' "$(jq -c '.results.beta.result.errors' "$out")"
pg_expect_eq "refused results counted" 2 "$(jq -r '.refused_results' "$out")"
pg_expect_match "alpha logged the refusal" "refusing benchmark result for 'beta'" \
  "$(cat "$PG_TMP/alpha.log")"

# 65 paths: refused before anything is cloned.
id=$(curl -fsS -m 5 -X POST -H 'Content-Type: application/json' "$PG_URL_alpha/agents" \
  -d '{"agent_class_name": "PerformanceBenchmarkAgent", "state": {}}' | jq -r .agent_id)
status=$(curl -s -o "$PG_TMP/many" -w '%{http_code}' -m 30 -X POST \
  -H 'Content-Type: application/json' "$PG_URL_alpha/agents/$id/messages" \
  -d "$(jq -cn '{message: {kind: "collect", args: {timeout: 1, request:
        {include_cpu: false, include_memory: false, include_disk: false,
         paths: [range(65) | "/tmp"]}}}}')")
pg_expect_eq "65 paths" 400 "$status"
pg_expect_match "65 paths: said" "at most 64" "$(cat "$PG_TMP/many")"

pg_pass
