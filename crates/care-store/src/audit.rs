//! The access log on this laptop (the chain itself is in
//! `sync_proto::audit`). Its own entries are appended in the same
//! transaction as what they record (a change) or right after (an open, a
//! print, an unlock). Before each push, a team's unsent entries are sealed
//! into one envelope for that team ([`Store::seal_audit`]), so the station's
//! admins see who looked at which patient. Other devices' entries arrive
//! with the team's log and are kept beside.

use std::collections::HashMap;

use care_model::{TeamId, Timestamp};
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sync_proto::{AuditEntry, AuditProblem, Checkpoint};

use crate::store::{into_outbox, Sealed};
use crate::{DeviceProfile, Store, StoreError};

/// The words an entry's action may be.
pub const ACTIONS: &[&str] = &[
    "open",
    "search-open",
    "print",
    "export",
    "change",
    "unlock",
    "lock",
    "unlock-failed",
    "audit-export",
];

/// One line of the access log as the admin's screen shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRow {
    pub device: String,
    pub member: String,
    pub action: String,
    pub team: Option<String>,
    pub entry: Option<String>,
    pub at: i64,
}

/// What the screen or `tsunagi audit` asks for.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub team: Option<TeamId>,
    pub member: Option<String>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: Option<u32>,
}

/// The head of one of this device's chains: its scope (a team, or none for
/// device events), length and last hash.
pub type ChainHead = (Option<TeamId>, u64, [u8; 32]);

/// One chain's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainCheck {
    pub device: String,
    pub scope: Option<String>,
    pub entries: u64,
    pub checkpoints: u64,
    pub problem: Option<String>,
}

fn scope_text(team: Option<TeamId>) -> String {
    team.map(|t| t.to_string()).unwrap_or_default()
}

/// Appends this device's next entry in `scope`, in the caller's transaction;
/// a team's entry is also sealed for that team.
pub(crate) fn append(
    conn: &Connection,
    device: &DeviceProfile,
    signing: &SigningKey,
    action: &str,
    team: Option<TeamId>,
    entry: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    debug_assert!(ACTIONS.contains(&action), "unknown audit action {action}");
    let scope = scope_text(team);
    let me = device.device.to_string();
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM audit WHERE device = ?1 AND scope = ?2 ORDER BY seq DESC LIMIT 1",
            params![me, scope],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (
            seq as u64 + 1,
            <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| StoreError::Corrupt {
                path: Default::default(),
                detail: "audit hash length".into(),
            })?,
        ),
        None => (1, sync_proto::audit::GENESIS),
    };
    let e = AuditEntry::new(
        signing,
        seq,
        now.0,
        *device.device.as_bytes(),
        &device.member.to_string(),
        action,
        team.map(|t| *t.as_bytes()),
        entry,
        prev,
    );
    insert(conn, &e)?;
    Ok(())
}

/// At most this many entries go in one envelope (well under its size limit).
const BATCH: i64 = 500;

fn insert(conn: &Connection, e: &AuditEntry) -> Result<bool, StoreError> {
    let scope = e.scope.map(hex::encode).unwrap_or_default();
    let n = conn.execute(
        "INSERT OR IGNORE INTO audit (device, scope, seq, at, member, action, entry_id, hash, entry)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            hex::encode(e.device),
            scope,
            e.seq as i64,
            e.at,
            e.member,
            e.action,
            e.entry,
            e.hash().as_slice(),
            serde_json::to_string(e).expect("entries serialise")
        ],
    )?;
    Ok(n > 0)
}

impl Store {
    /// Records one look or act in the access log (never clinical content:
    /// an action word, the team, an entry id).
    pub fn audit(
        &mut self,
        action: &str,
        team: Option<TeamId>,
        entry: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        append(&tx, &self.device, &self.signing, action, team, entry, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Seals this device's unsent entries about `team` into one envelope in
    /// the outbox (called before each push); returns how many.
    pub fn seal_audit(&mut self, team: TeamId, now: Timestamp) -> Result<u64, StoreError> {
        let me = self.device.device.to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let texts: Vec<(i64, String)> = tx
            .prepare(
                "SELECT seq, entry FROM audit WHERE device = ?1 AND scope = ?2 AND sent = 0 ORDER BY seq LIMIT ?3",
            )?
            .query_map(params![me, team.to_string(), BATCH], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let Some(&(last, _)) = texts.last() else { return Ok(0) };
        let entries: Vec<AuditEntry> = texts
            .iter()
            .map(|(_, t)| serde_json::from_str(t))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("audit entry: {e}"),
            })?;
        let json = serde_json::to_vec(&entries).expect("entries serialise");
        // The last entry's hash names the batch: unique per team.
        let hash = entries[entries.len() - 1].hash();
        let sealed = Sealed {
            kind: sync_proto::PayloadKind::Audit,
            hash: &hash,
            bytes: &json,
            payload: &json,
        };
        into_outbox(&tx, team, sealed, now, &self.signing, self.device.device)?;
        tx.execute(
            "UPDATE audit SET sent = 1 WHERE device = ?1 AND scope = ?2 AND seq <= ?3",
            params![me, team.to_string(), last],
        )?;
        tx.commit()?;
        Ok(entries.len() as u64)
    }

    /// Keeps another device's entries that arrived sealed with `team`.
    /// Each must be signed by `sender` (the envelope's device) and be about
    /// this team; others are refused and counted.
    pub fn receive_audit(
        &mut self,
        team: TeamId,
        sender: &VerifyingKey,
        sender_device: [u8; 16],
        entries: &[AuditEntry],
    ) -> Result<(u64, u64), StoreError> {
        let tx = self.conn.transaction()?;
        let (mut kept, mut refused) = (0, 0);
        for e in entries {
            let ok = e.device == sender_device
                && e.scope == Some(*team.as_bytes())
                && sync_proto::audit::signature_ok(e, sender);
            if !ok {
                refused += 1;
                continue;
            }
            if insert(&tx, e)? {
                kept += 1;
            }
        }
        tx.commit()?;
        Ok((kept, refused))
    }

    /// The access log, newest first.
    pub fn audit_rows(&self, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT device, member, action, scope, entry_id, at FROM audit
             WHERE (?1 IS NULL OR scope = ?1) AND (?2 IS NULL OR member = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
             ORDER BY at DESC, seq DESC LIMIT ?5",
        )?;
        let rows = stmt
            .query_map(
                params![
                    f.team.map(|t| t.to_string()),
                    f.member,
                    f.from,
                    f.until,
                    f.limit.unwrap_or(10_000) as i64
                ],
                |r| {
                    let scope: String = r.get(3)?;
                    Ok(AuditRow {
                        device: r.get(0)?,
                        member: r.get(1)?,
                        action: r.get(2)?,
                        team: (!scope.is_empty()).then_some(scope),
                        entry: r.get(4)?,
                        at: r.get(5)?,
                    })
                },
            )?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn chain(&self, device: &str, scope: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let texts: Vec<String> = self
            .conn
            .prepare("SELECT entry FROM audit WHERE device = ?1 AND scope = ?2 ORDER BY seq")?
            .query_map(params![device, scope], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        texts
            .iter()
            .map(|t| {
                serde_json::from_str(t).map_err(|e| StoreError::Corrupt {
                    path: self.path.clone(),
                    detail: format!("audit entry: {e}"),
                })
            })
            .collect()
    }

    /// This device's chains the relay has not countersigned at their
    /// current length: (scope, length, head). A head already signed is not
    /// sent again, so a quiet pass costs the relay no write.
    pub fn audit_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let me = self.device.device.to_string();
        let rows: Vec<(String, i64, Vec<u8>)> = self
            .conn
            .prepare(
                "SELECT scope, seq, hash FROM audit a WHERE device = ?1
                 AND seq = (SELECT max(seq) FROM audit b WHERE b.device = a.device AND b.scope = a.scope)
                 AND NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.scope = a.scope AND c.seq = a.seq)",
            )?
            .query_map([me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(scope, seq, hash)| {
                let team = if scope.is_empty() {
                    None
                } else {
                    Some(scope.parse().ok()?)
                };
                Some((team, seq as u64, hash.try_into().ok()?))
            })
            .collect())
    }

    /// Keeps a checkpoint the relay countersigned for one of this device's chains.
    pub fn save_checkpoint(&mut self, c: &Checkpoint) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO audit_checkpoints (scope, seq, checkpoint) VALUES (?1, ?2, ?3)",
            params![
                c.scope.map(hex::encode).unwrap_or_default(),
                c.seq as i64,
                serde_json::to_string(c).expect("checkpoints serialise")
            ],
        )?;
        Ok(())
    }

    /// Checks every chain this laptop holds, each against its device's
    /// key (this device's own, or one a team roster names, removed devices
    /// included: what they wrote while they belonged still verifies).
    /// `extra` adds checkpoints fetched from the relay (the ones kept here
    /// could have been deleted along with the entries); `relay_key` checks
    /// their countersignature.
    pub fn verify_audit(
        &self,
        extra: &[Checkpoint],
        relay_key: Option<&VerifyingKey>,
    ) -> Result<Vec<ChainCheck>, StoreError> {
        let mut keys = HashMap::new();
        for team in self.team_ids()? {
            let roster = self.roster(team)?;
            for (d, e) in roster
                .devices
                .iter()
                .chain(roster.removed.iter().map(|(d, (e, _))| (d, e)))
            {
                keys.insert(hex::encode(d), e.key);
            }
        }
        keys.insert(self.device.device.to_string(), self.signing.verifying_key());
        let key_of = |d: &str| keys.get(d).copied();
        let chains: Vec<(String, String)> = self
            .conn
            .prepare("SELECT DISTINCT device, scope FROM audit ORDER BY device, scope")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let me = self.device.device.to_string();
        let mut kept: Vec<Checkpoint> = Vec::new();
        for text in self
            .conn
            .prepare("SELECT checkpoint FROM audit_checkpoints")?
            .query_map([], |r| r.get::<_, String>(0))?
        {
            if let Ok(c) = serde_json::from_str::<Checkpoint>(&text?) {
                kept.push(c);
            }
        }
        // A chain the relay countersigned but that is gone here entirely.
        let mut all: Vec<(String, String)> = chains.clone();
        for c in kept.iter().chain(extra) {
            let pair = (hex::encode(c.device), c.scope.map(hex::encode).unwrap_or_default());
            if !all.contains(&pair) {
                all.push(pair);
            }
        }
        let mut out = Vec::new();
        for (device, scope) in all {
            let entries = self.chain(&device, &scope)?;
            let checkpoints: Vec<Checkpoint> = kept
                .iter()
                .chain(extra)
                .filter(|c| hex::encode(c.device) == device && c.scope.map(hex::encode).unwrap_or_default() == scope)
                .cloned()
                .collect();
            let problem = match key_of(&device) {
                Some(k) => sync_proto::verify_chain(&entries, &k, &checkpoints, relay_key).err(),
                None if device == me => Some(AuditProblem::BadSignature { seq: 0 }),
                None => None,
            };
            out.push(ChainCheck {
                device,
                scope: (!scope.is_empty()).then_some(scope),
                entries: entries.len() as u64,
                checkpoints: checkpoints.len() as u64,
                problem: problem.map(|p| p.to_string()),
            });
        }
        Ok(out)
    }
}
