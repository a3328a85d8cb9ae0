//! The Team screen: who is on the signed roster and what this laptop may do
//! about it, who may invite, and the changes this laptop refused (with who
//! sent them).

use serde::Serialize;
use specta::Type;

/// Who is on the team's signed roster, by member, and what this laptop may
/// do about it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RosterView {
    /// The team's key epoch: one more for every device removed.
    pub epoch: u32,
    pub members: Vec<RosterMember>,
    /// Every member may invite (else only admins).
    pub members_may_invite: bool,
    /// This laptop may make an invite.
    pub may_invite: bool,
    /// This laptop's member is an admin: may change who may invite.
    pub admin: bool,
    /// Why this laptop stopped syncing the team: the relay showed another
    /// member a roster it does not show this laptop.
    pub fork: Option<String>,
    /// Devices taken off the team, with why where the removal said.
    pub removed: Vec<RemovedDevice>,
}

/// A device taken off the team.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RemovedDevice {
    pub member: String,
    /// From this key epoch on it reads nothing.
    pub epoch: u32,
    /// Why (退職, 紛失 …), as the removal said.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RosterMember {
    pub member: String,
    pub devices: u32,
    /// A team admin (made the team, or was named by an admin): may remove anyone.
    pub admin: bool,
    /// This laptop may take this member's devices off the team.
    pub removable: bool,
    /// This laptop may make this member an admin.
    pub may_make_admin: bool,
}

/// The roster as `viewer_device` sees it: it may remove a member's devices
/// if its member is an admin (or they are its own member's, but leaving is
/// offered separately for this laptop), and name other admins if an admin.
pub fn roster_view(roster: &sync_proto::Roster, me: &[u8; 16]) -> RosterView {
    let mut members: std::collections::BTreeMap<&str, RosterMember> = Default::default();
    for (device, entry) in &roster.devices {
        let m = members.entry(entry.member.as_str()).or_insert_with(|| RosterMember {
            member: entry.member.clone(),
            devices: 0,
            admin: roster.admins.contains(&entry.member),
            removable: false,
            may_make_admin: roster.may_make_admin(me, &entry.member),
        });
        m.devices += 1;
        m.removable |= device != me && roster.may_remove(me, device);
    }
    RosterView {
        epoch: roster.epoch,
        members: members.into_values().collect(),
        members_may_invite: roster.members_may_invite,
        may_invite: roster.may_invite(me),
        admin: roster.is_admin_device(me),
        fork: None,
        removed: roster
            .removed
            .iter()
            .map(|(device, (entry, epoch))| RemovedDevice {
                member: entry.member.clone(),
                epoch: *epoch,
                reason: roster.removal_reasons.get(device).cloned(),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct InviteView {
    pub code: String,
    pub expires_at: i64,
}

/// What taking a leaver off every team did.
#[derive(Debug, Clone, Serialize, Type)]
pub struct LeaverView {
    /// Teams she was taken off (each with a new key).
    pub removed_from: u32,
    /// Patients (or stations) whose own admins must remove her.
    pub not_allowed: Vec<String>,
}

/// A code that makes another laptop this member's.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DeviceCodeView {
    pub code: String,
    pub expires_at: i64,
}

/// What becoming another laptop of a member did.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DeviceJoinView {
    /// Whose laptop this now is.
    pub name: String,
    pub teams: u32,
    /// Teams it could not join, each with why.
    pub failed: Vec<String>,
}

/// One of this member's laptops.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MyDeviceView {
    pub device: String,
    /// This laptop.
    pub this: bool,
    /// In how many of the teams on this laptop.
    pub teams: u32,
}

/// What joining did.
#[derive(Debug, Clone, Serialize, Type)]
pub struct JoinView {
    pub team: String,
    /// Kept here, not yet confirmed by the relay: finished by the next sync.
    pub pending: bool,
    /// Joined, but the record has not arrived yet (the link dropped).
    pub record_pending: bool,
}

/// A change (or envelope) this laptop refused: when, from whom, why.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RefusedView {
    pub at: i64,
    /// The sender's name from the record, else its member or device id.
    pub sender: String,
    /// Why, as the check put it (technical, for the administrator).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_may_remove_others_and_name_admins_and_a_member_only_their_own_devices() {
        use ed25519_dalek::SigningKey;
        use sync_proto::{MembershipOp, Roster};
        let t = [7u8; 16];
        let keys: Vec<SigningKey> = (0..3).map(|i| SigningKey::from_bytes(&[i + 1; 32])).collect();
        let mut ops = vec![MembershipOp::genesis(&t, &[1; 16], "station", &keys[0])];
        for (i, member) in [(1u8, "doctor"), (2, "helper")] {
            let invite = SigningKey::from_bytes(&[40 + i; 32]);
            ops.push(MembershipOp::invite(
                &t,
                &[1; 16],
                &keys[0],
                &invite.verifying_key(),
                10,
            ));
            ops.push(MembershipOp::join(&t, &[i + 1; 16], member, &keys[i as usize], &invite));
        }
        let at = |ops: &[MembershipOp]| ops.iter().map(|o| (o.clone(), 0)).collect::<Vec<_>>();
        let roster = Roster::replay(&t, &at(&ops));
        let by = |roster: &Roster, me: u8| {
            roster_view(roster, &[me; 16])
                .members
                .into_iter()
                .filter(|m| m.removable)
                .map(|m| m.member)
                .collect::<Vec<_>>()
        };
        assert_eq!(by(&roster, 1), vec!["doctor", "helper"]);
        assert!(by(&roster, 2).is_empty(), "the doctor did not make the team");
        let view = roster_view(&roster, &[2; 16]);
        assert!(view.members.iter().any(|m| m.member == "station" && m.admin));
        assert!(
            view.members.iter().all(|m| !m.may_make_admin),
            "only admins name admins"
        );
        let offered: Vec<_> = roster_view(&roster, &[1; 16])
            .members
            .into_iter()
            .filter(|m| m.may_make_admin)
            .map(|m| m.member)
            .collect();
        assert_eq!(offered, vec!["doctor", "helper"]);
        // Named an admin, the doctor may remove the helper.
        ops.push(MembershipOp::admin(&t, &[1; 16], &keys[0], "doctor"));
        let roster = Roster::replay(&t, &at(&ops));
        assert_eq!(by(&roster, 2), vec!["helper", "station"]);
    }
}
