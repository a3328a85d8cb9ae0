//! The record's edit forms as plain data: what a form shows, and turning
//! what was typed back into the model's types (the model validates). Every
//! field is text as typed; an empty field is "not known".

use care_model::{
    AcpDetails, Assignee, Band, CalendarDate, CaseState, Certification, Contact, Diagnosis, Insurance,
    MedicationDetails, Patient, Person, Record, Thresholds,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{ms, name_of, BandView};
use crate::app::opt;
use crate::error::AppResult;

fn date(field: &'static str, s: &Option<String>) -> AppResult<Option<CalendarDate>> {
    Ok(opt(s).map(|d| CalendarDate::parse(field, &d)).transpose()?)
}

fn lines(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct PersonForm {
    /// A member's id when the person is in the team.
    pub member: Option<String>,
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DiagnosisForm {
    pub name: String,
    /// ICD-10, e.g. `I50.9`.
    pub code: Option<String>,
}

/// Every patient detail but the contacts (which have their own list).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct PatientForm {
    pub name: String,
    pub kana: Option<String>,
    pub born: Option<String>,
    pub sex: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub care_level: Option<String>,
    pub certified_from: Option<String>,
    pub certified_until: Option<String>,
    /// `medical` or `ltc`.
    pub insurance: Option<String>,
    pub insurance_number: Option<String>,
    pub doctor: Option<PersonForm>,
    pub care_manager: Option<PersonForm>,
    pub diagnoses: Vec<DiagnosisForm>,
    pub services: Vec<String>,
    pub allergies: Vec<String>,
    pub problems: Vec<String>,
    /// 急変時の希望, in the patient's words.
    pub acp: Option<String>,
    /// `dnar`, `full` or `undecided`.
    pub resuscitation: Option<String>,
    pub acp_hospital: Option<String>,
    pub acp_discussed_on: Option<String>,
    pub acp_discussed_with: Option<String>,
}

pub(crate) fn person_form(p: &Person) -> PersonForm {
    PersonForm {
        member: p.member.map(|m| m.to_string()),
        name: p.name.clone(),
        organisation: p.organisation.clone(),
        phone: p.phone.clone(),
        fax: p.fax.clone(),
    }
}

pub(crate) fn person(f: &Option<PersonForm>) -> AppResult<Option<Person>> {
    let Some(f) = f else { return Ok(None) };
    if f.name.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Person {
        member: opt(&f.member).map(|m| crate::app::parse_member(&m)).transpose()?,
        name: f.name.trim().to_string(),
        organisation: opt(&f.organisation),
        phone: opt(&f.phone),
        fax: opt(&f.fax),
    }))
}

pub fn patient_form(p: &Patient) -> PatientForm {
    let acp = p.acp_details.clone().unwrap_or_default();
    PatientForm {
        name: p.name.clone(),
        kana: p.kana.clone(),
        born: p.born.map(|d| d.iso()),
        sex: p.sex.map(|s| s.code().into()),
        address: p.address.clone(),
        phone: p.phone.clone(),
        care_level: p.care_level.map(|c| c.code().into()),
        certified_from: p.certification.map(|c| c.from.iso()),
        certified_until: p.certification.map(|c| c.until.iso()),
        insurance: p.insurance.as_ref().map(|i| i.kind.code().into()),
        insurance_number: p.insurance.as_ref().and_then(|i| i.number.clone()),
        doctor: p.doctor.as_ref().map(person_form),
        care_manager: p.care_manager.as_ref().map(person_form),
        diagnoses: p
            .diagnoses
            .iter()
            .map(|d| DiagnosisForm {
                name: d.name.clone(),
                code: d.code.clone(),
            })
            .collect(),
        services: p.services.clone(),
        allergies: p.allergies.clone(),
        problems: p.problems.clone(),
        acp: p.acp.clone(),
        resuscitation: acp.resuscitation.map(|r| r.code().into()),
        acp_hospital: acp.hospital,
        acp_discussed_on: acp.discussed_on.map(|d| d.iso()),
        acp_discussed_with: acp.discussed_with,
    }
}

/// The patient with the form's values; contacts are left as they are. The
/// model writes only the fields that differ.
pub fn patient_from_form(mut p: Patient, f: &PatientForm) -> AppResult<Patient> {
    p.name = f.name.trim().to_string();
    p.kana = crate::app::kana(&f.kana)?;
    p.born = date("born", &f.born)?;
    p.sex = opt(&f.sex).map(|s| s.parse()).transpose()?;
    p.address = opt(&f.address);
    p.phone = opt(&f.phone);
    p.care_level = opt(&f.care_level).map(|s| s.parse()).transpose()?;
    p.certification = match (date("from", &f.certified_from)?, date("until", &f.certified_until)?) {
        (Some(from), Some(until)) => Some(Certification { from, until }),
        (None, None) => None,
        (Some(_), None) => Err(care_model::ValidationError {
            field: "until",
            value: String::new(),
            accepted: "both ends of the period",
        })?,
        (None, Some(_)) => Err(care_model::ValidationError {
            field: "from",
            value: String::new(),
            accepted: "both ends of the period",
        })?,
    };
    p.insurance = opt(&f.insurance)
        .map(|k| -> AppResult<Insurance> {
            Ok(Insurance {
                kind: k.parse()?,
                number: opt(&f.insurance_number),
            })
        })
        .transpose()?;
    p.doctor = person(&f.doctor)?;
    p.care_manager = person(&f.care_manager)?;
    p.diagnoses = f
        .diagnoses
        .iter()
        .filter(|d| !d.name.trim().is_empty())
        .map(|d| Diagnosis {
            name: d.name.trim().to_string(),
            code: opt(&d.code).map(|c| c.to_uppercase()),
        })
        .collect();
    p.services = lines(&f.services);
    p.allergies = lines(&f.allergies);
    p.problems = lines(&f.problems);
    p.acp = opt(&f.acp);
    let details = AcpDetails {
        resuscitation: opt(&f.resuscitation).map(|s| s.parse()).transpose()?,
        hospital: opt(&f.acp_hospital),
        discussed_on: date("discussed_on", &f.acp_discussed_on)?,
        discussed_with: opt(&f.acp_discussed_with),
    };
    p.acp_details = (details != AcpDetails::default()).then_some(details);
    Ok(p)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ContactInput {
    pub name: String,
    pub kana: Option<String>,
    pub relation: String,
    pub phone: String,
    pub key_person: bool,
}

pub fn contact_from_input(c: &ContactInput) -> AppResult<Contact> {
    Ok(Contact {
        name: c.name.trim().to_string(),
        kana: crate::app::kana(&c.kana)?,
        relation: c.relation.trim().to_string(),
        phone: c.phone.trim().to_string(),
        key_person: c.key_person,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct MedicationInput {
    pub name: String,
    pub dose: String,
    pub schedule: String,
    pub prescriber: Option<String>,
    pub start: Option<String>,
    pub stop: Option<String>,
}

pub fn medication_from_input(m: &MedicationInput) -> AppResult<MedicationDetails> {
    Ok(MedicationDetails {
        name: m.name.trim().to_string(),
        dose: m.dose.trim().to_string(),
        schedule: m.schedule.trim().to_string(),
        prescriber: opt(&m.prescriber),
        start: date("start", &m.start)?,
        stop: date("stop", &m.stop)?,
    })
}

/// One revision of a medication, oldest first.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MedicationRevisionView {
    pub dose: String,
    pub schedule: String,
    pub start: Option<String>,
    pub stop: Option<String>,
    pub stop_reason: Option<String>,
    pub by: String,
    pub at: i64,
}

pub fn medication_revisions(record: &Record, m: &care_model::Medication) -> Vec<MedicationRevisionView> {
    m.revisions
        .iter()
        .map(|r| MedicationRevisionView {
            dose: r.dose.clone(),
            schedule: r.schedule.clone(),
            start: r.start.map(|d| d.iso()),
            stop: r.stop.map(|d| d.iso()),
            stop_reason: r.stop_reason.clone(),
            by: name_of(record, &r.by),
            at: ms(r.at),
        })
        .collect()
}

/// `member:<id>` or `profession:<code>`, as the task form's select holds it.
pub fn assignee_code(a: &Option<Assignee>) -> Option<String> {
    a.as_ref().map(|a| match a {
        Assignee::Member(m) => format!("member:{m}"),
        Assignee::Profession(p) => format!("profession:{}", p.code()),
    })
}

pub fn parse_assignee(s: &Option<String>) -> AppResult<Option<Assignee>> {
    let Some(s) = opt(s) else { return Ok(None) };
    let bad = || care_model::ValidationError {
        field: "assignee",
        value: s.clone(),
        accepted: "member:<id> | profession:<code>",
    };
    Ok(Some(match s.split_once(':') {
        Some(("member", id)) => Assignee::Member(id.parse().map_err(|_| bad())?),
        Some(("profession", p)) => Assignee::Profession(p.parse()?),
        _ => Err(bad())?,
    }))
}

/// The bands as the thresholds form edits them, and the scale 2 switch.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ThresholdsForm {
    pub bands: Vec<BandView>,
    pub spo2_scale2: bool,
}

pub fn thresholds_form(t: &Thresholds) -> ThresholdsForm {
    ThresholdsForm {
        bands: t
            .bands()
            .iter()
            .map(|(field, b)| BandView {
                field: (*field).into(),
                attention_below: b.attention_below,
                attention_above: b.attention_above,
                urgent_below: b.urgent_below,
                urgent_above: b.urgent_above,
            })
            .collect(),
        spo2_scale2: t.spo2_scale2,
    }
}

pub fn thresholds_from_form(mut t: Thresholds, f: &ThresholdsForm) -> AppResult<Thresholds> {
    for b in &f.bands {
        let band = Band {
            attention_below: b.attention_below,
            attention_above: b.attention_above,
            urgent_below: b.urgent_below,
            urgent_above: b.urgent_above,
        };
        *t.band_mut(&b.field).ok_or_else(|| care_model::ValidationError {
            field: "field",
            value: b.field.clone(),
            accepted: "a vital sign",
        })? = band;
    }
    t.spo2_scale2 = f.spo2_scale2;
    Ok(t)
}

/// 利用中 or 利用終了, and who closed or reopened the case.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct CaseView {
    pub closed: bool,
    /// `hospital`, `facility`, `death`, `moved`, `other`.
    pub reason: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
    pub closed_by: Option<String>,
    /// Readable until (5 years after the case ended).
    pub keep_until: Option<String>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<i64>,
}

pub fn case_view(record: &Record, case: &CaseState) -> CaseView {
    let c = case.closed.as_ref();
    CaseView {
        closed: case.is_closed(),
        reason: c.map(|c| c.reason.code().into()),
        date: c.map(|c| c.date.iso()),
        note: c.and_then(|c| c.note.clone()),
        closed_by: c.map(|c| name_of(record, &c.by)),
        keep_until: case.keep_until().map(|d| d.iso()),
        reopened_by: case.reopened.as_ref().map(|r| name_of(record, &r.by)),
        reopened_at: case.reopened.as_ref().map(|r| ms(r.at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_round_trips_every_patient_field() {
        let form = PatientForm {
            name: "山田 太郎".into(),
            kana: Some("やまだ たろう".into()),
            born: Some("昭和15年4月2日".into()),
            sex: Some("male".into()),
            care_level: Some("care-3".into()),
            certified_from: Some("2026-04-01".into()),
            certified_until: Some("2027-03-31".into()),
            insurance: Some("ltc".into()),
            insurance_number: Some("0000123456".into()),
            doctor: Some(PersonForm {
                name: "中野 誠".into(),
                fax: Some("03-0000-2301".into()),
                ..Default::default()
            }),
            diagnoses: vec![DiagnosisForm {
                name: "慢性心不全".into(),
                code: Some("i50.9".into()),
            }],
            services: vec!["訪問看護 週2回".into(), " ".into()],
            resuscitation: Some("dnar".into()),
            acp_discussed_on: Some("2026-10-01".into()),
            ..Default::default()
        };
        let p = patient_from_form(Patient::default(), &form).unwrap();
        assert_eq!(p.kana.as_deref(), Some("ヤマダ タロウ"));
        assert_eq!(p.diagnoses[0].code.as_deref(), Some("I50.9"));
        assert_eq!(p.services, vec!["訪問看護 週2回".to_string()]);
        let back = patient_form(&p);
        assert_eq!(back.born.as_deref(), Some("1940-04-02"));
        assert_eq!(back.certified_until.as_deref(), Some("2027-03-31"));
        assert_eq!(back.resuscitation.as_deref(), Some("dnar"));
        assert_eq!(back.doctor.unwrap().fax.as_deref(), Some("03-0000-2301"));
    }

    #[test]
    fn half_a_certification_period_is_refused() {
        let form = PatientForm {
            name: "山田 太郎".into(),
            certified_from: Some("2026-04-01".into()),
            ..Default::default()
        };
        let e = patient_from_form(Patient::default(), &form).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("until"));
    }
}
