//! Encrypting a profile written before encryption at rest, in one step that
//! cannot lose it:
//!
//! 1. the plaintext file is exported, encrypted, to `tsunagi.db.encrypting`
//!    (`sqlcipher_export`) and synced;
//! 2. the copy is verified: SQLCipher's integrity check and every table's
//!    row count against the original;
//! 3. the original is renamed `tsunagi.db.plaintext`, the copy renamed into
//!    its place (each rename synced);
//! 4. the original's bytes are overwritten with zeros, synced, and it is
//!    deleted.
//!
//! A crash anywhere leaves either the plaintext file under its own name (the
//! next unlock starts over) or the encrypted one with, at worst, a
//! `.plaintext` left to wipe, which [`finish_interrupted`] does. On flash
//! storage overwriting a file does not guarantee the old cells are erased;
//! the guarantee rests on the profile never having held more than what was
//! written before this step.

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::schema::{self, FILE_NAME, SQLITE_MAGIC};
use crate::{StoreError, StoreKey};

const COPY: &str = "tsunagi.db.encrypting";
const OLD: &str = "tsunagi.db.plaintext";

/// What is on disk in a profile directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFile {
    None,
    /// Written before encryption: [`encrypt_plaintext`] turns it into an encrypted one.
    Plaintext,
    Encrypted,
}

/// Looks at `home` (after finishing an interrupted migration).
pub fn profile_file(home: &Path) -> Result<ProfileFile, StoreError> {
    finish_interrupted(home)?;
    let path = home.join(FILE_NAME);
    if !path.exists() {
        return Ok(ProfileFile::None);
    }
    Ok(if is_plaintext(&path)? {
        ProfileFile::Plaintext
    } else {
        ProfileFile::Encrypted
    })
}

/// Whether the file is a profile in clear. Another program's SQLite file
/// is refused here, so it is never "encrypted" as if it were ours.
fn is_plaintext(path: &Path) -> Result<bool, StoreError> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
    if f.read_exact(&mut header).is_err() || &header != SQLITE_MAGIC {
        return Ok(false);
    }
    if !schema::is_ours_in_clear(path)? {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
        });
    }
    Ok(true)
}

/// Puts a directory left by a crash mid-migration back into one state.
pub fn finish_interrupted(home: &Path) -> Result<(), StoreError> {
    let path = home.join(FILE_NAME);
    let old = home.join(OLD);
    if old.exists() {
        if path.exists() {
            // Step 3 done: the encrypted file is in place.
            wipe(&old)?;
        } else {
            // Killed between the two renames: the original goes back.
            rename(&old, &path)?;
        }
    }
    let copy = home.join(COPY);
    if copy.exists() {
        // A copy not yet swapped in is never trusted: start over.
        std::fs::remove_file(&copy).map_err(io(&copy))?;
        sync_dir(home)?;
    }
    Ok(())
}

/// Encrypts the plaintext profile in `home` with `key`, keeping its entries.
pub fn encrypt_plaintext(home: &Path, key: &StoreKey) -> Result<(), StoreError> {
    finish_interrupted(home)?;
    let path = home.join(FILE_NAME);
    if !is_plaintext(&path)? {
        return Err(StoreError::NotAStore { path });
    }
    // The checks above read the file; nothing was written to it yet.
    let copy = home.join(COPY);
    let counts = {
        // CREATE: the attached copy is a new file (the original exists, checked above).
        let plain = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from(e).at(&path))?;
        // Everything in the WAL goes into the main file first, so the export
        // reads one file and nothing is left in a plaintext log.
        plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let counts = row_counts(&plain)?;
        let attach = zeroize::Zeroizing::new(format!(
            "ATTACH DATABASE '{}' AS enc KEY {};",
            copy.display().to_string().replace('\'', "''"),
            key.literal().as_str()
        ));
        plain.execute_batch(&attach)?;
        let user_version: i64 = plain.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        let app_id: i64 = plain.query_row("PRAGMA main.application_id", [], |r| r.get(0))?;
        plain.execute_batch("PRAGMA enc.auto_vacuum = INCREMENTAL;")?;
        plain.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
        plain.execute_batch(&format!(
            "PRAGMA enc.user_version = {user_version}; PRAGMA enc.application_id = {app_id}; DETACH DATABASE enc;"
        ))?;
        counts
    };
    crate::private::restrict_file(&copy)?;
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(io(&copy))?;
    verify(&copy, key, &counts)?;
    let old = home.join(OLD);
    rename(&path, &old)?;
    rename(&copy, &path)?;
    wipe(&old)?;
    for side in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{side}", old.display()));
        if p.exists() {
            wipe(&p)?;
        }
    }
    tracing::info!("profile encrypted at rest");
    Ok(())
}

fn row_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tables
        .into_iter()
        .map(|t| {
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
            Ok((t, n))
        })
        .collect()
}

fn verify(copy: &Path, key: &StoreKey, counts: &[(String, i64)]) -> Result<(), StoreError> {
    let conn = schema::open_existing(copy, key)?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let copied = row_counts(&conn)?;
    if check != "ok" || copied != counts {
        return Err(StoreError::Corrupt {
            path: copy.to_path_buf(),
            detail: format!("the encrypted copy does not match the original ({check}); the original is kept"),
        });
    }
    Ok(())
}

/// Overwrites a file's bytes with zeros, syncs, deletes it.
fn wipe(path: &Path) -> Result<(), StoreError> {
    let len = std::fs::metadata(path).map_err(io(path))?.len();
    let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(io(path))?;
    f.rewind().map_err(io(path))?;
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n]).map_err(io(path))?;
        left -= n as u64;
    }
    f.sync_all().map_err(io(path))?;
    drop(f);
    std::fs::remove_file(path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(io(from))?;
    if let Some(dir) = to.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io(format!("{}: {e}", path.display()))
}
