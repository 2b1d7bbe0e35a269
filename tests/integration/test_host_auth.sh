# API keys: with the key variable set, every endpoint (even /health) wants
# a request signed with that key (RFC 9421 hmac-sha256, as pgsig.py and
# every paglets client sign), created within +-60 s, with a nonce never
# seen before; a plain "Authorization: Bearer KEY" only with
# --accept-bearer. Replies to signed requests are signed, bound to them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

sig() { pg_sig request "$@"; }

# lib.sh's health wait signs with $PAGLETS_API_KEY when it is set.
export PAGLETS_API_KEY=s3cret-key
pg_start_host alpha --mesh-version t --test-agents
alpha=$PG_URL
export MY_KEY=other-key
PAGLETS_API_KEY=other-key pg_start_host beta --mesh-version t --test-agents \
  --api-key-env MY_KEY --accept-bearer
beta=$PG_URL

for path in /health /hosts /agents /agents/x; do
  out=$(PG_KEY='' pg_req GET "$alpha$path")
  pg_expect_error "no key on $path" 401 EACCES "$out"
  out=$(PG_KEY=s3cret-keY pg_req GET "$alpha$path")
  pg_expect_error "wrong key on $path" 401 EACCES "$out"
  pg_expect_match "wrong key on $path: message" "another API key" "$out"
done
for path in /agents /hosts/join /agents/x/messages /agents/x/clone /agents/x/dispose; do
  out=$(PG_KEY='' pg_req POST "$alpha$path" '{}')
  pg_expect_error "no key on POST $path" 401 EACCES "$out"
done
out=$(PG_KEY=s3cret pg_req GET "$alpha/health")
pg_expect_error "key prefix" 401 EACCES "$out"
out=$(PG_KEY=s3cret-key-and-more pg_req GET "$alpha/health")
pg_expect_error "longer key" 401 EACCES "$out"

# The right key, signed: every endpoint answers, and signs its reply.
export PG_KEY=s3cret-key
pg_req GET "$alpha/health" >/dev/null
pg_expect_status "right key" 200
a=$(pg_create "$alpha")
pg_expect_eq "call with key" 1 "$(pg_call "$alpha" "$a" increment | jq .counter)"
status=$(sig --check-reply --out /dev/null GET "$alpha/agents/$a") ||
  pg_fail "reply to GET /agents/ID is not signed right"
pg_expect_eq "signed GET" 200 "$status"
status=$(sig --check-reply --out /dev/null GET "$alpha/agents/nope") ||
  pg_fail "error reply is not signed right"
pg_expect_eq "signed 404" 404 "$status"

# Bearer keys: refused without --accept-bearer, naming the option...
out=$(PG_BEARER=1 pg_req GET "$alpha/health")
pg_expect_error "bearer without --accept-bearer" 401 EACCES "$out"
pg_expect_match "bearer refusal names the option" "--accept-bearer" "$out"
# ...and accepted with it (curl and scripts), the wrong one still refused.
out=$(PG_BEARER=1 PG_KEY=other-key pg_req GET "$beta/health")
pg_expect_status "bearer with --accept-bearer" 200
out=$(PG_BEARER=1 PG_KEY=s3cret-key pg_req GET "$beta/health")
pg_expect_error "wrong bearer with --accept-bearer" 401 EACCES "$out"
out=$(curl -sS -m 5 -H "Authorization: Basic other-key" -w '%{http_code}' "$beta/health")
pg_expect_match "other scheme" '401$' "$out"
out=$(curl -sS -m 5 -H "Authorization: Bearer other-key" "$beta/health")
pg_expect_eq "curl with a bearer key" beta "$(jq -r .name <<<"$out")"

# A captured request cannot be replayed: the same signed request (same
# nonce) twice is refused the second time.
statuses=$(sig --repeat 2 --out "$PG_TMP/replay" GET "$alpha/health" | tr '\n' ' ')
pg_expect_eq "replayed request" "200 401 " "$statuses"
pg_expect_match "replay message" "replayed" "$(cat "$PG_TMP/replay")"
statuses=$(sig --repeat 2 --out /dev/null POST "$alpha/agents/$a/messages" \
  '{"message":{"kind":"increment","args":{}}}' | tr '\n' ' ')
pg_expect_eq "replayed POST" "200 401 " "$statuses"
pg_expect_eq "replayed POST ran once" 3 \
  "$(pg_call "$alpha" "$a" increment | jq .counter)"

# The window: +-60 s, and the refusal says by how much the clocks differ.
now=$(date +%s)
status=$(sig --created $((now - 3600)) --out "$PG_TMP/old" GET "$alpha/health")
pg_expect_eq "signed an hour ago" 401 "$status"
pg_expect_match "skew message" 'clock skew 36[0-9][0-9] s' "$(jq -r .error.message "$PG_TMP/old")"
status=$(sig --created $((now + 600)) --out "$PG_TMP/new" GET "$alpha/health")
pg_expect_eq "signed ten minutes ahead" 401 "$status"
pg_expect_match "skew ahead message" 'clock skew (59[0-9]|600) s: .* ahead' \
  "$(jq -r .error.message "$PG_TMP/new")"
status=$(sig --created $((now - 20)) --out /dev/null GET "$alpha/health")
pg_expect_eq "signed 20 s ago" 200 "$status"

# What the signature covers: the authority (another host's port), the
# path, and the body through its Content-Digest.
port=${alpha##*:}
status=$(sig --authority "127.0.0.1:$((port + 1))" --out /dev/null GET "$alpha/health")
pg_expect_eq "signed for another authority" 401 "$status"
status=$(sig --out "$PG_TMP/body2" --sign-body '{"agent_class_name":"EchoAgent"}' \
  POST "$alpha/agents" '{"agent_class_name":"EchoAgent","state":{"counter":9}}')
pg_expect_eq "body that is not the signed one" 400 "$status"
pg_expect_match "digest message" "Content-Digest" "$(cat "$PG_TMP/body2")"

# --api-key-env: beta reads its key from MY_KEY.
out=$(pg_req GET "$beta/health")
pg_expect_error "alpha's key on beta" 401 EACCES "$out"
PG_KEY=other-key pg_req GET "$beta/health" >/dev/null
pg_expect_status "beta's own key" 200

# Hosts sign their outgoing calls, and a keyed host's agents reach members
# of its mesh only: clone alpha -> alpha works, and beta (another key,
# never a member) is refused before anything is sent to it.
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$alpha\"}")
pg_expect_status "same-host clone with key" 201
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$beta\"}")
pg_expect_error "clone to a host outside the mesh" 403 EPERM "$out"

pg_pass
