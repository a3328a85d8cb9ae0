//! Wounds on the record screen: added, assessed with DESIGN-R 2020 (each
//! assessment appended), closed when healed. One change each.

use care_model::CalendarDate;

use super::{now, parse_entry, App};
use crate::error::AppResult;

impl App {
    /// Starts following a wound; its id.
    pub fn add_wound(&self, team: &str, site: &str, kind: &str, since: Option<String>) -> AppResult<String> {
        let kind: care_model::WoundKind = kind.parse()?;
        let since = match since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => CalendarDate::parse("since", d)?,
            None => now().date_jst(),
        };
        Ok(self
            .edit(team, "wound.add", |tx| tx.add_wound(site, kind, since))?
            .to_string())
    }

    /// Appends a DESIGN-R 2020 assessment; its id.
    pub fn assess_wound(
        &self,
        team: &str,
        wound: &str,
        scores: care_model::DesignR,
        note: Option<String>,
    ) -> AppResult<String> {
        let wound = parse_entry(wound)?;
        Ok(self
            .edit(team, "wound.assess", |tx| tx.assess_wound(wound, scores, note))?
            .to_string())
    }

    /// The wound healed or is no longer followed, today.
    pub fn close_wound(&self, team: &str, wound: &str) -> AppResult<()> {
        let wound = parse_entry(wound)?;
        let today = now().date_jst();
        self.edit(team, "wound.close", |tx| tx.close_wound(wound, today))
    }
}
