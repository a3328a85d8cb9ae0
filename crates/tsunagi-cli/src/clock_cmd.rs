//! Around the clock from the command line: who is on call, the stations'
//! rotas, the team's escalation settings, urgent items with their stage,
//! the doctor's instruction and the 傷病名 master.

use anyhow::{bail, Context, Result};
use care_model::escalation::urgent_items;
use care_model::instructions::InstructionStatus;
use care_model::*;
use care_store::disease_master::{kind_and_version, parse_master, MasterKind};
use care_store::Store;
use serde_json::json;

use crate::cli::*;
use crate::{entry, now, open, print_json, require_admin, saved};

fn station(store: &mut Store, s: &str) -> Result<TeamId> {
    let team = store.resolve_team(s)?;
    if store.record(team)?.kind()? != RecordKind::Station {
        bail!("{s} はステーションの当番表ではありません（`tsunagi oncall station NAME` で作れます） / {s} is not a station's rota");
    }
    Ok(team)
}

fn who(p: &Option<Person>) -> String {
    match p {
        Some(p) => match &p.phone {
            Some(phone) => format!("{} ({phone})", p.name),
            None => p.name.clone(),
        },
        None => "—".into(),
    }
}

pub fn oncall(cli: &Cli, a: &OncallArgs) -> Result<()> {
    match &a.command {
        None => show(cli),
        Some(OncallCommand::Station(s)) => {
            let mut store = open(cli)?;
            let team = store.create_station(&s.name, now())?;
            saved(cli, "station", team, team);
            Ok(())
        }
        Some(OncallCommand::Set(s)) => set(cli, s),
        Some(OncallCommand::Basics(b)) => {
            let mut store = open(cli)?;
            let team = station(&mut store, &b.station)?;
            require_admin(&store, team)?;
            let (h, m) = b
                .handover
                .split_once(':')
                .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
                .filter(|(h, m)| *h < 24 && *m < 60)
                .with_context(|| {
                    format!(
                        "交代時刻「{}」は HH:MM / handover \"{}\": HH:MM",
                        b.handover, b.handover
                    )
                })?;
            store.change(team, "rota.basics", now(), |tx| {
                tx.set_rota_basics(b.phone.clone(), h * 60 + m)
            })?;
            saved(cli, "rota", team, team);
            Ok(())
        }
    }
}

fn show(cli: &Cli) -> Result<()> {
    let mut store = open(cli)?;
    for s in store.stations()? {
        store.introduce(s.team, now())?;
    }
    let stations = store.on_call(now())?;
    if cli.json {
        print_json(serde_json::to_value(&stations)?);
        return Ok(());
    }
    if stations.is_empty() {
        println!("当番表がありません。`tsunagi oncall station NAME` で作るか、招待で参加してください / no rota on this laptop: start one or join by invitation");
    }
    for s in stations {
        println!("{}  24h: {}", s.station, s.phone.as_deref().unwrap_or("—"));
        match s.on_call {
            Some(o) => {
                println!("  当番 / on call ({}): {}", o.date.format_ja(), who(&o.duty.nurse));
                println!("  待機医 / standby doctor: {}", who(&o.duty.doctor));
            }
            None => println!("  今日の当番は未設定です / nobody set for today"),
        }
    }
    Ok(())
}

/// A member of the station by name (or id prefix), else someone outside.
fn person(record: &Record, name: &str, phone: &Option<String>) -> Person {
    let member = record
        .members
        .iter()
        .find(|(id, m)| m.name.replace([' ', '　'], "") == name.replace([' ', '　'], "") || id.starts_with(name))
        .and_then(|(id, _)| id.parse().ok());
    let shown = member
        .and_then(|m| record.member_name(&m).map(str::to_string))
        .unwrap_or_else(|| name.trim().to_string());
    let phone = phone.clone().or_else(|| {
        member
            .and_then(|m| record.members.get(&m.to_string()))
            .and_then(|m| m.phone.clone())
    });
    Person {
        member,
        name: shown,
        organisation: None,
        phone,
        fax: None,
    }
}

fn set(cli: &Cli, s: &DutySetArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = station(&mut store, &s.station)?;
    require_admin(&store, team)?;
    let record = store.record(team)?.read()?;
    let duty = (!s.clear).then(|| Duty {
        nurse: s.nurse.as_deref().map(|n| person(&record, n, &s.phone)),
        doctor: s.doctor.as_deref().map(|d| Person {
            name: d.trim().to_string(),
            phone: s.doctor_phone.clone(),
            ..Default::default()
        }),
    });
    match (&s.weekday, &s.date) {
        (Some(w), _) => {
            let day = crate::plan_cmd::weekday(w)?;
            store.change(team, "rota.weekly", now(), |tx| tx.set_weekly_duty(day, duty))?;
        }
        (None, Some(d)) => {
            let date = CalendarDate::parse("date", d)?;
            store.change(team, "rota.override", now(), |tx| tx.set_duty_override(date, duty))?;
        }
        (None, None) => bail!("--weekday か --date を指定してください / give --weekday or --date"),
    }
    saved(cli, "rota", team, team);
    Ok(())
}

pub fn settings(cli: &Cli, a: &SettingsArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let mut settings = store.record(team)?.settings()?;
    if a.escalation_minutes.is_some() || a.read_receipts.is_some() || a.family_days.is_some() {
        require_admin(&store, team)?;
        if let Some(d) = a.family_days {
            settings.family_days_after_close = d;
        }
        if let Some(m) = a.escalation_minutes {
            settings.escalation_minutes = m;
        }
        if let Some(r) = &a.read_receipts {
            settings.read_receipts = match r.as_str() {
                "on" | "yes" | "true" => true,
                "off" | "no" | "false" => false,
                _ => bail!("--read-receipts は on か off / --read-receipts: on or off"),
            };
        }
        store.change(team, "settings", now(), |tx| tx.set_settings(settings))?;
        eprintln!("この端末に保存しました / saved on this laptop");
    }
    if cli.json {
        print_json(serde_json::to_value(settings)?);
    } else {
        println!(
            "エスカレーション / escalation: {} 分 (当番), {} 分 (管理者)\n既読表示 / read receipts: {}",
            settings.escalation_minutes,
            settings.escalation_minutes * 2,
            if settings.read_receipts { "on" } else { "off" }
        );
    }
    Ok(())
}

/// Every urgent item in the open cases, with its escalation stage now.
pub fn urgent(cli: &Cli) -> Result<()> {
    let mut store = open(cli)?;
    let at = now();
    let mut rows = Vec::new();
    for t in store.patient_teams()? {
        let Ok(cr) = store.record(t.team) else { continue };
        if cr.is_blank() || cr.case()?.is_closed() {
            continue;
        }
        let record = cr.read_summary(Timestamp(at.0 - 7 * 24 * 3_600_000))?;
        for item in urgent_items(&record, 60_000, at) {
            let e = &item.escalation;
            rows.push(json!({
                "team": t.team.to_string(),
                "patient": record.patient.name,
                "kind": item.kind,
                "id": item.id,
                "written": item.written.0,
                "stage": e.stage,
                "on_call_at": e.on_call_at.0,
                "admins_at": e.admins_at.0,
                "acknowledged_by": e.acknowledged.map(|(m, _)| record.member_name(&m).unwrap_or("?").to_string()),
                "acknowledged_at": e.acknowledged.map(|(_, at)| at.0),
            }));
            if !cli.json {
                let ack = e
                    .acknowledged
                    .map(|(m, at)| format!(" {} {}", record.member_name(&m).unwrap_or("?"), at.format_ja()))
                    .unwrap_or_default();
                println!(
                    "{}  {}  {}{}",
                    record.patient.name,
                    item.written.format_ja(),
                    e.stage.label_ja(),
                    ack
                );
            }
        }
    }
    if cli.json {
        print_json(serde_json::Value::Array(rows));
    }
    Ok(())
}

fn code_input(code: &str, icd10: Option<String>, modifiers: Vec<String>, master: String) -> CodeInput {
    CodeInput {
        code: code.trim().to_string(),
        modifiers,
        icd10,
        master,
    }
}

pub fn instruction(cli: &Cli, c: &InstructionCommand) -> Result<()> {
    let mut store = open(cli)?;
    match c {
        InstructionCommand::Add(a) => {
            let team = store.resolve_team(&a.team)?;
            let master = match &a.master {
                Some(m) => m.clone(),
                None => store
                    .master_version(MasterKind::Disease)?
                    .unwrap_or_else(|| "manual".into()),
            };
            let start = CalendarDate::parse("start", &a.start)?;
            let new = NewInstruction {
                kind: a.kind.parse()?,
                issued_on: match &a.issued {
                    Some(d) => CalendarDate::parse("issued_on", d)?,
                    None => start,
                },
                start,
                end: CalendarDate::parse("end", &a.end)?,
                doctor: Person {
                    member: None,
                    name: a.doctor.clone(),
                    organisation: a.clinic.clone(),
                    phone: a.phone.clone(),
                    fax: a.fax.clone(),
                },
                diagnoses: a
                    .diagnoses
                    .iter()
                    .map(|d| match d.split_once('=') {
                        Some((name, code)) => (
                            name.trim().to_string(),
                            Some(code_input(code, None, Vec::new(), master.clone())),
                        ),
                        None => (d.trim().to_string(), None),
                    })
                    .collect(),
                bedridden: a.bedridden.clone(),
                dementia: a.dementia.clone(),
                devices: a.devices.clone(),
                directions: a.directions.clone(),
                emergency_contact: a.emergency.clone(),
            };
            // ICD-10 from the master when the code is in it.
            let mut new = new;
            for (_, code) in new.diagnoses.iter_mut() {
                if let Some(c) = code {
                    if let Some((e, _)) = store
                        .lookup_master(MasterKind::Disease, &c.code)?
                        .into_iter()
                        .find(|(e, _)| e.code == c.code)
                    {
                        c.icd10 = e.icd10;
                    }
                }
            }
            let id = store.change(team, "instruction.add", now(), |tx| tx.add_instruction(new))?;
            let today = now().date_jst();
            if let Some(ins) = store.record(team)?.read()?.renewal_needed(today) {
                store.change(team, "instruction.renewal", now(), |tx| tx.ensure_renewal_task(ins))?;
            }
            saved(cli, "instruction", id, team);
        }
        InstructionCommand::List(t) => {
            let team = store.resolve_team(&t.team)?;
            let record = store.record(team)?.read()?;
            let today = now().date_jst();
            let status = record.instruction_status(today);
            if cli.json {
                print_json(json!({ "status": status, "instructions": record.instructions }));
                return Ok(());
            }
            println!(
                "{}",
                match status {
                    InstructionStatus::None => "指示書なし / no instruction".to_string(),
                    InstructionStatus::Valid { until } =>
                        format!("有効 {} まで / valid until {until}", until.format_ja()),
                    InstructionStatus::EndsSoon { until } =>
                        format!("まもなく期限 {} / ends soon {until}", until.format_ja()),
                    InstructionStatus::Ended { on } => format!("期限切れ {} / ended {on}", on.format_ja()),
                    InstructionStatus::NotYet { from } => format!("{} から / from {from}", from.format_ja()),
                }
            );
            let mut list: Vec<_> = record.instructions.iter().collect();
            list.sort_by_key(|(_, i)| std::cmp::Reverse(i.start));
            for (id, i) in list {
                println!(
                    "{}  {}  {}〜{}  {} {}",
                    &id[..8],
                    i.kind.label_ja(),
                    i.start.format_ja(),
                    i.end.format_ja(),
                    i.doctor.organisation.as_deref().unwrap_or(""),
                    i.doctor.name
                );
                for (n, d) in i.diagnoses.iter().enumerate() {
                    let code = d
                        .code
                        .as_ref()
                        .map(|c| {
                            format!(
                                " [{}{} {} / {}]",
                                c.code,
                                c.icd10.as_deref().map(|i| format!(" {i}")).unwrap_or_default(),
                                c.master,
                                record.member_name(&c.coded_by).unwrap_or("?")
                            )
                        })
                        .unwrap_or_default();
                    println!("    {}. {}{code}", n + 1, d.name);
                }
                println!("    緊急時の連絡先: {}", i.emergency_contact);
            }
        }
        InstructionCommand::Code(a) => {
            let team = store.resolve_team(&a.team)?;
            let record = store.record(team)?.read()?;
            let id = entry(&record.instructions, &a.instruction, "instruction")?;
            if a.number == 0 {
                bail!("傷病名は 1 番から数えます / diagnoses are numbered from 1");
            }
            let master = match &a.master {
                Some(m) => m.clone(),
                None => store
                    .master_version(MasterKind::Disease)?
                    .unwrap_or_else(|| "manual".into()),
            };
            let mut icd10 = a.icd10.clone();
            if icd10.is_none() {
                icd10 = store
                    .lookup_master(MasterKind::Disease, &a.code)?
                    .into_iter()
                    .find(|(e, _)| e.code == a.code)
                    .and_then(|(e, _)| e.icd10);
            }
            let code = code_input(&a.code, icd10, a.modifiers.clone(), master);
            let index = (a.number - 1) as usize;
            store.change(team, "instruction.code", now(), |tx| tx.code_diagnosis(id, index, code))?;
            saved(cli, "code", id, team);
        }
    }
    Ok(())
}

pub fn master(cli: &Cli, c: &MasterCommand) -> Result<()> {
    let mut store = open(cli)?;
    match c {
        MasterCommand::Load(a) => {
            let (kind, version) = kind_and_version(&a.file, a.kind.as_deref(), a.version.as_deref())?;
            let bytes = std::fs::read(&a.file)
                .with_context(|| format!("{} を読めません / cannot read it", a.file.display()))?;
            let (entries, loaded) = parse_master(kind, &bytes, &version)?;
            if entries.is_empty() {
                bail!("マスターの行が 1 行も読めません / no row of the file reads as a master");
            }
            store.load_master(&entries, &loaded)?;
            if cli.json {
                print_json(serde_json::to_value(&loaded)?);
            } else {
                println!(
                    "{} 件を読み込みました（廃止 {} 件を除外、読めない行 {} 件） / loaded {} entries",
                    loaded.entries,
                    loaded.abolished,
                    loaded.refused_lines.len(),
                    loaded.entries
                );
                if !loaded.refused_lines.is_empty() {
                    let lines: Vec<String> = loaded.refused_lines.iter().take(20).map(|l| l.to_string()).collect();
                    eprintln!("読めない行 / refused lines: {}", lines.join(", "));
                }
            }
        }
        MasterCommand::Find(a) => {
            let kind = if a.modifier {
                MasterKind::Modifier
            } else {
                MasterKind::Disease
            };
            if store.master_version(kind)?.is_none() {
                bail!("マスターが読み込まれていません: `tsunagi master load FILE` / no master loaded: run `tsunagi master load FILE`");
            }
            let hits = store.lookup_master(kind, &a.query)?;
            if cli.json {
                let v: Vec<_> = hits.iter().map(|(e, v)| json!({ "entry": e, "version": v })).collect();
                print_json(serde_json::Value::Array(v));
            } else {
                for (e, _) in hits {
                    println!("{}  {}  {}", e.code, e.name, e.icd10.unwrap_or_default());
                }
            }
        }
    }
    Ok(())
}
