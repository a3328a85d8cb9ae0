//! Drafts of the sheets a nurse edits before printing: the 看護サマリー /
//! 入院時情報提供書 for a hospital admission and the monthly 訪問看護報告書.
//! The app drafts the free text from the record; the nurse edits it; the
//! draft is kept in the record, so a colleague can finish or reprint it and
//! everyone sees who last saved it.
//!
//! Layout: `drafts` at the root (made on first use), keyed by
//! [`DraftKey`]: `summary`, or `report:YYYY-MM`. Each draft is a map of
//! field name -> text plus `by` and `at`; a field merges on its own, so two
//! nurses editing different fields offline both keep their edit.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{key, RecordTx, MAX_TEXT_CHARS};
use crate::{CalendarDate, MemberId, ModelError, Timestamp, ValidationError};

/// Which sheet a draft is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DraftKey {
    /// 看護サマリー / 入院時情報提供書 (one per record: the latest admission).
    Summary,
    /// 訪問看護報告書 for one month (year, month).
    Report(i32, u32),
}

impl DraftKey {
    /// The free-text fields this sheet has, in the order they print.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            // 宛先, 現病歴と経過, ADL, 看護上の問題点, 継続看護への依頼.
            DraftKey::Summary => &["to", "course", "adl", "problems", "requests"],
            // 病状の経過, 看護の内容, 家庭での介護の状況, 特記すべき事項.
            DraftKey::Report(..) => &["course", "care", "home", "special"],
        }
    }

    /// The month of a report's draft.
    pub fn month(self) -> Option<(i32, u32)> {
        match self {
            DraftKey::Report(y, m) => Some((y, m)),
            DraftKey::Summary => None,
        }
    }
}

impl fmt::Display for DraftKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftKey::Summary => f.write_str("summary"),
            DraftKey::Report(y, m) => write!(f, "report:{y:04}-{m:02}"),
        }
    }
}

impl FromStr for DraftKey {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValidationError {
            field: "draft",
            value: s.chars().take(40).collect(),
            accepted: "summary | report:YYYY-MM",
        };
        if s == "summary" {
            return Ok(DraftKey::Summary);
        }
        let month = s.strip_prefix("report:").ok_or_else(bad)?;
        let (y, m) = parse_month(month).ok_or_else(bad)?;
        Ok(DraftKey::Report(y, m))
    }
}

/// `YYYY-MM` as (year, month), for a month a report can be about.
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    CalendarDate::new(y, m, 1).map(|_| (y, m))
}

/// A sheet's edited free text, and who saved it last.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Draft {
    pub fields: BTreeMap<String, String>,
    pub by: Option<MemberId>,
    pub at: Option<Timestamp>,
}

impl Draft {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

fn validate(key: DraftKey, fields: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    for (name, text) in fields {
        if !key.fields().contains(&name.as_str()) {
            return Err(ValidationError {
                field: "draft",
                value: name.chars().take(40).collect(),
                accepted: match key {
                    DraftKey::Summary => "to | course | adl | problems | requests",
                    DraftKey::Report(..) => "course | care | home | special",
                },
            });
        }
        let n = text.chars().count();
        if n > MAX_TEXT_CHARS {
            return Err(ValidationError {
                field: "text",
                value: format!("({n} 文字 / chars)"),
                accepted: "0–20000 文字 / chars",
            });
        }
    }
    Ok(())
}

impl RecordTx<'_, '_> {
    /// Saves a sheet's free text (the fields given; others are kept). Only
    /// fields that changed are written, so concurrent edits of different
    /// fields merge.
    pub fn save_draft(&mut self, key: DraftKey, fields: &BTreeMap<String, String>) -> Result<(), ModelError> {
        validate(key, fields)?;
        let drafts = self.root_map(key::DRAFTS)?;
        let name = key.to_string();
        let draft = match self.tx.get(&drafts, name.as_str())? {
            Some((automerge::Value::Object(automerge::ObjType::Map), id)) => id,
            _ => self.tx.put_object(&drafts, name.as_str(), automerge::ObjType::Map)?,
        };
        let texts = self.map_in(&draft, "fields")?;
        for (field, text) in fields {
            let before = match self.tx.get(&texts, field.as_str())? {
                Some((automerge::Value::Scalar(v), _)) => v.as_str().map(str::to_string),
                _ => None,
            };
            if before.as_deref() != Some(text.as_str()) {
                reconcile_prop(self.tx, &texts, field.as_str(), text.as_str())?;
            }
        }
        reconcile_prop(self.tx, &draft, "by", Some(self.writer.member))?;
        reconcile_prop(self.tx, &draft, "at", Some(self.at))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_and_print_the_same() {
        for k in ["summary", "report:2026-11"] {
            assert_eq!(k.parse::<DraftKey>().unwrap().to_string(), k);
        }
        for bad in ["report:2026-13", "report:26-1", "plan", "report:"] {
            assert!(bad.parse::<DraftKey>().is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_fields_and_huge_texts_are_refused() {
        let mut f = BTreeMap::from([("course".to_string(), "経過".to_string())]);
        assert!(validate(DraftKey::Summary, &f).is_ok());
        f.insert("care".into(), "x".into());
        assert_eq!(validate(DraftKey::Summary, &f).unwrap_err().field, "draft");
        let f = BTreeMap::from([("care".to_string(), "あ".repeat(MAX_TEXT_CHARS + 1))]);
        assert_eq!(validate(DraftKey::Report(2026, 11), &f).unwrap_err().field, "text");
    }
}
