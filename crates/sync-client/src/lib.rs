//! # sync-client
//!
//! The laptop's side of the relay protocol: [`RelayClient`] appends sealed
//! envelopes to a team's log and reads the log after a cursor, over TLS 1.3
//! with the relay's certificate pinned by its SHA-256 fingerprint (from the
//! invite code), so a station's own relay needs no public certificate
//! authority. Without a fingerprint it trusts the usual public authorities.
//!
//! [`sync_once`] is one pass of the sync loop over every team of a
//! [`care_store::Store`]: membership, push, pull.

mod device;
mod events;
mod files;
mod handover;
mod invite;
mod pinned;
mod sync;
mod watch;

pub use device::{
    add_device, end_family_access, join_as_device, my_devices, remove_member_everywhere, remove_my_device,
    DeviceJoined, LeaverRemoved, MyDevice, DEVICE_CODE_HOURS,
};
pub use events::{Events, PushEvent};
pub use files::open_file;
pub use handover::{hand_over, HandedOver};
pub use invite::{enrol, invite, invite_family, join, leave, make_admin, remove_device, set_invite_policy, Joined};
pub use sync::{sync_once, sync_teams, SyncReport, TeamReport};
pub use watch::{watch, LiveEvent};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use sync_proto::page::{decode_page, HIGH_WATER_HEADER, INCARNATION_HEADER, ROSTER_HEADER, SNAPSHOT_HEADER};
use sync_proto::{Envelope, InviteCode, MembershipOp};

/// Why talking to the relay failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("中継サーバーの指紋は 64 桁の16進数です / the relay fingerprint must be 64 hex digits")]
    BadFingerprint,
    #[error("中継サーバーのアドレス「{0}」は https:// で始まる URL です（最大 8 件、重複なし） / relay addresses are https:// URLs, at most 8, none twice: \"{0}\"")]
    BadAddress(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("この中継サーバーでチームを作るには登録が必要です。管理者から登録コードをもらい `tsunagi relay enrol CODE`（アプリでは設定画面）で登録してください / this relay takes new teams only from enrolled devices: get an enrolment code from its operator")]
    NotEnrolled,
    #[error("登録コードが違うか、使用済みか、期限切れです。中継サーバーの管理者に新しいコードを頼んでください / the enrolment code is wrong, used by another device, or expired: ask the relay's operator for a new one")]
    BadEnrolment,
    #[error("中継サーバーが、メンバーによって違うメンバー構成を見せています。このチームの送受信を止めました（記録はこの端末に残っています）。管理者に連絡してください / the relay shows members different rosters of this team; this laptop stopped syncing it (entries stay here): tell your administrator ({0})")]
    RosterFork(String),
    /// The log holds another envelope where the relay had acknowledged one
    /// of ours (handled inside a pass, by sending again what was lost).
    #[error("中継サーバーの記録が以前の状態に戻されました / the relay's log was put back from a backup")]
    LogRewritten { incarnation: String },
    #[error("このチームには既に参加しています / this laptop is already in that team")]
    AlreadyJoined,
    #[error("中継サーバーが拒否しました ({status} {code}) / the relay refused: {message}")]
    Refused { status: u16, code: String, message: String },
    #[error("中継サーバーの応答を読めません / unreadable answer from the relay: {0}")]
    BadAnswer(String),
    #[error("それができるのはチームの管理者（チームを作った人と、その人が指名した人）だけです。端末を外すのは、その端末の持ち主にもできます / only the team's admins (whoever created it, and those they named) may do this; a device's own member may also remove it")]
    NotAllowed,
    #[error("招待できるのはチームの管理者だけです。管理者が「メンバー全員が招待できる」にすると、誰でも招待できます / only the team's admins may invite; an admin can let every member invite")]
    MayNotInvite,
    #[error("中継サーバーの指紋がありません。招待コードには指紋が必要です（`tsunagi relay set URL --fingerprint HEX`） / the relay has no certificate fingerprint; invite codes must pin it")]
    NoFingerprint,
    #[error("この端末の追加コードは使えなくなりました（使用済みか期限切れ）。元の端末で新しいコードを出してください / this device code no longer works (used or expired): show a new one on the first laptop")]
    DeviceCodeVoid,
    #[error("この端末はまだどのチームにも入っていません。追加できるのは、チームに入っている端末からです / this laptop is in no team yet: add another laptop from one that is")]
    NoTeams,
    #[error("この招待コードは使えなくなりました（使用済み、期限切れ、またはチームのメンバーが変わりました）。新しいコードを頼んでください / this invite no longer works (used, expired, or the team changed since): ask for a new one")]
    InviteVoid,
    #[error("この端末はチームから外されました。未送信の記録 {unsent} 件はこの端末に残しています。管理者に見せてください / this device was removed from the team; {unsent} unsent entries are kept on this laptop: show them to your manager")]
    Removed { unsent: u64 },
}

impl From<reqwest::Error> for SyncError {
    fn from(e: reqwest::Error) -> Self {
        // The full chain (rustls, hyper, the socket) goes to the log; the
        // person at the laptop gets one sentence and what to do.
        let mut chain = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            chain = format!("{chain}: {s}");
            source = s.source();
        }
        tracing::info!(error = %chain, "request to the relay failed");
        let lower = chain.to_lowercase();
        let sentence = if lower.contains("certificate") || lower.contains("fingerprint") {
            "中継サーバーの証明書が登録された指紋と違います。管理者に確認してください / the relay's certificate does not match its pinned fingerprint: ask your administrator"
        } else if e.is_timeout() {
            "中継サーバーの応答がありません。接続が戻ったら自動で続けます / the relay did not answer in time; this continues when the connection is back"
        } else if e.is_connect() {
            "中継サーバーに接続できません。ネットワークを確認してください。記録は端末に残っています / cannot reach the relay: check the network; entries stay on this laptop"
        } else {
            "接続が途中で切れました。接続が戻ったら自動で続けます / the connection was cut; this continues when it is back"
        };
        SyncError::Unreachable(sentence.to_string())
    }
}

/// Relay addresses as typed (one or several, separated by spaces, commas or
/// lines), trimmed and checked: every one `https://`, none twice, at most
/// [`sync_proto::invite::MAX_RELAYS`].
pub fn relay_addresses(typed: &[String]) -> Result<Vec<String>, SyncError> {
    let mut all: Vec<String> = Vec::new();
    for a in typed
        .iter()
        .flat_map(|t| t.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|a| !a.is_empty())
    {
        let a = a.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&a).ok();
        let https = url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https" && u.host_str().is_some() && u.path() == "/" && u.query().is_none());
        if !https || all.contains(&a) {
            return Err(SyncError::BadAddress(a));
        }
        all.push(a);
    }
    if all.is_empty() || all.len() > sync_proto::invite::MAX_RELAYS {
        return Err(SyncError::BadAddress(typed.join(" ")));
    }
    Ok(all)
}

/// TLS settings that trust only the relay certificate with this SHA-256
/// fingerprint (64 hex digits), TLS 1.3 only, presenting `identity`.
pub fn pinned_tls_config(fingerprint: &str, identity: Option<&Identity>) -> Result<rustls::ClientConfig, SyncError> {
    let mut fp = [0u8; 32];
    hex::decode_to_slice(fingerprint.trim(), &mut fp).map_err(|_| SyncError::BadFingerprint)?;
    Ok(pinned::client_config(Some(fp), identity))
}

/// A device's TLS identity: a self-signed certificate for its own Ed25519
/// key. The relay learns the key from it and checks the team roster.
pub struct Identity {
    cert: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
}

impl Identity {
    /// The identity of the device whose profile `store` is.
    pub fn of(store: &care_store::Store) -> Result<Self, SyncError> {
        Self::for_device(store.signing_key(), store.device_id().as_bytes())
    }

    pub fn for_device(key: &ed25519_dalek::SigningKey, device: &[u8; 16]) -> Result<Self, SyncError> {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let bad = |e: String| SyncError::BadAnswer(format!("device certificate: {e}"));
        let der = key.to_pkcs8_der().map_err(|e| bad(e.to_string()))?;
        let pair = rcgen::KeyPair::try_from(der.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| bad(e.to_string()))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, hex::encode(device));
        let cert = params.self_signed(&pair).map_err(|e| bad(e.to_string()))?;
        Ok(Identity {
            cert: cert.der().clone(),
            key: rustls::pki_types::PrivateKeyDer::Pkcs8(der.as_bytes().to_vec().into()),
        })
    }
}

/// The most any answer from the relay may hold: a page of the log is at
/// most about 8 MB; a relay (or something posing as it) sending more is
/// cut off rather than filling the laptop's memory.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// Reads a response body, refusing one past [`MAX_RESPONSE_BYTES`].
async fn capped_body(mut resp: reqwest::Response) -> Result<Vec<u8>, SyncError> {
    if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
        return Err(SyncError::BadAnswer("the relay's answer is too large".into()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(SyncError::BadAnswer("the relay's answer is too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A JSON answer, read with the size cap.
trait JsonCapped {
    async fn json_capped<T: serde::de::DeserializeOwned>(self) -> Result<T, SyncError>;
}

impl JsonCapped for reqwest::Response {
    async fn json_capped<T: serde::de::DeserializeOwned>(self) -> Result<T, SyncError> {
        let body = capped_body(self).await?;
        serde_json::from_slice(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))
    }
}

/// The relay's answer to an append.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Ack {
    pub seq: u64,
    pub duplicate: bool,
    pub incarnation: String,
}

/// A page of a team's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub envelopes: Vec<(u64, Vec<u8>)>,
    pub high_water: u64,
    pub incarnation: String,
    /// How many membership ops the relay holds for the team.
    pub roster_ops: Option<u64>,
    /// The log seq the relay's snapshot of the team covers (0: none).
    pub snapshot: u64,
    /// Envelopes the relay confirmed damaged, awaiting a genuine copy.
    pub damaged: Vec<u64>,
    /// The running hash of the log up to the read's `after`, and up to the
    /// page's last envelope (hex; absent from an older relay).
    pub chain_after: Option<String>,
    pub chain_end: Option<String>,
}

/// Talks to a team's relay. With several addresses (relays in front of one
/// PostgreSQL), a relay that refuses the connection or says it is
/// unavailable is skipped for the next, and the client stays on the one
/// that answered.
#[derive(Debug, Clone)]
pub struct RelayClient {
    http: reqwest::Client,
    bases: Arc<[String]>,
    /// Index into `bases` of the relay in use.
    at: Arc<AtomicUsize>,
    /// The same pinned TLS setup, for the live-push WebSocket.
    tls: Arc<rustls::ClientConfig>,
}

/// What a kept client was made for. A pass reuses the open TLS connection
/// of the last one instead of making the device's certificate and a new
/// mutual handshake each time (most of a quiet pass's work). Per runtime,
/// because a connection is served by a task on the runtime that opened it.
#[derive(PartialEq, Eq)]
struct Kept {
    runtime: Option<tokio::runtime::Id>,
    /// The device's id and key: what its certificate is made of.
    device: ([u8; 16], [u8; 32]),
    addresses: Vec<String>,
    fingerprint: Option<String>,
}

impl Kept {
    fn device_of(store: &care_store::Store) -> ([u8; 16], [u8; 32]) {
        (
            *store.device_id().as_bytes(),
            store.signing_key().verifying_key().to_bytes(),
        )
    }
}

/// Clients kept across passes: one per device and runtime, the newest few.
static KEPT: std::sync::Mutex<Vec<(Kept, RelayClient)>> = std::sync::Mutex::new(Vec::new());
const KEEP_AT_MOST: usize = 8;

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorDetail,
}

#[derive(Deserialize)]
pub(crate) struct ErrorDetail {
    pub(crate) code: String,
    pub(crate) message_en: String,
}

impl RelayClient {
    /// `url` like `https://192.168.1.10:7443`; `fingerprint` is the relay
    /// certificate's SHA-256 in hex, or `None` to trust public authorities.
    pub fn new(url: &str, fingerprint: Option<&str>, identity: Option<&Identity>) -> Result<Self, SyncError> {
        Self::over(&[url.to_string()], fingerprint, identity)
    }

    /// A client for relays at `addresses` (all with the same certificate),
    /// trying them in this order.
    pub fn over(
        addresses: &[String],
        fingerprint: Option<&str>,
        identity: Option<&Identity>,
    ) -> Result<Self, SyncError> {
        if addresses.is_empty() {
            return Err(SyncError::Unreachable("no relay set".into()));
        }
        let builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .https_only(true);
        let tls = match fingerprint {
            Some(fp) => pinned_tls_config(fp, identity)?,
            None => pinned::client_config(None, identity),
        };
        let http = builder
            .use_preconfigured_tls(tls.clone())
            .build()
            .map_err(SyncError::from)?;
        Ok(RelayClient {
            http,
            bases: addresses.iter().map(|a| a.trim_end_matches('/').to_string()).collect(),
            at: Arc::new(AtomicUsize::new(0)),
            tls: Arc::new(tls),
        })
    }

    /// The client for the relay `store` is set to, its last good address first.
    pub fn of_store(store: &care_store::Store) -> Result<Self, SyncError> {
        let relay = store
            .relay()
            .map_err(|e| SyncError::BadAnswer(e.to_string()))?
            .ok_or_else(|| {
                SyncError::Unreachable(
                    "中継サーバーが未設定です。`tsunagi relay set URL` / no relay set: `tsunagi relay set URL`".into(),
                )
            })?;
        Self::for_relay(&relay, store)
    }

    /// The client for `relay` (settings already read), as `store`'s device:
    /// the one kept from the last pass when the device, the settings and
    /// the runtime are the same (see [`Kept`]).
    pub fn for_relay(relay: &care_store::RelaySettings, store: &care_store::Store) -> Result<Self, SyncError> {
        let key = Kept {
            runtime: tokio::runtime::Handle::try_current().ok().map(|h| h.id()),
            device: Kept::device_of(store),
            addresses: relay.addresses(),
            fingerprint: relay.fingerprint.clone(),
        };
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, client)) = kept.iter().find(|(k, _)| k.runtime.is_some() && *k == key) {
            return Ok(client.clone());
        }
        let client = Self::over(&key.addresses, key.fingerprint.as_deref(), Some(&Identity::of(store)?))?;
        if key.runtime.is_some() {
            kept.retain(|(k, _)| !(k.runtime == key.runtime && k.device == key.device));
            kept.push((key, client.clone()));
            if kept.len() > KEEP_AT_MOST {
                kept.remove(0);
            }
        }
        Ok(client)
    }

    /// Drops the clients kept for `store`'s device: after its relay went
    /// away their pooled connections may be dead ones, and a request sent on
    /// one fails instead of moving on to the next relay.
    pub fn forget_kept(store: &care_store::Store) {
        let device = Kept::device_of(store);
        KEPT.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(k, _)| k.device != device);
    }

    /// The address in use now (the last that answered).
    pub fn address(&self) -> &str {
        &self.bases[self.at.load(Ordering::Relaxed) % self.bases.len()]
    }

    /// Sends the request `build` makes for a relay's base address, moving
    /// to the next address while a relay cannot be reached or is
    /// unavailable (every request is safe to repeat: appends carry their
    /// id, claims answer a repeat from the same device the same way). On
    /// 429 waits as the relay's `Retry-After` says (at most 10 s, three
    /// times) and sends it again, so a laptop catching up on many teams
    /// slows down instead of failing.
    async fn send(&self, build: impl Fn(&str) -> reqwest::RequestBuilder) -> Result<reqwest::Response, SyncError> {
        let start = self.at.load(Ordering::Relaxed);
        let mut last = None;
        for i in 0..self.bases.len() {
            let at = (start + i) % self.bases.len();
            let mut sent = Self::send_to(build(&self.bases[at])).await;
            // A kept connection the relay closed (it restarted, or died)
            // fails before any answer: once more on a new connection, which
            // reaches the relay again or is refused (then the next relay).
            // Safe: every request may be repeated (see the invariant).
            if matches!(&sent, Err(e) if !e.is_connect() && !e.is_timeout()) {
                tracing::info!(relay = %self.bases[at], "the connection closed under the request; once more");
                sent = Self::send_to(build(&self.bases[at])).await;
            }
            match sent {
                Ok(resp) if Self::unavailable(resp.status()) && i + 1 < self.bases.len() => {
                    tracing::info!(relay = %self.bases[at], status = %resp.status(), "relay unavailable; trying the next");
                }
                Ok(resp) => {
                    self.at.store(at, Ordering::Relaxed);
                    return Self::check(resp).await;
                }
                Err(e) if e.is_connect() || e.is_timeout() => {
                    // Info, not warn: the CLI prints warnings, and its error stays one line.
                    tracing::info!(relay = %self.bases[at], "relay not reachable");
                    last = Some(e);
                }
                Err(e) => {
                    // Cut mid-answer: the next request starts at the next relay.
                    if self.bases.len() > 1 {
                        self.at.store(at + 1, Ordering::Relaxed);
                    }
                    return Err(e.into());
                }
            }
        }
        Err(last
            .map(SyncError::from)
            .unwrap_or_else(|| SyncError::Unreachable("中継サーバーが応答しません / no relay answered".into())))
    }

    /// What a relay says when it, not the request, is the problem.
    fn unavailable(status: reqwest::StatusCode) -> bool {
        matches!(status.as_u16(), 502..=504)
    }

    async fn send_to(req: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
        for _ in 0..3 {
            // Bodies are bytes, so only a request that cannot be built has
            // no clone: sending it returns that error.
            let Some(attempt) = req.try_clone() else {
                return req.send().await;
            };
            let resp = attempt.send().await?;
            if resp.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
                return Ok(resp);
            }
            let wait = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1)
                .clamp(1, 10);
            tracing::info!(wait, "the relay asks to slow down");
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
        req.send().await
    }

    async fn check(resp: reqwest::Response) -> Result<reqwest::Response, SyncError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        match resp.json_capped::<ErrorBody>().await {
            Ok(b) if b.error.code == "not_enrolled" => Err(SyncError::NotEnrolled),
            Ok(b) => Err(SyncError::Refused {
                status,
                code: b.error.code,
                message: b.error.message_en,
            }),
            Err(_) => Err(SyncError::Refused {
                status,
                code: String::new(),
                message: format!("HTTP {status}"),
            }),
        }
    }

    /// The relay's incarnation, if it answers at all.
    pub async fn health(&self) -> Result<String, SyncError> {
        #[derive(Deserialize)]
        struct Health {
            incarnation: String,
        }
        let resp = self.send(|base| self.http.get(format!("{base}/health"))).await?;
        Ok(resp.json_capped::<Health>().await?.incarnation)
    }

    /// Appends one envelope; returns once the relay has stored it durably.
    pub async fn append(&self, team: &[u8; 16], envelope: &Envelope) -> Result<Ack, SyncError> {
        let path = format!("/v1/teams/{}/envelopes", hex::encode(team));
        let req = |base: &str| {
            self.http
                .post(format!("{base}{path}"))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(envelope.bytes().to_vec())
        };
        self.send(req).await?.json_capped::<Ack>().await
    }

    /// Adds a membership op to the team's roster at the relay.
    pub async fn add_member(&self, team: &[u8; 16], op: &MembershipOp) -> Result<u64, SyncError> {
        #[derive(Deserialize)]
        struct Seq {
            seq: u64,
        }
        let path = format!("/v1/teams/{}/members", hex::encode(team));
        let resp = self
            .send(|base| self.http.post(format!("{base}{path}")).json(op))
            .await?;
        Ok(resp.json_capped::<Seq>().await?.seq)
    }

    /// The team's membership ops with the relay's receipt times.
    pub async fn members(&self, team: &[u8; 16]) -> Result<Vec<sync_proto::RosterOp>, SyncError> {
        #[derive(Deserialize)]
        struct Ops {
            ops: Vec<sync_proto::RosterOp>,
        }
        let path = format!("/v1/teams/{}/members", hex::encode(team));
        let resp = self.send(|base| self.http.get(format!("{base}{path}"))).await?;
        let ops = resp.json_capped::<Ops>().await?;
        Ok(ops.ops)
    }

    /// Leaves the sealed team key with the relay under the invite's id.
    pub async fn put_invite(&self, code: &InviteCode, sealed: &[u8], expires_ms: i64) -> Result<(), SyncError> {
        let path = format!("/v1/invites/{}", hex::encode(code.id()));
        let body = serde_json::json!({
            "team": hex::encode(code.team),
            "claim_hash": hex::encode(code.claim_hash()),
            "sealed": hex::encode(sealed),
            "expires_ms": expires_ms,
            // So the relay can delete it once the join that uses it arrives.
            "invite_key": hex::encode(code.signing_key().verifying_key().as_bytes()),
        });
        self.send(|base| self.http.put(format!("{base}{path}")).json(&body))
            .await?;
        Ok(())
    }

    /// Leaves a member's device link (who she is, her teams; sealed) under
    /// its id, filed with one of her teams.
    pub async fn put_device_link(&self, link: &InviteCode, sealed: &[u8], expires_ms: i64) -> Result<(), SyncError> {
        let path = format!("/v1/device-links/{}", hex::encode(link.id()));
        let body = serde_json::json!({
            "team": hex::encode(link.team),
            "claim_hash": hex::encode(link.claim_hash()),
            "sealed": hex::encode(sealed),
            "expires_ms": expires_ms,
        });
        self.send(|base| self.http.put(format!("{base}{path}")).json(&body))
            .await?;
        Ok(())
    }

    /// Redeems an invite (once) and returns the sealed team key.
    pub async fn claim_invite(&self, code: &InviteCode) -> Result<Vec<u8>, SyncError> {
        #[derive(Deserialize)]
        struct Claimed {
            sealed: String,
        }
        let path = format!("/v1/invites/{}/claim", hex::encode(code.id()));
        let body = serde_json::json!({ "claim_token": hex::encode(code.claim_token()) });
        let resp = self
            .send(|base| self.http.post(format!("{base}{path}")).json(&body))
            .await?;
        let c = resp.json_capped::<Claimed>().await?;
        hex::decode(c.sealed).map_err(|e| SyncError::BadAnswer(e.to_string()))
    }

    /// Tells the relay the envelope at `seq` did not verify here; returns
    /// whether the relay confirms its copy is damaged.
    pub async fn report_damaged(&self, team: &[u8; 16], seq: u64) -> Result<bool, SyncError> {
        #[derive(Deserialize)]
        struct Answer {
            damaged: bool,
        }
        let path = format!("/v1/teams/{}/damaged", hex::encode(team));
        let resp = self
            .send(|base| {
                self.http
                    .post(format!("{base}{path}"))
                    .json(&serde_json::json!({ "seq": seq }))
            })
            .await?;
        let a = resp.json_capped::<Answer>().await?;
        Ok(a.damaged)
    }

    /// Asks the relay to countersign this device's access-log chain head.
    pub async fn audit_checkpoint(
        &self,
        team: &[u8; 16],
        device: &[u8; 16],
        scope: Option<&[u8; 16]>,
        seq: u64,
        head: &[u8; 32],
    ) -> Result<sync_proto::Checkpoint, SyncError> {
        #[derive(Deserialize)]
        struct Answer {
            checkpoint: sync_proto::Checkpoint,
        }
        let path = format!("/v1/teams/{}/audit-checkpoints", hex::encode(team));
        let body = serde_json::json!({
            "device": hex::encode(device),
            "scope": scope.map(hex::encode),
            "seq": seq,
            "head": hex::encode(head),
        });
        let resp = self
            .send(|base| self.http.post(format!("{base}{path}")).json(&body))
            .await?;
        Ok(resp.json_capped::<Answer>().await?.checkpoint)
    }

    /// The team's latest checkpoints and the relay's key that signed them
    /// (read over the pinned connection, so the key is the relay's).
    pub async fn audit_checkpoints(
        &self,
        team: &[u8; 16],
    ) -> Result<(Vec<sync_proto::Checkpoint>, ed25519_dalek::VerifyingKey), SyncError> {
        #[derive(Deserialize)]
        struct Answer {
            checkpoints: Vec<sync_proto::Checkpoint>,
            relay_key: String,
        }
        let path = format!("/v1/teams/{}/audit-checkpoints", hex::encode(team));
        let resp = self.send(|base| self.http.get(format!("{base}{path}"))).await?;
        let a = resp.json_capped::<Answer>().await?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(&a.relay_key, &mut key).map_err(|_| SyncError::BadAnswer("relay key".into()))?;
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| SyncError::BadAnswer("relay key".into()))?;
        Ok((a.checkpoints, key))
    }

    /// Reads the team's log after `after`.
    pub async fn read(&self, team: &[u8; 16], after: u64) -> Result<Page, SyncError> {
        let path = format!("/v1/teams/{}/envelopes?after={after}", hex::encode(team));
        let resp = self.send(|base| self.http.get(format!("{base}{path}"))).await?;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let incarnation = header(INCARNATION_HEADER).ok_or_else(|| SyncError::BadAnswer("no incarnation".into()))?;
        let high_water = header(HIGH_WATER_HEADER)
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| SyncError::BadAnswer("no high-water mark".into()))?;
        let roster_ops = header(ROSTER_HEADER).and_then(|h| h.parse().ok());
        let snapshot = header(SNAPSHOT_HEADER).and_then(|h| h.parse().ok()).unwrap_or(0);
        let damaged = header(sync_proto::page::DAMAGED_HEADER)
            .map(|h| h.split(',').filter_map(|s| s.parse().ok()).collect())
            .unwrap_or_default();
        let chain_after = header(sync_proto::page::CHAIN_AFTER_HEADER);
        let chain_end = header(sync_proto::page::CHAIN_END_HEADER);
        let body = capped_body(resp).await?;
        let envelopes = decode_page(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        Ok(Page {
            chain_after,
            chain_end,
            envelopes,
            high_water,
            incarnation,
            roster_ops,
            snapshot,
            damaged,
        })
    }

    /// Enrols this device with a code from the relay's operator (`sync-server
    /// enrol`): it may then start teams there.
    pub async fn enrol(&self, code: &str) -> Result<(), SyncError> {
        let path = "/v1/enrol";
        self.send(|base| {
            self.http
                .post(format!("{base}{path}"))
                .json(&serde_json::json!({ "code": code.trim() }))
        })
        .await?;
        Ok(())
    }

    /// Offers a sealed snapshot of the team's record; the relay keeps it if
    /// it covers more of the log than the one it has. Returns whether it did.
    pub async fn put_snapshot(&self, team: &[u8; 16], envelope: &Envelope) -> Result<bool, SyncError> {
        #[derive(Deserialize)]
        struct Kept {
            kept: bool,
        }
        let path = format!("/v1/teams/{}/snapshot", hex::encode(team));
        let req = |base: &str| {
            self.http
                .put(format!("{base}{path}"))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(envelope.bytes().to_vec())
        };
        Ok(self.send(req).await?.json_capped::<Kept>().await?.kept)
    }

    /// Stores a sealed file at the relay; true if it was already there.
    pub async fn put_blob(&self, team: &[u8; 16], address: &[u8; 32], sealed: &[u8]) -> Result<bool, SyncError> {
        #[derive(Deserialize)]
        struct Stored {
            duplicate: bool,
        }
        let path = format!("/v1/teams/{}/blobs/{}", hex::encode(team), hex::encode(address));
        let req = |base: &str| {
            self.http
                .put(format!("{base}{path}"))
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(sealed.to_vec())
        };
        Ok(self.send(req).await?.json_capped::<Stored>().await?.duplicate)
    }

    /// A sealed file from the relay, checked against its address; `None`
    /// when the relay does not have it (yet).
    pub async fn blob(&self, team: &[u8; 16], address: &[u8; 32]) -> Result<Option<Vec<u8>>, SyncError> {
        let path = format!("/v1/teams/{}/blobs/{}", hex::encode(team), hex::encode(address));
        let body = match self.send(|base| self.http.get(format!("{base}{path}"))).await {
            Ok(resp) => capped_body(resp).await?,
            Err(SyncError::Refused { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if sync_proto::blob::address_of(&body) != *address {
            return Err(SyncError::BadAnswer(
                "the relay sent a file that does not match its address".into(),
            ));
        }
        Ok(Some(body))
    }

    /// The relay's sealed snapshot of the team's record, if it has one.
    pub async fn snapshot(&self, team: &[u8; 16]) -> Result<Option<Vec<u8>>, SyncError> {
        let path = format!("/v1/teams/{}/snapshot", hex::encode(team));
        let resp = self.send(|base| self.http.get(format!("{base}{path}"))).await?;
        if resp.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        Ok(Some(capped_body(resp).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_addresses_are_read_as_typed_and_checked() {
        let typed = vec!["https://a.example:7443/\nhttps://b.example:7443, https://10.0.0.3:7443".to_string()];
        assert_eq!(
            relay_addresses(&typed).unwrap(),
            [
                "https://a.example:7443",
                "https://b.example:7443",
                "https://10.0.0.3:7443"
            ]
        );
        for bad in [
            "",
            "http://a.example",
            "https://",
            "https://a https://a/",
            "https://127.0.0.1:7443https://127.0.0.1:7444",
            "https://a.example/path",
        ] {
            assert!(
                matches!(relay_addresses(&[bad.to_string()]), Err(SyncError::BadAddress(_))),
                "{bad:?}"
            );
        }
        let nine: Vec<String> = (0..9).map(|i| format!("https://r{i}.example")).collect();
        assert!(relay_addresses(&nine).is_err());
    }
}
