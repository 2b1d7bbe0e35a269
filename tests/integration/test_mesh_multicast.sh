# LAN discovery: two hosts without seeds find each other by multicast
# beacons. Runs inside a private network namespace (user namespaces
# allowed), where loopback carries the multicast group, so no datagram can
# reach a real network; skipped where such a namespace cannot be made.
# shellcheck source=mesh_lib.sh
. "$(dirname "$0")/mesh_lib.sh"
mesh_netns "$0" "$@"
. "$(dirname "$0")/lib.sh"

fast=(--mesh-version t --gossip-interval 0.2 --mesh-multicast)
mesh_start alpha "${fast[@]}"
alpha=$MESH_URL
mesh_start beta "${fast[@]}"
beta=$MESH_URL
mesh_start gamma --mesh-version other --gossip-interval 0.2 --mesh-multicast

# Beacons go out every 5 rounds (1 s here).
pg_wait_for 3 mesh_sees "$alpha" beta true || pg_fail "alpha never heard beta"
pg_wait_for 3 mesh_sees "$beta" alpha true || pg_fail "beta never heard alpha"
# Evidence that gamma's beacon reached alpha: alpha refuses it (logged once).
pg_wait_for 5 grep -q "refusing host 'gamma'" "$PG_TMP/alpha.log" ||
  pg_fail "alpha never heard gamma's beacon"
mesh_omits "$alpha" gamma || pg_fail "alpha lists gamma of another version"
pg_expect_match "beacons counted" '^[1-9]' \
  "$(mesh_hosts "$alpha" | jq '.mesh.beacons_received')"

pg_pass
