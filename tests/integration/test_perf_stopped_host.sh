# A host that is SIGSTOPped before the run (still online in the mesh: it
# accepts connections, never answers) costs no more than --timeout: the
# parent's clone to it ends at the run's deadline, not after a fixed 10 s,
# and the run ends within --timeout + 1 s naming the host (the issue's
# command: --duration 0.2 --no-disk --timeout 3).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha beta
kill -STOP "$PG_PID_beta"

start=$(date +%s%N)
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" --json \
  --duration 0.2 --no-disk --timeout 3)
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT "$PG_PID_beta"
pg_log "run with a stopped host: exit $rc after $elapsed ms"
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 1 "$rc"
pg_expect_match "beta named, its clone timed out" \
  "^clone failed: .*deadline reached" "$(jq -r '.errors.beta' "$PG_TMP/out")"
[ "$elapsed" -le 4000 ] || pg_fail "run took $elapsed ms, over --timeout + 1 s"

pg_pass
