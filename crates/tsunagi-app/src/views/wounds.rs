//! Wounds as the record screen shows them: each with its DESIGN-R 2020
//! assessments oldest first (the total's course), and whether one is due.

use care_model::{Record, Wound};
use serde::Serialize;
use specta::Type;

use super::{ms, name_of};

/// Days after which an open wound is due to be assessed again.
pub const WOUND_INTERVAL_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, Type)]
pub struct AssessmentView {
    pub id: String,
    pub at: i64,
    /// As charted: `D3-e3s9i1g3N3p0:19`.
    pub notation: String,
    pub total: u32,
    pub depth: String,
    pub note: Option<String>,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct WoundView {
    pub id: String,
    pub site: String,
    /// `pressure_ulcer`, `surgical`, `skin_tear`, `other`.
    pub kind: String,
    pub started_on: String,
    pub closed_on: Option<String>,
    /// Oldest first.
    pub assessments: Vec<AssessmentView>,
    /// Open and not assessed for longer than the interval.
    pub due: bool,
}

pub fn wound_views(record: &Record, today: care_model::CalendarDate) -> Vec<WoundView> {
    let due: Vec<&str> = record
        .wounds_due(today, WOUND_INTERVAL_DAYS)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut v: Vec<WoundView> = record
        .wounds
        .iter()
        .map(|(id, w): (&String, &Wound)| WoundView {
            id: id.clone(),
            site: w.site.clone(),
            kind: w.kind.code().into(),
            started_on: w.started_on.iso(),
            closed_on: w.closed_on.map(|d| d.iso()),
            assessments: w
                .in_order()
                .into_iter()
                .map(|(aid, a)| AssessmentView {
                    id: aid.to_string(),
                    at: ms(a.at),
                    notation: a.scores.notation(),
                    total: a.scores.total(),
                    depth: a.scores.depth.clone(),
                    note: a.note.clone(),
                    by: name_of(record, &a.by),
                })
                .collect(),
            due: due.contains(&id.as_str()),
        })
        .collect();
    v.sort_by(|a, b| (a.closed_on.is_some(), &a.started_on).cmp(&(b.closed_on.is_some(), &b.started_on)));
    v
}
