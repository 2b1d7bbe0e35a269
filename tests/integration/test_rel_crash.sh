# Crashes during a benchmark run:
#  1. kill -9 of a host while its disk kernel writes: that host times out
#     in the summary (exit 1), and the next run on the same volume removes
#     the paglets-bench-* directory the killed run left behind.
#  2. kill -9 of the entry host during a run: the CLI exits 2 with a clear
#     message well within its --timeout; the other host's child finishes,
#     fails to report to its dead parent, and disposes itself.
# (SIGSTOP of a host during a run is test_perf_timeout.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

vol="$PG_TMP/vol"
mkdir -p "$vol"
# Separate lock dirs: the two children must write at the same time.
pg_perf_join alpha
PERF_TMPDIR="$PG_TMP/tmpb" pg_perf_join beta
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 2 || pg_fail "mesh never formed"
agents_on() { curl -fsS -m 2 "$1/agents" | jq '[.agents[]?] | length'; }
leftovers() { find "$vol" -maxdepth 1 -name 'paglets-bench-*' | wc -l; }
has_leftover() { [ "$(leftovers)" -gt 0 ]; }

# 1. Both hosts write into $vol; kill beta once a benchmark dir exists.
# Each host's child holds its own directory, so wait until two exist.
two_dirs() { [ "$(leftovers)" -ge 2 ]; }
timeout 60 "$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --path "$vol" --disk-size 256M --timeout 8 \
  >"$PG_TMP/out1" 2>"$PG_TMP/err1" &
perf=$!
if ! pg_wait_for 20 two_dirs; then
  # Say why: a child that failed at once reported it (the run is bounded).
  wait "$perf" || true
  pg_fail "no benchmark directories appeared in $vol; the run reported:" \
    "$(jq -c '{errors, disk_errors: [.results[].result.disk.errors[]?]}' "$PG_TMP/out1" 2>/dev/null)" \
    "$(cat "$PG_TMP/err1")"
fi
kill -KILL "$PG_PID_beta"
rc=0
wait "$perf" || rc=$?
pg_expect_eq "exit after killing beta (stderr: $(cat "$PG_TMP/err1"))" 1 "$rc"
pg_expect_eq "alpha measured the volume" 1 \
  "$(jq '.results.alpha.result.disk.volumes | length' "$PG_TMP/out1")"
pg_expect_eq "beta timed out" "timed out waiting for benchmark result" \
  "$(jq -r '.errors.beta' "$PG_TMP/out1")"
pg_expect_eq "the killed run's directory is left" 1 "$(leftovers)"
pg_log "kill -9 during the disk kernel left $(leftovers) directory behind"

# The next run on that volume (alpha alone now) removes it.
pg_wait_for 30 bash -c "[ \$(curl -fsS -m 2 '$PG_URL_alpha/hosts' | jq '[.hosts[] | select(.online)] | length') -eq 1 ]" ||
  pg_fail "beta never went offline"
rc=$(pg_perf "$PG_TMP/out2" "$PG_TMP/err2" --entry "$PG_URL_alpha" --json \
  --no-cpu --no-memory --path "$vol" --disk-size 16M --timeout 30)
pg_expect_eq "second run (stderr: $(cat "$PG_TMP/err2"))" 0 "$rc"
pg_expect_eq "no paglets-bench-* survives the next run" 0 "$(leftovers)"

# 2. kill -9 of the entry host: gamma joins, alpha is the entry and dies.
pg_perf_join gamma
pg_wait_for 20 pg_perf_online "$PG_URL_alpha" 2 || pg_fail "gamma never joined"
gamma_has_child() { [ "$(agents_on "$PG_URL_gamma")" -gt 0 ]; }
start=$(date +%s%N)
timeout 60 "$PAGLETS_BIN" examples perf --entry "$PG_URL_alpha" --json \
  --no-cpu --no-disk --duration 0.3 --timeout 30 \
  >"$PG_TMP/out3" 2>"$PG_TMP/err3" &
perf=$!
pg_wait_for 10 gamma_has_child || pg_fail "no benchmark child arrived on gamma"
kill -KILL "$PG_PID_alpha"
rc=0
wait "$perf" || rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
pg_expect_eq "CLI exit when the entry host dies" 2 "$rc"
pg_expect_match "clear message" "$PG_URL_alpha|entry|connect" "$(cat "$PG_TMP/err3")"
[ "$(wc -l <"$PG_TMP/err3")" -le 3 ] || pg_fail "more than a short message: $(cat "$PG_TMP/err3")"
[ "$elapsed" -lt 30000 ] || pg_fail "CLI took ${elapsed} ms, past its --timeout"
pg_log "entry killed: CLI exited 2 after ${elapsed} ms: $(head -n 1 "$PG_TMP/err3")"
gamma_idle() { [ "$(agents_on "$PG_URL_gamma")" -eq 0 ]; }
pg_wait_for 60 gamma_idle || pg_fail "gamma's child did not dispose itself"
grep -q "cannot report benchmark result" "$PG_TMP/gamma.log" ||
  pg_fail "gamma's child did not try to report"
pg_pass
