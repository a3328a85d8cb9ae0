//! A change from another member, made from the fuzzer's bytes as a hostile
//! modified client could (see `care_model::hostile`), admitted or refused
//! against a real record: once admitted, the record reads and nobody else's
//! device or member entry moved. Also raw bytes as a change.
#![no_main]

use care_model::hostile::{change, writer, Cast};
use care_model::*;
use libfuzzer_sys::fuzz_target;

/// The team's record before the change, made once.
fn base() -> &'static [u8] {
    static SAVED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SAVED.get_or_init(|| {
        let patient = Patient {
            name: "山田 太郎".into(),
            ..Default::default()
        };
        let (record, _) = CareRecord::create(TeamId::from_bytes([5; 16]), &writer(1), patient, Timestamp(0)).unwrap();
        record.save()
    })
}

/// What the record reads before the change.
fn before() -> &'static Record {
    static READ: std::sync::OnceLock<Record> = std::sync::OnceLock::new();
    READ.get_or_init(|| CareRecord::load(base()).unwrap().read().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let (nurse, doctor) = (writer(1), writer(2));
    let mut record = CareRecord::load(base()).unwrap();
    let before = before();
    let sender = Sender {
        device: doctor.device,
        member: doctor.member,
        admin: false,
    };
    let cast = Cast {
        devices: vec![nurse.device, doctor.device],
        members: vec![nurse.member, doctor.member],
    };
    let Some((&first, rest)) = data.split_first() else { return };
    let candidate = match first % 3 {
        0 => ChangeBytes::parse(rest.to_vec()).ok(),
        1 => change(base(), nurse.device, &cast, rest),
        _ => change(base(), doctor.device, &cast, rest),
    };
    let Some(c) = candidate else { return };
    if record.admit(&c, sender).is_ok() {
        let after = record.read().expect("an admitted change leaves the record readable");
        let nurse_device = nurse.device.to_string();
        assert_eq!(after.devices.get(&nurse_device), before.devices.get(&nurse_device));
        let nurse_member = nurse.member.to_string();
        assert_eq!(after.members.get(&nurse_member), before.members.get(&nurse_member));
        assert_eq!(after.schema, before.schema);
    }
});
