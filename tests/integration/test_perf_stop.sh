# Stopping means stopped (issue 15 item 7): a run interrupted with Ctrl-C
# while its child is in the middle of its kernels (--duration 30: minutes
# of work) disposes the child, and the child's kernels stop with it: the
# next run takes the host lock at once, the host's benchmark threads are
# gone and its CPU time stops growing. Before, the host kept burning its
# cores and the next run waited out the whole benchmark for the lock.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha
pid=${PG_PID_alpha:?}
threads() { awk '/^Threads:/ {print $2}' "/proc/$pid/status"; }
# User + system CPU time of the host, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
idle_threads=$(threads)
start_ticks=$(cpu_ticks)

# Not under timeout(1): it would pass our SIGINT on to its whole process
# group as well, and a second SIGINT kills the command without cleanup.
"$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --duration 30 \
  --no-disk >"$PG_TMP/out" 2>"$PG_TMP/err" &
perf=$!
pg_guard "$perf"
# The child is computing: it and the parent are there and the host has
# used a quarter of a second of CPU more than at rest.
kernels_running() {
  [ "$(pg_perf_agents "$PG_URL_alpha")" -ge 2 ] &&
    [ $(($(cpu_ticks) - start_ticks)) -ge 25 ]
}
pg_wait_for 20 kernels_running || pg_fail "the benchmark child never started"
kill -INT "$perf"
for _ in $(seq 100); do kill -0 "$perf" 2>/dev/null || break; sleep 0.1; done
kill -0 "$perf" 2>/dev/null && pg_fail "perf still running 10 s after SIGINT"
rc=0
wait "$perf" || rc=$?
pg_expect_eq "interrupted run's exit status" 130 "$rc"

# The next run straight away: the lock must come free within the stop
# check (<= 50 ms of work) and the child's cleanup, far below 5 s, where
# the stopped child used to hold it for the rest of its kernels.
out=$PG_TMP/next.json
rc=$(pg_perf "$out" "$PG_TMP/next.err" --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --no-disk --lock-timeout 5)
pg_expect_eq "next run's exit status ($(cat "$PG_TMP/next.err") $(cat "$out"))" 0 "$rc"
pg_expect_eq "next run's errors" 0 \
  "$(jq '[.results.alpha.result.errors[]] | length' "$out")"
pg_log "next run waited $(jq '.results.alpha.result.lock_wait_seconds' "$out") s for the lock"

no_agents() { [ "$(pg_perf_agents "$PG_URL_alpha")" -eq 0 ]; }
pg_wait_for 10 no_agents || pg_fail "agents left on alpha"
threads_back() { [ "$(threads)" -le "$idle_threads" ]; }
pg_wait_for 10 threads_back ||
  pg_fail "alpha has $(threads) threads, $idle_threads at rest"
# CPU time stops growing: at most 3 ticks (30 ms) between two polls 0.1 s
# apart, where one running kernel alone takes 10.
last_ticks=""
cpu_settled() {
  local now prev=$last_ticks
  now=$(cpu_ticks)
  last_ticks=$now
  [ -n "$prev" ] && [ $((now - prev)) -le 3 ]
}
pg_wait_for 10 cpu_settled || pg_fail "alpha keeps using CPU after the run"
pg_pass
