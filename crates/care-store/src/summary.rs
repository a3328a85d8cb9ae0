//! Each record's summary for Today, kept in the file so that starting the
//! app does not load every patient's automerge document (a station of
//! thirty 5-year records took 3 s to show Today; BENCHMARKS.md).
//!
//! A kept summary is used while the team's state is the one it was read
//! from (compaction generation and newest stored change: any new change,
//! local or from the relay, moves it) and it was read from `since` or
//! earlier. It then holds a superset of what is asked, and is cut to
//! `since` on the way out.

use care_model::{Record, TeamId, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Store, StoreError};

impl Store {
    /// What Today shows of `team` (see [`care_model::CareRecord::read_summary`]),
    /// from the kept summary when it is still valid.
    pub fn summary(&mut self, team: TeamId, since: Timestamp) -> Result<Record, StoreError> {
        let state = state_of(&self.conn, team)?;
        let kept: Option<(String, i64, String)> = self
            .conn
            .query_row(
                "SELECT state, since, record FROM summaries WHERE team_id = ?1",
                [team.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((kept_state, kept_since, json)) = kept {
            if kept_state == state && kept_since <= since.0 {
                // Unreadable (written by another version): read afresh.
                if let Ok(mut record) = serde_json::from_str::<Record>(&json) {
                    cut_to(&mut record, since);
                    return Ok(record);
                }
            }
        }
        let record = self.record(team)?.read_summary(since)?;
        let json = serde_json::to_string(&record).expect("records serialise");
        self.conn.execute(
            "INSERT OR REPLACE INTO summaries (team_id, state, since, record) VALUES (?1, ?2, ?3, ?4)",
            params![team.to_string(), state, since.0, json],
        )?;
        Ok(record)
    }
}

/// The team's state: compaction generation and newest stored change.
pub(crate) fn state_of(conn: &Connection, team: TeamId) -> Result<String, StoreError> {
    let (generation, newest): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT generation FROM teams WHERE team_id = ?1),
                (SELECT max(seq) FROM changes WHERE team_id = ?1)",
        [team.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let generation = generation.ok_or_else(|| StoreError::UnknownTeam(team.to_string()))?;
    Ok(format!("{generation}:{}", newest.unwrap_or(0)))
}

/// Readings before `since` go, except the latest one (Today shows it
/// however old it is), as `read_summary(since)` would have read them.
fn cut_to(record: &mut Record, since: Timestamp) {
    let latest = record
        .vitals
        .iter()
        // The first id among equal times, as `read_summary` picks it.
        .max_by(|a, b| a.1.recorded_at.cmp(&b.1.recorded_at).then(b.0.cmp(a.0)))
        .map(|(id, _)| id.clone());
    record
        .vitals
        .retain(|id, e| e.recorded_at >= since || Some(id) == latest.as_ref());
}
