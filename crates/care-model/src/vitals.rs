//! Vital signs: what a nurse may type, what is refused, and how a reading
//! compares with the patient's own thresholds.
//!
//! The accepted ranges are for plausibility, not alerts (GLOSSARY.md): a dying
//! patient's values are still values. Alerts come from [`Thresholds`], which
//! each team sets per patient.

use std::fmt;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::{Timestamp, Urgency, ValidationError};

/// One set of readings taken at one time (測定日時), which is not the time
/// they were typed.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct VitalSigns {
    pub taken_at: Timestamp,
    pub systolic: Option<u16>,
    pub diastolic: Option<u16>,
    pub pulse: Option<u16>,
    /// ℃, one decimal.
    pub temperature: Option<f64>,
    pub spo2: Option<u8>,
    /// L/min; 0 is room air (室内気).
    pub oxygen: Option<f64>,
    pub respiratory_rate: Option<u16>,
    /// kg, one decimal.
    pub weight: Option<f64>,
    /// mg/dL.
    pub glucose: Option<u16>,
    /// A meter showing HI or LO instead of a number.
    pub glucose_flag: Option<GlucoseFlag>,
    /// NRS 0-10.
    pub pain: Option<u8>,
    pub consciousness: Option<Jcs>,
    pub note: Option<String>,
}

crate::vocab::vocab_enum!(
    /// What a glucose meter shows when the value is off its scale.
    GlucoseFlag, "glucose", accepted: "10–1000 mg/dL, HI or LO" {
    High = ("HI", "HI", "HI"),
    Low = ("LO", "LO", "LO"),
});

crate::vocab::vocab_enum!(
    /// Japan Coma Scale (3-3-9度方式); 清明 is 0.
    Jcs, "consciousness",
    accepted: "0, I-1, I-2, I-3, II-10, II-20, II-30, III-100, III-200, III-300" {
    Alert = ("0", "清明", "alert"),
    I1 = ("I-1", "I-1", "1"),
    I2 = ("I-2", "I-2", "2"),
    I3 = ("I-3", "I-3", "3"),
    II10 = ("II-10", "II-10", "10"),
    II20 = ("II-20", "II-20", "20"),
    II30 = ("II-30", "II-30", "30"),
    III100 = ("III-100", "III-100", "100"),
    III200 = ("III-200", "III-200", "200"),
    III300 = ("III-300", "III-300", "300"),
});

impl Jcs {
    /// The number clinicians say ("JCS 200").
    pub fn score(self) -> u16 {
        match self {
            Jcs::Alert => 0,
            Jcs::I1 => 1,
            Jcs::I2 => 2,
            Jcs::I3 => 3,
            Jcs::II10 => 10,
            Jcs::II20 => 20,
            Jcs::II30 => 30,
            Jcs::III100 => 100,
            Jcs::III200 => 200,
            Jcs::III300 => 300,
        }
    }
}

/// A reading as typed: every field is text, as on a form or a command line.
/// [`VitalsForm::parse`] turns it into [`VitalSigns`] or says which field is
/// wrong.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VitalsForm {
    /// `132/84`
    pub bp: Option<String>,
    pub pulse: Option<String>,
    pub temperature: Option<String>,
    pub spo2: Option<String>,
    pub oxygen: Option<String>,
    pub respiratory_rate: Option<String>,
    pub weight: Option<String>,
    /// A number, or HI / LO.
    pub glucose: Option<String>,
    pub pain: Option<String>,
    pub consciousness: Option<String>,
    pub note: Option<String>,
}

/// Plausible ranges (GLOSSARY.md, "Vital signs").
mod range {
    pub const SYSTOLIC: (f64, f64, &str) = (40.0, 300.0, "40–300 mmHg");
    pub const DIASTOLIC: (f64, f64, &str) = (20.0, 200.0, "20–200 mmHg, below systolic");
    pub const PULSE: (f64, f64, &str) = (20.0, 250.0, "20–250 回/分");
    pub const TEMPERATURE: (f64, f64, &str) = (30.0, 45.0, "30.0–45.0 ℃, one decimal");
    pub const SPO2: (f64, f64, &str) = (50.0, 100.0, "50–100 %");
    pub const OXYGEN: (f64, f64, &str) = (0.0, 15.0, "0–15 L/分, 0 = room air");
    pub const RESPIRATORY_RATE: (f64, f64, &str) = (4.0, 80.0, "4–80 回/分");
    pub const WEIGHT: (f64, f64, &str) = (0.5, 300.0, "0.5–300.0 kg, one decimal");
    pub const GLUCOSE: (f64, f64, &str) = (10.0, 1000.0, "10–1000 mg/dL, HI or LO");
    pub const PAIN: (f64, f64, &str) = (0.0, 10.0, "0–10, whole numbers");
}

fn number(field: &'static str, raw: &str, r: (f64, f64, &'static str), decimals: u32) -> Result<f64, ValidationError> {
    let err = || ValidationError {
        field,
        value: raw.to_string(),
        accepted: r.2,
    };
    let v: f64 = crate::time::normalise_digits(raw.trim()).parse().map_err(|_| err())?;
    let scale = 10f64.powi(decimals as i32);
    let rounded = (v * scale).round() / scale;
    if !v.is_finite() || (rounded - v).abs() > 1e-9 || v < r.0 || v > r.1 {
        return Err(err());
    }
    Ok(rounded)
}

fn in_range(
    field: &'static str,
    v: Option<f64>,
    r: (f64, f64, &'static str),
    decimals: u32,
) -> Result<(), ValidationError> {
    match v {
        Some(v) => number(field, &v.to_string(), r, decimals).map(|_| ()),
        None => Ok(()),
    }
}

/// `132/84` (also `132／84`, `132-84`) into systolic and diastolic.
pub fn parse_bp(raw: &str) -> Result<(u16, u16), ValidationError> {
    let err = || ValidationError {
        field: "bp",
        value: raw.to_string(),
        accepted: "上/下 e.g. 132/84; 40–300 / 20–200 mmHg",
    };
    let t = raw.trim().replace('／', "/");
    let (s, d) = t.split_once(['/', '-']).ok_or_else(err)?;
    let s = number("systolic", s, range::SYSTOLIC, 0).map_err(|_| err())?;
    let d = number("diastolic", d, range::DIASTOLIC, 0).map_err(|_| err())?;
    if d >= s {
        return Err(err());
    }
    Ok((s as u16, d as u16))
}

impl VitalsForm {
    pub fn is_empty(&self) -> bool {
        self == &VitalsForm::default()
    }

    /// Checks every field and builds the reading, refusing the first
    /// implausible value with its field and the accepted range.
    pub fn parse(&self, taken_at: Timestamp) -> Result<VitalSigns, ValidationError> {
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (systolic, diastolic) = match opt(&self.bp) {
            Some(bp) => parse_bp(&bp).map(|(s, d)| (Some(s), Some(d)))?,
            None => (None, None),
        };
        let int = |field, s: &Option<String>, r| -> Result<Option<u16>, ValidationError> {
            opt(s).map(|s| number(field, &s, r, 0).map(|v| v as u16)).transpose()
        };
        let dec = |field, s: &Option<String>, r| -> Result<Option<f64>, ValidationError> {
            opt(s).map(|s| number(field, &s, r, 1)).transpose()
        };
        let (glucose, glucose_flag) = match opt(&self.glucose) {
            None => (None, None),
            Some(g) => match g.to_ascii_uppercase().as_str() {
                "HI" => (None, Some(GlucoseFlag::High)),
                "LO" => (None, Some(GlucoseFlag::Low)),
                _ => (Some(number("glucose", &g, range::GLUCOSE, 0)? as u16), None),
            },
        };
        let v = VitalSigns {
            taken_at,
            systolic,
            diastolic,
            pulse: int("pulse", &self.pulse, range::PULSE)?,
            temperature: dec("temperature", &self.temperature, range::TEMPERATURE)?,
            spo2: int("spo2", &self.spo2, range::SPO2)?.map(|v| v as u8),
            oxygen: dec("oxygen", &self.oxygen, range::OXYGEN)?,
            respiratory_rate: int("respiratory_rate", &self.respiratory_rate, range::RESPIRATORY_RATE)?,
            weight: dec("weight", &self.weight, range::WEIGHT)?,
            glucose,
            glucose_flag,
            pain: int("pain", &self.pain, range::PAIN)?.map(|v| v as u8),
            consciousness: opt(&self.consciousness).map(|s| s.parse::<Jcs>()).transpose()?,
            note: opt(&self.note),
        };
        v.validate()?;
        Ok(v)
    }
}

impl VitalSigns {
    /// The same plausibility checks for a reading built in code.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let f = |v: Option<u16>| v.map(f64::from);
        in_range("systolic", f(self.systolic), range::SYSTOLIC, 0)?;
        in_range("diastolic", f(self.diastolic), range::DIASTOLIC, 0)?;
        if let (Some(s), Some(d)) = (self.systolic, self.diastolic) {
            if d >= s {
                return Err(ValidationError {
                    field: "diastolic",
                    value: d.to_string(),
                    accepted: range::DIASTOLIC.2,
                });
            }
        }
        in_range("pulse", f(self.pulse), range::PULSE, 0)?;
        in_range("temperature", self.temperature, range::TEMPERATURE, 1)?;
        in_range("spo2", self.spo2.map(f64::from), range::SPO2, 0)?;
        in_range("oxygen", self.oxygen, range::OXYGEN, 1)?;
        in_range("respiratory_rate", f(self.respiratory_rate), range::RESPIRATORY_RATE, 0)?;
        in_range("weight", self.weight, range::WEIGHT, 1)?;
        in_range("glucose", f(self.glucose), range::GLUCOSE, 0)?;
        in_range("pain", self.pain.map(f64::from), range::PAIN, 0)?;
        if self.is_empty() {
            return Err(ValidationError {
                field: "vitals",
                value: String::new(),
                accepted: "at least one reading",
            });
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.systolic.is_none()
            && self.pulse.is_none()
            && self.temperature.is_none()
            && self.spo2.is_none()
            && self.oxygen.is_none()
            && self.respiratory_rate.is_none()
            && self.weight.is_none()
            && self.glucose.is_none()
            && self.glucose_flag.is_none()
            && self.pain.is_none()
            && self.consciousness.is_none()
    }
}

/// Limits for one measurement: outside `attention_*` is 要注意, outside
/// `urgent_*` is 緊急. Strict: a value equal to a limit is inside.
#[derive(Debug, Clone, Copy, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Band {
    pub attention_below: Option<f64>,
    pub attention_above: Option<f64>,
    pub urgent_below: Option<f64>,
    pub urgent_above: Option<f64>,
}

impl Band {
    pub const fn new(attention: (Option<f64>, Option<f64>), urgent: (Option<f64>, Option<f64>)) -> Self {
        Band {
            attention_below: attention.0,
            attention_above: attention.1,
            urgent_below: urgent.0,
            urgent_above: urgent.1,
        }
    }

    pub fn level(&self, v: f64) -> Urgency {
        let outside =
            |below: Option<f64>, above: Option<f64>| below.is_some_and(|b| v < b) || above.is_some_and(|a| v > a);
        if outside(self.urgent_below, self.urgent_above) {
            Urgency::Urgent
        } else if outside(self.attention_below, self.attention_above) {
            Urgency::Attention
        } else {
            Urgency::Routine
        }
    }
}

/// Per-patient limits that mark a reading 要注意 or 緊急.
///
/// The defaults are a starting point taken from the NEWS2 single-parameter
/// bands (research/clinical.md §5.1), which each team changes per patient: a
/// COPD patient on home oxygen lives at SpO2 88-92.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Thresholds {
    pub systolic: Band,
    pub diastolic: Band,
    pub pulse: Band,
    pub temperature: Band,
    pub spo2: Band,
    pub respiratory_rate: Band,
    pub glucose: Band,
    pub pain: Band,
    /// On the JCS score (0, 1, 2, 3, 10, ... 300).
    pub consciousness: Band,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            systolic: Band::new((Some(101.0), Some(180.0)), (Some(91.0), Some(219.0))),
            diastolic: Band::new((None, Some(110.0)), (None, Some(130.0))),
            pulse: Band::new((Some(51.0), Some(110.0)), (Some(41.0), Some(130.0))),
            temperature: Band::new((Some(35.5), Some(38.0)), (Some(35.1), Some(39.0))),
            spo2: Band::new((Some(94.0), None), (Some(92.0), None)),
            respiratory_rate: Band::new((Some(12.0), Some(20.0)), (Some(9.0), Some(24.0))),
            glucose: Band::new((Some(70.0), Some(300.0)), (Some(50.0), Some(500.0))),
            pain: Band::new((None, Some(3.0)), (None, Some(6.0))),
            consciousness: Band::new((None, Some(2.0)), (None, Some(3.0))),
        }
    }
}

/// One measurement outside its band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub field: &'static str,
    pub value: f64,
    pub level: Urgency,
}

impl Thresholds {
    /// Every measurement outside its band, worst first.
    pub fn assess(&self, v: &VitalSigns) -> Vec<Flag> {
        let f = |x: Option<u16>| x.map(f64::from);
        let mut glucose = f(v.glucose);
        // A meter that reads HI or LO is past any band.
        match v.glucose_flag {
            Some(GlucoseFlag::High) => glucose = Some(f64::INFINITY),
            Some(GlucoseFlag::Low) => glucose = Some(f64::NEG_INFINITY),
            None => {}
        }
        let checks: [(&'static str, Option<f64>, &Band); 9] = [
            ("systolic", f(v.systolic), &self.systolic),
            ("diastolic", f(v.diastolic), &self.diastolic),
            ("pulse", f(v.pulse), &self.pulse),
            ("temperature", v.temperature, &self.temperature),
            ("spo2", v.spo2.map(f64::from), &self.spo2),
            ("respiratory_rate", f(v.respiratory_rate), &self.respiratory_rate),
            ("glucose", glucose, &self.glucose),
            ("pain", v.pain.map(f64::from), &self.pain),
            (
                "consciousness",
                v.consciousness.map(|j| f64::from(j.score())),
                &self.consciousness,
            ),
        ];
        let mut flags: Vec<Flag> = checks
            .into_iter()
            .filter_map(|(field, value, band)| {
                let value = value?;
                let level = band.level(value);
                (level != Urgency::Routine).then_some(Flag { field, value, level })
            })
            .collect();
        flags.sort_by_key(|f| std::cmp::Reverse(f.level));
        flags
    }

    /// The worst level of a reading.
    pub fn level(&self, v: &VitalSigns) -> Urgency {
        self.assess(v).first().map_or(Urgency::Routine, |f| f.level)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            crate::vocab::field_label_ja(self.field),
            self.value,
            self.level.label_ja()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> VitalsForm {
        VitalsForm {
            bp: Some("132/84".into()),
            pulse: Some("78".into()),
            temperature: Some("36.8".into()),
            spo2: Some("96".into()),
            respiratory_rate: Some("18".into()),
            weight: Some("52.3".into()),
            glucose: Some("110".into()),
            pain: Some("2".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_normal_visit_reading_parses() {
        let v = form().parse(Timestamp(0)).unwrap();
        assert_eq!((v.systolic, v.diastolic), (Some(132), Some(84)));
        assert_eq!(v.temperature, Some(36.8));
        assert_eq!(Thresholds::default().level(&v), Urgency::Routine);
    }

    #[test]
    fn implausible_values_name_the_field_and_the_accepted_range() {
        let cases = [
            (
                "spo2",
                VitalsForm {
                    spo2: Some("130".into()),
                    ..form()
                },
                "50–100",
            ),
            (
                "bp",
                VitalsForm {
                    bp: Some("abc".into()),
                    ..form()
                },
                "132/84",
            ),
            (
                "bp",
                VitalsForm {
                    bp: Some("80/120".into()),
                    ..form()
                },
                "132/84",
            ),
            (
                "temperature",
                VitalsForm {
                    temperature: Some("36.85".into()),
                    ..form()
                },
                "one decimal",
            ),
            (
                "pain",
                VitalsForm {
                    pain: Some("11".into()),
                    ..form()
                },
                "0–10",
            ),
            (
                "glucose",
                VitalsForm {
                    glucose: Some("high".into()),
                    ..form()
                },
                "HI or LO",
            ),
            (
                "consciousness",
                VitalsForm {
                    consciousness: Some("5".into()),
                    ..form()
                },
                "III-300",
            ),
        ];
        for (field, f, accepted) in cases {
            let e = f.parse(Timestamp(0)).unwrap_err();
            assert_eq!(e.field, field);
            assert!(e.accepted.contains(accepted), "{e}");
            assert!(e.to_string().contains("受付範囲"), "{e}");
        }
        assert!(
            VitalsForm::default().parse(Timestamp(0)).is_err(),
            "an empty reading is refused"
        );
    }

    #[test]
    fn glucose_meter_hi_is_stored_as_a_flag_and_is_urgent() {
        let v = VitalsForm {
            glucose: Some("HI".into()),
            ..Default::default()
        }
        .parse(Timestamp(0))
        .unwrap();
        assert_eq!((v.glucose, v.glucose_flag), (None, Some(GlucoseFlag::High)));
        assert_eq!(Thresholds::default().level(&v), Urgency::Urgent);
    }

    #[test]
    fn thresholds_mark_attention_and_urgent() {
        let t = Thresholds::default();
        let mut v = VitalSigns {
            spo2: Some(93),
            ..Default::default()
        };
        assert_eq!(t.level(&v), Urgency::Attention);
        v.spo2 = Some(89);
        assert_eq!(t.level(&v), Urgency::Urgent);
        v.spo2 = Some(96);
        v.consciousness = Some(Jcs::II10);
        assert_eq!(t.assess(&v)[0].field, "consciousness");
        assert_eq!(t.level(&v), Urgency::Urgent);
    }
}
