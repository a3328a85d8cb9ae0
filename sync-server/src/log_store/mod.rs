//! The relay's storage: per team, an append-only log of opaque envelopes
//! with relay-assigned sequence numbers, in one SQLite file.
//!
//! Appends are idempotent on the envelope id (its SHA-256): sending the same
//! envelope twice returns the first sequence number. An append is
//! acknowledged only after its transaction is committed with WAL +
//! synchronous=FULL, so a relay killed at any moment loses nothing it
//! acknowledged.
//!
//! Appends go through one writer thread that commits whatever has queued up
//! in one transaction (group commit): one fsync covers many devices' saves,
//! and each is answered only after that commit.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::Digest;

use crate::policy::Policy;

mod blobs;
mod checkpoints;
mod invites;
mod writer;

pub use blobs::BlobPutError;
pub use checkpoints::{ChainClaim, CheckpointError};
pub use invites::{new_enrolment, ClaimError, EnrolError};
use writer::Job;

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
    /// The running hash of the log up to `after` (zeros for 0), and up to
    /// the page's last envelope: a laptop that kept the one at its cursor
    /// notices a log that was put back from a backup, even whole.
    pub chain_after: [u8; 32],
    pub chain_end: [u8; 32],
    pub high_water: u64,
    /// How many membership ops the team has.
    pub roster_ops: u64,
    /// The log seq the team's stored snapshot covers (0: none).
    pub snapshot: u64,
    /// Envelopes confirmed damaged, awaiting a genuine copy (at most 100).
    pub damaged: Vec<u64>,
}

#[derive(Debug)]
pub enum AppendError {
    /// Same sender and sequence number as a stored envelope, different bytes.
    SenderSeqReused,
    /// No such team here.
    UnknownTeam,
    /// The sender is not on the team's roster, or the signature is not theirs.
    NotMember,
    /// A snapshot claiming to cover more of the log than there is.
    SnapshotAhead,
    /// An envelope from a device removed from the team, not in the log yet.
    SenderRemoved,
    /// The team's log is at its storage quota.
    TeamQuota,
    /// Sealed under a key epoch the roster has not reached.
    EpochAhead,
    /// The database failed (the whole batch was rolled back), or the writer
    /// stopped.
    Storage(String),
}

impl From<rusqlite::Error> for AppendError {
    fn from(e: rusqlite::Error) -> Self {
        AppendError::Storage(e.to_string())
    }
}

/// A device's standing in one team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Member,
    /// Was on the roster and was taken out.
    Removed,
    /// Never on it (or the team is unknown): the two look the same.
    Stranger,
}

/// What live push tells about a team: how far its log reached, and how many
/// membership ops it has (a change there may mean a subscriber was removed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub roster_ops: u64,
}

/// Live push: per team, the team's newest [`Head`], so an append wakes only
/// the subscribers of its own team. A watch channel holds just the newest
/// value: a subscriber woken late sees one head however many appends came
/// meanwhile (a laptop reads the log after its cursor anyway), and an idle
/// team costs a few dozen bytes.
#[derive(Clone, Default)]
pub struct Live(Arc<Mutex<HashMap<[u8; 16], tokio::sync::watch::Sender<Head>>>>);

impl Live {
    /// Tells the team's subscribers, if any, that the log reached `seq`.
    fn appended(&self, team: [u8; 16], seq: u64) {
        self.announce(team, |head| {
            let newer = seq > head.seq;
            head.seq = head.seq.max(seq);
            newer
        });
    }

    /// Tells the team's subscribers, if any, that its roster now has `ops` ops.
    fn roster_changed(&self, team: [u8; 16], ops: u64) {
        self.announce(team, |head| {
            head.roster_ops = ops;
            true
        });
    }

    fn announce(&self, team: [u8; 16], change: impl FnOnce(&mut Head) -> bool) {
        if let Some(tx) = self.0.lock().expect("live table").get(&team) {
            tx.send_if_modified(change);
        }
    }

    fn subscribe(&self, team: [u8; 16]) -> tokio::sync::watch::Receiver<Head> {
        let mut table = self.0.lock().expect("live table");
        // Channels nobody listens to any more go, so the table tracks the
        // teams of connected devices only.
        if table.len() > 1024 {
            table.retain(|_, tx| tx.receiver_count() > 0);
        }
        table
            .entry(team)
            .or_insert_with(|| tokio::sync::watch::channel(Head::default()).0)
            .subscribe()
    }
}

/// Team -> (how many ops, the roster they give).
type RosterCache = HashMap<[u8; 16], (i64, Arc<sync_proto::Roster>)>;

#[derive(Clone)]
pub struct LogStore {
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

/// Roster ops one team may hold: decades of a large team's changes.
const MAX_ROSTER_OPS: i64 = 20_000;

/// Invites one team may have waiting at once.
pub(crate) const MAX_OPEN_INVITES: i64 = 1_000;

/// Rosters cached at most: past this the cache is emptied (a flood of
/// unknown team ids never enters it; this bounds the real ones).
const MAX_CACHED_ROSTERS: usize = 10_000;

/// A page of the log holds about this many envelope bytes at most (always
/// at least one envelope), whatever its count.
pub const MAX_PAGE_BYTES: usize = 8 << 20;

/// Why a membership operation or invite was refused.
#[derive(Debug)]
pub enum MemberError {
    Refused(sync_proto::RosterError),
    /// A new team from a device this relay has not enrolled.
    NotEnrolled,
    /// The team has as many roster ops (or waiting invites) as it may.
    RosterFull,
    Storage(rusqlite::Error),
}

impl From<rusqlite::Error> for MemberError {
    fn from(e: rusqlite::Error) -> Self {
        MemberError::Storage(e)
    }
}
impl LogStore {
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
        let store = LogStore {
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

    /// The newest head of `team`'s log, for one subscriber.
    pub fn subscribe(&self, team: [u8; 16]) -> tokio::sync::watch::Receiver<Head> {
        self.appended.subscribe(team)
    }

    /// Moves everything committed from the WAL into the database file.
    pub fn checkpoint(&self) -> rusqlite::Result<()> {
        let conn = self.conn.lock().expect("log lock");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }

    pub fn incarnation(&self) -> &str {
        &self.incarnation
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
        let ops: Vec<_> = ops
            .into_iter()
            .filter_map(|(op, at)| serde_json::from_str(&op).ok().map(|op| (op, at)))
            .collect();
        Ok(sync_proto::Roster::replay(team, &ops))
    }

    /// Whether the device with this key is on the team's roster.
    pub fn is_member(&self, team: &[u8; 16], key: &[u8; 32]) -> rusqlite::Result<bool> {
        Ok(self.membership(team, key)? == Membership::Member)
    }

    /// Where the device with this key stands in the team.
    pub fn membership(&self, team: &[u8; 16], key: &[u8; 32]) -> rusqlite::Result<Membership> {
        let conn = self.conn.lock().expect("log lock");
        let roster = self.roster(&conn, team)?;
        Ok(if roster.has_member_key(key) {
            Membership::Member
        } else if roster.was_removed(key) {
            Membership::Removed
        } else {
            Membership::Stranger
        })
    }

    /// Whether the device with `key` joined `team` as family: its envelopes
    /// are kept (its own notes), its snapshots are not (a whole record is
    /// for the team's members to vouch for).
    pub fn is_family(&self, team: &[u8; 16], key: &[u8; 32]) -> rusqlite::Result<bool> {
        let conn = self.conn.lock().expect("log lock");
        let roster = self.roster(&conn, team)?;
        Ok(roster
            .devices
            .iter()
            .any(|(d, e)| e.key.as_bytes() == key && roster.is_family_device(d)))
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
        let speaker = match op {
            sync_proto::MembershipOp::Genesis { key, .. } | sync_proto::MembershipOp::Join { key, .. } => {
                hex::decode(key).ok()
            }
            sync_proto::MembershipOp::Invite { by, .. }
            | sync_proto::MembershipOp::Remove { by, .. }
            | sync_proto::MembershipOp::Admin { by, .. }
            | sync_proto::MembershipOp::InvitePolicy { by, .. } => {
                let mut id = [0u8; 16];
                hex::decode_to_slice(by, &mut id)
                    .ok()
                    .and_then(|_| roster.key(&id))
                    .map(|k| k.as_bytes().to_vec())
            }
        };
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
    pub fn member_ops(&self, team: &[u8; 16]) -> rusqlite::Result<Vec<(String, i64, Option<i64>)>> {
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
    team: &[u8; 16],
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
    let roster = Arc::new(LogStore::replay(conn, team)?);
    // Unknown team ids (a stranger's flood) are not remembered.
    if ops > 0 {
        if cache.len() >= MAX_CACHED_ROSTERS {
            cache.clear();
        }
        cache.insert(*team, (ops, roster.clone()));
    }
    Ok(roster)
}

/// Whether `bytes` is an envelope signed by its sender, a member (then) of
/// the team.
fn genuine(roster: &sync_proto::Roster, bytes: &[u8]) -> bool {
    sync_proto::Envelope::parse(bytes.to_vec()).is_ok_and(|env| {
        let h = env.header();
        roster
            .key_for(&h.sender, h.epoch)
            .is_some_and(|key| env.verify(&key).is_ok())
    })
}

/// The running hash of a log after `prev` with the envelope `id` appended.
pub(crate) fn chain_next(prev: &[u8; 32], id: &[u8; 32]) -> [u8; 32] {
    sha2::Sha256::new()
        .chain_update(prev)
        .chain_update(id)
        .finalize()
        .into()
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
