//! One patient's care record as a FHIR R4 (4.0.1) `Bundle` of type
//! `collection`, using JP Core v1.1 profiles where JP Core has one and the
//! base R4 resources where it only has a placeholder (clinical.md §4.1):
//! `Patient` (JP_Patient: the kanji and the kana name as two HumanNames
//! told apart by the iso21090-EN-representation extension, IDE / SYL),
//! one `Observation` per vital sign (LOINC + UCUM, the HL7 vital-signs
//! category and JP Core's two), `Condition` (text, with the receipt code and
//! ICD-10 when coded), `MedicationStatement`, `AllergyIntolerance`,
//! `RelatedPerson` for the calling list, `Practitioner` / `Organization` for
//! the team's members, and `Task` for the open tasks.
//!
//! Tests validate every Bundle with Python's
//! `fhir.resources` 6.4.0 (R4) and assert the JP Core rules relied on here.

mod ids;
pub mod import;
mod patient;
mod people;
mod statements;
mod vitals;

use care_model::{Record, Timestamp};
use serde_json::{json, Value};

pub use ids::resource_id;
pub use import::{apply, plan, read, FhirError, Incoming, Plan};

/// JP Core's canonical base.
pub const JP_CORE: &str = "http://jpfhir.jp/fhir/core";

pub(crate) fn profile(name: &str) -> Value {
    json!({ "profile": [format!("{JP_CORE}/StructureDefinition/{name}")] })
}

/// An instant as FHIR writes it, in Japan's offset.
pub(crate) fn instant(t: Timestamp) -> String {
    t.to_jst().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// The record as a Bundle, made at `now`.
pub fn export(record: &Record, now: Timestamp) -> Value {
    let patient_ref = format!("urn:uuid:{}", resource_id(&record.team.to_string(), "Patient"));
    let mut resources: Vec<Value> = vec![patient::patient(record)];
    resources.extend(vitals::observations(record, &patient_ref));
    resources.extend(statements::conditions(record, &patient_ref));
    resources.extend(statements::medications(record, &patient_ref));
    resources.extend(statements::allergies(record, &patient_ref));
    resources.extend(people::related_persons(record, &patient_ref));
    resources.extend(people::members(record));
    resources.extend(statements::tasks(record, &patient_ref));
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap_or_default().to_string();
            json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": r })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "id": resource_id(&record.team.to_string(), "Bundle"),
        "meta": { "lastUpdated": instant(now) },
        "type": "collection",
        "timestamp": instant(now),
        "entry": entries,
    })
}
