# The man pages under man/ against the binary: every option a command
# accepts (parsed from its --help, which is generated from the same table
# the command parses) is documented in its page, and every option a page
# documents under OPTIONS is accepted. Commands are found by walking the
# --help command lists; the ones every build has must be among those
# checked. Each page must also format without groff warnings.
. "$(dirname "$0")/lib.sh"

src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

for page in "$src"/man/*.1; do
  if ! groff -man -Tutf8 -ww -z "$page" 2>"$PG_TMP/groff.err" || [ -s "$PG_TMP/groff.err" ]; then
    pg_fail "$(basename "$page"): groff: $(head -n 3 "$PG_TMP/groff.err")"
  fi
done

# help_options WORD...: the options `paglets WORD... --help` lists, one a
# line, --no- forms and short options included.
help_options() {
  "$PAGLETS_BIN" "$@" --help | sed -n '/^Options:/,/^$/p' |
    sed -n -E 's/^  +(-([A-Za-z0-9]), )?--(\[no-\])?([a-z0-9][a-z0-9-]*).*/\2:\3:\4/p' |
    while IFS=: read -r short neg long; do
      echo "--$long"
      [ -z "$neg" ] || echo "--no-$long"
      [ -z "$short" ] || printf -- "-%s\n" "$short"
    done
}

# page_text PAGE: the page's source with roff escapes for dashes and fonts
# removed, so options read as typed.
page_text() {
  sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' "$1"
}

# page_options PAGE: the options named in the tag lines of its OPTIONS
# section, long ones and short ones (`-v, --verbose`).
page_options() {
  page_text "$1" | awk '/^\.SH /{in_opts = ($2 == "OPTIONS")} in_opts && tag {print} {tag = ($0 == ".TP")}' |
    grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z0-9][a-z0-9-]*' |
    sed -E 's/^[^-]+//' | sort -u
}

checked=()
check_command() {
  local -a words=("$@")
  local page="$src/man/paglets${words[*]:+-${words[*]}}.1"
  page=${page// /-}
  local name="paglets${words[*]:+ ${words[*]}}"
  local opts
  opts=$(help_options "${words[@]}")
  local subs
  subs=$("$PAGLETS_BIN" "${words[@]}" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p')
  if [ ! -f "$page" ]; then
    # A group that only dispatches (no options of its own) is documented
    # in its parent's page and its subcommands' pages.
    if [ -z "$subs" ] || grep -qv -e '^--help$' -e '^-h$' <<<"$opts"; then
      pg_fail "'$name' has no man page $(basename "$page")"
    fi
  else
    local text opt
    text=$(page_text "$page")
    while read -r opt; do
      [ -n "$opt" ] || continue
      grep -qE -- "(^|[^a-z0-9-])$opt([^a-z0-9-]|$)" <<<"$text" ||
        pg_fail "$(basename "$page") does not mention $opt, which '$name' accepts"
    done <<<"$opts"
    while read -r opt; do
      [ -n "$opt" ] || continue
      grep -qx -- "$opt" <<<"$opts" ||
        pg_fail "$(basename "$page") documents $opt, which '$name --help' does not list"
    done < <(page_options "$page")
    checked+=("$name")
    pg_log "ok: $name ($(wc -l <<<"$opts") options) against $(basename "$page")"
  fi
  local sub
  for sub in $subs; do check_command "${words[@]}" "$sub"; done
}

check_command
for cmd in paglets "paglets host" "paglets hosts" "paglets examples perf" \
  "paglets results list" "paglets results show" "paglets results diff" \
  "paglets results prune"; do
  printf '%s\n' "${checked[@]}" | grep -qx "$cmd" ||
    pg_fail "'$cmd' was not checked against a man page"
done
pg_pass
