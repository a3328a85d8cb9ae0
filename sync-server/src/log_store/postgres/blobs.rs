//! Sealed blobs (photos, scans) beside the log, counted in the team's
//! quota with its envelopes; the address is the SHA-256 of the sealed
//! bytes, checked here. The relay cannot open them.

use super::PgStore;
use crate::log_store::{BlobPutError, NewBlob, StoreError, TeamId};

/// Stores a member's sealed blob; false when it was already stored.
pub(super) async fn put(store: &PgStore, blob: NewBlob, now_ms: i64) -> Result<bool, BlobPutError> {
    if sync_proto::blob::address_of(&blob.bytes) != blob.address {
        return Err(BlobPutError::WrongAddress);
    }
    let (t, a) = (blob.team.as_slice(), blob.address.as_slice());
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    // Quota checks and counts of one team go one at a time.
    if PgStore::lock_head(&tx, &blob.team).await?.is_none() {
        return Err(StoreError::Postgres("no such team".into()).into());
    }
    if tx
        .query_opt(
            &tx.prepare_cached("SELECT 1 FROM blobs WHERE team = $1 AND address = $2")
                .await?,
            &[&t, &a],
        )
        .await?
        .is_some()
    {
        return Ok(false);
    }
    if PgStore::used(&tx, &blob.team).await? + blob.bytes.len() as u64 > store.policy.team_quota_bytes {
        return Err(BlobPutError::TeamQuota);
    }
    tx.execute(
        &tx.prepare_cached("INSERT INTO blobs (team, address, bytes, sender, received_at) VALUES ($1, $2, $3, $4, $5)")
            .await?,
        &[&t, &a, &blob.bytes, &blob.sender.as_slice(), &now_ms],
    )
    .await?;
    PgStore::count_usage(&tx, &blob.team, blob.bytes.len()).await?;
    tx.commit().await?;
    Ok(true)
}

/// A stored blob of the team.
pub(super) async fn get(store: &PgStore, team: TeamId, address: [u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
    let client = store.pool.get().await?;
    Ok(client
        .query_opt(
            "SELECT bytes FROM blobs WHERE team = $1 AND address = $2",
            &[&team.as_slice(), &address.as_slice()],
        )
        .await?
        .map(|r| r.get(0)))
}
