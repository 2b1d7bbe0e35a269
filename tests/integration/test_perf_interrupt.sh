# Ctrl-C: the command still runs cleanup (disposing children that have
# not answered) and disposes the parent, then exits 130.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_stuck_pair

"$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --no-cpu --no-memory \
  --no-disk --lock-timeout 60 >"$PG_TMP/out" 2>"$PG_TMP/err" &
perf=$!
pg_guard "$perf"
pg_wait_for 10 beta_has_child || pg_fail "no benchmark child arrived on beta"
kill -INT "$perf"
for _ in $(seq 100); do kill -0 "$perf" 2>/dev/null || break; sleep 0.1; done
kill -0 "$perf" 2>/dev/null && pg_fail "perf still running 10 s after SIGINT"
rc=0
wait "$perf" || rc=$?
pg_expect_eq "exit status" 130 "$rc"
pg_expect_match "says it was interrupted" "interrupted" "$(cat "$PG_TMP/err")"
pg_expect_eq "nothing on stdout" "" "$(cat "$PG_TMP/out")"
pg_expect_eq "parent disposed on alpha" 0 "$(pg_perf_agents "$PG_URL_alpha")"
pg_expect_eq "waiting child disposed on beta" 0 "$(pg_perf_agents "$PG_URL_beta")"

pg_pass
