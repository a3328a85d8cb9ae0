//! Random identifiers for teams, entries, members and devices.
//!
//! Entries are keyed by random 128-bit ids so that two laptops adding entries
//! while offline can never pick the same key. Shown as 32 lowercase hex digits;
//! a unique prefix is enough to name one on the command line.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.simple())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.simple())
            }
        }

        impl FromStr for $name {
            type Err = crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::try_parse(s.trim()).map(Self).map_err(|_| crate::ValidationError {
                    field: stringify!($name),
                    value: s.to_string(),
                    accepted: "32 hex digits",
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
                self.to_string().reconcile(r)
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
                s.parse()
                    .map_err(|_| HydrateError::unexpected("a 32-hex-digit id", s.to_string()))
            }
        }
    };
}

random_id!(
    /// One care team, which is one patient's record.
    TeamId
);
random_id!(
    /// A note, a vital-signs reading, a task, a medication or a contact.
    EntryId
);
random_id!(
    /// A person in a team: a nurse, the doctor, the care manager, ...
    MemberId
);
random_id!(
    /// One laptop's profile. Its bytes are the automerge actor id, so every
    /// change says which device made it.
    DeviceId
);
