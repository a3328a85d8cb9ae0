//! Leaving a team and taking a device off it, through the real CLI and a
//! real relay: the relay refuses the removed device at once, the team moves
//! to a key it cannot open, and nothing anyone wrote is lost.

use tsunagi_tests::{team_of, tsunagi, Laptop, Relay};

fn device_of(l: &Laptop) -> String {
    l.json(&["status"])["device"].as_str().unwrap().to_string()
}

fn note_texts(l: &Laptop, team: &str) -> Vec<String> {
    l.record(team)["notes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["versions"][0]["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_removed_laptop_is_refused_and_cannot_read_what_is_written_after() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let station = Laptop::new(dir.path(), "高橋 美咲", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let lost = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let spare = Laptop::new(dir.path(), "伊藤 直子", "nurse", "つばさ訪問看護ステーション");
    let team = team_of(&relay, &station, &[&doctor, &lost, &spare]);
    // An invite handed out before the removal, not used yet.
    let stale_code = station.run(&["invite", &team]).lines().last().unwrap().to_string();
    lost.run(&["note", "add", &team, "--text", "外される前の記録"]);
    lost.run(&["sync"]);
    // Written on the lost laptop and never sent: it must not vanish.
    lost.run(&["note", "add", &team, "--text", "未送信の記録"]);

    let lost_id = device_of(&lost);
    let out = station.run(&["team", "remove", &team, &lost_id[..8]]);
    assert!(out.contains("世代 1"), "{out}");
    let members = station.json(&["team", "members", &team]);
    assert_eq!(members["epoch"], 1);
    assert_eq!(members["devices"].as_array().unwrap().len(), 3);

    station.run(&["note", "add", &team, "--text", "外した後の記録"]);
    station.run(&["sync"]);
    doctor.run(&["sync"]);
    let texts = note_texts(&doctor, &team);
    assert!(
        texts.contains(&"外した後の記録".to_string()),
        "the doctor has the new key: {texts:?}"
    );
    assert!(
        texts.contains(&"外される前の記録".to_string()),
        "what the removed laptop wrote while it belonged stays: {texts:?}"
    );
    assert_eq!(doctor.json(&["team", "members", &team])["epoch"], 1);

    // The removed laptop: the relay refuses it. Holding an unsent entry, it
    // keeps the team and says so; a removed laptop with nothing unsent lets
    // the team go (the signed roster op proves the removal to it).
    let report = lost.json(&["sync"]);
    let why = report["teams"][0]["error"].as_str().unwrap_or_default();
    assert!(why.contains("外されました") && why.contains("1 件"), "{report}");
    assert_eq!(lost.pending(&team), 1);
    assert!(note_texts(&lost, &team).contains(&"未送信の記録".to_string()));
    station.run(&["team", "remove", &team, &device_of(&spare)]);
    let report = spare.json(&["sync"]);
    assert_eq!(report["teams"][0]["removed"], true, "{report}");
    assert!(spare.json(&["team", "list"]).as_array().unwrap().is_empty());

    // Even holding every old key, the envelope written after is unreadable:
    // it is sealed under epoch 1, whose key went only to the others.
    let db = rusqlite::Connection::open(relay.data.join("relay.db")).unwrap();
    let epochs: Vec<u32> = db
        .prepare("SELECT bytes FROM envelopes ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| sync_proto::Envelope::parse(b.unwrap()).unwrap().header().epoch)
        .collect();
    assert_eq!(epochs.last(), Some(&1), "{epochs:?}");
    assert_eq!(station.json(&["team", "members", &team])["epoch"], 2);

    // The invite made before the removal no longer admits anyone.
    let late = Laptop::new(dir.path(), "田中 一郎", "pharmacist", "さくら薬局");
    let refused = tsunagi(&late.home, &["join", &stale_code]);
    assert!(!refused.status.success());
    // A fresh invite hands over every epoch's key: the newcomer reads it all.
    let code = station.run(&["invite", &team]).lines().last().unwrap().to_string();
    let late2 = Laptop::new(dir.path(), "田中 次郎", "pharmacist", "さくら薬局");
    late2.run(&["join", &code]);
    let texts = note_texts(&late2, &team);
    assert!(
        texts.contains(&"外される前の記録".to_string()) && texts.contains(&"外した後の記録".to_string()),
        "{texts:?}"
    );
    assert_eq!(late2.record(&team), doctor.record(&team));
}

#[test]
fn only_an_admin_may_remove_others_and_leaving_keeps_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let station = Laptop::new(dir.path(), "高橋 美咲", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let helper = Laptop::new(dir.path(), "山本 和子", "helper", "あおば訪問介護");
    let team = team_of(&relay, &station, &[&doctor, &helper]);

    // The doctor did not create the team: he may not take the helper off.
    let refused = tsunagi(&doctor.home, &["team", "remove", &team, &device_of(&helper)]);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("管理者"), "{why}");
    // Nor make himself an admin.
    assert!(!tsunagi(&doctor.home, &["team", "admin", &team, &device_of(&doctor)])
        .status
        .success());
    station.run(&["sync"]);
    assert_eq!(
        station.json(&["team", "members", &team])["devices"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // The helper writes while offline, then leaves: the leave sends first.
    helper.run(&["note", "add", &team, "--text", "入浴介助実施"]);
    let _ = relay; // still up
    helper.run(&["team", "leave", &team]);
    assert!(helper.json(&["team", "list"]).as_array().unwrap().is_empty());
    station.run(&["sync"]);
    assert!(note_texts(&station, &team).contains(&"入浴介助実施".to_string()));
    let members = station.json(&["team", "members", &team]);
    assert_eq!(members["devices"].as_array().unwrap().len(), 2);
    assert_eq!(members["epoch"], 1);

    // The creator names the doctor an admin; the doctor's laptop sees it.
    station.run(&["team", "admin", &team, &device_of(&doctor)]);
    doctor.run(&["sync"]);
    let members = doctor.json(&["team", "members", &team]);
    let admins: Vec<bool> = members["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["admin"] == true)
        .collect();
    assert_eq!(admins, vec![true, true], "{members}");

    // A leave with the relay down is refused and the entry stays.
    doctor.run(&["note", "add", &team, "--text", "往診予定変更"]);
    drop(relay);
    let failed = tsunagi(&doctor.home, &["team", "leave", &team]);
    assert!(!failed.status.success());
    assert_eq!(doctor.pending(&team), 1);
    assert!(note_texts(&doctor, &team).contains(&"往診予定変更".to_string()));
}
