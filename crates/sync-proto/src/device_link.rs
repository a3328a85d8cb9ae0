//! Device codes: a member's next laptop (a home laptop, a replacement),
//! added from a laptop she already uses.
//!
//! Her laptop makes a random secret and shows a code with the relay's
//! address and certificate fingerprint and the secret. From the secret come,
//! each with its own domain tag, a *link* (an [`InviteCode`] under which the
//! relay keeps, sealed, who she is and which teams she is in) and, for each
//! of those teams, the invite her new laptop joins it with. Each team's
//! invite is an own-laptop invite on its roster (signed by her laptop, naming
//! her member id), so the new laptop can join only as her.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::invite::{encode_code, parse_code};
use crate::{InviteCode, InviteError};

const PREFIX: &str = "tsunagi-device1.";

/// The most a link's sealed contents may hold (the relay refuses more).
pub const MAX_LINK_BYTES: usize = 64 * 1024;

#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCode {
    pub relay_url: String,
    /// Other relays serving the same log, tried when `relay_url` does not answer.
    pub also: Vec<String>,
    pub fingerprint: [u8; 32],
    /// The team the relay files the link under (one of hers).
    pub team: [u8; 16],
    secret: [u8; 32],
}

impl Drop for DeviceCode {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceCode({})", self.relay_url)
    }
}

fn derive(tag: &str, secret: &[u8; 32], extra: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"tsunagi-device-")
        .chain_update(tag.as_bytes())
        .chain_update([0])
        .chain_update(secret)
        .chain_update(extra)
        .finalize()
        .into()
}

impl DeviceCode {
    pub fn new(relay_url: &str, fingerprint: [u8; 32], team: [u8; 16]) -> Self {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        DeviceCode {
            relay_url: relay_url.to_string(),
            also: Vec::new(),
            fingerprint,
            team,
            secret,
        }
    }

    /// Whether `text` looks like a device code (rather than a team invite).
    pub fn is_device_code(text: &str) -> bool {
        text.trim().starts_with(PREFIX)
    }

    /// Every relay address the code carries, the first first.
    pub fn addresses(&self) -> Vec<String> {
        std::iter::once(&self.relay_url).chain(&self.also).cloned().collect()
    }

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
        Ok(DeviceCode {
            relay_url,
            also,
            fingerprint: b[..32].try_into().expect("32 bytes"),
            team: b[32..48].try_into().expect("16 bytes"),
            secret: b[48..80].try_into().expect("32 bytes"),
        })
    }

    /// Where the relay keeps the sealed list of her teams.
    pub fn link(&self) -> InviteCode {
        InviteCode::with_secret(
            (&self.relay_url, &self.also),
            self.fingerprint,
            self.team,
            derive("link", &self.secret, &[]),
        )
    }

    /// The invite her new laptop joins `team` with.
    pub fn team_invite(&self, team: [u8; 16]) -> InviteCode {
        InviteCode::with_secret(
            (&self.relay_url, &self.also),
            self.fingerprint,
            team,
            derive("team", &self.secret, &team),
        )
    }

    /// Seals what the link carries (who she is, her teams) for this code.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new((&derive("seal", &self.secret, &[])).into());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), plain)
            .expect("sealing in memory does not fail");
        [nonce.as_slice(), &ct].concat()
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, InviteError> {
        if sealed.len() < 24 {
            return Err(InviteError::WrongCode);
        }
        let cipher = XChaCha20Poly1305::new((&derive("seal", &self.secret, &[])).into());
        cipher
            .decrypt(XNonce::from_slice(&sealed[..24]), &sealed[24..])
            .map_err(|_| InviteError::WrongCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_code_round_trips_and_is_not_an_invite() {
        let code = DeviceCode::new("https://192.168.10.5:7443", [3; 32], [4; 16]);
        let text = code.encode();
        assert!(text.len() < 170, "{} chars", text.len());
        assert!(DeviceCode::is_device_code(&text));
        assert_eq!(DeviceCode::parse(&format!(" {text}\n")).unwrap(), code);
        assert!(InviteCode::parse(&text).is_err(), "a device code is not a team invite");
        let invite = InviteCode::new("https://192.168.10.5:7443", [3; 32], [4; 16]).encode();
        assert!(!DeviceCode::is_device_code(&invite));
        assert_eq!(DeviceCode::parse(&invite), Err(InviteError::Unreadable));
    }

    #[test]
    fn each_team_gets_its_own_invite_and_only_this_code_opens_the_link() {
        let code = DeviceCode::new("https://relay.example:7443", [3; 32], [4; 16]);
        let (a, b) = (code.team_invite([1; 16]), code.team_invite([2; 16]));
        assert_ne!(a.id(), b.id());
        assert_ne!(a.signing_key().to_bytes(), b.signing_key().to_bytes());
        assert_ne!(code.link().id(), a.id());
        assert_eq!(code.team_invite([1; 16]).id(), a.id(), "derived, so both laptops agree");
        let sealed = code.seal(b"teams");
        assert_eq!(code.open(&sealed).unwrap(), b"teams");
        let other = DeviceCode::new("https://relay.example:7443", [3; 32], [4; 16]);
        assert_eq!(other.open(&sealed), Err(InviteError::WrongCode));
    }
}
