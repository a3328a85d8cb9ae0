//! The manager's review: what changed since my last review and by whom,
//! and fields two laptops wrote differently, each in words (the patient,
//! the field's label, the entry) rather than as a path in the document.

use care_model::{Record, Timestamp, Urgency};

use serde::Serialize;
use specta::Type;

use super::{ms, name_of, UrgentItem, Viewer};

#[derive(Debug, Clone, Serialize, Type)]
pub struct ChangeItem {
    /// `note`, `vitals`, `task`, `medication`.
    pub kind: String,
    pub summary: String,
    pub author: String,
    pub organisation: String,
    pub at: i64,
    pub urgent: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ConflictValue {
    /// The value as stored (a code, a number, text).
    pub value: String,
    /// The value in words: a code's label, a date, a member's name.
    pub words_ja: String,
    pub words_en: String,
    pub author: String,
    pub at: Option<i64>,
}

/// Two laptops wrote different values while offline (同時に編集されました).
#[derive(Debug, Clone, Serialize, Type)]
pub struct ConflictView {
    /// Where in the record, for settling it (`settle_conflict`).
    pub path: Vec<String>,
    /// The field's label: 状態, 電話, ...
    pub label_ja: String,
    pub label_en: String,
    /// The entry the field belongs to: the task's title, the contact's
    /// name, the medication; none for the patient's own details.
    pub entry: Option<String>,
    /// The winner first: what every laptop shows until it is settled.
    pub values: Vec<ConflictValue>,
}

/// One change to an entry, in words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct HistoryItem {
    pub at: i64,
    pub who: String,
    /// The user action (`visit`, `task.done`, ...).
    pub action: String,
    pub changes: Vec<HistoryField>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct HistoryField {
    pub label_ja: String,
    pub label_en: String,
    /// Absent when the field was removed.
    pub value_ja: Option<String>,
    pub value_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReviewTeam {
    pub team: String,
    pub patient: String,
    pub sample: bool,
    /// When I last marked it reviewed (on any of my laptops).
    pub last_review: Option<i64>,
    /// Other members' latest reviews, newest first.
    pub reviewers: Vec<Reviewer>,
    /// Newest first, since my last review (never reviewed: the last 30 days).
    pub changes: Vec<ChangeItem>,
    pub conflicts: Vec<ConflictView>,
    /// Urgent notes and who has not acknowledged them.
    pub unacknowledged: Vec<UrgentItem>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Reviewer {
    pub name: String,
    pub at: i64,
}

/// What a never-reviewed record shows as "changed": the last 30 days.
pub const FIRST_REVIEW_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

/// Other members' reviews of `record`, newest first.
pub fn reviewers(record: &Record, viewer: &Viewer) -> Vec<Reviewer> {
    let me = viewer.member.to_string();
    let mut out: Vec<Reviewer> = record
        .reviews
        .iter()
        .filter(|(m, _)| **m != me)
        .map(|(m, at)| Reviewer {
            name: record
                .members
                .get(m)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".into()),
            at: ms(*at),
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.at));
    out
}

/// Everything written since `since`, newest first, with its author.
pub fn changes_since(record: &Record, since: Option<Timestamp>) -> Vec<ChangeItem> {
    let after = |t: Timestamp| since.is_none_or(|s| t > s);
    let org = |m: &care_model::MemberId| {
        record
            .members
            .get(&m.to_string())
            .map(|m| m.organisation.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for n in record.notes.values() {
        for (i, v) in n.versions.iter().enumerate().filter(|(_, v)| after(v.at)) {
            let text: String = v.text.chars().take(80).collect();
            out.push(ChangeItem {
                kind: if i == 0 { "note" } else { "note-edit" }.into(),
                summary: text,
                author: name_of(record, &v.by),
                organisation: org(&v.by),
                at: ms(v.at),
                urgent: v.urgency == Urgency::Urgent,
            });
        }
    }
    for e in record.vitals.values().filter(|e| after(e.recorded_at)) {
        let r = &e.reading;
        let mut parts = Vec::new();
        if let (Some(s), Some(d)) = (r.systolic, r.diastolic) {
            parts.push(format!("BP {s}/{d}"));
        }
        if let Some(p) = r.pulse {
            parts.push(format!("P {p}"));
        }
        if let Some(t) = r.temperature {
            parts.push(format!("T {t:.1}"));
        }
        if let Some(s) = r.spo2 {
            parts.push(format!("SpO2 {s}"));
        }
        out.push(ChangeItem {
            kind: "vitals".into(),
            summary: parts.join("  "),
            author: name_of(record, &e.author),
            organisation: org(&e.author),
            at: ms(e.recorded_at),
            urgent: record.thresholds.level(r) == Urgency::Urgent,
        });
    }
    for t in record.tasks.values() {
        if after(t.created_at) {
            out.push(ChangeItem {
                kind: "task".into(),
                summary: t.title.clone(),
                author: name_of(record, &t.created_by),
                organisation: org(&t.created_by),
                at: ms(t.created_at),
                urgent: false,
            });
        }
        if let (Some(by), Some(at)) = (t.closed_by, t.closed_at) {
            if after(at) {
                out.push(ChangeItem {
                    kind: format!("task-{}", t.status.code()),
                    summary: t.title.clone(),
                    author: name_of(record, &by),
                    organisation: org(&by),
                    at: ms(at),
                    urgent: false,
                });
            }
        }
    }
    for m in record.medications.values() {
        for r in m.revisions.iter().filter(|r| after(r.at)) {
            out.push(ChangeItem {
                kind: "medication".into(),
                summary: format!("{} {} {}", r.name, r.dose, r.schedule),
                author: name_of(record, &r.by),
                organisation: org(&r.by),
                at: ms(r.at),
                urgent: false,
            });
        }
    }
    for v in record.visits.values().filter(|v| after(v.at)) {
        out.push(ChangeItem {
            kind: format!("visit-{}", v.outcome.code()),
            summary: String::new(),
            author: name_of(record, &v.by),
            organisation: org(&v.by),
            at: ms(v.at),
            urgent: false,
        });
    }
    if let Some(c) = record.case.closed.as_ref().filter(|c| after(c.at)) {
        out.push(ChangeItem {
            kind: format!("case-closed-{}", c.reason.code()),
            summary: c.note.clone().unwrap_or_default(),
            author: name_of(record, &c.by),
            organisation: org(&c.by),
            at: ms(c.at),
            urgent: false,
        });
    }
    if let Some(r) = record.case.reopened.as_ref().filter(|r| after(r.at)) {
        out.push(ChangeItem {
            kind: "case-reopened".into(),
            summary: String::new(),
            author: name_of(record, &r.by),
            organisation: org(&r.by),
            at: ms(r.at),
            urgent: false,
        });
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.at));
    out
}

/// A search result: what was found, in which patient's record.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SearchHit {
    pub team: String,
    pub patient: String,
    /// `patient`, `note`, `task`, `task-closed`, `medication`.
    pub kind: String,
    /// Empty for the patient.
    pub entry: String,
    /// The start of the text (a note can be long).
    pub text: String,
    pub at: Option<i64>,
}

pub fn search_hit(h: care_store::Hit) -> SearchHit {
    SearchHit {
        team: h.team.to_string(),
        patient: h.patient,
        kind: h.kind,
        entry: h.entry,
        text: h.text.chars().take(120).collect(),
        at: h.at.map(ms),
    }
}

pub fn conflict_views(record: &Record, conflicts: Vec<care_model::Conflict>) -> Vec<ConflictView> {
    conflicts
        .into_iter()
        .map(|c| {
            let (label_ja, label_en) = field_label(&c.path);
            let leaf = c.path.last().cloned().unwrap_or_default();
            ConflictView {
                entry: entry_name(record, &c.path),
                label_ja,
                label_en,
                values: c
                    .values
                    .into_iter()
                    .map(|v| {
                        let (words_ja, words_en) = value_words(record, &leaf, &v.value);
                        ConflictValue {
                            value: v.value,
                            words_ja,
                            words_en,
                            author: v.member_name.unwrap_or_else(|| "?".into()),
                            at: v.at.map(ms),
                        }
                    })
                    .collect(),
                path: c.path,
            }
        })
        .collect()
}

pub fn history_items(record: &Record, events: Vec<care_model::HistoryEvent>) -> Vec<HistoryItem> {
    events
        .into_iter()
        .map(|e| HistoryItem {
            at: ms(e.at),
            who: e.member_name.unwrap_or_else(|| "?".into()),
            action: e.action,
            changes: e
                .fields
                .into_iter()
                .map(|f| {
                    let path: Vec<String> = f
                        .field
                        .split(['.', '['])
                        .map(|p| p.trim_end_matches(']').to_string())
                        .filter(|p| !p.is_empty())
                        .collect();
                    let (label_ja, label_en) = if path.is_empty() {
                        ("作成".to_string(), "created".to_string())
                    } else {
                        field_label(&path)
                    };
                    let leaf = path.last().cloned().unwrap_or_default();
                    // The creation itself has no value of its own to show.
                    let words = f
                        .value
                        .as_deref()
                        .filter(|_| !path.is_empty())
                        .map(|v| value_words(record, &leaf, v));
                    HistoryField {
                        label_ja,
                        label_en,
                        value_ja: words.as_ref().map(|w| w.0.clone()),
                        value_en: words.map(|w| w.1),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The label of the last named field on `path` (list indices skipped).
pub fn field_label(path: &[String]) -> (String, String) {
    let named: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .filter(|p| p.parse::<u64>().is_err() && p.len() != 32)
        .collect();
    let leaf = named.last().copied().unwrap_or("");
    let parent = named.iter().rev().nth(1).copied().unwrap_or("");
    let (ja, en) = match (parent, leaf) {
        (_, "status") => ("状態", "status"),
        (_, "assignee") => ("担当", "assignee"),
        (_, "due") => ("期限", "due date"),
        (_, "priority") => ("優先度", "priority"),
        (_, "title") => ("タイトル", "title"),
        (_, "closed_by") => ("完了した人", "closed by"),
        (_, "created_by") => ("作成した人", "created by"),
        (_, "created_at") => ("作成日時", "created at"),
        (_, "written_at") => ("記録日時", "written at"),
        (_, "recorded_at") => ("入力日時", "recorded at"),
        (_, "taken_at") => ("測定日時", "taken at"),
        (_, "author") => ("記録者", "author"),
        (_, "by") => ("変更した人", "changed by"),
        (_, "at") => ("日時", "when"),
        (_, "versions") => ("版", "version"),
        (_, "revisions") => ("版", "revision"),
        (_, "acks") => ("確認", "acknowledged"),
        (_, "closed_at") => ("完了日時", "closed at"),
        ("contacts", "name") => ("連絡先の氏名", "contact's name"),
        ("contacts", "relation") => ("続柄", "relation"),
        ("contacts", "phone") => ("連絡先の電話", "contact's phone"),
        ("contacts", "key_person") => ("キーパーソン", "key person"),
        ("doctor", "name") => ("主治医", "attending doctor"),
        ("care_manager", "name") => ("ケアマネジャー", "care manager"),
        (_, "fax") => ("FAX", "fax"),
        (_, "organisation") => ("所属", "organisation"),
        (_, "name") => ("氏名", "name"),
        (_, "kana") => ("ふりがな", "kana"),
        (_, "born") => ("生年月日", "date of birth"),
        (_, "sex") => ("性別", "sex"),
        (_, "address") => ("住所", "address"),
        (_, "phone") => ("電話", "phone"),
        (_, "systolic") => ("血圧 (上)", "systolic BP"),
        (_, "diastolic") => ("血圧 (下)", "diastolic BP"),
        (_, "respiratory_rate") => ("呼吸数", "respiratory rate"),
        (_, "spo2") => ("SpO2", "SpO2"),
        (_, "consciousness") => ("意識レベル (JCS)", "consciousness (JCS)"),
        (_, "pain") => ("痛み (NRS)", "pain (NRS)"),
        (_, "care_level") => ("要介護度", "care level"),
        ("certification", "from") => ("認定有効期間（開始）", "certified from"),
        ("certification", "until") => ("認定有効期間（終了）", "certified until"),
        ("insurance", "kind") => ("保険", "insurance"),
        ("insurance", "number") => ("被保険者番号", "insured number"),
        ("diagnoses", "code") => ("ICD-10", "ICD-10"),
        (_, "diagnoses") => ("診断名", "diagnoses"),
        (_, "services") => ("利用中のサービス", "services"),
        (_, "allergies") => ("アレルギー", "allergies"),
        (_, "problems") => ("問題点", "problems"),
        (_, "acp") => ("急変時の希望（ACP）", "wishes in an emergency (ACP)"),
        (_, "resuscitation") => ("蘇生の希望", "resuscitation"),
        (_, "hospital") => ("希望する病院", "hospital of choice"),
        (_, "discussed_on") => ("話し合った日", "discussed on"),
        (_, "discussed_with") => ("話し合った相手", "discussed with"),
        (_, "on_call") => ("待機", "on call"),
        (_, "text") => ("本文", "text"),
        (_, "category") => ("種類", "category"),
        (_, "urgency") => ("緊急度", "urgency"),
        (_, "dose") => ("用量", "dose"),
        (_, "schedule") => ("用法", "schedule"),
        (_, "stop") => ("中止日", "stopped on"),
        (_, "stop_reason") => ("中止理由", "reason stopped"),
        (_, "start") => ("開始日", "started on"),
        (_, "spo2_scale2") => ("SpO2 スケール2", "SpO2 scale 2"),
        (
            "thresholds" | "spo2" | "pulse" | "systolic" | "diastolic" | "temperature" | "respiratory_rate" | "glucose"
            | "pain" | "consciousness",
            b,
        ) => match b {
            "attention_below" => ("要注意（下限）", "attention below"),
            "attention_above" => ("要注意（上限）", "attention above"),
            "urgent_below" => ("緊急（下限）", "urgent below"),
            "urgent_above" => ("緊急（上限）", "urgent above"),
            _ => (care_model::vocab::field_label_ja(b), b),
        },
        (_, "closed") => ("利用終了", "case closed"),
        (_, "reason") => ("理由", "reason"),
        (_, "date") => ("日付", "date"),
        (_, "note") => ("メモ", "note"),
        (_, other) => (care_model::vocab::field_label_ja(other), other),
    };
    let band = named.iter().find(|n| {
        [
            "spo2",
            "pulse",
            "systolic",
            "diastolic",
            "temperature",
            "respiratory_rate",
            "glucose",
            "pain",
            "consciousness",
        ]
        .contains(n)
    });
    match (named.first(), band) {
        (Some(&"thresholds"), Some(b)) => (
            format!("{}の{ja}", care_model::vocab::field_label_ja(b)),
            format!("{b} {en}"),
        ),
        _ => (ja.to_string(), en.to_string()),
    }
}

/// The entry a path points into, named as the team knows it.
fn entry_name(record: &Record, path: &[String]) -> Option<String> {
    let (first, rest) = path.split_first()?;
    let id = rest.first()?;
    match first.as_str() {
        "tasks" => record.tasks.get(id).map(|t| t.title.clone()),
        "medications" => record.medications.get(id).map(|m| m.current().name.clone()),
        "members" => record.members.get(id).map(|m| m.name.clone()),
        "notes" => record
            .notes
            .get(id)
            .map(|n| n.current().text.chars().take(30).collect()),
        "patient" if id == "contacts" => {
            let i: usize = rest.get(1)?.parse().ok()?;
            record.patient.contacts.get(i).map(|c| c.name.clone())
        }
        _ => None,
    }
}

/// A stored value as people read it: codes as labels, member ids as
/// names, booleans as はい / いいえ.
pub fn value_words(record: &Record, leaf: &str, value: &str) -> (String, String) {
    fn vocab<T: std::str::FromStr + Copy>(
        v: &str,
        ja: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Option<(String, String)> {
        v.parse::<T>().ok().map(|x| (ja(x).to_string(), en(x).to_string()))
    }
    use care_model::*;
    let words = match leaf {
        "status" => vocab::<TaskStatus>(value, TaskStatus::label_ja, TaskStatus::label_en),
        "priority" => vocab::<Priority>(value, Priority::label_ja, Priority::label_en),
        "care_level" => vocab::<CareLevel>(value, CareLevel::label_ja, CareLevel::label_en),
        "sex" => vocab::<Sex>(value, Sex::label_ja, Sex::label_en),
        "category" => vocab::<NoteCategory>(value, NoteCategory::label_ja, NoteCategory::label_en),
        "urgency" => vocab::<Urgency>(value, Urgency::label_ja, Urgency::label_en),
        "kind" => vocab::<InsuranceKind>(value, InsuranceKind::label_ja, InsuranceKind::label_en),
        "resuscitation" => vocab::<Resuscitation>(value, Resuscitation::label_ja, Resuscitation::label_en),
        "reason" => vocab::<ClosureReason>(value, ClosureReason::label_ja, ClosureReason::label_en),
        "assignee" => value.split_once(':').and_then(|(k, v)| match k {
            "member" => v
                .parse()
                .ok()
                .and_then(|m| record.member_name(&m))
                .map(|n| (n.to_string(), n.to_string())),
            "profession" => vocab::<Profession>(v, Profession::label_ja, Profession::label_en),
            _ => None,
        }),
        _ => None,
    };
    words.unwrap_or_else(|| match value {
        "true" => ("はい".into(), "yes".into()),
        "false" => ("いいえ".into(), "no".into()),
        "(なし / none)" => ("なし".into(), "none".into()),
        "(追加 / appended)" => ("追加".into(), "added".into()),
        v => (v.to_string(), v.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::tests::{at, record_with_urgent_note};
    use care_model::*;

    #[test]
    fn review_lists_what_changed_since_the_last_review_with_authors() {
        let (mut r, n, d, _) = record_with_urgent_note();
        r.change(&d, at(100), "task.add", |tx| {
            tx.add_task(NewTask {
                title: "訪問看護指示書の更新依頼".into(),
                assignee: None,
                due: None,
                priority: Priority::Normal,
            })
        })
        .unwrap();
        let rec = r.read().unwrap();
        let all = changes_since(&rec, None);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].author, "田中 一郎");
        assert_eq!(all[1].author, "佐藤 花子");
        assert!(all[1].urgent);
        let since = changes_since(&rec, Some(at(50)));
        assert_eq!(since.len(), 1);
        assert_eq!(since[0].summary, "訪問看護指示書の更新依頼");
        let _ = n;
    }

    #[test]
    fn a_conflict_is_named_in_words_with_the_entry_and_both_values() {
        let (mut a, n, d, _) = record_with_urgent_note();
        let task = a
            .change(&n, at(1), "task.add", |tx| {
                tx.add_task(NewTask {
                    title: "褥瘡処置".into(),
                    assignee: None,
                    due: None,
                    priority: Priority::Normal,
                })
            })
            .unwrap()
            .value;
        let mut b = CareRecord::load(&a.save()).unwrap();
        a.change(&n, at(2), "task.done", |tx| tx.set_task_status(task, TaskStatus::Done))
            .unwrap();
        b.change(&d, at(2), "task.cancelled", |tx| {
            tx.set_task_status(task, TaskStatus::Cancelled)
        })
        .unwrap();
        a.merge(&mut b).unwrap();
        let views = conflict_views(&a.read().unwrap(), a.conflicts().unwrap());
        let status = views
            .iter()
            .find(|c| c.path.last().map(String::as_str) == Some("status"))
            .expect("the status conflict");
        assert_eq!(status.entry.as_deref(), Some("褥瘡処置"));
        assert_eq!((status.label_ja.as_str(), status.label_en.as_str()), ("状態", "status"));
        let mut words: Vec<&str> = status.values.iter().map(|v| v.words_ja.as_str()).collect();
        words.sort();
        assert_eq!(words, ["中止", "完了"]);
        let authors: Vec<&str> = status.values.iter().map(|v| v.author.as_str()).collect();
        assert!(
            authors.contains(&"佐藤 花子") && authors.contains(&"田中 一郎"),
            "{authors:?}"
        );
        // No raw path or code anywhere a person reads.
        for c in &views {
            assert!(!c.label_ja.contains('.') && !c.label_ja.contains('_'), "{}", c.label_ja);
        }
    }

    #[test]
    fn a_threshold_label_names_the_measure_and_the_limit() {
        let path: Vec<String> = ["thresholds", "spo2", "urgent_below"].map(String::from).into();
        assert_eq!(
            field_label(&path),
            ("SpO2の緊急（下限）".to_string(), "spo2 urgent below".to_string())
        );
        let contact: Vec<String> = ["patient", "contacts", "1", "phone"].map(String::from).into();
        assert_eq!(field_label(&contact).0, "連絡先の電話");
    }

    #[test]
    fn review_lists_visits_and_a_closure_with_who_did_them() {
        let (mut r, n, d, _) = record_with_urgent_note();
        r.change(&d, at(10), "visit.absent", |tx| {
            tx.add_visit(NewVisit {
                planned: None,
                kind: VisitKind::Regular,
                outcome: VisitOutcome::Absent,
                start: at(10),
                end: None,
                soft_signs: Vec::new(),
                observations: None,
            })
        })
        .unwrap();
        r.change(&n, at(20), "case.close", |tx| {
            tx.close_case(ClosureReason::Hospital, at(20).date_jst(), Some("心不全増悪".into()))
        })
        .unwrap();
        let changes = changes_since(&r.read().unwrap(), Some(at(5)));
        let kinds: Vec<(&str, &str)> = changes.iter().map(|c| (c.kind.as_str(), c.author.as_str())).collect();
        assert_eq!(
            kinds,
            [("case-closed-hospital", "佐藤 花子"), ("visit-absent", "田中 一郎")]
        );
        assert_eq!(changes[0].summary, "心不全増悪");
    }
}
