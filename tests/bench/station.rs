//! The seeded station shared by `seed-profile` and `station-bench`: one
//! patient per team with five years of twice-weekly visits.

use care_model::*;
use care_store::Store;

const NOTE: [&str; 6] = [
    "本日入浴介助。",
    "背部に発赤あり、体位変換の頻度を増やすよう家族に説明。",
    "下肢浮腫軽度、前回と変わらず。",
    "服薬カレンダーの残薬を確認、飲み忘れなし。",
    "食事摂取量は半分程度。",
    "次回訪問日を長女と調整した。",
];

const FAMILY: [(&str, &str); 6] = [
    ("高橋", "タカハシ"),
    ("鈴木", "スズキ"),
    ("佐藤", "サトウ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
];
const GIVEN: [(&str, &str); 5] = [
    ("キヨ", "キヨ"),
    ("正雄", "マサオ"),
    ("ハル", "ハル"),
    ("清", "キヨシ"),
    ("トミ", "トミ"),
];

/// Patient `p` of the station, with five years of visits.
/// The station's nurse, whose laptop the seeded profile is.
pub fn seed_member() -> Member {
    Member {
        name: "佐藤 花子".into(),
        kana: Some("サトウ ハナコ".into()),
        profession: Profession::Nurse,
        organisation: "つばさ訪問看護ステーション".into(),
        phone: Some("03-0000-1101".into()),
        email: None,
        fax: None,
        on_call: false,
    }
}

pub fn seed_patient(store: &mut Store, p: usize, start: Timestamp) -> Result<TeamId, Box<dyn std::error::Error>> {
    let ((family, family_kana), (given, given_kana)) =
        (FAMILY[p % FAMILY.len()], GIVEN[(p / FAMILY.len()) % GIVEN.len()]);
    let team = store.create_team(
        Patient {
            name: format!("{family} {given}"),
            kana: Some(format!("{family_kana} {given_kana}")),
            born: CalendarDate::new(1936, 4, 2),
            sex: Some(Sex::Female),
            care_level: Some(CareLevel::Care4),
            allergies: vec!["ペニシリン系".into()],
            ..Default::default()
        },
        start,
    )?;
    let mut open: Option<EntryId> = None;
    for i in 0..520i64 {
        let at = Timestamp(start.0 + i * 84 * 3_600_000 + 10 * 3_600_000);
        let mut text = format!("訪問{}回目。", i + 1);
        let mut k = i as usize;
        while text.chars().count() < 500 {
            text.push_str(NOTE[k % NOTE.len()]);
            k = (k * 7 + 3) % 1009;
        }
        let text: String = text.chars().take(500).collect();
        let close = open.take();
        open = Some(store.change(team, "visit", at, |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some(format!("{}/{}", 118 + i % 25, 70 + i % 12)),
                    pulse: Some(format!("{}", 64 + i % 20)),
                    temperature: Some("36.6".into()),
                    spo2: Some(format!("{}", 94 + i % 5)),
                    weight: Some(format!("{}.{}", 44 + i % 3, i % 10)),
                    ..Default::default()
                }
                .parse(at)?,
            )?;
            tx.add_note(NewNote {
                text,
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })?;
            if let Some(t) = close {
                tx.set_task_status(t, TaskStatus::Done)?;
            }
            tx.add_task(NewTask {
                title: "褥瘡処置".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })?);
    }
    Ok(team)
}
