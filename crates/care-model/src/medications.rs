//! Medications: each change of dose or schedule, and the stop, appends a
//! revision, so what was given when stays readable.

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{CalendarDate, EntryId, MemberId, ModelError, Timestamp, ValidationError};

/// A medication. Each change (dose, stop) appends a revision.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Medication {
    pub revisions: Vec<MedicationRevision>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct MedicationRevision {
    pub name: String,
    /// 1回1錠
    pub dose: String,
    /// 1日2回 朝夕食後
    pub schedule: String,
    pub prescriber: Option<String>,
    pub start: Option<CalendarDate>,
    pub stop: Option<CalendarDate>,
    /// Why it was stopped (中止理由), on the revision that stops it.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub stop_reason: Option<String>,
    pub by: MemberId,
    pub at: Timestamp,
}

impl Medication {
    pub fn current(&self) -> &MedicationRevision {
        self.revisions
            .last()
            .expect("a medication is created with one revision")
    }
}

/// A medication's name, dose and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MedicationDetails {
    pub name: String,
    pub dose: String,
    pub schedule: String,
    pub prescriber: Option<String>,
    pub start: Option<CalendarDate>,
    pub stop: Option<CalendarDate>,
}

impl RecordTx<'_, '_> {
    pub fn add_medication(&mut self, details: MedicationDetails) -> Result<EntryId, ModelError> {
        let revision = self.medication_revision(details)?;
        let id = EntryId::random();
        let meds = self.collection(key::MEDICATIONS)?;
        reconcile_prop(
            self.tx,
            &meds,
            id.to_string().as_str(),
            Medication {
                revisions: vec![revision],
            },
        )?;
        Ok(id)
    }

    /// A new dose, schedule or stop date: appended as a revision.
    pub fn change_medication(&mut self, id: EntryId, details: MedicationDetails) -> Result<(), ModelError> {
        let revision = self.medication_revision(details)?;
        let obj = self.entry(key::MEDICATIONS, "medication", id)?;
        let revisions = self.list(&obj, "revisions")?;
        self.append(&revisions, revision)
    }

    fn medication_revision(&self, d: MedicationDetails) -> Result<MedicationRevision, ModelError> {
        check_text("name", &d.name, MAX_SHORT_CHARS)?;
        for (field, date) in [("start", d.start), ("stop", d.stop)] {
            if let Some(date) = date {
                CalendarDate::parse(field, &date.iso())?;
            }
        }
        if let (Some(start), Some(stop)) = (d.start, d.stop) {
            if stop < start {
                return Err(ValidationError {
                    field: "stop",
                    value: stop.iso(),
                    accepted: "on or after the start date",
                }
                .into());
            }
        }
        Ok(MedicationRevision {
            name: d.name,
            dose: d.dose,
            schedule: d.schedule,
            prescriber: d.prescriber,
            start: d.start,
            stop: d.stop,
            stop_reason: None,
            by: self.writer.member,
            at: self.at,
        })
    }

    /// Stops the medication on `date` for `reason`: a new revision with the
    /// current dose and schedule, the stop date and the reason.
    pub fn stop_medication(&mut self, id: EntryId, date: CalendarDate, reason: &str) -> Result<(), ModelError> {
        check_text("reason", reason, MAX_SHORT_CHARS)?;
        let obj = self.entry(key::MEDICATIONS, "medication", id)?;
        let current: Medication = crate::record::hydrate(&*self.tx, &obj)?;
        let c = current.current();
        let mut revision = self.medication_revision(MedicationDetails {
            name: c.name.clone(),
            dose: c.dose.clone(),
            schedule: c.schedule.clone(),
            prescriber: c.prescriber.clone(),
            start: c.start,
            stop: Some(date),
        })?;
        revision.stop_reason = Some(reason.trim().to_string());
        let revisions = self.list(&obj, "revisions")?;
        self.append(&revisions, revision)
    }
}
