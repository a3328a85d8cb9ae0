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

mod edit;
mod review;
mod team;
mod visits;
pub use edit::*;
pub use review::*;
pub use team::*;
pub use visits::*;

/// How far back an urgent note or reading stays on Today.
pub const URGENT_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

pub(crate) fn ms(t: Timestamp) -> i64 {
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
    pub insurance_kinds: Vec<Term>,
    pub resuscitations: Vec<Term>,
    pub closure_reasons: Vec<Term>,
    pub visit_kinds: Vec<Term>,
    pub visit_outcomes: Vec<Term>,
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
        insurance_kinds: terms!(InsuranceKind),
        resuscitations: terms!(Resuscitation),
        closure_reasons: terms!(ClosureReason),
        visit_kinds: terms!(VisitKind),
        visit_outcomes: terms!(VisitOutcome),
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

/// A new task as the form holds it.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct TaskInput {
    pub title: String,
    /// `member:<id>` or `profession:<code>`; none for anyone.
    pub assignee: Option<String>,
    pub due: Option<String>,
    pub priority: String,
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

/// One team on the sync page: what waits to go out, and why.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SyncTeamView {
    pub team: String,
    pub patient: String,
    /// Saved here, not yet acknowledged by the relay.
    pub pending: u32,
    /// When the oldest of them was saved.
    pub waiting_since: Option<i64>,
    pub last_synced: Option<i64>,
    pub quarantined: u32,
    /// Why it waits: `none` (nothing waits), `sending`, `no-relay`,
    /// `unreachable`, `stopped` (a roster fork), `removed` (this laptop was
    /// taken off the team).
    pub reason: String,
    /// The relay's or the network's own words, for `unreachable` and `stopped`.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SyncPage {
    pub sync: SyncView,
    pub teams: Vec<SyncTeamView>,
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
    /// Open tasks given to me (or my profession) due today or earlier.
    pub my_tasks_due: u32,
    /// 利用終了: shown only in the closed list.
    pub closed: bool,
    pub closed_reason: Option<String>,
    pub closed_on: Option<String>,
    /// The certification ends within a month: time to apply for renewal.
    pub renewal_due: Option<String>,
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
#[derive(Debug, Clone, Serialize, Type)]
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
    /// Every version, oldest first (the last is the text shown).
    pub versions: Vec<NoteVersionView>,
    /// The relay has acknowledged it (送信済み); false: この端末のみ.
    pub sent: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct NoteVersionView {
    pub text: String,
    pub by: String,
    pub at: i64,
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
    /// The relay has acknowledged it; false: only on this laptop so far.
    pub sent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
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
    /// `member:<id>` or `profession:<code>`, for the reassign form.
    pub assignee_code: Option<String>,
    pub assigned_to_me: bool,
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
    pub stop_reason: Option<String>,
    pub active: bool,
    /// Every revision, oldest first.
    pub revisions: Vec<MedicationRevisionView>,
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
    /// Every detail as the edit form holds it.
    pub form: PatientForm,
    pub case: CaseView,
    pub plans: Vec<PlanView>,
    /// The recent visits, newest first.
    pub visits: Vec<VisitView>,
    pub spo2_scale2: bool,
    /// I am one of the team's admins (may reopen a closed case).
    pub admin: bool,
    /// When the care level's certification should be renewed (a month
    /// before it ends), once that day has come.
    pub renewal_due: Option<String>,
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
    /// The planned visit it fulfils (`<plan id>:<date>`).
    pub planned: Option<String>,
    /// `regular` (定期), `urgent` (緊急), `extra` (臨時).
    pub kind: String,
    /// Arrival and departure, `HH:MM` or `YYYY-MM-DD HH:MM` (JST): a visit
    /// filled in afterwards keeps its own times, and readings are stamped
    /// with the arrival. Empty: now.
    pub start: Option<String>,
    pub end: Option<String>,
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

/// Who is reading: decides "mine", "acknowledged by me" and overdue.
pub struct Viewer {
    pub member: String,
    pub profession: Option<care_model::Profession>,
    pub today: CalendarDate,
    pub now: Timestamp,
    /// When this laptop's oldest change the relay has not acknowledged was
    /// made; `None` when everything has been sent.
    pub unsent_since: Option<Timestamp>,
}

impl Viewer {
    /// Whether an entry by `author` written at `at` has reached the relay:
    /// others' entries came through it; mine are unsent from the oldest
    /// unacknowledged change on (the relay acknowledges in order).
    pub fn sent(&self, author: &care_model::MemberId, at: Timestamp) -> bool {
        author.to_string() != self.member || self.unsent_since.is_none_or(|since| at < since)
    }
}

pub(crate) fn name_of(record: &Record, member: &care_model::MemberId) -> String {
    record.member_name(member).unwrap_or("?").to_string()
}

/// The task is mine: given to me, or to my profession.
pub fn assigned_to(task: &care_model::Task, viewer: &Viewer) -> bool {
    assigned_to_viewer(&task.assignee, viewer)
}

/// Given to the viewer, or to the viewer's profession.
pub fn assigned_to_viewer(who: &Option<Assignee>, viewer: &Viewer) -> bool {
    match who {
        Some(Assignee::Member(m)) => m.to_string() == viewer.member,
        Some(Assignee::Profession(p)) => viewer.profession == Some(*p),
        None => false,
    }
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
        versions: n
            .versions
            .iter()
            .map(|v| NoteVersionView {
                text: v.text.clone(),
                by: name_of(record, &v.by),
                at: ms(v.at),
            })
            .collect(),
        sent: viewer.sent(&n.author, n.versions.last().map_or(n.written_at, |v| v.at)),
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

pub fn vitals_view(record: &Record, id: &str, e: &VitalsEntry, viewer: &Viewer) -> VitalsView {
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
        sent: viewer.sent(&e.author, e.recorded_at),
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
        b("spo2", &t.spo2_band()),
        b("respiratory_rate", &t.respiratory_rate),
        b("glucose", &t.glucose),
        b("pain", &t.pain),
    ]
}

pub(crate) fn assignee(record: &Record, a: &Option<Assignee>) -> Option<String> {
    a.as_ref().map(|a| match a {
        Assignee::Member(m) => name_of(record, m),
        Assignee::Profession(p) => format!("profession:{}", p.code()),
    })
}

pub fn record_view(recent: &care_model::Recent, viewer: &Viewer, sample: bool, pending: u32) -> RecordView {
    let record = &recent.record;
    let mut vitals: Vec<VitalsView> = record
        .vitals
        .iter()
        .map(|(id, e)| vitals_view(record, id, e, viewer))
        .collect();
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
                assignee_code: assignee_code(&t.assignee),
                assigned_to_me: assigned_to(t, viewer),
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
                    stop_reason: r.stop_reason.clone(),
                    active: r.stop.is_none_or(|s| s >= viewer.today),
                    revisions: medication_revisions(record, m),
                }
            })
            .collect(),
        members: members(record, viewer),
        pending,
        form: patient_form(&record.patient),
        case: case_view(record, &record.case),
        plans: plan_views(record),
        visits: visit_views(record),
        spo2_scale2: record.thresholds.spo2_scale2,
        admin: false,
        renewal_due: record
            .patient
            .renewal_due()
            .filter(|d| *d <= viewer.today)
            .map(|d| d.iso()),
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
            flags: Vec::new(),
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
                text: String::new(),
                flags: flags(&record.thresholds, &e.reading)
                    .into_iter()
                    .filter(|f| f.level == "urgent")
                    .collect(),
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

/// A desktop notification's title and text in the user's language
/// (`ja` or `en`): a reading's flags in words, not field codes.
pub fn notification(item: &UrgentItem, lang: &str) -> (String, String) {
    let en = lang == "en";
    let title = match (item.kind.as_str(), en) {
        ("note", false) => format!("緊急: {}", item.patient),
        ("note", true) => format!("Urgent: {}", item.patient),
        (_, false) => format!("バイタル緊急域: {}", item.patient),
        (_, true) => format!("Vital signs past the urgent band: {}", item.patient),
    };
    let body = if item.kind == "note" {
        item.text.clone()
    } else {
        item.flags
            .iter()
            .map(|f| {
                let field = if en {
                    field_label_en(&f.field)
                } else {
                    care_model::vocab::field_label_ja(&f.field)
                };
                format!("{field} {}", f.value)
            })
            .collect::<Vec<_>>()
            .join(if en { ", " } else { "、" })
    };
    (title, body)
}

fn field_label_en(field: &str) -> &str {
    match field {
        "systolic" => "systolic BP",
        "diastolic" => "diastolic BP",
        "respiratory_rate" => "respiratory rate",
        "spo2" => "SpO2",
        "consciousness" => "consciousness (JCS)",
        "pain" => "pain (NRS)",
        other => other,
    }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use care_model::*;

    pub(crate) fn writer(name: &str, profession: Profession) -> Writer {
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

    pub(crate) fn at(min: i64) -> Timestamp {
        Timestamp(1_795_000_000_000 + min * 60_000)
    }

    fn viewer(w: &Writer, now: Timestamp) -> Viewer {
        Viewer {
            member: w.member.to_string(),
            profession: Some(w.profile.profession),
            today: now.date_jst(),
            now,
            unsent_since: None,
        }
    }

    pub(crate) fn record_with_urgent_note() -> (CareRecord, Writer, Writer, EntryId) {
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
    fn a_notification_words_a_reading_in_the_users_language() {
        let item = UrgentItem {
            team: String::new(),
            patient: "鈴木 正雄".into(),
            kind: "vitals".into(),
            id: String::new(),
            text: String::new(),
            flags: vec![FlagView {
                field: "spo2".into(),
                value: "88".into(),
                level: "urgent".into(),
            }],
            author: String::new(),
            at: 0,
            acked_by_me: false,
            mine: false,
            unacknowledged: false,
        };
        assert_eq!(
            notification(&item, "ja"),
            ("バイタル緊急域: 鈴木 正雄".into(), "SpO2 88".into())
        );
        let mut bp = item.clone();
        bp.flags[0].field = "systolic".into();
        assert_eq!(notification(&bp, "ja").1, "血圧 (上) 88");
        assert_eq!(notification(&bp, "en").1, "systolic BP 88");
        assert!(notification(&bp, "en").0.starts_with("Vital signs"));
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
}
