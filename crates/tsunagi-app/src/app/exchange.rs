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

/// One line of a device's file, as the import screen shows it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DeviceRowView {
    pub line: u32,
    pub taken_at: Option<i64>,
    /// The values in the screen's words are built from these.
    pub systolic: Option<u16>,
    pub diastolic: Option<u16>,
    pub pulse: Option<u16>,
    pub spo2: Option<u8>,
    pub temperature: Option<f64>,
    pub glucose: Option<u16>,
    pub weight: Option<f64>,
    /// Readings outside the patient's bands.
    pub flags: Vec<crate::views::FlagView>,
    /// `new`, `already-there` (skipped) or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
}

impl App {
    fn device_rows(
        &self,
        team: &str,
        path: &str,
        preset: Option<String>,
        columns: Option<String>,
    ) -> AppResult<(Vec<care_exchange::devices::Row>, care_model::Thresholds)> {
        use care_exchange::devices::{parse_mapping, read};
        let team = parse_team(team)?;
        let bytes = std::fs::read(path)
            .map_err(|e| AppError::new("io", format!("{path} を読めません / cannot read {path}: {e}")))?;
        let mapping = columns
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(parse_mapping)
            .transpose()
            .map_err(|e| AppError::new("invalid", e))?;
        let preset = if mapping.is_some() { None } else { preset };
        self.with(|s| {
            let record = s.record(team)?.read()?;
            let rows = read(&bytes, preset.as_deref(), mapping.as_deref(), &record, now())
                .map_err(|e| AppError::new("invalid", e))?;
            Ok((rows, record.thresholds))
        })
    }

    /// What importing a device's CSV would do, line by line.
    pub fn device_preview(
        &self,
        team: &str,
        path: &str,
        preset: Option<String>,
        columns: Option<String>,
    ) -> AppResult<Vec<DeviceRowView>> {
        use care_exchange::devices::Outcome;
        let (rows, thresholds) = self.device_rows(team, path, preset, columns)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let v = r.reading.as_ref();
                DeviceRowView {
                    line: r.line as u32,
                    taken_at: v.map(|v| v.taken_at.0),
                    systolic: v.and_then(|v| v.systolic),
                    diastolic: v.and_then(|v| v.diastolic),
                    pulse: v.and_then(|v| v.pulse),
                    spo2: v.and_then(|v| v.spo2),
                    temperature: v.and_then(|v| v.temperature),
                    glucose: v.and_then(|v| v.glucose),
                    weight: v.and_then(|v| v.weight),
                    flags: v.map(|v| crate::views::flags(&thresholds, v)).unwrap_or_default(),
                    outcome: match &r.outcome {
                        Outcome::New => "new",
                        Outcome::AlreadyThere => "already-there",
                        Outcome::Refused { .. } => "refused",
                    }
                    .into(),
                    reason: match r.outcome {
                        Outcome::Refused { reason } => Some(reason),
                        _ => None,
                    },
                }
            })
            .collect())
    }

    /// Imports the new readings of a device's CSV in one change; how many.
    pub fn device_import(
        &self,
        team: &str,
        path: &str,
        preset: Option<String>,
        columns: Option<String>,
    ) -> AppResult<u32> {
        use care_exchange::devices::Outcome;
        let (rows, _) = self.device_rows(team, path, preset, columns)?;
        let new: Vec<care_model::VitalSigns> = rows
            .into_iter()
            .filter(|r| r.outcome == Outcome::New)
            .filter_map(|r| r.reading)
            .collect();
        if !new.is_empty() {
            self.edit(team, "vitals.import", |tx| {
                for v in &new {
                    tx.add_vitals(v.clone())?;
                }
                Ok(())
            })?;
        }
        Ok(new.len() as u32)
    }
}
