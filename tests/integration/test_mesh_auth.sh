# The mesh under an API key: hosts that share the key mesh with it on
# every exchange; a host without it is refused (401) and never listed.
# The key never crosses the wire: a member that records every request it
# gets (gossip, a clone, an agent's call, the CLI's) never sees it. And
# the CLI believes only replies signed with the key.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

export PAGLETS_API_KEY=mesh-secret-1
mesh_start alpha --mesh-version t --test-agents --gossip-interval 0.2
alpha=$MESH_URL
mesh_start beta --mesh-version t --test-agents --gossip-interval 0.2 --peer "$alpha"
beta=$MESH_URL
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never saw beta"
pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never saw alpha"

# gamma reads its key from a variable that is not set: it sends none.
mesh_start gamma --mesh-version t --test-agents --gossip-interval 0.2 \
  --api-key-env PG_NO_SUCH_KEY --peer "$alpha"
gamma=$MESH_URL
# Evidence that gamma tried: it logs its first refused join, and it has
# failed more than once (it retries with a backoff).
pg_wait_for 5 grep -q "cannot join seed $alpha" "$PG_TMP/gamma.log" ||
  pg_fail "gamma never tried to join alpha"
pg_expect_match "gamma's join refused" "cannot join seed $alpha: .*401" "$(cat "$PG_TMP/gamma.log")"
failed_twice() { [ "$(mesh_hosts "$gamma" | jq '.mesh.exchanges_failed')" -ge 2 ]; }
pg_wait_for 10 failed_twice || pg_fail "gamma did not try a second time"
mesh_omits "$alpha" gamma || pg_fail "alpha lists gamma, which has no key"
mesh_omits "$beta" gamma || pg_fail "beta lists gamma, which has no key"

out=$("$PAGLETS_BIN" hosts --entry "$alpha" --json)
pg_expect_eq "paglets hosts sends the key" "alpha beta" \
  "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$out")"
set +e
PAGLETS_API_KEY=wrong "$PAGLETS_BIN" hosts --entry "$alpha" >/dev/null 2>"$PG_TMP/err"
rc=$?
set -e
# The host answered, with an error (401): status 1, as the man page says.
pg_expect_eq "wrong key: exit status" 1 "$rc"
pg_expect_match "wrong key: message" "^paglets hosts: .*401" "$(cat "$PG_TMP/err")"

# fake NAME MODE: a fake host (pgsig.py serve) recording what it gets in
# $PG_TMP/NAME.capture; its URL in FAKE_URL.
# Started as python itself (not through a function, whose subshell would
# get the pid) and off the test's stdout, so the exit trap can stop it.
fake() {
  PG_KEY=$PAGLETS_API_KEY "$PG_PYTHON" "$PG_SIG" serve \
    --port-file "$PG_TMP/$1.port" --mode "$2" --name "$1" \
    --capture "$PG_TMP/$1.capture" >/dev/null 2>"$PG_TMP/$1.log" &
  PG_PIDS+=("$!")
  pg_guard "$!"
  pg_wait_for 5 test -s "$PG_TMP/$1.port" || pg_fail "fake host $1 did not start"
  FAKE_URL=http://127.0.0.1:$(cat "$PG_TMP/$1.port")
}

# A member that records every request: it joins alpha (a signed join, with
# the bearer key too so that a host that still took bearer keys would let
# it in), and alpha (its probe of a newcomer), an agent and the CLI then
# all talk to it.
fake spy signed
spy=$FAKE_URL
ref="{\"name\":\"spy\",\"url\":\"$spy\",\"code_version\":\"t\",\"online\":true}"
status=$(PG_KEY=$PAGLETS_API_KEY pg_sig request --also-bearer --out /dev/null \
  POST "$alpha/hosts/join" "$ref")
pg_expect_eq "spy joins alpha" 200 "$status"
pg_wait_for 5 grep -q "^POST /hosts/ping" "$PG_TMP/spy.capture" ||
  pg_fail "no host gossiped with the spy"
# It acks the probe: a member, which agents on a keyed host may call.
pg_wait_for 10 mesh_sees "$alpha" spy true || pg_fail "alpha never listed the spy"
. "$(dirname "$0")/host_lib.sh"
export PG_KEY=$PAGLETS_API_KEY
a=$(pg_create "$alpha")
pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$spy\"}" >/dev/null
pg_req POST "$alpha/agents/$a/messages" \
  "{\"message\":{\"kind\":\"call\",\"args\":{\"host_url\":\"$spy\",\"agent_id\":\"x\",\"op\":\"echo\"}}}" >/dev/null
"$PAGLETS_BIN" hosts --entry "$spy" >/dev/null 2>&1 || true
"$PAGLETS_BIN" examples perf --entry "$spy" --no-disk --no-memory \
  --duration 0.1 --timeout 2 >/dev/null 2>&1 || true
capture=$(cat "$PG_TMP/spy.capture")
for what in "POST /hosts/ping" "POST /agents HTTP" "POST /agents/x/messages" \
  "GET /hosts" "GET /health"; do
  grep -q "^$what" <<<"$capture" || pg_fail "the spy never got '$what'"
done
signed=$(grep -c '^Signature-Input: paglets=' <<<"$capture" || true)
[ "$signed" -ge 5 ] || pg_fail "only $signed signed requests reached the spy"
b64=$(printf %s "$PAGLETS_API_KEY" | base64)
for secret in "$PAGLETS_API_KEY" "$b64" "${b64%%=*}" Authorization Bearer; do
  if grep -qiF -- "$secret" <<<"$capture"; then
    pg_fail "'$secret' reached the spy: $(grep -iF -m 1 -- "$secret" <<<"$capture")"
  fi
done

# The CLI takes a host's word only when it is signed with the key: a fake
# entry host that answers without a signature, or with one made with
# another key, is refused; the one holding the key is believed.
out=$("$PAGLETS_BIN" hosts --entry "$spy" --json) ||
  pg_fail "the CLI refused a reply signed with the key"
pg_expect_eq "a signed reply is believed" forged-host "$(jq -r '.hosts[0].name' <<<"$out")"
for mode in unsigned forged; do
  fake "$mode" "$mode"
  set +e
  "$PAGLETS_BIN" hosts --entry "$FAKE_URL" >"$PG_TMP/out" 2>"$PG_TMP/$mode.err"
  rc=$?
  "$PAGLETS_BIN" examples perf --entry "$FAKE_URL" --no-disk --no-memory \
    --duration 0.1 --timeout 2 >/dev/null 2>>"$PG_TMP/$mode.err"
  perf_rc=$?
  set -e
  pg_expect_eq "$mode reply: exit status" 2 "$rc"
  if grep -q forged-host "$PG_TMP/out"; then
    pg_fail "$mode reply: its hosts were printed"
  fi
  pg_expect_eq "$mode reply: perf exit status" 2 "$perf_rc"
done
pg_expect_match "unsigned reply: message" "hosts: .*not signed.*perf: .*not signed" \
  "$(cat "$PG_TMP/unsigned.err")"
pg_expect_match "forged reply: message" "hosts: .*does not match.*perf: .*does not match" \
  "$(cat "$PG_TMP/forged.err")"

pg_pass
