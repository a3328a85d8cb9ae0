//! Desktop notifications for urgent items that arrive from other laptops.
//! By default they say only "緊急の記録があります" with a count: no patient
//! name, no note text, since a notification shows over a locked screen and
//! in the desktop's history. A user may turn details on (Settings); while
//! the window is locked the count is all that is ever shown.

use std::collections::HashSet;

use super::lock::NOTIFY_DETAILS_KEY;
use super::App;
use crate::views::notification;

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
        if fresh.is_empty() {
            return Vec::new();
        }
        if details && !self.is_locked() {
            return fresh.iter().map(|u| notification(u, &lang)).collect();
        }
        let n = fresh.len();
        vec![if lang == "en" {
            ("Tsunagi".into(), format!("There are urgent entries ({n})"))
        } else {
            ("つなぎ".into(), format!("緊急の記録があります（{n} 件）"))
        }]
    }
}
