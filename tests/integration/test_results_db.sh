# The run database behind `paglets examples perf` and `paglets results`:
# every run stored where PAGLETS_RESULTS_DB (set per test by lib.sh) or
# --db says, a private file, --no-save; two runs storing at the same time
# into one file leave it consistent (PRAGMA integrity_check, every run
# with its rows); a corrupt, read-only or locked database costs one
# warning line and never the printed result or the exit status; --compare
# with a run that is not there stops before the run; list, show, diff and
# prune, and their errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

command -v sqlite3 >/dev/null || pg_fail "no sqlite3: run scripts/bootstrap"
pg_perf_mesh alpha beta
empty=(--entry "$PG_URL_alpha" --no-cpu --no-memory --no-disk)
cpu=(--entry "$PG_URL_alpha" --no-memory --no-disk --duration 0.01 --workers 1)
table_header='host                int/s    float/s        sha  multi-int/s   mem copy    disk wr    disk rd err'

# results: run the results command ARGS..., stdout to $PG_TMP/r.out, stderr
# to $PG_TMP/r.err; prints its exit status.
results() {
  local rc=0
  "$PAGLETS_BIN" results "$@" >"$PG_TMP/r.out" 2>"$PG_TMP/r.err" || rc=$?
  echo "$rc"
}

# The default database is PAGLETS_RESULTS_DB: created 0600, run ids 1, 2.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --json)
pg_expect_eq "first run (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
pg_expect_eq "first run id" 1 "$(jq .run_id "$PG_TMP/out")"
pg_expect_eq "no outliers among two hosts" "[]" "$(jq -c .outliers "$PG_TMP/out")"
pg_expect_eq "database file mode" 600 "$(stat -c %a "$PAGLETS_RESULTS_DB")"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --json --no-save)
pg_expect_eq "--no-save run id" null "$(jq .run_id "$PG_TMP/out")"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --json)
pg_expect_eq "second stored run id" 2 "$(jq .run_id "$PG_TMP/out")"
pg_expect_eq "show 2 --json" 0 "$(results show 2 --json)"
cmp -s "$PG_TMP/out" "$PG_TMP/r.out" || pg_fail "show 2 --json is not what run 2 printed"
# --compare without storing the run: against run 1, after_run_id null.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --json --no-save --compare 1)
pg_expect_eq "--no-save --compare 1 (stderr: $(cat "$PG_TMP/err"))" "0 null 1 null" \
  "$rc $(jq -c '.run_id, .compare.before_run_id, .compare.after_run_id' "$PG_TMP/out" | paste -sd ' ')"

# --compare names a run that is not there, or nothing at all: a usage
# error before any benchmark runs.
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --compare 42)
pg_expect_eq "--compare 42 exit status" 2 "$rc"
pg_expect_match "--compare 42 message" "no run 42 in results database" "$(cat "$PG_TMP/err")"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --compare lats)
pg_expect_eq "--compare lats exit status" 2 "$rc"
pg_expect_eq "runs after the refused ones" 2 \
  "$(sqlite3 "$PAGLETS_RESULTS_DB" 'SELECT count(*) FROM runs')"

# Two concurrent runs storing into one new file, three times each.
shared="$PG_TMP/shared/results.db"
for w in 1 2; do
  (for i in 1 2 3; do
    [ "$(pg_perf "$PG_TMP/c$w.$i.out" "$PG_TMP/c$w.$i.err" "${cpu[@]}" --db "$shared")" = 0 ] ||
      exit 1
  done) &
  eval "writer$w=\$!"
done
# shellcheck disable=SC2154 # set by the eval above
wait "$writer1" || pg_fail "a run of the first writer failed: $(cat "$PG_TMP"/c1.*.err)"
# shellcheck disable=SC2154
wait "$writer2" || pg_fail "a run of the second writer failed: $(cat "$PG_TMP"/c2.*.err)"
pg_expect_eq "concurrent runs warned of nothing" "" "$(cat "$PG_TMP"/c[12].*.err)"
pg_expect_eq "integrity_check" ok "$(sqlite3 "$shared" 'PRAGMA integrity_check')"
pg_expect_eq "stored runs, each with its rows (2 hosts x 6 CPU figures)" \
  "1 12|2 12|3 12|4 12|5 12|6 12" \
  "$(sqlite3 "$shared" 'SELECT r.id, count(m.run_id) FROM runs r LEFT JOIN metrics m
     ON m.run_id = r.id GROUP BY r.id ORDER BY r.id' | tr '|' ' ' | paste -sd '|')"

# expect_warned WHAT PATTERN: the last run printed its full result, exit
# status 0, and one warning line on stderr matching PATTERN.
expect_warned() {
  pg_expect_eq "$1: exit status" 0 "$rc"
  pg_expect_eq "$1: one line on stderr" 1 "$(wc -l <"$PG_TMP/err")"
  pg_expect_match "$1: the warning" "^paglets examples perf: warning: run not saved: results database '[^']*' $2" \
    "$(cat "$PG_TMP/err")"
}

# Not a database at all; a database whose pages are garbage.
printf 'not a database\n' >"$PG_TMP/text.db"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --db "$PG_TMP/text.db")
expect_warned "a text file" "is not an SQLite database"
pg_expect_eq "a text file: the header" "$table_header" "$(head -n 1 "$PG_TMP/out")"
pg_expect_eq "a text file: the rows" "alpha beta" \
  "$(tail -n +2 "$PG_TMP/out" | cut -d ' ' -f 1 | paste -sd ' ')"
cp "$shared" "$PG_TMP/corrupt.db"
dd if=/dev/urandom of="$PG_TMP/corrupt.db" bs=1024 seek=1 count=16 conv=notrunc 2>/dev/null
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${cpu[@]}" --db "$PG_TMP/corrupt.db" --json)
expect_warned "a corrupt file" "is (corrupt|not an SQLite database)"
pg_expect_eq "a corrupt file: run id" null "$(jq .run_id "$PG_TMP/out")"
pg_expect_eq "a corrupt file: both results" "alpha beta" \
  "$(jq -r '[.results | keys[]] | join(" ")' "$PG_TMP/out")"
pg_expect_eq "a corrupt file: figures" 12 \
  "$(jq '[.results[].result.cpu | .single_core[], .multi_core[]] | length' "$PG_TMP/out")"

# Read-only: for root, whom file modes do not stop, as nobody.
mkdir -m 755 "$PG_TMP/ro"
cp "$PAGLETS_RESULTS_DB" "$PG_TMP/ro/results.db"
as_reader=()
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$PG_TMP"
  chmod 644 "$PG_TMP/ro/results.db"
  as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  chmod 444 "$PG_TMP/ro/results.db"
fi
rc=0
"${as_reader[@]}" "$PAGLETS_BIN" examples perf "${empty[@]}" --db "$PG_TMP/ro/results.db" \
  --json >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
expect_warned "a read-only file" "is read-only"
pg_expect_eq "a read-only file: run id" null "$(jq .run_id "$PG_TMP/out")"

# Locked: another process holds the write lock past the busy timeout.
mkfifo "$PG_TMP/lock.fifo"
sqlite3 "$PAGLETS_RESULTS_DB" <"$PG_TMP/lock.fifo" >/dev/null 2>&1 &
PG_PIDS+=("$!")
exec 7>"$PG_TMP/lock.fifo"
echo 'BEGIN IMMEDIATE;' >&7
pg_wait_for 10 bash -c "! sqlite3 -cmd '.timeout 0' '$PAGLETS_RESULTS_DB' \
  'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1" || pg_fail "could not lock the database"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}")
expect_warned "a locked file" "is locked by another process"
pg_expect_eq "a locked file: the table" "$table_header" "$(head -n 1 "$PG_TMP/out")"
echo 'ROLLBACK;' >&7
exec 7>&-

# list and prune.
pg_expect_eq "list --json" 0 "$(results list --json)"
pg_expect_eq "listed runs" "1 2" "$(jq -r '[.[].run_id] | join(" ")' "$PG_TMP/r.out")"
pg_expect_eq "list" 0 "$(results list)"
pg_expect_match "list: a run with its options" \
  '^    1  [0-9-]+T[0-9:]+Z      2       0  --no-cpu --no-memory --no-disk$' \
  "$(sed -n 2p "$PG_TMP/r.out")"
pg_expect_eq "prune --keep 2" 0 "$(results prune --db "$shared" --keep 2)"
pg_expect_eq "prune --keep 2 output" "removed 4 runs" "$(cat "$PG_TMP/r.out")"
pg_expect_eq "list --db" 0 "$(results list --json --db "$shared")"
pg_expect_eq "runs kept" "5 6" "$(jq -r '[.[].run_id] | join(" ")' "$PG_TMP/r.out")"
rc=$(pg_perf "$PG_TMP/out" "$PG_TMP/err" "${empty[@]}" --db "$shared" --json)
pg_expect_eq "run ids are not reused" 7 "$(jq .run_id "$PG_TMP/out")"

# Errors: usage and missing runs are exit status 2, with one line.
pg_expect_eq "prune without --keep" 2 "$(results prune)"
pg_expect_eq "show without a run" 2 "$(results show)"
pg_expect_eq "show of a missing run" 2 "$(results show 99)"
pg_expect_match "show of a missing run: message" "no run 99 in results database" "$(cat "$PG_TMP/r.err")"
pg_expect_eq "show from a missing database" 2 "$(results show 1 --db "$PG_TMP/none.db")"
pg_expect_eq "list from a missing database" 0 "$(results list --json --db "$PG_TMP/none.db")"
pg_expect_eq "list from a missing database: output" "[]" "$(cat "$PG_TMP/r.out")"
pg_expect_eq "no database was created" "" "$(ls "$PG_TMP/none.db" 2>/dev/null)"
pg_expect_eq "diff of one run" 2 "$(results diff --db "$PG_TMP/ro/results.db" 1 1)"
pg_expect_eq "diff without regressions" 0 "$(results diff --threshold 0.01)"
pg_pass
