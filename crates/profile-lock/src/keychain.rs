//! The OS keychain: where the second factor, a 32-byte secret per profile,
//! lives. On Linux it is the Secret Service (GNOME Keyring, KWallet) over
//! D-Bus, through keyring-core's store; there is deliberately no in-memory
//! stand-in: where no keychain answers, the caller offers passphrase-only.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use zeroize::Zeroizing;

use crate::LockError;

/// Items are filed under this service name, one per profile id.
const SERVICE: &str = "jp.tsunagi.app";

/// A keychain that holds one secret per profile.
pub trait Keychain: Send + Sync {
    fn get(&self, profile: &str) -> Result<Option<Zeroizing<Vec<u8>>>, LockError>;
    fn set(&self, profile: &str, secret: &[u8]) -> Result<(), LockError>;
    fn delete(&self, profile: &str) -> Result<(), LockError>;
}

/// The desktop's Secret Service.
pub struct SecretService {
    store: Arc<CredentialStore>,
}

impl SecretService {
    /// Connects to the session's Secret Service, or says why not.
    pub fn connect() -> Result<SecretService, LockError> {
        let store = dbus_secret_service_keyring_store::Store::new().map_err(|e| LockError::Keychain(e.to_string()))?;
        Ok(SecretService { store })
    }

    fn entry(&self, profile: &str) -> Result<Entry, LockError> {
        Entry::new_in_store(&self.store, SERVICE, profile).map_err(|e| LockError::Keychain(e.to_string()))
    }
}

impl Keychain for SecretService {
    fn get(&self, profile: &str) -> Result<Option<Zeroizing<Vec<u8>>>, LockError> {
        match self.entry(profile)?.get_secret() {
            Ok(s) => Ok(Some(Zeroizing::new(s))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(LockError::Keychain(e.to_string())),
        }
    }

    fn set(&self, profile: &str, secret: &[u8]) -> Result<(), LockError> {
        self.entry(profile)?
            .set_secret(secret)
            .map_err(|e| LockError::Keychain(e.to_string()))
    }

    fn delete(&self, profile: &str) -> Result<(), LockError> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(LockError::Keychain(e.to_string())),
        }
    }
}
