#!/usr/bin/env python3
"""Turns one bench/run.sh run into a table, PASS/FAIL lines and results.json.

Called by run.sh; reads RUN/times.tsv, the scanners' outputs and kikan's
JSON.  Exit status 3 when a scanner's detections differ from the planted
ones (or from each other); performance targets never change the status.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

TARGETS = {
    "kikan_vs_clamscan_throughput": 1.8,   # kikan scan throughput >= 1.8x clamscan
    "kikan_vs_clamdscan_throughput": 1.0,  # >= clamdscan --multiscan (warm)
    "kikan_load_vs_clamscan_load": 1.0,    # kikan load time <= clamscan load time
}
FOUND = re.compile(r"^(.*): (.+) FOUND$")


def median(xs):
    return statistics.median(xs) if xs else None


def read_times(path):
    out = {}
    with open(path) as f:
        next(f)
        for line in f:
            what, run, secs, status, own, foreign = line.rstrip("\n").split("\t")
            out.setdefault(what, []).append({
                "run": int(run), "seconds": float(secs), "status": int(status),
                "cpu_seconds": float(own) if own else None,
                "others_cpu_seconds": float(foreign) if foreign else None})
    return out


def strip_sig(name):
    return name[:-len(".UNOFFICIAL")] if name.endswith(".UNOFFICIAL") else name


def clam_detections(path, corpus):
    """{relative path: [signatures]} and error lines from clamscan/clamdscan output."""
    found, errors = {}, []
    prefix = corpus.rstrip("/") + "/"
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = FOUND.match(line)
            if m:
                p = m.group(1)
                rel = p[len(prefix):] if p.startswith(prefix) else p
                found.setdefault(rel, []).append(strip_sig(m.group(2)))
            elif line.endswith(" ERROR") or "WARNING" in line:
                errors.append(line)
    return found, errors


def kikan_detections(doc):
    found = {}
    for f in doc.get("files", []):
        if f.get("result") == "infected":
            found[f["path"]] = [strip_sig(s) for s in f.get("signatures", [])]
    return found


def compare(name, found, expected):
    """Returns a list of problems (empty when the detections are exactly the planted ones)."""
    problems = []
    for path, sig in sorted(expected.items()):
        if path not in found:
            problems.append("%s missed %s (%s)" % (name, path, sig))
        elif sig not in found[path]:
            problems.append("%s: %s matched %s, expected %s" % (name, path, found[path], sig))
    for path in sorted(set(found) - set(expected)):
        problems.append("%s: unexpected detection %s: %s" % (name, path, found[path]))
    return problems


def machine():
    info = {"nproc": os.cpu_count(), "cpu": None, "mem_gib": None, "os": None,
            "debian_version": None, "kernel": platform.release(), "libclamav": None}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["os"] = line.split("=", 1)[1].strip().strip('"')
        with open("/etc/debian_version") as f:
            info["debian_version"] = f.read().strip()
    except OSError:
        pass
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libclamav12"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            info["libclamav"] = out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def fmt(x, spec="%.2f"):
    return "n/a" if x is None else spec % x


def main():
    ap = argparse.ArgumentParser()
    for a in ("run", "meta", "db", "size", "seed", "runs", "jobs", "clamd-threads", "corpus",
              "kikan", "clamscan", "cpus-used",
              "pin", "cmd-clamscan", "cmd-clamdscan", "cmd-kikan", "out"):
        ap.add_argument("--" + a, default="")
    a = ap.parse_args()
    with open(a.meta) as f:
        meta = json.load(f)
    with open(os.path.join(a.db, ".stamp")) as f:
        dbstamp = json.load(f)
    times = read_times(os.path.join(a.run, "times.tsv"))
    B, N = meta["bytes"], meta["files"]
    expected = {e["path"]: e["signature"] for e in meta["expected"]}
    problems, notes = [], []

    def secs(what):
        return [t["seconds"] for t in times.get(what, [])]

    # clamscan
    cs_load = median(secs("clamscan-empty"))
    cs_total = median(secs("clamscan"))
    cs_scan = cs_total - cs_load
    known = None
    with open(os.path.join(a.run, "clamscan-empty-1.out")) as f:
        m = re.search(r"Known viruses: (\d+)", f.read())
        known = int(m.group(1)) if m else None
    if known != dbstamp["total"]:
        problems.append("clamscan loaded %s signatures, the database has %d"
                        % (known, dbstamp["total"]))
    with open(os.path.join(a.run, "clamscan-empty-1.err"), errors="replace") as f:
        err = [l.strip() for l in f if l.strip()]
    if err:
        notes.append("clamscan printed while loading: " + " | ".join(err[:5]))
    cs_found = None
    for r in range(1, int(a.runs) + 1):
        found, errs = clam_detections(os.path.join(a.run, "clamscan-%d.out" % r), a.corpus)
        if errs:
            notes.append("clamscan run %d: %d error lines, e.g. %s" % (r, len(errs), errs[0]))
        if cs_found is None:
            cs_found = found
        elif found != cs_found:
            problems.append("clamscan run %d found %s, run 1 found %s" % (r, found, cs_found))
    problems += compare("clamscan", cs_found, expected)

    # clamd
    cd_load = median(secs("clamd-load"))
    cd_scan = median(secs("clamdscan-multiscan"))
    cd_found, errs = clam_detections(os.path.join(a.run, "clamdscan-warm.out"), a.corpus)
    if errs:
        notes.append("clamdscan: %d error lines, e.g. %s" % (len(errs), errs[0]))
    problems += compare("clamdscan", cd_found, expected)
    for r in range(1, int(a.runs) + 1):
        found, _ = clam_detections(os.path.join(a.run, "clamdscan-%d.out" % r), a.corpus)
        if found != cd_found:
            problems.append("clamdscan run %d found %s, warm-up found %s" % (r, found, cd_found))

    # kikan
    k = None
    if a.kikan:
        loads, scans, walls, docs = [], [], secs("kikan"), []
        for r in range(1, int(a.runs) + 1):
            p = os.path.join(a.run, "kikan-%d.json" % r)
            try:
                with open(p) as f:
                    doc = json.load(f)
            except (OSError, ValueError) as e:
                problems.append("kikan run %d: no valid JSON in %s (%s)" % (r, p, e))
                continue
            docs.append(doc)
            loads.append(doc["engine"]["load_seconds"])
            scans.append(doc["summary"]["seconds"])
        if docs:
            d0 = docs[0]
            s = d0["summary"]
            k = {"load_seconds": median(loads), "scan_seconds": median(scans),
                 "wall_seconds": median(walls), "runs_load": loads, "runs_scan": scans,
                 "runs_wall": walls, "files": s.get("files"), "bytes": s.get("bytes"),
                 "not_inspected": s.get("not_inspected"),
                 "signatures": d0["engine"].get("signatures"),
                 "engine_version": d0["engine"].get("version"),
                 "sandbox": [t.get("sandbox") for t in d0.get("targets", [])],
                 "status": [t.get("status") for t in d0.get("targets", [])]}
            k["throughput_mb_s"] = B / k["scan_seconds"] / 1e6 if k["scan_seconds"] else None
            k["cores_used"] = None  # filled below, once the CPU accounting is read
            k["overhead_seconds"] = k["wall_seconds"] - k["scan_seconds"]
            if k["signatures"] is not None and k["signatures"] < dbstamp["total"]:
                problems.append("kikan loaded %s signatures, the database has %d"
                                % (k["signatures"], dbstamp["total"]))
            if s.get("bytes") is not None and s["bytes"] != B:
                notes.append("kikan counted %s bytes, the corpus has %d" % (s["bytes"], B))
            if s.get("files") is not None and s["files"] != N:
                notes.append("kikan counted %s files, the corpus has %d" % (s["files"], N))
            if any(st != "complete" for st in k["status"]):
                problems.append("kikan target status %s" % k["status"])
            if s.get("not_inspected"):
                reasons = {}
                for f in d0.get("files", []):
                    if f.get("result") == "not_inspected":
                        key = "%s (%s)" % (f.get("reason"), f.get("reason_detail"))
                        reasons.setdefault(key, []).append(f["path"])
                notes.append("kikan: %d files not inspected: %s" % (s["not_inspected"], "; ".join(
                    "%s x%d e.g. %s" % (key, len(v), v[0]) for key, v in sorted(reasons.items()))))
            kfound = kikan_detections(d0)
            problems += compare("kikan", kfound, expected)
            for r, doc in enumerate(docs[1:], 2):
                if kikan_detections(doc) != kfound:
                    problems.append("kikan run %d detections differ from run 1" % r)

    # A busy machine: other processes took CPU on our cores during a timed run.
    cpus = int(a.cpus_used or os.cpu_count() or 1)
    busy = []
    for what, rs in sorted(times.items()):
        for t in rs:
            f = t.get("others_cpu_seconds")
            if f is not None and t["seconds"] > 0 and f / (t["seconds"] * cpus) > 0.10:
                busy.append("%s run %d: other processes used %.0f%% of the %d CPUs"
                            % (what, t["run"], 100 * f / (t["seconds"] * cpus), cpus))
    if busy:
        notes.append("BUSY MACHINE, numbers less reliable: " + "; ".join(busy))

    def cores(what):  # CPU seconds per wall second, median over runs
        v = [t["cpu_seconds"] / t["seconds"] for t in times.get(what, [])
             if t.get("cpu_seconds") is not None and t["seconds"] > 0]
        return median(v)

    def cpu_secs(what):
        return median([t["cpu_seconds"] for t in times.get(what, [])
                       if t.get("cpu_seconds") is not None])

    if k:
        k["cores_used"] = cores("kikan")  # over the whole run, load included

    # CPU efficiency: MB scanned per CPU-second of scanning.  Robust against
    # time-sharing with other processes (not against cache contention), and
    # it separates "slow per byte" from "keeps fewer cores busy".
    eff = {}
    c_empty, c_cs = cpu_secs("clamscan-empty"), cpu_secs("clamscan")
    if c_empty is not None and c_cs and c_cs > c_empty:
        eff["clamscan"] = B / (c_cs - c_empty) / 1e6
    c_cd = cpu_secs("clamdscan-multiscan")
    if c_cd:
        eff["clamdscan_multiscan"] = B / c_cd / 1e6
    c_k = cpu_secs("kikan")
    if k and c_k and k["load_seconds"] is not None and c_k > k["load_seconds"]:
        # the engine load is single-threaded: its CPU time is about its wall time
        eff["kikan"] = B / (c_k - k["load_seconds"]) / 1e6
    cs_thr = B / cs_scan / 1e6 if cs_scan and cs_scan > 0 else None
    cd_thr = B / cd_scan / 1e6 if cd_scan else None
    ratios, verdicts = {}, {}
    if k and k["throughput_mb_s"]:
        ratios["kikan_vs_clamscan_throughput"] = k["throughput_mb_s"] / cs_thr if cs_thr else None
        ratios["kikan_vs_clamdscan_throughput"] = k["throughput_mb_s"] / cd_thr if cd_thr else None
        ratios["kikan_load_vs_clamscan_load"] = k["load_seconds"] / cs_load if cs_load else None
        ratios["kikan_overhead_vs_clamscan_load"] = (k["overhead_seconds"] / cs_load
                                                     if cs_load else None)
        for key, target in TARGETS.items():
            v = ratios.get(key)
            if v is None:
                verdicts[key] = "n/a"
            elif key == "kikan_load_vs_clamscan_load":
                verdicts[key] = "PASS" if v <= target else "FAIL"
            else:
                verdicts[key] = "PASS" if v >= target else "FAIL"

    mach = machine()
    res = {
        "format": "kikan-bench", "format_version": 1,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "size": a.size, "seed": a.seed, "runs": int(a.runs), "jobs": int(a.jobs),
        "clamd_max_threads": int(a.clamd_threads),
        "pinned": a.pin or None, "machine": mach,
        "corpus": {"files": N, "bytes": B, "by_kind": meta["by_kind"],
                   "expected_detections": meta["expected"]},
        "database": {"signatures": dbstamp["signatures"], "total": dbstamp["total"],
                     "clamscan_known": known},
        "commands": {"clamscan": a.cmd_clamscan, "clamdscan": a.cmd_clamdscan,
                     "kikan": a.cmd_kikan},
        "clamscan": {"load_seconds": cs_load, "total_seconds": cs_total, "scan_seconds": cs_scan,
                     "throughput_mb_s": cs_thr, "runs_load": secs("clamscan-empty"),
                     "runs_total": secs("clamscan"), "cores_used": cores("clamscan")},
        "clamdscan_multiscan": {"load_seconds": cd_load, "scan_seconds": cd_scan,
                                "throughput_mb_s": cd_thr, "runs_load": secs("clamd-load"),
                                "runs_scan": secs("clamdscan-multiscan"),
                                "cores_used": cores("clamdscan-multiscan")},
        "kikan": k if k else {"pending": "kikan was not built or not found"},
        "mb_per_cpu_second": eff,
        "ratios": ratios, "targets": {key: {"target": TARGETS[key], "result": verdicts.get(
            key, "pending")} for key in TARGETS},
        "detections_agree": not problems, "problems": problems, "notes": notes,
        "timings": times,
    }
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(a.run, "results.json"), "w") as f:
        json.dump(res, f, indent=1)

    # ---- table ----
    rows = [("clamscan", cs_load, cs_scan, cs_total, cs_thr, cores("clamscan")),
            ("clamdscan --multiscan (warm)", cd_load, cd_scan, cd_scan, cd_thr,
             cores("clamdscan-multiscan"))]
    clamd_note = ("clamd: MaxThreads %s (%s scanning threads + the MULTISCAN walker), "
                  "DisableCache yes" % (a.clamd_threads, int(a.clamd_threads) - 1))
    if k:
        rows.append(("kikan scan --jobs %s" % a.jobs, k["load_seconds"], k["scan_seconds"],
                     k["wall_seconds"], k["throughput_mb_s"], k["cores_used"]))
    else:
        rows.append(("kikan scan --jobs %s" % a.jobs, None, None, None, None, None))
    head = ("scanner", "load s", "scan s", "wall s", "scan MB/s", "CPUs busy")
    lines = ["| %-30s | %8s | %8s | %8s | %9s | %9s |" % head,
             "|%s|%s|%s|%s|%s|%s|" % ("-" * 32, "-" * 9 + ":", "-" * 9 + ":", "-" * 9 + ":",
                                      "-" * 10 + ":", "-" * 10 + ":")]
    for name, ld, sc, wl, th, co in rows:
        pending = not k and name == rows[-1][0]
        lines.append("| %-30s | %8s | %8s | %8s | %9s | %9s |" % (
            name, fmt(ld), fmt(sc), fmt(wl), "pending" if pending else fmt(th, "%.1f"),
            "pending" if pending else fmt(co)))
    rlines = []
    labels = {"kikan_vs_clamscan_throughput": ("kikan / clamscan scan throughput", ">= 1.80"),
              "kikan_vs_clamdscan_throughput": ("kikan / clamdscan --multiscan throughput",
                                                ">= 1.00"),
              "kikan_load_vs_clamscan_load": ("kikan load / clamscan load", "<= 1.00")}
    for key, (label, tgt) in labels.items():
        v = ratios.get(key)
        rlines.append("| %-42s | %6s | %7s | %-7s |" % (label, fmt(v) if k else "pending", tgt,
                                                         verdicts.get(key, "pending")))
    hdr = ("Kikan benchmark: size %s, seed %s, median of %s runs, %s jobs/threads; corpus %d "
           "files, %.1f MB (%d bytes); database %d signatures"
           % (a.size, a.seed, a.runs, a.jobs, N, B / 1e6, B, dbstamp["total"]))
    mline = ("machine: %s CPUs (%s), %s GiB RAM, %s (Debian %s), libclamav %s"
             % (mach["nproc"], mach["cpu"], mach["mem_gib"], mach["os"], mach["debian_version"],
                mach["libclamav"]))
    table = "\n".join([hdr, mline, clamd_note, "", *lines, "",
                       "| %-42s | %6s | %7s | %-7s |" % ("ratio", "value", "target", "result"),
                       "|%s|%s:|%s|%s|" % ("-" * 44, "-" * 7, "-" * 9, "-" * 9), *rlines])
    if k:
        table += ("\n\nkikan wall time minus scan time (process start, daemon spawn, engine load, "
                  "exit): %.2f s (%.2fx clamscan's empty-folder run)"
                  % (k["overhead_seconds"], ratios["kikan_overhead_vs_clamscan_load"]))
    if eff:
        table += ("\n\nCPU efficiency, MB scanned per CPU-second (indifferent to other processes "
                  "taking turns on the CPUs): " + ", ".join(
                      "%s %.1f" % (n, v) for n, v in eff.items()))
    with open(os.path.join(a.run, "results.md"), "w") as f:
        f.write(table + "\n")
    print()
    print(table)
    print()
    for key in TARGETS:
        print("TARGET %-32s %s" % (key, verdicts.get(key, "PENDING (no kikan build)")))
    for n in notes:
        print("NOTE: " + n)
    print("results: %s" % a.out)
    if problems:
        bar = "!" * 78
        print("\n%s\nDETECTION MISMATCH: the scanners do not agree on the planted files\n" % bar,
              file=sys.stderr)
        for p in problems:
            print("  - " + p, file=sys.stderr)
        print(bar, file=sys.stderr)
        return 3
    print("detections: all scanners found exactly the %d planted files" % len(expected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
