"""`kikan selftest` (KR-36): scans the built-in self-test set with the
project's signatures and compares every outcome with expectations.tsv
(docs/cli.md: exit 0 passed, 1 failed, 2 could not run)."""

import os
import shutil
import unittest

from kikan_it import (TEST_CVD_MAX_AGE_DAYS, KikanTestCase, fixtures, project_signatures,
                      write_kikan_conf)


def read_expectations(d):
    with open(os.path.join(d, "expectations.tsv"), encoding="utf-8") as f:
        return [ln.split("\t") for ln in f.read().splitlines()
                if ln.strip() and not ln.startswith("#")]


class Selftest(KikanTestCase):

    def setUp(self):
        super().setUp()
        # The self-test passes only with an official (signed) database no
        # older than max_age_days (MAL-05, KR-36): the signed upstream
        # test-6.cvd, built in 2021, with IT's explicit acceptance of its
        # age in kikan.conf.  Tests of the failures below rewrite it.
        write_kikan_conf(self.home, max_age_days=TEST_CVD_MAX_AGE_DAYS,
                         database_dirs=[self.db_test6()])

    def selftest_env(self, selftest_dir):
        return self.env(KIKAN_SELFTEST_DIR=selftest_dir,
                        KIKAN_SIGNATURES_DIR=project_signatures())

    def copy_set(self):
        d = os.path.join(self.tmp, "selftest")
        shutil.copytree(fixtures("selftest"), d)
        return d

    def test_selftest_passes(self):
        d = fixtures("selftest")
        rows = read_expectations(d)
        self.assertEqual(sorted(r[0] for r in rows),
                         ["clam.rar", "clean.txt", "deep.zip", "eicar-nested.zip",
                          "encrypted.zip", "over-limits.zip", "zip64.zip"])
        run = self.kikan("selftest", env=self.selftest_env(d))
        self.assertEqual(run.rc, 0, "kikan selftest must pass on the built fixtures\n" +
                         run.describe())

        run = self.kikan("selftest", "--json", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 0, ctx)
        doc = self.parse_json(run)
        self.assertEqual(doc["format"], "kikan-selftest", ctx)
        self.assertEqual(doc["format_version"], 1, ctx)
        self.assertEqual(doc["result"], "pass", ctx)
        self.assertEqual(os.path.realpath(doc["dir"]), os.path.realpath(d), ctx)
        self.assertIn(doc["sandbox"], ("seccomp+landlock", "seccomp"), ctx)
        self.assertIs(doc["null_sandbox_requested"], False, ctx)
        self.assertEqual(doc["uncovered"], [], ctx)
        self.assertEqual(doc["problems"], [], ctx)
        checks = {c["path"]: c for c in doc["checks"]}
        self.assertEqual(sorted(checks), sorted(r[0] for r in rows), ctx)
        for path, expected, text in ((r + [""])[:3] for r in rows):
            c = checks[path]
            self.assertIs(c["pass"], True, "%s%s" % (path, ctx))
            self.assertEqual(c["expected"], expected, ctx)
            self.assertEqual(c["actual"], expected, "%s%s" % (path, ctx))
            if text:
                self.assertIn(text.lower(), (c["actual_text"] or "").lower(), ctx)

    def test_selftest_fails_on_wrong_expectation(self):
        # eicar-nested.zip is infected; an expectation of clean must fail.
        d = self.copy_set()
        p = os.path.join(d, "expectations.tsv")
        with open(p, encoding="utf-8") as f:
            lines = f.read().splitlines()
        n = 0
        for i, ln in enumerate(lines):
            if ln.split("\t")[0] == "eicar-nested.zip":
                lines[i] = "eicar-nested.zip\tclean\t"
                n += 1
        self.assertEqual(n, 1, "expectations.tsv must have one eicar-nested.zip line")
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        run = self.kikan("selftest", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, "an expectation that is not met fails the self-test" + ctx)
        self.assertIn(b"eicar-nested.zip", run.stdout + run.stderr,
                      "the failure must name the file" + ctx)

    def test_selftest_fails_on_extra_line(self):
        # An extra line expecting clean for eicar-nested.zip: a file listed
        # twice is a damaged expectations.tsv (exit 2), never a pass.
        d = self.copy_set()
        with open(os.path.join(d, "expectations.tsv"), "a", encoding="utf-8") as f:
            f.write("eicar-nested.zip\tclean\t\n")
        run = self.kikan("selftest", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 2, ctx)
        self.assertIn(b"eicar-nested.zip", run.stdout + run.stderr, ctx)

    def test_selftest_fails_on_uncovered_file(self):
        d = self.copy_set()
        with open(os.path.join(d, "stray.txt"), "wb") as f:
            f.write(b"a file nobody wrote an expectation for\n")
        run = self.kikan("selftest", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, "a fixture that is not covered fails the self-test" + ctx)
        self.assertIn(b"stray.txt", run.stdout + run.stderr, ctx)

    def test_selftest_fails_on_missing_fixture(self):
        # A self-test set that lost a file must not pass by skipping it.
        d = self.copy_set()
        os.unlink(os.path.join(d, "zip64.zip"))
        run = self.kikan("selftest", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertNotEqual(run.rc, 0, ctx)
        self.assertIn(b"zip64.zip", run.stdout + run.stderr, ctx)

    def test_selftest_fails_without_official_database(self):
        # Every expectation holds with the project's own (unsigned)
        # signatures, but no official database is loaded: no clearance can
        # be issued, so the self-test fails and says what IT must bring.
        write_kikan_conf(self.home, max_age_days=TEST_CVD_MAX_AGE_DAYS)
        d = fixtures("selftest")
        run = self.kikan("selftest", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        self.assertEqual(run.rc, 1, ctx)
        self.assertNotIn(b"FAIL  eicar", run.stdout, "the checks themselves pass" + ctx)
        self.assertIn(b"SELF-TEST FAILED", run.stdout, ctx)
        self.assertIn(b"no official (signed .cvd/.cld) ClamAV database", run.stdout, ctx)
        self.assertIn("“kikan signatures import DIR”".encode(), run.stdout, ctx)
        self.assertIn(b"IT update medium", run.stderr, ctx)

        run = self.kikan("selftest", "--json", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        doc = self.parse_json(run)
        self.assertEqual((run.rc, doc["result"]), (1, "fail"), ctx)
        self.assertTrue(all(c["pass"] for c in doc["checks"]), ctx)
        self.assertEqual(len(doc["problems"]), 1, ctx)
        self.assertIn("MAL-05", doc["problems"][0], ctx)
        self.assertEqual(doc["engine"]["age_state"], "none", ctx)

    def test_selftest_fails_on_stale_database(self):
        # The signed test-6.cvd with the default max_age_days (7): stale.
        write_kikan_conf(self.home, database_dirs=[self.db_test6()])
        d = fixtures("selftest")
        run = self.kikan("selftest", "--json", env=self.selftest_env(d))
        ctx = "\n" + run.describe()
        doc = self.parse_json(run)
        self.assertEqual((run.rc, doc["result"]), (1, "fail"), ctx)
        self.assertEqual(doc["engine"]["age_state"], "stale", ctx)
        self.assertEqual(len(doc["problems"]), 1, ctx)
        self.assertRegex(doc["problems"][0], r"old, more than the 7 days allowed.*MAL-05.*"
                         r"kikan signatures import DIR", ctx)


if __name__ == "__main__":
    unittest.main()
