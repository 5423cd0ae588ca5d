"""Real samples of the ClamAV test executable (clam.exe, harmless) in every
container libclamav, libarchive and libunarr know: each must be found by
the project's hash signature Kikan.Test.ClamExe (signatures/kikan-test.hdb)."""

import os
import shutil
import unittest

from kikan_it import KikanTestCase, env_path, project_signatures, shared_testdata

CLAM_EXE_MD5 = "aa15bcf478d165efd2065190eb473bcb"
# A plain .hdb signature: libclamav adds .UNOFFICIAL (docs/json.md).
CLAM_EXE_SIG = "Kikan.Test.ClamExe.UNOFFICIAL"
SHARED_SAMPLES = ("clam-v2.rar", "clam-v3.rar", "clam.iso", "clamjol.iso",
                  "clam.exe.webapp-export.one")


class ClamExeSamples(KikanTestCase):

    def project_db_with_clam_exe(self):
        sigs = project_signatures()
        for name in sorted(os.listdir(sigs)):
            p = os.path.join(sigs, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    if CLAM_EXE_MD5.encode() in f.read():
                        return sigs
        self.fail("no signature file in %s holds the clam.exe hash %s "
                  "(signatures/kikan-test.hdb is expected to)" % (sigs, CLAM_EXE_MD5))

    def check_all_found(self, target, names):
        doc, run = self.scan_json([target], [self.project_db_with_clam_exe()])
        ctx = "\n" + run.describe()
        by_path = {f["path"]: f for f in doc["files"]}
        failed = []
        for n in sorted(names):
            f = by_path.get(n)
            if f is None:
                failed.append("%s: not listed" % n)
            elif f["result"] != "infected" or CLAM_EXE_SIG not in f["signatures"]:
                failed.append("%s: result=%s signatures=%r reason=%s detail=%r" %
                              (n, f["result"], f["signatures"], f["reason"], f["reason_detail"]))
        self.assertEqual(failed, [], "%d of %d samples not found as %s:\n  %s%s" %
                         (len(failed), len(names), CLAM_EXE_SIG, "\n  ".join(failed), ctx))
        # A disk image among the samples (an ISO) is also opened as a medium
        # (issue #8 item 7): its files are listed as IMAGE!pN:/PATH, and the
        # clam.exe inside must be found there too.
        nested = sorted(p for p in by_path if "!" in p)
        for p in nested:
            self.assertIn(p.split("!", 1)[0], names, ctx)
            if p.lower().endswith("clam.exe"):
                self.assertEqual(by_path[p]["result"], "infected", p + ctx)
        self.assertEqual(sorted(p for p in by_path if "!" not in p), sorted(names), ctx)
        self.assertEqual(run.rc, 1, ctx)
        self.assertEqual(doc["targets"][0]["status"], "complete", ctx)
        return doc

    def test_clamav_testfiles(self):
        d = env_path("KIKAN_IT_CLAMAV_TESTFILES", is_dir=True)
        names = [n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n))]
        # Debian's clamav-testfiles ships 44 samples; fewer means a broken install.
        self.assertGreaterEqual(len(names), 40, "%s holds only %d files: reinstall "
                                "clamav-testfiles" % (d, len(names)))
        self.check_all_found(d, names)

    def test_shared_testdata_samples(self):
        target = self.mkdir("shared-samples")
        for n in SHARED_SAMPLES:
            shutil.copy(shared_testdata("clamav", n), target)
        doc = self.check_all_found(target, list(SHARED_SAMPLES))
        # Both ISOs are read as media too, and clam.exe is found in each.
        inner = sorted(f["path"] for f in doc["files"]
                       if "!" in f["path"] and f["result"] == "infected")
        self.assertEqual([p.split("!", 1)[0] for p in inner], ["clam.iso", "clamjol.iso"],
                         inner)


if __name__ == "__main__":
    unittest.main()
