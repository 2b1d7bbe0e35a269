# Membership poisoning on a keyless mesh (issue 12): a join listing 1,000
# fake members at silent URLs gets none of them listed anywhere; fakes
# that do answer probes (one attacker process on many ports, joined as
# "mallory", gossiping them on every ping) get at most K = 8 listed per
# source per minute; a real host started right after is alive everywhere
# within 10 s.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || pg_fail "no python3 (scripts/bootstrap installs it)"
fast=(--mesh-version t --gossip-interval 0.2)
mesh_start alpha "${fast[@]}"
alpha=$MESH_URL
mesh_start beta "${fast[@]}" --peer "$alpha"
beta=$MESH_URL
mesh_start gamma "${fast[@]}" --peer "$alpha"
gamma=$MESH_URL
hosts=("$alpha" "$beta" "$gamma")
for url in "${hosts[@]}"; do
  for name in alpha beta gamma; do
    pg_wait_for 10 mesh_sees "$url" "$name" true || pg_fail "$url never saw $name"
  done
done

# listed_online URL PREFIX: names starting with PREFIX the host lists online.
listed_online() {
  mesh_hosts "$1" | jq -r --arg p "$2" \
    '.hosts[] | select(.online and (.name | startswith($p))) | .name'
}
rounds() { mesh_hosts "$alpha" | jq '.mesh.rounds'; }
rounds_past() { [ "$(rounds)" -ge "$1" ]; }

# 1. A join that lists 1,000 members at a closed port: the caller (also
# silent) is probed and never answers; the list is never read.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$closed" >"$PG_TMP/join.json" <<'PY'
import json, sys
url = "http://127.0.0.1:%s" % sys.argv[1]
members = [{"name": "ghost-%d" % i, "url": url, "code_version": "t",
            "online": True, "heartbeat": 5, "incarnation": 7, "age_s": 0}
           for i in range(1000)]
print(json.dumps({"name": "ghost-caller", "url": url, "code_version": "t",
                  "heartbeat": 5, "incarnation": 7, "members": members}))
PY
curl -fsS -m 5 -H 'Content-Type: application/json' \
  --data-binary @"$PG_TMP/join.json" "$alpha/hosts/join" >/dev/null ||
  pg_fail "the join listing 1,000 members was refused"
start=$(rounds)
no_ghost_for_25_rounds() {
  local url
  for url in "${hosts[@]}"; do
    [ -z "$(listed_online "$url" ghost-)" ] || pg_fail "$url lists ghosts online: $(listed_online "$url" ghost- | head -3 | xargs)"
  done
  [ "$(rounds)" -ge $((start + 25)) ]
}
pg_wait_for 20 no_ghost_for_25_rounds || pg_fail "alpha did not probe 25 rounds in 20 s"

# 2. Fakes that answer probes: 60 ports of one attacker process.
python3 "$(dirname "$0")/mesh_attacker.py" "$PG_TMP/ports" 60 &
PG_PIDS+=($!)
pg_wait_for 10 test -s "$PG_TMP/ports" || pg_fail "the attacker did not start"
python3 - "$PG_TMP/ports" >"$PG_TMP/mallory.json" <<'PY'
import json, sys
lines = [l.split() for l in open(sys.argv[1])]
mallory = [u for n, u in lines if n == "mallory"][0]
fakes = [{"name": n, "url": u, "code_version": "t", "incarnation": 1}
         for n, u in lines if n != "mallory"]
print(json.dumps({"name": "mallory", "url": mallory, "code_version": "t",
                  "incarnation": 1, "members": fakes}))
PY
curl -fsS -m 5 -H 'Content-Type: application/json' \
  --data-binary @"$PG_TMP/mallory.json" "$alpha/hosts/join" >/dev/null ||
  pg_fail "mallory's join was refused"
pg_wait_for 10 mesh_sees "$alpha" mallory true || pg_fail "alpha never verified mallory"
# Then mallory gossips every fake on every ping it sends alpha.
python3 - "$PG_TMP/ports" "$alpha" <<'PY' || pg_fail "mallory's pings failed"
import json, sys, urllib.request
lines = [l.split() for l in open(sys.argv[1])]
mallory = [u for n, u in lines if n == "mallory"][0]
updates = [["a", n, u, 1] for n, u in lines if n != "mallory"]
for _ in range(20):
    body = json.dumps({"from": ["mallory", mallory, 1], "to": "alpha",
                       "updates": updates}).encode()
    req = urllib.request.Request(sys.argv[2] + "/hosts/ping", body,
                                 {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()
PY
start=$(rounds)
# 50 rounds (10 s) for fakes to be probed, listed and gossiped on.
pg_wait_for 30 rounds_past $((start + 50)) ||
  pg_fail "alpha did not probe 50 rounds in 30 s"
for url in "${hosts[@]}"; do listed_online "$url" fake-; done | sort -u >"$PG_TMP/fakes"
n=$(wc -l <"$PG_TMP/fakes")
pg_log "fakes listed online (all hosts, within a minute): $n"
[ "$n" -le 8 ] || pg_fail "$n fakes listed online from one source, more than K = 8"

# 3. A real host started now is alive everywhere within 10 s.
mesh_start delta "${fast[@]}" --peer "$alpha"
delta=$MESH_URL
for url in "${hosts[@]}" "$delta"; do
  pg_wait_for 10 mesh_sees "$url" delta true || pg_fail "$url does not list delta within 10 s"
done
pg_pass
