//! The sheets partners read on paper and FAX, and their kept drafts.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct PrintArgs {
    pub team: String,
    /// emergency（急変時対応シート）| summary（看護サマリー）| report（訪問看護報告書）
    #[arg(long, value_name = "SHEET")]
    pub sheet: String,
    /// 報告書の対象月（既定は先月） / the report's month, YYYY-MM (default: last month)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// PDF ファイル / the PDF file
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// 英語で / in English
    #[arg(long)]
    pub english: bool,
    /// 日付を和暦で / dates in 和暦
    #[arg(long)]
    pub wareki: bool,
    /// FAX 送付状を付ける: 宛先 / add a FAX cover addressed to NAME
    #[arg(long, value_name = "NAME")]
    pub fax_to: Option<String>,
    /// 宛先の FAX 番号 / the addressee's FAX number
    #[arg(long, value_name = "NUMBER", requires = "fax_to")]
    pub fax_number: Option<String>,
    /// 送付状の連絡事項 / a message on the cover
    #[arg(long, value_name = "TEXT", requires = "fax_to")]
    pub fax_note: Option<String>,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    pub team: String,
    /// summary | report
    #[arg(long, value_name = "SHEET")]
    pub sheet: String,
    /// 報告書の対象月 / the report's month, YYYY-MM (default: last month)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// 項目を書き換えて保存（複数可）: summary は to, course, adl, problems, requests; report は course, care, home, special / save FIELD=TEXT (repeatable)
    #[arg(long = "set", value_name = "FIELD=TEXT")]
    pub set: Vec<String>,
}
