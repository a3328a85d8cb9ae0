//! The day's plan: planned visits (weekly patterns and dated ones), who
//! goes, which were made, which were missed; and the record's plans and
//! recent visits.

use care_model::{Occurrence, Record, Visit, VisitPlan};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{assigned_to_viewer, assignee, assignee_code, ms, name_of, Viewer};

/// How far back a planned visit nobody recorded shows as missed.
pub const MISSED_DAYS: i64 = 7;

/// A planned visit on Today.
#[derive(Debug, Clone, Serialize, Type)]
pub struct PlannedVisitItem {
    pub team: String,
    pub patient: String,
    /// `<plan id>:<YYYY-MM-DD>`: what the visit form records it against.
    pub occurrence: String,
    pub date: String,
    pub start: String,
    pub end: String,
    /// A member's name or `profession:<code>`; none for anyone.
    pub who: Option<String>,
    pub mine: bool,
    /// `done` or `absent` once recorded.
    pub outcome: Option<String>,
    /// A past day's visit nobody recorded.
    pub missed: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PlanView {
    pub id: String,
    /// 1 = Monday ... 7 = Sunday; none for a single dated visit.
    pub weekday: Option<u8>,
    pub from: String,
    pub until: Option<String>,
    pub start: String,
    pub end: String,
    pub who: Option<String>,
    pub who_code: Option<String>,
    pub stopped: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct VisitView {
    pub id: String,
    pub kind: String,
    pub outcome: String,
    pub start: i64,
    pub end: Option<i64>,
    pub by: String,
    pub planned: Option<String>,
    pub soft_signs: Vec<String>,
    /// 排便, 排尿, 食事, 水分 … when any was recorded.
    pub observations: Option<ObservationView>,
}

/// What was observed at a visit; codes for sleep and oedema (the screen
/// labels them in its language).
#[derive(Debug, Clone, Serialize, Type)]
pub struct ObservationView {
    pub bowel: Option<u32>,
    pub bristol: Option<u32>,
    pub urine: Option<u32>,
    pub food: Option<u32>,
    pub fluid_ml: Option<u32>,
    pub sleep: Option<String>,
    pub edema: Option<String>,
    pub skin: Option<String>,
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
}

fn observation_view(o: &care_model::Observations) -> ObservationView {
    let n = |v: Option<u64>| v.map(|v| v.min(u64::from(u32::MAX)) as u32);
    ObservationView {
        bowel: n(o.bowel),
        bristol: n(o.bristol),
        urine: n(o.urine),
        food: n(o.food),
        fluid_ml: n(o.fluid_ml),
        sleep: o.sleep.map(|s| s.code().into()),
        edema: o.edema.map(|e| e.code().into()),
        skin: o.skin.clone(),
        bedridden: o.bedridden.clone(),
        dementia: o.dementia.clone(),
    }
}

/// A new plan from the record's form.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct PlanInput {
    /// 1-7 for every week on that day; none for one visit on `date`.
    pub weekday: Option<u8>,
    /// The first day (a weekly plan) or the day (a single visit); today when empty.
    pub date: Option<String>,
    pub start: String,
    pub end: String,
    pub who: Option<String>,
}

fn item(record: &Record, o: &Occurrence, made: Option<&Visit>, viewer: &Viewer, missed: bool) -> PlannedVisitItem {
    PlannedVisitItem {
        team: record.team.to_string(),
        patient: record.patient.name.clone(),
        occurrence: o.id.clone(),
        date: o.date.iso(),
        start: o.start.clone(),
        end: o.end.clone(),
        who: assignee(record, &o.who),
        mine: assigned_to_viewer(&o.who, viewer),
        outcome: made.map(|v| v.outcome.code().into()),
        missed,
    }
}

/// Today's planned visits of `record`, and the missed ones of the week before.
pub fn planned_visits(record: &Record, viewer: &Viewer) -> Vec<PlannedVisitItem> {
    let mut out: Vec<PlannedVisitItem> = record
        .day_plan(viewer.today)
        .iter()
        .map(|(o, made)| item(record, o, made.map(|(_, v)| v), viewer, false))
        .collect();
    out.extend(
        record
            .missed(viewer.today, MISSED_DAYS)
            .iter()
            .map(|o| item(record, o, None, viewer, true)),
    );
    out
}

pub fn plan_views(record: &Record) -> Vec<PlanView> {
    let mut v: Vec<PlanView> = record
        .plans
        .iter()
        .map(|(id, p): (&String, &VisitPlan)| PlanView {
            id: id.clone(),
            weekday: p.weekday,
            from: p.from.iso(),
            until: p.until.map(|d| d.iso()),
            start: p.start.clone(),
            end: p.end.clone(),
            who: assignee(record, &p.who),
            who_code: assignee_code(&p.who),
            stopped: p.stopped.map(|d| d.iso()),
        })
        .collect();
    v.sort_by(|a, b| (a.stopped.is_some(), a.weekday, &a.start).cmp(&(b.stopped.is_some(), b.weekday, &b.start)));
    v
}

pub fn visit_views(record: &Record) -> Vec<VisitView> {
    let mut v: Vec<VisitView> = record
        .visits
        .iter()
        .map(|(id, x)| VisitView {
            id: id.clone(),
            kind: x.kind.code().into(),
            outcome: x.outcome.code().into(),
            start: ms(x.start),
            end: x.end.map(ms),
            by: name_of(record, &x.by),
            planned: x.planned.clone(),
            soft_signs: x.soft_signs.iter().map(|s| s.code().to_string()).collect(),
            observations: x.observations.as_ref().map(observation_view),
        })
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.start));
    v
}
