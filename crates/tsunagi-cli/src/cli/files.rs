//! Arguments of `tsunagi attach` and `tsunagi attachment`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(false))]
pub struct AttachArgs {
    pub team: String,
    /// 写真（JPEG・PNG）か PDF、10 MB まで。位置情報などは取り除いて保存します / a photo (JPEG, PNG) or PDF up to 10 MB; location and other metadata are stripped
    pub file: PathBuf,
    /// 経過記録に添付（ID の先頭数文字で可） / attach to this note (a unique id prefix will do)
    #[arg(long, group = "target")]
    pub note: Option<String>,
    /// 創傷に添付 / attach to this wound
    #[arg(long, group = "target")]
    pub wound: Option<String>,
    /// その創傷の評価（既定は最新の評価。--wound と） / the wound's assessment (default: the latest; with --wound)
    #[arg(long, requires = "wound")]
    pub assessment: Option<String>,
    /// 説明（全体、近接など） / a caption (全体, 近接 …)
    #[arg(long)]
    pub caption: Option<String>,
}

/// Files attached to a record.
#[derive(Debug, clap::Subcommand)]
pub enum AttachmentCommand {
    /// 添付ファイルの一覧 / the attached files
    List(AttachmentListArgs),
    /// 添付ファイルを取り出す（未取得なら中継サーバーから。監査ログに残ります） / write an attached file out (fetched from the relay if needed; logged in the access log)
    Get(AttachmentGetArgs),
}

#[derive(Debug, Args)]
pub struct AttachmentListArgs {
    pub team: String,
}

#[derive(Debug, Args)]
pub struct AttachmentGetArgs {
    pub team: String,
    /// 添付 ID かファイルのハッシュ（先頭数文字で可） / the attachment's id or its file's hash (a unique prefix will do)
    pub id: String,
    /// 書き出すファイル / where to write it
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// サムネイルを書き出す / write the thumbnail instead
    #[arg(long)]
    pub thumb: bool,
}
