//! A region's directory: searching it, "who can take this patient", each
//! organisation keeping its own entry and posting its free beds.

use care_model::{BedKind, DirectoryQuery, EntryForm, EntryId, RecordKind, TeamId};
use care_store::Store;

use super::{now, parse_team, App};
use crate::error::{AppError, AppResult};
use crate::views::*;

fn entry_id(id: &str) -> AppResult<EntryId> {
    id.parse().map_err(|_| {
        AppError::new(
            "invalid",
            format!("名簿の項目 ID ではありません / not a directory entry id: {id}"),
        )
    })
}

/// `team` is a directory on this laptop.
fn directory_team(store: &mut Store, team: &str) -> AppResult<TeamId> {
    let team = parse_team(team)?;
    if store.record(team)?.kind()? != RecordKind::Directory {
        return Err(AppError::new(
            "invalid",
            "地域の名簿ではありません / that team is not a regional directory",
        ));
    }
    Ok(team)
}

impl App {
    /// The regional directories on this laptop.
    pub fn directories(&self) -> AppResult<Vec<DirectoryRef>> {
        self.with(|s| {
            Ok(s.directories()?
                .into_iter()
                .map(|t| DirectoryRef {
                    team: t.team.to_string(),
                    name: t.patient_name,
                })
                .collect())
        })
    }

    /// Starts a region's directory; its team id. Others join it by invite.
    pub fn create_directory(&self, name: &str) -> AppResult<String> {
        let team = self.with(|s| Ok(s.create_directory(name.trim(), now())?))?;
        self.nudge.notify_one();
        Ok(team.to_string())
    }

    /// The entries of `team` matching `query`. With `for_patient` (a
    /// patient's team), the search is for what that patient needs.
    pub fn directory(
        &self,
        team: &str,
        query: DirectoryQuery,
        for_patient: Option<String>,
    ) -> AppResult<DirectoryView> {
        self.with(|store| {
            let mut query = query;
            let (patient, needs) = match for_patient.as_deref() {
                Some(p) => {
                    let record = store.record(parse_team(p)?)?.read()?;
                    let needs: Vec<String> = record.needs().iter().map(|a| a.code().to_string()).collect();
                    query.accepts.extend(needs.iter().cloned());
                    query.accepts.sort();
                    query.accepts.dedup();
                    (Some(record.patient.name.clone()), needs)
                }
                None => (None, vec![]),
            };
            let team = directory_team(store, team)?;
            let me = store.device().member.to_string();
            let at = now();
            let doc = store.record(team)?;
            let keepers = doc.directory_keepers();
            let record = doc.read()?;
            let entries = record
                .search_directory(&query, at)
                .into_iter()
                .map(|(id, e)| entry_view(&record, id, e, keepers.get(id), &me, at))
                .collect();
            Ok(DirectoryView {
                team: team.to_string(),
                name: record.patient.name.clone(),
                entries,
                total: record.directory.len() as u32,
                for_patient: patient,
                needs,
            })
        })
    }

    /// Adds this member's organisation to the directory; its id.
    pub fn add_directory_entry(&self, team: &str, form: EntryForm) -> AppResult<String> {
        self.with(|s| directory_team(s, team).map(|_| ()))?;
        let id = self.edit(team, "directory.add", |tx| tx.add_directory_entry(&form))?;
        Ok(id.to_string())
    }

    pub fn edit_directory_entry(&self, team: &str, id: &str, form: EntryForm) -> AppResult<()> {
        let id = entry_id(id)?;
        self.with(|s| directory_team(s, team).map(|_| ()))?;
        self.edit(team, "directory.edit", |tx| tx.edit_directory_entry(id, &form))
    }

    /// Posts the free beds of one kind for an entry this member keeps,
    /// counted now or `as_of` (e.g. 08:00, the morning round).
    pub fn post_beds(&self, team: &str, id: &str, kind: &str, free: u32, as_of: Option<String>) -> AppResult<()> {
        let id = entry_id(id)?;
        let kind: BedKind = kind.parse()?;
        let as_of = as_of
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| care_model::time::parse_moment("as_of", s, now()))
            .transpose()?;
        self.with(|s| directory_team(s, team).map(|_| ()))?;
        self.edit(team, "directory.beds", |tx| tx.post_beds(id, kind, free, as_of))
    }
}
