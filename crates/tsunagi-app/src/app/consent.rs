//! The patient's consent to share: recorded (and withdrawn) from the record
//! screen, one change each.

use care_model::{CalendarDate, ConsentScope, EntryId, NewConsent};

use super::App;
use crate::error::{AppError, AppResult};
use crate::views::ConsentForm;

impl App {
    /// Records a consent; its id.
    pub fn record_consent(&self, team: &str, form: ConsentForm) -> AppResult<String> {
        let scope = form
            .scope
            .iter()
            .map(|s| s.parse::<ConsentScope>())
            .collect::<Result<Vec<_>, _>>()?;
        let consent = NewConsent {
            given_on: CalendarDate::parse("given_on", form.given_on.trim())?,
            given_by: form.given_by,
            obtained_by: form.obtained_by,
            scope,
        };
        let id = self.edit(team, "consent.record", |tx| tx.record_consent(consent))?;
        Ok(id.to_string())
    }

    /// Records that consent `id` was withdrawn on `on`.
    pub fn withdraw_consent(&self, team: &str, id: &str, on: &str) -> AppResult<()> {
        let id: EntryId = id
            .parse()
            .map_err(|_| AppError::new("invalid", format!("同意の ID ではありません / not a consent id: {id}")))?;
        let on = CalendarDate::parse("withdrawn_on", on.trim())?;
        self.edit(team, "consent.withdraw", |tx| tx.withdraw_consent(id, on))
    }
}
