//! Unlocking the profile from the command line: the passphrase from
//! `TSUNAGI_PASSPHRASE_FILE` (scripts) or a prompt without echo, the
//! keychain secret from the desktop's Secret Service; `passphrase change`
//! and `recover`.

use std::path::Path;

use anyhow::{bail, Context, Result};
use care_store::profile::{self, Opened};
use care_store::{ProfileFile, Store};
use profile_lock::{Keychain, Lock, RecoveryKey, SecretService};
use serde_json::json;
use zeroize::Zeroizing;

use crate::cli::{Cli, RecoverArgs};
use crate::{home, now, print_json};

/// The keychain, if this desktop has one answering.
pub(crate) fn keychain() -> Option<SecretService> {
    match SecretService::connect() {
        Ok(k) => Some(k),
        Err(e) => {
            tracing::info!(error = %e, "no keychain");
            None
        }
    }
}

fn as_dyn(k: &Option<SecretService>) -> Option<&dyn Keychain> {
    k.as_ref().map(|k| k as &dyn Keychain)
}

fn read_file(var: &str) -> Result<Option<Zeroizing<String>>> {
    let Some(path) = std::env::var_os(var) else {
        return Ok(None);
    };
    let text = Zeroizing::new(
        std::fs::read_to_string(&path).with_context(|| format!("{var}: {}", Path::new(&path).display()))?,
    );
    Ok(Some(Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_string())))
}

fn prompt(question: &str) -> Result<Zeroizing<String>> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("パスフレーズが必要です: 端末で実行するか TSUNAGI_PASSPHRASE_FILE を指定してください / a passphrase is needed: run in a terminal or set TSUNAGI_PASSPHRASE_FILE");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(question)?))
}

/// The passphrase of this profile.
pub(crate) fn passphrase() -> Result<Zeroizing<String>> {
    match read_file("TSUNAGI_PASSPHRASE_FILE")? {
        Some(p) => Ok(p),
        None => prompt("パスフレーズ / passphrase: "),
    }
}

/// A new passphrase: from `var`'s file, or typed twice.
fn new_passphrase(var: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = read_file(var)? {
        return Ok(p);
    }
    let first = prompt("新しいパスフレーズ (8 文字以上) / new passphrase (8 characters or more): ")?;
    let again = prompt("もう一度 / again: ")?;
    if first != again {
        bail!("2 回の入力が一致しません / the two entries differ");
    }
    Ok(first)
}

fn show_recovery(cli: &Cli, recovery: &RecoveryKey) {
    if !cli.json {
        eprintln!(
            "回復キー / recovery key: {}\n  一度だけ表示します。印刷するか書き留めて、管理者が保管してください。パスフレーズを忘れたとき、この端末で `tsunagi recover` に使います。\n  Shown once: print it or write it down for the station manager's safe. With it a forgotten passphrase is reset on this laptop (`tsunagi recover`).",
            recovery.display().as_str()
        );
    }
}

/// Opens the profile: unlocks it, or encrypts one from before encryption
/// (asking for a new passphrase) and shows its recovery key.
pub(crate) fn open(cli: &Cli) -> Result<Store> {
    let home = home(cli)?;
    let keychain = keychain();
    let opened = match care_store::profile_file(&home)? {
        ProfileFile::Plaintext => {
            eprintln!("この端末の記録を暗号化します / encrypting this laptop's records at rest");
            let pass = if Lock::exists(&home) {
                passphrase()?
            } else {
                new_passphrase("TSUNAGI_PASSPHRASE_FILE")?
            };
            let (opened, recovery) =
                profile::encrypt(&home, &pass, as_dyn(&keychain), profile_lock::DEFAULT_COST, now())?;
            show_recovery(cli, &recovery);
            opened
        }
        _ => {
            let pass = passphrase()?;
            profile::unlock(&home, &pass, as_dyn(&keychain), now())?
        }
    };
    let Opened { store, .. } = opened;
    Ok(store)
}

/// `tsunagi init`: a new profile, locked; prints the recovery key once.
pub(crate) fn create(cli: &Cli, member: care_model::Member, no_keychain: bool) -> Result<(Store, RecoveryKey)> {
    let home = home(cli)?;
    let keychain = if no_keychain {
        eprintln!("注意: キーチェーンを使わず、パスフレーズだけで守ります（ディスクとパスフレーズがあれば開けます） / warning: passphrase only, without the keychain: the disk plus the passphrase open it");
        None
    } else {
        match SecretService::connect() {
            Ok(k) => Some(k),
            Err(e) => bail!("{e} (--no-keychain でパスフレーズのみ / --no-keychain for passphrase only)"),
        }
    };
    let pass = new_passphrase("TSUNAGI_PASSPHRASE_FILE")?;
    let (opened, recovery) = profile::create(
        &home,
        member,
        &pass,
        as_dyn(&keychain),
        profile_lock::DEFAULT_COST,
        now(),
    )?;
    show_recovery(cli, &recovery);
    Ok((opened.store, recovery))
}

/// `tsunagi passphrase change`: re-seals the key; the database is untouched.
pub(crate) fn change(cli: &Cli) -> Result<()> {
    let home = home(cli)?;
    let keychain = keychain();
    let mut lock = Lock::load(&home)?;
    let old = passphrase()?;
    let new = new_passphrase("TSUNAGI_NEW_PASSPHRASE_FILE")?;
    lock.change_passphrase(&old, &new, as_dyn(&keychain), now().0)?;
    if cli.json {
        print_json(json!({ "changed": true }));
    } else {
        println!("パスフレーズを変更しました / passphrase changed");
    }
    Ok(())
}

/// `tsunagi recover`: a new passphrase with the recovery key.
pub(crate) fn recover(cli: &Cli, a: &RecoverArgs) -> Result<()> {
    let home = home(cli)?;
    let keychain = keychain();
    let mut lock = Lock::load(&home)?;
    let key = match &a.recovery_key_file {
        Some(f) => Zeroizing::new(std::fs::read_to_string(f).with_context(|| f.display().to_string())?),
        None => prompt("回復キー / recovery key: ")?,
    };
    let new = new_passphrase("TSUNAGI_NEW_PASSPHRASE_FILE")?;
    lock.recover(key.trim(), &new, as_dyn(&keychain))?;
    if cli.json {
        print_json(json!({ "recovered": true, "keychain": lock.uses_keychain() }));
    } else {
        println!("新しいパスフレーズを設定しました / the new passphrase is set");
    }
    Ok(())
}
