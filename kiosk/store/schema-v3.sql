-- Kikan store, schema step 2 → 3 (issue #10 items 2-7; docs/audit.md,
-- docs/slip.md).  Everything here is append-only, like audit_records: the
-- triggers refuse UPDATE and DELETE through SQLite, and the seals, not the
-- triggers, are what prove that nobody rewrote the file.

-- The kiosk's audit identity, written once by `kikan audit init`.  The
-- secrets are NOT here: the evolving sealing key and the Ed25519 secret
-- key live in $KIKAN_HOME/keys/ (0600), and the initial sealing key is
-- shown to the auditor once and then wiped.
CREATE TABLE audit_identity (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    kiosk_id        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    public_key      TEXT NOT NULL,  -- Ed25519, hex (checkpoints and slips)
    seal_key_id     TEXT NOT NULL   -- BLAKE2b-128 of the initial sealing key, hex: tells a wrong key from a forged seal
);

-- Forward-secure seals (Schneier-Kelsey / journald FSS).  Seal number
-- `epoch` is a keyed BLAKE2b MAC made with sealing key K_epoch over the
-- chain head at `seq`; K_epoch+1 = H(K_epoch) and K_epoch is then wiped,
-- so whoever takes the kiosk holds only a key that cannot seal the past.
-- Each seal is also an Ed25519-signed checkpoint (`signature`) that anyone
-- holding the public key can check.
CREATE TABLE audit_seals (
    epoch       INTEGER PRIMARY KEY,    -- 0, 1, 2 … without gaps: each key seals once
    seq         INTEGER NOT NULL,       -- the last record it covers (0: an empty chain)
    head_hash   TEXT NOT NULL,          -- that record's hash (64 zeros for 0)
    at          TEXT NOT NULL,          -- UTC ISO 8601
    why         TEXT NOT NULL,          -- init, session_end, interval, export, …
    prev_mac    TEXT NOT NULL,          -- the previous seal's mac (64 zeros first)
    mac         TEXT NOT NULL,          -- BLAKE2b-256 keyed with K_epoch, hex
    signature   TEXT NOT NULL           -- Ed25519 over the same message, hex
);
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;

-- Clearance slips (KR-27, REQUIREMENTS §5.5).  The PDF is archived as a
-- file under $KIKAN_HOME/slips/ (written and fsync'd before this row is
-- committed); its SHA-256 here and in the slip_issued record makes it
-- tamper-evident.  A reprint is a new row whose copy_of names the first.
CREATE TABLE slips (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,   -- slip number with its check code
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    copy_of     INTEGER REFERENCES slips(id),
    issued_at   TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    chain_seq   INTEGER NOT NULL,       -- the audit chain head the payload carries
    chain_head  TEXT NOT NULL,
    payload     TEXT NOT NULL,          -- base45, exactly as in the QR
    layout      TEXT NOT NULL CHECK (layout IN ('receipt', 'a4')),
    language    TEXT NOT NULL,
    pdf_path    TEXT NOT NULL,          -- relative to $KIKAN_HOME
    pdf_sha256  TEXT NOT NULL
);
CREATE INDEX slips_session ON slips(session_id);
CREATE TRIGGER slips_no_update BEFORE UPDATE ON slips
BEGIN SELECT RAISE(ABORT, 'slips are append-only'); END;
CREATE TRIGGER slips_no_delete BEFORE DELETE ON slips
BEGIN SELECT RAISE(ABORT, 'slips are append-only'); END;

-- Every attempt to print a slip and how it ended (issue #10 item 6).
CREATE TABLE slip_prints (
    id          INTEGER PRIMARY KEY,
    slip_id     INTEGER NOT NULL REFERENCES slips(id),
    at          TEXT NOT NULL,
    queue       TEXT,                   -- NULL: no printer configured
    job_id      INTEGER,
    outcome     TEXT NOT NULL CHECK (outcome IN ('printed', 'failed', 'no_printer')),
    message     TEXT
);

-- Log review samples (KR-33): the seed and the selection, so anyone can
-- draw the same sample again, and the reviewer's attestation.
CREATE TABLE audit_samples (
    id          INTEGER PRIMARY KEY,
    drawn_at    TEXT NOT NULL,
    drawn_by    TEXT NOT NULL,
    seed        TEXT NOT NULL,
    population  TEXT NOT NULL,          -- JSON: the filter the sample was drawn from
    selection   TEXT NOT NULL           -- JSON array of session ids, in draw order
);
CREATE TABLE audit_attestations (
    id          INTEGER PRIMARY KEY,
    sample_id   INTEGER NOT NULL REFERENCES audit_samples(id),
    at          TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    statement   TEXT NOT NULL
);
CREATE TRIGGER audit_samples_no_update BEFORE UPDATE ON audit_samples
BEGIN SELECT RAISE(ABORT, 'samples are append-only'); END;
CREATE TRIGGER audit_attestations_no_update BEFORE UPDATE ON audit_attestations
BEGIN SELECT RAISE(ABORT, 'attestations are append-only'); END;

-- Each record appended once the kiosk is initialised carries a MAC of its
-- hash keyed with the sealing key in force (K_e, e = the number of seals
-- made before it): a chain recomputed after an edit fails at the exact
-- record, for every record a later seal has closed.  NULL: written before
-- `kikan audit init`.
ALTER TABLE audit_records ADD COLUMN mac TEXT;
