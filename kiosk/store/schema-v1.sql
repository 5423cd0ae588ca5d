-- Kikan store, schema version 1 (issue #9 item 1; docs/store.md).
-- One SQLite file, $KIKAN_HOME/kikan.db, WAL, foreign keys on,
-- synchronous=FULL.  Times are UTC ISO 8601 text ("2026-12-03T13:45:00Z");
-- dates are "YYYY-MM-DD".  Every text that came from a person, a CSV or a
-- medium is stored verbatim and escaped only where it is shown.
-- Rows of evidence (sessions, items, declarations, inspections, findings,
-- verdicts, incidents, IT actions) are never updated in place except for
-- the columns named "state"/"ended_at"/"result" of a row that is still open,
-- and never deleted: a correction is a new row (KR-08, KR-30).

CREATE TABLE employees (
    id            TEXT PRIMARY KEY,           -- "E1001", as the asset tool knows it
    name          TEXT NOT NULL,              -- verbatim (Japanese welcome)
    department    TEXT,
    email         TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at    TEXT NOT NULL
);

CREATE TABLE assets (
    id                   TEXT PRIMARY KEY,    -- asset tag, "USB-0007"
    type                 TEXT NOT NULL CHECK (type IN ('laptop','usb','phone','token','other')),
    serial               TEXT,                -- as printed / as the device reports it
    model                TEXT,
    ownership            TEXT NOT NULL DEFAULT 'company'
                             CHECK (ownership IN ('company','leased','personal')),
    encryption_required  INTEGER NOT NULL DEFAULT 1 CHECK (encryption_required IN (0, 1)),
    classification_max   TEXT NOT NULL DEFAULT 'internal'
                             CHECK (classification_max IN ('public','internal','confidential')),
    status               TEXT NOT NULL DEFAULT 'in_service'
                             CHECK (status IN ('in_service','retired','lost','stolen','repair')),
    updated_at           TEXT NOT NULL
);
-- The kiosk finds an item by its printed serial as well as by its tag.
CREATE INDEX assets_serial ON assets(serial);

-- Who holds what since when.  A returned loan keeps its row with returned_on.
CREATE TABLE loans (
    id               INTEGER PRIMARY KEY,
    asset_id         TEXT NOT NULL REFERENCES assets(id),
    employee_id      TEXT NOT NULL REFERENCES employees(id),
    lent_on          TEXT NOT NULL,
    due_on           TEXT,
    telework_method  TEXT,                    -- e.g. "remote desktop", "VPN", "standalone"
    returned_on      TEXT,
    return_session   INTEGER REFERENCES sessions(id),
    note             TEXT
);
-- At most one open loan per asset.
CREATE UNIQUE INDEX loans_open_asset ON loans(asset_id) WHERE returned_on IS NULL;
CREATE INDEX loans_employee ON loans(employee_id);
CREATE INDEX loans_asset ON loans(asset_id);

-- The removable-media register (KR-06, Admin E-4): USB identity of an asset.
CREATE TABLE media (
    asset_id            TEXT PRIMARY KEY REFERENCES assets(id),
    vid                 INTEGER NOT NULL CHECK (vid BETWEEN 0 AND 65535),
    pid                 INTEGER NOT NULL CHECK (pid BETWEEN 0 AND 65535),
    usb_serial          TEXT,                 -- iSerialNumber string, verbatim
    manufacturer        TEXT,
    product             TEXT,
    fingerprint         TEXT,                 -- SHA-256 hex of the descriptors (usb/)
    hardware_encrypted  INTEGER NOT NULL DEFAULT 0 CHECK (hardware_encrypted IN (0, 1)),
    registered_at       TEXT NOT NULL,
    registered_by       TEXT NOT NULL
);
CREATE INDEX media_identity ON media(vid, pid, usb_serial);

-- One check-in.  state: open → (inspecting) → ended | incomplete.
-- A session found open at start-up (crash, power loss) is closed as
-- 'incomplete' or resumed (checkin/): never silently lost.
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    employee_id    TEXT NOT NULL REFERENCES employees(id),
    kiosk_id       TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    state          TEXT NOT NULL DEFAULT 'open'
                       CHECK (state IN ('open','ended','incomplete')),
    policy_version TEXT,
    sig_version    TEXT,                      -- signature set at the start (MAL-05)
    sig_time       TEXT,
    program_version TEXT NOT NULL
);
CREATE INDEX sessions_employee ON sessions(employee_id);
CREATE INDEX sessions_state ON sessions(state);

-- Answers to §5.2 stored verbatim (D-evidence).  answer: yes/no/not_sure,
-- or the text of a free-text question; followup: JSON text, verbatim.
CREATE TABLE declarations (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    question    TEXT NOT NULL,                -- "Q1" … "Q19"
    answer      TEXT NOT NULL,
    followup    TEXT,
    answered_at TEXT NOT NULL,
    UNIQUE (session_id, question)
);

-- Everything presented or accounted for in a session: a lent asset
-- (present or declared missing), or an unregistered medium.
-- presence: present | at_home | lost | stolen | damaged | transferred | undeclared
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions(id),
    asset_id      TEXT REFERENCES assets(id), -- NULL for an unregistered medium
    loan_id       INTEGER REFERENCES loans(id),
    presented_as  TEXT,                       -- the tag or serial typed or scanned, verbatim
    typed_serial  TEXT,                       -- serial read off the item at the kiosk
    presence      TEXT NOT NULL CHECK (presence IN
                      ('present','at_home','lost','stolen','damaged','transferred','undeclared')),
    return_by     TEXT,                       -- at_home: promised date
    transferred_to TEXT,                      -- transferred: to whom (verbatim)
    medium        TEXT,                       -- what was read: device node or image path
    usb_vid       INTEGER,
    usb_pid       INTEGER,
    usb_serial    TEXT,
    usb_fingerprint TEXT,
    usb_interfaces TEXT,                      -- "08/06/50,03/01/01" as seen
    declared_encrypted TEXT CHECK (declared_encrypted IN ('yes','no','not_sure')),
    state         TEXT NOT NULL DEFAULT 'recorded'
                      CHECK (state IN ('recorded','inspecting','inspected','pending','removed','failed')),
    presented_at  TEXT NOT NULL
);
CREATE INDEX items_session ON items(session_id);
CREATE INDEX items_asset ON items(asset_id);

-- KR-08: one row per inspection of a medium.  result: clean | infected |
-- not_inspected; the report is the scan's JSON (docs/json.md), verbatim.
CREATE TABLE inspections (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items(id),
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    result          TEXT CHECK (result IN ('clean','infected','not_inspected')),
    medium_id       TEXT,                     -- size + first-MiB SHA-256, or the device identity
    files           INTEGER NOT NULL DEFAULT 0,
    bytes           INTEGER NOT NULL DEFAULT 0,
    not_inspected   INTEGER NOT NULL DEFAULT 0,
    encryption      TEXT,                     -- none | bitlocker | luks1 | … | unknown | mixed
    unlocked        INTEGER NOT NULL DEFAULT 0,
    engine_version  TEXT,
    db_version      TEXT,
    db_time         TEXT,
    duration_s      REAL,
    status_detail   TEXT,                     -- why it ended early, if it did
    report_json     TEXT
);
CREATE INDEX inspections_item ON inspections(item_id);

-- Detections and not-inspected entries of an inspection (KR-08).
-- kind: detection | not_inspected | software
CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    inspection_id  INTEGER NOT NULL REFERENCES inspections(id),
    kind           TEXT NOT NULL CHECK (kind IN ('detection','not_inspected','software')),
    path           TEXT,
    sha256         TEXT,
    signature      TEXT,                      -- detection name, or software code
    reason         TEXT,                      -- not_inspected reason, or software slip code
    detail         TEXT
);
CREATE INDEX findings_inspection ON findings(inspection_id);

-- Lost or stolen items (KR-04), incidents from Q2/Q5/Q6 (KR-23), and the
-- IT follow-up a personal device used for work opens (Q7, KR-22).
CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,       -- "INC-2026-000123", printed on the slip
    session_id    INTEGER NOT NULL REFERENCES sessions(id),
    item_id       INTEGER REFERENCES items(id),
    kind          TEXT NOT NULL CHECK (kind IN
                      ('lost','stolen','temporarily_lost','unusual_behaviour','suspicious_mail',
                       'byod_followup')),
    data_held     TEXT,
    classification TEXT CHECK (classification IN ('public','internal','confidential','unknown')),
    personal_data TEXT CHECK (personal_data IN ('yes','no','not_sure')),
    remote_wipe   TEXT NOT NULL DEFAULT 'requested'
                      CHECK (remote_wipe IN ('requested','done','not_available','not_applicable')),
    locate        TEXT NOT NULL DEFAULT 'requested'
                      CHECK (locate IN ('requested','done','not_available','not_applicable')),
    description   TEXT,
    opened_at     TEXT NOT NULL
);
CREATE INDEX incidents_session ON incidents(session_id);

-- Verdicts: one row per item and one per session (item_id NULL) each time
-- the verdict engine decides.  The newest row of an item is its verdict;
-- older rows stay (original verdict kept under an override, KR-30).
-- reasons: JSON array [{"code":"MAL-02","provenance":"M","text":"…"}].
CREATE TABLE verdicts (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id),
    item_id     INTEGER REFERENCES items(id),
    verdict     TEXT NOT NULL CHECK (verdict IN
                    ('cleared','conditional','hold','quarantine','not_returned')),
    reasons     TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    decided_by  TEXT NOT NULL,                -- "kiosk" or an IT user's ID
    it_action_id INTEGER REFERENCES it_actions(id)
);
CREATE INDEX verdicts_session ON verdicts(session_id, item_id);
-- The verdict in force of an item is its newest row: looked up by item for
-- every earlier check-in (PROC-08), the IT queue and kikan db check.
CREATE INDEX verdicts_item ON verdicts(item_id, id);

-- IT resolutions and overrides (PROC-01, PROC-02, KR-30).
CREATE TABLE it_actions (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions(id),
    item_id      INTEGER REFERENCES items(id),
    kind         TEXT NOT NULL CHECK (kind IN ('resolve','override')),
    by_user      TEXT NOT NULL CHECK (length(by_user) > 0),
    reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    from_verdict TEXT NOT NULL,
    to_verdict   TEXT NOT NULL,
    at           TEXT NOT NULL
);

-- Ledger imports and other changes to the ledger (Admin B-2).
CREATE TABLE ledger_changes (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    source    TEXT NOT NULL,                  -- "import FILE (sha256)", "lend", "return", "checkin"
    summary   TEXT NOT NULL                   -- JSON: added/changed/removed counts
);
