//! Editing a record from the command line: the patient's details and ACP,
//! contacts and their calling order, medication changes, task assignees,
//! thresholds, closing and reopening a case, settling a conflict. The same
//! model operations the app's edit screens call.

use anyhow::{bail, Result};
use care_model::*;
use serde_json::json;

use crate::cli::*;
use crate::{assignee, entry, kana, now, open, print_json, require_admin, saved};

/// `Some("")` clears a field, `Some(x)` sets it, `None` leaves it.
fn set(field: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value {
        *field = Some(v.trim().to_string()).filter(|v| !v.is_empty());
    }
}

fn date(field: &'static str, s: &str) -> Result<Option<CalendarDate>> {
    Ok(if s.trim().is_empty() {
        None
    } else {
        Some(CalendarDate::parse(field, s)?)
    })
}

fn edit_person(person: &mut Option<Person>, name: &Option<String>, phone: &Option<String>, fax: &Option<String>) {
    if name.is_none() && phone.is_none() && fax.is_none() {
        return;
    }
    if matches!(name.as_deref(), Some(n) if n.trim().is_empty()) {
        *person = None;
        return;
    }
    let p = person.get_or_insert_with(Person::default);
    if let Some(n) = name {
        p.name = n.trim().to_string();
    }
    set(&mut p.phone, phone);
    set(&mut p.fax, fax);
}

fn done(cli: &Cli, kind: &str, team: TeamId) {
    if cli.json {
        print_json(json!({ "saved": kind, "team": team.to_string() }));
    } else {
        eprintln!("この端末に保存しました / saved on this laptop");
    }
}

pub fn patient_edit(cli: &Cli, a: &PatientEditArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let mut p = store.record(team)?.patient()?;
    if let Some(n) = &a.name {
        p.name = n.trim().to_string();
    }
    if a.kana.is_some() {
        p.kana = kana(&a.kana.clone().filter(|k| !k.trim().is_empty()))?;
    }
    if let Some(b) = &a.born {
        p.born = date("born", b)?;
    }
    if let Some(s) = &a.sex {
        p.sex = if s.trim().is_empty() { None } else { Some(s.parse()?) };
    }
    set(&mut p.address, &a.address);
    set(&mut p.phone, &a.phone);
    if let Some(c) = &a.care_level {
        p.care_level = if c.trim().is_empty() { None } else { Some(c.parse()?) };
    }
    match (&a.certified_from, &a.certified_until) {
        (None, None) => {}
        (from, until) => {
            let current = p.certification;
            let from = match from {
                Some(f) => date("from", f)?,
                None => current.map(|c| c.from),
            };
            let until = match until {
                Some(u) => date("until", u)?,
                None => current.map(|c| c.until),
            };
            p.certification = match (from, until) {
                (Some(from), Some(until)) => Some(Certification { from, until }),
                (None, None) => None,
                _ => bail!("認定有効期間は開始と終了の両方を指定してください / give both --certified-from and --certified-until"),
            };
        }
    }
    if let Some(kind) = &a.insurance {
        p.insurance = if kind.trim().is_empty() {
            None
        } else {
            Some(Insurance {
                kind: kind.parse()?,
                number: p.insurance.as_ref().and_then(|i| i.number.clone()),
            })
        };
    }
    if let Some(n) = &a.insurance_number {
        match p.insurance.as_mut() {
            Some(i) => set(&mut i.number, &Some(n.clone())),
            None => bail!("先に --insurance medical|ltc を指定してください / give --insurance first"),
        }
    }
    edit_person(&mut p.doctor, &a.doctor, &a.doctor_phone, &a.doctor_fax);
    edit_person(
        &mut p.care_manager,
        &a.care_manager,
        &a.care_manager_phone,
        &a.care_manager_fax,
    );
    if !a.diagnosis.is_empty() {
        p.diagnoses = a
            .diagnosis
            .iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| match d.rsplit_once([':', '：']) {
                Some((name, code)) => Diagnosis {
                    name: name.trim().into(),
                    code: Some(code.trim().to_uppercase()),
                },
                None => Diagnosis {
                    name: d.trim().into(),
                    code: None,
                },
            })
            .collect();
    }
    for (list, given) in [
        (&mut p.services, &a.service),
        (&mut p.allergies, &a.allergy),
        (&mut p.problems, &a.problem),
    ] {
        if !given.is_empty() {
            *list = given
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
    }
    set(&mut p.acp, &a.acp);
    let mut acp = p.acp_details.clone().unwrap_or_default();
    if let Some(r) = &a.resuscitation {
        acp.resuscitation = if r.trim().is_empty() { None } else { Some(r.parse()?) };
    }
    set(&mut acp.hospital, &a.acp_hospital);
    if let Some(d) = &a.acp_discussed_on {
        acp.discussed_on = date("discussed_on", d)?;
    }
    set(&mut acp.discussed_with, &a.acp_discussed_with);
    p.acp_details = (acp != AcpDetails::default()).then_some(acp);
    store.change(team, "patient.edit", now(), |tx| tx.update_patient(|q| *q = p))?;
    done(cli, "patient", team);
    Ok(())
}

/// The calling order is typed from 1; the model counts from 0.
fn index(n: usize) -> Result<usize> {
    n.checked_sub(1)
        .ok_or_else(|| anyhow::anyhow!("連絡順は 1 から数えます / contacts are numbered from 1"))
}

pub fn contact_edit(cli: &Cli, a: &ContactEditArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let i = index(a.n)?;
    let contacts = store.record(team)?.patient()?.contacts;
    let Some(mut c) = contacts.get(i).cloned() else {
        bail!(
            "連絡先 {} はありません（{} 件）/ no contact {} ({} in all)",
            a.n,
            contacts.len(),
            a.n,
            contacts.len()
        );
    };
    if let Some(n) = &a.name {
        c.name = n.trim().into();
    }
    if a.kana.is_some() {
        c.kana = kana(&a.kana.clone().filter(|k| !k.trim().is_empty()))?;
    }
    if let Some(r) = &a.relation {
        c.relation = r.trim().into();
    }
    if let Some(p) = &a.phone {
        c.phone = p.trim().into();
    }
    if let Some(k) = a.key_person {
        c.key_person = k;
    }
    store.change(team, "contact.edit", now(), |tx| tx.edit_contact(i, c))?;
    done(cli, "contact", team);
    Ok(())
}

pub fn contact_remove(cli: &Cli, a: &ContactIndexArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let i = index(a.n)?;
    store.change(team, "contact.remove", now(), |tx| tx.remove_contact(i))?;
    done(cli, "contact", team);
    Ok(())
}

pub fn contact_order(cli: &Cli, a: &ContactOrderArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let order = a.order.iter().map(|&n| index(n)).collect::<Result<Vec<_>>>()?;
    store.change(team, "contact.reorder", now(), |tx| tx.reorder_contacts(&order))?;
    done(cli, "contact", team);
    Ok(())
}

pub fn med_change(cli: &Cli, a: &MedChangeArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let id = entry(&record.medications, &a.med, "薬 / medication")?;
    let c = record.medications[&id.to_string()].current().clone();
    let details = MedicationDetails {
        name: c.name,
        dose: a.dose.clone().unwrap_or(c.dose),
        schedule: a.schedule.clone().unwrap_or(c.schedule),
        prescriber: a.prescriber.clone().or(c.prescriber),
        start: c.start,
        stop: c.stop,
    };
    store.change(team, "med.change", now(), |tx| tx.change_medication(id, details))?;
    saved(cli, "medication", id, team);
    Ok(())
}

pub fn task_assign(cli: &Cli, a: &TaskAssignArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let id = entry(&record.tasks, &a.task, "タスク / task")?;
    let to = a.to.as_deref().map(|s| assignee(&record, s)).transpose()?;
    store.change(team, "task.assign", now(), |tx| tx.reassign_task(id, to))?;
    saved(cli, "task", id, team);
    Ok(())
}

pub fn thresholds(cli: &Cli, a: &ThresholdsArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let mut t = store.record(team)?.thresholds()?;
    if a.scale2.is_some() || !a.set.is_empty() {
        if let Some(s) = &a.scale2 {
            t.spo2_scale2 = s == "on";
        }
        for spec in &a.set {
            set_limit(&mut t, spec)?;
        }
        store.change(team, "thresholds", now(), |tx| tx.set_thresholds(&t))?;
        eprintln!("この端末に保存しました / saved on this laptop");
    }
    if cli.json {
        print_json(serde_json::to_value(&t)?);
    } else {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| v.to_string());
        println!(
            "{:<18} {:>8} {:>8} {:>8} {:>8}",
            "", "緊急<", "要注意<", "要注意>", "緊急>"
        );
        for (field, b) in t.bands() {
            let b = if field == "spo2" { t.spo2_band() } else { b };
            println!(
                "{:<18} {:>8} {:>8} {:>8} {:>8}",
                vocab::field_label_ja(field),
                show(b.urgent_below),
                show(b.attention_below),
                show(b.attention_above),
                show(b.urgent_above)
            );
        }
        if t.spo2_scale2 {
            println!("SpO2 スケール2 (88-92%) / SpO2 scale 2: on");
        }
    }
    Ok(())
}

fn set_limit(t: &mut Thresholds, spec: &str) -> Result<()> {
    let bad =
        || anyhow::anyhow!("「{spec}」は FIELD.LIMIT=VALUE の形で: spo2.urgent_below=90 / expected FIELD.LIMIT=VALUE");
    let (path, value) = spec.split_once('=').ok_or_else(bad)?;
    let (field, limit) = path.trim().split_once('.').ok_or_else(bad)?;
    let value: Option<f64> = if value.trim().is_empty() {
        None
    } else {
        Some(value.trim().parse().map_err(|_| bad())?)
    };
    let band = t.band_mut(field).ok_or_else(bad)?;
    match limit {
        "attention_below" => band.attention_below = value,
        "attention_above" => band.attention_above = value,
        "urgent_below" => band.urgent_below = value,
        "urgent_above" => band.urgent_above = value,
        _ => return Err(bad()),
    }
    Ok(())
}

pub fn close(cli: &Cli, a: &CloseArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let reason: ClosureReason = a.reason.parse()?;
    let on = match &a.on {
        Some(d) => CalendarDate::parse("date", d)?,
        None => now().date_jst(),
    };
    store.change(team, "case.close", now(), |tx| {
        tx.close_case(reason, on, a.note.clone())
    })?;
    done(cli, "case", team);
    Ok(())
}

pub fn reopen(cli: &Cli, a: &TeamArg) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    require_admin(&store, team)?;
    store.change(team, case::REOPEN_ACTION, now(), |tx| tx.reopen_case())?;
    done(cli, "case", team);
    Ok(())
}

pub fn settle(cli: &Cli, a: &SettleArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let path: Vec<String> = a.field.split('.').map(String::from).collect();
    let chosen = a
        .choose
        .checked_sub(1)
        .ok_or_else(|| anyhow::anyhow!("値は 1 から数えます / values are numbered from 1"))?;
    store.change(team, "conflict.settle", now(), |tx| tx.settle_conflict(&path, chosen))?;
    done(cli, "conflict", team);
    Ok(())
}

pub fn search(cli: &Cli, a: &SearchArgs) -> Result<()> {
    let mut store = open(cli)?;
    let hits = store.search(&a.query, now())?;
    if cli.json {
        let list: Vec<_> = hits
            .iter()
            .map(|h| {
                json!({ "team": h.team.to_string(), "patient": h.patient, "kind": h.kind,
                        "entry": h.entry, "text": h.text, "at": h.at.map(|t| t.0) })
            })
            .collect();
        print_json(json!(list));
    } else if hits.is_empty() {
        eprintln!("見つかりません / nothing found");
    } else {
        for h in &hits {
            let text: String = h.text.chars().take(60).collect();
            let at = h.at.map(|t| t.format_ja()).unwrap_or_default();
            println!("{}  {}  {}  {}  {}", h.team, h.patient, h.kind, at, text);
        }
    }
    Ok(())
}
