//! [`LogStore`] for the SQLite engine: appends go to the writer thread,
//! everything else runs on tokio's blocking pool (rusqlite blocks).

use sync_proto::{Checkpoint, Envelope, MembershipOp};

use super::SqliteStore;
use crate::log_store::{
    AppendError, Appended, BlobPutError, ChainClaim, CheckpointError, ClaimError, DeviceKey, EnrolError, Head, LogPage,
    LogStore, MemberError, MemberOpRow, Membership, NewBlob, NewInvite, StoreError, TeamId,
};

impl SqliteStore {
    /// Runs `f` on the blocking pool with a handle on this store.
    async fn blocking<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        f: impl FnOnce(&SqliteStore) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| E::from(StoreError::Stopped(e.to_string())))?
    }
}

#[async_trait::async_trait]
impl LogStore for SqliteStore {
    fn incarnation(&self) -> &str {
        &self.incarnation
    }

    fn subscribe(&self, team: TeamId) -> tokio::sync::watch::Receiver<Head> {
        self.appended.subscribe(team)
    }

    async fn append(&self, env: Envelope, peer: DeviceKey, now_ms: i64) -> Result<Appended, AppendError> {
        SqliteStore::append(self, env, peer, now_ms).await
    }

    async fn read(&self, team: TeamId, after: u64, limit: u32) -> Result<LogPage, StoreError> {
        self.blocking(move |s| Ok(s.read(&team, after, limit)?)).await
    }

    async fn membership(&self, team: TeamId, key: DeviceKey) -> Result<Membership, StoreError> {
        self.blocking(move |s| Ok(s.membership(&team, &key)?)).await
    }

    async fn is_family(&self, team: TeamId, key: DeviceKey) -> Result<bool, StoreError> {
        self.blocking(move |s| Ok(s.is_family(&team, &key)?)).await
    }

    async fn add_member_op(
        &self,
        team: TeamId,
        op: MembershipOp,
        peer: DeviceKey,
        now_ms: i64,
    ) -> Result<u64, MemberError> {
        self.blocking(move |s| s.add_member_op(&team, &op, &peer, now_ms)).await
    }

    async fn member_ops(&self, team: TeamId) -> Result<Vec<MemberOpRow>, StoreError> {
        self.blocking(move |s| Ok(s.member_ops(&team)?)).await
    }

    async fn report_damaged(&self, team: TeamId, seq: u64) -> Result<bool, StoreError> {
        self.blocking(move |s| Ok(s.report_damaged(&team, seq)?)).await
    }

    async fn put_snapshot(&self, env: Envelope, peer: DeviceKey, now_ms: i64) -> Result<bool, AppendError> {
        self.blocking(move |s| s.put_snapshot(&env, &peer, now_ms)).await
    }

    async fn snapshot(&self, team: TeamId) -> Result<Option<Vec<u8>>, StoreError> {
        self.blocking(move |s| Ok(s.snapshot(&team)?)).await
    }

    async fn put_blob(&self, blob: NewBlob, now_ms: i64) -> Result<bool, BlobPutError> {
        self.blocking(move |s| s.put_blob(&blob, now_ms)).await
    }

    async fn blob(&self, team: TeamId, address: [u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        self.blocking(move |s| Ok(s.blob(&team, &address)?)).await
    }

    async fn audit_key(&self) -> Result<[u8; 32], StoreError> {
        self.blocking(move |s| Ok(s.audit_key()?)).await
    }

    async fn audit_checkpoint(
        &self,
        team: TeamId,
        peer: DeviceKey,
        claim: ChainClaim,
        now_ms: i64,
    ) -> Result<Checkpoint, CheckpointError> {
        self.blocking(move |s| s.audit_checkpoint(&team, &peer, claim, now_ms))
            .await
    }

    async fn audit_checkpoints(&self, team: TeamId) -> Result<Vec<Checkpoint>, StoreError> {
        self.blocking(move |s| Ok(s.audit_checkpoints(&team)?)).await
    }

    async fn enrol(&self, code: String, device: DeviceKey, now_ms: i64) -> Result<(), EnrolError> {
        self.blocking(move |s| s.enrol(&code, &device, now_ms)).await
    }

    async fn put_invite(&self, invite: NewInvite, now_ms: i64) -> Result<bool, StoreError> {
        self.blocking(move |s| Ok(s.put_invite(&invite, now_ms)?)).await
    }

    async fn claim_invite(
        &self,
        id: [u8; 32],
        token: [u8; 32],
        claimant: DeviceKey,
        now_ms: i64,
    ) -> Result<(TeamId, Vec<u8>), ClaimError> {
        self.blocking(move |s| s.claim_invite(&id, &token, &claimant, now_ms))
            .await
    }

    /// Folds the WAL into relay.db, so a stopped relay's data directory is
    /// one self-contained file to back up.
    async fn close(&self) -> Result<(), StoreError> {
        self.blocking(move |s| Ok(s.checkpoint()?)).await
    }
}
