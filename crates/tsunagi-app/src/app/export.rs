//! A patient's record handed over in an open format, and data from
//! elsewhere taken in (care-exchange): a FHIR R4 Bundle, CSV for Excel or
//! the automerge document saved to the download folder; a Bundle read from
//! a file with a preview before anything is added.
//! An export is logged in the access log like an opening: a record that
//! leaves the app is accounted for.

use care_model::Patient;
use serde::Serialize;
use specta::Type;

use super::{downloads_dir, now, parse_team, App};
use crate::error::{AppError, AppResult};

/// A detail the Bundle would fill in, or one it gives differently.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportField {
    pub field: String,
    /// What the record has (none when it is filled in).
    pub ours: Option<String>,
    pub theirs: String,
}

/// What importing a Bundle would add; nothing the record has is changed.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportPreview {
    pub patient: Option<String>,
    pub fill: Vec<ImportField>,
    /// Given differently: shown, not changed.
    pub differ: Vec<ImportField>,
    pub diagnoses: Vec<String>,
    pub medications: Vec<String>,
    pub allergies: Vec<String>,
    pub contacts: Vec<String>,
    pub readings: u32,
    pub tasks: Vec<String>,
    /// Nothing would be added.
    pub empty: bool,
}

fn preview(plan: &care_exchange::fhir::Plan) -> ImportPreview {
    let inc = &plan.incoming;
    ImportPreview {
        patient: inc.details.name.clone(),
        fill: plan
            .fill
            .iter()
            .map(|(f, v)| ImportField {
                field: f.clone(),
                ours: None,
                theirs: v.clone(),
            })
            .collect(),
        differ: plan
            .differ
            .iter()
            .map(|(f, o, t)| ImportField {
                field: f.clone(),
                ours: Some(o.clone()),
                theirs: t.clone(),
            })
            .collect(),
        diagnoses: inc
            .diagnoses
            .iter()
            .map(|d| {
                format!(
                    "{}{}",
                    d.name,
                    d.code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
                )
            })
            .collect(),
        medications: inc
            .medications
            .iter()
            .map(|m| format!("{} {} {}", m.name, m.dose, m.schedule).trim().to_string())
            .collect(),
        allergies: inc.allergies.clone(),
        contacts: inc
            .contacts
            .iter()
            .map(|c| format!("{}（{}）{}", c.name, c.relation, c.phone))
            .collect(),
        readings: inc.readings.len() as u32,
        tasks: inc.tasks.iter().map(|t| t.title.clone()).collect(),
        empty: plan.is_empty(),
    }
}

fn read_bundle(path: &str) -> AppResult<care_exchange::fhir::Incoming> {
    let bytes = std::fs::read(path)
        .map_err(|e| AppError::new("io", format!("{path} を読めません / cannot read {path}: {e}")))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::new("invalid", format!("JSON として読めません / not JSON: {e}")))?;
    care_exchange::fhir::read(&json).map_err(|e| AppError::new("invalid", e))
}

impl App {
    /// Saves the team's record in the download folder and returns the
    /// file's path: `fhir` (a FHIR R4 Bundle, JSON), `csv` (readings and
    /// notes for Excel) or `automerge` (the document itself). The file name
    /// carries no patient name.
    pub fn export_record(&self, team: &str, format: &str) -> AppResult<String> {
        let team = parse_team(team)?;
        let (bytes, ext) = self.with(|store| {
            let made = match format {
                "automerge" => (store.record(team)?.save(), "automerge"),
                "csv" => (care_exchange::table::readings_and_notes(&store.record(team)?.read()?), "csv"),
                "fhir" => {
                    let bundle = care_exchange::fhir::export(&store.record(team)?.read()?, now());
                    (serde_json::to_vec_pretty(&bundle).expect("JSON values serialise"), "json")
                }
                other => {
                    return Err(AppError::new(
                        "invalid",
                        format!("書き出し形式「{other}」: fhir, csv, automerge / export format \"{other}\": fhir, csv or automerge"),
                    ))
                }
            };
            store.audit("export", Some(team), None, now())?;
            Ok(made)
        })?;
        let id = team.to_string();
        let path = downloads_dir().join(format!(
            "tsunagi-{format}-{}-{}.{ext}",
            &id[..8],
            now().date_jst().iso()
        ));
        std::fs::write(&path, bytes).map_err(|e| AppError::new("io", format!("{}: {e}", path.display())))?;
        tracing::info!(%team, format, "record exported");
        Ok(path.display().to_string())
    }

    fn import_plan(
        &self,
        path: &str,
        team: Option<&str>,
    ) -> AppResult<(care_exchange::fhir::Incoming, care_exchange::fhir::Plan)> {
        let incoming = read_bundle(path)?;
        let team = team.map(parse_team).transpose()?;
        let existing = match team {
            Some(t) => Some(self.with(|s| Ok(s.record(t)?.read()?))?),
            None => None,
        };
        let plan = care_exchange::fhir::plan(existing.as_ref(), &incoming);
        Ok((incoming, plan))
    }

    /// What importing the Bundle at `path` into `team` (a new team when
    /// none) would add, and what it gives differently.
    pub fn fhir_preview(&self, path: &str, team: Option<String>) -> AppResult<ImportPreview> {
        Ok(preview(&self.import_plan(path, team.as_deref())?.1))
    }

    /// Imports it: one change adding what the preview listed; the team's id.
    pub fn fhir_import(&self, path: &str, team: Option<String>) -> AppResult<String> {
        let (incoming, plan) = self.import_plan(path, team.as_deref())?;
        let team = match team {
            Some(t) => t,
            None => {
                let name = incoming.details.name.clone().ok_or_else(|| {
                    AppError::new(
                        "invalid",
                        "Bundle に患者の氏名がありません / the Bundle names no patient",
                    )
                })?;
                let id = self.with(|s| {
                    Ok(s.create_team(
                        Patient {
                            name,
                            ..Default::default()
                        },
                        now(),
                    )?)
                })?;
                id.to_string()
            }
        };
        if !plan.is_empty() {
            self.edit(&team, "fhir.import", |tx| care_exchange::fhir::apply(tx, &plan))?;
        }
        Ok(team)
    }
}
