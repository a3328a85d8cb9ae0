//! A lost laptop reveals nothing: the profile directory holds no patient
//! data in clear (database, log, anything), a plaintext profile from before
//! encryption is encrypted in place with its entries, and a team erased
//! from the laptop is gone.

use std::path::Path;

use care_model::*;
use care_store::{ProfileFile, Store, StoreError, StoreKey};

mod common;
use common::{note, nurse, test_key};

/// Unusual enough never to occur by chance in ciphertext.
const CANARY: &str = "カナリア-7f3a-canary-not-in-clear";

fn t(n: i64) -> Timestamp {
    Timestamp(1_795_478_400_000 + n * 1000)
}

fn patient(name: &str) -> Patient {
    Patient {
        name: name.into(),
        ..Default::default()
    }
}

/// Every byte of every file under `dir` (database, WAL, shared memory,
/// anything left beside), searched for `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

fn with_canary(home: &Path) -> (Store, TeamId) {
    let mut s = Store::init(home, nurse(), t(0), &test_key()).unwrap();
    let team = s.create_team(patient(&format!("患者 {CANARY}")), t(1)).unwrap();
    for i in 0..20 {
        s.change(team, "note.add", t(2 + i), |tx| {
            tx.add_note(note(&format!("{CANARY} 記録 {i}")))
        })
        .unwrap();
    }
    s.refresh_search(team).unwrap();
    (s, team)
}

#[test]
fn a_stolen_profile_directory_holds_no_patient_data_in_clear() {
    let home = tempfile::tempdir().unwrap();
    let (s, team) = with_canary(home.path());
    // While the app is open (the WAL holds the latest pages) and after it closed.
    assert_eq!(
        files_containing(home.path(), CANARY),
        Vec::<String>::new(),
        "while open"
    );
    drop(s);
    assert_eq!(
        files_containing(home.path(), CANARY),
        Vec::<String>::new(),
        "after closing"
    );
    // Proof that the search could find it: unlocked, the canary is there.
    let mut s = Store::open(home.path(), &test_key()).unwrap();
    let notes = s.record(team).unwrap().read().unwrap().notes;
    assert!(notes.values().any(|n| n.versions[0].text.contains(CANARY)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(home.path()), 0o700, "the profile directory is the user's only");
        assert_eq!(mode(&home.path().join("tsunagi.db")), 0o600);
    }
}

#[test]
fn another_key_opens_nothing_and_the_file_is_left_untouched() {
    let home = tempfile::tempdir().unwrap();
    drop(with_canary(home.path()));
    let before = std::fs::read(home.path().join("tsunagi.db")).unwrap();
    let wrong = StoreKey::from_bytes(&[8; 32]);
    assert!(matches!(
        Store::open(home.path(), &wrong),
        Err(StoreError::WrongKey { .. })
    ));
    assert_eq!(std::fs::read(home.path().join("tsunagi.db")).unwrap(), before);
}

/// A profile as an older Tsunagi wrote it: the same tables, in clear.
fn make_plaintext(home: &Path, key: &StoreKey) {
    let db = home.join("tsunagi.db");
    let plain = home.join("plain.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode([7u8; 32])))
            .unwrap();
        let _ = key;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        conn.execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain');
             PRAGMA plain.user_version = {version}; PRAGMA plain.application_id = {app}; DETACH DATABASE plain;",
            plain.display()
        ))
        .unwrap();
    }
    for side in ["tsunagi.db-wal", "tsunagi.db-shm"] {
        let _ = std::fs::remove_file(home.join(side));
    }
    std::fs::rename(&plain, &db).unwrap();
}

#[test]
fn a_plaintext_profile_is_encrypted_in_place_with_every_entry() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, team) = with_canary(home.path());
    let before = s.record(team).unwrap().read().unwrap();
    drop(s);
    make_plaintext(home.path(), &test_key());
    assert_eq!(care_store::profile_file(home.path()).unwrap(), ProfileFile::Plaintext);
    assert!(
        !files_containing(home.path(), CANARY).is_empty(),
        "the old profile is in clear"
    );
    assert!(matches!(
        Store::open(home.path(), &test_key()),
        Err(StoreError::Plaintext { .. })
    ));

    let new_key = StoreKey::from_bytes(&[9; 32]);
    care_store::encrypt_plaintext(home.path(), &new_key).unwrap();
    assert_eq!(care_store::profile_file(home.path()).unwrap(), ProfileFile::Encrypted);
    assert_eq!(
        files_containing(home.path(), CANARY),
        Vec::<String>::new(),
        "nothing left in clear"
    );
    let names: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("tsunagi.db"))
            && !names
                .iter()
                .any(|n| n.contains("plaintext") || n.contains("encrypting")),
        "{names:?}"
    );
    let mut s = Store::open(home.path(), &new_key).unwrap();
    assert_eq!(s.record(team).unwrap().read().unwrap(), before, "every entry kept");
    // Search rows came along too.
    assert!(!s.search("カナリア", t(100)).unwrap().is_empty());
}

#[test]
fn an_interrupted_encryption_is_put_back_in_one_state() {
    let home = tempfile::tempdir().unwrap();
    let (s, team) = with_canary(home.path());
    drop(s);
    make_plaintext(home.path(), &test_key());
    // Killed between the two renames: only the moved original remains.
    std::fs::copy(
        home.path().join("tsunagi.db"),
        home.path().join("tsunagi.db.encrypting"),
    )
    .unwrap();
    std::fs::rename(home.path().join("tsunagi.db"), home.path().join("tsunagi.db.plaintext")).unwrap();
    assert_eq!(care_store::profile_file(home.path()).unwrap(), ProfileFile::Plaintext);
    assert!(
        !home.path().join("tsunagi.db.encrypting").exists(),
        "an unswapped copy is never trusted"
    );
    let key = StoreKey::from_bytes(&[9; 32]);
    care_store::encrypt_plaintext(home.path(), &key).unwrap();
    let mut s = Store::open(home.path(), &key).unwrap();
    assert_eq!(s.record(team).unwrap().read().unwrap().notes.len(), 20);
}

#[test]
fn a_team_erased_from_the_laptop_is_gone_and_the_rest_stays() {
    let home = tempfile::tempdir().unwrap();
    let (mut s, team) = with_canary(home.path());
    let other = s.create_team(patient("山田 太郎"), t(50)).unwrap();
    // As if the relay had acknowledged everything, then the laptop left.
    for (i, item) in s.outbox(team).unwrap().into_iter().enumerate() {
        s.acknowledge(item.id, i as u64 + 1, t(60)).unwrap();
    }
    s.forget_team(team).unwrap();
    assert!(!s.team_ids().unwrap().contains(&team));
    assert!(s.team_ids().unwrap().contains(&other));
    assert!(s.search("カナリア", t(100)).unwrap().is_empty());
    drop(s);
    let s = Store::open(home.path(), &test_key()).unwrap();
    assert_eq!(s.team_ids().unwrap(), vec![other]);
}
