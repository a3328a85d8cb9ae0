//! Attached files as the record shows them: what each is, and its
//! thumbnail when this laptop has it (fetched with every sync).

use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: u32,
    /// `note`, `wound` or `profile`.
    pub to: String,
    pub entry: Option<String>,
    pub assessment: Option<String>,
    pub caption: Option<String>,
    pub by: String,
    pub at: i64,
    /// `data:image/jpeg;base64,…` once the thumbnail is on this laptop.
    pub thumb: Option<String>,
    /// The file has a thumbnail (a photo) that has not arrived yet.
    pub thumb_coming: bool,
    /// The full file is on this laptop (else it is fetched when opened).
    pub here: bool,
}

/// A whole file, opened.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OpenedFile {
    pub name: String,
    pub mime: String,
    /// `data:<mime>;base64,…`
    pub data_url: String,
}
