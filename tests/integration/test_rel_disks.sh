# Full and odd disks given with --path (needs root: mounts, another user):
#  1. a small tmpfs that passes the 2 x size check but is filled before its
#     turn (the host is stopped meanwhile): an error for that volume, no
#     paglets-bench-* left on it, the other volume measured;
#  2. a read-only bind mount: skipped as "read-only volume";
#  3. a directory the host's user cannot write (host run as nobody):
#     skipped as "not writable";
#  4. a symlink to a directory on the tmpfs: measured there (tmpfs), and
#     reported under the path as given.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || pg_skip "needs root (mount, setpriv)"
MOUNTS=()
umount_all() {
  local m
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap 'umount_all; pg_cleanup' EXIT

# A world-traversable area, so the host can also run as nobody.
area=$(mktemp -d /tmp/paglets-disks.XXXXXX)
MOUNTS+=("$area/small" "$area/ro")
trap 'umount_all; rm -rf "$area"; pg_cleanup' EXIT
chmod 755 "$area"
mkdir -p "$area/big" "$area/small" "$area/ro_src" "$area/ro" "$area/locked" "$area/tmp"
chmod 1777 "$area/tmp"
mount -t tmpfs -o size=64m paglets-test "$area/small"
mount --bind "$area/ro_src" "$area/ro"
mount -o remount,bind,ro "$area/ro"

perf() { # OUT ARGS...: a --json run on $host; prints the exit status
  local out=$1 rc=0
  shift
  timeout 120 "$PAGLETS_BIN" examples perf --entry "$host" --json --no-cpu \
    --no-memory --timeout 60 "$@" >"$out" 2>"$out.err" || rc=$?
  echo "$rc"
}
bench_dirs() { find "$1" -maxdepth 1 -name 'paglets-bench-*' | wc -l; }

TMPDIR="$area/tmp" XDG_RUNTIME_DIR="$area/tmp" pg_start_host alpha --mesh-version t --no-mesh
host=$PG_URL
pid=${PG_PID_alpha:?}

# 1. big (on the root filesystem) is measured first, small second. Stop the
# host while it writes to big, fill small, let it go on.
timeout 120 "$PAGLETS_BIN" examples perf --entry "$host" --json --no-cpu \
  --no-memory --timeout 60 --path "$area/big" --path "$area/small" \
  --disk-size 16M >"$PG_TMP/full" 2>"$PG_TMP/full.err" &
run=$!
deadline=$((SECONDS + 30))
until [ "$(bench_dirs "$area/big")" -gt 0 ]; do
  [ $SECONDS -lt $deadline ] || pg_fail "no benchmark directory on big"
done
kill -STOP "$pid"
small_started=$(bench_dirs "$area/small")
dd if=/dev/zero of="$area/small/filler" bs=1M 2>/dev/null || true
kill -CONT "$pid"
rc=0
wait "$run" || rc=$?
[ "$small_started" -eq 0 ] || pg_fail "the host reached small before it was filled"
pg_expect_eq "full volume: exit (stderr: $(cat "$PG_TMP/full.err"))" 1 "$rc"
disk='.results.alpha.result.disk'
pg_expect_eq "big measured" "$area/big" "$(jq -r "$disk.volumes[].path" "$PG_TMP/full")"
pg_expect_match "small's error" "$area/small.*(No space|space)" \
  "$(jq -r "$disk.errors[]" "$PG_TMP/full")"
pg_expect_eq "nothing left on small" 0 "$(bench_dirs "$area/small")"
pg_expect_eq "nothing left on big" 0 "$(bench_dirs "$area/big")"
rm -f "$area/small/filler"

# 2. read-only bind mount.
rc=$(perf "$PG_TMP/ro" --path "$area/ro" --disk-size 1M)
pg_expect_eq "read-only skip" "read-only volume" \
  "$(jq -r "$disk.skipped[] | select(.path == \"$area/ro\") | .reason" "$PG_TMP/ro")"

# 4. a symlink into the tmpfs, measured there, reported as given.
mkdir -p "$area/small/target"
ln -s "$area/small/target" "$area/link"
rc=$(perf "$PG_TMP/link" --path "$area/link" --disk-size 1M)
pg_expect_eq "symlink run (stderr: $(cat "$PG_TMP/link.err"))" 0 "$rc"
pg_expect_eq "reported as given" "$area/link" "$(jq -r "$disk.volumes[0].path" "$PG_TMP/link")"
pg_expect_eq "measured where it points" tmpfs "$(jq -r "$disk.volumes[0].filesystem" "$PG_TMP/link")"
pg_expect_eq "the link is still a link" "$area/small/target" "$(readlink "$area/link")"
pg_expect_eq "nothing left at the target" 0 "$(bench_dirs "$area/small/target")"

# 3. a host running as nobody, given a directory only root may write.
chmod 700 "$area/locked"
cat >"$PG_TMP/as_nobody" <<EOS
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$PAGLETS_BIN" "\$@"
EOS
chmod 755 "$PG_TMP/as_nobody"
# Its lock lives in a runtime directory of its own, as nobody's.
mkdir -p "$area/run-nobody" && chown nobody "$area/run-nobody"
PAGLETS_BIN="$PG_TMP/as_nobody" TMPDIR="$area/tmp" XDG_RUNTIME_DIR="$area/run-nobody" \
  pg_start_host nobody --mesh-version t --no-mesh
host=$PG_URL
pg_expect_eq "host runs as nobody" nobody "$(ps -o user= -p "${PG_PID_nobody:?}")"
rc=$(perf "$PG_TMP/perm" --path "$area/locked" --disk-size 1M)
pg_expect_eq "no-permission skip" "not writable" \
  "$(jq -r '.results.nobody.result.disk.skipped[0].reason' "$PG_TMP/perm")"
pg_pass
