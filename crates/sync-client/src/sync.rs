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

use care_model::{ChangeBytes, DeviceId, Timestamp};
use care_store::{Cursor, Store};
use sync_proto::Envelope;

use crate::{RelayClient, SyncError};

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

/// Checks a snapshot this laptop started the team from against the log it
/// claims to cover, once the record is open: every change in that log must
/// be in the record. A change the snapshot left out is taken from the log
/// (admitted like any other), and the snapshot's author is named in the
/// report and the log. Resumes where the last pass stopped.
async fn check_snapshot(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    now: &impl Fn() -> Timestamp,
    report: &mut TeamReport,
) -> Result<(), SyncError> {
    let Some(check) = store.snapshot_check(team).map_err(store_err)? else {
        return Ok(());
    };
    let id = *team.as_bytes();
    let me = *store.device_id().as_bytes();
    let roster = store.roster(team).map_err(store_err)?;
    // From the start each time: every change of the snapshot must be found
    // in the log, so the whole covered log is read in one pass.
    let mut next = 1;
    let mut missing_total = 0;
    let mut in_log = std::collections::HashSet::new();
    let mut complete = false;
    while next <= check.covers {
        let page = client.read(&id, next - 1).await?;
        let Some(&(page_end, _)) = page.envelopes.last() else {
            // The log ends before what the snapshot claimed (a restored
            // relay): nothing more to compare.
            store
                .advance_snapshot_check(team, check.covers + 1, 0)
                .map_err(store_err)?;
            break;
        };
        let mut missing = Vec::new();
        for (seq, bytes) in page.envelopes.into_iter().filter(|(seq, _)| *seq <= check.covers) {
            // What does not open is the pull's business (quarantine); here
            // only what a member truly wrote is compared.
            let Ok(env) = Envelope::parse(bytes) else { continue };
            let h = *env.header();
            if h.sender == me || h.kind != sync_proto::PayloadKind::Changes {
                continue;
            }
            let opened = sync_proto::open(
                &env,
                |d| roster.key_at(d, h.epoch, seq),
                |epoch| store.team_key(team, epoch).ok().flatten(),
            );
            let Ok((_, change)) = opened.map_err(|e| e.to_string()).and_then(change_of) else {
                continue;
            };
            in_log.insert(change.hash);
            if !store.record(team).map_err(store_err)?.has_change(&change.hash) {
                if let Some(sender) = sender_of(&roster, &h.sender) {
                    missing.push(care_store::Incoming { change, sender });
                }
            }
        }
        let found = missing.len() as u64;
        if found > 0 {
            let cursor = store.cursor(team, relay_url).map_err(store_err)?;
            let applied = store
                .apply_remote(team, relay_url, &missing, &[], &cursor, now())
                .map_err(store_err)?;
            report.received += applied.added;
            for (i, refusal) in &applied.refused {
                report.refused.push(refused_reason(&missing[*i].sender, refusal));
            }
        }
        missing_total += found;
        next = page_end.min(check.covers) + 1;
        complete = next > check.covers;
        store.advance_snapshot_check(team, next, found).map_err(store_err)?;
    }
    // What the snapshot holds that the log never did: changes its author
    // made up (any device's name can be put on a change in a snapshot).
    let added: std::collections::HashSet<[u8; 32]> =
        check.hashes.iter().filter(|h| !in_log.contains(*h)).copied().collect();
    if complete && !added.is_empty() {
        // The copy is made again without them (and what was built on them).
        let left_out = store.rebuild_without(team, &added).map_err(store_err)?;
        let reason = format!(
            "the relay's snapshot by device {} holds {} change(s) that are not in the log; this laptop's copy was made again without them ({left_out} left out): tell an admin",
            check.author,
            added.len()
        );
        tracing::warn!(%team, author = %check.author, added = added.len(), "a snapshot holds changes not in the log");
        store.quarantine(team, 0, &reason, &[], now()).map_err(store_err)?;
        report.quarantined += 1;
        report.refused.push(reason);
    }
    if missing_total + check.missing > 0 {
        let reason = format!(
            "the relay's snapshot by device {} left out {} change(s) of the log it claimed to cover; they were read from the log",
            check.author,
            missing_total + check.missing
        );
        tracing::warn!(%team, author = %check.author, missing = missing_total + check.missing, "a snapshot left out changes");
        report.refused.push(reason);
    }
    Ok(())
}

/// The relay lost acknowledged envelopes after `kept` (all with 0): what
/// this laptop still holds (its own, and what it read from others) is sent
/// again, and the log is read from the start.
#[allow(clippy::too_many_arguments)]
async fn recover(
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

/// A new snapshot is offered once the log has grown this much past the last.
const SNAPSHOT_EVERY: u64 = 200;

/// A laptop new to a team starts from the relay's snapshot: one envelope
/// instead of years of log. It is checked like any envelope (a member's
/// signature, the team key) and stored with the cursor it covers, in one
/// transaction. Returns how many changes it held.
async fn from_snapshot(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    incarnation: Option<String>,
    now: &impl Fn() -> Timestamp,
) -> Result<usize, SyncError> {
    let bad = |e: String| SyncError::BadAnswer(format!("snapshot: {e}"));
    let Some(bytes) = client.snapshot(team.as_bytes()).await? else {
        return Ok(0);
    };
    let env = Envelope::parse(bytes).map_err(|e| bad(e.to_string()))?;
    let h = *env.header();
    if h.kind != sync_proto::PayloadKind::Snapshot || h.team != *team.as_bytes() {
        return Err(bad("not a snapshot of this team".into()));
    }
    let roster = store.roster(team).map_err(store_err)?;
    let plain = sync_proto::open(
        &env,
        |d| roster.key_for(d, h.epoch),
        |epoch| store.team_key(team, epoch).ok().flatten(),
    )
    .map_err(|e| bad(e.to_string()))?;
    // Checked whole by what it holds (one load), not change by change.
    // A whole record is for the team's members to vouch for, not family.
    if roster.is_family_device(&h.sender) {
        return Err(bad("sealed by a family member's laptop".into()));
    }
    let record = care_model::CareRecord::admit_whole(
        &plain,
        roster.creator.map(DeviceId::from_bytes),
        |d| sender_of(&roster, d.as_bytes()).map(|s| s.member),
        |m| roster.family.contains(&m.to_string()),
    )
    .map_err(|e| bad(format!("it breaks the record's rules: {e}")))?;
    let changes = record.changes();
    let cursor = Cursor {
        server_seq: h.sender_seq,
        incarnation,
        synced_at: None,
        chain: None,
    };
    // Trusted no further than checked: the log it covers is read after
    // (see `check_snapshot`), so a snapshot that leaves an entry out hides
    // it only until then.
    let hashes: Vec<[u8; 32]> = changes.iter().map(|c| c.hash).collect();
    store
        .begin_snapshot_check(team, h.sender_seq, &hex::encode(h.sender), &hashes)
        .map_err(store_err)?;
    tracing::info!(%team, covers = h.sender_seq, changes = changes.len(), "started from the relay's snapshot");
    store
        .apply_remote_admitted(team, relay_url, &changes, &cursor, now())
        .map_err(store_err)
}

/// Offers the relay a snapshot of this laptop's record when the log has
/// grown well past the relay's last one, and this laptop has read all of it
/// with nothing quarantined (so the snapshot holds every change it covers).
/// Best effort: a failure only means the next laptop reads more log.
async fn offer_snapshot(
    store: &mut Store,
    client: &RelayClient,
    relay_url: &str,
    team: care_model::TeamId,
    high_water: u64,
    snapshot: u64,
) {
    let result = async {
        // The relay takes no snapshot from a family member's laptop.
        if store
            .roster(team)
            .map_err(store_err)?
            .is_family_device(store.device_id().as_bytes())
        {
            return Ok(false);
        }
        let covers = store.cursor(team, relay_url).map_err(store_err)?.server_seq;
        if covers < high_water || covers < snapshot + SNAPSHOT_EVERY || store.quarantined(team).map_err(store_err)? > 0
        {
            return Ok(false);
        }
        let plain = store.record(team).map_err(store_err)?.save();
        let (epoch, key) = store.latest_team_key(team).map_err(store_err)?;
        let header = sync_proto::Header {
            kind: sync_proto::PayloadKind::Snapshot,
            team: *team.as_bytes(),
            epoch,
            sender: *store.device_id().as_bytes(),
            sender_seq: covers,
        };
        let env = sync_proto::seal(&key, store.signing_key(), header, &plain)
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        client.put_snapshot(team.as_bytes(), &env).await
    }
    .await;
    match result {
        Ok(true) => tracing::info!(%team, "offered a snapshot; the relay kept it"),
        Ok(false) => {}
        Err(e) => tracing::info!(%team, error = %e, "could not offer a snapshot"),
    }
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

/// Envelopes the relay holds damaged (their signature fails there): this
/// laptop sends the genuine copies it holds, and takes again what it had
/// quarantined once the relay has it intact.
async fn repair(
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
async fn give_back(
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
