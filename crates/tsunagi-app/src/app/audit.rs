//! The access log from the window: what is recorded (opening a record,
//! unlocking, locking), and the admins' screen over it.

use std::collections::HashMap;

use care_model::TeamId;
use care_store::audit::AuditFilter;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{now, parse_team, App};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Deserialize, Type)]
pub struct AuditFilterInput {
    pub team: Option<String>,
    pub member: Option<String>,
    /// YYYY-MM-DD, from the start of that day (JST).
    pub from: Option<String>,
    /// YYYY-MM-DD, to the end of that day (JST).
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditRowView {
    pub at: i64,
    pub member: String,
    pub member_name: String,
    pub device: String,
    /// open | search-open | print | export | change | unlock | lock | unlock-failed | audit-export
    pub action: String,
    pub team: Option<String>,
    pub patient: Option<String>,
    /// For a change: what kind (note.add, patient.edit, …); for an open: the entry.
    pub entry: Option<String>,
    /// A change's kind in words: 経過記録の追加 / note added.
    pub entry_ja: Option<String>,
    pub entry_en: Option<String>,
}

/// A change's action word (`note.add`) in words, Japanese and English.
pub fn change_words(action: &str) -> Option<(String, String)> {
    let (what, verb) = action.split_once('.').unwrap_or((action, ""));
    let what = match what {
        "note" => ("経過記録", "note"),
        "vitals" => ("バイタル", "vital signs"),
        "visit" => ("訪問", "visit"),
        "task" => ("タスク", "task"),
        "med" | "medication" => ("薬", "medication"),
        "contact" => ("連絡先", "contact"),
        "patient" => ("基本情報", "patient details"),
        "plan" => ("訪問予定", "visit plan"),
        "case" => ("利用", "case"),
        "thresholds" => ("基準値", "thresholds"),
        "review" => ("管理者レビュー", "review"),
        "conflict" => ("同時編集", "conflict"),
        _ => return None,
    };
    let verb = match verb {
        "" => ("記録", "recorded"),
        "add" => ("追加", "added"),
        "edit" => ("編集", "edited"),
        "remove" => ("削除", "removed"),
        "reorder" => ("並べ替え", "reordered"),
        "ack" => ("確認", "acknowledged"),
        "stop" => ("中止", "stopped"),
        "change" => ("変更", "changed"),
        "assign" => ("担当変更", "reassigned"),
        "absent" => ("不在", "absent"),
        "close" => ("終了", "closed"),
        "reopen" => ("再開", "reopened"),
        "settle" => ("解決", "settled"),
        "status" => ("状態変更", "status changed"),
        _ => return None,
    };
    Some((format!("{}の{}", what.0, verb.0), format!("{} {}", what.1, verb.1)))
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditView {
    pub rows: Vec<AuditRowView>,
    pub members: Vec<AuditChoice>,
    pub teams: Vec<AuditChoice>,
    /// Chains checked here (devices × patients) and what did not verify.
    pub chains: u32,
    pub problems: Vec<String>,
}

fn day_start(date: &str, field: &'static str) -> AppResult<i64> {
    Ok(care_model::CalendarDate::parse(field, date)?.start_jst().0)
}

impl App {
    /// Writes one entry of this device's access log; a failure is logged,
    /// never shown (the nurse's work goes on).
    pub(crate) fn audit_quietly(&self, action: &str, team: Option<TeamId>, entry: Option<&str>) {
        let done = self.with_unlocked_or_not(|s| Ok(s.audit(action, team, entry, now())?));
        if let Err(e) = done {
            tracing::warn!(action, error = %e.message_en, "audit entry not written");
        }
    }

    pub(crate) fn audit_unlock(&self, failed_at: &[i64]) {
        let _ = self.with_unlocked_or_not(|s| {
            for at in failed_at {
                s.audit("unlock-failed", None, None, care_model::Timestamp(*at))?;
            }
            Ok(())
        });
        self.audit_quietly("unlock", None, None);
    }

    pub(crate) fn audit_lock(&self) {
        self.audit_quietly("lock", None, None);
    }

    /// The window opened a patient's record (`via` "record" or "search").
    pub fn opened(&self, team: &str, via: &str, entry: Option<&str>) -> AppResult<()> {
        let team = parse_team(team)?;
        let action = if via == "search" { "search-open" } else { "open" };
        self.with(|s| Ok(s.audit(action, Some(team), entry, now())?))
    }

    /// The access log for an admin: entries of the teams this laptop
    /// administers (every member's, as they arrived) and this laptop's own.
    pub fn audit_view(&self, filter: &AuditFilterInput) -> AppResult<AuditView> {
        self.with(|store| {
            let me = store.device_id().to_string();
            let mut admin_of: Vec<TeamId> = Vec::new();
            let mut names: HashMap<String, String> = HashMap::new();
            let mut patients: HashMap<String, String> = HashMap::new();
            for t in store.teams()? {
                patients.insert(t.team.to_string(), t.patient_name.clone());
                let roster = store.roster(t.team)?;
                if roster.is_admin_device(store.device_id().as_bytes()) {
                    admin_of.push(t.team);
                }
                // The summary Today keeps: no automerge load per patient.
                if let Ok(record) = store.summary(t.team, now()) {
                    for (id, m) in &record.members {
                        names.insert(id.clone(), m.name.clone());
                    }
                }
            }
            names.insert(store.device().member.to_string(), store.device().profile.name.clone());
            if admin_of.is_empty() {
                return Err(AppError::new(
                    "not-admin",
                    "監査ログはチームの管理者が見られます / the access log is for team admins",
                ));
            }
            let f = AuditFilter {
                team: filter
                    .team
                    .as_deref()
                    .filter(|t| !t.is_empty())
                    .map(parse_team)
                    .transpose()?,
                member: filter.member.clone().filter(|m| !m.is_empty()),
                from: filter
                    .from
                    .as_deref()
                    .filter(|d| !d.is_empty())
                    .map(|d| day_start(d, "from"))
                    .transpose()?,
                until: filter
                    .until
                    .as_deref()
                    .filter(|d| !d.is_empty())
                    .map(|d| day_start(d, "until").map(|t| t + 86_400_000))
                    .transpose()?,
                limit: Some(2000),
            };
            let admin_teams: Vec<String> = admin_of.iter().map(|t| t.to_string()).collect();
            let rows: Vec<AuditRowView> = store
                .audit_rows(&f)?
                .into_iter()
                .filter(|r| match &r.team {
                    Some(t) => admin_teams.contains(t),
                    None => r.device == me,
                })
                .map(|r| AuditRowView {
                    entry_ja: r.entry.as_deref().and_then(change_words).map(|w| w.0),
                    entry_en: r.entry.as_deref().and_then(change_words).map(|w| w.1),
                    member_name: names
                        .get(&r.member)
                        .cloned()
                        .unwrap_or_else(|| r.member.chars().take(8).collect()),
                    patient: r.team.as_ref().and_then(|t| patients.get(t).cloned()),
                    at: r.at,
                    member: r.member,
                    device: r.device,
                    action: r.action,
                    team: r.team,
                    entry: r.entry,
                })
                .collect();
            let checks = store.verify_audit(&[], None)?;
            let problems = checks
                .iter()
                .filter_map(|c| {
                    c.problem.as_ref().map(|p| {
                        let who = names
                            .get(&c.device)
                            .cloned()
                            .unwrap_or_else(|| c.device.chars().take(8).collect());
                        format!("{who}: {p}")
                    })
                })
                .collect();
            let mut members: Vec<AuditChoice> = names.into_iter().map(|(id, name)| AuditChoice { id, name }).collect();
            members.sort_by(|a, b| a.name.cmp(&b.name));
            let mut teams: Vec<AuditChoice> = admin_teams
                .iter()
                .map(|t| AuditChoice {
                    id: t.clone(),
                    name: patients.get(t).cloned().unwrap_or_default(),
                })
                .collect();
            teams.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(AuditView {
                rows,
                members,
                teams,
                chains: checks.len() as u32,
                problems,
            })
        })
    }

    /// The filtered log as CSV (UTF-8 with BOM, so spreadsheet programs
    /// read the Japanese), and the export itself is logged.
    pub fn audit_csv(&self, filter: &AuditFilterInput) -> AppResult<String> {
        let view = self.audit_view(filter)?;
        let mut out = String::from("\u{feff}time,member,device,action,patient,team,entry\n");
        for r in &view.rows {
            let time = care_model::Timestamp(r.at)
                .to_jst()
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            let cells = [
                time,
                r.member_name.clone(),
                r.device.clone(),
                r.action.clone(),
                r.patient.clone().unwrap_or_default(),
                r.team.clone().unwrap_or_default(),
                r.entry_ja.clone().or_else(|| r.entry.clone()).unwrap_or_default(),
            ];
            let line: Vec<String> = cells
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        self.audit_quietly("audit-export", None, None);
        Ok(out)
    }

    /// Saves the CSV in the user's Downloads folder (or home); returns the path.
    pub fn export_audit(&self, filter: &AuditFilterInput) -> AppResult<String> {
        let csv = self.audit_csv(filter)?;
        let dir = super::downloads_dir();
        let path = dir.join(format!("tsunagi-audit-{}.csv", now().date_jst().iso()));
        std::fs::write(&path, csv).map_err(|e| AppError::new("io", format!("{}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }
}
