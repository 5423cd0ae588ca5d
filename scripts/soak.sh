#!/usr/bin/env bash
# Kikan soak test: a day of service (issue #12 item 5).  A script, not part
# of the test suite.
#
#   scripts/soak.sh [--checkins N] [--out DIR] [--build DIR] [--sample-every K]
#                   [--keep] [--wrap 'CMD ARGS']
#
# Builds bench/soak.c (target kikan-soak, only with -DKIKAN_BUILD_BENCH=ON)
# in DIR (default build/, which must be configured with the tests: the
# station's start-up self-test scans their fixtures), makes a set of small
# media once with tests/fixtures/make-media.py (FAT clean and with EICAR,
# exFAT, NTFS, ext4, ISO 9660, LUKS2 with its passphrase, a BitLocker volume
# without one, a folder, a FAT whose cluster chain loops), and runs N
# check-ins (default 500) back to back through ONE station in a fresh
# KIKAN_HOME, as kikan-kiosk holds it all day.  Then it checks:
#
#   - no temp file is left: the home's tmp/ (the daemon's temp base, TMPDIR
#     of the station: scanner/scand.c) and the run's own TMPDIR are empty;
#   - `kikan audit verify` and `kikan db check` pass;
#   - the store holds N ended sessions, each with a slip and its PDF;
#   - one kikan-scand served the whole run;
#   - the curves are flat (see "Flatness" below);
#
# draws them with gnuplot (scripts/install-deps.sh installs gnuplot-nox)
# into DIR/soak-memory.png and DIR/soak-fds.png, and writes DIR/report.md
# (the numbers, for docs/robustness.md) and DIR/samples.tsv.
#
# --wrap runs kikan-soak under a tool, e.g. --wrap 'heaptrack -o DIR/ht', to
# see what a growing heap holds (the samples then include the tool's own
# memory and descriptors).
#
# Flatness (after a warm-up of the first 10% of the check-ins): for the
# kiosk process and for kikan-scand, the mean VmRSS of the last 10% of the
# check-ins exceeds that of the 10%-20% window by less than 5% and less
# than 4 MiB, and every descriptor count after the warm-up equals the
# first one after it.  RSS moves in pages, so a small leak hides in it for
# a day: the kiosk's malloc heap in use must also grow by less than
# 0.5 KiB per check-in (least-squares slope over the check-ins after the
# first 20%, by when SQLite's page cache of the store, 2 MiB, is full).
#
# Exit status: 0 flat and clean; 1 a check failed (said loudly); 2 usage or
# missing tools; 3 the build or the run failed.
set -euo pipefail
export LC_ALL=C

ARGV_SHOWN="scripts/soak.sh${*:+ $*}"
CHECKINS=500
OUT=
BUILD=
EVERY=1
KEEP=no
WRAP=

usage() {
    sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --checkins) CHECKINS=${2:?}; shift 2 ;;
        --checkins=*) CHECKINS=${1#*=}; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --build) BUILD=${2:?}; shift 2 ;;
        --build=*) BUILD=${1#*=}; shift ;;
        --sample-every) EVERY=${2:?}; shift 2 ;;
        --sample-every=*) EVERY=${1#*=}; shift ;;
        --keep) KEEP=yes; shift ;;
        --wrap) WRAP=${2:?}; shift 2 ;;
        --wrap=*) WRAP=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "soak: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$CHECKINS" in ''|*[!0-9]*|0) echo "soak: --checkins must be a positive integer" >&2; exit 2 ;; esac
case "$EVERY" in ''|*[!0-9]*|0) echo "soak: --sample-every must be a positive integer" >&2; exit 2 ;; esac
if [ "$CHECKINS" -lt 10 ]; then
    echo "soak: at least 10 check-ins are needed to judge the curves" >&2
    exit 2
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$REPO/bench/work/soak}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

say() { printf 'soak: %s\n' "$*" >&2; }
die() { printf 'soak: ERROR: %s\n' "$*" >&2; exit 3; }

# ---- tools -------------------------------------------------------------
PATH=$PATH:/usr/sbin:/sbin
missing=()
for t in python3 cmake gnuplot sqlite3 mkfs.vfat mcopy mkfs.exfat mkfs.ntfs mkfs.ext4 \
         genisoimage cryptsetup xz; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "missing: ${missing[*]}"
    say "run scripts/install-deps.sh and try again"
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    say "the exFAT and NTFS media are filled through FUSE, which needs root (make-media.py)"
    exit 2
fi

# ---- the programs ------------------------------------------------------
BUILD=${BUILD:-$REPO/build}
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    say "no configured build in $BUILD: run scripts/build.sh first (or give --build DIR)"
    exit 2
fi
BUILD=$(cd "$BUILD" && pwd)
if ! grep -q '^KIKAN_BUILD_TESTS:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    say "$BUILD is configured without the tests; the station's self-test needs their fixtures"
    exit 2
fi
say "building kikan, kikan-scand, kikan-soak, the fixtures and xts-encrypt in $BUILD"
cmake -S "$REPO" -B "$BUILD" -DKIKAN_BUILD_BENCH=ON >/dev/null || die "cmake could not configure $BUILD"
BUILD_LOG=$OUT/build.log
cmake --build "$BUILD" --target kikan kikan-scand kikan-soak kikan_fixtures xts-encrypt -j2 \
    >"$BUILD_LOG" 2>&1 || { tail -30 "$BUILD_LOG" >&2; die "the build failed (see $BUILD_LOG)"; }
KIKAN=$BUILD/kiosk/kikan
SCAND=$BUILD/scanner/kikan-scand
SOAK=$BUILD/kikan-soak
XTS=$(find "$BUILD/tests" -name xts-encrypt -type f -perm -u+x | head -1)
SELFTEST=$BUILD/fixtures/selftest
for f in "$KIKAN" "$SCAND" "$SOAK" "$XTS"; do
    [ -x "$f" ] || die "missing $f after the build"
done
[ -f "$SELFTEST/expectations.tsv" ] || die "no self-test set in $SELFTEST"
SHARED=$(cd "$REPO/.." && pwd)/shared/testdata
[ -f "$SHARED/clamav/test-6.cvd" ] || { say "no $SHARED/clamav/test-6.cvd"; exit 2; }

# ---- the media, made once (cached under a fingerprint of the makers) ---
FP=$(cat "$REPO/tests/fixtures/make-media.py" "$REPO/tests/fixtures/make-fixtures.py" "$0" \
     | sha256sum | cut -c1-12)
MEDIA=$OUT/media-$FP
if [ ! -f "$MEDIA/media.tsv" ]; then
    say "making the media in $MEDIA"
    rm -rf "$OUT"/media-*
    mkdir -p "$MEDIA"
    PYTHONDONTWRITEBYTECODE=1 python3 - "$REPO/tests/fixtures/make-media.py" "$MEDIA" "$XTS" \
        "$SHARED" <<'EOF' || die "the media could not be made"
import importlib.util, os, sys, types
spec = importlib.util.spec_from_file_location("make_media", sys.argv[1])
mm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mm)
out, xts, shared = sys.argv[2], sys.argv[3], sys.argv[4]
opts = types.SimpleNamespace(xts_encrypt=xts, shared_testdata=shared, many=0, keep_tree=False)
MiB = mm.MiB
rows = []   # kind, path, passphrase file or -

def img(name):
    return os.path.join(out, name + ".img")

# One file system of each kind, small, with the project's harmless tree
# (tree_a: documents, an empty file, a 300 KiB multi-cluster file, a zip
# two levels deep); EICAR (assembled at run time) only where named.
mm.mkfs_fat(img("fat16"), 16 * MiB, 16, "SOAKFAT", "50AC0016",
            mm.tree_a(infected=False, seed="soak-fat"))
rows.append(("fat16", img("fat16"), "-"))
mm.mkfs_fat(img("fat16-eicar"), 16 * MiB, 16, "SOAKEICAR", "50AC0E1C",
            mm.tree_a(infected=True, seed="soak-eicar"))
rows.append(("fat16-eicar", img("fat16-eicar"), "-"))
mm.mkfs_exfat(img("exfat"), 16 * MiB, "SOAKEXFAT", mm.tree_a(infected=False, seed="soak-exfat"))
rows.append(("exfat", img("exfat"), "-"))
mm.mkfs_ntfs(img("ntfs"), 16 * MiB, "SOAKNTFS", mm.tree_a(infected=False, seed="soak-ntfs"))
rows.append(("ntfs", img("ntfs"), "-"))
mm.mkfs_ext4_tree(img("ext4"), 32 * MiB, "soakext4", "4b696b61-50ac-4000-8000-0000000000e4",
                  mm.tree_a(infected=False, seed="soak-ext4"))
rows.append(("ext4", img("ext4"), "-"))
mm.build("iso-plain", out, opts)
rows.append(("iso9660", img("iso-plain"), "-"))
m = mm.build("luks2-clean", out, opts)
rows.append(("luks2+passphrase", img("luks2-clean"), m["passphrase_file"]))
mm.build("bitlocker", out, opts)
rows.append(("bitlocker-locked", img("bitlocker"), "-"))
folder = os.path.join(out, "folder")
mm.materialise(mm.tree_a(infected=False, seed="soak-folder"), folder)
rows.append(("folder", folder, "-"))
mm.build("fat-cycle", out, opts)
rows.append(("fat-cycle(parse error)", img("fat-cycle"), "-"))
with open(os.path.join(out, "media.tsv"), "w") as f:
    for r in rows:
        f.write("\t".join(r) + "\n")
EOF
fi
N_MEDIA=$(grep -c . "$MEDIA/media.tsv")
say "$N_MEDIA media: $(cut -f1 "$MEDIA/media.tsv" | tr '\n' ' ')"

# ---- a fresh home, as a kiosk is deployed (docs/deploy.md) -------------
RUN=$OUT/run
rm -rf "$RUN"
mkdir -p "$RUN/tmp"
export KIKAN_HOME=$RUN/home
# Whatever is made before the station points TMPDIR at the home's tmp/
# lands here, so that it is seen too (the shared /tmp has other tenants).
export TMPDIR=$RUN/tmp
export KIKAN_SCAND=$SCAND
export KIKAN_SELFTEST_DIR=$SELFTEST
export KIKAN_SIGNATURES_DIR=$REPO/signatures
unset KIKAN_SANDBOX KIKAN_FAKE_NOW KIKAN_POLICY
cleanup() {
    if [ "$KEEP" = yes ]; then say "kept $RUN"; else rm -rf "$RUN/home" "$RUN/update"; fi
}
trap cleanup EXIT
mkdir -p "$KIKAN_HOME" "$RUN/update"
# The upstream test CVD (2021) is the signed database; it is older than a
# kiosk would accept, so this home accepts ten years (as the tests do).
printf '[signatures]\nmax_age_days = 3650\n' >"$KIKAN_HOME/kikan.conf"
cp "$SHARED/clamav/test-6.cvd" "$RUN/update/"
"$KIKAN" signatures import "$RUN/update" >"$RUN/setup.log" 2>&1 \
    || { cat "$RUN/setup.log" >&2; die "kikan signatures import failed"; }
"$KIKAN" audit init --kiosk-id soak-1 >>"$RUN/setup.log" 2>&1 \
    || { cat "$RUN/setup.log" >&2; die "kikan audit init failed"; }

# ---- the run -----------------------------------------------------------
TSV=$OUT/samples.tsv
sync
say "running $CHECKINS check-ins in $KIKAN_HOME (log: $OUT/soak.log)"
START=$(date -u '+%Y-%m-%d %H:%M')
T0=$EPOCHREALTIME
rc=0
# shellcheck disable=SC2086 # --wrap is a command line, split on purpose
$WRAP "$SOAK" --media "$MEDIA/media.tsv" --tsv "$TSV" --checkins "$CHECKINS" \
    --sample-every "$EVERY" 2>&1 | tee "$OUT/soak.log" >&2 || rc=$?
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=${PIPESTATUS[0]}
RUN_S=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
[ "$rc" -eq 0 ] || die "kikan-soak failed (exit $rc) after $RUN_S s; see $OUT/soak.log"
say "the run took $RUN_S s"

# ---- what must hold afterwards -----------------------------------------
FAILED=()
check() {  # WHAT, then the command
    local what=$1
    shift
    if "$@" >>"$OUT/checks.log" 2>&1; then
        say "ok: $what"
    else
        say "FAILED: $what (see $OUT/checks.log)"
        FAILED+=("$what")
    fi
}
: >"$OUT/checks.log"
left_home=$(find "$KIKAN_HOME/tmp" -mindepth 1 2>/dev/null | wc -l)
left_run=$(find "$RUN/tmp" -mindepth 1 2>/dev/null | wc -l)
{ find "$KIKAN_HOME/tmp" "$RUN/tmp" -mindepth 1 -ls 2>/dev/null || true; } >>"$OUT/checks.log"
check "no temp files left ($left_home in the home's tmp/, $left_run in TMPDIR)" \
    test "$((left_home + left_run))" -eq 0
check "kikan audit verify" "$KIKAN" audit verify
check "kikan db check" "$KIKAN" db check
DB=$KIKAN_HOME/kikan.db
[ -f "$DB" ] || DB=$(find "$KIKAN_HOME" -maxdepth 2 -name '*.db' | head -1)
SESSIONS=$(sqlite3 "$DB" "SELECT count(*) FROM sessions")
ENDED=$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE state = 'ended'")
SLIPS=$(sqlite3 "$DB" "SELECT count(*) FROM slips")
PDFS=$(find "$KIKAN_HOME" -name '*.pdf' -type f | wc -l)
check "$CHECKINS sessions recorded ($SESSIONS), all ended ($ENDED)" \
    test "$SESSIONS" -eq "$CHECKINS" -a "$ENDED" -eq "$CHECKINS"
check "$CHECKINS slips issued ($SLIPS) and archived as PDF ($PDFS)" \
    test "$SLIPS" -eq "$CHECKINS" -a "$PDFS" -eq "$CHECKINS"
# What a day leaves on the disk: the store, and the archived slip PDFs.
STORE_KB=$(du -sk "$DB" | cut -f1)
SLIPS_KB=$( { find "$KIKAN_HOME" -name '*.pdf' -type f -print0 | du -ck --files0-from=- | tail -1 | cut -f1; } 2>/dev/null || echo 0)
VERDICTS=$(awk -F'\t' 'NR > 2 { n[$12 " → " $13]++ } END { for (k in n) print n[k] "\t" k }' \
    "$TSV" | sort -t$'\t' -k2)

# ---- flatness ----------------------------------------------------------
# Columns: 1 checkin, 2 elapsed, 3 kiosk RSS, 4 kiosk fds, 5 daemon RSS,
# 6 daemon fds, 7 daemon pid, 8 kiosk heap, 9 kiosk RssAnon, 10 daemon RssAnon.
FLAT=$OUT/flatness.tsv
awk -F'\t' -v n="$CHECKINS" '
    NR == 1 { next }
    { k = $1 }
    k == 0 { start[3] = $3; start[4] = $4; start[5] = $5; start[6] = $6; start[8] = $8 }
    k > 0 { pids[$7] = 1; last[3] = $3; last[4] = $4; last[5] = $5; last[6] = $6; last[8] = $8 }
    k > n * 0.1 && k <= n * 0.2 { for (c = 3; c <= 8; c++) a[c] += $c; na++ }
    k > n * 0.9 { for (c = 3; c <= 8; c++) b[c] += $c; nb++ }
    k > n * 0.1 {
        if (!seen) { seen = 1; fd0[4] = $4; fd0[6] = $6 }
        if ($4 != fd0[4]) fdbad[4]++
        if ($6 != fd0[6]) fdbad[6]++
        if (min[4] == "" || $4 < min[4]) min[4] = $4; if ($4 > max[4]) max[4] = $4
        if (min[6] == "" || $6 < min[6]) min[6] = $6; if ($6 > max[6]) max[6] = $6
        # least-squares slope of RSS and heap over the check-ins after the warm-up
        sx += k; sxx += k * k; m++
        for (c = 3; c <= 8; c++) sxy[c] += k * $c; for (c = 3; c <= 8; c++) sy[c] += $c
    }
    k > n * 0.2 {
        # the heap: after the store'"'"'s page cache is full
        hx += k; hxx += k * k; hm++; hxy += k * $8; hy += $8
    }
    END {
        npid = 0; for (p in pids) npid++
        for (c = 3; c <= 8; c++) {
            ma[c] = a[c] / na; mb[c] = b[c] / nb
            d = m * sxx - sx * sx
            slope[c] = (d > 0) ? 100 * (m * sxy[c] - sx * sy[c]) / d : 0
        }
        hd = hm * hxx - hx * hx
        printf "key\tvalue\n"
        printf "kiosk_heap_slope_late_b_per_checkin\t%.0f\n", (hd > 0) ? 1024 * (hm * hxy - hx * hy) / hd : 0
        printf "daemon_pids\t%d\n", npid
        split("3 5 8", cs, " ")
        for (i = 1; i <= 3; i++) {
            c = cs[i]; name = c == 3 ? "kiosk_rss" : c == 5 ? "daemon_rss" : "kiosk_heap"
            printf "%s_start\t%d\n%s_end\t%d\n", name, start[c], name, last[c]
            printf "%s_window\t%.0f\n%s_last\t%.0f\n", name, ma[c], name, mb[c]
            printf "%s_growth_kib\t%.0f\n", name, mb[c] - ma[c]
            printf "%s_growth_pct\t%.2f\n", name, (ma[c] > 0 ? 100 * (mb[c] - ma[c]) / ma[c] : 0)
            printf "%s_slope_kib_per_100\t%.1f\n", name, slope[c]
        }
        split("4 6", fs, " ")
        for (i = 1; i <= 2; i++) {
            c = fs[i]; name = c == 4 ? "kiosk_fds" : "daemon_fds"
            printf "%s_start\t%d\n%s_end\t%d\n%s_after_warmup\t%d\n", name, start[c], name,
                last[c], name, fd0[c]
            printf "%s_min\t%d\n%s_max\t%d\n%s_samples_differing\t%d\n", name, min[c], name,
                max[c], name, fdbad[c] + 0
        }
    }' "$TSV" >"$FLAT"
v() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$FLAT"; }
rss_flat() {  # NAME: growth under 5% and 4 MiB
    awk -v g="$(v "$1_growth_kib")" -v p="$(v "$1_growth_pct")" 'BEGIN { exit !(g < 4096 && p < 5) }'
}
check "kiosk RSS flat (+$(v kiosk_rss_growth_kib) KiB, $(v kiosk_rss_growth_pct)%)" rss_flat kiosk_rss
check "daemon RSS flat (+$(v daemon_rss_growth_kib) KiB, $(v daemon_rss_growth_pct)%)" \
    rss_flat daemon_rss
check "kiosk heap flat ($(v kiosk_heap_slope_late_b_per_checkin) bytes per check-in after 20%)" \
    awk -v g="$(v kiosk_heap_slope_late_b_per_checkin)" 'BEGIN { exit !(g < 512) }'
check "kiosk descriptors constant after the warm-up ($(v kiosk_fds_min)-$(v kiosk_fds_max))" \
    test "$(v kiosk_fds_samples_differing)" -eq 0
check "daemon descriptors constant after the warm-up ($(v daemon_fds_min)-$(v daemon_fds_max))" \
    test "$(v daemon_fds_samples_differing)" -eq 0
check "one warm daemon for the whole run ($(v daemon_pids) pid)" test "$(v daemon_pids)" -eq 1

# ---- the curves --------------------------------------------------------
WARM=$(( CHECKINS / 10 ))
FDMAX=$(awk -F'\t' 'NR > 1 && $4 > m { m = $4 } NR > 1 && $6 > m { m = $6 } END { print m + 6 }' "$TSV")
gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 1000,760 font "sans,11"
set datafile separator "\t"
set grid
set xrange [0:$CHECKINS]
set arrow 1 from $WARM, graph 0 to $WARM, graph 1 nohead dashtype 2 lc rgb "#888888"
set output "$OUT/soak-memory.png"
set multiplot layout 2,1 title "Memory over $CHECKINS check-ins: one station, one warm kikan-scand"
set key right center box opaque
set ylabel "VmRSS, MiB"
set yrange [0:*]
plot "$TSV" using 1:(\$3/1024) skip 1 with lines lw 2 title "kiosk process", \
     "$TSV" using 1:(\$5/1024) skip 1 with lines lw 2 title "kikan-scand"
set xlabel "check-ins (dashed: end of the warm-up; dotted: the heap's slope is judged after it)"
set ylabel "KiB"
set arrow 2 from 2 * $WARM, graph 0 to 2 * $WARM, graph 1 nohead dashtype 3 lc rgb "#888888"
set key right bottom box opaque
plot "$TSV" using 1:8 skip 1 with lines lw 2 lc rgb "#009e73" title "kiosk process: malloc heap in use"
unset multiplot
unset arrow 2
set terminal pngcairo size 1000,420 font "sans,11"
set output "$OUT/soak-fds.png"
set title "Open file descriptors over $CHECKINS check-ins"
set xlabel "check-ins (dashed: end of the warm-up)"
set ylabel "descriptors"
set yrange [0:$FDMAX]
set key right center box opaque
plot "$TSV" using 1:4 skip 1 with steps lw 2 title "kiosk process", \
     "$TSV" using 1:6 skip 1 with steps lw 2 title "kikan-scand"
EOF

# ---- the report --------------------------------------------------------
REPORT=$OUT/report.md
RESULT=$([ ${#FAILED[@]} -eq 0 ] && echo "**flat and clean**" || echo "**NOT flat or not clean**: ${FAILED[*]}")
{
    printf 'Command: `%s` (the run itself %s s, %s UTC). Machine: %s CPUs (`nproc`), kernel %s, %s.\n\n' \
        "$ARGV_SHOWN" "$RUN_S" "$START" "$(nproc)" "$(uname -r)" \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    printf 'Media (%s, cycled): %s.\n\n' "$N_MEDIA" "$(cut -f1 "$MEDIA/media.tsv" | paste -sd, | sed 's/,/, /g')"
    printf '| | kiosk process | kikan-scand |\n|---|---:|---:|\n'
    printf '| VmRSS after the self-test (check-in 0) | %s KiB | %s KiB |\n' "$(v kiosk_rss_start)" "$(v daemon_rss_start)"
    printf '| VmRSS, mean of check-ins %d–%d | %s KiB | %s KiB |\n' $((WARM + 1)) $((2 * WARM)) "$(v kiosk_rss_window)" "$(v daemon_rss_window)"
    printf '| VmRSS, mean of the last %d | %s KiB | %s KiB |\n' "$WARM" "$(v kiosk_rss_last)" "$(v daemon_rss_last)"
    printf '| VmRSS growth (last − window) | %s KiB (%s%%) | %s KiB (%s%%) |\n' "$(v kiosk_rss_growth_kib)" "$(v kiosk_rss_growth_pct)" "$(v daemon_rss_growth_kib)" "$(v daemon_rss_growth_pct)"
    printf '| VmRSS slope after the warm-up | %s KiB / 100 check-ins | %s KiB / 100 check-ins |\n' "$(v kiosk_rss_slope_kib_per_100)" "$(v daemon_rss_slope_kib_per_100)"
    printf '| VmRSS at the end | %s KiB | %s KiB |\n' "$(v kiosk_rss_end)" "$(v daemon_rss_end)"
    printf '| malloc heap in use: start, window, last, growth | %s, %s, %s KiB, %s KiB | |\n' "$(v kiosk_heap_start)" "$(v kiosk_heap_window)" "$(v kiosk_heap_last)" "$(v kiosk_heap_growth_kib)"
    printf '| malloc heap slope after the first 20%% | %s bytes per check-in | |\n' "$(v kiosk_heap_slope_late_b_per_checkin)"
    printf '| descriptors: start, after the warm-up, end (min–max after it) | %s, %s, %s (%s–%s) | %s, %s, %s (%s–%s) |\n' \
        "$(v kiosk_fds_start)" "$(v kiosk_fds_after_warmup)" "$(v kiosk_fds_end)" "$(v kiosk_fds_min)" "$(v kiosk_fds_max)" \
        "$(v daemon_fds_start)" "$(v daemon_fds_after_warmup)" "$(v daemon_fds_end)" "$(v daemon_fds_min)" "$(v daemon_fds_max)"
    printf '| daemon processes over the run | | %s |\n\n' "$(v daemon_pids)"
    printf 'Store: %s sessions (%s ended), %s slips, %s PDFs archived; temp entries left: %s in the home'"'"'s tmp/, %s in TMPDIR.\n\n' \
        "$SESSIONS" "$ENDED" "$SLIPS" "$PDFS" "$left_home" "$left_run"
    printf 'Disk after the run: the store %s KiB (%s KiB per check-in), the slip PDFs %s KiB (%s KiB per slip).\n\n' \
        "$STORE_KB" "$(awk -v a="$STORE_KB" -v n="$CHECKINS" 'BEGIN { printf "%.1f", a / n }')" \
        "$SLIPS_KB" "$(awk -v a="$SLIPS_KB" -v n="$PDFS" 'BEGIN { printf "%.0f", (n > 0) ? a / n : 0 }')"
    printf '| check-ins | medium → overall verdict |\n|---:|---|\n'
    printf '%s\n' "$VERDICTS" | awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }'
    printf '\nChecks: '
    for what in "no temp files" "kikan audit verify" "kikan db check"; do printf '%s; ' "$what"; done
    printf 'result: %s.\n' "$RESULT"
} >"$REPORT"
say "report: $REPORT; curves: $OUT/soak-memory.png, $OUT/soak-fds.png; samples: $TSV"
if [ ${#FAILED[@]} -gt 0 ]; then
    say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    say "NOT FLAT OR NOT CLEAN: ${FAILED[*]}"
    say "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    exit 1
fi
say "flat and clean"
