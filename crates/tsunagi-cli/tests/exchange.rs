//! Handing the record over (FHIR, CSV, automerge) and taking a Bundle in,
//! from the command line.

mod support;

use serde_json::Value;
use support::*;

#[test]
fn a_record_is_exported_as_fhir_and_the_export_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    ok(&home, &["vitals", "add", &team, "--bp", "132/84", "--spo2", "96"]);
    let file = dir.path().join("bundle.json");
    ok(&home, &["export", &team, "--fhir", "-o", file.to_str().unwrap()]);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    let kinds: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"Patient") && kinds.contains(&"Observation"),
        "{kinds:?}"
    );
    // Standard output too, and the access log says who exported it.
    let out: Value = serde_json::from_str(&ok(&home, &["export", &team, "--fhir"])).unwrap();
    assert_eq!(out["entry"], bundle["entry"]);
    let log = json(&home, &["audit", &team]);
    assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "export"), "{log}");
    // Read back: a preview only, then a new team with --yes; into the same
    // team again, nothing to add.
    let preview = ok(&home, &["import", "--fhir", file.to_str().unwrap()]);
    assert!(preview.contains("バイタル"), "{preview}");
    assert_eq!(
        json(&home, &["team", "list"]).as_array().unwrap().len(),
        1,
        "a preview adds nothing"
    );
    let copy = json(&home, &["import", "--fhir", file.to_str().unwrap(), "--yes"])["team"]
        .as_str()
        .unwrap()
        .to_string();
    let record = json(&home, &["show", &copy]);
    assert_eq!(record["patient"]["name"], "山田 太郎");
    assert_eq!(record["vitals"].as_object().unwrap().len(), 1);
    let plan = json(&home, &["import", &copy, "--fhir", file.to_str().unwrap()]);
    assert!(plan["differ"].as_array().unwrap().is_empty());
    assert!(
        plan["incoming"]["readings"].as_array().unwrap().is_empty(),
        "the reading is already there"
    );
    let err = refused(&home, &["import", "--fhir", "/nonexistent.json"]);
    assert!(err.contains("cannot read"), "{err}");
    // CSV for Excel, and the automerge document itself.
    let csv = tsunagi(&home, &["export", &team, "--csv"]).stdout;
    assert_eq!(&csv[..3], b"\xef\xbb\xbf");
    assert!(String::from_utf8_lossy(&csv).contains("バイタル"));
    let doc = dir.path().join("record.automerge");
    ok(&home, &["export", &team, "--automerge", "-o", doc.to_str().unwrap()]);
    assert!(care_model::CareRecord::load(&std::fs::read(&doc).unwrap()).is_ok());
    // No format: a usage error (exit 2) that names the choices.
    let out = tsunagi(&home, &["export", &team]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fhir"));
}

#[test]
fn a_devices_csv_is_previewed_line_by_line_and_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/devices/bp_sample.csv");
    let file = file.to_str().unwrap();
    let preview = ok(&home, &["vitals", "import", &team, file, "--preset", "bp"]);
    assert!(preview.contains("4行目") && preview.contains("350"), "{preview}");
    assert!(preview.contains("明日"), "{preview}");
    let rows = json(&home, &["vitals", "import", &team, file, "--preset", "bp"]);
    assert_eq!(
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["outcome"]["kind"] == "new")
            .count(),
        4
    );
    assert_eq!(
        json(&home, &["show", &team])["vitals"].as_object().unwrap().len(),
        0,
        "a preview adds nothing"
    );
    let done = json(&home, &["vitals", "import", &team, file, "--preset", "bp", "--yes"]);
    assert_eq!(done["imported"], 4);
    assert_eq!(json(&home, &["show", &team])["vitals"].as_object().unwrap().len(), 4);
    // Again: all already there.
    let again = json(&home, &["vitals", "import", &team, file, "--preset", "bp"]);
    assert_eq!(
        again
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["outcome"]["kind"] == "already-there")
            .count(),
        4
    );
    let err = refused(&home, &["vitals", "import", &team, file, "--preset", "scale"]);
    assert!(err.contains("no preset"), "{err}");
}
