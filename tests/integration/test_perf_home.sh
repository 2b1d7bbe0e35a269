# ~/.paglets/benchmarks, the per-user fallback of disk discovery, is
# created only to be judged: after a run it is gone again when the run
# created it and left it empty (whether it was a target or not), and a
# directory that was already there stays as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

home=$PG_TMP/home
mkdir -p "$home"
HOME=$home pg_perf_mesh alpha
out=$PG_TMP/out err=$PG_TMP/err

pg_expect_eq "discovery run: exit status (stderr: $(cat "$err"))" 0 \
  "$(pg_perf "$out" "$err" --entry "$PG_URL_alpha" --json --no-cpu --no-memory --disk-size 1M)"
pg_expect_eq "the fallback was judged" "$home/.paglets/benchmarks" \
  "$(jq -r '[.results.alpha.result.disk | .volumes[].path, .skipped[].path]
            | map(select(endswith("/.paglets/benchmarks")))[0]' "$out")"
[ ! -e "$home/.paglets" ] || pg_fail "~/.paglets left behind: $(find "$home" | head)"

# One of the user's own: kept, with what it holds.
mkdir -p "$home/.paglets/benchmarks"
echo mine >"$home/.paglets/benchmarks/keep"
pg_expect_eq "second run: exit status (stderr: $(cat "$err"))" 0 \
  "$(pg_perf "$out" "$err" --entry "$PG_URL_alpha" --no-cpu --no-memory --disk-size 1M)"
pg_expect_eq "the user's directory is as it was" "keep" "$(ls "$home/.paglets/benchmarks")"

pg_pass
