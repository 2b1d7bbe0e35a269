#!/usr/bin/env bash
# Run one cmocka test binary for CTest: cmocka_run.sh BINARY [ARGS...].
# cmocka exits 0 when a case calls skip(), so the binary alone would read
# as passed: after an otherwise clean run with a "[  SKIPPED ]" line this
# exits 77, which CTest counts as skipped (SKIP_RETURN_CODE). A failure
# keeps the binary's own status.
set -uo pipefail
out=$(mktemp "${TMPDIR:-/tmp}/paglets-cmocka.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && grep -q '^\[  SKIPPED \]' "$out"; then
  exit 77
fi
exit "$rc"
