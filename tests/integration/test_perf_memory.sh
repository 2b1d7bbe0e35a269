# Memory returned (issue 15 item 3): after a benchmark run the host's
# memory is back within 4 MiB of what it was fresh, and after 10 runs in a
# row too. Measured as anonymous RSS (RssAnon: what malloc and the
# benchmark's buffers hold); the file-backed rest of VmRSS grows once by
# the library code a run pages in (libcrypto's SHA-256, about 3 MiB
# here), shared and clean, and is logged. Before, every run left the 8 MiB
# scan buffer and each worker's SHA-256 block in a malloc arena: +25-35
# MiB after 10 runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# Sanitizer runtimes keep shadow memory and quarantines (ASan holds freed
# memory on purpose): RSS means nothing there. The runtime is linked
# dynamically (gcc) or statically (clang): look in both symbol tables.
symbols=$({ nm -D "$PAGLETS_BIN"; nm "$PAGLETS_BIN"; } 2>/dev/null || true)
if grep -qwE '__(asan|tsan)_init' <<<"$symbols"; then
  pg_skip "sanitizer build, RSS is not meaningful"
fi

pg_perf_mesh alpha
pid=${PG_PID_alpha:?}
status_kib() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }
threads() { status_kib Threads; }
idle_threads=$(threads)
# After a run: its agents and threads are gone (what is left is kept).
run_once() {
  local rc
  rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" --entry "$PG_URL_alpha" \
    --duration 0.01 --workers 4 --no-disk)
  pg_expect_eq "run's exit status ($(cat "$PG_TMP/err"))" 0 "$rc"
  pg_wait_for 10 idle || pg_fail "agents or threads left after a run"
}
idle() {
  [ "$(pg_perf_agents "$PG_URL_alpha")" -eq 0 ] &&
    [ "$(threads)" -le "$idle_threads" ]
}

fresh=$(status_kib RssAnon)
fresh_rss=$(status_kib VmRSS)
run_once
one=$(status_kib RssAnon)
one_rss=$(status_kib VmRSS)
for _ in $(seq 2 10); do run_once; done
ten=$(status_kib RssAnon)
ten_rss=$(status_kib VmRSS)
pg_log "RssAnon fresh $fresh KiB, after 1 run $one KiB, after 10 runs $ten KiB;" \
  "VmRSS $fresh_rss, $one_rss, $ten_rss KiB"
[ "$one" -le $((fresh + 4096)) ] ||
  pg_fail "host kept $((one - fresh)) KiB after one run (fresh $fresh KiB)"
[ "$ten" -le $((fresh + 4096)) ] ||
  pg_fail "host kept $((ten - fresh)) KiB after 10 runs (fresh $fresh KiB)"
pg_pass
