//! Sealed blobs: photos and scanned documents, stored at the relay beside
//! the log and addressed by the SHA-256 of their sealed bytes.
//!
//! ```text
//! offset  size  field
//!      0     4  "TSB1"
//!      4     n  XChaCha20-Poly1305(blob key, nonce = 0, file bytes, aad = "TSB1")
//! ```
//!
//! Each blob has its own key, `HMAC-SHA256(team key, file bytes)`, written in
//! the (sealed) record beside the blob's address: any member who can read
//! the record opens the blob, whatever key epoch the team is at by then, and
//! the relay, which never has a team key, cannot tell which file a blob is.
//! The key depends on the file alone, so the same photo attached twice seals
//! to the same bytes and is stored once; a nonce of zero is safe because a
//! key is only ever used for the one file it was derived from.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::TeamKey;

const MAGIC: &[u8; 4] = b"TSB1";
const TAG_LEN: usize = 16;

/// The largest file anyone may attach: a phone photo is 2–6 MB, a scanned
/// A4 page as PDF well under this.
pub const MAX_BLOB_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The largest sealed blob the relay accepts.
pub const MAX_SEALED_BLOB_BYTES: usize = MAX_BLOB_FILE_BYTES + MAGIC.len() + TAG_LEN;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlobError {
    #[error("the file is {0} bytes; files up to {MAX_BLOB_FILE_BYTES} bytes (10 MB) can be attached")]
    TooLarge(usize),
    #[error("the blob does not match its address")]
    WrongAddress,
    #[error("the blob could not be opened (wrong key or altered)")]
    Decrypt,
}

/// A file sealed for the relay: where it lives, the key that opens it, and
/// the bytes.
pub struct SealedBlob {
    pub address: [u8; 32],
    pub key: [u8; 32],
    pub bytes: Vec<u8>,
}

/// The address of sealed bytes (what the relay checks a put against).
pub fn address_of(sealed: &[u8]) -> [u8; 32] {
    Sha256::digest(sealed).into()
}

/// Seals `file` for the team whose current key is `team_key`.
pub fn seal_blob(team_key: &TeamKey, file: &[u8]) -> Result<SealedBlob, BlobError> {
    if file.len() > MAX_BLOB_FILE_BYTES {
        return Err(BlobError::TooLarge(file.len()));
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&team_key.0).expect("HMAC takes any key length");
    mac.update(b"tsunagi blob key v1\0");
    mac.update(file);
    let key: [u8; 32] = mac.finalize().into_bytes().into();
    let cipher = XChaCha20Poly1305::new((&key).into());
    let sealed = cipher
        .encrypt(&XNonce::default(), Payload { msg: file, aad: MAGIC })
        .map_err(|_| BlobError::Decrypt)?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + sealed.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&sealed);
    Ok(SealedBlob {
        address: address_of(&bytes),
        key,
        bytes,
    })
}

/// Checks `sealed` against its address and opens it with its key.
pub fn open_blob(address: &[u8; 32], key: &[u8; 32], sealed: &[u8]) -> Result<Vec<u8>, BlobError> {
    if address_of(sealed) != *address {
        return Err(BlobError::WrongAddress);
    }
    let body = sealed.strip_prefix(MAGIC.as_slice()).ok_or(BlobError::Decrypt)?;
    XChaCha20Poly1305::new(key.into())
        .decrypt(&XNonce::default(), Payload { msg: body, aad: MAGIC })
        .map_err(|_| BlobError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_seals_opens_and_dedups_within_a_team() {
        let team = TeamKey::random();
        let photo = b"\xff\xd8 a photo MARKER-7f3a".repeat(100);
        let a = seal_blob(&team, &photo).unwrap();
        let b = seal_blob(&team, &photo).unwrap();
        assert_eq!(a.address, b.address, "the same file is stored once");
        assert!(!a.bytes.windows(13).any(|w| w == b"MARKER-7f3a\xff\xd8"));
        assert_eq!(open_blob(&a.address, &a.key, &a.bytes).unwrap(), photo);
        let other_team = seal_blob(&TeamKey::random(), &photo).unwrap();
        assert_ne!(other_team.address, a.address, "another team's copy is not linkable");
    }

    #[test]
    fn altered_or_misaddressed_blobs_and_large_files_are_refused() {
        let team = TeamKey::random();
        let a = seal_blob(&team, b"scan").unwrap();
        let mut bad = a.bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(open_blob(&a.address, &a.key, &bad), Err(BlobError::WrongAddress));
        assert_eq!(open_blob(&address_of(&bad), &a.key, &bad), Err(BlobError::Decrypt));
        assert_eq!(open_blob(&a.address, &[0; 32], &a.bytes), Err(BlobError::Decrypt));
        let big = vec![0u8; MAX_BLOB_FILE_BYTES + 1];
        assert_eq!(seal_blob(&team, &big).err(), Some(BlobError::TooLarge(big.len())));
    }
}
