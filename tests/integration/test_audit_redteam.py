"""Red-team round of the sealed audit trail, its bundles, exports and review
samples (issue #10 items 1-3, 6, 7; docs/audit.md, docs/printing.md).

The attacker holds the kiosk: the store file AND its keys/ folder (the
current sealing key K_n and the Ed25519 signing key), and Python's hashlib
and PyNaCl; the auditor holds K_0 (`kikan audit init`'s verification key)
and the public key.  A test that failed when it was written has a
one-line comment "# WAS WRONG (fixed): …; RIGHT: …"; the others are
attacks that held, kept so that they keep holding.  Run with Debian's python3 (python3-nacl).
"""

import hashlib
import io
import json
import lzma
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import tarfile
import threading
import time

import nacl.signing

from kikan_it import kikan_bin
from test_audit_seal import (SealTestCase, ZERO, evolve, record_hash, record_mac,
                             seal_message)

ESCAPES = (b"\x1b", b"\x07", b"\x9b", b"\xc2\x9b", "\u202e".encode())


def seal_key_file(epoch, key):
    """keys/seal.key as kiosk/audit/seal.c writes it: the check is an
    unkeyed BLAKE2b-128, so whoever holds the file can write any epoch."""
    text = "kikan-seal-key-v1\n%020d\n%s\n" % (epoch, key.hex())
    return text + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + "\n"


def draw(seed, population, k):
    """docs/audit.md "Sampling": partial Fisher-Yates over BLAKE2b-128
    (seed || counter LE64), first 8 bytes LE, rejection sampling."""
    p = list(population)
    counter = [0]

    def u64():
        h = hashlib.blake2b(seed + counter[0].to_bytes(8, "little"), digest_size=16).digest()
        counter[0] += 1
        return int.from_bytes(h[:8], "little")

    def uniform(m):
        while True:
            x = u64()
            if x < 2 ** 64 - (2 ** 64 % m):
                return x % m

    out = []
    for i in range(k):
        j = i + uniform(len(p) - i)
        p[i], p[j] = p[j], p[i]
        out.append(p[i])
    return out


class RedteamSealCase(SealTestCase):

    def setUp(self):
        super().setUp()
        self.doc = self.day_of_work()

    def key_path(self, name="seal.key"):
        return os.path.join(self.home, "keys", name)

    def stolen_key(self):
        with open(self.key_path()) as f:
            lines = f.read().split("\n")
        return int(lines[1]), bytes.fromhex(lines[2])

    def signer(self):
        with open(self.key_path("kiosk.ed25519")) as f:
            return nacl.signing.SigningKey(bytes.fromhex(f.read().strip())[:32])

    def unlock_all(self, con):
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                   ).fetchall():
            con.execute('DROP TRIGGER "%s"' % name)

    def cut_tail(self, keep_epochs):
        """Removes every seal from epoch @keep_epochs on, every record after
        the last seal kept, and the newest rows those records accounted for
        (so that no row is left without its record)."""
        tables = {"session_start": "sessions", "declaration": "declarations", "item": "items",
                  "verdict": "verdicts", "it_action": "it_actions",
                  "ledger_change": "ledger_changes", "audit_sample": "audit_samples",
                  "audit_attestation": "audit_attestations"}
        last = self.seals()[keep_epochs - 1][1]
        con = sqlite3.connect(self.db)
        try:
            self.unlock_all(con)
            for (kind,) in con.execute("SELECT kind FROM audit_records WHERE seq > ?",
                                       (last,)).fetchall():
                if kind in tables:
                    t = tables[kind]
                    con.execute("DELETE FROM %s WHERE rowid = (SELECT max(rowid) FROM %s)"
                                % (t, t))
            con.execute("DELETE FROM audit_records WHERE seq > ?", (last,))
            con.execute("DELETE FROM audit_seals WHERE epoch >= ?", (keep_epochs,))
            con.commit()
        finally:
            con.close()
        return last

    def override(self, reason="after the theft"):
        return self.kikan("it", "override", str(self.doc["session_id"]), "USB-0007", "--by",
                          "it02", "--verdict", "quarantine", "--reason", reason)


class SealTail(RedteamSealCase):
    """Cutting the newest records and seals off the end (the thief removes
    yesterday's IT override): only the key file on the kiosk tells."""

    def test_tail_cut_detected_by_key_file(self):
        n = len(self.seals())
        last = self.cut_tail(n - 1)
        r = self.verify()
        self.assert_broken_at(r, last + 1)
        self.assertIn(b"the last seals were removed", r.stdout)

    def test_tail_cut_with_key_file_epoch_rolled_back_detected(self):
        # WAS WRONG (fixed): the thief cuts the last seal and its records, and rewrites keys/seal.key with the epoch of the seals left and the key it holds (the file's check is unkeyed); `verify --key K0` then says intact, "nothing sealed was rewritten"; RIGHT: with --key, verify on the kiosk checks that seal.key holds K0 evolved to its epoch and that the epoch equals the seals, so a rolled-back file (the thief cannot make K_{n-1}) names the cut.
        n = len(self.seals())
        epoch, stolen = self.stolen_key()
        self.assertEqual(epoch, n)
        last = self.cut_tail(n - 1)
        with open(self.key_path(), "w") as f:
            f.write(seal_key_file(n - 1, stolen))
        self.assert_broken_at(self.verify(), last + 1)

    def test_tail_cut_with_key_file_removed_detected(self):
        # WAS WRONG (fixed): with keys/seal.key deleted (kiosk.ed25519 left), verify on the kiosk reads the missing file as "no key epoch" and says the cut chain is intact; RIGHT: an initialised store whose keys/ folder lacks seal.key is reported (exit 1: the sealing key was removed, the last seals cannot be vouched for).
        n = len(self.seals())
        self.cut_tail(n - 1)
        os.unlink(self.key_path())
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())

    def test_auditor_copy_does_not_overclaim_after_tail_cut(self):
        # WAS WRONG (fixed): on a copy of the store without keys/ (what an auditor verifies), a chain cut at its last seal verifies with "nothing sealed was rewritten, even by someone holding this kiosk's disk", although whole seals can be cut off the end undetected; RIGHT: the output says that seals removed from the end are only caught against a later anchor (a bundle's or slip's head: `verify --head SEQ:HASH`), and offers that check.
        n = len(self.seals())
        self.cut_tail(n - 1)
        shutil.rmtree(os.path.join(self.home, "keys"))
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(b"nothing sealed was rewritten, even by someone holding this kiosk's disk",
                         r.stdout, r.describe())

    def test_anchor_catches_a_tail_cut_on_the_auditors_copy(self):
        """The fix the previous test asks for: a copy without keys/ is
        anchored with the head a later slip carries (`--head SEQ:HASH`)."""
        head = self.records()[-1]
        n = len(self.seals())
        last = self.cut_tail(n - 1)
        shutil.rmtree(os.path.join(self.home, "keys"))
        r = self.kikan("audit", "verify", "--key", self.vk, "--public-key", self.pk,
                       "--head", "%d:%s" % (head[0], head[6][:32]))
        self.assert_broken_at(r, last + 1)
        self.assertIn(b"records were cut from the end", r.stdout)
        # The same anchor on an untouched chain is what makes it "checked".
        r = self.kikan("audit", "verify", "--key", self.vk, "--head",
                       "%d:%s" % (last, self.records()[-1][6][:32]))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"no seal was cut from the end", r.stdout)

    def test_forged_unsealed_tail_reported_as_unsealed(self):
        """Records the thief appends with the current key after the last
        seal are undetectable by design: verify must call them unsealed."""
        epoch, stolen = self.stolen_key()
        recs = self.records()
        seq, prev = recs[-1][0] + 1, recs[-1][6]
        at, payload = "2026-11-03T10:00:00Z", '{"note":"forged after the theft"}'
        h = record_hash(seq, at, "capacity_warning", None, payload, prev)
        self.tamper(("INSERT INTO audit_records (seq, at, kind, session_id, payload, prev_hash, "
                     "hash, mac) VALUES (?, ?, 'capacity_warning', NULL, ?, ?, ?, ?)",
                     (seq, at, payload, prev, h, record_mac(stolen, h))))
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        m = re.search(rb"Records (\d+) to (\d+) are not sealed yet", r.stdout)
        self.assertIsNotNone(m, r.describe())
        self.assertTrue(int(m.group(1)) <= seq == int(m.group(2)), r.describe())

    def test_finished_command_leaves_nothing_unsealed(self):
        # WAS WRONG (fixed): `kikan it override` seals at its it_action record and then appends the verdict records (the override itself: item and session verdicts), which stay unsealed until some later command, so a thief holding K_n can rewrite the newest override undetected; RIGHT: the seal is made once per transaction, just before commit, after the last record it appended (a pre-commit step in kikan_store_commit), so no command ends with unsealed records.
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(b"not sealed yet", r.stdout, r.describe())

    def test_seal_beyond_chain_with_stolen_key_rejected(self):
        epoch, stolen = self.stolen_key()
        seq = self.records()[-1][0] + 5
        prev_mac = self.seals()[-1][6]
        msg = seal_message("kiosk-test", epoch, seq, "ab" * 32, "2026-11-03T10:00:00Z",
                           "interval", prev_mac)
        mac = hashlib.blake2b(msg, digest_size=32, key=stolen).hexdigest()
        self.tamper(("INSERT INTO audit_seals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (epoch, seq, "ab" * 32, "2026-11-03T10:00:00Z", "interval", prev_mac, mac,
                      self.signer().sign(msg).signature.hex())))
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"which the chain does not hold", r.stdout)


class SealTamper(RedteamSealCase):
    """Type confusion, reordering, duplicates and identity swaps."""

    def test_hash_stored_as_blob_named(self):
        # WAS WRONG (fixed): a hash (or mac, payload …) stored as a BLOB of the same bytes passes verify: feed_records reads the column as text before typed_as_written asks its type, and sqlite3_column_type is undefined after a conversion (it says TEXT); RIGHT: sqlite3_column_type of every column is taken before any sqlite3_column_* conversion (feed_records and feed_seals).
        seq = self.closed_record()
        self.tamper("UPDATE audit_records SET hash = CAST(hash AS BLOB) WHERE seq = %d" % seq)
        self.assert_broken_at(self.verify(), seq)

    def test_mac_stored_as_blob_named(self):
        # WAS WRONG (fixed): as for the hash: a BLOB mac passes the type check (read as text first); RIGHT: types taken before conversion.
        seq = self.closed_record()
        self.tamper("UPDATE audit_records SET mac = CAST(mac AS BLOB) WHERE seq = %d" % seq)
        self.assert_broken_at(self.verify(), seq)

    def hide_after_nul(self, as_blob):
        """The payload of a sealed declaration gets a NUL and a forged
        answer after it: text up to the NUL is what was hashed."""
        seq = self.closed_record()
        payload = self.sql("SELECT payload FROM audit_records WHERE seq = ?", (seq,))[0][0]
        hidden = payload + '\0{"question":"Q1","answer":"no"}'
        self.tamper(("UPDATE audit_records SET payload = ? WHERE seq = ?",
                     (hidden.encode() if as_blob else hidden, seq)))
        self.assertEqual(self.sql("SELECT length(CAST(payload AS BLOB)) FROM audit_records "
                                  "WHERE seq = ?", (seq,))[0][0], len(hidden.encode()))
        return seq

    def test_payload_text_with_hidden_tail_after_nul_named(self):
        # WAS WRONG (fixed): a TEXT payload holding a NUL and forged JSON after it verifies intact (the hash, list and show stop at the NUL; sqlite's json_extract, Python, any export reading the full value see the rest); RIGHT: a text column whose sqlite3_column_bytes differs from its strlen is "a field of the wrong type" (feed_records, feed_seals, and the bundle reader for \u0000).
        seq = self.hide_after_nul(False)
        self.assert_broken_at(self.verify(), seq)

    def test_payload_blob_with_hidden_tail_after_nul_named(self):
        # WAS WRONG (fixed): the same as a BLOB payload verifies intact too; RIGHT: types checked before conversion, embedded NULs refused.
        seq = self.hide_after_nul(True)
        self.assert_broken_at(self.verify(), seq)

    def test_mac_null_after_init_named(self):
        seq = self.closed_record()
        self.tamper("UPDATE audit_records SET mac = NULL WHERE seq = %d" % seq)
        self.assert_broken_at(self.verify(key=False), seq)

    def test_seal_seq_as_blob_rejected(self):
        self.tamper("UPDATE audit_seals SET seq = CAST(CAST(seq AS TEXT) AS BLOB) WHERE epoch = 1")
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())

    def test_seals_reordered_rejected(self):
        s = self.seals()
        self.assertGreaterEqual(len(s), 3)
        self.tamper("UPDATE audit_seals SET epoch = -1 WHERE epoch = 1",
                    "UPDATE audit_seals SET epoch = 1 WHERE epoch = 2",
                    "UPDATE audit_seals SET epoch = 2 WHERE epoch = -1")
        r = self.verify(key=False)
        self.assertEqual(r.rc, 1, r.describe())

    def test_duplicate_epoch_rejected(self):
        """The table rebuilt without its primary key, a seal doubled."""
        con = sqlite3.connect(self.db)
        try:
            self.unlock_all(con)
            con.execute("ALTER TABLE audit_seals RENAME TO s_old")
            con.execute("CREATE TABLE audit_seals (epoch INTEGER, seq INTEGER, head_hash TEXT, "
                        "at TEXT, why TEXT, prev_mac TEXT, mac TEXT, signature TEXT)")
            con.execute("INSERT INTO audit_seals SELECT * FROM s_old ORDER BY epoch")
            con.execute("INSERT INTO audit_seals SELECT * FROM s_old WHERE epoch = 1")
            con.execute("DROP TABLE s_old")
            con.commit()
        finally:
            con.close()
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())

    def test_kiosk_id_changed_rejected(self):
        self.tamper("UPDATE audit_identity SET kiosk_id = 'kiosk-evil'")
        r = self.verify()
        self.assertEqual(r.rc, 1, r.describe())

    def test_whole_trail_rekeyed_by_thief_rejected(self):
        """The thief's own K_0' and key pair: every MAC, seal, signature and
        the identity re-made; the auditor's K_0 and public key reject it."""
        k0 = os.urandom(32)
        other = nacl.signing.SigningKey.generate()
        key_id = hashlib.blake2b(b"kikan-seal-key-id-v1\0" + k0, digest_size=16).hexdigest()
        con = sqlite3.connect(self.db)
        try:
            self.unlock_all(con)
            seals = con.execute("SELECT epoch, seq, head_hash, at, why FROM audit_seals "
                                "ORDER BY epoch").fetchall()
            recs = con.execute("SELECT seq, hash, mac FROM audit_records ORDER BY seq").fetchall()
            k, prev_mac, done = k0, ZERO, 0
            for ep, s, head, at, why in seals + [(None, recs[-1][0], None, None, None)]:
                for seq, h, mac in recs:
                    if done < seq <= s and mac is not None:
                        con.execute("UPDATE audit_records SET mac = ? WHERE seq = ?",
                                    (record_mac(k, h), seq))
                done = s
                if ep is None:
                    break
                msg = seal_message("kiosk-test", ep, s, head, at, why, prev_mac)
                mac = hashlib.blake2b(msg, digest_size=32, key=k).hexdigest()
                con.execute("UPDATE audit_seals SET prev_mac = ?, mac = ?, signature = ? "
                            "WHERE epoch = ?", (prev_mac, mac, other.sign(msg).signature.hex(),
                                                ep))
                prev_mac, k = mac, evolve(k)
            con.execute("UPDATE audit_identity SET public_key = ?, seal_key_id = ?",
                        (other.verify_key.encode().hex(), key_id))
            con.commit()
        finally:
            con.close()
        # The forgery holds together on its own (so the rejection below is
        # the keys' doing) …
        r = self.verify(key=False, public_key=False)
        self.assertEqual(r.rc, 0, r.describe())
        # … and each of the auditor's keys rejects it.
        for key, public_key in ((True, False), (False, True), (True, True)):
            r = self.verify(key=key, public_key=public_key)
            self.assertEqual(r.rc, 1, r.describe())
            self.assertIn(b"BROKEN at record 1 of", r.stdout)

    def test_seal_key_replaced_by_guessed_key_named(self):
        """A seal.key the thief made up (valid format, same epoch): the
        kiosk cannot tell, but the first record it seals with it is named."""
        epoch, _ = self.stolen_key()
        with open(self.key_path(), "w") as f:
            f.write(seal_key_file(epoch, os.urandom(32)))
        first = self.records()[-1][0] + 1
        x = self.override()
        self.assertEqual(x.rc, 0, x.describe())
        self.assert_broken_at(self.verify(), first)


class SealKeyFile(RedteamSealCase):
    """A damaged, missing or odd key file: the kiosk writes nothing it
    cannot seal (no unsealed record, no row without its record)."""

    def assert_refuses(self, what):
        before = self.records()
        actions = self.sql("SELECT count(*) FROM it_actions")[0][0]
        x = self.override()
        self.assertNotEqual(x.rc, 0, "%s:\n%s" % (what, x.describe()))
        self.assertEqual(self.records(), before, what)
        self.assertEqual(self.sql("SELECT count(*) FROM it_actions")[0][0], actions, what)

    def test_damaged_key_files_refused(self):
        path = self.key_path()
        with open(path) as f:
            good = f.read()
        flipped = list(good)
        i = good.index("\n", good.index("\n") + 1) + 5
        flipped[i] = "0" if flipped[i] != "0" else "1"
        variants = {
            "truncated": good[:100],
            "empty": "",
            "one key digit changed": "".join(flipped),
            "an extra line break": good + "\n",
            "CRLF line ends": good.replace("\n", "\r\n"),
            "epoch ahead, check recomputed": seal_key_file(int(good.split("\n")[1]) + 1,
                                                           bytes.fromhex(good.split("\n")[2])),
        }
        for what, text in variants.items():
            with open(path, "w") as f:
                f.write(text)
            self.assert_refuses(what)
        os.unlink(path)
        self.assert_refuses("missing")
        os.mkdir(path)
        self.assert_refuses("a folder")
        os.rmdir(path)
        copy = os.path.join(self.tmp, "seal.key.copy")
        with open(copy, "w") as f:
            f.write(good)
        os.symlink(copy, path)
        self.assert_refuses("a symlink to a good copy")
        os.unlink(path)
        with open(path, "w") as f:
            f.write(good)
        os.chmod(path, 0o600)
        self.assertEqual(self.override().rc, 0)
        self.assertEqual(self.verify().rc, 0)

    def test_damaged_signing_key_refused(self):
        path = self.key_path("kiosk.ed25519")
        with open(path) as f:
            good = f.read()
        for what, text in (("truncated", good[:40]),
                           ("another key", nacl.signing.SigningKey.generate().encode().hex()
                            + nacl.signing.SigningKey.generate().verify_key.encode().hex()
                            + "\n")):
            with open(path, "w") as f:
                f.write(text)
            self.assert_refuses(what)
        with open(path, "w") as f:
            f.write(good)
        self.assertEqual(self.verify().rc, 0)

    def test_keys_folder_symlinked(self):
        """keys/ replaced by a symlink to a copy: the kiosk may follow it
        (it is the same key), but the chain must stay verifiable."""
        keys = os.path.join(self.home, "keys")
        moved = os.path.join(self.tmp, "keys-elsewhere")
        shutil.move(keys, moved)
        os.symlink(moved, keys)
        x = self.override()
        if x.rc == 0:
            self.assertEqual(self.verify().rc, 0)


class SealConcurrent(RedteamSealCase):

    def test_parallel_writers_keep_the_key_in_step(self):
        """Two kikan processes appending at once (IT overrides and ledger
        lend/return): every command succeeds or says the store is busy, the
        key file's epoch never goes back, and the chain verifies with K_0."""
        self.sql("INSERT INTO assets (id, type, serial, encryption_required, "
                 "classification_max, updated_at) VALUES ('USB-0009', 'usb', 'AA00000009', 0, "
                 "'confidential', '2026-11-01T00:00:00Z')")
        failures, epochs, stop = [], [], threading.Event()

        def run(argv):
            p = subprocess.run([kikan_bin()] + argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env(),
                               timeout=120)
            if p.returncode != 0:
                failures.append((argv, p.returncode, p.stderr.decode(errors="replace")))

        def overrides():
            for i in range(25):
                run(["it", "override", str(self.doc["session_id"]), "USB-0007", "--by", "it0%d"
                     % (i % 3), "--verdict", ("hold", "quarantine")[i % 2], "--reason",
                     "round %d" % i])

        def ledger():
            for i in range(25):
                run(["ledger", "lend", "USB-0009", "E2002"])
                run(["ledger", "return", "USB-0009"])

        def watch():
            while not stop.is_set():
                try:
                    with open(self.key_path()) as f:
                        t = f.read()
                    if len(t) == 137:
                        epochs.append(int(t.split("\n")[1]))
                except (OSError, ValueError, IndexError):
                    pass

        w = threading.Thread(target=watch)
        w.start()
        threads = [threading.Thread(target=overrides), threading.Thread(target=ledger)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        w.join()
        busy = [f for f in failures if "busy" not in f[2].lower() and "locked" not in f[2].lower()]
        self.assertEqual(busy, [], busy[:3])
        self.assertLessEqual(len(failures), 5, failures[:3])
        back = [(a, b) for a, b in zip(epochs, epochs[1:]) if b < a]
        self.assertEqual(back, [], "the key file's epoch went back (a used key restored)")
        self.assertEqual(self.stolen_key()[0], len(self.seals()))
        r = self.verify()
        self.assertEqual(r.rc, 0, r.describe())
        self.assert_db_check()


class BundleRedteam(RedteamSealCase):

    def bundle(self, *extra):
        path = os.path.join(self.tmp, "bundle-%d.tar.gz" % time.monotonic_ns())
        r = self.kikan("audit", "export", "--bundle", path, *extra)
        self.assertEqual(r.rc, 0, r.describe())
        return path

    def members(self, path):
        with tarfile.open(path, "r:*") as t:
            return {m.name: t.extractfile(m).read() for m in t.getmembers()}

    def write(self, entries, mode="w:gz"):
        path = os.path.join(self.tmp, "forged-%d.tar" % time.monotonic_ns())
        with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as t:
            for name, data in entries:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        return path

    def resign(self, members, signer=None):
        """The manifest's hashes and counts recomputed and signed again with
        the key found on the stolen kiosk (or @signer)."""
        m = json.loads(members["manifest.json"])
        m["members"] = [{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                        for n, d in members.items() if n not in ("manifest.json", "manifest.sig")]
        members["manifest.json"] = json.dumps(m, indent=2).encode()
        members["manifest.sig"] = ((signer or self.signer()).sign(members["manifest.json"])
                                   .signature.hex() + "\n").encode()
        return members

    def verify_bundle(self, path, *extra):
        empty = self.mkdir("auditor-%d" % time.monotonic_ns())
        return self.kikan("audit", "verify", "--bundle", path, *extra,
                          env=self.env(KIKAN_HOME=os.path.join(empty, "home")))

    def full(self):
        return ("--key", self.vk, "--public-key", self.pk)

    def test_untouched_bundle_trusted_with_both_keys(self):
        r = self.verify_bundle(self.bundle(), *self.full())
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"(trusted)", r.stdout)
        self.assertIn(b"every forward-secure MAC checked", r.stdout)

    def test_duplicate_member_refused(self):
        m = self.members(self.bundle())
        path = self.write(list(m.items()) + [("records.jsonl", m["records.jsonl"])])
        r = self.verify_bundle(path, *self.full())
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(b"twice", r.stdout)

    def test_member_name_with_control_characters_refused_and_escaped(self):
        m = self.members(self.bundle())
        path = self.write(list(m.items()) + [("slips/1\x1b]0;pwned\x07\n.pdf", b"%PDF-1.4")])
        r = self.verify_bundle(path, *self.full())
        self.assertEqual(r.rc, 1, r.describe())
        for e in ESCAPES:
            self.assertNotIn(e, r.stdout + r.stderr)

    def test_members_out_of_order_still_verify(self):
        m = self.members(self.bundle())
        path = self.write(sorted(m.items(), reverse=True))
        r = self.verify_bundle(path, *self.full())
        self.assertEqual(r.rc, 0, r.describe())

    def test_gzip_bomb_refused_without_using_the_memory(self):
        """600 MiB of zeros (600 KiB compressed) as records.jsonl."""
        path = os.path.join(self.tmp, "bomb.tar.gz")
        size = 600 << 20

        class Zeros(io.RawIOBase):
            def __init__(self):
                self.left = size

            def readable(self):
                return True

            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n

        with tarfile.open(path, "w:gz", compresslevel=1, format=tarfile.PAX_FORMAT) as t:
            info = tarfile.TarInfo("records.jsonl")
            info.size = size
            t.addfile(info, io.BufferedReader(Zeros(), 1 << 20))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.monotonic()
        r = self.verify_bundle(path)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertLess(time.monotonic() - t0, 60)
        self.assertIn(b"too large", r.stderr + r.stdout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.assertLess(max(before, after), 256 << 10, "KiB of RSS")

    def test_xz_member_over_the_limit_streamed_refused(self):
        """A member whose header hides its size (pax size absent is not
        possible in ustar; here a true 520 MiB member, xz-compressed)."""
        data = io.BytesIO()
        size = 520 << 20
        with tarfile.open(fileobj=data, mode="w", format=tarfile.PAX_FORMAT) as t:
            info = tarfile.TarInfo("seals.jsonl")
            info.size = size

            class Zeros(io.RawIOBase):
                left = size

                def readable(self):
                    return True

                def readinto(self, b):
                    n = min(len(b), self.left)
                    b[:n] = bytes(n)
                    self.left -= n
                    return n
            t.addfile(info, io.BufferedReader(Zeros(), 1 << 20))
        path = os.path.join(self.tmp, "bomb.tar.xz")
        with open(path, "wb") as f:
            f.write(lzma.compress(data.getvalue(), preset=0))
        del data
        r = self.verify_bundle(path)
        self.assertEqual(r.rc, 2, r.describe())

    def test_thief_identity_without_public_key_not_called_trusted(self):
        """A bundle whose identity.json, seals and manifest carry the
        thief's key: consistent, so exit 0 is allowed without --public-key,
        but it must never read as trusted, and the auditor's keys reject
        it."""
        other = nacl.signing.SigningKey.generate()
        m = self.members(self.bundle())
        ident = json.loads(m["identity.json"])
        ident["public_key"] = other.verify_key.encode().hex()
        m["identity.json"] = json.dumps(ident).encode()
        seals = [json.loads(line) for line in m["seals.jsonl"].decode().splitlines() if line]
        for s in seals:
            msg = seal_message(ident["kiosk_id"], s["epoch"], s["seq"], s["head_hash"], s["at"],
                               s["why"], s["prev_mac"])
            s["signature"] = other.sign(msg).signature.hex()
        m["seals.jsonl"] = "".join(json.dumps(s) + "\n" for s in seals).encode()
        path = self.write(self.resign(m, other).items())
        r = self.verify_bundle(path)
        self.assertNotIn(b"(trusted)", r.stdout, r.describe())
        self.assertIn(b"inside the bundle", r.stdout, r.describe())
        r = self.verify_bundle(path, "--public-key", self.pk)
        self.assertEqual(r.rc, 1, r.describe())

    def test_other_kiosks_bundle_rejected_with_this_kiosks_keys(self):
        path = self.bundle()
        other_vk = "kikan-vk1:" + os.urandom(32).hex()
        other_pk = nacl.signing.SigningKey.generate().verify_key.encode().hex()
        for extra in (("--key", other_vk), ("--public-key", other_pk),
                      ("--key", other_vk, "--public-key", other_pk)):
            r = self.verify_bundle(path, *extra)
            self.assertEqual(r.rc, 1, "%s\n%s" % (extra, r.describe()))

    def test_unsealed_looking_bundle_rejected_with_keys(self):
        """Identity, seals, MACs and signature removed: a 'never sealed'
        bundle, which the auditor's keys must not accept."""
        m = self.members(self.bundle())
        recs = [json.loads(line) for line in m["records.jsonl"].decode().splitlines() if line]
        for rec in recs:
            rec["mac"] = None
        m["records.jsonl"] = "".join(json.dumps(r) + "\n" for r in recs).encode()
        m["seals.jsonl"] = b""
        del m["identity.json"], m["manifest.sig"]
        man = json.loads(m["manifest.json"])
        man["counts"]["seals"] = 0
        m["manifest.json"] = json.dumps(man).encode()
        m = self.resign(m)
        del m["manifest.sig"]
        path = self.write(m.items())
        for extra in (self.full(), ("--key", self.vk), ("--public-key", self.pk)):
            r = self.verify_bundle(path, *extra)
            self.assertEqual(r.rc, 1, "%s\n%s" % (extra, r.describe()))

    def hidden_payload_bundle(self):
        """records.jsonl line of a sealed declaration with a second
        "payload" key: the first says the employee lost nothing."""
        m = self.members(self.bundle())
        lines = m["records.jsonl"].decode().splitlines()
        seq = self.closed_record()
        rec = json.loads(lines[seq - 1])
        self.assertEqual(rec["seq"], seq)
        body = json.dumps(rec)
        forged = '{"payload": %s, %s' % (json.dumps('{"question":"Q1","answer":"no"}'), body[1:])
        lines[seq - 1] = forged
        m["records.jsonl"] = ("\n".join(lines) + "\n").encode()
        return self.write(self.resign(m).items())

    def test_duplicate_json_keys_in_records_refused(self):
        # WAS WRONG (fixed): a records.jsonl object with "payload" twice (the first a forged answer, the last the original) passes `verify --bundle --key --public-key` with exit 0, because json-glib keeps the last; a reader that keeps the first (or an auditor's jq/pandas pipeline differing) reads the forged one from a "verified" bundle; RIGHT: the bundle reader refuses any JSON object with a duplicate member name (exit 1, member and line named).
        r = self.verify_bundle(self.hidden_payload_bundle(), *self.full())
        self.assertEqual(r.rc, 1, r.describe())

    def test_numbers_as_strings_in_records_refused(self):
        m = self.members(self.bundle())
        lines = m["records.jsonl"].decode().splitlines()
        rec = json.loads(lines[2])
        rec["seq"] = str(rec["seq"])
        lines[2] = json.dumps(rec)
        m["records.jsonl"] = ("\n".join(lines) + "\n").encode()
        r = self.verify_bundle(self.write(self.resign(m).items()), *self.full())
        self.assertEqual(r.rc, 1, r.describe())

    def test_session_id_as_float_in_records_refused(self):
        m = self.members(self.bundle())
        lines = m["records.jsonl"].decode().splitlines()
        i = next(i for i, line in enumerate(lines) if json.loads(line)["session_id"])
        rec = json.loads(lines[i])
        lines[i] = json.dumps(rec).replace('"session_id": %d' % rec["session_id"],
                                           '"session_id": %d.5' % rec["session_id"])
        m["records.jsonl"] = ("\n".join(lines) + "\n").encode()
        r = self.verify_bundle(self.write(self.resign(m).items()), *self.full())
        self.assertEqual(r.rc, 1, r.describe())


class ExportRedteam(RedteamSealCase):
    """Exports and listings of a store whose rows hold hostile text (an
    attacker who edited the file, or text from a person)."""

    HOSTILE = 'a"]\\ b\nc\r\x1b[2J\x1b]0;pwn\x07\u202e\u009b31m'

    def hostile_store(self):
        seq = self.closed_record()
        self.tamper(("UPDATE audit_records SET payload = ?, kind = ? WHERE seq = ?",
                     (json.dumps({"reason": self.HOSTILE}, ensure_ascii=False),
                      "decl aration\x1b[1m", seq)))
        return seq

    def export(self, fmt):
        path = os.path.join(self.tmp, "export-%s-%d" % (fmt, time.monotonic_ns()))
        r = self.kikan("audit", "export", "--format", fmt, "--out", path)
        self.assertEqual(r.rc, 0, r.describe())
        with open(path, "rb") as f:
            return f.read()

    def test_list_and_show_escape_terminal_sequences(self):
        seq = self.hostile_store()
        for args in (("audit", "list"), ("audit", "show", str(seq)),
                     ("audit", "list", "--kind", "decl aration\x1b[1m")):
            r = self.kikan(*args)
            for e in ESCAPES:
                self.assertNotIn(e, r.stdout + r.stderr, "%s %r" % (args, e))

    def test_syslog_header_and_sd_param_hold_hostile_text(self):
        # WAS WRONG (fixed): SD-PARAM values turn control characters into U+FFFD but pass bidirectional overrides (U+202E) through raw, so a SOC console shows a payload reversed (Trojan-Source style spoofing of a reason or an ID); RIGHT: the syslog writer replaces the same classes kikan_escape_for_display does (bidi, invisible) in every SD-PARAM value.
        seq = self.hostile_store()
        from test_audit_export import PARAM, SYSLOG, sd_unescape
        n = len(self.records())
        out = self.export("syslog")
        lines = out.decode("utf-8").split("\n")
        self.assertEqual(lines[-1], "")
        self.assertEqual(len(lines) - 1, n, "one line per record")
        for line in lines[:-1]:
            self.assertRegex(line, SYSLOG)
        line = [x for x in lines if 'seq="%d"' % seq in x][0]
        m = SYSLOG.match(line)
        self.assertNotIn(" ", m.group("msgid"))
        params = dict((k, sd_unescape(v)) for k, v in PARAM.findall(m.group("params")))
        self.assertTrue(json.loads(params["payload"])["reason"].startswith('a"]\\ b\nc\r\x1b'),
                        params["payload"])
        for e in ESCAPES:
            self.assertNotIn(e, out)

    def test_syslog_hostname_from_edited_kiosk_id_stays_one_field(self):
        """A kiosk ID edited in the store to hold spaces must not shift the
        RFC 5424 header fields a SIEM parses (APP-NAME, MSGID)."""
        self.tamper("UPDATE audit_identity SET kiosk_id = 'evil host kikan - verdict'")
        out = self.export("syslog").decode("utf-8")
        from test_audit_export import SYSLOG
        for line in out.splitlines():
            m = SYSLOG.match(line)
            self.assertIsNotNone(m, line)
            self.assertEqual(m.group("app"), "kikan", line)

    def test_csv_formula_guard_with_leading_whitespace(self):
        # WAS WRONG (fixed): a cell that starts with a tab or CR before "=" (OWASP CSV injection: 0x09 and 0x0D are triggers too) gets no apostrophe; RIGHT: kikan_csv_formula_guarded skips leading whitespace/control characters (or guards any cell that starts with one).
        import csv
        seq = self.closed_record()
        for kind in ("=1+1", "\t=1+1", "\r=1+1", " @SUM(A1)", "-2+3"):
            self.tamper(("UPDATE audit_records SET kind = ? WHERE seq = ?", (kind, seq)))
            rows = list(csv.reader(io.StringIO(self.export("csv").decode("utf-8"), newline="")))
            cell = [r for r in rows[1:] if r[0] == str(seq)][0][2]
            self.assertTrue(cell.startswith("'"), "%r exported as %r" % (kind, cell))


class SampleRedteam(RedteamSealCase):

    def more_sessions(self, n):
        for _ in range(n):
            self.checkin({"employee": "E2002", "answers": self.clean_answers()})

    def sample(self, size, *extra):
        return self.kikan("audit", "sample", "--size", str(size), "--by", "auditor-1", "--json",
                          *extra)

    def test_draw_matches_the_documented_algorithm(self):
        self.more_sessions(7)
        population = [r[0] for r in self.sql("SELECT id FROM sessions ORDER BY id")]
        self.assertEqual(len(population), 8)
        for seed in ("00", "c0ffee", "ff" * 64):
            r = self.sample(5, "--seed", seed)
            self.assertEqual(r.rc, 0, r.describe())
            doc = json.loads(r.stdout)
            self.assertEqual(doc["selection"], draw(bytes.fromhex(seed), population, 5), seed)
        # The stored row and its record say the same.
        for sid, seed, selection in self.sql("SELECT id, seed, selection FROM audit_samples"):
            rec = [json.loads(p) for (p,) in self.sql(
                "SELECT payload FROM audit_records WHERE kind = 'audit_sample'")
                if json.loads(p)["sample"] == sid]
            self.assertEqual(len(rec), 1)
            self.assertEqual(rec[0]["seed"], seed)
            self.assertEqual(json.dumps(rec[0]["selection"]),
                             json.dumps(json.loads(selection)))

    def test_every_position_is_drawn(self):
        """Crude bias check: over 120 seeds of a 1-of-8 draw every session
        comes up, none more than three times its share."""
        self.more_sessions(7)
        population = [r[0] for r in self.sql("SELECT id FROM sessions ORDER BY id")]
        counts = {p: 0 for p in population}
        for i in range(120):
            counts[draw(i.to_bytes(2, "big"), population, 1)[0]] += 1
        self.assertTrue(all(0 < c < 45 for c in counts.values()), counts)
        r = self.sample(1, "--seed", "0077")
        self.assertEqual(json.loads(r.stdout)["selection"],
                         draw(bytes.fromhex("0077"), population, 1))

    def test_bad_seeds_refused(self):
        for seed in ("", "abc", "zz", "00" * 65, "0x00", "-1"):
            r = self.sample(1, "--seed", seed)
            self.assertEqual(r.rc, 2, "%r\n%s" % (seed, r.describe()))
        self.assertEqual(self.sql("SELECT count(*) FROM audit_samples")[0][0], 0)

    def test_attest_hostile(self):
        r = self.sample(1, "--seed", "01")
        self.assertEqual(r.rc, 0, r.describe())
        sid = json.loads(r.stdout)["id"]
        before = len(self.records())
        for bad_id in ("0", "-1", str(sid + 1), "1 OR 1=1", "99999999999999999999", "1e0", " 1"):
            x = self.kikan("audit", "attest", bad_id, "--by", "auditor-2", "--statement", "ok")
            self.assertEqual(x.rc, 2, "%r\n%s" % (bad_id, x.describe()))
        for statement in ("s" * 4001, "ok\u202egnp.exe", "ok\x1b[2J", "", "ok\x00"[:-1] + "\x7f"):
            x = self.kikan("audit", "attest", str(sid), "--by", "auditor-2", "--statement",
                           statement)
            self.assertEqual(x.rc, 2, "%r\n%s" % (statement[:20], x.describe()))
        self.assertEqual(len(self.records()), before)
        self.assertEqual(self.sql("SELECT count(*) FROM audit_attestations")[0][0], 0)
        # Twice: two attestations, two records, both listed (none overwritten).
        for i in range(2):
            x = self.kikan("audit", "attest", str(sid), "--by", "auditor-2", "--statement",
                           "reviewed %d" % i + "é" * 1990)
            self.assertEqual(x.rc, 0, x.describe())
        self.assertEqual(self.sql("SELECT count(*) FROM audit_attestations")[0][0], 2)
        self.assertEqual(self.sql("SELECT count(*) FROM audit_records WHERE kind = "
                                  "'audit_attestation'")[0][0], 2)
        self.assertEqual(self.verify().rc, 0)

    def test_sample_filter_text_escaped_in_listing(self):
        r = self.sample(1, "--seed", "01", "--employee", "E1001\x1b]0;x\x07")
        if r.rc == 0:
            out = self.kikan("audit", "samples")
            for e in ESCAPES:
                self.assertNotIn(e, out.stdout)
        else:
            self.assertEqual(r.rc, 2, r.describe())
            for e in ESCAPES:
                self.assertNotIn(e, r.stderr)


class SlipRedteam(RedteamSealCase):

    def test_hostile_slip_numbers(self):
        # The day's check-in already tried to print its own slip (no printer).
        before = self.sql("SELECT count(*) FROM slip_prints")[0][0]
        for number in ("../../etc/passwd", "K-1\x1b[2J", "$(touch /tmp/kikan-pwned)", "",
                       "x" * 5000, "1; rm -rf /"):
            r = self.kikan("slip", "print", number, "--queue", "q;touch /tmp/kikan-pwned")
            self.assertNotEqual(r.rc, 0, r.describe())
            for e in ESCAPES:
                self.assertNotIn(e, r.stdout + r.stderr)
        self.assertFalse(os.path.exists("/tmp/kikan-pwned"))
        self.assertEqual(self.sql("SELECT count(*) FROM slip_prints")[0][0], before)
