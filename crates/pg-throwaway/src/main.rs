//! `pg-throwaway`: starts a throwaway PostgreSQL 15 cluster, prints its
//! connection settings on one line (for `sync-server --store`), and runs
//! until its standard input closes (its parent ended), then stops the
//! cluster and deletes it. For the end-to-end tests and benchmarks that are
//! not written in Rust.

use std::io::{Read, Write};

fn main() {
    if std::env::args().nth(1).is_some_and(|a| a == "--help" || a == "-h") {
        println!("usage: pg-throwaway\n\nStarts a throwaway PostgreSQL 15 cluster (Debian's postgresql-15; PG_BIN overrides\n/usr/lib/postgresql/15/bin), prints its connection settings, and stops and deletes it\nwhen standard input closes.");
        return;
    }
    let cluster = pg_throwaway::Cluster::start();
    let mut out = std::io::stdout();
    writeln!(out, "{}", cluster.url()).expect("stdout");
    out.flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(cluster);
}
