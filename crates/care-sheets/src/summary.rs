//! 看護サマリー / 入院時情報提供書: what a hospital needs when a patient of the
//! team is admitted (research/clinical.md §3.1, §3.3). The record supplies
//! the facts (who, contacts, doctor, care manager, diagnoses, medications,
//! allergies, services); the nurse edits the free text (宛先, course, ADL,
//! problems, requests) that [`draft`] proposes, and the draft is kept in the
//! record (`care_model::drafts`).

use std::collections::BTreeMap;

use care_model::{Draft, NoteCategory, Record, Timestamp};
use serde_json::{json, Value};

use crate::common::{self, date};
use crate::Context;

/// How far back the proposed course looks.
const COURSE_DAYS: i64 = 30;
/// Notes quoted in the proposed course.
const COURSE_NOTES: usize = 8;
/// Characters kept of each quoted note.
const NOTE_CHARS: usize = 80;

/// The free text proposed from the record, for fields the draft leaves
/// empty.
pub fn draft(record: &Record, now: Timestamp) -> BTreeMap<String, String> {
    let p = &record.patient;
    let since = Timestamp(now.0 - COURSE_DAYS * 86_400_000);
    let mut notes: Vec<_> = record
        .notes
        .values()
        .filter(|n| n.written_at >= since)
        .filter(|n| {
            let v = n.current();
            matches!(
                v.category,
                NoteCategory::Observation | NoteCategory::Report | NoteCategory::Handover
            )
        })
        .collect();
    notes.sort_by_key(|n| n.written_at);
    let skip = notes.len().saturating_sub(COURSE_NOTES);
    let course: Vec<String> = notes[skip..]
        .iter()
        .map(|n| {
            let d = n.written_at.date_jst().0;
            let text: String = n.current().text.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = text.chars().take(NOTE_CHARS).collect();
            let ellipsis = if text.chars().count() > NOTE_CHARS { "…" } else { "" };
            format!(
                "{}/{} {short}{ellipsis}",
                chrono::Datelike::month(&d),
                chrono::Datelike::day(&d)
            )
        })
        .collect();
    let latest_instruction = record.instructions.values().max_by_key(|i| i.issued_on);
    let mut adl = Vec::new();
    if let Some(i) = latest_instruction {
        if let Some(b) = &i.bedridden {
            adl.push(format!("寝たきり度 {b}"));
        }
        if let Some(d) = &i.dementia {
            adl.push(format!("認知症自立度 {d}"));
        }
        if !i.devices.is_empty() {
            adl.push(format!("医療機器: {}", i.devices.join("、")));
        }
    }
    BTreeMap::from([
        (
            "to".to_string(),
            p.acp_details
                .as_ref()
                .and_then(|a| a.hospital.clone())
                .unwrap_or_default(),
        ),
        ("course".to_string(), course.join("\n")),
        ("adl".to_string(), adl.join("\n")),
        ("problems".to_string(), p.problems.join("\n")),
        ("requests".to_string(), String::new()),
    ])
}

/// The kept draft over the proposal: a field the nurse saved (even empty)
/// wins.
pub fn fields(record: &Record, kept: &Draft, now: Timestamp) -> BTreeMap<String, String> {
    let mut out = draft(record, now);
    for (k, v) in &kept.fields {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The sheet's data, with the free text `text` (see [`fields`]).
pub fn sheet(record: &Record, text: &BTreeMap<String, String>, kept: &Draft, ctx: &Context) -> Value {
    let p = &record.patient;
    let body = json!({
        "patient": common::patient(record, ctx),
        "certification": p.certification.map(|c| format!("{} – {}", date(ctx, c.from), date(ctx, c.until))),
        "contacts": common::contacts(record),
        "doctor": common::person(p.doctor.as_ref()),
        "care_manager": common::person(p.care_manager.as_ref()),
        "diagnoses": common::diagnoses(record),
        "allergies": p.allergies,
        "medications": common::medications(record, ctx.today()),
        "services": p.services,
        "text": text,
        "saved": saved(record, kept, ctx),
    });
    common::sheet("summary", ctx, body)
}

/// Who saved the draft last, and when.
pub(crate) fn saved(record: &Record, kept: &Draft, ctx: &Context) -> Value {
    match (kept.by, kept.at) {
        (Some(by), Some(at)) => json!({
            "by": record.member_name(&by).unwrap_or("?"),
            "at": common::moment(ctx, at),
        }),
        _ => Value::Null,
    }
}
