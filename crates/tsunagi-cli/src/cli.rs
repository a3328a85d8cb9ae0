//! The command line, as clap types. Every command and flag has `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod clock;
mod exchange;
mod files;
mod people;
mod sheets;
pub use clock::*;
pub use exchange::*;
pub use files::*;
pub use people::*;
pub use sheets::*;

#[derive(Debug, Parser)]
#[command(
    name = "tsunagi",
    version,
    about = "つなぎ — 在宅ケアチームの記録 / Tsunagi: the home-care team's shared record",
    long_about = "つなぎ — 在宅ケアチームの記録。オフラインでも記録でき、保存は端末に即時・確実に行われます。\n\
                  Tsunagi keeps each patient's care record on this laptop; every command that says it saved has saved durably.\n\n\
                  Dates may be typed as 2026-11-24, 2026/11/24 or in 和暦 (昭和13年4月2日).\n\n\
                  The profile is encrypted: each command asks for its passphrase, or reads it from the file named by TSUNAGI_PASSPHRASE_FILE.",
    after_help = "例 / Example:\n  tsunagi --home ~/tsunagi init --name '佐藤 花子' --profession nurse --org 'つばさ訪問看護ステーション'\n  tsunagi team create --patient '山田 太郎' --kana 'ヤマダ タロウ' --born 昭和13年4月2日\n  tsunagi vitals add <TEAM> --bp 132/84 --spo2 96"
)]
pub struct Cli {
    /// 端末プロフィールのディレクトリ / the device profile directory
    #[arg(long, env = "TSUNAGI_HOME", global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// 機械向けの JSON で出力 / print JSON for scripts
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// この端末のプロフィールを作る（パスフレーズを決め、回復キーを表示） / make this laptop's device profile (sets the passphrase, shows the recovery key)
    Init(InitArgs),
    /// パスフレーズ / the passphrase that unlocks this profile
    #[command(subcommand)]
    Passphrase(PassphraseCommand),
    /// 回復キーで新しいパスフレーズを設定 / set a new passphrase with the recovery key
    Recover(RecoverArgs),
    /// 監査ログ（誰がいつどの利用者の記録を見た・変えたか）と `audit verify` / the access log, and `audit verify`
    Audit(AuditArgs),
    /// この利用者の通常の記録で自分に通知しない（緊急は常に通知） / no notifications for me from this patient's routine notes (urgent always)
    Mute(MuteArgs),
    /// オンコール当番（今の当番、当番表の作成と編集） / on call: who is on call now, and the stations' rotas
    Oncall(OncallArgs),
    /// 訪問看護指示書 / the doctor's visiting-nursing instruction
    #[command(subcommand)]
    Instruction(InstructionCommand),
    /// 傷病名マスター（読み込みと検索） / the 傷病名 master: load and look up
    #[command(subcommand)]
    Master(MasterCommand),
    /// チームの設定（エスカレーション時間、既読表示。管理者のみ） / the team's settings (admins only)
    Settings(SettingsArgs),
    /// 緊急の記録とエスカレーションの段階 / urgent items and where their escalation stands
    Urgent,
    /// 記録を書き出す（FHIR R4 / CSV / automerge。監査ログに残ります） / hand the record over (FHIR R4, CSV, automerge; logged in the access log)
    Export(ExportArgs),
    /// 情報共有への同意（記録・撤回・一覧） / the patient's consent to share: record, withdraw, list
    Consent(ConsentArgs),
    /// 創傷（褥瘡など）と DESIGN-R 2020 の評価 / wounds and their DESIGN-R 2020 assessments
    #[command(subcommand)]
    Wound(WoundCommand),
    /// 写真・PDF を添付（経過記録・創傷・基本情報に。位置情報は取り除きます） / attach a photo or PDF to a note, a wound or the profile (location stripped)
    Attach(AttachArgs),
    /// 添付ファイルの一覧と取り出し / list and write out attached files
    #[command(subcommand)]
    Attachment(AttachmentCommand),
    /// 自分の端末（2台目の追加・一覧・紛失時に外す） / your laptops: add another, list, take a lost one off
    #[command(subcommand)]
    Device(DeviceCommand),
    /// 地域の名簿（組織・受け入れ・空床の検索と更新） / the regional directory: organisations, what they accept, free beds
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// 事業所のスタッフ（退職者をすべてのチームから外す） / an organisation's staff: take a leaver off every team
    #[command(subcommand)]
    Org(OrgCommand),
    /// 急変時対応シート・看護サマリー・訪問看護報告書を PDF に（FAX 送付状も。監査ログに残ります） / the sheets partners read, as A4 PDF (with a FAX cover; logged in the access log)
    Print(PrintArgs),
    /// サマリー・報告書の下書き（記録から作った文面を編集して保存） / the summary's and report's editable text, kept in the record
    Draft(DraftArgs),
    /// FHIR の Bundle（退院時の情報など）を取り込む。--yes がなければ内容を表示するだけ / read a FHIR Bundle into a new or an existing team; without --yes, only show what would be added
    Import(ImportArgs),
    /// チーム（患者ごと）/ care teams, one per patient
    #[command(subcommand)]
    Team(TeamCommand),
    /// 経過記録 / notes
    #[command(subcommand)]
    Note(NoteCommand),
    /// バイタル / vital signs
    #[command(subcommand)]
    Vitals(VitalsCommand),
    /// タスク / tasks
    #[command(subcommand)]
    Task(TaskCommand),
    /// 薬 / medications
    #[command(subcommand)]
    Med(MedCommand),
    /// 緊急連絡先 / emergency contacts and key persons
    #[command(subcommand)]
    Contact(ContactCommand),
    /// 利用者の基本情報・ACP / the patient's details and ACP
    #[command(subcommand)]
    Patient(PatientCommand),
    /// バイタルのしきい値（SpO2 スケール2 を含む）/ the patient's vital-sign bands, SpO2 scale 2
    Thresholds(ThresholdsArgs),
    /// 利用終了（記録は読み取り専用になり 5 年間保存）/ close a case: the record becomes read-only and is kept 5 years
    Close(CloseArgs),
    /// 利用終了した記録を再開（管理者のみ）/ reopen a closed case (admins only)
    Reopen(TeamArg),
    /// 同時編集を一つの値に決める / settle a conflict by choosing one of its values
    Settle(SettleArgs),
    /// 全利用者を検索（氏名・よみ・記録・タスク・薬）/ search every patient: names, readings, notes, tasks, medications
    Search(SearchArgs),
    /// 訪問予定（毎週・日付指定）/ visit plans: weekly patterns and dated visits
    #[command(subcommand)]
    Plan(PlanCommand),
    /// 訪問の記録（不在）/ a visit's outcome: absent
    #[command(subcommand)]
    Visit(VisitCommand),
    /// 記録全体を表示 / show a patient's whole record
    Show(TeamArg),
    /// 同時に編集された項目 / fields edited at the same time on two laptops
    Conflicts(TeamArg),
    /// 項目の変更履歴 / who changed an entry, what and when
    History(HistoryArgs),
    /// データの整合性を確認 / check the local database for damage
    Check,
    /// 中継サーバー / the relay this laptop uses
    #[command(subcommand)]
    Relay(RelayCommand),
    /// 招待コードを作る（最後の行に表示）/ make an invite code; printed on the last line
    Invite(InviteArgs),
    /// 招待コードでチームに参加 / join a team with an invite code
    Join(JoinArgs),
    /// 中継サーバーと同期 / sync with the relay
    Sync(SyncArgs),
    /// チームごとの送信待ち・最終同期 / per team: waiting to send, last sync, relay state
    Status,
}

#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// 使う中継サーバーを設定（同じデータベースの中継が複数あれば全部）/ set the relay (and every other relay in front of the same store)
    Set(RelaySetArgs),
    /// 設定中の中継サーバー（アドレス、使用中のもの、指紋）/ show the relay addresses, the one in use, the fingerprint
    Show,
    /// 中継サーバーの管理者からもらった登録コードで、この端末を登録（チームを作れるようになる）/ enrol this laptop with a code from the relay's operator (`sync-server enrol`), so it may start teams there
    Enrol(RelayEnrolArgs),
}

#[derive(Debug, Args)]
pub struct RelayEnrolArgs {
    /// 登録コード / the enrolment code
    pub code: String,
}

#[derive(Debug, Args)]
pub struct RelaySetArgs {
    /// https://HOST:PORT
    pub url: String,
    /// 予備の中継サーバー（同じ PostgreSQL の別の中継）。最初が応答しないとき順に使う / other relays in front of the same PostgreSQL, tried in turn when the first does not answer
    pub also: Vec<String>,
    /// 証明書の SHA-256 指紋 (64桁) / the relay certificate's SHA-256 fingerprint, 64 hex digits
    #[arg(long)]
    pub fingerprint: Option<String>,
    /// 登録コードがあれば同時に登録 / an enrolment code to enrol with at once
    #[arg(long)]
    pub enrol: Option<String>,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    pub team: String,
    /// 有効期限 / how long the code works: 72h, 30m, 3d
    #[arg(long, default_value = "72h")]
    pub expires: String,
    /// 家族として招待（共有された記録を読み、自分の記録だけ書ける。管理者のみ） / invite a family member: reads what the team shares, writes only their own notes (admins only)
    #[arg(long)]
    pub family: bool,
}

#[derive(Debug, Args)]
pub struct TeamHandoverArgs {
    pub team: String,
    /// 引き継ぎ先のメンバー（ID の先頭か氏名。先に招待しておく） / the new station's member (id prefix or name; invite them first)
    #[arg(long)]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct JoinArgs {
    /// 招待コード / the invite code (tsunagi1.…)
    pub code: String,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// 一度だけ同期（既定）/ sync once and exit (the default)
    #[arg(long, conflicts_with = "watch")]
    pub once: bool,
    /// 同期し続ける（Ctrl-C で終了）/ keep syncing until Ctrl-C
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// 氏名 (姓 名) / your name, family name first
    #[arg(long)]
    pub name: String,
    /// よみがな (カタカナ) / reading in katakana
    #[arg(long)]
    pub kana: Option<String>,
    /// nurse | doctor | care-manager | pharmacist | helper | therapist | dentist | hospital | family | other
    #[arg(long)]
    pub profession: String,
    /// 所属 / your organisation
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub fax: Option<String>,
    /// キーチェーンを使わずパスフレーズだけで守る（弱い） / protect with the passphrase only, no keychain (weaker)
    #[arg(long)]
    pub no_keychain: bool,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseCommand {
    /// パスフレーズを変える（TSUNAGI_NEW_PASSPHRASE_FILE か入力） / change the passphrase (TSUNAGI_NEW_PASSPHRASE_FILE or typed)
    Change,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// このチーム（利用者）だけ / only this team (patient)
    pub team: Option<String>,
    /// このメンバー ID だけ / only this member id
    #[arg(long)]
    pub member: Option<String>,
    /// この日から (YYYY-MM-DD) / from this day
    #[arg(long)]
    pub from: Option<String>,
    /// この日まで (YYYY-MM-DD) / until this day
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// すべての監査ログの署名と連鎖、中継サーバーの確認印を照合 / check every chain's signatures and links, and the relay's checkpoints
    Verify,
}

#[derive(Debug, Args)]
pub struct MuteArgs {
    /// チーム / the team
    pub team: String,
    /// 通知を元に戻す / notify again
    #[arg(long)]
    pub off: bool,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// 回復キーを書いたファイル（省略時は入力） / a file holding the recovery key (typed otherwise)
    #[arg(long, value_name = "FILE")]
    pub recovery_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// 患者のチームを作る（チーム ID を表示）/ start a patient's team; prints its id
    Create(TeamCreateArgs),
    /// この端末のチーム一覧 / the teams on this laptop
    List,
    /// チームの端末とメンバー / the team's devices and whose they are
    Members(TeamArg),
    /// 端末をチームから外し、チームの鍵を新しくする（チームの管理者か本人）/ take a device off the team and move the team to a new key (a team admin, or the device's own member)
    Remove(TeamRemoveArgs),
    /// その端末の持ち主をチームの管理者にする（管理者だけができる）/ make the member of that device a team admin, who may remove any device (admins only)
    Admin(TeamRemoveArgs),
    /// この端末がチームから抜ける（未送信があると拒否）/ this laptop leaves the team; refused while anything is unsent
    Leave(TeamArg),
    /// 別のステーションへ引き継ぐ: 引き継ぎ先を管理者にし、自分の組織の端末を外して抜ける（記録はそのまま） / hand the patient over to another station: its member becomes an admin, this organisation's laptops leave, the record stays whole
    Handover(TeamHandoverArgs),
    /// 招待できる人: 管理者だけ（既定）か、メンバー全員か（管理者だけが変えられる）/ who may invite: admins only (the default) or every member; admins only may change it
    Invites(TeamInvitesArgs),
}

#[derive(Debug, Args)]
pub struct TeamInvitesArgs {
    /// チーム ID / team id (a unique prefix will do)
    pub team: String,
    /// admins | members
    #[arg(value_enum)]
    pub who: InviteWho,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InviteWho {
    Admins,
    Members,
}

#[derive(Debug, Args)]
pub struct TeamRemoveArgs {
    /// チーム ID / team id (a unique prefix will do)
    pub team: String,
    /// 端末の ID（`team members` で表示、先頭の数文字で可）/ the device id from `team members` (a unique prefix will do)
    pub device: String,
}

#[derive(Debug, Args)]
pub struct TeamCreateArgs {
    /// 患者氏名 / patient's name, family name first
    #[arg(long)]
    pub patient: String,
    /// よみがな / reading (katakana; hiragana is converted)
    #[arg(long)]
    pub kana: Option<String>,
    /// 生年月日 / birth date: 1938-04-02 or 昭和13年4月2日
    #[arg(long)]
    pub born: Option<String>,
    /// female | male | other
    #[arg(long)]
    pub sex: Option<String>,
    /// 要介護度 / care level: 要支援1-2, 要介護1-5, 申請中, 非該当
    #[arg(long)]
    pub care_level: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
}

#[derive(Debug, Args)]
pub struct TeamArg {
    /// チーム ID（先頭の数文字で可）/ team id (a unique prefix will do)
    pub team: String,
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// 記録を書く / write a note
    Add(NoteAddArgs),
    /// 記録を修正（以前の版は残ります）/ edit a note; earlier versions are kept
    Edit(NoteEditArgs),
    /// 緊急の記録を確認した / acknowledge an urgent note (確認)
    Ack(AckArgs),
    /// 記録を家族にも共有する（--off で取り消し） / share a note with the patient's family (--off stops)
    Share(NoteShareArgs),
}

#[derive(Debug, Args)]
pub struct NoteShareArgs {
    pub team: String,
    /// 記録の ID（先頭の数文字でも可） / the note's id (a unique prefix will do)
    pub id: String,
    #[arg(long)]
    pub off: bool,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    pub team: String,
    /// 記録またはバイタルの ID（先頭の数文字でも可） / the note's or reading's id (a unique prefix will do)
    pub id: String,
}

#[derive(Debug, Args)]
pub struct NoteAddArgs {
    pub team: String,
    /// 本文 / the text
    #[arg(long)]
    pub text: String,
    /// routine (通常) | attention (要注意) | urgent (緊急)
    #[arg(long, default_value = "routine")]
    pub urgency: String,
    /// observation (観察) | instruction (指示) | report (報告) | handover (申し送り) | other
    #[arg(long, default_value = "observation")]
    pub category: String,
}

#[derive(Debug, Args)]
pub struct NoteEditArgs {
    pub team: String,
    /// 記録 ID / note id (prefix)
    pub note: String,
    #[arg(long)]
    pub text: String,
    /// 変更しない場合は省略 / omit to keep
    #[arg(long)]
    pub urgency: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum VitalsCommand {
    /// バイタルを記録 / record a reading
    Add(Box<VitalsAddArgs>),
    /// 測定機器の CSV から取り込む。--yes がなければ内容を表示するだけ / read a measuring device's CSV; without --yes, only show what would be added
    Import(VitalsImportArgs),
    /// 緊急域のバイタルを確認した / acknowledge a reading past the urgent band (確認)
    Ack(AckArgs),
}

#[derive(Debug, Args)]
pub struct VitalsAddArgs {
    pub team: String,
    /// 血圧 上/下 mmHg, e.g. 132/84
    #[arg(long)]
    pub bp: Option<String>,
    /// 脈拍 回/分
    #[arg(long)]
    pub pulse: Option<String>,
    /// 体温 ℃
    #[arg(long)]
    pub temp: Option<String>,
    /// SpO2 %
    #[arg(long)]
    pub spo2: Option<String>,
    /// 酸素 L/分 (0 = 室内気)
    #[arg(long)]
    pub oxygen: Option<String>,
    /// 呼吸数 回/分
    #[arg(long)]
    pub resp: Option<String>,
    /// 体重 kg
    #[arg(long)]
    pub weight: Option<String>,
    /// 血糖値 mg/dL, or HI / LO
    #[arg(long)]
    pub glucose: Option<String>,
    /// 痛み NRS 0-10
    #[arg(long)]
    pub pain: Option<String>,
    /// 意識レベル JCS: 0, I-1 … III-300
    #[arg(long)]
    pub jcs: Option<String>,
    /// メモ / a free note
    #[arg(long)]
    pub note: Option<String>,
    /// 測定日時 (JST): "2026-11-24 14:05" or "14:05" today; default now
    #[arg(long)]
    pub taken: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// タスクを追加 / add a task
    Add(TaskAddArgs),
    /// 完了にする / mark done
    Done(TaskIdArgs),
    /// 中止にする / cancel
    Cancel(TaskIdArgs),
    /// 未完了に戻す / reopen
    Reopen(TaskIdArgs),
    /// 担当を変える / give the task to someone else
    Assign(TaskAssignArgs),
}

#[derive(Debug, Args)]
pub struct TaskAssignArgs {
    pub team: String,
    /// タスク ID / task id (prefix)
    pub task: String,
    /// 担当: a profession (nurse, 看護師 …) or a member's name or id; omit for nobody
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct TaskAddArgs {
    pub team: String,
    #[arg(long)]
    pub title: String,
    /// 期限 / due date
    #[arg(long)]
    pub due: Option<String>,
    /// 担当: a profession (nurse, 看護師 …) or a member's name or id
    #[arg(long)]
    pub assignee: Option<String>,
    /// low | normal | high
    #[arg(long, default_value = "normal")]
    pub priority: String,
}

#[derive(Debug, Args)]
pub struct TaskIdArgs {
    pub team: String,
    /// タスク ID / task id (prefix)
    pub task: String,
}

#[derive(Debug, Subcommand)]
pub enum MedCommand {
    /// 薬を追加 / add a medication
    Add(MedAddArgs),
    /// 薬を中止（中止日と理由を記録）/ stop a medication on a date, with the reason
    Stop(MedStopArgs),
    /// 用量・用法を変更（新しい版として記録）/ change dose or schedule: a new revision
    Change(MedChangeArgs),
}

#[derive(Debug, Args)]
pub struct MedChangeArgs {
    pub team: String,
    /// 薬 ID / medication id (prefix)
    pub med: String,
    #[arg(long)]
    pub dose: Option<String>,
    #[arg(long)]
    pub schedule: Option<String>,
    #[arg(long)]
    pub prescriber: Option<String>,
}

#[derive(Debug, Args)]
pub struct MedAddArgs {
    pub team: String,
    /// 薬剤名 / drug name
    #[arg(long)]
    pub name: String,
    /// 用量 / dose, e.g. 1回1錠
    #[arg(long)]
    pub dose: String,
    /// 用法 / schedule, e.g. 1日2回 朝夕食後
    #[arg(long)]
    pub schedule: String,
    #[arg(long)]
    pub prescriber: Option<String>,
    #[arg(long)]
    pub start: Option<String>,
}

#[derive(Debug, Args)]
pub struct MedStopArgs {
    pub team: String,
    /// 薬 ID / medication id (prefix)
    pub med: String,
    /// 中止日 / stop date; default today
    #[arg(long)]
    pub on: Option<String>,
    /// 中止理由 / why it was stopped
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// 連絡先を連絡順の最後に追加 / add a contact at the end of the calling order
    Add(ContactAddArgs),
    /// 連絡先を変更（N は連絡順、1 から）/ change contact N (calling order, from 1)
    Edit(ContactEditArgs),
    /// 連絡先を削除 / remove contact N
    Remove(ContactIndexArgs),
    /// 連絡順を並べ替え（例: 2,1,3）/ new calling order, e.g. 2,1,3 (every contact once)
    Order(ContactOrderArgs),
}

#[derive(Debug, Args)]
pub struct ContactEditArgs {
    pub team: String,
    /// 連絡順 / position in the calling order, from 1
    pub n: usize,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub kana: Option<String>,
    #[arg(long)]
    pub relation: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// キーパーソン / key person: true or false
    #[arg(long)]
    pub key_person: Option<bool>,
}

#[derive(Debug, Args)]
pub struct ContactIndexArgs {
    pub team: String,
    /// 連絡順 / position in the calling order, from 1
    pub n: usize,
}

#[derive(Debug, Args)]
pub struct ContactOrderArgs {
    pub team: String,
    /// 新しい連絡順: 今の番号をカンマ区切りで / the current positions in the new order
    #[arg(value_delimiter = ',', required = true)]
    pub order: Vec<usize>,
}

#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// 基本情報を変更（指定した項目だけ）/ change the details given; the others stay
    Edit(Box<PatientEditArgs>),
}

/// Each flag sets one field; `""` clears it. Lists (`--diagnosis`,
/// `--service`, ...) replace the whole list when given.
#[derive(Debug, Args)]
pub struct PatientEditArgs {
    pub team: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub kana: Option<String>,
    #[arg(long)]
    pub born: Option<String>,
    /// female | male | other
    #[arg(long)]
    pub sex: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// 要介護度: care-3, 要介護3 …
    #[arg(long)]
    pub care_level: Option<String>,
    /// 認定有効期間の開始 / certified from
    #[arg(long)]
    pub certified_from: Option<String>,
    /// 認定有効期間の終了 / certified until
    #[arg(long)]
    pub certified_until: Option<String>,
    /// medical (医療保険) | ltc (介護保険)
    #[arg(long)]
    pub insurance: Option<String>,
    /// 被保険者番号
    #[arg(long)]
    pub insurance_number: Option<String>,
    /// 主治医の氏名 / the attending doctor
    #[arg(long)]
    pub doctor: Option<String>,
    #[arg(long)]
    pub doctor_phone: Option<String>,
    #[arg(long)]
    pub doctor_fax: Option<String>,
    /// 担当ケアマネジャー / the care manager
    #[arg(long)]
    pub care_manager: Option<String>,
    #[arg(long)]
    pub care_manager_phone: Option<String>,
    #[arg(long)]
    pub care_manager_fax: Option<String>,
    /// 診断名、ICD-10 は「:」の後に: "慢性心不全:I50.9" (repeat)
    #[arg(long)]
    pub diagnosis: Vec<String>,
    /// 利用中のサービス (repeat)
    #[arg(long)]
    pub service: Vec<String>,
    /// アレルギー (repeat)
    #[arg(long)]
    pub allergy: Vec<String>,
    /// 問題点 (repeat)
    #[arg(long)]
    pub problem: Vec<String>,
    /// 急変時の希望（本人の言葉で）/ wishes in an emergency
    #[arg(long)]
    pub acp: Option<String>,
    /// dnar | full | undecided
    #[arg(long)]
    pub resuscitation: Option<String>,
    /// 希望する病院 / hospital of choice
    #[arg(long)]
    pub acp_hospital: Option<String>,
    /// 人生会議の日 / when the ACP was discussed
    #[arg(long)]
    pub acp_discussed_on: Option<String>,
    /// 話し合った相手 / with whom
    #[arg(long)]
    pub acp_discussed_with: Option<String>,
}

#[derive(Debug, Args)]
pub struct ThresholdsArgs {
    pub team: String,
    /// SpO2 スケール2 (目標 88-92%) / SpO2 scale 2: on or off
    #[arg(long, value_parser = ["on", "off"])]
    pub scale2: Option<String>,
    /// 帯を変更: spo2.urgent_below=90, pulse.attention_above=100, pain.urgent_above= (clears) (repeat)
    #[arg(long, value_name = "FIELD.LIMIT=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    pub team: String,
    /// hospital (入院) | facility (施設入所) | death (死亡・看取り) | moved (転居) | other
    #[arg(long)]
    pub reason: String,
    /// 利用終了日 / the day care ended; default today
    #[arg(long)]
    pub on: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// 予定を追加: 毎週（--weekly tue）か一回（--on DATE）/ add a weekly (--weekly) or a single (--on) visit
    Add(PlanAddArgs),
    /// その日の訪問予定（全利用者）/ the planned visits of a day across every patient
    List(PlanListArgs),
    /// 予定を今日で終える / end a plan from today
    Stop(PlanStopArgs),
}

#[derive(Debug, Args)]
pub struct PlanAddArgs {
    pub team: String,
    /// 曜日: mon..sun または 月..日 / weekday for a weekly plan
    #[arg(long, conflicts_with = "on")]
    pub weekly: Option<String>,
    /// 日付（一回の訪問、または毎週の開始日）/ the day, or the first day of a weekly plan; default today
    #[arg(long)]
    pub on: Option<String>,
    /// 開始 HH:MM
    #[arg(long)]
    pub start: String,
    /// 終了 HH:MM
    #[arg(long)]
    pub end: String,
    /// 誰が行くか: 職種か氏名 / who goes: a profession or a member's name
    #[arg(long)]
    pub who: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanListArgs {
    /// 日付 / the day; default today
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanStopArgs {
    pub team: String,
    /// 予定 ID / plan id (prefix)
    pub plan: String,
}

#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// 不在（訪問したが会えなかった）を記録 / record that the patient was not at home
    Absent(VisitAbsentArgs),
    /// 訪問を記録（種類、ソフトサイン） / record a visit (kind, soft signs); readings and notes go with `vitals add` / `note add`
    Done(Box<VisitDoneArgs>),
}

#[derive(Debug, Args)]
pub struct VisitDoneArgs {
    pub team: String,
    /// `plan list` の予定 / the planned visit it fulfils
    #[arg(long)]
    pub planned: Option<String>,
    /// regular (定期) | urgent (緊急) | extra (臨時)
    #[arg(long, default_value = "extra")]
    pub kind: String,
    /// listless (元気がない) | appetite (食欲低下) | unusual (いつもと違う); repeat for several
    #[arg(long = "soft-sign", value_name = "SIGN")]
    pub soft_signs: Vec<String>,
    /// 排便回数 / bowel movements
    #[arg(long, default_value = "")]
    pub bowel: String,
    /// 便の性状（ブリストル 1–7） / stool, Bristol scale 1–7
    #[arg(long, default_value = "")]
    pub bristol: String,
    /// 排尿回数 / times passed urine
    #[arg(long, default_value = "")]
    pub urine: String,
    /// 食事摂取量（割、0–10） / food eaten, tenths
    #[arg(long, default_value = "")]
    pub food: String,
    /// 水分摂取量（mL） / fluid, mL
    #[arg(long, default_value = "")]
    pub fluid: String,
    /// good (良眠) | interrupted (中途覚醒あり) | poor (不眠)
    #[arg(long, default_value = "")]
    pub sleep: String,
    /// none | mild | moderate | severe (浮腫)
    #[arg(long, default_value = "")]
    pub edema: String,
    /// 皮膚状態 / the skin, in a few words
    #[arg(long, default_value = "")]
    pub skin: String,
    /// 寝たきり度: 自立, J1 … C2
    #[arg(long, default_value = "")]
    pub bedridden: String,
    /// 認知症の自立度: 自立, I, IIa … M
    #[arg(long, default_value = "")]
    pub dementia: String,
}

#[derive(Debug, Args)]
pub struct VisitAbsentArgs {
    pub team: String,
    /// `plan list` の予定 / the planned visit, as `plan list` shows it
    #[arg(long)]
    pub planned: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// ひらがな・カタカナ・半角も同じ / kana in either script or width alike
    pub query: String,
}

#[derive(Debug, Args)]
pub struct SettleArgs {
    pub team: String,
    /// `tsunagi conflicts` の field: tasks.<id>.status
    #[arg(long)]
    pub field: String,
    /// 選ぶ値の番号（conflicts の表示順、1 から）/ which value, as `conflicts` lists them, from 1
    #[arg(long)]
    pub choose: usize,
}

#[derive(Debug, Args)]
pub struct ContactAddArgs {
    pub team: String,
    #[arg(long)]
    pub name: String,
    /// 続柄など / relation: 長女, 甥, 民生委員 …
    #[arg(long)]
    pub relation: String,
    #[arg(long)]
    pub phone: String,
    /// キーパーソン / the key person
    #[arg(long)]
    pub key_person: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    pub team: String,
    /// 記録・バイタル・タスク・薬・メンバーの ID、または patient / entry id (prefix), or `patient`
    pub entry: String,
}
