#!/usr/bin/env bash
# Fuzzing in the background while other work goes on (issue #12 item 1).
#   scripts/fuzz-background.sh [--seconds N] [--tally FILE] [--jobs J]
# Builds the harnesses once, then runs J loops (default 1) until the file
# build-fuzz/stop exists (touch it to end each loop after its current run).
# Each round of a loop runs, at nice 19, the harness with the least CPU time
# in the tally (scripts/fuzz-tally.py --order) that no other loop is running
# (a lock per harness under build-fuzz/locks/), for N seconds (default 600),
# so the harnesses furthest from the one-CPU-hour target catch up first.
# At nice 19 the loops take what CPU the machine leaves, so J can be the
# number of cores while other work goes on.  The tally defaults to
# tests/fuzz/cpu-time.tsv, the project's own: commit it when the session
# ends.  A finding does not stop the loop: it is logged to
# build-fuzz/background.log and its input stays in build-fuzz/findings/
# (scripts/fuzz.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=600
jobs=1
tally="$top/tests/fuzz/cpu-time.tsv"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --tally) tally=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "usage: scripts/fuzz-background.sh [--seconds N] [--tally FILE] [--jobs J]" >&2
       exit 2 ;;
  esac
done
case "$jobs" in ''|*[!0-9]*|0) echo "scripts/fuzz-background.sh: --jobs takes a number from 1" >&2; exit 2 ;; esac
mkdir -p "$top/build-fuzz/locks"
log="$top/build-fuzz/background.log"
rm -f "$top/build-fuzz/stop"
# One build, before the loops: two builds of one folder at once break it.
if ! nice -n 19 "$top/scripts/fuzz.sh" --build-only >>"$log" 2>&1; then
  echo "scripts/fuzz-background.sh: the harnesses did not build; see $log" >&2
  exit 2
fi

# The loop of job $1: each round takes the first harness of the order
# whose lock it gets, and holds that lock while the harness runs.
loop() {
  local job=$1 next ran
  while [ ! -e "$top/build-fuzz/stop" ]; do
    ran=0
    for next in $(python3 "$top/scripts/fuzz-tally.py" --order "$tally"); do
      exec {lock}>"$top/build-fuzz/locks/$next"
      if flock -n "$lock"; then
        echo "== $(date -u +%FT%TZ) job $job: $next for ${seconds}s" >>"$log"
        if ! nice -n 19 "$top/scripts/fuzz.sh" --no-build --seconds "$seconds" --only "$next" \
             --tally "$tally" >>"$log" 2>&1; then
          echo "FINDING or failure in fuzz-$next at $(date -u +%FT%TZ): see build-fuzz/findings/" >>"$log"
          sleep 60  # a harness that cannot start would otherwise spin
        fi
        ran=1
      fi
      exec {lock}>&-
      [ "$ran" -eq 1 ] && break
    done
    [ "$ran" -eq 1 ] || sleep 10  # every harness busy: more jobs than harnesses
  done
}

for j in $(seq 1 "$jobs"); do
  loop "$j" &
done
wait
