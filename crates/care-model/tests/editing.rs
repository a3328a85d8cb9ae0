//! Editing a record the way a station does in a day: the patient's
//! details and ACP, contacts in calling order, medications, tasks,
//! thresholds, closing a case, settling a conflict. Each refusal names the
//! field and what is accepted.

mod common;

use care_model::*;
use common::*;

fn date(s: &str) -> CalendarDate {
    CalendarDate::parse("date", s).unwrap()
}

fn contact(name: &str, phone: &str) -> Contact {
    Contact {
        name: name.into(),
        kana: None,
        relation: "長女".into(),
        phone: phone.into(),
        key_person: false,
    }
}

fn with_contacts() -> (CareRecord, Writer) {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    r.change(&n, at(1), "contact.add", |tx| {
        tx.add_contact(contact("山田 花子", "090-0000-0001"))?;
        tx.add_contact(contact("山田 次郎", "090-0000-0002"))?;
        tx.add_contact(contact("民生委員 田中", "03-0000-0003"))
    })
    .unwrap();
    (r, n)
}

fn names(r: &CareRecord) -> Vec<String> {
    r.patient().unwrap().contacts.into_iter().map(|c| c.name).collect()
}

#[test]
fn an_icd10_code_of_the_wrong_shape_is_refused_and_a_right_one_kept() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    for bad in ["I509", "50.9", "i50.9", "I50.", "心不全"] {
        let e = r
            .change(&n, at(1), "patient.edit", |tx| {
                tx.update_patient(|p| p.diagnoses[0].code = Some(bad.into()))
            })
            .unwrap_err();
        match e {
            ModelError::Invalid(v) => {
                assert_eq!(v.field, "code");
                assert_eq!(v.accepted, "ICD-10, e.g. I50.9");
            }
            other => panic!("{bad}: {other}"),
        }
    }
    assert_eq!(
        r.patient().unwrap().diagnoses[0].code,
        None,
        "a refused edit writes nothing"
    );
    for good in ["I50.9", "G20", "E11.65"] {
        r.change(&n, at(2), "patient.edit", |tx| {
            tx.update_patient(|p| p.diagnoses[0].code = Some(good.into()))
        })
        .unwrap();
        assert_eq!(r.patient().unwrap().diagnoses[0].code.as_deref(), Some(good));
    }
}

#[test]
fn every_new_patient_field_is_kept_and_a_renewal_falls_due_a_month_before() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    r.change(&n, at(1), "patient.edit", |tx| {
        tx.update_patient(|p| {
            p.certification = Some(Certification {
                from: date("2026-04-01"),
                until: date("2027-03-31"),
            });
            p.insurance = Some(Insurance {
                kind: InsuranceKind::Ltc,
                number: Some("0000123456".into()),
            });
            p.doctor = Some(Person {
                name: "中野 誠".into(),
                phone: Some("03-0000-2300".into()),
                fax: Some("03-0000-2301".into()),
                ..Default::default()
            });
            p.acp_details = Some(AcpDetails {
                resuscitation: Some(Resuscitation::Dnar),
                hospital: Some("中野総合病院".into()),
                discussed_on: Some(date("2026-10-01")),
                discussed_with: Some("本人・長女".into()),
            });
        })
    })
    .unwrap();
    let p = copy(&r).patient().unwrap();
    assert_eq!(p.renewal_due(), Some(date("2027-02-28")));
    assert_eq!(p.insurance.unwrap().kind, InsuranceKind::Ltc);
    assert_eq!(p.doctor.unwrap().fax.as_deref(), Some("03-0000-2301"));
    assert_eq!(p.acp_details.unwrap().resuscitation, Some(Resuscitation::Dnar));

    let e = r
        .change(&n, at(2), "patient.edit", |tx| {
            tx.update_patient(|p| {
                p.certification = Some(Certification {
                    from: date("2027-04-01"),
                    until: date("2027-03-31"),
                })
            })
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "until"), "{e}");
    let e = r
        .change(&n, at(2), "patient.edit", |tx| {
            tx.update_patient(|p| p.doctor.as_mut().unwrap().fax = Some("fax please".into()))
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "fax"), "{e}");
}

#[test]
fn contacts_are_reordered_only_when_nobody_is_lost() {
    let (mut r, n) = with_contacts();
    for bad in [vec![0, 1], vec![0, 1, 1], vec![0, 1, 3], vec![2, 1, 0, 0]] {
        let e = r
            .change(&n, at(2), "contact.reorder", |tx| tx.reorder_contacts(&bad))
            .unwrap_err();
        assert!(
            matches!(e, ModelError::Invalid(ref v) if v.field == "order" && v.accepted == "each contact exactly once"),
            "{bad:?}: {e}"
        );
    }
    assert_eq!(names(&r), ["山田 花子", "山田 次郎", "民生委員 田中"]);
    r.change(&n, at(3), "contact.reorder", |tx| tx.reorder_contacts(&[1, 0, 2]))
        .unwrap();
    assert_eq!(names(&r), ["山田 次郎", "山田 花子", "民生委員 田中"]);
    r.change(&n, at(4), "contact.edit", |tx| {
        tx.edit_contact(2, contact("民生委員 田中", "03-0000-9999"))
    })
    .unwrap();
    r.change(&n, at(5), "contact.remove", |tx| tx.remove_contact(0))
        .unwrap();
    assert_eq!(names(&r), ["山田 花子", "民生委員 田中"]);
    assert_eq!(r.patient().unwrap().contacts[1].phone, "03-0000-9999");
    let e = r
        .change(&n, at(6), "contact.remove", |tx| tx.remove_contact(5))
        .unwrap_err();
    assert!(matches!(e, ModelError::NotFound { kind: "contact", .. }), "{e}");
    let e = r
        .change(&n, at(6), "contact.add", |tx| {
            tx.add_contact(contact("番号なし", "なし"))
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "phone"), "{e}");
}

fn with_medication() -> (CareRecord, Writer, EntryId) {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "med.add", |tx| {
            tx.add_medication(MedicationDetails {
                name: "フロセミド錠20mg".into(),
                dose: "1回1錠".into(),
                schedule: "1日1回 朝食後".into(),
                prescriber: None,
                start: Some(date("2026-11-01")),
                stop: None,
            })
        })
        .unwrap()
        .value;
    (r, n, id)
}

#[test]
fn a_medication_is_stopped_with_a_reason_and_its_revisions_stay() {
    let (mut r, n, id) = with_medication();
    let e = r
        .change(&n, at(2), "med.stop", |tx| {
            tx.stop_medication(id, date("2026-10-01"), "腎機能低下")
        })
        .unwrap_err();
    assert!(
        matches!(e, ModelError::Invalid(ref v) if v.field == "stop" && v.accepted == "on or after the start date"),
        "{e}"
    );
    let e = r
        .change(&n, at(2), "med.stop", |tx| {
            tx.stop_medication(id, date("2026-11-20"), " ")
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "reason"), "{e}");
    r.change(&n, at(3), "med.change", |tx| {
        tx.change_medication(
            id,
            MedicationDetails {
                name: "フロセミド錠20mg".into(),
                dose: "1回2錠".into(),
                schedule: "1日1回 朝食後".into(),
                prescriber: None,
                start: Some(date("2026-11-01")),
                stop: None,
            },
        )
    })
    .unwrap();
    r.change(&n, at(4), "med.stop", |tx| {
        tx.stop_medication(id, date("2026-11-20"), "腎機能低下")
    })
    .unwrap();
    let m = &r.read().unwrap().medications[&id.to_string()];
    assert_eq!(m.revisions.len(), 3);
    assert_eq!(m.revisions[1].dose, "1回2錠");
    let last = m.current();
    assert_eq!((last.dose.as_str(), last.stop), ("1回2錠", Some(date("2026-11-20"))));
    assert_eq!(last.stop_reason.as_deref(), Some("腎機能低下"));
}

#[test]
fn a_task_is_reassigned_cancelled_and_reopened() {
    let n = nurse();
    let d = doctor();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let id = r
        .change(&n, at(1), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "褥瘡処置".into(),
                assignee: Some(Assignee::Profession(Profession::Nurse)),
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap()
        .value;
    r.change(&n, at(2), "task.assign", |tx| {
        tx.reassign_task(id, Some(Assignee::Member(d.member)))
    })
    .unwrap();
    r.change(&n, at(3), "task.cancelled", |tx| {
        tx.set_task_status(id, TaskStatus::Cancelled)
    })
    .unwrap();
    let task = &r.read().unwrap().tasks[&id.to_string()];
    assert_eq!(task.assignee, Some(Assignee::Member(d.member)));
    assert_eq!((task.status, task.closed_by), (TaskStatus::Cancelled, Some(n.member)));
    r.change(&n, at(4), "task.open", |tx| tx.set_task_status(id, TaskStatus::Open))
        .unwrap();
    let task = &r.read().unwrap().tasks[&id.to_string()];
    assert_eq!((task.status, task.closed_by), (TaskStatus::Open, None));
    let e = r
        .change(&n, at(5), "task.assign", |tx| tx.reassign_task(EntryId::random(), None))
        .unwrap_err();
    assert!(matches!(e, ModelError::NotFound { kind: "task", .. }), "{e}");
}

#[test]
fn a_closed_case_is_read_only_everywhere_until_it_is_reopened() {
    let (mut r, n) = with_contacts();
    let e = r
        .change(&n, at(2), "case.close", |tx| {
            tx.close_case(ClosureReason::Hospital, date("2100-01-01"), None)
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "date"), "{e}");
    r.change(&n, at(2), "case.close", |tx| {
        tx.close_case(ClosureReason::Death, date("2026-11-24"), Some("自宅で看取り".into()))
    })
    .unwrap();
    // Another laptop receives the closure: read-only there too.
    let mut other = copy(&r);
    let d = doctor();
    for rec in [&mut r, &mut other] {
        let case = rec.case().unwrap();
        assert!(case.is_closed());
        assert_eq!(case.keep_until(), Some(date("2031-11-24")), "kept 5 years");
        let e = rec
            .change(&d, at(3), "visit", |tx| tx.add_note(note("追記")))
            .unwrap_err();
        assert!(matches!(e, ModelError::Closed), "{e}");
        assert!(e.to_string().contains("利用終了"));
    }
    // Nothing was deleted by closing.
    assert_eq!(other.read().unwrap().patient.contacts.len(), 3);
    let closure = other.read().unwrap().case.closed.unwrap();
    assert_eq!((closure.reason, closure.by), (ClosureReason::Death, n.member));
    other
        .change(&n, at(4), case::REOPEN_ACTION, |tx| tx.reopen_case())
        .unwrap();
    other
        .change(&d, at(5), "visit", |tx| tx.add_note(note("再開後の記録")))
        .unwrap();
    let case = other.case().unwrap();
    assert!(!case.is_closed());
    assert_eq!(case.reopened.unwrap().by, n.member);
    let e = other
        .change(&n, at(6), case::REOPEN_ACTION, |tx| tx.reopen_case())
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "case"), "{e}");
}

#[test]
fn a_manager_settles_a_conflict_by_choosing_one_value() {
    let n = nurse();
    let d = doctor();
    let (mut a, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    let mut b = copy(&a);
    a.change(&n, at(1), "patient.edit", |tx| {
        tx.update_patient(|p| p.phone = Some("03-1111-1111".into()))
    })
    .unwrap();
    b.change(&d, at(1), "patient.edit", |tx| {
        tx.update_patient(|p| p.phone = Some("03-2222-2222".into()))
    })
    .unwrap();
    a.merge(&mut b).unwrap();
    let conflicts = a.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, ["patient", "phone"]);
    let loser = conflicts[0].values[1].value.clone();
    a.change(&n, at(2), "conflict.settle", |tx| {
        tx.settle_conflict(&conflicts[0].path, 1)
    })
    .unwrap();
    assert!(a.conflicts().unwrap().is_empty());
    assert_eq!(a.patient().unwrap().phone.as_deref(), Some(loser.as_str()));
    // The other laptop gets the settlement and agrees.
    b.merge(&mut a).unwrap();
    assert!(b.conflicts().unwrap().is_empty());
    assert_eq!(b.patient().unwrap().phone.as_deref(), Some(loser.as_str()));
    let e = a
        .change(&n, at(3), "conflict.settle", |tx| {
            tx.settle_conflict(&["patient".into(), "phone".into()], 0)
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::NotFound { kind: "conflict", .. }), "{e}");
}

#[test]
fn a_weekly_plan_gives_the_days_visits_and_an_unrecorded_one_is_missed() {
    let n = nurse();
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient(), at(0)).unwrap();
    // at(0) is 2026-11-24, a Tuesday.
    let e = r
        .change(&n, at(1), "plan.add", |tx| {
            tx.add_plan(NewPlan {
                weekday: Some(2),
                from: date("2026-11-17"),
                until: None,
                start: "11:00".into(),
                end: "10:00".into(),
                who: None,
            })
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "end"), "{e}");
    // Made a week ago (a plan misses nothing from before it was made).
    let plan = r
        .change(&n, at(-7 * 24 * 60 - 60), "plan.add", |tx| {
            tx.add_plan(NewPlan {
                weekday: Some(2),
                from: date("2026-11-17"),
                until: None,
                start: "10:00".into(),
                end: "11:00".into(),
                who: Some(Assignee::Member(n.member)),
            })
        })
        .unwrap()
        .value;
    let rec = r.read().unwrap();
    let today = rec.day_plan(date("2026-11-24"));
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].0.id, format!("{plan}:2026-11-24"));
    assert!(today[0].1.is_none());
    assert!(rec.day_plan(date("2026-11-25")).is_empty(), "Wednesday has none");
    // Last Tuesday's visit was never recorded: missed.
    let missed = rec.missed(date("2026-11-24"), 7);
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0].date, date("2026-11-17"));
    // Today's visit: the patient was not at home. It is recorded, not missed.
    let occurrence = today[0].0.id.clone();
    r.change(&n, at(60), "visit.absent", |tx| {
        tx.add_visit(NewVisit {
            planned: Some(occurrence.clone()),
            kind: VisitKind::Regular,
            outcome: VisitOutcome::Absent,
            start: at(60),
            end: None,
            soft_signs: Vec::new(),
            observations: None,
        })
    })
    .unwrap();
    let rec = copy(&r).read().unwrap();
    let (_, made) = &rec.day_plan(date("2026-11-24"))[0];
    assert_eq!(made.unwrap().1.outcome, VisitOutcome::Absent);
    assert!(rec
        .missed(date("2026-11-25"), 7)
        .iter()
        .all(|o| o.date != date("2026-11-24")));
    // A visit filled in afterwards keeps its own times; one in the future is refused.
    let e = r
        .change(&n, at(61), "visit", |tx| {
            tx.add_visit(NewVisit {
                planned: None,
                kind: VisitKind::Urgent,
                outcome: VisitOutcome::Done,
                start: at(200),
                end: None,
                soft_signs: Vec::new(),
                observations: None,
            })
        })
        .unwrap_err();
    assert!(matches!(e, ModelError::Invalid(ref v) if v.field == "start"), "{e}");
    r.change(&n, at(62), "plan.stop", |tx| tx.stop_plan(plan, date("2026-12-01")))
        .unwrap();
    assert!(r.read().unwrap().day_plan(date("2026-12-01")).is_empty());
}
