//! `cluster-bench`: one SQLite relay, one PostgreSQL relay and three
//! PostgreSQL relays side by side in one run, all real processes over TLS
//! on loopback, PostgreSQL 15 a throwaway cluster (fsync on):
//!
//! - durable appends per second: 30 devices appending at once, spread over
//!   the relays, each append acknowledged only once stored;
//! - edit → visible p50 / p99 (A saves and pushes, B hears the push, pulls
//!   and commits) with 1,000 and 10,000 idle devices connected, spread over
//!   the relays; with three relays A and B are on different relays, so the
//!   edit crosses between them (the NOTIFY hint);
//! - the relays' memory at 10,000;
//! - with `--big N` (30,000): three PostgreSQL relays holding N devices;
//! - the time a live laptop takes to move when its relay is killed.
//!
//! Idle devices are held by child processes (`--hold`), 10,000 each: this
//! machine caps open files at 20,000 per process.
//!
//! Run: `cargo build --release -p sync-server -p tsunagi-tests --bins`, then
//! `target/release/cluster-bench [--quick] [--big 30000]`.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use pg_throwaway::Cluster;
use sync_client::{Identity, RelayClient};
use sync_proto::{seal, Header, MembershipOp, PayloadKind, TeamKey};
use tsunagi_tests::{member, Relay};

#[path = "common.rs"]
mod common;
use common::*;

/// Devices one holder process keeps connected.
const PER_HOLDER: usize = 10_000;

struct Setup {
    name: &'static str,
    relays: Vec<Relay>,
    dir: tempfile::TempDir,
    // Dropped after the relays (fields drop in order).
    _pg: Option<Cluster>,
}

fn start(name: &'static str, postgres: bool, n: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pg = postgres.then(Cluster::start);
    let many = ["--max-connections-per-ip", "20000"];
    let relays = match &pg {
        Some(pg) => tsunagi_tests::relays_on_store(dir.path(), &pg.url(), n, &many),
        None => {
            let flags = [&many[..], &["--open-registration", "--min-free-mb", "0"]].concat();
            vec![Relay::start_with(&dir.path().join("relay-0"), "127.0.0.1:0", &flags)]
        }
    };
    Setup {
        name,
        relays,
        dir,
        _pg: pg,
    }
}

impl Setup {
    fn targets(&self) -> Vec<Target> {
        self.relays.iter().map(target).collect()
    }

    fn rss_mb(&self) -> f64 {
        self.relays.iter().map(|r| rss_kb(r.pid())).sum::<u64>() as f64 / 1024.0
    }

    /// An edit from a laptop on the first relay to one on the second (or the same).
    fn edit(&self, tag: &str, edits: usize) -> (Duration, Duration) {
        let b = &self.relays[1 % self.relays.len()];
        edit_to_visible(&self.relays[0], b, &self.dir.path().join(tag), edits)
    }
}

/// Child processes holding idle devices; they let go when dropped.
struct Holders(Vec<Child>);

impl Drop for Holders {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Adds idle devices numbered `from..to`, spread over the setup's relays.
fn hold(setup: &Setup, from: usize, to: usize, holders: &mut Holders) {
    let mut first = from;
    while first < to {
        let n = PER_HOLDER.min(to - first);
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--hold", &n.to_string(), "--first", &first.to_string()]);
        for (url, fp) in setup.targets() {
            cmd.args([url, fp]);
        }
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "held", "a holder failed");
        holders.0.push(child);
        first += n;
    }
}

/// `--hold N --first K URL FP [URL FP…]`: N idle devices until stdin closes.
fn holder(args: &[String]) {
    let arg = |name: &str| {
        let i = args.iter().position(|a| a == name).unwrap();
        args[i + 1].parse::<usize>().unwrap()
    };
    let (n, first) = (arg("--hold"), arg("--first"));
    let rest = &args[args.iter().position(|a| a == "--first").unwrap() + 2..];
    let targets: Vec<Target> = rest.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Offset so the device ids never meet the other figures' ids.
    let idle = rt.block_on(idle_devices(&targets, 1_000_000 + first, n));
    println!("held");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(idle);
}

/// `devices` devices append `each` envelopes at once, spread over the relays.
async fn appends_at_once(setup: &Setup, devices: usize, each: u64) -> f64 {
    let tk = TeamKey::random();
    let mut work = Vec::new();
    for d in 0..devices {
        let relay = &setup.relays[d % setup.relays.len()];
        let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let (mut device, mut team) = ([0xA0; 16], [0xC0; 16]);
        device[15] = d as u8;
        team[15] = d as u8;
        let id = Identity::for_device(&key, &device).unwrap();
        let client = RelayClient::new(&relay.url, Some(&relay.fingerprint), Some(&id)).unwrap();
        client
            .add_member(&team, &MembershipOp::genesis(&team, &device, "w", &key))
            .await
            .unwrap();
        let envs: Vec<_> = (1..=each)
            .map(|seq| {
                let h = Header {
                    kind: PayloadKind::Changes,
                    team,
                    epoch: 0,
                    sender: device,
                    sender_seq: seq,
                };
                seal(&tk, &key, h, &[7u8; 900]).unwrap()
            })
            .collect();
        work.push((client, team, envs));
    }
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (client, team, envs) in work {
        tasks.spawn(async move {
            for e in &envs {
                client.append(&team, e).await.unwrap();
            }
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    (devices as u64 * each) as f64 / start.elapsed().as_secs_f64()
}

/// A live laptop (the app's loop) on the first relay; the relay is killed;
/// the time until the laptop is live again on another.
fn failover(mut setup: Setup) -> Duration {
    let also: Vec<String> = setup.relays[1..].iter().map(|r| r.url.clone()).collect();
    let mut laptop = Store::init(
        &setup.dir.path().join("live"),
        member("live"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    laptop
        .set_relays(&setup.relays[0].url, &also, Some(&setup.relays[0].fingerprint))
        .unwrap();
    laptop
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    let (events, heard) = std::sync::mpsc::channel::<Instant>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let live = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let nudge = tokio::sync::Notify::new();
        rt.block_on(sync_client::watch(
            &mut laptop,
            now,
            &nudge,
            |e| {
                if matches!(e, sync_client::LiveEvent::Online) {
                    let _ = events.send(Instant::now());
                }
            },
            async {
                let _ = stopped.await;
            },
        ))
        .unwrap();
    });
    heard.recv_timeout(Duration::from_secs(30)).expect("online at first");
    std::thread::sleep(Duration::from_millis(500));
    setup.relays.remove(0).kill();
    let killed = Instant::now();
    let back = heard.recv_timeout(Duration::from_secs(60)).expect("online again");
    stop.send(()).unwrap();
    live.join().unwrap();
    back - killed
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--hold") {
        return holder(&args);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let big: Option<usize> = args
        .iter()
        .position(|a| a == "--big")
        .map(|i| args[i + 1].parse().expect("--big N"));
    let steps: &[usize] = if quick { &[100, 1000] } else { &[1000, 10_000] };
    let edits = if quick { 30 } else { 100 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut columns = Vec::new();
    for (name, postgres, n) in [
        ("1 SQLite relay", false, 1),
        ("1 PostgreSQL relay", true, 1),
        ("3 PostgreSQL relays", true, 3),
    ] {
        let setup = start(name, postgres, n);
        let rate = rt.block_on(appends_at_once(&setup, 30, if quick { 20 } else { 100 }));
        let mut rows = vec![format!("{rate:.0} /s")];
        let mut holders = Holders(Vec::new());
        let mut connected = 0;
        for &devices in steps {
            hold(&setup, connected, devices, &mut holders);
            connected = devices;
            let (p50, p99) = setup.edit(&format!("edit-{devices}"), edits);
            rows.push(format!("{} / {}", ms(p50), ms(p99)));
        }
        rows.push(format!("{:.0} MB", setup.rss_mb()));
        eprintln!("{}: done", setup.name);
        columns.push((setup.name, rows));
        drop(holders);
    }
    let mut labels = vec!["durable appends per second, 30 devices at once, ~1 KB envelopes".to_string()];
    for &d in steps {
        labels.push(format!(
            "edit on A visible and durable on B, {d} devices connected, p50 / p99 over {edits} edits"
        ));
    }
    labels.push(format!(
        "relays' memory (RSS, all relays) with {} devices",
        steps[steps.len() - 1]
    ));
    println!(
        "| figure | {} |",
        columns.iter().map(|c| c.0).collect::<Vec<_>>().join(" | ")
    );
    println!("|---|{}", "---|".repeat(columns.len()));
    for (i, label) in labels.iter().enumerate() {
        println!(
            "| {label} | {} |",
            columns.iter().map(|c| c.1[i].as_str()).collect::<Vec<_>>().join(" | ")
        );
    }

    if let Some(n) = big {
        let setup = start("3 PostgreSQL relays", true, 3);
        let started = Instant::now();
        let mut holders = Holders(Vec::new());
        hold(&setup, 0, n, &mut holders);
        let took = started.elapsed();
        let (p50, p99) = setup.edit("edit-big", edits);
        println!(
            "| 3 PostgreSQL relays, {n} devices connected (set up in {:.0} s): edit p50 / p99 over {edits} edits | {} / {} |",
            took.as_secs_f64(),
            ms(p50),
            ms(p99)
        );
        println!("| … relays' memory (RSS, all three) | {:.0} MB |", setup.rss_mb());
        drop(holders);
    }
    let moved = failover(start("3 PostgreSQL relays", true, 3));
    println!(
        "| a live laptop's relay killed (SIGKILL): live again on another relay after | {} |",
        ms(moved)
    );
}
