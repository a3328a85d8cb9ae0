//! The PostgreSQL engine: several stateless relays in front of one
//! PostgreSQL (primary + standby), for a region that outgrows one box.
//!
//! - Each team's sequence comes from its row in `heads`, locked inside the
//!   append's transaction: teams never wait on each other, and there is no
//!   global counter. Roster ops lock the same row, so a team's writes are
//!   as serial as on SQLite.
//! - Idempotence from `UNIQUE (team, id)`, as on SQLite.
//! - An append is acknowledged once its transaction commits (PostgreSQL's
//!   own group commit covers concurrent ones; `synchronous_commit` stays on).
//! - Other relays learn of appends through `hints.rs`: batched, lossy
//!   LISTEN/NOTIFY, sent from a side connection and never inside an append.
//! - A connection lost (the primary restarting, a failover) fails the
//!   request with 503; laptops retry, and the pool connects again.

use std::sync::{Arc, Mutex};

use deadpool_postgres::{Pool, Runtime};
use sync_proto::{Checkpoint, Envelope, MembershipOp, PayloadKind};
// deadpool's transaction: it prepares each statement once per connection.
use deadpool_postgres::Transaction;

use super::{
    admit, admit_new, chain_next, family, genuine, meets_stored, speaker, standing, AppendError, Appended,
    BlobPutError, ChainClaim, CheckpointError, ClaimError, DeviceKey, EnrolError, Head, Live, LogPage, LogStore,
    MemberError, MemberOpRow, Membership, NewBlob, NewInvite, RosterCache, StoreError, Stored, TeamId,
    MAX_CACHED_ROSTERS, MAX_PAGE_BYTES, MAX_ROSTER_OPS,
};
use crate::policy::Policy;

mod blobs;
mod checkpoints;
mod hints;
mod invites;
pub mod migrate;
mod tls;

pub use invites::new_enrolment;

/// Connections each relay keeps to PostgreSQL at most.
const POOL_SIZE: usize = 16;

/// Held while the schema is created, so relays starting together do not
/// race on `CREATE TABLE IF NOT EXISTS`.
const SCHEMA_LOCK: i64 = 0x7473_756e_6167_6901;

/// The error and its causes in one line (a TLS failure says why: an
/// unknown issuer, a name that does not match).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Postgres(with_causes(&e))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Postgres(with_causes(&e))
    }
}

macro_rules! storage_from_pg {
    ($($t:ty),*) => {$(
        impl From<tokio_postgres::Error> for $t {
            fn from(e: tokio_postgres::Error) -> Self {
                StoreError::from(e).into()
            }
        }
        impl From<deadpool_postgres::PoolError> for $t {
            fn from(e: deadpool_postgres::PoolError) -> Self {
                StoreError::from(e).into()
            }
        }
    )*};
}
storage_from_pg!(
    AppendError,
    MemberError,
    BlobPutError,
    CheckpointError,
    EnrolError,
    ClaimError
);

#[derive(Clone)]
pub struct PgStore {
    pub(super) pool: Pool,
    incarnation: String,
    live: Live,
    /// Verified rosters by team with how many ops each covers; checked
    /// against the op count in each transaction, so it never goes stale
    /// when another relay adds an op.
    rosters: Arc<Mutex<RosterCache>>,
    hints: hints::Hints,
    policy: Arc<Policy>,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`, or `host=/run/postgresql …`),
    /// creates the tables if missing, and starts listening for other
    /// relays' hints.
    pub async fn open(url: &str, policy: Arc<Policy>) -> Result<PgStore, StoreError> {
        let connection = tls::Connection::parse(url)?;
        let pool = Pool::builder(connection.manager())
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            &tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await?,
            &[&SCHEMA_LOCK],
        )
        .await?;
        tx.batch_execute(include_str!("schema.sql")).await?;
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        tx.execute(
            &tx.prepare_cached("INSERT INTO meta (key, value) VALUES ('incarnation', $1) ON CONFLICT (key) DO NOTHING")
                .await?,
            &[&fresh],
        )
        .await?;
        let audit_key = hex::encode(ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng).to_bytes());
        tx.execute(
            &tx.prepare_cached("INSERT INTO meta (key, value) VALUES ('audit_key', $1) ON CONFLICT (key) DO NOTHING")
                .await?,
            &[&audit_key],
        )
        .await?;
        let incarnation: String = tx
            .query_one(
                &tx.prepare_cached("SELECT value FROM meta WHERE key = 'incarnation'")
                    .await?,
                &[],
            )
            .await?
            .get(0);
        tx.commit().await?;
        drop(client);
        let live = Live::default();
        let hints = hints::start(&connection, pool.clone(), live.clone());
        Ok(PgStore {
            pool,
            incarnation,
            live,
            rosters: Arc::default(),
            hints,
            policy,
        })
    }

    /// The team's verified roster, from the cache while no op was added.
    async fn roster(&self, tx: &Transaction<'_>, team: &TeamId) -> Result<Arc<sync_proto::Roster>, StoreError> {
        let ops: i64 = tx
            .query_one(
                &tx.prepare_cached("SELECT count(*) FROM members WHERE team = $1")
                    .await?,
                &[&team.as_slice()],
            )
            .await?
            .get(0);
        if let Some((n, roster)) = self.rosters.lock().expect("roster cache").get(team) {
            if *n == ops {
                return Ok(roster.clone());
            }
        }
        let rows = tx
            .query(
                &tx.prepare_cached("SELECT op, received_at FROM members WHERE team = $1 ORDER BY seq")
                    .await?,
                &[&team.as_slice()],
            )
            .await?;
        let roster = Arc::new(super::replay(
            team,
            rows.iter()
                .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)))
                .collect(),
        ));
        if ops > 0 {
            let mut cache = self.rosters.lock().expect("roster cache");
            if cache.len() >= MAX_CACHED_ROSTERS {
                cache.clear();
            }
            cache.insert(*team, (ops, roster.clone()));
        }
        Ok(roster)
    }

    /// A read-only look at the team's roster.
    async fn roster_now(&self, team: &TeamId) -> Result<Arc<sync_proto::Roster>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let roster = self.roster(&tx, team).await?;
        tx.commit().await?;
        Ok(roster)
    }

    /// Locks the team's head row for this transaction: (seq, chain), or
    /// `None` for a team this store does not have.
    async fn lock_head(tx: &Transaction<'_>, team: &TeamId) -> Result<Option<(i64, [u8; 32])>, StoreError> {
        let row = tx
            .query_opt(
                &tx.prepare_cached("SELECT seq, chain FROM heads WHERE team = $1 FOR UPDATE")
                    .await?,
                &[&team.as_slice()],
            )
            .await?;
        Ok(row.map(|r| (r.get(0), r.get::<_, Vec<u8>>(1).try_into().unwrap_or([0; 32]))))
    }

    async fn used(tx: &Transaction<'_>, team: &TeamId) -> Result<u64, StoreError> {
        let used: Option<i64> = tx
            .query_opt(
                &tx.prepare_cached("SELECT bytes FROM usage WHERE team = $1").await?,
                &[&team.as_slice()],
            )
            .await?
            .map(|r| r.get(0));
        Ok(used.unwrap_or(0) as u64)
    }

    async fn count_usage(tx: &Transaction<'_>, team: &TeamId, bytes: usize) -> Result<(), StoreError> {
        tx.execute(
            &tx.prepare_cached(
                "INSERT INTO usage (team, bytes) VALUES ($1, $2)
             ON CONFLICT (team) DO UPDATE SET bytes = usage.bytes + excluded.bytes",
            )
            .await?,
            &[&team.as_slice(), &(bytes as i64)],
        )
        .await?;
        Ok(())
    }

    async fn append_in(
        &self,
        tx: &Transaction<'_>,
        env: &Envelope,
        peer: &DeviceKey,
        now_ms: i64,
    ) -> Result<Appended, AppendError> {
        let h = env.header();
        let team = h.team;
        let Some((last, prev)) = Self::lock_head(tx, &team).await? else {
            return Err(AppendError::UnknownTeam);
        };
        let roster = self.roster(tx, &team).await?;
        let sender_removed = admit(&roster, peer, env)?;
        let id = env.id();
        let existing = tx
            .query_opt(
                &tx.prepare_cached(
                    "SELECT seq, id, bytes FROM envelopes
                 WHERE team = $1 AND (id = $2 OR (sender = $3 AND sender_seq = $4))",
                )
                .await?,
                &[
                    &team.as_slice(),
                    &id.as_slice(),
                    &h.sender.as_slice(),
                    &(h.sender_seq as i64),
                ],
            )
            .await?;
        if let Some(row) = existing {
            let (seq, stored_id, stored): (i64, Vec<u8>, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
            return match meets_stored(&roster, env, seq as u64, &stored_id, &stored)? {
                Stored::Same(seq) => Ok(Appended { seq, new: false }),
                Stored::Repair(seq) => {
                    tx.execute(
                        &tx.prepare_cached("UPDATE envelopes SET id = $3, bytes = $4 WHERE team = $1 AND seq = $2")
                            .await?,
                        &[&team.as_slice(), &(seq as i64), &id.as_slice(), &env.bytes()],
                    )
                    .await?;
                    tx.execute(
                        &tx.prepare_cached("DELETE FROM damaged WHERE team = $1 AND seq = $2")
                            .await?,
                        &[&team.as_slice(), &(seq as i64)],
                    )
                    .await?;
                    tracing::warn!(seq, "a damaged envelope was repaired from a genuine copy");
                    Ok(Appended { seq, new: true })
                }
            };
        }
        admit_new(&roster, env, sender_removed)?;
        if Self::used(tx, &team).await? + env.bytes().len() as u64 > self.policy.team_quota_bytes {
            return Err(AppendError::TeamQuota);
        }
        let seq = last + 1;
        let chain = chain_next(&prev, &id);
        tx.execute(
            &tx.prepare_cached(
                "INSERT INTO envelopes (team, seq, id, sender, sender_seq, bytes, received_at, chain)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .await?,
            &[
                &team.as_slice(),
                &seq,
                &id.as_slice(),
                &h.sender.as_slice(),
                &(h.sender_seq as i64),
                &env.bytes(),
                &now_ms,
                &chain.as_slice(),
            ],
        )
        .await?;
        tx.execute(
            &tx.prepare_cached("UPDATE heads SET seq = $2, chain = $3 WHERE team = $1")
                .await?,
            &[&team.as_slice(), &seq, &chain.as_slice()],
        )
        .await?;
        Self::count_usage(tx, &team, env.bytes().len()).await?;
        Ok(Appended {
            seq: seq as u64,
            new: true,
        })
    }

    async fn chain_at(tx: &Transaction<'_>, team: &TeamId, seq: u64) -> Result<[u8; 32], StoreError> {
        if seq == 0 {
            return Ok([0; 32]);
        }
        let chain: Option<Option<Vec<u8>>> = tx
            .query_opt(
                &tx.prepare_cached("SELECT chain FROM envelopes WHERE team = $1 AND seq = $2")
                    .await?,
                &[&team.as_slice(), &(seq as i64)],
            )
            .await?
            .map(|r| r.get(0));
        Ok(chain.flatten().and_then(|c| c.try_into().ok()).unwrap_or([0; 32]))
    }

    async fn signing_key(tx: &Transaction<'_>) -> Result<ed25519_dalek::SigningKey, StoreError> {
        let text: String = tx
            .query_one(
                &tx.prepare_cached("SELECT value FROM meta WHERE key = 'audit_key'")
                    .await?,
                &[],
            )
            .await?
            .get(0);
        let mut seed = [0u8; 32];
        hex::decode_to_slice(&text, &mut seed).map_err(|e| StoreError::Postgres(format!("audit key: {e}")))?;
        Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
    }
}

#[async_trait::async_trait]
impl LogStore for PgStore {
    fn incarnation(&self) -> &str {
        &self.incarnation
    }

    fn subscribe(&self, team: TeamId) -> tokio::sync::watch::Receiver<Head> {
        self.live.subscribe(team)
    }

    async fn append(&self, env: Envelope, peer: DeviceKey, now_ms: i64) -> Result<Appended, AppendError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let result = self.append_in(&tx, &env, &peer, now_ms).await;
        match &result {
            Ok(a) if a.new => tx.commit().await?,
            // Nothing written: let the lock go.
            _ => tx.rollback().await?,
        }
        if let Ok(a) = &result {
            if a.new {
                let team = env.header().team;
                self.live.appended(team, a.seq);
                self.hints.appended(team, a.seq);
            }
        }
        result
    }

    async fn read(&self, team: TeamId, after: u64, limit: u32) -> Result<LogPage, StoreError> {
        let mut client = self.pool.get().await?;
        // One consistent view of the log, the roster and the snapshot.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let t = team.as_slice();
        let rows = tx
            .query(
                &tx.prepare_cached(
                    "SELECT seq, bytes FROM envelopes WHERE team = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .await?,
                &[&t, &(after as i64), &i64::from(limit)],
            )
            .await?;
        let (mut envelopes, mut bytes) = (Vec::new(), 0usize);
        for row in rows {
            let envelope: Vec<u8> = row.get(1);
            if !envelopes.is_empty() && bytes + envelope.len() > MAX_PAGE_BYTES {
                break;
            }
            bytes += envelope.len();
            envelopes.push((row.get::<_, i64>(0) as u64, envelope));
        }
        let chain_after = Self::chain_at(&tx, &team, after).await?;
        let chain_end = match envelopes.last() {
            Some((seq, _)) => Self::chain_at(&tx, &team, *seq).await?,
            None => chain_after,
        };
        let high: i64 = tx
            .query_opt(
                &tx.prepare_cached("SELECT seq FROM heads WHERE team = $1").await?,
                &[&t],
            )
            .await?
            .map_or(0, |r| r.get(0));
        let roster_ops: i64 = tx
            .query_one(
                &tx.prepare_cached("SELECT count(*) FROM members WHERE team = $1")
                    .await?,
                &[&t],
            )
            .await?
            .get(0);
        let snapshot: i64 = tx
            .query_one(
                &tx.prepare_cached("SELECT coalesce(max(covers), 0) FROM snapshots WHERE team = $1")
                    .await?,
                &[&t],
            )
            .await?
            .get(0);
        let damaged = tx
            .query(
                &tx.prepare_cached("SELECT seq FROM damaged WHERE team = $1 ORDER BY seq LIMIT 100")
                    .await?,
                &[&t],
            )
            .await?
            .iter()
            .map(|r| r.get::<_, i64>(0) as u64)
            .collect();
        tx.commit().await?;
        Ok(LogPage {
            envelopes,
            chain_after,
            chain_end,
            high_water: high as u64,
            roster_ops: roster_ops as u64,
            snapshot: snapshot as u64,
            damaged,
        })
    }

    async fn membership(&self, team: TeamId, key: DeviceKey) -> Result<Membership, StoreError> {
        Ok(standing(&*self.roster_now(&team).await?, &key))
    }

    async fn is_family(&self, team: TeamId, key: DeviceKey) -> Result<bool, StoreError> {
        Ok(family(&*self.roster_now(&team).await?, &key))
    }

    async fn add_member_op(
        &self,
        team: TeamId,
        op: MembershipOp,
        peer: DeviceKey,
        now_ms: i64,
    ) -> Result<u64, MemberError> {
        let t = team.as_slice();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // A genesis makes the team's head row; every op locks it.
        if matches!(op, MembershipOp::Genesis { .. }) {
            tx.execute(
                &tx.prepare_cached(
                    "INSERT INTO heads (team, seq, chain) VALUES ($1, 0, $2) ON CONFLICT (team) DO NOTHING",
                )
                .await?,
                &[&t, &[0u8; 32].as_slice()],
            )
            .await?;
        }
        let Some((log_len, _)) = Self::lock_head(&tx, &team).await? else {
            return Err(MemberError::Refused(sync_proto::RosterError::NotMember));
        };
        let id = op.id();
        if let Some(row) = tx
            .query_opt(
                &tx.prepare_cached("SELECT seq FROM members WHERE team = $1 AND id = $2")
                    .await?,
                &[&t, &id.as_slice()],
            )
            .await?
        {
            return Ok(row.get::<_, i64>(0) as u64);
        }
        let mut roster = (*self.roster(&tx, &team).await?).clone();
        if speaker(&roster, &op).as_deref() != Some(peer.as_slice()) {
            return Err(MemberError::Refused(sync_proto::RosterError::NotMember));
        }
        if matches!(op, MembershipOp::Genesis { .. }) && !self.policy.open_registration {
            let enrolled: bool = tx
                .query_one(
                    &tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM enrolled WHERE device_key = $1)")
                        .await?,
                    &[&peer.as_slice()],
                )
                .await?
                .get(0);
            if !enrolled {
                return Err(MemberError::NotEnrolled);
            }
        }
        roster.apply(&team, &op, now_ms).map_err(MemberError::Refused)?;
        let ops: i64 = tx
            .query_one(
                &tx.prepare_cached("SELECT count(*) FROM members WHERE team = $1")
                    .await?,
                &[&t],
            )
            .await?
            .get(0);
        if ops >= MAX_ROSTER_OPS {
            return Err(MemberError::RosterFull);
        }
        let seq = ops + 1;
        let json = serde_json::to_string(&op).expect("ops serialise");
        tx.execute(
            &tx.prepare_cached(
                "INSERT INTO members (team, seq, id, op, received_at, log_len) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await?,
            &[&t, &seq, &id.as_slice(), &json, &now_ms, &log_len],
        )
        .await?;
        if let MembershipOp::Join { invite_key, .. } = &op {
            if let Ok(key) = hex::decode(invite_key) {
                tx.execute(
                    &tx.prepare_cached("DELETE FROM invites WHERE team = $1 AND invite_key = $2")
                        .await?,
                    &[&t, &key],
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.rosters
            .lock()
            .expect("roster cache")
            .insert(team, (seq, Arc::new(roster)));
        self.live.roster_changed(team, seq as u64);
        self.hints.roster_changed(team, seq as u64);
        Ok(seq as u64)
    }

    async fn member_ops(&self, team: TeamId) -> Result<Vec<MemberOpRow>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT op, received_at, log_len FROM members WHERE team = $1 ORDER BY seq",
                &[&team.as_slice()],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    async fn report_damaged(&self, team: TeamId, seq: u64) -> Result<bool, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx
            .query_opt(
                &tx.prepare_cached("SELECT bytes FROM envelopes WHERE team = $1 AND seq = $2")
                    .await?,
                &[&team.as_slice(), &(seq as i64)],
            )
            .await?
        else {
            return Ok(false);
        };
        let bytes: Vec<u8> = row.get(0);
        let roster = self.roster(&tx, &team).await?;
        if genuine(&roster, &bytes) {
            return Ok(false);
        }
        tx.execute(
            &tx.prepare_cached("INSERT INTO damaged (team, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .await?,
            &[&team.as_slice(), &(seq as i64)],
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(
            seq,
            "a stored envelope fails its signature: listed as damaged until a copy comes"
        );
        Ok(true)
    }

    async fn put_snapshot(&self, env: Envelope, peer: DeviceKey, now_ms: i64) -> Result<bool, AppendError> {
        let h = env.header();
        if h.kind != PayloadKind::Snapshot {
            return Err(AppendError::NotMember);
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let roster = self.roster(&tx, &h.team).await?;
        let key = roster.key(&h.sender).ok_or(AppendError::NotMember)?;
        if key.as_bytes() != &peer {
            return Err(AppendError::NotMember);
        }
        env.verify(&key).map_err(|_| AppendError::NotMember)?;
        let high: i64 = tx
            .query_opt(
                &tx.prepare_cached("SELECT seq FROM heads WHERE team = $1").await?,
                &[&h.team.as_slice()],
            )
            .await?
            .map_or(0, |r| r.get(0));
        if h.sender_seq > high as u64 {
            return Err(AppendError::SnapshotAhead);
        }
        let kept = tx
            .execute(
                &tx.prepare_cached(
                    "INSERT INTO snapshots (team, covers, bytes, received_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (team) DO UPDATE SET covers = excluded.covers, bytes = excluded.bytes,
                     received_at = excluded.received_at
                 WHERE excluded.covers > snapshots.covers",
                )
                .await?,
                &[&h.team.as_slice(), &(h.sender_seq as i64), &env.bytes(), &now_ms],
            )
            .await?
            > 0;
        tx.commit().await?;
        Ok(kept)
    }

    async fn snapshot(&self, team: TeamId) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt("SELECT bytes FROM snapshots WHERE team = $1", &[&team.as_slice()])
            .await?
            .map(|r| r.get(0)))
    }

    async fn put_blob(&self, blob: NewBlob, now_ms: i64) -> Result<bool, BlobPutError> {
        blobs::put(self, blob, now_ms).await
    }

    async fn blob(&self, team: TeamId, address: [u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        blobs::get(self, team, address).await
    }

    async fn audit_key(&self) -> Result<[u8; 32], StoreError> {
        checkpoints::key(self).await
    }

    async fn audit_checkpoint(
        &self,
        team: TeamId,
        peer: DeviceKey,
        claim: ChainClaim,
        now_ms: i64,
    ) -> Result<Checkpoint, CheckpointError> {
        checkpoints::countersign(self, team, peer, claim, now_ms).await
    }

    async fn audit_checkpoints(&self, team: TeamId) -> Result<Vec<Checkpoint>, StoreError> {
        checkpoints::of_team(self, team).await
    }

    async fn enrol(&self, code: String, device: DeviceKey, now_ms: i64) -> Result<(), EnrolError> {
        invites::enrol(self, code, device, now_ms).await
    }

    async fn put_invite(&self, invite: NewInvite, now_ms: i64) -> Result<bool, StoreError> {
        invites::put(self, invite, now_ms).await
    }

    async fn claim_invite(
        &self,
        id: [u8; 32],
        token: [u8; 32],
        claimant: DeviceKey,
        now_ms: i64,
    ) -> Result<(TeamId, Vec<u8>), ClaimError> {
        invites::claim(self, id, token, claimant, now_ms).await
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.pool.close();
        Ok(())
    }
}
