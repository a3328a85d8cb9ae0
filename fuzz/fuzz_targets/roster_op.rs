//! Roster ops as the relay hands them out (JSON), replayed after a real
//! genesis: a forged or malformed op is skipped, never admits anyone.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync_proto::{MembershipOp, Roster, RosterOp};

const TEAM: [u8; 16] = [5; 16];

fuzz_target!(|data: &[u8]| {
    let Ok(ops) = serde_json::from_slice::<Vec<RosterOp>>(data) else { return };
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let mut all = vec![RosterOp {
        op: MembershipOp::genesis(&TEAM, &[1; 16], "m1", &key),
        received_ms: 0,
        log_len: Some(0),
    }];
    all.extend(ops);
    let roster = Roster::replay_ops(&TEAM, &all);
    assert!(roster.devices.len() <= 1 || roster.contains(&[1; 16]) || !roster.removed.is_empty());
});
