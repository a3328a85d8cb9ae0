//! The HTTP routes. Each handler parses, calls the log store, and answers.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::json;
use sync_proto::page::{
    encode_page, CHAIN_AFTER_HEADER, CHAIN_END_HEADER, DAMAGED_HEADER, HIGH_WATER_HEADER, INCARNATION_HEADER, MAX_PAGE,
    ROSTER_HEADER, SNAPSHOT_HEADER,
};
use sync_proto::{Envelope, EnvelopeError};

use std::sync::Arc;

use axum::extract::FromRef;

use crate::error::AppError;
use crate::log_store::{AppendError, ClaimError, EnrolError, LogStore, MemberError, Membership};
use crate::policy::{FreeSpace, Policy};

/// What every handler may reach: the log, and the operator's bounds.
#[derive(Clone)]
pub struct Relay {
    pub store: LogStore,
    free_space: Arc<FreeSpace>,
    /// Appends per device, for `Policy::device_appends_per_hour`.
    appends: crate::limits::RateLimits,
}

impl FromRef<Relay> for LogStore {
    fn from_ref(relay: &Relay) -> LogStore {
        relay.store.clone()
    }
}

pub fn router(store: LogStore, policy: Arc<Policy>) -> Router {
    let relay = Relay {
        store,
        free_space: Arc::new(FreeSpace::new(policy.data_dir.clone(), policy.min_free_bytes)),
        appends: crate::limits::RateLimits::new(
            policy.device_appends_per_hour / 3600.0,
            policy.device_appends_per_hour.max(1.0),
        ),
    };
    Router::new()
        .route("/health", get(health))
        .route("/v1/enrol", post(enrol))
        .route("/v1/teams/{team}/envelopes", post(append).get(read))
        .route("/v1/teams/{team}/members", post(add_member).get(members))
        .route("/v1/teams/{team}/damaged", post(report_damaged))
        .route(
            "/v1/teams/{team}/snapshot",
            axum::routing::put(put_snapshot).get(get_snapshot),
        )
        .route("/v1/events", get(events))
        .route("/v1/invites/{id}", axum::routing::put(put_invite))
        .route("/v1/invites/{id}/claim", post(claim_invite))
        // Bodies over the envelope limit are cut off while streaming, and
        // refused at once when their announced length is already too long.
        .layer(axum::extract::DefaultBodyLimit::max(sync_proto::MAX_ENVELOPE_BYTES))
        .layer(axum::middleware::from_fn(refuse_announced_oversize))
        .layer(axum::middleware::from_fn_with_state(
            crate::limits::Limits::default(),
            crate::limits::limit,
        ))
        .with_state(relay)
}

async fn refuse_announced_oversize(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > sync_proto::MAX_ENVELOPE_BYTES as u64) {
        return AppError::too_large().into_response();
    }
    next.run(req).await
}

async fn health(State(store): State<LogStore>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "incarnation": store.incarnation() }))
}

/// The key of the device certificate the connection presented, if any.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<[u8; 32]>);

fn device(peer: Peer) -> Result<[u8; 32], AppError> {
    peer.0.ok_or_else(AppError::no_certificate)
}

/// 404 unless the device is on the team's roster; 403 `removed` for a
/// device that was taken out (it knew the team already).
async fn member(store: &LogStore, team: [u8; 16], peer: Peer) -> Result<[u8; 32], AppError> {
    let key = device(peer)?;
    match blocking(store.clone(), move |s| s.membership(&team, &key)).await? {
        Membership::Member => Ok(key),
        Membership::Removed => Err(AppError::removed()),
        Membership::Stranger => Err(AppError::not_found()),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64
}

/// Runs a storage call off the async threads.
async fn blocking<T: Send + 'static>(
    store: LogStore,
    f: impl FnOnce(&LogStore) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?
        .map_err(|e| AppError::unavailable(e.to_string()))
}

fn hex_array<const N: usize>(field: &'static str, s: &str) -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    hex::decode_to_slice(s, &mut b)
        .map_err(|_| AppError::bad_request("bad_field", "値の形式が正しくありません", field))?;
    Ok(b)
}

fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v)
        .map_err(|e| AppError::bad_request("bad_json", "送信データの形式が正しくありません", e.body_text()))
}

async fn add_member(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Json<sync_proto::MembershipOp>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let key = device(peer)?;
    let op = json_body(body)?;
    let result = tokio::task::spawn_blocking(move || store.add_member_op(&team, &op, &key, now_ms()))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?;
    match result {
        Ok(seq) => Ok(Json(json!({ "seq": seq }))),
        Err(MemberError::Refused(sync_proto::RosterError::Stale)) => Err(AppError::conflict(
            "roster_changed",
            "メンバー構成が変わりました。もう一度操作してください",
            sync_proto::RosterError::Stale.to_string(),
        )),
        Err(MemberError::NotEnrolled) => Err(AppError::forbidden(
            "not_enrolled",
            "この中継サーバーでチームを作るには登録が必要です。管理者から登録コードをもらってください",
            "this relay takes new teams only from enrolled devices: ask its operator for an enrolment code (`sync-server enrol`)",
        )),
        Err(MemberError::Refused(e)) => Err(AppError::membership_refused(e.to_string())),
        Err(MemberError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

async fn members(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    // A removed device may still read the roster: the signed op that removed
    // it is its proof (the relay cannot forge one to make a laptop let go).
    match member(&store, team, peer).await {
        Ok(_) | Err(AppError { code: "removed", .. }) => {}
        Err(e) => return Err(e),
    }
    let ops = blocking(store, move |s| s.member_ops(&team)).await?;
    if ops.is_empty() {
        return Err(AppError::not_found());
    }
    let ops: Vec<serde_json::Value> = ops
        .into_iter()
        .map(|(op, at, log_len)| json!({ "op": serde_json::from_str::<serde_json::Value>(&op).unwrap_or_default(), "received_ms": at, "log_len": log_len }))
        .collect();
    Ok(Json(json!({ "ops": ops })))
}

#[derive(Deserialize)]
struct EventsQuery {
    /// Comma-separated team ids.
    teams: String,
}

/// Live push: one WebSocket per device for all its teams (see `push.rs`).
/// Each message names a team and the sequence number of a new envelope; the
/// laptop then reads the log from its cursor, so a missed message costs only
/// latency.
async fn events(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Query(q): Query<EventsQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let upgrade = upgrade.map_err(|_| {
        AppError::bad_request(
            "upgrade_required",
            "この接続方法には対応していません",
            "live push is a WebSocket: GET with `Upgrade: websocket`",
        )
    })?;
    let teams: Vec<[u8; 16]> = q
        .teams
        .split(',')
        .filter(|t| !t.is_empty())
        .map(team_id)
        .collect::<Result<_, _>>()?;
    if teams.is_empty() || teams.len() > 1000 {
        return Err(AppError::bad_request(
            "bad_teams",
            "チームの指定が正しくありません",
            "give 1 to 1000 team ids",
        ));
    }
    // Only teams this device belongs to; the others are silently left out.
    let key = device(peer)?;
    let asked = teams;
    let teams = blocking(store.clone(), move |s| {
        let mut mine = Vec::new();
        for t in asked {
            if s.is_member(&t, &key)? {
                mine.push(t);
            }
        }
        Ok(mine)
    })
    .await?;
    if teams.is_empty() {
        return Err(AppError::not_found());
    }
    let subscriptions: Vec<_> = teams.into_iter().map(|t| (t, store.subscribe(t))).collect();
    // Laptops send only pongs and a close: a small read buffer, and every
    // message written out at once.
    Ok(upgrade
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_message_size(1024)
        .on_upgrade(move |socket| crate::push::serve(socket, store, key, subscriptions)))
}

#[derive(Deserialize)]
struct InviteUpload {
    team: String,
    claim_hash: String,
    sealed: String,
    expires_ms: i64,
}

async fn put_invite(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    body: Result<Json<InviteUpload>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let id: [u8; 32] = hex_array("id", &id)?;
    let up = json_body(body)?;
    let team: [u8; 16] = hex_array("team", &up.team)?;
    member(&store, team, peer).await?;
    let claim: [u8; 32] = hex_array("claim_hash", &up.claim_hash)?;
    let sealed = hex::decode(&up.sealed)
        .map_err(|_| AppError::bad_request("bad_field", "値の形式が正しくありません", "sealed"))?;
    if sealed.len() > 256 {
        return Err(AppError::too_large());
    }
    blocking(store, move |s| {
        s.put_invite(&id, &team, &claim, &sealed, up.expires_ms, now_ms())
    })
    .await?;
    Ok(Json(json!({ "stored": true })))
}

#[derive(Deserialize)]
struct Claim {
    claim_token: String,
}

async fn claim_invite(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    body: Result<Json<Claim>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let id: [u8; 32] = hex_array("id", &id)?;
    let token: [u8; 32] = hex_array("claim_token", &json_body(body)?.claim_token)?;
    let claimant = device(peer)?;
    let result = tokio::task::spawn_blocking(move || store.claim_invite(&id, &token, &claimant, now_ms()))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?;
    match result {
        Ok((team, sealed)) => Ok(Json(
            json!({ "team": hex::encode(team), "sealed": hex::encode(sealed) }),
        )),
        Err(ClaimError::NotFound) => Err(AppError::not_found()),
        Err(ClaimError::Gone) => Err(AppError::gone()),
        Err(ClaimError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

fn team_id(hex_id: &str) -> Result<[u8; 16], AppError> {
    let mut team = [0u8; 16];
    hex::decode_to_slice(hex_id, &mut team).map_err(|_| {
        AppError::bad_request(
            "bad_team",
            "チーム ID が正しくありません",
            "team id must be 32 hex digits",
        )
    })?;
    Ok(team)
}

/// The envelope in a request body, for `team`.
fn envelope_for(team: [u8; 16], body: Result<Bytes, BytesRejection>) -> Result<Envelope, AppError> {
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => AppError::too_large(),
        other => AppError::bad_request("bad_body", "送信データを読めません", other.body_text()),
    })?;
    let env = Envelope::parse(body.to_vec()).map_err(|e| match e {
        EnvelopeError::TooLarge => AppError::too_large(),
        other => AppError::bad_request(
            "malformed_envelope",
            "送信データの形式が正しくありません",
            other.to_string(),
        ),
    })?;
    if env.header().team != team {
        return Err(AppError::bad_request(
            "team_mismatch",
            "送信先のチームが違います",
            "envelope is for another team",
        ));
    }
    Ok(env)
}

async fn append(
    State(relay): State<Relay>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    let key = device(peer)?;
    // Reads go on when the disk is nearly full; only writes wait.
    if !relay.free_space.enough() {
        tracing::warn!("free disk space is below the floor; refusing appends");
        let mut resp = AppError::insufficient_storage(
            "disk_full",
            "中継サーバーの空き容量が足りません。記録は端末に残っています。しばらくして再送します",
            "the relay's disk is nearly full; entries stay on the laptop and are sent later",
        )
        .into_response();
        resp.headers_mut().insert(RETRY_AFTER, 300u32.into());
        return Ok(resp);
    }
    if let Err(wait) = relay.appends.take_device(key) {
        return Ok(crate::limits::too_many(wait));
    }
    let env = envelope_for(team, body)?;
    let store = relay.store;
    match store.append(env, key, now_ms()).await {
        Ok(a) => {
            tracing::debug!(seq = a.seq, new = a.new, "envelope appended");
            Ok(Json(json!({ "seq": a.seq, "duplicate": !a.new, "incarnation": store.incarnation() })).into_response())
        }
        Err(AppendError::SenderSeqReused) => Err(AppError::conflict(
            "sender_seq_reused",
            "同じ番号の別データが既にあります",
            "another envelope from this device already has this sequence number",
        )),
        Err(AppendError::SenderRemoved) => Err(AppError::forbidden(
            "sender_removed",
            "チームから外された端末の記録は、外された後には受け付けません",
            "envelopes of a device removed from the team are not taken after its removal",
        )),
        Err(AppendError::TeamQuota) => Err(AppError::insufficient_storage(
            "team_quota",
            "このチームの記録が中継サーバーの上限に達しました。管理者に連絡してください",
            "this team's log is at the relay's storage quota; ask the relay's operator",
        )),
        Err(AppendError::SnapshotAhead | AppendError::UnknownTeam | AppendError::NotMember) => {
            Err(AppError::not_found())
        }
        Err(AppendError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

#[derive(Deserialize)]
struct Enrolment {
    code: String,
}

/// `POST /v1/enrol`: a device presents a code the operator printed with
/// `sync-server enrol`; it may then start teams here.
async fn enrol(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    body: Result<Json<Enrolment>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let key = device(peer)?;
    let code = json_body(body)?.code;
    if code.len() > 100 {
        return Err(AppError::bad_request("bad_field", "値の形式が正しくありません", "code"));
    }
    match blocking_enrol(store, code, key).await? {
        Ok(()) => Ok(Json(json!({ "enrolled": true }))),
        Err(EnrolError::Invalid) => Err(AppError::forbidden(
            "bad_enrolment",
            "登録コードが違うか、使用済みか、期限切れです。管理者に新しいコードを頼んでください",
            "enrolment code unknown, used by another device, or expired",
        )),
        Err(EnrolError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

async fn blocking_enrol(store: LogStore, code: String, key: [u8; 32]) -> Result<Result<(), EnrolError>, AppError> {
    tokio::task::spawn_blocking(move || store.enrol(&code, &key, now_ms()))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))
}

/// `PUT /v1/teams/{team}/snapshot`: a member's sealed snapshot of the record,
/// kept if it covers more of the log than the one kept.
async fn put_snapshot(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let key = member(&store, team, peer).await?;
    let env = envelope_for(team, body)?;
    let covers = env.header().sender_seq;
    match tokio::task::spawn_blocking(move || store.put_snapshot(&env, &key, now_ms()))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?
    {
        Ok(kept) => Ok(Json(json!({ "kept": kept, "covers": covers }))),
        Err(AppendError::SnapshotAhead) => Err(AppError::bad_request(
            "snapshot_ahead",
            "スナップショットの範囲が記録を超えています",
            "the snapshot claims to cover more of the log than the relay holds",
        )),
        Err(AppendError::Storage(e)) => Err(AppError::unavailable(e)),
        Err(_) => Err(AppError::not_found()),
    }
}

/// `GET /v1/teams/{team}/snapshot`: the kept snapshot, or 204 if none.
async fn get_snapshot(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    Ok(match blocking(store, move |s| s.snapshot(&team)).await? {
        Some(bytes) => ([(CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    })
}

#[derive(Deserialize)]
struct ReadQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u32>,
}

#[derive(Deserialize)]
struct DamagedReport {
    seq: u64,
}

/// `POST /v1/teams/{team}/damaged`: a member's laptop could not verify the
/// envelope at `seq`. The relay checks the signature itself; only a copy
/// that truly fails is listed (in the read header), for a holder of a
/// genuine copy to send again.
async fn report_damaged(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Json<DamagedReport>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    let seq = json_body(body)?.seq;
    let damaged = blocking(store, move |s| s.report_damaged(&team, seq)).await?;
    Ok(Json(json!({ "damaged": damaged })))
}

async fn read(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let incarnation = store.incarnation().to_string();
    let page = tokio::task::spawn_blocking(move || store.read(&team, q.after, limit))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?
        .map_err(|e| AppError::unavailable(e.to_string()))?;
    let body = encode_page(page.envelopes.iter().map(|(s, b)| (*s, b.as_slice())));
    let damaged: Vec<String> = page.damaged.iter().map(u64::to_string).collect();
    Ok((
        [
            (DAMAGED_HEADER.parse().expect("valid header name"), damaged.join(",")),
            (CONTENT_TYPE, "application/octet-stream".to_string()),
            (INCARNATION_HEADER.parse().expect("valid header name"), incarnation),
            (
                HIGH_WATER_HEADER.parse().expect("valid header name"),
                page.high_water.to_string(),
            ),
            (
                ROSTER_HEADER.parse().expect("valid header name"),
                page.roster_ops.to_string(),
            ),
            (
                SNAPSHOT_HEADER.parse().expect("valid header name"),
                page.snapshot.to_string(),
            ),
            (
                CHAIN_AFTER_HEADER.parse().expect("valid header name"),
                hex::encode(page.chain_after),
            ),
            (
                CHAIN_END_HEADER.parse().expect("valid header name"),
                hex::encode(page.chain_end),
            ),
        ],
        body,
    )
        .into_response())
}
