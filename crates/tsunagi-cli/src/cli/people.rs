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

/// A region's directory.
#[derive(Debug, clap::Subcommand)]
pub enum DirectoryCommand {
    /// 地域の名簿を作る（ほかの組織は招待コードで参加） / start a region's directory (others join by invite)
    Create(DirectoryCreateArgs),
    /// 名簿の一覧・検索（空床は更新からの経過時間つき） / list or search the directory (free beds with their age)
    List(DirectorySearchArgs),
    /// 自分の組織を登録 / add your organisation
    Add(DirectoryEntryArgs),
    /// 登録内容の変更（指定した項目だけ） / change your entry (only the fields given)
    Edit(DirectoryEditArgs),
    /// 今日の空床を更新 / post today's free beds
    Beds(DirectoryBedsArgs),
    /// この項目を編集できる同僚（登録した人だけが変更可） / colleagues who may edit the entry (its keeper sets them)
    Editors(DirectoryEditorsArgs),
}

#[derive(Debug, Args)]
pub struct DirectoryCreateArgs {
    /// 名簿の名前 / the directory's name
    pub name: String,
}

#[derive(Debug, Args)]
pub struct DirectoryArg {
    /// 名簿（チームID の先頭。1つだけなら省略可） / the directory (team id prefix; may be left out when there is one)
    #[arg(long = "dir", value_name = "TEAM")]
    pub dir: Option<String>,
}

#[derive(Debug, Args)]
pub struct DirectorySearchArgs {
    #[command(flatten)]
    pub dir: DirectoryArg,
    /// 名前・地域・診療科・備考の語 / words in the name, area, specialties or notes
    #[arg(long)]
    pub text: Option<String>,
    /// 種別 / kind: clinic | hospital | station | roken | pharmacy | dental | care_office | other
    #[arg(long)]
    pub kind: Option<String>,
    /// 診療科 / a specialty (皮膚科 …)
    #[arg(long)]
    pub specialty: Option<String>,
    /// 往診・訪問ありのみ / only those visiting homes
    #[arg(long)]
    pub home_visits: bool,
    /// 受け入れ（複数可、すべて満たすもの） / must accept (repeat): gastrostomy, home_oxygen, …
    #[arg(long)]
    pub accepts: Vec<String>,
    /// この種類の空床があるもの（1日以内の情報） / with a free bed of this kind, posted within a day
    #[arg(long)]
    pub bed: Option<String>,
    /// この利用者を受け入れられるところ（処置・診断から） / who can take this patient (from devices and diagnoses)
    #[arg(long = "for", value_name = "TEAM")]
    pub for_patient: Option<String>,
}

/// An entry's fields, each optional (edit changes only those given).
#[derive(Debug, Args)]
pub struct EntryFields {
    /// 名称 / name
    #[arg(long)]
    pub name: Option<String>,
    /// 種別 / kind: clinic | hospital | station | roken | pharmacy | dental | care_office | other
    #[arg(long)]
    pub kind: Option<String>,
    /// 診療科（複数可） / specialty (repeat)
    #[arg(long)]
    pub specialty: Vec<String>,
    /// 往診・訪問あり（yes/no） / visits homes
    #[arg(long, value_name = "yes|no")]
    pub home_visits: Option<String>,
    /// 対応地域 / area served
    #[arg(long)]
    pub area: Option<String>,
    /// 受付時間 / hours
    #[arg(long)]
    pub hours: Option<String>,
    /// 24時間連絡先 / a number answering day and night
    #[arg(long)]
    pub phone_24h: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub fax: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    /// 受け入れ（複数可） / accepts (repeat): gastrostomy | home_oxygen | ventilator | tpn | tracheostomy | urinary_catheter | dialysis | end_of_life | dementia | psychiatric | pressure_ulcer
    #[arg(long)]
    pub accepts: Vec<String>,
    /// その他（受入条件など） / other notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct DirectoryEntryArgs {
    #[command(flatten)]
    pub dir: DirectoryArg,
    #[command(flatten)]
    pub fields: EntryFields,
}

#[derive(Debug, Args)]
pub struct DirectoryEditArgs {
    /// 項目ID（先頭数文字で可） / the entry's id (a unique prefix will do)
    pub entry: String,
    #[command(flatten)]
    pub dir: DirectoryArg,
    #[command(flatten)]
    pub fields: EntryFields,
}

#[derive(Debug, Args)]
pub struct DirectoryBedsArgs {
    /// 項目ID（先頭数文字で可） / the entry's id (a unique prefix will do)
    pub entry: String,
    #[command(flatten)]
    pub dir: DirectoryArg,
    /// 病床の種類 / bed kind: general | community | long_term | palliative | roken | short_stay
    #[arg(long)]
    pub kind: String,
    /// 空床数 / free beds
    #[arg(long)]
    pub free: u32,
    /// 数えた時刻（既定は今。例: 08:00、2026-11-30 08:00） / when they were counted (default now)
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct DirectoryEditorsArgs {
    /// 項目ID（先頭数文字で可） / the entry's id (a unique prefix will do)
    pub entry: String,
    #[command(flatten)]
    pub dir: DirectoryArg,
    /// 編集できる同僚のメンバーID（複数可、空で取り消し） / member ids of colleagues who may edit (repeat; none clears)
    #[arg(long)]
    pub member: Vec<String>,
}

/// An organisation's staff, across teams.
#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// 事業所（ステーション）のスタッフと、この端末にある参加チーム数 / the station's staff and how many teams here each is in
    Staff,
    /// 退職者を、この端末の管理者として外せるすべてのチームから外す（各チームの鍵を更新） / take a leaver off every team this laptop's member administers, each team moving to a new key
    Leaver(OrgLeaverArgs),
}

#[derive(Debug, Args)]
pub struct OrgLeaverArgs {
    /// メンバーID（先頭数文字で可）か氏名 / the member's id (a unique prefix) or name
    pub member: String,
    /// 理由（各チームの管理者に表示） / why, shown to each team's admins
    #[arg(long, default_value = "退職")]
    pub reason: String,
}

/// Wounds followed with DESIGN-R 2020.
#[derive(Debug, clap::Subcommand)]
pub enum WoundCommand {
    /// 創傷を追加 / start following a wound
    Add(WoundAddArgs),
    /// DESIGN-R 2020 で評価（例: --depth d2 --exudate e1 --size s6 --inflammation i0 --granulation g1 --necrotic n0 --pocket p0） / assess with DESIGN-R 2020
    Assess(WoundAssessArgs),
    /// 治癒・終了 / the wound healed or is no longer followed
    Close(WoundCloseArgs),
    /// 創傷と評価の一覧（合計点の推移） / wounds and their assessments (the total over time)
    List(WoundListArgs),
}

#[derive(Debug, Args)]
pub struct WoundAddArgs {
    pub team: String,
    /// 部位（仙骨部、右踵 …） / where
    #[arg(long)]
    pub site: String,
    /// pressure_ulcer | surgical | skin_tear | other
    #[arg(long, default_value = "pressure_ulcer")]
    pub kind: String,
    /// 発生日（既定は今日） / since (default today)
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct WoundAssessArgs {
    pub team: String,
    /// 創傷 ID（先頭数文字で可） / the wound's id (a unique prefix will do)
    pub wound: String,
    #[arg(long)]
    pub depth: String,
    #[arg(long)]
    pub exudate: String,
    #[arg(long)]
    pub size: String,
    #[arg(long)]
    pub inflammation: String,
    #[arg(long)]
    pub granulation: String,
    #[arg(long)]
    pub necrotic: String,
    #[arg(long)]
    pub pocket: String,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct WoundCloseArgs {
    pub team: String,
    pub wound: String,
    /// 治癒・終了日（既定は今日） / the day (default today)
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Debug, Args)]
pub struct WoundListArgs {
    pub team: String,
}
