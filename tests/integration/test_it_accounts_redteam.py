"""Red-team tests of IT staff accounts (KR-35; docs/it-accounts.md): races
past max_failures, hostile password files, clock games, case-variant names,
lock state edited in the store, and account enumeration."""

import json
import os
import sqlite3
import statistics
import subprocess
import threading
import time

from kikan_it import KikanTestCase

INITIAL = "initial password 2026"
CHOSEN = "a long sentence nobody guesses"


class ItAccountsRedteam(KikanTestCase):

    def setUp(self):
        super().setUp()
        self.now = 1796000000
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[it]\nmax_failures = 5\nlockout_minutes = 15\n")
        r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test", "--no-qr",
                       "--key-file", os.path.join(self.tmp, "vk.txt"))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(self.account("add", "it01", INITIAL).rc, 0)
        self.assertEqual(self.account("passwd", "it01", INITIAL, CHOSEN).rc, 0)

    def write_pw(self, data):
        path = os.path.join(self.tmp, "pw-%d" % time.monotonic_ns())
        with open(path, "wb") as f:
            f.write(data)
        return path

    def account(self, sub, name, *passwords, at=None, raw=None, path=None):
        if path is None:
            path = self.write_pw(raw if raw is not None
                                 else "".join(p + "\n" for p in passwords).encode())
        env = self.env(KIKAN_FAKE_NOW=str(at if at is not None else self.now))
        return self.kikan("it", "account", sub, name, "--password-file", path, env=env)

    def q(self, sql, *args):
        con = sqlite3.connect(os.path.join(self.home, "kikan.db"))
        try:
            with con:
                return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def logins(self):
        return [json.loads(p) for (p,) in self.q(
            "SELECT payload FROM audit_records WHERE kind = 'it_login' ORDER BY seq")]

    def test_parallel_wrong_passwords_lock_exactly_once(self):
        # 12 wrong attempts at once: the counter must not lose updates, so
        # exactly one attempt locks and every later one is "locked".
        results = []
        before = len(self.logins())

        def one(i):
            results.append(self.account("login", "it01", "wrong guess %d" % i))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(r.rc == 1 for r in results), [r.describe() for r in results])
        outcomes = [l["outcome"] for l in self.logins()[before:]]
        self.assertEqual(len(outcomes), 12, outcomes)
        self.assertEqual(outcomes, ["wrong_password"] * 4 + ["wrong_password_locked"]
                         + ["locked"] * 7)
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 1)
        self.assertEqual(self.logins()[-1]["outcome"], "locked")

    def test_lockout_does_not_reveal_which_accounts_exist(self):
        # WAS WRONG (fixed): an existing account answers LOCKED after 5 wrong passwords, an unknown one never does (enumeration); RIGHT: unknown names get the same lock answer (track failures per name attempted, or never say LOCKED differently from a refusal).
        known = [self.account("login", "it01", "guess %d" % i, at=self.now + i) for i in range(6)]
        unknown = [self.account("login", "it99", "guess %d" % i, at=self.now + i)
                   for i in range(6)]
        self.assertEqual([r.rc for r in known], [r.rc for r in unknown])
        self.assertEqual([r.stdout for r in known], [r.stdout for r in unknown])

    def test_nul_in_password_file_is_refused_not_truncated(self):
        # WAS WRONG (fixed): fgets+strlen cut the line at NUL, so "right password\0anything" opens IT mode; RIGHT: a line containing NUL is not text: refuse it (exit 2) before any attempt.
        r = self.account("login", "it01", raw=CHOSEN.encode() + b"\0 and more junk\n")
        self.assertNotEqual(r.rc, 0, r.describe())
        self.assertEqual(r.rc, 2, r.describe())

    def test_dev_zero_password_file_costs_no_attempt(self):
        # WAS WRONG (fixed): /dev/zero yields an empty "password" that counts as a wrong attempt towards the lock; RIGHT: a NUL-filled/binary file is an error (exit 2) and costs no attempt.
        before = len(self.logins())
        r = self.account("login", "it01", path="/dev/zero")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertEqual(len(self.logins()), before)
        self.assertEqual(self.q("SELECT failures FROM it_accounts WHERE id='it01'"), [(0,)])

    def test_fifo_password_file_is_read(self):
        fifo = os.path.join(self.tmp, "pw.fifo")
        os.mkfifo(fifo)

        def writer():
            with open(fifo, "w") as f:
                f.write(CHOSEN + "\n")
        t = threading.Thread(target=writer)
        t.start()
        r = self.account("login", "it01", path=fifo)
        t.join(10)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(CHOSEN.encode(), r.stdout + r.stderr)

    def test_huge_and_invalid_utf8_passwords_are_only_wrong(self):
        before = len(self.logins())
        for raw in (CHOSEN.encode() + b"x" * 5000 + b"\n", b"A" * 1025 + b"\n",
                    b"\xff\xfe" + CHOSEN.encode() + b"\n", CHOSEN.encode()[:-1] + b"\xc3\n"):
            r = self.account("login", "it01", raw=raw)
            self.assertIn(r.rc, (1, 2), r.describe())
            self.assertNotIn(b"x" * 100, r.stdout + r.stderr)
        # A huge line must not spill into a second "password": one attempt per run at most.
        self.assertLessEqual(len(self.logins()) - before, 4)
        # Invalid UTF-8 is refused for a new password.
        r = self.account("passwd", "it01", raw=CHOSEN.encode() + b"\n\xff\xfe long enough junk!\n")
        self.assertEqual(r.rc, 2, r.describe())
        r = self.account("login", "it01", CHOSEN)
        self.assertEqual(r.rc, 0, r.describe())

    def test_clock_set_backwards_keeps_the_lock(self):
        for i in range(5):
            self.account("login", "it01", "wrong %d" % i, at=self.now + i)
        for at in (self.now - 86400 * 365, self.now - 1, 0, 1):
            r = self.account("login", "it01", CHOSEN, at=at)
            self.assertEqual(r.rc, 1, r.describe())
            self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))
        self.assertEqual(self.account("login", "it01", CHOSEN, at=self.now + 4 + 901).rc, 0)

    def test_account_name_differing_by_case_is_the_same_account(self):
        # The lock of it01 is not escaped by spelling it IT01 (names are one account whatever
        # their case, schema-v4 COLLATE NOCASE).
        for i in range(5):
            self.account("login", "it01", "wrong %d" % i, at=self.now + i)
        r = self.account("login", "IT01", CHOSEN, at=self.now + 10)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertEqual(self.logins()[-1]["outcome"], "locked")
        r = self.account("login", "it01", CHOSEN, at=self.now + 10)
        self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))

    def test_account_name_differing_only_by_case_cannot_be_added(self):
        # WAS WRONG (fixed): it01 and IT01 can both exist (TEXT PRIMARY KEY is case-sensitive), confusable in the audit log; RIGHT: id COLLATE NOCASE (or lower-case on add) and refuse the duplicate.
        r = self.account("add", "IT01", INITIAL)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"already an IT account", r.stderr)

    def test_edited_lock_state_fails_closed(self):
        # Garbage lock time: locked (fail closed), even for the right password.
        self.q("UPDATE it_accounts SET locked_until = 'not a time' WHERE id = 'it01'")
        r = self.account("login", "it01", CHOSEN)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))
        # A lock time without a zone is not silently read as "no lock".
        self.q("UPDATE it_accounts SET locked_until = '2099-01-01T00:00:00' WHERE id = 'it01'")
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 1)
        # A failure count beyond the limit locks at the next wrong password.
        self.q("UPDATE it_accounts SET locked_until = NULL, failures = 1000 WHERE id = 'it01'")
        r = self.account("login", "it01", "wrong")
        self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))
        self.assertEqual(self.logins()[-1]["outcome"], "wrong_password_locked")
        # A negative count (extra attempts) is refused by the store itself.
        with self.assertRaises(sqlite3.IntegrityError):
            self.q("UPDATE it_accounts SET failures = -1000 WHERE id = 'it01'")
