//! The sheets partners read on paper and FAX (`tsunagi print`), and the
//! kept drafts of their free text (`tsunagi draft`). Printing is in the
//! access log, like an export.

use std::collections::BTreeMap;

use anyhow::{bail, Context as _, Result};
use care_model::TeamId;
use care_sheets::{Context, FaxCover, Lang, Sheet, Station, Typesetter};
use care_store::Store;

use crate::cli::{Cli, DraftArgs, PrintArgs};
use crate::{now, open, print_json};

/// The sheet context for this laptop's member now: her station, its
/// 24-hour phone and who is on call, from the rota when she holds one.
fn context(store: &mut Store, lang: Lang, wareki: bool, fax: Option<FaxCover>) -> Result<Context> {
    let at = now();
    let (phone, on_call) = store.duty_now(at)?;
    let profile = store.device().profile.clone();
    Ok(Context {
        now: at,
        lang,
        wareki,
        station: Some(Station::of(&profile, phone, on_call)),
        made_by: Some(profile.name.clone()),
        fax,
    })
}

fn sheet_of(kind: &str, month: Option<&str>) -> Result<Sheet> {
    Ok(Sheet::parse(kind, month, now().date_jst())?)
}

pub fn print(cli: &Cli, a: &PrintArgs) -> Result<()> {
    let sheet = sheet_of(&a.sheet, a.month.as_deref())?;
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let profile = store.device().profile.clone();
    let fax = a
        .fax_to
        .as_ref()
        .map(|to| FaxCover::from_profile(&profile, to, a.fax_number.clone(), a.fax_note.clone()));
    let lang = if a.english { Lang::En } else { Lang::Ja };
    let ctx = context(&mut store, lang, a.wareki, fax)?;
    let pdf = render(&mut store, team, sheet, &ctx)?;
    std::fs::write(&a.output, &pdf)
        .with_context(|| format!("{} に書けません / cannot write it", a.output.display()))?;
    store.audit("print", Some(team), None, ctx.now)?;
    eprintln!("PDF を書き出しました / written: {}", a.output.display());
    Ok(())
}

/// The sheet for `team` as a PDF.
fn render(store: &mut Store, team: TeamId, sheet: Sheet, ctx: &Context) -> Result<Vec<u8>> {
    let data = sheet.data_for(store.record(team)?, ctx)?;
    Ok(Typesetter::system()?.pdf(&data)?)
}

pub fn draft(cli: &Cli, a: &DraftArgs) -> Result<()> {
    let sheet = sheet_of(&a.sheet, a.month.as_deref())?;
    let Some(key) = sheet.draft_key() else {
        bail!("急変時対応シートは記録から作られ、下書きはありません / the emergency sheet is made from the record and has no draft");
    };
    let mut edits = BTreeMap::new();
    for s in &a.set {
        let (field, text) = s
            .split_once('=')
            .with_context(|| format!("--set は FIELD=TEXT で / give --set as FIELD=TEXT: `{s}`"))?;
        edits.insert(field.trim().to_string(), text.replace("\\n", "\n"));
    }
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    if !edits.is_empty() {
        store.change(team, "draft.save", now(), |tx| tx.save_draft(key, &edits))?;
        eprintln!("下書きを保存しました / draft saved");
    }
    let doc = store.record(team)?;
    let kept = doc.draft(key)?;
    let text = sheet.text(&doc.read()?, &kept, now());
    if cli.json {
        print_json(serde_json::json!({ "sheet": key.to_string(), "fields": text, "saved": kept.by.is_some() }));
    } else {
        for field in key.fields() {
            println!("[{field}]\n{}\n", text.get(*field).map(String::as_str).unwrap_or(""));
        }
    }
    Ok(())
}
