//! `tsunagi audit`: the access log (who opened, changed, printed what, every
//! unlock and lock), and `tsunagi audit verify`: every chain's signatures and
//! links, and this device's chains against what the relay countersigned.

use std::collections::HashMap;

use anyhow::{bail, Result};
use care_store::audit::AuditFilter;
use care_store::Store;
use serde_json::json;

use crate::cli::{AuditArgs, AuditCommand, Cli};
use crate::{now, open, print_json};

pub(crate) fn run(cli: &Cli, a: &AuditArgs) -> Result<()> {
    match a.command {
        Some(AuditCommand::Verify) => verify(cli),
        None => list(cli, a),
    }
}

fn day(field: &'static str, s: &str) -> Result<i64> {
    Ok(care_model::CalendarDate::parse(field, s)?.start_jst().0)
}

fn names(store: &mut Store) -> Result<(HashMap<String, String>, HashMap<String, String>)> {
    let mut members = HashMap::new();
    let mut patients = HashMap::new();
    for t in store.teams()? {
        patients.insert(t.team.to_string(), t.patient_name.clone());
        if let Ok(r) = store.summary(t.team, now()) {
            for (id, m) in &r.members {
                members.insert(id.clone(), m.name.clone());
            }
        }
    }
    members.insert(store.device().member.to_string(), store.device().profile.name.clone());
    Ok((members, patients))
}

fn list(cli: &Cli, a: &AuditArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = a.team.as_deref().map(|t| store.resolve_team(t)).transpose()?;
    let filter = AuditFilter {
        team,
        member: a.member.clone(),
        from: a.from.as_deref().map(|d| day("from", d)).transpose()?,
        until: a
            .until
            .as_deref()
            .map(|d| day("until", d).map(|t| t + 86_400_000))
            .transpose()?,
        limit: None,
    };
    let rows = store.audit_rows(&filter)?;
    let (members, patients) = names(&mut store)?;
    if cli.json {
        let list: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "at": r.at,
                    "member": r.member,
                    "member_name": members.get(&r.member),
                    "device": r.device,
                    "action": r.action,
                    "team": r.team,
                    "patient": r.team.as_ref().and_then(|t| patients.get(t)),
                    "entry": r.entry,
                })
            })
            .collect();
        print_json(json!(list));
    } else {
        for r in &rows {
            println!(
                "{}  {}  {}  {}  {}",
                care_model::Timestamp(r.at).format_ja(),
                members.get(&r.member).map_or(r.member.as_str(), String::as_str),
                r.action,
                r.team
                    .as_ref()
                    .and_then(|t| patients.get(t))
                    .map_or("-", String::as_str),
                r.entry.as_deref().unwrap_or("")
            );
        }
        eprintln!("{} 件 / entries", rows.len());
    }
    Ok(())
}

fn verify(cli: &Cli) -> Result<()> {
    let store = open(cli)?;
    let me = store.device_id().to_string();
    let teams = store.team_ids()?;
    // What the relay countersigned, read over the pinned connection: the
    // copies kept here could have been deleted with the entries.
    let mut fetched = Vec::new();
    let mut relay_key = None;
    let mut offline = None;
    if let Some(relay) = store.relay()? {
        let client = sync_client::RelayClient::new(
            &relay.url,
            relay.fingerprint.as_deref(),
            Some(&sync_client::Identity::of(&store)?),
        )?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        for t in &teams {
            match rt.block_on(client.audit_checkpoints(t.as_bytes())) {
                Ok((list, key)) => {
                    fetched.extend(list.into_iter().filter(|c| hex::encode(c.device) == me));
                    relay_key = Some(key);
                }
                Err(e) => offline = Some(e.to_string()),
            }
        }
    }
    let checks = store.verify_audit(&fetched, relay_key.as_ref())?;
    let bad: Vec<_> = checks.iter().filter(|c| c.problem.is_some()).collect();
    if cli.json {
        let list: Vec<_> = checks
            .iter()
            .map(|c| json!({ "device": c.device, "scope": c.scope, "entries": c.entries, "checkpoints": c.checkpoints, "problem": c.problem }))
            .collect();
        print_json(json!({ "ok": bad.is_empty(), "chains": list, "relay_unreachable": offline }));
    } else {
        for c in &checks {
            let scope = c.scope.as_deref().unwrap_or("device");
            match &c.problem {
                None => println!(
                    "OK  {} {scope}: {} 件, {} checkpoints",
                    &c.device[..8],
                    c.entries,
                    c.checkpoints
                ),
                Some(p) => println!("NG  {} {scope}: {p}", &c.device[..8]),
            }
        }
        if let Some(e) = &offline {
            eprintln!("中継サーバーに届かないため、この端末に保存済みの確認印だけで照合しました / relay unreachable ({e}): checked against the checkpoints kept here");
        }
    }
    if !bad.is_empty() {
        bail!(
            "監査ログの改ざん・削除を検出しました / the access log does not verify: {}",
            bad.iter()
                .map(|c| c.problem.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(())
}
