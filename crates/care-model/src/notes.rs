//! Notes (経過記録): written by one member, edited by appending a version,
//! acknowledged (確認) by each member who reads an urgent one.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc};
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_TEXT_CHARS};
use crate::{EntryId, MemberId, ModelError, NoteCategory, Profession, Timestamp, Urgency};

/// A note (経過記録). Its text lives in `versions`; an edit appends a version,
/// so the earlier wording is never lost.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Note {
    pub author: MemberId,
    /// The author's profession and organisation when they wrote it.
    pub profession: Profession,
    pub organisation: String,
    pub written_at: Timestamp,
    pub versions: Vec<NoteVersion>,
    /// Who has acknowledged the note (確認), member id -> when: the closed
    /// loop on urgent notes. Absent in notes written before it existed.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub acks: BTreeMap<String, Timestamp>,
    /// The team shares it with the patient's family (家族にも共有): a family
    /// member's app shows only these and their own.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub shared_with_family: bool,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct NoteVersion {
    /// A plain string, not automerge Text: notes are written whole, and Text
    /// costs about 8x on load (research/perf.md).
    pub text: String,
    pub category: NoteCategory,
    pub urgency: Urgency,
    pub by: MemberId,
    pub at: Timestamp,
}

impl Note {
    /// The latest version. Concurrent edits both stay in `versions`; automerge
    /// orders them the same way on every laptop.
    pub fn current(&self) -> &NoteVersion {
        self.versions.last().expect("a note is created with one version")
    }
}

/// A note as written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNote {
    pub text: String,
    pub category: NoteCategory,
    pub urgency: Urgency,
}

impl RecordTx<'_, '_> {
    /// Shares a note with the patient's family, or stops sharing it.
    pub fn share_note_with_family(&mut self, id: EntryId, shared: bool) -> Result<(), ModelError> {
        let note = self.entry(key::NOTES, "note", id)?;
        reconcile_prop(self.tx, &note, "shared_with_family", shared)?;
        Ok(())
    }

    pub fn add_note(&mut self, note: NewNote) -> Result<EntryId, ModelError> {
        check_text("text", &note.text, MAX_TEXT_CHARS)?;
        let id = EntryId::random();
        let value = Note {
            author: self.writer.member,
            profession: self.writer.profile.profession,
            organisation: self.writer.profile.organisation.clone(),
            written_at: self.at,
            versions: vec![self.note_version(note)],
            acks: BTreeMap::new(),
            shared_with_family: false,
        };
        let notes = self.collection(key::NOTES)?;
        reconcile_prop(self.tx, &notes, id.to_string().as_str(), &value)?;
        Ok(id)
    }

    fn note_version(&self, note: NewNote) -> NoteVersion {
        NoteVersion {
            text: note.text,
            category: note.category,
            urgency: note.urgency,
            by: self.writer.member,
            at: self.at,
        }
    }

    /// Appends a new version; the earlier ones stay.
    pub fn edit_note(&mut self, id: EntryId, note: NewNote) -> Result<(), ModelError> {
        check_text("text", &note.text, MAX_TEXT_CHARS)?;
        let obj = self.entry(key::NOTES, "note", id)?;
        let versions = self.list(&obj, "versions")?;
        let version = self.note_version(note);
        self.append(&versions, version)
    }

    /// The note `id` as this transaction sees it.
    pub fn note(&self, id: EntryId) -> Result<Note, ModelError> {
        let obj = self.entry(key::NOTES, "note", id)?;
        crate::record::hydrate(&*self.tx, &obj)
    }

    /// Records that this member has read the note (確認しました). Repeating it
    /// keeps the first time.
    pub fn acknowledge_note(&mut self, id: EntryId) -> Result<(), ModelError> {
        self.acknowledge(key::NOTES, "note", id)
    }

    /// A reading past the patient's urgent band, acknowledged like a note.
    pub fn acknowledge_vitals(&mut self, id: EntryId) -> Result<(), ModelError> {
        self.acknowledge(key::VITALS, "reading", id)
    }

    /// Adds this member to an entry's `acks` (once: the first time counts).
    fn acknowledge(&mut self, collection: &'static str, kind: &'static str, id: EntryId) -> Result<(), ModelError> {
        let obj = self.entry(collection, kind, id)?;
        let acks = match self.tx.get(&obj, "acks")? {
            Some((automerge::Value::Object(ObjType::Map), acks)) => acks,
            _ => self.tx.put_object(&obj, "acks", ObjType::Map)?,
        };
        let member = self.writer.member.to_string();
        if self.tx.get(&acks, member.as_str())?.is_none() {
            reconcile_prop(self.tx, &acks, member.as_str(), self.at)?;
        }
        Ok(())
    }
}
