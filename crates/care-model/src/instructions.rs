//! The doctor's instruction (訪問看護指示書, clinical.md §1): what a station
//! may do and for how long. Without a valid one the station cannot bill a
//! visit, so the record says when the current one ends and, four weeks
//! before, makes the task 「訪問看護指示書の更新依頼」 for the attending
//! doctor once, however many laptops notice at the same time.
//!
//! Layout: `instructions` at the root (EntryId -> Instruction), made on
//! first use; an instruction is appended, never overwritten (a corrected
//! one is a new instruction), except a diagnosis code added later by a
//! nurse (`coded_by` says who).

use automerge::ReadDoc;
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::patient::{check_icd10, check_phone};
use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::ValidationError;
use crate::{Assignee, CalendarDate, EntryId, MemberId, ModelError, NewTask, Person, Priority, Record, Timestamp};

crate::vocab::vocab_enum!(
    /// 指示書の種別.
    InstructionKind, "kind", accepted: "ordinary | special | drip | psychiatric" {
    Ordinary = ("ordinary", "訪問看護指示書", "visiting nursing instruction"),
    Special = ("special", "特別訪問看護指示書", "special instruction"),
    Drip = ("drip", "在宅患者訪問点滴注射指示書", "home drip instruction"),
    Psychiatric = ("psychiatric", "精神科訪問看護指示書", "psychiatric instruction"),
});

impl InstructionKind {
    /// The kinds a station's visits are billed under for months (the
    /// others are short and sit on top of one of these).
    pub fn is_base(self) -> bool {
        matches!(self, InstructionKind::Ordinary | InstructionKind::Psychiatric)
    }
}

/// The task made four weeks before an instruction ends.
pub const RENEWAL_TITLE: &str = "訪問看護指示書の更新依頼";
/// How long before the end the renewal task is made.
pub const RENEWAL_LEAD_DAYS: i64 = 28;
/// ORCA's code for a name that matches no master entry.
pub const UNLISTED_CODE: &str = "0000999";

/// A 傷病名コード (レセプト電算 B master, 7 digits) with its modifiers
/// (Z master, 4 digits: prefixes 0001–7999, suffixes 8000–8999) and the
/// master's version, added by whoever looked it up.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct DiseaseCode {
    pub code: String,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub modifiers: Vec<String>,
    pub icd10: Option<String>,
    /// The master file's date (e.g. `20240601`): codes are retired and
    /// migrated, so a code means something only with its version.
    pub master: String,
    pub coded_by: MemberId,
    pub coded_at: Timestamp,
}

/// A diagnosis as the doctor wrote it, and its code when someone adds one.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct InstructionDiagnosis {
    pub name: String,
    pub code: Option<DiseaseCode>,
}

/// A 傷病名コード as typed, before the record says who added it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CodeInput {
    pub code: String,
    #[serde(default)]
    pub modifiers: Vec<String>,
    pub icd10: Option<String>,
    pub master: String,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Instruction {
    pub kind: InstructionKind,
    /// 指示日.
    pub issued_on: CalendarDate,
    pub start: CalendarDate,
    pub end: CalendarDate,
    /// The issuing doctor; `organisation` is the clinic.
    pub doctor: Person,
    pub diagnoses: Vec<InstructionDiagnosis>,
    /// 日常生活自立度: 寝たきり度 (自立, J1 … C2) and 認知症 (自立, I … M).
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
    /// 装着・使用医療機器等.
    pub devices: Vec<String>,
    /// 留意事項及び指示事項.
    pub directions: String,
    /// 緊急時の連絡先 (mandatory on the form).
    pub emergency_contact: String,
    pub created_by: MemberId,
    pub created_at: Timestamp,
}

/// An instruction as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInstruction {
    pub kind: InstructionKind,
    pub issued_on: CalendarDate,
    pub start: CalendarDate,
    pub end: CalendarDate,
    pub doctor: Person,
    /// Name as written, and an optional code.
    pub diagnoses: Vec<(String, Option<CodeInput>)>,
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
    pub devices: Vec<String>,
    pub directions: String,
    pub emergency_contact: String,
}

const BEDRIDDEN: [&str; 9] = ["自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"];
const DEMENTIA: [&str; 8] = ["自立", "I", "IIa", "IIb", "IIIa", "IIIb", "IV", "M"];

fn invalid(field: &'static str, value: impl Into<String>, accepted: &'static str) -> ValidationError {
    ValidationError {
        field,
        value: value.into(),
        accepted,
    }
}

/// A code's shape: 7 digits, modifiers of 4, ICD-10 as for diagnoses.
pub fn check_code(code: &CodeInput) -> Result<(), ValidationError> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&code.code, 7) {
        return Err(invalid(
            "disease_code",
            &code.code,
            "7 桁の数字 (例 4280012、該当なし 0000999)",
        ));
    }
    if let Some(m) = code.modifiers.iter().find(|m| !digits(m, 4)) {
        return Err(invalid("modifier", m.as_str(), "4 桁の数字 (修飾語コード)"));
    }
    if let Some(icd) = &code.icd10 {
        check_icd10(icd)?;
    }
    if code.master.trim().is_empty() {
        return Err(invalid("master", "", "マスターの版 (例 20240601)"));
    }
    Ok(())
}

impl NewInstruction {
    /// The checks stations make before accepting the form (clinical.md
    /// §1.2): 指示日 on or before the start; an ordinary period at most 6
    /// months, ending the day before the same date six months on; 特別 at
    /// most 14 days and only over an ordinary one; 点滴 at most 7 days.
    pub fn validate(&self, existing: &[&Instruction]) -> Result<(), ValidationError> {
        if self.issued_on > self.start {
            return Err(invalid(
                "issued_on",
                self.issued_on.iso(),
                "指示日は開始日以前 / on or before the start",
            ));
        }
        if self.end < self.start {
            return Err(invalid("end", self.end.iso(), "開始日以降 / on or after the start"));
        }
        let days = (self.end.0 - self.start.0).num_days() + 1;
        match self.kind {
            InstructionKind::Ordinary | InstructionKind::Psychiatric => {
                let last = self.start.add_months(6).add_days(-1);
                if self.end > last {
                    return Err(invalid(
                        "end",
                        self.end.iso(),
                        "6 か月以内（同じ日付の前日まで） / at most 6 months",
                    ));
                }
            }
            InstructionKind::Special if days > 14 => {
                return Err(invalid("end", self.end.iso(), "特別指示は 14 日以内 / at most 14 days"));
            }
            InstructionKind::Drip if days > 7 => {
                return Err(invalid(
                    "end",
                    self.end.iso(),
                    "点滴注射指示は 7 日以内 / at most 7 days",
                ));
            }
            _ => {}
        }
        if self.kind == InstructionKind::Special
            && !existing
                .iter()
                .any(|i| i.kind.is_base() && i.start <= self.start && self.start <= i.end)
        {
            return Err(invalid(
                "kind",
                self.kind.label_ja(),
                "特別指示は有効な訪問看護指示書がある期間のみ / only over a valid ordinary instruction",
            ));
        }
        check_text("doctor", &self.doctor.name, MAX_SHORT_CHARS)?;
        for phone in [&self.doctor.phone, &self.doctor.fax].into_iter().flatten() {
            check_phone(phone)?;
        }
        check_text("emergency_contact", &self.emergency_contact, MAX_SHORT_CHARS)?;
        if self.diagnoses.is_empty() {
            return Err(invalid("diagnoses", "", "主たる傷病名を 1 つ以上 / at least one"));
        }
        for (name, code) in &self.diagnoses {
            check_text("diagnosis", name, MAX_SHORT_CHARS)?;
            if let Some(c) = code {
                check_code(c)?;
            }
        }
        if let Some(b) = self.bedridden.as_deref().filter(|b| !BEDRIDDEN.contains(b)) {
            return Err(invalid("bedridden", b, "自立, J1, J2, A1, A2, B1, B2, C1, C2"));
        }
        if let Some(d) = self.dementia.as_deref().filter(|d| !DEMENTIA.contains(d)) {
            return Err(invalid("dementia", d, "自立, I, IIa, IIb, IIIa, IIIb, IV, M"));
        }
        for d in &self.devices {
            check_text("device", d, MAX_SHORT_CHARS)?;
        }
        if !self.directions.is_empty() {
            check_text("directions", &self.directions, MAX_TEXT_CHARS)?;
        }
        Ok(())
    }
}

/// Where the patient's instruction stands on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum InstructionStatus {
    /// No instruction recorded.
    None,
    /// Valid until `until`.
    Valid { until: CalendarDate },
    /// Valid, but ends within four weeks.
    EndsSoon { until: CalendarDate },
    /// The last one ended (visits after it cannot be billed).
    Ended { on: CalendarDate },
    /// Only instructions that start later.
    NotYet { from: CalendarDate },
}

/// The task id of an instruction's renewal request: the same on every
/// laptop, so laptops that make it at once make one task.
pub fn renewal_task_id(instruction: &EntryId) -> EntryId {
    const SALT: &[u8; 16] = b"renewal-task-v1!";
    let mut b = *instruction.as_bytes();
    for (x, s) in b.iter_mut().zip(SALT) {
        *x ^= s;
    }
    EntryId::from_bytes(b)
}

impl Record {
    /// Ordinary (and psychiatric) instructions, latest end first.
    fn base_instructions(&self) -> Vec<(&str, &Instruction)> {
        let mut v: Vec<_> = self
            .instructions
            .iter()
            .filter(|(_, i)| i.kind.is_base())
            .map(|(k, i)| (k.as_str(), i))
            .collect();
        v.sort_by(|a, b| b.1.end.cmp(&a.1.end).then(b.1.created_at.cmp(&a.1.created_at)));
        v
    }

    /// Where the instruction stands on `today`.
    pub fn instruction_status(&self, today: CalendarDate) -> InstructionStatus {
        let base = self.base_instructions();
        let Some((_, latest)) = base.first() else {
            return InstructionStatus::None;
        };
        if let Some((_, current)) = base.iter().find(|(_, i)| i.start <= today && today <= i.end) {
            // A later one that follows on directly extends it.
            let until = base
                .iter()
                .filter(|(_, i)| i.start > current.start && i.start <= current.end.add_days(1))
                .map(|(_, i)| i.end)
                .max()
                .unwrap_or(current.end)
                .max(current.end);
            return if today >= until.add_days(-RENEWAL_LEAD_DAYS) {
                InstructionStatus::EndsSoon { until }
            } else {
                InstructionStatus::Valid { until }
            };
        }
        if latest.end < today {
            InstructionStatus::Ended { on: latest.end }
        } else {
            let from = base.iter().map(|(_, i)| i.start).min().unwrap_or(latest.start);
            InstructionStatus::NotYet { from }
        }
    }

    /// The instruction whose renewal should be asked for on `today` and
    /// has not been: the latest-ending ordinary one, within four weeks of
    /// its end (or past it), with no renewal task yet.
    pub fn renewal_needed(&self, today: CalendarDate) -> Option<EntryId> {
        let (id, latest) = *self.base_instructions().first()?;
        let id: EntryId = id.parse().ok()?;
        let due = today >= latest.end.add_days(-RENEWAL_LEAD_DAYS);
        let made = self.tasks.contains_key(&renewal_task_id(&id).to_string());
        (due && !made).then_some(id)
    }
}

impl RecordTx<'_, '_> {
    pub fn add_instruction(&mut self, new: NewInstruction) -> Result<EntryId, ModelError> {
        let map = self.root_map(key::INSTRUCTIONS)?;
        let existing: std::collections::BTreeMap<String, Instruction> =
            autosurgeon::hydrate_prop(&*self.tx, automerge::ROOT, key::INSTRUCTIONS)?;
        new.validate(&existing.values().collect::<Vec<_>>())?;
        let (by, at) = (self.writer.member, self.at);
        let value = Instruction {
            kind: new.kind,
            issued_on: new.issued_on,
            start: new.start,
            end: new.end,
            doctor: new.doctor,
            diagnoses: new
                .diagnoses
                .into_iter()
                .map(|(name, code)| InstructionDiagnosis {
                    name,
                    code: code.map(|c| DiseaseCode {
                        code: c.code,
                        modifiers: c.modifiers,
                        icd10: c.icd10,
                        master: c.master,
                        coded_by: by,
                        coded_at: at,
                    }),
                })
                .collect(),
            bedridden: new.bedridden,
            dementia: new.dementia,
            devices: new.devices,
            directions: new.directions,
            emergency_contact: new.emergency_contact,
            created_by: by,
            created_at: at,
        };
        let id = EntryId::random();
        reconcile_prop(self.tx, &map, id.to_string().as_str(), &value)?;
        Ok(id)
    }

    /// Adds (or replaces) the code of the instruction's `index`th diagnosis:
    /// the doctor's wording stays, the code says who looked it up.
    pub fn code_diagnosis(&mut self, instruction: EntryId, index: usize, code: CodeInput) -> Result<(), ModelError> {
        check_code(&code)?;
        let map = self.root_map(key::INSTRUCTIONS)?;
        let obj = match self.tx.get(&map, instruction.to_string())? {
            Some((automerge::Value::Object(_), obj)) => obj,
            _ => {
                return Err(ModelError::NotFound {
                    kind: "instruction",
                    id: instruction.to_string(),
                })
            }
        };
        let list = self.list(&obj, "diagnoses")?;
        let diagnosis = match self.tx.get(&list, index)? {
            Some((automerge::Value::Object(_), d)) => d,
            _ => {
                return Err(ModelError::NotFound {
                    kind: "diagnosis",
                    id: index.to_string(),
                })
            }
        };
        let value = DiseaseCode {
            code: code.code,
            modifiers: code.modifiers,
            icd10: code.icd10,
            master: code.master,
            coded_by: self.writer.member,
            coded_at: self.at,
        };
        reconcile_prop(self.tx, &diagnosis, "code", Some(value))?;
        Ok(())
    }

    /// Makes the renewal request for `instruction` if it is not there yet:
    /// for the attending doctor when she is a member, due two weeks before
    /// the instruction ends. Returns whether it was made here.
    pub fn ensure_renewal_task(&mut self, instruction: EntryId) -> Result<bool, ModelError> {
        let map = self.root_map(key::INSTRUCTIONS)?;
        let ins: Instruction = match self.tx.get(&map, instruction.to_string())? {
            Some((automerge::Value::Object(_), obj)) => crate::record::hydrate(&*self.tx, &obj)?,
            _ => {
                return Err(ModelError::NotFound {
                    kind: "instruction",
                    id: instruction.to_string(),
                })
            }
        };
        let id = renewal_task_id(&instruction);
        let tasks = self.collection(key::TASKS)?;
        if self.tx.get(&tasks, id.to_string())?.is_some() {
            return Ok(false);
        }
        let patient = self.patient()?;
        let assignee = patient.doctor.and_then(|d| d.member).map(Assignee::Member);
        self.put_task(
            id,
            NewTask {
                title: RENEWAL_TITLE.into(),
                assignee,
                due: Some(ins.end.add_days(-14)),
                priority: Priority::High,
            },
        )?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> CalendarDate {
        s.parse().unwrap()
    }

    fn new(kind: InstructionKind, start: &str, end: &str) -> NewInstruction {
        NewInstruction {
            kind,
            issued_on: d(start),
            start: d(start),
            end: d(end),
            doctor: Person {
                name: "高橋 医師".into(),
                organisation: Some("みどり在宅クリニック".into()),
                phone: Some("03-1234-5678".into()),
                ..Default::default()
            },
            diagnoses: vec![("慢性心不全".into(), None)],
            bedridden: Some("A2".into()),
            dementia: Some("IIa".into()),
            devices: vec![],
            directions: String::new(),
            emergency_contact: "03-1234-5678".into(),
        }
    }

    fn stored(n: &NewInstruction) -> Instruction {
        Instruction {
            kind: n.kind,
            issued_on: n.issued_on,
            start: n.start,
            end: n.end,
            doctor: n.doctor.clone(),
            diagnoses: vec![],
            bedridden: None,
            dementia: None,
            devices: vec![],
            directions: String::new(),
            emergency_contact: n.emergency_contact.clone(),
            created_by: MemberId::random(),
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn a_six_month_period_ends_the_day_before_the_same_date() {
        use InstructionKind::*;
        assert!(new(Ordinary, "2026-01-01", "2026-06-30").validate(&[]).is_ok());
        let over = new(Ordinary, "2026-01-01", "2026-07-01").validate(&[]).unwrap_err();
        assert_eq!(over.field, "end");
        assert!(new(Ordinary, "2026-04-01", "2026-09-30").validate(&[]).is_ok());
        assert!(new(Ordinary, "2026-04-01", "2026-10-01").validate(&[]).is_err());
        // 8/31 + 6 months = 2/28 (no 2/31): ends 2/27 at the latest.
        assert!(new(Ordinary, "2026-08-31", "2027-02-27").validate(&[]).is_ok());
        assert!(new(Ordinary, "2026-08-31", "2027-02-28").validate(&[]).is_err());
        let mut late = new(Ordinary, "2026-04-01", "2026-09-30");
        late.issued_on = d("2026-04-02");
        assert_eq!(late.validate(&[]).unwrap_err().field, "issued_on");
        assert!(new(Ordinary, "2026-04-01", "2026-03-31").validate(&[]).is_err());
    }

    #[test]
    fn special_and_drip_instructions_are_short_and_special_needs_an_ordinary_one() {
        use InstructionKind::*;
        let base = stored(&new(Ordinary, "2026-04-01", "2026-09-30"));
        assert!(new(Special, "2026-05-01", "2026-05-14").validate(&[&base]).is_ok());
        assert_eq!(
            new(Special, "2026-05-01", "2026-05-15")
                .validate(&[&base])
                .unwrap_err()
                .field,
            "end"
        );
        assert_eq!(
            new(Special, "2026-05-01", "2026-05-14")
                .validate(&[])
                .unwrap_err()
                .field,
            "kind"
        );
        assert_eq!(
            new(Special, "2026-10-01", "2026-10-05")
                .validate(&[&base])
                .unwrap_err()
                .field,
            "kind"
        );
        assert!(new(Drip, "2026-05-01", "2026-05-07").validate(&[]).is_ok());
        assert!(new(Drip, "2026-05-01", "2026-05-08").validate(&[]).is_err());
    }

    #[test]
    fn codes_are_seven_digits_with_four_digit_modifiers_and_unlisted_is_allowed() {
        let code = |c: &str, m: &[&str]| CodeInput {
            code: c.into(),
            modifiers: m.iter().map(|s| s.to_string()).collect(),
            icd10: Some("I50.0".into()),
            master: "20240601".into(),
        };
        assert!(check_code(&code("4280012", &[])).is_ok());
        assert!(check_code(&code(UNLISTED_CODE, &[])).is_ok());
        assert!(check_code(&code("4309001", &["4012", "8002"])).is_ok());
        assert_eq!(check_code(&code("428001", &[])).unwrap_err().field, "disease_code");
        assert_eq!(check_code(&code("4280012", &["80"])).unwrap_err().field, "modifier");
        let mut bad = new(InstructionKind::Ordinary, "2026-04-01", "2026-09-30");
        bad.bedridden = Some("D1".into());
        assert_eq!(bad.validate(&[]).unwrap_err().field, "bedridden");
    }
}
