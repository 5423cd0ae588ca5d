#!/usr/bin/env python3
"""Per-module coverage and the targets of issue #12 item 6, from gcovr's JSON.

    scripts/coverage-report.py --top DIR --json FILE --out FILE.md

A module is a folder of the architecture (DESIGN "Modules"): scanner/, and
each folder of kiosk/ and ui/ (ui/main.c counts as ui/app).  Targets:

  - every module: at least 80% of its lines run by the suite;
  - the verdict engine, kiosk/checkin/verdict.c: 100% of its branches;
  - the worker's fail-closed functions (FAIL_CLOSED below: the places in
    scanner/worker.c that turn an error, a limit or a refusal into "not
    inspected" for the kiosk): 100% of their branches.

A function's extent is from its first line to the line before the next
function of the file (gcovr 5 gives start lines only); the lines between
two functions hold no branches.  Writes a markdown fragment for
docs/robustness.md and prints it.  Exit status 1 when a target is missed.
"""

import argparse
import json
import os
import sys

LINE_TARGET = 80.0

# scanner/worker.c: where the worker decides that something was not
# inspected, or that a target cannot be read at all (KR-10).  A branch
# missed here is a way to a verdict no test has seen.
FAIL_CLOSED = {
    "scanner/worker.c": [
        "send_not_inspected",  # a file that cannot be inspected, with its reason
        "finish_report",       # the engine's result or error becomes the report
        "open_media_file",     # a file on a medium that cannot be opened
        "scan_job",            # one file: read errors, changes, limits
        "send_media_entry",    # an entry the media walk could not read
        "nested_image",        # an image inside a medium: depth and size limits
        "refuse",              # a target refused as a whole
    ],
}
FULL_BRANCH_FILES = ["kiosk/checkin/verdict.c"]


def module_of(path):
    parts = path.split("/")
    if parts[0] == "scanner":
        return "scanner"
    if parts[0] in ("kiosk", "ui"):
        if len(parts) == 2:
            return parts[0] + "/app"
        return parts[0] + "/" + parts[1]
    return None


def code_lines(f):
    return [ln for ln in f["lines"] if not ln.get("gcovr/noncode", False)]


def branch_counts(lines):
    total = hit = 0
    for ln in lines:
        for br in ln.get("branches", []):
            total += 1
            hit += br["count"] > 0
    return total, hit


def missed_branches(lines):
    return [ln["line_number"] for ln in lines
            if any(br["count"] == 0 for br in ln.get("branches", []))]


def function_extents(f):
    starts = sorted((fn["lineno"], fn["name"]) for fn in f.get("functions", []))
    last = max((ln["line_number"] for ln in f["lines"]), default=0)
    extents = {}
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] - 1 if i + 1 < len(starts) else last
        extents[name] = (start, end)
    return extents


def pct(hit, total):
    return 100.0 * hit / total if total else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--build", default=None)
    args = ap.parse_args()
    with open(args.json, encoding="utf-8") as fh:
        doc = json.load(fh)
    files = {}
    for f in doc["files"]:
        rel = os.path.relpath(os.path.join(args.top, f["file"]), args.top) \
            if not os.path.isabs(f["file"]) else os.path.relpath(f["file"], args.top)
        files[rel] = f

    modules = {}
    for rel, f in files.items():
        m = module_of(rel)
        if m is None:
            continue
        lines = code_lines(f)
        lt = len(lines)
        lh = sum(1 for ln in lines if ln["count"] > 0)
        bt, bh = branch_counts(lines)
        acc = modules.setdefault(m, [0, 0, 0, 0])
        acc[0] += lt
        acc[1] += lh
        acc[2] += bt
        acc[3] += bh

    failed = []
    out = ["| module | lines | lines run | % lines | branches | % branches | ≥ 80% lines |",
           "|---|---:|---:|---:|---:|---:|---|"]
    for m in sorted(modules):
        lt, lh, bt, bh = modules[m]
        ok = pct(lh, lt) >= LINE_TARGET
        if not ok:
            failed.append("%s: %.1f%% of lines" % (m, pct(lh, lt)))
        out.append("| `%s/` | %d | %d | %.1f | %d | %.1f | %s |"
                   % (m, lt, lh, pct(lh, lt), bt, pct(bh, bt), "yes" if ok else "**no**"))
    total = [sum(v[i] for v in modules.values()) for i in range(4)]
    out.append("| **all** | %d | %d | %.1f | %d | %.1f | |"
               % (total[0], total[1], pct(total[1], total[0]), total[2], pct(total[3], total[2])))

    out += ["", "| 100% of branches | branches | run | % | not run (lines) |",
            "|---|---:|---:|---:|---|"]
    for rel in FULL_BRANCH_FILES:
        f = files.get(rel)
        if f is None:
            failed.append("%s: no coverage data" % rel)
            out.append("| `%s` | — | — | — | no data |" % rel)
            continue
        lines = code_lines(f)
        bt, bh = branch_counts(lines)
        miss = missed_branches(lines)
        if bh < bt:
            failed.append("%s: %d of %d branches" % (rel, bh, bt))
        out.append("| `%s` (whole file) | %d | %d | %.1f | %s |"
                   % (rel, bt, bh, pct(bh, bt), ", ".join(map(str, miss)) or "—"))
    for rel, names in FAIL_CLOSED.items():
        f = files.get(rel)
        if f is None:
            failed.append("%s: no coverage data" % rel)
            continue
        extents = function_extents(f)
        lines = code_lines(f)
        for name in names:
            if name not in extents:
                failed.append("%s: function %s not found" % (rel, name))
                out.append("| `%s` `%s()` | — | — | — | not found |" % (rel, name))
                continue
            lo, hi = extents[name]
            mine = [ln for ln in lines if lo <= ln["line_number"] <= hi]
            bt, bh = branch_counts(mine)
            miss = missed_branches(mine)
            if bh < bt:
                failed.append("%s %s(): %d of %d branches" % (rel, name, bh, bt))
            out.append("| `%s` `%s()` | %d | %d | %.1f | %s |"
                       % (rel, name, bt, bh, pct(bh, bt), ", ".join(map(str, miss)) or "—"))

    out += ["", "Targets missed: " + ("none" if not failed else "; ".join(failed)) + "."]
    text = "\n".join(out) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    sys.stdout.write(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
