//! `PUT|GET /v1/teams/{team}/snapshot`: a member's sealed snapshot.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::header::CONTENT_TYPE;

use crate::log_store::AppendError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::envelopes::envelope_for;
use super::*;

/// `PUT /v1/teams/{team}/snapshot`: a member's sealed snapshot of the record,
/// kept if it covers more of the log than the one kept.
pub(super) async fn put_snapshot(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let key = member(&store, team, peer).await?;
    if store.is_family(team, key).await.map_err(unavailable)? {
        return Err(AppError::forbidden(
            "family_role",
            "家族の端末からは記録全体を預けられません",
            "a family member's laptop may not upload a snapshot of the whole record",
        ));
    }
    let env = envelope_for(team, body)?;
    let covers = env.header().sender_seq;
    match store.put_snapshot(env, key, now_ms()).await {
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
pub(super) async fn get_snapshot(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    Ok(match store.snapshot(team).await.map_err(unavailable)? {
        Some(bytes) => ([(CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    })
}
