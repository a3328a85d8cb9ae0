//! What the screens show, as plain data: built from a [`Record`] by pure
//! functions (no I/O, so they are unit-tested without a window), and sent to
//! the front end as JSON. The TypeScript types in `app-ui/src/bindings.ts` are
//! generated from these structs; they are never written by hand.
//!
//! Times are milliseconds since the epoch (`number` in TypeScript: exact up
//! to 2^53, so for 285,000 years); calendar dates are ISO `YYYY-MM-DD` strings.

use care_model::{
    Assignee, CalendarDate, Note, Record, TaskStatus, Thresholds, Timestamp, Urgency, VitalSigns, VitalsEntry,
};
use serde::{Deserialize, Serialize};
use specta::Type;

mod team;
pub use team::*;

/// How far back an urgent note or reading stays on Today.
pub const URGENT_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

fn ms(t: Timestamp) -> i64 {
    t.0
}

/// Age in whole years on `today` (満年齢).
pub fn age_on(born: CalendarDate, today: CalendarDate) -> u32 {
    use chrono::Datelike;
    let (b, t) = (born.0, today.0);
    let mut age = t.year() - b.year();
    if (t.month(), t.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// One term of a controlled vocabulary, with its labels.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Term {
    pub code: String,
    pub ja: String,
    pub en: String,
}

/// Every vocabulary the forms offer, from care-model's enums (one source).
#[derive(Debug, Clone, Serialize, Type)]
pub struct Vocabulary {
    pub professions: Vec<Term>,
    pub note_categories: Vec<Term>,
    pub urgencies: Vec<Term>,
    pub priorities: Vec<Term>,
    pub care_levels: Vec<Term>,
    pub task_statuses: Vec<Term>,
    pub sexes: Vec<Term>,
}

macro_rules! terms {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| Term {
                code: v.code().into(),
                ja: v.label_ja().into(),
                en: v.label_en().into(),
            })
            .collect()
    };
}

pub fn vocabulary() -> Vocabulary {
    use care_model::*;
    Vocabulary {
        professions: terms!(Profession),
        note_categories: terms!(NoteCategory),
        urgencies: terms!(Urgency),
        priorities: terms!(Priority),
        care_levels: terms!(CareLevel),
        task_statuses: terms!(TaskStatus),
        sexes: terms!(Sex),
    }
}

/// This laptop's user.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DeviceView {
    pub device: String,
    pub member: String,
    pub name: String,
    pub kana: Option<String>,
    pub profession: String,
    pub organisation: String,
    pub language: String,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct ProfileInput {
    pub name: String,
    pub kana: Option<String>,
    pub profession: String,
    pub organisation: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct PatientInput {
    pub name: String,
    pub kana: Option<String>,
    /// As typed: `1942-03-05`, `昭和17年3月5日`, `S17.3.5`.
    pub born: Option<String>,
    pub sex: Option<String>,
    pub care_level: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub allergies: Vec<String>,
}

/// The connection, as the status bar shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct SyncView {
    pub relay: Option<String>,
    pub online: bool,
    /// Saved here, not yet acknowledged by the relay (送信待ち).
    pub pending: u32,
    pub last_synced: Option<i64>,
    pub last_error: Option<String>,
    /// Envelopes that failed their checks and were set aside.
    pub quarantined: u32,
    /// When these counts were read: a save at or after this is not in them.
    pub as_of: i64,
}

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
}

/// An urgent note or reading that needs someone to look.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UrgentItem {
    pub team: String,
    pub patient: String,
    /// `note` or `vitals`.
    pub kind: String,
    pub id: String,
    pub text: String,
    pub author: String,
    pub at: i64,
    pub acked_by_me: bool,
    /// Written by the viewer (who need not acknowledge it).
    pub mine: bool,
    /// Nobody has acknowledged it yet: it stays at the top.
    pub unacknowledged: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Today {
    pub me: DeviceView,
    pub date: String,
    pub patients: Vec<PatientCard>,
    pub tasks: Vec<TaskItem>,
    pub urgent: Vec<UrgentItem>,
    pub sync: SyncView,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ContactView {
    pub name: String,
    pub kana: Option<String>,
    pub relation: String,
    pub phone: String,
    pub key_person: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PatientView {
    pub name: String,
    pub kana: Option<String>,
    pub born: Option<String>,
    pub age: Option<u32>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub care_level: Option<String>,
    pub diagnoses: Vec<String>,
    pub services: Vec<String>,
    pub allergies: Vec<String>,
    pub problems: Vec<String>,
    pub acp: Option<String>,
    /// In calling order.
    pub contacts: Vec<ContactView>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AckView {
    pub member: String,
    pub name: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct NoteView {
    pub id: String,
    pub text: String,
    pub category: String,
    pub urgency: String,
    pub author: String,
    pub author_name: String,
    pub profession: String,
    pub organisation: String,
    pub written_at: i64,
    /// Versions after the first (the text shown is the latest).
    pub edits: u32,
    pub acks: Vec<AckView>,
    pub acked_by_me: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FlagView {
    pub field: String,
    /// The reading as shown: `89`, `36.8`, or `HI` / `LO` off a meter's scale.
    pub value: String,
    /// `attention` or `urgent`.
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct VitalsView {
    pub id: String,
    pub taken_at: i64,
    pub author_name: String,
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    pub pulse: Option<f64>,
    pub temperature: Option<f64>,
    pub spo2: Option<f64>,
    pub oxygen: Option<f64>,
    pub respiratory_rate: Option<f64>,
    pub weight: Option<f64>,
    pub glucose: Option<f64>,
    /// `HI` or `LO` when the meter read out of range.
    pub glucose_flag: Option<String>,
    pub pain: Option<f64>,
    pub consciousness: Option<String>,
    pub flags: Vec<FlagView>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BandView {
    pub field: String,
    pub attention_below: Option<f64>,
    pub attention_above: Option<f64>,
    pub urgent_below: Option<f64>,
    pub urgent_above: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub due: Option<String>,
    pub priority: String,
    pub status: String,
    /// A member's name or a profession code (`profession:nurse`).
    pub assignee: Option<String>,
    pub created_by: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct MedicationView {
    pub id: String,
    pub name: String,
    pub dose: String,
    pub schedule: String,
    pub prescriber: Option<String>,
    pub start: Option<String>,
    pub stop: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub kana: Option<String>,
    pub profession: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub fax: Option<String>,
    pub on_call: bool,
    pub me: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RecordView {
    pub team: String,
    pub sample: bool,
    pub patient: PatientView,
    /// The newest notes first; `notes_total` says how many there are in all.
    pub notes: Vec<NoteView>,
    pub notes_total: u32,
    /// Oldest first, as the chart draws them; `vitals_total` says how many
    /// there are in all.
    pub vitals: Vec<VitalsView>,
    pub vitals_total: u32,
    pub thresholds: Vec<BandView>,
    pub tasks: Vec<TaskView>,
    pub medications: Vec<MedicationView>,
    pub members: Vec<MemberView>,
    pub pending: u32,
    /// A newer version of Tsunagi wrote this record: what this version does
    /// not know is kept, not shown.
    pub written_by_newer: bool,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct NoteInput {
    pub text: String,
    pub category: String,
    pub urgency: String,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct VisitInput {
    pub team: String,
    /// As typed; parsed and checked in Rust (`VitalsForm::parse`).
    pub vitals: care_model::VitalsForm,
    pub note: Option<NoteInput>,
    /// Tasks ticked as done on this visit.
    pub done_tasks: Vec<String>,
}

/// Before saving: what is out of the patient's bands, or which field is wrong.
#[derive(Debug, Clone, Serialize, Type)]
pub struct VitalsCheck {
    pub flags: Vec<FlagView>,
    pub error: Option<crate::error::AppError>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SaveResult {
    /// Durable on this laptop at this time (taken after the commit).
    pub saved_at: i64,
    /// Waiting to reach the relay, this one included.
    pub pending: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ChangeItem {
    /// `note`, `vitals`, `task`, `medication`.
    pub kind: String,
    pub summary: String,
    pub author: String,
    pub organisation: String,
    pub at: i64,
    pub urgent: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ConflictValue {
    pub value: String,
    pub author: String,
    pub at: Option<i64>,
}

/// Two laptops wrote different values while offline (同時に編集されました).
#[derive(Debug, Clone, Serialize, Type)]
pub struct ConflictView {
    pub field: String,
    pub values: Vec<ConflictValue>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReviewTeam {
    pub team: String,
    pub patient: String,
    pub sample: bool,
    /// When I last marked it reviewed (on any of my laptops).
    pub last_review: Option<i64>,
    /// Other members' latest reviews, newest first.
    pub reviewers: Vec<Reviewer>,
    /// Newest first, since my last review (never reviewed: the last 30 days).
    pub changes: Vec<ChangeItem>,
    pub conflicts: Vec<ConflictView>,
    /// Urgent notes and who has not acknowledged them.
    pub unacknowledged: Vec<UrgentItem>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Reviewer {
    pub name: String,
    pub at: i64,
}

/// What a never-reviewed record shows as "changed": the last 30 days.
pub const FIRST_REVIEW_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

/// Other members' reviews of `record`, newest first.
pub fn reviewers(record: &Record, viewer: &Viewer) -> Vec<Reviewer> {
    let me = viewer.member.to_string();
    let mut out: Vec<Reviewer> = record
        .reviews
        .iter()
        .filter(|(m, _)| **m != me)
        .map(|(m, at)| Reviewer {
            name: record
                .members
                .get(m)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".into()),
            at: ms(*at),
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.at));
    out
}

/// Who is reading: decides "mine", "acknowledged by me" and overdue.
pub struct Viewer {
    pub member: String,
    pub today: CalendarDate,
    pub now: Timestamp,
}

fn name_of(record: &Record, member: &care_model::MemberId) -> String {
    record.member_name(member).unwrap_or("?").to_string()
}

fn overdue(task: &care_model::Task, today: CalendarDate) -> bool {
    task.status == TaskStatus::Open && task.due.is_some_and(|d| d < today)
}

pub fn patient_view(p: &care_model::Patient, today: CalendarDate) -> PatientView {
    PatientView {
        name: p.name.clone(),
        kana: p.kana.clone(),
        born: p.born.map(|b| b.iso()),
        age: p.born.map(|b| age_on(b, today)),
        sex: p.sex.map(|s| s.code().into()),
        address: p.address.clone(),
        phone: p.phone.clone(),
        care_level: p.care_level.map(|c| c.code().into()),
        diagnoses: p.diagnoses.iter().map(|d| d.name.clone()).collect(),
        services: p.services.clone(),
        allergies: p.allergies.clone(),
        problems: p.problems.clone(),
        acp: p.acp.clone(),
        contacts: p
            .contacts
            .iter()
            .map(|c| ContactView {
                name: c.name.clone(),
                kana: c.kana.clone(),
                relation: c.relation.clone(),
                phone: c.phone.clone(),
                key_person: c.key_person,
            })
            .collect(),
    }
}

pub fn note_view(record: &Record, id: &str, n: &Note, viewer: &Viewer) -> NoteView {
    let v = n.current();
    NoteView {
        id: id.to_string(),
        text: v.text.clone(),
        category: v.category.code().into(),
        urgency: v.urgency.code().into(),
        author: n.author.to_string(),
        author_name: name_of(record, &n.author),
        profession: n.profession.code().into(),
        organisation: n.organisation.clone(),
        written_at: ms(n.written_at),
        edits: n.versions.len().saturating_sub(1) as u32,
        acks: n
            .acks
            .iter()
            .map(|(m, at)| AckView {
                member: m.clone(),
                name: m
                    .parse()
                    .ok()
                    .and_then(|id| record.member_name(&id))
                    .unwrap_or("?")
                    .to_string(),
                at: ms(*at),
            })
            .collect(),
        acked_by_me: n.acks.contains_key(&viewer.member),
    }
}

/// Every reading outside the patient's bands, worst first.
pub fn flags(thresholds: &Thresholds, reading: &VitalSigns) -> Vec<FlagView> {
    thresholds
        .assess(reading)
        .into_iter()
        .map(|f| FlagView {
            field: f.field.into(),
            value: match f.value {
                v if v == f64::INFINITY => "HI".into(),
                v if v == f64::NEG_INFINITY => "LO".into(),
                v => v.to_string(),
            },
            level: f.level.code().into(),
        })
        .collect()
}

pub fn vitals_view(record: &Record, id: &str, e: &VitalsEntry) -> VitalsView {
    let r = &e.reading;
    let f = |x: Option<u16>| x.map(f64::from);
    VitalsView {
        id: id.to_string(),
        taken_at: ms(r.taken_at),
        author_name: name_of(record, &e.author),
        systolic: f(r.systolic),
        diastolic: f(r.diastolic),
        pulse: f(r.pulse),
        temperature: r.temperature,
        spo2: r.spo2.map(f64::from),
        oxygen: r.oxygen,
        respiratory_rate: f(r.respiratory_rate),
        weight: r.weight,
        glucose: f(r.glucose),
        glucose_flag: r.glucose_flag.map(|g| g.code().to_uppercase()),
        pain: r.pain.map(f64::from),
        consciousness: r.consciousness.map(|j| j.code().to_string()),
        flags: flags(&record.thresholds, r),
    }
}

fn bands(t: &Thresholds) -> Vec<BandView> {
    let b = |field: &str, b: &care_model::Band| BandView {
        field: field.into(),
        attention_below: b.attention_below,
        attention_above: b.attention_above,
        urgent_below: b.urgent_below,
        urgent_above: b.urgent_above,
    };
    vec![
        b("systolic", &t.systolic),
        b("diastolic", &t.diastolic),
        b("pulse", &t.pulse),
        b("temperature", &t.temperature),
        b("spo2", &t.spo2),
        b("respiratory_rate", &t.respiratory_rate),
        b("glucose", &t.glucose),
        b("pain", &t.pain),
    ]
}

fn assignee(record: &Record, a: &Option<Assignee>) -> Option<String> {
    a.as_ref().map(|a| match a {
        Assignee::Member(m) => name_of(record, m),
        Assignee::Profession(p) => format!("profession:{}", p.code()),
    })
}

pub fn record_view(recent: &care_model::Recent, viewer: &Viewer, sample: bool, pending: u32) -> RecordView {
    let record = &recent.record;
    let mut vitals: Vec<VitalsView> = record.vitals.iter().map(|(id, e)| vitals_view(record, id, e)).collect();
    vitals.sort_by_key(|v| v.taken_at);
    RecordView {
        team: record.team.to_string(),
        sample,
        patient: patient_view(&record.patient, viewer.today),
        notes: record
            .notes_newest_first()
            .into_iter()
            .map(|(id, n)| note_view(record, id, n, viewer))
            .collect(),
        notes_total: recent.notes_total as u32,
        vitals,
        vitals_total: recent.vitals_total as u32,
        thresholds: bands(&record.thresholds),
        tasks: record
            .tasks_in_order()
            .into_iter()
            .map(|(id, t)| TaskView {
                id: id.to_string(),
                title: t.title.clone(),
                due: t.due.map(|d| d.iso()),
                priority: t.priority.code().into(),
                status: t.status.code().into(),
                assignee: assignee(record, &t.assignee),
                created_by: name_of(record, &t.created_by),
                overdue: overdue(t, viewer.today),
            })
            .collect(),
        medications: record
            .medications
            .iter()
            .map(|(id, m)| {
                let r = m.current();
                MedicationView {
                    id: id.clone(),
                    name: r.name.clone(),
                    dose: r.dose.clone(),
                    schedule: r.schedule.clone(),
                    prescriber: r.prescriber.clone(),
                    start: r.start.map(|d| d.iso()),
                    stop: r.stop.map(|d| d.iso()),
                    active: r.stop.is_none_or(|s| s >= viewer.today),
                }
            })
            .collect(),
        members: members(record, viewer),
        pending,
        written_by_newer: record.schema > care_model::record::SCHEMA_VERSION,
    }
}

pub fn members(record: &Record, viewer: &Viewer) -> Vec<MemberView> {
    let mut list: Vec<MemberView> = record
        .members
        .iter()
        .map(|(id, m)| MemberView {
            id: id.clone(),
            name: m.name.clone(),
            kana: m.kana.clone(),
            profession: m.profession.code().into(),
            organisation: m.organisation.clone(),
            phone: m.phone.clone(),
            email: m.email.clone(),
            fax: m.fax.clone(),
            on_call: m.on_call,
            me: *id == viewer.member,
        })
        .collect();
    list.sort_by(|a, b| (a.organisation.as_str(), a.name.as_str()).cmp(&(b.organisation.as_str(), b.name.as_str())));
    list
}

/// Urgent notes of the last week the viewer or nobody has acknowledged, and
/// urgent readings of the last week; unacknowledged ones first, then newest.
pub fn urgent_items(record: &Record, viewer: &Viewer) -> Vec<UrgentItem> {
    let since = viewer.now.0 - URGENT_WINDOW_MS;
    let patient = record.patient.name.clone();
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
            author: name_of(record, &n.author),
            at: ms(n.written_at),
            acked_by_me: n.acks.contains_key(&viewer.member),
            mine: n.author.to_string() == viewer.member,
            unacknowledged: n.acks.is_empty(),
        })
        .collect();
    items.extend(
        record
            .vitals
            .iter()
            .filter(|(_, e)| e.reading.taken_at.0 >= since)
            .filter(|(_, e)| record.thresholds.level(&e.reading) == Urgency::Urgent)
            .map(|(id, e)| UrgentItem {
                team: record.team.to_string(),
                patient: patient.clone(),
                kind: "vitals".into(),
                id: id.clone(),
                text: flags(&record.thresholds, &e.reading)
                    .iter()
                    .filter(|f| f.level == "urgent")
                    .map(|f| format!("{} {}", f.field, f.value))
                    .collect::<Vec<_>>()
                    .join(", "),
                author: name_of(record, &e.author),
                at: ms(e.reading.taken_at),
                acked_by_me: false,
                mine: e.author.to_string() == viewer.member,
                unacknowledged: false,
            }),
    );
    items.sort_by(|a, b| b.unacknowledged.cmp(&a.unacknowledged).then(b.at.cmp(&a.at)));
    items
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
        })
        .collect()
}

/// Everything written since `since`, newest first, with its author.
pub fn changes_since(record: &Record, since: Option<Timestamp>) -> Vec<ChangeItem> {
    let after = |t: Timestamp| since.is_none_or(|s| t > s);
    let org = |m: &care_model::MemberId| {
        record
            .members
            .get(&m.to_string())
            .map(|m| m.organisation.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for n in record.notes.values() {
        for (i, v) in n.versions.iter().enumerate().filter(|(_, v)| after(v.at)) {
            let text: String = v.text.chars().take(80).collect();
            out.push(ChangeItem {
                kind: if i == 0 { "note" } else { "note-edit" }.into(),
                summary: text,
                author: name_of(record, &v.by),
                organisation: org(&v.by),
                at: ms(v.at),
                urgent: v.urgency == Urgency::Urgent,
            });
        }
    }
    for e in record.vitals.values().filter(|e| after(e.recorded_at)) {
        let r = &e.reading;
        let mut parts = Vec::new();
        if let (Some(s), Some(d)) = (r.systolic, r.diastolic) {
            parts.push(format!("BP {s}/{d}"));
        }
        if let Some(p) = r.pulse {
            parts.push(format!("P {p}"));
        }
        if let Some(t) = r.temperature {
            parts.push(format!("T {t:.1}"));
        }
        if let Some(s) = r.spo2 {
            parts.push(format!("SpO2 {s}"));
        }
        out.push(ChangeItem {
            kind: "vitals".into(),
            summary: parts.join("  "),
            author: name_of(record, &e.author),
            organisation: org(&e.author),
            at: ms(e.recorded_at),
            urgent: record.thresholds.level(r) == Urgency::Urgent,
        });
    }
    for t in record.tasks.values() {
        if after(t.created_at) {
            out.push(ChangeItem {
                kind: "task".into(),
                summary: t.title.clone(),
                author: name_of(record, &t.created_by),
                organisation: org(&t.created_by),
                at: ms(t.created_at),
                urgent: false,
            });
        }
        if let (Some(by), Some(at)) = (t.closed_by, t.closed_at) {
            if after(at) {
                out.push(ChangeItem {
                    kind: format!("task-{}", t.status.code()),
                    summary: t.title.clone(),
                    author: name_of(record, &by),
                    organisation: org(&by),
                    at: ms(at),
                    urgent: false,
                });
            }
        }
    }
    for m in record.medications.values() {
        for r in m.revisions.iter().filter(|r| after(r.at)) {
            out.push(ChangeItem {
                kind: "medication".into(),
                summary: format!("{} {} {}", r.name, r.dose, r.schedule),
                author: name_of(record, &r.by),
                organisation: org(&r.by),
                at: ms(r.at),
                urgent: false,
            });
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.at));
    out
}

pub fn conflict_views(conflicts: Vec<care_model::Conflict>) -> Vec<ConflictView> {
    conflicts
        .into_iter()
        .map(|c| ConflictView {
            field: c.path.join("."),
            values: c
                .values
                .into_iter()
                .map(|v| ConflictValue {
                    value: v.value,
                    author: v.member_name.unwrap_or_else(|| "?".into()),
                    at: v.at.map(ms),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use care_model::*;

    fn writer(name: &str, profession: Profession) -> Writer {
        Writer {
            member: MemberId::random(),
            device: DeviceId::random(),
            profile: Member {
                name: name.into(),
                kana: None,
                profession,
                organisation: "つばさ訪問看護ステーション".into(),
                phone: None,
                email: None,
                fax: None,
                on_call: false,
            },
        }
    }

    fn at(min: i64) -> Timestamp {
        Timestamp(1_795_000_000_000 + min * 60_000)
    }

    fn viewer(w: &Writer, now: Timestamp) -> Viewer {
        Viewer {
            member: w.member.to_string(),
            today: now.date_jst(),
            now,
        }
    }

    fn record_with_urgent_note() -> (CareRecord, Writer, Writer, EntryId) {
        let n = writer("佐藤 花子", Profession::Nurse);
        let d = writer("田中 一郎", Profession::Doctor);
        let patient = Patient {
            name: "鈴木 正雄".into(),
            born: CalendarDate::new(1940, 12, 1),
            ..Default::default()
        };
        let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient, at(0)).unwrap();
        let id = r
            .change(&n, at(1), "note.add", |tx| {
                tx.add_note(NewNote {
                    text: "夜間に呼吸苦の訴えあり。SpO2 89%。主治医へ電話連絡済み。".into(),
                    category: NoteCategory::Report,
                    urgency: Urgency::Urgent,
                })
            })
            .unwrap()
            .value;
        (r, n, d, id)
    }

    #[test]
    fn age_counts_whole_years_and_turns_on_the_birthday() {
        let born = CalendarDate::new(1940, 12, 1).unwrap();
        assert_eq!(age_on(born, CalendarDate::new(2026, 11, 30).unwrap()), 85);
        assert_eq!(age_on(born, CalendarDate::new(2026, 12, 1).unwrap()), 86);
    }

    #[test]
    fn an_urgent_note_stays_at_the_top_until_someone_acknowledges_it() {
        let (mut r, n, d, id) = record_with_urgent_note();
        let items = urgent_items(&r.read().unwrap(), &viewer(&d, at(10)));
        assert_eq!(items.len(), 1);
        assert!(items[0].unacknowledged && !items[0].acked_by_me);
        // Still there after a month while nobody has acknowledged it.
        let month = at(60 * 24 * 30);
        assert_eq!(urgent_items(&r.read().unwrap(), &viewer(&d, month)).len(), 1);
        // The doctor acknowledges: gone for the doctor; the nurse sees it acknowledged.
        r.change(&d, at(20), "note.ack", |tx| tx.acknowledge_note(id)).unwrap();
        let rec = r.read().unwrap();
        assert!(urgent_items(&rec, &viewer(&d, at(30))).is_empty());
        let for_nurse = urgent_items(&rec, &viewer(&n, at(30)));
        assert_eq!(
            for_nurse.len(),
            1,
            "acknowledged by someone else: the nurse still sees it this week"
        );
        assert!(!for_nurse[0].unacknowledged);
        let note = note_view(&rec, &id.to_string(), &rec.notes[&id.to_string()], &viewer(&n, at(30)));
        assert_eq!(note.acks.len(), 1);
        assert_eq!(note.acks[0].name, "田中 一郎");
        assert!(
            urgent_items(&rec, &viewer(&n, month)).is_empty(),
            "after a week an acknowledged note leaves Today"
        );
    }

    #[test]
    fn readings_past_the_patients_urgent_band_are_flagged() {
        let (mut r, n, _, _) = record_with_urgent_note();
        r.change(&n, at(40), "visit", |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some("88/50".into()),
                    spo2: Some("96".into()),
                    ..Default::default()
                }
                .parse(at(39))?,
            )
        })
        .unwrap();
        let rec = r.read_recent(20, None).unwrap();
        let view = record_view(&rec, &viewer(&n, at(41)), false, 0);
        assert_eq!(view.vitals.len(), 1);
        let flags = &view.vitals[0].flags;
        assert!(
            flags.iter().any(|f| f.field == "systolic" && f.level == "urgent"),
            "{flags:?}"
        );
        assert!(urgent_items(&rec.record, &viewer(&n, at(41)))
            .iter()
            .any(|i| i.kind == "vitals"));
    }

    #[test]
    fn review_lists_what_changed_since_the_last_review_with_authors() {
        let (mut r, n, d, _) = record_with_urgent_note();
        r.change(&d, at(100), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "訪問看護指示書の更新依頼".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap();
        let rec = r.read().unwrap();
        let all = changes_since(&rec, None);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].author, "田中 一郎");
        assert_eq!(all[1].author, "佐藤 花子");
        assert!(all[1].urgent);
        let since = changes_since(&rec, Some(at(50)));
        assert_eq!(since.len(), 1);
        assert_eq!(since[0].summary, "訪問看護指示書の更新依頼");
        let _ = n;
    }
}
