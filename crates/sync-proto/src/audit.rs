//! The access log (監査ログ): who opened, searched, printed, exported or
//! changed which patient's record, and every unlock, lock and failed unlock.
//!
//! Each device keeps one chain per scope (a team, or the device itself for
//! unlocks and locks). An entry holds the hash of the one before it and is
//! signed by the device, so an entry edited, deleted or reordered breaks the
//! chain. A chain cut short at its end is caught by [`Checkpoint`]s: the
//! relay countersigns "device D's chain in scope S had N entries ending in
//! hash H at time T", and a chain shorter than, or different from, a
//! checkpoint does not verify. Entries never hold clinical content: ids
//! and an action word only.
//!
//! The byte encoding that is hashed and signed is written out here (not
//! serde), so it never changes with a library.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash an empty chain starts from.
pub const GENESIS: [u8; 32] = [0; 32];

/// Longest member id, action word or entry id accepted.
const MAX_FIELD: usize = 200;

/// One entry, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, … within (device, scope).
    pub seq: u64,
    /// The device's clock, ms since the epoch.
    pub at: i64,
    #[serde(with = "hex::serde")]
    pub device: [u8; 16],
    pub member: String,
    /// open | search-open | print | export | change | unlock | lock | unlock-failed | audit-export
    pub action: String,
    /// The team (one patient) concerned; none for device events.
    #[serde(default, with = "opt_hex16")]
    pub scope: Option<[u8; 16]>,
    pub entry: Option<String>,
    #[serde(with = "hex::serde")]
    pub prev: [u8; 32],
    #[serde(with = "hex::serde")]
    pub sig: [u8; 64],
}

mod opt_hex16 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 16]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 16]>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        let bytes = hex::decode(text).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("16 bytes"))
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u32).to_be_bytes());
    out.extend(s.as_bytes());
}

impl AuditEntry {
    /// The bytes that are hashed and signed: everything but the signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = b"tsunagi audit v1\0".to_vec();
        out.extend(self.seq.to_be_bytes());
        out.extend(self.at.to_be_bytes());
        out.extend(self.device);
        put_str(&mut out, &self.member);
        put_str(&mut out, &self.action);
        match &self.scope {
            Some(t) => {
                out.push(1);
                out.extend(t);
            }
            None => out.push(0),
        }
        match &self.entry {
            Some(e) => {
                out.push(1);
                put_str(&mut out, e);
            }
            None => out.push(0),
        }
        out.extend(self.prev);
        out
    }

    /// What the next entry's `prev` holds.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.encode());
        h.update(self.sig);
        h.finalize().into()
    }

    /// Makes and signs the entry after `prev` (seq 1 follows [`GENESIS`]).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        signer: &SigningKey,
        seq: u64,
        at: i64,
        device: [u8; 16],
        member: &str,
        action: &str,
        scope: Option<[u8; 16]>,
        entry: Option<&str>,
        prev: [u8; 32],
    ) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at,
            device,
            member: member.into(),
            action: action.into(),
            scope,
            entry: entry.map(String::from),
            prev,
            sig: [0; 64],
        };
        e.sig = signer.sign(&e.encode()).to_bytes();
        e
    }

    fn well_formed(&self) -> bool {
        [
            self.member.len(),
            self.action.len(),
            self.entry.as_deref().map_or(0, str::len),
        ]
        .iter()
        .all(|n| *n <= MAX_FIELD)
    }
}

/// The relay's countersignature of a chain's length and head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    #[serde(with = "hex::serde")]
    pub device: [u8; 16],
    #[serde(default, with = "opt_hex16")]
    pub scope: Option<[u8; 16]>,
    pub seq: u64,
    #[serde(with = "hex::serde")]
    pub head: [u8; 32],
    /// The relay's clock when it signed.
    pub relay_time: i64,
    #[serde(with = "hex::serde")]
    pub relay_sig: [u8; 64],
}

impl Checkpoint {
    pub fn encode(device: &[u8; 16], scope: &Option<[u8; 16]>, seq: u64, head: &[u8; 32], relay_time: i64) -> Vec<u8> {
        let mut out = b"tsunagi audit checkpoint v1\0".to_vec();
        out.extend(device);
        match scope {
            Some(t) => {
                out.push(1);
                out.extend(t);
            }
            None => out.push(0),
        }
        out.extend(seq.to_be_bytes());
        out.extend(head);
        out.extend(relay_time.to_be_bytes());
        out
    }

    /// The relay's side: countersigns what a device says its chain is.
    pub fn countersign(
        relay: &SigningKey,
        device: [u8; 16],
        scope: Option<[u8; 16]>,
        seq: u64,
        head: [u8; 32],
        relay_time: i64,
    ) -> Checkpoint {
        let sig = relay
            .sign(&Self::encode(&device, &scope, seq, &head, relay_time))
            .to_bytes();
        Checkpoint {
            device,
            scope,
            seq,
            head,
            relay_time,
            relay_sig: sig,
        }
    }

    pub fn verify(&self, relay: &VerifyingKey) -> bool {
        let bytes = Self::encode(&self.device, &self.scope, self.seq, &self.head, self.relay_time);
        relay.verify(&bytes, &Signature::from_bytes(&self.relay_sig)).is_ok()
    }
}

/// Why a chain does not verify, naming the first entry that does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditProblem {
    #[error("entry {seq}: the device's signature does not verify (edited)")]
    BadSignature { seq: u64 },
    #[error("entry {seq}: expected entry {expected} (an entry was deleted or the order changed)")]
    Gap { seq: u64, expected: u64 },
    #[error("entry {seq}: does not follow the entry before it (rewritten)")]
    BrokenLink { seq: u64 },
    #[error("entry {seq}: fields too long")]
    Malformed { seq: u64 },
    #[error("the relay countersigned {seq} entries ending in another hash; this chain has {have} (truncated or rewritten after entry {have})")]
    Truncated { seq: u64, have: u64 },
    #[error("the relay's countersignature of entry {seq} does not verify")]
    BadCheckpoint { seq: u64 },
}

/// Whether one entry carries the device's signature (for entries received
/// one by one, before their whole chain is checked).
pub fn signature_ok(e: &AuditEntry, device_key: &VerifyingKey) -> bool {
    e.well_formed() && device_key.verify(&e.encode(), &Signature::from_bytes(&e.sig)).is_ok()
}

/// Checks one (device, scope) chain in order from seq 1, then each
/// checkpoint the relay signed for it.
pub fn verify_chain(
    entries: &[AuditEntry],
    device_key: &VerifyingKey,
    checkpoints: &[Checkpoint],
    relay_key: Option<&VerifyingKey>,
) -> Result<(), AuditProblem> {
    let mut prev = GENESIS;
    let mut hashes = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let expected = i as u64 + 1;
        if e.seq != expected {
            return Err(AuditProblem::Gap { seq: e.seq, expected });
        }
        if !e.well_formed() {
            return Err(AuditProblem::Malformed { seq: e.seq });
        }
        if device_key.verify(&e.encode(), &Signature::from_bytes(&e.sig)).is_err() {
            return Err(AuditProblem::BadSignature { seq: e.seq });
        }
        if e.prev != prev {
            return Err(AuditProblem::BrokenLink { seq: e.seq });
        }
        prev = e.hash();
        hashes.push(prev);
    }
    for c in checkpoints {
        if let Some(k) = relay_key {
            if !c.verify(k) {
                return Err(AuditProblem::BadCheckpoint { seq: c.seq });
            }
        }
        let have = entries.len() as u64;
        if c.seq > have || hashes[(c.seq - 1) as usize] != c.head {
            return Err(AuditProblem::Truncated { seq: c.seq, have });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(key: &SigningKey, n: u64) -> Vec<AuditEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = AuditEntry::new(
                    key,
                    seq,
                    1000 + seq as i64,
                    [1; 16],
                    "m",
                    "open",
                    Some([2; 16]),
                    None,
                    prev,
                );
                prev = e.hash();
                e
            })
            .collect()
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let relay = SigningKey::from_bytes(&[4; 32]);
        let vk = key.verifying_key();
        let good = chain(&key, 5);
        let cp = Checkpoint::countersign(&relay, [1; 16], Some([2; 16]), 5, good[4].hash(), 9);
        let rvk = relay.verifying_key();
        assert_eq!(verify_chain(&good, &vk, std::slice::from_ref(&cp), Some(&rvk)), Ok(()));

        let mut edited = good.clone();
        edited[2].action = "print".into();
        assert_eq!(
            verify_chain(&edited, &vk, &[], None),
            Err(AuditProblem::BadSignature { seq: 3 })
        );

        let mut deleted = good.clone();
        deleted.remove(1);
        assert_eq!(
            verify_chain(&deleted, &vk, &[], None),
            Err(AuditProblem::Gap { seq: 3, expected: 2 })
        );

        let mut reordered = good.clone();
        reordered.swap(1, 2);
        assert!(verify_chain(&reordered, &vk, &[], None).is_err());

        // Rewritten from entry 3 on, re-signed by the device itself: the
        // chain holds together, the relay's checkpoint does not.
        let mut rewritten = good[..2].to_vec();
        let mut prev = rewritten[1].hash();
        for seq in 3..=5 {
            let e = AuditEntry::new(&key, seq, 5000, [1; 16], "m", "lock", Some([2; 16]), None, prev);
            prev = e.hash();
            rewritten.push(e);
        }
        assert_eq!(verify_chain(&rewritten, &vk, &[], None), Ok(()));
        assert_eq!(
            verify_chain(&rewritten, &vk, std::slice::from_ref(&cp), Some(&rvk)),
            Err(AuditProblem::Truncated { seq: 5, have: 5 })
        );

        let truncated = good[..3].to_vec();
        assert_eq!(
            verify_chain(&truncated, &vk, std::slice::from_ref(&cp), Some(&rvk)),
            Err(AuditProblem::Truncated { seq: 5, have: 3 })
        );

        let mut forged = cp.clone();
        forged.relay_time += 1;
        assert_eq!(
            verify_chain(&good, &vk, &[forged], Some(&rvk)),
            Err(AuditProblem::BadCheckpoint { seq: 5 })
        );
    }
}
