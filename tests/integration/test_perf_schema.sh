# docs/perf-summary.schema.json against documents: the schema is valid
# JSON Schema 2020-12, the documented example passes, a broken example fails
# (so the check is not vacuous), and the real --json output of `paglets
# examples perf` from two hosts on loopback passes, stored (run_id 1) and
# not (--no-save: null), with its outliers (none among two hosts); the
# documented example has the same fields as that real output (a missing
# --path gives it skipped targets too).
# test_perf_starved validates a run with outliers and --compare.
# Validator: Debian's python3-jsonschema, through validate_json_schema.py.
. "$(dirname "$0")/lib.sh"

src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
schema="$src/docs/perf-summary.schema.json"
validate="$src/tests/integration/validate_json_schema.py"
python=/usr/bin/python3
"$python" -c 'import jsonschema' 2>/dev/null ||
  pg_fail "no python3-jsonschema: run scripts/bootstrap"

"$python" "$validate" "$schema" "$src/docs/perf-summary.example.json" ||
  pg_fail "the documented example does not match the schema"

jq '.results.alpha.result.disk.volumes[0].write_seconds = "fast"
    | del(.results.alpha.result.runtime_version)
    | .outliers = [{host: "alpha", metric: "cpu.integer", path: null,
                    value: 1.0, median: 4.0}]
    | .run_id = "12"' \
  "$src/docs/perf-summary.example.json" >"$PG_TMP/broken.json"
if "$python" "$validate" "$schema" "$PG_TMP/broken.json" >"$PG_TMP/broken.out"; then
  pg_fail "a summary with a string duration and no runtime_version passed"
fi
grep -q 'write_seconds' "$PG_TMP/broken.out" || pg_fail "the wrong type was not named"
grep -q 'runtime_version' "$PG_TMP/broken.out" || pg_fail "the missing field was not named"
grep -q "'ratio' is a required property" "$PG_TMP/broken.out" ||
  pg_fail "the outlier without a ratio was not named"
grep -q "'12' is not of type" "$PG_TMP/broken.out" || pg_fail "the string run_id was not named"

# The hosts' benchmark lock is this test's alone (XDG_RUNTIME_DIR/paglets).
XDG_RUNTIME_DIR=$PG_TMP pg_start_host alpha --mesh-version "$PG_TEST"
alpha=$PG_URL
XDG_RUNTIME_DIR=$PG_TMP pg_start_host beta --mesh-version "$PG_TEST" --peer "$alpha"
mkdir "$PG_TMP/disk"
set +e
timeout 120 "$PAGLETS_BIN" examples perf --entry "$alpha" --json --duration 0.02 \
  --disk-size 1M --path "$PG_TMP/disk" --path "$PG_TMP/missing" --workers 2 --timeout 60 \
  >"$PG_TMP/summary.json" 2>"$PG_TMP/perf.log"
rc=$?
set -e
[ "$rc" -le 1 ] || pg_fail "perf exit status $rc: $(cat "$PG_TMP/perf.log")"
"$python" "$validate" "$schema" "$PG_TMP/summary.json" ||
  pg_fail "real --json output does not match the schema"
hosts=$(jq -r '[.results | keys[]] + [.errors | keys[]] | sort | join(",")' "$PG_TMP/summary.json")
pg_expect_eq "both hosts are in the summary" "alpha,beta" "$hosts"
pg_expect_eq "outliers and run id" '[] 1' "$(jq -c '.outliers, .run_id' "$PG_TMP/summary.json" | paste -sd ' ')"
# fields FILE: the summary's top-level keys and every field path inside a
# host's entry, array indices as [].
fields() {
  jq -r '([.results[] | paths | map(if type == "number" then "[]" else . end) | join(".")]
          + [keys[] | "top." + .]) | unique | .[]' "$1"
}
pg_expect_eq "the example's fields are a real run's" "$(fields "$PG_TMP/summary.json")" \
  "$(fields "$src/docs/perf-summary.example.json")"
set +e
timeout 120 "$PAGLETS_BIN" examples perf --entry "$alpha" --json --no-cpu --no-memory \
  --no-disk --no-save >"$PG_TMP/unsaved.json" 2>"$PG_TMP/perf.log"
rc=$?
set -e
pg_expect_eq "--no-save exit status ($(cat "$PG_TMP/perf.log"))" 0 "$rc"
"$python" "$validate" "$schema" "$PG_TMP/unsaved.json" ||
  pg_fail "real --json output of an unsaved run does not match the schema"
pg_expect_eq "--no-save run id" null "$(jq .run_id "$PG_TMP/unsaved.json")"
pg_pass
