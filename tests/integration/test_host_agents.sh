# Agents across two real hosts: create, message (sync and one-way), clone by
# URL from a client and from inside an agent, calls between agents (also to
# the agent's own host), dispose, and the 400/404/422 answers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

pg_start_host alpha --mesh-version t --test-agents
alpha=$PG_URL
pg_start_host beta --mesh-version t --test-agents --peer "$alpha"
beta=$PG_URL

health=$(pg_req GET "$alpha/health")
pg_expect_eq "health name" alpha "$(jq -r .name <<<"$health")"
pg_expect_eq "health address" "$alpha" "$(jq -r .address <<<"$health")"
pg_expect_eq "health code_version" t "$(jq -r .code_version <<<"$health")"
pg_expect_eq "health api_version" 1 "$(jq -r .api_version <<<"$health")"
pg_expect_eq "health capabilities" EchoAgent "$(jq -r '.capabilities[0]' <<<"$health")"

a=$(pg_create "$alpha" '{"counter":5,"data":"payload"}')
pg_expect_eq "run hook ran once" '{"reached":true}' \
  "$(pg_call "$alpha" "$a" wait '{"counter":5,"timeout":2}')"
# runs_are URL ID N: the agent's run hook has run N times.
runs_are() {
  curl -s -m 2 "$1/agents/$2" | pg_jq_check --argjson n "$3" '.state.runs == $n' >/dev/null
}
pg_wait_for 3 runs_are "$alpha" "$a" 1 ||
  pg_fail "run hook of $a did not run"
pg_expect_eq "increment" '{"counter":7,"runs":1}' \
  "$(pg_call "$alpha" "$a" increment '{"by":2}')"
pg_expect_eq "echo" '{"x":[1,2,{"y":null}]}' \
  "$(pg_call "$alpha" "$a" echo '{"x":[1,2,{"y":null}]}')"

# One-way: accepted at once, applied soon after.
out=$(pg_req POST "$alpha/agents/$a/messages" \
  '{"message":{"kind":"increment","args":{"by":3}},"oneway":true}')
pg_expect_status "one-way message" 200
pg_expect_eq "one-way reply" '{"result":{}}' "$(jq -c . <<<"$out")"
pg_expect_eq "one-way applied" '{"reached":true}' \
  "$(pg_call "$alpha" "$a" wait '{"counter":10,"timeout":5}')"

# Clone to beta by URL: state travels, the run hook runs there.
out=$(pg_req POST "$alpha/agents/$a/clone" "{\"target\":\"$beta\"}")
pg_expect_status "clone to beta" 201
pg_expect_eq "clone lives on beta" "$beta" "$(jq -r .host_url <<<"$out")"
b=$(jq -r .agent_id <<<"$out")
[ "$b" != "$a" ] || pg_fail "clone kept the original id"
pg_wait_for 3 runs_are "$beta" "$b" 2 ||
  pg_fail "run hook of clone $b did not run on beta"
state=$(pg_req GET "$beta/agents/$b")
pg_expect_eq "clone state" '{"counter":10,"data":"payload"}' \
  "$(jq -c '.state | {counter, data}' <<<"$state")"
pg_call "$beta" "$b" increment >/dev/null
pg_expect_eq "original unchanged by clone's message" 10 \
  "$(pg_call "$alpha" "$a" counter | jq .counter)"

# An agent clones itself (agent API) back to alpha, and to its own host.
c=$(pg_call "$beta" "$b" clone "{\"target\":\"$alpha\"}" | jq -r .clone.agent_id)
pg_expect_eq "agent-made clone state" 11 "$(pg_call "$alpha" "$c" counter | jq .counter)"
d=$(pg_call "$beta" "$b" clone "{\"target\":\"$beta\"}" | jq -r .clone.agent_id)
pg_expect_eq "same-host clone" 11 "$(pg_call "$beta" "$d" counter | jq .counter)"
# By name, once the mesh has introduced the hosts to each other.
sees_beta() {
  curl -s -m 2 "$alpha/hosts" | pg_jq_check 'any(.hosts[]; .name == "beta" and .online)' >/dev/null
}
pg_wait_for 5 sees_beta ||
  pg_fail "alpha never saw beta online"
out=$(pg_req POST "$alpha/agents/$c/clone" '{"target":"beta"}')
pg_expect_status "clone by host name" 201
pg_expect_eq "clone by name lands on beta" "$beta" "$(jq -r .host_url <<<"$out")"
pg_req POST "$beta/agents/$(jq -r .agent_id <<<"$out")/dispose" >/dev/null
out=$(pg_req POST "$beta/agents/$b/clone" '{"target":"nowhere"}')
pg_expect_error "clone to unknown host name" 404 ENOENT "$out"

# Agents call agents: across hosts, and on their own host (self-call).
pg_expect_eq "cross-host call" '{"counter":11,"runs":2}' \
  "$(pg_call "$alpha" "$c" call "{\"host_url\":\"$beta\",\"agent_id\":\"$b\",\"op\":\"counter\"}")"
pg_expect_eq "self call" '{"v":1}' \
  "$(pg_call "$alpha" "$c" call "{\"host_url\":\"$alpha\",\"agent_id\":\"$c\",\"op\":\"echo\",\"args\":{\"v\":1}}")"

# The client API from inside an agent: one-way sends, call timeouts, and
# health/hosts/list/get of another host.
pg_call "$alpha" "$c" call "{\"host_url\":\"$beta\",\"agent_id\":\"$b\",\"op\":\"increment\",\"oneway\":true}" >/dev/null
pg_expect_eq "one-way send from an agent" '{"reached":true}' \
  "$(pg_call "$beta" "$b" wait '{"counter":12,"timeout":5}')"
out=$(pg_req POST "$alpha/agents/$c/messages" "{\"message\":{\"kind\":\"call\",\"args\":{\"host_url\":\"$beta\",\"agent_id\":\"$b\",\"op\":\"sleep\",\"args\":{\"seconds\":3},\"timeout\":0.3}}}")
pg_expect_error "call past its timeout" 504 ETIMEDOUT "$out"
seen=$(pg_call "$alpha" "$c" inspect "{\"host_url\":\"$beta\",\"agent_id\":\"$b\"}")
pg_expect_eq "inspect: health" beta "$(jq -r .health.name <<<"$seen")"
pg_expect_eq "inspect: agent" "$b" "$(jq -r .agent.agent_id <<<"$seen")"
pg_expect_eq "inspect: agent state" 12 "$(jq -r .agent.state.counter <<<"$seen")"
pg_jq_check --arg b "$b" '.agents.agents | map(.agent_id) | index($b) != null' <<<"$seen" >/dev/null ||
  pg_fail "inspect: list lacks $b: $seen"
pg_jq_check '.hosts.hosts | map(.name) | index("alpha") != null' <<<"$seen" >/dev/null ||
  pg_fail "inspect: beta's mesh lacks alpha: $seen"

# A waiter blocked on one agent does not hold up the host.
pg_req POST "$alpha/agents/$a/messages" \
  '{"message":{"kind":"wait","args":{"counter":1000,"timeout":3}}}' >"$PG_TMP/waiter" &
waiter=$!
pg_call "$alpha" "$a" increment >/dev/null
wait "$waiter"

# Errors: 404, 422, 400, each as JSON.
out=$(pg_req POST "$alpha/agents/nosuchagent/messages" '{"message":{"kind":"echo"}}')
pg_expect_error "message to unknown agent" 404 ENOENT "$out"
out=$(pg_req POST "$alpha/agents/$a/messages" '{"message":{"kind":"frobnicate"}}')
pg_expect_error "unknown operation" 422 EOPNOTSUPP "$out"
out=$(pg_req POST "$alpha/agents" '{"agent_class_name":"NoSuchAgent","state":{}}')
pg_expect_error "unregistered type" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"kind":"clone","agent_class_name":"NoSuchAgent","state":{}}')
pg_expect_error "clone of unregistered type" 400 EINVAL "$out"
out=$(pg_req POST "$alpha/agents" '{"agent_class_name":"EchoAgent","state":{"counter":"x"}}')
pg_expect_error "state of the wrong shape" 400 EINVAL "$out"
out=$(pg_req GET "$alpha/nowhere")
pg_expect_error "unknown path" 404 ENOENT "$out"

# Dispose: gone at once, second dispose is 404; disposing from an operation.
pg_req POST "$alpha/agents/$a/dispose" >/dev/null
pg_expect_status "dispose" 200
out=$(pg_req GET "$alpha/agents/$a")
pg_expect_error "disposed agent" 404 ENOENT "$out"
out=$(pg_req POST "$alpha/agents/$a/dispose")
pg_expect_error "second dispose" 404 ENOENT "$out"
pg_call "$beta" "$b" dispose >/dev/null
pg_req GET "$beta/agents/$b" >/dev/null
pg_expect_status "self-disposed agent" 404
pg_expect_eq "beta keeps one agent" 1 "$(pg_req GET "$beta/agents" | jq '.agents | length')"
pg_expect_eq "beta health count" 1 "$(pg_req GET "$beta/health" | jq .active_count)"

pg_pass
