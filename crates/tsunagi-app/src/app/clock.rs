//! Around the clock in the app: the stations' on-call rotas, the team's
//! escalation settings, escalations told to this laptop's member, the
//! renewal requests for instructions, and the 急変時 information.
//!
//! Escalation needs no server: every laptop works out each urgent item's
//! stage from the record and the clock (`care_model::escalation`); this
//! laptop tells its member when she is on call (at a station's rota on this
//! laptop) or an admin of the team, once per item and stage (the store
//! remembers).

use care_model::escalation::{to_tell, Stage};
use care_model::{CalendarDate, EntryId, RecordKind, TeamId, TeamSettings, Timestamp};

use super::{minute_ms, now, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::*;

/// A stage older than this is shown on Today, not notified.
const FRESH_MS: i64 = 24 * 3600 * 1000;

fn parse_handover(s: &str) -> AppResult<u32> {
    let bad = || {
        AppError::new(
            "invalid",
            format!("交代時刻「{s}」は HH:MM で入力してください / handover \"{s}\": use HH:MM"),
        )
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h >= 24 || m >= 60 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn station_of(store: &mut care_store::Store, station: &str) -> AppResult<TeamId> {
    let team = parse_team(station)?;
    if store.record(team)?.kind()? != RecordKind::Station {
        return Err(AppError::new(
            "invalid",
            "ステーションの当番表ではありません / not a station's rota",
        ));
    }
    Ok(team)
}

impl App {
    /// Who is on call now at each station on this laptop.
    pub(crate) fn on_call_in(store: &mut care_store::Store) -> AppResult<Vec<OnCallView>> {
        let me = store.device().member.to_string();
        Ok(store
            .on_call(now())?
            .into_iter()
            .map(|s| on_call_view(&s.team.to_string(), &s.station, s.phone, s.on_call.as_ref(), &me))
            .collect())
    }

    /// Every station's rota on this laptop.
    pub fn rotas(&self) -> AppResult<Vec<RotaView>> {
        self.with(|store| {
            let viewer = Self::viewer(store);
            let mut out = Vec::new();
            for s in store.stations()? {
                // A member who joined shows in the list the admins pick from.
                if store.introduce(s.team, viewer.now).unwrap_or(false) {
                    self.nudge.notify_one();
                }
                let Ok(record) = store.record(s.team) else { continue };
                if record.is_blank() {
                    continue;
                }
                let read = record.read()?;
                let admin = store
                    .roster(s.team)
                    .map(|r| r.is_admin_device(store.device_id().as_bytes()))
                    .unwrap_or(false);
                out.push(rota_view(&read, &viewer, admin));
            }
            Ok(out)
        })
    }

    /// Starts a station's rota with me as its admin; others join it by
    /// invitation like a team.
    pub fn create_station(&self, name: &str) -> AppResult<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::new(
                "invalid",
                "ステーション名を入力してください / name the station",
            ));
        }
        let team = self.with(|s| Ok(s.create_station(name, now())?))?;
        self.nudge.notify_one();
        Ok(team.to_string())
    }

    /// Sets the duty of a weekday (1 = Monday) or of a date (an override);
    /// an empty duty clears it. The station's admins only.
    pub fn set_duty(&self, station: &str, weekday: Option<u8>, date: Option<String>, duty: &DutyForm) -> AppResult<()> {
        let team = self.with(|s| {
            let t = station_of(s, station)?;
            super::edit::require_admin(s, t)?;
            Ok(t)
        })?;
        let duty = duty_from_form(duty)?;
        match (weekday, date) {
            (Some(w), None) => self.edit(&team.to_string(), "rota.weekly", |tx| tx.set_weekly_duty(w, duty)),
            (None, Some(d)) => {
                let date = CalendarDate::parse("date", &d)?;
                self.edit(&team.to_string(), "rota.override", |tx| {
                    tx.set_duty_override(date, duty)
                })
            }
            _ => Err(AppError::new(
                "invalid",
                "曜日か日付のどちらかを指定してください / give a weekday or a date",
            )),
        }
    }

    /// The station's 24-hour phone and the handover time (`HH:MM`).
    pub fn set_rota_basics(&self, station: &str, phone: Option<String>, handover: &str) -> AppResult<()> {
        let team = self.with(|s| {
            let t = station_of(s, station)?;
            super::edit::require_admin(s, t)?;
            Ok(t)
        })?;
        let minutes = parse_handover(handover)?;
        let phone = phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        self.edit(&team.to_string(), "rota.basics", |tx| {
            tx.set_rota_basics(phone, minutes)
        })
    }

    pub fn team_settings(&self, team: &str) -> AppResult<TeamSettingsView> {
        let team = parse_team(team)?;
        self.with(|s| {
            let settings = s.record(team)?.settings()?;
            let admin = s.roster(team)?.is_admin_device(s.device_id().as_bytes());
            Ok(TeamSettingsView {
                escalation_minutes: settings.escalation_minutes,
                read_receipts: settings.read_receipts,
                family_days_after_close: settings.family_days_after_close,
                admin,
            })
        })
    }

    /// The team's escalation interval, passive 既読 and how long the family
    /// keeps access after care ends: admins only.
    pub fn set_team_settings(
        &self,
        team: &str,
        escalation_minutes: u32,
        read_receipts: bool,
        family_days_after_close: u32,
    ) -> AppResult<()> {
        let t = parse_team(team)?;
        self.with(|s| super::edit::require_admin(s, t))?;
        self.edit(team, "settings", |tx| {
            tx.set_settings(TeamSettings {
                escalation_minutes,
                read_receipts,
                family_days_after_close,
            })
        })
    }

    /// The 急変時 information of one patient.
    pub fn emergency(&self, team: &str) -> AppResult<EmergencyView> {
        let team = parse_team(team)?;
        self.with(|store| {
            let viewer = Self::viewer(store);
            let on_call = Self::on_call_in(store)?;
            let record = store.record(team)?.read()?;
            Ok(emergency_view(&record, &viewer, on_call))
        })
    }

    /// One tick of the clock thread: the notifications (title, body) for
    /// urgent items that escalated to me since the last tick, and, when
    /// `renewals`, the renewal requests made (see [`App::ensure_renewals`]).
    /// One pass over the patient teams' kept summaries serves both.
    pub fn clock_tick(&self, renewals: bool) -> (Vec<(String, String)>, AppResult<u32>) {
        let (fresh, due) = match self.walk_teams(true, renewals) {
            Ok(walked) => walked,
            Err(e) => return (Vec::new(), Err(e)),
        };
        let made = self.make_renewals(due);
        if fresh.is_empty() {
            return (Vec::new(), made);
        }
        self.count_told(fresh.len());
        let lang = self
            .with_unlocked_or_not(|s| Ok(s.preference("language")?.unwrap_or_else(|| "ja".into())))
            .unwrap_or_else(|_| "ja".into());
        (escalation_words(&fresh, &lang), made)
    }

    /// Makes the renewal request of every instruction that ends within four
    /// weeks and has none yet (open cases only). Every laptop may do it:
    /// the task's id is derived, so they make one.
    pub fn ensure_renewals(&self) -> AppResult<u32> {
        let (_, due) = self.walk_teams(false, true)?;
        self.make_renewals(due)
    }

    /// Walks the open patient teams' kept summaries once. With
    /// `escalations`: the stages to tell me of now (as the member on call or
    /// an admin), once per item and stage on this laptop, nothing for an
    /// item somebody acknowledged. With `renewals`: the instructions whose
    /// renewal request is due.
    fn walk_teams(&self, escalations: bool, renewals: bool) -> AppResult<(Vec<Stage>, Vec<Renewal>)> {
        self.with_unlocked_or_not(|store| {
            let at = now();
            let today = at.date_jst();
            let me = store.device().member;
            let rotas = if escalations { store.rotas()? } else { Vec::new() };
            let on_call_at = |t: Timestamp| {
                rotas.iter().any(|(_, _, rota)| {
                    rota.on_call(t)
                        .and_then(|o| o.duty.nurse)
                        .and_then(|n| n.member)
                        .is_some_and(|m| m == me)
                })
            };
            let (mut fresh, mut due) = (Vec::new(), Vec::new());
            let since = Timestamp(at.0 - crate::views::URGENT_WINDOW_MS);
            for t in store.patient_teams()? {
                let Ok(record) = store.summary(t.team, since) else {
                    continue;
                };
                if record.case.is_closed() {
                    continue;
                }
                if escalations {
                    let admin = store
                        .roster(t.team)
                        .map(|r| r.is_admin_device(store.device_id().as_bytes()))
                        .unwrap_or(false);
                    for item in care_model::escalation::urgent_items(&record, minute_ms(), at) {
                        let on_call = on_call_at(item.escalation.on_call_at);
                        let Some(stage) = to_tell(&item, &me, on_call, admin, at, FRESH_MS) else {
                            continue;
                        };
                        if store.told(t.team, &item.id, stage)? {
                            continue;
                        }
                        store.mark_told(t.team, &item.id, stage, at)?;
                        tracing::info!(team = %t.team, ?stage, "escalation told");
                        fresh.push(stage);
                    }
                }
                // The summary lists open tasks only, so a request already
                // done is checked on the whole record.
                if renewals && record.renewal_needed(today).is_some() {
                    if let Some(id) = store.record(t.team)?.read()?.renewal_needed(today) {
                        due.push((t.team, id));
                    }
                }
            }
            Ok((fresh, due))
        })
    }

    fn make_renewals(&self, due: Vec<Renewal>) -> AppResult<u32> {
        let mut made = 0;
        for (team, id) in due {
            if self.edit(&team.to_string(), "instruction.renewal", |tx| {
                tx.ensure_renewal_task(id)
            })? {
                made += 1;
            }
        }
        Ok(made)
    }
}

/// An instruction (in a team) whose renewal request is due.
type Renewal = (TeamId, EntryId);

/// What the desktop says of escalations: a count per stage, never a name
/// or a note's text (a notification shows over a locked screen).
pub(crate) fn escalation_words(fresh: &[Stage], lang: &str) -> Vec<(String, String)> {
    let count = |s: Stage| fresh.iter().filter(|x| **x == s).count();
    let mut out = Vec::new();
    let (on_call, admins) = (count(Stage::OnCall), count(Stage::Admins));
    if on_call > 0 {
        out.push(if lang == "en" {
            (
                "Tsunagi: on call".into(),
                format!("Urgent entries nobody has acknowledged ({on_call})"),
            )
        } else {
            (
                "つなぎ: 当番".into(),
                format!("未確認の緊急の記録があります（{on_call} 件）"),
            )
        });
    }
    if admins > 0 {
        out.push(if lang == "en" {
            (
                "Tsunagi: admins".into(),
                format!("Urgent entries still unacknowledged ({admins})"),
            )
        } else {
            (
                "つなぎ: 管理者".into(),
                format!("確認されないままの緊急の記録があります（{admins} 件）"),
            )
        });
    }
    out
}
