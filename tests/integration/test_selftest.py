"""`kikan selftest` (KR-36): scans the built-in self-test set with the
project's signatures and compares every outcome with expectations.tsv
(docs/cli.md: exit 0 passed, 1 failed, 2 could not run)."""

import os
import shutil
import unittest

from kikan_it import KikanTestCase, fixtures, project_signatures


def read_expectations(d):
    with open(os.path.join(d, "expectations.tsv"), encoding="utf-8") as f:
        return [ln.split("\t") for ln in f.read().splitlines()
                if ln.strip() and not ln.startswith("#")]


class Selftest(KikanTestCase):

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


if __name__ == "__main__":
    unittest.main()
