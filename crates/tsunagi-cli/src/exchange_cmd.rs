//! Handing the record over (FHIR R4, CSV for Excel, the automerge document)
//! and taking a FHIR Bundle in, with a preview first. Every export is in
//! the access log.

use std::io::Write;

use anyhow::{bail, Context, Result};
use care_model::Patient;

use crate::cli::{Cli, ExportArgs, ImportArgs, VitalsImportArgs};
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

/// Readings from a device's CSV: each line's fate (new, already there,
/// refused and why) with the reading's flags; with `--yes`, the new ones in
/// one change.
pub fn vitals_import(cli: &Cli, a: &VitalsImportArgs) -> Result<()> {
    use care_exchange::devices::{parse_mapping, read, Outcome};
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("{} を読めません / cannot read it", a.file.display()))?;
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let mapping = a.columns.as_deref().map(parse_mapping).transpose()?;
    let rows = read(&bytes, a.preset.as_deref(), mapping.as_deref(), &record, now())?;
    let new: Vec<care_model::VitalSigns> = rows
        .iter()
        .filter(|r| r.outcome == Outcome::New)
        .filter_map(|r| r.reading.clone())
        .collect();
    if cli.json && !a.yes {
        print_json(serde_json::to_value(&rows)?);
        return Ok(());
    }
    if !a.yes || !cli.json {
        for r in &rows {
            let what = match (&r.outcome, &r.reading) {
                (Outcome::Refused { reason }, _) => format!("取り込めません / refused: {reason}"),
                (Outcome::AlreadyThere, _) => "記録済み（飛ばします） / already in the record, skipped".to_string(),
                (Outcome::New, Some(v)) => {
                    let flags: Vec<String> = record.thresholds.assess(v).iter().map(|f| f.to_string()).collect();
                    format!("{}  {}", v.taken_at.format_ja(), flags.join("、"))
                }
                (Outcome::New, None) => String::new(),
            };
            println!("{:>4}行目 / line {}: {what}", r.line, r.line);
        }
    }
    if !a.yes {
        eprintln!(
            "新しい測定 {} 件。取り込むには --yes を付けてください / {} new readings: add --yes to import them",
            new.len(),
            new.len()
        );
        return Ok(());
    }
    if new.is_empty() {
        eprintln!("追加するものはありません / nothing to add");
        return Ok(());
    }
    store.change(team, "vitals.import", now(), |tx| {
        for v in &new {
            tx.add_vitals(v.clone())?;
        }
        Ok(())
    })?;
    if cli.json {
        print_json(serde_json::json!({ "imported": new.len(), "team": team.to_string() }));
    } else {
        eprintln!("{} 件を取り込みました / imported {} readings", new.len(), new.len());
    }
    Ok(())
}
