//! Audit checkpoints: the relay countersigns "device D's access-log chain
//! in scope S has N entries ending in hash H", with its own clock. It never
//! sees the entries (they travel sealed); a laptop that later deletes,
//! rewrites or truncates its chain no longer matches what was signed here.
//! The relay's signing key is made once and kept in `meta`.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use sync_proto::Checkpoint;

use super::SqliteStore;
use crate::log_store::{ChainClaim, CheckpointError};

pub(super) fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS audit_checkpoints (
             team        BLOB NOT NULL,
             device      BLOB NOT NULL,
             scope       BLOB NOT NULL,
             seq         INTEGER NOT NULL,
             checkpoint  TEXT NOT NULL,
             PRIMARY KEY (team, device, scope)
         );",
    )?;
    let have: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_key'", [], |r| r.get(0))
        .optional()?;
    if have.is_none() {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_key', ?1)",
            [hex::encode(key.to_bytes())],
        )?;
    }
    Ok(())
}

fn signing_key(conn: &Connection) -> rusqlite::Result<SigningKey> {
    let text: String = conn.query_row("SELECT value FROM meta WHERE key = 'audit_key'", [], |r| r.get(0))?;
    let mut seed = [0u8; 32];
    hex::decode_to_slice(&text, &mut seed).map_err(|e| rusqlite::Error::InvalidParameterName(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

impl From<rusqlite::Error> for CheckpointError {
    fn from(e: rusqlite::Error) -> Self {
        CheckpointError::Storage(e.into())
    }
}

impl SqliteStore {
    /// The relay's public key for checkpoints (hex), for laptops to pin.
    pub fn audit_key(&self) -> rusqlite::Result<[u8; 32]> {
        let conn = self.conn.lock().expect("log lock");
        Ok(signing_key(&conn)?.verifying_key().to_bytes())
    }

    /// Countersigns a device's chain head. Only the device itself (its
    /// certificate's key is its roster key) may ask, and never for fewer
    /// entries than were signed before.
    pub fn audit_checkpoint(
        &self,
        team: &[u8; 16],
        peer: &[u8; 32],
        claim: ChainClaim,
        now_ms: i64,
    ) -> Result<Checkpoint, CheckpointError> {
        let ChainClaim {
            device,
            scope,
            seq,
            head,
        } = claim;
        let conn = self.conn.lock().expect("log lock");
        let roster = self.roster(&conn, team)?;
        if roster.key(&device).map(|k| k.to_bytes()) != Some(*peer) {
            return Err(CheckpointError::NotYours);
        }
        let scope_bytes = scope.map(|s| s.to_vec()).unwrap_or_default();
        let signed: Option<i64> = conn
            .query_row(
                "SELECT seq FROM audit_checkpoints WHERE team = ?1 AND device = ?2 AND scope = ?3",
                params![team.as_slice(), device.as_slice(), scope_bytes],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(signed) = signed {
            if (signed as u64) > seq {
                return Err(CheckpointError::Shorter { signed: signed as u64 });
            }
        }
        let c = Checkpoint::countersign(&signing_key(&conn)?, device, scope, seq, head, now_ms);
        conn.execute(
            "INSERT OR REPLACE INTO audit_checkpoints (team, device, scope, seq, checkpoint) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                team.as_slice(),
                device.as_slice(),
                scope_bytes,
                seq as i64,
                serde_json::to_string(&c).expect("checkpoints serialise")
            ],
        )?;
        Ok(c)
    }

    /// The latest checkpoint of every chain of the team's devices.
    pub fn audit_checkpoints(&self, team: &[u8; 16]) -> rusqlite::Result<Vec<Checkpoint>> {
        let conn = self.conn.lock().expect("log lock");
        let texts: Vec<String> = conn
            .prepare("SELECT checkpoint FROM audit_checkpoints WHERE team = ?1")?
            .query_map([team.as_slice()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(texts.iter().filter_map(|t| serde_json::from_str(t).ok()).collect())
    }
}
