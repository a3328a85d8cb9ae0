//! Snapshots: a laptop new to a team starts from the relay's snapshot
//! instead of years of log, checks it against the log it claims to cover,
//! and offers a new one now and then.

use care_model::{DeviceId, Timestamp};
use care_store::{Cursor, Store};
use sync_proto::Envelope;

use super::{change_of, refused_reason, sender_of, store_err, TeamReport};
use crate::{RelayClient, SyncError};

/// A new snapshot is offered once the log has grown this much past the last.
const SNAPSHOT_EVERY: u64 = 200;

/// A laptop new to a team starts from the relay's snapshot: one envelope
/// instead of years of log. It is checked like any envelope (a member's
/// signature, the team key) and stored with the cursor it covers, in one
/// transaction. Returns how many changes it held.
pub(super) async fn from_snapshot(
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
pub(super) async fn offer_snapshot(
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

/// Checks a snapshot this laptop started the team from against the log it
/// claims to cover, once the record is open: every change in that log must
/// be in the record. A change the snapshot left out is taken from the log
/// (admitted like any other), and the snapshot's author is named in the
/// report and the log. Resumes where the last pass stopped.
pub(super) async fn check_snapshot(
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
