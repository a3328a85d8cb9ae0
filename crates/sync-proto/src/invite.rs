//! Invite codes: how a team forms in a day without anyone typing a password.
//!
//! The inviter's laptop makes a random 32-byte secret and shows a code that
//! carries the relay's address and certificate fingerprint, the team id and
//! the secret. Everything else is derived from the secret, each with its own
//! domain tag:
//! - the invite id the relay files it under;
//! - a claim token (the relay keeps only its hash) that redeems it once;
//! - the invite signing key whose public half the inviter puts in the roster;
//! - the key that seals the team's keys (every epoch, so a newcomer reads
//!   the whole record) for the invitee.
//!
//! The relay never sees the secret, so it can neither read the team key nor
//! forge the join. The code is one line of text (and a QR code in the app).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::TeamKey;

const PREFIX: &str = "tsunagi1.";

#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode {
    pub relay_url: String,
    /// Other relays serving the same log (one PostgreSQL behind them all),
    /// tried in turn when `relay_url` does not answer.
    pub also: Vec<String>,
    pub fingerprint: [u8; 32],
    pub team: [u8; 16],
    secret: [u8; 32],
}

impl Drop for InviteCode {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InviteCode({}, team {})", self.relay_url, hex::encode(self.team))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InviteError {
    #[error("招待コードが読めません。もう一度コピーしてください / the invite code is not readable; copy it again")]
    Unreadable,
    #[error("招待コードの鍵を開けません / the invite's sealed key does not open with this code")]
    WrongCode,
}

/// The most relay addresses a code carries.
pub const MAX_RELAYS: usize = 8;

/// `prefix` and base64url of fingerprint, team, secret and the addresses.
pub(crate) fn encode_code(
    prefix: &str,
    fingerprint: &[u8; 32],
    team: &[u8; 16],
    secret: &[u8; 32],
    relay_url: &str,
    also: &[String],
) -> String {
    let addresses = std::iter::once(relay_url)
        .chain(also.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let mut b = Vec::with_capacity(80 + addresses.len());
    b.extend_from_slice(fingerprint);
    b.extend_from_slice(team);
    b.extend_from_slice(secret);
    b.extend_from_slice(addresses.as_bytes());
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b))
}

/// The raw bytes of a code (fingerprint, team, secret first), its first
/// relay address and the others.
pub(crate) fn parse_code(prefix: &str, code: &str) -> Result<(Vec<u8>, String, Vec<String>), InviteError> {
    let body = code.trim().strip_prefix(prefix).ok_or(InviteError::Unreadable)?;
    let b = URL_SAFE_NO_PAD.decode(body).map_err(|_| InviteError::Unreadable)?;
    if b.len() < 81 {
        return Err(InviteError::Unreadable);
    }
    let text = std::str::from_utf8(&b[80..]).map_err(|_| InviteError::Unreadable)?;
    let mut addresses = text.split(' ').map(str::to_string);
    let relay_url = addresses.next().ok_or(InviteError::Unreadable)?;
    let also: Vec<String> = addresses.collect();
    if also.len() >= MAX_RELAYS
        || !std::iter::once(&relay_url)
            .chain(&also)
            .all(|a| a.starts_with("https://"))
    {
        return Err(InviteError::Unreadable);
    }
    Ok((b, relay_url, also))
}

fn derive(tag: &str, secret: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tsunagi-invite-");
    h.update(tag.as_bytes());
    h.update([0]);
    h.update(secret);
    h.finalize().into()
}

impl InviteCode {
    pub fn new(relay_url: &str, fingerprint: [u8; 32], team: [u8; 16]) -> Self {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        InviteCode {
            relay_url: relay_url.to_string(),
            also: Vec::new(),
            fingerprint,
            team,
            secret,
        }
    }

    /// An invite whose secret was derived elsewhere (a device code's).
    pub(crate) fn with_secret(
        relays: (&str, &[String]),
        fingerprint: [u8; 32],
        team: [u8; 16],
        secret: [u8; 32],
    ) -> Self {
        InviteCode {
            relay_url: relays.0.to_string(),
            also: relays.1.to_vec(),
            fingerprint,
            team,
            secret,
        }
    }

    /// Every relay address the code carries, the first first.
    pub fn addresses(&self) -> Vec<String> {
        std::iter::once(&self.relay_url).chain(&self.also).cloned().collect()
    }

    /// `tsunagi1.` and base64url of fingerprint, team, secret and the
    /// relay addresses (space-separated).
    pub fn encode(&self) -> String {
        encode_code(
            PREFIX,
            &self.fingerprint,
            &self.team,
            &self.secret,
            &self.relay_url,
            &self.also,
        )
    }

    pub fn parse(code: &str) -> Result<Self, InviteError> {
        let (b, relay_url, also) = parse_code(PREFIX, code)?;
        Ok(InviteCode {
            relay_url,
            also,
            fingerprint: b[..32].try_into().expect("32 bytes"),
            team: b[32..48].try_into().expect("16 bytes"),
            secret: b[48..80].try_into().expect("32 bytes"),
        })
    }

    /// Where the relay files the invite.
    pub fn id(&self) -> [u8; 32] {
        derive("id", &self.secret)
    }

    /// Presented once to redeem the invite.
    pub fn claim_token(&self) -> [u8; 32] {
        derive("claim", &self.secret)
    }

    /// What the relay keeps to check a claim.
    pub fn claim_hash(&self) -> [u8; 32] {
        Sha256::digest(self.claim_token()).into()
    }

    /// Signs the invitee's join; its public half goes into the roster.
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&derive("sign", &self.secret))
    }

    /// The team's keys with their epochs, sealed for whoever holds this code.
    pub fn seal_team_keys(&self, keys: &[(u32, TeamKey)]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let mut plain = Vec::with_capacity(36 * keys.len());
        for (epoch, key) in keys {
            plain.extend_from_slice(&epoch.to_be_bytes());
            plain.extend_from_slice(&key.0);
        }
        let cipher = XChaCha20Poly1305::new((&derive("seal", &self.secret)).into());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .expect("sealing in memory does not fail");
        [nonce.as_slice(), &ct].concat()
    }

    pub fn open_team_keys(&self, sealed: &[u8]) -> Result<Vec<(u32, TeamKey)>, InviteError> {
        if sealed.len() < 24 {
            return Err(InviteError::WrongCode);
        }
        let cipher = XChaCha20Poly1305::new((&derive("seal", &self.secret)).into());
        let plain = cipher
            .decrypt(XNonce::from_slice(&sealed[..24]), &sealed[24..])
            .map_err(|_| InviteError::WrongCode)?;
        if plain.is_empty() || plain.len() % 36 != 0 {
            return Err(InviteError::WrongCode);
        }
        Ok(plain
            .chunks_exact(36)
            .map(|c| {
                let epoch = u32::from_be_bytes(c[..4].try_into().expect("4 bytes"));
                (epoch, TeamKey(c[4..].try_into().expect("32 bytes")))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_code_is_one_pasteable_line_that_round_trips() {
        let code = InviteCode::new("https://192.168.10.5:7443", [3; 32], [4; 16]);
        let text = code.encode();
        assert!(text.len() < 160, "{} chars", text.len());
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        let back = InviteCode::parse(&format!("  {text}\n")).unwrap();
        assert_eq!(back, code);
        assert_eq!(InviteCode::parse("tsunagi1.AAAA"), Err(InviteError::Unreadable));
        assert_eq!(InviteCode::parse("hello"), Err(InviteError::Unreadable));
    }

    #[test]
    fn a_code_carries_every_relay_address_and_refuses_a_bad_one() {
        let mut code = InviteCode::new("https://relay-a.example:7443", [3; 32], [4; 16]);
        code.also = vec!["https://relay-b.example:7443".into(), "https://10.0.0.3:7443".into()];
        let back = InviteCode::parse(&code.encode()).unwrap();
        assert_eq!(back.relay_url, "https://relay-a.example:7443");
        assert_eq!(back.also, code.also);
        code.also = vec!["http://plain.example".into()];
        assert_eq!(InviteCode::parse(&code.encode()), Err(InviteError::Unreadable));
        code.also = vec!["https://r.example".into(); MAX_RELAYS];
        assert_eq!(InviteCode::parse(&code.encode()), Err(InviteError::Unreadable));
    }

    #[test]
    fn only_the_right_code_opens_the_team_key() {
        let code = InviteCode::new("https://relay.example:7443", [3; 32], [4; 16]);
        let keys = vec![(0, TeamKey::random()), (1, TeamKey::random())];
        let sealed = code.seal_team_keys(&keys);
        assert_eq!(code.open_team_keys(&sealed).unwrap(), keys);
        let other = InviteCode::new("https://relay.example:7443", [3; 32], [4; 16]);
        assert_eq!(other.open_team_keys(&sealed), Err(InviteError::WrongCode));
        assert_ne!(code.id(), other.id());
        assert_ne!(
            code.claim_hash(),
            code.claim_token(),
            "the relay keeps a hash, not the token"
        );
    }
}
