# `cmake --install` into a temporary prefix, then build examples/ against
# the installed copy, outside the source tree, with nothing but
# `pkg-config --cflags --libs paglets` (paglets-perf for the benchmark
# example; examples/Makefile), and run what was built. Also checks that
# every installed piece is where the docs say.
. "$(dirname "$0")/lib.sh"

src=${PAGLETS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(dirname "$PAGLETS_BIN")
prefix="$PG_TMP/prefix"
cmake --install "$build" --prefix "$prefix" >"$PG_TMP/install.log" 2>&1 ||
  pg_fail "cmake --install failed: $(tail -n 3 "$PG_TMP/install.log")"

for f in bin/paglets lib/libpaglets.a lib/pkgconfig/paglets.pc \
         lib/libpaglets_perf.a lib/pkgconfig/paglets-perf.pc include/paglets/perf.h \
         include/paglets/paglets.h include/paglets/agent.h \
         share/man/man1/paglets.1 share/man/man1/paglets-host.1 \
         share/man/man1/paglets-hosts.1 share/man/man1/paglets-examples-perf.1 \
         share/man/man1/paglets-results-diff.1 \
         lib/systemd/system/paglets-host@.service lib/sysusers.d/paglets.conf \
         share/bash-completion/completions/paglets share/doc/paglets/LICENSE \
         share/doc/paglets/user-guide.md share/doc/paglets/examples/hello_agent.c; do
  [ -f "$prefix/$f" ] || pg_fail "not installed: $f"
done
# Every relative link of the installed guides leads to an installed file
# (the source tree's ../examples/ and ../include/ are rewritten).
for doc in "$prefix"/share/doc/paglets/*.md; do
  while read -r target; do
    [ -e "$(dirname "$doc")/$target" ] ||
      pg_fail "$(basename "$doc"): broken link to $target once installed"
  done < <(grep -oE '\]\([^)#:]+' "$doc" | sed 's/^](//')
done
"$prefix/bin/paglets" --version >/dev/null || pg_fail "the installed binary does not run"
MANPATH="$prefix/share/man" man -w paglets-examples-perf >/dev/null 2>&1 ||
  pg_fail "man cannot find paglets-examples-perf under the prefix"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pg_expect_eq "pkg-config version" \
  "$("$PAGLETS_BIN" --version | sed -n '1s/^paglets //p')" \
  "$(pkg-config --modversion paglets)"
pg_expect_match "cflags point into the prefix" "-I$prefix/include" \
  "$(pkg-config --cflags paglets)"
# The benchmark library comes first, libpaglets after it (static link order).
pg_expect_match "paglets-perf links both archives" "-lpaglets_perf .*-lpaglets( |$)" \
  "$(pkg-config --libs paglets-perf)"

# Build outside the source tree, from copies, as a user's project would.
work="$PG_TMP/outside"
mkdir "$work"
cp "$src"/examples/*.c "$src/examples/Makefile" "$work/"
case $work in "$src"/*) pg_fail "work dir is inside the source tree" ;; esac
# A sanitizer build installs an instrumented library: link its runtime too.
san=""
nm -u "$prefix/lib/libpaglets.a" >"$PG_TMP/undefined" 2>/dev/null || true
grep -qw __asan_init "$PG_TMP/undefined" && san="-fsanitize=address,undefined"
grep -qw __tsan_init "$PG_TMP/undefined" && san="-fsanitize=thread"
make -C "$work" CFLAGS="-O2 -Wall -Wextra -Werror $san" LDFLAGS="$san" \
  >"$PG_TMP/make.log" 2>&1 ||
  pg_fail "examples do not build against the installed copy: $(tail -n 5 "$PG_TMP/make.log")"
[ -x "$work/hello_agent" ] || pg_fail "make built no hello_agent"
[ -x "$work/perf_collect" ] || pg_fail "make built no perf_collect"

# Run the installed-copy build across two hosts.
"$work/hello_agent" serve alpha >"$PG_TMP/alpha.out" 2>"$PG_TMP/alpha.log" &
PG_PIDS+=("$!")
pg_guard "$!"
pg_wait_for 10 grep -q "listening on" "$PG_TMP/alpha.out" || pg_fail "hello_agent serve did not start"
url=$(sed -n "s/.*listening on \(http[^ ]*\).*/\1/p" "$PG_TMP/alpha.out")
out=$(timeout 30 "$work/hello_agent" visit beta "$url" 2>"$PG_TMP/beta.log") ||
  pg_fail "hello_agent visit failed: $(cat "$PG_TMP/beta.log")"
pg_expect_eq "greeting from the clone on alpha" 'Hello, world, from alpha (greets: 1)' "$(tail -n 1 <<<"$out")"
pg_pass
