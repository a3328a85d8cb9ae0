//! Photos and scanned documents attached to a note, a wound or the
//! patient's profile. The record holds what a file is and where it lives —
//! the address of its sealed bytes at the relay and the key that opens them
//! — never the bytes: a record stays small however many photos a wound has.
//! Sealing and storing are sync-proto's and care-store's business.
//!
//! Layout: `attachments` at the root (made on first use), EntryId ->
//! Attachment, written once by whoever attached it.

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{EntryId, MemberId, ModelError, Record, Timestamp, ValidationError};

/// The largest file that may be attached (the relay's limit too).
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The kinds of file a record takes.
pub const ATTACHMENT_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];

crate::vocab::vocab_enum!(
    /// What a file is attached to.
    AttachedTo, "to", accepted: "note | wound | profile" {
    Note = ("note", "記録", "note"),
    Wound = ("wound", "創傷", "wound"),
    Profile = ("profile", "基本情報", "profile"),
});

/// Where one sealed file lives and what opens it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlobRef {
    /// SHA-256 of the sealed bytes, 64 hex digits.
    pub address: String,
    /// The blob's own key, 64 hex digits (the record itself is sealed).
    pub key: String,
    /// Size of the file in clear.
    pub size: u64,
}

/// One attached file.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Attachment {
    /// The file's name as the nurse chose it (写真_0412.jpg).
    pub name: String,
    pub mime: String,
    pub file: BlobRef,
    /// A small JPEG every laptop fetches at once (photos only).
    pub thumb: Option<BlobRef>,
    pub width: Option<u64>,
    pub height: Option<u64>,
    pub to: AttachedTo,
    /// The note or wound (none for the profile).
    pub entry: Option<String>,
    /// The wound assessment the photo was taken at.
    pub assessment: Option<String>,
    /// 全体 / 近接, or a word on what it shows.
    pub caption: Option<String>,
    pub by: MemberId,
    pub at: Timestamp,
}

/// What the app or the CLI hands over once the file is sealed and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    pub name: String,
    pub mime: String,
    pub file: BlobRef,
    pub thumb: Option<BlobRef>,
    pub width: Option<u64>,
    pub height: Option<u64>,
    pub to: AttachedTo,
    pub entry: Option<EntryId>,
    pub assessment: Option<EntryId>,
    pub caption: Option<String>,
}

fn check_blob(field: &'static str, blob: &BlobRef) -> Result<(), ValidationError> {
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex64(&blob.address) || !hex64(&blob.key) {
        return Err(ValidationError {
            field,
            value: blob.address.clone(),
            accepted: "a sealed blob's address and key, 64 hex digits each",
        });
    }
    if blob.size > MAX_ATTACHMENT_BYTES {
        return Err(ValidationError {
            field,
            value: blob.size.to_string(),
            accepted: "files up to 10 MB",
        });
    }
    Ok(())
}

impl Record {
    /// The files attached to `to` (and entry), oldest first.
    pub fn attachments_of(&self, to: AttachedTo, entry: Option<&str>) -> Vec<(&str, &Attachment)> {
        let mut v: Vec<(&str, &Attachment)> = self
            .attachments
            .iter()
            .filter(|(_, a)| a.to == to && a.entry.as_deref() == entry)
            .map(|(id, a)| (id.as_str(), a))
            .collect();
        v.sort_by_key(|(id, a)| (a.at, *id));
        v
    }
}

impl RecordTx<'_, '_> {
    /// Records a sealed, stored file as attached; its id.
    pub fn attach(&mut self, new: NewAttachment) -> Result<EntryId, ModelError> {
        let name = new.name.trim().to_string();
        check_text("name", &name, MAX_SHORT_CHARS)?;
        if !ATTACHMENT_TYPES.contains(&new.mime.as_str()) {
            return Err(ValidationError {
                field: "mime",
                value: new.mime,
                accepted: "JPEG, PNG or PDF",
            }
            .into());
        }
        check_blob("file", &new.file)?;
        if let Some(t) = &new.thumb {
            check_blob("thumb", t)?;
        }
        let caption = new.caption.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        if let Some(c) = &caption {
            check_text("caption", c, MAX_SHORT_CHARS)?;
        }
        // The note or wound must be there (and the assessment in the wound).
        match (new.to, new.entry) {
            (AttachedTo::Profile, None) => {}
            (AttachedTo::Note, Some(id)) => {
                self.entry(key::NOTES, "note", id)?;
            }
            (AttachedTo::Wound, Some(id)) => {
                let wound = self.entry(key::WOUNDS, "wound", id)?;
                if let Some(a) = new.assessment {
                    let found = matches!(
                        automerge::ReadDoc::get(&*self.tx, &wound, "assessments")?,
                        Some((_, list)) if automerge::ReadDoc::get(&*self.tx, &list, a.to_string())?.is_some()
                    );
                    if !found {
                        return Err(ModelError::NotFound {
                            kind: "assessment",
                            id: a.to_string(),
                        });
                    }
                }
            }
            (to, entry) => {
                return Err(ValidationError {
                    field: "entry",
                    value: format!("{}:{}", to.code(), entry.map(|e| e.to_string()).unwrap_or_default()),
                    accepted: "a note or wound id for notes and wounds, none for the profile",
                }
                .into())
            }
        }
        let id = EntryId::random();
        let value = Attachment {
            name,
            mime: new.mime,
            file: new.file,
            thumb: new.thumb,
            width: new.width,
            height: new.height,
            to: new.to,
            entry: new.entry.map(|e| e.to_string()),
            assessment: new.assessment.map(|e| e.to_string()),
            caption,
            by: self.writer.member,
            at: self.at,
        };
        let map = self.root_map(key::ATTACHMENTS)?;
        reconcile_prop(self.tx, &map, id.to_string().as_str(), &value)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::nurse;
    use crate::{CalendarDate, CareRecord, DesignR, Patient, TeamId, WoundKind};

    fn blob(n: u8) -> BlobRef {
        BlobRef {
            address: format!("{n:02x}").repeat(32),
            key: "ab".repeat(32),
            size: 3_000_000,
        }
    }

    fn photo(to: AttachedTo, entry: Option<EntryId>) -> NewAttachment {
        NewAttachment {
            name: "仙骨部.jpg".into(),
            mime: "image/jpeg".into(),
            file: blob(1),
            thumb: Some(blob(2)),
            width: Some(4000),
            height: Some(3000),
            to,
            entry,
            assessment: None,
            caption: Some("近接".into()),
        }
    }

    #[test]
    fn photos_attach_to_a_wound_and_its_assessment_and_files_are_checked() {
        let n = nurse();
        let day = CalendarDate::new(2026, 11, 2).unwrap().start_jst();
        let (mut rec, _) = CareRecord::create(
            TeamId::random(),
            &n,
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            day,
        )
        .unwrap();
        let wound = rec
            .change(&n, day, "wound.add", |tx| {
                tx.add_wound(
                    "仙骨部",
                    WoundKind::PressureUlcer,
                    CalendarDate::new(2026, 11, 1).unwrap(),
                )
            })
            .unwrap()
            .value;
        let scores = DesignR {
            depth: "D3".into(),
            exudate: "e3".into(),
            size: "s9".into(),
            inflammation: "i1".into(),
            granulation: "g3".into(),
            necrotic: "N3".into(),
            pocket: "p0".into(),
        };
        let assessment = rec
            .change(&n, day, "wound.assess", |tx| tx.assess_wound(wound, scores, None))
            .unwrap()
            .value;
        let mut new = photo(AttachedTo::Wound, Some(wound));
        new.assessment = Some(assessment);
        let id = rec.change(&n, day, "attach", |tx| tx.attach(new)).unwrap().value;
        let r = rec.read().unwrap();
        let on = r.attachments_of(AttachedTo::Wound, Some(&wound.to_string()));
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].0, id.to_string());
        assert_eq!(on[0].1.assessment, Some(assessment.to_string()));
        assert_eq!(on[0].1.by, n.member);

        // No such wound, a file too large, an unknown type, a profile photo
        // naming an entry: each refused with what is accepted.
        let mut err = |new: NewAttachment| {
            rec.change(&n, day, "attach", |tx| tx.attach(new))
                .unwrap_err()
                .to_string()
        };
        assert!(err(photo(AttachedTo::Wound, Some(EntryId::random()))).contains("wound"));
        let mut big = photo(AttachedTo::Profile, None);
        big.file.size = MAX_ATTACHMENT_BYTES + 1;
        assert!(err(big).contains("10 MB"));
        let mut exe = photo(AttachedTo::Profile, None);
        exe.mime = "application/x-msdownload".into();
        assert!(err(exe).contains("JPEG, PNG or PDF"));
        assert!(err(photo(AttachedTo::Profile, Some(wound))).contains("entry"));
        let mut bad = photo(AttachedTo::Profile, None);
        bad.file.address = "zz".into();
        assert!(err(bad).contains("64 hex"));
    }
}
