//! `tsunagi directory`: a region's directory: organisations, what each
//! accepts, free beds; searched, and kept by each organisation.

use anyhow::{bail, Result};
use care_model::{
    BedKind, DirectoryEntry, DirectoryQuery, EntryForm, EntryId, MemberId, RecordKind, TeamId, Timestamp,
};
use care_store::Store;
use serde_json::json;

use crate::cli::{
    Cli, DirectoryArg, DirectoryBedsArgs, DirectoryCommand, DirectoryEditArgs, DirectoryEditorsArgs,
    DirectoryEntryArgs, DirectorySearchArgs, EntryFields,
};
use crate::{now, open, print_json, saved};

pub fn run(cli: &Cli, c: &DirectoryCommand) -> Result<()> {
    match c {
        DirectoryCommand::Create(a) => {
            let mut store = open(cli)?;
            let team = store.create_directory(a.name.trim(), now())?;
            if cli.json {
                print_json(json!({ "team": team.to_string(), "name": a.name.trim() }));
            } else {
                eprintln!("地域の名簿を作りました。ほかの組織は `tsunagi invite` のコードで参加します / directory started; others join with an invite code");
                println!("{team}");
            }
            Ok(())
        }
        DirectoryCommand::List(a) => list(cli, a),
        DirectoryCommand::Add(a) => add(cli, a),
        DirectoryCommand::Edit(a) => edit(cli, a),
        DirectoryCommand::Beds(a) => beds(cli, a),
        DirectoryCommand::Editors(a) => editors(cli, a),
    }
}

/// The directory named by `--dir`, or the only one on this laptop.
fn directory(store: &mut Store, a: &DirectoryArg) -> Result<TeamId> {
    let team = match &a.dir {
        Some(prefix) => store.resolve_team(prefix)?,
        None => match store.directories()?.as_slice() {
            [one] => one.team,
            [] => bail!("この端末には地域の名簿がありません（`tsunagi directory create NAME` か招待で参加） / no regional directory on this laptop: create one or join by invite"),
            _ => bail!("名簿が複数あります。--dir で指定してください / several directories here: name one with --dir"),
        },
    };
    if store.record(team)?.kind()? != RecordKind::Directory {
        bail!("{team} は地域の名簿ではありません / {team} is not a regional directory");
    }
    Ok(team)
}

fn entry_id(store: &mut Store, team: TeamId, prefix: &str) -> Result<EntryId> {
    crate::entry(&store.record(team)?.read()?.directory, prefix, "項目 / entry")
}

fn yes_no(v: &str) -> Result<bool> {
    match v.trim() {
        "yes" | "y" | "true" | "はい" | "あり" => Ok(true),
        "no" | "n" | "false" | "いいえ" | "なし" => Ok(false),
        other => bail!("--home-visits は yes か no です / --home-visits is yes or no, not \"{other}\""),
    }
}

/// `fields` over `base` (an existing entry's values, or empty).
fn form(fields: &EntryFields, base: EntryForm) -> Result<EntryForm> {
    let pick = |v: &Option<String>, old: String| v.clone().unwrap_or(old);
    let opt = |v: &Option<String>, old: Option<String>| match v {
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(s.clone()),
        None => old,
    };
    Ok(EntryForm {
        name: pick(&fields.name, base.name),
        kind: pick(&fields.kind, base.kind),
        specialties: if fields.specialty.is_empty() {
            base.specialties
        } else {
            fields.specialty.clone()
        },
        home_visits: match &fields.home_visits {
            Some(v) => yes_no(v)?,
            None => base.home_visits,
        },
        area: pick(&fields.area, base.area),
        hours: pick(&fields.hours, base.hours),
        phone_24h: opt(&fields.phone_24h, base.phone_24h),
        phone: opt(&fields.phone, base.phone),
        fax: opt(&fields.fax, base.fax),
        address: opt(&fields.address, base.address),
        accepts: if fields.accepts.is_empty() {
            base.accepts
        } else {
            fields.accepts.clone()
        },
        notes: pick(&fields.notes, base.notes),
    })
}

fn form_of(e: &DirectoryEntry) -> EntryForm {
    EntryForm {
        name: e.name.clone(),
        kind: e.kind.code().into(),
        specialties: e.specialties.clone(),
        home_visits: e.home_visits,
        area: e.area.clone(),
        hours: e.hours.clone(),
        phone_24h: e.phone_24h.clone(),
        phone: e.phone.clone(),
        fax: e.fax.clone(),
        address: e.address.clone(),
        accepts: e.accepts.iter().map(|a| a.code().to_string()).collect(),
        notes: e.notes.clone(),
    }
}

fn add(cli: &Cli, a: &DirectoryEntryArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = directory(&mut store, &a.dir)?;
    if a.fields.name.is_none() || a.fields.kind.is_none() {
        bail!("--name と --kind は必須です / --name and --kind are required");
    }
    let form = form(
        &a.fields,
        EntryForm {
            name: String::new(),
            kind: String::new(),
            specialties: vec![],
            home_visits: false,
            area: String::new(),
            hours: String::new(),
            phone_24h: None,
            phone: None,
            fax: None,
            address: None,
            accepts: vec![],
            notes: String::new(),
        },
    )?;
    let id = store.change(team, "directory.add", now(), |tx| tx.add_directory_entry(&form))?;
    saved(cli, "directory entry", id, team);
    Ok(())
}

fn edit(cli: &Cli, a: &DirectoryEditArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = directory(&mut store, &a.dir)?;
    let id = entry_id(&mut store, team, &a.entry)?;
    let base = form_of(&store.record(team)?.read()?.directory[&id.to_string()]);
    let form = form(&a.fields, base)?;
    store.change(team, "directory.edit", now(), |tx| tx.edit_directory_entry(id, &form))?;
    saved(cli, "directory entry", id, team);
    Ok(())
}

fn beds(cli: &Cli, a: &DirectoryBedsArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = directory(&mut store, &a.dir)?;
    let id = entry_id(&mut store, team, &a.entry)?;
    let kind: BedKind = a.kind.parse()?;
    let at = now();
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| care_model::time::parse_moment("as_of", s, at))
        .transpose()?;
    store.change(team, "directory.beds", at, |tx| tx.post_beds(id, kind, a.free, as_of))?;
    saved(cli, "beds", id, team);
    Ok(())
}

fn editors(cli: &Cli, a: &DirectoryEditorsArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = directory(&mut store, &a.dir)?;
    let id = entry_id(&mut store, team, &a.entry)?;
    let members = a
        .member
        .iter()
        .map(|m| m.parse::<MemberId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| anyhow::anyhow!("メンバーID が読めません / unreadable member id"))?;
    store.change(team, "directory.editors", now(), |tx| {
        tx.set_directory_editors(id, &members)
    })?;
    saved(cli, "directory editors", id, team);
    Ok(())
}

fn list(cli: &Cli, a: &DirectorySearchArgs) -> Result<()> {
    let mut store = open(cli)?;
    let mut query = DirectoryQuery {
        text: a.text.clone().unwrap_or_default(),
        kind: a.kind.clone(),
        specialty: a.specialty.clone().unwrap_or_default(),
        home_visits: a.home_visits,
        accepts: a.accepts.clone(),
        bed: a.bed.clone(),
    };
    let mut patient = None;
    if let Some(p) = &a.for_patient {
        let t = store.resolve_team(p)?;
        let record = store.record(t)?.read()?;
        query
            .accepts
            .extend(record.needs().iter().map(|n| n.code().to_string()));
        patient = Some((record.patient.name.clone(), record.needs()));
    }
    let team = directory(&mut store, &a.dir)?;
    let at: Timestamp = now();
    let doc = store.record(team)?;
    let keepers = doc.directory_keepers();
    let record = doc.read()?;
    let found = record.search_directory(&query, at);
    let name = |m: &MemberId| record.member_name(m).unwrap_or("?").to_string();
    if cli.json {
        let entries: Vec<_> = found
            .iter()
            .map(|(id, e)| {
                let beds: serde_json::Map<String, serde_json::Value> = e
                    .beds
                    .iter()
                    .map(|(k, b)| {
                        (
                            k.clone(),
                            json!({ "free": b.free, "posted_at": b.posted_at, "age_minutes": b.age_minutes(at), "stale": b.is_stale(at), "by": name(&b.by) }),
                        )
                    })
                    .collect();
                json!({
                    "id": id, "name": e.name, "kind": e.kind.code(), "specialties": e.specialties,
                    "home_visits": e.home_visits, "area": e.area, "hours": e.hours, "phone_24h": e.phone_24h,
                    "phone": e.phone, "fax": e.fax, "address": e.address,
                    "accepts": e.accepts.iter().map(|x| x.code()).collect::<Vec<_>>(), "notes": e.notes,
                    "beds": beds, "keeper": keepers.get(*id).map(&name), "updated_at": e.updated_at,
                })
            })
            .collect();
        print_json(json!({
            "directory": team.to_string(),
            "name": record.patient.name,
            "for": patient.as_ref().map(|(n, needs)| json!({ "patient": n, "needs": needs.iter().map(|x| x.code()).collect::<Vec<_>>() })),
            "entries": entries,
        }));
        return Ok(());
    }
    println!(
        "{}（{} / {} 件）",
        record.patient.name,
        found.len(),
        record.directory.len()
    );
    if let Some((n, needs)) = &patient {
        let labels: Vec<_> = needs.iter().map(|x| x.label_ja()).collect();
        println!("{n} さんを受け入れられるところ: {}", labels.join("・"));
    }
    for (id, e) in found {
        let visits = if e.home_visits { "  往診・訪問あり" } else { "" };
        println!("{}  {}［{}］{visits}", &id[..8], e.name, e.kind.label_ja());
        if !e.specialties.is_empty() {
            println!("    診療科: {}", e.specialties.join("・"));
        }
        if !e.accepts.is_empty() {
            let labels: Vec<_> = e.accepts.iter().map(|x| x.label_ja()).collect();
            println!("    受け入れ: {}", labels.join("・"));
        }
        for p in [&e.phone_24h, &e.phone].into_iter().flatten() {
            println!("    電話: {p}");
        }
        for k in BedKind::ALL {
            if let Some(b) = e.beds.get(k.code()) {
                let age = b.age_minutes(at);
                let ago = if age < 60 {
                    format!("{age}分前")
                } else if age < 24 * 60 {
                    format!("{}時間前", age / 60)
                } else {
                    format!("{}日前", age / (24 * 60))
                };
                let stale = if b.is_stale(at) { "  ［古い情報］" } else { "" };
                println!("    空床 {}: {}（{ago}）{stale}", k.label_ja(), b.free);
            }
        }
    }
    Ok(())
}
