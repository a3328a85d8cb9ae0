//! What is known about the patient: conditions (as written, with the
//! receipt code and ICD-10 when someone coded them), medications, allergies,
//! and the team's open tasks.

use care_model::{Assignee, Record, TaskStatus};
use serde_json::{json, Value};

use super::{profile, resource_id};

pub const ICD10: &str = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full";
pub const RECEIPT_DISEASE: &str = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease";
const CLINICAL_STATUS: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";

fn condition(id: String, patient: &str, text: &str, coding: Vec<Value>) -> Value {
    let mut code = json!({ "text": text });
    if !coding.is_empty() {
        code["coding"] = json!(coding);
    }
    json!({
        "resourceType": "Condition",
        "id": id,
        "meta": profile("JP_Condition"),
        "clinicalStatus": { "coding": [{ "system": CLINICAL_STATUS, "code": "active" }] },
        "code": code,
        "subject": { "reference": patient },
    })
}

/// The patient's diagnoses, then those of the instructions not already
/// named (the doctor's wording, with the code a nurse added).
pub(crate) fn conditions(record: &Record, patient: &str) -> Vec<Value> {
    let team = record.team.to_string();
    let mut out = Vec::new();
    let mut named: Vec<String> = Vec::new();
    for (i, d) in record.patient.diagnoses.iter().enumerate() {
        let coding = d.code.iter().map(|c| json!({ "system": ICD10, "code": c })).collect();
        out.push(condition(
            resource_id(&team, &format!("diagnosis/{i}")),
            patient,
            &d.name,
            coding,
        ));
        named.push(d.name.clone());
    }
    let mut instructions: Vec<_> = record.instructions.iter().collect();
    instructions.sort_by_key(|(id, i)| (i.start, (*id).clone()));
    for (id, ins) in instructions {
        for (i, d) in ins.diagnoses.iter().enumerate() {
            if named.contains(&d.name) {
                continue;
            }
            let mut coding = Vec::new();
            if let Some(c) = &d.code {
                coding.push(json!({ "system": RECEIPT_DISEASE, "code": c.code, "version": c.master }));
                if let Some(icd) = &c.icd10 {
                    coding.push(json!({ "system": ICD10, "code": icd }));
                }
            }
            out.push(condition(
                resource_id(id, &format!("diagnosis/{i}")),
                patient,
                &d.name,
                coding,
            ));
            named.push(d.name.clone());
        }
    }
    out
}

pub(crate) fn medications(record: &Record, patient: &str) -> Vec<Value> {
    let mut meds: Vec<_> = record.medications.iter().collect();
    meds.sort_by_key(|(id, _)| (*id).clone());
    meds.into_iter()
        .map(|(id, m)| {
            let r = m.current();
            let mut s = json!({
                "resourceType": "MedicationStatement",
                "id": resource_id(id, "MedicationStatement"),
                "meta": profile("JP_MedicationStatement"),
                "status": if r.stop.is_some() { "stopped" } else { "active" },
                "medicationCodeableConcept": { "text": r.name },
                "subject": { "reference": patient },
                "dosage": [{ "text": format!("{} {}", r.dose, r.schedule).trim().to_string() }],
            });
            let mut period = serde_json::Map::new();
            if let Some(start) = r.start {
                period.insert("start".into(), json!(start.iso()));
            }
            if let Some(stop) = r.stop {
                period.insert("end".into(), json!(stop.iso()));
            }
            if !period.is_empty() {
                s["effectivePeriod"] = Value::Object(period);
            }
            if let Some(reason) = &r.stop_reason {
                s["statusReason"] = json!([{ "text": reason }]);
            }
            s
        })
        .collect()
}

pub(crate) fn allergies(record: &Record, patient: &str) -> Vec<Value> {
    let team = record.team.to_string();
    record
        .patient
        .allergies
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "resourceType": "AllergyIntolerance",
                "id": resource_id(&team, &format!("allergy/{i}")),
                "meta": profile("JP_AllergyIntolerance"),
                "clinicalStatus": { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active",
                }] },
                "code": { "text": a },
                "patient": { "reference": patient },
            })
        })
        .collect()
}

/// Open tasks (JP Core has no Task profile: base R4).
pub(crate) fn tasks(record: &Record, patient: &str) -> Vec<Value> {
    record
        .tasks_in_order()
        .into_iter()
        .filter(|(_, t)| t.status == TaskStatus::Open)
        .map(|(id, t)| {
            let mut task = json!({
                "resourceType": "Task",
                "id": resource_id(id, "Task"),
                "status": "requested",
                "intent": "order",
                "priority": match t.priority {
                    care_model::Priority::High => "urgent",
                    _ => "routine",
                },
                "description": t.title,
                "for": { "reference": patient },
                "authoredOn": super::instant(t.created_at),
            });
            if let Some(due) = t.due {
                task["restriction"] = json!({ "period": { "end": due.iso() } });
            }
            if let Some(Assignee::Member(m)) = t.assignee {
                task["owner"] =
                    json!({ "reference": format!("urn:uuid:{}", resource_id(&m.to_string(), "Practitioner")) });
            }
            task
        })
        .collect()
}
