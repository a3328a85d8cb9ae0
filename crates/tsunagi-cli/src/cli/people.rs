//! The people around a patient beyond the record's entries: the patient's
//! consent to share.

use clap::Args;

/// Without flags: the consents on record and the one in force.
#[derive(Debug, Args)]
pub struct ConsentArgs {
    pub team: String,
    /// 同意した日 / the day consent was given (records a consent)
    #[arg(long, value_name = "DATE", requires_all = ["given_by", "obtained_by", "scope"])]
    pub given_on: Option<String>,
    /// 同意した人（本人、長女 …） / who gave it: 本人, or e.g. 長女 for the patient
    #[arg(long, value_name = "WHO")]
    pub given_by: Option<String>,
    /// 同意を得た人 / who obtained it
    #[arg(long, value_name = "NAME")]
    pub obtained_by: Option<String>,
    /// 範囲（複数可） / what it covers (repeat): team | family | hospital | photos
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// この同意の撤回を記録 / record that this consent was withdrawn
    #[arg(long, value_name = "ID", conflicts_with = "given_on")]
    pub withdraw: Option<String>,
    /// 撤回した日（既定は今日） / the day it was withdrawn (default: today)
    #[arg(long, value_name = "DATE", requires = "withdraw")]
    pub on: Option<String>,
}

/// A member's laptops.
#[derive(Debug, clap::Subcommand)]
pub enum DeviceCommand {
    /// この人の別の端末を追加するコードを表示（対面で見せる、24時間有効） / show a code that makes another laptop yours (show it face to face; valid 24 h)
    Add,
    /// この端末を、コードを出した人の2台目にして、その人のチームすべてに参加 / make this new laptop another of the member who showed CODE, in all her teams
    Join(DeviceJoinArgs),
    /// 自分の端末の一覧 / your laptops
    List,
    /// 自分の別の端末をすべてのチームから外す（紛失時） / take one of your other laptops off every team (a lost laptop)
    Remove(DeviceRemoveArgs),
}

#[derive(Debug, Args)]
pub struct DeviceJoinArgs {
    /// 端末追加コード（tsunagi-device1. で始まる） / the device code (starts with tsunagi-device1.)
    pub code: String,
}

#[derive(Debug, Args)]
pub struct DeviceRemoveArgs {
    /// 端末ID（先頭数文字で可） / the laptop's id (a unique prefix will do)
    pub device: String,
}
