//! A hostile member's changes, as another laptop admits (or refuses) them.

mod common;

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ReadDoc, ROOT};
use care_model::admit::{check_inflation, MAX_INFLATED_BYTES};
use care_model::*;
use common::*;

fn sender(w: &Writer) -> Sender {
    Sender {
        device: w.device,
        member: w.member,
        admin: false,
        family: false,
    }
}

/// A record both the nurse and the doctor have written in, as the nurse's
/// laptop holds it.
fn team() -> (CareRecord, Writer, Writer) {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    r.change(&d, at(1), "note.add", |tx| tx.add_note(note("往診しました")))
        .unwrap();
    (r, n, d)
}

/// A change made with automerge directly, as a hostile member's modified
/// app would, by `actor` on top of `record`.
fn forged(
    record: &CareRecord,
    actor: DeviceId,
    f: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> ChangeBytes {
    let mut doc = Automerge::load(&record.save())
        .unwrap()
        .with_actor(ActorId::from(actor.as_bytes().as_slice()));
    let mut tx = doc.transaction();
    f(&mut tx);
    let (hash, _) = tx.commit();
    let change = doc.get_change_by_hash(&hash.unwrap()).unwrap();
    ChangeBytes::parse(change.raw_bytes().to_vec()).unwrap()
}

fn map(doc: &CareRecord, name: &str) -> automerge::ObjId {
    let d = Automerge::load(&doc.save()).unwrap();
    d.get(ROOT, name).unwrap().unwrap().1
}

#[test]
fn an_honest_change_from_another_member_is_admitted() {
    let (mut nurses, n, d) = team();
    let mut doctors = CareRecord::load(&nurses.save()).unwrap();
    let c = doctors
        .change(&d, at(2), "visit", |tx| tx.add_note(note("処方を変更")))
        .unwrap()
        .change
        .unwrap();
    nurses.admit(&c, sender(&d)).unwrap();
    assert_eq!(nurses.read().unwrap().notes.len(), 2);
    // The same change again is harmless.
    nurses.admit(&c, sender(&d)).unwrap();
    let _ = n;
}

#[test]
fn a_change_written_as_another_device_is_refused() {
    let (mut r, n, d) = team();
    // The nurse's laptop seals a change whose actor is the doctor's device:
    // history() would name the doctor for it.
    let c = forged(&r, d.device, |tx| {
        let notes = tx.get(ROOT, "notes").unwrap().unwrap().1;
        tx.put(&notes, "fake", "x").unwrap();
    });
    let err = r.admit(&c, sender(&n)).unwrap_err();
    assert!(matches!(err, Refusal::ForgedActor(_)), "{err}");
}

#[test]
fn a_change_may_not_rebind_another_device_or_member() {
    let (r, n, d) = team();
    let devices = map(&r, "devices");
    let members = map(&r, "members");
    let cases: Vec<(&str, ChangeBytes)> = vec![
        (
            "the doctor's device bound to the nurse",
            forged(&r, n.device, |tx| {
                tx.put(&devices, d.device.to_string(), n.member.to_string()).unwrap();
            }),
        ),
        (
            "the nurse's own device bound to the doctor's member id",
            forged(&r, n.device, |tx| {
                tx.put(&devices, n.device.to_string(), d.member.to_string()).unwrap();
            }),
        ),
        (
            "the doctor's name changed",
            forged(&r, n.device, |tx| {
                let doctor = tx.get(&members, d.member.to_string()).unwrap().unwrap().1;
                tx.put(&doctor, "name", "偽 医師").unwrap();
            }),
        ),
        (
            "the doctor's member entry replaced",
            forged(&r, n.device, |tx| {
                tx.put_object(&members, d.member.to_string(), automerge::ObjType::Map)
                    .unwrap();
            }),
        ),
    ];
    for (what, c) in cases {
        let mut mine = CareRecord::load(&r.save()).unwrap();
        let err = mine.admit(&c, sender(&n)).unwrap_err();
        assert!(matches!(err, Refusal::OthersEntry(_)), "{what}: {err}");
    }
}

#[test]
fn a_change_that_would_hide_or_break_the_record_is_refused() {
    let (r, n, _) = team();
    let patient = map(&r, "patient");
    type Case = (&'static str, ChangeBytes, fn(&Refusal) -> bool);
    let cases: Vec<Case> = vec![
        (
            "delete the patient",
            forged(&r, n.device, |tx| tx.delete(ROOT, "patient").unwrap()),
            |e| matches!(e, Refusal::RootRewrite(_)),
        ),
        (
            "a schema from the future",
            forged(&r, n.device, |tx| tx.put(ROOT, "schema", 99u64).unwrap()),
            |e| matches!(e, Refusal::RootRewrite(_)),
        ),
        (
            "a second, empty notes map",
            forged(&r, n.device, |tx| {
                tx.put_object(ROOT, "notes", automerge::ObjType::Map).unwrap();
            }),
            |e| matches!(e, Refusal::RootRewrite(_)),
        ),
        (
            "the patient's name as a number",
            forged(&r, n.device, |tx| tx.put(&patient, "name", 42i64).unwrap()),
            |e| matches!(e, Refusal::Unreadable(_)),
        ),
        (
            "the visit plans as a number (a map made on first use)",
            forged(&r, n.device, |tx| tx.put(ROOT, "plans", 1i64).unwrap()),
            |e| matches!(e, Refusal::Unreadable(_)),
        ),
        (
            "the visits as a list",
            forged(&r, n.device, |tx| {
                tx.put_object(ROOT, "visits", automerge::ObjType::List).unwrap();
            }),
            |e| matches!(e, Refusal::Unreadable(_)),
        ),
        (
            "the reviews as text",
            forged(&r, n.device, |tx| tx.put(ROOT, "reviews", "x").unwrap()),
            |e| matches!(e, Refusal::Unreadable(_) | Refusal::RootRewrite(_)),
        ),
        (
            "the case closed by nobody",
            forged(&r, n.device, |tx| tx.put(ROOT, "case", "closed").unwrap()),
            |e| matches!(e, Refusal::Unreadable(_)),
        ),
        (
            "a note that is not a note",
            forged(&r, n.device, |tx| {
                let notes = tx.get(ROOT, "notes").unwrap().unwrap().1;
                tx.put_object(&notes, EntryId::random().to_string(), automerge::ObjType::List)
                    .unwrap();
            }),
            |e| matches!(e, Refusal::Unreadable(_)),
        ),
    ];
    for (what, c, expected) in cases {
        let mut mine = CareRecord::load(&r.save()).unwrap();
        let err = mine.admit(&c, sender(&n)).unwrap_err();
        assert!(expected(&err), "{what}: {err}");
    }
    // A newer app's new root key is kept, not refused.
    let mut mine = CareRecord::load(&r.save()).unwrap();
    let newer = forged(&r, n.device, |tx| {
        tx.put_object(ROOT, "a_newer_collection", automerge::ObjType::Map)
            .unwrap();
    });
    mine.admit(&newer, sender(&n)).unwrap();
}

#[test]
fn a_compressed_change_that_inflates_past_the_cap_is_refused_before_automerge_sees_it() {
    use std::io::Write;
    // 65 MiB of zeros deflate to about 65 KB.
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..=(MAX_INFLATED_BYTES >> 20) {
        enc.write_all(&zeros).unwrap();
    }
    let body = enc.finish().unwrap();
    assert!(body.len() < 1 << 20, "fits in one envelope: {} bytes", body.len());
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut len = body.len() as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            chunk.push(byte);
            break;
        }
        chunk.push(byte | 0x80);
    }
    chunk.extend_from_slice(&body);
    assert_eq!(check_inflation(&chunk), Err(Refusal::TooLarge));
    let (mut r, _, d) = team();
    let bomb = ChangeBytes {
        hash: [1; 32],
        bytes: chunk,
    };
    assert_eq!(r.admit(&bomb, sender(&d)), Err(Refusal::TooLarge));
    // A real record, saved whole, is well under the cap.
    check_inflation(&r.save()).unwrap();
    for c in r.changes() {
        check_inflation(&c.bytes).unwrap();
    }
}

#[test]
fn a_member_may_name_only_themselves_as_who_wrote_closed_or_acknowledged() {
    let (mut r, n, d) = team();
    let task = r
        .change(&n, at(2), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "褥瘡処置".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap()
        .value;
    let nurses_note = r
        .change(&n, at(3), "note.add", |tx| tx.add_note(note("夜間に発熱")))
        .unwrap()
        .value;
    // The doctor's honest work on the nurse's entries is admitted.
    let mut doctors = CareRecord::load(&r.save()).unwrap();
    let honest = [
        doctors.change(&d, at(4), "note.ack", |tx| tx.acknowledge_note(nurses_note)),
        doctors.change(&d, at(5), "task.done", |tx| tx.set_task_status(task, TaskStatus::Done)),
        doctors.change(&d, at(6), "task.open", |tx| tx.set_task_status(task, TaskStatus::Open)),
        doctors.change(&d, at(7), "review", |tx| tx.mark_reviewed()),
    ];
    for c in honest {
        let c = c.unwrap().change.unwrap();
        r.admit(&c, sender(&d)).unwrap();
    }
    // Written by the nurse's laptop, naming the doctor: refused.
    let notes = map(&r, "notes");
    let doc = Automerge::load(&r.save()).unwrap();
    let note_obj = doc.get(&notes, nurses_note.to_string()).unwrap().unwrap().1;
    let acks = doc.get(&note_obj, "acks").unwrap().unwrap().1;
    let reviews = map(&r, "reviews");
    let cases: Vec<(&str, ChangeBytes)> = vec![
        (
            "a note whose author is the doctor",
            forged(&r, n.device, |tx| {
                let new = tx
                    .put_object(&notes, EntryId::random().to_string(), automerge::ObjType::Map)
                    .unwrap();
                tx.put(&new, "author", d.member.to_string()).unwrap();
            }),
        ),
        (
            "an acknowledgement in the doctor's name",
            forged(&r, n.device, |tx| {
                tx.put(&acks, format!("{}", MemberId::random()), 1i64).unwrap();
            }),
        ),
        (
            "a review in the doctor's name",
            forged(&r, n.device, |tx| {
                tx.put(&reviews, d.member.to_string(), 9i64).unwrap();
            }),
        ),
    ];
    for (what, c) in cases {
        let mut mine = CareRecord::load(&r.save()).unwrap();
        let err = mine.admit(&c, sender(&n)).unwrap_err();
        assert!(matches!(err, Refusal::OthersEntry(_)), "{what}: {err}");
    }
}

#[test]
fn a_whole_record_from_a_member_is_checked_by_what_it_holds() {
    let (r, n, d) = team();
    let member_of = |dev: &DeviceId| {
        if *dev == n.device {
            Some(n.member)
        } else if *dev == d.device {
            Some(d.member)
        } else {
            None
        }
    };
    let honest = CareRecord::admit_whole(&r.save(), Some(n.device), member_of, |_| false).unwrap();
    assert_eq!(honest.heads(), r.heads());
    // A record holding any of the hostile changes above is refused whole.
    let devices = map(&r, "devices");
    let members = map(&r, "members");
    let patient = map(&r, "patient");
    let stranger = DeviceId::random();
    type Case = (&'static str, ChangeBytes);
    let cases: Vec<Case> = vec![
        (
            "a change by a device off the team",
            forged(&r, stranger, |tx| tx.put(&patient, "phone", "000").unwrap()),
        ),
        (
            "the doctor's device bound to the nurse",
            forged(&r, n.device, |tx| {
                tx.put(&devices, d.device.to_string(), n.member.to_string()).unwrap();
            }),
        ),
        (
            "the doctor's name changed by the nurse",
            forged(&r, n.device, |tx| {
                let doctor = tx.get(&members, d.member.to_string()).unwrap().unwrap().1;
                tx.put(&doctor, "name", "偽 医師").unwrap();
            }),
        ),
        (
            "a second patient",
            forged(&r, d.device, |tx| {
                tx.put_object(ROOT, "patient", automerge::ObjType::Map).unwrap();
            }),
        ),
        (
            "the patient's name as a number",
            forged(&r, d.device, |tx| tx.put(&patient, "name", 42i64).unwrap()),
        ),
    ];
    for (what, c) in cases {
        let mut doc = Automerge::load(&r.save()).unwrap();
        doc.load_incremental(&c.bytes).unwrap();
        assert!(
            CareRecord::admit_whole(&doc.save(), Some(n.device), member_of, |_| false).is_err(),
            "{what}"
        );
    }
    // A made-up record, started by the doctor's device: not the team's.
    let (made_up, _) = CareRecord::create(
        r.team(),
        &d,
        Patient {
            name: "偽 患者".into(),
            ..Default::default()
        },
        at(0),
    )
    .unwrap();
    assert!(matches!(
        CareRecord::admit_whole(&made_up.save(), Some(n.device), member_of, |_| false),
        Err(Refusal::RootRewrite(_))
    ));
}

/// Not a check: how long admitting a long record change by change takes
/// (`cargo test --release -p care-model --test admit -- --ignored --nocapture`).
#[test]
#[ignore]
fn figure_admitting_five_thousand_changes() {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    for i in 0..5000 {
        let w = if i % 2 == 0 { &n } else { &d };
        r.change(w, at(i + 1), "visit", |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some("132/84".into()),
                    spo2: Some("96".into()),
                    ..Default::default()
                }
                .parse(at(i + 1))?,
            )?;
            tx.add_note(note(&format!("訪問 {i}")))
        })
        .unwrap();
    }
    let changes = r.changes();
    let started = std::time::Instant::now();
    let plain = CareRecord::load(&changes.iter().flat_map(|c| c.bytes.clone()).collect::<Vec<_>>()).unwrap();
    let loaded = started.elapsed();
    let mut admitted = CareRecord::load(&changes[0].bytes).unwrap();
    let started = std::time::Instant::now();
    for c in &changes[1..] {
        let author = c.author().unwrap();
        let member = if author == n.device { n.member } else { d.member };
        admitted
            .admit(
                c,
                Sender {
                    device: author,
                    member,
                    admin: false,
                    family: false,
                },
            )
            .unwrap();
    }
    let took = started.elapsed();
    assert_eq!(admitted.heads(), plain.heads());
    let mut applied = CareRecord::load(&changes[0].bytes).unwrap();
    let started = std::time::Instant::now();
    for c in &changes[1..] {
        applied.apply(&c.bytes).unwrap();
    }
    eprintln!("applied one by one without checks in {:?}", started.elapsed());
    let saved = plain.save();
    let started = std::time::Instant::now();
    CareRecord::admit_whole(
        &saved,
        Some(n.device),
        |dev| Some(if *dev == n.device { n.member } else { d.member }),
        |_| false,
    )
    .unwrap();
    eprintln!("admitted whole (load, checks, read) in {:?}", started.elapsed());
    eprintln!(
        "{} changes: loaded at once in {loaded:?}; admitted one by one in {took:?} ({:.0} µs each)",
        changes.len(),
        took.as_secs_f64() * 1e6 / changes.len() as f64
    );
}

#[test]
fn only_an_admin_may_reopen_a_closed_case() {
    let (mut r, n, d) = team();
    r.change(&n, at(100), "case.close", |tx| {
        tx.close_case(ClosureReason::Hospital, at(100).date_jst(), None)
    })
    .unwrap();
    // The doctor's laptop gets the closure, then reopens it (its app would
    // not let a non-admin; a modified one might).
    let mut theirs = CareRecord::load(&r.save()).unwrap();
    let reopen = theirs
        .change(&d, at(110), case::REOPEN_ACTION, |tx| tx.reopen_case())
        .unwrap()
        .change
        .unwrap();
    let mut mine = CareRecord::load(&r.save()).unwrap();
    let err = mine.admit(&reopen, sender(&d)).unwrap_err();
    assert!(matches!(err, Refusal::AdminsOnly(_)), "{err}");
    // The same from an admin is admitted.
    let mut mine = CareRecord::load(&r.save()).unwrap();
    mine.admit(
        &reopen,
        Sender {
            admin: true,
            family: false,
            ..sender(&d)
        },
    )
    .unwrap();
    assert!(!mine.case().unwrap().is_closed());
}

#[test]
fn nobody_may_turn_a_patients_record_into_a_stations_afterwards() {
    let (r, _, d) = team();
    // A later `kind` would hide the patient from everyone's Today.
    let hide = forged(&r, d.device, |tx| {
        tx.put(ROOT, "kind", "station").unwrap();
    });
    let err = copy(&r).admit(&hide, sender(&d)).unwrap_err();
    assert!(matches!(err, Refusal::RootRewrite(ref k) if k == "kind"), "{err}");
}

#[test]
fn a_draft_saved_in_another_members_name_or_unreadable_is_refused() {
    let (r, n, d) = team();
    // An honest draft from the doctor is admitted.
    let mut doctors = CareRecord::load(&r.save()).unwrap();
    let fields = std::collections::BTreeMap::from([("care".to_string(), "処置内容".to_string())]);
    let honest = doctors
        .change(&d, at(3), "draft.save", |tx| {
            tx.save_draft(DraftKey::Report(2026, 11), &fields)
        })
        .unwrap()
        .change
        .unwrap();
    let mut mine = CareRecord::load(&r.save()).unwrap();
    mine.admit(&honest, sender(&d)).unwrap();
    assert_eq!(
        mine.draft(DraftKey::Report(2026, 11)).unwrap().field("care"),
        "処置内容"
    );

    // The nurse's laptop writes a summary and claims the doctor saved it.
    let named = forged(&mine, n.device, |tx| {
        let drafts = tx.get(ROOT, "drafts").unwrap().unwrap().1;
        let draft = tx.put_object(&drafts, "summary", automerge::ObjType::Map).unwrap();
        tx.put_object(&draft, "fields", automerge::ObjType::Map).unwrap();
        tx.put(&draft, "by", d.member.to_string()).unwrap();
    });
    let err = CareRecord::load(&mine.save())
        .unwrap()
        .admit(&named, sender(&n))
        .unwrap_err();
    assert!(matches!(err, Refusal::OthersEntry(_)), "{err}");

    // A draft that no laptop could read (its fields a number).
    let broken = forged(&mine, n.device, |tx| {
        let drafts = tx.get(ROOT, "drafts").unwrap().unwrap().1;
        let draft = tx.get(&drafts, "report:2026-11").unwrap().unwrap().1;
        tx.put(&draft, "fields", 7).unwrap();
    });
    let err = CareRecord::load(&mine.save())
        .unwrap()
        .admit(&broken, sender(&n))
        .unwrap_err();
    assert!(matches!(err, Refusal::Unreadable(_)), "{err}");
}

#[test]
fn a_consent_recorded_in_another_members_name_or_unreadable_is_refused() {
    let (r, n, d) = team();
    let consents = |tx: &mut automerge::transaction::Transaction<'_>| match tx.get(ROOT, "consents").unwrap() {
        Some((_, id)) => id,
        None => tx.put_object(ROOT, "consents", automerge::ObjType::Map).unwrap(),
    };
    // The nurse's laptop records a consent as if the doctor had.
    let named = forged(&r, n.device, |tx| {
        let map = consents(tx);
        let c = tx.put_object(&map, "c1", automerge::ObjType::Map).unwrap();
        tx.put(&c, "by", d.member.to_string()).unwrap();
    });
    let err = CareRecord::load(&r.save())
        .unwrap()
        .admit(&named, sender(&n))
        .unwrap_err();
    assert!(matches!(err, Refusal::OthersEntry(_)), "{err}");
    // A consent no laptop could read (no date, no scope).
    let broken = forged(&r, n.device, |tx| {
        let map = consents(tx);
        let c = tx.put_object(&map, "c2", automerge::ObjType::Map).unwrap();
        tx.put(&c, "by", n.member.to_string()).unwrap();
    });
    let err = CareRecord::load(&r.save())
        .unwrap()
        .admit(&broken, sender(&n))
        .unwrap_err();
    assert!(matches!(err, Refusal::Unreadable(_)), "{err}");
}

fn hospital_form() -> EntryForm {
    EntryForm {
        name: "中野中央病院".into(),
        kind: "hospital".into(),
        specialties: vec!["内科".into(), "整形外科".into()],
        home_visits: false,
        area: "中野区".into(),
        hours: "平日 9:00-17:00".into(),
        phone_24h: Some("03-3333-0000".into()),
        phone: Some("03-3333-1111".into()),
        fax: Some("03-3333-1112".into()),
        address: None,
        accepts: vec!["home_oxygen".into(), "end_of_life".into()],
        notes: String::new(),
    }
}

/// A directory where the nurse keeps her station's entry and the doctor
/// keeps his hospital's, as the nurse's laptop holds it; the two entry ids.
fn directory() -> (CareRecord, Writer, Writer, EntryId, EntryId) {
    let (n, d) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create_directory(TeamId::random(), &n, "中野区（サンプル）", at(0)).unwrap();
    let station = r
        .change(&n, at(1), "directory.add", |tx| {
            tx.add_directory_entry(&EntryForm {
                name: "つばさ訪問看護ステーション".into(),
                kind: "station".into(),
                ..hospital_form()
            })
        })
        .unwrap()
        .value;
    let mut doctors = CareRecord::load(&r.save()).unwrap();
    let c = doctors
        .change(&d, at(2), "directory.add", |tx| {
            tx.add_directory_entry(&hospital_form())
        })
        .unwrap();
    r.admit(&c.change.unwrap(), sender(&d)).unwrap();
    (r, n, d, station, c.value)
}

#[test]
fn each_organisation_keeps_its_own_directory_entry_and_no_other() {
    let (mut r, n, d, station, hospital) = directory();
    // Honest: the doctor posts his hospital's beds; the nurse's laptop takes it.
    let mut doctors = CareRecord::load(&r.save()).unwrap();
    let c = doctors
        .change(&d, at(3), "directory.beds", |tx| {
            tx.post_beds(hospital, BedKind::Community, 2, None)
        })
        .unwrap();
    r.admit(&c.change.unwrap(), sender(&d)).unwrap();
    let rec = r.read().unwrap();
    assert_eq!(rec.directory[&hospital.to_string()].beds["community"].free, 2);

    // Her own app refuses her editing the hospital's entry, with a reason.
    let err = r
        .change(&n, at(4), "directory.beds", |tx| {
            tx.post_beds(hospital, BedKind::General, 9, None)
        })
        .unwrap_err();
    assert!(matches!(err, ModelError::NotYours { .. }), "{err}");

    // A modified app: the nurse writes the hospital's beds directly.
    let dir = map(&r, "directory");
    let entry = |r: &CareRecord, id: EntryId| {
        let doc = Automerge::load(&r.save()).unwrap();
        doc.get(&dir, id.to_string()).unwrap().unwrap().1
    };
    let h = entry(&r, hospital);
    let forged_beds = forged(&r, n.device, |tx| {
        let beds = tx.get(&h, "beds").unwrap().unwrap().1;
        let count = tx.get(&beds, "community").unwrap().unwrap().1;
        tx.put(&count, "free", 0u64).unwrap();
    });
    // (A refusal may come after applying: the laptop then reloads what it
    // stored, as care-store does.)
    let clean = r.save();
    assert!(matches!(
        r.admit(&forged_beds, sender(&n)),
        Err(Refusal::OthersEntry(_))
    ));
    r = CareRecord::load(&clean).unwrap();
    // … adds herself as an editor of the hospital's entry …
    let forged_editor = forged(&r, n.device, |tx| {
        let list = tx.get(&h, "editors").unwrap().unwrap().1;
        tx.insert(&list, 0, n.member.to_string()).unwrap();
    });
    assert!(matches!(
        r.admit(&forged_editor, sender(&n)),
        Err(Refusal::OthersEntry(_))
    ));
    r = CareRecord::load(&clean).unwrap();
    // … or deletes or replaces the entry.
    let deleted = forged(&r, n.device, |tx| tx.delete(&dir, hospital.to_string()).unwrap());
    assert!(matches!(r.admit(&deleted, sender(&n)), Err(Refusal::OthersEntry(_))));
    let replaced = forged(&r, n.device, |tx| {
        tx.put_object(&dir, hospital.to_string(), automerge::ObjType::Map)
            .unwrap();
    });
    assert!(matches!(r.admit(&replaced, sender(&n)), Err(Refusal::OthersEntry(_))));
    r = CareRecord::load(&clean).unwrap();
    assert_eq!(
        r.read().unwrap().directory[&hospital.to_string()].beds["community"].free,
        2
    );

    // The keeper lets a colleague edit: the nurse may then post the beds.
    let mut doctors = CareRecord::load(&r.save()).unwrap();
    let c = doctors
        .change(&d, at(5), "directory.editors", |tx| {
            tx.set_directory_editors(hospital, &[n.member])
        })
        .unwrap();
    r.admit(&c.change.unwrap(), sender(&d)).unwrap();
    r.change(&n, at(6), "directory.beds", |tx| {
        tx.post_beds(hospital, BedKind::General, 4, None)
    })
    .unwrap();
    // But an editor may not change who edits.
    let err = r
        .change(&n, at(7), "directory.editors", |tx| {
            tx.set_directory_editors(hospital, &[])
        })
        .unwrap_err();
    assert!(matches!(err, ModelError::NotYours { .. }));
    let _ = station;

    // A whole record holding a forged write is refused; the honest one is not.
    let member_of = |dev: &DeviceId| {
        [(n.device, n.member), (d.device, d.member)]
            .into_iter()
            .find(|(x, _)| x == dev)
            .map(|(_, m)| m)
    };
    CareRecord::admit_whole(&r.save(), Some(n.device), member_of, |_| false).unwrap();
    let s = entry(&r, station);
    let forged_station = forged(&r, d.device, |tx| tx.put(&s, "name", "乗っ取り").unwrap());
    let mut doc = Automerge::load(&r.save()).unwrap();
    doc.load_incremental(&forged_station.bytes).unwrap();
    assert!(matches!(
        CareRecord::admit_whole(&doc.save(), Some(n.device), member_of, |_| false),
        Err(Refusal::OthersEntry(_))
    ));
}

#[test]
fn a_family_member_writes_only_their_own_notes() {
    let (mut r, n, d) = team();
    let family = Writer {
        member: MemberId::random(),
        device: DeviceId::random(),
        profile: Member {
            name: "山田 花子".into(),
            kana: None,
            profession: Profession::Other,
            organisation: "家族（長女）".into(),
            phone: None,
            email: None,
            fax: None,
            on_call: false,
        },
    };
    let as_family = Sender {
        device: family.device,
        member: family.member,
        admin: false,
        family: true,
    };
    // Honest: her own note (and the devices/members entries it registers).
    let mut hers = CareRecord::load(&r.save()).unwrap();
    let c = hers
        .change(&family, at(5), "note.add", |tx| {
            tx.add_note(note("昨夜はよく眠れました"))
        })
        .unwrap();
    r.admit(&c.change.unwrap(), as_family).unwrap();
    let own_note = c.value;
    let c = hers
        .change(&family, at(6), "note.edit", |tx| {
            tx.edit_note(own_note, note("昨夜はよく眠れました（追記）"))
        })
        .unwrap();
    r.admit(&c.change.unwrap(), as_family).unwrap();
    let clean = r.save();

    // A hostile family laptop: vitals, the patient's details, a nurse's
    // note, an acknowledgement, sharing flags, medications — all refused.
    let doctors_note: EntryId = r
        .read()
        .unwrap()
        .notes
        .keys()
        .find(|k| **k != own_note.to_string())
        .unwrap()
        .parse()
        .unwrap();
    let reading = || VitalSigns {
        taken_at: at(7),
        pulse: Some(80),
        ..Default::default()
    };
    let task = || NewTask {
        title: "買い物".into(),
        assignee: None,
        due: None,
        priority: Priority::Normal,
    };
    type Attempt = Box<dyn Fn(&mut RecordTx<'_, '_>) -> Result<(), ModelError>>;
    let attempts: Vec<(&str, Attempt)> = vec![
        ("vitals", Box::new(move |tx| tx.add_vitals(reading()).map(|_| ()))),
        (
            "patient details",
            Box::new(|tx| tx.update_patient(|p| p.phone = Some("03-0000-0000".into()))),
        ),
        (
            "another's note",
            Box::new(move |tx| tx.edit_note(doctors_note, note("書き換え"))),
        ),
        (
            "an acknowledgement",
            Box::new(move |tx| tx.acknowledge_note(doctors_note)),
        ),
        (
            "sharing another's note",
            Box::new(move |tx| tx.share_note_with_family(doctors_note, true)),
        ),
        ("a task", Box::new(move |tx| tx.add_task(task()).map(|_| ()))),
    ];
    for (what, attempt) in attempts {
        let mut hers = CareRecord::load(&clean).unwrap();
        let Ok(c) = hers.change(&family, at(7), what, |tx| attempt(tx)) else {
            continue;
        };
        let mut nurses = CareRecord::load(&clean).unwrap();
        assert!(
            matches!(nurses.admit(&c.change.unwrap(), as_family), Err(Refusal::FamilyOnly(_))),
            "{what} from a family laptop was admitted"
        );
    }
    // The same writes from a member of the team pass (the rule is the role's).
    let mut doctors = CareRecord::load(&clean).unwrap();
    let c = doctors
        .change(&d, at(8), "vitals", |tx| tx.add_vitals(reading()))
        .unwrap();
    CareRecord::load(&clean)
        .unwrap()
        .admit(&c.change.unwrap(), sender(&d))
        .unwrap();

    // A whole record holding a family-authored reading is refused whole.
    let mut forged_doc = Automerge::load(&clean).unwrap();
    let vitals = map(&CareRecord::load(&clean).unwrap(), "vitals");
    let c = forged(&CareRecord::load(&clean).unwrap(), family.device, |tx| {
        tx.put_object(&vitals, "ffffffffffffffffffffffffffffffff", automerge::ObjType::Map)
            .unwrap();
    });
    forged_doc.load_incremental(&c.bytes).unwrap();
    let member_of = |dev: &DeviceId| {
        [
            (n.device, n.member),
            (d.device, d.member),
            (family.device, family.member),
        ]
        .into_iter()
        .find(|(x, _)| x == dev)
        .map(|(_, m)| m)
    };
    let is_family = |m: &MemberId| *m == family.member;
    CareRecord::admit_whole(&clean, Some(n.device), member_of, is_family).unwrap();
    assert!(matches!(
        CareRecord::admit_whole(&forged_doc.save(), Some(n.device), member_of, is_family),
        Err(Refusal::FamilyOnly(_))
    ));
}
