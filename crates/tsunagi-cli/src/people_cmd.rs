//! `tsunagi consent`: the patient's consent to share, recorded, withdrawn
//! and listed.

use anyhow::{Context, Result};
use care_model::{CalendarDate, ConsentScope, EntryId, NewConsent};

use crate::cli::{Cli, ConsentArgs};
use crate::{now, open, print_json, saved};

pub fn consent(cli: &Cli, a: &ConsentArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    if let Some(given_on) = &a.given_on {
        let consent = NewConsent {
            given_on: CalendarDate::parse("given_on", given_on)?,
            given_by: a.given_by.clone().unwrap_or_default(),
            obtained_by: a.obtained_by.clone().unwrap_or_default(),
            scope: a
                .scope
                .iter()
                .map(|s| s.parse::<ConsentScope>())
                .collect::<Result<_, _>>()?,
        };
        let id = store.change(team, "consent.record", now(), |tx| tx.record_consent(consent))?;
        saved(cli, "consent", id, team);
        return Ok(());
    }
    if let Some(id) = &a.withdraw {
        let id: EntryId = id
            .parse()
            .ok()
            .with_context(|| format!("同意の ID ではありません / not a consent id: {id}"))?;
        let on = match &a.on {
            Some(d) => CalendarDate::parse("withdrawn_on", d)?,
            None => now().date_jst(),
        };
        store.change(team, "consent.withdraw", now(), |tx| tx.withdraw_consent(id, on))?;
        saved(cli, "consent", id, team);
        return Ok(());
    }
    let record = store.record(team)?.read()?;
    let today = now().date_jst();
    let current = record.consent_on(today).map(|(id, _)| id.to_string());
    if cli.json {
        print_json(serde_json::json!({ "current": current, "consents": record.consents }));
        return Ok(());
    }
    if current.is_none() {
        println!("同意の記録がありません / no consent to share is on record");
    }
    let mut all: Vec<_> = record.consents.iter().collect();
    all.sort_by_key(|(_, c)| std::cmp::Reverse((c.given_on, c.at)));
    for (id, c) in all {
        let scope: Vec<&str> = c.scope.iter().map(|s| s.label_ja()).collect();
        let state = match (c.withdrawn_on, current.as_deref() == Some(id.as_str())) {
            (Some(w), _) => format!("撤回 {}", w.iso()),
            (None, true) => "有効".into(),
            (None, false) => String::new(),
        };
        println!(
            "{id}  {}  {}（取得: {}）  {}  {state}",
            c.given_on.iso(),
            c.given_by,
            c.obtained_by,
            scope.join("・")
        );
    }
    Ok(())
}
