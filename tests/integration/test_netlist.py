"""Integration tests of the network team's lists (issue #10 item 7; KR-29,
JNSA-2.6, Admin I-4, I-6; docs/netlist.md).

Real check-ins (kikan checkin --script, the real daemon and libclamav)
leave one USB stick CLEARED and one QUARANTINED; `kikan netlist export`
must put them on the right lists, sign them, and `kikan netlist verify`
must refuse any changed byte.
"""

import csv
import io
import json
import os
import re
import sqlite3
import time

from test_checkin import CheckinTestCase
from kikan_it import KikanTestCase, accept_test_cvd_age

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        data = f.read()
    return list(csv.DictReader(io.StringIO(data))), data


class NetlistHelpers:

    def init_audit(self):
        r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test",
                       "--key-file", os.path.join(self.tmp, "verification-key.txt"))
        self.assertEqual(r.rc, 0, r.describe())

    def export(self, out, *extra, env=None):
        r = self.kikan("netlist", "export", "--out", out, "--json", *extra, env=env)
        self.assertEqual(r.rc, 0, r.describe())
        return json.loads(r.stdout.decode("utf-8")), r

    def verify(self, d, key=None):
        args = ["netlist", "verify", d]
        if key is not None:
            args += ["--public-key", key]
        return self.kikan(*args)


class NetlistAfterCheckins(CheckinTestCase, NetlistHelpers):

    def setUp(self):
        super().setUp()
        accept_test_cvd_age(self)
        # Plain FAT sticks may clear: encryption is not required of them here.
        self.sql("UPDATE assets SET encryption_required = 0")
        self.sql("DELETE FROM loans WHERE asset_id = 'LT-0003'")
        self.sql("UPDATE loans SET employee_id = 'E2002' WHERE asset_id = 'USB-0008'")
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007",
                                            "medium": self.fat("clean7", False)}]})
        self.assertEqual(doc["verdict"], "cleared", r.describe())
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0008",
                                            "medium": self.fat("eicar8", True)}]})
        self.assertEqual(doc["verdict"], "quarantine", r.describe())
        self.init_audit()

    def test_lists_after_cleared_and_quarantined_checkins(self):
        """The CLEARED stick is on cleared.csv only, the QUARANTINED one on
        watch.csv only (with MAL-02), the JSON says the same, and one
        netlist_export audit record carries the counts and file hashes."""
        out = os.path.join(self.tmp, "netlist")
        summary, _ = self.export(out)
        self.assertEqual((summary["cleared"], summary["watch"]), (1, 1))
        self.assertTrue(HEX64.match(summary["public_key"]), summary)
        cleared, _ = read_csv(os.path.join(out, "cleared.csv"))
        watch, _ = read_csv(os.path.join(out, "watch.csv"))
        self.assertEqual([c["asset_id"] for c in cleared], ["USB-0007"])
        self.assertEqual([w["asset_id"] for w in watch], ["USB-0008"])
        c, w = cleared[0], watch[0]
        self.assertEqual((c["verdict"], c["employee_id"], c["watch_reason"]),
                         ("cleared", "E1001", ""))
        self.assertIn("MAL-01", c["reason_codes"].split())
        self.assertRegex(c["valid_until"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual((c["mac"], c["hostname"]), ("", ""), "the ledger knows no MACs")
        self.assertEqual((w["verdict"], w["watch_reason"], w["employee_id"]),
                         ("quarantine", "quarantine", "E2002"))
        self.assertIn("MAL-02", w["reason_codes"].split())
        self.assertEqual(w["valid_until"], "")
        sessions = {u for (u,) in self.sql("SELECT uuid FROM sessions")}
        self.assertIn(c["session"], sessions)
        self.assertIn(w["session"], sessions)
        with open(os.path.join(out, "netlist.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["format"], "kikan-netlist")
        self.assertEqual(doc["kiosk_id"], "kiosk-test")
        self.assertEqual([e["asset_id"] for e in doc["cleared"]], ["USB-0007"])
        self.assertEqual([e["asset_id"] for e in doc["watch"]], ["USB-0008"])
        self.assertEqual(doc["watch"][0]["reason_codes"], w["reason_codes"])
        # One record of the export, with what it wrote.
        recs = [json.loads(p) for (p,) in self.sql(
            "SELECT payload FROM audit_records WHERE kind = 'netlist_export'")]
        self.assertEqual(len(recs), 1, recs)
        self.assertEqual((recs[0]["cleared"], recs[0]["watch"]), (1, 1))
        with open(os.path.join(out, "SHA256SUMS"), encoding="ascii") as f:
            sums = f.read()
        for name in ("cleared.csv", "watch.csv", "netlist.json"):
            self.assertIn("%s  %s\n" % (recs[0]["files"][name], name), sums)
        r = self.kikan("audit", "verify")
        self.assertEqual(r.rc, 0, r.describe())

    def test_signature_verifies_and_one_changed_byte_fails(self):
        """verify: 0 as exported (with the kiosk's key); 1 after one byte of
        a list, of SHA256SUMS or of the signature changes, or with another
        key; 2 when there is nothing to check."""
        out = os.path.join(self.tmp, "netlist")
        summary, _ = self.export(out)
        key = summary["public_key"]
        r = self.verify(out, key)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("intact", r.stdout.decode("utf-8"))
        r = self.verify(out)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("the key in the folder", r.stdout.decode("utf-8"))
        for name in ("watch.csv", "cleared.csv", "netlist.json", "SHA256SUMS",
                     "SHA256SUMS.sig"):
            p = os.path.join(out, name)
            with open(p, "rb") as f:
                orig = f.read()
            i = len(orig) // 2
            flipped = bytes([orig[i] ^ 0x01]) if name != "SHA256SUMS.sig" else \
                (b"0" if orig[i:i + 1] != b"0" else b"1")
            with open(p, "wb") as f:
                f.write(orig[:i] + flipped + orig[i + 1:])
            r = self.verify(out, key)
            self.assertEqual(r.rc, 1, name + "\n" + r.describe())
            self.assertIn("do NOT verify", r.stdout.decode("utf-8"))
            with open(p, "wb") as f:
                f.write(orig)
        self.assertEqual(self.verify(out, key).rc, 0)
        # A watch list replaced and its sum recomputed: the signature fails.
        with open(os.path.join(out, "watch.csv"), "ab") as f:
            f.write(b"USB-9999,usb,,,E9,x,cleared\r\n")
        r = self.verify(out, key)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("watch.csv was changed", r.stdout.decode("utf-8"))
        r = self.verify(out, "00" * 32)
        self.assertEqual(r.rc, 1, r.describe())
        os.remove(os.path.join(out, "watch.csv"))
        self.assertEqual(self.verify(out, key).rc, 1)
        r = self.verify(os.path.join(self.tmp, "nothing-here"), key)
        self.assertEqual(r.rc, 2, r.describe())
        r = self.verify(out, "zz")
        self.assertEqual(r.rc, 2, r.describe())

    def test_expired_clearance_moves_to_watch(self):
        """--valid-hours: 25 hours later the CLEARED stick's clearance (24 h)
        has expired: it leaves cleared.csv and is watched as "expired"; with
        --valid-hours 48 it is still cleared."""
        later = str(int(time.time()) + 25 * 3600)
        out = os.path.join(self.tmp, "later")
        summary, _ = self.export(out, env=self.env(KIKAN_FAKE_NOW=later))
        self.assertEqual((summary["cleared"], summary["watch"]), (0, 2))
        watch, _ = read_csv(os.path.join(out, "watch.csv"))
        self.assertEqual({w["asset_id"]: w["watch_reason"] for w in watch},
                         {"USB-0007": "expired", "USB-0008": "quarantine"})
        summary, _ = self.export(os.path.join(self.tmp, "longer"), "--valid-hours", "48",
                                 env=self.env(KIKAN_FAKE_NOW=later))
        self.assertEqual((summary["cleared"], summary["watch"]), (1, 1))

    def test_export_refuses_non_empty_folder(self):
        out = os.path.join(self.tmp, "netlist")
        self.export(out)
        r = self.kikan("netlist", "export", "--out", out)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("already holds an export", r.stderr.decode("utf-8"))
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'netlist_export'"), [(1,)])


class NetlistFabricated(KikanTestCase, NetlistHelpers):
    """Check-ins written straight into the store, for what a real check-in
    cannot easily make: hostile names, enhanced monitoring, no identity."""

    def setUp(self):
        super().setUp()
        r = self.kikan("checkin", "--recover")
        self.assertEqual(r.rc, 0, r.describe())
        self.db = os.path.join(self.home, "kikan.db")

    def sql(self, statement, args=()):
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute(statement, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def session(self, sid, employee, name, asset, item_verdict, session_verdict,
                item_reasons, session_reasons):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.sql("INSERT OR IGNORE INTO employees (id, name, updated_at) VALUES (?, ?, ?)",
                 (employee, name, now))
        self.sql("INSERT INTO assets (id, type, updated_at) VALUES (?, 'laptop', ?)",
                 (asset, now))
        self.sql("INSERT INTO sessions (id, uuid, employee_id, kiosk_id, started_at, ended_at, "
                 "state, program_version) VALUES (?, ?, ?, 'kiosk-test', ?, ?, 'ended', 't')",
                 (sid, "uuid-%d" % sid, employee, now, now))
        self.sql("INSERT INTO items (id, session_id, asset_id, presence, presented_at) "
                 "VALUES (?, ?, ?, 'present', ?)", (sid, sid, asset, now))
        for item, verdict, reasons in ((sid, item_verdict, item_reasons),
                                       (None, session_verdict, session_reasons)):
            self.sql("INSERT INTO verdicts (session_id, item_id, verdict, reasons, decided_at, "
                     "decided_by) VALUES (?, ?, ?, ?, ?, 'kiosk')",
                     (sid, item, verdict, json.dumps({"verdict": verdict, "reasons": reasons}),
                      now))

    def test_hostile_names_guarded(self):
        """Asset IDs and names that a spreadsheet would run as formulas get
        the apostrophe guard; control and bidirectional characters become
        visible escapes in the CSV and \\u escapes in the JSON."""
        self.init_audit()
        evil_asset = "=HYPERLINK(\"http://x\",\"ok\")"
        evil_name = "@SUM(1+1)\x1b[2J\u202etxt.exe\r\nE9,cleared"
        self.session(1, "+E1", evil_name, evil_asset, "cleared", "cleared",
                     [{"code": "MAL-01"}], [])
        self.session(2, "-E2", "Sato", "-LT-2", "hold", "hold", [{"code": "=1+1"}], [])
        out = os.path.join(self.tmp, "netlist")
        self.export(out)
        for name in ("cleared.csv", "watch.csv"):
            with open(os.path.join(out, name), "rb") as f:
                raw = f.read()
            self.assertNotIn(b"\x1b", raw)
            self.assertNotIn("\u202e".encode("utf-8"), raw)
            for line in raw.split(b"\r\n")[1:]:
                for cell in next(csv.reader([line.decode("utf-8")]), []):
                    self.assertFalse(cell[:1] in ("=", "+", "-", "@"),
                                     "%s: unguarded cell %r" % (name, cell))
        cleared, _ = read_csv(os.path.join(out, "cleared.csv"))
        self.assertEqual(len(cleared), 1, cleared)
        self.assertEqual(cleared[0]["asset_id"], "'" + evil_asset)
        self.assertEqual(cleared[0]["employee_id"], "'+E1")
        self.assertTrue(cleared[0]["employee_name"].lower().startswith("'@sum(1+1)\\x1b[2j"),
                        cleared[0])
        self.assertIn("\\U{202E}", cleared[0]["employee_name"].upper())
        watch, _ = read_csv(os.path.join(out, "watch.csv"))
        self.assertEqual([(w["asset_id"], w["reason_codes"]) for w in watch],
                         [("'-LT-2", "'=1+1")])
        with open(os.path.join(out, "netlist.json"), "rb") as f:
            raw = f.read()
        self.assertNotIn(b"\x1b", raw)
        self.assertNotIn("\u202e".encode("utf-8"), raw)
        doc = json.loads(raw.decode("utf-8"))
        # The JSON carries the exact value, escaped only as JSON.
        self.assertEqual(doc["cleared"][0]["employee_name"], evil_name)
        self.assertEqual(self.verify(out).rc, 0)

    def test_monitoring_on_both_lists(self):
        """A CONDITIONAL check-in with enhanced monitoring (PROC-03) is
        admitted (cleared.csv, verdict conditional) and watched until its
        end date (watch.csv, "monitoring")."""
        self.init_audit()
        until = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 14 * 86400))
        self.session(1, "E1", "Yamada", "LT-1", "cleared", "conditional",
                     [{"code": "INV-01"}],
                     [{"code": "DEC-05"},
                      {"code": "PROC-03", "condition": {"text": "monitoring", "until": until}}])
        out = os.path.join(self.tmp, "netlist")
        summary, _ = self.export(out)
        self.assertEqual((summary["cleared"], summary["watch"]), (1, 1))
        cleared, _ = read_csv(os.path.join(out, "cleared.csv"))
        watch, _ = read_csv(os.path.join(out, "watch.csv"))
        self.assertEqual(cleared[0]["session_verdict"], "conditional")
        self.assertEqual((watch[0]["asset_id"], watch[0]["watch_reason"],
                          watch[0]["valid_until"]), ("LT-1", "monitoring", until))
        self.assertEqual(watch[0]["reason_codes"], "INV-01 DEC-05 PROC-03")

    def test_unreadable_verdict_refused(self):
        """A verdict row whose reasons are not what the kiosk writes: nothing
        is exported (fail closed), and the message says what to run."""
        self.init_audit()
        self.session(1, "E1", "Yamada", "LT-1", "cleared", "cleared", [], [])
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO verdicts (session_id, item_id, verdict, reasons, decided_at, "
                    "decided_by) VALUES (1, 1, 'cleared', '{\"reasons\": [1]}', "
                    "'2026-12-03T00:00:00Z', 'kiosk')")
        con.commit()
        con.close()
        out = os.path.join(self.tmp, "netlist")
        r = self.kikan("netlist", "export", "--out", out)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("kikan db check", r.stderr.decode("utf-8"))
        self.assertFalse(os.path.exists(os.path.join(out, "cleared.csv")))

    def test_not_initialised_refused(self):
        """Without the kiosk's key nothing is exported unsigned."""
        out = os.path.join(self.tmp, "netlist")
        r = self.kikan("netlist", "export", "--out", out)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("kikan audit init", r.stderr.decode("utf-8"))
        self.assertFalse(os.path.exists(os.path.join(out, "SHA256SUMS")))

    def test_malformed_sums_refused(self):
        """A SHA256SUMS that is truncated, oversized, names another file or
        a file twice, re-signed with the folder's own key (which then
        proves nothing about the kiosk), is never "intact"."""
        self.init_audit()
        out = os.path.join(self.tmp, "netlist")
        summary, _ = self.export(out)
        p = os.path.join(out, "SHA256SUMS")
        with open(p, "rb") as f:
            good = f.read()
        first = good.split(b"\n")[0]
        for bad in (good[:-1], good + b"x" * 5000, good.replace(b"watch.csv", b"../etc/pw"),
                    good + first + b"\n", b""):
            with open(p, "wb") as f:
                f.write(bad)
            r = self.verify(out, summary["public_key"])
            self.assertEqual(r.rc, 1, repr(bad[:80]) + "\n" + r.describe())
        with open(p, "wb") as f:
            f.write(good)
        self.assertEqual(self.verify(out, summary["public_key"]).rc, 0)
