//! Writes a starting corpus for each fuzz target, made with the real code
//! and the fixed keys the targets use: `cargo run --example seeds` in
//! `fuzz/` (libFuzzer grows it from there; `cargo fuzz cmin` keeps it small).

use std::path::Path;

use care_model::*;
use sync_proto::{Header, MembershipOp, PayloadKind, RosterOp, TeamKey};

fn put(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let team = [5u8; 16];
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let nurse = care_model::hostile::writer(1);
    let patient = Patient {
        name: "山田 太郎".into(),
        ..Default::default()
    };
    let (mut record, genesis) = CareRecord::create(TeamId::from_bytes(team), &nurse, patient, Timestamp(0)).unwrap();
    let note = record
        .change(&nurse, Timestamp(1), "note.add", |tx| {
            tx.add_note(NewNote {
                text: "本日入浴介助。".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap()
        .change
        .unwrap();

    let mut envelopes = Vec::new();
    for (i, payload) in [
        sync_proto::with_roster_head(3, &[4; 32], &note.bytes),
        genesis.bytes.clone(),
    ]
    .iter()
    .enumerate()
    {
        let header = Header {
            kind: PayloadKind::Changes,
            team,
            epoch: 0,
            sender: [1; 16],
            sender_seq: i as u64 + 1,
        };
        let env = sync_proto::seal(&TeamKey([9; 32]), &signer, header, payload).unwrap();
        put("envelope", &format!("changes-{i}"), env.bytes());
        envelopes.push(env.bytes().to_vec());
    }
    let page = sync_proto::page::encode_page(envelopes.iter().enumerate().map(|(i, b)| (i as u64 + 1, b.as_slice())));
    put("page", "two", &page);

    let code = sync_proto::InviteCode::new("https://192.168.1.10:7443", [3; 32], team);
    put("invite_code", "code", code.encode().as_bytes());

    let creator = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let invite = code.signing_key();
    let joiner = ed25519_dalek::SigningKey::from_bytes(&[2; 32]);
    let genesis_op = MembershipOp::genesis(&team, &[1; 16], "m1", &creator);
    let mut roster = sync_proto::Roster::replay(&team, &[(genesis_op, 0)]);
    let invite_op =
        MembershipOp::invite_on(Some(&roster.head()), &team, &[1; 16], &creator, &invite.verifying_key(), 10_000);
    roster.apply(&team, &invite_op, 0).unwrap();
    let join = MembershipOp::join(&team, &[2; 16], "m2", &joiner, &invite);
    roster.apply(&team, &join, 0).unwrap();
    let admin = MembershipOp::admin_on(Some(&roster.head()), &team, &[1; 16], &creator, "m2");
    roster.apply(&team, &admin, 0).unwrap();
    let remove = MembershipOp::remove(&team, &[1; 16], &creator, &[2; 16], &roster, &TeamKey([8; 32]));
    let ops: Vec<RosterOp> = [invite_op, join, admin, remove]
        .into_iter()
        .map(|op| RosterOp {
            op,
            received_ms: 0,
            log_len: Some(1),
        })
        .collect();
    put("roster_op", "team", &serde_json::to_vec(&ops).unwrap());

    let me = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    put(
        "lockbox",
        "key",
        &sync_proto::lockbox::seal(&me.verifying_key(), b"team-key", &[8; 32]),
    );

    put("snapshot", "record", &record.save());
    put("change_check", "raw", &[[0u8].as_slice(), &note.bytes].concat());
    put("change_check", "ops-doctor", &[2, 3, 7, 2, 4, 3, 0, 131, 9, 5]);
    put("change_check", "ops-forged", &[1, 0, 1, 2, 5, 6, 0]);
}
