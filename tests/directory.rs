//! A region's directory through the real CLI and a real relay: a hospital
//! and a station share it; each keeps its own entry; the hospital's bed
//! figures reach the station with their age, a day-old one marked stale;
//! the station cannot touch the hospital's entry; "who can take this
//! patient" filters by the patient's record.

use tsunagi_tests::{tsunagi, Laptop, Relay};

#[test]
fn a_hospitals_beds_reach_a_station_with_their_age_and_only_the_hospital_edits_them() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let hospital = Laptop::new(dir.path(), "連携 真理", "nurse", "中野総合病院");
    let station = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    hospital.run(&["relay", "set", &relay.url, "--fingerprint", &relay.fingerprint]);
    let region = hospital.run(&["directory", "create", "中野区 在宅医療・介護資源"]);
    let code = hospital.run(&["invite", &region]);
    station.run(&["join", code.lines().last().unwrap()]);

    let h = hospital.json(&[
        "directory",
        "add",
        "--name",
        "中野総合病院",
        "--kind",
        "hospital",
        "--specialty",
        "内科",
        "--accepts",
        "home_oxygen",
        "--accepts",
        "gastrostomy",
        "--phone",
        "03-0000-2000",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    hospital.run(&["directory", "beds", &h[..8], "--kind", "community", "--free", "2"]);
    let two_days_ago = (chrono::Utc::now() - chrono::Duration::hours(49))
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    hospital.run(&[
        "directory",
        "beds",
        &h[..8],
        "--kind",
        "general",
        "--free",
        "5",
        "--as-of",
        &two_days_ago,
    ]);
    hospital.run(&["sync"]);

    station.run(&["sync"]);
    station.run(&[
        "directory",
        "add",
        "--name",
        "つばさ訪問看護ステーション",
        "--kind",
        "station",
        "--home-visits",
        "yes",
    ]);
    let listed = station.json(&["directory", "list"]);
    let entries = listed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let hosp = entries.iter().find(|e| e["name"] == "中野総合病院").unwrap();
    assert_eq!(hosp["keeper"], "連携 真理");
    assert_eq!(hosp["beds"]["community"]["free"], 2);
    assert_eq!(hosp["beds"]["community"]["stale"], false);
    assert!(hosp["beds"]["community"]["age_minutes"].as_i64().unwrap() < 10);
    assert_eq!(hosp["beds"]["general"]["stale"], true, "{hosp}");
    let human = station.run(&["directory", "list"]);
    assert!(human.contains("古い情報"), "{human}");
    // A stale figure is not offered as free.
    let general = station.json(&["directory", "list", "--bed", "general"]);
    assert!(general["entries"].as_array().unwrap().is_empty());

    // The station cannot change the hospital's entry.
    let out = tsunagi(
        &station.home,
        &["directory", "beds", &h[..8], "--kind", "community", "--free", "9"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ほかの組織"));

    // Who can take this patient: one on home oxygen.
    let patient = station.run(&["team", "create", "--patient", "山田 太郎", "--kana", "ヤマダ タロウ"]);
    station.run(&["patient", "edit", &patient, "--diagnosis", "慢性呼吸不全（在宅酸素）"]);
    let found = station.json(&["directory", "list", "--for", &patient]);
    assert_eq!(found["for"]["needs"], serde_json::json!(["home_oxygen"]));
    let names: Vec<_> = found["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(names, vec!["中野総合病院"]);
}
