//! Exporting and importing a five-year record as FHIR (issue 13's figures):
//! 650 visits (2.5 a week for five years), each a reading of six signs and
//! a note, 8 medications, 3 contacts. Prints the medians of 5 runs.
//!
//! Run: `cargo bench -p care-exchange --bench fhir` (release).

use std::time::Instant;

use care_model::*;

fn main() {
    let w = care_model::fixtures::nurse();
    let start = 1_637_712_000_000i64; // five years before 2026-11
    let week = 7 * 86_400_000i64;
    let patient = Patient {
        name: "山田 太郎".into(),
        kana: Some("ヤマダ タロウ".into()),
        born: CalendarDate::new(1938, 4, 2),
        diagnoses: vec![Diagnosis {
            name: "慢性心不全".into(),
            code: Some("I50.0".into()),
        }],
        allergies: vec!["ペニシリン".into()],
        ..Default::default()
    };
    let (mut r, _) = CareRecord::create(TeamId::random(), &w, patient, Timestamp(start)).unwrap();
    r.change(&w, Timestamp(start), "setup", |tx| {
        for i in 0..3 {
            tx.add_contact(Contact {
                name: format!("家族 {i}"),
                kana: None,
                relation: "長女".into(),
                phone: format!("090-0000-000{i}"),
                key_person: i == 0,
            })?;
        }
        for i in 0..8 {
            tx.add_medication(MedicationDetails {
                name: format!("薬 {i}"),
                dose: "1錠".into(),
                schedule: "朝食後".into(),
                prescriber: None,
                start: CalendarDate::new(2022, 1, 1),
                stop: None,
            })?;
        }
        Ok(())
    })
    .unwrap();
    for v in 0..650i64 {
        let at = Timestamp(start + v * week * 2 / 5 + 3_600_000);
        r.change(&w, at, "visit", |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some(format!("{}/{}", 120 + v % 20, 70 + v % 10)),
                    pulse: Some("72".into()),
                    temperature: Some("36.6".into()),
                    spo2: Some("96".into()),
                    respiratory_rate: Some("16".into()),
                    weight: Some("52.0".into()),
                    ..Default::default()
                }
                .parse(at)?,
            )?;
            tx.add_note(NewNote {
                text: "訪問。バイタル著変なし。入浴介助、皮膚状態良好。".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
    }
    let record = r.read().unwrap();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut export_ms, mut import_ms) = (Vec::new(), Vec::new());
    let mut size = 0;
    let mut resources = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let bundle = care_exchange::fhir::export(&record, Timestamp(start + 260 * week));
        let text = serde_json::to_vec(&bundle).unwrap();
        export_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        size = text.len();
        resources = bundle["entry"].as_array().unwrap().len();
        let t = Instant::now();
        let json: serde_json::Value = serde_json::from_slice(&text).unwrap();
        let incoming = care_exchange::fhir::read(&json).unwrap();
        let (mut copy, _) = CareRecord::create(
            TeamId::random(),
            &w,
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            Timestamp(start),
        )
        .unwrap();
        let plan = care_exchange::fhir::plan(Some(&copy.read().unwrap()), &incoming);
        copy.change(&w, Timestamp(start + 261 * week), "fhir.import", |tx| {
            care_exchange::fhir::apply(tx, &plan)
        })
        .unwrap();
        import_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("five-year record: 650 readings, 650 notes, 8 medications, 3 contacts");
    println!("FHIR Bundle: {resources} resources, {:.1} MB", size as f64 / 1e6);
    println!("export (record → JSON bytes), median of 5: {:.0} ms", median(export_ms));
    println!(
        "import (JSON bytes → new record, one change), median of 5: {:.0} ms",
        median(import_ms)
    );
}
