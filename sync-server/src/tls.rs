//! The relay's certificate and TLS settings: TLS 1.3 only.
//!
//! Without `--tls-cert/--tls-key` the relay makes a self-signed certificate
//! on first start and keeps it in its data directory; clients pin its
//! SHA-256 fingerprint (it travels in invite codes), so a station's own relay
//! needs no public certificate authority.

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
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
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
