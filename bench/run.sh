#!/usr/bin/env bash
# Kikan benchmark: `kikan scan` against clamscan and clamdscan --multiscan,
# in one run, on the same synthetic database and corpus, on 2 cores.
#
#   bench/run.sh [--size small|full] [--build DIR] [--seed N] [--runs N]
#                [--clamd-threads N] [--wait-idle MINUTES]
#
# See docs/benchmarks.md for what is measured and how.  Installs nothing:
# scripts/install-deps.sh provides clamav, clamav-daemon and clamdscan.
#
# Exit status: 0 when every scanner ran and all of them found exactly the
# planted detections (performance targets are reported as PASS/FAIL but do
# not change the status); 2 usage or missing tools; 3 a scanner failed or
# the scanners disagree on what is infected.
set -euo pipefail
export LC_ALL=C

SIZE=small
BUILD=
SEED=1
RUNS=3
JOBS=2
# clamd's MULTISCAN runs the command (the folder walk) on one pool thread and
# scans on the others: MaxThreads 2 gives ONE scanning thread (measured: clamd
# CPU time == wall time).  JOBS+1 gives clamd the same 2 scanning threads as
# kikan --jobs 2; the walker thread is mostly idle.
CLAMD_THREADS=$((JOBS + 1))
WAIT_IDLE=0

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE=${2:?}; shift 2 ;;
        --size=*) SIZE=${1#*=}; shift ;;
        --build) BUILD=${2:?}; shift 2 ;;
        --build=*) BUILD=${1#*=}; shift ;;
        --seed) SEED=${2:?}; shift 2 ;;
        --seed=*) SEED=${1#*=}; shift ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --clamd-threads) CLAMD_THREADS=${2:?}; shift 2 ;;
        --clamd-threads=*) CLAMD_THREADS=${1#*=}; shift ;;
        --wait-idle) WAIT_IDLE=${2:?}; shift 2 ;;
        --wait-idle=*) WAIT_IDLE=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$SIZE" in small|full) ;; *) echo "bench: --size must be small or full" >&2; exit 2 ;; esac
case "$RUNS" in ''|*[!0-9]*|0) echo "bench: --runs must be a positive integer" >&2; exit 2 ;; esac
case "$CLAMD_THREADS" in ''|*[!0-9]*|0) echo "bench: --clamd-threads must be a positive integer" >&2; exit 2 ;; esac
case "$WAIT_IDLE" in ''|*[!0-9]*) echo "bench: --wait-idle takes whole minutes" >&2; exit 2 ;; esac
case "$SEED" in ''|*[!A-Za-z0-9_-]*) echo "bench: --seed must be [A-Za-z0-9_-]+" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=${KIKAN_BENCH_DIR:-$HERE/work}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 3; }

# ---- tools -----------------------------------------------------------------
find_tool() {
    local t=$1 d
    if command -v "$t" >/dev/null 2>&1; then command -v "$t"; return 0; fi
    for d in /usr/sbin /sbin /usr/local/sbin; do
        if [ -x "$d/$t" ]; then echo "$d/$t"; return 0; fi
    done
    return 1
}
missing=()
CLAMSCAN=$(find_tool clamscan) || missing+=(clamscan)
CLAMD=$(find_tool clamd) || missing+=("clamd (clamav-daemon)")
CLAMDSCAN=$(find_tool clamdscan) || missing+=(clamdscan)
PYTHON=$(find_tool python3) || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    say "missing: ${missing[*]}"
    say "run scripts/install-deps.sh (installs clamav, clamav-daemon, clamdscan) and try again"
    exit 2
fi
if [ -z "${EPOCHREALTIME:-}" ]; then
    say "bash 5 or newer is needed (EPOCHREALTIME)"
    exit 2
fi

# kikan: --build DIR, else the usual build folders.
if [ -z "$BUILD" ]; then
    for d in "$REPO/build" "$REPO/_build" "$REPO"/build-*; do
        if [ -x "$d/kiosk/kikan" ]; then BUILD=$d; break; fi
    done
fi
KIKAN=
if [ -n "$BUILD" ] && [ -x "$BUILD/kiosk/kikan" ] && [ -x "$BUILD/scanner/kikan-scand" ]; then
    BUILD=$(cd "$BUILD" && pwd)
    KIKAN=$BUILD/kiosk/kikan
    SCAND=$BUILD/scanner/kikan-scand
else
    say "WARNING: no kikan build found (${BUILD:-looked in $REPO/build}: need kiosk/kikan and"
    say "         scanner/kikan-scand); the kikan column will be reported as pending"
fi

# 2 cores: pin every scanner to the first two CPUs we may use when there are more.
NCPU=$(nproc)
PIN=()
PIN_CPUS=
if [ "$NCPU" -gt 2 ]; then
    if command -v taskset >/dev/null 2>&1; then
        PIN_CPUS=$("$PYTHON" -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0))[:2])))')
        PIN=(taskset -c "$PIN_CPUS")
    else
        say "WARNING: $NCPU CPUs and no taskset: scanners are not pinned to 2 cores"
    fi
elif [ "$NCPU" -lt 2 ]; then
    say "WARNING: only $NCPU CPU: 2-thread numbers will not mean much"
fi

# ---- inputs (cached by seed) -----------------------------------------------
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)   # clamd.conf needs absolute paths
DB=$WORK/db-$SIZE-$SEED
CORPUS=$WORK/corpus-$SIZE-$SEED
RUN=$WORK/run-$SIZE
"$PYTHON" "$HERE/gen-db.py" --out "$DB" --size "$SIZE" --seed "$SEED"
"$PYTHON" "$HERE/gen-corpus.py" --out "$CORPUS" --size "$SIZE" --seed "$SEED"
META=$CORPUS.meta.json

rm -rf "$RUN"
mkdir -p "$RUN/empty" "$RUN/clamd-tmp" "$RUN/kikan-home"
SOCK=$RUN/clamd.sock
if [ ${#SOCK} -ge 100 ]; then
    die "UNIX socket path too long (${#SOCK} bytes): $SOCK; set KIKAN_BENCH_DIR to a shorter folder"
fi

LIMITS=(--max-filesize=100M --max-scansize=400M --max-recursion=16 --max-files=10000
        --max-scantime=120000)
# The heuristics kikan's engine turns on (KR-09), so that all three do the same work.
ALERTS=(--alert-encrypted=yes --alert-exceeds-max=yes --alert-macros=yes
        --alert-phishing-ssl=yes --alert-phishing-cloak=yes)

TIMES=$RUN/times.tsv
printf 'what\trun\tseconds\tstatus\town_cpu\tforeign_cpu\n' >"$TIMES"

# CPU accounting, to tell a quiet machine from a busy one: the busy time of
# the CPUs we run on (/proc/stat) minus the CPU time of what we measured is
# what other processes took meanwhile ("foreign" CPU seconds).
CLK_TCK=$(getconf CLK_TCK)
if [ ${#PIN[@]} -gt 0 ]; then
    CPU_RE="^cpu(${PIN_CPUS/,/|})\$"
    CPUS_USED=2
else
    CPU_RE='^cpu$'
    CPUS_USED=$NCPU
fi
cpu_busy() {  # busy seconds of the CPUs used, since boot
    awk -v re="$CPU_RE" -v hz="$CLK_TCK" \
        '$1 ~ re { b += $2 + $3 + $4 + $7 + $8 + $9 } END { printf "%.2f", b / hz }' /proc/stat
}
# used_cpu children|PID: sets USED_CPU to the user+sys seconds of this shell's
# waited-for children, or of process PID (all threads).  Not a $(...): a
# subshell would not see this shell's children.
used_cpu() {
    if [ "$1" = children ]; then
        times >"$RUN/.times"
        USED_CPU=$(awk 'NR == 2 { t = 0
            for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
            printf "%.2f", t }' "$RUN/.times")
    else
        USED_CPU=$(awk -v hz="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
            "/proc/$1/stat")
    fi
}

# timed NAME RUN OUT ERR CPU CMD... : runs CMD, appends its wall time and CPU
# accounting to times.tsv and leaves its exit status in $TIMED_RC.  CPU is
# "children" (the command's own CPU time) or a PID (a daemon doing the work).
timed() {
    local name=$1 run=$2 out=$3 err=$4 cpu=$5 t0 t1 secs b0 b1 c0 c1 own foreign
    shift 5
    b0=$(cpu_busy)
    used_cpu "$cpu"
    c0=$USED_CPU
    t0=$EPOCHREALTIME
    TIMED_RC=0
    "$@" >"$out" 2>"$err" || TIMED_RC=$?
    t1=$EPOCHREALTIME
    used_cpu "$cpu"
    c1=$USED_CPU
    b1=$(cpu_busy)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    own=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    foreign=$(awk -v a="$b0" -v b="$b1" -v o="$own" \
        'BEGIN { f = b - a - o; printf "%.2f", f < 0 ? 0 : f }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$secs" "$TIMED_RC" "$own" "$foreign" \
        >>"$TIMES"
    printf '  %-20s run %s: %8.3f s  (exit %s; cpu %6.2f s; other processes %5.2f s)\n' \
        "$name" "$run" "$secs" "$TIMED_RC" "$own" "$foreign" >&2
}

check_rc() {  # NAME ERRFILE: 0 = clean, 1 = found something; anything else is a failure
    if [ "$TIMED_RC" -ne 0 ] && [ "$TIMED_RC" -ne 1 ]; then
        sed 's/^/    /' "$2" | tail -20 >&2
        die "$1 exited with status $TIMED_RC (see $2)"
    fi
}

say "size=$SIZE seed=$SEED runs=$RUNS; database $DB; corpus $CORPUS ($("$PYTHON" -c \
    'import json,sys; m=json.load(open(sys.argv[1])); print("%d files, %.1f MB" % (m["files"], m["bytes"]/1e6))' "$META"))"
# How busy are our CPUs without us?  Percent, over 3 seconds.
others_busy() {
    local b0 b1
    b0=$(cpu_busy); sleep 3; b1=$(cpu_busy)
    awk -v a="$b0" -v b="$b1" -v n="$CPUS_USED" 'BEGIN { printf "%.0f", 100 * (b - a) / (3 * n) }'
}
busy=$(others_busy)
if [ "$busy" -gt 10 ] && [ "$WAIT_IDLE" -gt 0 ]; then
    say "other processes keep ${busy}% of the CPUs busy; waiting up to $WAIT_IDLE min for idle"
    deadline=$(( $(date +%s) + 60 * WAIT_IDLE ))
    while [ "$busy" -gt 10 ] && [ "$(date +%s)" -lt "$deadline" ]; do
        sleep 20
        busy=$(others_busy)
    done
fi
if [ "$busy" -gt 10 ]; then
    say "WARNING: other processes keep ${busy}% of the CPUs busy: timings will be noisy"
    say "         (the report flags every run that shared its CPUs; see --wait-idle)"
fi
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg); others busy: ${busy}%"

# Everything reads from the page cache: read corpus and database once first.
find "$CORPUS" "$DB" -type f -exec cat {} + >/dev/null

# ---- clamd configuration -------------------------------------------------------
CONF=$RUN/clamd.conf
cat >"$CONF" <<CONF_END
# Generated by bench/run.sh: local UNIX socket only (no TCPSocket line means no TCP).
LocalSocket $SOCK
LocalSocketMode 600
FixStaleSocket yes
DatabaseDirectory $DB
TemporaryDirectory $RUN/clamd-tmp
PidFile $RUN/clamd.pid
LogFile $RUN/clamd.log
LogTime yes
Foreground yes
MaxThreads $CLAMD_THREADS
# Without this, every scan after the warm-up would be answered from clamd's
# clean-file cache (MD5 of each file), which no returning medium benefits from.
DisableCache yes
SelfCheck 0
ReadTimeout 600
CommandReadTimeout 30
MaxFileSize 100M
MaxScanSize 400M
MaxRecursion 16
MaxFiles 10000
MaxScanTime 120000
AlertEncrypted yes
AlertExceedsMax yes
AlertOLE2Macros yes
AlertPhishingSSLMismatch yes
AlertPhishingCloak yes
CONF_END
if grep -qi '^ *TCP' "$CONF"; then die "clamd.conf must not enable TCP"; fi

CLAMD_PID=
stop_clamd() {
    if [ -n "$CLAMD_PID" ]; then
        kill -TERM "$CLAMD_PID" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$CLAMD_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$CLAMD_PID" 2>/dev/null || true
        wait "$CLAMD_PID" 2>/dev/null || true
        CLAMD_PID=
    fi
}
trap stop_clamd EXIT
trap 'stop_clamd; exit 130' INT TERM

# start_clamd RUN: starts clamd, waits for PONG, records the load time.
start_clamd() {
    local i=$1 t0 t1 secs
    t0=$EPOCHREALTIME
    "${PIN[@]}" "$CLAMD" -c "$CONF" >>"$RUN/clamd.stdout" 2>&1 &
    CLAMD_PID=$!
    while :; do
        if "$CLAMDSCAN" -c "$CONF" --ping 1 >/dev/null 2>&1; then break; fi
        if ! kill -0 "$CLAMD_PID" 2>/dev/null; then
            wait "$CLAMD_PID" 2>/dev/null || true
            CLAMD_PID=
            tail -n 20 "$RUN/clamd.log" "$RUN/clamd.stdout" >&2 || true
            die "clamd exited before answering PING (see $RUN/clamd.log)"
        fi
        if [ "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a > 600) }')" = 1 ]; then
            die "clamd did not answer PING within 600 s"
        fi
        sleep 0.02
    done
    t1=$EPOCHREALTIME
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf 'clamd-load\t%s\t%s\t0\t\t\n' "$i" "$secs" >>"$TIMES"
    printf '  %-20s run %s: %8.3f s\n' clamd-load "$i" "$secs" >&2
}

# ---- measurements, interleaved ---------------------------------------------------
# One round = clamscan on an empty folder, clamscan on the corpus, clamdscan
# --multiscan, kikan scan.  Rounds rather than blocks, so that whatever else
# the machine does meanwhile spreads over all scanners alike.  clamd stays
# loaded (idle) between its scans, as a resident daemon would.
say "clamd: start (load time = start to first PONG) and one untimed warm-up scan"
start_clamd 1
TIMED_RC=0
"$CLAMDSCAN" -c "$CONF" --multiscan --no-summary "$CORPUS" >"$RUN/clamdscan-warm.out" \
    2>"$RUN/clamdscan-warm.err" || TIMED_RC=$?
check_rc clamdscan "$RUN/clamdscan-warm.err"

for i in $(seq "$RUNS"); do
    say "round $i of $RUNS"
    timed clamscan-empty "$i" "$RUN/clamscan-empty-$i.out" "$RUN/clamscan-empty-$i.err" \
        children "${PIN[@]}" "$CLAMSCAN" -r -d "$DB" "${LIMITS[@]}" "${ALERTS[@]}" "$RUN/empty"
    check_rc clamscan "$RUN/clamscan-empty-$i.err"
    timed clamscan "$i" "$RUN/clamscan-$i.out" "$RUN/clamscan-$i.err" children \
        "${PIN[@]}" "$CLAMSCAN" -r --no-summary -d "$DB" "${LIMITS[@]}" "${ALERTS[@]}" "$CORPUS"
    check_rc clamscan "$RUN/clamscan-$i.err"
    timed clamdscan-multiscan "$i" "$RUN/clamdscan-$i.out" "$RUN/clamdscan-$i.err" \
        "$CLAMD_PID" "$CLAMDSCAN" -c "$CONF" --multiscan --no-summary "$CORPUS"
    check_rc clamdscan "$RUN/clamdscan-$i.err"
    if [ -n "$KIKAN" ]; then
        timed kikan "$i" "$RUN/kikan-$i.json" "$RUN/kikan-$i.err" children \
            env KIKAN_SCAND="$SCAND" KIKAN_HOME="$RUN/kikan-home" \
            "${PIN[@]}" "$KIKAN" scan --json --jobs "$JOBS" --database "$DB" "$CORPUS"
        # 2 = something not inspected: the report says what; other codes are failures.
        if [ "$TIMED_RC" -gt 2 ]; then
            sed 's/^/    /' "$RUN/kikan-$i.err" | tail -n 20 >&2
            die "kikan exited with status $TIMED_RC (see $RUN/kikan-$i.err)"
        fi
    fi
done
stop_clamd
if [ "$RUNS" -gt 1 ]; then
    say "clamd: $((RUNS - 1)) more starts for its load time"
    for i in $(seq 2 "$RUNS"); do
        start_clamd "$i"
        stop_clamd
    done
fi
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- report --------------------------------------------------------------------
CMD_CLAMSCAN="clamscan -r --no-summary -d DB ${LIMITS[*]} ${ALERTS[*]} CORPUS"
CMD_CLAMDSCAN="clamdscan -c RUN/clamd.conf --multiscan --no-summary CORPUS"
CMD_KIKAN="kikan scan --json --jobs $JOBS --database DB CORPUS"
"$PYTHON" "$HERE/report.py" --run "$RUN" --meta "$META" --db "$DB" --size "$SIZE" \
    --seed "$SEED" --runs "$RUNS" --jobs "$JOBS" --clamd-threads "$CLAMD_THREADS" \
    --corpus "$CORPUS" \
    --kikan "${KIKAN:-}" --clamscan "$CLAMSCAN" --pin "${PIN[*]:-}" --cpus-used "$CPUS_USED" \
    --cmd-clamscan "$CMD_CLAMSCAN" --cmd-clamdscan "$CMD_CLAMDSCAN" --cmd-kikan "$CMD_KIKAN" \
    --out "$WORK/results.json"
