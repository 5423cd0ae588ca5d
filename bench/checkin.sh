#!/usr/bin/env bash
# Kikan benchmark: a check-in of 20 items against the store (issue #9).
#
#   bench/checkin.sh [--build DIR] [--runs N] [--prefill N] [--no-media]
#                    [--database PATH]... [--out FILE] [--keep] [--wait-idle MIN]
#                    [--budget S]
#
# Builds bench/checkin-store.c into DIR (default build/, reconfigured with
# -DKIKAN_BUILD_BENCH=ON; the program is never part of the default build),
# makes 20 FAT images with tests/fixtures/make-media.py (cached in
# bench/work/checkin/), and runs, in a fresh KIKAN_HOME on the file system
# of the kiosk's ($KIKAN_HOME, default /var/lib/kikan):
#   1. N store-only check-ins (default 50), then the same after --prefill
#      earlier sessions (default 10000), every API call timed;
#   2. one check-in whose 20 media are inspected by the real kikan-scand:
#      store time around each inspection against its wall time;
#   3. clamscan on the same 20 trees (as folders) and on the 20 image files,
#      for the reference ratio of docs/benchmarks.md;
#   4. what reads the whole store (open, `kikan db check`, `kikan it list`),
#      each stopped after --budget seconds (default 10).
# Prints the tables and writes a markdown fragment (default
# bench/work/checkin/report.md) for docs/benchmarks.md "Check-in and the
# store".  Installs nothing: scripts/install-deps.sh provides clamav,
# dosfstools and mtools.  Exit status: 0 done; 2 usage or missing tools;
# 3 the benchmark or a scanner failed.
set -euo pipefail
export LC_ALL=C

ARGV_SHOWN="bench/checkin.sh${*:+ $*}"
BUILD=
RUNS=50
PREFILL=10000
MEDIA=yes
OUT=
KEEP=no
WAIT_IDLE=0
BUDGET=10
DATABASES=()

usage() {
    sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --build) BUILD=${2:?}; shift 2 ;;
        --build=*) BUILD=${1#*=}; shift ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --prefill) PREFILL=${2:?}; shift 2 ;;
        --prefill=*) PREFILL=${1#*=}; shift ;;
        --no-media) MEDIA=no; shift ;;
        --database) DATABASES+=("${2:?}"); shift 2 ;;
        --database=*) DATABASES+=("${1#*=}"); shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --keep) KEEP=yes; shift ;;
        --budget) BUDGET=${2:?}; shift 2 ;;
        --budget=*) BUDGET=${1#*=}; shift ;;
        --wait-idle) WAIT_IDLE=${2:?}; shift 2 ;;
        --wait-idle=*) WAIT_IDLE=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "bench: --runs must be a positive integer" >&2; exit 2 ;; esac
case "$WAIT_IDLE" in ''|*[!0-9]*) echo "bench: --wait-idle takes whole minutes" >&2; exit 2 ;; esac
case "$BUDGET" in ''|*[!0-9]*|0) echo "bench: --budget must be a positive integer" >&2; exit 2 ;; esac
case "$PREFILL" in ''|*[!0-9]*) echo "bench: --prefill must be a whole number" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=${KIKAN_BENCH_DIR:-$HERE/work}/checkin

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 3; }

# ---- tools -------------------------------------------------------------
missing=()
for t in python3 cmake clamscan mkfs.vfat mcopy findmnt; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || [ -x "/sbin/$t" ] \
        || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "missing: ${missing[*]}"
    say "run scripts/install-deps.sh (clamav, dosfstools, mtools, util-linux) and try again"
    exit 2
fi
PATH=$PATH:/usr/sbin:/sbin
if [ -z "${EPOCHREALTIME:-}" ]; then
    say "bash 5 or newer is needed (EPOCHREALTIME)"
    exit 2
fi

# ---- the program -------------------------------------------------------
BUILD=${BUILD:-$REPO/build}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    say "no configured build in $BUILD: run scripts/build.sh first (or give --build DIR)"
    exit 2
fi
BUILD=$(cd "$BUILD" && pwd)
say "building kikan-bench-checkin-store in $BUILD (-DKIKAN_BUILD_BENCH=ON)"
cmake -S "$REPO" -B "$BUILD" -DKIKAN_BUILD_BENCH=ON >/dev/null \
    || die "cmake could not configure $BUILD"
BUILD_LOG=$BUILD/bench-build.log
cmake --build "$BUILD" --target kikan-bench-checkin-store -j"$(nproc)" >"$BUILD_LOG" 2>&1 \
    || { tail -30 "$BUILD_LOG" >&2; die "the benchmark did not build (see $BUILD_LOG)"; }
PROG=$BUILD/kikan-bench-checkin-store
SCAND=$BUILD/scanner/kikan-scand
[ -x "$PROG" ] && [ -x "$SCAND" ] || die "missing $PROG or $SCAND after the build"

# ---- signatures: the project's own, and upstream's signed test-6.cvd when
# the shared test data is there (the integration tests' database) --------
if [ ${#DATABASES[@]} -eq 0 ]; then
    DATABASES=("$REPO/signatures/kikan-test.hdb")
    shared_cvd=$(cd "$REPO/.." && pwd)/shared/testdata/clamav/test-6.cvd
    [ -f "$shared_cvd" ] && DATABASES+=("$shared_cvd")
fi
DB_ARGS=()
for d in "${DATABASES[@]}"; do
    [ -e "$d" ] || { say "no such database: $d"; exit 2; }
    DB_ARGS+=(--database "$d")
done

# ---- the store's home: where the kiosk keeps its own -------------------
KIOSK_HOME=${KIKAN_HOME:-/var/lib/kikan}
PARENT=$(dirname "$KIOSK_HOME")
if ! { mkdir -p "$PARENT" 2>/dev/null && [ -w "$PARENT" ]; }; then
    say "WARNING: $PARENT (where $KIOSK_HOME lives) is not writable; the store goes to $WORK,"
    say "         which may be another file system than the kiosk's"
    PARENT=$WORK
fi
mkdir -p "$WORK"
HOME_DIR=$(mktemp -d "$PARENT/kikan-bench.XXXXXX")
cleanup() {
    if [ "$KEEP" = yes ]; then say "kept $HOME_DIR"; else rm -rf "$HOME_DIR"; fi
}
trap cleanup EXIT
FS=$(findmnt -n -o FSTYPE,SOURCE,OPTIONS -T "$HOME_DIR" | awk '{ print $1 " on " $2 " (" $3 ")" }')
case "$FS" in
    tmpfs*|ramfs*) say "WARNING: $HOME_DIR is on $FS: fsync costs nothing there, commits will look free" ;;
esac

# ---- media: 20 FAT16 images of 16 MiB, two of them with EICAR ----------
MEDIA_DIR=$WORK/media-v1
MEDIA_ARGS=()
if [ "$MEDIA" = yes ]; then
    if [ ! -f "$MEDIA_DIR/done" ]; then
        say "making 20 FAT images and their trees in $MEDIA_DIR"
        rm -rf "$MEDIA_DIR"
        mkdir -p "$MEDIA_DIR"
        python3 - "$REPO/tests/fixtures/make-media.py" "$MEDIA_DIR" <<'EOF' || die "the media could not be made"
import importlib.util, os, sys
sys.dont_write_bytecode = True
spec = importlib.util.spec_from_file_location("make_media", sys.argv[1])
mm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mm)
out = sys.argv[2]
for i in range(1, 21):
    name = "stick%02d" % i
    tree = mm.tree_a(infected=i in (5, 14), seed=name)
    mm.mkfs_fat(os.path.join(out, name + ".img"), 16 * mm.MiB, 16, "STICK%02d" % i,
                "%08x" % (0x4b100000 + i), tree)
    mm.materialise(tree, os.path.join(out, "trees", name))
open(os.path.join(out, "done"), "w").close()
EOF
    fi
    for i in $(seq -w 1 20); do MEDIA_ARGS+=(--media "$MEDIA_DIR/stick$i.img"); done
fi

# ---- run ---------------------------------------------------------------
MD=$WORK/program.md
LOG=$WORK/program.out
say "store in $HOME_DIR ($FS); runs=$RUNS prefill=$PREFILL; databases: ${DATABASES[*]}"
# CPU accounting, as bench/run.sh does: the busy time of all CPUs minus
# the program's own CPU time is what other processes took meanwhile.  On a
# shared machine they set the tails (p95, max): a commit that waits for the
# disk gives its CPU away and gets it back a scheduler slice later.
CLK_TCK=$(getconf CLK_TCK)
cpu_busy() {
    awk -v hz="$CLK_TCK" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}
# Sets CHILDREN_CPU to the user+sys seconds of this shell's waited-for
# children.  Not a $(...): a subshell would not see this shell's children.
children_cpu() {
    times >"$WORK/.times"
    CHILDREN_CPU=$(awk 'NR == 2 { t = 0
        for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
        printf "%.2f", t }' "$WORK/.times")
}

# --wait-idle: wait (up to MIN minutes) until other processes keep the
# CPUs less than 10% busy, over 3 seconds.
others_busy() {
    local b0 b1
    b0=$(cpu_busy); sleep 3; b1=$(cpu_busy)
    awk -v a="$b0" -v b="$b1" -v n="$(nproc)" 'BEGIN { printf "%.0f", 100 * (b - a) / (3 * n) }'
}
if [ "$WAIT_IDLE" -gt 0 ]; then
    busy=$(others_busy)
    deadline=$(( $(date +%s) + 60 * WAIT_IDLE ))
    while [ "$busy" -gt 10 ] && [ "$(date +%s)" -lt "$deadline" ]; do
        say "other processes keep ${busy}% of the CPUs busy; waiting for idle"
        sleep 20
        busy=$(others_busy)
    done
fi

# Images just written are still being written back: a commit's fsync would
# wait for them.  Start from a clean page cache's writeback.
sync
b0=$(cpu_busy)
children_cpu
c0=$CHILDREN_CPU
t0=$EPOCHREALTIME
"$PROG" --home "$HOME_DIR/home" --runs "$RUNS" --prefill "$PREFILL" --budget "$BUDGET" \
    --scand "$SCAND" \
    "${DB_ARGS[@]}" "${MEDIA_ARGS[@]}" --markdown "$MD" | tee "$LOG" \
    || die "the benchmark program failed"
PROG_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
b1=$(cpu_busy)
children_cpu
c1=$CHILDREN_CPU
LOAD=$(awk -v b0="$b0" -v b1="$b1" -v c0="$c0" -v c1="$c1" -v w="$PROG_S" -v n="$(nproc)" \
    'BEGIN { own = c1 - c0; f = b1 - b0 - own; if (f < 0) f = 0
             printf "the benchmark used %.1f CPU-s; other processes %.1f CPU-s, ", own, f
             printf "%.0f%% of the %d CPUs", 100 * f / (w * n), n }')
say "$LOAD"

# ---- clamscan on the same 20 media, same signatures --------------------
CLAM_MD=
if [ "$MEDIA" = yes ]; then
    CLAM_DB=()
    for d in "${DATABASES[@]}"; do CLAM_DB+=(-d "$d"); done
    EMPTY=$WORK/empty
    mkdir -p "$EMPTY"
    clam() {  # NAME ARGS...: wall seconds in CLAM_S, detections in CLAM_FOUND
        local name=$1 rc=0 t
        shift
        t=$EPOCHREALTIME
        clamscan --no-summary --infected "${CLAM_DB[@]}" "$@" >"$WORK/clamscan-$name.out" 2>&1 || rc=$?
        CLAM_S=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
        [ "$rc" -le 1 ] || { tail -5 "$WORK/clamscan-$name.out" >&2; die "clamscan ($name) exited $rc"; }
        CLAM_FOUND=$(grep -c ' FOUND$' "$WORK/clamscan-$name.out" || true)
    }
    clam load "$EMPTY";                        LOAD_S=$CLAM_S
    clam trees -r "$MEDIA_DIR"/trees/stick*;   TREES_S=$CLAM_S; TREES_FOUND=$CLAM_FOUND
    clam images "$MEDIA_DIR"/stick*.img;       IMAGES_S=$CLAM_S; IMAGES_FOUND=$CLAM_FOUND
    KIKAN_MS=$(sed -n 's/^inspect_total_ms=//p' "$LOG")
    KIKAN_FOUND=$(grep -c '^  [0-9]* *infected' "$LOG" || true)
    CLAM_MD=$(awk -v k="$KIKAN_MS" -v l="$LOAD_S" -v t="$TREES_S" -v i="$IMAGES_S" \
        -v kf="$KIKAN_FOUND" -v tf="$TREES_FOUND" -v imf="$IMAGES_FOUND" 'BEGIN {
        ks = k / 1000; ts = t - l; is = i - l
        if (ts < 0.001) ts = 0.001; if (is < 0.001) is = 0.001
        printf "| the same 20 media, same signatures | seconds | media with a detection "
        printf "| kikan inspections / this |\n|---|---:|---:|---:|\n"
        printf "| kikan: the 20 inspections above (warm daemon, FAT read by kikan) "
        printf "| %.2f | %d | 1.00 |\n", ks, kf
        printf "| clamscan -r on the 20 trees as folders (load %.2f s subtracted) ", l
        printf "| %.2f | %d | %.2f |\n", ts, tf, ks / ts
        printf "| clamscan on the 20 image files as files (load subtracted) "
        printf "| %.2f | %d | %.2f |\n", is, imf, ks / is
    }')
    printf '\n%s\n' "$CLAM_MD"
fi

# ---- the markdown fragment ---------------------------------------------
OUT=${OUT:-$WORK/report.md}
{
    printf 'Command: `%s` (whole run %s s), %s UTC. Machine: %s CPUs (`nproc`), kernel %s, ' \
        "$ARGV_SHOWN" "$PROG_S" "$(date -u '+%Y-%m-%d %H:%M')" "$(nproc)" "$(uname -r)"
    printf '%s, SQLite %s, %s. Store on %s.\n\n' \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
        "$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')" \
        "$(clamscan --version | cut -d/ -f1)" "$FS"
    printf 'During the check-ins (%s s): %s.\n\n' "$PROG_S" "$LOAD"
    cat "$MD"
    [ -n "$CLAM_MD" ] && printf '%s\n' "$CLAM_MD"
} >"$OUT"
say "report fragment: $OUT"
