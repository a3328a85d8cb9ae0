//! The doctor's instruction, the renewal request made once, the on-call
//! rota in a station's record, the team's settings and who may write them,
//! and passive 既読.

mod common;

use care_model::instructions::{renewal_task_id, RENEWAL_TITLE};
use care_model::*;
use common::*;

fn d(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn ordinary(start: &str, end: &str) -> NewInstruction {
    NewInstruction {
        kind: InstructionKind::Ordinary,
        issued_on: d(start),
        start: d(start),
        end: d(end),
        doctor: Person {
            name: "鈴木 一郎".into(),
            organisation: Some("すずき内科クリニック".into()),
            phone: Some("03-1234-5678".into()),
            fax: Some("03-1234-5679".into()),
            member: None,
        },
        diagnoses: vec![(
            "慢性心不全".into(),
            Some(CodeInput {
                code: "4280012".into(),
                modifiers: vec![],
                icd10: Some("I50.0".into()),
                master: "20240601".into(),
            }),
        )],
        bedridden: Some("A2".into()),
        dementia: None,
        devices: vec!["在宅酸素療法 2L/分".into()],
        directions: "心不全増悪の兆候（体重増加、浮腫）に注意".into(),
        emergency_contact: "すずき内科 03-1234-5678（夜間 090-0000-9999）".into(),
    }
}

fn sender(w: &Writer, admin: bool) -> Sender {
    Sender {
        device: w.device,
        member: w.member,
        admin,
        family: false,
    }
}

#[test]
fn three_laptops_that_see_the_same_expiry_make_one_renewal_request() {
    let (n, doc) = (nurse(), doctor());
    let mut patient = patient();
    patient.doctor = Some(Person {
        member: Some(doc.member),
        name: "鈴木 一郎".into(),
        ..Default::default()
    });
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient, at(0)).unwrap();
    let id = r
        .change(&n, at(1), "instruction.add", |tx| {
            tx.add_instruction(ordinary("2026-06-01", "2026-11-30"))
        })
        .unwrap()
        .value;
    // 2026-11-24 is within four weeks of 11-30.
    let today = at(0).date_jst();
    let rec = r.read().unwrap();
    assert_eq!(
        rec.instruction_status(today),
        InstructionStatus::EndsSoon { until: d("2026-11-30") }
    );
    assert_eq!(rec.renewal_needed(today), Some(id));
    assert_eq!(rec.renewal_needed(d("2026-10-01")), None, "not before four weeks ahead");

    // Three laptops (the nurse's, a second nurse's, the doctor's) see it
    // offline at once and each makes the request.
    let other = writer("田中 美咲", Profession::Nurse, "つばさ訪問看護ステーション");
    let mut laptops = [copy(&r), copy(&r), copy(&r)];
    for (laptop, w) in laptops.iter_mut().zip([&n, &other, &doc]) {
        let made = laptop
            .change(w, at(5), "instruction.renewal", |tx| tx.ensure_renewal_task(id))
            .unwrap();
        assert!(made.value);
    }
    let [mut a, mut b, mut c] = laptops;
    a.merge(&mut b).unwrap();
    a.merge(&mut c).unwrap();
    let rec = a.read().unwrap();
    let renewals: Vec<_> = rec.tasks.values().filter(|t| t.title == RENEWAL_TITLE).collect();
    assert_eq!(renewals.len(), 1, "one request, however many laptops made it");
    assert_eq!(renewals[0].assignee, Some(Assignee::Member(doc.member)));
    assert_eq!(renewals[0].due, Some(d("2026-11-16")));
    assert!(rec.tasks.contains_key(&renewal_task_id(&id).to_string()));
    assert!(a.conflicts().unwrap().is_empty(), "nothing for the manager to settle");
    assert_eq!(rec.renewal_needed(today), None, "made: not asked again");
    // A laptop that merged it does not make it again.
    let again = a
        .change(&n, at(6), "instruction.renewal", |tx| tx.ensure_renewal_task(id))
        .unwrap();
    assert!(!again.value);

    // After the end: 指示書切れ.
    assert_eq!(
        rec.instruction_status(d("2026-12-01")),
        InstructionStatus::Ended { on: d("2026-11-30") }
    );
    // A new instruction following on: valid again.
    a.change(&n, at(7), "instruction.add", |tx| {
        tx.add_instruction(ordinary("2026-12-01", "2027-05-31"))
    })
    .unwrap();
    assert_eq!(
        a.read().unwrap().instruction_status(d("2026-11-25")),
        InstructionStatus::Valid { until: d("2027-05-31") }
    );
}

#[test]
fn an_instruction_keeps_the_doctors_wording_and_who_added_each_code() {
    let (n, other) = (
        nurse(),
        writer("田中 美咲", Profession::Nurse, "つばさ訪問看護ステーション"),
    );
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut new = ordinary("2026-06-01", "2026-11-30");
    new.diagnoses.push(("くも膜下出血の疑い".into(), None));
    let id = r
        .change(&n, at(1), "instruction.add", |tx| tx.add_instruction(new))
        .unwrap()
        .value;
    r.change(&other, at(2), "instruction.code", |tx| {
        tx.code_diagnosis(
            id,
            1,
            CodeInput {
                code: "4309001".into(),
                modifiers: vec!["4012".into(), "8002".into()],
                icd10: Some("I60.9".into()),
                master: "20240601".into(),
            },
        )
    })
    .unwrap();
    let ins = &r.read().unwrap().instructions[&id.to_string()];
    assert_eq!(ins.diagnoses[1].name, "くも膜下出血の疑い");
    let code = ins.diagnoses[1].code.as_ref().unwrap();
    assert_eq!((code.code.as_str(), code.coded_by), ("4309001", other.member));
    assert_eq!(ins.diagnoses[0].code.as_ref().unwrap().coded_by, n.member);
    // A 特別 without an ordinary one at its start is refused; over it, kept.
    let mut special = ordinary("2026-12-05", "2026-12-18");
    special.kind = InstructionKind::Special;
    let e = r
        .change(&n, at(3), "instruction.add", |tx| tx.add_instruction(special.clone()))
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "kind"), "{e}");
    special.start = d("2026-11-01");
    special.issued_on = d("2026-11-01");
    special.end = d("2026-11-14");
    r.change(&n, at(3), "instruction.add", |tx| tx.add_instruction(special))
        .unwrap();
    assert_eq!(r.read().unwrap().instructions.len(), 2);
}

#[test]
fn a_forged_code_author_is_refused() {
    let (n, doc) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "instruction.add", |tx| {
            tx.add_instruction(ordinary("2026-06-01", "2026-11-30"))
        })
        .unwrap()
        .value;
    // The doctor's laptop writes a code: fine. The same change claiming the
    // nurse coded it is refused (the doctor names only herself).
    let mut theirs = copy(&r);
    let honest = theirs
        .change(&doc, at(2), "instruction.code", |tx| {
            tx.code_diagnosis(
                id,
                0,
                CodeInput {
                    code: "0000999".into(),
                    master: "20240601".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap()
        .change
        .unwrap();
    copy(&r).admit(&honest, sender(&doc, false)).unwrap();
    let impostor = Writer {
        member: n.member,
        ..doc.clone()
    };
    let mut theirs = copy(&r);
    let forged = theirs
        .change(&impostor, at(2), "instruction.code", |tx| {
            tx.code_diagnosis(
                id,
                0,
                CodeInput {
                    code: "0000999".into(),
                    master: "20240601".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap()
        .change
        .unwrap();
    let e = copy(&r).admit(&forged, sender(&doc, false)).unwrap_err();
    assert!(matches!(e, Refusal::OthersEntry(_)), "{e}");
}

#[test]
fn only_admins_write_the_teams_settings_and_a_stations_rota() {
    let (n, doc) = (nurse(), doctor());
    let (r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let settings = TeamSettings {
        escalation_minutes: 5,
        read_receipts: true,
        ..Default::default()
    };
    let change = copy(&r)
        .change(&doc, at(1), "settings", |tx| tx.set_settings(settings))
        .unwrap()
        .change
        .unwrap();
    let e = copy(&r).admit(&change, sender(&doc, false)).unwrap_err();
    assert!(matches!(e, Refusal::AdminsOnly(_)), "{e}");
    let mut mine = copy(&r);
    mine.admit(&change, sender(&doc, true)).unwrap();
    assert_eq!(mine.settings().unwrap(), settings);
    let bad = copy(&r).change(&n, at(1), "settings", |tx| {
        tx.set_settings(TeamSettings {
            escalation_minutes: 0,
            read_receipts: false,
            ..Default::default()
        })
    });
    assert!(bad.is_err(), "0 minutes is refused");

    // A station's rota.
    let (station, _) = CareRecord::create_station(TeamId::random(), &n, "つばさ訪問看護ステーション", at(0)).unwrap();
    assert_eq!(station.kind().unwrap(), RecordKind::Station);
    assert_eq!(r.kind().unwrap(), RecordKind::Patient);
    let duty = Duty {
        nurse: Some(Person {
            member: Some(doc.member),
            name: "鈴木 一郎".into(),
            phone: Some("090-1111-2222".into()),
            ..Default::default()
        }),
        doctor: None,
    };
    let change = copy(&station)
        .change(&doc, at(1), "rota.weekly", |tx| {
            tx.set_weekly_duty(2, Some(duty.clone()))
        })
        .unwrap()
        .change
        .unwrap();
    assert!(matches!(
        copy(&station).admit(&change, sender(&doc, false)),
        Err(Refusal::AdminsOnly(_))
    ));
    let mut mine = copy(&station);
    mine.admit(&change, sender(&doc, true)).unwrap();
    // 2026-11-24 is a Tuesday.
    let on_call = mine.read().unwrap().rota.on_call(at(60)).unwrap();
    assert_eq!(on_call.duty, duty);
}

#[test]
fn seen_by_lists_who_opened_the_record_after_a_note_was_written() {
    let (n, doc) = (nurse(), doctor());
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "note.add", |tx| {
            tx.add_note(note("明日の訪問時間を変更します"))
        })
        .unwrap()
        .value;
    r.change(&doc, at(5), "seen", |tx| tx.mark_seen()).unwrap();
    r.change(&n, at(6), "seen", |tx| tx.mark_seen()).unwrap();
    let rec = r.read().unwrap();
    let seen = settings::seen_by(&rec.notes[&id.to_string()], &rec.seen);
    assert_eq!(seen, vec![(doc.member.to_string().as_str(), at(5))], "not the author");
    // A member marks only their own 既読.
    let forged = copy(&r)
        .change(
            &Writer {
                member: n.member,
                ..doc.clone()
            },
            at(7),
            "seen",
            |tx| tx.mark_seen(),
        )
        .unwrap()
        .change
        .unwrap();
    assert!(copy(&r).admit(&forged, sender(&doc, false)).is_err());
}

#[test]
fn an_urgent_note_reaches_the_patients_own_nurses_and_the_doctor_at_once() {
    let (own, other, doc) = (
        nurse(),
        writer("田中 美咲", Profession::Nurse, "つばさ訪問看護ステーション"),
        doctor(),
    );
    let (mut r, _) = CareRecord::create(TeamId::random(), &own, patient(), at(0)).unwrap();
    // The other nurse is in the team but neither visits nor plans.
    r.change(&other, at(1), "review", |tx| tx.mark_reviewed()).unwrap();
    r.change(&doc, at(2), "note.add", |tx| tx.add_note(note("往診しました")))
        .unwrap();
    let id = r
        .change(&own, at(3), "note.add", |tx| {
            tx.add_note(NewNote {
                urgency: Urgency::Urgent,
                ..note("SpO2 86%、呼吸苦")
            })
        })
        .unwrap()
        .value;
    let rec = r.read().unwrap();
    let first = |w: &Writer| notify::first_responder(&rec, &w.member, w.profile.profession, at(4));
    assert!(first(&own) && first(&doc));
    assert!(!first(&other), "she hears of it if nobody acknowledges it");
    // A doctor who joined but never wrote is not in the record's members:
    // her own profession says she is told.
    let newcomer = writer("高橋 医師", Profession::Doctor, "たかはし医院");
    assert!(first(&newcomer));
    let n = &rec.notes[&id.to_string()];
    use notify::{note_reason, Reason};
    assert_eq!(
        note_reason(n, &doc.member, "鈴木 一郎", true, true),
        Some(Reason::Urgent),
        "muted or not"
    );
    assert_eq!(note_reason(n, &other.member, "田中 美咲", false, false), None);
    // A plan for her makes her one of the patient's own.
    r.change(&own, at(5), "plan.add", |tx| {
        tx.add_plan(NewPlan {
            weekday: Some(3),
            from: at(5).date_jst(),
            until: None,
            start: "10:00".into(),
            end: "11:00".into(),
            who: Some(Assignee::Member(other.member)),
        })
    })
    .unwrap();
    assert!(notify::first_responder(
        &r.read().unwrap(),
        &other.member,
        Profession::Nurse,
        at(6)
    ));
    // The day's budget: addressed notes wait past three, urgent never.
    assert!(notify::within_budget(Reason::Addressed, 2));
    assert!(!notify::within_budget(Reason::Addressed, 3));
    assert!(notify::within_budget(Reason::Urgent, 9));
}
