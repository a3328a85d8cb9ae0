//! The SQLite file: how it is recognised, set up and migrated.
//!
//! One file, `tsunagi.db`, per device profile (the "home" directory),
//! encrypted whole with SQLCipher (pages, WAL and temp files): every
//! connection is keyed ([`StoreKey`]) before its first read. A plaintext file
//! from before encryption is refused with [`StoreError::Plaintext`] and
//! encrypted by [`crate::encrypt_plaintext`].

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, StoreKey};

pub const FILE_NAME: &str = "tsunagi.db";

/// `PRAGMA application_id`: "TSNG". Tells our file from any other SQLite file.
const APPLICATION_ID: i64 = 0x5453_4E47;

/// `PRAGMA user_version`: the version of the tables below.
pub const STORE_SCHEMA: i64 = 9;

pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

const SCHEMA_V1: &str = "
CREATE TABLE device (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    device_id     TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    kana          TEXT,
    profession    TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    phone         TEXT,
    email         TEXT,
    fax           TEXT,
    created_at    INTEGER NOT NULL
);

-- One row per care team. The patient's name and reading are a copy from the
-- record, kept so the team list does not load every document.
CREATE TABLE teams (
    team_id       TEXT PRIMARY KEY,
    created_at    INTEGER NOT NULL,
    patient_name  TEXT NOT NULL,
    patient_kana  TEXT,
    -- automerge save() of the record covering every change compacted away.
    snapshot      BLOB,
    -- Bumped on every compaction, so a cached copy knows to reload.
    generation    INTEGER NOT NULL DEFAULT 0
);

-- Changes since the snapshot, in the order they reached this laptop.
CREATE TABLE changes (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id       TEXT NOT NULL REFERENCES teams(team_id),
    hash          BLOB NOT NULL,
    bytes         BLOB NOT NULL,
    UNIQUE (team_id, hash)
);

-- Local changes a relay has not acknowledged yet. Holds its own copy of the
-- bytes so compaction never touches it; a row leaves only on acknowledgement.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id       TEXT NOT NULL REFERENCES teams(team_id),
    hash          BLOB NOT NULL,
    bytes         BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (team_id, hash)
);

-- How far this laptop has read each team's relay log.
CREATE TABLE sync_cursors (
    team_id       TEXT NOT NULL REFERENCES teams(team_id),
    relay         TEXT NOT NULL,
    incarnation   TEXT,
    server_seq    INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER,
    PRIMARY KEY (team_id, relay)
);
";

/// Version 2: what syncing through a relay needs.
const SCHEMA_V2: &str = "
-- This device's Ed25519 signing key (32-byte seed). Protected at rest by
-- SQLCipher once the store is encrypted; never leaves the device.
ALTER TABLE device ADD COLUMN signing_key BLOB;

-- The relay this device uses.
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Team keys, one per epoch.
CREATE TABLE team_keys (
    team_id  TEXT NOT NULL REFERENCES teams(team_id),
    epoch    INTEGER NOT NULL,
    key      BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch)
);

-- The team's signed membership ops, as last read from the relay (or made
-- here and not yet sent: sent = 0).
CREATE TABLE roster_ops (
    team_id     TEXT NOT NULL REFERENCES teams(team_id),
    idx         INTEGER NOT NULL,
    op          TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (team_id, idx)
);

-- Each outbox row is sealed when it is committed, so a resend after a lost
-- acknowledgement is byte for byte the same envelope.
ALTER TABLE teams ADD COLUMN next_sender_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN sender_seq INTEGER;
ALTER TABLE outbox ADD COLUMN envelope BLOB;
-- Acknowledged rows stay for a while (acked_seq set): if the relay is
-- restored from an older backup, they are sent again, byte for byte.
ALTER TABLE outbox ADD COLUMN acked_seq INTEGER;
ALTER TABLE outbox ADD COLUMN acked_at INTEGER;

-- Envelopes from the relay that did not verify or decrypt: kept, reported,
-- never applied.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     TEXT NOT NULL,
    server_seq  INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    received_at INTEGER NOT NULL
);
";

/// Version 5: how long the team's envelope log was when the relay took
/// each roster op, so a removed device's envelopes are accepted only from
/// before its removal (NULL: not known, from an older relay).
const SCHEMA_V5: &str = "
ALTER TABLE roster_ops ADD COLUMN log_len INTEGER;
-- The relay's running hash of the log at the cursor: a relay whose whole
-- data directory was put back from a backup shows another one there.
ALTER TABLE sync_cursors ADD COLUMN chain TEXT;
-- The roster as the relay last showed it: how many accepted ops and the
-- head of their hash chain, sealed into each envelope this laptop writes;
-- and, if another member's envelope showed a roster this one cannot
-- extend to, why this laptop stopped syncing the team.
ALTER TABLE teams ADD COLUMN roster_ops INTEGER;
ALTER TABLE teams ADD COLUMN roster_head BLOB;
ALTER TABLE teams ADD COLUMN roster_fork TEXT;

-- A record started from a member's snapshot is checked against the log it
-- claims to cover: every change there must be in the record (a snapshot
-- that leaves out the allergy note must not hide it). One row per team
-- while the check is under way.
CREATE TABLE snapshot_checks (
    team_id     TEXT PRIMARY KEY REFERENCES teams(team_id),
    next_seq    INTEGER NOT NULL,
    covers      INTEGER NOT NULL,
    author      TEXT NOT NULL,
    missing     INTEGER NOT NULL DEFAULT 0,
    -- The snapshot's change hashes (32 bytes each): every one must be in
    -- the log too.
    hashes      BLOB NOT NULL DEFAULT x''
);
";

/// Version 3: what others wrote, kept to give back to a relay restored from
/// an older backup.
const SCHEMA_V3: &str = "
-- Envelopes other members sealed, as read from the relay and verified, kept
-- byte for byte as long as acknowledged outbox rows: if the relay is restored
-- from an older backup, this laptop gives them back, so a change is not lost
-- while any laptop still holds it, even if its author never reconnects.
CREATE TABLE relayed (
    team_id     TEXT NOT NULL REFERENCES teams(team_id),
    id          BLOB NOT NULL,
    server_seq  INTEGER NOT NULL,
    envelope    BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, id)
);
CREATE INDEX relayed_by_seq ON relayed (team_id, server_seq);
";

/// Version 4: each record's summary for Today; quarantined envelopes the
/// relay confirmed damaged, to take again once repaired.
const SCHEMA_V4: &str = "
ALTER TABLE quarantine ADD COLUMN repairable INTEGER NOT NULL DEFAULT 0;

-- What Today shows of each record (summary.rs), valid while the team's
-- state (compaction generation and newest change) is `state`.
CREATE TABLE summaries (
    team_id     TEXT PRIMARY KEY REFERENCES teams(team_id),
    state       TEXT NOT NULL,
    since       INTEGER NOT NULL,
    record      TEXT NOT NULL
);
";

/// v6: the search index (search.rs), rebuilt per team when its state
/// moves, like `summaries`.
/// Version 7: the access log (監査ログ). `audit` holds every chain this
/// laptop knows: its own (one per scope: a team, or '' for unlocks and
/// locks) and other devices' that arrived sealed with a team. Checkpoints
/// are the relay's countersignatures of this device's chains. Outbox rows
/// get a kind, so audit entries waiting to be sent are not "unsent records".
const SCHEMA_V7: &str = "
CREATE TABLE audit (
    device      TEXT NOT NULL,
    scope       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    member      TEXT NOT NULL,
    action      TEXT NOT NULL,
    entry_id    TEXT,
    hash        BLOB NOT NULL,
    entry       TEXT NOT NULL,
    -- This device's team entries: sealed to the team yet?
    sent        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device, scope, seq)
);
CREATE INDEX audit_by_time ON audit (at DESC);
CREATE TABLE audit_checkpoints (
    scope       TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    checkpoint  TEXT NOT NULL,
    PRIMARY KEY (scope, seq)
);
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'change';
";

/// Version 8: what a record is about (a patient, or a station holding the
/// on-call rota); which escalations this laptop has told of, so each
/// (item, stage) notifies once; the 傷病名 master loaded on this laptop
/// (B: disease names, Z: modifiers), searched by folded name or reading.
const SCHEMA_V8: &str = "
ALTER TABLE teams ADD COLUMN kind TEXT NOT NULL DEFAULT 'patient';
CREATE TABLE escalations_told (
    team_id     TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    stage       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (team_id, entry_id, stage)
);
CREATE TABLE disease_master (
    kind        TEXT NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kana        TEXT,
    folded      TEXT NOT NULL,
    icd10       TEXT,
    version     TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);
";

/// v9: attached files, sealed as the relay stores them (blobs.rs).
const SCHEMA_V9: &str = "
CREATE TABLE blobs (
    team_id     TEXT NOT NULL,
    -- SHA-256 of the sealed bytes.
    address     BLOB NOT NULL,
    bytes       BLOB NOT NULL,
    -- 0 until the relay has it (files attached on this laptop).
    sent        INTEGER NOT NULL DEFAULT 0,
    stored_at   INTEGER NOT NULL,
    PRIMARY KEY (team_id, address)
);
CREATE INDEX blobs_unsent ON blobs (team_id) WHERE sent = 0;
";

const SCHEMA_V6: &str = "
CREATE TABLE search_entries (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams(team_id),
    kind        TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    folded      TEXT NOT NULL,
    text        TEXT NOT NULL,
    at          INTEGER
);
CREATE INDEX search_entries_team ON search_entries(team_id);
-- A one- or two-character query reads only some kinds, newest first.
CREATE INDEX search_entries_kind ON search_entries(kind, at DESC);
-- Trigrams of the folded text (SQLite's FTS5): a query of three or more
-- characters finds its rows without reading every note.
CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_entries', content_rowid='id', tokenize='trigram');
CREATE TABLE search_state (
    team_id     TEXT PRIMARY KEY REFERENCES teams(team_id),
    state       TEXT NOT NULL
);
";

/// Opens an existing store, refusing anything that is not one without
/// writing a byte to it.
pub fn open_existing(path: &Path, key: &StoreKey) -> Result<Connection, StoreError> {
    let not_a_store = || StoreError::NotAStore {
        path: path.to_path_buf(),
    };
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| StoreError::Io(e.to_string()))?;
    if f.read_exact(&mut header).is_err() {
        return Err(not_a_store());
    }
    // An encrypted file starts with its random salt; one in the clear is a
    // profile from before encryption (or someone else's database).
    if &header == SQLITE_MAGIC {
        return Err(if is_ours_in_clear(path)? {
            StoreError::Plaintext {
                path: path.to_path_buf(),
            }
        } else {
            not_a_store()
        });
    }
    // The checks run on a read-only connection: it sees the log (WAL) too,
    // so a profile killed right after `init` still reads as ours, yet it can
    // never roll back a journal or checkpoint into a file we then refuse.
    {
        let ro = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| StoreError::from(e).at(path))?;
        key.apply(&ro)?;
        let app_id: i64 = match ro.query_row("PRAGMA application_id", [], |r| r.get(0)) {
            Ok(id) => id,
            // With a key that unwrapped (authenticated) from this profile's
            // lock, an unreadable first page means a damaged or foreign file.
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                return Err(StoreError::WrongKey {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => return Err(StoreError::from(e).at(path)),
        };
        if app_id != APPLICATION_ID {
            return Err(not_a_store());
        }
        let version: i64 = ro.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > STORE_SCHEMA {
            return Err(StoreError::NewerStore {
                path: path.to_path_buf(),
                found: version,
                supported: STORE_SCHEMA,
            });
        }
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::from(e).at(path))?;
    key.apply(&conn)?;
    configure(&conn).map_err(|e| e.at(path))?;
    Ok(conn)
}

/// Whether a file in clear is a Tsunagi profile from before encryption
/// (read-only: nothing is written).
pub(crate) fn is_ours_in_clear(path: &Path) -> Result<bool, StoreError> {
    let ro = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| StoreError::from(e).at(path))?;
    let app_id: i64 = ro
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| StoreError::from(e).at(path))?;
    Ok(app_id == APPLICATION_ID)
}

/// Creates a new encrypted store file; refuses if one is there.
pub fn create_new(path: &Path, key: &StoreKey) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    key.apply(&conn)?;
    // Compaction frees pages; give them back to the file system afterwards.
    // Must be set before the first table exists.
    conn.execute_batch("PRAGMA auto_vacuum = INCREMENTAL;")?;
    configure(&conn)?;
    crate::private::restrict_file(path)?;
    Ok(conn)
}

/// Makes the tables, in the caller's transaction.
pub fn create_tables(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {STORE_SCHEMA}; {SCHEMA_V1} {SCHEMA_V2} {SCHEMA_V3} {SCHEMA_V4} {SCHEMA_V5} {SCHEMA_V6} {SCHEMA_V7} {SCHEMA_V8} {SCHEMA_V9}"
    ))?;
    Ok(())
}

/// Durability settings, argued in ARCHITECTURE.md: WAL with synchronous=FULL
/// makes every commit one fsync of the log before COMMIT returns, so a
/// command that said "saved" survives a crash or an empty battery.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Io(format!("journal_mode is {mode}, not WAL")));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )?;
    // Two CLI commands at once wait for each other rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

/// Brings a store of an older version up to [`STORE_SCHEMA`], in one
/// transaction; returns the version it found.
pub fn migrate_tables(conn: &Connection) -> Result<i64, StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 2 {
        conn.execute_batch(SCHEMA_V2)?;
    }
    if version < 3 {
        conn.execute_batch(SCHEMA_V3)?;
    }
    if version < 4 {
        conn.execute_batch(SCHEMA_V4)?;
    }
    if version < 5 {
        conn.execute_batch(SCHEMA_V5)?;
    }
    if version < 6 {
        conn.execute_batch(SCHEMA_V6)?;
    }
    if version < 7 {
        conn.execute_batch(SCHEMA_V7)?;
    }
    if version < 8 {
        conn.execute_batch(SCHEMA_V8)?;
    }
    if version < 9 {
        conn.execute_batch(SCHEMA_V9)?;
    }
    conn.execute_batch(&format!("PRAGMA user_version = {STORE_SCHEMA};"))?;
    Ok(version)
}
