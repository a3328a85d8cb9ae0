//! What a search across patients finds in a record, and how text is folded
//! so that a nurse finds 山田 as やまだ, ヤマダ or ﾔﾏﾀﾞ: NFKC (half-width
//! kana and full-width letters to their usual forms), hiragana to katakana,
//! lower case, and no spaces. The index itself lives in care-store.

use unicode_normalization::UnicodeNormalization;

use crate::{CareRecord, ModelError, TaskStatus, Timestamp};

/// Text folded for matching; see the module comment.
pub fn fold(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    crate::to_katakana(&nfkc)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One thing a search can find, and the text it is found by.
#[derive(Debug, Clone, PartialEq)]
pub struct Searchable {
    /// `patient`, `note`, `task`, `medication`.
    pub kind: &'static str,
    /// The entry's id; empty for the patient.
    pub entry: String,
    /// What the result shows (the note's text, the task's title ...).
    pub text: String,
    /// What it is found by: `text`, and for the patient the reading too.
    pub folded: String,
    pub at: Option<Timestamp>,
}

impl CareRecord {
    /// Everything a search finds in this record: the patient by name and
    /// reading, each note's current text, task titles (open ones and
    /// closed), medication names.
    pub fn searchable(&self) -> Result<Vec<Searchable>, ModelError> {
        let r = self.read()?;
        let mut out = Vec::with_capacity(r.notes.len() + r.tasks.len() + r.medications.len() + 1);
        let p = &r.patient;
        out.push(Searchable {
            kind: "patient",
            entry: String::new(),
            text: p.name.clone(),
            folded: format!("{}|{}", fold(&p.name), fold(p.kana.as_deref().unwrap_or(""))),
            at: None,
        });
        for (id, n) in &r.notes {
            let text = &n.current().text;
            out.push(Searchable {
                kind: "note",
                entry: id.clone(),
                text: text.clone(),
                folded: fold(text),
                at: Some(n.written_at),
            });
        }
        for (id, t) in &r.tasks {
            out.push(Searchable {
                kind: if t.status == TaskStatus::Open {
                    "task"
                } else {
                    "task-closed"
                },
                entry: id.clone(),
                text: t.title.clone(),
                folded: fold(&t.title),
                at: Some(t.created_at),
            });
        }
        for (id, m) in &r.medications {
            let c = m.current();
            out.push(Searchable {
                kind: "medication",
                entry: id.clone(),
                text: format!("{} {} {}", c.name, c.dose, c.schedule),
                folded: fold(&c.name),
                at: Some(c.at),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_in_any_width_or_script_and_full_width_letters_fold_alike() {
        assert_eq!(fold("やまだ たろう"), "ヤマダタロウ");
        assert_eq!(fold("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
        assert_eq!(fold("ヤマダ　タロウ"), "ヤマダタロウ");
        assert_eq!(fold("ＳｐＯ２ 低下"), "spo2低下");
        assert_eq!(fold("山田 太郎"), "山田太郎");
    }
}
