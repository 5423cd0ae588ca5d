"""The lending ledger and the store from the command line (issue #9 items 1
and 2; docs/ledger.md, docs/store.md): `kikan ledger ...` and `kikan db
check` as subprocesses, each test in a fresh KIKAN_HOME.

A malformed CSV names its line and column and changes nothing; a dry run
lists the differences and changes nothing (the store file's SHA-256 is the
same before and after); export then import is a no-op; a store that must
not be used is refused, left as it was, and explained by `kikan db check`.
"""

import json
import os
import sqlite3

from kikan_it import KikanTestCase, env_path, sha256_file

H = "employee_id,employee_name,asset_id,asset_type,serial,encryption_required,lent_on"
FULL = H + ",due_on,telework_method,usb_vid,usb_pid,usb_serial,hardware_encrypted"

BASE = (FULL + "\r\n"
        "E1001,山田 太郎,LT-0003,laptop,PF3K,yes,2026-10-01,2026-12-25,VPN,,,,\r\n"
        "E1001,山田 太郎,USB-0007,usb,U7,yes,2026-10-01,,VPN,0781,5581,U7,no\r\n"
        "E1002,佐藤 花子,USB-0008,usb,U8,yes,2026-10-02,,,0781,5581,U8,no\r\n"
        "E1003,\"Suzuki, Ichiro\",PH-0021,phone,IMEI1,yes,2026-09-15,,standalone,,,,\r\n")

# Against BASE: USB-0009 added, LT-0003's due date changed, USB-0008 to a
# new holder, PH-0021 removed, USB-0007 unchanged.
NEXT = (FULL + "\r\n"
        "E1001,山田 太郎,LT-0003,laptop,PF3K,yes,2026-10-01,2027-01-15,VPN,,,,\r\n"
        "E1001,山田 太郎,USB-0007,usb,U7,yes,2026-10-01,,VPN,0781,5581,U7,no\r\n"
        "E1004,高橋 健,USB-0008,usb,U8,yes,2026-11-20,,,0781,5581,U8,no\r\n"
        "E1002,佐藤 花子,USB-0009,usb,U9,no,2026-11-21,,,1e48,0010,U9,yes\r\n")

# 2026-12-03T12:00:00Z: dates written by the kiosk are reproducible.
FAKE_NOW = "1796299200"


class LedgerTestCase(KikanTestCase):

    def run_kikan(self, *args, expect=0):
        run = self.kikan(*args, env=self.env(KIKAN_FAKE_NOW=FAKE_NOW), timeout=120)
        if expect is not None:
            self.assertEqual(run.rc, expect, run.describe())
        return run

    def write(self, name, text, binary=False):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(text if binary else text.encode("utf-8"))
        return p

    def db(self):
        return os.path.join(self.home, "kikan.db")

    def json_of(self, *args, expect=0):
        run = self.run_kikan(*args, expect=expect)
        return self.parse_json(run), run

    def assert_no_trace(self):
        """Nothing holds data but the store file: no rollback journal, and a
        -wal that a read-only look may leave beside it is empty."""
        self.assertFalse(os.path.exists(self.db() + "-journal"))
        if os.path.exists(self.db() + "-wal"):
            self.assertEqual(os.path.getsize(self.db() + "-wal"), 0, "-wal holds frames")


class LedgerImport(LedgerTestCase):

    def test_example_import_and_list_json(self):
        example = env_path("KIKAN_IT_EXAMPLE_LEDGER", is_dir=False)
        run = self.run_kikan("ledger", "import", example)
        self.assertIn("added", run.stdout.decode())
        doc, run = self.json_of("ledger", "list", "--json")
        ctx = "\n" + run.describe()
        self.assertEqual(doc["format"], "kikan-ledger", ctx)
        self.assertEqual(doc["format_version"], 1, ctx)
        mine = [l for l in doc["loans"] if l["employee_id"] == "E1001"]
        self.assertEqual([l["asset_id"] for l in mine], ["LT-0003", "USB-0007", "USB-0008"], ctx)
        self.assertEqual(mine[0]["employee_name"], "山田 太郎", ctx)
        self.assertEqual(mine[0]["asset_type"], "laptop", ctx)
        self.assertIs(mine[0]["encryption_required"], True, ctx)
        self.assertIsNone(mine[0]["medium"], ctx)
        self.assertEqual(mine[1]["medium"]["vid"], "0781", ctx)
        self.assertEqual(mine[1]["medium"]["pid"], "5581", ctx)
        for l in doc["loans"]:
            for k in ("loan_id", "asset_id", "asset_type", "serial", "encryption_required",
                      "classification", "ownership", "employee_id", "employee_name", "lent_on",
                      "due_on", "telework_method", "medium"):
                self.assertIn(k, l, ctx)
        self.assertIn("Suzuki, Ichiro", [l["employee_name"] for l in doc["loans"]], ctx)
        # Stable: the same document byte for byte.
        again = self.run_kikan("ledger", "list", "--json")
        self.assertEqual(run.stdout, again.stdout)
        only, run = self.json_of("ledger", "list", "--json", "--employee", "E1001")
        self.assertEqual(only["loans"], mine, run.describe())
        run = self.run_kikan("ledger", "list", "--employee", "E9999", expect=2)
        self.assertIn("No employee E9999", run.stderr.decode())

    def test_dry_run_lists_differences_and_changes_nothing(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        before = sha256_file(self.db())
        listing = self.run_kikan("ledger", "list", "--json").stdout
        nxt = self.write("next.csv", NEXT)

        doc, run = self.json_of("ledger", "import", "--dry-run", "--json", nxt)
        ctx = "\n" + run.describe()
        self.assertIs(doc["dry_run"], True, ctx)
        self.assertEqual([(a["asset_id"], a["employee_id"], a["line"]) for a in doc["added"]],
                         [("USB-0009", "E1002", 5)], ctx)
        self.assertEqual([r["asset_id"] for r in doc["removed"]], ["PH-0021"], ctx)
        self.assertEqual(doc["removed"][0]["employee_id"], "E1003", ctx)
        changed = {c["asset_id"]: c for c in doc["changed"]}
        self.assertEqual(sorted(changed), ["LT-0003", "USB-0008"], ctx)
        self.assertEqual(changed["LT-0003"]["fields"],
                         [{"field": "due_on", "old": "2026-12-25", "new": "2027-01-15"}], ctx)
        self.assertIs(changed["LT-0003"]["new_holder"], False, ctx)
        self.assertIs(changed["USB-0008"]["new_holder"], True, ctx)
        self.assertEqual(changed["USB-0008"]["fields"][0],
                         {"field": "employee_id", "old": "E1002", "new": "E1004"}, ctx)
        self.assertEqual(doc["counts"], {"added": 1, "changed": 2, "removed": 1, "unchanged": 1,
                                         "returned_at_kiosk": 0, "employees_added": 1,
                                         "employees_renamed": 0}, ctx)
        self.assertEqual(doc["sha256"], sha256_file(nxt), ctx)

        human = self.run_kikan("ledger", "import", "--dry-run", nxt).stdout.decode()
        self.assertIn("due_on 2026-12-25 → 2027-01-15", human)
        self.assertIn("employee_id E1002 → E1004", human)
        self.assertIn("removed  PH-0021", human)
        self.assertIn("Loans: 1 added, 2 changed, 1 removed, 1 unchanged.", human)
        self.assertIn("nothing was changed", human)

        # Nothing changed: the file's bytes and every listed loan.
        self.assertEqual(sha256_file(self.db()), before)
        self.assert_no_trace()
        self.assertEqual(self.run_kikan("ledger", "list", "--json").stdout, listing)

        # The real import does what the dry run said.
        real, run = self.json_of("ledger", "import", "--json", nxt)
        self.assertIs(real["dry_run"], False)
        for k in ("added", "changed", "removed", "counts"):
            self.assertEqual(real[k], doc[k], k + "\n" + run.describe())
        after, run = self.json_of("ledger", "list", "--json")
        self.assertEqual(sorted(l["asset_id"] for l in after["loans"]),
                         ["LT-0003", "USB-0007", "USB-0008", "USB-0009"], run.describe())

    def test_previewed_import_refused_when_the_ledger_changed(self):
        """--previewed FINGERPRINT imports only the changes that dry run
        showed (KR-02): a loan returned in between makes it refuse and
        change nothing; the new dry run's fingerprint is accepted."""
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        nxt = self.write("next.csv", NEXT)
        seen, run = self.json_of("ledger", "import", "--dry-run", "--json", nxt)
        self.assertRegex(seen["fingerprint"], "^[0-9a-f]{64}$", run.describe())
        human = self.run_kikan("ledger", "import", "--dry-run", nxt).stdout.decode()
        self.assertIn("--previewed " + seen["fingerprint"], human)

        self.run_kikan("ledger", "return", "USB-0007")
        before = self.run_kikan("ledger", "list", "--json").stdout
        run = self.run_kikan("ledger", "import", "--previewed", seen["fingerprint"], nxt,
                             expect=2)
        self.assertIn("changed since the preview", run.stderr.decode())
        self.assertEqual(self.run_kikan("ledger", "list", "--json").stdout, before)
        self.run_kikan("ledger", "import", "--dry-run", "--previewed", seen["fingerprint"], nxt,
                       expect=2)

        now, _ = self.json_of("ledger", "import", "--dry-run", "--json", nxt)
        self.assertNotEqual(now["fingerprint"], seen["fingerprint"])
        done, run = self.json_of("ledger", "import", "--json", "--previewed", now["fingerprint"],
                                 nxt)
        self.assertEqual(done["fingerprint"], now["fingerprint"], run.describe())
        self.assertEqual(done["counts"]["added"], now["counts"]["added"], run.describe())

    def test_dry_run_lists_what_an_added_row_rewrites(self):
        """An asset in the store on no open loan, lent again by the file
        with encryption_required off and another USB identity: the dry run
        lists those rewrites on the added row, in text and JSON, and the
        import makes them (KR-02; docs/ledger.md "What an import
        changes")."""
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        without = FULL + "\r\n" + "".join(l + "\r\n" for l in BASE.splitlines()[1:]
                                          if "USB-0007" not in l)
        self.run_kikan("ledger", "import", self.write("without.csv", without))
        again = self.write("again.csv", without +
                           "E1002,佐藤 花子,USB-0007,usb,U7,no,2026-11-21,,,1e48,0010,X7,no\r\n")

        doc, run = self.json_of("ledger", "import", "--dry-run", "--json", again)
        ctx = "\n" + run.describe()
        added = {a["asset_id"]: a for a in doc["added"]}
        self.assertIs(added["USB-0007"]["new_asset"], False, ctx)
        fields = {f["field"]: (f["old"], f["new"]) for f in added["USB-0007"]["fields"]}
        self.assertEqual(fields, {"encryption_required": ("yes", "no"),
                                  "usb_vid": ("0781", "1e48"), "usb_pid": ("5581", "0010"),
                                  "usb_serial": ("U7", "X7")}, ctx)
        self.assertEqual(doc["new_employees"], [], ctx)
        human = self.run_kikan("ledger", "import", "--dry-run", again).stdout.decode()
        line = [l for l in human.splitlines() if "added    USB-0007" in l]
        self.assertEqual(len(line), 1, human)
        self.assertIn("encryption_required yes → no", line[0])
        self.assertIn("usb_serial U7 → X7", line[0])

        done, run = self.json_of("ledger", "import", "--json", "--previewed", doc["fingerprint"],
                                 again)
        self.assertEqual(done["added"], doc["added"], run.describe())
        listing, _ = self.json_of("ledger", "list", "--json")
        u7 = [l for l in listing["loans"] if l["asset_id"] == "USB-0007"][0]
        self.assertIs(u7["encryption_required"], False)
        self.assertEqual(u7["medium"]["usb_serial"], "X7")

    def test_header_only_file_refused_without_allow_empty(self):
        """A header and no rows (a failed export) would close every loan:
        refused unless --allow-empty says it is meant."""
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        before = self.run_kikan("ledger", "list", "--json").stdout
        header_only = self.write("header.csv", BASE.splitlines()[0] + "\n")
        run = self.run_kikan("ledger", "import", header_only, expect=2)
        self.assertIn("--allow-empty", run.stderr.decode())
        self.assertEqual(self.run_kikan("ledger", "list", "--json").stdout, before)
        self.run_kikan("ledger", "import", "--allow-empty", header_only)
        doc, _ = self.json_of("ledger", "list", "--json")
        self.assertEqual(doc["loans"], [])

    def test_dry_run_without_store_creates_nothing(self):
        doc, run = self.json_of("ledger", "import", "--dry-run", "--json",
                                self.write("base.csv", BASE))
        self.assertEqual(doc["counts"]["added"], 4, run.describe())
        self.assertEqual(os.listdir(self.home), [], "a dry run created files")

    MALFORMED = [
        ("empty.csv", "", "line 1, column 1", "the file is empty"),
        ("missing.csv", "employee_id,employee_name,asset_id\r\nE1,A,LT-1\r\n", "line 1, column 1",
         "no column asset_type"),
        ("sjis.csv", (H + "\r\nE1,").encode() + "山田".encode("shift_jis") +
         b",LT-1,laptop,S,yes,2026-01-01\r\n", "line 2, column 4", "not UTF-8"),
        # The note's quoted newline: LT-1 lies on line 4, its record starts on 3.
        ("twice.csv", "notes," + H + "\n,E1,A,LT-1,laptop,S,yes,2026-01-01\n"
         "\"a note,\non two lines\",E2,B,LT-1,laptop,S,yes,2026-01-02\n",
         "line 4, column 20 (asset_id; the record starts on line 3)", "already lent on line 2"),
        ("type.csv", H + "\nE1,A,LT-1,laptop,S,yes,2026-01-01\nE2,山田 太郎,LT-2,desk,S,yes,"
         "2026-01-01\n", "line 3, column 15", "not an asset type"),
        ("few.csv", H + "\nE1,A,LT-1,laptop,S,yes\n", "line 2, column 20", "too few"),
        ("quote.csv", H + "\nE1,Ta\"ka,LT-1,laptop,S,yes,2026-01-01\n", "line 2, column 6",
         "double quote"),
        ("ctrl.csv", H + "\nE1,A,LT\x1b[2J,laptop,S,yes,2026-01-01\n", "line 2, column 6",
         "control"),
    ]

    def test_malformed_files_change_nothing(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        before = sha256_file(self.db())
        for name, text, where, what in self.MALFORMED:
            p = self.write(name, text, binary=isinstance(text, bytes))
            for args in (("ledger", "import", p), ("ledger", "import", "--dry-run", p)):
                run = self.run_kikan(*args, expect=2)
                err = run.stderr.decode("utf-8")
                ctx = "%s\n%s" % (name, run.describe())
                self.assertIn(where, err, ctx)
                self.assertIn(what, err, ctx)
                self.assertIn("nothing was imported", err, ctx)
                self.assertNotIn("\x1b", err, ctx)
                self.assertEqual(run.stdout, b"", ctx)
            self.assertEqual(sha256_file(self.db()), before, name)
        self.assert_no_trace()

    def test_export_then_import_is_a_noop(self):
        example = env_path("KIKAN_IT_EXAMPLE_LEDGER", is_dir=False)
        self.run_kikan("ledger", "import", example)
        out = os.path.join(self.tmp, "export.csv")
        self.run_kikan("ledger", "export", out)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, "rb") as f:
            exported = f.read()
        self.assertTrue(exported.startswith(b"employee_id,employee_name,asset_id,"))
        self.assertIn(b"\r\n", exported)
        self.assertIn('"Suzuki, Ichiro"'.encode(), exported)
        self.assertEqual(self.run_kikan("ledger", "export", "-").stdout, exported)
        self.assertEqual(self.run_kikan("ledger", "export").stdout, exported)
        listing = self.run_kikan("ledger", "list", "--json").stdout
        doc, run = self.json_of("ledger", "import", "--json", out)
        c = doc["counts"]
        self.assertEqual((c["added"], c["changed"], c["removed"], c["employees_added"],
                          c["employees_renamed"]), (0, 0, 0, 0, 0), run.describe())
        self.assertEqual(c["unchanged"], len(json.loads(listing)["loans"]), run.describe())
        self.assertEqual(self.run_kikan("ledger", "list", "--json").stdout, listing)
        self.assertEqual(self.run_kikan("ledger", "export").stdout, exported)

    def test_import_logs_the_file_hash(self):
        p = self.write("base.csv", BASE)
        self.run_kikan("ledger", "import", p)
        self.run_kikan("ledger", "import", self.write("next.csv", NEXT))
        con = sqlite3.connect(self.db())
        rows = con.execute("SELECT at, source, summary FROM ledger_changes ORDER BY id").fetchall()
        con.close()
        self.assertEqual(len(rows), 2)
        at, source, summary = rows[0]
        self.assertEqual(at, "2026-12-03T12:00:00Z")
        self.assertIn(sha256_file(p), source)
        s = json.loads(summary)
        self.assertEqual(s["sha256"], sha256_file(p))
        self.assertEqual((s["added"], s["changed"], s["removed"]), (4, 0, 0))
        s = json.loads(rows[1][2])
        self.assertEqual((s["added"], s["changed"], s["removed"], s["unchanged"]), (1, 2, 1, 1))
        # PH-0021 was closed on the import date, "removed by import".
        con = sqlite3.connect(self.db())
        closed = con.execute("SELECT returned_on, note FROM loans WHERE asset_id = 'PH-0021'"
                             ).fetchall()
        con.close()
        self.assertEqual(closed, [("2026-12-03", "removed by import")])


class LedgerEdit(LedgerTestCase):

    def setUp(self):
        super().setUp()
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))

    def holder(self, asset):
        doc, _ = self.json_of("ledger", "list", "--json")
        return {l["asset_id"]: l["employee_id"] for l in doc["loans"]}.get(asset)

    def test_lend_and_return(self):
        run = self.run_kikan("ledger", "lend", "USB-0007", "E1002", expect=2)
        self.assertIn("already lent to E1001", run.stderr.decode())
        self.assertIn("kikan ledger return USB-0007", run.stderr.decode())
        self.run_kikan("ledger", "return", "USB-0007")
        self.assertIsNone(self.holder("USB-0007"))
        run = self.run_kikan("ledger", "return", "USB-0007", expect=2)
        self.assertIn("not lent", run.stderr.decode())
        run = self.run_kikan("ledger", "lend", "USB-0007", "E1002", "--due", "2027-03-31",
                             "--method", "VPN")
        self.assertIn("from 2026-12-03", run.stdout.decode())
        self.assertEqual(self.holder("USB-0007"), "E1002")
        doc, _ = self.json_of("ledger", "list", "--json", "--employee", "E1002")
        usb7 = [l for l in doc["loans"] if l["asset_id"] == "USB-0007"][0]
        self.assertEqual((usb7["lent_on"], usb7["due_on"], usb7["telework_method"]),
                         ("2026-12-03", "2027-03-31", "VPN"))
        run = self.run_kikan("ledger", "lend", "NOPE-1", "E1002", expect=2)
        self.assertIn("No asset NOPE-1", run.stderr.decode())
        run = self.run_kikan("ledger", "lend", "LT-0003", "E1001", "--due", "2026-02-30",
                             expect=2)
        self.assertIn("YYYY-MM-DD", run.stderr.decode())
        # Every change keeps the store valid.
        self.run_kikan("db", "check")

    def test_media_add_and_list(self):
        self.run_kikan("ledger", "media", "add", "LT-0003", "--vid", "0951", "--pid", "0x1666",
                       "--serial", "DT-1", "--hardware-encrypted")
        doc, run = self.json_of("ledger", "media", "list", "--json")
        self.assertEqual(doc["format"], "kikan-media")
        by = {m["asset_id"]: m for m in doc["media"]}
        self.assertEqual(sorted(by), ["LT-0003", "USB-0007", "USB-0008"], run.describe())
        m = by["LT-0003"]
        self.assertEqual((m["vid"], m["pid"], m["usb_serial"], m["hardware_encrypted"]),
                         ("0951", "1666", "DT-1", True))
        run = self.run_kikan("ledger", "media", "add", "LT-0003", "--vid", "1", "--pid", "2",
                             expect=2)
        self.assertIn("--replace", run.stderr.decode())
        self.run_kikan("ledger", "media", "add", "LT-0003", "--vid", "1", "--pid", "2",
                       "--replace")
        run = self.run_kikan("ledger", "media", "add", "LT-0003", "--vid", "zz", "--pid", "2",
                             expect=2)
        self.assertIn("4 hex digits", run.stderr.decode())
        run = self.run_kikan("ledger", "media", "add", "NOPE", "--vid", "1", "--pid", "2",
                             expect=2)
        self.assertIn("No asset NOPE", run.stderr.decode())
        human = self.run_kikan("ledger", "media", "list").stdout.decode()
        self.assertIn("0001:0002", human)

    def test_hostile_arguments_escaped(self):
        evil = "X\x1b[2J\u202eexe.txt"
        for args in (("ledger", "lend", evil, "E1001"), ("ledger", "return", evil),
                     ("ledger", "list", "--employee", evil),
                     ("ledger", "media", "add", evil, "--vid", "1", "--pid", "2")):
            run = self.run_kikan(*args, expect=2)
            err = run.stderr.decode("utf-8")
            self.assertNotIn("\x1b", err, run.describe())
            self.assertNotIn("\u202e", err, run.describe())
            self.assertIn("\\x1B", err, run.describe())


class DbCheck(LedgerTestCase):

    def test_intact_store(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        run = self.run_kikan("db", "check")
        self.assertIn("intact", run.stdout.decode())
        doc, run = self.json_of("db", "check", "--json")
        self.assertEqual(doc["format"], "kikan-db-check")
        self.assertEqual(doc["result"], "intact")
        self.assertEqual(doc["problems"], [])
        self.assertEqual(doc["schema_version"], 5)
        self.assert_no_trace()

    def test_no_store(self):
        run = self.run_kikan("db", "check", expect=2)
        self.assertIn("no store", run.stderr.decode().lower())
        self.assertEqual(os.listdir(self.home), [])

    def refused(self, what):
        """Every command that needs the store refuses it, says what to do
        and leaves the file as it was."""
        before = sha256_file(self.db())
        for args in (("ledger", "list"), ("ledger", "import", self.write("b.csv", BASE)),
                     ("ledger", "export"), ("ledger", "return", "USB-0007")):
            run = self.run_kikan(*args, expect=2)
            err = run.stderr.decode()
            self.assertIn(what, err, run.describe())
            self.assertIn("kikan db check", err, run.describe())
            self.assertIn("the file was not changed", err, run.describe())
        self.assertEqual(sha256_file(self.db()), before)
        self.assert_no_trace()

    def test_newer_schema_refused_and_explained(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        con = sqlite3.connect(self.db())
        con.execute("PRAGMA user_version = 9")
        con.commit()
        con.close()
        self.refused("schema version 9")
        doc, run = self.json_of("db", "check", "--json", expect=1)
        self.assertEqual(doc["result"], "problems", run.describe())
        self.assertEqual(doc["schema_version"], 9)
        self.assertTrue(any("newer than this program" in p for p in doc["problems"]))
        run = self.run_kikan("db", "check", expect=1)
        self.assertIn("newer than this program", run.stdout.decode())

    def test_not_a_database_refused_and_explained(self):
        with open(self.db(), "w", encoding="utf-8") as f:
            f.write(BASE * 20)
        self.refused("not a SQLite database")
        doc, run = self.json_of("db", "check", "--json", expect=1)
        self.assertEqual(len(doc["problems"]), 1, run.describe())
        self.assertIn("not a SQLite database", doc["problems"][0])

    def test_damaged_page_refused_and_explained(self):
        # Enough rows for several pages, then a page overwritten in the
        # middle, as a failing disk would.
        rows = "".join("E%04d,社員 %d,A-%04d,other,S,no,2026-01-01\n" % (i, i, i)
                       for i in range(400))
        self.run_kikan("ledger", "import", self.write("many.csv", H + "\n" + rows))
        con = sqlite3.connect(self.db())
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'loans'").fetchone()[0]
        con.close()
        with open(self.db(), "r+b") as f:
            f.seek((root - 1) * page + 16)
            f.write(b"\xa5" * (page // 2))
        self.refused("is damaged")
        doc, run = self.json_of("db", "check", "--json", expect=1)
        self.assertTrue(doc["problems"], run.describe())
        self.assertTrue(any("integrity_check" in p or "damaged" in p for p in doc["problems"]),
                        run.describe())

    def test_broken_invariant_found(self):
        self.run_kikan("ledger", "import", self.write("base.csv", BASE))
        con = sqlite3.connect(self.db())
        con.executescript("DROP INDEX loans_open_asset;"
                          "INSERT INTO loans (asset_id, employee_id, lent_on) "
                          "VALUES ('USB-0007', 'E1002', '2026-11-01');"
                          "UPDATE loans SET returned_on = '2026-01-01' WHERE asset_id = 'PH-0021';")
        con.close()
        doc, run = self.json_of("db", "check", "--json", expect=1)
        ctx = "\n" + run.describe()
        self.assertEqual(len(doc["problems"]), 2, ctx)
        self.assertIn("asset USB-0007 has 2 open loans", doc["problems"][0], ctx)
        self.assertIn("was returned on 2026-01-01, before it was lent on 2026-09-15",
                      doc["problems"][1], ctx)
        run = self.run_kikan("db", "check", expect=1)
        self.assertIn("2 problems", run.stdout.decode())
