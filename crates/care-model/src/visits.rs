//! Visits planned and made: a weekly pattern (毎週火曜 10:00-11:00, 看護師)
//! or a dated visit, who goes; and each visit as it happened (定期 / 緊急 /
//! 臨時, start and end, or 不在 when the patient was not at home), tied to
//! the planned visit it fulfils. A planned visit with no record by the end
//! of its day is missed: worked out from the record and the date, so every
//! laptop agrees without a server.
//!
//! Layout: `plans` and `visits` at the root, maps keyed by EntryId, made on
//! first use (records made before them have neither).

use automerge::ReadDoc;
use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::record::{key, RecordTx};
use crate::{Assignee, CalendarDate, EntryId, MemberId, ModelError, Timestamp, ValidationError};

crate::vocab::vocab_enum!(
    /// 訪問の種類.
    VisitKind, "kind", accepted: "regular | urgent | extra" {
    Regular = ("regular", "定期", "regular"),
    Urgent = ("urgent", "緊急", "urgent"),
    Extra = ("extra", "臨時", "extra"),
});

crate::vocab::vocab_enum!(
    /// How a visit went.
    VisitOutcome, "outcome", accepted: "done | absent" {
    Done = ("done", "訪問済み", "visited"),
    Absent = ("absent", "不在", "not at home"),
});

crate::vocab::vocab_enum!(
    /// Soft signs of deterioration nurses and families notice before the
    /// numbers move (the community early-warning scores' checklist).
    SoftSign, "soft_sign", accepted: "listless | appetite | unusual" {
    Listless = ("listless", "元気がない", "listless"),
    Appetite = ("appetite", "食欲低下", "eating less"),
    Unusual = ("unusual", "いつもと違う", "not themselves"),
});

/// A planned visit: every week on `weekday` from `from` (until `until`),
/// or once on `from` when `weekday` is none. Times are JST, `HH:MM`.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct VisitPlan {
    /// 1 = Monday ... 7 = Sunday; none for a single dated visit.
    pub weekday: Option<u8>,
    pub from: CalendarDate,
    pub until: Option<CalendarDate>,
    pub start: String,
    pub end: String,
    pub who: Option<Assignee>,
    pub created_by: MemberId,
    pub created_at: Timestamp,
    /// Ended: no more occurrences from this day on.
    pub stopped: Option<CalendarDate>,
}

/// A visit as it happened.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Visit {
    /// The planned visit it fulfils: `<plan id>:<YYYY-MM-DD>`.
    pub planned: Option<String>,
    pub kind: VisitKind,
    pub outcome: VisitOutcome,
    /// When the nurse arrived and left (for a visit filled in afterwards,
    /// the times typed, not when it was saved).
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    /// Soft signs ticked on the visit (none in visits from before they existed).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub soft_signs: Vec<SoftSign>,
    /// 排便, 排尿, 食事, 水分, 睡眠, 浮腫, 皮膚, 自立度 (none: not recorded).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub observations: Option<crate::Observations>,
    pub by: MemberId,
    pub at: Timestamp,
}

/// A plan's visit on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// `<plan id>:<YYYY-MM-DD>`: what a visit names in `planned`.
    pub id: String,
    pub plan: String,
    pub date: CalendarDate,
    pub start: String,
    pub end: String,
    pub who: Option<Assignee>,
}

impl VisitPlan {
    /// Whether the plan has a visit on `date`.
    pub fn falls_on(&self, date: CalendarDate) -> bool {
        let within = date >= self.from && self.until.is_none_or(|u| date <= u) && self.stopped.is_none_or(|s| date < s);
        within
            && match self.weekday {
                Some(w) => date.0.weekday().number_from_monday() == u32::from(w),
                None => date == self.from,
            }
    }
}

/// The planned visits of `plans` on `date`, earliest first.
pub fn occurrences<'a>(
    plans: impl IntoIterator<Item = (&'a String, &'a VisitPlan)>,
    date: CalendarDate,
) -> Vec<Occurrence> {
    let mut out: Vec<Occurrence> = plans
        .into_iter()
        .filter(|(_, p)| p.falls_on(date))
        .map(|(id, p)| Occurrence {
            id: format!("{id}:{}", date.iso()),
            plan: id.clone(),
            date,
            start: p.start.clone(),
            end: p.end.clone(),
            who: p.who,
        })
        .collect();
    out.sort_by(|a, b| (&a.start, &a.id).cmp(&(&b.start, &b.id)));
    out
}

impl crate::Record {
    /// The planned visits of `date`, each with the visit that fulfilled it
    /// (a visit naming it), earliest first.
    pub fn day_plan(&self, date: CalendarDate) -> Vec<(Occurrence, Option<(&str, &Visit)>)> {
        occurrences(&self.plans, date)
            .into_iter()
            .map(|o| {
                let made = self
                    .visits
                    .iter()
                    .find(|(_, v)| v.planned.as_deref() == Some(o.id.as_str()))
                    .map(|(id, v)| (id.as_str(), v));
                (o, made)
            })
            .collect()
    }

    /// Planned visits of the `days` days before `today` that nobody
    /// recorded (missed), oldest first. A plan counts from the day it was
    /// made: a weekly plan entered today misses nothing before today.
    pub fn missed(&self, today: CalendarDate, days: i64) -> Vec<Occurrence> {
        (1..=days)
            .rev()
            .flat_map(|back| self.day_plan(today.add_days(-back)))
            .filter(|(o, made)| {
                made.is_none()
                    && self
                        .plans
                        .get(&o.plan)
                        .is_some_and(|p| o.date >= p.created_at.date_jst())
            })
            .map(|(o, _)| o)
            .collect()
    }
}

/// `HH:MM`, 00:00 to 23:59 (full-width digits and ：accepted).
pub fn check_time(field: &'static str, s: &str) -> Result<String, ValidationError> {
    let t = crate::time::normalise_digits(s.trim()).replace('：', ":");
    let ok = match t.split_once(':') {
        Some((h, m)) => {
            h.len() <= 2
                && m.len() == 2
                && h.parse::<u8>().is_ok_and(|h| h < 24)
                && m.parse::<u8>().is_ok_and(|m| m < 60)
        }
        None => false,
    };
    if ok {
        let (h, m) = t.split_once(':').expect("checked");
        Ok(format!("{:02}:{m}", h.parse::<u8>().expect("checked")))
    } else {
        Err(ValidationError {
            field,
            value: s.to_string(),
            accepted: "HH:MM, e.g. 10:00",
        })
    }
}

/// A plan as made.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub weekday: Option<u8>,
    pub from: CalendarDate,
    pub until: Option<CalendarDate>,
    pub start: String,
    pub end: String,
    pub who: Option<Assignee>,
}

/// A visit as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVisit {
    pub planned: Option<String>,
    pub kind: VisitKind,
    pub outcome: VisitOutcome,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub soft_signs: Vec<SoftSign>,
    pub observations: Option<crate::Observations>,
}

impl RecordTx<'_, '_> {
    pub fn add_plan(&mut self, plan: NewPlan) -> Result<EntryId, ModelError> {
        let start = check_time("start", &plan.start)?;
        let end = check_time("end", &plan.end)?;
        if end <= start {
            return Err(ValidationError {
                field: "end",
                value: end,
                accepted: "after the start",
            }
            .into());
        }
        if plan.weekday.is_some_and(|w| !(1..=7).contains(&w)) {
            return Err(ValidationError {
                field: "weekday",
                value: format!("{:?}", plan.weekday),
                accepted: "1 (Monday) to 7 (Sunday)",
            }
            .into());
        }
        CalendarDate::parse("from", &plan.from.iso())?;
        if let Some(until) = plan.until {
            if until < plan.from {
                return Err(ValidationError {
                    field: "until",
                    value: until.iso(),
                    accepted: "on or after the first day",
                }
                .into());
            }
        }
        let id = EntryId::random();
        let value = VisitPlan {
            weekday: plan.weekday,
            from: plan.from,
            until: plan.until,
            start,
            end,
            who: plan.who,
            created_by: self.writer.member,
            created_at: self.at,
            stopped: None,
        };
        let plans = self.root_map(key::PLANS)?;
        reconcile_prop(self.tx, &plans, id.to_string().as_str(), &value)?;
        Ok(id)
    }

    /// Ends a plan: no visits from `on` on; the ones before stay.
    pub fn stop_plan(&mut self, id: EntryId, on: CalendarDate) -> Result<(), ModelError> {
        let plans = self.root_map(key::PLANS)?;
        let obj = match self.tx.get(&plans, id.to_string())? {
            Some((automerge::Value::Object(_), obj)) => obj,
            _ => {
                return Err(ModelError::NotFound {
                    kind: "plan",
                    id: id.to_string(),
                })
            }
        };
        reconcile_prop(self.tx, &obj, "stopped", Some(on))?;
        Ok(())
    }

    /// Records a visit (or that the patient was not at home).
    pub fn add_visit(&mut self, visit: NewVisit) -> Result<EntryId, ModelError> {
        if visit.start.0 > self.at.0 + 5 * 60_000 {
            return Err(ValidationError {
                field: "start",
                value: visit.start.format_ja(),
                accepted: "not in the future",
            }
            .into());
        }
        if let Some(end) = visit.end {
            if end < visit.start {
                return Err(ValidationError {
                    field: "end",
                    value: end.format_ja(),
                    accepted: "after the start",
                }
                .into());
            }
        }
        let id = EntryId::random();
        let value = Visit {
            planned: visit.planned,
            kind: visit.kind,
            outcome: visit.outcome,
            start: visit.start,
            end: visit.end,
            soft_signs: {
                let mut signs = visit.soft_signs;
                signs.sort_by_key(|s| s.code());
                signs.dedup();
                signs
            },
            observations: visit.observations,
            by: self.writer.member,
            at: self.at,
        };
        let visits = self.root_map(key::VISITS)?;
        reconcile_prop(self.tx, &visits, id.to_string().as_str(), &value)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(weekday: Option<u8>, from: &str) -> VisitPlan {
        VisitPlan {
            weekday,
            from: CalendarDate::parse("from", from).unwrap(),
            until: None,
            start: "10:00".into(),
            end: "11:00".into(),
            who: None,
            created_by: MemberId::random(),
            created_at: Timestamp(0),
            stopped: None,
        }
    }

    #[test]
    fn a_weekly_plan_falls_on_its_weekday_from_its_first_day_until_stopped() {
        let d = |s| CalendarDate::parse("d", s).unwrap();
        let mut p = plan(Some(2), "2026-12-01"); // Tuesdays; 2026-12-01 is a Tuesday
        assert!(p.falls_on(d("2026-12-01")));
        assert!(p.falls_on(d("2026-12-08")));
        assert!(!p.falls_on(d("2026-12-02")));
        assert!(!p.falls_on(d("2026-11-24")), "not before its first day");
        p.stopped = Some(d("2026-12-08"));
        assert!(!p.falls_on(d("2026-12-08")));
        let once = plan(None, "2026-12-03");
        assert!(once.falls_on(d("2026-12-03")) && !once.falls_on(d("2026-12-10")));
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(check_time("start", "９：０５").unwrap(), "09:05");
        assert_eq!(check_time("start", "14:30").unwrap(), "14:30");
        for bad in ["24:00", "9", "10:5", "ten"] {
            assert_eq!(check_time("start", bad).unwrap_err().field, "start", "{bad}");
        }
    }
}
