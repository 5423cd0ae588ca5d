"""Integration tests of the check-in (issue #9; docs/checkin.md): the real
`kikan checkin --script` with the real daemon, libclamav and SQLite store,
on media made at test time (tests/fixtures/make-media.py: FAT images with
mtools, LUKS2 volumes with cryptsetup and the xts-encrypt helper).

The ledger is written into the store file the way the asset tool's import
leaves it (plain SQL on the real SQLite file), so that these tests depend
on the check-in only; tests/integration/test_ledger.py covers the import.
"""

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from kikan_it import KikanTestCase, accept_test_cvd_age, env_path, kikan_bin

CHECKIN_TIMEOUT = 600

# Debian base packages of make-software.py's Debian tree, approved here so
# that a laptop disk holding it has nothing unapproved (SW-01).
POLICY = """[policy]
version = test-2026-12
max_os_patch_age_days = 45
max_av_definition_age_days = 7
require_antivirus = yes
unknown_executable = hold

[approve "Debian base"]
name = bash
name = openssh-server
name = vim-tiny
"""

ALL_NO = {"Q%d" % q: "no" for q in range(1, 18)}


def load_module(env, name):
    path = env_path(env, is_dir=False)
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


class CheckinTestCase(KikanTestCase):
    """A store with employee E1001 holding a laptop and two USB sticks."""

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.fail("the check-in tests build FAT and LUKS images (cryptsetup): run as root")
        self.mm = load_module("KIKAN_IT_MAKE_MEDIA", "make_media")
        self.ms = load_module("KIKAN_IT_MAKE_SOFTWARE", "make_software")
        self.media = self.mkdir("media")
        self.policy = os.path.join(self.tmp, "policy.conf")
        with open(self.policy, "w") as f:
            f.write(POLICY)
        # The store is made by kikan itself (schema, PRAGMAs).
        r = self.kikan("checkin", "--recover")
        self.assertEqual(r.rc, 0, r.describe())
        self.db = os.path.join(self.home, "kikan.db")
        self.sql("INSERT INTO employees (id, name, updated_at) VALUES "
                 "('E1001', '山田 太郎', '2026-11-01T00:00:00Z'), "
                 "('E2002', 'Sato, Hanako', '2026-11-01T00:00:00Z')")
        for asset, typ, serial in (("LT-0003", "laptop", "PF3ABC12"),
                                   ("USB-0007", "usb", "AA00000007"),
                                   ("USB-0008", "usb", "AA00000008")):
            self.sql("INSERT INTO assets (id, type, serial, encryption_required, "
                     "classification_max, updated_at) VALUES (?, ?, ?, 1, 'confidential', "
                     "'2026-11-01T00:00:00Z')", (asset, typ, serial))
            self.sql("INSERT INTO loans (asset_id, employee_id, lent_on, telework_method) "
                     "VALUES (?, 'E1001', '2026-10-01', 'standalone')", (asset,))

    # ------------------------------------------------------------ helpers

    def sql(self, statement, args=()):
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute(statement, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def fat(self, name, infected):
        img = os.path.join(self.media, name + ".img")
        self.mm.mkfs_fat(img, 16 * self.mm.MiB, 16, "STICK", "1234abcd",
                         self.mm.tree_a(infected=infected, seed=name))
        return img

    def luks(self, name, tree):
        m = self.mm.make_luks(self.media, name, 2, 512, tree,
                              env_path("KIKAN_IT_XTS_ENCRYPT", is_dir=False))
        return m["image"], m["passphrase_file"]

    def script(self, doc):
        path = os.path.join(self.tmp, "checkin-%d.json" % time.monotonic_ns())
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        return path

    def checkin(self, doc, *extra, env=None):
        args = ["checkin", "--json", "--policy", self.policy, "--database", self.db_test6(),
                "--kiosk-id", "kiosk-test", "--script", self.script(doc)] + list(extra)
        r = self.kikan(*args, env=env, timeout=CHECKIN_TIMEOUT)
        try:
            out = json.loads(r.stdout.decode("utf-8"))
        except ValueError:
            self.fail("kikan checkin did not print JSON:\n" + r.describe())
        self.assertEqual(out["format"], "kikan-checkin", r.describe())
        return out, r

    def item(self, doc, asset):
        for it in doc["items"]:
            if it["asset"] == asset:
                return it
        self.fail("no item %s in %s" % (asset, json.dumps(doc, ensure_ascii=False)))

    def codes(self, obj):
        return {(r["code"], r["provenance"]) for r in obj["reasons"]}

    def assert_db_check(self):
        r = self.kikan("db", "check")
        self.assertEqual(r.rc, 0, "kikan db check must pass:\n" + r.describe())

    def clean_answers(self):
        a = dict(ALL_NO)
        a["Q19"] = "yes"
        return a


class CheckinScripted(CheckinTestCase):

    def test_eicar_unencrypted_and_lost(self):
        """Must show: USB-0007 with EICAR → QUARANTINE (MAL-02); USB-0008
        clean but plain where encryption is required → HOLD (ENC-02);
        LT-0003 declared lost → NOT RETURNED (INV-03) with an incident;
        overall not CLEARED (exit 1: malware)."""
        answers = self.clean_answers()
        answers["Q1"] = "yes"
        doc, r = self.checkin({
            "employee": "E1001", "answers": answers,
            "present": [{"asset": "USB-0007", "medium": self.fat("usb7", True)},
                        {"asset": "USB-0008", "medium": self.fat("usb8", False)}],
            "missing": [{"asset": "LT-0003", "declared": "lost",
                         "data_held": "customer list (Excel)", "classification": "confidential",
                         "personal_data": "yes"}]})
        self.assertEqual(r.rc, 1, r.describe())
        self.assertEqual(doc["state"], "ended")
        self.assertNotEqual(doc["verdict"], "cleared")
        self.assertEqual(doc["verdict"], "quarantine")
        usb7, usb8, lt = (self.item(doc, a) for a in ("USB-0007", "USB-0008", "LT-0003"))
        self.assertEqual(usb7["verdict"], "quarantine", json.dumps(usb7, ensure_ascii=False))
        self.assertIn(("MAL-02", "M"), self.codes(usb7))
        mal02 = [x for x in usb7["reasons"] if x["code"] == "MAL-02"][0]
        self.assertIn("Eicar", mal02["text"])
        self.assertIn("backup.zip", mal02["text"])
        det = [f for f in usb7["inspection"]["findings"] if f["kind"] == "detection"]
        self.assertTrue(det and det[0]["sha256"] and len(det[0]["sha256"]) == 64, usb7)
        self.assertEqual(usb8["verdict"], "hold", json.dumps(usb8, ensure_ascii=False))
        self.assertIn(("ENC-02", "M"), self.codes(usb8))
        self.assertNotIn("MAL-02", {c for c, _ in self.codes(usb8)})
        self.assertEqual(lt["verdict"], "not_returned")
        self.assertIn(("INV-03", "D"), self.codes(lt))
        self.assertEqual(len(doc["incidents"]), 1, doc["incidents"])
        inc = doc["incidents"][0]
        self.assertEqual((inc["kind"], inc["asset"], inc["personal_data"]),
                         ("lost", "LT-0003", "yes"))
        self.assertRegex(inc["number"], r"^INC-\d{4}-\d{6}$")
        self.assertIn(inc["number"], [x for x in lt["reasons"] if x["code"] == "INV-03"][0]["text"])
        # KR-08: what each inspection saw is in the store.
        rows = self.sql("SELECT i.asset_id, n.result, n.files, n.engine_version, n.db_version "
                        "FROM inspections n JOIN items i ON i.id = n.item_id ORDER BY i.asset_id")
        self.assertEqual([(a, res) for a, res, *_ in rows],
                         [("USB-0007", "infected"), ("USB-0008", "clean")])
        self.assertTrue(all(f > 5 and e and "test-6.cvd" in (d or "") for _, _, f, e, d in rows),
                        rows)
        # The sticks are back with IT; the lost laptop's loan stays open.
        open_loans = {a for (a,) in self.sql("SELECT asset_id FROM loans "
                                             "WHERE returned_on IS NULL")}
        self.assertEqual(open_loans, {"LT-0003"})
        self.assert_db_check()

    def clean_media(self):
        usb7, pass7 = self.luks("usb7-luks", self.mm.tree_a(infected=False, seed="u7"))
        usb8, pass8 = self.luks("usb8-luks", self.mm.tree_a(infected=False, seed="u8"))
        tree = dict(self.ms.debian_tree())
        tree["home/yamada/report.txt"] = b"Quarterly report\n" * 40
        lt, passlt = self.luks("laptop-luks", tree)
        return {"employee": "E1001", "answers": self.clean_answers(),
                "present": [{"asset": "USB-0007", "medium": usb7, "passphrase_file": pass7},
                            {"asset": "USB-0008", "medium": usb8, "passphrase_file": pass8},
                            {"asset": "LT-0003", "serial": "PF3ABC12", "medium": lt,
                             "passphrase_file": passlt}]}

    def test_all_present_encrypted_clean_is_cleared(self):
        """Must show: clean media, both sticks LUKS2 unlocked at the kiosk with
        their passphrases, fresh signatures, every item present → CLEARED
        with INV-01, MAL-01 and ENC-01 on each item (exit 0)."""
        accept_test_cvd_age(self)
        doc, r = self.checkin(self.clean_media())
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(doc["verdict"], "cleared", json.dumps(doc, ensure_ascii=False,
                                                               indent=1))
        for asset in ("USB-0007", "USB-0008", "LT-0003"):
            it = self.item(doc, asset)
            self.assertEqual(it["verdict"], "cleared", it)
            self.assertTrue({("INV-01", "M"), ("MAL-01", "M"), ("ENC-01", "M")} <= self.codes(it),
                            it)
            self.assertEqual(it["inspection"]["result"], "clean")
            self.assertTrue(it["inspection"]["unlocked"], it)
            self.assertEqual(it["inspection"]["encryption"], "luks2")
        self.assertEqual(self.sql("SELECT count(*) FROM loans WHERE returned_on IS NULL"),
                         [(0,)])
        self.assertEqual(doc["incidents"], [])
        self.assert_db_check()

    def test_conditions_printed(self):
        """KR-28: a CONDITIONAL check-in says, on the screen as in the JSON,
        what each condition asks and until when (PROC-03 monitoring)."""
        accept_test_cvd_age(self)
        answers = self.clean_answers()
        answers["Q14"] = "yes"
        r = self.kikan("checkin", "--policy", self.policy, "--database", self.db_test6(),
                       "--script", self.script({"employee": "E2002", "answers": answers}))
        out = r.stdout.decode("utf-8")
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn("Overall: CONDITIONAL", out)
        self.assertIn("condition: Reset the password", out)
        self.assertRegex(out, r"PROC-03 .*\n +condition: .* until \d{4}-\d{2}-\d{2}")

    def test_q8_media_scanned_here(self):
        """DEC-03: data moved through a medium (Q8) holds until that medium is
        read here; naming a medium that was read to the end settles it, one
        that was not presented does not."""
        accept_test_cvd_age(self)
        self.sql("UPDATE assets SET encryption_required = 0")
        self.sql("DELETE FROM loans WHERE asset_id = 'LT-0003'")
        for named, level in ((["USB-0007"], "info"), (["USB-0007", "USB-0099"], "hold")):
            self.sql("UPDATE loans SET returned_on = NULL, return_session = NULL")
            answers = self.clean_answers()
            answers["Q8"] = {"answer": "yes", "media": named}
            doc, r = self.checkin({"employee": "E1001", "answers": answers,
                                   "present": [{"asset": "USB-0007",
                                                "medium": self.fat("q8" + level, False)},
                                               {"asset": "USB-0008",
                                                "medium": self.fat("q8b" + level, False)}]})
            dec03 = [x for x in doc["reasons"] if x["code"] == "DEC-03"]
            self.assertEqual(len(dec03), 1, r.describe())
            self.assertEqual(dec03[0]["level"], level,
                             dec03[0])
            self.assertEqual(doc["verdict"], "cleared" if level == "info" else "hold",
                             r.describe())

    def test_stale_signatures_hold(self):
        """Must show: the same check-in with the signatures stale (test-6.cvd
        is from 2021 and max_age_days is the default) → HOLD, MAL-05."""
        doc, r = self.checkin(self.clean_media())
        self.assertEqual(r.rc, 3, r.describe())
        self.assertEqual(doc["verdict"], "hold")
        self.assertIn("MAL-05", {c for c, _ in self.codes(doc)})
        for asset in ("USB-0007", "USB-0008", "LT-0003"):
            it = self.item(doc, asset)
            self.assertIn("MAL-05", {c for c, _ in self.codes(it)}, it)
            self.assertNotEqual(it["verdict"], "cleared")
        self.assert_db_check()


class CheckinCrash(CheckinTestCase):

    def kill_script(self):
        answers = {"Q1": "yes", "Q19": "yes"}
        return {"employee": "E1001", "answers": answers,
                "present": [{"asset": "USB-0007", "medium": self.usb7}],
                "missing": [{"asset": "LT-0003", "declared": "lost"},
                            {"asset": "USB-0008", "declared": "at_home",
                             "return_by": "2026-12-24"}]}

    def test_kill_points(self):
        """Must show: SIGKILL at every commit point of a check-in (just
        before and just after each COMMIT) always leaves `kikan db check`
        passing, and the session either decided or, after the next start,
        marked incomplete; an inspection cut short is never clean."""
        self.usb7 = self.fat("usb7", True)
        script = self.script(self.kill_script())
        seen = {"killed": 0, "completed": 0}
        k = 0
        while True:
            k += 1
            self.assertLess(k, 200, "the check-in never completed")
            # Every iteration starts from the same ledger.
            self.sql("UPDATE loans SET returned_on = NULL, return_session = NULL")
            before = self.sql("SELECT count(*) FROM sessions")[0][0]
            r = self.kikan("checkin", "--json", "--database", self.db_test6(),
                           "--script", script, env=self.env(KIKAN_TEST_KILL_AT=str(k)))
            killed = r.rc == -signal.SIGKILL
            self.assertIn(r.rc, (-signal.SIGKILL, 1), "kill point %d:\n%s" % (k, r.describe()))
            self.assert_db_check()
            rec = self.kikan("checkin", "--recover")
            self.assertEqual(rec.rc, 0, rec.describe())
            self.assert_db_check()
            sessions = self.sql("SELECT id, state FROM sessions WHERE id > ? ORDER BY id",
                                (before,))
            if k == 1:
                # Killed before the session's first commit: nothing half-written.
                self.assertEqual(sessions, [], "kill point 1")
            else:
                self.assertEqual(len(sessions), 1, "kill point %d: %s" % (k, sessions))
                sid, state = sessions[0]
                if killed:
                    self.assertIn(state, ("incomplete", "ended"), "kill point %d" % k)
                else:
                    self.assertEqual(state, "ended")
                if state == "ended":
                    # A decided session has its verdicts, and USB-0007 is held.
                    v = self.sql("SELECT verdict FROM verdicts WHERE session_id = ? AND "
                                 "item_id IS NULL ORDER BY id DESC LIMIT 1", (sid,))
                    self.assertEqual(v, [("quarantine",)], "kill point %d" % k)
            # Nothing is left looking inspected or running.
            self.assertEqual(self.sql("SELECT count(*) FROM inspections WHERE ended_at IS NULL "
                                      "OR (result = 'clean' AND files = 0)"), [(0,)],
                             "kill point %d" % k)
            self.assertEqual(self.sql("SELECT count(*) FROM items WHERE state IN "
                                      "('inspecting', 'pending')"), [(0,)], "kill point %d" % k)
            self.assertEqual(self.sql("SELECT count(*) FROM sessions WHERE state = 'open'"),
                             [(0,)], "kill point %d" % k)
            if killed:
                seen["killed"] += 1
            else:
                seen["completed"] += 1
                break
        # Two kill points per commit: begin, 2 answers, 2 missing, 1 present,
        # inspection start and end, the verdict = 9 commits.
        self.assertEqual(seen["killed"], 18, seen)
        # Every interrupted session is in IT's list.
        q = json.loads(self.kikan("it", "list", "--json").stdout)
        self.assertEqual(len(q["incomplete_sessions"]),
                         self.sql("SELECT count(*) FROM sessions WHERE state = 'incomplete'")[0][0])


class CheckinIt(CheckinTestCase):

    def test_override_keeps_original(self):
        """KR-30: an override needs who and why, keeps the engine's verdict,
        shows PROC-02 and changes the overall; a resolve adds PROC-01."""
        answers = self.clean_answers()
        answers["Q1"] = "yes"
        doc, r = self.checkin({
            "employee": "E1001", "answers": answers,
            "present": [{"asset": "USB-0007", "medium": self.fat("usb7", True)},
                        {"asset": "USB-0008", "medium": self.fat("usb8", False)}],
            "missing": [{"asset": "LT-0003", "declared": "at_home", "return_by": "2026-12-24"}]})
        sid = str(doc["session_id"])
        # Refused without a reason or an ID: nothing changes.
        for bad in (["--by", "it01", "--reason", "  "], ["--reason", "checked"],
                    ["--by", "", "--reason", "checked"], ["--by", "kiosk", "--reason", "x"],
                    ["--by", "Kiosk", "--reason", "x"]):
            x = self.kikan("it", "override", sid, "USB-0007", "--verdict", "cleared", *bad)
            self.assertEqual(x.rc, 2, x.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM it_actions"), [(0,)])
        # A resolve is for a HOLD only; USB-0007 is QUARANTINE.
        x = self.kikan("it", "resolve", sid, "USB-0007", "--by", "it01", "--reason", "looked")
        self.assertEqual(x.rc, 2, x.describe())
        x = self.kikan("it", "resolve", sid, "USB-0008", "--by", "it01",
                       "--reason", "data is public brochures; stick re-encrypted by IT")
        self.assertEqual(x.rc, 0, x.describe())
        x = self.kikan("it", "override", sid, "USB-0007", "--by", "it02", "--verdict", "hold",
                       "--reason", "EICAR test file from the security training")
        self.assertEqual(x.rc, 0, x.describe())
        shown = json.loads(self.kikan("it", "show", sid).stdout)
        u7, u8 = self.item(shown, "USB-0007"), self.item(shown, "USB-0008")
        self.assertEqual((u7["verdict"], u7["original_verdict"]), ("hold", "quarantine"))
        self.assertIn(("PROC-02", "V"), self.codes(u7))
        self.assertIn(("MAL-02", "M"), self.codes(u7), "the finding stays visible")
        self.assertIn("it02", [x for x in u7["reasons"] if x["code"] == "PROC-02"][0]["text"])
        self.assertEqual((u8["verdict"], u8["original_verdict"]), ("cleared", "hold"))
        self.assertIn(("PROC-01", "V"), self.codes(u8))
        # The laptop at home keeps the session NOT RETURNED.
        self.assertEqual(shown["verdict"], "not_returned")
        rows = self.sql("SELECT kind, by_user, from_verdict, to_verdict FROM it_actions "
                        "ORDER BY id")
        self.assertEqual(rows, [("resolve", "it01", "hold", "cleared"),
                                ("override", "it02", "quarantine", "hold")])
        # Both verdicts of USB-0007 stay in the store.
        self.assertEqual(self.sql("SELECT verdict FROM verdicts v JOIN items i ON "
                                  "i.id = v.item_id WHERE i.asset_id = 'USB-0007' AND "
                                  "v.session_id = ? ORDER BY v.id", (int(sid),)),
                         [("quarantine",), ("hold",)])
        self.assert_db_check()


class CheckinVisit(CheckinTestCase):

    def test_visit_ends_before_inspection(self):
        """Item 7: the visit ends (visit_seconds 0) while the medium is still
        read: the item is HOLD "inspection pending, kept by IT" as the
        employee leaves; the result is attached later with a new verdict."""
        accept_test_cvd_age(self)
        big = self.fat("usb7", True)
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "visit_seconds": 0,
                               "present": [{"asset": "USB-0007", "medium": big}],
                               "missing": [{"asset": "LT-0003", "declared": "at_home",
                                            "return_by": "2026-12-24"},
                                           {"asset": "USB-0008", "declared": "at_home",
                                            "return_by": "2026-12-24"}]})
        u7 = self.item(doc, "USB-0007")
        self.assertEqual(u7["verdict"], "hold", u7)
        self.assertIn("pending", [x for x in u7["reasons"] if x["code"] == "MAL-04"][0]["text"])
        self.assertNotEqual(doc["verdict"], "cleared")
        # By the time kikan exits, the result is attached: MAL-02 now.
        shown = json.loads(self.kikan("it", "show", str(doc["session_id"])).stdout)
        u7 = self.item(shown, "USB-0007")
        self.assertEqual(u7["verdict"], "quarantine", u7)
        self.assertEqual(u7["inspection"]["result"], "infected")
        self.assertEqual(shown["verdict"], "quarantine")
        self.assertEqual(self.sql("SELECT count(*) FROM verdicts v JOIN items i ON "
                                  "i.id = v.item_id WHERE i.asset_id = 'USB-0007'"), [(2,)])
        self.assert_db_check()


class CheckinBadScript(CheckinTestCase):

    def test_serial_two_assets_share_is_refused(self):
        """A serial two assets of the ledger share names neither: the script
        is refused (type the tag), never resolved to one of them at random."""
        self.sql("UPDATE assets SET serial = 'DUP-1' WHERE id IN ('USB-0007', 'USB-0008')")
        r = self.kikan("checkin", "--database", self.db_test6(), "--script", self.script(
            {"employee": "E1001", "present": [{"serial": "DUP-1",
                                               "medium": self.fat("dup", False)}]}))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("DUP-1", r.stderr.decode("utf-8"), r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])

    def test_bad_scripts_record_nothing(self):
        """A script with a mistake names it and records nothing."""
        cases = [
            ({"employee": "E1001", "answers": {"Q1": "maybe"}}, "answers.Q1"),
            ({"employee": "E1001", "answers": {"Q20": "no"}}, "answers.Q20"),
            ({"employee": "E1001", "presnt": []}, "presnt"),
            ({"employee": "E1001", "present": [{"asset": "USB-0007", "mediun": "/x"}]},
             "present[0].mediun"),
            ({"employee": "E1001", "missing": [{"asset": "LT-0003", "declared": "at_home"}]},
             "missing[0]"),
            ({"employee": "E1001", "missing": [{"asset": "LT-0003", "declared": "burnt"}]},
             "missing[0].declared"),
            ({"answers": {}}, "employee"),
            ({"employee": "E9999"}, "E9999"),
            ({"employee": "E1001", "present": [{"asset": "USB-0007", "medium": "/nonexistent"}]},
             "nonexistent"),
        ]
        for doc, where in cases:
            r = self.kikan("checkin", "--database", self.db_test6(), "--script", self.script(doc))
            self.assertEqual(r.rc, 2, r.describe())
            self.assertIn(where, r.stderr.decode("utf-8"), r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM sessions"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM declarations"), [(0,)])
        for raw in (b"\xff\xfe{}", b"{\"employee\": \"E1001\"", b"[]", b"{\"employee\": \"E\x00\"}"):
            path = os.path.join(self.tmp, "raw.json")
            with open(path, "wb") as f:
                f.write(raw)
            r = self.kikan("checkin", "--script", path)
            self.assertEqual(r.rc, 2, r.describe())
        self.assert_db_check()
