//! How a relay reaches PostgreSQL. Over a Unix socket or a private network,
//! plainly (the default). With `sslmode=require`, over TLS 1.2/1.3
//! (rustls), and the server's certificate is always checked: against the
//! PEM file named by `sslrootcert=FILE` (libpq's name for it) or else the
//! public authorities, with the host name or address checked as libpq's
//! `verify-full` does. `sslrootcert` is taken out of the settings here:
//! tokio-postgres does not know it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::log_store::StoreError;

/// The store's connection settings and how to secure them.
#[derive(Clone)]
pub(crate) struct Connection {
    pub(crate) config: tokio_postgres::Config,
    pub(crate) tls: Option<MakeRustlsConnect>,
}

impl Connection {
    /// Reads `--store` (`postgres://…` or `key=value …`).
    pub(crate) fn parse(url: &str) -> Result<Connection, StoreError> {
        let (url, root) = take_root_cert(url);
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Postgres(format!("the --store address: {e}")))?;
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(MakeRustlsConnect::new(client_config(root.as_deref())?)),
            _ => None,
        };
        Ok(Connection { config, tls })
    }

    /// A pool manager over this connection.
    pub(crate) fn manager(&self) -> Manager {
        let config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        match &self.tls {
            Some(tls) => Manager::from_config(self.config.clone(), tls.clone(), config),
            None => Manager::from_config(self.config.clone(), NoTls, config),
        }
    }

    /// One client outside the pool (its connection runs on a task).
    pub(crate) async fn connect(&self) -> Result<tokio_postgres::Client, StoreError> {
        Ok(match &self.tls {
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await?;
                tokio::spawn(connection);
                client
            }
            None => {
                let (client, connection) = self.config.connect(NoTls).await?;
                tokio::spawn(connection);
                client
            }
        })
    }
}

/// The settings without `sslrootcert`, and the file it named.
fn take_root_cert(url: &str) -> (String, Option<PathBuf>) {
    const KEY: &str = "sslrootcert=";
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_string(), None);
        };
        let mut root = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| match p.strip_prefix(KEY) {
                Some(file) => {
                    root = Some(PathBuf::from(file));
                    false
                }
                None => true,
            })
            .collect();
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return (url, root);
    }
    let mut root = None;
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|p| match p.strip_prefix(KEY) {
            Some(file) => {
                root = Some(PathBuf::from(file));
                false
            }
            None => true,
        })
        .collect();
    (kept.join(" "), root)
}

fn client_config(root: Option<&Path>) -> Result<rustls::ClientConfig, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    match root {
        Some(file) => {
            let certs = CertificateDer::pem_file_iter(file)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| StoreError::Postgres(format!("sslrootcert {}: {e}", file.display())))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(StoreError::Postgres(format!(
                    "sslrootcert {}: no certificate in it",
                    file.display()
                )));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Postgres(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_either_form() {
        let (url, root) = take_root_cert("host=db port=5432 sslmode=require sslrootcert=/etc/ca.pem user=t");
        assert_eq!(url, "host=db port=5432 sslmode=require user=t");
        assert_eq!(root.as_deref(), Some(Path::new("/etc/ca.pem")));
        let (url, root) = take_root_cert("postgres://t@db/tsunagi?sslmode=require&sslrootcert=/etc/ca.pem");
        assert_eq!(url, "postgres://t@db/tsunagi?sslmode=require");
        assert_eq!(root.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert_eq!(take_root_cert("postgres://t@db/x").1, None);
    }
}
