//! The people around the patient: the calling list as RelatedPerson (base
//! R4: JP Core has a placeholder only), the team's members as Practitioner
//! (JP_Practitioner, kanji and kana names) and their organisations as
//! Organization (JP_Organization), joined by PractitionerRole.

use std::collections::BTreeMap;

use care_model::Record;
use serde_json::{json, Value};

use super::patient::human_name;
use super::{profile, resource_id};

pub(crate) fn related_persons(record: &Record, patient: &str) -> Vec<Value> {
    let team = record.team.to_string();
    record
        .patient
        .contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut names = vec![human_name(&c.name, "IDE")];
            if let Some(kana) = &c.kana {
                names.push(human_name(kana, "SYL"));
            }
            let mut p = json!({
                "resourceType": "RelatedPerson",
                "id": resource_id(&team, &format!("contact/{i}")),
                "patient": { "reference": patient },
                "relationship": [{ "text": c.relation }],
                "name": names,
                // The calling order: 1 is called first.
                "telecom": [{ "system": "phone", "value": c.phone, "rank": i + 1 }],
            });
            if c.key_person {
                p["relationship"] = json!([
                    { "text": c.relation },
                    { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "NOK" }], "text": "キーパーソン" },
                ]);
            }
            p
        })
        .collect()
}

pub(crate) fn members(record: &Record) -> Vec<Value> {
    let mut out = Vec::new();
    let mut organisations: BTreeMap<&str, String> = BTreeMap::new();
    for m in record.members.values() {
        organisations
            .entry(m.organisation.as_str())
            .or_insert_with(|| resource_id(&m.organisation, "Organization"));
    }
    for (name, id) in &organisations {
        out.push(json!({
            "resourceType": "Organization",
            "id": id,
            "meta": profile("JP_Organization"),
            "name": name,
        }));
    }
    for (member, m) in &record.members {
        let id = resource_id(member, "Practitioner");
        let mut names = vec![human_name(&m.name, "IDE")];
        if let Some(kana) = &m.kana {
            names.push(human_name(kana, "SYL"));
        }
        let mut telecom = Vec::new();
        if let Some(phone) = &m.phone {
            telecom.push(json!({ "system": "phone", "value": phone, "use": "work" }));
        }
        if let Some(fax) = &m.fax {
            telecom.push(json!({ "system": "fax", "value": fax, "use": "work" }));
        }
        if let Some(email) = &m.email {
            telecom.push(json!({ "system": "email", "value": email, "use": "work" }));
        }
        let mut p = json!({
            "resourceType": "Practitioner",
            "id": id,
            "meta": profile("JP_Practitioner"),
            "name": names,
        });
        if !telecom.is_empty() {
            p["telecom"] = json!(telecom);
        }
        out.push(p);
        out.push(json!({
            "resourceType": "PractitionerRole",
            "id": resource_id(member, "PractitionerRole"),
            "meta": profile("JP_PractitionerRole"),
            "practitioner": { "reference": format!("urn:uuid:{id}") },
            "organization": { "reference": format!("urn:uuid:{}", organisations[m.organisation.as_str()]) },
            "code": [{ "text": m.profession.label_ja() }],
        }));
    }
    out
}
