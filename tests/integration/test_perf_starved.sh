# A starved host stands out against the mesh and against its own past.
# Three real hosts: alpha and beta pinned to one CPU, gamma to another. A
# first run with gamma at nice 0 and nothing of this test beside it; then
# gamma's threads go to nice 19 beside a nice-0 spinner on its CPU, where
# the scheduler gives it a few per cent of that CPU. The second run
# (--no-disk, single-core CPU figures asserted) flags gamma against the
# mesh median and never alpha or beta: with three hosts the median is the
# slower healthy host, so however loaded the machine is, only the lowest
# host can fall below 0.75 of it. --compare last names gamma's figures as
# regressions since the first run, and so does `paglets results diff`;
# `paglets results show` prints the runs as they printed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

[ "$(nproc)" -ge 2 ] || pg_skip "needs 2 CPUs; this process may use $(nproc)"
read -r starved_cpu healthy_cpu < <(python3 -c \
  'import os; print(*sorted(os.sched_getaffinity(0))[:2])')

pg_perf_mesh alpha beta gamma
# All threads of a host; the threads it starts later inherit the mask.
pin() { taskset -a -p -c "$1" "$2" >/dev/null || pg_fail "cannot pin pid $2 to CPU $1"; }
pin "$healthy_cpu" "$PG_PID_alpha"
pin "$healthy_cpu" "$PG_PID_beta"
pin "$starved_cpu" "$PG_PID_gamma"

single='^cpu\.(integer|float|sha256)$'
args=(--entry "$PG_URL_alpha" --no-disk --no-memory --duration 0.2 --workers 1)
rc=$(pg_perf "$PG_TMP/run1.txt" "$PG_TMP/run1.err" "${args[@]}")
pg_expect_eq "first run exit status (stderr: $(cat "$PG_TMP/run1.err"))" 0 "$rc"
pg_expect_eq "first run stderr" "" "$(cat "$PG_TMP/run1.err")"

# Starve gamma: every thread it has (new ones inherit the value).
for task in /proc/"$PG_PID_gamma"/task/*; do
  renice -n 19 -p "${task##*/}" >/dev/null || pg_fail "cannot renice gamma"
done
taskset -c "$starved_cpu" nice -n 0 bash -c 'while :; do :; done' &
PG_PIDS+=("$!")
pg_guard "$!"

rc=$(pg_perf "$PG_TMP/run2.json" "$PG_TMP/run2.err" "${args[@]}" --json --compare last)
pg_expect_eq "starved run exit status (stderr: $(cat "$PG_TMP/run2.err"))" 0 "$rc"
pg_expect_eq "starved run stderr" "" "$(cat "$PG_TMP/run2.err")"
pg_log "gamma against the median: $(jq -r --arg re "$single" \
  '[.outliers[] | select(.host == "gamma" and (.metric | test($re)))
    | "\(.metric) \(.ratio * 1000 | round / 1000)"] | join(", ")' "$PG_TMP/run2.json")"
pg_log "gamma against run 1: $(jq -r --arg re "$single" \
  '[.compare.changes[] | select(.host == "gamma" and (.metric | test($re)))
    | "\(.metric) \(.ratio * 1000 | round / 1000)"] | join(", ")' "$PG_TMP/run2.json")"
pg_expect_eq "run id" 2 "$(jq .run_id "$PG_TMP/run2.json")"
src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
/usr/bin/python3 "$src/tests/integration/validate_json_schema.py" \
  "$src/docs/perf-summary.schema.json" "$PG_TMP/run2.json" ||
  pg_fail "the starved run's JSON (outliers, compare) does not match the schema"
pg_expect_eq "single-core outliers" \
  "gamma cpu.integer|gamma cpu.float|gamma cpu.sha256" \
  "$(jq -r --arg re "$single" '[.outliers[] | select(.metric | test($re))
    | "\(.host) \(.metric)"] | join("|")' "$PG_TMP/run2.json")"
pg_expect_eq "outliers are below the median" true \
  "$(jq '[.outliers[] | select(.host == "gamma") | .value < .median and .ratio <= 0.75] | all' "$PG_TMP/run2.json")"
pg_expect_eq "compared with run 1" 1 "$(jq .compare.before_run_id "$PG_TMP/run2.json")"
pg_expect_eq "single-core regressions" \
  "gamma cpu.integer|gamma cpu.float|gamma cpu.sha256" \
  "$(jq -r --arg re "$single" '[.compare.changes[]
    | select(.verdict == "regression" and .host == "gamma" and (.metric | test($re)))
    | "\(.host) \(.metric)"] | join("|")' "$PG_TMP/run2.json")"

# `results show` prints what the runs printed: run 1's table byte for
# byte; run 2's JSON but for what --compare added.
"$PAGLETS_BIN" results show 1 >"$PG_TMP/show1.txt" || pg_fail "results show 1 failed"
cmp -s "$PG_TMP/run1.txt" "$PG_TMP/show1.txt" ||
  pg_fail "results show 1 differs: $(diff "$PG_TMP/run1.txt" "$PG_TMP/show1.txt")"
"$PAGLETS_BIN" results show 2 --json >"$PG_TMP/show2.json" || pg_fail "results show 2 failed"
pg_expect_eq "results show 2 --json" "$(jq -S 'del(.compare)' "$PG_TMP/run2.json")" \
  "$(jq -S . "$PG_TMP/show2.json")"
# The table flags gamma's cells inside their columns.
"$PAGLETS_BIN" results show 2 >"$PG_TMP/show2.txt" || pg_fail "results show 2 (text) failed"
pg_expect_match "gamma's row" '^gamma +[0-9.]+[KMG]?! +[0-9.]+[KMG]?! +[0-9.]+[KMGT]?/s! ' \
  "$(grep '^gamma ' "$PG_TMP/show2.txt")"
pg_expect_eq "rows keep their length" 1 \
  "$(sed -n '2,4p' "$PG_TMP/show2.txt" | awk '{print length}' | sort -u | wc -l)"
pg_expect_match "a notes: line per outlier" \
  $'\n  - gamma: cpu.integer [0-9.]+[KMG]?/s is [0-9.e-]+ x the median [0-9.]+[KMG]?/s of 3 hosts' \
  "$(cat "$PG_TMP/show2.txt")"
grep -qE '^  - (alpha|beta): cpu\.(integer|float|sha256) ' "$PG_TMP/show2.txt" &&
  pg_fail "a healthy host was flagged: $(cat "$PG_TMP/show2.txt")"

# `results diff` (the last two runs) finds the same regressions.
rc=0
"$PAGLETS_BIN" results diff >"$PG_TMP/diff.txt" 2>"$PG_TMP/diff.err" || rc=$?
pg_expect_eq "results diff exit status (regressions)" 1 "$rc"
pg_expect_eq "results diff title" \
  "run 1 -> run 2: a figure at or below 0.75 times its earlier value is flagged" \
  "$(head -n 1 "$PG_TMP/diff.txt")"
pg_expect_match "gamma's integer row" '^gamma +cpu\.integer +[0-9.]+[KMG]?/s +[0-9.]+[KMG]?/s +-[0-9.]+%!$' \
  "$(grep '^gamma  *cpu\.integer ' "$PG_TMP/diff.txt")"
pg_expect_eq "results diff --json regressions" "gamma cpu.integer|gamma cpu.float|gamma cpu.sha256" \
  "$("$PAGLETS_BIN" results diff 1 2 --json | jq -r --arg re "$single" '[.changes[]
    | select(.verdict == "regression" and .host == "gamma" and (.metric | test($re)))
    | "\(.host) \(.metric)"] | join("|")')"
pg_pass
