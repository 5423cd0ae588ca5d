#!/usr/bin/env python3
"""Sums the fuzzing tally (tests/fuzz/cpu-time.tsv, written by
scripts/fuzz.sh --tally) per harness, for docs/robustness.md.

    scripts/fuzz-tally.py [TSV]
    scripts/fuzz-tally.py --least [TSV]
    scripts/fuzz-tally.py --order [TSV]


Prints a markdown table: harness, runs, CPU time (user + system), executions,
findings, and how far each is from the target of one CPU-hour per harness
over the project's life (issue #12 item 1).  Harnesses that exist under
tests/fuzz/ but were never run are listed with zero, so none hides.
--least prints only the name of the harness with the least CPU time (for
scripts/fuzz-background.sh, which always feeds the one furthest behind);
--order prints every name, least CPU time first, one a line (for its
--jobs N loops, which take the first one no other loop is running).
"""
import csv
import glob
import os
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
least = "--least" in args
order = "--order" in args
args = [a for a in args if a not in ("--least", "--order")]
path = args[0] if args else os.path.join(top, "tests/fuzz/cpu-time.tsv")
rows = {}
for f in glob.glob(os.path.join(top, "tests/fuzz/fuzz-*.c")):
    name = os.path.basename(f)[5:-2]
    if name != "standalone":
        rows[name] = [0, 0.0, 0, 0]
if os.path.exists(path):
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            acc = rows.setdefault(r["harness"], [0, 0.0, 0, 0])
            acc[0] += 1
            acc[1] += float(r["user_s"]) + float(r["sys_s"])
            acc[2] += int(r["execs"] or 0)
            # "starved": a wall-clock timeout at nice 19 whose input needs
            # little CPU alone (scripts/fuzz.sh); counted as no finding.
            acc[3] += r["result"] not in ("ok", "starved")
if order:
    print("\n".join(sorted(sorted(rows), key=lambda name: rows[name][1])))
    sys.exit(0)
if least:
    print(min(sorted(rows), key=lambda name: rows[name][1]))
    sys.exit(0)
print("| harness | runs | CPU time | executions | findings | of 1 CPU-hour |")
print("|---|---:|---:|---:|---:|---:|")
tot = [0, 0.0, 0, 0]
for name in sorted(rows):
    n, cpu, ex, bad = rows[name]
    tot = [tot[0] + n, tot[1] + cpu, tot[2] + ex, tot[3] + bad]
    print("| `fuzz-%s` | %d | %d min | %s | %d | %d%% |"
          % (name, n, round(cpu / 60), format(ex, ","), bad, min(100, round(100 * cpu / 3600))))
print("| **all %d** | %d | %.1f h | %s | %d | |"
      % (len(rows), tot[0], tot[1] / 3600, format(tot[2], ","), tot[3]))
