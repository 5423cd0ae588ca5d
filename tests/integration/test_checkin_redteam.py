"""Red-team tests of the check-in (issue #9; docs/checkin.md, docs/verdicts.md):
an employee after a CLEARED slip, a hostile script or medium, an IT insider,
a crash.  Each test asserts the behaviour the product promises; the comment
on each says what was wrong when it was written and what is right (all fixed).

The base store (test_checkin.CheckinTestCase) lends E1001 a laptop and two
USB sticks; most tests here take the laptop's loan away and let the sticks
come back plain (encryption_required 0), so that a clean FAT image is
CLEARED and anything that clears more than it should shows.
"""

import json
import os
import signal
import subprocess
import time

from kikan_it import accept_test_cvd_age, kikan_bin
from test_checkin import CheckinTestCase
import test_checkin_usb
from test_usb import STORAGE


def descendants(pid):
    """Every process below @pid, children of any of its threads included
    (the inspector starts the daemon from a worker thread)."""
    out = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            continue
        for k in kids:
            out.append(k)
            out.extend(descendants(k))
    return out


class RedteamCase(CheckinTestCase):

    def setUp(self):
        super().setUp()
        accept_test_cvd_age(self)
        self.sql("DELETE FROM loans WHERE asset_id = 'LT-0003'")
        self.sql("UPDATE assets SET encryption_required = 0")

    def raw_script(self, text):
        path = os.path.join(self.tmp, "raw-%d.json" % time.monotonic_ns())
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def held_session(self):
        """A decided session of E1001 whose USB-0008 is HOLD (a medium
        that holds nothing readable): returns (doc, session id as text)."""
        empty = os.path.join(self.media, "empty.img")
        open(empty, "w").close()
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", False)},
                                           {"asset": "USB-0008", "medium": empty}]})
        self.assertEqual(self.item(doc, "USB-0008")["verdict"], "hold", r.describe())
        self.assertEqual(doc["verdict"], "hold", r.describe())
        return doc, str(doc["session_id"])


class RedteamPresent(RedteamCase):

    def test_same_medium_presented_as_two_assets(self):
        # WAS WRONG: one image presented as USB-0007 and USB-0008 was read twice, both CLEARED, both loans closed, exit 0; RIGHT (now): a medium already presented is refused (exit 2), nothing recorded (KR-03).
        img = self.fat("u7", False)
        self.assert_refused_as_one_medium(img, img)

    def assert_refused_as_one_medium(self, first, second):
        """Refused before anything is recorded (exit 2, the medium named),
        and USB-0008's loan stays open."""
        r = self.kikan("checkin", "--json", "--database", self.db_test6(), "--script", self.script(
            {"employee": "E1001", "answers": self.clean_answers(),
             "present": [{"asset": "USB-0007", "medium": first},
                         {"asset": "USB-0008", "medium": second}]}))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("already presented", r.stderr.decode("utf-8"), r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM loans WHERE asset_id = 'USB-0008' "
                                  "AND returned_on IS NULL"), [(1,)],
                         "USB-0008 never came back: its loan must stay open")

    def test_second_checkin_after_quarantine_not_cleared(self):
        # WAS WRONG (fixed): right after a QUARANTINE check-in (malware on USB-0007, both loans closed as handed back), the same employee simply checks in again, has nothing left to return and gets CLEARED (exit 0): a CLEARED slip for the asking; RIGHT: while an earlier session of the employee has a verdict in force other than CLEARED that IT has not acted on, a new session is not CLEARED (or is refused).
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)},
                                           {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        self.assertEqual((r.rc, doc["verdict"]), (1, "quarantine"), r.describe())
        again, r2 = self.checkin({"employee": "E1001", "answers": self.clean_answers()})
        self.assertNotEqual(again["verdict"], "cleared",
                            "session %s is still QUARANTINE" % doc["session_id"])
        self.assertNotEqual(r2.rc, 0, r2.describe())

    def test_same_medium_under_another_spelling(self):
        # WAS WRONG: the same image named "dir/u7.img" and "dir/./u7.img" counted as two returned sticks and CLEARED; RIGHT (now): the same file (same device and inode) is one medium, the script refused before anything is recorded.
        img = self.fat("u7", False)
        other = os.path.join(os.path.dirname(img), ".", os.path.basename(img))
        self.assert_refused_as_one_medium(img, other)
        # A hard link and a symbolic link are the same medium too.
        hard = img + ".hard"
        os.link(img, hard)
        self.assert_refused_as_one_medium(img, hard)
        soft = img + ".soft"
        os.symlink(img, soft)
        self.assert_refused_as_one_medium(soft, img)


class RedteamScript(RedteamCase):

    def test_duplicate_json_key_answer_not_lost(self):
        # WAS WRONG (fixed): {"Q5": "yes", "Q5": "no"} keeps only the last answer (json-glib), so the "yes" (unusual behaviour, KR-23 incident) is silently dropped and the session CLEARS; RIGHT: a question answered twice is refused, "answered twice", nothing recorded (exit 2).
        body = json.dumps({"employee": "E2002", "answers": self.clean_answers()})
        body = body.replace('"Q5": "no"', '"Q5": "yes", "Q5": "no"')
        self.assertIn('"Q5": "yes", "Q5": "no"', body)
        r = self.kikan("checkin", "--json", "--database", self.db_test6(),
                       "--script", self.raw_script(body))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("answers.Q5", r.stderr.decode("utf-8"), r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])


    def test_missing_and_present_records_nothing(self):
        # WAS WRONG (fixed): USB-0008 both declared lost and presented: the session, the answers and a "lost" incident with remote wipe requested are committed before the contradiction stops the run (exit 2, session left open); RIGHT: the script is refused before anything is recorded (docs/checkin.md "The whole file is checked before anything is recorded").
        r = self.kikan("checkin", "--json", "--database", self.db_test6(), "--script", self.script(
            {"employee": "E1001", "answers": self.clean_answers(),
             "missing": [{"asset": "USB-0008", "declared": "lost", "data_held": "none"}],
             "present": [{"asset": "USB-0007", "medium": self.fat("u7", False)},
                         {"asset": "USB-0008", "medium": self.fat("u8", False)}]}))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM incidents"), [(0,)],
                         "no remote wipe may be requested for an item in hand")
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])


    def test_script_path_escaped_in_error(self):
        # WAS WRONG (fixed): a script path holding ESC reaches the terminal raw through GLib's "Failed to open file" message (kikan_script_load appends read_error->message unescaped); RIGHT: every byte of a path a person typed is escaped before it is printed (STYLE rule 14).
        path = os.path.join(self.tmp, "x\x1b[2J\x1b]0;pwn\x07.json")
        r = self.kikan("checkin", "--script", path)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertNotIn(b"\x1b", r.stderr, r.describe())
        self.assertNotIn(b"\x07", r.stderr, r.describe())


class RedteamIt(RedteamCase):

    def test_reason_of_unicode_spaces_refused(self):
        # WAS WRONG (fixed): --reason "\u3000" (an ideographic space) or "\u00a0\u200b" passes the blank check (ASCII only) and resolves the HOLD with no written reason; RIGHT: a reason with no visible character is refused (exit 2), nothing changed (KR-30).
        _, sid = self.held_session()
        for reason in ("\u3000", "\u00a0\u200b", "\u2028\u2003"):
            x = self.kikan("it", "resolve", sid, "USB-0008", "--by", "it01", "--reason", reason)
            self.assertEqual(x.rc, 2, "reason %r: %s" % (reason, x.describe()))
        for by in ("\u3000", "\u200b"):
            x = self.kikan("it", "resolve", sid, "USB-0008", "--by", by, "--reason", "checked")
            self.assertEqual(x.rc, 2, "by %r: %s" % (by, x.describe()))
        self.assertEqual(self.sql("SELECT count(*) FROM it_actions"), [(0,)])

    def test_session_hold_is_in_it_queue(self):
        # WAS WRONG (fixed): a session HOLD only by its own reasons (Q5 yes: DEC-01, incident) has no item, so `kikan it list` shows nothing and nobody resolves it; RIGHT: the queue lists every session whose verdict in force is not CLEARED.
        answers = self.clean_answers()
        answers["Q5"] = "yes"
        doc, r = self.checkin({"employee": "E2002", "answers": answers})
        self.assertEqual(doc["verdict"], "hold", r.describe())
        q = self.kikan("it", "list", "--json")
        self.assertEqual(q.rc, 0, q.describe())
        self.assertIn(doc["session"], q.stdout.decode("utf-8"),
                      "the held session must be in IT's queue:\n" + q.describe())
        h = self.kikan("it", "list")
        self.assertNotIn("Nothing is waiting for IT", h.stdout.decode("utf-8"), h.describe())

    def test_hand_edited_verdict_detected(self):
        # WAS WRONG (fixed): `UPDATE verdicts SET verdict = 'cleared'` on a HOLD session leaves `kikan db check` saying "intact" and `kikan it show` printing cleared; RIGHT: db check reports a verdict row that disagrees with its own reasons / the items' verdicts (exit not 0).
        doc, sid = self.held_session()
        self.sql("UPDATE verdicts SET verdict = 'cleared' WHERE session_id = ?", (int(sid),))
        x = self.kikan("db", "check")
        self.assertNotEqual(x.rc, 0, "a hand-edited verdict must be found:\n" + x.describe())

    def test_forged_it_verdict_row_detected(self):
        # WAS WRONG (fixed): an insider appends verdict rows "cleared" decided_by 'it01' with no it_actions row (no PROC-01/02, no reason); `kikan it show` then says cleared and `kikan db check` says intact; RIGHT: db check flags a verdict not decided by the kiosk that no IT action (who, why) accounts for (KR-30).
        doc, sid = self.held_session()
        self.sql("INSERT INTO verdicts (session_id, item_id, verdict, reasons, decided_at, "
                 "decided_by) SELECT session_id, item_id, 'cleared', reasons, decided_at, 'it01' "
                 "FROM verdicts WHERE session_id = ? ORDER BY id", (int(sid),))
        shown = json.loads(self.kikan("it", "show", sid).stdout)
        self.assertEqual(shown["verdict"], "cleared", "the forgery is in force")
        x = self.kikan("db", "check")
        self.assertNotEqual(x.rc, 0, "a verdict row no IT action explains must be found:\n"
                            + x.describe())

    def freeze_daemon(self, proc):
        """SIGSTOPs every process below @proc as soon as one exists."""
        stopped = []
        end = time.monotonic() + 60
        while not stopped and time.monotonic() < end:
            for w in descendants(proc.pid):
                os.kill(w, signal.SIGSTOP)
                stopped.append(w)
            time.sleep(0.002)
        self.assertTrue(stopped, "no daemon to hold")
        return stopped

    def test_loan_added_during_session_not_cleared(self):
        # WAS WRONG (fixed): the employee's loans are read once at begin; USB-0009 lent to E1001 (`kikan ledger lend`) while the sticks are being read is ignored and the session ends CLEARED with USB-0009 out; RIGHT: end_visit re-reads the open loans in its transaction, so a loan unaccounted for is NOT RETURNED (KR-03).
        self.sql("INSERT INTO assets (id, type, serial, encryption_required, classification_max, "
                 "updated_at) VALUES ('USB-0009', 'usb', 'AA00000009', 0, 'internal', "
                 "'2026-11-01T00:00:00Z')")
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "present": [{"asset": "USB-0008", "medium": self.fat("u8", False)},
                                          {"asset": "USB-0007", "medium": self.fat("u7", False)}]})
        proc = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                                 "--script", script], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        stopped = self.freeze_daemon(proc)
        try:
            x = self.kikan("ledger", "lend", "USB-0009", "E1001")
            self.assertEqual(x.rc, 0, x.describe())
        finally:
            for w in stopped:
                os.kill(w, signal.SIGCONT)
        out, _ = proc.communicate(timeout=300)
        doc = json.loads(out.decode("utf-8"))
        self.assertEqual(self.sql("SELECT employee_id FROM loans WHERE asset_id = 'USB-0009' "
                                  "AND returned_on IS NULL"), [("E1001",)])
        self.assertNotEqual(doc["verdict"], "cleared",
                            "E1001 holds USB-0009, which this session never saw")
        self.assertNotEqual(proc.returncode, 0)

    def test_exit_status_counts_result_after_visit(self):
        # WAS WRONG (fixed): visit_seconds 0, USB-0007 infected: kikan waits for the result, the store says QUARANTINE before it exits, yet it exits 3 (the visit's HOLD) and prints nothing about the malware; RIGHT: the exit status is the overall verdict in force when kikan exits (1 for QUARANTINE), so a headless caller learns of the malware.
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "visit_seconds": 0,
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)},
                                           {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        shown = json.loads(self.kikan("it", "show", str(doc["session_id"])).stdout)
        self.assertEqual(shown["verdict"], "quarantine")
        self.assertEqual(r.rc, 1, r.describe())

    def test_it_action_survives_late_inspection_result(self):
        # WAS WRONG (fixed): IT overrides USB-0008 to QUARANTINE after the visit; when USB-0007's pending inspection ends, decide() writes fresh kiosk rows for every inspected item and the session, so the override silently stops being in force and the overall becomes CLEARED; RIGHT: an IT action stays in force until IT changes it (KR-30), the overall counts it.
        small = self.fat("u8", False)
        big = os.path.join(self.media, "big.img")
        tree = self.mm.tree_a(infected=False, seed="big")
        for n in range(1500):
            tree["Data/%04d/file.bin" % n] = self.mm.prng("f%d" % n, 40 * 1024)
        self.mm.mkfs_fat(big, 96 * self.mm.MiB, 32, "BIG", "1234abcd", tree)
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "visit_seconds": 0,
                              "present": [{"asset": "USB-0008", "medium": small},
                                          {"asset": "USB-0007", "medium": big}]})
        proc = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                                 "--script", script], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        stopped = []
        try:
            # Once USB-0008's result is in the store, freeze the daemon so
            # that USB-0007 stays pending while IT acts.
            end = time.monotonic() + 120
            while time.monotonic() < end:
                done = self.sql("SELECT count(*) FROM inspections n JOIN items i ON "
                                "i.id = n.item_id WHERE i.asset_id = 'USB-0008' AND "
                                "n.ended_at IS NOT NULL")[0][0]
                if done:
                    break
                time.sleep(0.005)
            for w in descendants(proc.pid):
                os.kill(w, signal.SIGSTOP)
                stopped.append(w)
            self.assertTrue(stopped, "no daemon to hold")
            pending = self.sql("SELECT count(*) FROM inspections n JOIN items i ON "
                               "i.id = n.item_id WHERE i.asset_id = 'USB-0007' AND "
                               "n.ended_at IS NULL")[0][0]
            self.assertEqual(pending, 1, "USB-0007 finished too early for this test")
            sid = self.sql("SELECT id FROM sessions ORDER BY id DESC LIMIT 1")[0][0]
            end = time.monotonic() + 60
            while self.sql("SELECT state FROM sessions WHERE id = ?", (sid,))[0][0] != "ended":
                self.assertLess(time.monotonic(), end, "the visit never ended")
                time.sleep(0.05)
            x = self.kikan("it", "override", str(sid), "USB-0008", "--by", "it01",
                           "--verdict", "quarantine", "--reason", "found in the car park")
            self.assertEqual(x.rc, 0, x.describe())
        finally:
            for w in stopped:
                os.kill(w, signal.SIGCONT)
        proc.communicate(timeout=300)
        shown = json.loads(self.kikan("it", "show", str(sid)).stdout)
        u8 = self.item(shown, "USB-0008")
        self.assertEqual(u8["verdict"], "quarantine", json.dumps(u8, ensure_ascii=False))
        self.assertEqual(shown["verdict"], "quarantine")
        self.assert_db_check()


class RedteamUsb(test_checkin_usb.CheckinUsb):
    """USB sticks simulated by umockdev (run under umockdev-wrapper)."""
    # Not these tests again: only the setup of test_checkin_usb is reused.
    test_registered_stick_matched_by_serial = None
    test_unknown_stick_held = None
    test_storage_and_keyboard_quarantined = None
    test_removed_mid_inspection = None

    def test_hostile_serial_escaped_once(self):
        # WAS WRONG (fixed): INV-06 text carries the serial already escaped by usb-assess ("\\x1B"), and the printer escapes it again, so IT reads "EVIL\\\\x1B[2J" (a literal backslash) for a serial that holds ESC, in `kikan checkin` and `kikan it show`; RIGHT: escaped exactly once where shown: "EVIL\\x1B[2J".
        self.tb.add(serial=b"EVIL\x1b[2J", interfaces=STORAGE)
        self.register("USB-0007")
        script = self.script({"employee": "E1001", "answers": self.answers(),
                              "present": [{"usb_device": "/dev/sdb",
                                           "medium": self.fat("x", False)}],
                              "missing": self.missing("LT-0003", "USB-0007", "USB-0008")})
        r = self.kikan("checkin", "--database", self.db_test6(), "--script", script)
        self.assertEqual(r.rc, 3, r.describe())
        out = r.stdout.decode("utf-8")
        self.assertNotIn(b"\x1b", r.stdout)
        line = [x for x in out.splitlines() if "INV-06" in x]
        self.assertTrue(line, out)
        self.assertIn("EVIL\\x1B[2J", line[0])
        self.assertNotIn("EVIL\\\\x1B", line[0], "escaped twice")
        shown = json.loads(self.kikan("it", "show", "1").stdout)
        unknown = [i for i in shown["items"] if i["asset"] is None][0]
        inv06 = [x for x in unknown["reasons"] if x["code"] == "INV-06"][0]["text"]
        self.assertEqual(unknown["usb"]["serial"], "EVIL\x1b[2J")
        self.assertIn("EVIL\x1b[2J", inv06, "the JSON text carries the serial itself (JSON escapes it)")

    def test_storage_device_typed_token_not_cleared_unread(self):
        # WAS WRONG (fixed): a stick with a mass-storage interface (08/06/50), registered in the media register but typed "token" in the ledger, is plugged in and never read, yet it is CLEARED (INV-01 only, exit 0); RIGHT: a device that offers mass storage is a medium whatever the ledger's type: not read means MAL-04 HOLD ("no medium was read").
        _, fp = self.tb.add(interfaces=STORAGE)
        self.sql("INSERT INTO assets (id, type, serial, encryption_required, classification_max, "
                 "updated_at) VALUES ('TK-0001', 'token', 'T1', 0, 'internal', "
                 "'2026-11-01T00:00:00Z')")
        self.sql("INSERT INTO loans (asset_id, employee_id, lent_on) VALUES "
                 "('TK-0001', 'E2002', '2026-10-01')")
        self.register("TK-0001", fp=fp)
        doc, r = self.checkin({"employee": "E2002", "answers": self.answers(),
                               "present": [{"asset": "TK-0001", "usb_device": "/dev/sdb"}]})
        it = self.item(doc, "TK-0001")
        self.assertEqual(it["usb"]["interfaces"], "08/06/50")
        self.assertNotEqual(it["verdict"], "cleared", json.dumps(it, ensure_ascii=False))
        self.assertIn("MAL-04", {c for c, _ in self.codes(it)})
        self.assertNotEqual(r.rc, 0, r.describe())
