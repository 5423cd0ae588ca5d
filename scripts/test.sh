#!/usr/bin/env bash
# The second of the README's two commands: installs what is missing, builds
# with warnings as errors, and runs the whole test suite.
#   scripts/test.sh             normal build in build/
#   scripts/test.sh --sanitize  ASan+UBSan build in build-asan/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
build="$top/build"
extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build="$top/build-asan"
  extra=(-DKIKAN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  # Leaks in libclamav's global state at exit are not ours to fix; every
  # other ASan/UBSan finding fails the run.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
fi
"$top/scripts/build.sh" "$build" "${extra[@]}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900
