# Three meshed hosts: --json with tiny durations returns all three with the
# result shapes of the reference, and an explicit --path is left empty.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/perf_lib.sh"

pg_perf_mesh alpha beta gamma
disk="$PG_TMP/disk"
mkdir -p "$disk"

rc=$(pg_perf "$PG_TMP/out.json" "$PG_TMP/err" --entry "$PG_URL_alpha" --json \
  --duration 0.02 --workers 1 --disk-size 1M --path "$disk" --timeout 60)
pg_expect_eq "exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
out="$PG_TMP/out.json"

pg_expect_eq "hosts with results" "alpha,beta,gamma" \
  "$(jq -r '.results | keys | join(",")' "$out")"
pg_expect_eq "summary members" "cleanup_errors,errors,outliers,pending_hosts,results,run_id" \
  "$(jq -r 'keys | join(",")' "$out")"
pg_expect_eq "no errors, cleanup errors or pending hosts" "0 0 0" \
  "$(jq -r '[(.errors|length), (.cleanup_errors|length), (.pending_hosts|length)] | join(" ")' "$out")"

for host in alpha beta gamma; do
  r=".results.$host.result"
  pg_expect_eq "$host host_url" "$(eval echo "\$PG_URL_$host")" \
    "$(jq -r ".results.$host.host_url" "$out")"
  pg_expect_eq "$host HostBenchmarkResult fields" \
    "cpu disk errors host_name host_url lock_wait_seconds memory platform runtime_version" \
    "$(jq -r "$r | keys - [\"platform_details\", \"memory_total_bytes\"] | join(\" \")" "$out")"
  pg_expect_eq "$host name" "$host" "$(jq -r "$r.host_name" "$out")"
  pg_expect_eq "$host CPU kernels" "integer float sha256 / integer-multi float-multi sha256-multi" \
    "$(jq -r "[($r.cpu.single_core[].name), \"/\", ($r.cpu.multi_core[].name)] | join(\" \")" "$out")"
  pg_expect_eq "$host CPU workers" 1 "$(jq -r "$r.cpu.workers" "$out")"
  pg_expect_eq "$host metric fields" \
    "bytes_per_second bytes_processed duration_seconds name operations operations_per_second setup_seconds" \
    "$(jq -r "$r.cpu.single_core[0] | keys | join(\" \")" "$out")"
  pg_expect_match "$host memory kernels" "memory-copy memory-scan" \
    "$(jq -r "[$r.memory.metrics[].name] | join(\" \")" "$out")"
  pg_expect_eq "$host one volume at --path" "$disk" \
    "$(jq -r "[$r.disk.volumes[].path] | join(\" \")" "$out")"
  pg_expect_eq "$host volume size" 1048576 \
    "$(jq -r "$r.disk.volumes[0].benchmark_size_bytes" "$out")"
  pg_expect_eq "$host no errors" 0 \
    "$(jq -r "[$r.errors[], $r.cpu.errors[], $r.memory.errors[], $r.disk.errors[]] | length" "$out")"
done

# Hosts on one machine take turns through the benchmark lock.
pg_expect_eq "some child waited for the lock" true \
  "$(jq -r '[.results[].result.lock_wait_seconds] | max > 0' "$out")"
pg_expect_eq "--path left empty" "" "$(ls -A "$disk")"
pg_expect_eq "nothing but JSON on stdout" object "$(jq -r type "$out")"

pg_pass
