//! What a laptop works out around the clock: who is on call now (from the
//! rotas of the stations it holds) and which escalations it has already
//! told its member of, so each (item, stage) notifies once here. The
//! stages themselves come from the record and the clock
//! (`care_model::escalation`); this file only remembers what was told.

use care_model::escalation::Stage;
use care_model::{OnCall, Rota, TeamId, Timestamp};
use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// A station on this laptop and who is on call there.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StationOnCall {
    pub team: TeamId,
    pub station: String,
    /// The station's 24-hour phone.
    pub phone: Option<String>,
    pub on_call: Option<OnCall>,
}

impl Store {
    /// Each station's rota on this laptop.
    pub fn rotas(&mut self) -> Result<Vec<(TeamId, String, Rota)>, StoreError> {
        let mut out = Vec::new();
        for s in self.stations()? {
            let record = self.record(s.team)?;
            if record.is_blank() {
                continue;
            }
            out.push((s.team, s.patient_name.clone(), record.read()?.rota));
        }
        Ok(out)
    }

    /// Makes this laptop's member known in a record it joined but has not
    /// written in yet (a station's admins pick the nurse on call from the
    /// record's members). Returns whether a change was made.
    pub fn introduce(&mut self, team: TeamId, at: Timestamp) -> Result<bool, StoreError> {
        let me = self.device().member.to_string();
        let record = self.record(team)?;
        if record.is_blank() || record.read_recent(0, Some(at))?.record.members.contains_key(&me) {
            return Ok(false);
        }
        // Every change registers its writer: an empty action is enough.
        self.change(team, "member.introduce", at, |_| Ok(()))?;
        Ok(true)
    }

    /// Who is on call at `at` at each station on this laptop.
    pub fn on_call(&mut self, at: Timestamp) -> Result<Vec<StationOnCall>, StoreError> {
        Ok(self
            .rotas()?
            .into_iter()
            .map(|(team, station, rota)| StationOnCall {
                team,
                station,
                phone: rota.phone.clone(),
                on_call: rota.on_call(at),
            })
            .collect())
    }

    /// The 24-hour phone of this laptop's (first) station and the nurse on
    /// call there at `at`: what a printed sheet tells partners to call.
    pub fn duty_now(&mut self, at: Timestamp) -> Result<(Option<String>, Option<String>), StoreError> {
        Ok(match self.on_call(at)?.into_iter().next() {
            Some(s) => (s.phone, s.on_call.and_then(|o| o.duty.nurse).map(|n| n.name)),
            None => (None, None),
        })
    }

    /// Whether this laptop has told its member of `entry` at `stage`.
    pub fn told(&self, team: TeamId, entry: &str, stage: Stage) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM escalations_told WHERE team_id = ?1 AND entry_id = ?2 AND stage = ?3",
                params![team.to_string(), entry, stage.code()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Remembers that this laptop told its member of `entry` at `stage`.
    pub fn mark_told(&self, team: TeamId, entry: &str, stage: Stage, at: Timestamp) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO escalations_told (team_id, entry_id, stage, at) VALUES (?1, ?2, ?3, ?4)",
            params![team.to_string(), entry, stage.code(), at.0],
        )?;
        Ok(())
    }
}
