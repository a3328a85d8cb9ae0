//! The two reads a manager needs beyond the record itself:
//! **conflicts** (fields where concurrent offline edits left more than one
//! value) and **history** (who changed what in one entry, and when).
//!
//! Both read automerge's own bookkeeping: every value knows the operation that
//! wrote it, every operation belongs to a change, and every change names its
//! device (the actor) and time. The record's `devices` map turns a device into
//! a member.

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{ActorId, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use serde::Serialize;

use crate::record::{device_of, key};
use crate::{CareRecord, DeviceId, MemberId, ModelError, Timestamp};

/// A field where concurrent edits left more than one value. Automerge picks
/// the same winner everywhere (shown in the record); the others are kept
/// here for the manager.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// From the root, e.g. `["tasks", "<id>", "status"]`.
    pub path: Vec<String>,
    /// The winning value first.
    pub values: Vec<Attributed>,
}

/// A value and who wrote it, when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attributed {
    pub value: String,
    pub member: Option<MemberId>,
    pub member_name: Option<String>,
    pub device: Option<DeviceId>,
    /// When the change was made (to the second).
    pub at: Option<Timestamp>,
}

/// One change to an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEvent {
    pub at: Timestamp,
    pub member: Option<MemberId>,
    pub member_name: Option<String>,
    pub device: Option<DeviceId>,
    /// The user action, e.g. `visit`, `task.done`.
    pub action: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Within the entry, e.g. `status`, `versions[1].text`; empty for the
    /// entry's creation.
    pub field: String,
    /// The new value; `None` when removed.
    pub value: Option<String>,
}

/// Who is behind each device, and when each change happened.
struct Attribution {
    members: HashMap<DeviceId, (MemberId, Option<String>)>,
    /// member id -> name
    names: HashMap<String, String>,
    /// actor -> (start_op, end_op exclusive, time in seconds)
    changes: HashMap<ActorId, Vec<(u64, u64, i64)>>,
}

impl Attribution {
    fn new(record: &CareRecord) -> Result<Self, ModelError> {
        let doc = record.doc();
        let r = record.read()?;
        let mut members = HashMap::new();
        for (device, member) in &r.devices {
            if let Ok(device) = device.parse::<DeviceId>() {
                members.insert(device, (*member, r.member_name(member).map(str::to_string)));
            }
        }
        let mut changes: HashMap<ActorId, Vec<(u64, u64, i64)>> = HashMap::new();
        for c in doc.get_changes(&[]) {
            let start = c.start_op().get();
            changes
                .entry(c.actor_id().clone())
                .or_default()
                .push((start, start + c.len() as u64, c.timestamp()));
        }
        let names = r.members.iter().map(|(id, m)| (id.clone(), m.name.clone())).collect();
        Ok(Self {
            members,
            names,
            changes,
        })
    }

    fn who(&self, actor: &ActorId) -> (Option<DeviceId>, Option<MemberId>, Option<String>) {
        let device = device_of(actor);
        let (member, name) = device
            .and_then(|d| self.members.get(&d).cloned())
            .map_or((None, None), |(m, n)| (Some(m), n));
        (device, member, name)
    }

    /// Times are stored as milliseconds and people as ids; show them as a
    /// nurse reads them.
    fn show_field_value(&self, field: &str, v: &ScalarValue) -> String {
        let leaf = field.rsplit('.').next().unwrap_or(field);
        let is_time = leaf == "at" || leaf.ends_with("_at");
        let is_person = leaf == "by" || leaf.ends_with("_by") || leaf == "author";
        match v {
            ScalarValue::Int(ms) if is_time => Timestamp(*ms).format_ja(),
            ScalarValue::Uint(ms) if is_time => Timestamp(*ms as i64).format_ja(),
            ScalarValue::Str(id) if is_person => self
                .names
                .get(id.as_str())
                .map_or_else(|| id.to_string(), |name| name.clone()),
            other => show_scalar(other),
        }
    }

    fn attribute(&self, value: String, op: &ObjId) -> Attributed {
        let ObjId::Id(counter, actor, _) = op else {
            return Attributed {
                value,
                member: None,
                member_name: None,
                device: None,
                at: None,
            };
        };
        let at = self.changes.get(actor).and_then(|cs| {
            cs.iter()
                .find(|(start, end, _)| (*start..*end).contains(counter))
                .map(|(_, _, secs)| Timestamp(secs * 1000))
        });
        let (device, member, member_name) = self.who(actor);
        Attributed {
            value,
            member,
            member_name,
            device,
            at,
        }
    }
}

fn show_value(v: &Value<'_>) -> String {
    match v {
        Value::Object(t) => format!("({t})"),
        Value::Scalar(s) => show_scalar(s),
    }
}

fn show_scalar(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Null => "(なし / none)".into(),
        other => other.to_string(),
    }
}

impl CareRecord {
    /// Every field where concurrent edits left more than one value.
    pub fn conflicts(&self) -> Result<Vec<Conflict>, ModelError> {
        let mut raw = Vec::new();
        walk_conflicts(self.doc(), &ROOT, &mut Vec::new(), &mut raw)?;
        if raw.is_empty() {
            // Attribution reads every change: only pay for it when needed.
            return Ok(Vec::new());
        }
        let who = Attribution::new(self)?;
        Ok(raw
            .into_iter()
            .map(|(path, values)| Conflict {
                path,
                values: values.into_iter().map(|(v, id)| who.attribute(v, &id)).collect(),
            })
            .collect())
    }

    /// Who changed what in one entry (a note, reading, task, medication or
    /// member, by id), oldest first. `patient` names the patient's details.
    pub fn history(&self, entry: &str) -> Result<Vec<HistoryEvent>, ModelError> {
        let doc = self.doc();
        let (parent, entry_obj) = self.find_entry(entry)?;
        // Every object inside the entry, with its path.
        let mut paths: HashMap<ObjectId, String> = HashMap::new();
        collect_objects(doc, &entry_obj, String::new(), &mut paths)?;
        let who = Attribution::new(self)?;
        let parent = legacy_obj(&parent);

        let mut events = Vec::new();
        for change in doc.get_changes(&[]) {
            let expanded = change.decode();
            let mut fields = Vec::new();
            for op in &expanded.operations {
                if op.obj == parent && matches!(&op.key, Key::Map(k) if k.as_str() == entry) {
                    if matches!(op.action, OpType::Make(_)) {
                        fields.push(FieldChange {
                            field: String::new(),
                            value: Some("作成 / created".into()),
                        });
                    }
                    continue;
                }
                let Some(base) = paths.get(&op.obj) else { continue };
                let field = match &op.key {
                    Key::Map(k) if base.is_empty() => k.to_string(),
                    Key::Map(k) => format!("{base}.{k}"),
                    Key::Seq(_) => format!("{base}[]"),
                };
                let value = match &op.action {
                    OpType::Put(v) => Some(who.show_field_value(&field, v)),
                    OpType::Make(_) if op.insert => Some("(追加 / appended)".into()),
                    OpType::Make(_) => continue,
                    OpType::Delete => None,
                    OpType::Increment(n) => Some(format!("+{n}")),
                    OpType::MarkBegin(_) | OpType::MarkEnd(_) => continue,
                };
                fields.push(FieldChange { field, value });
            }
            if !fields.is_empty() {
                let (device, member, member_name) = who.who(&expanded.actor_id);
                events.push(HistoryEvent {
                    at: Timestamp(expanded.time * 1000),
                    member,
                    member_name,
                    device,
                    action: expanded.message.clone().unwrap_or_default(),
                    fields,
                });
            }
        }
        Ok(events)
    }

    fn find_entry(&self, entry: &str) -> Result<(ObjId, ObjId), ModelError> {
        let doc = self.doc();
        if entry == key::PATIENT {
            if let Some((Value::Object(_), obj)) = doc.get(ROOT, key::PATIENT)? {
                return Ok((ROOT, obj));
            }
        }
        for collection in key::ENTRY_COLLECTIONS.iter().chain([&key::MEMBERS]) {
            if let Some((Value::Object(_), map)) = doc.get(ROOT, *collection)? {
                if let Some((Value::Object(_), obj)) = doc.get(&map, entry)? {
                    return Ok((map, obj));
                }
            }
        }
        Err(ModelError::NotFound {
            kind: "entry",
            id: entry.to_string(),
        })
    }
}

fn legacy_obj(id: &ObjId) -> ObjectId {
    match id {
        ObjId::Root => ObjectId::Root,
        ObjId::Id(counter, actor, _) => ObjectId::Id(automerge::legacy::OpId(*counter, actor.clone())),
    }
}

fn collect_objects(
    doc: &automerge::Automerge,
    obj: &ObjId,
    path: String,
    out: &mut HashMap<ObjectId, String>,
) -> Result<(), ModelError> {
    out.insert(legacy_obj(obj), path.clone());
    match doc.object_type(obj)? {
        ObjType::Map | ObjType::Table => {
            for k in doc.keys(obj) {
                if let Some((Value::Object(_), child)) = doc.get(obj, k.as_str())? {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    collect_objects(doc, &child, p, out)?;
                }
            }
        }
        ObjType::List | ObjType::Text => {
            for i in 0..doc.length(obj) {
                if let Some((Value::Object(_), child)) = doc.get(obj, i)? {
                    collect_objects(doc, &child, format!("{path}[{i}]"), out)?;
                }
            }
        }
    }
    Ok(())
}

/// A field's path and its values (shown) with the op that wrote each.
type RawConflict = (Vec<String>, Vec<(String, ObjId)>);

fn walk_conflicts(
    doc: &automerge::Automerge,
    obj: &ObjId,
    path: &mut Vec<String>,
    out: &mut Vec<RawConflict>,
) -> Result<(), ModelError> {
    let props: Vec<automerge::Prop> = match doc.object_type(obj)? {
        ObjType::Map | ObjType::Table => doc.keys(obj).map(automerge::Prop::Map).collect(),
        ObjType::List => (0..doc.length(obj)).map(automerge::Prop::Seq).collect(),
        ObjType::Text => return Ok(()),
    };
    for prop in props {
        let label = match &prop {
            automerge::Prop::Map(k) => k.clone(),
            automerge::Prop::Seq(i) => i.to_string(),
        };
        // Who reviewed when is bookkeeping, not a clinical value to settle.
        if *obj == ROOT && (label == crate::record::key::REVIEWS || label == crate::record::key::SEEN) {
            continue;
        }
        path.push(label);
        let all = doc.get_all(obj, prop)?;
        // Laptops that made the same renewal request at once made one task
        // (its id is derived): nothing for the manager to settle.
        let same_renewal = path.len() == 2
            && path[0] == crate::record::key::TASKS
            && all.iter().all(|(_, id)| {
                matches!(doc.get(id, "title"), Ok(Some((Value::Scalar(t), _))) if t.as_str() == Some(crate::instructions::RENEWAL_TITLE))
            });
        if all.len() > 1 && !same_renewal {
            // automerge lists the winner last.
            let values = all.iter().rev().map(|(v, id)| (show_value(v), id.clone())).collect();
            out.push((path.clone(), values));
        }
        // The winner (listed last) is what a read sees.
        if let Some((Value::Object(_), child)) = all.last() {
            walk_conflicts(doc, child, path, out)?;
        }
        path.pop();
    }
    Ok(())
}

impl crate::RecordTx<'_, '_> {
    /// Settles a conflict: writes the value the manager chose (`chosen`, an
    /// index into [`Conflict::values`]) again at `path`. The new write
    /// follows every value it replaces, so all laptops then read the chosen
    /// one and the conflict is gone. The change's action names the field.
    pub fn settle_conflict(&mut self, path: &[String], chosen: usize) -> Result<(), ModelError> {
        let not_found = || ModelError::NotFound {
            kind: "conflict",
            id: path.join("."),
        };
        let (last, parents) = path.split_last().ok_or_else(not_found)?;
        let mut obj = ROOT;
        for p in parents {
            obj = match self.tx.get(&obj, prop(&*self.tx, &obj, p)?)? {
                Some((Value::Object(_), child)) => child,
                _ => return Err(not_found()),
            };
        }
        let leaf = prop(&*self.tx, &obj, last)?;
        let all = self.tx.get_all(&obj, leaf.clone())?;
        if all.len() < 2 {
            return Err(not_found());
        }
        // `Conflict::values` lists the winner first; automerge lists it last.
        let (value, _) = all.iter().rev().nth(chosen).ok_or_else(not_found)?;
        let Value::Scalar(v) = value else {
            return Err(ModelError::Invalid(crate::ValidationError {
                field: "value",
                value: show_value(value),
                accepted: "a single value",
            }));
        };
        let v = v.clone().into_owned();
        use automerge::transaction::Transactable;
        self.tx.put(&obj, leaf, v)?;
        Ok(())
    }
}

/// A path element as a map key or, in a list, an index.
fn prop(doc: &impl ReadDoc, obj: &ObjId, p: &str) -> Result<automerge::Prop, ModelError> {
    Ok(match doc.object_type(obj)? {
        ObjType::List | ObjType::Text => automerge::Prop::Seq(p.parse().map_err(|_| ModelError::NotFound {
            kind: "field",
            id: p.to_string(),
        })?),
        _ => automerge::Prop::Map(p.to_string()),
    })
}
