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

/// How far back a one- or two-character query looks in notes.
pub const SHORT_QUERY_NOTES_DAYS: i64 = 90;

/// Results shown at most: patients first, then entries newest first.
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
    pub fn search(&mut self, query: &str, now: Timestamp) -> Result<Vec<Hit>, StoreError> {
        let q = fold(query);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        for team in self.team_ids()? {
            self.refresh_search(team)?;
        }
        // Three characters or more: the trigram index finds the rows, in
        // everything. One or two (the first keystrokes, a name being
        // typed): names and readings, open tasks, medications and the notes
        // of the last 90 days, which stay few however long the records.
        let (sql, arg) = if q.chars().count() >= 3 {
            (
                "SELECT e.team_id, t.patient_name, e.kind, e.entry_id, e.text, e.at
                 FROM search_fts f JOIN search_entries e ON e.id = f.rowid JOIN teams t ON t.team_id = e.team_id
                 WHERE search_fts MATCH ?1
                 ORDER BY e.kind = 'patient' DESC, e.at DESC
                 LIMIT ?2",
                // One phrase: the folded text as it is, quotes doubled.
                format!("\"{}\"", q.replace('"', "\"\"")),
            )
        } else {
            (
                "SELECT s.team_id, t.patient_name, s.kind, s.entry_id, s.text, s.at
                 FROM search_entries s INDEXED BY search_entries_kind JOIN teams t ON t.team_id = s.team_id
                 WHERE (s.kind IN ('patient', 'task', 'medication') OR (s.kind = 'note' AND s.at >= ?3))
                   AND instr(s.folded, ?1) > 0
                 ORDER BY s.kind = 'patient' DESC, s.at DESC
                 LIMIT ?2",
                q.clone(),
            )
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let recent = now.0 - SHORT_QUERY_NOTES_DAYS * 24 * 3_600_000;
        let rows = if stmt.parameter_count() == 3 {
            stmt.query_map(params![arg, MAX_HITS as i64, recent], hit_row)?
        } else {
            stmt.query_map(params![arg, MAX_HITS as i64], hit_row)?
        };
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
        forget(&tx, team)?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO search_entries (team_id, kind, entry_id, folded, text, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut index = tx.prepare_cached("INSERT INTO search_fts (rowid, folded) VALUES (?1, ?2)")?;
            for e in &entries {
                let at = e.at.map(|t| t.0);
                insert.execute(params![team.to_string(), e.kind, e.entry, e.folded, e.text, at])?;
                index.execute(params![tx.last_insert_rowid(), e.folded])?;
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

type HitRow = (String, String, String, String, String, Option<i64>);

fn hit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HitRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

/// Removes `team`'s rows from the index (the trigram table keeps no copy of
/// the text, so it is told each row's text to take out).
pub(crate) fn forget(conn: &rusqlite::Connection, team: TeamId) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO search_fts (search_fts, rowid, folded) SELECT 'delete', id, folded FROM search_entries WHERE team_id = ?1",
        [team.to_string()],
    )?;
    conn.execute("DELETE FROM search_entries WHERE team_id = ?1", [team.to_string()])?;
    conn.execute("DELETE FROM search_state WHERE team_id = ?1", [team.to_string()])?;
    Ok(())
}
