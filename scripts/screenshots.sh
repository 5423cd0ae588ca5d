#!/usr/bin/env bash
# Screenshots of every screen of kikan-kiosk in Japanese and English
# (issue #11), into docs/screenshots/<lang>/, referenced from the README.
#
#   scripts/screenshots.sh [BUILD_DIR]     (default: build/, built first)
#
# The pictures are drawn by the kiosk itself (its own renderer, under
# Xvfb) while the UI tests drive it through the same actions as the
# suite: a CLEARED check-in, a HOLD, IT mode's sign-in, queue and
# evidence, the failed start-up self-test, and every page of auditor mode.
# The tests assert English wording in places, so in Japanese a case may
# fail after its pictures are taken: the script checks only that every
# picture it expects was made.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
if [ $# -eq 0 ]; then
  "$top/scripts/install-deps.sh"
  "$top/scripts/build.sh" "$build" >/dev/null
fi
out="$top/docs/screenshots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# case binary, case name, prefix for its pictures, pictures to keep (globs)
cases=(
  "test-ui-checkin clean_cleared employee welcome identify Q1 Q2 Q7 Q19 present inspect result"
  "test-ui-checkin encrypted_archive_hold employee-hold result"
  "test-ui-it startup_blocks startup startup-failed"
  "test-ui-it override it it-signin it-queue it-evidence"
  "test-ui-auditor screens auditor auditor-*"
)
for lang in ja en; do
  rm -rf "${out:?}/$lang"
  mkdir -p "$out/$lang"
  for c in "${cases[@]}"; do
    read -r bin name prefix keep <<<"$c"
    exe=$(find "$build/tests" -maxdepth 2 -name "$bin" -type f | head -1)
    [ -n "$exe" ] || { echo "screenshots: $bin is not built in $build" >&2; exit 2; }
    shots="$work/$lang/$name"
    mkdir -p "$shots"
    echo "screenshots: $lang $name" >&2
    env KIKAN_UI_SHOTS="$shots" KIKAN_UI_LANGUAGE="$lang" GDK_BACKEND=x11 \
        GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 LC_ALL=C.UTF-8 KIKAN_SANDBOX= \
        KIKAN_FAKE_NOW= xvfb-run -a -s "-screen 0 1280x800x24" "$exe" "$name" \
        >"$work/$lang-$name.log" 2>&1 || true
    for k in $keep; do
      found=0
      for f in "$shots"/$k.png; do
        [ -f "$f" ] || continue
        base=$(basename "$f" .png)
        case "$base" in "$prefix"*) dest="$base" ;; *) dest="$prefix-$base" ;; esac
        cp "$f" "$out/$lang/$dest.png"
        found=1
      done
      if [ $found -eq 0 ]; then
        echo "screenshots: no picture $k from $bin $name ($lang); its log:" >&2
        tail -20 "$work/$lang-$name.log" >&2
        exit 1
      fi
    done
  done
done
ls "$out"/ja "$out"/en
