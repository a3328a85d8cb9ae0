//! The real `tsunagi` binary, run as a script or an administrator would:
//! what every CLI test file shares.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub const PASSPHRASE: &str = "correct horse battery";

/// The passphrase as a script gives it: in a file beside the profile.
pub fn passphrase_file(home: &Path) -> std::path::PathBuf {
    let file = home.with_extension("passphrase");
    if !file.exists() {
        std::fs::write(&file, PASSPHRASE).unwrap();
    }
    file
}

pub fn tsunagi(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsunagi"))
        .env("TSUNAGI_HOME", home)
        .env("TSUNAGI_PASSPHRASE_FILE", passphrase_file(home))
        .env_remove("TSUNAGI_LOG")
        .args(args)
        .output()
        .expect("the tsunagi binary runs")
}

/// Runs a command that must succeed; returns its stdout.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = tsunagi(home, args);
    assert!(
        out.status.success(),
        "tsunagi {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

pub fn json(home: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(home, &a)).expect("--json prints JSON")
}

/// A command that must fail: exit code 1 and one line on stderr.
pub fn refused(home: &Path, args: &[&str]) -> String {
    let out = tsunagi(home, args);
    assert_eq!(out.status.code(), Some(1), "tsunagi {args:?} should fail");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one-line reason, got: {err}");
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    err
}

pub fn init(home: &Path) {
    ok(
        home,
        &[
            "init",
            "--name",
            "佐藤 花子",
            "--profession",
            "nurse",
            "--org",
            "つばさ訪問看護ステーション",
        ],
    );
}

pub fn team(home: &Path) -> String {
    ok(
        home,
        &[
            "team",
            "create",
            "--patient",
            "山田 太郎",
            "--kana",
            "やまだ たろう",
            "--born",
            "昭和13年4月2日",
        ],
    )
    .trim()
    .to_string()
}
