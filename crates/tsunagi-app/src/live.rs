//! The live sync loop of the app: sync-client's `watch` on a thread of its
//! own, with its own store connection, reporting to the window through a
//! callback (Tauri events in `main.rs`, a channel in tests).

use std::sync::Arc;

use sync_client::LiveEvent;

use crate::app::{now, App};

/// What the window needs to hear.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// Online state, pending count or last sync time changed.
    Status,
    /// These teams received changes from other devices.
    Changed(Vec<String>),
    /// This laptop was removed from this many teams; their data was erased.
    Removed(usize),
}

/// Starts the loop once a profile exists and keeps it running for the life of
/// the process.
pub fn spawn(app: Arc<App>, emit: impl Fn(Update) + Send + 'static) {
    std::thread::Builder::new()
        .name("live-sync".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the sync runtime; working offline");
                    return;
                }
            };
            runtime.block_on(run(app, emit));
        })
        .expect("spawn the live-sync thread");
}

async fn run(app: Arc<App>, emit: impl Fn(Update)) {
    loop {
        // Nothing to sync before the profile is made or unlocked.
        if !app.has_key() {
            app.profile_ready.notified().await;
            continue;
        }
        let mut store = match app.connect() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e.message_en, "live sync cannot open the store; working offline");
                return;
            }
        };
        let set = |online: bool, error: Option<String>| {
            if let Ok(mut l) = app.live.lock() {
                l.online = online;
                l.last_error = error;
            }
        };
        let result = sync_client::watch(
            &mut store,
            now,
            &app.nudge,
            |event| match event {
                LiveEvent::Online => {
                    set(true, None);
                    emit(Update::Status);
                }
                LiveEvent::Offline(why) => {
                    tracing::info!(reason = %why, "offline");
                    set(false, Some(why));
                    emit(Update::Status);
                }
                LiveEvent::Synced(report) => {
                    let changed: Vec<String> = report
                        .teams
                        .iter()
                        .filter(|t| t.received > 0 || t.removed)
                        .map(|t| t.team.clone())
                        .collect();
                    let error = report.teams.iter().find_map(|t| t.error.clone());
                    let removed = report.teams.iter().filter(|t| t.removed).count();
                    if removed > 0 {
                        emit(Update::Removed(removed));
                    }
                    if let Ok(mut l) = app.live.lock() {
                        l.last_error = error;
                    }
                    if !changed.is_empty() {
                        // Summaries and the search index are made now, not
                        // at the next start or search.
                        app.index_later(changed.iter().filter_map(|t| t.parse().ok()).collect());
                        emit(Update::Changed(changed));
                    }
                    emit(Update::Status);
                }
                LiveEvent::Failed(e) => {
                    tracing::info!(error = %e, "sync pass failed");
                    set(false, Some(e.to_string()));
                    emit(Update::Status);
                }
            },
            std::future::pending::<()>(),
        )
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "live sync stopped; restarting in 5 s");
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    }
}
