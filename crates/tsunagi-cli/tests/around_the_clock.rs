//! On call, team settings, the 傷病名 master and the instruction, from the
//! command line.

mod support;

use std::path::Path;

use support::*;

#[test]
fn a_station_sets_its_rota_instruction_and_master_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    // A station's rota with me on call every day.
    let station = json(&home, &["oncall", "station", "つばさ訪問看護ステーション"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        ok(
            &home,
            &[
                "oncall",
                "set",
                &station,
                "--weekday",
                day,
                "--nurse",
                "佐藤 花子",
                "--phone",
                "090-1234-5678",
                "--doctor",
                "在宅医 待機グループ",
                "--doctor-phone",
                "03-9999-0000",
            ],
        );
    }
    ok(&home, &["oncall", "basics", &station, "--phone", "03-5555-0000"]);
    let on_call = json(&home, &["oncall"]);
    assert_eq!(on_call[0]["station"], "つばさ訪問看護ステーション");
    assert_eq!(on_call[0]["phone"], "03-5555-0000");
    assert_eq!(on_call[0]["on_call"]["duty"]["nurse"]["name"], "佐藤 花子");
    assert!(
        on_call[0]["on_call"]["duty"]["nurse"]["member"].is_string(),
        "me, as a member"
    );
    // The station is not a patient.
    let teams = json(&home, &["team", "list"]);
    assert_eq!(
        teams
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"] == "station")
            .count(),
        1
    );
    let err = refused(&home, &["oncall", "set", &team, "--weekday", "mon", "--nurse", "x"]);
    assert!(err.contains("not a station"), "{err}");

    // The team's settings.
    let s = json(
        &home,
        &["settings", &team, "--escalation-minutes", "5", "--read-receipts", "on"],
    );
    assert_eq!(s["escalation_minutes"], 5);
    assert_eq!(s["read_receipts"], true);
    let err = refused(&home, &["settings", &team, "--escalation-minutes", "0"]);
    assert!(err.contains("escalation_minutes"), "{err}");

    // The master, then an instruction coded from it.
    let b = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/byomei/b_sample.txt");
    let loaded = json(&home, &["master", "load", b.to_str().unwrap(), "--version", "20240601"]);
    assert_eq!(loaded["entries"], 13);
    let found = json(&home, &["master", "find", "しんふぜん"]);
    assert_eq!(found[0]["entry"]["code"], "4289014");
    let start = "2026-06-01";
    ok(
        &home,
        &[
            "instruction",
            "add",
            &team,
            "--start",
            start,
            "--end",
            "2026-11-30",
            "--doctor",
            "鈴木 一郎",
            "--clinic",
            "すずき内科クリニック",
            "--phone",
            "03-1234-5678",
            "--diagnosis",
            "慢性心不全=4280012",
            "--diagnosis",
            "くも膜下出血の疑い",
            "--bedridden",
            "A2",
            "--emergency",
            "すずき内科 03-1234-5678",
        ],
    );
    let list = json(&home, &["instruction", "list", &team]);
    let ins = list["instructions"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(ins["diagnoses"][0]["code"]["code"], "4280012");
    assert_eq!(ins["diagnoses"][0]["code"]["icd10"], "I50.0", "taken from the master");
    assert_eq!(ins["diagnoses"][0]["code"]["master"], "20240601");
    let id = list["instructions"].as_object().unwrap().keys().next().unwrap().clone();
    ok(
        &home,
        &[
            "instruction",
            "code",
            &team,
            &id[..8],
            "2",
            "4309001",
            "--modifier",
            "8002",
        ],
    );
    let list = json(&home, &["instruction", "list", &team]);
    let ins = &list["instructions"][&id];
    assert_eq!(ins["diagnoses"][1]["code"]["modifiers"][0], "8002");
    assert_eq!(
        ins["diagnoses"][1]["name"], "くも膜下出血の疑い",
        "the doctor's wording stays"
    );
    // Over six months is refused with the rule.
    let err = refused(
        &home,
        &[
            "instruction",
            "add",
            &team,
            "--start",
            "2026-01-01",
            "--end",
            "2026-07-01",
            "--doctor",
            "鈴木 一郎",
            "--diagnosis",
            "心不全",
            "--emergency",
            "03-1234-5678",
        ],
    );
    assert!(err.contains("6 か月"), "{err}");
    // An urgent note is listed with its stage.
    ok(
        &home,
        &[
            "note",
            "add",
            &team,
            "--urgency",
            "urgent",
            "--text",
            "SpO2 86%、呼吸苦",
        ],
    );
    let urgent = json(&home, &["urgent"]);
    assert_eq!(urgent[0]["stage"], "waiting");
}
