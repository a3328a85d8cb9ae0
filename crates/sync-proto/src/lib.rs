//! # sync-proto
//!
//! What travels between a laptop and the relay. The centre is the
//! [`Envelope`]: one or more automerge changes of one team, encrypted with the
//! team's key (XChaCha20-Poly1305, the header as associated data) and signed
//! by the sending device (Ed25519). The relay can read the header — team,
//! sender, sequence number — and check the signature, but never the contents.
//!
//! **What it is not:** no I/O and no automerge. The payload is opaque bytes.
//!
//! Start with [`envelope`]: the byte layout, [`seal`] and [`open`].

pub mod audit;
pub mod blob;
pub mod device_link;
pub mod envelope;
pub mod invite;
pub mod lockbox;
pub mod page;
pub mod roster;

pub use audit::{verify_chain, AuditEntry, AuditProblem, Checkpoint};
pub use blob::{open_blob, seal_blob, BlobError, SealedBlob, MAX_BLOB_FILE_BYTES, MAX_SEALED_BLOB_BYTES};
pub use device_link::{DeviceCode, MAX_LINK_BYTES};
pub use envelope::{
    open, seal, split_roster_head, with_roster_head, Envelope, EnvelopeError, Header, PayloadKind, RosterHead, TeamKey,
    MAX_ENVELOPE_BYTES,
};
pub use invite::{InviteCode, InviteError};
pub use roster::{MembershipOp, Roster, RosterEntry, RosterError, RosterOp, Vouch, MAX_INVITE_MS};
