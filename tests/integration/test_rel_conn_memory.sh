# A burst of 1,000 simultaneous connections must not leave the host larger:
# per-connection memory has to go back to the system when the connections
# close. glibc's per-thread arenas are capped at two (MALLOC_ARENA_MAX) so
# the figure does not depend on the core count; their bounded one-time
# growth is what bench/load.sh reports separately.
. "$(dirname "$0")/lib.sh"

loadgen=$(dirname "$PAGLETS_BIN")/bench/loadgen
[ -x "$loadgen" ] || pg_fail "bench/loadgen not built next to $PAGLETS_BIN"
# Sanitizer runtimes keep shadow memory and quarantines: RSS means nothing.
if grep -qwE '__(asan|tsan)_init' <<<"$(nm -D "$PAGLETS_BIN" 2>/dev/null)"; then
  echo "SKIP $PG_TEST: sanitizer build"
  exit 0
fi
ulimit -n 8192 2>/dev/null || { echo "SKIP $PG_TEST: cannot raise the open-file limit"; exit 0; }

# ASan's quarantine holds freed memory on purpose: RSS says nothing there.
nm "$PAGLETS_BIN" >"$PG_TMP/symbols" 2>/dev/null || true
if grep -qE '__(a|t)san_init' "$PG_TMP/symbols"; then
  echo "SKIP $PG_TEST: sanitizer build, RSS is not meaningful"
  exit 0
fi

export MALLOC_ARENA_MAX=2
# Not in $(...): the pid variable must reach this shell.
pg_start_host burst --mesh-version t --no-mesh --max-connections 1100 >"$PG_TMP/url"
host=$(cat "$PG_TMP/url")
pid=${PG_PID_burst:?}
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$pid/status"; }
idle=$(rss)
"$loadgen" "$host/health" 3000 1000 60 >"$PG_TMP/burst.out" ||
  pg_fail "requests failed under the burst: $(cat "$PG_TMP/burst.out")"
few_threads() { [ "$(threads)" -le 2 ]; }
pg_wait_for 20 few_threads ||
  pg_fail "connection threads did not end: $(threads) left"
after=$(rss)
pg_log "rss idle $idle KiB, after 1,000 connections $after KiB"
# 1,000 pools of 32 KiB held would be +31 MiB; allow 8 MiB of slack.
[ "$after" -le $((idle + 8192)) ] ||
  pg_fail "host kept $((after - idle)) KiB after the burst (idle $idle KiB)"
pg_pass
