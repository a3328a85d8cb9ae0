//! Enrolment codes (a device's first contact with the relay) and team
//! invites (sealed, claimed once with a token only the invitee holds).

use super::{tls, PgStore};
use crate::log_store::{
    code_hash, new_code, ClaimError, DeviceKey, EnrolError, NewInvite, StoreError, TeamId, MAX_OPEN_INVITES,
};

/// Makes a one-time enrolment code valid for `days` in the PostgreSQL
/// store at `url` (relays may be running).
pub async fn new_enrolment(url: &str, days: u32) -> Result<String, StoreError> {
    let client = tls::Connection::parse(url)?.connect().await?;
    let code = new_code();
    let expires = crate::log_store::now_ms() + i64::from(days.max(1)) * 24 * 3600 * 1000;
    client
        .execute(
            "INSERT INTO enrolment_codes (code_hash, expires_ms) VALUES ($1, $2)",
            &[&code_hash(&code).as_slice(), &expires],
        )
        .await?;
    Ok(code)
}

/// Enrols a device with a one-time code (the same device again: already done).
pub(super) async fn enrol(store: &PgStore, code: String, device: DeviceKey, now_ms: i64) -> Result<(), EnrolError> {
    let hash = code_hash(&code);
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            &tx.prepare_cached("SELECT expires_ms, used_by FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE")
                .await?,
            &[&hash.as_slice()],
        )
        .await?;
    match row.map(|r| (r.get::<_, i64>(0), r.get::<_, Option<Vec<u8>>>(1))) {
        Some((expires, None)) if expires >= now_ms => {}
        Some((_, Some(by))) if by.as_slice() == device.as_slice() => return Ok(()),
        _ => return Err(EnrolError::Invalid),
    }
    tx.execute(
        &tx.prepare_cached("UPDATE enrolment_codes SET used_by = $2 WHERE code_hash = $1")
            .await?,
        &[&hash.as_slice(), &device.as_slice()],
    )
    .await?;
    tx.execute(
        &tx.prepare_cached("INSERT INTO enrolled (device_key, enrolled_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .await?,
        &[&device.as_slice(), &now_ms],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a sealed invite; false when the team has too many open ones.
pub(super) async fn put(store: &PgStore, invite: NewInvite, now_ms: i64) -> Result<bool, StoreError> {
    let t = invite.team.as_slice();
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        &tx.prepare_cached("DELETE FROM invites WHERE expires_ms < $1").await?,
        &[&now_ms],
    )
    .await?;
    let waiting: i64 = tx
        .query_one(
            &tx.prepare_cached("SELECT count(*) FROM invites WHERE team = $1")
                .await?,
            &[&t],
        )
        .await?
        .get(0);
    if waiting >= MAX_OPEN_INVITES {
        return Ok(false);
    }
    let expires_ms = invite.expires_ms.min(now_ms.saturating_add(sync_proto::MAX_INVITE_MS));
    tx.execute(
        &tx.prepare_cached(
            "INSERT INTO invites (id, team, claim_hash, sealed, expires_ms, invite_key)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .await?,
        &[
            &invite.id.as_slice(),
            &t,
            &invite.claim_hash.as_slice(),
            &invite.sealed,
            &expires_ms,
            &invite.invite_key.map(|k| k.to_vec()),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Hands the sealed invite to the device holding its token, once (the
/// same device again gets it again).
pub(super) async fn claim(
    store: &PgStore,
    id: [u8; 32],
    token: [u8; 32],
    claimant: DeviceKey,
    now_ms: i64,
) -> Result<(TeamId, Vec<u8>), ClaimError> {
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        &tx.prepare_cached("DELETE FROM invites WHERE expires_ms < $1").await?,
        &[&now_ms],
    )
    .await?;
    let row = tx
        .query_opt(
            &tx.prepare_cached("SELECT team, claim_hash, sealed, expires_ms, used_at, claimed_by FROM invites WHERE id = $1 FOR UPDATE").await?,
            &[&id.as_slice()],
        )
        .await?;
    let Some(row) = row else {
        tx.commit().await?;
        return Err(ClaimError::NotFound);
    };
    let team: Vec<u8> = row.get(0);
    let claim_hash: Vec<u8> = row.get(1);
    let sealed: Vec<u8> = row.get(2);
    let expires: i64 = row.get(3);
    let used: Option<i64> = row.get(4);
    let by: Option<Vec<u8>> = row.get(5);
    let presented: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(token).into();
    if presented.as_slice() != claim_hash.as_slice() {
        return Err(ClaimError::NotFound);
    }
    if expires < now_ms {
        return Err(ClaimError::Gone);
    }
    let team: TeamId = team.try_into().map_err(|_| ClaimError::NotFound)?;
    if used.is_some() {
        return match by {
            Some(by) if by.as_slice() == claimant.as_slice() => Ok((team, sealed)),
            _ => Err(ClaimError::Gone),
        };
    }
    tx.execute(
        &tx.prepare_cached("UPDATE invites SET used_at = $2, claimed_by = $3 WHERE id = $1")
            .await?,
        &[&id.as_slice(), &now_ms, &claimant.as_slice()],
    )
    .await?;
    tx.commit().await?;
    Ok((team, sealed))
}
