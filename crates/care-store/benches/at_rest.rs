//! What encryption at rest and the access log cost (BENCHMARKS.md):
//!
//! 1. unlocking: Argon2id at `profile_lock::DEFAULT_COST`, then opening the store;
//! 2. a durable commit (WAL + synchronous=FULL, a 2 KB row) on an
//!    SQLCipher-encrypted file against the same in clear, p50;
//! 3. reading 5,000 such rows from a fresh connection, encrypted against clear;
//! 4. recording one visit on the encrypted store, p50;
//! 5. the access-log entry written when a record is opened, against the
//!    record open itself (from the store's cache, as the app does).
//!
//! Run: `cargo bench -p care-store --bench at_rest`. Prints a Markdown table.

use std::path::Path;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use rusqlite::Connection;

#[path = "../tests/common/mod.rs"]
mod common;
use common::{note, nurse, test_key};

fn p50(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn conn(path: &Path, encrypted: bool) -> Connection {
    let c = Connection::open(path).unwrap();
    if encrypted {
        c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "07".repeat(32)))
            .unwrap();
    }
    c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    c.execute_batch("PRAGMA synchronous = FULL;").unwrap();
    c
}

/// p50 of a durable 2 KB insert, and the time to read them all back cold.
fn sqlite(dir: &Path, encrypted: bool) -> (Duration, Duration) {
    let path = dir.join(if encrypted { "enc.db" } else { "plain.db" });
    let c = conn(&path, encrypted);
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        .unwrap();
    let blob = vec![0x5a_u8; 2048];
    let mut commits = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        c.execute("INSERT INTO t (b) VALUES (?1)", [&blob]).unwrap();
        commits.push(t.elapsed());
    }
    let tx = c.unchecked_transaction().unwrap();
    for _ in 0..4800 {
        tx.execute("INSERT INTO t (b) VALUES (?1)", [&blob]).unwrap();
    }
    tx.commit().unwrap();
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    drop(c);
    let t = Instant::now();
    let c = conn(&path, encrypted);
    let mut stmt = c.prepare("SELECT b FROM t").unwrap();
    let n: usize = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| b.unwrap().len())
        .sum();
    assert_eq!(n, 5000 * 2048);
    (p50(commits), t.elapsed())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("| figure | value |\n|---|---|");

    // 1. Unlock.
    let home = dir.path().join("locked");
    let (opened, _) = care_store::profile::create(
        &home,
        nurse(),
        "correct horse battery",
        None,
        profile_lock::DEFAULT_COST,
        Timestamp(0),
    )
    .unwrap();
    drop(opened);
    let mut unlocks = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        care_store::profile::unlock(&home, "correct horse battery", None, Timestamp(0)).unwrap();
        unlocks.push(t.elapsed());
    }
    let c = profile_lock::DEFAULT_COST;
    println!(
        "| unlock (Argon2id {} MiB, t={}, then open), p50 of 5 | {} |",
        c.m_kib / 1024,
        c.t,
        ms(p50(unlocks))
    );

    // 2–3. SQLite, encrypted against clear.
    let (commit_plain, read_plain) = sqlite(dir.path(), false);
    let (commit_enc, read_enc) = sqlite(dir.path(), true);
    println!("| durable 2 KB commit, clear, p50 | {} |", ms(commit_plain));
    println!(
        "| durable 2 KB commit, SQLCipher, p50 | {} ({:.2}x) |",
        ms(commit_enc),
        commit_enc.as_secs_f64() / commit_plain.as_secs_f64()
    );
    println!("| read 5,000 × 2 KB cold, clear | {} |", ms(read_plain));
    println!(
        "| read 5,000 × 2 KB cold, SQLCipher | {} ({:.2}x) |",
        ms(read_enc),
        read_enc.as_secs_f64() / read_plain.as_secs_f64()
    );

    // 4–5. The store itself (encrypted).
    let mut s = Store::init(&dir.path().join("store"), nurse(), Timestamp(0), &test_key()).unwrap();
    let team = s
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            Timestamp(1),
        )
        .unwrap();
    let mut saves = Vec::new();
    for i in 0..100 {
        let t = Instant::now();
        s.change(team, "visit", Timestamp(10 + i), |tx| {
            let reading = VitalsForm {
                bp: Some("132/84".into()),
                pulse: Some("78".into()),
                ..Default::default()
            }
            .parse(Timestamp(10 + i))?;
            tx.add_vitals(reading)?;
            tx.add_note(note("本日入浴介助。背部に発赤あり。"))
        })
        .unwrap();
        saves.push(t.elapsed());
    }
    println!(
        "| record a visit (encrypted store, with its audit entry), p50 | {} |",
        ms(p50(saves))
    );
    let (mut opens, mut audits) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let t = Instant::now();
        let _ = s.record(team).unwrap().read().unwrap();
        opens.push(t.elapsed());
        let t = Instant::now();
        s.audit("open", Some(team), None, Timestamp(1000 + i)).unwrap();
        audits.push(t.elapsed());
    }
    let (open, audit) = (p50(opens), p50(audits));
    println!("| open a record (cached, read), p50 | {} |", ms(open));
    println!(
        "| its access-log entry (signed, chained, durable), p50 | {} ({:.2}x the open) |",
        ms(audit),
        audit.as_secs_f64() / open.as_secs_f64()
    );
}
