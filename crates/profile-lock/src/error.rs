//! What can go wrong unlocking a profile, each with what to do about it.

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("パスフレーズが違います ({failures} 回続けて失敗) / wrong passphrase ({failures} failed in a row)")]
    WrongPassphrase { failures: u32 },
    #[error("失敗が続いたため、{seconds} 秒待ってからもう一度入力してください / too many failed tries: wait {seconds} s, then try again")]
    TooSoon { seconds: u64 },
    #[error("回復キーが違います / wrong recovery key")]
    WrongRecoveryKey,
    #[error("回復キーの形式が違います（英数字 32 文字、4 文字ずつ区切り） / a recovery key is 32 letters and digits in groups of 4")]
    BadRecoveryKey,
    #[error("パスフレーズは 8 文字以上にしてください / the passphrase needs at least 8 characters")]
    WeakPassphrase,
    #[error("この端末のキーチェーンにプロフィールの鍵がありません。回復キーでパスフレーズを設定し直してください (`tsunagi recover`) / this laptop's keychain no longer holds the profile's secret: reset the passphrase with the recovery key (`tsunagi recover`)")]
    KeychainSecretMissing,
    #[error("キーチェーンが応答しません ({0})。ログインし直すか、パスフレーズのみで使う設定にしてください / the keychain does not answer ({0}): log in again, or choose passphrase-only")]
    Keychain(String),
    #[error("{path} の鍵ファイルが壊れています ({detail})。回復キーでも開けない場合は管理者に連絡してください / the key file {path} is damaged ({detail})")]
    Damaged { path: std::path::PathBuf, detail: String },
    #[error("この端末には既に鍵があります / this profile already has a lock")]
    Exists,
    #[error("鍵ファイルを書けませんでした / could not write the key file: {0}")]
    Io(String),
}
