//! Reading the record: the whole of it, or only what a screen needs from
//! a long one (the newest notes, Today's summary, a manager's week).

use super::*;

impl CareRecord {
    /// Reads the whole record.
    pub fn read(&self) -> Result<Record, ModelError> {
        Ok(autosurgeon::hydrate(&self.doc)?)
    }

    /// Reads the record with only the `limit` newest notes, the readings
    /// recorded since `vitals_since` (all with `None`) and only the open
    /// tasks, and says how many notes and readings there are in all. Notes,
    /// readings and closed tasks are most of a long record: a screen opening
    /// five years of visits shows the recent ones first.
    pub fn read_recent(&self, limit: usize, vitals_since: Option<Timestamp>) -> Result<Recent, ModelError> {
        let doc = &self.doc;
        let mut written: Vec<(Timestamp, String, ObjId)> = Vec::new();
        for (id, note) in self.entries(key::NOTES)? {
            written.push((hydrate_prop(doc, &note, "written_at")?, id, note));
        }
        let total = written.len();
        written.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut notes = BTreeMap::new();
        for (_, id, note) in written.into_iter().take(limit) {
            notes.insert(id, hydrate(doc, &note)?);
        }
        let (vitals, vitals_total) = match vitals_since {
            None => {
                let all: BTreeMap<String, VitalsEntry> = hydrate_prop(doc, ROOT, key::VITALS)?;
                let n = all.len();
                (all, n)
            }
            Some(since) => {
                let mut vitals = BTreeMap::new();
                let mut n = 0;
                for (id, entry) in self.entries(key::VITALS)? {
                    n += 1;
                    let at: Timestamp = hydrate_prop(doc, &entry, "recorded_at")?;
                    if at >= since {
                        vitals.insert(id, hydrate(doc, &entry)?);
                    }
                }
                (vitals, n)
            }
        };
        Ok(Recent {
            record: self.partial(notes, vitals, vitals_since)?,
            notes_total: total,
            vitals_total,
        })
    }

    /// What a summary across many patients needs (Today): every note whose
    /// latest version is urgent, the readings recorded since `since` and the
    /// latest one, and the open tasks. A few entries out of years of visits.
    pub fn read_summary(&self, since: Timestamp) -> Result<Record, ModelError> {
        let doc = &self.doc;
        let mut notes = BTreeMap::new();
        for (id, note) in self.entries(key::NOTES)? {
            let version = self.latest_version(&id, &note)?;
            let urgency: Urgency = hydrate_prop(doc, &version, "urgency")?;
            if urgency == Urgency::Urgent {
                notes.insert(id, hydrate(doc, &note)?);
            }
        }
        let mut vitals = BTreeMap::new();
        let mut latest: Option<(Timestamp, String, ObjId)> = None;
        for (id, entry) in self.entries(key::VITALS)? {
            let at: Timestamp = hydrate_prop(doc, &entry, "recorded_at")?;
            if at >= since {
                vitals.insert(id.clone(), hydrate(doc, &entry)?);
            }
            if latest.as_ref().is_none_or(|(t, _, _)| at > *t) {
                latest = Some((at, id, entry));
            }
        }
        if let Some((_, id, entry)) = latest {
            if let std::collections::btree_map::Entry::Vacant(slot) = vitals.entry(id) {
                slot.insert(hydrate(doc, &entry)?);
            }
        }
        self.partial(notes, vitals, Some(since))
    }

    /// What a manager's review needs from `from` on: notes written or edited
    /// since, readings recorded since, open tasks and tasks closed since,
    /// and the rest (small). A week of a five-year record, not five years.
    pub fn read_since(&self, from: Timestamp) -> Result<Record, ModelError> {
        let doc = &self.doc;
        let mut notes = BTreeMap::new();
        for (id, note) in self.entries(key::NOTES)? {
            let version = self.latest_version(&id, &note)?;
            let at: Timestamp = hydrate_prop(doc, &version, "at")?;
            if at >= from {
                notes.insert(id, hydrate(doc, &note)?);
            }
        }
        let mut vitals = BTreeMap::new();
        for (id, entry) in self.entries(key::VITALS)? {
            let at: Timestamp = hydrate_prop(doc, &entry, "recorded_at")?;
            if at >= from {
                vitals.insert(id, hydrate(doc, &entry)?);
            }
        }
        self.partial_closed_since(notes, vitals, Some(from), Some(from))
    }

    /// The record with these notes and readings, the open tasks, and all of
    /// the rest (patient, members, medications: small).
    fn partial(
        &self,
        notes: BTreeMap<String, Note>,
        vitals: BTreeMap<String, VitalsEntry>,
        visits_since: Option<Timestamp>,
    ) -> Result<Record, ModelError> {
        self.partial_closed_since(notes, vitals, None, visits_since)
    }

    /// As [`Self::partial`], with the tasks closed since `closed_since` too.
    fn partial_closed_since(
        &self,
        notes: BTreeMap<String, Note>,
        vitals: BTreeMap<String, VitalsEntry>,
        closed_since: Option<Timestamp>,
        visits_since: Option<Timestamp>,
    ) -> Result<Record, ModelError> {
        let doc = &self.doc;
        let mut tasks = BTreeMap::new();
        for (id, task) in self.entries(key::TASKS)? {
            let status: TaskStatus = hydrate_prop(doc, &task, "status")?;
            let closed_recently = || -> Result<bool, ModelError> {
                let at: Option<Timestamp> = hydrate_prop(doc, &task, "closed_at")?;
                Ok(matches!((closed_since, at), (Some(since), Some(at)) if at >= since))
            };
            if status == TaskStatus::Open || closed_recently()? {
                tasks.insert(id, hydrate(doc, &task)?);
            }
        }
        let reviews = match doc.get(ROOT, key::REVIEWS)? {
            Some(_) => hydrate_prop(doc, ROOT, key::REVIEWS)?,
            None => BTreeMap::new(),
        };
        Ok(Record {
            schema: hydrate_prop(doc, ROOT, key::SCHEMA)?,
            team: hydrate_prop(doc, ROOT, key::TEAM)?,
            patient: hydrate_prop(doc, ROOT, key::PATIENT)?,
            thresholds: hydrate_prop(doc, ROOT, key::THRESHOLDS)?,
            members: hydrate_prop(doc, ROOT, key::MEMBERS)?,
            devices: hydrate_prop(doc, ROOT, key::DEVICES)?,
            notes,
            vitals,
            tasks,
            medications: hydrate_prop(doc, ROOT, key::MEDICATIONS)?,
            reviews,
            case: crate::case::read_case(doc)?,
            plans: self.lazy_entries(key::PLANS, |_: &VisitPlan| true)?,
            // Plus a week before: a visit of the week's planned ones.
            visits: self.lazy_entries(key::VISITS, |v: &Visit| {
                visits_since.is_none_or(|s| v.start.0 >= s.0 - 7 * 24 * 3_600_000)
            })?,
            kind: self.kind()?,
            settings: self.lazy(key::SETTINGS)?,
            seen: self.lazy(key::SEEN)?,
            instructions: self.lazy_entries(key::INSTRUCTIONS, |_: &Instruction| true)?,
            rota: self.lazy(key::ROTA)?,
            consents: self.lazy_entries(key::CONSENTS, |_: &crate::Consent| true)?,
            directory: self.lazy_entries(key::DIRECTORY, |_: &crate::DirectoryEntry| true)?,
            wounds: self.lazy_entries(key::WOUNDS, |_: &crate::Wound| true)?,
            attachments: self.lazy_entries(key::ATTACHMENTS, |_: &crate::Attachment| true)?,
        })
    }
}
