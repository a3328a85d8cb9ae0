//! The relay and the team: setting the relay and enrolling at it, invites
//! and joining, the signed roster (removing, naming admins, who may
//! invite, leaving) and the changes this laptop refused. Each needs the
//! relay now, so each runs on its own store connection.

use care_model::{DeviceId, Timestamp};
use care_store::Store;

use super::{now, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::*;

impl App {
    /// `addresses`: one relay, or several in front of the same store
    /// (separated by spaces, commas or lines), the first the main one.
    pub fn set_relay(&self, addresses: &str, fingerprint: Option<&str>) -> AppResult<()> {
        let addresses = sync_client::relay_addresses(&[addresses.to_string()]).map_err(|e| AppError {
            field: Some("relay".into()),
            ..AppError::new("invalid", e)
        })?;
        let fingerprint = fingerprint.map(str::trim).filter(|f| !f.is_empty());
        if let Some(fp) = fingerprint {
            sync_client::pinned_tls_config(fp, None)?;
        }
        self.with(|s| Ok(s.set_relays(&addresses[0], &addresses[1..], fingerprint)?))?;
        self.nudge.notify_one();
        Ok(())
    }

    /// The device's key pair and relay calls need a store of their own: the
    /// window's store stays free while the network is slow.
    pub(crate) fn own_store(&self) -> AppResult<Store> {
        if self.is_locked() {
            return Err(AppError::new("locked", "ロック中です / locked"));
        }
        self.connect()
    }

    pub async fn invite(&self, team: &str, hours: u32) -> AppResult<InviteView> {
        let team = parse_team(team)?;
        if !(1..=720).contains(&hours) {
            return Err(AppError::new(
                "invalid",
                "期限は 1〜720 時間です / expiry is 1 to 720 hours",
            ));
        }
        let mut store = self.own_store()?;
        if store.relay()?.is_none() {
            return Err(AppError::new(
                "no-relay",
                "先に設定で中継サーバーを設定してください / set a relay in Settings first",
            ));
        }
        let expires = Timestamp(now().0 + i64::from(hours) * 3_600_000);
        let code = sync_client::invite(&mut store, team, expires, now).await?;
        Ok(InviteView {
            code: code.encode(),
            expires_at: expires.0,
        })
    }

    /// An invite for a member of the patient's family (admins only): they
    /// read what the team shares with the family and write only their own
    /// notes.
    pub async fn invite_family(&self, team: &str, hours: u32) -> AppResult<InviteView> {
        let team = parse_team(team)?;
        if !(1..=720).contains(&hours) {
            return Err(AppError::new(
                "invalid",
                "期限は 1〜720 時間です / expiry is 1 to 720 hours",
            ));
        }
        let mut store = self.own_store()?;
        let expires = Timestamp(now().0 + i64::from(hours) * 3_600_000);
        let code = sync_client::invite_family(&mut store, team, expires, now).await?;
        Ok(InviteView {
            code: code.encode(),
            expires_at: expires.0,
        })
    }

    /// A code for this member's next laptop: every team here gets an
    /// own-laptop invite. Shown face to face; valid a day.
    pub async fn device_add(&self) -> AppResult<DeviceCodeView> {
        let mut store = self.own_store()?;
        if store.relay()?.is_none() {
            return Err(AppError::new(
                "no-relay",
                "先に設定で中継サーバーを設定してください / set a relay in Settings first",
            ));
        }
        let code = sync_client::add_device(&mut store, now).await?;
        Ok(DeviceCodeView {
            code: code.encode(),
            expires_at: now().0 + sync_client::DEVICE_CODE_HOURS * 3_600_000,
        })
    }

    /// Makes this new laptop another of the member who showed `code`, in
    /// all her teams. The window's store is opened again so that what it
    /// writes from now on carries her member id.
    pub async fn device_join(&self, code: &str) -> AppResult<DeviceJoinView> {
        let code = sync_proto::DeviceCode::parse(code.trim())?;
        let mut store = self.own_store()?;
        let done = sync_client::join_as_device(&mut store, &code, now).await?;
        *self.guard() = Some(self.connect()?);
        self.nudge.notify_one();
        Ok(DeviceJoinView {
            name: done.name,
            teams: done.joined.len() as u32,
            failed: done.failed.iter().map(|(_, why)| why.clone()).collect(),
        })
    }

    /// This member's laptops as the rosters here know them.
    pub fn my_devices(&self) -> AppResult<Vec<MyDeviceView>> {
        self.with(|s| {
            Ok(sync_client::my_devices(s)?
                .into_iter()
                .map(|d| MyDeviceView {
                    device: d.device.to_string(),
                    this: d.this,
                    teams: d.teams as u32,
                })
                .collect())
        })
    }

    /// Takes one of this member's other laptops off every team (lost, or
    /// handed back). Returns how many teams.
    pub async fn remove_my_device(&self, device: &str) -> AppResult<u32> {
        let device: DeviceId = device
            .parse()
            .map_err(|_| AppError::new("invalid", "端末IDが読めません / unreadable device id"))?;
        let mut store = self.own_store()?;
        let n = sync_client::remove_my_device(&mut store, device, now).await?;
        self.nudge.notify_one();
        Ok(n as u32)
    }

    /// Joins with an invite code. On a link that cuts out the join may be
    /// kept here and finished by the next sync: `pending` says so, and
    /// joining again with the same code finishes it.
    pub async fn join(&self, code: &str) -> AppResult<JoinView> {
        let code = sync_proto::InviteCode::parse(code.trim())?;
        let mut store = self.own_store()?;
        let joined = sync_client::join(&mut store, &code, now).await?;
        self.nudge.notify_one();
        Ok(JoinView {
            team: joined.team.to_string(),
            pending: joined.pending,
            record_pending: joined.report.is_none(),
        })
    }

    /// Enrols this laptop at its relay with a code from the relay's
    /// operator, so it may start teams there.
    pub async fn enrol(&self, code: &str) -> AppResult<()> {
        let mut store = self.own_store()?;
        if store.relay()?.is_none() {
            return Err(AppError::new(
                "no-relay",
                "先に中継サーバーを設定してください / set a relay first",
            ));
        }
        sync_client::enrol(&mut store, code).await?;
        self.nudge.notify_one();
        Ok(())
    }

    /// Lets every member invite (`true`) or only admins. An admin's laptop.
    pub async fn set_invite_policy(&self, team: &str, members_may_invite: bool) -> AppResult<()> {
        let team = parse_team(team)?;
        let mut store = self.own_store()?;
        sync_client::set_invite_policy(&mut store, team, members_may_invite, now).await?;
        self.nudge.notify_one();
        Ok(())
    }

    /// The changes from the relay this laptop refused for the team, newest
    /// first, with who sent each (named from the record where it can be).
    pub fn refused(&self, team: &str) -> AppResult<Vec<RefusedView>> {
        let team = parse_team(team)?;
        self.with(|store| {
            let entries = store.quarantine_entries(team, 50)?;
            let roster = store.roster(team)?;
            let record = store.record(team)?.read().ok();
            Ok(entries
                .into_iter()
                .map(|q| {
                    let member = q.sender.and_then(|d| roster.member_of(&d).map(str::to_string));
                    let name = member
                        .as_deref()
                        .and_then(|m| record.as_ref().and_then(|r| r.members.get(m)).map(|x| x.name.clone()));
                    RefusedView {
                        at: q.received_at.0,
                        sender: name.or(member).or(q.sender.map(hex::encode)).unwrap_or_default(),
                        reason: q.reason,
                    }
                })
                .collect())
        })
    }

    pub fn roster(&self, team: &str) -> AppResult<RosterView> {
        let team = parse_team(team)?;
        self.with(|s| {
            Ok(RosterView {
                fork: s.roster_fork(team)?,
                ..roster_view(&s.roster(team)?, s.device_id().as_bytes())
            })
        })
    }

    /// Takes every device of `member` off the team; each removal moves the
    /// team to a new key the removed devices cannot open. Needs the relay.
    pub async fn remove_member(&self, team: &str, member: &str) -> AppResult<u32> {
        let team = parse_team(team)?;
        let mut store = self.own_store()?;
        sync_client::sync_once(&mut store, now).await?;
        let me = store.device_id();
        let devices: Vec<DeviceId> = store
            .roster(team)?
            .devices
            .iter()
            .filter(|(d, e)| e.member == member && *d != me.as_bytes())
            .map(|(d, _)| DeviceId::from_bytes(*d))
            .collect();
        for device in &devices {
            sync_client::remove_device(&mut store, team, *device, now).await?;
        }
        self.nudge.notify_one();
        Ok(devices.len() as u32)
    }

    /// Takes a leaver (`member`) off every team on this laptop where this
    /// laptop's member is an admin, saying why; lists the teams whose own
    /// admins must remove her. Needs the relay.
    pub async fn remove_leaver(&self, member: &str, reason: &str) -> AppResult<LeaverView> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AppError {
                field: Some("reason".into()),
                ..AppError::new(
                    "invalid",
                    "理由を200字以内で入力してください / give a reason (up to 200 characters)",
                )
            });
        }
        let mut store = self.own_store()?;
        let done = sync_client::remove_member_everywhere(&mut store, member, reason, now).await?;
        let names = store
            .teams()?
            .into_iter()
            .filter(|t| done.not_allowed.contains(&t.team))
            .map(|t| t.patient_name)
            .collect();
        self.nudge.notify_one();
        Ok(LeaverView {
            removed_from: done.removed_from.len() as u32,
            not_allowed: names,
        })
    }

    /// Hands the patient over to another station's `member` (on the team
    /// already): they become an admin, this organisation's laptops leave,
    /// the record stays whole. Returns how many colleagues' laptops left.
    pub async fn hand_over(&self, team: &str, member: &str) -> AppResult<u32> {
        let team = parse_team(team)?;
        let mut store = self.own_store()?;
        let done = sync_client::hand_over(&mut store, team, member, now).await?;
        // This laptop let the team go: the window's copy must not show it.
        *self.guard() = Some(self.connect()?);
        self.nudge.notify_one();
        Ok(done.removed as u32)
    }

    /// Makes `member` an admin of the team (this laptop's member must be
    /// one). Needs the relay.
    pub async fn make_admin(&self, team: &str, member: &str) -> AppResult<()> {
        let team = parse_team(team)?;
        let mut store = self.own_store()?;
        sync_client::make_admin(&mut store, team, member, now).await?;
        self.nudge.notify_one();
        Ok(())
    }

    /// This laptop leaves the team: what it wrote is sent first, then the
    /// record is deleted from this laptop. Refused while anything is unsent.
    pub async fn leave_team(&self, team: &str) -> AppResult<()> {
        let team = parse_team(team)?;
        let mut store = self.own_store()?;
        sync_client::leave(&mut store, team, now).await?;
        self.nudge.notify_one();
        Ok(())
    }
}
