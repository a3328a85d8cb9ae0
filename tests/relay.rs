//! The relay as a real process over TLS on loopback.

use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use sync_client::{RelayClient, SyncError};
use sync_proto::{seal, Envelope, Header, InviteCode, MembershipOp, PayloadKind, TeamKey};
use tsunagi_tests::Relay;

const TEAM: [u8; 16] = [0x11; 16];

struct Device {
    id: [u8; 16],
    key: SigningKey,
}

impl Device {
    fn new(n: u8) -> Self {
        Device {
            id: [n; 16],
            key: SigningKey::generate(&mut OsRng),
        }
    }

    /// This device's connection to the relay, with its own certificate.
    fn client(&self, relay: &Relay) -> RelayClient {
        relay.client_as(&self.key, &self.id)
    }

    /// Registers the team at the relay with this device as its creator.
    async fn create_team(&self, client: &RelayClient) {
        client
            .add_member(&TEAM, &MembershipOp::genesis(&TEAM, &self.id, "m", &self.key))
            .await
            .unwrap();
    }

    fn envelope(&self, team: &TeamKey, seq: u64, payload: &[u8]) -> Envelope {
        let header = Header {
            kind: PayloadKind::Changes,
            team: TEAM,
            epoch: 0,
            sender: self.id,
            sender_seq: seq,
        };
        seal(team, &self.key, header, payload).unwrap()
    }
}

#[tokio::test]
async fn the_relay_answers_over_tls_and_stores_an_envelope_once_however_often_sent() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let incarnation = relay.client().health().await.unwrap();

    let (nurse, team) = (Device::new(1), TeamKey::random());
    let client = nurse.client(&relay);
    nurse.create_team(&client).await;
    let env = nurse.envelope(&team, 1, b"change");
    let first = client.append(&TEAM, &env).await.unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.incarnation, incarnation);
    for _ in 0..3 {
        let again = client.append(&TEAM, &env).await.unwrap();
        assert_eq!(
            (again.seq, again.duplicate),
            (first.seq, true),
            "a resent envelope gets its first ack back"
        );
    }
    let page = client.read(&TEAM, 0).await.unwrap();
    assert_eq!(page.envelopes, vec![(first.seq, env.bytes().to_vec())]);
    assert_eq!(page.high_water, first.seq);

    // The same device and sequence number with other bytes is refused.
    let other = nurse.envelope(&team, 1, b"different");
    match client.append(&TEAM, &other).await {
        Err(SyncError::Refused { status: 409, code, .. }) => assert_eq!(code, "sender_seq_reused"),
        other => panic!("expected 409, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_appends_and_live_push_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (nurse, team) = (Device::new(4), TeamKey::random());
    let client = nurse.client(&relay);
    nurse.create_team(&client).await;
    let mut events = client.subscribe(&[TEAM]).await.unwrap();
    assert_eq!(events.next().await.unwrap(), Some(sync_client::PushEvent::Ready));
    // Four writers append until the relay goes away.
    let nurse = std::sync::Arc::new(nurse);
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..4u64 {
        let (client, nurse, team) = (nurse.client(&relay), nurse.clone(), team.clone());
        writers.spawn(async move {
            let mut acked = Vec::new();
            for i in 0.. {
                let env = nurse.envelope(&team, 1 + w + 4 * i, format!("visit {w}/{i}").as_bytes());
                match client.append(&TEAM, &env).await {
                    Ok(ack) => acked.push((ack.seq, env.into_bytes())),
                    Err(_) => break,
                }
            }
            acked
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let status = tokio::task::spawn_blocking(move || relay.stop()).await.unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "SIGTERM with requests in flight shuts down cleanly"
    );
    let mut acked = Vec::new();
    while let Some(w) = writers.join_next().await {
        acked.extend(w.unwrap());
    }
    assert!(acked.len() > 4, "the writers were appending when the relay stopped");
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(Some(_)) = events.next().await {}
    });
    assert!(ended.await.is_ok(), "the live-push stream ended with the relay");

    let relay = Relay::start(dir.path());
    let client = nurse.client(&relay);
    let mut log = Vec::new();
    loop {
        let page = client.read(&TEAM, log.last().map_or(0, |(s, _)| *s)).await.unwrap();
        log.extend(page.envelopes);
        if log.last().is_none_or(|(s, _)| *s >= page.high_water) {
            break;
        }
    }
    for (seq, bytes) in &acked {
        assert!(
            log.iter().any(|(s, b)| s == seq && b == bytes),
            "acknowledged envelope {seq} is missing after a clean shutdown"
        );
    }
}

#[tokio::test]
async fn sigkill_of_the_relay_loses_nothing_it_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (nurse, team) = (Device::new(2), TeamKey::random());
    let client = nurse.client(&relay);
    nurse.create_team(&client).await;
    let mut acked = Vec::new();
    for seq in 1..=40 {
        let env = nurse.envelope(&team, seq, format!("visit {seq}").as_bytes());
        let ack = client.append(&TEAM, &env).await.unwrap();
        acked.push((ack.seq, env.into_bytes()));
    }
    let incarnation = relay.client().health().await.unwrap();
    relay.kill();

    let relay = Relay::start(dir.path());
    let client = nurse.client(&relay);
    let page = client.read(&TEAM, 0).await.unwrap();
    assert_eq!(
        page.envelopes, acked,
        "every acknowledged envelope is there, in order, byte for byte"
    );
    assert_eq!(
        page.incarnation, incarnation,
        "a restart is not a restore: same incarnation"
    );
    assert_eq!(relay.stop().code(), Some(0), "SIGTERM shuts down cleanly");
}

#[tokio::test]
async fn malformed_and_oversized_requests_are_refused_and_the_relay_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let nurse = Device::new(3);
    let client = nurse.client(&relay);
    let http = reqwest_like(&relay, &nurse);

    let garbage = http
        .post_bytes(
            &format!("{}/v1/teams/{}/envelopes", relay.url, "11".repeat(16)),
            b"garbage".to_vec(),
        )
        .await;
    assert_eq!(garbage.0, 400);
    assert!(
        garbage.1.contains("malformed_envelope") && garbage.1.contains("message_ja"),
        "{}",
        garbage.1
    );

    let bad_team = http
        .post_bytes(&format!("{}/v1/teams/not-hex/envelopes", relay.url), b"x".to_vec())
        .await;
    assert_eq!(bad_team.0, 400);

    // Live push without asking for the upgrade: a clear 400, not a hang.
    let plain = http
        .inner
        .get(format!("{}/v1/events?teams={}", relay.url, "11".repeat(16)));
    let plain = plain.send().await.unwrap();
    assert_eq!(plain.status().as_u16(), 400);
    assert!(plain.text().await.unwrap().contains("upgrade_required"));

    // Announces 3 MiB, sends 64 KiB and waits: the relay answers 413 from the
    // announced length, without buffering the body.
    let url = format!("{}/v1/teams/{}/envelopes", relay.url, "11".repeat(16));
    let huge = http.post_announcing(&url, 3 << 20).await;
    assert_eq!(huge.0, 413, "{}", huge.1);
    assert!(huge.1.contains("too_large"));

    // Still serving.
    let team = TeamKey::random();
    nurse.create_team(&client).await;
    client.append(&TEAM, &nurse.envelope(&team, 1, b"ok")).await.unwrap();
}

#[tokio::test]
async fn the_relay_data_directory_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let marker = "MARKER-山田太郎-SpO2-89".as_bytes();
    let (nurse, team) = (Device::new(4), TeamKey::random());
    let client = nurse.client(&relay);
    nurse.create_team(&client).await;
    for seq in 1..=5 {
        client
            .append(&TEAM, &nurse.envelope(&team, seq, &[marker, b" note"].concat()))
            .await
            .unwrap();
    }
    relay.stop();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker),
            "plaintext found in the relay's files"
        );
    }
}

#[tokio::test]
async fn a_client_refuses_a_relay_whose_certificate_is_not_the_pinned_one() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let wrong = RelayClient::new(&relay.url, Some(&"ab".repeat(32)), None).unwrap();
    match wrong.health().await {
        Err(SyncError::Unreachable(msg)) => assert!(msg.contains("pinned"), "{msg}"),
        other => panic!("expected a refused handshake, got {other:?}"),
    }
    assert!(
        RelayClient::new(&relay.url, Some("xyz"), None).is_err(),
        "a malformed fingerprint is refused"
    );
}

/// Raw requests for the malformed-input test, with the pinned TLS settings.
fn reqwest_like(relay: &Relay, device: &Device) -> RawClient {
    let id = sync_client::Identity::for_device(&device.key, &device.id).unwrap();
    let tls = sync_client::pinned_tls_config(&relay.fingerprint, Some(&id)).unwrap();
    let config = tls.clone();
    RawClient {
        tls,
        inner: reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .build()
            .unwrap(),
    }
}

struct RawClient {
    inner: reqwest::Client,
    tls: rustls::ClientConfig,
}

impl RawClient {
    /// Sends only a request head announcing `announced` bytes, over a raw
    /// TLS socket, and reads the status line and body of the answer.
    async fn post_announcing(&self, url: &str, announced: u64) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rest = url.strip_prefix("https://").unwrap();
        let (addr, path) = rest.split_at(rest.find('/').unwrap());
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(self.tls.clone()));
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        let head = format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {announced}\r\n\r\n");
        tls.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), tls.read_to_end(&mut answer)).await;
        let text = String::from_utf8_lossy(&answer).to_string();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, text)
    }

    async fn post_bytes(&self, url: &str, body: Vec<u8>) -> (u16, String) {
        let resp = self.inner.post(url).body(body).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }
}

#[tokio::test]
async fn a_device_outside_the_team_is_refused_and_learns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (nurse, stranger, team) = (Device::new(5), Device::new(6), TeamKey::random());
    let (ours, theirs) = (nurse.client(&relay), stranger.client(&relay));

    let not_found = |r: Result<(), SyncError>| matches!(r, Err(SyncError::Refused { status: 404, .. }));
    assert!(
        not_found(theirs.read(&TEAM, 0).await.map(|_| ())),
        "an unknown team is 404"
    );
    nurse.create_team(&ours).await;
    ours.append(&TEAM, &nurse.envelope(&team, 1, b"x")).await.unwrap();
    assert!(
        not_found(theirs.read(&TEAM, 0).await.map(|_| ())),
        "a non-member cannot read the log: 404"
    );
    assert!(
        not_found(theirs.members(&TEAM).await.map(|_| ())),
        "nor the roster: 404"
    );
    assert!(
        not_found(theirs.subscribe(&[TEAM]).await.map(|_| ())),
        "nor subscribe: 404"
    );
    assert!(
        not_found(
            theirs
                .append(&TEAM, &stranger.envelope(&team, 1, b"x"))
                .await
                .map(|_| ())
        ),
        "a non-member's envelope: 404"
    );
    // The nurse's own envelope, replayed over the stranger's connection.
    assert!(
        not_found(theirs.append(&TEAM, &nurse.envelope(&team, 2, b"x")).await.map(|_| ())),
        "a non-member cannot upload even a member's envelope"
    );
    // Without any certificate: 401 with a reason.
    match relay.client().read(&TEAM, 0).await {
        Err(SyncError::Refused { status: 401, code, .. }) => assert_eq!(code, "no_client_certificate"),
        other => panic!("expected 401, got {other:?}"),
    }

    // A relay-side forgery: an invite op signed by a non-member.
    let invite = SigningKey::generate(&mut OsRng);
    let forged = MembershipOp::invite(&TEAM, &stranger.id, &stranger.key, &invite.verifying_key(), i64::MAX);
    match theirs.add_member(&TEAM, &forged).await {
        Err(SyncError::Refused { status: 403, code, .. }) => assert_eq!(code, "membership_refused"),
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn an_invite_admits_one_device_once_and_is_deleted_after_the_join() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (nurse, doctor, team) = (Device::new(7), Device::new(8), TeamKey::random());
    let (client, dr) = (nurse.client(&relay), doctor.client(&relay));
    nurse.create_team(&client).await;
    let joined = admit(&relay, (&nurse, &client), (&doctor, &dr), &team).await;
    dr.append(&TEAM, &doctor.envelope(&team, 1, b"from the doctor"))
        .await
        .unwrap();

    // Once the join that used it arrived, the invite (its sealed team key)
    // is deleted: nobody can claim it, the joiner neither.
    for client in [&dr, &Device::new(9).client(&relay)] {
        match client.claim_invite(&joined).await {
            Err(SyncError::Refused { status: 404, .. }) => {}
            other => panic!("a used invite is gone, got {other:?}"),
        }
    }
    let db = rusqlite::Connection::open(relay.data.join("relay.db")).unwrap();
    let left: i64 = db.query_row("SELECT count(*) FROM invites", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "no sealed team key is kept after the join");
    let ops = dr.members(&TEAM).await.unwrap();
    assert_eq!(sync_proto::Roster::replay_ops(&TEAM, &ops).devices.len(), 2);
}

#[tokio::test]
async fn a_removed_devices_live_push_is_closed_and_the_others_stay() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let (nurse, doctor, team) = (Device::new(7), Device::new(8), TeamKey::random());
    let (client, dr) = (nurse.client(&relay), doctor.client(&relay));
    nurse.create_team(&client).await;
    admit(&relay, (&nurse, &client), (&doctor, &dr), &team).await;
    let mut theirs = dr.subscribe(&[TEAM]).await.unwrap();
    let mut ours = client.subscribe(&[TEAM]).await.unwrap();
    for events in [&mut theirs, &mut ours] {
        assert_eq!(events.next().await.unwrap(), Some(sync_client::PushEvent::Ready));
    }

    let roster = sync_proto::Roster::replay_ops(&TEAM, &client.members(&TEAM).await.unwrap());
    let removal = MembershipOp::remove(&TEAM, &nurse.id, &nurse.key, &doctor.id, &roster, &TeamKey::random());
    client.add_member(&TEAM, &removal).await.unwrap();
    let five_s = std::time::Duration::from_secs(5);
    let closed = tokio::time::timeout(five_s, async { while let Ok(Some(_)) = theirs.next().await {} });
    assert!(closed.await.is_ok(), "the removed device's live push closes within 5 s");
    match tokio::time::timeout(five_s, ours.next()).await {
        Ok(Ok(Some(sync_client::PushEvent::Append { team, .. }))) => assert_eq!(team, TEAM),
        other => panic!("the remaining member hears of the roster change and stays connected: {other:?}"),
    }
}

/// `joiner` joins the team of `creator` with an invite code, as a laptop
/// does; returns the code as the joiner parsed it.
async fn admit(
    relay: &Relay,
    (creator, client): (&Device, &RelayClient),
    (joiner, jc): (&Device, &RelayClient),
    team: &TeamKey,
) -> InviteCode {
    let mut fp = [0u8; 32];
    hex::decode_to_slice(&relay.fingerprint, &mut fp).unwrap();
    let code = InviteCode::new(&relay.url, fp, TEAM);
    let expires = i64::MAX;
    client
        .add_member(
            &TEAM,
            &MembershipOp::invite(
                &TEAM,
                &creator.id,
                &creator.key,
                &code.signing_key().verifying_key(),
                expires,
            ),
        )
        .await
        .unwrap();
    client
        .put_invite(&code, &code.seal_team_keys(&[(0, team.clone())]), expires)
        .await
        .unwrap();

    // The joiner, offline from the creator, joins with the code alone.
    let joined = InviteCode::parse(&code.encode()).unwrap();
    let sealed = jc.claim_invite(&joined).await.unwrap();
    assert_eq!(joined.open_team_keys(&sealed).unwrap(), vec![(0, team.clone())]);
    jc.add_member(
        &TEAM,
        &MembershipOp::join(&TEAM, &joiner.id, "dr", &joiner.key, &joined.signing_key()),
    )
    .await
    .unwrap();
    joined
}

#[tokio::test]
async fn a_flood_from_one_caller_gets_429_and_the_relay_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path());
    let nurse = Device::new(9);
    let http = reqwest_like(&relay, &nurse);
    let url = format!("{}/health", relay.url);
    let mut limited = None;
    for _ in 0..3000 {
        let resp = http.inner.get(&url).send().await.unwrap();
        if resp.status().as_u16() == 429 {
            let retry = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            limited = Some((retry, resp.text().await.unwrap()));
            break;
        }
    }
    let (retry, body) = limited.expect("3000 requests at once exceed the burst");
    assert!(
        retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)),
        "Retry-After is given"
    );
    assert!(body.contains("rate_limited") && body.contains("message_ja"), "{body}");
    // Another device is not affected, and the flooder is served again soon.
    let other = Device::new(10);
    assert_eq!(
        reqwest_like(&relay, &other)
            .inner
            .get(&url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(http.inner.get(&url).send().await.unwrap().status().as_u16(), 200);
}
