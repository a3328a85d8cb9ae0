//! The real `tsunagi` binary, run as a script or an administrator would.

mod support;

use serde_json::Value;
use support::*;

#[test]
fn a_nurse_records_a_visit_and_reads_it_back_exactly() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let team = team(h);
    let text = "本日入浴介助。背部に発赤あり、体位変換の頻度を増やすよう家族に説明。𠮷 ｶﾅ 🙂";
    ok(
        h,
        &[
            "vitals",
            "add",
            &team,
            "--bp",
            "132/84",
            "--pulse",
            "78",
            "--temp",
            "36.8",
            "--spo2",
            "96",
            "--resp",
            "18",
            "--weight",
            "52.3",
            "--glucose",
            "110",
            "--pain",
            "2",
        ],
    );
    let note = ok(
        h,
        &[
            "note",
            "add",
            &team,
            "--text",
            text,
            "--urgency",
            "attention",
            "--category",
            "申し送り",
        ],
    )
    .trim()
    .to_string();
    let task = ok(
        h,
        &[
            "task",
            "add",
            &team,
            "--title",
            "褥瘡処置",
            "--due",
            "2026-11-25",
            "--assignee",
            "看護師",
        ],
    )
    .trim()
    .to_string();
    ok(h, &["task", "done", &team[..6], &task[..6]]);

    let r = json(h, &["show", &team[..6]]);
    assert_eq!(r["patient"]["name"], "山田 太郎");
    assert_eq!(
        r["patient"]["kana"], "ヤマダ タロウ",
        "hiragana readings are stored in katakana"
    );
    assert_eq!(r["patient"]["born"], "1938-04-02");
    let n = &r["notes"][&note];
    assert_eq!(
        n["versions"][0]["text"], text,
        "Japanese text round-trips byte for byte"
    );
    assert_eq!(n["versions"][0]["urgency"], "attention");
    assert_eq!(n["versions"][0]["category"], "handover");
    assert_eq!(n["organisation"], "つばさ訪問看護ステーション");
    let v = r["vitals"].as_object().unwrap().values().next().unwrap();
    assert_eq!(v["reading"]["systolic"], 132);
    assert_eq!(v["reading"]["temperature"], 36.8);
    assert_eq!(r["tasks"][&task]["status"], "done");
    assert_eq!(
        r["pending"], 5,
        "everything waits in the outbox until a relay acknowledges it"
    );

    let human = ok(h, &["show", &team]);
    assert!(human.contains("山田 太郎 (ヤマダ タロウ)"), "{human}");
    assert!(human.contains("昭和13年4月2日生"), "{human}");
    assert!(human.contains("【要注意】申し送り"), "{human}");

    let history = json(h, &["history", &team, &task[..8]]);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["action"], "task.done");
    assert_eq!(history[1]["member_name"], "佐藤 花子");

    let conflicts = json(h, &["conflicts", &team]);
    assert_eq!(conflicts, Value::Array(vec![]), "one laptop alone makes no conflicts");
}

#[test]
fn implausible_values_are_refused_naming_the_field_and_range() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let team = team(h);
    for (args, expect) in [
        (vec!["vitals", "add", &team, "--spo2", "130"], "50–100"),
        (vec!["vitals", "add", &team, "--bp", "abc"], "132/84"),
        (
            vec!["task", "add", &team, "--title", "物品補充", "--due", "1700-01-01"],
            "1868",
        ),
        (
            vec!["note", "add", &team, "--text", "x", "--urgency", "very"],
            "routine | attention | urgent",
        ),
        (vec!["vitals", "add", &team], "at least one reading"),
    ] {
        let err = refused(h, &args);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(err.contains("受け付けられません"), "Japanese first: {err}");
    }
    assert_eq!(json(h, &["show", &team])["pending"], 1, "refused entries saved nothing");
}

#[test]
fn errors_say_what_to_do_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(refused(h, &["team", "list"]).contains("tsunagi init"));
    init(h);
    assert!(refused(h, &["init", "--name", "x", "--profession", "nurse", "--org", "y"]).contains("already"));
    assert!(refused(h, &["show", "ffff"]).contains("team list"));
    assert!(refused(h, &["init", "--name", "x", "--profession", "chef", "--org", "y"]).contains("care-manager"));

    let usage = tsunagi(h, &["note", "add"]);
    assert_eq!(usage.status.code(), Some(2), "a mistyped command is a usage error");

    std::fs::write(h.join("tsunagi.db"), "not ours").unwrap();
    let err = refused(h, &["team", "list"]);
    assert!(err.contains("not a Tsunagi store"), "{err}");
    assert_eq!(std::fs::read_to_string(h.join("tsunagi.db")).unwrap(), "not ours");
}

#[test]
fn every_command_has_help() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["init", "--help"],
        vec!["team", "create", "--help"],
        vec!["team", "list", "--help"],
        vec!["note", "add", "--help"],
        vec!["note", "edit", "--help"],
        vec!["vitals", "add", "--help"],
        vec!["task", "add", "--help"],
        vec!["task", "done", "--help"],
        vec!["med", "add", "--help"],
        vec!["contact", "add", "--help"],
        vec!["show", "--help"],
        vec!["conflicts", "--help"],
        vec!["history", "--help"],
        vec!["check", "--help"],
        vec!["oncall", "--help"],
        vec!["oncall", "set", "--help"],
        vec!["instruction", "add", "--help"],
        vec!["master", "load", "--help"],
        vec!["settings", "--help"],
        vec!["urgent", "--help"],
        vec!["export", "--help"],
        vec!["import", "--help"],
        vec!["print", "--help"],
        vec!["draft", "--help"],
        vec!["consent", "--help"],
    ] {
        let out = ok(home.path(), &args);
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
}

#[test]
fn edited_notes_keep_their_earlier_version_and_json_reads_work_everywhere() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let team = team(h);
    let note = ok(h, &["note", "add", &team, "--text", "SpO2 89%。"])
        .trim()
        .to_string();
    ok(
        h,
        &[
            "note",
            "edit",
            &team,
            &note[..6],
            "--text",
            "SpO2 89%。主治医へ電話連絡済み。",
            "--urgency",
            "urgent",
        ],
    );
    let r = json(h, &["show", &team]);
    let versions = r["notes"][&note]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["text"], "SpO2 89%。");
    assert_eq!(versions[1]["urgency"], "urgent");

    let teams = json(h, &["team", "list"]);
    assert_eq!(teams[0]["team"], team.as_str());
    assert_eq!(json(h, &["check"])["ok"], true);
}

#[test]
fn a_script_edits_the_record_the_way_the_app_does() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let t = team(h);
    ok(
        h,
        &[
            "patient",
            "edit",
            &t,
            "--phone",
            "03-0000-1111",
            "--care-level",
            "要介護3",
            "--certified-from",
            "2026-04-01",
            "--certified-until",
            "2027-03-31",
            "--insurance",
            "ltc",
            "--doctor",
            "中野 誠",
            "--doctor-fax",
            "03-0000-2301",
            "--diagnosis",
            "慢性心不全:I50.9",
            "--acp",
            "自宅で過ごしたい",
            "--resuscitation",
            "dnar",
            "--acp-discussed-on",
            "令和8年10月1日",
        ],
    );
    let err = refused(h, &["patient", "edit", &t, "--diagnosis", "心不全:I509"]);
    assert!(err.contains("ICD-10"), "{err}");
    let record = json(h, &["show", &t]);
    let p = &record["patient"];
    assert_eq!(p["phone"], "03-0000-1111");
    assert_eq!(p["care_level"], "care-3");
    assert_eq!(p["certification"]["until"], "2027-03-31");
    assert_eq!(p["doctor"]["fax"], "03-0000-2301");
    assert_eq!(p["diagnoses"][0]["code"], "I50.9");
    assert_eq!(p["acp_details"]["resuscitation"], "dnar");
    assert_eq!(p["acp_details"]["discussed_on"], "2026-10-01");

    // Contacts: added, moved to the top, a reorder that loses one refused.
    for (name, phone) in [("山田 花子", "090-0000-0001"), ("山田 次郎", "090-0000-0002")] {
        ok(
            h,
            &[
                "contact",
                "add",
                &t,
                "--name",
                name,
                "--relation",
                "子",
                "--phone",
                phone,
            ],
        );
    }
    ok(h, &["contact", "order", &t, "2,1"]);
    let err = refused(h, &["contact", "order", &t, "1,1"]);
    assert!(err.contains("each contact exactly once"), "{err}");
    ok(
        h,
        &[
            "contact",
            "edit",
            &t,
            "2",
            "--phone",
            "090-0000-9999",
            "--key-person",
            "true",
        ],
    );
    let contacts = json(h, &["show", &t])["patient"]["contacts"].clone();
    assert_eq!(contacts[0]["name"], "山田 次郎");
    assert_eq!(contacts[1]["phone"], "090-0000-9999");
    ok(h, &["contact", "remove", &t, "1"]);
    assert_eq!(
        json(h, &["show", &t])["patient"]["contacts"].as_array().unwrap().len(),
        1
    );

    // A medication changed and stopped with a reason; a stop before its start is refused.
    let med = ok(
        h,
        &[
            "med",
            "add",
            &t,
            "--name",
            "フロセミド錠20mg",
            "--dose",
            "1回1錠",
            "--schedule",
            "朝食後",
            "--start",
            "2026-11-01",
        ],
    );
    let med = med.trim();
    ok(h, &["med", "change", &t, med, "--dose", "1回2錠"]);
    let err = refused(
        h,
        &["med", "stop", &t, med, "--on", "2026-10-01", "--reason", "腎機能低下"],
    );
    assert!(err.contains("on or after the start date"), "{err}");
    ok(
        h,
        &["med", "stop", &t, med, "--on", "2026-11-20", "--reason", "腎機能低下"],
    );
    let m = &json(h, &["show", &t])["medications"][med];
    assert_eq!(m["revisions"].as_array().unwrap().len(), 3);
    assert_eq!(m["revisions"][2]["stop_reason"], "腎機能低下");

    // A task given to a profession, then to a person.
    let task = ok(h, &["task", "add", &t, "--title", "褥瘡処置", "--assignee", "nurse"]);
    let task = task.trim();
    ok(h, &["task", "assign", &t, task, "--to", "佐藤 花子"]);
    let assignee = json(h, &["show", &t])["tasks"][task]["assignee"].clone();
    assert!(assignee.to_string().contains("member"), "{assignee}");

    // Scale 2, then a band.
    ok(
        h,
        &["thresholds", &t, "--scale2", "on", "--set", "pulse.attention_above=100"],
    );
    let bands = json(h, &["thresholds", &t]);
    assert_eq!(bands["spo2_scale2"], true);
    assert_eq!(bands["pulse"]["attention_above"], 100.0);
    let err = refused(h, &["thresholds", &t, "--set", "pulse.urgent_above=90"]);
    assert!(err.contains("urgent limits outside attention limits"), "{err}");

    // Closing: read-only until an admin (the creator) reopens it.
    ok(h, &["close", &t, "--reason", "hospital", "--note", "心不全増悪で入院"]);
    let err = refused(h, &["note", "add", &t, "--text", "追記"]);
    assert!(err.contains("利用終了"), "{err}");
    assert_eq!(json(h, &["show", &t])["case"]["closed"]["reason"], "hospital");
    ok(h, &["reopen", &t]);
    ok(h, &["note", "add", &t, "--text", "退院後の初回訪問"]);
}

#[test]
fn a_weekly_plan_lists_today_and_absent_is_recorded_against_it() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let t = team(h);
    let today = chrono::Utc::now().with_timezone(&care_model::time::jst()).date_naive();
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [chrono::Datelike::weekday(&today).num_days_from_monday() as usize];
    let err = refused(
        h,
        &[
            "plan", "add", &t, "--weekly", "funday", "--start", "10:00", "--end", "11:00",
        ],
    );
    assert!(err.contains("mon..sun"), "{err}");
    let err = refused(
        h,
        &[
            "plan", "add", &t, "--weekly", weekday, "--start", "11:00", "--end", "10:00",
        ],
    );
    assert!(err.contains("after the start"), "{err}");
    ok(
        h,
        &[
            "plan",
            "add",
            &t,
            "--weekly",
            weekday,
            "--start",
            "10:00",
            "--end",
            "11:00",
            "--who",
            "看護師",
        ],
    );
    let list = json(h, &["plan", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["state"], "planned");
    assert_eq!(list[0]["who"], "看護師");
    let planned = list[0]["planned"].as_str().unwrap().to_string();
    ok(h, &["visit", "absent", &t, "--planned", &planned]);
    assert_eq!(json(h, &["plan", "list"])[0]["state"], "absent");
}

#[test]
fn a_visit_keeps_its_soft_signs_and_a_patient_can_be_muted() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    let id = ok(
        &home,
        &[
            "visit",
            "done",
            &team,
            "--soft-sign",
            "unusual",
            "--soft-sign",
            "appetite",
        ],
    );
    let record = json(&home, &["show", &team]);
    let signs = &record["visits"][id.trim()]["soft_signs"];
    assert_eq!(signs, &serde_json::json!(["appetite", "unusual"]), "{record:#}");
    let err = refused(&home, &["visit", "done", &team, "--soft-sign", "tired"]);
    assert!(err.contains("listless | appetite | unusual"), "{err}");
    let muted = json(&home, &["mute", &team]);
    assert_eq!(muted["muted"], true);
    let back = json(&home, &["mute", &team, "--off"]);
    assert_eq!(back["muted"], false);
}

#[test]
fn an_urgent_reading_and_an_urgent_note_are_acknowledged_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    let reading = ok(&home, &["vitals", "add", &team, "--bp", "88/50"]);
    let note = ok(
        &home,
        &["note", "add", &team, "--text", "呼吸苦あり", "--urgency", "urgent"],
    );
    ok(&home, &["vitals", "ack", &team, &reading.trim()[..8]]);
    ok(&home, &["note", "ack", &team, note.trim()]);
    let record = json(&home, &["show", &team]);
    assert_eq!(
        record["vitals"][reading.trim()]["acks"].as_object().unwrap().len(),
        1,
        "{record:#}"
    );
    assert_eq!(record["notes"][note.trim()]["acks"].as_object().unwrap().len(), 1);
    let err = refused(&home, &["vitals", "ack", &team, "zzzz"]);
    assert!(err.contains("zzzz"), "{err}");
}

#[test]
fn show_json_gives_each_reading_its_news2() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    init(&home);
    let team = team(&home);
    // RR 25 (3), SpO2 91 (3, scale 1), air (0), systolic 95 (2), pulse 115
    // (2), alert (0), 38.5 °C (1): 11, high.
    let id = ok(
        &home,
        &[
            "vitals", "add", &team, "--resp", "25", "--spo2", "91", "--bp", "95/60", "--pulse", "115", "--temp",
            "38.5", "--jcs", "0", "--oxygen", "0",
        ],
    );
    let record = json(&home, &["show", &team]);
    let n = &record["vitals"][id.trim()]["news2"];
    assert_eq!(n["total"], 11, "{record:#}");
    assert_eq!(n["complete"], true);
    assert_eq!(n["suggests"], "urgent");
}

#[test]
fn an_admin_sets_several_relays_and_sees_which_one_is_in_use() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    init(h);
    let fp = "ab".repeat(32);
    ok(
        h,
        &[
            "relay",
            "set",
            "https://relay-a.example:7443/",
            "https://relay-b.example:7443",
            "--fingerprint",
            &fp,
        ],
    );
    let shown = json(h, &["relay", "show"]);
    assert_eq!(shown["relay"], "https://relay-a.example:7443");
    assert_eq!(shown["also"], serde_json::json!(["https://relay-b.example:7443"]));
    assert_eq!(shown["in_use"], "https://relay-a.example:7443");
    assert_eq!(shown["fingerprint"], fp.as_str());
    let text = ok(h, &["relay", "show"]);
    assert!(
        text.contains("https://relay-a.example:7443  ← 使用中 / in use"),
        "{text}"
    );
    // A plain-http or repeated address is refused, and the setting stays.
    let err = refused(
        h,
        &["relay", "set", "https://relay-a.example:7443", "http://relay-b.example"],
    );
    assert!(err.contains("https://"), "{err}");
    let err = refused(
        h,
        &[
            "relay",
            "set",
            "https://relay-a.example:7443",
            "https://relay-a.example:7443/",
        ],
    );
    assert!(err.contains("https://relay-a.example:7443"), "{err}");
    assert_eq!(
        json(h, &["relay", "show"])["also"],
        serde_json::json!(["https://relay-b.example:7443"])
    );
}
