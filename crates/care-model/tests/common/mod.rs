//! Shared fixtures: realistic team members and a patient (GLOSSARY.md).
#![allow(dead_code)]

use care_model::*;

pub fn writer(name: &str, profession: Profession, organisation: &str) -> Writer {
    Writer {
        member: MemberId::random(),
        device: DeviceId::random(),
        profile: Member {
            name: name.into(),
            kana: None,
            profession,
            organisation: organisation.into(),
            phone: Some("03-0000-1234".into()),
            email: None,
            fax: None,
            on_call: false,
        },
    }
}

pub fn nurse() -> Writer {
    writer("佐藤 花子", Profession::Nurse, "つばさ訪問看護ステーション")
}

pub fn doctor() -> Writer {
    writer("鈴木 一郎", Profession::Doctor, "すずき内科クリニック")
}

pub fn patient() -> Patient {
    Patient {
        name: "山田 太郎".into(),
        kana: Some("ヤマダ タロウ".into()),
        born: Some(CalendarDate::parse("born", "昭和13年4月2日").unwrap()),
        care_level: Some(CareLevel::Care3),
        diagnoses: vec![Diagnosis {
            name: "心不全".into(),
            code: None,
        }],
        ..Default::default()
    }
}

/// 2026-11-24 09:00 JST plus `minutes`.
pub fn at(minutes: i64) -> Timestamp {
    Timestamp(1_795_478_400_000 + minutes * 60_000)
}

pub fn note(text: &str) -> NewNote {
    NewNote {
        text: text.into(),
        category: NoteCategory::Observation,
        urgency: Urgency::Routine,
    }
}

/// A second laptop holding a copy of `record`.
pub fn copy(record: &CareRecord) -> CareRecord {
    CareRecord::load(&record.save()).unwrap()
}
