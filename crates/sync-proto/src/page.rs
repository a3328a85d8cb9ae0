//! A page of a team's relay log, as the relay sends it: for each envelope,
//! its relay sequence number (u64, big-endian), its length (u32, big-endian)
//! and its bytes.

use crate::{EnvelopeError, MAX_ENVELOPE_BYTES};

/// Header naming the relay's incarnation on every log response.
pub const INCARNATION_HEADER: &str = "x-tsunagi-incarnation";
/// Header giving the team's highest sequence number.
pub const HIGH_WATER_HEADER: &str = "x-tsunagi-high-water";
/// Header giving how many membership ops the team's roster holds, so a
/// laptop fetches the roster only when it changed.
pub const ROSTER_HEADER: &str = "x-tsunagi-roster-ops";
/// Header giving the log seq covered by the team's stored snapshot (0: none).
pub const SNAPSHOT_HEADER: &str = "x-tsunagi-snapshot";
/// Headers of a log read: the running hash of the team's log up to the
/// read's `after` seq, and up to the page's last envelope (64 hex digits;
/// zeros before the first). A laptop keeps the one at its cursor: a log that
/// no longer matches it was put back from a backup, even with its
/// incarnation file.
pub const CHAIN_AFTER_HEADER: &str = "x-tsunagi-chain-after";
pub const CHAIN_END_HEADER: &str = "x-tsunagi-chain-end";
/// Most envelopes in one page.
pub const MAX_PAGE: u32 = 500;
/// Response header of a log read: seqs of envelopes a member reported as
/// damaged and the relay confirmed (their signature fails), comma-separated;
/// a laptop holding a genuine copy sends it again, and the relay repairs.
pub const DAMAGED_HEADER: &str = "x-tsunagi-damaged";

pub fn encode_page<'a>(entries: impl IntoIterator<Item = (u64, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (seq, bytes) in entries {
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

pub fn decode_page(mut b: &[u8]) -> Result<Vec<(u64, Vec<u8>)>, EnvelopeError> {
    let mut out = Vec::new();
    while !b.is_empty() {
        if b.len() < 12 {
            return Err(EnvelopeError::Malformed("truncated page"));
        }
        let seq = u64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
        let len = u32::from_be_bytes(b[8..12].try_into().expect("4 bytes")) as usize;
        if len > MAX_ENVELOPE_BYTES || b.len() < 12 + len {
            return Err(EnvelopeError::Malformed("truncated page"));
        }
        out.push((seq, b[12..12 + len].to_vec()));
        b = &b[12 + len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_and_truncation_is_an_error() {
        let page = encode_page([(1, &b"abc"[..]), (2, &b""[..])]);
        assert_eq!(decode_page(&page).unwrap(), vec![(1, b"abc".to_vec()), (2, vec![])]);
        for cut in 1..page.len() {
            if cut != 15 {
                assert!(decode_page(&page[..cut]).is_err(), "cut {cut}");
            }
        }
    }
}
