//! Patients a member muted on this laptop (for herself, not synced): their
//! routine notes addressed to her stop notifying; urgent ones never do
//! (`care_model::notify`).

use care_model::TeamId;

use crate::{Store, StoreError};

const MUTED_KEY: &str = "muted_teams";

impl Store {
    pub fn muted(&self) -> Result<Vec<TeamId>, StoreError> {
        Ok(self
            .preference(MUTED_KEY)?
            .map(|v| v.split(',').filter_map(|t| t.parse().ok()).collect())
            .unwrap_or_default())
    }

    pub fn set_muted(&mut self, team: TeamId, on: bool) -> Result<(), StoreError> {
        let mut muted = self.muted()?;
        muted.retain(|t| *t != team);
        if on {
            muted.push(team);
        }
        let text: Vec<String> = muted.iter().map(|t| t.to_string()).collect();
        self.set_preference(MUTED_KEY, &text.join(","))
    }
}
