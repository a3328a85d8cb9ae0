//! `tsunagi print` and `tsunagi draft`: the sheets partners read, as PDF,
//! from the command line; read back with poppler's pdftotext.

mod support;

use std::process::Command;

use support::*;

fn pdf_text(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

#[test]
fn print_makes_each_sheet_and_the_draft_is_kept_in_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    ok(
        &home,
        &[
            "patient",
            "edit",
            &team,
            "--resuscitation",
            "dnar",
            "--acp-hospital",
            "中野総合病院",
        ],
    );
    ok(&home, &["vitals", "add", &team, "--bp", "188/96", "--spo2", "96"]);

    let sheet = dir.path().join("e.pdf");
    ok(
        &home,
        &["print", &team, "--sheet", "emergency", "-o", sheet.to_str().unwrap()],
    );
    let text = pdf_text(&sheet);
    assert!(
        text.contains("急変時対応シート")
            && text.contains("DNAR")
            && text.contains("188/96［要")
            && text.contains("注意］"),
        "{text}"
    );

    // The summary's free text, edited from the command line and kept.
    ok(
        &home,
        &[
            "draft",
            &team,
            "--sheet",
            "summary",
            "--set",
            "requests=CLI-1 毎日体重測定\\n夕方に電話",
        ],
    );
    let kept = json(&home, &["draft", &team, "--sheet", "summary"]);
    assert_eq!(kept["fields"]["requests"], "CLI-1 毎日体重測定\n夕方に電話");
    assert_eq!(kept["saved"], true);
    assert!(refused(&home, &["draft", &team, "--sheet", "summary", "--set", "colour=red"]).contains("draft"));
    let summary = dir.path().join("s.pdf");
    ok(
        &home,
        &[
            "print",
            &team,
            "--sheet",
            "summary",
            "--fax-to",
            "中野総合病院",
            "--fax-number",
            "03-5555-0000",
            "-o",
            summary.to_str().unwrap(),
        ],
    );
    let text = pdf_text(&summary);
    assert!(
        text.contains("FAX送信のご案内") && text.contains("CLI-1毎日体重測定"),
        "{text}"
    );

    let report = dir.path().join("r.pdf");
    ok(
        &home,
        &[
            "print",
            &team,
            "--sheet",
            "report",
            "--month",
            "2026-11",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert!(pdf_text(&report).contains("訪問看護報告書"));

    // Clear errors, nothing written.
    assert!(
        refused(&home, &["print", &team, "--sheet", "letter", "-o", "x.pdf"]).contains("emergency | summary | report")
    );
    assert!(refused(
        &home,
        &["print", &team, "--sheet", "report", "--month", "2026-13", "-o", "x.pdf"]
    )
    .contains("YYYY-MM"));
    assert!(refused(&home, &["draft", &team, "--sheet", "emergency"]).contains("emergency"));
    // Printing is in the access log.
    let log = json(&home, &["audit", &team]);
    assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "print"), "{log}");
}
