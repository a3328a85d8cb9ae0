//! The HTTP routes, one endpoint (path) per file, as in axum's examples:
//! each handler parses, calls the log store, and answers. Shared here: the
//! state every handler may reach, who is calling, and the small parsers.

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::error::AppError;
use crate::log_store::{now_ms, Membership, Store};
use crate::policy::{FreeSpace, Policy};

mod audit;
mod blobs;
mod damaged;
mod device_links;
mod enrol;
mod envelopes;
mod events;
mod invites;
mod members;
mod snapshot;

/// What every handler may reach: the log, and the operator's bounds.
#[derive(Clone)]
pub struct Relay {
    pub store: Store,
    free_space: Arc<FreeSpace>,
    /// Appends per device, for `Policy::device_appends_per_hour`.
    appends: crate::limits::RateLimits,
}

impl FromRef<Relay> for Store {
    fn from_ref(relay: &Relay) -> Store {
        relay.store.clone()
    }
}

pub fn router(store: Store, policy: Arc<Policy>) -> Router {
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
        .route("/v1/enrol", post(enrol::enrol))
        .route(
            "/v1/teams/{team}/envelopes",
            post(envelopes::append).get(envelopes::read),
        )
        .route(
            "/v1/teams/{team}/members",
            post(members::add_member).get(members::members),
        )
        .route("/v1/teams/{team}/damaged", post(damaged::report_damaged))
        .route(
            "/v1/teams/{team}/audit-checkpoints",
            post(audit::checkpoint).get(audit::checkpoints),
        )
        .route(
            "/v1/teams/{team}/snapshot",
            axum::routing::put(snapshot::put_snapshot).get(snapshot::get_snapshot),
        )
        .route("/v1/events", get(events::events))
        .route("/v1/invites/{id}", axum::routing::put(invites::put_invite))
        .route(
            "/v1/device-links/{id}",
            axum::routing::put(device_links::put_device_link),
        )
        .route("/v1/invites/{id}/claim", post(invites::claim_invite))
        // Bodies over the envelope limit are cut off while streaming, and
        // refused at once when their announced length is already too long.
        .layer(axum::extract::DefaultBodyLimit::max(sync_proto::MAX_ENVELOPE_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            sync_proto::MAX_ENVELOPE_BYTES,
            refuse_announced_oversize,
        ))
        // Files have their own, larger limit.
        .merge(
            Router::new()
                .route(
                    "/v1/teams/{team}/blobs/{address}",
                    axum::routing::put(blobs::put_blob).get(blobs::get_blob),
                )
                .layer(axum::extract::DefaultBodyLimit::max(sync_proto::MAX_SEALED_BLOB_BYTES))
                .layer(axum::middleware::from_fn_with_state(
                    sync_proto::MAX_SEALED_BLOB_BYTES,
                    refuse_announced_oversize,
                )),
        )
        .layer(axum::middleware::from_fn_with_state(
            crate::limits::Limits::default(),
            crate::limits::limit,
        ))
        .with_state(relay)
}

async fn refuse_announced_oversize(
    State(max): State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return if max == sync_proto::MAX_ENVELOPE_BYTES {
            AppError::too_large()
        } else {
            AppError::blob_too_large()
        }
        .into_response();
    }
    next.run(req).await
}

async fn health(State(store): State<Store>) -> Json<serde_json::Value> {
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
async fn member(store: &Store, team: [u8; 16], peer: Peer) -> Result<[u8; 32], AppError> {
    let key = device(peer)?;
    match store.membership(team, key).await.map_err(unavailable)? {
        Membership::Member => Ok(key),
        Membership::Removed => Err(AppError::removed()),
        Membership::Stranger => Err(AppError::not_found()),
    }
}

/// A storage failure: 503, the laptop tries again.
fn unavailable(e: impl std::fmt::Display) -> AppError {
    AppError::unavailable(e.to_string())
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
