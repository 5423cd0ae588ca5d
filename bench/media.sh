#!/bin/bash
# Media benchmark (issue #3): scans 20,000 small files once inside an ext4
# disk image and once as the same files in a folder, and prints
#
#   - wall time and files/s and MB/s of each, and the image/folder ratio;
#   - peak RSS (VmHWM) of the kikan CLI, kikan-scand and every kikan-worker
#     during each scan, sampled from /proc every 20 ms (VmHWM is the
#     process's own high-water mark, so the last sample is its peak).
#
#   [REPEAT=3] bench/media.sh [BUILD_DIR] [N_FILES]
#
# Each scan runs REPEAT times (image and folder alternating) and the medians
# are reported: timings on a shared VM vary by up to 2x between runs.
# BUILD_DIR defaults to $KIKAN_BUILD or ./build; N_FILES to 20000.  The
# database is the signed upstream test-6.cvd of ../shared/testdata (one
# signature: the engine's own cost, not the signature set's, is measured).
# The test integration.media.20000_files asserts only correctness; these
# numbers go to docs/benchmarks.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=${1:-${KIKAN_BUILD:-$src/build}}
n=${2:-20000}
kikan=$build/kiosk/kikan
scand=$build/scanner/kikan-scand
shared=${KIKAN_SHARED_TESTDATA:-$src/../shared/testdata}
for f in "$kikan" "$scand" "$shared/clamav/test-6.cvd"; do
    [ -e "$f" ] || { echo "bench/media.sh: $f is missing (build first: cmake --build $build)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/kikan-bench-media.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/db" "$work/nosigs"
cp "$shared/clamav/test-6.cvd" "$work/db/"

echo "making the image: $n files in ext4 (tests/fixtures/make-media.py many-files)..." >&2
python3 "$src/tests/fixtures/make-media.py" --shared-testdata "$shared" --many "$n" --keep-tree \
    "$work/media" many-files

KIKAN_BIN=$kikan KIKAN_SCAND_BIN=$scand WORK=$work python3 - "$work/media/many-files.img" \
    "$work/media/many-files.d" <<'EOF'
import json, os, subprocess, sys, time

kikan, scand, work = os.environ["KIKAN_BIN"], os.environ["KIKAN_SCAND_BIN"], os.environ["WORK"]
env = {k: v for k, v in os.environ.items() if not k.startswith("KIKAN_")}
env.update(KIKAN_HOME=work + "/home", KIKAN_SIGNATURES_DIR=work + "/nosigs",
           KIKAN_SCAND=scand, LC_ALL="C.UTF-8")


def children_of(root):
    """{pid: comm} of @root's descendants (and @root)."""
    parent = {}
    comm = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read()
        except OSError:
            continue
        r = st.rindex(b")")
        parent[int(d)] = int(st[r + 2:].split()[1])
        comm[int(d)] = st[st.index(b"(") + 1:r].decode("utf-8", "replace")
    out = {}
    mark = ("KIKAN_HOME=" + env["KIKAN_HOME"]).encode()
    for pid in parent:
        p, hops = pid, 0
        while p and hops < 64:
            if p == root:
                out[pid] = comm[pid]
                break
            p = parent.get(p, 0)
            hops += 1
        if pid not in out and comm[pid].startswith("kikan"):
            # A daemon that detached: known by this run's KIKAN_HOME.
            try:
                with open("/proc/%d/environ" % pid, "rb") as f:
                    if mark in f.read().split(b"\0"):
                        out[pid] = comm[pid]
            except OSError:
                pass
    return out


def hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def scan(target):
    argv = [kikan, "scan", "--json", "--database", work + "/db", target]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    peaks = {}   # pid -> (comm, peak KiB)
    import threading
    out = {}

    def reader():
        out["stdout"], out["stderr"] = p.communicate()
    th = threading.Thread(target=reader)
    th.start()
    while th.is_alive():
        for pid, comm in children_of(p.pid).items():
            h = hwm_kib(pid)
            if h is not None:
                old = peaks.get(pid, (comm, 0))[1]
                peaks[pid] = (comm, max(old, h))
        time.sleep(0.02)
    th.join()
    secs = time.monotonic() - t0
    doc = json.loads(out["stdout"].decode())
    by_comm = {}
    for pid, (comm, kib) in peaks.items():
        by_comm.setdefault(comm, []).append(kib)
    return doc, p.returncode, secs, by_comm


reps = int(os.environ.get("REPEAT", "3"))
wall = {"image": [], "folder": []}
peak = {"image": {}, "folder": {}}
summary = {}
for rep in range(reps):
    # Alternate, so that a noisy neighbour hurts both alike.
    for label, target in (("image", sys.argv[1]), ("folder", sys.argv[2])):
        doc, rc, secs, rss = scan(target)
        s = doc["summary"]
        summary[label] = s
        wall[label].append(secs)
        for comm, kibs in rss.items():
            peak[label][comm] = max([peak[label].get(comm, 0)] + kibs)
        print("run %d %-6s exit %d, %s: %d files, %.1f MB, %d clean, %.2f s wall "
              "(%.2f s in the worker)" %
              (rep + 1, label, rc, doc["result"], s["files"], s["bytes"] / 1e6, s["clean"], secs,
               doc["targets"][0]["seconds"]))


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


print()
for label in ("image", "folder"):
    s, m = summary[label], median(wall[label])
    print("%-6s median of %d: %.2f s, %.0f files/s, %.2f MB/s; peak RSS %s" %
          (label, reps, m, s["files"] / m, s["bytes"] / 1e6 / m,
           ", ".join("%s %.1f MiB" % (c, k / 1024) for c, k in sorted(peak[label].items()))))
print("image/folder throughput ratio: %.2f (files/s, medians)" %
      (median(wall["folder"]) / median(wall["image"])))
EOF
