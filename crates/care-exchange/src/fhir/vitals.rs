//! One Observation per vital sign of a reading (JP_Observation_VitalSigns):
//! LOINC codes and UCUM units as R4's vital-signs profiles want them
//! (clinical.md §4.2), the HL7 category and JP Core's two. A glucose
//! meter's HI / LO is an interpretation, never a made-up number; JCS has
//! no LOINC code, so it is a local coding with its text.

use care_model::{GlucoseFlag, Record, VitalsEntry};
use serde_json::{json, Value};

use super::{instant, profile, resource_id};

pub const HL7_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const JP_SIMPLE_CATEGORY: &str = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS";
pub const JP_VITALS_CATEGORY: &str = "http://jpfhir.jp/fhir/core/CodeSystem/JP_ObservationVitalSignsCategory_CS";
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
/// Japan Coma Scale: no LOINC code exists; Tsunagi's own system.
pub const JCS_SYSTEM: &str = "urn:tsunagi:jcs";

fn quantity(value: f64, unit: &str, code: &str) -> Value {
    json!({ "value": value, "unit": unit, "system": UCUM, "code": code })
}

fn loinc(codes: &[(&str, &str)], text: &str) -> Value {
    let coding: Vec<Value> = codes
        .iter()
        .map(|(c, d)| json!({ "system": LOINC, "code": c, "display": d }))
        .collect();
    json!({ "coding": coding, "text": text })
}

/// HL7's vital-signs, then JP Core's simple category and its vital-signs kind.
fn categories(jp_kind: &str, vital: bool) -> Value {
    let mut c = vec![];
    if vital {
        c.push(json!({ "coding": [{ "system": HL7_CATEGORY, "code": "vital-signs" }] }));
        c.push(json!({ "coding": [{ "system": JP_SIMPLE_CATEGORY, "code": "vital-signs" }] }));
        c.push(json!({ "coding": [{ "system": JP_VITALS_CATEGORY, "code": jp_kind }] }));
    } else {
        c.push(json!({ "coding": [{ "system": HL7_CATEGORY, "code": jp_kind }] }));
    }
    json!(c)
}

pub(crate) fn observations(record: &Record, patient: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut readings: Vec<(&String, &VitalsEntry)> = record.vitals.iter().collect();
    readings.sort_by_key(|(id, e)| (e.reading.taken_at, (*id).clone()));
    for (id, e) in readings {
        let r = &e.reading;
        let obs = |what: &str, code: Value, jp_kind: &str, vital: bool| {
            json!({
                "resourceType": "Observation",
                "id": resource_id(id, what),
                "meta": profile(if vital { "JP_Observation_VitalSigns" } else { "JP_Observation_Common" }),
                "status": "final",
                "category": categories(jp_kind, vital),
                "code": code,
                "subject": { "reference": patient },
                "effectiveDateTime": instant(r.taken_at),
            })
        };
        if let (Some(sys), Some(dia)) = (r.systolic, r.diastolic) {
            let mut o = obs(
                "bp",
                loinc(
                    &[("85354-9", "Blood pressure panel with all children optional")],
                    "血圧",
                ),
                "blood-pressure",
                true,
            );
            o["component"] = json!([
                { "code": loinc(&[("8480-6", "Systolic blood pressure")], "収縮期血圧"),
                  "valueQuantity": quantity(f64::from(sys), "mmHg", "mm[Hg]") },
                { "code": loinc(&[("8462-4", "Diastolic blood pressure")], "拡張期血圧"),
                  "valueQuantity": quantity(f64::from(dia), "mmHg", "mm[Hg]") },
            ]);
            out.push(o);
        }
        if let Some(v) = r.pulse {
            let mut o = obs("pulse", loinc(&[("8867-4", "Heart rate")], "脈拍"), "pulse-rate", true);
            o["valueQuantity"] = quantity(f64::from(v), "回/分", "/min");
            out.push(o);
        }
        if let Some(v) = r.temperature {
            let mut o = obs(
                "temperature",
                loinc(&[("8310-5", "Body temperature")], "体温"),
                "temperature",
                true,
            );
            o["valueQuantity"] = quantity(v, "℃", "Cel");
            out.push(o);
        }
        if let Some(v) = r.spo2 {
            let mut o = obs(
                "spo2",
                loinc(
                    &[
                        ("2708-6", "Oxygen saturation in Arterial blood"),
                        ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
                    ],
                    "SpO2",
                ),
                "respiratory-function",
                true,
            );
            o["valueQuantity"] = quantity(f64::from(v), "%", "%");
            if let Some(flow) = r.oxygen.filter(|f| *f > 0.0) {
                o["component"] = json!([{
                    "code": loinc(&[("3151-8", "Inhaled oxygen flow rate")], "酸素流量"),
                    "valueQuantity": quantity(flow, "L/min", "L/min"),
                }]);
            }
            out.push(o);
        }
        if let Some(v) = r.respiratory_rate {
            let mut o = obs(
                "resp",
                loinc(&[("9279-1", "Respiratory rate")], "呼吸数"),
                "respiratory-function",
                true,
            );
            o["valueQuantity"] = quantity(f64::from(v), "回/分", "/min");
            out.push(o);
        }
        if let Some(v) = r.weight {
            let mut o = obs(
                "weight",
                loinc(&[("29463-7", "Body weight")], "体重"),
                "body-measurement",
                false,
            );
            o["meta"] = profile("JP_Observation_BodyMeasurement");
            o["category"] = json!([
                { "coding": [{ "system": HL7_CATEGORY, "code": "vital-signs" }] },
                { "coding": [{ "system": JP_SIMPLE_CATEGORY, "code": "body-measurement" }] },
            ]);
            o["valueQuantity"] = quantity(v, "kg", "kg");
            out.push(o);
        }
        if r.glucose.is_some() || r.glucose_flag.is_some() {
            let mut o = obs(
                "glucose",
                loinc(
                    &[("41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer")],
                    "血糖",
                ),
                "laboratory",
                false,
            );
            match (r.glucose, r.glucose_flag) {
                (Some(v), _) => o["valueQuantity"] = quantity(f64::from(v), "mg/dL", "mg/dL"),
                (None, Some(flag)) => {
                    // Off the meter's scale: said, not turned into a number.
                    o["valueString"] = json!(flag.code());
                    o["interpretation"] = json!([{ "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": if flag == GlucoseFlag::High { "HH" } else { "LL" },
                    }] }]);
                }
                (None, None) => {}
            }
            out.push(o);
        }
        if let Some(v) = r.pain {
            let mut o = obs(
                "pain",
                loinc(
                    &[(
                        "72514-3",
                        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                    )],
                    "痛み (NRS)",
                ),
                "survey",
                false,
            );
            o["valueInteger"] = json!(v);
            out.push(o);
        }
        if let Some(j) = r.consciousness {
            let mut o = obs(
                "jcs",
                json!({ "coding": [{ "system": JCS_SYSTEM, "code": j.code(), "display": j.label_ja() }], "text": "意識レベル (JCS)" }),
                "consciousness-evaluation",
                true,
            );
            o["valueCodeableConcept"] = json!({ "coding": [{ "system": JCS_SYSTEM, "code": j.code() }], "text": format!("JCS {}", j.label_ja()) });
            out.push(o);
        }
    }
    out
}
