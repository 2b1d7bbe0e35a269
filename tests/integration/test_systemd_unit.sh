# contrib/systemd/paglets-host@.service: install it into a temporary prefix,
# check it with `systemd-analyze verify` (with the installed man pages on
# MANPATH, so its Documentation= links are checked too), and run its
# ExecStart line the way systemd would: the host comes up from a --config
# file and stops cleanly, status 0, on SIGTERM. systemd itself is not run.
. "$(dirname "$0")/lib.sh"

build=$(dirname "$PAGLETS_BIN")
prefix="$PG_TMP/prefix"
cmake --install "$build" --prefix "$prefix" >"$PG_TMP/install.log" 2>&1 ||
  pg_fail "cmake --install failed: $(tail -n 3 "$PG_TMP/install.log")"
unit="$prefix/lib/systemd/system/paglets-host@.service"
[ -f "$unit" ] || pg_fail "the unit was not installed at $unit"

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
pg_expect_eq "ExecStart runs the installed binary" \
  "$prefix/bin/paglets host --name %i --config /etc/paglets/%i.conf" "$exec_start"
grep -qx 'PrivateTmp=no' "$unit" || pg_fail "the disk benchmark measures the real /tmp"
# The benchmark lock: /run/paglets, private, shared by every instance.
for line in RuntimeDirectory=paglets RuntimeDirectoryMode=0700 RuntimeDirectoryPreserve=yes; do
  grep -qx "$line" "$unit" || pg_fail "the unit lacks $line"
done
grep -q '^DynamicUser=yes' "$unit" && pg_fail "DynamicUser= implies PrivateTmp=yes"

# systemd-analyze comes with Debian's systemd package (scripts/bootstrap).
command -v systemd-analyze >/dev/null 2>&1 ||
  pg_fail "no systemd-analyze: run scripts/bootstrap"
# An instance name makes verify check the unit as `systemctl start` would.
cp "$unit" "$PG_TMP/paglets-host@alpha.service"
if ! MANPATH="$prefix/share/man" systemd-analyze verify \
    "$PG_TMP/paglets-host@alpha.service" >"$PG_TMP/verify.log" 2>&1; then
  pg_fail "systemd-analyze verify: $(cat "$PG_TMP/verify.log")"
fi
# The hardening, scored offline (0 = locked down, 10 = none; systemd 252,
# Debian 12, has --offline); the exit status of --threshold is unreliable
# there, so compare here.
if systemd-analyze security --offline=yes --no-pager \
    "$PG_TMP/paglets-host@alpha.service" >"$PG_TMP/security.log" 2>&1; then :; fi
score=$(sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$PG_TMP/security.log")
[ -n "$score" ] ||
  pg_fail "systemd-analyze security gave no score: $(tail -n 3 "$PG_TMP/security.log")"
pg_log "systemd-analyze security exposure: $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' ||
  pg_fail "hardening regressed: exposure $score > 2.5"

# Every key of the shipped example config is an option of `paglets host`
# (it is not run: it names addresses beyond loopback).
src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
help=$("$PAGLETS_BIN" host --help)
while read -r key; do
  grep -qE -- "--(\[no-\])?$key( |$)" <<<"$help" ||
    pg_fail "example.conf sets '$key', which 'paglets host' does not accept"
done < <(sed -n 's/^\([a-z][a-z0-9-]*\) *=.*/\1/p' "$src/contrib/systemd/example.conf")

# The unit's command line with %i = alpha, a config as an operator writes
# it (port 0 for the test) and the key from the environment file.
cat >"$PG_TMP/alpha.conf" <<CONF
# written by $PG_TEST
port = 0
mesh-version = $PG_TEST
CONF
cmd=${exec_start//%i/alpha}
cmd=${cmd//\/etc\/paglets\//$PG_TMP/}
read -r -a argv <<<"$cmd"
PAGLETS_API_KEY=unit-test-key "${argv[@]}" 2>"$PG_TMP/alpha.log" &
pid=$!
PG_PIDS+=("$pid")
pg_guard "$pid"
pg_wait_for 10 grep -q "host 'alpha' listening on" "$PG_TMP/alpha.log" ||
  pg_fail "the host of the unit's ExecStart did not come up"
url=$(sed -n "s/.*host 'alpha' listening on \(http[^ ]*\).*/\1/p" "$PG_TMP/alpha.log" | head -n 1)
PAGLETS_API_KEY=unit-test-key pg_wait_health "$url" || pg_fail "no /health at $url"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$url/health")
pg_expect_eq "the key from the environment file is enforced" 401 "$code"

kill -TERM "$pid"
set +e
deadline=$(( $(date +%s) + 20 ))  # TimeoutStopSec=20
while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
wait "$pid"
rc=$?
set -e
pg_expect_eq "exit status after SIGTERM" 0 "$rc"
pg_pass
