//! What the store keeps for syncing through a relay: the relay's address,
//! team keys, the roster, the sealed outbox, cursors and quarantine.
//!
//! **Invariant:** remote changes and the cursor that covers them are stored
//! in one transaction, so a crash never skips or half-applies a page; an
//! outbox row leaves only when the relay has acknowledged it.

use care_model::{ChangeBytes, DeviceId, TeamId, Timestamp};
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sync_proto::{MembershipOp, Roster, RosterOp, TeamKey};

use crate::store::refresh;
use crate::{schema, Store, StoreError};

/// The relay this device syncs with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RelaySettings {
    /// The first address; cursors are kept under it, so moving between the
    /// relays of one store re-reads nothing.
    pub url: String,
    /// Other relays in front of the same store (PostgreSQL), tried in turn.
    pub also: Vec<String>,
    /// The address that answered last: tried first.
    pub active: Option<String>,
    /// SHA-256 of its certificate, 64 hex digits; `None` trusts public CAs.
    pub fingerprint: Option<String>,
}

impl RelaySettings {
    /// Every address, the one that answered last first.
    pub fn addresses(&self) -> Vec<String> {
        let mut all: Vec<String> = std::iter::once(&self.url).chain(&self.also).cloned().collect();
        if let Some(i) = self.active.as_ref().and_then(|a| all.iter().position(|u| u == a)) {
            all.rotate_left(i);
        }
        all
    }
}

/// A sealed local change waiting for the relay's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    pub envelope: Vec<u8>,
}

/// How far this device has read a team's relay log.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cursor {
    pub server_seq: u64,
    pub incarnation: Option<String>,
    /// When this device last finished a sync of the team (ms since epoch).
    pub synced_at: Option<i64>,
    /// The relay's running hash of the log up to `server_seq` (hex), as it
    /// said when this laptop read that far: a log that no longer has it
    /// there was put back from a backup.
    pub chain: Option<String>,
}

/// Upgrades an older store in one transaction: tables, then what a v1
/// profile never had.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version >= schema::STORE_SCHEMA {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    schema::migrate_tables(&tx)?;
    if version < 2 {
        keys_for_v1(&tx)?;
    }
    tx.commit()?;
    tracing::info!(from = version, to = schema::STORE_SCHEMA, "store migrated");
    Ok(())
}

fn bad(what: &str) -> StoreError {
    StoreError::Corrupt {
        path: Default::default(),
        detail: format!("migration: bad {what}"),
    }
}

/// The newest team key.
pub(crate) fn latest_key(conn: &Connection, team: TeamId) -> Result<(u32, TeamKey), StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT epoch, key FROM team_keys WHERE team_id = ?1 ORDER BY epoch DESC LIMIT 1",
            [team.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (epoch, key) = row.ok_or_else(|| bad("missing team key"))?;
    Ok((
        epoch as u32,
        TeamKey(key.try_into().map_err(|_| bad("team key length"))?),
    ))
}

impl Store {
    pub fn relay(&self) -> Result<Option<RelaySettings>, StoreError> {
        let get = |k: &str| -> Result<Option<String>, StoreError> {
            Ok(self
                .conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| r.get(0))
                .optional()?)
        };
        let Some(url) = get("relay_url")? else {
            return Ok(None);
        };
        Ok(Some(RelaySettings {
            url,
            also: get("relay_also")?
                .map(|a| a.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            active: get("relay_active")?,
            fingerprint: get("relay_fingerprint")?,
        }))
    }

    /// The relay, with no other addresses.
    pub fn set_relay(&self, url: &str, fingerprint: Option<&str>) -> Result<(), StoreError> {
        self.set_relays(url, &[], fingerprint)
    }

    /// The relay `url` and others in front of the same store (`also`).
    pub fn set_relays(&self, url: &str, also: &[String], fingerprint: Option<&str>) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('relay_url', ?1)",
            [url],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('relay_also', ?1)",
            [also.join(" ")],
        )?;
        tx.execute("DELETE FROM settings WHERE key = 'relay_active'", [])?;
        match fingerprint {
            Some(fp) => tx.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('relay_fingerprint', ?1)",
                [fp],
            )?,
            None => tx.execute("DELETE FROM settings WHERE key = 'relay_fingerprint'", [])?,
        };
        tx.commit()?;
        Ok(())
    }

    /// Remembers which address answered, so the next connection tries it first.
    pub fn set_relay_active(&self, address: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('relay_active', ?1)",
            [address],
        )?;
        Ok(())
    }

    /// A preference of this laptop's user interface (language, last review
    /// times). Kept beside the profile so the app and the CLI share it; never
    /// synced.
    pub fn preference(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [format!("ui.{key}")],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_preference(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
            [format!("ui.{key}"), value.to_string()],
        )?;
        Ok(())
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// Every team on this device.
    pub fn team_ids(&self) -> Result<Vec<TeamId>, StoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT team_id FROM teams")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter().map(|i| i.parse().map_err(|_| bad("team id"))).collect()
    }

    pub fn team_key(&self, team: TeamId, epoch: u32) -> Result<Option<TeamKey>, StoreError> {
        let key: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT key FROM team_keys WHERE team_id = ?1 AND epoch = ?2",
                params![team.to_string(), epoch],
                |r| r.get(0),
            )
            .optional()?;
        key.map(|k| k.try_into().map(TeamKey).map_err(|_| bad("team key length")))
            .transpose()
    }

    pub fn latest_team_key(&self, team: TeamId) -> Result<(u32, TeamKey), StoreError> {
        latest_key(&self.conn, team)
    }

    /// Sealed local changes of `team` not yet acknowledged, in sending order.
    pub fn outbox(&self, team: TeamId) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, envelope FROM outbox WHERE team_id = ?1 AND acked_seq IS NULL ORDER BY sender_seq")?;
        let rows = stmt.query_map([team.to_string()], |r| {
            Ok(OutboxItem {
                id: r.get(0)?,
                envelope: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How long acknowledged changes are kept for re-sending to a relay
    /// restored from a backup: the relay's backups must be younger.
    pub const KEEP_ACKNOWLEDGED_MS: i64 = 30 * 24 * 3600 * 1000;

    /// The relay stored this change as `server_seq`: it is no longer pending.
    /// It is kept (for a relay restored from a backup) for
    /// [`Self::KEEP_ACKNOWLEDGED_MS`], then dropped.
    pub fn acknowledge(&self, item: i64, server_seq: u64, now: Timestamp) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET acked_seq = ?2, acked_at = ?3 WHERE id = ?1",
            params![item, server_seq as i64, now.0],
        )?;
        self.conn.execute(
            "DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?1",
            [now.0 - Self::KEEP_ACKNOWLEDGED_MS],
        )?;
        Ok(())
    }

    /// The highest relay sequence number the relay gave an envelope of ours
    /// (of those still kept): a log that ends before it lost them.
    pub fn highest_acked(&self, team: TeamId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT coalesce(max(acked_seq), 0) FROM outbox WHERE team_id = ?1",
            [team.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The seqs after `after` at which the relay acknowledged an envelope of
    /// ours. A log that holds another device's envelope at one of them was
    /// put back from a backup and written past.
    pub fn acked_after(&self, team: TeamId, after: u64) -> Result<Vec<u64>, StoreError> {
        let rows: Vec<i64> = self
            .conn
            .prepare("SELECT acked_seq FROM outbox WHERE team_id = ?1 AND acked_seq > ?2")?
            .query_map(params![team.to_string(), after as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.into_iter().map(|s| s as u64).collect())
    }

    /// The relay lost what it had acknowledged after `kept` (it was restored
    /// from an older backup): those changes become pending again. With
    /// `kept = 0` everything still held is sent again. Returns how many.
    pub fn requeue_lost(&self, team: TeamId, kept: u64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET acked_seq = NULL, acked_at = NULL WHERE team_id = ?1 AND acked_seq > ?2",
            params![team.to_string(), kept as i64],
        )?)
    }

    /// Membership ops made here that the relay has not taken yet.
    pub fn unsent_roster_ops(&self, team: TeamId) -> Result<Vec<(i64, MembershipOp)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, op FROM roster_ops WHERE team_id = ?1 AND sent = 0 ORDER BY idx")?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([team.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(i, op)| Ok((i, serde_json::from_str(&op).map_err(|_| bad("roster op"))?)))
            .collect()
    }

    /// Replaces the stored roster with the relay's, keeping ops not yet sent,
    /// and takes the team keys of new epochs sealed to this device (after
    /// someone was removed). Returns how many new keys it took.
    pub fn set_roster(&self, team: TeamId, ops: &[RosterOp]) -> Result<usize, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM roster_ops WHERE team_id = ?1 AND sent = 1",
            [team.to_string()],
        )?;
        let unsent: Vec<String> = tx
            .prepare("SELECT op FROM roster_ops WHERE team_id = ?1 AND sent = 0")?
            .query_map([team.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        tx.execute("DELETE FROM roster_ops WHERE team_id = ?1", [team.to_string()])?;
        let mut idx = 0;
        for o in ops {
            let json = serde_json::to_string(&o.op).expect("ops serialise");
            tx.execute(
                "INSERT INTO roster_ops (team_id, idx, op, received_ms, sent, log_len) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                params![team.to_string(), idx, json, o.received_ms, o.log_len.map(|n| n as i64)],
            )?;
            idx += 1;
        }
        for json in unsent.iter().filter(|j| {
            !ops.iter()
                .any(|o| &serde_json::to_string(&o.op).expect("ops serialise") == *j)
        }) {
            tx.execute(
                "INSERT INTO roster_ops (team_id, idx, op, received_ms, sent) VALUES (?1, ?2, ?3, 0, 0)",
                params![team.to_string(), idx, json],
            )?;
            idx += 1;
        }
        let roster = Roster::replay_ops(team.as_bytes(), ops);
        tx.execute(
            "UPDATE teams SET roster_ops = ?2, roster_head = ?3 WHERE team_id = ?1",
            params![team.to_string(), roster.heads.len() as i64, roster.head().as_slice()],
        )?;
        let mut adopted = 0;
        for (epoch, key) in roster.keys_for(team.as_bytes(), self.device_id().as_bytes(), self.signing_key()) {
            adopted += tx.execute(
                "INSERT OR IGNORE INTO team_keys (team_id, epoch, key) VALUES (?1, ?2, ?3)",
                params![team.to_string(), epoch, key.0.as_slice()],
            )?;
        }
        tx.commit()?;
        Ok(adopted)
    }

    /// Every key of the team, oldest epoch first: an invite hands them all
    /// over, so a newcomer reads the whole record.
    pub fn team_keys(&self, team: TeamId) -> Result<Vec<(u32, TeamKey)>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = self
            .conn
            .prepare("SELECT epoch, key FROM team_keys WHERE team_id = ?1 ORDER BY epoch")?
            .query_map([team.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(e, k)| Ok((e as u32, TeamKey(k.try_into().map_err(|_| bad("team key length"))?))))
            .collect()
    }

    /// Deletes the team from this laptop: its record, keys, roster, cursors
    /// and quarantine. Refused while anything written here has not reached
    /// the relay, so leaving a team never loses an entry. The deleted pages
    /// are overwritten (`secure_delete`), the log is emptied into the file
    /// and the freed pages are returned to the file system.
    pub fn forget_team(&mut self, team: TeamId) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA secure_delete = ON;")?;
        let erased = self.erase_team(team);
        self.conn.execute_batch("PRAGMA secure_delete = OFF;")?;
        erased?;
        // Not in the transaction: vacuuming and checkpointing need none open.
        {
            // Frees one page per step: run it to the end.
            let mut vacuum = self.conn.prepare("PRAGMA incremental_vacuum")?;
            let mut rows = vacuum.query([])?;
            while rows.next()?.is_some() {}
        }
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        tracing::info!(%team, "team erased from this laptop");
        Ok(())
    }

    fn erase_team(&mut self, team: TeamId) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let unsent: i64 = tx.query_row(
            "SELECT count(*) FROM outbox WHERE team_id = ?1 AND acked_seq IS NULL AND kind = 'change'",
            [team.to_string()],
            |r| r.get(0),
        )?;
        if unsent > 0 {
            return Err(StoreError::UnsentEntries(unsent as u64));
        }
        crate::search::forget(&tx, team)?;
        // Other members' access-log entries about this patient go too; this
        // device's own chain stays (it is its evidence of what it did).
        tx.execute(
            "DELETE FROM audit WHERE scope = ?1 AND device <> (SELECT device_id FROM device WHERE id = 1)",
            [team.to_string()],
        )?;
        for table in [
            "changes",
            "outbox",
            "sync_cursors",
            "team_keys",
            "roster_ops",
            "quarantine",
            "relayed",
            "summaries",
            "snapshot_checks",
            "blobs",
            "teams",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE team_id = ?1"), [team.to_string()])?;
        }
        tx.commit()?;
        self.cache.remove(&team);
        Ok(())
    }

    /// Whether any of the team's record is on this laptop (a team just joined
    /// has none until its first sync).
    pub fn has_record(&self, team: TeamId) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM teams WHERE team_id = ?1 AND snapshot IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM changes WHERE team_id = ?1)",
            [team.to_string()],
            |r| r.get(0),
        )?)
    }

    /// How many of the team's roster ops came from the relay.
    pub fn roster_ops_received(&self, team: TeamId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM roster_ops WHERE team_id = ?1 AND sent = 1",
            [team.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The roster as the relay last showed it (ops made here and not yet
    /// sent left out): what a new roster from the relay must extend.
    pub fn received_roster(&self, team: TeamId) -> Result<Roster, StoreError> {
        let ops = self.received_roster_ops(team)?;
        Ok(Roster::replay_ops(team.as_bytes(), &ops))
    }

    /// The roster ops as the relay last showed them, in order.
    pub fn received_roster_ops(&self, team: TeamId) -> Result<Vec<RosterOp>, StoreError> {
        self.roster_ops_where(team, "AND sent = 1")
    }

    /// Why this laptop stopped syncing the team (another member's envelope
    /// showed a roster the relay does not show this laptop), if it did.
    pub fn roster_fork(&self, team: TeamId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT roster_fork FROM teams WHERE team_id = ?1",
                [team.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Stops syncing the team: the relay shows members different rosters.
    pub fn mark_roster_fork(&self, team: TeamId, reason: &str) -> Result<(), StoreError> {
        tracing::error!(%team, reason, "the relay shows members different rosters; syncing of this team stopped");
        self.conn.execute(
            "UPDATE teams SET roster_fork = ?2 WHERE team_id = ?1",
            params![team.to_string(), reason],
        )?;
        Ok(())
    }

    /// The verified roster as this device knows it.
    /// Whether this laptop's member joined `team` as family (so the app
    /// shows only what the team shares with the family). Cheap for the
    /// many teams no family was ever invited to: the roster is replayed only
    /// where a family invite was made.
    pub fn joined_as_family(&self, team: TeamId) -> Result<bool, StoreError> {
        Ok(self.family_invited(team)? && self.roster(team)?.family.contains(&self.device.member.to_string()))
    }

    /// Whether a family invite was ever made on `team` (without replaying
    /// its roster).
    pub fn family_invited(&self, team: TeamId) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM roster_ops WHERE team_id = ?1 AND op LIKE '%\"role\":\"family\"%')",
            [team.to_string()],
            |r| r.get(0),
        )?)
    }

    pub fn roster(&self, team: TeamId) -> Result<Roster, StoreError> {
        let ops = self.roster_ops_where(team, "")?;
        Ok(Roster::replay_ops(team.as_bytes(), &ops))
    }

    fn roster_ops_where(&self, team: TeamId, filter: &str) -> Result<Vec<RosterOp>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT op, received_ms, log_len FROM roster_ops WHERE team_id = ?1 {filter} ORDER BY idx"
        ))?;
        let rows: Vec<(String, i64, Option<i64>)> = stmt
            .query_map([team.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(op, at, log_len)| {
                serde_json::from_str(&op).ok().map(|op| RosterOp {
                    op,
                    received_ms: at,
                    log_len: log_len.map(|n| n as u64),
                })
            })
            .collect())
    }

    pub fn cursor(&self, team: TeamId, relay: &str) -> Result<Cursor, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT server_seq, incarnation, updated_at, chain FROM sync_cursors WHERE team_id = ?1 AND relay = ?2",
                params![team.to_string(), relay],
                |r| {
                    Ok(Cursor {
                        server_seq: r.get::<_, i64>(0)? as u64,
                        incarnation: r.get(1)?,
                        synced_at: r.get(2)?,
                        chain: r.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Envelopes other members sealed that this laptop read after relay
    /// sequence number `kept` (all with 0), in log order: what it gives back
    /// to a relay restored from an older backup.
    pub fn relayed_since(&self, team: TeamId, kept: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT envelope FROM relayed WHERE team_id = ?1 AND server_seq > ?2 ORDER BY server_seq")?;
        let rows = stmt.query_map(params![team.to_string(), kept as i64], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds changes written elsewhere (the demo station's other members) to a
    /// team's record. They are not put in the outbox: this laptop sends only
    /// what it wrote itself.
    pub fn import(&mut self, team: TeamId, changes: &[ChangeBytes]) -> Result<usize, StoreError> {
        self.store_changes(team, changes, None)
    }

    /// Stores changes trusted whole (the sample station's, or a snapshot
    /// the caller admitted) and, from a relay, the cursor that covers them,
    /// in one transaction; the record is brought up to date at once.
    pub(crate) fn store_changes(
        &mut self,
        team: TeamId,
        changes: &[ChangeBytes],
        from_relay: Option<(&str, &Cursor, Timestamp)>,
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let cached = self.cache.remove(&team);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut added = 0;
        for c in changes {
            added += tx.execute(
                "INSERT OR IGNORE INTO changes (team_id, hash, bytes) VALUES (?1, ?2, ?3)",
                params![team.to_string(), c.hash.as_slice(), c.bytes],
            )?;
        }
        if let Some((relay, cursor, now)) = from_relay {
            crate::remote::write_cursor(&tx, team, relay, cursor, now)?;
        }
        let current = refresh(&tx, team, cached).map_err(|e| e.at(&path))?;
        let p = current.record.patient()?;
        tx.execute(
            "UPDATE teams SET patient_name = ?2, patient_kana = ?3 WHERE team_id = ?1",
            params![team.to_string(), p.name, p.kana],
        )?;
        tx.commit()?;
        self.cache.insert(team, current);
        Ok(added)
    }

    /// Keeps an envelope that did not verify or decrypt, and says so in the log.
    pub fn quarantine(
        &self,
        team: TeamId,
        server_seq: u64,
        reason: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        tracing::warn!(%team, server_seq, reason, "envelope quarantined");
        // Once per envelope, however often a pass that failed later reads it.
        self.conn.execute(
            "INSERT INTO quarantine (team_id, server_seq, reason, bytes, received_at)
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS
                 (SELECT 1 FROM quarantine WHERE team_id = ?1 AND server_seq = ?2 AND bytes = ?4)",
            params![team.to_string(), server_seq as i64, reason, bytes, now.0],
        )?;
        Ok(())
    }

    /// The relay confirmed the quarantined envelope at `server_seq` is a
    /// damaged copy of a genuine one: worth reading again once repaired.
    pub fn mark_repairable(&self, team: TeamId, server_seq: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE quarantine SET repairable = 1 WHERE team_id = ?1 AND server_seq = ?2",
            params![team.to_string(), server_seq as i64],
        )?;
        Ok(())
    }

    /// Quarantined envelopes to read again once repaired: (row, seq, bytes).
    pub fn repairable(&self, team: TeamId) -> Result<Vec<(i64, u64, Vec<u8>)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, server_seq, bytes FROM quarantine WHERE team_id = ?1 AND repairable = 1 ORDER BY server_seq",
        )?;
        let rows = stmt.query_map([team.to_string()], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The quarantined envelope `row` was read again intact and applied.
    pub fn release(&self, row: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM quarantine WHERE id = ?1", [row])?;
        Ok(())
    }

    /// A genuine copy of the envelope the relay holds at `server_seq`, if
    /// this laptop has one: its own (kept after acknowledgement) or one it
    /// read from another member.
    pub fn held_envelope(&self, team: TeamId, server_seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT envelope FROM outbox WHERE team_id = ?1 AND acked_seq = ?2
                 UNION ALL SELECT envelope FROM relayed WHERE team_id = ?1 AND server_seq = ?2
                 LIMIT 1",
                params![team.to_string(), server_seq as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn quarantined(&self, team: TeamId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM quarantine WHERE team_id = ?1",
            [team.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Joins a team through an invite: its keys, and the join op to send.
    /// The record itself arrives with the next sync.
    pub fn join_team(
        &mut self,
        team: TeamId,
        keys: &[(u32, TeamKey)],
        join: &MembershipOp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO teams (team_id, created_at, patient_name, patient_kana) VALUES (?1, ?2, '', NULL)",
            params![team.to_string(), now.0],
        )?;
        for (epoch, key) in keys {
            tx.execute(
                "INSERT INTO team_keys (team_id, epoch, key) VALUES (?1, ?2, ?3)",
                params![team.to_string(), epoch, key.0.as_slice()],
            )?;
        }
        tx.execute(
            "INSERT INTO roster_ops (team_id, idx, op, received_ms, sent) VALUES (?1, 0, ?2, ?3, 0)",
            params![
                team.to_string(),
                serde_json::to_string(join).expect("ops serialise"),
                now.0
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// This device's id, as the envelopes name it.
    pub fn device_id(&self) -> DeviceId {
        self.device.device
    }
}

/// A v1 profile (before relays) gets its signing key, a team key and a
/// genesis op per team, and its unsent changes sealed for the outbox.
fn keys_for_v1(tx: &Connection) -> Result<(), StoreError> {
    let signing = SigningKey::generate(&mut rand_core::OsRng);
    tx.execute(
        "UPDATE device SET signing_key = ?1 WHERE signing_key IS NULL",
        [signing.to_bytes().as_slice()],
    )?;
    let (device, member): (String, String) =
        tx.query_row("SELECT device_id, member_id FROM device WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let device: DeviceId = device.parse().map_err(|_| bad("device id"))?;
    let teams: Vec<String> = tx
        .prepare("SELECT team_id FROM teams")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in teams {
        let team: TeamId = t.parse().map_err(|_| bad("team id"))?;
        tx.execute(
            "INSERT INTO team_keys (team_id, epoch, key) VALUES (?1, 0, ?2)",
            params![t, TeamKey::random().0.as_slice()],
        )?;
        let op = MembershipOp::genesis(team.as_bytes(), device.as_bytes(), &member, &signing);
        tx.execute(
            "INSERT INTO roster_ops (team_id, idx, op, received_ms, sent) VALUES (?1, 0, ?2, 0, 0)",
            params![t, serde_json::to_string(&op).expect("ops serialise")],
        )?;
        let rows: Vec<(i64, Vec<u8>)> = tx
            .prepare("SELECT id, bytes FROM outbox WHERE team_id = ?1 ORDER BY id")?
            .query_map([&t], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let key = latest_key(tx, team)?.1;
        for (i, (id, bytes)) in rows.iter().enumerate() {
            let header = sync_proto::Header {
                kind: sync_proto::PayloadKind::Changes,
                team: *team.as_bytes(),
                epoch: 0,
                sender: *device.as_bytes(),
                sender_seq: i as u64 + 1,
            };
            let env = sync_proto::seal(&key, &signing, header, bytes).map_err(|e| bad(&e.to_string()))?;
            tx.execute(
                "UPDATE outbox SET sender_seq = ?2, envelope = ?3 WHERE id = ?1",
                params![id, i as i64 + 1, env.bytes()],
            )?;
        }
        tx.execute(
            "UPDATE teams SET next_sender_seq = ?2 WHERE team_id = ?1",
            params![t, rows.len() as i64 + 1],
        )?;
    }
    Ok(())
}
