//! # care-store
//!
//! A laptop's care records on disk. One SQLite file (`tsunagi.db`) per device
//! profile ("home" directory), encrypted whole with SQLCipher under a
//! [`StoreKey`] (profile-lock unwraps it), holds:
//! - the device identity (who writes from this laptop);
//! - each team's record: an automerge snapshot plus the changes since,
//!   compacted into a new snapshot as they grow;
//! - the outbox: local changes sealed for the relay; pending until it
//!   acknowledges them, then kept 30 days for a relay restored from a backup;
//! - what sync needs (`sync_state`): keys, the team roster, quarantine;
//! - per-team sync cursors;
//! - attached files, sealed (`blobs`).
//!
//! **Invariant:** [`Store::change`] returns only after its change and outbox
//! row are committed with WAL + `synchronous=FULL`; a nurse told "saved" keeps
//! her entry through a crash or an empty battery. A file that is not ours, or
//! is damaged, is reported and never written to.
//!
//! Start at [`Store`]; the tables are in [`schema`].

pub mod audit;
mod blobs;
pub mod disease_master;
mod error;
mod key;
mod migrate;
mod mute;
mod private;
pub mod profile;
mod remote;
pub mod schema;
mod search;
mod stations;
mod store;
mod summary;
mod sync_state;

pub use blobs::FileToAttach;
pub use error::StoreError;
pub use key::StoreKey;
pub use migrate::{encrypt_plaintext, finish_interrupted, profile_file, ProfileFile};
pub use remote::{Applied, Incoming, Quarantined, SnapshotCheck};
pub use search::{Hit, MAX_HITS};
pub use stations::StationOnCall;
pub use store::{DeviceProfile, Store, TeamSummary, COMPACT_AFTER};
pub use sync_state::{Cursor, OutboxItem, RelaySettings};
