//! The one error type every command returns: a stable code for the front end
//! to branch on, and the message in both languages (the libraries' messages
//! are already written "日本語 / English").

use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message_en}")]
pub struct AppError {
    /// `no-profile`, `invalid`, `disk-full`, `damaged`, `relay`, `not-found`, `other`.
    pub code: String,
    /// The field a validation error is about (`spo2`, `bp`, ...).
    pub field: Option<String>,
    pub message_ja: String,
    pub message_en: String,
}

impl AppError {
    pub fn new(code: &str, message: impl std::fmt::Display) -> Self {
        let text = message.to_string();
        let (ja, en) = match text.split_once(" / ") {
            Some((ja, en)) => (ja.to_string(), en.to_string()),
            None => (text.clone(), text),
        };
        AppError {
            code: code.into(),
            field: None,
            message_ja: ja,
            message_en: en,
        }
    }
}

impl From<care_model::ModelError> for AppError {
    fn from(e: care_model::ModelError) -> Self {
        match &e {
            care_model::ModelError::Invalid(v) => AppError {
                field: Some(v.field.to_string()),
                ..AppError::new("invalid", &e)
            },
            care_model::ModelError::NotFound { .. } => AppError::new("not-found", e),
            care_model::ModelError::Closed => AppError::new("closed", e),
            _ => AppError::new("damaged", e),
        }
    }
}

impl From<care_model::ValidationError> for AppError {
    fn from(e: care_model::ValidationError) -> Self {
        care_model::ModelError::Invalid(e).into()
    }
}

impl From<care_sheets::SheetError> for AppError {
    fn from(e: care_sheets::SheetError) -> Self {
        match e {
            care_sheets::SheetError::Input(_) => AppError::new("invalid", e),
            _ => AppError::new("other", e),
        }
    }
}

impl From<care_store::StoreError> for AppError {
    fn from(e: care_store::StoreError) -> Self {
        use care_store::StoreError as E;
        match e {
            E::Model(m) => m.into(),
            E::Lock(l) => l.into(),
            E::Plaintext { .. } => AppError::new("plaintext", e),
            E::WrongKey { .. } => AppError::new("damaged", e),
            E::NoProfile { .. } => AppError::new("no-profile", e),
            E::DiskFull => AppError::new("disk-full", e),
            E::Io(_) => AppError::new("io", e),
            E::NotAStore { .. } | E::NewerStore { .. } | E::Corrupt { .. } => AppError::new("damaged", e),
            E::UnknownTeam(_) | E::UnknownEntry(_) | E::NotYetReceived(_) => AppError::new("not-found", e),
            E::BadInput(_) => AppError::new("invalid", e),
            _ => AppError::new("other", e),
        }
    }
}

impl From<profile_lock::LockError> for AppError {
    fn from(e: profile_lock::LockError) -> Self {
        use profile_lock::LockError as E;
        let code = match &e {
            E::WrongPassphrase { .. } => "wrong-passphrase",
            E::TooSoon { .. } => "too-soon",
            E::WrongRecoveryKey | E::BadRecoveryKey => "wrong-recovery-key",
            E::WeakPassphrase => "invalid",
            E::KeychainSecretMissing => "keychain-secret-missing",
            E::Keychain(_) => "no-keychain",
            _ => "damaged",
        };
        AppError::new(code, e)
    }
}

impl From<sync_client::SyncError> for AppError {
    fn from(e: sync_client::SyncError) -> Self {
        AppError::new("relay", e)
    }
}

impl From<sync_proto::InviteError> for AppError {
    fn from(e: sync_proto::InviteError) -> Self {
        AppError::new("invalid-code", e)
    }
}

pub type AppResult<T> = Result<T, AppError>;
