//! The relay's storage: per team, an append-only log of opaque envelopes
//! with relay-assigned sequence numbers, in one SQLite file.
//!
//! Appends are idempotent on the envelope id (its SHA-256): sending the same
//! envelope twice returns the first sequence number. An append is
//! acknowledged only after its transaction is committed with WAL +
//! synchronous=FULL, so a relay killed at any moment loses nothing it
//! acknowledged.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};

/// Where a team's log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub seq: u64,
    /// False when this envelope was already stored.
    pub new: bool,
}

/// Part of a team's log: (sequence number, envelope bytes), oldest first.
pub struct LogPage {
    pub envelopes: Vec<(u64, Vec<u8>)>,
    pub high_water: u64,
}

#[derive(Debug)]
pub enum AppendError {
    /// Same sender and sequence number as a stored envelope, different bytes.
    SenderSeqReused,
    Storage(rusqlite::Error),
}

impl From<rusqlite::Error> for AppendError {
    fn from(e: rusqlite::Error) -> Self {
        AppendError::Storage(e)
    }
}

#[derive(Clone)]
pub struct LogStore {
    conn: Arc<Mutex<Connection>>,
    incarnation: String,
}

impl LogStore {
    pub fn open(dir: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(dir.join("relay.db"))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        debug_assert_eq!(mode, "wal");
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS envelopes (
                 team        BLOB NOT NULL,
                 seq         INTEGER NOT NULL,
                 id          BLOB NOT NULL,
                 sender      BLOB NOT NULL,
                 sender_seq  INTEGER NOT NULL,
                 bytes       BLOB NOT NULL,
                 received_at INTEGER NOT NULL,
                 PRIMARY KEY (team, seq),
                 UNIQUE (team, id),
                 UNIQUE (team, sender, sender_seq)
             );",
        )?;
        // A fresh incarnation per data directory: a relay restored from an
        // older backup copy of the file keeps the old one, so the restore
        // procedure must delete this row (clients then re-upload).
        let incarnation: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'incarnation'", [], |r| r.get(0))
            .optional()?;
        let incarnation = match incarnation {
            Some(i) => i,
            None => {
                let i = uuid::Uuid::new_v4().simple().to_string();
                conn.execute("INSERT INTO meta (key, value) VALUES ('incarnation', ?1)", [&i])?;
                i
            }
        };
        Ok(LogStore {
            conn: Arc::new(Mutex::new(conn)),
            incarnation,
        })
    }

    pub fn incarnation(&self) -> &str {
        &self.incarnation
    }

    /// Stores an envelope durably and returns its sequence number.
    pub fn append(&self, env: &sync_proto::Envelope, now_ms: i64) -> Result<Appended, AppendError> {
        let mut conn = self.conn.lock().expect("a panicking append does not poison the log");
        let h = env.header();
        let id = env.id();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<(u64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, id FROM envelopes WHERE team = ?1 AND (id = ?2 OR (sender = ?3 AND sender_seq = ?4))",
                params![
                    h.team.as_slice(),
                    id.as_slice(),
                    h.sender.as_slice(),
                    h.sender_seq as i64
                ],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?;
        if let Some((seq, stored_id)) = existing {
            return if stored_id == id {
                Ok(Appended { seq, new: false })
            } else {
                Err(AppendError::SenderSeqReused)
            };
        }
        let seq: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM envelopes WHERE team = ?1",
            [h.team.as_slice()],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO envelopes (team, seq, id, sender, sender_seq, bytes, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![h.team.as_slice(), seq, id.as_slice(), h.sender.as_slice(), h.sender_seq as i64, env.bytes(), now_ms],
        )?;
        tx.commit()?;
        Ok(Appended {
            seq: seq as u64,
            new: true,
        })
    }

    /// Envelopes of `team` after `after`, at most `limit`, oldest first, and
    /// the team's highest sequence number.
    pub fn read(&self, team: &[u8; 16], after: u64, limit: u32) -> rusqlite::Result<LogPage> {
        let conn = self.conn.lock().expect("log lock");
        let mut stmt =
            conn.prepare_cached("SELECT seq, bytes FROM envelopes WHERE team = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
        let rows = stmt
            .query_map(params![team.as_slice(), after as i64, limit], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let high: i64 = conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM envelopes WHERE team = ?1",
            [team.as_slice()],
            |r| r.get(0),
        )?;
        Ok(LogPage {
            envelopes: rows,
            high_water: high as u64,
        })
    }
}
