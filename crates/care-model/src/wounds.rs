//! Wounds (褥瘡, 術創, スキンテア …) followed over time with DESIGN-R 2020, the
//! Japanese Society of Pressure Ulcers' scale: at each assessment the depth
//! and six scored items (Exudate, Size, Inflammation/Infection, Granulation,
//! Necrotic tissue, Pocket). The total leaves depth out (0–66); a falling
//! total is a healing wound. Photos are attachments (`attachments.rs`) to the wound.
//!
//! Layout: `wounds` at the root (made on first use), EntryId -> Wound; each
//! wound's assessments appended in its own map, never overwritten.

use std::collections::BTreeMap;

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::{CalendarDate, EntryId, MemberId, ModelError, Record, Timestamp, ValidationError};

crate::vocab::vocab_enum!(
    /// What kind of wound.
    WoundKind, "kind", accepted: "pressure_ulcer | surgical | skin_tear | other" {
    PressureUlcer = ("pressure_ulcer", "褥瘡", "pressure ulcer"),
    Surgical = ("surgical", "術創", "surgical wound"),
    SkinTear = ("skin_tear", "スキンテア", "skin tear"),
    Other = ("other", "その他", "other"),
});

/// Each DESIGN-R 2020 item: its codes and their points (depth has none).
const DEPTH: &[(&str, u32)] = &[
    ("d0", 0),
    ("d1", 0),
    ("d2", 0),
    ("D3", 0),
    ("D4", 0),
    ("D5", 0),
    ("DDTI", 0),
    ("DU", 0),
];
const EXUDATE: &[(&str, u32)] = &[("e0", 0), ("e1", 1), ("e3", 3), ("E6", 6)];
const SIZE: &[(&str, u32)] = &[
    ("s0", 0),
    ("s3", 3),
    ("s6", 6),
    ("s8", 8),
    ("s9", 9),
    ("s12", 12),
    ("S15", 15),
];
const INFLAMMATION: &[(&str, u32)] = &[("i0", 0), ("i1", 1), ("I3C", 3), ("I3", 3), ("I9", 9)];
const GRANULATION: &[(&str, u32)] = &[("g0", 0), ("g1", 1), ("g3", 3), ("G4", 4), ("G5", 5), ("G6", 6)];
const NECROTIC: &[(&str, u32)] = &[("n0", 0), ("N3", 3), ("N6", 6)];
const POCKET: &[(&str, u32)] = &[("p0", 0), ("P6", 6), ("P9", 9), ("P12", 12), ("P24", 24)];

/// The item's canonical code for what was typed (case does not matter:
/// `e3` and `E3` are the same item), or a validation error naming the codes.
fn code_of(
    field: &'static str,
    typed: &str,
    codes: &[(&str, u32)],
    accepted: &'static str,
) -> Result<String, ValidationError> {
    let t = crate::time::normalise_digits(typed.trim());
    codes
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(&t))
        .map(|(c, _)| c.to_string())
        .ok_or(ValidationError {
            field,
            value: typed.to_string(),
            accepted,
        })
}

fn points(code: &str, codes: &[(&str, u32)]) -> u32 {
    codes.iter().find(|(c, _)| *c == code).map_or(0, |(_, p)| *p)
}

/// One DESIGN-R 2020 assessment, as scored.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DesignR {
    pub depth: String,
    pub exudate: String,
    pub size: String,
    pub inflammation: String,
    pub granulation: String,
    pub necrotic: String,
    pub pocket: String,
}

impl DesignR {
    /// Checks each item and spells it the scale's way (d2, E6, s9 …).
    pub fn parse(self) -> Result<DesignR, ValidationError> {
        Ok(DesignR {
            depth: code_of("depth", &self.depth, DEPTH, "d0 d1 d2 D3 D4 D5 DDTI DU")?,
            exudate: code_of("exudate", &self.exudate, EXUDATE, "e0 e1 e3 E6")?,
            size: code_of("size", &self.size, SIZE, "s0 s3 s6 s8 s9 s12 S15")?,
            inflammation: code_of("inflammation", &self.inflammation, INFLAMMATION, "i0 i1 I3C I3 I9")?,
            granulation: code_of("granulation", &self.granulation, GRANULATION, "g0 g1 g3 G4 G5 G6")?,
            necrotic: code_of("necrotic", &self.necrotic, NECROTIC, "n0 N3 N6")?,
            pocket: code_of("pocket", &self.pocket, POCKET, "p0 P6 P9 P12 P24")?,
        })
    }

    /// The total: the six scored items, depth left out (0–66).
    pub fn total(&self) -> u32 {
        points(&self.exudate, EXUDATE)
            + points(&self.size, SIZE)
            + points(&self.inflammation, INFLAMMATION)
            + points(&self.granulation, GRANULATION)
            + points(&self.necrotic, NECROTIC)
            + points(&self.pocket, POCKET)
    }

    /// As written on a chart: `D3-e3s9i1g3N3p0:19` (depth, the items, total).
    pub fn notation(&self) -> String {
        format!(
            "{}-{}{}{}{}{}{}:{}",
            self.depth,
            self.exudate,
            self.size,
            self.inflammation,
            self.granulation,
            self.necrotic,
            self.pocket,
            self.total()
        )
    }
}

/// One assessment of a wound.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Assessment {
    pub scores: DesignR,
    pub note: Option<String>,
    pub by: MemberId,
    pub at: Timestamp,
}

/// A wound and its assessments.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Wound {
    /// Where (仙骨部, 右踵 …).
    pub site: String,
    pub kind: WoundKind,
    pub started_on: CalendarDate,
    /// Healed or closed (治癒・終了) on this day.
    pub closed_on: Option<CalendarDate>,
    /// Assessment id -> assessment, appended.
    pub assessments: BTreeMap<String, Assessment>,
    pub created_by: MemberId,
    pub created_at: Timestamp,
}

impl Wound {
    /// Its assessments, oldest first.
    pub fn in_order(&self) -> Vec<(&str, &Assessment)> {
        let mut v: Vec<(&str, &Assessment)> = self.assessments.iter().map(|(id, a)| (id.as_str(), a)).collect();
        v.sort_by_key(|(id, a)| (a.at, *id));
        v
    }

    pub fn latest(&self) -> Option<&Assessment> {
        self.in_order().last().map(|(_, a)| *a)
    }
}

impl Record {
    /// Open wounds whose last assessment (or start) is more than `days`
    /// before `today`: to assess again.
    pub fn wounds_due(&self, today: CalendarDate, days: i64) -> Vec<(&str, &Wound)> {
        self.wounds
            .iter()
            .filter(|(_, w)| w.closed_on.is_none())
            .filter(|(_, w)| {
                let last = w.latest().map_or(w.started_on, |a| a.at.date_jst());
                last.add_days(days) < today
            })
            .map(|(id, w)| (id.as_str(), w))
            .collect()
    }
}

impl RecordTx<'_, '_> {
    /// Starts following a wound; its id.
    pub fn add_wound(&mut self, site: &str, kind: WoundKind, started_on: CalendarDate) -> Result<EntryId, ModelError> {
        check_text("site", site, MAX_SHORT_CHARS)?;
        if started_on > self.at.date_jst() {
            return Err(ValidationError {
                field: "started_on",
                value: started_on.iso(),
                accepted: "today or earlier",
            }
            .into());
        }
        let id = EntryId::random();
        let map = self.root_map(key::WOUNDS)?;
        let wound = Wound {
            site: site.trim().to_string(),
            kind,
            started_on,
            closed_on: None,
            assessments: BTreeMap::new(),
            created_by: self.writer.member,
            created_at: self.at,
        };
        reconcile_prop(self.tx, &map, id.to_string().as_str(), &wound)?;
        Ok(id)
    }

    /// Appends a DESIGN-R 2020 assessment; its id.
    pub fn assess_wound(
        &mut self,
        wound: EntryId,
        scores: DesignR,
        note: Option<String>,
    ) -> Result<EntryId, ModelError> {
        let scores = scores.parse()?;
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &note {
            check_text("note", n, MAX_TEXT_CHARS)?;
        }
        let obj = self.entry(key::WOUNDS, "wound", wound)?;
        let list = self.map_in(&obj, "assessments")?;
        let id = EntryId::random();
        let value = Assessment {
            scores,
            note,
            by: self.writer.member,
            at: self.at,
        };
        reconcile_prop(self.tx, &list, id.to_string().as_str(), &value)?;
        Ok(id)
    }

    /// Records that the wound healed or is no longer followed (治癒・終了).
    pub fn close_wound(&mut self, wound: EntryId, on: CalendarDate) -> Result<(), ModelError> {
        if on > self.at.date_jst() {
            return Err(ValidationError {
                field: "closed_on",
                value: on.iso(),
                accepted: "today or earlier",
            }
            .into());
        }
        let obj = self.entry(key::WOUNDS, "wound", wound)?;
        reconcile_prop(self.tx, &obj, "closed_on", Some(on))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::nurse;
    use crate::{CareRecord, Patient, TeamId};

    fn scores(d: &str, e: &str, s: &str, i: &str, g: &str, n: &str, p: &str) -> DesignR {
        DesignR {
            depth: d.into(),
            exudate: e.into(),
            size: s.into(),
            inflammation: i.into(),
            granulation: g.into(),
            necrotic: n.into(),
            pocket: p.into(),
        }
    }

    #[test]
    fn the_total_leaves_depth_out_and_codes_are_checked() {
        let r = scores("D3", "e3", "s9", "i1", "g3", "N3", "p0").parse().unwrap();
        assert_eq!(r.total(), 3 + 9 + 1 + 3 + 3);
        assert_eq!(r.notation(), "D3-e3s9i1g3N3p0:19");
        // Depth alone changes nothing in the total.
        let deeper = scores("D5", "e3", "s9", "i1", "g3", "N3", "p0").parse().unwrap();
        assert_eq!(deeper.total(), r.total());
        // The worst wound scores 66; case and full-width digits are tolerated.
        let worst = scores("du", "e6", "s１５", "i9", "g6", "n6", "p24").parse().unwrap();
        assert_eq!(
            (worst.total(), worst.size.as_str(), worst.depth.as_str()),
            (66, "S15", "DU")
        );
        assert_eq!(
            scores("d0", "e0", "s0", "i0", "g0", "n0", "p0")
                .parse()
                .unwrap()
                .total(),
            0
        );
        for (bad, field) in [
            (scores("d6", "e0", "s0", "i0", "g0", "n0", "p0"), "depth"),
            (scores("d0", "e2", "s0", "i0", "g0", "n0", "p0"), "exudate"),
            (scores("d0", "e0", "s7", "i0", "g0", "n0", "p0"), "size"),
            (scores("d0", "e0", "s0", "i3x", "g0", "n0", "p0"), "inflammation"),
            (scores("d0", "e0", "s0", "i0", "g2", "n0", "p0"), "granulation"),
            (scores("d0", "e0", "s0", "i0", "g0", "n1", "p0"), "necrotic"),
            (scores("d0", "e0", "s0", "i0", "g0", "n0", "p8"), "pocket"),
        ] {
            assert_eq!(bad.parse().unwrap_err().field, field);
        }
    }

    #[test]
    fn a_wound_is_followed_assessment_by_assessment_and_falls_due() {
        let n = nurse();
        let day = |d: u32| CalendarDate::new(2026, 11, d).unwrap();
        let (mut r, _) = CareRecord::create(
            TeamId::random(),
            &n,
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            day(1).start_jst(),
        )
        .unwrap();
        let w = r
            .change(&n, day(2).start_jst(), "wound.add", |tx| {
                tx.add_wound("仙骨部", WoundKind::PressureUlcer, day(1))
            })
            .unwrap()
            .value;
        for (d, s) in [(3, "s9"), (10, "s6")] {
            r.change(&n, day(d).start_jst(), "wound.assess", |tx| {
                tx.assess_wound(w, scores("d2", "e1", s, "i0", "g1", "n0", "p0"), None)
            })
            .unwrap();
        }
        let rec = r.read().unwrap();
        let wound = &rec.wounds[&w.to_string()];
        let totals: Vec<u32> = wound.in_order().iter().map(|(_, a)| a.scores.total()).collect();
        assert_eq!(totals, vec![11, 8], "healing: the total falls");
        assert!(rec.wounds_due(day(17), 7).is_empty());
        assert_eq!(rec.wounds_due(day(18), 7).len(), 1, "a week and a day since the last");
        r.change(&n, day(20).start_jst(), "wound.close", |tx| tx.close_wound(w, day(20)))
            .unwrap();
        assert!(
            r.read().unwrap().wounds_due(day(30), 7).is_empty(),
            "a healed wound is not due"
        );
    }
}
