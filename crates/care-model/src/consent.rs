//! The patient's written consent to share the record (個人情報の共有に関する
//! 同意): sharing across organisations starts with it (Kanamic, IIJ
//! 電子@連絡帳 and the Tokyo network all require it). A team records when it
//! was given, by whom (本人, or 長女 for the patient), who obtained it, and
//! what it covers; a withdrawal is recorded the same way. Appended, never
//! overwritten: the history of consent is itself evidence.
//!
//! Layout: `consents` at the root (made on first use), EntryId -> Consent.

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{CalendarDate, EntryId, MemberId, ModelError, Record, Timestamp, ValidationError};

crate::vocab::vocab_enum!(
    /// What the patient agreed to share, and with whom.
    ConsentScope, "scope", accepted: "team | family | hospital | photos" {
    Team = ("team", "チーム内の多職種で共有", "shared within the care team"),
    Family = ("family", "家族と共有", "shared with the family"),
    Hospital = ("hospital", "入院・受診時に医療機関へ提供", "given to a hospital at admission"),
    Photos = ("photos", "写真の記録", "photographs in the record"),
});

/// One consent (or its withdrawal) as recorded.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Consent {
    /// The day it was signed.
    pub given_on: CalendarDate,
    /// Who gave it: 本人, or 長女 (for the patient).
    pub given_by: String,
    /// Who obtained it (a person's name: often the care manager).
    pub obtained_by: String,
    pub scope: Vec<ConsentScope>,
    /// When consent was withdrawn (from this day on, nothing is shared).
    pub withdrawn_on: Option<CalendarDate>,
    /// Who recorded it in Tsunagi (checked by admission) and when.
    pub by: MemberId,
    pub at: Timestamp,
}

/// A consent as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewConsent {
    pub given_on: CalendarDate,
    pub given_by: String,
    pub obtained_by: String,
    pub scope: Vec<ConsentScope>,
}

impl NewConsent {
    pub fn validate(&self, today: CalendarDate) -> Result<(), ValidationError> {
        check_text("given_by", &self.given_by, MAX_SHORT_CHARS)?;
        check_text("obtained_by", &self.obtained_by, MAX_SHORT_CHARS)?;
        if self.scope.is_empty() {
            return Err(ValidationError {
                field: "scope",
                value: String::new(),
                accepted: "team | family | hospital | photos (one or more)",
            });
        }
        if self.given_on > today {
            return Err(ValidationError {
                field: "given_on",
                value: self.given_on.iso(),
                accepted: "today or earlier",
            });
        }
        Ok(())
    }
}

impl Record {
    /// The consent in force on `today`: the latest given on or before it
    /// that is not withdrawn by then. None: the team has no consent on
    /// record, which the app shows.
    pub fn consent_on(&self, today: CalendarDate) -> Option<(&str, &Consent)> {
        self.consents
            .iter()
            .filter(|(_, c)| c.given_on <= today && c.withdrawn_on.is_none_or(|w| w > today))
            .max_by_key(|(_, c)| (c.given_on, c.at))
            .map(|(id, c)| (id.as_str(), c))
    }
}

impl RecordTx<'_, '_> {
    /// Records a consent; its id.
    pub fn record_consent(&mut self, consent: NewConsent) -> Result<EntryId, ModelError> {
        consent.validate(self.at.date_jst())?;
        let mut scope = consent.scope;
        scope.sort();
        scope.dedup();
        let id = EntryId::random();
        let map = self.root_map(key::CONSENTS)?;
        let value = Consent {
            given_on: consent.given_on,
            given_by: consent.given_by.trim().to_string(),
            obtained_by: consent.obtained_by.trim().to_string(),
            scope,
            withdrawn_on: None,
            by: self.writer.member,
            at: self.at,
        };
        reconcile_prop(self.tx, &map, id.to_string().as_str(), &value)?;
        Ok(id)
    }

    /// Records that a consent was withdrawn on `on`.
    pub fn withdraw_consent(&mut self, id: EntryId, on: CalendarDate) -> Result<(), ModelError> {
        if on > self.at.date_jst() {
            return Err(ValidationError {
                field: "withdrawn_on",
                value: on.iso(),
                accepted: "today or earlier",
            }
            .into());
        }
        let entry = self.entry(key::CONSENTS, "consent", id)?;
        reconcile_prop(self.tx, &entry, "withdrawn_on", Some(on))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::nurse;
    use crate::{CareRecord, Patient, TeamId};

    fn day(d: u32) -> CalendarDate {
        CalendarDate::new(2026, 11, d).unwrap()
    }

    #[test]
    fn the_consent_in_force_follows_dates_and_withdrawal() {
        let n = nurse();
        let now = day(20).start_jst();
        let (mut r, _) = CareRecord::create(
            TeamId::random(),
            &n,
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            now,
        )
        .unwrap();
        assert!(r.read().unwrap().consent_on(day(20)).is_none(), "a new team has none");
        let id = r
            .change(&n, now, "consent.record", |tx| {
                tx.record_consent(NewConsent {
                    given_on: day(10),
                    given_by: "本人".into(),
                    obtained_by: "ケアマネ 田中".into(),
                    scope: vec![ConsentScope::Team, ConsentScope::Family, ConsentScope::Team],
                })
            })
            .unwrap()
            .value;
        let rec = r.read().unwrap();
        assert!(rec.consent_on(day(9)).is_none());
        let (_, c) = rec.consent_on(day(20)).unwrap();
        assert_eq!(c.scope, vec![ConsentScope::Team, ConsentScope::Family]);
        assert_eq!(c.by, n.member);
        let later = day(25).start_jst();
        r.change(&n, later, "consent.withdraw", |tx| tx.withdraw_consent(id, day(24)))
            .unwrap();
        let rec = r.read().unwrap();
        assert!(rec.consent_on(day(23)).is_some());
        assert!(rec.consent_on(day(24)).is_none());
    }

    #[test]
    fn a_consent_needs_a_scope_and_a_past_date() {
        let c = NewConsent {
            given_on: day(10),
            given_by: "本人".into(),
            obtained_by: "佐藤".into(),
            scope: vec![],
        };
        assert_eq!(c.validate(day(20)).unwrap_err().field, "scope");
        let c = NewConsent {
            scope: vec![ConsentScope::Team],
            ..c
        };
        assert_eq!(c.validate(day(5)).unwrap_err().field, "given_on");
        assert!(c.validate(day(10)).is_ok());
    }
}
