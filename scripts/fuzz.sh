#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang and runs each for a while
# (issue #12 item 1).
#   scripts/fuzz.sh [--seconds N] [--only NAME[,NAME...]] [--tally FILE]
#                   [--build-only | --no-build]
#     --seconds N  per harness (default 60)
#     --only       just these harnesses (names without "fuzz-")
#     --tally F    append one line per run to F: date, harness, user and
#                  system CPU seconds, executions, result.  The background
#                  runs of the project's life go to tests/fuzz/cpu-time.tsv
#                  (docs/robustness.md sums it); the default is
#                  build-fuzz/cpu-time.tsv, so CI's short runs count nowhere.
#     --build-only / --no-build  build and stop / run what is built (for
#                  scripts/fuzz-background.sh --jobs N, whose loops must
#                  not build the same folder at once)
# The corpus of each harness starts from tests/fuzz/corpus/<name>/ and grows
# in build-fuzz/corpus/fuzz-<name>/ from run to run.  A crash, sanitizer
# report, leak of time (-timeout) or memory (-rss_limit_mb) fails the run
# and leaves the input in build-fuzz/findings/; every finding fixed becomes
# a file in the harness's corpus, so the suite's fuzz-*-seeds tests replay it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=60
only=
build="$top/build-fuzz"
tally="$build/cpu-time.tsv"
build_step=yes
input_timeout=20  # seconds one input may take (libFuzzer -timeout)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) secs=$2; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    --tally) tally=$2; shift 2 ;;
    --build-only) build_step=only; shift ;;
    --no-build) build_step=no; shift ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--only NAME,...] [--tally FILE]" \
            "[--build-only | --no-build]" >&2; exit 2 ;;
  esac
done
if [ "$build_step" != no ]; then
  "$top/scripts/install-deps.sh"
  CC=clang cmake -S "$top" -B "$build" -DKIKAN_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build "$build" -j"$(nproc)"
  [ "$build_step" = only ] && exit 0
fi
mkdir -p "$build/findings" "$(dirname "$tally")"
[ -s "$tally" ] || printf 'date\tharness\tuser_s\tsys_s\texecs\tresult\n' >"$tally"
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"
status=0
ran=0
for h in "$build"/tests/fuzz-*; do
  case "$h" in *-standalone) continue ;; esac
  [ -x "$h" ] || continue
  name=$(basename "$h")
  short=${name#fuzz-}
  if [ -n "$only" ] && [[ "$only" != *",$short,"* ]]; then continue; fi
  ran=$((ran + 1))
  seeds="$top/tests/fuzz/corpus/$short"
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "== $name for ${secs}s"
  result=ok
  if ! /usr/bin/time -f '%U %S' -o "$build/$name.time" \
       "$h" -max_total_time="$secs" -timeout="$input_timeout" -rss_limit_mb=4096 \
       -artifact_prefix="$build/findings/$name-" "$corpus" >"$build/$name.log" 2>&1; then
    result=finding
    # libFuzzer's -timeout is wall-clock time.  At nice 19 on a busy
    # machine (scripts/fuzz-background.sh) an input can wait that long for
    # a core: it is run again alone, and one that needs under a quarter of
    # the limit in CPU time was starved, not slow.  It is kept, and logged,
    # and counts as no finding.
    unit=$(sed -n 's/.*Test unit written to \(.*timeout-[0-9a-f]*\)$/\1/p' "$build/$name.log" | tail -n 1)
    if grep -q 'ERROR: libFuzzer: timeout' "$build/$name.log" && [ -n "$unit" ] && [ -f "$unit" ] \
       && /usr/bin/time -f '%U %S' -o "$build/$name.again" \
            "$h" -runs=1 -timeout=$((input_timeout * 3)) "$unit" >>"$build/$name.log" 2>&1; then
      read -r again_user again_sys < <(tail -n 1 "$build/$name.again")
      if python3 -c "import sys; sys.exit(0 if $again_user + $again_sys < $input_timeout / 4 else 1)"; then
        result=starved
        echo "$name: timed out in wall time, but $unit needs $again_user s of CPU alone:" \
             "starved by the machine's load, not a finding" >&2
      fi
    fi
    if [ "$result" = finding ]; then
      echo "$name: FINDING, see $build/$name.log and $build/findings/" >&2
      tail -n 40 "$build/$name.log" >&2
      status=1
    fi
  else
    tail -n 1 "$build/$name.log"
  fi
  # libFuzzer ends with "Done N runs in S second(s)".
  execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$build/$name.log" | tail -n 1)
  read -r user sys < <(tail -n 1 "$build/$name.time")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$short" "$user" "$sys" \
    "${execs:-0}" "$result" >>"$tally"
done
if [ "$ran" -eq 0 ]; then
  echo "scripts/fuzz.sh: no harness matched '${only//,/ }'" >&2
  exit 2
fi
exit $status
