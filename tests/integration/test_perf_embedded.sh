# With no --entry and no host answering, `paglets examples perf` runs on an
# embedded host named after the machine, says so in one line on stderr,
# and leaves nothing running. Runs in a network namespace of its own when
# it can, so a host on this machine's port 8765 cannot answer instead.
. "$(dirname "$0")/lib.sh"

run_isolated() {
  if unshare -rn true 2>/dev/null; then
    unshare -rn bash -c 'ip link set lo up 2>/dev/null || true; exec "$@"' _ "$@"
  elif curl -fsS -m 1 http://127.0.0.1:8765/health >/dev/null 2>&1; then
    pg_skip "a host answers on 127.0.0.1:8765 and no namespace is available"
  else
    "$@"
  fi
}

rc=0
# The benchmark lock goes to XDG_RUNTIME_DIR/paglets: a directory of this
# test's, left out of the leftover check below.
mkdir -m 700 "$PG_TMP/run"
TMPDIR="$PG_TMP" XDG_RUNTIME_DIR="$PG_TMP/run" run_isolated timeout 60 "$PAGLETS_BIN" examples perf \
  --no-cpu --disk-size 1M --path "$PG_TMP" --duration 0.02 --json \
  >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
name=$(hostname)
pg_expect_eq "one line on stderr" 1 "$(wc -l <"$PG_TMP/err")"
pg_expect_match "stderr names the embedded host" \
  "running on embedded host '$name' at http://127\.0\.0\.1:[0-9]+$" "$(cat "$PG_TMP/err")"
pg_expect_eq "the machine's result" "$name" \
  "$(jq -r '.results | keys | join(",")' "$PG_TMP/out")"
pg_expect_eq "its disk volume" "$PG_TMP" \
  "$(jq -r ".results[\"$name\"].result.disk.volumes[0].path" "$PG_TMP/out")"
# (results.db: the run database lib.sh points the run at.)
pg_expect_eq "no temp files left" "err out results.db" \
  "$(find "$PG_TMP" -mindepth 1 -path "$PG_TMP/run" -prune -o -printf '%f\n' | sort | paste -sd ' ')"

# --entry given: no fallback, the run cannot happen.
rc=0
run_isolated timeout 30 "$PAGLETS_BIN" examples perf --no-cpu --no-memory \
  --no-disk --entry http://127.0.0.1:1 >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "unreachable --entry exit status" 2 "$rc"
pg_expect_match "unreachable --entry message" "entry host 'http://127.0.0.1:1': " \
  "$(cat "$PG_TMP/err")"
pg_expect_eq "nothing on stdout" "" "$(cat "$PG_TMP/out")"

pg_pass
