# Failures stay with their host: a host whose benchmark lock is held
# reports an error in its result, a host that died (still listed online)
# fails its clone; the others are reported and the exit status is 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# gamma must stay listed online after it dies, for both runs below.
PERF_OFFLINE_AFTER=300

# beta's temp dir holds a benchmark lock this test keeps taken.
pg_perf_hold_lock "$PG_TMP/locked"
pg_perf_join alpha
PERF_TMPDIR="$PG_TMP/locked" pg_perf_join beta
pg_perf_join gamma
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 3 || pg_fail "mesh never formed"

# gamma dies without saying goodbye: the others still list it online.
kill -KILL "$PG_PID_gamma"
wait "$PG_PID_gamma" 2>/dev/null || true

rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" --json \
  --no-cpu --no-disk --duration 0.02 --lock-timeout 0.2)
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 1 "$rc"
out="$PG_TMP/out"
pg_expect_eq "hosts with results" "alpha,beta" \
  "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "alpha is clean" 0 \
  "$(jq -r '.results.alpha.result | [.errors[], .memory.errors[]] | length' "$out")"
pg_expect_match "beta's lock error" '^benchmark (file )?lock busy after 0\.[0-9]{3}s$' \
  "$(jq -r '.results.beta.result.errors[0]' "$out")"
pg_expect_eq "beta ran no kernel" null "$(jq -r '.results.beta.result.memory' "$out")"
pg_expect_match "gamma's clone failed" '^clone failed: ' \
  "$(jq -r '.errors.gamma' "$out")"
pg_expect_eq "only gamma failed outright" gamma "$(jq -r '.errors | keys | join(",")' "$out")"

# The same run as text: err column and notes.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
  --no-cpu --no-disk --duration 0.02 --lock-timeout 0.2)
pg_expect_eq "text exit status" 1 "$rc"
pg_expect_match "alpha row has no errors" '^alpha .* 0$' "$(grep '^alpha ' "$PG_TMP/out")"
pg_expect_match "beta row counts one error" '^beta .* 1$' "$(grep '^beta ' "$PG_TMP/out")"
pg_expect_match "notes name gamma" '  - gamma: clone failed: ' "$(cat "$PG_TMP/out")"
pg_expect_match "notes name beta" '  - beta: benchmark (file )?lock busy after' "$(cat "$PG_TMP/out")"

pg_pass
