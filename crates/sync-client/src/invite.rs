//! Inviting a device into a team, and joining one with a code.

use care_model::{TeamId, Timestamp};
use care_store::Store;
use sync_proto::{InviteCode, MembershipOp};

use crate::{sync_once, RelayClient, SyncError};

fn store_err(e: care_store::StoreError) -> SyncError {
    SyncError::BadAnswer(format!("local store: {e}"))
}

/// Makes a single-use invite for `team`, valid until `expires`. The relay
/// keeps the team key sealed under the code, so the invitee can join while
/// this laptop is offline. Needs the relay now.
pub async fn invite(
    store: &mut Store,
    team: TeamId,
    expires: Timestamp,
    now: impl Fn() -> Timestamp,
) -> Result<InviteCode, SyncError> {
    let relay = store
        .relay()
        .map_err(store_err)?
        .ok_or_else(|| SyncError::Unreachable("no relay set".into()))?;
    let mut fp = [0u8; 32];
    if let Some(hex_fp) = &relay.fingerprint {
        hex::decode_to_slice(hex_fp, &mut fp).map_err(|_| SyncError::BadFingerprint)?;
    }
    let code = InviteCode::new(&relay.url, fp, *team.as_bytes());
    let (epoch, key) = store.latest_team_key(team).map_err(store_err)?;
    let op = MembershipOp::invite(
        team.as_bytes(),
        store.device_id().as_bytes(),
        store.signing_key(),
        &code.signing_key().verifying_key(),
        expires.0,
    );
    // The relay must know the team before it takes an invite for it.
    sync_once(store, now).await?;
    let client = RelayClient::new(
        &relay.url,
        relay.fingerprint.as_deref(),
        Some(&crate::Identity::of(store)?),
    )?;
    client.add_member(team.as_bytes(), &op).await?;
    client
        .put_invite(&code, &code.seal_team_key(epoch, &key), expires.0)
        .await?;
    Ok(code)
}

/// Joins the team of an invite code, then syncs to fetch its record. Uses the
/// code's relay if this laptop has none yet.
pub async fn join(store: &mut Store, code: &InviteCode, now: impl Fn() -> Timestamp) -> Result<TeamId, SyncError> {
    let fp = (code.fingerprint != [0u8; 32]).then(|| hex::encode(code.fingerprint));
    let team = TeamId::from_bytes(code.team);
    let client = RelayClient::new(&code.relay_url, fp.as_deref(), Some(&crate::Identity::of(store)?))?;
    let sealed = client.claim_invite(code).await?;
    let (epoch, key) = code
        .open_team_key(&sealed)
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let op = MembershipOp::join(
        &code.team,
        store.device_id().as_bytes(),
        &store.device().member.to_string(),
        store.signing_key(),
        &code.signing_key(),
    );
    store.join_team(team, epoch, &key, &op, now()).map_err(store_err)?;
    if store.relay().map_err(store_err)?.is_none() {
        store.set_relay(&code.relay_url, fp.as_deref()).map_err(store_err)?;
    }
    sync_once(store, now).await?;
    Ok(team)
}
