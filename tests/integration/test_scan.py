"""`kikan scan` on the generated fixtures: findings, clean media, archives
that cannot be fully inspected, hostile names and symbolic links."""

import hashlib
import os
import re
import shutil
import unittest
import zipfile

from kikan_it import KikanTestCase, fixtures, project_signatures, sha256_file

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
        doc, run = self.scan_json([target], [project_signatures(), self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 0, ctx)
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
        target = self.mkdir("symlinks")
        with open(os.path.join(target, "note.txt"), "wb") as f:
            f.write(b"An ordinary note, clean.\n")
        os.symlink("/etc/passwd", os.path.join(target, "passwd-link"))
        os.symlink("/etc", os.path.join(target, "etc-link"))
        doc, run = self.scan_json([target], [self.db_test6()])
        ctx = "\n" + run.describe()
        self.assertEqual(sorted(f["path"] for f in doc["files"]),
                         ["etc-link", "note.txt", "passwd-link"],
                         "links are listed, a link to a directory is not entered" + ctx)
        for p in ("passwd-link", "etc-link"):
            f = self.file_entry(doc, p, run)
            self.assertEqual(f["result"], "not_inspected", ctx)
            self.assertEqual(f["reason"], "symlink", ctx)
            self.assertEqual(f["sha256"], "", "a symbolic link is never read" + ctx)
            self.assertEqual(f["members"], [], ctx)
        self.assertEqual(self.file_entry(doc, "note.txt", run)["result"], "clean", ctx)
        self.assertNotIn(sha256_file("/etc/passwd").encode(), run.stdout, ctx)
        self.assertNotIn(b"root:x:0:0", run.stdout + run.stderr, ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)


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
