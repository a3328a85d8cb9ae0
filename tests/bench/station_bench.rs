//! A station of N patients with five years of visits each (default 100):
//! what Today's first start reads, with and without the summaries made as
//! changes arrive, and search as the nurse types (p50 and p95).
//!
//! Run (release): `cargo run --release -p tsunagi-tests --bin station-bench -- [--patients N] [--seeded DIR]`
//! `--seeded DIR` copies a station made before with `seed-profile DIR --patients N`
//! instead of seeding one (seeding 100 takes minutes).

#[path = "station.rs"]
mod station;

use std::path::Path;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let patients: usize = arg("--patients").map(|n| n.parse()).transpose()?.unwrap_or(100);
    let dir = tempfile::tempdir()?;
    let home = dir.path().join("home");
    let started = Instant::now();
    match arg("--seeded") {
        Some(seeded) => copy_dir(Path::new(&seeded), &home)?,
        None => seed(&home, patients)?,
    }
    let teams = Store::open(&home, &key_for(&home)?)?.team_ids()?.len();
    println!(
        "station: {teams} patients, 5 years each ({:.1?} to prepare)",
        started.elapsed()
    );
    let bytes = std::fs::metadata(home.join("tsunagi.db"))?.len();
    println!("profile: {} MB", bytes / 1_000_000);

    // Today's first start before: every summary built at start.
    let before = home.with_file_name("before");
    copy_dir(&home, &before)?;
    let cold = today_reads(&before)?;
    println!("first start, summaries made at start: {cold:.1?}");

    // As changes arrive: the indexer makes each team's summary and search rows.
    let mut store = Store::open(&home, &key_for(&home)?)?;
    let since = Timestamp(now().0 - 7 * 24 * 3600 * 1000);
    let mut per_team = Vec::new();
    for team in store.team_ids()? {
        let t = Instant::now();
        store.summary(team, since)?;
        store.refresh_search(team)?;
        per_team.push(t.elapsed());
    }
    drop(store);
    per_team.sort();
    println!(
        "indexing as a record's changes arrive, per team: p50 {:.1?}, max {:.1?}",
        per_team[per_team.len() / 2],
        per_team[per_team.len() - 1]
    );
    let warm = today_reads(&home)?;
    println!(
        "first start, summaries made as changes arrived: {warm:.1?} ({:.1}x faster)",
        ratio(cold, warm)
    );

    // Search as the nurse types, from a fresh connection.
    let mut store = Store::open(&home, &key_for(&home)?)?;
    // As typed, keystroke by keystroke: a name, a word in notes, a rare word.
    let queries = [
        "す",
        "すず",
        "すずき",
        "ﾀ",
        "ﾀｶ",
        "ﾀｶﾊｼ",
        "浮",
        "浮腫",
        "体位変換",
        "訪問300回目",
        "褥瘡処置",
        "ペニシリン",
        "該当なし",
    ];
    let mut times = Vec::new();
    for round in 0..20 {
        for q in queries {
            let t = Instant::now();
            let hits = store.search(q, now())?;
            let took = t.elapsed();
            if round == 0 {
                println!("  search {q:>10}: {:>3} hits, {took:.1?}", hits.len());
            }
            times.push(took);
        }
    }
    times.sort();
    println!(
        "search over {} queries: p50 {:.1?}, p95 {:.1?}, max {:.1?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1]
    );
    Ok(())
}

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// The key of a profile made here (the tests' fixed key) or by
/// `seed-profile` (locked with its sample passphrase).
fn key_for(home: &Path) -> Result<care_store::StoreKey, Box<dyn std::error::Error>> {
    if !profile_lock::Lock::exists(home) {
        return Ok(tsunagi_tests::test_key());
    }
    let keychain = profile_lock::SecretService::connect().ok();
    let unlocked = profile_lock::Lock::load(home)?.unlock(
        tsunagi_tests::SAMPLE_PASSPHRASE,
        keychain.as_ref().map(|k| k as &dyn profile_lock::Keychain),
        0,
    )?;
    Ok(care_store::StoreKey::from_bytes(unlocked.key.bytes()))
}

/// What Today reads at start: the team list and each team's summary, from
/// a store just opened (as a new process would).
fn today_reads(home: &Path) -> Result<Duration, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let mut store = Store::open(home, &key_for(home)?)?;
    let since = Timestamp(now().0 - 7 * 24 * 3600 * 1000);
    for team in store.teams()? {
        store.summary(team.team, since)?;
    }
    Ok(t.elapsed())
}

fn seed(home: &Path, patients: usize) -> Result<(), Box<dyn std::error::Error>> {
    let start = Timestamp(1_638_316_800_000); // 2021-12-01
    let mut store = Store::init(home, station::seed_member(), start, &tsunagi_tests::test_key())?;
    for p in 0..patients {
        station::seed_patient(&mut store, p, start)?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}
