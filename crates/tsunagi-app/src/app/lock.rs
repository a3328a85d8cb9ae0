//! Unlocking, locking and setting up the profile's lock from the window.
//!
//! The window unlocks once per session. Locking (idle time, the system's
//! lock signal, or the button) is a gate in front of every command: the
//! screens are gone, the forms' drafts stay in the window's memory, the
//! live sync keeps its own connection so urgent items still arrive and are
//! announced (a count, no names). The key leaves memory when the app quits.

use care_store::profile::{self, Opened};
use care_store::ProfileFile;
use profile_lock::{Keychain, Lock};
use serde::Serialize;
use specta::Type;

use super::{now, App};
use crate::error::{AppError, AppResult};
use crate::views::{DeviceView, ProfileInput};

/// Minutes without input before the window locks, unless the profile says otherwise.
pub const LOCK_AFTER_MINUTES: u32 = 5;
const LOCK_AFTER_KEY: &str = "lock_after_minutes";
/// Whether desktop notifications may name the patient and quote the note.
pub const NOTIFY_DETAILS_KEY: &str = "notify_details";

#[derive(Debug, Clone, Serialize, Type)]
pub struct LockView {
    /// `new` (no profile), `plaintext` (made before encryption: set a
    /// passphrase to encrypt it), `locked`, `unlocked`.
    pub state: String,
    /// Whether this desktop's keychain answers.
    pub keychain_available: bool,
    /// Whether this profile's lock uses the keychain (false: passphrase only).
    pub uses_keychain: bool,
    /// Seconds before the next try is accepted (after five wrong ones).
    pub wait_seconds: u32,
    pub failures: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SecuritySettings {
    pub lock_after_minutes: u32,
    pub notify_details: bool,
    pub uses_keychain: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct UnlockedView {
    pub device: DeviceView,
    /// Shown once, after set-up or encryption; never again.
    pub recovery_key: Option<String>,
    pub lock_after_minutes: u32,
}

impl App {
    fn keychain(&self) -> Option<&dyn Keychain> {
        self.keychain.as_ref().map(|k| k as &dyn Keychain)
    }

    /// The keychain for a new lock: refused unless the user chose
    /// passphrase-only, so nobody ends up weaker without having said so.
    fn keychain_for_new(&self, passphrase_only: bool) -> AppResult<Option<&dyn Keychain>> {
        match (self.keychain(), passphrase_only) {
            (_, true) => Ok(None),
            (Some(k), false) => Ok(Some(k)),
            (None, false) => Err(AppError::new(
                "no-keychain",
                "この端末ではキーチェーンが使えません。パスフレーズのみで守る場合は、その旨を選んでください / this desktop has no keychain: choose passphrase-only to go on without it",
            )),
        }
    }

    pub fn lock_state(&self) -> AppResult<LockView> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        let file = care_store::profile_file(&self.home)?;
        let unlocked = self.guard().is_some() && !self.is_locked();
        let (uses_keychain, wait_seconds, failures) = match Lock::load(&self.home) {
            Ok(l) => (l.uses_keychain(), l.wait(now().0) as u32, l.failures()),
            Err(_) => (false, 0, 0),
        };
        let state = match file {
            ProfileFile::None => "new",
            ProfileFile::Plaintext => "plaintext",
            ProfileFile::Encrypted if unlocked => "unlocked",
            ProfileFile::Encrypted => "locked",
        };
        Ok(LockView {
            state: state.into(),
            keychain_available: self.keychain.is_some(),
            uses_keychain,
            wait_seconds,
            failures,
        })
    }

    /// Takes an opened profile as this window's: the key for the other
    /// connections, the live loop started, the audit told.
    fn adopt(&self, opened: Opened, recovery_key: Option<String>) -> AppResult<UnlockedView> {
        let Opened { store, key, failed_at } = opened;
        let device = Self::device_view(&store)?;
        let lock_after_minutes = lock_after(&store);
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(key);
        *self.guard() = Some(store);
        self.locked.store(false, std::sync::atomic::Ordering::SeqCst);
        self.audit_unlock(&failed_at);
        self.start_notices();
        self.apply_default_relay()?;
        self.profile_ready.notify_one();
        Ok(UnlockedView {
            device,
            recovery_key,
            lock_after_minutes,
        })
    }

    pub fn unlock(&self, passphrase: &str) -> AppResult<UnlockedView> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        if self.guard().is_some() {
            // Locked after idle: the same passphrase check, the store stays.
            let mut lock = Lock::load(&self.home)?;
            let unlocked = lock.unlock(passphrase, self.keychain(), now().0)?;
            self.locked.store(false, std::sync::atomic::Ordering::SeqCst);
            self.audit_unlock(&unlocked.failed_at);
            let guard = self.guard();
            let store = guard.as_ref().expect("checked above");
            return Ok(UnlockedView {
                device: Self::device_view(store)?,
                recovery_key: None,
                lock_after_minutes: lock_after(store),
            });
        }
        let opened = profile::unlock(&self.home, passphrase, self.keychain(), now())?;
        self.adopt(opened, None)
    }

    /// Locks the window; every command but unlocking is refused until then.
    pub fn lock(&self) -> AppResult<()> {
        if self.guard().is_some() && !self.is_locked() {
            self.locked.store(true, std::sync::atomic::Ordering::SeqCst);
            self.audit_lock();
            tracing::info!("window locked");
        }
        Ok(())
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn init_profile(
        &self,
        input: ProfileInput,
        passphrase: &str,
        passphrase_only: bool,
    ) -> AppResult<UnlockedView> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        let member = super::member_of(&input)?;
        if self.guard().is_some() {
            return Err(AppError::new(
                "exists",
                "この端末にはプロフィールがあります / this device already has a profile",
            ));
        }
        let keychain = self.keychain_for_new(passphrase_only)?;
        let (opened, recovery) = profile::create(
            &self.home,
            member,
            passphrase,
            keychain,
            profile_lock::DEFAULT_COST,
            now(),
        )?;
        self.adopt(opened, Some(recovery.display().to_string()))
    }

    /// Encrypts a profile made before encryption, under a new passphrase.
    pub fn encrypt_profile(&self, passphrase: &str, passphrase_only: bool) -> AppResult<UnlockedView> {
        let keychain = if Lock::exists(&self.home) {
            self.keychain()
        } else {
            self.keychain_for_new(passphrase_only)?
        };
        let (opened, recovery) = profile::encrypt(&self.home, passphrase, keychain, profile_lock::DEFAULT_COST, now())?;
        self.adopt(opened, Some(recovery.display().to_string()))
    }

    /// A forgotten passphrase, reset with the recovery key; then unlocked.
    pub fn recover(&self, recovery_key: &str, new_passphrase: &str) -> AppResult<UnlockedView> {
        let mut lock = Lock::load(&self.home)?;
        lock.recover(recovery_key, new_passphrase, self.keychain())?;
        self.unlock(new_passphrase)
    }

    pub fn change_passphrase(&self, old: &str, new: &str) -> AppResult<()> {
        self.with(|_| Ok(()))?;
        let mut lock = Lock::load(&self.home)?;
        lock.change_passphrase(old, new, self.keychain(), now().0)?;
        Ok(())
    }

    pub fn set_lock_after(&self, minutes: u32) -> AppResult<()> {
        if !(1..=60).contains(&minutes) {
            return Err(AppError::new(
                "invalid",
                "1〜60 分で指定してください / between 1 and 60 minutes",
            ));
        }
        self.with(|s| Ok(s.set_preference(LOCK_AFTER_KEY, &minutes.to_string())?))
    }

    pub fn security_settings(&self) -> AppResult<SecuritySettings> {
        let uses_keychain = Lock::load(&self.home).map(|l| l.uses_keychain()).unwrap_or(false);
        self.with(|s| {
            Ok(SecuritySettings {
                lock_after_minutes: lock_after(s),
                notify_details: s.preference(NOTIFY_DETAILS_KEY)?.as_deref() == Some("1"),
                uses_keychain,
            })
        })
    }

    pub fn set_notify_details(&self, on: bool) -> AppResult<()> {
        self.with(|s| Ok(s.set_preference(NOTIFY_DETAILS_KEY, if on { "1" } else { "0" })?))
    }
}

fn lock_after(store: &care_store::Store) -> u32 {
    store
        .preference(LOCK_AFTER_KEY)
        .ok()
        .flatten()
        .and_then(|m| m.parse().ok())
        .unwrap_or(LOCK_AFTER_MINUTES)
}
