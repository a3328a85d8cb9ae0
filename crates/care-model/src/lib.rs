//! # care-model
//!
//! One patient's care record as an automerge document, with typed reads and
//! writes. Everything a care team shares lives here: the patient's details and
//! emergency contacts, notes, vital signs with per-patient thresholds, tasks,
//! medications and the members of the team.
//!
//! **What it is not:** it does no I/O. No files, no network, no clock: the
//! caller passes in the time of every action. `care-store` keeps records on
//! disk; the sync crates move their changes between laptops.
//!
//! ## Where to start reading
//! - [`record`]: the document layout, [`CareRecord`] and its one-transaction-
//!   per-action [`CareRecord::change`] with the typed [`RecordTx`] operations.
//! - [`vitals`]: what a reading may hold, what is refused, and [`Thresholds`].
//! - [`inspect`]: conflicts and history, the manager's two extra reads.
//! - [`vocab`] and [`time`]: the users' words and dates (和暦 included).
//!
//! ## Invariants
//! - Entries are keyed by random ids: concurrent inserts never clash.
//! - Clinical entries (notes, vitals, medications) are appended, never
//!   overwritten in place: an edit adds a version, so no last-writer-wins can
//!   erase what someone wrote.
//! - A value that cannot be real is refused with a [`ValidationError`] that
//!   names the field, the value and the accepted range.
//!
//! ```
//! use care_model::*;
//! let writer = Writer {
//!     member: MemberId::random(),
//!     device: DeviceId::random(),
//!     profile: Member {
//!         name: "佐藤 花子".into(), kana: None, profession: Profession::Nurse,
//!         organisation: "つばさ訪問看護ステーション".into(),
//!         phone: None, email: None, fax: None, on_call: false,
//!     },
//! };
//! let patient = Patient { name: "山田 太郎".into(), ..Default::default() };
//! let (mut record, _genesis) = CareRecord::create(TeamId::random(), &writer, patient, Timestamp(0)).unwrap();
//! let visit = record.change(&writer, Timestamp(1_000), "visit", |tx| {
//!     let reading = VitalsForm { spo2: Some("96".into()), ..Default::default() }.parse(Timestamp(900))?;
//!     tx.add_vitals(reading)?;
//!     tx.add_note(NewNote { text: "本日入浴介助。".into(), category: NoteCategory::Observation, urgency: Urgency::Routine })
//! }).unwrap();
//! assert!(visit.change.is_some());
//! assert_eq!(record.read().unwrap().notes.len(), 1);
//! ```

pub mod admit;
pub mod attachments;
pub mod case;
pub mod consent;
pub mod contacts;
pub mod directory;
pub mod drafts;
mod error;
pub mod escalation;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
#[cfg(any(test, feature = "hostile"))]
pub mod hostile;
mod ids;
pub mod inspect;
pub mod instructions;
pub mod medications;
pub mod members;
pub mod news2;
pub mod notes;
pub mod notify;
pub mod observations;
pub mod patient;
pub mod record;
pub mod rota;
pub mod search;
pub mod settings;
pub mod tasks;
pub mod thresholds;
pub mod time;
pub mod visits;
pub mod vitals;
pub mod vocab;
pub mod wounds;

pub use admit::{Refusal, Sender};
pub use attachments::{AttachedTo, Attachment, BlobRef, NewAttachment, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES};
pub use case::{CaseState, Closure, Reopening};
pub use consent::{Consent, ConsentScope, NewConsent};
pub use contacts::Contact;
pub use directory::{Acceptance, BedCount, BedKind, DirectoryEntry, DirectoryQuery, EntryForm, OrgKind};
pub use drafts::{Draft, DraftKey};
pub use error::{ModelError, ValidationError};
pub use escalation::{Escalation, Stage};
pub use ids::{DeviceId, EntryId, MemberId, TeamId};
pub use inspect::{Attributed, Conflict, FieldChange, HistoryEvent};
pub use instructions::{
    CodeInput, DiseaseCode, Instruction, InstructionDiagnosis, InstructionKind, InstructionStatus, NewInstruction,
};
pub use medications::{Medication, MedicationDetails, MedicationRevision};
pub use members::Member;
pub use news2::{news2, News2, News2Risk};
pub use notes::{NewNote, Note, NoteVersion};
pub use observations::{Edema, ObservationForm, Observations, Sleep, BEDRIDDEN_LEVELS, DEMENTIA_LEVELS};
pub use patient::{
    check_icd10, check_kana, check_phone, to_katakana, AcpDetails, Certification, Diagnosis, Insurance, Patient, Person,
};
pub use record::{CareRecord, ChangeBytes, Committed, Recent, Record, RecordKind, RecordTx, Writer, SCHEMA_VERSION};
pub use rota::{Duty, OnCall, Rota};
pub use search::{fold, Searchable};
pub use settings::TeamSettings;
pub use tasks::{Assignee, NewTask, Task};
pub use thresholds::{Band, Flag, Thresholds};
pub use time::{CalendarDate, Timestamp};
pub use visits::{occurrences, NewPlan, NewVisit, Occurrence, SoftSign, Visit, VisitKind, VisitOutcome, VisitPlan};
pub use vitals::{parse_bp, GlucoseFlag, Jcs, VitalSigns, VitalsEntry, VitalsForm};
pub use vocab::{
    CareLevel, ClosureReason, InsuranceKind, NoteCategory, Priority, Profession, Resuscitation, Sex, TaskStatus,
    Urgency,
};
pub use wounds::{Assessment, DesignR, Wound, WoundKind};
