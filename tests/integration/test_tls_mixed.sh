# A mesh of an http host and an https host under one API key: they gossip,
# clone agents both ways and list each other with their own schemes;
# signatures protect the key on the plain http leg too. A TLS connection
# that never completes its handshake is closed like any idle connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/host_lib.sh"
. "$(dirname "$0")/tls_lib.sh"

tls_make_ca
tls_make_cert beta
export PAGLETS_API_KEY=mixed-key PG_KEY=mixed-key
export PAGLETS_TLS_CA=$PG_TMP/tls/ca.crt
pg_start_host alpha --mesh-version t --test-agents --gossip-interval 0.2
alpha=$PG_URL
# shellcheck disable=SC2046 # tls_opts gives several words on purpose
pg_start_host beta --mesh-version t --test-agents --gossip-interval 0.2 --peer "$alpha" \
  --request-timeout 1 $(tls_opts beta)
beta=$PG_URL
pg_expect_match "beta serves https" '^https://' "$beta"

pg_wait_for 10 bash -c "$(declare -f pg_get pg_sig); PG_SIG='$PG_SIG' PG_PYTHON='$PG_PYTHON' \
  pg_get '$alpha/hosts' | jq -e 'any(.hosts[]; .name == \"beta\" and .online)'" >/dev/null ||
  pg_fail "alpha never saw beta online"
out=$("$PAGLETS_BIN" hosts --entry "$alpha" --json)
pg_expect_eq "alpha lists both schemes" "$alpha $beta" \
  "$(jq -r '[.hosts[] | .url] | sort | join(" ")' <<<"$out")"
out=$("$PAGLETS_BIN" hosts --entry "$beta" --json)
pg_expect_eq "beta lists both schemes" "$alpha $beta" \
  "$(jq -r '[.hosts[] | .url] | sort | join(" ")' <<<"$out")"

# Clones cross from http to https and back, by name and by URL.
a=$(pg_create "$alpha")
out=$(pg_req POST "$alpha/agents/$a/clone" '{"target":"beta"}')
pg_expect_status "clone http -> https" 201
pg_expect_eq "the clone lives on beta" "$beta" "$(jq -r .host_url <<<"$out")"
b=$(jq -r .agent_id <<<"$out")
out=$(pg_req POST "$beta/agents/$b/clone" "{\"target\":\"$alpha\"}")
pg_expect_status "clone https -> http" 201
pg_expect_eq "the clone of the clone lives on alpha" "$alpha" "$(jq -r .host_url <<<"$out")"
out=$(pg_call "$beta" "$b" call "{\"host_url\":\"$alpha\",\"agent_id\":\"$a\",\"op\":\"increment\"}")
pg_expect_eq "an agent on beta calls one on alpha" 1 "$(jq .counter <<<"$out")"

# A TLS handshake that never completes: a peer that connects and sends
# nothing, or half a ClientHello, is disconnected by the idle timeout
# (--request-timeout 1 here); the wait below only bounds the test.
port=${beta##*:}
for send in "" "16030100"; do
  "$PG_PYTHON" - "$port" "$send" <<'EOF' || pg_fail "a stalled handshake (sent '$send') was never closed"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
if sys.argv[2]:
    s.sendall(bytes.fromhex(sys.argv[2]))
s.settimeout(30)
try:
    while s.recv(4096):  # a TLS alert may come first
        pass
except ConnectionResetError:
    pass
EOF
done
pg_get "$beta/health" >/dev/null || pg_fail "beta stopped serving"

pg_pass
