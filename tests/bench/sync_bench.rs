//! `sync-bench`: figures for BENCHMARKS.md against the real relay binary over
//! TLS on loopback, compared within one run.
//!
//! - edit → visible: laptop A records a note durably and pushes it; laptop B,
//!   subscribed to live push, pulls and stores it durably. p50 / p99 of the
//!   time from A's save to B's commit, with 0, 100 and 1000 other devices
//!   holding idle live-push connections to the relay;
//! - relay memory per idle connection (VmRSS before and after);
//! - durable appends per second (one device, sequential acknowledged appends);
//! - many writers on one team: each device appends one envelope at the same
//!   moment and reads the log on every push until it holds all of them;
//! - a day's catch-up: a laptop in 100 patients' teams, offline while the
//!   others record a day of visits, then one sync pass.
//!
//! Run: `cargo run --release -p tsunagi-tests --bin sync-bench` (after
//! `cargo build --release --workspace --bins`). `--quick` for a short run;
//! `--connections N` only holds N idle connections and measures an edit with
//! them connected (10,000 needs `ulimit -n` above 10,100).

use std::sync::Arc;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use sync_client::{Identity, PushEvent, RelayClient};
use sync_proto::{seal, Header, MembershipOp, PayloadKind, TeamKey};
use tsunagi_tests::{member, Relay};

#[path = "common.rs"]
mod common;
use common::*;

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

/// `n` devices on one team each append one envelope at once, then read the
/// log on each push (reads coalesce: one in flight per device) until each has
/// all `n`. With `open`, each device verifies and decrypts every envelope as
/// a laptop does; without, it only counts them (the relay's share of the
/// work, since the bench runs every device's crypto on these same 2 cores).
/// Returns the time from the first append until the last device has all.
async fn many_writers(relay: &Relay, n: usize, open: bool) -> Duration {
    let team = [0xEE, n as u8, open as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let tk = TeamKey::random();
    let creator = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let creator_id = [0xEF; 16];
    let admin = RelayClient::new(
        &relay.url,
        Some(&relay.fingerprint),
        Some(&Identity::for_device(&creator, &creator_id).unwrap()),
    )
    .unwrap();
    admin
        .add_member(&team, &MembershipOp::genesis(&team, &creator_id, "station", &creator))
        .await
        .unwrap();
    let mut writers = Vec::with_capacity(n);
    for i in 0..n {
        let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let invite = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let mut device = [0u8; 16];
        device[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
        device[15] = 0xAA;
        let op = MembershipOp::invite(&team, &creator_id, &creator, &invite.verifying_key(), i64::MAX);
        admin.add_member(&team, &op).await.unwrap();
        let client = RelayClient::new(
            &relay.url,
            Some(&relay.fingerprint),
            Some(&Identity::for_device(&key, &device).unwrap()),
        )
        .unwrap();
        let join = MembershipOp::join(&team, &device, &format!("w{i}"), &key, &invite);
        client.add_member(&team, &join).await.unwrap();
        writers.push((client, key, device));
    }
    // What a laptop knows: every member's verifying key.
    let roster = Arc::new(sync_proto::Roster::replay_ops(
        &team,
        &writers[0].0.members(&team).await.unwrap(),
    ));
    let mut subs = Vec::with_capacity(n);
    for (client, ..) in &writers {
        let mut events = client.subscribe(&[team]).await.unwrap();
        assert_eq!(events.next().await.unwrap(), Some(PushEvent::Ready));
        subs.push(events);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(n + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for ((client, key, device), mut events) in writers.into_iter().zip(subs) {
        let (barrier, tk, roster) = (barrier.clone(), tk.clone(), roster.clone());
        tasks.spawn(async move {
            let header = Header {
                kind: PayloadKind::Changes,
                team,
                epoch: 0,
                sender: device,
                sender_seq: 1,
            };
            let env = seal(&tk, &key, header, &[7u8; 300]).unwrap();
            barrier.wait().await;
            client.append(&team, &env).await.unwrap();
            let (mut cursor, mut have) = (0u64, 0usize);
            while have < n {
                let page = client.read(&team, cursor).await.unwrap();
                for (seq, bytes) in page.envelopes {
                    if open {
                        let env = sync_proto::Envelope::parse(bytes).unwrap();
                        sync_proto::open(&env, |d| roster.key(d), |_| Some(tk.clone())).unwrap();
                    }
                    cursor = seq;
                    have += 1;
                }
                if have < n && cursor >= page.high_water {
                    // Wait for a push, then take every push already queued.
                    events.next().await.unwrap();
                    while let Ok(Ok(Some(_))) = tokio::time::timeout(Duration::ZERO, events.next()).await {}
                }
            }
        });
    }
    barrier.wait().await;
    let start = Instant::now();
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    start.elapsed()
}

/// One visit: vitals and a note, one change, as the app saves it.
fn visit(store: &mut Store, team: TeamId, i: usize) {
    let at = now();
    let vitals = VitalsForm {
        bp: Some(format!("{}/{}", 120 + i % 20, 70 + i % 10)),
        pulse: Some("78".into()),
        temperature: Some("36.8".into()),
        spo2: Some("96".into()),
        ..Default::default()
    }
    .parse(at)
    .unwrap();
    store
        .change(team, "visit", at, |tx| {
            tx.add_vitals(vitals)?;
            tx.add_note(NewNote {
                text: format!("訪問 {i}。本日入浴介助。背部に発赤あり、軟膏塗布。家族へ体位変換を指導。"),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
}

/// A laptop in `patients` teams is offline for a day while another member
/// records `visits` visits per patient; returns how long its one sync pass
/// takes to bring in everything, and how many changes arrived.
fn catch_up(relay: &Relay, dir: &std::path::Path, patients: usize, visits: usize) -> (Duration, usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut station = Store::init(
        &dir.join("station"),
        member("station"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    station.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    let mut laptop = Store::init(&dir.join("laptop"), member("laptop"), now(), &tsunagi_tests::test_key()).unwrap();
    let mut teams = Vec::new();
    for p in 0..patients {
        let team = station
            .create_team(
                Patient {
                    name: format!("患者 {p}"),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        // A month of history already shared, then the invite.
        for i in 0..30 {
            visit(&mut station, team, i);
        }
        let code = rt
            .block_on(sync_client::invite(
                &mut station,
                team,
                Timestamp(now().0 + 3_600_000),
                now,
            ))
            .unwrap();
        rt.block_on(sync_client::join(&mut laptop, &code, now)).unwrap();
        teams.push(team);
    }
    rt.block_on(sync_ok(&mut laptop));
    // The day: the laptop is shut; the others visit.
    for (p, team) in teams.iter().enumerate() {
        for i in 0..visits {
            visit(&mut station, *team, p * visits + i);
        }
    }
    rt.block_on(sync_ok(&mut station));
    let start = Instant::now();
    let report = rt.block_on(sync_client::sync_once(&mut laptop, now)).unwrap();
    let took = start.elapsed();
    assert!(report.teams.iter().all(|t| t.error.is_none()), "{report:?}");
    (took, report.teams.iter().map(|t| t.received).sum())
}

/// `--connections N`: N idle live-push connections, the relay's memory, and
/// an edit from A to B with all of them connected.
fn connections(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let before = rss_kb(relay.pid());
    let start = Instant::now();
    let idle = rt.block_on(idle_devices(&[common::target(&relay)], 0, n));
    let connect = start.elapsed();
    let after = rss_kb(relay.pid());
    let (p50, p99) = edit_to_visible(&relay, &relay, &dir.path().join("ab"), 100);
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| {n} idle live-push connections held (each its own device, certificate and team); set up in | {:.1} s |",
        connect.as_secs_f64()
    );
    println!(
        "| relay memory per idle connection (0 → {n}), RSS {:.0} MB in all | {:.1} KB |",
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / n as f64
    );
    println!(
        "| edit on A visible and durable on B with {n} other devices connected, p50 / p99 over 100 edits | {} / {} |",
        ms(p50),
        ms(p99)
    );
    drop(idle);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--connections") {
        let n = args.get(i + 1).and_then(|n| n.parse().ok()).expect("--connections N");
        return connections(n);
    }
    let quick = args.iter().any(|a| a == "--quick");
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
        idle.extend(rt.block_on(idle_devices(&[common::target(&relay)], connected, target - connected)));
        let after = rss_kb(relay.pid());
        if target > connected {
            println!(
                "| relay memory per idle live-push connection ({} → {target} devices) | {:.1} KB |",
                connected,
                (after.saturating_sub(before)) as f64 / (target - connected) as f64
            );
        }
        connected = target;
        let (p50, p99) = edit_to_visible(&relay, &relay, &dir.path().join(format!("ab{target}")), edits);
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
    for (n, open) in [(100, true), (1000, false), (1000, true)] {
        if quick && n > 100 {
            continue;
        }
        let took = rt.block_on(many_writers(&relay, n, open));
        println!(
            "| {n} devices each append one change to one team at once, until every device holds all {n} ({}) | {} |",
            if open {
                "each verifies and decrypts every envelope"
            } else {
                "devices only count envelopes"
            },
            ms(took)
        );
    }
    let (patients, visits) = if quick { (10, 3) } else { (100, 3) };
    let (took, received) = catch_up(&relay, &dir.path().join("catch-up"), patients, visits);
    println!(
        "| a day's catch-up: one sync pass over {patients} patients' teams, {received} changes from the day | {} |",
        ms(took)
    );
}
