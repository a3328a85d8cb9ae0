//! Envelopes: what a member sealed opens; anything altered, forged or
//! truncated is refused with a typed error, never a panic.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use rand_core::OsRng;
use sync_proto::*;

fn header(seq: u64) -> Header {
    Header {
        kind: PayloadKind::Changes,
        team: [7; 16],
        epoch: 0,
        sender: [9; 16],
        sender_seq: seq,
    }
}

struct Member {
    key: SigningKey,
}

impl Member {
    fn new() -> Self {
        Member {
            key: SigningKey::generate(&mut OsRng),
        }
    }
}

#[test]
fn a_member_reads_what_another_member_sealed() {
    let (alice, team) = (Member::new(), TeamKey::random());
    let secret = "夜間に呼吸苦の訴えあり。SpO2 89%。".as_bytes();
    let env = seal(&team, &alice.key, header(1), secret).unwrap();
    assert!(
        !env.bytes().windows(secret.len()).any(|w| w == secret),
        "the payload is not in the clear"
    );
    let got = open(&env, |_| Some(alice.key.verifying_key()), |_| Some(team.clone())).unwrap();
    assert_eq!(got, secret);
    assert_eq!(env.header().sender_seq, 1);
}

#[test]
fn forged_and_altered_envelopes_are_refused() {
    let (alice, mallory, team) = (Member::new(), Member::new(), TeamKey::random());
    let env = seal(&team, &alice.key, header(1), b"changes").unwrap();

    // Signed by someone else but claiming to be alice.
    let forged = seal(&team, &mallory.key, header(1), b"changes").unwrap();
    assert_eq!(
        open(&forged, |_| Some(alice.key.verifying_key()), |_| Some(team.clone())),
        Err(EnvelopeError::BadSignature)
    );

    // A header byte changed in transit (the sequence number).
    let mut bytes = env.bytes().to_vec();
    bytes[45] ^= 1;
    let altered = Envelope::parse(bytes).unwrap();
    assert_eq!(
        open(&altered, |_| Some(alice.key.verifying_key()), |_| Some(team.clone())),
        Err(EnvelopeError::BadSignature)
    );

    // The right signer but the wrong team key: cannot be read.
    let other = TeamKey::random();
    assert_eq!(
        open(&env, |_| Some(alice.key.verifying_key()), |_| Some(other)),
        Err(EnvelopeError::Decrypt)
    );
    assert_eq!(
        open(&env, |_| None, |_| Some(team.clone())),
        Err(EnvelopeError::UnknownSender)
    );
    assert_eq!(
        open(&env, |_| Some(alice.key.verifying_key()), |_| None),
        Err(EnvelopeError::UnknownEpoch)
    );
}

#[test]
fn a_truncated_envelope_is_malformed_at_every_length() {
    let (alice, team) = (Member::new(), TeamKey::random());
    let env = seal(&team, &alice.key, header(3), b"some automerge change bytes").unwrap();
    for cut in 0..env.bytes().len() {
        let err = Envelope::parse(env.bytes()[..cut].to_vec()).unwrap_err();
        assert!(matches!(err, EnvelopeError::Malformed(_)), "cut at {cut}: {err:?}");
    }
}

#[test]
fn an_oversized_payload_is_refused() {
    let (alice, team) = (Member::new(), TeamKey::random());
    let big = vec![0u8; MAX_ENVELOPE_BYTES];
    assert_eq!(seal(&team, &alice.key, header(1), &big), Err(EnvelopeError::TooLarge));
    assert_eq!(
        Envelope::parse(vec![1u8; MAX_ENVELOPE_BYTES + 1]),
        Err(EnvelopeError::TooLarge)
    );
}

#[test]
fn the_envelope_id_is_stable_and_differs_per_envelope() {
    let (alice, team) = (Member::new(), TeamKey::random());
    let a = seal(&team, &alice.key, header(1), b"x").unwrap();
    let b = seal(&team, &alice.key, header(1), b"x").unwrap();
    assert_eq!(a.id(), Envelope::parse(a.bytes().to_vec()).unwrap().id());
    assert_ne!(a.id(), b.id(), "a fresh nonce makes every envelope distinct");
}

proptest! {
    #[test]
    fn any_bytes_parse_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Envelope::parse(bytes);
    }

    #[test]
    fn any_single_bit_flip_is_caught(pos in 0usize..200, bit in 0u8..8) {
        let (alice, team) = (Member::new(), TeamKey::random());
        let env = seal(&team, &alice.key, header(1), &[42u8; 100]).unwrap();
        let mut bytes = env.bytes().to_vec();
        let pos = pos % bytes.len();
        bytes[pos] ^= 1 << bit;
        if let Ok(e) = Envelope::parse(bytes) {
            prop_assert!(open(&e, |_| Some(alice.key.verifying_key()), |_| Some(team.clone())).is_err());
        }
    }
}
