//! Handing a patient over to another station (担当の引き継ぎ): the new
//! station's nurse, already invited, becomes an admin; every other laptop
//! of this laptop's organisation is taken off, saying why; then this laptop
//! leaves. The record stays whole: nothing is deleted, the new station goes
//! on in the same team, with a new key the old station's laptops cannot
//! open.

use care_model::{DeviceId, TeamId, Timestamp};
use care_store::Store;

use crate::invite::{remove_synced, store_err};
use crate::{leave, make_admin, sync_once, SyncError};

/// What the hand-over did.
#[derive(Debug)]
pub struct HandedOver {
    /// Laptops of this organisation taken off (besides this one).
    pub removed: usize,
}

/// Hands `team` over to the member `to` (of another organisation, on the
/// team already). This laptop's member must be an admin.
pub async fn hand_over(
    store: &mut Store,
    team: TeamId,
    to: &str,
    now: impl Fn() -> Timestamp,
) -> Result<HandedOver, SyncError> {
    sync_once(store, &now).await?;
    let me = store.device().clone();
    let roster = store.roster(team).map_err(store_err)?;
    if !roster.is_admin_device(me.device.as_bytes()) {
        return Err(SyncError::NotAllowed);
    }
    if !roster.devices.values().any(|e| e.member == to) || to == me.member.to_string() {
        return Err(SyncError::BadAnswer(
            "引き継ぎ先はこのチームの別の組織のメンバーです。先に招待してください / the new station's member must be on the team: invite them first".into(),
        ));
    }
    let record = store
        .record(team)
        .map_err(store_err)?
        .read()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let org = me.profile.organisation.clone();
    let new_org = record
        .members
        .get(to)
        .map(|p| p.organisation.clone())
        .unwrap_or_default();
    if !new_org.is_empty() && new_org == org {
        return Err(SyncError::BadAnswer(
            "引き継ぎ先が同じ組織です / the member to hand over to is of this same organisation".into(),
        ));
    }
    make_admin(store, team, to, &now).await?;
    // Colleagues of this organisation (by their details in the record).
    let colleagues: Vec<String> = record
        .members
        .iter()
        .filter(|(id, m)| m.organisation == org && **id != me.member.to_string())
        .map(|(id, _)| id.clone())
        .collect();
    let reason = format!("{new_org} へ引き継ぎ / handed over to {new_org}");
    let mut removed = 0;
    let roster = store.roster(team).map_err(store_err)?;
    let theirs: Vec<[u8; 16]> = roster
        .devices
        .iter()
        .filter(|(_, e)| colleagues.contains(&e.member))
        .map(|(d, _)| *d)
        .collect();
    for device in theirs {
        remove_synced(store, team, DeviceId::from_bytes(device), &reason).await?;
        removed += 1;
    }
    leave(store, team, &now).await?;
    tracing::info!(%team, removed, "handed over to another station");
    Ok(HandedOver { removed })
}
