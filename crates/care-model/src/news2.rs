//! NEWS2 (National Early Warning Score 2, Royal College of Physicians 2017):
//! an aggregate score of one set of readings, and what it suggests for the
//! note's urgency. The nurse decides; the screens say it is a suggestion.
//!
//! Parameters: respiration rate, SpO2 on scale 1 or, for a patient whose
//! target is 88-92 %, scale 2, air or oxygen, systolic BP, pulse,
//! consciousness (JCS mapped to ACVPU: JCS 0 is Alert, anything else is
//! new confusion or worse, scoring 3) and temperature. A reading that lacks
//! some of them gets a partial score, marked incomplete.

use serde::{Deserialize, Serialize};

use crate::{Urgency, VitalSigns};

/// NEWS2's clinical risk, by the aggregate and single parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum News2Risk {
    /// 0-4.
    Low,
    /// A single parameter scoring 3 (with an aggregate of 0-4).
    LowMedium,
    /// 5-6.
    Medium,
    /// 7 or more.
    High,
}

/// The score of one set of readings (worked out from the reading each time
/// it is shown, so it is never stored apart from what it is made of).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct News2 {
    pub total: u8,
    pub risk: News2Risk,
    /// Each scored parameter and its points (field codes as in `VitalSigns`;
    /// `oxygen` is air or oxygen).
    pub parts: Vec<(&'static str, u8)>,
    /// Parameters the reading does not have: the total leaves them out.
    pub missing: Vec<&'static str>,
}

impl News2 {
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }

    /// What the score suggests for the note's urgency.
    pub fn suggests(&self) -> Urgency {
        match self.risk {
            News2Risk::High => Urgency::Urgent,
            News2Risk::Medium | News2Risk::LowMedium => Urgency::Attention,
            News2Risk::Low => Urgency::Routine,
        }
    }
}

fn respiration(rr: u16) -> u8 {
    match rr {
        0..=8 => 3,
        9..=11 => 1,
        12..=20 => 0,
        21..=24 => 2,
        _ => 3,
    }
}

fn spo2_scale1(s: u8) -> u8 {
    match s {
        0..=91 => 3,
        92..=93 => 2,
        94..=95 => 1,
        _ => 0,
    }
}

/// Scale 2: 88-92 % scores nothing, and so does 93 % or more on air; on
/// oxygen, 93 % and above scores (over-oxygenation).
fn spo2_scale2(s: u8, on_oxygen: bool) -> u8 {
    match (s, on_oxygen) {
        (0..=83, _) => 3,
        (84..=85, _) => 2,
        (86..=87, _) => 1,
        (88..=92, _) | (_, false) => 0,
        (93..=94, true) => 1,
        (95..=96, true) => 2,
        (_, true) => 3,
    }
}

fn systolic(bp: u16) -> u8 {
    match bp {
        0..=90 => 3,
        91..=100 => 2,
        101..=110 => 1,
        111..=219 => 0,
        _ => 3,
    }
}

fn pulse(p: u16) -> u8 {
    match p {
        0..=40 => 3,
        41..=50 => 1,
        51..=90 => 0,
        91..=110 => 1,
        111..=130 => 2,
        _ => 3,
    }
}

fn temperature(t: f64) -> u8 {
    // Readings have one decimal: the bands' edges are x.0 / x.1.
    let t = (t * 10.0).round() / 10.0;
    if t <= 35.0 {
        3
    } else if t <= 36.0 {
        1
    } else if t <= 38.0 {
        0
    } else if t <= 39.0 {
        1
    } else {
        2
    }
}

/// The NEWS2 score of `v`, with SpO2 on scale 2 when `scale2`.
pub fn news2(v: &VitalSigns, scale2: bool) -> News2 {
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    let on_oxygen = v.oxygen.map(|o| o > 0.0);
    let mut score = |field: &'static str, points: Option<u8>| match points {
        Some(p) => parts.push((field, p)),
        None => missing.push(field),
    };
    score("respiratory_rate", v.respiratory_rate.map(respiration));
    score(
        "spo2",
        v.spo2.map(|s| {
            if scale2 {
                spo2_scale2(s, on_oxygen.unwrap_or(false))
            } else {
                spo2_scale1(s)
            }
        }),
    );
    score("oxygen", on_oxygen.map(|o| if o { 2 } else { 0 }));
    score("systolic", v.systolic.map(systolic));
    score("pulse", v.pulse.map(pulse));
    score(
        "consciousness",
        v.consciousness.map(|j| if j.score() == 0 { 0 } else { 3 }),
    );
    score("temperature", v.temperature.map(temperature));
    let total: u8 = parts.iter().map(|(_, p)| p).sum();
    let single_three = parts.iter().any(|(_, p)| *p == 3);
    let risk = match total {
        7.. => News2Risk::High,
        5..=6 => News2Risk::Medium,
        _ if single_three => News2Risk::LowMedium,
        _ => News2Risk::Low,
    };
    News2 {
        total,
        risk,
        parts,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Timestamp, VitalsForm};

    fn reading(f: VitalsForm) -> VitalSigns {
        f.parse(Timestamp(0)).unwrap()
    }

    fn full(rr: &str, spo2: &str, oxygen: &str, bp: &str, pulse: &str, jcs: &str, temp: &str) -> VitalSigns {
        reading(VitalsForm {
            respiratory_rate: Some(rr.into()),
            spo2: Some(spo2.into()),
            oxygen: Some(oxygen.into()),
            bp: Some(bp.into()),
            pulse: Some(pulse.into()),
            consciousness: Some(jcs.into()),
            temperature: Some(temp.into()),
            ..Default::default()
        })
    }

    #[test]
    fn a_well_patient_scores_zero() {
        let n = news2(&full("16", "97", "0", "124/78", "72", "0", "36.8"), false);
        assert_eq!((n.total, n.risk), (0, News2Risk::Low));
        assert!(n.complete());
        assert_eq!(n.suggests(), Urgency::Routine);
    }

    #[test]
    fn the_chart_bands_add_up() {
        // RR 22 (2), SpO2 95 (1), air (0), SBP 105 (1), pulse 95 (1),
        // alert (0), 38.2 ℃ (1): 6, medium.
        let n = news2(&full("22", "95", "0", "105/70", "95", "0", "38.2"), false);
        assert_eq!((n.total, n.risk), (6, News2Risk::Medium));
        assert_eq!(n.suggests(), Urgency::Attention);
        // RR 26 (3), SpO2 91 (3), oxygen (2), SBP 88 (3), pulse 135 (3),
        // JCS I-1: not alert (3), 39.5 ℃ (2): 19, high.
        let n = news2(&full("26", "91", "2", "88/50", "135", "1", "39.5"), false);
        assert_eq!((n.total, n.risk), (19, News2Risk::High));
        assert_eq!(n.suggests(), Urgency::Urgent);
    }

    #[test]
    fn a_single_parameter_scoring_three_is_low_medium() {
        // Only the new confusion scores: 3 in all, but one parameter at 3.
        let n = news2(&full("16", "97", "0", "124/78", "72", "1", "36.8"), false);
        assert_eq!((n.total, n.risk), (3, News2Risk::LowMedium));
        assert_eq!(n.suggests(), Urgency::Attention);
    }

    #[test]
    fn band_edges_score_as_the_chart_says() {
        for (rr, points) in [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)] {
            assert_eq!(respiration(rr), points, "RR {rr}");
        }
        for (s, points) in [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0)] {
            assert_eq!(spo2_scale1(s), points, "SpO2 {s}");
        }
        for (bp, points) in [
            (90, 3),
            (91, 2),
            (100, 2),
            (101, 1),
            (110, 1),
            (111, 0),
            (219, 0),
            (220, 3),
        ] {
            assert_eq!(systolic(bp), points, "SBP {bp}");
        }
        for (p, points) in [
            (40, 3),
            (41, 1),
            (50, 1),
            (51, 0),
            (90, 0),
            (91, 1),
            (110, 1),
            (111, 2),
            (130, 2),
            (131, 3),
        ] {
            assert_eq!(pulse(p), points, "pulse {p}");
        }
        for (t, points) in [
            (35.0, 3),
            (35.1, 1),
            (36.0, 1),
            (36.1, 0),
            (38.0, 0),
            (38.1, 1),
            (39.0, 1),
            (39.1, 2),
        ] {
            assert_eq!(temperature(t), points, "{t} ℃");
        }
    }

    #[test]
    fn scale_2_scores_88_to_92_as_nothing_and_high_saturation_on_oxygen() {
        assert_eq!(spo2_scale2(90, true), 0);
        assert_eq!(spo2_scale2(87, false), 1);
        assert_eq!(spo2_scale2(83, false), 3);
        assert_eq!(spo2_scale2(97, false), 0, "on air, high is fine");
        assert_eq!(spo2_scale2(97, true), 3, "on oxygen, too much");
        let on_scale_1 = news2(&full("18", "90", "1", "130/80", "80", "0", "36.6"), false);
        let on_scale_2 = news2(&full("18", "90", "1", "130/80", "80", "0", "36.6"), true);
        assert_eq!((on_scale_1.total, on_scale_2.total), (5, 2));
    }

    #[test]
    fn a_partial_reading_scores_what_it_has_and_says_what_is_missing() {
        let n = news2(
            &reading(VitalsForm {
                spo2: Some("93".into()),
                pulse: Some("112".into()),
                ..Default::default()
            }),
            false,
        );
        assert_eq!(n.total, 4);
        assert!(!n.complete());
        assert_eq!(
            n.missing,
            ["respiratory_rate", "oxygen", "systolic", "consciousness", "temperature"]
        );
    }
}
