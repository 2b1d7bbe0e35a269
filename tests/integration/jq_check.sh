# shellcheck shell=bash
# pg_jq_check [JQ OPTIONS...] FILTER: `jq -e` on stdin, output included,
# except that no input at all fails (status 4, jq's own "no result"
# status). Debian 12's jq 1.6 exits 0 for `jq -e` on empty input, so
# `curl ... | jq -e FILTER` would pass with the host dead. Status 1: there
# was input and the filter gave false or null.
# Sourced by lib.sh and by bench/ scripts.
pg_jq_check() {
  local input
  input=$(cat)
  if [ -z "${input//[[:space:]]/}" ]; then
    echo "pg_jq_check: no input for jq $*" >&2
    return 4
  fi
  jq -e "$@" <<<"$input"
}
