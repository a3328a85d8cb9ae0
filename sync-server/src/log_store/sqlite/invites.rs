//! Invites (a sealed team key waiting for its claimant) and enrolment (who
//! may start teams on this relay).

use std::path::Path;

use super::SqliteStore;
use crate::log_store::{code_hash, new_code, now_ms, ClaimError, EnrolError, NewInvite, MAX_OPEN_INVITES};
use rusqlite::{params, Connection, OptionalExtension};

/// The tables of enrolment: codes the operator printed (by their hash), and
/// the devices that used one.
pub(super) fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS enrolment_codes (
             code_hash   BLOB PRIMARY KEY,
             expires_ms  INTEGER NOT NULL,
             used_by     BLOB
         );
         CREATE TABLE IF NOT EXISTS enrolled (
             device_key  BLOB PRIMARY KEY,
             enrolled_at INTEGER NOT NULL
         );",
    )
}

/// Makes a one-time enrolment code valid for `days`, straight in the
/// database (the relay may be running: SQLite's WAL lets both write).
/// Only its hash is kept.
pub fn new_enrolment(dir: &Path, days: u32) -> rusqlite::Result<String> {
    let conn = Connection::open(dir.join("relay.db"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA synchronous = FULL;")?;
    create_tables(&conn)?;
    let code = new_code();
    let expires = now_ms() + i64::from(days.max(1)) * 24 * 3600 * 1000;
    conn.execute(
        "INSERT INTO enrolment_codes (code_hash, expires_ms) VALUES (?1, ?2)",
        params![code_hash(&code).as_slice(), expires],
    )?;
    Ok(code)
}

/// Whether the device with this key was enrolled (`conn` is locked).
pub(super) fn is_enrolled(conn: &Connection, key: &[u8; 32]) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM enrolled WHERE device_key = ?1)")?
        .query_row([key.as_slice()], |r| r.get(0))
}

impl From<rusqlite::Error> for EnrolError {
    fn from(e: rusqlite::Error) -> Self {
        EnrolError::Storage(e.into())
    }
}

/// team, claim hash, sealed key, expiry, when used, by which device key.
type InviteRow = (Vec<u8>, Vec<u8>, Vec<u8>, i64, Option<i64>, Option<Vec<u8>>);

impl From<rusqlite::Error> for ClaimError {
    fn from(e: rusqlite::Error) -> Self {
        ClaimError::Storage(e.into())
    }
}

impl SqliteStore {
    /// Enrols the device with key `device` by a code from `sync-server
    /// enrol`: it may then start teams here. The same device enrolling
    /// again with its code is fine.
    pub fn enrol(&self, code: &str, device: &[u8; 32], now_ms: i64) -> Result<(), EnrolError> {
        let mut conn = self.conn.lock().expect("log lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, Option<Vec<u8>>)> = tx
            .query_row(
                "SELECT expires_ms, used_by FROM enrolment_codes WHERE code_hash = ?1",
                [code_hash(code).as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((expires, None)) if expires >= now_ms => {}
            Some((_, Some(by))) if by.as_slice() == device.as_slice() => return Ok(()),
            _ => return Err(EnrolError::Invalid),
        }
        tx.execute(
            "UPDATE enrolment_codes SET used_by = ?2 WHERE code_hash = ?1",
            params![code_hash(code).as_slice(), device.as_slice()],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO enrolled (device_key, enrolled_at) VALUES (?1, ?2)",
            params![device.as_slice(), now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the sealed team key of an invite until it is used or expires
    /// (at most a week from now, whatever was asked). `false`: the team has
    /// as many invites waiting as it may.
    pub fn put_invite(&self, invite: &NewInvite, now_ms: i64) -> rusqlite::Result<bool> {
        let NewInvite {
            id,
            team,
            claim_hash,
            sealed,
            invite_key,
            expires_ms,
        } = invite;
        let conn = self.conn.lock().expect("log lock");
        // Expired invites, used or not, are deleted: nothing keeps a sealed
        // team key here longer than a week.
        conn.execute("DELETE FROM invites WHERE expires_ms < ?1", [now_ms])?;
        let waiting: i64 = conn.query_row("SELECT count(*) FROM invites WHERE team = ?1", [team.as_slice()], |r| {
            r.get(0)
        })?;
        if waiting >= MAX_OPEN_INVITES {
            return Ok(false);
        }
        let expires_ms = (*expires_ms).min(now_ms.saturating_add(sync_proto::MAX_INVITE_MS));
        conn.execute(
            "INSERT OR IGNORE INTO invites (id, team, claim_hash, sealed, expires_ms, invite_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.as_slice(),
                team.as_slice(),
                claim_hash.as_slice(),
                sealed,
                expires_ms,
                invite_key.map(|k| k.to_vec())
            ],
        )?;
        Ok(true)
    }

    /// Redeems an invite for one device: returns the team and the sealed
    /// team key. The same device asking again (its answer was cut on a
    /// flaky link) gets the same answer until the invite expires; any other
    /// device gets `Gone`.
    pub fn claim_invite(
        &self,
        id: &[u8; 32],
        token: &[u8; 32],
        claimant: &[u8; 32],
        now_ms: i64,
    ) -> Result<([u8; 16], Vec<u8>), ClaimError> {
        let mut conn = self.conn.lock().expect("log lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM invites WHERE expires_ms < ?1", [now_ms])?;
        let row: Option<InviteRow> = tx
            .query_row(
                "SELECT team, claim_hash, sealed, expires_ms, used_at, claimed_by FROM invites WHERE id = ?1",
                [id.as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((team, claim_hash, sealed, expires, used, by)) = row else {
            tx.commit()?;
            return Err(ClaimError::NotFound);
        };
        let presented: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(token).into();
        if presented.as_slice() != claim_hash.as_slice() {
            return Err(ClaimError::NotFound);
        }
        if expires < now_ms {
            return Err(ClaimError::Gone);
        }
        if used.is_some() {
            return match by {
                Some(by) if by.as_slice() == claimant.as_slice() => {
                    Ok((team.try_into().map_err(|_| ClaimError::NotFound)?, sealed))
                }
                _ => Err(ClaimError::Gone),
            };
        }
        tx.execute(
            "UPDATE invites SET used_at = ?2, claimed_by = ?3 WHERE id = ?1",
            params![id.as_slice(), now_ms, claimant.as_slice()],
        )?;
        tx.commit()?;
        Ok((team.try_into().map_err(|_| ClaimError::NotFound)?, sealed))
    }
}
