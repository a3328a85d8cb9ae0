//! # care-sheets
//!
//! The one-page sheets a home-care team hands to partners who live on FAX
//! and paper: the 急変時対応シート (for the ambulance, the fridge kit and the
//! on-call doctor), the 看護サマリー / 入院時情報提供書 for a hospital
//! admission, and the monthly 訪問看護報告書 to the attending doctor, each
//! with an optional FAX cover. Made from a [`care_model::Record`] as A4 PDF.
//!
//! **How:** each sheet is a builder (`emergency`, `summary`, `report`)
//! that turns the record into plain data (a JSON value: labels from
//! [`labels`] plus the record's values), and one typst template per sheet
//! under `templates/` lays it out. The data reaches typst as an input, never
//! spliced into markup, so nothing a member typed can change the layout.
//! Typst runs as a library with no package downloads; the Japanese font is
//! given as bytes ([`fonts`]).
//!
//! **Readable after a FAX:** black on white, body text 9.5 pt or larger,
//! flags printed as words (要注意 / 緊急), never as colour alone.
//!
//! **What it is not:** it reads no files but the font, and keeps nothing:
//! drafts live in the record (`care_model::drafts`), the caller saves the
//! PDF.

mod common;
pub mod emergency;
pub mod fonts;
pub mod labels;
pub mod report;
pub mod summary;

use std::collections::BTreeMap;

use care_model::{CalendarDate, CareRecord, Draft, DraftKey, Member, Record, Timestamp};
use serde::{Deserialize, Serialize};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// The sheet's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

/// The station the sheet comes from, with its 24-hour number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Station {
    pub name: String,
    /// The station's 24-hour (on-call) phone.
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// The nurse on call now, when the rota says.
    pub on_call: Option<String>,
}

/// A FAX cover page: 宛先, 送信元 with phone and FAX, date and page count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaxCover {
    pub to: String,
    pub to_fax: Option<String>,
    pub from: String,
    pub from_phone: Option<String>,
    pub from_fax: Option<String>,
    pub note: Option<String>,
}

impl FaxCover {
    /// A cover to `to` from the organisation of `profile` (this laptop's
    /// member), with its phone and FAX.
    pub fn from_profile(profile: &Member, to: &str, to_fax: Option<String>, note: Option<String>) -> Self {
        FaxCover {
            to: to.trim().to_string(),
            to_fax,
            from: profile.organisation.clone(),
            from_phone: profile.phone.clone(),
            from_fax: profile.fax.clone(),
            note,
        }
    }
}

/// What every sheet needs besides the record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub now: Timestamp,
    pub lang: Lang,
    /// Dates as 和暦 (令和8年…) rather than 2026年….
    pub wareki: bool,
    pub station: Option<Station>,
    /// Who makes the sheet.
    pub made_by: Option<String>,
    pub fax: Option<FaxCover>,
}

impl Context {
    pub(crate) fn today(&self) -> CalendarDate {
        self.now.date_jst()
    }
}

/// Which sheet to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Emergency,
    Summary,
    /// The report for (year, month).
    Report(i32, u32),
}

impl Sheet {
    /// `emergency | summary | report`, with the report's month (`YYYY-MM`;
    /// default: the month before `today`'s).
    pub fn parse(kind: &str, month: Option<&str>, today: CalendarDate) -> Result<Self, SheetError> {
        match kind {
            "emergency" => Ok(Sheet::Emergency),
            "summary" => Ok(Sheet::Summary),
            "report" => {
                let (y, m) = match month {
                    Some(text) => care_model::drafts::parse_month(text).ok_or_else(|| {
                        SheetError::Input(format!("月は YYYY-MM で / the month as YYYY-MM: `{text}`"))
                    })?,
                    None => {
                        let last = today.add_months(-1).0;
                        (chrono::Datelike::year(&last), chrono::Datelike::month(&last))
                    }
                };
                Ok(Sheet::Report(y, m))
            }
            _ => Err(SheetError::Input(format!(
                "シートは emergency | summary | report / unknown sheet `{kind}`: emergency | summary | report"
            ))),
        }
    }

    /// Where its edited text is kept in the record (none: nothing to edit).
    pub fn draft_key(self) -> Option<DraftKey> {
        match self {
            Sheet::Emergency => None,
            Sheet::Summary => Some(DraftKey::Summary),
            Sheet::Report(y, m) => Some(DraftKey::Report(y, m)),
        }
    }

    /// The free text it prints: the kept draft over what the record
    /// proposes (empty for the emergency sheet).
    pub fn text(self, record: &Record, kept: &Draft, now: Timestamp) -> BTreeMap<String, String> {
        match self {
            Sheet::Emergency => BTreeMap::new(),
            Sheet::Summary => summary::fields(record, kept, now),
            Sheet::Report(y, m) => report::fields(record, kept, y, m),
        }
    }

    /// Its data for [`Typesetter::pdf`], printing `text` (see [`Sheet::text`]).
    pub fn data(
        self,
        record: &Record,
        text: &BTreeMap<String, String>,
        kept: &Draft,
        ctx: &Context,
    ) -> Result<serde_json::Value, SheetError> {
        match self {
            Sheet::Emergency => Ok(emergency::sheet(record, ctx)),
            Sheet::Summary => Ok(summary::sheet(record, text, kept, ctx)),
            Sheet::Report(y, m) => report::sheet(record, y, m, text, kept, ctx),
        }
    }

    /// Its data for [`Typesetter::pdf`] from the team's document: the kept
    /// draft over what the record proposes.
    pub fn data_for(self, doc: &CareRecord, ctx: &Context) -> Result<serde_json::Value, SheetError> {
        let model = |e: care_model::ModelError| SheetError::Input(e.to_string());
        let kept = match self.draft_key() {
            Some(k) => doc.draft(k).map_err(model)?,
            None => Draft::default(),
        };
        let record = doc.read().map_err(model)?;
        let text = self.text(&record, &kept, ctx.now);
        self.data(&record, &text, &kept, ctx)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("日本語フォントがありません。fonts-ipaexfont-gothic を入れてください / no Japanese font found ({0}); install the Debian package fonts-ipaexfont-gothic or set TSUNAGI_FONT")]
    NoFont(String),
    #[error("{0}")]
    Input(String),
    #[error("シートを組めませんでした / the sheet could not be laid out: {0}")]
    Layout(String),
    #[error("PDF を作れませんでした / the PDF could not be written: {0}")]
    Pdf(String),
}

const MAIN: &str = include_str!("../templates/main.typ");
const COMMON: &str = include_str!("../templates/common.typ");
const EMERGENCY: &str = include_str!("../templates/emergency.typ");
const SUMMARY: &str = include_str!("../templates/summary.typ");
const REPORT: &str = include_str!("../templates/report.typ");

/// Lays sheets out. Building one parses the font once; keep it for the
/// session (the app and CLI make one when first asked for a sheet).
pub struct Typesetter {
    engine: TypstEngine<typst_as_lib::TypstTemplateMainFile>,
}

impl Typesetter {
    /// With the fonts given as bytes (see [`fonts::system`]).
    pub fn new(fonts: Vec<Vec<u8>>) -> Self {
        let engine = TypstEngine::builder()
            .main_file(MAIN)
            .fonts(fonts)
            .with_static_source_file_resolver([
                ("common.typ", COMMON),
                ("emergency.typ", EMERGENCY),
                ("summary.typ", SUMMARY),
                ("report.typ", REPORT),
            ])
            .build();
        Typesetter { engine }
    }

    /// With the system's Japanese font.
    pub fn system() -> Result<Self, SheetError> {
        Ok(Self::new(vec![fonts::system()?]))
    }

    /// The sheet `data` (from a builder) as a PDF.
    pub fn pdf(&self, data: &serde_json::Value) -> Result<Vec<u8>, SheetError> {
        let mut inputs = typst::foundations::Dict::new();
        inputs.insert("data".into(), typst::foundations::Value::Str(data.to_string().into()));
        let doc: PagedDocument = self
            .engine
            .compile_with_input(inputs)
            .output
            .map_err(|e| SheetError::Layout(e.to_string()))?;
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errors| {
            SheetError::Pdf(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

impl Station {
    /// The writer's station as sheets name it: the organisation and FAX from
    /// her profile; the 24-hour phone and who is on call from a rota.
    pub fn of(profile: &care_model::Member, phone: Option<String>, on_call: Option<String>) -> Self {
        Station {
            name: profile.organisation.clone(),
            phone: phone.or_else(|| profile.phone.clone()),
            fax: profile.fax.clone(),
            on_call,
        }
    }
}
