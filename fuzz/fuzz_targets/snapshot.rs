//! A snapshot's plaintext: a saved automerge document, checked for
//! decompression bombs before automerge loads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if care_model::admit::check_inflation(data).is_err() {
        return;
    }
    if let Ok(record) = care_model::CareRecord::load(data) {
        let _ = record.read();
    }
});
