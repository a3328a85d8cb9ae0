//! The sealed envelope and its byte layout.
//!
//! ```text
//! offset  size  field
//!      0     1  version (1)
//!      1     1  payload kind (1 = changes, 2 = snapshot, 3 = audit entries)
//!      2    16  team id
//!     18     4  key epoch, big-endian
//!     22    16  sender device id
//!     38     8  sender sequence number, big-endian (+1 per envelope per device and team)
//!     46    24  nonce (random)
//!     70     4  ciphertext length n, big-endian
//!     74     n  ciphertext: XChaCha20-Poly1305(team key, nonce, payload, aad = bytes 0..46)
//!   74+n    64  Ed25519 signature of bytes 0..74+n by the sender device
//! ```
//!
//! The envelope id is the SHA-256 of the whole envelope: the relay stores an
//! envelope once however often it is sent.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;
const HEADER_LEN: usize = 46;
const NONCE_LEN: usize = 24;
const PREFIX_LEN: usize = HEADER_LEN + NONCE_LEN + 4;
const SIGNATURE_LEN: usize = 64;

/// The largest envelope anyone sends or accepts: a year of one patient's
/// visits compacted is well under this.
pub const MAX_ENVELOPE_BYTES: usize = 1 << 20;

/// What is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    Changes = 1,
    Snapshot = 2,
    /// A batch of the sender's audit entries (JSON list of `AuditEntry`).
    Audit = 3,
}

/// The part of an envelope anyone can read, the relay included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    pub kind: PayloadKind,
    pub team: [u8; 16],
    pub epoch: u32,
    pub sender: [u8; 16],
    pub sender_seq: u64,
}

impl Header {
    fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0] = VERSION;
        b[1] = self.kind as u8;
        b[2..18].copy_from_slice(&self.team);
        b[18..22].copy_from_slice(&self.epoch.to_be_bytes());
        b[22..38].copy_from_slice(&self.sender);
        b[38..46].copy_from_slice(&self.sender_seq.to_be_bytes());
        b
    }

    /// The header at the start of an envelope's bytes, read without copying
    /// them (nothing is verified: the signature covers it).
    pub fn decode(b: &[u8]) -> Result<Self, EnvelopeError> {
        if b.len() < HEADER_LEN {
            return Err(EnvelopeError::Malformed("shorter than a header"));
        }
        if b[0] != VERSION {
            return Err(EnvelopeError::Malformed("unknown version"));
        }
        let kind = match b[1] {
            1 => PayloadKind::Changes,
            2 => PayloadKind::Snapshot,
            3 => PayloadKind::Audit,
            _ => return Err(EnvelopeError::Malformed("unknown payload kind")),
        };
        let arr16 = |r: std::ops::Range<usize>| <[u8; 16]>::try_from(&b[r]).expect("16 bytes");
        Ok(Header {
            kind,
            team: arr16(2..18),
            epoch: u32::from_be_bytes(b[18..22].try_into().expect("4 bytes")),
            sender: arr16(22..38),
            sender_seq: u64::from_be_bytes(b[38..46].try_into().expect("8 bytes")),
        })
    }
}

/// A team's symmetric key for one epoch. Never leaves member devices in the
/// clear.
#[derive(Clone, PartialEq, Eq)]
pub struct TeamKey(pub [u8; 32]);

impl TeamKey {
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        TeamKey(k)
    }
}

impl Drop for TeamKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TeamKey(..)")
    }
}

/// Why an envelope was refused. None of these stops the sync of the others.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("malformed envelope: {0}")]
    Malformed(&'static str),
    #[error("envelope larger than {MAX_ENVELOPE_BYTES} bytes")]
    TooLarge,
    #[error("envelope signature does not match its sender")]
    BadSignature,
    #[error("sender is not a known member device of this team")]
    UnknownSender,
    #[error("no key for this envelope's epoch on this device")]
    UnknownEpoch,
    #[error("envelope could not be decrypted (wrong key or altered)")]
    Decrypt,
}

/// An envelope as bytes, with its header already read (but not verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Vec<u8>,
    header: Header,
}

impl Envelope {
    /// Checks the framing (lengths, version, kind) without any key: what the
    /// relay can check. Never panics on any input.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge);
        }
        let header = Header::decode(&bytes)?;
        if bytes.len() < PREFIX_LEN + SIGNATURE_LEN {
            return Err(EnvelopeError::Malformed("truncated"));
        }
        let n = u32::from_be_bytes(bytes[HEADER_LEN + NONCE_LEN..PREFIX_LEN].try_into().expect("4 bytes")) as usize;
        if bytes.len() != PREFIX_LEN + n + SIGNATURE_LEN {
            return Err(EnvelopeError::Malformed("length does not match"));
        }
        Ok(Envelope { bytes, header })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// SHA-256 of the whole envelope.
    pub fn id(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes).into()
    }

    fn signed_part(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - SIGNATURE_LEN]
    }

    /// Checks the sender's signature: what the relay can check once it knows
    /// the sender's public key from the team's membership.
    pub fn verify(&self, sender: &VerifyingKey) -> Result<(), EnvelopeError> {
        let sig = Signature::from_slice(&self.bytes[self.bytes.len() - SIGNATURE_LEN..])
            .map_err(|_| EnvelopeError::BadSignature)?;
        sender
            .verify_strict(self.signed_part(), &sig)
            .map_err(|_| EnvelopeError::BadSignature)
    }
}

/// Encrypts and signs `payload` for the team.
pub fn seal(key: &TeamKey, signer: &SigningKey, header: Header, payload: &[u8]) -> Result<Envelope, EnvelopeError> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let head = header.encode();
    let ciphertext = XChaCha20Poly1305::new((&key.0).into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: payload,
                aad: &head,
            },
        )
        .map_err(|_| EnvelopeError::TooLarge)?;
    if PREFIX_LEN + ciphertext.len() + SIGNATURE_LEN > MAX_ENVELOPE_BYTES {
        return Err(EnvelopeError::TooLarge);
    }
    let mut bytes = Vec::with_capacity(PREFIX_LEN + ciphertext.len() + SIGNATURE_LEN);
    bytes.extend_from_slice(&head);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&ciphertext);
    let signature = signer.sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    Envelope::parse(bytes)
}

/// Verifies the sender's signature, then decrypts. `sender_key` and
/// `team_key` look up what this device knows of the team.
pub fn open(
    envelope: &Envelope,
    sender_key: impl FnOnce(&[u8; 16]) -> Option<VerifyingKey>,
    team_key: impl FnOnce(u32) -> Option<TeamKey>,
) -> Result<Vec<u8>, EnvelopeError> {
    let h = envelope.header();
    let sender = sender_key(&h.sender).ok_or(EnvelopeError::UnknownSender)?;
    envelope.verify(&sender)?;
    let key = team_key(h.epoch).ok_or(EnvelopeError::UnknownEpoch)?;
    let b = envelope.bytes();
    let nonce = XNonce::from_slice(&b[HEADER_LEN..HEADER_LEN + NONCE_LEN]);
    let ciphertext = &b[PREFIX_LEN..b.len() - SIGNATURE_LEN];
    XChaCha20Poly1305::new((&key.0).into())
        .decrypt(
            nonce,
            Payload {
                msg: ciphertext,
                aad: &b[..HEADER_LEN],
            },
        )
        .map_err(|_| EnvelopeError::Decrypt)
}

/// The roster a writer was on: how many accepted roster ops, and the head
/// of their hash chain.
pub type RosterHead = (u64, [u8; 32]);

/// The first byte of a `Changes` payload that names the roster head its
/// writer was on (an automerge change starts with 0x85).
const ROSTER_HEAD_TAG: u8 = 1;

/// A `Changes` payload: the roster head the writer was on (how many
/// accepted roster ops, and the head after them), then one automerge
/// change. Sealed, so the relay cannot alter it; a reader compares the head
/// with its own roster at that length and so learns whether the relay shows
/// members different rosters.
pub fn with_roster_head(ops: u64, head: &[u8; 32], change: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(41 + change.len());
    out.push(ROSTER_HEAD_TAG);
    out.extend_from_slice(&ops.to_be_bytes());
    out.extend_from_slice(head);
    out.extend_from_slice(change);
    out
}

/// Splits a `Changes` payload into the roster head it names (none from a
/// writer that had no roster yet, or an older one) and the change.
pub fn split_roster_head(plain: &[u8]) -> Result<(Option<RosterHead>, &[u8]), EnvelopeError> {
    match plain.first() {
        Some(&ROSTER_HEAD_TAG) => {
            if plain.len() < 41 {
                return Err(EnvelopeError::Malformed("roster head cut short"));
            }
            let ops = u64::from_be_bytes(plain[1..9].try_into().expect("8 bytes"));
            let head: [u8; 32] = plain[9..41].try_into().expect("32 bytes");
            Ok((Some((ops, head)), &plain[41..]))
        }
        _ => Ok((None, plain)),
    }
}
