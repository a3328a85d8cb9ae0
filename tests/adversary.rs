//! A hostile member against the real relay and real laptops. Care teams span
//! organisations, so a member is not trusted: with one invite code, a nurse
//! of another station builds a modified client from the library and tries
//! to take the team over, to write as someone else, to break the record for
//! everyone, to hide an entry from newcomers, and to slip in envelopes of a
//! device already removed. Each attack is refused, or quarantined with the
//! sender named, and the honest members go on.

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use care_model::*;
use care_store::Store;
use sync_client::SyncError;
use sync_proto::{Header, MembershipOp, PayloadKind};
use tsunagi_tests::{add_note, copy_dir, member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

struct Team {
    _dir: tempfile::TempDir,
    relay: Relay,
    rt: tokio::runtime::Runtime,
    team: TeamId,
    /// The station nurse who created the team: its admin.
    nurse: Store,
    root: std::path::PathBuf,
}

impl Team {
    fn new() -> Team {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let relay = Relay::start(&root.join("relay"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut nurse = Store::init(
            &root.join("nurse"),
            member("佐藤 花子"),
            now(),
            &tsunagi_tests::test_key(),
        )
        .unwrap();
        nurse.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
        let team = nurse
            .create_team(
                Patient {
                    name: "山田 太郎".into(),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        sync(&rt, &mut nurse);
        Team {
            _dir: dir,
            relay,
            rt,
            team,
            nurse,
            root,
        }
    }

    fn sync(&self, store: &mut Store) -> sync_client::SyncReport {
        sync(&self.rt, store)
    }

    fn code(&mut self) -> sync_proto::InviteCode {
        let expires = Timestamp(now().0 + 3_600_000);
        self.rt
            .block_on(sync_client::invite(&mut self.nurse, self.team, expires, now))
            .unwrap()
    }

    /// A laptop that joined with an invite from the nurse.
    fn joined(&mut self, name: &str) -> Store {
        let code = self.code();
        let mut store = Store::init(&self.root.join(name), member(name), now(), &tsunagi_tests::test_key()).unwrap();
        self.rt.block_on(sync_client::join(&mut store, &code, now)).unwrap();
        store
    }

    fn note(&self, store: &mut Store, text: &str) {
        add_note(store, self.team, text);
    }

    fn notes(&self, store: &mut Store) -> Vec<String> {
        store
            .record(self.team)
            .unwrap()
            .read()
            .unwrap()
            .notes
            .values()
            .map(|n| n.current().text.clone())
            .collect()
    }

    /// Seals `payload` as `from` (its own key and device id, the team's
    /// newest key) and appends it: what a modified client can always do.
    fn send_as(&self, from: &Store, kind: PayloadKind, sender_seq: u64, payload: &[u8]) -> Result<u64, SyncError> {
        let (epoch, key) = from.latest_team_key(self.team).unwrap();
        let header = Header {
            kind,
            team: *self.team.as_bytes(),
            epoch,
            sender: *from.device_id().as_bytes(),
            sender_seq,
        };
        let env = sync_proto::seal(&key, from.signing_key(), header, payload).unwrap();
        let client = self.relay.client_as(from.signing_key(), from.device_id().as_bytes());
        match kind {
            PayloadKind::Changes | PayloadKind::Audit => self
                .rt
                .block_on(client.append(self.team.as_bytes(), &env))
                .map(|a| a.seq),
            PayloadKind::Snapshot => self
                .rt
                .block_on(client.put_snapshot(self.team.as_bytes(), &env))
                .map(|_| 0),
        }
    }
}

fn sync(rt: &tokio::runtime::Runtime, store: &mut Store) -> sync_client::SyncReport {
    let report = rt.block_on(sync_client::sync_once(store, now)).unwrap();
    assert!(report.teams.iter().all(|t| t.error.is_none()), "{report:?}");
    report
}

/// A change made with automerge directly on `from`'s copy of the record,
/// with the automerge actor `actor`.
fn forged(
    from: &mut Store,
    team: TeamId,
    actor: DeviceId,
    f: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> Vec<u8> {
    let mut doc = automerge::Automerge::load(&from.record(team).unwrap().save())
        .unwrap()
        .with_actor(automerge::ActorId::from(actor.as_bytes().as_slice()));
    let mut tx = doc.transaction();
    f(&mut tx);
    let (hash, _) = tx.commit();
    doc.get_change_by_hash(&hash.unwrap()).unwrap().raw_bytes().to_vec()
}

#[test]
fn a_member_cannot_join_as_an_existing_device_or_as_the_admin() {
    let mut t = Team::new();
    let evil = ed25519_dalek::SigningKey::from_bytes(&[66; 32]);
    let nurse_device = *t.nurse.device_id().as_bytes();
    let nurse_member = t.nurse.device().member.to_string();
    let attempts: [(&str, [u8; 16], String); 2] = [
        ("the nurse's device id", nurse_device, "e".repeat(32)),
        ("the admin's member id", [77; 16], nurse_member.clone()),
    ];
    for (what, device, member_id) in attempts {
        let code = t.code();
        let client = t.relay.client_as(&evil, &device);
        let sealed = t.rt.block_on(client.claim_invite(&code)).unwrap();
        assert!(code.open_team_keys(&sealed).is_ok());
        let join = MembershipOp::join(t.team.as_bytes(), &device, &member_id, &evil, &code.signing_key());
        match t.rt.block_on(client.add_member(t.team.as_bytes(), &join)) {
            Err(SyncError::Refused {
                status: 403, message, ..
            }) => {
                assert!(message.contains("already on the team"), "{what}: {message}")
            }
            other => panic!("joining as {what} must be refused, got {other:?}"),
        }
    }
    // The nurse still syncs with her own key, alone on the roster and its
    // only admin.
    sync(&t.rt, &mut t.nurse);
    let roster = t.nurse.roster(t.team).unwrap();
    assert_eq!(roster.devices.len(), 1);
    assert_eq!(roster.key(&nurse_device), Some(t.nurse.signing_key().verifying_key()));
    assert_eq!(roster.admins.iter().collect::<Vec<_>>(), vec![&nurse_member]);
}

#[test]
fn a_member_writes_only_as_themselves_and_a_poison_change_stops_nothing() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    let mut pharmacist = t.joined("ph");
    let mut nurse = t.joined("nurse2");
    t.note(&mut nurse, "本日の訪問記録");
    t.sync(&mut nurse);
    t.sync(&mut doctor);
    t.sync(&mut pharmacist);
    let team = t.team;
    let (nurse_device, nurse_member) = (t.nurse.device_id(), t.nurse.device().member);
    let doctor_device = doctor.device_id();

    // 1. A note written as the nurse's device (history() would name her).
    let as_nurse = forged(&mut doctor, team, nurse_device, |tx| {
        let notes = tx.get(automerge::ROOT, "notes").unwrap().unwrap().1;
        tx.put(&notes, "forged", "看護師になりすました記録").unwrap();
    });
    // 2. The doctor's own device bound to the nurse's member id.
    let rebind = forged(&mut doctor, team, doctor_device, |tx| {
        let devices = tx.get(automerge::ROOT, "devices").unwrap().unwrap().1;
        tx.put(&devices, doctor_device.to_string(), nurse_member.to_string())
            .unwrap();
    });
    // 3. The patient deleted for everyone, and a schema from the future.
    let poison = forged(&mut doctor, team, doctor_device, |tx| {
        tx.delete(automerge::ROOT, "patient").unwrap();
        tx.put(automerge::ROOT, "schema", 99u64).unwrap();
    });
    for (i, change) in [as_nurse, rebind, poison].iter().enumerate() {
        t.send_as(&doctor, PayloadKind::Changes, 900_000 + i as u64, change)
            .unwrap();
    }
    // The doctor's honest entry after them still arrives.
    t.note(&mut doctor, "往診：処方変更なし");
    t.sync(&mut doctor);

    for (who, store) in [("pharmacist", &mut pharmacist), ("nurse", &mut nurse)] {
        let report = t.sync(store);
        let r = &report.teams[0];
        assert_eq!(r.quarantined, 3, "{who}: {report:?}");
        assert_eq!(r.refused.len(), 3, "{who}: {report:?}");
        for reason in &r.refused {
            assert!(
                reason.contains(&doctor_device.to_string()),
                "{who}: names the sender: {reason}"
            );
        }
        let record = store.record(team).unwrap().read().unwrap();
        assert_eq!(record.patient.name, "山田 太郎", "{who}");
        assert_eq!(record.schema, 1, "{who}");
        assert!(!record.notes.contains_key("forged"), "{who}");
        assert_eq!(
            record.devices[&doctor_device.to_string()],
            doctor.device().member,
            "{who}"
        );
        let texts = t.notes(store);
        assert!(texts.contains(&"往診：処方変更なし".to_string()), "{who}: {texts:?}");
        assert_eq!(store.quarantined(team).unwrap(), 3, "{who}");
    }
    // The record keeps syncing: a later note from the nurse reaches the pharmacist.
    t.note(&mut nurse, "夕方に再訪問");
    t.sync(&mut nurse);
    t.sync(&mut pharmacist);
    assert!(t.notes(&mut pharmacist).contains(&"夕方に再訪問".to_string()));
}

#[test]
fn a_forged_snapshot_cannot_hide_an_entry_from_a_newcomer() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    let mut nurse = t.joined("nurse2");
    for i in 0..5 {
        t.note(&mut nurse, &format!("訪問 {i}"));
    }
    t.sync(&mut nurse);
    t.sync(&mut doctor);
    // The doctor keeps the record as it was before the allergy note, and
    // puts into it an order in the nurse's name that was never sent...
    let mut kept = CareRecord::load(&doctor.record(t.team).unwrap().save()).unwrap();
    let nurse_writer = t.nurse.device().writer();
    kept.change(&nurse_writer, now(), "note.add", |tx| {
        tx.add_note(NewNote {
            text: "内服を中止".into(),
            category: NoteCategory::Observation,
            urgency: Urgency::Routine,
        })
    })
    .unwrap();
    let before_allergy = kept.save();
    t.note(&mut nurse, "ペニシリンアレルギーあり");
    t.sync(&mut nurse);
    t.sync(&mut doctor);
    // ...and offers it as a snapshot covering the whole log, allergy included.
    let covers = doctor.cursor(t.team, &t.relay.url).unwrap().server_seq;
    t.send_as(&doctor, PayloadKind::Snapshot, covers, &before_allergy)
        .unwrap();

    let code = t.code();
    let mut newcomer = Store::init(
        &t.root.join("cm"),
        member("ケアマネ"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    let joined = t.rt.block_on(sync_client::join(&mut newcomer, &code, now)).unwrap();
    assert_eq!(joined.report.unwrap().teams[0].from_snapshot, Some(covers));
    // The next pass checks the snapshot against the log and finds the note.
    let report = t.sync(&mut newcomer);
    assert!(
        t.notes(&mut newcomer).contains(&"ペニシリンアレルギーあり".to_string()),
        "the allergy note the snapshot left out is read from the log"
    );
    let said = &report.teams[0].refused;
    let doctors = doctor.device_id().to_string();
    assert!(
        said.iter().any(|r| r.contains("left out") && r.contains(&doctors)),
        "{said:?}"
    );
    // And what it made up, which no envelope ever carried, is reported.
    assert!(
        said.iter()
            .any(|r| r.contains("not in the log") && r.contains(&doctors)),
        "{said:?}"
    );
    assert_eq!(newcomer.quarantined(t.team).unwrap(), 1);
    let notes = t.notes(&mut newcomer);
    assert!(
        !notes.contains(&"内服を中止".to_string()),
        "the made-up order is gone from the copy: {notes:?}"
    );
    assert!(notes.contains(&"ペニシリンアレルギーあり".to_string()));
    assert!(newcomer.snapshot_check(t.team).unwrap().is_none(), "the check is done");
    // The copy, made again, still takes what comes next.
    add_note(&mut t.nurse, t.team, "再訪問");
    sync(&t.rt, &mut t.nurse);
    t.sync(&mut newcomer);
    assert!(t.notes(&mut newcomer).contains(&"再訪問".to_string()));
}

#[test]
fn a_removed_devices_envelope_is_not_taken_from_anyone_after_its_removal() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    let mut pharmacist = t.joined("ph");
    t.sync(&mut doctor);
    // The doctor seals a note under the key it holds, and keeps it.
    let doctor_device = doctor.device_id();
    let late = forged(&mut doctor, t.team, doctor_device, |tx| {
        let notes = tx.get(automerge::ROOT, "notes").unwrap().unwrap().1;
        tx.put(&notes, "late", "外された後の記録").unwrap();
    });
    let (epoch, key) = doctor.latest_team_key(t.team).unwrap();
    let header = Header {
        kind: PayloadKind::Changes,
        team: *t.team.as_bytes(),
        epoch,
        sender: *doctor.device_id().as_bytes(),
        sender_seq: 500_000,
    };
    let envelope = sync_proto::seal(&key, doctor.signing_key(), header, &late).unwrap();
    t.rt.block_on(sync_client::remove_device(&mut t.nurse, t.team, doctor_device, now))
        .unwrap();
    // A member still on the team uploads it for the removed doctor.
    t.sync(&mut pharmacist);
    let client = t
        .relay
        .client_as(pharmacist.signing_key(), pharmacist.device_id().as_bytes());
    match t.rt.block_on(client.append(t.team.as_bytes(), &envelope)) {
        Err(SyncError::Refused { status: 403, code, .. }) => assert_eq!(code, "sender_removed"),
        other => panic!("a removed device's late envelope must be refused, got {other:?}"),
    }
    t.sync(&mut pharmacist);
    assert!(t.notes(&mut pharmacist).iter().all(|n| n != "外された後の記録"));
}

#[test]
fn only_admins_invite_until_an_admin_opens_it() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    t.sync(&mut doctor);
    let expires = Timestamp(now().0 + 3_600_000);
    let refused = t.rt.block_on(sync_client::invite(&mut doctor, t.team, expires, now));
    assert!(matches!(refused, Err(SyncError::MayNotInvite)), "{refused:?}");
    // Nor may the doctor open invites to everyone.
    let opened =
        t.rt.block_on(sync_client::set_invite_policy(&mut doctor, t.team, true, now));
    assert!(matches!(opened, Err(SyncError::NotAllowed)), "{opened:?}");
    // A forged invite op from the doctor is refused by the relay too.
    let forged = MembershipOp::invite(
        t.team.as_bytes(),
        doctor.device_id().as_bytes(),
        doctor.signing_key(),
        &ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key(),
        i64::MAX,
    );
    let client = t.relay.client_as(doctor.signing_key(), doctor.device_id().as_bytes());
    assert!(matches!(
        t.rt.block_on(client.add_member(t.team.as_bytes(), &forged)),
        Err(SyncError::Refused { status: 403, .. })
    ));
    // The admin opens invites to all members: now the doctor's works.
    t.rt.block_on(sync_client::set_invite_policy(&mut t.nurse, t.team, true, now))
        .unwrap();
    let code =
        t.rt.block_on(sync_client::invite(&mut doctor, t.team, expires, now))
            .unwrap();
    let mut pharmacist = Store::init(&t.root.join("ph"), member("薬剤師"), now(), &tsunagi_tests::test_key()).unwrap();
    t.rt.block_on(sync_client::join(&mut pharmacist, &code, now)).unwrap();
    assert!(pharmacist
        .roster(t.team)
        .unwrap()
        .contains(pharmacist.device_id().as_bytes()));
}

/// A team of nurse (admin), doctor and pharmacist, all synced; then the
/// relay's data is copied to a second relay that will show the pharmacist
/// only what it held at that moment (the same certificate, log and roster:
/// what a relay gone wrong could do with one database). Returns the team, the doctor, the
/// pharmacist (now on the second relay) and that relay.
fn forked_team() -> (Team, Store, Store, Relay) {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    let mut pharmacist = t.joined("ph");
    t.sync(&mut doctor);
    t.sync(&mut pharmacist);
    let copied = t.root.join("copy");
    t.relay.restart(|data| copy_dir(data, &copied));
    let copy = Relay::start(&t.root.join("copy"));
    pharmacist.set_relay(&copy.url, Some(&copy.fingerprint)).unwrap();
    (t, doctor, pharmacist, copy)
}

/// Hands the nurse's newest envelope from the real relay to the copy, as a
/// relay gone wrong would: it forwards envelopes but withholds roster ops
/// (written straight into the copy's log, past its own checks).
fn forward_newest(t: &Team, copy: &Relay) {
    let real = t.relay.client_as(t.nurse.signing_key(), t.nurse.device_id().as_bytes());
    let page = t.rt.block_on(real.read(t.team.as_bytes(), 0)).unwrap();
    // The newest change (an access-log envelope may follow it).
    let newest = page
        .envelopes
        .iter()
        .rev()
        .map(|(_, b)| sync_proto::Envelope::parse(b.clone()).unwrap())
        .find(|e| e.header().kind == PayloadKind::Changes)
        .unwrap();
    let env = newest;
    let db = rusqlite::Connection::open(copy.data.join("relay.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute(
        "INSERT INTO envelopes (team, seq, id, sender, sender_seq, bytes, received_at)
         SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5, 0 FROM envelopes WHERE team = ?1",
        rusqlite::params![
            t.team.as_bytes().as_slice(),
            env.id().as_slice(),
            env.header().sender.as_slice(),
            env.header().sender_seq as i64,
            env.bytes()
        ],
    )
    .unwrap();
}

#[test]
fn a_relay_that_hides_a_removal_from_one_member_is_detected() {
    let (mut t, doctor, mut pharmacist, copy) = forked_team();
    // On the real relay the nurse takes the doctor off (a new key epoch) and
    // writes; the copy never shows the pharmacist that removal.
    t.rt.block_on(sync_client::remove_device(
        &mut t.nurse,
        t.team,
        doctor.device_id(),
        now,
    ))
    .unwrap();
    add_note(&mut t.nurse, t.team, "外した後の記録");
    sync(&t.rt, &mut t.nurse);
    forward_newest(&t, &copy);
    let report = t.rt.block_on(sync_client::sync_once(&mut pharmacist, now)).unwrap();
    let error = report.teams[0].error.clone().unwrap_or_default();
    assert!(error.contains("違うメンバー構成"), "{report:?}");
    // It stays stopped, and keeps what it writes from now on.
    t.note(&mut pharmacist, "薬剤師の記録");
    let again = t.rt.block_on(sync_client::sync_once(&mut pharmacist, now)).unwrap();
    assert!(again.teams[0].error.is_some() && again.teams[0].pushed == 0);
    assert!(pharmacist.roster_fork(t.team).unwrap().is_some());
    assert!(pharmacist.pending(t.team).unwrap() >= 1);
}

#[test]
fn a_relay_that_shows_one_member_an_older_roster_is_detected_by_the_head_in_envelopes() {
    let (mut t, doctor, mut pharmacist, copy) = forked_team();
    // An admin grant (no new key) the copy withholds from the pharmacist.
    let doctors_member = doctor.device().member.to_string();
    t.rt.block_on(sync_client::make_admin(&mut t.nurse, t.team, &doctors_member, now))
        .unwrap();
    add_note(&mut t.nurse, t.team, "管理者を追加した後の記録");
    sync(&t.rt, &mut t.nurse);
    forward_newest(&t, &copy);
    let report = t.rt.block_on(sync_client::sync_once(&mut pharmacist, now)).unwrap();
    // Set aside, naming the writer and the likely cause: from one laptop a
    // relay's fork and a member's false head look the same, and a member
    // must not be able to stop the team.
    let said = &report.teams[0].refused;
    assert!(said.iter().any(|r| r.contains("different rosters")), "{report:?}");
    assert_eq!(report.teams[0].quarantined, 1);
    assert!(t.notes(&mut pharmacist).iter().all(|n| n != "管理者を追加した後の記録"));
}

#[test]
fn a_member_cannot_stop_the_team_with_a_false_roster_head_or_a_future_key_epoch() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    let mut pharmacist = t.joined("ph");
    t.sync(&mut doctor);
    t.sync(&mut pharmacist);
    let doctor_device = doctor.device_id();
    let change = forged(&mut doctor, t.team, doctor_device, |tx| {
        let notes = tx.get(automerge::ROOT, "notes").unwrap().unwrap().1;
        tx.put(&notes, "x", "偽の構成で書いた").unwrap();
    });
    // A head for a roster nobody has.
    let payload = sync_proto::with_roster_head(99, &[7; 32], &change);
    t.send_as(&doctor, PayloadKind::Changes, 700_000, &payload).unwrap();
    // An epoch no removal started: the relay refuses it.
    let (_, key) = doctor.latest_team_key(t.team).unwrap();
    let header = Header {
        kind: PayloadKind::Changes,
        team: *t.team.as_bytes(),
        epoch: 5,
        sender: *doctor.device_id().as_bytes(),
        sender_seq: 700_001,
    };
    let env = sync_proto::seal(&key, doctor.signing_key(), header, &change).unwrap();
    let client = t.relay.client_as(doctor.signing_key(), doctor.device_id().as_bytes());
    match t.rt.block_on(client.append(t.team.as_bytes(), &env)) {
        Err(SyncError::Refused { status: 400, code, .. }) => assert_eq!(code, "epoch_ahead"),
        other => panic!("an envelope from a future epoch must be refused, got {other:?}"),
    }
    // The pharmacist sets the false one aside and keeps syncing.
    let report = t.sync(&mut pharmacist);
    assert_eq!(report.teams[0].quarantined, 1, "{report:?}");
    assert!(pharmacist.roster_fork(t.team).unwrap().is_none());
    add_note(&mut t.nurse, t.team, "その後の記録");
    sync(&t.rt, &mut t.nurse);
    t.sync(&mut pharmacist);
    assert!(t.notes(&mut pharmacist).contains(&"その後の記録".to_string()));
}

/// A relay's whole data directory put back from a backup (database and
/// incarnation file together, as backup tools do), then written past where
/// a laptop had been: the incarnation is the same and the log is as long as
/// before, but it holds another envelope where the relay had acknowledged
/// one of the laptop's (and its running hash at a cursor past the backup
/// would differ), so the laptop sends again what the backup lacks.
#[test]
fn a_restore_of_the_whole_data_directory_is_noticed_and_nothing_is_lost() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    t.sync(&mut doctor);
    let backup = t.root.join("backup");
    t.relay.restart(|data| copy_dir(data, &backup));

    add_note(&mut t.nurse, t.team, "バックアップ後の記録 1");
    add_note(&mut t.nurse, t.team, "バックアップ後の記録 2");
    sync(&t.rt, &mut t.nurse);
    assert_eq!(t.nurse.pending(t.team).unwrap(), 0, "acknowledged by the relay");

    // The whole directory goes back to the backup.
    t.relay.restart(|data| {
        std::fs::remove_dir_all(data).unwrap();
        copy_dir(&backup, data);
    });
    // The doctor writes enough that the log is as long as the nurse's cursor.
    for i in 0..4 {
        t.note(&mut doctor, &format!("復元後の往診 {i}"));
    }
    t.sync(&mut doctor);

    sync(&t.rt, &mut t.nurse);
    t.sync(&mut doctor);
    let notes = t.notes(&mut doctor);
    for lost in ["バックアップ後の記録 1", "バックアップ後の記録 2"] {
        assert!(notes.iter().any(|n| n == lost), "{lost} was sent again: {notes:?}");
    }
}

#[test]
fn an_invite_code_that_pins_no_certificate_is_refused() {
    let t = Team::new();
    let code = sync_proto::InviteCode::new(&t.relay.url, [0; 32], *t.team.as_bytes());
    let mut laptop = Store::init(&t.root.join("z"), member("誰か"), now(), &tsunagi_tests::test_key()).unwrap();
    let joined = t.rt.block_on(sync_client::join(&mut laptop, &code, now));
    assert!(matches!(joined, Err(SyncError::NoFingerprint)), "{joined:?}");
}

/// A relay put back from a backup that lacks the newest roster op is not a
/// fork: the laptop that holds the op gives it back (it is signed) and
/// syncing goes on.
#[test]
fn a_relay_restored_without_its_newest_roster_op_gets_it_back_and_nobody_stops() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    t.sync(&mut doctor);
    let backup = t.root.join("backup");
    t.relay.restart(|data| copy_dir(data, &backup));
    let doctors_member = doctor.device().member.to_string();
    t.rt.block_on(sync_client::make_admin(&mut t.nurse, t.team, &doctors_member, now))
        .unwrap();
    t.relay.restart(|data| {
        std::fs::remove_dir_all(data).unwrap();
        copy_dir(&backup, data);
    });

    let report = sync(&t.rt, &mut t.nurse);
    assert!(t.nurse.roster_fork(t.team).unwrap().is_none(), "{report:?}");
    t.sync(&mut doctor);
    assert!(doctor.roster(t.team).unwrap().admins.contains(&doctors_member));
    assert!(doctor.roster_fork(t.team).unwrap().is_none());
}

#[test]
fn a_member_cannot_put_words_in_another_members_access_log() {
    let mut t = Team::new();
    let mut doctor = t.joined("dr");
    t.sync(&mut doctor);
    let team = t.team;
    let nurse_device = *t.nurse.device_id().as_bytes();
    let nurse_member = t.nurse.device().member.to_string();
    // The doctor's modified client sends entries claiming the nurse opened
    // the record (signed with the doctor's key, or not at all), and one of
    // its own about another team.
    let as_nurse = sync_proto::AuditEntry::new(
        doctor.signing_key(),
        1,
        now().0,
        nurse_device,
        &nurse_member,
        "open",
        Some(*team.as_bytes()),
        None,
        sync_proto::audit::GENESIS,
    );
    let elsewhere = sync_proto::AuditEntry::new(
        doctor.signing_key(),
        1,
        now().0,
        *doctor.device_id().as_bytes(),
        &doctor.device().member.to_string(),
        "open",
        Some([9; 16]),
        None,
        sync_proto::audit::GENESIS,
    );
    let payload = serde_json::to_vec(&vec![as_nurse, elsewhere]).unwrap();
    t.send_as(&doctor, PayloadKind::Audit, 800_000, &payload).unwrap();
    // Garbage in an audit envelope stops nothing either.
    t.send_as(&doctor, PayloadKind::Audit, 800_001, b"not json at all")
        .unwrap();
    t.note(&mut doctor, "往診：処方変更なし");
    t.sync(&mut doctor);

    let report = sync(&t.rt, &mut t.nurse);
    assert!(report.teams[0].error.is_none(), "{report:?}");
    let rows = t.nurse.audit_rows(&Default::default()).unwrap();
    // Nothing claims to be the nurse's device except the nurse's own entries,
    // and nothing about another team was kept.
    let forged_kept = rows
        .iter()
        .filter(|r| r.device == hex::encode(nurse_device) && r.action == "open")
        .count();
    assert_eq!(forged_kept, 0, "the nurse never opened anything here: {rows:?}");
    assert!(
        rows.iter().all(|r| r.team.as_deref() != Some(&hex::encode([9u8; 16]))),
        "{rows:?}"
    );
    // The doctor's honest note still arrived.
    let notes = t.nurse.record(team).unwrap().read().unwrap().notes;
    assert!(notes.values().any(|n| n.current().text == "往診：処方変更なし"));
}
