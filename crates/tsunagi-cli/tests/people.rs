//! `tsunagi consent`: the patient's consent to share, recorded, listed and
//! withdrawn from the command line.

mod support;

use support::*;

#[test]
fn a_consent_is_recorded_listed_and_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    assert!(ok(&home, &["consent", &team]).contains("no consent"));
    let id = ok(
        &home,
        &[
            "consent",
            &team,
            "--given-on",
            "2026-11-10",
            "--given-by",
            "本人",
            "--obtained-by",
            "ケアマネ 田中",
            "--scope",
            "team",
            "--scope",
            "家族と共有",
        ],
    )
    .trim()
    .to_string();
    let shown = json(&home, &["consent", &team]);
    assert_eq!(shown["current"], id.as_str());
    assert_eq!(shown["consents"][&id]["scope"], serde_json::json!(["team", "family"]));
    assert!(ok(&home, &["consent", &team]).contains("有効"));

    ok(&home, &["consent", &team, "--withdraw", &id]);
    let shown = json(&home, &["consent", &team]);
    assert!(shown["current"].is_null(), "{shown}");
    assert!(shown["consents"][&id]["withdrawn_on"].is_string());

    // Clear errors, nothing recorded.
    let e = refused(
        &home,
        &[
            "consent",
            &team,
            "--given-on",
            "2026-11-10",
            "--given-by",
            "本人",
            "--obtained-by",
            "田中",
            "--scope",
            "everyone",
        ],
    );
    assert!(e.contains("team | family | hospital | photos"), "{e}");
    let e = refused(
        &home,
        &[
            "consent",
            &team,
            "--given-on",
            "2099-01-01",
            "--given-by",
            "本人",
            "--obtained-by",
            "田中",
            "--scope",
            "team",
        ],
    );
    assert!(e.contains("today or earlier"), "{e}");
    assert_eq!(
        json(&home, &["consent", &team])["consents"].as_object().unwrap().len(),
        1
    );
}
