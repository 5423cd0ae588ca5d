"""IT staff accounts for IT mode (issue #11 item 2; KR-35;
docs/it-accounts.md): argon2id passwords, the forced change of the initial
one, the lock-out after repeated wrong passwords, and every attempt in the
audit log (issue #10 item 1: "admin login and failure").

Driven through `kikan it account add|login|passwd`, passwords from files
(never the command line)."""

import json
import os
import sqlite3
import time

from kikan_it import KikanTestCase

INITIAL = "initial password 2026"
CHOSEN = "a long sentence nobody guesses"


class AccountsTestCase(KikanTestCase):
    """The home, an IT account it01 and the helpers; no test of its own."""

    def setUp(self):
        super().setUp()
        self.now = 1796000000  # 2026-11-29, fixed so that the lock-out can be waited out
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[it]\nmax_failures = 5\nlockout_minutes = 15\n")
        r = self.kikan("audit", "init", "--kiosk-id", "kiosk-test", "--no-qr",
                       "--key-file", os.path.join(self.tmp, "vk.txt"))
        self.assertEqual(r.rc, 0, r.describe())
        with open(os.path.join(self.tmp, "vk.txt")) as f:
            self.vk = dict(l.strip().split("=", 1) for l in f if "=" in l)["verification_key"]
        r = self.account("add", "it01", INITIAL)
        self.assertEqual(r.rc, 0, r.describe())

    def account(self, sub, name, *passwords, at=None, role=None):
        path = os.path.join(self.tmp, "pw-%d" % time.monotonic_ns())
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(p + "\n" for p in passwords))
        env = self.env(KIKAN_FAKE_NOW=str(at if at is not None else self.now))
        extra = ("--role", role) if role is not None else ()
        return self.kikan("it", "account", sub, name, "--password-file", path, *extra, env=env)

    def logins(self):
        con = sqlite3.connect(os.path.join(self.home, "kikan.db"))
        try:
            return [json.loads(p) for (p,) in con.execute(
                "SELECT payload FROM audit_records WHERE kind = 'it_login' ORDER BY seq")]
        finally:
            con.close()

    def assert_chain_sealed(self):
        r = self.kikan("audit", "verify", "--key", self.vk)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertNotIn(b"not sealed yet", r.stdout, r.describe())


class ItAccounts(AccountsTestCase):

    def test_initial_password_must_be_changed(self):
        r = self.account("login", "it01", INITIAL)
        self.assertEqual(r.rc, 3, r.describe())
        self.assertIn(b"change it first", r.stdout)
        r = self.account("passwd", "it01", INITIAL, CHOSEN)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 0)
        # The initial password opens nothing any more.
        self.assertEqual(self.account("login", "it01", INITIAL).rc, 1)
        outcomes = [l["outcome"] for l in self.logins()]
        self.assertEqual(outcomes, ["ok_must_change", "ok_must_change", "ok", "wrong_password"])
        self.assert_chain_sealed()

    def test_five_wrong_passwords_lock_for_the_configured_time(self):
        """Must show (issue #11): a wrong IT password five times locks IT
        mode for the configured time, and each attempt is in the audit log."""
        self.assertEqual(self.account("passwd", "it01", INITIAL, CHOSEN).rc, 0)
        for i in range(4):
            r = self.account("login", "it01", "wrong %d" % i, at=self.now + i)
            self.assertEqual(r.rc, 1, r.describe())
            self.assertIn(b"Not signed in", r.stdout)
        r = self.account("login", "it01", "wrong 5", at=self.now + 4)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))
        # Locked: even the right password is refused, until 15 minutes pass.
        r = self.account("login", "it01", CHOSEN, at=self.now + 14 * 60)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn(self.logins()[-1]["outcome"], ("locked", "wrong_password_locked"))
        r = self.account("login", "it01", CHOSEN, at=self.now + 4 + 15 * 60 + 1)
        self.assertEqual(r.rc, 0, r.describe())
        outcomes = [l["outcome"] for l in self.logins()]
        self.assertEqual(outcomes, ["ok_must_change"] + ["wrong_password"] * 4
                         + ["wrong_password_locked", "locked", "ok"])
        self.assertEqual([l["failures"] for l in self.logins()][1:6], ["1", "2", "3", "4", "5"])
        self.assertIsNotNone(self.logins()[5]["locked_until"])
        self.assert_chain_sealed()

    def test_a_right_password_resets_the_count(self):
        self.assertEqual(self.account("passwd", "it01", INITIAL, CHOSEN).rc, 0)
        for _ in range(4):
            self.assertEqual(self.account("login", "it01", "nope").rc, 1)
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 0)
        for _ in range(4):
            self.assertEqual(self.account("login", "it01", "nope").rc, 1)
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 0)

    def test_unknown_account_answered_like_a_wrong_password(self):
        wrong = self.account("login", "it01", "not it")
        unknown = self.account("login", "it99", "not it")
        self.assertEqual((wrong.rc, unknown.rc), (1, 1))
        self.assertEqual(wrong.stdout, unknown.stdout)
        self.assertEqual(self.logins()[-1], {"account": "it99", "outcome": "unknown_account",
                                             "failures": "0", "locked_until": None})

    def test_weak_or_unchanged_passwords_refused_without_an_attempt(self):
        before = len(self.logins())
        for new, why in (("short", b"too short"), (INITIAL, b"must differ"),
                         ("IT01", b"too short"), ("it01it01it01", None)):
            r = self.account("passwd", "it01", INITIAL, new)
            if why is None:
                continue
            self.assertEqual(r.rc, 2, r.describe())
            self.assertIn(why, r.stderr)
        r = self.account("passwd", "it01", INITIAL, "it01")
        self.assertEqual(r.rc, 2, r.describe())
        # Only the accepted change (the last loop pass) cost an attempt.
        self.assertEqual(len(self.logins()), before + 1)

    def test_passwords_are_never_stored_or_logged(self):
        self.assertEqual(self.account("passwd", "it01", INITIAL, CHOSEN).rc, 0)
        self.account("login", "it01", "a wrong guess 123")
        data = b""
        for name in os.listdir(self.home):
            p = os.path.join(self.home, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    data += f.read()
        for secret in (INITIAL, CHOSEN, "a wrong guess 123"):
            self.assertNotIn(secret.encode(), data)
        con = sqlite3.connect(os.path.join(self.home, "kikan.db"))
        try:
            (h,) = con.execute("SELECT password_hash FROM it_accounts").fetchone()
        finally:
            con.close()
        self.assertTrue(h.startswith("$argon2id$"), h)

    def test_account_names_and_config_checked(self):
        r = self.account("add", "it01", INITIAL)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"already an IT account", r.stderr)
        r = self.account("add", "bad name\x1b[2J", INITIAL)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertNotIn(b"\x1b", r.stdout + r.stderr)
        r = self.account("login", "evil\x1b[2J\u202e", "x")
        self.assertEqual(r.rc, 1, r.describe())
        listing = self.kikan("audit", "list")
        self.assertNotIn(b"\x1b", listing.stdout)
        self.assertNotIn("\u202e".encode(), listing.stdout)
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[it]\nmax_failure = 5\n")
        r = self.account("login", "it01", INITIAL)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"[it] max_failure is not a known key", r.stderr)
        with open(os.path.join(self.home, "kikan.conf"), "w") as f:
            f.write("[it]\nlockout_minutes = 0\n")
        r = self.account("login", "it01", INITIAL)
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"[it] lockout_minutes must be", r.stderr)


class AccountRoles(AccountsTestCase):
    """Schema step 4 -> 5 (issue #11 item 4; KR-31): an auditor account
    opens auditor mode only, an IT account IT mode only; the other mode is
    answered like an unknown account and recorded as "wrong_mode"."""

    def setUp(self):
        super().setUp()
        r = self.account("add", "aud01", INITIAL, role="auditor")
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn(b"auditor mode only", r.stdout)
        # passwd changes either kind of account's password.
        for name in ("it01", "aud01"):
            r = self.account("passwd", name, INITIAL, CHOSEN)
            self.assertEqual(r.rc, 0, r.describe())

    def test_each_account_opens_its_own_mode_only(self):
        self.assertEqual(self.account("login", "aud01", CHOSEN, role="auditor").rc, 0)
        self.assertEqual(self.account("login", "it01", CHOSEN).rc, 0)
        cross_it = self.account("login", "aud01", CHOSEN)
        cross_aud = self.account("login", "it01", CHOSEN, role="auditor")
        unknown = self.account("login", "nobody", CHOSEN, role="auditor")
        self.assertEqual((cross_it.rc, cross_aud.rc, unknown.rc), (1, 1, 1))
        # The same words as an unknown account: the kiosk does not tell.
        self.assertEqual(cross_it.stdout, unknown.stdout)
        self.assertEqual(cross_aud.stdout, unknown.stdout)
        last = self.logins()[-3:]
        self.assertEqual(last[0], {"account": "aud01", "outcome": "wrong_mode", "failures": "0",
                                   "locked_until": None})
        self.assertEqual(last[1], {"account": "it01", "outcome": "wrong_mode", "failures": "0",
                                   "locked_until": None, "mode": "auditor"})
        self.assertEqual(last[2]["outcome"], "unknown_account")
        # A wrong mode costs no count.
        con = sqlite3.connect(os.path.join(self.home, "kikan.db"))
        try:
            self.assertEqual(con.execute("SELECT id, role, failures FROM it_accounts "
                                         "ORDER BY id").fetchall(),
                             [("aud01", "auditor", 0), ("it01", "it", 0)])
            (p,) = con.execute("SELECT payload FROM audit_records WHERE kind = "
                               "'it_account_add' ORDER BY seq DESC LIMIT 1").fetchone()
            self.assertEqual(json.loads(p), {"account": "aud01", "role": "auditor"})
        finally:
            con.close()
        self.assert_chain_sealed()

    def test_unknown_role_refused(self):
        r = self.account("add", "x01", INITIAL, role="admin")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn(b"--role", r.stderr)

    def test_short_hostile_name_recorded_exactly(self):
        """A name that cannot be an account is recorded escaped, and only
        its own bytes (the escape once read 200 bytes whatever its length)."""
        r = self.account("login", "a b\u202e", CHOSEN, role="auditor")
        self.assertEqual(r.rc, 1, r.describe())
        self.assertEqual(self.logins()[-1], {"account": "a b\\u{202E}", "outcome":
                                             "unknown_account", "failures": "0",
                                             "locked_until": None, "mode": "auditor"})
