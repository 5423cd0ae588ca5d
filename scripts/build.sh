#!/usr/bin/env bash
# Configures and builds Kikan.  Usage: scripts/build.sh [BUILD_DIR] [cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
cmake -S "$top" -B "$build" -DKIKAN_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
