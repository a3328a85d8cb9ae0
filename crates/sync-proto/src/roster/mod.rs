//! Who belongs to a team: a chain of signed membership operations that the
//! relay stores and orders but cannot forge.
//!
//! - `Genesis`: the device that created the team, signed by itself.
//! - `Invite`: a member lets one more device in, until `expires_ms`. It names
//!   an invite public key derived from the secret in the invite code, which
//!   only the inviter and the invitee ever see.
//! - `Join`: the invitee's device, signed with that invite key, and by the
//!   device itself. It must name a device id the roster has never seen, and
//!   a member id that is new, unless a current device of that member signs
//!   it too (`vouch`: a member's second laptop). Otherwise a member could
//!   join as another device or as the team's creator, and so as an admin.
//! - `Remove`: a device leaves (or is taken out), and in the same op the team
//!   moves to a new key epoch: the op carries the new team key sealed to each
//!   device that stays (a [`crate::lockbox`]). Who may remove: the member who
//!   created the team (the station that took the patient on) any device; any
//!   member their own devices (leaving, or a lost laptop). One op for both
//!   steps means there is never a removal without a new key. Invites not yet
//!   used stop working, since they hold only the old keys.
//! - `Admin`: an admin makes another member an admin, who may then remove
//!   any device (a station manager who did not create the team herself).
//!   The member who created the team is the first admin.
//! - `InvitePolicy`: an admin says whether any member may invite (teams
//!   must form in a day) or only admins (the default).
//!
//! An invite is valid at most [`MAX_INVITE_MS`] after the relay received it,
//! whatever expiry its op names.
//!
//! Replaying the ops in order gives the [`Roster`]: each member device and its
//! verifying key. An op that does not verify is skipped and reported; it
//! never admits anyone.

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

mod ops;
#[cfg(test)]
mod tests;

use ops::*;
pub use ops::{MembershipOp, Vouch, FAMILY};

use crate::{lockbox, TeamKey};

/// The longest an invite stays valid after the relay received it: 7 days.
pub const MAX_INVITE_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// A membership op as the relay hands it out: when it took the op, and how
/// long the team's envelope log was then (absent from older relays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterOp {
    pub op: MembershipOp,
    pub received_ms: i64,
    #[serde(default)]
    pub log_len: Option<u64>,
}

/// A member device as the roster knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub member: String,
    pub key: VerifyingKey,
}

/// The verified membership of one team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub devices: BTreeMap<[u8; 16], RosterEntry>,
    /// Devices taken out, with the epoch their removal started: what they
    /// sealed under an earlier epoch (while they belonged) still opens.
    pub removed: BTreeMap<[u8; 16], (RosterEntry, u32)>,
    /// The device that created the team (its genesis op): the record's
    /// first change, which made the record's root, is its.
    pub creator: Option<[u8; 16]>,
    /// Members who may remove any device: the one who created the team, and
    /// those an admin named.
    pub admins: BTreeSet<String>,
    /// The current key epoch (0 until someone is removed).
    pub epoch: u32,
    /// Per epoch, the new team key sealed to each device that stayed.
    lockboxes: BTreeMap<u32, BTreeMap<[u8; 16], Vec<u8>>>,
    /// Whether any member may invite (else only admins).
    pub members_may_invite: bool,
    /// Invite keys still usable: key -> expiry, the member whose own next
    /// laptop it is for (none: a new member), and whether it admits family.
    invites: BTreeMap<[u8; 32], (i64, Option<String>, bool)>,
    /// Members who joined as family (家族): they read what the team shares
    /// with them and write only their own notes; they never invite or
    /// become admins.
    pub family: BTreeSet<String>,
    /// Ops that did not verify, by index.
    pub rejected: Vec<usize>,
    /// The roster head after each accepted op, in order: a hash chain, so
    /// two rosters that differ anywhere differ from there on.
    pub heads: Vec<[u8; 32]>,
    /// For each removed device, how long the team's envelope log was when
    /// the relay took its removal: its envelopes after that are refused,
    /// whoever uploads them.
    pub removed_at_log: BTreeMap<[u8; 16], u64>,
    /// Why a device was removed, where the removal said (a leaver).
    pub removal_reasons: BTreeMap<[u8; 16], String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RosterError {
    #[error("membership operation is malformed: {0}")]
    Malformed(&'static str),
    #[error("membership operation signature does not verify")]
    BadSignature,
    #[error("signer is not a member device of this team")]
    NotMember,
    #[error("invite unknown, used or expired")]
    BadInvite,
    #[error("only the team's creator, or the device's own member, may remove a device")]
    NotAllowed,
    #[error("the roster changed since this op was made; make it again from the current roster")]
    Stale,
    #[error("the last device of a team cannot leave it")]
    LastDevice,
    #[error("this device id is already on the team's roster (now or before)")]
    DeviceTaken,
    #[error("this member id is already on the team: only one of that member's own devices may add another")]
    MemberTaken,
    #[error("only the team's admins may invite (an admin can open invites to all members)")]
    MayNotInvite,
}

impl Roster {
    /// Replays `ops` for `team`, each with the time the relay received it:
    /// a join received after its invite expired admits no one. An invite is
    /// single use: the first join that names it consumes it.
    pub fn replay(team: &[u8; 16], ops: &[(MembershipOp, i64)]) -> Roster {
        Self::replay_logged(team, ops, &[])
    }

    /// Like [`Roster::replay`], with the length of the envelope log when the
    /// relay took each op (`log_len[i]` for `ops[i]`, where known), so that a
    /// removed device's envelopes are accepted only from before its removal.
    pub fn replay_logged(team: &[u8; 16], ops: &[(MembershipOp, i64)], log_len: &[Option<u64>]) -> Roster {
        let mut r = Roster::default();
        for (i, (op, received_ms)) in ops.iter().enumerate() {
            if r.apply(team, op, *received_ms).is_err() {
                r.rejected.push(i);
                continue;
            }
            if let (MembershipOp::Remove { device, .. }, Some(Some(at))) = (op, log_len.get(i)) {
                if let Ok(id) = hex16(device) {
                    r.removed_at_log.insert(id, *at);
                }
            }
        }
        r
    }

    /// The roster's head: the hash chain over its accepted ops (zeros for
    /// none). A member's envelopes carry the head they were written on.
    pub fn head(&self) -> [u8; 32] {
        self.heads.last().copied().unwrap_or([0; 32])
    }

    /// The head after the first `n` accepted ops, if the roster has that many.
    pub fn head_at(&self, n: u64) -> Option<[u8; 32]> {
        match n {
            0 => Some([0; 32]),
            n => self.heads.get(usize::try_from(n).ok()? - 1).copied(),
        }
    }

    /// Whether this roster extends `earlier` (the same accepted ops first).
    pub fn extends(&self, earlier: &Roster) -> bool {
        self.heads.len() >= earlier.heads.len() && self.heads[..earlier.heads.len()] == earlier.heads[..]
    }

    /// Replays ops as the relay handed them out.
    pub fn replay_ops(team: &[u8; 16], ops: &[RosterOp]) -> Roster {
        let plain: Vec<(MembershipOp, i64)> = ops.iter().map(|o| (o.op.clone(), o.received_ms)).collect();
        let log_len: Vec<Option<u64>> = ops.iter().map(|o| o.log_len).collect();
        Self::replay_logged(team, &plain, &log_len)
    }

    /// The key that signs the envelope at log position `seq` from `device`
    /// under `epoch`: [`Roster::key_for`], and for a removed device only an
    /// envelope the log held before its removal.
    pub fn key_at(&self, device: &[u8; 16], epoch: u32, seq: u64) -> Option<VerifyingKey> {
        if self.removed_at_log.get(device).is_some_and(|at| seq > *at) {
            return None;
        }
        self.key_for(device, epoch)
    }

    pub fn contains(&self, device: &[u8; 16]) -> bool {
        self.devices.contains_key(device)
    }

    pub fn key(&self, device: &[u8; 16]) -> Option<VerifyingKey> {
        self.devices.get(device).map(|e| e.key)
    }

    /// The key that signs `device`'s envelopes sealed under `epoch`: a
    /// member's always, a removed device's only for epochs before its removal.
    pub fn key_for(&self, device: &[u8; 16], epoch: u32) -> Option<VerifyingKey> {
        self.key(device).or_else(|| {
            self.removed
                .get(device)
                .filter(|(_, from)| epoch < *from)
                .map(|(e, _)| e.key)
        })
    }

    /// The member a device belongs (or belonged) to.
    pub fn member_of(&self, device: &[u8; 16]) -> Option<&str> {
        self.devices
            .get(device)
            .or_else(|| self.removed.get(device).map(|(e, _)| e))
            .map(|e| e.member.as_str())
    }

    /// Whether device `by` may take `device` off the team: an admin any
    /// device, a member their own devices.
    pub fn may_remove(&self, by: &[u8; 16], device: &[u8; 16]) -> bool {
        match (self.devices.get(by), self.devices.get(device)) {
            (Some(by), Some(target)) => self.admins.contains(&by.member) || by.member == target.member,
            _ => false,
        }
    }

    /// Whether device `by` may make `member` an admin: `by` is an admin's
    /// device and `member` has a device on the team and is not one yet.
    pub fn may_make_admin(&self, by: &[u8; 16], member: &str) -> bool {
        self.devices.get(by).is_some_and(|e| self.admins.contains(&e.member))
            && !self.admins.contains(member)
            && !self.family.contains(member)
            && self.devices.values().any(|e| e.member == member)
    }

    /// Whether device `by` may invite: an admin's device, or any member's
    /// when the team's admins opened invites to all.
    pub fn may_invite(&self, by: &[u8; 16]) -> bool {
        self.devices.get(by).is_some_and(|e| {
            !self.family.contains(&e.member) && (self.members_may_invite || self.admins.contains(&e.member))
        })
    }

    /// Whether `device` belongs (or belonged) to a member who joined as family.
    pub fn is_family_device(&self, device: &[u8; 16]) -> bool {
        self.member_of(device).is_some_and(|m| self.family.contains(m))
    }

    /// Whether device `by` may change who may invite: an admin's device.
    pub fn is_admin_device(&self, by: &[u8; 16]) -> bool {
        self.devices.get(by).is_some_and(|e| self.admins.contains(&e.member))
    }

    /// Whether the device with this verifying key is on the team now.
    pub fn has_member_key(&self, key: &[u8; 32]) -> bool {
        self.devices.values().any(|e| e.key.as_bytes() == key)
    }

    /// Whether the device with this verifying key was on the team and was removed.
    pub fn was_removed(&self, key: &[u8; 32]) -> bool {
        !self.has_member_key(key) && self.removed.values().any(|(e, _)| e.key.as_bytes() == key)
    }

    /// The team keys of later epochs that `device` (holding `signing`) can
    /// open from the lockboxes on the roster.
    pub fn keys_for(&self, team: &[u8; 16], device: &[u8; 16], signing: &SigningKey) -> Vec<(u32, TeamKey)> {
        self.lockboxes
            .iter()
            .filter_map(|(epoch, boxes)| {
                let sealed = boxes.get(device)?;
                let plain = lockbox::open(signing, &lockbox_context(team, *epoch, device), sealed).ok()?;
                Some((*epoch, TeamKey(plain.try_into().ok()?)))
            })
            .collect()
    }

    /// An op that names the head it was made on must be made on this one:
    /// else it was made on another roster (stale, or a relay moving it).
    fn check_prev(&self, prev: &str) -> Result<(), RosterError> {
        if !prev.is_empty() && prev != hex::encode(self.head()) {
            return Err(RosterError::Stale);
        }
        Ok(())
    }

    /// Applies one op if it verifies against the roster so far, and moves
    /// the head past it.
    pub fn apply(&mut self, team: &[u8; 16], op: &MembershipOp, now_ms: i64) -> Result<(), RosterError> {
        self.apply_op(team, op, now_ms)?;
        let head = next_head(&self.head(), op);
        self.heads.push(head);
        Ok(())
    }

    fn apply_op(&mut self, team: &[u8; 16], op: &MembershipOp, now_ms: i64) -> Result<(), RosterError> {
        let team_hex = hex::encode(team);
        match op {
            MembershipOp::Genesis {
                team: t,
                device,
                member,
                key,
                sig,
            } => {
                if t != &team_hex || !self.devices.is_empty() {
                    return Err(RosterError::Malformed("genesis must be the first op of its team"));
                }
                let vk = key_of(key)?;
                verify(&vk, &["genesis", t, device, member, key], sig)?;
                self.admins.insert(member.clone());
                self.creator = Some(hex16(device)?);
                self.devices.insert(
                    hex16(device)?,
                    RosterEntry {
                        member: member.clone(),
                        key: vk,
                    },
                );
            }
            MembershipOp::Invite {
                team: t,
                by,
                invite_key,
                expires_ms,
                sig,
                prev,
                for_member,
                role,
            } => {
                let by_id = hex16(by)?;
                let signer = self.devices.get(&by_id).ok_or(RosterError::NotMember)?;
                if t != &team_hex {
                    return Err(RosterError::Malformed("invite for another team"));
                }
                self.check_prev(prev)?;
                let parts = invite_parts(t, by, invite_key, *expires_ms, for_member, role, prev);
                verify(&signer.key, &parts.iter().map(String::as_str).collect::<Vec<_>>(), sig)?;
                let family = match role.as_str() {
                    "" => false,
                    FAMILY => true,
                    _ => return Err(RosterError::Malformed("unknown role")),
                };
                // Family joins only on an admin's invite.
                if family && (!self.is_admin_device(&by_id) || !for_member.is_empty()) {
                    return Err(RosterError::MayNotInvite);
                }
                let own = if for_member.is_empty() {
                    if !self.may_invite(&by_id) {
                        return Err(RosterError::MayNotInvite);
                    }
                    None
                } else {
                    // Her own next laptop: only a device of hers may ask.
                    if &signer.member != for_member {
                        return Err(RosterError::NotAllowed);
                    }
                    Some(for_member.clone())
                };
                // Whatever the inviter asked, at most a week from receipt.
                let expires = (*expires_ms).min(now_ms.saturating_add(MAX_INVITE_MS));
                self.invites
                    .insert(*key_of(invite_key)?.as_bytes(), (expires, own, family));
            }
            MembershipOp::Join {
                team: t,
                device,
                member,
                key,
                invite_key,
                invite_sig,
                sig,
                vouch,
            } => {
                let ik = key_of(invite_key)?;
                let (expires, own, family) = self.invites.get(ik.as_bytes()).cloned().ok_or(RosterError::BadInvite)?;
                if t != &team_hex || expires < now_ms {
                    return Err(RosterError::BadInvite);
                }
                // A member's own-laptop invite admits her next laptop only.
                if own.as_ref().is_some_and(|m| m != member) {
                    return Err(RosterError::MemberTaken);
                }
                let parts = ["join", t.as_str(), device, member, key, invite_key];
                verify(&ik, &parts, invite_sig)?;
                let vk = key_of(key)?;
                verify(&vk, &parts, sig)?;
                let id = hex16(device)?;
                if self.devices.contains_key(&id) || self.removed.contains_key(&id) {
                    return Err(RosterError::DeviceTaken);
                }
                let known_member = self.devices.values().any(|e| &e.member == member)
                    || self.removed.values().any(|(e, _)| &e.member == member);
                if known_member && own.is_none() {
                    // Only a current device of that same member may add one.
                    let v = vouch.as_ref().ok_or(RosterError::MemberTaken)?;
                    let voucher = self.devices.get(&hex16(&v.device)?).ok_or(RosterError::MemberTaken)?;
                    if &voucher.member != member {
                        return Err(RosterError::MemberTaken);
                    }
                    verify(&voucher.key, &parts, &v.sig)?;
                }
                self.invites.remove(ik.as_bytes());
                if family {
                    self.family.insert(member.clone());
                }
                self.devices.insert(
                    id,
                    RosterEntry {
                        member: member.clone(),
                        key: vk,
                    },
                );
            }
            MembershipOp::Remove {
                team: t,
                by,
                device,
                epoch,
                lockboxes,
                sig,
                prev,
                reason,
            } => {
                if t != &team_hex {
                    return Err(RosterError::Malformed("remove for another team"));
                }
                self.check_prev(prev)?;
                let by_id = hex16(by)?;
                let signer = self.devices.get(&by_id).ok_or(RosterError::NotMember)?;
                let target = hex16(device)?;
                if !self.devices.contains_key(&target) {
                    return Err(RosterError::Stale);
                }
                if !self.may_remove(&by_id, &target) {
                    return Err(RosterError::NotAllowed);
                }
                let staying: BTreeSet<String> =
                    self.devices.keys().filter(|d| **d != target).map(hex::encode).collect();
                if staying.is_empty() {
                    return Err(RosterError::LastDevice);
                }
                if *epoch != self.epoch + 1 || lockboxes.keys().cloned().collect::<BTreeSet<_>>() != staying {
                    return Err(RosterError::Stale);
                }
                let parts = remove_parts(t, by, device, *epoch, &lockbox_digest(lockboxes), reason, prev);
                verify(&signer.key, &parts.iter().map(String::as_str).collect::<Vec<_>>(), sig)?;
                let boxes = lockboxes
                    .iter()
                    .map(|(d, sealed)| {
                        let sealed = hex::decode(sealed).map_err(|_| RosterError::Malformed("lockbox is not hex"))?;
                        Ok((hex16(d)?, sealed))
                    })
                    .collect::<Result<BTreeMap<_, _>, RosterError>>()?;
                let entry = self.devices.remove(&target).expect("checked above");
                self.removed.insert(target, (entry, *epoch));
                if !reason.is_empty() {
                    self.removal_reasons.insert(target, reason.clone());
                }
                self.epoch = *epoch;
                self.invites.clear();
                self.lockboxes.insert(*epoch, boxes);
            }
            MembershipOp::Admin {
                team: t,
                by,
                member,
                sig,
                prev,
            } => {
                if t != &team_hex {
                    return Err(RosterError::Malformed("admin for another team"));
                }
                self.check_prev(prev)?;
                let by_id = hex16(by)?;
                let signer = self.devices.get(&by_id).ok_or(RosterError::NotMember)?.key;
                if !self.may_make_admin(&by_id, member) {
                    // Not an admin, or the member left or is one already.
                    return Err(
                        if self.admins.contains(member) || !self.devices.values().any(|e| &e.member == member) {
                            RosterError::Stale
                        } else {
                            RosterError::NotAllowed
                        },
                    );
                }
                verify(&signer, &with_prev(&["admin", t, by, member], prev), sig)?;
                self.admins.insert(member.clone());
            }
            MembershipOp::InvitePolicy {
                team: t,
                by,
                members_may_invite,
                sig,
                prev,
            } => {
                if t != &team_hex {
                    return Err(RosterError::Malformed("invite policy for another team"));
                }
                self.check_prev(prev)?;
                let by_id = hex16(by)?;
                let signer = self.devices.get(&by_id).ok_or(RosterError::NotMember)?.key;
                if !self.is_admin_device(&by_id) {
                    return Err(RosterError::NotAllowed);
                }
                let policy = if *members_may_invite { "members" } else { "admins" };
                verify(&signer, &with_prev(&["invite_policy", t, by, policy], prev), sig)?;
                self.members_may_invite = *members_may_invite;
            }
        }
        Ok(())
    }
}
