# Invalid option values are usage errors before anything starts: exit 2,
# one line on stderr naming the option, nothing on stdout, no host used.
. "$(dirname "$0")/lib.sh"

expect_usage_error() {
  local option=$1 rc=0
  shift
  # An entry that would hang if it were contacted: the check comes first.
  timeout 10 "$PAGLETS_BIN" examples perf --entry http://127.0.0.1:1 "$@" \
    >"$PG_TMP/out" 2>"$PG_TMP/err" || rc=$?
  pg_expect_eq "$* exit status" 2 "$rc"
  pg_expect_eq "$* prints nothing on stdout" "" "$(cat "$PG_TMP/out")"
  pg_expect_eq "$* one line on stderr" 1 "$(wc -l <"$PG_TMP/err")"
  pg_expect_match "$* names $option" "$option" "$(cat "$PG_TMP/err")"
}

expect_usage_error --duration --duration -1
expect_usage_error --duration --duration abc
expect_usage_error --duration --duration 2h
expect_usage_error --disk-size --disk-size 12Q
expect_usage_error --disk-size --disk-size 0
expect_usage_error --workers --workers -3
expect_usage_error --workers --workers 2.5
expect_usage_error --lock-timeout --lock-timeout -1
expect_usage_error --timeout --timeout nan
# A path that is no directory is the hosts' to judge (test_perf_paths).
# '' was the working directory once; 65 paths a 400 from every host.
expect_usage_error --path --path ''
many=()
for _ in $(seq 65); do many+=(--path "$PG_TMP"); done
expect_usage_error "--path: at most 64" "${many[@]}"
expect_usage_error --api-key-env --api-key-env PAGLETS_TEST_UNSET_VARIABLE
expect_usage_error --frobnicate --frobnicate
expect_usage_error "unexpected argument" extra

out=$("$PAGLETS_BIN" examples perf --help)
for option in api-key-env debug disk-size duration entry json lock-timeout \
  no-cpu no-disk no-memory path proxy timeout verbose workers; do
  pg_expect_match "--help lists --$option" "--$option" "$out"
done
pg_expect_match "examples lists perf" "perf" "$("$PAGLETS_BIN" examples --help)"

pg_pass
