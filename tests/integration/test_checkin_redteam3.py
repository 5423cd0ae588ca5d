"""Red-team round 3 of the check-in and the audit chain (issue #9, #10;
docs/checkin.md, docs/verdicts.md, docs/audit.md).

A test that fails now has a one-line comment "# WAS WRONG (fixed): …; RIGHT: …";
the others are attacks that held, kept so that they keep holding.
"""

import json
import os
import signal
import sqlite3
import subprocess
import time

from kikan_it import kikan_bin
from test_checkin_redteam import RedteamCase, descendants


class Media3(RedteamCase):
    """USB-0007 and USB-0008 plain (encryption_required 0): a clean FAT
    image is CLEARED, so anything cleared more than it should shows."""

    def run2(self, u7, **extra7):
        p7 = {"asset": "USB-0007", "medium": u7}
        p7.update(extra7)
        return self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                             "present": [p7, {"asset": "USB-0008",
                                              "medium": self.fat("u8", False)}]})

    def test_control_two_clean_sticks_cleared(self):
        doc, r = self.run2(self.fat("u7", False))
        self.assertEqual((doc["verdict"], r.rc), ("cleared", 0), r.describe())

    def test_folder_with_fifo_not_cleared(self):
        d = self.mkdir("fifo-folder")
        with open(os.path.join(d, "a.txt"), "w") as f:
            f.write("hello\n")
        os.mkfifo(os.path.join(d, "pipe"))
        doc, r = self.run2(d)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        self.assertIn("MAL-04", {c for c, _ in self.codes(self.item(doc, "USB-0007"))})

    def test_partition_past_end_not_cleared(self):
        img = os.path.join(self.media, "pastend.img")
        self.mm.mbr_past_end(img, self.media)
        doc, r = self.run2(img)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())

    def test_luks_wrong_passphrase_not_cleared(self):
        img, _ = self.luks("u7w", self.mm.tree_a(infected=True, seed="w"))
        wrong = os.path.join(self.tmp, "wrong.pass")
        with open(wrong, "w") as f:
            f.write("not the passphrase\n")
        doc, r = self.run2(img, passphrase_file=wrong)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())
        self.assertNotEqual(doc["verdict"], "cleared", r.describe())

    def test_luks_symlinked_passphrase_file(self):
        img, pw = self.luks("u7s", self.mm.tree_a(infected=True, seed="s"))
        link = os.path.join(self.tmp, "link.pass")
        os.symlink(pw, link)
        doc, r = self.run2(img, passphrase_file=link)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())

    def composite(self, name, blank):
        """MBR: p1 a clean FAT16, p2 a LUKS2 volume holding EICAR, and (if
        @blank) p3 4 MiB of zeros with no file system."""
        mm = self.mm
        fat = os.path.join(self.media, name + ".p1")
        mm.mkfs_fat(fat, 16 * mm.MiB, 16, "PLAIN", "1234abce", mm.tree_a(infected=False, seed=name))
        luks, pw = self.luks(name + "-l", mm.tree_a(infected=True, seed=name + "l"))
        img = os.path.join(self.media, name + ".img")
        s1, c1 = 2048, 16 * mm.MiB // 512
        s2, c2 = s1 + c1, os.path.getsize(luks) // 512
        s3, c3 = s2 + c2, 4 * mm.MiB // 512
        mm.make_sparse(img, (s3 + c3 + 2048) * 512)
        mm.dd_into(fat, img, s1 * 512)
        mm.dd_into(luks, img, s2 * 512)
        entries = [(0x0C, s1, c1), (0x83, s2, c2)] + ([(0x83, s3, c3)] if blank else [])
        mm.write_raw_mbr(img, entries)
        return img, pw

    def test_locked_luks_partition_not_cleared(self):
        img, _ = self.composite("c1", False)
        doc, r = self.run2(img)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())

    def test_locked_luks_beside_blank_partition_not_cleared(self):
        img, _ = self.composite("c2", True)
        doc, r = self.run2(img)
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared", r.describe())


class Daemon3(RedteamCase):

    def scand_pids(self, pid):
        out = []
        for k in descendants(pid):
            try:
                with open("/proc/%d/comm" % k) as f:
                    if f.read().strip().startswith("kikan-scand"):
                        out.append(k)
            except OSError:
                pass
        return out

    def scand_read_bytes(self, pid):
        """Bytes the processes below `kikan checkin` (the daemon and its
        worker, "kikan-worker") have read."""
        total = 0
        for k in descendants(pid):
            try:
                with open("/proc/%d/io" % k) as f:
                    total += sum(int(line.split()[1]) for line in f if line.startswith("rchar:"))
            except OSError:
                pass
        return total

    def test_daemon_killed_mid_scan_not_cleared(self):
        n = 4000
        d = self.mkdir("many")
        for i in range(n):
            sub = os.path.join(d, "d%02d" % (i % 50))
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, "f%05d.txt" % i), "w") as f:
                f.write(("line %d\n" % i) * (1 + i % 50))
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "present": [{"asset": "USB-0007", "medium": d},
                                          {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        env = self.env()
        p = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                              "--script", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        killed = []
        deadline = time.monotonic() + 120
        while p.poll() is None and time.monotonic() < deadline and not killed:
            rows = self.sql("SELECT count(*) FROM inspections i JOIN items t ON t.id = i.item_id "
                            "WHERE t.asset_id = 'USB-0007' AND i.ended_at IS NULL")
            if rows and rows[0][0] > 0:
                time.sleep(0.05)
                for k in self.scand_pids(p.pid):
                    os.kill(k, signal.SIGKILL)
                    killed.append(k)
            time.sleep(0.01)
        out, err = p.communicate(timeout=600)
        self.assertTrue(killed, "the daemon was never seen during USB-0007's inspection")
        doc = json.loads(out.decode())
        it = self.item(doc, "USB-0007")
        files = self.sql("SELECT i.files FROM inspections i JOIN items t ON t.id = i.item_id "
                         "WHERE t.asset_id = 'USB-0007' ORDER BY i.id DESC LIMIT 1")
        if it["verdict"] == "cleared":
            self.assertGreaterEqual(files[0][0], n, "cleared after a partial read: %s\n%s"
                                    % (files, err.decode()))
        self.assertEqual(self.item(doc, "USB-0008")["verdict"], "cleared", err.decode())


    def test_image_rewritten_during_read_not_cleared(self):
        # WAS WRONG (fixed): a disk image written to while its inspection runs (EICAR over the data of d00/f00000.txt, already read, and 4 KiB appended, so size and mtime change) is CLEARED with MAL-01 and the stick now holds EICAR; per-file change checks cover folder files only; RIGHT: the medium's size/mtime (or identity) is compared before and after the read and a change makes the item MAL-04 "changed during inspection", HOLD.
        mm = self.mm
        img = os.path.join(self.media, "busy.img")
        tree = {"d%02d/f%05d.txt" % (i % 40, i): (("note %d\n" % i) * 2500).encode()
                for i in range(3000)}
        mm.mkfs_fat(img, 160 * mm.MiB, 32, "BUSY", "b0b0b0b0", tree)
        with open(img, "rb") as f:
            at = f.read().index(b"note 0\nnote 0\n")
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "present": [{"asset": "USB-0007", "medium": img},
                                          {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        p = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                              "--script", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env())
        touched = False
        deadline = time.monotonic() + 120
        while p.poll() is None and time.monotonic() < deadline and not touched:
            rows = self.sql("SELECT count(*) FROM inspections i JOIN items t ON t.id = i.item_id "
                            "WHERE t.asset_id = 'USB-0007' AND i.ended_at IS NULL")
            # The change must land while the image is being read: once the
            # inspection row exists the daemon may still be loading (slow
            # builds took more than the 0.2 s this test once slept), and a
            # change made before the read starts is simply what is read.
            # The worker's read count says the read is under way.
            if rows and rows[0][0] > 0 and self.scand_read_bytes(p.pid) >= 8 * mm.MiB:
                with open(img, "r+b") as f:     # EICAR over a file's data, and the image grows
                    f.seek(at)
                    f.write(mm.FX.eicar())
                    f.seek(0, 2)
                    f.write(b"X" * 4096)
                touched = self.sql("SELECT count(*) FROM inspections i JOIN items t ON "
                                   "t.id = i.item_id WHERE t.asset_id = 'USB-0007' AND "
                                   "i.ended_at IS NULL")[0][0] > 0
            time.sleep(0.01)
        out, err = p.communicate(timeout=600)
        self.assertTrue(touched, "the inspection ended before the image was changed")
        doc = json.loads(out.decode())
        self.assertNotEqual(self.item(doc, "USB-0007")["verdict"], "cleared",
                            "image changed during its read yet cleared")
        self.assertIn("MAL-04", {c for c, _ in self.codes(self.item(doc, "USB-0007"))})


    def big_fat(self, name):
        img = os.path.join(self.media, name + ".img")
        tree = {"d%02d/f%05d.txt" % (i % 40, i): (("%s %d\n" % (name, i)) * 2500).encode()
                for i in range(2500)}
        self.mm.mkfs_fat(img, 128 * self.mm.MiB, 32, "BIG", "b1b1b1b1", tree)
        return img

    def test_it_session_action_survives_two_late_results(self):
        # WAS WRONG (fixed): two items pending after the visit, IT overrides the session part to HOLD; the first late result keeps IT's part (restated row decided_by 'kiosk'), the second sees 'kiosk' as the latest session row's author and recomputes the part, so the overall becomes CLEARED (verdict rows 4 it01 hold, 6 kiosk hold, 8 kiosk cleared); RIGHT: decide_late looks for the session part in force by IT (it_action_id, not the latest row's decided_by), the overall stays HOLD (KR-30).
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "visit_seconds": 0,
                              "present": [{"asset": "USB-0007", "medium": self.big_fat("b7")},
                                          {"asset": "USB-0008", "medium": self.big_fat("b8")}]})
        proc = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                                 "--script", script], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        stopped = []
        try:
            end = time.monotonic() + 120
            while time.monotonic() < end and not stopped:
                if self.sql("SELECT count(*) FROM inspections")[0][0] > 0:
                    for w in self.scand_pids(proc.pid):
                        os.kill(w, signal.SIGSTOP)
                        stopped.append(w)
                time.sleep(0.002)
            self.assertTrue(stopped, "no daemon to hold")
            sid = self.sql("SELECT id FROM sessions ORDER BY id DESC LIMIT 1")[0][0]
            end = time.monotonic() + 60
            while self.sql("SELECT state FROM sessions WHERE id = ?", (sid,))[0][0] != "ended":
                self.assertLess(time.monotonic(), end, "the visit never ended")
                time.sleep(0.05)
            pending = self.sql("SELECT count(*) FROM items WHERE session_id = ? AND state = "
                               "'pending'", (sid,))[0][0]
            self.assertEqual(pending, 2, "both items must still be pending for this test")
            x = self.kikan("it", "override", str(sid), "session", "--by", "it01",
                           "--verdict", "hold", "--reason", "badge not returned")
            self.assertEqual(x.rc, 0, x.describe())
        finally:
            for w in stopped:
                os.kill(w, signal.SIGCONT)
        proc.communicate(timeout=300)
        shown = json.loads(self.kikan("it", "show", str(sid)).stdout)
        self.assertEqual([self.item(shown, a)["verdict"] for a in ("USB-0007", "USB-0008")],
                         ["cleared", "cleared"], json.dumps(shown, ensure_ascii=False)[:3000])
        rows = self.sql("SELECT id, item_id, verdict, decided_by FROM verdicts WHERE session_id = ? "
                        "ORDER BY id", (sid,))
        self.assertEqual(shown["verdict"], "hold", rows)


class Audit3(RedteamCase):

    def tamper(self, *statements):
        con = sqlite3.connect(os.path.join(self.home, "kikan.db"))
        try:
            con.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
            con.execute("DROP TRIGGER IF EXISTS audit_records_no_delete")
            for s in statements:
                con.execute(s)
            con.commit()
        finally:
            con.close()

    def session(self):
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", False)},
                                           {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        self.assertEqual(doc["verdict"], "cleared", r.describe())
        self.assertEqual(self.kikan("audit", "verify").rc, 0)
        return doc

    def test_tail_records_deleted_detected(self):
        # WAS WRONG (fixed): deleting the chain's last records (here the 8 after the last 'item': both inspections, every verdict, session_end) leaves `kikan audit verify` saying "intact" (exit 0) although the store holds verdict rows with no audit record; RIGHT: verify also checks that every verdict, inspection, session end and IT action in the store has its record (or the head is anchored elsewhere), exit 1.
        self.session()
        n = self.sql("SELECT count(*) FROM audit_records WHERE seq > (SELECT max(seq) FROM "
                     "audit_records WHERE kind = 'item')")[0][0]
        self.tamper("DELETE FROM audit_records WHERE seq > (SELECT max(seq) FROM audit_records "
                    "WHERE kind = 'item')")
        self.assertGreater(n, 3)
        r = self.kikan("audit", "verify")
        self.assertEqual(r.rc, 1, "%d records (inspections, verdicts, session_end) deleted:\n%s"
                         % (n, r.describe()))

    def test_session_record_moved_out_of_listing_detected(self):
        # WAS WRONG (fixed): the hash feeds session_id through sqlite3_column_int64, so setting a record's session_id to 1.5 keeps the hash ("intact") while `kikan audit list --session 1` no longer shows the session's overall verdict record; RIGHT: verify hashes (or type-checks) the stored value itself: a non-integer session_id, seq or a non-text field is BROKEN, exit 1.
        doc = self.session()
        sid = doc["session_id"]
        seq = self.sql("SELECT max(seq) FROM audit_records WHERE kind = 'verdict' AND "
                       "session_id = ?", (sid,))[0][0]
        self.tamper("UPDATE audit_records SET session_id = session_id + 0.5 WHERE seq = %d" % seq)
        shown = json.loads(self.kikan("audit", "list", "--json", "--session", sid).stdout)
        r = self.kikan("audit", "verify")
        self.assertTrue(r.rc == 1 or seq in [x["seq"] for x in shown["records"]],
                        "record %d hidden from session %d's listing:\n%s" % (seq, sid, r.describe()))

    def test_audit_list_escapes_kind_and_at(self):
        # WAS WRONG (fixed): `kikan audit list` escapes the payload only; `at` and `kind` from an edited store reach the auditor's terminal raw (ESC[2J clears the screen, OSC sets the title, ESC[1A CR overwrites the line above); RIGHT: every stored field is escaped for display (kikan_escape_for_display) before printing.
        self.session()
        self.tamper("UPDATE audit_records SET kind = 'verdict' || char(27) || '[2J' || char(27) "
                    "|| ']0;pwn' || char(7), at = 'x' || char(27) || '[1A' || char(13) "
                    "WHERE seq = 3")
        r = self.kikan("audit", "list")
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(b"\x1b", r.stdout, r.describe())
        self.assertNotIn(b"\x07", r.stdout)

    def test_forged_record_seq_zero_detected(self):
        # WAS WRONG (fixed): a forged record inserted with seq 0 and hash = 64 zeros (the genesis) sorts first, is "missing" with first_bad = MIN(0, 1) = 0, which means "no fault", and record 1 then follows it: `kikan audit verify` says "intact" and `kikan audit list` shows the forged IT action; RIGHT: any seq below 1 (or a hash not computed from its record) is BROKEN, exit 1.
        doc = self.session()
        self.tamper("INSERT INTO audit_records (seq, at, kind, session_id, payload, prev_hash, "
                    "hash) VALUES (0, '2026-12-01T00:00:00Z', 'it_action', %d, "
                    "'{\"kind\":\"override\",\"by\":\"ciso\",\"reason\":\"approved\"}', "
                    "'%s', '%s')" % (doc["session_id"], "0" * 64, "0" * 64))
        self.assertIn("ciso", self.kikan("audit", "list").stdout.decode())
        r = self.kikan("audit", "verify")
        self.assertEqual(r.rc, 1, r.describe())
