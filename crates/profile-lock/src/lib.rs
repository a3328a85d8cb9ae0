//! # profile-lock
//!
//! The lock on a device profile. The profile's database is encrypted
//! (SQLCipher) with a random 32-byte **data key** that is never stored in
//! clear. `lock.json`, beside the database, holds it twice, sealed
//! (XChaCha20-Poly1305):
//! - under a key derived with Argon2id from the **passphrase**, with a
//!   32-byte **secret from the OS keychain** as Argon2's secret input: the
//!   passphrase alone, or the disk alone, opens nothing;
//! - under a key derived from the **recovery key** shown once at set-up (for
//!   the station manager's safe): it resets a forgotten passphrase.
//!
//! A passphrase change re-seals the data key; the database is not touched.
//! Where no keychain answers, a profile can be passphrase-only
//! (`keychain: false` in the file), which the app states as weaker.
//!
//! Failed tries are counted in the file: from the fifth in a row, each next
//! try waits longer ([`delay_after`]). Their times are handed to the caller at
//! the next unlock, for the audit log.

mod error;
mod keychain;
mod recovery;

use std::io::Write;
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use error::LockError;
pub use keychain::{Keychain, SecretService};
pub use recovery::RecoveryKey;

pub const FILE_NAME: &str = "lock.json";

/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 8;

/// Failed tries allowed in a row before each next one waits.
pub const FREE_TRIES: u32 = 5;

/// Argon2id cost, chosen for about half a second on a two-core laptop
/// (BENCHMARKS.md): 256 MiB, 3 passes, one lane.
pub const DEFAULT_COST: Cost = Cost {
    m_kib: 256 * 1024,
    t: 3,
    p: 1,
};

/// Bound into every seal, so a wrap cannot be moved to another purpose.
const AAD_PASSPHRASE: &[u8] = b"tsunagi data key v1 / passphrase";
const AAD_RECOVERY: &[u8] = b"tsunagi data key v1 / recovery";

/// Argon2id parameters, kept in the file so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

/// The database's key. Zeroed when dropped.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    fn random() -> DataKey {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(k.as_mut());
        DataKey(k)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// How long the next try must wait after `failures` wrong ones in a row:
/// nothing for the first [`FREE_TRIES`], then 5 s, doubling, at most 15 min.
pub fn delay_after(failures: u32) -> u64 {
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = (failures - FREE_TRIES).min(8);
    (5u64 << doublings).min(15 * 60)
}

pub fn check_passphrase(passphrase: &str) -> Result<(), LockError> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(LockError::WeakPassphrase);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LockFile {
    version: u32,
    /// Names this profile's keychain item.
    profile: String,
    /// Whether the passphrase wrap also needs the keychain secret.
    keychain: bool,
    cost: Cost,
    salt: String,
    sealed: String,
    recovery_salt: String,
    recovery_sealed: String,
    #[serde(default)]
    failures: u32,
    /// Times (ms) of failed tries since the last unlock, for the audit log.
    #[serde(default)]
    failed_at: Vec<i64>,
}

/// What a successful unlock hands over.
pub struct Unlocked {
    pub key: DataKey,
    /// Failed tries (ms since the epoch) since the last unlock.
    pub failed_at: Vec<i64>,
}

/// A profile's `lock.json`, loaded.
pub struct Lock {
    path: PathBuf,
    file: LockFile,
}

impl Lock {
    pub fn path_in(home: &Path) -> PathBuf {
        home.join(FILE_NAME)
    }

    pub fn exists(home: &Path) -> bool {
        Self::path_in(home).exists()
    }

    /// Makes a new data key and its lock, written to `home/lock.json`
    /// (0600). With a keychain, a new secret is stored there first.
    /// Returns the lock, the key and the recovery key to show once.
    pub fn create(
        home: &Path,
        passphrase: &str,
        keychain: Option<&dyn Keychain>,
        cost: Cost,
    ) -> Result<(Lock, DataKey, RecoveryKey), LockError> {
        check_passphrase(passphrase)?;
        let path = Self::path_in(home);
        if path.exists() {
            return Err(LockError::Exists);
        }
        let key = DataKey::random();
        let (lock, recovery) = Self::seal_new(path, &key, passphrase, keychain, cost)?;
        Ok((lock, key, recovery))
    }

    /// Seals `key` under a new passphrase, a new keychain secret and a new
    /// recovery key, and writes the file.
    fn seal_new(
        path: PathBuf,
        key: &DataKey,
        passphrase: &str,
        keychain: Option<&dyn Keychain>,
        cost: Cost,
    ) -> Result<(Lock, RecoveryKey), LockError> {
        let profile = uuid::Uuid::new_v4().to_string();
        let secret = match keychain {
            Some(k) => {
                let mut s = Zeroizing::new(vec![0u8; 32]);
                OsRng.fill_bytes(&mut s);
                k.set(&profile, &s)?;
                Some(s)
            }
            None => None,
        };
        let salt = random_salt();
        let kek = derive(
            passphrase.as_bytes(),
            &salt,
            secret.as_ref().map(|s| s.as_slice()),
            cost,
        )?;
        let recovery = RecoveryKey::random();
        let recovery_salt = random_salt();
        let rkek = derive(recovery.bytes(), &recovery_salt, None, cost)?;
        let file = LockFile {
            version: 1,
            profile,
            keychain: keychain.is_some(),
            cost,
            salt: hex::encode(salt),
            sealed: seal(&kek, key, AAD_PASSPHRASE),
            recovery_salt: hex::encode(recovery_salt),
            recovery_sealed: seal(&rkek, key, AAD_RECOVERY),
            failures: 0,
            failed_at: Vec::new(),
        };
        let lock = Lock { path, file };
        lock.save()?;
        Ok((lock, recovery))
    }

    pub fn load(home: &Path) -> Result<Lock, LockError> {
        let path = Self::path_in(home);
        let text = std::fs::read_to_string(&path).map_err(|e| LockError::Io(format!("{}: {e}", path.display())))?;
        let file: LockFile = serde_json::from_str(&text).map_err(|e| LockError::Damaged {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        if file.version != 1 {
            return Err(LockError::Damaged {
                path,
                detail: format!("version {}", file.version),
            });
        }
        Ok(Lock { path, file })
    }

    pub fn uses_keychain(&self) -> bool {
        self.file.keychain
    }

    pub fn failures(&self) -> u32 {
        self.file.failures
    }

    /// Seconds before the next try is accepted, given the last failure.
    pub fn wait(&self, now_ms: i64) -> u64 {
        let Some(last) = self.file.failed_at.last() else {
            return 0;
        };
        let until = last + (delay_after(self.file.failures) as i64) * 1000;
        ((until - now_ms).max(0) as u64).div_ceil(1000)
    }

    /// Opens the data key with the passphrase (and the keychain secret).
    /// A wrong passphrase is counted; after [`FREE_TRIES`] in a row the
    /// next try must wait [`delay_after`].
    pub fn unlock(
        &mut self,
        passphrase: &str,
        keychain: Option<&dyn Keychain>,
        now_ms: i64,
    ) -> Result<Unlocked, LockError> {
        let wait = self.wait(now_ms);
        if wait > 0 {
            return Err(LockError::TooSoon { seconds: wait });
        }
        let secret = self.secret(keychain)?;
        let kek = derive(
            passphrase.as_bytes(),
            &self.salt()?,
            secret.as_ref().map(|s| s.as_slice()),
            self.file.cost,
        )?;
        match open(&kek, &self.file.sealed, AAD_PASSPHRASE) {
            Some(key) => {
                let failed_at = std::mem::take(&mut self.file.failed_at);
                if self.file.failures > 0 || !failed_at.is_empty() {
                    self.file.failures = 0;
                    self.save()?;
                }
                Ok(Unlocked { key, failed_at })
            }
            None => {
                self.file.failures += 1;
                self.file.failed_at.push(now_ms);
                // Bounded: a file that keeps growing under attack helps nobody.
                if self.file.failed_at.len() > 100 {
                    self.file.failed_at.remove(0);
                }
                self.save()?;
                tracing::warn!(failures = self.file.failures, "wrong passphrase");
                Err(LockError::WrongPassphrase {
                    failures: self.file.failures,
                })
            }
        }
    }

    /// Re-seals the data key under a new passphrase (and a new salt). The
    /// database is not re-encrypted; the recovery key stays valid.
    pub fn change_passphrase(
        &mut self,
        old: &str,
        new: &str,
        keychain: Option<&dyn Keychain>,
        now_ms: i64,
    ) -> Result<(), LockError> {
        check_passphrase(new)?;
        let Unlocked { key, .. } = self.unlock(old, keychain, now_ms)?;
        let secret = self.secret(keychain)?;
        self.reseal(&key, new, secret.as_ref().map(|s| s.as_slice()))
    }

    fn reseal(&mut self, key: &DataKey, passphrase: &str, secret: Option<&[u8]>) -> Result<(), LockError> {
        let salt = random_salt();
        let kek = derive(passphrase.as_bytes(), &salt, secret, self.file.cost)?;
        self.file.salt = hex::encode(salt);
        self.file.sealed = seal(&kek, key, AAD_PASSPHRASE);
        self.file.failures = 0;
        self.save()
    }

    /// Sets a new passphrase with the recovery key. A keychain secret that
    /// went missing is made anew; a profile whose keychain is gone for good
    /// becomes passphrase-only when `keychain` is `None`.
    pub fn recover(
        &mut self,
        recovery: &str,
        new_passphrase: &str,
        keychain: Option<&dyn Keychain>,
    ) -> Result<DataKey, LockError> {
        check_passphrase(new_passphrase)?;
        let recovery = RecoveryKey::parse(recovery)?;
        let salt = unhex(&self.file.recovery_salt, &self.path)?;
        let rkek = derive(recovery.bytes(), &salt, None, self.file.cost)?;
        let key = open(&rkek, &self.file.recovery_sealed, AAD_RECOVERY).ok_or(LockError::WrongRecoveryKey)?;
        let secret = match keychain {
            Some(k) => match k.get(&self.file.profile)? {
                Some(s) => Some(s),
                None => {
                    let mut s = Zeroizing::new(vec![0u8; 32]);
                    OsRng.fill_bytes(&mut s);
                    k.set(&self.file.profile, &s)?;
                    Some(s)
                }
            },
            None => None,
        };
        self.file.keychain = secret.is_some();
        self.file.failed_at.clear();
        self.reseal(&key, new_passphrase, secret.as_ref().map(|s| s.as_slice()))?;
        tracing::info!("passphrase reset with the recovery key");
        Ok(key)
    }

    /// A new recovery key for the same data key (the old one stops working).
    pub fn new_recovery_key(&mut self, key: &DataKey) -> Result<RecoveryKey, LockError> {
        let recovery = RecoveryKey::random();
        let salt = random_salt();
        let rkek = derive(recovery.bytes(), &salt, None, self.file.cost)?;
        self.file.recovery_salt = hex::encode(salt);
        self.file.recovery_sealed = seal(&rkek, key, AAD_RECOVERY);
        self.save()?;
        Ok(recovery)
    }

    fn secret(&self, keychain: Option<&dyn Keychain>) -> Result<Option<Zeroizing<Vec<u8>>>, LockError> {
        if !self.file.keychain {
            return Ok(None);
        }
        let k = keychain.ok_or_else(|| LockError::Keychain("no keychain on this desktop".into()))?;
        k.get(&self.file.profile)?
            .map(Some)
            .ok_or(LockError::KeychainSecretMissing)
    }

    fn salt(&self) -> Result<Vec<u8>, LockError> {
        unhex(&self.file.salt, &self.path)
    }

    /// Written beside, synced, then renamed over: a crash leaves the old
    /// file or the new one, never half of one. Readable by the user only.
    fn save(&self) -> Result<(), LockError> {
        let io = |e: std::io::Error| LockError::Io(format!("{}: {e}", self.path.display()));
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(&self.file).expect("the lock file always serialises");
        {
            let mut f = open_private(&tmp).map_err(io)?;
            f.write_all(&text).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

fn random_salt() -> [u8; 16] {
    let mut s = [0u8; 16];
    OsRng.fill_bytes(&mut s);
    s
}

fn unhex(s: &str, path: &Path) -> Result<Vec<u8>, LockError> {
    hex::decode(s).map_err(|e| LockError::Damaged {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

fn derive(
    secret_input: &[u8],
    salt: &[u8],
    keychain_secret: Option<&[u8]>,
    cost: Cost,
) -> Result<Zeroizing<[u8; 32]>, LockError> {
    let params =
        Params::new(cost.m_kib, cost.t, cost.p, Some(32)).map_err(|e| LockError::Io(format!("argon2: {e}")))?;
    let argon = match keychain_secret {
        Some(s) => Argon2::new_with_secret(s, Algorithm::Argon2id, Version::V0x13, params)
            .map_err(|e| LockError::Io(format!("argon2: {e}")))?,
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
    };
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(secret_input, salt, out.as_mut())
        .map_err(|e| LockError::Io(format!("argon2: {e}")))?;
    Ok(out)
}

fn seal(kek: &[u8; 32], key: &DataKey, aad: &[u8]) -> String {
    let cipher = XChaCha20Poly1305::new(kek.into());
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.bytes(), aad })
        .expect("sealing 32 bytes cannot fail");
    let mut out = nonce.to_vec();
    out.extend(ct);
    hex::encode(out)
}

fn open(kek: &[u8; 32], sealed: &str, aad: &[u8]) -> Option<DataKey> {
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new(kek.into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()?,
    );
    let key: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(DataKey(Zeroizing::new(key)))
}
