//! A Bundle from elsewhere (a hospital's discharge data, another system's
//! export) read into what a record holds, shown as a preview, and added
//! without overwriting anything: a detail the record already has with a
//! different value is listed, not changed; entries already there (the same
//! diagnosis, medication, allergy, contact, reading or task) are skipped.

use care_model::{
    CalendarDate, Contact, Diagnosis, GlucoseFlag, Jcs, MedicationDetails, ModelError, NewTask, Priority, Record,
    RecordTx, Sex, Timestamp, VitalSigns,
};
use serde::Serialize;
use serde_json::Value;

use super::patient::EN_REPRESENTATION;
use super::statements::ICD10;
use super::vitals::{JCS_SYSTEM, LOINC};

/// Why a Bundle cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("FHIR の Bundle ではありません / not a FHIR Bundle")]
    NotABundle,
    #[error("{resource} を読めません: {why} / cannot read {resource}: {why}")]
    Unreadable { resource: String, why: String },
}

/// The patient's details as the Bundle gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Details {
    pub name: Option<String>,
    pub kana: Option<String>,
    pub born: Option<CalendarDate>,
    pub sex: Option<Sex>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A task as the Bundle gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncomingTask {
    pub title: String,
    pub due: Option<CalendarDate>,
    pub high: bool,
}

/// What a Bundle holds that a record can take.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Incoming {
    pub details: Details,
    pub diagnoses: Vec<Diagnosis>,
    pub medications: Vec<MedicationDetails>,
    pub allergies: Vec<String>,
    pub contacts: Vec<Contact>,
    pub readings: Vec<VitalSigns>,
    pub tasks: Vec<IncomingTask>,
}

fn unreadable(resource: &str, why: impl Into<String>) -> FhirError {
    FhirError::Unreadable {
        resource: resource.to_string(),
        why: why.into(),
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The HumanName whose representation is `rep` (IDE kanji, SYL kana); a
/// name without the extension counts as kanji.
fn name_of(names: &Value, rep: &str) -> Option<String> {
    names.as_array()?.iter().find_map(|n| {
        let r = n["extension"]
            .as_array()
            .and_then(|e| e.iter().find(|x| x["url"] == EN_REPRESENTATION))
            .and_then(|x| x["valueCode"].as_str());
        if r == Some(rep) || (r.is_none() && rep == "IDE") {
            text(&n["text"]).or_else(|| {
                let family = n["family"].as_str().unwrap_or_default();
                let given: Vec<&str> = n["given"]
                    .as_array()
                    .map(|g| g.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                let full = std::iter::once(family)
                    .chain(given)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                (!full.is_empty()).then_some(full)
            })
        } else {
            None
        }
    })
}

fn date(v: &Value) -> Option<CalendarDate> {
    v.as_str().and_then(|s| s.get(..10)).and_then(|s| s.parse().ok())
}

fn moment(v: &Value) -> Option<Timestamp> {
    let s = v.as_str()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| Timestamp::from_datetime(&t))
}

fn codes(concept: &Value) -> Vec<(String, String)> {
    concept["coding"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|x| Some((x["system"].as_str()?.to_string(), x["code"].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn quantity(v: &Value) -> Option<f64> {
    v["valueQuantity"]["value"].as_f64()
}

/// Reads the resources a record can take; others are left out.
pub fn read(bundle: &Value) -> Result<Incoming, FhirError> {
    if bundle["resourceType"] != "Bundle" {
        return Err(FhirError::NotABundle);
    }
    let mut inc = Incoming::default();
    let mut contacts: Vec<(u64, Contact)> = Vec::new();
    let mut readings: std::collections::BTreeMap<Timestamp, VitalSigns> = Default::default();
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    for entry in &entries {
        let r = &entry["resource"];
        match r["resourceType"].as_str().unwrap_or_default() {
            "Patient" => {
                inc.details = Details {
                    name: name_of(&r["name"], "IDE"),
                    kana: name_of(&r["name"], "SYL"),
                    born: date(&r["birthDate"]),
                    sex: r["gender"].as_str().and_then(|g| g.parse().ok()),
                    address: r["address"][0]["text"].as_str().map(str::to_string),
                    phone: r["telecom"]
                        .as_array()
                        .and_then(|t| t.iter().find(|x| x["system"] == "phone"))
                        .and_then(|x| text(&x["value"])),
                };
            }
            "Condition" => {
                let name = text(&r["code"]["text"])
                    .or_else(|| r["code"]["coding"][0]["display"].as_str().map(str::to_string))
                    .ok_or_else(|| unreadable("Condition", "no text"))?;
                let icd = codes(&r["code"])
                    .into_iter()
                    .find(|(s, _)| s == ICD10 || s.contains("icd-10"))
                    .map(|(_, c)| c);
                inc.diagnoses.push(Diagnosis { name, code: icd });
            }
            "MedicationStatement" => {
                let name = text(&r["medicationCodeableConcept"]["text"])
                    .ok_or_else(|| unreadable("MedicationStatement", "no medication text"))?;
                let dosage = text(&r["dosage"][0]["text"]).unwrap_or_default();
                let (dose, schedule) = match dosage.split_once(' ') {
                    Some((d, s)) => (d.to_string(), s.to_string()),
                    None => (dosage.clone(), String::new()),
                };
                inc.medications.push(MedicationDetails {
                    name,
                    dose,
                    schedule,
                    prescriber: None,
                    start: date(&r["effectivePeriod"]["start"]),
                    stop: date(&r["effectivePeriod"]["end"]),
                });
            }
            "AllergyIntolerance" => {
                if let Some(a) = text(&r["code"]["text"]) {
                    inc.allergies.push(a);
                }
            }
            "RelatedPerson" => {
                let name = name_of(&r["name"], "IDE").ok_or_else(|| unreadable("RelatedPerson", "no name"))?;
                let phone = r["telecom"]
                    .as_array()
                    .and_then(|t| t.iter().find(|x| x["system"] == "phone"))
                    .and_then(|x| text(&x["value"]))
                    .ok_or_else(|| unreadable("RelatedPerson", "no phone"))?;
                let rank = r["telecom"][0]["rank"].as_u64().unwrap_or(u64::MAX);
                let rels = r["relationship"].as_array().cloned().unwrap_or_default();
                contacts.push((
                    rank,
                    Contact {
                        name,
                        kana: name_of(&r["name"], "SYL"),
                        relation: rels
                            .first()
                            .and_then(|x| text(&x["text"]))
                            .unwrap_or_else(|| "家族".into()),
                        phone,
                        key_person: rels.iter().any(|x| codes(x).iter().any(|(_, c)| c == "NOK")),
                    },
                ));
            }
            "Observation" => {
                let Some(at) = moment(&r["effectiveDateTime"]) else {
                    continue;
                };
                let v = readings.entry(at).or_insert_with(|| blank(at));
                read_observation(r, v);
            }
            "Task" => {
                if let Some(title) = text(&r["description"]) {
                    inc.tasks.push(IncomingTask {
                        title,
                        due: date(&r["restriction"]["period"]["end"]),
                        high: r["priority"] == "urgent" || r["priority"] == "asap" || r["priority"] == "stat",
                    });
                }
            }
            _ => {}
        }
    }
    inc.readings = readings.into_values().filter(|v| *v != blank(v.taken_at)).collect();
    // The calling order travels as each phone's rank.
    contacts.sort_by_key(|(rank, _)| *rank);
    inc.contacts = contacts.into_iter().map(|(_, c)| c).collect();
    Ok(inc)
}

fn blank(at: Timestamp) -> VitalSigns {
    VitalSigns {
        taken_at: at,
        ..Default::default()
    }
}

/// One Observation into the reading of its time, by its LOINC code (or
/// Tsunagi's JCS system).
fn read_observation(r: &Value, v: &mut VitalSigns) {
    let cs = codes(&r["code"]);
    let has = |code: &str| cs.iter().any(|(s, c)| s == LOINC && c == code);
    let int = |x: Option<f64>| x.map(|f| f.round() as u16);
    if has("85354-9") {
        for comp in r["component"].as_array().into_iter().flatten() {
            let cc = codes(&comp["code"]);
            let value = int(quantity(comp));
            if cc.iter().any(|(_, c)| c == "8480-6") {
                v.systolic = value;
            } else if cc.iter().any(|(_, c)| c == "8462-4") {
                v.diastolic = value;
            }
        }
    } else if has("8867-4") {
        v.pulse = int(quantity(r));
    } else if has("8310-5") {
        v.temperature = quantity(r);
    } else if has("2708-6") || has("59408-5") {
        v.spo2 = quantity(r).map(|f| f.round() as u8);
        v.oxygen = r["component"]
            .as_array()
            .and_then(|c| c.iter().find(|x| codes(&x["code"]).iter().any(|(_, c)| c == "3151-8")))
            .and_then(quantity);
    } else if has("9279-1") {
        v.respiratory_rate = int(quantity(r));
    } else if has("29463-7") {
        v.weight = quantity(r);
    } else if has("41653-7") || has("2339-0") {
        v.glucose = int(quantity(r));
        v.glucose_flag = r["valueString"].as_str().and_then(|s| s.parse::<GlucoseFlag>().ok());
    } else if has("72514-3") {
        v.pain = r["valueInteger"].as_u64().map(|p| p.min(10) as u8);
    } else if let Some((_, code)) = cs.iter().find(|(s, _)| s == JCS_SYSTEM) {
        v.consciousness = code.parse::<Jcs>().ok();
    }
}

/// What an import would do to a record (or to a new one, `None`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// Details the record lacks, filled from the Bundle: (field, value).
    pub fill: Vec<(String, String)>,
    /// Details the record has with another value: (field, ours, theirs).
    /// Not changed; shown.
    pub differ: Vec<(String, String, String)>,
    pub incoming: Incoming,
}

impl Plan {
    /// Nothing would be added.
    pub fn is_empty(&self) -> bool {
        self.fill.is_empty()
            && self.incoming.diagnoses.is_empty()
            && self.incoming.medications.is_empty()
            && self.incoming.allergies.is_empty()
            && self.incoming.contacts.is_empty()
            && self.incoming.readings.is_empty()
            && self.incoming.tasks.is_empty()
    }
}

/// What importing `incoming` into `record` would add, and what differs.
pub fn plan(record: Option<&Record>, incoming: &Incoming) -> Plan {
    let mut inc = incoming.clone();
    let mut plan = Plan::default();
    let d = &incoming.details;
    let ours = record.map(|r| &r.patient);
    let mut detail = |field: &str, mine: Option<String>, theirs: Option<String>| match (mine, theirs) {
        (None, Some(t)) => plan.fill.push((field.into(), t)),
        (Some(m), Some(t)) if m != t => plan.differ.push((field.into(), m, t)),
        _ => {}
    };
    detail("name", ours.map(|p| p.name.clone()), d.name.clone());
    detail("kana", ours.and_then(|p| p.kana.clone()), d.kana.clone());
    detail(
        "born",
        ours.and_then(|p| p.born).map(|b| b.iso()),
        d.born.map(|b| b.iso()),
    );
    detail(
        "sex",
        ours.and_then(|p| p.sex).map(|s| s.code().to_string()),
        d.sex.map(|s| s.code().to_string()),
    );
    detail("address", ours.and_then(|p| p.address.clone()), d.address.clone());
    detail("phone", ours.and_then(|p| p.phone.clone()), d.phone.clone());
    if let Some(r) = record {
        inc.diagnoses
            .retain(|x| !r.patient.diagnoses.iter().any(|y| y.name == x.name));
        inc.allergies.retain(|x| !r.patient.allergies.contains(x));
        inc.contacts.retain(|x| {
            !r.patient
                .contacts
                .iter()
                .any(|y| y.name == x.name && y.phone == x.phone)
        });
        inc.medications.retain(|x| {
            !r.medications
                .values()
                .any(|m| m.current().name == x.name && m.current().start == x.start)
        });
        inc.readings.retain(|x| !r.vitals.values().any(|e| e.reading == *x));
        inc.tasks
            .retain(|x| !r.tasks.values().any(|t| t.title == x.title && t.due == x.due));
    }
    plan.incoming = inc;
    plan
}

/// Adds what `plan` lists, in the caller's one change: details the record
/// lacks, then the entries. Nothing it has is overwritten.
pub fn apply(tx: &mut RecordTx<'_, '_>, plan: &Plan) -> Result<(), ModelError> {
    let inc = &plan.incoming;
    let fill = plan.fill.clone();
    let (diagnoses, allergies) = (inc.diagnoses.clone(), inc.allergies.clone());
    let details = inc.details.clone();
    tx.update_patient(move |p| {
        for (field, _) in &fill {
            match field.as_str() {
                "kana" => p.kana = details.kana.clone(),
                "born" => p.born = details.born,
                "sex" => p.sex = details.sex,
                "address" => p.address = details.address.clone(),
                "phone" => p.phone = details.phone.clone(),
                _ => {}
            }
        }
        p.diagnoses.extend(diagnoses);
        p.allergies.extend(allergies);
    })?;
    for c in &inc.contacts {
        tx.add_contact(c.clone())?;
    }
    for m in &inc.medications {
        tx.add_medication(m.clone())?;
    }
    for v in &inc.readings {
        tx.add_vitals(v.clone())?;
    }
    for t in &inc.tasks {
        tx.add_task(NewTask {
            title: t.title.clone(),
            assignee: None,
            due: t.due,
            priority: if t.high { Priority::High } else { Priority::Normal },
        })?;
    }
    Ok(())
}
