//! Relays on PostgreSQL: three relay processes in front of one real
//! PostgreSQL 15, laptops spread over them, every laptop given all three
//! addresses (by the invite code). A relay killed mid-stream: its laptop
//! moves to another within seconds, nothing the relays acknowledged is lost,
//! every laptop ends with the same record and no laptop reads the log again
//! from the start. The database stopped mid-stream (as a crash would) and
//! started again: the relays refuse meanwhile, the laptops keep their
//! entries, and everything goes through once it is back.

use std::path::Path;
use std::time::{Duration, Instant};

use care_model::*;
use care_store::{Cursor, Store};
use pg_throwaway::Cluster;
use tsunagi_tests::{member, Relay};

fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

/// The flags of a relay on `pg`.
fn on_store(pg: &Cluster) -> Vec<String> {
    ["--open-registration", "--min-free-mb", "0", "--store"]
        .into_iter()
        .map(String::from)
        .chain([pg.url()])
        .collect()
}

/// Three relays on one database with one certificate.
fn three_relays(dir: &Path, pg: &Cluster) -> Vec<Relay> {
    tsunagi_tests::relays_on_store(dir, &pg.url(), 3, &[])
}

struct Laptops {
    rt: tokio::runtime::Runtime,
    team: TeamId,
    /// The station, a nurse, a doctor: on relay 0, 1 and 2.
    all: Vec<Store>,
    /// Every note written, by text.
    written: Vec<String>,
}

impl Laptops {
    fn join(dir: &Path, relays: &[&Relay]) -> Laptops {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut station = Store::init(
            &dir.join("station"),
            member("高橋 美咲"),
            now(),
            &tsunagi_tests::test_key(),
        )
        .unwrap();
        let also: Vec<String> = relays[1..].iter().map(|r| r.url.clone()).collect();
        station
            .set_relays(&relays[0].url, &also, Some(&relays[0].fingerprint))
            .unwrap();
        let team = station
            .create_team(
                Patient {
                    name: "山田 太郎".into(),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        rt.block_on(sync_client::sync_once(&mut station, now)).unwrap();
        let mut all = vec![station];
        for (i, name) in ["佐藤 花子", "鈴木 一郎"].into_iter().enumerate() {
            let code = rt
                .block_on(sync_client::invite(
                    &mut all[0],
                    team,
                    Timestamp(now().0 + 3_600_000),
                    now,
                ))
                .unwrap();
            assert_eq!(
                code.also.len(),
                relays.len() - 1,
                "the invite carries every relay address"
            );
            let mut laptop = Store::init(
                &dir.join(format!("laptop-{i}")),
                member(name),
                now(),
                &tsunagi_tests::test_key(),
            )
            .unwrap();
            rt.block_on(sync_client::join(&mut laptop, &code, now)).unwrap();
            let relay = laptop.relay().unwrap().unwrap();
            assert_eq!(relay.addresses().len(), relays.len(), "{relay:?}");
            // Spread: laptop i talks to relay i + 1.
            laptop.set_relay_active(&relays[(i + 1) % relays.len()].url).unwrap();
            all.push(laptop);
        }
        Laptops {
            rt,
            team,
            all,
            written: Vec::new(),
        }
    }

    fn note(&mut self, who: usize, text: String) {
        self.all[who]
            .change(self.team, "note.add", now(), |tx| {
                tx.add_note(NewNote {
                    text: text.clone(),
                    category: NoteCategory::Observation,
                    urgency: Urgency::Routine,
                })
            })
            .unwrap();
        self.written.push(text);
    }

    /// One pass; `Ok` only if the team synced without an error.
    fn sync(&mut self, who: usize) -> Result<(), String> {
        match self.rt.block_on(sync_client::sync_once(&mut self.all[who], now)) {
            Ok(r) => match r.teams.iter().find_map(|t| t.error.clone()) {
                None => Ok(()),
                Some(e) => Err(e),
            },
            Err(e) => Err(e.to_string()),
        }
    }

    fn in_use(&self, who: usize) -> String {
        self.all[who].relay().unwrap().unwrap().addresses().remove(0)
    }

    fn full_cursor(&self, who: usize) -> Cursor {
        let url = self.all[who].relay().unwrap().unwrap().url;
        self.all[who].cursor(self.team, &url).unwrap()
    }

    fn cursor(&self, who: usize) -> u64 {
        let url = self.all[who].relay().unwrap().unwrap().url;
        self.all[who].cursor(self.team, &url).unwrap().server_seq
    }

    /// A round: each laptop writes a note and syncs.
    fn round(&mut self, tag: &str) {
        for who in 0..self.all.len() {
            self.note(who, format!("{tag} {who}"));
            self.sync(who).unwrap_or_else(|e| panic!("{tag}, laptop {who}: {e}"));
            assert_eq!(self.all[who].pending(self.team).unwrap(), 0, "acknowledged");
        }
    }

    /// Two passes each, then every laptop holds every note and the same record.
    fn converge(&mut self) {
        for _ in 0..2 {
            for who in 0..self.all.len() {
                self.sync(who).unwrap();
            }
        }
        let team = self.team;
        let first = self.all[0].record(team).unwrap().read().unwrap();
        let mut texts: Vec<&str> = first.notes.values().map(|n| n.current().text.as_str()).collect();
        texts.sort();
        let mut written: Vec<&str> = self.written.iter().map(String::as_str).collect();
        written.sort();
        assert_eq!(texts, written, "every acknowledged note is in the record");
        for who in 1..self.all.len() {
            assert_eq!(
                self.all[who].record(team).unwrap().read().unwrap(),
                first,
                "laptop {who}"
            );
        }
    }
}

#[test]
fn a_laptop_moves_to_another_relay_when_its_relay_is_killed_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let pg = Cluster::start();
    let mut relays: Vec<Option<Relay>> = three_relays(dir.path(), &pg).into_iter().map(Some).collect();
    let urls: Vec<String> = relays.iter().map(|r| r.as_ref().unwrap().url.clone()).collect();
    let mut laptops = Laptops::join(dir.path(), &relays.iter().flatten().collect::<Vec<_>>());
    // A fourth laptop stays live (push, as the app does) on relay 1.
    let mut live = Store::init(
        &dir.path().join("live"),
        member("伊藤 恵"),
        now(),
        &tsunagi_tests::test_key(),
    )
    .unwrap();
    let code = laptops
        .rt
        .block_on(sync_client::invite(
            &mut laptops.all[0],
            laptops.team,
            Timestamp(now().0 + 3_600_000),
            now,
        ))
        .unwrap();
    laptops.rt.block_on(sync_client::join(&mut live, &code, now)).unwrap();
    live.set_relay_active(&urls[1]).unwrap();
    let (events, heard) = std::sync::mpsc::channel::<(Instant, bool)>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let nudge = tokio::sync::Notify::new();
        rt.block_on(sync_client::watch(
            &mut live,
            now,
            &nudge,
            |e| {
                let online = matches!(e, sync_client::LiveEvent::Online);
                let _ = events.send((Instant::now(), online));
            },
            async {
                let _ = stopped.await;
            },
        ))
        .unwrap();
        live
    });
    let online_after = |since: Instant| loop {
        let (at, online) = heard
            .recv_timeout(Duration::from_secs(30))
            .expect("the live laptop reports");
        if online && at > since {
            return at - since;
        }
    };
    online_after(Instant::now() - Duration::from_secs(60));

    for i in 0..5 {
        laptops.round(&format!("before {i}"));
    }
    assert_eq!(laptops.in_use(1), urls[1]);
    let cursor_before = laptops.cursor(1);

    // The nurse writes, and her relay dies before she syncs.
    laptops.note(1, "written as the relay died".into());
    relays[1].take().unwrap().kill();
    let started = Instant::now();
    laptops.sync(1).expect("the next relay takes the pass");
    let moved = started.elapsed();
    assert!(moved < Duration::from_secs(5), "moved in {moved:?}");
    assert_ne!(laptops.in_use(1), urls[1], "she is on another relay now");
    assert_eq!(laptops.all[1].pending(laptops.team).unwrap(), 0);
    assert!(
        laptops.cursor(1) > cursor_before,
        "her cursor carried on: the relays share one log"
    );
    let live_moved = online_after(started);
    assert!(
        live_moved < Duration::from_secs(5),
        "the live laptop moved in {live_moved:?}"
    );
    for i in 0..5 {
        laptops.round(&format!("after {i}"));
    }
    laptops.converge();
    // Every laptop read the log once: its cursor is the log's length.
    let seq = laptops.cursor(0);
    assert!((1..3).all(|who| laptops.cursor(who) == seq));
    // The live laptop heard every edit by push and holds the same record.
    std::thread::sleep(Duration::from_secs(1));
    stop.send(()).unwrap();
    let mut live = watcher.join().unwrap();
    let relay = live.relay().unwrap().unwrap();
    assert_ne!(relay.addresses()[0], urls[1], "it moved off the dead relay");
    let team = laptops.team;
    assert_eq!(
        live.record(team).unwrap().read().unwrap(),
        laptops.all[0].record(team).unwrap().read().unwrap()
    );
    eprintln!("moved: a syncing laptop in {moved:?}, a live one in {live_moved:?}");
}

#[test]
fn relays_wait_out_a_database_restart_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let pg = Cluster::start();
    let relays = three_relays(dir.path(), &pg);
    let mut laptops = Laptops::join(dir.path(), &relays.iter().collect::<Vec<_>>());
    for i in 0..3 {
        laptops.round(&format!("before {i}"));
    }
    pg.stop();
    for who in 0..3 {
        laptops.note(who, format!("while the database is down {who}"));
        let refused = laptops.sync(who);
        assert!(refused.is_err(), "no relay can store it now");
        assert_eq!(laptops.all[who].pending(laptops.team).unwrap(), 1, "kept on the laptop");
    }
    pg.start_again();
    // The relays' pools find their connections closed and open new ones.
    let deadline = Instant::now() + Duration::from_secs(30);
    for who in 0..3 {
        while let Err(e) = laptops.sync(who) {
            assert!(Instant::now() < deadline, "laptop {who} still refused: {e}");
            std::thread::sleep(Duration::from_millis(200));
        }
        assert_eq!(laptops.all[who].pending(laptops.team).unwrap(), 0);
    }
    for i in 0..3 {
        laptops.round(&format!("after {i}"));
    }
    laptops.converge();
    // All three relays still answer.
    for r in &relays {
        laptops.rt.block_on(r.client().health()).unwrap();
    }
}

#[test]
fn a_sqlite_relay_moves_into_postgres_and_the_laptops_notice_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = Relay::start(&dir.path().join("old"));
    let mut laptops = Laptops::join(dir.path(), &[&old]);
    for i in 0..4 {
        laptops.round(&format!("on sqlite {i}"));
    }
    laptops.converge();
    let before: Vec<Cursor> = (0..3).map(|who| laptops.full_cursor(who)).collect();
    let addr = old.addr().to_string();
    let old_data = old.data.clone();
    let fingerprint = old.fingerprint.clone();
    assert!(old.stop().success());

    let pg = Cluster::start();
    let migrate = std::process::Command::new(tsunagi_tests::binary("sync-server"))
        .args(["migrate", "--from"])
        .arg(&old_data)
        .args(["--store", &pg.url()])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    // Copying twice is refused: the database already holds a relay's data.
    let again = std::process::Command::new(tsunagi_tests::binary("sync-server"))
        .args(["migrate", "--from"])
        .arg(&old_data)
        .args(["--store", &pg.url()])
        .output()
        .unwrap();
    assert!(!again.status.success());

    // The relay comes back on the same address and certificate, now on PostgreSQL.
    let mut flags = on_store(&pg);
    for (flag, file) in [("--tls-cert", "relay-cert.pem"), ("--tls-key", "relay-key.pem")] {
        flags.push(flag.into());
        flags.push(old_data.join(file).to_str().unwrap().into());
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let relay = Relay::start_with(&dir.path().join("new"), &addr, &flags);
    assert_eq!(relay.fingerprint, fingerprint);
    for (who, before) in before.iter().enumerate() {
        let report = laptops
            .rt
            .block_on(sync_client::sync_once(&mut laptops.all[who], now))
            .unwrap();
        let t = &report.teams[0];
        assert!(
            t.error.is_none() && t.received == 0 && t.pushed == 0 && t.given_back == 0,
            "{t:?}"
        );
        assert_eq!(t.from_snapshot, None);
        let after = laptops.full_cursor(who);
        assert_eq!(after.server_seq, before.server_seq, "same cursor");
        assert_eq!(after.incarnation, before.incarnation, "same incarnation: no restore");
        assert_eq!(after.chain, before.chain, "same running hash");
    }
    for i in 0..2 {
        laptops.round(&format!("on postgres {i}"));
    }
    laptops.converge();
    assert!(
        laptops.cursor(0) > before[0].server_seq,
        "the log goes on from where it was"
    );
}
