//! The embedded engine: every team's log, roster, invites, snapshots and
//! blobs in one SQLite file (`relay.db`) beside the relay — nothing to set
//! up, and a station's or a small region's relay needs no more.
//!
//! An append is acknowledged only after its transaction is committed with
//! WAL + synchronous=FULL, so a relay killed at any moment loses nothing it
//! acknowledged. Appends go through one writer thread that commits whatever
//! has queued up in one transaction (group commit): one fsync covers many
//! devices' saves, and each is answered only after that commit. Other
//! calls run on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};

use super::{
    chain_next, family, genuine, speaker, standing, AppendError, Live, LogPage, MemberError, MemberOpRow, Membership,
    RosterCache, TeamId, MAX_CACHED_ROSTERS, MAX_PAGE_BYTES, MAX_ROSTER_OPS,
};
use crate::policy::Policy;

mod blobs;
mod checkpoints;
mod engine;
mod invites;
mod writer;

pub use invites::new_enrolment;
use writer::Job;

impl From<rusqlite::Error> for AppendError {
    fn from(e: rusqlite::Error) -> Self {
        AppendError::Storage(e.to_string())
    }
}

impl From<rusqlite::Error> for MemberError {
    fn from(e: rusqlite::Error) -> Self {
        MemberError::Storage(e.into())
    }
}

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    incarnation: String,
    /// (team, seq) of every newly stored envelope, for live push.
    appended: Live,
    /// Verified rosters by team, with how many ops each covers: replaying
    /// (checking every signature) on each request would cost O(members) per
    /// request. Taken only while holding `conn`, so it never goes stale.
    rosters: Arc<Mutex<RosterCache>>,
    /// To the writer thread, which owns every append's commit.
    appends: std::sync::mpsc::Sender<Job>,
    policy: Arc<Policy>,
}

impl SqliteStore {
    pub fn open(dir: &Path, policy: Arc<Policy>) -> rusqlite::Result<Self> {
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
             );
             -- Bytes each team's log holds, for its quota.
             CREATE TABLE IF NOT EXISTS usage (
                 team        BLOB PRIMARY KEY,
                 bytes       INTEGER NOT NULL
             );
             -- Envelopes whose stored bytes no longer verify (reported by a
             -- member, checked here), until a genuine copy is sent again.
             CREATE TABLE IF NOT EXISTS damaged (
                 team        BLOB NOT NULL,
                 seq         INTEGER NOT NULL,
                 PRIMARY KEY (team, seq)
             );
             CREATE TABLE IF NOT EXISTS members (
                 team        BLOB NOT NULL,
                 seq         INTEGER NOT NULL,
                 id          BLOB NOT NULL,
                 op          TEXT NOT NULL,
                 received_at INTEGER NOT NULL,
                 PRIMARY KEY (team, seq),
                 UNIQUE (team, id)
             );
             CREATE TABLE IF NOT EXISTS invites (
                 id          BLOB PRIMARY KEY,
                 team        BLOB NOT NULL,
                 claim_hash  BLOB NOT NULL,
                 sealed      BLOB NOT NULL,
                 expires_ms  INTEGER NOT NULL,
                 used_at     INTEGER
             );
             CREATE INDEX IF NOT EXISTS invites_expiry ON invites (expires_ms);
             -- The newest sealed snapshot of each team's record, and the log
             -- seq it covers: a new device loads it and reads only the rest.
             CREATE TABLE IF NOT EXISTS snapshots (
                 team        BLOB PRIMARY KEY,
                 covers      INTEGER NOT NULL,
                 bytes       BLOB NOT NULL,
                 received_at INTEGER NOT NULL
             );",
        )?;
        // Since invites answer a repeated claim from the same device: who claimed.
        let has_claimant: bool = conn.query_row(
            "SELECT count(*) FROM pragma_table_info('invites') WHERE name = 'claimed_by'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_claimant {
            conn.execute("ALTER TABLE invites ADD COLUMN claimed_by BLOB", [])?;
            // And the invite's public key: its row goes when the join that
            // uses it arrives.
            conn.execute("ALTER TABLE invites ADD COLUMN invite_key BLOB", [])?;
        }
        // Since removed devices' late envelopes are refused: how long the
        // envelope log was when each membership op was taken.
        let has_log_len: bool = conn.query_row(
            "SELECT count(*) FROM pragma_table_info('members') WHERE name = 'log_len'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_log_len {
            conn.execute("ALTER TABLE members ADD COLUMN log_len INTEGER", [])?;
        }
        invites::create_tables(&conn)?;
        checkpoints::create_tables(&conn)?;
        blobs::create_tables(&conn)?;
        // Since a restore of the whole data directory is detected: each
        // envelope carries the running hash of the log up to it.
        let has_chain: bool = conn.query_row(
            "SELECT count(*) FROM pragma_table_info('envelopes') WHERE name = 'chain'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_chain {
            conn.execute("ALTER TABLE envelopes ADD COLUMN chain BLOB", [])?;
            backfill_chains(&conn)?;
            conn.execute(
                "INSERT OR REPLACE INTO usage (team, bytes) SELECT team, sum(length(bytes)) FROM envelopes GROUP BY team",
                [],
            )?;
        }
        // A fresh incarnation per data directory: a relay restored from an
        // older backup copy of the file keeps the old one, so the restore
        // procedure must delete this row (clients then re-upload).
        let incarnation: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'incarnation'", [], |r| r.get(0))
            .optional()?;
        // The incarnation is also kept beside the database. If they differ,
        // the database was put back from a backup: take a new incarnation so
        // clients notice and send again what the backup lacks.
        let sidecar = dir.join("relay.incarnation");
        let beside = std::fs::read_to_string(&sidecar).ok().map(|s| s.trim().to_string());
        let incarnation = match (incarnation, beside) {
            (Some(i), Some(b)) if i != b => {
                let fresh = uuid::Uuid::new_v4().simple().to_string();
                tracing::warn!(old = %i, new = %fresh, "database restored from a backup: new incarnation");
                conn.execute("UPDATE meta SET value = ?1 WHERE key = 'incarnation'", [&fresh])?;
                fresh
            }
            (Some(i), _) => i,
            (None, _) => {
                let i = uuid::Uuid::new_v4().simple().to_string();
                conn.execute("INSERT INTO meta (key, value) VALUES ('incarnation', ?1)", [&i])?;
                i
            }
        };
        if let Err(e) = write_durably(&sidecar, incarnation.as_bytes()) {
            tracing::warn!(error = %e, "could not write relay.incarnation");
        }
        let (appends, jobs) = std::sync::mpsc::channel();
        let store = SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            incarnation,
            appended: Live::default(),
            rosters: Arc::default(),
            appends,
            policy,
        };
        // The writer holds no sender: it ends once every LogStore is dropped
        // and the queue is empty.
        let (conn, rosters, appended, policy) = (
            store.conn.clone(),
            store.rosters.clone(),
            store.appended.clone(),
            store.policy.clone(),
        );
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || writer::write_appends(&conn, &rosters, &appended, &policy, jobs))
            .expect("start the log writer thread");
        Ok(store)
    }

    /// Moves everything committed from the WAL into the database file.
    pub fn checkpoint(&self) -> rusqlite::Result<()> {
        let conn = self.conn.lock().expect("log lock");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }

    /// The team's verified roster; `conn` is the locked connection.
    fn roster(&self, conn: &Connection, team: &[u8; 16]) -> rusqlite::Result<Arc<sync_proto::Roster>> {
        roster_of(&self.rosters, conn, team)
    }

    fn replay(conn: &Connection, team: &[u8; 16]) -> rusqlite::Result<sync_proto::Roster> {
        let mut stmt = conn.prepare_cached("SELECT op, received_at FROM members WHERE team = ?1 ORDER BY seq")?;
        let ops = stmt
            .query_map([team.as_slice()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(super::replay(team, ops))
    }

    /// Where the device with this key stands in the team.
    pub fn membership(&self, team: &[u8; 16], key: &[u8; 32]) -> rusqlite::Result<Membership> {
        let conn = self.conn.lock().expect("log lock");
        Ok(standing(&*self.roster(&conn, team)?, key))
    }

    /// Whether the device with `key` joined `team` as family: its envelopes
    /// are kept (its own notes), its snapshots are not (a whole record is
    /// for the team's members to vouch for).
    pub fn is_family(&self, team: &[u8; 16], key: &[u8; 32]) -> rusqlite::Result<bool> {
        let conn = self.conn.lock().expect("log lock");
        Ok(family(&*self.roster(&conn, team)?, key))
    }

    /// Adds a membership op if it verifies against the team's roster so far
    /// and comes from the device it speaks for (`peer`).
    pub fn add_member_op(
        &self,
        team: &[u8; 16],
        op: &sync_proto::MembershipOp,
        peer: &[u8; 32],
        now_ms: i64,
    ) -> Result<u64, MemberError> {
        let mut conn = self.conn.lock().expect("log lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id = op.id();
        let existing: Option<i64> = tx
            .query_row(
                "SELECT seq FROM members WHERE team = ?1 AND id = ?2",
                params![team.as_slice(), id.as_slice()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(seq) = existing {
            return Ok(seq as u64);
        }
        let mut roster = (*self.roster(&tx, team)?).clone();
        let speaker = speaker(&roster, op);
        if speaker.as_deref() != Some(peer.as_slice()) {
            return Err(MemberError::Refused(sync_proto::RosterError::NotMember));
        }
        // A new team costs this relay storage for years: only from devices
        // its operator enrolled (joining by invite needs none).
        if matches!(op, sync_proto::MembershipOp::Genesis { .. })
            && !self.policy.open_registration
            && !invites::is_enrolled(&tx, peer)?
        {
            return Err(MemberError::NotEnrolled);
        }
        roster.apply(team, op, now_ms).map_err(MemberError::Refused)?;
        let ops: i64 = tx.query_row("SELECT count(*) FROM members WHERE team = ?1", [team.as_slice()], |r| {
            r.get(0)
        })?;
        // A care team's roster grows by a few ops a month; a member making
        // ops in a loop (invites) meets this long before the disk does.
        if ops >= MAX_ROSTER_OPS {
            return Err(MemberError::RosterFull);
        }
        let seq: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM members WHERE team = ?1",
            [team.as_slice()],
            |r| r.get(0),
        )?;
        let json = serde_json::to_string(op).expect("ops serialise");
        let log_len: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM envelopes WHERE team = ?1",
            [team.as_slice()],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO members (team, seq, id, op, received_at, log_len) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![team.as_slice(), seq, id.as_slice(), json, now_ms, log_len],
        )?;
        // A used invite's sealed team key is kept no longer than needed.
        if let sync_proto::MembershipOp::Join { invite_key, .. } = op {
            if let Ok(key) = hex::decode(invite_key) {
                tx.execute(
                    "DELETE FROM invites WHERE team = ?1 AND invite_key = ?2",
                    params![team.as_slice(), key],
                )?;
            }
        }
        tx.commit()?;
        self.rosters
            .lock()
            .expect("roster cache lock")
            .insert(*team, (ops + 1, Arc::new(roster)));
        // Announced, so online members take a new key at once rather than at
        // their next pass, and a removed device's live push is closed.
        self.appended.roster_changed(*team, ops as u64 + 1);
        Ok(seq as u64)
    }

    /// The team's membership ops with their receipt times and the log's
    /// length then, in order.
    pub fn member_ops(&self, team: &[u8; 16]) -> rusqlite::Result<Vec<MemberOpRow>> {
        let conn = self.conn.lock().expect("log lock");
        let mut stmt =
            conn.prepare_cached("SELECT op, received_at, log_len FROM members WHERE team = ?1 ORDER BY seq")?;
        let rows = stmt
            .query_map([team.as_slice()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect();
        rows
    }

    /// Envelopes of `team` after `after`, at most `limit` and about
    /// [`MAX_PAGE_BYTES`] (always at least one), oldest first, and the
    /// team's highest sequence number.
    pub fn read(&self, team: &[u8; 16], after: u64, limit: u32) -> rusqlite::Result<LogPage> {
        let conn = self.conn.lock().expect("log lock");
        let mut stmt =
            conn.prepare_cached("SELECT seq, bytes FROM envelopes WHERE team = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
        let mut rows = stmt.query(params![team.as_slice(), after as i64, limit])?;
        let (mut envelopes, mut bytes) = (Vec::new(), 0usize);
        while let Some(row) = rows.next()? {
            let envelope: Vec<u8> = row.get(1)?;
            if !envelopes.is_empty() && bytes + envelope.len() > MAX_PAGE_BYTES {
                break;
            }
            bytes += envelope.len();
            envelopes.push((row.get::<_, i64>(0)? as u64, envelope));
        }
        drop(rows);
        let rows = envelopes;
        let chain_at = |seq: u64| -> rusqlite::Result<[u8; 32]> {
            if seq == 0 {
                return Ok([0; 32]);
            }
            let chain: Option<Vec<u8>> = conn
                .prepare_cached("SELECT chain FROM envelopes WHERE team = ?1 AND seq = ?2")?
                .query_row(params![team.as_slice(), seq as i64], |r| r.get(0))
                .optional()?
                .flatten();
            Ok(chain.and_then(|c| c.try_into().ok()).unwrap_or([0; 32]))
        };
        let chain_after = chain_at(after)?;
        let chain_end = match rows.last() {
            Some((seq, _)) => chain_at(*seq)?,
            None => chain_after,
        };
        let high: i64 = conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM envelopes WHERE team = ?1",
            [team.as_slice()],
            |r| r.get(0),
        )?;
        let roster_ops: i64 = conn
            .prepare_cached("SELECT count(*) FROM members WHERE team = ?1")?
            .query_row([team.as_slice()], |r| r.get(0))?;
        let snapshot: i64 = conn
            .prepare_cached("SELECT coalesce(max(covers), 0) FROM snapshots WHERE team = ?1")?
            .query_row([team.as_slice()], |r| r.get(0))?;
        let damaged = conn
            .prepare_cached("SELECT seq FROM damaged WHERE team = ?1 ORDER BY seq LIMIT 100")?
            .query_map([team.as_slice()], |r| Ok(r.get::<_, i64>(0)? as u64))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LogPage {
            envelopes: rows,
            chain_after,
            chain_end,
            high_water: high as u64,
            roster_ops: roster_ops as u64,
            snapshot: snapshot as u64,
            damaged,
        })
    }

    /// A member says the envelope at `seq` does not verify. If its stored
    /// bytes indeed fail its sender's signature (a disk error, or tampering
    /// here), it is listed as damaged, so that a laptop holding a genuine
    /// copy sends it again. Returns whether it is damaged.
    pub fn report_damaged(&self, team: &[u8; 16], seq: u64) -> rusqlite::Result<bool> {
        let conn = self.conn.lock().expect("log lock");
        let bytes: Option<Vec<u8>> = conn
            .query_row(
                "SELECT bytes FROM envelopes WHERE team = ?1 AND seq = ?2",
                params![team.as_slice(), seq as i64],
                |r| r.get(0),
            )
            .optional()?;
        let Some(bytes) = bytes else { return Ok(false) };
        let roster = self.roster(&conn, team)?;
        if genuine(&roster, &bytes) {
            return Ok(false);
        }
        conn.execute(
            "INSERT OR IGNORE INTO damaged (team, seq) VALUES (?1, ?2)",
            params![team.as_slice(), seq as i64],
        )?;
        tracing::warn!(
            seq,
            "a stored envelope fails its signature: listed as damaged until a copy comes"
        );
        Ok(true)
    }

    /// Keeps `env` as the team's snapshot if it covers more of the log than
    /// the one kept. It must be a snapshot, signed by a member (`peer`), and
    /// cover no more than the log holds (its sender_seq is the seq covered).
    /// Returns whether it was kept.
    pub fn put_snapshot(&self, env: &sync_proto::Envelope, peer: &[u8; 32], now_ms: i64) -> Result<bool, AppendError> {
        let h = env.header();
        if h.kind != sync_proto::PayloadKind::Snapshot {
            return Err(AppendError::NotMember);
        }
        let mut conn = self.conn.lock().expect("log lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let roster = self.roster(&tx, &h.team)?;
        let key = roster.key(&h.sender).ok_or(AppendError::NotMember)?;
        if key.as_bytes() != peer {
            return Err(AppendError::NotMember);
        }
        env.verify(&key).map_err(|_| AppendError::NotMember)?;
        let high: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM envelopes WHERE team = ?1",
            [h.team.as_slice()],
            |r| r.get(0),
        )?;
        if h.sender_seq > high as u64 {
            return Err(AppendError::SnapshotAhead);
        }
        let kept = tx.execute(
            "INSERT INTO snapshots (team, covers, bytes, received_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (team) DO UPDATE SET covers = excluded.covers, bytes = excluded.bytes,
                 received_at = excluded.received_at
             WHERE excluded.covers > snapshots.covers",
            params![h.team.as_slice(), h.sender_seq as i64, env.bytes(), now_ms],
        )? > 0;
        tx.commit()?;
        Ok(kept)
    }

    /// The team's snapshot, if any.
    pub fn snapshot(&self, team: &[u8; 16]) -> rusqlite::Result<Option<Vec<u8>>> {
        let conn = self.conn.lock().expect("log lock");
        conn.query_row("SELECT bytes FROM snapshots WHERE team = ?1", [team.as_slice()], |r| {
            r.get(0)
        })
        .optional()
    }
}

/// The team's verified roster, from the cache while no op was added.
fn roster_of(
    cache: &Mutex<RosterCache>,
    conn: &Connection,
    team: &TeamId,
) -> rusqlite::Result<Arc<sync_proto::Roster>> {
    let ops: i64 = conn
        .prepare_cached("SELECT count(*) FROM members WHERE team = ?1")?
        .query_row([team.as_slice()], |r| r.get(0))?;
    let mut cache = cache.lock().expect("roster cache lock");
    if let Some((n, roster)) = cache.get(team) {
        if *n == ops {
            return Ok(roster.clone());
        }
    }
    let roster = Arc::new(SqliteStore::replay(conn, team)?);
    // Unknown team ids (a stranger's flood) are not remembered.
    if ops > 0 {
        if cache.len() >= MAX_CACHED_ROSTERS {
            cache.clear();
        }
        cache.insert(*team, (ops, roster.clone()));
    }
    Ok(roster)
}

/// Fills the running hash of every envelope stored before it was kept.
fn backfill_chains(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = conn
        .prepare("SELECT team, seq, id FROM envelopes ORDER BY team, seq")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut last: Option<(Vec<u8>, [u8; 32])> = None;
    for (team, seq, id) in rows {
        let prev = match &last {
            Some((t, c)) if *t == team => *c,
            _ => [0; 32],
        };
        let chain = chain_next(&prev, &id.clone().try_into().unwrap_or([0; 32]));
        conn.execute(
            "UPDATE envelopes SET chain = ?3 WHERE team = ?1 AND seq = ?2",
            params![team, seq, chain.as_slice()],
        )?;
        last = Some((team, chain));
    }
    Ok(())
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
