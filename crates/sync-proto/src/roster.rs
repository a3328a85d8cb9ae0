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

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{lockbox, TeamKey};

/// One membership operation, as stored by the relay (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MembershipOp {
    Genesis {
        team: String,
        device: String,
        member: String,
        key: String,
        sig: String,
    },
    Invite {
        team: String,
        by: String,
        invite_key: String,
        expires_ms: i64,
        sig: String,
        /// The roster head this op was made on (see [`Roster::head`]).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prev: String,
    },
    Join {
        team: String,
        device: String,
        member: String,
        key: String,
        invite_key: String,
        invite_sig: String,
        sig: String,
        /// A current device of `member` also signing: that member's next
        /// laptop. Absent for a member new to the team.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vouch: Option<Vouch>,
    },
    Remove {
        team: String,
        by: String,
        device: String,
        /// The epoch this op starts: the roster's current one plus one.
        epoch: u32,
        /// Device id -> the new team key sealed to it, for every device that stays.
        lockboxes: BTreeMap<String, String>,
        sig: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prev: String,
    },
    Admin {
        team: String,
        by: String,
        member: String,
        sig: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prev: String,
    },
    InvitePolicy {
        team: String,
        by: String,
        members_may_invite: bool,
        sig: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        prev: String,
    },
}

/// A member's existing device signing a join for the same member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouch {
    pub device: String,
    pub sig: String,
}

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
    /// Invite keys still usable: key -> expiry.
    invites: BTreeMap<[u8; 32], i64>,
    /// Ops that did not verify, by index.
    pub rejected: Vec<usize>,
    /// The roster head after each accepted op, in order: a hash chain, so
    /// two rosters that differ anywhere differ from there on.
    pub heads: Vec<[u8; 32]>,
    /// For each removed device, how long the team's envelope log was when
    /// the relay took its removal: its envelopes after that are refused,
    /// whoever uploads them.
    pub removed_at_log: BTreeMap<[u8; 16], u64>,
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

/// What a lockbox of the key for `epoch` is bound to.
fn lockbox_context(team: &[u8; 16], epoch: u32, device: &[u8; 16]) -> Vec<u8> {
    [b"team-key".as_slice(), team, &epoch.to_be_bytes(), device].concat()
}

/// The part of a `Remove` op's signature that covers its lockboxes.
fn lockbox_digest(lockboxes: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (device, sealed) in lockboxes {
        h.update(device.as_bytes());
        h.update([0]);
        h.update(sealed.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

fn hex16(s: &str) -> Result<[u8; 16], RosterError> {
    let mut b = [0u8; 16];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("id is not 32 hex digits"))?;
    Ok(b)
}

fn key_of(s: &str) -> Result<VerifyingKey, RosterError> {
    let mut b = [0u8; 32];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("key is not 64 hex digits"))?;
    VerifyingKey::from_bytes(&b).map_err(|_| RosterError::Malformed("not an Ed25519 key"))
}

fn sig_of(s: &str) -> Result<Signature, RosterError> {
    let mut b = [0u8; 64];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("signature is not 128 hex digits"))?;
    Ok(Signature::from_bytes(&b))
}

/// The bytes each op's signature covers: a domain tag and the op's fields.
fn signed_bytes(parts: &[&str]) -> Vec<u8> {
    let mut b = b"tsunagi-membership-v1".to_vec();
    for p in parts {
        b.push(0);
        b.extend_from_slice(p.as_bytes());
    }
    b
}

fn verify(key: &VerifyingKey, parts: &[&str], sig: &str) -> Result<(), RosterError> {
    key.verify_strict(&signed_bytes(parts), &sig_of(sig)?)
        .map_err(|_| RosterError::BadSignature)
}

fn sign(key: &SigningKey, parts: &[&str]) -> String {
    hex::encode(key.sign(&signed_bytes(parts)).to_bytes())
}

/// An op's signed parts, with the roster head it was made on when it names
/// one (ops made before heads existed name none, and still verify).
fn with_prev<'a>(parts: &[&'a str], prev: &'a str) -> Vec<&'a str> {
    let mut all = parts.to_vec();
    if !prev.is_empty() {
        all.push(prev);
    }
    all
}

/// The roster head after `op` on a roster whose head was `prev`: a hash
/// chain over the accepted ops, so two members can tell whether they were
/// shown the same roster.
fn next_head(prev: &[u8; 32], op: &MembershipOp) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"tsunagi-roster-head")
        .chain_update(prev)
        .chain_update(op.id())
        .finalize()
        .into()
}

impl MembershipOp {
    pub fn genesis(team: &[u8; 16], device: &[u8; 16], member: &str, key: &SigningKey) -> Self {
        let (team, device, vk) = (
            hex::encode(team),
            hex::encode(device),
            hex::encode(key.verifying_key().as_bytes()),
        );
        let sig = sign(key, &["genesis", &team, &device, member, &vk]);
        MembershipOp::Genesis {
            team,
            device,
            member: member.to_string(),
            key: vk,
            sig,
        }
    }

    pub fn invite(team: &[u8; 16], by: &[u8; 16], by_key: &SigningKey, invite: &VerifyingKey, expires_ms: i64) -> Self {
        Self::invite_on(None, team, by, by_key, invite, expires_ms)
    }

    /// An invite made on the roster with head `head` (which it names, so the
    /// relay cannot move it elsewhere in the chain).
    pub fn invite_on(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        invite: &VerifyingKey,
        expires_ms: i64,
    ) -> Self {
        let (team, by, ik) = (hex::encode(team), hex::encode(by), hex::encode(invite.as_bytes()));
        let prev = head.map(hex::encode).unwrap_or_default();
        let sig = sign(
            by_key,
            &with_prev(&["invite", &team, &by, &ik, &expires_ms.to_string()], &prev),
        );
        MembershipOp::Invite {
            team,
            by,
            invite_key: ik,
            expires_ms,
            sig,
            prev,
        }
    }

    pub fn join(team: &[u8; 16], device: &[u8; 16], member: &str, key: &SigningKey, invite: &SigningKey) -> Self {
        Self::join_vouched(team, device, member, key, invite, None)
    }

    /// A join that `voucher` (a current device of `member`, with its key)
    /// also signs: the member's next laptop.
    pub fn join_vouched(
        team: &[u8; 16],
        device: &[u8; 16],
        member: &str,
        key: &SigningKey,
        invite: &SigningKey,
        voucher: Option<(&[u8; 16], &SigningKey)>,
    ) -> Self {
        let (team, device) = (hex::encode(team), hex::encode(device));
        let (vk, ik) = (
            hex::encode(key.verifying_key().as_bytes()),
            hex::encode(invite.verifying_key().as_bytes()),
        );
        let parts = ["join", &team, &device, member, &vk, &ik];
        let (invite_sig, sig) = (sign(invite, &parts), sign(key, &parts));
        let vouch = voucher.map(|(by, by_key)| Vouch {
            device: hex::encode(by),
            sig: sign(by_key, &parts),
        });
        MembershipOp::Join {
            team,
            device,
            member: member.to_string(),
            key: vk,
            invite_key: ik,
            invite_sig,
            sig,
            vouch,
        }
    }

    /// Says whether any member may invite (`true`) or only admins, as `by`
    /// (an admin's device).
    pub fn invite_policy(team: &[u8; 16], by: &[u8; 16], by_key: &SigningKey, members_may_invite: bool) -> Self {
        Self::invite_policy_on(None, team, by, by_key, members_may_invite)
    }

    /// The invite policy set on the roster with head `head`.
    pub fn invite_policy_on(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        members_may_invite: bool,
    ) -> Self {
        let (team, by) = (hex::encode(team), hex::encode(by));
        let prev = head.map(hex::encode).unwrap_or_default();
        let policy = if members_may_invite { "members" } else { "admins" };
        let sig = sign(by_key, &with_prev(&["invite_policy", &team, &by, policy], &prev));
        MembershipOp::InvitePolicy {
            team,
            by,
            members_may_invite,
            sig,
            prev,
        }
    }

    /// Takes `device` out of the team as `by`, and seals `new_key` (the key
    /// of the next epoch) to every other device on `roster`.
    pub fn remove(
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        device: &[u8; 16],
        roster: &Roster,
        new_key: &TeamKey,
    ) -> Self {
        let epoch = roster.epoch + 1;
        let lockboxes: BTreeMap<String, String> = roster
            .devices
            .iter()
            .filter(|(d, _)| *d != device)
            .map(|(d, e)| {
                let sealed = lockbox::seal(&e.key, &lockbox_context(team, epoch, d), &new_key.0);
                (hex::encode(d), hex::encode(sealed))
            })
            .collect();
        let (team, by, device) = (hex::encode(team), hex::encode(by), hex::encode(device));
        let prev = hex::encode(roster.head());
        let sig = sign(
            by_key,
            &with_prev(
                &[
                    "remove",
                    &team,
                    &by,
                    &device,
                    &epoch.to_string(),
                    &lockbox_digest(&lockboxes),
                ],
                &prev,
            ),
        );
        MembershipOp::Remove {
            team,
            by,
            device,
            epoch,
            lockboxes,
            sig,
            prev,
        }
    }

    /// Makes `member` an admin of the team, as `by` (an admin's device).
    pub fn admin(team: &[u8; 16], by: &[u8; 16], by_key: &SigningKey, member: &str) -> Self {
        Self::admin_on(None, team, by, by_key, member)
    }

    /// An admin grant made on the roster with head `head`.
    pub fn admin_on(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        member: &str,
    ) -> Self {
        let (team, by) = (hex::encode(team), hex::encode(by));
        let prev = head.map(hex::encode).unwrap_or_default();
        let sig = sign(by_key, &with_prev(&["admin", &team, &by, member], &prev));
        MembershipOp::Admin {
            team,
            by,
            member: member.to_string(),
            sig,
            prev,
        }
    }

    /// A stable id for idempotent storage: SHA-256 of the JSON.
    pub fn id(&self) -> [u8; 32] {
        Sha256::digest(serde_json::to_vec(self).expect("ops serialise")).into()
    }
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
            && self.devices.values().any(|e| e.member == member)
    }

    /// Whether device `by` may invite: an admin's device, or any member's
    /// when the team's admins opened invites to all.
    pub fn may_invite(&self, by: &[u8; 16]) -> bool {
        self.devices
            .get(by)
            .is_some_and(|e| self.members_may_invite || self.admins.contains(&e.member))
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
            } => {
                let by_id = hex16(by)?;
                let signer = self.key(&by_id).ok_or(RosterError::NotMember)?;
                if t != &team_hex {
                    return Err(RosterError::Malformed("invite for another team"));
                }
                self.check_prev(prev)?;
                verify(
                    &signer,
                    &with_prev(&["invite", t, by, invite_key, &expires_ms.to_string()], prev),
                    sig,
                )?;
                if !self.may_invite(&by_id) {
                    return Err(RosterError::MayNotInvite);
                }
                // Whatever the inviter asked, at most a week from receipt.
                let expires = (*expires_ms).min(now_ms.saturating_add(MAX_INVITE_MS));
                self.invites.insert(*key_of(invite_key)?.as_bytes(), expires);
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
                let expires = self.invites.get(ik.as_bytes()).copied().ok_or(RosterError::BadInvite)?;
                if t != &team_hex || expires < now_ms {
                    return Err(RosterError::BadInvite);
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
                if known_member {
                    // Only a current device of that same member may add one.
                    let v = vouch.as_ref().ok_or(RosterError::MemberTaken)?;
                    let voucher = self.devices.get(&hex16(&v.device)?).ok_or(RosterError::MemberTaken)?;
                    if &voucher.member != member {
                        return Err(RosterError::MemberTaken);
                    }
                    verify(&voucher.key, &parts, &v.sig)?;
                }
                self.invites.remove(ik.as_bytes());
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
                let parts = ["remove", t, by, device, &epoch.to_string(), &lockbox_digest(lockboxes)];
                verify(&signer.key, &with_prev(&parts, prev), sig)?;
                let boxes = lockboxes
                    .iter()
                    .map(|(d, sealed)| {
                        let sealed = hex::decode(sealed).map_err(|_| RosterError::Malformed("lockbox is not hex"))?;
                        Ok((hex16(d)?, sealed))
                    })
                    .collect::<Result<BTreeMap<_, _>, RosterError>>()?;
                let entry = self.devices.remove(&target).expect("checked above");
                self.removed.insert(target, (entry, *epoch));
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    const T: [u8; 16] = [5; 16];

    #[test]
    fn an_invited_device_joins_and_nobody_else_can() {
        let (a, b, c) = (
            SigningKey::generate(&mut OsRng),
            SigningKey::generate(&mut OsRng),
            SigningKey::generate(&mut OsRng),
        );
        let invite = SigningKey::generate(&mut OsRng);
        let mut ops = vec![
            MembershipOp::genesis(&T, &[1; 16], "m1", &a),
            MembershipOp::invite(&T, &[1; 16], &a, &invite.verifying_key(), 1_000),
            MembershipOp::join(&T, &[2; 16], "m2", &b, &invite),
        ];
        let at = |ops: &[MembershipOp], t: i64| ops.iter().map(|o| (o.clone(), t)).collect::<Vec<_>>();
        let r = Roster::replay(&T, &at(&ops, 500));
        assert!(r.contains(&[1; 16]) && r.contains(&[2; 16]));
        assert!(r.rejected.is_empty());

        // The invite is single use.
        ops.push(MembershipOp::join(&T, &[3; 16], "m3", &c, &invite));
        // A relay inventing a member: an invite signed by a non-member.
        let fake_invite = SigningKey::generate(&mut OsRng);
        ops.push(MembershipOp::invite(
            &T,
            &[9; 16],
            &c,
            &fake_invite.verifying_key(),
            1_000,
        ));
        ops.push(MembershipOp::join(&T, &[4; 16], "m4", &c, &fake_invite));
        let r = Roster::replay(&T, &at(&ops, 500));
        assert_eq!(r.devices.len(), 2, "{:?}", r.devices.keys().collect::<Vec<_>>());
        assert_eq!(r.rejected, vec![3, 4, 5]);

        // An expired invite admits no one.
        let late = Roster::replay(&T, &at(&ops[..3], 2_000));
        assert!(!late.contains(&[2; 16]));
    }

    fn keys(n: usize) -> Vec<SigningKey> {
        (0..n).map(|_| SigningKey::generate(&mut OsRng)).collect()
    }

    /// Genesis by device 1 (member "admin"), then devices 2.. join as
    /// members "m2".. (device 3 also belongs to "m2").
    fn team(k: &[SigningKey]) -> Vec<(MembershipOp, i64)> {
        let mut ops = vec![MembershipOp::genesis(&T, &[1; 16], "admin", &k[0])];
        for (i, key) in k.iter().enumerate().skip(1) {
            let invite = SigningKey::generate(&mut OsRng);
            let member = if i == 2 {
                "m2".to_string()
            } else {
                format!("m{}", i + 1)
            };
            ops.push(MembershipOp::invite(
                &T,
                &[1; 16],
                &k[0],
                &invite.verifying_key(),
                1_000,
            ));
            // Device 3 is m2's second laptop: device 2 vouches for it.
            let voucher = (i == 2).then(|| (&[2u8; 16], &k[1]));
            ops.push(MembershipOp::join_vouched(
                &T,
                &[i as u8 + 1; 16],
                &member,
                key,
                &invite,
                voucher,
            ));
        }
        ops.into_iter().map(|o| (o, 500)).collect()
    }

    #[test]
    fn removing_a_device_starts_an_epoch_whose_key_only_the_others_open() {
        let k = keys(4);
        let mut ops = team(&k);
        let before = Roster::replay(&T, &ops);
        assert_eq!(before.devices.len(), 4);
        let new_key = TeamKey::random();
        let remove = MembershipOp::remove(&T, &[1; 16], &k[0], &[4; 16], &before, &new_key);
        ops.push((remove, 600));
        let after = Roster::replay(&T, &ops);
        assert!(after.rejected.is_empty(), "{:?}", after.rejected);
        assert!(!after.contains(&[4; 16]) && after.devices.len() == 3);
        assert_eq!(after.epoch, 1);
        for (i, key) in k.iter().enumerate().take(3) {
            assert_eq!(after.keys_for(&T, &[i as u8 + 1; 16], key), vec![(1, new_key.clone())]);
        }
        assert!(
            after.keys_for(&T, &[4; 16], &k[3]).is_empty(),
            "the removed device gets no new key"
        );
        // What it sealed while it belonged still opens; nothing newer does.
        assert_eq!(after.key_for(&[4; 16], 0), Some(k[3].verifying_key()));
        assert_eq!(after.key_for(&[4; 16], 1), None);
        assert!(after.was_removed(k[3].verifying_key().as_bytes()));
        assert!(!after.was_removed(k[0].verifying_key().as_bytes()));
    }

    #[test]
    fn only_the_creator_or_the_devices_own_member_may_remove_it() {
        let k = keys(4);
        let ops = team(&k);
        let r = Roster::replay(&T, &ops);
        let with = |op: MembershipOp| {
            let mut all = ops.clone();
            all.push((op, 600));
            Roster::replay(&T, &all)
        };
        // Member m4 (device 4) may not remove m2's device.
        let r1 = with(MembershipOp::remove(
            &T,
            &[4; 16],
            &k[3],
            &[2; 16],
            &r,
            &TeamKey::random(),
        ));
        assert_eq!(r1.rejected, vec![ops.len()]);
        assert!(r1.contains(&[2; 16]));
        // m2 may remove m2's other device (a lost laptop), and leave itself.
        let r2 = with(MembershipOp::remove(
            &T,
            &[2; 16],
            &k[1],
            &[3; 16],
            &r,
            &TeamKey::random(),
        ));
        assert!(r2.rejected.is_empty() && !r2.contains(&[3; 16]));
        let r3 = with(MembershipOp::remove(
            &T,
            &[4; 16],
            &k[3],
            &[4; 16],
            &r,
            &TeamKey::random(),
        ));
        assert!(r3.rejected.is_empty() && !r3.contains(&[4; 16]));
    }

    #[test]
    fn an_admin_names_another_admin_who_may_then_remove_any_device() {
        let k = keys(4);
        let mut ops = team(&k);
        // m4 is no admin: cannot name one, nor remove m2's device.
        ops.push((MembershipOp::admin(&T, &[4; 16], &k[3], "m4"), 600));
        let r = Roster::replay(&T, &ops);
        assert_eq!(r.rejected, vec![ops.len() - 1]);
        assert!(!r.may_remove(&[4; 16], &[2; 16]));
        // The creator names m4 (the station manager); now m4 may.
        ops.push((MembershipOp::admin(&T, &[1; 16], &k[0], "m4"), 600));
        let r = Roster::replay(&T, &ops);
        assert!(r.admins.contains("m4") && r.admins.contains("admin"));
        assert!(r.may_remove(&[4; 16], &[2; 16]));
        // A forged grant (signature by another key) and a grant to someone
        // off the team change nothing.
        let MembershipOp::Admin { sig: wrong, .. } = MembershipOp::admin(&T, &[1; 16], &k[1], "m2") else {
            unreachable!()
        };
        let mut forged = MembershipOp::admin(&T, &[1; 16], &k[0], "m2");
        if let MembershipOp::Admin { sig, .. } = &mut forged {
            *sig = wrong;
        }
        ops.push((forged, 600));
        ops.push((MembershipOp::admin(&T, &[1; 16], &k[0], "stranger"), 600));
        let r = Roster::replay(&T, &ops);
        assert!(!r.admins.contains("m2") && !r.admins.contains("stranger"));
        assert_eq!(r.rejected.len(), 3);
    }

    #[test]
    fn a_remove_made_from_an_old_roster_is_stale_and_a_forged_one_admits_nothing() {
        let k = keys(3);
        let mut ops = team(&k);
        let r = Roster::replay(&T, &ops);
        let first = MembershipOp::remove(&T, &[1; 16], &k[0], &[3; 16], &r, &TeamKey::random());
        // Made concurrently against the same roster: same epoch, lockbox for device 3.
        let second = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
        ops.push((first, 600));
        ops.push((second, 600));
        let after = Roster::replay(&T, &ops);
        assert_eq!(after.rejected, vec![ops.len() - 1]);
        assert_eq!(after.epoch, 1);
        // A lockbox swapped after signing breaks the signature.
        let r = Roster::replay(&T, &ops[..ops.len() - 1]);
        let mut forged = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
        if let MembershipOp::Remove { lockboxes, .. } = &mut forged {
            let evil = MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random());
            let MembershipOp::Remove { lockboxes: other, .. } = evil else {
                unreachable!()
            };
            *lockboxes = other;
        }
        let mut with_forged = ops[..ops.len() - 1].to_vec();
        with_forged.push((forged, 700));
        assert_eq!(Roster::replay(&T, &with_forged).rejected, vec![with_forged.len() - 1]);
        // The last device cannot leave.
        let only = Roster::replay(&T, &ops[..1]);
        let last = MembershipOp::remove(&T, &[1; 16], &k[0], &[1; 16], &only, &TeamKey::random());
        let mut one = ops[..1].to_vec();
        one.push((last, 600));
        assert_eq!(Roster::replay(&T, &one).rejected, vec![1]);
    }

    /// Replays `ops` plus an invite from device 1 and `join(invite)`.
    fn with_join(
        ops: &[(MembershipOp, i64)],
        k0: &SigningKey,
        join: impl FnOnce(&SigningKey) -> MembershipOp,
    ) -> Roster {
        let invite = SigningKey::generate(&mut OsRng);
        let mut all = ops.to_vec();
        all.push((
            MembershipOp::invite(&T, &[1; 16], k0, &invite.verifying_key(), 1_000),
            500,
        ));
        all.push((join(&invite), 500));
        Roster::replay(&T, &all)
    }

    #[test]
    fn a_join_cannot_take_an_existing_device_or_member() {
        let k = keys(4);
        let ops = team(&k);
        let evil = SigningKey::generate(&mut OsRng);
        // As device 2 (m2's laptop): it would replace that device's key.
        let r = with_join(&ops, &k[0], |i| MembershipOp::join(&T, &[2; 16], "m2", &evil, i));
        assert_eq!(r.rejected, vec![ops.len() + 1]);
        assert_eq!(r.key(&[2; 16]), Some(k[1].verifying_key()));
        // As the creator's member id: it would be an admin.
        let r = with_join(&ops, &k[0], |i| MembershipOp::join(&T, &[9; 16], "admin", &evil, i));
        assert_eq!(r.rejected, vec![ops.len() + 1]);
        assert!(!r.contains(&[9; 16]) && !r.may_remove(&[9; 16], &[2; 16]));
        // Vouched by a device of another member (m4 for "admin"): refused.
        let r = with_join(&ops, &k[0], |i| {
            MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[4; 16], &k[3])))
        });
        assert!(!r.contains(&[9; 16]));
        // A vouch naming the admin's device but signed by another key.
        let r = with_join(&ops, &k[0], |i| {
            MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[1; 16], &k[3])))
        });
        assert!(!r.contains(&[9; 16]));
        // The admin's own second laptop, vouched by the first: admitted.
        let r = with_join(&ops, &k[0], |i| {
            MembershipOp::join_vouched(&T, &[9; 16], "admin", &evil, i, Some((&[1; 16], &k[0])))
        });
        assert!(r.rejected.is_empty() && r.contains(&[9; 16]));
        // A removed device cannot come back under its old id.
        let mut removed = ops.clone();
        let before = Roster::replay(&T, &ops);
        removed.push((
            MembershipOp::remove(&T, &[1; 16], &k[0], &[4; 16], &before, &TeamKey::random()),
            600,
        ));
        let r = with_join(&removed, &k[0], |i| MembershipOp::join(&T, &[4; 16], "new", &evil, i));
        assert!(!r.contains(&[4; 16]) && r.removed.contains_key(&[4; 16]));
    }

    #[test]
    fn only_admins_invite_unless_an_admin_opens_it_and_invites_last_a_week_at_most() {
        let k = keys(3);
        let mut ops = team(&k);
        let invite = SigningKey::generate(&mut OsRng);
        // m2 (device 2) is no admin.
        ops.push((
            MembershipOp::invite(&T, &[2; 16], &k[1], &invite.verifying_key(), 1_000),
            500,
        ));
        let r = Roster::replay(&T, &ops);
        assert_eq!(r.rejected, vec![ops.len() - 1]);
        assert!(!r.may_invite(&[2; 16]) && r.may_invite(&[1; 16]));
        // A non-admin cannot open invites either.
        ops.pop();
        ops.push((MembershipOp::invite_policy(&T, &[2; 16], &k[1], true), 500));
        assert_eq!(Roster::replay(&T, &ops).rejected, vec![ops.len() - 1]);
        ops.pop();
        // The admin opens it: m2 may now invite, and a newcomer joins by it.
        ops.push((MembershipOp::invite_policy(&T, &[1; 16], &k[0], true), 500));
        ops.push((
            MembershipOp::invite(&T, &[2; 16], &k[1], &invite.verifying_key(), i64::MAX),
            500,
        ));
        let newcomer = SigningKey::generate(&mut OsRng);
        let join = MembershipOp::join(&T, &[7; 16], "m7", &newcomer, &invite);
        let mut in_time = ops.clone();
        in_time.push((join.clone(), 500 + MAX_INVITE_MS));
        let r = Roster::replay(&T, &in_time);
        assert!(r.rejected.is_empty() && r.contains(&[7; 16]));
        // i64::MAX was asked for; a week and a moment later the code is dead.
        ops.push((join, 501 + MAX_INVITE_MS));
        let r = Roster::replay(&T, &ops);
        assert_eq!(r.rejected, vec![ops.len() - 1]);
    }

    #[test]
    fn a_removed_devices_envelope_opens_only_from_before_its_removal_in_the_log() {
        let k = keys(3);
        let ops = team(&k);
        let before = Roster::replay(&T, &ops);
        let mut logged: Vec<Option<u64>> = vec![Some(0); ops.len()];
        let mut all = ops.clone();
        all.push((
            MembershipOp::remove(&T, &[1; 16], &k[0], &[3; 16], &before, &TeamKey::random()),
            600,
        ));
        logged.push(Some(40)); // the log held 40 envelopes when the relay took it
        let r = Roster::replay_logged(&T, &all, &logged);
        assert_eq!(r.key_at(&[3; 16], 0, 40), Some(k[2].verifying_key()));
        assert_eq!(r.key_at(&[3; 16], 0, 41), None, "uploaded after the removal");
        assert_eq!(r.key_at(&[2; 16], 0, 41), Some(k[1].verifying_key()));
    }

    #[test]
    fn the_roster_is_a_hash_chain_and_an_op_made_on_another_head_is_stale() {
        let k = keys(2);
        let ops = team(&k);
        let r = Roster::replay(&T, &ops);
        assert_eq!(r.heads.len(), ops.len());
        let invite = SigningKey::generate(&mut OsRng);
        let on_head = MembershipOp::invite_on(Some(&r.head()), &T, &[1; 16], &k[0], &invite.verifying_key(), 1_000);
        let on_old = MembershipOp::invite_on(
            r.head_at(1).as_ref(),
            &T,
            &[1; 16],
            &k[0],
            &invite.verifying_key(),
            1_000,
        );
        let mut a = r.clone();
        assert!(a.apply(&T, &on_head, 500).is_ok());
        assert!(a.extends(&r) && !r.extends(&a));
        let mut b = r.clone();
        assert_eq!(b.apply(&T, &on_old, 500), Err(RosterError::Stale));
        // A prev that was not signed with the op breaks its signature.
        let mut moved = on_head.clone();
        if let MembershipOp::Invite { prev, .. } = &mut moved {
            *prev = String::new();
        }
        assert_eq!(r.clone().apply(&T, &moved, 500), Err(RosterError::BadSignature));
    }

    #[test]
    fn a_removal_voids_invites_made_before_it() {
        let k = keys(3);
        let mut ops = team(&k[..2]);
        let invite = SigningKey::generate(&mut OsRng);
        ops.push((
            MembershipOp::invite(&T, &[1; 16], &k[0], &invite.verifying_key(), 1_000),
            500,
        ));
        let r = Roster::replay(&T, &ops);
        ops.push((
            MembershipOp::remove(&T, &[1; 16], &k[0], &[2; 16], &r, &TeamKey::random()),
            600,
        ));
        ops.push((MembershipOp::join(&T, &[9; 16], "late", &k[2], &invite), 700));
        let after = Roster::replay(&T, &ops);
        assert_eq!(after.rejected, vec![ops.len() - 1]);
        assert!(!after.contains(&[9; 16]));
    }
}
