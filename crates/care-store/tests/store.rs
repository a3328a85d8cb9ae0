//! The local store as a nurse's laptop meets it: saved means saved, and a
//! damaged or foreign file is reported and left alone.

use std::path::Path;

use care_model::*;
use care_store::{Store, StoreError, COMPACT_AFTER};

mod common;
use common::{note, nurse};

fn patient(name: &str, kana: &str) -> Patient {
    Patient {
        name: name.into(),
        kana: Some(kana.into()),
        ..Default::default()
    }
}

fn t(n: i64) -> Timestamp {
    Timestamp(1_795_478_400_000 + n * 1000)
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_saved_note_is_there_after_reopening() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = s.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    let id = s
        .change(team, "note.add", t(2), |tx| tx.add_note(note("本日入浴介助。")))
        .unwrap();
    drop(s);

    let mut s = Store::open(home.path(), &common::test_key()).unwrap();
    assert_eq!(s.device().profile.name, "佐藤 花子");
    let rec = s.record(team).unwrap().read().unwrap();
    assert_eq!(rec.notes[&id.to_string()].current().text, "本日入浴介助。");
    assert_eq!(s.pending(team).unwrap(), 2, "genesis and the note wait in the outbox");
}

#[test]
fn a_refused_entry_saves_nothing() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = s.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    let err = s
        .change(team, "visit", t(2), |tx| {
            tx.add_note(note("訪問"))?;
            tx.add_vitals(VitalSigns {
                spo2: Some(130),
                ..Default::default()
            })
        })
        .unwrap_err();
    assert!(err.to_string().contains("SpO2"), "{err}");
    assert_eq!(s.pending(team).unwrap(), 1);
    drop(s);
    let mut s = Store::open(home.path(), &common::test_key()).unwrap();
    assert!(s.record(team).unwrap().read().unwrap().notes.is_empty());
}

#[test]
fn teams_are_listed_in_gojuon_order_of_the_reading() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    for (name, kana) in [
        ("渡辺 清", "ワタナベ キヨシ"),
        ("伊藤 ハル", "イトウ ハル"),
        ("佐藤 一", "サトウ ハジメ"),
    ] {
        s.create_team(patient(name, kana), t(1)).unwrap();
    }
    let names: Vec<_> = s.teams().unwrap().into_iter().map(|t| t.patient_name).collect();
    assert_eq!(names, ["伊藤 ハル", "佐藤 一", "渡辺 清"]);
}

#[test]
fn no_profile_and_double_init_are_clear_errors() {
    let home = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(home.path(), &common::test_key()),
        Err(StoreError::NoProfile { .. })
    ));
    Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let err = Store::init(home.path(), nurse(), t(0), &common::test_key())
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::AlreadyInitialised { .. }), "{err}");
}

#[test]
fn a_foreign_file_is_refused_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("tsunagi.db");
    // Another program's SQLite database.
    let other = rusqlite::Connection::open(&path).unwrap(); // in clear, as another program writes
    other
        .execute_batch("CREATE TABLE budget (x); INSERT INTO budget VALUES (1);")
        .unwrap();
    drop(other);
    let before = digest(&path);
    let err = Store::open(home.path(), &common::test_key()).err().unwrap();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert_eq!(digest(&path), before);

    // Not SQLite at all: to the key it reads as another laptop's (or a
    // damaged) encrypted file; either way it is refused and kept.
    std::fs::write(&path, "家計簿メモ\n").unwrap();
    assert!(matches!(
        Store::open(home.path(), &common::test_key()),
        Err(StoreError::NotAStore { .. } | StoreError::WrongKey { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "家計簿メモ\n");
}

#[test]
fn a_damaged_file_gives_a_clear_error_and_is_never_overwritten() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = s.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    for i in 0..40 {
        s.change(team, "note.add", t(2 + i), |tx| {
            tx.add_note(note(&"褥瘡の観察。".repeat(200)))
        })
        .unwrap();
    }
    drop(s);
    let path = home.path().join("tsunagi.db");
    // Fold the log into the main file, then scribble over its middle pages.
    common::raw(&path)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let outcome = Store::open(home.path(), &common::test_key()).and_then(|mut s| s.check());
    let Err(err) = outcome else {
        panic!("damage must be reported")
    };
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("tsunagi.db"),
        "the message names the file: {err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the damaged file is left as it was"
    );
}

#[test]
fn compaction_keeps_every_entry_and_the_whole_outbox() {
    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = s.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    let n = COMPACT_AFTER + 20;
    for i in 0..n {
        s.change(team, "note.add", t(2 + i), |tx| tx.add_note(note(&format!("記録 {i}"))))
            .unwrap();
    }
    let rows: i64 = common::raw(home.path().join("tsunagi.db"))
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert!(
        rows <= COMPACT_AFTER,
        "changes were compacted into a snapshot ({rows} rows left)"
    );
    drop(s);
    let mut s = Store::open(home.path(), &common::test_key()).unwrap();
    assert_eq!(s.record(team).unwrap().read().unwrap().notes.len() as i64, n);
    assert_eq!(
        s.pending(team).unwrap() as i64,
        n + 1,
        "nothing leaves the outbox before a relay acknowledges it"
    );
}

#[test]
fn edits_from_another_process_are_seen_without_reopening() {
    let home = tempfile::tempdir().unwrap();
    let mut a = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = a.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    a.record(team).unwrap();
    let mut b = Store::open(home.path(), &common::test_key()).unwrap();
    b.change(team, "note.add", t(2), |tx| tx.add_note(note("別の画面から")))
        .unwrap();
    a.change(team, "note.add", t(3), |tx| tx.add_note(note("こちらから")))
        .unwrap();
    let notes = a.record(team).unwrap().read().unwrap().notes;
    assert_eq!(
        notes.len(),
        2,
        "a's cached record picked up b's note before writing its own"
    );
    assert_eq!(b.record(team).unwrap().read().unwrap().notes.len(), 2);
}

/// A real full disk: a 2 MiB tmpfs. Needs root (CI and this machine run as
/// root); elsewhere the test says so and does nothing.
#[test]
fn a_full_disk_is_reported_and_loses_nothing_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("SKIPPED a_full_disk_is_reported_and_loses_nothing_saved: mounting a tmpfs needs root");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(mnt);

    let home = mnt.join("home");
    let mut s = Store::init(&home, nurse(), t(0), &common::test_key()).unwrap();
    let team = s.create_team(patient("山田 太郎", "ヤマダ タロウ"), t(1)).unwrap();
    let mut saved = Vec::new();
    let mut failure = None;
    for i in 0..10_000 {
        let text = format!("{i}: {}", "夜間に呼吸苦の訴えあり。".repeat(300));
        match s.change(team, "note.add", t(2 + i), |tx| tx.add_note(note(&text))) {
            Ok(id) => saved.push(id),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let err = failure.expect("a 2 MiB disk fills up");
    assert!(matches!(err, StoreError::DiskFull | StoreError::Io(_)), "{err}");
    assert!(
        err.to_string().contains("保存されていません"),
        "the nurse is told nothing was saved: {err}"
    );
    drop(s);

    let mut s = Store::open(&home, &common::test_key()).unwrap();
    s.check().unwrap();
    let notes = s.record(team).unwrap().read().unwrap().notes;
    for id in &saved {
        assert!(
            notes.contains_key(&id.to_string()),
            "note {id} was reported saved but is gone"
        );
    }
    assert_eq!(notes.len(), saved.len(), "the refused note is not half-saved");
}

#[test]
fn a_store_from_a_newer_version_is_refused_and_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    drop(Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap());
    let path = home.path().join("tsunagi.db");
    common::raw(&path).execute_batch("PRAGMA user_version = 99;").unwrap();
    let before = digest(&path);
    let err = Store::open(home.path(), &common::test_key()).err().unwrap();
    assert!(matches!(err, StoreError::NewerStore { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("update"), "{err}");
    assert_eq!(digest(&path), before);
}

#[test]
fn a_store_of_the_previous_version_is_upgraded_and_keeps_its_entries() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = store.create_team(patient("鈴木 正雄", "スズキ マサオ"), t(1)).unwrap();
    let note_id = store
        .change(team, "visit", t(2), |tx| tx.add_note(note("移行前の記録")))
        .unwrap();
    drop(store);
    let path = home.path().join("tsunagi.db");
    common::raw(&path)
        .execute_batch("DROP TABLE relayed; DROP TABLE summaries; ALTER TABLE quarantine DROP COLUMN repairable; ALTER TABLE roster_ops DROP COLUMN log_len; ALTER TABLE sync_cursors DROP COLUMN chain; ALTER TABLE teams DROP COLUMN roster_ops; ALTER TABLE teams DROP COLUMN roster_head; ALTER TABLE teams DROP COLUMN roster_fork; DROP TABLE snapshot_checks; DROP TABLE search_fts; DROP TABLE search_entries; DROP TABLE search_state; DROP TABLE audit; DROP TABLE audit_checkpoints; ALTER TABLE outbox DROP COLUMN kind; ALTER TABLE teams DROP COLUMN kind; DROP TABLE escalations_told; DROP TABLE disease_master; DROP TABLE blobs; PRAGMA user_version = 2;")
        .unwrap();

    let mut store = Store::open(home.path(), &common::test_key()).unwrap();
    let record = store.record(team).unwrap().read().unwrap();
    assert_eq!(record.notes[&note_id.to_string()].versions[0].text, "移行前の記録");
    assert_eq!(
        store.pending(team).unwrap(),
        2,
        "the new team and the note still wait to go out"
    );
    // The new table is there: envelopes read from a relay are kept.
    let (_, key) = store.latest_team_key(team).unwrap();
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let header = sync_proto::Header {
        kind: sync_proto::PayloadKind::Changes,
        team: *team.as_bytes(),
        epoch: 0,
        sender: [9; 16],
        sender_seq: 1,
    };
    let env = sync_proto::seal(&key, &signer, header, b"sealed").unwrap();
    let cursor = care_store::Cursor {
        server_seq: 5,
        incarnation: Some("i".into()),
        synced_at: None,
        chain: None,
    };
    store
        .apply_remote(team, "https://relay", &[], &[(5, env.clone())], &cursor, t(3))
        .unwrap();
    assert_eq!(store.relayed_since(team, 0).unwrap(), vec![env.bytes().to_vec()]);
    assert!(
        store.relayed_since(team, 5).unwrap().is_empty(),
        "only what came after `kept`"
    );
}

#[test]
fn todays_summary_is_kept_between_opens_and_follows_every_change() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = store.create_team(patient("鈴木 正雄", "スズキ マサオ"), t(1)).unwrap();
    let reading = |at: i64| {
        VitalsForm {
            pulse: Some("72".into()),
            ..Default::default()
        }
        .parse(t(at))
        .unwrap()
    };
    for day in [2, 10, 20] {
        store
            .change(team, "visit", t(day), |tx| tx.add_vitals(reading(day)))
            .unwrap();
    }
    let fresh = store.record(team).unwrap().read_summary(t(15)).unwrap();
    assert_eq!(store.summary(team, t(15)).unwrap(), fresh);
    drop(store);

    // Reopened: the kept summary, cut to a later `since`, is what a fresh
    // read gives.
    let mut store = Store::open(home.path(), &common::test_key()).unwrap();
    let kept = store.summary(team, t(18)).unwrap();
    assert_eq!(kept, store.record(team).unwrap().read_summary(t(18)).unwrap());
    assert_eq!(kept.vitals.len(), 1, "only the reading from day 20");
    // A new change makes it stale.
    store
        .change(team, "visit", t(21), |tx| tx.add_vitals(reading(21)))
        .unwrap();
    let after = store.summary(team, t(18)).unwrap();
    assert_eq!(after.vitals.len(), 2, "the new reading is in Today's summary");
    assert_eq!(after, store.record(team).unwrap().read_summary(t(18)).unwrap());
}

#[test]
fn search_finds_patients_by_any_kana_and_notes_tasks_medications_and_follows_edits() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::init(home.path(), nurse(), t(0), &common::test_key()).unwrap();
    let team = store
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                kana: Some("ヤマダ タロウ".into()),
                ..Default::default()
            },
            t(1),
        )
        .unwrap();
    let other = store
        .create_team(
            Patient {
                name: "鈴木 花".into(),
                ..Default::default()
            },
            t(1),
        )
        .unwrap();
    store
        .change(team, "visit", t(2), |tx| {
            tx.add_note(NewNote {
                text: "仙骨部に褥瘡あり、ＤＥＳＩＧＮ－Ｒで評価。".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })?;
            tx.add_task(NewTask {
                title: "エアマットの手配".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })?;
            tx.add_medication(MedicationDetails {
                name: "フロセミド錠20mg".into(),
                dose: "1回1錠".into(),
                schedule: "朝食後".into(),
                prescriber: None,
                start: None,
                stop: None,
            })
        })
        .unwrap();
    for q in ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ タ", "山田"] {
        let hits = store.search(q, t(10)).unwrap();
        assert_eq!(hits.len(), 1, "{q}: {hits:?}");
        assert_eq!((hits[0].kind.as_str(), hits[0].team), ("patient", team));
    }
    let hits = store.search("褥瘡", t(10)).unwrap();
    assert_eq!((hits[0].kind.as_str(), hits[0].patient.as_str()), ("note", "山田 太郎"));
    assert_eq!(
        store.search("design-r", t(10)).unwrap().len(),
        1,
        "full-width letters fold"
    );
    assert_eq!(store.search("えあまっと", t(10)).unwrap()[0].kind, "task");
    assert_eq!(store.search("フロセミド", t(10)).unwrap()[0].kind, "medication");
    assert!(
        store.search("%", t(10)).unwrap().is_empty(),
        "a typed % is text, not a pattern"
    );
    assert!(store.search("  ", t(10)).unwrap().is_empty());
    assert!(
        store.search("a\"b OR c", t(10)).unwrap().is_empty(),
        "quotes and OR are text too"
    );
    // Three characters or more go through the trigram index, everything;
    // one or two look at names, open tasks, medications and recent notes.
    let later = t(10 + 91 * 24 * 3600);
    assert_eq!(store.search("褥瘡あり", later).unwrap()[0].kind, "note");
    assert_eq!(store.search("褥", t(10)).unwrap()[0].kind, "note");
    assert!(
        store.search("褥", later).unwrap().is_empty(),
        "a 91-day-old note, two characters"
    );
    assert_eq!(store.search("やま", later).unwrap()[0].kind, "patient");
    // An edit is found at once; the other team is untouched.
    store
        .change(other, "patient.edit", t(3), |tx| {
            tx.update_patient(|p| p.kana = Some("スズキ ハナ".into()))
        })
        .unwrap();
    assert_eq!(store.search("すずき", t(10)).unwrap()[0].team, other);
}
