-- Kikan store, schema step 3 → 4 (issue #11 item 2; KR-35; docs/it-accounts.md).
-- IT staff accounts for IT mode: the password as libsodium's argon2id
-- string (salt and parameters inside), the forced change of the initial
-- password, and the lock-out after repeated failures.  Every attempt is
-- an "it_login" audit record, written in the same transaction as the
-- counters it changes.
CREATE TABLE it_accounts (
    id              TEXT PRIMARY KEY COLLATE NOCASE,  -- it01 and IT01 are one account
    password_hash   TEXT NOT NULL,          -- crypto_pwhash_str (argon2id)
    must_change     INTEGER NOT NULL DEFAULT 1 CHECK (must_change IN (0, 1)),
    failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until    TEXT,                   -- UTC ISO 8601; NULL: not locked
    created_at      TEXT NOT NULL,
    changed_at      TEXT NOT NULL
);
