//! Per-patient limits that flag a reading 要注意 or 緊急, and the SpO2
//! scale 2 switch for a patient whose target is 88-92 % (chronic
//! hypercapnia, NEWS2 scale 2).

use std::fmt;

use automerge::ROOT;
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{key, RecordTx};
use crate::{GlucoseFlag, ModelError, Urgency, ValidationError, VitalSigns};

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
    /// NEWS2 SpO2 scale 2: the target is 88-92 % (chronic hypercapnia), and
    /// [`Thresholds::SPO2_SCALE_2`] replaces `spo2` while this is on. The
    /// team's own `spo2` band is kept for when it is turned off.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub spo2_scale2: bool,
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
            spo2_scale2: false,
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
    /// SpO2 on NEWS2 scale 2: 88 % and above scores 0 (on air), 86-87
    /// scores 1, 84-85 scores 2 and 83 or below 3 (research/clinical.md §5).
    pub const SPO2_SCALE_2: Band = Band::new((Some(88.0), None), (Some(84.0), None));

    /// The SpO2 band in force: scale 2's when it is switched on.
    pub fn spo2_band(&self) -> Band {
        if self.spo2_scale2 {
            Self::SPO2_SCALE_2
        } else {
            self.spo2
        }
    }

    /// Each band's limits in order (urgent outside attention) and within
    /// what can be measured.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, b) in self.bands() {
            let bad = |v: f64| ValidationError {
                field,
                value: v.to_string(),
                accepted: "urgent limits outside attention limits, lower below upper",
            };
            for v in [b.attention_below, b.attention_above, b.urgent_below, b.urgent_above]
                .into_iter()
                .flatten()
            {
                if !v.is_finite() || !(-50.0..=1000.0).contains(&v) {
                    return Err(bad(v));
                }
            }
            if let (Some(u), Some(a)) = (b.urgent_below, b.attention_below) {
                if u > a {
                    return Err(bad(u));
                }
            }
            if let (Some(u), Some(a)) = (b.urgent_above, b.attention_above) {
                if u < a {
                    return Err(bad(u));
                }
            }
            let low = b.attention_below.or(b.urgent_below);
            let high = b.attention_above.or(b.urgent_above);
            if let (Some(l), Some(h)) = (low, high) {
                if l >= h {
                    return Err(bad(l));
                }
            }
        }
        Ok(())
    }

    /// Every band with its field's code.
    pub fn bands(&self) -> [(&'static str, Band); 9] {
        [
            ("systolic", self.systolic),
            ("diastolic", self.diastolic),
            ("pulse", self.pulse),
            ("temperature", self.temperature),
            ("spo2", self.spo2),
            ("respiratory_rate", self.respiratory_rate),
            ("glucose", self.glucose),
            ("pain", self.pain),
            ("consciousness", self.consciousness),
        ]
    }

    /// The band of the field named by its code (`spo2`, `pulse`, ...), to
    /// change it.
    pub fn band_mut(&mut self, field: &str) -> Option<&mut Band> {
        Some(match field {
            "systolic" => &mut self.systolic,
            "diastolic" => &mut self.diastolic,
            "pulse" => &mut self.pulse,
            "temperature" => &mut self.temperature,
            "spo2" => &mut self.spo2,
            "respiratory_rate" => &mut self.respiratory_rate,
            "glucose" => &mut self.glucose,
            "pain" => &mut self.pain,
            "consciousness" => &mut self.consciousness,
            _ => return None,
        })
    }

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
        let spo2 = self.spo2_band();
        let checks: [(&'static str, Option<f64>, &Band); 9] = [
            ("systolic", f(v.systolic), &self.systolic),
            ("diastolic", f(v.diastolic), &self.diastolic),
            ("pulse", f(v.pulse), &self.pulse),
            ("temperature", v.temperature, &self.temperature),
            ("spo2", v.spo2.map(f64::from), &spo2),
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

impl RecordTx<'_, '_> {
    /// Sets the patient's bands (and the scale 2 switch). Only the limits
    /// that differ are written.
    pub fn set_thresholds(&mut self, thresholds: &Thresholds) -> Result<(), ModelError> {
        thresholds.validate()?;
        reconcile_prop(self.tx, ROOT, key::THRESHOLDS, thresholds)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_2_stops_flagging_90_percent_and_still_flags_83() {
        let mut t = Thresholds::default();
        let reading = |spo2: u8| {
            crate::VitalsForm {
                spo2: Some(spo2.to_string()),
                ..Default::default()
            }
            .parse(crate::Timestamp(0))
            .unwrap()
        };
        assert_eq!(t.level(&reading(90)), Urgency::Urgent);
        t.spo2_scale2 = true;
        assert_eq!(t.level(&reading(90)), Urgency::Routine);
        assert_eq!(t.level(&reading(87)), Urgency::Attention);
        assert_eq!(t.level(&reading(83)), Urgency::Urgent);
        // The team's own band is kept for when it is switched off.
        t.spo2_scale2 = false;
        assert_eq!(t.spo2, Thresholds::default().spo2);
    }

    #[test]
    fn bands_out_of_order_are_refused() {
        let mut t = Thresholds::default();
        t.pulse.urgent_above = Some(100.0); // attention above is 110
        let e = t.validate().unwrap_err();
        assert_eq!(e.field, "pulse");
        let t = Thresholds {
            temperature: Band::new((Some(38.0), Some(37.0)), (None, None)),
            ..Default::default()
        };
        assert_eq!(t.validate().unwrap_err().field, "temperature");
        assert!(Thresholds::default().validate().is_ok());
    }
}
