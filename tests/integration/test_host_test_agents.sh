# No SSRF gadget (issue 11, item 7): EchoAgent, whose operations contact
# any URL a caller names, exists only on hosts started with --test-agents;
# on a host with a key, its calls reach mesh members only and nothing is
# sent elsewhere; URLs with more than scheme://host:port are refused, and
# so is a join whose URL has a path, query, fragment or user name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"

# A listener that counts the connections it accepts: the "outside" host.
pg_start_python outside "$PG_TMP/outside.count" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
announce(s.getsockname()[1])
n = 0
while True:
    c, _ = s.accept()
    n += 1
    open(sys.argv[1], "w").write(str(n))
    c.close()
PY
outside=$PG_PY_URL

# Without --test-agents there is no EchoAgent.
pg_start_host plain --mesh-version t --no-mesh
plain=$PG_URL
caps=$(pg_req GET "$plain/health" | jq -c .capabilities)
pg_expect_eq "production capabilities" '["PerformanceBenchmarkAgent"]' "$caps"
out=$(pg_req POST "$plain/agents" '{"agent_class_name":"EchoAgent"}')
pg_expect_error "EchoAgent without --test-agents" 400 EINVAL "$out"

# With a key, EchoAgent reaches the mesh only: its own host works, the
# outside listener is never contacted.
export PAGLETS_API_KEY=test-agents-key PG_KEY=test-agents-key
pg_start_host keyed --mesh-version t --test-agents --no-mesh
keyed=$PG_URL
a=$(pg_create "$keyed")
out=$(pg_call "$keyed" "$a" inspect "{\"host_url\":\"$keyed\"}")
pg_expect_eq "inspect a member" keyed "$(jq -r .health.name <<<"$out")"
for op in inspect call; do
  out=$(pg_req POST "$keyed/agents/$a/messages" \
    "{\"message\":{\"kind\":\"$op\",\"args\":{\"host_url\":\"$outside\",\"agent_id\":\"x\",\"op\":\"echo\"}}}")
  pg_expect_error "$op outside the mesh" 403 EPERM "$out"
done
out=$(pg_req POST "$keyed/agents/$a/messages" \
  "{\"message\":{\"kind\":\"clone\",\"args\":{\"target\":\"$outside\"}}}")
pg_expect_error "clone outside the mesh" 403 EPERM "$out"
pg_expect_eq "connections the outside listener saw" 0 "$(cat "$PG_TMP/outside.count" 2>/dev/null || echo 0)"

# Host URLs only: no path, query, fragment or user name, keyed or not.
for url in "$keyed/steal?x=" "$keyed#f" "http://u@${keyed#http://}" "$keyed/x"; do
  out=$(pg_req POST "$keyed/agents/$a/messages" \
    "{\"message\":{\"kind\":\"inspect\",\"args\":{\"host_url\":\"$url\"}}}")
  pg_expect_error "inspect $url" 400 EINVAL "$out"
done
unset PAGLETS_API_KEY PG_KEY

# A join URL is a host URL too.
pg_start_host meshed --mesh-version t
meshed=$PG_URL
for url in "http://127.0.0.1:9/steal?x=" "http://127.0.0.1:9/path" \
  "http://127.0.0.1:9#frag" "http://user@127.0.0.1:9"; do
  out=$(pg_req POST "$meshed/hosts/join" "{\"name\":\"x\",\"url\":\"$url\",\"code_version\":\"t\"}")
  pg_expect_error "join with $url" 400 EINVAL "$out"
done
pg_expect_eq "nothing joined" 1 "$(pg_req GET "$meshed/hosts" | jq '.hosts | length')"
pg_pass
