//! Property: any number of laptops doing random edits offline and merging in
//! any order end with identical records, and no entry anyone added is lost.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use care_model::*;
use common::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddNote {
        text: u16,
    },
    EditNote {
        pick: usize,
        text: u16,
    },
    AddVitals {
        spo2: u8,
    },
    AddTask,
    SetTaskStatus {
        pick: usize,
        status: u8,
    },
    EditPatient {
        acp: u16,
    },
    AddMedication,
    ChangeMedication {
        pick: usize,
        dose: u8,
    },
    /// Laptop `on` receives everything laptop `from` has.
    Sync {
        from: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u16>().prop_map(|text| Op::AddNote { text }),
        2 => (any::<usize>(), any::<u16>()).prop_map(|(pick, text)| Op::EditNote { pick, text }),
        2 => (50u8..=100).prop_map(|spo2| Op::AddVitals { spo2 }),
        2 => Just(Op::AddTask),
        2 => (any::<usize>(), 0u8..3).prop_map(|(pick, status)| Op::SetTaskStatus { pick, status }),
        1 => any::<u16>().prop_map(|acp| Op::EditPatient { acp }),
        1 => Just(Op::AddMedication),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(pick, dose)| Op::ChangeMedication { pick, dose }),
        3 => any::<usize>().prop_map(|from| Op::Sync { from }),
    ]
}

/// What every laptop must hold at the end.
#[derive(Default)]
struct Expected {
    notes: BTreeMap<String, BTreeSet<String>>,
    vitals: BTreeSet<String>,
    tasks: BTreeSet<String>,
    medications: BTreeMap<String, BTreeSet<String>>,
}

fn pick(keys: Vec<&String>, i: usize) -> Option<EntryId> {
    (!keys.is_empty()).then(|| keys[i % keys.len()].parse().unwrap())
}

fn apply(r: &mut CareRecord, w: &Writer, op: &Op, t: Timestamp, exp: &mut Expected) {
    let snapshot = r.read().unwrap();
    match op {
        Op::AddNote { text } => {
            let text = format!("観察 {text}");
            let id = r.change(w, t, "note.add", |tx| tx.add_note(note(&text))).unwrap().value;
            exp.notes.entry(id.to_string()).or_default().insert(text);
        }
        Op::EditNote { pick: p, text } => {
            if let Some(id) = pick(snapshot.notes.keys().collect(), *p) {
                let text = format!("修正 {text}");
                r.change(w, t, "note.edit", |tx| tx.edit_note(id, note(&text))).unwrap();
                exp.notes.entry(id.to_string()).or_default().insert(text);
            }
        }
        Op::AddVitals { spo2 } => {
            let reading = VitalSigns {
                taken_at: t,
                spo2: Some(*spo2),
                ..Default::default()
            };
            let id = r.change(w, t, "vitals.add", |tx| tx.add_vitals(reading)).unwrap().value;
            exp.vitals.insert(id.to_string());
        }
        Op::AddTask => {
            let id = r
                .change(w, t, "task.add", |tx| {
                    tx.add_task(NewTask {
                        title: "物品補充".into(),
                        assignee: None,
                        due: None,
                        priority: Priority::Normal,
                    })
                })
                .unwrap()
                .value;
            exp.tasks.insert(id.to_string());
        }
        Op::SetTaskStatus { pick: p, status } => {
            if let Some(id) = pick(snapshot.tasks.keys().collect(), *p) {
                let s = [TaskStatus::Open, TaskStatus::Done, TaskStatus::Cancelled][*status as usize];
                r.change(w, t, "task.status", |tx| tx.set_task_status(id, s)).unwrap();
            }
        }
        Op::EditPatient { acp } => {
            r.change(w, t, "patient.edit", |tx| {
                tx.update_patient(|p| p.acp = Some(format!("意向 {acp}")))
            })
            .unwrap();
        }
        Op::AddMedication => {
            let id = r
                .change(w, t, "medication.add", |tx| tx.add_medication(med("1回1錠")))
                .unwrap()
                .value;
            exp.medications
                .entry(id.to_string())
                .or_default()
                .insert("1回1錠".into());
        }
        Op::ChangeMedication { pick: p, dose } => {
            if let Some(id) = pick(snapshot.medications.keys().collect(), *p) {
                let dose = format!("1回{dose}錠");
                r.change(w, t, "medication.change", |tx| tx.change_medication(id, med(&dose)))
                    .unwrap();
                exp.medications.entry(id.to_string()).or_default().insert(dose);
            }
        }
        Op::Sync { .. } => unreachable!("handled by the caller"),
    }
}

fn med(dose: &str) -> MedicationDetails {
    MedicationDetails {
        name: "フロセミド錠20mg".into(),
        dose: dose.into(),
        schedule: "朝食後".into(),
        prescriber: None,
        start: None,
        stop: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn offline_edits_on_any_number_of_laptops_converge_and_lose_nothing(
        laptops in 2usize..=5,
        steps in proptest::collection::vec((any::<usize>(), op()), 1..60),
        merge_order in Just((0..25).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let writers: Vec<Writer> = (0..laptops).map(|i| writer(&format!("看護師 {i}"), Profession::Nurse, "つばさ訪問看護ステーション")).collect();
        let (genesis, _) = CareRecord::create(TeamId::random(), &writers[0], patient(), at(0)).unwrap();
        let mut replicas: Vec<CareRecord> = (0..laptops).map(|_| copy(&genesis)).collect();
        let mut exp = Expected::default();

        for (i, (who, op)) in steps.iter().enumerate() {
            let on = who % laptops;
            if let Op::Sync { from } = op {
                let mut src = replicas[from % laptops].clone();
                replicas[on].merge(&mut src).unwrap();
            } else {
                apply(&mut replicas[on], &writers[on], op, at(i as i64 + 1), &mut exp);
            }
        }

        // Everyone meets everyone, in a random order, by whole-change exchange.
        for round in 0..2 {
            for &k in &merge_order {
                let (a, b) = (k % laptops, (k / laptops + round) % laptops);
                if a != b {
                    for change in replicas[b].changes() {
                        replicas[a].apply(&change.bytes).unwrap();
                    }
                }
            }
            for a in 0..laptops {
                for b in 0..laptops {
                    if a != b {
                        let mut src = replicas[b].clone();
                        replicas[a].merge(&mut src).unwrap();
                    }
                }
            }
        }

        let first = replicas[0].read().unwrap();
        for r in &replicas[1..] {
            prop_assert_eq!(r.heads(), replicas[0].heads());
            prop_assert_eq!(&r.read().unwrap(), &first);
        }
        // Saved and loaded, the record is the same record.
        prop_assert_eq!(&copy(&replicas[0]).read().unwrap(), &first);

        for (id, texts) in &exp.notes {
            let note = first.notes.get(id);
            prop_assert!(note.is_some(), "note {} was lost", id);
            let have: BTreeSet<String> = note.unwrap().versions.iter().map(|v| v.text.clone()).collect();
            prop_assert!(texts.is_subset(&have), "a version of note {} was lost", id);
        }
        for id in &exp.vitals {
            prop_assert!(first.vitals.contains_key(id), "reading {} was lost", id);
        }
        for id in &exp.tasks {
            prop_assert!(first.tasks.contains_key(id), "task {} was lost", id);
        }
        for (id, doses) in &exp.medications {
            let have: BTreeSet<String> = first.medications[id].revisions.iter().map(|r| r.dose.clone()).collect();
            prop_assert!(doses.is_subset(&have), "a revision of medication {} was lost", id);
        }
    }
}
