//! Relay snapshots: a laptop new to a team with a long history starts from
//! one sealed snapshot a member left at the relay, then reads only the rest
//! of the log, and ends with the same record.

use care_model::*;
use care_store::Store;
use tsunagi_tests::{member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn note(store: &mut Store, team: TeamId, text: String) {
    store
        .change(team, "note.add", now(), |tx| {
            tx.add_note(NewNote {
                text,
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
}

#[test]
fn a_new_laptop_starts_from_the_snapshot_and_reads_only_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sync = |store: &mut Store| {
        let report = rt.block_on(sync_client::sync_once(store, now)).unwrap();
        assert!(report.teams.iter().all(|t| t.error.is_none()), "{report:?}");
        report
    };
    let mut station = Store::init(
        &dir.path().join("station"),
        member("高橋 美咲"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    station.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    let team = station
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    for i in 0..210 {
        note(&mut station, team, format!("訪問 {i}"));
    }
    sync(&mut station); // sends the 210 notes
    sync(&mut station); // reads them back: this laptop now holds the whole log, and offers a snapshot
    let client = relay.client_as(station.signing_key(), station.device_id().as_bytes());
    let page = rt.block_on(client.read(team.as_bytes(), 0)).unwrap();
    assert!(
        page.snapshot >= 200,
        "the relay kept a snapshot covering {}",
        page.snapshot
    );
    let covered = page.snapshot;
    for i in 210..215 {
        note(&mut station, team, format!("訪問 {i}"));
    }
    sync(&mut station);

    let code = rt
        .block_on(sync_client::invite(
            &mut station,
            team,
            Timestamp(now().0 + 3_600_000),
            now,
        ))
        .unwrap();
    let mut laptop = Store::init(
        &dir.path().join("laptop"),
        member("佐藤 花子"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    let report = rt
        .block_on(sync_client::join(&mut laptop, &code, now))
        .unwrap()
        .report
        .unwrap();
    assert_eq!(report.teams[0].from_snapshot, Some(covered), "{report:?}");
    let mine = laptop.record(team).unwrap().read().unwrap();
    let theirs = station.record(team).unwrap().read().unwrap();
    assert_eq!(mine.notes.len(), 215);
    assert_eq!(mine, theirs);
    // The next pass checks the snapshot against the log it covers: an
    // honest one holds every change there and nothing else.
    let checked = sync(&mut laptop);
    assert!(checked.teams[0].refused.is_empty(), "{checked:?}");
    assert_eq!(laptop.quarantined(team).unwrap(), 0);
    assert!(laptop.snapshot_check(team).unwrap().is_none());

    // The relay cannot pass off a snapshot that claims more log than it has,
    // and keeps the one covering the most.
    let sealed = |covers: u64| {
        let (epoch, key) = station.latest_team_key(team).unwrap();
        let header = sync_proto::Header {
            kind: sync_proto::PayloadKind::Snapshot,
            team: *team.as_bytes(),
            epoch,
            sender: *station.device_id().as_bytes(),
            sender_seq: covers,
        };
        sync_proto::seal(&key, station.signing_key(), header, b"not a record").unwrap()
    };
    let ahead = rt.block_on(client.put_snapshot(team.as_bytes(), &sealed(10_000)));
    assert!(
        matches!(ahead, Err(sync_client::SyncError::Refused { status: 400, .. })),
        "{ahead:?}"
    );
    assert!(!rt.block_on(client.put_snapshot(team.as_bytes(), &sealed(5))).unwrap());
}
