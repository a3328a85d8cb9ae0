//! What `sync-bench` and `cluster-bench` share: timing helpers, idle
//! live-push devices, and the edit-to-visible measurement.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use sync_client::{Identity, PushEvent, RelayClient};
use sync_proto::MembershipOp;
use tsunagi_tests::{member, Relay};

pub fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

pub fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// A sync pass that must fully succeed (a per-team error would otherwise
/// leave the measurement waiting forever); how many changes it brought.
pub async fn sync_ok(store: &mut Store) -> usize {
    let report = sync_client::sync_once(store, now).await.unwrap();
    if let Some(e) = report.teams.iter().find_map(|t| t.error.clone()) {
        panic!("sync failed: {e}");
    }
    report.teams.iter().map(|t| t.received).sum()
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A relay's address and certificate fingerprint.
pub type Target = (String, String);

pub fn target(relay: &Relay) -> Target {
    (relay.url.clone(), relay.fingerprint.clone())
}

/// `n` devices (numbered from `first`), each with its own one-device team,
/// holding idle live-push connections, spread over `relays` in turn.
/// Returns their subscriptions (kept open by the caller).
pub async fn idle_devices(relays: &[Target], first: usize, n: usize) -> Vec<sync_client::Events> {
    let mut subs = Vec::with_capacity(n);
    let sem = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for i in first..first + n {
        let ((url, fp), sem) = (relays[i % relays.len()].clone(), sem.clone());
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

/// A's saves reaching B, `n` times; B runs on its own thread. A talks to
/// relay `a`, B to relay `b` (the same one, or another of the same store:
/// then the edit crosses between relays).
pub fn edit_to_visible(a_relay: &Relay, b_relay: &Relay, dir: &std::path::Path, n: usize) -> (Duration, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut a = Store::init(&dir.join("a"), member("A"), now(), &tsunagi_tests::test_key()).unwrap();
    let also: Vec<String> = if b_relay.url == a_relay.url {
        Vec::new()
    } else {
        vec![b_relay.url.clone()]
    };
    a.set_relays(&a_relay.url, &also, Some(&a_relay.fingerprint)).unwrap();
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
    let mut b = Store::init(&dir.join("b"), member("B"), now(), &tsunagi_tests::test_key()).unwrap();
    rt.block_on(sync_client::join(&mut b, &code, now)).unwrap();
    b.set_relay_active(&b_relay.url).unwrap();

    let started: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let starts = started.clone();
    let reader = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let client = RelayClient::of_store(&b).unwrap();
            let mut events = client.subscribe(&[*team.as_bytes()]).await.unwrap();
            ready_tx.send(()).unwrap();
            let (mut latencies, mut have) = (Vec::new(), 0);
            while latencies.len() < n {
                if let Some(PushEvent::Append { .. }) = events.next().await.unwrap() {
                    // Counted from the pass's report: reading the whole
                    // record to count its notes grew with every edit and
                    // took the cores from the next one.
                    have += sync_ok(&mut b).await;
                    let arrived = Instant::now(); // B's commit is done here
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
