"""`kikan scan` on the generated fixtures: findings, clean media, archives
that cannot be fully inspected, hostile names and symbolic links."""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import unittest
import zipfile

from kikan_it import (KikanTestCase, accept_test_cvd_age, build_dir_of, child_pids,
                      eicar_bytes, fixtures, kikan_bin, project_signatures, scand_bin,
                      sha256_file, wait_for_scanning_daemon, write_kikan_conf)

EICAR = "Eicar-Test-Signature"


def copy_case(tc, name):
    """Copies cases/<name>/ into the test's temp dir (the fixtures stay
    untouched whatever the scanner does)."""
    dst = os.path.join(tc.tmp, "target-" + name)
    shutil.copytree(fixtures("cases", name), dst, symlinks=True)
    return dst


class ScanFindings(KikanTestCase):

    def test_nested_eicar(self):
        target = copy_case(self, "nested")
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        self.assertEqual(doc["result"], "infected", ctx)
        t = doc["targets"][0]
        self.assertEqual(t["status"], "complete", ctx)
        self.assertIsNone(t["detail"], ctx)
        self.assertEqual(t["result"], "infected", ctx)
        # No test switch asks for the null backend, and this kernel has
        # seccomp: the worker must have been confined.
        self.assertIn(t["sandbox"], ("seccomp+landlock", "seccomp"), ctx)

        self.assertEqual(len(doc["files"]), 1, ctx)
        f = self.file_entry(doc, "Reports/2024/outer.zip", run)
        full = os.path.join(target, "Reports", "2024", "outer.zip")
        self.assertEqual(f["target"], target, ctx)
        self.assertEqual(f["result"], "infected", ctx)
        self.assertEqual(f["signatures"], [EICAR], ctx)
        self.assertIsNone(f["reason"], ctx)
        self.assertIs(f["engine_skipped"], False, ctx)
        self.assertEqual(f["size"], os.path.getsize(full), ctx)
        self.assertEqual(f["sha256"], sha256_file(full), ctx)
        self.assertIsNone(f.get("path_hex"), ctx)

        # The members show the nesting: inner.zip directly inside, the
        # EICAR file inside it, in the order they were reached.
        names = [(m["name"], m["depth"]) for m in f["members"]]
        self.assertIn(("inner.zip", 1), names, ctx)
        self.assertIn(("eicar.com", 2), names, ctx)
        self.assertLess(names.index(("inner.zip", 1)), names.index(("eicar.com", 2)), ctx)
        inner = f["members"][names.index(("inner.zip", 1))]
        eic = f["members"][names.index(("eicar.com", 2))]
        self.assertEqual(eic["result"], "infected", ctx)
        self.assertEqual(eic["signatures"], [EICAR], ctx)
        self.assertEqual(eic["size"], 68, ctx)
        self.assertEqual(inner["result"], "infected", ctx)
        # The clean siblings are members too, and clean.
        for name, depth in (("readme.txt", 2), ("index.txt", 1)):
            self.assertIn((name, depth), names, ctx)
            m = f["members"][names.index((name, depth))]
            self.assertEqual(m["result"], "clean", ctx)
            self.assertEqual(m["signatures"], [], ctx)

        self.assertEqual(doc["summary"]["infected"], 1, ctx)
        self.assertEqual(doc["summary"]["files"], 1, ctx)
        dbs = doc["engine"]["databases"]
        self.assertEqual([d["name"] for d in dbs], ["test-6.cvd"], ctx)
        self.assertIs(dbs[0]["signed"], True, ctx)
        self.assertEqual(dbs[0]["version"], 6, ctx)
        self.assertGreater(dbs[0]["signatures"], 0, ctx)
        # test-6.cvd header: built 22 Jun 2021 21:34 -0400 (unix 1624412045).
        self.assertTrue(dbs[0]["build_time"].startswith("2021-06-23T01:34"), ctx)
        self.assertTrue(doc["engine"]["newest_signed_build_time"].startswith("2021-06-23T01:34"),
                        ctx)
        self.assertGreater(doc["engine"]["age_days"], 365, ctx)

    def test_clean_folder(self):
        target = copy_case(self, "clean")
        # Cleared only with a signed database IT accepts as fresh (MAL-05).
        accept_test_cvd_age(self)
        doc, run = self.scan_json([target], [project_signatures(), self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 0, ctx)
        self.assertEqual(doc["verdict"], "cleared", ctx)
        self.assertEqual(doc["result"], "clean", ctx)
        self.assertEqual(doc["targets"][0]["status"], "complete", ctx)
        self.assertEqual(doc["targets"][0]["result"], "clean", ctx)

        expected = {}
        for root, _dirs, files in os.walk(target):
            for n in files:
                full = os.path.join(root, n)
                expected[os.path.relpath(full, target)] = full
        listed = sorted(f["path"] for f in doc["files"])
        self.assertEqual(listed, sorted(expected), "every file must be listed" + ctx)
        for f in doc["files"]:
            full = expected[f["path"]]
            self.assertEqual(f["result"], "clean", "%s%s" % (f["path"], ctx))
            self.assertEqual(f["size"], os.path.getsize(full), ctx)
            self.assertRegex(f["sha256"], r"^[0-9a-f]{64}$", ctx)
            self.assertEqual(f["sha256"], sha256_file(full), "sha256 of %s%s" % (f["path"], ctx))
            # Files of 5 bytes or less never reach libclamav (docs/json.md).
            self.assertIs(f["engine_skipped"], os.path.getsize(full) <= 5,
                          "engine_skipped of %s%s" % (f["path"], ctx))
            for m in f["members"]:
                self.assertEqual(m["result"], "clean", ctx)
        # One digest checked against hashlib directly, byte for byte.
        with open(os.path.join(target, "Documents", "readme.txt"), "rb") as fh:
            want = hashlib.sha256(fh.read()).hexdigest()
        self.assertEqual(self.file_entry(doc, "Documents/readme.txt", run)["sha256"], want, ctx)
        empty = self.file_entry(doc, "empty.txt", run)
        self.assertEqual(empty["sha256"],
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ctx)
        z = self.file_entry(doc, "archive/clean.zip", run)
        self.assertGreaterEqual(len(z["members"]), 2, "members of clean.zip" + ctx)
        s = doc["summary"]
        self.assertEqual((s["files"], s["clean"], s["infected"], s["not_inspected"]),
                         (len(expected), len(expected), 0, 0), ctx)

    def test_zip64_found_by_libarchive(self):
        target = copy_case(self, "zip64")
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        f = self.file_entry(doc, "zip64.zip", run)
        self.assertEqual(f["result"], "infected", ctx)
        self.assertEqual(f["signatures"], [EICAR], ctx)
        hits = [m for m in f["members"] if m["name"] == "eicar.com"]
        self.assertTrue(hits, "eicar.com must be listed as a member" + ctx)
        # libclamav misses the deflated ZIP64 entry; the fallback finds it.
        lib = [m for m in hits if m["extractor"] == "libarchive"]
        self.assertEqual(len(lib), 1, "eicar.com delivered by libarchive" + ctx)
        self.assertEqual(lib[0]["result"], "infected", ctx)
        self.assertEqual(lib[0]["signatures"], [EICAR], ctx)
        self.assertEqual(lib[0]["size"], 68, ctx)
        self.assertEqual(lib[0]["depth"], 1, ctx)

    def test_demo_medium(self):
        # The README's first command scans fixtures/demo with the project's
        # own signatures: only the backup archive is infected.
        target = os.path.join(self.tmp, "demo")
        shutil.copytree(fixtures("demo"), target)
        doc, run = self.scan_json([target], [project_signatures()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        bad = [f["path"] for f in doc["files"] if f["result"] != "clean"]
        self.assertEqual(bad, ["Projects/archive/backup.zip"], ctx)
        f = self.file_entry(doc, "Projects/archive/backup.zip", run)
        self.assertEqual(f["result"], "infected", ctx)
        self.assertTrue(any("Eicar" in s for s in f["signatures"]), ctx)
        self.assertEqual(doc["summary"]["files"], 6, ctx)


class ScanNotInspected(KikanTestCase):
    """Anything not positively inspected is not_inspected with a reason,
    never clean (KR-09, KR-10)."""

    def test_encrypted_zip(self):
        doc, _f = self.assert_not_inspected(copy_case(self, "encrypted"), "encrypted.zip",
                                            "encrypted", [self.db_test6()])
        # Programs could hide in it: the software side is not "cleared"
        # either (issue #4), and the slip says why (MAL-04).
        sw = doc["targets"][0]["software"]
        self.assertEqual(sw["verdict"], "hold")
        self.assertEqual([(f["code"], f["slip_code"], f["level"]) for f in sw["findings"]
                          if f["code"] == "SW-NOT-INSPECTED"],
                         [("SW-NOT-INSPECTED", "MAL-04", "hold")])
        self.assertEqual(doc["verdict"], "hold")

    def test_zip_bomb(self):
        # 200 MiB of zeros in one member, beyond max_filesize (100 MiB):
        # libclamav silently truncates it, Kikan must not call it clean,
        # neither the file nor the member it could only half read.
        doc, f = self.assert_not_inspected(copy_case(self, "bomb"), "over-limits.zip",
                                           "limit_exceeded", [self.db_test6()])
        zeros = [m for m in f["members"] if m["name"] == "zeros.bin"]
        self.assertTrue(zeros, "the oversized member must be listed: %r" % f["members"])
        for m in zeros:
            self.assertEqual((m["result"], m["reason"]), ("not_inspected", "limit_exceeded"),
                             "member %r was not fully read, so it is not clean" % m)

    def test_past_recursion_limit(self):
        # 20 nested zips, beyond max_recursion (16); harmless at the bottom.
        doc, f = self.assert_not_inspected(copy_case(self, "deep"), "deep.zip", "limit_exceeded",
                                           [self.db_test6()], detail_re=r"MaxRecursion")
        # The fallback extractors cross-check nested archives "up to
        # max_recursion" (docs/json.md), not beyond.
        limit = doc["engine"]["limits"]["max_recursion"]
        deeper = [(m["name"], m["depth"], m["extractor"]) for m in f["members"]
                  if m["depth"] > limit]
        self.assertEqual(deeper, [], "members reached beyond max_recursion %d" % limit)

    def test_truncated_rar(self):
        self.assert_not_inspected(copy_case(self, "bad-rar-truncated"), "clam-v3-truncated.rar",
                                  "parse_error", [project_signatures()])

    def test_corrupt_rar_stream(self):
        self.assert_not_inspected(copy_case(self, "bad-rar-corrupt"), "clam-v3-corrupt.rar",
                                  "parse_error", [project_signatures()])

    def test_zip_cdir_past_end(self):
        self.assert_not_inspected(copy_case(self, "bad-zip-cdir"), "cdir-past-end.zip",
                                  "parse_error", [self.db_test6()])

    def test_symlink_never_followed(self):
        # Issue #8: a symbolic link holds no content of its own; it is
        # listed clean with where it points, never followed, and does not
        # hold the medium.
        target = self.mkdir("symlinks")
        with open(os.path.join(target, "note.txt"), "wb") as f:
            f.write(b"An ordinary note, clean.\n")
        os.symlink("/etc/passwd", os.path.join(target, "passwd-link"))
        os.symlink("/etc", os.path.join(target, "etc-link"))
        accept_test_cvd_age(self)
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(sorted(f["path"] for f in doc["files"]),
                         ["etc-link", "note.txt", "passwd-link"],
                         "links are listed, a link to a directory is not entered" + ctx)
        for p, to in (("passwd-link", "/etc/passwd"), ("etc-link", "/etc")):
            f = self.file_entry(doc, p, run)
            self.assertEqual(f["result"], "clean", ctx)
            self.assertIsNone(f["reason"], ctx)
            self.assertEqual(f["link_target"], to, ctx)
            self.assertEqual(f["sha256"], "", "a symbolic link is never read" + ctx)
            self.assertEqual(f["members"], [], ctx)
        self.assertIsNone(self.file_entry(doc, "note.txt", run)["link_target"], ctx)
        self.assertEqual(self.file_entry(doc, "note.txt", run)["result"], "clean", ctx)
        self.assertNotIn(sha256_file("/etc/passwd").encode(), run.stdout, ctx)
        self.assertNotIn(b"root:x:0:0", run.stdout + run.stderr, ctx)
        self.assertEqual(doc["result"], "clean", ctx)
        self.assertEqual(doc["verdict"], "cleared", ctx)
        self.assertEqual(run.rc, 0, ctx)

        run = self.kikan("scan", "--database", self.db_test6(), target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 0, ctx)
        self.assertIn(("LINK  %s/passwd-link  link → /etc/passwd (not followed; a link holds "
                       "no content)" % target).encode(), run.stdout, ctx)
        self.assertIn(b"2 of them symbolic links", run.stdout, ctx)
        self.assertNotIn(b"root:x:0:0", run.stdout + run.stderr, ctx)


class ScanClearance(KikanTestCase):
    """Issue #8 item 1: a scan is valid for clearance only with a signed
    (official) database no older than max_age_days (MAL-05, KR-12)."""

    def assert_mal05_hold(self, doc, run, why_re):
        ctx = "\n" + run.describe()
        # The files are clean, and the result says so; the verdict does not.
        self.assertEqual(doc["result"], "clean", ctx)
        self.assertEqual(doc["verdict"], "hold", ctx)
        self.assertEqual(run.rc, 3, ctx)
        for t in doc["targets"]:
            self.assertEqual(t["verdict"], "hold", ctx)
            sig = [f for f in t["software"]["findings"] if f["code"] == "SIG-STALE"]
            self.assertEqual([(f["slip_code"], f["level"]) for f in sig], [("MAL-05", "hold")],
                             ctx)
            self.assertRegex(sig[0]["detail"], why_re, ctx)
            self.assertIn("kikan signatures import DIR", sig[0]["detail"], ctx)

    def test_unsigned_signatures_never_clear(self):
        target = copy_case(self, "clean")
        # Even with max_age_days at its largest: no official database, no
        # known age, no clearance.
        accept_test_cvd_age(self)
        doc, run = self.scan_json([target], [project_signatures()])
        self.assertEqual(doc["engine"]["age_state"], "none")
        self.assertEqual(doc["engine"]["age_days"], None)
        self.assert_mal05_hold(doc, run, r"no official \(signed")

        run = self.kikan("scan", "--database", project_signatures(), target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 3, ctx)
        self.assertIn(b"RESULT: CLEAN", run.stdout, ctx)
        self.assertIn(b"NOT valid for clearance (MAL-05)", run.stdout, ctx)
        self.assertRegex(run.stdout, rb"(?m)^Overall: HOLD \xe2\x80\x94 MAL-05: ", ctx)
        self.assertNotIn(b"CLEARED", run.stdout, ctx)

    def test_unconfined_worker_never_clears(self):
        # Fresh signatures, clean files, but KIKAN_SANDBOX=null: what an
        # unconfined worker reports is not evidence for a clearance.
        target = copy_case(self, "clean")
        accept_test_cvd_age(self)
        doc, run = self.scan_json([target], [self.db_test6()],
                                  env=self.env(KIKAN_SANDBOX="null"))
        ctx = "\n" + run.describe()
        self.assertEqual(doc["targets"][0]["sandbox"], "null", ctx)
        self.assertEqual((doc["result"], doc["verdict"], run.rc), ("clean", "hold", 3), ctx)
        codes = [(f["code"], f["slip_code"], f["level"])
                 for f in doc["targets"][0]["software"]["findings"]]
        self.assertIn(("SCAN-UNCONFINED", "MAL-04", "hold"), codes, ctx)
        # The same scan confined clears: the sandbox is what made the difference.
        doc, run = self.scan_json([target], [self.db_test6()])
        self.assertEqual((doc["verdict"], run.rc), ("cleared", 0), run.describe())

    def test_stale_signed_database_never_clears(self):
        target = copy_case(self, "clean")
        # test-6.cvd was built in 2021: stale for the default 7 days.
        doc, run = self.scan_json([target], [self.db_test6()])
        self.assertEqual(doc["engine"]["age_state"], "stale")
        self.assertEqual(doc["engine"]["max_age_days"], 7)
        self.assert_mal05_hold(doc, run, r"old, more than the 7 days allowed")

        # And `kikan software` says the same.
        run = self.kikan("software", "--json", "--database", self.db_test6(), target)
        ctx = "\n" + run.describe()
        sw = self.parse_json(run)
        self.assertEqual(run.rc, 3, ctx)
        self.assertEqual(sw["verdict"], "hold", ctx)

        # Once IT accepts its age in kikan.conf, the same scan is cleared.
        accept_test_cvd_age(self)
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(doc["engine"]["age_state"], "fresh", ctx)
        self.assertEqual((doc["result"], doc["verdict"], run.rc), ("clean", "cleared", 0), ctx)
        self.assertEqual([t["verdict"] for t in doc["targets"]], ["cleared"], ctx)

    def test_demo_script_outcome(self):
        # scripts/demo.sh expects exit 1 for the infected demo medium, with
        # the project's (unsigned) signatures: malware still decides first.
        target = os.path.join(self.tmp, "demo")
        shutil.copytree(fixtures("demo"), target)
        run = self.kikan("scan", "--database", project_signatures(), target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        self.assertIn(b"RESULT: INFECTED", run.stdout, ctx)
        self.assertRegex(run.stdout, rb"(?m)^Overall: QUARANTINE", ctx)

    def test_two_targets_named(self):
        # Issue #8 item 5: one verdict for several targets, and each target
        # named, with its own result and verdict.
        clean = self.mkdir("stick-clean")
        with open(os.path.join(clean, "note.txt"), "wb") as f:
            f.write(b"nothing to see here\n")
        bad = self.mkdir("stick-\u202ebad")
        with open(os.path.join(bad, "e.com"), "wb") as f:
            f.write(eicar_bytes())
        accept_test_cvd_age(self)
        doc, run = self.scan_json([clean, bad], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        self.assertEqual(doc["verdict"], "quarantine", ctx)
        self.assertEqual([(t["target"], t["result"], t["verdict"]) for t in doc["targets"]],
                         [(clean, "clean", "cleared"), (bad, "infected", "quarantine")], ctx)

        run = self.kikan("scan", "--database", self.db_test6(), clean, bad)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        shown_bad = bad.replace("\u202e", "\\u{202E}").encode()
        self.assertIn(b"  " + clean.encode() + b"  CLEAN, 1 file, verdict CLEARED\n", run.stdout,
                      ctx)
        self.assertIn(b"  " + shown_bad + b"  INFECTED, 1 file, verdict QUARANTINE\n",
                      run.stdout, ctx)
        self.assertIn(b" " + shown_bad + b"  (infected, software CLEARED)\n", run.stdout, ctx)
        self.assertNotIn(b"Target 1", run.stdout, ctx)
        self.assertNotIn("\u202e".encode(), run.stdout + run.stderr, ctx)


class ScanDaemon(KikanTestCase):
    """Issue #8 items 2, 4, 6, 7: the daemon as kikan runs it."""

    def big_folder(self, n=3000, size=64 * 1024):
        d = self.mkdir("big")
        for i in range(n):
            with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
                f.write(os.urandom(size))
        return d

    def popen(self, *args, env=None):
        argv = [kikan_bin()] + [str(a) for a in args]
        return argv, subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=env or self.env())

    def test_stopped_daemon_times_out(self):
        self.check_stopped_daemon("2")

    def test_stopped_daemon_noticed_before_deadline(self):
        # --timeout 600: only noticing that the daemon is stopped (10 s)
        # can end the scan within the 60 s this test allows.
        self.check_stopped_daemon("600")

    def check_stopped_daemon(self, timeout):
        target = self.big_folder(n=600)
        t0 = time.monotonic()
        argv, p = self.popen("scan", "--json", "--jobs", "1", "--timeout", timeout, "--database",
                             self.db_test6(), target)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        daemon = wait_for_scanning_daemon(p.pid)
        self.assertIsNotNone(daemon, "the scan must have started")
        os.kill(daemon, signal.SIGSTOP)
        self.addCleanup(lambda: os.path.exists("/proc/%d" % daemon) and
                        os.kill(daemon, signal.SIGKILL))
        try:
            out, err = p.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            p.kill()
            self.fail("kikan did not return within 90 s of its daemon being stopped "
                      "(--timeout %s)" % timeout)
        elapsed = time.monotonic() - t0
        ctx = "\nexit %s after %.1f s\nstderr: %s" % (p.returncode, elapsed,
                                                      err.decode("utf-8", "replace"))
        self.assertLess(elapsed, 60, ctx)
        self.assertEqual(p.returncode, 2, ctx)
        doc = json.loads(out.decode("utf-8"))
        t = doc["targets"][0]
        self.assertEqual((doc["result"], t["result"], t["status"]),
                         ("not_inspected", "not_inspected", "timeout"), ctx)
        self.assertRegex(t["detail"], r"stopped|did not answer", ctx)
        self.assertNotEqual(doc["verdict"], "cleared", ctx)
        self.assertIn(b"did not finish in time", err, ctx)
        # The stopped daemon was killed, not left behind.
        time.sleep(0.5)
        try:
            with open("/proc/%d/stat" % daemon) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            state = "gone"
        self.assertIn(state, ("gone", "Z"), "kikan-scand %d must be dead%s" % (daemon, ctx))

    def test_daemon_stopped_before_hello(self):
        # A daemon that stops before it has loaded the engine (here: one
        # that stops itself at once) is given up on within seconds, not
        # after the 300 s allowed for loading a full database.
        fake = os.path.join(self.tmp, "stopped-scand")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\nkill -STOP $$\n")
        os.chmod(fake, 0o755)
        target = self.mkdir("stick")
        t0 = time.monotonic()
        run = self.kikan("scan", "--json", "--database", self.db_test6(), target,
                         env=self.env(KIKAN_SCAND=fake), timeout=90)
        elapsed = time.monotonic() - t0
        ctx = "\nafter %.1f s\n%s" % (elapsed, run.describe())
        self.assertLess(elapsed, 60, ctx)
        self.assertEqual(run.rc, 2, ctx)
        self.assertEqual(run.stdout, b"", "a scan that cannot start writes no JSON" + ctx)
        self.assertIn(b"the scan daemon was stopped (not running) for 10 s while loading the "
                      b"signature databases; it was killed", run.stderr, ctx)
        self.assertIn(b"Nothing was scanned. Run the command again", run.stderr, ctx)

    def test_interrupt_leaves_no_trace(self):
        target = self.big_folder()
        tmp = os.path.join(self.home, "tmp")
        argv, p = self.popen("scan", "--json", "--jobs", "1", "--database", self.db_test6(),
                             target)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        daemon = wait_for_scanning_daemon(p.pid)
        self.assertIsNotNone(daemon, "the scan must have started")
        dirs = [d for d in os.listdir(tmp) if d.startswith("kikan-scand-")]
        self.assertEqual(len(dirs), 1, "the daemon's private temp dir, under the home: %r" % dirs)
        os.kill(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=60)
        ctx = "\nexit %s\nstderr: %s" % (p.returncode, err.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 128 + signal.SIGINT, ctx)
        self.assertIn(b"the scan was interrupted (Ctrl-C) before it finished", err, ctx)
        doc = json.loads(out.decode("utf-8"))
        self.assertIs(doc["interrupted"], True, ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(doc["verdict"], "hold", ctx)
        self.assertEqual([(t["status"], t["result"]) for t in doc["targets"]],
                         [("interrupted", "not_inspected")], ctx)
        self.assertLess(doc["summary"]["files"], 3000, "the scan was cut short" + ctx)
        self.assertEqual([d for d in os.listdir(tmp) if d.startswith("kikan-scand-")], [],
                         "the daemon's temp dir must be gone" + ctx)
        self.assertFalse(os.path.exists("/proc/%d" % daemon) and
                         open("/proc/%d/stat" % daemon).read().rsplit(")", 1)[1].split()[0]
                         != "Z", "kikan-scand must have exited" + ctx)

    def test_installed_kikan_runs_installed_daemon(self):
        # Issue #8 item 4: install into a temporary prefix; the build tree
        # (and its kikan-scand) still exists, but the installed kikan must
        # never run it.
        build = build_dir_of(kikan_bin())
        prefix = os.path.join(self.tmp, "prefix")
        inst = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertEqual(inst.returncode, 0, inst.stdout.decode("utf-8", "replace"))
        installed = os.path.join(prefix, "bin", "kikan")
        self.assertTrue(os.access(installed, os.X_OK), installed)
        self.assertTrue(os.access(scand_bin(), os.X_OK), "the build tree's daemon exists")
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            cache = dict(ln.split("=", 1) for ln in f.read().splitlines()
                         if "=" in ln and not ln.startswith(("#", "//")))
        install_prefix = cache["CMAKE_INSTALL_PREFIX:PATH"]
        libexec_scand = os.path.join(install_prefix, "libexec", "kikan", "kikan-scand")
        target = self.mkdir("stick")
        with open(os.path.join(target, "note.txt"), "wb") as f:
            f.write(b"hello\n")

        env = self.env()
        del env["KIKAN_SCAND"]
        argv = [installed, "scan", "--database", self.db_test6(), target]
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        seen = set()
        while p.poll() is None:
            for c in child_pids(p.pid):
                try:
                    seen.add(os.path.realpath("/proc/%d/exe" % c))
                except OSError:
                    pass
            time.sleep(0.002)
        out, err = p.communicate()
        ctx = "\nexit %s\nchildren: %r\nstderr: %s" % (p.returncode, seen,
                                                        err.decode("utf-8", "replace"))
        self.assertNotIn(os.path.realpath(scand_bin()), seen,
                         "the installed kikan ran the build tree's daemon" + ctx)
        if not os.path.exists(libexec_scand):
            # It looked for the installed daemon, said so, and ran nothing.
            self.assertEqual(p.returncode, 2, ctx)
            self.assertIn(("The scan daemon %s is missing" % libexec_scand).encode(), err, ctx)

        # The build tree's own kikan still runs the build tree's daemon.
        run = self.kikan("scan", "--database", self.db_test6(), target, env=env)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 3, "clean, held only for the test database's age" + ctx)

    def test_state_dir_not_accessible(self):
        # Issue #8 item 7: a user who may not enter the state directory is
        # told so, not that a settings file "cannot be read".
        locked = os.path.join(self.tmp, "home")   # self.tmp is mode 0700, root's
        self.assertEqual(os.stat(self.tmp).st_mode & 0o777, 0o700)
        env = self.env(KIKAN_HOME=locked)
        argv = ["runuser", "-u", "nobody", "--", kikan_bin(), "scan", "/"]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=60)
        ctx = "\nexit %s\nstderr: %s" % (p.returncode, p.stderr.decode("utf-8", "replace"))
        self.assertEqual(p.returncode, 2, ctx)
        self.assertEqual(p.stdout, b"", ctx)
        self.assertIn(("The Kikan state directory %s (KIKAN_HOME) is not accessible to user "
                       "nobody" % locked).encode(), p.stderr, ctx)
        self.assertIn(b"Run kikan as the kiosk user, or set KIKAN_HOME to a directory you own",
                      p.stderr, ctx)
        self.assertNotIn(b"kikan.conf", p.stderr, ctx)


class HostileNames(KikanTestCase):

    # (raw name bytes, is it clean printable UTF-8?)
    NAMES = [
        (b"new\nline.txt", False),
        (b"esc\x1b[31mred\x1b[0m.txt", False),
        (b"bad-\xff\xfe-utf8.txt", False),
        ("rtl-\u202etxt.exe".encode(), False),
        (b"a" * 251 + b".txt", True),
        (("\u65e5" * 85).encode(), True),
        (b"tab\there.txt", False),
    ]
    DIR = b"dir\x1b]0;title\x07"
    MEMBER = b"member\x1b[2J\x1b[H.txt"

    def make_target(self):
        target = self.mkdir("hostile")
        tb = os.fsencode(target)
        for raw, _clean in self.NAMES:
            with open(os.path.join(tb, raw), "wb") as f:
                f.write(b"harmless content of a file with a hostile name\n")
        os.mkdir(os.path.join(tb, self.DIR))
        with open(os.path.join(tb, self.DIR, b"inner.txt"), "wb") as f:
            f.write(b"harmless content in a folder with a hostile name\n")
        # An archive member with a hostile name, too.
        with zipfile.ZipFile(os.path.join(target, "names.zip"), "w") as z:
            z.writestr(self.MEMBER.decode(), b"harmless member with a hostile name\n")
        expected = [(raw, clean) for raw, clean in self.NAMES]
        expected.append((self.DIR + b"/inner.txt", False))
        expected.append((b"names.zip", True))
        return target, expected

    def test_json_escapes_names(self):
        target, expected = self.make_target()
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        # Malware-clean, but the right-to-left override in "rtl-\u202etxt.exe"
        # is a deceptive name (issue #4): HOLD, exit 3, and only that name.
        self.assertEqual(doc["result"], "clean", ctx)
        self.assertEqual(run.rc, 3, ctx)
        findings = doc["targets"][0]["software"]["findings"]
        deceptive = [f for f in findings if f["code"] == "SW-DECEPTIVE-NAME"]
        self.assertEqual([f["subject"] for f in deceptive], ["rtl-\u202etxt.exe"], ctx)
        self.assertEqual(deceptive[0]["level"], "hold", ctx)
        self.assertEqual(deceptive[0]["slip_code"], "MAL-03", ctx)
        self.assertEqual(len(doc["files"]), len(expected), ctx)
        for raw, clean in expected:
            want = raw.decode("utf-8", "replace")
            hits = [f for f in doc["files"] if f["path"] == want]
            self.assertEqual(len(hits), 1, "entry for %r%s" % (raw, ctx))
            f = hits[0]
            self.assertEqual(f["result"], "clean", ctx)
            if clean:
                self.assertIsNone(f.get("path_hex"),
                                  "no path_hex for clean printable name %r%s" % (raw, ctx))
            else:
                self.assertIsInstance(f.get("path_hex"), str, "path_hex for %r%s" % (raw, ctx))
                self.assertEqual(bytes.fromhex(f["path_hex"]), raw, ctx)
        z = self.file_entry(doc, "names.zip", run)
        hostile = [m for m in z["members"] if m["name"] == self.MEMBER.decode()]
        self.assertTrue(hostile, "the hostile member must be listed" + ctx)
        for m in hostile:
            self.assertIsInstance(m.get("name_hex"), str, "name_hex of the member" + ctx)
            self.assertEqual(bytes.fromhex(m["name_hex"]), self.MEMBER, ctx)
        # The raw bytes of the names never reach stdout.
        for bad in (b"\x1b", b"\x07", b"\xff\xfe", b"new\nline", b"tab\there"):
            self.assertNotIn(bad, run.stdout, ctx)

    def test_json_escapes_c1_and_bidi(self):
        # Issue #8 item 3: C1 controls, bidi controls and other invisible
        # format characters never reach stdout raw, in any string: the
        # document is escaped as a whole (docs/json.md).
        chars = ["\u009b", "\u0085", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e",
                 "\u200f", "\u061c", "\u2028", "\u200b", "\ufeff"]
        target = self.mkdir("format-chars")
        tb = os.fsencode(target)
        names = [("n%02d-%stxt.exe" % (i, c)).encode() for i, c in enumerate(chars)]
        names.append(b"bad-\xc2-\x9b-utf8.txt")         # not UTF-8 at all
        for raw in names:
            with open(os.path.join(tb, raw), "wb") as f:
                f.write(b"harmless\n")
        link = ("link-\u2067").encode()
        os.symlink("to-\u202egpj.exe", os.path.join(tb, link))
        with zipfile.ZipFile(os.path.join(target, "m.zip"), "w") as z:
            z.writestr("member-\u009b[2J-\u202e.txt", b"harmless member\n")
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        raw_out = run.stdout
        for c in chars + ["\u2067"]:
            self.assertNotIn(c.encode(), raw_out, "raw U+%04X in the JSON%s" % (ord(c), ctx))
            self.assertIn(("\\u%04x" % ord(c)).encode(), raw_out.lower(),
                          "U+%04X must be written \\u%04x%s" % (ord(c), ord(c), ctx))
        self.assertNotIn(b"\xc2-", raw_out, ctx)
        self.assertNotIn(b"\x9b", raw_out, ctx)
        # Everything outside ASCII that is left is ordinary text.
        raw_out.decode("utf-8")
        paths = {f["path"] for f in doc["files"]}
        for raw in names:
            self.assertIn(raw.decode("utf-8", "replace"), paths, ctx)
        for raw in names[:-1]:
            f = self.file_entry(doc, raw.decode("utf-8"), run)
            self.assertEqual(bytes.fromhex(f["path_hex"]), raw, ctx)
        m = [mm for mm in self.file_entry(doc, "m.zip", run)["members"]]
        self.assertIn("member-\u009b[2J-\u202e.txt", [mm["name"] for mm in m], ctx)
        lf = self.file_entry(doc, link.decode(), run)
        self.assertEqual(lf["link_target"], "to-\u202egpj.exe", ctx)
        self.assertEqual(bytes.fromhex(lf["link_target_hex"]), "to-\u202egpj.exe".encode(), ctx)

    def test_human_output_escapes_names(self):
        # Human output lists only what is not clean, so here every hostile
        # name holds the EICAR test file (taken out of a generated fixture:
        # the repository never holds it) and must be printed, escaped as
        # docs/cli.md says: controls and invalid bytes as \xNN, bidi
        # controls as \u{XXXX}.
        with zipfile.ZipFile(fixtures("cases", "zip64", "zip64.zip")) as z:
            eicar = z.read("eicar.com")
        target = self.mkdir("hostile-infected")
        tb = os.fsencode(target)
        for raw, _clean in self.NAMES:
            with open(os.path.join(tb, raw), "wb") as f:
                f.write(eicar)
        os.mkdir(os.path.join(tb, self.DIR))
        with open(os.path.join(tb, self.DIR, b"inner.txt"), "wb") as f:
            f.write(eicar)
        run = self.kikan("scan", "--database", self.db_test6(), target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        for stream, data in (("stdout", run.stdout), ("stderr", run.stderr)):
            self.assertNotIn(b"\x1b", data, "raw ESC on %s%s" % (stream, ctx))
            self.assertNotIn(b"\x07", data, "raw BEL on %s%s" % (stream, ctx))
            self.assertNotIn(b"new\nline", data, "raw newline of a name on %s%s" % (stream, ctx))
            self.assertNotIn(b"tab\there", data, "raw tab of a name on %s%s" % (stream, ctx))
            self.assertNotIn(b"\xff\xfe", data, "invalid UTF-8 on %s%s" % (stream, ctx))
            self.assertNotIn("\u202e".encode(), data, "raw right-to-left override" + ctx)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as e:
                self.fail("%s is not valid UTF-8 (%s)%s" % (stream, e, ctx))
        out = run.stdout
        for pattern in (rb"new\\x0aline\.txt",
                        rb"esc\\x1b\[31mred\\x1b\[0m\.txt",
                        rb"bad-\\xff\\xfe-utf8\.txt",
                        rb"rtl-\\u\{202e\}txt\.exe",
                        rb"tab\\x09here\.txt",
                        rb"dir\\x1b\]0;title\\x07/inner\.txt",
                        rb"a{251}\.txt",
                        ("\u65e5" * 85).encode()):
            self.assertRegex(out.lower(), re.compile(pattern.lower()),
                             "escaped name missing from the report" + ctx)
        self.assertEqual(len(re.findall(rb"(?m)^INFECTED ", out)), len(self.NAMES) + 1, ctx)


if __name__ == "__main__":
    unittest.main()
