//! The record screen: the patient, notes, readings with their flags and
//! bands, tasks, medications and members.

use care_model::{Assignee, CalendarDate, Note, Record, Thresholds, VitalSigns, VitalsEntry};
use serde::Serialize;
use specta::Type;

use super::*;

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
    /// Passive 既読: who opened the record after it was written (empty
    /// unless the team turned read receipts on).
    pub seen_by: Vec<AckView>,
    /// The team shares it with the patient's family.
    pub shared_with_family: bool,
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
    pub news2: Option<News2View>,
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
    /// Where the doctor's instruction stands.
    pub instruction: InstructionStateView,
    /// The team shows who has read what (passive 既読).
    pub read_receipts: bool,
    /// Who is on call now at the stations on this laptop.
    pub on_call: Vec<OnCallView>,
    /// The patient's consents to share, newest first (`current`: in force
    /// today; none in force: the team has no consent on record).
    pub consents: Vec<super::ConsentView>,
    /// This laptop's member joined as family: the view holds only what the
    /// team shares with the family, and only their own notes can be written.
    pub family: bool,
    /// Wounds followed with DESIGN-R 2020, open ones first.
    pub wounds: Vec<super::WoundView>,
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
        seen_by: if record.settings.read_receipts {
            care_model::settings::seen_by(n, &record.seen)
                .into_iter()
                .map(|(m, at)| AckView {
                    member: m.to_string(),
                    name: m
                        .parse()
                        .map(|id| name_of(record, &id))
                        .unwrap_or_else(|_| m.to_string()),
                    at: ms(at),
                })
                .collect()
        } else {
            Vec::new()
        },
        shared_with_family: n.shared_with_family,
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
        news2: news2_view(r, &record.thresholds),
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
        instruction: instruction_state(record, viewer.today),
        read_receipts: record.settings.read_receipts,
        on_call: Vec::new(),
        consents: super::consent_views(record, viewer.today),
        family: false,
        wounds: super::wound_views(record, viewer.today),
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
