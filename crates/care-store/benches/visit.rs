//! Figures for BENCHMARKS.md, measured on a real SQLite file on this disk:
//!
//! 1. a SQLite commit with WAL + synchronous=FULL: the floor (one fsync);
//! 2. recording one visit durably (vitals + note + 3 task changes, one
//!    change), p50 and p99, and its ratio to the floor;
//! 3. opening a patient record holding 5 years of twice-weekly visits
//!    (520 visits): open the store and load the record, and also read it;
//! 4. that record's size on disk.
//!
//! Run: `cargo bench -p care-store --bench visit` (add `-- --quick` for a
//! short run). Prints a Markdown table.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;

#[path = "../tests/common/mod.rs"]
mod common;
use common::nurse;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A 500-character note made of sentences nurses write (GLOSSARY.md),
/// picked pseudo-randomly per visit so notes differ as real ones do.
fn note_text(i: usize) -> String {
    const S: [&str; 10] = [
        "本日入浴介助。",
        "背部に発赤あり、体位変換の頻度を増やすよう家族に説明。",
        "夜間に呼吸苦の訴えあり。",
        "SpO2 89%。主治医へ電話連絡済み。",
        "食事摂取量は半分程度。",
        "下肢浮腫軽度、前回と変わらず。",
        "服薬カレンダーの残薬を確認、飲み忘れなし。",
        "仙骨部の褥瘡、ポケットなし、滲出液少量。",
        "ご本人より「家で過ごしたい」との発言あり。",
        "次回訪問日を長女と調整した。",
    ];
    let mut x = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut t = format!("訪問{i}回目。体重{}.{}kg。", 50 + i % 5, i % 10);
    while t.chars().count() < 500 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        t.push_str(S[(x % 10) as usize]);
    }
    t.chars().take(500).collect()
}

/// One visit: a full set of vitals, a note, one new task and two ticked.
fn visit(store: &mut Store, team: TeamId, i: usize, at: Timestamp, open: &mut VecDeque<EntryId>) -> Duration {
    let close: Vec<EntryId> = (0..2).filter_map(|_| open.pop_front()).collect();
    let reading = VitalSigns {
        taken_at: at,
        systolic: Some(120 + (i % 30) as u16),
        diastolic: Some(70 + (i % 15) as u16),
        pulse: Some(60 + (i % 30) as u16),
        temperature: Some(36.5),
        spo2: Some(95),
        oxygen: None,
        respiratory_rate: Some(16),
        weight: Some(52.3),
        glucose: Some(110),
        glucose_flag: None,
        pain: Some(2),
        consciousness: Some(Jcs::Alert),
        note: None,
    };
    let text = note_text(i);
    let start = Instant::now();
    let new_task = store
        .change(team, "visit", at, |tx| {
            tx.add_vitals(reading)?;
            tx.add_note(NewNote {
                text,
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })?;
            for id in close {
                tx.set_task_status(id, TaskStatus::Done)?;
            }
            tx.add_task(NewTask {
                title: "服薬確認".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap();
    let elapsed = start.elapsed();
    open.push_back(new_task);
    elapsed
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // On the real disk (not tmpfs): fsync is what we measure.
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).unwrap();
    let day = 86_400_000;
    let t0 = Timestamp(1_637_712_000_000); // 2021-11-24: five years back

    // 1. The floor: one small row committed with WAL + synchronous=FULL.
    let floor = {
        let c = rusqlite::Connection::open(dir.path().join("floor.db")).unwrap();
        c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x BLOB);")
            .unwrap();
        let mut s: Vec<Duration> = (0..if quick { 50 } else { 300 })
            .map(|_| {
                let start = Instant::now();
                c.execute("INSERT INTO t VALUES (zeroblob(1000))", []).unwrap();
                start.elapsed()
            })
            .collect();
        (percentile(&mut s, 0.5), percentile(&mut s, 0.99))
    };

    // 2 + 3. Five years of twice-weekly visits, each recorded durably.
    let visits = if quick { 104 } else { 520 };
    let home = dir.path().join("home");
    let mut store = Store::init(&home, nurse(), t0, &common::test_key()).unwrap();
    let team = store
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                kana: Some("ヤマダ タロウ".into()),
                ..Default::default()
            },
            t0,
        )
        .unwrap();
    let mut open = VecDeque::new();
    for _ in 0..2 {
        let task = NewTask {
            title: "褥瘡処置".into(),
            assignee: None,
            due: None,
            priority: Priority::Normal,
        };
        open.push_back(store.change(team, "task.add", t0, |tx| tx.add_task(task)).unwrap());
    }
    let mut samples: Vec<Duration> = (0..visits)
        .map(|i| {
            visit(
                &mut store,
                team,
                i,
                Timestamp(t0.0 + (i as i64) * day * 7 / 2),
                &mut open,
            )
        })
        .collect();
    let visit_p50 = percentile(&mut samples, 0.5);
    let visit_p99 = percentile(&mut samples, 0.99);
    let saved_record = store.record(team).unwrap().save().len();
    drop(store); // closing folds the WAL into the file
    let size = std::fs::metadata(home.join("tsunagi.db")).unwrap().len();
    let breakdown: (i64, i64, i64, i64) = common::raw(home.join("tsunagi.db"))
        .query_row(
            "SELECT (SELECT coalesce(sum(length(bytes)),0) FROM outbox), (SELECT coalesce(sum(length(bytes)),0) FROM changes),
                    (SELECT coalesce(sum(length(snapshot)),0) FROM teams), (SELECT freelist_count FROM pragma_freelist_count)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();

    let mut open_samples = Vec::new();
    let mut read_samples = Vec::new();
    for _ in 0..if quick { 5 } else { 20 } {
        let start = Instant::now();
        let mut s = Store::open(&home, &common::test_key()).unwrap();
        s.record(team).unwrap();
        open_samples.push(start.elapsed());
        let start = Instant::now();
        let r = s.record(team).unwrap().read().unwrap();
        read_samples.push(start.elapsed());
        assert_eq!(r.notes.len(), visits);
    }
    let open_p50 = percentile(&mut open_samples, 0.5);
    let read_p50 = percentile(&mut read_samples, 0.5);

    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| SQLite commit, WAL + synchronous=FULL (floor), p50 / p99 | {} / {} |",
        ms(floor.0),
        ms(floor.1)
    );
    println!(
        "| record one visit durably (vitals + note + 3 task changes), p50 / p99 over {visits} visits | {} / {} |",
        ms(visit_p50),
        ms(visit_p99)
    );
    println!(
        "| visit p50 / floor p50 | {:.2}x |",
        visit_p50.as_secs_f64() / floor.0.as_secs_f64()
    );
    println!(
        "| open store + load record of {visits} visits, p50 | {} |",
        ms(open_p50)
    );
    println!("| read the whole loaded record (hydrate), p50 | {} |", ms(read_p50));
    println!("| open + read, p50 | {} |", ms(open_p50 + read_p50));
    println!(
        "| the record compacted (automerge save) | {:.1} KB |",
        saved_record as f64 / 1024.0
    );
    println!("| size on disk of the profile | {:.1} KB |", size as f64 / 1024.0);
    println!(
        "| … of which outbox (every change, unsent: no relay yet) / changes since snapshot / snapshot / free pages | {:.1} / {:.1} / {:.1} KB / {} |",
        breakdown.0 as f64 / 1024.0, breakdown.1 as f64 / 1024.0, breakdown.2 as f64 / 1024.0, breakdown.3
    );
}
