//! [`StoreKey`]: the key the profile's SQLCipher database is opened with.
//! Where it comes from (passphrase, keychain, recovery key) is
//! profile-lock's business; this crate only applies it.

use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::StoreError;

/// A 256-bit raw SQLCipher key. Zeroed when dropped.
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> StoreKey {
        StoreKey(Zeroizing::new(*bytes))
    }

    /// `x'<64 hex>'`: a raw key, so SQLCipher skips its own PBKDF2 (the key
    /// is already the output of Argon2id or random).
    pub(crate) fn literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0.as_slice())))
    }

    /// Keys a connection; must come before its first read.
    pub(crate) fn apply(&self, conn: &Connection) -> Result<(), StoreError> {
        let sql = Zeroizing::new(format!("PRAGMA key = {};", self.literal().as_str()));
        conn.execute_batch(&sql)?;
        Ok(())
    }
}

impl Clone for StoreKey {
    fn clone(&self) -> Self {
        StoreKey(self.0.clone())
    }
}
