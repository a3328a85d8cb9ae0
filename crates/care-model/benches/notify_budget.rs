//! The notification budget (issue 14, USERS.md need 4): a simulated week of
//! a 100-patient station, every note put through `care_model::notify`, the
//! policy the app applies to what arrives. Prints, per nurse and day, how
//! many desktop notifications she would get and why.
//!
//! Traffic (stated, deterministic): 8 nurses, every nurse on every team (a
//! station works that way); each patient visited 2.5 times a week on
//! average, each visit one routine note; doctors, care managers and
//! pharmacists add 1 routine note per patient per week; 6 % of routine notes
//! address a named nurse (@佐藤); 2 urgent notes a day across the station;
//! each nurse has muted 3 patients she does not visit. Notifications the app
//! would group (one per sync pass) are counted one per note here: the
//! figure is an upper bound.
//!
//! Run: `cargo bench -p care-model --bench notify_budget`.

use std::collections::BTreeMap;

use care_model::notify::{note_reason, Reason};
use care_model::*;

const NURSES: [&str; 8] = [
    "佐藤 花子",
    "鈴木 美咲",
    "高橋 陽子",
    "田中 恵",
    "伊藤 彩",
    "渡辺 真理",
    "山本 由美",
    "中村 直子",
];
const PATIENTS: usize = 100;
const DAYS: usize = 7;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn note(author: MemberId, text: String, urgency: Urgency, at: i64) -> Note {
    Note {
        author,
        profession: Profession::Nurse,
        organisation: "つばさ訪問看護ステーション".into(),
        written_at: Timestamp(at),
        versions: vec![NoteVersion {
            text,
            category: NoteCategory::Observation,
            urgency,
            by: author,
            at: Timestamp(at),
        }],
        acks: BTreeMap::new(),
    }
}

fn main() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let nurses: Vec<MemberId> = NURSES.iter().map(|_| MemberId::random()).collect();
    let others: Vec<MemberId> = (0..20).map(|_| MemberId::random()).collect();
    // Each nurse mutes 3 patients.
    let muted: Vec<Vec<usize>> = (0..NURSES.len())
        .map(|_| (0..3).map(|_| rng.below(PATIENTS as u64) as usize).collect())
        .collect();
    // (day, patient, note)
    let mut week: Vec<(usize, usize, Note)> = Vec::new();
    let day_ms = 86_400_000i64;
    for day in 0..DAYS {
        for patient in 0..PATIENTS {
            // 2.5 visits a week: a visit today with probability 2.5/7.
            if rng.below(700) < 250 {
                let author = nurses[rng.below(NURSES.len() as u64) as usize];
                let mut text = "訪問。バイタル著変なし。".to_string();
                if rng.below(100) < 6 {
                    text.push_str(&format!(
                        " @{} 次回の処置お願いします",
                        NURSES[rng.below(NURSES.len() as u64) as usize]
                    ));
                }
                week.push((day, patient, note(author, text, Urgency::Routine, day as i64 * day_ms)));
            }
            if rng.below(7) == 0 {
                let author = others[rng.below(others.len() as u64) as usize];
                week.push((
                    day,
                    patient,
                    note(
                        author,
                        "往診。処方変更なし。".into(),
                        Urgency::Routine,
                        day as i64 * day_ms,
                    ),
                ));
            }
        }
        for _ in 0..2 {
            let patient = rng.below(PATIENTS as u64) as usize;
            let author = nurses[rng.below(NURSES.len() as u64) as usize];
            week.push((
                day,
                patient,
                note(
                    author,
                    "SpO2 86%、呼吸苦。主治医へ連絡。".into(),
                    Urgency::Urgent,
                    day as i64 * day_ms,
                ),
            ));
        }
    }
    println!(
        "week: {} notes ({} urgent)",
        week.len(),
        week.iter()
            .filter(|(_, _, n)| n.current().urgency == Urgency::Urgent)
            .count()
    );
    println!("| nurse | notifications per day (7 days) | max | of which urgent / addressed to her | other reasons |");
    println!("|---|---|---|---|---|");
    let mut worst = 0;
    for (i, name) in NURSES.iter().enumerate() {
        let mut per_day = [0usize; DAYS];
        let (mut urgent, mut addressed) = (0, 0);
        for (day, patient, n) in &week {
            match note_reason(n, &nurses[i], name, muted[i].contains(patient)) {
                Some(Reason::Urgent) => {
                    urgent += 1;
                    per_day[*day] += 1;
                }
                Some(Reason::Addressed) => {
                    addressed += 1;
                    per_day[*day] += 1;
                }
                None => {}
            }
        }
        let max = *per_day.iter().max().unwrap();
        worst = worst.max(max);
        println!("| {name} | {per_day:?} | {max} | {urgent} / {addressed} | 0 |");
    }
    println!("\nworst nurse-day: {worst} notifications (budget: 3)");
}
