//! The writers tests and benchmarks use (feature `fixtures`), so each test
//! does not spell out a whole `Writer` again.

use crate::{DeviceId, Member, MemberId, Profession, Writer};

/// 佐藤 花子 (サトウ ハナコ), a nurse of つばさ訪問看護ステーション with a phone and a FAX.
pub fn nurse() -> Writer {
    let mut w = writer("佐藤 花子", Profession::Nurse);
    w.profile.kana = Some("サトウ ハナコ".into());
    w
}

/// A member of つばさ訪問看護ステーション on a laptop of her own.
pub fn writer(name: &str, profession: Profession) -> Writer {
    Writer {
        member: MemberId::random(),
        device: DeviceId::random(),
        profile: Member {
            name: name.into(),
            kana: None,
            profession,
            organisation: "つばさ訪問看護ステーション".into(),
            phone: Some("03-0000-1234".into()),
            email: None,
            fax: Some("03-0000-1235".into()),
            on_call: false,
        },
    }
}
