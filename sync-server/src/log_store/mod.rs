//! The relay's storage, behind one [`LogStore`] trait: per team, an
//! append-only log of opaque envelopes with relay-assigned sequence
//! numbers, the team's signed roster, invites, snapshots, sealed blobs and
//! audit checkpoints.
//!
//! What every engine promises (the conformance suite in `conformance.rs`
//! checks each against the same cases):
//! - An append is acknowledged only once durable; sending the same envelope
//!   again returns its first sequence number (idempotent on its id).
//! - Sequence numbers are per team, from 1, without gaps; each envelope
//!   carries the running hash of the log up to it (restore detection).
//! - The sender must be on the team's roster and the signature theirs; a
//!   removed device's new envelope, a reused sender seq, an epoch the
//!   roster has not reached and a team past its quota are refused.
//! - The incarnation changes whenever the data may have been put back.
//!
//! Engines: [`sqlite`], one file beside the relay (the zero-set-up
//! default), and [`postgres`], several relays in front of one PostgreSQL.
//! The trait knows nothing of SQL; the rules that are not storage (roster
//! checks, the running hash) live here, shared by both.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::Digest;
use sync_proto::Checkpoint;

pub mod postgres;
pub mod sqlite;

#[cfg(test)]
mod conformance;

/// The store every handler reaches: one engine behind the trait.
pub type Store = Arc<dyn LogStore>;

/// A team's id and a device's verifying key, as the relay sees them.
pub type TeamId = [u8; 16];
pub type DeviceKey = [u8; 32];

#[async_trait::async_trait]
pub trait LogStore: Send + Sync + 'static {
    /// New whenever the store's data may have been put back from a backup:
    /// laptops then send again what it lacks.
    fn incarnation(&self) -> &str;

    /// The newest head of `team`'s log, for one live-push subscriber.
    fn subscribe(&self, team: TeamId) -> tokio::sync::watch::Receiver<Head>;

    /// Stores an envelope durably; its sequence number once committed. The
    /// uploader (`peer`) must be on the roster and the signature its
    /// sender's.
    async fn append(&self, env: sync_proto::Envelope, peer: DeviceKey, now_ms: i64) -> Result<Appended, AppendError>;

    /// Envelopes of `team` after `after`, at most `limit` and about
    /// [`MAX_PAGE_BYTES`] (always at least one), oldest first.
    async fn read(&self, team: TeamId, after: u64, limit: u32) -> Result<LogPage, StoreError>;

    /// Where the device with this key stands in the team.
    async fn membership(&self, team: TeamId, key: DeviceKey) -> Result<Membership, StoreError>;

    /// Whether the device with `key` joined `team` as family: its envelopes
    /// are kept (its own notes), its snapshots are not.
    async fn is_family(&self, team: TeamId, key: DeviceKey) -> Result<bool, StoreError>;

    /// Adds a membership op if it verifies against the team's roster so far
    /// and comes from the device it speaks for (`peer`); its seq.
    async fn add_member_op(
        &self,
        team: TeamId,
        op: sync_proto::MembershipOp,
        peer: DeviceKey,
        now_ms: i64,
    ) -> Result<u64, MemberError>;

    /// The team's membership ops (JSON) with their receipt times and the
    /// log's length then, in order.
    async fn member_ops(&self, team: TeamId) -> Result<Vec<MemberOpRow>, StoreError>;

    /// A member says the envelope at `seq` does not verify; listed as
    /// damaged if its stored bytes indeed fail. Whether it is damaged.
    async fn report_damaged(&self, team: TeamId, seq: u64) -> Result<bool, StoreError>;

    /// Keeps `env` as the team's snapshot if it covers more of the log than
    /// the one kept; whether it was kept.
    async fn put_snapshot(&self, env: sync_proto::Envelope, peer: DeviceKey, now_ms: i64) -> Result<bool, AppendError>;

    /// The team's snapshot, if any.
    async fn snapshot(&self, team: TeamId) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores a member's sealed blob; false when it was already stored.
    async fn put_blob(&self, blob: NewBlob, now_ms: i64) -> Result<bool, BlobPutError>;

    /// A team's sealed blob, if stored.
    async fn blob(&self, team: TeamId, address: [u8; 32]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The relay's public key for audit checkpoints, for laptops to pin.
    async fn audit_key(&self) -> Result<[u8; 32], StoreError>;

    /// Countersigns a device's chain head: only the device itself may ask,
    /// never for fewer entries than were signed before.
    async fn audit_checkpoint(
        &self,
        team: TeamId,
        peer: DeviceKey,
        claim: ChainClaim,
        now_ms: i64,
    ) -> Result<Checkpoint, CheckpointError>;

    /// The latest checkpoint of every chain of the team's devices.
    async fn audit_checkpoints(&self, team: TeamId) -> Result<Vec<Checkpoint>, StoreError>;

    /// Enrols a device by an operator's code: it may then start teams.
    async fn enrol(&self, code: String, device: DeviceKey, now_ms: i64) -> Result<(), EnrolError>;

    /// Keeps an invite's sealed team key until used or expired (a week at
    /// most). `false`: the team has as many invites waiting as it may.
    async fn put_invite(&self, invite: NewInvite, now_ms: i64) -> Result<bool, StoreError>;

    /// Redeems an invite for one device: the team and the sealed key. The
    /// same device asking again gets the same answer until it expires.
    async fn claim_invite(
        &self,
        id: [u8; 32],
        token: [u8; 32],
        claimant: DeviceKey,
        now_ms: i64,
    ) -> Result<(TeamId, Vec<u8>), ClaimError>;

    /// Before the relay exits, with everything acknowledged committed.
    async fn close(&self) -> Result<(), StoreError>;
}

/// A storage failure: the engine's own error, as text for the operator's
/// log (the client sees 503 and tries again).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("the storage task stopped: {0}")]
    Stopped(String),
}

/// Where a team's log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub seq: u64,
    /// False when this envelope was already stored.
    pub new: bool,
}

/// Part of a team's log: (sequence number, envelope bytes), oldest first.
#[derive(Debug)]
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

/// A membership op as stored: the op (JSON), when it was received, and how
/// long the envelope log was then.
pub type MemberOpRow = (String, i64, Option<i64>);

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

impl From<StoreError> for AppendError {
    fn from(e: StoreError) -> Self {
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

/// Why a membership operation was refused.
#[derive(Debug)]
pub enum MemberError {
    Refused(sync_proto::RosterError),
    /// A new team from a device this relay has not enrolled.
    NotEnrolled,
    /// The team has as many roster ops as it may.
    RosterFull,
    Storage(StoreError),
}

impl From<StoreError> for MemberError {
    fn from(e: StoreError) -> Self {
        MemberError::Storage(e)
    }
}

/// A sealed blob a member sends.
pub struct NewBlob {
    pub team: TeamId,
    /// The SHA-256 of `bytes`, checked.
    pub address: [u8; 32],
    pub bytes: Vec<u8>,
    pub sender: DeviceKey,
}

/// Why a blob was not stored.
#[derive(Debug)]
pub enum BlobPutError {
    /// The bytes do not hash to the address they were sent to.
    WrongAddress,
    /// The team's log and blobs are at its storage quota.
    TeamQuota,
    Storage(StoreError),
}

impl From<StoreError> for BlobPutError {
    fn from(e: StoreError) -> Self {
        BlobPutError::Storage(e)
    }
}

/// What a device says its chain is: (device, scope) has `seq` entries
/// ending in `head`.
pub struct ChainClaim {
    pub device: [u8; 16],
    pub scope: Option<[u8; 16]>,
    pub seq: u64,
    pub head: [u8; 32],
}

/// Why a checkpoint was refused.
#[derive(Debug)]
pub enum CheckpointError {
    /// The device is not the caller, or not on the team.
    NotYours,
    /// Shorter than one signed before: the chain was cut.
    Shorter {
        signed: u64,
    },
    Storage(StoreError),
}

impl From<StoreError> for CheckpointError {
    fn from(e: StoreError) -> Self {
        CheckpointError::Storage(e)
    }
}

/// Why an enrolment failed. Unknown, used by another device and expired
/// look the same.
#[derive(Debug)]
pub enum EnrolError {
    Invalid,
    Storage(StoreError),
}

impl From<StoreError> for EnrolError {
    fn from(e: StoreError) -> Self {
        EnrolError::Storage(e)
    }
}

/// An invite to keep: its sealed team key waits for the claimant.
pub struct NewInvite {
    pub id: [u8; 32],
    pub team: TeamId,
    /// SHA-256 of the claim token the invitee will present.
    pub claim_hash: [u8; 32],
    pub sealed: Vec<u8>,
    /// The invite's public key: its row goes when the join using it comes.
    pub invite_key: Option<[u8; 32]>,
    pub expires_ms: i64,
}

/// Why an invite claim failed. Unknown and wrong token look the same.
#[derive(Debug)]
pub enum ClaimError {
    NotFound,
    Gone,
    Storage(StoreError),
}

impl From<StoreError> for ClaimError {
    fn from(e: StoreError) -> Self {
        ClaimError::Storage(e)
    }
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
pub struct Live(Arc<Mutex<HashMap<TeamId, tokio::sync::watch::Sender<Head>>>>);

impl Live {
    /// Tells the team's subscribers, if any, that the log reached `seq`.
    pub fn appended(&self, team: TeamId, seq: u64) {
        self.announce(team, |head| {
            let newer = seq > head.seq;
            head.seq = head.seq.max(seq);
            newer
        });
    }

    /// Tells the team's subscribers, if any, that its roster now has `ops` ops.
    pub fn roster_changed(&self, team: TeamId, ops: u64) {
        self.announce(team, |head| {
            head.roster_ops = ops;
            true
        });
    }

    /// Another relay's hint: the team reached `head` there. Heads only
    /// grow, so an old or repeated hint changes nothing.
    pub fn hint(&self, team: TeamId, hint: Head) {
        self.announce(team, |head| {
            let newer = hint.seq > head.seq || hint.roster_ops > head.roster_ops;
            head.seq = head.seq.max(hint.seq);
            head.roster_ops = head.roster_ops.max(hint.roster_ops);
            newer
        });
    }

    fn announce(&self, team: TeamId, change: impl FnOnce(&mut Head) -> bool) {
        if let Some(tx) = self.0.lock().expect("live table").get(&team) {
            tx.send_if_modified(change);
        }
    }

    pub fn subscribe(&self, team: TeamId) -> tokio::sync::watch::Receiver<Head> {
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

/// Roster ops one team may hold: decades of a large team's changes.
pub(crate) const MAX_ROSTER_OPS: i64 = 20_000;

/// Invites one team may have waiting at once.
pub(crate) const MAX_OPEN_INVITES: i64 = 1_000;

/// Rosters cached at most: past this the cache is emptied (a flood of
/// unknown team ids never enters it; this bounds the real ones).
pub(crate) const MAX_CACHED_ROSTERS: usize = 10_000;

/// A page of the log holds about this many envelope bytes at most (always
/// at least one envelope), whatever its count.
pub const MAX_PAGE_BYTES: usize = 8 << 20;

/// Team -> (how many ops, the roster they give).
pub(crate) type RosterCache = HashMap<TeamId, (i64, Arc<sync_proto::Roster>)>;

/// The roster the stored ops give, skipping any that no longer parse.
pub(crate) fn replay(team: &TeamId, ops: Vec<(String, i64)>) -> sync_proto::Roster {
    let ops: Vec<_> = ops
        .into_iter()
        .filter_map(|(op, at)| serde_json::from_str(&op).ok().map(|op| (op, at)))
        .collect();
    sync_proto::Roster::replay(team, &ops)
}

/// Where a device with `key` stands on `roster`.
pub(crate) fn standing(roster: &sync_proto::Roster, key: &DeviceKey) -> Membership {
    if roster.has_member_key(key) {
        Membership::Member
    } else if roster.was_removed(key) {
        Membership::Removed
    } else {
        Membership::Stranger
    }
}

/// Whether the device with `key` is on `roster` as family.
pub(crate) fn family(roster: &sync_proto::Roster, key: &DeviceKey) -> bool {
    roster
        .devices
        .iter()
        .any(|(d, e)| e.key.as_bytes() == key && roster.is_family_device(d))
}

/// The key of the device an op speaks for: its own key for a genesis or a
/// join, the roster key of `by` otherwise.
pub(crate) fn speaker(roster: &sync_proto::Roster, op: &sync_proto::MembershipOp) -> Option<Vec<u8>> {
    use sync_proto::MembershipOp::*;
    match op {
        Genesis { key, .. } | Join { key, .. } => hex::decode(key).ok(),
        Invite { by, .. } | Remove { by, .. } | Admin { by, .. } | InvitePolicy { by, .. } => {
            let mut id = [0u8; 16];
            hex::decode_to_slice(by, &mut id)
                .ok()
                .and_then(|_| roster.key(&id))
                .map(|k| k.as_bytes().to_vec())
        }
    }
}

/// The checks an append passes before any storage is touched: the team
/// exists, the uploader is on it now, and the envelope is signed by its
/// sender, who was on the team when sealing it (usually they are one
/// device; a member may also give back another's envelope to a relay
/// restored from an older backup). Whether the sender has since been
/// removed.
pub(crate) fn admit(
    roster: &sync_proto::Roster,
    peer: &DeviceKey,
    env: &sync_proto::Envelope,
) -> Result<bool, AppendError> {
    let h = env.header();
    if roster.devices.is_empty() {
        return Err(AppendError::UnknownTeam);
    }
    if !roster.has_member_key(peer) {
        return Err(AppendError::NotMember);
    }
    let key = roster.key_for(&h.sender, h.epoch).ok_or(AppendError::NotMember)?;
    env.verify(&key).map_err(|_| AppendError::NotMember)?;
    Ok(!roster.contains(&h.sender))
}

/// What to do with an append whose id or (sender, sender seq) is stored.
pub(crate) enum Stored {
    /// The same envelope: answer its seq.
    Same(u64),
    /// The stored copy no longer verifies and this one does: put this one
    /// in its place, at the same seq.
    Repair(u64),
}

/// The append `env` meets a stored envelope (`seq`, `stored_id`, `stored`).
pub(crate) fn meets_stored(
    roster: &sync_proto::Roster,
    env: &sync_proto::Envelope,
    seq: u64,
    stored_id: &[u8],
    stored: &[u8],
) -> Result<Stored, AppendError> {
    let id = env.id();
    if stored_id == id && stored == env.bytes() {
        return Ok(Stored::Same(seq));
    }
    if stored_id != id && genuine(roster, stored) {
        return Err(AppendError::SenderSeqReused);
    }
    Ok(Stored::Repair(seq))
}

/// The checks on an envelope new to the log: a removed device's would land
/// after its removal (laptops refuse it there too), and one sealed under an
/// epoch no removal started would be taken for a removal hidden from
/// readers.
pub(crate) fn admit_new(
    roster: &sync_proto::Roster,
    env: &sync_proto::Envelope,
    sender_removed: bool,
) -> Result<(), AppendError> {
    if sender_removed {
        return Err(AppendError::SenderRemoved);
    }
    if env.header().epoch > roster.epoch {
        return Err(AppendError::EpochAhead);
    }
    Ok(())
}

/// Whether `bytes` is an envelope signed by its sender, a member (then) of
/// the team.
pub(crate) fn genuine(roster: &sync_proto::Roster, bytes: &[u8]) -> bool {
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

/// The wall clock in milliseconds, as every stored time is kept.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A code as typed: case, spaces and dashes do not matter.
pub(crate) fn code_hash(code: &str) -> [u8; 32] {
    let plain: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    sha2::Sha256::digest(plain.as_bytes()).into()
}

/// A one-time enrolment code, in groups of four (read aloud or typed from
/// paper).
pub(crate) fn new_code() -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("hex is ASCII"))
        .collect::<Vec<_>>()
        .join("-")
}
