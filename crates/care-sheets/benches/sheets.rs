//! How long a sheet takes to make from a five-year record (two visits a
//! week, a reading and a note at each): `cargo bench -p care-sheets --bench
//! sheets`. The goal is under 300 ms per sheet, so "print" feels immediate.

use std::time::{Duration, Instant};

use care_model::fixtures::nurse;
use care_model::*;
use care_sheets::{Context, Sheet, Station, Typesetter};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let w = nurse();
    let start = CalendarDate::new(2021, 12, 1).unwrap().start_jst().0;
    let patient = Patient {
        name: "山田 太郎".into(),
        kana: Some("ヤマダ タロウ".into()),
        born: CalendarDate::new(1938, 4, 2),
        diagnoses: vec![Diagnosis {
            name: "慢性心不全".into(),
            code: Some("I50.0".into()),
        }],
        ..Default::default()
    };
    let (mut r, _) = CareRecord::create(TeamId::random(), &w, patient, Timestamp(start)).unwrap();
    let visits = 5 * 104;
    for i in 0..visits {
        let t = Timestamp(start + i * 3 * 86_400_000 + 36_000_000 + (i % 2) * 86_400_000 / 2);
        r.change(&w, t, "visit", |tx| {
            tx.add_visit(NewVisit {
                planned: None,
                kind: VisitKind::Regular,
                outcome: VisitOutcome::Done,
                start: t,
                end: None,
                soft_signs: vec![],
                observations: None,
            })?;
            tx.add_vitals(
                VitalsForm {
                    bp: Some(format!("{}/{}", 120 + i % 30, 70 + i % 15)),
                    pulse: Some(format!("{}", 70 + i % 20)),
                    temperature: Some("36.6".into()),
                    spo2: Some("96".into()),
                    ..Default::default()
                }
                .parse(t)?,
            )?;
            tx.add_note(NewNote {
                text: format!("訪問 {i} 回目。下肢浮腫軽度、食事摂取良好。"),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
    }
    let record = r.read().unwrap();
    let now = Timestamp(start + (visits - 1) * 3 * 86_400_000 + 86_400_000);
    let last = now.date_jst().0;
    let ctx = Context {
        now,
        station: Some(Station::of(&w.profile, Some("03-0000-9999".into()), None)),
        made_by: Some(w.profile.name.clone()),
        ..Default::default()
    };
    let runs = 9;
    let mut font = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let _ = Typesetter::system().unwrap();
        font.push(t.elapsed());
    }
    let typesetter = Typesetter::system().unwrap();
    let month = Sheet::parse(
        "report",
        Some(&format!(
            "{}-{:02}",
            chrono::Datelike::year(&last),
            chrono::Datelike::month(&last)
        )),
        now.date_jst(),
    )
    .unwrap();
    println!(
        "record: {} readings, {} notes, {} visits",
        record.vitals.len(),
        record.notes.len(),
        record.visits.len()
    );
    println!("typesetter (font parse): median {:?}", median(font));
    for (name, sheet) in [
        ("emergency", Sheet::Emergency),
        ("summary", Sheet::Summary),
        ("report", month),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let text = sheet.text(&record, &Draft::default(), now);
            let data = sheet.data(&record, &text, &Draft::default(), &ctx).unwrap();
            let pdf = typesetter.pdf(&data).unwrap();
            times.push(t.elapsed());
            size = pdf.len();
        }
        let first = times[0];
        println!("{name}: first {first:?}, median {:?}, {size} bytes", median(times));
    }
}
