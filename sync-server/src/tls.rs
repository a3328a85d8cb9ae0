//! The relay's certificate and TLS settings: TLS 1.3 only.
//!
//! Without `--tls-cert/--tls-key` the relay makes a self-signed certificate
//! on first start and keeps it in its data directory; clients pin its
//! SHA-256 fingerprint (it travels in invite codes), so a station's own relay
//! needs no public certificate authority.
//!
//! Devices authenticate with a client certificate made from their own
//! Ed25519 key (MHLW guideline 6.0 asks for client-certificate TLS over open
//! networks). There is no device CA: the handshake proves the device holds
//! the key in its certificate, and the team's signed roster says which keys
//! belong to the team. A certificate is optional at the TLS level so that
//! `/health` answers anyone; every team route requires one.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// SHA-256 of the leaf certificate, 64 hex digits.
    pub fingerprint: String,
}

pub fn load_or_create(data: &Path, cert: Option<&Path>, key: Option<&Path>) -> Result<Tls> {
    let (cert_path, key_path) = match (cert, key) {
        (Some(c), Some(k)) => (c.to_path_buf(), k.to_path_buf()),
        (None, None) => {
            let (c, k) = (data.join("relay-cert.pem"), data.join("relay-key.pem"));
            if !c.exists() {
                let made =
                    rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into(), "::1".into()])
                        .context("making a self-signed certificate")?;
                std::fs::write(&c, made.cert.pem())?;
                write_private(&k, made.key_pair.serialize_pem().as_bytes())?;
                tracing::info!(path = %c.display(), "self-signed certificate created");
            }
            (c, k)
        }
        _ => anyhow::bail!("give both --tls-cert and --tls-key, or neither"),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .with_context(|| format!("reading {}", cert_path.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", cert_path.display()))?;
    let leaf = certs
        .first()
        .with_context(|| format!("no certificate in {}", cert_path.display()))?;
    let fingerprint = hex::encode(Sha256::digest(leaf));
    let key = PrivateKeyDer::from_pem_file(&key_path).with_context(|| format!("reading {}", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(DeviceCertificates { provider }))
        .with_single_cert(certs, key)
        .context("certificate and key do not match")?;
    Ok(Tls {
        config: Arc::new(config),
        fingerprint,
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Accepts any certificate whose key is Ed25519 and checks the handshake
/// signature with it: possession of the device key is what is proven.
#[derive(Debug)]
struct DeviceCertificates {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::server::danger::ClientCertVerifier for DeviceCertificates {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        device_key(end_entity)
            .map(|_| rustls::server::danger::ClientCertVerified::assertion())
            .ok_or_else(|| rustls::Error::General("not an Ed25519 device certificate".into()))
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("TLS 1.2 is not accepted".into()))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The Ed25519 public key in a device certificate.
pub fn device_key(cert: &[u8]) -> Option<[u8; 32]> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    let spki = &parsed.tbs_certificate.subject_pki;
    if spki.algorithm.algorithm.to_id_string() != "1.3.101.112" {
        return None;
    }
    spki.subject_public_key.data.as_ref().try_into().ok()
}
