//! Lockboxes: a secret sealed to one device, so a new team key can travel
//! through the relay to each remaining member when someone is removed.
//!
//! A device has one key pair, Ed25519, on the roster. Its X25519 half is the
//! standard birational map of that key (what libsodium's
//! `crypto_sign_ed25519_pk_to_curve25519` and age's `ssh-ed25519` recipients
//! do), so the roster needs no second key per device. A lockbox is ECIES:
//! an ephemeral X25519 key, HKDF-SHA256 of the shared secret bound to both
//! public keys and a context, then XChaCha20-Poly1305 with the context as
//! associated data.
//!
//! ```text
//! ephemeral public key 32 | nonce 24 | ciphertext (plain + 16-byte tag)
//! ```

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("この端末宛ての鍵を開けません / the lockbox does not open with this device's key")]
pub struct LockboxError;

fn wrapping_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32], context: &[u8]) -> [u8; 32] {
    let salt = [ephemeral.as_slice(), recipient.as_slice()].concat();
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand_multi_info(&[b"tsunagi-lockbox-v1\0", context], &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

/// Seals `plain` so that only the device holding `recipient`'s signing key
/// opens it; `context` (team, epoch, device) must match when opening.
pub fn seal(recipient: &VerifyingKey, context: &[u8], plain: &[u8]) -> Vec<u8> {
    let ephemeral = StaticSecret::random_from_rng(OsRng);
    let eph_pub = PublicKey::from(&ephemeral).to_bytes();
    let to = recipient.to_montgomery().to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(to));
    let key = wrapping_key(shared.as_bytes(), &eph_pub, &to, context);
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let ct = XChaCha20Poly1305::new((&key).into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: context,
            },
        )
        .expect("sealing in memory does not fail");
    [eph_pub.as_slice(), &nonce, &ct].concat()
}

/// Opens a lockbox sealed to `me`.
pub fn open(me: &SigningKey, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, LockboxError> {
    if sealed.len() < 32 + 24 + 16 {
        return Err(LockboxError);
    }
    let eph_pub: [u8; 32] = sealed[..32].try_into().expect("32 bytes");
    let secret = StaticSecret::from(me.to_scalar_bytes());
    let to = me.verifying_key().to_montgomery().to_bytes();
    let shared = secret.diffie_hellman(&PublicKey::from(eph_pub));
    let key = wrapping_key(shared.as_bytes(), &eph_pub, &to, context);
    XChaCha20Poly1305::new((&key).into())
        .decrypt(
            XNonce::from_slice(&sealed[32..56]),
            Payload {
                msg: &sealed[56..],
                aad: context,
            },
        )
        .map_err(|_| LockboxError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_a_lockbox_and_only_in_its_context() {
        let (alice, bob) = (SigningKey::generate(&mut OsRng), SigningKey::generate(&mut OsRng));
        let sealed = seal(&alice.verifying_key(), b"team 1 epoch 2", b"new key");
        assert_eq!(open(&alice, b"team 1 epoch 2", &sealed).unwrap(), b"new key");
        assert_eq!(open(&bob, b"team 1 epoch 2", &sealed), Err(LockboxError));
        assert_eq!(open(&alice, b"team 1 epoch 3", &sealed), Err(LockboxError));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&alice, b"team 1 epoch 2", &tampered), Err(LockboxError));
        assert_eq!(open(&alice, b"team 1 epoch 2", &sealed[..40]), Err(LockboxError));
    }
}
