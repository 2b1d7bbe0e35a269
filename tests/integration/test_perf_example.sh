# examples/perf_collect: a program that embeds a benchmark collection,
# on a host of its own and against a running mesh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

prog="$(dirname "$PAGLETS_BIN")/examples/perf_collect"
[ -x "$prog" ] || pg_fail "$prog was not built"

rc=0
TMPDIR="$PG_TMP" XDG_RUNTIME_DIR="$PG_TMP" timeout 60 "$prog" >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "own host: exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
pg_expect_match "own host: its row" '^perf-collect +- +- +- +- +[0-9.]+[KMGT]?/s +- +- +0$' \
  "$(sed -n 2p "$PG_TMP/out")"
pg_expect_eq "own host: counts" "hosts: 1, errors: 0" "$(tail -n 1 "$PG_TMP/out")"

pg_perf_mesh alpha beta
rc=0
timeout 60 "$prog" "$PG_URL_alpha" >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "mesh: exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
pg_expect_eq "mesh: rows" "alpha beta" "$(sed -n '2,3s/ .*//p' "$PG_TMP/out" | paste -sd ' ')"
pg_expect_eq "mesh: counts" "hosts: 2, errors: 0" "$(tail -n 1 "$PG_TMP/out")"

rc=0
timeout 30 "$prog" http://127.0.0.1:1 >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "unreachable entry: exit status" 2 "$rc"
pg_expect_match "unreachable entry: message" '^perf_collect: ' "$(cat "$PG_TMP/err")"

pg_pass
