//! A region's directory (地域の医療・介護資源): the organisations of a region
//! and what each can do, kept current by each organisation itself, shared
//! like a team's record (invite, E2EE, offline-first). The working groups
//! asked for a list of doctors of other specialties who visit homes
//! (往診可能医師リスト), what each hospital and 老健 accepts, and the empty
//! beds that change daily (空床状況).
//!
//! Layout: a record of kind `directory` (its `patient.name` is the region's
//! name), root map `directory` (made on first use), EntryId -> entry.
//!
//! **Who keeps an entry**: the member whose laptop made it (its *keeper*,
//! read off the entry's automerge object id, so it cannot be claimed
//! later) and the colleagues the keeper lists in `editors`. Only the keeper
//! changes `editors`; only the keeper or an editor changes anything else.
//! Admission enforces both (`admit.rs`), so one organisation cannot
//! rewrite another's beds.

use std::collections::BTreeMap;

use automerge::{ObjId, ReadDoc};
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::patient::check_phone;
use crate::record::{check_text, device_of, key, RecordTx, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::{EntryId, MemberId, ModelError, Record, Timestamp, ValidationError};

crate::vocab::vocab_enum!(
    /// What kind of organisation an entry is.
    OrgKind, "kind", accepted: "clinic | hospital | station | roken | pharmacy | dental | care_office | other" {
    Clinic = ("clinic", "診療所", "clinic"),
    Hospital = ("hospital", "病院", "hospital"),
    Station = ("station", "訪問看護ステーション", "visiting nursing station"),
    Roken = ("roken", "介護老人保健施設（老健）", "geriatric health facility (roken)"),
    Pharmacy = ("pharmacy", "薬局", "pharmacy"),
    Dental = ("dental", "歯科", "dental clinic"),
    CareOffice = ("care_office", "居宅介護支援事業所", "care management office"),
    Other = ("other", "その他", "other"),
});

crate::vocab::vocab_enum!(
    /// What an organisation can take on (医療処置 and conditions).
    Acceptance, "accepts", accepted: "gastrostomy | home_oxygen | ventilator | tpn | tracheostomy | urinary_catheter | dialysis | end_of_life | dementia | psychiatric | pressure_ulcer" {
    Gastrostomy = ("gastrostomy", "胃瘻", "gastrostomy"),
    HomeOxygen = ("home_oxygen", "在宅酸素", "home oxygen"),
    Ventilator = ("ventilator", "人工呼吸器", "ventilator"),
    Tpn = ("tpn", "中心静脈栄養", "central venous nutrition"),
    Tracheostomy = ("tracheostomy", "気管切開", "tracheostomy"),
    UrinaryCatheter = ("urinary_catheter", "膀胱留置カテーテル", "urinary catheter"),
    Dialysis = ("dialysis", "透析", "dialysis"),
    EndOfLife = ("end_of_life", "看取り", "end-of-life care"),
    Dementia = ("dementia", "認知症", "dementia"),
    Psychiatric = ("psychiatric", "精神疾患", "psychiatric illness"),
    PressureUlcer = ("pressure_ulcer", "褥瘡", "pressure ulcers"),
});

crate::vocab::vocab_enum!(
    /// The kinds of bed a hospital or 老健 posts free counts for.
    BedKind, "bed", accepted: "general | community | long_term | palliative | roken | short_stay" {
    General = ("general", "一般病床", "general"),
    Community = ("community", "地域包括ケア病床", "community care"),
    LongTerm = ("long_term", "療養病床", "long-term care"),
    Palliative = ("palliative", "緩和ケア病床", "palliative care"),
    Roken = ("roken", "老健入所", "roken admission"),
    ShortStay = ("short_stay", "ショートステイ", "short stay"),
});

/// A bed figure older than this is stale (posted before yesterday's round).
pub const BED_STALE_MS: i64 = 24 * 3600 * 1000;

/// Today's free beds of one kind, as posted.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct BedCount {
    pub free: u32,
    pub posted_at: Timestamp,
    /// Who posted it (checked by admission).
    pub by: MemberId,
}

impl BedCount {
    /// Minutes since it was posted.
    pub fn age_minutes(&self, now: Timestamp) -> i64 {
        (now.0 - self.posted_at.0).max(0) / 60_000
    }

    pub fn is_stale(&self, now: Timestamp) -> bool {
        now.0 - self.posted_at.0 > BED_STALE_MS
    }
}

/// One organisation's entry.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub name: String,
    pub kind: OrgKind,
    /// 診療科 (内科, 皮膚科, 耳鼻咽喉科, 眼科, 婦人科, 精神科 …).
    pub specialties: Vec<String>,
    /// Visits homes (往診・訪問).
    pub home_visits: bool,
    /// 対応地域 (e.g. 中野区全域、杉並区の一部).
    pub area: String,
    /// 受付・診療時間.
    pub hours: String,
    /// A number that answers day and night (24時間連絡先), if any.
    pub phone_24h: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub accepts: Vec<Acceptance>,
    /// Free text: what else partners should know (受入条件など).
    pub notes: String,
    /// Bed kind code -> today's free count.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub beds: BTreeMap<String, BedCount>,
    /// Colleagues the keeper lets edit the entry (member ids).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub editors: Vec<MemberId>,
    /// Who changed it last, and when (checked by admission).
    pub by: MemberId,
    pub updated_at: Timestamp,
}

/// An entry as typed (its beds and editors are set on their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EntryForm {
    pub name: String,
    pub kind: String,
    pub specialties: Vec<String>,
    pub home_visits: bool,
    pub area: String,
    pub hours: String,
    pub phone_24h: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub accepts: Vec<String>,
    pub notes: String,
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

impl EntryForm {
    /// The checked values, ready to write.
    fn parse(&self) -> Result<(OrgKind, Vec<Acceptance>), ValidationError> {
        check_text("name", &self.name, MAX_SHORT_CHARS)?;
        let kind: OrgKind = self.kind.parse()?;
        for s in &self.specialties {
            check_text("specialties", s, MAX_SHORT_CHARS)?;
        }
        for (field, v) in [("area", &self.area), ("hours", &self.hours)] {
            if !v.is_empty() {
                check_text(field, v, MAX_SHORT_CHARS)?;
            }
        }
        for p in [&self.phone_24h, &self.phone, &self.fax].into_iter().filter_map(blank) {
            check_phone(&p)?;
        }
        if !self.notes.is_empty() {
            check_text("notes", &self.notes, MAX_TEXT_CHARS)?;
        }
        let mut accepts = self
            .accepts
            .iter()
            .map(|a| a.parse::<Acceptance>())
            .collect::<Result<Vec<_>, _>>()?;
        accepts.sort();
        accepts.dedup();
        Ok((kind, accepts))
    }
}

/// What to look for in the directory. Empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DirectoryQuery {
    /// Words in the name, area, specialties or notes.
    pub text: String,
    pub kind: Option<String>,
    /// A specialty, as written (内科, 皮膚科 …).
    pub specialty: String,
    pub home_visits: bool,
    /// Every one of these must be accepted.
    pub accepts: Vec<String>,
    /// A free bed of this kind, posted within the last day.
    pub bed: Option<String>,
}

impl Record {
    /// The directory's entries matching `q`, by name (their ids with them).
    pub fn search_directory(&self, q: &DirectoryQuery, now: Timestamp) -> Vec<(&str, &DirectoryEntry)> {
        let fold = |s: &str| crate::fold(s);
        let text = fold(&q.text);
        let specialty = fold(&q.specialty);
        let mut found: Vec<(&str, &DirectoryEntry)> = self
            .directory
            .iter()
            .filter(|(_, e)| {
                let haystack = fold(&format!(
                    "{} {} {} {}",
                    e.name,
                    e.area,
                    e.specialties.join(" "),
                    e.notes
                ));
                (text.is_empty() || haystack.contains(&text))
                    && q.kind.as_deref().is_none_or(|k| e.kind.code() == k)
                    && (specialty.is_empty() || e.specialties.iter().any(|s| fold(s).contains(&specialty)))
                    && (!q.home_visits || e.home_visits)
                    && q.accepts.iter().all(|a| e.accepts.iter().any(|x| x.code() == a))
                    && q.bed
                        .as_deref()
                        .is_none_or(|b| e.beds.get(b).is_some_and(|c| c.free > 0 && !c.is_stale(now)))
            })
            .map(|(id, e)| (id.as_str(), e))
            .collect();
        found.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(b.0)));
        found
    }

    /// What a patient needs an organisation to accept, read from the
    /// record: the devices on the latest instruction and the diagnoses.
    /// "Who can take this patient" searches the directory with these.
    pub fn needs(&self) -> Vec<Acceptance> {
        let mut texts: Vec<String> = self
            .instructions
            .values()
            .max_by_key(|i| (i.issued_on, i.created_at))
            .map(|i| i.devices.clone())
            .unwrap_or_default();
        texts.extend(self.patient.diagnoses.iter().map(|d| d.name.clone()));
        let codes: Vec<&str> = self
            .patient
            .diagnoses
            .iter()
            .filter_map(|d| d.code.as_deref())
            .collect();
        let mut needs = Vec::new();
        let any = |words: &[&str]| texts.iter().any(|t| words.iter().any(|w| t.contains(w)));
        let icd = |prefixes: &[&str]| codes.iter().any(|c| prefixes.iter().any(|p| c.starts_with(p)));
        let rules: [(Acceptance, bool); 9] = [
            (Acceptance::Gastrostomy, any(&["胃瘻", "胃ろう", "PEG"])),
            (Acceptance::HomeOxygen, any(&["酸素", "HOT"])),
            (Acceptance::Ventilator, any(&["人工呼吸", "NPPV", "TPPV"])),
            (Acceptance::Tpn, any(&["中心静脈", "IVH", "CVポート", "TPN"])),
            (Acceptance::Tracheostomy, any(&["気管切開", "気管カニューレ"])),
            (
                Acceptance::UrinaryCatheter,
                any(&["膀胱留置", "尿道カテーテル", "バルーン"]),
            ),
            (Acceptance::Dialysis, any(&["透析"])),
            (
                Acceptance::Dementia,
                any(&["認知症"]) || icd(&["F00", "F01", "F02", "F03", "G30"]),
            ),
            (
                Acceptance::Psychiatric,
                icd(&["F2", "F3"]) || any(&["統合失調症", "うつ病", "双極性"]),
            ),
        ];
        for (a, needed) in rules {
            if needed {
                needs.push(a);
            }
        }
        if any(&["褥瘡"]) {
            needs.push(Acceptance::PressureUlcer);
        }
        needs
    }
}

impl crate::CareRecord {
    /// Entry id -> the member who keeps it (whose laptop made it).
    pub fn directory_keepers(&self) -> BTreeMap<String, MemberId> {
        let doc = self.doc();
        let Ok(Some((_, dir))) = doc.get(automerge::ROOT, key::DIRECTORY) else {
            return BTreeMap::new();
        };
        doc.keys(&dir)
            .filter_map(|id| {
                let (_, entry) = doc.get(&dir, id.as_str()).ok()??;
                Some((id, keeper(doc, &entry)?))
            })
            .collect()
    }
}

/// The member who keeps entry `entry`: the one whose device made it.
pub(crate) fn keeper(doc: &impl ReadDoc, entry: &ObjId) -> Option<MemberId> {
    let ObjId::Id(_, actor, _) = entry else { return None };
    let device = device_of(actor)?;
    let devices = match doc.get(automerge::ROOT, key::DEVICES).ok()?? {
        (automerge::Value::Object(_), id) => id,
        _ => return None,
    };
    match doc.get(&devices, device.to_string()).ok()?? {
        (automerge::Value::Scalar(s), _) => s.as_str()?.parse().ok(),
        _ => None,
    }
}

/// The members listed in `entry`'s editors.
pub(crate) fn editors(doc: &impl ReadDoc, entry: &ObjId) -> Vec<String> {
    let Ok(Some((_, list))) = doc.get(entry, "editors") else {
        return vec![];
    };
    (0..doc.length(&list))
        .filter_map(|i| match doc.get(&list, i).ok()?? {
            (automerge::Value::Scalar(s), _) => s.as_str().map(String::from),
            _ => None,
        })
        .collect()
}

impl RecordTx<'_, '_> {
    fn entry_obj(&self, id: EntryId) -> Result<ObjId, ModelError> {
        self.entry(key::DIRECTORY, "directory entry", id)
    }

    /// Whether this writer keeps (or edits) the entry; else a clear refusal
    /// here, before admission on other laptops would refuse it.
    fn may_edit(&mut self, entry: &ObjId, keeper_only: bool) -> Result<(), ModelError> {
        let me = self.writer.member;
        let keeps = keeper(&*self.tx, entry) == Some(me);
        if keeps || (!keeper_only && editors(&*self.tx, entry).contains(&me.to_string())) {
            return Ok(());
        }
        Err(ModelError::NotYours {
            what: if keeper_only {
                "who may edit this entry (only the member who made it)"
            } else {
                "another organisation's directory entry"
            },
        })
    }

    /// Adds this writer's organisation to the directory; its id. The writer
    /// keeps it.
    pub fn add_directory_entry(&mut self, form: &EntryForm) -> Result<EntryId, ModelError> {
        let (kind, accepts) = form.parse()?;
        let id = EntryId::random();
        let map = self.root_map(key::DIRECTORY)?;
        let entry = DirectoryEntry {
            name: form.name.trim().to_string(),
            kind,
            specialties: form
                .specialties
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            home_visits: form.home_visits,
            area: form.area.trim().to_string(),
            hours: form.hours.trim().to_string(),
            phone_24h: blank(&form.phone_24h),
            phone: blank(&form.phone),
            fax: blank(&form.fax),
            address: blank(&form.address),
            accepts,
            notes: form.notes.trim().to_string(),
            beds: BTreeMap::new(),
            editors: vec![],
            by: self.writer.member,
            updated_at: self.at,
        };
        reconcile_prop(self.tx, &map, id.to_string().as_str(), &entry)?;
        Ok(id)
    }

    /// Changes an entry's details, field by field (a concurrent edit of
    /// another field is kept). Keeper or editors only.
    pub fn edit_directory_entry(&mut self, id: EntryId, form: &EntryForm) -> Result<(), ModelError> {
        let (kind, accepts) = form.parse()?;
        let obj = self.entry_obj(id)?;
        self.may_edit(&obj, false)?;
        let specialties: Vec<String> = form
            .specialties
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        reconcile_prop(self.tx, &obj, "name", form.name.trim())?;
        reconcile_prop(self.tx, &obj, "kind", kind)?;
        reconcile_prop(self.tx, &obj, "specialties", &specialties)?;
        reconcile_prop(self.tx, &obj, "home_visits", form.home_visits)?;
        reconcile_prop(self.tx, &obj, "area", form.area.trim())?;
        reconcile_prop(self.tx, &obj, "hours", form.hours.trim())?;
        reconcile_prop(self.tx, &obj, "phone_24h", blank(&form.phone_24h))?;
        reconcile_prop(self.tx, &obj, "phone", blank(&form.phone))?;
        reconcile_prop(self.tx, &obj, "fax", blank(&form.fax))?;
        reconcile_prop(self.tx, &obj, "address", blank(&form.address))?;
        reconcile_prop(self.tx, &obj, "accepts", &accepts)?;
        reconcile_prop(self.tx, &obj, "notes", form.notes.trim())?;
        self.touch(&obj)
    }

    fn touch(&mut self, obj: &ObjId) -> Result<(), ModelError> {
        reconcile_prop(self.tx, obj, "by", self.writer.member)?;
        reconcile_prop(self.tx, obj, "updated_at", self.at)?;
        Ok(())
    }

    /// Posts the free beds of one kind, counted `as_of` (the morning round's
    /// count entered later; now if `None`; never in the future, at most a
    /// week back). Keeper or editors only.
    pub fn post_beds(
        &mut self,
        id: EntryId,
        kind: BedKind,
        free: u32,
        as_of: Option<Timestamp>,
    ) -> Result<(), ModelError> {
        let counted = as_of.unwrap_or(self.at);
        if counted.0 > self.at.0 + 5 * 60_000 || counted.0 < self.at.0 - 7 * 24 * 3600 * 1000 {
            return Err(ValidationError {
                field: "as_of",
                value: counted.format_ja(),
                accepted: "now or up to a week ago",
            }
            .into());
        }
        if free > 10_000 {
            return Err(ValidationError {
                field: "free",
                value: free.to_string(),
                accepted: "0 to 10000",
            }
            .into());
        }
        let obj = self.entry_obj(id)?;
        self.may_edit(&obj, false)?;
        let beds = self.map_in(&obj, "beds")?;
        let count = BedCount {
            free,
            posted_at: counted,
            by: self.writer.member,
        };
        reconcile_prop(self.tx, &beds, kind.code(), &count)?;
        self.touch(&obj)
    }

    /// Who besides the keeper may edit the entry (colleagues of the same
    /// organisation). Keeper only.
    pub fn set_directory_editors(&mut self, id: EntryId, editors: &[MemberId]) -> Result<(), ModelError> {
        let obj = self.entry_obj(id)?;
        self.may_edit(&obj, true)?;
        let mut list = editors.to_vec();
        list.sort_by_key(|m| m.to_string());
        list.dedup();
        reconcile_prop(self.tx, &obj, "editors", &list)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::nurse;
    use crate::{CareRecord, Diagnosis, TeamId};

    fn form(name: &str, kind: &str, specialties: &[&str], accepts: &[&str]) -> EntryForm {
        EntryForm {
            name: name.into(),
            kind: kind.into(),
            specialties: specialties.iter().map(|s| s.to_string()).collect(),
            home_visits: kind == "clinic",
            area: "中野区".into(),
            hours: String::new(),
            phone_24h: None,
            phone: Some("03-1234-5678".into()),
            fax: None,
            address: None,
            accepts: accepts.iter().map(|s| s.to_string()).collect(),
            notes: String::new(),
        }
    }

    #[test]
    fn search_by_specialty_acceptance_and_fresh_free_beds() {
        let n = nurse();
        let t0 = Timestamp(1_790_000_000_000);
        let (mut r, _) = CareRecord::create_directory(TeamId::random(), &n, "中野区", t0).unwrap();
        let (derm, hosp, roken) = r
            .change(&n, t0, "directory.add", |tx| {
                Ok((
                    tx.add_directory_entry(&form("ひふ在宅クリニック", "clinic", &["皮膚科"], &["pressure_ulcer"]))?,
                    tx.add_directory_entry(&form(
                        "中野中央病院",
                        "hospital",
                        &["内科"],
                        &["home_oxygen", "gastrostomy"],
                    ))?,
                    tx.add_directory_entry(&form("老健さくら", "roken", &[], &["gastrostomy", "dementia"]))?,
                ))
            })
            .unwrap()
            .value;
        r.change(&n, t0, "directory.beds", |tx| {
            tx.post_beds(hosp, BedKind::Community, 3, None)?;
            tx.post_beds(roken, BedKind::ShortStay, 0, None)
        })
        .unwrap();
        let rec = r.read().unwrap();
        let names = |q: &DirectoryQuery, now| {
            rec.search_directory(q, now)
                .iter()
                .map(|(_, e)| e.name.clone())
                .collect::<Vec<_>>()
        };
        let q = |f: fn(&mut DirectoryQuery)| {
            let mut q = DirectoryQuery::default();
            f(&mut q);
            q
        };
        assert_eq!(
            names(&q(|q| q.specialty = "皮膚".into()), t0),
            vec!["ひふ在宅クリニック"]
        );
        assert_eq!(names(&q(|q| q.home_visits = true), t0), vec!["ひふ在宅クリニック"]);
        assert_eq!(
            names(&q(|q| q.accepts = vec!["gastrostomy".into()]), t0),
            vec!["中野中央病院", "老健さくら"]
        );
        assert_eq!(
            names(&q(|q| q.accepts = vec!["gastrostomy".into(), "dementia".into()]), t0),
            vec!["老健さくら"]
        );
        assert_eq!(
            names(&q(|q| q.bed = Some("community".into())), t0),
            vec!["中野中央病院"]
        );
        assert!(
            names(&q(|q| q.bed = Some("short_stay".into())), t0).is_empty(),
            "none free"
        );
        // A day and a minute later the figure is stale: not offered as free.
        let later = Timestamp(t0.0 + BED_STALE_MS + 60_000);
        assert!(names(&q(|q| q.bed = Some("community".into())), later).is_empty());
        let beds = &rec.directory[&hosp.to_string()].beds["community"];
        assert!(beds.is_stale(later) && !beds.is_stale(t0));
        assert_eq!(beds.age_minutes(later), 24 * 60 + 1);
        assert_eq!(names(&q(|q| q.text = "中央".into()), t0), vec!["中野中央病院"]);
        let _ = derm;
    }

    #[test]
    fn a_patients_needs_come_from_devices_and_diagnoses() {
        let n = nurse();
        let (r, _) = CareRecord::create(
            TeamId::random(),
            &n,
            crate::Patient {
                name: "山田 太郎".into(),
                diagnoses: vec![
                    Diagnosis {
                        name: "アルツハイマー型認知症".into(),
                        code: Some("G30.9".into()),
                    },
                    Diagnosis {
                        name: "仙骨部褥瘡".into(),
                        code: None,
                    },
                ],
                ..Default::default()
            },
            Timestamp(1_790_000_000_000),
        )
        .unwrap();
        assert_eq!(
            r.read().unwrap().needs(),
            vec![Acceptance::Dementia, Acceptance::PressureUlcer]
        );
    }

    #[test]
    fn an_entry_is_checked_before_it_is_written() {
        let bad = |f: fn(&mut EntryForm)| {
            let mut e = form("x", "clinic", &[], &[]);
            f(&mut e);
            e.parse().unwrap_err().field
        };
        assert_eq!(bad(|e| e.kind = "castle".into()), "kind");
        assert_eq!(bad(|e| e.accepts = vec!["magic".into()]), "accepts");
        assert_eq!(bad(|e| e.name = String::new()), "name");
        assert_eq!(bad(|e| e.phone = Some("abc".into())), "phone");
    }
}
