//! Strangers against the real relay binary: anyone who reaches its port
//! with a self-made certificate. They cannot start teams without an
//! enrolment code, cannot fill its disk past a team's quota or the
//! free-space floor, and cannot wear it down with unknown team ids, fresh
//! certificates, slow or idle sockets and new teams, while two members keep
//! syncing. A laptop on a link that cuts out still joins with its one code.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::Store;
use sync_client::SyncError;
use sync_proto::{Header, PayloadKind};
use tsunagi_tests::{add_note, binary, member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn patient() -> Patient {
    Patient {
        name: "山田 太郎".into(),
        ..Default::default()
    }
}

/// The relay's resident memory, in KB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn new_teams_only_from_enrolled_devices_and_joining_needs_no_enrolment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let relay = Relay::start_with(&data, "127.0.0.1:0", &["--min-free-mb", "0"]);
    let rt = rt();
    let mut station = Store::init(
        &dir.path().join("station"),
        member("管理者"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    station.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    let team = station.create_team(patient(), now()).unwrap();
    let report = rt.block_on(sync_client::sync_once(&mut station, now)).unwrap();
    let error = report.teams[0].error.clone().unwrap_or_default();
    assert!(error.contains("登録") && error.contains("enrol"), "{error}");

    // The operator prints a code; the station's laptop enrols with it.
    let out = std::process::Command::new(binary("sync-server"))
        .args(["enrol", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(code.len(), 39, "{code}");
    rt.block_on(sync_client::enrol(&mut station, &code)).unwrap();
    // Enrolling again with the same code on the same laptop is harmless.
    rt.block_on(sync_client::enrol(&mut station, &code)).unwrap();
    let report = rt.block_on(sync_client::sync_once(&mut station, now)).unwrap();
    assert!(report.teams[0].error.is_none(), "{report:?}");

    // The code was for one laptop.
    let mut other = Store::init(
        &dir.path().join("other"),
        member("他"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    other.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    assert!(matches!(
        rt.block_on(sync_client::enrol(&mut other, &code)),
        Err(SyncError::BadEnrolment)
    ));
    // Joining by invite needs no enrolment.
    let invite = rt
        .block_on(sync_client::invite(
            &mut station,
            team,
            Timestamp(now().0 + 3_600_000),
            now,
        ))
        .unwrap();
    rt.block_on(sync_client::join(&mut other, &invite, now)).unwrap();
    assert_eq!(other.record(team).unwrap().read().unwrap().patient.name, "山田 太郎");
}

#[test]
fn a_teams_quota_and_the_free_space_floor_stop_appends_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let rt = rt();
    for (flags, code) in [
        (
            vec!["--open-registration", "--team-quota-mb", "1", "--min-free-mb", "0"],
            "team_quota",
        ),
        // More free space than any disk has.
        (vec!["--open-registration", "--min-free-mb", "999999999"], "disk_full"),
    ] {
        let data = dir.path().join(code);
        let relay = Relay::start_with(&data, "127.0.0.1:0", &flags);
        let mut laptop = Store::init(
            &dir.path().join(format!("{code}-laptop")),
            member("佐藤"),
            now(),
            &tsunagi_tests::test_key(),
        )
        .unwrap();
        laptop.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
        let team = laptop.create_team(patient(), now()).unwrap();
        // Register the team (a roster op, not an append), then fill the log.
        let client = relay.client_as(laptop.signing_key(), laptop.device_id().as_bytes());
        let genesis = laptop.unsent_roster_ops(team).unwrap().remove(0).1;
        rt.block_on(client.add_member(team.as_bytes(), &genesis)).unwrap();
        let (epoch, key) = laptop.latest_team_key(team).unwrap();
        let refused = (1..=4u64)
            .map(|i| {
                let header = Header {
                    kind: PayloadKind::Changes,
                    team: *team.as_bytes(),
                    epoch,
                    sender: *laptop.device_id().as_bytes(),
                    sender_seq: 1000 + i,
                };
                let env = sync_proto::seal(&key, laptop.signing_key(), header, &vec![7u8; 400_000]).unwrap();
                rt.block_on(client.append(team.as_bytes(), &env))
            })
            .find_map(Result::err);
        match refused {
            Some(SyncError::Refused {
                status: 507, code: c, ..
            }) => assert_eq!(c, code),
            other => panic!("{code}: expected 507, got {other:?}"),
        }
        // Reads go on.
        rt.block_on(client.read(team.as_bytes(), 0)).unwrap();
        if code == "disk_full" {
            // And the laptop keeps its entry, to send later.
            add_note(&mut laptop, team, "記録は端末に残る");
            let report = rt.block_on(sync_client::sync_once(&mut laptop, now)).unwrap();
            assert!(
                report.teams[0]
                    .error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("disk_full"),
                "{report:?}"
            );
            assert!(laptop.pending(team).unwrap() >= 1);
        }
    }
}

#[test]
fn a_page_of_the_log_is_capped_in_bytes_not_only_in_count() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let rt = rt();
    let mut laptop = Store::init(
        &dir.path().join("laptop"),
        member("佐藤"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    laptop.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    let team = laptop.create_team(patient(), now()).unwrap();
    rt.block_on(sync_client::sync_once(&mut laptop, now)).unwrap();
    let client = relay.client_as(laptop.signing_key(), laptop.device_id().as_bytes());
    let (epoch, key) = laptop.latest_team_key(team).unwrap();
    for i in 0..24u64 {
        let header = Header {
            kind: PayloadKind::Changes,
            team: *team.as_bytes(),
            epoch,
            sender: *laptop.device_id().as_bytes(),
            sender_seq: 5000 + i,
        };
        let env = sync_proto::seal(&key, laptop.signing_key(), header, &vec![1u8; 900_000]).unwrap();
        rt.block_on(client.append(team.as_bytes(), &env)).unwrap();
    }
    let page = rt.block_on(client.read(team.as_bytes(), 0)).unwrap();
    let bytes: usize = page.envelopes.iter().map(|(_, b)| b.len()).sum();
    assert!(
        page.envelopes.len() < 25 && bytes <= 9 << 20,
        "{} envelopes, {bytes} bytes",
        page.envelopes.len()
    );
    assert_eq!(page.high_water, 25);
}

/// A TLS connection from another loopback address (127.0.0.2: strangers
/// and members differ by address, as they would) that sends part of a
/// request's headers, one byte at a time, and never finishes (slowloris).
fn slow_client(addr: &str, stop: Arc<AtomicU32>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let connected = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind("127.0.0.2:0".parse().unwrap())?;
        socket.connect(addr.parse().unwrap()).await
    });
    let Ok(stream) = connected else { return };
    let Ok(mut tcp) = stream.into_std() else { return };
    let _ = tcp.set_nonblocking(false);
    let config = tsunagi_tests::any_certificate_tls();
    let Ok(mut conn) = rustls::ClientConnection::new(Arc::new(config), "relay".try_into().unwrap()) else {
        return;
    };
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    for b in b"GET /health HTTP/1.1\r\nHost: relay\r\nX-Slow: " {
        if stop.load(Ordering::Relaxed) > 0 || tls.write_all(&[*b]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(700));
    }
}

#[test]
fn a_stranger_flooding_the_relay_does_not_stop_two_members() {
    let dir = tempfile::tempdir().unwrap();
    // A closed relay, as deployed: strangers are not enrolled. The members'
    // station enrols; the per-address cap is lowered so the slow sockets
    // (from 127.0.0.2) reach it.
    let data = dir.path().join("relay");
    let relay = Relay::start_with(
        &data,
        "127.0.0.1:0",
        &[
            "--min-free-mb",
            "0",
            "--max-connections-per-ip",
            "300",
            "--header-timeout-secs",
            "3",
        ],
    );
    let rt = rt();
    let out = std::process::Command::new(binary("sync-server"))
        .args(["enrol", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let code = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let mut nurse = Store::init(
        &dir.path().join("nurse"),
        member("佐藤 花子"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    nurse.set_relay(&relay.url, Some(&relay.fingerprint)).unwrap();
    rt.block_on(sync_client::enrol(&mut nurse, &code)).unwrap();
    let team = nurse.create_team(patient(), now()).unwrap();
    rt.block_on(sync_client::sync_once(&mut nurse, now)).unwrap();
    let invite = rt
        .block_on(sync_client::invite(
            &mut nurse,
            team,
            Timestamp(now().0 + 3_600_000),
            now,
        ))
        .unwrap();
    let mut doctor = Store::init(
        &dir.path().join("doctor"),
        member("田中 医師"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    rt.block_on(sync_client::join(&mut doctor, &invite, now)).unwrap();
    let before_kb = rss_kb(relay.pid());

    let stop = Arc::new(AtomicU32::new(0));
    let mut floods = Vec::new();
    // Slow and idle sockets: far more than the per-address cap.
    for _ in 0..400 {
        let (addr, stop) = (relay.addr().to_string(), stop.clone());
        floods.push(std::thread::spawn(move || slow_client(&addr, stop)));
        std::thread::sleep(Duration::from_millis(2));
    }
    // Unknown team ids, new teams and fresh certificates, over and over.
    let flood_done = Arc::new(AtomicU32::new(0));
    let sent = Arc::new(AtomicU32::new(0));
    {
        let (url, fp, stop, done, sent) = (
            relay.url.clone(),
            relay.fingerprint.clone(),
            stop.clone(),
            flood_done.clone(),
            sent.clone(),
        );
        floods.push(std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut i = 0u32;
            while stop.load(Ordering::Relaxed) == 0 {
                i += 1;
                let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
                let mut device = [0u8; 16];
                device[..4].copy_from_slice(&i.to_be_bytes());
                let id = sync_client::Identity::for_device(&key, &device).unwrap();
                let Ok(client) = sync_client::RelayClient::new(&url, Some(&fp), Some(&id)) else {
                    continue;
                };
                let mut unknown = [0u8; 16];
                unknown[..4].copy_from_slice(&i.to_be_bytes());
                let _ = rt.block_on(client.read(&unknown, 0));
                let genesis = sync_proto::MembershipOp::genesis(&unknown, &device, "stranger", &key);
                if let Err(SyncError::Refused { status, .. }) = rt.block_on(client.add_member(&unknown, &genesis)) {
                    // Not enrolled (403), or slowed down (429): never taken.
                    assert!(status == 403 || status == 429, "{status}");
                }
                sent.fetch_add(2, Ordering::Relaxed);
            }
            done.store(1, Ordering::Relaxed);
        }));
    }
    std::thread::sleep(Duration::from_secs(2));

    // The members' edits still arrive within a second, each time.
    let mut slowest = Duration::ZERO;
    for i in 0..5 {
        add_note(&mut nurse, team, &format!("訪問 {i}"));
        let started = Instant::now();
        let r = rt.block_on(sync_client::sync_once(&mut nurse, now)).unwrap();
        assert!(r.teams[0].error.is_none(), "{r:?}");
        let r = rt.block_on(sync_client::sync_once(&mut doctor, now)).unwrap();
        assert!(r.teams[0].error.is_none(), "{r:?}");
        slowest = slowest.max(started.elapsed());
        let notes = doctor.record(team).unwrap().read().unwrap().notes;
        assert!(notes.values().any(|n| n.current().text == format!("訪問 {i}")));
    }
    let during_kb = rss_kb(relay.pid());
    stop.store(1, Ordering::Relaxed);
    for f in floods {
        let _ = f.join();
    }
    eprintln!(
        "flood: {} stranger requests; relay RSS {before_kb} KB before, {during_kb} KB during; slowest edit {slowest:?}",
        sent.load(Ordering::Relaxed)
    );
    assert!(sent.load(Ordering::Relaxed) > 100, "the flood ran");
    assert!(
        slowest < Duration::from_secs(1),
        "an edit took {slowest:?} under the flood"
    );
    assert!(during_kb < 256 * 1024, "relay RSS {during_kb} KB under the flood");
    // No stranger's team was taken.
    let _ = std::fs::metadata(&data).unwrap();
    let conn = rusqlite::Connection::open(data.join("relay.db")).unwrap();
    let teams: i64 = conn
        .query_row("SELECT count(DISTINCT team) FROM members", [], |r| r.get(0))
        .unwrap();
    assert_eq!(teams, 1);
}

/// A TCP proxy in front of the relay that, while `cut` is set, closes a
/// connection part-way through the relay's answer, at a random point (a
/// phone tethered in a patient's home).
struct FlakyProxy {
    addr: String,
    cut_percent: Arc<AtomicU32>,
    /// Connections cut so far.
    cuts: Arc<AtomicU32>,
}

impl FlakyProxy {
    fn start(target: &str) -> FlakyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let cut_percent = Arc::new(AtomicU32::new(0));
        let cuts = Arc::new(AtomicU32::new(0));
        let (target, cut, counted) = (target.to_string(), cut_percent.clone(), cuts.clone());
        std::thread::spawn(move || {
            let mut seed = 0x2545_f491_4f6c_dd1d_u64;
            for client in listener.incoming().flatten() {
                // xorshift: a cut point for this connection, if it is cut.
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let cut_at = (seed % 100 < u64::from(cut.load(Ordering::Relaxed))).then_some((seed >> 8) % 4000);
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let (mut c, mut s) = (c2, s2);
                    let _ = std::io::copy(&mut c, &mut s);
                    let _ = s.shutdown(std::net::Shutdown::Both);
                });
                std::thread::spawn(move || {
                    let (mut s, mut c) = (server, client);
                    let mut buf = [0u8; 1024];
                    let mut passed = 0u64;
                    while let Ok(n) = s.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        let n = match cut_at {
                            Some(at) if passed + n as u64 > at => {
                                let _ = c.write_all(&buf[..(at - passed) as usize]);
                                counted.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                            _ => n,
                        };
                        if c.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        passed += n as u64;
                    }
                    let _ = c.shutdown(std::net::Shutdown::Both);
                    let _ = s.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        FlakyProxy {
            addr,
            cut_percent,
            cuts,
        }
    }
}

#[test]
fn on_a_link_that_cuts_answers_every_laptop_still_joins_with_its_one_code() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let proxy = FlakyProxy::start(relay.addr());
    let rt = rt();
    let via_proxy = format!("https://{}", proxy.addr);
    let mut station = Store::init(
        &dir.path().join("station"),
        member("管理者"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    station.set_relay(&via_proxy, Some(&relay.fingerprint)).unwrap();
    let team = station.create_team(patient(), now()).unwrap();
    rt.block_on(sync_client::sync_once(&mut station, now)).unwrap();
    let codes: Vec<_> = (0..20)
        .map(|_| {
            rt.block_on(sync_client::invite(
                &mut station,
                team,
                Timestamp(now().0 + 3_600_000),
                now,
            ))
            .unwrap()
        })
        .collect();

    proxy.cut_percent.store(60, Ordering::Relaxed);
    let mut laptops = Vec::new();
    let mut cut_messages = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let mut laptop = Store::init(
            &dir.path().join(format!("laptop{i}")),
            member("看護師"),
            now(),
            &tsunagi_tests::test_key(),
        )
        .unwrap();
        let mut tries = 0;
        loop {
            tries += 1;
            match rt.block_on(sync_client::join(&mut laptop, code, now)) {
                Ok(joined) if !joined.pending => {
                    if joined.report.is_none() {
                        cut_messages.push(joined.message().to_string());
                    }
                    break;
                }
                Ok(joined) => cut_messages.push(joined.message().to_string()),
                Err(e @ SyncError::Unreachable(_)) => cut_messages.push(e.to_string()),
                Err(e) => panic!("laptop {i}, try {tries}: the code must still work, got {e}"),
            }
            assert!(tries < 40, "laptop {i} never joined");
        }
        laptops.push(laptop);
    }
    proxy.cut_percent.store(0, Ordering::Relaxed);
    let cuts = proxy.cuts.load(Ordering::Relaxed);
    eprintln!(
        "flaky link: {cuts} connections cut; {} joins told so",
        cut_messages.len()
    );
    assert!(
        cuts > 0 && !cut_messages.is_empty(),
        "the proxy cut some answers: {cuts}"
    );
    for m in &cut_messages {
        assert!(
            !m.contains("rustls") && !m.contains("https://") && m.lines().count() == 1,
            "one short human sentence: {m}"
        );
    }
    rt.block_on(sync_client::sync_once(&mut station, now)).unwrap();
    let roster = station.roster(team).unwrap();
    for l in &mut laptops {
        assert!(roster.contains(l.device_id().as_bytes()));
        rt.block_on(sync_client::sync_once(l, now)).unwrap();
        assert_eq!(l.record(team).unwrap().read().unwrap().patient.name, "山田 太郎");
    }
}
