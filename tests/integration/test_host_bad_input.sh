# Hostile requests: malformed JSON, 10,000-deep nesting, bodies over the cap
# (declared and chunked), wrong field types and the agent cap. Each gets a
# 4xx/503 JSON error and the host keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

pg_start_host alpha --mesh-version t --test-agents --max-body 64K --max-agents 3
alpha=$PG_URL

out=$(pg_req POST "$alpha/agents" '{"agent_class_name": ')
pg_expect_error "truncated JSON" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" $'\xff\xfe{}')
pg_expect_error "not UTF-8" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '[1,2,3]')
pg_expect_error "array body" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents")
pg_expect_error "empty body" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"agent_class_name":42}')
pg_expect_error "type name not a string" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"agent_class_name":"EchoAgent","agent_class_name":"X"}')
pg_expect_error "duplicate keys" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"kind":"clone","agent_class_name":"EchoAgent"}')
pg_expect_error "envelope without state" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"kind":"teleport","agent_class_name":"EchoAgent","state":{}}')
pg_expect_error "unknown envelope kind" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"kind":"clone","agent_class_name":"EchoAgent","state":{},"agent_id":"../../x"}')
pg_expect_status "envelope with a hostile id is renamed" 201
[[ $(jq -r .agent_id <<<"$out") =~ ^[0-9a-f]{32}$ ]] || pg_fail "hostile id kept: $out"
pg_req POST "$alpha/agents/$(jq -r .agent_id <<<"$out")/dispose" >/dev/null

a=$(pg_create "$alpha")
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":"increment"}')
pg_expect_error "message not an object" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":7}}')
pg_expect_error "kind not a string" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"increment","args":{"by":"x"}}}')
pg_expect_error "handler rejects args" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"echo"},"oneway":"yes"}')
pg_expect_error "oneway not a boolean" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents/$a/clone" '{"target":17}')
pg_expect_error "clone target not a string" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents/$a/clone" '{"target":"ftp://x"}')
pg_expect_status "clone to a non-http URL" 404
out=$(pg_req DELETE "$alpha/agents/$a")
pg_expect_error "method not allowed on a known path" 405 ENOSYS "$out"
allow=$(curl -sS -m 10 -o /dev/null -D - -X PUT "$alpha/agents" | tr -d '\r' |
  sed -n 's/^[Aa]llow: //p')
pg_expect_eq "405 names the allowed methods" "GET, POST" "$allow"
out=$(pg_req DELETE "$alpha/nowhere")
pg_expect_error "unknown method on an unknown path" 404 ENOENT "$out"
out=$(pg_req GET "$alpha/agents/$(printf 'x%.0s' $(seq 100))")
pg_expect_error "overlong id" 404 ENOENT "$out"

deep=$(printf '[%.0s' $(seq 10000))$(printf ']%.0s' $(seq 10000))
out=$(pg_req POST "$alpha/agents" "$deep")
pg_expect_error "10,000-deep arrays" 400 EINVAL "$out"
deep=$(printf '{"a":%.0s' $(seq 10000))1$(printf '}%.0s' $(seq 10000))
out=$(pg_req POST "$alpha/agents/$a/messages" "{\"message\":{\"kind\":\"echo\",\"args\":$deep}}")
pg_expect_error "10,000-deep objects" 400 EINVAL "$out"

head -c 70000 /dev/zero | tr '\0' ' ' >"$PG_TMP/big"
curl -sS -m 10 -o "$PG_TMP/out" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' \
  --data-binary @"$PG_TMP/big" "$alpha/agents" >"$PG_TMP/status"
pg_expect_error "declared oversize body" 413 EMSGSIZE "$(cat "$PG_TMP/out")"
curl -sS -m 10 -o "$PG_TMP/out" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' \
  -H 'Transfer-Encoding: chunked' --data-binary @"$PG_TMP/big" \
  "$alpha/agents" >"$PG_TMP/status"
pg_expect_error "chunked oversize body" 413 EMSGSIZE "$(cat "$PG_TMP/out")"

# The agent cap: a fourth agent is refused with 503, until one goes.
b=$(pg_create "$alpha")
c=$(pg_create "$alpha")
out=$(pg_req POST "$alpha/agents" '{"agent_class_name":"EchoAgent"}')
pg_expect_error "agent cap" 503 EBUSY "$out"
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$alpha\"}")
pg_expect_error "clone over the cap" 503 EBUSY "$out"
pg_req POST "$alpha/agents/$c/dispose" >/dev/null
pg_create "$alpha" >/dev/null

# After all that the host still works.
pg_expect_eq "host still serves" 3 "$(pg_call "$alpha" "$b" increment '{"by":3}' | jq .counter)"
pg_req GET "$alpha/health" >/dev/null
pg_expect_status "health after abuse" 200

pg_pass
