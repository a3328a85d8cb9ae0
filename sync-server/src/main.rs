//! `sync-server`: the Tsunagi relay.
//!
//! A small server written to be read. It keeps, per care team, an
//! append-only log of sealed envelopes that it cannot open, and hands them to
//! the team's laptops. Layout:
//! - `main.rs`: flags and start-up;
//! - `tls.rs`: the certificate (self-signed on first start) and TLS 1.3;
//! - `server.rs`: the accept loop and graceful shutdown;
//! - `routes/`: one file per endpoint;
//! - `limits.rs`: request-rate limits (429);
//! - `policy.rs`: what the operator allows (enrolment, quotas, the
//!   free-space floor, connection caps);
//! - `log_store/`: the `LogStore` trait and its engines: SQLite (one file
//!   in --data, the default) and PostgreSQL (`--store postgres://…`, several
//!   relays on one database);
//! - `error.rs`: the JSON error body.
//!
//! **Invariants:** it never parses automerge and never holds a team key;
//! an append is acknowledged only after it is durably committed; logs carry
//! no payloads.

mod error;
mod limits;
mod log_store;
mod policy;
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
    after_help = "On start it prints `listening on https://ADDR` and `fingerprint HEX` (the certificate's SHA-256) on stdout.\n\
New teams are taken only from devices enrolled with a code from `sync-server enrol` (or from anyone with --open-registration); joining a team by invite needs no enrolment."
)]
struct Flags {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7443")]
    listen: String,
    /// Directory for the log database and the self-signed certificate.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Keep the log in PostgreSQL instead of SQLite in --data: a URL
    /// (`postgres://user@host/db`) or key=value settings (`host=/run/postgresql
    /// dbname=tsunagi`). Every relay given the same database serves every team.
    #[arg(long, global = true, env = "TSUNAGI_RELAY_STORE")]
    store: Option<String>,
    /// PEM certificate chain (with --tls-key); default: self-signed, kept in --data.
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// Take new teams from any device, enrolled or not (a closed network, tests).
    #[arg(long)]
    open_registration: bool,
    /// The most one team's log may hold, in MB.
    #[arg(long, default_value_t = 1024)]
    team_quota_mb: u64,
    /// Appends one device may make per hour.
    #[arg(long, default_value_t = 10_000)]
    device_appends_per_hour: u32,
    /// Refuse appends (507, reads go on) below this much free disk, in MB.
    #[arg(long, default_value_t = 1024)]
    min_free_mb: u64,
    /// Open connections in all.
    #[arg(long, default_value_t = 20_000)]
    max_connections: usize,
    /// Open connections from one address (a station behind one router has
    /// one or two per laptop).
    #[arg(long, default_value_t = 1_000)]
    max_connections_per_ip: usize,
    /// Seconds a request's headers may take, and an idle connection may stay.
    #[arg(long, default_value_t = 20)]
    header_timeout_secs: u64,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Prints a one-time code that lets one device start teams on this
    /// relay (`tsunagi relay enrol CODE` on that laptop). Works while the
    /// relay runs.
    Enrol {
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// Copies a stopped SQLite relay's data directory into the empty
    /// PostgreSQL store given with --store, in one transaction. Laptops
    /// notice nothing: the same incarnation, sequence numbers and hashes.
    Migrate {
        /// The SQLite relay's --data directory (the relay stopped).
        #[arg(long)]
        from: PathBuf,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let flags = Flags::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TSUNAGI_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    if let Some(Command::Migrate { from }) = &flags.command {
        let url = flags
            .store
            .as_deref()
            .context("--store postgres://… is needed: where to copy the relay's data")?;
        let policy = std::sync::Arc::new(policy::Policy::for_migration(from.clone()));
        let store = log_store::postgres::PgStore::open(url, policy)
            .await
            .context("opening the PostgreSQL store")?;
        let copied = log_store::postgres::migrate::from_sqlite(from, &store)
            .await
            .with_context(|| format!("copying {} into PostgreSQL", from.display()))?;
        for (table, rows) in copied.tables {
            println!("{table}: {rows}");
        }
        eprintln!("copied; start the relays with --store and the same certificate");
        return Ok(());
    }
    let data = flags
        .data
        .clone()
        .context("--data DIR is needed: where the relay keeps its log")?;
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    if let Some(Command::Enrol { days }) = flags.command {
        let code = match &flags.store {
            Some(url) => log_store::postgres::new_enrolment(url, days)
                .await
                .context("writing the enrolment code to PostgreSQL")?,
            None => log_store::sqlite::new_enrolment(&data, days).context("writing the enrolment code")?,
        };
        println!("{code}");
        eprintln!("enrolment code for one device, valid {days} days: on that laptop, `tsunagi relay enrol {code}`");
        return Ok(());
    }
    let policy = std::sync::Arc::new(policy::Policy {
        open_registration: flags.open_registration,
        team_quota_bytes: flags.team_quota_mb.saturating_mul(1 << 20),
        device_appends_per_hour: f64::from(flags.device_appends_per_hour),
        min_free_bytes: flags.min_free_mb.saturating_mul(1 << 20),
        max_connections: flags.max_connections,
        max_connections_per_ip: flags.max_connections_per_ip,
        header_timeout: std::time::Duration::from_secs(flags.header_timeout_secs.max(1)),
        data_dir: data.clone(),
    });
    let tls = tls::load_or_create(&data, flags.tls_cert.as_deref(), flags.tls_key.as_deref())?;
    let store: log_store::Store = match &flags.store {
        Some(url) => std::sync::Arc::new(
            log_store::postgres::PgStore::open(url, policy.clone())
                .await
                .context("opening the PostgreSQL store")?,
        ),
        None => std::sync::Arc::new(
            log_store::sqlite::SqliteStore::open(&data, policy.clone()).context("opening the log database")?,
        ),
    };
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
    let engine = if flags.store.is_some() { "postgres" } else { "sqlite" };
    tracing::info!(%addr, engine, incarnation = store.incarnation(), open_registration = policy.open_registration, "relay started");
    server::serve(
        listener,
        tls.config,
        routes::router(store.clone(), policy.clone()),
        policy,
        shutdown_signal(),
    )
    .await;
    // Everything acknowledged is committed; SQLite folds its WAL into
    // relay.db so a stopped relay's data directory is one file to back up.
    if let Err(e) = store.close().await {
        tracing::warn!(error = %e, "could not close the store cleanly (SQLite: relay.db-wal holds the newest data)");
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
