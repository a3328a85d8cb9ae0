//! Vital signs: what a nurse may type, what is refused, and how a reading
//! compares with the patient's own thresholds.
//!
//! The accepted ranges are for plausibility, not alerts (GLOSSARY.md): a dying
//! patient's values are still values. Alerts come from [`Thresholds`], which
//! each team sets per patient.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use autosurgeon::reconcile_prop;

use crate::record::{key, RecordTx};
use crate::{EntryId, MemberId, ModelError, Timestamp, ValidationError};

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

/// A vital-signs reading and who recorded it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct VitalsEntry {
    pub author: MemberId,
    pub recorded_at: Timestamp,
    pub reading: VitalSigns,
    /// Who has acknowledged a reading past the urgent band (確認), member id
    /// -> when, as for notes. Absent in readings from before it existed.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub acks: std::collections::BTreeMap<String, Timestamp>,
}

impl RecordTx<'_, '_> {
    pub fn add_vitals(&mut self, reading: VitalSigns) -> Result<EntryId, ModelError> {
        reading.validate()?;
        // Taken before it is typed (a few minutes of clock skew allowed), and
        // not before any patient alive was born.
        let earliest = Timestamp(-3_218_832_000_000); // 1868-01-01
        if reading.taken_at.0 > self.at.0 + 5 * 60_000 || reading.taken_at < earliest {
            return Err(ValidationError {
                field: "taken_at",
                value: reading.taken_at.format_ja(),
                accepted: "not in the future, 1868 or later",
            }
            .into());
        }
        let id = EntryId::random();
        let entry = VitalsEntry {
            author: self.writer.member,
            recorded_at: self.at,
            reading,
            acks: Default::default(),
        };
        let vitals = self.collection(key::VITALS)?;
        reconcile_prop(self.tx, &vitals, id.to_string().as_str(), &entry)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Thresholds, Urgency};

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
