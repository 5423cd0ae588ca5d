#!/usr/bin/env python3
"""Runs Kikan's hostile-media corpus through the real `kikan scan` CLI, one
item at a time, and judges every run (issue #12 item 2; KR-10, KR-09).

Usage:
  run-corpus.py --kikan PATH --scand PATH --corpus DIR [--only NAMES]
                [--out REPORT.md] [--json RESULTS.json]
                [--time-bound S] [--mem-bound MIB] [--timeout S]
                [--database PATH]...

For each item of DIR/manifest.json (tests/hostile/make-corpus.py) it runs
`kikan scan --json --timeout S --database ... TARGET` in a fresh
KIKAN_HOME whose kikan.conf accepts the age of the signed test database,
so that `cleared` is a verdict the scan could really give: a check that
it never does means something.  It measures the wall time, the peak
resident memory of the largest Kikan process (kikan, kikan-scand or the
worker: wait4's rusage, which the kernel carries up through every process
that waited for its child) and the peak of their sum (sampled from /proc
every 50 ms), and fails the item when:

  - a Kikan process crashed: kikan's exit status is not 1, 2 or 3 (0 is
    clean; anything else or a signal is a crash), a sanitizer reported an
    error, the daemon failed (target status `error`), or the worker died
    of a signal that no limit or sandbox sends (SIGSEGV, SIGBUS, SIGABRT,
    SIGILL, SIGFPE);
  - there is no report (no JSON document on standard output), or it holds
    a raw control byte (a hostile name not escaped);
  - the result is `clean` or the verdict `cleared` (KR-10: never);
  - the result is not one of the item's expected results;
  - the report is `not_inspected` without naming what was not inspected
    (a file, member or volume with a reason, or a target status with a
    detail);
  - the time or memory bound was exceeded, or the harness had to kill the
    scan (its cap is the --timeout plus 60 s).

It prints a markdown table (input, time, peak memory, result, what was not
inspected) and writes it to --out; the exit status is 1 when any item
failed, 2 on a usage error.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
TIME = "/usr/bin/time"      # GNU time (Debian package time; scripts/install-deps.sh)

# Signals a worker may die of without being a crash: the harness's and
# the daemon's kill (deadline, memory), the sandbox's (seccomp), the
# rlimits'.  Anything else in the worker is a bug in a parser it runs.
ALLOWED_WORKER_SIGNALS = {"SIGKILL", "SIGSYS", "SIGXCPU", "SIGXFSZ", "SIGTERM"}
CRASH_SIGNALS = {"SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE", "SIGTRAP"}
# Bytes that must never reach a terminal or a JSON consumer (docs/json.md):
# C0 controls other than JSON's own whitespace, and DEL.  Names on the
# corpus's media are full of them.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SANITIZER = re.compile(rb"(ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer)|"
                       rb"runtime error:|UndefinedBehaviorSanitizer)")


class Sampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, root_pid, interval=0.05):
        super().__init__(daemon=True)
        self.root = root_pid
        self.interval = interval
        self.peak = 0
        self.pids = set()
        self.stop = threading.Event()

    def tree(self):
        parent = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d, "rb") as f:
                    s = f.read()
                ppid = int(s[s.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parent[int(d)] = ppid
        out = {self.root}
        grew = True
        while grew:
            grew = False
            for pid, pp in parent.items():
                if pp in out and pid not in out:
                    out.add(pid)
                    grew = True
        return out

    def run(self):
        page = os.sysconf("SC_PAGESIZE")
        while not self.stop.is_set():
            total = 0
            pids = self.tree()
            self.pids |= pids
            for pid in pids:
                try:
                    with open("/proc/%d/statm" % pid) as f:
                        total += int(f.read().split()[1]) * page
                except (OSError, ValueError, IndexError):
                    pass
            self.peak = max(self.peak, total)
            self.stop.wait(self.interval)


def scan(kikan, scand, target, databases, timeout, cap, env_extra=None):
    """Runs one `kikan scan`; returns a dict of what happened."""
    home = tempfile.mkdtemp(prefix="kikan-hostile-home-")
    try:
        sigs = os.path.join(home, "no-project-signatures")
        os.makedirs(sigs)
        with open(os.path.join(home, "kikan.conf"), "w") as f:
            # The signed test database is from 2021: accepted as fresh, so
            # that a clean scan would be `cleared` (docs/cli.md).
            f.write("[signatures]\nmax_age_days = 3650\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIKAN_")}
        env.update({"KIKAN_HOME": home, "KIKAN_SIGNATURES_DIR": sigs, "KIKAN_SCAND": scand,
                    "LC_ALL": "C.UTF-8"})
        env.update(env_extra or {})
        argv = [kikan, "scan", "--json", "--timeout", str(timeout)]
        for db in databases:
            argv += ["--database", db]
        argv.append(target)
        out_f = tempfile.TemporaryFile()
        err_f = tempfile.TemporaryFile()
        timing = os.path.join(home, "time.out")
        # GNU time forks kikan from its own small image: a child forked
        # straight from this Python would inherit its memory high-water
        # mark into ru_maxrss (exec folds the old image's into it), and the
        # numbers would be the harness's, not Kikan's.
        wrapped = [TIME, "-o", timing, "-f", "KIKAN-TIME %x %M"] + argv
        t0 = time.monotonic()
        proc = subprocess.Popen(wrapped, stdin=subprocess.DEVNULL, stdout=out_f, stderr=err_f,
                                env=env, start_new_session=True)
        sampler = Sampler(proc.pid)
        sampler.start()
        killed = False
        deadline = t0 + cap
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() > deadline and not killed:
                killed = True
                for p in sorted(sampler.tree(), reverse=True):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.02)
        seconds = time.monotonic() - t0
        sampler.stop.set()
        sampler.join()
        rc, maxrss_kib = os.waitstatus_to_exitcode(status), 0
        try:
            with open(timing) as f:
                text = f.read()
            m = re.search(r"Command terminated by signal (\d+)", text)
            last = re.findall(r"KIKAN-TIME (-?\d+) (\d+)", text)[-1]
            rc = -int(m.group(1)) if m else int(last[0])
            maxrss_kib = int(last[1])
        except (OSError, IndexError):
            # time itself was killed (by the harness's cap): rc says so.
            pass
        # Anything the scan left running is a leak of its own (and would
        # distort the next item's numbers).
        left = [p for p in sampler.pids if p != proc.pid and os.path.exists("/proc/%d" % p)
                and _ancestor_gone(p)]
        out_f.seek(0)
        err_f.seek(0)
        return {"argv": argv, "rc": rc, "seconds": seconds,
                "maxrss": maxrss_kib * 1024, "tree_peak": sampler.peak,
                "stdout": out_f.read(), "stderr": err_f.read(), "killed": killed,
                "left_running": left}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _ancestor_gone(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip().startswith("kikan")
    except OSError:
        return False


def not_inspected_of(doc):
    """[(where, reason, detail)] of everything the report says was not
    inspected: targets that did not complete, volumes, files, members."""
    out = []
    for t in doc.get("targets", []):
        if t.get("status") != "complete":
            out.append(("target", "status:%s" % t.get("status"), t.get("detail")))
        for v in t.get("volumes", []) or []:
            if v.get("result") == "not_inspected":
                out.append(("p%s:" % v.get("index"), "volume:%s" % v.get("reason"),
                            v.get("problem")))
    for f in doc.get("files", []):
        if f.get("result") == "not_inspected":
            out.append((f.get("path"), f.get("reason"), f.get("reason_detail")))
        for m in f.get("members", []) or []:
            if m.get("result") == "not_inspected":
                out.append(("%s>%s" % (f.get("path"), m.get("name")), m.get("reason"),
                            m.get("reason_detail")))
    return out


def judge(item, r, time_bound, mem_bound):
    """Returns (row, failures)."""
    fails = []
    doc = None
    if r["killed"]:
        fails.append("harness killed the scan after %.0f s" % r["seconds"])
    if r["rc"] < 0:
        fails.append("CRASH: kikan died of signal %d" % -r["rc"])
    elif r["rc"] == 0:
        fails.append("CLEARED: exit status 0")
    elif r["rc"] not in (1, 2, 3):
        fails.append("CRASH: kikan exit status %d" % r["rc"])
    m = SANITIZER.search(r["stderr"])
    if m:
        fails.append("CRASH: sanitizer: %s" % m.group(0).decode())
    if r["left_running"]:
        fails.append("processes left running: %s" % r["left_running"])
    m = RAW_CONTROL.search(r["stdout"])
    if m:
        fails.append("raw control byte %r in the JSON report (names not escaped)" % m.group(0))
    try:
        doc = json.loads(r["stdout"].decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != "kikan-scan":
            raise ValueError("not a kikan-scan document")
    except (ValueError, UnicodeDecodeError) as e:
        fails.append("NO REPORT: %s" % e)
        doc = None
    result = verdict = None
    ni = []
    if doc is not None:
        result, verdict = doc.get("result"), doc.get("verdict")
        if result == "clean":
            fails.append("CLEAN: the report says clean")
        if verdict == "cleared":
            fails.append("CLEARED: the verdict is cleared")
        if result not in item["expect"]:
            fails.append("unexpected result %s (expected %s)" % (result,
                                                                  "/".join(item["expect"])))
        for t in doc.get("targets", []):
            st, detail = t.get("status"), t.get("detail") or ""
            if st == "error":
                fails.append("CRASH: the target ended in status error: %s" % detail)
            if st == "worker_failed":
                sig = re.search(r"\b(SIG[A-Z]+)\b", detail)
                num = re.search(r"signal (\d+)", detail)
                name = sig.group(1) if sig else (signal.Signals(int(num.group(1))).name
                                                 if num else None)
                if name in CRASH_SIGNALS or (name and name not in ALLOWED_WORKER_SIGNALS):
                    fails.append("CRASH: worker: %s" % detail)
        ni = not_inspected_of(doc)
        if result == "not_inspected":
            if not ni:
                fails.append("not_inspected without naming what was not inspected")
            for where, reason, _ in ni:
                if not reason or reason.endswith(":None"):
                    fails.append("not inspected without a reason: %s" % where)
    if r["seconds"] > time_bound:
        fails.append("time %.1f s over the bound of %d s" % (r["seconds"], time_bound))
    if r["maxrss"] > mem_bound * 1024 * 1024:
        fails.append("peak RSS %d MiB over the bound of %d MiB" % (r["maxrss"] >> 20,
                                                                    mem_bound))
    reasons = {}
    for _, reason, _ in ni:
        reasons[reason] = reasons.get(reason, 0) + 1
    sigs = sorted({s for f in (doc or {}).get("files", []) for s in f.get("signatures", [])})
    row = {"name": item["name"], "target": item["target"], "kind": item["kind"],
           "attacks": item["attacks"], "expect": item["expect"], "seconds": round(r["seconds"], 2),
           "maxrss_mib": round(r["maxrss"] / 1048576, 1),
           "tree_peak_mib": round(r["tree_peak"] / 1048576, 1),
           "rc": r["rc"], "result": result, "verdict": verdict,
           "files": len((doc or {}).get("files", [])),
           "not_inspected": [{"where": w, "reason": rs, "detail": d} for w, rs, d in ni[:50]],
           "not_inspected_count": len(ni),
           "reasons": reasons, "signatures": sigs, "failures": fails}
    return row, fails


def esc(s):
    """Markdown-safe: the report quotes no bytes from the media except
    reasons (our own words), so only the table's bars need escaping."""
    return str(s).replace("|", "\\|").replace("\n", " ")


def table(rows):
    lines = ["| input | kind | attacks | time (s) | peak RSS, largest process (MiB) | "
             "peak RSS, all Kikan processes (MiB) | exit | result | verdict | "
             "not inspected (reason × count) | ok |",
             "|---|---|---|---:|---:|---:|---:|---|---|---|---|"]
    for r in rows:
        rs = ", ".join("%s × %d" % (k, v) for k, v in sorted(r["reasons"].items())) or "—"
        if r["result"] == "infected":
            rs = ("%s; found: %s" % (rs, ", ".join(r["signatures"]))) if rs != "—" \
                else "found: %s" % ", ".join(r["signatures"])
        lines.append("| `%s` | %s | %s | %.1f | %.0f | %.0f | %s | %s | %s | %s | %s |" % (
            esc(r["name"]), r["kind"], esc(r["attacks"]), r["seconds"], r["maxrss_mib"],
            r["tree_peak_mib"], r["rc"], r["result"], r["verdict"], esc(rs),
            "yes" if not r["failures"] else "**NO**: " + esc("; ".join(r["failures"]))))
    return "\n".join(lines) + "\n"


def default_databases():
    return [os.path.join(TOP, "signatures"),
            os.path.normpath(os.path.join(TOP, "..", "shared", "testdata", "clamav",
                                          "test-6.cvd"))]


def run_corpus(kikan, scand, corpus, only=None, time_bound=120, mem_bound=2048, timeout=300,
               databases=None, log=sys.stderr, env_extra=None):
    """Runs every item of @corpus's manifest (or those in @only); returns
    the rows (see judge())."""
    with open(os.path.join(corpus, "manifest.json")) as f:
        man = json.load(f)
    items = man["items"]
    if only:
        want = set(only)
        missing = want - {i["name"] for i in items}
        if missing:
            raise SystemExit("not in the corpus: %s" % ", ".join(sorted(missing)))
        items = [i for i in items if i["name"] in want]
    if not os.access(TIME, os.X_OK):
        raise SystemExit("%s is missing: run scripts/install-deps.sh (package time)" % TIME)
    databases = databases or default_databases()
    for db in databases:
        if not os.path.exists(db):
            raise SystemExit("database %s is missing" % db)
    rows = []
    for it in items:
        target = os.path.join(corpus, it["target"])
        r = scan(kikan, scand, target, databases, timeout, timeout + 60, env_extra)
        row, fails = judge(it, r, time_bound, mem_bound)
        row["stderr_tail"] = r["stderr"][-2000:].decode("utf-8", "backslashreplace")
        rows.append(row)
        print("%-22s %6.1f s %6.0f MiB  exit %-3s %-14s %-10s %s" % (
            it["name"], row["seconds"], row["maxrss_mib"], row["rc"], row["result"],
            row["verdict"], "ok" if not fails else "FAIL: " + "; ".join(fails)),
            file=log, flush=True)
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kikan", required=True)
    ap.add_argument("--scand", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--only", help="comma-separated item names")
    ap.add_argument("--out")
    ap.add_argument("--json")
    ap.add_argument("--time-bound", type=float, default=120,
                    help="seconds one item may take (default 120)")
    ap.add_argument("--mem-bound", type=int, default=2048,
                    help="MiB of peak RSS of the largest Kikan process (default 2048)")
    ap.add_argument("--timeout", type=int, default=300,
                    help="kikan scan --timeout (default 300); the harness kills at +60 s")
    ap.add_argument("--database", action="append")
    o = ap.parse_args(argv[1:])
    t0 = time.monotonic()
    rows = run_corpus(os.path.abspath(o.kikan), os.path.abspath(o.scand), o.corpus,
                      o.only.split(",") if o.only else None, o.time_bound, o.mem_bound,
                      o.timeout, o.database)
    total = time.monotonic() - t0
    failed = [r for r in rows if r["failures"]]
    md = table(rows)
    md += ("\n%d items, %d failed; %.0f s in all; largest Kikan process over the run: "
           "%.0f MiB; bounds: %.0f s and %d MiB per item.\n" % (
               len(rows), len(failed), total, max([r["maxrss_mib"] for r in rows] or [0]),
               o.time_bound, o.mem_bound))
    sys.stdout.write(md)
    if o.out:
        os.makedirs(os.path.dirname(os.path.abspath(o.out)), exist_ok=True)
        with open(o.out, "w") as f:
            f.write(md)
    if o.json:
        with open(o.json, "w") as f:
            json.dump({"rows": rows, "seconds": total}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
