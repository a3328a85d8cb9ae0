//! Today: the patients' cards, tasks due, urgent items, and the desktop
//! notification of an urgent one.

use care_model::{Record, TaskStatus, Urgency};
use serde::Serialize;
use specta::Type;

use super::*;

#[derive(Debug, Clone, Serialize, Type)]
pub struct PatientCard {
    pub team: String,
    pub name: String,
    pub kana: Option<String>,
    pub age: Option<u32>,
    pub care_level: Option<String>,
    pub open_tasks: u32,
    pub overdue: u32,
    pub urgent: u32,
    pub pending: u32,
    pub last_visit: Option<i64>,
    pub sample: bool,
    /// Open tasks given to me (or my profession) due today or earlier.
    pub my_tasks_due: u32,
    /// 利用終了: shown only in the closed list.
    pub closed: bool,
    pub closed_reason: Option<String>,
    pub closed_on: Option<String>,
    /// The certification ends within a month: time to apply for renewal.
    pub renewal_due: Option<String>,
    /// Where the doctor's instruction (訪問看護指示書) stands.
    pub instruction: InstructionStateView,
    /// A consent to share is in force today (else Today marks the card).
    pub consent: bool,
    /// This laptop's member joined as family: the card shows no clinical
    /// marks (instruction, consent).
    pub family: bool,
    /// Open wounds not assessed for longer than the interval.
    pub wounds_due: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TaskItem {
    pub team: String,
    pub patient: String,
    pub id: String,
    pub title: String,
    pub due: Option<String>,
    pub priority: String,
    pub overdue: bool,
    pub assignee: Option<String>,
    pub mine: bool,
}

/// An urgent note or reading that needs someone to look.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct UrgentItem {
    pub team: String,
    pub patient: String,
    /// `note` or `vitals`.
    pub kind: String,
    pub id: String,
    /// A note's text; empty for a reading, whose `flags` say what is wrong
    /// (the screen words them in its language).
    pub text: String,
    pub flags: Vec<FlagView>,
    pub author: String,
    pub at: i64,
    pub acked_by_me: bool,
    /// Written by the viewer (who need not acknowledge it).
    pub mine: bool,
    /// Nobody has acknowledged it yet: it stays at the top.
    pub unacknowledged: bool,
    /// Who acknowledged it and when (確認済み), earliest first.
    pub acked: Vec<AckView>,
    /// Where its escalation stands: `waiting` (未確認), `on-call` (当番へ
    /// 通知), `admins` (管理者へ通知), `acknowledged` (確認済み).
    pub stage: String,
    /// When the on-call member was or will be told.
    pub on_call_at: i64,
    /// When the admins were or will be told.
    pub admins_at: i64,
    /// Whether the on-call step was reached (before the acknowledgement).
    pub reached_on_call: bool,
    pub reached_admins: bool,
    /// The viewer is one of its first responders (the patient's own nurses,
    /// or not a nurse): told at once, not only through escalation.
    pub first_responder: bool,
}

/// The escalation fields of an urgent item.
fn with_escalation(mut item: UrgentItem, e: &care_model::Escalation) -> UrgentItem {
    item.stage = e.stage.code().into();
    item.on_call_at = ms(e.on_call_at);
    item.admins_at = ms(e.admins_at);
    item.reached_on_call = e.reached_on_call;
    item.reached_admins = e.reached_admins;
    item
}

fn ack_views(record: &Record, acks: &std::collections::BTreeMap<String, Timestamp>) -> Vec<AckView> {
    let mut v: Vec<AckView> = acks
        .iter()
        .map(|(m, at)| AckView {
            member: m.clone(),
            name: m.parse().map(|id| name_of(record, &id)).unwrap_or_else(|_| m.clone()),
            at: ms(*at),
        })
        .collect();
    v.sort_by_key(|a| a.at);
    v
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Today {
    pub me: DeviceView,
    pub date: String,
    pub patients: Vec<PatientCard>,
    pub tasks: Vec<TaskItem>,
    pub urgent: Vec<UrgentItem>,
    /// Today's planned visits of every open case (mine and the station's),
    /// and those of the last week nobody recorded.
    pub visits: Vec<PlannedVisitItem>,
    pub sync: SyncView,
    /// Who is on call now at each station on this laptop.
    pub on_call: Vec<OnCallView>,
}

/// Urgent notes of the last week the viewer or nobody has acknowledged, and
/// urgent readings of the last week; unacknowledged ones first, then newest.
pub fn urgent_items(record: &Record, viewer: &Viewer) -> Vec<UrgentItem> {
    let since = viewer.now.0 - URGENT_WINDOW_MS;
    let patient = record.patient.name.clone();
    let escalations: std::collections::HashMap<String, care_model::Escalation> =
        care_model::escalation::urgent_items(record, crate::app::minute_ms(), viewer.now)
            .into_iter()
            .map(|u| (u.id, u.escalation))
            .collect();
    let first_responder = match (viewer.profession, viewer.member.parse::<care_model::MemberId>()) {
        (Some(profession), Ok(me)) => care_model::notify::first_responder(record, &me, profession, viewer.now),
        _ => true,
    };
    let mut items: Vec<UrgentItem> = record
        .notes
        .iter()
        .filter(|(_, n)| n.current().urgency == Urgency::Urgent)
        .filter(|(_, n)| n.acks.is_empty() || (n.written_at.0 >= since && !n.acks.contains_key(&viewer.member)))
        .map(|(id, n)| UrgentItem {
            team: record.team.to_string(),
            patient: patient.clone(),
            kind: "note".into(),
            id: id.clone(),
            text: n.current().text.clone(),
            flags: Vec::new(),
            author: name_of(record, &n.author),
            at: ms(n.written_at),
            acked_by_me: n.acks.contains_key(&viewer.member),
            mine: n.author.to_string() == viewer.member,
            unacknowledged: n.acks.is_empty(),
            acked: ack_views(record, &n.acks),
            first_responder,
            ..Default::default()
        })
        .collect();
    items.extend(
        record
            .vitals
            .iter()
            .filter(|(_, e)| record.thresholds.level(&e.reading) == Urgency::Urgent)
            // As for notes: unacknowledged ones stay; acknowledged ones for a week.
            .filter(|(_, e)| {
                e.acks.is_empty() || (e.reading.taken_at.0 >= since && !e.acks.contains_key(&viewer.member))
            })
            .map(|(id, e)| UrgentItem {
                team: record.team.to_string(),
                patient: patient.clone(),
                kind: "vitals".into(),
                id: id.clone(),
                text: String::new(),
                flags: flags(&record.thresholds, &e.reading)
                    .into_iter()
                    .filter(|f| f.level == "urgent")
                    .collect(),
                author: name_of(record, &e.author),
                at: ms(e.reading.taken_at),
                acked_by_me: e.acks.contains_key(&viewer.member),
                mine: e.author.to_string() == viewer.member,
                unacknowledged: e.acks.is_empty(),
                acked: ack_views(record, &e.acks),
                first_responder,
                ..Default::default()
            }),
    );
    let mut items: Vec<UrgentItem> = items
        .into_iter()
        .map(|i| match escalations.get(&i.id) {
            Some(e) => with_escalation(i, e),
            None => i,
        })
        .collect();
    items.sort_by(|a, b| b.unacknowledged.cmp(&a.unacknowledged).then(b.at.cmp(&a.at)));
    items
}

/// A desktop notification's title and text in the user's language
/// (`ja` or `en`): a reading's flags in words, not field codes.
pub fn notification(item: &UrgentItem, lang: &str) -> (String, String) {
    let en = lang == "en";
    let title = match (item.kind.as_str(), en) {
        ("note", false) => format!("緊急: {}", item.patient),
        ("note", true) => format!("Urgent: {}", item.patient),
        ("addressed", false) => format!("あなた宛て: {}", item.patient),
        ("addressed", true) => format!("To you: {}", item.patient),
        (_, false) => format!("バイタル緊急域: {}", item.patient),
        (_, true) => format!("Vital signs past the urgent band: {}", item.patient),
    };
    let body = if item.kind == "note" || item.kind == "addressed" {
        item.text.clone()
    } else {
        item.flags
            .iter()
            .map(|f| {
                let (ja, en_label) = field_label(std::slice::from_ref(&f.field));
                format!("{} {}", if en { en_label } else { ja }, f.value)
            })
            .collect::<Vec<_>>()
            .join(if en { ", " } else { "、" })
    };
    (title, body)
}

pub fn patient_card(record: &Record, viewer: &Viewer, sample: bool, pending: u32) -> PatientCard {
    let open: Vec<_> = record.tasks.values().filter(|t| t.status == TaskStatus::Open).collect();
    PatientCard {
        team: record.team.to_string(),
        name: record.patient.name.clone(),
        kana: record.patient.kana.clone(),
        age: record.patient.born.map(|b| age_on(b, viewer.today)),
        care_level: record.patient.care_level.map(|c| c.code().into()),
        open_tasks: open.len() as u32,
        overdue: open.iter().filter(|t| overdue(t, viewer.today)).count() as u32,
        urgent: urgent_items(record, viewer).len() as u32,
        pending,
        last_visit: record.vitals.values().map(|v| ms(v.reading.taken_at)).max(),
        sample,
        my_tasks_due: open
            .iter()
            .filter(|t| assigned_to(t, viewer) && t.due.is_some_and(|d| d <= viewer.today))
            .count() as u32,
        closed: record.case.is_closed(),
        closed_reason: record.case.closed.as_ref().map(|c| c.reason.code().into()),
        closed_on: record.case.closed.as_ref().map(|c| c.date.iso()),
        renewal_due: record
            .patient
            .renewal_due()
            .filter(|d| *d <= viewer.today)
            .map(|d| d.iso()),
        instruction: instruction_state(record, viewer.today),
        consent: record.consent_on(viewer.today).is_some(),
        family: false,
        wounds_due: record.wounds_due(viewer.today, super::WOUND_INTERVAL_DAYS).len() as u32,
    }
}

/// Open tasks due today or earlier (and undated high-priority ones).
pub fn due_tasks(record: &Record, viewer: &Viewer) -> Vec<TaskItem> {
    record
        .tasks_in_order()
        .into_iter()
        .filter(|(_, t)| t.status == TaskStatus::Open)
        .filter(|(_, t)| match t.due {
            Some(d) => d <= viewer.today,
            None => t.priority == care_model::Priority::High,
        })
        .map(|(id, t)| TaskItem {
            team: record.team.to_string(),
            patient: record.patient.name.clone(),
            id: id.to_string(),
            title: t.title.clone(),
            due: t.due.map(|d| d.iso()),
            priority: t.priority.code().into(),
            overdue: overdue(t, viewer.today),
            assignee: assignee(record, &t.assignee),
            mine: assigned_to(t, viewer),
        })
        .collect()
}
