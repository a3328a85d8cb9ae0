//! Handing the record over and taking data in.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("format").required(true))]
pub struct ExportArgs {
    pub team: String,
    /// FHIR R4 Bundle (JSON, JP Core)
    #[arg(long, group = "format")]
    pub fhir: bool,
    /// バイタルと経過記録の CSV（UTF-8 BOM 付き、Excel で開けます） / readings and notes as CSV (UTF-8 with BOM, opens in Excel)
    #[arg(long, group = "format")]
    pub csv: bool,
    /// automerge の文書そのもの（他のツールで開けます） / the automerge document itself, for any automerge tool
    #[arg(long, group = "format")]
    pub automerge: bool,
    /// 書き出すファイル（省略時は標準出力、automerge は必須） / the file (default: standard output; required for --automerge)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 取り込む先のチーム（省略時は新しいチーム） / the team to add to (default: a new team)
    pub team: Option<String>,
    /// FHIR の Bundle（JSON ファイル） / the FHIR Bundle (JSON)
    #[arg(long, value_name = "FILE")]
    pub fhir: PathBuf,
    /// 表示した内容で取り込む / import what the preview lists
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("layout").required(true))]
pub struct VitalsImportArgs {
    pub team: String,
    /// 機器の CSV（UTF-8 または CP932） / the device's CSV (UTF-8 or CP932)
    pub file: PathBuf,
    /// bp（血圧計）, spo2（パルスオキシメーター）, glucose（血糖測定器）
    #[arg(long, group = "layout")]
    pub preset: Option<String>,
    /// 列の指定: 見出し=time|systolic|diastolic|pulse|spo2|temperature|glucose|weight をカンマ区切りで / the columns by hand
    #[arg(long, group = "layout")]
    pub columns: Option<String>,
    /// 表示した内容で取り込む / import what the preview lists
    #[arg(long)]
    pub yes: bool,
}
