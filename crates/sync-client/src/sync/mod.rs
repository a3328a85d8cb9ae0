//! One pass of the sync loop, per team:
//! 1. send membership ops made here (a new team's genesis, a join);
//! 2. read the log after the stored cursor (for a quiet team, the only
//!    request of the pass); its headers say whether the roster changed;
//! 3. only if it did: read the roster from the relay and verify it;
//! 4. push the outbox, removing each entry only once the relay acknowledged it;
//! 5. verify and decrypt each envelope read (quarantine what fails, without
//!    stopping), reading on while there is more; store the changes and the
//!    new cursor in one transaction.
//!
//! A relay that lost acknowledged envelopes (restored from a backup) is
//! noticed by its incarnation or by a log that ends before the cursor or
//! before an envelope it acknowledged to this laptop; this
//! laptop then sends again what it wrote and what it read from others (each
//! kept 30 days), so nothing is lost while any laptop still holds it.
//!
//! Every step is idempotent, so a pass cut off anywhere is safely repeated.

use care_model::{ChangeBytes, Timestamp};
use care_store::{Cursor, Store};
use sync_proto::Envelope;

use crate::{RelayClient, SyncError};

mod recover;
mod snapshot;

use recover::{recover, repair};
use snapshot::{check_snapshot, from_snapshot, offer_snapshot};

/// What one pass did for one team.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TeamReport {
    pub team: String,
    pub pushed: usize,
    pub received: usize,
    pub quarantined: usize,
    /// This laptop started the team from the relay's snapshot covering the
    /// log up to this seq.
    pub from_snapshot: Option<u64>,
    /// This laptop was taken off the team (a signed roster op says so) and
    /// had nothing unsent, so the team was deleted from it.
    pub removed: bool,
    /// Changes refused because they break the record's rules (who sent
    /// each, and why): they are quarantined and the rest goes on.
    pub refused: Vec<String>,
    /// Envelopes other members wrote, given back to a relay that lost them
    /// (restored from an older backup).
    pub given_back: usize,
    /// Why this team could not sync this time, in plain words.
    pub error: Option<String>,
    /// Attached files sent to the relay, and thumbnails fetched from it.
    pub files_sent: usize,
    pub thumbnails_received: usize,
    /// Why an attached file was not sent (it stays on this laptop).
    pub files_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub teams: Vec<TeamReport>,
}

/// Syncs every team of `store` with its relay once.
pub async fn sync_once(store: &mut Store, now: impl Fn() -> Timestamp) -> Result<SyncReport, SyncError> {
    let teams = store.team_ids().map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let report = sync_teams(store, &teams, &now).await?;
    // A full pass is when an admin's laptop ends the family's access that
    // is due (best effort: the next pass tries again).
    if let Err(e) = crate::device::end_family_access(store, &now).await {
        tracing::info!(error = %e, "family access not ended now");
    }
    Ok(report)
}

/// Syncs these teams of `store` once: after a push names a team, only that
/// team needs a pass.
pub async fn sync_teams(
    store: &mut Store,
    teams: &[care_model::TeamId],
    now: impl Fn() -> Timestamp,
) -> Result<SyncReport, SyncError> {
    let relay = store
        .relay()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?
        .ok_or_else(|| SyncError::Unreachable("no relay set".into()))?;
    let client = RelayClient::for_relay(&relay, store)?;
    let mut report = SyncReport::default();
    for &team in teams {
        let mut t = TeamReport {
            team: team.to_string(),
            ..Default::default()
        };
        if let Err(e) = sync_team(store, &client, &relay.url, team, &now, &mut t).await {
            tracing::info!(%team, error = %e, "team did not sync");
            t.error = Some(e.to_string());
            report.teams.push(t);
            // An unreachable relay will not answer for the next team either.
            if matches!(e, SyncError::Unreachable(_)) {
                RelayClient::forget_kept(store);
                return Err(e);
            }
            continue;
        }
        report.teams.push(t);
        remember_address(store, &client, &relay);
        // The relay countersigns this device's access-log chains, so
        // deleting entries later is detected. Never fails a sync.
        if let Err(e) = checkpoint_audit(store, &client, team, team == teams[0]).await {
            tracing::info!(%team, error = %e, "audit checkpoint not taken now");
        }
    }
    Ok(report)
}

/// Keeps the address that answered, so the next pass (and the live push)
/// starts there instead of waiting on a relay that is gone.
pub(crate) fn remember_address(store: &Store, client: &RelayClient, relay: &care_store::RelaySettings) {
    let now = client.address();
    if relay.addresses().first().map(String::as_str) != Some(now) {
        tracing::info!(relay = now, "moved to another relay");
        if let Err(e) = store.set_relay_active(now) {
            tracing::warn!(error = %e, "could not remember the relay in use");
        }
    }
}

/// Sends this device's chain head for `team` (and, once per pass, for its
/// device events) to be countersigned, and keeps the answers.
async fn checkpoint_audit(
    store: &mut Store,
    client: &RelayClient,
    team: care_model::TeamId,
    with_device_chain: bool,
) -> Result<(), SyncError> {
    let me = *store.device_id().as_bytes();
    let heads = store.audit_heads().map_err(store_err)?;
    for (scope, seq, head) in heads {
        let wanted = match scope {
            Some(s) => s == team,
            None => with_device_chain,
        };
        if !wanted {
            continue;
        }
        let c = client
            .audit_checkpoint(team.as_bytes(), &me, scope.as_ref().map(|s| s.as_bytes()), seq, &head)
            .await?;
        store.save_checkpoint(&c).map_err(store_err)?;
    }
    Ok(())
}

fn store_err(e: care_store::StoreError) -> SyncError {
    SyncError::BadAnswer(format!("local store: {e}"))
}

/// Takes the relay's roster, which must extend the one it showed before (a
/// hash chain: an op this laptop saw cannot vanish or change).
async fn refresh_roster(store: &mut Store, client: &RelayClient, team: care_model::TeamId) -> Result<(), SyncError> {
    let mut ops = client.members(team.as_bytes()).await?;
    let before = store.received_roster(team).map_err(store_err)?;
    let mut after = sync_proto::Roster::replay_ops(team.as_bytes(), &ops);
    if !after.extends(&before) && before.extends(&after) {
        // Only shorter: a relay put back from a backup that lacks the last
        // ops. They are signed; give them back, in order.
        let known = store.received_roster_ops(team).map_err(store_err)?;
        tracing::warn!(%team, lost = known.len().saturating_sub(ops.len()), "the relay lost roster ops; giving them back");
        for op in known.iter().skip(ops.len()) {
            client.add_member(team.as_bytes(), &op.op).await?;
        }
        ops = client.members(team.as_bytes()).await?;
        after = sync_proto::Roster::replay_ops(team.as_bytes(), &ops);
    }
    if !after.extends(&before) {
        return Err(fork(
            store,
            team,
            "the relay's roster no longer holds ops it showed this laptop before",
        )?);
    }
    store.set_roster(team, &ops).map_err(store_err)?;
    Ok(())
}

/// Stops syncing `team` for `reason` and says so.
fn fork(store: &Store, team: care_model::TeamId, reason: &str) -> Result<SyncError, SyncError> {
    store.mark_roster_fork(team, reason).map_err(store_err)?;
    Ok(SyncError::RosterFork(reason.to_string()))
}

/// The roster head a `Changes` payload names, and its change.
fn change_of(plain: Vec<u8>) -> Result<(Option<sync_proto::RosterHead>, ChangeBytes), String> {
    let (head, change) = sync_proto::split_roster_head(&plain).map_err(|e| e.to_string())?;
    let change = ChangeBytes::parse(change.to_vec()).map_err(|e| format!("not an automerge change: {e}"))?;
    Ok((head, change))
}

/// Who sealed an envelope (or, in a snapshot, wrote a change), as the signed
/// roster says: the device and the member it belongs to.
fn sender_of(roster: &sync_proto::Roster, device: &[u8; 16]) -> Option<care_model::Sender> {
    let named = roster.member_of(device)?;
    let member: care_model::MemberId = named.parse().ok()?;
    // One spelling only: the roster compares member ids as text, so an id
    // spelled otherwise (upper case, hyphens) would be another member there
    // and the same one here.
    if member.to_string() != named {
        return None;
    }
    Some(care_model::Sender {
        device: care_model::DeviceId::from_bytes(*device),
        member,
        admin: roster.is_admin_device(device),
        family: roster.is_family_device(device),
    })
}

/// A refused change, described for the quarantine and the team: who sent
/// it and why (never its content).
fn refused_reason(sender: &care_model::Sender, refusal: &care_model::Refusal) -> String {
    format!(
        "refused a change from device {} (member {}): {refusal}",
        sender.device, sender.member
    )
}

/// Read, membership if it changed, push, then the rest of the pull. If the
/// relay lost acknowledged envelopes (a new incarnation, or a log that ends
/// before what this laptop has seen or was acknowledged: it was restored from
/// a backup), what this laptop still holds is re-queued and sent again, and
/// the log is re-read from the start.
async fn sync_team(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    if let Some(reason) = store.roster_fork(team).map_err(store_err)? {
        return Err(SyncError::RosterFork(reason));
    }
    let mut sent_ops = false;
    for (_, op) in store.unsent_roster_ops(team).map_err(store_err)? {
        client.add_member(&id, &op).await?;
        sent_ops = true;
    }
    let cursor = store.cursor(team, relay_url).map_err(store_err)?;
    let probe = match client.read(&id, cursor.server_seq).await {
        Ok(page) => Some(page),
        // Proof is in the roster, which the relay still shows a removed device.
        Err(SyncError::Refused { status: 403, code, .. }) if code == "removed" => None,
        Err(e) => return Err(e),
    };
    let known = store.roster_ops_received(team).map_err(store_err)?;
    if sent_ops || probe.as_ref().is_none_or(|p| p.roster_ops != Some(known)) {
        refresh_roster(store, client, team).await?;
        let roster = store.roster(team).map_err(store_err)?;
        if roster.was_removed(store.signing_key().verifying_key().as_bytes()) {
            let unsent = store.pending(team).map_err(store_err)?;
            if unsent > 0 {
                return Err(SyncError::Removed { unsent });
            }
            store.forget_team(team).map_err(store_err)?;
            tracing::warn!(%team, "this device was removed from the team; its copy was deleted");
            report.removed = true;
            return Ok(());
        }
    }
    let probe = probe.ok_or_else(|| SyncError::Refused {
        status: 403,
        code: "removed".into(),
        message: "the relay says this device was removed, but the signed roster does not".into(),
    })?;
    // A new incarnation (the database was put back), or a log whose running
    // hash at our cursor is not the one we read there (the whole data
    // directory was put back, incarnation file and all).
    let restored = cursor.incarnation.as_deref().is_some_and(|i| i != probe.incarnation)
        || matches!((&cursor.chain, &probe.chain_after), (Some(mine), Some(theirs)) if mine != theirs);
    let seen = cursor.server_seq.max(store.highest_acked(team).map_err(store_err)?);
    if restored || probe.high_water < seen {
        let kept = if restored { 0 } else { probe.high_water };
        return recover(store, client, relay_url, team, &probe.incarnation, kept, now, report).await;
    }
    // Files before the changes that name them.
    match crate::files::send_files(store, client, team).await {
        Ok(n) => report.files_sent = n,
        Err(e @ SyncError::Unreachable(_)) => return Err(e),
        Err(e) => {
            tracing::warn!(%team, error = %e, "an attached file was not sent");
            report.files_error = Some(e.to_string());
        }
    }
    push(store, client, team, now, report).await?;
    repair(store, client, relay_url, team, &probe.damaged, now, report).await?;
    let (high_water, snapshot) = (probe.high_water, probe.snapshot);
    let mut first = Some(probe);
    if cursor.server_seq == 0 && snapshot > 0 && !store.has_record(team).map_err(store_err)? {
        let incarnation = first.as_ref().map(|p| p.incarnation.clone());
        match from_snapshot(store, client, relay_url, team, incarnation, now).await {
            Ok(n) => {
                report.received += n;
                report.from_snapshot = Some(store.cursor(team, relay_url).map_err(store_err)?.server_seq);
                first = None; // read on from where the snapshot ends
            }
            Err(e) => tracing::warn!(%team, error = %e, "the relay's snapshot is unusable; reading the whole log"),
        }
    }
    match pull(store, client, relay_url, team, first, now, report).await {
        // Another envelope where the relay had acknowledged one of ours:
        // the whole log was put back and written past.
        Err(SyncError::LogRewritten { incarnation }) => {
            return recover(store, client, relay_url, team, &incarnation, 0, now, report).await;
        }
        other => other?,
    }
    let received = report.received > 0 || report.from_snapshot.is_some();
    report.thumbnails_received = crate::files::fetch_thumbnails(store, client, team, received, now()).await?;
    // In the background: the pass that started from a snapshot opens the
    // record at once; the next ones check it.
    if report.from_snapshot.is_none() {
        check_snapshot(store, client, relay_url, team, now, report).await?;
    }
    offer_snapshot(store, client, relay_url, team, high_water, snapshot).await;
    Ok(())
}

/// Sends the outbox in order; each entry stops being pending only on the
/// relay's acknowledgement.
async fn push(
    store: &mut Store,
    client: &RelayClient,
    team: care_model::TeamId,
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    // This laptop's access-log entries about the team go along, sealed.
    store.seal_audit(team, now()).map_err(store_err)?;
    for item in store.outbox(team).map_err(store_err)? {
        let env = Envelope::parse(item.envelope).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let ack = client.append(&id, &env).await?;
        store.acknowledge(item.id, ack.seq, now()).map_err(store_err)?;
        if env.header().kind != sync_proto::PayloadKind::Audit {
            report.pushed += 1;
        }
    }
    Ok(())
}

/// Reads the log after the cursor, page by page (starting with `first` if
/// it was read already): verifies and decrypts each envelope, quarantines
/// what fails, stores changes and cursor together.
async fn pull(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    mut first: Option<crate::Page>,
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let id = *team.as_bytes();
    // Replaying the roster checks every membership signature: only when
    // something arrived.
    let mut roster = None;
    let mut cursor = store.cursor(team, relay_url).map_err(store_err)?;
    let me = *store.device_id().as_bytes();
    let mut stored = false;
    loop {
        let page = match first.take() {
            Some(page) => page,
            None => client.read(&id, cursor.server_seq).await?,
        };
        let Some(&(last, _)) = page.envelopes.last() else { break };
        // Another device's envelope where the relay acknowledged one of
        // ours (a damaged copy of ours is the repair's business).
        let ours: std::collections::HashSet<u64> = store
            .acked_after(team, cursor.server_seq)
            .map_err(store_err)?
            .into_iter()
            .collect();
        let rewritten = page
            .envelopes
            .iter()
            .any(|(seq, bytes)| ours.contains(seq) && sync_proto::Header::decode(bytes).is_ok_and(|h| h.sender != me));
        if rewritten {
            return Err(SyncError::LogRewritten {
                incarnation: page.incarnation.clone(),
            });
        }
        let mut r = match roster.take() {
            Some(r) => r,
            None => store.roster(team).map_err(store_err)?,
        };
        // An envelope from a later key epoch than this laptop's roster knows
        // means a removal it has not seen: fetch the roster; if the relay
        // still shows none, it hides one from this laptop.
        let newest_epoch = page
            .envelopes
            .iter()
            .filter_map(|(_, b)| sync_proto::Header::decode(b).ok())
            .filter(|h| h.sender != me)
            .map(|h| h.epoch)
            .max()
            .unwrap_or(0);
        if newest_epoch > r.epoch {
            refresh_roster(store, client, team).await?;
            r = store.roster(team).map_err(store_err)?;
            if newest_epoch > r.epoch {
                return Err(fork(
                    store,
                    team,
                    "another member writes under a key epoch whose removal the relay does not show this laptop",
                )?);
            }
        }
        let (mut changes, mut relayed) = (Vec::new(), Vec::new());
        let mut refreshed = false;
        for (seq, bytes) in page.envelopes {
            let opened = Envelope::parse(bytes.clone()).and_then(|env| {
                if env.header().sender == me {
                    return Ok(None);
                }
                let epoch = env.header().epoch;
                // A removed device's envelope only from before its removal.
                sync_proto::open(
                    &env,
                    |d| r.key_at(d, epoch, seq),
                    |epoch| store.team_key(team, epoch).ok().flatten(),
                )
                .map(|plain| Some((env, plain)))
            });
            // Another member's access log: kept for the team's admins, not
            // applied to the record. Entries not signed by the envelope's
            // device, or about another team, are dropped and counted.
            let opened = match opened {
                Ok(Some((env, plain))) if env.header().kind == sync_proto::PayloadKind::Audit => {
                    let h = *env.header();
                    let entries: Vec<sync_proto::AuditEntry> = serde_json::from_slice(&plain).unwrap_or_default();
                    if let Some(key) = r.key_at(&h.sender, h.epoch, seq) {
                        let (_, refused) = store.receive_audit(team, &key, h.sender, &entries).map_err(store_err)?;
                        if refused > 0 {
                            tracing::warn!(%team, refused, "audit entries not signed by their sender were dropped");
                        }
                    }
                    continue;
                }
                other => other,
            };
            match opened.map(|p| p.map(|(env, plain)| (env, change_of(plain)))) {
                Ok(None) => {}
                Ok(Some((env, Ok((head, change))))) => {
                    // The roster the writer was on must be this one up to
                    // its length (a longer one, once fetched, too). If not,
                    // either the relay shows members different rosters or
                    // the writer sealed a false head: its envelope is set
                    // aside, naming it, and the rest goes on.
                    if let Some((n, theirs)) = head {
                        if r.head_at(n).is_none() && !refreshed {
                            refreshed = true;
                            refresh_roster(store, client, team).await?;
                            r = store.roster(team).map_err(store_err)?;
                        }
                        if r.head_at(n) != Some(theirs) {
                            let reason = format!(
                                "device {} wrote on a roster the relay does not show this laptop (the relay shows members different rosters, or the device sealed a false one)",
                                hex::encode(env.header().sender)
                            );
                            store.quarantine(team, seq, &reason, &bytes, now()).map_err(store_err)?;
                            report.quarantined += 1;
                            report.refused.push(reason);
                            continue;
                        }
                    }
                    let Some(sender) = sender_of(&r, &env.header().sender) else {
                        let reason = "its sender names no member this laptop can read".to_string();
                        store.quarantine(team, seq, &reason, &bytes, now()).map_err(store_err)?;
                        report.quarantined += 1;
                        continue;
                    };
                    changes.push(care_store::Incoming { change, sender });
                    relayed.push((seq, env));
                }
                Ok(Some((_, Err(e)))) => {
                    store.quarantine(team, seq, &e, &bytes, now()).map_err(store_err)?;
                    report.quarantined += 1;
                }
                Err(e) => {
                    store
                        .quarantine(team, seq, &e.to_string(), &bytes, now())
                        .map_err(store_err)?;
                    report.quarantined += 1;
                    // Maybe a damaged copy of a genuine envelope: if the
                    // relay agrees, it asks holders for theirs.
                    if let Ok(true) = client.report_damaged(&id, seq).await {
                        store.mark_repairable(team, seq).map_err(store_err)?;
                    }
                }
            }
        }
        roster = Some(r);
        cursor = Cursor {
            server_seq: last,
            incarnation: Some(page.incarnation.clone()),
            synced_at: None,
            chain: page.chain_end.clone(),
        };
        let applied = store
            .apply_remote(team, relay_url, &changes, &relayed, &cursor, now())
            .map_err(store_err)?;
        stored = true;
        report.received += applied.added;
        for (i, refusal) in &applied.refused {
            let (seq, env) = &relayed[*i];
            let reason = refused_reason(&changes[*i].sender, refusal);
            store
                .quarantine(team, *seq, &reason, env.bytes(), now())
                .map_err(store_err)?;
            report.quarantined += 1;
            report.refused.push(reason);
        }
        if last >= page.high_water {
            break;
        }
    }
    // Record the time of a completed pass even when nothing new came (a
    // page stored above recorded it with its cursor).
    if !stored {
        store
            .apply_remote(team, relay_url, &[], &[], &cursor, now())
            .map_err(store_err)?;
    }
    Ok(())
}
