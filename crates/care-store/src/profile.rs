//! Opening a device profile: its lock (profile-lock) and its encrypted
//! store together, as the app and the CLI both do it.
//!
//! - [`create`]: a new profile: data key, lock, encrypted store; returns the
//!   recovery key to show once.
//! - [`unlock`]: the passphrase (and the keychain secret) open the key, the
//!   key opens the store.
//! - [`encrypt`]: a profile from before encryption gets a lock and is
//!   encrypted in place (see [`crate::encrypt_plaintext`]); also resumes one
//!   interrupted after its lock was written.

use std::path::Path;

use care_model::{Member, Timestamp};
use profile_lock::{Cost, Keychain, Lock, RecoveryKey};

use crate::{ProfileFile, Store, StoreError, StoreKey};

fn store_key(key: &profile_lock::DataKey) -> StoreKey {
    StoreKey::from_bytes(key.bytes())
}

/// A profile just opened.
pub struct Opened {
    pub store: Store,
    /// The key, for the other connections of the same process.
    pub key: StoreKey,
    /// Failed unlock tries since the last unlock (ms), for the audit log.
    pub failed_at: Vec<i64>,
}

pub fn create(
    home: &Path,
    member: Member,
    passphrase: &str,
    keychain: Option<&dyn Keychain>,
    cost: Cost,
    now: Timestamp,
) -> Result<(Opened, RecoveryKey), StoreError> {
    if home.join(crate::schema::FILE_NAME).exists() {
        return Err(StoreError::AlreadyInitialised {
            home: home.to_path_buf(),
        });
    }
    std::fs::create_dir_all(home).map_err(|e| StoreError::Io(format!("{}: {e}", home.display())))?;
    crate::private::restrict_dir(home)?;
    // A lock left by an init that died before its store was made is stale.
    if Lock::exists(home) {
        std::fs::remove_file(Lock::path_in(home)).map_err(|e| StoreError::Io(e.to_string()))?;
    }
    let (_, key, recovery) = Lock::create(home, passphrase, keychain, cost)?;
    let key = store_key(&key);
    let store = Store::init(home, member, now, &key)?;
    Ok((
        Opened {
            store,
            key,
            failed_at: Vec::new(),
        },
        recovery,
    ))
}

pub fn unlock(
    home: &Path,
    passphrase: &str,
    keychain: Option<&dyn Keychain>,
    now: Timestamp,
) -> Result<Opened, StoreError> {
    match crate::profile_file(home)? {
        ProfileFile::None => {
            return Err(StoreError::NoProfile {
                home: home.to_path_buf(),
            })
        }
        ProfileFile::Plaintext => {
            return Err(StoreError::Plaintext {
                path: home.join(crate::schema::FILE_NAME),
            })
        }
        ProfileFile::Encrypted => {}
    }
    let mut lock = Lock::load(home)?;
    let unlocked = lock.unlock(passphrase, keychain, now.0)?;
    let key = store_key(&unlocked.key);
    let store = Store::open(home, &key)?;
    Ok(Opened {
        store,
        key,
        failed_at: unlocked.failed_at,
    })
}

/// Encrypts a plaintext profile under a new lock (or the lock of a run that
/// was interrupted, opened with the same passphrase). The recovery key is
/// always made anew here: an interrupted run may never have shown its own.
pub fn encrypt(
    home: &Path,
    passphrase: &str,
    keychain: Option<&dyn Keychain>,
    cost: Cost,
    now: Timestamp,
) -> Result<(Opened, RecoveryKey), StoreError> {
    if crate::profile_file(home)? != ProfileFile::Plaintext {
        return Err(StoreError::NotAStore {
            path: home.join(crate::schema::FILE_NAME),
        });
    }
    let (_lock, key, recovery) = if Lock::exists(home) {
        let mut lock = Lock::load(home)?;
        let key = lock.unlock(passphrase, keychain, now.0)?.key;
        let recovery = lock.new_recovery_key(&key)?;
        (lock, key, recovery)
    } else {
        let (lock, key, recovery) = Lock::create(home, passphrase, keychain, cost)?;
        (lock, key, recovery)
    };
    let store_key = store_key(&key);
    crate::encrypt_plaintext(home, &store_key)?;
    let store = Store::open(home, &store_key)?;
    Ok((
        Opened {
            store,
            key: store_key,
            failed_at: Vec::new(),
        },
        recovery,
    ))
}
