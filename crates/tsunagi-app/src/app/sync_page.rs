//! The sync page: per team, what waits to go out and why.

use super::App;
use crate::error::AppResult;
use crate::views::*;

impl App {
    pub fn sync_page(&self) -> AppResult<SyncPage> {
        self.with(|store| {
            let sync = self.sync_view(store)?;
            let relay = store.relay()?;
            let me = *store.device_id().as_bytes();
            let mut teams = Vec::new();
            for t in store.teams()? {
                let fork = store.roster_fork(t.team)?;
                let roster = store.roster(t.team)?;
                let removed = roster.removed.contains_key(&me) && !roster.devices.contains_key(&me);
                let (reason, detail) = if removed {
                    ("removed", None)
                } else if fork.is_some() {
                    ("stopped", fork)
                } else if t.pending == 0 {
                    ("none", None)
                } else if relay.is_none() {
                    ("no-relay", None)
                } else if !sync.online {
                    ("unreachable", sync.last_error.clone())
                } else {
                    ("sending", None)
                };
                teams.push(SyncTeamView {
                    team: t.team.to_string(),
                    patient: t.patient_name.clone(),
                    pending: t.pending as u32,
                    waiting_since: store.oldest_unsent_at(t.team)?.map(|a| a.0),
                    last_synced: match &relay {
                        Some(r) => store.cursor(t.team, &r.url)?.synced_at,
                        None => None,
                    },
                    quarantined: store.quarantined(t.team)? as u32,
                    reason: reason.into(),
                    detail,
                });
            }
            // What waits first.
            teams.sort_by_key(|t| (t.pending == 0 && t.quarantined == 0, std::cmp::Reverse(t.pending)));
            Ok(SyncPage { sync, teams })
        })
    }
}
