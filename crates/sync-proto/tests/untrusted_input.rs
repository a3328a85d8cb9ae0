//! Everything a laptop or the relay reads from the other side, fed arbitrary
//! bytes: a typed error or a harmless result, never a panic. (cargo-fuzz
//! needs a nightly toolchain, which this machine cannot fetch; these
//! property tests are the stable-toolchain stand-in, run on every CI.)

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use sync_proto::page::decode_page;
use sync_proto::*;

const TEAM: [u8; 16] = [3; 16];

fn genesis() -> (MembershipOp, SigningKey) {
    let key = SigningKey::from_bytes(&[11; 32]);
    (MembershipOp::genesis(&TEAM, &[1; 16], "station", &key), key)
}

proptest! {
    #[test]
    fn any_page_decodes_or_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(entries) = decode_page(&bytes) {
            // What decodes re-encodes to the same bytes.
            let again = page::encode_page(entries.iter().map(|(s, b)| (*s, b.as_slice())));
            prop_assert_eq!(again, bytes);
        }
    }

    #[test]
    fn any_text_as_an_invite_code_is_refused_or_round_trips(text in ".{0,200}", b64 in "[A-Za-z0-9_-]{0,200}") {
        for candidate in [text, format!("tsunagi1.{b64}")] {
            if let Ok(code) = InviteCode::parse(&candidate) {
                prop_assert_eq!(InviteCode::parse(&code.encode()).unwrap(), code);
            }
        }
    }

    #[test]
    fn any_sealed_key_blob_fails_to_open(blob in proptest::collection::vec(any::<u8>(), 0..200)) {
        let code = InviteCode::new("https://relay.example:7443", [1; 32], TEAM);
        prop_assert!(code.open_team_keys(&blob).is_err());
        prop_assert!(lockbox::open(&SigningKey::from_bytes(&[5; 32]), b"ctx", &blob).is_err());
    }

    /// A roster built from a real genesis and then any JSON the relay might
    /// hand over: ops that do not verify are skipped, nobody is admitted.
    #[test]
    fn forged_membership_ops_admit_no_one(
        junk in proptest::collection::vec(
            (any::<u8>(), "[0-9a-f]{0,130}", "[0-9a-f]{0,130}", any::<u32>()), 0..12),
    ) {
        let (g, _) = genesis();
        let mut ops = vec![(g, 0i64)];
        for (kind, a, b, n) in junk {
            let json = match kind % 4 {
                0 => serde_json::json!({"op": "join", "team": hex::encode(TEAM), "device": a, "member": "m",
                    "key": b, "invite_key": a, "invite_sig": b, "sig": a}),
                1 => serde_json::json!({"op": "invite", "team": hex::encode(TEAM), "by": hex::encode([1u8; 16]),
                    "invite_key": a, "expires_ms": n, "sig": b}),
                2 => serde_json::json!({"op": "remove", "team": hex::encode(TEAM), "by": hex::encode([1u8; 16]),
                    "device": hex::encode([1u8; 16]), "epoch": 1, "lockboxes": {}, "sig": b}),
                _ => serde_json::json!({"op": "genesis", "team": hex::encode(TEAM), "device": a, "member": "x",
                    "key": b, "sig": a}),
            };
            if let Ok(op) = serde_json::from_value::<MembershipOp>(json) {
                ops.push((op, 0));
            }
        }
        let roster = Roster::replay(&TEAM, &ops);
        prop_assert_eq!(roster.devices.len(), 1);
        prop_assert!(roster.contains(&[1; 16]));
        prop_assert_eq!(roster.epoch, 0);
    }
}
