//! `tsunagi consent`, `wound`, `visit done` with observations: the patient's consent to share, recorded, listed and
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

#[test]
fn a_wound_is_assessed_with_design_r_and_a_wrong_code_says_which_item() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    let wound = ok(&home, &["wound", "add", &team, "--site", "仙骨部", "--kind", "褥瘡"]);
    let wound = wound.trim().lines().last().unwrap().to_string();
    let assess = |exudate: &str, size: &str| {
        ok(
            &home,
            &[
                "wound",
                "assess",
                &team,
                &wound[..8],
                "--depth",
                "D3",
                "--exudate",
                exudate,
                "--size",
                size,
                "--inflammation",
                "i1",
                "--granulation",
                "g3",
                "--necrotic",
                "N3",
                "--pocket",
                "p0",
            ],
        )
    };
    assess("e3", "s9");
    assess("E3", "s6");
    let listed: serde_json::Value = serde_json::from_str(&ok(&home, &["--json", "wound", "list", &team])).unwrap();
    let totals: Vec<u64> = listed["wounds"][0]["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["total"].as_u64().unwrap())
        .collect();
    assert_eq!(totals, vec![19, 16]);
    assert_eq!(listed["wounds"][0]["assessments"][0]["notation"], "D3-e3s9i1g3N3p0:19");
    let out = tsunagi(
        &home,
        &[
            "wound",
            "assess",
            &team,
            &wound[..8],
            "--depth",
            "D3",
            "--exudate",
            "e2",
            "--size",
            "s6",
            "--inflammation",
            "i1",
            "--granulation",
            "g3",
            "--necrotic",
            "N3",
            "--pocket",
            "p0",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exudate") && err.contains("e0 e1 e3 E6"), "{err}");
}

#[test]
fn a_visits_observations_are_kept_with_it_and_a_wrong_value_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    ok(
        &home,
        &[
            "visit",
            "done",
            &team,
            "--bowel",
            "1",
            "--bristol",
            "4",
            "--food",
            "8割",
            "--fluid",
            "1200",
            "--sleep",
            "good",
            "--edema",
            "mild",
            "--bedridden",
            "B1",
            "--dementia",
            "IIa",
        ],
    );
    let shown: serde_json::Value = serde_json::from_str(&ok(&home, &["--json", "show", &team])).unwrap();
    let visit = shown["visits"].as_object().unwrap().values().next().unwrap().clone();
    let o = &visit["observations"];
    assert_eq!(
        (o["bowel"].as_u64(), o["bristol"].as_u64(), o["food"].as_u64()),
        (Some(1), Some(4), Some(8))
    );
    assert_eq!(
        (o["edema"].as_str(), o["bedridden"].as_str()),
        (Some("mild"), Some("B1"))
    );
    let out = tsunagi(&home, &["visit", "done", &team, "--bristol", "9"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bristol") && err.contains("1–7"), "{err}");
}
