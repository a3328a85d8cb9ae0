//! Crash safety, tested: a child process saves notes in a loop and says
//! "saved N" after each save returns; we SIGKILL it at random moments, many
//! times. Every note it said was saved must be there, and the file must open.
//!
//! The child is this same test binary, re-run with `TSUNAGI_CRASH_CHILD` set.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use care_model::*;
use care_store::Store;

mod common;
use common::nurse;

const CHILD_ENV: &str = "TSUNAGI_CRASH_CHILD";
const ROUNDS: usize = 40;

fn now() -> Timestamp {
    Timestamp(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )
}

/// Writes visits until killed.
fn child(home: &str, round: &str) -> ! {
    let mut s = Store::open(home.as_ref(), &common::test_key()).unwrap();
    let team = s.teams().unwrap()[0].team;
    for i in 0.. {
        let text = format!("round {round} visit {i} 本日入浴介助。");
        s.change(team, "visit", now(), |tx| {
            tx.add_vitals(VitalSigns {
                taken_at: now(),
                spo2: Some(96),
                pulse: Some(72),
                ..Default::default()
            })?;
            tx.add_note(NewNote {
                text,
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
        println!("saved {round} {i}");
    }
    unreachable!()
}

/// A small xorshift, seeded from the clock and printed, so a failing run can
/// be repeated with TSUNAGI_CRASH_SEED.
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn sigkill_at_random_moments_never_loses_a_saved_visit() {
    if let (Ok(home), Ok(round)) = (std::env::var(CHILD_ENV), std::env::var("TSUNAGI_CRASH_ROUND")) {
        child(&home, &round);
    }
    let seed = std::env::var("TSUNAGI_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| now().0 as u64 | 1);
    eprintln!("crash test seed {seed} (set TSUNAGI_CRASH_SEED to repeat)");
    let mut rng = Rng(seed);

    let home = tempfile::tempdir().unwrap();
    let mut s = Store::init(home.path(), nurse(), now(), &common::test_key()).unwrap();
    s.create_team(
        Patient {
            name: "山田 太郎".into(),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    drop(s);

    let mut reported = Vec::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sigkill_at_random_moments_never_loses_a_saved_visit",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, home.path())
            .env("TSUNAGI_CRASH_ROUND", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("saved ").map(str::to_string))
                .collect::<Vec<_>>()
        });
        // Kill anywhere from before the store opens to well into the loop.
        std::thread::sleep(Duration::from_millis(5 + rng.next(300)));
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        reported.extend(reader.join().unwrap());
    }
    assert!(
        reported.len() > ROUNDS,
        "the child saved too little to test anything ({} saves)",
        reported.len()
    );

    let mut s = Store::open(home.path(), &common::test_key()).expect("the file opens after every crash");
    s.check().expect("integrity check passes after every crash");
    let team = s.teams().unwrap()[0].team;
    let notes = s.record(team).unwrap().read().unwrap().notes;
    let texts: std::collections::HashSet<String> = notes.values().map(|n| n.current().text.clone()).collect();
    for r in &reported {
        let (round, i) = r.split_once(' ').unwrap();
        let text = format!("round {round} visit {i} 本日入浴介助。");
        assert!(
            texts.contains(&text),
            "visit {r} was reported saved but is gone after SIGKILL (seed {seed})"
        );
    }
    eprintln!(
        "{} saves reported over {ROUNDS} kills, all present; {} notes on disk",
        reported.len(),
        notes.len()
    );
}
