//! A snapshot's plaintext: a saved automerge document, admitted whole
//! (`CareRecord::admit_whole`: the inflation check first, then the rules
//! read off each value's author, then a full read).
#![no_main]

use care_model::{CareRecord, DeviceId, MemberId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Devices 1 and 2 are on the team, each its own member.
    let member_of = |d: &DeviceId| {
        let b = d.as_bytes();
        (b == &[1; 16] || b == &[2; 16]).then(|| MemberId::from_bytes(*b))
    };
    if let Ok(record) = CareRecord::admit_whole(data, Some(DeviceId::from_bytes([1; 16])), member_of) {
        record.read().expect("an admitted snapshot reads");
    }
});
