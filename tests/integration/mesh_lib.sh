# shellcheck shell=bash
# Mesh helpers for integration tests. Source before lib.sh: mesh_netns
# must run before lib.sh makes its temp dir and traps.

# mesh_netns SCRIPT ARGS...: re-run SCRIPT in a private user and network
# namespace with only loopback, up and carrying multicast, so tests can
# own port 8765 and the beacon group without touching any real network.
# Where such a namespace cannot be made, exits 77 (skipped, as pg_skip
# does; lib.sh is not sourced yet).
mesh_netns() {
  if [ -n "${PG_NETNS:-}" ]; then
    ip link set lo up && ip link set lo multicast on &&
      ip route add 239.0.0.0/8 dev lo && return 0
    echo "FAIL $(basename "$1" .sh): cannot set up loopback in the namespace" >&2
    exit 1
  fi
  if ! unshare -rn true 2>/dev/null; then
    echo "SKIP $(basename "$1" .sh): cannot create a network namespace"
    exit 77
  fi
  PG_NETNS=1 exec unshare -rn bash "$@"
}

# mesh_hosts URL: the GET /hosts reply (signed with $PAGLETS_API_KEY).
mesh_hosts() {
  pg_get "$1/hosts"
}

# Every check below is true only on an answer from the host at URL: one
# that does not answer lists nothing and omits nothing (pg_jq_check).

# mesh_sees URL NAME ONLINE: does the host at URL list NAME with online ==
# ONLINE (true or false)? Unknown hosts match neither.
mesh_sees() {
  mesh_hosts "$1" 2>/dev/null |
    pg_jq_check --arg n "$2" --argjson o "$3" \
      'any(.hosts[]; .name == $n and .online == $o)' >/dev/null
}

# mesh_lists URL NAME: does the host at URL list NAME at all?
mesh_lists() {
  mesh_hosts "$1" 2>/dev/null |
    pg_jq_check --arg n "$2" 'any(.hosts[]; .name == $n)' >/dev/null
}

# mesh_omits URL NAME [online]: does the host at URL answer without
# listing NAME (with "online": without listing it online)?
mesh_omits() {
  mesh_hosts "$1" 2>/dev/null |
    pg_jq_check --arg n "$2" --arg how "${3:-}" \
      'all(.hosts[]; .name != $n or ($how == "online" and (.online | not)))' >/dev/null
}

# mesh_start NAME [HOST OPTIONS...]: pg_start_host, with its URL in
# MESH_URL and its pid in MESH_PID.
# shellcheck disable=SC2034 # both are read by the tests
mesh_start() {
  pg_start_host "$@"
  MESH_URL=$PG_URL
  MESH_PID=${PG_PIDS[-1]}
}

# mesh_kill PID: SIGKILL a host started by mesh_start and reap it quietly.
mesh_kill() {
  kill -KILL "$1"
  wait "$1" 2>/dev/null || true
}
