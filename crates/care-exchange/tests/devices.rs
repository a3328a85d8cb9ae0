//! Readings from devices' CSV exports: presets find the columns, each row is
//! checked as a typed reading is, rows already in the record are skipped,
//! implausible ones refused with their line and the reason.

use care_exchange::devices::{parse_mapping, read, Outcome};
use care_model::fixtures::nurse;
use care_model::*;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/devices")
            .join(name),
    )
    .unwrap()
}

/// 2026-12-01 09:00 JST.
const NOW: Timestamp = Timestamp(1_796_083_200_000);

#[test]
fn a_blood_pressure_monitors_file_reads_with_its_preset_and_names_each_refused_line() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(
        TeamId::random(),
        &n,
        Patient {
            name: "山田 太郎".into(),
            ..Default::default()
        },
        Timestamp(0),
    )
    .unwrap();
    let rows = read(&sample("bp_sample.csv"), Some("bp"), None, &r.read().unwrap(), NOW).unwrap();
    let outcome = |line: usize| &rows.iter().find(|x| x.line == line).unwrap().outcome;
    assert_eq!(*outcome(2), Outcome::New);
    let first = rows[0].reading.as_ref().unwrap();
    assert_eq!(
        (first.systolic, first.diastolic, first.pulse),
        (Some(128), Some(78), Some(68))
    );
    assert_eq!(first.taken_at.format_ja(), "2026/11/20(金) 07:05");
    match outcome(4) {
        Outcome::Refused { reason } => assert!(reason.contains("bp") && reason.contains("350"), "{reason}"),
        o => panic!("line 4: {o:?}"),
    }
    assert_eq!(*outcome(5), Outcome::New, "a pulse alone is a reading");
    assert!(matches!(outcome(7), Outcome::Refused { reason } if reason.contains("明日")));
    // Imported, then read again: everything is already there.
    let new: Vec<VitalSigns> = rows
        .iter()
        .filter(|x| x.outcome == Outcome::New)
        .filter_map(|x| x.reading.clone())
        .collect();
    assert_eq!(new.len(), 4);
    r.change(&n, NOW, "vitals.import", |tx| {
        for v in &new {
            tx.add_vitals(v.clone())?;
        }
        Ok(())
    })
    .unwrap();
    let again = read(&sample("bp_sample.csv"), Some("bp"), None, &r.read().unwrap(), NOW).unwrap();
    assert_eq!(again.iter().filter(|x| x.outcome == Outcome::AlreadyThere).count(), 4);
    assert_eq!(again.iter().filter(|x| x.outcome == Outcome::New).count(), 0);
}

#[test]
fn a_pulse_oximeters_cp932_file_and_a_mapping_by_hand() {
    let n = nurse();
    let (r, _) = CareRecord::create(
        TeamId::random(),
        &n,
        Patient {
            name: "山田 太郎".into(),
            ..Default::default()
        },
        Timestamp(0),
    )
    .unwrap();
    let rec = r.read().unwrap();
    let rows = read(&sample("spo2_sample.csv"), Some("spo2"), None, &rec, NOW).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].reading.as_ref().unwrap().spo2, Some(91));
    assert_eq!(rows[1].reading.as_ref().unwrap().pulse, Some(88));
    assert!(matches!(&rows[2].outcome, Outcome::Refused { reason } if reason.contains("130")));
    // The same file by hand.
    let m = parse_mapping("日時=time,SpO2=spo2").unwrap();
    let rows = read(&sample("spo2_sample.csv"), None, Some(&m), &rec, NOW).unwrap();
    assert_eq!(rows[0].reading.as_ref().unwrap().spo2, Some(96));
    assert_eq!(rows[0].reading.as_ref().unwrap().pulse, None);
    // Errors that stop the file: unknown preset, a missing column, a bad mapping.
    assert!(read(&sample("spo2_sample.csv"), Some("scale"), None, &rec, NOW).is_err());
    assert!(
        read(&sample("spo2_sample.csv"), Some("glucose"), None, &rec, NOW).is_err(),
        "no glucose column"
    );
    assert!(parse_mapping("日時:time").is_err());
    // A reading from the future is refused.
    let rows = read(
        "日時,SpO2\n2099/01/01 09:00,96\n".as_bytes(),
        Some("spo2"),
        None,
        &rec,
        NOW,
    )
    .unwrap();
    assert!(matches!(&rows[0].outcome, Outcome::Refused { .. }));
}
