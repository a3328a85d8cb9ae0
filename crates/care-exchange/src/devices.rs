//! Readings from a measuring device's CSV export (血圧計, パルスオキシメーター,
//! 血糖測定器), so nobody re-types them (転記, USERS.md need 6). Columns are
//! found by their header, through a preset for common layouts or a mapping
//! given by hand; each row becomes a reading checked as a typed one would
//! be. The preview says, per line, whether it is new, already in the record
//! (skipped) or refused (with the reason). UTF-8 (with or without BOM) and
//! CP932 files both read.

use care_model::{Record, Timestamp, ValidationError, VitalSigns, VitalsForm};
use serde::Serialize;

/// Where a column's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Time,
    Systolic,
    Diastolic,
    Pulse,
    Spo2,
    Temperature,
    Glucose,
    Weight,
}

impl Target {
    pub fn parse(s: &str) -> Option<Target> {
        Some(match s.trim() {
            "time" => Target::Time,
            "systolic" => Target::Systolic,
            "diastolic" => Target::Diastolic,
            "pulse" => Target::Pulse,
            "spo2" => Target::Spo2,
            "temperature" => Target::Temperature,
            "glucose" => Target::Glucose,
            "weight" => Target::Weight,
            _ => return None,
        })
    }
}

/// A common layout: the headers (any of each alias, folded) and where each
/// goes.
pub struct Preset {
    pub name: &'static str,
    pub label_ja: &'static str,
    pub columns: &'static [(&'static [&'static str], Target)],
}

/// The layouts stations meet most. Headers are matched after folding
/// (NFKC, lower case) and dropping a unit in brackets (`SpO2(%)`).
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "bp",
        label_ja: "血圧計",
        columns: &[
            (&["測定日時", "日時", "date", "datetime", "測定日"], Target::Time),
            (&["最高血圧", "収縮期血圧", "sys", "systolic"], Target::Systolic),
            (&["最低血圧", "拡張期血圧", "dia", "diastolic"], Target::Diastolic),
            (&["脈拍", "脈拍数", "pulse", "pr"], Target::Pulse),
        ],
    },
    Preset {
        name: "spo2",
        label_ja: "パルスオキシメーター",
        columns: &[
            (&["測定日時", "日時", "時刻", "date", "time", "datetime"], Target::Time),
            (&["spo2", "酸素飽和度"], Target::Spo2),
            (&["脈拍", "脈拍数", "pr", "pulse"], Target::Pulse),
        ],
    },
    Preset {
        name: "glucose",
        label_ja: "血糖測定器",
        columns: &[
            (&["測定日時", "日時", "date", "datetime"], Target::Time),
            (&["血糖値", "血糖", "glucose", "bg"], Target::Glucose),
        ],
    },
];

/// What can stop a file from being read at all.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("プリセット「{0}」はありません（bp, spo2, glucose） / no preset \"{0}\" (bp, spo2, glucose)")]
    UnknownPreset(String),
    #[error("列の指定「{0}」を読めません（例: 測定日時=time,最高血圧=systolic） / cannot read the column mapping \"{0}\" (e.g. 測定日時=time,最高血圧=systolic)")]
    BadMapping(String),
    #[error("見出し「{0}」の列がありません / no column headed \"{0}\"")]
    MissingColumn(String),
    #[error("ファイルが空か、見出し行がありません / the file is empty or has no header row")]
    Empty,
}

/// One line of the file and what becomes of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Line number in the file (the header is line 1).
    pub line: usize,
    pub reading: Option<VitalSigns>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    New,
    /// The same reading at the same time is in the record.
    AlreadyThere,
    Refused {
        reason: String,
    },
}

fn header_key(h: &str) -> String {
    let cut = h.find(['(', '（', '[']).map_or(h, |i| &h[..i]);
    care_model::fold(cut.trim_start_matches('\u{feff}'))
}

/// The text of a device file: UTF-8 (a BOM is dropped), else CP932.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// A mapping by hand: `見出し=target,...`.
pub fn parse_mapping(spec: &str) -> Result<Vec<(String, Target)>, DeviceError> {
    spec.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (h, t) = p
                .split_once('=')
                .ok_or_else(|| DeviceError::BadMapping(p.to_string()))?;
            let t = Target::parse(t).ok_or_else(|| DeviceError::BadMapping(p.to_string()))?;
            Ok((h.trim().to_string(), t))
        })
        .collect()
}

/// `2026/11/24 09:30`, `2026-11-24 9:30:00`, `2026/11/24T09:30` as JST.
fn when(s: &str) -> Option<Timestamp> {
    let s = s.trim().replace(['T', 't'], " ").replace(['/', '／'], "-");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s.trim(), f) {
            let t = t.and_local_timezone(care_model::time::jst()).single()?;
            return Some(Timestamp::from_datetime(&t));
        }
    }
    None
}

fn refuse(e: ValidationError) -> String {
    e.to_string()
}

/// Reads a device file with a preset (`bp`, `spo2`, `glucose`) or a mapping
/// by hand, against `record` (readings already there are skipped), taken
/// no later than `now` (plus the clock skew a typed reading is allowed).
pub fn read(
    bytes: &[u8],
    preset: Option<&str>,
    mapping: Option<&[(String, Target)]>,
    record: &Record,
    now: Timestamp,
) -> Result<Vec<Row>, DeviceError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| DeviceError::Empty)?
        .iter()
        .map(header_key)
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(DeviceError::Empty);
    }
    // Column index -> target.
    let mut columns: Vec<(usize, Target)> = Vec::new();
    match (mapping, preset) {
        (Some(m), _) => {
            for (h, t) in m {
                let i = headers
                    .iter()
                    .position(|x| *x == header_key(h))
                    .ok_or_else(|| DeviceError::MissingColumn(h.clone()))?;
                columns.push((i, *t));
            }
        }
        (None, Some(name)) => {
            let p = PRESETS
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| DeviceError::UnknownPreset(name.to_string()))?;
            for (aliases, t) in p.columns {
                if let Some(i) = headers
                    .iter()
                    .position(|h| aliases.iter().any(|a| care_model::fold(a) == *h))
                {
                    columns.push((i, *t));
                } else if *t == Target::Time {
                    return Err(DeviceError::MissingColumn(aliases[0].to_string()));
                }
            }
        }
        (None, None) => return Err(DeviceError::UnknownPreset(String::new())),
    }
    if !columns.iter().any(|(_, t)| *t != Target::Time) {
        return Err(DeviceError::MissingColumn(
            "測定値（血圧・SpO2・脈拍・血糖など） / a measurement".into(),
        ));
    }
    let time_col = columns
        .iter()
        .find(|(_, t)| *t == Target::Time)
        .map(|(i, _)| *i)
        .ok_or_else(|| DeviceError::MissingColumn("time".into()))?;
    let mut rows = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let line = n + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                rows.push(Row {
                    line,
                    reading: None,
                    outcome: Outcome::Refused { reason: e.to_string() },
                });
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| rec.get(i).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let Some(at) = cell(time_col).as_deref().and_then(when) else {
            rows.push(Row {
                line,
                reading: None,
                outcome: Outcome::Refused {
                    reason: format!(
                        "日時「{}」を読めません（例 2026/11/24 09:30） / cannot read the time",
                        cell(time_col).unwrap_or_default()
                    ),
                },
            });
            continue;
        };
        let mut form = VitalsForm::default();
        let (mut sys, mut dia) = (None, None);
        for (i, t) in &columns {
            let v = cell(*i);
            match t {
                Target::Time => {}
                Target::Systolic => sys = v,
                Target::Diastolic => dia = v,
                Target::Pulse => form.pulse = v,
                Target::Spo2 => form.spo2 = v,
                Target::Temperature => form.temperature = v,
                Target::Glucose => form.glucose = v,
                Target::Weight => form.weight = v,
            }
        }
        form.bp = match (sys, dia) {
            (Some(s), Some(d)) => Some(format!("{s}/{d}")),
            (None, None) => None,
            (s, d) => Some(format!("{}/{}", s.unwrap_or_default(), d.unwrap_or_default())),
        };
        if form.is_empty() {
            continue;
        }
        let outcome_reading = match form.parse(at) {
            Err(e) => (None, Outcome::Refused { reason: refuse(e) }),
            Ok(_) if at.0 > now.0 + 5 * 60_000 => (
                None,
                Outcome::Refused {
                    reason: "未来の日時です / the time is in the future".into(),
                },
            ),
            Ok(reading) => {
                let there = record.vitals.values().any(|e| e.reading == reading);
                let outcome = if there { Outcome::AlreadyThere } else { Outcome::New };
                (Some(reading), outcome)
            }
        };
        rows.push(Row {
            line,
            reading: outcome_reading.0,
            outcome: outcome_reading.1,
        });
    }
    Ok(rows)
}
