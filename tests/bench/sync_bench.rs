//! `sync-bench`: figures for BENCHMARKS.md against the real relay binary over
//! TLS on loopback, compared within one run.
//!
//! - edit → visible: laptop A records a note durably and pushes it; laptop B,
//!   subscribed to live push, pulls and stores it durably. p50 / p99 of the
//!   time from A's save to B's commit, with 0, 100 and 1000 other devices
//!   holding idle live-push connections to the relay;
//! - relay memory per idle connection (VmRSS before and after);
//! - durable appends per second (one device, sequential acknowledged appends).
//!
//! Run: `cargo run --release -p tsunagi-tests --bin sync-bench` (after
//! `cargo build --release --workspace --bins`). `--quick` for a short run.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use sync_client::{Identity, PushEvent, RelayClient};
use sync_proto::{seal, Header, MembershipOp, PayloadKind, TeamKey};
use tsunagi_tests::{member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// A sync pass that must fully succeed (a per-team error would otherwise
/// leave the measurement waiting forever).
async fn sync_ok(store: &mut Store) {
    let report = sync_client::sync_once(store, now).await.unwrap();
    if let Some(e) = report.teams.iter().find_map(|t| t.error.clone()) {
        panic!("sync failed: {e}");
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// `n` devices, each with its own one-device team, holding idle live-push
/// connections. Returns their subscriptions (kept open by the caller).
async fn idle_devices(relay: &Relay, first: usize, n: usize) -> Vec<sync_client::Events> {
    let mut subs = Vec::with_capacity(n);
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for i in first..first + n {
        let (url, fp, sem) = (relay.url.clone(), relay.fingerprint.clone(), sem.clone());
        tasks.spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
            let mut device = [0u8; 16];
            device[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let team = device;
            let id = Identity::for_device(&key, &device).unwrap();
            let client = RelayClient::new(&url, Some(&fp), Some(&id)).unwrap();
            client
                .add_member(&team, &MembershipOp::genesis(&team, &device, "idle", &key))
                .await
                .unwrap();
            let mut events = client.subscribe(&[team]).await.unwrap();
            assert_eq!(events.next().await.unwrap(), Some(PushEvent::Ready));
            events
        });
    }
    while let Some(t) = tasks.join_next().await {
        subs.push(t.unwrap());
    }
    subs
}

/// A's saves reaching B, `n` times; B runs on its own thread.
fn edit_to_visible(relay: &Relay, dir: &std::path::Path, n: usize) -> (Duration, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut a = Store::init(&dir.join("a"), member("A"), now()).unwrap();
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
    let code = rt
        .block_on(sync_client::invite(&mut a, team, Timestamp(now().0 + 3_600_000), now))
        .unwrap();
    let mut b = Store::init(&dir.join("b"), member("B"), now()).unwrap();
    rt.block_on(sync_client::join(&mut b, &code, now)).unwrap();

    let started: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let starts = started.clone();
    let reader = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let relay = b.relay().unwrap().unwrap();
            let client = RelayClient::new(
                &relay.url,
                relay.fingerprint.as_deref(),
                Some(&Identity::of(&b).unwrap()),
            )
            .unwrap();
            let mut events = client.subscribe(&[*team.as_bytes()]).await.unwrap();
            ready_tx.send(()).unwrap();
            let mut latencies = Vec::new();
            while latencies.len() < n {
                if let Some(PushEvent::Append { .. }) = events.next().await.unwrap() {
                    sync_ok(&mut b).await;
                    let arrived = Instant::now(); // B's commit is done here
                    let have = b.record(team).unwrap().read().unwrap().notes.len();
                    let starts = starts.lock().unwrap();
                    while latencies.len() < have.min(starts.len()) {
                        latencies.push(arrived.duration_since(starts[latencies.len()]));
                    }
                }
            }
            latencies
        })
    });
    ready_rx.recv().unwrap();
    for i in 0..n {
        started.lock().unwrap().push(Instant::now());
        let text = format!("訪問 {i}");
        a.change(team, "note.add", now(), |tx| {
            tx.add_note(NewNote {
                text,
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
        rt.block_on(sync_ok(&mut a));
        std::thread::sleep(Duration::from_millis(15));
    }
    let mut lat = reader.join().unwrap();
    (pct(&mut lat, 0.5), pct(&mut lat, 0.99))
}

/// Acknowledged appends, one after another, from `devices` devices in turn
/// (each stays inside the relay's per-device burst limit).
async fn appends_per_second(relay: &Relay, devices: u8, each: u64) -> f64 {
    let tk = TeamKey::random();
    let mut work = Vec::new();
    for d in 0..devices {
        let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let (device, team) = ([0xA0 + d; 16], [0xC0 + d; 16]);
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
    for (client, team, envs) in &work {
        for e in envs {
            client.append(team, e).await.unwrap();
        }
    }
    (devices as u64 * each) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let edits = if quick { 30 } else { 200 };
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    println!("| figure | value |");
    println!("|---|---|");
    let mut idle = Vec::new();
    let mut connected = 0;
    for target in [0usize, 100, 1000] {
        let before = rss_kb(relay.pid());
        idle.extend(rt.block_on(idle_devices(&relay, connected, target - connected)));
        let after = rss_kb(relay.pid());
        if target > connected {
            println!(
                "| relay memory per idle live-push connection ({} → {target} devices) | {:.1} KB |",
                connected,
                (after.saturating_sub(before)) as f64 / (target - connected) as f64
            );
        }
        connected = target;
        let (p50, p99) = edit_to_visible(&relay, &dir.path().join(format!("ab{target}")), edits);
        println!("| edit on A visible and durable on B, {target} other devices connected, p50 / p99 over {edits} edits | {} / {} |", ms(p50), ms(p99));
    }
    println!(
        "| relay RSS with {connected} idle connections | {:.1} MB |",
        rss_kb(relay.pid()) as f64 / 1024.0
    );
    let rate = rt.block_on(appends_per_second(&relay, if quick { 2 } else { 10 }, 100));
    println!(
        "| durable appends per second, sequential, ~1 KB envelopes (each acknowledged after fsync) | {rate:.0} /s |"
    );
    drop(idle);
}
