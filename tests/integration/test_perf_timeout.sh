# A host whose child never answers: it gets "timed out waiting for
# benchmark result" at --timeout while the others are reported, and the
# still-alive child it could not dispose is a cleanup error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# beta's child will wait on its lock: it has arrived but cannot answer.
pg_perf_stuck_pair

start=$(date +%s%N)
timeout 60 "$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --no-disk --lock-timeout 30 --timeout 3 \
  >"$PG_TMP/out" 2>"$PG_TMP/err" &
perf=$!

# Once beta holds the child, stop beta altogether.
pg_wait_for 10 beta_has_child || pg_fail "no benchmark child arrived on beta"
kill -STOP "$PG_PID_beta"

rc=0
wait "$perf" || rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT "$PG_PID_beta"
out="$PG_TMP/out"
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 1 "$rc"
pg_expect_eq "alpha reported" alpha "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "beta timed out" "timed out waiting for benchmark result" \
  "$(jq -r '.errors.beta' "$out")"
pg_expect_eq "nothing pending" 0 "$(jq -r '.pending_hosts | length' "$out")"
pg_expect_match "the stopped child could not be disposed" . \
  "$(jq -r '.cleanup_errors.beta // empty' "$out")"
# Results by --timeout 3, cleanup (the dispose that cannot work) and the
# parent's dispose at most 2 s later, and 1 s for everything else.
[ "$elapsed" -le 6000 ] || pg_fail "run took ${elapsed} ms"
pg_log "timed-out run took ${elapsed} ms"

pg_pass
