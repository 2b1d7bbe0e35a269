# The benchmark lock lives in XDG_RUNTIME_DIR/paglets (mode 0700, ours):
# a FIFO or a symlink planted at the lock path, or a directory others may
# write, makes the host's result an error naming the path, at once,
# instead of a benchmark that hangs in open() or runs unguarded.
. "$(dirname "$0")/lib.sh"

run=$PG_TMP/run
dir=$run/paglets
lock=$dir/paglets-benchmark.lock
mkdir -p -m 700 "$run" "$dir"
# TMPDIR as well: where builds before this lock location looked.
TMPDIR=$dir XDG_RUNTIME_DIR=$run pg_start_host alpha --mesh-version "$PG_TEST" --no-mesh

# perf_error: run an empty benchmark; prints "STATUS ERROR" (the host's
# first result error).
perf_error() {
  local rc=0
  timeout 30 "$PAGLETS_BIN" examples perf --entry "$PG_URL" --json --no-cpu \
    --no-memory --no-disk --lock-timeout 2 >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
  echo "$rc $(jq -r '.results.alpha.result.errors[0] // empty' "$PG_TMP/out" 2>/dev/null)"
}

pg_expect_eq "a clean lock" "0 " "$(perf_error)"
pg_expect_eq "the lock file is a private regular file" "regular empty file 600" \
  "$(stat -c '%F %a' "$lock")"

rm "$lock" && mkfifo -m 600 "$lock"
pg_expect_eq "a FIFO at the lock path" \
  "1 benchmark lock '$lock' is not a regular file" "$(perf_error)"

rm "$lock" && ln -s "$PG_TMP/elsewhere" "$lock"
pg_expect_eq "a symlink at the lock path" \
  "1 cannot open benchmark lock '$lock': it is a symbolic link" "$(perf_error)"
[ ! -e "$PG_TMP/elsewhere" ] || pg_fail "the symlink was followed"

rm "$lock" && chmod 755 "$dir"
pg_expect_match "a directory others can read" \
  "^1 benchmark lock directory '$dir' must belong to uid [0-9]+ with mode 0700" "$(perf_error)"

pg_pass
