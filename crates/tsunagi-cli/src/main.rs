//! `tsunagi`: the care record from the command line, for scripting,
//! administration and tests. It drives the same crates as the desktop app.
//!
//! Every command exits 0 on success; on failure it prints one line saying
//! what went wrong and what to do, and exits 1 (2 for a mistyped command).
//! Logs go to stderr (`TSUNAGI_LOG=debug`) and never contain patient data.

mod audit_cmd;
mod cli;
mod clock_cmd;
mod directory_cmd;
mod edit_cmd;
mod exchange_cmd;
mod files_cmd;
mod lock_cmd;
mod people_cmd;
mod plan_cmd;
mod render;
mod sheets_cmd;
mod sync_cmd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use care_model::*;
use care_store::Store;
use clap::Parser;
use serde_json::json;

use cli::*;

fn main() -> ExitCode {
    // `tsunagi show X | head` should stop quietly, as Unix tools do.
    // SAFETY: restoring the default action for SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TSUNAGI_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the outermost context and its cause.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("エラー / error: {}", chain.join(": ").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn home(cli: &Cli) -> Result<PathBuf> {
    match &cli.home {
        Some(h) => Ok(h.clone()),
        None => bail!("--home DIR か TSUNAGI_HOME で端末プロフィールの場所を指定してください / give the profile directory with --home DIR or TSUNAGI_HOME"),
    }
}

pub(crate) fn open(cli: &Cli) -> Result<Store> {
    lock_cmd::open(cli)
}

/// Refuses, before anything is written, what only the team's admins may do
/// (admission on every other laptop would refuse it anyway).
pub(crate) fn require_admin(store: &Store, team: TeamId) -> Result<()> {
    if !store.roster(team)?.is_admin_device(store.device_id().as_bytes()) {
        bail!("チームの管理者だけができます / only the team's admins can do this");
    }
    Ok(())
}

pub(crate) fn print_json(value: serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(&value).expect("JSON values always serialise")
    );
}

fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Init(a) => init(&cli, a),
        Command::Team(TeamCommand::Create(a)) => team_create(&cli, a),
        Command::Team(TeamCommand::List) => team_list(&cli),
        Command::Team(TeamCommand::Members(a)) => sync_cmd::team_members(&cli, a),
        Command::Team(TeamCommand::Remove(a)) => sync_cmd::team_remove(&cli, a),
        Command::Team(TeamCommand::Admin(a)) => sync_cmd::team_admin(&cli, a),
        Command::Team(TeamCommand::Leave(a)) => sync_cmd::team_leave(&cli, a),
        Command::Team(TeamCommand::Handover(a)) => sync_cmd::team_handover(&cli, a),
        Command::Team(TeamCommand::Invites(a)) => sync_cmd::team_invites(&cli, a),
        Command::Note(NoteCommand::Add(a)) => note_add(&cli, a),
        Command::Note(NoteCommand::Edit(a)) => note_edit(&cli, a),
        Command::Note(NoteCommand::Ack(a)) => ack(&cli, a, false),
        Command::Note(NoteCommand::Share(a)) => {
            let mut store = open(&cli)?;
            let team = store.resolve_team(&a.team)?;
            let id = entry(&store.record(team)?.read()?.notes, &a.id, "記録 / note")?;
            store.change(team, "note.share", now(), |tx| tx.share_note_with_family(id, !a.off))?;
            saved(&cli, "note", id, team);
            Ok(())
        }
        Command::Vitals(VitalsCommand::Ack(a)) => ack(&cli, a, true),
        Command::Vitals(VitalsCommand::Add(a)) => vitals_add(&cli, a),
        Command::Vitals(VitalsCommand::Import(a)) => exchange_cmd::vitals_import(&cli, a),
        Command::Task(TaskCommand::Add(a)) => task_add(&cli, a),
        Command::Task(TaskCommand::Done(a)) => task_status(&cli, a, TaskStatus::Done),
        Command::Task(TaskCommand::Cancel(a)) => task_status(&cli, a, TaskStatus::Cancelled),
        Command::Task(TaskCommand::Reopen(a)) => task_status(&cli, a, TaskStatus::Open),
        Command::Med(MedCommand::Add(a)) => med_add(&cli, a),
        Command::Med(MedCommand::Stop(a)) => med_stop(&cli, a),
        Command::Contact(ContactCommand::Add(a)) => contact_add(&cli, a),
        Command::Contact(ContactCommand::Edit(a)) => edit_cmd::contact_edit(&cli, a),
        Command::Contact(ContactCommand::Remove(a)) => edit_cmd::contact_remove(&cli, a),
        Command::Contact(ContactCommand::Order(a)) => edit_cmd::contact_order(&cli, a),
        Command::Patient(PatientCommand::Edit(a)) => edit_cmd::patient_edit(&cli, a),
        Command::Thresholds(a) => edit_cmd::thresholds(&cli, a),
        Command::Close(a) => edit_cmd::close(&cli, a),
        Command::Reopen(a) => edit_cmd::reopen(&cli, a),
        Command::Settle(a) => edit_cmd::settle(&cli, a),
        Command::Search(a) => edit_cmd::search(&cli, a),
        Command::Plan(PlanCommand::Add(a)) => plan_cmd::add(&cli, a),
        Command::Plan(PlanCommand::List(a)) => plan_cmd::list(&cli, a),
        Command::Plan(PlanCommand::Stop(a)) => plan_cmd::stop(&cli, a),
        Command::Visit(VisitCommand::Absent(a)) => plan_cmd::absent(&cli, a),
        Command::Visit(VisitCommand::Done(a)) => plan_cmd::done(&cli, a),
        Command::Task(TaskCommand::Assign(a)) => edit_cmd::task_assign(&cli, a),
        Command::Med(MedCommand::Change(a)) => edit_cmd::med_change(&cli, a),
        Command::Show(a) => show(&cli, a),
        Command::Conflicts(a) => conflicts(&cli, a),
        Command::History(a) => history(&cli, a),
        Command::Check => check(&cli),
        Command::Relay(RelayCommand::Set(a)) => sync_cmd::relay_set(&cli, a),
        Command::Relay(RelayCommand::Enrol(a)) => sync_cmd::relay_enrol(&cli, &a.code),
        Command::Relay(RelayCommand::Show) => sync_cmd::relay_show(&cli),
        Command::Invite(a) => sync_cmd::invite(&cli, a),
        Command::Join(a) => sync_cmd::join(&cli, a),
        Command::Sync(a) => sync_cmd::sync(&cli, a),
        Command::Status => sync_cmd::status(&cli),
        Command::Passphrase(PassphraseCommand::Change) => lock_cmd::change(&cli),
        Command::Recover(a) => lock_cmd::recover(&cli, a),
        Command::Audit(a) => audit_cmd::run(&cli, a),
        Command::Mute(a) => mute(&cli, a),
        Command::Oncall(a) => clock_cmd::oncall(&cli, a),
        Command::Instruction(c) => clock_cmd::instruction(&cli, c),
        Command::Master(c) => clock_cmd::master(&cli, c),
        Command::Settings(a) => clock_cmd::settings(&cli, a),
        Command::Urgent => clock_cmd::urgent(&cli),
        Command::Export(a) => exchange_cmd::export(&cli, a),
        Command::Import(a) => exchange_cmd::import(&cli, a),
        Command::Print(a) => sheets_cmd::print(&cli, a),
        Command::Consent(a) => people_cmd::consent(&cli, a),
        Command::Device(DeviceCommand::Add) => people_cmd::device_add(&cli),
        Command::Device(DeviceCommand::Join(a)) => people_cmd::device_join(&cli, a),
        Command::Device(DeviceCommand::List) => people_cmd::device_list(&cli),
        Command::Device(DeviceCommand::Remove(a)) => people_cmd::device_remove(&cli, a),
        Command::Directory(c) => directory_cmd::run(&cli, c),
        Command::Wound(c) => people_cmd::wound(&cli, c),
        Command::Attach(a) => files_cmd::attach(&cli, a),
        Command::Attachment(c) => files_cmd::attachment(&cli, c),
        Command::Org(OrgCommand::Staff) => people_cmd::org_staff(&cli),
        Command::Org(OrgCommand::Leaver(a)) => people_cmd::org_leaver(&cli, a),
        Command::Draft(a) => sheets_cmd::draft(&cli, a),
    }
}

/// Prints what a write made: its id, or JSON with it.
pub(crate) fn saved(cli: &Cli, kind: &str, id: impl std::fmt::Display, team: TeamId) {
    if cli.json {
        print_json(json!({ "saved": kind, "id": id.to_string(), "team": team.to_string() }));
    } else {
        eprintln!("この端末に保存しました / saved on this laptop");
        println!("{id}");
    }
}

pub(crate) fn kana(s: &Option<String>) -> Result<Option<String>> {
    s.as_deref()
        .map(|k| {
            let k = to_katakana(k.trim());
            check_kana("kana", &k)?;
            Ok(k)
        })
        .transpose()
}

fn init(cli: &Cli, a: &InitArgs) -> Result<()> {
    let member = Member {
        name: a.name.trim().to_string(),
        kana: kana(&a.kana)?,
        profession: a.profession.parse()?,
        organisation: a.org.trim().to_string(),
        phone: a.phone.clone().map(|p| check_phone(&p).map(|_| p)).transpose()?,
        email: a.email.clone(),
        fax: a.fax.clone().map(|p| check_phone(&p).map(|_| p)).transpose()?,
        on_call: false,
    };
    if member.name.is_empty() || member.organisation.is_empty() {
        bail!("--name と --org は空にできません / --name and --org cannot be empty");
    }
    let home = home(cli)?;
    let (store, recovery) = lock_cmd::create(cli, member, a.no_keychain)?;
    let d = store.device();
    if cli.json {
        print_json(
            json!({ "device": d.device.to_string(), "member": d.member.to_string(), "home": home, "recovery_key": recovery.display().as_str() }),
        );
    } else {
        println!(
            "端末プロフィールを作りました / device profile created: {} ({}, {})",
            d.profile.name,
            d.profile.profession.label_ja(),
            d.profile.organisation
        );
        println!("{}", d.device);
    }
    Ok(())
}

fn team_create(cli: &Cli, a: &TeamCreateArgs) -> Result<()> {
    let mut store = open(cli)?;
    let patient = Patient {
        name: a.patient.trim().to_string(),
        kana: kana(&a.kana)?,
        born: a.born.as_deref().map(|b| CalendarDate::parse("born", b)).transpose()?,
        sex: a.sex.as_deref().map(str::parse).transpose()?,
        care_level: a.care_level.as_deref().map(str::parse).transpose()?,
        address: a.address.clone(),
        phone: a.phone.clone(),
        ..Default::default()
    };
    let team = store.create_team(patient, now())?;
    if cli.json {
        print_json(json!({ "team": team.to_string() }));
    } else {
        println!("{team}");
    }
    Ok(())
}

fn team_list(cli: &Cli) -> Result<()> {
    let store = open(cli)?;
    let teams = store.teams()?;
    if cli.json {
        print_json(serde_json::to_value(&teams)?);
    } else {
        render::team_list(&teams);
    }
    Ok(())
}

/// The one key starting with `prefix` (ids may be typed shortened).
pub(crate) fn unique_prefix<'a>(
    keys: impl Iterator<Item = &'a String>,
    prefix: &str,
    kind: &str,
) -> Result<&'a String> {
    let p = prefix.trim().to_ascii_lowercase();
    let found: Vec<&String> = keys.filter(|k| !p.is_empty() && k.starts_with(&p)).take(2).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => bail!("{kind}「{prefix}」が見つかりません / no {kind} matches \"{prefix}\""),
        _ => bail!(
            "「{prefix}」に当てはまる{kind}が複数あります / \"{prefix}\" matches more than one {kind}; type more of it"
        ),
    }
}

/// An entry of one collection, by id prefix.
pub(crate) fn entry<V>(map: &std::collections::BTreeMap<String, V>, prefix: &str, kind: &str) -> Result<EntryId> {
    Ok(unique_prefix(map.keys(), prefix, kind)?.parse()?)
}

fn note_add(cli: &Cli, a: &NoteAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let note = NewNote {
        text: a.text.clone(),
        category: a.category.parse()?,
        urgency: a.urgency.parse()?,
    };
    let id = store.change(team, "note.add", now(), |tx| tx.add_note(note))?;
    saved(cli, "note", id, team);
    Ok(())
}

fn note_edit(cli: &Cli, a: &NoteEditArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let id = entry(&record.notes, &a.note, "記録 / note")?;
    let current = record.notes[&id.to_string()].current();
    let note = NewNote {
        text: a.text.clone(),
        category: a
            .category
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or(current.category),
        urgency: a
            .urgency
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or(current.urgency),
    };
    store.change(team, "note.edit", now(), |tx| tx.edit_note(id, note))?;
    saved(cli, "note", id, team);
    Ok(())
}

/// `2026-11-24 14:05` or `14:05` (today), in Japan time.
fn parse_taken(s: &str) -> Result<Timestamp> {
    Ok(care_model::time::parse_moment("taken", s, now())?)
}

fn vitals_add(cli: &Cli, a: &VitalsAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let taken_at = a.taken.as_deref().map(parse_taken).transpose()?.unwrap_or_else(now);
    let form = VitalsForm {
        bp: a.bp.clone(),
        pulse: a.pulse.clone(),
        temperature: a.temp.clone(),
        spo2: a.spo2.clone(),
        oxygen: a.oxygen.clone(),
        respiratory_rate: a.resp.clone(),
        weight: a.weight.clone(),
        glucose: a.glucose.clone(),
        pain: a.pain.clone(),
        consciousness: a.jcs.clone(),
        note: a.note.clone(),
    };
    let reading = form.parse(taken_at)?;
    let thresholds = store.record(team)?.thresholds()?;
    let flags = thresholds.assess(&reading);
    let score = news2(&reading, thresholds.spo2_scale2);
    let id = store.change(team, "vitals.add", now(), |tx| tx.add_vitals(reading))?;
    for f in &flags {
        eprintln!("{}: {f}", f.level.label_ja());
    }
    if !score.parts.is_empty() {
        eprintln!(
            "NEWS2 {}{} — 提案 / suggests: {}",
            score.total,
            if score.complete() { "" } else { " (一部 / partial)" },
            score.suggests().label_ja()
        );
    }
    if cli.json {
        print_json(
            json!({ "saved": "vitals", "id": id.to_string(), "team": team.to_string(), "flags": flags,
                           "news2": { "total": score.total, "risk": score.risk, "complete": score.complete() } }),
        );
    } else {
        saved(cli, "vitals", id, team);
    }
    Ok(())
}

/// A profession, or a member by name or id prefix.
pub(crate) fn assignee(record: &Record, s: &str) -> Result<Assignee> {
    if let Ok(p) = s.parse::<Profession>() {
        return Ok(Assignee::Profession(p));
    }
    let found: Vec<&String> = record
        .members
        .iter()
        .filter(|(id, m)| {
            m.name == s.trim()
                || m.name.replace(' ', "") == s.replace([' ', '　'], "")
                || id.starts_with(&s.to_ascii_lowercase())
        })
        .map(|(id, _)| id)
        .take(2)
        .collect();
    match found.as_slice() {
        [one] => Ok(Assignee::Member(one.parse()?)),
        _ => bail!("担当「{s}」が見つかりません。職種 (nurse, 看護師 …) かチームのメンバー名を指定してください / no profession or team member matches --assignee \"{s}\""),
    }
}

fn task_add(cli: &Cli, a: &TaskAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let assignee = match &a.assignee {
        Some(s) => Some(assignee(&store.record(team)?.read()?, s)?),
        None => None,
    };
    let task = NewTask {
        title: a.title.clone(),
        assignee,
        due: a.due.as_deref().map(|d| CalendarDate::parse("due", d)).transpose()?,
        priority: a.priority.parse()?,
    };
    let id = store.change(team, "task.add", now(), |tx| tx.add_task(task))?;
    saved(cli, "task", id, team);
    Ok(())
}

fn task_status(cli: &Cli, a: &TaskIdArgs, status: TaskStatus) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let id = entry(&store.record(team)?.read()?.tasks, &a.task, "タスク / task")?;
    let action = format!("task.{}", status.code());
    store.change(team, &action, now(), |tx| tx.set_task_status(id, status))?;
    saved(cli, "task", id, team);
    Ok(())
}

fn med_add(cli: &Cli, a: &MedAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let details = MedicationDetails {
        name: a.name.clone(),
        dose: a.dose.clone(),
        schedule: a.schedule.clone(),
        prescriber: a.prescriber.clone(),
        start: a
            .start
            .as_deref()
            .map(|d| CalendarDate::parse("start", d))
            .transpose()?,
        stop: None,
    };
    let id = store.change(team, "medication.add", now(), |tx| tx.add_medication(details))?;
    saved(cli, "medication", id, team);
    Ok(())
}

fn med_stop(cli: &Cli, a: &MedStopArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let id = entry(&store.record(team)?.read()?.medications, &a.med, "薬 / medication")?;
    let stop = match &a.on {
        Some(d) => CalendarDate::parse("stop", d)?,
        None => now().date_jst(),
    };
    store.change(team, "med.stop", now(), |tx| tx.stop_medication(id, stop, &a.reason))?;
    saved(cli, "medication", id, team);
    Ok(())
}

fn contact_add(cli: &Cli, a: &ContactAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let contact = Contact {
        name: a.name.clone(),
        kana: None,
        relation: a.relation.clone(),
        phone: a.phone.clone(),
        key_person: a.key_person,
    };
    store.change(team, "contact.add", now(), |tx| tx.add_contact(contact))?;
    if cli.json {
        print_json(json!({ "saved": "contact", "team": team.to_string() }));
    } else {
        eprintln!("この端末に保存しました / saved on this laptop");
    }
    Ok(())
}

/// 確認: an urgent note, or a reading past the urgent band.
fn ack(cli: &Cli, a: &AckArgs, reading: bool) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    if reading {
        let id = entry(&record.vitals, &a.id, "バイタル / reading")?;
        store.change(team, "vitals.ack", now(), |tx| tx.acknowledge_vitals(id))?;
        saved(cli, "ack", id, team);
    } else {
        let id = entry(&record.notes, &a.id, "記録 / note")?;
        store.change(team, "note.ack", now(), |tx| tx.acknowledge_note(id))?;
        saved(cli, "ack", id, team);
    }
    Ok(())
}

fn mute(cli: &Cli, a: &MuteArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    store.set_muted(team, !a.off)?;
    if cli.json {
        print_json(json!({ "team": team.to_string(), "muted": !a.off }));
    } else if a.off {
        println!("通知を元に戻しました / notifications back on");
    } else {
        println!("この利用者の通常の記録は通知しません（緊急は通知します） / muted: routine notes no longer notify you (urgent ones still do)");
    }
    Ok(())
}

fn show(cli: &Cli, a: &TeamArg) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    store.audit("open", Some(team), None, now())?;
    let pending = store.pending(team)?;
    let record = store.record(team)?.read()?;
    if cli.json {
        let mut v = serde_json::to_value(&record)?;
        v["pending"] = json!(pending);
        // Each reading's NEWS2, worked out as the app shows it (not stored).
        for (id, e) in &record.vitals {
            let score = news2(&e.reading, record.thresholds.spo2_scale2);
            v["vitals"][id]["news2"] = json!({
                "total": score.total,
                "risk": score.risk,
                "complete": score.complete(),
                "missing": score.missing,
                "suggests": score.suggests().code(),
            });
        }
        print_json(v);
    } else {
        render::record(&record, pending, now());
    }
    Ok(())
}

fn conflicts(cli: &Cli, a: &TeamArg) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let conflicts = store.record(team)?.conflicts()?;
    if cli.json {
        print_json(serde_json::to_value(&conflicts)?);
    } else {
        render::conflicts(&conflicts);
    }
    Ok(())
}

fn history(cli: &Cli, a: &HistoryArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?;
    let id = if a.entry == "patient" {
        a.entry.clone()
    } else {
        let r = record.read()?;
        let keys = r
            .notes
            .keys()
            .chain(r.vitals.keys())
            .chain(r.tasks.keys())
            .chain(r.medications.keys());
        unique_prefix(keys.chain(r.members.keys()), &a.entry, "項目 / entry")?.clone()
    };
    let events = record.history(&id)?;
    if cli.json {
        print_json(serde_json::to_value(&events)?);
    } else {
        render::history(&events);
    }
    Ok(())
}

fn check(cli: &Cli) -> Result<()> {
    let mut store = open(cli)?;
    store.check()?;
    let size = store.size_on_disk();
    if cli.json {
        print_json(json!({ "ok": true, "bytes": size, "path": store.path() }));
    } else {
        println!("問題ありません / ok: {} ({} KB)", display(store.path()), size / 1024);
    }
    Ok(())
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
