//! The care record's behaviour as a nurse and a manager meet it.

mod common;

use care_model::*;
use common::*;

#[test]
fn a_visit_is_one_change_holding_vitals_note_and_task_ticks() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let t1 = r
        .change(&n, at(1), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "褥瘡処置".into(),
                assignee: Some(Assignee::Profession(Profession::Nurse)),
                due: Some(CalendarDate::new(2026, 11, 25).unwrap()),
                priority: Priority::High,
            })
        })
        .unwrap()
        .value;
    let before = r.changes().len();
    let visit = r
        .change(&n, at(60), "visit", |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some("132/84".into()),
                    spo2: Some("96".into()),
                    ..Default::default()
                }
                .parse(at(55))?,
            )?;
            tx.add_note(note(
                "本日入浴介助。背部に発赤あり、体位変換の頻度を増やすよう家族に説明。",
            ))?;
            tx.set_task_status(t1, TaskStatus::Done)
        })
        .unwrap();
    assert!(visit.change.is_some());
    assert_eq!(
        r.changes().len(),
        before + 1,
        "a whole visit must be exactly one change"
    );
    let rec = r.read().unwrap();
    assert_eq!(rec.vitals.len(), 1);
    let task = &rec.tasks[&t1.to_string()];
    assert_eq!(task.status, TaskStatus::Done);
    assert_eq!(task.closed_by, Some(n.member));
    assert_eq!(task.closed_at, Some(at(60)));
    let (_, written) = rec.notes_newest_first()[0];
    assert_eq!(
        written.current().text,
        "本日入浴介助。背部に発赤あり、体位変換の頻度を増やすよう家族に説明。"
    );
    assert_eq!(written.organisation, "つばさ訪問看護ステーション");
}

#[test]
fn a_refused_value_leaves_the_record_untouched() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let heads = r.heads();
    let err = r
        .change(&n, at(1), "visit", |tx| {
            tx.add_note(note("訪問しました"))?;
            tx.add_vitals(VitalSigns {
                spo2: Some(130),
                ..Default::default()
            })
        })
        .unwrap_err();
    assert!(
        matches!(err, ModelError::Invalid(ValidationError { field: "spo2", .. })),
        "{err}"
    );
    assert!(err.to_string().contains("50–100"));
    assert_eq!(r.heads(), heads, "the note of a refused visit must not be half-saved");
    assert!(r.read().unwrap().notes.is_empty());
}

#[test]
fn a_due_date_of_1700_is_refused() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let err = r
        .change(&n, at(1), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "物品補充".into(),
                assignee: None,
                due: CalendarDate::new(1700, 1, 1),
                priority: Priority::Normal,
            })
        })
        .unwrap_err();
    assert!(err.to_string().contains("due"), "{err}");
}

#[test]
fn an_edited_note_keeps_its_earlier_versions() {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "note.add", |tx| tx.add_note(note("SpO2 89%。")))
        .unwrap()
        .value;
    r.change(&d, at(2), "note.edit", |tx| {
        tx.edit_note(
            id,
            NewNote {
                urgency: Urgency::Urgent,
                ..note("SpO2 89%。主治医へ電話連絡済み。")
            },
        )
    })
    .unwrap();
    let rec = r.read().unwrap();
    let versions = &rec.notes[&id.to_string()].versions;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].text, "SpO2 89%。");
    assert_eq!(versions[1].by, d.member);
    assert_eq!(rec.notes[&id.to_string()].current().urgency, Urgency::Urgent);
    assert_eq!(
        rec.notes[&id.to_string()].author,
        n.member,
        "the author stays the one who wrote it first"
    );
}

#[test]
fn concurrent_offline_edits_of_one_note_keep_both_versions() {
    let (n, d) = (nurse(), doctor());
    let (mut a, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = a
        .change(&n, at(1), "note.add", |tx| {
            tx.add_note(note("夜間に呼吸苦の訴えあり。"))
        })
        .unwrap()
        .value;
    let mut b = copy(&a);
    a.change(&n, at(2), "note.edit", |tx| {
        tx.edit_note(id, note("夜間に呼吸苦の訴えあり。SpO2 89%。"))
    })
    .unwrap();
    b.change(&d, at(3), "note.edit", |tx| {
        tx.edit_note(id, note("夜間に呼吸苦の訴えあり。酸素2L開始。"))
    })
    .unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    let texts: Vec<String> = a.read().unwrap().notes[&id.to_string()]
        .versions
        .iter()
        .map(|v| v.text.clone())
        .collect();
    assert_eq!(texts.len(), 3);
    assert!(texts.contains(&"夜間に呼吸苦の訴えあり。SpO2 89%。".to_string()));
    assert!(texts.contains(&"夜間に呼吸苦の訴えあり。酸素2L開始。".to_string()));
    assert_eq!(a.read().unwrap(), b.read().unwrap());
}

#[test]
fn conflicts_show_both_values_with_their_authors_and_times() {
    let (n, d) = (nurse(), doctor());
    let (mut a, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let task = a
        .change(&n, at(1), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "訪問看護指示書の更新依頼".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap()
        .value;
    let mut b = copy(&a);
    a.change(&n, at(10), "task.done", |tx| tx.set_task_status(task, TaskStatus::Done))
        .unwrap();
    b.change(&d, at(20), "task.cancel", |tx| {
        tx.set_task_status(task, TaskStatus::Cancelled)
    })
    .unwrap();
    b.change(&d, at(21), "patient.edit", |tx| {
        tx.update_patient(|p| p.acp = Some("自宅で最期を迎えたい".into()))
    })
    .unwrap();
    a.merge(&mut b).unwrap();

    let conflicts = a.conflicts().unwrap();
    let status = conflicts
        .iter()
        .find(|c| c.path == ["tasks", &task.to_string(), "status"])
        .expect("the task status was edited on two laptops at once");
    assert_eq!(status.values.len(), 2);
    let winner = &a.read().unwrap().tasks[&task.to_string()].status;
    assert_eq!(status.values[0].value, winner.code(), "the winner is listed first");
    let by: Vec<_> = status
        .values
        .iter()
        .map(|v| (v.value.as_str(), v.member_name.as_deref(), v.at))
        .collect();
    assert!(by.contains(&("done", Some("佐藤 花子"), Some(at(10)))), "{by:?}");
    assert!(by.contains(&("cancelled", Some("鈴木 一郎"), Some(at(20)))), "{by:?}");
    assert!(
        !conflicts.iter().any(|c| c.path.iter().any(|p| p == "acp")),
        "an edit on one laptop only is not a conflict"
    );
}

#[test]
fn history_says_who_changed_what_and_when() {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut b = copy(&r);
    let task = r
        .change(&n, at(1), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "服薬確認".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap()
        .value;
    b.merge(&mut r).unwrap();
    b.change(&d, at(30), "task.done", |tx| tx.set_task_status(task, TaskStatus::Done))
        .unwrap();
    r.merge(&mut b).unwrap();

    let h = r.history(&task.to_string()).unwrap();
    assert_eq!(h.len(), 2, "{h:#?}");
    assert_eq!(
        (h[0].action.as_str(), h[0].member_name.as_deref(), h[0].at),
        ("task.add", Some("佐藤 花子"), at(1))
    );
    assert!(h[0]
        .fields
        .iter()
        .any(|f| f.field == "title" && f.value.as_deref() == Some("服薬確認")));
    assert_eq!(
        (h[1].action.as_str(), h[1].member_name.as_deref(), h[1].at),
        ("task.done", Some("鈴木 一郎"), at(30))
    );
    assert!(h[1]
        .fields
        .iter()
        .any(|f| f.field == "status" && f.value.as_deref() == Some("done")));
    assert!(h[1]
        .fields
        .iter()
        .any(|f| f.field == "closed_at" && f.value.as_deref() == Some("2026/11/24(火) 09:30")));
    assert!(h[1]
        .fields
        .iter()
        .any(|f| f.field == "closed_by" && f.value.as_deref() == Some("鈴木 一郎")));

    assert!(matches!(r.history("0123"), Err(ModelError::NotFound { .. })));
    let patient_history = r.history("patient").unwrap();
    assert_eq!(patient_history[0].action, "team.create");
}

#[test]
fn japanese_text_round_trips_exactly_through_save_and_load() {
    let n = nurse();
    let text = "𠮷野家の前で転倒。ｶﾀｶﾅ・全角　空白・絵文字🙂・改行\n二行目";
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "note.add", |tx| tx.add_note(note(text)))
        .unwrap()
        .value;
    let loaded = copy(&r);
    assert_eq!(loaded.read().unwrap().notes[&id.to_string()].current().text, text);
    assert_eq!(loaded.read().unwrap().patient.name, "山田 太郎");
}

#[test]
fn a_record_from_a_newer_app_opens_and_keeps_what_it_does_not_know() {
    use automerge::transaction::Transactable;
    let n = nurse();
    let (r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut doc = automerge::Automerge::load(&r.save()).unwrap();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(automerge::ROOT, "schema", 99u64)?;
        tx.put(automerge::ROOT, "a_newer_collection", "a newer app's entries")?;
        let patient = match tx.get(automerge::ROOT, "patient")? {
            Some((_, id)) => id,
            None => unreachable!(),
        };
        tx.put(&patient, "blood_type", "A")?;
        Ok(())
    })
    .unwrap();
    let mut loaded = CareRecord::load(&doc.save()).unwrap();
    assert!(loaded.written_by_newer() && !r.written_by_newer());
    assert_eq!(loaded.read().unwrap().patient.name, "山田 太郎");
    // Writing in the older app keeps the newer app's fields.
    loaded
        .change(&n, at(1), "note.add", |tx| tx.add_note(note("続けて書ける")))
        .unwrap();
    let again = automerge::Automerge::load(&loaded.save()).unwrap();
    use automerge::ReadDoc;
    assert!(again.get(automerge::ROOT, "a_newer_collection").unwrap().is_some());
    assert!(matches!(CareRecord::load(b"not a record"), Err(ModelError::Corrupt(_))));
}

#[test]
fn medication_changes_are_appended_revisions() {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let details = MedicationDetails {
        name: "フロセミド錠20mg".into(),
        dose: "1回1錠".into(),
        schedule: "1日1回 朝食後".into(),
        prescriber: Some("鈴木 一郎".into()),
        start: CalendarDate::new(2026, 11, 1),
        stop: None,
    };
    let id = r
        .change(&d, at(1), "medication.add", |tx| tx.add_medication(details.clone()))
        .unwrap()
        .value;
    r.change(&d, at(2), "medication.change", |tx| {
        tx.change_medication(
            id,
            MedicationDetails {
                dose: "1回2錠".into(),
                ..details.clone()
            },
        )
    })
    .unwrap();
    let bad = r.change(&d, at(3), "medication.change", |tx| {
        tx.change_medication(
            id,
            MedicationDetails {
                stop: CalendarDate::new(2026, 10, 1),
                ..details.clone()
            },
        )
    });
    assert!(bad.is_err(), "a stop date before the start is refused");
    let med = &r.read().unwrap().medications[&id.to_string()];
    assert_eq!(med.revisions.len(), 2);
    assert_eq!(med.current().dose, "1回2錠");
    assert_eq!(med.revisions[0].dose, "1回1錠");
}

#[test]
fn patient_kana_must_be_katakana_and_hiragana_is_converted_by_the_caller() {
    assert!(check_kana("kana", "ヤマダ タロウ").is_ok());
    assert!(check_kana("kana", "yamada").is_err());
    assert_eq!(to_katakana("やまだ たろう"), "ヤマダ タロウ");
    let n = nurse();
    let bad = Patient {
        kana: Some("山田".into()),
        ..patient()
    };
    assert!(CareRecord::create(TeamId::random(), &n, bad, at(0)).is_err());
}

#[test]
fn a_reading_taken_in_the_future_or_before_1868_is_refused() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    for taken in [at(60 * 24), Timestamp(-4_000_000_000_000)] {
        let err = r
            .change(&n, at(1), "vitals.add", |tx| {
                tx.add_vitals(VitalSigns {
                    taken_at: taken,
                    spo2: Some(96),
                    ..Default::default()
                })
            })
            .unwrap_err();
        assert!(err.to_string().contains("taken_at"), "{err}");
    }
    assert!(
        check_phone("０９０－１２３４－５６７８").is_ok(),
        "full-width digits from the IME"
    );
    assert!(check_phone("--1234").is_err(), "starts with a digit, + or (");
}

#[test]
fn acknowledgements_of_an_urgent_note_merge_from_every_laptop_and_keep_the_first_time() {
    let n = nurse();
    let d = doctor();
    let (mut a, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = a
        .change(&n, at(1), "note.add", |tx| {
            tx.add_note(NewNote {
                text: "SpO2 88%、呼吸苦あり。主治医へ報告済み。".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Urgent,
            })
        })
        .unwrap()
        .value;
    let mut b = copy(&a);
    // Both acknowledge while offline; the nurse acknowledges twice.
    a.change(&n, at(5), "note.ack", |tx| tx.acknowledge_note(id)).unwrap();
    a.change(&n, at(9), "note.ack", |tx| tx.acknowledge_note(id)).unwrap();
    b.change(&d, at(7), "note.ack", |tx| tx.acknowledge_note(id)).unwrap();
    a.merge(&mut b).unwrap();
    let acks = a.read().unwrap().notes[&id.to_string()].acks.clone();
    assert_eq!(acks.len(), 2, "both members' acknowledgements are kept: {acks:?}");
    assert_eq!(
        acks[&n.member.to_string()],
        at(5),
        "the first acknowledgement time stays"
    );
    assert_eq!(acks[&d.member.to_string()], at(7));
    let missing = EntryId::random();
    assert!(a
        .change(&n, at(10), "note.ack", |tx| tx.acknowledge_note(missing))
        .is_err());
}

#[test]
fn reviews_are_kept_per_member_merge_across_laptops_and_are_no_conflict() {
    let n = nurse();
    let d = doctor();
    let (mut a, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut b = copy(&a);
    let mut c = copy(&a);
    // The nurse reviews on two laptops at once; the doctor reviews too.
    let n_laptop2 = Writer {
        device: DeviceId::random(),
        ..n.clone()
    };
    a.change(&n, at(5), "review", |tx| tx.mark_reviewed()).unwrap();
    c.change(&n_laptop2, at(6), "review", |tx| tx.mark_reviewed()).unwrap();
    b.change(&d, at(7), "review", |tx| tx.mark_reviewed()).unwrap();
    // A laptop with a slow clock does not move a review back.
    b.change(&d, at(3), "review", |tx| tx.mark_reviewed()).unwrap();
    a.merge(&mut b).unwrap();
    a.merge(&mut c).unwrap();
    let reviews = a.read().unwrap().reviews;
    assert_eq!(reviews[&d.member.to_string()], at(7));
    assert!([at(5), at(6)].contains(&reviews[&n.member.to_string()]), "{reviews:?}");
    assert!(
        a.conflicts().unwrap().is_empty(),
        "a review is bookkeeping, not a conflict"
    );
}

#[test]
fn reading_since_a_time_gives_what_changed_since_and_open_tasks() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let task = r
            .change(&n, at(10 + i), "visit", |tx| {
                tx.add_note(note(&format!("訪問{i}")))?;
                tx.add_vitals(
                    VitalsForm {
                        pulse: Some("70".into()),
                        ..Default::default()
                    }
                    .parse(at(10 + i))?,
                )?;
                tx.add_task(NewTask {
                    title: format!("タスク{i}"),
                    assignee: None,
                    due: None,
                    priority: Priority::Normal,
                })
            })
            .unwrap()
            .value;
        tasks.push(task);
    }
    // Task 0 closed late (after the cut); task 1 closed early (before it).
    r.change(&n, at(12), "task.done", |tx| {
        tx.set_task_status(tasks[1], TaskStatus::Done)
    })
    .unwrap();
    r.change(&n, at(30), "task.done", |tx| {
        tx.set_task_status(tasks[0], TaskStatus::Done)
    })
    .unwrap();
    let since = r.read_since(at(17)).unwrap();
    let texts: Vec<String> = since.notes.values().map(|n| n.versions[0].text.clone()).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert_eq!(since.vitals.len(), 3);
    assert!(since.tasks.contains_key(&tasks[0].to_string()), "closed after the cut");
    assert!(
        !since.tasks.contains_key(&tasks[1].to_string()),
        "closed before the cut"
    );
    assert_eq!(since.tasks.len(), 9, "8 open and 1 closed since");
    assert_eq!(since.patient, r.read().unwrap().patient);
}

#[test]
fn reading_the_recent_part_gives_the_newest_notes_the_count_open_tasks_and_the_rest_whole() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    for i in 0..12 {
        r.change(&n, at(10 + i), "visit", |tx| {
            tx.add_note(note(&format!("訪問{i}")))?;
            tx.add_vitals(
                VitalsForm {
                    pulse: Some("70".into()),
                    ..Default::default()
                }
                .parse(at(10 + i))?,
            )
        })
        .unwrap();
    }
    let Recent {
        record: recent,
        notes_total,
        vitals_total,
    } = r.read_recent(5, None).unwrap();
    let full = r.read().unwrap();
    assert_eq!((notes_total, vitals_total), (12, 12));
    let texts: Vec<_> = recent
        .notes_newest_first()
        .iter()
        .map(|(_, n)| n.current().text.clone())
        .collect();
    assert_eq!(texts, ["訪問11", "訪問10", "訪問9", "訪問8", "訪問7"]);
    assert_eq!(recent.vitals, full.vitals);
    assert_eq!(recent.patient, full.patient);
    assert_eq!(recent.members, full.members);
    let all = r.read_recent(usize::MAX, None).unwrap().record;
    assert_eq!(all, full, "with no closed tasks, everything is read");
    let since = r.read_recent(5, Some(at(15))).unwrap();
    assert_eq!(since.vitals_total, 12, "all readings are counted");
    assert_eq!(since.record.vitals.len(), 7, "readings from at(15) on are read");
    assert!(since.record.vitals.values().all(|v| v.recorded_at >= at(15)));
    let task = r
        .change(&n, at(30), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "物品補充".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap()
        .value;
    assert_eq!(r.read_recent(1, None).unwrap().record.tasks.len(), 1);
    r.change(&n, at(31), "task.done", |tx| tx.set_task_status(task, TaskStatus::Done))
        .unwrap();
    assert!(
        r.read_recent(1, None).unwrap().record.tasks.is_empty(),
        "closed tasks are left out"
    );
}

#[test]
fn a_summary_reads_urgent_notes_of_any_age_recent_readings_the_latest_one_and_open_tasks() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let old_urgent = r
        .change(&n, at(1), "note.add", |tx| {
            tx.add_note(NewNote {
                text: "SpO2 88%。主治医へ報告。".into(),
                category: NoteCategory::Report,
                urgency: Urgency::Urgent,
            })
        })
        .unwrap()
        .value;
    for i in 0..5 {
        r.change(&n, at(100 + i * 100), "visit", |tx| {
            tx.add_note(note("定期訪問"))?;
            tx.add_vitals(
                VitalsForm {
                    pulse: Some("70".into()),
                    ..Default::default()
                }
                .parse(at(100 + i * 100))?,
            )
        })
        .unwrap();
    }
    // Nothing recorded since: only the latest reading comes, for 最終訪問.
    let summary = r.read_summary(at(10_000)).unwrap();
    assert_eq!(summary.notes.keys().collect::<Vec<_>>(), [&old_urgent.to_string()]);
    assert_eq!(summary.vitals.len(), 1);
    assert_eq!(summary.vitals.values().next().unwrap().recorded_at, at(500));
    // Since the third visit: the last three readings.
    assert_eq!(r.read_summary(at(300)).unwrap().vitals.len(), 3);
    let full = r.read().unwrap();
    assert_eq!(summary.patient, full.patient);
    assert_eq!(summary.tasks, full.tasks);
}
