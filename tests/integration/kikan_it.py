"""Shared helpers of Kikan's integration tests (python3 standard library).

The tests drive the real binaries: `kikan` (the CLI) and `kikan-scand`, with
real libclamav, on fixtures generated at build time (tests/fixtures/) and on
real samples (../shared/testdata, /usr/share/clamav-testfiles).

Paths come from the environment, set by tests/integration/integration.cmake:

  KIKAN_IT_KIKAN            the kikan CLI
  KIKAN_IT_SCAND            kikan-scand
  KIKAN_IT_FIXTURES         ${KIKAN_FIXTURES_DIR} (selftest/, demo/, cases/)
  KIKAN_IT_SIGNATURES       the project's signatures/ folder
  KIKAN_IT_SHARED_TESTDATA  ../shared/testdata
  KIKAN_IT_CLAMAV_TESTFILES /usr/share/clamav-testfiles

A missing prerequisite is a FAILURE with a message, never a skip.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

RESULTS = ("clean", "infected", "not_inspected")
RANK = {"clean": 0, "not_inspected": 1, "infected": 2}
REASONS = ("encrypted", "limit_exceeded", "parse_error", "read_error", "timeout",
           "worker_failed", "unsupported", "symlink", "engine_error", "changed",
           "inconsistent")
STATUSES = ("complete", "worker_failed", "timeout", "error")
# "null" (a string) names the null backend; JSON null means no worker ran.
SANDBOXES = ("seccomp+landlock", "seccomp", "null", None)
EXTRACTORS = ("clamav", "libarchive", "libunarr")
EXIT_FOR_RESULT = {"clean": 0, "infected": 1, "not_inspected": 2}

# Defaults documented in include/kikan/engine.h and docs/json.md.
DEFAULT_LIMITS = {"max_filesize": 104857600, "max_scansize": 419430400,
                  "max_recursion": 16, "max_files": 10000, "max_scantime_ms": 120000}

SCAN_TIMEOUT = 600

# Raw bytes that must never reach a terminal or a JSON consumer: C0 controls
# other than the whitespace JSON itself may use, and DEL.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def exit_for_doc(doc):
    """The exit status a kikan-scan document implies: the malware result's,
    and 3 when that is clean but software findings block (issue #4,
    docs/json.md "Exit status of kikan scan")."""
    rc = EXIT_FOR_RESULT[doc["result"]]
    if rc == 0 and any(t.get("software", {}).get("verdict", "cleared") != "cleared"
                       for t in doc.get("targets", [])):
        rc = 3
    return rc


def env_path(name, is_dir=None):
    v = os.environ.get(name)
    if not v:
        raise AssertionError("%s is not set: run this test through ctest "
                             "(tests/integration/integration.cmake sets it)" % name)
    if is_dir is True and not os.path.isdir(v):
        raise AssertionError("%s=%s: no such directory (prerequisite missing)" % (name, v))
    if is_dir is False and not os.path.isfile(v):
        raise AssertionError("%s=%s: no such file (prerequisite missing)" % (name, v))
    return v


def kikan_bin():
    p = env_path("KIKAN_IT_KIKAN", is_dir=False)
    if not os.access(p, os.X_OK):
        raise AssertionError("%s is not executable" % p)
    return p


def scand_bin():
    return env_path("KIKAN_IT_SCAND", is_dir=False)


def fixtures(*parts):
    base = env_path("KIKAN_IT_FIXTURES", is_dir=True)
    p = os.path.join(base, *parts)
    if not os.path.exists(p):
        raise AssertionError("fixture %s is missing: did the kikan_fixtures target run?" % p)
    return p


def project_signatures():
    return env_path("KIKAN_IT_SIGNATURES", is_dir=True)


def shared_testdata(*parts):
    base = env_path("KIKAN_IT_SHARED_TESTDATA", is_dir=True)
    p = os.path.join(base, *parts)
    if not os.path.exists(p):
        raise AssertionError("shared test data %s is missing" % p)
    return p


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def worst(results):
    out = "clean"
    for r in results:
        if RANK[r] > RANK[out]:
            out = r
    return out


class Run:
    """What one invocation of kikan did."""

    def __init__(self, argv, proc):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def describe(self):
        return ("command: %s\nexit status: %s\n--- stdout (first 4000 bytes) ---\n%s\n"
                "--- stderr (first 4000 bytes) ---\n%s" %
                (" ".join(self.argv), self.rc,
                 self.stdout[:4000].decode("utf-8", "backslashreplace"),
                 self.stderr[:4000].decode("utf-8", "backslashreplace")))


class KikanTestCase(unittest.TestCase):
    """Each test gets a fresh KIKAN_HOME and an empty KIKAN_SIGNATURES_DIR,
    so that the databases a scan uses are exactly those the test names."""

    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kikan-it-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = self.mkdir("home")
        self.empty_sigs = self.mkdir("no-project-signatures")

    def mkdir(self, *parts):
        p = os.path.join(self.tmp, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def env(self, **extra):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("KIKAN_") and not k.startswith("KIKAN_IT_"):
                del e[k]
        e["KIKAN_HOME"] = self.home
        e["KIKAN_SIGNATURES_DIR"] = self.empty_sigs
        # How the CLI finds its daemon when it runs from the build tree.
        e["KIKAN_SCAND"] = scand_bin()
        e["LC_ALL"] = "C.UTF-8"
        e.update({k: v for k, v in extra.items() if v is not None})
        return e

    def kikan(self, *args, env=None, timeout=SCAN_TIMEOUT):
        argv = [kikan_bin()] + [str(a) for a in args]
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env or self.env(),
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("kikan did not finish within %d s: %s" % (timeout, " ".join(argv)))
        return Run(argv, proc)

    # ------------------------------------------------------------ databases

    def db_test6(self):
        """A database folder holding only the signed upstream test-6.cvd
        (Eicar-Test-Signature)."""
        d = self.mkdir("db-test6")
        shutil.copy(shared_testdata("clamav", "test-6.cvd"), d)
        return d

    # ------------------------------------------------------------ scan JSON

    def scan_json(self, targets, databases, extra_args=(), env=None):
        """Runs `kikan scan --json`, checks the document against
        docs/json.md and returns (doc, run)."""
        args = ["scan", "--json"]
        for db in databases:
            args += ["--database", db]
        args += list(extra_args)
        args += list(targets)
        run = self.kikan(*args, env=env)
        doc = self.parse_json(run)
        self.check_scan_doc(doc, run, targets)
        return doc, run

    def parse_json(self, run):
        m = RAW_CONTROL.search(run.stdout)
        self.assertIsNone(m, "raw control byte %r in JSON output\n%s" %
                          (m.group(0) if m else b"", run.describe()))
        try:
            text = run.stdout.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail("JSON output is not valid UTF-8 (%s)\n%s" % (e, run.describe()))
        try:
            return json.loads(text)
        except ValueError as e:
            self.fail("JSON output does not parse (%s)\n%s" % (e, run.describe()))

    def check_scan_doc(self, doc, run, targets):
        ctx = "\n" + run.describe()
        self.assertIsInstance(doc, dict, ctx)
        self.assertEqual(doc.get("format"), "kikan-scan", ctx)
        self.assertEqual(doc.get("format_version"), 1, ctx)
        for k in ("result", "targets", "files", "summary", "engine"):
            self.assertIn(k, doc, "top-level key %r missing%s" % (k, ctx))
        self.assertIn(doc["result"], RESULTS, ctx)

        self.assertEqual([t.get("target") for t in doc["targets"]], list(targets),
                         "targets[] must list every target in order" + ctx)
        by_target = {}
        for t in doc["targets"]:
            for k in ("target", "result", "status", "detail", "sandbox", "files", "seconds"):
                self.assertIn(k, t, "targets[] key %r missing%s" % (k, ctx))
            self.assertIn(t["result"], RESULTS, ctx)
            self.assertIn(t["status"], STATUSES, ctx)
            self.assertIn(t["sandbox"], SANDBOXES, ctx)
            if t["status"] == "complete":
                self.assertIsNotNone(t["sandbox"], "a worker ran, so a sandbox is named "
                                     "(the string \"null\" for no confinement)" + ctx)
            self.assertIsInstance(t["seconds"], (int, float), ctx)
            if t["status"] == "complete":
                self.assertIsNone(t["detail"], "detail must be null when complete" + ctx)
            else:
                self.assertIsInstance(t["detail"], str, "detail must explain a failure" + ctx)
                self.assertTrue(t["detail"], ctx)
            by_target[t["target"]] = t

        counts = {"clean": 0, "infected": 0, "not_inspected": 0}
        nbytes = 0
        files_of = {t: [] for t in by_target}
        for f in doc["files"]:
            for k in ("target", "path", "size", "sha256", "result", "signatures", "reason",
                      "reason_detail", "engine_skipped", "members"):
                self.assertIn(k, f, "files[] key %r missing in %r%s" % (k, f, ctx))
            self.assertIn(f["target"], by_target, ctx)
            files_of[f["target"]].append(f)
            self.assertIn(f["result"], RESULTS, ctx)
            self.assertIsInstance(f["path"], str, ctx)
            self.assertFalse(f["path"].startswith("/"), "path must be target-relative" + ctx)
            self.assertIsInstance(f["size"], int, ctx)
            self.assertIsInstance(f["sha256"], str, ctx)
            self.assertRegex(f["sha256"], r"^([0-9a-f]{64}|)$", ctx)
            self.assertIsInstance(f["signatures"], list, ctx)
            self.assertIsInstance(f["engine_skipped"], bool, ctx)
            self.assertIsInstance(f["members"], list, ctx)
            if "path_hex" in f and f["path_hex"] is not None:
                self.assertRegex(f["path_hex"], r"^([0-9a-fA-F]{2})+$", ctx)
            if f["result"] == "not_inspected":
                self.assertIn(f["reason"], REASONS, "reason of %r%s" % (f["path"], ctx))
                self.assertEqual(f["signatures"], [],
                                 "a not_inspected file has no signature (infected beats it)"
                                 + ctx)
            else:
                self.assertIsNone(f["reason"], "reason only for not_inspected: %r%s" %
                                  (f["path"], ctx))
            if f["result"] == "infected":
                self.assertTrue(f["signatures"], "infected without a signature" + ctx)
            if f["result"] == "clean":
                self.assertEqual(f["signatures"], [], ctx)
            for m in f["members"]:
                for k in ("name", "depth", "size", "extractor", "result", "signatures",
                          "reason"):
                    self.assertIn(k, m, "members[] key %r missing in %r%s" % (k, m, ctx))
                self.assertIn(m["extractor"], EXTRACTORS, ctx)
                self.assertIn(m["result"], RESULTS, ctx)
                self.assertIsInstance(m["depth"], int, ctx)
                self.assertGreaterEqual(m["depth"], 1, ctx)
                if m.get("name_hex") is not None:
                    self.assertRegex(m["name_hex"], r"^([0-9a-fA-F]{2})+$", ctx)
                if m["result"] == "not_inspected":
                    self.assertIn(m["reason"], REASONS, ctx)
                else:
                    self.assertIsNone(m["reason"], ctx)
                # The file is at least as bad as any of its members.
                self.assertGreaterEqual(RANK[f["result"]], RANK[m["result"]],
                                        "file %r is better than its member %r%s" %
                                        (f["path"], m["name"], ctx))
                for s in m["signatures"]:
                    self.assertIn(s, f["signatures"],
                                  "file signatures must include every member's" + ctx)
            counts[f["result"]] += 1
            nbytes += f["size"]

        for name, t in by_target.items():
            self.assertEqual(t["files"], len(files_of[name]),
                             "targets[].files counts the target's entries" + ctx)
            expect = worst([f["result"] for f in files_of[name]] +
                           ([] if t["status"] == "complete" else ["not_inspected"]))
            self.assertEqual(t["result"], expect,
                             "target result must be the worst of its files%s" % ctx)
        self.assertEqual(doc["result"], worst(t["result"] for t in doc["targets"]),
                         "document result must be the worst of its targets" + ctx)

        s = doc["summary"]
        for k in ("files", "bytes", "clean", "infected", "not_inspected", "seconds"):
            self.assertIn(k, s, "summary key %r missing%s" % (k, ctx))
        self.assertEqual(s["files"], len(doc["files"]), ctx)
        self.assertEqual(s["bytes"], nbytes, ctx)
        for k in counts:
            self.assertEqual(s[k], counts[k], "summary.%s%s" % (k, ctx))

        e = doc["engine"]
        for k in ("version", "signatures", "load_seconds", "newest_signed_build_time",
                  "age_days", "max_age_days", "age_state", "limits", "databases"):
            self.assertIn(k, e, "engine key %r missing%s" % (k, ctx))
        self.assertRegex(e["version"], r"^\d+\.\d+\.\d+", ctx)
        self.assertGreater(e["signatures"], 0, ctx)
        self.assertEqual(e["limits"], DEFAULT_LIMITS, ctx)
        for db in e["databases"]:
            for k in ("name", "path", "signed", "version", "build_time", "signatures"):
                self.assertIn(k, db, "engine.databases key %r missing%s" % (k, ctx))
            self.assertIsInstance(db["signed"], bool, ctx)
            if db["signed"]:
                self.assertIsInstance(db["version"], int, ctx)
            else:
                self.assertIsNone(db["version"], "version is null for plain files" + ctx)
        if any(db["signed"] for db in e["databases"]):
            self.assertIsInstance(e["newest_signed_build_time"], str, ctx)
            self.assertIsInstance(e["age_days"], (int, float), ctx)
            self.assertEqual(e["age_state"],
                             "stale" if e["age_days"] > e["max_age_days"] else "fresh", ctx)
        else:
            self.assertIsNone(e["newest_signed_build_time"], ctx)
            self.assertIsNone(e["age_days"], ctx)
            self.assertEqual(e["age_state"], "none", ctx)

        # Issue #4: the slip verdict joins malware and software findings;
        # software findings that block (exit 3) count only when the malware
        # side is clean (docs/json.md "Exit status of kikan scan").
        verdicts = ("cleared", "conditional", "hold", "quarantine")
        self.assertIn(doc["verdict"], verdicts, ctx)
        for t in doc["targets"]:
            sw = t["software"]
            self.assertIn(sw["verdict"], verdicts, ctx)
            levels = [f["level"] for f in sw["findings"]]
            for lv in levels:
                self.assertIn(lv, ("info", "conditional", "hold", "quarantine"), ctx)
        expected = exit_for_doc(doc)
        self.assertEqual(run.rc, expected,
                         "exit status must follow the result and the software verdict "
                         "(docs/json.md)" + ctx)

    # ------------------------------------------------------------ lookups

    def file_entry(self, doc, path, run=None):
        hits = [f for f in doc["files"] if f["path"] == path]
        self.assertEqual(len(hits), 1, "expected exactly one files[] entry for %r, got %d; "
                         "paths: %r%s" % (path, len(hits), [f["path"] for f in doc["files"]],
                                          "\n" + run.describe() if run else ""))
        return hits[0]

    def assert_not_inspected(self, target_dir, path, reason, databases, detail_re=None):
        """Scans @target_dir (which holds exactly @path) and checks that
        @path is not_inspected with @reason and exit status 2."""
        doc, run = self.scan_json([target_dir], databases)
        ctx = "\n" + run.describe()
        self.assertEqual(len(doc["files"]), 1, ctx)
        f = self.file_entry(doc, path, run)
        self.assertEqual(f["result"], "not_inspected", ctx)
        self.assertEqual(f["reason"], reason, ctx)
        self.assertEqual(f["signatures"], [], ctx)
        # reason_detail is the engine's own words, or null (docs/json.md).
        self.assertIsInstance(f["reason_detail"], (str, type(None)), ctx)
        if detail_re:
            self.assertIsInstance(f["reason_detail"], str, ctx)
            self.assertRegex(f["reason_detail"], detail_re, ctx)
        full = os.path.join(target_dir, path)
        self.assertEqual(f["size"], os.path.getsize(full), ctx)
        self.assertEqual(f["sha256"], sha256_file(full), ctx)
        self.assertEqual(doc["targets"][0]["status"], "complete", ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)
        return doc, f


# ------------------------------------------------------------ issue #8 helpers
# (appended: signatures that are valid for clearance, the processes of a
# running kikan, the build tree)

# test-6.cvd and test-5.cvd were built in June 2021: with the default
# max_age_days (7) they are stale, and a scan with them is never "cleared"
# (MAL-05).  A test that wants to see the cleared path says so explicitly
# with this setting, through the configuration a kiosk really has.
TEST_CVD_MAX_AGE_DAYS = 3650


def write_kikan_conf(home, max_age_days=None, database_dirs=()):
    """Writes @home/kikan.conf with [signatures] max_age_days and
    database_dirs (docs/cli.md "kikan.conf")."""
    lines = ["[signatures]"]
    if max_age_days is not None:
        lines.append("max_age_days = %d" % max_age_days)
    if database_dirs:
        lines.append("database_dirs = %s" % ";".join(database_dirs))
    with open(os.path.join(home, "kikan.conf"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def accept_test_cvd_age(tc):
    """Opt-in for tests that need a 'cleared' verdict: the signed upstream
    test databases count as fresh in @tc's KIKAN_HOME (and nothing else
    changes: unsigned databases alone still hold, MAL-05)."""
    write_kikan_conf(tc.home, max_age_days=TEST_CVD_MAX_AGE_DAYS)


def child_pids(pid):
    """The direct children of @pid (from /proc), [] when it is gone."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def wait_for_scanning_daemon(kikan_pid, timeout=120):
    """Waits until the kikan-scand child of @kikan_pid has forked its
    worker (a scan is running) and returns the daemon's pid, or None when
    kikan ended or @timeout passed first."""
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for c in child_pids(kikan_pid):
            if child_pids(c):
                return c
        if not os.path.exists("/proc/%d" % kikan_pid):
            return None
        time.sleep(0.005)
    return None


def build_dir_of(path):
    """The CMake build directory holding @path (a built executable)."""
    d = os.path.dirname(os.path.abspath(path))
    while d != "/":
        if os.path.isfile(os.path.join(d, "CMakeCache.txt")):
            return d
        d = os.path.dirname(d)
    raise AssertionError("no CMakeCache.txt above %s: not a build tree" % path)


def eicar_bytes():
    """The EICAR test string, assembled by tests/fixtures/make-fixtures.py
    (never stored in the repository)."""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "kikan_make_fixtures", os.path.join(here, "..", "fixtures", "make-fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.eicar()
