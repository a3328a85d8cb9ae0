//! Human-readable output, Japanese first, dates as Japanese users write them.

use care_model::*;
use care_store::TeamSummary;

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

pub fn team_list(teams: &[TeamSummary]) {
    if teams.is_empty() {
        println!("チームはまだありません / no teams yet: `tsunagi team create --patient NAME`");
    }
    for t in teams {
        let kana = t.patient_kana.as_deref().map(|k| format!(" ({k})")).unwrap_or_default();
        let pending = if t.pending > 0 {
            format!("  送信待ち {}件", t.pending)
        } else {
            String::new()
        };
        println!("{}  {}{}{}", t.team, t.patient_name, kana, pending);
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

fn urgency_mark(u: Urgency) -> &'static str {
    match u {
        Urgency::Routine => "",
        Urgency::Attention => "【要注意】",
        Urgency::Urgent => "【緊急】",
    }
}

pub fn record(r: &Record, pending: u64, now: Timestamp) {
    let p = &r.patient;
    let mut header = p.name.clone();
    if let Some(k) = &p.kana {
        header += &format!(" ({k})");
    }
    if let Some(b) = p.born {
        header += &format!("  {}歳  {}生", b.age_on(now.date_jst()), b.format_wareki());
    }
    if let Some(c) = p.care_level {
        header += &format!("  {}", c.label_ja());
    }
    println!("{header}");
    println!(
        "チーム {}{}",
        r.team,
        if pending > 0 {
            format!("  送信待ち {pending}件")
        } else {
            String::new()
        }
    );
    if !p.contacts.is_empty() {
        println!("緊急連絡先 (連絡順):");
        for (i, c) in p.contacts.iter().enumerate() {
            let key = if c.key_person { "  ★キーパーソン" } else { "" };
            println!("  {}. {} ({})  {}{}", i + 1, c.name, c.relation, c.phone, key);
        }
    }
    for (label, items) in [
        ("アレルギー", &p.allergies),
        ("問題点", &p.problems),
        ("利用中のサービス", &p.services),
    ] {
        if !items.is_empty() {
            println!("{label}: {}", items.join("、"));
        }
    }
    if !p.diagnoses.is_empty() {
        println!(
            "病名: {}",
            p.diagnoses
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    if let Some(acp) = &p.acp {
        println!("人生会議 (ACP): {acp}");
    }

    println!("\n── 経過記録 / notes ──");
    for (id, n) in r.notes_newest_first() {
        let v = n.current();
        let author = r.member_name(&n.author).unwrap_or("?");
        let edited = if n.versions.len() > 1 {
            format!("  (修正 {}回)", n.versions.len() - 1)
        } else {
            String::new()
        };
        println!(
            "{}  {}{}  {} ({}・{})  [{}]{}",
            n.written_at.format_ja(),
            urgency_mark(v.urgency),
            v.category.label_ja(),
            author,
            n.profession.label_ja(),
            n.organisation,
            short(id),
            edited
        );
        for line in v.text.lines() {
            println!("    {line}");
        }
    }

    println!("\n── バイタル / vitals ──");
    if !r.vitals.is_empty() {
        println!("測定日時               血圧      脈拍  体温  SpO2  呼吸  体重   血糖  痛み  意識");
    }
    for (id, e) in r.vitals_newest_first() {
        let v = &e.reading;
        let bp = match (v.systolic, v.diastolic) {
            (Some(s), Some(d)) => format!("{s}/{d}"),
            _ => "-".into(),
        };
        let glucose = v
            .glucose
            .map(|g| g.to_string())
            .or(v.glucose_flag.map(|f| f.code().to_string()));
        let level = r.thresholds.level(v);
        println!(
            "{}  {:<8}  {:>4}  {:>4}  {:>4}  {:>4}  {:>5}  {:>4}  {:>4}  {:>4}  {}[{}]",
            v.taken_at.format_ja(),
            bp,
            opt(v.pulse),
            opt(v.temperature),
            opt(v.spo2),
            opt(v.respiratory_rate),
            opt(v.weight),
            opt(glucose),
            opt(v.pain),
            opt(v.consciousness),
            urgency_mark(level),
            short(id)
        );
    }

    println!("\n── タスク / tasks ──");
    for (id, t) in r.tasks_in_order() {
        let mark = match t.status {
            TaskStatus::Open => "[ ]",
            TaskStatus::Done => "[x]",
            TaskStatus::Cancelled => "[-]",
        };
        let due = t.due.map(|d| format!("  期限 {}", d.format_ja())).unwrap_or_default();
        let who = match t.assignee {
            Some(Assignee::Profession(p)) => format!("  担当 {}", p.label_ja()),
            Some(Assignee::Member(m)) => format!("  担当 {}", r.member_name(&m).unwrap_or("?")),
            None => String::new(),
        };
        let closed = match (t.closed_by, t.closed_at) {
            (Some(by), Some(at)) => format!(
                "  ({} {} {})",
                t.status.label_ja(),
                r.member_name(&by).unwrap_or("?"),
                at.format_ja()
            ),
            _ => String::new(),
        };
        println!("{mark} {}{due}{who}{closed}  [{}]", t.title, short(id));
    }

    println!("\n── 薬 / medications ──");
    for (id, m) in &r.medications {
        let c = m.current();
        let stop = c.stop.map(|s| format!("  中止 {}", s.format_ja())).unwrap_or_default();
        println!("{}  {}  {}{}  [{}]", c.name, c.dose, c.schedule, stop, short(id));
    }

    println!("\n── メンバー / members ──");
    for m in r.members.values() {
        let contact: Vec<String> = [
            m.phone.as_deref().map(|p| format!("☎ {p}")),
            m.email.clone(),
            m.fax.as_deref().map(|f| format!("FAX {f}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        println!(
            "{}  {}・{}  {}",
            m.name,
            m.profession.label_ja(),
            m.organisation,
            contact.join("  ")
        );
    }
}

pub fn conflicts(conflicts: &[Conflict]) {
    if conflicts.is_empty() {
        println!("同時に編集された項目はありません / no fields were edited at the same time");
        return;
    }
    for c in conflicts {
        println!("同時に編集されました / edited at the same time: {}", c.path.join("."));
        println!("  (tsunagi settle TEAM --field {} --choose N)", c.path.join("."));
        for (i, v) in c.values.iter().enumerate() {
            let mark = if i == 0 { "表示中" } else { "      " };
            println!(
                "  {}. {mark}  {}  — {} {}",
                i + 1,
                v.value,
                v.member_name.as_deref().unwrap_or("?"),
                v.at.map(Timestamp::format_ja).unwrap_or_default()
            );
        }
    }
}

pub fn history(events: &[HistoryEvent]) {
    for e in events {
        println!(
            "{}  {}  {}",
            e.at.format_ja(),
            e.member_name.as_deref().unwrap_or("?"),
            e.action
        );
        for f in &e.fields {
            let field = if f.field.is_empty() {
                "(項目)"
            } else {
                f.field.as_str()
            };
            println!("    {field} = {}", f.value.as_deref().unwrap_or("(削除 / removed)"));
        }
    }
}

/// What an import would add, and what differs and stays as it is.
pub fn import_plan(plan: &care_exchange::fhir::Plan) {
    let inc = &plan.incoming;
    for (field, value) in &plan.fill {
        println!("追加 / add  {field}: {value}");
    }
    for (field, ours, theirs) in &plan.differ {
        println!("相違（変更しません） / differs, kept  {field}: {ours} ≠ {theirs}");
    }
    for d in &inc.diagnoses {
        println!(
            "病名 / diagnosis  {}{}",
            d.name,
            d.code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
        );
    }
    for m in &inc.medications {
        println!("薬 / medication  {} {} {}", m.name, m.dose, m.schedule);
    }
    for a in &inc.allergies {
        println!("アレルギー / allergy  {a}");
    }
    for c in &inc.contacts {
        println!("連絡先 / contact  {} ({}) {}", c.name, c.relation, c.phone);
    }
    for v in &inc.readings {
        println!("バイタル / reading  {}", v.taken_at.format_ja());
    }
    for t in &inc.tasks {
        println!("タスク / task  {}", t.title);
    }
    if plan.is_empty() {
        println!("追加するものはありません / nothing to add");
    }
}
