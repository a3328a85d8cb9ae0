//! The HTTP routes. Each handler parses, calls the log store, and answers.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sync_proto::page::{encode_page, HIGH_WATER_HEADER, INCARNATION_HEADER, MAX_PAGE};
use sync_proto::{Envelope, EnvelopeError};

use crate::error::AppError;
use crate::log_store::{AppendError, LogStore};

pub fn router(store: LogStore) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/teams/{team}/envelopes", post(append).get(read))
        // Bodies over the envelope limit are cut off while streaming, and
        // refused at once when their announced length is already too long.
        .layer(axum::extract::DefaultBodyLimit::max(sync_proto::MAX_ENVELOPE_BYTES))
        .layer(axum::middleware::from_fn(refuse_announced_oversize))
        .with_state(store)
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

async fn append(
    State(store): State<LogStore>,
    Path(team): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64;
    let appended = tokio::task::spawn_blocking(move || store.append(&env, now).map(|a| (a, store)))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?;
    match appended {
        Ok((a, store)) => {
            tracing::debug!(seq = a.seq, new = a.new, "envelope appended");
            Ok(Json(
                json!({ "seq": a.seq, "duplicate": !a.new, "incarnation": store.incarnation() }),
            ))
        }
        Err(AppendError::SenderSeqReused) => Err(AppError::conflict(
            "sender_seq_reused",
            "同じ番号の別データが既にあります",
            "another envelope from this device already has this sequence number",
        )),
        Err(AppendError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

#[derive(Deserialize)]
struct ReadQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u32>,
}

async fn read(
    State(store): State<LogStore>,
    Path(team): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let incarnation = store.incarnation().to_string();
    let page = tokio::task::spawn_blocking(move || store.read(&team, q.after, limit))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))?
        .map_err(|e| AppError::unavailable(e.to_string()))?;
    let body = encode_page(page.envelopes.iter().map(|(s, b)| (*s, b.as_slice())));
    Ok((
        [
            (CONTENT_TYPE, "application/octet-stream".to_string()),
            (INCARNATION_HEADER.parse().expect("valid header name"), incarnation),
            (
                HIGH_WATER_HEADER.parse().expect("valid header name"),
                page.high_water.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
