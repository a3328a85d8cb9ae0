//! What several sheets print the same way: the patient's header, dates,
//! contacts, medications and readings with the patient's bands.

use care_model::{Band, CalendarDate, Record, Thresholds, Timestamp, Urgency, VitalSigns};
use serde_json::{json, Value};

use crate::{labels, Context, Lang};

pub(crate) fn date(ctx: &Context, d: CalendarDate) -> String {
    match (ctx.lang, ctx.wareki) {
        (Lang::Ja, true) => d.format_wareki(),
        (Lang::Ja, false) => d.format_ja(),
        (Lang::En, _) => d.iso(),
    }
}

pub(crate) fn moment(ctx: &Context, t: Timestamp) -> String {
    match ctx.lang {
        Lang::Ja => t.format_ja(),
        Lang::En => t.to_jst().format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn label<T: Copy>(ctx: &Context, v: T, ja: fn(T) -> &'static str, en: fn(T) -> &'static str) -> &'static str {
    match ctx.lang {
        Lang::Ja => ja(v),
        Lang::En => en(v),
    }
}

/// Name, kana, born and age, sex, address, phone, care level.
pub(crate) fn patient(record: &Record, ctx: &Context) -> Value {
    let p = &record.patient;
    json!({
        "name": p.name,
        "kana": p.kana,
        "born": p.born.map(|b| date(ctx, b)),
        "age": p.born.map(|b| b.age_on(ctx.today())),
        "sex": p.sex.map(|s| label(ctx, s, |s| s.label_ja(), |s| s.label_en())),
        "address": p.address,
        "phone": p.phone,
        "care_level": p.care_level.map(|c| label(ctx, c, |c| c.label_ja(), |c| c.label_en())),
    })
}

/// Diagnoses with their ICD-10 codes when coded.
pub(crate) fn diagnoses(record: &Record) -> Vec<String> {
    record
        .patient
        .diagnoses
        .iter()
        .map(|d| match &d.code {
            Some(code) => format!("{} ({code})", d.name),
            None => d.name.clone(),
        })
        .collect()
}

/// Medications not stopped by `today`: name, dose, schedule.
pub(crate) fn medications(record: &Record, today: CalendarDate) -> Vec<Value> {
    let mut meds: Vec<_> = record
        .medications
        .values()
        .map(|m| m.current())
        .filter(|m| m.stop.is_none_or(|s| s > today))
        .collect();
    meds.sort_by(|a, b| a.name.cmp(&b.name));
    meds.iter()
        .map(|m| json!({ "name": m.name, "dose": m.dose, "schedule": m.schedule }))
        .collect()
}

/// Contacts in calling order, then the attending doctor and care manager.
pub(crate) fn contacts(record: &Record) -> Vec<Value> {
    record
        .patient
        .contacts
        .iter()
        .map(|c| json!({ "name": c.name, "relation": c.relation, "phone": c.phone, "key_person": c.key_person }))
        .collect()
}

pub(crate) fn person(p: Option<&care_model::Person>) -> Value {
    match p {
        Some(p) => json!({ "name": p.name, "organisation": p.organisation, "phone": p.phone, "fax": p.fax }),
        None => Value::Null,
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A band as the range that needs no attention: `101–180`, `≧94`, `≦110` (IPAex has the JIS signs, not ≥ ≤).
fn band_text(b: &Band) -> String {
    match (b.attention_below, b.attention_above) {
        (Some(lo), Some(hi)) => format!("{}–{}", num(lo), num(hi)),
        (Some(lo), None) => format!("≧{}", num(lo)),
        (None, Some(hi)) => format!("≦{}", num(hi)),
        (None, None) => "—".into(),
    }
}

/// One value with its flag in words, so a FAX keeps the meaning.
fn flagged(ctx: &Context, text: String, level: Urgency) -> Value {
    let flag = match level {
        Urgency::Routine => None,
        Urgency::Attention => Some(labels::get(ctx.lang, "attention")),
        Urgency::Urgent => Some(labels::get(ctx.lang, "urgent")),
    };
    json!({ "text": text, "flag": flag })
}

/// The columns a readings table has, in order.
const COLUMNS: [&str; 7] = [
    "bp",
    "pulse",
    "temperature",
    "spo2",
    "respiratory_rate",
    "consciousness",
    "glucose",
];

/// The `n` latest readings, newest first, each value flagged by the
/// patient's bands, and the bands themselves.
pub(crate) fn readings(record: &Record, ctx: &Context, n: usize) -> Value {
    let t = &record.thresholds;
    let rows: Vec<Value> = record
        .vitals_newest_first()
        .into_iter()
        .take(n)
        .map(|(_, e)| reading_row(t, ctx, &e.reading))
        .collect();
    let bands = json!({
        "bp": format!("{} / {}", band_text(&t.systolic), band_text(&t.diastolic)),
        "pulse": band_text(&t.pulse),
        "temperature": band_text(&t.temperature),
        "spo2": band_text(&t.spo2_band()),
        "respiratory_rate": band_text(&t.respiratory_rate),
        "consciousness": band_text(&t.consciousness),
        "glucose": band_text(&t.glucose),
    });
    json!({ "columns": COLUMNS, "rows": rows, "bands": bands })
}

fn reading_row(t: &Thresholds, ctx: &Context, r: &VitalSigns) -> Value {
    let level_of = |field: &str| {
        t.assess(r)
            .into_iter()
            .filter(|f| f.field == field)
            .fold(Urgency::Routine, |a, f| worse(a, f.level))
    };
    let mut cells = serde_json::Map::new();
    if let (Some(s), Some(d)) = (r.systolic, r.diastolic) {
        let level = worse(level_of("systolic"), level_of("diastolic"));
        cells.insert("bp".into(), flagged(ctx, format!("{s}/{d}"), level));
    }
    if let Some(v) = r.pulse {
        cells.insert("pulse".into(), flagged(ctx, v.to_string(), level_of("pulse")));
    }
    if let Some(v) = r.temperature {
        cells.insert(
            "temperature".into(),
            flagged(ctx, format!("{v:.1}"), level_of("temperature")),
        );
    }
    if let Some(v) = r.spo2 {
        let o2 = match r.oxygen {
            Some(l) if l > 0.0 => format!(" (O2 {}L)", num(l)),
            _ => String::new(),
        };
        cells.insert("spo2".into(), flagged(ctx, format!("{v}%{o2}"), level_of("spo2")));
    }
    if let Some(v) = r.respiratory_rate {
        cells.insert(
            "respiratory_rate".into(),
            flagged(ctx, v.to_string(), level_of("respiratory_rate")),
        );
    }
    if let Some(v) = r.consciousness {
        cells.insert(
            "consciousness".into(),
            flagged(ctx, v.label_ja().to_string(), level_of("consciousness")),
        );
    }
    if let Some(v) = r.glucose {
        cells.insert("glucose".into(), flagged(ctx, v.to_string(), level_of("glucose")));
    } else if let Some(f) = r.glucose_flag {
        cells.insert(
            "glucose".into(),
            flagged(ctx, f.label_ja().to_string(), Urgency::Urgent),
        );
    }
    json!({ "taken_at": moment(ctx, r.taken_at), "cells": cells })
}

fn worse(a: Urgency, b: Urgency) -> Urgency {
    if (b as u8) > (a as u8) {
        b
    } else {
        a
    }
}

/// The header every sheet ends with: when, by whom, from which station.
pub(crate) fn made(ctx: &Context) -> Value {
    json!({
        "at": moment(ctx, ctx.now),
        "by": ctx.made_by,
        "station": ctx.station,
    })
}

/// The FAX cover's data, when one is asked for.
pub(crate) fn fax(ctx: &Context) -> Value {
    match &ctx.fax {
        Some(f) => json!({
            "to": f.to, "to_fax": f.to_fax, "from": f.from, "from_phone": f.from_phone,
            "from_fax": f.from_fax, "note": f.note, "date": date(ctx, ctx.today()),
        }),
        None => Value::Null,
    }
}

/// The data every sheet's template receives.
pub(crate) fn sheet(kind: &str, ctx: &Context, body: Value) -> Value {
    json!({
        "sheet": kind,
        "lang": match ctx.lang { Lang::Ja => "ja", Lang::En => "en" },
        "labels": labels::table(ctx.lang),
        "fax": fax(ctx),
        "made": made(ctx),
        "body": body,
    })
}
