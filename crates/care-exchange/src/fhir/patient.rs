//! The Patient (JP_Patient): kanji and kana names as two HumanNames told
//! apart by the iso21090-EN-representation extension (IDE = 漢字, SYL =
//! カナ), as JP Core's own example does.

use care_model::Record;
use serde_json::{json, Value};

use super::{profile, resource_id};

pub const EN_REPRESENTATION: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

/// "山田 太郎" → family 山田, given [太郎]; without a space, all of it as the family name.
pub(crate) fn human_name(full: &str, representation: &str) -> Value {
    let mut parts = full.split_whitespace();
    let family = parts.next().unwrap_or_default();
    let given: Vec<&str> = parts.collect();
    let mut name = json!({
        "extension": [{ "url": EN_REPRESENTATION, "valueCode": representation }],
        "use": "official",
        "text": full,
        "family": family,
    });
    if !given.is_empty() {
        name["given"] = json!(given);
    }
    name
}

pub(crate) fn patient(record: &Record) -> Value {
    let p = &record.patient;
    let mut names = vec![human_name(&p.name, "IDE")];
    if let Some(kana) = &p.kana {
        names.push(human_name(kana, "SYL"));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "id": resource_id(&record.team.to_string(), "Patient"),
        "meta": profile("JP_Patient"),
        "identifier": [{
            "system": "urn:ietf:rfc:3986",
            "value": format!("urn:uuid:{}", resource_id(&record.team.to_string(), "Patient")),
        }],
        "name": names,
    });
    if let Some(sex) = p.sex {
        // Tsunagi's codes are FHIR's administrative-gender codes.
        patient["gender"] = json!(sex.code());
    }
    if let Some(born) = p.born {
        patient["birthDate"] = json!(born.iso());
    }
    if let Some(phone) = &p.phone {
        patient["telecom"] = json!([{ "system": "phone", "value": phone, "use": "home" }]);
    }
    if let Some(address) = &p.address {
        patient["address"] = json!([{ "text": address, "country": "JP" }]);
    }
    patient
}
