//! `tsunagi consent`: the patient's consent to share, recorded, withdrawn
//! and listed. `tsunagi device`: a member's laptops.

use anyhow::{bail, Context, Result};
use care_model::{CalendarDate, ConsentScope, EntryId, NewConsent};
use care_store::Store;
use serde_json::json;
use sync_proto::DeviceCode;

use crate::cli::{Cli, ConsentArgs, DeviceJoinArgs, DeviceRemoveArgs, OrgLeaverArgs, WoundCommand};
use crate::sync_cmd::runtime;
use crate::{now, open, print_json, saved};

pub fn consent(cli: &Cli, a: &ConsentArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    if let Some(given_on) = &a.given_on {
        let consent = NewConsent {
            given_on: CalendarDate::parse("given_on", given_on)?,
            given_by: a.given_by.clone().unwrap_or_default(),
            obtained_by: a.obtained_by.clone().unwrap_or_default(),
            scope: a
                .scope
                .iter()
                .map(|s| s.parse::<ConsentScope>())
                .collect::<Result<_, _>>()?,
        };
        let id = store.change(team, "consent.record", now(), |tx| tx.record_consent(consent))?;
        saved(cli, "consent", id, team);
        return Ok(());
    }
    if let Some(id) = &a.withdraw {
        let id: EntryId = id
            .parse()
            .ok()
            .with_context(|| format!("同意の ID ではありません / not a consent id: {id}"))?;
        let on = match &a.on {
            Some(d) => CalendarDate::parse("withdrawn_on", d)?,
            None => now().date_jst(),
        };
        store.change(team, "consent.withdraw", now(), |tx| tx.withdraw_consent(id, on))?;
        saved(cli, "consent", id, team);
        return Ok(());
    }
    let record = store.record(team)?.read()?;
    let today = now().date_jst();
    let current = record.consent_on(today).map(|(id, _)| id.to_string());
    if cli.json {
        print_json(serde_json::json!({ "current": current, "consents": record.consents }));
        return Ok(());
    }
    if current.is_none() {
        println!("同意の記録がありません / no consent to share is on record");
    }
    let mut all: Vec<_> = record.consents.iter().collect();
    all.sort_by_key(|(_, c)| std::cmp::Reverse((c.given_on, c.at)));
    for (id, c) in all {
        let scope: Vec<&str> = c.scope.iter().map(|s| s.label_ja()).collect();
        let state = match (c.withdrawn_on, current.as_deref() == Some(id.as_str())) {
            (Some(w), _) => format!("撤回 {}", w.iso()),
            (None, true) => "有効".into(),
            (None, false) => String::new(),
        };
        println!(
            "{id}  {}  {}（取得: {}）  {}  {state}",
            c.given_on.iso(),
            c.given_by,
            c.obtained_by,
            scope.join("・")
        );
    }
    Ok(())
}

pub fn device_add(cli: &Cli) -> Result<()> {
    let mut store = open(cli)?;
    let code = runtime()?.block_on(sync_client::add_device(&mut store, now))?;
    let text = code.encode();
    if cli.json {
        print_json(json!({ "code": text, "hours": sync_client::DEVICE_CODE_HOURS }));
    } else {
        eprintln!(
            "新しい端末で「2台目として参加」にこのコードを入力してください（{} 時間有効、1回限り。対面で見せてください） / on the new laptop, join as another laptop with this code (valid {} h, once; show it face to face):",
            sync_client::DEVICE_CODE_HOURS,
            sync_client::DEVICE_CODE_HOURS
        );
        println!("{text}");
    }
    Ok(())
}

pub fn device_join(cli: &Cli, a: &DeviceJoinArgs) -> Result<()> {
    let mut store = open(cli)?;
    let code = DeviceCode::parse(&a.code)?;
    let done = runtime()?.block_on(sync_client::join_as_device(&mut store, &code, now))?;
    if cli.json {
        print_json(json!({
            "member": done.member.to_string(),
            "name": done.name,
            "teams": done.joined.iter().map(|j| j.team.to_string()).collect::<Vec<_>>(),
            "failed": done.failed.iter().map(|(t, why)| json!({ "team": t.to_string(), "error": why })).collect::<Vec<_>>(),
        }));
    } else {
        println!(
            "この端末は {} さんの端末になりました。{} チームに参加しました / this laptop is now {}'s; joined {} teams",
            done.name,
            done.joined.len(),
            done.name,
            done.joined.len()
        );
        for (team, why) in &done.failed {
            println!("  {team}: {why}");
        }
    }
    if !done.failed.is_empty() && done.joined.is_empty() {
        bail!("どのチームにも参加できませんでした / joined no team");
    }
    Ok(())
}

pub fn device_list(cli: &Cli) -> Result<()> {
    let store = open(cli)?;
    let devices = sync_client::my_devices(&store)?;
    if cli.json {
        print_json(json!({ "devices": devices }));
    } else {
        for d in &devices {
            let this = if d.this { "  ← この端末 / this laptop" } else { "" };
            println!("{}  {} チーム / teams{this}", d.device, d.teams);
        }
    }
    Ok(())
}

pub fn device_remove(cli: &Cli, a: &DeviceRemoveArgs) -> Result<()> {
    let mut store = open(cli)?;
    let wanted = a.device.to_lowercase();
    let mine: Vec<_> = sync_client::my_devices(&store)?
        .into_iter()
        .filter(|d| d.device.to_string().starts_with(&wanted))
        .collect();
    let device = match mine.as_slice() {
        [one] => one.device,
        [] => bail!(
            "「{}」に当てはまる自分の端末はありません（`tsunagi device list`） / none of your laptops matches \"{}\"",
            a.device,
            a.device
        ),
        _ => bail!(
            "「{}」に当てはまる端末が複数あります / \"{}\" matches more than one laptop",
            a.device,
            a.device
        ),
    };
    let teams = runtime()?.block_on(sync_client::remove_my_device(&mut store, device, now))?;
    if cli.json {
        print_json(json!({ "device": device.to_string(), "teams": teams }));
    } else {
        println!("端末 {device} を {teams} チームから外しました。各チームの鍵を更新しました / took laptop {device} off {teams} teams; each team has a new key");
    }
    Ok(())
}

/// The staff of the station records on this laptop: (member id, name,
/// teams here she is in).
fn staff(store: &mut Store) -> Result<Vec<(String, String, usize)>> {
    let mut people = std::collections::BTreeMap::new();
    for s in store.stations()? {
        for (id, m) in store.record(s.team)?.read()?.members {
            people.insert(id, m.name);
        }
    }
    let mut teams_of: std::collections::BTreeMap<String, usize> = Default::default();
    for team in store.team_ids()? {
        let roster = store.roster(team)?;
        let members: std::collections::BTreeSet<&String> = roster.devices.values().map(|e| &e.member).collect();
        for m in members {
            *teams_of.entry(m.clone()).or_default() += 1;
        }
    }
    Ok(people
        .into_iter()
        .map(|(id, name)| {
            let n = teams_of.get(&id).copied().unwrap_or(0);
            (id, name, n)
        })
        .collect())
}

pub fn org_staff(cli: &Cli) -> Result<()> {
    let mut store = open(cli)?;
    let staff = staff(&mut store)?;
    if cli.json {
        print_json(json!({
            "staff": staff.iter().map(|(id, name, n)| json!({ "member": id, "name": name, "teams": n })).collect::<Vec<_>>()
        }));
    } else {
        if staff.is_empty() {
            println!("この端末にはステーションの記録がありません（`tsunagi oncall station NAME`） / no station record on this laptop");
        }
        for (id, name, n) in staff {
            println!("{}  {name}  {n} チーム / teams", &id[..8]);
        }
    }
    Ok(())
}

pub fn org_leaver(cli: &Cli, a: &OrgLeaverArgs) -> Result<()> {
    let mut store = open(cli)?;
    let wanted = a.member.trim();
    let matches: Vec<(String, String, usize)> = staff(&mut store)?
        .into_iter()
        .filter(|(id, name, _)| name == wanted || id.starts_with(&wanted.to_lowercase()))
        .collect();
    let (member, name) = match matches.as_slice() {
        [(id, name, _)] => (id.clone(), name.clone()),
        [] => bail!("「{wanted}」はステーションのスタッフにいません（`tsunagi org staff`） / no staff member matches \"{wanted}\""),
        _ => bail!("「{wanted}」に当てはまる人が複数います。ID で指定してください / \"{wanted}\" matches several: give the id"),
    };
    let done = runtime()?.block_on(sync_client::remove_member_everywhere(
        &mut store, &member, &a.reason, now,
    ))?;
    if cli.json {
        print_json(json!({
            "member": member,
            "name": name,
            "removed_from": done.removed_from.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
            "devices": done.devices,
            "not_allowed": done.not_allowed.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        }));
    } else {
        println!(
            "{name} さんを {} チームから外しました（端末 {} 台、各チームの鍵を更新） / took {name} off {} teams",
            done.removed_from.len(),
            done.devices,
            done.removed_from.len()
        );
        if !done.not_allowed.is_empty() {
            println!(
                "管理者ではないため外せなかったチーム（そのチームの管理者に依頼してください） / teams where only their admins can remove her: {}",
                done.not_allowed.iter().map(|t| t.to_string()[..8].to_string()).collect::<Vec<_>>().join(", ")
            );
        }
    }
    Ok(())
}

pub(crate) fn wound_id(store: &mut Store, team: care_model::TeamId, prefix: &str) -> Result<EntryId> {
    crate::entry(&store.record(team)?.read()?.wounds, prefix, "創傷 / wound")
}

pub fn wound(cli: &Cli, c: &WoundCommand) -> Result<()> {
    let mut store = open(cli)?;
    match c {
        WoundCommand::Add(a) => {
            let team = store.resolve_team(&a.team)?;
            let kind: care_model::WoundKind = a.kind.parse()?;
            let since = match &a.since {
                Some(d) => CalendarDate::parse("since", d)?,
                None => now().date_jst(),
            };
            let id = store.change(team, "wound.add", now(), |tx| tx.add_wound(&a.site, kind, since))?;
            saved(cli, "wound", id, team);
        }
        WoundCommand::Assess(a) => {
            let team = store.resolve_team(&a.team)?;
            let wound = wound_id(&mut store, team, &a.wound)?;
            let scores = care_model::DesignR {
                depth: a.depth.clone(),
                exudate: a.exudate.clone(),
                size: a.size.clone(),
                inflammation: a.inflammation.clone(),
                granulation: a.granulation.clone(),
                necrotic: a.necrotic.clone(),
                pocket: a.pocket.clone(),
            };
            let id = store.change(team, "wound.assess", now(), |tx| {
                tx.assess_wound(wound, scores, a.note.clone())
            })?;
            saved(cli, "assessment", id, team);
        }
        WoundCommand::Close(a) => {
            let team = store.resolve_team(&a.team)?;
            let wound = wound_id(&mut store, team, &a.wound)?;
            let on = match &a.on {
                Some(d) => CalendarDate::parse("on", d)?,
                None => now().date_jst(),
            };
            store.change(team, "wound.close", now(), |tx| tx.close_wound(wound, on))?;
            saved(cli, "wound", wound, team);
        }
        WoundCommand::List(a) => {
            let team = store.resolve_team(&a.team)?;
            let record = store.record(team)?.read()?;
            if cli.json {
                let wounds: Vec<_> = record
                    .wounds
                    .iter()
                    .map(|(id, w)| {
                        json!({
                            "id": id, "site": w.site, "kind": w.kind.code(), "since": w.started_on.iso(),
                            "closed_on": w.closed_on.map(|d| d.iso()),
                            "assessments": w.in_order().iter().map(|(aid, x)| json!({
                                "id": aid, "at": x.at, "notation": x.scores.notation(), "total": x.scores.total(),
                                "by": record.member_name(&x.by), "note": x.note,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_json(json!({ "wounds": wounds }));
            } else {
                for (id, w) in &record.wounds {
                    let closed = w
                        .closed_on
                        .map(|d| format!("（{} 治癒・終了）", d.format_ja()))
                        .unwrap_or_default();
                    println!(
                        "{}  {}［{}］ {} から{closed}",
                        &id[..8],
                        w.site,
                        w.kind.label_ja(),
                        w.started_on.format_ja()
                    );
                    for (_, x) in w.in_order() {
                        println!("    {}  {}", x.at.format_ja(), x.scores.notation());
                    }
                }
            }
        }
    }
    Ok(())
}
