//! Issue 12 end to end, with the real CLI, relay and keychain: the access
//! log reaches the station's admin and tampering with it is named; a
//! plaintext profile survives being killed in the middle of its encryption.

use std::path::Path;

use tsunagi_tests::*;

fn device_of(l: &Laptop) -> String {
    l.json(&["status"])["device"].as_str().unwrap().to_string()
}

#[test]
fn the_admin_sees_who_opened_a_patient_and_a_tampered_log_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let doctor = Laptop::new(dir.path(), "鈴木 一郎", "doctor", "すずき内科クリニック");
    let team = team_of(&relay, &nurse, &[&doctor]);
    nurse.run(&["note", "add", &team, "--text", "訪問。著変なし。"]);
    nurse.run(&["show", &team]);
    doctor.run(&["sync"]);
    doctor.run(&["note", "add", &team, "--text", "往診。"]);
    doctor.run(&["show", &team]);
    doctor.run(&["sync"]);
    nurse.run(&["sync"]);

    // The creator (an admin) sees the doctor's look at the record.
    let log = nurse.json(&["audit", &team]);
    let rows = log.as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["member_name"] == "鈴木 一郎" && r["action"] == "open" && r["team"] == team.as_str()),
        "{log:#}"
    );
    assert!(rows
        .iter()
        .any(|r| r["member_name"] == "佐藤 花子" && r["action"] == "change"));
    // Never clinical content: the note's text is not in the log.
    assert!(!log.to_string().contains("著変なし"));
    let ok = nurse.json(&["audit", "verify"]);
    assert_eq!(ok["ok"], true, "{ok:#}");

    let me = device_of(&nurse);
    let cases = [
        ("edited", "UPDATE audit SET entry = replace(entry, '\"open\"', '\"lock\"') WHERE device = ?1 AND action = 'open'", "signature"),
        ("deleted", "DELETE FROM audit WHERE device = ?1 AND scope <> '' AND seq = 1", "expected entry 1"),
        (
            "truncated",
            "DELETE FROM audit WHERE device = ?1 AND scope <> '' AND seq = (SELECT max(seq) FROM audit WHERE device = ?1 AND scope <> ''); DELETE FROM audit_checkpoints;",
            "countersigned",
        ),
    ];
    for (name, sql, says) in cases {
        let copy = dir.path().join(name);
        copy_dir(&nurse.home, &copy);
        let conn = raw_db(&copy);
        for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            if stmt.contains("?1") {
                conn.execute(stmt, [&me]).unwrap();
            } else {
                conn.execute(stmt, []).unwrap();
            }
        }
        drop(conn);
        let out = tsunagi(&copy, &["audit", "verify"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: tampering must be found: {err}");
        assert!(err.contains(says), "{name}: {err}");
    }
}

/// A profile as Tsunagi wrote it before encryption: the same tables in clear.
fn decrypt_to_plaintext(home: &Path) {
    let conn = raw_db(home);
    let plain = home.join("plain.db");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain');
         PRAGMA plain.user_version = {version}; PRAGMA plain.application_id = {app}; DETACH DATABASE plain;",
        plain.display()
    ))
    .unwrap();
    drop(conn);
    for f in ["tsunagi.db-wal", "tsunagi.db-shm", "lock.json"] {
        let _ = std::fs::remove_file(home.join(f));
    }
    std::fs::rename(&plain, home.join("tsunagi.db")).unwrap();
}

#[test]
fn a_plaintext_profile_killed_mid_encryption_keeps_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let nurse = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let team = nurse.run(&["team", "create", "--patient", "山田 太郎"]);
    let mut notes = Vec::new();
    for i in 0..30 {
        notes.push(nurse.run(&["note", "add", &team, "--text", &format!("移行前の記録 {i}")]));
    }
    decrypt_to_plaintext(&nurse.home);
    // Killed at growing delays: before, during and after the lock is made,
    // the copy written, the swap and the wipe.
    for delay_ms in [100u64, 400, 700, 900, 1100, 1300, 1500, 1800] {
        let mut child = tsunagi_command(&nurse.home)
            .args(["show", &team])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        assert!(
            nurse.home.join("tsunagi.db").exists() || nurse.home.join("tsunagi.db.plaintext").exists(),
            "after a kill at {delay_ms} ms the profile is still there"
        );
    }
    let record = nurse.record(&team);
    for id in &notes {
        assert!(record["notes"].get(id).is_some(), "note {id} survived");
    }
    let names: Vec<String> = std::fs::read_dir(&nurse.home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("plaintext") || n.contains("encrypting")),
        "{names:?}"
    );
    let header = std::fs::read(nurse.home.join("tsunagi.db")).unwrap();
    assert_ne!(&header[..16], b"SQLite format 3\0", "encrypted now");
}

#[test]
fn a_wrong_passphrase_opens_nothing_and_the_recovery_key_sets_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("nurse");
    let made = tsunagi_command(&home)
        .args([
            "--json",
            "init",
            "--name",
            "佐藤 花子",
            "--profession",
            "nurse",
            "--org",
            "つばさ",
        ])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let made: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    let recovery = made["recovery_key"].as_str().unwrap().to_string();
    let team = ok(&home, &["team", "create", "--patient", "山田 太郎"])
        .trim()
        .to_string();

    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase").unwrap();
    let out = tsunagi_command(&home)
        .env("TSUNAGI_PASSPHRASE_FILE", &wrong)
        .args(["show", &team])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
    assert!(out.stdout.is_empty(), "nothing of the record");

    // Forgotten: the recovery key sets a new passphrase on this laptop.
    let key_file = dir.path().join("recovery");
    std::fs::write(&key_file, &recovery).unwrap();
    let new_pass = dir.path().join("new");
    std::fs::write(&new_pass, "a brand new passphrase").unwrap();
    let out = tsunagi_command(&home)
        .env("TSUNAGI_NEW_PASSPHRASE_FILE", &new_pass)
        .args(["recover", "--recovery-key-file"])
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = tsunagi_command(&home)
        .env("TSUNAGI_PASSPHRASE_FILE", &new_pass)
        .args(["show", &team])
        .output()
        .unwrap();
    assert!(shown.status.success());
    assert!(String::from_utf8_lossy(&shown.stdout).contains("山田 太郎"));

    // A change of passphrase re-seals the key; the database is not rewritten.
    let before = std::fs::metadata(home.join("tsunagi.db")).unwrap().modified().unwrap();
    let newer = dir.path().join("newer");
    std::fs::write(&newer, "the third passphrase").unwrap();
    let out = tsunagi_command(&home)
        .env("TSUNAGI_PASSPHRASE_FILE", &new_pass)
        .env("TSUNAGI_NEW_PASSPHRASE_FILE", &newer)
        .args(["passphrase", "change"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::metadata(home.join("tsunagi.db")).unwrap().modified().unwrap(),
        before
    );
}
