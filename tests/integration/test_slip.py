"""The signed clearance slip (issue #10 items 4 and 5; KR-12, KR-27, KR-28,
JNSA-2.6; docs/slip.md): a check-in on an initialised kiosk issues a PDF
slip whose QR code, read back from a 203 dpi render with zbarimg, is a
payload `kikan slip verify` accepts, and that the audit chain witnesses
(`kikan audit verify --slip`).  Forged, changed, expired and foreign slips
are refused; reprints say COPY; both layouts and both languages render."""

import json
import os
import re
import sqlite3
import subprocess
import time

from kikan_it import accept_test_cvd_age
from test_checkin import CheckinTestCase

CONF_SLIP = """
[slip]
valid_hours = 24
contact_name = 情報セキュリティ窓口 (IT Security Desk)
contact_phone = 03-1234-5678
contact_mail = security@example.co.jp
"""


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          **kw)


class SlipTestCase(CheckinTestCase):

    def setUp(self):
        super().setUp()
        accept_test_cvd_age(self)
        with open(os.path.join(self.home, "kikan.conf"), "a", encoding="utf-8") as f:
            f.write(CONF_SLIP)

    def init_kiosk(self, home=None, kiosk_id="K1"):
        env = self.env(KIKAN_HOME=home) if home else None
        key_file = os.path.join(self.tmp, "key-%s-%d.txt" % (kiosk_id, time.monotonic_ns()))
        r = self.kikan("audit", "init", "--kiosk-id", kiosk_id, "--key-file", key_file,
                       "--no-qr", env=env)
        self.assertEqual(r.rc, 0, r.describe())
        with open(key_file) as f:
            keys = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)
        return keys["public_key"], key_file

    def conditional_checkin(self):
        """E1001: USB-0007 presented (a plain FAT stick: HOLD ENC-02, but
        inspected), Q14 yes (DEC-05 + PROC-03: conditions with dates)."""
        answers = self.clean_answers()
        answers["Q14"] = "yes"
        doc, r = self.checkin({"employee": "E1001", "answers": answers,
                               "present": [{"asset": "USB-0007",
                                            "medium": self.fat("u7", False)}],
                               "missing": [{"asset": "LT-0003", "declared": "at_home",
                                            "return_by": "2026-12-24"},
                                           {"asset": "USB-0008", "declared": "at_home",
                                            "return_by": "2026-12-24"}]})
        return doc, r

    def pdftotext(self, pdf):
        """The PDF's text with line breaks taken out (Japanese wraps
        anywhere)."""
        p = run(["pdftotext", pdf, "-"])
        self.assertEqual(p.returncode, 0, p.stderr)
        return re.sub(r"\s*\n\s*", "", p.stdout.decode("utf-8"))

    def render(self, pdf, dpi=203):
        prefix = os.path.join(self.tmp, "render-%d" % time.monotonic_ns())
        p = run(["pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, prefix])
        self.assertEqual(p.returncode, 0, p.stderr)
        pages = sorted(f for f in os.listdir(self.tmp) if f.startswith(os.path.basename(prefix)))
        self.assertTrue(pages, "pdftoppm rendered no page")
        return [os.path.join(self.tmp, f) for f in pages]

    def qr_payloads(self, pdf):
        out = []
        for png in self.render(pdf):
            z = run(["zbarimg", "--nodbus", "--raw", "-q", png])
            out += [l for l in z.stdout.decode("utf-8").splitlines() if l.startswith("KS1:")]
        return out

    def verify(self, payload, *extra, env=None):
        r = self.kikan("slip", "verify", payload, "--json", *extra, env=env)
        return r, json.loads(r.stdout.decode("utf-8")) if r.stdout else None


class Slip(SlipTestCase):

    def setUp(self):
        super().setUp()
        self.public_key, self.key_file = self.init_kiosk()
        self.doc, self.run_ = self.conditional_checkin()
        self.slip = self.doc["slip"]

    def test_checkin_issues_signed_slip_read_back_from_the_qr(self):
        """KR-27: the check-in's slip is a PDF under slips/<YYYY>/ whose text
        (Japanese by default) and QR code (203 dpi, zbarimg) read back, and
        whose payload `kikan slip verify` accepts with the store's key and
        with the public key the network team holds."""
        self.assertIsNotNone(self.slip, self.run_.describe())
        number, pdf, payload = self.slip["number"], self.slip["pdf"], self.slip["payload"]
        self.assertRegex(number, r"^\d{6}-\d{2}$")
        self.assertTrue(pdf.startswith(os.path.join(self.home, "slips")), pdf)
        self.assertTrue(pdf.endswith(number + ".pdf"))
        self.assertLessEqual(len(payload), 420)
        # Every slip is archived for at least a year (KR-32): with a font
        # cairo cannot subset (Noto Sans CJK, CID-keyed CFF) each slip was
        # 1.7 MB, some 60 GB a year at 100 check-ins a day (issue #12 soak).
        self.assertLess(os.path.getsize(pdf), 300 * 1024, "slip PDF too large to archive a year")
        text = self.pdftotext(pdf)
        self.assertIn(number, text)
        self.assertIn("保留", text)                          # the verdict word (HOLD)
        self.assertIn("不利益を受けることはありません", text)   # the non-punitive reminder
        self.assertIn("03-1234-5678", text)                  # the contact phone
        self.assertIn("DEC-05", text)
        self.assertIn("自宅にあると申告", text)               # at_home, said plainly
        self.assertIn("test-6", text)                        # KR-12: definitions version
        self.assertIn("USB-0007", text)
        self.assertIn("AA00000007", text)                    # the serial
        # The QR, as a barcode scanner reads it off paper.
        codes = self.qr_payloads(pdf)
        self.assertEqual(codes, [payload])
        scanned = os.path.join(self.tmp, "scanned.txt")
        with open(scanned, "w") as f:
            f.write(codes[0] + "\n")
        r, v = self.verify(scanned)
        self.assertEqual(r.rc, 3, r.describe())  # HOLD: genuine, not a pass at the LAN port
        self.assertTrue(v["valid"])
        self.assertFalse(v["reconnect_allowed"])
        self.assertIn("this machine's own kiosk key", v["key"])
        self.assertEqual((v["number"], v["kiosk"], v["employee"], v["verdict"]),
                         (number, "K1", "E1001", self.doc["verdict"]))
        self.assertEqual(v["session"], self.doc["session"])
        self.assertFalse(v["copy"])
        r, v = self.verify(scanned, "--public-key", self.public_key)
        self.assertEqual(r.rc, 3, r.describe())
        self.assertEqual(v["key"], "the public key you gave")
        r = self.kikan("slip", "verify", scanned, "--public-key-file", self.key_file)
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(b"GENUINE, but NOT CLEARED", r.stdout)  # HOLD: genuine, not a pass
        # One slip row, one slip_issued record; the chain still holds.
        self.assertEqual(self.sql("SELECT count(*) FROM slips"), [(1,)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'slip_issued'"), [(1,)])
        rec = json.loads(self.sql("SELECT payload FROM audit_records WHERE kind = "
                                  "'slip_issued'")[0][0])
        self.assertEqual(rec["payload"], payload)
        self.assertEqual(rec["session"], self.doc["session"])
        with open(pdf, "rb") as f:
            import hashlib
            self.assertEqual(rec["pdf_sha256"], hashlib.sha256(f.read()).hexdigest())
        r = self.kikan("audit", "verify")
        self.assertEqual(r.rc, 0, r.describe())

    def test_conditional_slip_states_conditions_and_dates(self):
        """KR-28, JNSA-2.6: a CONDITIONAL check-in's slip says what each
        condition asks and until when (PROC-03 monitoring), and its code
        carries the monitoring end date for the network team."""
        answers = self.clean_answers()
        answers["Q14"] = "yes"
        doc, r = self.checkin({"employee": "E2002", "answers": answers})
        self.assertEqual(doc["verdict"], "conditional", r.describe())
        text = self.pdftotext(doc["slip"]["pdf"])
        self.assertIn("条件付き合格", text)
        self.assertIn("PROC-03", text)
        self.assertIn("ネットワーク監視の強化", text)
        self.assertRegex(text, r"期限\s*\d{4}-\d{2}-\d{2}")
        self.assertIn("社内ネットワークへの再接続に有効な期限", text)
        r, v = self.verify(doc["slip"]["payload"])
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(v["verdict"], "conditional")
        self.assertGreater(v["monitor_until"], v["issued_at"])
        self.assertEqual(self.sql("SELECT count(*) FROM slips"), [(2,)])

    def test_changed_character_rejected(self):
        """A code with one character changed is refused (exit 1): the
        decoder refuses it or the signature fails.  (Deflate can spell
        the same bytes two ways; such a change decodes to the very same
        signed slip, which the test then demands.)"""
        payload = self.slip["payload"]
        _, original = self.verify(payload)
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
        refused = 0
        for pos in (5, 40, len(payload) // 2, len(payload) - 70, len(payload) - 2):
            c = alphabet[(alphabet.index(payload[pos]) + 1) % 45]
            changed = payload[:pos] + c + payload[pos + 1:]
            r, v = self.verify(changed)
            if r.rc == 1:
                self.assertFalse(v["valid"], v)
                refused += 1
            else:
                self.assertEqual(v, original, "a changed code verified with other content")
        self.assertGreaterEqual(refused, 4)
        r = self.kikan("slip", "verify", "KS1:" + payload[4:].lower())
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"INVALID", r.stdout)

    def test_slip_of_another_kiosk_rejected(self):
        """A payload signed by another kiosk's key (another KIKAN_HOME,
        initialised separately) is refused here, and ours there."""
        other = self.mkdir("other-home")
        other_pk, _ = self.init_kiosk(home=other, kiosk_id="K2")
        self.assertNotEqual(other_pk, self.public_key)
        r, v = self.verify(self.slip["payload"], "--public-key", other_pk)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("FORGED OR CHANGED", v["why"])
        # The other kiosk issues a slip of its own (a session with no item).
        con = sqlite3.connect(os.path.join(other, "kikan.db"))
        con.execute("INSERT INTO employees (id, name, updated_at) VALUES ('E2002', 'Sato', "
                    "'2026-11-01T00:00:00Z')")
        con.commit()
        con.close()
        answers = self.clean_answers()
        r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                       self.db_test6(), "--script",
                       self.script({"employee": "E2002", "answers": answers}),
                       env=self.env(KIKAN_HOME=other))
        theirs = json.loads(r.stdout.decode("utf-8"))["slip"]["payload"]
        r, v = self.verify(theirs)                 # checked with OUR store's key
        self.assertEqual(r.rc, 1, r.describe())
        self.assertFalse(v["signature_valid"])
        r = self.kikan("audit", "verify", "--slip", theirs)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED signature", r.stdout)
        r, v = self.verify(theirs, "--public-key", other_pk)
        self.assertEqual(r.rc, 3, r.describe())  # genuine (theirs), HOLD
        self.assertTrue(v["signature_valid"])

    def test_expired_and_not_yet_valid(self):
        """The validity window ([slip] valid_hours = 24) is judged at --at."""
        r, v = self.verify(self.slip["payload"])
        issued, until = v["issued_at"], v["valid_until"]
        self.assertEqual(until - issued, 24 * 3600)
        r, v = self.verify(self.slip["payload"], "--at", str(until + 1))
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("EXPIRED", v["why"])
        r, v = self.verify(self.slip["payload"], "--at", str(until - 60))
        self.assertEqual(r.rc, 3, r.describe())  # in the window, but HOLD
        self.assertTrue(v["valid"])
        r, v = self.verify(self.slip["payload"], "--at", "2001-01-01T00:00:00Z")
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("NOT YET VALID", v["why"])
        r = self.kikan("slip", "verify", self.slip["payload"], "--at", "yesterday")
        self.assertEqual(r.rc, 2, r.describe())

    def test_reprint_marked_copy(self):
        """KR-27: a reprint is a new slip marked COPY / 控え, copy_of naming
        the first, its payload flagged as a copy."""
        r = self.kikan("slip", "reprint", self.slip["number"], "--json")
        self.assertEqual(r.rc, 0, r.describe())
        copy = json.loads(r.stdout)
        self.assertNotEqual(copy["number"], self.slip["number"])
        self.assertTrue(copy["copy"])
        text = self.pdftotext(copy["pdf"])
        self.assertIn("COPY", text)
        self.assertIn("控え", text)
        self.assertIn(self.slip["number"], text)
        r = self.kikan("slip", "show", copy["number"], "--json")
        shown = json.loads(r.stdout)
        self.assertEqual(shown["copy_of"], self.slip["number"])
        _, v = self.verify(copy["payload"])
        self.assertTrue(v["copy"] and v["valid"], v)
        # A reprint of the reprint still names the first slip.
        r = self.kikan("slip", "reprint", copy["number"], "--json")
        again = json.loads(r.stdout)
        shown = json.loads(self.kikan("slip", "show", again["number"], "--json").stdout)
        self.assertEqual(shown["copy_of"], self.slip["number"])
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'slip_issued'"), [(3,)])
        self.assertEqual(self.kikan("audit", "verify").rc, 0)
        # The original's text does not say COPY.
        self.assertNotIn("COPY", self.pdftotext(self.slip["pdf"]))

    def test_both_layouts_and_languages(self):
        """Receipt (80 mm) and A4, Japanese and English: each renders, its
        words are there, and its QR reads back."""
        sid = str(self.doc["session_id"])
        for layout, lang, words, width in (
                ("a4", "en", ["Overall verdict: NOT RETURNED", "Nobody is punished",
                              "What to do next", "【HOLD】", "USB stick"], 595),
                ("receipt", "en", ["NOT RETURNED", "Security contacts", "Phone"], 227),
                ("a4", "ja", ["総合判定: 未返却", "次にすること", "【保留】"], 595)):
            r = self.kikan("slip", "issue", sid, "--layout", layout, "--lang", lang, "--json")
            self.assertEqual(r.rc, 0, r.describe())
            s = json.loads(r.stdout)
            text = self.pdftotext(s["pdf"])
            for w in words:
                self.assertIn(w, text, (layout, lang))
            info = run(["pdfinfo", s["pdf"]]).stdout.decode()
            m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
            self.assertAlmostEqual(float(m.group(1)), width, delta=1, msg=info)
            self.assertEqual(self.qr_payloads(s["pdf"]), [s["payload"]], (layout, lang))
        r = self.kikan("slip", "issue", sid, "--layout", "letter")
        self.assertEqual(r.rc, 2, r.describe())

    def test_audit_verify_slip(self):
        """Item 5: the chain witnesses the slip; a chain rewritten after the
        slip was issued (the record it names has another hash) fails, and
        the check that failed is named."""
        payload = self.slip["payload"]
        r = self.kikan("audit", "verify", "--slip", payload)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"matches this kiosk's audit trail", r.stdout)
        seq = self.sql("SELECT chain_seq FROM slips")[0][0]
        self.assertGreater(seq, 0)
        con = sqlite3.connect(self.db)
        con.execute("DROP TRIGGER audit_records_no_update")
        con.execute("UPDATE audit_records SET hash = '00' || substr(hash, 3) WHERE seq = ?",
                    (seq,))
        con.commit()
        con.close()
        r = self.kikan("audit", "verify", "--slip", payload)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED chain head: record %d" % seq, r.stdout)
        r = self.kikan("audit", "verify", "--slip", "KS1:NOTAPAYLOAD")
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED decode", r.stdout)

    def test_show_and_mistyped_number(self):
        r = self.kikan("slip", "show", self.slip["number"], "--json")
        self.assertEqual(r.rc, 0, r.describe())
        shown = json.loads(r.stdout)
        self.assertEqual(shown["payload"], self.slip["payload"])
        self.assertIsNone(shown["copy_of"])
        n = self.slip["number"]
        wrong = n[:-1] + str((int(n[-1]) + 1) % 10)
        r = self.kikan("slip", "show", wrong)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"check digits", r.stderr)
        r = self.kikan("slip", "show", "999999-" + "%02d" % (98 - (99999900 % 97)))
        self.assertEqual(r.rc, 2, r.describe())


class SlipNotInitialised(SlipTestCase):

    def test_checkin_completes_without_slip(self):
        """No identity: the check-in is recorded and says plainly that no
        slip was issued and why; `kikan slip issue` refuses the same way."""
        doc, r = self.conditional_checkin()
        self.assertEqual(doc["state"], "ended")
        self.assertIsNone(doc["slip"])
        self.assertIn("kikan audit init", doc["slip_not_issued"])
        self.assertIn(b"NO SLIP", r.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM slips"), [(0,)])
        r = self.kikan("slip", "issue", str(doc["session_id"]))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"This kiosk has no signing key yet: IT must run `kikan audit init` once.",
                      r.stderr)

    def test_hostile_name_escaped_and_bad_config_named(self):
        """A name with a right-to-left override and an escape sequence
        reaches the PDF visibly escaped, not as control characters; a bad
        [slip] key is an error that names it."""
        self.init_kiosk()
        self.sql("UPDATE employees SET name = ? WHERE id = 'E2002'",
                 ("Sato\u202egpj.exe\x1b[31m",))
        r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                       self.db_test6(), "--script",
                       self.script({"employee": "E2002", "answers": self.clean_answers()}))
        doc = json.loads(r.stdout)
        text = self.pdftotext(doc["slip"]["pdf"])
        self.assertNotIn("\u202e", text)
        self.assertNotIn("\x1b", text)
        self.assertIn("\\u{202E}", text)
        with open(os.path.join(self.home, "kikan.conf"), "a", encoding="utf-8") as f:
            f.write("valid_hour = 12\n")
        r = self.kikan("slip", "issue", str(doc["session_id"]))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"[slip] valid_hour", r.stderr)


class SlipPrintedAtCheckin(SlipTestCase):
    """Issue #10 item 6: the check-in prints its slip without a dialog to
    the [print] queue, to a real cupsd of the test's own; without a
    printer it says so, keeps the PDF and records the attempt."""

    def setUp(self):
        super().setUp()
        self.init_kiosk()

    def test_checkin_prints_the_slip(self):
        from cupsd import PrivateCupsd
        from test_print import pdfinfo
        cups = PrivateCupsd(self.tmp)
        cups.start()
        self.addCleanup(cups.stop)
        cups.add_queue("slips")
        with open(os.path.join(self.home, "kikan.conf"), "a", encoding="utf-8") as f:
            f.write("\n[print]\nqueue = slips\nserver = %s\ntimeout_s = 60\n" % cups.socket)
        doc, r = self.conditional_checkin()
        printed = doc["slip"]["print"]
        self.assertEqual((printed["outcome"], printed["queue"], printed["recorded"]),
                         ("printed", "slips", True), r.describe() + cups.describe())
        jobs = cups.job_files("slips")
        self.assertEqual(len(jobs), 1, cups.describe())
        # The document that arrived is the archived slip, every page of it.
        self.assertEqual(pdfinfo(jobs[0])["Pages"], pdfinfo(doc["slip"]["pdf"])["Pages"])
        with open(jobs[0], "rb") as a, open(doc["slip"]["pdf"], "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertEqual(self.sql("SELECT outcome, queue FROM slip_prints"), [("printed", "slips")])
        v = self.kikan("audit", "verify")
        self.assertEqual(v.rc, 0, v.describe())

    def test_checkin_without_printer_says_so_and_keeps_the_slip(self):
        doc, r = self.conditional_checkin()
        printed = doc["slip"]["print"]
        self.assertEqual((printed["outcome"], printed["queue"]), ("no_printer", None))
        self.assertIn(b"was NOT printed", r.stderr)
        self.assertIn(doc["slip"]["number"].encode(), r.stderr)
        self.assertTrue(os.path.isfile(doc["slip"]["pdf"]))
        self.assertEqual(self.sql("SELECT outcome FROM slip_prints"), [("no_printer",)])
        kinds = [k for (k,) in self.sql("SELECT kind FROM audit_records ORDER BY seq")]
        self.assertEqual(kinds[-2:], ["slip_issued", "slip_print"])
        v = self.kikan("audit", "verify")
        self.assertEqual(v.rc, 0, v.describe())


class SlipAtTheLanPort(SlipTestCase):
    """`kikan slip verify` exits 0 only when the device may reconnect: a
    script `kikan slip verify "$code" && reconnect` must fail closed for a
    genuine slip whose verdict is not CLEARED or CONDITIONAL."""

    def setUp(self):
        super().setUp()
        # Plain FAT sticks may clear: encryption is not required of them here.
        self.sql("UPDATE assets SET encryption_required = 0")
        self.sql("DELETE FROM loans WHERE asset_id = 'LT-0003'")
        self.sql("UPDATE loans SET employee_id = 'E2002' WHERE asset_id = 'USB-0008'")
        self.public_key, _ = self.init_kiosk()

    def test_cleared_exits_0_quarantine_exits_3(self):
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007",
                                            "medium": self.fat("clean7", False)}]})
        self.assertEqual(doc["verdict"], "cleared", r.describe())
        r, v = self.verify(doc["slip"]["payload"], "--public-key", self.public_key)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertTrue(v["reconnect_allowed"])
        r = self.kikan("slip", "verify", doc["slip"]["payload"])
        self.assertIn(b"the device may reconnect", r.stdout)
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0008",
                                            "medium": self.fat("eicar8", True)}]})
        self.assertEqual(doc["verdict"], "quarantine", r.describe())
        r, v = self.verify(doc["slip"]["payload"], "--public-key", self.public_key)
        self.assertEqual(r.rc, 3, r.describe())
        self.assertTrue(v["valid"] and v["signature_valid"])
        self.assertFalse(v["reconnect_allowed"])
        r = self.kikan("slip", "verify", doc["slip"]["payload"])
        self.assertIn(b"GENUINE, but NOT CLEARED", r.stdout)
