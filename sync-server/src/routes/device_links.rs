//! `PUT /v1/device-links/{id}`: who a member is and which teams she is in,
//! sealed under her device code, waiting for her next laptop to claim it
//! (`POST /v1/invites/{id}/claim`, as an invite). Kept like an invite: one
//! claimant, gone when it expires, counted among the team's invites.

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::invites::{put_sealed, InviteUpload};
use super::*;

pub(super) async fn put_device_link(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    body: Result<Json<InviteUpload>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    put_sealed(store, peer, id, body, sync_proto::MAX_LINK_BYTES).await
}
