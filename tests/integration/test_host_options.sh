# `paglets host` options: --config files (flags win, file:line errors),
# tags and properties in /health, --no-mesh, and usage errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

cat >"$PG_TMP/host.conf" <<'CONF'
# settings for the test host
tag = blue
tag = green
property = zone=eu-1
port = 1
mesh = false
CONF
# --port 0 (from lib.sh) must beat "port = 1" from the file.
pg_start_host alpha --mesh-version t --config "$PG_TMP/host.conf" --tag red
alpha=$PG_URL
health=$(pg_req GET "$alpha/health")
pg_expect_eq "flag tags replace file tags" '["red"]' "$(jq -c .tags <<<"$health")"
pg_expect_eq "file property" '{"zone":"eu-1"}' "$(jq -c .properties <<<"$health")"
out=$(pg_req POST "$alpha/hosts/join" '{"name":"x","url":"http://127.0.0.1:1"}')
pg_expect_error "join without a mesh" 403 EPERM "$out"
hosts=$(pg_req GET "$alpha/hosts")
pg_expect_eq "hosts without a mesh" "alpha true" "$(jq -r '.hosts[] | "\(.name) \(.online)"' <<<"$hosts")"

# --bind-public: listen there too, on the same port, and advertise it.
pg_start_host pub --mesh-version t --no-mesh --bind-public 127.0.0.2
pub=$PG_URL
pg_expect_match "advertised URL" '^http://127\.0\.0\.2:[0-9]+$' "$pub"
pg_req GET "http://127.0.0.1:${pub##*:}/health" >/dev/null
pg_expect_status "bind address still served" 200
pg_expect_eq "health address" "$pub" "$(pg_req GET "$pub/health" | jq -r .address)"

# expect_usage WHAT PATTERN ARGS...: exit 2 and a one-line message.
expect_usage() {
  local what=$1 pattern=$2
  shift 2
  set +e
  "$PAGLETS_BIN" host "$@" >/dev/null 2>"$PG_TMP/err"
  local rc=$?
  set -e
  pg_expect_eq "$what exit status" 2 "$rc"
  pg_expect_eq "$what is one line" 1 "$(wc -l <"$PG_TMP/err")"
  pg_expect_match "$what message" "$pattern" "$(cat "$PG_TMP/err")"
}

printf 'tag = ok\nthis line is wrong\n' >"$PG_TMP/bad.conf"
expect_usage "bad config line" "bad.conf:2: expected 'key = value'" \
  --name x --config "$PG_TMP/bad.conf"
printf '\nprot = 80\n' >"$PG_TMP/typo.conf"
expect_usage "unknown config key" "typo.conf:2: unknown setting 'prot'" \
  --name x --config "$PG_TMP/typo.conf"
printf 'mesh = maybe\n' >"$PG_TMP/bool.conf"
expect_usage "bad boolean" "bool.conf:1: 'mesh' needs true or false" \
  --name x --config "$PG_TMP/bool.conf"
printf '# ok\nport = abc\n' >"$PG_TMP/value.conf"
expect_usage "bad config value" "value.conf:2: --port: 'abc' is not a whole number$" \
  --name x --config "$PG_TMP/value.conf"
expect_usage "missing config file" "cannot read" --name x --config "$PG_TMP/none"
expect_usage "missing name" "--name is required" --port 0
expect_usage "bad property" "not KEY=VALUE" --name x --property novalue
expect_usage "bad port" "out of range" --name x --port 70000
expect_usage "bad log level" "unknown level" --name x --log-level loud
expect_usage "port in use" "cannot listen" --name x --mesh-version t \
  --port "${alpha##*:}"

pg_pass
