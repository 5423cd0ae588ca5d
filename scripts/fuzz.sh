#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs each for a while.
#   scripts/fuzz.sh [--seconds N]   (default 60 per harness)
# A crash or sanitizer report fails the run and leaves the input in
# build-fuzz/findings/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=60
if [ "${1:-}" = "--seconds" ]; then secs=$2; fi
"$top/scripts/install-deps.sh"
build="$top/build-fuzz"
CC=clang cmake -S "$top" -B "$build" -DKIKAN_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"
mkdir -p "$build/findings"
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
status=0
for h in "$build"/tests/fuzz-*; do
  case "$h" in *-standalone) continue ;; esac
  [ -x "$h" ] || continue
  name=$(basename "$h")
  seeds="$top/tests/fuzz/seeds/${name#fuzz-}"
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "== $name for ${secs}s"
  if ! "$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
       -artifact_prefix="$build/findings/$name-" "$corpus" >"$build/$name.log" 2>&1; then
    echo "$name: FINDING, see $build/$name.log and $build/findings/" >&2
    tail -n 40 "$build/$name.log" >&2
    status=1
  else
    tail -n 1 "$build/$name.log"
  fi
done
exit $status
