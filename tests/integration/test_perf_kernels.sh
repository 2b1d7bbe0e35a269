# The benchmark kernels alone (bench/perf_kernels, no mesh): a whole host
# run at tiny sizes exits 0, reports no error, leaves no benchmark
# directory, and its HostBenchmarkResult matches the summary schema.
. "$(dirname "$0")/lib.sh"

src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
kernels="$(dirname "$PAGLETS_BIN")/bench/perf_kernels"
[ -x "$kernels" ] || pg_fail "bench/perf_kernels is not built next to $PAGLETS_BIN"

mkdir "$PG_TMP/disk"
TMPDIR=$PG_TMP XDG_RUNTIME_DIR=$PG_TMP timeout 60 "$kernels" --json --duration 0.01 --workers 2 \
  --dram-size 16M --disk-size 1M --path "$PG_TMP/disk" \
  >"$PG_TMP/result.json" 2>"$PG_TMP/kernels.log" ||
  pg_fail "perf_kernels failed: $(cat "$PG_TMP/kernels.log")"

errors=$(jq '[.errors, .cpu.errors, .memory.errors, .disk.errors] | add | length' \
  "$PG_TMP/result.json")
pg_expect_eq "no errors in the result" 0 "$errors"
pg_expect_eq "one volume tested" 1 "$(jq '.disk.volumes | length' "$PG_TMP/result.json")"
pg_expect_eq "metric names" \
  "integer,float,sha256,integer-multi,float-multi,sha256-multi,memory-copy,memory-scan,memory-copy-dram,memory-copy-dram-multi" \
  "$(jq -r '[.cpu.single_core[], .cpu.multi_core[], .memory.metrics[]] | map(.name) | join(",")' "$PG_TMP/result.json")"
left=$(find "$PG_TMP/disk" -name 'paglets-bench-*' | wc -l)
pg_expect_eq "no benchmark directory left" 0 "$left"

python=/usr/bin/python3
"$python" -c 'import jsonschema' 2>/dev/null ||
  pg_fail "no python3-jsonschema: run scripts/bootstrap"
jq '{results: {local: {host_url: "http://127.0.0.1:1",
                       result: (. + {host_url: "http://127.0.0.1:1"})}},
     errors: {}, cleanup_errors: {}, pending_hosts: []}' \
  "$PG_TMP/result.json" >"$PG_TMP/summary.json"
"$python" "$src/tests/integration/validate_json_schema.py" \
  "$src/docs/perf-summary.schema.json" "$PG_TMP/summary.json" ||
  pg_fail "the host result does not match docs/perf-summary.schema.json"
pg_pass
