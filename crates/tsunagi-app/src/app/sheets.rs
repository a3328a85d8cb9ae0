//! The sheets partners read on paper and FAX (care-sheets): the
//! 急変時対応シート in one click from the record, the 看護サマリー and the
//! monthly 訪問看護報告書 drafted from the record, edited and kept in it,
//! each saved as an A4 PDF in the download folder (optionally behind a FAX
//! cover) and opened in the system's viewer to print. Printing is logged in
//! the access log.

use std::collections::BTreeMap;

use care_sheets::{Context, FaxCover, Lang, Sheet, Station, Typesetter};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{downloads_dir, now, parse_team, App};
use crate::error::{AppError, AppResult};

/// One free-text field of a sheet, as the form edits it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct DraftField {
    /// `to`, `course`, `adl`, `problems`, `requests` (summary); `course`,
    /// `care`, `home`, `special` (report).
    pub name: String,
    pub text: String,
}

/// A sheet's editable text: the kept draft over what the record proposes.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SheetDraftView {
    /// `summary` or `report`.
    pub sheet: String,
    /// The report's month, `YYYY-MM`.
    pub month: Option<String>,
    pub fields: Vec<DraftField>,
    /// Who saved the draft last, and when (none: only proposed so far).
    pub saved_by: Option<String>,
    pub saved_at: Option<String>,
}

/// A FAX cover's addressee (the sender is this laptop's station).
#[derive(Debug, Clone, Deserialize, Type)]
pub struct FaxTo {
    pub to: String,
    pub fax: Option<String>,
    pub note: Option<String>,
}

fn blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl App {
    fn sheet(sheet: &str, month: Option<&str>) -> AppResult<Sheet> {
        Ok(Sheet::parse(sheet, month, now().date_jst())?)
    }

    /// The summary's or a month's report's text to edit.
    pub fn sheet_draft(&self, team: &str, sheet: &str, month: Option<String>) -> AppResult<SheetDraftView> {
        let team = parse_team(team)?;
        let sheet = Self::sheet(sheet, month.as_deref())?;
        let key = sheet
            .draft_key()
            .ok_or_else(|| AppError::new("invalid", "このシートに下書きはありません / this sheet has no draft"))?;
        self.with(|store| {
            let doc = store.record(team)?;
            let kept = doc.draft(key)?;
            let record = doc.read()?;
            let text = sheet.text(&record, &kept, now());
            Ok(SheetDraftView {
                sheet: if key.month().is_some() { "report" } else { "summary" }.into(),
                month: key.month().map(|(y, m)| format!("{y:04}-{m:02}")),
                fields: key
                    .fields()
                    .iter()
                    .map(|f| DraftField {
                        name: f.to_string(),
                        text: text.get(*f).cloned().unwrap_or_default(),
                    })
                    .collect(),
                saved_by: kept.by.and_then(|m| record.member_name(&m).map(str::to_string)),
                saved_at: kept.at.map(|t| t.format_ja()),
            })
        })
    }

    /// Keeps the edited text in the record (one change).
    pub fn save_sheet_draft(
        &self,
        team: &str,
        sheet: &str,
        month: Option<String>,
        fields: Vec<DraftField>,
    ) -> AppResult<()> {
        let team = parse_team(team)?;
        let sheet = Self::sheet(sheet, month.as_deref())?;
        let key = sheet
            .draft_key()
            .ok_or_else(|| AppError::new("invalid", "このシートに下書きはありません / this sheet has no draft"))?;
        let edits: BTreeMap<String, String> = fields.into_iter().map(|f| (f.name, f.text)).collect();
        self.with(|store| {
            store.change(team, "draft.save", now(), |tx| tx.save_draft(key, &edits))?;
            Ok(())
        })
    }

    /// Makes the sheet as a PDF in the download folder; its path. The file
    /// name carries no patient name.
    pub fn print_sheet(
        &self,
        team: &str,
        sheet: &str,
        month: Option<String>,
        fax: Option<FaxTo>,
        english: bool,
    ) -> AppResult<String> {
        let team_id = parse_team(team)?;
        let sheet = Self::sheet(sheet, month.as_deref())?;
        let data = self.with(|store| {
            let at = now();
            let (phone, on_call) = store.duty_now(at)?;
            let profile = store.device().profile.clone();
            let fax = match fax {
                Some(f) if !f.to.trim().is_empty() => {
                    Some(FaxCover::from_profile(&profile, &f.to, blank(f.fax), blank(f.note)))
                }
                _ => None,
            };
            let ctx = Context {
                now: at,
                lang: if english { Lang::En } else { Lang::Ja },
                wareki: false,
                station: Some(Station::of(&profile, phone, on_call)),
                made_by: Some(profile.name.clone()),
                fax,
            };
            let data = sheet.data_for(store.record(team_id)?, &ctx)?;
            store.audit("print", Some(team_id), None, at)?;
            Ok(data)
        })?;
        let pdf = Typesetter::system()?.pdf(&data)?;
        let kind = match sheet {
            Sheet::Emergency => "emergency".to_string(),
            Sheet::Summary => "summary".to_string(),
            Sheet::Report(y, m) => format!("report-{y:04}-{m:02}"),
        };
        let path = downloads_dir().join(format!(
            "tsunagi-{kind}-{}-{}.pdf",
            &team[..8.min(team.len())],
            now().date_jst().iso()
        ));
        std::fs::write(&path, pdf).map_err(|e| AppError::new("io", format!("{}: {e}", path.display())))?;
        tracing::info!(team = %team_id, kind, "sheet printed");
        Ok(path.display().to_string())
    }

    /// Opens a sheet this app saved in the system's PDF viewer, whose print
    /// dialog prints it. Only files in the download folder made by Tsunagi.
    pub fn open_sheet(&self, path: &str) -> AppResult<()> {
        let p = std::path::Path::new(path);
        let ours = p.parent() == Some(downloads_dir().as_path())
            && p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("tsunagi-") && n.ends_with(".pdf"));
        if !ours || !p.is_file() {
            return Err(AppError::new(
                "invalid",
                "開けるのはつなぎが保存した PDF だけです / only PDFs Tsunagi saved can be opened",
            ));
        }
        let mut viewer = std::process::Command::new("xdg-open")
            .arg(p)
            .spawn()
            .map_err(|e| AppError::new("io", format!("PDF を開けません / cannot open the PDF: {e}")))?;
        // Reap it, so no zombie stays behind.
        std::thread::spawn(move || viewer.wait());
        Ok(())
    }
}
