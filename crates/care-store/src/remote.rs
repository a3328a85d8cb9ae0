//! Changes read from the relay: each is admitted against the record (its
//! author writes only as themselves and leaves the record readable, see
//! `care_model::admit`) and stored with the cursor that covers it, in one
//! transaction. A refused change is not stored; the caller quarantines its
//! envelope and the rest of the log goes on.

use std::collections::HashSet;

use care_model::{CareRecord, ChangeBytes, Refusal, Sender, TeamId, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sync_proto::Envelope;

use crate::store::{load, refresh, Cached};
use crate::{Cursor, Store, StoreError};

/// One change from the relay and who sent it, as the roster says.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub change: ChangeBytes,
    pub sender: Sender,
}

/// What [`Store::apply_remote`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Changes new to this laptop, now in its record.
    pub added: usize,
    /// Changes refused, by their index in the input, and why.
    pub refused: Vec<(usize, Refusal)>,
}

impl Store {
    /// Admits and stores changes received from the relay, the envelopes
    /// they came in (kept for a relay restored from a backup) and the
    /// cursor that covers them, in one transaction. Changes already here
    /// are ignored.
    pub fn apply_remote(
        &mut self,
        team: TeamId,
        relay: &str,
        changes: &[Incoming],
        relayed: &[(u64, Envelope)],
        cursor: &Cursor,
        now: Timestamp,
    ) -> Result<Applied, StoreError> {
        let path = self.path.clone();
        let cached = self.cache.remove(&team);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut applied = Applied::default();
        let (mut current, mut untouched): (Option<Cached>, Option<Cached>) = (None, None);
        if changes.is_empty() {
            untouched = cached;
        } else {
            current = Some(match refresh(&tx, team, cached) {
                Ok(c) => c,
                Err(StoreError::NotYetReceived(_)) => blank(&tx, team)?,
                Err(e) => return Err(e.at(&path)),
            });
        }
        for (i, incoming) in changes.iter().enumerate() {
            let c = current.as_mut().expect("loaded above");
            if c.record.has_change(&incoming.change.hash) {
                continue;
            }
            match c.record.admit(&incoming.change, incoming.sender) {
                Ok(()) => {
                    let n = tx.execute(
                        "INSERT OR IGNORE INTO changes (team_id, hash, bytes) VALUES (?1, ?2, ?3)",
                        params![team.to_string(), incoming.change.hash.as_slice(), incoming.change.bytes],
                    )?;
                    if n > 0 {
                        c.upto_seq = tx.last_insert_rowid();
                        applied.added += 1;
                    }
                }
                Err(refusal) => {
                    tracing::warn!(%team, sender = %incoming.sender.device, %refusal, "a change from the relay was refused");
                    let reload = refusal.after_applying();
                    applied.refused.push((i, refusal));
                    if !reload {
                        continue;
                    }
                    // The record holds part of it: read it again from what
                    // is stored, which never had it.
                    let generation = c.generation;
                    *c = match load(&tx, team, generation) {
                        Ok(c) => c,
                        Err(StoreError::NotYetReceived(_)) => blank(&tx, team)?,
                        Err(e) => return Err(e.at(&path)),
                    };
                }
            }
        }
        for (seq, env) in relayed {
            // Read again after a restore: the same envelope, a new place in the log.
            tx.execute(
                "INSERT INTO relayed (team_id, id, server_seq, envelope, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (team_id, id) DO UPDATE SET server_seq = excluded.server_seq",
                params![team.to_string(), env.id().as_slice(), *seq as i64, env.bytes(), now.0],
            )?;
        }
        if !relayed.is_empty() {
            tx.execute(
                "DELETE FROM relayed WHERE team_id = ?1 AND received_at < ?2",
                params![team.to_string(), now.0 - Self::KEEP_ACKNOWLEDGED_MS],
            )?;
        }
        write_cursor(&tx, team, relay, cursor, now)?;
        // A record whose first change has not arrived stays out of the
        // cache (and out of Today) until it has.
        let current = current.filter(|c| !c.record.is_blank());
        if let (Some(c), true) = (&current, applied.added > 0) {
            let p = c.record.patient()?;
            tx.execute(
                "UPDATE teams SET patient_name = ?2, patient_kana = ?3, kind = ?4 WHERE team_id = ?1",
                params![team.to_string(), p.name, p.kana, c.record.kind()?.code()],
            )?;
        }
        tx.commit()?;
        if let Some(c) = current.or(untouched.take()) {
            self.cache.insert(team, c);
        }
        Ok(applied)
    }
}

impl Store {
    /// Stores the changes of a whole record the caller admitted as a whole
    /// (`CareRecord::admit_whole`: a member's snapshot), with the cursor it
    /// covers, in one transaction; the record is loaded at once.
    pub fn apply_remote_admitted(
        &mut self,
        team: TeamId,
        relay: &str,
        changes: &[ChangeBytes],
        cursor: &Cursor,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        self.store_changes(team, changes, Some((relay, cursor, now)))
    }
}

impl Store {
    /// Makes the team's copy again without the changes in `drop` and every
    /// change built on them (a snapshot's made-up changes, never in the
    /// log): the record is saved anew from the rest, in one transaction.
    /// Returns how many changes were left out.
    pub fn rebuild_without(&mut self, team: TeamId, drop: &HashSet<[u8; 32]>) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let cached = self.cache.remove(&team);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = refresh(&tx, team, cached).map_err(|e| e.at(&path))?;
        let mut dropped: HashSet<[u8; 32]> = HashSet::new();
        let mut kept = Vec::new();
        // Causal order: a change's dependencies come before it.
        for c in current.record.changes() {
            if drop.contains(&c.hash) || c.deps().iter().any(|d| dropped.contains(d)) {
                dropped.insert(c.hash);
            } else {
                kept.extend_from_slice(&c.bytes);
            }
        }
        let record = CareRecord::load(&kept).map_err(|e| StoreError::from(e).at(&path))?;
        tx.execute(
            "UPDATE teams SET snapshot = ?2, generation = generation + 1 WHERE team_id = ?1",
            params![team.to_string(), record.save()],
        )?;
        tx.execute("DELETE FROM changes WHERE team_id = ?1", [team.to_string()])?;
        tx.commit()?;
        self.cache.insert(
            team,
            Cached {
                record,
                generation: current.generation + 1,
                upto_seq: current.upto_seq,
            },
        );
        tracing::warn!(%team, left_out = dropped.len(), "the team's copy was made again without changes never in the log");
        Ok(dropped.len())
    }
}

/// A check under way of a snapshot this laptop started a team from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCheck {
    /// The next log seq to check.
    pub next_seq: u64,
    /// The last log seq the snapshot claims to cover.
    pub covers: u64,
    /// The device that sealed the snapshot.
    pub author: String,
    /// Changes found in the log but not in the snapshot (read from the log).
    pub missing: u64,
    /// The snapshot's change hashes.
    pub hashes: Vec<[u8; 32]>,
}

impl Store {
    /// Starts checking the snapshot `author` sealed, covering the log up to
    /// `covers`, against the log itself.
    pub fn begin_snapshot_check(
        &self,
        team: TeamId,
        covers: u64,
        author: &str,
        hashes: &[[u8; 32]],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO snapshot_checks (team_id, next_seq, covers, author, missing, hashes) VALUES (?1, 1, ?2, ?3, 0, ?4)",
            params![team.to_string(), covers as i64, author, hashes.concat()],
        )?;
        Ok(())
    }

    pub fn snapshot_check(&self, team: TeamId) -> Result<Option<SnapshotCheck>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT next_seq, covers, author, missing, hashes FROM snapshot_checks WHERE team_id = ?1",
                [team.to_string()],
                |r| {
                    let hashes: Vec<u8> = r.get(4)?;
                    Ok(SnapshotCheck {
                        next_seq: r.get::<_, i64>(0)? as u64,
                        covers: r.get::<_, i64>(1)? as u64,
                        author: r.get(2)?,
                        missing: r.get::<_, i64>(3)? as u64,
                        hashes: hashes
                            .chunks_exact(32)
                            .map(|c| c.try_into().expect("32 bytes"))
                            .collect(),
                    })
                },
            )
            .optional()?)
    }

    /// Records how far the check got and how many changes the snapshot
    /// lacked; past `covers` the check is done and its row goes.
    pub fn advance_snapshot_check(&self, team: TeamId, next_seq: u64, missing: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE snapshot_checks SET next_seq = ?2, missing = missing + ?3 WHERE team_id = ?1",
            params![team.to_string(), next_seq as i64, missing as i64],
        )?;
        self.conn.execute(
            "DELETE FROM snapshot_checks WHERE team_id = ?1 AND next_seq > covers",
            [team.to_string()],
        )?;
        Ok(())
    }
}

/// An envelope kept aside because it did not verify, or its change broke
/// the record's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub server_seq: u64,
    pub reason: String,
    /// The sealing device, from the envelope's header (when it parses).
    pub sender: Option<[u8; 16]>,
    pub received_at: Timestamp,
}

impl Store {
    /// The team's quarantined envelopes, newest first (at most `limit`).
    pub fn quarantine_entries(&self, team: TeamId, limit: u32) -> Result<Vec<Quarantined>, StoreError> {
        let rows: Vec<(i64, String, Vec<u8>, i64)> = self
            .conn
            .prepare(
                "SELECT server_seq, reason, bytes, received_at FROM quarantine WHERE team_id = ?1
                 ORDER BY received_at DESC, id DESC LIMIT ?2",
            )?
            .query_map(params![team.to_string(), limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(seq, reason, bytes, at)| Quarantined {
                server_seq: seq as u64,
                reason,
                sender: Envelope::parse(bytes).ok().map(|e| e.header().sender),
                received_at: Timestamp(at),
            })
            .collect())
    }
}

/// The cursor of `team` at `relay`, in the caller's transaction.
pub(crate) fn write_cursor(
    tx: &rusqlite::Connection,
    team: TeamId,
    relay: &str,
    cursor: &Cursor,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO sync_cursors (team_id, relay, incarnation, server_seq, updated_at, chain) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![team.to_string(), relay, cursor.incarnation, cursor.server_seq as i64, now.0, cursor.chain],
    )?;
    Ok(())
}

/// An empty record for a team whose first change has not been stored yet.
fn blank(tx: &rusqlite::Connection, team: TeamId) -> Result<Cached, StoreError> {
    let generation: Option<i64> = tx
        .query_row(
            "SELECT generation FROM teams WHERE team_id = ?1",
            [team.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let generation = generation.ok_or_else(|| StoreError::UnknownTeam(team.to_string()))?;
    Ok(Cached {
        record: CareRecord::blank(team),
        generation,
        upto_seq: 0,
    })
}
