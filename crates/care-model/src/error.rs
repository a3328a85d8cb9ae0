//! What can go wrong in the care model, as types rather than strings.

use std::fmt;

/// A value a user typed that cannot be a real reading, date or choice.
///
/// The message names the field, the value and what is accepted, Japanese
/// first, so the nurse can correct it at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The field, in English code form (`spo2`, `due`, `bp`).
    pub field: &'static str,
    /// What was given, as typed.
    pub value: String,
    /// What would have been accepted.
    pub accepted: &'static str,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} の値「{}」は受け付けられません（受付範囲: {}） / {} value \"{}\" is not accepted (accepted: {})",
            crate::vocab::field_label_ja(self.field),
            self.value,
            self.accepted,
            self.field,
            self.value,
            self.accepted
        )
    }
}

impl std::error::Error for ValidationError {}

/// Every failure of a care-model operation.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("記録に {kind} {id} が見つかりません / no {kind} {id} in this record")]
    NotFound { kind: &'static str, id: String },
    #[error("ほかの組織の項目は変更できません: {what} / not yours to change: {what}")]
    NotYours { what: &'static str },
    #[error("利用終了した記録は変更できません（管理者が再開できます） / this case is closed and its record is read-only (an admin can reopen it)")]
    Closed,
    #[error("記録のデータを読み取れません / the record's data could not be read: {0}")]
    Corrupt(String),
    // The library errors are boxed: they are large and rare.
    #[error("automerge: {0}")]
    Automerge(Box<automerge::AutomergeError>),
    #[error("記録の形式が想定と違います / record has an unexpected shape: {0}")]
    Hydrate(Box<autosurgeon::HydrateError>),
    #[error("記録を書き込めません / could not write the record: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
}

impl From<automerge::AutomergeError> for ModelError {
    fn from(e: automerge::AutomergeError) -> Self {
        ModelError::Automerge(Box::new(e))
    }
}

impl From<autosurgeon::HydrateError> for ModelError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        ModelError::Hydrate(Box::new(e))
    }
}

impl From<autosurgeon::ReconcileError> for ModelError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        ModelError::Reconcile(Box::new(e))
    }
}
