//! Visit plans and the visits made against them: weekly patterns and dated
//! visits on the record, 不在 in one click from Today.

use care_model::{CalendarDate, NewPlan, NewVisit, VisitKind, VisitOutcome};

use super::{now, opt, parse_entry, App};
use crate::error::AppResult;
use crate::views::*;

impl App {
    /// The patient was not at home: recorded against the planned visit,
    /// which then is neither due nor missed.
    pub fn absent(&self, team: &str, planned: Option<String>) -> AppResult<()> {
        let at = now();
        let visit = NewVisit {
            planned: opt(&planned),
            kind: VisitKind::Regular,
            outcome: VisitOutcome::Absent,
            start: at,
            end: None,
            soft_signs: Vec::new(),
            observations: None,
        };
        self.edit(team, "visit.absent", |tx| tx.add_visit(visit).map(|_| ()))
    }

    pub fn add_plan(&self, team: &str, plan: &PlanInput) -> AppResult<String> {
        let from = match opt(&plan.date) {
            Some(d) => CalendarDate::parse("from", &d)?,
            None => now().date_jst(),
        };
        let plan = NewPlan {
            weekday: plan.weekday,
            from,
            until: None,
            start: plan.start.clone(),
            end: plan.end.clone(),
            who: parse_assignee(&plan.who)?,
        };
        Ok(self.edit(team, "plan.add", |tx| tx.add_plan(plan))?.to_string())
    }

    /// Ends a plan from today: earlier visits stay as they were.
    pub fn stop_plan(&self, team: &str, plan: &str) -> AppResult<()> {
        let plan = parse_entry(plan)?;
        let today = now().date_jst();
        self.edit(team, "plan.stop", |tx| tx.stop_plan(plan, today))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, patient};
    use crate::views::*;

    fn visit(team: &str, planned: Option<String>, start: Option<&str>) -> VisitInput {
        VisitInput {
            team: team.into(),
            vitals: care_model::VitalsForm {
                spo2: Some("96".into()),
                ..Default::default()
            },
            note: None,
            done_tasks: vec![],
            soft_signs: vec![],
            observations: Default::default(),
            planned,
            kind: "regular".into(),
            start: start.map(String::from),
            end: None,
        }
    }

    #[test]
    fn today_lists_my_planned_visits_and_a_recorded_or_absent_one_is_no_longer_due() {
        let (_dir, app) = app();
        let a = app.create_team(&patient()).unwrap();
        let b = app
            .create_team(&PatientInput {
                name: "高橋 ハル".into(),
                ..patient()
            })
            .unwrap();
        let weekday = chrono::Datelike::weekday(&super::now().date_jst().0).number_from_monday() as u8;
        let me = format!("member:{}", app.profile().unwrap().unwrap().member);
        for (team, start, who) in [
            (&a, "14:00", Some(me.clone())),
            (&b, "09:30", Some("profession:doctor".into())),
        ] {
            app.add_plan(
                team,
                &PlanInput {
                    weekday: Some(weekday),
                    date: None,
                    start: start.into(),
                    end: "23:59".into(),
                    who,
                },
            )
            .unwrap();
        }
        let today = app.today().unwrap();
        assert_eq!(today.visits.len(), 2);
        assert_eq!(today.visits[0].start, "09:30", "in order of time");
        let mine: Vec<_> = today.visits.iter().filter(|v| v.mine).collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].patient, "鈴木 正雄");
        assert!(today.visits.iter().all(|v| v.outcome.is_none() && !v.missed));

        // A's visit is recorded against the plan, stamped with the arrival typed;
        // B's patient was not at home.
        app.save_visit(&visit(&a, Some(mine[0].occurrence.clone()), Some("00:00")))
            .unwrap();
        let other = today.visits.iter().find(|v| !v.mine).unwrap();
        app.absent(&b, Some(other.occurrence.clone())).unwrap();
        let today = app.today().unwrap();
        let outcomes: Vec<_> = today.visits.iter().map(|v| v.outcome.as_deref()).collect();
        assert!(
            outcomes.contains(&Some("done")) && outcomes.contains(&Some("absent")),
            "{outcomes:?}"
        );
        let record = app.record(&a, 20, None).unwrap();
        assert_eq!(record.visits.len(), 1);
        let arrival = record.visits[0].start;
        assert_eq!(
            record.vitals[0].taken_at, arrival,
            "readings are stamped with the arrival"
        );
        assert!(arrival <= super::now().0);
        let e = app.save_visit(&VisitInput {
            kind: "house-call".into(),
            ..visit(&a, None, None)
        });
        assert_eq!(e.unwrap_err().field.as_deref(), Some("kind"));
    }
}
