"""Offline signature updates: signed upstream test databases are imported,
forgeries are refused and change nothing, and a scan uses what was
imported.  A tampered database given with --database stops the scan."""

import hashlib
import os
import shutil
import unittest

from kikan_it import KikanTestCase, fixtures, shared_testdata

CVD_HEADER = 512


def tampered_copy(src, dst_dir):
    """Copies @src into @dst_dir with one byte of the signed body flipped."""
    os.makedirs(dst_dir, exist_ok=True)
    with open(src, "rb") as f:
        data = bytearray(f.read())
    pos = CVD_HEADER + (len(data) - CVD_HEADER) // 2
    data[pos] ^= 0x01
    dst = os.path.join(dst_dir, os.path.basename(src))
    with open(dst, "wb") as f:
        f.write(data)
    return dst, hashlib.sha256(data).hexdigest()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Signatures(KikanTestCase):

    def one_db_dir(self, name, src):
        d = self.mkdir(name)
        shutil.copy(src, d)
        return d

    def status(self):
        """`kikan signatures status --json`.  The upstream test databases
        were built in 2021, so the state is always stale: exit 3
        (docs/cli.md)."""
        run = self.kikan("signatures", "status", "--json")
        ctx = "\n" + run.describe()
        doc = self.parse_json(run)
        self.assertEqual(doc.get("format"), "kikan-signatures-status", ctx)
        self.assertEqual(doc.get("format_version"), 1, ctx)
        self.assertEqual(doc.get("home"), self.home, ctx)
        self.assertEqual(doc.get("state"), "stale", ctx)
        self.assertEqual(run.rc, 3, "status exit for stale signatures" + ctx)
        return doc, run

    def assert_status_shows(self, name, version, absent=()):
        doc, run = self.status()
        ctx = "\n" + run.describe()
        dbs = [d for d in doc["databases"] if d["name"] == name]
        self.assertEqual(len(dbs), 1, "status must list %s once%s" % (name, ctx))
        d = dbs[0]
        self.assertEqual(d["origin"], "imported set", ctx)
        self.assertIs(d["signed"], True, ctx)
        self.assertIs(d["verified"], True, ctx)
        self.assertIsNone(d["error"], ctx)
        self.assertEqual(d["version"], version, ctx)
        self.assertTrue(d["path"].startswith(os.path.join(self.home, "signatures") + os.sep), ctx)
        for a in absent:
            self.assertNotIn(a, [x["name"] for x in doc["databases"]], ctx)
        # Only the imported set: the project's folder is empty in this test.
        self.assertEqual([x["name"] for x in doc["databases"]], [name], ctx)
        self.assertEqual(doc["newest_signed_build_time"], d["build_time"], ctx)
        return doc

    def files_in_home(self):
        out = {}
        for root, _dirs, files in os.walk(self.home):
            for n in files:
                p = os.path.join(root, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    out[p] = sha256(p)
        return out

    def test_import_verify_and_use(self):
        cvd5 = shared_testdata("clamav", "test-5.cvd")
        cvd6 = shared_testdata("clamav", "test-6.cvd")
        dir5 = self.one_db_dir("import-5", cvd5)
        dir6 = self.one_db_dir("import-6", cvd6)
        bad_dir = self.mkdir("import-6-tampered")
        _bad, bad_sha = tampered_copy(cvd6, bad_dir)

        run = self.kikan("signatures", "import", dir5)
        self.assertEqual(run.rc, 0, "import of test-5.cvd\n" + run.describe())
        self.assert_status_shows("test-5.cvd", 5, absent=("test-6.cvd",))
        current = os.path.join(self.home, "signatures", "current")
        set5 = os.readlink(current)

        # A forgery is refused (exit 2, docs/cli.md), says which file, and
        # changes nothing.
        before = self.files_in_home()
        run = self.kikan("signatures", "import", bad_dir)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 2, "a tampered test-6.cvd must be refused" + ctx)
        self.assertIn(b"test-6.cvd", run.stdout + run.stderr, "name the refused file" + ctx)
        self.assert_status_shows("test-5.cvd", 5, absent=("test-6.cvd",))
        self.assertEqual(os.readlink(current), set5, "current must not move" + ctx)
        self.assertNotIn(bad_sha, self.files_in_home().values(),
                         "the tampered file must not be kept in KIKAN_HOME" + ctx)
        self.assertEqual({p: h for p, h in self.files_in_home().items()
                          if p.endswith((".cvd", ".cld", ".cud"))},
                         {p: h for p, h in before.items()
                          if p.endswith((".cvd", ".cld", ".cud"))}, ctx)

        # test-6.cvd is the same database as test-5.cvd ("test"), one
        # version newer: it replaces it.
        run = self.kikan("signatures", "import", dir6)
        self.assertEqual(run.rc, 0, "import of test-6.cvd\n" + run.describe())
        self.assert_status_shows("test-6.cvd", 6, absent=("test-5.cvd",))
        set6 = os.readlink(current)
        self.assertNotEqual(set6, set5)

        run = self.kikan("signatures", "import", bad_dir)
        self.assertEqual(run.rc, 2, "tampered test-6.cvd over a good one\n" + run.describe())
        self.assert_status_shows("test-6.cvd", 6, absent=("test-5.cvd",))
        self.assertEqual(os.readlink(current), set6)
        self.assertIn(sha256(cvd6), self.files_in_home().values(),
                      "the good test-6.cvd must still be installed")
        self.assertNotIn(bad_sha, self.files_in_home().values())

        # Without --database, the scan uses what was imported; the project's
        # signatures are out of the way (KIKAN_SIGNATURES_DIR is empty), so
        # only test-6.cvd can find EICAR.
        target = os.path.join(self.tmp, "nested")
        shutil.copytree(fixtures("cases", "nested"), target)
        doc, run = self.scan_json([target], [])
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        f = self.file_entry(doc, "Reports/2024/outer.zip", run)
        self.assertEqual(f["result"], "infected", ctx)
        self.assertEqual(f["signatures"], ["Eicar-Test-Signature"], ctx)
        dbs = {d["name"]: d for d in doc["engine"]["databases"]}
        self.assertIn("test-6.cvd", dbs, ctx)
        self.assertIs(dbs["test-6.cvd"]["signed"], True, ctx)
        self.assertEqual(dbs["test-6.cvd"]["version"], 6, ctx)

    def test_tampered_database_option_stops_scan(self):
        bad_dir = self.mkdir("db-tampered")
        tampered_copy(shared_testdata("clamav", "test-6.cvd"), bad_dir)
        target = os.path.join(self.tmp, "nested")
        shutil.copytree(fixtures("cases", "nested"), target)
        run = self.kikan("scan", "--json", "--database", bad_dir, target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 2, ctx)
        self.assertIn(b"test-6.cvd", run.stderr, "the error must name the database" + ctx)
        # Nothing scanned: a scan that cannot start writes nothing to
        # standard output (docs/json.md).
        self.assertEqual(run.stdout, b"", ctx)

        # The human form says so too, with the same exit status.
        run = self.kikan("scan", "--database", bad_dir, target)
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 2, ctx)
        self.assertIn(b"test-6.cvd", run.stderr, ctx)
        self.assertNotIn(b"outer.zip", run.stdout, ctx)


if __name__ == "__main__":
    unittest.main()
