-- Kikan store, schema step 4 → 5 (issue #11 item 4; KR-31; docs/it-accounts.md).
-- Auditors sign in to the kiosk's auditor mode with the same kind of
-- account as IT staff (argon2id, forced change, lock-out, every attempt
-- audited), but an account opens one mode only: an IT account never
-- opens auditor mode and an auditor account never opens IT mode, so the
-- read-only role cannot be used to resolve or override anything.  Every
-- account made before this step is an IT account.
ALTER TABLE it_accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'it'
    CHECK (role IN ('it', 'auditor'));
