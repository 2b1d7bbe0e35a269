# Two runs started at once both complete: the host lock serializes the
# children of both runs on this machine, and lock_wait_seconds shows it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha beta
for run in 1 2; do
  timeout 120 "$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --json \
    --no-cpu --no-disk --duration 0.05 --timeout 60 \
    >"$PG_TMP/out$run" 2>"$PG_TMP/err$run" &
  eval "pid$run=\$!"
done
rc1=0 rc2=0
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
pg_expect_eq "first run (stderr: $(cat "$PG_TMP/err1"))" 0 "$rc1"
pg_expect_eq "second run (stderr: $(cat "$PG_TMP/err2"))" 0 "$rc2"
for run in 1 2; do
  pg_expect_eq "run $run hosts" "alpha,beta" \
    "$(jq -r '.results | keys | join(",")' "$PG_TMP/out$run")"
done
# Four children, one lock: at least three of them waited.
waited=$(jq -s '[.[].results[].result.lock_wait_seconds | select(. > 0.01)] | length' \
  "$PG_TMP/out1" "$PG_TMP/out2")
[ "$waited" -ge 3 ] || pg_fail "only $waited of 4 children waited for the lock"

pg_pass
