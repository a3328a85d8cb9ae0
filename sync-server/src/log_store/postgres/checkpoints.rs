//! The relay's countersignatures of each device's access-log chain head:
//! a chain may only grow, so entries deleted later on a laptop are noticed.

use sync_proto::Checkpoint;

use super::PgStore;
use crate::log_store::{ChainClaim, CheckpointError, DeviceKey, StoreError, TeamId};

/// The key the relay countersigns with (made once, kept in the database).
pub(super) async fn key(store: &PgStore) -> Result<[u8; 32], StoreError> {
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let key = PgStore::signing_key(&tx).await?;
    tx.commit().await?;
    Ok(key.verifying_key().to_bytes())
}

/// Countersigns a device's chain head; a head shorter than one signed before is refused.
pub(super) async fn countersign(
    store: &PgStore,
    team: TeamId,
    peer: DeviceKey,
    claim: ChainClaim,
    now_ms: i64,
) -> Result<Checkpoint, CheckpointError> {
    let ChainClaim {
        device,
        scope,
        seq,
        head,
    } = claim;
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let roster = store.roster(&tx, &team).await?;
    if roster.key(&device).map(|k| k.to_bytes()) != Some(peer) {
        return Err(CheckpointError::NotYours);
    }
    let scope_bytes = scope.map(|s| s.to_vec()).unwrap_or_default();
    let signed: Option<i64> = tx
        .query_opt(
            &tx.prepare_cached(
                "SELECT seq FROM audit_checkpoints WHERE team = $1 AND device = $2 AND scope = $3 FOR UPDATE",
            )
            .await?,
            &[&team.as_slice(), &device.as_slice(), &scope_bytes],
        )
        .await?
        .map(|r| r.get(0));
    if let Some(signed) = signed {
        if (signed as u64) > seq {
            return Err(CheckpointError::Shorter { signed: signed as u64 });
        }
    }
    let c = Checkpoint::countersign(&PgStore::signing_key(&tx).await?, device, scope, seq, head, now_ms);
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO audit_checkpoints (team, device, scope, seq, checkpoint) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (team, device, scope) DO UPDATE SET seq = excluded.seq, checkpoint = excluded.checkpoint",
        )
        .await?,
        &[
            &team.as_slice(),
            &device.as_slice(),
            &scope_bytes,
            &(seq as i64),
            &serde_json::to_string(&c).expect("checkpoints serialise"),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Every countersigned head of the team's devices.
pub(super) async fn of_team(store: &PgStore, team: TeamId) -> Result<Vec<Checkpoint>, StoreError> {
    let client = store.pool.get().await?;
    let rows = client
        .query(
            "SELECT checkpoint FROM audit_checkpoints WHERE team = $1",
            &[&team.as_slice()],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| serde_json::from_str(r.get::<_, &str>(0)).ok())
        .collect())
}
