//! # pg-throwaway
//!
//! A real PostgreSQL 15 (Debian's `postgresql-15` package) for tests and
//! benchmarks: `initdb` in a temporary directory, reached only by its Unix
//! socket there (no TCP port), stopped and deleted when dropped. `initdb`
//! refuses root, so as root every tool runs as the `postgres` user.
//! `PG_BIN` overrides `/usr/lib/postgresql/15/bin`.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// A running throwaway cluster.
pub struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    /// Listening on 127.0.0.1 at `port` too, with TLS on.
    tls: bool,
}

fn bin(tool: &str) -> PathBuf {
    let dir = std::env::var_os("PG_BIN").map_or_else(|| "/usr/lib/postgresql/15/bin".into(), PathBuf::from);
    let path = dir.join(tool);
    assert!(
        path.exists(),
        "{} is missing: install postgresql-15 (scripts/setup.sh does) or set PG_BIN",
        path.display()
    );
    path
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Runs a PostgreSQL tool (as `postgres` when we are root); panics with its
/// output if it fails.
fn run(tool: &str, args: &[&OsStr]) {
    let program = bin(tool);
    let mut cmd = if as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&program);
        c
    } else {
        Command::new(&program)
    };
    let out = cmd.args(args).output().expect("run a PostgreSQL tool");
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    /// initdb and start, waiting until it accepts connections.
    pub fn start() -> Cluster {
        // Unix sockets only, so the port just names the socket file; still
        // spread per process so two clusters never share a name.
        Self::init(20_000 + (std::process::id() % 20_000) as u16, None)
    }

    /// Also listening on 127.0.0.1 (a free port) with TLS on, presenting
    /// this certificate and key (PEM).
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Self::init(port, Some((cert_pem, key_pem)))
    }

    fn init(port: u16, tls: Option<(&str, &str)>) -> Cluster {
        let dir = tempfile::tempdir().expect("a temporary directory");
        if let Some((cert, key)) = tls {
            std::fs::write(dir.path().join("server.crt"), cert).expect("write the certificate");
            std::fs::write(dir.path().join("server.key"), key).expect("write the key");
            // PostgreSQL refuses a key others can read.
            let _ = Command::new("chmod")
                .arg("600")
                .arg(dir.path().join("server.key"))
                .status();
        }
        if as_root() {
            let _ = Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status();
        }
        let cluster = Cluster {
            dir,
            port,
            tls: tls.is_some(),
        };
        let data = cluster.data();
        run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                "postgres".as_ref(),
            ],
        );
        cluster.start_again();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts a stopped cluster (after [`Cluster::stop`]).
    pub fn start_again(&self) {
        let d = self.dir.path().display();
        let mut opts = format!("-k {d} -p {} -c fsync=on -c max_connections=200", self.port);
        if self.tls {
            opts += &format!(
                " -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key"
            );
        } else {
            opts += " -c listen_addresses=";
        }
        let log = self.dir.path().join("log");
        run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data().as_os_str(),
                "-o".as_ref(),
                opts.as_ref(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "start".as_ref(),
            ],
        );
    }

    /// Stops it now, as a crash would (`-m immediate`: no checkpoint;
    /// whatever was committed comes back from the write-ahead log).
    pub fn stop(&self) {
        run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data().as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
    }

    /// The TCP port (with [`Cluster::start_tls`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connection settings for libpq-style clients (`--store`).
    pub fn url(&self) -> String {
        format!(
            "host={} port={} user=postgres dbname=postgres",
            self.dir.path().display(),
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = std::panic::catch_unwind(|| {
            run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "stop".as_ref(),
                ],
            )
        });
    }
}
