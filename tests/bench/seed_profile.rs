//! Makes a device profile holding one patient (or `--patients N`: a
//! station of them) with five years of twice-weekly visits (520: full
//! vitals, a 500-character note, a task made and one ticked per visit), for
//! the app's "open a 5-year record" and "cold start" figures.
//!
//! Run: `cargo run -p tsunagi-tests --bin seed-profile -- HOME [--patients N]`

use care_model::*;
use care_store::Store;

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
    let start = Timestamp(1_638_316_800_000); // 2021-12-01
    let mut store = Store::init(std::path::Path::new(&home), station::seed_member(), start, &tsunagi_tests::test_key())?;
    for p in 0..patients {
        let team = seed_patient(&mut store, p, start)?;
        println!("{team}");
    }
    Ok(())
}
