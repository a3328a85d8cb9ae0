//! The membership ops themselves: their fields, how each is made and
//! signed, the bytes each signature covers, and the hash chain that links
//! them (`next_head`). What an op means for the roster is `Roster::apply`.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Roster, RosterError};
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
        /// A member inviting her own next laptop: the join must name her,
        /// and needs no other vouch. Empty: an invite for a new member.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        for_member: String,
        /// `family`: whoever joins with it is family (reads what the team
        /// shares, writes only their own notes). Empty: a member of the team.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        role: String,
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
        /// Why (a leaver: 退職), shown to the team's admins. Signed.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
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

/// The role of a family member on an invite.
pub const FAMILY: &str = "family";

/// A member's existing device signing a join for the same member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouch {
    pub device: String,
    pub sig: String,
}

/// What a lockbox of the key for `epoch` is bound to.
pub(super) fn lockbox_context(team: &[u8; 16], epoch: u32, device: &[u8; 16]) -> Vec<u8> {
    [b"team-key".as_slice(), team, &epoch.to_be_bytes(), device].concat()
}

/// The part of a `Remove` op's signature that covers its lockboxes.
pub(super) fn lockbox_digest(lockboxes: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (device, sealed) in lockboxes {
        h.update(device.as_bytes());
        h.update([0]);
        h.update(sealed.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

pub(super) fn hex16(s: &str) -> Result<[u8; 16], RosterError> {
    let mut b = [0u8; 16];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("id is not 32 hex digits"))?;
    Ok(b)
}

pub(super) fn key_of(s: &str) -> Result<VerifyingKey, RosterError> {
    let mut b = [0u8; 32];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("key is not 64 hex digits"))?;
    VerifyingKey::from_bytes(&b).map_err(|_| RosterError::Malformed("not an Ed25519 key"))
}

pub(super) fn sig_of(s: &str) -> Result<Signature, RosterError> {
    let mut b = [0u8; 64];
    hex::decode_to_slice(s, &mut b).map_err(|_| RosterError::Malformed("signature is not 128 hex digits"))?;
    Ok(Signature::from_bytes(&b))
}

/// The bytes each op's signature covers: a domain tag and the op's fields.
pub(super) fn signed_bytes(parts: &[&str]) -> Vec<u8> {
    let mut b = b"tsunagi-membership-v1".to_vec();
    for p in parts {
        b.push(0);
        b.extend_from_slice(p.as_bytes());
    }
    b
}

pub(super) fn verify(key: &VerifyingKey, parts: &[&str], sig: &str) -> Result<(), RosterError> {
    key.verify_strict(&signed_bytes(parts), &sig_of(sig)?)
        .map_err(|_| RosterError::BadSignature)
}

pub(super) fn sign(key: &SigningKey, parts: &[&str]) -> String {
    hex::encode(key.sign(&signed_bytes(parts)).to_bytes())
}

/// The signed parts of an invite: a member's own-laptop invite adds her
/// member id, a family invite its role, each tagged so it can never read
/// as a roster head.
pub(super) fn invite_parts(
    team: &str,
    by: &str,
    invite_key: &str,
    expires_ms: i64,
    for_member: &str,
    role: &str,
    prev: &str,
) -> Vec<String> {
    let mut parts = vec![
        "invite".to_string(),
        team.into(),
        by.into(),
        invite_key.into(),
        expires_ms.to_string(),
    ];
    if !for_member.is_empty() {
        parts.push(format!("for-member={for_member}"));
    }
    if !role.is_empty() {
        parts.push(format!("role={role}"));
    }
    if !prev.is_empty() {
        parts.push(prev.into());
    }
    parts
}

/// The signed parts of a removal; a reason is tagged so that it can never
/// read as a roster head.
pub(super) fn remove_parts(
    team: &str,
    by: &str,
    device: &str,
    epoch: u32,
    lockboxes: &str,
    reason: &str,
    prev: &str,
) -> Vec<String> {
    let mut parts = vec![
        "remove".to_string(),
        team.into(),
        by.into(),
        device.into(),
        epoch.to_string(),
        lockboxes.into(),
    ];
    if !reason.is_empty() {
        parts.push(format!("reason={reason}"));
    }
    if !prev.is_empty() {
        parts.push(prev.into());
    }
    parts
}

/// An op's signed parts, with the roster head it was made on when it names
/// one (ops made before heads existed name none, and still verify).
pub(super) fn with_prev<'a>(parts: &[&'a str], prev: &'a str) -> Vec<&'a str> {
    let mut all = parts.to_vec();
    if !prev.is_empty() {
        all.push(prev);
    }
    all
}

/// The roster head after `op` on a roster whose head was `prev`: a hash
/// chain over the accepted ops, so two members can tell whether they were
/// shown the same roster.
pub(super) fn next_head(prev: &[u8; 32], op: &MembershipOp) -> [u8; 32] {
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
        Self::make_invite(head, team, by, by_key, invite, expires_ms, "", "")
    }

    /// An invite for a family member (家族): an admin's. Whoever joins with it
    /// is family on this team's roster.
    pub fn family_invite_on(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        invite: &VerifyingKey,
        expires_ms: i64,
    ) -> Self {
        Self::make_invite(head, team, by, by_key, invite, expires_ms, "", FAMILY)
    }

    /// A member's invite for her own next laptop (`member` is hers): any
    /// member may make one, whoever the team lets invite, and the join it
    /// admits must name her.
    pub fn own_device_invite_on(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        invite: &VerifyingKey,
        expires_ms: i64,
        member: &str,
    ) -> Self {
        Self::make_invite(head, team, by, by_key, invite, expires_ms, member, "")
    }

    #[allow(clippy::too_many_arguments)]
    fn make_invite(
        head: Option<&[u8; 32]>,
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        invite: &VerifyingKey,
        expires_ms: i64,
        for_member: &str,
        role: &str,
    ) -> Self {
        let (team, by, ik) = (hex::encode(team), hex::encode(by), hex::encode(invite.as_bytes()));
        let prev = head.map(hex::encode).unwrap_or_default();
        let parts = invite_parts(&team, &by, &ik, expires_ms, for_member, role, &prev);
        let sig = sign(by_key, &parts.iter().map(String::as_str).collect::<Vec<_>>());
        MembershipOp::Invite {
            team,
            by,
            invite_key: ik,
            expires_ms,
            sig,
            prev,
            for_member: for_member.to_string(),
            role: role.to_string(),
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
        Self::remove_because(team, by, by_key, device, roster, new_key, "")
    }

    /// A removal that says why (a leaver, a lost laptop), for the team's
    /// admins to read.
    pub fn remove_because(
        team: &[u8; 16],
        by: &[u8; 16],
        by_key: &SigningKey,
        device: &[u8; 16],
        roster: &Roster,
        new_key: &TeamKey,
        reason: &str,
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
        let parts = remove_parts(&team, &by, &device, epoch, &lockbox_digest(&lockboxes), reason, &prev);
        let sig = sign(by_key, &parts.iter().map(String::as_str).collect::<Vec<_>>());
        MembershipOp::Remove {
            team,
            by,
            device,
            epoch,
            lockboxes,
            sig,
            prev,
            reason: reason.to_string(),
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
