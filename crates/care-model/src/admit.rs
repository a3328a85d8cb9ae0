//! Checking a change from another laptop before it joins the record.
//!
//! A team spans organisations, so a member is not trusted to write anything
//! but their own entries. A change read from the relay is admitted only if:
//! - its bytes inflate to at most [`MAX_INFLATED_BYTES`] (automerge inflates
//!   without a cap: a 1 MiB envelope could become gigabytes);
//! - its automerge actor is the device that sealed and signed its envelope
//!   (else `history()` could name the doctor for a change she never made);
//! - in the record's `devices` map it writes only its own device's entry,
//!   bound to its own member; in `members` only its own member's entry;
//! - it does not replace or delete what the team's first change made at the
//!   root (`schema`, `team`, `patient`, the collections): that would hide
//!   the record from everyone, or claim a schema from the future;
//! - applied, every entry it touched still reads as its type.
//!
//! A refused change is quarantined by the caller and the rest of the log goes
//! on. Fields unknown to this version (written by a newer app) pass: they are
//! kept, not refused.

use std::collections::BTreeSet;
use std::io::Read;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ObjType, ReadDoc, ROOT};
use autosurgeon::hydrate_prop;

use crate::record::key;
use crate::{CareRecord, ChangeBytes, DeviceId, MemberId, Thresholds, Timestamp};
use crate::{Medication, Member, Note, Task, VitalsEntry};

/// The most a change (or a snapshot) may inflate to. A five-year record
/// saved whole is a few MB; a single visit a few KB.
pub const MAX_INFLATED_BYTES: u64 = 64 << 20;

/// Who sealed an envelope, as the team's signed roster says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender {
    pub device: DeviceId,
    pub member: MemberId,
    /// The member is one of the team's admins (the roster's `admins`): only
    /// admins may reopen a closed case.
    pub admin: bool,
    /// The member joined as family (the roster's `family`): writes only
    /// their own notes (and their own `devices`, `members`, `seen`).
    pub family: bool,
}

/// Why a change from another laptop was not admitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not an automerge change: {0}")]
    Undecodable(String),
    #[error("inflates past {MAX_INFLATED_BYTES} bytes")]
    TooLarge,
    #[error("written as another device ({0}), not the one that sent it")]
    ForgedActor(String),
    #[error("rewrites {0}, which only its own device may write")]
    OthersEntry(String),
    #[error("replaces or deletes the record's `{0}`")]
    RootRewrite(String),
    #[error("{0}: only the team's admins may do this")]
    AdminsOnly(String),
    #[error("{0}: family members write only their own notes")]
    FamilyOnly(String),
    #[error("leaves the record unreadable: {0}")]
    Unreadable(String),
    #[error("applying it failed: {0}")]
    Failed(String),
}

impl Refusal {
    /// Whether the change was applied before it was refused (the record
    /// then holds part of it and must be read again from what is stored).
    pub fn after_applying(&self) -> bool {
        matches!(self, Refusal::Unreadable(_) | Refusal::Failed(_))
    }
}

impl CareRecord {
    /// Checks `change` from `sender` and applies it if it keeps the rules.
    /// On `Err` the record may hold part of it (a change refused after it
    /// was applied): the caller must reload the record from what it stored.
    pub fn admit(&mut self, change: &ChangeBytes, sender: Sender) -> Result<(), Refusal> {
        check_inflation(&change.bytes)?;
        let decoded =
            automerge::Change::from_bytes(change.bytes.clone()).map_err(|e| Refusal::Undecodable(e.to_string()))?;
        let actor = decoded.actor_id();
        if crate::record::device_of(actor) != Some(sender.device) {
            return Err(Refusal::ForgedActor(actor.to_hex_string()));
        }
        if self.doc().get_change_by_hash(&decoded.hash()).is_some() {
            return Ok(());
        }
        let ops = decoded.decode().operations;
        self.check_ops(&ops, sender, decoded.deps().is_empty())?;
        let before = self.doc().get_heads();
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.apply(&change.bytes)));
        match applied {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Refusal::Failed(e.to_string())),
            Err(_) => return Err(Refusal::Failed("automerge panicked".into())),
        }
        if self.doc().get_heads() == before {
            return Ok(()); // waits in automerge's queue for a change it builds on
        }
        self.check_authorship(&ops, sender)?;
        // Changes that waited on this one were applied with it: what they
        // touched must read too.
        let mut touched = ops;
        for c in self.doc().get_changes(&before) {
            if c.hash() != decoded.hash() {
                touched.extend(c.decode().operations);
            }
        }
        self.check_touched(&touched)
    }

    /// The rules that need only the change's operations and the record
    /// before it.
    fn check_ops(&self, ops: &[automerge::legacy::Op], sender: Sender, first: bool) -> Result<(), Refusal> {
        let doc = self.doc();
        let obj_of = |name: &str| match doc.get(ROOT, name) {
            Ok(Some((automerge::Value::Object(_), id))) => Some(id.to_string()),
            _ => None,
        };
        let (devices, members, directory) = (obj_of(key::DEVICES), obj_of(key::MEMBERS), obj_of(key::DIRECTORY));
        // Objects inside another member's entry (a Member is a map).
        let others_member_objs: BTreeSet<String> = match doc.get(ROOT, key::MEMBERS) {
            Ok(Some((_, map))) => doc
                .keys(&map)
                .filter(|k| *k != sender.member.to_string())
                .filter_map(|k| doc.get(&map, k.as_str()).ok().flatten())
                .filter(|(v, _)| v.is_object())
                .map(|(_, id)| id.to_string())
                .collect(),
            _ => BTreeSet::new(),
        };
        let (me_device, me_member) = (sender.device.to_string(), sender.member.to_string());
        for op in ops {
            let obj = match &op.obj {
                ObjectId::Root => "_root".to_string(),
                ObjectId::Id(id) => id.to_string(),
            };
            let Key::Map(prop) = &op.key else { continue };
            let prop = prop.as_str();
            if op.obj == ObjectId::Root {
                // What the first change made at the root stays: a second
                // `patient`, a `schema` from the future or a delete would
                // hide or break the record. New root keys (a newer app's)
                // are kept.
                if doc.get(ROOT, prop).ok().flatten().is_some() {
                    return Err(Refusal::RootRewrite(prop.to_string()));
                }
                // Only the team's first change says what the record is (a
                // later `kind` could hide a patient from Today).
                if prop == key::KIND && !first {
                    return Err(Refusal::RootRewrite(prop.to_string()));
                }
                continue;
            }
            if Some(&obj) == devices.as_ref() {
                if prop != me_device {
                    return Err(Refusal::OthersEntry(format!("devices.{prop}")));
                }
                let binds_me =
                    matches!(&op.action, OpType::Put(automerge::ScalarValue::Str(m)) if m.as_str() == me_member);
                if !binds_me {
                    return Err(Refusal::OthersEntry(format!(
                        "devices.{prop} (bound to another member)"
                    )));
                }
            } else if Some(&obj) == members.as_ref() {
                if prop != me_member {
                    return Err(Refusal::OthersEntry(format!("members.{prop}")));
                }
            } else if others_member_objs.contains(&obj) {
                return Err(Refusal::OthersEntry(format!("members.*.{prop}")));
            } else if Some(&obj) == directory.as_ref() {
                // Replacing or deleting a directory entry: its keeper only.
                if let Ok(Some((automerge::Value::Object(_), entry))) =
                    doc.import_obj(&obj).and_then(|dir| doc.get(&dir, prop))
                {
                    if crate::directory::keeper(doc, &entry) != Some(sender.member) {
                        return Err(Refusal::OthersEntry(format!(
                            "directory.{prop} (another organisation's)"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The path from the root to where `op` wrote: its object's path, then
    /// its own key (`None` for an object no longer reachable).
    fn path_of(&self, op: &automerge::legacy::Op) -> Result<Option<Vec<String>>, Refusal> {
        let doc = self.doc();
        let mut path: Vec<String> = match &op.obj {
            ObjectId::Root => Vec::new(),
            ObjectId::Id(id) => {
                let obj = doc
                    .import_obj(&id.to_string())
                    .map_err(|_| Refusal::Unreadable(format!("object {id} is not in the record")))?;
                match doc.parents(&obj) {
                    Ok(parents) => parents.path().into_iter().map(|(_, prop)| prop.to_string()).collect(),
                    Err(_) => return Ok(None),
                }
            }
        };
        if let Key::Map(k) = &op.key {
            path.push(k.to_string());
        }
        Ok(Some(path))
    }

    /// After applying: what the sender wrote names only the sender as who
    /// wrote, closed, acknowledged or reviewed (a note's `author`, a
    /// version's `by`, a task's `closed_by`, its own key in a note's `acks`
    /// and in `reviews`), so the record cannot show another member as the
    /// author of what this one wrote.
    fn check_authorship(&self, ops: &[automerge::legacy::Op], sender: Sender) -> Result<(), Refusal> {
        let me = sender.member.to_string();
        for op in ops {
            let Some(path) = self.path_of(op)? else { continue };
            if sender.family && !self.family_may_write(&path, sender.member) {
                return Err(Refusal::FamilyOnly(path.join(".")));
            }
            let Some(last) = path.last() else { continue };
            let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
            let value = match &op.action {
                OpType::Put(automerge::ScalarValue::Str(v)) => Some(v.as_str()),
                _ => None,
            };
            let names_me = value == Some(me.as_str());
            let wrong = match last.as_str() {
                "author" | "by" | "created_by" | "coded_by" => !names_me,
                "closed_by" => !names_me && !matches!(op.action, OpType::Put(automerge::ScalarValue::Null)),
                _ if parent == Some("acks")
                    || (path.len() == 2 && (path[0] == key::REVIEWS || path[0] == key::SEEN)) =>
                {
                    *last != me
                }
                _ => false,
            };
            if wrong {
                return Err(Refusal::OthersEntry(format!(
                    "{} (names another member)",
                    path.join(".")
                )));
            }
            // Reopening a closed case: `closed` set to nothing, or a
            // `reopened` written.
            let reopens = path.first().map(String::as_str) == Some(key::CASE)
                && (path.get(1).map(String::as_str) == Some("reopened")
                    || (path.len() == 2
                        && *last == "closed"
                        && matches!(op.action, OpType::Put(automerge::ScalarValue::Null))));
            if reopens && !sender.admin {
                return Err(Refusal::AdminsOnly("reopening a closed case".into()));
            }
            // A directory entry: its keeper's and her editors'; who edits
            // it, the keeper's alone.
            if path.len() >= 3 && path[0] == key::DIRECTORY {
                self.check_directory_write(&path, sender)?;
            }
            // The team's settings and a station's rota are the admins'.
            let root = path.first().map(String::as_str);
            if (root == Some(key::SETTINGS) || root == Some(key::ROTA)) && !sender.admin {
                return Err(Refusal::AdminsOnly(format!("writing `{}`", path.join("."))));
            }
        }
        Ok(())
    }

    /// Whether a family member may write at `path` (after applying): their
    /// own notes, and the entries every member keeps for themselves.
    fn family_may_write(&self, path: &[String], member: MemberId) -> bool {
        let doc = self.doc();
        match path.first().map(String::as_str) {
            Some(key::DEVICES | key::MEMBERS | key::SEEN) => true,
            Some(key::NOTES) if path.len() >= 2 => {
                let author = doc
                    .get(ROOT, key::NOTES)
                    .ok()
                    .flatten()
                    .and_then(|(_, notes)| doc.get(&notes, path[1].as_str()).ok().flatten())
                    .and_then(|(_, note)| doc.get(&note, "author").ok().flatten())
                    .and_then(|(v, _)| v.as_str().map(String::from));
                author.as_deref() == Some(member.to_string().as_str())
            }
            // A photo of their own (their `by`, checked as everyone's).
            Some(key::ATTACHMENTS) if path.len() >= 2 => {
                let by = doc
                    .get(ROOT, key::ATTACHMENTS)
                    .ok()
                    .flatten()
                    .and_then(|(_, map)| doc.get(&map, path[1].as_str()).ok().flatten())
                    .and_then(|(_, a)| doc.get(&a, "by").ok().flatten())
                    .and_then(|(v, _)| v.as_str().map(String::from));
                by.as_deref() == Some(member.to_string().as_str())
            }
            _ => false,
        }
    }

    /// Whether `sender` may write at `path` inside a directory entry.
    fn check_directory_write(&self, path: &[String], sender: Sender) -> Result<(), Refusal> {
        let doc = self.doc();
        let entry = match doc.get(ROOT, key::DIRECTORY) {
            Ok(Some((_, dir))) => match doc.get(&dir, path[1].as_str()) {
                Ok(Some((automerge::Value::Object(_), entry))) => entry,
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        let keeps = crate::directory::keeper(doc, &entry) == Some(sender.member);
        let edits = crate::directory::editors(doc, &entry).contains(&sender.member.to_string());
        let allowed = if path[2] == "editors" { keeps } else { keeps || edits };
        if !allowed {
            return Err(Refusal::OthersEntry(format!(
                "directory.{}.{} (another organisation's)",
                path[1], path[2]
            )));
        }
        Ok(())
    }

    /// After applying: the root still has its parts, and each entry the
    /// change touched still reads as its type.
    fn check_touched(&self, ops: &[automerge::legacy::Op]) -> Result<(), Refusal> {
        let doc = self.doc();
        let unreadable = |what: &str, e: &dyn std::fmt::Display| Refusal::Unreadable(format!("{what}: {e}"));
        for root_map in key::ROOT_MAPS {
            match doc.get(ROOT, root_map) {
                Ok(Some((automerge::Value::Object(ObjType::Map), _))) => {}
                _ => return Err(Refusal::Unreadable(format!("no `{root_map}` map"))),
            }
        }
        // (root key, entry id) of every object the change wrote in.
        let mut touched = BTreeSet::new();
        for op in ops {
            if let Some(path) = self.path_of(op)? {
                if let Some(root_key) = path.first() {
                    touched.insert((root_key.clone(), path.get(1).cloned()));
                }
            }
        }
        for (root_key, entry) in touched {
            let ok = match (root_key.as_str(), entry.as_deref()) {
                (key::PATIENT, _) => reads::<crate::Patient>(doc, &ROOT, key::PATIENT),
                (key::THRESHOLDS, _) => reads::<Thresholds>(doc, &ROOT, key::THRESHOLDS),
                (key::SCHEMA, _) => reads::<u64>(doc, &ROOT, key::SCHEMA),
                (key::TEAM, _) => reads::<String>(doc, &ROOT, key::TEAM),
                (key::CASE, _) => reads::<crate::CaseState>(doc, &ROOT, key::CASE),
                (key::SETTINGS, _) => reads::<crate::TeamSettings>(doc, &ROOT, key::SETTINGS),
                (key::ROTA, _) => reads::<crate::Rota>(doc, &ROOT, key::ROTA),
                (key::KIND, _) => reads::<crate::RecordKind>(doc, &ROOT, key::KIND),
                // Maps made on first use: the root key must stay a map, or
                // no laptop could read the record.
                (
                    key::REVIEWS
                    | key::PLANS
                    | key::VISITS
                    | key::SEEN
                    | key::INSTRUCTIONS
                    | key::DRAFTS
                    | key::CONSENTS
                    | key::DIRECTORY
                    | key::WOUNDS
                    | key::ATTACHMENTS,
                    None,
                ) => match doc.get(ROOT, root_key.as_str()) {
                    Ok(Some((automerge::Value::Object(ObjType::Map), _))) | Ok(None) => Ok(()),
                    _ => Err(autosurgeon::HydrateError::unexpected(
                        "a map",
                        "something else".to_string(),
                    )),
                },
                (collection, Some(id)) => {
                    let Ok(Some((_, map))) = doc.get(ROOT, collection) else {
                        continue;
                    };
                    match collection {
                        key::NOTES => reads::<Note>(doc, &map, id),
                        key::VITALS => reads::<VitalsEntry>(doc, &map, id),
                        key::TASKS => reads::<Task>(doc, &map, id),
                        key::MEDICATIONS => reads::<Medication>(doc, &map, id),
                        key::MEMBERS => reads::<Member>(doc, &map, id),
                        key::DEVICES => reads::<MemberId>(doc, &map, id),
                        key::REVIEWS => reads::<Timestamp>(doc, &map, id),
                        key::PLANS => reads::<crate::VisitPlan>(doc, &map, id),
                        key::VISITS => reads::<crate::Visit>(doc, &map, id),
                        key::SEEN => reads::<Timestamp>(doc, &map, id),
                        key::INSTRUCTIONS => reads::<crate::Instruction>(doc, &map, id),
                        key::DRAFTS => reads::<crate::Draft>(doc, &map, id),
                        key::CONSENTS => reads::<crate::Consent>(doc, &map, id),
                        key::DIRECTORY => reads::<crate::DirectoryEntry>(doc, &map, id),
                        key::WOUNDS => reads::<crate::Wound>(doc, &map, id),
                        key::ATTACHMENTS => reads::<crate::Attachment>(doc, &map, id),
                        // A newer app's collection: kept, not ours to read.
                        _ => Ok(()),
                    }
                }
                _ => Ok(()),
            };
            ok.map_err(|e| unreadable(&root_key, &e))?;
        }
        Ok(())
    }
}

impl CareRecord {
    /// Checks a whole saved record from another member (a snapshot) by
    /// what it holds, not change by change (thousands of changes one by one
    /// take seconds; this takes one load and one read): every change is by a
    /// device of the team (`member_of` says whose); the root's parts were
    /// each written once, by the team's first change; every `devices` entry
    /// was written by that device and names its own member; every `members`
    /// entry, and each of its fields, by a device of that member; and the
    /// whole record reads. The root must be `creator`'s (the device whose
    /// genesis op started the team), so a snapshot cannot bring a made-up
    /// record. A snapshot that leaves changes out is found by checking it
    /// against the log, not here.
    pub fn admit_whole(
        bytes: &[u8],
        creator: Option<DeviceId>,
        member_of: impl Fn(&DeviceId) -> Option<MemberId>,
        is_family: impl Fn(&MemberId) -> bool,
    ) -> Result<Self, Refusal> {
        check_inflation(bytes)?;
        let record = std::panic::catch_unwind(|| CareRecord::load(bytes))
            .map_err(|_| Refusal::Failed("automerge panicked".into()))?
            .map_err(|e| Refusal::Unreadable(e.to_string()))?;
        let doc = record.doc();
        let author = |id: &automerge::ObjId| match id {
            automerge::ObjId::Id(_, actor, _) => crate::record::device_of(actor),
            automerge::ObjId::Root => None,
        };
        for change in doc.get_changes(&[]) {
            let device = crate::record::device_of(change.actor_id());
            let Some(member) = device.and_then(|d| member_of(&d)) else {
                return Err(Refusal::ForgedActor(change.actor_id().to_hex_string()));
            };
            // A family member's changes: their own notes only (few changes,
            // so read one by one).
            if is_family(&member) {
                for op in change.decode().operations {
                    if let Some(path) = record.path_of(&op)? {
                        if !record.family_may_write(&path, member) {
                            return Err(Refusal::FamilyOnly(path.join(".")));
                        }
                    }
                }
            }
        }
        // The root is the team creator's first change's, when the roster
        // says who that is.
        let mut first = creator.map(Some);
        for k in [key::SCHEMA, key::TEAM].into_iter().chain(key::ROOT_MAPS) {
            let all = doc.get_all(ROOT, k).map_err(|e| Refusal::Unreadable(e.to_string()))?;
            let [(_, id)] = all.as_slice() else {
                return Err(Refusal::RootRewrite(k.to_string()));
            };
            if *first.get_or_insert(author(id)) != author(id) {
                return Err(Refusal::RootRewrite(k.to_string()));
            }
        }
        let map = |name: &str| match doc.get(ROOT, name) {
            Ok(Some((_, id))) => Ok(id),
            _ => Err(Refusal::Unreadable(format!("no `{name}` map"))),
        };
        let devices = map(key::DEVICES)?;
        for device in doc.keys(&devices) {
            for (value, id) in doc.get_all(&devices, device.as_str()).unwrap_or_default() {
                let own = author(&id).is_some_and(|a| a.to_string() == device);
                let names = author(&id).and_then(|a| member_of(&a)).map(|m| m.to_string());
                let bound = matches!(&value, automerge::Value::Scalar(s) if s.as_str() == names.as_deref());
                if !own || !bound {
                    return Err(Refusal::OthersEntry(format!("devices.{device}")));
                }
            }
        }
        let members = map(key::MEMBERS)?;
        let by_member = |id: &automerge::ObjId, m: &str| {
            author(id)
                .and_then(|a| member_of(&a))
                .is_some_and(|x| x.to_string() == m)
        };
        for m in doc.keys(&members) {
            for (value, id) in doc.get_all(&members, m.as_str()).unwrap_or_default() {
                if !by_member(&id, &m) {
                    return Err(Refusal::OthersEntry(format!("members.{m}")));
                }
                if value.is_object() {
                    for field in doc.keys(&id) {
                        for (_, fid) in doc.get_all(&id, field.as_str()).unwrap_or_default() {
                            if !by_member(&fid, &m) {
                                return Err(Refusal::OthersEntry(format!("members.{m}.{field}")));
                            }
                        }
                    }
                }
            }
        }
        // Each directory entry: every value by its keeper or an editor, the
        // editors by the keeper.
        if let Ok(Some((_, dir))) = doc.get(ROOT, key::DIRECTORY) {
            for id in doc.keys(&dir) {
                for (_, entry) in doc.get_all(&dir, id.as_str()).unwrap_or_default() {
                    let keeper = author(&entry).and_then(|a| member_of(&a));
                    let editors = crate::directory::editors(doc, &entry);
                    let ok = |obj: &automerge::ObjId, editors_list: bool| {
                        let who = author(obj).and_then(|a| member_of(&a));
                        who.is_some()
                            && (who == keeper || (!editors_list && editors.contains(&who.unwrap().to_string())))
                    };
                    let mut stack = vec![(entry.clone(), false)];
                    while let Some((obj, in_editors)) = stack.pop() {
                        let values: Vec<_> = match doc.object_type(&obj) {
                            Ok(ObjType::Map) => doc
                                .keys(&obj)
                                .flat_map(|k| {
                                    let is_editors = obj == entry && k == "editors";
                                    doc.get_all(&obj, k.as_str())
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(move |(v, vid)| (v, vid, is_editors))
                                })
                                .collect(),
                            Ok(ObjType::List) => (0..doc.length(&obj))
                                .flat_map(|i| doc.get_all(&obj, i).unwrap_or_default())
                                .map(|(v, vid)| (v, vid, in_editors))
                                .collect(),
                            _ => vec![],
                        };
                        for (value, vid, editors_list) in values {
                            if !ok(&vid, editors_list) {
                                return Err(Refusal::OthersEntry(format!("directory.{id} (another organisation's)")));
                            }
                            if value.is_object() {
                                stack.push((vid, editors_list));
                            }
                        }
                    }
                }
            }
        }
        record.read().map_err(|e| Refusal::Unreadable(e.to_string()))?;
        Ok(record)
    }
}

/// Whether `obj.prop` reads as a `T`.
fn reads<T: autosurgeon::Hydrate>(
    doc: &automerge::Automerge,
    obj: &automerge::ObjId,
    prop: &str,
) -> Result<(), autosurgeon::HydrateError> {
    hydrate_prop::<_, T, _, _>(doc, obj, prop).map(drop)
}

/// Refuses bytes (changes, or a saved document) whose DEFLATE-compressed
/// parts would inflate past [`MAX_INFLATED_BYTES`], before automerge
/// inflates them without a cap.
pub fn check_inflation(bytes: &[u8]) -> Result<(), Refusal> {
    let malformed = || Refusal::Undecodable("truncated chunk".into());
    let mut budget = MAX_INFLATED_BYTES;
    let mut inflate = |data: &[u8]| -> Result<(), Refusal> {
        let mut sink = std::io::sink();
        let limited = &mut flate2::bufread::DeflateDecoder::new(data).take(budget + 1);
        let n = std::io::copy(limited, &mut sink).map_err(|_| Refusal::Undecodable("bad DEFLATE data".into()))?;
        if n > budget {
            return Err(Refusal::TooLarge);
        }
        budget -= n;
        Ok(())
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        // magic (4), checksum (4), type (1), length (LEB128), data
        if rest.len() < 9 {
            return Err(malformed());
        }
        let chunk_type = rest[8];
        let (len, used) = leb128(&rest[9..]).ok_or_else(malformed)?;
        let start = 9 + used;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| start.checked_add(l))
            .filter(|&e| e <= rest.len())
            .ok_or_else(malformed)?;
        let data = &rest[start..end];
        match chunk_type {
            2 => inflate(data)?,
            0 => {
                for (deflated, column) in document_columns(data).ok_or_else(malformed)? {
                    if deflated {
                        inflate(column)?;
                    }
                }
            }
            // A bundle (its columns compressed too): never written by us.
            3 => return Err(Refusal::Undecodable("bundle chunks are not taken".into())),
            _ => {}
        }
        rest = &rest[end..];
    }
    Ok(())
}

/// The columns of a document chunk's data, each with whether it is
/// DEFLATE-compressed: actors, heads, then the change and op column
/// metadata (LEB128 count, then spec and length for each), then the data.
fn document_columns(data: &[u8]) -> Option<Vec<(bool, &[u8])>> {
    let mut at = 0usize;
    let uleb = |at: &mut usize| -> Option<u64> {
        let (v, used) = leb128(data.get(*at..)?)?;
        *at += used;
        Some(v)
    };
    let actors = uleb(&mut at)?;
    for _ in 0..actors {
        let len = uleb(&mut at)?;
        at = at.checked_add(usize::try_from(len).ok()?)?;
    }
    let heads = uleb(&mut at)?;
    at = at.checked_add(usize::try_from(heads).ok()?.checked_mul(32)?)?;
    let mut specs = Vec::new();
    for _ in 0..2 {
        let n = uleb(&mut at)?;
        for _ in 0..n {
            let spec = uleb(&mut at)?;
            let len = uleb(&mut at)?;
            specs.push((spec & 0b1000 != 0, usize::try_from(len).ok()?));
        }
    }
    let mut columns = Vec::with_capacity(specs.len());
    for (deflated, len) in specs {
        let end = at.checked_add(len)?;
        columns.push((deflated, data.get(at..end)?));
        at = end;
    }
    Some(columns)
}

/// An unsigned LEB128 number and how many bytes it took.
fn leb128(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::hostile::{change, writer, Cast};
    use crate::*;

    proptest! {
        // The stable-toolchain stand-in for the `change_check` fuzz target:
        // whatever a member's change holds, once admitted the record reads,
        // and nobody else's device or member entry moved.
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn an_admitted_change_leaves_the_record_readable_and_others_entries_alone(
            data in proptest::collection::vec(any::<u8>(), 0..60),
            forge in any::<bool>(),
        ) {
            let (nurse, doctor) = (writer(1), writer(2));
            let (mut record, _) = CareRecord::create(
                TeamId::from_bytes([5; 16]),
                &nurse,
                Patient { name: "山田 太郎".into(), ..Default::default() },
                Timestamp(0),
            ).unwrap();
            record.change(&doctor, Timestamp(1), "note.add", |tx| tx.add_note(NewNote {
                text: "往診".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })).unwrap();
            let before = record.read().unwrap();
            let cast = Cast { devices: vec![nurse.device, doctor.device], members: vec![nurse.member, doctor.member] };
            let actor = if forge { nurse.device } else { doctor.device };
            let Some(c) = change(&record.save(), actor, &cast, &data) else { return Ok(()) };
            let sender = Sender { device: doctor.device, member: doctor.member, admin: false, family: false };
            if record.admit(&c, sender).is_ok() {
                prop_assert!(!forge, "a change written as another device was admitted");
                let after = record.read().unwrap();
                prop_assert_eq!(&after.devices[&nurse.device.to_string()], &before.devices[&nurse.device.to_string()]);
                prop_assert_eq!(&after.members[&nurse.member.to_string()], &before.members[&nurse.member.to_string()]);
                prop_assert_eq!(after.schema, before.schema);
                prop_assert_eq!(after.patient.name.is_empty(), false);
            }
        }
    }
}
