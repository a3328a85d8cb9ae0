//! Attached files on this laptop: each kept sealed exactly as the relay
//! stores it (so it is sent as is and checked against its address when
//! read), inside the encrypted profile. Files this laptop attached wait
//! here until the relay has them; others' arrive thumbnails first, full
//! files when someone opens them.

use care_model::{AttachedTo, BlobRef, EntryId, NewAttachment, TeamId, Timestamp};
use rusqlite::{params, OptionalExtension};
use sync_proto::blob::{open_blob, seal_blob, BlobError};

use crate::{Store, StoreError};

fn hex32(field: &str, s: &str) -> Result<[u8; 32], StoreError> {
    let mut b = [0u8; 32];
    hex::decode_to_slice(s, &mut b).map_err(|_| StoreError::BadInput(format!("{field}: {s}")))?;
    Ok(b)
}

impl From<BlobError> for StoreError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::TooLarge(n) => StoreError::BadInput(format!(
                "ファイルが大きすぎます（{:.1} MB）。添付できるのは 10 MB までです / {e}",
                n as f64 / 1_048_576.0
            )),
            other => StoreError::BadInput(format!("添付ファイルが壊れています / {other}")),
        }
    }
}

/// A sealed file as stored: its address and bytes.
pub type SealedFile = ([u8; 32], Vec<u8>);

/// A file made ready to attach (care-files' `prepare`), and where it goes.
pub struct FileToAttach {
    pub name: String,
    /// The file as [`care_files::prepare`] made it: metadata stripped, with
    /// its thumbnail.
    pub prepared: care_files::Prepared,
    pub to: AttachedTo,
    pub entry: Option<EntryId>,
    pub assessment: Option<EntryId>,
    pub caption: Option<String>,
}

impl Store {
    /// Keeps the file (and its thumbnail) sealed, then records it attached
    /// in one change; the attachment's id. The file is committed first: a
    /// crash between the two leaves an unreferenced blob, never a record
    /// naming a file this laptop lost.
    pub fn attach(&mut self, team: TeamId, f: FileToAttach, now: Timestamp) -> Result<EntryId, StoreError> {
        let p = f.prepared;
        let file = self.keep_file(team, &p.file, now)?;
        let thumb = p.thumb.map(|t| self.keep_file(team, &t, now)).transpose()?;
        let new = NewAttachment {
            name: f.name,
            mime: p.mime.to_string(),
            file,
            thumb,
            width: p.width.map(u64::from),
            height: p.height.map(u64::from),
            to: f.to,
            entry: f.entry,
            assessment: f.assessment,
            caption: f.caption,
        };
        self.change(team, "attach", now, |tx| tx.attach(new))
    }

    /// Seals `file` under the team's current key and keeps it to be sent;
    /// where it lives. Committed before it returns.
    pub fn keep_file(&self, team: TeamId, file: &[u8], now: Timestamp) -> Result<BlobRef, StoreError> {
        let (_, key) = self.latest_team_key(team)?;
        let sealed = seal_blob(&key, file)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO blobs (team_id, address, bytes, sent, stored_at) VALUES (?1, ?2, ?3, 0, ?4)",
            params![team.to_string(), sealed.address.as_slice(), sealed.bytes, now.0],
        )?;
        Ok(BlobRef {
            address: hex::encode(sealed.address),
            key: hex::encode(sealed.key),
            size: file.len() as u64,
        })
    }

    /// Keeps a sealed blob fetched from the relay, once it matches its address.
    pub fn keep_fetched(
        &self,
        team: TeamId,
        address: &[u8; 32],
        sealed: &[u8],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if sync_proto::blob::address_of(sealed) != *address {
            return Err(BlobError::WrongAddress.into());
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO blobs (team_id, address, bytes, sent, stored_at) VALUES (?1, ?2, ?3, 1, ?4)",
            params![team.to_string(), address.as_slice(), sealed, now.0],
        )?;
        Ok(())
    }

    /// The file in clear, if this laptop has it.
    pub fn open_file(&self, team: TeamId, blob: &BlobRef) -> Result<Option<Vec<u8>>, StoreError> {
        let address = hex32("address", &blob.address)?;
        let key = hex32("key", &blob.key)?;
        let sealed: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT bytes FROM blobs WHERE team_id = ?1 AND address = ?2")?
            .query_row(params![team.to_string(), address.as_slice()], |r| r.get(0))
            .optional()?;
        Ok(match sealed {
            Some(s) => Some(open_blob(&address, &key, &s)?),
            None => None,
        })
    }

    /// Whether a sync pass found every thumbnail of the team here (reset by
    /// the pass that receives changes).
    pub fn thumbnails_complete(&self, team: TeamId) -> bool {
        self.thumbnails_complete.contains(&team)
    }

    pub fn set_thumbnails_complete(&mut self, team: TeamId, complete: bool) {
        if complete {
            self.thumbnails_complete.insert(team);
        } else {
            self.thumbnails_complete.remove(&team);
        }
    }

    /// Of these addresses, those this laptop does not have.
    pub fn missing_blobs<'a>(
        &self,
        team: TeamId,
        addresses: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<[u8; 32]>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM blobs WHERE team_id = ?1 AND address = ?2")?;
        let mut missing = Vec::new();
        for a in addresses {
            let address = hex32("address", a)?;
            if stmt
                .query_row(params![team.to_string(), address.as_slice()], |_| Ok(()))
                .optional()?
                .is_none()
            {
                missing.push(address);
            }
        }
        Ok(missing)
    }

    /// Files attached here that the relay does not have yet, smallest
    /// (thumbnails) first.
    pub fn unsent_blobs(&self, team: TeamId) -> Result<Vec<SealedFile>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT address, bytes FROM blobs WHERE team_id = ?1 AND sent = 0 ORDER BY length(bytes), stored_at",
        )?;
        let rows = stmt.query_map([team.to_string()], |r| {
            let a: Vec<u8> = r.get(0)?;
            Ok((a, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (a, bytes) = row?;
            if let Ok(address) = <[u8; 32]>::try_from(a.as_slice()) {
                out.push((address, bytes));
            }
        }
        Ok(out)
    }

    /// How many attached files wait to be sent, over all teams.
    pub fn unsent_blob_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM blobs WHERE sent = 0", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The relay has stored this blob.
    pub fn mark_blob_sent(&self, team: TeamId, address: &[u8; 32]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE blobs SET sent = 1 WHERE team_id = ?1 AND address = ?2",
            params![team.to_string(), address.as_slice()],
        )?;
        Ok(())
    }
}
