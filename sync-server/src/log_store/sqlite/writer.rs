//! The writer thread: every append queued at a moment is committed in one
//! transaction (group commit), each acknowledged after that commit.

use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use super::{roster_of, SqliteStore};
use crate::log_store::{admit, admit_new, chain_next, meets_stored, AppendError, Appended, Live, RosterCache, Stored};
use crate::policy::Policy;

/// An append waiting for the writer thread.
pub(super) struct Job {
    env: sync_proto::Envelope,
    peer: [u8; 32],
    now_ms: i64,
    reply: tokio::sync::oneshot::Sender<Result<Appended, AppendError>>,
}

/// Most appends committed in one transaction.
const MAX_BATCH: usize = 512;

impl SqliteStore {
    /// Stores an envelope durably and returns its sequence number, once the
    /// transaction holding it is committed. The sender must be on the team's
    /// roster and the signature must be theirs.
    pub async fn append(
        &self,
        env: sync_proto::Envelope,
        peer: [u8; 32],
        now_ms: i64,
    ) -> Result<Appended, AppendError> {
        let stopped = || AppendError::Storage("the log writer stopped".into());
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.appends
            .send(Job {
                env,
                peer,
                now_ms,
                reply,
            })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The writer thread: takes every append queued, commits them in one
/// transaction, then answers each and announces the new ones.
pub(super) fn write_appends(
    conn: &Mutex<Connection>,
    rosters: &Mutex<RosterCache>,
    appended: &Live,
    policy: &Policy,
    jobs: std::sync::mpsc::Receiver<Job>,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut conn = conn.lock().expect("a panicking append does not poison the log");
        let outcome = (|| -> Result<Vec<Result<Appended, AppendError>>, String> {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| e.to_string())?;
            let mut results = Vec::with_capacity(batch.len());
            for job in &batch {
                match append_one(&tx, rosters, policy, job) {
                    Err(AppendError::Storage(e)) => return Err(e),
                    other => results.push(other),
                }
            }
            tx.commit().map_err(|e| e.to_string())?;
            Ok(results)
        })();
        drop(conn);
        if batch.len() > 1 {
            tracing::debug!(appends = batch.len(), "appends committed together");
        }
        match outcome {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    // Only after the commit: a pushed envelope is always readable.
                    if let Ok(a) = &result {
                        if a.new {
                            appended.appended(job.env.header().team, a.seq);
                        }
                    }
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "an append batch failed and was rolled back");
                for job in batch {
                    let _ = job.reply.send(Err(AppendError::Storage(e.clone())));
                }
            }
        }
    }
}

/// One append inside the batch's transaction: checks, then the insert.
fn append_one(
    tx: &Connection,
    rosters: &Mutex<RosterCache>,
    policy: &Policy,
    job: &Job,
) -> Result<Appended, AppendError> {
    let (env, h) = (&job.env, job.env.header());
    let id = env.id();
    let roster = roster_of(rosters, tx, &h.team)?;
    let sender_removed = admit(&roster, &job.peer, env)?;
    let existing: Option<(u64, Vec<u8>, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT seq, id, bytes FROM envelopes WHERE team = ?1 AND (id = ?2 OR (sender = ?3 AND sender_seq = ?4))",
        )?
        .query_row(
            params![
                h.team.as_slice(),
                id.as_slice(),
                h.sender.as_slice(),
                h.sender_seq as i64
            ],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((seq, stored_id, stored)) = existing {
        match meets_stored(&roster, env, seq, &stored_id, &stored)? {
            Stored::Same(seq) => return Ok(Appended { seq, new: false }),
            Stored::Repair(seq) => {
                tx.execute(
                    "UPDATE envelopes SET id = ?3, bytes = ?4 WHERE team = ?1 AND seq = ?2",
                    params![h.team.as_slice(), seq as i64, id.as_slice(), env.bytes()],
                )?;
                tx.execute(
                    "DELETE FROM damaged WHERE team = ?1 AND seq = ?2",
                    params![h.team.as_slice(), seq as i64],
                )?;
                tracing::warn!(seq, "a damaged envelope was repaired from a genuine copy");
                return Ok(Appended { seq, new: true });
            }
        }
    }
    admit_new(&roster, env, sender_removed)?;
    let used: i64 = tx
        .prepare_cached("SELECT coalesce(max(bytes), 0) FROM usage WHERE team = ?1")?
        .query_row([h.team.as_slice()], |r| r.get(0))?;
    if used as u64 + env.bytes().len() as u64 > policy.team_quota_bytes {
        return Err(AppendError::TeamQuota);
    }
    let (seq, prev): (i64, Option<Vec<u8>>) = tx
        .prepare_cached("SELECT seq, chain FROM envelopes WHERE team = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([h.team.as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, None));
    let seq = seq + 1;
    let prev: [u8; 32] = prev.and_then(|p| p.try_into().ok()).unwrap_or([0; 32]);
    let chain = chain_next(&prev, &id);
    tx.prepare_cached(
        "INSERT INTO envelopes (team, seq, id, sender, sender_seq, bytes, received_at, chain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        h.team.as_slice(),
        seq,
        id.as_slice(),
        h.sender.as_slice(),
        h.sender_seq as i64,
        env.bytes(),
        job.now_ms,
        chain.as_slice()
    ])?;
    tx.prepare_cached(
        "INSERT INTO usage (team, bytes) VALUES (?1, ?2) ON CONFLICT (team) DO UPDATE SET bytes = bytes + excluded.bytes",
    )?
    .execute(params![h.team.as_slice(), env.bytes().len() as i64])?;
    Ok(Appended {
        seq: seq as u64,
        new: true,
    })
}
