//! Who belongs to a team: a chain of signed membership operations that the
//! relay stores and orders but cannot forge.
//!
//! - `Genesis`: the device that created the team, signed by itself.
//! - `Invite`: a member lets one more device in, until `expires_ms`. It names
//!   an invite public key derived from the secret in the invite code, which
//!   only the inviter and the invitee ever see.
//! - `Join`: the invitee's device, signed with that invite key, and by the
//!   device itself.
//!
//! Replaying the ops in order gives the [`Roster`]: each member device and its
//! verifying key. An op that does not verify is skipped and reported; it
//! never admits anyone.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    },
    Join {
        team: String,
        device: String,
        member: String,
        key: String,
        invite_key: String,
        invite_sig: String,
        sig: String,
    },
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
    /// Invite keys still usable: key -> expiry.
    invites: BTreeMap<[u8; 32], i64>,
    /// Ops that did not verify, by index.
    pub rejected: Vec<usize>,
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
    key.verify(&signed_bytes(parts), &sig_of(sig)?)
        .map_err(|_| RosterError::BadSignature)
}

fn sign(key: &SigningKey, parts: &[&str]) -> String {
    hex::encode(key.sign(&signed_bytes(parts)).to_bytes())
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
        let (team, by, ik) = (hex::encode(team), hex::encode(by), hex::encode(invite.as_bytes()));
        let sig = sign(by_key, &["invite", &team, &by, &ik, &expires_ms.to_string()]);
        MembershipOp::Invite {
            team,
            by,
            invite_key: ik,
            expires_ms,
            sig,
        }
    }

    pub fn join(team: &[u8; 16], device: &[u8; 16], member: &str, key: &SigningKey, invite: &SigningKey) -> Self {
        let (team, device) = (hex::encode(team), hex::encode(device));
        let (vk, ik) = (
            hex::encode(key.verifying_key().as_bytes()),
            hex::encode(invite.verifying_key().as_bytes()),
        );
        let parts = ["join", &team, &device, member, &vk, &ik];
        let (invite_sig, sig) = (sign(invite, &parts), sign(key, &parts));
        MembershipOp::Join {
            team,
            device,
            member: member.to_string(),
            key: vk,
            invite_key: ik,
            invite_sig,
            sig,
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
        let mut r = Roster::default();
        for (i, (op, received_ms)) in ops.iter().enumerate() {
            if r.apply(team, op, *received_ms).is_err() {
                r.rejected.push(i);
            }
        }
        r
    }

    pub fn contains(&self, device: &[u8; 16]) -> bool {
        self.devices.contains_key(device)
    }

    pub fn key(&self, device: &[u8; 16]) -> Option<VerifyingKey> {
        self.devices.get(device).map(|e| e.key)
    }

    /// Applies one op if it verifies against the roster so far.
    pub fn apply(&mut self, team: &[u8; 16], op: &MembershipOp, now_ms: i64) -> Result<(), RosterError> {
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
            } => {
                let signer = self.key(&hex16(by)?).ok_or(RosterError::NotMember)?;
                if t != &team_hex {
                    return Err(RosterError::Malformed("invite for another team"));
                }
                verify(&signer, &["invite", t, by, invite_key, &expires_ms.to_string()], sig)?;
                self.invites.insert(*key_of(invite_key)?.as_bytes(), *expires_ms);
            }
            MembershipOp::Join {
                team: t,
                device,
                member,
                key,
                invite_key,
                invite_sig,
                sig,
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
                self.invites.remove(ik.as_bytes());
                self.devices.insert(
                    hex16(device)?,
                    RosterEntry {
                        member: member.clone(),
                        key: vk,
                    },
                );
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
}
