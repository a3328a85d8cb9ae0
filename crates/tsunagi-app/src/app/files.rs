//! Photos and scans on the record: attached from a file or the camera
//! (made safe by care-files, sealed and kept by care-store, sent with the
//! next sync), shown as thumbnails, opened whole on demand.

use base64::Engine;
use care_model::{AttachedTo, TeamId};
use care_store::{FileToAttach, Store};

use super::{now, parse_entry, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::{name_of, AttachmentView, OpenedFile};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

impl From<care_files::FileError> for AppError {
    fn from(e: care_files::FileError) -> Self {
        AppError::new("invalid", e)
    }
}

/// Where a file goes: `to` and the note or wound (and assessment).
pub struct Target {
    pub to: String,
    pub entry: Option<String>,
    pub assessment: Option<String>,
}

impl App {
    /// Attaches a file the window read (base64); the attachment's id.
    pub fn attach_file(
        &self,
        team: &str,
        target: Target,
        caption: Option<String>,
        name: &str,
        data: &str,
    ) -> AppResult<String> {
        let bytes = B64
            .decode(data.trim())
            .map_err(|_| AppError::new("invalid", "ファイルを読み込めません / the file could not be read"))?;
        let prepared = care_files::prepare(&bytes)?;
        let to: AttachedTo = target.to.parse()?;
        let entry = target.entry.as_deref().map(parse_entry).transpose()?;
        let assessment = target.assessment.as_deref().map(parse_entry).transpose()?;
        let file = FileToAttach {
            name: name.to_string(),
            prepared,
            to,
            entry,
            assessment,
            caption,
        };
        let team_id = parse_team(team)?;
        // Family attach only to their own notes, as they write.
        let id = self.with(|store| {
            if store.joined_as_family(team_id)? && to != AttachedTo::Note {
                return Err(AppError::new(
                    "family",
                    "家族として参加しているため、添付できるのはご自身の記録にだけです / as family you can attach only to your own notes",
                ));
            }
            Ok(store.attach(team_id, file, now())?)
        })?;
        self.nudge.notify_one();
        Ok(id.to_string())
    }

    /// The record's attached files, oldest first, with the thumbnails this
    /// laptop has.
    pub fn attachments(&self, team: &str) -> AppResult<Vec<AttachmentView>> {
        let team = parse_team(team)?;
        self.with(|store| attachment_views(store, team))
    }

    /// A whole file: from this laptop, or fetched from the relay now.
    pub async fn open_attachment(&self, team: &str, id: &str) -> AppResult<OpenedFile> {
        let team_id = parse_team(team)?;
        let (attachment, local) = self.with(|store| {
            let a = store
                .record(team_id)?
                .attachments()?
                .remove(id)
                .ok_or_else(|| AppError::new("not-found", "添付が見つかりません / no such attachment"))?;
            let local = store.open_file(team_id, &a.file)?;
            store.audit("open", Some(team_id), Some(id), now())?;
            Ok((a, local))
        })?;
        let bytes = match local {
            Some(b) => b,
            None => {
                let mut store = self.own_store()?;
                sync_client::open_file(&mut store, team_id, &attachment.file, now())
                    .await?
                    .ok_or_else(|| {
                        AppError::new(
                            "relay",
                            "まだ中継サーバーに届いていません（添付した端末が同期すると届きます） / not at the relay yet: it arrives when the laptop that attached it syncs",
                        )
                    })?
            }
        };
        Ok(OpenedFile {
            data_url: format!("data:{};base64,{}", attachment.mime, B64.encode(&bytes)),
            name: attachment.name,
            mime: attachment.mime,
        })
    }
}

fn attachment_views(store: &mut Store, team: TeamId) -> AppResult<Vec<AttachmentView>> {
    let record = store.record(team)?.read()?;
    let mut list: Vec<(&String, &care_model::Attachment)> = record.attachments.iter().collect();
    list.sort_by_key(|(id, a)| (a.at, *id));
    let mut out = Vec::with_capacity(list.len());
    for (id, a) in list {
        let thumb = match &a.thumb {
            Some(t) => store.open_file(team, t)?,
            None => None,
        };
        out.push(AttachmentView {
            id: id.clone(),
            name: a.name.clone(),
            mime: a.mime.clone(),
            size: a.file.size.min(u64::from(u32::MAX)) as u32,
            to: a.to.code().into(),
            entry: a.entry.clone(),
            assessment: a.assessment.clone(),
            caption: a.caption.clone(),
            by: name_of(&record, &a.by),
            at: crate::views::ms(a.at),
            thumb_coming: a.thumb.is_some() && thumb.is_none(),
            thumb: thumb.map(|t| format!("data:image/jpeg;base64,{}", B64.encode(t))),
            here: store.missing_blobs(team, [a.file.address.as_str()])?.is_empty(),
        });
    }
    Ok(out)
}
