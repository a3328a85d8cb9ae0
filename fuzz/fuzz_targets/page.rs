//! A page of the log as the relay sends it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sync_proto::page::decode_page(data);
});
