//! `flood-bench`: what a stranger's flood costs the relay and its members.
//!
//!     flood-bench [--relay PATH] [RELAY FLAGS...]
//!
//! Starts the relay binary (default: this build's `sync-server`; pass an
//! older build's path to compare), makes a team of two members with the
//! library (the relay must take their new team: give a relay that has the
//! flag `--open-registration`), then, in turn: holds 2,000 slow sockets
//! from 127.0.0.2 that send a request's headers a byte a second; reads
//! 20,000 unknown team ids over 20 certificates; opens 2,000 fresh
//! certificates, one read each. After each it prints the relay's resident
//! memory, and how long an edit takes from A's save to B's (push, then
//! pull). Markdown rows for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use tokio::io::AsyncWriteExt;
use tsunagi_tests::{add_note, binary, member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024.0
}

/// One slow socket: TLS, then a request's headers a byte a second until
/// the relay closes it or `until`. Returns whether the relay closed it.
async fn slow(addr: std::net::SocketAddr, until: Instant) -> bool {
    let config = tsunagi_tests::any_certificate_tls();
    let Ok(socket) = tokio::net::TcpSocket::new_v4() else {
        return true;
    };
    if socket.bind("127.0.0.2:0".parse().unwrap()).is_err() {
        return true;
    }
    let Ok(tcp) = socket.connect(addr).await else {
        return true;
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let Ok(mut tls) = connector.connect("relay".try_into().unwrap(), tcp).await else {
        return true;
    };
    for b in b"GET /health HTTP/1.1\r\nHost: relay\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        .iter()
        .cycle()
    {
        if Instant::now() > until {
            return false;
        }
        if tls.write_all(&[*b]).await.is_err() || tls.flush().await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    false
}

struct Members {
    a: Store,
    /// None if the relay under test does not speak this client's roster ops
    /// (an older build): then A reads back its own edit.
    b: Option<Store>,
    team: TeamId,
}

fn edit_ms(rt: &tokio::runtime::Runtime, m: &mut Members, i: usize) -> f64 {
    let started = Instant::now();
    add_note(&mut m.a, m.team, &format!("訪問 {i}"));
    rt.block_on(sync_client::sync_once(&mut m.a, now)).unwrap();
    match &mut m.b {
        Some(b) => rt.block_on(sync_client::sync_once(b, now)).unwrap(),
        None => rt.block_on(sync_client::sync_once(&mut m.a, now)).unwrap(),
    };
    started.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let program = match args.iter().position(|a| a == "--relay") {
        Some(i) => {
            let p = args.remove(i + 1);
            args.remove(i);
            std::path::PathBuf::from(p)
        }
        None => binary("sync-server"),
    };
    let flags: Vec<&str> = args.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start_binary(&program, &dir.path().join("relay"), "127.0.0.1:0", &flags);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut a = Store::init(
        &dir.path().join("a"),
        member("佐藤 花子"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    a.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    let team = a
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    rt.block_on(sync_client::sync_once(&mut a, now)).unwrap();
    let mut b = Store::init(
        &dir.path().join("b"),
        member("田中 一郎"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    let joined = rt
        .block_on(sync_client::invite(&mut a, team, Timestamp(now().0 + 3_600_000), now))
        .and_then(|code| rt.block_on(sync_client::join(&mut b, &code, now)));
    if let Err(e) = &joined {
        eprintln!("flood-bench: B could not join ({e}); A reads back its own edits");
    }
    let mut m = Members {
        a,
        b: joined.ok().map(|_| b),
        team,
    };
    let pid = relay.pid();
    let addr: std::net::SocketAddr = relay.addr().parse().unwrap();
    println!("| relay | {} {} |", program.display(), flags.join(" "));
    println!(
        "| state | relay RSS (MB) | edit {} (ms) |",
        if m.b.is_some() { "A→B" } else { "A→relay→A" }
    );
    println!("|---|---|---|");
    let row = |what: &str, m: &mut Members, i: usize| {
        let ms = edit_ms(&rt, m, i);
        println!("| {what} | {:.1} | {ms:.0} |", rss_mb(pid));
    };
    row("idle, two members", &mut m, 0);

    // 2,000 slow sockets, held up to 25 s.
    let until = Instant::now() + Duration::from_secs(25);
    let slows: Vec<_> = (0..2000).map(|_| rt.spawn(slow(addr, until))).collect();
    std::thread::sleep(Duration::from_secs(8));
    row("2,000 slow sockets open 8 s", &mut m, 1);
    let closed = rt.block_on(async {
        let mut n = 0;
        for s in slows {
            n += usize::from(s.await.unwrap_or(true));
        }
        n
    });
    println!("| … of which the relay closed within 25 s | {closed} | |");

    // 20,000 unknown team ids over 20 certificates.
    let started = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..20u8 {
            let (url, fp) = (relay.url.clone(), relay.fingerprint.clone());
            tasks.push(tokio::spawn(async move {
                let key = ed25519_dalek::SigningKey::from_bytes(&[c + 100; 32]);
                let id = sync_client::Identity::for_device(&key, &[c; 16]).unwrap();
                let client = sync_client::RelayClient::new(&url, Some(&fp), Some(&id)).unwrap();
                for i in 0..1000u32 {
                    let mut t = [c; 16];
                    t[..4].copy_from_slice(&i.to_be_bytes());
                    let _ = client.read(&t, 0).await;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    println!(
        "| 20,000 unknown team ids read ({:.1} s) | {:.1} | |",
        started.elapsed().as_secs_f64(),
        rss_mb(pid)
    );
    row("after the unknown team ids", &mut m, 2);

    // 2,000 fresh certificates, one read each.
    let started = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for w in 0..8u32 {
            let (url, fp) = (relay.url.clone(), relay.fingerprint.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..250u32 {
                    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
                    let mut device = [0u8; 16];
                    device[..8].copy_from_slice(&(u64::from(w) << 32 | u64::from(i)).to_be_bytes());
                    let id = sync_client::Identity::for_device(&key, &device).unwrap();
                    let client = sync_client::RelayClient::new(&url, Some(&fp), Some(&id)).unwrap();
                    let _ = client.read(&[9; 16], 0).await;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    println!(
        "| 2,000 fresh certificates ({:.1} s) | {:.1} | |",
        started.elapsed().as_secs_f64(),
        rss_mb(pid)
    );
    row("after the fresh certificates", &mut m, 3);
}
