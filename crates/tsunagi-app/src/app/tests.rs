//! `App` without a window: each command as the front end calls it.

use super::*;

pub(crate) const PASSPHRASE: &str = "correct horse battery";

/// A new profile, locked with the real keychain (the tests run under
/// gnome-keyring: scripts/test.sh).
pub(crate) fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path());
    assert!(app.profile().unwrap().is_none(), "first run: no profile");
    assert_eq!(app.lock_state().unwrap().state, "new");
    let made = app
        .init_profile(
            ProfileInput {
                name: "佐藤 花子".into(),
                kana: Some("さとう はなこ".into()),
                profession: "nurse".into(),
                organisation: "つばさ訪問看護ステーション".into(),
                phone: None,
            },
            PASSPHRASE,
            false,
        )
        .unwrap();
    assert!(made.recovery_key.is_some(), "the recovery key is shown at set-up");
    (dir, app)
}

/// The app started again on the same profile, unlocked.
pub(crate) fn reopen(dir: &std::path::Path) -> App {
    let app = App::open(dir);
    assert_eq!(app.lock_state().unwrap().state, "locked");
    app.unlock(PASSPHRASE).unwrap();
    app
}

pub(crate) fn patient() -> PatientInput {
    PatientInput {
        name: "鈴木 正雄".into(),
        kana: Some("スズキ マサオ".into()),
        born: Some("昭和15年12月1日".into()),
        sex: Some("male".into()),
        care_level: Some("care-3".into()),
        address: None,
        phone: None,
        allergies: vec!["ペニシリン".into()],
    }
}

#[test]
fn the_team_screen_names_who_sent_a_refused_change_and_says_who_may_invite() {
    let (_dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    let roster = app.roster(&team).unwrap();
    assert!(roster.admin && roster.may_invite && !roster.members_may_invite && roster.fork.is_none());
    assert!(app.refused(&team).unwrap().is_empty());
    let id: TeamId = team.parse().unwrap();
    app.with(|s| {
        let (epoch, key) = s.latest_team_key(id)?;
        let header = sync_proto::Header {
            kind: sync_proto::PayloadKind::Changes,
            team: *id.as_bytes(),
            epoch,
            sender: *s.device_id().as_bytes(),
            sender_seq: 99,
        };
        let env = sync_proto::seal(&key, s.signing_key(), header, b"change").unwrap();
        s.quarantine(id, 7, "refused a change: rewrites members.x", env.bytes(), now())?;
        Ok(())
    })
    .unwrap();
    let refused = app.refused(&team).unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].sender, "佐藤 花子", "named from the record, not by key");
    assert!(refused[0].reason.contains("members.x"));
}

#[test]
fn a_visit_of_vitals_note_and_task_ticks_is_saved_as_one_change_and_survives_reopening() {
    let (dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    let t1 = app
        .new_task(
            &team,
            &TaskInput {
                title: "褥瘡処置".into(),
                assignee: None,
                due: Some("2026-11-24".into()),
                priority: "high".into(),
            },
        )
        .unwrap();
    let t2 = app
        .new_task(
            &team,
            &TaskInput {
                title: "服薬確認".into(),
                assignee: None,
                due: None,
                priority: "normal".into(),
            },
        )
        .unwrap();
    let t3 = app
        .new_task(
            &team,
            &TaskInput {
                title: "物品補充".into(),
                assignee: None,
                due: None,
                priority: "low".into(),
            },
        )
        .unwrap();
    let saved = app
        .save_visit(&VisitInput {
            team: team.clone(),
            vitals: VitalsForm {
                bp: Some("132/84".into()),
                pulse: Some("78".into()),
                temperature: Some("36.8".into()),
                spo2: Some("96".into()),
                ..Default::default()
            },
            note: Some(NoteInput {
                text: "本日入浴介助。背部に発赤あり。".into(),
                category: "observation".into(),
                urgency: "routine".into(),
            }),
            done_tasks: vec![t1.clone(), t2.clone(), t3.clone()],
            soft_signs: vec!["unusual".into(), "appetite".into()],
            observations: care_model::ObservationForm {
                bowel: "1".into(),
                bristol: "5".into(),
                food: "7".into(),
                fluid: "900".into(),
                edema: "moderate".into(),
                bedridden: "A2".into(),
                ..Default::default()
            },
            planned: None,
            kind: "regular".into(),
            start: None,
            end: None,
        })
        .unwrap();
    assert!(saved.pending >= 1, "the visit waits to reach the relay");
    drop(app);
    let app = reopen(dir.path());
    let view = app.record(&team, 100, None).unwrap();
    assert_eq!(view.notes[0].text, "本日入浴介助。背部に発赤あり。");
    assert_eq!(view.vitals.len(), 1);
    // The soft signs ticked on the visit, in a fixed order.
    assert_eq!(
        view.visits[0].soft_signs,
        vec!["appetite".to_string(), "unusual".to_string()]
    );
    // The observations, with the visit they were seen at.
    let o = view.visits[0].observations.as_ref().unwrap();
    assert_eq!(
        (o.bowel, o.bristol, o.food, o.fluid_ml),
        (Some(1), Some(5), Some(7), Some(900))
    );
    assert_eq!(
        (o.edema.as_deref(), o.bedridden.as_deref(), o.sleep.as_deref()),
        (Some("moderate"), Some("A2"), None)
    );
    assert_eq!(view.vitals[0].systolic, Some(132.0));
    assert!(view.tasks.iter().all(|t| t.status == "done"), "{:?}", view.tasks);
    assert_eq!(view.patient.kana.as_deref(), Some("スズキ マサオ"));
    assert_eq!(view.patient.allergies, vec!["ペニシリン".to_string()]);
}

#[test]
fn a_wrong_reading_is_refused_naming_the_field_and_nothing_is_saved() {
    let (_dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    let bad = VitalsForm {
        spo2: Some("150".into()),
        ..Default::default()
    };
    let check = app.check_vitals(&team, &bad).unwrap();
    assert_eq!(check.error.as_ref().and_then(|e| e.field.as_deref()), Some("spo2"));
    let err = app
        .save_visit(&VisitInput {
            team: team.clone(),
            vitals: bad,
            note: Some(NoteInput {
                text: "保存されないはず".into(),
                category: "observation".into(),
                urgency: "routine".into(),
            }),
            done_tasks: vec![],
            soft_signs: vec![],
            observations: Default::default(),
            planned: None,
            kind: "regular".into(),
            start: None,
            end: None,
        })
        .unwrap_err();
    assert_eq!(err.code, "invalid");
    assert!(err.message_ja.contains("150"), "{err:?}");
    assert!(
        app.record(&team, 100, None).unwrap().notes.is_empty(),
        "a refused visit saves nothing"
    );
}

#[test]
fn readings_outside_the_patients_bands_are_flagged_before_saving() {
    let (_dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    let check = app
        .check_vitals(
            &team,
            &VitalsForm {
                spo2: Some("89".into()),
                temperature: Some("37.0".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(check.error.is_none());
    assert_eq!(check.flags.len(), 1, "{:?}", check.flags);
    assert_eq!(
        (check.flags[0].field.as_str(), check.flags[0].level.as_str()),
        ("spo2", "urgent")
    );
}

#[test]
fn a_damaged_profile_is_reported_by_every_command_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(care_store::schema::FILE_NAME);
    std::fs::write(&file, b"not a database, but someone's data").unwrap();
    let app = App::open(dir.path());
    let err = app.profile().unwrap_err();
    assert_eq!(err.code, "damaged", "{err:?}");
    assert!(err.message_ja.contains("そのまま残しています"), "{err:?}");
    assert_eq!(app.today().unwrap_err().code, "damaged");
    let made = app.init_profile(
        ProfileInput {
            name: "佐藤 花子".into(),
            kana: None,
            profession: "nurse".into(),
            organisation: "つばさ".into(),
            phone: None,
        },
        PASSPHRASE,
        false,
    );
    assert!(made.is_err(), "no new profile over a damaged one");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a database, but someone's data");
}

#[test]
fn marking_reviewed_is_kept_in_the_record_and_only_later_changes_show() {
    let (dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    app.new_task(
        &team,
        &TaskInput {
            title: "褥瘡処置".into(),
            assignee: None,
            due: None,
            priority: "high".into(),
        },
    )
    .unwrap();
    let before = app.review().unwrap();
    assert_eq!(before[0].last_review, None);
    assert_eq!(before[0].changes.len(), 1, "never reviewed: the last 30 days show");
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.mark_reviewed(&team).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.new_task(
        &team,
        &TaskInput {
            title: "服薬確認".into(),
            assignee: None,
            due: None,
            priority: "normal".into(),
        },
    )
    .unwrap();
    drop(app);
    // The review is in the record, not in this laptop's settings.
    let app = reopen(dir.path());
    let after = app.review().unwrap();
    assert!(after[0].last_review.is_some());
    let changes: Vec<&str> = after[0].changes.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(changes, vec!["服薬確認"], "only what changed after the review");
    assert!(
        after[0].reviewers.is_empty(),
        "my own review is not listed as another's"
    );
}

#[test]
fn the_demo_station_is_marked_as_sample_data() {
    let (_dir, app) = app();
    let n = app.load_demo().unwrap();
    assert!(n >= 30, "a station of 30-60 patients (GLOSSARY), got {n}");
    let today = app.today().unwrap();
    assert_eq!(today.patients.len() as u32, n);
    assert!(today.patients.iter().all(|p| p.sample));
    assert!(!today.tasks.is_empty(), "sample tasks are due");
    let review = app.review().unwrap();
    assert!(
        review.iter().any(|r| r.changes.iter().any(|c| c.author != "佐藤 花子")),
        "other members wrote too"
    );
}

#[test]
fn the_sample_region_shows_ages_marks_stale_beds_and_keeps_each_entry_to_its_organisation() {
    let (_dir, app) = app();
    app.load_demo().unwrap();
    let dirs = app.directories().unwrap();
    assert_eq!(dirs.len(), 1);
    assert!(dirs[0].name.contains("サンプル"), "marked as sample: {}", dirs[0].name);
    let team = &dirs[0].team;
    let all = app.directory(team, Default::default(), None).unwrap();
    assert_eq!(all.total, 11);
    assert!(all.entries.iter().all(|e| e.notes.contains("サンプル")));
    let roken = all.entries.iter().find(|e| e.kind == "roken").unwrap();
    let short = roken.beds.iter().find(|b| b.kind == "short_stay").unwrap();
    assert!(short.stale && short.age_minutes >= 36 * 60, "{short:?}");
    assert!(!roken.beds.iter().find(|b| b.kind == "roken").unwrap().stale);
    // A stale figure is not offered as free.
    let q = |bed: &str| care_model::DirectoryQuery {
        bed: Some(bed.into()),
        ..Default::default()
    };
    assert!(app.directory(team, q("short_stay"), None).unwrap().entries.is_empty());
    assert_eq!(
        app.directory(team, q("community"), None).unwrap().entries[0].name,
        "中野総合病院"
    );
    // Only this laptop's own station is editable here.
    let editable: Vec<_> = all
        .entries
        .iter()
        .filter(|e| e.editable)
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(editable, vec!["つばさ訪問看護ステーション中野"]);
    let err = app.post_beds(team, &roken.id, "roken", 5, None).unwrap_err();
    assert!(err.message_ja.contains("ほかの組織"), "{}", err.message_ja);
    let mine = all.entries.iter().find(|e| e.editable).unwrap();
    app.post_beds(team, &mine.id, "short_stay", 0, Some("08:00".into()))
        .unwrap();
    // Who can take a patient: filtered by what the record says she needs.
    let patient = app.today().unwrap().patients[0].team.clone();
    let view = app.directory(team, Default::default(), Some(patient)).unwrap();
    assert!(view.for_patient.is_some());
    for e in &view.entries {
        assert!(
            view.needs.iter().all(|n| e.accepts.contains(n)),
            "{} lacks one of {:?}",
            e.name,
            view.needs
        );
    }
}

#[test]
fn saving_an_open_form_writes_only_what_was_changed_in_it() {
    let (_dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    // Two forms opened on the same details (two windows, or a change that
    // arrived from another laptop while this form was open).
    let loaded = app.record(&team, 1, Some(1)).unwrap().form;
    let mut other = loaded.clone();
    other.address = Some("東京都中野区中野1-2-3".into());
    app.edit_patient(&team, &other, &loaded).unwrap();
    // This form changes only the phone; its address is the stale one.
    let mut mine = loaded.clone();
    mine.phone = Some("03-0000-1111".into());
    app.edit_patient(&team, &mine, &loaded).unwrap();
    let now = app.record(&team, 1, Some(1)).unwrap().form;
    assert_eq!(now.phone.as_deref(), Some("03-0000-1111"));
    assert_eq!(
        now.address.as_deref(),
        Some("東京都中野区中野1-2-3"),
        "the other edit is kept, not overwritten with the form's stale value"
    );
}

#[test]
fn a_photo_attached_to_a_wound_shows_as_a_thumbnail_opens_whole_and_today_marks_wounds_due() {
    use base64::Engine;
    let (_dir, app) = app();
    let team = app.create_team(&patient()).unwrap();
    let long_ago = (now().date_jst().add_days(-10)).iso();
    let wound = app
        .add_wound(&team, "仙骨部", "pressure_ulcer", Some(long_ago))
        .unwrap();
    // Started ten days ago and never assessed: due on Today.
    let card = |app: &App| {
        app.today()
            .unwrap()
            .patients
            .into_iter()
            .find(|p| p.team == team)
            .unwrap()
    };
    assert_eq!(card(&app).wounds_due, 1);

    let photo = care_files::sample_photo(400, 300, 1, "MARKER-APP-GPS");
    let data = base64::engine::general_purpose::STANDARD.encode(&photo);
    let target = |to: &str, entry: Option<String>| Target {
        to: to.into(),
        entry,
        assessment: None,
    };
    let id = app
        .attach_file(
            &team,
            target("wound", Some(wound.clone())),
            Some("全体".into()),
            "sacrum.jpg",
            &data,
        )
        .unwrap();
    let files = app.attachments(&team).unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(
        (f.id.as_str(), f.to.as_str(), f.entry.as_deref()),
        (id.as_str(), "wound", Some(wound.as_str()))
    );
    assert!(f.here && !f.thumb_coming);
    assert!(f.thumb.as_deref().unwrap().starts_with("data:image/jpeg;base64,"));
    let opened = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(app.open_attachment(&team, &id))
        .unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(opened.data_url.trim_start_matches("data:image/jpeg;base64,"))
        .unwrap();
    assert_eq!(bytes, care_files::prepare(&photo).unwrap().file);
    assert!(!bytes.windows(14).any(|w| w == b"MARKER-APP-GPS"));

    // Not a photo, a file too large, no such wound: clear refusals.
    let err = |data: &str, to: &str, entry: Option<String>| {
        app.attach_file(&team, target(to, entry), None, "x", data)
            .unwrap_err()
            .message_en
    };
    let exe = base64::engine::general_purpose::STANDARD.encode(b"MZ\x90\0");
    assert!(err(&exe, "profile", None).contains("JPEG, PNG"));
    let big = base64::engine::general_purpose::STANDARD.encode(vec![0xFFu8; 11 << 20]);
    assert!(err(&big, "profile", None).contains("10 MB"));
    assert!(err(&data, "wound", Some(EntryId::random().to_string())).contains("wound"));
    assert_eq!(app.attachments(&team).unwrap().len(), 1, "nothing else was kept");

    // Assessed today: no longer due.
    let scores = care_model::DesignR {
        depth: "d2".into(),
        exudate: "e1".into(),
        size: "s6".into(),
        inflammation: "i0".into(),
        granulation: "g1".into(),
        necrotic: "n0".into(),
        pocket: "p0".into(),
    };
    app.assess_wound(&team, &wound, scores, None).unwrap();
    assert_eq!(card(&app).wounds_due, 0);
}
