//! Fixtures shared by the store's tests and benchmark.
#![allow(dead_code)]

use care_model::*;

pub fn nurse() -> Member {
    Member {
        name: "佐藤 花子".into(),
        kana: Some("サトウ ハナコ".into()),
        profession: Profession::Nurse,
        organisation: "つばさ訪問看護ステーション".into(),
        phone: None,
        email: None,
        fax: None,
        on_call: false,
    }
}

pub fn note(text: &str) -> NewNote {
    NewNote {
        text: text.into(),
        category: NoteCategory::Observation,
        urgency: Urgency::Routine,
    }
}

/// A fixed key: these tests are about the store, not the lock; the
/// database is still encrypted with it for real.
pub fn test_key() -> care_store::StoreKey {
    care_store::StoreKey::from_bytes(&[7; 32])
}

/// A raw connection to a test profile's database, keyed as the store keys it.
pub fn raw(path: impl AsRef<std::path::Path>) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode([7u8; 32])))
        .unwrap();
    conn
}
