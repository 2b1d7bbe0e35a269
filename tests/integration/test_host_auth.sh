# API keys: with the key variable set, every endpoint (even /health) wants
# "Authorization: Bearer KEY"; missing or wrong keys get a 401 JSON error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# lib.sh's health wait sends $PAGLETS_API_KEY when it is set.
export PAGLETS_API_KEY=s3cret-key
pg_start_host alpha --mesh-version t --test-agents
alpha=$PG_URL
export MY_KEY=other-key
PAGLETS_API_KEY=other-key pg_start_host beta --mesh-version t --test-agents --api-key-env MY_KEY
beta=$PG_URL

for path in /health /hosts /agents /agents/x; do
  out=$(PG_KEY='' pg_req GET "$alpha$path")
  pg_expect_error "no key on $path" 401 EACCES "$out"
  out=$(PG_KEY=s3cret-keY pg_req GET "$alpha$path")
  pg_expect_error "wrong key on $path" 401 EACCES "$out"
done
for path in /agents /hosts/join /agents/x/messages /agents/x/clone /agents/x/dispose; do
  out=$(PG_KEY='' pg_req POST "$alpha$path" '{}')
  pg_expect_error "no key on POST $path" 401 EACCES "$out"
done
out=$(PG_KEY=s3cret pg_req GET "$alpha/health")
pg_expect_error "key prefix" 401 EACCES "$out"
out=$(PG_KEY=s3cret-key-and-more pg_req GET "$alpha/health")
pg_expect_error "longer key" 401 EACCES "$out"
out=$(curl -sS -m 5 -H "Authorization: Basic s3cret-key" -w '%{http_code}' "$alpha/health")
pg_expect_match "other scheme" '401$' "$out"

export PG_KEY=s3cret-key
pg_req GET "$alpha/health" >/dev/null
pg_expect_status "right key" 200
a=$(pg_create "$alpha")
pg_expect_eq "call with key" 1 "$(pg_call "$alpha" "$a" increment | jq .counter)"

# --api-key-env: beta reads its key from MY_KEY.
out=$(pg_req GET "$beta/health")
pg_expect_error "alpha's key on beta" 401 EACCES "$out"
PG_KEY=other-key pg_req GET "$beta/health" >/dev/null
pg_expect_status "beta's own key" 200

# Hosts send their key on outgoing calls, so a keyed host's agents reach
# members of its mesh only: clone alpha -> alpha works, and beta (another
# key, never a member) is refused before anything is sent to it.
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$alpha\"}")
pg_expect_status "same-host clone with key" 201
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$beta\"}")
pg_expect_error "clone to a host outside the mesh" 403 EPERM "$out"

pg_pass
