//! `sync-server`: the Tsunagi relay.
//!
//! A small server written to be read. It keeps, per care team, an
//! append-only log of sealed envelopes that it cannot open, and hands them to
//! the team's laptops. Layout:
//! - `main.rs`: flags and start-up;
//! - `tls.rs`: the certificate (self-signed on first start) and TLS 1.3;
//! - `server.rs`: the accept loop and graceful shutdown;
//! - `routes.rs`: one handler per endpoint;
//! - `limits.rs`: request-rate limits (429);
//! - `log_store.rs`: the append-only log in SQLite;
//! - `error.rs`: the JSON error body.
//!
//! **Invariants:** it never parses automerge and never holds a team key;
//! an append is acknowledged only after it is durably committed; logs carry
//! no payloads.

mod error;
mod limits;
mod log_store;
mod push;
mod routes;
mod server;
mod tls;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;

/// Tsunagi relay: stores and forwards sealed envelopes it cannot read.
#[derive(Debug, Parser)]
#[command(
    version,
    after_help = "On start it prints `listening on https://ADDR` and `fingerprint HEX` (the certificate's SHA-256) on stdout."
)]
struct Flags {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7443")]
    listen: String,
    /// Directory for the log database and the self-signed certificate.
    #[arg(long)]
    data: PathBuf,
    /// PEM certificate chain (with --tls-key); default: self-signed, kept in --data.
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long)]
    tls_key: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let flags = Flags::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TSUNAGI_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    std::fs::create_dir_all(&flags.data).with_context(|| format!("creating {}", flags.data.display()))?;
    let tls = tls::load_or_create(&flags.data, flags.tls_cert.as_deref(), flags.tls_key.as_deref())?;
    let store = log_store::LogStore::open(&flags.data).context("opening the log database")?;
    let listener = tokio::net::TcpListener::bind(&flags.listen)
        .await
        .with_context(|| format!("listening on {}", flags.listen))?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on https://{addr}")?;
        writeln!(out, "fingerprint {}", tls.fingerprint)?;
        out.flush()?;
    }
    tracing::info!(%addr, incarnation = store.incarnation(), "relay started");
    server::serve(listener, tls.config, routes::router(store.clone()), shutdown_signal()).await;
    // Everything acknowledged is committed; fold the WAL into relay.db so a
    // stopped relay's data directory is one self-contained file to back up.
    if let Err(e) = store.checkpoint() {
        tracing::warn!(error = %e, "could not checkpoint the log database; relay.db-wal holds the newest data");
    }
    tracing::info!("relay stopped");
    Ok(())
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
