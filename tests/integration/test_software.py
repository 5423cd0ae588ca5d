"""`kikan software` and `kikan scan` judging installed software, OS and
antivirus freshness, and programs carried on media (issue #4; docs/json.md
"Software and updates"; docs/policy.md).  Traceability: JNSA-2.2,
JNSA-2.4, Admin B-3, C-1, F-1, KR-16, KR-17, KR-19, KR-20, KR-46.

Everything is made at TEST time (dates relative to today, so the tests
pass on any day): registry hives by tests/fixtures/make-hive.py, a
Windows-like NTFS disk and a FAT32 USB stick (with a real NSIS installer
built by makensis) by tests/fixtures/make-software.py, which reuses
make-media.py's mkfs_fat/mkfs_ntfs (as root: FUSE).  Policies are written
into each test's temp dir; /etc/kikan/policy.conf is never touched.

Besides the variables of kikan_it.py, tests/integration/software.cmake sets:

  KIKAN_IT_MAKE_SOFTWARE   tests/fixtures/make-software.py
  KIKAN_IT_MAKE_MEDIA      tests/fixtures/make-media.py (used by the former)
"""

import copy
import datetime
import importlib.util
import lzma
import os
import re
import sys

from kikan_it import (EXIT_FOR_RESULT, RAW_CONTROL, accept_test_cvd_age, env_path, sha256_file,
                      shared_testdata)
import test_media

LEVELS = ("info", "conditional", "hold", "quarantine")
LEVEL_RANK = {l: i for i, l in enumerate(LEVELS)}
VERDICT_OF_LEVEL = {"info": "cleared", "conditional": "conditional", "hold": "hold",
                    "quarantine": "quarantine"}
VERDICT_RANK = {"cleared": 0, "conditional": 1, "hold": 2, "quarantine": 3}
VERDICT_OF_RESULT = {"clean": "cleared", "not_inspected": "hold", "infected": "quarantine"}
# docs/json.md, the table of codes: code -> (slip code, level(s)).
CODES = {
    "SW-FORBIDDEN": ("SW-03", ("quarantine",)),
    "SW-UNAPPROVED": ("SW-01", ("hold", "info")),
    "SW-EXCEPTION-EXPIRED": ("SW-01", ("hold",)),
    "SW-EXCEPTION": ("SW-05", ("info",)),
    "SW-NO-POLICY": ("SW-01", ("hold",)),
    "SW-AUTORUN": ("MAL-03", ("hold",)),
    "SW-DECEPTIVE-NAME": ("MAL-03", ("hold",)),
    "SW-TYPE-MISMATCH": ("MAL-03", ("hold",)),
    "SW-NOT-INSPECTED": ("MAL-04", ("hold",)),
    "UPD-OS-STALE": ("UPD-01", ("conditional",)),
    "UPD-AV-STALE": ("MAL-06", ("conditional",)),
    "UPD-END-OF-SUPPORT": ("UPD-02", ("quarantine",)),
    "UPD-UNKNOWN": ("UPD-04", ("hold",)),
    "SIG-STALE": ("MAL-05", ("hold",)),
    "SCAN-UNCONFINED": ("MAL-04", ("hold",)),
}
EXE_TYPES = ("pe_exe", "pe_dll", "msi", "elf", "macho", "script_powershell", "script_batch",
             "script_vbs", "script_js", "script_shell", "installer_nsis", "installer_inno",
             "installer_installshield", "apk", "dmg", "disk_image", "lnk", "autorun", "other")
NAME_FLAGS = ("extension_mismatch", "bidi_control", "double_extension")
POLICY_STATES = ("approved", "forbidden", "exception", "exception_expired", "unknown")
SOFTWARE_KEYS = ("verdict", "systems", "installed", "executables", "system_programs", "problems",
                 "findings")
SYSTEM_KEYS = ("family", "source", "product", "version", "build", "edition", "installed",
               "patched", "patched_source", "antivirus")
PROGRAM_KEYS = ("name", "version", "publisher", "install_date", "key", "source", "user", "wow64",
                "per_user", "system_component", "update", "truncated", "policy", "rule")
EXE_KEYS = ("path", "member", "type", "label", "sha256", "name_flags", "signature", "policy",
            "rule")
FINDING_KEYS = ("code", "slip_code", "level", "provenance", "subject", "detail", "source", "rule",
                "rule_line", "ticket", "approver", "expires")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
# How the human output shows U+202E: an escape, never the raw character.
RLO_UTF8 = "\u202e".encode()
RLO_ESCAPED = re.compile(rb"\\u\{?0*202[eE]\}?|<U\+202E>|U\+202E")
BAD_INPUT_TIMEOUT = 120
DAY = 86400

# Installed programs, "Name|Version|Publisher|YYYYMMDD" as make-hive.py takes them.
OFFICE = "Microsoft Office Professional Plus 2019|16.0.10396.20017|Microsoft Corporation|20240105"
FIREFOX = "Mozilla Firefox (x64 en-US)|128.5.0|Mozilla|20251101"
SEVENZIP = "7-Zip 23.01 (x86)|23.01|Igor Pavlov|20240301"
TEAMVIEWER = "TeamViewer|15.48.4|TeamViewer|20250802"
ZOOM = "Zoom Workplace|6.2.11|Zoom Video Communications, Inc.|20260315"

_MS = None


def make_software():
    """tests/fixtures/make-software.py, loaded once (not at import time:
    run.py --check-registered imports this module without the env)."""
    global _MS
    if _MS is None:
        sys.dont_write_bytecode = True
        path = env_path("KIKAN_IT_MAKE_SOFTWARE", is_dir=False)
        spec = importlib.util.spec_from_file_location("kikan_make_software", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _MS = mod
    return _MS


def program(spec):
    """{"name","version","publisher","install_date"} of a make-hive spec."""
    name, version, publisher, date = spec.split("|")
    return {"name": name, "version": version, "publisher": publisher,
            "install_date": "%s-%s-%s" % (date[:4], date[4:6], date[6:])}


def iso_time(s):
    return datetime.datetime.strptime(s.split(".")[0].rstrip("Z"),
                                      "%Y-%m-%dT%H:%M:%S").replace(
                                          tzinfo=datetime.timezone.utc).timestamp()


def now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


class SoftwareTestCase(test_media.MediaTestCase):
    """MediaTestCase plus policies, hives and the checks of the software
    documents (docs/json.md "Software and updates")."""

    BASE_POLICY = """\
# Kikan integration test policy (test_software.py)
[policy]
version = it-{tag}
max_os_patch_age_days = 45
max_av_definition_age_days = 7
require_antivirus = yes
unknown_executable = hold

[approve "Office"]
name = Microsoft Office*
publisher = Microsoft Corporation

[approve "Firefox"]
name = Mozilla Firefox*
publisher = Mozilla

[approve "7-Zip"]
name = 7-Zip*
publisher = Igor Pavlov

[forbid "TeamViewer"]
name = TeamViewer*
class = remote-access
reason = Unmanaged remote access (Admin B-3)
"""

    # ------------------------------------------------------------ inputs

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.fail("the software tests build images through FUSE: run them as root")
        self.ms = make_software()
        self.db = self.db_test6()
        # The signed test database is years old: these tests are about
        # software, so its age is accepted here (MAL-05 has its own tests).
        accept_test_cvd_age(self)

    def fixture(self, fn, *args):
        """Calls a builder of make-software.py; its failure is a failed
        prerequisite, not a finding about kikan."""
        try:
            return fn(*args)
        except (self.ms.SoftwareFixtureError, self.ms.MM.MediaError) as e:
            self.fail("could not build the test input (a prerequisite, not a finding about "
                      "kikan): %s" % e)

    def policy(self, extra="", name="policy.conf", tag="base"):
        """Writes BASE_POLICY + @extra; returns (path, text)."""
        text = self.BASE_POLICY.format(tag=tag) + extra
        path = os.path.join(self.mkdir("policies"), name)
        with open(path, "w") as f:
            f.write(text)
        return path, text

    @staticmethod
    def rule_line(text, header):
        """1-based line of @header (e.g. '[forbid "TeamViewer"]') in @text."""
        for i, line in enumerate(text.splitlines(), 1):
            if line.strip() == header:
                return i
        raise AssertionError("%s not in the policy" % header)

    def hive(self, name, kind, *args):
        path = os.path.join(self.mkdir("hives"), name)
        self.fixture(self.ms.make_hive, path, kind, *args)
        return path

    def windows_hive(self, programs=(), programs32=(), name="SOFTWARE", **kw):
        return self.hive(name, "software", *(self.ms.windows_args(**kw) +
                                             self.ms.program_args(programs, programs32)))

    def tree_dir(self, name, tree):
        root = self.mkdir("trees", name)
        self.ms.materialise(tree, root)
        return root

    # ------------------------------------------------------------ running

    def assert_no_crash(self, run):
        self.assertGreaterEqual(run.rc, 0, "kikan was killed by signal %d\n%s" %
                                (-run.rc, run.describe()))
        self.assertIn(run.rc, (0, 1, 2, 3), "exit status outside 0..3\n" + run.describe())

    def software(self, targets, policy, extra=(), env=None, timeout=600):
        """`kikan software --json` checked against docs/json.md; (doc, run)."""
        args = ["software", "--json", "--database", self.db]
        if policy is not None:
            args += ["--policy", policy]
        targets = [targets] if isinstance(targets, str) else list(targets)
        run = self.kikan(*(args + list(extra) + targets), env=env, timeout=timeout)
        self.assert_no_crash(run)
        doc = self.parse_json(run)
        self.check_software_doc(doc, run, targets)
        return doc, run

    def scan_sw(self, target, policy, extra=(), timeout=600):
        """`kikan scan --json --policy P`: the scan document with its
        software parts; (doc, run)."""
        args = ["--policy", policy] if policy is not None else []
        doc, run = self.scan(target, extra_args=args + list(extra), timeout=timeout,
                             databases=[self.db])
        return doc, run

    # ------------------------------------------------------------ documents

    def check_software_obj(self, sw, ctx, where):
        """The software members of a target (both documents)."""
        for k in SOFTWARE_KEYS:
            self.assertIn(k, sw, "software key %r missing in %s%s" % (k, where, ctx))
        for s in sw["systems"]:
            for k in SYSTEM_KEYS:
                self.assertIn(k, s, "systems[] key %r missing%s" % (k, ctx))
            self.assertIn(s["family"], ("windows", "linux", "macos", "unknown"), ctx)
            for k in ("installed", "patched"):
                if s[k] is not None:
                    self.assertRegex(s[k], ISO_UTC, "systems[].%s%s" % (k, ctx))
            if s["antivirus"] is not None:
                for k in ("product", "signature_version", "updated", "disabled"):
                    self.assertIn(k, s["antivirus"], "antivirus key %r%s" % (k, ctx))
                self.assertIsInstance(s["antivirus"]["disabled"], bool, ctx)
        for p in sw["installed"]:
            for k in PROGRAM_KEYS:
                self.assertIn(k, p, "installed[] key %r missing in %r%s" % (k, p, ctx))
            self.assertIsInstance(p["name"], str, ctx)
            self.assertTrue(p["name"], "installed[] lists programs with a name" + ctx)
            for k in ("wow64", "per_user", "system_component", "update", "truncated"):
                self.assertIsInstance(p[k], bool, "installed[].%s%s" % (k, ctx))
            self.assertIn(p["policy"], POLICY_STATES, ctx)
            if p["policy"] == "unknown":
                self.assertIsNone(p["rule"], ctx)
            else:
                self.assertIsInstance(p["rule"], str, ctx)
            # user: the profile folder's name; null for a hive given on its own.
            self.assertIsInstance(p["user"], (str, type(None)), ctx)
            if not p["per_user"]:
                self.assertIsNone(p["user"], ctx)
        for e in sw["executables"]:
            for k in EXE_KEYS:
                self.assertIn(k, e, "executables[] key %r missing in %r%s" % (k, e, ctx))
            self.assertIn(e["type"], EXE_TYPES, ctx)
            self.assertIsInstance(e["name_flags"], list, ctx)
            for fl in e["name_flags"]:
                self.assertIn(fl, NAME_FLAGS, ctx)
            self.assertIn(e["signature"]["status"], ("none", "valid", "invalid"), ctx)
            self.assertIn(e["policy"], POLICY_STATES, ctx)
            if e["sha256"] is not None:
                self.assertRegex(e["sha256"], r"^([0-9a-f]{64}|)$", ctx)
        for pr in sw["problems"]:
            for k in ("source", "what"):
                self.assertIn(k, pr, "problems[] key %r%s" % (k, ctx))
                self.assertIsInstance(pr[k], str, ctx)
            # Each problem is also an UPD-UNKNOWN finding (docs/json.md).
            self.assertTrue(any(f["code"] == "UPD-UNKNOWN" and f["source"] == pr["source"]
                                for f in sw["findings"]),
                            "problem %r has no UPD-UNKNOWN finding%s" % (pr, ctx))
        last = len(LEVELS)
        for f in sw["findings"]:
            for k in FINDING_KEYS:
                self.assertIn(k, f, "findings[] key %r missing in %r%s" % (k, f, ctx))
            self.assertIn(f["code"], CODES, ctx)
            slip, levels = CODES[f["code"]]
            self.assertEqual(f["slip_code"], slip, "slip code of %s%s" % (f["code"], ctx))
            self.assertIn(f["level"], levels, "level of %s%s" % (f["code"], ctx))
            self.assertEqual(f["provenance"], "M", ctx)
            self.assertIsInstance(f["subject"], str, ctx)
            self.assertIsInstance(f["detail"], str, ctx)
            self.assertTrue(f["detail"].strip(), "a finding says what to do" + ctx)
            if f["rule"] is None:
                self.assertIn(f["rule_line"], (None, 0), ctx)
            else:
                self.assertIsInstance(f["rule_line"], int, ctx)
                self.assertGreater(f["rule_line"], 0, ctx)
            self.assertLessEqual(LEVEL_RANK[f["level"]], last, "findings are worst first" + ctx)
            last = LEVEL_RANK[f["level"]]
        worst = max([LEVEL_RANK[f["level"]] for f in sw["findings"]] + [0])
        self.assertEqual(sw["verdict"], VERDICT_OF_LEVEL[LEVELS[worst]],
                         "a target's verdict is its worst software finding (%s)%s" % (where, ctx))

    def check_policy_obj(self, p, ctx):
        for k in ("loaded", "path", "version", "sha256", "error"):
            self.assertIn(k, p, "policy key %r missing%s" % (k, ctx))
        self.assertIsInstance(p["loaded"], bool, ctx)
        if p["loaded"]:
            self.assertIsNone(p["error"], ctx)
            self.assertRegex(p["sha256"], r"^[0-9a-f]{64}$", ctx)
            self.assertEqual(p["sha256"], sha256_file(p["path"]),
                             "policy.sha256 is the file's" + ctx)
        else:
            self.assertIsInstance(p["error"], str, ctx)

    @staticmethod
    def expected_rc(results, complete, verdict):
        """docs/json.md "Exit status": 1 and 2 take precedence over 3."""
        if "infected" in results:
            return 1
        if "not_inspected" in results or not all(complete):
            return 2
        return 0 if verdict == "cleared" else 3

    def check_software_doc(self, doc, run, targets):
        ctx = "\n" + run.describe()
        self.assertIsInstance(doc, dict, ctx)
        self.assertEqual(doc.get("format"), "kikan-software", ctx)
        self.assertEqual(doc.get("format_version"), 1, ctx)
        for k in ("verdict", "policy", "targets", "scanned_at"):
            self.assertIn(k, doc, "top-level key %r missing%s" % (k, ctx))
        self.assertIn(doc["verdict"], VERDICT_RANK, ctx)
        self.assertRegex(doc["scanned_at"], ISO_UTC, ctx)
        self.check_policy_obj(doc["policy"], ctx)
        self.assertEqual([t.get("target") for t in doc["targets"]], targets, ctx)
        worst = 0
        for t in doc["targets"]:
            for k in ("target", "kind", "complete", "result"):
                self.assertIn(k, t, "targets[] key %r missing%s" % (k, ctx))
            self.assertIsInstance(t["complete"], bool, ctx)
            self.assertIn(t["result"], EXIT_FOR_RESULT, ctx)
            self.check_software_obj(t, ctx, t["target"])
            worst = max(worst, VERDICT_RANK[t["verdict"]],
                        VERDICT_RANK[VERDICT_OF_RESULT[t["result"]]],
                        0 if t["complete"] else VERDICT_RANK["hold"])
        self.assertEqual(VERDICT_RANK[doc["verdict"]], worst,
                         "the top verdict is the worst of software and malware" + ctx)
        self.assertEqual(run.rc, self.expected_rc([t["result"] for t in doc["targets"]],
                                                  [t["complete"] for t in doc["targets"]],
                                                  doc["verdict"]),
                         "exit status (docs/json.md)" + ctx)

    def check_scan_doc(self, doc, run, targets):
        """test_media's checks (which know exit statuses 0..2 only), then the
        software parts of a scan document."""
        ctx = "\n" + run.describe()
        self.assertIn(run.rc, (0, 1, 2, 3), ctx)
        # test_media's checker derives the exit status from the malware
        # result alone: give it a view without software findings (exit 3
        # only ever replaces "clean", 0), and check the software below.
        view = copy.deepcopy(doc)
        for t in view.get("targets", []):
            if isinstance(t.get("software"), dict):
                t["software"]["verdict"] = "cleared"
                t["software"]["findings"] = []
        view_run = copy.copy(run)
        if run.rc == 3:
            view_run.rc = 0
        super().check_scan_doc(view, view_run, targets)
        for k in ("verdict", "policy"):
            self.assertIn(k, doc, "scan key %r missing once software is evaluated%s" % (k, ctx))
        self.check_policy_obj(doc["policy"], ctx)
        worst = VERDICT_RANK[VERDICT_OF_RESULT[doc["result"]]]
        for t in doc["targets"]:
            self.assertIn("software", t, "targets[].software missing%s" % ctx)
            self.check_software_obj(t["software"], ctx, t["target"])
            worst = max(worst, VERDICT_RANK[t["software"]["verdict"]])
        self.assertEqual(VERDICT_RANK[doc["verdict"]], worst,
                         "the scan verdict is the worst of malware and software" + ctx)
        self.assertEqual(run.rc, self.expected_rc([doc["result"]],
                                                  [t["status"] == "complete"
                                                   for t in doc["targets"]],
                                                  doc["verdict"]), ctx)

    # ------------------------------------------------------------ lookups

    @staticmethod
    def codes(sw):
        """[(code, subject)] of the findings, sorted."""
        return sorted((f["code"], f["subject"]) for f in sw["findings"])

    def finding(self, sw, code, subject, ctx):
        hits = [f for f in sw["findings"] if f["code"] == code and f["subject"] == subject]
        self.assertEqual(len(hits), 1, "expected one %s finding about %r; findings: %r%s" %
                         (code, subject, self.codes(sw), ctx))
        return hits[0]

    def installed(self, sw, name, ctx):
        hits = [p for p in sw["installed"] if p["name"] == name]
        self.assertEqual(len(hits), 1, "expected %r once in installed[]: %r%s" %
                         (name, [p["name"] for p in sw["installed"]], ctx))
        return hits[0]

    def executable(self, sw, path, member, ctx):
        hits = [e for e in sw["executables"] if e["path"] == path and e["member"] == member]
        self.assertEqual(len(hits), 1, "expected %r › %r once in executables[]: %r%s" %
                         (path, member, [(e["path"], e["member"]) for e in sw["executables"]],
                          ctx))
        return hits[0]

    def assert_close_to(self, iso, days_ago, ctx, what):
        self.assertIsInstance(iso, str, "%s is unknown%s" % (what, ctx))
        want = now() - days_ago * DAY
        self.assertLess(abs(iso_time(iso) - want), 3600,
                        "%s is %s, expected about %d days ago%s" % (what, iso, days_ago, ctx))


# ================================================================ hives

class SoftwareHive(SoftwareTestCase):
    """A SOFTWARE hive given on its own (recognised by its regf signature)."""

    def one_hive(self, programs=(), programs32=(), **kw):
        hive = self.windows_hive(programs, programs32, **kw)
        path, text = self.policy()
        doc, run = self.software(hive, path)
        return hive, text, doc, run

    def test_os_facts_and_programs(self):
        hive, _, doc, run = self.one_hive([OFFICE, FIREFOX], [SEVENZIP], patched_days_ago=10,
                                          defender_days_ago=2)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertTrue(t["complete"], ctx)
        self.assertEqual(t["result"], "clean", ctx)
        self.assertEqual(len(t["systems"]), 1, ctx)
        s = t["systems"][0]
        self.assertEqual((s["family"], s["product"], s["version"], s["build"], s["edition"]),
                         ("windows", "Windows 10 Pro", "22H2", "19045.4291", "Professional"), ctx)
        self.assertIn(s["source"], (hive, os.path.basename(hive)), ctx)
        self.assert_close_to(s["patched"], 10, ctx, "systems[0].patched")
        av = s["antivirus"]
        self.assertIsNotNone(av, ctx)
        self.assertEqual(av["signature_version"], "1.403.1.0", ctx)
        self.assertIs(av["disabled"], False, ctx)
        self.assertRegex(av["product"] or "", r"Defender", ctx)
        self.assert_close_to(av["updated"], 2, ctx, "antivirus.updated")

        got = sorted((p["name"], p["version"], p["publisher"], p["install_date"], p["wow64"],
                      p["per_user"], p["user"], p["policy"]) for p in t["installed"])
        want = sorted([tuple(program(OFFICE).values()) + (False, False, None, "approved"),
                       tuple(program(FIREFOX).values()) + (False, False, None, "approved"),
                       tuple(program(SEVENZIP).values()) + (True, False, None, "approved")])
        self.assertEqual(got, want, "installed[] must be exactly the hive's programs" + ctx)
        self.assertEqual(self.installed(t, "7-Zip 23.01 (x86)", ctx)["rule"], "7-Zip", ctx)
        self.assertEqual(t["executables"], [], ctx)
        self.assertEqual(t["problems"], [], ctx)
        self.assertEqual(t["findings"], [], "all approved, patched, fresh definitions" + ctx)
        self.assertEqual((t["verdict"], doc["verdict"], run.rc), ("cleared", "cleared", 0), ctx)

    def test_forbidden_program(self):
        hive, text, doc, run = self.one_hive([OFFICE, FIREFOX], [SEVENZIP, TEAMVIEWER])
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("SW-FORBIDDEN", "TeamViewer")], ctx)
        f = self.finding(t, "SW-FORBIDDEN", "TeamViewer", ctx)
        self.assertEqual((f["slip_code"], f["level"], f["rule"]),
                         ("SW-03", "quarantine", "TeamViewer"), ctx)
        self.assertEqual(f["rule_line"], self.rule_line(text, '[forbid "TeamViewer"]'), ctx)
        self.assertIn(f["source"], (hive, os.path.basename(hive)), ctx)
        p = self.installed(t, "TeamViewer", ctx)
        self.assertEqual((p["policy"], p["rule"], p["wow64"], p["version"]),
                         ("forbidden", "TeamViewer", True, "15.48.4"), ctx)
        self.assertEqual((t["verdict"], doc["verdict"], run.rc), ("quarantine", "quarantine", 3),
                         ctx)

    def test_os_patch_stale(self):
        _, _, doc, run = self.one_hive([OFFICE], patched_days_ago=200)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("UPD-OS-STALE", "Windows 10 Pro")], ctx)
        self.assert_close_to(t["systems"][0]["patched"], 200, ctx, "patched")
        self.assertEqual(t["findings"][0]["level"], "conditional", ctx)
        self.assertEqual((doc["verdict"], run.rc), ("conditional", 3), ctx)

    def test_av_stale(self):
        _, _, doc, run = self.one_hive([OFFICE], defender_days_ago=30)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("UPD-AV-STALE", "Windows 10 Pro")], ctx)
        self.assert_close_to(t["systems"][0]["antivirus"]["updated"], 30, ctx, "AV updated")
        self.assertEqual((doc["verdict"], run.rc), ("conditional", 3), ctx)

    def test_av_disabled(self):
        hive = self.hive("SOFTWARE", "software", *(self.ms.windows_args() +
                                                   self.ms.program_args([OFFICE]) +
                                                   ["--defender-disabled"]))
        path, _ = self.policy()
        doc, run = self.software(hive, path)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertIs(t["systems"][0]["antivirus"]["disabled"], True, ctx)
        self.assertEqual(self.codes(t), [("UPD-AV-STALE", "Windows 10 Pro")],
                         "Defender switched off by policy (Admin F-1)" + ctx)
        self.assertEqual((doc["verdict"], run.rc), ("conditional", 3), ctx)

    def test_no_antivirus_keys(self):
        _, _, doc, run = self.one_hive([OFFICE], defender=False)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertIsNone(t["systems"][0]["antivirus"], ctx)
        self.assertEqual(self.codes(t), [("UPD-UNKNOWN", "Windows 10 Pro")],
                         "no antivirus evidence is never a pass (KR-19)" + ctx)
        self.assertEqual((t["findings"][0]["level"], doc["verdict"], run.rc), ("hold", "hold", 3),
                         ctx)


# ================================================================ Windows disk

class SoftwareWindowsDisk(SoftwareTestCase):
    """An NTFS image of a Windows-like system disk: SOFTWARE hive with a
    forbidden program, a user's NTUSER.DAT, explorer.exe (a program in the
    system's own folders: counted, judged through the installed programs),
    and a portable tool in Users/alice/Downloads (judged on its own)."""

    SOFTWARE = "p1:/Windows/System32/config/SOFTWARE"
    NTUSER = "p1:/Users/alice/NTUSER.DAT"
    TOOL = "p1:/Users/alice/Downloads/tool.exe"

    def disk(self):
        img = os.path.join(self.mkdir("media"), "windows-ntfs.img")
        m = self.fixture(self.ms.windows_ntfs, img, self.mkdir("work"))
        # Approving explorer.exe by its hash must change nothing: it is not
        # judged one file at a time.
        explorer = m["files"]["p1:/Windows/explorer.exe"]["sha256"]
        path, text = self.policy('\n[approve "Windows shell"]\nsha256 = %s\n' % explorer)
        return m, path, text

    def check_windows(self, sw, text, ctx):
        s = [x for x in sw["systems"] if x["family"] == "windows"]
        self.assertEqual(len(s), 1, ctx)
        self.assertEqual((s[0]["source"], s[0]["product"], s[0]["build"]),
                         (self.SOFTWARE, "Windows 10 Pro", "19045.4291"), ctx)
        self.assertEqual(self.codes(sw), [("SW-FORBIDDEN", "TeamViewer"),
                                          ("SW-UNAPPROVED", "Slack"),
                                          ("SW-UNAPPROVED", self.TOOL)], ctx)
        f = self.finding(sw, "SW-FORBIDDEN", "TeamViewer", ctx)
        self.assertEqual((f["level"], f["slip_code"], f["rule"], f["rule_line"]),
                         ("quarantine", "SW-03", "TeamViewer",
                          self.rule_line(text, '[forbid "TeamViewer"]')), ctx)
        self.assertTrue(f["source"].startswith(self.SOFTWARE), ctx)
        got = sorted((p["name"], p["source"], p["user"], p["per_user"], p["wow64"], p["policy"])
                     for p in sw["installed"])
        self.assertEqual(got, sorted([
            ("Microsoft Office Professional Plus 2019", self.SOFTWARE, None, False, False,
             "approved"),
            ("TeamViewer", self.SOFTWARE, None, False, True, "forbidden"),
            ("Slack", self.NTUSER, "alice", True, False, "unknown")]), ctx)
        slack = self.finding(sw, "SW-UNAPPROVED", "Slack", ctx)
        self.assertTrue(slack["source"].startswith(self.NTUSER), ctx)
        # explorer.exe is one of the system's own program files: counted,
        # not listed; the downloaded tool is listed and unknown.
        self.assertEqual(sw["system_programs"], 1, ctx)
        self.assertEqual([x["path"] for x in sw["executables"]], [self.TOOL], ctx)
        e = self.executable(sw, self.TOOL, None, ctx)
        self.assertEqual((e["type"], e["policy"], e["rule"]), ("pe_exe", "unknown", None), ctx)
        self.assertEqual(sw["problems"], [], ctx)
        self.assertEqual(sw["verdict"], "quarantine", ctx)

    def test_ntfs_software(self):
        m, path, text = self.disk()
        doc, run = self.software(m["image"], path)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual((t["kind"], t["complete"], t["result"]), ("image", True, "clean"), ctx)
        self.check_windows(t, text, ctx)
        self.assertEqual((doc["verdict"], run.rc), ("quarantine", 3), ctx)

    def test_ntfs_scan(self):
        m, path, text = self.disk()
        doc, run = self.scan_sw(m["image"], path)
        ctx = "\n" + run.describe()
        self.assert_files(doc, run, m)
        self.assertEqual(doc["result"], "clean", ctx)
        self.check_windows(doc["targets"][0]["software"], text, ctx)
        self.assertEqual((doc["verdict"], run.rc), ("quarantine", 3), ctx)


# ================================================================ USB stick

class SoftwareUsb(SoftwareTestCase):
    """A FAT32 stick: a portable program, a zip holding a real NSIS
    installer, autorun.inf, invoice.pdf.exe, a right-to-left-override name."""

    def stick(self):
        img = os.path.join(self.mkdir("media"), "usb-fat32.img")
        return self.fixture(self.ms.usb_fat32, img)

    def expected(self, m):
        rlo = "p1:/" + self.ms.RLO_NAME
        return sorted([
            ("SW-AUTORUN", "p1:/autorun.inf"),
            ("SW-DECEPTIVE-NAME", "p1:/invoice.pdf.exe"),
            ("SW-DECEPTIVE-NAME", rlo),
            ("SW-UNAPPROVED", "p1:/invoice.pdf.exe"),
            ("SW-UNAPPROVED", rlo),
            ("SW-UNAPPROVED", "p1:/setup.zip \u203a setup.exe"),
            ("SW-UNAPPROVED", "p1:/tools/portable.exe"),
        ])

    def check_usb(self, sw, m, ctx):
        rlo = "p1:/" + self.ms.RLO_NAME
        self.assertEqual(sw["systems"], [], ctx)
        self.assertEqual(sw["installed"], [], ctx)
        self.assertEqual(self.codes(sw), self.expected(m), ctx)

        e = self.executable(sw, "p1:/tools/portable.exe", None, ctx)
        self.assertEqual((e["type"], e["sha256"], e["name_flags"], e["policy"]),
                         ("pe_exe", m["files"]["p1:/tools/portable.exe"]["sha256"], [],
                          "unknown"), ctx)
        f = self.finding(sw, "SW-UNAPPROVED", "p1:/tools/portable.exe", ctx)
        self.assertEqual((f["level"], f["slip_code"]), ("hold", "SW-01"), ctx)

        # The installer is found by content, inside the zip.
        e = self.executable(sw, "p1:/setup.zip", "setup.exe", ctx)
        self.assertEqual(e["type"], "installer_nsis", ctx)
        self.assertRegex(e["sha256"], r"^[0-9a-f]{64}$", ctx)
        sub = [f for f in sw["findings"] if f["code"] == "SW-UNAPPROVED"
               and "setup.zip" in f["subject"] and "setup.exe" in f["subject"]]
        self.assertEqual(len(sub), 1, "SW-UNAPPROVED naming the zip and its member" + ctx)
        self.assertEqual(sub[0]["source"], "p1:/setup.zip", ctx)

        self.assertEqual(self.executable(sw, "p1:/autorun.inf", None, ctx)["type"], "autorun",
                         ctx)
        e = self.executable(sw, "p1:/invoice.pdf.exe", None, ctx)
        self.assertEqual((e["type"], e["name_flags"]), ("pe_exe", ["double_extension"]), ctx)
        e = self.executable(sw, rlo, None, ctx)
        self.assertEqual((e["type"], e["name_flags"]), ("pe_exe", ["bidi_control"]), ctx)
        for code in ("SW-AUTORUN", "SW-DECEPTIVE-NAME"):
            for f in sw["findings"]:
                if f["code"] == code:
                    self.assertEqual((f["level"], f["slip_code"]), ("hold", "MAL-03"), ctx)
        self.assertEqual(sw["problems"], [], ctx)
        self.assertEqual(sw["verdict"], "hold", ctx)

    def test_usb_software(self):
        m = self.stick()
        path, _ = self.policy()
        doc, run = self.software(m["image"], path)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual((t["kind"], t["complete"], t["result"]), ("image", True, "clean"), ctx)
        self.check_usb(t, m, ctx)
        self.assertEqual((doc["verdict"], run.rc), ("hold", 3), ctx)

    def test_usb_scan(self):
        m = self.stick()
        path, _ = self.policy()
        doc, run = self.scan_sw(m["image"], path)
        ctx = "\n" + run.describe()
        self.assert_files(doc, run, m)
        self.assertEqual(doc["result"], "clean", ctx)
        self.check_usb(doc["targets"][0]["software"], m, ctx)
        self.assertEqual((doc["verdict"], run.rc), ("hold", 3), ctx)

    def test_usb_human_output_escapes_rlo(self):
        m = self.stick()
        path, _ = self.policy()
        run = self.kikan("software", "--database", self.db, "--policy", path, m["image"])
        self.assert_no_crash(run)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 3, ctx)
        self.assertNotIn(RLO_UTF8, run.stdout, "raw U+202E reaches the terminal" + ctx)
        self.assertNotIn(RLO_UTF8, run.stderr, ctx)
        self.assertIsNone(RAW_CONTROL.search(run.stdout), ctx)
        self.assertRegex(run.stdout, RLO_ESCAPED, "the RLO name is shown as an escape" + ctx)
        for code in ("SW-AUTORUN", "SW-DECEPTIVE-NAME", "SW-UNAPPROVED"):
            self.assertIn(code.encode(), run.stdout, ctx)
        self.assertIn(b"portable.exe", run.stdout, ctx)
        self.assertIn(b"setup.exe", run.stdout, ctx)

    def test_usb_portable_approved_by_sha256(self):
        m = self.stick()
        sha = m["files"]["p1:/tools/portable.exe"]["sha256"]
        path, text = self.policy('\n[approve "Known tool"]\nsha256 = %s\n' % sha, tag="sha")
        doc, run = self.software(m["image"], path)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        want = [c for c in self.expected(m) if c != ("SW-UNAPPROVED", "p1:/tools/portable.exe")]
        self.assertEqual(self.codes(t), want, ctx)
        e = self.executable(t, "p1:/tools/portable.exe", None, ctx)
        self.assertEqual((e["policy"], e["rule"]), ("approved", "Known tool"), ctx)
        self.assertEqual(doc["policy"]["version"], "it-sha", ctx)
        # The other PE files have other hashes: still unknown.
        self.assertEqual(self.executable(t, "p1:/invoice.pdf.exe", None, ctx)["policy"],
                         "unknown", ctx)
        self.assertEqual(run.rc, 3, ctx)


# ================================================================ exceptions

class SoftwareExceptions(SoftwareTestCase):
    """Exceptions with approver, ticket and expiry (KR-20): valid through
    their expiry day (kiosk local time), an expired one is unapproved."""

    def with_exception(self, days, name="Zoom*", programs=(OFFICE, ZOOM)):
        expires = (datetime.date.today() + datetime.timedelta(days=days)).isoformat()
        extra = ('\n[exception "Zoom (emergency)"]\nname = %s\napprover = Sato (IT)\n'
                 'ticket = IT-2026-0412\nexpires = %s\n' % (name, expires))
        path, text = self.policy(extra)
        hive = self.windows_hive(list(programs))
        doc, run = self.software(hive, path)
        return expires, text, doc, run

    def check_exception(self, f, text, expires, ctx):
        self.assertEqual((f["rule"], f["ticket"], f["approver"], f["expires"]),
                         ("Zoom (emergency)", "IT-2026-0412", "Sato (IT)", expires), ctx)
        self.assertEqual(f["rule_line"], self.rule_line(text, '[exception "Zoom (emergency)"]'),
                         ctx)

    def test_exception_expired_yesterday(self):
        expires, text, doc, run = self.with_exception(-1)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("SW-EXCEPTION-EXPIRED", "Zoom Workplace")], ctx)
        f = t["findings"][0]
        self.assertEqual((f["level"], f["slip_code"]), ("hold", "SW-01"), ctx)
        self.check_exception(f, text, expires, ctx)
        p = self.installed(t, "Zoom Workplace", ctx)
        self.assertEqual((p["policy"], p["rule"]), ("exception_expired", "Zoom (emergency)"), ctx)
        self.assertEqual((doc["verdict"], run.rc), ("hold", 3), ctx)

    def test_exception_valid_until_tomorrow(self):
        expires, text, doc, run = self.with_exception(1)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("SW-EXCEPTION", "Zoom Workplace")], ctx)
        f = t["findings"][0]
        self.assertEqual((f["level"], f["slip_code"]), ("info", "SW-05"), ctx)
        self.check_exception(f, text, expires, ctx)
        self.assertEqual(self.installed(t, "Zoom Workplace", ctx)["policy"], "exception", ctx)
        self.assertEqual((t["verdict"], doc["verdict"], run.rc), ("cleared", "cleared", 0),
                         "an info finding does not block" + ctx)

    def test_exception_valid_today(self):
        # Valid through the end of its expiry day.
        expires, text, doc, run = self.with_exception(0)
        ctx = "\n" + run.describe()
        self.assertEqual(self.codes(doc["targets"][0]), [("SW-EXCEPTION", "Zoom Workplace")],
                         ctx)
        self.assertEqual(run.rc, 0, ctx)

    def test_exception_beats_forbid_until_it_expires(self):
        # docs/policy.md precedence: valid exception > forbid > approve >
        # expired exception.
        expires, text, doc, run = self.with_exception(3, name="TeamViewer*",
                                                      programs=(OFFICE, TEAMVIEWER))
        ctx = "\n" + run.describe()
        self.assertEqual(self.codes(doc["targets"][0]), [("SW-EXCEPTION", "TeamViewer")], ctx)
        self.assertEqual(run.rc, 0, ctx)
        expires, text, doc, run = self.with_exception(-3, name="TeamViewer*",
                                                      programs=(OFFICE, TEAMVIEWER))
        ctx = "\n" + run.describe()
        self.assertEqual(self.codes(doc["targets"][0]), [("SW-FORBIDDEN", "TeamViewer")], ctx)
        self.assertEqual((doc["verdict"], run.rc), ("quarantine", 3), ctx)


# ================================================================ policy errors

class SoftwarePolicy(SoftwareTestCase):
    """A malformed policy stops everything (exit 2, the line named); a
    missing one is an error when named, SW-NO-POLICY when the default is
    absent."""

    DEFAULT = "/etc/kikan/policy.conf"

    def test_malformed_policy_names_line(self):
        bad = ('\n[exception "Zoom (emergency)"]\nname = Zoom*\napprover = Sato (IT)\n'
               'ticket = IT-2026-0412\nexpires = 2026-02-30\n')
        path, text = self.policy(bad)
        line = len(text.splitlines())   # the expires line is the last
        hive = self.windows_hive([OFFICE])
        for cmd in (["software", "--json"], ["scan", "--json"], ["software"]):
            run = self.kikan(*(cmd + ["--database", self.db, "--policy", path, hive]))
            ctx = "\n" + run.describe()
            self.assertEqual(run.rc, 2, ctx)
            self.assertEqual(run.stdout, b"", "nothing is scanned, no document" + ctx)
            self.assertRegex(run.stderr.decode("utf-8", "replace"),
                             r"policy\.conf:%d:" % line, "the message names FILE:LINE" + ctx)

    def test_malformed_policy_unknown_key(self):
        path, text = self.policy('\n[approve "X"]\nnmae = Foo*\n')
        line = len(text.splitlines())
        run = self.kikan("software", "--json", "--database", self.db, "--policy", path,
                         self.windows_hive([OFFICE]))
        ctx = "\n" + run.describe()
        self.assertEqual((run.rc, run.stdout), (2, b""), ctx)
        self.assertRegex(run.stderr.decode("utf-8", "replace"), r"policy\.conf:%d:" % line, ctx)

    def test_kikan_policy_missing_is_an_error(self):
        hive = self.windows_hive([OFFICE])
        missing = os.path.join(self.tmp, "no-such-policy.conf")
        run = self.kikan("software", "--json", "--database", self.db, hive,
                         env=self.env(KIKAN_POLICY=missing))
        ctx = "\n" + run.describe()
        self.assertEqual((run.rc, run.stdout), (2, b""), ctx)
        self.assertIn(b"no-such-policy.conf", run.stderr, ctx)
        # --policy naming a missing file: the same.
        run = self.kikan("software", "--json", "--database", self.db, "--policy", missing, hive)
        self.assertEqual((run.rc, run.stdout), (2, b""), "\n" + run.describe())

    def test_no_default_policy(self):
        if os.path.exists(self.DEFAULT):
            self.fail("%s exists on this machine: this test needs it absent (do not delete "
                      "it for the test; run it elsewhere)" % self.DEFAULT)
        hive = self.windows_hive([OFFICE], [SEVENZIP])
        doc, run = self.software(hive, None)
        ctx = "\n" + run.describe()
        p = doc["policy"]
        self.assertIs(p["loaded"], False, ctx)
        self.assertEqual(p["path"], self.DEFAULT, ctx)
        t = doc["targets"][0]
        self.assertEqual(self.codes(t), [("SW-NO-POLICY", t["findings"][0]["subject"])], ctx)
        self.assertEqual(t["findings"][0]["level"], "hold", ctx)
        self.assertEqual(sorted(p["policy"] for p in t["installed"]), ["unknown", "unknown"], ctx)
        self.assertEqual((doc["verdict"], run.rc), ("hold", 3), ctx)

    def test_no_default_policy_nothing_to_judge(self):
        if os.path.exists(self.DEFAULT):
            self.fail("%s exists on this machine: this test needs it absent" % self.DEFAULT)
        d = self.tree_dir("docs", {"notes.txt": b"nothing to run here\n"})
        doc, run = self.software(d, None)
        ctx = "\n" + run.describe()
        self.assertEqual(doc["targets"][0]["findings"], [], ctx)
        self.assertEqual(run.rc, 0, ctx)


# ================================================================ bad input

class SoftwareBadInput(SoftwareTestCase):
    """Corrupt and hostile system files: a clear finding, never a crash."""

    def check_unreadable_hive(self, path):
        p, _ = self.policy()
        doc, run = self.software(path, p, timeout=BAD_INPUT_TIMEOUT)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertIs(t["complete"], True, "status complete: the worker did not crash" + ctx)
        self.assertEqual(len(t["problems"]), 1, "the hive is listed as unreadable" + ctx)
        self.assertIn(t["problems"][0]["source"], (path, os.path.basename(path)), ctx)
        self.assertIn("UPD-UNKNOWN", [f["code"] for f in t["findings"]], ctx)
        self.assertEqual(t["verdict"], "hold", ctx)
        self.assertEqual(run.rc, 3, ctx)
        # ... and through kikan scan as well.
        doc, run = self.scan_sw(path, p, timeout=BAD_INPUT_TIMEOUT)
        ctx = "\n" + run.describe()
        self.assertEqual(doc["targets"][0]["status"], "complete", ctx)
        self.assertEqual(len(doc["targets"][0]["software"]["problems"]), 1, ctx)
        self.assertEqual(doc["verdict"], "hold", ctx)

    def test_truncated_hive(self):
        full = self.windows_hive([OFFICE, FIREFOX], [SEVENZIP], name="full.hive")
        with open(full, "rb") as f:
            data = f.read()
        cut = os.path.join(self.tmp, "SOFTWARE")
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        self.check_unreadable_hive(cut)

    def test_random_regf(self):
        path = os.path.join(self.tmp, "NTUSER.DAT")
        with open(path, "wb") as f:
            f.write(b"regf" + os.urandom(64 * 1024 - 4))
        self.check_unreadable_hive(path)

    def test_hostile_hive(self):
        hive = self.hive("SOFTWARE", "software", *(self.ms.windows_args() +
                                                   self.ms.program_args([OFFICE]) +
                                                   ["--hostile"]))
        ntuser = self.hive("NTUSER.DAT", "ntuser", "--hostile", "--program", ZOOM)
        p, _ = self.policy()
        for target in (hive, ntuser):
            doc, run = self.software(target, p, timeout=BAD_INPUT_TIMEOUT)   # JSON valid, UTF-8
            ctx = "\n" + run.describe()
            t = doc["targets"][0]
            self.assertIs(t["complete"], True, ctx)
            names = [x["name"] for x in t["installed"]]
            for x in t["installed"]:
                self.assertLessEqual(len(x["name"].encode()), 1024 * 4, ctx)
            evil = [n for n in names if n.startswith("Evil")]
            self.assertEqual(len(evil), 1, "the control-character name is listed%s" % ctx)
            bad = [n for n in names if n.startswith("Bad")]
            self.assertEqual(len(bad), 1, ctx)
            self.assertIn("\ufffd", bad[0], "invalid UTF-16 becomes U+FFFD" + ctx)
            long_ = [x for x in t["installed"] if x["name"].startswith("AAAA")]
            self.assertEqual(len(long_), 1, ctx)
            self.assertIs(long_[0]["truncated"], True, "a 64 KiB name is cut" + ctx)
            self.assertLessEqual(len(long_[0]["name"].encode()), 1024, ctx)
            self.assertIn("Zoom Workplace" if target == ntuser else
                          "Microsoft Office Professional Plus 2019", names, ctx)
            # hostile-nul shows what comes before the NUL; hostile-types
            # (DisplayName a DWORD) has no name and is not listed.
            self.assertIn("Shown", names, ctx)
            self.assertEqual(len(names), 5, "4 hostile programs with a name + 1: %r%s" %
                             (names, ctx))
            for n in names:
                self.assertNotIn("\x00", n, ctx)
            self.assertEqual(run.rc, 3, "hostile programs are unapproved" + ctx)

            run = self.kikan("software", "--database", self.db, "--policy", p, target,
                             timeout=BAD_INPUT_TIMEOUT)
            self.assert_no_crash(run)
            ctx = "\n" + run.describe()
            self.assertEqual(run.rc, 3, ctx)
            m = RAW_CONTROL.search(run.stdout)
            self.assertIsNone(m, "raw control byte %r in the human output%s" %
                              (m.group(0) if m else b"", ctx))
            self.assertNotIn(b"\r", run.stdout, ctx)
            try:
                run.stdout.decode("utf-8")
            except UnicodeDecodeError as e:
                self.fail("human output is not UTF-8 (%s)%s" % (e, ctx))
            self.assertIn(b"Evil", run.stdout, ctx)

    def test_truncated_dpkg_status(self):
        d = self.tree_dir("debian", self.ms.debian_tree(truncate=True))
        p, _ = self.policy()
        doc, run = self.software(d, p, timeout=BAD_INPUT_TIMEOUT)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertIs(t["complete"], True, ctx)
        self.assertEqual([s["family"] for s in t["systems"]], ["linux"], ctx)
        self.assertRegex(t["systems"][0]["product"] or "", r"Debian", ctx)
        self.assertEqual(len(t["problems"]), 1, ctx)
        self.assertTrue(t["problems"][0]["source"].endswith("var/lib/dpkg/status"), ctx)
        unk = [f for f in t["findings"] if f["code"] == "UPD-UNKNOWN"
               and f["source"] == t["problems"][0]["source"]]
        self.assertEqual(len(unk), 1, ctx)
        self.assertEqual((t["verdict"], run.rc), ("hold", 3), ctx)

    def test_dpkg_status(self):
        d = self.tree_dir("debian", self.ms.debian_tree())
        p, _ = self.policy()
        doc, run = self.software(d, p)
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertEqual([s["family"] for s in t["systems"]], ["linux"], ctx)
        self.assertRegex(t["systems"][0]["product"] or "", r"Debian", ctx)
        self.assertEqual(t["problems"], [], ctx)
        got = sorted((x["name"], x["version"], x["publisher"]) for x in t["installed"])
        want = sorted((n, v, m) for n, st, v, m in self.ms.DPKG_PACKAGES
                      if st == "install ok installed")
        self.assertEqual(got, want, "exactly the installed packages (not config-files)" + ctx)
        for x in t["installed"]:
            self.assertTrue(x["source"].endswith("var/lib/dpkg/status"), ctx)

    def test_malware_exit_beats_software(self):
        # 1 takes precedence over 3 (docs/json.md "Exit status").
        d = self.tree_dir("mixed", {"tools/portable.exe": self.ms.pe("portable"),
                                    "eicar.com": self.ms.eicar()})
        p, _ = self.policy()
        doc, run = self.scan_sw(d, p)
        ctx = "\n" + run.describe()
        self.assertEqual((doc["result"], doc["verdict"], run.rc), ("infected", "quarantine", 1),
                         ctx)
        sw = doc["targets"][0]["software"]
        self.assertEqual(self.codes(sw), [("SW-UNAPPROVED", "tools/portable.exe")], ctx)
        doc, run = self.software(d, p)
        self.assertEqual((doc["verdict"], run.rc), ("quarantine", 1), "\n" + run.describe())


# ================================================================ real hives

class SoftwareRealHives(SoftwareTestCase):
    """The two real registry hives of ../shared/testdata/hives list exactly
    their installed programs (issue #4 "Must show").  What they hold was
    read independently with python3-hivex (Uninstall keys)."""

    def real(self, name):
        out = os.path.join(self.tmp, name[:-3])
        with lzma.open(shared_testdata("hives", name)) as fi, open(out, "wb") as fo:
            fo.write(fi.read())
        p, _ = self.policy()
        doc, run = self.software(out, p)
        return doc, run

    def check_exact(self, doc, run, want):
        ctx = "\n" + run.describe()
        t = doc["targets"][0]
        self.assertIs(t["complete"], True, ctx)
        got = sorted((p["name"], p["version"], p["publisher"]) for p in t["installed"])
        self.assertEqual(got, sorted(want), ctx)
        return t, ctx

    def test_ntuser_with_winscp(self):
        doc, run = self.real("NTUSER_with_winscp.DAT.xz")
        t, ctx = self.check_exact(doc, run, [
            ("GitHub Desktop", "3.0.0", "GitHub, Inc."),
            ("Zoom", "5.9.3 (3169)", "Zoom Video Communications, Inc."),
            ("JetBrains dotPeek 2021.3.3", "2021.3.3", "JetBrains s.r.o."),
            ("Python 3.10.2 (64-bit)", "3.10.2150.0", "Python Software Foundation")])
        for p in t["installed"]:
            self.assertIs(p["per_user"], True, "an NTUSER.DAT lists per-user programs" + ctx)
        self.assertEqual(t["problems"], [], ctx)
        # None is approved by the test policy: four SW-UNAPPROVED.
        self.assertEqual([c for c, _ in self.codes(t)], ["SW-UNAPPROVED"] * 4, ctx)
        self.assertEqual(run.rc, 3, ctx)

    def test_ntuser_software_partial(self):
        doc, run = self.real("ntuser_software_partial.xz")
        t, ctx = self.check_exact(doc, run, [
            ("Python 3.7 distorm3-3.3.4", None, None),
            ("GitKraken", "5.0.4", "Axosoft, LLC"),
            ("Microsoft OneDrive", "20.028.0206.0009", "Microsoft Corporation"),
            ("Python 3.7.0 (Anaconda3 5.3.0 64-bit)", "5.3.0", "Anaconda, Inc."),
            ("Microsoft Visual Studio Code (User)", "1.33.1", "Microsoft Corporation")])
        self.assertEqual(run.rc, 3, ctx)
