#!/usr/bin/env bash
# Fuzzing in the background while other work goes on (issue #12 item 1).
#   scripts/fuzz-background.sh [--seconds N] [--tally FILE]
# Loops until the file build-fuzz/stop exists (touch it to end the loop
# after the current run): each round runs, at nice 19, the harness with the
# least CPU time in the tally (scripts/fuzz-tally.py --least) for N seconds
# (default 600), so the harnesses furthest from the one-CPU-hour target
# catch up first.  The tally defaults to tests/fuzz/cpu-time.tsv, the
# project's own: commit it when the session ends.  A finding does not stop
# the loop: it is logged to build-fuzz/background.log and its input stays
# in build-fuzz/findings/ (scripts/fuzz.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
tally="$top/tests/fuzz/cpu-time.tsv"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --tally) tally=$2; shift 2 ;;
    *) echo "usage: scripts/fuzz-background.sh [--seconds N] [--tally FILE]" >&2; exit 2 ;;
  esac
done
mkdir -p "$top/build-fuzz"
log="$top/build-fuzz/background.log"
rm -f "$top/build-fuzz/stop"
while [ ! -e "$top/build-fuzz/stop" ]; do
  next=$(python3 "$top/scripts/fuzz-tally.py" --least "$tally") || exit 2
  echo "== $(date -u +%FT%TZ) $next for ${seconds}s" >>"$log"
  if ! nice -n 19 "$top/scripts/fuzz.sh" --seconds "$seconds" --only "$next" \
       --tally "$tally" >>"$log" 2>&1; then
    echo "FINDING or failure in fuzz-$next at $(date -u +%FT%TZ): see build-fuzz/findings/" >>"$log"
    sleep 60  # a build that fails would otherwise spin
  fi
done
