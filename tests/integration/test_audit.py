"""The audit chain (issue #10 item 1; docs/audit.md): every change of a
check-in, an IT action and a ledger import is appended to the chain in its
own transaction, and `kikan audit verify` names the first record that was
changed, removed, reordered or inserted (exit 0 intact, 1 tampered).

The tampering is done as an attacker holding the store file would: the
append-only triggers are dropped first, then rows are edited with SQL."""

import json
import sqlite3

from test_checkin import CheckinTestCase


class AuditChain(CheckinTestCase):

    def setUp(self):
        super().setUp()
        answers = self.clean_answers()
        answers["Q1"] = "yes"
        self.doc, r = self.checkin({
            "employee": "E1001", "answers": answers,
            "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)}],
            "missing": [{"asset": "LT-0003", "declared": "lost"},
                        {"asset": "USB-0008", "declared": "at_home", "return_by": "2026-12-24"}]})
        x = self.kikan("it", "override", str(self.doc["session_id"]), "USB-0007", "--by", "it01",
                       "--verdict", "hold", "--reason", "training file")
        self.assertEqual(x.rc, 0, x.describe())

    def records(self):
        doc = json.loads(self.kikan("audit", "list", "--json").stdout)
        return doc["records"]

    def verify(self):
        return self.kikan("audit", "verify")

    def tamper(self, *statements):
        con = sqlite3.connect(self.db)
        try:
            con.execute("DROP TRIGGER audit_records_no_update")
            con.execute("DROP TRIGGER audit_records_no_delete")
            for s in statements:
                con.execute(s)
            con.commit()
        finally:
            con.close()

    def test_every_step_recorded_and_intact(self):
        kinds = [r["kind"] for r in self.records()]
        for k in ("session_start", "declaration", "item", "inspection_start", "inspection",
                  "verdict", "session_end", "it_action"):
            self.assertIn(k, kinds)
        # The store's own rows and the chain agree: one declaration record
        # per answer, one item record per item.
        self.assertEqual(kinds.count("declaration"),
                         self.sql("SELECT count(*) FROM declarations")[0][0])
        self.assertEqual(kinds.count("item"), self.sql("SELECT count(*) FROM items")[0][0])
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"intact", r.stdout)

    def test_append_only_in_the_store(self):
        con = sqlite3.connect(self.db)
        try:
            with self.assertRaises(sqlite3.DatabaseError):
                con.execute("UPDATE audit_records SET payload = '{}' WHERE seq = 2")
            with self.assertRaises(sqlite3.DatabaseError):
                con.execute("DELETE FROM audit_records WHERE seq = 2")
        finally:
            con.close()

    def assert_broken_at(self, seq):
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(("BROKEN at record %d " % seq).encode(), r.stdout, r.describe())

    def test_changed_record_named(self):
        self.tamper("UPDATE audit_records SET payload = replace(payload, 'quarantine', "
                    "'cleared') WHERE kind = 'verdict' AND payload LIKE '%quarantine%'")
        first = self.sql("SELECT min(seq) FROM audit_records WHERE kind = 'verdict' AND "
                         "payload LIKE '%cleared%'")[0][0]
        self.assert_broken_at(first)

    def test_removed_record_named(self):
        self.tamper("DELETE FROM audit_records WHERE seq = 5")
        self.assert_broken_at(5)

    def test_reordered_records_named(self):
        a, b = self.sql("SELECT payload FROM audit_records WHERE seq IN (3, 4) ORDER BY seq")
        self.tamper("UPDATE audit_records SET payload = '%s' WHERE seq = 3" % b[0].replace("'", "''"),
                    "UPDATE audit_records SET payload = '%s' WHERE seq = 4" % a[0].replace("'", "''"))
        self.assert_broken_at(3)

    def test_inserted_record_named(self):
        # A forged record slipped in: every later record moves up one.
        self.tamper("UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 6",
                    "UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1006",
                    "INSERT INTO audit_records (seq, at, kind, session_id, payload, prev_hash, "
                    "hash) SELECT 6, at, 'verdict', session_id, '{\"verdict\":\"cleared\"}', "
                    "hash, hash FROM audit_records WHERE seq = 5")
        self.assert_broken_at(6)

    def test_recomputed_hash_of_one_record_still_breaks_the_next(self):
        # Rewriting a record and its own hash is caught by the next record,
        # whose prev_hash no longer matches.
        self.tamper("UPDATE audit_records SET payload = '{}', hash = "
                    "'1111111111111111111111111111111111111111111111111111111111111111' "
                    "WHERE seq = 4")
        self.assert_broken_at(4)
