"""Export, bundles, review samples and retention of the audit trail (issue
#10 item 3; KR-31, KR-32, KR-33, Admin J-5, J-6, J-8, J-9; docs/audit.md).

Two real check-ins (E1001 declares its loans missing, E2002 brings
nothing) make the records; every output is parsed back with a reader that
is not Kikan's (json, csv, an RFC 5424 grammar, tarfile), and every
tampered bundle is made the way an attacker holding it would."""

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile

import nacl.signing

from test_checkin import CheckinTestCase

# RFC 5424 §6: HEADER SP STRUCTURED-DATA [SP MSG], one SD-ELEMENT here.
PARAM_VALUE = r'"(?:[^"\\\]]|\\["\\\]])*"'
SD_PARAM = r'[!#-<>-\\^-~]{1,32}=' + PARAM_VALUE   # PARAM-NAME: SD-NAME without = ] " SP
SYSLOG = re.compile(
    r'^<(?P<pri>\d{1,3})>1 (?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z|-) '
    r'(?P<host>[!-~]{1,255}) (?P<app>[!-~]{1,48}) (?P<procid>[!-~]{1,128}) '
    r'(?P<msgid>[!-~]{1,32}) '
    r'\[(?P<sdid>[!#-<>-\\^-~]{1,32})(?P<params>(?: ' + SD_PARAM + r')*)\]$')
PARAM = re.compile(r' ([!#-<>-\\^-~]{1,32})=(' + PARAM_VALUE + ')')
STATEMENT = 'checked 2 sessions: "ok" ] \\ nothing [odd]'


def sd_unescape(v):
    return re.sub(r'\\(["\\\]])', r'\1', v[1:-1])


class AuditExport(CheckinTestCase):

    def setUp(self):
        super().setUp()
        self.session1, r = self.checkin({
            "employee": "E1001", "answers": self.clean_answers(),
            "missing": [{"asset": "LT-0003", "declared": "lost"},
                        {"asset": "USB-0007", "declared": "at_home", "return_by": "2026-12-24"},
                        {"asset": "USB-0008", "declared": "at_home", "return_by": "2026-12-24"}]})
        self.session2, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})

    # ------------------------------------------------------------ helpers

    def ok(self, *args, env=None):
        r = self.kikan(*args, env=env)
        self.assertEqual(r.rc, 0, r.describe())
        return r

    def init(self, kiosk="kiosk-test"):
        r = self.ok("audit", "init", "--kiosk-id", kiosk, "--no-qr")
        out = r.stdout.decode()
        key = re.search(r"kikan-vk1:[0-9a-f-]+", out).group(0)
        pk = self.sql("SELECT public_key FROM audit_identity")[0][0]
        return key, pk

    def export(self, fmt, *filters):
        path = os.path.join(self.tmp, "export-%s-%d" % (fmt, len(os.listdir(self.tmp))))
        self.ok("audit", "export", "--format", fmt, "--out", path, *filters)
        with open(path, "rb") as f:
            return f.read()

    def bundle(self):
        path = os.path.join(self.tmp, "bundle-%d.tar.gz" % len(os.listdir(self.tmp)))
        self.ok("audit", "export", "--bundle", path)
        return path

    def members(self, path):
        with tarfile.open(path, "r:*") as t:
            return {m.name: t.extractfile(m).read() for m in t.getmembers()}

    def rebuild(self, members, fix_manifest=True, extra=()):
        """A bundle of @members, with the manifest's hashes recomputed (the
        attacker can do that; the signature is what they cannot redo)."""
        if fix_manifest:
            m = json.loads(members["manifest.json"])
            m["members"] = [{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                            for n, d in members.items()
                            if n not in ("manifest.json", "manifest.sig")]
            members["manifest.json"] = json.dumps(m, indent=2).encode()
        path = os.path.join(self.tmp, "forged-%d.tar.gz" % len(os.listdir(self.tmp)))
        with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
            for name, data in list(members.items()) + list(extra):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        return path

    def verify_bundle(self, path, *extra):
        empty = self.mkdir("auditor-%d" % len(os.listdir(self.tmp)))
        return self.kikan("audit", "verify", "--bundle", path, *extra,
                          env=self.env(KIKAN_HOME=os.path.join(empty, "home")))

    def assert_tampered(self, path, words, *extra):
        r = self.verify_bundle(path, *extra)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"TAMPERED", r.stdout, r.describe())
        self.assertIn(words.encode(), r.stdout, r.describe())

    def records(self):
        return self.sql("SELECT seq, at, kind, session_id, payload, prev_hash, hash, mac "
                        "FROM audit_records ORDER BY seq")

    # ------------------------------------------------------------ formats

    def test_jsonl_every_field(self):
        rows = self.records()
        lines = self.export("jsonl").decode("utf-8").splitlines()
        self.assertEqual(len(lines), len(rows))
        for line, row in zip(lines, rows):
            d = json.loads(line)
            self.assertEqual((d["seq"], d["at"], d["kind"], d["session_id"], d["payload"],
                              d["prev_hash"], d["hash"], d["mac"]), row)
        # The export itself is recorded, with the SHA-256 of what was written.
        last = json.loads(self.sql("SELECT payload FROM audit_records WHERE kind = "
                                   "'audit_export' ORDER BY seq DESC LIMIT 1")[0][0])
        self.assertEqual(last["format"], "jsonl")
        self.assertEqual(last["count"], len(rows))
        self.assertEqual(last["sha256"],
                         hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest())

    def test_csv_rfc4180_and_formula_guard(self):
        # A kind edited by whoever holds the file into a spreadsheet formula.
        con = sqlite3.connect(self.db)
        con.execute("DROP TRIGGER audit_records_no_update")
        con.execute("UPDATE audit_records SET kind = '=HYPERLINK(\"http://x\")' WHERE seq = 2")
        con.commit()
        con.close()
        data = self.export("csv").decode("utf-8")
        self.assertIn("\r\n", data)
        rows = list(csv.reader(io.StringIO(data, newline="")))
        self.assertEqual(rows[0], ["seq", "at", "kind", "session_id", "payload", "prev_hash",
                                   "hash", "mac"])
        stored = self.records()
        self.assertEqual(len(rows) - 1, len(stored) - 1)  # the export's own record comes after
        self.assertEqual(rows[2][2], "'=HYPERLINK(\"http://x\")")
        for row, s in zip(rows[1:], stored):
            self.assertEqual(int(row[0]), s[0])
            self.assertEqual(row[4], s[4])          # payload with its quotes and commas
            self.assertEqual(row[6], s[6])

    def test_syslog_rfc5424_escaping(self):
        self.ok("audit", "sample", "--size", "2", "--seed", "00", "--by", "auditor-1")
        self.ok("audit", "attest", "1", "--by", "auditor-1", "--statement", STATEMENT)
        lines = self.export("syslog").decode("utf-8").split("\n")
        self.assertEqual(lines[-1], "")
        stored = {s[0]: s for s in self.records()}
        seen_statement = False
        for line in lines[:-1]:
            m = SYSLOG.match(line)
            self.assertIsNotNone(m, "not RFC 5424: %r" % line)
            self.assertEqual(m.group("pri"), "110")
            self.assertEqual(m.group("app"), "kikan")
            self.assertEqual(m.group("sdid"), "kikan@32473")
            params = {k: sd_unescape(v) for k, v in PARAM.findall(m.group("params"))}
            s = stored[int(params["seq"])]
            self.assertEqual(m.group("msgid"), s[2])
            self.assertEqual(params["hash"], s[6])
            self.assertEqual(params["payload"], s[4])
            if s[2] == "audit_attestation":
                seen_statement = True
                # JSON's \" and \\ each gain a backslash, and ] one.
                self.assertIn(r'\\\"ok\\\" \] \\\\ nothing [odd\]', line)
                self.assertEqual(json.loads(params["payload"])["statement"], STATEMENT)
        self.assertTrue(seen_statement)

    # ------------------------------------------------------------ filters

    def listed(self, *filters):
        r = self.ok("audit", "list", "--json", *filters)
        return json.loads(r.stdout)["records"]

    def test_filters(self):
        s1, s2 = self.session1["session_id"], self.session2["session_id"]
        everything = self.listed()
        by_e2 = self.listed("--employee", "E2002")
        self.assertTrue(by_e2)
        self.assertEqual({r["session_id"] for r in by_e2}, {s2})
        by_asset = self.listed("--asset", "USB-0007")
        self.assertEqual({r["session_id"] for r in by_asset}, {s1})
        self.assertEqual({r["kind"] for r in self.listed("--kind", "verdict")}, {"verdict"})
        self.assertEqual({r["session_id"] for r in self.listed("--session", str(s1))}, {s1})
        self.assertEqual(self.listed("--until", "2000-01-01"), [])
        self.assertEqual(len(self.listed("--since", "2000-01-01")), len(everything))
        day = everything[0]["at"][:10]
        self.assertEqual(len(self.listed("--since", day, "--until", day)), len(everything))
        v1 = self.session1["verdict"]
        self.assertEqual({r["session_id"] for r in self.listed("--verdict", v1)} - {None},
                         {s1} | ({s2} if self.session2["verdict"] == v1 else set()))
        r = self.kikan("audit", "list", "--verdict", "fine")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"not a verdict", r.stderr)
        r = self.kikan("audit", "list", "--since", "yesterday")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"--since", r.stderr)
        # Filtered export: only that employee's records, and the filter recorded.
        lines = self.export("jsonl", "--employee", "E2002").decode().splitlines()
        self.assertEqual(len(lines), len(by_e2))
        last = json.loads(self.sql("SELECT payload FROM audit_records WHERE kind = "
                                   "'audit_export'")[0][0])
        self.assertEqual(last["filters"], {"employee": "E2002"})

    def test_show_one_record_whole(self):
        r = self.ok("audit", "show", "2", "--json")
        d = json.loads(r.stdout)
        row = self.records()[1]
        self.assertEqual((d["seq"], d["hash"], d["prev_hash"], d["payload"]),
                         (row[0], row[6], row[5], row[4]))
        r = self.kikan("audit", "show", "99999")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"no audit record 99999", r.stderr)

    # ------------------------------------------------------------ bundles

    def test_bundle_verifies_in_empty_home(self):
        key, pk = self.init()
        path = self.bundle()
        names = set(self.members(path))
        self.assertEqual(names, {"records.jsonl", "seals.jsonl", "identity.json", "slips.jsonl",
                                 "manifest.json", "manifest.sig"})
        r = self.verify_bundle(path, "--key", key, "--public-key", pk)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"given on the command line (trusted)", r.stdout)
        self.assertIn(b"every forward-secure MAC checked", r.stdout)
        r = self.verify_bundle(path)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"inside the bundle", r.stdout)
        self.assertIn(b"MACs: NOT checked", r.stdout)

    def test_unsigned_bundle_says_so(self):
        path = self.bundle()
        self.assertNotIn("manifest.sig", self.members(path))
        r = self.verify_bundle(path)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"Signature: none", r.stdout)

    def test_bundle_one_byte_changed(self):
        self.init()
        m = self.members(self.bundle())
        rec = bytearray(m["records.jsonl"])
        i = rec.index(b"E1001")
        rec[i + 4] = ord("2")
        m["records.jsonl"] = bytes(rec)
        self.assert_tampered(self.rebuild(m, fix_manifest=False),
                             "member records.jsonl does not match its SHA-256")
        # Manifest rehashed: the signature no longer holds.
        self.assert_tampered(self.rebuild(dict(m)), "manifest.sig does not verify")

    def test_bundle_record_removed(self):
        # Not initialised: no signature, so only the chain can tell.
        m = self.members(self.bundle())
        lines = m["records.jsonl"].split(b"\n")
        del lines[3]
        m["records.jsonl"] = b"\n".join(lines)
        man = json.loads(m["manifest.json"])
        man["counts"]["records"] -= 1
        m["manifest.json"] = json.dumps(man).encode()
        r = self.verify_bundle(self.rebuild(m))
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"TAMPERED at record 4 ", r.stdout, r.describe())

    def test_bundle_member_added(self):
        self.init()
        m = self.members(self.bundle())
        self.assert_tampered(self.rebuild(m, fix_manifest=False, extra=[("notes.txt", b"x")]),
                             "Kikan does not write (notes.txt)")
        m["slips/1.pdf"] = b"%PDF-1.4"
        self.assert_tampered(self.rebuild(m, fix_manifest=False),
                             "member slips/1.pdf is not listed in manifest.json")

    def test_bundle_path_traversal(self):
        m = self.members(self.bundle())
        for name in ("../../etc/cron.d/x", "/etc/passwd", "slips/../records.jsonl"):
            self.assert_tampered(self.rebuild(dict(m), fix_manifest=False,
                                              extra=[(name, b"x")]), "nothing was extracted")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "etc")))

    def test_bundle_signed_by_another_key(self):
        key, pk = self.init()
        m = self.members(self.bundle())
        other = nacl.signing.SigningKey.generate()
        m["manifest.sig"] = other.sign(m["manifest.json"]).signature.hex().encode() + b"\n"
        self.assert_tampered(self.rebuild(m, fix_manifest=False), "manifest.sig does not verify")
        # The identity replaced too: consistent alone, caught by the trusted key.
        ident = json.loads(m["identity.json"])
        ident["public_key"] = bytes(other.verify_key).hex()
        m["identity.json"] = json.dumps(ident).encode()
        m = {k: v for k, v in m.items() if k != "manifest.sig"}
        forged = self.rebuild(m)
        with tarfile.open(forged, "r:*") as t:
            manifest = t.extractfile("manifest.json").read()
        m["manifest.json"] = manifest
        m["manifest.sig"] = other.sign(manifest).signature.hex().encode() + b"\n"
        forged = self.rebuild(m, fix_manifest=False)
        self.assert_tampered(forged, "another public key", "--public-key", pk)

    def test_bundle_garbage_is_an_error(self):
        path = os.path.join(self.tmp, "junk.tar.gz")
        with open(path, "wb") as f:
            f.write(b"\x1f\x8b not really gzip")
        r = self.verify_bundle(path)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"not a Kikan audit bundle", r.stderr + r.stdout)

    # ------------------------------------------------------------ sampling

    def sample(self, size, seed=None):
        args = ["audit", "sample", "--size", str(size), "--by", "auditor-1", "--json"]
        if seed:
            args += ["--seed", seed]
        return self.kikan(*args)

    def test_sample_reproducible(self):
        for i in range(6):
            self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        a = json.loads(self.sample(4, "c0ffee").stdout)
        b = json.loads(self.sample(4, "c0ffee").stdout)
        c = json.loads(self.sample(4, "0badf00d").stdout)
        self.assertEqual(a["selection"], b["selection"])
        self.assertNotEqual(a["selection"], c["selection"])
        self.assertEqual(len(set(a["selection"])), 4)
        # The rows and their records: one record per row.
        self.assertEqual(self.sql("SELECT count(*) FROM audit_samples")[0][0], 3)
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'audit_sample'")[0][0], 3)
        rnd = json.loads(self.sample(2).stdout)
        self.assertEqual(len(rnd["seed"]), 32)

    def test_sample_larger_than_population_refused(self):
        r = self.sample(3, "01")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"2 sessions match the filters", r.stderr, r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM audit_samples")[0][0], 0)

    def test_attest_and_list(self):
        self.assertEqual(self.sample(1, "ab").rc, 0)
        hostile = "rev\x1b[2Jiewer"
        r = self.kikan("audit", "attest", "1", "--by", hostile, "--statement", "x")
        self.assertEqual(r.rc, 2, r.describe())
        r = self.kikan("audit", "attest", "1", "--by", "a" * 129, "--statement", "x")
        self.assertEqual(r.rc, 2, r.describe())
        r = self.kikan("audit", "attest", "7", "--by", "auditor-2", "--statement", "x")
        self.assertEqual(r.rc, 2, r.describe())
        self.ok("audit", "attest", "1", "--by", "auditor-2", "--statement", "line one\nline two")
        out = self.ok("audit", "samples").stdout
        self.assertIn(b"attested", out)
        self.assertIn(b"line one\\x0Aline two", out)
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'audit_attestation'")[0][0], 1)

    # ------------------------------------------------------------ retention

    def test_status_warns_low_space(self):
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(100 << 20)))
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(b"WARNING: only 100 MB are free", r.stdout)
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(1 << 40)))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(b"WARNING", r.stdout)
        self.assertIn(b"Nothing in Kikan deletes audit records", r.stdout)

    def test_status_counts_the_slip_archive(self):
        # Slips are kept as long as the records (KR-32): a slip archive the
        # size of 500 days of free space must make the projection warn, as
        # the store itself would (issue #12's soak found the archive growing
        # faster than the store, unseen by the estimate).
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[audit]\nmin_free_mb = 0\n")
        doc = json.loads(self.ok("audit", "status", "--json").stdout)
        year = os.path.join(self.home, "slips", "2026")
        os.makedirs(year, exist_ok=True)
        pdfs = sum(os.path.getsize(os.path.join(dp, f))
                   for dp, _, fs in os.walk(os.path.join(self.home, "slips")) for f in fs)
        extra = 4 * doc["store_bytes"]
        with open(os.path.join(year, "999999-01.pdf"), "wb") as f:
            f.write(b"%" * extra)
        after = json.loads(self.ok("audit", "status", "--json").stdout)
        self.assertEqual(after["archive_bytes"], pdfs + extra)
        # 200 days of store + archive; the store alone would last 1,000.
        free = (after["store_bytes"] + after["archive_bytes"]) * 200
        self.assertGreater(free, after["store_bytes"] * 365)
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(free)))
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(b"slip archive", r.stdout)
        free = (after["store_bytes"] + after["archive_bytes"]) * 400
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(free)))
        self.assertEqual(r.rc, 0, r.describe())

    def test_status_projection_and_config(self):
        # The store grows by its whole size a day (under a day of history):
        # 300 days' worth of free space warns, 400 days' does not.
        size = json.loads(self.ok("audit", "status", "--json").stdout)["store_bytes"]
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[audit]\nmin_free_mb = 0\n")
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(size * 300)))
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(b"under a year", r.stdout)
        r = self.kikan("audit", "status", env=self.env(KIKAN_TEST_FREE_BYTES=str(size * 400)))
        self.assertEqual(r.rc, 0, r.describe())
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[audit]\nmin_free_md = 5\n")
        r = self.kikan("audit", "status")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"min_free_md", r.stderr)
