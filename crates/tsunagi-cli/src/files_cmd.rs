//! `tsunagi attach` and `tsunagi attachment list|get`: photos and scans on
//! a record, for scripting (the app's record, wound and note screens do the
//! same).

use anyhow::{bail, Context, Result};
use care_model::AttachedTo;
use care_store::FileToAttach;
use serde_json::json;

use crate::cli::{AttachArgs, AttachmentCommand};
use crate::{now, open, print_json, saved, Cli};

pub fn attach(cli: &Cli, a: &AttachArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("{} を読めません / cannot read it", a.file.display()))?;
    let prepared = care_files::prepare(&bytes)?;
    let record = store.record(team)?.read()?;
    let (to, entry, assessment) = match (&a.note, &a.wound) {
        (Some(n), _) => (
            AttachedTo::Note,
            Some(crate::entry(&record.notes, n, "記録 / note")?),
            None,
        ),
        (_, Some(w)) => {
            let id = crate::entry(&record.wounds, w, "創傷 / wound")?;
            let wound = &record.wounds[&id.to_string()];
            let assessment = match &a.assessment {
                Some(p) => Some(crate::entry(&wound.assessments, p, "評価 / assessment")?),
                None => wound.in_order().last().map(|(id, _)| id.parse()).transpose()?,
            };
            (AttachedTo::Wound, Some(id), assessment)
        }
        _ => (AttachedTo::Profile, None, None),
    };
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    let id = store.attach(
        team,
        FileToAttach {
            name,
            prepared,
            to,
            entry,
            assessment,
            caption: a.caption.clone(),
        },
        now(),
    )?;
    saved(cli, "attachment", id, team);
    Ok(())
}

pub fn attachment(cli: &Cli, c: &AttachmentCommand) -> Result<()> {
    let mut store = open(cli)?;
    match c {
        AttachmentCommand::List(a) => {
            let team = store.resolve_team(&a.team)?;
            let record = store.record(team)?.read()?;
            let mut rows = Vec::new();
            for (id, x) in &record.attachments {
                let have_file = store.open_file(team, &x.file)?.is_some();
                let have_thumb = match &x.thumb {
                    Some(t) => store.open_file(team, t)?.is_some(),
                    None => false,
                };
                rows.push((id, x, have_file, have_thumb));
            }
            if cli.json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(id, x, file, thumb)| {
                        json!({
                            "id": id, "name": x.name, "mime": x.mime, "size": x.file.size,
                            "hash": x.file.address, "thumb_hash": x.thumb.as_ref().map(|t| &t.address),
                            "to": x.to.code(), "entry": x.entry, "assessment": x.assessment,
                            "caption": x.caption, "by": record.member_name(&x.by), "at": x.at,
                            "width": x.width, "height": x.height,
                            "here": { "file": file, "thumb": thumb },
                        })
                    })
                    .collect();
                print_json(json!({ "attachments": list }));
            } else {
                for (id, x, file, _) in rows {
                    println!(
                        "{}  {}  {} ({:.1} MB)  {}{}  {}{}",
                        &id[..8],
                        x.at.format_ja(),
                        x.name,
                        x.file.size as f64 / 1_048_576.0,
                        x.to.label_ja(),
                        x.entry
                            .as_deref()
                            .map(|e| format!(" {}", &e[..8.min(e.len())]))
                            .unwrap_or_default(),
                        record.member_name(&x.by).unwrap_or("?"),
                        if file { "" } else { "  [未取得 / not on this laptop]" },
                    );
                }
            }
        }
        AttachmentCommand::Get(a) => {
            let team = store.resolve_team(&a.team)?;
            let record = store.record(team)?.read()?;
            let p = a.id.trim().to_ascii_lowercase();
            let found: Vec<_> = record
                .attachments
                .iter()
                .filter(|(id, x)| !p.is_empty() && (id.starts_with(&p) || x.file.address.starts_with(&p)))
                .take(2)
                .collect();
            let (id, x) = match found.as_slice() {
                [one] => *one,
                [] => bail!("添付「{}」が見つかりません / no attachment matches \"{}\"", a.id, a.id),
                _ => bail!(
                    "「{}」に当てはまる添付が複数あります / \"{}\" matches more than one attachment",
                    a.id,
                    a.id
                ),
            };
            let blob = if a.thumb {
                x.thumb
                    .clone()
                    .context("この添付にはサムネイルがありません / this attachment has no thumbnail")?
            } else {
                x.file.clone()
            };
            let id = id.clone();
            let file = crate::sync_cmd::runtime()?
                .block_on(sync_client::open_file(&mut store, team, &blob, now()))?
                .context("中継サーバーにまだ届いていません（添付した端末が同期すると届きます） / the relay does not have this file yet: it arrives when the laptop that attached it syncs")?;
            std::fs::write(&a.output, &file)
                .with_context(|| format!("{} に書けません / cannot write it", a.output.display()))?;
            store.audit("export", Some(team), Some(&id), now())?;
            if cli.json {
                print_json(json!({ "written": a.output, "bytes": file.len(), "id": id }));
            } else {
                eprintln!(
                    "{} に書き出しました（{} バイト） / written",
                    a.output.display(),
                    file.len()
                );
            }
        }
    }
    Ok(())
}
