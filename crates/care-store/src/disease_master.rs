//! The 傷病名 master kept on this laptop, for looking up a diagnosis's
//! 傷病名コード by kanji or kana while typing an instruction (clinical.md
//! §1.3-1.5). A station loads the receipt system's B master (disease
//! names) and Z master (modifiers, 接頭語 / 接尾語) from the 支払基金's
//! 基本マスター: quoted CSV in CP932 (windows-31j). `data/byomei/` holds a
//! small sample in the same format for tests and a first look.

use care_model::fold;
use rusqlite::params;

use crate::{Store, StoreError};

/// Which master a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MasterKind {
    /// B: 傷病名 (7-digit codes).
    Disease,
    /// Z: 修飾語 (4-digit codes).
    Modifier,
}

impl MasterKind {
    /// `disease` / `B`, `modifier` / `Z`.
    pub fn parse(s: &str) -> Option<MasterKind> {
        match s {
            "disease" | "B" | "b" => Some(MasterKind::Disease),
            "modifier" | "Z" | "z" => Some(MasterKind::Modifier),
            _ => None,
        }
    }

    /// What the app and the CLI call it.
    pub fn name(self) -> &'static str {
        match self {
            MasterKind::Disease => "disease",
            MasterKind::Modifier => "modifier",
        }
    }

    fn code(self) -> &'static str {
        match self {
            MasterKind::Disease => "B",
            MasterKind::Modifier => "Z",
        }
    }
}

/// Where each value is in a row (0-based 項番 - 1). B: from the 仕様説明書
/// (項番3 code, 6 基本名称, 10 カナ名称, 16 ICD-10-1 (2013), 24 廃止年月日).
/// Z [verify against the 仕様説明書 of the file's year]: 項番3 code,
/// 7 名称, 10 カナ名称.
struct Layout {
    code: usize,
    code_len: usize,
    name: usize,
    kana: usize,
    icd10: Option<usize>,
    abolished: Option<usize>,
}

const B_LAYOUT: Layout = Layout {
    code: 2,
    code_len: 7,
    name: 5,
    kana: 9,
    icd10: Some(15),
    abolished: Some(23),
};
const Z_LAYOUT: Layout = Layout {
    code: 2,
    code_len: 4,
    name: 6,
    kana: 9,
    icd10: None,
    abolished: None,
};

/// One row of a master.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MasterEntry {
    pub kind: MasterKind,
    pub code: String,
    pub name: String,
    pub kana: Option<String>,
    pub icd10: Option<String>,
}

/// What loading a file did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Loaded {
    pub kind: MasterKind,
    pub version: String,
    pub entries: usize,
    /// Rows abolished (廃止) before the file's date: left out.
    pub abolished: usize,
    /// Rows that did not read as the master's layout (line numbers).
    pub refused_lines: Vec<usize>,
}

/// The kind and version of a master file from what was given, else from
/// its name as the 支払基金 names it (`b_20240601.txt`, `z_20240601.txt`).
pub fn kind_and_version(
    path: &std::path::Path,
    kind: Option<&str>,
    version: Option<&str>,
) -> Result<(MasterKind, String), StoreError> {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let kind_text = kind.unwrap_or_else(|| name.get(..1).unwrap_or_default());
    let kind = MasterKind::parse(kind_text).ok_or_else(|| {
        StoreError::BadInput(format!(
            "マスターの種類「{kind_text}」: disease か modifier を指定してください / master kind \"{kind_text}\": give disease or modifier"
        ))
    })?;
    let version = version
        .map(str::to_string)
        .or_else(|| name.split('_').nth(1).map(str::to_string))
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            StoreError::BadInput(
                "マスターの版（ファイルの日付）を指定してください / give the master's version (its date)".into(),
            )
        })?;
    Ok((kind, version))
}

/// Reads a master file's bytes (CP932 CSV). `version` is the file's date
/// (`YYYYMMDD`), kept with every code taken from it.
pub fn parse_master(kind: MasterKind, bytes: &[u8], version: &str) -> Result<(Vec<MasterEntry>, Loaded), StoreError> {
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(StoreError::BadInput(
            "CP932 (Shift_JIS) として読めない文字があります / the file is not CP932 text".into(),
        ));
    }
    let layout = match kind {
        MasterKind::Disease => &B_LAYOUT,
        MasterKind::Modifier => &Z_LAYOUT,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut loaded = Loaded {
        kind,
        version: version.to_string(),
        entries: 0,
        abolished: 0,
        refused_lines: Vec::new(),
    };
    for (i, row) in reader.records().enumerate() {
        let line = i + 1;
        let Ok(row) = row else {
            loaded.refused_lines.push(line);
            continue;
        };
        let get = |c: usize| row.get(c).map(str::trim).filter(|s| !s.is_empty());
        let code = get(layout.code).unwrap_or("");
        let name = get(layout.name);
        if code.len() != layout.code_len || !code.bytes().all(|b| b.is_ascii_digit()) || name.is_none() {
            loaded.refused_lines.push(line);
            continue;
        }
        // 廃止年月日: 99999999 while in use.
        if let Some(date) = layout.abolished.and_then(get) {
            if date != "99999999" && date <= version {
                loaded.abolished += 1;
                continue;
            }
        }
        out.push(MasterEntry {
            kind,
            code: code.to_string(),
            name: name.unwrap_or_default().to_string(),
            kana: get(layout.kana).map(str::to_string),
            icd10: layout.icd10.and_then(get).map(dotted),
        });
    }
    loaded.entries = out.len();
    Ok((out, loaded))
}

/// The master writes ICD-10 without the dot (`I609`); records keep `I60.9`.
fn dotted(code: &str) -> String {
    if code.len() > 3 && !code.contains('.') && code.is_ascii() {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

/// How many matches a lookup returns at most.
pub const MAX_LOOKUP: usize = 30;

impl Store {
    /// Replaces this laptop's master of `kind` with `entries`, in one
    /// transaction (a failed load leaves the old one).
    pub fn load_master(&mut self, entries: &[MasterEntry], loaded: &Loaded) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM disease_master WHERE kind = ?1", [loaded.kind.code()])?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO disease_master (kind, code, name, kana, folded, icd10, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for e in entries {
                let folded = format!(
                    "{}\u{1f}{}",
                    fold(&e.name),
                    e.kana.as_deref().map(fold).unwrap_or_default()
                );
                insert.execute(params![
                    e.kind.code(),
                    e.code,
                    e.name,
                    e.kana,
                    folded,
                    e.icd10,
                    loaded.version
                ])?;
            }
        }
        tx.commit()?;
        tracing::info!(kind = loaded.kind.code(), entries = entries.len(), version = %loaded.version, "傷病名 master loaded");
        Ok(())
    }

    /// The master's version on this laptop (`None`: not loaded).
    pub fn master_version(&self, kind: MasterKind) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT version FROM disease_master WHERE kind = ?1 LIMIT 1",
                [kind.code()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Entries whose name or reading contains `query` (kanji, hiragana or
    /// katakana, full- or half-width: folded as search folds), or whose
    /// code starts with it; shortest names first, which puts the plain
    /// disease before its longer variants.
    pub fn lookup_master(&self, kind: MasterKind, query: &str) -> Result<Vec<(MasterEntry, String)>, StoreError> {
        let q = fold(query);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let like = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let mut stmt = self.conn.prepare(
            "SELECT code, name, kana, icd10, version FROM disease_master
             WHERE kind = ?1 AND (folded LIKE ?2 ESCAPE '\\' OR substr(code, 1, length(?3)) = ?3)
             ORDER BY length(name), code LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![kind.code(), like, q, MAX_LOOKUP as i64], |r| {
            Ok((
                MasterEntry {
                    kind,
                    code: r.get(0)?,
                    name: r.get(1)?,
                    kana: r.get(2)?,
                    icd10: r.get(3)?,
                },
                r.get::<_, String>(4)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
