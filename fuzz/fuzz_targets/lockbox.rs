//! A new team key sealed to this device, as a removal op carries it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let me = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let _ = sync_proto::lockbox::open(&me, b"team-key", data);
});
