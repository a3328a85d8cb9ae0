//! What a visiting nurse observes at every visit besides the vital signs:
//! bowel and bladder (排便 with the Bristol stool scale, 排尿), food and fluid
//! intake (食事 in tenths, 割; 水分 in mL), sleep, oedema, the skin, and the
//! levels of independence (寝たきり度 J1…C2, 認知症 I…M) when they change.
//! Every item is optional; they are kept with the visit they were seen at.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, MAX_SHORT_CHARS};
use crate::{Record, Timestamp, ValidationError};

crate::vocab::vocab_enum!(
    /// 睡眠.
    Sleep, "sleep", accepted: "good | interrupted | poor" {
    Good = ("good", "良眠", "slept well"),
    Interrupted = ("interrupted", "中途覚醒あり", "woke in the night"),
    Poor = ("poor", "不眠", "did not sleep"),
});

crate::vocab::vocab_enum!(
    /// 浮腫.
    Edema, "edema", accepted: "none | mild | moderate | severe" {
    None = ("none", "なし", "none"),
    Mild = ("mild", "軽度", "mild"),
    Moderate = ("moderate", "中等度", "moderate"),
    Severe = ("severe", "高度", "severe"),
});

/// 障害高齢者の日常生活自立度（寝たきり度）.
pub const BEDRIDDEN_LEVELS: [&str; 9] = ["自立", "J1", "J2", "A1", "A2", "B1", "B2", "C1", "C2"];
/// 認知症高齢者の日常生活自立度.
pub const DEMENTIA_LEVELS: [&str; 8] = ["自立", "I", "IIa", "IIb", "IIIa", "IIIb", "IV", "M"];

/// The observations as typed on the visit form (every field may be blank).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ObservationForm {
    /// 排便回数 (since the last visit).
    pub bowel: String,
    /// ブリストルスケール 1–7.
    pub bristol: String,
    /// 排尿回数.
    pub urine: String,
    /// 食事摂取量, 0–10 割.
    pub food: String,
    /// 水分摂取量, mL.
    pub fluid: String,
    pub sleep: String,
    pub edema: String,
    /// 皮膚状態, a few words.
    pub skin: String,
    pub bedridden: String,
    pub dementia: String,
}

/// What was observed at one visit.
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Observations {
    pub bowel: Option<u64>,
    pub bristol: Option<u64>,
    pub urine: Option<u64>,
    pub food: Option<u64>,
    pub fluid_ml: Option<u64>,
    pub sleep: Option<Sleep>,
    pub edema: Option<Edema>,
    pub skin: Option<String>,
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
}

fn number(field: &'static str, typed: &str, max: u64, accepted: &'static str) -> Result<Option<u64>, ValidationError> {
    let t: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    let t = t
        .trim_end_matches("割")
        .trim_end_matches("mL")
        .trim_end_matches("ml")
        .trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u64>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(ValidationError {
            field,
            value: typed.to_string(),
            accepted,
        }),
    }
}

fn level(
    field: &'static str,
    typed: &str,
    levels: &[&str],
    accepted: &'static str,
) -> Result<Option<String>, ValidationError> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    levels
        .iter()
        .find(|l| l.eq_ignore_ascii_case(t))
        .map(|l| Some(l.to_string()))
        .ok_or_else(|| ValidationError {
            field,
            value: typed.to_string(),
            accepted,
        })
}

impl ObservationForm {
    /// The observations, each checked against its range; `None` when the
    /// form is blank.
    pub fn parse(&self) -> Result<Option<Observations>, ValidationError> {
        let skin = self.skin.trim();
        if !skin.is_empty() {
            check_text("skin", skin, MAX_SHORT_CHARS)?;
        }
        let bristol = number("bristol", &self.bristol, 7, "1–7 (Bristol stool scale)")?;
        if bristol == Some(0) {
            return Err(ValidationError {
                field: "bristol",
                value: self.bristol.clone(),
                accepted: "1–7 (Bristol stool scale)",
            });
        }
        let o = Observations {
            bowel: number("bowel", &self.bowel, 20, "0–20 times")?,
            bristol,
            urine: number("urine", &self.urine, 30, "0–30 times")?,
            food: number("food", &self.food, 10, "0–10 (tenths, 割)")?,
            fluid_ml: number("fluid", &self.fluid, 5000, "0–5000 mL")?,
            sleep: match self.sleep.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| ValidationError {
                    field: "sleep",
                    value: s.to_string(),
                    accepted: "good | interrupted | poor",
                })?),
            },
            edema: match self.edema.trim() {
                "" => None,
                s => Some(s.parse().map_err(|_| ValidationError {
                    field: "edema",
                    value: s.to_string(),
                    accepted: "none | mild | moderate | severe",
                })?),
            },
            skin: Some(skin.to_string()).filter(|s| !s.is_empty()),
            bedridden: level(
                "bedridden",
                &self.bedridden,
                &BEDRIDDEN_LEVELS,
                "自立, J1, J2, A1, A2, B1, B2, C1, C2",
            )?,
            dementia: level(
                "dementia",
                &self.dementia,
                &DEMENTIA_LEVELS,
                "自立, I, IIa, IIb, IIIa, IIIb, IV, M",
            )?,
        };
        Ok(Some(o).filter(|o| *o != Observations::default()))
    }
}

impl Observations {
    /// One line for a report: `排便 1回 (ブリストル 4)・食事 8割・水分 1200 mL …`.
    pub fn line_ja(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.bowel {
            let b = self.bristol.map(|b| format!("（ブリストル {b}）")).unwrap_or_default();
            parts.push(format!("排便 {n}回{b}"));
        }
        if let Some(n) = self.urine {
            parts.push(format!("排尿 {n}回"));
        }
        if let Some(n) = self.food {
            parts.push(format!("食事 {n}割"));
        }
        if let Some(n) = self.fluid_ml {
            parts.push(format!("水分 {n} mL"));
        }
        if let Some(s) = self.sleep {
            parts.push(format!("睡眠 {}", s.label_ja()));
        }
        if let Some(e) = self.edema {
            parts.push(format!("浮腫 {}", e.label_ja()));
        }
        if let Some(s) = &self.skin {
            parts.push(format!("皮膚 {s}"));
        }
        if let Some(l) = &self.bedridden {
            parts.push(format!("寝たきり度 {l}"));
        }
        if let Some(l) = &self.dementia {
            parts.push(format!("認知症 {l}"));
        }
        parts.join("・")
    }
}

impl Record {
    /// Visits with observations, oldest first, from `since`.
    pub fn observations_since(&self, since: Timestamp) -> Vec<(&str, &crate::Visit, &Observations)> {
        let mut v: Vec<_> = self
            .visits
            .iter()
            .filter(|(_, visit)| visit.start >= since)
            .filter_map(|(id, visit)| visit.observations.as_ref().map(|o| (id.as_str(), visit, o)))
            .collect();
        v.sort_by_key(|(id, visit, _)| (visit.start, *id));
        v
    }

    /// The newest levels of independence recorded (寝たきり度, 認知症).
    pub fn independence(&self) -> (Option<&str>, Option<&str>) {
        let all = self.observations_since(Timestamp(i64::MIN));
        let last =
            |f: fn(&Observations) -> Option<&String>| all.iter().rev().find_map(|(_, _, o)| f(o)).map(String::as_str);
        (last(|o| o.bedridden.as_ref()), last(|o| o.dementia.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ObservationForm {
        ObservationForm {
            bowel: "1".into(),
            bristol: "４".into(),
            urine: "6".into(),
            food: "8割".into(),
            fluid: "1200".into(),
            sleep: "interrupted".into(),
            edema: "mild".into(),
            skin: " 仙骨部に発赤 ".into(),
            bedridden: "b1".into(),
            dementia: "iia".into(),
        }
    }

    #[test]
    fn observations_are_checked_against_their_ranges() {
        let o = form().parse().unwrap().unwrap();
        assert_eq!(
            (o.bowel, o.bristol, o.food, o.fluid_ml),
            (Some(1), Some(4), Some(8), Some(1200))
        );
        assert_eq!(
            (o.bedridden.as_deref(), o.dementia.as_deref()),
            (Some("B1"), Some("IIa"))
        );
        assert_eq!(o.skin.as_deref(), Some("仙骨部に発赤"));
        assert_eq!(
            o.line_ja(),
            "排便 1回（ブリストル 4）・排尿 6回・食事 8割・水分 1200 mL・睡眠 中途覚醒あり・浮腫 軽度・皮膚 仙骨部に発赤・寝たきり度 B1・認知症 IIa"
        );
        assert_eq!(
            ObservationForm::default().parse().unwrap(),
            None,
            "a blank form is nothing"
        );
        for (f, field) in [
            (
                ObservationForm {
                    bristol: "8".into(),
                    ..form()
                },
                "bristol",
            ),
            (
                ObservationForm {
                    bristol: "0".into(),
                    ..form()
                },
                "bristol",
            ),
            (
                ObservationForm {
                    food: "11".into(),
                    ..form()
                },
                "food",
            ),
            (
                ObservationForm {
                    fluid: "-5".into(),
                    ..form()
                },
                "fluid",
            ),
            (
                ObservationForm {
                    sleep: "ok".into(),
                    ..form()
                },
                "sleep",
            ),
            (
                ObservationForm {
                    bedridden: "D1".into(),
                    ..form()
                },
                "bedridden",
            ),
            (
                ObservationForm {
                    dementia: "V".into(),
                    ..form()
                },
                "dementia",
            ),
        ] {
            assert_eq!(f.parse().unwrap_err().field, field);
        }
    }
}
