# Bounded agent state (issue 11, item 3): an arriving state larger than
# --max-state is 413 (created or cloned), all agents' state together stays
# within --max-state-total (507 beyond), and a disposed agent gives its
# share back. Sizes are what the state takes in memory: about 220 bytes
# for each "{}" (paglets_agent_state_bytes). A benchmark parent charges
# the results it keeps to the same total: without room, a host's result is
# replaced by an error naming the limit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

pg_start_host alpha --mesh-version t --test-agents --no-mesh \
  --max-state 64K --max-state-total 256K
alpha=$PG_URL

# objects N: a JSON array of N empty objects.
objects() { python3 -c "import sys; print('[' + ','.join(['{}'] * int(sys.argv[1])) + ']')" "$1"; }

big=$(objects 400)
out=$(pg_req POST "$alpha/agents" "{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$big}}")
pg_expect_error "create over --max-state" 413 EMSGSIZE "$out"
pg_expect_match "names the limit" "max-state" "$(jq -r .error.message <<<"$out")"
out=$(pg_req POST "$alpha/agents" "{\"kind\":\"clone\",\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$big}}")
pg_expect_error "clone over --max-state" 413 EMSGSIZE "$out"

# 200 objects (about 45 KB) each: the fifth or so fills 256K.
part=$(objects 200)
ids=()
for _ in $(seq 10); do
  out=$(pg_req POST "$alpha/agents" "{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$part}}")
  [ "$(pg_status)" = 201 ] || break
  ids+=("$(jq -r .agent_id <<<"$out")")
done
pg_expect_error "create over --max-state-total" 507 ENOSPC "$out"
pg_expect_match "names the total" "max-state-total" "$(jq -r .error.message <<<"$out")"
n=${#ids[@]}
if [ "$n" -lt 4 ] || [ "$n" -gt 6 ]; then
  pg_fail "$n agents of about 45 KB fit in 256K"
fi
pg_log "$n agents of 200 objects fit in --max-state-total 256K"
out=$(pg_req POST "$alpha/agents" "{\"kind\":\"clone\",\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$part}}")
pg_expect_error "clone over --max-state-total" 507 ENOSPC "$out"
# Small agents still fit: the limit is on bytes, not on agents.
pg_create "$alpha" >/dev/null

# Disposing gives the share back (once the agent is freed).
pg_req POST "$alpha/agents/${ids[0]}/dispose" >/dev/null
pg_expect_status "dispose" 200
fits_again() {
  pg_req POST "$alpha/agents" "{\"agent_class_name\":\"EchoAgent\",\"state\":{\"data\":$part}}" >/dev/null
  [ "$(pg_status)" = 201 ]
}
pg_wait_for 10 fits_again || pg_fail "no room after a dispose: $(pg_status)"

# The benchmark parent's results count too: a host with room for the parent
# but not for one result reports the limit in place of the result.
tmp=$PG_TMP/perf
mkdir -p "$tmp"
XDG_RUNTIME_DIR=$tmp pg_start_host tight --mesh-version t --no-mesh \
  --max-state-total 8K
rc=0
timeout 60 "$PAGLETS_BIN" examples perf --entry "$PG_URL" --json --no-disk \
  --no-memory --duration 0.05 >"$PG_TMP/perf.out" 2>"$PG_TMP/perf.err" || rc=$?
pg_expect_eq "exit with the result refused (stderr: $(cat "$PG_TMP/perf.err"))" 1 "$rc"
pg_expect_eq "no result kept" 0 "$(jq '.results | length' "$PG_TMP/perf.out")"
pg_expect_match "the error names the limit" "max-state-total" \
  "$(jq -r '.errors.tight' "$PG_TMP/perf.out")"
pg_pass
