//! The patient's consent to share, as the record screen shows it: the one
//! in force, and every consent and withdrawal recorded.

use care_model::{CalendarDate, Consent, Record};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::ms;

/// A consent as recorded.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ConsentView {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub given_on: String,
    pub given_by: String,
    pub obtained_by: String,
    /// Scope codes (`team`, `family`, `hospital`, `photos`).
    pub scope: Vec<String>,
    pub withdrawn_on: Option<String>,
    /// Who recorded it, and when.
    pub recorded_by: String,
    pub at: i64,
    /// In force today.
    pub current: bool,
}

/// A consent as the form sends it.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct ConsentForm {
    /// A date as typed (2026-11-10, 令和8年11月10日, ...).
    pub given_on: String,
    pub given_by: String,
    pub obtained_by: String,
    pub scope: Vec<String>,
}

fn view(record: &Record, id: &str, c: &Consent, current: Option<&str>) -> ConsentView {
    ConsentView {
        id: id.to_string(),
        given_on: c.given_on.iso(),
        given_by: c.given_by.clone(),
        obtained_by: c.obtained_by.clone(),
        scope: c.scope.iter().map(|s| s.code().to_string()).collect(),
        withdrawn_on: c.withdrawn_on.map(|d| d.iso()),
        recorded_by: record.member_name(&c.by).unwrap_or("?").to_string(),
        at: ms(c.at),
        current: current == Some(id),
    }
}

/// Every consent of the record, newest first.
pub fn consent_views(record: &Record, today: CalendarDate) -> Vec<ConsentView> {
    let current = record.consent_on(today).map(|(id, _)| id);
    let mut v: Vec<ConsentView> = record
        .consents
        .iter()
        .map(|(id, c)| view(record, id, c, current))
        .collect();
    v.sort_by(|a, b| (&b.given_on, b.at).cmp(&(&a.given_on, a.at)));
    v
}
