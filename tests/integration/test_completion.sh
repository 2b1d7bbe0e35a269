# The bash completion: source contrib/bash-completion/paglets and ask it to
# complete a few command lines against the built binary's own --help.
. "$(dirname "$0")/lib.sh"

src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=../../contrib/bash-completion/paglets
. "$src/contrib/bash-completion/paglets"

# complete_line WORD...: complete the last word (may be empty) of
# `$PAGLETS_BIN WORD...`; prints the candidates, sorted, one a line.
complete_line() {
  COMP_WORDS=("$PAGLETS_BIN" "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _paglets
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

pg_expect_eq "the completion is registered" "complete -F _paglets paglets" \
  "$(complete -p paglets)"

out=$(complete_line --ver)
pg_expect_eq "root option prefix" "--version" "$out"
out=$(complete_line -)
pg_expect_match "root options include --help" $'(^|\n)--help($|\n)' "$out"

# Subcommands come from the root --help.
cmds=$("$PAGLETS_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p')
out=$(complete_line "")
pg_expect_eq "every subcommand is offered" "$(sort <<<"$cmds")" "$out"
for cmd in host hosts examples results; do
  grep -qx "$cmd" <<<"$cmds" || pg_fail "'paglets --help' lists no '$cmd' command"
done

out=$(complete_line host --na)
pg_expect_eq "host option prefix" "--name" "$out"
out=$(complete_line host --name alpha --me)
pg_expect_match "host --mesh options" $'--mesh-version' "$out"
pg_expect_match "negatable options offer --no-" $'--no-mesh' "$(complete_line host --no-)"
out=$(complete_line host --log-level d)
pg_expect_eq "--log-level values" "debug" "$out"
touch "$PG_TMP/alpha.conf"
out=$(complete_line host --config "$PG_TMP/alp")
pg_expect_eq "--config completes file names" "$PG_TMP/alpha.conf" "$out"

out=$(complete_line examples "")
pg_expect_match "examples offers perf" '(^|'$'\n'')perf($|'$'\n'')' "$out"
out=$(complete_line examples perf --dis)
pg_expect_eq "perf --dis" "--disk-size" "$out"
mkdir "$PG_TMP/data" "$PG_TMP/database"
out=$(complete_line examples perf --json --path "$PG_TMP/da")
pg_expect_eq "--path completes names" "$PG_TMP/data"$'\n'"$PG_TMP/database" "$out"
out=$(complete_line examples perf --duration 1 --no-)
pg_expect_match "perf --no- options" '--no-disk' "$out"
out=$(complete_line examples perf --compare l)
pg_expect_eq "--compare values" "last" "$out"

out=$(complete_line results "")
pg_expect_eq "results subcommands" "diff"$'\n'"list"$'\n'"prune"$'\n'"show" "$out"
out=$(complete_line results diff --th)
pg_expect_eq "results diff --th" "--threshold" "$out"
touch "$PG_TMP/runs.db"
out=$(complete_line results show --db "$PG_TMP/run")
pg_expect_eq "--db completes file names" "$PG_TMP/runs.db" "$out"
touch "$PG_TMP/report.html"
out=$(complete_line examples perf --html "$PG_TMP/rep")
pg_expect_eq "perf --html completes file names" "$PG_TMP/report.html" "$out"
out=$(complete_line results show --ht)
pg_expect_eq "results show --ht" "--html" "$out"

pg_pass
