# Mesh versions: a host of another mesh version that joins through a member
# is never listed online by the mesh, and the refusal is logged once.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
. "$(dirname "$0")/lib.sh"

fast=(--gossip-interval 0.2)
mesh_start alpha --mesh-version t "${fast[@]}"
alpha=$MESH_URL
mesh_start beta --mesh-version t --peer "$alpha" "${fast[@]}"
beta=$MESH_URL
mesh_start gamma --mesh-version other --peer "$alpha" --peer "$beta" "${fast[@]}"
gamma=$MESH_URL

pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never saw alpha"
# Fifteen gossip rounds of alpha and of beta, counted by the hosts
# themselves: plenty of chances for gossip to leak gamma in.
rounds() { mesh_hosts "$1" | jq '.mesh.rounds'; }
alpha0=$(rounds "$alpha")
beta0=$(rounds "$beta")
gamma_kept_out_15_rounds() {
  local url
  for url in "$alpha" "$beta"; do
    mesh_omits "$url" gamma online || pg_fail "$url lists gamma online"
  done
  mesh_omits "$gamma" alpha online || pg_fail "gamma lists alpha online"
  [ "$(rounds "$alpha")" -ge $((alpha0 + 15)) ] && [ "$(rounds "$beta")" -ge $((beta0 + 15)) ]
}
pg_wait_for 20 gamma_kept_out_15_rounds || pg_fail "alpha and beta did not gossip 15 rounds in 20 s"
pg_expect_eq "alpha logs the refusal of gamma once" 1 \
  "$(grep -c "refusing host 'gamma'" "$PG_TMP/alpha.log")"
pg_expect_match "gamma logs why it refuses alpha" "mesh version 't' is not ours" \
  "$(cat "$PG_TMP/gamma.log")"

pg_pass
