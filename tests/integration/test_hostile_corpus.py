"""The fast subset of the hostile-media corpus (issue #12 item 2; KR-10,
KR-09): archive bombs, overlapping and readers-disagree zips, hostile
names, a 4,096-deep tree, link loops, corrupt FAT/NTFS/ext4, partition
tables that overlap or loop, a truncated image, all made at test time by
tests/hostile/make-corpus.py and scanned one by one through the real
`kikan scan` by tests/hostile/run-corpus.py, which the full run
(scripts/hostile-media.sh) uses too.

Each item must: finish within a time and a memory bound, leave no Kikan
process crashed (kikan's exit status 1-3, no sanitizer report, no daemon
error, no worker killed by a crash signal), produce a report that names
what was not inspected, and never come back clean or cleared.  Every item
holds EICAR or cannot be inspected, so `clean` is always wrong.
"""

import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import unittest
import zipfile

from kikan_it import (KikanTestCase, eicar_bytes, env_path, kikan_bin, project_signatures,
                      scand_bin)

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE = os.path.normpath(os.path.join(HERE, "..", "hostile"))

# Per item, with the suite running two tests at once and, in CI, under
# ASan (several times slower, more memory): generous, but far below what a
# runaway decompressor or a walk that never ends would take.
TIME_BOUND_S = 90
MEM_BOUND_MIB = 3072
SCAN_TIMEOUT_S = 240


def load(name):
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"),
                                                  os.path.join(HOSTILE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class HostileCorpus(KikanTestCase):
    """The fast subset, made and run as scripts/hostile-media.sh runs the
    whole corpus."""

    def test_subset(self):
        corpus = self.mkdir("corpus")
        make = subprocess.run([sys.executable, os.path.join(HOSTILE, "make-corpus.py"),
                               "--subset", corpus], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        self.assertEqual(make.returncode, 0, "make-corpus.py --subset failed:\n" +
                         make.stdout.decode("utf-8", "replace"))
        runner = load("run-corpus")
        cvd = os.path.join(env_path("KIKAN_IT_SHARED_TESTDATA", is_dir=True), "clamav",
                           "test-6.cvd")
        self.assertTrue(os.path.isfile(cvd), "%s is missing" % cvd)
        rows = runner.run_corpus(kikan_bin(), scand_bin(), corpus,
                                 time_bound=TIME_BOUND_S, mem_bound=MEM_BOUND_MIB,
                                 timeout=SCAN_TIMEOUT_S,
                                 databases=[project_signatures(), cvd], log=sys.stdout)
        # The subset is what make-corpus.py marks: at least these kinds of
        # attack must be in it, so that trimming it cannot empty the test.
        names = {r["name"] for r in rows}
        for must in ("zip-bomb", "gzip-bomb", "zip-overlap-same", "zip-tar-polyglot",
                     "zip-readers-disagree", "names-ext4", "deep-4096-ext4", "links-ext4",
                     "corrupt-ext4-2", "mbr-ebr-loop", "truncated-ext4"):
            self.assertIn(must, names, "the subset lost %s" % must)
        sys.stdout.write("\n" + runner.table(rows))
        bad = ["%s: %s\n%s" % (r["name"], "; ".join(r["failures"]), r["stderr_tail"])
               for r in rows if r["failures"]]
        self.assertEqual(bad, [], "\n\n".join(bad))
        for r in rows:
            # Spelled out once more, independently of the runner's judge.
            self.assertNotIn(r["result"], (None, "clean"), r["name"])
            self.assertNotEqual(r["verdict"], "cleared", r["name"])
            self.assertIn(r["rc"], (1, 2, 3), r["name"])
            if r["result"] == "not_inspected":
                self.assertTrue(r["not_inspected"], r["name"])



def zip_of(members):
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return bio.getvalue()


def tar_of(members):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return bio.getvalue()


class CorpusRegressions(KikanTestCase):
    """The bugs the corpus found, each at its mechanism (scanner/engine.c)."""

    def scan_file(self, name, data, conf=None):
        d = self.mkdir("target")
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        if conf:
            with open(os.path.join(self.home, "kikan.conf"), "w") as f:
                f.write(conf)
        run = self.kikan("scan", "--json", "--database", project_signatures(), d)
        doc = self.parse_json(run)
        return [f for f in doc["files"] if f["path"] == name][0], doc, "\n" + run.describe()

    def test_zip_appended_to_tar_is_taken_apart(self):
        # A tar (a harmless member) that is also a zip (EICAR): tar shows
        # one file, unzip and Python's zipfile the other.  libclamav and the
        # index route read it as a tar only, and it came back clean.
        tar = tar_of([("notes.txt", b"a harmless tar member\n" * 10)])
        z = zip_of([("payload.com", eicar_bytes())])
        # The zip's offsets are made absolute, as `zip -A` does for a
        # self-extractor: unzip needs no correction to read it.
        z = bytearray(z)
        end = z.rindex(b"PK\x05\x06")
        cd_off = int.from_bytes(z[end + 16:end + 20], "little")
        z[end + 16:end + 20] = (cd_off + len(tar)).to_bytes(4, "little")
        cd = z.index(b"PK\x01\x02")
        z[cd + 42:cd + 46] = (len(tar)).to_bytes(4, "little")
        data = tar + bytes(z)
        self.assertEqual(zipfile.ZipFile(io.BytesIO(data)).read("payload.com"), eicar_bytes())
        f, doc, ctx = self.scan_file("backup.tar", data)
        self.assertEqual(f["result"], "infected", ctx)
        self.assertTrue([m for m in f["members"] if m["name"] == "payload.com"
                         and m["result"] == "infected"], ctx)

    def test_tar_ending_with_a_zip_member_stays_clean(self):
        # The control: a tar whose last member is an ordinary zip has that
        # zip's end record near its end too; reading it as a zip as well
        # must not hold it.
        inner = zip_of([("a.txt", b"first harmless file\n" * 20),
                        ("b.txt", b"second harmless file\n" * 20)])
        data = tar_of([("readme.txt", b"harmless\n" * 5), ("files.zip", inner)])
        f, doc, ctx = self.scan_file("backup.tar", data)
        self.assertEqual(f["result"], "clean", ctx)

    def test_cross_check_stops_at_its_budget(self):
        # libclamav stops at max_scansize; the extraction routes went on to
        # max_files members or the deadline (a 13 MB zip of 12,000 members
        # cost 120 s).  Now they decompress at most 4 x max_scansize per
        # file: with max_scansize 1 MiB, 2,000 distinct 8 KiB members
        # (16 MiB) yield at most 4 MiB / 8 KiB = 512 (+1) members from the
        # routes, and the file is not inspected.
        members = [("m%04d.bin" % i, hashlib_bytes(i, 8192)) for i in range(2000)]
        f, doc, ctx = self.scan_file(
            "many.zip", zip_of(members),
            conf="[scan]\nmax_scansize = 1M\n")
        self.assertEqual(f["result"], "not_inspected", ctx)
        self.assertEqual(f["reason"], "limit_exceeded", ctx)
        routed = [m for m in f["members"] if m["extractor"] == "libarchive"]
        self.assertGreater(len(routed), 0, ctx)
        self.assertLessEqual(len(routed), 4 * 1024 * 1024 // 8192 + 1,
                             "the routes went past their budget (%d members)%s"
                             % (len(routed), ctx[:3000]))


def hashlib_bytes(seed, n):
    import hashlib
    return hashlib.shake_256(b"member %d" % seed).digest(n)


if __name__ == "__main__":
    unittest.main()
