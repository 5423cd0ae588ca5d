"""Red-team round of the signed clearance slip, its printing and the network
team's lists (issue #10 items 4-7; docs/slip.md, docs/printing.md,
docs/netlist.md, docs/audit.md).

The network team trusts a slip at the LAN port; the employee holds the
paper (and may edit what a QR code says); the kiosk may be stolen (the
thief holds the store and keys/, Python's zlib and PyNaCl).  A test that
failed when it was written (a real weakness, since fixed) carries a
one-line comment "# WAS WRONG (fixed): …; RIGHT: …"; the others are
attacks that held, kept so that they keep holding.
Run with Debian's python3 (python3-nacl).
"""

import json
import os
import resource
import sqlite3
import subprocess
import threading
import time
import zlib

import nacl.signing

from kikan_it import kikan_bin
from test_audit_seal import record_hash
from test_slip import SlipTestCase, run

ESCAPES = (b"\x1b", b"\x07", b"\x9b", b"\xc2\x9b", "\u202e".encode())
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


# ---------------------------------------------------------------- the code

def b45_encode(data):
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [B45[n % 45], B45[(n // 45) % 45], B45[n // 2025]]
    if len(data) % 2:
        out += [B45[data[-1] % 45], B45[data[-1] // 45]]
    return "".join(out)


def b45_decode(text):
    out = bytearray()
    for i in range(0, len(text), 3):
        g = [B45.index(c) for c in text[i:i + 3]]
        v = sum(d * 45 ** k for k, d in enumerate(g))
        out += v.to_bytes(2 if len(g) == 3 else 1, "big")
    return bytes(out)


def cbor_head(major, n, short=True):
    if short and n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if (short and n < 256 ** size) or (not short and size == 2):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError(n)


def cbor_enc(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return cbor_head(0, v)
    if isinstance(v, bytes):
        return cbor_head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode("utf-8")
        return cbor_head(3, len(b)) + b
    if isinstance(v, list):
        return cbor_head(4, len(v)) + b"".join(cbor_enc(x) for x in v)
    if isinstance(v, dict):
        return cbor_head(5, len(v)) + b"".join(cbor_enc(k) + cbor_enc(x) for k, x in v.items())
    raise TypeError(v)


def cbor_dec(b, i=0):
    ib = b[i]
    major, ai = ib >> 5, ib & 31
    i += 1
    if major == 7:
        return {20: False, 21: True}[ai], i
    if ai < 24:
        n = ai
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
        n = int.from_bytes(b[i:i + size], "big")
        i += size
    if major == 0:
        return n, i
    if major in (2, 3):
        s = b[i:i + n]
        return (s if major == 2 else s.decode("utf-8")), i + n
    if major == 4:
        out = []
        for _ in range(n):
            x, i = cbor_dec(b, i)
            out.append(x)
        return out, i
    if major == 5:
        out = {}
        for _ in range(n):
            k, i = cbor_dec(b, i)
            out[k], i = cbor_dec(b, i)
        return out, i
    raise ValueError(ib)


def unwrap(payload):
    """(protected bytes, signature, protected map) of a KS1 code."""
    outer, _ = cbor_dec(zlib.decompress(b45_decode(payload[4:])))
    prot, sig = outer
    return prot, sig, cbor_dec(prot)[0]


def wrap(prot, sig, level=9, outer=None):
    raw = outer if outer is not None else cbor_enc([prot, sig])
    return "KS1:" + b45_encode(zlib.compress(raw, level))


def signed(prot, context=b"kikan-slip-v1\0"):
    return context + prot


def capped_run_setup(env, mem):
    """An address-space cap for a hostile input's sake; an ASan build
    reserves terabytes of shadow, so there the allocator is capped instead
    (and returns NULL, as a capped malloc would).  Returns (preexec_fn,
    env, resident MiB allowed)."""
    with open(kikan_bin(), "rb") as f:
        asan = b"__asan_init" in f.read()
    if not asan:
        def cap():
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        return cap, env, 64
    env = dict(env)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
        ":allocator_may_return_null=1:max_allocation_size_mb=%d" % (mem >> 21)
    return None, env, 192


class SlipRedteamCase(SlipTestCase):

    def signer(self):
        """The stolen kiosk key (keys/kiosk.ed25519: seed || public key)."""
        with open(os.path.join(self.home, "keys", "kiosk.ed25519")) as f:
            return nacl.signing.SigningKey(bytes.fromhex(f.read().strip())[:32])

    def assert_refused(self, payload, *extra, why=None):
        r, v = self.verify(payload, *extra)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertFalse(v["valid"], v)
        if why is not None:
            self.assertIn(why, v["why"], v)
        return v

    def unlock(self, con):
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                   ).fetchall():
            con.execute('DROP TRIGGER "%s"' % name)

    def limited(self, argv, mem=512 << 20, timeout=30):
        """kikan with its memory capped (a hostile code must not take the
        machine's memory) and a deadline."""
        cap, env, _ = capped_run_setup(self.env(), mem)
        t0 = time.monotonic()
        try:
            p = subprocess.run([kikan_bin()] + argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               preexec_fn=cap, timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("kikan %s did not finish within %d s" % (" ".join(argv), timeout))
        return p, time.monotonic() - t0


# ---------------------------------------------------------------- the payload

class SlipPayloadRedteam(SlipRedteamCase):
    """The employee (or anyone between the kiosk and the LAN port) edits
    the code; the thief signs with the stolen key."""

    def setUp(self):
        super().setUp()
        self.public_key, self.key_file = self.init_kiosk()
        self.doc, self.run_ = self.conditional_checkin()
        self.slip = self.doc["slip"]
        self.prot, self.sig, self.map = unwrap(self.slip["payload"])
        # The test's codec is the kiosk's: the code re-encodes to itself.
        self.assertEqual(wrap(self.prot, self.sig), self.slip["payload"])
        self.assertNotEqual(self.map[9], 0, "the setUp check-in must not be CLEARED")

    def test_not_cleared_slip_rewritten_as_cleared_refused(self):
        """Verdict bytes changed to CLEARED (overall and every item),
        re-compressed and re-encoded: the signature fails."""
        m = dict(self.map)
        m[9] = 0
        m[10] = [[a, 0, []] for a, _, _ in m[10]]
        forged = wrap(cbor_enc(m), self.sig)
        self.assert_refused(forged, "--public-key", self.public_key, why="FORGED OR CHANGED")
        r = self.kikan("audit", "verify", "--slip", forged)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED signature", r.stdout)

    def test_validity_window_stretched_refused(self):
        m = dict(self.map)
        m[6] = m[6] + 30 * 86400
        forged = wrap(cbor_enc(m), self.sig)
        self.assert_refused(forged, "--public-key", self.public_key, why="FORGED OR CHANGED")
        self.assert_refused(forged, "--public-key", self.public_key,
                            "--at", str(self.map[6] + 86400))

    def test_copy_presented_as_original_refused(self):
        r = self.kikan("slip", "reprint", self.slip["number"], "--json")
        self.assertEqual(r.rc, 0, r.describe())
        copy = json.loads(r.stdout)
        prot, sig, m = unwrap(copy["payload"])
        self.assertTrue(m[13])
        r, v = self.verify(copy["payload"])
        self.assertTrue(v["copy"])
        self.assertIn(b"COPY", self.kikan("slip", "verify", copy["payload"]).stdout)
        m = dict(m)
        m[13] = False
        self.assert_refused(wrap(cbor_enc(m), sig), why="FORGED OR CHANGED")

    def test_reprint_does_not_extend_the_validity_window(self):
        # WAS WRONG (fixed): a reprint (COPY) made two days after the check-in gets a fresh valid_until (now + valid_hours), so a lost slip reprinted by IT re-admits a device whose clearance already expired (the network lists say "expired"); RIGHT: a reprint carries the original slip's issued_at/valid_until (a copy allows nothing the original did not), or it is refused as expired and IT issues a new slip after a new decision.
        later = self.map[6] + 48 * 3600
        r = self.kikan("slip", "reprint", self.slip["number"], "--json",
                       env=self.env(KIKAN_FAKE_NOW=str(later)))
        self.assertEqual(r.rc, 0, r.describe())
        copy = json.loads(r.stdout)
        _, _, m = unwrap(copy["payload"])
        self.assertLessEqual(m[6], self.map[6], "the copy is valid longer than the original")
        self.assert_refused(copy["payload"], "--at", str(later + 60), why="EXPIRED")

    def test_other_encodings_of_the_same_signed_bytes(self):
        """Other zlib levels decode to the very same signed slip (no change
        of content is possible); a non-shortest CBOR head, bytes after the
        zlib stream or after the outer array, lower case, and a space or a
        newline inside the code are refused.  Whitespace around the code
        (a scanner's newline) is not part of it."""
        _, original = self.verify(self.slip["payload"])
        for level in (0, 1, 6):
            other = wrap(self.prot, self.sig, level)
            r, v = self.verify(other)
            if r.rc in (0, 3):  # 3: genuine, not cleared for reconnection
                self.assertEqual(v, original, level)
            else:
                self.assertEqual(r.rc, 1, r.describe())
        long_head = cbor_head(4, 2) + cbor_head(2, len(self.prot), short=False) + self.prot \
            + cbor_enc(self.sig)
        self.assert_refused(wrap(self.prot, self.sig, outer=long_head))
        self.assert_refused(wrap(self.prot, self.sig, outer=cbor_enc([self.prot, self.sig])
                                 + b"\x00"))
        z = zlib.compress(cbor_enc([self.prot, self.sig]), 9)
        self.assert_refused("KS1:" + b45_encode(z + b"\x00"))
        self.assert_refused("KS1:" + b45_encode(z[:-1]))
        p = self.slip["payload"]
        for bad in ("ks1:" + p[4:], "KS1:" + p[4:].lower(), p[:40] + "\n" + p[40:],
                    p[:40] + " " + p[40:], p[:40] + "\t" + p[40:], p + "0",
                    p[:40] + "\u00a0" + p[40:], p + "\x7f"):
            r = self.kikan("slip", "verify", bad)
            self.assertIn(r.rc, (1, 2), r.describe())
            self.assertNotIn(b"VALID: genuine", r.stdout)
        r, v = self.verify(p + "\r\n")
        self.assertEqual((r.rc, v), (3, original))
        scanned = os.path.join(self.tmp, "scanned.txt")
        with open(scanned, "w") as f:
            f.write(" \r\n" + p + "\r\n\n")
        r, v = self.verify(scanned)
        self.assertEqual((r.rc, v), (3, original))

    def test_size_caps_zip_bomb_and_deep_nesting(self):
        """Over the 8192-character cap, a deflate bomb (4 MiB of zeros in
        under 8192 characters) and deeply nested CBOR are refused at once."""
        for payload in ("KS1:" + "0" * 8189, "KS1:" + "0" * 8188, "KS1:" + "0" * 100000):
            r, v = self.verify(payload)
            self.assertEqual(r.rc, 1, r.describe())
        bomb = "KS1:" + b45_encode(zlib.compress(b"\x00" * (4 << 20), 9))
        self.assertLess(len(bomb), 8192)
        nested = "KS1:" + b45_encode(zlib.compress(b"\x81" * 200000 + b"\x00", 9))
        nested_map = "KS1:" + b45_encode(zlib.compress(
            cbor_enc([b"\xa1\x01" * 2000 + b"\x00", self.sig]), 9))
        for payload in (bomb, nested, nested_map):
            p, took = self.limited(["slip", "verify", payload, "--json"], mem=256 << 20)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertLess(took, 10)
            self.assertFalse(json.loads(p.stdout)["valid"])
        p, _ = self.limited(["audit", "verify", "--slip", bomb], mem=256 << 20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"FAILED decode", p.stdout)

    def test_signature_over_another_context_refused(self):
        """With the stolen key: the slip's signed part signed raw, under the
        seal's or a bumped context, or without the NUL, is no slip; the
        netlist's and a seal's signatures made by the same key are no slip
        signature.  (The right context with the stolen key is accepted:
        the harness is right, and a stolen key is a stolen key.)"""
        sk = self.signer()
        self.assertEqual(sk.verify_key.encode().hex(), self.public_key)
        for ctx in (b"", b"kikan-slip-v1", b"kikan-slip-v2\0", b"kikan-seal-v1\0",
                    b"kikan-slip-v1\0\0", b"KIKAN-SLIP-V1\0"):
            s = sk.sign(signed(self.prot, ctx)).signature
            self.assert_refused(wrap(self.prot, s), why="FORGED OR CHANGED")
        good = sk.sign(signed(self.prot)).signature
        self.assertEqual(good, self.sig)  # Ed25519 is deterministic
        out = os.path.join(self.tmp, "netlist")
        r = self.kikan("netlist", "export", "--out", out)
        self.assertEqual(r.rc, 0, r.describe())
        with open(os.path.join(out, "SHA256SUMS.sig")) as f:
            netsig = bytes.fromhex(f.read().strip())
        with open(os.path.join(out, "SHA256SUMS"), "rb") as f:
            sums = f.read()
        self.assert_refused(wrap(self.prot, netsig))
        r, _ = self.verify(wrap(sums, netsig))  # the signed bytes as the "signed part"
        self.assertEqual(r.rc, 1, r.describe())
        seals = [bytes.fromhex(s) for (s,) in self.sql(
            "SELECT signature FROM audit_seals WHERE signature IS NOT NULL")]
        self.assertTrue(seals)
        for s in seals[-3:]:
            self.assert_refused(wrap(self.prot, s))


class SlipVerifyFileRedteam(SlipRedteamCase):
    """`kikan slip verify FILE` and `kikan audit verify --slip FILE` on
    files that are not what a scanner writes."""

    def setUp(self):
        super().setUp()
        self.public_key, _ = self.init_kiosk()
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        self.slip = doc["slip"]
        self.assertIsNotNone(self.slip, r.describe())

    def measured(self, argv, mem=512 << 20, timeout=30):
        """kikan under a 512 MiB memory cap (for the machine's sake):
        (exit status, stderr, peak resident MiB, resident MiB allowed)."""
        cap, env, allowed = capped_run_setup(self.env(), mem)
        t0 = time.monotonic()
        p = subprocess.Popen([kikan_bin()] + argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                             preexec_fn=cap)
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > t0 + timeout:
                p.kill()
                os.wait4(p.pid, 0)
                self.fail("kikan %s did not finish within %d s" % (" ".join(argv), timeout))
            time.sleep(0.05)
        err = p.stderr.read()
        p.stderr.close()
        return os.waitstatus_to_exitcode(status), err, ru.ru_maxrss / 1024, allowed

    def test_symlink_to_dev_zero_refused(self):
        # WAS WRONG (fixed): `slip verify FILE` and `audit verify --slip FILE` read FILE whole (g_file_get_contents) before the length check, so a symlink to /dev/zero (or a FIFO or device that never ends) grows the buffer until allocation fails: here over 256 MiB resident under a 512 MiB cap, and "Could not allocate 536870912 bytes to read file" instead of "not a slip code"; without a cap it takes the machine's memory; RIGHT: read at most 4 × 8192 + 1 bytes from FILE, refuse a longer or non-regular file as "not a slip code", exit 2.
        link = os.path.join(self.tmp, "scanned.txt")
        os.symlink("/dev/zero", link)
        for argv in (["slip", "verify", link], ["audit", "verify", "--slip", link]):
            rc, err, mib, allowed = self.measured(argv)
            self.assertEqual(rc, 2, (argv, rc, err[-2000:]))
            self.assertLess(mib, allowed, (argv, "MiB resident", err[-2000:]))
            self.assertIn(b"not a slip code", err)

    def test_huge_file_refused_without_reading_it(self):
        # WAS WRONG (fixed): a 400 MiB (sparse) file is read whole into memory (400 MiB resident) before it is refused as too long; RIGHT: a bounded read (at most 4 × 8192 + 1 bytes), then "not a slip code (too long)", exit 2.
        big = os.path.join(self.tmp, "huge.txt")
        with open(big, "wb") as f:
            f.write((self.slip["payload"] + "\n").encode())
            f.truncate(400 << 20)
        for argv in (["slip", "verify", big], ["audit", "verify", "--slip", big]):
            rc, err, mib, allowed = self.measured(argv)
            self.assertEqual(rc, 2, (argv, rc, err[-2000:]))
            self.assertLess(mib, allowed, (argv, "MiB resident", err[-2000:]))
            self.assertIn(b"not a slip code", err)

    def test_hostile_code_taken_as_a_file_name_is_escaped(self):
        # WAS WRONG (fixed): a scanned code that does not start with "KS1:" is taken as a FILE name, and the "Failed to open file" error prints it raw: a QR code the employee made ("\x1b]0;…\x07", "\u202e") reaches the network team's terminal as escape sequences; RIGHT: every message naming FILE (GLib's file errors included) passes it through kikan_escape_for_display, as the "not a slip code" message already does.
        hostile = "\x1b]0;VALID\x07\x1b[2J\u202eKS1:ABC"
        for argv in (["slip", "verify", hostile], ["audit", "verify", "--slip", hostile]):
            r = self.kikan(*argv)
            self.assertEqual(r.rc, 2, r.describe())
            for e in ESCAPES:
                self.assertNotIn(e, r.stdout + r.stderr, argv)

    def test_pdf_and_names_that_look_like_the_other(self):
        """The slip's PDF is not a code; a file whose name starts with
        "KS1:" is taken as a code (and is no valid one), not read; a code
        that does not start with "KS1:" is taken as a file name, which
        does not exist; hostile names come back escaped."""
        for argv in (["slip", "verify", self.slip["pdf"]],
                     ["audit", "verify", "--slip", self.slip["pdf"]]):
            r = self.kikan(*argv)
            self.assertEqual(r.rc, 2, r.describe())
            self.assertIn(b"not a slip code", r.stderr)
        cwd = self.mkdir("cwd")
        name = "KS1:" + "A" * 30
        with open(os.path.join(cwd, name), "w") as f:
            f.write(self.slip["payload"] + "\n")
        p = subprocess.run([kikan_bin(), "slip", "verify", name], cwd=cwd, env=self.env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(b"INVALID", p.stdout)
        r = self.kikan("slip", "verify", "ks1:" + self.slip["payload"][4:])
        self.assertEqual(r.rc, 2, r.describe())
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        threading.Thread(target=lambda: open(fifo, "w").write(self.slip["payload"]),
                         daemon=True).start()
        r = self.kikan("slip", "verify", fifo, timeout=30)
        self.assertIn(r.rc, (0, 2), r.describe())


# ---------------------------------------------------------------- superseded

class SlipSupersededRedteam(SlipRedteamCase):
    """A CLEARED slip is handed out; later the same device is quarantined
    (IT override) and a new slip is issued.  The old paper still exists."""

    def setUp(self):
        super().setUp()
        self.sql("UPDATE assets SET encryption_required = 0")
        self.sql("DELETE FROM loans WHERE asset_id IN ('LT-0003', 'USB-0008')")
        self.public_key, _ = self.init_kiosk()
        self.doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                                    "present": [{"asset": "USB-0007",
                                                 "medium": self.fat("clean7", False)}]})
        self.assertEqual(self.doc["verdict"], "cleared", r.describe())
        self.old = self.doc["slip"]
        r = self.kikan("it", "override", str(self.doc["session_id"]), "USB-0007", "--by",
                       "it02", "--verdict", "quarantine", "--reason", "beacon seen by the SOC")
        self.assertEqual(r.rc, 0, r.describe())
        r = self.kikan("slip", "issue", str(self.doc["session_id"]), "--json")
        self.assertEqual(r.rc, 0, r.describe())
        self.new = json.loads(r.stdout)

    def test_new_slip_says_quarantine_old_one_still_genuine(self):
        """Offline, the old code is genuine until its window ends (the
        network team's list is what revokes it: see the netlist test)."""
        r, v = self.verify(self.new["payload"])
        self.assertEqual(v["verdict"], "quarantine", v)
        self.assertIn("IT", self.pdftotext(self.new["pdf"]))
        r, v = self.verify(self.old["payload"])
        self.assertEqual((r.rc, v["verdict"]), (0, "cleared"))
        _, _, m_old = unwrap(self.old["payload"])
        _, _, m_new = unwrap(self.new["payload"])
        self.assertEqual(m_old[4], m_new[4], "same session")
        self.assertGreater(m_new[11], m_old[11], "the later slip witnesses a later head")

    def test_audit_verify_slip_names_a_superseded_slip(self):
        # WAS WRONG (fixed): `kikan audit verify --slip OLD` says "The slip matches this kiosk's audit trail" (exit 0) for a CLEARED slip whose session was since overridden to QUARANTINE and re-slipped, without a word about it; RIGHT: the witness also reports what happened to the slip's session after the slip (later verdicts, later slips by number) and says the slip is superseded, so an auditor or the desk checking a slip learns it no longer reflects the decision in force.
        r = self.kikan("audit", "verify", "--slip", self.old["payload"])
        out = r.stdout.decode("utf-8")
        self.assertIn(self.new["number"], out, r.describe())
        self.assertRegex(out.lower(), r"superseded|no longer|quarantine", r.describe())

    def test_netlist_watches_the_device_after_the_later_quarantine(self):
        out = os.path.join(self.tmp, "netlist")
        r = self.kikan("netlist", "export", "--out", out, "--json")
        self.assertEqual(r.rc, 0, r.describe())
        with open(os.path.join(out, "netlist.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual([e["asset_id"] for e in doc["cleared"]], [])
        w = [e for e in doc["watch"] if e["asset_id"] == "USB-0007"]
        self.assertEqual(len(w), 1, doc)
        self.assertEqual(w[0]["watch_reason"], "quarantine")
        self.assertEqual(w[0]["slip_number"], self.new["number"])

    def test_netlist_expired_and_lost_items(self):
        """A clearance past its slip's window is watched as expired; a
        device declared lost (NOT RETURNED) is watched, never cleared."""
        self.sql("INSERT INTO loans (asset_id, employee_id, lent_on, telework_method) VALUES "
                 "('USB-0008', 'E2002', '2026-10-01', 'standalone')")
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers(),
                               "missing": [{"asset": "USB-0008", "declared": "lost"}]})
        self.assertNotEqual(doc["verdict"], "cleared", r.describe())
        later = str(unwrap(self.new["payload"])[2][6] + 3600)
        out = os.path.join(self.tmp, "later")
        r = self.kikan("netlist", "export", "--out", out, "--json",
                       env=self.env(KIKAN_FAKE_NOW=later))
        self.assertEqual(r.rc, 0, r.describe())
        with open(os.path.join(out, "netlist.json"), encoding="utf-8") as f:
            doc = json.load(f)
        self.assertEqual(doc["cleared"], [])
        reasons = {e["asset_id"]: e["watch_reason"] for e in doc["watch"]}
        self.assertEqual(reasons.get("USB-0008"), "not_returned", doc)


# ---------------------------------------------------------------- issuing

class SlipIssueRedteam(SlipRedteamCase):

    def setUp(self):
        super().setUp()
        self.public_key, _ = self.init_kiosk()

    def slips_dir(self):
        return os.path.join(self.home, "slips", time.strftime("%Y", time.gmtime()))

    def test_session_not_ended_gets_no_slip(self):
        """A check-in killed half-way (open, then incomplete after the
        next start) gets no slip."""
        r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                       self.db_test6(), "--kiosk-id", "kiosk-test", "--script",
                       self.script({"employee": "E2002", "answers": self.clean_answers()}),
                       env=self.env(KIKAN_TEST_KILL_AT="2"))
        self.assertLess(r.rc, 0, r.describe())
        sid, state = self.sql("SELECT id, state FROM sessions ORDER BY id DESC LIMIT 1")[0]
        self.assertNotEqual(state, "ended")
        r = self.kikan("slip", "issue", str(sid))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"has not ended", r.stderr)
        self.kikan("checkin", "--recover")
        state = self.sql("SELECT state FROM sessions WHERE id = ?", (sid,))[0][0]
        self.assertNotEqual(state, "ended")
        r = self.kikan("slip", "issue", str(sid))
        self.assertEqual(r.rc, 2, r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM slips"), [(0,)])
        self.assertEqual(self.kikan("audit", "verify").rc, 0)

    def test_crash_between_pdf_and_commit_does_not_block_later_slips(self):
        # WAS WRONG (fixed): a crash after the PDF is renamed into slips/ and before the COMMIT leaves <number>.pdf with no row; the number is max(id)+1 again next time, so every later slip (every check-in's) is refused with "already exists … no slip was issued" until someone deletes the file by hand; RIGHT: an orphan PDF is moved aside (kept for the auditor, e.g. <number>.orphan-<time>.pdf, with an audit record) and the slip issued, or numbers are never reused.
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        sid = doc["session_id"]
        before = self.sql("SELECT count(*) FROM slips")[0][0]
        r = self.kikan("slip", "issue", str(sid), env=self.env(KIKAN_TEST_KILL_AUDIT="1"))
        self.assertLess(r.rc, 0, r.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM slips")[0][0], before)
        orphans = [f for f in os.listdir(self.slips_dir()) if f.endswith(".pdf")]
        self.assertEqual(len(orphans), before + 1, "the crash left its PDF")
        self.assertEqual(self.kikan("audit", "verify").rc, 0)
        r = self.kikan("slip", "issue", str(sid), "--json")
        self.assertEqual(r.rc, 0, r.describe())
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        self.assertIsNotNone(doc["slip"], r.describe())

    def test_unwritable_slips_folder_commits_nothing(self):
        """slips/<YYYY> is a file (root ignores a read-only mode): no PDF,
        no row, no record; the check-in is still recorded and says NO
        SLIP; the chain holds."""
        os.makedirs(os.path.join(self.home, "slips"), exist_ok=True)
        with open(self.slips_dir(), "w") as f:
            f.write("not a folder")
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        self.assertEqual(doc["state"], "ended", r.describe())
        self.assertIsNone(doc["slip"])
        self.assertIn(b"NO SLIP", r.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM slips"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'slip_issued'"), [(0,)])
        os.unlink(self.slips_dir())
        r = self.kikan("slip", "issue", str(doc["session_id"]), "--json")
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(self.kikan("audit", "verify").rc, 0)

    def test_concurrent_issue_for_the_same_session(self):
        """Four `slip issue` at once: distinct numbers, one row, one record
        and one PDF each; a loser fails cleanly; no PDF without a row."""
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        sid = str(doc["session_id"])
        results = []

        def one():
            p = subprocess.run([kikan_bin(), "slip", "issue", sid, "--json"], env=self.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
            results.append(p)

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [json.loads(p.stdout) for p in results if p.returncode == 0]
        for p in results:
            self.assertIn(p.returncode, (0, 2), p.stderr)
        self.assertGreaterEqual(len(ok), 1, [p.stderr for p in results])
        numbers = [s["number"] for s in ok]
        self.assertEqual(len(set(numbers)), len(numbers))
        rows = self.sql("SELECT number, pdf_sha256 FROM slips")
        self.assertEqual(len(rows), 1 + len(ok))
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'slip_issued'")[0][0], len(rows))
        pdfs = sorted(f for f in os.listdir(self.slips_dir()) if f.endswith(".pdf"))
        self.assertEqual(pdfs, sorted(n + ".pdf" for (n, _) in rows))
        self.assertEqual([f for f in os.listdir(self.slips_dir()) if f.endswith(".tmp")], [])
        self.assertEqual(self.kikan("audit", "verify").rc, 0)
        for s in ok:
            r = self.kikan("audit", "verify", "--slip", s["payload"])
            self.assertEqual(r.rc, 0, r.describe())

    def test_slip_numbers_collide_across_kiosks_but_slips_do_not(self):
        """Two kiosks both issue 000001-xx: each slip verifies only with
        its own kiosk's key, and names its kiosk."""
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        ours = doc["slip"]
        other = self.mkdir("other-home")
        other_pk, _ = self.init_kiosk(home=other, kiosk_id="K2")
        con = sqlite3.connect(os.path.join(other, "kikan.db"))
        con.execute("INSERT INTO employees (id, name, updated_at) VALUES ('E2002', 'Sato', "
                    "'2026-11-01T00:00:00Z')")
        con.commit()
        con.close()
        r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                       self.db_test6(), "--script",
                       self.script({"employee": "E2002", "answers": self.clean_answers()}),
                       env=self.env(KIKAN_HOME=other))
        theirs = json.loads(r.stdout)["slip"]
        self.assertEqual(theirs["number"], ours["number"])
        self.assert_refused(theirs["payload"], "--public-key", self.public_key)
        self.assert_refused(ours["payload"], "--public-key", other_pk)
        r = self.kikan("audit", "verify", "--slip", theirs["payload"])
        self.assertEqual(r.rc, 1, r.describe())
        _, v = self.verify(theirs["payload"], "--public-key", other_pk)
        self.assertEqual(v["kiosk"], "K2")


# ---------------------------------------------------------------- the PDF

class SlipPdfRedteam(SlipRedteamCase):

    def setUp(self):
        super().setUp()
        self.init_kiosk()

    def test_markup_bidi_and_zero_width_in_name_and_override(self):
        """Pango markup, a right-to-left override and zero-width characters
        in the employee name and in an IT override's reason reach the PDF
        as visible text, in both languages; the verdict band still reads
        what the store decided."""
        name = ('<span foreground="white">Sato</span>\u202eENITNARAUQ\u202c'
                '\u200dZW\u200bJ\u2066x\u2069</b>&amp;')
        self.sql("UPDATE employees SET name = ? WHERE id = 'E1001'", (name,))
        doc, r = self.conditional_checkin()
        sid = str(doc["session_id"])
        reason = '</span><span size="1">CLEARED</span>\u202edeRAELC\u200d'
        r = self.kikan("it", "override", sid, "USB-0007", "--by", "it02", "--verdict",
                       "quarantine", "--reason", reason)
        self.assertEqual(r.rc, 0, r.describe())
        for lang, word in (("ja", "隔離"), ("en", "QUARANTINE")):
            r = self.kikan("slip", "issue", sid, "--lang", lang, "--layout", "a4", "--json")
            self.assertEqual(r.rc, 0, r.describe())
            s = json.loads(r.stdout)
            text = self.pdftotext(s["pdf"])
            self.assertIn('<span foreground="white">Sato</span>', text)
            self.assertIn('</span><span size="1">CLEARED</span>', text)
            for ch in ("\u202e", "\u202c", "\u200d", "\u200b", "\u2066", "\u2069"):
                self.assertNotIn(ch, text, (lang, repr(ch)))
            self.assertIn("\\u{202E}", text)
            self.assertIn(word, text)
            self.assertEqual(self.qr_payloads(s["pdf"]), [s["payload"]])
            _, v = self.verify(s["payload"])
            self.assertEqual(v["verdict"], "quarantine")

    def test_long_name_and_reason_keep_verdict_qr_and_contacts(self):
        """A 4000-character name and a 4000-character override reason: the
        verdict, the reminder, the phone and a readable QR are all still on
        the slip, receipt and A4, ja and en."""
        self.sql("UPDATE employees SET name = ? WHERE id = 'E1001'",
                 ("山田" * 1000 + "W" * 2000,))
        doc, r = self.conditional_checkin()
        sid = str(doc["session_id"])
        r = self.kikan("it", "override", sid, "USB-0007", "--by", "it02", "--verdict",
                       "quarantine", "--reason", "x" * 4000)
        if r.rc != 0:
            self.assertEqual(r.rc, 2, r.describe())   # a length cap is fine
        for layout in ("receipt", "a4"):
            for lang, words in (("ja", ["03-1234-5678", "不利益を受けることはありません"]),
                                ("en", ["03-1234-5678", "Nobody is punished"])):
                r = self.kikan("slip", "issue", sid, "--lang", lang, "--layout", layout,
                               "--json", timeout=300)
                self.assertEqual(r.rc, 0, r.describe())
                s = json.loads(r.stdout)
                text = self.pdftotext(s["pdf"])
                for w in words + [s["number"]]:
                    self.assertIn(w, text, (layout, lang, w))
                self.assertEqual(self.qr_payloads(s["pdf"]), [s["payload"]], (layout, lang))

    def test_never_cleared_for_what_was_not_inspected(self):
        """Items not presented never read CLEARED or "no malware found" on
        the slip; the one presented stick says what was checked."""
        doc, r = self.conditional_checkin()
        text = self.pdftotext(doc["slip"]["pdf"])
        r = self.kikan("slip", "issue", str(doc["session_id"]), "--lang", "en", "--json")
        en = self.pdftotext(json.loads(r.stdout)["pdf"])
        self.assertNotIn("CLEARED – may reconnect", en)
        for asset in ("LT-0003", "USB-0008"):
            i = en.index(asset)
            self.assertNotIn("CLEARED", en[i:i + 60])
        _, v = self.verify(doc["slip"]["payload"])
        for it in v["items"]:
            if it["asset"] in ("LT-0003", "USB-0008"):
                self.assertNotIn(it["verdict"], ("cleared", "conditional"), v)
        self.assertNotIn("合格 –", text)


# ---------------------------------------------------------------- witness

class SlipWitnessRedteam(SlipRedteamCase):

    def setUp(self):
        super().setUp()
        self.public_key, _ = self.init_kiosk()
        self.doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        self.slip = self.doc["slip"]

    def test_issued_record_removed_and_chain_recomputed(self):
        """The thief (no sealing key) removes the slip_issued record and
        what follows, and the slips rows: the slip names the missing
        record, and the trail's seals name the cut."""
        seq = self.sql("SELECT seq FROM audit_records WHERE kind = 'slip_issued'")[0][0]
        con = sqlite3.connect(self.db)
        self.unlock(con)
        con.execute("DELETE FROM audit_records WHERE seq >= ?", (seq,))
        con.execute("DELETE FROM slip_prints")
        con.execute("DELETE FROM slips")
        con.execute("DELETE FROM audit_seals WHERE seq >= ?", (seq,))
        con.commit()
        con.close()
        r = self.kikan("audit", "verify", "--slip", self.slip["payload"])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED issued record", r.stdout)
        r = self.kikan("audit", "verify")
        self.assertNotEqual(r.rc, 0, r.describe())

    def test_issued_record_rewritten_with_chain_recomputed(self):
        """The slip_issued record's payload replaced by another slip's, and
        every later hash recomputed (hashes are unkeyed): the witness
        names the issued record, and the seals name the rewrite."""
        r = self.kikan("slip", "reprint", self.slip["number"], "--json")
        copy = json.loads(r.stdout)
        con = sqlite3.connect(self.db)
        self.unlock(con)
        rows = con.execute("SELECT seq, at, kind, session_id, payload, prev_hash FROM "
                           "audit_records ORDER BY seq").fetchall()
        first = [s for (s, _, k, _, p, _) in rows if k == "slip_issued"
                 and json.loads(p)["number"] == self.slip["number"]][0]
        prev = None
        for seq, at, kind, session_id, payload, prev_hash in rows:
            if seq < first:
                prev = con.execute("SELECT hash FROM audit_records WHERE seq = ?",
                                   (seq,)).fetchone()[0]
                continue
            if seq == first:
                p = json.loads(payload)
                p["payload"] = copy["payload"]
                payload = json.dumps(p)
            h = record_hash(seq, at, kind, session_id, payload, prev)
            con.execute("UPDATE audit_records SET payload = ?, prev_hash = ?, hash = ? "
                        "WHERE seq = ?", (payload, prev, h, seq))
            prev = h
        con.commit()
        con.close()
        r = self.kikan("audit", "verify", "--slip", self.slip["payload"])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED issued record", r.stdout)
        self.assertNotEqual(self.kikan("audit", "verify").rc, 0)

    def test_stolen_key_slip_with_real_head_and_another_session(self):
        """The thief signs a slip carrying a real number and chain head but
        another session's UUID: the chain's own record of that number
        disagrees."""
        other, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        prot, sig, m = unwrap(self.slip["payload"])
        m = dict(m)
        m[4] = bytes.fromhex(other["session"].replace("-", ""))
        with open(os.path.join(self.home, "keys", "kiosk.ed25519")) as f:
            sk = nacl.signing.SigningKey(bytes.fromhex(f.read().strip())[:32])
        p2 = cbor_enc(m)
        forged = wrap(p2, sk.sign(signed(p2)).signature)
        r, v = self.verify(forged)
        self.assertEqual(r.rc, 0, "the stolen key signs: %s" % r.describe())
        r = self.kikan("audit", "verify", "--slip", forged)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"FAILED issued record", r.stdout)


# ---------------------------------------------------------------- printing

HANG = b"""if [ -e "$out.hang" ]; then echo "INFO: hanging" >&2; sleep 600; fi
"""


class SlipPrintRedteam(SlipRedteamCase):

    def setUp(self):
        super().setUp()
        from cupsd import PrivateCupsd
        self.init_kiosk()
        self.cups = PrivateCupsd(self.tmp)
        self.cups.start()
        self.addCleanup(self.cups.stop)
        self.cups.add_queue("slips")
        self.doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers()})
        self.slip = self.doc["slip"]

    def print_(self, *extra, timeout_s=4):
        with open(os.path.join(self.home, "kikan.conf"), "a", encoding="utf-8") as f:
            f.write("\n[print]\nqueue = slips\nserver = %s\ntimeout_s = %d\n"
                    % (self.cups.socket, timeout_s))
        return self.kikan("slip", "print", self.slip["number"], "--json", *extra, timeout=120)

    def test_printer_that_never_finishes_job_cancelled(self):
        """A backend that never returns: after timeout_s the job is
        cancelled (it cannot come out later) and recorded as failed."""
        be = os.path.join(self.cups.dir, "serverbin", "backend", "kikantest")
        with open(be, "rb") as f:
            text = f.read()
        text = text.replace(b'if [ -e "$out.fail" ]', HANG + b'if [ -e "$out.fail" ]', 1)
        with open(be, "wb") as f:
            f.write(text)
        open(os.path.join(self.cups.jobs, "slips.hang"), "w").close()
        r = self.print_()
        self.assertEqual(r.rc, 2, r.describe() + self.cups.describe())
        self.assertEqual(self.sql("SELECT outcome FROM slip_prints ORDER BY id DESC LIMIT 1"),
                         [("failed",)])
        deadline = time.monotonic() + 20
        while True:
            p = run(["lpstat", "-h", self.cups.socket, "-o", "slips"])
            if not p.stdout.strip() or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(p.stdout.strip(), b"", "the job is still queued: " + self.cups.describe())
        self.assertEqual(self.cups.job_files("slips"), [])
        self.assertEqual(self.kikan("audit", "verify").rc, 0)

    def test_symlinked_slips_folder_and_swapped_pdf(self):
        """slips/ replaced by a symbolic link to a copy elsewhere: a PDF
        that is the same bytes may print, a swapped one is refused and
        never reaches the printer."""
        slips = os.path.join(self.home, "slips")
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.rename(slips, elsewhere)
        os.symlink(elsewhere, slips)
        r = self.print_()
        if r.rc == 0:
            jobs = self.cups.job_files("slips")
            with open(jobs[-1], "rb") as a, open(self.slip["pdf"], "rb") as b:
                self.assertEqual(a.read(), b.read())
        else:
            self.assertEqual(r.rc, 2, r.describe())
        n = len(self.cups.job_files("slips"))
        other = json.loads(self.kikan("slip", "reprint", self.slip["number"], "--json").stdout)
        with open(other["pdf"], "rb") as f:
            swapped = f.read()
        os.unlink(self.slip["pdf"])
        with open(self.slip["pdf"], "wb") as f:
            f.write(swapped)
        r = self.print_()
        self.assertEqual(r.rc, 2, r.describe())
        self.assertEqual(len(self.cups.job_files("slips")), n)
        self.assertEqual(self.kikan("audit", "verify").rc, 0)


# ---------------------------------------------------------------- netlist

class NetlistRedteam(SlipRedteamCase):

    def setUp(self):
        super().setUp()
        self.sql("UPDATE assets SET encryption_required = 0")
        self.sql("DELETE FROM loans WHERE asset_id = 'LT-0003'")
        self.sql("UPDATE loans SET employee_id = 'E2002' WHERE asset_id = 'USB-0008'")
        self.public_key, _ = self.init_kiosk()
        doc, r = self.checkin({"employee": "E1001", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0007",
                                            "medium": self.fat("clean7", False)}]})
        self.assertEqual(doc["verdict"], "cleared", r.describe())
        doc, r = self.checkin({"employee": "E2002", "answers": self.clean_answers(),
                               "present": [{"asset": "USB-0008",
                                            "medium": self.fat("eicar8", True)}]})
        self.assertEqual(doc["verdict"], "quarantine", r.describe())
        self.out = os.path.join(self.tmp, "netlist")
        r = self.kikan("netlist", "export", "--out", self.out)
        self.assertEqual(r.rc, 0, r.describe())

    def nv(self, key=None):
        args = ["netlist", "verify", self.out] + (["--public-key", key] if key else [])
        return self.kikan(*args)

    def remake_sums(self):
        import hashlib
        lines = []
        for name in ("cleared.csv", "watch.csv", "netlist.json"):
            with open(os.path.join(self.out, name), "rb") as f:
                lines.append("%s  %s\n" % (hashlib.sha256(f.read()).hexdigest(), name))
        sums = "".join(lines).encode()
        with open(os.path.join(self.out, "SHA256SUMS"), "wb") as f:
            f.write(sums)
        return sums

    def drop_watch_line(self):
        path = os.path.join(self.out, "watch.csv")
        with open(path, "rb") as f:
            lines = f.read().split(b"\r\n")
        self.assertIn(b"USB-0008", lines[1])
        with open(path, "wb") as f:
            f.write(b"\r\n".join(lines[:1] + lines[2:]))
        jpath = os.path.join(self.out, "netlist.json")
        with open(jpath, encoding="utf-8") as f:
            doc = json.load(f)
        doc["watch"] = []
        with open(jpath, "w", encoding="utf-8") as f:
            json.dump(doc, f)

    def test_line_removed_and_sums_remade_without_the_key(self):
        self.assertEqual(self.nv(self.public_key).rc, 0)
        self.drop_watch_line()
        self.remake_sums()
        for key in (self.public_key, None):
            r = self.nv(key)
            self.assertEqual(r.rc, 1, r.describe())
            self.assertIn(b"do NOT verify", r.stdout)

    def test_line_removed_and_resigned_by_a_thief_key(self):
        """Re-signed with the thief's own key and the folder's public key
        replaced: the kiosk's key refuses it; without a key it is not
        called the kiosk's."""
        self.drop_watch_line()
        sums = self.remake_sums()
        thief = nacl.signing.SigningKey.generate()
        with open(os.path.join(self.out, "SHA256SUMS.sig"), "w") as f:
            f.write(thief.sign(sums).signature.hex() + "\n")
        with open(os.path.join(self.out, "kiosk-public-key.txt"), "w") as f:
            f.write(thief.verify_key.encode().hex() + "\n")
        r = self.nv(self.public_key)
        self.assertEqual(r.rc, 1, r.describe())
        r = self.nv()
        self.assertIn(b"the key in the folder", r.stdout, r.describe())
        self.assertIn(b"--public-key", r.stdout)

    def test_list_of_another_kiosk_refused(self):
        other = self.mkdir("other-home")
        other_pk, _ = self.init_kiosk(home=other, kiosk_id="K2")
        out = os.path.join(self.tmp, "theirs")
        r = self.kikan("netlist", "export", "--out", out, env=self.env(KIKAN_HOME=other))
        self.assertEqual(r.rc, 0, r.describe())
        r = self.kikan("netlist", "verify", out, "--public-key", self.public_key)
        self.assertEqual(r.rc, 1, r.describe())
        r = self.kikan("netlist", "verify", self.out, "--public-key", other_pk)
        self.assertEqual(r.rc, 1, r.describe())

    def test_the_stolen_key_signs_but_slips_never_pass_as_lists(self):
        """A slip's signature over SHA256SUMS' bytes is no list signature
        (the slip context cannot be a sums file)."""
        with open(os.path.join(self.out, "SHA256SUMS"), "rb") as f:
            sums = f.read()
        payload = self.sql("SELECT payload FROM slips ORDER BY id LIMIT 1")[0][0]
        _, sig, _ = unwrap(payload)
        with open(os.path.join(self.out, "SHA256SUMS.sig"), "w") as f:
            f.write(sig.hex() + "\n")
        r = self.nv(self.public_key)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertNotEqual(sums[:14], b"kikan-slip-v1\0")
