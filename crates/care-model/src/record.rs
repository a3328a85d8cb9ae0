//! The care record: one automerge document per care team (= per patient).
//!
//! Layout of the document (root map):
//!
//! ```text
//! schema       u64       SCHEMA_VERSION of the writer that created it
//! team         string    the TeamId
//! patient      map       Patient: name, kana, contacts, ACP, ... (fields merge one by one)
//! thresholds   map       Thresholds for vitals
//! members      map       MemberId -> Member
//! devices      map       DeviceId -> MemberId: who a change's actor is
//! notes        map       EntryId -> Note         (versions appended, never overwritten)
//! vitals       map       EntryId -> VitalsEntry  (appended, never overwritten)
//! tasks        map       EntryId -> Task         (status fields merge; conflicts visible)
//! medications  map       EntryId -> Medication   (revisions appended, never overwritten)
//! ```
//!
//! Made on first use (older records lack them): `reviews`, `case`, `plans`,
//! `visits`, `settings`, `seen`, `instructions`, `drafts`, `consents`. A station's record (kind
//! `station`, written by its first change) holds the on-call `rota`.
//!
//! Every user action is one [`CareRecord::change`] call: one automerge
//! transaction, one change, one row in the store.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjId, ObjType, ReadDoc, ROOT};
use autosurgeon::{hydrate_prop, reconcile_insert, reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::case::CaseState;
use crate::instructions::Instruction;
use crate::rota::Rota;
use crate::settings::TeamSettings;
use crate::visits::{Visit, VisitPlan};
use crate::{
    DeviceId, EntryId, Medication, Member, MemberId, ModelError, Note, Patient, Task, TaskStatus, TeamId, Thresholds,
    Timestamp, Urgency, ValidationError, VitalsEntry,
};

mod read;

/// The schema this code writes and fully understands.
pub const SCHEMA_VERSION: u64 = 1;

/// Longest note text accepted (about ten pages of Japanese).
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest title, name or short field.
pub const MAX_SHORT_CHARS: usize = 200;

pub(crate) mod key {
    pub const SCHEMA: &str = "schema";
    pub const TEAM: &str = "team";
    pub const PATIENT: &str = "patient";
    pub const THRESHOLDS: &str = "thresholds";
    pub const MEMBERS: &str = "members";
    pub const DEVICES: &str = "devices";
    pub const NOTES: &str = "notes";
    pub const VITALS: &str = "vitals";
    pub const TASKS: &str = "tasks";
    pub const MEDICATIONS: &str = "medications";
    pub const REVIEWS: &str = "reviews";
    pub const CASE: &str = "case";
    pub const PLANS: &str = "plans";
    pub const VISITS: &str = "visits";
    pub const KIND: &str = "kind";
    pub const SETTINGS: &str = "settings";
    pub const SEEN: &str = "seen";
    pub const ROTA: &str = "rota";
    pub const INSTRUCTIONS: &str = "instructions";
    pub const DRAFTS: &str = "drafts";
    pub const CONSENTS: &str = "consents";
    pub const DIRECTORY: &str = "directory";
    pub const WOUNDS: &str = "wounds";
    pub const ATTACHMENTS: &str = "attachments";
    /// The maps the team's first change makes at the root, which every
    /// record keeps (`reviews` came later and is made on first use).
    pub const ROOT_MAPS: [&str; 8] = [PATIENT, THRESHOLDS, MEMBERS, DEVICES, NOTES, VITALS, TASKS, MEDICATIONS];
    /// The collections whose entries are keyed by [`crate::EntryId`].
    pub const ENTRY_COLLECTIONS: [&str; 4] = [NOTES, VITALS, TASKS, MEDICATIONS];
}

/// The whole record, read at one moment.
#[derive(Debug, Clone, PartialEq, Hydrate, Serialize, Deserialize)]
pub struct Record {
    pub schema: u64,
    pub team: TeamId,
    pub patient: Patient,
    pub thresholds: Thresholds,
    pub members: BTreeMap<String, Member>,
    pub devices: BTreeMap<String, MemberId>,
    pub notes: BTreeMap<String, Note>,
    pub vitals: BTreeMap<String, VitalsEntry>,
    pub tasks: BTreeMap<String, Task>,
    pub medications: BTreeMap<String, Medication>,
    /// Member id -> when that member last marked the record reviewed. In
    /// the record, so a manager's review carries across her laptops and the
    /// team sees who has reviewed.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub reviews: BTreeMap<String, Timestamp>,
    /// Open or closed (利用終了); made on first use.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub case: CaseState,
    /// Planned visits (weekly patterns and dated ones); made on first use.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub plans: BTreeMap<String, VisitPlan>,
    /// Visits as made (in a partial read: those since the read's start).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub visits: BTreeMap<String, Visit>,
    /// A patient's team, or a station's (which holds the rota).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub kind: RecordKind,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub settings: TeamSettings,
    /// Member id -> when they last opened the record (passive 既読).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub seen: BTreeMap<String, Timestamp>,
    /// 訪問看護指示書, appended.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub instructions: BTreeMap<String, Instruction>,
    /// A station's on-call rota (empty in a patient's record).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub rota: Rota,
    /// The patient's consents to share (and withdrawals), appended.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub consents: BTreeMap<String, crate::Consent>,
    /// A region's directory: one entry per organisation (empty elsewhere).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub directory: BTreeMap<String, crate::DirectoryEntry>,
    /// Wounds followed with DESIGN-R 2020.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub wounds: BTreeMap<String, crate::Wound>,
    /// Photos and scans: where each sealed file lives, never its bytes.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub attachments: BTreeMap<String, crate::Attachment>,
}

crate::vocab::vocab_enum!(
    /// What a record is about: one patient, a station (its rota), or a
    /// region's directory.
    RecordKind, "kind", accepted: "patient | station | directory" {
    Patient = ("patient", "利用者", "patient"),
    Station = ("station", "ステーション", "station"),
    Directory = ("directory", "地域の名簿", "regional directory"),
});

// vocab_enum! makes the enum, so `#[default]` cannot go on the variant.
#[allow(clippy::derivable_impls)]
impl Default for RecordKind {
    fn default() -> Self {
        RecordKind::Patient
    }
}

impl Record {
    /// Notes, newest first.
    pub fn notes_newest_first(&self) -> Vec<(&str, &Note)> {
        let mut v: Vec<_> = self.notes.iter().map(|(k, n)| (k.as_str(), n)).collect();
        v.sort_by(|a, b| b.1.written_at.cmp(&a.1.written_at).then(a.0.cmp(b.0)));
        v
    }
    /// Readings, newest first by the time they were taken.
    pub fn vitals_newest_first(&self) -> Vec<(&str, &VitalsEntry)> {
        let mut v: Vec<_> = self.vitals.iter().map(|(k, e)| (k.as_str(), e)).collect();
        v.sort_by(|a, b| b.1.reading.taken_at.cmp(&a.1.reading.taken_at).then(a.0.cmp(b.0)));
        v
    }
    /// Open tasks first, then by due date (none last).
    pub fn tasks_in_order(&self) -> Vec<(&str, &Task)> {
        let mut v: Vec<_> = self.tasks.iter().map(|(k, t)| (k.as_str(), t)).collect();
        v.sort_by_key(|(k, t)| (t.status != TaskStatus::Open, t.due.is_none(), t.due, t.created_at, *k));
        v
    }
    pub fn member_name(&self, id: &MemberId) -> Option<&str> {
        self.members.get(&id.to_string()).map(|m| m.name.as_str())
    }
}

/// Who is writing, on which device. Every change is made as one of these.
#[derive(Debug, Clone, PartialEq)]
pub struct Writer {
    pub member: MemberId,
    pub device: DeviceId,
    pub profile: Member,
}

/// What a record screen opens with: see [`CareRecord::read_recent`].
#[derive(Debug, Clone, PartialEq)]
pub struct Recent {
    pub record: Record,
    pub notes_total: usize,
    pub vitals_total: usize,
}

/// One care team's record.
#[derive(Debug, Clone)]
pub struct CareRecord {
    doc: Automerge,
    team: TeamId,
}

/// One automerge change: its hash and its bytes, as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeBytes {
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

impl ChangeBytes {
    fn of(change: &automerge::Change) -> Self {
        ChangeBytes {
            hash: change.hash().0,
            bytes: change.raw_bytes().to_vec(),
        }
    }

    /// The hashes of the changes this one builds on.
    pub fn deps(&self) -> Vec<[u8; 32]> {
        automerge::Change::from_bytes(self.bytes.clone())
            .map(|c| c.deps().iter().map(|h| h.0).collect())
            .unwrap_or_default()
    }

    /// The device that wrote this change (its automerge actor).
    pub fn author(&self) -> Option<DeviceId> {
        let change = automerge::Change::from_bytes(self.bytes.clone()).ok()?;
        device_of(change.actor_id())
    }

    /// Checks bytes received from elsewhere and reads their hash.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, ModelError> {
        // Before automerge inflates it (without a cap).
        crate::admit::check_inflation(&bytes).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        let change = automerge::Change::from_bytes(bytes).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        Ok(Self::of(&change))
    }
}

/// A change just made, ready for the store and its outbox.
#[derive(Debug, Clone)]
pub struct Committed<T> {
    pub value: T,
    /// `None` when the action changed nothing.
    pub change: Option<ChangeBytes>,
}

impl CareRecord {
    /// Starts a new team around `patient`, with `writer` as its first member.
    pub fn create(
        team: TeamId,
        writer: &Writer,
        patient: Patient,
        at: Timestamp,
    ) -> Result<(Self, ChangeBytes), ModelError> {
        Self::create_kind(team, writer, patient, RecordKind::Patient, at)
    }

    /// Starts a station's record (its on-call rota), named `name`, with
    /// `writer` as its first member and admin.
    pub fn create_station(
        team: TeamId,
        writer: &Writer,
        name: &str,
        at: Timestamp,
    ) -> Result<(Self, ChangeBytes), ModelError> {
        let station = Patient {
            name: name.to_string(),
            ..Default::default()
        };
        Self::create_kind(team, writer, station, RecordKind::Station, at)
    }

    /// Starts a region's directory, named `name`, with `writer` as its
    /// first member and admin.
    pub fn create_directory(
        team: TeamId,
        writer: &Writer,
        name: &str,
        at: Timestamp,
    ) -> Result<(Self, ChangeBytes), ModelError> {
        let region = Patient {
            name: name.to_string(),
            ..Default::default()
        };
        Self::create_kind(team, writer, region, RecordKind::Directory, at)
    }

    fn create_kind(
        team: TeamId,
        writer: &Writer,
        patient: Patient,
        kind: RecordKind,
        at: Timestamp,
    ) -> Result<(Self, ChangeBytes), ModelError> {
        crate::patient::validate_patient(&patient)?;
        let mut doc = Automerge::new().with_actor(actor_of(writer.device));
        let result = doc.transact_with(
            |_| commit_options("team.create", at),
            |tx| -> Result<(), ModelError> {
                tx.put(ROOT, key::SCHEMA, SCHEMA_VERSION)?;
                tx.put(ROOT, key::TEAM, team.to_string())?;
                reconcile_prop(tx, ROOT, key::PATIENT, &patient)?;
                reconcile_prop(tx, ROOT, key::THRESHOLDS, Thresholds::default())?;
                for k in [
                    key::MEMBERS,
                    key::DEVICES,
                    key::NOTES,
                    key::VITALS,
                    key::TASKS,
                    key::MEDICATIONS,
                    key::REVIEWS,
                ] {
                    tx.put_object(ROOT, k, ObjType::Map)?;
                }
                if kind != RecordKind::Patient {
                    tx.put(ROOT, key::KIND, kind.code())?;
                }
                if kind == RecordKind::Station {
                    reconcile_prop(tx, ROOT, key::ROTA, Rota::default())?;
                }
                let mut rtx = RecordTx { tx, writer, at };
                rtx.register_writer()?;
                Ok(())
            },
        );
        let hash = result.map_err(|f| f.error)?.hash.expect("genesis has operations");
        let change = ChangeBytes::of(&doc.get_change_by_hash(&hash).expect("just committed"));
        Ok((Self { doc, team }, change))
    }

    /// Opens a record from a saved document, a concatenation of changes, or
    /// both one after the other.
    pub fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        let doc = match Automerge::load(bytes) {
            // Every chunk was read, but some changes build on one that is not
            // here yet (quarantined until a good copy comes): they wait in
            // automerge's queue, as they would arriving one by one.
            Err(automerge::AutomergeError::MissingDeps) => Automerge::load_with_options(
                bytes,
                automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Ignore),
            ),
            loaded => loaded,
        }
        .map_err(|e| ModelError::Corrupt(e.to_string()))?;
        Self::from_doc(doc)
    }

    fn from_doc(doc: Automerge) -> Result<Self, ModelError> {
        // Any schema version opens, a newer app's too: what this version
        // knows is read as usual, the rest is kept (see `written_by_newer`).
        if !matches!(doc.get(ROOT, key::SCHEMA)?, Some((automerge::Value::Scalar(_), _))) {
            return Err(ModelError::Corrupt("no schema version".into()));
        }
        let team: TeamId = hydrate_prop(&doc, ROOT, key::TEAM)?;
        Ok(Self { doc, team })
    }

    /// A record with nothing in it yet, for a team whose first change is
    /// still to arrive: changes from the relay are checked against it.
    pub fn blank(team: TeamId) -> Self {
        Self {
            doc: Automerge::new(),
            team,
        }
    }

    /// Whether the team's first change is here (a blank record has none).
    pub fn is_blank(&self) -> bool {
        self.doc.get(ROOT, key::SCHEMA).ok().flatten().is_none()
    }

    /// Whether a newer version of Tsunagi wrote this record: fields it does
    /// not know are kept and shown as such, never dropped.
    pub fn written_by_newer(&self) -> bool {
        matches!(self.doc.get(ROOT, key::SCHEMA), Ok(Some((automerge::Value::Scalar(s), _))) if s.as_u64().is_some_and(|v| v > SCHEMA_VERSION))
    }

    /// Whether the change with this hash is in the record.
    pub fn has_change(&self, hash: &[u8; 32]) -> bool {
        self.doc.get_change_by_hash(&automerge::ChangeHash(*hash)).is_some()
    }

    /// Adds changes (one or many, concatenated, or a saved document) from the
    /// store or another laptop. Applying a change twice is harmless.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<(), ModelError> {
        self.doc
            .load_incremental(bytes)
            .map_err(|e| ModelError::Corrupt(e.to_string()))?;
        Ok(())
    }

    /// Takes in everything `other` has that this record lacks.
    pub fn merge(&mut self, other: &mut CareRecord) -> Result<(), ModelError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    pub fn team(&self) -> TeamId {
        self.team
    }

    /// The whole record in automerge's compact form.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// The hashes of the latest changes: equal heads mean equal records.
    pub fn heads(&self) -> Vec<automerge::ChangeHash> {
        self.doc.get_heads()
    }

    /// Every change in the record, in causal order.
    pub fn changes(&self) -> Vec<ChangeBytes> {
        self.doc.get_changes(&[]).iter().map(ChangeBytes::of).collect()
    }

    pub(crate) fn doc(&self) -> &Automerge {
        &self.doc
    }

    /// A root value made on first use, its default when absent.
    fn lazy<T: Hydrate + Default>(&self, name: &'static str) -> Result<T, ModelError> {
        Ok(match self.doc.get(ROOT, name)? {
            Some(_) => hydrate_prop(&self.doc, ROOT, name)?,
            None => T::default(),
        })
    }

    /// A patient's record or a station's, without reading the whole record.
    pub fn kind(&self) -> Result<RecordKind, ModelError> {
        self.lazy(key::KIND)
    }

    /// The team's settings, without reading the whole record.
    pub fn settings(&self) -> Result<TeamSettings, ModelError> {
        self.lazy(key::SETTINGS)
    }

    /// The attached files, without reading the whole record.
    pub fn attachments(&self) -> Result<BTreeMap<String, crate::Attachment>, ModelError> {
        self.lazy_entries(key::ATTACHMENTS, |_: &crate::Attachment| true)
    }

    /// A sheet's kept draft (empty when none was saved).
    pub fn draft(&self, which: crate::DraftKey) -> Result<crate::Draft, ModelError> {
        let doc = &self.doc;
        let Some((automerge::Value::Object(ObjType::Map), map)) = doc.get(ROOT, key::DRAFTS)? else {
            return Ok(Default::default());
        };
        match doc.get(&map, which.to_string())? {
            Some((automerge::Value::Object(_), obj)) => Ok(hydrate(doc, &obj)?),
            _ => Ok(Default::default()),
        }
    }

    /// The entries of a map made on first use (absent: none) that `keep`.
    fn lazy_entries<T: Hydrate>(
        &self,
        name: &'static str,
        keep: impl Fn(&T) -> bool,
    ) -> Result<BTreeMap<String, T>, ModelError> {
        let doc = &self.doc;
        let Some((automerge::Value::Object(ObjType::Map), map)) = doc.get(ROOT, name)? else {
            return Ok(BTreeMap::new());
        };
        let mut out = BTreeMap::new();
        for id in doc.keys(&map) {
            if let Some((automerge::Value::Object(_), obj)) = doc.get(&map, id.as_str())? {
                let entry: T = hydrate(doc, &obj)?;
                if keep(&entry) {
                    out.insert(id, entry);
                }
            }
        }
        Ok(out)
    }

    /// The entries of one collection (notes, vitals, ...) as (id, object).
    fn entries(&self, collection: &'static str) -> Result<Vec<(String, ObjId)>, ModelError> {
        let doc = &self.doc;
        let map = match doc.get(ROOT, collection)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => return Err(ModelError::Corrupt(format!("no {collection} map"))),
        };
        doc.keys(&map)
            .map(|id| match doc.get(&map, id.as_str())? {
                Some((automerge::Value::Object(_), obj)) => Ok((id, obj)),
                _ => Err(ModelError::Corrupt(format!("{collection} entry {id} is not a map"))),
            })
            .collect()
    }

    /// The newest version of the note `note` (id `id`).
    fn latest_version(&self, id: &str, note: &ObjId) -> Result<ObjId, ModelError> {
        let doc = &self.doc;
        let versions = match doc.get(note, "versions")? {
            Some((automerge::Value::Object(ObjType::List), list)) => list,
            _ => return Err(ModelError::Corrupt(format!("note {id} has no versions"))),
        };
        let last = doc.length(&versions).saturating_sub(1);
        match doc.get(&versions, last)? {
            Some((automerge::Value::Object(_), version)) => Ok(version),
            _ => Err(ModelError::Corrupt(format!("note {id} has no versions"))),
        }
    }

    /// Who has reviewed the record when (member id -> time), without reading
    /// the whole record.
    pub fn reviews(&self) -> Result<BTreeMap<String, Timestamp>, ModelError> {
        Ok(match self.doc.get(ROOT, key::REVIEWS)? {
            Some(_) => hydrate_prop(&self.doc, ROOT, key::REVIEWS)?,
            None => BTreeMap::new(),
        })
    }

    /// The patient's details, without reading the whole record.
    pub fn patient(&self) -> Result<Patient, ModelError> {
        Ok(hydrate_prop(&self.doc, ROOT, key::PATIENT)?)
    }

    /// The patient's vital-sign thresholds, without reading the whole record.
    /// Open or closed, without reading the whole record.
    pub fn case(&self) -> Result<CaseState, ModelError> {
        crate::case::read_case(&self.doc)
    }

    pub fn thresholds(&self) -> Result<Thresholds, ModelError> {
        Ok(hydrate_prop(&self.doc, ROOT, key::THRESHOLDS)?)
    }

    /// Makes one user action (a visit, a task ticked) as one change. If `f`
    /// fails, nothing is changed.
    pub fn change<T>(
        &mut self,
        writer: &Writer,
        at: Timestamp,
        action: &str,
        f: impl FnOnce(&mut RecordTx<'_, '_>) -> Result<T, ModelError>,
    ) -> Result<Committed<T>, ModelError> {
        // A closed case is read-only for everyone; reopening is the one
        // change it takes.
        if action != crate::case::REOPEN_ACTION && self.case()?.is_closed() {
            return Err(ModelError::Closed);
        }
        self.doc.set_actor(actor_of(writer.device));
        let result = self.doc.transact_with(
            |_| commit_options(action, at),
            |tx| -> Result<T, ModelError> {
                let mut rtx = RecordTx { tx, writer, at };
                let value = f(&mut rtx)?;
                rtx.register_writer()?;
                Ok(value)
            },
        );
        let success = result.map_err(|f| f.error)?;
        let change = success
            .hash
            .map(|h| ChangeBytes::of(&self.doc.get_change_by_hash(&h).expect("just committed")));
        Ok(Committed {
            value: success.result,
            change,
        })
    }
}

fn commit_options(action: &str, at: Timestamp) -> automerge::transaction::CommitOptions {
    // automerge's change time is in seconds; ours are in the records.
    automerge::transaction::CommitOptions::default()
        .with_message(action.to_string())
        .with_time(at.0.div_euclid(1000))
}

/// A device's automerge actor is its device id, so a change names its laptop.
/// Reads one entry object (a note, reading, task) whole.
pub(crate) fn hydrate<T: Hydrate>(doc: &impl autosurgeon::ReadDoc, obj: &ObjId) -> Result<T, ModelError> {
    Ok(T::hydrate_map(doc, obj)?)
}

pub fn actor_of(device: DeviceId) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

/// The device behind an actor, when the actor is one of ours.
pub fn device_of(actor: &ActorId) -> Option<DeviceId> {
    <[u8; 16]>::try_from(actor.to_bytes()).ok().map(DeviceId::from_bytes)
}

/// The typed operations of one transaction.
pub struct RecordTx<'a, 'doc> {
    pub(crate) tx: &'a mut automerge::transaction::Transaction<'doc>,
    pub(crate) writer: &'a Writer,
    pub(crate) at: Timestamp,
}

impl RecordTx<'_, '_> {
    pub(crate) fn collection(&self, name: &'static str) -> Result<ObjId, ModelError> {
        match self.tx.get(ROOT, name)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(ModelError::Corrupt(format!("no {name} map"))),
        }
    }

    /// The object of entry `id` in the root map `collection` (made on first
    /// use or not), or `NotFound` naming `kind`.
    pub(crate) fn entry(&self, collection: &'static str, kind: &'static str, id: EntryId) -> Result<ObjId, ModelError> {
        let map = match self.tx.get(ROOT, collection)? {
            Some((automerge::Value::Object(ObjType::Map), map)) => map,
            _ => {
                return Err(ModelError::NotFound {
                    kind,
                    id: id.to_string(),
                })
            }
        };
        match self.tx.get(&map, id.to_string())? {
            Some((automerge::Value::Object(_), obj)) => Ok(obj),
            _ => Err(ModelError::NotFound {
                kind,
                id: id.to_string(),
            }),
        }
    }

    pub(crate) fn append<T: Reconcile>(&mut self, list: &ObjId, value: T) -> Result<(), ModelError> {
        let len = self.tx.length(list);
        reconcile_insert(self.tx, list.clone(), len, value)?;
        Ok(())
    }

    pub(crate) fn list(&self, obj: &ObjId, prop: &str) -> Result<ObjId, ModelError> {
        match self.tx.get(obj, prop)? {
            Some((automerge::Value::Object(ObjType::List), id)) => Ok(id),
            _ => Err(ModelError::Corrupt(format!("no {prop} list"))),
        }
    }

    /// Records that this device writes for this member, once per device.
    fn register_writer(&mut self) -> Result<(), ModelError> {
        let devices = self.collection(key::DEVICES)?;
        let device = self.writer.device.to_string();
        let known: Option<MemberId> = match self.tx.get(&devices, device.as_str())? {
            Some(_) => hydrate_prop(&*self.tx, &devices, device.as_str())?,
            None => None,
        };
        if known != Some(self.writer.member) {
            reconcile_prop(self.tx, &devices, device.as_str(), self.writer.member)?;
        }
        let members = self.collection(key::MEMBERS)?;
        let member = self.writer.member.to_string();
        if self.tx.get(&members, member.as_str())?.is_none() {
            reconcile_prop(self.tx, &members, member.as_str(), &self.writer.profile)?;
        }
        Ok(())
    }

    /// The root map `name`, made on first use (records made before it have
    /// none).
    pub(crate) fn root_map(&mut self, name: &'static str) -> Result<ObjId, ModelError> {
        Ok(match self.tx.get(ROOT, name)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => self.tx.put_object(ROOT, name, ObjType::Map)?,
        })
    }

    /// The map `name` inside `obj`, made on first use.
    pub(crate) fn map_in(&mut self, obj: &ObjId, name: &'static str) -> Result<ObjId, ModelError> {
        Ok(match self.tx.get(obj, name)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => self.tx.put_object(obj, name, ObjType::Map)?,
        })
    }

    /// The writer's member has reviewed the record now. Kept per member, so
    /// reviews from two laptops at once never hide each other; a laptop
    /// with a slow clock never moves a member's review back.
    pub fn mark_reviewed(&mut self) -> Result<(), ModelError> {
        let at = self.at;
        let reviews = self.root_map(key::REVIEWS)?;
        let member = self.writer.member.to_string();
        let before: Option<Timestamp> = match self.tx.get(&reviews, member.as_str())? {
            Some(_) => Some(hydrate_prop(self.tx, &reviews, member.as_str())?),
            None => None,
        };
        if before.is_none_or(|b| at > b) {
            reconcile_prop(self.tx, &reviews, member.as_str(), at)?;
        }
        Ok(())
    }
}

pub(crate) fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), ValidationError> {
    let n = text.chars().count();
    if text.trim().is_empty() || n > max {
        return Err(ValidationError {
            field,
            value: if n > 40 {
                format!("({n} 文字 / chars)")
            } else {
                text.to_string()
            },
            accepted: if max == MAX_TEXT_CHARS {
                "1–20000 文字 / chars"
            } else {
                "1–200 文字 / chars"
            },
        });
    }
    Ok(())
}
