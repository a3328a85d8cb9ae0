//! Visit plans from the command line: weekly patterns and dated visits, a
//! day's planned visits across every patient (visited, absent, missed), and
//! 不在.

use anyhow::{bail, Result};
use care_model::*;
use serde_json::json;

use crate::cli::*;
use crate::{assignee, entry, now, open, print_json, saved};

pub(crate) fn weekday(s: &str) -> Result<u8> {
    let days = [
        ["mon", "月"],
        ["tue", "火"],
        ["wed", "水"],
        ["thu", "木"],
        ["fri", "金"],
        ["sat", "土"],
        ["sun", "日"],
    ];
    let t = s.trim().to_lowercase();
    match days
        .iter()
        .position(|[en, ja]| t.starts_with(en) || t.trim_end_matches("曜日").trim_end_matches('曜') == *ja)
    {
        Some(i) => Ok(i as u8 + 1),
        None => {
            bail!("曜日「{s}」は読めません。mon..sun または 月..日 / cannot read weekday \"{s}\": mon..sun or 月..日")
        }
    }
}

pub fn add(cli: &Cli, a: &PlanAddArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let record = store.record(team)?.read()?;
    let plan = NewPlan {
        weekday: a.weekly.as_deref().map(weekday).transpose()?,
        from: match &a.on {
            Some(d) => CalendarDate::parse("from", d)?,
            None => now().date_jst(),
        },
        until: None,
        start: a.start.clone(),
        end: a.end.clone(),
        who: a.who.as_deref().map(|w| assignee(&record, w)).transpose()?,
    };
    let id = store.change(team, "plan.add", now(), |tx| tx.add_plan(plan))?;
    saved(cli, "plan", id, team);
    Ok(())
}

pub fn list(cli: &Cli, a: &PlanListArgs) -> Result<()> {
    let mut store = open(cli)?;
    let date = match &a.date {
        Some(d) => CalendarDate::parse("date", d)?,
        None => now().date_jst(),
    };
    let mut rows = Vec::new();
    for t in store.patient_teams()? {
        let record = match store.record(t.team) {
            Ok(r) => r.read()?,
            Err(care_store::StoreError::NotYetReceived(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        for (o, made) in record.day_plan(date) {
            let who = match o.who {
                Some(Assignee::Member(m)) => record.member_name(&m).unwrap_or("?").to_string(),
                Some(Assignee::Profession(p)) => p.label_ja().to_string(),
                None => String::new(),
            };
            let state = match made {
                Some((_, v)) => v.outcome.code(),
                None if date < now().date_jst() => "missed",
                None => "planned",
            };
            rows.push((
                o.start.clone(),
                o.end.clone(),
                t.patient_name.clone(),
                who,
                state,
                o.id.clone(),
                t.team,
            ));
        }
    }
    rows.sort();
    if cli.json {
        let list: Vec<_> = rows
            .iter()
            .map(|(start, end, patient, who, state, id, team)| {
                json!({ "start": start, "end": end, "patient": patient, "who": who, "state": state,
                        "planned": id, "team": team.to_string() })
            })
            .collect();
        print_json(json!(list));
    } else if rows.is_empty() {
        eprintln!(
            "{} の訪問予定はありません / no planned visits on {}",
            date.format_ja(),
            date.iso()
        );
    } else {
        for (start, end, patient, who, state, id, _) in &rows {
            println!("{start}-{end}  {patient}  {who}  {state}  {id}");
        }
    }
    Ok(())
}

pub fn stop(cli: &Cli, a: &PlanStopArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let id = entry(&store.record(team)?.read()?.plans, &a.plan, "予定 / plan")?;
    let today = now().date_jst();
    store.change(team, "plan.stop", now(), |tx| tx.stop_plan(id, today))?;
    saved(cli, "plan", id, team);
    Ok(())
}

pub fn absent(cli: &Cli, a: &VisitAbsentArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let at = now();
    let visit = NewVisit {
        planned: a.planned.clone(),
        kind: VisitKind::Regular,
        outcome: VisitOutcome::Absent,
        start: at,
        end: None,
        soft_signs: Vec::new(),
        observations: None,
    };
    let id = store.change(team, "visit.absent", at, |tx| tx.add_visit(visit))?;
    saved(cli, "visit", id, team);
    Ok(())
}

pub fn done(cli: &Cli, a: &VisitDoneArgs) -> Result<()> {
    let mut store = open(cli)?;
    let team = store.resolve_team(&a.team)?;
    let at = now();
    let visit = NewVisit {
        planned: a.planned.clone(),
        kind: a.kind.parse()?,
        outcome: VisitOutcome::Done,
        start: at,
        end: None,
        soft_signs: a.soft_signs.iter().map(|s| s.parse()).collect::<Result<_, _>>()?,
        observations: care_model::ObservationForm {
            bowel: a.bowel.clone(),
            bristol: a.bristol.clone(),
            urine: a.urine.clone(),
            food: a.food.clone(),
            fluid: a.fluid.clone(),
            sleep: a.sleep.clone(),
            edema: a.edema.clone(),
            skin: a.skin.clone(),
            bedridden: a.bedridden.clone(),
            dementia: a.dementia.clone(),
        }
        .parse()?,
    };
    let id = store.change(team, "visit", at, |tx| tx.add_visit(visit))?;
    saved(cli, "visit", id, team);
    Ok(())
}
