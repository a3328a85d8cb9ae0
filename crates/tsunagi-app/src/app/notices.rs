//! Desktop notifications for what arrives from other laptops: urgent items
//! (to their first responders, muted or not; the rest of the station through
//! escalation, `clock.rs`) and routine notes that address me with `@name`
//! (not from a patient I muted): `care_model::notify` decides. By default
//! they say only "緊急の記録があります" / "あなた宛ての記録があります" with a
//! count: no patient name, no note text, since a notification shows over a
//! locked screen and in the desktop's history. A user may turn details on
//! (Settings); while the window is locked the count is all that is shown.

use std::collections::HashSet;

use care_model::notify::{note_reason, Reason};
use care_model::{TeamId, Timestamp};

use super::lock::NOTIFY_DETAILS_KEY;
use super::{now, App};
use crate::error::AppResult;
use crate::views::{notification, UrgentItem, URGENT_WINDOW_MS};

impl App {
    /// What is there at unlock is not news.
    pub(crate) fn start_notices(&self) {
        let mut seen: HashSet<String> = self
            .urgent_now()
            .map(|u| u.into_iter().map(|i| i.id).collect())
            .unwrap_or_default();
        let teams: Vec<String> = self
            .with_unlocked_or_not(|s| Ok(s.team_ids()?))
            .unwrap_or_default()
            .iter()
            .map(|t| t.to_string())
            .collect();
        seen.extend(self.addressed_now(&teams).into_iter().map(|a| a.id));
        *self.notified.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen);
    }

    /// The interface language, even while locked (for notifications).
    pub fn language(&self) -> String {
        self.with_unlocked_or_not(|s| Ok(s.preference("language")?))
            .ok()
            .flatten()
            .unwrap_or_else(|| "ja".into())
    }

    /// Read even while the window is locked: these feed a notification, not the screen.
    fn urgent_now(&self) -> crate::error::AppResult<Vec<crate::views::UrgentItem>> {
        Ok(self.with_unlocked_or_not(|s| self.today_in(s))?.urgent)
    }

    /// Routine notes of the last week in `teams` that address me, from
    /// patients I have not muted.
    fn addressed_now(&self, teams: &[String]) -> Vec<UrgentItem> {
        self.with_unlocked_or_not(|s| {
            let me = s.device().member;
            let my_name = s.device().profile.name.clone();
            let muted = s.muted()?;
            let since = Timestamp(now().0 - URGENT_WINDOW_MS);
            let mut out = Vec::new();
            for team in teams {
                let Ok(id) = team.parse::<TeamId>() else { continue };
                let Ok(record) = s.summary(id, since) else { continue };
                for (note_id, n) in &record.notes {
                    if n.written_at.0 < since.0 {
                        continue;
                    }
                    let reason = note_reason(n, &me, &my_name, muted.contains(&id), false);
                    if reason == Some(Reason::Addressed) {
                        out.push(UrgentItem {
                            team: team.clone(),
                            patient: record.patient.name.clone(),
                            kind: "addressed".into(),
                            id: note_id.clone(),
                            text: n.current().text.clone(),
                            flags: Vec::new(),
                            author: String::new(),
                            at: n.written_at.0,
                            acked_by_me: false,
                            mine: false,
                            unacknowledged: true,
                            acked: Vec::new(),
                            ..Default::default()
                        });
                    }
                }
            }
            Ok(out)
        })
        .unwrap_or_default()
    }

    /// Desktop notifications shown today (Japan's day) on this laptop.
    pub(crate) fn told_today(&self) -> usize {
        let key = format!("notified.{}", now().date_jst().iso());
        self.with_unlocked_or_not(|s| Ok(s.preference(&key)?))
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub(crate) fn count_told(&self, n: usize) {
        if n == 0 {
            return;
        }
        let key = format!("notified.{}", now().date_jst().iso());
        let total = self.told_today() + n;
        if let Err(e) = self.with_unlocked_or_not(|s| Ok(s.set_preference(&key, &total.to_string())?)) {
            tracing::info!(error = %e.message_en, "notification count not kept");
        }
    }

    /// Mutes (or unmutes) a patient for me: routine notes addressed to me
    /// from that team stop notifying; urgent ones still do.
    pub fn set_muted(&self, team: &str, on: bool) -> AppResult<()> {
        let team = super::parse_team(team)?;
        self.with(|s| Ok(s.set_muted(team, on)?))
    }

    pub fn is_muted(&self, team: &str) -> AppResult<bool> {
        let team = super::parse_team(team)?;
        self.with(|s| Ok(s.muted()?.contains(&team)))
    }

    /// The notifications (title, body) to show for urgent items and notes
    /// addressed to me in `teams` that arrived since the last call: once
    /// each, not my own, not ones I acknowledged.
    pub fn news(&self, teams: &[String]) -> Vec<(String, String)> {
        let mut slot = self.notified.lock().unwrap_or_else(|p| p.into_inner());
        let Some(seen) = slot.as_mut() else { return Vec::new() };
        let Ok(urgent) = self.urgent_now() else {
            return Vec::new();
        };
        let (lang, details) = self
            .with_unlocked_or_not(|s| {
                Ok((
                    s.preference("language")?.unwrap_or_else(|| "ja".into()),
                    s.preference(NOTIFY_DETAILS_KEY)?.as_deref() == Some("1"),
                ))
            })
            .unwrap_or(("ja".into(), false));
        // Urgent items reach their first responders at once (the patient's
        // own nurses, the members who are not nurses); the others hear of
        // them through escalation if nobody acknowledges.
        let fresh: Vec<_> = urgent
            .into_iter()
            .filter(|u| teams.contains(&u.team) && !u.mine && !u.acked_by_me && u.first_responder)
            .chain(self.addressed_now(teams))
            .filter(|u| seen.insert(u.id.clone()))
            .collect();
        // Past the day's budget, a note addressed to me waits on Today;
        // urgent ones always get through.
        let mut told = self.told_today();
        let fresh: Vec<_> = fresh
            .into_iter()
            .filter(|u| {
                let reason = if u.kind == "addressed" {
                    Reason::Addressed
                } else {
                    Reason::Urgent
                };
                let shown = care_model::notify::within_budget(reason, told);
                told += usize::from(shown);
                shown
            })
            .collect();
        self.count_told(fresh.len());
        worded(&fresh, details && !self.is_locked(), &lang)
    }
}

/// What the desktop shows for new urgent items: with details (the user
/// chose it, and the window is unlocked) one per item; otherwise one line
/// with the count, no name, no text.
fn worded(fresh: &[UrgentItem], details: bool, lang: &str) -> Vec<(String, String)> {
    if fresh.is_empty() {
        return Vec::new();
    }
    if details {
        return fresh.iter().map(|u| notification(u, lang)).collect();
    }
    let addressed = fresh.iter().filter(|u| u.kind == "addressed").count();
    let urgent = fresh.len() - addressed;
    let mut out = Vec::new();
    if urgent > 0 {
        out.push(if lang == "en" {
            ("Tsunagi".into(), format!("There are urgent entries ({urgent})"))
        } else {
            ("つなぎ".into(), format!("緊急の記録があります（{urgent} 件）"))
        });
    }
    if addressed > 0 {
        out.push(if lang == "en" {
            ("Tsunagi".into(), format!("Notes addressed to you ({addressed})"))
        } else {
            ("つなぎ".into(), format!("あなた宛ての記録があります（{addressed} 件）"))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urgent(patient: &str, text: &str) -> UrgentItem {
        UrgentItem {
            team: "t".into(),
            patient: patient.into(),
            kind: "note".into(),
            id: text.into(),
            text: text.into(),
            flags: Vec::new(),
            author: "鈴木 一郎".into(),
            at: 0,
            acked_by_me: false,
            mine: false,
            unacknowledged: true,
            acked: Vec::new(),
            ..Default::default()
        }
    }

    #[test]
    fn a_notification_names_no_patient_and_quotes_no_note_unless_asked() {
        let items = [urgent("鈴木 正雄", "SpO2 86%、呼吸苦"), urgent("高橋 ハル", "転倒")];
        let plain = worded(&items, false, "ja");
        assert_eq!(
            plain,
            vec![("つなぎ".to_string(), "緊急の記録があります（2 件）".to_string())]
        );
        let all: String = plain.iter().map(|(t, b)| format!("{t}{b}")).collect();
        for secret in ["鈴木", "高橋", "SpO2", "転倒"] {
            assert!(!all.contains(secret), "{all}");
        }
        assert_eq!(worded(&items, false, "en")[0].1, "There are urgent entries (2)");
        // Details only when the user turned them on.
        let detailed = worded(&items, true, "ja");
        assert_eq!(detailed.len(), 2);
        assert!(detailed[0].0.contains("鈴木 正雄"));
        assert!(worded(&[], false, "ja").is_empty());
        let mut to_me = urgent("鈴木 正雄", "@佐藤 明日お願いします");
        to_me.kind = "addressed".into();
        let both = worded(&[items[0].clone(), to_me], false, "ja");
        assert_eq!(both[1].1, "あなた宛ての記録があります（1 件）");
    }
}
