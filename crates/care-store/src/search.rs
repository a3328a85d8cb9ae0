//! Search across every patient on this laptop, as the nurse types: an index
//! of folded text (`care_model::fold`) kept in the file, one row per
//! patient, note, task and medication. A team's rows are rebuilt when its
//! state (compaction generation and newest change) moves, the same rule
//! as the kept summaries; the live sync loop rebuilds them as changes
//! arrive, so a search never waits for years of records to load.

use care_model::{fold, TeamId, Timestamp};
use rusqlite::{params, OptionalExtension};

use crate::summary::state_of;
use crate::{Store, StoreError};

/// Results shown at most, newest first after the patients.
pub const MAX_HITS: usize = 50;

/// One thing found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub team: TeamId,
    pub patient: String,
    /// `patient`, `note`, `task`, `task-closed`, `medication`.
    pub kind: String,
    /// Empty for the patient.
    pub entry: String,
    pub text: String,
    pub at: Option<Timestamp>,
}

impl Store {
    /// Entries whose text contains `query` (folded: kana in either script
    /// or width, full-width letters, spaces ignored), patients first, then
    /// newest first.
    pub fn search(&mut self, query: &str) -> Result<Vec<Hit>, StoreError> {
        let q = fold(query);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        for team in self.team_ids()? {
            self.refresh_search(team)?;
        }
        // `%` and `_` typed by the user are text, not patterns.
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.team_id, t.patient_name, s.kind, s.entry_id, s.text, s.at
             FROM search_entries s JOIN teams t ON t.team_id = s.team_id
             WHERE s.folded LIKE ?1 ESCAPE '\\'
             ORDER BY s.kind = 'patient' DESC, s.at DESC
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![pattern, MAX_HITS as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (team, patient, kind, entry, text, at) = row?;
            hits.push(Hit {
                team: team.parse().map_err(|_| StoreError::Corrupt {
                    path: self.path().to_path_buf(),
                    detail: format!("the search index names team {team}"),
                })?,
                patient,
                kind,
                entry,
                text,
                at: at.map(Timestamp),
            });
        }
        Ok(hits)
    }

    /// Rebuilds `team`'s rows of the search index if its record changed
    /// since they were made; a team whose record has not arrived yet has
    /// none.
    pub fn refresh_search(&mut self, team: TeamId) -> Result<(), StoreError> {
        let state = state_of(&self.conn, team)?;
        let kept: Option<String> = self
            .conn
            .query_row(
                "SELECT state FROM search_state WHERE team_id = ?1",
                [team.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if kept.as_deref() == Some(state.as_str()) {
            return Ok(());
        }
        let entries = match self.record(team) {
            Ok(record) => record.searchable()?,
            Err(StoreError::NotYetReceived(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM search_entries WHERE team_id = ?1", [team.to_string()])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO search_entries (team_id, kind, entry_id, folded, text, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in &entries {
                insert.execute(params![
                    team.to_string(),
                    e.kind,
                    e.entry,
                    e.folded,
                    e.text,
                    e.at.map(|t| t.0)
                ])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO search_state (team_id, state) VALUES (?1, ?2)",
            params![team.to_string(), state],
        )?;
        tx.commit()?;
        Ok(())
    }
}
