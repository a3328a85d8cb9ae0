//! 訪問看護報告書: the monthly report to the attending doctor (別紙様式2's
//! items): the month's visit days (○ visit, ◎ urgent visit), a chart of the
//! vital signs, the problems, and the free text the nurse edits (病状の経過,
//! 看護の内容, 家庭での介護の状況, 特記すべき事項) that [`draft`] proposes
//! from the month's readings, visits, tasks and notes.

use std::collections::BTreeMap;

use care_model::{CalendarDate, Draft, Record, TaskStatus, Timestamp, Urgency, VisitKind, VisitOutcome};
use chrono::Datelike;
use serde_json::{json, Value};

use crate::common;
use crate::Context;

/// The chart's scales: blood pressure and pulse share one, temperature has
/// its own.
const BP_SCALE: (f64, f64) = (40.0, 200.0);
const TEMP_SCALE: (f64, f64) = (35.0, 41.0);
/// Urgent notes quoted under 特記すべき事項.
const SPECIAL_NOTES: usize = 5;

/// The first day of the month and of the next.
fn bounds(year: i32, month: u32) -> Option<(CalendarDate, CalendarDate)> {
    let first = CalendarDate::new(year, month, 1)?;
    Some((first, first.add_months(1)))
}

fn in_month(t: Timestamp, first: CalendarDate, next: CalendarDate) -> bool {
    t >= first.start_jst() && t < next.start_jst()
}

/// The lowest and highest value as text (`120–162`, or one value), each
/// written by `show`.
fn range(values: impl Iterator<Item = f64>, show: fn(f64) -> String) -> Option<String> {
    let v: Vec<f64> = values.collect();
    let lo = v.iter().copied().reduce(f64::min)?;
    let hi = v.iter().copied().reduce(f64::max)?;
    Some(if lo == hi {
        show(lo)
    } else {
        format!("{}–{}", show(lo), show(hi))
    })
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}

/// The month's observations, one line each: ranges of what is counted,
/// the last of what is judged, a change of level shown as `B1→B2`.
fn observed(visits: &[&care_model::Visit]) -> Vec<String> {
    let mut seen: Vec<(care_model::Timestamp, &care_model::Observations)> = visits
        .iter()
        .filter_map(|v| v.observations.as_ref().map(|o| (v.start, o)))
        .collect();
    seen.sort_by_key(|(at, _)| *at);
    let nums =
        |f: fn(&care_model::Observations) -> Option<u64>| seen.iter().filter_map(move |(_, o)| f(o)).map(|n| n as f64);
    let mut lines = Vec::new();
    if let Some(n) = range(nums(|o| o.bowel), whole) {
        let bristol = range(nums(|o| o.bristol), whole)
            .map(|b| format!("（ブリストル {b}）"))
            .unwrap_or_default();
        lines.push(format!("排便 {n} 回/訪問{bristol}"));
    }
    if let Some(n) = range(nums(|o| o.urine), whole) {
        lines.push(format!("排尿 {n} 回/訪問"));
    }
    if let Some(n) = range(nums(|o| o.food), whole) {
        lines.push(format!("食事摂取量 {n} 割"));
    }
    if let Some(n) = range(nums(|o| o.fluid_ml), whole) {
        lines.push(format!("水分摂取量 {n} mL"));
    }
    if let Some(e) = seen.iter().rev().find_map(|(_, o)| o.edema) {
        lines.push(format!("浮腫 {}", e.label_ja()));
    }
    if let Some(s) = seen.iter().rev().find_map(|(_, o)| o.sleep) {
        lines.push(format!("睡眠 {}", s.label_ja()));
    }
    for (name, f) in [
        (
            "寝たきり度",
            (|o: &care_model::Observations| o.bedridden.clone()) as fn(&care_model::Observations) -> Option<String>,
        ),
        ("認知症の自立度", |o| o.dementia.clone()),
    ] {
        let mut levels: Vec<String> = seen.iter().filter_map(|(_, o)| f(o)).collect();
        levels.dedup();
        if !levels.is_empty() {
            lines.push(format!("{name} {}", levels.join("→")));
        }
    }
    lines
}

/// The free text proposed for the month from the record.
pub fn draft(record: &Record, year: i32, month: u32) -> BTreeMap<String, String> {
    let Some((first, next)) = bounds(year, month) else {
        return BTreeMap::new();
    };
    let readings: Vec<_> = record
        .vitals
        .values()
        .map(|e| &e.reading)
        .filter(|r| in_month(r.taken_at, first, next))
        .collect();
    let mut course = Vec::new();
    if let (Some(s), Some(d)) = (
        range(readings.iter().filter_map(|r| r.systolic.map(f64::from)), whole),
        range(readings.iter().filter_map(|r| r.diastolic.map(f64::from)), whole),
    ) {
        course.push(format!("血圧 {s}/{d} mmHg"));
    }
    if let Some(p) = range(readings.iter().filter_map(|r| r.pulse.map(f64::from)), whole) {
        course.push(format!("脈拍 {p} 回/分"));
    }
    if let Some(t) = range(readings.iter().filter_map(|r| r.temperature), |t| format!("{t:.1}")) {
        course.push(format!("体温 {t} ℃"));
    }
    if let Some(s) = range(readings.iter().filter_map(|r| r.spo2.map(f64::from)), whole) {
        course.push(format!("SpO2 {s} %"));
    }
    let visits: Vec<_> = record
        .visits
        .values()
        .filter(|v| v.outcome == VisitOutcome::Done && in_month(v.start, first, next))
        .collect();
    course.extend(observed(&visits));
    let urgent = visits.iter().filter(|v| v.kind == VisitKind::Urgent).count();
    let mut care = vec![format!("訪問 {} 回（うち緊急 {urgent} 回）", visits.len())];
    let mut done: Vec<_> = record
        .tasks
        .values()
        .filter(|t| t.status == TaskStatus::Done && t.closed_at.is_some_and(|c| in_month(c, first, next)))
        .map(|t| t.title.clone())
        .collect();
    done.sort();
    done.dedup();
    care.extend(done);
    let mut urgent_notes: Vec<_> = record
        .notes
        .values()
        .filter(|n| in_month(n.written_at, first, next) && n.current().urgency == Urgency::Urgent)
        .collect();
    urgent_notes.sort_by_key(|n| n.written_at);
    let special: Vec<String> = urgent_notes
        .iter()
        .take(SPECIAL_NOTES)
        .map(|n| {
            let d = n.written_at.date_jst().0;
            format!(
                "{}/{} {}",
                d.month(),
                d.day(),
                n.current().text.lines().next().unwrap_or("")
            )
        })
        .collect();
    BTreeMap::from([
        ("course".to_string(), course.join("、")),
        ("care".to_string(), care.join("\n")),
        ("home".to_string(), String::new()),
        ("special".to_string(), special.join("\n")),
    ])
}

/// The kept draft over the proposal.
pub fn fields(record: &Record, kept: &Draft, year: i32, month: u32) -> BTreeMap<String, String> {
    let mut out = draft(record, year, month);
    for (k, v) in &kept.fields {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// A point on the chart, both axes 0..1 (x: through the month, y: up the
/// scale), clamped so an outlier stays on the paper.
fn point(t: Timestamp, first: CalendarDate, days: f64, v: f64, scale: (f64, f64)) -> [f64; 2] {
    let x = (t.0 - first.start_jst().0) as f64 / (days * 86_400_000.0);
    let y = (v - scale.0) / (scale.1 - scale.0);
    [x.clamp(0.0, 1.0), y.clamp(0.0, 1.0)]
}

/// The month's readings as chart series (the template draws them: solid,
/// dashed and dotted lines, told apart without colour).
fn chart(record: &Record, ctx: &Context, first: CalendarDate, next: CalendarDate) -> Value {
    let days = (next.0 - first.0).num_days() as f64;
    let mut readings: Vec<_> = record
        .vitals
        .values()
        .map(|e| &e.reading)
        .filter(|r| in_month(r.taken_at, first, next))
        .collect();
    readings.sort_by_key(|r| r.taken_at);
    let series = |key: &str, dash: &str, get: &dyn Fn(&care_model::VitalSigns) -> Option<f64>, scale| {
        let points: Vec<[f64; 2]> = readings
            .iter()
            .filter_map(|r| get(r).map(|v| point(r.taken_at, first, days, v, scale)))
            .collect();
        json!({ "label": crate::labels::get(ctx.lang, key), "dash": dash, "points": points })
    };
    let ticks = |scale: (f64, f64), step: f64| {
        let mut v = Vec::new();
        let mut at = scale.0;
        while at <= scale.1 + 1e-9 {
            v.push(json!({ "y": (at - scale.0) / (scale.1 - scale.0), "text": format!("{at:.0}") }));
            at += step;
        }
        v
    };
    let day_ticks: Vec<Value> = [1, 5, 10, 15, 20, 25, 30]
        .into_iter()
        .filter(|d| (*d as f64) <= days)
        .map(|d| json!({ "x": (d as f64 - 1.0) / days, "text": d.to_string() }))
        .collect();
    json!({
        "empty": readings.is_empty(),
        "days": day_ticks,
        "bp": {
            "series": [
                series("systolic", "solid", &|r| r.systolic.map(f64::from), BP_SCALE),
                series("diastolic", "dashed", &|r| r.diastolic.map(f64::from), BP_SCALE),
                series("pulse", "dotted", &|r| r.pulse.map(f64::from), BP_SCALE),
            ],
            "ticks": ticks(BP_SCALE, 40.0),
        },
        "temperature": {
            "series": [series("temperature", "solid", &|r| r.temperature, TEMP_SCALE)],
            "ticks": ticks(TEMP_SCALE, 2.0),
        },
    })
}

/// The sheet's data for the month, with the free text `text`.
pub fn sheet(
    record: &Record,
    year: i32,
    month: u32,
    text: &BTreeMap<String, String>,
    kept: &Draft,
    ctx: &Context,
) -> Result<Value, crate::SheetError> {
    let (first, next) = bounds(year, month)
        .ok_or_else(|| crate::SheetError::Input(format!("no such month: {year:04}-{month:02} (YYYY-MM)")))?;
    // Visit days: ◎ when any visit that day was urgent, else ○.
    let mut marks: BTreeMap<u32, &str> = BTreeMap::new();
    let mut count = 0;
    for v in record.visits.values() {
        if v.outcome == VisitOutcome::Done && in_month(v.start, first, next) {
            count += 1;
            let day = v.start.date_jst().0.day();
            let mark = if v.kind == VisitKind::Urgent { "◎" } else { "○" };
            let e = marks.entry(day).or_insert(mark);
            if mark == "◎" {
                *e = mark;
            }
        }
    }
    let days = (next.0 - first.0).num_days() as u32;
    let calendar: Vec<Value> = (1..=days)
        .map(|d| json!({ "day": d, "mark": marks.get(&d).copied().unwrap_or("") }))
        .collect();
    let p = &record.patient;
    let month_text = match ctx.lang {
        crate::Lang::Ja => format!("{year}年{month}月"),
        crate::Lang::En => format!("{year:04}-{month:02}"),
    };
    let body = json!({
        "patient": common::patient(record, ctx),
        "month": month_text,
        "calendar": calendar,
        "visits": count,
        "doctor": common::person(p.doctor.as_ref()),
        "diagnoses": common::diagnoses(record),
        "problems": p.problems,
        "chart": chart(record, ctx, first, next),
        "text": text,
        "saved": crate::summary::saved(record, kept, ctx),
    });
    Ok(common::sheet("report", ctx, body))
}
