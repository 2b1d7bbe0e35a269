# The progress line: on a terminal, stderr gets one updating line (hosts
# done/total, elapsed, hosts pending) and stdout only the report; without a
# terminal nothing of it is written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

# script(1) is in bsdutils, an essential package: always there on Debian.
command -v script >/dev/null || pg_fail "no script(1) (Debian's bsdutils)"
pg_perf_mesh alpha beta
args="--entry $PG_URL_alpha --no-cpu --no-disk --duration 0.1"

# script(1) gives the command a terminal; stdout goes to a file.
rc=0
timeout 120 script -qec "'$PAGLETS_BIN' examples perf $args >'$PG_TMP/out'" \
  /dev/null >"$PG_TMP/tty" 2>&1 </dev/null || rc=$?
pg_expect_eq "exit status on a terminal" 0 "$rc"
pg_expect_match "progress on the terminal" \
  'perf: [0-2]/2 hosts done, [0-9]+\.[0-9]s; waiting for (alpha|beta)' "$(cat "$PG_TMP/tty")"
pg_expect_eq "the line is cleared at the end" 1 \
  "$(tail -c 5 "$PG_TMP/tty" | grep -c $'\r\033\\[K')"
pg_expect_eq "stdout holds only the report" "" \
  "$(grep -c $'\033\\|hosts done' "$PG_TMP/out" | grep -v '^0$' || true)"
pg_expect_eq "report rows" "alpha beta" "$(sed -n '2,3s/ .*//p' "$PG_TMP/out" | paste -sd ' ')"

rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" $args)
pg_expect_eq "exit status without a terminal" 0 "$rc"
pg_expect_eq "no progress without a terminal" "" "$(cat "$PG_TMP/err")"

pg_pass
