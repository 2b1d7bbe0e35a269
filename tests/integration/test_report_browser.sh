# The HTML report (`--html FILE`) in a real browser: headless Chromium
# renders it to a PNG and report_pixels.py (python3-pil) checks the bar
# colours at the coordinates src/report/report.h declares: five hosts (one
# an outlier in every chart, names full of markup and terminal escapes)
# and two hundred. `tidy -e` finds nothing in either; no host string
# reaches the file as markup or as a raw control. Chromium, PIL and tidy
# are test-only packages (scripts/test-packages, scripts/bootstrap --test).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake_lib.sh"

unset no_proxy NO_PROXY http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ALL_PROXY all_proxy
python=/usr/bin/python3
for tool in chromium tidy; do
  command -v $tool >/dev/null || pg_fail "no $tool: run scripts/bootstrap --test"
done
$python -c 'import PIL' 2>/dev/null || pg_fail "no python3-pil: run scripts/bootstrap --test"
report_h=${PAGLETS_SOURCE_DIR:-$(dirname "$0")/../..}/src/report/report.h
pixels() { $python "$(dirname "$0")/report_pixels.py" "$report_h" "$@"; }

# shot HTML PNG HEIGHT: a screenshot of the page's first HEIGHT pixels.
shot() {
  timeout 120 chromium --headless --no-sandbox --disable-dev-shm-usage \
    --disable-gpu --hide-scrollbars --no-first-run --force-device-scale-factor=1 \
    --user-data-dir="$PG_TMP/chromium-profile" --window-size="1000,$3" \
    --screenshot="$2" "file://$1" >"$PG_TMP/chromium.log" 2>&1 ||
    pg_fail "chromium could not render $1"
  [ -s "$2" ] || pg_fail "chromium wrote no screenshot of $1"
}

# report MODE FILE: a run against a fake entry host in MODE, with --html.
report() {
  pg_start_fake "$1" "$1"
  local rc=0
  timeout 60 "$PAGLETS_BIN" examples perf --entry "$FAKE_URL" --no-save \
    --html "$2" >"$PG_TMP/$1.out" 2>"$PG_TMP/$1.err" || rc=$?
  echo "$rc"
}

html=$PG_TMP/report.html
pg_expect_eq "five hosts: exit status (a host error)" 1 "$(report report "$html")"
tidy -e -q "$html" >"$PG_TMP/tidy.log" 2>&1 || pg_fail "tidy -e: $(cat "$PG_TMP/tidy.log")"
pg_expect_eq "no raw controls" 0 "$(pg_raw_controls "$html")"
pg_expect_eq "no markup from a host" 0 "$(grep -ciE '<(script|img)|gamma<' "$html" || true)"
pg_expect_match "quotes, escaped" 'gamma&lt;b&gt;&amp;&quot;&#39;\\x1b' "$(cat "$html")"
pg_expect_match "a host name, escaped" 'zslow&lt;script&gt;alert\(1\)&lt;/script&gt;' "$(cat "$html")"
pg_expect_match "the host error, escaped" '&lt;img src=x onerror=alert\(1\)&gt;\\x1b\[2J' "$(cat "$html")"
pg_expect_match "a long name, cut" '>l{21}…</text>' "$(cat "$html")"
pg_expect_match "the outlier's ratio" '200.0K/s ! 0.20x' "$(cat "$html")"
# Every figure but the per-worker one (the fake sends no worker count)
# is a chart: rows alpha 1.0e6, beta 1.1e6 (the scale), gamma 0.9e6, l…
# 1.0e6, zslow 0.2e6 (an outlier); the median 1.0e6 at 180 + 400/1.1.
pg_expect_eq "charts" 7 "$(grep -c '<svg ' "$html")"
shot "$html" "$PG_TMP/report.png" 4000
pixels "$PG_TMP/report.png" 7 544 0:364:bar 1:400:bar 2:327:bar 3:364:bar \
  4:73:outlier >/dev/null || pg_fail "the five-host report's pixels"

# Two hundred hosts: each chart one row per host, h199 the outlier.
html=$PG_TMP/report200.html
pg_expect_eq "200 hosts: exit status" 0 "$(report report-200 "$html")"
tidy -e -q "$html" >"$PG_TMP/tidy.log" 2>&1 || pg_fail "tidy -e (200 hosts): $(cat "$PG_TMP/tidy.log")"
pg_expect_match "200 hosts: the chart's height" 'height="4036"' "$(grep -m 1 '<svg ' "$html")"
shot "$html" "$PG_TMP/report200.png" 4800
pixels "$PG_TMP/report200.png" 1 580 0:400:bar 100:400:bar 198:400:bar \
  199:80:outlier >/dev/null || pg_fail "the 200-host report's pixels"
pg_pass
