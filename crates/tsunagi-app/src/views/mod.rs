//! What the screens show, as plain data: built from a [`Record`] by pure
//! functions (no I/O, so they are unit-tested without a window), and sent to
//! the front end as JSON. The TypeScript types in `app-ui/src/bindings.ts` are
//! generated from these structs; they are never written by hand.
//!
//! Times are milliseconds since the epoch (`number` in TypeScript: exact up
//! to 2^53, so for 285,000 years); calendar dates are ISO `YYYY-MM-DD` strings.

use care_model::{Assignee, CalendarDate, Record, TaskStatus, Timestamp};
use serde::{Deserialize, Serialize};
use specta::Type;

mod clock;
mod consent;
mod directory;
mod edit;
mod family;
mod files;
mod record;
mod review;
mod team;
mod today;
mod visits;
mod wounds;
pub use clock::*;
pub use consent::*;
pub use directory::*;
pub use edit::*;
pub use family::*;
pub use files::*;
pub use record::*;
pub use review::*;
pub use team::*;
pub use today::*;
pub use visits::*;
pub use wounds::*;

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
    pub soft_signs: Vec<Term>,
    pub consent_scopes: Vec<Term>,
    pub org_kinds: Vec<Term>,
    pub acceptances: Vec<Term>,
    pub bed_kinds: Vec<Term>,
    pub wound_kinds: Vec<Term>,
    pub sleeps: Vec<Term>,
    pub edemas: Vec<Term>,
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
        consent_scopes: terms!(ConsentScope),
        org_kinds: terms!(OrgKind),
        acceptances: terms!(Acceptance),
        bed_kinds: terms!(BedKind),
        wound_kinds: terms!(WoundKind),
        sleeps: terms!(Sleep),
        edemas: terms!(Edema),
        soft_signs: terms!(SoftSign),
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
    /// Other relays in front of the same store, tried when one does not answer.
    pub relay_also: Vec<String>,
    /// The address that answered last.
    pub relay_in_use: Option<String>,
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
    /// `listless`, `appetite`, `unusual`: the soft signs ticked.
    pub soft_signs: Vec<String>,
    /// 排便, 排尿, 食事, 水分, 睡眠, 浮腫, 皮膚, 自立度 as typed (all may be blank).
    #[serde(default)]
    pub observations: care_model::ObservationForm,
}

/// Before saving: what is out of the patient's bands, or which field is wrong.
#[derive(Debug, Clone, Serialize, Type)]
pub struct VitalsCheck {
    pub flags: Vec<FlagView>,
    /// The NEWS2 score of what was typed, and the urgency it suggests.
    pub news2: Option<News2View>,
    pub error: Option<crate::error::AppError>,
}

/// A reading's NEWS2 score as the screens show it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct News2View {
    pub total: u32,
    /// `low`, `low-medium` (a single parameter at 3), `medium`, `high`.
    pub risk: String,
    /// `routine`, `attention` or `urgent`: a suggestion for the note.
    pub suggests: String,
    /// Parameters not measured (the score leaves them out).
    pub missing: Vec<String>,
}

pub fn news2_view(reading: &care_model::VitalSigns, thresholds: &care_model::Thresholds) -> Option<News2View> {
    let n = care_model::news2(reading, thresholds.spo2_scale2);
    // A score needs something scored.
    if n.parts.is_empty() {
        return None;
    }
    Some(News2View {
        total: u32::from(n.total),
        risk: match n.risk {
            care_model::News2Risk::Low => "low",
            care_model::News2Risk::LowMedium => "low-medium",
            care_model::News2Risk::Medium => "medium",
            care_model::News2Risk::High => "high",
        }
        .into(),
        suggests: n.suggests().code().into(),
        missing: n.missing.iter().map(|m| m.to_string()).collect(),
    })
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

pub(crate) fn overdue(task: &care_model::Task, today: CalendarDate) -> bool {
    task.status == TaskStatus::Open && task.due.is_some_and(|d| d < today)
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
            acked: Vec::new(),
            ..Default::default()
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
            .any(|i| i.kind == "vitals" && i.unacknowledged));
    }

    #[test]
    fn an_urgent_reading_is_acknowledged_like_a_note_and_says_by_whom() {
        let (mut r, n, d, _) = record_with_urgent_note();
        let reading = r
            .change(&n, at(40), "visit", |tx| {
                tx.add_vitals(
                    VitalsForm {
                        bp: Some("88/50".into()),
                        spo2: Some("96".into()),
                        ..Default::default()
                    }
                    .parse(at(39))?,
                )
            })
            .unwrap()
            .value;
        let doctor = viewer(&d, at(41));
        let item = |r: &CareRecord, v: &Viewer| {
            urgent_items(&r.read().unwrap(), v)
                .into_iter()
                .find(|i| i.kind == "vitals")
                .unwrap()
        };
        assert!(item(&r, &doctor).unacknowledged && !item(&r, &doctor).acked_by_me);
        r.change(&d, at(42), "vitals.ack", |tx| tx.acknowledge_vitals(reading))
            .unwrap();
        // Twice counts once: the first time stays.
        r.change(&d, at(43), "vitals.ack", |tx| tx.acknowledge_vitals(reading))
            .unwrap();
        let seen = item(&r, &viewer(&n, at(44)));
        assert!(!seen.unacknowledged);
        assert_eq!(seen.acked.len(), 1);
        assert_eq!(seen.acked[0].name, "田中 一郎");
        assert_eq!(seen.acked[0].at, at(42).0);
        // For the one who acknowledged it, it has left Today (as a note does).
        assert!(!urgent_items(&r.read().unwrap(), &viewer(&d, at(44)))
            .iter()
            .any(|i| i.kind == "vitals"));
    }

    #[test]
    fn the_emergency_panel_holds_the_wishes_the_instructions_diagnoses_and_who_is_on_call() {
        let n = writer("佐藤 花子", Profession::Nurse);
        let patient = Patient {
            name: "鈴木 正雄".into(),
            acp_details: Some(AcpDetails {
                resuscitation: Some(Resuscitation::Dnar),
                hospital: Some("中野総合病院".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient, at(0)).unwrap();
        let today = at(0).date_jst();
        r.change(&n, at(1), "instruction.add", |tx| {
            tx.add_instruction(NewInstruction {
                kind: InstructionKind::Ordinary,
                issued_on: today,
                start: today,
                end: today.add_days(30),
                doctor: Person {
                    name: "鈴木 一郎".into(),
                    ..Default::default()
                },
                diagnoses: vec![("慢性心不全".into(), None)],
                bedridden: None,
                dementia: None,
                devices: vec!["在宅酸素療法 2L/分".into()],
                directions: String::new(),
                emergency_contact: "03-1234-5678".into(),
            })
        })
        .unwrap();
        let on_call = vec![on_call_view("s", "つばさ", Some("03-5555-0000".into()), None, "me")];
        let v = emergency_view(&r.read().unwrap(), &viewer(&n, at(2)), on_call);
        assert_eq!(v.resuscitation.as_deref(), Some("dnar"));
        assert_eq!(v.hospital.as_deref(), Some("中野総合病院"));
        assert_eq!(v.patient.diagnoses, vec!["慢性心不全".to_string()]);
        assert_eq!(v.devices, vec!["在宅酸素療法 2L/分".to_string()]);
        assert_eq!(v.instruction_contact.as_deref(), Some("03-1234-5678"));
        assert_eq!(v.on_call[0].phone.as_deref(), Some("03-5555-0000"));
    }
}
