//! An envelope from the relay: parsed, its signature checked, opened, and
//! its payload split into roster head and change.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync_proto::{Envelope, TeamKey};

fuzz_target!(|data: &[u8]| {
    let Ok(env) = Envelope::parse(data.to_vec()) else { return };
    let sender = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    let _ = env.verify(&sender);
    if let Ok(plain) = sync_proto::open(&env, |_| Some(sender), |_| Some(TeamKey([9; 32]))) {
        let _ = sync_proto::split_roster_head(&plain);
    }
});
