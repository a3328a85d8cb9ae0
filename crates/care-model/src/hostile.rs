//! Changes a hostile member's modified client could send, made from
//! arbitrary bytes: for the fuzz target and the property test of
//! [`CareRecord::admit`]. Built only with the `hostile` feature.
//!
//! Each three bytes are one operation on the record: which object (the
//! root, the patient, a collection, an entry, a member), which key (the
//! record's own names, the devices and members of the team, or junk), and
//! what to do (put a string or a number, delete, make a map or a list).

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};

use crate::{ChangeBytes, DeviceId, Member, MemberId, Profession, Writer};

/// Member `n` of a made-up team: device and member ids all `n`.
pub fn writer(n: u8) -> Writer {
    Writer {
        member: MemberId::from_bytes([n; 16]),
        device: DeviceId::from_bytes([n; 16]),
        profile: Member {
            name: format!("member {n}"),
            kana: None,
            profession: Profession::Nurse,
            organisation: "つばさ訪問看護ステーション".into(),
            phone: None,
            email: None,
            fax: None,
            on_call: false,
        },
    }
}

/// Who is on the team, so the bytes can name them.
pub struct Cast {
    pub devices: Vec<DeviceId>,
    pub members: Vec<MemberId>,
}

/// A change made by `actor` on the record saved as `saved` (see
/// [`CareRecord::save`]) from `data`, or `None` if it changed nothing.
pub fn change(saved: &[u8], actor: DeviceId, cast: &Cast, data: &[u8]) -> Option<ChangeBytes> {
    let mut doc = Automerge::load(saved)
        .ok()?
        .with_actor(ActorId::from(actor.as_bytes().as_slice()));
    let mut tx = doc.transaction();
    let mut keys: Vec<String> = [
        "schema", "team", "patient", "notes", "vitals", "tasks", "devices", "members", "name", "kana", "text",
        "versions", "status", "x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    keys.extend(cast.devices.iter().map(|d| d.to_string()));
    keys.extend(cast.members.iter().map(|m| m.to_string()));
    // A visit is a few dozen operations; longer inputs add time, not reach.
    for op in data.chunks_exact(3).take(64) {
        let (which, key, what) = (op[0], &keys[op[1] as usize % keys.len()], op[2]);
        let root_maps = ["patient", "notes", "devices", "members", "thresholds"];
        let obj = match which % 8 {
            0..=2 => ROOT,
            n => {
                let name = root_maps[(n as usize - 3) % root_maps.len()];
                match tx.get(ROOT, name) {
                    Ok(Some((v, id))) if v.is_object() => {
                        // Now and then one level down: an entry in it.
                        if which >= 128 {
                            let first = tx.keys(&id).next();
                            match first.and_then(|k| tx.get(&id, k.as_str()).ok().flatten()) {
                                Some((v, inner)) if v.is_object() => inner,
                                _ => id,
                            }
                        } else {
                            id
                        }
                    }
                    _ => continue,
                }
            }
        };
        if !matches!(tx.object_type(&obj), Ok(ObjType::Map)) {
            continue;
        }
        let _ = match what % 6 {
            0 => tx.put(&obj, key.as_str(), key.clone()).map(drop),
            1 => tx.put(&obj, key.as_str(), i64::from(what)).map(drop),
            2 => tx.delete(&obj, key.as_str()).map(drop),
            3 => tx.put_object(&obj, key.as_str(), ObjType::Map).map(drop),
            4 => tx.put_object(&obj, key.as_str(), ObjType::List).map(drop),
            _ => tx.put(&obj, key.as_str(), cast.members[0].to_string()).map(drop),
        };
    }
    let (hash, _) = tx.commit();
    let change = doc.get_change_by_hash(&hash?)?;
    ChangeBytes::parse(change.raw_bytes().to_vec()).ok()
}
