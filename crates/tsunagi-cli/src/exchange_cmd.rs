//! Handing the record over (FHIR R4, CSV for Excel, the automerge document)
//! and taking a FHIR Bundle in, with a preview first. Every export is in
//! the access log.

use std::io::Write;

use anyhow::{bail, Context, Result};
use care_model::Patient;

use crate::cli::{Cli, ExportArgs, ImportArgs};
use crate::{now, open, print_json, render, saved};

pub fn export(cli: &Cli, a: &ExportArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let bytes = if a.automerge {
        if a.output.is_none() {
            bail!("automerge の文書は -o FILE に書き出してください / give -o FILE for the automerge document");
        }
        store.record(team)?.save()
    } else {
        let record = store.record(team)?.read()?;
        if a.csv {
            care_exchange::table::readings_and_notes(&record)
        } else {
            let bundle = care_exchange::fhir::export(&record, now());
            let mut text = serde_json::to_vec_pretty(&bundle)?;
            text.push(b'\n');
            text
        }
    };
    store.audit("export", Some(team), None, now())?;
    match &a.output {
        Some(path) => {
            std::fs::write(path, bytes)
                .with_context(|| format!("{} に書けません / cannot write it", path.display()))?;
            eprintln!("書き出しました / written: {}", path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// A Bundle read into a new or an existing team: the preview, then (with
/// `--yes`) one change adding what it lists. Nothing is overwritten.
pub fn import(cli: &Cli, a: &ImportArgs) -> Result<()> {
    let bytes =
        std::fs::read(&a.fhir).with_context(|| format!("{} を読めません / cannot read it", a.fhir.display()))?;
    let bundle: serde_json::Value =
        serde_json::from_slice(&bytes).context("JSON として読めません / the file is not JSON")?;
    let incoming = care_exchange::fhir::read(&bundle)?;
    let mut store = open(cli)?;
    let team = a.team.as_deref().map(|t| store.resolve_team(t)).transpose()?;
    let existing = match team {
        Some(t) => Some(store.record(t)?.read()?),
        None => None,
    };
    let plan = care_exchange::fhir::plan(existing.as_ref(), &incoming);
    if !a.yes {
        if cli.json {
            print_json(serde_json::to_value(&plan)?);
        } else {
            render::import_plan(&plan);
            eprintln!("取り込むには --yes を付けてください / add --yes to import this");
        }
        return Ok(());
    }
    if plan.is_empty() {
        eprintln!("追加するものはありません / nothing to add");
        return Ok(());
    }
    let team = match team {
        Some(t) => t,
        None => {
            let name = incoming
                .details
                .name
                .clone()
                .context("Bundle に患者の氏名がありません / the Bundle names no patient")?;
            store.create_team(
                Patient {
                    name,
                    ..Default::default()
                },
                now(),
            )?
        }
    };
    store.change(team, "fhir.import", now(), |tx| care_exchange::fhir::apply(tx, &plan))?;
    saved(cli, "import", team, team);
    Ok(())
}
