//! A member's laptops: adding her next one (a home laptop, a replacement)
//! from one she already uses, listing them, and taking one off every team
//! at once (a lost laptop). And a leaver: every laptop of a member taken off
//! every team an admin here may remove her from.

use care_model::{DeviceId, Member, MemberId, TeamId, Timestamp};
use care_store::Store;
use serde::{Deserialize, Serialize};
use sync_proto::{DeviceCode, MAX_LINK_BYTES};

use crate::invite::{client_of, pinned_relay, post_invite, remove_synced, store_err, Invitee};
use crate::{join, sync_once, Joined, RelayClient, SyncError};

/// How long a device code works: long enough to carry the new laptop home.
pub const DEVICE_CODE_HOURS: i64 = 24;

/// What the relay keeps, sealed under the device code.
#[derive(Serialize, Deserialize)]
struct Link {
    member: String,
    profile: Member,
    teams: Vec<String>,
}

/// Makes a code for this member's next laptop: every team this laptop is
/// in gets an own-laptop invite on its roster (signed here, naming her),
/// and the relay keeps the list of teams sealed under the code. Needs the
/// relay now; the new laptop joins within [`DEVICE_CODE_HOURS`].
pub async fn add_device(store: &mut Store, now: impl Fn() -> Timestamp) -> Result<DeviceCode, SyncError> {
    let (relay, fp) = pinned_relay(store)?;
    sync_once(store, &now).await?;
    let me = *store.device_id().as_bytes();
    let mut teams = Vec::new();
    for team in store.team_ids().map_err(store_err)? {
        if store.roster(team).map_err(store_err)?.contains(&me) {
            teams.push(team);
        }
    }
    let first = teams.first().ok_or(SyncError::NoTeams)?;
    let mut code = DeviceCode::new(&relay.url, fp, *first.as_bytes());
    code.also = relay.also;
    let expires = Timestamp(now().0 + DEVICE_CODE_HOURS * 3600 * 1000);
    let member = store.device().member.to_string();
    let client = client_of(store)?;
    for team in &teams {
        post_invite(
            store,
            &client,
            *team,
            &code.team_invite(*team.as_bytes()),
            expires,
            Invitee::OwnLaptop(&member),
        )
        .await?;
    }
    let link = Link {
        member,
        profile: store.device().profile.clone(),
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    let sealed = code.seal(&serde_json::to_vec(&link).expect("a link serialises"));
    if sealed.len() > MAX_LINK_BYTES {
        return Err(SyncError::BadAnswer(format!(
            "チームが多すぎて1つのコードに入りません ({} チーム) / too many teams for one code ({})",
            teams.len(),
            teams.len()
        )));
    }
    client.put_device_link(&code.link(), &sealed, expires.0).await?;
    tracing::info!(teams = teams.len(), "device code made");
    Ok(code)
}

/// What becoming another laptop of a member did.
#[derive(Debug)]
pub struct DeviceJoined {
    pub member: MemberId,
    pub name: String,
    pub joined: Vec<Joined>,
    /// Teams it could not join, with why (an invite voided by a removal
    /// meanwhile): the first laptop can show a new code.
    pub failed: Vec<(TeamId, String)>,
}

/// Makes this laptop (a new profile, in no team yet) another laptop of the
/// member whose laptop showed `code`, and joins every team she is in.
pub async fn join_as_device(
    store: &mut Store,
    code: &DeviceCode,
    now: impl Fn() -> Timestamp,
) -> Result<DeviceJoined, SyncError> {
    if code.fingerprint == [0u8; 32] {
        return Err(SyncError::NoFingerprint);
    }
    // Before the code is spent: a profile with teams cannot change hands.
    if !store.team_ids().map_err(store_err)?.is_empty() {
        return Err(store_err(care_store::StoreError::NotEmpty));
    }
    let fp = hex::encode(code.fingerprint);
    let client = RelayClient::over(&code.addresses(), Some(&fp), Some(&crate::Identity::of(store)?))?;
    let sealed = match client.claim_invite(&code.link()).await {
        Ok(s) => s,
        Err(SyncError::Refused { status: 404 | 410, .. }) => return Err(SyncError::DeviceCodeVoid),
        Err(e) => return Err(e),
    };
    let plain = code.open(&sealed).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let link: Link = serde_json::from_slice(&plain).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let member: MemberId = link
        .member
        .parse()
        .map_err(|_| SyncError::BadAnswer("device link names no member".into()))?;
    store.become_member(member, &link.profile).map_err(store_err)?;
    if store.relay().map_err(store_err)?.is_none() {
        store
            .set_relays(&code.relay_url, &code.also, Some(&fp))
            .map_err(store_err)?;
    }
    let mut done = DeviceJoined {
        member,
        name: link.profile.name.clone(),
        joined: Vec::new(),
        failed: Vec::new(),
    };
    for team in &link.teams {
        let Ok(team) = team.parse::<TeamId>() else { continue };
        match join(store, &code.team_invite(*team.as_bytes()), &now).await {
            Ok(j) => done.joined.push(j),
            Err(e) => {
                tracing::warn!(%team, error = %e, "could not join one of her teams");
                done.failed.push((team, e.to_string()));
            }
        }
    }
    tracing::info!(
        joined = done.joined.len(),
        failed = done.failed.len(),
        "joined as another laptop"
    );
    Ok(done)
}

/// One of this member's laptops, as the rosters on this laptop know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MyDevice {
    pub device: DeviceId,
    /// This laptop.
    pub this: bool,
    /// How many of the teams here it is in.
    pub teams: usize,
}

/// This member's laptops across the teams on this laptop (as last synced).
pub fn my_devices(store: &Store) -> Result<Vec<MyDevice>, SyncError> {
    let me = store.device().member.to_string();
    let mut found: std::collections::BTreeMap<[u8; 16], usize> = Default::default();
    for team in store.team_ids().map_err(store_err)? {
        let roster = store.roster(team).map_err(store_err)?;
        for (device, entry) in &roster.devices {
            if entry.member == me {
                *found.entry(*device).or_default() += 1;
            }
        }
    }
    let this = *store.device_id().as_bytes();
    Ok(found
        .into_iter()
        .map(|(d, teams)| MyDevice {
            device: DeviceId::from_bytes(d),
            this: d == this,
            teams,
        })
        .collect())
}

/// Takes one of this member's other laptops (lost, or handed back) off
/// every team it is in, each team moving to a new key. Returns how many
/// teams it was taken off.
pub async fn remove_my_device(
    store: &mut Store,
    device: DeviceId,
    now: impl Fn() -> Timestamp,
) -> Result<usize, SyncError> {
    if device == store.device_id() {
        return Err(SyncError::NotAllowed);
    }
    sync_once(store, &now).await?;
    let me = store.device().member.to_string();
    let mut removed = 0;
    for team in store.team_ids().map_err(store_err)? {
        let roster = store.roster(team).map_err(store_err)?;
        if roster.member_of(device.as_bytes()) != Some(me.as_str()) || !roster.contains(device.as_bytes()) {
            continue;
        }
        remove_synced(store, team, device, "紛失・返却 / lost or handed back").await?;
        removed += 1;
    }
    tracing::info!(%device, teams = removed, "laptop taken off every team");
    Ok(removed)
}

/// What taking a leaver off every team did.
#[derive(Debug, Default)]
pub struct LeaverRemoved {
    /// Teams she was taken off (each moved to a new key).
    pub removed_from: Vec<TeamId>,
    /// Devices taken off, counted per team.
    pub devices: usize,
    /// Teams she is in where this laptop's member is not an admin: their
    /// own admins must remove her.
    pub not_allowed: Vec<TeamId>,
}

/// Takes every laptop of `member` (a leaver) off every team on this laptop
/// where this laptop's member may remove her (an admin there), each team
/// moving to a new key; `reason` (退職 …) is signed into each removal for
/// the team's admins to read. Teams where that is not allowed are listed.
pub async fn remove_member_everywhere(
    store: &mut Store,
    member: &str,
    reason: &str,
    now: impl Fn() -> Timestamp,
) -> Result<LeaverRemoved, SyncError> {
    if member == store.device().member.to_string() {
        return Err(SyncError::NotAllowed);
    }
    sync_once(store, &now).await?;
    let me = *store.device_id().as_bytes();
    let mut done = LeaverRemoved::default();
    for team in store.team_ids().map_err(store_err)? {
        let roster = store.roster(team).map_err(store_err)?;
        let hers: Vec<[u8; 16]> = roster
            .devices
            .iter()
            .filter(|(_, e)| e.member == member)
            .map(|(d, _)| *d)
            .collect();
        if hers.is_empty() {
            continue;
        }
        if !hers.iter().all(|d| roster.may_remove(&me, d)) {
            done.not_allowed.push(team);
            continue;
        }
        for device in &hers {
            remove_synced(store, team, DeviceId::from_bytes(*device), reason).await?;
            done.devices += 1;
        }
        done.removed_from.push(team);
    }
    tracing::info!(
        teams = done.removed_from.len(),
        not_allowed = done.not_allowed.len(),
        "a leaver taken off every team this laptop may"
    );
    Ok(done)
}

/// Ends the family's access where it is due: on each team this laptop's
/// member administers whose care ended more than the team's
/// `family_days_after_close` ago, every family laptop is taken off (a new
/// key each time). Run after a sync; returns how many laptops.
pub async fn end_family_access(store: &mut Store, now: impl Fn() -> Timestamp) -> Result<usize, SyncError> {
    let me = *store.device_id().as_bytes();
    let today = now().date_jst();
    let mut ended = 0;
    for team in store.team_ids().map_err(store_err)? {
        if !store.family_invited(team).map_err(store_err)? {
            continue;
        }
        let roster = store.roster(team).map_err(store_err)?;
        if roster.family.is_empty() || !roster.is_admin_device(&me) {
            continue;
        }
        let family: Vec<[u8; 16]> = roster
            .devices
            .keys()
            .filter(|d| roster.is_family_device(d))
            .copied()
            .collect();
        if family.is_empty() || !store.has_record(team).map_err(store_err)? {
            continue;
        }
        let record = store
            .record(team)
            .map_err(store_err)?
            .read()
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let Some(ends) = record.family_access_ends() else {
            continue;
        };
        if today < ends {
            continue;
        }
        let days = record.settings.family_days_after_close;
        let reason = format!("利用終了から{days}日 / {days} days after care ended");
        for device in family {
            remove_synced(store, team, DeviceId::from_bytes(device), &reason).await?;
            ended += 1;
        }
        tracing::info!(%team, "family access ended");
    }
    Ok(ended)
}
