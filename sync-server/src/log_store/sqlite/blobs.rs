//! Sealed blobs (photos, scans) beside the log: stored once per team and
//! address (the SHA-256 of the sealed bytes, checked here), counted in the
//! team's quota with its envelopes. The relay cannot open them.

use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::log_store::{BlobPutError, NewBlob};

pub(super) fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS blobs (
             team        BLOB NOT NULL,
             address     BLOB NOT NULL,
             bytes       BLOB NOT NULL,
             sender      BLOB NOT NULL,
             received_at INTEGER NOT NULL,
             PRIMARY KEY (team, address)
         );",
    )
}

impl From<rusqlite::Error> for BlobPutError {
    fn from(e: rusqlite::Error) -> Self {
        BlobPutError::Storage(e.into())
    }
}

impl SqliteStore {
    /// Stores a member's sealed blob; false when it was already stored.
    /// Committed (synchronous = FULL) before it returns.
    pub fn put_blob(&self, blob: &NewBlob, now_ms: i64) -> Result<bool, BlobPutError> {
        let NewBlob {
            team,
            address,
            bytes,
            sender,
        } = blob;
        if sync_proto::blob::address_of(bytes) != *address {
            return Err(BlobPutError::WrongAddress);
        }
        let mut conn = self.conn.lock().expect("log lock");
        let tx = conn.transaction()?;
        let have: bool = tx
            .prepare_cached("SELECT 1 FROM blobs WHERE team = ?1 AND address = ?2")?
            .query_row(params![team.as_slice(), address.as_slice()], |_| Ok(()))
            .optional()?
            .is_some();
        if have {
            return Ok(false);
        }
        let used: i64 = tx
            .prepare_cached("SELECT coalesce(max(bytes), 0) FROM usage WHERE team = ?1")?
            .query_row([team.as_slice()], |r| r.get(0))?;
        if used as u64 + bytes.len() as u64 > self.policy.team_quota_bytes {
            return Err(BlobPutError::TeamQuota);
        }
        tx.prepare_cached("INSERT INTO blobs (team, address, bytes, sender, received_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![
                team.as_slice(),
                address.as_slice(),
                bytes,
                sender.as_slice(),
                now_ms
            ])?;
        tx.prepare_cached(
            "INSERT INTO usage (team, bytes) VALUES (?1, ?2) ON CONFLICT (team) DO UPDATE SET bytes = bytes + excluded.bytes",
        )?
        .execute(params![team.as_slice(), bytes.len() as i64])?;
        tx.commit()?;
        Ok(true)
    }

    /// A team's sealed blob, if stored.
    pub fn blob(&self, team: &[u8; 16], address: &[u8; 32]) -> rusqlite::Result<Option<Vec<u8>>> {
        let conn = self.conn.lock().expect("log lock");
        let bytes = conn
            .prepare_cached("SELECT bytes FROM blobs WHERE team = ?1 AND address = ?2")?
            .query_row(params![team.as_slice(), address.as_slice()], |r| r.get(0))
            .optional()?;
        Ok(bytes)
    }
}
