//! Laptops syncing through a real relay over TLS, driven through the real
//! `tsunagi` command line, as a station would use them.

use serde_json::Value;
use tsunagi_tests::{team_of, tsunagi, Laptop, Relay};

/// A patient's team of three: the visiting nurse, the home doctor and the
/// care manager, each on a laptop of their own.
fn care_team(root: &std::path::Path) -> [Laptop; 3] {
    [
        Laptop::new(root, "佐藤 花子", "nurse", "つばさ訪問看護ステーション"),
        Laptop::new(root, "鈴木 一郎", "doctor", "すずき内科クリニック"),
        Laptop::new(root, "高橋 美咲", "care-manager", "ひまわり居宅介護支援事業所"),
    ]
}

/// The relay's disk replaced by last night's backup (the relay is stopped).
fn restore_backup(backup: &std::path::Path, data: &std::path::Path) {
    std::fs::copy(backup, data.join("relay.db")).unwrap();
    for f in ["relay.db-wal", "relay.db-shm"] {
        let _ = std::fs::remove_file(data.join(f));
    }
}

#[test]
fn three_laptops_edit_offline_and_reconnect_in_any_order_to_identical_records() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let [nurse, doctor, manager] = care_team(dir.path());
    let team = team_of(&relay, &nurse, &[&doctor, &manager]);
    let task = nurse.run(&["task", "add", &team, "--title", "訪問看護指示書の更新依頼"]);
    for l in [&nurse, &doctor, &manager] {
        l.run(&["sync"]);
    }

    // A day offline: nobody syncs.
    nurse.run(&["vitals", "add", &team, "--bp", "132/84", "--spo2", "93"]);
    nurse.run(&[
        "note",
        "add",
        &team,
        "--text",
        "夜間に呼吸苦の訴えあり。SpO2 89%。",
        "--urgency",
        "urgent",
    ]);
    doctor.run(&[
        "note",
        "add",
        &team,
        "--text",
        "酸素2L開始。",
        "--category",
        "instruction",
    ]);
    doctor.run(&["task", "done", &team, &task]);
    manager.run(&["task", "cancel", &team, &task]);
    manager.run(&[
        "contact",
        "add",
        &team,
        "--name",
        "山田 花子",
        "--relation",
        "長女",
        "--phone",
        "090-0000-1234",
        "--key-person",
    ]);

    // They come back in a scrambled order; two rounds reach everyone.
    for l in [&manager, &nurse, &doctor, &manager, &nurse, &doctor] {
        l.run(&["sync"]);
    }
    let r = nurse.record(&team);
    assert_eq!(doctor.record(&team), r, "the doctor's record differs from the nurse's");
    assert_eq!(
        manager.record(&team),
        r,
        "the care manager's record differs from the nurse's"
    );
    let texts: Vec<&str> = r["notes"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n["versions"][0]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"夜間に呼吸苦の訴えあり。SpO2 89%。") && texts.contains(&"酸素2L開始。"),
        "{texts:?}"
    );
    assert_eq!(r["vitals"].as_object().unwrap().len(), 1);
    assert_eq!(r["patient"]["contacts"][0]["name"], "山田 花子");
    for l in [&nurse, &doctor, &manager] {
        assert_eq!(l.pending(&team), 0, "everything acknowledged");
    }
    // The task was closed on two laptops at once: the manager sees both.
    let conflicts: Value = serde_json::from_str(&nurse.run(&["--json", "conflicts", &team])).unwrap();
    let status = conflicts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"][2] == "status")
        .expect("a status conflict");
    let who: Vec<&str> = status["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["member_name"].as_str().unwrap())
        .collect();
    assert!(who.contains(&"鈴木 一郎") && who.contains(&"高橋 美咲"), "{who:?}");
}

#[test]
fn an_entry_made_while_the_relay_is_down_arrives_after_it_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start(&data);
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let team = team_of(&relay, &nurse, &[&doctor]);
    let addr = relay.addr().to_string();
    relay.kill();

    let note = nurse.run(&["note", "add", &team, "--text", "停電中に記録。"]);
    let failed = tsunagi(&nurse.home, &["sync"]);
    assert_eq!(failed.status.code(), Some(1), "sync says it failed");
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(
        err.contains("接続できません") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert_eq!(nurse.pending(&team), 1, "the note waits in the outbox");

    let _relay = Relay::start_on(&data, &addr);
    nurse.run(&["sync"]);
    doctor.run(&["sync"]);
    assert_eq!(
        doctor.record(&team)["notes"][&note]["versions"][0]["text"],
        "停電中に記録。"
    );
    assert_eq!(nurse.pending(&team), 0);
}

/// A change that fails verification is quarantined and the pass goes on:
/// everything not built on it arrives. (Changes that depend on it wait until
/// it can be had intact: re-fetching it from its author is not built yet.)
#[test]
fn a_tampered_envelope_is_quarantined_and_the_rest_still_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start(&data);
    let [nurse, doctor, manager] = care_team(dir.path());
    let team = team_of(&relay, &nurse, &[&doctor, &manager]);
    manager.run(&["sync"]);
    let first = nurse.run(&["note", "add", &team, "--text", "一通目"]);
    let second = nurse.run(&["note", "add", &team, "--text", "二通目"]);
    nurse.run(&["sync"]);
    let managers = manager.run(&["note", "add", &team, "--text", "ケアマネより"]);
    manager.run(&["sync"]);
    let addr = relay.addr().to_string();
    relay.stop();

    // Someone with access to the relay's disk alters the nurse's second note
    // (the envelope just before the care manager's).
    let db = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    let (seq, mut bytes): (i64, Vec<u8>) = db
        .query_row(
            // Changes only (byte 1 is the payload kind): access-log envelopes interleave.
            "SELECT seq, bytes FROM envelopes WHERE substr(bytes, 2, 1) = x'01' ORDER BY seq DESC LIMIT 1 OFFSET 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    bytes[80] ^= 0xff;
    db.execute(
        "UPDATE envelopes SET bytes = ?1 WHERE seq = ?2",
        rusqlite::params![bytes, seq],
    )
    .unwrap();
    drop(db);

    let _relay = Relay::start_on(&data, &addr);
    let report: Value = serde_json::from_str(&doctor.run(&["--json", "sync"])).unwrap();
    assert_eq!(report["teams"][0]["quarantined"], 1, "{report}");
    let r = doctor.record(&team);
    assert!(r["notes"].get(&second).is_none(), "the altered note is not applied");
    assert_eq!(r["notes"][&first]["versions"][0]["text"], "一通目");
    assert_eq!(
        r["notes"][&managers]["versions"][0]["text"], "ケアマネより",
        "another member's later note still arrives"
    );
    let status: Value = serde_json::from_str(&doctor.run(&["--json", "status"])).unwrap();
    assert_eq!(status["teams"][0]["quarantined"], 1);
}

#[test]
fn a_client_killed_mid_push_loses_nothing_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let team = team_of(&relay, &nurse, &[&doctor]);
    let mut notes = Vec::new();
    for i in 0..60 {
        notes.push(nurse.run(&["note", "add", &team, "--text", &format!("記録 {i}")]));
    }
    // Kill `tsunagi sync` at growing delays, so some kills land mid-push.
    // Unlocking (Argon2id) takes about half a second first: the kills land
    // from there on, some mid-push.
    for delay_ms in [450u64, 550, 650, 750, 850, 1000] {
        let mut child = tsunagi_tests::tsunagi_command(&nurse.home)
            .arg("sync")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
    }
    nurse.run(&["sync"]);
    doctor.run(&["sync"]);
    assert_eq!(nurse.pending(&team), 0);
    let r = doctor.record(&team);
    assert_eq!(
        r["notes"].as_object().unwrap().len(),
        notes.len(),
        "each note exactly once"
    );
    for id in &notes {
        assert!(r["notes"].get(id).is_some(), "note {id} lost");
    }
    // The relay holds each envelope once: as many as the nurse made changes.
    let store = tsunagi_tests::unlock(&nurse.home);
    let id = sync_client::Identity::of(&store).unwrap();
    let client = sync_client::RelayClient::new(&relay.url, Some(&relay.fingerprint), Some(&id)).unwrap();
    let page = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.read(&hex_team(&team), 0))
        .unwrap();
    let changes = page
        .envelopes
        .iter()
        .filter(|(_, b)| sync_proto::Header::decode(b).unwrap().kind == sync_proto::PayloadKind::Changes)
        .count();
    assert_eq!(
        changes,
        1 + notes.len(),
        "genesis and one envelope per note, no duplicates"
    );
}

fn hex_team(team: &str) -> [u8; 16] {
    let mut b = [0u8; 16];
    hex::decode_to_slice(team, &mut b).unwrap();
    b
}

#[test]
fn an_edit_appears_on_a_watching_laptop_without_it_asking() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let team = team_of(&relay, &nurse, &[&doctor]);
    let mut watching = doctor.watch();
    // Wait until the subscription is live.
    let mut err = std::io::BufReader::new(watching.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    assert!(line.contains("online"), "{line}");

    let note = nurse.run(&[
        "note",
        "add",
        &team,
        "--text",
        "至急：発熱 38.5℃",
        "--urgency",
        "urgent",
    ]);
    nurse.run(&["sync"]);
    let arrived = doctor.sees_note_soon(&team, &note);
    let _ = watching.kill();
    watching.wait().unwrap();
    assert!(
        arrived,
        "the nurse's urgent note reached the watching doctor's laptop by push"
    );
}

#[test]
fn a_relay_restored_from_an_older_backup_gets_back_what_it_lost() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start(&data);
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let team = team_of(&relay, &nurse, &[&doctor]);
    let before = nurse.run(&["note", "add", &team, "--text", "バックアップ前"]);
    nurse.run(&["sync"]);
    let addr = relay.addr().to_string();
    relay.stop();
    std::fs::copy(data.join("relay.db"), dir.path().join("backup.db")).unwrap();

    // Work goes on and is acknowledged by the relay...
    let relay = Relay::start_on(&data, &addr);
    let after = nurse.run(&[
        "note",
        "add",
        &team,
        "--text",
        "バックアップ後（中継サーバーは一度受け取った）",
    ]);
    nurse.run(&["sync"]);
    assert_eq!(nurse.pending(&team), 0, "acknowledged");
    relay.stop();

    // ...then the relay's disk is replaced by last night's backup.
    restore_backup(&dir.path().join("backup.db"), &data);
    let _relay = Relay::start_on(&data, &addr);
    nurse.run(&["sync"]);
    doctor.run(&["sync"]);
    let r = doctor.record(&team);
    assert_eq!(r["notes"][&before]["versions"][0]["text"], "バックアップ前");
    assert_eq!(
        r["notes"][&after]["versions"][0]["text"], "バックアップ後（中継サーバーは一度受け取った）",
        "the note the restored relay had lost was sent again"
    );
}

#[test]
fn a_restored_relay_gets_back_a_note_whose_authors_laptop_is_gone_from_a_laptop_that_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start(&data);
    let [nurse, doctor, manager] = care_team(dir.path());
    let team = team_of(&relay, &nurse, &[&doctor, &manager]);
    let addr = relay.addr().to_string();
    relay.stop();
    std::fs::copy(data.join("relay.db"), dir.path().join("backup.db")).unwrap();

    let relay = Relay::start_on(&data, &addr);
    let note = nurse.run(&["note", "add", &team, "--text", "夜間の転倒あり。経過観察。"]);
    nurse.run(&["sync"]);
    doctor.run(&["sync"]);
    assert_eq!(
        doctor.record(&team)["notes"][&note]["versions"][0]["text"],
        "夜間の転倒あり。経過観察。"
    );
    relay.stop();
    // The nurse's laptop is lost; the relay's disk is replaced by the backup.
    std::fs::remove_dir_all(&nurse.home).unwrap();
    restore_backup(&dir.path().join("backup.db"), &data);
    let _relay = Relay::start_on(&data, &addr);
    doctor.run(&["sync"]);
    manager.run(&["sync"]);
    assert_eq!(
        manager.record(&team)["notes"][&note]["versions"][0]["text"],
        "夜間の転倒あり。経過観察。",
        "the doctor's laptop gave the nurse's note back to the restored relay"
    );
}

#[test]
fn an_envelope_damaged_at_the_relay_is_repaired_from_a_laptop_that_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start(&data);
    let [nurse, doctor, manager] = care_team(dir.path());
    let team = team_of(&relay, &nurse, &[&doctor, &manager]);
    let fever = nurse.run(&["note", "add", &team, "--text", "夜間に38.2℃の発熱。解熱剤を使用。"]);
    nurse.run(&["sync"]);
    doctor.run(&["sync"]);
    // The relay's copy of that note is damaged on its disk (one byte).
    let addr = relay.addr().to_string();
    relay.stop();
    {
        let db = rusqlite::Connection::open(data.join("relay.db")).unwrap();
        let (seq, mut bytes): (i64, Vec<u8>) = db
            .query_row(
                "SELECT seq, bytes FROM envelopes WHERE substr(bytes, 2, 1) = x'01' ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        db.execute(
            "UPDATE envelopes SET bytes = ?1 WHERE seq = ?2",
            rusqlite::params![bytes, seq],
        )
        .unwrap();
    }
    let _relay = Relay::start_on(&data, &addr);
    // The nurse writes on (a change that builds on the damaged one), then
    // her laptop is lost.
    let morning = nurse.run(&["note", "add", &team, "--text", "翌朝には解熱。"]);
    nurse.run(&["sync"]);
    std::fs::remove_dir_all(&nurse.home).unwrap();

    manager.run(&["sync"]);
    let status = manager.json(&["status"]);
    assert_eq!(status["teams"][0]["quarantined"], 1, "{status}");
    let before = manager.record(&team);
    assert!(before["notes"].get(&fever).is_none());
    assert!(
        before["notes"].get(&morning).is_none(),
        "the next note builds on the damaged one: it waits"
    );
    // The doctor's laptop holds a genuine copy and gives it back; the
    // manager's laptop then takes both notes.
    doctor.run(&["sync"]);
    manager.run(&["sync"]);
    let notes = &manager.record(&team)["notes"];
    assert_eq!(
        notes[&fever]["versions"][0]["text"],
        "夜間に38.2℃の発熱。解熱剤を使用。"
    );
    assert_eq!(notes[&morning]["versions"][0]["text"], "翌朝には解熱。");
    assert_eq!(manager.json(&["status"])["teams"][0]["quarantined"], 0);
}

#[test]
fn a_team_made_while_watching_is_registered_and_its_pushes_arrive_live() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    nurse.run(&["relay", "set", &relay.url, "--fingerprint", &relay.fingerprint]);
    nurse.run(&["team", "create", "--patient", "山田 太郎"]);
    nurse.run(&["sync"]);
    let mut watching = nurse.watch();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // A team the relay does not know yet is left out of a subscription: the
    // loop must register it before subscribing again.
    let team = nurse.run(&["team", "create", "--patient", "佐藤 ハル"]);
    std::thread::sleep(std::time::Duration::from_secs(4));
    let code = nurse.run(&["invite", &team]);
    doctor.run(&["join", code.lines().last().unwrap()]);
    let note = doctor.run(&["note", "add", &team, "--text", "往診しました。"]);
    doctor.run(&["sync"]);
    let arrived = nurse.sees_note_soon(&team, &note);
    let _ = watching.kill();
    watching.wait().unwrap();
    assert!(
        arrived,
        "the doctor's note on the new team was pushed to the watching nurse"
    );
}
