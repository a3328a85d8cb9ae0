//! `PUT /v1/invites/{id}` and `POST /v1/invites/{id}/claim`: a sealed team
//! key waiting for the one device that claims it.

use crate::log_store::{ClaimError, NewInvite};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::*;

#[derive(Deserialize)]
pub(super) struct InviteUpload {
    team: String,
    claim_hash: String,
    sealed: String,
    expires_ms: i64,
    /// The invite's public key, as the roster's invite op names it.
    #[serde(default)]
    invite_key: Option<String>,
}

pub(super) async fn put_invite(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    body: Result<Json<InviteUpload>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    // A team's keys, one 36-byte line per epoch, sealed.
    put_sealed(store, peer, id, body, 256).await
}

/// Keeps `sealed` (at most `limit` bytes) for the one device that claims it,
/// counted among the team's invites. Used by invites and device links.
pub(super) async fn put_sealed(
    store: Store,
    peer: Peer,
    id: String,
    body: Result<Json<InviteUpload>, axum::extract::rejection::JsonRejection>,
    limit: usize,
) -> Result<Json<serde_json::Value>, AppError> {
    let id: [u8; 32] = hex_array("id", &id)?;
    let up = json_body(body)?;
    let team: [u8; 16] = hex_array("team", &up.team)?;
    member(&store, team, peer).await?;
    let claim: [u8; 32] = hex_array("claim_hash", &up.claim_hash)?;
    let sealed = hex::decode(&up.sealed)
        .map_err(|_| AppError::bad_request("bad_field", "値の形式が正しくありません", "sealed"))?;
    if sealed.len() > limit {
        return Err(AppError::too_large());
    }
    let invite_key: Option<[u8; 32]> = up
        .invite_key
        .as_deref()
        .map(|k| hex_array("invite_key", k))
        .transpose()?;
    let invite = NewInvite {
        id,
        team,
        claim_hash: claim,
        sealed,
        invite_key,
        expires_ms: up.expires_ms,
    };
    let stored = store.put_invite(invite, now_ms()).await.map_err(unavailable)?;
    if !stored {
        return Err(AppError::insufficient_storage(
            "invites_full",
            "このチームの未使用の招待が多すぎます。使われない招待が期限切れになるまで待ってください",
            "this team has as many invites waiting as the relay keeps",
        ));
    }
    Ok(Json(json!({ "stored": true })))
}

#[derive(Deserialize)]
pub(super) struct Claim {
    claim_token: String,
}

pub(super) async fn claim_invite(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(id): Path<String>,
    body: Result<Json<Claim>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let id: [u8; 32] = hex_array("id", &id)?;
    let token: [u8; 32] = hex_array("claim_token", &json_body(body)?.claim_token)?;
    let claimant = device(peer)?;
    match store.claim_invite(id, token, claimant, now_ms()).await {
        Ok((team, sealed)) => Ok(Json(
            json!({ "team": hex::encode(team), "sealed": hex::encode(sealed) }),
        )),
        Err(ClaimError::NotFound) => Err(AppError::not_found()),
        Err(ClaimError::Gone) => Err(AppError::gone()),
        Err(ClaimError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}
