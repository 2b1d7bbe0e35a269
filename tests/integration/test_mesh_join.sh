# Mesh membership: a host that joins through a seed and the seed list each
# other online within 3 s, in GET /hosts and with well-formed HostRefs; a
# host that stops is listed offline at once.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

mesh_start alpha --mesh-version t
alpha=$MESH_URL
mesh_start beta --mesh-version t --peer "$alpha"
beta=$MESH_URL
beta_pid=$MESH_PID

pg_wait_for 3 mesh_sees "$alpha" beta true ||
  pg_fail "alpha does not list beta online within 3 s"
pg_wait_for 3 mesh_sees "$beta" alpha true ||
  pg_fail "beta does not list alpha online within 3 s"

hosts=$(mesh_hosts "$alpha")
pg_expect_eq "alpha lists itself and beta" "alpha beta" \
  "$(jq -r '[.hosts[].name] | sort | join(" ")' <<<"$hosts")"
pg_expect_eq "beta's entry names its URL" "$beta" \
  "$(jq -r '.hosts[] | select(.name == "beta") | .url' <<<"$hosts")"
pg_expect_eq "HostRef fields" "true" "$(jq '.hosts[] | select(.name == "beta")
  | (.code_version == "t") and (.last_seen | type == "number")
    and (.active_count | type == "number") and (.inactive_count | type == "number")
    and (.tags | type == "array") and (.properties | type == "object")' <<<"$hosts")"

# A reference-style join (HostRef only, no gossip fields) is answered too.
ref='{"name":"zeta","url":"http://127.0.0.1:9","code_version":"t","online":true}'
out=$(curl -fsS -m 2 -H 'Content-Type: application/json' -d "$ref" "$alpha/hosts/join")
pg_expect_eq "join reply lists alpha" "true" \
  "$(jq '[.hosts[].name] | index("alpha") != null' <<<"$out")"

# A host that stops cleanly says goodbye: offline at once, not after the
# 10 s window.
kill -TERM "$beta_pid"
wait "$beta_pid" || pg_fail "beta did not exit cleanly on SIGTERM"
pg_wait_for 2 mesh_sees "$alpha" beta false ||
  pg_fail "alpha still lists beta online 2 s after it stopped"

pg_pass
