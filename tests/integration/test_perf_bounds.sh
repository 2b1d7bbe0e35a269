# --timeout bounds the whole command, against any entry host
# (fake_entry.py): one that stops answering after the creation, after
# collect, or at cleanup, and one that never says done and answers drains
# at once. Results are due by --timeout, cleanup and dispose come at most
# 2 s after it, so the command ends by --timeout + 3 s (here with 1 s more
# for a loaded machine); cleanup and dispose are still tried; drains are
# paced, not sent as fast as the host answers. Ctrl-C aborts the request
# in flight at once, and "benchmark agents cleaned up" is said only when
# cleanup and dispose worked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

out=$PG_TMP/out err=$PG_TMP/err
timeout_s=2
bound_ms=$(( (timeout_s + 3 + 1) * 1000 ))

# bounded NAME MODE: run against a fresh fake host in MODE with
# --timeout $timeout_s; sets rc and elapsed (ms).
bounded() {
  pg_start_fake "$1" "$2"
  local start
  start=$(date +%s%N)
  rc=0
  timeout 60 "$PAGLETS_BIN" examples perf --entry "$FAKE_URL" --json \
    --timeout "$timeout_s" >"$out" 2>"$err" || rc=$?
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  pg_log "$2: exit $rc after $elapsed ms: $(head -c 300 "$err")"
  [ "$elapsed" -le "$bound_ms" ] ||
    pg_fail "$2: the command took $elapsed ms (bound $bound_ms ms)"
}

# tried NAME OPERATION: fake host NAME received OPERATION.
tried() { pg_fake_requests "$1" | grep -q -- "$2"; }

# Silent once the parent exists: collect, cleanup and dispose all hang.
bounded collect silent-collect
pg_expect_eq "silent collect: exit status" 2 "$rc"
pg_expect_match "silent collect: says why" "messages: deadline reached" "$(cat "$err")"
tried collect "messages cleanup" || pg_fail "silent collect: cleanup never tried"
tried collect "/dispose" || pg_fail "silent collect: the parent's dispose never tried"

# Silent after collect: the drains hang.
bounded drain silent-drain
pg_expect_eq "silent drain: exit status" 2 "$rc"
tried drain "messages cleanup" || pg_fail "silent drain: cleanup never tried"
tried drain "/dispose" || pg_fail "silent drain: the parent's dispose never tried"

# The run finishes, then cleanup and dispose hang: the results stand,
# and the entry host has a cleanup error, so the run is not clean.
bounded cleanup silent-cleanup
pg_expect_eq "silent cleanup: exit status" 1 "$rc"
pg_expect_eq "silent cleanup: the result stands" alpha \
  "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_match "silent cleanup: noted for the entry host" \
  "^cleanup failed: .*(deadline|timed out)" "$(jq -r '.cleanup_errors.alpha' "$out")"
tried cleanup "/dispose" || pg_fail "silent cleanup: the parent's dispose never tried"

# Never done, drains answered at once: bounded, and paced (a drain takes
# the 0.5 s it asks the host to wait, so about 2 a second).
bounded never never-done
pg_expect_eq "never done: exit status" 2 "$rc"
pg_expect_match "never done: said" "did not finish the run" "$(cat "$err")"
drains=$(pg_fake_requests never | grep -c "messages drain")
pg_log "never done: $drains drains in $elapsed ms"
[ "$drains" -le $(( timeout_s * 2 + 3 )) ] ||
  pg_fail "never done: $drains drains in $elapsed ms: not paced"
tried never "messages cleanup" || pg_fail "never done: cleanup never tried"

# interrupt NAME MODE: start a run against MODE with a long --timeout,
# send SIGINT once collect is in flight; sets rc and after (ms from the
# signal to the exit).
interrupt() {
  pg_start_fake "$1" "$2"
  "$PAGLETS_BIN" examples perf --entry "$FAKE_URL" --timeout 120 \
    >"$out" 2>"$err" &
  local perf=$! sent
  pg_guard "$perf"
  pg_wait_for 10 tried "$1" "messages collect" || pg_fail "$2: collect never sent"
  sent=$(date +%s%N)
  kill -INT "$perf"
  pg_wait_for 10 bash -c "! kill -0 $perf 2>/dev/null" ||
    pg_fail "$2: still running 10 s after SIGINT"
  after=$(( ($(date +%s%N) - sent) / 1000000 ))
  rc=0
  wait "$perf" || rc=$?
  pg_log "$2: exit $rc $after ms after SIGINT: $(cat "$err")"
}

# collect never returns, cleanup works: the request in flight is aborted
# at once, the agents are cleaned up and the command says so.
interrupt hang hang-collect
pg_expect_eq "Ctrl-C: exit status" 130 "$rc"
pg_expect_match "Ctrl-C: cleaned up" "interrupted; benchmark agents cleaned up" "$(cat "$err")"
[ "$after" -le 2000 ] || pg_fail "Ctrl-C: exit $after ms after SIGINT"
tried hang "messages cleanup" || pg_fail "Ctrl-C: cleanup never tried"
tried hang "/dispose" || pg_fail "Ctrl-C: the parent's dispose never tried"

# Nothing answers after SIGINT either: the command still ends within the
# 2 s cleanup bound, and does not claim to have cleaned up.
interrupt mute silent-collect
pg_expect_eq "Ctrl-C, silent host: exit status" 130 "$rc"
pg_expect_match "Ctrl-C, silent host: not cleaned up" \
  "interrupted; benchmark agents may still run: cleanup failed" "$(cat "$err")"
grep -q "cleaned up" "$err" && pg_fail "Ctrl-C, silent host: claims a cleanup"
[ "$after" -le 3000 ] || pg_fail "Ctrl-C, silent host: exit $after ms after SIGINT"

pg_pass
