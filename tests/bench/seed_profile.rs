//! Makes a device profile holding one patient (or `--patients N`: a
//! station of them) with five years of twice-weekly visits (520: full
//! vitals, a 500-character note, a task made and one ticked per visit), for
//! the app's "open a 5-year record" and "cold start" figures.
//!
//! The profile is locked like a real one: passphrase "sample station 1"
//! (or `--passphrase P`), with the desktop's keychain when it answers.
//!
//! Run: `cargo run -p tsunagi-tests --bin seed-profile -- HOME [--patients N] [--passphrase P]`

use care_model::*;

#[path = "station.rs"]
mod station;

use station::seed_patient;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let home = args.get(1).ok_or("usage: seed-profile HOME [--patients N]")?;
    let patients: usize = match args.iter().position(|a| a == "--patients") {
        Some(i) => args.get(i + 1).ok_or("--patients N")?.parse()?,
        None => 1,
    };
    let passphrase = match args.iter().position(|a| a == "--passphrase") {
        Some(i) => args.get(i + 1).ok_or("--passphrase P")?.clone(),
        None => tsunagi_tests::SAMPLE_PASSPHRASE.to_string(),
    };
    let start = Timestamp(1_638_316_800_000); // 2021-12-01
    let keychain = profile_lock::SecretService::connect().ok();
    let (opened, _recovery) = care_store::profile::create(
        std::path::Path::new(&home),
        station::seed_member(),
        &passphrase,
        keychain.as_ref().map(|k| k as &dyn profile_lock::Keychain),
        profile_lock::DEFAULT_COST,
        start,
    )?;
    let mut store = opened.store;
    for p in 0..patients {
        let team = seed_patient(&mut store, p, start)?;
        println!("{team}");
    }
    Ok(())
}
