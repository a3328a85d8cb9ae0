//! Search across my patients, and keeping what a start and a search read
//! (each record's summary, the search index) up to date as changes arrive,
//! so neither waits for years of records to load.

use care_model::{TeamId, Timestamp};
use care_store::Store;

use super::{now, App};
use crate::error::AppResult;
use crate::views::*;

impl App {
    /// Patients by name or reading, notes, task titles and medication
    /// names containing `query` (kana in either script or width alike).
    pub fn search(&self, query: &str) -> AppResult<Vec<SearchHit>> {
        let started = std::time::Instant::now();
        let hits = self.with(|store| Ok(store.search(query, now())?))?;
        tracing::debug!(elapsed = ?started.elapsed(), hits = hits.len(), "search");
        Ok(hits.into_iter().map(search_hit).collect())
    }

    /// Rebuilds the summaries and search rows of `teams` in the background
    /// (the live loop calls it after a sync pass brought changes).
    pub fn index_later(&self, teams: Vec<TeamId>) {
        let Ok(mut slot) = self.indexer.lock() else { return };
        if let Some((tx, _)) = slot.as_ref() {
            if tx.send(teams.clone()).is_ok() {
                return;
            }
        }
        let (tx, rx) = std::sync::mpsc::channel::<Vec<TeamId>>();
        let mut store = match self.connect() {
            Ok(s) => s,
            Err(e) => return tracing::warn!(error = %e.message_en, "the indexer cannot open the store"),
        };
        let spawned = std::thread::Builder::new().name("indexer".into()).spawn(move || {
            while let Ok(mut batch) = rx.recv() {
                // Whatever queued meanwhile goes in the same pass.
                while let Ok(more) = rx.try_recv() {
                    batch.extend(more);
                }
                batch.sort();
                batch.dedup();
                for team in batch {
                    if let Err(e) = index(&mut store, team) {
                        tracing::info!(%team, error = %e, "could not index the team now; it is read when needed");
                    }
                }
            }
        });
        if let Ok(handle) = spawned {
            if tx.send(teams).is_ok() {
                *slot = Some((tx, handle));
            }
        }
    }
}

/// What Today and a search read of `team`, made now.
pub fn index(store: &mut Store, team: TeamId) -> Result<(), care_store::StoreError> {
    let since = Timestamp(now().0 - URGENT_WINDOW_MS);
    match store.summary(team, since) {
        Ok(_) | Err(care_store::StoreError::NotYetReceived(_)) => {}
        Err(e) => return Err(e),
    }
    store.refresh_search(team)
}
