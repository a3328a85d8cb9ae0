//! Property: random offline/online schedules over several laptops, through
//! the real relay over TLS. Whatever the schedule, once everyone syncs, all
//! records are identical, nothing is left unsent, and every edit anyone made
//! is on every laptop.

use care_model::*;
use care_store::Store;
use proptest::prelude::*;
use tsunagi_tests::Relay;

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

#[derive(Debug, Clone)]
enum Step {
    Note,
    Vitals(u8),
    ToggleTask,
    Sync,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![3 => Just(Step::Note), 2 => (85u8..=100).prop_map(Step::Vitals), 1 => Just(Step::ToggleTask), 3 => Just(Step::Sync)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_online_offline_schedules_converge_and_lose_no_edit(
        laptops in 2usize..=4,
        schedule in proptest::collection::vec((0usize..4, step()), 1..30),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let relay = Relay::start(&dir.path().join("relay"));
        let mut stores: Vec<Store> = (0..laptops)
            .map(|i| Store::init(&dir.path().join(format!("l{i}")), tsunagi_tests::member(&format!("看護師 {i}")), now(), &tsunagi_tests::test_key()).unwrap())
            .collect();
        stores[0].set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
        let team = stores[0].create_team(Patient { name: "山田 太郎".into(), ..Default::default() }, now()).unwrap();
        let task = stores[0]
            .change(team, "task.add", now(), |tx| tx.add_task(NewTask { title: "服薬確認".into(), assignee: None, due: None, priority: Priority::Normal }))
            .unwrap();
        for i in 1..laptops {
            let expires = Timestamp(now().0 + 3_600_000);
            let code = rt.block_on(sync_client::invite(&mut stores[0], team, expires, now)).unwrap();
            rt.block_on(sync_client::join(&mut stores[i], &code, now)).unwrap();
        }
        // Everyone has the record before going offline.
        for s in stores.iter_mut() {
            rt.block_on(sync_client::sync_once(s, now)).unwrap();
        }

        let mut made: Vec<(&str, String)> = Vec::new();
        for (who, step) in &schedule {
            let s = &mut stores[who % laptops];
            match step {
                Step::Note => {
                    let id = s.change(team, "note.add", now(), |tx| tx.add_note(NewNote { text: "観察".into(), category: NoteCategory::Observation, urgency: Urgency::Routine })).unwrap();
                    made.push(("notes", id.to_string()));
                }
                Step::Vitals(spo2) => {
                    let v = VitalSigns { taken_at: now(), spo2: Some(*spo2), ..Default::default() };
                    let id = s.change(team, "vitals.add", now(), |tx| tx.add_vitals(v)).unwrap();
                    made.push(("vitals", id.to_string()));
                }
                Step::ToggleTask => {
                    let open = s.record(team).unwrap().read().unwrap().tasks[&task.to_string()].status == TaskStatus::Open;
                    let status = if open { TaskStatus::Done } else { TaskStatus::Open };
                    s.change(team, "task.status", now(), |tx| tx.set_task_status(task, status)).unwrap();
                }
                Step::Sync => {
                    rt.block_on(sync_client::sync_once(s, now)).unwrap();
                }
            }
        }

        for _ in 0..2 {
            for s in stores.iter_mut() {
                rt.block_on(sync_client::sync_once(s, now)).unwrap();
            }
        }
        let first = stores[0].record(team).unwrap().read().unwrap();
        for s in stores.iter_mut() {
            prop_assert_eq!(s.pending(team).unwrap(), 0, "every edit was acknowledged");
            prop_assert_eq!(&s.record(team).unwrap().read().unwrap(), &first);
        }
        for (kind, id) in &made {
            let present = match *kind {
                "notes" => first.notes.contains_key(id),
                _ => first.vitals.contains_key(id),
            };
            prop_assert!(present, "{} {} was lost", kind, id);
        }
    }
}
