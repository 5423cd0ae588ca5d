"""Integration tests of printing a slip (issue #10 item 6; KR-27; docs/printing.md).

A private cupsd (tests/integration/cupsd.py, DESIGN.md "CUPS 2.4.2 in a
test") with a backend of the test's own writes every job to a file that
the test reads back with pdfinfo.  `kikan slip print` runs for real
against it; the slip row and its PDF are written the way the slip helper
leaves them (a row in `slips`, the PDF under $KIKAN_HOME/slips/), so that
these tests depend on printing only.
"""

import hashlib
import json
import os
import sqlite3
import subprocess

from cupsd import PrivateCupsd
from kikan_it import KikanTestCase

SLIP = "K-2026-000042-7"
A4 = (595, 842)
RECEIPT = (227, 567)  # 80 mm x 200 mm


def make_pdf(path, pages, size, label="Kikan test slip"):
    """A small, valid PDF of @pages pages of @size points, one line of text
    on each (written by hand: byte offsets in the xref table are exact)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join("%d 0 R" % (4 + 2 * i) for i in range(pages))
    objs.append("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        text = "BT /F1 12 Tf 20 %d Td (%s page %d) Tj ET" % (size[1] - 40, label, i + 1)
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                    "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                    % (size[0], size[1], 5 + 2 * i))
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body.encode("ascii"))
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)
    return hashlib.sha256(bytes(out)).hexdigest()


def pdfinfo(path):
    r = subprocess.run(["pdfinfo", path], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("pdfinfo %s failed: %s" % (path, r.stderr.decode("utf-8", "replace")))
    info = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    return info


class SlipPrintTestCase(KikanTestCase):

    def setUp(self):
        super().setUp()
        # The store is made by kikan itself (schema, PRAGMAs).
        r = self.kikan("checkin", "--recover")
        self.assertEqual(r.rc, 0, r.describe())
        self.db = os.path.join(self.home, "kikan.db")
        self.sql("INSERT INTO employees (id, name, updated_at) VALUES "
                 "('E1001', '山田 太郎', '2026-11-01T00:00:00Z')")
        self.sql("INSERT INTO sessions (id, uuid, employee_id, kiosk_id, started_at, ended_at, "
                 "state, program_version) VALUES (1, 'u-1', 'E1001', 'kiosk-test', "
                 "'2026-12-03T09:00:00Z', '2026-12-03T09:10:00Z', 'ended', 'test')")
        self.slips = self.mkdir("home", "slips")
        self.cups = None

    def start_cups(self, error_policy="abort-job"):
        self.cups = PrivateCupsd(self.tmp)
        self.cups.start()
        self.addCleanup(self.cups.stop)
        self.cups.add_queue("slips", error_policy=error_policy)
        return self.cups

    def sql(self, statement, args=()):
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute(statement, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def add_slip(self, number=SLIP, pages=1, size=RECEIPT, pdf_path=None):
        rel = pdf_path or "slips/%s.pdf" % number
        digest = make_pdf(os.path.join(self.home, "slips", "%s.pdf" % number), pages, size)
        self.sql("INSERT INTO slips (number, session_id, issued_at, valid_until, chain_seq, "
                 "chain_head, payload, layout, language, pdf_path, pdf_sha256) VALUES "
                 "(?, 1, '2026-12-03T09:10:00Z', '2026-12-04T09:10:00Z', 0, ?, 'X', ?, 'en', "
                 "?, ?)", (number, "0" * 64, "a4" if size == A4 else "receipt", rel, digest))
        return os.path.join(self.home, "slips", "%s.pdf" % number), digest

    def conf(self, queue="slips", server=None, timeout_s=20, extra=""):
        lines = ["[print]"]
        if queue is not None:
            lines.append("queue = %s" % queue)
        lines.append("server = %s" % (server or self.cups.socket))
        lines.append("timeout_s = %d" % timeout_s)
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("\n".join(lines) + "\n" + extra)

    def print_slip(self, *extra, number=SLIP):
        r = self.kikan("slip", "print", number, "--json", *extra, timeout=120)
        doc = None
        if r.stdout.strip():
            doc = json.loads(r.stdout.decode("utf-8"))
        return r, doc

    def prints(self):
        return self.sql("SELECT slip_id, queue, job_id, outcome, message FROM slip_prints "
                        "ORDER BY id")

    def print_records(self):
        return [json.loads(p) for (p,) in self.sql(
            "SELECT payload FROM audit_records WHERE kind = 'slip_print' ORDER BY seq")]

    def assert_one_attempt(self, outcome, queue):
        rows = self.prints()
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0][0], rows[0][1], rows[0][3]), (1, queue, outcome), rows)
        recs = self.print_records()
        self.assertEqual(len(recs), 1, recs)
        self.assertEqual((recs[0]["outcome"], recs[0]["slip"], recs[0]["queue"]),
                         (outcome, SLIP, queue))
        # The record belongs to the slip's check-in, and its message is the row's.
        self.assertEqual(self.sql("SELECT session_id FROM audit_records WHERE kind = "
                                  "'slip_print'"), [(1,)])
        self.assertEqual(recs[0]["message"], rows[0][4])
        return rows[0], recs[0]

    def assert_archived(self, path, digest):
        with open(path, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest,
                             "the archived slip must stay as it was issued")


class SlipPrint(SlipPrintTestCase):

    def test_printed_slip_arrives_as_pdf(self):
        """KR-27: the slip's PDF reaches the printer byte for byte (one
        receipt page, pdfinfo), and the attempt is one slip_prints row and
        one slip_print audit record with the CUPS job ID."""
        cups = self.start_cups()
        path, digest = self.add_slip()
        self.conf()
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 0, r.describe() + cups.describe())
        self.assertEqual(doc["outcome"], "printed")
        jobs = cups.job_files("slips")
        self.assertEqual(len(jobs), 1, jobs)
        with open(jobs[0], "rb") as f, open(path, "rb") as g:
            self.assertEqual(f.read(), g.read(), "the printer must get the archived PDF")
        info = pdfinfo(jobs[0])
        self.assertEqual(info["Pages"], "1")
        row, rec = self.assert_one_attempt("printed", "slips")
        self.assertEqual(row[2], doc["job_id"])
        self.assertTrue(jobs[0].endswith("slips-%d" % row[2]), (jobs, row))
        self.assertEqual(rec["job_id"], row[2])
        self.assertEqual(rec["pdf_sha256"], digest)
        self.assertFalse(rec["pdf_changed"])
        self.assert_archived(path, digest)

    def test_multipage_a4_page_count(self):
        """An A4 slip of three pages arrives with three A4 pages."""
        cups = self.start_cups()
        self.add_slip(pages=3, size=A4)
        self.conf()
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 0, r.describe() + cups.describe())
        jobs = cups.job_files("slips")
        self.assertEqual(len(jobs), 1, jobs)
        info = pdfinfo(jobs[0])
        self.assertEqual(info["Pages"], "3")
        self.assertIn("595 x 842", info["Page size"])
        self.assert_one_attempt("printed", "slips")

    def test_queue_option_overrides_config(self):
        """--queue and --server name the printer when kikan.conf has none."""
        cups = self.start_cups()
        self.add_slip()
        r, doc = self.print_slip("--queue", "slips", "--server", cups.socket)
        self.assertEqual(r.rc, 0, r.describe() + cups.describe())
        self.assertEqual(len(cups.job_files("slips")), 1)
        self.assert_one_attempt("printed", "slips")


class SlipNotPrinted(SlipPrintTestCase):

    def test_no_printer_configured(self):
        """No [print] queue: exit 2 with a plain message that says how to
        print it later; outcome no_printer; the PDF stays archived."""
        path, digest = self.add_slip()
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        err = r.stderr.decode("utf-8")
        self.assertIn("No printer is set up on this kiosk", err)
        self.assertIn("kikan slip print %s" % SLIP, err)
        self.assertIn("stays valid", err)
        self.assertEqual(doc["outcome"], "no_printer")
        row, rec = self.assert_one_attempt("no_printer", None)
        self.assertIsNone(row[2])
        self.assert_archived(path, digest)

    def test_stopped_queue_failed(self):
        """A queue stopped with cupsdisable: nothing is printed, "failed" is
        recorded with the printer's reason, and the slip stays archived."""
        cups = self.start_cups()
        path, digest = self.add_slip()
        self.conf()
        cups.disable("slips", reason="paper jam in tray 2")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        err = r.stderr.decode("utf-8")
        self.assertIn("The printer 'slips' is stopped", err)
        self.assertIn("paper jam in tray 2", err)
        self.assertIn("kikan slip print %s" % SLIP, err)
        row, rec = self.assert_one_attempt("failed", "slips")
        self.assertIn("stopped", row[4])
        self.assertEqual(cups.job_files("slips"), [])
        self.assert_archived(path, digest)

    def test_failing_backend_aborts_job(self):
        """A backend that fails (exit 1) under the abort-job policy: the job
        is aborted; "failed" with the job ID and the backend's message."""
        cups = self.start_cups(error_policy="abort-job")
        path, digest = self.add_slip()
        self.conf()
        cups.break_queue("slips")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe() + cups.describe())
        err = r.stderr.decode("utf-8")
        self.assertIn("did not print job", err)
        self.assertIn("aborted", err)
        row, rec = self.assert_one_attempt("failed", "slips")
        self.assertIsNotNone(row[2])
        self.assertIn("aborted", row[4])
        self.assertEqual(cups.job_files("slips"), [])
        self.assert_archived(path, digest)

    def test_failing_backend_stops_printer(self):
        """A backend that fails under CUPS's default stop-printer policy:
        the printer stops with the job pending; kikan says so, cancels the
        job (so that it cannot come out after "failed" was recorded)."""
        cups = self.start_cups(error_policy="stop-printer")
        self.add_slip()
        self.conf()
        cups.break_queue("slips")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe() + cups.describe())
        self.assertIn("stopped (out of paper?)", r.stderr.decode("utf-8"))
        row, rec = self.assert_one_attempt("failed", "slips")
        jobs = cups.run("/usr/bin/lpstat", "-h", cups.socket, "-W", "not-completed", "-o")
        self.assertEqual(jobs.strip(), "", "the failed job must not stay queued")

    def test_changed_pdf_refused(self):
        """A PDF changed on disk after issue is never printed: the refusal
        is recorded (failed, pdf_changed) and nothing reaches the printer."""
        cups = self.start_cups()
        path, digest = self.add_slip()
        self.conf()
        with open(path, "r+b") as f:
            f.seek(-10, os.SEEK_END)
            f.write(b"X")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        err = r.stderr.decode("utf-8")
        self.assertIn("was NOT printed", err)
        self.assertIn("changed after the slip was issued", err)
        self.assertNotIn("kikan slip print", err, "a changed slip must not be offered again")
        self.assertEqual(cups.job_files("slips"), [])
        row, rec = self.assert_one_attempt("failed", "slips")
        self.assertTrue(rec["pdf_changed"])
        self.assertIsNone(row[2])

    def test_unknown_queue(self):
        """A queue CUPS does not have: plain message, recorded as failed."""
        self.start_cups()
        self.add_slip()
        self.conf(queue="nosuchqueue")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("The printer 'nosuchqueue' is not set up on this kiosk",
                      r.stderr.decode("utf-8"))
        self.assert_one_attempt("failed", "nosuchqueue")

    def test_no_print_service(self):
        """A server socket nobody listens on: "No print service is running"."""
        path, digest = self.add_slip()
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[print]\nqueue = slips\nserver = %s\n" % os.path.join(self.tmp, "no.sock"))
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("No print service is running", r.stderr.decode("utf-8"))
        self.assert_one_attempt("failed", "slips")
        self.assert_archived(path, digest)


class SlipPrintBadInput(SlipPrintTestCase):

    def test_unknown_slip(self):
        r, doc = self.print_slip(number="K-0000-\x1b[2J")
        self.assertEqual(r.rc, 2, r.describe())
        err = r.stderr.decode("utf-8")
        self.assertIn("There is no slip numbered", err)
        self.assertNotIn("\x1b", err, "the number must be escaped")
        self.assertEqual(self.prints(), [])

    def test_config_key_named(self):
        """A typo in [print] is an error naming the key, not a silent default."""
        self.add_slip()
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[print]\nqueu = slips\n")
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("[print] queu is not a known key", r.stderr.decode("utf-8"))
        self.assertEqual(self.prints(), [])
        for bad in ("queue = a/b", "timeout_s = 0", "timeout_s = 9999999", "server = a b:1"):
            with open(os.path.join(self.home, "kikan.conf"), "w") as f:
                f.write("[print]\n%s\n" % bad)
            r, doc = self.print_slip()
            self.assertEqual(r.rc, 2, bad + "\n" + r.describe())
            self.assertIn("[print] %s" % bad.split()[0], r.stderr.decode("utf-8"))
        self.assertEqual(self.prints(), [])

    def test_pdf_path_outside_home_refused(self):
        """A slips row whose pdf_path leaves $KIKAN_HOME is never followed."""
        self.add_slip(pdf_path="../../../etc/passwd")
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[print]\nqueue = slips\nserver = %s\n" % os.path.join(self.tmp, "no.sock"))
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("does not name a file inside the Kikan state directory",
                      r.stderr.decode("utf-8"))
        row, rec = self.assert_one_attempt("failed", "slips")
        self.assertTrue(rec["pdf_changed"])

    def test_symlinked_pdf_refused(self):
        """The archived PDF replaced by a symbolic link (to a file with the
        right bytes, even) is not read: O_NOFOLLOW."""
        path, digest = self.add_slip()
        os.rename(path, path + ".real")
        os.symlink(path + ".real", path)
        r, doc = self.print_slip()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn("cannot be read", r.stderr.decode("utf-8"))
        self.assert_one_attempt("failed", None)
