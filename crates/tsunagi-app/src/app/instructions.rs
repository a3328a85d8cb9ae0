//! The doctor's instruction (訪問看護指示書) in the app: the list and its
//! state, a new one as typed, a code added to a diagnosis, and the 傷病名
//! master on this laptop (loaded from the 支払基金's CP932 file, looked up
//! by kanji or kana while typing).

use care_model::{CalendarDate, CodeInput, InstructionKind, NewInstruction};
use care_store::disease_master::{kind_and_version, parse_master, MasterKind};

use super::{parse_entry, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::*;

fn code_input(c: &CodeForm) -> CodeInput {
    CodeInput {
        code: c.code.trim().to_string(),
        modifiers: c
            .modifiers
            .iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect(),
        icd10: c.icd10.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        master: c.master.trim().to_string(),
    }
}

pub(crate) fn new_instruction(input: &InstructionInput) -> AppResult<NewInstruction> {
    let kind: InstructionKind = input.kind.parse()?;
    let date = |field: &'static str, s: &str| CalendarDate::parse(field, s);
    let doctor = person(&Some(input.doctor.clone()))?
        .ok_or_else(|| AppError::new("invalid", "指示医を入力してください / name the doctor"))?;
    let blank = |s: &Option<String>| s.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    Ok(NewInstruction {
        kind,
        issued_on: date("issued_on", &input.issued_on)?,
        start: date("start", &input.start)?,
        end: date("end", &input.end)?,
        doctor,
        diagnoses: input
            .diagnoses
            .iter()
            .filter(|d| !d.name.trim().is_empty())
            .map(|d| {
                (
                    d.name.trim().to_string(),
                    d.code.as_ref().filter(|c| !c.code.trim().is_empty()).map(code_input),
                )
            })
            .collect(),
        bedridden: blank(&input.bedridden),
        dementia: blank(&input.dementia),
        devices: input
            .devices
            .iter()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect(),
        directions: input.directions.trim().to_string(),
        emergency_contact: input.emergency_contact.trim().to_string(),
    })
}

impl App {
    pub fn instructions(&self, team: &str) -> AppResult<InstructionsView> {
        let team = parse_team(team)?;
        self.with(|store| {
            let viewer = Self::viewer(store);
            let master = store.master_version(MasterKind::Disease)?;
            let record = store.record(team)?.read()?;
            Ok(instructions_view(&record, &viewer, master))
        })
    }

    pub fn add_instruction(&self, team: &str, input: &InstructionInput) -> AppResult<String> {
        let new = new_instruction(input)?;
        let id = self.edit(team, "instruction.add", |tx| tx.add_instruction(new))?;
        // Made at once if it ends within four weeks.
        if let Err(e) = self.ensure_renewals() {
            tracing::warn!(error = %e.message_en, "renewal request not made");
        }
        Ok(id.to_string())
    }

    /// Adds the code of a diagnosis as written; who added it is kept.
    pub fn code_diagnosis(&self, team: &str, instruction: &str, index: u32, code: &CodeForm) -> AppResult<()> {
        let id = parse_entry(instruction)?;
        let code = code_input(code);
        self.edit(team, "instruction.code", |tx| {
            tx.code_diagnosis(id, index as usize, code)
        })
    }

    /// Loads a master file (B or Z, CP932 CSV) into this laptop's profile.
    /// The kind and version come from a name like `b_20240601.txt` unless
    /// given.
    pub fn load_master(&self, path: &str, kind: Option<String>, version: Option<String>) -> AppResult<MasterLoaded> {
        let path = std::path::Path::new(path);
        let (kind, version) = kind_and_version(path, kind.as_deref(), version.as_deref())?;
        let bytes = std::fs::read(path).map_err(|e| {
            AppError::new(
                "io",
                format!("{} を読めません / cannot read {}: {e}", path.display(), path.display()),
            )
        })?;
        let (entries, loaded) = parse_master(kind, &bytes, &version)?;
        if entries.is_empty() {
            return Err(AppError::new(
                "invalid",
                "マスターの行が 1 行も読めません / no row of the file reads as a master",
            ));
        }
        self.with(|s| Ok(s.load_master(&entries, &loaded)?))?;
        Ok(MasterLoaded {
            kind: kind.name().into(),
            version: loaded.version,
            entries: loaded.entries as u32,
            abolished: loaded.abolished as u32,
            refused_lines: loaded.refused_lines.iter().map(|l| *l as u32).collect(),
        })
    }

    /// Entries of the master whose name or reading contains `query`.
    pub fn lookup_master(&self, kind: &str, query: &str) -> AppResult<Vec<MasterHit>> {
        let kind = MasterKind::parse(kind)
            .ok_or_else(|| AppError::new("invalid", format!("マスターの種類「{kind}」 / master kind \"{kind}\"")))?;
        self.with(|s| {
            Ok(s.lookup_master(kind, query)?
                .into_iter()
                .map(|(e, version)| MasterHit {
                    kind: kind.name().into(),
                    code: e.code,
                    name: e.name,
                    kana: e.kana,
                    icd10: e.icd10,
                    version,
                })
                .collect())
        })
    }
}
