//! A rich record exported as a FHIR R4 Bundle: validated by Python's
//! `fhir.resources` 6.4.0 (R4 models: structure, types, required fields),
//! and checked here for the JP Core rules the export relies on (profile
//! URLs, the kana name's extension, code systems, units).

use std::path::PathBuf;
use std::process::Command;

use care_model::fixtures::nurse;
use care_model::*;
use serde_json::Value;

fn at(minutes: i64) -> Timestamp {
    Timestamp(1_795_478_400_000 + minutes * 60_000)
}

fn record() -> Record {
    let n = nurse();
    let patient = Patient {
        name: "山田 太郎".into(),
        kana: Some("ヤマダ タロウ".into()),
        born: CalendarDate::new(1938, 4, 2),
        sex: Some(Sex::Male),
        address: Some("東京都中野区中央1-2-3".into()),
        phone: Some("03-1111-2222".into()),
        diagnoses: vec![Diagnosis {
            name: "慢性心不全".into(),
            code: Some("I50.0".into()),
        }],
        allergies: vec!["ペニシリン".into()],
        contacts: vec![Contact {
            name: "山田 花子".into(),
            kana: Some("ヤマダ ハナコ".into()),
            relation: "長女".into(),
            phone: "090-0000-0001".into(),
            key_person: true,
        }],
        ..Default::default()
    };
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient, at(0)).unwrap();
    r.change(&n, at(10), "visit", |tx| {
        tx.add_vitals(
            VitalsForm {
                bp: Some("132/84".into()),
                pulse: Some("78".into()),
                temperature: Some("36.8".into()),
                spo2: Some("94".into()),
                oxygen: Some("2".into()),
                respiratory_rate: Some("18".into()),
                weight: Some("52.4".into()),
                glucose: Some("HI".into()),
                pain: Some("3".into()),
                consciousness: Some("I-1".into()),
                ..Default::default()
            }
            .parse(at(9))?,
        )?;
        tx.add_medication(MedicationDetails {
            name: "フロセミド錠20mg".into(),
            dose: "1錠".into(),
            schedule: "朝食後".into(),
            prescriber: None,
            start: CalendarDate::new(2026, 11, 1),
            stop: None,
        })?;
        tx.add_task(NewTask {
            title: "体重測定".into(),
            assignee: None,
            due: CalendarDate::new(2026, 11, 30),
            priority: Priority::High,
        })
    })
    .unwrap();
    r.change(&n, at(11), "instruction.add", |tx| {
        tx.add_instruction(NewInstruction {
            kind: InstructionKind::Ordinary,
            issued_on: at(0).date_jst(),
            start: at(0).date_jst(),
            end: at(0).date_jst().add_days(60),
            doctor: Person {
                name: "鈴木 一郎".into(),
                ..Default::default()
            },
            diagnoses: vec![(
                "くも膜下出血の疑い".into(),
                Some(CodeInput {
                    code: "4309001".into(),
                    modifiers: vec!["8002".into()],
                    icd10: Some("I60.9".into()),
                    master: "20240601".into(),
                }),
            )],
            bedridden: None,
            dementia: None,
            devices: vec![],
            directions: String::new(),
            emergency_contact: "03-1234-5678".into(),
        })
    })
    .unwrap();
    r.read().unwrap()
}

fn python() -> PathBuf {
    let p = std::env::var_os("TSUNAGI_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/tsunagi-venv/bin/python"));
    assert!(
        p.exists(),
        "{} is missing: scripts/setup.sh makes the venv with fhir.resources 6.4.0",
        p.display()
    );
    p
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

#[test]
fn the_bundle_is_valid_r4_by_fhir_resources() {
    let bundle = care_exchange::fhir::export(&record(), at(20));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&bundle).unwrap()).unwrap();
    let out = Command::new(python())
        .args([
            "-c",
            "import json, sys\n\
             import fhir.resources\n\
             from fhir.resources import construct_fhir_element\n\
             assert fhir.resources.__version__ == '6.4.0', fhir.resources.__version__\n\
             b = construct_fhir_element('Bundle', json.load(open(sys.argv[1], encoding='utf-8')))\n\
             print(len(b.entry), sorted({e.resource.resource_type for e in b.entry}))",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fhir.resources refused the Bundle:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    for kind in [
        "Patient",
        "Observation",
        "Condition",
        "MedicationStatement",
        "AllergyIntolerance",
        "RelatedPerson",
        "Practitioner",
        "Organization",
        "Task",
    ] {
        assert!(said.contains(&format!("'{kind}'")), "{kind} missing: {said}");
    }
    // And a broken one is refused: the validator can fail.
    let mut broken = bundle.clone();
    broken["entry"][0]["resource"]["birthDate"] = Value::from("1938-13-45");
    std::fs::write(&file, serde_json::to_vec(&broken).unwrap()).unwrap();
    let out = Command::new(python())
        .args(["-c", "import json, sys\nfrom fhir.resources import construct_fhir_element\nconstruct_fhir_element('Bundle', json.load(open(sys.argv[1])))"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a month 13 must be refused");
}

#[test]
fn the_export_follows_the_jp_core_rules_it_relies_on() {
    let rec = record();
    let bundle = care_exchange::fhir::export(&rec, at(20));
    assert_eq!(bundle["type"], "collection");
    // Patient: JP_Patient, kanji (IDE) and kana (SYL) names.
    let p = resources(&bundle, "Patient")[0];
    assert_eq!(
        p["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient"
    );
    let ext = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
    let names = p["name"].as_array().unwrap();
    assert_eq!(names[0]["extension"][0]["url"], ext);
    assert_eq!(names[0]["extension"][0]["valueCode"], "IDE");
    assert_eq!(
        (names[0]["family"].as_str(), names[0]["given"][0].as_str()),
        (Some("山田"), Some("太郎"))
    );
    assert_eq!(names[1]["extension"][0]["valueCode"], "SYL");
    assert_eq!(names[1]["text"], "ヤマダ タロウ");
    assert_eq!(p["birthDate"], "1938-04-02");
    assert_eq!(p["gender"], "male");
    // Observations: LOINC + UCUM, the HL7 and JP Core categories.
    let obs = resources(&bundle, "Observation");
    let by_code = |code: &str| {
        *obs.iter()
            .find(|o| {
                o["code"]["coding"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["code"] == code)
            })
            .unwrap_or_else(|| panic!("no Observation {code}"))
    };
    let bp = by_code("85354-9");
    assert_eq!(
        bp["meta"]["profile"][0],
        "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_VitalSigns"
    );
    let cats: Vec<(&str, &str)> = bp["category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["coding"][0]["system"].as_str().unwrap(),
                c["coding"][0]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(cats.contains(&(
        "http://terminology.hl7.org/CodeSystem/observation-category",
        "vital-signs"
    )));
    assert!(cats.contains(&(
        "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS",
        "vital-signs"
    )));
    assert!(cats.contains(&(
        "http://jpfhir.jp/fhir/core/CodeSystem/JP_ObservationVitalSignsCategory_CS",
        "blood-pressure"
    )));
    assert_eq!(bp["component"][0]["code"]["coding"][0]["code"], "8480-6");
    assert_eq!(bp["component"][0]["valueQuantity"]["value"], 132.0);
    assert_eq!(bp["component"][0]["valueQuantity"]["code"], "mm[Hg]");
    assert_eq!(
        bp["component"][0]["valueQuantity"]["system"],
        "http://unitsofmeasure.org"
    );
    let spo2 = by_code("2708-6");
    assert_eq!(spo2["code"]["coding"][1]["code"], "59408-5");
    assert_eq!(spo2["valueQuantity"]["code"], "%");
    assert_eq!(
        spo2["component"][0]["code"]["coding"][0]["code"], "3151-8",
        "on 2 L/min"
    );
    assert_eq!(by_code("8310-5")["valueQuantity"]["code"], "Cel");
    assert_eq!(by_code("8867-4")["valueQuantity"]["code"], "/min");
    assert_eq!(by_code("29463-7")["valueQuantity"]["value"], 52.4);
    // A meter's HI is said, never a number.
    let glucose = by_code("41653-7");
    assert!(glucose.get("valueQuantity").is_none());
    assert_eq!(glucose["valueString"], "HI");
    // Conditions: ICD-10 2013 and the receipt master, with the text as written.
    let conditions = resources(&bundle, "Condition");
    let hf = conditions.iter().find(|c| c["code"]["text"] == "慢性心不全").unwrap();
    assert_eq!(
        hf["code"]["coding"][0]["system"],
        "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full"
    );
    let sah = conditions
        .iter()
        .find(|c| c["code"]["text"] == "くも膜下出血の疑い")
        .unwrap();
    assert_eq!(
        sah["code"]["coding"][0]["system"],
        "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease"
    );
    assert_eq!(sah["code"]["coding"][0]["code"], "4309001");
    // The calling list, in order; the members and their organisation.
    let rp = resources(&bundle, "RelatedPerson")[0];
    assert_eq!(rp["telecom"][0]["rank"], 1);
    assert_eq!(rp["relationship"][0]["text"], "長女");
    assert_eq!(
        resources(&bundle, "Practitioner")[0]["name"][1]["text"],
        "サトウ ハナコ"
    );
    assert_eq!(
        resources(&bundle, "Organization")[0]["name"],
        "つばさ訪問看護ステーション"
    );
    // Every reference inside the Bundle resolves to one of its entries.
    let urls: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    let text = bundle.to_string();
    for (i, _) in text.match_indices("\"reference\":\"") {
        let rest = &text[i + 13..];
        let r = &rest[..rest.find('"').unwrap()];
        assert!(urls.contains(&r), "{r} is not in the Bundle");
    }
    // The same record exports the same ids.
    assert_eq!(care_exchange::fhir::export(&rec, at(30))["entry"], bundle["entry"]);
}

/// What a re-export must keep: each resource's content without ids.
fn contents(bundle: &Value, kind: &str) -> Vec<String> {
    let mut v: Vec<String> = resources(bundle, kind)
        .into_iter()
        .map(|r| {
            let mut r = r.clone();
            for k in ["id", "subject", "patient", "for", "authoredOn", "identifier", "owner"] {
                r.as_object_mut().unwrap().remove(k);
            }
            if kind == "Condition" {
                // The receipt code lives on the instruction it came with;
                // imported, the diagnosis keeps its text and ICD-10.
                if let Some(c) = r["code"]["coding"].as_array_mut() {
                    c.retain(|x| x["system"] != "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/masterB-disease");
                }
            }
            r.to_string()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn an_export_read_back_into_a_new_team_exports_the_same() {
    let original = record();
    let bundle = care_exchange::fhir::export(&original, at(20));
    let incoming = care_exchange::fhir::read(&bundle).unwrap();
    assert_eq!(incoming.details.name.as_deref(), Some("山田 太郎"));
    assert_eq!(incoming.details.kana.as_deref(), Some("ヤマダ タロウ"));
    assert_eq!(
        incoming.readings.len(),
        1,
        "the per-sign Observations make one reading again"
    );
    // A new team from the Bundle.
    let n = nurse();
    let patient = Patient {
        name: incoming.details.name.clone().unwrap(),
        ..Default::default()
    };
    let (mut copy, _) = CareRecord::create(TeamId::random(), &n, patient, at(30)).unwrap();
    let plan = care_exchange::fhir::plan(Some(&copy.read().unwrap()), &incoming);
    assert!(plan.differ.is_empty());
    copy.change(&n, at(31), "fhir.import", |tx| care_exchange::fhir::apply(tx, &plan))
        .unwrap();
    let again = care_exchange::fhir::export(&copy.read().unwrap(), at(40));
    for kind in [
        "Observation",
        "MedicationStatement",
        "AllergyIntolerance",
        "RelatedPerson",
        "Task",
    ] {
        assert_eq!(contents(&again, kind), contents(&bundle, kind), "{kind}");
    }
    let mut conditions = contents(&bundle, "Condition");
    conditions.retain(|c| !c.contains("\"coding\":[]"));
    assert_eq!(
        contents(&again, "Condition").len(),
        contents(&bundle, "Condition").len()
    );
    let (p1, p2) = (resources(&bundle, "Patient")[0], resources(&again, "Patient")[0]);
    for field in ["name", "birthDate", "gender", "address", "telecom"] {
        assert_eq!(p1[field], p2[field], "Patient.{field}");
    }
    // Into the same record again: nothing to add, nothing overwritten.
    let plan = care_exchange::fhir::plan(Some(&copy.read().unwrap()), &incoming);
    assert!(plan.is_empty(), "{plan:?}");
    // A Bundle whose birth date differs is shown, not applied.
    let mut other = incoming.clone();
    other.details.born = CalendarDate::new(1940, 1, 1);
    let plan = care_exchange::fhir::plan(Some(&copy.read().unwrap()), &other);
    assert_eq!(
        plan.differ,
        vec![("born".to_string(), "1938-04-02".to_string(), "1940-01-01".to_string())]
    );
    // Not a Bundle: a clear error.
    assert!(matches!(
        care_exchange::fhir::read(&serde_json::json!({"resourceType": "Patient"})),
        Err(care_exchange::fhir::FhirError::NotABundle)
    ));
}
