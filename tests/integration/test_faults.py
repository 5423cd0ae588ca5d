"""Fault injection (issue #12 item 4; docs/robustness.md): the faults a
kiosk meets in service, injected for real, each with its fail-closed
outcome asserted.

- Read errors in the middle of a file and of a directory: a FUSE file
  system (tests/tools/fault-fs.c) fails reads with EIO where the test says,
  for a folder medium and for a disk image read through The Sleuth Kit
  (the byte range of a file's data or of a directory's cluster).  The file
  or directory is `not_inspected` with reason `read_error`, never clean;
  a check-in holds the item (MAL-04; KR-10).
- A medium pulled out during its scan: the same image, whose reads all fail
  with ENODEV once half of what a complete scan reads has been served.
  (The USB "remove" event is tested by test_checkin_usb.)
- The disk full while a check-in is written: an LD_PRELOAD library
  (tests/tools/enospc-preload.c) makes every write that grows a file under
  KIKAN_HOME fail with ENOSPC after a byte budget, placed at ten points of a
  whole check-in.  The command fails and says what to do, nothing half
  written is committed, `kikan db check` and `kikan audit verify` pass, the
  earlier check-in is unchanged.
- A damaged store and a broken audit chain at start-up: service refused
  with a message that says what happened and what to do, and the evidence
  byte for byte as it was (KR-36).
- The clock set back between check-ins: the check-in is refused, says so,
  and the audit trail records it (KR-37).

Needs root and /dev/fuse (as test_hostile.ChangingMedium); a missing
capability is a failure with a message, never a skip.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time

from kikan_it import (accept_test_cvd_age, env_path, project_signatures, sha256_file)
from test_checkin import CheckinTestCase

MiB = 1024 * 1024
BLOCK = 512


def block_file(tag, n_blocks):
    """@n_blocks blocks of 512 bytes, each starting with a marker that
    names it, so that the test can find block k's place in an image."""
    out = bytearray()
    for k in range(n_blocks):
        head = b"KIKAN-%s-BLOCK-%06d-" % (tag, k)
        out += (head + b"." * BLOCK)[:BLOCK]
    return bytes(out)


def find_once(data, needle):
    at = data.find(needle)
    if at < 0 or data.find(needle, at + 1) >= 0:
        raise AssertionError("%r must occur exactly once in the image (at %d)" % (needle, at))
    return at


class FaultFs:
    """A mounted fault-fs; unmounted by the test's cleanup."""

    def __init__(self, tc, *args):
        self.tc = tc
        tool = os.environ.get("KIKAN_IT_FAULT_FS")
        if not tool or not os.access(tool, os.X_OK):
            tc.fail("KIKAN_IT_FAULT_FS does not name the fault-fs tool (tests/integration/"
                    "faults.cmake)")
        if not os.path.exists("/dev/fuse"):
            tc.fail("/dev/fuse is missing: the read-error tests need FUSE (run as root)")
        self.mnt = tc.mkdir("fault-%d" % time.monotonic_ns())
        self.stats = os.path.join(tc.tmp, "stats-%d" % time.monotonic_ns())
        self.proc = subprocess.Popen([tool, "--stats", self.stats] + list(args) + [self.mnt],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.mounted = True
        tc.addCleanup(self.unmount)
        for _ in range(200):
            if os.path.ismount(self.mnt):
                return
            if self.proc.poll() is not None:
                tc.fail("fault-fs exited: %r" % self.proc.stderr.read())
            time.sleep(0.05)
        tc.fail("fault-fs did not mount within 10 s")

    def path(self, *parts):
        return os.path.join(self.mnt, *parts)

    def unmount(self):
        """Unmounts and returns {"served": bytes of the image, "refused": reads}."""
        if not self.mounted:
            return self.read_stats()
        self.mounted = False
        subprocess.run(["fusermount3", "-u", self.mnt], stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.read_stats()

    def read_stats(self):
        try:
            with open(self.stats) as f:
                return {k: int(v) for k, v in (ln.split() for ln in f if ln.strip())}
        except OSError:
            self.tc.fail("fault-fs wrote no statistics to %s" % self.stats)


class FaultTestCase(CheckinTestCase):
    """A store with E1001 holding LT-0003, USB-0007 and USB-0008
    (test_checkin); USB-0007 needs no encryption here, so that an intact
    plain stick is CLEARED and anything else held is held for the fault."""

    def setUp(self):
        super().setUp()
        accept_test_cvd_age(self)
        self.sql("UPDATE assets SET encryption_required = 0 WHERE id = 'USB-0007'")

    def stick_script(self, medium):
        answers = self.clean_answers()
        answers["Q1"] = "yes"
        return {"employee": "E1001", "answers": answers,
                "present": [{"asset": "USB-0007", "medium": medium}],
                "missing": [{"asset": "LT-0003", "declared": "at_home", "return_by": "2026-12-24"},
                            {"asset": "USB-0008", "declared": "at_home",
                             "return_by": "2026-12-24"}]}

    def reset_loans(self):
        self.sql("UPDATE loans SET returned_on = NULL, return_session = NULL")

    def fat_image(self, name, tree, size=16 * MiB, bits=16):
        img = os.path.join(self.media, name + ".img")
        self.mm.mkfs_fat(img, size, bits, "FAULT", "1234abcd", tree)
        with open(img, "rb") as f:
            return img, f.read()

    def image(self, fs, name, tree):
        """A vfat (mtools) or ext4 (mkfs.ext4 -d) image of @tree: the bad
        sector is placed by content, so the same test runs on both."""
        if fs == "vfat":
            return self.fat_image(name, tree)
        img = os.path.join(self.media, name + ".img")
        self.mm.mkfs_ext4_tree(img, 16 * MiB, "FAULT", "5a3c1d2e-0000-4000-8000-00000000beef",
                               tree)
        with open(img, "rb") as f:
            return img, f.read()

    def scan_target(self, target):
        doc, run = self.scan_json([target], [project_signatures()])
        return doc, run, "\n" + run.describe()

    def entries(self, doc, suffix):
        return [f for f in doc["files"] if f["path"].endswith(suffix)]

    def assert_never_clean(self, doc, names, ctx):
        """No entry whose path ends with one of @names is called clean."""
        for f in doc["files"]:
            for n in names:
                if f["path"].endswith("/" + n) or f["path"] == n:
                    self.assertNotEqual(f["result"], "clean",
                                        "%s was not read, yet it is clean%s" % (f["path"], ctx))

    def assert_held_for_read_error(self, doc, r):
        ctx = "\n" + r.describe()
        it = self.item(doc, "USB-0007")
        self.assertEqual(it["verdict"], "hold", ctx)
        mal04 = [x for x in it["reasons"] if x["code"] == "MAL-04"]
        self.assertTrue(mal04, "a read error is MAL-04 (KR-10)" + ctx)
        self.assertNotIn("MAL-01", {c for c, _ in self.codes(it)}, ctx)
        self.assertEqual(it["inspection"]["result"], "not_inspected", ctx)
        self.assertNotEqual(doc["verdict"], "cleared", ctx)
        self.assertEqual(r.rc, 3, ctx)
        self.assert_db_check()
        return it


class ReadErrors(FaultTestCase):

    def test_folder_mid_file_and_mid_directory(self):
        fs = FaultFs(self)
        doc, run, ctx = self.scan_target(fs.path("tree"))
        # The control: a file that reads is clean.
        self.assertEqual(self.file_entry(doc, "readme.txt", run)["result"], "clean", ctx)
        # EIO after 512 KiB of 1 MiB: the file is not inspected.
        f = self.file_entry(doc, "mid-file.bin", run)
        self.assertEqual((f["result"], f["reason"]), ("not_inspected", "read_error"), ctx)
        self.assertEqual(f["sha256"], "", "no hash of bytes that were not read" + ctx)
        # The listing failed after 16 of 64 names: the directory itself is
        # reported, so that what it holds beyond them is never cleared.
        d = self.file_entry(doc, "broken-dir", run)
        self.assertEqual((d["result"], d["reason"]), ("not_inspected", "read_error"), ctx)
        self.assertIn("directory could not be read", d["reason_detail"] or "", ctx)
        listed = [f for f in doc["files"] if f["path"].startswith("broken-dir/")]
        self.assertEqual(len(listed), 16, ctx)
        self.assertEqual(doc["targets"][0]["result"], "not_inspected", ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)

    def mid_file_image(self, fs="vfat"):
        tree = {"docs/readme.txt": b"an ordinary note\n" * 100,
                "data/big.bin": block_file(b"BIG", 1024)}
        img, data = self.image(fs, "mid-file-" + fs, tree)
        # Block 600 of 1024: the middle of the file, in a cluster of its own.
        return img, find_once(data, b"KIKAN-BIG-BLOCK-000600-")

    def test_image_mid_file(self):
        for fs in ("vfat", "ext4"):
            with self.subTest(fs=fs):
                self.image_mid_file(fs)

    def image_mid_file(self, fs):
        img, at = self.mid_file_image(fs)
        # The control: the same image through the same file system without
        # the bad sector is clean.
        ok = FaultFs(self, "--image", img)
        doc, run, ctx = self.scan_target(ok.path("medium.img"))
        self.assertEqual(doc["result"], "clean", ctx)
        self.assertEqual(self.entries(doc, "/data/big.bin")[0]["result"], "clean", ctx)
        ok.unmount()

        bad = FaultFs(self, "--image", img, "--eio", "%d:%d" % (at, BLOCK))
        doc, run, ctx = self.scan_target(bad.path("medium.img"))
        big = self.entries(doc, "/data/big.bin")
        self.assertEqual(len(big), 1, ctx)
        self.assertEqual((big[0]["result"], big[0]["reason"]), ("not_inspected", "read_error"),
                         ctx)
        self.assertEqual(self.entries(doc, "/docs/readme.txt")[0]["result"], "clean", ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)
        self.assertGreater(bad.unmount()["refused"], 0, "the bad sector was never read" + ctx)

    def test_image_mid_directory(self):
        for fs in ("vfat", "ext4"):
            with self.subTest(fs=fs):
                self.image_mid_directory(fs)

    def image_mid_directory(self, fs):
        # 48 files in one directory (vfat: three sectors of 16 short
        # entries; ext4: one directory block).
        tree = {"docs/readme.txt": b"an ordinary note\n" * 100}
        for k in range(48):
            tree["sub/F%02d.TXT" % k] = b"file %02d of the directory\n" % k * 20
        img, data = self.image(fs, "mid-dir-" + fs, tree)
        # The sector holding F24's entry, in the middle of the directory,
        # and the names whose entries it holds.
        name = b"F24     TXT" if fs == "vfat" else b"F24.TXT"
        at = find_once(data, name) // BLOCK * BLOCK
        sector = data[at:at + BLOCK]
        lost = ["F%02d.TXT" % k for k in range(48)
                if (b"F%02d     TXT" if fs == "vfat" else b"F%02d.TXT") % k in sector]
        self.assertIn("F24.TXT", lost)

        bad = FaultFs(self, "--image", img, "--eio", "%d:%d" % (at, BLOCK))
        doc, run, ctx = self.scan_target(bad.path("medium.img"))
        # Whatever the walk could not list, something says so: an entry
        # with read_error, and no name from the bad sector called clean.
        errors = [f for f in doc["files"] if f["reason"] == "read_error"]
        self.assertTrue(errors, "a directory that could not be read is reported" + ctx)
        self.assert_never_clean(doc, lost, ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)
        self.assertGreater(bad.unmount()["refused"], 0, "the bad sector was never read" + ctx)

    def test_checkin_read_error_holds(self):
        img, at = self.mid_file_image()
        # The control: the intact stick is CLEARED as an item.
        doc, r = self.checkin(self.stick_script(img))
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        self.reset_loans()

        bad = FaultFs(self, "--image", img, "--eio", "%d:%d" % (at, BLOCK))
        doc, r = self.checkin(self.stick_script(bad.path("medium.img")))
        it = self.assert_held_for_read_error(doc, r)
        findings = it["inspection"]["findings"]
        self.assertTrue([f for f in findings if f.get("reason") == "read_error"
                         and str(f.get("path", "")).endswith("/data/big.bin")],
                        "the file is recorded not inspected, with its reason (KR-08): %s\n%s"
                        % (json.dumps(findings), r.describe()))


class Removed(FaultTestCase):

    def many_files_image(self):
        tree = {"docs/readme.txt": b"an ordinary note\n" * 100}
        for k in range(200):
            tree["data/%03d/file.bin" % k] = self.mm.prng("gone%d" % k, 24 * 1024)
        img, _ = self.fat_image("many", tree, size=32 * MiB, bits=16)
        return img, tree

    def half_of_a_scan(self, img):
        """Half the bytes a complete scan of @img reads (measured)."""
        ok = FaultFs(self, "--image", img)
        doc, run, ctx = self.scan_target(ok.path("medium.img"))
        self.assertEqual(doc["result"], "clean", ctx)
        served = ok.unmount()["served"]
        self.assertGreater(served, 4 * MiB, ctx)
        return served // 2

    def test_image_gone_mid_scan(self):
        img, tree = self.many_files_image()
        half = self.half_of_a_scan(img)
        gone = FaultFs(self, "--image", img, "--gone-after", str(half), "--gone-errno", "ENODEV")
        doc, run, ctx = self.scan_target(gone.path("medium.img"))
        stats = gone.unmount()
        self.assertGreater(stats["refused"], 0, "the medium never went away" + ctx)
        errors = [f for f in doc["files"] if f["reason"] == "read_error"]
        self.assertTrue(errors, "reads that fail after removal are read errors" + ctx)
        clean = [f for f in doc["files"] if f["result"] == "clean"]
        self.assertLess(len(clean), len(tree), "files never read are not clean" + ctx)
        self.assertEqual(doc["result"], "not_inspected", ctx)
        self.assertEqual(run.rc, 2, ctx)

    def test_checkin_medium_gone_mid_scan(self):
        img, _ = self.many_files_image()
        half = self.half_of_a_scan(img)
        gone = FaultFs(self, "--image", img, "--gone-after", str(half), "--gone-errno", "ENODEV")
        doc, r = self.checkin(self.stick_script(gone.path("medium.img")))
        self.assertGreater(gone.unmount()["refused"], 0, r.describe())
        self.assert_held_for_read_error(doc, r)


class DiskFull(FaultTestCase):

    def preload_env(self, budget=None, report=None):
        lib = env_path("KIKAN_IT_ENOSPC_PRELOAD", is_dir=False)
        asan = os.environ.get("ASAN_OPTIONS", "")
        return self.env(LD_PRELOAD=lib, KIKAN_ENOSPC_DIR=self.home,
                        KIKAN_ENOSPC_BUDGET=None if budget is None else str(budget),
                        KIKAN_ENOSPC_REPORT=report,
                        ASAN_OPTIONS=asan + ":verify_asan_link_order=0")

    def snapshot(self):
        shot = os.path.join(self.tmp, "home-snapshot")
        shutil.rmtree(shot, ignore_errors=True)
        shutil.copytree(self.home, shot, symlinks=True)
        return shot

    def restore(self, shot):
        shutil.rmtree(self.home)
        shutil.copytree(shot, self.home, symlinks=True)

    def earlier(self):
        r = self.kikan("it", "show", "1", "--json")
        self.assertEqual(r.rc, 0, r.describe())
        records = json.loads(self.kikan("audit", "list", "--json").stdout)["records"]
        return r.stdout, [(x["seq"], x["hash"]) for x in records]

    def test_disk_full_while_a_session_is_written(self):
        keyfile = os.path.join(self.tmp, "auditor.key")
        r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test", "--key-file", keyfile)
        self.assertEqual(r.rc, 0, r.describe())
        img = self.fat("stick", False)
        # An earlier check-in whose records must survive every fault.
        doc, r = self.checkin(self.stick_script(img))
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        self.reset_loans()
        shown_before, records_before = self.earlier()
        shot = self.snapshot()

        # How many bytes a whole check-in adds under the home.
        report = os.path.join(self.tmp, "enospc-report")
        doc, r = self.checkin(self.stick_script(img), env=self.preload_env(report=report))
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        with open(report) as f:
            total = int(f.read())
        self.assertGreater(total, 16 * 1024, "the shim saw the store's writes")

        outcomes = {"refused": 0, "completed": 0, "cut_mid_session": 0}
        for k in range(10):
            budget = total * k // 10
            self.restore(shot)
            script = self.script(self.stick_script(img))
            r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                           self.db_test6(), "--kiosk-id", "kiosk-test", "--script", script,
                           env=self.preload_env(budget=budget))
            ctx = "budget %d of %d bytes:\n%s" % (budget, total, r.describe())
            self.assertIn(r.rc, (2, 0, 3), ctx)
            err = r.stderr.decode("utf-8", "replace")
            if r.rc == 2:
                outcomes["refused"] += 1
                # What happened, and what to do.
                self.assertIn("disk is full", err, ctx)
                self.assertIn("free space", err, ctx)
            else:
                outcomes["completed"] += 1
            # Consistent as it is, before anything repairs it.
            self.assert_db_check()
            v = self.kikan("audit", "verify")
            self.assertEqual(v.rc, 0, "the chain holds after a full disk\n%s\n%s" %
                             (ctx, v.describe()))
            # With room again: the next start closes what was left open.
            rec = self.kikan("checkin", "--recover")
            self.assertEqual(rec.rc, 0, rec.describe())
            self.assert_db_check()
            self.assertEqual(self.kikan("audit", "verify").rc, 0, ctx)
            shown, records = self.earlier()
            self.assertEqual(shown, shown_before, ctx)
            self.assertEqual(records[:len(records_before)], records_before, ctx)
            sessions = self.sql("SELECT id, state FROM sessions WHERE id > 1")
            self.assertLessEqual(len(sessions), 1, ctx)
            for sid, state in sessions:
                self.assertIn(state, ("incomplete", "ended"), ctx)
                if state == "incomplete":
                    outcomes["cut_mid_session"] += 1
                    # A session cut short by the full disk is never decided.
                    self.assertEqual(self.sql("SELECT count(*) FROM verdicts WHERE session_id = ?",
                                              (sid,)), [(0,)], ctx)
                    self.assertEqual(r.rc, 2, ctx)
                if state == "ended":
                    self.assertEqual(
                        self.sql("SELECT count(*) FROM verdicts WHERE session_id = ? AND "
                                 "item_id IS NULL", (sid,))[0][0], 1, ctx)
            # Nothing looks inspected that was not.
            self.assertEqual(self.sql("SELECT count(*) FROM inspections WHERE ended_at IS NULL "
                                      "OR (result = 'clean' AND files = 0)"), [(0,)], ctx)
        print("disk full at 10 points of %d bytes: %r" % (total, outcomes))
        # Some budgets ran out while the session was being written (it
        # began, then could not go on), not only before it began.
        self.assertGreater(outcomes["refused"], 0, outcomes)
        self.assertGreater(outcomes["cut_mid_session"], 0, outcomes)


class StartUp(FaultTestCase):

    def one_checkin(self, init=False):
        if init:
            keyfile = os.path.join(self.tmp, "auditor.key")
            r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test", "--key-file", keyfile)
            self.assertEqual(r.rc, 0, r.describe())
        doc, r = self.checkin(self.stick_script(self.fat("stick", False)))
        self.assertIn(r.rc, (0, 3), r.describe())
        self.reset_loans()
        return doc

    def evidence(self):
        """The SHA-256 of every file under the home but the lock and the
        empty -wal/-shm an SQLite reader may leave (docs/store.md)."""
        out = {}
        for root, _, files in os.walk(self.home):
            for n in files:
                p = os.path.join(root, n)
                if n == "checkin.lock" or n.endswith("-shm") or (
                        n.endswith("-wal") and os.path.getsize(p) == 0):
                    continue
                out[os.path.relpath(p, self.home)] = sha256_file(p)
        return out

    def refused_untouched(self, *musts):
        before = self.evidence()
        sessions = self.sql_ro("SELECT count(*) FROM sessions")
        for args in (["--script", self.script(self.stick_script(self.fat("s2", False)))],
                     ["--recover"]):
            r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                           self.db_test6(), "--kiosk-id", "kiosk-test", *args)
            ctx = "\n" + r.describe()
            self.assertEqual(r.rc, 2, "service must be refused" + ctx)
            err = r.stderr.decode("utf-8", "replace")
            for m in musts:
                self.assertIn(m, err, ctx)
            self.assertEqual(r.stdout, b"", "no check-in was played" + ctx)
            self.assertEqual(self.evidence(), before, "the evidence must not change" + ctx)
        self.assertEqual(self.sql_ro("SELECT count(*) FROM sessions"), sessions)

    def sql_ro(self, statement):
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            return con.execute(statement).fetchall()
        except sqlite3.DatabaseError as e:
            return "unreadable: %s" % e
        finally:
            con.close()

    def test_damaged_store_refused_untouched(self):
        self.one_checkin()
        con = sqlite3.connect(self.db)
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'audit_records'"
                           ).fetchone()[0]
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        # The whole root page of the audit chain reads back as garbage, as
        # from a failing disk (the b-tree page header included, so that the
        # damage cannot fall into a page's unused space).
        self.assertGreater(root, 1)
        with open(self.db, "r+b") as f:
            f.seek((root - 1) * page)
            f.write(b"\xa5" * page)
        self.refused_untouched("is damaged", "kikan db check", "the file was not changed")
        r = self.kikan("db", "check")
        self.assertEqual(r.rc, 1, r.describe())

    def test_broken_audit_chain_refused_untouched(self):
        self.one_checkin(init=True)
        n = self.sql("SELECT count(*) FROM audit_records")[0][0]
        self.assertGreater(n, 10)
        con = sqlite3.connect(self.db)
        con.execute("DROP TRIGGER audit_records_no_update")
        # A verdict record's time rewritten, as someone holding the file would.
        con.execute("UPDATE audit_records SET at = '2026-01-01T00:00:00Z' "
                    "WHERE seq = (SELECT min(seq) FROM audit_records WHERE kind = 'verdict')")
        bad = con.execute("SELECT min(seq) FROM audit_records WHERE kind = 'verdict'"
                          ).fetchone()[0]
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        v = self.kikan("audit", "verify")
        self.assertEqual(v.rc, 1, v.describe())
        self.refused_untouched("audit", "record %d" % bad, "kikan audit verify",
                               "nothing was written")
        # Still named: the evidence was neither repaired nor buried.
        v = self.kikan("audit", "verify")
        self.assertEqual(v.rc, 1, v.describe())
        self.assertIn(b"record %d" % bad, v.stdout + v.stderr, v.describe())


class Clock(FaultTestCase):

    def test_clock_set_back_between_checkins(self):
        img = self.fat("stick", False)
        now = int(time.time())
        doc, r = self.checkin(self.stick_script(img), env=self.env(KIKAN_FAKE_NOW=str(now)))
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        self.reset_loans()
        sessions = self.sql("SELECT count(*) FROM sessions")[0][0]

        # The clock now reads an hour earlier than the last check-in.
        back = now - 3600
        r = self.kikan("checkin", "--json", "--policy", self.policy, "--database", self.db_test6(),
                       "--kiosk-id", "kiosk-test", "--script", self.script(self.stick_script(img)),
                       env=self.env(KIKAN_FAKE_NOW=str(back)))
        ctx = "\n" + r.describe()
        self.assertEqual(r.rc, 2, "a check-in on a clock set back must be refused" + ctx)
        err = r.stderr.decode("utf-8", "replace")
        self.assertIn("set back", err, ctx)
        self.assertIn("confirm it in IT mode", err, ctx)
        self.assertEqual(self.sql("SELECT count(*) FROM sessions")[0][0], sessions,
                         "nothing of the check-in is recorded" + ctx)
        rec = self.sql("SELECT at, payload FROM audit_records WHERE kind = 'clock_set_back'")
        self.assertEqual(len(rec), 1, "the audit trail records it (KR-37)" + ctx)
        self.assertIn('"newest_record"', rec[0][1], ctx)
        self.assert_db_check()
        self.assertEqual(self.kikan("audit", "verify").rc, 0)

        # Set right again: check-ins go on.
        doc, r = self.checkin(self.stick_script(img), env=self.env(KIKAN_FAKE_NOW=str(now + 60)))
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
