"""The sealed audit chain (issue #10 item 2; KR-32, Admin J-5, J-6;
docs/audit.md "Seals").

The kiosk is initialised with `kikan audit init`; the auditor keeps the
verification key (K_0) it prints once.  The tests then play the attacker who
holds the store file AND the kiosk's keys folder (a stolen kiosk): each
tampering must make `kikan audit verify --key` fail and name the record, and
a chain recomputed and re-sealed with the keys found on the disk must still
be rejected, because those keys were derived after the edited record.

The attacker's tools are Python's hashlib (BLAKE2b is libsodium's
crypto_generichash) and PyNaCl (Ed25519), so nothing here calls kikan to
forge anything.
"""

import hashlib
import json
import os
import signal
import sqlite3

import nacl.signing

from test_checkin import CheckinTestCase

ZERO = "0" * 64


def record_hash(seq, at, kind, session_id, payload, prev):
    h = hashlib.blake2b(digest_size=32)
    for f in ("kikan-audit-v1", str(seq), at, kind,
              "" if session_id is None else str(session_id), payload, prev):
        h.update(f.encode("utf-8") + b"\0")
    return h.hexdigest()


def record_mac(key, hash_hex):
    return hashlib.blake2b(b"kikan-record-mac-v1\0" + hash_hex.encode(), digest_size=32,
                           key=key).hexdigest()


def evolve(key):
    return hashlib.blake2b(b"kikan-seal-evolve-v1", digest_size=32, key=key).digest()


def seal_message(kiosk, epoch, seq, head, at, why, prev_mac):
    return b"".join(str(f).encode("utf-8") + b"\0" for f in
                    ("kikan-seal-v1", kiosk, epoch, seq, head, at, why, prev_mac))


class SealTestCase(CheckinTestCase):

    def setUp(self):
        super().setUp()
        self.keyfile = os.path.join(self.tmp, "auditor-key.txt")
        r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test", "--key-file", self.keyfile)
        self.assertEqual(r.rc, 0, r.describe())
        with open(self.keyfile) as f:
            kv = dict(line.strip().split("=", 1) for line in f if "=" in line)
        self.vk, self.pk = kv["verification_key"], kv["public_key"]
        # The printed key is the one in the file, and the kiosk keeps no copy.
        self.assertIn(self.vk.encode(), r.stdout)
        self.k0 = bytes.fromhex(self.vk[len("kikan-vk1:"):].replace("-", ""))
        for root, _dirs, files in os.walk(self.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                self.assertNotIn(self.k0.hex().encode(), data, name)
                self.assertNotIn(self.k0, data, name)

    def day_of_work(self):
        answers = self.clean_answers()
        answers["Q1"] = "yes"
        doc, r = self.checkin({
            "employee": "E1001", "answers": answers,
            "present": [{"asset": "USB-0007", "medium": self.fat("u7", True)}],
            "missing": [{"asset": "LT-0003", "declared": "lost"},
                        {"asset": "USB-0008", "declared": "at_home",
                         "return_by": "2026-12-24"}]})
        x = self.kikan("it", "override", str(doc["session_id"]), "USB-0007", "--by", "it01",
                       "--verdict", "hold", "--reason", "training file")
        self.assertEqual(x.rc, 0, x.describe())
        return doc

    def verify(self, key=True, public_key=True):
        args = ["audit", "verify"]
        if key:
            args += ["--key", self.vk]
        if public_key:
            args += ["--public-key", self.pk]
        return self.kikan(*args)

    def assert_broken_at(self, r, seq):
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"BROKEN at record %d of" % seq, r.stdout, r.describe())

    def records(self):
        return self.sql("SELECT seq, at, kind, session_id, payload, prev_hash, hash, mac "
                        "FROM audit_records ORDER BY seq")

    def seals(self):
        return self.sql("SELECT epoch, seq, head_hash, at, why, prev_mac, mac, signature "
                        "FROM audit_seals ORDER BY epoch")

    def unlock(self, con):
        for t in ("audit_records_no_update", "audit_records_no_delete",
                  "audit_seals_no_update", "audit_seals_no_delete"):
            con.execute("DROP TRIGGER IF EXISTS " + t)

    def tamper(self, *statements):
        con = sqlite3.connect(self.db)
        try:
            self.unlock(con)
            for s in statements:
                if isinstance(s, tuple):
                    con.execute(*s)
                else:
                    con.execute(s)
            con.commit()
        finally:
            con.close()

    def closed_record(self):
        """A declaration record in an early, closed epoch: what an attacker
        would want to rewrite ('I declared nothing lost')."""
        seals = self.seals()
        self.assertGreaterEqual(len(seals), 3, seals)
        for seq, _at, kind, *_ in self.records():
            if kind == "declaration" and seq < seals[-1][1]:
                return seq
        self.fail("no sealed declaration record")

    def recompute_chain_from(self, con, seq, rekey=None):
        """Recomputes every hash from @seq on, as an attacker holding the
        file would; with @rekey (the key found on the disk) also every
        record MAC and every seal, re-signed with the disk's Ed25519 key."""
        rows = con.execute("SELECT seq, at, kind, session_id, payload, prev_hash, hash, mac "
                           "FROM audit_records ORDER BY seq").fetchall()
        prev = ZERO
        hashes = {}
        for s, at, kind, sid, payload, prev_hash, h, mac in rows:
            if s >= seq:
                h = record_hash(s, at, kind, sid, payload, prev)
                newmac = record_mac(rekey, h) if (rekey and mac is not None) else mac
                con.execute("UPDATE audit_records SET prev_hash = ?, hash = ?, mac = ? "
                            "WHERE seq = ?", (prev, h, newmac, s))
            hashes[s] = h
            prev = h
        if rekey is None:
            return
        with open(os.path.join(self.home, "keys", "kiosk.ed25519")) as f:
            signer = nacl.signing.SigningKey(bytes.fromhex(f.read().strip())[:32])
        # Seals before the edit are left alone (they still hold); those
        # from the one covering the edit on are re-made with the stolen
        # key and the keys it derives, and re-signed.
        prev_mac = ZERO
        k = rekey
        for epoch, s, _head, at, why, _pm, old_mac, _sig in con.execute(
                "SELECT * FROM audit_seals ORDER BY epoch").fetchall():
            if s < seq:
                prev_mac = old_mac
                continue
            msg = seal_message("kiosk-test", epoch, s, hashes[s], at, why, prev_mac)
            mac = hashlib.blake2b(msg, digest_size=32, key=k).hexdigest()
            sig = signer.sign(msg).signature.hex()
            con.execute("UPDATE audit_seals SET head_hash = ?, prev_mac = ?, mac = ?, "
                        "signature = ? WHERE epoch = ?", (hashes[s], prev_mac, mac, sig, epoch))
            prev_mac = mac
            k = evolve(k)


class AuditSeal(SealTestCase):

    def setUp(self):
        super().setUp()
        self.doc = self.day_of_work()

    def test_untouched_store_verifies_sealed(self):
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"Seals and record MACs checked with the verification key", r.stdout)
        self.assertIn(b"valid, by the public key you gave", r.stdout)
        whys = [s[4] for s in self.seals()]
        self.assertEqual(whys[0], "init")
        self.assertIn("session_end", whys)
        # A seal's why is the kind of the last record it covers (one seal
        # per transaction, made as it commits), apart from the interval
        # seals of a long transaction.
        kinds = {s: kind for s, _at, kind, *_rest in self.records()}
        for _e, s, _head, _at, why, *_rest in self.seals()[1:]:
            if why != "interval":
                self.assertEqual(why, kinds[s], "seal at record %d" % s)
        # Every record after init carries a MAC made with the key of its
        # epoch (recomputed here from K_0 alone).
        seals = self.seals()
        key, epoch, start = self.k0, 0, 1
        for s, _at, kind, _sid, _p, _prev, h, mac in self.records():
            while epoch < len(seals) and s > seals[epoch][1]:
                key, epoch = evolve(key), epoch + 1
            self.assertIsNotNone(mac, "record %d (%s) has no MAC" % (s, kind))
            self.assertEqual(mac, record_mac(key, h), "record %d" % s)
            start = s
        self.assertGreater(start, 5)

    def test_used_keys_are_wiped(self):
        """The key file holds K_n (n = seals made) and nothing earlier."""
        n = len(self.seals())
        with open(os.path.join(self.home, "keys", "seal.key")) as f:
            lines = f.read().split("\n")
        self.assertEqual(int(lines[1]), n)
        key = self.k0
        for _ in range(n):
            key = evolve(key)
        self.assertEqual(lines[2], key.hex())

    def test_without_key_says_what_it_did_not_check(self):
        r = self.verify(key=False, public_key=False)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"NOT CHECKED: the forward-secure seals", r.stdout)
        self.assertIn(b"give --public-key", r.stdout)

    def test_changed_byte_named(self):
        seq = self.closed_record()
        self.tamper("UPDATE audit_records SET payload = replace(payload, 'yes', 'yeS') "
                    "WHERE seq = %d" % seq)
        self.assert_broken_at(self.verify(), seq)

    def test_deleted_record_named(self):
        seq = self.closed_record()
        self.tamper("DELETE FROM audit_records WHERE seq = %d" % seq)
        self.assert_broken_at(self.verify(), seq)

    def test_swapped_records_named(self):
        seq = self.closed_record()
        a, b = [r for r in self.records() if r[0] in (seq, seq + 1)]
        self.tamper(("UPDATE audit_records SET at = ?, kind = ?, session_id = ?, payload = ?, "
                     "prev_hash = ?, hash = ?, mac = ? WHERE seq = ?", a[1:] + (b[0],)),
                    ("UPDATE audit_records SET at = ?, kind = ?, session_id = ?, payload = ?, "
                     "prev_hash = ?, hash = ?, mac = ? WHERE seq = ?", b[1:] + (a[0],)))
        self.assert_broken_at(self.verify(), seq)

    def test_forged_record_inserted_and_chain_recomputed_named(self):
        """A forged declaration slipped in after record `seq`, the rest
        renumbered and the whole chain recomputed: without the sealing keys
        of those days the forged record has no valid MAC."""
        seq = self.closed_record()
        con = sqlite3.connect(self.db)
        try:
            self.unlock(con)
            last = con.execute("SELECT max(seq) FROM audit_records").fetchone()[0]
            for s in range(last, seq, -1):
                con.execute("UPDATE audit_records SET seq = seq + 1 WHERE seq = ?", (s,))
            con.execute("INSERT INTO audit_records (seq, at, kind, session_id, payload, "
                        "prev_hash, hash, mac) SELECT ?, at, kind, session_id, ?, '', '', mac "
                        "FROM audit_records WHERE seq = ?",
                        (seq + 1, '{"question":"Q2","answer":"no"}', seq))
            con.execute("UPDATE audit_seals SET seq = seq + 1 WHERE seq > ?", (seq,))
            self.recompute_chain_from(con, seq + 1)
            con.commit()
        finally:
            con.close()
        self.assert_broken_at(self.verify(), seq + 1)

    def test_recomputed_chain_caught_by_seals_even_without_key(self):
        seq = self.closed_record()
        con = sqlite3.connect(self.db)
        try:
            self.unlock(con)
            con.execute("UPDATE audit_records SET payload = replace(payload, 'yes', 'no') "
                        "WHERE seq = ?", (seq,))
            self.recompute_chain_from(con, seq)
            con.commit()
        finally:
            con.close()
        # The seals' heads no longer match: the range is named.
        r = self.verify(key=False)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"no longer match seal", r.stdout)
        # With the key, the MAC names the very record.
        self.assert_broken_at(self.verify(), seq)

    def test_resealed_with_stolen_keys_rejected(self):
        """Must show: the forward-secure seals reject a re-sealed chain made
        with a key derived after the edited record.  The attacker has the
        whole disk: the store, keys/seal.key (K_n) and keys/kiosk.ed25519."""
        seq = self.closed_record()
        with open(os.path.join(self.home, "keys", "seal.key")) as f:
            stolen = bytes.fromhex(f.read().split("\n")[2])
        con = sqlite3.connect(self.db)
        try:
            self.unlock(con)
            con.execute("UPDATE audit_records SET payload = replace(payload, 'yes', 'no') "
                        "WHERE seq = ?", (seq,))
            self.recompute_chain_from(con, seq, rekey=stolen)
            con.commit()
        finally:
            con.close()
        # The Ed25519 checkpoints alone cannot tell (the signing key was on
        # the disk too), and verify says it did not check the seals …
        r = self.verify(key=False)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"NOT CHECKED: the forward-secure seals", r.stdout)
        # … the auditor's key does, and names the edited record.
        self.assert_broken_at(self.verify(), seq)

    def test_removed_last_seal_detected_and_nothing_more_written(self):
        seals = self.seals()
        self.tamper("DELETE FROM audit_seals WHERE epoch = %d" % seals[-1][0])
        r = self.verify()
        self.assert_broken_at(r, seals[-2][1] + 1)
        self.assertIn(b"the last seals were removed", r.stdout)
        x = self.kikan("it", "override", str(self.doc["session_id"]), "USB-0007", "--by",
                       "it02", "--verdict", "quarantine", "--reason", "after the theft")
        self.assertEqual(x.rc, 2, x.describe())
        self.assertIn(b"seals were removed", x.stderr)

    def test_seal_signed_by_another_key_rejected(self):
        seals = self.seals()
        other = nacl.signing.SigningKey.generate()
        e, s, head, at, why, pm, _mac, _sig = seals[1]
        sig = other.sign(seal_message("kiosk-test", e, s, head, at, why, pm)).signature.hex()
        self.tamper(("UPDATE audit_seals SET signature = ? WHERE epoch = ?", (sig, e)))
        r = self.verify(key=False)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"is not signed by this kiosk's key", r.stdout)

    def test_wrong_verification_key_named(self):
        self.vk = "kikan-vk1:" + os.urandom(32).hex()
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"does not belong to this store", r.stdout)

    def test_identity_removed(self):
        """Removing the identity, the seals and the MACs makes the chain
        look never sealed: verify says so, and with the key it fails."""
        con = sqlite3.connect(self.db)
        try:
            self.unlock(con)
            con.execute("DELETE FROM audit_identity")
            con.execute("DELETE FROM audit_seals")
            con.execute("UPDATE audit_records SET mac = NULL")
            con.commit()
        finally:
            con.close()
        r = self.verify(key=False, public_key=False)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"NOT SEALED", r.stdout)
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"no audit identity", r.stdout)

    def test_init_twice_refused(self):
        before = open(os.path.join(self.home, "keys", "seal.key")).read()
        r = self.kikan("audit", "init", "--kiosk-id", "other")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"already initialised", r.stderr)
        self.assertEqual(open(os.path.join(self.home, "keys", "seal.key")).read(), before)
        self.assertEqual(self.verify().rc, 0)

    def test_bad_verification_key_text(self):
        for bad in ("kikan-vk1:1234", "vk1:" + "ab" * 32, "kikan-vk1:" + "zz" * 32):
            r = self.kikan("audit", "verify", "--key", bad)
            self.assertEqual(r.rc, 2, r.describe())
            self.assertIn(b"not a verification key", r.stderr)


class AuditSealKill(SealTestCase):

    def test_kill_points(self):
        """Must show: SIGKILL at every point where a record, a seal or the
        sealing key is written leaves a chain that verifies with the
        auditor's key, with no committed record missing or changed, and the
        sealing key catches up (old keys wiped) at the next command."""
        usb7 = self.fat("usb7", True)
        doc = {"employee": "E1001", "answers": {"Q1": "yes", "Q19": "yes"},
               "present": [{"asset": "USB-0007", "medium": usb7}],
               "missing": [{"asset": "LT-0003", "declared": "lost"},
                           {"asset": "USB-0008", "declared": "at_home",
                            "return_by": "2026-12-24"}]}
        script = self.script(doc)
        killed = 0
        for k in range(1, 400):
            before = self.records()
            self.sql("UPDATE loans SET returned_on = NULL, return_session = NULL")
            r = self.kikan("checkin", "--json", "--policy", self.policy, "--database",
                           self.db_test6(), "--kiosk-id", "kiosk-test", "--script", script,
                           env=self.env(KIKAN_TEST_KILL_AUDIT=str(k)), timeout=600)
            self.assertIn(r.rc, (-signal.SIGKILL, 1), "kill point %d:\n%s" % (k, r.describe()))
            rec = self.kikan("checkin", "--recover")
            self.assertEqual(rec.rc, 0, "kill point %d:\n%s" % (k, rec.describe()))
            v = self.verify()
            self.assertEqual(v.rc, 0, "kill point %d:\n%s" % (k, v.describe()))
            after = self.records()
            # Committed records are never lost or changed: the chain only grows.
            self.assertEqual(after[:len(before)], before, "kill point %d" % k)
            # The sealing key has caught up with the seals: the key that
            # made the last seal is gone from the disk.
            with open(os.path.join(self.home, "keys", "seal.key")) as f:
                self.assertEqual(int(f.read().split("\n")[1]), len(self.seals()),
                                 "kill point %d" % k)
            if r.rc != -signal.SIGKILL:
                appended = len(after) - len(before)
                break
            killed += 1
        else:
            self.fail("the check-in never completed")
        # Every record, seal and key rewrite of the check-in was a kill point.
        self.assertGreater(killed, appended, (killed, appended))
        self.assert_db_check()


class DbCheckSeesTheChain(SealTestCase):

    def test_db_check_fails_on_a_rewritten_chain(self):
        """`kikan db check` (IT's health check) also walks the chain: a
        store whose rows are sound but whose chain was edited is not
        intact."""
        self.day_of_work()
        self.assert_db_check()
        seq = self.sql("SELECT min(seq) FROM audit_records WHERE kind = 'session_start'")[0][0]
        self.tamper("UPDATE audit_records SET payload = replace(payload, 'E1001', 'E9999') "
                    "WHERE seq = %d" % seq)
        r = self.kikan("db", "check")
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"the audit chain is broken at record %d" % seq, r.stdout)
