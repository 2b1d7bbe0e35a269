# HTTPS: three hosts serving TLS with certificates from a CA this test
# makes with openssl, under an API key, form a mesh and run `paglets
# examples perf` end to end. Clients verify the hosts against that CA
# (--tls-ca or PAGLETS_TLS_CA) and refuse them without it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

tls_make_ca
for name in alpha beta gamma; do tls_make_cert "$name"; done
ca=$PG_TMP/tls/ca.crt
export PAGLETS_API_KEY=tls-mesh-key
# Hosts verify their https peers against the CA (PAGLETS_TLS_CA), as
# pg_get does; beta takes it from --tls-ca instead.
export PAGLETS_TLS_CA=$ca
mkdir -p "$PG_TMP/tmp"
# shellcheck disable=SC2046 # tls_opts gives several words on purpose
TMPDIR=$PG_TMP/tmp pg_start_host alpha --mesh-version t --gossip-interval 0.2 \
  $(tls_opts alpha)
alpha=$PG_URL
pg_expect_match "alpha serves https" '^https://127\.0\.0\.1:[0-9]+$' "$alpha"
# shellcheck disable=SC2046
PAGLETS_TLS_CA='' PG_CA=$ca TMPDIR=$PG_TMP/tmp pg_start_host beta --mesh-version t \
  --gossip-interval 0.2 --peer "$alpha" --tls-ca "$ca" \
  $(tls_opts beta)
# shellcheck disable=SC2046
TMPDIR=$PG_TMP/tmp pg_start_host gamma --mesh-version t --gossip-interval 0.2 \
  --peer "$alpha" $(tls_opts gamma)

online() {
  [ "$(pg_get "$1/hosts" | jq '[.hosts[] | select(.online)] | length')" = 3 ]
}
pg_wait_for 20 online "$alpha" || pg_fail "the https mesh never formed at alpha"
pg_wait_for 20 online "$PG_URL_beta" || pg_fail "beta never saw the whole mesh"

# The benchmark, end to end over https: the parent on alpha clones to beta
# and gamma, the children report back, the CLI collects and cleans up.
rc=0
PAGLETS_TLS_CA='' timeout 120 "$PAGLETS_BIN" examples perf --entry "$alpha" \
  --tls-ca "$ca" --json --duration 0.02 --workers 1 \
  --no-disk --timeout 60 >"$PG_TMP/out.json" 2>"$PG_TMP/err" || rc=$?
pg_expect_eq "perf over https: exit status (stderr: $(cat "$PG_TMP/err"))" 0 "$rc"
pg_expect_eq "perf over https: hosts" "alpha,beta,gamma" \
  "$(jq -r '.results | keys | join(",")' "$PG_TMP/out.json")"
pg_expect_eq "perf over https: no errors" "0 0 0" \
  "$(jq -r '[(.errors|length), (.cleanup_errors|length), (.pending_hosts|length)] | join(" ")' "$PG_TMP/out.json")"
pg_expect_eq "perf over https: host URLs" "$alpha" \
  "$(jq -r '.results.alpha.host_url' "$PG_TMP/out.json")"

# paglets hosts: with the CA it lists the mesh; without it (the system
# store does not know this CA) the certificate is refused.
out=$(PAGLETS_TLS_CA='' "$PAGLETS_BIN" hosts --entry "$alpha" \
  --tls-ca "$ca" --json)
pg_expect_eq "hosts over https" "alpha beta gamma" \
  "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$out")"
set +e
PAGLETS_TLS_CA='' "$PAGLETS_BIN" hosts --entry "$alpha" >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "no CA: exit status" 2 "$rc"
pg_expect_match "no CA: message" "certificate" "$(cat "$PG_TMP/err")"

# A certificate from another CA is refused as well.
mkdir -p "$PG_TMP/other"
(PG_TMP=$PG_TMP/other tls_make_ca)
set +e
PAGLETS_TLS_CA='' "$PAGLETS_BIN" hosts --entry "$alpha" \
  --tls-ca "$PG_TMP/other/tls/ca.crt" >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "other CA: exit status" 2 "$rc"
set +e
"$PAGLETS_BIN" hosts --entry "$alpha" --tls-ca "$PG_TMP/no-such-ca.crt" \
  >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
pg_expect_eq "missing CA file: exit status" 2 "$rc"
pg_expect_match "missing CA file: message" "no-such-ca.crt" "$(cat "$PG_TMP/err")"

# Plain http to an https port gets no answer; curl with the CA gets one.
if curl -fsS -m 5 "http://${alpha#https://}/health" >/dev/null 2>&1; then
  pg_fail "alpha answered plain http"
fi
pg_expect_eq "curl with the CA reaches alpha (401: not signed)" 401 \
  "$(curl -sS -m 5 --cacert "$ca" -o /dev/null -w '%{http_code}' "$alpha/health")"

pg_pass
