# Helpers shared by the test_perf_*.sh scripts: a meshed group of hosts and
# a bounded `paglets examples perf` run. Source after lib.sh.

# pg_perf_join NAME: start host NAME, meshed through the first host this
# test started (PG_PERF_SEED), and set PG_URL_<NAME>. Not in $(...): the
# pids and variables must reach the test's shell. The hosts of one test
# share a temp dir (PERF_TMPDIR overrides it), also their XDG_RUNTIME_DIR,
# so their benchmark lock (in XDG_RUNTIME_DIR/paglets) is theirs alone:
# other tests running at the same time do not delay them.
# PERF_OFFLINE_AFTER sets the hosts' offline window (default 10 s).
pg_perf_join() {
  local name=$1 tmp=${PERF_TMPDIR:-$PG_TMP/tmp}
  mkdir -p "$tmp"
  TMPDIR=$tmp XDG_RUNTIME_DIR=$tmp pg_start_host "$name" --mesh-version perf-test --gossip-interval 0.2 \
    --offline-after "${PERF_OFFLINE_AFTER:-10}" ${PG_PERF_SEED:+--peer "$PG_PERF_SEED"}
  [ -n "${PG_PERF_SEED:-}" ] || PG_PERF_SEED=$PG_URL
}

# pg_perf_mesh NAME...: start the hosts and wait until the first host
# lists them all online.
pg_perf_mesh() {
  local name
  for name in "$@"; do pg_perf_join "$name"; done
  pg_wait_for 20 pg_perf_online "$PG_PERF_SEED" "$#" ||
    pg_fail "mesh of $* never formed at $PG_PERF_SEED"
}

# pg_perf_online URL N: true when the host at URL lists N online hosts.
pg_perf_online() {
  local n
  n=$(curl -fsS -m 2 "$1/hosts" | jq '[.hosts[] | select(.online)] | length') || return 1
  [ "$n" -eq "$2" ]
}

# pg_perf OUTFILE ERRFILE ARGS...: run the benchmark with a time bound;
# prints its exit status.
pg_perf() {
  local out=$1 err=$2 rc=0
  shift 2
  timeout 120 "$PAGLETS_BIN" examples perf "$@" >"$out" 2>"$err" || rc=$?
  echo "$rc"
}

# pg_perf_hold_lock DIR: take the benchmark lock of hosts whose temp dir
# is DIR (DIR/paglets/paglets-benchmark.lock) in a background process
# (killed with the hosts) until the test ends.
pg_perf_hold_lock() {
  mkdir -p "$1" && mkdir -p -m 700 "$1/paglets"
  bash -c 'exec 9>"$1/paglets/paglets-benchmark.lock"; flock -x 9; exec sleep 300' \
    _ "$1" >/dev/null 2>&1 &
  PG_PIDS+=("$!")
  pg_guard "$!"
  pg_wait_for 5 bash -c "! flock -n '$1/paglets/paglets-benchmark.lock' true" ||
    pg_fail "could not take the lock in $1"
}

# pg_perf_stuck_pair: alpha, and beta whose benchmark lock this test holds,
# so a child on beta arrives but cannot answer. Defines beta_has_child.
pg_perf_stuck_pair() {
  pg_perf_hold_lock "$PG_TMP/locked"
  pg_perf_join alpha
  PERF_TMPDIR="$PG_TMP/locked" pg_perf_join beta
  pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 2 || pg_fail "mesh never formed"
}

# pg_perf_agents URL: how many agents the host at URL holds.
pg_perf_agents() { curl -fsS -m 2 "$1/agents" | jq '[.agents[]?] | length'; }

beta_has_child() { [ "$(pg_perf_agents "$PG_URL_beta")" -gt 0 ]; }
