-- Kikan store, schema step 1 → 2 (issue #10 item 1; docs/audit.md).
-- The audit chain: every event of the kiosk, appended in the same
-- transaction as the change it describes.  Each record's hash covers the
-- previous record's hash, so a record changed, removed, reordered or
-- inserted breaks the chain from that point (kikan audit verify).
-- Records are only ever appended; nothing updates or deletes them.

CREATE TABLE audit_records (
    seq         INTEGER PRIMARY KEY,        -- 1, 2, 3 … without gaps
    at          TEXT NOT NULL,              -- UTC ISO 8601
    kind        TEXT NOT NULL,              -- session_start, declaration, item, …
    session_id  INTEGER,                    -- the check-in it belongs to, if any
    payload     TEXT NOT NULL,              -- JSON, as hashed
    prev_hash   TEXT NOT NULL,              -- the previous record's hash (64 zeros first)
    hash        TEXT NOT NULL               -- BLAKE2b-256, hex, of the fields above
);
CREATE INDEX audit_records_session ON audit_records(session_id);

-- What a store made before the chain already held: those rows have no
-- record, and kikan audit verify counts only the rows after them.
CREATE TABLE audit_baseline AS SELECT
    (SELECT count(*) FROM sessions) AS sessions,
    (SELECT count(*) FROM declarations) AS declarations,
    (SELECT count(*) FROM items) AS items,
    (SELECT count(*) FROM verdicts) AS verdicts,
    (SELECT count(*) FROM it_actions) AS it_actions,
    (SELECT count(*) FROM ledger_changes) AS ledger_changes;

-- The chain is append-only in the store itself too: an UPDATE or DELETE
-- through SQLite fails (whoever holds the file can still rewrite it; the
-- chain, not the trigger, is what proves that).
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
