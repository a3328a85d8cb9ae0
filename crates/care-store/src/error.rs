//! What can go wrong with the local store, each with what to do about it.

use std::path::PathBuf;

use care_model::ModelError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{home} に端末プロフィールがありません。先に `tsunagi init` を実行してください / no device profile in {home}: run `tsunagi init` first")]
    NoProfile { home: PathBuf },
    #[error("{home} には既に端末プロフィールがあります / {home} already holds a device profile")]
    AlreadyInitialised { home: PathBuf },
    #[error("{path} は Tsunagi のデータではありません（別のアプリのファイルか、壊れています）。ファイルはそのまま残しています / {path} is not a Tsunagi store (another program's file, or damaged); it was left untouched")]
    NotAStore { path: PathBuf },
    #[error("{path} はまだ暗号化されていません。パスフレーズを決めると、この端末で暗号化します / {path} is not encrypted yet: set a passphrase to encrypt it on this laptop")]
    Plaintext { path: PathBuf },
    #[error("{path} をこの端末の鍵で読めません（壊れているか、別の端末のファイルです）。ファイルはそのまま残しています / {path} cannot be read with this profile's key (damaged, or another laptop's file); it was left untouched")]
    WrongKey { path: PathBuf },
    #[error("{path} は新しい版の Tsunagi で作られています (store schema {found} > {supported})。アプリを更新してください / {path} was written by a newer Tsunagi; update this one")]
    NewerStore { path: PathBuf, found: i64, supported: i64 },
    #[error("{path} が壊れています ({detail})。ファイルはそのまま残しています。バックアップから戻すか、管理者に連絡してください / {path} is damaged ({detail}); it was left untouched: restore a backup or contact your administrator")]
    Corrupt { path: PathBuf, detail: String },
    #[error("ディスクの空きがないため保存できませんでした。空きを作ってからもう一度保存してください（入力は保存されていません） / the disk is full: nothing was saved; free some space and save again")]
    DiskFull,
    #[error("ディスクに書き込めませんでした。もう一度保存してください（入力は保存されていません） / the disk could not be written ({0}): nothing was saved; try again")]
    Io(String),
    #[error("チーム「{0}」が見つかりません。`tsunagi team list` で確認してください / no team matches \"{0}\"; see `tsunagi team list`")]
    UnknownTeam(String),
    #[error("「{0}」に当てはまるものが複数あります。もう少し長く入力してください / \"{0}\" matches more than one; type more of it")]
    Ambiguous(String),
    #[error("ファイルを読み込めません: {0}")]
    BadInput(String),
    #[error("「{0}」が見つかりません / nothing matches \"{0}\"")]
    UnknownEntry(String),
    #[error("チーム {0} の記録はまだ届いていません。`tsunagi sync` を実行してください / the record of team {0} has not arrived yet: run `tsunagi sync`")]
    NotYetReceived(String),
    #[error("まだ中継サーバーに届いていない記録が {0} 件あります。同期してからもう一度操作してください / {0} entries have not reached the relay yet: sync, then try again")]
    UnsentEntries(u64),
    #[error("この端末には既にチームがあります。ほかの端末の2台目にするのは、新しいプロフィールだけです / this laptop already holds teams: only a new profile can become another laptop of a member")]
    NotEmpty,
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Lock(#[from] profile_lock::LockError),
    #[error("データベース / database: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull) => StoreError::DiskFull,
            Some(C::SystemIoFailure) => StoreError::Io(e.to_string()),
            // The caller knows the path; see `Store::path_error`.
            Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => StoreError::Corrupt {
                path: PathBuf::new(),
                detail: e.to_string(),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// Fills in the file a corruption was found in.
    pub(crate) fn at(self, file: &std::path::Path) -> Self {
        match self {
            StoreError::Corrupt { path, detail } if path.as_os_str().is_empty() => StoreError::Corrupt {
                path: file.to_path_buf(),
                detail,
            },
            other => other,
        }
    }
}
