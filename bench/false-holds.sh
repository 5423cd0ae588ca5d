#!/bin/bash
# False holds on clean trees (issue #8 item 5): how often `kikan scan`
# answers not_inspected on content nobody would call suspicious.
#
#   bench/false-holds.sh BUILD_DIR TREE...
#
# Scans each TREE (a folder, an image or a device) with BUILD_DIR's kikan
# and the project signatures (signatures/: one harmless test signature, so
# the engine's parsers are what is measured, not a signature set), then
# prints, per tree: files, wall time, not_inspected count, and the
# not_inspected files by reason and by cause (reason_detail with numbers
# and quoted names folded away), with one example path per cause.  The
# JSON documents are kept in $KIKAN_FALSE_HOLDS_OUT when it is set.
# Results and the commands used are in docs/media.md, "False holds on
# clean trees".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/false-holds.sh BUILD_DIR TREE..." >&2; exit 2; }
build=$1
shift
kikan=$build/kiosk/kikan
[ -x "$kikan" ] || { echo "bench/false-holds.sh: $kikan is missing (build first)" >&2; exit 2; }

work=$(mktemp -d /tmp/kikan-false-holds.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
out=${KIKAN_FALSE_HOLDS_OUT:-$work}
mkdir -p "$out"

n=0
for tree in "$@"; do
    n=$((n + 1))
    doc=$out/scan-$n.json
    start=$(date +%s.%N)
    rc=0
    KIKAN_HOME=$work/home "$kikan" scan --json --jobs "${JOBS:-2}" \
        --database "$src/signatures" "$tree" >"$doc" 2>"$out/scan-$n.err" || rc=$?
    end=$(date +%s.%N)
    python3 - "$tree" "$doc" "$rc" "$start" "$end" <<'EOF'
import collections, json, re, sys
tree, path, rc, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
try:
    with open(path) as f:
        doc = json.load(f)
except Exception as e:
    print("%s: no JSON document (exit %d): %s" % (tree, rc, e))
    sys.exit(0)
files = doc.get("files", [])
held = [f for f in files if f.get("result") == "not_inspected"]
by_reason = collections.Counter(f.get("reason") for f in held)
by_cause = collections.Counter()
example = {}
for f in held:
    d = f.get("reason_detail") or ""
    d = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", d)
    d = re.sub(r"\d+", "N", d)
    key = (f.get("reason"), d[:90])
    by_cause[key] += 1
    example.setdefault(key, f.get("path"))
vols = [v for t in doc.get("targets", []) for v in t.get("volumes", [])
        if v.get("result") == "not_inspected"]
sym = sum(1 for f in files if f.get("link_target") is not None)
nested = sum(1 for f in files if "!" in f.get("path", ""))
print("== %s" % tree)
print("files %d, not_inspected %d (%.3f%%), volumes not_inspected %d, exit %d, %.1f s"
      % (len(files), len(held), 100.0 * len(held) / max(1, len(files)), len(vols), rc,
         end - start))
print("symbolic links listed clean %d, files inside nested disk images %d" % (sym, nested))
print("  %-16s %8s" % ("reason", "files"))
for r, c in by_reason.most_common():
    print("  %-16s %8d" % (r, c))
print("  %-16s %8s  %-90s  %s" % ("reason", "files", "cause (reason_detail, numbers folded)",
                                  "example"))
for (r, d), c in by_cause.most_common():
    print("  %-16s %8d  %-90s  %s" % (r, c, d, example[(r, d)]))
for v in vols:
    print("  volume p%s: %s (%s)" % (v.get("index"), v.get("reason"), v.get("problem")))
EOF
done
