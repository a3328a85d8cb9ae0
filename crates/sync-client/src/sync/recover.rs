//! When the relay lost what it acknowledged (restored from a backup) or
//! holds envelopes damaged: this laptop sends again what it still holds.

use care_model::Timestamp;
use care_store::{Cursor, Store};
use sync_proto::Envelope;

use super::{change_of, pull, push, sender_of, store_err, TeamReport};
use crate::{RelayClient, SyncError};

/// The relay lost acknowledged envelopes after `kept` (all with 0): what
/// this laptop still holds (its own, and what it read from others) is sent
/// again, and the log is read from the start.
#[allow(clippy::too_many_arguments)]
pub(super) async fn recover(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    incarnation: &str,
    kept: u64,
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let requeued = store.requeue_lost(team, kept).map_err(store_err)?;
    tracing::warn!(%team, requeued, "the relay lost acknowledged envelopes (restored from a backup?); sending them again");
    push(store, client, team, now, report).await?;
    give_back(store, client, team, kept, report).await?;
    let fresh = Cursor {
        server_seq: 0,
        incarnation: Some(incarnation.to_string()),
        synced_at: None,
        chain: None,
    };
    store
        .apply_remote(team, relay_url, &[], &[], &fresh, now())
        .map_err(store_err)?;
    pull(store, client, relay_url, team, None, now, report).await
}

/// Envelopes the relay holds damaged (their signature fails there): this
/// laptop sends the genuine copies it holds, and takes again what it had
/// quarantined once the relay has it intact.
pub(super) async fn repair(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    damaged: &[u64],
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    for &seq in damaged {
        if let Some(bytes) = store.held_envelope(team, seq).map_err(store_err)? {
            let env = Envelope::parse(bytes).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            match client.append(&id, &env).await {
                Ok(_) => tracing::info!(%team, seq, "sent a genuine copy of a damaged envelope"),
                Err(SyncError::Refused { status, code, .. }) => {
                    tracing::warn!(%team, seq, status, %code, "the relay did not take the copy")
                }
                Err(e) => return Err(e),
            }
        }
    }
    let me = *store.device_id().as_bytes();
    for (row, seq, _) in store.repairable(team).map_err(store_err)? {
        if damaged.contains(&seq) {
            continue; // not repaired yet
        }
        let page = client.read(&id, seq - 1).await?;
        let Some((_, bytes)) = page.envelopes.into_iter().find(|(s, _)| *s == seq) else {
            continue;
        };
        let roster = store.roster(team).map_err(store_err)?;
        let opened = Envelope::parse(bytes).and_then(|env| {
            let epoch = env.header().epoch;
            let plain = sync_proto::open(
                &env,
                |d| roster.key_for(d, epoch),
                |epoch| store.team_key(team, epoch).ok().flatten(),
            )?;
            Ok((env, plain))
        });
        let Ok((env, plain)) = opened else { continue };
        if env.header().sender == me {
            store.release(row).map_err(store_err)?;
            continue;
        }
        let Ok((_, change)) = change_of(plain) else {
            continue;
        };
        let Some(sender) = sender_of(&roster, &env.header().sender) else {
            continue;
        };
        let cursor = store.cursor(team, relay_url).map_err(store_err)?;
        let applied = store
            .apply_remote(
                team,
                relay_url,
                &[care_store::Incoming { change, sender }],
                &[(seq, env)],
                &cursor,
                now(),
            )
            .map_err(store_err)?;
        if !applied.refused.is_empty() {
            continue; // intact, but breaks the rules: it stays quarantined
        }
        report.received += applied.added;
        store.release(row).map_err(store_err)?;
        report.quarantined = report.quarantined.saturating_sub(1);
        tracing::info!(%team, seq, "a quarantined envelope came back intact and was applied");
    }
    Ok(())
}

/// Gives a relay restored from an older backup the envelopes other members
/// sealed that this laptop read after `kept`: their authors may never
/// reconnect. The relay takes each once (idempotent on the envelope id) and
/// only if its sender's signature holds.
pub(super) async fn give_back(
    store: &mut Store,
    client: &RelayClient,
    team: care_model::TeamId,
    kept: u64,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    for bytes in store.relayed_since(team, kept).map_err(store_err)? {
        let env = Envelope::parse(bytes).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        match client.append(&id, &env).await {
            Ok(ack) if !ack.duplicate => report.given_back += 1,
            Ok(_) => {}
            // Its sender's seq is taken by another envelope there, or the
            // relay no longer takes that sender: others may hold it; go on.
            Err(SyncError::Refused { status, code, .. }) => {
                tracing::warn!(%team, status, %code, "the relay did not take back an envelope read earlier");
            }
            Err(e) => return Err(e),
        }
    }
    if report.given_back > 0 {
        tracing::warn!(%team, given_back = report.given_back, "gave the restored relay back what others wrote");
    }
    Ok(())
}
