//! The sheets made from a rich record, read back with poppler: one A4 page
//! (the emergency sheet), the Japanese font embedded, the record's words in
//! the text layer, ink on the page (pdftotext passes even when glyphs render
//! blank), and a member's typed text printed as text, never as layout.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use care_model::fixtures::nurse;
use care_model::*;
use care_sheets::{emergency, report, summary, Context, FaxCover, Station, Typesetter};

/// 2026-11-01 00:00 JST plus `minutes`.
fn at(minutes: i64) -> Timestamp {
    Timestamp(CalendarDate::new(2026, 11, 1).unwrap().start_jst().0 + minutes * 60_000)
}

/// A patient with everything the sheets print, visited twice a week in
/// November with readings at each visit.
fn record() -> (CareRecord, Writer) {
    let n = nurse();
    let patient = Patient {
        name: "山田 太郎".into(),
        kana: Some("ヤマダ タロウ".into()),
        born: CalendarDate::new(1938, 4, 2),
        sex: Some(Sex::Male),
        address: Some("東京都中野区中央1-2-3".into()),
        phone: Some("03-1111-2222".into()),
        diagnoses: vec![Diagnosis {
            name: "慢性心不全".into(),
            code: Some("I50.0".into()),
        }],
        care_level: Some(CareLevel::Care3),
        allergies: vec!["ペニシリン".into()],
        problems: vec!["心不全の増悪の早期発見".into()],
        acp: Some("自宅で最期まで過ごしたい".into()),
        acp_details: Some(AcpDetails {
            resuscitation: Some(Resuscitation::Dnar),
            hospital: Some("中野総合病院".into()),
            discussed_on: CalendarDate::new(2026, 10, 3),
            discussed_with: Some("本人・長女・主治医".into()),
        }),
        doctor: Some(Person {
            member: None,
            name: "鈴木 一郎".into(),
            organisation: Some("中野在宅クリニック".into()),
            phone: Some("03-2222-3333".into()),
            fax: Some("03-2222-3334".into()),
        }),
        contacts: vec![Contact {
            name: "山田 花子".into(),
            kana: Some("ヤマダ ハナコ".into()),
            relation: "長女".into(),
            phone: "090-0000-0001".into(),
            key_person: true,
        }],
        ..Default::default()
    };
    let (mut r, _) = CareRecord::create(TeamId::random(), &n, patient, at(0)).unwrap();
    r.change(&n, at(5), "meds", |tx| {
        tx.add_medication(MedicationDetails {
            name: "フロセミド錠20mg".into(),
            dose: "1錠".into(),
            schedule: "朝食後".into(),
            prescriber: None,
            start: CalendarDate::new(2026, 11, 1),
            stop: None,
        })
    })
    .unwrap();
    for (i, day) in [3, 6, 10, 13, 17, 20, 24, 27].into_iter().enumerate() {
        let t = at((day - 1) * 1440 + 10 * 60);
        let systolic = 120 + 6 * i as u16;
        r.change(&n, t, "visit", |tx| {
            tx.add_visit(NewVisit {
                planned: None,
                kind: if day == 20 {
                    VisitKind::Urgent
                } else {
                    VisitKind::Regular
                },
                outcome: VisitOutcome::Done,
                start: t,
                end: Some(Timestamp(t.0 + 3_600_000)),
                soft_signs: vec![],
                // Observed at each visit; the level of independence worsens once.
                observations: care_model::ObservationForm {
                    bowel: if i % 2 == 0 { "1" } else { "0" }.into(),
                    bristol: if i % 2 == 0 { "4" } else { "" }.into(),
                    food: (6 + i % 3).to_string(),
                    fluid: "1000".into(),
                    edema: "mild".into(),
                    bedridden: if day < 20 { "B1" } else { "B2" }.into(),
                    ..Default::default()
                }
                .parse()?,
            })?;
            tx.add_vitals(
                VitalsForm {
                    bp: Some(format!("{systolic}/78")),
                    pulse: Some("82".into()),
                    temperature: Some(if day == 20 { "38.4" } else { "36.7" }.into()),
                    spo2: Some(if day == 27 { "91" } else { "95" }.into()),
                    ..Default::default()
                }
                .parse(t)?,
            )?;
            tx.add_note(NewNote {
                text: format!("{day}日 訪問。下肢浮腫あり、体重測定。"),
                category: NoteCategory::Observation,
                urgency: if day == 20 { Urgency::Urgent } else { Urgency::Routine },
            })
        })
        .unwrap();
    }
    (r, n)
}

fn ctx(fax: bool) -> Context {
    Context {
        now: at(29 * 1440 + 9 * 60),
        station: Some(Station {
            name: "つばさ訪問看護ステーション".into(),
            phone: Some("03-0000-9999".into()),
            fax: Some("03-0000-1235".into()),
            on_call: Some("佐藤 花子".into()),
        }),
        made_by: Some("佐藤 花子".into()),
        fax: fax.then(|| FaxCover {
            to: "中野総合病院 地域連携室".into(),
            to_fax: Some("03-5555-0000".into()),
            from: "つばさ訪問看護ステーション".into(),
            from_phone: Some("03-0000-1234".into()),
            from_fax: Some("03-0000-1235".into()),
            note: None,
        }),
        ..Default::default()
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils) is needed: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What poppler reads back: (pages, text of every page).
fn read_back(pdf: &[u8], dir: &Path, name: &str) -> (u32, String) {
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    // TSUNAGI_SHEETS_OUT=DIR keeps a copy to look at.
    if let Some(keep) = std::env::var_os("TSUNAGI_SHEETS_OUT") {
        std::fs::write(std::path::Path::new(&keep).join(format!("{name}.pdf")), pdf).unwrap();
    }
    let p = path.to_str().unwrap();
    let info = tool("pdfinfo", &[p]);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "not A4:\n{info}");
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let fonts = tool("pdffonts", &[p]);
    let ipa: Vec<&str> = fonts.lines().filter(|l| l.contains("IPAexGothic")).collect();
    assert!(!ipa.is_empty(), "IPAex Gothic not used:\n{fonts}");
    // name type encoding emb sub uni object: every font embedded.
    for l in fonts.lines().skip(2) {
        assert!(
            l.split_whitespace().rev().nth(4) == Some("yes"),
            "a font is not embedded: {l}"
        );
    }
    // Ink: the first page rendered at 50 dpi has a fair share of dark pixels.
    let png = dir.join(name);
    tool(
        "pdftoppm",
        &[
            "-r",
            "50",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            p,
            png.to_str().unwrap(),
        ],
    );
    let pgm = std::fs::read(dir.join(format!("{name}.pgm"))).unwrap();
    let dark = pgm.iter().rev().take(pgm.len() - 20).filter(|b| **b < 128).count();
    assert!(dark > 2_000, "{name}: page 1 is nearly blank ({dark} dark pixels)");
    (pages, tool("pdftotext", &["-layout", p, "-"]))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn emergency_sheet_is_one_a4_page_with_what_the_crew_needs() {
    let (r, _) = record();
    let record = r.read().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let t = Typesetter::system().unwrap();
    let pdf = t.pdf(&emergency::sheet(&record, &ctx(false))).unwrap();
    let (pages, text) = read_back(&pdf, dir.path(), "emergency");
    assert_eq!(pages, 1, "{text}");
    let flat = squash(&text);
    for want in [
        "急変時対応シート",
        "山田太郎",
        "ヤマダタロウ",
        "88歳",
        "東京都中野区中央1-2-3",
        "090-0000-0001",
        "長女",
        "DNAR",
        "中野総合病院",
        "2026年10月3日",
        "本人・長女・主治医",
        "自宅で最期まで過ごしたい",
        "慢性心不全(I50.0)",
        "ペニシリン",
        "フロセミド錠20mg",
        "鈴木一郎",
        "03-2222-3333",
        "03-0000-9999",
    ] {
        assert!(flat.contains(&squash(want)), "missing {want}:\n{text}");
    }
    // The last reading (27th: SpO2 91) is flagged in words; the band shows.
    assert!(flat.contains("91%［緊急］"), "{text}");
    assert!(flat.contains("≧94"), "{text}");
}

#[test]
fn a_fax_cover_comes_first_and_counts_the_pages() {
    let (r, _) = record();
    let record = r.read().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let t = Typesetter::system().unwrap();
    let pdf = t.pdf(&emergency::sheet(&record, &ctx(true))).unwrap();
    let (pages, text) = read_back(&pdf, dir.path(), "fax");
    assert_eq!(pages, 2);
    let cover = squash(text.split('\u{c}').next().unwrap());
    for want in [
        "FAX送信のご案内",
        "中野総合病院地域連携室",
        "03-5555-0000",
        "03-0000-1234",
        "2026年11月30日",
    ] {
        assert!(cover.contains(&squash(want)), "missing {want}:\n{cover}");
    }
    assert!(cover.contains("枚数（本状を含む）2"), "{cover}");
}

#[test]
fn summary_prints_the_edited_draft_over_the_proposal() {
    let (mut r, n) = record();
    let now = ctx(false).now;
    let proposed = summary::draft(&r.read().unwrap(), now);
    assert!(proposed["course"].contains("下肢浮腫あり"), "{proposed:?}");
    assert_eq!(proposed["to"], "中野総合病院");
    assert_eq!(proposed["problems"], "心不全の増悪の早期発見");
    // The nurse edits two fields; the draft is kept in the record.
    let edits = BTreeMap::from([
        (
            "requests".to_string(),
            "利尿薬調整後の体重を毎日測定してください。".to_string(),
        ),
        ("adl".to_string(), "屋内は伝い歩き。入浴は訪問時に介助。".to_string()),
    ]);
    r.change(&n, now, "draft", |tx| tx.save_draft(DraftKey::Summary, &edits))
        .unwrap();
    let reopened = CareRecord::load(&r.save()).unwrap();
    let kept = reopened.draft(DraftKey::Summary).unwrap();
    assert_eq!(kept.field("requests"), edits["requests"]);
    assert_eq!(kept.by, Some(n.member));
    let record = reopened.read().unwrap();
    let text = summary::fields(&record, &kept, now);
    assert!(
        text["course"].contains("下肢浮腫あり"),
        "an unsaved field keeps the proposal"
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = Typesetter::system()
        .unwrap()
        .pdf(&summary::sheet(&record, &text, &kept, &ctx(false)))
        .unwrap();
    let (pages, out) = read_back(&pdf, dir.path(), "summary");
    assert_eq!(pages, 1);
    let flat = squash(&out);
    for want in [
        "看護サマリー",
        "山田太郎",
        "利尿薬調整後の体重を毎日測定してください。",
        "屋内は伝い歩き。",
        "要介護3",
        "ペニシリン",
        "フロセミド錠20mg",
        "佐藤花子",
    ] {
        assert!(flat.contains(&squash(want)), "missing {want}:\n{out}");
    }
}

#[test]
fn monthly_report_has_visit_days_a_chart_and_the_month_text() {
    let (r, _) = record();
    let record = r.read().unwrap();
    let proposed = report::draft(&record, 2026, 11);
    assert!(proposed["course"].contains("血圧 120–162/78 mmHg"), "{proposed:?}");
    for observed in [
        "排便 0–1 回/訪問（ブリストル 4）",
        "食事摂取量 6–8 割",
        "水分摂取量 1000 mL",
        "浮腫 軽度",
        "寝たきり度 B1→B2",
    ] {
        assert!(proposed["course"].contains(observed), "{observed}: {proposed:?}");
    }
    assert!(
        proposed["care"].starts_with("訪問 8 回（うち緊急 1 回）"),
        "{proposed:?}"
    );
    assert!(proposed["special"].contains("20日 訪問"), "{proposed:?}");
    let dir = tempfile::tempdir().unwrap();
    let pdf = Typesetter::system()
        .unwrap()
        .pdf(&report::sheet(&record, 2026, 11, &proposed, &Draft::default(), &ctx(false)).unwrap())
        .unwrap();
    let (pages, out) = read_back(&pdf, dir.path(), "report");
    assert_eq!(pages, 1, "the month on one page");
    let flat = squash(&out);
    for want in [
        "訪問看護報告書",
        "2026年11月",
        "鈴木一郎",
        "訪問回数8",
        "バイタルサインの推移",
        "収縮期血圧",
        "体温(℃)",
        // The observations reach the paper, not only the draft.
        "食事摂取量6–8割",
        "寝たきり度B1→B2",
    ] {
        assert!(flat.contains(&squash(want)), "missing {want}:\n{out}");
    }
    assert!(flat.contains("◎"), "the urgent visit day is marked");
    assert!(report::sheet(&record, 2026, 13, &proposed, &Draft::default(), &ctx(false)).is_err());
}

#[test]
fn typed_text_is_printed_as_text_never_as_layout() {
    let (mut r, n) = record();
    let hostile = "#panic(\"x\") ] [ #set page(paper: \"a3\") $x^2$ <l> @ref *強調* _下線_ \\";
    let edits = BTreeMap::from([("course".to_string(), hostile.to_string())]);
    r.change(&n, at(40_000), "draft", |tx| {
        tx.save_draft(DraftKey::Report(2026, 11), &edits)
    })
    .unwrap();
    let kept = r.draft(DraftKey::Report(2026, 11)).unwrap();
    let record = r.read().unwrap();
    let text = report::fields(&record, &kept, 2026, 11);
    let dir = tempfile::tempdir().unwrap();
    let pdf = Typesetter::system()
        .unwrap()
        .pdf(&report::sheet(&record, 2026, 11, &text, &kept, &ctx(false)).unwrap())
        .unwrap();
    let (_, out) = read_back(&pdf, dir.path(), "hostile");
    assert!(squash(&out).contains(&squash(hostile)), "{out}");
}

#[test]
fn english_sheets_use_the_english_labels() {
    let (r, _) = record();
    let record = r.read().unwrap();
    let mut c = ctx(false);
    c.lang = care_sheets::Lang::En;
    let dir = tempfile::tempdir().unwrap();
    let pdf = Typesetter::system()
        .unwrap()
        .pdf(&emergency::sheet(&record, &c))
        .unwrap();
    let (_, out) = read_back(&pdf, dir.path(), "en");
    let flat = squash(&out);
    assert!(flat.contains("Emergencyinformation"), "{out}");
    assert!(flat.contains("DNAR(noresuscitation)"), "{out}");
}
