//! The patient at the centre of the team: who they are, how to reach them,
//! the certification and insurance, the attending doctor and care manager,
//! diagnoses, services, allergies, problems and the ACP (人生会議).
//!
//! Patient details merge field by field: two people editing different
//! fields offline both keep their edit; the same field twice is a conflict
//! the manager sees (`inspect::conflicts`).

use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::contacts::{validate_contact, Contact};
use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::{CalendarDate, CareLevel, InsuranceKind, MemberId, ModelError, Resuscitation, Sex, ValidationError};
use automerge::ROOT;

/// The patient at the centre of the team.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Patient {
    /// Family name, a space, given name: 山田 太郎.
    pub name: String,
    /// Reading in katakana: ヤマダ タロウ. Lists sort by this.
    pub kana: Option<String>,
    pub born: Option<CalendarDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub diagnoses: Vec<Diagnosis>,
    pub care_level: Option<CareLevel>,
    /// 認定有効期間 of the care level. Fields added after the first release
    /// read as absent in older records.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub certification: Option<Certification>,
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub insurance: Option<Insurance>,
    /// 主治医.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub doctor: Option<Person>,
    /// 担当ケアマネジャー.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub care_manager: Option<Person>,
    /// 利用中のサービス: 訪問看護, 訪問介護, ...
    pub services: Vec<String>,
    pub allergies: Vec<String>,
    /// 問題点.
    pub problems: Vec<String>,
    /// 人生会議 (ACP): the patient's wishes in an emergency, in their words.
    pub acp: Option<String>,
    /// What was decided at the 人生会議, and when and with whom.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub acp_details: Option<AcpDetails>,
    /// Key persons and emergency contacts, in calling order.
    pub contacts: Vec<Contact>,
}

/// A diagnosis as the doctor wrote it, with its ICD-10 code when someone
/// adds one.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Diagnosis {
    pub name: String,
    /// ICD-10, e.g. `I50.9`.
    pub code: Option<String>,
}

/// 認定有効期間: the care level holds from `from` to `until`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Certification {
    pub from: CalendarDate,
    pub until: CalendarDate,
}

/// Which insurance pays, with the 被保険者番号 when the team keeps it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Insurance {
    pub kind: InsuranceKind,
    pub number: Option<String>,
}

/// Someone the team calls: a member of the team, or a person outside it.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Person {
    /// Set when the person is a member of the team.
    pub member: Option<MemberId>,
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
}

/// 人生会議: what the patient decided, where they want to go, and when and
/// with whom it was discussed (the wishes in words are `Patient::acp`).
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct AcpDetails {
    pub resuscitation: Option<Resuscitation>,
    /// 希望する搬送先の病院.
    pub hospital: Option<String>,
    pub discussed_on: Option<CalendarDate>,
    /// 本人, 長女, 主治医 ...
    pub discussed_with: Option<String>,
}

impl Patient {
    /// The day a renewal of the certification should be started: a month
    /// before it ends.
    pub fn renewal_due(&self) -> Option<CalendarDate> {
        self.certification.map(|c| c.until.add_months(-1))
    }
}

impl RecordTx<'_, '_> {
    /// Changes patient details. Only the fields that differ are written, so
    /// two people editing different fields offline both keep their edit.
    pub fn update_patient(&mut self, f: impl FnOnce(&mut Patient)) -> Result<(), ModelError> {
        let mut patient: Patient = hydrate_prop(&*self.tx, ROOT, key::PATIENT)?;
        f(&mut patient);
        validate_patient(&patient)?;
        reconcile_prop(self.tx, ROOT, key::PATIENT, &patient)?;
        Ok(())
    }

    /// The patient as this transaction sees it.
    pub fn patient(&self) -> Result<Patient, ModelError> {
        Ok(hydrate_prop(&*self.tx, ROOT, key::PATIENT)?)
    }
}

pub(crate) fn validate_patient(p: &Patient) -> Result<(), ValidationError> {
    check_text("name", &p.name, MAX_SHORT_CHARS)?;
    if let Some(kana) = &p.kana {
        check_kana("kana", kana)?;
    }
    if let Some(born) = p.born {
        CalendarDate::parse("born", &born.iso())?;
    }
    for c in &p.contacts {
        validate_contact(c)?;
    }
    if let Some(phone) = &p.phone {
        check_phone(phone)?;
    }
    for d in &p.diagnoses {
        check_text("name", &d.name, MAX_SHORT_CHARS)?;
        if let Some(code) = &d.code {
            check_icd10(code)?;
        }
    }
    if let Some(c) = p.certification {
        for (field, date) in [("from", c.from), ("until", c.until)] {
            CalendarDate::parse(field, &date.iso())?;
        }
        if c.until < c.from {
            return Err(ValidationError {
                field: "until",
                value: c.until.iso(),
                accepted: "on or after the start of the period",
            });
        }
    }
    if let Some(Insurance { number: Some(n), .. }) = &p.insurance {
        let n = crate::time::normalise_digits(n);
        if !(1..=20).contains(&n.len()) || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ValidationError {
                field: "number",
                value: n,
                accepted: "digits, e.g. 0000123456",
            });
        }
    }
    for person in [&p.doctor, &p.care_manager].into_iter().flatten() {
        check_text("name", &person.name, MAX_SHORT_CHARS)?;
        if let Some(phone) = &person.phone {
            check_phone(phone)?;
        }
        if let Some(fax) = &person.fax {
            check_phone(fax).map_err(|e| ValidationError { field: "fax", ..e })?;
        }
    }
    for list in [&p.services, &p.allergies, &p.problems] {
        for item in list {
            check_text("name", item, MAX_SHORT_CHARS)?;
        }
    }
    if let Some(acp) = &p.acp {
        check_text("text", acp, MAX_TEXT_CHARS)?;
    }
    if let Some(AcpDetails {
        discussed_on: Some(d), ..
    }) = &p.acp_details
    {
        CalendarDate::parse("discussed_on", &d.iso())?;
    }
    Ok(())
}

/// An ICD-10 code: a letter, two digits, and optionally a dot and one to
/// four more (`I50.9`, `E11.65`, `S72.0`).
pub fn check_icd10(code: &str) -> Result<(), ValidationError> {
    let c: Vec<char> = code.chars().collect();
    let head = c.len() >= 3 && c[0].is_ascii_uppercase() && c[1].is_ascii_digit() && c[2].is_ascii_digit();
    let tail = match c.get(3) {
        None => true,
        Some('.') => (5..=8).contains(&c.len()) && c[4..].iter().all(|x| x.is_ascii_alphanumeric()),
        Some(_) => false,
    };
    if head && tail {
        Ok(())
    } else {
        Err(ValidationError {
            field: "code",
            value: code.to_string(),
            accepted: "ICD-10, e.g. I50.9",
        })
    }
}

/// Phone numbers as written: 03-1234-5678, 090-1234-5678, 内線 not included.
pub fn check_phone(phone: &str) -> Result<(), ValidationError> {
    let phone = crate::time::normalise_digits(phone);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let ok = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
        && phone.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(')
        && (3..=15).contains(&digits);
    if ok {
        Ok(())
    } else {
        Err(ValidationError {
            field: "phone",
            value: phone.to_string(),
            accepted: "digits and hyphens, e.g. 03-1234-5678",
        })
    }
}
/// Katakana (and the long-vowel mark, middle dot and spaces) only.
pub fn check_kana(field: &'static str, kana: &str) -> Result<(), ValidationError> {
    let ok = !kana.trim().is_empty()
        && kana
            .chars()
            .all(|c| matches!(c, '\u{30A0}'..='\u{30FF}' | ' ' | '\u{3000}'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError {
            field,
            value: kana.to_string(),
            accepted: "カタカナ e.g. ヤマダ タロウ",
        })
    }
}

/// Hiragana typed for a reading becomes katakana, as the record stores it.
pub fn to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}
