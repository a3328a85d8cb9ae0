//! The lock against the desktop's real keychain: run under a session bus
//! with gnome-keyring unlocked (scripts/test.sh starts both).

use profile_lock::{Cost, Keychain, Lock, LockError, SecretService};

/// Cheap enough for many unlocks in a test; the real cost is DEFAULT_COST.
const TEST_COST: Cost = Cost {
    m_kib: 1024,
    t: 1,
    p: 1,
};
const T0: i64 = 1_790_000_000_000;

fn keychain() -> SecretService {
    SecretService::connect().expect(
        "these tests need the Secret Service: run them under scripts/test.sh (dbus-run-session + gnome-keyring)",
    )
}

#[test]
fn passphrase_and_keychain_together_open_the_data_key() {
    let dir = tempfile::tempdir().unwrap();
    let k = keychain();
    let (_, key, _) = Lock::create(dir.path(), "correct horse", Some(&k), TEST_COST).unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(lock.uses_keychain());
    let opened = lock.unlock("correct horse", Some(&k), T0).unwrap();
    assert_eq!(opened.key.bytes(), key.bytes());
    // The file alone holds no key: its text never contains the data key.
    let text = std::fs::read_to_string(Lock::path_in(dir.path())).unwrap();
    assert!(!text.contains(&hex::encode(key.bytes())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(Lock::path_in(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn wrong_passphrases_are_counted_and_slowed_after_five() {
    let dir = tempfile::tempdir().unwrap();
    let k = keychain();
    Lock::create(dir.path(), "correct horse", Some(&k), TEST_COST).unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    for i in 1..=5 {
        match lock.unlock("wrong horse", Some(&k), T0 + i) {
            Err(LockError::WrongPassphrase { failures }) => assert_eq!(failures as i64, i),
            other => panic!("try {i}: {:?}", other.err()),
        }
    }
    // The sixth try, right away, is refused without even trying, even with
    // the right passphrase, and the count survives a reload.
    let mut lock = Lock::load(dir.path()).unwrap();
    match lock.unlock("correct horse", Some(&k), T0 + 6) {
        Err(LockError::TooSoon { seconds }) => assert_eq!(seconds, 5),
        other => panic!("{:?}", other.err()),
    }
    let opened = lock.unlock("correct horse", Some(&k), T0 + 5 + 5_000).unwrap();
    assert_eq!(opened.failed_at, vec![T0 + 1, T0 + 2, T0 + 3, T0 + 4, T0 + 5]);
    assert_eq!(Lock::load(dir.path()).unwrap().failures(), 0);
}

#[test]
fn the_passphrase_without_the_keychain_secret_opens_nothing_and_the_recovery_key_resets_it() {
    let dir = tempfile::tempdir().unwrap();
    let k = keychain();
    let (_, key, recovery) = Lock::create(dir.path(), "correct horse", Some(&k), TEST_COST).unwrap();
    let profile =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(Lock::path_in(dir.path())).unwrap())
            .unwrap()["profile"]
            .as_str()
            .unwrap()
            .to_string();
    // The disk moved to another machine: its keychain has no secret.
    k.delete(&profile).unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(matches!(
        lock.unlock("correct horse", Some(&k), T0),
        Err(LockError::KeychainSecretMissing)
    ));
    assert!(matches!(
        lock.recover("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "new passphrase", Some(&k)),
        Err(LockError::WrongRecoveryKey)
    ));
    let reset = lock.recover(&recovery.display(), "new passphrase", Some(&k)).unwrap();
    assert_eq!(reset.bytes(), key.bytes());
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(matches!(
        lock.unlock("correct horse", Some(&k), T0),
        Err(LockError::WrongPassphrase { .. })
    ));
    assert_eq!(
        lock.unlock("new passphrase", Some(&k), T0).unwrap().key.bytes(),
        key.bytes()
    );
}

#[test]
fn a_passphrase_change_reseals_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let k = keychain();
    let (_, key, recovery) = Lock::create(dir.path(), "correct horse", Some(&k), TEST_COST).unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(matches!(
        lock.change_passphrase("correct horse", "short", Some(&k), T0),
        Err(LockError::WeakPassphrase)
    ));
    lock.change_passphrase("correct horse", "battery staple", Some(&k), T0)
        .unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(lock.unlock("correct horse", Some(&k), T0).is_err());
    assert_eq!(
        lock.unlock("battery staple", Some(&k), T0).unwrap().key.bytes(),
        key.bytes()
    );
    // The recovery key still works after a change.
    assert_eq!(
        lock.recover(&recovery.display(), "third passphrase", Some(&k))
            .unwrap()
            .bytes(),
        key.bytes()
    );
}

#[test]
fn passphrase_only_works_without_a_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, _) = Lock::create(dir.path(), "correct horse", None, TEST_COST).unwrap();
    let mut lock = Lock::load(dir.path()).unwrap();
    assert!(!lock.uses_keychain());
    assert_eq!(lock.unlock("correct horse", None, T0).unwrap().key.bytes(), key.bytes());
}

#[test]
fn a_damaged_lock_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(Lock::path_in(dir.path()), b"{ not json").unwrap();
    assert!(matches!(Lock::load(dir.path()), Err(LockError::Damaged { .. })));
}
