//! The live loop shared by `tsunagi sync --watch` and the desktop app: a
//! push subscription for all teams, a catch-up pass on every (re)connect, a
//! pull of the named team on every push (pushes already queued are taken
//! together, so a burst costs one pass), and a push of local edits as soon as the owner nudges
//! (or within 2 s, for edits made by another process). While the relay is
//! unreachable it retries with exponential backoff (1 s to 60 s) and jitter.

use std::future::Future;
use std::time::Duration;

use care_model::Timestamp;
use care_store::Store;
use tokio::sync::Notify;

use crate::{sync_once, sync_teams, Events, PushEvent, RelayClient, SyncError, SyncReport};

/// What the loop tells its owner, as it happens.
#[derive(Debug)]
pub enum LiveEvent {
    /// Subscribed: pushes from other devices arrive live from now on.
    Online,
    /// The relay could not be reached (or no relay is set); retrying later.
    Offline(String),
    /// A sync pass finished; `teams` says what moved.
    Synced(SyncReport),
    /// A sync pass failed as a whole (the relay went away mid-pass).
    Failed(SyncError),
}

/// Runs until `stop` completes. `nudge` is notified after a local edit so it
/// goes out at once instead of at the next tick.
pub async fn watch<S: Future<Output = ()>>(
    store: &mut Store,
    now: impl Fn() -> Timestamp,
    nudge: &Notify,
    mut on: impl FnMut(LiveEvent),
    stop: S,
) -> Result<(), SyncError> {
    tokio::pin!(stop);
    let mut backoff = Duration::from_secs(1);
    loop {
        let relay = store.relay().map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let subscribed = match &relay {
            None => Err(SyncError::Unreachable("no relay set".into())),
            Some(_) => {
                // A pass first: it registers teams made here since the last
                // one, which the relay would otherwise leave out of the
                // subscription (or refuse with 404 if there is no other).
                match sync_once(store, &now).await {
                    Ok(r) => {
                        on(LiveEvent::Synced(r));
                        let teams = team_bytes(store)?;
                        if teams.is_empty() {
                            // Nothing to watch yet (a new laptop): the relay
                            // answered, so online; look again on a nudge or
                            // in a moment, when a team may have been made.
                            on(LiveEvent::Online);
                            tokio::select! {
                                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                                _ = nudge.notified() => {}
                                _ = &mut stop => return Ok(()),
                            }
                            continue;
                        }
                        // Made after the pass, so it starts at the relay that answered.
                        let client = RelayClient::of_store(store)?;
                        client.subscribe(&teams).await.map(|events| (events, teams))
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match subscribed {
            Ok((mut events, teams)) => {
                backoff = Duration::from_secs(1);
                on(LiveEvent::Online);
                // Catch up on what arrived between the first pass and the subscription.
                report(&mut on, sync_once(store, &now).await);
                let mut tick = tokio::time::interval(Duration::from_secs(2));
                loop {
                    tokio::select! {
                        event = tokio::time::timeout(Duration::from_secs(60), events.next()) => match event {
                            Ok(Ok(Some(event @ (PushEvent::Append { .. } | PushEvent::Lagged)))) => {
                                let (named, lagged) = drain(&mut events, event).await;
                                let result = if lagged {
                                    sync_once(store, &now).await
                                } else {
                                    let known = store.team_ids().map_err(|e| SyncError::BadAnswer(e.to_string()))?;
                                    let named: Vec<_> = known.into_iter().filter(|t| named.contains(t.as_bytes())).collect();
                                    sync_teams(store, &named, &now).await
                                };
                                report(&mut on, result);
                            }
                            Ok(Ok(Some(_))) => {}
                            // Closed, broken, or silent past the keep-alive: reconnect.
                            Ok(Ok(None)) | Ok(Err(_)) | Err(_) => break,
                        },
                        _ = nudge.notified() => {
                            report(&mut on, sync_once(store, &now).await);
                        }
                        _ = tick.tick() => {
                            if team_bytes(store)? != teams {
                                break; // a team was joined or created: subscribe again
                            }
                            let pending: u64 = store.teams().map_err(|e| SyncError::BadAnswer(e.to_string()))?.iter().map(|t| t.pending).sum();
                            if pending > 0 {
                                report(&mut on, sync_once(store, &now).await);
                            }
                        }
                        _ = &mut stop => return Ok(()),
                    }
                }
                RelayClient::forget_kept(store);
                on(LiveEvent::Offline("reconnecting".into()));
            }
            Err(e) => {
                RelayClient::forget_kept(store);
                on(LiveEvent::Offline(e.to_string()));
                let jitter = Duration::from_millis(now().0.rem_euclid(500) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(backoff + jitter) => {}
                    // A nudge (a new relay set, a saved visit) tries again now.
                    _ = nudge.notified() => {}
                    _ = &mut stop => return Ok(()),
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// The teams named by `first` and by every push already queued behind it,
/// and whether the relay said this subscriber lagged (then: every team).
async fn drain(events: &mut Events, first: PushEvent) -> (Vec<[u8; 16]>, bool) {
    let (mut named, mut lagged) = (Vec::new(), false);
    let mut next = Some(first);
    while let Some(event) = next {
        match event {
            PushEvent::Append { team, .. } if !named.contains(&team) => named.push(team),
            PushEvent::Lagged => lagged = true,
            _ => {}
        }
        next = match tokio::time::timeout(Duration::ZERO, events.next()).await {
            Ok(Ok(Some(e))) => Some(e),
            _ => None,
        };
    }
    (named, lagged)
}

fn report(on: &mut impl FnMut(LiveEvent), result: Result<SyncReport, SyncError>) {
    on(match result {
        Ok(r) => LiveEvent::Synced(r),
        Err(e) => LiveEvent::Failed(e),
    })
}

fn team_bytes(store: &Store) -> Result<Vec<[u8; 16]>, SyncError> {
    Ok(store
        .team_ids()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?
        .iter()
        .map(|t| *t.as_bytes())
        .collect())
}
