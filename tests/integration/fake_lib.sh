# shellcheck shell=bash
# A malicious entry host for client-side tests (fake_entry.py). Source
# after lib.sh.

# pg_start_fake NAME MODE [FAKE OPTIONS...]: start fake_entry.py in MODE
# and wait until it listens. Its URL goes to FAKE_URL and FAKE_URL_<NAME>,
# its request log is $PG_TMP/NAME.requests. Call it in the test's shell.
pg_start_fake() {
  local name=$1 mode=$2 url=""
  shift 2
  python3 "$(dirname "${BASH_SOURCE[0]}")/fake_entry.py" --mode "$mode" \
    --url-file "$PG_TMP/$name.url" --log "$PG_TMP/$name.requests" "$@" \
    >/dev/null 2>"$PG_TMP/$name.log" &
  PG_PIDS+=("$!")
  pg_guard "$!"
  pg_wait_for 10 test -s "$PG_TMP/$name.url" || pg_fail "fake host $name never listened"
  url=$(cat "$PG_TMP/$name.url")
  FAKE_URL=$url
  printf -v "FAKE_URL_${name//[^A-Za-z0-9_]/_}" %s "$url"
}

# pg_fake_requests NAME: the requests fake host NAME received, one a line.
pg_fake_requests() { cat "$PG_TMP/$1.requests"; }

# pg_raw_controls FILE [--tty]: how many characters in FILE a terminal
# would act on: C0 controls but newline, DEL, C1 controls, the bidi
# controls (U+200E-F, U+202A-E, U+2066-9) and bytes that are not UTF-8.
# With --tty, FILE is a terminal's output (script(1)): its CR LF line ends
# and the progress line's own "CR ESC [K" are not counted.
pg_raw_controls() {
  python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape")
if "--tty" in sys.argv:
    text = text.replace("\r\n", "\n").replace("\r\x1b[K", "")
bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")
print(len(bad.findall(text)))
PY
}

# pg_longest_line FILE: the length of FILE's longest line, in characters.
pg_longest_line() { awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }' "$1"; }
