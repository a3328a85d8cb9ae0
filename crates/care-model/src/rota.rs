//! The on-call rota (オンコール当番表) of a station, shared by the teams of
//! several organisations: a weekly pattern plus dated overrides, each naming
//! the nurse on call and, where a doctors' 待機 group stands in for the
//! attending doctor, that group. A duty day starts at the handover time
//! (08:30 unless set), so 03:00 on Tuesday is still Monday's duty.
//!
//! The rota lives in a station record: a record of kind `station` (no
//! patient; its `patient.name` is the station's name) synced like any
//! other, so it works offline. Only the station's admins write `rota`
//! (checked by admission, as for settings).

use std::collections::BTreeMap;

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};

use crate::patient::check_phone;
use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{CalendarDate, ModelError, Person, Timestamp, ValidationError};

/// 08:30, as minutes after midnight JST.
pub const DEFAULT_HANDOVER_MINUTES: u32 = 8 * 60 + 30;

fn default_handover() -> u32 {
    DEFAULT_HANDOVER_MINUTES
}

/// One duty: the nurse on call and the doctors' standby group.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Duty {
    pub nurse: Option<Person>,
    /// 待機医: the group standing in for the attending doctor.
    pub doctor: Option<Person>,
}

impl Duty {
    pub fn validate(&self) -> Result<(), ValidationError> {
        for p in [&self.nurse, &self.doctor].into_iter().flatten() {
            check_text("name", &p.name, MAX_SHORT_CHARS)?;
            if let Some(phone) = &p.phone {
                check_phone(phone)?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Rota {
    /// When a duty day starts, minutes after midnight JST.
    #[autosurgeon(missing = "default_handover")]
    #[serde(default = "default_handover")]
    pub handover_minutes: u32,
    /// The station's 24-hour phone (the first call of most 急変時 sheets).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub phone: Option<String>,
    /// ISO weekday ("1" = Monday ... "7" = Sunday) -> duty.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub weekly: BTreeMap<String, Duty>,
    /// `YYYY-MM-DD` -> the duty of that day, replacing the weekly one.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub overrides: BTreeMap<String, Duty>,
}

impl Default for Rota {
    fn default() -> Self {
        Self {
            handover_minutes: DEFAULT_HANDOVER_MINUTES,
            phone: None,
            weekly: BTreeMap::new(),
            overrides: BTreeMap::new(),
        }
    }
}

/// Who is on call at a moment, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnCall {
    /// The duty day (starts at the handover time).
    pub date: CalendarDate,
    pub duty: Duty,
    /// From a dated override rather than the weekly pattern.
    pub overridden: bool,
}

impl Rota {
    /// The duty day `at` falls in.
    pub fn duty_date(&self, at: Timestamp) -> CalendarDate {
        let t = at.to_jst();
        let minutes = t.hour() * 60 + t.minute();
        let date = CalendarDate(t.date_naive());
        if minutes < self.handover_minutes {
            date.add_days(-1)
        } else {
            date
        }
    }

    /// The duty of a day: its override, else the weekly pattern's.
    pub fn duty_of(&self, date: CalendarDate) -> Option<OnCall> {
        if let Some(d) = self.overrides.get(&date.iso()) {
            return Some(OnCall {
                date,
                duty: d.clone(),
                overridden: true,
            });
        }
        let weekday = date.0.weekday().number_from_monday().to_string();
        self.weekly.get(&weekday).map(|d| OnCall {
            date,
            duty: d.clone(),
            overridden: false,
        })
    }

    /// Who is on call at `at`.
    pub fn on_call(&self, at: Timestamp) -> Option<OnCall> {
        self.duty_of(self.duty_date(at))
    }
}

impl RecordTx<'_, '_> {
    fn rota_map(&mut self) -> Result<automerge::ObjId, ModelError> {
        self.root_map(key::ROTA)
    }

    /// Sets the weekly duty of `weekday` (1 = Monday ... 7), or clears it.
    pub fn set_weekly_duty(&mut self, weekday: u8, duty: Option<Duty>) -> Result<(), ModelError> {
        if !(1..=7).contains(&weekday) {
            return Err(ValidationError {
                field: "weekday",
                value: weekday.to_string(),
                accepted: "1 (月) – 7 (日)",
            }
            .into());
        }
        self.put_duty("weekly", weekday.to_string(), duty)
    }

    /// Sets the duty of one day, replacing the weekly one, or removes the
    /// override.
    pub fn set_duty_override(&mut self, date: CalendarDate, duty: Option<Duty>) -> Result<(), ModelError> {
        self.put_duty("overrides", date.iso(), duty)
    }

    fn put_duty(&mut self, which: &'static str, at: String, duty: Option<Duty>) -> Result<(), ModelError> {
        if let Some(d) = &duty {
            d.validate()?;
        }
        let rota = self.rota_map()?;
        let map = self.map_in(&rota, which)?;
        match duty {
            Some(d) => reconcile_prop(self.tx, &map, at.as_str(), &d)?,
            None => {
                use automerge::transaction::Transactable;
                if automerge::ReadDoc::get(&*self.tx, &map, at.as_str())?.is_some() {
                    self.tx.delete(&map, at.as_str())?;
                }
            }
        }
        Ok(())
    }

    /// The station's 24-hour phone and when a duty day starts.
    pub fn set_rota_basics(&mut self, phone: Option<String>, handover_minutes: u32) -> Result<(), ModelError> {
        if let Some(p) = &phone {
            check_phone(p)?;
        }
        if handover_minutes >= 24 * 60 {
            return Err(ValidationError {
                field: "handover",
                value: handover_minutes.to_string(),
                accepted: "00:00–23:59",
            }
            .into());
        }
        let rota = self.rota_map()?;
        reconcile_prop(self.tx, &rota, "phone", phone)?;
        reconcile_prop(self.tx, &rota, "handover_minutes", handover_minutes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nurse(name: &str) -> Duty {
        Duty {
            nurse: Some(Person {
                name: name.into(),
                phone: Some("090-1111-2222".into()),
                ..Default::default()
            }),
            doctor: None,
        }
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
        let date = CalendarDate::new(y, m, d).unwrap();
        Timestamp(date.start_jst().0 + i64::from(h * 60 + min) * 60_000)
    }

    #[test]
    fn the_duty_day_starts_at_handover_and_an_override_wins() {
        let mut rota = Rota::default();
        rota.weekly.insert("1".into(), nurse("月曜 当番")); // Monday
        rota.weekly.insert("2".into(), nurse("火曜 当番"));
        let name = |o: Option<OnCall>| o.and_then(|o| o.duty.nurse).map(|p| p.name);
        // 2026-12-07 is a Monday.
        assert_eq!(name(rota.on_call(at(2026, 12, 7, 9, 0))), Some("月曜 当番".into()));
        // 03:00 on Tuesday is still Monday's night.
        assert_eq!(name(rota.on_call(at(2026, 12, 8, 3, 0))), Some("月曜 当番".into()));
        assert_eq!(name(rota.on_call(at(2026, 12, 8, 8, 30))), Some("火曜 当番".into()));
        rota.overrides.insert("2026-12-08".into(), nurse("代わり"));
        let o = rota.on_call(at(2026, 12, 8, 12, 0)).unwrap();
        assert!(o.overridden);
        assert_eq!(o.duty.nurse.unwrap().name, "代わり");
        // Nobody set for Wednesday.
        assert!(rota.on_call(at(2026, 12, 9, 12, 0)).is_none());
    }
}
