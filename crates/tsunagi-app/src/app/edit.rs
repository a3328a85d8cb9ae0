//! Editing the record: the patient's details and ACP, contacts and their
//! calling order, medications, tasks, thresholds, closing and reopening
//! the case, and an entry's history. Each edit is one change, saved on
//! this laptop before it returns, then sent by the live loop.

use care_model::{CalendarDate, ClosureReason, NewNote, Priority, TaskStatus};
use care_store::Store;

use super::{now, parse_entry, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::*;

impl App {
    /// One user action as one change, then a nudge to the live loop.
    pub(crate) fn edit<T>(
        &self,
        team: &str,
        action: &str,
        f: impl FnOnce(&mut care_model::RecordTx<'_, '_>) -> Result<T, care_model::ModelError>,
    ) -> AppResult<T> {
        let team = parse_team(team)?;
        let value = self.with(|store| {
            // Family write only their own notes: said here, before other
            // laptops would refuse the change.
            if !FAMILY_ACTIONS.contains(&action) && store.joined_as_family(team)? {
                return Err(AppError::new(
                    "family",
                    "家族として参加しているため、書けるのはご自身の記録だけです / as family you can write only your own notes",
                ));
            }
            Ok(store.change(team, action, now(), f)?)
        })?;
        self.nudge.notify_one();
        self.index_later(vec![team]);
        Ok(value)
    }

    /// A note written on its own (not with a visit): what a family member
    /// writes (連絡帳), or a member's note between visits. Its id.
    pub fn add_note(&self, team: &str, text: &str) -> AppResult<String> {
        let note = NewNote {
            text: text.trim().to_string(),
            category: care_model::NoteCategory::Report,
            urgency: care_model::Urgency::Routine,
        };
        if note.text.is_empty() {
            return Err(AppError::new(
                "empty",
                "保存する内容がありません / there is nothing to save",
            ));
        }
        Ok(self.edit(team, "note.add", |tx| tx.add_note(note))?.to_string())
    }

    /// Shares a note with the patient's family, or stops sharing it.
    pub fn share_note(&self, team: &str, note: &str, shared: bool) -> AppResult<()> {
        let note = parse_entry(note)?;
        self.edit(team, "note.share", |tx| tx.share_note_with_family(note, shared))
    }

    /// Saves the fields the user changed: those where `form` differs from
    /// `base`, the form as it was loaded. A field someone else changed
    /// meanwhile (another laptop, while the form was open) keeps their value.
    pub fn edit_patient(&self, team: &str, form: &PatientForm, base: &PatientForm) -> AppResult<()> {
        let json = |p: care_model::Patient| serde_json::to_value(p).expect("a patient serialises");
        let wanted = json(patient_from_form(care_model::Patient::default(), form)?);
        let loaded = json(patient_from_form(care_model::Patient::default(), base)?);
        let changed: Vec<(String, serde_json::Value)> = match (&wanted, &loaded) {
            (serde_json::Value::Object(w), serde_json::Value::Object(l)) => w
                .iter()
                .filter(|(k, v)| l.get(k.as_str()) != Some(v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => Vec::new(),
        };
        self.edit(team, "patient.edit", |tx| {
            let mut current = json(tx.patient()?);
            for (k, v) in changed {
                current[k] = v;
            }
            let patient = serde_json::from_value(current)
                .map_err(|e| care_model::ModelError::Corrupt(format!("patient details: {e}")))?;
            tx.update_patient(|p| *p = patient)
        })
    }

    /// A corrected note: a new version; the earlier ones stay readable.
    pub fn edit_note(&self, team: &str, id: &str, text: &str) -> AppResult<()> {
        let id = parse_entry(id)?;
        let text = text.trim().to_string();
        // The category and urgency stay as the latest version has them.
        self.edit(team, "note.edit", |tx| {
            let current = tx.note(id)?;
            let current = current.current();
            tx.edit_note(
                id,
                care_model::NewNote {
                    text,
                    category: current.category,
                    urgency: current.urgency,
                },
            )
        })
    }

    pub fn add_contact(&self, team: &str, contact: &ContactInput) -> AppResult<()> {
        let c = contact_from_input(contact)?;
        self.edit(team, "contact.add", |tx| tx.add_contact(c))
    }

    pub fn edit_contact(&self, team: &str, index: u32, contact: &ContactInput) -> AppResult<()> {
        let c = contact_from_input(contact)?;
        self.edit(team, "contact.edit", |tx| tx.edit_contact(index as usize, c))
    }

    pub fn remove_contact(&self, team: &str, index: u32) -> AppResult<()> {
        self.edit(team, "contact.remove", |tx| tx.remove_contact(index as usize))
    }

    /// `order[i]` is the current position of the contact to call `i`-th.
    pub fn reorder_contacts(&self, team: &str, order: &[u32]) -> AppResult<()> {
        let order: Vec<usize> = order.iter().map(|&i| i as usize).collect();
        self.edit(team, "contact.reorder", |tx| tx.reorder_contacts(&order))
    }

    pub fn add_medication(&self, team: &str, m: &MedicationInput) -> AppResult<String> {
        let d = medication_from_input(m)?;
        Ok(self.edit(team, "med.add", |tx| tx.add_medication(d))?.to_string())
    }

    /// A new dose or schedule: a new revision, the earlier ones kept.
    pub fn change_medication(&self, team: &str, id: &str, m: &MedicationInput) -> AppResult<()> {
        let id = parse_entry(id)?;
        let d = medication_from_input(m)?;
        self.edit(team, "med.change", |tx| tx.change_medication(id, d))
    }

    pub fn stop_medication(&self, team: &str, id: &str, date: &str, reason: &str) -> AppResult<()> {
        let id = parse_entry(id)?;
        let date = CalendarDate::parse("stop", date)?;
        self.edit(team, "med.stop", |tx| tx.stop_medication(id, date, reason))
    }

    pub fn new_task(&self, team: &str, task: &TaskInput) -> AppResult<String> {
        let task = care_model::NewTask {
            title: task.title.trim().to_string(),
            assignee: parse_assignee(&task.assignee)?,
            due: task
                .due
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| CalendarDate::parse("due", d))
                .transpose()?,
            priority: task.priority.parse::<Priority>()?,
        };
        Ok(self.edit(team, "task.add", |tx| tx.add_task(task))?.to_string())
    }

    pub fn set_task_status(&self, team: &str, id: &str, status: &str) -> AppResult<()> {
        let id = parse_entry(id)?;
        let status: TaskStatus = status.parse()?;
        let action = format!("task.{}", status.code());
        self.edit(team, &action, |tx| tx.set_task_status(id, status))
    }

    pub fn reassign_task(&self, team: &str, id: &str, assignee: Option<String>) -> AppResult<()> {
        let id = parse_entry(id)?;
        let a = parse_assignee(&assignee)?;
        self.edit(team, "task.assign", |tx| tx.reassign_task(id, a))
    }

    /// Settles a conflict with the value the manager chose (an index into
    /// the conflict's values, the winner first).
    pub fn settle_conflict(&self, team: &str, path: &[String], chosen: u32) -> AppResult<()> {
        self.edit(team, "conflict.settle", |tx| tx.settle_conflict(path, chosen as usize))
    }

    pub fn thresholds(&self, team: &str) -> AppResult<ThresholdsForm> {
        let team = parse_team(team)?;
        self.with(|s| Ok(thresholds_form(&s.record(team)?.thresholds()?)))
    }

    pub fn set_thresholds(&self, team: &str, form: &ThresholdsForm) -> AppResult<()> {
        let t = parse_team(team)?;
        let current = self.with(|s| Ok(s.record(t)?.thresholds()?))?;
        let thresholds = thresholds_from_form(current, form)?;
        self.edit(team, "thresholds", |tx| tx.set_thresholds(&thresholds))
    }

    pub fn close_case(&self, team: &str, reason: &str, date: &str, note: Option<String>) -> AppResult<()> {
        let reason: ClosureReason = reason.parse()?;
        let date = CalendarDate::parse("date", date)?;
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        self.edit(team, "case.close", |tx| tx.close_case(reason, date, note))
    }

    /// Reopens a closed case: the team's admins only (the signed roster
    /// says who they are).
    pub fn reopen_case(&self, team: &str) -> AppResult<()> {
        let t = parse_team(team)?;
        self.with(|s| require_admin(s, t))?;
        self.edit(team, care_model::case::REOPEN_ACTION, |tx| tx.reopen_case())
    }

    /// Who changed an entry (a note, reading, task, medication, or the
    /// patient's details with `kind` `patient`), what and when.
    pub fn history(&self, team: &str, kind: &str, id: Option<String>) -> AppResult<Vec<HistoryItem>> {
        let team = parse_team(team)?;
        self.with(|s| {
            let record = s.record(team)?;
            let entry = match (kind, id) {
                ("patient", _) => "patient".to_string(),
                (_, Some(id)) => parse_entry(&id)?.to_string(),
                _ => return Err(AppError::new("invalid", "項目を指定してください / name an entry")),
            };
            let events = record.history(&entry)?;
            let read = record.read()?;
            Ok(history_items(&read, events))
        })
    }
}

pub(crate) fn require_admin(store: &Store, team: care_model::TeamId) -> AppResult<()> {
    if store.roster(team)?.is_admin_device(store.device_id().as_bytes()) {
        Ok(())
    } else {
        Err(AppError::new(
            "not-admin",
            "チームの管理者だけができます / only the team's admins can do this",
        ))
    }
}

/// What a family member may do from the app: write and edit their own notes.
const FAMILY_ACTIONS: [&str; 2] = ["note.add", "note.edit"];
