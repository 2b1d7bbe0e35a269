# GET /metrics: after a real benchmark run (--duration 0.2 --no-disk) the
# host's text passes `promtool check metrics` (Prometheus' own parser and
# linter) and carries the run's figures; the auth rules: a signed request
# with the API key, the metrics key as a bearer on /metrics alone (without
# --accept-bearer), 401 for it anywhere else and for a wrong key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
. "$(dirname "$0")/perf_lib.sh"

command -v promtool >/dev/null ||
  pg_fail "promtool missing: scripts/check installs the test packages (prometheus)"

export PAGLETS_API_KEY=main-key-for-metrics
export SCRAPE_KEY=scrape-key-for-metrics
mkdir -p "$PG_TMP/tmp"
TMPDIR=$PG_TMP/tmp XDG_RUNTIME_DIR=$PG_TMP/tmp pg_start_host alpha \
  --mesh-version metrics-test --metrics-key-env SCRAPE_KEY
alpha=$PG_URL

# scrape [AUTH-HEADER] [PATH]: the body; the status in $PG_TMP/status.
scrape() {
  curl -sS -m 10 -o "$PG_TMP/body" -w '%{http_code}' ${1:+-H "$1"} \
    "$alpha${2:-/metrics}" >"$PG_TMP/status" || echo 000 >"$PG_TMP/status"
  cat "$PG_TMP/body"
}

# Before any run: host families only, and promtool is content.
scrape "Authorization: Bearer $SCRAPE_KEY" >"$PG_TMP/before"
pg_expect_status "metrics key on /metrics" 200
promtool check metrics <"$PG_TMP/before" ||
  pg_fail "promtool rejects the idle host's /metrics: $(cat "$PG_TMP/before")"
ctype=$(curl -sS -m 10 -o /dev/null -w '%{content_type}' \
  -H "Authorization: Bearer $SCRAPE_KEY" "$alpha/metrics")
pg_expect_eq "content type" "text/plain; version=0.0.4; charset=utf-8" "$ctype"

rc=$(TMPDIR=$PG_TMP/tmp XDG_RUNTIME_DIR=$PG_TMP/tmp pg_perf "$PG_TMP/out" "$PG_TMP/err" \
  --entry "$alpha" --duration 0.2 --no-disk)
pg_expect_eq "perf exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"

# The child was disposed after it reported; its figures stayed.
scrape "Authorization: Bearer $SCRAPE_KEY" >"$PG_TMP/after"
pg_expect_status "metrics after the run" 200
promtool check metrics <"$PG_TMP/after" ||
  pg_fail "promtool rejects /metrics after a run: $(cat "$PG_TMP/after")"
for family in paglets_host_info paglets_host_uptime_seconds paglets_host_agents \
  paglets_http_requests_total paglets_mesh_members \
  paglets_mesh_gossip_messages_total paglets_mesh_gossip_bytes_total \
  paglets_perf_ops_per_second paglets_perf_bytes_per_second \
  paglets_perf_run_timestamp_seconds paglets_perf_errors; do
  grep -q "^# TYPE $family " "$PG_TMP/after" || pg_fail "no family $family"
done
pg_expect_match "sha256 single-core rate" \
  $'\npaglets_perf_ops_per_second\\{kind="single",metric="sha256",part="cpu"\\} [0-9.e+]+\n' \
  "$(cat "$PG_TMP/after")"$'\n'
pg_expect_match "one alive member" $'\npaglets_mesh_members\\{state="alive"\\} 1\n' \
  "$(cat "$PG_TMP/after")"
pg_expect_match "2xx replies counted" \
  $'\npaglets_http_requests_total\\{code="2xx"\\} [1-9][0-9]*\n' "$(cat "$PG_TMP/after")"
pg_expect_eq "no disk figures with --no-disk" 0 \
  "$(grep -c '^paglets_perf_disk' "$PG_TMP/after" || true)"

# The API key, signed as paglets clients sign, also reads /metrics.
out=$(PG_KEY=$PAGLETS_API_KEY pg_req GET "$alpha/metrics")
pg_expect_status "signed with the API key" 200
pg_expect_match "signed: text" '# TYPE paglets_host_info gauge' "$out"

# The metrics key opens /metrics alone.
for path in /health /hosts /agents /agents/x; do
  out=$(scrape "Authorization: Bearer $SCRAPE_KEY" "$path")
  pg_expect_error "metrics key on $path" 401 EACCES "$out"
done
out=$(PG_KEY=$SCRAPE_KEY PG_BEARER=1 pg_req POST "$alpha/agents" '{}')
pg_expect_error "metrics key on POST /agents" 401 EACCES "$out"
out=$(PG_KEY=$SCRAPE_KEY pg_req GET "$alpha/health")
pg_expect_error "metrics key signing a request" 401 EACCES "$out"
# Wrong keys, no key, and the API key as a bearer (no --accept-bearer).
out=$(scrape "Authorization: Bearer ${SCRAPE_KEY}x")
pg_expect_error "wrong metrics key" 401 EACCES "$out"
pg_expect_match "wrong metrics key: message" "metrics key" "$out"
out=$(scrape "")
pg_expect_error "no key on /metrics" 401 EACCES "$out"
out=$(scrape "Authorization: Bearer $PAGLETS_API_KEY")
pg_expect_error "API key as a bearer on /metrics" 401 EACCES "$out"
out=$(scrape "Authorization: Bearer $SCRAPE_KEY" "/metrics/x")
pg_expect_error "metrics key on /metrics/x" 401 EACCES "$out"

# A metrics key without an API key would guard nothing: refused.
rc=0
SCRAPE_KEY=x PAGLETS_API_KEY='' "$PAGLETS_BIN" host --name nokey --port 0 \
  --mesh-version t --metrics-key-env SCRAPE_KEY 2>"$PG_TMP/nokey" || rc=$?
pg_expect_eq "metrics key without API key: status" 2 "$rc"
pg_expect_match "metrics key without API key: message" "needs an API key" \
  "$(cat "$PG_TMP/nokey")"

pg_pass
