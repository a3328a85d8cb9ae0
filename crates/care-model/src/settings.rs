//! The team's own settings, set by its admins: how long an urgent item may
//! wait before it escalates, and whether members see who has read what
//! (passive 既読: some teams find read receipts pushy, so it is off unless
//! an admin turns it on). Also `seen`: when each member last opened the
//! record, which is what "seen by" is worked out from.
//!
//! Layout: `settings` (a map) and `seen` (member id -> time) at the root,
//! made on first use. Only admins write `settings` (checked by admission);
//! each member writes only their own `seen` entry.

use automerge::ReadDoc;
use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{key, RecordTx};
use crate::{ModelError, Note, Timestamp, ValidationError};

/// Minutes an urgent item waits for an acknowledgement before the on-call
/// member is told (then the admins after as long again).
pub const DEFAULT_ESCALATION_MINUTES: u32 = 15;

fn default_minutes() -> u32 {
    DEFAULT_ESCALATION_MINUTES
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct TeamSettings {
    #[autosurgeon(missing = "default_minutes")]
    #[serde(default = "default_minutes")]
    pub escalation_minutes: u32,
    /// Passive 既読: members see who has opened the record since a note
    /// was written.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub read_receipts: bool,
    /// Days after care ends (利用終了) that the family keeps access; then an
    /// admin's laptop takes the family's laptops off the team (ケアコラボ:
    /// 49 days after death).
    #[autosurgeon(missing = "default_family_days")]
    #[serde(default = "default_family_days")]
    pub family_days_after_close: u32,
}

/// 四十九日.
pub const DEFAULT_FAMILY_DAYS: u32 = 49;

fn default_family_days() -> u32 {
    DEFAULT_FAMILY_DAYS
}

impl Default for TeamSettings {
    fn default() -> Self {
        Self {
            escalation_minutes: DEFAULT_ESCALATION_MINUTES,
            read_receipts: false,
            family_days_after_close: DEFAULT_FAMILY_DAYS,
        }
    }
}

impl TeamSettings {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=24 * 60).contains(&self.escalation_minutes) {
            return Err(ValidationError {
                field: "escalation_minutes",
                value: self.escalation_minutes.to_string(),
                accepted: "1–1440 分 / minutes",
            });
        }
        if self.family_days_after_close > 3650 {
            return Err(ValidationError {
                field: "family_days_after_close",
                value: self.family_days_after_close.to_string(),
                accepted: "0–3650 日 / days",
            });
        }
        Ok(())
    }

    pub fn escalation_ms(&self) -> i64 {
        i64::from(self.escalation_minutes) * 60_000
    }
}

impl crate::Record {
    /// The day the family's access ends: care ended (the case is closed)
    /// plus the team's `family_days_after_close`. None while care goes on.
    pub fn family_access_ends(&self) -> Option<crate::CalendarDate> {
        let closure = self.case.closed.as_ref().filter(|_| self.case.is_closed())?;
        Some(closure.date.add_days(i64::from(self.settings.family_days_after_close)))
    }
}

/// Who has seen `note` (opened the record after it was written), not its
/// author, by member id, earliest first.
pub fn seen_by<'a>(note: &Note, seen: &'a std::collections::BTreeMap<String, Timestamp>) -> Vec<(&'a str, Timestamp)> {
    let author = note.author.to_string();
    let mut v: Vec<(&str, Timestamp)> = seen
        .iter()
        .filter(|(m, at)| **m != author && **at >= note.written_at)
        .map(|(m, at)| (m.as_str(), *at))
        .collect();
    v.sort_by_key(|(_, at)| *at);
    v
}

impl RecordTx<'_, '_> {
    /// Writes the team's settings (admins only: the caller checks the
    /// roster, admission refuses anyone else's).
    pub fn set_settings(&mut self, settings: TeamSettings) -> Result<(), ModelError> {
        settings.validate()?;
        let map = self.root_map(key::SETTINGS)?;
        reconcile_prop(self.tx, &map, "escalation_minutes", settings.escalation_minutes)?;
        reconcile_prop(self.tx, &map, "read_receipts", settings.read_receipts)?;
        Ok(())
    }

    /// The writer's member has opened the record now (passive 既読). Like a
    /// review, it never moves back.
    pub fn mark_seen(&mut self) -> Result<(), ModelError> {
        let at = self.at;
        let seen = self.root_map(key::SEEN)?;
        let member = self.writer.member.to_string();
        let before: Option<Timestamp> = match self.tx.get(&seen, member.as_str())? {
            Some(_) => Some(hydrate_prop(self.tx, &seen, member.as_str())?),
            None => None,
        };
        if before.is_none_or(|b| at > b) {
            reconcile_prop(self.tx, &seen, member.as_str(), at)?;
        }
        Ok(())
    }
}
