//! Inviting a device into a team, and joining one with a code.

use care_model::{DeviceId, TeamId, Timestamp};
use care_store::Store;
use sync_proto::{InviteCode, MembershipOp, TeamKey};

use crate::{sync_once, RelayClient, SyncError};

pub(crate) fn store_err(e: care_store::StoreError) -> SyncError {
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
    let (relay, fp) = pinned_relay(store)?;
    let mut code = InviteCode::new(&relay.url, fp, *team.as_bytes());
    code.also = relay.also;
    // The relay must know the team before it takes an invite for it, and the
    // pass brings any newer key epoch and who may invite.
    sync_once(store, &now).await?;
    let client = client_of(store)?;
    post_invite(store, &client, team, &code, expires, Invitee::Member).await?;
    Ok(code)
}

/// Makes a single-use invite for a member of the patient's family (家族):
/// an admin's. Whoever joins with it reads what the team shares with the
/// family and writes only their own notes.
pub async fn invite_family(
    store: &mut Store,
    team: TeamId,
    expires: Timestamp,
    now: impl Fn() -> Timestamp,
) -> Result<InviteCode, SyncError> {
    let (relay, fp) = pinned_relay(store)?;
    let mut code = InviteCode::new(&relay.url, fp, *team.as_bytes());
    code.also = relay.also;
    sync_once(store, &now).await?;
    let client = client_of(store)?;
    post_invite(store, &client, team, &code, expires, Invitee::Family).await?;
    Ok(code)
}

/// Who an invite is for.
pub(crate) enum Invitee<'a> {
    /// A new member of the team (who may invite decides).
    Member,
    /// This member's own next laptop (any member may).
    OwnLaptop(&'a str),
    /// The patient's family (admins only).
    Family,
}

/// The relay's address and pinned fingerprint, for a code to carry. The
/// code pins the relay's certificate; without a fingerprint the invitee
/// would have to trust whatever certificate answers.
pub(crate) fn pinned_relay(store: &Store) -> Result<(care_store::RelaySettings, [u8; 32]), SyncError> {
    let relay = store
        .relay()
        .map_err(store_err)?
        .ok_or_else(|| SyncError::Unreachable("no relay set".into()))?;
    let mut fp = [0u8; 32];
    let hex_fp = relay.fingerprint.as_deref().ok_or(SyncError::NoFingerprint)?;
    hex::decode_to_slice(hex_fp, &mut fp).map_err(|_| SyncError::BadFingerprint)?;
    if fp == [0u8; 32] {
        return Err(SyncError::NoFingerprint);
    }
    Ok((relay, fp))
}

/// Puts `code`'s invite on `team`'s roster and leaves the team's keys,
/// sealed under it, with the relay.
pub(crate) async fn post_invite(
    store: &mut Store,
    client: &RelayClient,
    team: TeamId,
    code: &InviteCode,
    expires: Timestamp,
    invitee: Invitee<'_>,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    // The op names the roster head it is made on: if another op lands
    // first it is stale, and is made again on the new roster.
    for _ in 0..3 {
        let roster = store.roster(team).map_err(store_err)?;
        let (by, key) = (store.device_id(), store.signing_key());
        let invite_key = code.signing_key().verifying_key();
        let head = Some(roster.head());
        let op = match invitee {
            Invitee::OwnLaptop(member) => MembershipOp::own_device_invite_on(
                head.as_ref(),
                &id,
                by.as_bytes(),
                key,
                &invite_key,
                expires.0,
                member,
            ),
            Invitee::Member if !roster.may_invite(by.as_bytes()) => return Err(SyncError::MayNotInvite),
            Invitee::Member => MembershipOp::invite_on(head.as_ref(), &id, by.as_bytes(), key, &invite_key, expires.0),
            Invitee::Family if !roster.is_admin_device(by.as_bytes()) => return Err(SyncError::NotAllowed),
            Invitee::Family => {
                MembershipOp::family_invite_on(head.as_ref(), &id, by.as_bytes(), key, &invite_key, expires.0)
            }
        };
        match client.add_member(&id, &op).await {
            Ok(_) => {
                let keys = store.team_keys(team).map_err(store_err)?;
                client.put_invite(code, &code.seal_team_keys(&keys), expires.0).await?;
                return Ok(());
            }
            Err(SyncError::Refused { status: 409, .. }) => {
                let ops = client.members(&id).await?;
                store.set_roster(team, &ops).map_err(store_err)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(changing())
}

pub(crate) fn changing() -> SyncError {
    SyncError::BadAnswer(
        "メンバー構成が変わり続けています。少し待ってからもう一度 / the roster keeps changing; try again shortly"
            .into(),
    )
}

/// Takes `device` out of `team` and moves the team to a new key that only
/// the devices that stay can open (one roster op does both). Needs the relay
/// now: revocation is enforced there at once. A roster that changed meanwhile
/// (someone joined or was removed) makes the op stale; it is made again.
pub async fn remove_device(
    store: &mut Store,
    team: TeamId,
    device: DeviceId,
    now: impl Fn() -> Timestamp,
) -> Result<(), SyncError> {
    sync_once(store, &now).await?;
    remove_synced(store, team, device, "").await
}

/// [`remove_device`] on a roster just synced, saying why (`reason`, signed
/// into the op: the team's admins read it).
pub(crate) async fn remove_synced(
    store: &mut Store,
    team: TeamId,
    device: DeviceId,
    reason: &str,
) -> Result<(), SyncError> {
    let client = client_of(store)?;
    let id = *team.as_bytes();
    for _ in 0..3 {
        let roster = store.roster(team).map_err(store_err)?;
        if !roster.contains(device.as_bytes()) {
            return Ok(());
        }
        if !roster.may_remove(store.device_id().as_bytes(), device.as_bytes()) {
            return Err(SyncError::NotAllowed);
        }
        let op = MembershipOp::remove_because(
            &id,
            store.device_id().as_bytes(),
            store.signing_key(),
            device.as_bytes(),
            &roster,
            &TeamKey::random(),
            reason,
        );
        match client.add_member(&id, &op).await {
            Ok(_) => {
                // Our own lockbox in the op gives us the new key.
                let ops = client.members(&id).await?;
                store.set_roster(team, &ops).map_err(store_err)?;
                tracing::info!(%team, removed = %device, epoch = roster.epoch + 1, "device removed; new team key");
                return Ok(());
            }
            Err(SyncError::Refused { status: 409, .. }) => {
                let ops = client.members(&id).await?;
                store.set_roster(team, &ops).map_err(store_err)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(changing())
}

/// Makes `member` an admin of `team`: they may then take any device off it
/// (a station manager who did not create the team herself). This laptop's
/// member must be an admin.
pub async fn make_admin(
    store: &mut Store,
    team: TeamId,
    member: &str,
    now: impl Fn() -> Timestamp,
) -> Result<(), SyncError> {
    sync_once(store, &now).await?;
    let roster = store.roster(team).map_err(store_err)?;
    if roster.admins.contains(member) {
        return Ok(());
    }
    if !roster.may_make_admin(store.device_id().as_bytes(), member) {
        return Err(SyncError::NotAllowed);
    }
    let client = client_of(store)?;
    let id = *team.as_bytes();
    let op = MembershipOp::admin_on(
        Some(&roster.head()),
        &id,
        store.device_id().as_bytes(),
        store.signing_key(),
        member,
    );
    client.add_member(&id, &op).await?;
    let ops = client.members(&id).await?;
    store.set_roster(team, &ops).map_err(store_err)?;
    tracing::info!(%team, "a member was made an admin of the team");
    Ok(())
}

/// Enrols this laptop at its relay with a code from the relay's operator,
/// so it may start teams there.
pub async fn enrol(store: &mut Store, code: &str) -> Result<(), SyncError> {
    client_of(store)?.enrol(code).await.map_err(|e| match e {
        SyncError::Refused { status: 403, .. } => SyncError::BadEnrolment,
        other => other,
    })
}

/// Opens invites to every member of `team` (`true`) or keeps them to its
/// admins (`false`, the default). This laptop's member must be an admin.
pub async fn set_invite_policy(
    store: &mut Store,
    team: TeamId,
    members_may_invite: bool,
    now: impl Fn() -> Timestamp,
) -> Result<(), SyncError> {
    sync_once(store, &now).await?;
    let roster = store.roster(team).map_err(store_err)?;
    if roster.members_may_invite == members_may_invite {
        return Ok(());
    }
    if !roster.is_admin_device(store.device_id().as_bytes()) {
        return Err(SyncError::NotAllowed);
    }
    let client = client_of(store)?;
    let id = *team.as_bytes();
    let op = MembershipOp::invite_policy(
        &id,
        store.device_id().as_bytes(),
        store.signing_key(),
        members_may_invite,
    );
    client.add_member(&id, &op).await?;
    let ops = client.members(&id).await?;
    store.set_roster(team, &ops).map_err(store_err)?;
    tracing::info!(%team, members_may_invite, "who may invite changed");
    Ok(())
}

/// This laptop leaves `team`: everything written here is sent first (the
/// leave is refused while anything is unsent), then it takes itself off the
/// roster and deletes the team's record from this laptop.
pub async fn leave(store: &mut Store, team: TeamId, now: impl Fn() -> Timestamp) -> Result<(), SyncError> {
    sync_once(store, &now).await?;
    let unsent = store.pending(team).map_err(store_err)?;
    if unsent > 0 {
        return Err(store_err(care_store::StoreError::UnsentEntries(unsent)));
    }
    let me = store.device_id();
    remove_device(store, team, me, &now).await?;
    store.forget_team(team).map_err(store_err)
}

pub(crate) fn client_of(store: &Store) -> Result<RelayClient, SyncError> {
    RelayClient::of_store(store)
}

/// What [`join`] did.
#[derive(Debug, Clone)]
pub struct Joined {
    pub team: TeamId,
    /// The first sync's report, if the relay answered it.
    pub report: Option<crate::SyncReport>,
    /// The join is kept on this laptop but the relay has not confirmed it
    /// (the connection was cut): the next sync finishes it.
    pub pending: bool,
}

impl Joined {
    /// What to tell the person who joined, in one line.
    pub fn message(&self) -> &'static str {
        if self.pending {
            "参加しました。接続が戻ったら完了します / joined; it completes when the connection is back"
        } else if self.report.is_none() {
            "参加しました。記録は接続が戻ったら届きます / joined; the record arrives when the connection is back"
        } else {
            "チームに参加しました / joined"
        }
    }
}

/// Joins the team of an invite code, then syncs to fetch its record. Uses
/// the code's relay if this laptop has none yet. On a link that cuts out,
/// every step may be repeated: the relay answers a repeated claim from this
/// laptop the same way, and a join whose last step was cut is kept here and
/// finished by the next sync (or by joining with the same code again).
pub async fn join(store: &mut Store, code: &InviteCode, now: impl Fn() -> Timestamp) -> Result<Joined, SyncError> {
    // Never a fall-back to public authorities: a code must pin its relay.
    if code.fingerprint == [0u8; 32] {
        return Err(SyncError::NoFingerprint);
    }
    let fp = Some(hex::encode(code.fingerprint));
    let team = TeamId::from_bytes(code.team);
    if store.team_ids().map_err(store_err)?.contains(&team) {
        if store.unsent_roster_ops(team).map_err(store_err)?.is_empty() {
            return Err(SyncError::AlreadyJoined);
        }
        // A join cut off before the relay confirmed it: finish it.
        return finish(store, team, now).await;
    }
    let client = RelayClient::over(&code.addresses(), fp.as_deref(), Some(&crate::Identity::of(store)?))?;
    let sealed = client.claim_invite(code).await?;
    let keys = code
        .open_team_keys(&sealed)
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let op = MembershipOp::join(
        &code.team,
        store.device_id().as_bytes(),
        &store.device().member.to_string(),
        store.signing_key(),
        &code.signing_key(),
    );
    store.join_team(team, &keys, &op, now()).map_err(store_err)?;
    if store.relay().map_err(store_err)?.is_none() {
        store
            .set_relays(&code.relay_url, &code.also, fp.as_deref())
            .map_err(store_err)?;
    }
    // Post the join now: an invite voided since (a removal clears invites)
    // must fail here, not leave an empty team behind.
    match client.add_member(&code.team, &op).await {
        Ok(_) => {}
        Err(SyncError::Unreachable(_)) => {
            tracing::info!(%team, "joined here; the relay has not confirmed it yet");
            return Ok(Joined {
                team,
                report: None,
                pending: true,
            });
        }
        Err(e) => {
            store.forget_team(team).map_err(store_err)?;
            return Err(match e {
                SyncError::Refused { status: 403, .. } => SyncError::InviteVoid,
                other => other,
            });
        }
    }
    finish(store, team, now).await
}

/// The first sync after a join: it posts a join still unsent, and fetches
/// the record.
async fn finish(store: &mut Store, team: TeamId, now: impl Fn() -> Timestamp) -> Result<Joined, SyncError> {
    match crate::sync_teams(store, &[team], now).await {
        Ok(report) => Ok(Joined {
            team,
            pending: !store.unsent_roster_ops(team).map_err(store_err)?.is_empty(),
            report: Some(report),
        }),
        Err(SyncError::Unreachable(_)) => Ok(Joined {
            team,
            pending: !store.unsent_roster_ops(team).map_err(store_err)?.is_empty(),
            report: None,
        }),
        Err(e) => Err(e),
    }
}
