//! Around the clock: on call, the instruction, the 傷病名 master, team settings.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::TeamArg;

#[derive(Debug, Args)]
pub struct OncallArgs {
    #[command(subcommand)]
    pub command: Option<OncallCommand>,
}

#[derive(Debug, Subcommand)]
pub enum OncallCommand {
    /// ステーションの当番表を作る（あなたが管理者） / start a station's rota (you are its admin)
    Station(StationArgs),
    /// 曜日または日付の当番を設定 / set a weekday's or a date's duty
    Set(DutySetArgs),
    /// 24時間連絡先と交代時刻 / the station's 24-hour phone and handover time
    Basics(RotaBasicsArgs),
}

#[derive(Debug, Args)]
pub struct StationArgs {
    /// ステーション名 / the station's name
    pub name: String,
}

#[derive(Debug, Args)]
pub struct DutySetArgs {
    /// 当番表（ステーションのチーム ID の先頭） / the station (its team id, or its start)
    pub station: String,
    /// 曜日 (mon..sun, 月..日) / the weekday
    #[arg(long, conflicts_with = "date", required_unless_present = "date")]
    pub weekday: Option<String>,
    /// その日だけの当番 / a dated override
    #[arg(long)]
    pub date: Option<String>,
    /// 当番の看護師（ステーションのメンバー名、または外部の人の名前） / the nurse on call (a member's name, or someone outside)
    #[arg(long)]
    pub nurse: Option<String>,
    /// 看護師の電話 / the nurse's phone
    #[arg(long)]
    pub phone: Option<String>,
    /// 待機医（グループ） / the doctors' standby group
    #[arg(long)]
    pub doctor: Option<String>,
    /// 待機医の電話 / its phone
    #[arg(long)]
    pub doctor_phone: Option<String>,
    /// 当番を消す / clear the duty
    #[arg(long, conflicts_with_all = ["nurse", "doctor"])]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct RotaBasicsArgs {
    pub station: String,
    /// 24時間連絡先 / the station's 24-hour phone
    #[arg(long)]
    pub phone: Option<String>,
    /// 交代時刻 HH:MM（既定 08:30） / when a duty day starts
    #[arg(long, default_value = "08:30")]
    pub handover: String,
}

#[derive(Debug, Subcommand)]
pub enum InstructionCommand {
    /// 指示書を記録 / record an instruction
    Add(Box<InstructionAddArgs>),
    /// 指示書の一覧と期限 / the instructions and where they stand
    List(TeamArg),
    /// 傷病名にコードを付ける（記入者が記録されます） / add a code to a diagnosis as written (who added it is kept)
    Code(InstructionCodeArgs),
}

#[derive(Debug, Args)]
pub struct InstructionAddArgs {
    pub team: String,
    /// ordinary (訪問看護指示書), special (特別), drip (点滴注射), psychiatric (精神科)
    #[arg(long, default_value = "ordinary")]
    pub kind: String,
    /// 指示日（省略時は開始日） / the day it was issued (default: the start)
    #[arg(long)]
    pub issued: Option<String>,
    #[arg(long)]
    pub start: String,
    #[arg(long)]
    pub end: String,
    /// 指示医 / the doctor
    #[arg(long)]
    pub doctor: String,
    /// 医療機関名 / the clinic
    #[arg(long)]
    pub clinic: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub fax: Option<String>,
    /// 主たる傷病名（繰り返し可）。コード付き: "慢性心不全=4280012" / a diagnosis as written, optionally "=CODE"
    #[arg(long = "diagnosis", required = true)]
    pub diagnoses: Vec<String>,
    /// 寝たきり度 (自立, J1 … C2)
    #[arg(long)]
    pub bedridden: Option<String>,
    /// 認知症の状況 (自立, I … M)
    #[arg(long)]
    pub dementia: Option<String>,
    /// 装着・使用医療機器（繰り返し可） / a device in use
    #[arg(long = "device")]
    pub devices: Vec<String>,
    /// 留意事項及び指示事項 / directions
    #[arg(long, default_value = "")]
    pub directions: String,
    /// 緊急時の連絡先 / the emergency contact
    #[arg(long)]
    pub emergency: String,
    /// コードを取ったマスターの版（既定: この端末のマスター、なければ manual） / the master version of the codes
    #[arg(long)]
    pub master: Option<String>,
}

#[derive(Debug, Args)]
pub struct InstructionCodeArgs {
    pub team: String,
    /// 指示書 ID（先頭） / the instruction
    pub instruction: String,
    /// 何番目の傷病名か（1 から） / which diagnosis, from 1
    pub number: u32,
    /// 7 桁の傷病名コード（該当なし 0000999） / the 7-digit code
    pub code: String,
    #[arg(long)]
    pub icd10: Option<String>,
    /// 修飾語コード（4 桁、繰り返し可） / a 4-digit modifier
    #[arg(long = "modifier")]
    pub modifiers: Vec<String>,
    #[arg(long)]
    pub master: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum MasterCommand {
    /// 支払基金の傷病名 (b_YYYYMMDD.txt) / 修飾語 (z_YYYYMMDD.txt) マスターを読み込む / load a master file (CP932 CSV)
    Load(MasterLoadArgs),
    /// 漢字・かなで検索 / look up by kanji or kana
    Find(MasterFindArgs),
}

#[derive(Debug, Args)]
pub struct MasterLoadArgs {
    pub file: PathBuf,
    /// disease (B) / modifier (Z)（既定: ファイル名から） / default: from the file name
    #[arg(long)]
    pub kind: Option<String>,
    /// 版 = ファイルの日付（既定: ファイル名から） / the version (default: from the file name)
    #[arg(long)]
    pub version: Option<String>,
}

#[derive(Debug, Args)]
pub struct MasterFindArgs {
    pub query: String,
    /// 修飾語を検索 / look up modifiers
    #[arg(long)]
    pub modifier: bool,
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    pub team: String,
    /// 未確認の緊急の記録が当番へ通知されるまでの分数（管理者へはその倍） / minutes before an unacknowledged urgent item reaches the on-call member (the admins after twice as long)
    #[arg(long)]
    pub escalation_minutes: Option<u32>,
    /// 既読表示 on|off / show who has read what
    #[arg(long)]
    pub read_receipts: Option<String>,
    /// 利用終了後、家族が記録を見られる日数（既定 49） / days the family keeps access after care ends (default 49)
    #[arg(long)]
    pub family_days: Option<u32>,
}
