//! Desktop notifications for urgent items that arrive from other laptops.
//! By default they say only "緊急の記録があります" with a count: no patient
//! name, no note text, since a notification shows over a locked screen and
//! in the desktop's history. A user may turn details on (Settings); while
//! the window is locked the count is all that is ever shown.

use std::collections::HashSet;

use super::lock::NOTIFY_DETAILS_KEY;
use super::App;
use crate::views::{notification, UrgentItem};

impl App {
    /// What is there at unlock is not news.
    pub(crate) fn start_notices(&self) {
        let seen: HashSet<String> = self
            .urgent_now()
            .map(|u| u.into_iter().map(|i| i.id).collect())
            .unwrap_or_default();
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

    /// The notifications (title, body) to show for urgent items of `teams`
    /// that arrived since the last call: once each, not my own, not ones I
    /// acknowledged.
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
        let fresh: Vec<_> = urgent
            .into_iter()
            .filter(|u| teams.contains(&u.team) && !u.mine && !u.acked_by_me)
            .filter(|u| seen.insert(u.id.clone()))
            .collect();
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
    let n = fresh.len();
    vec![if lang == "en" {
        ("Tsunagi".into(), format!("There are urgent entries ({n})"))
    } else {
        ("つなぎ".into(), format!("緊急の記録があります（{n} 件）"))
    }]
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
    }
}
