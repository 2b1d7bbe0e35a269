# Multicast beacons are unauthenticated, so a host with an API key must not
# discover peers by them unless told to (--mesh-multicast): otherwise anyone
# on the link could announce a host and receive gossip carrying the key.
# Without a key, beacons are on by default only for a host that listens
# off loopback: --bind-public 127.0.0.4 is still loopback.
. "$(dirname "$0")/lib.sh"

export PAGLETS_API_KEY=beacon-test-key
pg_start_host keyed --mesh-version t --bind-public 127.0.0.2
pg_start_host open --mesh-version t --bind-public 127.0.0.3 --mesh-multicast
PAGLETS_API_KEY='' pg_start_host loop --mesh-version t --bind-public 127.0.0.4
grep -q "multicast beacons on" "$PG_TMP/keyed.log" &&
  pg_fail "a host with an API key listens to beacons by default"
grep -q "multicast beacons on\|multicast" "$PG_TMP/open.log" ||
  pg_fail "--mesh-multicast did not turn beacons on: $(cat "$PG_TMP/open.log")"
grep -q "multicast" "$PG_TMP/loop.log" &&
  pg_fail "a host bound to loopback addresses only sends beacons: $(cat "$PG_TMP/loop.log")"
pg_pass
